/* bd-central-db-bulk.c: loading many consumers into an empty table.
 *
 * Row by row, every insert also updates the secondary indexes, the FTS
 * index and the feed counts; a bulk load drops them, inserts, and builds
 * each once at the end, for a fraction of the cost (the contract is at
 * bd_central_db_bulk_begin() in bd-central-db.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "bd-central-db.h"
#include "bd-central-db-private.h"

#include <sqlite3.h>

/* With sqlite3_mprintf()'s conversions: %w quotes an identifier. */
static gboolean
exec_printf (BdCentralDb  *self,
             GError      **error,
             const char   *format,
             ...)
{
  va_list args;
  char *sql;
  gboolean ok;

  va_start (args, format);
  sql = sqlite3_vmprintf (format, args);
  va_end (args);

  ok = bd_sql_connection_exec (self->sql, sql, error);
  sqlite3_free (sql);

  return ok;
}

/* Triggers on consumers that a bulk load drops and replaces by one rebuild
 * of what they maintain (bd_central_db_bulk_end()). Any other trigger stays
 * in place during the load, so a later migration's trigger is never skipped. */
static gboolean
is_rebuilt_trigger (const char *name)
{
  return g_str_has_prefix (name, "consumers_fts_") || g_str_has_prefix (name, "consumers_feed_");
}

/* What PRAGMA foreign_keys would have refused row by row during a load. */
static gboolean
check_foreign_keys (BdCentralDb  *self,
                    GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = bd_sql_connection_prepare (self->sql, "PRAGMA foreign_key_check (consumers)", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = bd_sql_stmt_step (stmt);
  if (rc == BD_SQL_ROW)
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT,
                   _("A consumer names a zone that does not exist. Create the zone first."));
      return FALSE;
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "foreign key check");
      return FALSE;
    }

  return TRUE;
}

static void
restore_pragmas (BdCentralDb *self)
{
  g_autoptr(GError) error = NULL;

  /* As bd_database_open() configures every connection. */
  if ((self->bulk_unjournaled && !bd_sql_connection_exec (self->sql, "PRAGMA journal_mode = WAL", &error)) ||
      !bd_sql_connection_exec (self->sql,
                         "PRAGMA synchronous = FULL;"
                         "PRAGMA foreign_keys = ON;"
                         "PRAGMA cache_size = -2000;"
                         "PRAGMA temp_store = DEFAULT;"
                         "PRAGMA threads = 0",
                         &error))
    g_warning ("Could not restore the database settings after a bulk load: %s", error->message);
}

/* PostgreSQL: the indexes a load builds once at the end, and the triggers
 * whose tables (feed counts, the word table) it fills once; the one that
 * keeps name words per row stays (its work is per row either way). */
static const char * const postgresql_deferred_indexes[] = {
  "CREATE INDEX consumers_zone_mobile ON consumers (zone, mobile)",
  "CREATE INDEX consumers_zone_meter ON consumers (zone, meter_serial)",
};

static gboolean
bulk_begin_postgresql (BdCentralDb  *self,
                       GError      **error)
{
  return bd_sql_connection_begin (self->sql, error) &&
         bd_sql_connection_exec (self->sql,
                                 "DROP INDEX consumers_zone_mobile;"
                                 "DROP INDEX consumers_zone_meter;"
                                 "ALTER TABLE consumer_words DROP CONSTRAINT consumer_words_pkey;"
                                 "ALTER TABLE consumers DISABLE TRIGGER consumers_feed;"
                                 "ALTER TABLE consumers DISABLE TRIGGER consumers_word_rows",
                                 error);
}

static gboolean
bulk_end_postgresql (BdCentralDb  *self,
                     GError      **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (postgresql_deferred_indexes); i++)
    {
      if (!bd_sql_connection_exec (self->sql, postgresql_deferred_indexes[i], error))
        return FALSE;
    }
  return bd_sql_connection_exec (self->sql,
                                 "INSERT INTO consumer_words (zone, kind, word, id)"
                                 "  SELECT zone, 'n', w, id FROM consumers, unnest (tsvector_to_array (name_words)) AS w"
                                 "  UNION ALL"
                                 "  SELECT zone, 'k', w, id FROM consumers, unnest (tsvector_to_array (key_words)) AS w;"
                                 "ALTER TABLE consumer_words ADD CONSTRAINT consumer_words_pkey"
                                 "  PRIMARY KEY (zone, kind, word, id);"
                                 "ALTER TABLE consumers ENABLE TRIGGER consumers_word_rows;"
                                 "ANALYZE consumer_words;"
                                 "ALTER TABLE consumers ENABLE TRIGGER consumers_feed;"
                                 "DELETE FROM feed_buckets;"
                                 "INSERT INTO feed_buckets (zone, bucket, n)"
                                 "  SELECT zone, change_seq >> 10, COUNT(*) FROM consumers GROUP BY 1, 2;"
                                 "ANALYZE consumers",
                                 error);
}

static void
bulk_finish (BdCentralDb *self)
{
  if (bd_sql_connection_get_dialect (self->sql) == BD_SQL_DIALECT_SQLITE)
    restore_pragmas (self);
  self->bulk = FALSE;
  self->bulk_unjournaled = FALSE;
  g_clear_pointer (&self->bulk_deferred_sql, g_ptr_array_unref);
  g_clear_pointer (&self->bulk_memo, g_hash_table_unref);
}

gboolean
bd_central_db_bulk_begin (BdCentralDb  *self,
                          GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (!self->bulk, FALSE);

  stmt = bd_sql_connection_prepare (self->sql, "SELECT EXISTS (SELECT 1 FROM consumers)", error);
  if (stmt == NULL)
    return FALSE;
  if (bd_sql_stmt_step (stmt) != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "consumer check");
      return FALSE;
    }
  if (bd_sql_stmt_column_int (stmt, 0) != 0)
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT,
                   _("The database already holds consumers; a bulk load needs an empty one."));
      return FALSE;
    }
  g_clear_pointer (&stmt, bd_sql_stmt_free);

  self->bulk = TRUE;
  self->bulk_deferred_sql = g_ptr_array_new_with_free_func (g_free);
  self->bulk_memo = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (bd_sql_connection_get_dialect (self->sql) == BD_SQL_DIALECT_POSTGRESQL)
    {
      if (!bulk_begin_postgresql (self, error))
        goto fail_rollback;
      goto read_seq;
    }

  /* A file this connection created holds nothing that a crash could lose,
   * so the load runs without a journal on disk and without syncs. The
   * rollback journal stays in memory so that an error still rolls back. */
  self->bulk_unjournaled = self->created;
  if (self->bulk_unjournaled &&
      !bd_sql_connection_exec (self->sql, "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF", error))
    goto fail;
  /* Foreign keys are checked once for the whole table in bulk_end:
   * checking per row opens a statement journal for every insert. Index
   * builds sort in memory, on a second core where there is one. */
  if (!bd_sql_connection_exec (self->sql,
                         "PRAGMA foreign_keys = OFF;"
                         "PRAGMA cache_size = -262144;"
                         "PRAGMA temp_store = MEMORY;"
                         "PRAGMA threads = 2",
                         error))
    goto fail;

  if (!bd_sql_connection_begin (self->sql, error))
    goto fail;

  /* Indexes built once after the load cost a fraction of keeping them up
   * to date row by row (random mobiles above all). */
  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT type, name, sql FROM sqlite_master "
                              "WHERE tbl_name = 'consumers' AND type IN ('index', 'trigger') "
                              "  AND sql IS NOT NULL "
                              "ORDER BY type, name",
                              error);
  if (stmt == NULL)
    goto fail_rollback;
  while ((rc = bd_sql_stmt_step (stmt)) == BD_SQL_ROW)
    {
      const char *type = _bd_central_column_text (stmt, 0);
      const char *name = _bd_central_column_text (stmt, 1);

      if (g_str_equal (type, "trigger") && !is_rebuilt_trigger (name))
        continue;
      g_ptr_array_add (self->bulk_deferred_sql, g_strdup_printf ("%s|%s|%s", type, name, _bd_central_column_text (stmt, 2)));
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "schema");
      goto fail_rollback;
    }
  g_clear_pointer (&stmt, bd_sql_stmt_free);

  for (guint i = 0; i < self->bulk_deferred_sql->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (self->bulk_deferred_sql, i), "|", 3);

      if (!exec_printf (self, error, "DROP %s \"%w\"",
                        g_str_equal (parts[0], "index") ? "INDEX" : "TRIGGER", parts[1]))
        goto fail_rollback;
    }

read_seq:
  stmt = bd_sql_connection_prepare (self->sql, "SELECT seq FROM change_counter WHERE id = 1", error);
  if (stmt == NULL)
    goto fail_rollback;
  if (bd_sql_stmt_step (stmt) != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "change sequence");
      goto fail_rollback;
    }
  self->bulk_seq = bd_sql_stmt_column_int64 (stmt, 0);

  return TRUE;

fail_rollback:
  bd_sql_connection_rollback (self->sql);
fail:
  bulk_finish (self);
  return FALSE;
}

gboolean
bd_central_db_bulk_insert (BdCentralDb  *self,
                           BdConsumer   *consumer,
                           GError      **error)
{
  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (BD_IS_CONSUMER (consumer), FALSE);
  g_return_val_if_fail (self->bulk, FALSE);

  if (!_bd_central_db_insert_row (self, consumer, self->bulk_seq + 1, error))
    return FALSE;
  self->bulk_seq++;

  return TRUE;
}

gboolean
bd_central_db_bulk_end (BdCentralDb  *self,
                        GError      **error)
{
  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (self->bulk, FALSE);

  if (!exec_printf (self, error, "UPDATE change_counter SET seq = %lld WHERE id = 1",
                    (long long) self->bulk_seq))
    goto fail;

  if (bd_sql_connection_get_dialect (self->sql) == BD_SQL_DIALECT_POSTGRESQL)
    {
      /* Foreign keys stayed on: PostgreSQL checks them per row cheaply. */
      if (!bulk_end_postgresql (self, error) || !bd_sql_connection_commit (self->sql, error))
        goto fail;
      bulk_finish (self);
      return TRUE;
    }

  for (guint i = 0; i < self->bulk_deferred_sql->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (self->bulk_deferred_sql, i), "|", 3);

      if (!bd_sql_connection_exec (self->sql, parts[2], error))
        goto fail;
    }

  /* What the dropped triggers would have maintained row by row. */
  if (!bd_sql_connection_exec (self->sql,
                         "INSERT INTO consumers_fts (consumers_fts) VALUES ('rebuild');"
                         "DELETE FROM feed_buckets;"
                         "INSERT INTO feed_buckets (zone, bucket, n)"
                         "  SELECT zone, change_seq >> 10, COUNT(*) FROM consumers GROUP BY 1, 2;",
                         error))
    goto fail;

  if (!check_foreign_keys (self, error))
    goto fail;

  if (!bd_sql_connection_commit (self->sql, error))
    goto fail;

  bulk_finish (self);
  return TRUE;

fail:
  bd_sql_connection_rollback (self->sql);
  bulk_finish (self);
  return FALSE;
}

void
bd_central_db_bulk_abort (BdCentralDb *self)
{
  g_return_if_fail (BD_IS_CENTRAL_DB (self));

  if (!self->bulk)
    return;

  bd_sql_connection_rollback (self->sql);
  bulk_finish (self);
}
