/* test-chart.c: the consumption chart under Xvfb — zoom and pan stay
 * inside the data, the accessible description sums what is on show, the
 * tooltip names the bucket in IST, the empty state — and what the
 * Balance & Usage tab prints and shows: the receipt (credited, and not
 * yet), the UPI QR code, and the outlook in words.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "core/bd-recharge.h"
#include "core/bd-time.h"
#include "bd-prepaid-panel.h"
#include "bd-recharge-format.h"
#include "bd-usage-chart.h"

static void
spin (guint ms)
{
  for (guint i = 0; i < ms; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gint64
at (const char *iso)
{
  gint64 t = 0;
  g_assert_true (bd_time_from_iso8601 (iso, &t));
  return t;
}

/* Two weeks of quarter hours from a Monday, a day missing in the middle. */
static BdReadingSeries *
two_weeks (void)
{
  BdReadingSeries *series = bd_reading_series_new ("1000000001", BD_READING_STEP_15MIN,
                                                   at ("2026-11-09T00:00:00+05:30"), 14 * 96);

  for (guint i = 0; i < 14 * 96; i++)
    if (i / 96 != 6)
      bd_reading_series_set (series, i, 100 + (i % 96) * 5, 55 + (i % 96) * 3);
  return series;
}

static void
test_zoom_and_pan (void)
{
  g_autoptr(BdReadingSeries) series = two_weeks ();
  GtkWidget *window = gtk_window_new ();
  BdUsageChart *chart = BD_USAGE_CHART (bd_usage_chart_new ());
  double first, last, n = 14 * 96;

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 320);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (chart));
  bd_usage_chart_set_series (chart, series);
  gtk_window_present (GTK_WINDOW (window));
  spin (100);

  bd_usage_chart_get_visible_range (chart, &first, &last);
  g_assert_cmpfloat (first, ==, 0);
  g_assert_cmpfloat (last, ==, n);

  /* + zooms in about the middle; the view stays inside the data. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart), "chart.zoom-in", NULL));
  bd_usage_chart_get_visible_range (chart, &first, &last);
  g_assert_cmpfloat (fabs ((last - first) - n / 1.5), <, 1e-6);
  g_assert_cmpfloat (first, >, 0);
  g_assert_cmpfloat (last, <, n);
  /* Left pans earlier by a quarter of the view, and stops at the start. */
  {
    double before = first;
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart), "chart.pan-left", NULL));
    bd_usage_chart_get_visible_range (chart, &first, &last);
    g_assert_cmpfloat (first, <, before);
  }
  for (int i = 0; i < 20; i++)
    gtk_widget_activate_action (GTK_WIDGET (chart), "chart.pan-left", NULL);
  bd_usage_chart_get_visible_range (chart, &first, &last);
  g_assert_cmpfloat (first, ==, 0);
  /* Zooming far in stops at a few buckets; zooming out at everything. */
  for (int i = 0; i < 40; i++)
    gtk_widget_activate_action (GTK_WIDGET (chart), "chart.zoom-in", NULL);
  bd_usage_chart_get_visible_range (chart, &first, &last);
  g_assert_cmpfloat (last - first, >=, 4.0 - 1e-9);
  for (int i = 0; i < 40; i++)
    gtk_widget_activate_action (GTK_WIDGET (chart), "chart.zoom-out", NULL);
  bd_usage_chart_get_visible_range (chart, &first, &last);
  g_assert_cmpfloat (last - first, ==, n);
  /* Home (reset) after a zoom and a pan to the right. */
  bd_usage_chart_zoom (chart, 3.0, 0.9);
  gtk_widget_activate_action (GTK_WIDGET (chart), "chart.pan-right", NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chart), "chart.reset", NULL));
  bd_usage_chart_get_visible_range (chart, &first, &last);
  g_assert_cmpfloat (first, ==, 0);
  g_assert_cmpfloat (last, ==, n);
  spin (50);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_tooltip_and_units (void)
{
  g_autoptr(BdReadingSeries) series = two_weeks ();
  BdUsageChart *chart = BD_USAGE_CHART (g_object_ref_sink (bd_usage_chart_new ()));
  g_autofree char *first = NULL;
  g_autofree char *gap = NULL;

  bd_usage_chart_set_series (chart, series);
  /* Bucket 73 is 18:15–18:30 IST on the first day: 465 Wh, 274 paise. */
  first = bd_usage_chart_describe_bucket (chart, 73);
  g_assert_cmpstr (first, ==, "09-11-2026 18:15 IST–18:30 · 0.47 kWh · ₹2.74");
  gap = bd_usage_chart_describe_bucket (chart, 6 * 96 + 10);
  g_assert_nonnull (strstr (gap, "No reading"));
  g_assert_null (bd_usage_chart_describe_bucket (chart, 14 * 96));

  g_assert_cmpint (bd_usage_chart_get_unit (chart), ==, BD_CHART_UNIT_KWH);
  bd_usage_chart_set_unit (chart, BD_CHART_UNIT_RUPEES);
  g_assert_cmpint (bd_usage_chart_get_unit (chart), ==, BD_CHART_UNIT_RUPEES);
  g_object_unref (chart);
}

/* Counts pixels of roughly the accent colour inside the plot. */
static guint
accent_pixels (cairo_surface_t *surface)
{
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  const guint8 *data;
  guint count = 0;

  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guint8 *p = data + y * stride + x * 4;   /* B G R A */
        if (p[3] > 200 && p[0] > 200 && p[1] < 120 && p[2] < 80)
          count++;
      }
  return count;
}

static void
render (BdReadingSeries *series,
        BdReadingSeries *comparison,
        cairo_surface_t *surface)
{
  cairo_t *cr = cairo_create (surface);
  BdUsageView view = {
    .series = series, .comparison = comparison, .unit = BD_CHART_UNIT_KWH,
    .first = 0, .last = series != NULL ? bd_reading_series_get_n_buckets (series) : 1,
    .width = cairo_image_surface_get_width (surface), .height = cairo_image_surface_get_height (surface),
    .fg = { 0, 0, 0, 1 }, .accent = { 0.0, 0.3, 1.0, 1.0 },
  };

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  bd_usage_render (cr, &view);
  cairo_destroy (cr);
}

static void
test_render (void)
{
  g_autoptr(BdReadingSeries) series = two_weeks ();
  g_autoptr(BdReadingSeries) empty = bd_reading_series_new ("1000000001", BD_READING_STEP_DAY,
                                                            at ("2026-11-01T00:00:00+05:30"), 30);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 800, 300);
  guint drawn;

  render (series, NULL, surface);
  drawn = accent_pixels (surface);
  /* 13 days of readings across ~700 columns: each day's range of values
   * is a solid band in nearly every column. */
  g_assert_cmpuint (drawn, >, 3000);
  /* No readings: the empty state, no series drawn. */
  render (empty, NULL, surface);
  g_assert_cmpuint (accent_pixels (surface), <, 300);   /* the legend swatch at most */
  render (NULL, NULL, surface);
  g_assert_cmpuint (accent_pixels (surface), ==, 0);
  cairo_surface_destroy (surface);
}

static void
test_empty_widget (void)
{
  GtkWidget *window = gtk_window_new ();
  BdUsageChart *chart = BD_USAGE_CHART (bd_usage_chart_new ());
  double first, last;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (chart));
  gtk_window_present (GTK_WINDOW (window));
  spin (50);
  bd_usage_chart_get_visible_range (chart, &first, &last);
  g_assert_cmpfloat (first, ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (chart), "chart.zoom-in", NULL);
  gtk_widget_activate_action (GTK_WIDGET (chart), "chart.pan-right", NULL);
  g_assert_null (bd_usage_chart_describe_bucket (chart, 0));
  /* Dark style: redrawn from the style's colours without complaint. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  spin (50);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_destroy (GTK_WINDOW (window));
}

static BdStoredRecharge *
sample_recharge (gboolean credited)
{
  BdStoredRecharge *stored = g_new0 (BdStoredRecharge, 1);
  BdRecharge *r = bd_recharge_new ("desk-1234", "1000000001");

  r->amount_paise = 50000;
  r->mode = BD_PAYMENT_UPI;
  g_free (r->reference);
  r->reference = g_strdup ("432187650912");
  r->created_at = at ("2026-11-24T06:00:00Z");
  g_free (r->created_by);
  r->created_by = g_strdup ("operator");
  if (credited)
    {
      r->receipt = g_strdup ("RC-LKO-C-261124-000042");
      r->credited_at = at ("2026-11-24T06:00:05Z");
      r->balance_after_paise = 123456;
      r->reconnected = TRUE;
    }
  stored->recharge = r;
  stored->outbox_seq = 7;
  stored->outbox_state = credited ? BD_OUTBOX_STATE_DONE : BD_OUTBOX_STATE_QUEUED;
  return stored;
}

static char *
pdf_text (const char *pdf)
{
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  g_autoptr(GError) error = NULL;
  char *text = NULL;
  int status = 0;
  const char *argv[] = { pdftotext, pdf, "-", NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &text, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return text;
}

static void
test_receipt (void)
{
  g_autoptr(BdStoredRecharge) credited = sample_recharge (TRUE);
  g_autoptr(BdStoredRecharge) pending = sample_recharge (FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bd-receipt-XXXXXX", &error);
  g_autofree char *pdf = g_build_filename (dir, "receipt.pdf", NULL);
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  g_autofree char *text = NULL;
  g_autofree char *pending_text = NULL;

  g_assert_cmpstr (bd_stored_recharge_state_label (credited), ==, "Credited");
  g_assert_cmpstr (bd_stored_recharge_state_label (pending), ==, "Pending — will be sent when online");
  pending->outbox_state = BD_OUTBOX_STATE_REJECTED;
  g_assert_cmpstr (bd_stored_recharge_state_label (pending), ==, "Refused by the server — not credited");
  pending->outbox_state = BD_OUTBOX_STATE_QUEUED;
  if (pdftotext == NULL)
    {
      g_test_skip ("pdftotext (poppler-utils) is not installed");
      return;
    }

  g_assert_true (bd_recharge_save_receipt (credited, "Sita Devi", pdf, &error));
  g_assert_no_error (error);
  text = pdf_text (pdf);
  g_assert_nonnull (strstr (text, "Prepaid recharge receipt"));
  g_assert_nonnull (strstr (text, "RC-LKO-C-261124-000042"));
  g_assert_nonnull (strstr (text, "₹500.00 by UPI (UTR 432187650912)"));
  g_assert_nonnull (strstr (text, "₹1,234.56"));
  g_assert_nonnull (strstr (text, "reconnected"));
  g_assert_null (strstr (text, "NOT YET CREDITED"));

  /* Not credited: says so, and is no receipt. */
  g_assert_true (bd_recharge_save_receipt (pending, "Sita Devi", pdf, &error));
  pending_text = pdf_text (pdf);
  g_assert_nonnull (strstr (pending_text, "NOT YET CREDITED"));
  g_assert_null (strstr (pending_text, "Receipt number"));
  g_unlink (pdf);
  g_rmdir (dir);
}

static void
test_qr_code (void)
{
  g_autofree char *uri = bd_upi_payment_uri ("uppcl.lko@sbi", "UPPCL", 50000, NULL, "Electricity recharge 1000000001");
  g_autoptr(GdkTexture) texture = bd_qr_texture_new (uri, 4);
  g_autofree guint8 *pixels = NULL;
  int size;

  g_assert_nonnull (texture);
  size = gdk_texture_get_width (texture);
  g_assert_cmpint (size, ==, gdk_texture_get_height (texture));
  /* At least version 3 (29 modules) plus the 4-module quiet zone each side. */
  g_assert_cmpint (size, >=, (29 + 8) * 4);
  g_assert_cmpint (size % 4, ==, 0);
  pixels = g_malloc (size * size * 4);
  gdk_texture_download (texture, pixels, size * 4);
  /* The quiet zone is white; the finder pattern's corner is black. */
  g_assert_cmpuint (pixels[0], ==, 0xff);
  g_assert_cmpuint (pixels[(4 * 4 * size + 4 * 4) * 4 + 1], ==, 0x00);
}

static void
test_outlook_words (void)
{
  g_autoptr(BdBalance) balance = bd_balance_new ("1000000001");
  g_autofree char *emergency = NULL;
  g_autofree char *cut = NULL;
  g_autofree char *held = NULL;
  g_autofree char *days = NULL;

  balance->meter_type = BD_METER_TYPE_SMART;
  balance->balance_paise = 20000;
  balance->daily_average_paise = 4000;
  balance->days_left = 5;
  days = bd_balance_days_text (balance);
  g_assert_cmpstr (days, ==, "About 5 days of credit at ₹40.00 a day");
  g_assert_null (bd_balance_outlook_text (balance));

  balance->balance_paise = -500;
  balance->cut_state = BD_CUT_STATE_EMERGENCY_CREDIT;
  balance->emergency_until = at ("2026-11-26T10:00:00+05:30");
  balance->cut_earliest_at = at ("2026-11-26T10:00:00+05:30");
  emergency = bd_balance_outlook_text (balance);
  g_assert_cmpstr (emergency, ==, "On emergency credit until 26-11-2026 10:00 IST. "
                                  "Without a recharge the supply may be cut from 26-11-2026 10:00 IST.");
  balance->cut_state = BD_CUT_STATE_WAITING_NO_CUT;
  balance->held_by = BD_NO_CUT_SUNDAY;
  balance->cut_earliest_at = at ("2026-11-30T08:00:00+05:30");
  held = bd_balance_outlook_text (balance);
  g_assert_nonnull (strstr (held, "no cuts on Sundays"));
  g_assert_nonnull (strstr (held, "30-11-2026 08:00 IST"));
  balance->supply = BD_SUPPLY_DISCONNECTED;
  balance->reconnect_minimum_paise = 250;
  cut = bd_balance_outlook_text (balance);
  g_assert_cmpstr (cut, ==, "Supply cut for want of credit. A recharge of at least ₹2.50 reconnects it.");
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/chart/zoom-and-pan", test_zoom_and_pan);
  g_test_add_func ("/chart/tooltip-and-units", test_tooltip_and_units);
  g_test_add_func ("/chart/render", test_render);
  g_test_add_func ("/chart/empty", test_empty_widget);
  g_test_add_func ("/prepaid/receipt", test_receipt);
  g_test_add_func ("/prepaid/qr-code", test_qr_code);
  g_test_add_func ("/prepaid/outlook-words", test_outlook_words);

  return g_test_run ();
}
