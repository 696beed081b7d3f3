/* bd-consumer-page.c: the 360° record of one consumer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-money.h"
#include "core/bd-time.h"
#include "core/bd-validate.h"

#include "bd-consumer-page.h"

struct _BdConsumerPage
{
  AdwBin         parent_instance;

  BdConsumer    *consumer;

  GtkStack      *stack;
  GtkScrolledWindow *scroller;
  GtkLabel      *name_label;
  GtkLabel      *name_hi_label;
  GtkLabel      *account_heading_label;
  GtkLabel      *balance_label;
  GtkLabel      *balance_note_label;
  AdwActionRow  *relation_row;
  AdwActionRow  *address_row;
  AdwActionRow  *account_row;
  GtkButton     *copy_account_button;
  AdwActionRow  *mobile_row;
  GtkLabel      *mobile_tag;
  AdwActionRow  *category_row;
  AdwActionRow  *load_row;
  AdwActionRow  *phase_row;
  AdwActionRow  *supply_row;
  AdwActionRow  *area_row;
  AdwActionRow  *feeder_row;
  AdwActionRow  *dt_row;
  AdwActionRow  *pole_row;
  AdwActionRow  *zone_row;
  AdwActionRow  *meter_serial_row;
  AdwActionRow  *meter_make_row;
  AdwActionRow  *meter_type_row;
};

G_DEFINE_FINAL_TYPE (BdConsumerPage, bd_consumer_page, ADW_TYPE_BIN)

static void
on_copy_account_clicked_cb (BdConsumerPage *self,
                            GtkButton      *button)
{
  bd_consumer_page_copy_account (self);
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

static char *
format_load (gint64 watts)
{
  g_autofree char *whole = bd_format_indian_integer (watts / 1000);
  gint64 tenths = (ABS (watts) % 1000) / 100;

  /* Translators: a sanctioned load, e.g. "2 kW" or "1.5 kW". */
  if (tenths == 0)
    return g_strdup_printf (_("%s kW"), whole);
  else
    return g_strdup_printf (_("%s.%" G_GINT64_FORMAT " kW"), whole, tenths);
}

static const char *
meter_type_label (BdMeterType type)
{
  switch (type)
    {
    case BD_METER_TYPE_SMART:
      return _("Smart prepaid meter");
    case BD_METER_TYPE_CT:
      return _("CT-operated meter (no remote switching)");
    case BD_METER_TYPE_NON_SMART:
      return _("Not a smart meter");
    default:
      return _("Unknown");
    }
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
show_consumer (BdConsumerPage *self)
{
  BdConsumer *c = self->consumer;
  g_autofree char *account_heading = NULL;
  g_autofree char *balance = NULL;
  g_autofree char *as_of = NULL;
  g_autofree char *note = NULL;
  g_autofree char *relation = NULL;
  g_autofree char *load = NULL;
  const char *relation_en = bd_consumer_get_relation_en (c);
  const char *relation_hi = bd_consumer_get_relation_hi (c);
  const char *name_hi = bd_consumer_get_name_hi (c);
  const char *mobile = bd_consumer_get_mobile (c);
  gint64 balance_paise = bd_consumer_get_balance_paise (c);

  gtk_label_set_text (self->name_label, bd_consumer_get_display_name (c, FALSE));
  gtk_label_set_text (self->name_hi_label, name_hi != NULL ? name_hi : "");
  gtk_widget_set_visible (GTK_WIDGET (self->name_hi_label),
                          name_hi != NULL && *name_hi != '\0' &&
                          g_strcmp0 (name_hi, bd_consumer_get_display_name (c, FALSE)) != 0);
  /* Translators: %s is a 10- or 12-digit account number. */
  account_heading = g_strdup_printf (_("Account %s"), bd_consumer_get_account (c));
  gtk_label_set_text (self->account_heading_label, account_heading);

  balance = bd_format_paise (balance_paise);
  gtk_label_set_text (self->balance_label, balance);
  set_toggle_class (GTK_WIDGET (self->balance_label), "negative", balance_paise < 0);
  as_of = bd_time_format_ist (bd_consumer_get_balance_as_of (c));
  if (as_of == NULL)
    note = g_strdup (_("No meter reading has updated this balance yet."));
  else if (balance_paise < 0)
    /* Translators: %s is a date and time, e.g. "23-11-2026 15:45 IST". */
    note = g_strdup_printf (_("Negative balance as of %s: the supply may be disconnected until the consumer recharges."), as_of);
  else
    /* Translators: %s is a date and time, e.g. "23-11-2026 15:45 IST". */
    note = g_strdup_printf (_("As of %s"), as_of);
  gtk_label_set_text (self->balance_note_label, note);
  set_toggle_class (GTK_WIDGET (self->balance_note_label), "negative", balance_paise < 0);
  set_toggle_class (GTK_WIDGET (self->balance_note_label), "dim-label", balance_paise >= 0);

  if (relation_en != NULL && *relation_en != '\0' && relation_hi != NULL && *relation_hi != '\0' &&
      g_strcmp0 (relation_en, relation_hi) != 0)
    relation = g_strdup_printf ("%s · %s", relation_en, relation_hi);
  else
    relation = g_strdup (relation_en != NULL && *relation_en != '\0' ? relation_en : relation_hi);
  set_row_value (self->relation_row, relation);
  set_row_value (self->address_row, bd_consumer_get_address (c));
  set_row_value (self->account_row, bd_consumer_get_account (c));

  gtk_widget_remove_css_class (GTK_WIDGET (self->mobile_tag), "verified");
  gtk_widget_remove_css_class (GTK_WIDGET (self->mobile_tag), "unverified");
  if (mobile != NULL && *mobile != '\0')
    {
      g_autofree char *masked = bd_mobile_mask (mobile);
      gboolean verified = bd_consumer_get_mobile_verified (c);

      set_row_value (self->mobile_row, masked);
      gtk_label_set_text (self->mobile_tag, verified ? _("Verified") : _("Not verified"));
      gtk_widget_add_css_class (GTK_WIDGET (self->mobile_tag), verified ? "verified" : "unverified");
      gtk_widget_set_visible (GTK_WIDGET (self->mobile_tag), TRUE);
    }
  else
    {
      set_row_value (self->mobile_row, _("No mobile on record"));
      gtk_widget_set_visible (GTK_WIDGET (self->mobile_tag), FALSE);
    }

  set_row_value (self->category_row, bd_consumer_get_category (c));
  load = format_load (bd_consumer_get_sanctioned_load_w (c));
  set_row_value (self->load_row, load);
  set_row_value (self->phase_row,
                 bd_consumer_get_phase (c) == BD_PHASE_THREE ? _("Three phase") : _("Single phase"));
  set_row_value (self->supply_row,
                 bd_consumer_get_supply_status (c) == BD_SUPPLY_CONNECTED ? _("Connected") : _("Disconnected"));
  set_row_value (self->area_row,
                 bd_consumer_get_area_type (c) == BD_AREA_RURAL ? _("Rural") : _("Urban"));
  set_row_value (self->feeder_row, bd_consumer_get_feeder (c));
  set_row_value (self->dt_row, bd_consumer_get_dt (c));
  set_row_value (self->pole_row, bd_consumer_get_pole (c));
  set_row_value (self->zone_row, bd_consumer_get_zone (c));
  set_row_value (self->meter_serial_row, bd_consumer_get_meter_serial (c));
  set_row_value (self->meter_make_row, bd_consumer_get_meter_make (c));
  set_row_value (self->meter_type_row, meter_type_label (bd_consumer_get_meter_type (c)));
}

static void
bd_consumer_page_dispose (GObject *object)
{
  BdConsumerPage *self = BD_CONSUMER_PAGE (object);

  g_clear_object (&self->consumer);
  /* AdwBin unparents its child itself; let it, before the template
   * drops its references, so the child is not unparented twice. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), BD_TYPE_CONSUMER_PAGE);

  G_OBJECT_CLASS (bd_consumer_page_parent_class)->dispose (object);
}

static void
bd_consumer_page_class_init (BdConsumerPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bd_consumer_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/bijlidesk/BijliDesk/ui/bd-consumer-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, stack);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, name_hi_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, account_heading_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, balance_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, balance_note_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, relation_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, address_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, account_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, copy_account_button);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, mobile_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, mobile_tag);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, category_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, load_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, phase_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, supply_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, area_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, feeder_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, dt_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, pole_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, zone_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, meter_serial_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, meter_make_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, meter_type_row);
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
  g_return_if_fail (BD_IS_CONSUMER_PAGE (self));
  g_return_if_fail (consumer == NULL || BD_IS_CONSUMER (consumer));

  if (!g_set_object (&self->consumer, consumer))
    return;

  if (consumer == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  show_consumer (self);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0.0);
  gtk_stack_set_visible_child_name (self->stack, "record");
}

BdConsumer *
bd_consumer_page_get_consumer (BdConsumerPage *self)
{
  g_return_val_if_fail (BD_IS_CONSUMER_PAGE (self), NULL);

  return self->consumer;
}

void
bd_consumer_page_copy_account (BdConsumerPage *self)
{
  GtkWidget *overlay;

  g_return_if_fail (BD_IS_CONSUMER_PAGE (self));

  if (self->consumer == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)),
                          bd_consumer_get_account (self->consumer));

  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay),
                                 adw_toast_new (_("Account number copied")));
}
