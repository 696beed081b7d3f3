/* test-complaints-desk.c: complaints on the desk against the real
 * bijli-central: a complaint filed here is queued with its provisional
 * number in one transaction, the push worker gets it its final number, an
 * action goes the same way, the complaint feed brings other desks'
 * complaints, duplicates are found in the copy offline, and an action the
 * server refuses stays in the outbox with its reason.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>

#include "core/bd-codec.h"
#include "net/bd-complaint-sync.h"
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
    g_getenv ("BIJLI_CENTRAL"), "--demo", "--consumers", "200", "--port", "0", "--db", state.central_db, NULL,
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

static gint64
pull_complaints (BdClient        *client,
                 BdConsumerStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 applied;

  bd_complaint_sync_pull_async (client, store, NULL, on_done_cb, &result);
  applied = bd_complaint_sync_pull_finish (wait_for (&result), &error);
  g_assert_no_error (error);
  return applied;
}

/* Runs a push worker until the outbox has nothing queued or sending. */
static void
push_all (BdClient        *client,
          BdConsumerStore *store)
{
  g_autoptr(BdPushWorker) worker = bd_push_worker_new (client, store);
  gint64 deadline = g_get_monotonic_time () + WAIT_TIMEOUT_S * G_USEC_PER_SEC;

  bd_push_worker_start (worker);
  bd_push_worker_kick (worker);
  while (bd_push_worker_get_pending (worker) > 0 ||
         bd_consumer_store_outbox_count (store, BD_OUTBOX_STATE_QUEUED, NULL) > 0 ||
         bd_consumer_store_outbox_count (store, BD_OUTBOX_STATE_SENDING, NULL) > 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  bd_push_worker_stop (worker);
}

static void
test_file_push_act_pull (void)
{
  g_autoptr(BdClient) agent = signed_in_client ("agent", "bijli-agent");
  g_autoptr(BdClient) operator = signed_in_client ("operator", "bijli-operator");
  g_autoptr(BdConsumerStore) desk = new_store ("desk.db");
  g_autoptr(BdConsumerStore) other = new_store ("other.db");
  g_autoptr(GPtrArray) consumers = NULL;
  g_autoptr(BdStoredComplaint) filed = NULL;
  g_autoptr(BdStoredComplaint) confirmed = NULL;
  g_autoptr(BdStoredComplaint) assigned = NULL;
  g_autoptr(BdStoredComplaint) seen = NULL;
  g_autoptr(BdComplaint) draft = bd_complaint_new ();
  g_autoptr(GPtrArray) duplicates = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GError) error = NULL;
  BdConsumer *consumer;
  gint64 seq;

  pull_consumers (agent, desk);
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(BdChangesPage) page = NULL;

    bd_client_fetch_changes_async (agent, NULL, 5, NULL, on_done_cb, &result);
    page = bd_client_fetch_changes_finish (agent, wait_for (&result), &error);
    g_assert_no_error (error);
    consumers = g_ptr_array_ref (page->consumers);
  }
  g_assert_cmpuint (consumers->len, >, 0);
  consumer = g_ptr_array_index (consumers, 0);

  /* Filed on the desk: provisional, queued, in one go. */
  draft->account = g_strdup (bd_consumer_get_account (consumer));
  draft->zone = g_strdup ("LKO-C");
  draft->category = BD_COMPLAINT_NO_SUPPLY_SINGLE;
  draft->description = g_strdup ("No supply since morning");
  draft->channel = BD_COMPLAINT_CHANNEL_PHONE;
  draft->dt = g_strdup (bd_consumer_get_dt (consumer));
  draft->feeder = g_strdup (bd_consumer_get_feeder (consumer));
  draft->area_type = bd_consumer_get_area_type (consumer);
  filed = bd_consumer_store_file_complaint (desk, draft, "agent", BD_ROLE_AGENT, g_get_real_time () / G_USEC_PER_SEC, &error);
  g_assert_no_error (error);
  g_assert_true (bd_stored_complaint_is_provisional (filed));
  g_assert_true (g_str_has_prefix (filed->complaint->number, "P-"));
  g_assert_cmpint (bd_consumer_store_outbox_count (desk, BD_OUTBOX_STATE_QUEUED, NULL), ==, 1);

  /* Offline, the desk already finds it as the open complaint of that consumer. */
  duplicates = bd_consumer_store_find_duplicate_complaints (desk, BD_COMPLAINT_NO_SUPPLY_SINGLE, draft->account,
                                                            draft->dt, draft->feeder, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (duplicates->len, ==, 1);
  /* A provisional complaint cannot be acted on yet. */
  g_assert_cmpint (bd_consumer_store_queue_complaint_action (desk, filed->complaint->id, BD_COMPLAINT_ACTION_ADD_CALLER,
                                                             NULL, NULL, NULL, NULL, BD_COMPLAINT_CHANNEL_PHONE,
                                                             "agent", &error), ==, -1);
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY);
  g_clear_error (&error);

  push_all (agent, desk);
  confirmed = bd_consumer_store_load_complaint (desk, filed->complaint->id, &error);
  g_assert_null (confirmed);
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  {
    g_autoptr(GPtrArray) mine = bd_consumer_store_list_complaints (desk, draft->account, FALSE, 10, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (mine->len, ==, 1);
    confirmed = bd_stored_complaint_copy (g_ptr_array_index (mine, 0));
  }
  g_assert_false (bd_stored_complaint_is_provisional (confirmed));
  g_assert_true (g_regex_match_simple ("^LKOC-[0-9]{4}-[0-9]{5}$", confirmed->complaint->number, 0, 0));
  g_assert_cmpstr (confirmed->provisional_number, ==, filed->complaint->number);

  /* An agent may not assign: the server refuses; the refusal is kept. */
  seq = bd_consumer_store_queue_complaint_action (desk, confirmed->complaint->id, BD_COMPLAINT_ACTION_ASSIGN,
                                                  "Team A", NULL, NULL, NULL, BD_COMPLAINT_CHANNEL_PHONE, "agent", &error);
  g_assert_no_error (error);
  push_all (agent, desk);
  {
    g_autoptr(BdOutboxItem) item = bd_consumer_store_outbox_get (desk, seq, &error);

    g_assert_cmpint (item->state, ==, BD_OUTBOX_STATE_REJECTED);
    g_assert_nonnull (item->last_error);
    g_assert_cmpint (bd_consumer_store_outbox_count_attention (desk, NULL), ==, 1);
  }

  /* The operator's desk assigns it; the answer updates its copy. */
  pull_consumers (operator, other);
  g_assert_cmpint (pull_complaints (operator, other), >=, 1);
  seen = bd_consumer_store_load_complaint (other, confirmed->complaint->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (seen->complaint->status, ==, BD_COMPLAINT_STATUS_NEW);
  seq = bd_consumer_store_queue_complaint_action (other, seen->complaint->id, BD_COMPLAINT_ACTION_ASSIGN,
                                                  "Lineman Ramesh", NULL, NULL, NULL, BD_COMPLAINT_CHANNEL_COUNTER,
                                                  "operator", &error);
  g_assert_no_error (error);
  push_all (operator, other);
  assigned = bd_consumer_store_load_complaint (other, seen->complaint->id, &error);
  g_assert_cmpint (assigned->complaint->status, ==, BD_COMPLAINT_STATUS_ASSIGNED);
  g_assert_cmpstr (assigned->complaint->assigned_to, ==, "Lineman Ramesh");
  g_assert_cmpint (assigned->outbox_seq, ==, seq);

  /* The agent's desk learns it from the feed, and only what changed. */
  g_assert_cmpint (pull_complaints (agent, desk), ==, 1);
  g_clear_pointer (&seen, bd_stored_complaint_free);
  seen = bd_consumer_store_load_complaint (desk, confirmed->complaint->id, &error);
  g_assert_cmpint (seen->complaint->status, ==, BD_COMPLAINT_STATUS_ASSIGNED);
  g_assert_cmpint (pull_complaints (agent, desk), ==, 0);
  /* The provisional number survived the feed's copy. */
  g_assert_cmpstr (seen->provisional_number, ==, filed->complaint->number);

  outbox = bd_consumer_store_outbox_list (desk, draft->account, 10, &error);
  g_assert_cmpuint (outbox->len, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("BIJLI_CENTRAL") == NULL)
    {
      g_test_skip ("BIJLI_CENTRAL is not set");
      return 77;
    }
  state.dir = g_dir_make_tmp ("bd-test-complaints-XXXXXX", &error);
  g_assert_no_error (error);
  state.central_db = g_build_filename (state.dir, "central.db", NULL);
  server_start ();

  g_test_add_func ("/complaints/desk/file-push-act-pull", test_file_push_act_pull);
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
  return status;
}
