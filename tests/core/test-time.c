/* test-time.c: UTC on the wire, IST on screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include "core/bd-time.h"

static void
test_iso8601_round_trip (void)
{
  g_autofree char *text = bd_time_to_iso8601 (1795420800);
  gint64 parsed = 0;

  g_assert_cmpstr (text, ==, "2026-11-23T08:00:00Z");
  g_assert_true (bd_time_from_iso8601 (text, &parsed));
  g_assert_cmpint (parsed, ==, 1795420800);

  g_assert_true (bd_time_from_iso8601 ("2026-11-23T13:30:00+05:30", &parsed));
  g_assert_cmpint (parsed, ==, 1795420800);
}

static void
test_iso8601_rejects (void)
{
  static const char *bad[] = {
    "", "yesterday", "2026-11-23", "2026-11-23T08:00:00", "2026-13-40T08:00:00Z",
    "2026-11-23T08:00:00Zjunk",
    /* Before 1970: not written back as it was read (found by fuzz-codec). */
    "0226-11-23T06:30:00Z", "1969-12-31T23:59:59Z", NULL,
  };
  gint64 out = 42;

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (bd_time_from_iso8601 (bad[i], &out));
  g_assert_cmpint (out, ==, 42);
}

static void
test_format_ist (void)
{
  g_autofree char *shown = bd_time_format_ist (1795420800);
  g_autofree char *midnight = bd_time_format_ist (1795372200); /* 2026-11-22T18:30Z */

  g_assert_cmpstr (shown, ==, "23-11-2026 13:30 IST");
  /* 18:30 UTC is already the next day in India. */
  g_assert_cmpstr (midnight, ==, "23-11-2026 00:00 IST");
  g_assert_null (bd_time_format_ist (0));
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/time/iso8601/round-trip", test_iso8601_round_trip);
  g_test_add_func ("/time/iso8601/rejects", test_iso8601_rejects);
  g_test_add_func ("/time/format-ist", test_format_ist);
  return g_test_run ();
}
