/* test-money.c: Indian digit grouping of counts and rupees.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "core/bd-money.h"

static void
test_indian_integer (void)
{
  static const struct { gint64 value; const char *expected; } cases[] = {
    { 0, "0" },
    { 7, "7" },
    { 999, "999" },
    { 1000, "1,000" },
    { 99999, "99,999" },
    { 100000, "1,00,000" },
    { 1234567, "12,34,567" },
    { 12345678, "1,23,45,678" },
    { 350000000, "35,00,00,000" },
    { -1234567, "-12,34,567" },
    { G_MAXINT64, "92,23,37,20,36,85,47,75,807" },
    { G_MININT64, "-92,23,37,20,36,85,47,75,808" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = bd_format_indian_integer (cases[i].value);
      g_assert_cmpstr (out, ==, cases[i].expected);
    }
}

static void
test_paise (void)
{
  static const struct { gint64 paise; const char *expected; } cases[] = {
    { 0, "₹0.00" },
    { 5, "₹0.05" },
    { 10000, "₹100.00" },
    { 12345678, "₹1,23,456.78" },
    { 1234567800, "₹1,23,45,678.00" },
    { -5000, "−₹50.00" },
    { -1, "−₹0.01" },
    { -12345678, "−₹1,23,456.78" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = bd_format_paise (cases[i].paise);
      g_assert_cmpstr (out, ==, cases[i].expected);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/money/indian-integer", test_indian_integer);
  g_test_add_func ("/money/paise", test_paise);
  return g_test_run ();
}
