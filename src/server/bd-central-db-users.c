/* bd-central-db-users.c: staff accounts as an administrator manages them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-time.h"
#include "core/bd-validate.h"

#include "bd-central-db-private.h"
#include "bd-central-db-users.h"
#include "bd-password.h"

#define USER_COLUMNS \
  "u.username, u.display_name, u.role, u.zone, u.created_at, u.disabled_at, u.password_changed_at, " \
  "(SELECT max (at) FROM audit_log a WHERE a.username = u.username AND a.action = 'session.sign_in'), " \
  "(SELECT count (*) FROM sessions s WHERE s.username = u.username AND s.expires_at > ?1), " \
  "(SELECT group_concat (zone, ',') FROM (SELECT g.zone FROM user_zones g " \
  "                                      WHERE g.username = u.username ORDER BY g.zone) AS z)"

static gboolean
require_admin (BdSession  *admin,
               GError    **error)
{
  if (bd_session_get_role (admin) == BD_ROLE_ADMIN)
    return TRUE;
  g_set_error_literal (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_FORBIDDEN,
                       _("Only an administrator can manage staff accounts."));
  return FALSE;
}

static void
set_not_found (GError **error)
{
  g_set_error_literal (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND,
                       _("There is no such staff user in your zone."));
}

static void
add_time_or_null (JsonBuilder  *builder,
                  const char   *name,
                  BdSqlStmt *stmt,
                  int           column)
{
  json_builder_set_member_name (builder, name);
  if (bd_sql_stmt_column_is_null (stmt, column))
    json_builder_add_null_value (builder);
  else
    {
      g_autofree char *text = bd_time_to_iso8601 (bd_sql_stmt_column_int64 (stmt, column));

      json_builder_add_string_value (builder, text);
    }
}

static void
add_user (JsonBuilder  *builder,
          BdSqlStmt *stmt)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, _bd_central_column_text (stmt, 0));
  json_builder_set_member_name (builder, "display_name");
  json_builder_add_string_value (builder, _bd_central_column_text (stmt, 1));
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, _bd_central_column_text (stmt, 2));
  json_builder_set_member_name (builder, "zone");
  json_builder_add_string_value (builder, _bd_central_column_text (stmt, 3));
  add_time_or_null (builder, "created_at", stmt, 4);
  json_builder_set_member_name (builder, "disabled");
  json_builder_add_boolean_value (builder, !bd_sql_stmt_column_is_null (stmt, 5));
  add_time_or_null (builder, "disabled_at", stmt, 5);
  add_time_or_null (builder, "password_changed_at", stmt, 6);
  add_time_or_null (builder, "last_sign_in_at", stmt, 7);
  json_builder_set_member_name (builder, "active_sessions");
  json_builder_add_int_value (builder, bd_sql_stmt_column_int64 (stmt, 8));
  json_builder_set_member_name (builder, "zones");
  json_builder_begin_array (builder);
  if (!bd_sql_stmt_column_is_null (stmt, 9))
    {
      g_auto(GStrv) zones = g_strsplit (_bd_central_column_text (stmt, 9), ",", -1);

      for (guint i = 0; zones[i] != NULL; i++)
        json_builder_add_string_value (builder, zones[i]);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

JsonNode *
bd_central_db_users_list (BdCentralDb  *self,
                          BdSession    *admin,
                          gint64        now,
                          GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);
  g_return_val_if_fail (BD_IS_SESSION (admin), NULL);

  if (!require_admin (admin, error))
    return NULL;
  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT " USER_COLUMNS " FROM users u WHERE u.zone = ?2 ORDER BY u.username",
                              error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_int64 (stmt, 1, now);
  bd_sql_stmt_bind_text (stmt, 2, bd_session_get_zone (admin));

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "users");
  json_builder_begin_array (builder);
  while ((rc = bd_sql_stmt_step (stmt)) == BD_SQL_ROW)
    add_user (builder, stmt);
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "staff list");
      return NULL;
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
bd_central_db_user_get (BdCentralDb  *self,
                        BdSession    *admin,
                        const char   *username,
                        gint64        now,
                        GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);
  g_return_val_if_fail (BD_IS_SESSION (admin), NULL);
  g_return_val_if_fail (username != NULL, NULL);

  if (!require_admin (admin, error))
    return NULL;
  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT " USER_COLUMNS " FROM users u WHERE u.zone = ?2 AND u.username = ?3",
                              error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_int64 (stmt, 1, now);
  bd_sql_stmt_bind_text (stmt, 2, bd_session_get_zone (admin));
  bd_sql_stmt_bind_text (stmt, 3, username);
  rc = bd_sql_stmt_step (stmt);
  if (rc == BD_SQL_DONE)
    {
      set_not_found (error);
      return NULL;
    }
  if (rc != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "staff user");
      return NULL;
    }
  builder = json_builder_new ();
  add_user (builder, stmt);
  return json_builder_get_root (builder);
}

/* The user's role and whether it is disabled, if it is in zone. */
static gboolean
find_user (BdCentralDb  *self,
           const char   *zone,
           const char   *username,
           BdRole       *out_role,
           gboolean     *out_disabled,
           char        **out_display_name,
           GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = bd_sql_connection_prepare (self->sql,
                                                      "SELECT role, disabled_at IS NOT NULL, display_name "
                                                      "FROM users WHERE username = ?1 AND zone = ?2",
                                                      error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (stmt, 1, username);
  bd_sql_stmt_bind_text (stmt, 2, zone);
  rc = bd_sql_stmt_step (stmt);
  if (rc == BD_SQL_DONE)
    {
      set_not_found (error);
      return FALSE;
    }
  if (rc != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "staff user");
      return FALSE;
    }
  *out_role = BD_ROLE_OPERATOR;
  bd_role_from_string (_bd_central_column_text (stmt, 0), out_role);
  *out_disabled = bd_sql_stmt_column_int (stmt, 1) != 0;
  if (out_display_name != NULL)
    *out_display_name = g_strdup (_bd_central_column_text (stmt, 2));
  return TRUE;
}

static gint64
delete_sessions (BdCentralDb  *self,
                 const char   *username,
                 GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = bd_sql_connection_prepare (self->sql,
                                                      "DELETE FROM sessions WHERE username = ?1", error);

  if (stmt == NULL)
    return -1;
  bd_sql_stmt_bind_text (stmt, 1, username);
  if (bd_sql_stmt_step (stmt) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "end sessions");
      return -1;
    }
  return bd_sql_connection_changes (self->sql);
}

static gboolean
audit_admin (BdCentralDb  *self,
             BdSession    *admin,
             gint64        now,
             const char   *action,
             const char   *username,
             const char   *field,
             const char   *from,
             const char   *to,
             GError      **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) detail = NULL;

  json_builder_begin_object (builder);
  if (field != NULL)
    {
      json_builder_set_member_name (builder, "field");
      json_builder_add_string_value (builder, field);
      json_builder_set_member_name (builder, "from");
      if (from != NULL)
        json_builder_add_string_value (builder, from);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "to");
      if (to != NULL)
        json_builder_add_string_value (builder, to);
      else
        json_builder_add_null_value (builder);
    }
  json_builder_end_object (builder);
  detail = json_builder_get_root (builder);

  return _bd_central_db_audit (self, now, bd_session_get_username (admin),
                               bd_role_to_string (bd_session_get_role (admin)),
                               bd_session_get_zone (admin), action, username,
                               field != NULL ? detail : NULL, error);
}

static gboolean
check_password (const char  *password,
                const char  *username,
                GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (bd_staff_password_check (password, username, &local_error))
    return TRUE;
  g_set_error_literal (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT, local_error->message);
  return FALSE;
}

gboolean
bd_central_db_user_create (BdCentralDb  *self,
                           BdSession    *admin,
                           const char   *username,
                           const char   *display_name,
                           BdRole        role,
                           const char   *password,
                           guint         iterations,
                           gint64        now,
                           GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *full_name = NULL;
  g_autoptr(BdSqlStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (BD_IS_SESSION (admin), FALSE);

  if (!require_admin (admin, error))
    return FALSE;
  name = bd_username_normalize (username, &local_error);
  if (name == NULL)
    {
      g_set_error_literal (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT, local_error->message);
      return FALSE;
    }
  full_name = bd_display_name_normalize (display_name, &local_error);
  if (full_name == NULL)
    {
      g_set_error_literal (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT, local_error->message);
      return FALSE;
    }
  if (!check_password (password, name, error))
    return FALSE;

  /* Hashed before the transaction: the write lock is not held for the
   * 85 ms the key derivation takes. */
  stmt = bd_sql_connection_prepare (self->sql,
                              "INSERT INTO users (username, display_name, role, zone, password_hash, "
                              "  password_salt, password_iterations, created_at, password_changed_at) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) ON CONFLICT (username) DO NOTHING",
                              error);
  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (stmt, 1, name);
  bd_sql_stmt_bind_text (stmt, 2, full_name);
  bd_sql_stmt_bind_text (stmt, 3, bd_role_to_string (role));
  bd_sql_stmt_bind_text (stmt, 4, bd_session_get_zone (admin));
  _bd_central_bind_password (stmt, 5, password, iterations);
  bd_sql_stmt_bind_int64 (stmt, 8, now);

  if (!bd_sql_connection_begin (self->sql, error))
    return FALSE;
  rc = bd_sql_stmt_step (stmt);
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "new staff user");
      goto fail;
    }
  if (bd_sql_connection_changes (self->sql) == 0)
    {
      /* Taken in any zone: user names are global, sign-in has no zone. */
      g_set_error_literal (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_USERNAME_TAKEN,
                           _("This user name is already in use. Choose another."));
      goto fail;
    }
  if (!audit_admin (self, admin, now, "user.create", name, "role", NULL, bd_role_to_string (role), error))
    goto fail;
  return bd_sql_connection_commit (self->sql, error);

fail:
  bd_sql_connection_rollback (self->sql);
  return FALSE;
}

/* Runs sql (?1 the user name) with ?2 bound to text, else to number, else
 * (both unset) to NULL. */
static gboolean
set_column (BdCentralDb  *self,
            const char   *sql,
            const char   *username,
            const char   *text,
            gint64        number,
            GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = bd_sql_connection_prepare (self->sql, sql, error);

  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (stmt, 1, username);
  if (text != NULL)
    bd_sql_stmt_bind_text (stmt, 2, text);
  else if (number != 0)
    bd_sql_stmt_bind_int64 (stmt, 2, number);
  else
    bd_sql_stmt_bind_null (stmt, 2);
  if (bd_sql_stmt_step (stmt) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "staff user");
      return FALSE;
    }
  return TRUE;
}

/* The extra zones of username, sorted, joined by commas ("" for none). */
static char *
granted_zones (BdCentralDb  *self,
               const char   *username,
               GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = bd_sql_connection_prepare (self->sql,
                                                      "SELECT COALESCE (group_concat (zone, ','), '') FROM "
                                                      "(SELECT zone FROM user_zones WHERE username = ?1 ORDER BY zone) AS z",
                                                      error);

  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_text (stmt, 1, username);
  if (bd_sql_stmt_step (stmt) != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "staff zones");
      return NULL;
    }
  return g_strdup (_bd_central_column_text (stmt, 0));
}

/* Replaces username's extra zones: each must be one the administrator may
 * work in; the user's home zone is not an extra one. */
static gboolean
set_zones (BdCentralDb        *self,
           BdSession          *admin,
           const char         *username,
           const char * const *zones,
           GError            **error)
{
  g_autoptr(BdSqlStmt) clear = bd_sql_connection_prepare (self->sql, "DELETE FROM user_zones WHERE username = ?1",
                                                       error);
  g_autoptr(BdSqlStmt) check = NULL;
  g_autoptr(BdSqlStmt) insert = NULL;

  if (clear == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (clear, 1, username);
  if (bd_sql_stmt_step (clear) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "staff zones");
      return FALSE;
    }
  check = bd_sql_connection_prepare (self->sql,
                               "SELECT EXISTS (SELECT 1 FROM zones WHERE code = ?2) AND "
                               "  (EXISTS (SELECT 1 FROM users WHERE username = ?1 AND zone = ?2) OR "
                               "   EXISTS (SELECT 1 FROM user_zones WHERE username = ?1 AND zone = ?2))",
                               error);
  insert = bd_sql_connection_prepare (self->sql,
                                "INSERT INTO user_zones (username, zone) "
                                "SELECT ?1, ?2 WHERE NOT EXISTS (SELECT 1 FROM users WHERE username = ?1 AND zone = ?2) "
                                "ON CONFLICT DO NOTHING",
                                error);
  if (check == NULL || insert == NULL)
    return FALSE;
  for (guint i = 0; zones[i] != NULL; i++)
    {
      bd_sql_stmt_reset (check);
      bd_sql_stmt_bind_text (check, 1, bd_session_get_username (admin));
      bd_sql_stmt_bind_text (check, 2, zones[i]);
      if (bd_sql_stmt_step (check) != BD_SQL_ROW)
        {
          bd_sql_connection_set_error (self->sql, error, "zone check");
          return FALSE;
        }
      if (bd_sql_stmt_column_int (check, 0) == 0)
        {
          g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_FORBIDDEN,
                       _("You can give only the zones you work in yourself; %s is not one of them."), zones[i]);
          return FALSE;
        }
      bd_sql_stmt_reset (insert);
      bd_sql_stmt_bind_text (insert, 1, username);
      bd_sql_stmt_bind_text (insert, 2, zones[i]);
      if (bd_sql_stmt_step (insert) != BD_SQL_DONE)
        {
          bd_sql_connection_set_error (self->sql, error, "staff zones");
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
bd_central_db_user_update (BdCentralDb        *self,
                           BdSession          *admin,
                           const char         *username,
                           const char         *display_name,
                           const BdRole       *role,
                           int                 disabled,
                           const char * const *zones,
                           gint64              now,
                           GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *full_name = NULL;
  g_autofree char *old_name = NULL;
  gboolean self_edit;
  gboolean was_disabled = FALSE;
  BdRole old_role = BD_ROLE_OPERATOR;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (BD_IS_SESSION (admin), FALSE);
  g_return_val_if_fail (username != NULL, FALSE);

  if (!require_admin (admin, error))
    return FALSE;
  if (display_name != NULL)
    {
      full_name = bd_display_name_normalize (display_name, &local_error);
      if (full_name == NULL)
        {
          g_set_error_literal (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT, local_error->message);
          return FALSE;
        }
    }

  /* An administrator locking themselves out would leave the zone
   * without one. */
  self_edit = g_str_equal (username, bd_session_get_username (admin));
  if (self_edit && disabled == 1)
    {
      g_set_error_literal (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_FORBIDDEN,
                           _("You cannot disable your own account."));
      return FALSE;
    }
  if (self_edit && role != NULL && *role != BD_ROLE_ADMIN)
    {
      g_set_error_literal (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_FORBIDDEN,
                           _("You cannot change your own role."));
      return FALSE;
    }

  if (!bd_sql_connection_begin (self->sql, error))
    return FALSE;
  if (!find_user (self, bd_session_get_zone (admin), username, &old_role, &was_disabled, &old_name, error))
    goto fail;

  if (full_name != NULL && !g_str_equal (full_name, old_name))
    {
      if (!set_column (self, "UPDATE users SET display_name = ?2 WHERE username = ?1", username, full_name, 0,
                       error))
        goto fail;
      if (!audit_admin (self, admin, now, "user.update", username, "display_name", old_name, full_name, error))
        goto fail;
    }

  if (role != NULL && *role != old_role)
    {
      if (!set_column (self, "UPDATE users SET role = ?2 WHERE username = ?1", username,
                       bd_role_to_string (*role), 0, error))
        goto fail;
      /* A session carries its role: the user signs in again to take up
       * the new one, and until then can do nothing with the old. */
      if (delete_sessions (self, username, error) < 0)
        goto fail;
      if (!audit_admin (self, admin, now, "user.update", username, "role",
                        bd_role_to_string (old_role), bd_role_to_string (*role), error))
        goto fail;
    }

  if (zones != NULL)
    {
      g_autofree char *before = granted_zones (self, username, error);
      g_autofree char *after = NULL;

      if (before == NULL || !set_zones (self, admin, username, zones, error))
        goto fail;
      after = granted_zones (self, username, error);
      if (after == NULL)
        goto fail;
      if (!g_str_equal (before, after))
        {
          /* A session in a zone no longer granted must not go on. */
          if (delete_sessions (self, username, error) < 0)
            goto fail;
          if (!audit_admin (self, admin, now, "user.update", username, "zones", before, after, error))
            goto fail;
        }
    }

  if (disabled >= 0 && (disabled != 0) != was_disabled)
    {
      if (!set_column (self, "UPDATE users SET disabled_at = ?2 WHERE username = ?1", username, NULL,
                       disabled ? now : 0, error))
        goto fail;
      if (disabled && delete_sessions (self, username, error) < 0)
        goto fail;
      if (!audit_admin (self, admin, now, disabled ? "user.disable" : "user.enable", username,
                        NULL, NULL, NULL, error))
        goto fail;
    }

  return bd_sql_connection_commit (self->sql, error);

fail:
  bd_sql_connection_rollback (self->sql);
  return FALSE;
}

gboolean
bd_central_db_user_reset_password (BdCentralDb  *self,
                                   BdSession    *admin,
                                   const char   *username,
                                   const char   *password,
                                   guint         iterations,
                                   gint64        now,
                                   GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  gboolean disabled;
  BdRole role;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (BD_IS_SESSION (admin), FALSE);
  g_return_val_if_fail (username != NULL, FALSE);

  if (!require_admin (admin, error))
    return FALSE;
  if (!check_password (password, username, error))
    return FALSE;

  /* Hashed before the transaction, as in bd_central_db_user_create(). */
  stmt = bd_sql_connection_prepare (self->sql,
                              "UPDATE users SET password_hash = ?2, password_salt = ?3, password_iterations = ?4, "
                              "  password_changed_at = ?5 WHERE username = ?1",
                              error);
  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (stmt, 1, username);
  _bd_central_bind_password (stmt, 2, password, iterations);
  bd_sql_stmt_bind_int64 (stmt, 5, now);

  if (!bd_sql_connection_begin (self->sql, error))
    return FALSE;
  if (!find_user (self, bd_session_get_zone (admin), username, &role, &disabled, NULL, error))
    goto fail;
  if (bd_sql_stmt_step (stmt) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "reset password");
      goto fail;
    }
  /* Whoever knew the old password may be signed in with it. */
  if (delete_sessions (self, username, error) < 0)
    goto fail;
  if (!audit_admin (self, admin, now, "user.password_reset", username, NULL, NULL, NULL, error))
    goto fail;
  return bd_sql_connection_commit (self->sql, error);

fail:
  bd_sql_connection_rollback (self->sql);
  return FALSE;
}

gint64
bd_central_db_user_revoke_sessions (BdCentralDb  *self,
                                    BdSession    *admin,
                                    const char   *username,
                                    gint64        now,
                                    GError      **error)
{
  gboolean disabled;
  BdRole role;
  gint64 ended;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), -1);
  g_return_val_if_fail (BD_IS_SESSION (admin), -1);
  g_return_val_if_fail (username != NULL, -1);

  if (!require_admin (admin, error))
    return -1;
  if (!bd_sql_connection_begin (self->sql, error))
    return -1;
  if (!find_user (self, bd_session_get_zone (admin), username, &role, &disabled, NULL, error))
    goto fail;
  ended = delete_sessions (self, username, error);
  if (ended < 0)
    goto fail;
  if (!audit_admin (self, admin, now, "user.sessions_revoked", username, NULL, NULL, NULL, error))
    goto fail;
  if (!bd_sql_connection_commit (self->sql, error))
    return -1;
  return ended;

fail:
  bd_sql_connection_rollback (self->sql);
  return -1;
}
