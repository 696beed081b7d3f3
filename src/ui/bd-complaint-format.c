/* bd-complaint-format.c: the words for a complaint's clock and state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-money.h"

#include "bd-complaint-format.h"
#include "bd-outbox-format.h"

#define DUE_SOON_S (2 * 60 * 60)

char *
bd_format_duration (gint64 seconds)
{
  gint64 days = seconds / 86400;
  gint64 hours = (seconds % 86400) / 3600;
  gint64 minutes = (seconds % 3600) / 60;

  if (days > 0)
    /* Translators: a duration, e.g. "3 days 4 h". */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day %d h", "%d days %d h", (gulong) days),
                            (int) days, (int) hours);
  if (hours > 0)
    /* Translators: a duration, e.g. "2 h 10 min". */
    return g_strdup_printf (_("%d h %d min"), (int) hours, (int) minutes);
  /* Translators: a duration, e.g. "45 min". */
  return g_strdup_printf (_("%d min"), (int) MAX (minutes, 1));
}

char *
bd_complaint_format_sla (const BdComplaint *complaint,
                         gint64             now)
{
  BdSlaClock clock;

  g_return_val_if_fail (complaint != NULL, NULL);

  bd_sla_clock_compute (complaint, now, &clock);
  if (complaint->status == BD_COMPLAINT_STATUS_REJECTED)
    return g_strdup (_("No service time: rejected"));

  if (clock.overdue)
    {
      g_autofree char *late = bd_format_duration (-clock.remaining_s);
      g_autofree char *owed = bd_format_paise (clock.compensation_paise);

      if (clock.compensation_paise > 0)
        /* Translators: how late, then the compensation owed, e.g. "Overdue by 1 day 2 h · ₹50.00 owed". */
        return g_strdup_printf (_("Overdue by %s · %s owed"), late, owed);
      /* Translators: e.g. "Overdue by 3 h 5 min". */
      return g_strdup_printf (_("Overdue by %s"), late);
    }

  if (!clock.running && bd_complaint_status_is_open (complaint->status))
    {
      g_autofree char *left = bd_format_duration (clock.remaining_s);

      /* Translators: the clock is stopped while waiting for the consumer; %s is the time still left. */
      return g_strdup_printf (_("Clock paused · %s left"), left);
    }
  if (!clock.running)
    return g_strdup (_("Resolved within time"));

  {
    g_autofree char *left = bd_format_duration (clock.remaining_s);

    /* Translators: time left to resolve, e.g. "2 h 10 min left". */
    return g_strdup_printf (_("%s left"), left);
  }
}

const char *
bd_complaint_sla_css_class (const BdComplaint *complaint,
                            gint64             now)
{
  BdSlaClock clock;

  bd_sla_clock_compute (complaint, now, &clock);
  if (clock.overdue)
    return "negative";
  if (bd_complaint_status_is_open (complaint->status) &&
      (!clock.running || clock.remaining_s <= DUE_SOON_S))
    return "emergency";
  return "ok";
}

char *
bd_complaint_format_pending (BdConsumerStore         *store,
                             const BdStoredComplaint *stored)
{
  g_autoptr(BdOutboxItem) item = NULL;

  if (store == NULL || stored->outbox_seq <= 0)
    return NULL;
  item = bd_consumer_store_outbox_get (store, stored->outbox_seq, NULL);
  if (item == NULL || item->state == BD_OUTBOX_STATE_DONE)
    return NULL;
  return bd_outbox_item_describe_state (item);
}

char *
bd_complaint_format_number (const BdStoredComplaint *stored)
{
  if (stored->provisional_number != NULL && *stored->provisional_number != '\0' &&
      g_strcmp0 (stored->provisional_number, stored->complaint->number) != 0)
    /* Translators: the final complaint number, then the provisional one the desk gave before. */
    return g_strdup_printf (_("%s (was %s)"), stored->complaint->number, stored->provisional_number);
  return g_strdup (stored->complaint->number);
}

GtkWidget *
bd_mnemonic_button_new (const char *label)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *child = gtk_label_new_with_mnemonic (label);
  g_autoptr(GString) plain = g_string_new (NULL);

  /* A label child rather than the label property, and no mnemonic widget
   * (the label activates the button it is in): GTK 4.8 names a labelled
   * button twice ("_Label Label") on the accessibility bus. */
  gtk_button_set_child (GTK_BUTTON (button), child);
  for (const char *p = label; *p != '\0'; p++)
    if (*p != '_')
      g_string_append_c (plain, *p);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, plain->str, -1);
  return button;
}

const char *
bd_role_label (BdRole role)
{
  switch (role)
    {
    case BD_ROLE_OPERATOR:
      return _("Operator");
    case BD_ROLE_AGENT:
      return _("Call-centre agent");
    case BD_ROLE_SUPERVISOR:
      return _("Supervisor");
    case BD_ROLE_ADMIN:
      return _("Administrator");
    default:
      return _("Staff");
    }
}

void
bd_password_row_name_toggle (GtkWidget *row)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new ();

  g_ptr_array_add (pending, row);
  while (pending->len > 0)
    {
      GtkWidget *widget = g_ptr_array_steal_index (pending, pending->len - 1);

      /* The toggle is a GtkImage with a click gesture and the button role. */
      if (widget != row && (GTK_IS_BUTTON (widget) ||
                            gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (widget)) == GTK_ACCESSIBLE_ROLE_BUTTON))
        {
          gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          _("Show the password"), -1);
          continue;
        }
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        g_ptr_array_add (pending, child);
    }
}
