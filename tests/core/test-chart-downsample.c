/* test-chart-downsample.c: one min/max per pixel column keeps exactly the
 * least and greatest value of each column, checked against brute force on
 * random data (fixed seed), with missing values, zoomed-in ranges, fewer
 * values than columns and no values at all.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "core/bd-chart-downsample.h"

/* Every column against every value, with the rule the header states:
 * value i's bucket [i, i + 1) touches column c when its span in columns
 * [x0, x1) has c < x1 and c + 1 > x0. */
static void
brute_force (const double  *values,
             guint          n,
             double         first,
             double         last,
             guint          n_columns,
             BdChartColumn *out)
{
  double scale = n_columns / (last - first);

  for (guint c = 0; c < n_columns; c++)
    {
      out[c] = (BdChartColumn) { 0.0, 0.0, FALSE };
      for (guint i = 0; i < n; i++)
        {
          double x0 = ((double) i - first) * scale;
          double x1 = ((double) i + 1.0 - first) * scale;

          if (isnan (values[i]) || !((double) c < x1 && (double) c + 1.0 > x0))
            continue;
          if (!out[c].present)
            {
              out[c].min = out[c].max = values[i];
              out[c].present = TRUE;
            }
          else
            {
              out[c].min = MIN (out[c].min, values[i]);
              out[c].max = MAX (out[c].max, values[i]);
            }
        }
    }
}

static double *
random_values (GRand  *rand,
               guint   n,
               double  missing_fraction)
{
  double *values = g_new (double, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    values[i] = g_rand_double (rand) < missing_fraction ? NAN : g_rand_double_range (rand, -0.5, 4.0);
  return values;
}

static void
assert_same_columns (const BdChartColumn *got,
                     const BdChartColumn *want,
                     guint                n_columns)
{
  for (guint c = 0; c < n_columns; c++)
    {
      if (got[c].present != want[c].present)
        g_error ("column %u: present %d, brute force says %d", c, got[c].present, want[c].present);
      if (!want[c].present)
        continue;
      /* Exactly: the columns hold values taken from the input, not sums. */
      g_assert_cmpfloat (got[c].min, ==, want[c].min);
      g_assert_cmpfloat (got[c].max, ==, want[c].max);
    }
}

static void
check_against_brute_force (GRand  *rand,
                           guint   n,
                           double  first,
                           double  last,
                           guint   n_columns,
                           double  missing_fraction)
{
  g_autofree double *values = random_values (rand, n, missing_fraction);
  g_autofree BdChartColumn *got = g_new (BdChartColumn, n_columns);
  g_autofree BdChartColumn *want = g_new (BdChartColumn, n_columns);
  guint present = 0;

  bd_chart_downsample (values, n, first, last, n_columns, got);
  brute_force (values, n, first, last, n_columns, want);
  assert_same_columns (got, want, n_columns);

  for (guint c = 0; c < n_columns; c++)
    present += got[c].present;
  /* Guard against a vacuous pass: the data must have reached the columns
   * (all of them but the gaps', when the view lies inside the data). */
  g_assert_cmpuint (present, >, 0);
  if (first >= 0 && last <= n && missing_fraction < 0.5)
    g_assert_cmpuint (present, >, n_columns / 2);
}

static void
test_random_full_view (void)
{
  static const struct { guint n; guint columns; } cases[] = {
    { 1, 1 }, { 1, 17 }, { 5, 12 }, { 7, 100 },         /* fewer values than columns */
    { 100, 100 }, { 1200, 1200 },                         /* one value per column */
    { 101, 100 }, { 1000, 37 }, { 2976, 800 },           /* more values than columns */
    { 35040, 1200 }, { 35040, 1920 }, { 35040, 1 },       /* a year of quarter hours */
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261124);

  for (gsize k = 0; k < G_N_ELEMENTS (cases); k++)
    check_against_brute_force (rand, cases[k].n, 0, cases[k].n, cases[k].columns, 0.03);
}

static void
test_random_zoomed (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (424242);

  /* Fractional views inside the data, at random, in both regimes. */
  for (int round = 0; round < 40; round++)
    {
      guint n = g_rand_int_range (rand, 2, 5000);
      double first = g_rand_double_range (rand, 0, n - 1);
      double last = g_rand_double_range (rand, first + 0.01, n);
      guint n_columns = g_rand_int_range (rand, 1, 700);

      check_against_brute_force (rand, n, first, last, n_columns, 0.1);
    }
  /* Views that reach past either end of the data. */
  check_against_brute_force (rand, 500, -100.5, 250.25, 333, 0.05);
  check_against_brute_force (rand, 500, 400.75, 612.0, 90, 0.05);
}

static void
test_fewer_values_than_columns (void)
{
  const double values[] = { 1.0, 2.0, 3.0, 4.0 };
  BdChartColumn columns[12];

  /* Four buckets across twelve columns: each a bar three columns wide. */
  bd_chart_downsample (values, 4, 0, 4, 12, columns);
  for (guint c = 0; c < 12; c++)
    {
      g_assert_true (columns[c].present);
      g_assert_cmpfloat (columns[c].min, ==, values[c / 3]);
      g_assert_cmpfloat (columns[c].max, ==, values[c / 3]);
    }

  /* Off the grid, 4/3 of a column a bucket: a column that a bucket
   * boundary runs through holds both buckets. */
  bd_chart_downsample (values, 4, 0.5, 3.5, 4, columns);
  g_assert_cmpfloat (columns[0].min, ==, 1.0);
  g_assert_cmpfloat (columns[0].max, ==, 2.0);
  g_assert_cmpfloat (columns[1].min, ==, 2.0);
  g_assert_cmpfloat (columns[1].max, ==, 2.0);
  g_assert_cmpfloat (columns[2].min, ==, 3.0);
  g_assert_cmpfloat (columns[2].max, ==, 3.0);
  g_assert_cmpfloat (columns[3].min, ==, 3.0);
  g_assert_cmpfloat (columns[3].max, ==, 4.0);
}

static void
test_missing_skipped (void)
{
  const double values[] = { 5.0, NAN, -1.0, NAN, 2.0, 9.0, NAN, 7.0 };
  BdChartColumn columns[2];

  /* Four values to a column; NAN is neither the min nor the max. */
  bd_chart_downsample (values, G_N_ELEMENTS (values), 0, 8, 2, columns);
  g_assert_true (columns[0].present);
  g_assert_cmpfloat (columns[0].min, ==, -1.0);
  g_assert_cmpfloat (columns[0].max, ==, 5.0);
  g_assert_true (columns[1].present);
  g_assert_cmpfloat (columns[1].min, ==, 2.0);
  g_assert_cmpfloat (columns[1].max, ==, 9.0);
  g_assert_false (isnan (columns[0].min) || isnan (columns[1].max));
}

static void
test_all_missing_column_absent (void)
{
  double values[32];
  BdChartColumn columns[4];

  /* Eight values to a column; the meter was silent for the second eight. */
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    values[i] = i >= 8 && i < 16 ? NAN : (double) i;
  bd_chart_downsample (values, G_N_ELEMENTS (values), 0, 32, 4, columns);
  g_assert_true (columns[0].present);
  g_assert_cmpfloat (columns[0].max, ==, 7.0);
  g_assert_false (columns[1].present);
  g_assert_true (columns[2].present);
  g_assert_cmpfloat (columns[2].min, ==, 16.0);
  g_assert_cmpfloat (columns[2].max, ==, 23.0);
  g_assert_true (columns[3].present);

  /* Nothing but gaps: no column at all. */
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    values[i] = NAN;
  bd_chart_downsample (values, G_N_ELEMENTS (values), 0, 32, 4, columns);
  for (guint c = 0; c < 4; c++)
    g_assert_false (columns[c].present);
}

static void
test_zoomed_in (void)
{
  double values[100];
  BdChartColumn columns[20];

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    values[i] = (double) i;

  /* [10.25, 20.25) over 20 columns: half a bucket a column. Column 0
   * covers [10.25, 10.75), only bucket 10; column 1 covers [10.75, 11.25),
   * buckets 10 and 11. */
  bd_chart_downsample (values, G_N_ELEMENTS (values), 10.25, 20.25, 20, columns);
  g_assert_cmpfloat (columns[0].min, ==, 10.0);
  g_assert_cmpfloat (columns[0].max, ==, 10.0);
  g_assert_cmpfloat (columns[1].min, ==, 10.0);
  g_assert_cmpfloat (columns[1].max, ==, 11.0);
  g_assert_cmpfloat (columns[19].min, ==, 19.0);
  g_assert_cmpfloat (columns[19].max, ==, 20.0);
  for (guint c = 0; c < 20; c++)
    {
      g_assert_true (columns[c].present);
      g_assert_cmpfloat (columns[c].min, >=, 10.0);
      g_assert_cmpfloat (columns[c].max, <=, 20.0);
    }

  /* Past the end: the columns beyond the data are absent. */
  bd_chart_downsample (values, G_N_ELEMENTS (values), 90, 110, 20, columns);
  g_assert_true (columns[9].present);
  g_assert_cmpfloat (columns[9].max, ==, 99.0);
  for (guint c = 10; c < 20; c++)
    g_assert_false (columns[c].present);
}

static void
test_empty (void)
{
  const double one[] = { 3.0 };
  BdChartColumn columns[8];

  /* No values. */
  bd_chart_downsample (NULL, 0, 0, 1, 8, columns);
  for (guint c = 0; c < 8; c++)
    g_assert_false (columns[c].present);
  /* No columns: nothing written, nothing read. */
  bd_chart_downsample (one, 1, 0, 1, 0, NULL);
  /* An empty or reversed or undefined range. */
  bd_chart_downsample (one, 1, 0.5, 0.5, 8, columns);
  for (guint c = 0; c < 8; c++)
    g_assert_false (columns[c].present);
  bd_chart_downsample (one, 1, 1, 0, 8, columns);
  for (guint c = 0; c < 8; c++)
    g_assert_false (columns[c].present);
  bd_chart_downsample (one, 1, NAN, 1, 8, columns);
  for (guint c = 0; c < 8; c++)
    g_assert_false (columns[c].present);
  /* A range wholly outside the data. */
  bd_chart_downsample (one, 1, 5, 9, 8, columns);
  for (guint c = 0; c < 8; c++)
    g_assert_false (columns[c].present);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/chart-downsample/random/full-view", test_random_full_view);
  g_test_add_func ("/chart-downsample/random/zoomed", test_random_zoomed);
  g_test_add_func ("/chart-downsample/fewer-values-than-columns", test_fewer_values_than_columns);
  g_test_add_func ("/chart-downsample/missing-skipped", test_missing_skipped);
  g_test_add_func ("/chart-downsample/all-missing-column-absent", test_all_missing_column_absent);
  g_test_add_func ("/chart-downsample/zoomed-in", test_zoomed_in);
  g_test_add_func ("/chart-downsample/empty", test_empty);
  return g_test_run ();
}
