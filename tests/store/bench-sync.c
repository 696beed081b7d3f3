/* bench-sync.c: a real initial sync, server to store, end to end.
 *
 * Generates a zone with the real bijli-central (--generate, 1,000,000
 * consumers unless BD_BENCH_CONSUMERS says otherwise), serves it on a free
 * port, signs in as operator and pulls the whole zone into a fresh store
 * on disk in pages of 1000, once with the engine fetching strictly in turn
 * with applying and once pipelined, in the same run so that the ratio holds
 * on a noisy machine. Then it changes 1000 of the zone's consumers through
 * the server's own database class (the same code path as any update: new
 * version, new change sequence, feed buckets kept) on the file the running
 * server reads, and times the delta pull into each store. Run with
 * `meson test -C BUILDDIR --benchmark --suite bench --verbose bench-sync`.
 *
 * A third store syncs the way a new desk does by default: the zone's
 * snapshot (GET /snapshot, built by the server once, timed separately),
 * then the feed from its cursor. Its consumers table must equal the
 * feed-synced store's, row for row.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>

#include "bd-central-db.h"
#include "net/bd-client.h"
#include "net/bd-sync-engine.h"
#include "store/bd-consumer-store.h"

#define PAGE       1000
#define N_CHANGED  1000
#define ZONE       "LKO-C"

typedef struct
{
  gint64 start;
  gint64 first;       /* monotonic time of the first progress signal */
  gint64 previous;    /* ... of the one before the last */
  gint64 last;
  guint  n_signals;
  gint64 applied;
  gint64 total;
} Timing;

typedef struct
{
  const char *label;
  gboolean    pipelined;
  gboolean    snapshot;
  char       *path;
  double      total_s;
  double      first_s;
  double      final_page_s;
  gint64      records;
  double      delta_s;
  gint64      delta_records;
} Run;

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

static void
on_progress_cb (BdSyncEngine *engine,
                gint64        applied,
                gint64        total,
                Timing       *timing)
{
  gint64 now = g_get_monotonic_time ();

  if (timing->n_signals == 0)
    timing->first = now;
  timing->previous = timing->n_signals == 0 ? timing->start : timing->last;
  timing->last = now;
  timing->n_signals++;
  g_assert_cmpint (applied, >=, timing->applied);
  timing->applied = applied;
  timing->total = total;
}

/* The server must not outlive an aborted benchmark. */
static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static double
seconds_since (gint64 start)
{
  return (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
}

static double
generate (const char *exe,
          const char *db_path,
          guint       n_consumers)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *count = g_strdup_printf ("%u", n_consumers);
  const char *argv[] = { exe, "--generate", "--consumers", count, "--db", db_path, NULL };
  gint64 start = g_get_monotonic_time ();

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);

  return seconds_since (start);
}

static GSubprocess *
server_start (const char  *exe,
              const char  *db_path,
              char       **out_url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GOutputStream) sink = NULL;
  g_autoptr(GSubprocess) process = NULL;
  const char *argv[] = { exe, "--port", "0", "--db", db_path, NULL };

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  *out_url = NULL;
  while (*out_url == NULL)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        g_error ("bijli-central exited before it printed its address");
      if (g_str_has_prefix (line, "Listening on "))
        *out_url = g_strdup (line + strlen ("Listening on "));
    }

  /* Keep draining its stdout so it never blocks on a full pipe. */
  sink = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (sink, G_INPUT_STREAM (out),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, NULL, NULL, NULL);

  return g_steal_pointer (&process);
}

static void
server_stop (GSubprocess *process)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static BdClient *
signed_in_client (const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(BdSession) session = NULL;

  client = bd_client_new (url, &error);
  g_assert_no_error (error);
  bd_client_sign_in_async (client, "operator", "bijli-operator", NULL, on_done_cb, &result);
  session = bd_client_sign_in_finish (client, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bd_session_get_zone (session), ==, ZONE);

  return g_steal_pointer (&client);
}

/* Returns the records applied; fills timing. */
static gint64
pull (BdClient        *client,
      BdConsumerStore *store,
      gboolean         pipelined,
      gboolean         snapshot,
      Timing          *timing)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdSyncEngine) engine = bd_sync_engine_new (client, store);
  g_autoptr(GAsyncResult) result = NULL;
  gint64 applied;

  bd_sync_engine_set_page_size (engine, PAGE);
  bd_sync_engine_set_pipelined (engine, pipelined);
  g_assert_true (bd_sync_engine_get_pipelined (engine) == pipelined);
  bd_sync_engine_set_use_snapshots (engine, snapshot);
  g_signal_connect (engine, "progress", G_CALLBACK (on_progress_cb), timing);

  memset (timing, 0, sizeof *timing);
  timing->start = g_get_monotonic_time ();
  bd_sync_engine_pull_async (engine, NULL, on_done_cb, &result);
  applied = bd_sync_engine_pull_finish (engine, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (applied, ==, timing->applied);

  return applied;
}

static void
full_sync (BdClient   *client,
           Run        *run,
           gint64      zone_count)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdConsumerStore) store = NULL;
  Timing timing;

  store = bd_consumer_store_open (run->path, &error);
  g_assert_no_error (error);

  run->records = pull (client, store, run->pipelined, run->snapshot, &timing);
  run->total_s = (double) (timing.last - timing.start) / G_USEC_PER_SEC;
  run->first_s = (double) (timing.first - timing.start) / G_USEC_PER_SEC;
  run->final_page_s = (double) (timing.last - timing.previous) / G_USEC_PER_SEC;

  g_assert_cmpint (run->records, ==, zone_count);
  g_assert_cmpint (bd_consumer_store_count (store, &error), ==, zone_count);
  g_assert_no_error (error);
  g_assert_false (bd_consumer_store_is_indexing (store));

  g_printerr ("  %-11s full sync: %lld records in %.2f s\n",
              run->label, (long long) run->records, run->total_s);
}

static void
delta_sync (BdClient *client,
            Run      *run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdConsumerStore) store = NULL;
  Timing timing;
  gint64 start;

  store = bd_consumer_store_open (run->path, &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  run->delta_records = pull (client, store, run->pipelined, run->snapshot, &timing);
  run->delta_s = seconds_since (start);
  g_assert_cmpint (run->delta_records, ==, N_CHANGED);
}

/* Changes N_CHANGED consumers of the zone the way any server-side update
 * does, on the database file the running server serves from (WAL: its
 * readers see the commit on their next snapshot), one transaction each
 * as the server's update does. Returns the seconds the writes took. */
static double
change_consumers (const char *db_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdCentralDb) db = NULL;
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  BdDatabase *database;
  gint64 start;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  db = bd_central_db_open (db_path, &error);
  g_assert_no_error (error);
  database = bd_central_db_get_database (db);

  /* Spread over the whole zone, as real changes are. */
  stmt = bd_database_prepare (database,
                              "SELECT account FROM consumers WHERE zone = ?1 "
                              "ORDER BY random () LIMIT ?2", &error);
  g_assert_no_error (error);
  sqlite3_bind_text (stmt, 1, ZONE, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, N_CHANGED);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (accounts, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  g_assert_cmpuint (accounts->len, ==, N_CHANGED);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < accounts->len; i++)
    {
      g_autoptr(BdConsumer) consumer = bd_central_db_lookup_consumer (db, ZONE,
                                                                      g_ptr_array_index (accounts, i),
                                                                      &error);

      g_assert_no_error (error);
      bd_consumer_set_balance_paise (consumer, bd_consumer_get_balance_paise (consumer) - 100);
      bd_consumer_set_balance_as_of (consumer, now);
      bd_central_db_update_consumer (db, consumer, now, &error);
      g_assert_no_error (error);
    }

  return seconds_since (start);
}

/* Asks for the zone's snapshot until the server has built it; returns the
 * seconds that took (the first request starts the build). */
static double
prepare_snapshot (BdClient   *client,
                  const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "probe.snapshot", NULL);
  gint64 start = g_get_monotonic_time ();

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GAsyncResult) result = NULL;

      bd_client_download_snapshot_async (client, bd_consumer_store_latest_schema_version (), path,
                                         NULL, NULL, NULL, on_done_cb, &result);
      if (bd_client_download_snapshot_finish (client, wait_for (&result), NULL, NULL, &error))
        break;
      g_assert_error (error, BD_NET_ERROR, BD_NET_ERROR_SERVER);
      g_usleep (G_USEC_PER_SEC / 4);
    }
  g_remove (path);
  return seconds_since (start);
}

/* Row for row, both ways. */
static void
assert_same_consumers (const char *a,
                       const char *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdDatabase) db = bd_database_open_read_only (a, &error);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  char *attach;

  g_assert_no_error (error);
  attach = sqlite3_mprintf ("ATTACH %Q AS other", b);
  bd_database_exec (db, attach, &error);
  sqlite3_free (attach);
  g_assert_no_error (error);
  stmt = bd_database_prepare (db,
                              "SELECT (SELECT count(*) FROM (SELECT * FROM main.consumers "
                              "                              EXCEPT SELECT * FROM other.consumers)) + "
                              "       (SELECT count(*) FROM (SELECT * FROM other.consumers "
                              "                              EXCEPT SELECT * FROM main.consumers))",
                              &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, 0);
}

static void
remove_database (const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_remove (file);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(BdClient) client = NULL;
  g_autoptr(BdCentralDb) probe = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *central_db = NULL;
  g_autofree char *url = NULL;
  const char *exe = g_getenv ("BIJLI_CENTRAL");
  const char *env_count = g_getenv ("BD_BENCH_CONSUMERS");
  guint n_consumers = 1000000;
  gint64 zone_count;
  double generate_s;
  double change_s;
  double snapshot_build_s = 0;
  Run runs[] = {
    { .label = "sequential", .pipelined = FALSE },
    { .label = "pipelined", .pipelined = TRUE },
    { .label = "snapshot", .pipelined = TRUE, .snapshot = TRUE },
  };

  setlocale (LC_ALL, "");

  if (exe == NULL)
    {
      g_printerr ("BIJLI_CENTRAL is not set to the bijli-central binary\n");
      return 77;
    }
  if (env_count != NULL)
    {
      guint64 value;

      if (!g_ascii_string_to_unsigned (env_count, 10, 2 * N_CHANGED, 10000000, &value, &error))
        g_error ("BD_BENCH_CONSUMERS: %s", error->message);
      n_consumers = (guint) value;
    }

  dir = g_dir_make_tmp ("bd-bench-sync-XXXXXX", &error);
  g_assert_no_error (error);
  central_db = g_build_filename (dir, "central.sqlite3", NULL);

  generate_s = generate (exe, central_db, n_consumers);

  probe = bd_central_db_open (central_db, &error);
  g_assert_no_error (error);
  zone_count = bd_central_db_count_consumers (probe, ZONE, &error);
  g_assert_no_error (error);
  g_clear_object (&probe);

  server = server_start (exe, central_db, &url);
  client = signed_in_client (url);

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_autofree char *name = g_strdup_printf ("desk-%s.sqlite3", runs[i].label);

      runs[i].path = g_build_filename (dir, name, NULL);
      if (runs[i].snapshot)
        snapshot_build_s = prepare_snapshot (client, dir);
      full_sync (client, &runs[i], zone_count);
    }
  assert_same_consumers (runs[1].path, runs[2].path);

  change_s = change_consumers (central_db);
  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    delta_sync (client, &runs[i]);

  server_stop (server);

  printf ("# bench-sync: %u consumers generated, %lld in zone %s, pages of %d, store on disk\n",
          n_consumers, (long long) zone_count, ZONE, PAGE);
  printf ("generate (bijli-central --generate):  %8.2f s\n", generate_s);
  printf ("server-side update of %d consumers:  %8.3f s\n", N_CHANGED, change_s);
  printf ("zone snapshot built by the server:    %8.2f s (once per zone, before the snapshot run)\n\n",
          snapshot_build_s);
  printf ("%-11s %10s %10s %12s %12s %13s %10s\n",
          "engine", "records", "sync s", "records/s", "1st page s", "final page s", "delta s");
  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    printf ("%-11s %10lld %10.2f %12.0f %12.3f %13.2f %10.3f\n",
            runs[i].label, (long long) runs[i].records, runs[i].total_s,
            (double) runs[i].records / runs[i].total_s,
            runs[i].first_s, runs[i].final_page_s, runs[i].delta_s);
  printf ("\npipelined / sequential sync time: %.2f\n", runs[1].total_s / runs[0].total_s);
  printf ("snapshot / pipelined sync time:   %.2f\n", runs[2].total_s / runs[1].total_s);
  fflush (stdout);

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      remove_database (runs[i].path);
      g_free (runs[i].path);
    }
  remove_database (central_db);
  {
    g_autofree char *snapshots = g_strconcat (central_db, ".snapshots", NULL);
    g_autoptr(GDir) listing = g_dir_open (snapshots, 0, NULL);
    const char *name;

    while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
      {
        g_autofree char *file = g_build_filename (snapshots, name, NULL);

        g_remove (file);
      }
    g_rmdir (snapshots);
  }
  g_rmdir (dir);

  return 0;
}
