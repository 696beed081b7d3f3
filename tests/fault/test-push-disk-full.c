/* test-push-disk-full.c: the push worker and the store when the desk's
 * disk is full (a regression found by the fault-injection harness).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "net/bd-client.h"
#include "net/bd-push-worker.h"
#include "store/bd-consumer-store.h"

#include "fault-vfs.h"

static struct
{
  char            *dir;
  GSubprocess     *server;
  char            *url;
  BdClient        *client;
  BdConsumerStore *store;
  char            *account;
} state;

static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
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
on_timeout_cb (gpointer user_data)
{
  g_error ("Timed out waiting for %s", (const char *) user_data);
  return G_SOURCE_REMOVE;
}

static void
on_disk_back_cb (gpointer user_data)
{
  fault_vfs_set_full (FALSE);
}

static void
test_setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GOutputStream) sink = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) page_result = NULL;
  g_autoptr(BdSession) session = NULL;
  g_autoptr(BdChangesPage) page = NULL;
  g_autofree char *db = g_build_filename (state.dir, "central.sqlite3", NULL);
  g_autofree char *store = g_build_filename (state.dir, "desk.sqlite3", NULL);
  const char *argv[] = { g_getenv ("BIJLI_CENTRAL"), "--demo", "--consumers", "20", "--port", "0",
                         "--db", db, NULL };

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  state.server = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (state.server));
  while (state.url == NULL)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (g_str_has_prefix (line, "Listening on "))
        state.url = g_strdup (line + strlen ("Listening on "));
    }
  sink = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (sink, G_INPUT_STREAM (out),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, NULL, NULL, NULL);

  state.client = bd_client_new (state.url, &error);
  g_assert_no_error (error);
  bd_client_sign_in_async (state.client, "operator", "bijli-operator", NULL, on_done_cb, &result);
  session = bd_client_sign_in_finish (state.client, wait_for (&result), &error);
  g_assert_no_error (error);

  bd_client_fetch_changes_async (state.client, NULL, 10, NULL, on_done_cb, &page_result);
  page = bd_client_fetch_changes_finish (state.client, wait_for (&page_result), &error);
  g_assert_no_error (error);
  state.account = g_strdup (bd_consumer_get_account (g_ptr_array_index (page->consumers, 0)));
  state.store = bd_consumer_store_open (store, &error);
  g_assert_no_error (error);
  g_assert_true (bd_consumer_store_apply_page (state.store, page, &error));
}

static gint64
save_edit (const char  *email,
           GError     **error)
{
  g_autoptr(BdIndexing) before = bd_consumer_store_load_indexing (state.store, state.account, NULL);
  g_autoptr(BdIndexing) after = NULL;
  g_autoptr(GPtrArray) changes = NULL;

  if (before == NULL)
    {
      before = bd_indexing_new (state.account);
      g_assert_true (bd_consumer_store_cache_indexing (state.store, before, NULL));
    }
  after = bd_indexing_copy (before);
  bd_indexing_set_email (after, email);
  changes = bd_indexing_diff (before, after);
  return bd_consumer_store_save_indexing (state.store, after, changes, "operator", error);
}

/* A save on a full disk fails and leaves nothing: no outbox row, the same
 * local copy; the next save after space came back succeeds. */
static void
test_save_on_full_disk (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdIndexing) local = NULL;
  gint64 queued_before = bd_consumer_store_outbox_count (state.store, BD_OUTBOX_STATE_QUEUED, NULL);
  gint64 seq;

  g_assert_cmpint (save_edit ("first@example.in", &error), >, 0);
  g_assert_no_error (error);

  fault_vfs_set_full (TRUE);
  seq = save_edit ("second@example.in", &error);
  fault_vfs_set_full (FALSE);
  g_assert_cmpint (seq, ==, -1);
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpint (bd_consumer_store_outbox_count (state.store, BD_OUTBOX_STATE_QUEUED, NULL), ==, queued_before + 1);
  local = bd_consumer_store_load_indexing (state.store, state.account, &error);
  g_assert_cmpstr (bd_indexing_get_email (local), ==, "first@example.in");

  g_assert_cmpint (save_edit ("third@example.in", &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (bd_consumer_store_outbox_count (state.store, BD_OUTBOX_STATE_QUEUED, NULL), ==, queued_before + 2);
}

/* The worker cannot mark the first item "sending" while the disk is full.
 * It used to give up until the next kick; it must retry by itself. */
static void
test_worker_retries_after_full_disk (void)
{
  g_autoptr(BdPushWorker) worker = bd_push_worker_new (state.client, state.store);
  guint timeout;

  fault_vfs_set_full (TRUE);
  bd_push_worker_start (worker);
  g_assert_cmpint (bd_push_worker_get_pending (worker), >, 0);
  g_timeout_add_once (300, on_disk_back_cb, NULL);

  timeout = g_timeout_add_seconds (20, on_timeout_cb, (gpointer) "the outbox to drain without a kick");
  while (bd_push_worker_get_pending (worker) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
  g_assert_cmpint (bd_consumer_store_outbox_count (state.store, BD_OUTBOX_STATE_DONE, NULL), ==, 2);
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
      g_test_add_func ("/fault/skipped", (GTestFunc) g_test_incomplete);
      return g_test_run ();
    }
  /* The worker warns, as it should, each time the store cannot write;
   * criticals stay fatal. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL);
  g_assert_true (fault_vfs_register ());
  state.dir = g_dir_make_tmp ("bd-test-disk-full-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/fault/setup", test_setup);
  g_test_add_func ("/fault/save-on-full-disk", test_save_on_full_disk);
  g_test_add_func ("/fault/worker-retries-after-full-disk", test_worker_retries_after_full_disk);
  status = g_test_run ();

  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&state.store);
  g_clear_object (&state.client);
  if (state.server != NULL)
    {
      g_subprocess_send_signal (state.server, SIGTERM);
      g_subprocess_wait (state.server, NULL, NULL);
      g_clear_object (&state.server);
    }
  {
    const char *names[] = { "central.sqlite3", "central.sqlite3-wal", "central.sqlite3-shm",
                            "desk.sqlite3", "desk.sqlite3-wal", "desk.sqlite3-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree char *path = g_build_filename (state.dir, names[i], NULL);

        g_unlink (path);
      }
    g_rmdir (state.dir);
  }
  g_free (state.dir);
  g_free (state.url);
  g_free (state.account);
  return status;
}
