/* test-validate.c: account, mobile and meter validation; query parsing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "core/bd-validate.h"

static void
test_account_normalize (void)
{
  static const struct { const char *input; const char *expected; } valid[] = {
    { "1234567890", "1234567890" },
    { " 12345 67890 ", "1234567890" },
    { "1234-567-890", "1234567890" },
    { "123456789012", "123456789012" },
  };
  static const char *invalid[] = {
    "123456789", "12345678901", "1234567890123", "12345abcde", "+911234567890", "१२३४५६७८९०",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = bd_account_normalize (valid[i].input, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (out, ==, valid[i].expected);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = bd_account_normalize (invalid[i], &error);

      g_assert_null (out);
      g_assert_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_ACCOUNT);
      g_assert_nonnull (error->message);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autofree char *out = bd_account_normalize ("   ", &error);

    g_assert_null (out);
    g_assert_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY);
  }
}

static void
test_mobile_normalize (void)
{
  static const struct { const char *input; const char *expected; } valid[] = {
    { "9876543210", "9876543210" },
    { "+91 98765 43210", "9876543210" },
    { "+919876543210", "9876543210" },
    { "919876543210", "9876543210" },
    { "09876543210", "9876543210" },
    { "6000000000", "6000000000" },
  };
  static const char *invalid[] = {
    "5876543210", "987654321", "98765432101", "+92 9876543210", "98765x3210", "0 5876543210", "+",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = bd_mobile_normalize (valid[i].input, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (out, ==, valid[i].expected);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = bd_mobile_normalize (invalid[i], &error);

      g_assert_null (out);
      g_assert_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_MOBILE);
    }
}

static void
test_mobile_mask (void)
{
  g_autofree char *masked = bd_mobile_mask ("9876543210");
  g_autofree char *short_masked = bd_mobile_mask ("123");

  g_assert_cmpstr (masked, ==, "98XXXXXX10");
  g_assert_cmpstr (short_masked, ==, "XXX");
  g_assert_null (bd_mobile_mask (NULL));
  g_assert_null (bd_mobile_mask (""));
}

static void
test_meter_serial (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *serial = bd_meter_serial_normalize (" gns1234567 ", &error);
  g_autofree char *bad = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (serial, ==, "GNS1234567");

  bad = bd_meter_serial_normalize ("GNS-12", &error);
  g_assert_null (bad);
  g_assert_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_METER_SERIAL);
}

static void
test_query_kinds (void)
{
  static const struct {
    const char *text;
    BdQueryKind kind;
    const char *identifier;
  } cases[] = {
    { "1234567890", BD_QUERY_KIND_ACCOUNT, "1234567890" },
    { "1234 567 890", BD_QUERY_KIND_ACCOUNT, "1234567890" },
    { "123456789012", BD_QUERY_KIND_ACCOUNT, "123456789012" },
    { "9876543210", BD_QUERY_KIND_ACCOUNT_OR_MOBILE, "9876543210" },
    { "+91 98765 43210", BD_QUERY_KIND_MOBILE, "9876543210" },
    { "09876543210", BD_QUERY_KIND_MOBILE, "9876543210" },
    { "gns1234567", BD_QUERY_KIND_METER_SERIAL, "GNS1234567" },
    { "Srivastava", BD_QUERY_KIND_NAME, NULL },
    { "श्रीवास्तव", BD_QUERY_KIND_NAME, NULL },
    { "", BD_QUERY_KIND_NONE, NULL },
    { "  %%__  ", BD_QUERY_KIND_NONE, NULL },
    { "\"*()", BD_QUERY_KIND_NONE, NULL },
    { "12345", BD_QUERY_KIND_NAME, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BdSearchQuery) query = bd_search_query_parse (cases[i].text);

      g_test_message ("query %s", cases[i].text);
      g_assert_cmpint (query->kind, ==, cases[i].kind);
      g_assert_cmpstr (query->identifier, ==, cases[i].identifier);
      g_assert_nonnull (query->words);
    }
}

static void
test_query_words (void)
{
  g_autoptr(BdSearchQuery) latin = bd_search_query_parse ("  RAMESH   kumar%' OR 1=1 --");
  g_autoptr(BdSearchQuery) hindi = bd_search_query_parse ("रमेश  श्रीवास्तव");
  g_autoptr(BdSearchQuery) odd = bd_search_query_parse ("\xff\xfe bad 😀 \"quote\" NEAR(x)");
  g_autoptr(BdSearchQuery) null_query = bd_search_query_parse (NULL);
  g_autofree char *huge_text = g_strnfill (100000, 'a');
  g_autoptr(BdSearchQuery) huge = bd_search_query_parse (huge_text);
  const char *expected_latin[] = { "ramesh", "kumar", "or", "1", "1", NULL };

  g_assert_cmpint (latin->kind, ==, BD_QUERY_KIND_NAME);
  g_assert_true (g_strv_equal ((const char * const *) latin->words, expected_latin));

  g_assert_cmpint (hindi->kind, ==, BD_QUERY_KIND_NAME);
  g_assert_cmpuint (g_strv_length (hindi->words), ==, 2);
  /* Matras and the virama stay inside the word. */
  g_assert_cmpstr (hindi->words[1], ==, "श्रीवास्तव");

  g_assert_cmpint (odd->kind, ==, BD_QUERY_KIND_NAME);
  for (guint i = 0; odd->words[i] != NULL; i++)
    {
      g_assert_true (g_utf8_validate (odd->words[i], -1, NULL));
      g_assert_null (strpbrk (odd->words[i], "\"()*%_"));
    }

  g_assert_cmpint (null_query->kind, ==, BD_QUERY_KIND_NONE);
  g_assert_cmpuint (g_strv_length (huge->words), ==, 1);
  g_assert_cmpint (g_utf8_strlen (huge->words[0], -1), <=, 64);
}

/* ---- identity documents and indexing fields ------------------------------ */

typedef char *(*Normalizer) (const char *input, GError **error);

typedef struct {
  const char *input;
  const char *expected;
} ValidCase;

typedef struct {
  const char *input;
  int         code;
  const char *message_part;   /* the message must say this (NULL: any) */
} InvalidCase;

static void
check_normalizer (Normalizer         normalize,
                  const ValidCase   *valid,
                  gsize              n_valid,
                  const InvalidCase *invalid,
                  gsize              n_invalid)
{
  for (gsize i = 0; i < n_valid; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = normalize (valid[i].input, &error);

      g_test_message ("valid: %s", valid[i].input);
      g_assert_no_error (error);
      g_assert_cmpstr (out, ==, valid[i].expected);
    }

  for (gsize i = 0; i < n_invalid; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = normalize (invalid[i].input, &error);

      g_test_message ("invalid: %s", invalid[i].input ? invalid[i].input : "(null)");
      g_assert_null (out);
      g_assert_error (error, BD_VALIDATION_ERROR, invalid[i].code);
      if (invalid[i].message_part != NULL)
        g_assert_nonnull (strstr (error->message, invalid[i].message_part));
    }
}

/* Verhoeff vectors, computed by hand with the d (multiplication) and
 * p (permutation) tables, the rightmost digit at position i = 0 and
 * c ← d[c][p[i mod 8][digit]]; valid when c ends at 0:
 *
 *   "2363" (the textbook example: 236 has check digit 3)
 *     i=0 digit 3: p[0][3]=3, c = d[0][3] = 3
 *     i=1 digit 6: p[1][6]=3, c = d[3][3] = 1
 *     i=2 digit 3: p[2][3]=3, c = d[1][3] = 4
 *     i=3 digit 2: p[3][2]=1, c = d[4][1] = 0   → valid
 *   "2364": i=0 p[0][4]=4, c=4; i=1 p[1][6]=3, c=d[4][3]=2;
 *     i=2 p[2][3]=3, c=d[2][3]=0; i=3 p[3][2]=1, c=d[0][1]=1 → invalid
 *
 * The 12-digit numbers below were checked the same way with an independent
 * implementation (Python, same tables): 234123412346, 499182736455 and
 * 738291046580 end at c = 0; changing one digit (234123412347,
 * 234123402346) or swapping two neighbours (243123412346, 234123412364)
 * does not. */
static void
test_verhoeff (void)
{
  g_assert_true (bd_verhoeff_check ("2363"));
  g_assert_false (bd_verhoeff_check ("2364"));
  g_assert_false (bd_verhoeff_check ("2336"));        /* transposition */
  g_assert_true (bd_verhoeff_check ("234123412346"));
  g_assert_true (bd_verhoeff_check ("499182736455"));
  g_assert_true (bd_verhoeff_check ("738291046580"));
  g_assert_false (bd_verhoeff_check ("234123412347")); /* last digit wrong */
  g_assert_false (bd_verhoeff_check ("234123402346")); /* a middle digit wrong */
  g_assert_false (bd_verhoeff_check ("243123412346")); /* neighbours swapped */
  g_assert_false (bd_verhoeff_check ("234123412364")); /* check digit swapped */
  g_assert_false (bd_verhoeff_check ("23412341234a"));
  g_assert_false (bd_verhoeff_check ("7"));
  g_assert_false (bd_verhoeff_check (""));
  g_assert_false (bd_verhoeff_check (NULL));

  /* Every single-digit error in a valid number is caught. */
  {
    char digits[] = "499182736455";

    for (gsize pos = 0; pos < 12; pos++)
      for (char d = '0'; d <= '9'; d++)
        {
          char saved = digits[pos];

          if (d == saved)
            continue;
          digits[pos] = d;
          g_assert_false (bd_verhoeff_check (digits));
          digits[pos] = saved;
        }
    g_assert_true (bd_verhoeff_check (digits));
  }
}

static void
test_aadhaar (void)
{
  static const ValidCase valid[] = {
    { "234123412346", "234123412346" },
    { "2341 2341 2346", "234123412346" },
    { " 4991-8273-6455 ", "499182736455" },
    { "738291046580", "738291046580" },
  };
  static const InvalidCase invalid[] = {
    { "", BD_VALIDATION_ERROR_EMPTY, NULL },
    { NULL, BD_VALIDATION_ERROR_EMPTY, NULL },
    { "23412341234", BD_VALIDATION_ERROR_INVALID_AADHAAR, "12 digits" },
    { "2341234123467", BD_VALIDATION_ERROR_INVALID_AADHAAR, "12 digits" },
    { "2341234I2346", BD_VALIDATION_ERROR_INVALID_AADHAAR, "12 digits" },
    { "234123412347", BD_VALIDATION_ERROR_INVALID_AADHAAR, "digit is wrong" },
    { "243123412346", BD_VALIDATION_ERROR_INVALID_AADHAAR, "swapped" },
    /* Verhoeff-valid, but UIDAI never issues numbers starting with 0 or 1. */
    { "123412341234", BD_VALIDATION_ERROR_INVALID_AADHAAR, "0 or 1" },
    { "034123412341", BD_VALIDATION_ERROR_INVALID_AADHAAR, "0 or 1" },
  };

  /* The two numbers starting with 0 and 1 above have valid check digits:
   * it is the leading digit alone that rejects them. */
  g_assert_true (bd_verhoeff_check ("123412341234"));
  g_assert_true (bd_verhoeff_check ("034123412341"));

  check_normalizer (bd_aadhaar_normalize, valid, G_N_ELEMENTS (valid), invalid, G_N_ELEMENTS (invalid));
}

static void
test_aadhaar_mask (void)
{
  g_autofree char *from_full = bd_aadhaar_mask ("234123412346");
  g_autofree char *from_last4 = bd_aadhaar_mask ("2346");
  g_autofree char *too_short = bd_aadhaar_mask ("346");

  g_assert_cmpstr (from_full, ==, "XXXX-XXXX-2346");
  g_assert_cmpstr (from_last4, ==, "XXXX-XXXX-2346");
  g_assert_null (too_short);
  g_assert_null (bd_aadhaar_mask (NULL));
}

static void
test_pan (void)
{
  static const ValidCase valid[] = {
    { "ABCPE1234F", "ABCPE1234F" },
    { "abcpe1234f", "ABCPE1234F" },
    { " AAACB 1234 C ", "AAACB1234C" },  /* company */
    { "AAAGT1234Z", "AAAGT1234Z" },      /* government */
  };
  static const InvalidCase invalid[] = {
    { " ", BD_VALIDATION_ERROR_EMPTY, NULL },
    { "ABCPE1234", BD_VALIDATION_ERROR_INVALID_PAN, "10 characters" },
    { "ABCP11234F", BD_VALIDATION_ERROR_INVALID_PAN, "10 characters" },
    { "ABCPE12345", BD_VALIDATION_ERROR_INVALID_PAN, "10 characters" },
    { "ABC-E1234F", BD_VALIDATION_ERROR_INVALID_PAN, "10 characters" },
    { "ABCXE1234F", BD_VALIDATION_ERROR_INVALID_PAN, "4th letter" },   /* X is no holder type */
    { "ABCDE1234F", BD_VALIDATION_ERROR_INVALID_PAN, "4th letter" },
  };

  check_normalizer (bd_pan_normalize, valid, G_N_ELEMENTS (valid), invalid, G_N_ELEMENTS (invalid));
}

static void
test_voter_id (void)
{
  static const ValidCase valid[] = {
    { "ABC1234567", "ABC1234567" },
    { "abc 1234567", "ABC1234567" },
    { "UPX/1234567", "UPX1234567" },
  };
  static const InvalidCase invalid[] = {
    { "", BD_VALIDATION_ERROR_EMPTY, NULL },
    { "AB12345678", BD_VALIDATION_ERROR_INVALID_VOTER_ID, "3 letters" },
    { "ABC123456", BD_VALIDATION_ERROR_INVALID_VOTER_ID, "3 letters" },
    { "ABC12345678", BD_VALIDATION_ERROR_INVALID_VOTER_ID, "3 letters" },
    { "ABC12#4567", BD_VALIDATION_ERROR_INVALID_VOTER_ID, "3 letters" },
  };

  check_normalizer (bd_voter_id_normalize, valid, G_N_ELEMENTS (valid), invalid, G_N_ELEMENTS (invalid));
}

static void
test_driving_licence (void)
{
  static const ValidCase valid[] = {
    { "UP3220190012345", "UP3220190012345" },
    { "up32 2019 0012345", "UP3220190012345" },
    { "DL-04-1999-1234567", "DL0419991234567" },
  };
  static const InvalidCase invalid[] = {
    { "", BD_VALIDATION_ERROR_EMPTY, NULL },
    { "UP322019001234", BD_VALIDATION_ERROR_INVALID_DRIVING_LICENCE, "15 characters" },
    { "U13220190012345", BD_VALIDATION_ERROR_INVALID_DRIVING_LICENCE, "15 characters" },
    { "XX3220190012345", BD_VALIDATION_ERROR_INVALID_DRIVING_LICENCE, "XX" },
    { "UP3218990012345", BD_VALIDATION_ERROR_INVALID_DRIVING_LICENCE, "1950" },
    { "UP3299990012345", BD_VALIDATION_ERROR_INVALID_DRIVING_LICENCE, "1950" },
  };

  check_normalizer (bd_driving_licence_normalize, valid, G_N_ELEMENTS (valid), invalid, G_N_ELEMENTS (invalid));
}

static void
test_email (void)
{
  static const ValidCase valid[] = {
    { "ram.kumar@example.in", "ram.kumar@example.in" },
    { "  Ram.Kumar+bill@Mail.Example.CO.IN ", "Ram.Kumar+bill@mail.example.co.in" },
    { "a@b.in", "a@b.in" },
  };
  static const InvalidCase invalid[] = {
    { "", BD_VALIDATION_ERROR_EMPTY, NULL },
    { "ram.kumar", BD_VALIDATION_ERROR_INVALID_EMAIL, "name@example.in" },
    { "ram@@example.in", BD_VALIDATION_ERROR_INVALID_EMAIL, NULL },
    { "ram@example", BD_VALIDATION_ERROR_INVALID_EMAIL, NULL },
    { "ram kumar@example.in", BD_VALIDATION_ERROR_INVALID_EMAIL, NULL },
    { ".ram@example.in", BD_VALIDATION_ERROR_INVALID_EMAIL, NULL },
    { "ram..k@example.in", BD_VALIDATION_ERROR_INVALID_EMAIL, NULL },
    { "ram@-example.in", BD_VALIDATION_ERROR_INVALID_EMAIL, NULL },
    { "ram@example.i", BD_VALIDATION_ERROR_INVALID_EMAIL, NULL },
    { "ram@example.12", BD_VALIDATION_ERROR_INVALID_EMAIL, NULL },
  };

  check_normalizer (bd_email_normalize, valid, G_N_ELEMENTS (valid), invalid, G_N_ELEMENTS (invalid));
}

static void
test_phone (void)
{
  static const ValidCase valid[] = {
    { "9876543210", "9876543210" },
    { "+91 98765 43210", "9876543210" },
    { "0522 2345678", "05222345678" },
    { "0522-2345678", "05222345678" },
    { "+91 522 2345678", "05222345678" },
    { "011 23456789", "01123456789" },
  };
  static const InvalidCase invalid[] = {
    { "", BD_VALIDATION_ERROR_EMPTY, NULL },
    { "5876543210", BD_VALIDATION_ERROR_INVALID_PHONE, "STD code" },
    { "2345678", BD_VALIDATION_ERROR_INVALID_PHONE, "STD code" },
    { "00522234567", BD_VALIDATION_ERROR_INVALID_PHONE, NULL },
    { "0522 23456789", BD_VALIDATION_ERROR_INVALID_PHONE, NULL },
    { "98765x3210", BD_VALIDATION_ERROR_INVALID_PHONE, NULL },
  };

  check_normalizer (bd_phone_normalize, valid, G_N_ELEMENTS (valid), invalid, G_N_ELEMENTS (invalid));
}

static void
test_seal_number (void)
{
  static const ValidCase valid[] = {
    { "UP-123456", "UP-123456" },
    { " sl0042 ", "SL0042" },
    { "12345678901234567890", "12345678901234567890" },
  };
  static const InvalidCase invalid[] = {
    { "", BD_VALIDATION_ERROR_EMPTY, NULL },
    { "A12", BD_VALIDATION_ERROR_INVALID_SEAL_NUMBER, "4 to 20" },
    { "123456789012345678901", BD_VALIDATION_ERROR_INVALID_SEAL_NUMBER, "4 to 20" },
    { "-1234", BD_VALIDATION_ERROR_INVALID_SEAL_NUMBER, NULL },
    { "12 34", BD_VALIDATION_ERROR_INVALID_SEAL_NUMBER, NULL },
    { "1234#", BD_VALIDATION_ERROR_INVALID_SEAL_NUMBER, NULL },
  };

  check_normalizer (bd_seal_number_normalize, valid, G_N_ELEMENTS (valid), invalid, G_N_ELEMENTS (invalid));
}

static void
test_username (void)
{
  static const ValidCase valid[] = {
    { "ramkumar", "ramkumar" },
    { " Ram.Kumar_82 ", "ram.kumar_82" },
    { "r-k1", "r-k1" },
  };
  static const InvalidCase invalid[] = {
    { "", BD_VALIDATION_ERROR_EMPTY, NULL },
    { "ram", BD_VALIDATION_ERROR_INVALID_USERNAME, "4 to 32" },
    { "abcdefghijabcdefghijabcdefghijabc", BD_VALIDATION_ERROR_INVALID_USERNAME, "4 to 32" },
    { "1ram", BD_VALIDATION_ERROR_INVALID_USERNAME, "start with a letter" },
    { ".ram", BD_VALIDATION_ERROR_INVALID_USERNAME, "start with a letter" },
    { "ram kumar", BD_VALIDATION_ERROR_INVALID_USERNAME, "only" },
    { "राम1234", BD_VALIDATION_ERROR_INVALID_USERNAME, "only" },
  };

  check_normalizer (bd_username_normalize, valid, G_N_ELEMENTS (valid), invalid, G_N_ELEMENTS (invalid));
}

static void
test_app_password (void)
{
  static const InvalidCase invalid[] = {
    { "", BD_VALIDATION_ERROR_EMPTY, NULL },
    { "abc123", BD_VALIDATION_ERROR_WEAK_PASSWORD, "8 characters" },
    { "abcdefghij", BD_VALIDATION_ERROR_WEAK_PASSWORD, "digit" },
    { "1234567890", BD_VALIDATION_ERROR_WEAK_PASSWORD, "letter" },
    { "\xff\xfe" "abcdef12", BD_VALIDATION_ERROR_WEAK_PASSWORD, NULL },
  };
  g_autofree char *too_long = g_strnfill (129, 'a');
  g_autoptr(GError) long_error = NULL;

  g_assert_true (bd_app_password_check ("bijli2024", NULL));
  g_assert_true (bd_app_password_check ("बिजली डेस्क 1", NULL));  /* Devanagari letters count */

  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (bd_app_password_check (invalid[i].input, &error));
      g_assert_error (error, BD_VALIDATION_ERROR, invalid[i].code);
      if (invalid[i].message_part != NULL)
        g_assert_nonnull (strstr (error->message, invalid[i].message_part));
    }

  too_long[0] = '1';
  g_assert_false (bd_app_password_check (too_long, &long_error));
  g_assert_error (long_error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_WEAK_PASSWORD);
}

static void
test_gps (void)
{
  static const struct { const char *input; gint64 lat, lon; } valid[] = {
    { "26.8467, 80.9462", 26846700, 80946200 },
    { "26.8467,80.9462", 26846700, 80946200 },
    { "  26.846712   80.946298 ", 26846712, 80946298 },
    { "26.84671250, 80.9462", 26846713, 80946200 },   /* rounded at the 7th decimal */
    { "26.8467°, 80.9462°", 26846700, 80946200 },
    { "8.5, 76.95", 8500000, 76950000 },
  };
  static const InvalidCase invalid[] = {
    { "", BD_VALIDATION_ERROR_EMPTY, NULL },
    { "26.8467", BD_VALIDATION_ERROR_INVALID_GPS, "latitude, longitude" },
    { "26.8467, 80.9462, 3", BD_VALIDATION_ERROR_INVALID_GPS, "latitude, longitude" },
    { "north, east", BD_VALIDATION_ERROR_INVALID_GPS, "latitude, longitude" },
    { "26.8.467, 80.9462", BD_VALIDATION_ERROR_INVALID_GPS, "latitude, longitude" },
    { "80.9462, 26.8467", BD_VALIDATION_ERROR_INVALID_GPS, "outside India" },  /* swapped */
    { "51.5074, -0.1278", BD_VALIDATION_ERROR_INVALID_GPS, "outside India" },   /* London */
    { "-26.8467, 80.9462", BD_VALIDATION_ERROR_INVALID_GPS, "outside India" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 lat = 0, lon = 0;

      g_test_message ("valid: %s", valid[i].input);
      g_assert_true (bd_gps_parse (valid[i].input, &lat, &lon, &error));
      g_assert_no_error (error);
      g_assert_cmpint (lat, ==, valid[i].lat);
      g_assert_cmpint (lon, ==, valid[i].lon);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 lat = -1, lon = -1;

      g_test_message ("invalid: %s", invalid[i].input);
      g_assert_false (bd_gps_parse (invalid[i].input, &lat, &lon, &error));
      g_assert_error (error, BD_VALIDATION_ERROR, invalid[i].code);
      if (invalid[i].message_part != NULL)
        g_assert_nonnull (strstr (error->message, invalid[i].message_part));
      g_assert_cmpint (lat, ==, -1);
    }
}

static void
test_date (void)
{
  static const struct { const char *input; int d, m, y; } valid[] = {
    { "15-03-2024", 15, 3, 2024 },
    { "2024-03-15", 15, 3, 2024 },
    { "15/03/2024", 15, 3, 2024 },
    { " 29.02.2024 ", 29, 2, 2024 },
    { "01-01-1950", 1, 1, 1950 },
  };
  static const InvalidCase invalid[] = {
    { "", BD_VALIDATION_ERROR_EMPTY, NULL },
    { "15-3-2024", BD_VALIDATION_ERROR_INVALID_DATE, "DD-MM-YYYY" },
    { "2024/03/15", BD_VALIDATION_ERROR_INVALID_DATE, "DD-MM-YYYY" },
    { "15-03-24", BD_VALIDATION_ERROR_INVALID_DATE, "DD-MM-YYYY" },
    { "yesterday", BD_VALIDATION_ERROR_INVALID_DATE, "DD-MM-YYYY" },
    { "29-02-2023", BD_VALIDATION_ERROR_INVALID_DATE, "no such date" },
    { "31-04-2024", BD_VALIDATION_ERROR_INVALID_DATE, "no such date" },
    { "15-13-2024", BD_VALIDATION_ERROR_INVALID_DATE, "no such date" },
    { "31-12-1949", BD_VALIDATION_ERROR_INVALID_DATE, "1950" },
    { "01-01-9999", BD_VALIDATION_ERROR_DATE_IN_FUTURE, "future" },
  };
  g_autoptr(GTimeZone) ist = g_time_zone_new_offset (5 * 3600 + 1800);
  g_autoptr(GDateTime) now = g_date_time_new_now (ist);
  g_autoptr(GDateTime) tomorrow = g_date_time_add_days (now, 1);
  g_autofree char *today_text = g_date_time_format (now, "%d-%m-%Y");
  g_autofree char *tomorrow_text = g_date_time_format (tomorrow, "%Y-%m-%d");

  for (gsize i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;
      GDate date;

      g_test_message ("valid: %s", valid[i].input);
      g_assert_true (bd_date_parse (valid[i].input, &date, &error));
      g_assert_no_error (error);
      g_assert_cmpint (g_date_get_day (&date), ==, valid[i].d);
      g_assert_cmpint (g_date_get_month (&date), ==, valid[i].m);
      g_assert_cmpint (g_date_get_year (&date), ==, valid[i].y);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      GDate date;

      g_test_message ("invalid: %s", invalid[i].input);
      g_assert_false (bd_date_parse (invalid[i].input, &date, &error));
      g_assert_error (error, BD_VALIDATION_ERROR, invalid[i].code);
      if (invalid[i].message_part != NULL)
        g_assert_nonnull (strstr (error->message, invalid[i].message_part));
    }

  /* Today in India is fine; tomorrow in India is the future, whatever the
   * machine's own time zone. */
  {
    g_autoptr(GError) error = NULL;
    GDate date;

    g_assert_true (bd_date_parse (today_text, &date, &error));
    g_assert_no_error (error);
    g_assert_false (bd_date_parse (tomorrow_text, &date, &error));
    g_assert_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_DATE_IN_FUTURE);
  }
}

static void
test_reading (void)
{
  static const struct { const char *input; gint64 wh; } valid[] = {
    { "12345.6", 12345600 },
    { "12345", 12345000 },
    { "0.001", 1 },
    { "0", 0 },
    { "1,23,456.789", 123456789 },
    { " 12345.6 kWh ", 12345600 },
    { "99999999.999", G_GINT64_CONSTANT (99999999999) },
    { ".5", 500 },
  };
  static const InvalidCase invalid[] = {
    { "", BD_VALIDATION_ERROR_EMPTY, NULL },
    { "12345.6789", BD_VALIDATION_ERROR_INVALID_READING, "3 decimals" },
    { "-5", BD_VALIDATION_ERROR_INVALID_READING, "kWh" },
    { "12a45", BD_VALIDATION_ERROR_INVALID_READING, "kWh" },
    { ",123", BD_VALIDATION_ERROR_INVALID_READING, "kWh" },
    { ".", BD_VALIDATION_ERROR_INVALID_READING, "kWh" },
    { "1e5", BD_VALIDATION_ERROR_INVALID_READING, "kWh" },
    { "100000000", BD_VALIDATION_ERROR_INVALID_READING, "8 digits" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 wh = -1;

      g_test_message ("valid: %s", valid[i].input);
      g_assert_true (bd_reading_parse (valid[i].input, &wh, &error));
      g_assert_no_error (error);
      g_assert_cmpint (wh, ==, valid[i].wh);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 wh = -1;

      g_test_message ("invalid: %s", invalid[i].input);
      g_assert_false (bd_reading_parse (invalid[i].input, &wh, &error));
      g_assert_error (error, BD_VALIDATION_ERROR, invalid[i].code);
      if (invalid[i].message_part != NULL)
        g_assert_nonnull (strstr (error->message, invalid[i].message_part));
      g_assert_cmpint (wh, ==, -1);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/validate/account", test_account_normalize);
  g_test_add_func ("/validate/mobile", test_mobile_normalize);
  g_test_add_func ("/validate/mobile-mask", test_mobile_mask);
  g_test_add_func ("/validate/meter-serial", test_meter_serial);
  g_test_add_func ("/validate/verhoeff", test_verhoeff);
  g_test_add_func ("/validate/aadhaar", test_aadhaar);
  g_test_add_func ("/validate/aadhaar-mask", test_aadhaar_mask);
  g_test_add_func ("/validate/pan", test_pan);
  g_test_add_func ("/validate/voter-id", test_voter_id);
  g_test_add_func ("/validate/driving-licence", test_driving_licence);
  g_test_add_func ("/validate/email", test_email);
  g_test_add_func ("/validate/phone", test_phone);
  g_test_add_func ("/validate/seal-number", test_seal_number);
  g_test_add_func ("/validate/username", test_username);
  g_test_add_func ("/validate/app-password", test_app_password);
  g_test_add_func ("/validate/gps", test_gps);
  g_test_add_func ("/validate/date", test_date);
  g_test_add_func ("/validate/reading", test_reading);
  g_test_add_func ("/query/kinds", test_query_kinds);
  g_test_add_func ("/query/words", test_query_words);
  return g_test_run ();
}
