/* bd-central-db-users.h: staff accounts as an administrator manages them.
 *
 * An administrator manages the staff of their own zone: creates users with
 * a role and a first password, renames them, changes their role, disables
 * and re-enables them, resets passwords and signs them out everywhere.
 * Users of other zones do not exist for them (BD_STORE_ERROR_NOT_FOUND).
 * Disabling, a new password and "sign out everywhere" end every session
 * of the user at once. Nobody can disable themselves, change their own
 * role, or be deleted: the audit log names them. Every change is one
 * transaction with its audit entry ("user.create", "user.update",
 * "user.password_reset", "user.sessions_revoked").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "core/bd-session.h"

#include "bd-central-db.h"

G_BEGIN_DECLS

/* {"users":[StaffUser…]}, by user name. */
JsonNode *bd_central_db_users_list            (BdCentralDb  *self,
                                               BdSession    *admin,
                                               gint64        now,
                                               GError      **error);
/* One StaffUser (see data/openapi.yaml). */
JsonNode *bd_central_db_user_get              (BdCentralDb  *self,
                                               BdSession    *admin,
                                               const char   *username,
                                               gint64        now,
                                               GError      **error);
/* A new user in the administrator's zone. The user name and password are
 * checked by bd_username_normalize() and bd_staff_password_check();
 * BD_CENTRAL_ERROR_USERNAME_TAKEN if the name is in use in any zone. */
gboolean  bd_central_db_user_create           (BdCentralDb  *self,
                                               BdSession    *admin,
                                               const char   *username,
                                               const char   *display_name,
                                               BdRole        role,
                                               const char   *password,
                                               guint         iterations,
                                               gint64        now,
                                               GError      **error);
/* Changes what is given: display_name (NULL: unchanged), role (NULL:
 * unchanged), disabled (-1: unchanged, 0 enable, 1 disable), zones (NULL:
 * unchanged; else the NULL-terminated extra zones the user may also sign
 * in to, each one the administrator works in). A new role or set of zones
 * ends the user's sessions. */
gboolean  bd_central_db_user_update           (BdCentralDb        *self,
                                               BdSession          *admin,
                                               const char         *username,
                                               const char         *display_name,
                                               const BdRole       *role,
                                               int                 disabled,
                                               const char * const *zones,
                                               gint64              now,
                                               GError            **error);
/* Sets a new password and ends the user's sessions. */
gboolean  bd_central_db_user_reset_password   (BdCentralDb  *self,
                                               BdSession    *admin,
                                               const char   *username,
                                               const char   *password,
                                               guint         iterations,
                                               gint64        now,
                                               GError      **error);
/* Ends every session of the user; how many, or -1 on error. */
gint64    bd_central_db_user_revoke_sessions  (BdCentralDb  *self,
                                               BdSession    *admin,
                                               const char   *username,
                                               gint64        now,
                                               GError      **error);

G_END_DECLS
