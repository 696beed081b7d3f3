/* bd-money.c: Indian digit grouping for counts and rupees.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "bd-money.h"

/* Works on the magnitude as guint64 so that G_MININT64 is formatted too. */
static void
append_grouped (GString *out,
                guint64  magnitude)
{
  char digits[32];
  int len = g_snprintf (digits, sizeof digits, "%" G_GUINT64_FORMAT, magnitude);
  int head;

  if (len <= 3)
    {
      g_string_append (out, digits);
      return;
    }

  /* The last three digits form one group; before them, groups of two. */
  head = len - 3;
  for (int i = 0; i < head; i++)
    {
      g_string_append_c (out, digits[i]);
      if ((head - i - 1) % 2 == 0)
        g_string_append_c (out, ',');
    }
  g_string_append (out, digits + head);
}

static guint64
magnitude_of (gint64 value)
{
  return value < 0 ? (guint64) (-(value + 1)) + 1 : (guint64) value;
}

char *
bd_format_indian_integer (gint64 value)
{
  GString *out = g_string_new (NULL);

  if (value < 0)
    g_string_append_c (out, '-');
  append_grouped (out, magnitude_of (value));
  return g_string_free (out, FALSE);
}

char *
bd_format_paise (gint64 paise)
{
  GString *out = g_string_new (NULL);
  guint64 magnitude = magnitude_of (paise);

  if (paise < 0)
    g_string_append (out, "\u2212");
  g_string_append (out, "\u20b9");
  append_grouped (out, magnitude / 100);
  g_string_append_printf (out, ".%02u", (guint) (magnitude % 100));
  return g_string_free (out, FALSE);
}
