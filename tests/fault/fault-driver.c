/* fault-driver.c: sync under injected faults (issue 9).
 *
 *   fault-driver run --central PATH --ops N [--seed S] [--server-faults SPEC] [--keep DIR]
 *     starts bijli-central with --inject-faults and a headless desk (this
 *     program, "desk" mode) as children; kills the desk with SIGKILL at
 *     random moments (also mid-save) and restarts it on the same store;
 *     kills the server with SIGKILL and restarts it, sometimes after a pause
 *     (unreachable). Once N edits are accepted, a last desk run without
 *     faults drains and refreshes, the server stops, and the invariants are
 *     checked on both database files, read-only. Exits 1 if any is broken.
 *   fault-driver desk --url URL --store PATH --log PATH --seed S --ops N [--final]
 *     see fault-desk.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gio/gio.h>
#include <signal.h>
#include <stdlib.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/prctl.h>

#include "fault-desk.h"

typedef struct
{
  const char  *central;
  char        *dir;
  char        *db;
  char        *store;
  char        *log;
  char        *self_exe;
  char        *port;
  char        *url;
  const char  *spec;
  GSubprocess *server;
  guint        server_runs;
  GSubprocess *desk;
  gboolean     desk_exited;
  guint        desk_runs;
  GRand       *rand;
  guint64      seed;
  guint64      ops;
  /* Faults the driver injected itself. */
  guint        desk_kills;
  guint        server_kills;
  guint        unreachable;
} Run;

static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
server_start (Run     *run,
              gboolean faults)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GOutputStream) sink = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *fault_seed = g_strdup_printf ("%" G_GUINT64_FORMAT, run->seed * 1000 + run->server_runs);
  g_autofree char *err_path = g_strdup_printf ("%s/server-%u.err", run->dir, run->server_runs);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) run->central);
  g_ptr_array_add (argv, "--demo");
  g_ptr_array_add (argv, "--consumers");
  g_ptr_array_add (argv, "400");
  g_ptr_array_add (argv, "--port");
  g_ptr_array_add (argv, run->port != NULL ? run->port : "0");
  g_ptr_array_add (argv, "--db");
  g_ptr_array_add (argv, run->db);
  if (faults && run->spec != NULL && *run->spec != '\0')
    {
      g_ptr_array_add (argv, "--inject-faults");
      g_ptr_array_add (argv, (gpointer) run->spec);
      g_ptr_array_add (argv, "--fault-seed");
      g_ptr_array_add (argv, fault_seed);
    }
  g_ptr_array_add (argv, NULL);
  run->server_runs++;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_stderr_file_path (launcher, err_path);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  run->server = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  if (run->server == NULL)
    g_error ("Cannot start bijli-central: %s", error->message);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (run->server));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);

      if (line == NULL)
        g_error ("bijli-central exited before it printed its address (see %s)", err_path);
      if (g_str_has_prefix (line, "Listening on "))
        {
          if (run->url == NULL)
            {
              run->url = g_strdup (line + strlen ("Listening on "));
              run->port = g_strdup (strrchr (run->url, ':') + 1);
            }
          break;
        }
    }
  sink = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (sink, G_INPUT_STREAM (out),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, NULL, NULL, NULL);
}

static void
server_kill (Run     *run,
             gboolean clean)
{
  if (clean)
    g_subprocess_send_signal (run->server, SIGTERM);
  else
    g_subprocess_force_exit (run->server);
  g_subprocess_wait (run->server, NULL, NULL);
  if (clean && !(g_subprocess_get_if_exited (run->server) && g_subprocess_get_exit_status (run->server) == 0))
    g_error ("bijli-central did not stop cleanly");
  g_clear_object (&run->server);
}

static void
on_desk_exited_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  gboolean *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *exited = TRUE;
}

static void
desk_start (Run     *run,
            gboolean final)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT, run->seed * 100000 + run->desk_runs);
  g_autofree char *ops = g_strdup_printf ("%" G_GUINT64_FORMAT, run->ops);
  g_autofree char *err_path = g_strdup_printf ("%s/desk-%u.err", run->dir, run->desk_runs);
  const char *argv[] = {
    run->self_exe, "desk", "--url", run->url, "--store", run->store, "--log", run->log,
    "--seed", seed, "--ops", ops, final ? "--final" : NULL, NULL,
  };

  run->desk_runs++;
  g_subprocess_launcher_set_stderr_file_path (launcher, err_path);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  run->desk = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (run->desk == NULL)
    g_error ("Cannot start the desk: %s", error->message);
  run->desk_exited = FALSE;
  g_subprocess_wait_async (run->desk, NULL, on_desk_exited_cb, &run->desk_exited);
}

/* Sleeps about ms while the main context runs; stops early if the desk exits. */
static void
pump (Run  *run,
      guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end && !run->desk_exited)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (10000);
    }
}

static gboolean
desk_succeeded (Run *run)
{
  g_autofree char *err_path = g_strdup_printf ("%s/desk-%u.err", run->dir, run->desk_runs - 1);

  if (g_subprocess_get_if_exited (run->desk) && g_subprocess_get_exit_status (run->desk) == 0)
    return TRUE;
  g_printerr ("The desk failed; its log is %s\n", err_path);
  return FALSE;
}

/* libsoup 3.2 sometimes completes a request twice when a timeout and a
 * connection closed by the server coincide, and says so with a critical
 * (async_send_request_return_result: assertion 'item->task != NULL'); the
 * second completion is dropped, so nothing is lost. That one message is
 * counted by the checker; every other critical still ends the desk, as
 * G_DEBUG=fatal-criticals would. */
#define SOUP_DOUBLE_COMPLETION "item->task != NULL"

static GLogWriterOutput
desk_log_writer (GLogLevelFlags   level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  GLogWriterOutput out = g_log_writer_default (level & ~G_LOG_FLAG_FATAL, fields, n_fields, user_data);

  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    {
      gboolean known = FALSE;

      for (gsize i = 0; i < n_fields; i++)
        if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0 &&
            strstr (fields[i].value, SOUP_DOUBLE_COMPLETION) != NULL)
          known = TRUE;
      if (!known || (level & G_LOG_LEVEL_ERROR))
        abort ();
    }
  return out;
}

/* ---- the invariant checker ---- */

typedef struct
{
  char    *key;
  char    *account;
  char    *seal;
} Accepted;

static void
accepted_free (Accepted *op)
{
  g_free (op->key);
  g_free (op->account);
  g_free (op->seal);
  g_free (op);
}

static sqlite3 *
open_ro (const char *path)
{
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    g_error ("Cannot open %s: %s", path, sqlite3_errmsg (db));
  return db;
}

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK || sqlite3_step (stmt) != SQLITE_ROW)
    g_error ("Check query failed: %s: %s", sql, sqlite3_errmsg (db));
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static guint
count_lines (const char *dir,
             const char *prefix,
             const char *needle)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint count = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *text = NULL;

      if (!g_str_has_prefix (name, prefix))
        continue;
      path = g_build_filename (dir, name, NULL);
      if (!g_file_get_contents (path, &text, NULL, NULL))
        continue;
      for (const char *p = strstr (text, needle); p != NULL; p = strstr (p + 1, needle))
        count++;
    }
  return count;
}

static int
check (Run *run)
{
  g_autofree char *log_text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) accepted = g_ptr_array_new_with_free_func ((GDestroyNotify) accepted_free);
  guint desk_faults_diskfull = 0, desk_faults_skew = 0, desk_faults_dup = 0;
  guint violations = 0, divergent = 0, refused = 0, soup_double = 0;
  guint64 lost = 0, doubled = 0, phantom = 0, unlogged = 0;
  guint server_faults[4];
  static const char * const server_kinds[] = { "500", "503", "lost", "delay" };
  guint total_faults;
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  gint64 value;
  int failed = 0;

  if (!g_file_get_contents (run->log, &log_text, NULL, NULL))
    g_error ("Cannot read the log");
  lines = g_strsplit (log_text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], " ", -1);
      guint n = g_strv_length (f);

      if (n == 6 && g_str_equal (f[0], "A") && g_str_equal (f[5], "."))
        {
          Accepted *op = g_new0 (Accepted, 1);

          op->key = g_strdup (f[2]);
          op->account = g_strdup (f[3]);
          op->seal = g_strdup (f[4]);
          g_ptr_array_add (accepted, op);
        }
      else if (n == 2 && g_str_equal (f[0], "F"))
        {
          if (g_str_equal (f[1], "diskfull"))
            desk_faults_diskfull++;
          else if (g_str_equal (f[1], "skew"))
            desk_faults_skew++;
          else if (g_str_equal (f[1], "dup"))
            desk_faults_dup++;
        }
      else if (n >= 2 && g_str_equal (f[0], "R"))
        refused++;
      else if (n >= 2 && g_str_equal (f[0], "V"))
        {
          g_printerr ("violation: %s\n", lines[i] + 2);
          violations++;
        }
      else if (n == 2 && g_str_equal (f[0], "D"))
        {
          g_printerr ("divergent: consumer %s\n", f[1]);
          divergent++;
        }
    }

  for (guint k = 0; k < G_N_ELEMENTS (server_kinds); k++)
    {
      g_autofree char *needle = g_strdup_printf ("injected fault %s\n", server_kinds[k]);

      server_faults[k] = count_lines (run->dir, "server-", needle);
    }

  soup_double = count_lines (run->dir, "desk-", SOUP_DOUBLE_COMPLETION);

  /* Both files side by side, read-only: the server stopped cleanly. */
  db = open_ro (run->db);
  {
    g_autofree char *attach = g_strdup_printf ("ATTACH DATABASE 'file:%s?mode=ro' AS desk", run->store);

    sqlite3_close (db);
    if (sqlite3_open_v2 (run->db, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK ||
        sqlite3_exec (db, attach, NULL, NULL, NULL) != SQLITE_OK)
      g_error ("Cannot attach the desk's store: %s", sqlite3_errmsg (db));
  }

  /* Every accepted edit: in the desk's outbox, done, its key stored once on
   * the server, and its unique seal number applied exactly once (history). */
  if (sqlite3_prepare_v2 (db,
                          "SELECT (SELECT count(*) FROM desk.outbox WHERE idem_key = ?1 AND account = ?2 AND state = 'done'),"
                          "       (SELECT count(*) FROM idempotency_keys WHERE key = ?1 AND username = 'operator' AND status = 200),"
                          "       (SELECT count(*) FROM consumer_history WHERE account = ?2 AND action = 'indexing'"
                          "          AND field = 'seal_numbers' AND to_value = ?3)",
                          -1, &stmt, NULL) != SQLITE_OK)
    g_error ("Check query failed: %s", sqlite3_errmsg (db));
  for (guint i = 0; i < accepted->len; i++)
    {
      Accepted *op = g_ptr_array_index (accepted, i);
      gint64 in_outbox, keys, applied;

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, op->key, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, op->account, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, op->seal, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        g_error ("Check query failed: %s", sqlite3_errmsg (db));
      in_outbox = sqlite3_column_int64 (stmt, 0);
      keys = sqlite3_column_int64 (stmt, 1);
      applied = sqlite3_column_int64 (stmt, 2);
      if (in_outbox != 1 || keys != 1 || applied == 0)
        {
          g_printerr ("lost: edit %s of %s (outbox done %" G_GINT64_FORMAT ", key %" G_GINT64_FORMAT
                      ", applied %" G_GINT64_FORMAT ")\n", op->key, op->account, in_outbox, keys, applied);
          lost++;
        }
      else if (applied > 1)
        {
          g_printerr ("doubled: edit %s of %s applied %" G_GINT64_FORMAT " times\n", op->key, op->account, applied);
          doubled++;
        }
    }
  sqlite3_finalize (stmt);

  /* Edits saved but killed before the log line: they must obey the same
   * rules (the checks below cover every outbox row). */
  unlogged = (guint64) query_int (db, "SELECT count(*) FROM desk.outbox") - accepted->len;
  /* Any seal applied twice, logged or not. */
  doubled += (guint64) query_int (db,
                                  "SELECT count(*) FROM (SELECT 1 FROM consumer_history WHERE action = 'indexing' "
                                  "AND field = 'seal_numbers' AND to_value LIKE 'FS-%' "
                                  "GROUP BY account, to_value HAVING count(*) > 1)");
  /* Two outbox rows with the same content would be one edit queued twice. */
  doubled += (guint64) query_int (db, "SELECT count(*) FROM (SELECT 1 FROM desk.outbox GROUP BY body HAVING count(*) > 1)");
  /* Nothing on the server the desk did not make: every key and every seal
   * applied comes from an outbox row. */
  phantom = (guint64) query_int (db,
                                 "SELECT count(*) FROM idempotency_keys k WHERE username = 'operator' "
                                 "AND NOT EXISTS (SELECT 1 FROM desk.outbox o WHERE o.idem_key = k.key)");
  phantom += (guint64) query_int (db,
                                  "SELECT count(*) FROM consumer_history h WHERE action = 'indexing' AND by = 'operator' "
                                  "AND NOT EXISTS (SELECT 1 FROM desk.outbox o WHERE o.account = h.account "
                                  "  AND o.created_by = 'operator')");
  phantom += (guint64) query_int (db,
                                  "SELECT count(*) FROM consumer_history h WHERE action = 'indexing' "
                                  "AND field = 'seal_numbers' AND NOT EXISTS (SELECT 1 FROM desk.outbox o "
                                  "WHERE o.account = h.account AND instr (o.body, '\"' || h.to_value || '\"') > 0)");
  /* Every outbox row is settled and done, and its key is on the server. */
  value = query_int (db, "SELECT count(*) FROM desk.outbox WHERE state <> 'done'");
  if (value != 0)
    {
      g_printerr ("outbox: %" G_GINT64_FORMAT " items not done\n", value);
      lost += (guint64) value;
    }
  value = query_int (db,
                     "SELECT count(*) FROM desk.outbox o WHERE NOT EXISTS "
                     "(SELECT 1 FROM idempotency_keys k WHERE k.key = o.idem_key AND k.username = 'operator')");
  if (value != 0)
    {
      g_printerr ("lost: %" G_GINT64_FORMAT " outbox items the server never stored\n", value);
      lost += (guint64) value;
    }

  /* Convergence on the database files too: the local indexing copy and
   * the consumer rows equal the server's. */
  value = query_int (db,
                     "SELECT count(*) FROM desk.indexing d LEFT JOIN consumer_indexing s USING (account) "
                     "WHERE d.version <> coalesce (s.version, 0) "
                     "OR coalesce (json_extract (d.json, '$.seal_numbers'), '[]') IS NOT "
                     "   coalesce (json_extract (s.fields, '$.seal_numbers'), '[]') "
                     "OR json_extract (d.json, '$.email') IS NOT json_extract (s.fields, '$.email')");
  if (value != 0)
    g_printerr ("divergent: %" G_GINT64_FORMAT " indexing records differ from the server's\n", value);
  divergent += (guint) value;
  value = query_int (db,
                     "SELECT count(*) FROM consumers s LEFT JOIN desk.consumers d USING (account) "
                     "WHERE s.zone = 'LKO-C' AND (d.account IS NULL OR d.version <> s.version OR d.pole <> s.pole)");
  value += query_int (db,
                      "SELECT count(*) FROM desk.consumers d LEFT JOIN consumers s USING (account) "
                      "WHERE s.account IS NULL OR s.zone <> 'LKO-C'");
  if (value != 0)
    g_printerr ("divergent: %" G_GINT64_FORMAT " consumer rows differ from the server's\n", value);
  divergent += (guint) value;

  /* The cursor: the zone's last change, and as many rows as the zone has. */
  value = query_int (db,
                     "SELECT (SELECT CAST (value AS INTEGER) FROM desk.sync_state WHERE key = 'cursor') = "
                     "       (SELECT max (change_seq) FROM consumers WHERE zone = 'LKO-C') "
                     "   AND (SELECT count(*) FROM desk.consumers) = (SELECT count(*) FROM consumers WHERE zone = 'LKO-C')");
  if (value != 1)
    {
      g_printerr ("cursor: the desk's cursor or count does not match the server's feed\n");
      failed = 1;
    }
  sqlite3_close (db);

  total_faults = server_faults[0] + server_faults[1] + server_faults[2] + server_faults[3] +
                 run->desk_kills + run->server_kills + run->unreachable +
                 desk_faults_diskfull + desk_faults_skew + desk_faults_dup;
  g_print ("operations=%u unlogged=%" G_GUINT64_FORMAT " faults=%u "
           "(http500=%u http503=%u lost_answer=%u delay=%u desk_kill=%u server_kill=%u unreachable=%u "
           "disk_full=%u clock_skew=%u duplicate=%u) saves_refused_on_full_disk=%u "
           "libsoup_double_completions=%u lost=%" G_GUINT64_FORMAT " doubled=%" G_GUINT64_FORMAT
           " phantom=%" G_GUINT64_FORMAT " divergent=%u violations=%u\n",
           accepted->len, unlogged, total_faults,
           server_faults[0], server_faults[1], server_faults[2], server_faults[3],
           run->desk_kills, run->server_kills, run->unreachable,
           desk_faults_diskfull, desk_faults_skew, desk_faults_dup, refused, soup_double,
           lost, doubled, phantom, divergent, violations);

  if (lost != 0 || doubled != 0 || phantom != 0 || divergent != 0 || violations != 0)
    failed = 1;
  if (accepted->len < run->ops)
    {
      g_printerr ("only %u of %" G_GUINT64_FORMAT " operations were accepted\n", accepted->len, run->ops);
      failed = 1;
    }
  return failed;
}

static int
run_main (Run *run)
{
  g_autoptr(GError) error = NULL;
  int failed;

  run->rand = g_rand_new_with_seed ((guint32) run->seed);
  run->self_exe = g_file_read_link ("/proc/self/exe", &error);
  if (run->self_exe == NULL)
    g_error ("Cannot find this program: %s", error->message);
  run->db = g_build_filename (run->dir, "central.sqlite3", NULL);
  run->store = g_build_filename (run->dir, "desk.sqlite3", NULL);
  run->log = g_build_filename (run->dir, "operations.log", NULL);

  server_start (run, TRUE);
  desk_start (run, FALSE);
  for (;;)
    {
      guint dice;

      pump (run, (guint) g_rand_int_range (run->rand, 150, 900));
      if (run->desk_exited)
        {
          if (!desk_succeeded (run))
            return 1;
          break;
        }
      dice = (guint) g_rand_int_range (run->rand, 0, 100);
      if (dice < 45)
        {
          /* kill -9 of the desk, wherever it is: saving, sending, pulling. */
          g_subprocess_force_exit (run->desk);
          while (!run->desk_exited)
            g_main_context_iteration (NULL, TRUE);
          g_clear_object (&run->desk);
          run->desk_kills++;
          desk_start (run, FALSE);
        }
      else if (dice < 60)
        {
          server_kill (run, FALSE);
          run->server_kills++;
          server_start (run, TRUE);
        }
      else if (dice < 75)
        {
          server_kill (run, FALSE);
          run->unreachable++;
          pump (run, (guint) g_rand_int_range (run->rand, 500, 3000));
          server_start (run, TRUE);
        }
    }
  g_clear_object (&run->desk);

  /* No more faults: a clean server, a last desk run to drain and refresh. */
  server_kill (run, TRUE);
  server_start (run, FALSE);
  desk_start (run, TRUE);
  while (!run->desk_exited)
    g_main_context_iteration (NULL, TRUE);
  if (!desk_succeeded (run))
    return 1;
  g_clear_object (&run->desk);
  server_kill (run, TRUE);

  failed = check (run);
  return failed;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *url = NULL;
  g_autofree char *store = NULL;
  g_autofree char *log = NULL;
  g_autofree char *central = NULL;
  g_autofree char *spec = NULL;
  g_autofree char *keep = NULL;
  gint64 seed = 1;
  gint64 ops = 500;
  gboolean final = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, "Server address (desk)", "URL" },
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store, "Desk store (desk)", "PATH" },
    { "log", 0, 0, G_OPTION_ARG_FILENAME, &log, "Operation log (desk)", "PATH" },
    { "final", 0, 0, G_OPTION_ARG_NONE, &final, "Drain, pull and compare (desk)", NULL },
    { "central", 0, 0, G_OPTION_ARG_FILENAME, &central, "bijli-central (run)", "PATH" },
    { "server-faults", 0, 0, G_OPTION_ARG_STRING, &spec, "--inject-faults of the server (run)", "SPEC" },
    { "keep", 0, 0, G_OPTION_ARG_FILENAME, &keep, "Work in DIR and keep it (run)", "DIR" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed", "S" },
    { "ops", 0, 0, G_OPTION_ARG_INT64, &ops, "Accepted edits to make", "N" },
    { NULL }
  };

  context = g_option_context_new ("run|desk");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 || seed < 0 || ops < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "usage: fault-driver run|desk [OPTIONS]");
      return 2;
    }

  if (g_str_equal (argv[1], "desk"))
    {
      /* Criticals are decided in desk_log_writer. */
      g_log_set_always_fatal (G_LOG_FATAL_MASK);
      g_log_set_writer_func (desk_log_writer, NULL, NULL);
      if (url == NULL || store == NULL || log == NULL)
        return 2;
      return fault_desk_main (url, store, log, (guint64) seed, (guint64) ops, final);
    }
  if (g_str_equal (argv[1], "run"))
    {
      Run run = { 0, };
      int failed;

      if (central == NULL)
        central = g_strdup (g_getenv ("BIJLI_CENTRAL"));
      if (central == NULL)
        {
          g_printerr ("Give --central or BIJLI_CENTRAL\n");
          return 2;
        }
      run.central = central;
      run.spec = spec != NULL ? spec : "500=0.06,503=0.06,lost=0.08,delay=0.02:4000";
      run.seed = (guint64) seed;
      run.ops = (guint64) ops;
      if (keep != NULL)
        {
          g_mkdir_with_parents (keep, 0755);
          run.dir = g_strdup (keep);
        }
      else
        run.dir = g_dir_make_tmp ("bd-fault-XXXXXX", &error);
      if (run.dir == NULL)
        g_error ("Cannot make a work directory: %s", error->message);
      /* Slow answers must time out within a CI run. */
      g_setenv ("BD_REQUEST_TIMEOUT_S", "3", TRUE);

      failed = run_main (&run);
      if (failed)
        g_printerr ("The files of this run are kept in %s\n", run.dir);
      else if (keep == NULL)
        {
          g_autoptr(GFile) dir = g_file_new_for_path (run.dir);
          g_autoptr(GFileEnumerator) children =
            g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME, G_FILE_QUERY_INFO_NONE, NULL, NULL);
          GFileInfo *info;

          while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
            {
              g_autoptr(GFile) child = g_file_get_child (dir, g_file_info_get_name (info));

              g_file_delete (child, NULL, NULL);
              g_object_unref (info);
            }
          g_file_delete (dir, NULL, NULL);
        }
      g_clear_object (&run.server);
      g_clear_object (&run.desk);
      g_clear_pointer (&run.rand, g_rand_free);
      g_free (run.dir);
      g_free (run.db);
      g_free (run.store);
      g_free (run.log);
      g_free (run.self_exe);
      g_free (run.port);
      g_free (run.url);
      return failed;
    }
  g_printerr ("usage: fault-driver run|desk [OPTIONS]\n");
  return 2;
}
