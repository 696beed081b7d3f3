/* bd-application.h: the desk application; owns the settings, the signed-in
 * client and session, the local store and the sync engine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "core/bd-session.h"
#include "net/bd-client.h"
#include "net/bd-push-worker.h"
#include "net/bd-sync-engine.h"
#include "store/bd-consumer-store.h"

G_BEGIN_DECLS

#define BD_TYPE_APPLICATION (bd_application_get_type ())
G_DECLARE_FINAL_TYPE (BdApplication, bd_application, BD, APPLICATION, AdwApplication)

BdApplication   *bd_application_new              (void);
/* When the process started (g_get_monotonic_time() at the top of main()),
 * for --benchmark-startup. */
void             bd_application_set_started_at   (BdApplication       *self,
                                                  gint64               monotonic_us);

GSettings       *bd_application_get_settings     (BdApplication       *self);
/* Whether app.restart asked for the program to start again once
 * g_application_run() returns (after a language switch). */
gboolean         bd_application_get_restart_requested (BdApplication  *self);
/* NULL until signed in. */
BdSession       *bd_application_get_session      (BdApplication       *self);
BdConsumerStore *bd_application_get_store        (BdApplication       *self);
BdSyncEngine    *bd_application_get_sync_engine  (BdApplication       *self);
/* The signed-in client (NULL until signed in). */
BdClient        *bd_application_get_client       (BdApplication       *self);
/* Sends the outbox to the server while signed in: created and started
 * with the session, stopped and dropped at sign-out (NULL otherwise). */
BdPushWorker    *bd_application_get_push_worker  (BdApplication       *self);

/* Signs in, then opens (off the main thread) the local copy for the
 * server and zone and prepares a sync engine. On success the new objects
 * replace any previous ones and the server address and user name (never
 * the password) are remembered. Errors are BD_NET_ERROR or BD_STORE_ERROR
 * with messages fit to show. */
void             bd_application_sign_in_async    (BdApplication       *self,
                                                  const char          *server_url,
                                                  const char          *username,
                                                  const char          *password,
                                                  const char          *zone,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean         bd_application_sign_in_finish   (BdApplication       *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* Resumes the session kept in the Secret Service for username at
 * server_url (bd-session-keyring.h), as a sign-in would go on from the
 * server's answer. FALSE without error when none is kept (or there is no
 * Secret Service): the operator signs in. BD_NET_ERROR_SESSION_EXPIRED when
 * the server no longer takes the token (it is forgotten then). */
void             bd_application_resume_async     (BdApplication       *self,
                                                  const char          *server_url,
                                                  const char          *username,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean         bd_application_resume_finish    (BdApplication       *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
void             bd_application_sign_out         (BdApplication       *self);

/* TRUE while signed in against the offline record because the server
 * could not be reached: the local copy is open, but nothing is pulled or
 * sent (there is no sync engine nor push worker) until reconnect. */
gboolean         bd_application_is_offline_session (BdApplication     *self);
/* FALSE only while a 1912 call-centre agent is signed in: indexing,
 * registration, OTPs, recharges and disconnection requests need the
 * consumer in front of the member of staff, and the server refuses them
 * to agents. */
gboolean         bd_application_is_counter_staff (BdApplication       *self);
/* Signs in online with the password of the offline sign-in; on success the
 * session, sync engine and push worker are those of an online sign-in.
 * BD_NET_ERROR_UNREACHABLE (try later), BD_NET_ERROR_BAD_CREDENTIALS (the
 * password was changed or the account disabled: sign out) or
 * BD_NET_ERROR_SESSION_EXPIRED (moved to another zone: sign out). */
void             bd_application_reconnect_async  (BdApplication       *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean         bd_application_reconnect_finish (BdApplication       *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* How the local copy was opened at the last sign-in (recovered from a
 * damaged file or not), once: later calls return BD_STORE_RECOVERY_NONE. */
BdStoreRecovery  bd_application_take_store_recovery (BdApplication    *self,
                                                     gint64           *out_backup_time);
/* The local copy was found damaged while signed in: closes it and opens it
 * again, from its backup or empty (as at sign-in), with a new sync engine
 * and push worker. bd_application_take_store_recovery() then says which. */
void             bd_application_repair_store_async  (BdApplication       *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean         bd_application_repair_store_finish (BdApplication       *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
/* Backs the local copy up in a thread unless that was done in the last ten
 * minutes of this session; call after a sync. */
void             bd_application_maybe_back_up_store (BdApplication    *self);

/* Counts the consumers in the local copy and reads when it was last
 * synced, off the main thread. */
void             bd_application_query_store_async  (BdApplication       *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean         bd_application_query_store_finish (BdApplication       *self,
                                                    GAsyncResult        *result,
                                                    gint64              *out_count,
                                                    gint64              *out_last_sync,
                                                    GError             **error);

/* The local database file for a server and zone:
 * DATA_DIR/bijli-desk/HOST_PORT-ZONE.db, every part reduced to [A-Za-z0-9._-]. */
char            *bd_application_build_store_path (const char          *data_dir,
                                                  const char          *server_url,
                                                  const char          *zone);

G_END_DECLS
