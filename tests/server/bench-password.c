/* bench-password.c: what a staff sign-in costs in PBKDF2 at the default
 * iteration count. Not a test: `meson test --benchmark bench-password`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "server/bd-password.h"

static gint
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (void)
{
  const guint rounds = 15;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GBytes) salt = NULL;
  g_autoptr(GBytes) hash = NULL;
  double full;

  bd_password_hash ("bijli-supervisor", BD_PASSWORD_DEFAULT_ITERATIONS, &salt, &hash);
  for (guint i = 0; i < rounds; i++)
    {
      gint64 start = g_get_monotonic_time ();
      double ms;

      bd_password_verify ("bijli-supervisor", salt, BD_PASSWORD_DEFAULT_ITERATIONS, hash);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (times, ms);
    }
  g_array_sort (times, compare_doubles);
  full = g_array_index (times, double, rounds / 2);

  g_print ("PBKDF2-HMAC-SHA256 (nettle), median of %u verifies:\n", rounds);
  g_print ("  %u iterations: %.1f ms\n", BD_PASSWORD_DEFAULT_ITERATIONS, full);
  g_print ("  per iteration: %.3f us; sign-ins per second per core: %.1f\n",
           full * 1000.0 / BD_PASSWORD_DEFAULT_ITERATIONS, 1000.0 / full);
  return 0;
}
