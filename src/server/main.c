/* main.c: bijli-central, the reference backend for Bijli Desk.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>

#include "bd-central-db-audit.h"
#include "bd-central-db.h"
#include "bd-central-server.h"
#include "bd-central-workers.h"
#include "bd-demo-generator.h"
#include "bd-password.h"

#define DEFAULT_PORT 8912

static gboolean
on_quit_signal_cb (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_main_loop_quit (loop);

  return G_SOURCE_CONTINUE;
}

static char *
default_db_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "bijli-central", "central.sqlite3", NULL);
}

static gboolean
ensure_parent_dir (const char  *path,
                   GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the folder %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

/* Returns how many consumers were created (0 if the database already
 * held some), or -1 with error. */
static gint64
setup_demo (BdCentralDb  *db,
            guint32       seed,
            guint         n_consumers,
            GError      **error)
{
  g_autoptr(BdDemoGenerator) generator = NULL;
  gint64 start;
  gint64 created;

  generator = bd_demo_generator_new (seed, g_get_real_time () / G_USEC_PER_SEC);
  if (!bd_demo_generator_create_users (generator, db, error))
    return -1;

  if (n_consumers == 0)
    return 0;

  start = g_get_monotonic_time ();
  created = bd_demo_generator_populate (generator, db, n_consumers, error);
  if (created < 0)
    return -1;

  if (created > 0)
    g_printerr (_("Created %u demo consumers (seed %u) in %.0f ms.\n"),
                (guint) created, seed, (double) (g_get_monotonic_time () - start) / 1000.0);
  else
    g_printerr (_("The database already holds consumers; no demo consumers were added.\n"));

  return created;
}

static void
print_demo_users (void)
{
  const BdDemoUser *users;
  gsize n_users;

  users = bd_demo_generator_get_users (&n_users);
  printf ("%s\n", _("Demo users (user name / password):"));
  for (gsize i = 0; i < n_users; i++)
    printf ("  %-14s / %-17s %s, %s (%s)\n",
            users[i].username, users[i].password,
            bd_role_to_string (users[i].role), users[i].zone_name, users[i].zone);
}

static gboolean serving_tls;

static void
print_listening (guint    port,
                 gpointer user_data)
{
  gboolean demo = GPOINTER_TO_INT (user_data);

  /* Not translated: scripts and tests read this line to find the port. */
  printf ("Listening on %s://127.0.0.1:%u\n", serving_tls ? "https" : "http", port);
  if (demo)
    print_demo_users ();
  fflush (stdout);
}

int
main (int   argc,
      char *argv[])
{
  gboolean demo = FALSE;
  gboolean generate = FALSE;
  gboolean verify_audit = FALSE;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  gint workers = 1;
  gint64 n_consumers = -1;
  gint64 seed = -1;
  gint port = DEFAULT_PORT;
  double sms_failure_rate = 0;
  double time_scale = 1.0;
  gboolean no_meters = FALSE;
  g_autofree char *fault_spec = NULL;
  int idle_timeout = BD_CENTRAL_IDLE_TIMEOUT_S;
  gint64 fault_seed = 1;
  g_autoptr(BdCentralFaults) faults = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *default_path = NULL;
  g_autofree char *db_description = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BdCentralDb) db = NULL;
  g_autoptr(BdCentralServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  guint sigint_id;
  guint sigterm_id;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* stdout carries the "Listening on" line that scripts parse; the
   * request log (G_MESSAGES_DEBUG=bijli-central) must not interleave with it. */
  g_log_writer_default_set_use_stderr (TRUE);

  default_path = default_db_path ();
  db_description = g_strdup_printf (_("The database: a file path or sqlite:///PATH (default: %s), or postgresql://HOST/NAME"),
                                    default_path);

  {
    GOptionEntry entries[] = {
      { "demo", 0, 0, G_OPTION_ARG_NONE, &demo,
        N_("Create demo users and, in an empty database, demo consumers"), NULL },
      { "consumers", 0, 0, G_OPTION_ARG_INT64, &n_consumers,
        N_("Number of demo consumers to create (default 10000)"), N_("N") },
      { "seed", 0, 0, G_OPTION_ARG_INT64, &seed,
        N_("Seed for the demo data (default 1912); the same seed gives the same data"), N_("S") },
      { "port", 0, 0, G_OPTION_ARG_INT, &port,
        N_("Port to listen on at 127.0.0.1 (default 8912; 0 picks a free port)"), N_("P") },
      { "database", 0, 0, G_OPTION_ARG_FILENAME, &db_path, db_description, N_("URL") },
      { "db", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &db_path, db_description, N_("PATH") },
      { "generate", 0, 0, G_OPTION_ARG_NONE, &generate,
        N_("Write the demo users and consumers into a new database and exit"), NULL },
      { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert,
        N_("Serve HTTPS with this PEM certificate (with --tls-key)"), N_("FILE") },
      { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key,
        N_("The PEM private key of --tls-cert"), N_("FILE") },
      { "verify-audit", 0, 0, G_OPTION_ARG_NONE, &verify_audit,
        N_("Check the audit log's hash chain in the database and exit (status 1 if broken)"), NULL },
      { "workers", 0, 0, G_OPTION_ARG_INT, &workers,
        N_("Number of server processes sharing the port, one per core (default 1)"), N_("N") },
      { "sms-failure-rate", 0, 0, G_OPTION_ARG_DOUBLE, &sms_failure_rate,
        N_("Share of simulated SMS attempts that fail, from 0 to 1 (default 0)"), N_("F") },
      { "time-scale", 0, 0, G_OPTION_ARG_DOUBLE, &time_scale,
        N_("Run the simulated meters' clock this many times faster than real time (default 1; 900 makes a 15-minute reading a second)"), N_("X") },
      { "no-meters", 0, 0, G_OPTION_ARG_NONE, &no_meters,
        N_("With --demo, do not simulate the smart meters"), NULL },
      { "idle-timeout", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &idle_timeout,
        N_("For tests: close a connection silent for this many seconds (default 90)"), N_("S") },
      { "inject-faults", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &fault_spec,
        N_("For tests: fail requests on purpose, e.g. 500=0.05,503=0.05,lost=0.05,delay=0.05:4000"), N_("SPEC") },
      { "fault-seed", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT64, &fault_seed,
        N_("For tests: seed of the injected faults (default 1)"), N_("N") },
      { NULL }
    };

    context = g_option_context_new (NULL);
    g_option_context_set_summary (context, _("The reference server for Bijli Desk."));
    g_option_context_set_description (context,
                                      _("Listens on 127.0.0.1 only and serves the JSON API under /api/v1.\n"
                                        "Stop it with Ctrl+C or SIGTERM.\n"
                                        "\n"
                                        "bijli-central --generate --consumers 1000000 --database URL writes a demo\n"
                                        "database in seconds; serve it later with --database URL (add --demo to print\n"
                                        "the demo users)."));
    g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

    if (!g_option_context_parse (context, &argc, &argv, &error))
      {
        g_printerr ("%s: %s\n", g_get_prgname (), error->message);
        g_printerr (_("Run “%s --help” to see the options.\n"), g_get_prgname ());
        return 2;
      }
  }

  if (argc > 1)
    {
      g_printerr (_("%s: unexpected argument “%s”\n"), g_get_prgname (), argv[1]);
      return 2;
    }
  if (port < 0 || port > 65535)
    {
      g_printerr (_("%s: the port must be from 0 to 65535\n"), g_get_prgname ());
      return 2;
    }
  if (n_consumers != -1 && (n_consumers < 0 || n_consumers > 10000000))
    {
      g_printerr (_("%s: the number of consumers must be from 0 to 10000000\n"), g_get_prgname ());
      return 2;
    }
  if (seed != -1 && (seed < 0 || seed > G_MAXUINT32))
    {
      g_printerr (_("%s: the seed must be from 0 to %u\n"), g_get_prgname (), G_MAXUINT32);
      return 2;
    }
  if (workers < 1 || workers > 64)
    {
      g_printerr (_("%s: the number of workers must be from 1 to 64\n"), g_get_prgname ());
      return 2;
    }
  if (!(time_scale >= 1 && time_scale <= 1000000))
    {
      g_printerr (_("%s: --time-scale must be from 1 to 1000000\n"), g_get_prgname ());
      return 2;
    }
  if (!(sms_failure_rate >= 0 && sms_failure_rate <= 1))
    {
      g_printerr (_("%s: the SMS failure rate must be from 0 to 1\n"), g_get_prgname ());
      return 2;
    }
  if (generate && demo)
    {
      g_printerr (_("%s: use either --generate (write a database and exit) or --demo (serve)\n"), g_get_prgname ());
      return 2;
    }
  if (generate && (db_path == NULL || g_str_equal (db_path, ":memory:")))
    {
      g_printerr (_("%s: --generate needs --database URL, the database file to write\n"), g_get_prgname ());
      return 2;
    }
  if (workers > 1 && db_path != NULL && g_str_equal (db_path, ":memory:"))
    {
      g_printerr (_("%s: worker processes cannot share an in-memory database; give --database URL\n"), g_get_prgname ());
      return 2;
    }
  if ((tls_cert == NULL) != (tls_key == NULL))
    {
      g_printerr (_("%s: --tls-cert and --tls-key go together\n"), g_get_prgname ());
      return 2;
    }
  if (tls_cert != NULL && workers > 1)
    {
      g_printerr (_("%s: HTTPS is served by a single process; drop --workers or put a TLS proxy in front\n"),
                  g_get_prgname ());
      return 2;
    }
  if (fault_spec != NULL)
    {
      if (workers > 1)
        {
          g_printerr (_("%s: --inject-faults needs a single worker\n"), g_get_prgname ());
          return 2;
        }
      faults = bd_central_faults_new (fault_spec, (guint64) fault_seed, &error);
      if (faults == NULL)
        {
          g_printerr ("%s: %s\n", g_get_prgname (), error->message);
          return 2;
        }
    }
  if (!demo && !generate && (n_consumers != -1 || seed != -1))
    g_printerr (_("%s: --consumers and --seed only matter with --demo or --generate\n"), g_get_prgname ());

  if (db_path == NULL)
    db_path = g_steal_pointer (&default_path);
  if (!bd_sql_url_is_postgresql (db_path) && !g_str_equal (db_path, ":memory:") &&
      !ensure_parent_dir (g_str_has_prefix (db_path, "sqlite://") ? db_path + strlen ("sqlite://") : db_path, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return 1;
    }

  db = bd_central_db_open (db_path, &error);
  if (db == NULL)
    {
      /* A PostgreSQL address may carry a password: it is not printed. */
      g_printerr (_("%s: could not open the database %s: %s\n"), g_get_prgname (),
                  bd_sql_url_is_postgresql (db_path) ? "(PostgreSQL)" : db_path, error->message);
      return 1;
    }
  /* Older, cheaper hashes (a database from before the count was raised)
   * are replaced at each user's next sign-in. */
  bd_central_db_set_password_iterations (db, BD_PASSWORD_DEFAULT_ITERATIONS);

  if (verify_audit)
    {
      gint64 entries = 0;
      gint64 broken = 0;
      g_autofree char *count = NULL;

      if (bd_central_db_audit_verify (db, &entries, &broken, &error))
        {
          count = g_strdup_printf ("%" G_GINT64_FORMAT, entries);
          g_print (_("The audit log is intact: %s entries.\n"), count);
          return 0;
        }
      if (error != NULL)
        {
          g_printerr (_("%s: could not read the audit log: %s\n"), g_get_prgname (), error->message);
          return 1;
        }
      count = g_strdup_printf ("%" G_GINT64_FORMAT, broken);
      g_printerr (_("%s: the audit log was changed: its chain breaks at entry %s.\n"), g_get_prgname (), count);
      return 1;
    }

  if (demo || generate)
    {
      gint64 created = setup_demo (db,
                                   seed == -1 ? BD_DEMO_DEFAULT_SEED : (guint32) seed,
                                   n_consumers == -1 ? BD_DEMO_DEFAULT_CONSUMERS : (guint) n_consumers,
                                   &error);

      if (created < 0)
        {
          g_printerr (_("%s: could not create the demo data: %s\n"), g_get_prgname (), error->message);
          return 1;
        }
      if (generate)
        {
          /* Refusing to add to existing consumers keeps the seed's promise:
           * the same seed gives the same database. */
          if (created == 0 && n_consumers != 0)
            {
              g_printerr (_("%s: %s already holds consumers; remove it to generate a new one\n"),
                          g_get_prgname (), db_path);
              return 1;
            }
          g_clear_object (&db);
          return 0;
        }
    }

  if (workers > 1)
    {
      /* Each worker opens its own connection after the fork. */
      g_clear_object (&db);
      return bd_central_workers_run (db_path, (guint) port, (guint) workers, demo, sms_failure_rate,
                                     print_listening, GINT_TO_POINTER (demo));
    }

  server = bd_central_server_new_with_options (db, demo, sms_failure_rate);
  bd_central_server_set_idle_timeout (server, (guint) CLAMP (idle_timeout, 1, 3600));
  if (faults != NULL)
    bd_central_server_set_faults (server, faults);
  if (tls_cert != NULL)
    {
      if (!bd_central_server_set_tls (server, tls_cert, tls_key, &error))
        {
          g_printerr (_("%s: could not load the TLS certificate and key: %s\n"), g_get_prgname (), error->message);
          return 1;
        }
      serving_tls = TRUE;
    }
  /* The head-end simulation belongs to the demo: a real deployment gets
   * its readings from the meters. */
  if (demo && !no_meters &&
      !bd_central_server_start_meters (server, seed == -1 ? BD_DEMO_DEFAULT_SEED : (guint32) seed, time_scale, &error))
    {
      g_printerr (_("%s: could not start the simulated meters: %s\n"), g_get_prgname (), error->message);
      return 1;
    }
  if (!bd_central_server_listen_local (server, (guint) port, &error))
    {
      g_printerr (_("%s: could not listen on 127.0.0.1 port %d: %s\n"),
                  g_get_prgname (), port, error->message);
      return 1;
    }

  /* The handlers go in before the address is announced: whoever reads it
   * may stop the server at once, and that must still be a clean stop. */
  loop = g_main_loop_new (NULL, FALSE);
  sigint_id = g_unix_signal_add (SIGINT, on_quit_signal_cb, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, on_quit_signal_cb, loop);

  print_listening (bd_central_server_get_port (server), GINT_TO_POINTER (demo));

  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  bd_central_server_disconnect (server);
  if (faults != NULL)
    {
      g_autofree char *summary = bd_central_faults_summary (faults);

      g_printerr ("bijli-central: %s\n", summary);
    }
  /* Dropping the server and database closes SQLite cleanly, checkpointing the WAL. */
  g_clear_object (&server);
  g_clear_object (&db);

  return 0;
}
