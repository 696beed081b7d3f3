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

#include <json-glib/json-glib.h>

#include "core/bd-balance.h"
#include "core/bd-changes-page.h"
#include "core/bd-consumer.h"
#include "core/bd-indexing.h"
#include "core/bd-otp-ticket.h"
#include "core/bd-reading-series.h"
#include "core/bd-recharge.h"
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
  BD_NET_ERROR_OTP_WRONG,         /* 422 otp_wrong: see attempts_left */
  BD_NET_ERROR_OTP_DEAD,          /* 410: the OTP expired, was used or is locked */
  BD_NET_ERROR_CONFLICT,          /* 409: already registered, username taken, no mobile */
} BdNetError;

GQuark bd_net_error_quark (void);

/* Maps an HTTP status and, if present, the server's error body to BD_NET_ERROR.
 * When the body carries the server's (translated) message, the GError's
 * message is that text. */
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
/* The desk's own id (a UUID made once per installation), sent with every
 * request so that the server's audit log names the desk. */
void        bd_client_set_desk_id       (BdClient            *self,
                                         const char          *desk_id);
void        bd_client_set_session       (BdClient            *self,
                                         BdSession           *session);

void        bd_client_sign_in_async     (BdClient            *self,
                                         const char          *username,
                                         const char          *password,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
/* The same, in zone (NULL: the user's own) when the account may work in
 * more than one. */
void        bd_client_sign_in_to_zone_async (BdClient            *self,
                                             const char          *username,
                                             const char          *password,
                                             const char          *zone,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* Asks the server for the session of saved's token (a token kept from an
 * earlier run); completes like a sign-in, with bd_client_sign_in_finish().
 * BD_NET_ERROR_SESSION_EXPIRED once the server no longer takes it. */
void        bd_client_resume_async      (BdClient            *self,
                                         BdSession           *saved,
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

/* Called on the main context as a zone snapshot arrives: bytes so far,
 * of total (-1 when the server did not say), of a snapshot of consumers. */
typedef void (*BdSnapshotProgressFunc) (goffset  received,
                                        goffset  total,
                                        gint64   consumers,
                                        gpointer user_data);

/* Downloads the session zone's snapshot (GET /snapshot) for a store of
 * schema_version into dest_path, replacing it; on failure nothing is left
 * there. BD_NET_ERROR_NOT_FOUND when the server has none for this schema,
 * BD_NET_ERROR_SERVER (503) while it prepares one. out_cursor is the feed
 * cursor the snapshot is complete up to. */
void        bd_client_download_snapshot_async  (BdClient              *self,
                                                int                    schema_version,
                                                const char            *dest_path,
                                                BdSnapshotProgressFunc progress,
                                                gpointer               progress_data,
                                                GCancellable          *cancellable,
                                                GAsyncReadyCallback    callback,
                                                gpointer               user_data);
gboolean    bd_client_download_snapshot_finish (BdClient              *self,
                                                GAsyncResult          *result,
                                                gint64                *out_cursor,
                                                gint64                *out_consumers,
                                                GError               **error);

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

/* OTP. _finish out-params may be NULL; out_retry_after is the server's
 * retry_after in seconds on BD_NET_ERROR_RATE_LIMITED (else -1), and
 * out_attempts_left the attempts left on BD_NET_ERROR_OTP_WRONG (else -1). */
void         bd_client_request_otp_async  (BdClient            *self,
                                           const char          *account,
                                           BdOtpPurpose         purpose,
                                           const char          *mobile,   /* NULL = the registered one */
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
BdOtpTicket *bd_client_request_otp_finish (BdClient            *self,
                                           GAsyncResult        *result,
                                           gint                *out_retry_after,
                                           GError             **error);

void         bd_client_get_otp_async      (BdClient            *self,
                                           const char          *otp_id,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
BdOtpTicket *bd_client_get_otp_finish     (BdClient            *self,
                                           GAsyncResult        *result,
                                           GError             **error);

void         bd_client_resend_otp_async   (BdClient            *self,
                                           const char          *otp_id,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
BdOtpTicket *bd_client_resend_otp_finish  (BdClient            *self,
                                           GAsyncResult        *result,
                                           gint                *out_retry_after,
                                           GError             **error);

void         bd_client_verify_otp_async   (BdClient            *self,
                                           const char          *otp_id,
                                           const char          *code,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
BdOtpTicket *bd_client_verify_otp_finish  (BdClient            *self,
                                           GAsyncResult        *result,
                                           gint                *out_attempts_left,
                                           GError             **error);

/* Registration. password NULL = the server sends a temporary one by SMS. */
void         bd_client_register_async     (BdClient            *self,
                                           const char          *account,
                                           const char          *otp_id,
                                           const char          *username,
                                           const char          *password,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean     bd_client_register_finish    (BdClient            *self,
                                           GAsyncResult        *result,
                                           gboolean            *out_temporary_password_sent,
                                           GError             **error);

/* The app username, or NULL with BD_NET_ERROR_NOT_FOUND when the account
 * is not registered (or not visible to this desk). */
void         bd_client_get_registration_async  (BdClient            *self,
                                                const char          *account,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
char        *bd_client_get_registration_finish (BdClient            *self,
                                                GAsyncResult        *result,
                                                gint64              *out_registered_at,
                                                GError             **error);

/* Indexing and history. */
void         bd_client_get_indexing_async  (BdClient            *self,
                                            const char          *account,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
BdIndexing  *bd_client_get_indexing_finish (BdClient            *self,
                                            GAsyncResult        *result,
                                            GError             **error);

void         bd_client_get_history_async   (BdClient            *self,
                                            const char          *account,
                                            guint                limit,   /* 1..200; 0 = server default */
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
/* (element-type BdHistoryEntry), newest first */
GPtrArray   *bd_client_get_history_finish  (BdClient            *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* GET /consumers/{account}/balance. */
void         bd_client_get_balance_async   (BdClient            *self,
                                            const char          *account,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
BdBalance   *bd_client_get_balance_finish  (BdClient            *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* GET /consumers/{account}/readings for [from, to) at step. */
void         bd_client_get_readings_async  (BdClient            *self,
                                            const char          *account,
                                            BdReadingStep        step,
                                            gint64               from,
                                            gint64               to,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
BdReadingSeries *bd_client_get_readings_finish (BdClient        *self,
                                                GAsyncResult    *result,
                                                GError         **error);

/* GET /consumers/{account}/recharges: (element-type BdRecharge), newest first. */
void         bd_client_list_recharges_async  (BdClient            *self,
                                              const char          *account,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GPtrArray   *bd_client_list_recharges_finish (BdClient            *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* GET /meters/watch: waits up to timeout_s for a change to the accounts
 * after since (0: answers at once with all of them). Returns the balances
 * (element-type BdBalance) and the seq to pass next time. */
void         bd_client_watch_async         (BdClient            *self,
                                            const char * const  *accounts,
                                            gint64               since,
                                            guint                timeout_s,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GPtrArray   *bd_client_watch_finish        (BdClient            *self,
                                            GAsyncResult        *result,
                                            gint64              *out_seq,
                                            GError             **error);

/* A raw authorised request, for the push worker: method ("PATCH", "POST"…),
 * path under the base URL ("/api/v1/…", may have a query), an optional
 * Idempotency-Key header and an optional JSON body. On 2xx returns the
 * answer's JSON (a null node for an empty body). On failure returns NULL
 * with the mapped BD_NET_ERROR (the server's message when it sent one);
 * *out_status is always set: the HTTP status, or 0 when no answer came
 * (transport error, cancelled). */
void         bd_client_send_json_async     (BdClient            *self,
                                            const char          *method,
                                            const char          *path,
                                            const char          *idempotency_key,
                                            JsonNode            *body,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
JsonNode    *bd_client_send_json_finish    (BdClient            *self,
                                            GAsyncResult        *result,
                                            guint               *out_status,
                                            GError             **error);

G_END_DECLS
