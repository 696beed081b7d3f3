/* bd-consumer-store-apply.c: applying pages of the changes feed.
 *
 * Each page's records and its cursor commit in one transaction, so an
 * interrupted sync resumes from the last cursor.
 *
 * A first sync into an empty store runs in bulk mode: its pages go into
 * the consumers table and its primary key only, without the mobile and
 * meter indexes and without search index rows, which the page that ends
 * the first sync (has_more == FALSE) builds in its own transaction, all
 * rows at once. Building them once costs less than keeping them up page by
 * page (on 1 M consumers: 3.4 µs a row for both indexes against about 8,
 * since inserts into them land all over the file; 14 µs a row for the
 * search index, merged once, against 20, since FTS5 merges its per-page
 * segments again and again). The
 * mode is a row of sync_state written with the first page, so a sync
 * interrupted half way resumes in it, and the store is never complete
 * (bd_consumer_store_is_indexing() FALSE) without its indexes. Meanwhile
 * search answers only what the primary key can (see
 * bd-consumer-store-search.c), so it is incomplete but never wrong.
 *
 * Bulk pages commit with synchronous=NORMAL: in WAL mode a commit is then
 * atomic but not yet durable, so a power cut may lose the last pages
 * committed before it, never part of one. Since a page's records and its
 * cursor commit together, the cursor can never be ahead of the records:
 * the sync fetches the lost pages again. The page that completes the first
 * sync, and everything after it, commits with synchronous=FULL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <glib/gi18n-lib.h>

#include "bd-consumer-store-private.h"

static const char select_old_sql[] =
  "SELECT rowid, version, name_en, name_hi, relation_en, relation_hi, mobile, meter_serial "
  "FROM consumers WHERE account = ?1";

static const char insert_sql[] =
  "INSERT INTO consumers (account, name_en, name_hi, relation_en, relation_hi, "
  "  address, mobile, mobile_verified, meter_serial, meter_make, meter_type, "
  "  category, sanctioned_load_w, phase, feeder, dt, pole, zone, area_type, "
  "  supply_status, balance_paise, balance_as_of, version, updated_at) "
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
  "  ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)";

static const char update_sql[] =
  "UPDATE consumers SET "
  "  name_en = ?2, name_hi = ?3, relation_en = ?4, relation_hi = ?5, "
  "  address = ?6, mobile = ?7, mobile_verified = ?8, meter_serial = ?9, "
  "  meter_make = ?10, meter_type = ?11, category = ?12, "
  "  sanctioned_load_w = ?13, phase = ?14, feeder = ?15, dt = ?16, "
  "  pole = ?17, zone = ?18, area_type = ?19, supply_status = ?20, "
  "  balance_paise = ?21, balance_as_of = ?22, version = ?23, updated_at = ?24 "
  "WHERE account = ?1";

/* The same without the two indexed columns: SQLite rewrites an index entry
 * whenever its column is assigned, changed or not, and most changes after
 * a first sync are balances (on a million consumers a delta of 1000 then
 * writes three B-trees' worth of random pages instead of one). Binding
 * ?7 and ?9 anyway is allowed: they are within the highest number used. */
static const char update_same_ids_sql[] =
  "UPDATE consumers SET "
  "  name_en = ?2, name_hi = ?3, relation_en = ?4, relation_hi = ?5, "
  "  address = ?6, mobile_verified = ?8, "
  "  meter_make = ?10, meter_type = ?11, category = ?12, "
  "  sanctioned_load_w = ?13, phase = ?14, feeder = ?15, dt = ?16, "
  "  pole = ?17, zone = ?18, area_type = ?19, supply_status = ?20, "
  "  balance_paise = ?21, balance_as_of = ?22, version = ?23, updated_at = ?24 "
  "WHERE account = ?1";

static const char delete_consumer_sql[] = "DELETE FROM consumers WHERE rowid = ?1";
static const char add_count_sql[] =
  "UPDATE sync_state SET value = value + ?1 WHERE key = 'consumer_count'";
/* Nothing stored and never synced: the start of a first sync. */
static const char is_empty_sql[] =
  "SELECT NOT EXISTS (SELECT 1 FROM sync_state WHERE key = 'cursor') "
  "   AND NOT EXISTS (SELECT 1 FROM consumers)";

/* Pages of WAL between checkpoints during a bulk first sync (SQLite's
 * default is 1000): fewer, larger checkpoints, each one a sync of the file. */
#define BULK_WAL_AUTOCHECKPOINT 16384
#define WAL_AUTOCHECKPOINT      1000

/* Caller holds the writer's lock and a transaction. */
static gboolean
add_to_count (BdStoreConnection  *writer,
              gint64              delta,
              GError            **error)
{
  g_autoptr(BdCachedStmt) stmt = _bd_store_connection_lease (writer, add_count_sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, delta);
  return _bd_store_connection_step_done (writer, stmt, _("Saving consumers"), error);
}

/* Caller holds the writer's lock and a transaction. Inserts c, or updates
 * the stored record if c is newer (the feed may replay older versions).
 * The search index is rewritten only when a name changed: most changes
 * after the first sync are balances. In bulk mode it is not written at all
 * (built when the first sync completes). */
static gboolean
apply_consumer (BdConsumerStore  *self,
                BdConsumer       *c,
                gboolean          bulk,
                gint64           *n_inserted,
                GError          **error)
{
  BdStoreConnection *writer = self->writer;
  g_autoptr(BdCachedStmt) old = NULL;
  g_autoptr(BdCachedStmt) write = NULL;
  sqlite3_int64 rowid = 0;
  gboolean exists = FALSE;
  gboolean names_changed = TRUE;
  gboolean ids_changed = TRUE;
  int rc;

  old = _bd_store_connection_lease (writer, select_old_sql, error);
  if (old == NULL)
    return FALSE;
  _bd_bind_text_or_null (old, 1, bd_consumer_get_account (c));
  rc = sqlite3_step (old);
  if (rc == SQLITE_ROW)
    {
      if (sqlite3_column_int64 (old, 1) >= bd_consumer_get_version (c))
        return TRUE;   /* an older or equal version: nothing changed */
      exists = TRUE;
      rowid = sqlite3_column_int64 (old, 0);
      names_changed = g_strcmp0 (_bd_column_text (old, 2), bd_consumer_get_name_en (c)) != 0 ||
                      g_strcmp0 (_bd_column_text (old, 3), bd_consumer_get_name_hi (c)) != 0 ||
                      g_strcmp0 (_bd_column_text (old, 4), bd_consumer_get_relation_en (c)) != 0 ||
                      g_strcmp0 (_bd_column_text (old, 5), bd_consumer_get_relation_hi (c)) != 0;
      ids_changed = g_strcmp0 (_bd_column_text (old, 6), bd_consumer_get_mobile (c)) != 0 ||
                    g_strcmp0 (_bd_column_text (old, 7), bd_consumer_get_meter_serial (c)) != 0;
    }
  else if (rc != SQLITE_DONE)
    {
      bd_database_set_error (writer->db, error, _("Saving consumers"));
      return FALSE;
    }
  g_clear_pointer (&old, _bd_cached_stmt_release);

  write = _bd_store_connection_lease (writer,
                                      !exists ? insert_sql : ids_changed ? update_sql : update_same_ids_sql,
                                      error);
  if (write == NULL)
    return FALSE;
  _bd_bind_consumer (write, c);
  if (!_bd_store_connection_step_done (writer, write, _("Saving consumers"), error))
    return FALSE;
  if (!exists)
    {
      rowid = sqlite3_last_insert_rowid (bd_database_get_handle (writer->db));
      (*n_inserted)++;
    }

  if (bulk || !names_changed)
    return TRUE;
  if (exists && !_bd_consumer_store_unindex (self, rowid, error))
    return FALSE;
  return _bd_consumer_store_index (self, rowid,
                                   bd_consumer_get_name_en (c), bd_consumer_get_name_hi (c),
                                   bd_consumer_get_relation_en (c), bd_consumer_get_relation_hi (c),
                                   error);
}

/* Caller holds the writer's lock. */
static gboolean
is_empty_and_unsynced (BdStoreConnection  *writer,
                       gboolean           *empty,
                       GError            **error)
{
  g_autoptr(BdCachedStmt) stmt = _bd_store_connection_lease (writer, is_empty_sql, error);

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      bd_database_set_error (writer->db, error, _("Saving consumers"));
      return FALSE;
    }
  *empty = sqlite3_column_int (stmt, 0) != 0;
  return TRUE;
}

/* Outside a transaction (SQLite ignores a change of synchronous inside
 * one). Best effort: FULL is only slower, NORMAL only less durable. */
static void
set_durability (BdStoreConnection *writer,
                gboolean           bulk)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA synchronous = %s; PRAGMA wal_autocheckpoint = %d",
                                          bulk ? "NORMAL" : "FULL",
                                          bulk ? BULK_WAL_AUTOCHECKPOINT : WAL_AUTOCHECKPOINT);

  sqlite3_exec (bd_database_get_handle (writer->db), sql, NULL, NULL, NULL);
}

/* One transaction per page: the records and the cursor (and, outside bulk
 * mode, the search index) commit together or not at all, so an
 * interrupted sync resumes from the last cursor with a store whose search
 * finds exactly what it holds. */
gboolean
_bd_consumer_store_apply_records (BdConsumerStore  *self,
                                  GPtrArray        *consumers,
                                  const char       *cursor,
                                  gboolean          has_more,
                                  GError          **error)
{
  BdStoreConnection *writer = self->writer;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&writer->lock);
  gboolean bulk = g_atomic_int_get (&self->indexing);
  gboolean starting = FALSE;
  gint64 n_inserted = 0;

  if (!_bd_consumer_store_check_damage (self, error))
    return FALSE;

  /* A first sync of one page has nothing to gain from bulk mode. */
  if (!bulk && has_more)
    {
      if (!is_empty_and_unsynced (writer, &starting, error))
        return FALSE;
      bulk = starting;
    }
  if (bulk)
    set_durability (writer, has_more);

  if (!bd_database_begin (writer->db, error))
    return FALSE;

  if (starting)
    {
      if (!_bd_consumer_store_drop_secondary_indexes (self, error) ||
          !_bd_store_set_state (writer, "bulk_sync", NULL, 1, error))
        goto fail;
      /* Before the commit: a search in between finds an empty store
       * either way. */
      g_atomic_int_set (&self->indexing, TRUE);
    }

  for (guint i = 0; consumers != NULL && i < consumers->len; i++)
    {
      BdConsumer *c = g_ptr_array_index (consumers, i);

      if (!BD_IS_CONSUMER (c))
        {
          g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY,
                       _("Saving consumers failed: record %u of the page is empty."), i + 1);
          goto fail;
        }
      if (!apply_consumer (self, c, bulk, &n_inserted, error))
        goto fail;
    }

  if (n_inserted != 0 && !add_to_count (writer, n_inserted, error))
    goto fail;

  if (cursor != NULL && !_bd_store_set_state (writer, "cursor", cursor, 0, error))
    goto fail;
  if (!_bd_store_set_state (writer, "last_sync", NULL, g_get_real_time () / G_USEC_PER_SEC, error))
    goto fail;

  /* The last page of a bulk first sync: the indexes, then complete. */
  if (bulk && !has_more &&
      (!_bd_consumer_store_create_secondary_indexes (self, error) ||
       !_bd_consumer_store_rebuild_search_index (self, error) ||
       !bd_database_exec (writer->db, "DELETE FROM sync_state WHERE key = 'bulk_sync'", error)))
    goto fail;

  if (!bd_database_commit (writer->db, error))
    goto fail;
  /* After the commit, so that whoever sees FALSE finds the indexes. */
  if (bulk && !has_more)
    g_atomic_int_set (&self->indexing, FALSE);
  /* The writer's page cache only pays off within a sync; the desk runs all
   * day, so give the memory back once the feed is drained. */
  if (!has_more)
    {
      sqlite3_db_release_memory (bd_database_get_handle (writer->db));
#ifdef __GLIBC__
      /* Freed pages stay in glibc's arenas otherwise. */
      malloc_trim (0);
#endif
    }
  return TRUE;

fail:
  bd_database_rollback (writer->db);
  if (starting)
    g_atomic_int_set (&self->indexing, FALSE);
  return FALSE;
}

static gboolean
delete_record (BdConsumerStore  *self,
               const char       *account,
               GError          **error)
{
  BdStoreConnection *writer = self->writer;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&writer->lock);
  g_autoptr(BdCachedStmt) old = NULL;
  g_autoptr(BdCachedStmt) del = NULL;
  sqlite3_int64 rowid;
  int rc;

  if (!_bd_consumer_store_check_damage (self, error))
    return FALSE;
  if (!bd_database_begin (writer->db, error))
    return FALSE;

  old = _bd_store_connection_lease (writer, select_old_sql, error);
  if (old == NULL)
    goto fail;
  sqlite3_bind_text (old, 1, account, -1, SQLITE_STATIC);
  rc = sqlite3_step (old);
  if (rc == SQLITE_DONE)
    {
      g_clear_pointer (&old, _bd_cached_stmt_release);
      bd_database_rollback (writer->db);
      return TRUE;   /* already gone: a replayed delete */
    }
  if (rc != SQLITE_ROW)
    {
      bd_database_set_error (writer->db, error, _("Deleting a consumer"));
      goto fail;
    }
  rowid = sqlite3_column_int64 (old, 0);
  g_clear_pointer (&old, _bd_cached_stmt_release);

  if (!_bd_consumer_store_unindex (self, rowid, error))
    goto fail;
  del = _bd_store_connection_lease (writer, delete_consumer_sql, error);
  if (del == NULL)
    goto fail;
  sqlite3_bind_int64 (del, 1, rowid);
  if (!_bd_store_connection_step_done (writer, del, _("Deleting a consumer"), error))
    goto fail;
  g_clear_pointer (&del, _bd_cached_stmt_release);
  if (!add_to_count (writer, -1, error))
    goto fail;
  if (!bd_database_commit (writer->db, error))
    goto fail;
  return TRUE;

fail:
  g_clear_pointer (&old, _bd_cached_stmt_release);
  g_clear_pointer (&del, _bd_cached_stmt_release);
  bd_database_rollback (writer->db);
  return FALSE;
}

gboolean
bd_consumer_store_apply_page (BdConsumerStore  *self,
                              BdChangesPage    *page,
                              GError          **error)
{
  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);
  g_return_val_if_fail (page != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _bd_consumer_store_apply_records (self, page->consumers, page->next_cursor,
                                           page->has_more, error);
}

gboolean
bd_consumer_store_delete (BdConsumerStore  *self,
                          const char       *account,
                          GError          **error)
{
  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);
  g_return_val_if_fail (account != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return delete_record (self, account, error);
}
