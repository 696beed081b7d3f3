/* test-series-columns.c: a long series reduced to one min/max per pixel
 * column keeps exactly the least and greatest value of each column,
 * checked against brute force on random data.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "core/bd-series-columns.h"

/* The slow, obvious answer: every value against every column. */
static void
brute_force (const double   *values,
             guint           n,
             double          first,
             double          last,
             guint           columns,
             BdSeriesColumn *out)
{
  double width = (last - first) / columns;

  for (guint c = 0; c < columns; c++)
    {
      double lo = first + c * width, hi = first + (c + 1) * width;

      out[c].present = FALSE;
      out[c].min = out[c].max = 0;
      for (guint i = 0; i < n; i++)
        {
          /* Value i covers [i, i + 1); it is in the column if they overlap. */
          if (isnan (values[i]) || !(i < hi && i + 1 > lo))
            continue;
          if (!out[c].present)
            {
              out[c].min = out[c].max = values[i];
              out[c].present = TRUE;
            }
          out[c].min = MIN (out[c].min, values[i]);
          out[c].max = MAX (out[c].max, values[i]);
        }
    }
}

static void
check (guint   n,
       double  first,
       double  last,
       guint   columns,
       double  missing_share,
       guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree double *values = g_new (double, MAX (n, 1));
  g_autofree BdSeriesColumn *fast = g_new (BdSeriesColumn, columns);
  g_autofree BdSeriesColumn *slow = g_new (BdSeriesColumn, columns);

  for (guint i = 0; i < n; i++)
    values[i] = g_rand_double (rand) < missing_share ? NAN : g_rand_double_range (rand, 0, 3.5);
  bd_series_columns_compute (values, n, first, last, columns, fast);
  brute_force (values, n, first, last, columns, slow);
  for (guint c = 0; c < columns; c++)
    {
      if (fast[c].present != slow[c].present)
        g_error ("n=%u [%g, %g) %u columns: column %u present %d, expected %d",
                 n, first, last, columns, c, fast[c].present, slow[c].present);
      if (fast[c].present)
        {
          g_assert_cmpfloat (fast[c].min, ==, slow[c].min);
          g_assert_cmpfloat (fast[c].max, ==, slow[c].max);
        }
    }
}

static void
test_against_brute_force (void)
{
  /* More values than columns, equal, fewer (bars several pixels wide). */
  check (2000, 0, 2000, 300, 0.0, 1);
  check (600, 0, 600, 600, 0.0, 2);
  check (60, 0, 60, 700, 0.0, 3);
  check (7, 0, 7, 1200, 0.0, 4);
  /* Zoomed in to a fractional window, with gaps. */
  check (3000, 123.4, 456.7, 250, 0.1, 5);
  check (96, 10.25, 30.75, 333, 0.3, 6);
}

static void
test_year_of_quarter_hours (void)
{
  /* A year of 15-minute readings into 1,200 columns: each covers 29.2
   * values and keeps its spike. */
  check (35040, 0, 35040, 1200, 0.02, 7);
}

static void
test_missing (void)
{
  double values[] = { NAN, NAN, 1.0, NAN, 5.0, NAN };
  BdSeriesColumn columns[6];

  bd_series_columns_compute (values, G_N_ELEMENTS (values), 0, 6, 6, columns);
  g_assert_false (columns[0].present);
  g_assert_false (columns[1].present);
  g_assert_true (columns[2].present);
  g_assert_cmpfloat (columns[2].min, ==, 1.0);
  g_assert_false (columns[3].present);
  g_assert_cmpfloat (columns[4].max, ==, 5.0);
  /* Two columns of three values: the gap inside one does not hide it. */
  bd_series_columns_compute (values, G_N_ELEMENTS (values), 0, 6, 2, columns);
  g_assert_true (columns[0].present);
  g_assert_cmpfloat (columns[0].min, ==, 1.0);
  g_assert_cmpfloat (columns[1].max, ==, 5.0);
}

static void
test_empty (void)
{
  BdSeriesColumn columns[4];

  bd_series_columns_compute (NULL, 0, 0, 1, 4, columns);
  for (guint c = 0; c < 4; c++)
    g_assert_false (columns[c].present);
  /* A window past the end shows nothing, and reads nothing past it. */
  {
    double values[] = { 1, 2, 3 };
    bd_series_columns_compute (values, 3, 5, 9, 4, columns);
    for (guint c = 0; c < 4; c++)
      g_assert_false (columns[c].present);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/series-columns/against-brute-force", test_against_brute_force);
  g_test_add_func ("/series-columns/year-of-quarter-hours", test_year_of_quarter_hours);
  g_test_add_func ("/series-columns/missing", test_missing);
  g_test_add_func ("/series-columns/empty", test_empty);

  return g_test_run ();
}
