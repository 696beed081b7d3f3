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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/validate/account", test_account_normalize);
  g_test_add_func ("/validate/mobile", test_mobile_normalize);
  g_test_add_func ("/validate/mobile-mask", test_mobile_mask);
  g_test_add_func ("/validate/meter-serial", test_meter_serial);
  g_test_add_func ("/query/kinds", test_query_kinds);
  g_test_add_func ("/query/words", test_query_words);
  return g_test_run ();
}
