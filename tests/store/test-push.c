/* test-push.c: the push worker against the real bijli-central binary
 * ($BIJLI_CENTRAL): an edit queued while the server is down arrives exactly
 * once when it comes back; replaying its Idempotency-Key applies nothing
 * again; a refused item ends "rejected" with the server's message; an edit
 * of a field another desk changed first ends "conflict".
 *
 * The steps share one server and one desk store and run in order.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "core/bd-codec.h"
#include "net/bd-push-worker.h"

#define N_DEMO_CONSUMERS 200
#define WAIT_TIMEOUT_S   30

static struct {
  char            *dir;
  char            *central_db;
  char            *store_path;
  char            *port;
  char            *url;
  GSubprocess     *server;
  BdClient        *client;
  BdConsumerStore *store;
  BdPushWorker    *worker;
  GHashTable      *states;     /* seq → last BdOutboxState seen + 1 */
  char            *account_a;
  char            *account_b;
  gint64           seq_a;
} state;

static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
server_start (const char *port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GOutputStream) sink = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  const char *exe = g_getenv ("BIJLI_CENTRAL");
  const char *argv[] = {
    exe, "--demo", "--consumers", G_STRINGIFY (N_DEMO_CONSUMERS), "--port", port,
    "--db", state.central_db, NULL,
  };
  g_autofree char *url = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  state.server = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (state.server));
  while (url == NULL)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        g_error ("bijli-central exited before it printed its address");
      if (g_str_has_prefix (line, "Listening on "))
        url = g_strdup (line + strlen ("Listening on "));
    }
  g_assert_true (g_str_has_prefix (url, "http://127.0.0.1:"));
  if (state.url == NULL)
    {
      state.url = g_strdup (url);
      state.port = g_strdup (strrchr (url, ':') + 1);
    }
  g_assert_cmpstr (url, ==, state.url);

  sink = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (sink, G_INPUT_STREAM (out),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, NULL, NULL, NULL);
}

static void
server_stop (void)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (state.server, SIGTERM);
  g_assert_true (g_subprocess_wait (state.server, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (state.server));
  g_assert_cmpint (g_subprocess_get_exit_status (state.server), ==, 0);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&state.server);
}

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

static gboolean
on_wait_timeout_cb (gpointer user_data)
{
  g_error ("Timed out waiting for %s", (const char *) user_data);
  return G_SOURCE_REMOVE;
}

static int
seen_state (gint64 seq)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (state.states, &seq)) - 1;
}

/* Runs the main loop until item seq has been seen in wanted. */
static void
wait_for_state (gint64         seq,
                BdOutboxState  wanted)
{
  guint timeout = g_timeout_add_seconds (WAIT_TIMEOUT_S, on_wait_timeout_cb,
                                         (gpointer) bd_outbox_state_to_string (wanted));

  while (seen_state (seq) != (int) wanted)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
}

static void
on_item_changed_cb (BdPushWorker *worker,
                    gint64        seq,
                    int           item_state,
                    gpointer      user_data)
{
  gint64 *key = g_new (gint64, 1);

  *key = seq;
  g_hash_table_replace (state.states, key, GINT_TO_POINTER (item_state + 1));
}

static void
sign_in (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(BdSession) session = NULL;

  bd_client_sign_in_async (state.client, "operator", "bijli-operator", NULL, on_done_cb, &result);
  session = bd_client_sign_in_finish (state.client, wait_for (&result), &error);
  g_assert_no_error (error);
}

static BdIndexing *
get_indexing (const char *account)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  BdIndexing *indexing;

  bd_client_get_indexing_async (state.client, account, NULL, on_done_cb, &result);
  indexing = bd_client_get_indexing_finish (state.client, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bd_indexing_get_account (indexing), ==, account);
  return indexing;
}

/* How many history entries of account name field. */
static guint
count_history (const char *account,
               const char *field,
               const char *by)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  guint n = 0;

  bd_client_get_history_async (state.client, account, 200, NULL, on_done_cb, &result);
  entries = bd_client_get_history_finish (state.client, wait_for (&result), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    {
      BdHistoryEntry *entry = g_ptr_array_index (entries, i);

      if (g_strcmp0 (entry->field, field) == 0 && g_strcmp0 (entry->by, by) == 0)
        n++;
    }
  return n;
}

static JsonNode *
send_json (const char  *method,
           const char  *path,
           const char  *key,
           const char  *body,
           guint       *out_status,
           GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) node = bd_json_parse (body, -1, NULL);

  bd_client_send_json_async (state.client, method, path, key, node, NULL, on_done_cb, &result);
  return bd_client_send_json_finish (state.client, wait_for (&result), out_status, error);
}

static void
wait_until_drained (void)
{
  guint timeout = g_timeout_add_seconds (WAIT_TIMEOUT_S, on_wait_timeout_cb, (gpointer) "the outbox to drain");

  while (bd_push_worker_get_pending (state.worker) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
}

static void
test_setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(BdChangesPage) page = NULL;

  server_start ("0");
  state.client = bd_client_new (state.url, &error);
  g_assert_no_error (error);
  sign_in ();

  bd_client_fetch_changes_async (state.client, NULL, 10, NULL, on_done_cb, &result);
  page = bd_client_fetch_changes_finish (state.client, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->consumers->len, >=, 2);
  state.account_a = g_strdup (bd_consumer_get_account (g_ptr_array_index (page->consumers, 0)));
  state.account_b = g_strdup (bd_consumer_get_account (g_ptr_array_index (page->consumers, 1)));

  state.store = bd_consumer_store_open (state.store_path, &error);
  g_assert_no_error (error);
  g_assert_true (bd_consumer_store_apply_page (state.store, page, &error));
  g_assert_no_error (error);

  state.worker = bd_push_worker_new (state.client, state.store);
  g_signal_connect (state.worker, "item-changed", G_CALLBACK (on_item_changed_cb), NULL);
}

/* Saved while the server is down: the worker tries, keeps it queued with
 * the reason, and sends it once the server is back. It arrives once. */
static void
test_queued_offline_arrives_once (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdIndexing) before = get_indexing (state.account_a);
  g_autoptr(BdIndexing) after = bd_indexing_copy (before);
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(BdOutboxItem) item = NULL;
  g_autoptr(BdIndexing) server_after = NULL;
  g_autoptr(BdIndexing) local = NULL;
  g_autoptr(BdConsumer) consumer = NULL;

  g_assert_true (bd_consumer_store_cache_indexing (state.store, before, &error));
  server_stop ();

  bd_indexing_set_email (after, "sita.devi@example.in");
  bd_indexing_set_pole (after, "P-PUSH-1");
  changes = bd_indexing_diff (before, after);
  g_assert_cmpuint (changes->len, ==, 2);
  state.seq_a = bd_consumer_store_save_indexing (state.store, after, changes, "operator", &error);
  g_assert_no_error (error);
  g_assert_cmpint (state.seq_a, >, 0);

  bd_push_worker_start (state.worker);
  g_assert_cmpint (bd_push_worker_get_pending (state.worker), ==, 1);
  wait_for_state (state.seq_a, BD_OUTBOX_STATE_SENDING);
  wait_for_state (state.seq_a, BD_OUTBOX_STATE_QUEUED);
  item = bd_consumer_store_outbox_get (state.store, state.seq_a, &error);
  g_assert_no_error (error);
  g_assert_cmpint (item->state, ==, BD_OUTBOX_STATE_QUEUED);
  g_assert_cmpint (item->attempts, >=, 1);
  g_assert_nonnull (item->last_error);
  g_assert_cmpint (item->next_attempt_at, >, 0);
  g_assert_cmpint (bd_push_worker_get_pending (state.worker), ==, 1);
  /* Shown on this desk already, while only queued. */
  local = bd_consumer_store_load_indexing (state.store, state.account_a, &error);
  g_assert_cmpstr (bd_indexing_get_email (local), ==, "sita.devi@example.in");
  consumer = bd_consumer_store_lookup (state.store, state.account_a, &error);
  g_assert_cmpstr (bd_consumer_get_pole (consumer), ==, "P-PUSH-1");
  g_clear_object (&local);

  server_start (state.port);
  bd_push_worker_kick (state.worker);
  wait_for_state (state.seq_a, BD_OUTBOX_STATE_DONE);
  wait_until_drained ();

  g_clear_pointer (&item, bd_outbox_item_free);
  item = bd_consumer_store_outbox_get (state.store, state.seq_a, &error);
  g_assert_cmpint (item->state, ==, BD_OUTBOX_STATE_DONE);
  g_assert_nonnull (item->result);

  server_after = get_indexing (state.account_a);
  g_assert_cmpstr (bd_indexing_get_email (server_after), ==, "sita.devi@example.in");
  g_assert_cmpstr (bd_indexing_get_pole (server_after), ==, "P-PUSH-1");
  g_assert_cmpint (bd_indexing_get_version (server_after), ==, bd_indexing_get_version (before) + 1);
  g_assert_cmpuint (count_history (state.account_a, "email", "operator"), ==, 1);
  g_assert_cmpuint (count_history (state.account_a, "pole", "operator"), ==, 1);

  /* The cache now holds the server's copy. */
  local = bd_consumer_store_load_indexing (state.store, state.account_a, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bd_indexing_get_version (local), ==, bd_indexing_get_version (server_after));
}

static void
test_replay_does_not_reapply (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) mismatch_error = NULL;
  g_autoptr(BdOutboxItem) item = bd_consumer_store_outbox_get (state.store, state.seq_a, NULL);
  g_autoptr(BdIndexing) before = get_indexing (state.account_a);
  g_autoptr(BdIndexing) after = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonNode) mismatch = NULL;
  g_autoptr(JsonNode) stored = NULL;
  g_autoptr(BdIndexing) stored_indexing = NULL;
  g_autoptr(BdIndexing) replayed_indexing = NULL;
  guint status = 0;

  answer = send_json (item->method, item->path, item->idem_key, item->body, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);

  /* The stored original answer, not a second application. */
  stored = bd_json_parse (item->result, -1, &error);
  g_assert_no_error (error);
  g_assert_true (bd_indexing_patch_result_from_json (stored, &stored_indexing, NULL, NULL, &error));
  g_assert_true (bd_indexing_patch_result_from_json (answer, &replayed_indexing, NULL, NULL, &error));
  g_assert_cmpint (bd_indexing_get_version (replayed_indexing), ==, bd_indexing_get_version (stored_indexing));

  after = get_indexing (state.account_a);
  g_assert_cmpint (bd_indexing_get_version (after), ==, bd_indexing_get_version (before));
  g_assert_cmpuint (count_history (state.account_a, "email", "operator"), ==, 1);

  /* The same key with another body is refused. */
  mismatch = send_json (item->method, item->path, item->idem_key,
                        "{\"changes\":{\"email\":{\"from\":null,\"to\":\"x@example.in\"}}}",
                        &status, &mismatch_error);
  g_assert_null (mismatch);
  g_assert_cmpuint (status, ==, 422);
  g_assert_error (mismatch_error, BD_NET_ERROR, BD_NET_ERROR_INVALID_REQUEST);
}

/* An item the server refuses (an invalid PAN, as an older desk's rules
 * might have let through) ends rejected with the server's message, and the
 * worker goes on with the next one. */
static void
test_rejected (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdOutboxItem) item = NULL;
  g_autoptr(BdIndexing) server_b = NULL;
  sqlite3 *db = NULL;
  g_autofree char *sql = NULL;
  gint64 seq;

  sql = g_strdup_printf ("INSERT INTO outbox (idem_key, kind, account, method, path, body, "
                         "created_at, created_by, state) VALUES ('test-rejected-1', 'indexing', '%s', "
                         "'PATCH', '/api/v1/consumers/%s/indexing', "
                         "'{\"changes\":{\"pan\":{\"from\":null,\"to\":\"ABCXE1234F\"}}}', 1, 'operator', 'queued')",
                         state.account_b, state.account_b);
  g_assert_cmpint (sqlite3_open (state.store_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  seq = sqlite3_last_insert_rowid (db);
  sqlite3_close (db);

  bd_push_worker_kick (state.worker);
  wait_for_state (seq, BD_OUTBOX_STATE_REJECTED);
  wait_until_drained ();

  item = bd_consumer_store_outbox_get (state.store, seq, &error);
  g_assert_no_error (error);
  g_assert_cmpint (item->state, ==, BD_OUTBOX_STATE_REJECTED);
  g_assert_nonnull (item->last_error);
  g_assert_cmpstr (item->last_error, !=, "");
  g_test_message ("rejected with: %s", item->last_error);

  server_b = get_indexing (state.account_b);
  g_assert_null (bd_indexing_get_pan (server_b));
}

/* Another desk changes the email first; ours, based on the old value, is
 * not applied and ends as a conflict; the cache shows the server's value. */
static void
test_conflict (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdIndexing) before = get_indexing (state.account_b);
  g_autoptr(BdIndexing) after = bd_indexing_copy (before);
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(JsonNode) other = NULL;
  g_autoptr(BdOutboxItem) item = NULL;
  g_autoptr(BdIndexing) server_after = NULL;
  g_autoptr(BdIndexing) local = NULL;
  g_autofree char *path = g_strdup_printf ("/api/v1/consumers/%s/indexing", state.account_b);
  guint status = 0;
  gint64 seq;

  g_assert_null (bd_indexing_get_email (before));
  bd_push_worker_stop (state.worker);
  bd_indexing_set_email (after, "desk@example.in");
  changes = bd_indexing_diff (before, after);
  seq = bd_consumer_store_save_indexing (state.store, after, changes, "operator", &error);
  g_assert_no_error (error);

  other = send_json ("PATCH", path, "other-desk-1",
                     "{\"changes\":{\"email\":{\"from\":null,\"to\":\"other@example.in\"}}}",
                     &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);

  bd_push_worker_start (state.worker);
  wait_for_state (seq, BD_OUTBOX_STATE_CONFLICT);
  wait_until_drained ();

  item = bd_consumer_store_outbox_get (state.store, seq, &error);
  g_assert_cmpint (item->state, ==, BD_OUTBOX_STATE_CONFLICT);
  g_assert_nonnull (item->result);
  g_assert_nonnull (strstr (item->result, "\"email\""));

  server_after = get_indexing (state.account_b);
  g_assert_cmpstr (bd_indexing_get_email (server_after), ==, "other@example.in");
  local = bd_consumer_store_load_indexing (state.store, state.account_b, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bd_indexing_get_email (local), ==, "other@example.in");
  g_assert_cmpuint (count_history (state.account_b, "email", "operator"), ==, 1);
}

/* A retry time computed before the desk's clock went back by hours must
 * not hold the outbox for hours: the worker sends it at once, without a
 * kick (a kick ignores the retry time and would hide this). */
static void
test_clock_went_back (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdIndexing) before = get_indexing (state.account_b);
  g_autoptr(BdIndexing) after = bd_indexing_copy (before);
  g_autoptr(GPtrArray) changes = NULL;
  gint64 seq;
  guint timeout;

  bd_push_worker_stop (state.worker);
  g_assert_true (bd_consumer_store_cache_indexing (state.store, before, &error));
  bd_indexing_set_meter_rating (after, "10-60 A");
  changes = bd_indexing_diff (before, after);
  seq = bd_consumer_store_save_indexing (state.store, after, changes, "operator", &error);
  g_assert_no_error (error);
  g_assert_true (bd_consumer_store_outbox_mark (state.store, seq, BD_OUTBOX_STATE_QUEUED, "timed out",
                                                g_get_real_time () / G_USEC_PER_SEC + 6 * 3600, &error));
  g_assert_no_error (error);

  /* Well under the 60 s a wait for the retry time would take first. */
  timeout = g_timeout_add_seconds (10, on_wait_timeout_cb, (gpointer) "an item with a far retry time");
  bd_push_worker_start (state.worker);
  while (seen_state (seq) != BD_OUTBOX_STATE_DONE)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
}

static void
remove_file_and_wal (const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_unlink (file);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("BIJLI_CENTRAL") == NULL)
    {
      g_test_add_func ("/push/skipped", (GTestFunc) g_test_incomplete);
      return g_test_run ();
    }

  state.dir = g_dir_make_tmp ("bd-test-push-XXXXXX", &error);
  g_assert_no_error (error);
  state.central_db = g_build_filename (state.dir, "central.sqlite3", NULL);
  state.store_path = g_build_filename (state.dir, "desk.sqlite3", NULL);
  state.states = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  g_test_add_func ("/push/setup", test_setup);
  g_test_add_func ("/push/queued-offline-arrives-once", test_queued_offline_arrives_once);
  g_test_add_func ("/push/replay-does-not-reapply", test_replay_does_not_reapply);
  g_test_add_func ("/push/rejected", test_rejected);
  g_test_add_func ("/push/conflict", test_conflict);
  g_test_add_func ("/push/clock-went-back", test_clock_went_back);
  status = g_test_run ();

  if (state.worker != NULL)
    bd_push_worker_stop (state.worker);
  g_clear_object (&state.worker);
  g_clear_object (&state.store);
  g_clear_object (&state.client);
  if (state.server != NULL)
    server_stop ();
  remove_file_and_wal (state.central_db);
  remove_file_and_wal (state.store_path);
  g_rmdir (state.dir);
  g_hash_table_unref (state.states);
  g_free (state.account_a);
  g_free (state.account_b);
  g_free (state.central_db);
  g_free (state.store_path);
  g_free (state.url);
  g_free (state.port);
  g_free (state.dir);
  return status;
}
