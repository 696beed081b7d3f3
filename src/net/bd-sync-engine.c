/* bd-sync-engine.c: pulls the zone's changes feed into the local store.
 *
 * The loop runs as callbacks on the caller's main context. Pages are
 * fetched with the client (decoded in its worker) and applied with the
 * store (in a worker thread), strictly in feed order. When pipelined, the
 * next page is fetched while the current one is applied: at most one page
 * is fetched ahead, so memory stays bounded to two pages whatever the
 * zone's size. The cursor that counts is the one the store committed with
 * the page, so stopping at any point (error, cancel, crash) resumes after
 * the last applied page; a page fetched ahead is simply dropped.
 *
 * A first sync into a pristine store that lives in a file starts with the
 * zone's snapshot when the server has one (see bd-consumer-store-snapshot.c):
 * one SQLite file, copied into the store, after which the feed is pulled
 * from the snapshot's cursor as usual. Without one (an older server, one
 * still preparing it, a failed download or a file that fails its checks),
 * the feed from the start does the whole job, so a snapshot can only make
 * a first sync faster, never stop it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "bd-sync-engine.h"

#define DEFAULT_PAGE_SIZE 500

struct _BdSyncEngine
{
  GObject          parent_instance;

  BdClient        *client;
  BdConsumerStore *store;
  guint            page_size;
  gboolean         pipelined;
  gboolean         use_snapshots;
  gboolean         snapshot_used;   /* by the last pull that finished */
  gboolean         pulling;
};

G_DEFINE_TYPE (BdSyncEngine, bd_sync_engine, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_STORE,
  PROP_PAGE_SIZE,
  PROP_PIPELINED,
  PROP_USE_SNAPSHOTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  PROGRESS,
  BUILDING_INDEX,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Each fetch or apply in flight holds a reference to the task; the task
 * returns once an error is recorded and neither is in flight any more, so
 * a new pull never overlaps a worker of the previous one. */
typedef struct
{
  GCancellable  *cancellable;        /* the caller's, or NULL */
  GCancellable  *fetch_cancellable;  /* follows the caller's; also cancelled by a failed apply */
  gulong         cancelled_id;
  gboolean       pipelined;
  char          *fetch_cursor;       /* what the next fetch asks with */
  gboolean       more_to_fetch;      /* the last fetched page points at another */
  gboolean       fetching;
  BdChangesPage *applying;           /* the page the store is writing */
  BdChangesPage *ready;              /* fetched ahead, waiting for the one before it */
  gint64         applied;
  char          *snapshot_path;      /* where it is downloaded, while it is */
  GError        *error;              /* the first error; nothing is applied after it */
  gboolean       returned;
} PullData;

static void
pull_data_free (PullData *data)
{
  if (data->cancelled_id != 0)
    g_cancellable_disconnect (data->cancellable, data->cancelled_id);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->fetch_cancellable);
  g_free (data->fetch_cursor);
  if (data->snapshot_path != NULL)
    g_unlink (data->snapshot_path);
  g_free (data->snapshot_path);
  g_clear_pointer (&data->applying, bd_changes_page_free);
  g_clear_pointer (&data->ready, bd_changes_page_free);
  g_clear_error (&data->error);
  g_free (data);
}

static void on_page_fetched_cb (GObject      *source,
                                GAsyncResult *result,
                                gpointer      user_data);
static void on_page_applied_cb (GObject      *source,
                                GAsyncResult *result,
                                gpointer      user_data);

/* May run in the thread that cancelled the caller's cancellable. */
static void
on_caller_cancelled_cb (GCancellable *cancellable,
                        gpointer      user_data)
{
  GCancellable *fetch_cancellable = user_data;

  g_cancellable_cancel (fetch_cancellable);
}

static GError *
cancelled_error (void)
{
  return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_CANCELLED,
                              _("Sync was stopped. It will continue from where it "
                                "stopped next time."));
}

/* Keeps the first error only: what follows it (a cancelled fetch ahead,
 * say) is a consequence, not news for the operator. */
static void
record_error (PullData *data,
              GError   *error)
{
  if (data->error == NULL)
    data->error = error;
  else
    g_error_free (error);

  /* A fetch ahead is worthless now; an apply in flight is left to finish
   * so that what it commits stays consistent with its cursor. */
  g_cancellable_cancel (data->fetch_cancellable);
  g_clear_pointer (&data->ready, bd_changes_page_free);
}

static void
maybe_return_error (GTask *task)
{
  BdSyncEngine *self = g_task_get_source_object (task);
  PullData *data = g_task_get_task_data (task);

  if (data->error == NULL || data->returned || data->fetching || data->applying != NULL)
    return;

  data->returned = TRUE;
  self->pulling = FALSE;
  g_task_return_error (task, g_steal_pointer (&data->error));
}

static void
start_apply (GTask         *task,
             BdChangesPage *page)
{
  BdSyncEngine *self = g_task_get_source_object (task);
  PullData *data = g_task_get_task_data (task);

  g_assert (data->applying == NULL);

  data->applying = page;
  /* The page that ends a bulk first sync builds every index of the zone:
   * tens of seconds on a large zone, with no progress to report. */
  if (!page->has_more && bd_consumer_store_is_indexing (self->store))
    g_signal_emit (self, signals[BUILDING_INDEX], 0);
  bd_consumer_store_apply_page_async (self->store, page, data->cancellable,
                                      on_page_applied_cb, g_object_ref (task));
}

static void
maybe_start_fetch (GTask *task)
{
  BdSyncEngine *self = g_task_get_source_object (task);
  PullData *data = g_task_get_task_data (task);

  if (data->fetching || data->ready != NULL || data->error != NULL || !data->more_to_fetch)
    return;
  if (!data->pipelined && data->applying != NULL)
    return;

  data->fetching = TRUE;
  bd_client_fetch_changes_async (self->client, data->fetch_cursor, self->page_size,
                                 data->fetch_cancellable,
                                 on_page_fetched_cb, g_object_ref (task));
}

static void
on_page_applied_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BdSyncEngine *self = g_task_get_source_object (task);
  PullData *data = g_task_get_task_data (task);
  g_autoptr(BdChangesPage) page = g_steal_pointer (&data->applying);
  g_autoptr(GError) error = NULL;

  if (!bd_consumer_store_apply_page_finish (BD_CONSUMER_STORE (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        record_error (data, cancelled_error ());
      else
        record_error (data, g_steal_pointer (&error));
      maybe_return_error (task);
      return;
    }

  data->applied += page->consumers->len;
  g_signal_emit (self, signals[PROGRESS], 0,
                 data->applied, data->applied + MAX (page->remaining, 0));

  if (g_cancellable_is_cancelled (data->cancellable))
    record_error (data, cancelled_error ());
  if (data->error != NULL)
    {
      maybe_return_error (task);
      return;
    }

  if (!page->has_more)
    {
      /* Nothing is fetched after a page that ends the feed. */
      g_assert (!data->fetching && data->ready == NULL);
      data->returned = TRUE;
      self->pulling = FALSE;
      g_task_return_int (task, data->applied);
      return;
    }

  if (data->ready != NULL)
    start_apply (task, g_steal_pointer (&data->ready));
  maybe_start_fetch (task);

  /* The server claims more but its last page gave nowhere to go on from
   * (no cursor, or an empty page that does not move it): asking again
   * would loop forever. */
  if (data->applying == NULL && !data->fetching)
    {
      record_error (data,
                    g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_BAD_RESPONSE,
                                         _("The server sent an answer the desk does "
                                           "not understand (the changes feed does not "
                                           "advance).")));
      maybe_return_error (task);
    }
}

static void
on_page_fetched_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PullData *data = g_task_get_task_data (task);
  GError *error = NULL;
  BdChangesPage *page;
  gboolean stalled;

  data->fetching = FALSE;
  page = bd_client_fetch_changes_finish (BD_CLIENT (source), result, &error);
  if (page == NULL)
    {
      record_error (data, error);
      maybe_return_error (task);
      return;
    }

  if (data->error == NULL && g_cancellable_is_cancelled (data->cancellable))
    record_error (data, cancelled_error ());
  if (data->error != NULL)
    {
      bd_changes_page_free (page);
      maybe_return_error (task);
      return;
    }

  stalled = page->consumers->len == 0 && g_strcmp0 (page->next_cursor, data->fetch_cursor) == 0;
  data->more_to_fetch = page->has_more && !stalled && page->next_cursor != NULL;
  if (data->more_to_fetch)
    {
      g_free (data->fetch_cursor);
      data->fetch_cursor = g_strdup (page->next_cursor);
    }

  if (data->applying == NULL)
    start_apply (task, page);
  else
    data->ready = page;
  maybe_start_fetch (task);
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
    case PROP_PIPELINED:
      g_value_set_boolean (value, self->pipelined);
      break;
    case PROP_USE_SNAPSHOTS:
      g_value_set_boolean (value, self->use_snapshots);
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
    case PROP_PIPELINED:
      bd_sync_engine_set_pipelined (self, g_value_get_boolean (value));
      break;
    case PROP_USE_SNAPSHOTS:
      bd_sync_engine_set_use_snapshots (self, g_value_get_boolean (value));
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
  /* Off only to measure what fetching ahead gains. */
  properties[PROP_PIPELINED] =
    g_param_spec_boolean ("pipelined", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Off only to measure the feed alone, and in tests of the feed. */
  properties[PROP_USE_SNAPSHOTS] =
    g_param_spec_boolean ("use-snapshots", NULL, NULL, TRUE,
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

  /**
   * BdSyncEngine::building-index:
   *
   * The last page of a bulk first sync is being applied: the store builds
   * its indexes and search index now, which on a large zone takes longer
   * than all the pages before it.
   */
  signals[BUILDING_INDEX] =
    g_signal_new ("building-index", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
bd_sync_engine_init (BdSyncEngine *self)
{
  self->page_size = DEFAULT_PAGE_SIZE;
  self->pipelined = TRUE;
  self->use_snapshots = TRUE;
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
bd_sync_engine_set_pipelined (BdSyncEngine *self,
                              gboolean      pipelined)
{
  g_return_if_fail (BD_IS_SYNC_ENGINE (self));

  pipelined = !!pipelined;
  if (self->pipelined == pipelined)
    return;
  self->pipelined = pipelined;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PIPELINED]);
}

gboolean
bd_sync_engine_get_pipelined (BdSyncEngine *self)
{
  g_return_val_if_fail (BD_IS_SYNC_ENGINE (self), FALSE);

  return self->pipelined;
}

void
bd_sync_engine_set_use_snapshots (BdSyncEngine *self,
                                  gboolean      use_snapshots)
{
  g_return_if_fail (BD_IS_SYNC_ENGINE (self));

  use_snapshots = !!use_snapshots;
  if (self->use_snapshots == use_snapshots)
    return;
  self->use_snapshots = use_snapshots;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USE_SNAPSHOTS]);
}

gboolean
bd_sync_engine_get_use_snapshots (BdSyncEngine *self)
{
  g_return_val_if_fail (BD_IS_SYNC_ENGINE (self), FALSE);

  return self->use_snapshots;
}

gboolean
bd_sync_engine_get_snapshot_used (BdSyncEngine *self)
{
  g_return_val_if_fail (BD_IS_SYNC_ENGINE (self), FALSE);

  return self->snapshot_used;
}

/* A snapshot that cannot be had or used is no error: the feed from the
 * start does the same job, only slower. Cancelling is one. */
static void
snapshot_abandoned (GTask  *task,
                    GError *error)
{
  PullData *data = g_task_get_task_data (task);

  if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (data->cancellable))
    {
      record_error (data, cancelled_error ());
      maybe_return_error (task);
      return;
    }
  /* Not the operator's business, and no personal data in it. */
  g_debug ("No zone snapshot, syncing through the feed: %s", error->message);
  maybe_start_fetch (task);
}

static void
on_snapshot_installed_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BdSyncEngine *self = g_task_get_source_object (task);
  PullData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gint64 consumers = 0;

  g_unlink (data->snapshot_path);
  g_clear_pointer (&data->snapshot_path, g_free);
  if (!bd_consumer_store_install_snapshot_finish (BD_CONSUMER_STORE (source), result, &consumers, &error))
    {
      snapshot_abandoned (task, error);
      return;
    }

  data->applied = consumers;
  self->snapshot_used = TRUE;
  g_free (data->fetch_cursor);
  data->fetch_cursor = bd_consumer_store_dup_cursor (self->store, &error);
  if (data->fetch_cursor == NULL)
    {
      record_error (data, error != NULL ? g_steal_pointer (&error)
                                        : g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_BAD_RESPONSE,
                                                               _("The zone snapshot has no sync position.")));
      maybe_return_error (task);
      return;
    }
  g_signal_emit (self, signals[PROGRESS], 0, data->applied, data->applied);
  maybe_start_fetch (task);
}

static void
on_snapshot_downloaded_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BdSyncEngine *self = g_task_get_source_object (task);
  PullData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  BdSession *session = bd_client_get_session (self->client);

  if (!bd_client_download_snapshot_finish (BD_CLIENT (source), result, NULL, NULL, &error))
    {
      snapshot_abandoned (task, error);
      return;
    }
  if (session == NULL || bd_session_get_zone (session) == NULL)
    {
      error = g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_SESSION_EXPIRED, "no session zone");
      snapshot_abandoned (task, error);
      return;
    }
  bd_consumer_store_install_snapshot_async (self->store, data->snapshot_path,
                                            bd_session_get_zone (session), data->cancellable,
                                            on_snapshot_installed_cb, g_object_ref (task));
}

/* Bytes as records, so that the progress bar and its estimate of time
 * left work the same for a snapshot as for the feed. */
static void
on_snapshot_progress_cb (goffset  received,
                         goffset  total,
                         gint64   consumers,
                         gpointer user_data)
{
  GTask *task = user_data;   /* the download holds a reference */
  BdSyncEngine *self = g_task_get_source_object (task);

  if (total <= 0 || consumers <= 0)
    return;
  g_signal_emit (self, signals[PROGRESS], 0,
                 (gint64) (consumers * (double) received / (double) total), consumers);
}

/* Whether this pull may start with a snapshot: a first sync into a
 * pristine store in a file, with a zone to ask for. */
static gboolean
wants_snapshot (BdSyncEngine *self,
                PullData     *data)
{
  g_autoptr(GError) error = NULL;
  BdSession *session = bd_client_get_session (self->client);
  const char *path = bd_consumer_store_get_path (self->store);
  gboolean pristine = FALSE;

  if (!self->use_snapshots || data->fetch_cursor != NULL || session == NULL ||
      bd_session_get_zone (session) == NULL || path == NULL || g_str_equal (path, ":memory:"))
    return FALSE;
  /* A few empty tables: cheap enough here. */
  if (!bd_consumer_store_is_pristine (self->store, &pristine, &error))
    return FALSE;
  return pristine;
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
  data->fetch_cursor = bd_consumer_store_dup_cursor (self->store, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->pipelined = self->pipelined;
  data->more_to_fetch = TRUE;
  data->fetch_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      data->cancellable = g_object_ref (cancellable);
      data->cancelled_id = g_cancellable_connect (cancellable,
                                                  G_CALLBACK (on_caller_cancelled_cb),
                                                  g_object_ref (data->fetch_cancellable),
                                                  g_object_unref);
    }

  self->pulling = TRUE;
  self->snapshot_used = FALSE;
  if (wants_snapshot (self, data))
    {
      data->snapshot_path = g_strconcat (bd_consumer_store_get_path (self->store), ".snapshot", NULL);
      bd_client_download_snapshot_async (self->client, bd_consumer_store_get_schema_version (self->store),
                                         data->snapshot_path, on_snapshot_progress_cb, task,
                                         data->fetch_cancellable, on_snapshot_downloaded_cb,
                                         g_object_ref (task));
      return;
    }
  maybe_start_fetch (task);
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
