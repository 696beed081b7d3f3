/* bd-sync-engine.c: pulls the zone's changes feed into the local store.
 *
 * The loop runs as callbacks on the caller's main context: fetch a page
 * with the client, apply it with the store (in a worker thread), report
 * progress, and go on while the server says there is more. The cursor that
 * counts is the one the store committed with the page, so stopping at any
 * point (error, cancel, crash) resumes after the last applied page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "bd-sync-engine.h"

#define DEFAULT_PAGE_SIZE 500

struct _BdSyncEngine
{
  GObject          parent_instance;

  BdClient        *client;
  BdConsumerStore *store;
  guint            page_size;
  gboolean         pulling;
};

G_DEFINE_TYPE (BdSyncEngine, bd_sync_engine, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_STORE,
  PROP_PAGE_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  char          *cursor;
  gint64         applied;
  BdChangesPage *page;    /* the page being applied */
} PullData;

static void
pull_data_free (PullData *data)
{
  g_free (data->cursor);
  g_clear_pointer (&data->page, bd_changes_page_free);
  g_free (data);
}

static void fetch_next_page (GTask *task);

static void
finish_with_error (GTask  *task,
                   GError *error)
{
  BdSyncEngine *self = g_task_get_source_object (task);

  self->pulling = FALSE;
  g_task_return_error (task, error);
}

static GError *
cancelled_error (void)
{
  return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_CANCELLED,
                              _("Sync was stopped. It will continue from where it "
                                "stopped next time."));
}

static void
on_page_applied_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BdSyncEngine *self = g_task_get_source_object (task);
  PullData *data = g_task_get_task_data (task);
  g_autoptr(BdChangesPage) page = g_steal_pointer (&data->page);
  g_autoptr(GError) error = NULL;
  gboolean stalled;

  if (!bd_consumer_store_apply_page_finish (BD_CONSUMER_STORE (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        finish_with_error (task, cancelled_error ());
      else
        finish_with_error (task, g_steal_pointer (&error));
      return;
    }

  data->applied += page->consumers->len;
  g_signal_emit (self, signals[PROGRESS], 0,
                 data->applied, data->applied + MAX (page->remaining, 0));

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      finish_with_error (task, cancelled_error ());
      return;
    }

  if (!page->has_more)
    {
      self->pulling = FALSE;
      g_task_return_int (task, data->applied);
      return;
    }

  /* An empty page that does not move the cursor yet claims more would
   * loop forever. */
  stalled = page->consumers->len == 0 && g_strcmp0 (page->next_cursor, data->cursor) == 0;
  if (stalled || page->next_cursor == NULL)
    {
      finish_with_error (task,
                         g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_BAD_RESPONSE,
                                              _("The server sent an answer the desk does "
                                                "not understand (the changes feed does not "
                                                "advance).")));
      return;
    }

  g_free (data->cursor);
  data->cursor = g_strdup (page->next_cursor);
  fetch_next_page (g_steal_pointer (&task));
}

static void
on_page_fetched_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BdSyncEngine *self = g_task_get_source_object (task);
  PullData *data = g_task_get_task_data (task);
  GCancellable *cancellable;
  GError *error = NULL;
  BdChangesPage *page;

  page = bd_client_fetch_changes_finish (BD_CLIENT (source), result, &error);
  if (page == NULL)
    {
      finish_with_error (task, error);
      return;
    }

  data->page = page;
  cancellable = g_task_get_cancellable (task);
  bd_consumer_store_apply_page_async (self->store, page, cancellable,
                                      on_page_applied_cb, g_steal_pointer (&task));
}

static void
fetch_next_page (GTask *task)
{
  BdSyncEngine *self = g_task_get_source_object (task);
  PullData *data = g_task_get_task_data (task);

  bd_client_fetch_changes_async (self->client, data->cursor, self->page_size,
                                 g_task_get_cancellable (task),
                                 on_page_fetched_cb, task);
}

static void
bd_sync_engine_dispose (GObject *object)
{
  BdSyncEngine *self = BD_SYNC_ENGINE (object);

  g_clear_object (&self->client);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (bd_sync_engine_parent_class)->dispose (object);
}

static void
bd_sync_engine_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BdSyncEngine *self = BD_SYNC_ENGINE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_PAGE_SIZE:
      g_value_set_uint (value, self->page_size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bd_sync_engine_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BdSyncEngine *self = BD_SYNC_ENGINE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_PAGE_SIZE:
      bd_sync_engine_set_page_size (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bd_sync_engine_class_init (BdSyncEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bd_sync_engine_dispose;
  object_class->get_property = bd_sync_engine_get_property;
  object_class->set_property = bd_sync_engine_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, BD_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, BD_TYPE_CONSUMER_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAGE_SIZE] =
    g_param_spec_uint ("page-size", NULL, NULL, 1, 1000, DEFAULT_PAGE_SIZE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BdSyncEngine::progress:
   * @applied: records applied so far in this pull
   * @total: applied plus the records the server still has to send
   */
  signals[PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT64);
}

static void
bd_sync_engine_init (BdSyncEngine *self)
{
  self->page_size = DEFAULT_PAGE_SIZE;
}

BdSyncEngine *
bd_sync_engine_new (BdClient        *client,
                    BdConsumerStore *store)
{
  g_return_val_if_fail (BD_IS_CLIENT (client), NULL);
  g_return_val_if_fail (BD_IS_CONSUMER_STORE (store), NULL);

  return g_object_new (BD_TYPE_SYNC_ENGINE, "client", client, "store", store, NULL);
}

void
bd_sync_engine_set_page_size (BdSyncEngine *self,
                              guint         page_size)
{
  g_return_if_fail (BD_IS_SYNC_ENGINE (self));

  page_size = CLAMP (page_size, 1, 1000);
  if (self->page_size == page_size)
    return;
  self->page_size = page_size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE_SIZE]);
}

void
bd_sync_engine_pull_async (BdSyncEngine        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  PullData *data;

  g_return_if_fail (BD_IS_SYNC_ENGINE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bd_sync_engine_pull_async);
  g_task_set_check_cancellable (task, FALSE);

  if (self->pulling)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("A sync is already running."));
      return;
    }

  data = g_new0 (PullData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) pull_data_free);

  /* One indexed row: cheap enough to read here rather than in a thread. */
  data->cursor = bd_consumer_store_dup_cursor (self->store, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->pulling = TRUE;
  fetch_next_page (g_steal_pointer (&task));
}

gint64
bd_sync_engine_pull_finish (BdSyncEngine  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (BD_IS_SYNC_ENGINE (self), -1);
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bd_sync_engine_pull_async, -1);

  return g_task_propagate_int (G_TASK (result), error);
}
