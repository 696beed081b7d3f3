/* bd-complaint-sync.c: the complaint feed, page after page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-codec.h"
#include "core/bd-complaint.h"
#include "bd-complaint-sync.h"

typedef struct {
  BdClient        *client;
  BdConsumerStore *store;
  char            *cursor;
  GPtrArray       *page;      /* BdComplaint, being applied */
  char            *next_cursor;
  gboolean         has_more;
  gint64           applied;
} Pull;

static void
pull_free (Pull *pull)
{
  g_clear_object (&pull->client);
  g_clear_object (&pull->store);
  g_free (pull->cursor);
  g_free (pull->next_cursor);
  g_clear_pointer (&pull->page, g_ptr_array_unref);
  g_free (pull);
}

static void fetch_page (GTask *task);

static void
apply_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Pull *pull = task_data;
  g_autoptr(GError) error = NULL;

  if (!bd_consumer_store_apply_complaints (pull->store, pull->page, pull->next_cursor, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_applied_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Pull *pull = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  pull->applied += pull->page->len;
  g_clear_pointer (&pull->page, g_ptr_array_unref);
  g_free (pull->cursor);
  pull->cursor = g_steal_pointer (&pull->next_cursor);

  if (pull->has_more && !g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    fetch_page (g_steal_pointer (&task));
  else
    g_task_return_int (task, pull->applied);
}

/* {"complaints":[…],"next_cursor":"…","has_more":bool} */
static gboolean
decode_page (JsonNode  *root,
             Pull      *pull,
             GError   **error)
{
  JsonObject *object = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  JsonArray *array;
  const char *cursor;

  if (object == NULL || !json_object_has_member (object, "complaints") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "complaints")) ||
      (cursor = json_object_get_string_member_with_default (object, "next_cursor", NULL)) == NULL)
    {
      g_set_error_literal (error, BD_NET_ERROR, BD_NET_ERROR_BAD_RESPONSE,
                           _("The server’s list of complaints could not be read."));
      return FALSE;
    }

  array = json_object_get_array_member (object, "complaints");
  pull->page = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_complaint_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      BdComplaint *complaint = bd_complaint_from_json (json_array_get_element (array, i), error);

      if (complaint == NULL)
        return FALSE;
      g_ptr_array_add (pull->page, complaint);
    }
  pull->next_cursor = g_strdup (cursor);
  pull->has_more = json_object_get_boolean_member_with_default (object, "has_more", FALSE);
  return TRUE;
}

static void
on_page_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Pull *pull = g_task_get_task_data (task);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GTask) apply = NULL;
  g_autoptr(GError) error = NULL;

  root = bd_client_send_json_finish (BD_CLIENT (source), result, NULL, &error);
  if (root == NULL || !decode_page (root, pull, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  apply = g_task_new (NULL, g_task_get_cancellable (task), on_applied_cb, g_object_ref (task));
  g_task_set_source_tag (apply, apply_thread);
  g_task_set_task_data (apply, pull, NULL);
  g_task_run_in_thread (apply, apply_thread);
}

static void
fetch_page (GTask *task)
{
  Pull *pull = g_task_get_task_data (task);
  g_autofree char *path = NULL;

  if (pull->cursor != NULL)
    {
      g_autofree char *escaped = g_uri_escape_string (pull->cursor, NULL, FALSE);

      path = g_strdup_printf ("/api/v1/complaints/changes?limit=%d&since=%s", BD_COMPLAINT_SYNC_PAGE_SIZE, escaped);
    }
  else
    path = g_strdup_printf ("/api/v1/complaints/changes?limit=%d", BD_COMPLAINT_SYNC_PAGE_SIZE);

  bd_client_send_json_async (pull->client, "GET", path, NULL, NULL, g_task_get_cancellable (task),
                             on_page_cb, task);
}

static void
read_cursor_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  Pull *pull = task_data;
  g_autoptr(GError) error = NULL;

  pull->cursor = bd_consumer_store_get_complaint_cursor (pull->store, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_cursor_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  fetch_page (g_steal_pointer (&task));
}

void
bd_complaint_sync_pull_async (BdClient            *client,
                              BdConsumerStore     *store,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) read = NULL;
  Pull *pull;

  g_return_if_fail (BD_IS_CLIENT (client));
  g_return_if_fail (BD_IS_CONSUMER_STORE (store));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, bd_complaint_sync_pull_async);
  pull = g_new0 (Pull, 1);
  pull->client = g_object_ref (client);
  pull->store = g_object_ref (store);
  g_task_set_task_data (task, pull, (GDestroyNotify) pull_free);

  read = g_task_new (NULL, cancellable, on_cursor_cb, g_steal_pointer (&task));
  g_task_set_source_tag (read, read_cursor_thread);
  g_task_set_task_data (read, pull, NULL);
  g_task_run_in_thread (read, read_cursor_thread);
}

gint64
bd_complaint_sync_pull_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bd_complaint_sync_pull_async, -1);

  return g_task_propagate_int (G_TASK (result), error);
}
