/* test-prepaid-desk.c: prepaid on the desk against the real bijli-central:
 * the balance, readings and recharge list fetched through the client and
 * kept for offline use; a recharge taken here is pending in one
 * transaction with its outbox item, the push worker gets it credited once
 * (a replayed send credits nothing more), the credited balance replaces
 * the cached one, and a refused recharge stays in the outbox with its
 * reason, never shown as done.
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
#include "core/bd-validate.h"
#include "net/bd-push-worker.h"
#include "net/bd-sync-engine.h"

#define WAIT_TIMEOUT_S 30

static struct {
  char            *dir;
  char            *central_db;
  char            *url;
  GSubprocess     *server;
} state;

static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
server_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GOutputStream) sink = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  const char *argv[] = {
    g_getenv ("BIJLI_CENTRAL"), "--demo", "--consumers", "300", "--port", "0", "--db", state.central_db, NULL,
  };

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  state.server = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (state.server));
  while (state.url == NULL)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        g_error ("bijli-central exited before it printed its address");
      if (g_str_has_prefix (line, "Listening on "))
        state.url = g_strdup (line + strlen ("Listening on "));
    }
  sink = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (sink, G_INPUT_STREAM (out),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, NULL, NULL, NULL);
}

static void
on_done_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_TIMEOUT_S * G_USEC_PER_SEC;

  while (*slot == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return *slot;
}

static BdClient *
signed_in_client (const char *username,
                  const char *password)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(BdSession) session = NULL;
  BdClient *client = bd_client_new (state.url, &error);

  g_assert_no_error (error);
  bd_client_sign_in_async (client, username, password, NULL, on_done_cb, &result);
  session = bd_client_sign_in_finish (client, wait_for (&result), &error);
  g_assert_no_error (error);
  bd_client_set_session (client, session);
  return client;
}

static BdConsumerStore *
new_store (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (state.dir, name, NULL);
  BdConsumerStore *store = bd_consumer_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static void
pull_consumers (BdClient        *client,
                BdConsumerStore *store)
{
  g_autoptr(BdSyncEngine) engine = bd_sync_engine_new (client, store);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  bd_sync_engine_pull_async (engine, NULL, on_done_cb, &result);
  g_assert_cmpint (bd_sync_engine_pull_finish (engine, wait_for (&result), &error), >, 0);
  g_assert_no_error (error);
}


/* An account of the central zone from the server's own database. */
static char *
central_account (const char *where)
{
  g_autofree char *sql = g_strdup_printf ("SELECT account FROM consumers WHERE zone = 'LKO-C' AND %s "
                                          "ORDER BY account LIMIT 1", where);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *account = NULL;

  g_assert_cmpint (sqlite3_open_v2 (state.central_db, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    account = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return account;
}

/* Until the worker has settled the outbox item seq (done or refused). */
static void
drain (BdPushWorker    *worker,
       BdConsumerStore *store,
       gint64           seq)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_TIMEOUT_S * G_USEC_PER_SEC;

  bd_push_worker_kick (worker);
  for (;;)
    {
      g_autoptr(BdOutboxItem) item = bd_consumer_store_outbox_get (store, seq, NULL);

      g_assert_nonnull (item);
      if (item->state == BD_OUTBOX_STATE_DONE || item->state == BD_OUTBOX_STATE_REJECTED)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

static void
test_prepaid_desk (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdClient) client = signed_in_client ("operator", "bijli-operator");
  g_autoptr(BdConsumerStore) store = new_store ("desk.sqlite3");
  g_autoptr(BdPushWorker) worker = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GAsyncResult) r3 = NULL;
  g_autoptr(BdBalance) balance = NULL;
  g_autoptr(BdBalance) cached = NULL;
  g_autoptr(BdBalance) after = NULL;
  g_autoptr(BdReadingSeries) series = NULL;
  g_autoptr(BdReadingSeries) cached_series = NULL;
  g_autoptr(BdRecharge) request = NULL;
  g_autoptr(BdStoredRecharge) taken = NULL;
  g_autoptr(BdStoredRecharge) credited = NULL;
  g_autoptr(BdStoredRecharge) refused = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) server_list = NULL;
  g_autofree char *account = NULL;
  gint64 fetched_at = 0, now = g_get_real_time () / G_USEC_PER_SEC;

  pull_consumers (client, store);
  account = central_account ("meter_type = 'smart' AND supply_status = 'connected'");
  g_assert_nonnull (account);

  bd_client_get_balance_async (client, account, NULL, on_done_cb, &r1);
  balance = bd_client_get_balance_finish (client, wait_for (&r1), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (balance->account, ==, account);
  g_assert_true (bd_consumer_store_save_balance (store, balance, now, &error));
  cached = bd_consumer_store_load_balance (store, account, &fetched_at, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cached->balance_paise, ==, balance->balance_paise);
  g_assert_cmpint (fetched_at, ==, now);

  bd_client_get_readings_async (client, account, BD_READING_STEP_DAY, now - 30 * 86400, now, NULL, on_done_cb, &r2);
  series = bd_client_get_readings_finish (client, wait_for (&r2), &error);
  g_assert_no_error (error);
  g_assert_cmpint (bd_reading_series_get_n_present (series), >=, 29);
  g_assert_true (bd_consumer_store_save_readings (store, series, now, &error));
  cached_series = bd_consumer_store_load_readings (store, account, BD_READING_STEP_DAY, &fetched_at, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bd_reading_series_get_total_wh (cached_series), ==, bd_reading_series_get_total_wh (series));
  g_assert_null (bd_consumer_store_load_readings (store, account, BD_READING_STEP_MONTH, NULL, &error));
  g_assert_no_error (error);

  /* Taken at the counter: pending, with its outbox item, before any send. */
  request = bd_recharge_new (NULL, account);
  request->amount_paise = 50000;
  request->mode = BD_PAYMENT_CASH;
  taken = bd_consumer_store_take_recharge (store, request, "operator", now, &error);
  g_assert_no_error (error);
  g_assert_cmpint (taken->outbox_seq, >, 0);
  g_assert_null (taken->recharge->receipt);
  list = bd_consumer_store_list_recharges (store, account, 10, &error);
  g_assert_cmpint (list->len, ==, 1);
  g_assert_cmpint (((BdStoredRecharge *) g_ptr_array_index (list, 0))->outbox_state, ==, BD_OUTBOX_STATE_QUEUED);

  /* Out of range: refused at the point of entry, nothing written. */
  request->amount_paise = 500;
  g_assert_null (bd_consumer_store_take_recharge (store, request, "operator", now, &error));
  g_assert_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  worker = bd_push_worker_new (client, store);
  bd_push_worker_start (worker);
  drain (worker, store, taken->outbox_seq);
  credited = bd_consumer_store_load_recharge (store, taken->recharge->local_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (credited->recharge->receipt);
  g_assert_true (g_str_has_prefix (credited->recharge->receipt, "RC-LKO-C-"));
  g_assert_cmpint (credited->outbox_state, ==, BD_OUTBOX_STATE_DONE);
  after = bd_consumer_store_load_balance (store, account, NULL, &error);
  g_assert_cmpint (after->balance_paise, ==, credited->recharge->balance_after_paise);
  g_assert_cmpint (after->last_recharge_paise, ==, 50000);

  /* Sent again with the same key (as after a lost answer): one recharge. */
  {
    g_autoptr(BdOutboxItem) item = bd_consumer_store_outbox_get (store, taken->outbox_seq, &error);
    g_autoptr(GAsyncResult) r4 = NULL;
    g_autoptr(JsonNode) body = bd_json_parse (item->body, -1, NULL);
    g_autoptr(JsonNode) answer = NULL;
    guint status = 0;

    bd_client_send_json_async (client, "POST", item->path, item->idem_key, body, NULL, on_done_cb, &r4);
    answer = bd_client_send_json_finish (client, wait_for (&r4), &status, &error);
    g_assert_no_error (error);
    g_assert_cmpint (status, ==, 201);
  }
  bd_client_list_recharges_async (client, account, NULL, on_done_cb, &r3);
  server_list = bd_client_list_recharges_finish (client, wait_for (&r3), &error);
  g_assert_no_error (error);
  g_assert_cmpint (server_list->len, ==, 1);
  g_assert_true (bd_consumer_store_apply_recharges (store, server_list, &error));
  g_clear_pointer (&list, g_ptr_array_unref);
  list = bd_consumer_store_list_recharges (store, account, 10, &error);
  g_assert_cmpint (list->len, ==, 1);

  /* A card payment with an approval code the server will not take (a
   * post-paid meter would do too): refused, kept, never credited. */
  {
    g_autofree char *plain = central_account ("meter_type = 'non_smart'");

    g_assert_nonnull (plain);
    g_free (request->account);
    request->account = g_strdup (plain);
    request->amount_paise = 20000;
    g_clear_pointer (&taken, bd_stored_recharge_free);
    taken = bd_consumer_store_take_recharge (store, request, "operator", now, &error);
    g_assert_no_error (error);
    drain (worker, store, taken->outbox_seq);
    refused = bd_consumer_store_load_recharge (store, taken->recharge->local_id, &error);
    g_assert_no_error (error);
    g_assert_cmpint (refused->outbox_state, ==, BD_OUTBOX_STATE_REJECTED);
    g_assert_null (refused->recharge->receipt);
    g_assert_nonnull (refused->last_error);
  }
  bd_push_worker_stop (worker);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("BIJLI_CENTRAL") == NULL)
    {
      g_test_skip ("BIJLI_CENTRAL is not set");
      return 77;
    }
  state.dir = g_dir_make_tmp ("bijli-prepaid-desk-XXXXXX", &error);
  g_assert_no_error (error);
  state.central_db = g_build_filename (state.dir, "central.sqlite3", NULL);
  server_start ();

  g_test_add_func ("/prepaid-desk/balance-readings-recharges", test_prepaid_desk);
  status = g_test_run ();

  g_subprocess_send_signal (state.server, SIGTERM);
  g_subprocess_wait (state.server, NULL, NULL);
  g_clear_object (&state.server);
  {
    g_autoptr(GDir) dir = g_dir_open (state.dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (state.dir, name, NULL);
        g_unlink (path);
      }
  }
  g_rmdir (state.dir);
  g_free (state.dir);
  g_free (state.central_db);
  g_free (state.url);
  return status;
}
