/* bd-sql-connection.c: the storage interface (bd-sql-connection.h) and its
 * SQLite backend, which is BdDatabase with the desk's pragmas and
 * migrations. The PostgreSQL backend is in bd-sql-postgresql.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "bd-sql-private.h"

G_DEFINE_TYPE (BdSqlConnection, bd_sql_connection, G_TYPE_OBJECT)

static void
bd_sql_connection_finalize (GObject *object)
{
  BdSqlConnection *self = (BdSqlConnection *)object;

  _bd_sql_postgresql_close (self);
  g_clear_object (&self->database);

  G_OBJECT_CLASS (bd_sql_connection_parent_class)->finalize (object);
}

static void
bd_sql_connection_class_init (BdSqlConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bd_sql_connection_finalize;
}

static void
bd_sql_connection_init (BdSqlConnection *self)
{
}

gboolean
bd_sql_url_is_postgresql (const char *url)
{
  return url != NULL &&
         (g_str_has_prefix (url, "postgresql:") || g_str_has_prefix (url, "postgres:"));
}

BdSqlConnection *
bd_sql_connection_open (const char         *url,
                        const BdMigration  *sqlite_migrations,
                        gsize               n_sqlite_migrations,
                        const BdMigration  *postgresql_migrations,
                        gsize               n_postgresql_migrations,
                        GError            **error)
{
  g_autoptr(BdSqlConnection) self = NULL;
  const char *path = url;

  g_return_val_if_fail (url != NULL, NULL);

  self = g_object_new (BD_TYPE_SQL_CONNECTION, NULL);

  if (bd_sql_url_is_postgresql (url))
    {
      self->dialect = BD_SQL_DIALECT_POSTGRESQL;
      if (!_bd_sql_postgresql_open (self, url, postgresql_migrations, n_postgresql_migrations, error))
        return NULL;
      return g_steal_pointer (&self);
    }

  if (g_str_has_prefix (url, "sqlite://"))
    path = url + strlen ("sqlite://");
  if (*path == '\0')
    {
      g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_OPEN,
                   _("The database address “%s” names no file"), url);
      return NULL;
    }

  self->dialect = BD_SQL_DIALECT_SQLITE;
  self->database = bd_database_open (path, sqlite_migrations, n_sqlite_migrations, error);
  if (self->database == NULL)
    return NULL;
  self->handle = bd_database_get_handle (self->database);

  return g_steal_pointer (&self);
}

BdSqlDialect
bd_sql_connection_get_dialect (BdSqlConnection *self)
{
  g_return_val_if_fail (BD_IS_SQL_CONNECTION (self), BD_SQL_DIALECT_SQLITE);

  return self->dialect;
}

int
bd_sql_connection_get_version (BdSqlConnection *self)
{
  g_return_val_if_fail (BD_IS_SQL_CONNECTION (self), 0);

  if (self->dialect == BD_SQL_DIALECT_POSTGRESQL)
    return self->pg_version;
  return bd_database_get_version (self->database);
}

BdDatabase *
bd_sql_connection_get_database (BdSqlConnection *self)
{
  g_return_val_if_fail (BD_IS_SQL_CONNECTION (self), NULL);

  return self->database;
}

const char *
bd_sql_connection_get_path (BdSqlConnection *self)
{
  g_return_val_if_fail (BD_IS_SQL_CONNECTION (self), NULL);

  return self->database != NULL ? bd_database_get_path (self->database) : NULL;
}

gboolean
bd_sql_connection_exec (BdSqlConnection  *self,
                        const char       *sql,
                        GError          **error)
{
  g_return_val_if_fail (BD_IS_SQL_CONNECTION (self), FALSE);

  if (self->dialect == BD_SQL_DIALECT_POSTGRESQL)
    return _bd_sql_postgresql_exec (self, sql, error);
  return bd_database_exec (self->database, sql, error);
}

BdSqlStmt *
bd_sql_connection_prepare (BdSqlConnection  *self,
                           const char       *sql,
                           GError          **error)
{
  BdSqlStmt *stmt;

  g_return_val_if_fail (BD_IS_SQL_CONNECTION (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  if (self->dialect == BD_SQL_DIALECT_POSTGRESQL)
    return _bd_sql_postgresql_prepare (self, sql);

  stmt = g_new0 (BdSqlStmt, 1);
  stmt->connection = self;
  /* Persistent: most statements here are cached for the connection's life. */
  if (sqlite3_prepare_v3 (self->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt->lite, NULL) != SQLITE_OK)
    {
      bd_database_set_error (self->database, error, NULL);
      sqlite3_finalize (stmt->lite);
      g_free (stmt);
      return NULL;
    }

  return stmt;
}

gboolean
bd_sql_connection_begin (BdSqlConnection  *self,
                         GError          **error)
{
  g_autofree char *sql = NULL;

  g_return_val_if_fail (BD_IS_SQL_CONNECTION (self), FALSE);

  if (self->dialect == BD_SQL_DIALECT_SQLITE)
    return bd_database_begin (self->database, error);

  /* READ COMMITTED: each statement after the lock sees every transaction
   * that held it before. A snapshot taken at BEGIN would not. */
  sql = g_strdup_printf ("BEGIN ISOLATION LEVEL READ COMMITTED; "
                         "SELECT pg_advisory_xact_lock (%" G_GINT64_FORMAT ")",
                         BD_SQL_WRITE_LOCK);
  return _bd_sql_postgresql_exec (self, sql, error);
}

gboolean
bd_sql_connection_begin_read (BdSqlConnection  *self,
                              GError          **error)
{
  g_return_val_if_fail (BD_IS_SQL_CONNECTION (self), FALSE);

  if (self->dialect == BD_SQL_DIALECT_SQLITE)
    return bd_database_exec (self->database, "BEGIN DEFERRED", error);
  return _bd_sql_postgresql_exec (self, "BEGIN ISOLATION LEVEL REPEATABLE READ", error);
}

gboolean
bd_sql_connection_commit (BdSqlConnection  *self,
                          GError          **error)
{
  g_return_val_if_fail (BD_IS_SQL_CONNECTION (self), FALSE);

  if (self->dialect == BD_SQL_DIALECT_SQLITE)
    return bd_database_commit (self->database, error);
  return _bd_sql_postgresql_exec (self, "COMMIT", error);
}

void
bd_sql_connection_rollback (BdSqlConnection *self)
{
  g_return_if_fail (BD_IS_SQL_CONNECTION (self));

  if (self->dialect == BD_SQL_DIALECT_SQLITE)
    bd_database_rollback (self->database);
  else if (bd_sql_connection_in_transaction (self))
    _bd_sql_postgresql_exec (self, "ROLLBACK", NULL);
}

gboolean
bd_sql_connection_in_transaction (BdSqlConnection *self)
{
  g_return_val_if_fail (BD_IS_SQL_CONNECTION (self), FALSE);

  if (self->dialect == BD_SQL_DIALECT_SQLITE)
    return !sqlite3_get_autocommit (self->handle);
  return PQtransactionStatus (self->pg) != PQTRANS_IDLE;
}

gint64
bd_sql_connection_changes (BdSqlConnection *self)
{
  g_return_val_if_fail (BD_IS_SQL_CONNECTION (self), 0);

  if (self->dialect == BD_SQL_DIALECT_SQLITE)
    return sqlite3_changes64 (self->handle);
  return self->pg_changes;
}

void
bd_sql_connection_set_error (BdSqlConnection  *self,
                             GError          **error,
                             const char       *what)
{
  g_return_if_fail (BD_IS_SQL_CONNECTION (self));

  if (self->dialect == BD_SQL_DIALECT_SQLITE)
    bd_database_set_error (self->database, error, what);
  else
    _bd_sql_postgresql_set_error (self, error, what);
}

gboolean
bd_sql_connection_try_lead (BdSqlConnection  *self,
                            const char       *key,
                            GError          **error)
{
  g_return_val_if_fail (BD_IS_SQL_CONNECTION (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (self->dialect == BD_SQL_DIALECT_SQLITE)
    return TRUE;
  return _bd_sql_postgresql_try_lead (self, key, error);
}

/* Statements */

/* PostgreSQL: takes value (NULL for SQL NULL) as parameter index. A number
 * the SQL does not use is dropped, as SQLite ignores it. */
static void
set_parameter (BdSqlStmt *stmt,
               int        index,
               char      *value,
               int        length,
               int        format,
               char       kind)
{
  if (index < 1 || index > stmt->n_params)
    {
      g_free (value);
      return;
    }
  g_free (stmt->values[index - 1]);
  stmt->values[index - 1] = value;
  stmt->lengths[index - 1] = length;
  stmt->formats[index - 1] = format;
  stmt->kinds[index - 1] = kind;
}

void
bd_sql_stmt_bind_text (BdSqlStmt  *stmt,
                       int         index,
                       const char *text)
{
  if (text == NULL)
    {
      bd_sql_stmt_bind_null (stmt, index);
      return;
    }
  if (stmt->lite != NULL)
    {
      sqlite3_bind_text (stmt->lite, index, text, -1, SQLITE_TRANSIENT);
      return;
    }
  set_parameter (stmt, index, g_strdup (text), 0, 0, 't');
}

void
bd_sql_stmt_bind_int64 (BdSqlStmt *stmt,
                        int        index,
                        gint64     value)
{
  if (stmt->lite != NULL)
    {
      sqlite3_bind_int64 (stmt->lite, index, value);
      return;
    }
  set_parameter (stmt, index, g_strdup_printf ("%" G_GINT64_FORMAT, value), 0, 0, 'i');
}

void
bd_sql_stmt_bind_blob (BdSqlStmt  *stmt,
                       int         index,
                       const void *data,
                       gsize       size)
{
  if (stmt->lite != NULL)
    {
      sqlite3_bind_blob64 (stmt->lite, index, data, size, SQLITE_TRANSIENT);
      return;
    }
  /* Binary format: no escaping, and an empty blob is not NULL. */
  set_parameter (stmt, index, size > 0 ? g_memdup2 (data, size) : g_malloc (1), (int) size, 1, 'b');
}

void
bd_sql_stmt_bind_null (BdSqlStmt *stmt,
                       int        index)
{
  if (stmt->lite != NULL)
    {
      sqlite3_bind_null (stmt->lite, index);
      return;
    }
  set_parameter (stmt, index, NULL, 0, 0, 'n');
}

gboolean
bd_sql_stmt_step_pipelined (BdSqlStmt  *stmt,
                            GError    **error)
{
  if (stmt->lite != NULL)
    {
      int rc = sqlite3_step (stmt->lite);

      sqlite3_reset (stmt->lite);
      if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        {
          bd_database_set_error (stmt->connection->database, error, NULL);
          return FALSE;
        }
      return TRUE;
    }
  return _bd_sql_postgresql_send (stmt, error);
}

gboolean
bd_sql_connection_sync (BdSqlConnection  *self,
                        GError          **error)
{
  g_return_val_if_fail (BD_IS_SQL_CONNECTION (self), FALSE);

  if (self->dialect == BD_SQL_DIALECT_SQLITE)
    return TRUE;
  return _bd_sql_postgresql_sync (self, error);
}

int
bd_sql_stmt_step (BdSqlStmt *stmt)
{
  if (stmt->lite != NULL)
    return sqlite3_step (stmt->lite);
  return _bd_sql_postgresql_step (stmt);
}

int
bd_sql_stmt_column_count (BdSqlStmt *stmt)
{
  if (stmt->lite != NULL)
    return sqlite3_column_count (stmt->lite);
  return stmt->result != NULL ? PQnfields (stmt->result) : 0;
}

const char *
bd_sql_stmt_column_name (BdSqlStmt *stmt,
                         int        column)
{
  if (stmt->lite != NULL)
    return sqlite3_column_name (stmt->lite, column);
  return stmt->result != NULL ? PQfname (stmt->result, column) : NULL;
}

gboolean
bd_sql_stmt_column_is_number (BdSqlStmt *stmt,
                              int        column)
{
  Oid type;

  if (stmt->lite != NULL)
    {
      int lite_type = sqlite3_column_type (stmt->lite, column);

      return lite_type == SQLITE_INTEGER || lite_type == SQLITE_FLOAT;
    }
  if (stmt->result == NULL)
    return FALSE;
  type = PQftype (stmt->result, column);
  /* bool, int8, int2, int4, float4, float8, numeric */
  return type == 16 || type == 20 || type == 21 || type == 23 || type == 700 || type == 701 || type == 1700;
}

gboolean
bd_sql_stmt_column_is_null (BdSqlStmt *stmt,
                            int        column)
{
  if (stmt->lite != NULL)
    return sqlite3_column_type (stmt->lite, column) == SQLITE_NULL;
  return stmt->result == NULL || stmt->row < 0 || stmt->row >= stmt->n_rows ||
         PQgetisnull (stmt->result, stmt->row, column);
}

const char *
bd_sql_stmt_column_text (BdSqlStmt *stmt,
                         int        column)
{
  if (stmt->lite != NULL)
    return (const char *) sqlite3_column_text (stmt->lite, column);
  if (bd_sql_stmt_column_is_null (stmt, column))
    return NULL;
  return PQgetvalue (stmt->result, stmt->row, column);
}

gint64
bd_sql_stmt_column_int64 (BdSqlStmt *stmt,
                          int        column)
{
  const char *text;

  if (stmt->lite != NULL)
    return sqlite3_column_int64 (stmt->lite, column);

  text = bd_sql_stmt_column_text (stmt, column);
  if (text == NULL)
    return 0;
  /* SQLite answers a comparison with 1 or 0; PostgreSQL with a boolean. */
  if (text[0] == 't' && text[1] == '\0')
    return 1;
  if (text[0] == 'f' && text[1] == '\0')
    return 0;
  return g_ascii_strtoll (text, NULL, 10);
}

int
bd_sql_stmt_column_int (BdSqlStmt *stmt,
                        int        column)
{
  return (int) bd_sql_stmt_column_int64 (stmt, column);
}

const void *
bd_sql_stmt_column_blob (BdSqlStmt *stmt,
                         int        column)
{
  if (stmt->lite != NULL)
    return sqlite3_column_blob (stmt->lite, column);
  return _bd_sql_postgresql_column_blob (stmt, column, NULL);
}

gsize
bd_sql_stmt_column_bytes (BdSqlStmt *stmt,
                          int        column)
{
  gsize size = 0;

  if (stmt->lite != NULL)
    return (gsize) sqlite3_column_bytes (stmt->lite, column);
  _bd_sql_postgresql_column_blob (stmt, column, &size);
  return size;
}

void
bd_sql_stmt_reset (BdSqlStmt *stmt)
{
  if (stmt->lite != NULL)
    sqlite3_reset (stmt->lite);
  else
    _bd_sql_postgresql_reset (stmt);
}

void
bd_sql_stmt_clear_bindings (BdSqlStmt *stmt)
{
  if (stmt->lite != NULL)
    {
      sqlite3_clear_bindings (stmt->lite);
      return;
    }
  for (int i = 0; i < stmt->n_params; i++)
    bd_sql_stmt_bind_null (stmt, i + 1);
}

void
bd_sql_stmt_free (BdSqlStmt *stmt)
{
  if (stmt == NULL)
    return;
  if (stmt->lite != NULL)
    sqlite3_finalize (stmt->lite);
  else
    _bd_sql_postgresql_stmt_free (stmt);
  g_free (stmt);
}
