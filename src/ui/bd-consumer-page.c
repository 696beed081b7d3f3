/* bd-consumer-page.c: the 360° record of one consumer.
 *
 * The overview holds what the desk has for the consumer: identity,
 * connection, meter and balance. Sections that later features fill
 * (complaints, requests, recharges) say plainly that they are not
 * available here yet; the history shows what the desk itself knows about
 * its copy of the record. The full mobile number never reaches a widget.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-money.h"
#include "core/bd-time.h"

#include "bd-consumer-format.h"
#include "bd-consumer-page.h"
#include "bd-consumer-summary.h"

struct _BdConsumerPage
{
  AdwBin             parent_instance;

  BdConsumer        *consumer;
  gint64             last_sync;
  GCancellable      *reload_cancellable;
  GtkPrintSettings  *print_settings;   /* the operator's last choices, for the next print */

  GtkStack          *stack;
  AdwViewStack      *view_stack;
  GtkScrolledWindow *scroller;
  GtkScrolledWindow *history_scroller;
  GtkLabel          *name_label;
  GtkLabel          *name_hi_label;
  GtkLabel          *account_heading_label;
  GtkWidget         *balance_tag;
  GtkImage          *balance_tag_icon;
  GtkLabel          *balance_tag_label;
  GtkLabel          *balance_label;
  GtkLabel          *balance_note_label;
  AdwActionRow      *relation_row;
  AdwActionRow      *address_row;
  AdwActionRow      *account_row;
  GtkButton         *copy_account_button;
  AdwActionRow      *mobile_row;
  GtkLabel          *mobile_tag;
  AdwActionRow      *documents_row;
  AdwActionRow      *category_row;
  AdwActionRow      *load_row;
  AdwActionRow      *phase_row;
  AdwActionRow      *supply_row;
  GtkImage          *supply_icon;
  AdwActionRow      *area_row;
  AdwActionRow      *feeder_row;
  AdwActionRow      *dt_row;
  AdwActionRow      *pole_row;
  AdwActionRow      *zone_row;
  AdwActionRow      *meter_serial_row;
  AdwActionRow      *meter_make_row;
  AdwActionRow      *meter_type_row;
  AdwActionRow      *meter_comm_row;
  GtkImage          *meter_comm_icon;
  AdwActionRow      *last_reading_row;
  AdwActionRow      *version_row;
  AdwActionRow      *updated_row;
  AdwActionRow      *synced_row;
};

G_DEFINE_FINAL_TYPE (BdConsumerPage, bd_consumer_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONSUMER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
on_copy_account_clicked_cb (BdConsumerPage *self,
                            GtkButton      *button)
{
  bd_consumer_page_copy_account (self);
}

static void
show_toast (BdConsumerPage *self,
            const char     *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
}

static void
on_print_done_cb (GtkPrintOperation       *operation,
                  GtkPrintOperationResult  result,
                  gpointer                 user_data)
{
  g_autoptr(BdConsumerPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      g_autofree char *message = NULL;

      gtk_print_operation_get_error (operation, &error);
      /* Translators: %s is the printing system's own explanation. */
      message = g_strdup_printf (_("Could not print the summary: %s. Check the printer, or choose “Print to File” to save a PDF."),
                                 error != NULL ? error->message : _("unknown error"));
      show_toast (self, message);
    }
  else if (result == GTK_PRINT_OPERATION_RESULT_APPLY)
    {
      g_set_object (&self->print_settings, gtk_print_operation_get_print_settings (operation));
    }

  g_object_unref (operation);
}

static void
on_reloaded_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(BdConsumerPage) self = user_data;
  g_autoptr(BdConsumer) fresh = NULL;
  g_autoptr(GError) error = NULL;

  fresh = bd_consumer_store_lookup_finish (BD_CONSUMER_STORE (source), result, &error);
  if (fresh == NULL)
    {
      /* A record no longer in the zone keeps showing the last copy. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not reload the consumer on show: %s", error->message);
      return;
    }

  /* Setting another consumer cancels the lookup, but its answer may
   * already be on its way. */
  if (self->consumer != NULL &&
      g_strcmp0 (bd_consumer_get_account (self->consumer), bd_consumer_get_account (fresh)) == 0)
    bd_consumer_page_set_consumer (self, fresh);
}

static void
set_row_value (AdwActionRow *row,
               const char   *value)
{
  g_autofree char *escaped = NULL;
  g_autofree char *accessible = NULL;

  /* Rows render markup; record fields are plain text and may hold "&". */
  if (value == NULL || *value == '\0')
    value = _("Not recorded");
  escaped = g_markup_escape_text (value, -1);
  adw_action_row_set_subtitle (row, escaped);

  /* Translators: read out for a record row, e.g. "Feeder: F-12". */
  accessible = g_strdup_printf (_("%s: %s"),
                                adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), value);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

static void
set_toggle_class (GtkWidget  *widget,
                  const char *css_class,
                  gboolean    on)
{
  if (on)
    gtk_widget_add_css_class (widget, css_class);
  else
    gtk_widget_remove_css_class (widget, css_class);
}

static void
set_state_classes (GtkWidget  *widget,
                   const char *state_class)
{
  static const char *classes[] = { "ok", "emergency", "negative", "verified", "unverified", "silent" };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    set_toggle_class (widget, classes[i], g_strcmp0 (classes[i], state_class) == 0);
}

static void
show_balance (BdConsumerPage *self)
{
  BdConsumer *c = self->consumer;
  BdBalanceState state = bd_consumer_balance_state (c);
  g_autofree char *balance = bd_format_paise (bd_consumer_get_balance_paise (c));
  g_autofree char *note = bd_consumer_format_balance_note (c);
  g_autofree char *accessible = NULL;

  gtk_label_set_text (self->balance_label, balance);
  set_toggle_class (GTK_WIDGET (self->balance_label), "negative", bd_consumer_get_balance_paise (c) < 0);
  gtk_label_set_text (self->balance_tag_label, bd_balance_state_label (state));
  gtk_image_set_from_icon_name (self->balance_tag_icon, bd_balance_state_icon_name (state));
  set_state_classes (self->balance_tag, bd_balance_state_css_class (state));
  gtk_label_set_text (self->balance_note_label, note);
  set_toggle_class (GTK_WIDGET (self->balance_note_label), "dim-label", state == BD_BALANCE_STATE_OK);

  /* Translators: read out for the balance: amount, then its state, e.g.
   * "Prepaid balance −₹123.45, Emergency credit". */
  accessible = g_strdup_printf (_("Prepaid balance %s, %s"), balance, bd_balance_state_label (state));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->balance_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

static void
show_meter (BdConsumerPage *self)
{
  BdConsumer *c = self->consumer;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  BdMeterComm comm = bd_consumer_meter_comm (c, now);
  g_autofree char *comm_text = bd_consumer_format_meter_comm (c, now);
  g_autofree char *last_reading = bd_consumer_format_last_reading (c);
  const char *icon = NULL;

  set_row_value (self->meter_serial_row, bd_consumer_get_meter_serial (c));
  set_row_value (self->meter_make_row, bd_consumer_get_meter_make (c));
  set_row_value (self->meter_type_row, bd_meter_type_label (bd_consumer_get_meter_type (c)));
  set_row_value (self->meter_comm_row, comm_text);
  set_row_value (self->last_reading_row, last_reading);

  switch (comm)
    {
    case BD_METER_COMM_REPORTING:
      icon = "emblem-ok-symbolic";
      set_state_classes (GTK_WIDGET (self->meter_comm_icon), "ok");
      break;
    case BD_METER_COMM_SILENT:
    case BD_METER_COMM_NEVER:
      icon = "dialog-warning-symbolic";
      set_state_classes (GTK_WIDGET (self->meter_comm_icon), "emergency");
      break;
    case BD_METER_COMM_NOT_REMOTE:
    default:
      set_state_classes (GTK_WIDGET (self->meter_comm_icon), NULL);
      break;
    }
  gtk_image_set_from_icon_name (self->meter_comm_icon, icon);
  gtk_widget_set_visible (GTK_WIDGET (self->meter_comm_icon), icon != NULL);
}

static void
show_history (BdConsumerPage *self)
{
  BdConsumer *c = self->consumer;
  g_autofree char *version = bd_format_indian_integer (bd_consumer_get_version (c));
  g_autofree char *updated = bd_time_format_ist (bd_consumer_get_updated_at (c));
  g_autofree char *synced = bd_time_format_ist (self->last_sync);

  set_row_value (self->version_row, version);
  set_row_value (self->updated_row, updated);
  set_row_value (self->synced_row, synced != NULL ? synced : _("Not synced yet"));
}

static void
show_consumer (BdConsumerPage *self)
{
  BdConsumer *c = self->consumer;
  g_autofree char *account_heading = NULL;
  g_autofree char *relation = bd_consumer_format_relation (c);
  g_autofree char *load = bd_format_load (bd_consumer_get_sanctioned_load_w (c));
  g_autofree char *masked = bd_consumer_dup_masked_mobile (c);
  const char *name_hi = bd_consumer_get_name_hi (c);
  gboolean connected = bd_consumer_get_supply_status (c) == BD_SUPPLY_CONNECTED;

  gtk_label_set_text (self->name_label, bd_consumer_get_display_name (c, FALSE));
  gtk_label_set_text (self->name_hi_label, name_hi != NULL ? name_hi : "");
  gtk_widget_set_visible (GTK_WIDGET (self->name_hi_label),
                          name_hi != NULL && *name_hi != '\0' &&
                          g_strcmp0 (name_hi, bd_consumer_get_display_name (c, FALSE)) != 0);
  /* Translators: %s is a 10- or 12-digit account number. */
  account_heading = g_strdup_printf (_("Account %s"), bd_consumer_get_account (c));
  gtk_label_set_text (self->account_heading_label, account_heading);

  show_balance (self);

  set_row_value (self->relation_row, relation);
  set_row_value (self->address_row, bd_consumer_get_address (c));
  set_row_value (self->account_row, bd_consumer_get_account (c));

  /* Only the masked form ever reaches a widget: the full number would be
   * read out by screen readers and visible to anyone at the counter. */
  if (masked != NULL)
    {
      gboolean verified = bd_consumer_get_mobile_verified (c);

      set_row_value (self->mobile_row, masked);
      gtk_label_set_text (self->mobile_tag, verified ? _("Verified") : _("Not verified"));
      set_state_classes (GTK_WIDGET (self->mobile_tag), verified ? "verified" : "unverified");
      gtk_widget_set_visible (GTK_WIDGET (self->mobile_tag), TRUE);
    }
  else
    {
      set_row_value (self->mobile_row, _("No mobile on record"));
      gtk_widget_set_visible (GTK_WIDGET (self->mobile_tag), FALSE);
    }
  set_row_value (self->documents_row, _("Not available at this desk yet"));

  set_row_value (self->category_row, bd_consumer_get_category (c));
  set_row_value (self->load_row, load);
  set_row_value (self->phase_row, bd_phase_label (bd_consumer_get_phase (c)));
  set_row_value (self->supply_row, bd_supply_status_label (bd_consumer_get_supply_status (c)));
  gtk_image_set_from_icon_name (self->supply_icon, connected ? "emblem-ok-symbolic" : "dialog-error-symbolic");
  set_state_classes (GTK_WIDGET (self->supply_icon), connected ? "ok" : "negative");
  set_row_value (self->area_row, bd_area_type_label (bd_consumer_get_area_type (c)));
  set_row_value (self->feeder_row, bd_consumer_get_feeder (c));
  set_row_value (self->dt_row, bd_consumer_get_dt (c));
  set_row_value (self->pole_row, bd_consumer_get_pole (c));
  set_row_value (self->zone_row, bd_consumer_get_zone (c));

  show_meter (self);
  show_history (self);
}

static void
bd_consumer_page_dispose (GObject *object)
{
  BdConsumerPage *self = BD_CONSUMER_PAGE (object);

  g_cancellable_cancel (self->reload_cancellable);
  g_clear_object (&self->reload_cancellable);
  g_clear_object (&self->consumer);
  g_clear_object (&self->print_settings);
  /* AdwBin unparents its child itself; let it, before the template
   * drops its references, so the child is not unparented twice. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), BD_TYPE_CONSUMER_PAGE);

  G_OBJECT_CLASS (bd_consumer_page_parent_class)->dispose (object);
}

static void
bd_consumer_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  BdConsumerPage *self = BD_CONSUMER_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONSUMER:
      g_value_set_object (value, self->consumer);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bd_consumer_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  BdConsumerPage *self = BD_CONSUMER_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONSUMER:
      bd_consumer_page_set_consumer (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bd_consumer_page_class_init (BdConsumerPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bd_consumer_page_dispose;
  object_class->get_property = bd_consumer_page_get_property;
  object_class->set_property = bd_consumer_page_set_property;

  properties[PROP_CONSUMER] =
    g_param_spec_object ("consumer", NULL, NULL, BD_TYPE_CONSUMER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/bijlidesk/BijliDesk/ui/bd-consumer-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, stack);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, history_scroller);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, name_hi_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, account_heading_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, balance_tag);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, balance_tag_icon);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, balance_tag_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, balance_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, balance_note_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, relation_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, address_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, account_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, copy_account_button);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, mobile_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, mobile_tag);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, documents_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, category_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, load_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, phase_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, supply_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, supply_icon);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, area_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, feeder_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, dt_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, pole_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, zone_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, meter_serial_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, meter_make_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, meter_type_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, meter_comm_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, meter_comm_icon);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, last_reading_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, version_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, updated_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, synced_row);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_account_clicked_cb);
}

static void
bd_consumer_page_init (BdConsumerPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

GtkWidget *
bd_consumer_page_new (void)
{
  return g_object_new (BD_TYPE_CONSUMER_PAGE, NULL);
}

void
bd_consumer_page_set_consumer (BdConsumerPage *self,
                               BdConsumer     *consumer)
{
  gboolean same_account;

  g_return_if_fail (BD_IS_CONSUMER_PAGE (self));
  g_return_if_fail (consumer == NULL || BD_IS_CONSUMER (consumer));

  same_account = self->consumer != NULL && consumer != NULL &&
                 g_strcmp0 (bd_consumer_get_account (self->consumer),
                            bd_consumer_get_account (consumer)) == 0;
  if (!g_set_object (&self->consumer, consumer))
    return;

  if (!same_account)
    g_cancellable_cancel (self->reload_cancellable);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONSUMER]);

  if (consumer == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  show_consumer (self);
  /* A fresher copy of the same record (after a sync) keeps the operator's
   * place; another consumer starts at the top of the overview. */
  if (!same_account)
    {
      adw_view_stack_set_visible_child_name (self->view_stack, "overview");
      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0.0);
      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->history_scroller), 0.0);
    }
  gtk_stack_set_visible_child_name (self->stack, "record");
}

void
bd_consumer_page_set_last_sync (BdConsumerPage *self,
                                gint64          last_sync)
{
  g_return_if_fail (BD_IS_CONSUMER_PAGE (self));

  if (self->last_sync == last_sync)
    return;
  self->last_sync = last_sync;
  if (self->consumer != NULL)
    show_history (self);
}

gint64
bd_consumer_page_get_last_sync (BdConsumerPage *self)
{
  g_return_val_if_fail (BD_IS_CONSUMER_PAGE (self), 0);

  return self->last_sync;
}

BdConsumer *
bd_consumer_page_get_consumer (BdConsumerPage *self)
{
  g_return_val_if_fail (BD_IS_CONSUMER_PAGE (self), NULL);

  return self->consumer;
}

void
bd_consumer_page_reload (BdConsumerPage  *self,
                         BdConsumerStore *store)
{
  g_return_if_fail (BD_IS_CONSUMER_PAGE (self));
  g_return_if_fail (store == NULL || BD_IS_CONSUMER_STORE (store));

  if (store == NULL || self->consumer == NULL)
    return;

  g_cancellable_cancel (self->reload_cancellable);
  g_clear_object (&self->reload_cancellable);
  self->reload_cancellable = g_cancellable_new ();
  bd_consumer_store_lookup_async (store, bd_consumer_get_account (self->consumer), self->reload_cancellable,
                                  on_reloaded_cb, g_object_ref (self));
}

void
bd_consumer_page_copy_account (BdConsumerPage *self)
{
  g_return_if_fail (BD_IS_CONSUMER_PAGE (self));

  if (self->consumer == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)),
                          bd_consumer_get_account (self->consumer));
  show_toast (self, _("Account number copied"));
}

void
bd_consumer_page_print_summary (BdConsumerPage *self,
                                const char     *zone_name)
{
  GtkPrintOperation *operation;
  GtkRoot *root;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (BD_IS_CONSUMER_PAGE (self));

  if (self->consumer == NULL)
    return;

  operation = bd_consumer_summary_new_print_operation (self->consumer, zone_name,
                                                       g_get_real_time () / G_USEC_PER_SEC);
  if (self->print_settings != NULL)
    gtk_print_operation_set_print_settings (operation, self->print_settings);
  /* The dialog must not block the main loop: searches and sync go on. */
  gtk_print_operation_set_allow_async (operation, TRUE);
  g_signal_connect (operation, "done", G_CALLBACK (on_print_done_cb), g_object_ref (self));

  root = gtk_widget_get_root (GTK_WIDGET (self));
  gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                           GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, &error);
}
