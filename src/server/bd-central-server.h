/* bd-central-server.h: the /api/v1 HTTP interface of bijli-central.
 *
 * Routes and shapes are specified in data/openapi.yaml; JSON goes through
 * core/bd-codec.h so the desk and the server cannot disagree on the format.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "bd-central-db.h"
#include "bd-central-faults.h"

G_BEGIN_DECLS

/* Bodies larger than this are refused with 413 before they are read. */
#define BD_CENTRAL_MAX_BODY_BYTES (64 * 1024)

#define BD_CENTRAL_SEARCH_DEFAULT_LIMIT 50
#define BD_CENTRAL_SEARCH_MAX_LIMIT     1000
#define BD_CENTRAL_SEARCH_MAX_QUERY     256   /* bytes */
#define BD_CENTRAL_CHANGES_DEFAULT_LIMIT 500
#define BD_CENTRAL_CHANGES_MAX_LIMIT    1000

#define BD_TYPE_CENTRAL_SERVER (bd_central_server_get_type ())
G_DECLARE_FINAL_TYPE (BdCentralServer, bd_central_server, BD, CENTRAL_SERVER, GObject)

BdCentralServer *bd_central_server_new             (BdCentralDb      *db);
/* demo: serve GET /demo/sms and keep OTPs in the stored SMS texts;
 * sms_failure_rate: the share (0–1) of simulated SMS attempts that fail. */
BdCentralServer *bd_central_server_new_with_options (BdCentralDb      *db,
                                                    gboolean          demo,
                                                    double            sms_failure_rate);
BdCentralDb     *bd_central_server_get_database    (BdCentralServer  *self);

/* Listens on 127.0.0.1 only; port 0 picks a free port. */
gboolean         bd_central_server_listen_local    (BdCentralServer  *self,
                                                    guint             port,
                                                    GError          **error);
/* Serves on a listening socket the caller made (e.g. one of several worker
 * processes' sockets sharing a port with SO_REUSEPORT). */
gboolean         bd_central_server_listen_socket   (BdCentralServer  *self,
                                                    GSocket          *socket,
                                                    GError          **error);
/* The port listened on, 0 before listening. */
guint            bd_central_server_get_port        (BdCentralServer  *self);
/* Stops listening and closes client connections. */
void             bd_central_server_disconnect      (BdCentralServer  *self);

/* A connection that sends or takes nothing for this long is closed (a
 * slow or stalled client cannot hold it); default
 * BD_CENTRAL_IDLE_TIMEOUT_S, above the longest long poll. */
#define BD_CENTRAL_IDLE_TIMEOUT_S 90
void             bd_central_server_set_idle_timeout (BdCentralServer *self,
                                                     guint            seconds);

/* Test harnesses only (bijli-central --inject-faults): every request but
 * /health then draws a fault from faults. NULL turns them off. */
void             bd_central_server_set_faults      (BdCentralServer  *self,
                                                    BdCentralFaults  *faults);

/* Runs the simulated smart meters of the database (giving the consumers
 * without one a meter seeded by seed) with a clock time_scale (≥ 1) times
 * faster than real time: new 15-minute readings, deductions, alerts and
 * cuts as the clock passes them. */
gboolean         bd_central_server_start_meters    (BdCentralServer  *self,
                                                    guint32           seed,
                                                    double            time_scale,
                                                    GError          **error);

/* Serves HTTPS with the PEM certificate (chain) and key in these files;
 * call before listening. */
gboolean         bd_central_server_set_tls          (BdCentralServer  *self,
                                                     const char       *cert_file,
                                                     const char       *key_file,
                                                     GError          **error);
gboolean         bd_central_server_get_tls          (BdCentralServer  *self);

G_END_DECLS
