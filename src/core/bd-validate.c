/* bd-validate.c: identifiers a caller gives at the counter or on the phone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "bd-time.h"
#include "bd-validate.h"

/* Words beyond these limits add nothing to a lookup and would only let a
 * pasted essay cost time in the FTS index. */
#define MAX_QUERY_WORDS 8
#define MAX_WORD_CHARS  64
#define MAX_QUERY_BYTES 4096

G_DEFINE_QUARK (bd-validation-error-quark, bd_validation_error)

/* Keeps the digits of input; FALSE if anything but digits and the
 * separators people type (space, dash, dot) is present. */
static gboolean
collect_digits (const char *input,
                GString    *digits,
                gboolean    allow_plus)
{
  for (const char *p = input; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
      else if (*p == ' ' || *p == '-' || *p == '.' || *p == '\t')
        continue;
      else if (allow_plus && *p == '+' && digits->len == 0)
        continue;
      else
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_blank (const char *input)
{
  if (input == NULL)
    return TRUE;
  for (const char *p = input; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

char *
bd_account_normalize (const char  *input,
                      GError     **error)
{
  g_autoptr(GString) digits = g_string_new (NULL);

  if (is_blank (input))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                           _("Enter the account number."));
      return NULL;
    }

  if (!collect_digits (input, digits, FALSE) ||
      (digits->len != 10 && digits->len != 12))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_ACCOUNT,
                           _("An account number has 10 digits (12 for some old rural accounts)."));
      return NULL;
    }

  return g_string_free (g_steal_pointer (&digits), FALSE);
}

/* Strips the ways a mobile is commonly written down to its 10 digits. */
static gboolean
mobile_digits (const char *input,
               GString    *digits)
{
  gboolean had_plus = (strchr (input, '+') != NULL);

  if (!collect_digits (input, digits, TRUE))
    return FALSE;

  if (had_plus)
    {
      if (digits->len != 12 || strncmp (digits->str, "91", 2) != 0)
        return FALSE;
      g_string_erase (digits, 0, 2);
    }
  else if (digits->len == 12 && strncmp (digits->str, "91", 2) == 0)
    g_string_erase (digits, 0, 2);
  else if (digits->len == 11 && digits->str[0] == '0')
    g_string_erase (digits, 0, 1);

  return digits->len == 10 && digits->str[0] >= '6' && digits->str[0] <= '9';
}

char *
bd_mobile_normalize (const char  *input,
                     GError     **error)
{
  g_autoptr(GString) digits = g_string_new (NULL);

  if (is_blank (input))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                           _("Enter the mobile number."));
      return NULL;
    }

  if (!mobile_digits (input, digits))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_MOBILE,
                           _("A mobile number has 10 digits and starts with 6, 7, 8 or 9."));
      return NULL;
    }

  return g_string_free (g_steal_pointer (&digits), FALSE);
}

char *
bd_mobile_mask (const char *mobile)
{
  gsize len;
  GString *masked;

  if (mobile == NULL || *mobile == '\0')
    return NULL;

  len = strlen (mobile);
  if (len <= 4)
    return g_strnfill (len, 'X');

  masked = g_string_new_len (mobile, 2);
  for (gsize i = 2; i < len - 2; i++)
    g_string_append_c (masked, 'X');
  g_string_append (masked, mobile + len - 2);
  return g_string_free (masked, FALSE);
}

static gboolean
looks_like_meter_serial (const char *text)
{
  gsize len = strlen (text);
  gboolean has_digit = FALSE;
  gboolean has_alpha = FALSE;

  if (len < 4 || len > 20)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        has_digit = TRUE;
      else if (g_ascii_isalpha (*p))
        has_alpha = TRUE;
      else
        return FALSE;
    }
  return has_digit && has_alpha;
}

char *
bd_meter_serial_normalize (const char  *input,
                           GError     **error)
{
  g_autofree char *stripped = NULL;

  if (is_blank (input))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                           _("Enter the meter serial number."));
      return NULL;
    }

  stripped = g_strstrip (g_strdup (input));
  if (!looks_like_meter_serial (stripped))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_METER_SERIAL,
                           _("A meter serial number has 4 to 20 letters and digits, as printed on the meter."));
      return NULL;
    }

  return g_ascii_strup (stripped, -1);
}

/* Verhoeff's dihedral-group tables (J. Verhoeff, 1969; as UIDAI uses
 * them for the Aadhaar check digit). */
static const guint8 verhoeff_d[10][10] = {
  { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 },
  { 1, 2, 3, 4, 0, 6, 7, 8, 9, 5 },
  { 2, 3, 4, 0, 1, 7, 8, 9, 5, 6 },
  { 3, 4, 0, 1, 2, 8, 9, 5, 6, 7 },
  { 4, 0, 1, 2, 3, 9, 5, 6, 7, 8 },
  { 5, 9, 8, 7, 6, 0, 4, 3, 2, 1 },
  { 6, 5, 9, 8, 7, 1, 0, 4, 3, 2 },
  { 7, 6, 5, 9, 8, 2, 1, 0, 4, 3 },
  { 8, 7, 6, 5, 9, 3, 2, 1, 0, 4 },
  { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 },
};

static const guint8 verhoeff_p[8][10] = {
  { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 },
  { 1, 5, 7, 6, 2, 8, 3, 0, 9, 4 },
  { 5, 8, 0, 3, 7, 9, 6, 1, 4, 2 },
  { 8, 9, 1, 6, 0, 4, 3, 5, 2, 7 },
  { 9, 4, 5, 3, 1, 2, 8, 7, 6, 0 },
  { 4, 2, 8, 6, 5, 7, 3, 9, 0, 1 },
  { 2, 7, 9, 3, 8, 0, 6, 4, 1, 5 },
  { 7, 0, 4, 6, 9, 1, 3, 2, 5, 8 },
};

gboolean
bd_verhoeff_check (const char *digits)
{
  guint c = 0;
  gsize len;

  if (digits == NULL)
    return FALSE;
  len = strlen (digits);
  if (len < 2)
    return FALSE;

  /* The rightmost digit (the check digit) is position 0. */
  for (gsize i = 0; i < len; i++)
    {
      char ch = digits[len - 1 - i];

      if (!g_ascii_isdigit (ch))
        return FALSE;
      c = verhoeff_d[c][verhoeff_p[i % 8][ch - '0']];
    }

  return c == 0;
}

char *
bd_aadhaar_normalize (const char  *input,
                      GError     **error)
{
  g_autoptr(GString) digits = g_string_new (NULL);

  if (is_blank (input))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                           _("Enter the Aadhaar number."));
      return NULL;
    }

  if (!collect_digits (input, digits, FALSE) || digits->len != 12)
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_AADHAAR,
                           _("An Aadhaar number has 12 digits."));
      return NULL;
    }

  if (digits->str[0] == '0' || digits->str[0] == '1')
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_AADHAAR,
                           _("An Aadhaar number never starts with 0 or 1. Check the number on the card."));
      return NULL;
    }

  if (!bd_verhoeff_check (digits->str))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_AADHAAR,
                           _("This is not a valid Aadhaar number: a digit is wrong or two digits are swapped. Check it against the card."));
      return NULL;
    }

  return g_string_free (g_steal_pointer (&digits), FALSE);
}

char *
bd_aadhaar_mask (const char *last4_or_full)
{
  g_autoptr(GString) digits = g_string_new (NULL);

  if (last4_or_full == NULL)
    return NULL;
  for (const char *p = last4_or_full; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (digits, *p);
  if (digits->len < 4)
    return NULL;

  return g_strdup_printf ("XXXX-XXXX-%s", digits->str + digits->len - 4);
}

/* Upper-cased input without the separators people type; NULL if anything
 * but ASCII letters, digits and those separators is present. */
static char *
compact_upper (const char *input,
               const char *separators)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (const char *p = input; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (out, g_ascii_toupper (*p));
      else if (g_ascii_isspace (*p) || strchr (separators, *p) != NULL)
        continue;
      else
        return NULL;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* TRUE if text matches pattern, where 'A' stands for an upper-case letter
 * and '9' for a digit. */
static gboolean
matches_shape (const char *text,
               const char *pattern)
{
  if (strlen (text) != strlen (pattern))
    return FALSE;
  for (gsize i = 0; pattern[i] != '\0'; i++)
    {
      if (pattern[i] == 'A' && !g_ascii_isupper (text[i]))
        return FALSE;
      if (pattern[i] == '9' && !g_ascii_isdigit (text[i]))
        return FALSE;
    }
  return TRUE;
}

char *
bd_pan_normalize (const char  *input,
                  GError     **error)
{
  g_autofree char *pan = NULL;

  if (is_blank (input))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                           _("Enter the PAN."));
      return NULL;
    }

  pan = compact_upper (input, "");
  if (pan == NULL || !matches_shape (pan, "AAAAA9999A"))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_PAN,
                           _("A PAN has 10 characters: 5 letters, 4 digits and a letter, like ABCPE1234F."));
      return NULL;
    }

  /* The 4th letter is the holder type: Person, Company, HUF, Firm, AOP,
   * Trust, BOI, Local authority, Juridical person, Government. */
  if (strchr ("PCHFATBLJG", pan[3]) == NULL)
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_PAN,
                           _("The 4th letter of a PAN shows the holder type and must be P, C, H, F, A, T, B, L, J or G. Check the PAN card."));
      return NULL;
    }

  return g_steal_pointer (&pan);
}

char *
bd_voter_id_normalize (const char  *input,
                       GError     **error)
{
  g_autofree char *epic = NULL;

  if (is_blank (input))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                           _("Enter the voter ID number."));
      return NULL;
    }

  epic = compact_upper (input, "/-");
  if (epic == NULL || !matches_shape (epic, "AAA9999999"))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_VOTER_ID,
                           _("A voter ID (EPIC) number has 3 letters followed by 7 digits, like ABC1234567."));
      return NULL;
    }

  return g_steal_pointer (&epic);
}

/* Today's date in India. */
static void
today_ist (GDate *out)
{
  g_autoptr(GTimeZone) ist = bd_time_zone_ist ();
  g_autoptr(GDateTime) now = g_date_time_new_now (ist);

  g_date_clear (out, 1);
  g_date_set_dmy (out,
                  (GDateDay) g_date_time_get_day_of_month (now),
                  (GDateMonth) g_date_time_get_month (now),
                  (GDateYear) g_date_time_get_year (now));
}

/* Registration-mark codes of the states and union territories. */
static const char * const dl_state_codes[] = {
  "AN", "AP", "AR", "AS", "BR", "CG", "CH", "DD", "DL", "DN", "GA", "GJ",
  "HP", "HR", "JH", "JK", "KA", "KL", "LA", "LD", "MH", "ML", "MN", "MP",
  "MZ", "NL", "OD", "OR", "PB", "PY", "RJ", "SK", "TG", "TN", "TR", "TS",
  "UA", "UK", "UP", "WB",
};

char *
bd_driving_licence_normalize (const char  *input,
                              GError     **error)
{
  g_autofree char *dl = NULL;
  gboolean known_state = FALSE;
  GDate today;
  int year;

  if (is_blank (input))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                           _("Enter the driving licence number."));
      return NULL;
    }

  dl = compact_upper (input, "-/");
  if (dl == NULL || !matches_shape (dl, "AA9999999999999"))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_DRIVING_LICENCE,
                           _("A driving licence number has 15 characters: state code, 2-digit RTO code, year of issue and 7 digits, like UP32 2019 0012345."));
      return NULL;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (dl_state_codes); i++)
    if (strncmp (dl, dl_state_codes[i], 2) == 0)
      known_state = TRUE;
  if (!known_state)
    {
      g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_DRIVING_LICENCE,
                   _("“%.2s” is not the code of an Indian state or union territory. A driving licence number starts with one, like UP."),
                   dl);
      return NULL;
    }

  year = (dl[4] - '0') * 1000 + (dl[5] - '0') * 100 + (dl[6] - '0') * 10 + (dl[7] - '0');
  today_ist (&today);
  if (year < 1950 || year > g_date_get_year (&today))
    {
      g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_DRIVING_LICENCE,
                   _("The year of issue in a driving licence number (characters 5 to 8) must be between 1950 and %d."),
                   (int) g_date_get_year (&today));
      return NULL;
    }

  return g_steal_pointer (&dl);
}

static gboolean
email_local_ok (const char *local,
                gsize       len)
{
  if (len == 0 || len > 64 || local[0] == '.' || local[len - 1] == '.')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = local[i];

      if (c == '.' && local[i + 1] == '.')
        return FALSE;
      if (!g_ascii_isalnum (c) && strchr ("._%+-", c) == NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
email_domain_ok (const char *domain)
{
  g_auto(GStrv) labels = g_strsplit (domain, ".", -1);
  guint n = g_strv_length (labels);

  if (n < 2)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      gsize len = strlen (labels[i]);

      if (len == 0 || len > 63 || labels[i][0] == '-' || labels[i][len - 1] == '-')
        return FALSE;
      for (gsize k = 0; k < len; k++)
        if (!g_ascii_isalnum (labels[i][k]) && labels[i][k] != '-')
          return FALSE;
    }
  /* The top-level domain is letters only (in, com, org…). */
  if (strlen (labels[n - 1]) < 2)
    return FALSE;
  for (const char *p = labels[n - 1]; *p != '\0'; p++)
    if (!g_ascii_isalpha (*p))
      return FALSE;
  return TRUE;
}

char *
bd_email_normalize (const char  *input,
                    GError     **error)
{
  g_autofree char *stripped = NULL;
  g_autofree char *domain = NULL;
  const char *at;

  if (is_blank (input))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                           _("Enter the email address."));
      return NULL;
    }

  stripped = g_strstrip (g_strdup (input));
  at = strchr (stripped, '@');
  if (strlen (stripped) > 254 || at == NULL || strchr (at + 1, '@') != NULL ||
      !email_local_ok (stripped, (gsize) (at - stripped)) ||
      !email_domain_ok (at + 1))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_EMAIL,
                           _("Enter an email address like name@example.in, without spaces."));
      return NULL;
    }

  domain = g_ascii_strdown (at + 1, -1);
  return g_strdup_printf ("%.*s@%s", (int) (at - stripped), stripped, domain);
}

char *
bd_phone_normalize (const char  *input,
                    GError     **error)
{
  g_autoptr(GString) mobile = g_string_new (NULL);
  g_autoptr(GString) digits = g_string_new (NULL);

  if (is_blank (input))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                           _("Enter the phone number."));
      return NULL;
    }

  if (mobile_digits (input, mobile))
    return g_string_free (g_steal_pointer (&mobile), FALSE);

  if (collect_digits (input, digits, TRUE))
    {
      /* "+91 522 2345678" is the landline 0522 2345678. */
      if (strchr (input, '+') != NULL)
        {
          if (digits->len == 12 && strncmp (digits->str, "91", 2) == 0)
            {
              g_string_erase (digits, 0, 2);
              g_string_prepend_c (digits, '0');
            }
          else
            g_string_truncate (digits, 0);
        }

      if (digits->len == 11 && digits->str[0] == '0' && digits->str[1] != '0')
        return g_string_free (g_steal_pointer (&digits), FALSE);
    }

  g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_PHONE,
                       _("Enter a 10-digit mobile number, or a landline number with its STD code (11 digits starting with 0, like 0522 2345678)."));
  return NULL;
}

/* A decimal number of degrees into microdegrees, rounding half away from
 * zero at the 7th decimal; integer arithmetic only, so "26.8467" is exactly
 * 26846700. */
static gboolean
parse_micro (const char *text,
             gint64     *out)
{
  gboolean negative = FALSE;
  gint64 whole = 0;
  gint64 fraction = 0;
  int fraction_digits = 0;
  gboolean any_digit = FALSE;
  const char *p = text;

  if (*p == '+' || *p == '-')
    negative = (*p++ == '-');

  for (; g_ascii_isdigit (*p); p++)
    {
      whole = whole * 10 + (*p - '0');
      any_digit = TRUE;
      if (whole > 1000)
        return FALSE;
    }

  if (*p == '.')
    {
      p++;
      for (; g_ascii_isdigit (*p); p++)
        {
          any_digit = TRUE;
          if (fraction_digits < 6)
            fraction = fraction * 10 + (*p - '0');
          else if (fraction_digits == 6 && *p >= '5')
            fraction++;
          fraction_digits++;
        }
      for (int i = MIN (fraction_digits, 6); i < 6; i++)
        fraction *= 10;
    }

  /* "26.8467°" as copied from a map is fine too. */
  if (strcmp (p, "°") == 0)
    p += strlen ("°");

  if (!any_digit || *p != '\0')
    return FALSE;

  *out = (whole * 1000000 + fraction) * (negative ? -1 : 1);
  return TRUE;
}

gboolean
bd_gps_parse (const char  *input,
              gint64      *lat_e6,
              gint64      *lon_e6,
              GError     **error)
{
  g_autofree char *spaced = NULL;
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) tokens = g_ptr_array_new ();
  gint64 lat, lon;

  if (is_blank (input))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                           _("Enter the location."));
      return FALSE;
    }

  spaced = g_strdelimit (g_strdup (input), ",;\t", ' ');
  parts = g_strsplit (spaced, " ", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_ptr_array_add (tokens, parts[i]);

  if (tokens->len != 2 ||
      !parse_micro (g_ptr_array_index (tokens, 0), &lat) ||
      !parse_micro (g_ptr_array_index (tokens, 1), &lon))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_GPS,
                           _("Enter the location as latitude, longitude in decimal degrees, like 26.8467, 80.9462."));
      return FALSE;
    }

  /* India's bounding box, with the islands. */
  if (lat < 6500000 || lat > 37500000 || lon < 68000000 || lon > 97500000)
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_GPS,
                           _("This location is outside India. Check that the latitude (about 26 in Uttar Pradesh) comes first and the longitude (about 80) second."));
      return FALSE;
    }

  if (lat_e6 != NULL)
    *lat_e6 = lat;
  if (lon_e6 != NULL)
    *lon_e6 = lon;
  return TRUE;
}

char *
bd_seal_number_normalize (const char  *input,
                          GError     **error)
{
  g_autofree char *seal = NULL;
  gsize len;

  if (is_blank (input))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                           _("Enter the seal number."));
      return NULL;
    }

  seal = g_ascii_strup (input, -1);
  g_strstrip (seal);
  len = strlen (seal);
  if (len < 4 || len > 20 || !g_ascii_isalnum (seal[0]) || !g_ascii_isalnum (seal[len - 1]))
    goto invalid;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (seal[i]) && seal[i] != '-')
      goto invalid;
  return g_steal_pointer (&seal);

invalid:
  g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_SEAL_NUMBER,
                       _("A seal number has 4 to 20 letters, digits and dashes, as printed on the seal."));
  return NULL;
}

/* Reads exactly n digits at *p. */
static gboolean
read_number (const char **p,
             int          n,
             int         *out)
{
  int value = 0;

  for (int i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit ((*p)[i]))
        return FALSE;
      value = value * 10 + ((*p)[i] - '0');
    }
  *p += n;
  *out = value;
  return TRUE;
}

static gboolean
is_date_separator (char c)
{
  return c == '-' || c == '/' || c == '.';
}

gboolean
bd_date_parse (const char  *input,
               GDate       *out,
               GError     **error)
{
  g_autofree char *stripped = NULL;
  const char *p;
  int day, month, year;
  gboolean shape_ok = FALSE;
  GDate today;
  GDate date;

  if (is_blank (input))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                           _("Enter the date."));
      return FALSE;
    }

  stripped = g_strstrip (g_strdup (input));
  p = stripped;
  if (strlen (stripped) == 10)
    {
      if (g_ascii_isdigit (p[0]) && g_ascii_isdigit (p[3]) && p[4] == '-')
        {
          /* YYYY-MM-DD */
          shape_ok = read_number (&p, 4, &year) && *p++ == '-' &&
                     read_number (&p, 2, &month) && *p++ == '-' &&
                     read_number (&p, 2, &day);
        }
      else
        {
          /* DD-MM-YYYY, as Indian forms write it */
          shape_ok = read_number (&p, 2, &day) && is_date_separator (*p++) &&
                     read_number (&p, 2, &month) && is_date_separator (*p++) &&
                     read_number (&p, 4, &year);
        }
    }

  if (!shape_ok || *p != '\0')
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_DATE,
                           _("Enter the date as DD-MM-YYYY, like 15-03-2024."));
      return FALSE;
    }

  if (month < 1 || month > 12 || day < 1 || year < 1 ||
      !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_DATE,
                           _("There is no such date. Check the day and the month."));
      return FALSE;
    }

  if (year < 1950)
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_DATE,
                           _("Enter a date from 1950 on."));
      return FALSE;
    }

  today_ist (&today);
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
  if (g_date_compare (&date, &today) > 0)
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_DATE_IN_FUTURE,
                           _("The date cannot be in the future."));
      return FALSE;
    }

  if (out != NULL)
    *out = date;
  return TRUE;
}

/* Largest reading a meter register shows: 8 digits of kWh. */
#define MAX_READING_KWH G_GINT64_CONSTANT (99999999)

gboolean
bd_reading_parse (const char  *input,
                  gint64      *out_wh,
                  GError     **error)
{
  g_autofree char *stripped = NULL;
  gint64 kwh = 0;
  gint64 wh_part = 0;
  int decimals = 0;
  gboolean any_digit = FALSE;
  const char *p;

  if (is_blank (input))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                           _("Enter the meter reading."));
      return FALSE;
    }

  stripped = g_strstrip (g_strdup (input));
  p = stripped;

  /* Indian digit grouping ("1,23,456.7") is common on forms. */
  for (; g_ascii_isdigit (*p) || (*p == ',' && any_digit); p++)
    {
      if (*p == ',')
        continue;
      any_digit = TRUE;
      kwh = kwh * 10 + (*p - '0');
      if (kwh > MAX_READING_KWH)
        goto too_large;
    }

  if (*p == '.')
    {
      for (p++; g_ascii_isdigit (*p); p++)
        {
          if (++decimals > 3)
            goto invalid;
          wh_part = wh_part * 10 + (*p - '0');
          any_digit = TRUE;
        }
      for (int i = decimals; i < 3; i++)
        wh_part *= 10;
    }

  /* "12345.6 kWh" as written on a slip. */
  while (*p == ' ')
    p++;
  if (g_ascii_strcasecmp (p, "kwh") == 0)
    p += 3;

  if (!any_digit || *p != '\0')
    goto invalid;

  if (out_wh != NULL)
    *out_wh = kwh * 1000 + wh_part;
  return TRUE;

invalid:
  g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_READING,
                       _("Enter the reading in kWh as the meter shows it, like 12345.6 (at most 3 decimals)."));
  return FALSE;

too_large:
  g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_READING,
                       _("This reading is larger than any meter shows (at most 8 digits of kWh). Check it."));
  return FALSE;
}

char *
bd_username_normalize (const char  *input,
                       GError     **error)
{
  g_autofree char *name = NULL;
  gsize len;

  if (is_blank (input))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                           _("Enter a username."));
      return NULL;
    }

  name = g_ascii_strdown (input, -1);
  g_strstrip (name);
  len = strlen (name);

  for (gsize i = 0; i < len; i++)
    if (!g_ascii_islower (name[i]) && !g_ascii_isdigit (name[i]) && strchr ("._-", name[i]) == NULL)
      {
        g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_USERNAME,
                             _("A username may contain only the letters a–z, digits, dots, dashes and underscores."));
        return NULL;
      }

  if (len < 4 || len > 32)
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_USERNAME,
                           _("A username has 4 to 32 characters."));
      return NULL;
    }

  if (!g_ascii_islower (name[0]))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_USERNAME,
                           _("A username must start with a letter."));
      return NULL;
    }

  return g_steal_pointer (&name);
}

/* What every password must be: given, UTF-8, min_chars to 128 characters;
 * too_short is the message for a short one. */
static gboolean
password_length_check (const char  *password,
                       glong        min_chars,
                       const char  *too_short,
                       GError     **error)
{
  glong chars;

  if (password == NULL || *password == '\0')
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                           _("Enter a password."));
      return FALSE;
    }
  if (!g_utf8_validate (password, -1, NULL))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_WEAK_PASSWORD,
                           _("The password contains characters that cannot be used."));
      return FALSE;
    }
  chars = g_utf8_strlen (password, -1);
  if (chars < min_chars)
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_WEAK_PASSWORD, too_short);
      return FALSE;
    }
  if (chars > 128)
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_WEAK_PASSWORD,
                           _("A password can have at most 128 characters."));
      return FALSE;
    }
  return TRUE;
}

gboolean
bd_app_password_check (const char  *password,
                       GError     **error)
{
  gboolean has_letter = FALSE;
  gboolean has_digit = FALSE;

  if (!password_length_check (password, 8, _("A password needs at least 8 characters."), error))
    return FALSE;

  for (const char *p = password; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isdigit (c))
        has_digit = TRUE;
      else if (g_unichar_isalpha (c))
        has_letter = TRUE;
    }

  if (!has_letter)
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_WEAK_PASSWORD,
                           _("A password needs at least one letter."));
      return FALSE;
    }
  if (!has_digit)
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_WEAK_PASSWORD,
                           _("A password needs at least one digit."));
      return FALSE;
    }

  return TRUE;
}

/* Guessed first by anyone who tries: the utility's own words and the
 * passwords every breach list starts with. Compared case-folded, with the
 * digits and punctuation around them removed. */
static const char *const common_staff_passwords[] = {
  "password", "passw0rd", "qwerty", "qwertyuiop", "asdfghjkl", "letmein", "welcome",
  "admin", "administrator", "bijli", "bijlidesk", "uppcl", "discom", "lucknow",
  "iloveyou", "india", "bharat", "changeme", "secret", "abcdef", "abcdefgh",
};

gboolean
bd_staff_password_check (const char  *password,
                         const char  *username,
                         GError     **error)
{
  g_autofree char *folded = NULL;
  g_autofree char *too_short = g_strdup_printf (_("A staff password needs at least %d characters."),
                                                BD_STAFF_PASSWORD_MIN_CHARS);
  g_autoptr(GString) letters = NULL;
  gunichar first;
  gboolean all_same = TRUE;

  /* Length, not a mix of character classes, is what makes a password
   * hard to guess (ASVS 2.1.1 and 2.1.9). */
  if (!password_length_check (password, BD_STAFF_PASSWORD_MIN_CHARS, too_short, error))
    return FALSE;

  first = g_utf8_get_char (password);
  for (const char *p = password; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || c == 0x7f)
        {
          g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_WEAK_PASSWORD,
                               _("The password contains characters that cannot be used."));
          return FALSE;
        }
      if (c != first)
        all_same = FALSE;
    }
  if (all_same)
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_WEAK_PASSWORD,
                           _("A password cannot be one character repeated."));
      return FALSE;
    }

  folded = g_utf8_casefold (password, -1);
  if (username != NULL && strlen (username) >= 3)
    {
      g_autofree char *folded_user = g_utf8_casefold (username, -1);

      if (strstr (folded, folded_user) != NULL)
        {
          g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_WEAK_PASSWORD,
                               _("A password cannot contain the user name."));
          return FALSE;
        }
    }

  letters = g_string_new (NULL);
  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_isalpha (g_utf8_get_char (p)))
      g_string_append_unichar (letters, g_utf8_get_char (p));
  for (guint i = 0; i < G_N_ELEMENTS (common_staff_passwords); i++)
    if (letters->len == 0 || g_str_equal (letters->str, common_staff_passwords[i]))
      {
        g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_WEAK_PASSWORD,
                             _("This password is among the first that anyone would guess. Choose another."));
        return FALSE;
      }

  return TRUE;
}

char *
bd_display_name_normalize (const char  *input,
                           GError     **error)
{
  g_autofree char *name = NULL;

  if (is_blank (input))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                           _("Enter the person’s full name."));
      return NULL;
    }
  if (!g_utf8_validate (input, -1, NULL))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_TEXT,
                           _("The name contains characters that cannot be used."));
      return NULL;
    }

  name = g_utf8_normalize (input, -1, G_NORMALIZE_NFC);
  g_strstrip (name);
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029)
        {
          g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_TEXT,
                               _("The name must be one line of text."));
          return NULL;
        }
    }
  if (g_utf8_strlen (name, -1) > 80)
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_TEXT,
                           _("A name can have at most 80 characters."));
      return NULL;
    }

  return g_steal_pointer (&name);
}

static gboolean
is_word_char (gunichar c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_LOWERCASE_LETTER:
    case G_UNICODE_UPPERCASE_LETTER:
    case G_UNICODE_TITLECASE_LETTER:
    case G_UNICODE_MODIFIER_LETTER:
    case G_UNICODE_OTHER_LETTER:
    case G_UNICODE_DECIMAL_NUMBER:
    /* Devanagari vowel signs and viramas are marks; they belong to the word. */
    case G_UNICODE_NON_SPACING_MARK:
    case G_UNICODE_SPACING_MARK:
    case G_UNICODE_ENCLOSING_MARK:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Splits into case-folded NFC words of letters, digits and marks; every
 * other character (quotes, %, _, *, emoji, punctuation) separates words. */
static GStrv
split_words (const char *normalized)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GString) word = g_string_new (NULL);
  guint n_words = 0;
  glong word_chars = 0;

  for (const char *p = normalized; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c != 0 && is_word_char (c))
        {
          if (word_chars < MAX_WORD_CHARS)
            {
              g_string_append_unichar (word, c);
              word_chars++;
            }
          continue;
        }

      if (word->len > 0 && n_words < MAX_QUERY_WORDS)
        {
          g_autofree char *folded = g_utf8_casefold (word->str, word->len);
          g_autofree char *nfc = g_utf8_normalize (folded, -1, G_NORMALIZE_NFC);
          g_strv_builder_add (builder, nfc != NULL ? nfc : folded);
          n_words++;
        }
      g_string_truncate (word, 0);
      word_chars = 0;

      if (c == 0)
        break;
    }

  return g_strv_builder_end (builder);
}

static BdQueryKind
classify_digits (const char *text,
                 char      **identifier)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  g_autoptr(GString) mobile = g_string_new (NULL);
  gboolean had_plus = (strchr (text, '+') != NULL);

  if (!collect_digits (text, digits, TRUE) || digits->len == 0)
    return BD_QUERY_KIND_NONE;

  if (had_plus || digits->len == 11)
    {
      if (mobile_digits (text, mobile))
        {
          *identifier = g_strdup (mobile->str);
          return BD_QUERY_KIND_MOBILE;
        }
      return BD_QUERY_KIND_NONE;
    }

  if (digits->len == 10)
    {
      *identifier = g_strdup (digits->str);
      if (digits->str[0] >= '6' && digits->str[0] <= '9')
        return BD_QUERY_KIND_ACCOUNT_OR_MOBILE;
      return BD_QUERY_KIND_ACCOUNT;
    }

  if (digits->len == 12)
    {
      *identifier = g_strdup (digits->str);
      return BD_QUERY_KIND_ACCOUNT;
    }

  return BD_QUERY_KIND_NONE;
}

BdSearchQuery *
bd_search_query_parse (const char *text)
{
  g_autoptr(BdSearchQuery) query = g_new0 (BdSearchQuery, 1);
  g_autofree char *valid = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *stripped = NULL;

  query->kind = BD_QUERY_KIND_NONE;

  if (text == NULL)
    text = "";

  valid = g_utf8_make_valid (text, strnlen (text, MAX_QUERY_BYTES));
  normalized = g_utf8_normalize (valid, -1, G_NORMALIZE_NFKC);
  if (normalized == NULL)
    normalized = g_strdup ("");

  query->words = split_words (normalized);
  stripped = g_strstrip (g_strdup (normalized));

  query->kind = classify_digits (stripped, &query->identifier);
  if (query->kind != BD_QUERY_KIND_NONE)
    return g_steal_pointer (&query);

  if (looks_like_meter_serial (stripped))
    {
      query->kind = BD_QUERY_KIND_METER_SERIAL;
      query->identifier = g_ascii_strup (stripped, -1);
      return g_steal_pointer (&query);
    }

  if (query->words[0] != NULL)
    query->kind = BD_QUERY_KIND_NAME;

  return g_steal_pointer (&query);
}

void
bd_search_query_free (BdSearchQuery *query)
{
  if (query == NULL)
    return;
  g_free (query->identifier);
  g_strfreev (query->words);
  g_free (query);
}
