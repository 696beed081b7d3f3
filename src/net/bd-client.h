/* bd-client.h: the desk's HTTP/JSON client for bijli-central's /api/v1.
 *
 * One SoupSession per client (one client per application). All errors come
 * back as BD_NET_ERROR with a translated message fit to show an operator;
 * bd_net_error_from_* is the one place that maps HTTP and transport errors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "core/bd-changes-page.h"
#include "core/bd-consumer.h"
#include "core/bd-session.h"

G_BEGIN_DECLS

#define BD_NET_ERROR (bd_net_error_quark ())

typedef enum {
  BD_NET_ERROR_INVALID_URL,       /* the server address is not an http(s) URL */
  BD_NET_ERROR_UNREACHABLE,       /* refused, no route, DNS, timeout */
  BD_NET_ERROR_TLS,               /* certificate not trusted */
  BD_NET_ERROR_BAD_CREDENTIALS,   /* sign-in refused (401 on /session) */
  BD_NET_ERROR_SESSION_EXPIRED,   /* token rejected (401 elsewhere) */
  BD_NET_ERROR_FORBIDDEN,         /* 403 */
  BD_NET_ERROR_NOT_FOUND,         /* 404 */
  BD_NET_ERROR_INVALID_REQUEST,   /* 400 / 422: the server rejected our input */
  BD_NET_ERROR_RATE_LIMITED,      /* 429 */
  BD_NET_ERROR_SERVER,            /* 5xx */
  BD_NET_ERROR_BAD_RESPONSE,      /* answer not JSON or not the documented shape */
  BD_NET_ERROR_CANCELLED,
} BdNetError;

GQuark bd_net_error_quark (void);

/* Maps an HTTP status and, if present, the server's error body to BD_NET_ERROR. */
GError *bd_net_error_from_status    (guint        status,
                                     const char  *path,
                                     GBytes      *body);
/* Maps a transport error (GIOError, GResolverError, GTlsError…) to BD_NET_ERROR. */
GError *bd_net_error_from_transport (const GError *error);

#define BD_TYPE_CLIENT (bd_client_get_type ())
G_DECLARE_FINAL_TYPE (BdClient, bd_client, BD, CLIENT, GObject)

/* base_url like "http://127.0.0.1:8912"; BD_NET_ERROR_INVALID_URL if not http(s). */
BdClient   *bd_client_new               (const char          *base_url,
                                         GError             **error);
const char *bd_client_get_base_url      (BdClient            *self);
/* The session used to authorise requests, set by sign-in (or by the caller). */
BdSession  *bd_client_get_session       (BdClient            *self);
void        bd_client_set_session       (BdClient            *self,
                                         BdSession           *session);

void        bd_client_sign_in_async     (BdClient            *self,
                                         const char          *username,
                                         const char          *password,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
BdSession  *bd_client_sign_in_finish    (BdClient            *self,
                                         GAsyncResult        *result,
                                         GError             **error);

void        bd_client_fetch_changes_async  (BdClient            *self,
                                            const char          *since_cursor, /* NULL = from the start */
                                            guint                limit,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
BdChangesPage *bd_client_fetch_changes_finish (BdClient         *self,
                                               GAsyncResult     *result,
                                               GError          **error);

void        bd_client_search_async      (BdClient            *self,
                                         const char          *query,
                                         guint                limit,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GPtrArray  *bd_client_search_finish     (BdClient            *self,
                                         GAsyncResult        *result,
                                         GError             **error);

void        bd_client_get_consumer_async  (BdClient            *self,
                                           const char          *account,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
BdConsumer *bd_client_get_consumer_finish (BdClient            *self,
                                           GAsyncResult        *result,
                                           GError             **error);

G_END_DECLS
