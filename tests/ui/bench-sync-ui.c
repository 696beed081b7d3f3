/* bench-sync-ui.c: does the window keep drawing while the zone syncs?
 *
 * Starts bijli-central (argv[1]) with BD_BENCH_SYNC_CONSUMERS demo
 * consumers (default 200,000), signs the real desk window in, and while
 * the first sync runs keeps the frame clock ticking (as the progress bar
 * and spinner do) and records the gap between frames. A gap well above
 * 16.7 ms is a frame the main loop could not draw because it was busy.
 * Prints the sync time, the frame gaps and the resident memory after.
 *
 * With BD_BENCH_SYNC_SNAPSHOT=1 the server's zone snapshot is built first
 * (a client asks for it until it is ready), so the window's first sync is
 * the snapshot's download and copy, then the feed from its cursor: what a
 * new desk meets on a server that has served the zone before.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <signal.h>
#include <string.h>

#include <gtk/gtk.h>
#include <glib/gstdio.h>

#include "bijli-desk-resources.h"
#include "bd-application.h"
#include "bd-window.h"
#include "net/bd-client.h"
#include "store/bd-consumer-store.h"

typedef struct {
  gint64  last_us;
  GArray *gaps_ms;
  gboolean recording;
} Frames;

static gboolean
on_tick_cb (GtkWidget     *widget,
            GdkFrameClock *clock,
            gpointer       user_data)
{
  Frames *frames = user_data;
  gint64 now = g_get_monotonic_time ();

  if (frames->recording && frames->last_us > 0)
    {
      double gap = (now - frames->last_us) / 1000.0;

      g_array_append_val (frames->gaps_ms, gap);
    }
  frames->last_us = now;

  return G_SOURCE_CONTINUE;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static char *
start_central (const char *central,
               const char *db,
               const char *consumers,
               GPid       *pid)
{
  const char *argv[] = { central, "--demo", "--consumers", consumers, "--port", "0", "--db", db, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOChannel) channel = NULL;
  int out_fd = -1;

  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, pid,
                            NULL, &out_fd, NULL, &error);
  g_assert_no_error (error);
  channel = g_io_channel_unix_new (out_fd);
  g_io_channel_set_close_on_unref (channel, TRUE);
  for (;;)
    {
      g_autofree char *line = NULL;

      if (g_io_channel_read_line (channel, &line, NULL, NULL, &error) != G_IO_STATUS_NORMAL)
        g_error ("bijli-central did not start: %s", error != NULL ? error->message : "end of output");
      if (g_str_has_prefix (line, "Listening on "))
        return g_strstrip (g_strdup (line + strlen ("Listening on ")));
    }
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
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* Asks for the zone's snapshot until the server has it; returns seconds. */
static double
prepare_snapshot (const char *url,
                  const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdClient) client = bd_client_new (url, &error);
  g_autoptr(GAsyncResult) signed_in = NULL;
  g_autoptr(BdSession) session = NULL;
  g_autofree char *path = g_build_filename (dir, "probe.snapshot", NULL);
  gint64 start = g_get_monotonic_time ();

  g_assert_no_error (error);
  bd_client_sign_in_async (client, "operator", "bijli-operator", NULL, on_done_cb, &signed_in);
  session = bd_client_sign_in_finish (client, wait_for (&signed_in), &error);
  g_assert_no_error (error);
  for (;;)
    {
      g_autoptr(GAsyncResult) result = NULL;

      bd_client_download_snapshot_async (client, bd_consumer_store_latest_schema_version (), path,
                                         NULL, NULL, NULL, on_done_cb, &result);
      if (bd_client_download_snapshot_finish (client, wait_for (&result), NULL, NULL, &error))
        break;
      g_assert_error (error, BD_NET_ERROR, BD_NET_ERROR_SERVER);
      g_clear_error (&error);
      g_usleep (G_USEC_PER_SEC / 4);
    }
  g_remove (path);
  return (g_get_monotonic_time () - start) / 1e6;
}

int
main (int   argc,
      char *argv[])
{
  const char *env_n = g_getenv ("BD_BENCH_SYNC_CONSUMERS");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bd-bench-sync-XXXXXX", &error);
  g_autofree char *db = NULL;
  g_autofree char *data = NULL;
  g_autofree char *url = NULL;
  g_autoptr(BdApplication) app = NULL;
  Frames frames = { 0, g_array_new (FALSE, FALSE, sizeof (double)), FALSE };
  BdWindow *window;
  GPid central = 0;
  gint64 start;
  double seconds;
  guint over_one = 0;
  guint over_three = 0;
  g_autofree char *status = NULL;

  g_assert_no_error (error);
  if (argc < 2)
    g_error ("usage: %s PATH-TO-BIJLI-CENTRAL", argv[0]);

  data = g_build_filename (dir, "data", NULL);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  gtk_init ();
  bd_register_resource ();

  db = g_build_filename (dir, "central.sqlite3", NULL);
  url = start_central (argv[1], db, env_n != NULL ? env_n : "200000", &central);

  if (g_strcmp0 (g_getenv ("BD_BENCH_SYNC_SNAPSHOT"), "1") == 0)
    g_print ("\nThe server built the zone's snapshot in %.1f s (before the window signs in)\n",
             prepare_snapshot (url, dir));

  app = bd_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  window = bd_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_add_tick_callback (GTK_WIDGET (window), on_tick_cb, &frames, NULL);
  bd_window_prefill_sign_in (window, url, "operator");

  start = g_get_monotonic_time ();
  bd_window_sign_in_with_password (window, "bijli-operator");
  while (g_strcmp0 (bd_window_get_page_name (window), "syncing") != 0)
    g_main_context_iteration (NULL, TRUE);
  frames.recording = TRUE;
  while (g_strcmp0 (bd_window_get_page_name (window), "main") != 0)
    g_main_context_iteration (NULL, TRUE);
  frames.recording = FALSE;
  seconds = (g_get_monotonic_time () - start) / 1e6;

  g_array_sort (frames.gaps_ms, compare_doubles);
  for (guint i = 0; i < frames.gaps_ms->len; i++)
    {
      double gap = g_array_index (frames.gaps_ms, double, i);

      over_one += gap > 1000.0 / 60 * 1.5;
      over_three += gap > 50.0;
    }

  g_print ("\nFirst sync of %s consumers through the desk window: %.1f s (sign-in to search page)\n\n",
           env_n != NULL ? env_n : "200000", seconds);
  g_print ("| frames | median gap | p99 gap | max gap | gaps > 25 ms | gaps > 50 ms |\n");
  g_print ("|--------|------------|---------|---------|--------------|--------------|\n");
  g_print ("| %6u | %7.1f ms | %4.1f ms | %4.1f ms | %12u | %12u |\n\n",
           frames.gaps_ms->len,
           g_array_index (frames.gaps_ms, double, frames.gaps_ms->len / 2),
           g_array_index (frames.gaps_ms, double, (guint) (frames.gaps_ms->len * 0.99)),
           g_array_index (frames.gaps_ms, double, frames.gaps_ms->len - 1),
           over_one, over_three);

  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    {
      g_auto(GStrv) lines = g_strsplit (status, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        if (g_str_has_prefix (lines[i], "VmRSS:") || g_str_has_prefix (lines[i], "VmHWM:") ||
            g_str_has_prefix (lines[i], "RssAnon:") || g_str_has_prefix (lines[i], "RssFile:"))
          g_print ("# after the sync: %s\n", lines[i]);
    }

  kill (central, SIGTERM);
  g_spawn_close_pid (central);
  gtk_window_destroy (GTK_WINDOW (window));
  g_array_unref (frames.gaps_ms);
  return EXIT_SUCCESS;
}
