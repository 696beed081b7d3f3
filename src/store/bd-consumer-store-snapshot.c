/* bd-consumer-store-snapshot.c: a zone's store as one file, for first syncs.
 *
 * A first sync of a large zone through the changes feed spends most of its
 * time on the desk: decoding a gigabyte of JSON, writing a million rows
 * and building the search index from them. bijli-central can do that work
 * once per zone, with this same code, and hand every new desk the result:
 * an SQLite file of exactly this schema, with its indexes, search index
 * and the feed cursor it is complete up to. The desk copies it into its
 * empty store page by page (sqlite3_backup) and then pulls the feed from
 * that cursor as after any sync, so a snapshot that is hours old only
 * means a longer delta.
 *
 * Only a pristine store takes one (no cursor, nothing in any table), since
 * the copy replaces the whole file: nothing the desk saved can be lost.
 * The file comes from the network, so it is checked before anything is
 * replaced: the same schema version and search index version as this
 * program, every page sound, a cursor, no unfinished bulk sync, every
 * consumer in the zone of the session, nothing in the desk's own tables.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <glib/gstdio.h>

#include "bd-consumer-store-private.h"

static gboolean
read_state (BdDatabase  *db,
            const char  *key,
            char       **out_text,
            gint64      *out_int,
            gboolean    *out_found,
            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = bd_database_prepare (db, _bd_store_get_state_sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  *out_found = rc == SQLITE_ROW;
  if (rc == SQLITE_ROW)
    {
      if (out_text != NULL)
        *out_text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (out_int != NULL)
        *out_int = sqlite3_column_int64 (stmt, 0);
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    {
      bd_database_set_error (db, error, _("Reading the sync position"));
      return FALSE;
    }
  return TRUE;
}

/* The tables a snapshot fills: the consumers, the sync position, and the
 * FTS table with its shadow tables. */
static gboolean
is_snapshot_table (const char *name)
{
  return g_str_equal (name, "consumers") ||
         g_str_equal (name, "sync_state") ||
         g_str_has_prefix (name, "consumers_fts");
}

/* Whether any table other than the ones a snapshot fills holds a row, or
 * (with consumers_too) the consumers table does or a cursor is stored. */
static gboolean
holds_local_rows (BdDatabase  *db,
                  gboolean     consumers_too,
                  gboolean    *out_holds,
                  GError     **error)
{
  g_autoptr(sqlite3_stmt) tables = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  int rc;

  tables = bd_database_prepare (db,
                                "SELECT name FROM sqlite_schema "
                                "WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
                                error);
  if (tables == NULL)
    return FALSE;
  while ((rc = sqlite3_step (tables)) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (tables, 0);

      if (!is_snapshot_table (name) || (consumers_too && g_str_equal (name, "consumers")))
        g_ptr_array_add (names, g_strdup (name));
    }
  if (rc != SQLITE_DONE)
    {
      bd_database_set_error (db, error, _("Reading the local copy"));
      return FALSE;
    }

  *out_holds = FALSE;
  for (guint i = 0; i < names->len && !*out_holds; i++)
    {
      g_autofree char *sql = NULL;
      g_autoptr(sqlite3_stmt) stmt = NULL;
      const char *name = g_ptr_array_index (names, i);

      /* Table names come from the schema, not from input; quoted anyway. */
      if (strchr (name, '"') != NULL)
        continue;
      sql = g_strdup_printf ("SELECT EXISTS (SELECT 1 FROM \"%s\")", name);
      stmt = bd_database_prepare (db, sql, error);
      if (stmt == NULL)
        return FALSE;
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          bd_database_set_error (db, error, _("Reading the local copy"));
          return FALSE;
        }
      *out_holds = sqlite3_column_int (stmt, 0) != 0;
    }

  if (consumers_too && !*out_holds)
    {
      gboolean found;

      if (!read_state (db, "cursor", NULL, NULL, &found, error))
        return FALSE;
      *out_holds = found;
    }
  return TRUE;
}

const char *
bd_consumer_store_get_path (BdConsumerStore *self)
{
  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);

  return bd_database_get_path (self->writer->db);
}

int
bd_consumer_store_get_schema_version (BdConsumerStore *self)
{
  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), 0);

  return bd_database_get_version (self->writer->db);
}

int
bd_consumer_store_latest_schema_version (void)
{
  gsize n_migrations;
  const BdMigration *migrations = _bd_consumer_store_get_migrations (&n_migrations);

  return migrations[n_migrations - 1].version;
}

gboolean
bd_consumer_store_is_pristine (BdConsumerStore  *self,
                               gboolean         *out_pristine,
                               GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  gboolean holds;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);
  g_return_val_if_fail (out_pristine != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_bd_consumer_store_check_damage (self, error))
    return FALSE;
  locker = g_mutex_locker_new (&self->writer->lock);
  if (!holds_local_rows (self->writer->db, TRUE, &holds, error))
    return FALSE;
  *out_pristine = !holds;
  return TRUE;
}

static gboolean
snapshot_refused (GError     **error,
                  const char  *reason)
{
  g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_CORRUPT,
               _("The zone snapshot from the server cannot be used: %s"), reason);
  return FALSE;
}

/* Everything that must hold of a snapshot before it replaces anything. */
static gboolean
check_snapshot (BdConsumerStore  *self,
                BdDatabase       *snapshot,
                const char       *zone,
                gint64           *out_consumers,
                GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *cursor = NULL;
  gint64 index_version = 0, count = 0, unused;
  gboolean found, holds;

  if (bd_database_get_version (snapshot) != bd_database_get_version (self->writer->db))
    return snapshot_refused (error, _("it was made by another version of Bijli Desk."));
  if (!bd_database_check (snapshot, error))
    return FALSE;

  if (!read_state (snapshot, "cursor", &cursor, NULL, &found, error))
    return FALSE;
  if (!found || cursor == NULL || *cursor == '\0')
    return snapshot_refused (error, _("it does not say where in the changes feed it ends."));
  if (!read_state (snapshot, "bulk_sync", NULL, &unused, &found, error))
    return FALSE;
  if (found)
    return snapshot_refused (error, _("its search index was never finished."));
  if (!read_state (snapshot, "search_index", NULL, &index_version, &found, error))
    return FALSE;
  if (!found || index_version != SEARCH_INDEX_VERSION)
    return snapshot_refused (error, _("its search index was built by another version of Bijli Desk."));
  if (!read_state (snapshot, "consumer_count", NULL, &count, &found, error))
    return FALSE;

  if (!holds_local_rows (snapshot, FALSE, &holds, error))
    return FALSE;
  if (holds)
    return snapshot_refused (error, _("it holds a desk's own records."));

  stmt = bd_database_prepare (snapshot,
                              "SELECT count(*), count(*) FILTER (WHERE zone IS NOT ?1) FROM consumers",
                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, zone, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      bd_database_set_error (snapshot, error, _("Reading the snapshot"));
      return FALSE;
    }
  if (sqlite3_column_int64 (stmt, 1) != 0)
    return snapshot_refused (error, _("it holds consumers of another zone."));
  if (!found || sqlite3_column_int64 (stmt, 0) != count)
    return snapshot_refused (error, _("its count of consumers is wrong."));

  *out_consumers = count;
  return TRUE;
}

gboolean
bd_consumer_store_install_snapshot (BdConsumerStore  *self,
                                    const char       *snapshot_path,
                                    const char       *zone,
                                    gint64           *out_consumers,
                                    GError          **error)
{
  g_autoptr(BdDatabase) snapshot = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  sqlite3 *dest;
  sqlite3_backup *backup;
  gint64 consumers = 0;
  gboolean holds;
  int rc;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);
  g_return_val_if_fail (snapshot_path != NULL, FALSE);
  g_return_val_if_fail (zone != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_bd_consumer_store_check_damage (self, error))
    return FALSE;
  if (g_strcmp0 (bd_database_get_path (self->writer->db), ":memory:") == 0)
    {
      g_set_error_literal (error, BD_STORE_ERROR, BD_STORE_ERROR_OPEN,
                           _("A database in memory cannot take a snapshot."));
      return FALSE;
    }

  snapshot = bd_database_open_read_only (snapshot_path, error);
  if (snapshot == NULL || !check_snapshot (self, snapshot, zone, &consumers, error))
    return FALSE;

  locker = g_mutex_locker_new (&self->writer->lock);
  if (!holds_local_rows (self->writer->db, TRUE, &holds, error))
    return FALSE;
  if (holds)
    {
      g_set_error_literal (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY,
                           _("The local copy already holds records; a snapshot would replace "
                             "them, so it was not used."));
      return FALSE;
    }

  /* One step: the destination is written in one transaction, so a crash
   * leaves the empty store as it was. */
  dest = bd_database_get_handle (self->writer->db);
  backup = sqlite3_backup_init (dest, "main", bd_database_get_handle (snapshot), "main");
  if (backup == NULL)
    {
      bd_database_set_error (self->writer->db, error, _("Copying the zone snapshot"));
      return FALSE;
    }
  rc = sqlite3_backup_step (backup, -1);
  sqlite3_backup_finish (backup);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, BD_STORE_ERROR,
                   rc == SQLITE_FULL ? BD_STORE_ERROR_QUERY : BD_STORE_ERROR_OPEN,
                   _("Copying the zone snapshot into the local copy failed: %s."),
                   sqlite3_errstr (rc));
      return FALSE;
    }

  /* The words the writer folded belong to no row any more; the snapshot
   * is never a bulk sync in progress (checked above). */
  g_hash_table_remove_all (self->words);
  g_atomic_int_set (&self->indexing, FALSE);
  /* In WAL mode the copy went through the WAL, which has been checkpointed
   * into the file by now but keeps its size (the whole zone) until
   * truncated: on a million consumers that is 690 MB of disk for nothing.
   * Best effort: a search holding a read snapshot only delays it. */
  sqlite3_wal_checkpoint_v2 (dest, "main", SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
  /* The copy went through the writer's page cache: the desk runs all day,
   * so give that memory back, as after a first sync through the feed. */
  sqlite3_db_release_memory (dest);
#ifdef __GLIBC__
  malloc_trim (0);
#endif

  if (out_consumers != NULL)
    *out_consumers = consumers;
  return TRUE;
}

typedef struct
{
  char   *path;
  char   *zone;
  gint64  consumers;
} InstallData;

static void
install_data_free (InstallData *data)
{
  g_free (data->path);
  g_free (data->zone);
  g_free (data);
}

static void
install_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  InstallData *data = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (!bd_consumer_store_install_snapshot (source_object, data->path, data->zone,
                                           &data->consumers, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
bd_consumer_store_install_snapshot_async (BdConsumerStore     *self,
                                          const char          *snapshot_path,
                                          const char          *zone,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  InstallData *data;

  g_return_if_fail (BD_IS_CONSUMER_STORE (self));
  g_return_if_fail (snapshot_path != NULL && zone != NULL);

  data = g_new0 (InstallData, 1);
  data->path = g_strdup (snapshot_path);
  data->zone = g_strdup (zone);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bd_consumer_store_install_snapshot_async);
  g_task_set_task_data (task, data, (GDestroyNotify) install_data_free);
  g_task_run_in_thread (task, install_thread);
}

gboolean
bd_consumer_store_install_snapshot_finish (BdConsumerStore  *self,
                                           GAsyncResult     *result,
                                           gint64           *out_consumers,
                                           GError          **error)
{
  InstallData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        bd_consumer_store_install_snapshot_async, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  data = g_task_get_task_data (G_TASK (result));
  if (out_consumers != NULL)
    *out_consumers = data->consumers;
  return TRUE;
}

gboolean
bd_consumer_store_export_snapshot (BdConsumerStore  *self,
                                   const char       *dest_path,
                                   GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *partial = NULL;
  g_autofree char *cursor = NULL;
  gint64 unused;
  gboolean found;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);
  g_return_val_if_fail (dest_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->writer->lock);
  if (!read_state (self->writer->db, "cursor", &cursor, NULL, &found, error) ||
      !read_state (self->writer->db, "bulk_sync", NULL, &unused, &found, error))
    return FALSE;
  if (cursor == NULL || found)
    {
      g_set_error_literal (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY,
                           _("Only a completely synced store can be a snapshot."));
      return FALSE;
    }

  /* Written aside and renamed, so a reader never sees half a file. */
  partial = g_strconcat (dest_path, ".partial", NULL);
  g_unlink (partial);
  if (!_bd_consumer_store_copy_database (bd_database_get_handle (self->writer->db), partial, error))
    {
      g_unlink (partial);
      return FALSE;
    }
  if (g_rename (partial, dest_path) != 0)
    {
      int saved_errno = errno;

      g_unlink (partial);
      g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_OPEN,
                   _("Could not write the snapshot “%s”: %s."), dest_path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}
