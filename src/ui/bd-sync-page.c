/* bd-sync-page.c: progress of the first copy of the zone to this desk.
 *
 * A zone of a million consumers takes a while to copy, so the page says
 * how long is left, from the rate over the last few seconds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-money.h"

#include "bd-sync-estimate.h"
#include "bd-sync-page.h"

struct _BdSyncPage
{
  AdwBin          parent_instance;

  BdSyncEstimate *estimate;

  AdwStatusPage  *status_page;
  GtkProgressBar *progress_bar;
  GtkLabel       *estimate_label;
  GtkLabel       *error_label;
  GtkButton      *cancel_button;
  GtkLabel       *cancel_label;
  GtkButton      *retry_button;
};

G_DEFINE_FINAL_TYPE (BdSyncPage, bd_sync_page, ADW_TYPE_BIN)

enum {
  SIGNAL_CANCEL,
  SIGNAL_RETRY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_cancel_clicked_cb (BdSyncPage *self,
                      GtkButton  *button)
{
  g_signal_emit (self, signals[SIGNAL_CANCEL], 0);
}

static void
on_retry_clicked_cb (BdSyncPage *self,
                     GtkButton  *button)
{
  g_signal_emit (self, signals[SIGNAL_RETRY], 0);
}

static void
bd_sync_page_finalize (GObject *object)
{
  BdSyncPage *self = BD_SYNC_PAGE (object);

  g_clear_pointer (&self->estimate, bd_sync_estimate_free);

  G_OBJECT_CLASS (bd_sync_page_parent_class)->finalize (object);
}

static void
bd_sync_page_class_init (BdSyncPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = bd_sync_page_finalize;

  /**
   * BdSyncPage::cancel:
   *
   * The operator gave up waiting: stop the pull.
   */
  signals[SIGNAL_CANCEL] =
    g_signal_new ("cancel", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * BdSyncPage::retry:
   *
   * The operator asked to try the failed pull again.
   */
  signals[SIGNAL_RETRY] =
    g_signal_new ("retry", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/bijlidesk/BijliDesk/ui/bd-sync-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BdSyncPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, BdSyncPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, BdSyncPage, estimate_label);
  gtk_widget_class_bind_template_child (widget_class, BdSyncPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, BdSyncPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, BdSyncPage, cancel_label);
  gtk_widget_class_bind_template_child (widget_class, BdSyncPage, retry_button);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_retry_clicked_cb);
}

static void
bd_sync_page_init (BdSyncPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->estimate = bd_sync_estimate_new ();
}

GtkWidget *
bd_sync_page_new (void)
{
  return g_object_new (BD_TYPE_SYNC_PAGE, NULL);
}

void
bd_sync_page_start (BdSyncPage *self,
                    const char *zone_name,
                    gboolean    can_work_offline)
{
  g_autofree char *description = NULL;

  g_return_if_fail (BD_IS_SYNC_PAGE (self));

  /* Translators: %s is the name of a zone, e.g. "Lucknow Central". */
  description = g_strdup_printf (_("Copying the consumers of %s to this desk, so search keeps working when the network is down."),
                                 zone_name != NULL ? zone_name : "");
  adw_status_page_set_title (self->status_page, _("Preparing your zone"));
  adw_status_page_set_icon_name (self->status_page, "emblem-synchronizing-symbolic");
  adw_status_page_set_description (self->status_page, description);

  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_progress_bar_set_text (self->progress_bar, _("Connecting…"));
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
  bd_sync_estimate_reset (self->estimate);
  gtk_label_set_text (self->estimate_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->estimate_label), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), FALSE);

  gtk_label_set_text_with_mnemonic (self->cancel_label,
                                    can_work_offline ? _("_Work offline") : _("_Cancel"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->cancel_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  can_work_offline ? _("Work offline") : _("Cancel"),
                                  -1);
}

void
bd_sync_page_set_progress (BdSyncPage *self,
                           gint64      applied,
                           gint64      total)
{
  bd_sync_page_set_progress_at (self, applied, total, g_get_monotonic_time ());
}

void
bd_sync_page_set_progress_at (BdSyncPage *self,
                              gint64      applied,
                              gint64      total,
                              gint64      time_us)
{
  g_autofree char *estimate = NULL;
  g_autofree char *applied_text = NULL;
  g_autofree char *total_text = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (BD_IS_SYNC_PAGE (self));

  applied = MAX (applied, 0);
  total = MAX (total, applied);
  applied_text = bd_format_indian_integer (applied);
  total_text = bd_format_indian_integer (total);
  /* Translators: "3,000 of 10,000 consumers"; the numbers use Indian digit grouping. */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s of %s consumer", "%s of %s consumers",
                                       (gulong) MIN (total, G_MAXLONG)),
                          applied_text, total_text);

  gtk_progress_bar_set_fraction (self->progress_bar,
                                 total > 0 ? (double) applied / (double) total : 1.0);
  gtk_progress_bar_set_text (self->progress_bar, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, text,
                                  -1);

  bd_sync_estimate_add (self->estimate, time_us, applied, total);
  estimate = bd_sync_estimate_format (bd_sync_estimate_seconds_left (self->estimate));
  gtk_label_set_text (self->estimate_label, estimate);
}

void
bd_sync_page_show_building_index (BdSyncPage *self)
{
  const char *text = _("Building the search index…");

  g_return_if_fail (BD_IS_SYNC_PAGE (self));

  gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
  gtk_progress_bar_set_text (self->progress_bar, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, text,
                                  -1);
  /* No rate to go by: say what it is instead of a wrong estimate. */
  gtk_label_set_text (self->estimate_label,
                      _("Every consumer is copied. Search by name, mobile and meter works once this is done; "
                        "on a large zone it takes up to a minute."));
}

const char *
bd_sync_page_get_estimate_text (BdSyncPage *self)
{
  g_return_val_if_fail (BD_IS_SYNC_PAGE (self), NULL);

  return gtk_label_get_text (self->estimate_label);
}

void
bd_sync_page_show_error (BdSyncPage *self,
                         const char *message)
{
  g_return_if_fail (BD_IS_SYNC_PAGE (self));

  adw_status_page_set_title (self->status_page, _("Could not copy your zone"));
  adw_status_page_set_icon_name (self->status_page, "network-offline-symbolic");
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->estimate_label), FALSE);
  gtk_label_set_text (self->error_label, message);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->error_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, message,
                                  -1);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->retry_button));
}
