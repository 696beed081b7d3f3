/* bench-chart.c: how long the consumption chart takes to draw a year of
 * 15-minute readings (35,040 buckets), against the obvious way (one
 * antialiased line_to per reading) measured in the same run on the same
 * machine. Draws exactly what the widget draws (bd_usage_render: grid,
 * Indian-format axes, per-column min/max, last month's outline, legend)
 * into cairo image surfaces of typical sizes, the whole year and while
 * zooming in. No display needed.
 *
 *   meson test -C build --benchmark --suite bench bench-chart -v
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdio.h>

#include "core/bd-load-profile.h"
#include "core/bd-time.h"
#include "bd-usage-render.h"

#define FRAMES 40

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
report (const char *what,
        double     *ms,
        guint       n,
        double      baseline_median)
{
  double median, p95;

  qsort (ms, n, sizeof *ms, compare_doubles);
  median = ms[n / 2];
  p95 = ms[MIN (n - 1, (guint) ceil (n * 0.95) - 1)];
  if (baseline_median > 0)
    printf ("%-52s median %8.2f ms  p95 %8.2f ms  (%.0f× faster than line_to)\n",
            what, median, p95, baseline_median / median);
  else
    printf ("%-52s median %8.2f ms  p95 %8.2f ms\n", what, median, p95);
}

static BdReadingSeries *
year_of_readings (gint64 start)
{
  BdLoadProfile profile;
  BdReadingSeries *series = bd_reading_series_new ("2100000001", BD_READING_STEP_15MIN, start, 35040);

  bd_load_profile_init (&profile, 1912, "2100000001", "LMV-1", 4000);
  for (guint i = 0; i < 35040; i++)
    {
      gint64 wh = bd_load_profile_slot_wh (&profile, start + (gint64) i * 900);
      bd_reading_series_set (series, i, wh, wh * 6 / 10);
    }
  return series;
}

/* The obvious way: every reading a vertex of one antialiased path. */
static double
draw_naive (cairo_surface_t *surface,
            BdReadingSeries *series)
{
  cairo_t *cr = cairo_create (surface);
  const double *kwh = bd_reading_series_peek_kwh (series);
  guint n = bd_reading_series_get_n_buckets (series);
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  gint64 t0 = g_get_monotonic_time ();

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_line_width (cr, 1);
  cairo_set_source_rgb (cr, 0.2, 0.5, 0.9);
  for (guint i = 0; i < n; i++)
    {
      double x = (double) i / n * width, y = height - kwh[i] / 2.0 * height;
      if (i == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
  cairo_stroke (cr);
  cairo_surface_flush (surface);
  cairo_destroy (cr);
  return (g_get_monotonic_time () - t0) / 1000.0;
}

static double
draw_chart (cairo_surface_t *surface,
            BdReadingSeries *series,
            BdReadingSeries *comparison,
            double           first,
            double           last)
{
  cairo_t *cr = cairo_create (surface);
  BdUsageView view = {
    .series = series, .comparison = comparison, .unit = BD_CHART_UNIT_KWH, .first = first, .last = last,
    .width = cairo_image_surface_get_width (surface), .height = cairo_image_surface_get_height (surface),
    .fg = { 0.1, 0.1, 0.1, 1 }, .accent = { 0.2, 0.5, 0.9, 1 },
  };
  gint64 t0 = g_get_monotonic_time ();

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  bd_usage_render (cr, &view);
  cairo_surface_flush (surface);
  cairo_destroy (cr);
  return (g_get_monotonic_time () - t0) / 1000.0;
}

int
main (int    argc,
      char **argv)
{
  static const int sizes[][2] = { { 1200, 400 }, { 1920, 500 }, { 800, 280 } };
  gint64 start = bd_reading_step_floor (BD_READING_STEP_DAY, g_get_real_time () / G_USEC_PER_SEC - 365 * 86400);
  g_autoptr(BdReadingSeries) series = year_of_readings (start);
  g_autoptr(BdReadingSeries) previous = year_of_readings (start - 30 * 86400);
  double ms[FRAMES];

  printf ("Consumption chart: 35,040 quarter-hour buckets (a year), %d frames each\n", FRAMES);
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, sizes[s][0], sizes[s][1]);
      g_autofree char *label = NULL;
      double naive_median;

      /* Warm the font and glyph caches as a running desk has them. */
      draw_chart (surface, series, previous, 0, 35040);
      for (guint i = 0; i < FRAMES / 4; i++)
        ms[i] = draw_naive (surface, series);
      qsort (ms, FRAMES / 4, sizeof *ms, compare_doubles);
      naive_median = ms[FRAMES / 8];
      label = g_strdup_printf ("%dx%d line_to per reading (baseline)", sizes[s][0], sizes[s][1]);
      report (label, ms, FRAMES / 4, 0);

      for (guint i = 0; i < FRAMES; i++)
        ms[i] = draw_chart (surface, series, previous, 0, 35040);
      g_free (label);
      label = g_strdup_printf ("%dx%d chart, whole year, with last month", sizes[s][0], sizes[s][1]);
      report (label, ms, FRAMES, naive_median);

      /* Zooming: 20 steps from the year to a day, about the middle. */
      for (guint i = 0; i < FRAMES; i++)
        {
          double span = 35040.0 / pow (1.35, i % 20);
          double centre = 35040.0 * 0.6;
          ms[i] = draw_chart (surface, series, previous, MAX (0, centre - span / 2), MIN (35040, centre + span / 2));
        }
      g_free (label);
      label = g_strdup_printf ("%dx%d chart while zooming (year to a day)", sizes[s][0], sizes[s][1]);
      report (label, ms, FRAMES, naive_median);
      cairo_surface_destroy (surface);
    }
  return 0;
}
