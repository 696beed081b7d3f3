/* bd-offline-login.h: signing in on a desk that cannot reach the server.
 *
 * After each online sign-in the desk keeps, in a file only its user can
 * read, who signed in (role, zone) and a salted PBKDF2 verifier of the
 * password: never the password, never the server's token. When the server
 * cannot be reached, the same user name and password open the local copy
 * for a limited time after the last online sign-in. Wrong passwords are
 * counted in the file, and too many lock offline sign-in until the next
 * online one; the server stays the authority for everything else (an
 * offline session holds no token, so nothing is sent until the desk has
 * signed in online again).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "core/bd-session.h"

G_BEGIN_DECLS

#define BD_OFFLINE_LOGIN_ERROR (bd_offline_login_error_quark ())

typedef enum {
  BD_OFFLINE_LOGIN_ERROR_NONE_SAVED,     /* never signed in online on this desk */
  BD_OFFLINE_LOGIN_ERROR_WRONG_PASSWORD,
  BD_OFFLINE_LOGIN_ERROR_EXPIRED,        /* the last online sign-in is too old */
  BD_OFFLINE_LOGIN_ERROR_LOCKED,         /* too many wrong passwords */
  BD_OFFLINE_LOGIN_ERROR_DAMAGED,        /* unreadable file */
} BdOfflineLoginError;

/* How long after the last online sign-in an offline one is allowed: a zone
 * office's link can be down for a long weekend, no longer. */
#define BD_OFFLINE_LOGIN_VALID_S       (3 * 24 * 3600)
#define BD_OFFLINE_LOGIN_MAX_FAILURES  5
#define BD_OFFLINE_LOGIN_ITERATIONS    200000

GQuark     bd_offline_login_error_quark (void);

/* Records session's user after an online sign-in with password, at now
 * (Unix UTC): written whole to a new file (mode 0600) renamed over path,
 * with a fresh salt. Runs PBKDF2 (a few hundred ms): call from a thread. */
gboolean   bd_offline_login_save        (const char  *path,
                                         BdSession   *session,
                                         const char  *password,
                                         gint64       now,
                                         GError     **error);

/* The same with another iteration count (tests, which run under valgrind). */
gboolean   bd_offline_login_save_full   (const char  *path,
                                         BdSession   *session,
                                         const char  *password,
                                         gint64       now,
                                         guint        iterations,
                                         GError     **error);

/* Checks username and password against path at now. On success returns a
 * session without a token that expires BD_OFFLINE_LOGIN_VALID_S after the
 * last online sign-in; otherwise NULL with a BD_OFFLINE_LOGIN_ERROR whose
 * message can be shown as it is. A wrong password is counted in the file.
 * Runs PBKDF2: call from a thread. */
BdSession *bd_offline_login_verify      (const char  *path,
                                         const char  *username,
                                         const char  *password,
                                         gint64       now,
                                         GError     **error);

/* Removes path (when the server refused the password: it was changed, or
 * the account disabled). A missing file is not an error. */
gboolean   bd_offline_login_forget      (const char  *path,
                                         GError     **error);

G_END_DECLS
