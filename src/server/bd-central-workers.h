/* bd-central-workers.h: bijli-central on several cores.
 *
 * SoupServer answers on one thread, so one process uses one core. With
 * --workers N the parent forks N worker processes; each opens its own
 * SQLite connection (WAL lets them read concurrently; writes serialise on
 * the busy timeout) and listens on its own socket bound to the same port
 * with SO_REUSEPORT, so the kernel spreads connections across them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Called in the parent once every worker listens on port. */
typedef void (*BdWorkersListeningFunc) (guint    port,
                                        gpointer user_data);

/* Runs n_workers (≥ 1) processes serving the database at db_path on
 * 127.0.0.1:port (0 picks a free port) until the parent gets SIGINT or
 * SIGTERM, which it passes on to every worker. If a worker dies, the others
 * are stopped too: a half-served port is worse than a clear failure.
 * Call it before anything starts threads or opens db_path in this process.
 * Returns the process exit status: 0 after a clean stop. */
int bd_central_workers_run (const char             *db_path,
                            guint                   port,
                            guint                   n_workers,
                            gboolean                demo,
                            double                  sms_failure_rate,
                            BdWorkersListeningFunc  listening,
                            gpointer                user_data);

/* A TCP socket bound to 127.0.0.1:port with SO_REUSEPORT, listening if
 * listen is TRUE. */
GSocket *bd_central_reuseport_socket_new (guint      port,
                                          gboolean   listen,
                                          GError   **error);

G_END_DECLS
