/* bd-central-workers.c: forked worker processes sharing one port.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "bd-central-db.h"
#include "bd-central-server.h"
#include "bd-central-workers.h"
#include "bd-password.h"

typedef struct {
  GMainLoop *loop;
  GArray    *pids;        /* GPid of workers still running */
  gboolean   stopping;
  int        status;
} Supervisor;

static gboolean
on_worker_quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static void
stop_workers (Supervisor *supervisor)
{
  /* Once: a worker cleaning up after the first SIGTERM need not see more. */
  if (supervisor->stopping)
    return;
  supervisor->stopping = TRUE;
  for (guint i = 0; i < supervisor->pids->len; i++)
    kill (g_array_index (supervisor->pids, GPid, i), SIGTERM);
}

static gboolean
on_supervisor_quit_cb (gpointer user_data)
{
  stop_workers (user_data);
  return G_SOURCE_CONTINUE;
}

static void
on_worker_exited_cb (GPid     pid,
                     gint     wait_status,
                     gpointer user_data)
{
  Supervisor *supervisor = user_data;

  for (guint i = 0; i < supervisor->pids->len; i++)
    {
      if (g_array_index (supervisor->pids, GPid, i) == pid)
        {
          g_array_remove_index_fast (supervisor->pids, i);
          break;
        }
    }
  g_spawn_close_pid (pid);

  /* A worker only exits 0 when told to stop; Ctrl+C in a terminal signals
   * the whole process group, so that may reach it before the supervisor. */
  if (!WIFEXITED (wait_status) || WEXITSTATUS (wait_status) != 0)
    {
      if (!supervisor->stopping)
        g_printerr (_("bijli-central: a worker process stopped unexpectedly; stopping the others.\n"));
      supervisor->status = 1;
    }
  stop_workers (supervisor);

  if (supervisor->pids->len == 0)
    g_main_loop_quit (supervisor->loop);
}

static int
serve_in_worker (const char *db_path,
                 guint       port,
                 gboolean    demo,
                 double      sms_failure_rate,
                 int         ready_fd)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdCentralDb) db = NULL;
  g_autoptr(BdCentralServer) server = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  char ready = 1;

#ifdef __linux__
  /* Do not outlive a supervisor that was killed outright. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  if (getppid () == 1)
    return 1;
#endif

  db = bd_central_db_open (db_path, &error);
  if (db == NULL)
    {
      g_printerr (_("bijli-central worker: could not open the database %s: %s\n"), db_path, error->message);
      return 1;
    }
  bd_central_db_set_password_iterations (db, BD_PASSWORD_DEFAULT_ITERATIONS);

  server = bd_central_server_new_with_options (db, demo, sms_failure_rate);
  socket = bd_central_reuseport_socket_new (port, TRUE, &error);
  if (socket == NULL || !bd_central_server_listen_socket (server, socket, &error))
    {
      g_printerr (_("bijli-central worker: could not listen on 127.0.0.1 port %u: %s\n"), port, error->message);
      return 1;
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_worker_quit_cb, loop);
  g_unix_signal_add (SIGTERM, on_worker_quit_cb, loop);

  if (write (ready_fd, &ready, 1) != 1)
    return 1;
  close (ready_fd);

  g_main_loop_run (loop);

  /* The signal sources stay until exit: removing the last one restores the
   * default action, and a second signal during cleanup would then kill us. */
  bd_central_server_disconnect (server);

  return 0;
}

GSocket *
bd_central_reuseport_socket_new (guint      port,
                                 gboolean   listen,
                                 GError   **error)
{
  g_autoptr(GSocket) socket = NULL;
  struct sockaddr_in address;
  int one = 1;

  g_return_val_if_fail (port <= G_MAXUINT16, NULL);

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;

  if (setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not share the port between workers: %s"), g_strerror (saved_errno));
      return NULL;
    }

  /* bind(2) itself: g_socket_bind() clears SO_REUSEPORT on stream sockets. */
  memset (&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_port = htons ((guint16) port);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (bind (g_socket_get_fd (socket), (struct sockaddr *) &address, sizeof address) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not bind to 127.0.0.1 port %u: %s"), port, g_strerror (saved_errno));
      return NULL;
    }
  if (listen && !g_socket_listen (socket, error))
    return NULL;

  return g_steal_pointer (&socket);
}

int
bd_central_workers_run (const char             *db_path,
                        guint                   port,
                        guint                   n_workers,
                        gboolean                demo,
                        double                  sms_failure_rate,
                        BdWorkersListeningFunc  listening,
                        gpointer                user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) reserved = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (GPid));
  Supervisor supervisor = { 0 };
  int ready_pipe[2];
  guint n_ready = 0;
  guint sigint_id;
  guint sigterm_id;

  g_return_val_if_fail (db_path != NULL, 1);
  g_return_val_if_fail (n_workers >= 1, 1);

  /* Bound but never listening: it fixes the port (also for port 0) for the
   * workers to join, and takes no connections itself. */
  reserved = bd_central_reuseport_socket_new (port, FALSE, &error);
  if (reserved == NULL)
    {
      g_printerr (_("bijli-central: could not listen on 127.0.0.1 port %u: %s\n"), port, error->message);
      return 1;
    }
  bound = g_socket_get_local_address (reserved, &error);
  if (bound == NULL)
    {
      g_printerr ("bijli-central: %s\n", error->message);
      return 1;
    }
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  if (!g_unix_open_pipe (ready_pipe, FD_CLOEXEC, &error))
    {
      g_printerr ("bijli-central: %s\n", error->message);
      return 1;
    }

  for (guint i = 0; i < n_workers; i++)
    {
      pid_t pid = fork ();

      if (pid < 0)
        {
          g_printerr (_("bijli-central: could not start a worker process: %s\n"), g_strerror (errno));
          break;
        }
      if (pid == 0)
        {
          close (ready_pipe[0]);
          g_socket_close (reserved, NULL);
          /* _exit: the parent's atexit handlers and stdio buffers are not ours. */
          _exit (serve_in_worker (db_path, port, demo, sms_failure_rate, ready_pipe[1]));
        }
      g_array_append_val (pids, pid);
    }
  close (ready_pipe[1]);

  /* Each worker writes one byte once it listens; a worker that fails
   * closes its end without writing. */
  for (;;)
    {
      char byte;
      ssize_t n = read (ready_pipe[0], &byte, 1);

      if (n == 1 && ++n_ready == n_workers)
        break;
      if (n == 0 || (n < 0 && errno != EINTR))
        break;
    }
  close (ready_pipe[0]);
  g_socket_close (reserved, NULL);

  loop = g_main_loop_new (NULL, FALSE);
  supervisor.loop = loop;
  supervisor.pids = pids;
  for (guint i = 0; i < pids->len; i++)
    g_child_watch_add (g_array_index (pids, GPid, i), on_worker_exited_cb, &supervisor);

  /* Before the address is announced, so that a stop right after it is clean. */
  sigint_id = g_unix_signal_add (SIGINT, on_supervisor_quit_cb, &supervisor);
  sigterm_id = g_unix_signal_add (SIGTERM, on_supervisor_quit_cb, &supervisor);

  if (n_ready < n_workers)
    {
      g_printerr (_("bijli-central: only %u of %u workers started.\n"), n_ready, n_workers);
      supervisor.status = 1;
      stop_workers (&supervisor);
    }
  else if (listening != NULL)
    {
      listening (port, user_data);
    }

  if (pids->len > 0)
    g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  return supervisor.status;
}
