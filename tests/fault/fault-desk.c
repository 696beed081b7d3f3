/* fault-desk.c: the headless desk of the fault-injection harness.
 *
 * The same core library as the app (BdConsumerStore, BdClient,
 * BdPushWorker, BdSyncEngine) on a GMainLoop. It makes random indexing
 * edits through the outbox, pulls the changes feed now and then, and
 * injects the desk's own faults: a full disk (fault-vfs.c), a clock that
 * jumps by hours (gettimeofday is interposed below, which is what
 * g_get_real_time reads), and replays of requests already answered.
 *
 * Every edit the store accepted is appended to the log with fsync before
 * anything else happens, as are injected faults and violations seen here:
 *   A SEQ KEY ACCOUNT SEAL .   an accepted edit (SEAL is unique to it)
 *   F KIND                     a desk-side fault (diskfull, skew, dup)
 *   R TEXT                     a save refused on a full disk that left nothing behind
 *   V TEXT                     an invariant broken on the desk
 *   D ACCOUNT                  (final run) the desk's copy differs from the server's
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/bd-codec.h"
#include "net/bd-client.h"
#include "net/bd-push-worker.h"
#include "net/bd-sync-engine.h"
#include "store/bd-consumer-store.h"

#include "fault-desk.h"
#include "fault-vfs.h"

#define N_ACCOUNTS    24
#define USERNAME      "operator"
#define PASSWORD      "bijli-operator"

typedef struct
{
  GMainLoop       *loop;
  BdClient        *client;
  BdConsumerStore *store;
  BdPushWorker    *push;
  BdSyncEngine    *sync;
  GRand           *rand;
  char            *store_path;
  int              log_fd;
  GPtrArray       *accounts;
  guint64          accepted;
  guint64          target;
  gboolean         final;
  gboolean         signed_in;
  gboolean         pulling;
  gboolean         pulled_once;
  gboolean         fetching;
  guint            final_refreshes;  /* accounts refreshed in the final run */
  gboolean         pulled_after_drain;
  guint            deadline;         /* final run: give up after this */
  int              exit_status;
} Desk;

/* Seconds added to the real clock (clock skew); read by gettimeofday. */
static gint64 skew_s;

int
gettimeofday (struct timeval *tv, void *tz)
{
  static int (*real) (struct timeval *, void *);
  int rc;

  if (real == NULL)
    real = (int (*) (struct timeval *, void *)) dlsym (RTLD_NEXT, "gettimeofday");
  rc = real (tv, tz);
  if (rc == 0)
    tv->tv_sec += (time_t) skew_s;
  return rc;
}

static void
log_line (Desk       *desk,
          const char *format,
          ...) G_GNUC_PRINTF (2, 3);

static void
log_line (Desk       *desk,
          const char *format,
          ...)
{
  va_list args;
  g_autofree char *line = NULL;
  gsize length, done = 0;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  length = strlen (line);
  while (done < length)
    {
      ssize_t n = write (desk->log_fd, line + done, length - done);

      if (n < 0)
        g_error ("Cannot write the log: %s", g_strerror (errno));
      done += (gsize) n;
    }
  if (fsync (desk->log_fd) != 0)
    g_error ("Cannot sync the log: %s", g_strerror (errno));
}

/* Counts the accepted edits of earlier runs, and ends a line a kill cut. */
static void
open_log (Desk       *desk,
          const char *path)
{
  g_autofree char *text = NULL;
  gsize length = 0;

  if (g_file_get_contents (path, &text, &length, NULL))
    {
      g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        if (g_str_has_prefix (lines[i], "A ") && g_str_has_suffix (lines[i], " ."))
          desk->accepted++;
    }
  desk->log_fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (desk->log_fd < 0)
    g_error ("Cannot open the log %s: %s", path, g_strerror (errno));
  if (length > 0 && text[length - 1] != '\n')
    log_line (desk, "\n");
}

static char *
random_digits (GRand *rand,
               guint  n)
{
  GString *text = g_string_sized_new (n);

  for (guint i = 0; i < n; i++)
    g_string_append_c (text, (char) ('0' + g_rand_int_range (rand, 0, 10)));
  return g_string_free (text, FALSE);
}

static char *
random_seal (GRand *rand)
{
  static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  GString *text = g_string_new ("FS-");

  for (guint i = 0; i < 12; i++)
    g_string_append_c (text, alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)]);
  return g_string_free (text, FALSE);
}

static void
load_accounts (Desk *desk)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  /* Read-only and beside the store's own connections: which consumers to
   * edit is the harness's business, not the store API's. */
  if (sqlite3_open_v2 (desk->store_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (db, "SELECT account FROM consumers WHERE zone = 'LKO-C' ORDER BY account LIMIT ?1",
                          -1, &stmt, NULL) != SQLITE_OK)
    g_error ("Cannot read the store's accounts: %s", sqlite3_errmsg (db));
  sqlite3_bind_int (stmt, 1, N_ACCOUNTS);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (desk->accounts, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  if (desk->accounts->len == 0)
    g_error ("The store has no consumers of LKO-C");
}

static char *
indexing_text (BdIndexing *indexing)
{
  g_autoptr(JsonNode) node = NULL;

  if (indexing == NULL)
    return g_strdup ("(none)");
  node = bd_indexing_to_json (indexing);
  return bd_json_to_string (node);
}

static void finish_final (Desk *desk);

static void
on_indexing_fetched_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  Desk *desk = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BdIndexing) indexing = bd_client_get_indexing_finish (BD_CLIENT (source), result, &error);

  desk->fetching = FALSE;
  if (indexing == NULL)
    return;
  if (!bd_consumer_store_cache_indexing (desk->store, indexing, &error))
    g_debug ("Cannot cache an indexing record: %s", error->message);
}

/* One random edit of a random consumer, saved through the outbox. */
static void
make_edit (Desk *desk)
{
  const char *account = g_ptr_array_index (desk->accounts, g_rand_int_range (desk->rand, 0, desk->accounts->len));
  g_autoptr(GError) error = NULL;
  g_autoptr(BdIndexing) before = NULL;
  g_autoptr(BdIndexing) edited = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GPtrArray) outbox_before = NULL;
  g_autoptr(GPtrArray) outbox_after = NULL;
  g_autofree char *seal = random_seal (desk->rand);
  g_autofree char *before_text = NULL;
  const char *seals[] = { seal, NULL };
  gint64 seq;

  before = bd_consumer_store_load_indexing (desk->store, account, &error);
  if (before == NULL)
    {
      /* Edit from the server's copy, as the desk's dialog does. */
      if (!desk->fetching)
        {
          desk->fetching = TRUE;
          bd_client_get_indexing_async (desk->client, account, NULL, on_indexing_fetched_cb, desk);
        }
      return;
    }

  edited = bd_indexing_copy (before);
  bd_indexing_set_seal_numbers (edited, seals);
  if (g_rand_boolean (desk->rand))
    {
      g_autofree char *local = random_digits (desk->rand, 8);
      g_autofree char *email = g_strdup_printf ("c%s@example.in", local);

      bd_indexing_set_email (edited, email);
    }
  if (g_rand_int_range (desk->rand, 0, 3) == 0)
    {
      g_autofree char *rest = random_digits (desk->rand, 9);
      g_autofree char *phone = g_strdup_printf ("9%s", rest);

      bd_indexing_set_alternate_phone (edited, phone);
    }
  if (g_rand_int_range (desk->rand, 0, 4) == 0)
    bd_indexing_set_meter_rating (edited, g_rand_boolean (desk->rand) ? "5-30 A" : "10-60 A");
  if (g_rand_int_range (desk->rand, 0, 4) == 0)
    {
      g_autofree char *pole = g_strdup_printf ("P-%d", g_rand_int_range (desk->rand, 1, 100000));

      bd_indexing_set_pole (edited, pole);
    }
  changes = bd_indexing_diff (before, edited);

  outbox_before = bd_consumer_store_outbox_list (desk->store, account, 100000, NULL);
  before_text = indexing_text (before);
  seq = bd_consumer_store_save_indexing (desk->store, edited, changes, USERNAME, &error);
  if (seq < 0)
    {
      g_autoptr(BdIndexing) now = NULL;
      g_autofree char *now_text = NULL;

      if (!fault_vfs_get_full ())
        {
          log_line (desk, "V save failed with the disk not full: %s\n", error->message);
          return;
        }
      /* Nothing half-written: same local copy, no new outbox row. */
      g_clear_error (&error);
      now = bd_consumer_store_load_indexing (desk->store, account, &error);
      now_text = indexing_text (now);
      outbox_after = bd_consumer_store_outbox_list (desk->store, account, 100000, NULL);
      if (g_strcmp0 (now_text, before_text) != 0 || outbox_after == NULL || outbox_before == NULL ||
          outbox_after->len != outbox_before->len)
        log_line (desk, "V a save that failed on a full disk left a trace\n");
      else
        log_line (desk, "R refused on a full disk, nothing written\n");
      return;
    }

  {
    g_autoptr(BdOutboxItem) item = bd_consumer_store_outbox_get (desk->store, seq, &error);

    if (item == NULL)
      {
        log_line (desk, "V accepted edit %" G_GINT64_FORMAT " not in the outbox\n", seq);
        return;
      }
    log_line (desk, "A %" G_GINT64_FORMAT " %s %s %s .\n", seq, item->idem_key, account, seal);
  }
  desk->accepted++;
  /* The app kicks after each save; sometimes leave it to the backoff. */
  if (g_rand_int_range (desk->rand, 0, 3) != 0)
    bd_push_worker_kick (desk->push);
}

typedef struct
{
  Desk     *desk;
  JsonNode *expected;
} ReplayData;

static void
on_replay_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ReplayData *data = user_data;
  Desk *desk = data->desk;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;
  guint status = 0;

  answer = bd_client_send_json_finish (BD_CLIENT (source), result, &status, &error);
  if (answer != NULL && !json_node_equal (answer, data->expected))
    log_line (desk, "V a replayed request got a different answer\n");
  else if (answer == NULL && status >= 400 && status < 500 && status != 401 && status != 429)
    log_line (desk, "V a replayed request was refused with %u\n", status);
  json_node_unref (data->expected);
  g_free (data);
}

/* Sends an item the server already answered again, with its key: the
 * server must answer what it answered the first time and apply nothing. */
static void
replay_one (Desk *desk)
{
  const char *account = g_ptr_array_index (desk->accounts, g_rand_int_range (desk->rand, 0, desk->accounts->len));
  g_autoptr(GPtrArray) items = bd_consumer_store_outbox_list (desk->store, account, 20, NULL);
  g_autoptr(JsonNode) body = NULL;
  BdOutboxItem *item = NULL;
  ReplayData *data;

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      BdOutboxItem *candidate = g_ptr_array_index (items, i);

      if (candidate->state == BD_OUTBOX_STATE_DONE && candidate->result != NULL)
        {
          item = candidate;
          break;
        }
    }
  if (item == NULL)
    return;

  body = bd_json_parse (item->body, -1, NULL);
  data = g_new0 (ReplayData, 1);
  data->desk = desk;
  data->expected = bd_json_parse (item->result, -1, NULL);
  if (body == NULL || data->expected == NULL)
    {
      log_line (desk, "V an outbox item holds text that is not JSON\n");
      g_clear_pointer (&data->expected, json_node_unref);
      g_free (data);
      return;
    }
  log_line (desk, "F dup\n");
  bd_client_send_json_async (desk->client, item->method, item->path, item->idem_key, body,
                             NULL, on_replay_done_cb, data);
}

static void
on_pulled_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Desk *desk = user_data;
  g_autoptr(GError) error = NULL;

  desk->pulling = FALSE;
  if (bd_sync_engine_pull_finish (BD_SYNC_ENGINE (source), result, &error) < 0)
    return;
  if (!desk->pulled_once)
    {
      desk->pulled_once = TRUE;
      if (desk->accounts->len == 0)
        load_accounts (desk);
    }
}

static void
pull (Desk *desk)
{
  if (desk->pulling)
    return;
  desk->pulling = TRUE;
  bd_sync_engine_pull_async (desk->sync, NULL, on_pulled_cb, desk);
}

static void
on_signed_in_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Desk *desk = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BdSession) session = bd_client_sign_in_finish (BD_CLIENT (source), result, &error);

  desk->fetching = FALSE;
  if (session == NULL)
    return;
  bd_client_set_session (desk->client, session);
  desk->signed_in = TRUE;
  bd_push_worker_start (desk->push);
  pull (desk);
}

static gboolean
on_disk_space_back_cb (gpointer user_data)
{
  fault_vfs_set_full (FALSE);
  return G_SOURCE_REMOVE;
}

static gboolean
on_tick_cb (gpointer user_data)
{
  Desk *desk = user_data;
  guint dice;

  if (!desk->signed_in)
    {
      if (!desk->fetching)
        {
          desk->fetching = TRUE;
          bd_client_sign_in_async (desk->client, USERNAME, PASSWORD, NULL, on_signed_in_cb, desk);
        }
      return G_SOURCE_CONTINUE;
    }
  if (!desk->pulled_once)
    {
      pull (desk);
      return G_SOURCE_CONTINUE;
    }
  if (desk->final)
    {
      finish_final (desk);
      return G_SOURCE_CONTINUE;
    }

  if (desk->accepted >= desk->target)
    {
      /* Enough edits: no more desk faults; exit once everything is sent. */
      skew_s = 0;
      fault_vfs_set_full (FALSE);
      if (bd_push_worker_get_pending (desk->push) == 0)
        g_main_loop_quit (desk->loop);
      else
        bd_push_worker_kick (desk->push);
      return G_SOURCE_CONTINUE;
    }

  make_edit (desk);

  dice = g_rand_int_range (desk->rand, 0, 1000);
  if (dice < 8 && !fault_vfs_get_full ())
    {
      log_line (desk, "F diskfull\n");
      fault_vfs_set_full (TRUE);
      g_timeout_add (g_rand_int_range (desk->rand, 50, 400), on_disk_space_back_cb, NULL);
    }
  else if (dice < 18)
    {
      /* Up to ±6 hours, or back to the right time. */
      skew_s = g_rand_boolean (desk->rand) ? 0 : g_rand_int_range (desk->rand, -6 * 3600, 6 * 3600 + 1);
      log_line (desk, "F skew\n");
    }
  else if (dice < 40)
    replay_one (desk);
  else if (dice < 60)
    pull (desk);
  else if (dice < 70)
    bd_push_worker_kick (desk->push);
  return G_SOURCE_CONTINUE;
}

static void
on_final_indexing_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Desk *desk = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BdIndexing) server = bd_client_get_indexing_finish (BD_CLIENT (source), result, &error);
  g_autoptr(BdIndexing) local = NULL;
  g_autofree char *server_text = NULL;
  g_autofree char *local_text = NULL;

  desk->fetching = FALSE;
  if (server == NULL)
    g_error ("The final run could not read an indexing record: %s", error->message);
  if (!bd_consumer_store_cache_indexing (desk->store, server, &error))
    g_error ("The final run could not cache an indexing record: %s", error->message);
  local = bd_consumer_store_load_indexing (desk->store, bd_indexing_get_account (server), &error);
  server_text = indexing_text (server);
  local_text = indexing_text (local);
  if (g_strcmp0 (server_text, local_text) != 0)
    log_line (desk, "D %s\n", bd_indexing_get_account (server));
  desk->final_refreshes++;
}

/* The final run: no faults; send everything, pull to the end, then
 * refresh every consumer the edits touched and compare. */
static void
finish_final (Desk *desk)
{
  if (bd_push_worker_get_pending (desk->push) > 0)
    {
      bd_push_worker_kick (desk->push);
      return;
    }
  if (desk->pulling || desk->fetching)
    return;
  if (!desk->pulled_after_drain)
    {
      /* One pull after the outbox drained, so the feed holds every edit. */
      desk->pulled_after_drain = TRUE;
      pull (desk);
      return;
    }
  if (desk->final_refreshes < desk->accounts->len)
    {
      desk->fetching = TRUE;
      bd_client_get_indexing_async (desk->client, g_ptr_array_index (desk->accounts, desk->final_refreshes),
                                    NULL, on_final_indexing_cb, desk);
      return;
    }
  g_main_loop_quit (desk->loop);
}

static gboolean
on_final_deadline_cb (gpointer user_data)
{
  Desk *desk = user_data;

  desk->deadline = 0;
  g_printerr ("The final run did not finish in time\n");
  g_main_loop_quit (desk->loop);
  return G_SOURCE_REMOVE;
}

int
fault_desk_main (const char *url,
                 const char *store_path,
                 const char *log_path,
                 guint64     seed,
                 guint64     target,
                 gboolean    final)
{
  Desk desk = { 0, };
  g_autoptr(GError) error = NULL;
  guint32 seed_words[2] = { (guint32) seed, (guint32) (seed >> 32) };
  guint tick;

  if (!fault_vfs_register ())
    g_error ("Cannot register the disk-full VFS");

  desk.loop = g_main_loop_new (NULL, FALSE);
  desk.rand = g_rand_new_with_seed_array (seed_words, G_N_ELEMENTS (seed_words));
  desk.accounts = g_ptr_array_new_with_free_func (g_free);
  desk.store_path = g_strdup (store_path);
  desk.target = target;
  desk.final = final;
  open_log (&desk, log_path);

  desk.store = bd_consumer_store_open (store_path, &error);
  if (desk.store == NULL)
    g_error ("Cannot open the store: %s", error->message);
  desk.client = bd_client_new (url, &error);
  if (desk.client == NULL)
    g_error ("Bad server address: %s", error->message);
  desk.push = bd_push_worker_new (desk.client, desk.store);
  desk.sync = bd_sync_engine_new (desk.client, desk.store);
  bd_sync_engine_set_page_size (desk.sync, 100);

  {
    g_autofree char *cursor = bd_consumer_store_dup_cursor (desk.store, NULL);

    /* A restarted desk edits at once, on its local copy; the first pull
     * of a new store has to come first. */
    if (cursor != NULL)
      {
        desk.pulled_once = TRUE;
        load_accounts (&desk);
      }
  }

  tick = g_timeout_add (final ? 50 : 10, on_tick_cb, &desk);
  /* Without faults everything drains in seconds; what has not by then is
   * reported by the checker (as lost or divergent), not waited for. */
  if (final)
    desk.deadline = g_timeout_add_seconds (120, on_final_deadline_cb, &desk);
  g_main_loop_run (desk.loop);
  g_source_remove (tick);
  g_clear_handle_id (&desk.deadline, g_source_remove);

  bd_push_worker_stop (desk.push);
  /* Let cancelled requests finish before the objects go. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&desk.push);
  g_clear_object (&desk.sync);
  g_clear_object (&desk.client);
  g_clear_object (&desk.store);
  g_clear_pointer (&desk.accounts, g_ptr_array_unref);
  g_clear_pointer (&desk.rand, g_rand_free);
  g_clear_pointer (&desk.loop, g_main_loop_unref);
  g_free (desk.store_path);
  close (desk.log_fd);
  return desk.exit_status;
}
