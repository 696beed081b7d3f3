/* bd-history-entry.c: one line of a consumer's change history.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "bd-history-entry.h"
#include "bd-disconnection.h"
#include "bd-indexing.h"

G_DEFINE_BOXED_TYPE (BdHistoryEntry, bd_history_entry,
                     bd_history_entry_copy, bd_history_entry_free)

BdHistoryEntry *
bd_history_entry_new (gint64      at,
                      const char *by,
                      const char *role,
                      const char *action,
                      const char *field,
                      const char *from,
                      const char *to)
{
  BdHistoryEntry *entry = g_new0 (BdHistoryEntry, 1);

  entry->at = at;
  entry->by = g_strdup (by);
  entry->role = g_strdup (role);
  entry->action = g_strdup (action);
  entry->field = g_strdup (field);
  entry->from = g_strdup (from);
  entry->to = g_strdup (to);
  return entry;
}

BdHistoryEntry *
bd_history_entry_copy (const BdHistoryEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);

  return bd_history_entry_new (entry->at, entry->by, entry->role, entry->action,
                               entry->field, entry->from, entry->to);
}

void
bd_history_entry_free (BdHistoryEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->by);
  g_free (entry->role);
  g_free (entry->action);
  g_free (entry->field);
  g_free (entry->from);
  g_free (entry->to);
  g_free (entry);
}

char *
bd_history_entry_describe (const BdHistoryEntry *entry)
{
  const char *none = C_("history value", "none");

  g_return_val_if_fail (entry != NULL, NULL);

  if (g_strcmp0 (entry->action, "mobile_verified") == 0)
    return g_strdup (_("Mobile number verified by OTP"));
  if (g_strcmp0 (entry->action, "mobile_changed") == 0)
    /* Translators: the values are masked mobile numbers, e.g. 98XXXXXX10 */
    return g_strdup_printf (_("Mobile number changed: %s → %s"),
                            entry->from != NULL ? entry->from : none,
                            entry->to != NULL ? entry->to : none);
  if (g_strcmp0 (entry->action, "registered") == 0)
    {
      if (entry->to != NULL)
        /* Translators: %s is the consumer's app username */
        return g_strdup_printf (_("Registered in the app as %s"), entry->to);
      return g_strdup (_("Registered in the app"));
    }
  if (g_strcmp0 (entry->action, "indexing") == 0 && entry->field != NULL)
    /* Translators: "Email: a***@b.in → c***@d.in" */
    return g_strdup_printf (_("%s: %s → %s"),
                            bd_indexing_field_label (entry->field),
                            entry->from != NULL ? entry->from : none,
                            entry->to != NULL ? entry->to : none);

  if (g_strcmp0 (entry->action, "recharge") == 0 && entry->to != NULL)
    /* Translators: %s is an amount, e.g. ₹500.00 */
    return g_strdup_printf (_("Recharge of %s credited"), entry->to);
  if (g_strcmp0 (entry->action, "request") == 0 && entry->from != NULL)
    {
      BdRequestStatus status = BD_REQUEST_PENDING_APPROVAL;

      bd_request_status_from_string (entry->to, &status);
      /* Translators: "Request DR-LKOC-2611-00042 nonpayment: Scheduled" */
      return g_strdup_printf (_("Request %s: %s"), entry->from, bd_request_status_label (status));
    }
  if (g_strcmp0 (entry->action, "supply") == 0)
    return g_strdup (g_strcmp0 (entry->to, "connected") == 0 ? _("Supply reconnected")
                                                               : _("Supply disconnected"));

  return g_strdup (entry->action != NULL ? entry->action : "");
}
