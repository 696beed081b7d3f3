/* bd-outbox-format.c: how the desk words a change in the outbox, on a
 * consumer's page and in the list of changes needing attention.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "core/bd-codec.h"
#include "core/bd-indexing.h"

#include "bd-outbox-format.h"

/* "Email, PAN" from a PATCH body {"changes":{field:…}}. */
char *
bd_outbox_item_describe_fields (const BdOutboxItem *item)
{
  g_autoptr(JsonNode) root = bd_json_parse (item->body, -1, NULL);
  g_autoptr(GString) out = g_string_new (NULL);
  JsonObject *changes = NULL;
  g_autoptr(GList) members = NULL;

  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);

      if (json_object_has_member (object, "changes") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "changes")))
        changes = json_object_get_object_member (object, "changes");
    }
  if (changes != NULL)
    members = json_object_get_members (changes);

  for (GList *l = members; l != NULL; l = l->next)
    {
      if (out->len > 0)
        g_string_append (out, _(", "));
      g_string_append (out, bd_indexing_field_label (l->data));
    }

  return g_strdup (out->str);
}

/* "PAN, Email" from a conflict result [{"field":…}…]. */
static char *
describe_conflicts (const char *result)
{
  g_autoptr(JsonNode) root = result != NULL ? bd_json_parse (result, -1, NULL) : NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  JsonArray *array = NULL;

  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    array = json_node_get_array (root);
  else if (root != NULL && JSON_NODE_HOLDS_OBJECT (root) &&
           json_object_has_member (json_node_get_object (root), "conflicts") &&
           JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (root), "conflicts")))
    array = json_object_get_array_member (json_node_get_object (root), "conflicts");

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *field;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      field = json_object_get_string_member_with_default (json_node_get_object (element), "field", NULL);
      if (field == NULL)
        continue;
      if (out->len > 0)
        g_string_append (out, _(", "));
      g_string_append (out, bd_indexing_field_label (field));
    }

  return out->len > 0 ? g_strdup (out->str) : NULL;
}

char *
bd_outbox_item_describe_state (const BdOutboxItem *item)
{
  switch (item->state)
    {
    case BD_OUTBOX_STATE_REJECTED:
      if (item->last_error != NULL)
        /* Translators: "Rejected by the server", then the server's reason. */
        return g_strdup_printf (_("%s: %s"), bd_outbox_state_to_label (item->state), item->last_error);
      break;
    case BD_OUTBOX_STATE_CONFLICT:
      {
        g_autofree char *fields = describe_conflicts (item->result);

        if (fields != NULL)
          /* Translators: %s lists fields, e.g. "PAN, Email". */
          return g_strdup_printf (_("Conflict: %s changed on the server meanwhile; the server’s value was kept"), fields);
      }
      break;
    case BD_OUTBOX_STATE_QUEUED:
      if (item->last_error != NULL && item->attempts > 0)
        /* Translators: "Queued — will be sent when online", then why the last try failed. */
        return g_strdup_printf (_("%s (last try: %s)"), bd_outbox_state_to_label (item->state), item->last_error);
      break;
    case BD_OUTBOX_STATE_SENDING:
    case BD_OUTBOX_STATE_DONE:
    default:
      break;
    }

  return g_strdup (bd_outbox_state_to_label (item->state));
}

const char *
bd_outbox_kind_label (const char *kind)
{
  if (g_strcmp0 (kind, BD_OUTBOX_KIND_INDEXING) == 0)
    return _("Indexing change");
  if (g_strcmp0 (kind, BD_OUTBOX_KIND_COMPLAINT) == 0)
    return _("New complaint");
  if (g_strcmp0 (kind, BD_OUTBOX_KIND_COMPLAINT_ACTION) == 0)
    return _("Complaint update");
  return _("Change");
}
