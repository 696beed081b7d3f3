/* bd-central-db-auth.c: staff users, sign-in and sessions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "bd-central-db.h"
#include "bd-central-db-private.h"
#include "bd-password.h"

#define TOKEN_BYTES 32

static char *
token_hash (const char *token)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

static char *
new_token (void)
{
  guint8 bytes[TOKEN_BYTES];
  char *token;

  bd_password_random_bytes (bytes, sizeof bytes);
  token = g_base64_encode (bytes, sizeof bytes);
  /* URL- and header-safe alphabet (RFC 4648 §5) without padding. */
  g_strdelimit (token, "+", '-');
  g_strdelimit (token, "/", '_');
  g_strdelimit (token, "=", '\0');

  return token;
}

/* From the first six columns of the row: user name, display name, role,
 * zone, zone name and expiry, as the sign-in and session queries select them. */
static BdSession *
session_from_row (BdSqlStmt *stmt,
                  const char   *token)
{
  BdRole role = BD_ROLE_OPERATOR;

  bd_role_from_string (_bd_central_column_text (stmt, 2), &role);

  return bd_session_new (token,
                         _bd_central_column_text (stmt, 0),
                         _bd_central_column_text (stmt, 1),
                         role,
                         _bd_central_column_text (stmt, 3),
                         _bd_central_column_text (stmt, 4),
                         bd_sql_stmt_column_int64 (stmt, 5));
}

void
_bd_central_bind_password (BdSqlStmt *stmt,
                           int           first,
                           const char   *password,
                           guint         iterations)
{
  g_autoptr(GBytes) salt = NULL;
  g_autoptr(GBytes) hash = NULL;
  gsize salt_len, hash_len;
  gconstpointer salt_data, hash_data;

  bd_password_hash (password, iterations, &salt, &hash);
  salt_data = g_bytes_get_data (salt, &salt_len);
  hash_data = g_bytes_get_data (hash, &hash_len);
  bd_sql_stmt_bind_blob (stmt, first, hash_data, hash_len);
  bd_sql_stmt_bind_blob (stmt, first + 1, salt_data, salt_len);
  bd_sql_stmt_bind_int64 (stmt, first + 2, iterations);
}

gboolean
bd_central_db_ensure_user (BdCentralDb  *self,
                           const char   *username,
                           const char   *display_name,
                           BdRole        role,
                           const char   *zone,
                           const char   *password,
                           guint         iterations,
                           GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (username != NULL && display_name != NULL, FALSE);
  g_return_val_if_fail (zone != NULL && password != NULL, FALSE);

  if (*username == '\0' || *password == '\0' || iterations == 0)
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT,
                   _("A staff user needs a user name, a password and a positive iteration count."));
      return FALSE;
    }

  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT 1 FROM users WHERE username = ?1", error);
  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (stmt, 1, username);
  switch (bd_sql_stmt_step (stmt))
    {
    case BD_SQL_ROW:
      return TRUE;
    case BD_SQL_DONE:
      break;
    default:
      bd_sql_connection_set_error (self->sql, error, "user lookup");
      return FALSE;
    }
  g_clear_pointer (&stmt, bd_sql_stmt_free);

  stmt = bd_sql_connection_prepare (self->sql,
                              "INSERT INTO users (username, display_name, role, zone, "
                              "  password_hash, password_salt, password_iterations, created_at) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                              error);
  if (stmt == NULL)
    return FALSE;

  bd_sql_stmt_bind_text (stmt, 1, username);
  bd_sql_stmt_bind_text (stmt, 2, display_name);
  bd_sql_stmt_bind_text (stmt, 3, bd_role_to_string (role));
  bd_sql_stmt_bind_text (stmt, 4, zone);
  _bd_central_bind_password (stmt, 5, password, iterations);
  bd_sql_stmt_bind_int64 (stmt, 8, g_get_real_time () / G_USEC_PER_SEC);

  if (bd_sql_stmt_step (stmt) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "user");
      return FALSE;
    }

  return TRUE;
}

/* Failed sign-ins of username in the window, from the audit log, and
 * when the oldest of them leaves it. */
static gboolean
recent_failures (BdCentralDb  *self,
                 const char   *username,
                 gint64        now,
                 gint64       *out_count,
                 gint64       *out_oldest,
                 GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = bd_sql_connection_prepare (self->sql,
                                                      "SELECT count(*), min(at) FROM audit_log "
                                                      "WHERE username = ?1 AND action = 'session.sign_in_failed' "
                                                      "AND at > ?2",
                                                      error);

  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (stmt, 1, username);
  bd_sql_stmt_bind_int64 (stmt, 2, now - BD_CENTRAL_SIGN_IN_WINDOW_S);
  if (bd_sql_stmt_step (stmt) != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "sign-in failures");
      return FALSE;
    }
  *out_count = bd_sql_stmt_column_int64 (stmt, 0);
  *out_oldest = bd_sql_stmt_column_int64 (stmt, 1);
  return TRUE;
}

BdSession *
bd_central_db_sign_in (BdCentralDb  *self,
                       const char   *username,
                       const char   *password,
                       gint64        now,
                       GError      **error)
{
  return bd_central_db_sign_in_checked (self, username, password, now, NULL, error);
}

BdSession *
bd_central_db_sign_in_checked (BdCentralDb  *self,
                               const char   *username,
                               const char   *password,
                               gint64        now,
                               gint64       *out_retry_after,
                               GError      **error)
{
  return bd_central_db_sign_in_to_zone (self, username, password, NULL, now, out_retry_after, error);
}

BdSession *
bd_central_db_sign_in_to_zone (BdCentralDb  *self,
                               const char   *username,
                               const char   *password,
                               const char   *zone,
                               gint64        now,
                               gint64       *out_retry_after,
                               GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autoptr(BdSqlStmt) insert = NULL;
  g_autoptr(GBytes) salt = NULL;
  g_autoptr(GBytes) hash = NULL;
  g_autoptr(BdSession) session = NULL;
  g_autofree char *token = NULL;
  g_autofree char *hashed_token = NULL;
  gboolean found = FALSE;
  gboolean ok;
  guint iterations = bd_central_db_get_password_iterations (self);
  gint64 expires_at = now + BD_CENTRAL_SESSION_LIFETIME_S;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);
  g_return_val_if_fail (username != NULL && password != NULL, NULL);

  if (out_retry_after != NULL)
    *out_retry_after = 0;

  /* Guessing passwords costs the window, for known and unknown names alike. */
  {
    gint64 failures = 0, oldest = 0;

    if (!recent_failures (self, username, now, &failures, &oldest, error))
      return NULL;
    if (failures >= BD_CENTRAL_SIGN_IN_MAX_FAILURES)
      {
        gint64 retry_after = MAX (1, oldest + BD_CENTRAL_SIGN_IN_WINDOW_S - now);

        if (out_retry_after != NULL)
          *out_retry_after = retry_after;
        g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_RATE_LIMITED,
                     _("Too many wrong passwords for this user. Try again in %d minutes, or ask a supervisor."),
                     (int) MAX (1, (retry_after + 59) / 60));
        return NULL;
      }
  }

  /* The zone asked for, if it is the user's own or one granted to them;
   * z.code is NULL for any other, told apart only after the password. */
  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT u.username, u.display_name, u.role, z.code, z.name, ?2, "
                              "  u.password_salt, u.password_iterations, u.password_hash, u.disabled_at, u.zone "
                              "FROM users u LEFT JOIN zones z ON z.code = COALESCE (?3, u.zone) "
                              "  AND (z.code = u.zone OR EXISTS (SELECT 1 FROM user_zones g "
                              "                                   WHERE g.username = u.username AND g.zone = z.code)) "
                              "WHERE u.username = ?1",
                              error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_text (stmt, 1, username);
  bd_sql_stmt_bind_int64 (stmt, 2, expires_at);
  _bd_central_bind_text_or_null (stmt, 3, zone);

  rc = bd_sql_stmt_step (stmt);
  if (rc == BD_SQL_ROW)
    {
      found = TRUE;
      salt = g_bytes_new (bd_sql_stmt_column_blob (stmt, 6), bd_sql_stmt_column_bytes (stmt, 6));
      iterations = (guint) CLAMP (bd_sql_stmt_column_int64 (stmt, 7), 1, G_MAXUINT);
      hash = g_bytes_new (bd_sql_stmt_column_blob (stmt, 8), bd_sql_stmt_column_bytes (stmt, 8));
    }
  else if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "sign-in");
      return NULL;
    }
  else
    {
      /* Hash anyway, so an unknown user name takes as long as a wrong
       * password and response times do not reveal which users exist. */
      static const guint8 dummy[BD_PASSWORD_HASH_LEN] = { 0 };

      salt = g_bytes_new_static (dummy, BD_PASSWORD_SALT_LEN);
      hash = g_bytes_new_static (dummy, sizeof dummy);
    }

  ok = bd_password_verify (password, salt, iterations, hash);
  if (!found || !ok)
    {
      g_autoptr(GError) audit_error = NULL;

      /* Failed sign-ins are what an audit is most often read for. */
      if (!_bd_central_db_audit (self, now, username, "", found ? bd_sql_stmt_column_text (stmt, 10) : "",
                                 "session.sign_in_failed", NULL, NULL, &audit_error))
        g_warning ("Could not record a failed sign-in: %s", audit_error->message);
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_CREDENTIALS,
                   _("The user name or password is wrong."));
      return NULL;
    }

  /* Only after the password: a disabled account is not told apart from a
   * wrong password by someone who does not know it. */
  if (!bd_sql_stmt_column_is_null (stmt, 9))
    {
      if (!_bd_central_db_audit (self, now, username, _bd_central_column_text (stmt, 2),
                                 _bd_central_column_text (stmt, 10), "session.sign_in_disabled", NULL, NULL, error))
        return NULL;
      g_set_error_literal (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_ACCOUNT_DISABLED,
                           _("This account has been disabled. Ask your administrator."));
      return NULL;
    }

  /* The password is known right now: the one moment a cheaper hash can
   * be replaced without asking anyone. */
  if (self->upgrade_hashes && iterations < self->password_iterations)
    {
      g_autoptr(BdSqlStmt) rehash = NULL;

      rehash = bd_sql_connection_prepare (self->sql,
                                    "UPDATE users SET password_hash = ?2, password_salt = ?3, "
                                    "  password_iterations = ?4 WHERE username = ?1",
                                    error);
      if (rehash == NULL)
        return NULL;
      bd_sql_stmt_bind_text (rehash, 1, username);
      _bd_central_bind_password (rehash, 2, password, self->password_iterations);
      if (bd_sql_stmt_step (rehash) != BD_SQL_DONE)
        {
          bd_sql_connection_set_error (self->sql, error, "rehash");
          return NULL;
        }
    }

  if (bd_sql_stmt_column_is_null (stmt, 3))
    {
      g_set_error_literal (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_FORBIDDEN,
                           _("This account may not work in that zone. Leave the zone empty for your own."));
      return NULL;
    }

  token = new_token ();
  hashed_token = token_hash (token);
  session = session_from_row (stmt, token);

  insert = bd_sql_connection_prepare (self->sql,
                                "INSERT INTO sessions (token_hash, username, created_at, expires_at, desk, zone) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                error);
  if (insert == NULL)
    return NULL;
  bd_sql_stmt_bind_text (insert, 1, hashed_token);
  bd_sql_stmt_bind_text (insert, 2, username);
  bd_sql_stmt_bind_int64 (insert, 3, now);
  bd_sql_stmt_bind_int64 (insert, 4, expires_at);
  _bd_central_bind_text_or_null (insert, 5, self->request_desk);
  bd_sql_stmt_bind_text (insert, 6, bd_session_get_zone (session));
  if (bd_sql_stmt_step (insert) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "session");
      return NULL;
    }
  if (!_bd_central_db_audit (self, now, username, bd_role_to_string (bd_session_get_role (session)),
                             bd_session_get_zone (session), "session.sign_in", NULL, NULL, error))
    return NULL;

  return g_steal_pointer (&session);
}

BdSession *
bd_central_db_lookup_session (BdCentralDb  *self,
                              const char   *token,
                              gint64        now,
                              GError      **error)
{
  g_autoptr(BdCentralCachedStmt) stmt = NULL;
  g_autofree char *hashed_token = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);

  if (token == NULL || *token == '\0')
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_UNAUTHORIZED,
                   _("Sign in first: this request needs a session token."));
      return NULL;
    }

  stmt = _bd_central_db_cached_stmt (self, STMT_SESSION, error);
  if (stmt == NULL)
    return NULL;

  hashed_token = token_hash (token);
  bd_sql_stmt_bind_text (stmt, 1, hashed_token);
  bd_sql_stmt_bind_int64 (stmt, 2, now);

  rc = bd_sql_stmt_step (stmt);
  if (rc == BD_SQL_ROW)
    return session_from_row (stmt, token);
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "session lookup");
      return NULL;
    }

  g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_UNAUTHORIZED,
               _("The session has expired or is not valid. Sign in again."));
  return NULL;
}

gint64
bd_central_db_purge_sessions (BdCentralDb  *self,
                              gint64        now,
                              GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), -1);

  stmt = bd_sql_connection_prepare (self->sql, "DELETE FROM sessions WHERE expires_at <= ?1", error);
  if (stmt == NULL)
    return -1;
  bd_sql_stmt_bind_int64 (stmt, 1, now);
  if (bd_sql_stmt_step (stmt) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "session purge");
      return -1;
    }

  return bd_sql_connection_changes (self->sql);
}

gboolean
bd_central_db_revoke_session (BdCentralDb  *self,
                              BdSession    *session,
                              gint64        now,
                              GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autofree char *hashed_token = NULL;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (BD_IS_SESSION (session), FALSE);

  hashed_token = token_hash (bd_session_get_token (session));
  if (!bd_sql_connection_begin (self->sql, error))
    return FALSE;
  stmt = bd_sql_connection_prepare (self->sql, "DELETE FROM sessions WHERE token_hash = ?1", error);
  if (stmt == NULL)
    goto fail;
  bd_sql_stmt_bind_text (stmt, 1, hashed_token);
  if (bd_sql_stmt_step (stmt) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "session revoke");
      goto fail;
    }
  if (!_bd_central_db_audit (self, now, bd_session_get_username (session),
                             bd_role_to_string (bd_session_get_role (session)),
                             bd_session_get_zone (session), "session.sign_out", NULL, NULL, error))
    goto fail;
  return bd_sql_connection_commit (self->sql, error);

fail:
  bd_sql_connection_rollback (self->sql);
  return FALSE;
}
