/* bd-sql-postgresql.c: the PostgreSQL backend of BdSqlConnection, on libpq.
 *
 * A statement is prepared on the server the first time it runs with a
 * given set of parameter types (integers are sent as bigint, blobs as
 * binary bytea, text untyped so the server reads it as the column it is
 * compared with), and each execution fetches its whole result, which
 * bd_sql_stmt_step() then walks. The server's queries answer a page at
 * most, so the result is never large.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "bd-sql-private.h"

#define BYTEA_OID 17
#define INT8_OID  20
#define TEXT_OID  25

/* SQLSTATE classes and codes that mean "try again", as SQLITE_BUSY does. */
static gboolean
sqlstate_is_busy (const char *state)
{
  return g_str_has_prefix (state, "40") ||      /* serialization failure, deadlock */
         g_str_equal (state, "55P03") ||        /* lock not available */
         g_str_equal (state, "57014");          /* statement timeout */
}

static void
remember_failure (BdSqlConnection *self,
                  const PGresult  *result)
{
  const char *message = result != NULL ? PQresultErrorMessage (result) : NULL;
  const char *state = result != NULL ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;

  if (message == NULL || *message == '\0')
    message = PQerrorMessage (self->pg);

  g_free (self->pg_error);
  self->pg_error = g_strchomp (g_strdup (message != NULL ? message : ""));
  g_strlcpy (self->pg_sqlstate, state != NULL ? state : "", sizeof self->pg_sqlstate);
}

void
_bd_sql_postgresql_set_error (BdSqlConnection  *self,
                              GError          **error,
                              const char       *what)
{
  int code = BD_STORE_ERROR_QUERY;

  if (sqlstate_is_busy (self->pg_sqlstate))
    code = BD_STORE_ERROR_BUSY;
  else if (self->pg == NULL || PQstatus (self->pg) != CONNECTION_OK)
    code = BD_STORE_ERROR_OPEN;

  g_set_error (error, BD_STORE_ERROR, code, "%s: %s (SQLSTATE %s)",
               what != NULL ? what : _("A database operation"),
               self->pg_error != NULL ? self->pg_error : "",
               self->pg_sqlstate);
}

static void
ignore_notice (void       *data,
               const char *message)
{
  /* "relation … already exists, skipping" and the like: nothing an
   * operator of the server needs, and the log must stay free of data. */
}

char *
_bd_sql_postgresql_rewrite (const char  *sql,
                            int         *out_n_params,
                            guint8     **out_used)
{
  g_autoptr(GString) out = g_string_sized_new (strlen (sql) + 16);
  g_autoptr(GArray) used = g_array_new (FALSE, TRUE, sizeof (guint8));
  int highest = 0;
  const char *p = sql;

  while (*p != '\0')
    {
      if (*p == '\'' || *p == '"')
        {
          char quote = *p;

          g_string_append_c (out, *p++);
          while (*p != '\0')
            {
              g_string_append_c (out, *p);
              if (*p++ == quote)
                {
                  if (*p == quote)
                    g_string_append_c (out, *p++);
                  else
                    break;
                }
            }
          continue;
        }
      if (p[0] == '-' && p[1] == '-')
        {
          while (*p != '\0' && *p != '\n')
            g_string_append_c (out, *p++);
          continue;
        }
      /* The two functions the server uses that PostgreSQL names otherwise. */
      if (p == sql || !(g_ascii_isalnum (p[-1]) || p[-1] == '_'))
        {
          static const struct { const char *sqlite; const char *postgresql; } renames[] = {
            { "group_concat", "string_agg" },
            { "instr", "strpos" },
          };
          gboolean renamed = FALSE;

          for (guint i = 0; i < G_N_ELEMENTS (renames) && !renamed; i++)
            {
              gsize n = strlen (renames[i].sqlite);

              if (g_ascii_strncasecmp (p, renames[i].sqlite, n) == 0 && !(g_ascii_isalnum (p[n]) || p[n] == '_'))
                {
                  g_string_append (out, renames[i].postgresql);
                  p += n;
                  renamed = TRUE;
                }
            }
          if (renamed)
            continue;
        }
      if (*p == '?')
        {
          int number;

          p++;
          if (g_ascii_isdigit (*p))
            {
              number = 0;
              while (g_ascii_isdigit (*p))
                number = number * 10 + (*p++ - '0');
            }
          else
            number = highest + 1;

          highest = MAX (highest, number);
          if ((guint) number > used->len)
            g_array_set_size (used, number);
          g_array_index (used, guint8, number - 1) = 1;
          g_string_append_printf (out, "$%d", number);
          continue;
        }
      g_string_append_c (out, *p++);
    }

  *out_n_params = highest;
  g_array_set_size (used, MAX (highest, 1));
  *out_used = (guint8 *) g_array_free (g_steal_pointer (&used), FALSE);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Statements sent between two syncs: their answers (a line each) wait in
 * the socket meanwhile, so the server never blocks on a full buffer while
 * we block sending to it. */
#define PIPELINE_BATCH 1000

gboolean
_bd_sql_postgresql_sync (BdSqlConnection  *self,
                         GError          **error)
{
  gboolean failed = FALSE;

  if (PQpipelineStatus (self->pg) == PQ_PIPELINE_OFF)
    return TRUE;

  if (!PQpipelineSync (self->pg))
    {
      remember_failure (self, NULL);
      failed = TRUE;
    }
  while (!failed || PQstatus (self->pg) == CONNECTION_OK)
    {
      PGresult *result = PQgetResult (self->pg);
      ExecStatusType status;

      if (result == NULL)
        {
          if (PQstatus (self->pg) != CONNECTION_OK)
            break;
          continue;   /* between one statement's answer and the next */
        }
      status = PQresultStatus (result);
      if (status == PGRES_PIPELINE_SYNC)
        {
          PQclear (result);
          break;
        }
      /* The first failure is the one to report; the statements after it
       * answer PGRES_PIPELINE_ABORTED. */
      if (status == PGRES_FATAL_ERROR && !failed)
        {
          remember_failure (self, result);
          failed = TRUE;
        }
      PQclear (result);
    }
  PQexitPipelineMode (self->pg);
  self->pg_pipelined = 0;

  if (failed)
    {
      _bd_sql_postgresql_set_error (self, error, NULL);
      return FALSE;
    }
  return TRUE;
}

/* Runs sql (no parameters, one or more statements) and keeps the last
 * result's failure. */
gboolean
_bd_sql_postgresql_exec (BdSqlConnection  *self,
                         const char       *sql,
                         GError          **error)
{
  PGresult *result;
  ExecStatusType status;
  gboolean ok;

  if (!_bd_sql_postgresql_sync (self, error))
    return FALSE;

  result = PQexec (self->pg, sql);
  status = PQresultStatus (result);
  ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;

  if (ok)
    {
      const char *tuples = PQcmdTuples (result);

      if (tuples != NULL && *tuples != '\0')
        self->pg_changes = g_ascii_strtoll (tuples, NULL, 10);
    }
  else
    {
      remember_failure (self, result);
      _bd_sql_postgresql_set_error (self, error, NULL);
    }
  PQclear (result);
  return ok;
}

static gboolean
exec_int (BdSqlConnection  *self,
          const char       *sql,
          gint64           *out_value,
          GError          **error)
{
  PGresult *result = PQexec (self->pg, sql);
  gboolean ok = PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) == 1;

  if (ok)
    *out_value = PQgetisnull (result, 0, 0) ? 0 : g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  else
    {
      remember_failure (self, result);
      _bd_sql_postgresql_set_error (self, error, NULL);
    }
  PQclear (result);
  return ok;
}

static gboolean
migrate (BdSqlConnection    *self,
         const BdMigration  *migrations,
         gsize               n_migrations,
         GError            **error)
{
  g_autofree char *lock = NULL;
  g_autofree char *unlock = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 version = 0;
  int latest = n_migrations > 0 ? migrations[n_migrations - 1].version : 0;
  gboolean ok = TRUE;

  /* Several processes may start at once on a new database: one migrates,
   * the others wait and then find it done. */
  lock = g_strdup_printf ("SELECT pg_advisory_lock (%" G_GINT64_FORMAT ")", BD_SQL_MIGRATION_LOCK);
  unlock = g_strdup_printf ("SELECT pg_advisory_unlock (%" G_GINT64_FORMAT ")", BD_SQL_MIGRATION_LOCK);
  if (!_bd_sql_postgresql_exec (self, lock, error))
    return FALSE;

  if (!_bd_sql_postgresql_exec (self,
                                "CREATE TABLE IF NOT EXISTS bijli_schema (version INTEGER NOT NULL);"
                                "INSERT INTO bijli_schema (version) SELECT 0 "
                                "WHERE NOT EXISTS (SELECT 1 FROM bijli_schema)",
                                &local_error) ||
      !exec_int (self, "SELECT version FROM bijli_schema", &version, &local_error))
    ok = FALSE;

  if (ok && version > latest)
    {
      g_set_error (&local_error, BD_STORE_ERROR, BD_STORE_ERROR_TOO_NEW,
                   _("The database was written by a newer bijli-central (schema %d; this one knows up to %d)"),
                   (int) version, latest);
      ok = FALSE;
    }

  for (gsize i = 0; ok && i < n_migrations; i++)
    {
      g_autofree char *sql = NULL;

      if (migrations[i].version <= version)
        continue;

      sql = g_strdup_printf ("BEGIN; %s; UPDATE bijli_schema SET version = %d; COMMIT",
                             migrations[i].sql, migrations[i].version);
      if (!_bd_sql_postgresql_exec (self, sql, NULL))
        {
          g_set_error (&local_error, BD_STORE_ERROR, BD_STORE_ERROR_MIGRATION,
                       _("Could not update the database to schema %d: %s"),
                       migrations[i].version, self->pg_error);
          _bd_sql_postgresql_exec (self, "ROLLBACK", NULL);
          ok = FALSE;
          break;
        }
      version = migrations[i].version;
    }

  self->pg_version = (int) version;
  _bd_sql_postgresql_exec (self, unlock, NULL);

  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok;
}

BdSqlConnection *
_bd_sql_postgresql_open (BdSqlConnection    *self,
                         const char         *url,
                         const BdMigration  *migrations,
                         gsize               n_migrations,
                         GError            **error)
{
  const char *conninfo = url;

  /* "postgresql:key=value …" is a libpq keyword string; URIs go as they are. */
  if (!g_str_has_prefix (url, "postgresql://") && !g_str_has_prefix (url, "postgres://"))
    conninfo = strchr (url, ':') + 1;

  self->pg = PQconnectdb (conninfo);
  self->pg_prepared = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (self->pg == NULL || PQstatus (self->pg) != CONNECTION_OK)
    {
      /* libpq's message names the host and user, never the password. */
      g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_OPEN,
                   _("Could not connect to the PostgreSQL database: %s"),
                   self->pg != NULL ? g_strchomp (PQerrorMessage (self->pg)) : "out of memory");
      return NULL;
    }
  PQsetNoticeProcessor (self->pg, ignore_notice, NULL);

  if (!_bd_sql_postgresql_exec (self,
                                "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'; "
                                "SET client_min_messages = warning; "
                                /* Short queries: starting parallel workers
                                 * costs more than they save (50 ms a search). */
                                "SET max_parallel_workers_per_gather = 0",
                                error))
    return NULL;

  if (!migrate (self, migrations, n_migrations, error))
    return NULL;

  return self;
}

void
_bd_sql_postgresql_close (BdSqlConnection *self)
{
  g_clear_pointer (&self->pg, PQfinish);
  g_clear_pointer (&self->pg_prepared, g_hash_table_unref);
  g_clear_pointer (&self->pg_leading, g_hash_table_unref);
  g_clear_pointer (&self->pg_error, g_free);
}

static gboolean
starts_with_word (const char *sql,
                  const char *word)
{
  gsize n = strlen (word);

  while (g_ascii_isspace (*sql) || *sql == '(')
    sql++;
  return g_ascii_strncasecmp (sql, word, n) == 0 && !g_ascii_isalnum (sql[n]);
}

BdSqlStmt *
_bd_sql_postgresql_prepare (BdSqlConnection *self,
                            const char      *sql)
{
  BdSqlStmt *stmt = g_new0 (BdSqlStmt, 1);

  stmt->connection = self;
  stmt->sql = _bd_sql_postgresql_rewrite (sql, &stmt->n_params, &stmt->used);
  stmt->writes = !starts_with_word (sql, "SELECT") && !starts_with_word (sql, "VALUES") &&
                 !starts_with_word (sql, "EXPLAIN");
  stmt->values = g_new0 (char *, MAX (stmt->n_params, 1));
  stmt->lengths = g_new0 (int, MAX (stmt->n_params, 1));
  stmt->formats = g_new0 (int, MAX (stmt->n_params, 1));
  stmt->kinds = g_malloc (stmt->n_params + 1);
  memset (stmt->kinds, 'n', stmt->n_params);
  stmt->kinds[stmt->n_params] = '\0';
  stmt->row = -1;

  return stmt;
}

static void
clear_blobs (BdSqlStmt *stmt)
{
  for (int i = 0; stmt->blobs != NULL && i < stmt->n_columns; i++)
    g_clear_pointer (&stmt->blobs[i], PQfreemem);
}

void
_bd_sql_postgresql_reset (BdSqlStmt *stmt)
{
  clear_blobs (stmt);
  g_clear_pointer (&stmt->result, PQclear);
  g_clear_pointer (&stmt->blobs, g_free);
  g_clear_pointer (&stmt->blob_sizes, g_free);
  stmt->n_columns = 0;
  stmt->executed = FALSE;
  stmt->row = -1;
  stmt->n_rows = 0;
}

void
_bd_sql_postgresql_stmt_free (BdSqlStmt *stmt)
{
  _bd_sql_postgresql_reset (stmt);
  for (int i = 0; i < stmt->n_params; i++)
    g_free (stmt->values[i]);
  g_free (stmt->values);
  g_free (stmt->lengths);
  g_free (stmt->formats);
  g_free (stmt->kinds);
  g_free (stmt->used);
  g_free (stmt->sql);
}

/* The server-side statement for this SQL with these parameter types. */
static const char *
ensure_prepared (BdSqlStmt *stmt,
                 gboolean   text_typed)
{
  BdSqlConnection *self = stmt->connection;
  g_autofree char *key = g_strconcat (stmt->kinds, "\x1f", stmt->sql, NULL);
  char *state;
  gboolean in_transaction;
  const char *name = g_hash_table_lookup (self->pg_prepared, key);
  g_autofree Oid *types = NULL;
  PGresult *result;
  char *new_name;

  if (name != NULL)
    return name;

  types = g_new0 (Oid, MAX (stmt->n_params, 1));
  for (int i = 0; i < stmt->n_params; i++)
    {
      if (stmt->kinds[i] == 'i')
        types[i] = INT8_OID;
      else if (stmt->kinds[i] == 'b')
        types[i] = BYTEA_OID;
      else if (!stmt->used[i] || text_typed)
        types[i] = TEXT_OID;    /* a number the SQL skips still needs a type */
    }

  /* A failed prepare would abort the transaction it runs in, and the
   * retry below expects to fail sometimes: inside a transaction, it runs
   * under a savepoint (once per statement and types on this connection). */
  in_transaction = PQtransactionStatus (self->pg) == PQTRANS_INTRANS;
  if (in_transaction && !_bd_sql_postgresql_exec (self, "SAVEPOINT bd_prepare", NULL))
    return NULL;

  new_name = g_strdup_printf ("bd%u", ++self->pg_next_name);
  result = PQprepare (self->pg, new_name, stmt->sql, stmt->n_params, types);
  if (in_transaction)
    _bd_sql_postgresql_exec (self,
                             PQresultStatus (result) == PGRES_COMMAND_OK
                               ? "RELEASE SAVEPOINT bd_prepare"
                               : "ROLLBACK TO SAVEPOINT bd_prepare; RELEASE SAVEPOINT bd_prepare",
                             NULL);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    {
      state = PQresultErrorField (result, PG_DIAG_SQLSTATE);
      /* Text left untyped takes the type of what it meets (a bigint
       * column, a bytea); alone ("?2 IS NULL"), it has none: then text. */
      if (!text_typed && state != NULL &&
          (g_str_equal (state, "42P08") || g_str_equal (state, "42P18")))
        {
          PQclear (result);
          g_free (new_name);
          return ensure_prepared (stmt, TRUE);
        }
      remember_failure (self, result);
      PQclear (result);
      g_free (new_name);
      return NULL;
    }
  PQclear (result);

  g_hash_table_insert (self->pg_prepared, g_steal_pointer (&key), new_name);
  return new_name;
}

static gboolean
execute (BdSqlStmt *stmt)
{
  BdSqlConnection *self = stmt->connection;
  const char *name;
  ExecStatusType status;
  const char *tuples;
  gboolean own_transaction = FALSE;

  if (!_bd_sql_postgresql_sync (self, NULL))
    return FALSE;

  /* A write outside a transaction is one of its own, under the same lock
   * as every other write. */
  if (stmt->writes && PQtransactionStatus (self->pg) == PQTRANS_IDLE)
    {
      if (!bd_sql_connection_begin (self, NULL))
        return FALSE;
      own_transaction = TRUE;
    }

  name = ensure_prepared (stmt, FALSE);
  if (name == NULL)
    goto failed;

  stmt->result = PQexecPrepared (self->pg, name, stmt->n_params,
                                 (const char * const *) stmt->values,
                                 stmt->lengths, stmt->formats, 0);
  status = PQresultStatus (stmt->result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
    {
      remember_failure (self, stmt->result);
      g_clear_pointer (&stmt->result, PQclear);
      goto failed;
    }

  tuples = PQcmdTuples (stmt->result);
  if (tuples != NULL && *tuples != '\0' && stmt->writes)
    self->pg_changes = g_ascii_strtoll (tuples, NULL, 10);

  stmt->n_rows = status == PGRES_TUPLES_OK ? PQntuples (stmt->result) : 0;
  stmt->n_columns = PQnfields (stmt->result);
  stmt->blobs = g_new0 (guchar *, MAX (stmt->n_columns, 1));
  stmt->blob_sizes = g_new0 (gsize, MAX (stmt->n_columns, 1));
  stmt->executed = TRUE;
  stmt->row = -1;

  if (own_transaction && !_bd_sql_postgresql_exec (self, "COMMIT", NULL))
    {
      _bd_sql_postgresql_reset (stmt);
      return FALSE;
    }
  return TRUE;

failed:
  if (own_transaction)
    {
      g_autofree char *message = g_strdup (self->pg_error);
      char state[sizeof self->pg_sqlstate];

      /* Keep the statement's failure, not the rollback's. */
      memcpy (state, self->pg_sqlstate, sizeof state);
      _bd_sql_postgresql_exec (self, "ROLLBACK", NULL);
      g_free (self->pg_error);
      self->pg_error = g_steal_pointer (&message);
      memcpy (self->pg_sqlstate, state, sizeof state);
    }
  return FALSE;
}

gboolean
_bd_sql_postgresql_send (BdSqlStmt  *stmt,
                         GError    **error)
{
  BdSqlConnection *self = stmt->connection;
  g_autofree char *key = g_strconcat (stmt->kinds, "\x1f", stmt->sql, NULL);
  const char *name = g_hash_table_lookup (self->pg_prepared, key);

  /* Outside a transaction each statement is its own, with the write lock:
   * nothing to gain from the pipeline. */
  if (PQtransactionStatus (self->pg) == PQTRANS_IDLE)
    {
      int rc = _bd_sql_postgresql_step (stmt);

      _bd_sql_postgresql_reset (stmt);
      if (rc != BD_SQL_DONE && rc != BD_SQL_ROW)
        {
          _bd_sql_postgresql_set_error (self, error, NULL);
          return FALSE;
        }
      return TRUE;
    }

  /* Preparing waits for its answer, which pipeline mode does not allow. */
  if (name == NULL)
    {
      if (!_bd_sql_postgresql_sync (self, error))
        return FALSE;
      name = ensure_prepared (stmt, FALSE);
      if (name == NULL)
        {
          _bd_sql_postgresql_set_error (self, error, NULL);
          return FALSE;
        }
    }

  if (PQpipelineStatus (self->pg) == PQ_PIPELINE_OFF && !PQenterPipelineMode (self->pg))
    {
      remember_failure (self, NULL);
      _bd_sql_postgresql_set_error (self, error, NULL);
      return FALSE;
    }
  if (!PQsendQueryPrepared (self->pg, name, stmt->n_params, (const char * const *) stmt->values,
                            stmt->lengths, stmt->formats, 0))
    {
      remember_failure (self, NULL);
      _bd_sql_postgresql_sync (self, NULL);
      _bd_sql_postgresql_set_error (self, error, NULL);
      return FALSE;
    }
  if (++self->pg_pipelined >= PIPELINE_BATCH)
    return _bd_sql_postgresql_sync (self, error);
  return TRUE;
}

int
_bd_sql_postgresql_step (BdSqlStmt *stmt)
{
  if (!stmt->executed && !execute (stmt))
    return 1; /* SQLITE_ERROR */

  clear_blobs (stmt);
  if (stmt->row < stmt->n_rows)
    stmt->row++;
  return stmt->row < stmt->n_rows ? BD_SQL_ROW : BD_SQL_DONE;
}

const void *
_bd_sql_postgresql_column_blob (BdSqlStmt *stmt,
                                int        column,
                                gsize     *out_size)
{
  if (bd_sql_stmt_column_is_null (stmt, column) || column < 0 || column >= stmt->n_columns)
    {
      if (out_size != NULL)
        *out_size = 0;
      return NULL;
    }

  /* Text reads as its bytes, as SQLite gives them. */
  if (PQftype (stmt->result, column) != BYTEA_OID)
    {
      if (out_size != NULL)
        *out_size = (gsize) PQgetlength (stmt->result, stmt->row, column);
      return PQgetvalue (stmt->result, stmt->row, column);
    }

  if (stmt->blobs[column] == NULL)
    {
      size_t size = 0;

      stmt->blobs[column] = PQunescapeBytea ((const unsigned char *) PQgetvalue (stmt->result, stmt->row, column),
                                             &size);
      stmt->blob_sizes[column] = size;
    }
  if (out_size != NULL)
    *out_size = stmt->blob_sizes[column];
  return stmt->blobs[column];
}

gboolean
_bd_sql_postgresql_try_lead (BdSqlConnection  *self,
                             const char       *key,
                             GError          **error)
{
  const char *values[1] = { key };
  PGresult *result;
  gboolean leads;

  /* Held already: asking again would only stack the lock. */
  if (self->pg_leading != NULL && g_hash_table_contains (self->pg_leading, key))
    return TRUE;

  /* Session-level: held until this connection closes, so when the leading
   * process dies another one takes over at its next try. */
  result = PQexecParams (self->pg, "SELECT pg_try_advisory_lock (hashtext ('bijli-central:' || $1::text))",
                         1, NULL, values, NULL, NULL, 0);
  if (PQresultStatus (result) != PGRES_TUPLES_OK || PQntuples (result) != 1)
    {
      remember_failure (self, result);
      _bd_sql_postgresql_set_error (self, error, NULL);
      PQclear (result);
      return FALSE;
    }
  leads = g_str_equal (PQgetvalue (result, 0, 0), "t");
  PQclear (result);
  if (leads)
    {
      if (self->pg_leading == NULL)
        self->pg_leading = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_add (self->pg_leading, g_strdup (key));
    }
  return leads;
}
