/* bd-recharge-format.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <cairo-pdf.h>
#include <string.h>
#include <qrencode.h>

#include "core/bd-money.h"
#include "core/bd-time.h"

#include "bd-recharge-format.h"

const char *
bd_stored_recharge_state_label (const BdStoredRecharge *stored)
{
  if (stored->recharge->receipt != NULL)
    return _("Credited");
  switch (stored->outbox_state)
    {
    case BD_OUTBOX_STATE_SENDING:
      return _("Sending to the server…");
    case BD_OUTBOX_STATE_REJECTED:
    case BD_OUTBOX_STATE_CONFLICT:
      return _("Refused by the server — not credited");
    case BD_OUTBOX_STATE_DONE:
      return _("Sent — waiting for the receipt");
    case BD_OUTBOX_STATE_QUEUED:
    default:
      return _("Pending — will be sent when online");
    }
}

char *
bd_recharge_describe (const BdRecharge *recharge)
{
  g_autofree char *amount = bd_format_paise (recharge->amount_paise);

  switch (recharge->mode)
    {
    case BD_PAYMENT_UPI:
      /* Translators: "₹500.00 by UPI (UTR 432187650912)" */
      return g_strdup_printf (_("%s by UPI (UTR %s)"), amount, recharge->reference);
    case BD_PAYMENT_CARD:
      /* Translators: "₹500.00 by card (approval AB12CD)" */
      return g_strdup_printf (_("%s by card (approval %s)"), amount, recharge->reference);
    case BD_PAYMENT_CASH:
    default:
      /* Translators: "₹500.00 in cash" */
      return g_strdup_printf (_("%s in cash"), amount);
    }
}

void
bd_recharge_draw_receipt (cairo_t                *cr,
                          const BdStoredRecharge *stored,
                          const char             *consumer_name,
                          double                  width,
                          double                  height)
{
  const BdRecharge *r = stored->recharge;
  g_autofree char *taken = bd_time_format_ist (r->created_at);
  g_autofree char *credited = bd_time_format_ist (r->credited_at);
  g_autofree char *paid = bd_recharge_describe (r);
  g_autofree char *after = bd_format_paise (r->balance_after_paise);
  g_autofree char *name = g_markup_escape_text (consumer_name != NULL ? consumer_name : "", -1);
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font = pango_font_description_from_string ("Noto Sans 10");
  g_autoptr(GString) text = g_string_new (NULL);
  double text_height;

  g_string_append_printf (text, "<b><big>%s</big></b>\n", _("Prepaid recharge receipt"));
  g_string_append_printf (text, "%s\n\n", _("UPPCL · Helpline 1912"));
  /* Translators: labels and values on the printed receipt. */
  if (r->receipt != NULL)
    g_string_append_printf (text, "<b>%s</b> %s\n", _("Receipt number:"), r->receipt);
  g_string_append_printf (text, "<b>%s</b> %s\n", _("Account:"), r->account);
  if (*name != '\0')
    g_string_append_printf (text, "<b>%s</b> %s\n", _("Consumer:"), name);
  g_string_append_printf (text, "<b>%s</b> %s\n", _("Paid:"), paid);
  g_string_append_printf (text, "<b>%s</b> %s (%s)\n", _("Taken:"), taken, r->created_by);
  if (r->receipt != NULL)
    {
      g_string_append_printf (text, "<b>%s</b> %s\n", _("Credited:"), credited);
      g_string_append_printf (text, "<b>%s</b> %s\n", _("Balance after the recharge:"), after);
      if (r->reconnected)
        g_string_append_printf (text, "%s\n", _("The supply has been reconnected."));
      g_string_append_printf (text, "\n%s\n", _("Keep this receipt. The balance is also sent to your registered mobile by SMS."));
    }
  else
    g_string_append_printf (text, "\n<b><big>%s</big></b>\n%s\n", _("NOT YET CREDITED"),
                            _("The server has not confirmed this recharge yet. This is not a receipt."));

  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, (int) ((width - 72) * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_markup (layout, text->str, -1);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_move_to (cr, 36, 36);
  pango_cairo_show_layout (cr, layout);
  text_height = pango_layout_get_height (layout) / (double) PANGO_SCALE;
  cairo_rectangle (cr, 18, 18, width - 36, MIN (height - 36, text_height + 36));
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  pango_font_description_free (font);
  g_object_unref (layout);
}

gboolean
bd_recharge_save_receipt (const BdStoredRecharge *stored,
                          const char             *consumer_name,
                          const char             *path,
                          GError                **error)
{
  /* A5 in points. */
  const double width = 420, height = 595;
  cairo_surface_t *surface = cairo_pdf_surface_create (path, width, height);
  cairo_t *cr = cairo_create (surface);
  cairo_status_t status;

  bd_recharge_draw_receipt (cr, stored, consumer_name, width, height);
  cairo_show_page (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write the receipt: %s"),
                   cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  BdStoredRecharge *stored;
  char             *consumer_name;
} PrintJob;

static void
print_job_free (gpointer data)
{
  PrintJob *job = data;

  bd_stored_recharge_free (job->stored);
  g_free (job->consumer_name);
  g_free (job);
}

static void
on_draw_page_cb (GtkPrintOperation *operation,
                 GtkPrintContext   *context,
                 int                page,
                 PrintJob          *job)
{
  bd_recharge_draw_receipt (gtk_print_context_get_cairo_context (context), job->stored, job->consumer_name,
                            gtk_print_context_get_width (context), gtk_print_context_get_height (context));
}

void
bd_recharge_print_receipt (const BdStoredRecharge *stored,
                           const char             *consumer_name,
                           GtkWindow              *window)
{
  g_autoptr(GtkPrintOperation) operation = gtk_print_operation_new ();
  g_autoptr(GError) error = NULL;
  PrintJob *job = g_new0 (PrintJob, 1);
  g_autofree char *name = g_strdup_printf (_("Recharge %s"), stored->recharge->receipt != NULL
                                                             ? stored->recharge->receipt : stored->recharge->account);

  job->stored = g_new0 (BdStoredRecharge, 1);
  job->stored->recharge = bd_recharge_copy (stored->recharge);
  job->stored->outbox_seq = stored->outbox_seq;
  job->stored->outbox_state = stored->outbox_state;
  job->consumer_name = g_strdup (consumer_name);
  g_object_set_data_full (G_OBJECT (operation), "bd-print-job", job, print_job_free);
  gtk_print_operation_set_n_pages (operation, 1);
  gtk_print_operation_set_job_name (operation, name);
  g_signal_connect (operation, "draw-page", G_CALLBACK (on_draw_page_cb), job);
  if (gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, window, &error)
      == GTK_PRINT_OPERATION_RESULT_ERROR)
    g_warning ("Cannot print the receipt: %s", error->message);
}

GdkTexture *
bd_qr_texture_new (const char *text,
                   int         module_px)
{
  QRcode *code = QRcode_encodeString (text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  g_autoptr(GBytes) bytes = NULL;
  guint8 *pixels;
  int modules, size, stride;
  GdkTexture *texture;

  if (code == NULL)
    return NULL;
  modules = code->width + 8;
  size = modules * module_px;
  stride = size * 4;
  pixels = g_malloc (stride * size);
  memset (pixels, 0xff, stride * size);
  for (int y = 0; y < code->width; y++)
    for (int x = 0; x < code->width; x++)
      if (code->data[y * code->width + x] & 1)
        for (int dy = 0; dy < module_px; dy++)
          {
            guint8 *row = pixels + ((y + 4) * module_px + dy) * stride + (x + 4) * module_px * 4;
            for (int dx = 0; dx < module_px; dx++)
              {
                row[dx * 4 + 0] = 0;
                row[dx * 4 + 1] = 0;
                row[dx * 4 + 2] = 0;
                row[dx * 4 + 3] = 0xff;
              }
          }
  QRcode_free (code);
  bytes = g_bytes_new_take (pixels, stride * size);
  texture = gdk_memory_texture_new (size, size, GDK_MEMORY_R8G8B8A8, bytes, stride);
  return texture;
}
