/* test-sync.c: the sync engine against a real bijli-central.
 *
 * Starts the server binary ($BIJLI_CENTRAL) with a demo zone on a free
 * loopback port and a temporary database, pulls the feed into fresh local
 * stores, and checks counts, zones, search, offline behaviour, deltas and
 * resuming after an interrupted pull. The cases run in order and share the
 * server and the stores. The failure table at the end kills the server or
 * cancels at a given progress signal, sequential and pipelined, and checks
 * that the store, its cursor and a resumed pull agree.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>

#include "net/bd-sync-engine.h"

#define N_DEMO_CONSUMERS 1500
#define PAGE_SIZE        200
/* Small pages, so that the failure table has many pages to stop between. */
#define FAIL_PAGE_SIZE   100

typedef struct
{
  GSubprocess *process;
  char        *url;
} Server;

typedef struct
{
  GArray   *applied;   /* gint64 */
  GArray   *totals;    /* gint64 */
  gboolean  off_main_thread;
  guint     stop_at;   /* 1-based signal at which to cancel or kill */
  guint     building_index;    /* ::building-index signals */
  guint     building_at;       /* progress signals before the first of them */
  GCancellable *cancel;
  GSubprocess  *kill;
} Progress;

typedef struct
{
  gboolean pipelined;
  gboolean kill_server;   /* else cancel */
  guint    stop_at;
} FailureCase;

static struct
{
  char            *dir;
  char            *central_db;
  Server           server;
  BdClient        *client;
  BdConsumerStore *store;
  gint64           zone_count;
  GPtrArray       *zone_accounts;   /* every LKO-C account, from the feed */
  GThread         *main_thread;
} state;

static void
on_done_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* A failed assertion aborts the test: the server must not outlive it. */
static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
server_start (Server *server)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GOutputStream) sink = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  const char *exe = g_getenv ("BIJLI_CENTRAL");
  const char *argv[] = {
    exe, "--demo", "--consumers", G_STRINGIFY (N_DEMO_CONSUMERS), "--port", "0",
    "--db", state.central_db, NULL,
  };

  g_assert_nonnull (exe);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  server->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  while (server->url == NULL)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        g_error ("bijli-central exited before it printed its address");
      if (g_str_has_prefix (line, "Listening on "))
        server->url = g_strdup (line + strlen ("Listening on "));
    }
  g_assert_true (g_str_has_prefix (server->url, "http://127.0.0.1:"));

  /* Keep reading whatever else it prints so it never blocks on a full pipe. */
  sink = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (sink, G_INPUT_STREAM (out),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, NULL, NULL, NULL);
}

static void
server_stop (Server *server)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (server->process, SIGTERM);
  g_assert_true (g_subprocess_wait (server->process, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (server->process));
  g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&server->process);
  g_clear_pointer (&server->url, g_free);
}

static BdClient *
signed_in_client (const char *username,
                  const char *password)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(BdSession) session = NULL;

  client = bd_client_new (state.server.url, &error);
  g_assert_no_error (error);
  bd_client_sign_in_async (client, username, password, NULL, on_done_cb, &result);
  session = bd_client_sign_in_finish (client, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bd_session_get_username (session), ==, username);
  return g_steal_pointer (&client);
}

static BdConsumerStore *
open_store (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (state.dir, name, NULL);
  BdConsumerStore *store = bd_consumer_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static void
on_progress_cb (BdSyncEngine *engine,
                gint64        applied,
                gint64        total,
                Progress     *progress)
{
  if (g_thread_self () != state.main_thread)
    progress->off_main_thread = TRUE;
  g_array_append_val (progress->applied, applied);
  g_array_append_val (progress->totals, total);
  if (progress->applied->len != progress->stop_at)
    return;
  if (progress->cancel != NULL)
    g_cancellable_cancel (progress->cancel);
  /* kill() itself rather than g_subprocess_force_exit(), which only sends
   * the signal later from GLib's worker thread: by then the server may
   * have answered the next request. */
  if (progress->kill != NULL)
    g_assert_cmpint (kill ((pid_t) g_ascii_strtoll (g_subprocess_get_identifier (progress->kill),
                                                    NULL, 10),
                           SIGKILL), ==, 0);
}

/* The feed alone unless snapshots: the cases below count its pages. */
static void
on_building_index_cb (BdSyncEngine *engine,
                      Progress     *progress)
{
  if (progress->building_index++ == 0)
    progress->building_at = progress->applied->len;
}

static gint64
pull_full (BdClient        *client,
           BdConsumerStore *store,
           guint            page_size,
           gboolean         pipelined,
           gboolean         snapshots,
           gboolean        *out_snapshot_used,
           Progress        *progress,
           GCancellable    *cancellable,
           GError         **error)
{
  g_autoptr(BdSyncEngine) engine = bd_sync_engine_new (client, store);
  g_autoptr(GAsyncResult) result = NULL;
  gulong handler = 0;
  gint64 applied;

  bd_sync_engine_set_page_size (engine, page_size);
  bd_sync_engine_set_pipelined (engine, pipelined);
  g_assert_true (bd_sync_engine_get_pipelined (engine) == pipelined);
  g_assert_true (bd_sync_engine_get_use_snapshots (engine));
  bd_sync_engine_set_use_snapshots (engine, snapshots);
  if (progress != NULL)
    {
      progress->applied = g_array_new (FALSE, FALSE, sizeof (gint64));
      progress->totals = g_array_new (FALSE, FALSE, sizeof (gint64));
      handler = g_signal_connect (engine, "progress", G_CALLBACK (on_progress_cb), progress);
      g_signal_connect (engine, "building-index", G_CALLBACK (on_building_index_cb), progress);
    }
  bd_sync_engine_pull_async (engine, cancellable, on_done_cb, &result);
  applied = bd_sync_engine_pull_finish (engine, wait_for (&result), error);
  g_clear_signal_handler (&handler, engine);
  if (out_snapshot_used != NULL)
    *out_snapshot_used = bd_sync_engine_get_snapshot_used (engine);
  return applied;
}

static gint64
pull_with (BdClient        *client,
           BdConsumerStore *store,
           guint            page_size,
           gboolean         pipelined,
           Progress        *progress,
           GCancellable    *cancellable,
           GError         **error)
{
  return pull_full (client, store, page_size, pipelined, FALSE, NULL, progress, cancellable, error);
}

static gint64
pull (BdClient        *client,
      BdConsumerStore *store,
      Progress        *progress,
      GCancellable    *cancellable,
      GError         **error)
{
  return pull_with (client, store, PAGE_SIZE, TRUE, progress, cancellable, error);
}

static void
progress_clear (Progress *progress)
{
  g_clear_pointer (&progress->applied, g_array_unref);
  g_clear_pointer (&progress->totals, g_array_unref);
}

/* Every account of the caller's zone after @since (NULL: from the start),
 * straight from the feed. */
static GPtrArray *
feed_accounts_since (BdClient   *client,
                     const char *since)
{
  GPtrArray *accounts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *cursor = g_strdup (since);
  gboolean more = TRUE;

  while (more)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(BdChangesPage) page = NULL;

      bd_client_fetch_changes_async (client, cursor, 1000, NULL, on_done_cb, &result);
      page = bd_client_fetch_changes_finish (client, wait_for (&result), &error);
      g_assert_no_error (error);
      for (guint i = 0; i < page->consumers->len; i++)
        g_ptr_array_add (accounts,
                         g_strdup (bd_consumer_get_account (g_ptr_array_index (page->consumers, i))));
      g_free (cursor);
      cursor = g_strdup (page->next_cursor);
      more = page->has_more;
    }
  return accounts;
}

static GPtrArray *
feed_accounts (BdClient *client)
{
  return feed_accounts_since (client, NULL);
}

static gboolean
search_finds (BdConsumerStore *store,
              const char      *query,
              const char      *account,
              guint            limit,
              gboolean         must_be_first)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = bd_consumer_store_search (store, query, limit, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < results->len; i++)
    {
      if (g_strcmp0 (bd_consumer_get_account (g_ptr_array_index (results, i)), account) == 0)
        return !must_be_first || i == 0;
    }
  return FALSE;
}

static void
test_full_pull (void)
{
  g_autoptr(GError) error = NULL;
  Progress progress = { 0 };
  gint64 applied;
  gint64 count;
  gint64 start = g_get_monotonic_time ();

  state.client = signed_in_client ("operator", "bijli-operator");
  state.store = open_store ("desk-central.sqlite3");

  applied = pull (state.client, state.store, &progress, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("Pulled %" G_GINT64_FORMAT " records in pages of %d in %.2f s",
                  applied, PAGE_SIZE, (g_get_monotonic_time () - start) / 1e6);

  count = bd_consumer_store_count (state.store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (applied, ==, count);
  /* About 90 % of the demo consumers are in Lucknow Central. */
  g_assert_cmpint (count, >, N_DEMO_CONSUMERS / 2);
  g_assert_cmpint (count, <, N_DEMO_CONSUMERS);
  state.zone_count = count;

  g_assert_false (progress.off_main_thread);
  /* One signal per page; a feed may end with an empty page. */
  g_assert_cmpuint (progress.applied->len, >=, (guint) ((count + PAGE_SIZE - 1) / PAGE_SIZE));
  g_assert_cmpuint (progress.applied->len, <=, (guint) ((count + PAGE_SIZE - 1) / PAGE_SIZE) + 1);
  for (guint i = 0; i < progress.applied->len; i++)
    {
      gint64 a = g_array_index (progress.applied, gint64, i);
      gint64 t = g_array_index (progress.totals, gint64, i);

      g_assert_cmpint (a, <=, t);
      g_assert_cmpint (t, ==, count);
      if (i > 0 && i + 1 < progress.applied->len)
        g_assert_cmpint (a, >, g_array_index (progress.applied, gint64, i - 1));
      else if (i > 0)
        g_assert_cmpint (a, >=, g_array_index (progress.applied, gint64, i - 1));
    }
  g_assert_cmpint (g_array_index (progress.applied, gint64, progress.applied->len - 1), ==, count);
  /* A first sync of several pages is a bulk one: its last page builds the
   * indexes, and says so before it starts. */
  g_assert_cmpuint (progress.building_index, ==, 1);
  g_assert_cmpuint (progress.building_at, ==, progress.applied->len - 1);
  progress_clear (&progress);

  {
    g_autofree char *cursor = bd_consumer_store_dup_cursor (state.store, &error);

    g_assert_no_error (error);
    g_assert_nonnull (cursor);
  }
  g_assert_cmpint (bd_consumer_store_get_last_sync (state.store), >, 0);

  state.zone_accounts = feed_accounts (state.client);
  g_assert_cmpint (state.zone_accounts->len, ==, count);
}

/* Row for row, both ways, between two store files. */
static void
assert_same_consumers (const char *a,
                       const char *b)
{
  g_autofree char *path_a = g_build_filename (state.dir, a, NULL);
  g_autofree char *path_b = g_build_filename (state.dir, b, NULL);
  g_autofree char *attach = g_strdup_printf ("ATTACH '%s' AS other", path_b);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_null (strchr (path_b, '\''));
  g_assert_cmpint (sqlite3_open_v2 (path_a, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, attach, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT (SELECT count(*) FROM main.consumers), "
                                       "  (SELECT count(*) FROM (SELECT * FROM main.consumers "
                                       "                         EXCEPT SELECT * FROM other.consumers)) + "
                                       "  (SELECT count(*) FROM (SELECT * FROM other.consumers "
                                       "                         EXCEPT SELECT * FROM main.consumers))",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, state.zone_count);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 1), ==, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static gboolean
has_snapshot_file (const char *store_name)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.snapshot", state.dir, store_name);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* The server has no snapshot until one is asked for: the first desk to
 * ask syncs through the feed, with the same result. */
static void
test_snapshot_first_falls_back (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdConsumerStore) store = open_store ("desk-fallback.sqlite3");
  gboolean used = TRUE;

  g_assert_cmpint (pull_full (state.client, store, PAGE_SIZE, TRUE, TRUE, &used, NULL, NULL, &error), ==,
                   state.zone_count);
  g_assert_no_error (error);
  g_assert_false (used);
  g_assert_false (has_snapshot_file ("desk-fallback.sqlite3"));
  assert_same_consumers ("desk-central.sqlite3", "desk-fallback.sqlite3");
}

/* Until the server has built the snapshot the last request started. */
static void
wait_for_snapshot (BdClient *client)
{
  g_autofree char *path = g_build_filename (state.dir, "probe.snapshot", NULL);

  for (guint i = 0; ; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      gint64 cursor = 0, consumers = 0;

      bd_client_download_snapshot_async (client, bd_consumer_store_latest_schema_version (), path,
                                         NULL, NULL, NULL, on_done_cb, &result);
      if (bd_client_download_snapshot_finish (client, wait_for (&result), &cursor, &consumers, &error))
        {
          g_assert_cmpint (consumers, ==, state.zone_count);
          g_assert_cmpint (cursor, >, 0);
          break;
        }
      g_assert_error (error, BD_NET_ERROR, BD_NET_ERROR_SERVER);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      g_assert_cmpuint (i, <, 600);
      g_usleep (G_USEC_PER_SEC / 20);
    }
  g_remove (path);

  /* Another schema: none. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GAsyncResult) result = NULL;

    bd_client_download_snapshot_async (client, bd_consumer_store_latest_schema_version () + 1, path,
                                       NULL, NULL, NULL, on_done_cb, &result);
    g_assert_false (bd_client_download_snapshot_finish (client, wait_for (&result), NULL, NULL, &error));
    g_assert_error (error, BD_NET_ERROR, BD_NET_ERROR_NOT_FOUND);
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  }
}

/* A new desk's first sync: the snapshot, then the feed from its cursor;
 * the same consumers as a sync through the feed, found the same way. */
static void
test_snapshot_sync (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdConsumerStore) store = open_store ("desk-snapshot.sqlite3");
  g_autofree char *cursor = NULL;
  g_autofree char *feed_cursor = NULL;
  Progress progress = { 0 };
  gboolean used = FALSE;

  wait_for_snapshot (state.client);
  g_assert_cmpint (pull_full (state.client, store, PAGE_SIZE, TRUE, TRUE, &used, &progress, NULL, &error), ==,
                   state.zone_count);
  g_assert_no_error (error);
  g_assert_true (used);
  g_assert_false (has_snapshot_file ("desk-snapshot.sqlite3"));
  g_assert_false (progress.off_main_thread);
  for (guint i = 0; i < progress.applied->len; i++)
    {
      g_assert_cmpint (g_array_index (progress.applied, gint64, i), <=, g_array_index (progress.totals, gint64, i));
      g_assert_cmpint (g_array_index (progress.totals, gint64, i), ==, state.zone_count);
    }
  g_assert_cmpint (g_array_index (progress.applied, gint64, progress.applied->len - 1), ==, state.zone_count);
  progress_clear (&progress);

  assert_same_consumers ("desk-central.sqlite3", "desk-snapshot.sqlite3");
  cursor = bd_consumer_store_dup_cursor (store, &error);
  feed_cursor = bd_consumer_store_dup_cursor (state.store, &error);
  g_assert_cmpstr (cursor, ==, feed_cursor);
  g_assert_false (bd_consumer_store_is_indexing (store));

  {
    g_autoptr(BdConsumer) someone = bd_consumer_store_lookup (state.store,
                                                              g_ptr_array_index (state.zone_accounts, 7),
                                                              &error);

    g_assert_no_error (error);
    g_assert_true (search_finds (store, bd_consumer_get_name_en (someone), bd_consumer_get_account (someone),
                                 100, FALSE));
    g_assert_true (search_finds (store, bd_consumer_get_account (someone), bd_consumer_get_account (someone),
                                 1, TRUE));
  }

  /* A later pull is a delta through the feed, never a snapshot. */
  g_assert_cmpint (pull_full (state.client, store, PAGE_SIZE, TRUE, TRUE, &used, NULL, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_false (used);
}

/* Cancelled while the snapshot downloads: nothing installed, no file
 * left behind, and the next pull starts afresh. */
static void
test_snapshot_cancelled (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdConsumerStore) store = open_store ("desk-snapshot-cancel.sqlite3");
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  Progress progress = { .stop_at = 1, .cancel = cancel };
  gboolean used = TRUE, pristine = FALSE;

  g_assert_cmpint (pull_full (state.client, store, PAGE_SIZE, TRUE, TRUE, &used, &progress, cancel, &error), ==, -1);
  g_assert_error (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED);
  g_clear_error (&error);
  progress_clear (&progress);
  g_assert_false (used);
  g_assert_false (has_snapshot_file ("desk-snapshot-cancel.sqlite3"));
  g_assert_true (bd_consumer_store_is_pristine (store, &pristine, &error));
  g_assert_true (pristine);

  g_assert_cmpint (pull_full (state.client, store, PAGE_SIZE, TRUE, TRUE, &used, NULL, NULL, &error), ==,
                   state.zone_count);
  g_assert_no_error (error);
  g_assert_true (used);
  assert_same_consumers ("desk-central.sqlite3", "desk-snapshot-cancel.sqlite3");
}

static void
test_zones_disjoint (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdClient) east = signed_in_client ("operator.east", "bijli-operator");
  g_autoptr(BdConsumerStore) east_store = open_store ("desk-east.sqlite3");
  g_autoptr(GPtrArray) east_accounts = NULL;
  gint64 east_count;

  g_assert_cmpint (pull (east, east_store, NULL, NULL, &error), >, 0);
  g_assert_no_error (error);
  east_count = bd_consumer_store_count (east_store, &error);
  g_assert_cmpint (state.zone_count + east_count, ==, N_DEMO_CONSUMERS);

  east_accounts = feed_accounts (east);
  g_assert_cmpint (east_accounts->len, ==, east_count);
  for (guint i = 0; i < east_accounts->len; i++)
    {
      const char *account = g_ptr_array_index (east_accounts, i);
      g_autoptr(BdConsumer) in_east = bd_consumer_store_lookup (east_store, account, &error);
      g_autoptr(BdConsumer) in_central = NULL;

      g_assert_no_error (error);
      g_assert_cmpstr (bd_consumer_get_zone (in_east), ==, "LKO-E");
      in_central = bd_consumer_store_lookup (state.store, account, &error);
      g_assert_null (in_central);
      g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND);
      g_clear_error (&error);
    }
  for (guint i = 0; i < state.zone_accounts->len; i += 97)
    {
      g_autoptr(BdConsumer) c = bd_consumer_store_lookup (state.store,
                                                          g_ptr_array_index (state.zone_accounts, i),
                                                          &error);
      g_assert_no_error (error);
      g_assert_cmpstr (bd_consumer_get_zone (c), ==, "LKO-C");
    }
}

static void
check_local_search (void)
{
  g_autoptr(GError) error = NULL;
  guint found_mobile = 0;
  guint found_name = 0;
  guint found_hindi = 0;

  for (guint i = 0; i < state.zone_accounts->len; i += 53)
    {
      const char *account = g_ptr_array_index (state.zone_accounts, i);
      g_autoptr(BdConsumer) server_copy = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(BdConsumer) local = bd_consumer_store_lookup (state.store, account, &error);
      g_autofree char *spaced = g_strdup_printf ("%.4s %.3s-%s", account, account + 4, account + 7);
      const char *mobile = bd_consumer_get_mobile (local);
      const char *name_en = bd_consumer_get_name_en (local);
      const char *name_hi = bd_consumer_get_name_hi (local);

      g_assert_no_error (error);
      g_assert_true (search_finds (state.store, account, account, 10, TRUE));
      g_assert_true (search_finds (state.store, spaced, account, 10, TRUE));

      if (mobile != NULL)
        {
          g_autofree char *plus91 = g_strconcat ("+91 ", mobile, NULL);

          g_assert_true (search_finds (state.store, plus91, account, 50, FALSE));
          found_mobile++;
        }
      if (name_en != NULL && *name_en != '\0')
        {
          g_assert_true (search_finds (state.store, name_en, account, 2000, FALSE));
          found_name++;
        }
      if (name_hi != NULL && *name_hi != '\0')
        {
          g_assert_true (search_finds (state.store, name_hi, account, 2000, FALSE));
          found_hindi++;
        }

      /* Only when the server is up: the local copy equals the server's. */
      if (state.server.process != NULL)
        {
          bd_client_get_consumer_async (state.client, account, NULL, on_done_cb, &result);
          server_copy = bd_client_get_consumer_finish (state.client, wait_for (&result), &error);
          g_assert_no_error (error);
          g_assert_true (bd_consumer_equal (server_copy, local));
        }
    }
  g_assert_cmpuint (found_mobile, >, 0);
  g_assert_cmpuint (found_name, >, 0);
  g_assert_cmpuint (found_hindi, >, 0);
}

static void
test_find_locally (void)
{
  check_local_search ();
}

static void
test_offline (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor_before = bd_consumer_store_dup_cursor (state.store, NULL);
  g_autofree char *cursor_after = NULL;

  server_stop (&state.server);

  check_local_search ();

  g_assert_cmpint (pull (state.client, state.store, NULL, NULL, &error), ==, -1);
  g_assert_error (error, BD_NET_ERROR, BD_NET_ERROR_UNREACHABLE);
  g_clear_error (&error);

  g_assert_cmpint (bd_consumer_store_count (state.store, &error), ==, state.zone_count);
  cursor_after = bd_consumer_store_dup_cursor (state.store, &error);
  g_assert_cmpstr (cursor_after, ==, cursor_before);
}

static void
test_restart_delta_empty (void)
{
  g_autoptr(GError) error = NULL;
  Progress progress = { 0 };

  server_start (&state.server);
  g_clear_object (&state.client);
  state.client = signed_in_client ("operator", "bijli-operator");

  g_assert_cmpint (pull (state.client, state.store, &progress, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (progress.applied->len, ==, 1);
  g_assert_cmpint (g_array_index (progress.applied, gint64, 0), ==, 0);
  g_assert_cmpint (g_array_index (progress.totals, gint64, 0), ==, 0);
  g_assert_cmpuint (progress.building_index, ==, 0);
  progress_clear (&progress);
  g_assert_cmpint (bd_consumer_store_count (state.store, &error), ==, state.zone_count);
}

static void
test_interrupted_pull (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdConsumerStore) store = open_store ("desk-interrupted.sqlite3");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Progress progress = { 0 };
  gint64 second;

  progress.stop_at = 1;
  progress.cancel = cancellable;
  g_assert_cmpint (pull (state.client, store, &progress, cancellable, &error), ==, -1);
  g_assert_error (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (progress.applied->len, ==, 1);
  progress_clear (&progress);

  /* The first page is in, and nothing of the second. */
  g_assert_cmpint (bd_consumer_store_count (store, &error), ==, PAGE_SIZE);

  second = pull (state.client, store, &progress, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (second, ==, state.zone_count - PAGE_SIZE);
  g_assert_cmpint (g_array_index (progress.totals, gint64, 0), ==, state.zone_count - PAGE_SIZE);
  progress_clear (&progress);

  g_assert_cmpint (bd_consumer_store_count (store, &error), ==, state.zone_count);
  for (guint i = 0; i < state.zone_accounts->len; i++)
    {
      g_autoptr(BdConsumer) c = bd_consumer_store_lookup (store,
                                                          g_ptr_array_index (state.zone_accounts, i),
                                                          &error);
      g_assert_no_error (error);
    }
}

static const FailureCase failure_cases[] = {
  { FALSE, TRUE,  1 }, { FALSE, TRUE,  3 }, { FALSE, TRUE,  5 },
  { FALSE, FALSE, 1 }, { FALSE, FALSE, 3 }, { FALSE, FALSE, 5 },
  { TRUE,  TRUE,  1 }, { TRUE,  TRUE,  3 }, { TRUE,  TRUE,  5 },
  { TRUE,  FALSE, 1 }, { TRUE,  FALSE, 3 }, { TRUE,  FALSE, 5 },
};

static void
server_restart_after_kill (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_wait (state.server.process, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (state.server.process));
  g_assert_cmpint (g_subprocess_get_term_sig (state.server.process), ==, SIGKILL);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&state.server.process);
  g_clear_pointer (&state.server.url, g_free);

  server_start (&state.server);
  g_clear_object (&state.client);
  state.client = signed_in_client ("operator", "bijli-operator");
}

/* Stops a first pull at a progress signal, then checks that the store, its
 * cursor and the feed agree and that a second pull completes the zone. */
static void
test_failure (gconstpointer user_data)
{
  const FailureCase *fc = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("desk-fail-%d-%d-%u.sqlite3",
                                           fc->pipelined, fc->kill_server, fc->stop_at);
  g_autoptr(BdConsumerStore) store = open_store (name);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) missing = NULL;
  g_autofree char *cursor = NULL;
  Progress progress = { 0 };
  Progress resumed = { 0 };
  guint signals;
  gint64 last;
  gint64 count;

  /* Every page before and after the stop must be a full one. */
  g_assert_cmpint (state.zone_count, >, (fc->stop_at + 2) * FAIL_PAGE_SIZE);

  progress.stop_at = fc->stop_at;
  if (fc->kill_server)
    progress.kill = state.server.process;
  else
    progress.cancel = cancellable;
  g_assert_cmpint (pull_with (state.client, store, FAIL_PAGE_SIZE, fc->pipelined,
                              &progress, cancellable, &error), ==, -1);
  if (fc->kill_server)
    g_assert_error (error, BD_NET_ERROR, BD_NET_ERROR_UNREACHABLE);
  else
    g_assert_error (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED);
  g_clear_error (&error);

  /* A cancel stops right after the page being reported, and so does a dead
   * server when nothing is fetched ahead. Pipelined, the page fetched
   * ahead may already be in and is then applied, and reported, too. */
  signals = progress.applied->len;
  if (fc->pipelined && fc->kill_server)
    {
      g_assert_cmpuint (signals, >=, fc->stop_at);
      g_assert_cmpuint (signals, <=, fc->stop_at + 1);
    }
  else
    {
      g_assert_cmpuint (signals, ==, fc->stop_at);
    }
  for (guint i = 0; i < signals; i++)
    g_assert_cmpint (g_array_index (progress.applied, gint64, i), ==,
                     (gint64) (i + 1) * FAIL_PAGE_SIZE);
  last = g_array_index (progress.applied, gint64, signals - 1);
  g_test_message ("stopped at signal %u, %u signals, %" G_GINT64_FORMAT " applied",
                  fc->stop_at, signals, last);
  progress_clear (&progress);

  count = bd_consumer_store_count (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count, ==, last);

  if (fc->kill_server)
    server_restart_after_kill ();

  /* The stored cursor points exactly past what is stored: the feed after
   * it holds all the rest, and nothing the store already has. */
  cursor = bd_consumer_store_dup_cursor (store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cursor);
  missing = feed_accounts_since (state.client, cursor);
  g_assert_cmpint (missing->len, ==, state.zone_count - count);
  for (guint i = 0; i < missing->len; i++)
    {
      g_autoptr(BdConsumer) c = bd_consumer_store_lookup (store,
                                                          g_ptr_array_index (missing, i),
                                                          &error);
      g_assert_null (c);
      g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND);
      g_clear_error (&error);
    }

  g_assert_cmpint (pull_with (state.client, store, FAIL_PAGE_SIZE, fc->pipelined,
                              &resumed, NULL, &error), ==, state.zone_count - count);
  g_assert_no_error (error);
  g_assert_cmpint (g_array_index (resumed.totals, gint64, 0), ==, state.zone_count - count);
  progress_clear (&resumed);

  g_assert_cmpint (bd_consumer_store_count (store, &error), ==, state.zone_count);
  g_assert_no_error (error);
  for (guint i = 0; i < state.zone_accounts->len; i++)
    {
      g_autoptr(BdConsumer) c = bd_consumer_store_lookup (store,
                                                          g_ptr_array_index (state.zone_accounts, i),
                                                          &error);
      g_assert_no_error (error);
      g_assert_nonnull (c);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int result;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("BIJLI_CENTRAL") == NULL)
    {
      g_test_skip ("BIJLI_CENTRAL is not set to the bijli-central binary");
      return g_test_run ();
    }

  state.main_thread = g_thread_self ();
  state.dir = g_dir_make_tmp ("bd-test-sync-XXXXXX", &error);
  g_assert_no_error (error);
  state.central_db = g_build_filename (state.dir, "central.sqlite3", NULL);
  server_start (&state.server);

  g_test_add_func ("/sync/full-pull", test_full_pull);
  g_test_add_func ("/sync/snapshot/first-falls-back", test_snapshot_first_falls_back);
  g_test_add_func ("/sync/snapshot/sync", test_snapshot_sync);
  g_test_add_func ("/sync/snapshot/cancelled", test_snapshot_cancelled);
  g_test_add_func ("/sync/zones-disjoint", test_zones_disjoint);
  g_test_add_func ("/sync/find-locally", test_find_locally);
  g_test_add_func ("/sync/offline", test_offline);
  g_test_add_func ("/sync/restart-delta-empty", test_restart_delta_empty);
  g_test_add_func ("/sync/interrupted-pull", test_interrupted_pull);
  for (gsize i = 0; i < G_N_ELEMENTS (failure_cases); i++)
    {
      const FailureCase *fc = &failure_cases[i];
      g_autofree char *path = g_strdup_printf ("/sync/failure/%s/%s-at-%u",
                                               fc->pipelined ? "pipelined" : "sequential",
                                               fc->kill_server ? "kill-server" : "cancel",
                                               fc->stop_at);

      g_test_add_data_func (path, fc, test_failure);
    }

  result = g_test_run ();

  if (state.server.process != NULL)
    server_stop (&state.server);
  g_clear_object (&state.client);
  g_clear_object (&state.store);
  g_clear_pointer (&state.zone_accounts, g_ptr_array_unref);

  /* Remove the temporary databases (and their WAL files). */
  {
    g_autoptr(GDir) dir = g_dir_open (state.dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (state.dir, name, NULL);
        g_unlink (path);
      }
    g_rmdir (state.dir);
  }
  g_free (state.central_db);
  g_free (state.dir);
  return result;
}
