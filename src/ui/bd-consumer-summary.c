/* bd-consumer-summary.c: a one-page printed summary of a consumer's record.
 *
 * Drawn with Pango on the print context's cairo surface, so the same code
 * prints to paper and exports to PDF. The page is laid out in points as
 * label/value rows under section headings; long values wrap. Only the
 * masked mobile is printed: paper leaves the counter.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-money.h"
#include "core/bd-time.h"

#include "bd-consumer-format.h"
#include "bd-consumer-summary.h"

#define LABEL_COLUMN_FRACTION 0.32
#define ROW_GAP               3.0
#define SECTION_GAP           12.0

typedef struct {
  BdConsumer *consumer;
  char       *zone_name;
  gint64      printed_at;
} Summary;

typedef struct {
  cairo_t     *cr;
  PangoLayout *layout;
  double       width;
  double       y;
} Pen;

static void
summary_free (Summary *summary)
{
  g_clear_object (&summary->consumer);
  g_free (summary->zone_name);
  g_free (summary);
}

static void
set_font (PangoLayout *layout,
          double       size_pt,
          gboolean     bold)
{
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string ("Sans");

  pango_font_description_set_size (font, (int) (size_pt * PANGO_SCALE));
  pango_font_description_set_weight (font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, font);
}

/* Draws text at (x, pen->y) wrapped to width; returns its height. */
static double
draw_text (Pen        *pen,
           const char *text,
           double      x,
           double      width,
           double      size_pt,
           gboolean    bold)
{
  int height = 0;

  set_font (pen->layout, size_pt, bold);
  pango_layout_set_width (pen->layout, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap (pen->layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_text (pen->layout, text != NULL ? text : "", -1);
  cairo_move_to (pen->cr, x, pen->y);
  pango_cairo_show_layout (pen->cr, pen->layout);
  pango_layout_get_size (pen->layout, NULL, &height);

  return (double) height / PANGO_SCALE;
}

static void
draw_line (Pen        *pen,
           const char *text,
           double      size_pt,
           gboolean    bold)
{
  pen->y += draw_text (pen, text, 0, pen->width, size_pt, bold) + ROW_GAP;
}

static void
draw_rule (Pen *pen)
{
  cairo_save (pen->cr);
  cairo_set_line_width (pen->cr, 0.5);
  cairo_move_to (pen->cr, 0, pen->y);
  cairo_line_to (pen->cr, pen->width, pen->y);
  cairo_stroke (pen->cr);
  cairo_restore (pen->cr);
  pen->y += ROW_GAP * 2;
}

static void
draw_section (Pen        *pen,
              const char *title)
{
  pen->y += SECTION_GAP;
  draw_line (pen, title, 12, TRUE);
}

static void
draw_row (Pen        *pen,
          const char *label,
          const char *value)
{
  double column = pen->width * LABEL_COLUMN_FRACTION;
  double label_height;
  double value_height;

  if (value == NULL || *value == '\0')
    value = _("Not recorded");

  cairo_save (pen->cr);
  cairo_set_source_rgb (pen->cr, 0.35, 0.35, 0.35);
  label_height = draw_text (pen, label, 0, column - 6, 10, FALSE);
  cairo_restore (pen->cr);
  value_height = draw_text (pen, value, column, pen->width - column, 10, FALSE);
  pen->y += MAX (label_height, value_height) + ROW_GAP;
}

static void
on_begin_print_cb (GtkPrintOperation *operation,
                   GtkPrintContext   *context,
                   gpointer           user_data)
{
  gtk_print_operation_set_n_pages (operation, 1);
}

static void
on_draw_page_cb (GtkPrintOperation *operation,
                 GtkPrintContext   *context,
                 int                page_nr,
                 gpointer           user_data)
{
  Summary *summary = user_data;
  BdConsumer *c = summary->consumer;
  g_autoptr(PangoLayout) layout = gtk_print_context_create_pango_layout (context);
  g_autofree char *printed = bd_time_format_ist (summary->printed_at);
  g_autofree char *header = NULL;
  g_autofree char *account = NULL;
  g_autofree char *balance = bd_format_paise (bd_consumer_get_balance_paise (c));
  g_autofree char *balance_line = NULL;
  g_autofree char *balance_note = bd_consumer_format_balance_note (c);
  g_autofree char *relation = bd_consumer_format_relation (c);
  g_autofree char *masked = bd_consumer_dup_masked_mobile (c);
  g_autofree char *mobile = NULL;
  g_autofree char *load = bd_format_load (bd_consumer_get_sanctioned_load_w (c));
  g_autofree char *comm = bd_consumer_format_meter_comm (c, summary->printed_at);
  g_autofree char *last_reading = bd_consumer_format_last_reading (c);
  const char *other_name = NULL;
  const char *name = bd_consumer_get_names (c, &other_name);
  const char *zone = bd_consumer_get_zone (c);
  Pen pen = { 0 };

  pen.cr = gtk_print_context_get_cairo_context (context);
  pen.layout = layout;
  pen.width = gtk_print_context_get_width (context);
  cairo_set_source_rgb (pen.cr, 0, 0, 0);

  if (summary->zone_name != NULL && *summary->zone_name != '\0' && zone != NULL && *zone != '\0')
    /* Translators: the printed page's header: zone name and code, then when
     * it was printed, e.g. "Lucknow Central (LKO-C) · Printed 23-11-2026 15:45 IST". */
    header = g_strdup_printf (_("%s (%s) · Printed %s"), summary->zone_name, zone, printed);
  else
    /* Translators: the printed page's header: zone, then when it was printed. */
    header = g_strdup_printf (_("Zone %s · Printed %s"), zone != NULL ? zone : "", printed);

  draw_line (&pen, _("Bijli Desk — consumer summary"), 16, TRUE);
  draw_line (&pen, header, 9, FALSE);
  draw_rule (&pen);

  draw_line (&pen, name, 14, TRUE);
  if (other_name != NULL)
    draw_line (&pen, other_name, 13, FALSE);
  /* Translators: %s is a 10- or 12-digit account number. */
  account = g_strdup_printf (_("Account %s"), bd_consumer_get_account (c));
  draw_line (&pen, account, 11, TRUE);

  draw_section (&pen, _("Prepaid balance"));
  /* Translators: the printed balance and its state, e.g. "−₹123.45 (Emergency credit)". */
  balance_line = g_strdup_printf (_("%s (%s)"), balance,
                                  bd_balance_state_label (bd_consumer_balance_state (c)));
  draw_line (&pen, balance_line, 14, TRUE);
  draw_line (&pen, balance_note, 9, FALSE);

  if (masked != NULL)
    /* Translators: a masked mobile number, then whether it is verified. */
    mobile = g_strdup_printf (_("%s (%s)"), masked,
                              bd_consumer_get_mobile_verified (c) ? _("Verified") : _("Not verified"));

  draw_section (&pen, _("Identity"));
  draw_row (&pen, _("Father or husband"), relation);
  draw_row (&pen, _("Address"), bd_consumer_get_address (c));
  draw_row (&pen, _("Registered mobile"), mobile != NULL ? mobile : _("No mobile on record"));

  draw_section (&pen, _("Connection"));
  draw_row (&pen, _("Category"), bd_consumer_get_category (c));
  draw_row (&pen, _("Sanctioned load"), load);
  draw_row (&pen, _("Supply phase"), bd_phase_label (bd_consumer_get_phase (c)));
  draw_row (&pen, _("Supply status"), bd_supply_status_label (bd_consumer_get_supply_status (c)));
  draw_row (&pen, _("Area"), bd_area_type_label (bd_consumer_get_area_type (c)));
  draw_row (&pen, _("Feeder"), bd_consumer_get_feeder (c));
  draw_row (&pen, _("Distribution transformer"), bd_consumer_get_dt (c));
  draw_row (&pen, _("Pole"), bd_consumer_get_pole (c));

  draw_section (&pen, _("Meter"));
  draw_row (&pen, _("Meter serial"), bd_consumer_get_meter_serial (c));
  draw_row (&pen, _("Make"), bd_consumer_get_meter_make (c));
  draw_row (&pen, _("Type"), bd_meter_type_label (bd_consumer_get_meter_type (c)));
  draw_row (&pen, _("Communication"), comm);
  draw_row (&pen, _("Last reading"), last_reading);

  pen.y += SECTION_GAP;
  draw_rule (&pen);
  draw_line (&pen,
             _("The balance and meter status are as of the times shown. The central server holds the latest record."),
             8, FALSE);
}

GtkPrintOperation *
bd_consumer_summary_new_print_operation (BdConsumer *consumer,
                                         const char *zone_name,
                                         gint64      printed_at)
{
  g_autoptr(GtkPageSetup) page_setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) a4 = gtk_paper_size_new (GTK_PAPER_NAME_A4);
  g_autofree char *job_name = NULL;
  GtkPrintOperation *operation;
  Summary *summary;

  g_return_val_if_fail (BD_IS_CONSUMER (consumer), NULL);

  if (printed_at <= 0)
    printed_at = g_get_real_time () / G_USEC_PER_SEC;
  summary = g_new0 (Summary, 1);
  summary->consumer = g_object_ref (consumer);
  summary->zone_name = g_strdup (zone_name);
  summary->printed_at = printed_at;

  operation = gtk_print_operation_new ();
  /* Translators: the print job's name; %s is the account number. */
  job_name = g_strdup_printf (_("Consumer %s"), bd_consumer_get_account (consumer));
  gtk_print_operation_set_job_name (operation, job_name);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_n_pages (operation, 1);
  gtk_page_setup_set_paper_size_and_default_margins (page_setup, a4);
  gtk_print_operation_set_default_page_setup (operation, page_setup);
  gtk_print_operation_set_embed_page_setup (operation, TRUE);

  g_object_set_data_full (G_OBJECT (operation), "bd-summary", summary, (GDestroyNotify) summary_free);
  g_signal_connect (operation, "begin-print", G_CALLBACK (on_begin_print_cb), summary);
  g_signal_connect (operation, "draw-page", G_CALLBACK (on_draw_page_cb), summary);

  return operation;
}
