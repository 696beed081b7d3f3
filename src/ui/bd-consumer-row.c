/* bd-consumer-row.c: one search result.
 *
 * Shows what an operator checks before opening a record: both spellings of
 * the name (the chosen script first), the balance and its state (a tag
 * with an icon and words, not colour alone), the account, the masked
 * mobile and the address.
 *
 * The long texts are GtkInscriptions, not GtkLabels: an inscription's size
 * comes from its character counts, not from its text, so a keystroke that
 * refills the rows costs one shaping of each text when it is drawn instead
 * of several while the list measures and allocates them (about half of a
 * name search's frame on 100 fresh rows). The row's accessible label says
 * everything they show.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-money.h"

#include "bd-consumer-format.h"
#include "bd-consumer-row.h"

struct _BdConsumerRow
{
  GtkWidget   parent_instance;

  BdConsumer *consumer;

  GtkWidget  *grid;
  GtkInscription *name_label;
  GtkLabel   *balance_label;
  GtkInscription *name_hi_label;
  GtkWidget  *state_tag;
  GtkImage   *state_icon;
  GtkLabel   *state_label;
  GtkInscription *account_label;
  GtkInscription *address_label;
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
  gtk_widget_class_bind_template_child (widget_class, BdConsumerRow, state_tag);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerRow, state_icon);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerRow, state_label);
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
  static const char *state_classes[] = { "ok", "emergency", "negative" };
  g_autofree char *balance = NULL;
  g_autofree char *mobile = NULL;
  g_autofree char *account_line = NULL;
  g_autofree char *accessible = NULL;
  const char *name;
  const char *other_name;
  const char *state_class;
  BdConsumerBalanceState state;

  g_return_if_fail (BD_IS_CONSUMER_ROW (self));
  g_return_if_fail (consumer == NULL || BD_IS_CONSUMER (consumer));

  if (!g_set_object (&self->consumer, consumer))
    return;

  if (consumer == NULL)
    {
      gtk_inscription_set_text (self->name_label, "");
      gtk_label_set_text (self->balance_label, "");
      gtk_inscription_set_text (self->name_hi_label, "");
      gtk_label_set_text (self->state_label, "");
      gtk_inscription_set_text (self->account_label, "");
      gtk_inscription_set_text (self->address_label, "");
      return;
    }

  /* First the spelling in the script the operator chose, then the other. */
  name = bd_consumer_get_names (consumer, &other_name);
  balance = bd_format_paise (bd_consumer_get_balance_paise (consumer));
  state = bd_consumer_balance_state (consumer);
  state_class = bd_balance_state_css_class (state);

  mobile = bd_consumer_dup_masked_mobile (consumer);
  if (mobile == NULL)
    mobile = g_strdup (_("No mobile"));
  /* Translators: account number, a separator dot, then the masked mobile. */
  account_line = g_strdup_printf (_("%s · %s"), bd_consumer_get_account (consumer), mobile);

  gtk_inscription_set_text (self->name_label, or_empty (name));
  gtk_label_set_text (self->balance_label, balance);
  gtk_inscription_set_text (self->name_hi_label, or_empty (other_name));
  gtk_widget_set_visible (GTK_WIDGET (self->name_hi_label), other_name != NULL);
  gtk_inscription_set_text (self->account_label, account_line);
  gtk_inscription_set_text (self->address_label, or_empty (bd_consumer_get_address (consumer)));

  gtk_label_set_text (self->state_label, bd_balance_state_label (state));
  gtk_image_set_from_icon_name (self->state_icon, bd_balance_state_icon_name (state));
  for (guint i = 0; i < G_N_ELEMENTS (state_classes); i++)
    {
      if (g_strcmp0 (state_classes[i], state_class) == 0)
        gtk_widget_add_css_class (self->state_tag, state_classes[i]);
      else
        gtk_widget_remove_css_class (self->state_tag, state_classes[i]);
    }

  if (bd_consumer_get_balance_paise (consumer) < 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->balance_label), "negative");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->balance_label), "negative");

  /* Translators: read out for one search result: account, name, balance,
   * balance state (e.g. "Emergency credit"), masked mobile, address. */
  accessible = g_strdup_printf (_("Account %s, %s, balance %s, %s, mobile %s, %s"),
                                bd_consumer_get_account (consumer), or_empty (name), balance,
                                bd_balance_state_label (state), mobile,
                                or_empty (bd_consumer_get_address (consumer)));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}
