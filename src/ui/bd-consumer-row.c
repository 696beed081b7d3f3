/* bd-consumer-row.c: one search result.
 *
 * Shows what an operator checks before opening a record: both spellings of
 * the name, the balance, the account, the masked mobile and the address.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-money.h"
#include "core/bd-validate.h"

#include "bd-consumer-row.h"

struct _BdConsumerRow
{
  GtkWidget   parent_instance;

  BdConsumer *consumer;

  GtkWidget  *grid;
  GtkLabel   *name_label;
  GtkLabel   *balance_label;
  GtkLabel   *name_hi_label;
  GtkLabel   *account_label;
  GtkLabel   *address_label;
};

G_DEFINE_FINAL_TYPE (BdConsumerRow, bd_consumer_row, GTK_TYPE_WIDGET)

static const char *
or_empty (const char *text)
{
  return text != NULL ? text : "";
}

static void
bd_consumer_row_dispose (GObject *object)
{
  BdConsumerRow *self = BD_CONSUMER_ROW (object);

  g_clear_object (&self->consumer);
  gtk_widget_dispose_template (GTK_WIDGET (self), BD_TYPE_CONSUMER_ROW);

  G_OBJECT_CLASS (bd_consumer_row_parent_class)->dispose (object);
}

static void
bd_consumer_row_class_init (BdConsumerRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bd_consumer_row_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/bijlidesk/BijliDesk/ui/bd-consumer-row.ui");
  gtk_widget_class_bind_template_child (widget_class, BdConsumerRow, grid);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerRow, balance_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerRow, name_hi_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerRow, account_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerRow, address_label);
}

static void
bd_consumer_row_init (BdConsumerRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
bd_consumer_row_new (void)
{
  return g_object_new (BD_TYPE_CONSUMER_ROW, NULL);
}

void
bd_consumer_row_set_consumer (BdConsumerRow *self,
                              BdConsumer    *consumer)
{
  g_autofree char *balance = NULL;
  g_autofree char *mobile = NULL;
  g_autofree char *account_line = NULL;
  g_autofree char *accessible = NULL;
  const char *name_en;
  const char *name_hi;

  g_return_if_fail (BD_IS_CONSUMER_ROW (self));
  g_return_if_fail (consumer == NULL || BD_IS_CONSUMER (consumer));

  if (!g_set_object (&self->consumer, consumer))
    return;

  if (consumer == NULL)
    {
      gtk_label_set_text (self->name_label, "");
      gtk_label_set_text (self->balance_label, "");
      gtk_label_set_text (self->name_hi_label, "");
      gtk_label_set_text (self->account_label, "");
      gtk_label_set_text (self->address_label, "");
      return;
    }

  name_en = bd_consumer_get_display_name (consumer, FALSE);
  name_hi = bd_consumer_get_name_hi (consumer);
  balance = bd_format_paise (bd_consumer_get_balance_paise (consumer));

  if (bd_consumer_get_mobile (consumer) != NULL && *bd_consumer_get_mobile (consumer) != '\0')
    mobile = bd_mobile_mask (bd_consumer_get_mobile (consumer));
  else
    mobile = g_strdup (_("No mobile"));
  /* Translators: account number, a separator dot, then the masked mobile. */
  account_line = g_strdup_printf (_("%s · %s"), bd_consumer_get_account (consumer), mobile);

  gtk_label_set_text (self->name_label, or_empty (name_en));
  gtk_label_set_text (self->balance_label, balance);
  gtk_label_set_text (self->name_hi_label, or_empty (name_hi));
  gtk_widget_set_visible (GTK_WIDGET (self->name_hi_label),
                          name_hi != NULL && *name_hi != '\0' && g_strcmp0 (name_hi, name_en) != 0);
  gtk_label_set_text (self->account_label, account_line);
  gtk_label_set_text (self->address_label, or_empty (bd_consumer_get_address (consumer)));

  if (bd_consumer_get_balance_paise (consumer) < 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->balance_label), "negative");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->balance_label), "negative");

  /* Translators: read out for one search result: account, name, balance. */
  accessible = g_strdup_printf (_("Account %s, %s, balance %s"),
                                bd_consumer_get_account (consumer), or_empty (name_en), balance);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

BdConsumer *
bd_consumer_row_get_consumer (BdConsumerRow *self)
{
  g_return_val_if_fail (BD_IS_CONSUMER_ROW (self), NULL);

  return self->consumer;
}
