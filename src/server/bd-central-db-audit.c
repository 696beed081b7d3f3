/* bd-central-db-audit.c: the audit log and its hash chain.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/bd-codec.h"
#include "core/bd-time.h"

#include "bd-central-db-audit.h"
#include "bd-central-db-private.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* The hash of one entry: every field, each length-prefixed so that no two
 * different entries hash the same bytes, after the previous hash. The desk
 * (migration 8) is hashed only when known, so entries written before it
 * existed still verify. */
static char *
entry_hash (const char *prev_hash,
            gint64      seq,
            gint64      at,
            const char *username,
            const char *role,
            const char *zone,
            const char *action,
            const char *target,
            const char *detail,
            const char *desk)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *numbers = g_strdup_printf ("%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT "|", seq, at);
  const char *parts[] = { prev_hash, username, role, zone, action, target, detail };

  g_checksum_update (checksum, (const guchar *) numbers, (gssize) strlen (numbers));
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      const char *part = parts[i] != NULL ? parts[i] : "";
      g_autofree char *length = g_strdup_printf ("%zu:", strlen (part));

      g_checksum_update (checksum, (const guchar *) length, (gssize) strlen (length));
      g_checksum_update (checksum, (const guchar *) part, (gssize) strlen (part));
    }
  if (desk != NULL)
    {
      g_autofree char *length = g_strdup_printf ("desk%zu:", strlen (desk));

      g_checksum_update (checksum, (const guchar *) length, (gssize) strlen (length));
      g_checksum_update (checksum, (const guchar *) desk, (gssize) strlen (desk));
    }
  return g_strdup (g_checksum_get_string (checksum));
}

gboolean
_bd_central_db_audit (BdCentralDb  *self,
                      gint64        at,
                      const char   *username,
                      const char   *role,
                      const char   *zone,
                      const char   *action,
                      const char   *target,
                      JsonNode     *detail,
                      GError      **error)
{
  g_autoptr(BdSqlStmt) last = NULL;
  g_autoptr(BdSqlStmt) insert = NULL;
  g_autofree char *detail_text = detail != NULL ? bd_json_to_string (detail) : NULL;
  g_autofree char *prev_hash = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *zone_found = NULL;
  gboolean own_transaction;
  gint64 seq = 1;
  int rc;

  /* The read of the last hash and the insert are one step of the chain:
   * another process must not slip an entry in between. */
  own_transaction = !bd_sql_connection_in_transaction (self->sql);
  if (own_transaction && !bd_sql_connection_begin (self->sql, error))
    return FALSE;

  if (zone == NULL && target != NULL)
    {
      g_autoptr(BdSqlStmt) find = bd_sql_connection_prepare (self->sql,
                                                          "SELECT zone FROM consumers WHERE account = ?1", error);

      if (find == NULL)
        goto fail;
      bd_sql_stmt_bind_text (find, 1, target);
      if (bd_sql_stmt_step (find) == BD_SQL_ROW)
        zone_found = g_strdup (_bd_central_column_text (find, 0));
      zone = zone_found;
    }

  last = bd_sql_connection_prepare (self->sql, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", error);
  if (last == NULL)
    goto fail;
  rc = bd_sql_stmt_step (last);
  if (rc == BD_SQL_ROW)
    {
      seq = bd_sql_stmt_column_int64 (last, 0) + 1;
      prev_hash = g_strdup (_bd_central_column_text (last, 1));
    }
  else if (rc == BD_SQL_DONE)
    prev_hash = g_strdup (GENESIS);
  else
    {
      bd_sql_connection_set_error (self->sql, error, "audit chain");
      goto fail;
    }

  hash = entry_hash (prev_hash, seq, at, username, role, zone, action, target, detail_text, self->request_desk);
  insert = bd_sql_connection_prepare (self->sql,
                                "INSERT INTO audit_log (seq, at, username, role, zone, action, target, detail, "
                                "  prev_hash, hash, desk) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                                error);
  if (insert == NULL)
    goto fail;
  bd_sql_stmt_bind_int64 (insert, 1, seq);
  bd_sql_stmt_bind_int64 (insert, 2, at);
  bd_sql_stmt_bind_text (insert, 3, username != NULL ? username : "");
  bd_sql_stmt_bind_text (insert, 4, role != NULL ? role : "");
  bd_sql_stmt_bind_text (insert, 5, zone != NULL ? zone : "");
  bd_sql_stmt_bind_text (insert, 6, action);
  _bd_central_bind_text_or_null (insert, 7, target);
  _bd_central_bind_text_or_null (insert, 8, detail_text);
  bd_sql_stmt_bind_text (insert, 9, prev_hash);
  bd_sql_stmt_bind_text (insert, 10, hash);
  _bd_central_bind_text_or_null (insert, 11, self->request_desk);
  if (bd_sql_stmt_step (insert) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "audit insert");
      goto fail;
    }

  if (own_transaction && !bd_sql_connection_commit (self->sql, error))
    goto fail;
  return TRUE;

fail:
  if (own_transaction)
    bd_sql_connection_rollback (self->sql);
  return FALSE;
}

gboolean
bd_central_db_audit_view (BdCentralDb  *self,
                          BdSession    *session,
                          const char   *action,
                          const char   *target,
                          gint64        now,
                          GError      **error)
{
  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (BD_IS_SESSION (session), FALSE);

  return _bd_central_db_audit (self, now, bd_session_get_username (session),
                               bd_role_to_string (bd_session_get_role (session)),
                               bd_session_get_zone (session), action, target, NULL, error);
}

JsonNode *
bd_central_db_audit_list (BdCentralDb  *self,
                          const char   *zone,
                          const char   *target,
                          gint64        before_seq,
                          guint         limit,
                          GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gint64 oldest = 0;
  guint n = 0;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);

  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT seq, at, username, role, zone, action, target, detail, hash, desk "
                              "FROM audit_log WHERE zone = ?1 AND (?2 IS NULL OR target = ?2) "
                              "AND (?3 = 0 OR seq < ?3) ORDER BY seq DESC LIMIT ?4",
                              error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_text (stmt, 1, zone);
  _bd_central_bind_text_or_null (stmt, 2, target);
  bd_sql_stmt_bind_int64 (stmt, 3, before_seq);
  bd_sql_stmt_bind_int64 (stmt, 4, limit);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "entries");
  json_builder_begin_array (builder);
  while ((rc = bd_sql_stmt_step (stmt)) == BD_SQL_ROW)
    {
      g_autofree char *at = bd_time_to_iso8601 (bd_sql_stmt_column_int64 (stmt, 1));
      const char *target_text = bd_sql_stmt_column_text (stmt, 6);
      const char *detail_text = bd_sql_stmt_column_text (stmt, 7);
      g_autoptr(JsonNode) detail = detail_text != NULL ? bd_json_parse (detail_text, -1, NULL) : NULL;

      oldest = bd_sql_stmt_column_int64 (stmt, 0);
      n++;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "seq");
      json_builder_add_int_value (builder, oldest);
      json_builder_set_member_name (builder, "at");
      json_builder_add_string_value (builder, at);
      json_builder_set_member_name (builder, "by");
      json_builder_add_string_value (builder, _bd_central_column_text (stmt, 2));
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, _bd_central_column_text (stmt, 3));
      json_builder_set_member_name (builder, "action");
      json_builder_add_string_value (builder, _bd_central_column_text (stmt, 5));
      json_builder_set_member_name (builder, "target");
      if (target_text != NULL)
        json_builder_add_string_value (builder, target_text);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "detail");
      if (detail != NULL && JSON_NODE_HOLDS_OBJECT (detail))
        json_builder_add_value (builder, g_steal_pointer (&detail));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "desk");
      if (!bd_sql_stmt_column_is_null (stmt, 9))
        json_builder_add_string_value (builder, _bd_central_column_text (stmt, 9));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "hash");
      json_builder_add_string_value (builder, _bd_central_column_text (stmt, 8));
      json_builder_end_object (builder);
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "audit list");
      return NULL;
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "next_before");
  if (n == limit && oldest > 1)
    json_builder_add_int_value (builder, oldest);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

gboolean
bd_central_db_audit_verify (BdCentralDb  *self,
                            gint64       *out_entries,
                            gint64       *out_broken_seq,
                            GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autofree char *prev = g_strdup (GENESIS);
  gint64 expected_seq = 1;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);

  *out_entries = 0;
  *out_broken_seq = 0;
  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT seq, at, username, role, zone, action, target, detail, prev_hash, hash, desk "
                              "FROM audit_log ORDER BY seq",
                              error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = bd_sql_stmt_step (stmt)) == BD_SQL_ROW)
    {
      gint64 seq = bd_sql_stmt_column_int64 (stmt, 0);
      g_autofree char *hash = entry_hash (prev, seq, bd_sql_stmt_column_int64 (stmt, 1),
                                          _bd_central_column_text (stmt, 2), _bd_central_column_text (stmt, 3),
                                          _bd_central_column_text (stmt, 4), _bd_central_column_text (stmt, 5),
                                          bd_sql_stmt_column_text (stmt, 6),
                                          bd_sql_stmt_column_text (stmt, 7),
                                          bd_sql_stmt_column_text (stmt, 10));

      /* A gap, a changed field or a replaced link all stop the walk. */
      if (seq != expected_seq || !g_str_equal (_bd_central_column_text (stmt, 8), prev) ||
          !g_str_equal (_bd_central_column_text (stmt, 9), hash))
        {
          *out_broken_seq = seq != expected_seq ? expected_seq : seq;
          return FALSE;
        }
      g_free (prev);
      prev = g_strdup (hash);
      expected_seq++;
      (*out_entries)++;
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "audit verify");
      return FALSE;
    }
  return TRUE;
}
