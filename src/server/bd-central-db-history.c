/* bd-central-db-history.c: who changed what of a consumer, and when.
 *
 * Values are stored as they are shown: personal ones (mobiles, Aadhaar,
 * email, identity documents) already masked by the caller, so the history
 * never holds what the indexing record keeps only hashed or masked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "core/bd-time.h"

#include "bd-central-db-otp.h"
#include "bd-central-db-private.h"

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

gboolean
_bd_central_db_add_history (BdCentralDb  *self,
                            const char   *account,
                            gint64        at,
                            const char   *by,
                            const char   *role,
                            const char   *action,
                            const char   *field,
                            const char   *from_value,
                            const char   *to_value,
                            GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;

  stmt = bd_sql_connection_prepare (self->sql,
                              "INSERT INTO consumer_history (account, at, by, role, action, "
                              "  field, from_value, to_value) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                              error);
  if (stmt == NULL)
    return FALSE;

  bd_sql_stmt_bind_text (stmt, 1, account);
  bd_sql_stmt_bind_int64 (stmt, 2, at);
  bd_sql_stmt_bind_text (stmt, 3, by);
  bd_sql_stmt_bind_text (stmt, 4, role);
  bd_sql_stmt_bind_text (stmt, 5, action);
  _bd_central_bind_text_or_null (stmt, 6, field);
  _bd_central_bind_text_or_null (stmt, 7, from_value);
  _bd_central_bind_text_or_null (stmt, 8, to_value);
  if (bd_sql_stmt_step (stmt) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "history insert");
      return FALSE;
    }

  /* The same change, masked the same way, in the audit log. */
  {
    g_autoptr(JsonBuilder) builder = json_builder_new ();
    g_autoptr(JsonNode) detail = NULL;
    g_autofree char *audit_action = g_strconcat ("consumer.", action, NULL);

    json_builder_begin_object (builder);
    add_string_or_null (builder, "field", field);
    add_string_or_null (builder, "from", from_value);
    add_string_or_null (builder, "to", to_value);
    json_builder_end_object (builder);
    detail = json_builder_get_root (builder);
    if (!_bd_central_db_audit (self, at, by, role, NULL, audit_action, account, detail, error))
      return FALSE;
  }

  return TRUE;
}

JsonNode *
bd_central_db_history (BdCentralDb  *self,
                       const char   *zone,
                       const char   *account,
                       guint         limit,
                       GError      **error)
{
  g_autoptr(BdConsumer) consumer = NULL;
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);

  consumer = bd_central_db_lookup_consumer (self, zone, account, error);
  if (consumer == NULL)
    return NULL;

  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT at, by, role, action, field, from_value, to_value "
                              "FROM consumer_history WHERE account = ?1 "
                              "ORDER BY id DESC LIMIT ?2",
                              error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_text (stmt, 1, account);
  bd_sql_stmt_bind_int64 (stmt, 2, (int) limit);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "entries");
  json_builder_begin_array (builder);
  while ((rc = bd_sql_stmt_step (stmt)) == BD_SQL_ROW)
    {
      g_autofree char *at = bd_time_to_iso8601 (bd_sql_stmt_column_int64 (stmt, 0));

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "at");
      json_builder_add_string_value (builder, at);
      json_builder_set_member_name (builder, "by");
      json_builder_add_string_value (builder, _bd_central_column_text (stmt, 1));
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, _bd_central_column_text (stmt, 2));
      json_builder_set_member_name (builder, "action");
      json_builder_add_string_value (builder, _bd_central_column_text (stmt, 3));
      add_string_or_null (builder, "field", bd_sql_stmt_column_text (stmt, 4));
      add_string_or_null (builder, "from", bd_sql_stmt_column_text (stmt, 5));
      add_string_or_null (builder, "to", bd_sql_stmt_column_text (stmt, 6));
      json_builder_end_object (builder);
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "history");
      return NULL;
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
