/* bd-outbox-item.c: a change waiting to be sent, or its outcome.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "bd-outbox-item.h"

G_DEFINE_BOXED_TYPE (BdOutboxItem, bd_outbox_item, bd_outbox_item_copy, bd_outbox_item_free)

static const char * const state_names[] = { "queued", "sending", "done", "rejected", "conflict" };

const char *
bd_outbox_state_to_string (BdOutboxState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (state_names), NULL);
  return state_names[state];
}

gboolean
bd_outbox_state_from_string (const char    *text,
                             BdOutboxState *out)
{
  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_str_equal (state_names[i], text))
      {
        *out = (BdOutboxState) i;
        return TRUE;
      }
  return FALSE;
}

const char *
bd_outbox_state_to_label (BdOutboxState state)
{
  switch (state)
    {
    case BD_OUTBOX_STATE_QUEUED:
      return _("Queued — will be sent when online");
    case BD_OUTBOX_STATE_SENDING:
      return _("Sending…");
    case BD_OUTBOX_STATE_DONE:
      return _("Saved");
    case BD_OUTBOX_STATE_REJECTED:
      return _("Rejected by the server");
    case BD_OUTBOX_STATE_CONFLICT:
      return _("Conflict with a change on the server");
    default:
      g_return_val_if_reached (NULL);
    }
}

BdOutboxItem *
bd_outbox_item_copy (const BdOutboxItem *item)
{
  BdOutboxItem *copy;

  g_return_val_if_fail (item != NULL, NULL);

  copy = g_new0 (BdOutboxItem, 1);
  *copy = *item;
  copy->idem_key = g_strdup (item->idem_key);
  copy->kind = g_strdup (item->kind);
  copy->account = g_strdup (item->account);
  copy->method = g_strdup (item->method);
  copy->path = g_strdup (item->path);
  copy->body = g_strdup (item->body);
  copy->created_by = g_strdup (item->created_by);
  copy->last_error = g_strdup (item->last_error);
  copy->result = g_strdup (item->result);
  return copy;
}

void
bd_outbox_item_free (BdOutboxItem *item)
{
  if (item == NULL)
    return;
  g_free (item->idem_key);
  g_free (item->kind);
  g_free (item->account);
  g_free (item->method);
  g_free (item->path);
  g_free (item->body);
  g_free (item->created_by);
  g_free (item->last_error);
  g_free (item->result);
  g_free (item);
}
