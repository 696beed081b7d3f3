/* bd-session-keyring.h: the desk's session token in the Secret Service.
 *
 * After an online sign-in the token goes into the Secret Service's
 * session collection (the keyring daemon's memory, never a file), keyed by
 * server and user name, so that restarting the desk resumes the session
 * instead of asking for the password again. Logging out of the computer
 * empties that collection; signing out of the desk, or the server refusing
 * the token, removes it. Without a Secret Service the desk works as
 * before: the token lives in memory only and nothing is written.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "core/bd-session.h"

G_BEGIN_DECLS

/* Stores session's token for server_url; failures are logged, not raised:
 * the session works without it. */
void   bd_session_keyring_store          (const char          *server_url,
                                          BdSession           *session);
/* Removes the token of username at server_url, if any. */
void   bd_session_keyring_clear          (const char          *server_url,
                                          const char          *username);
/* The token kept for username at server_url: NULL without error when there
 * is none, or no Secret Service to ask. */
void   bd_session_keyring_lookup_async   (const char          *server_url,
                                          const char          *username,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
char  *bd_session_keyring_lookup_finish  (GAsyncResult        *result,
                                          GError             **error);

G_END_DECLS
