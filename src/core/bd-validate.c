/* bd-validate.c: identifiers a caller gives at the counter or on the phone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

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
