/* bd-consumer-store-outbox.c: the outbox of changes made on this desk.
 *
 * Rows are only ever added by a save that also changes the local copy (see
 * bd-consumer-store-indexing.c), in the same transaction; here they are
 * read and moved between states by the push worker.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-codec.h"

#include "bd-consumer-store-private.h"

#define OUTBOX_COLUMNS \
  "seq, idem_key, kind, account, method, path, body, state, attempts, " \
  "created_at, created_by, next_attempt_at, last_error, result"

static const char pending_sql[] =
  "SELECT " OUTBOX_COLUMNS " FROM outbox "
  "WHERE state IN ('queued', 'sending') AND (?1 IS NULL OR account = ?1) ORDER BY seq";
static const char list_sql[] =
  "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE account = ?1 ORDER BY seq DESC LIMIT ?2";
static const char get_sql[] =
  "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE seq = ?1";
static const char mark_sql[] =
  "UPDATE outbox SET"
  "  attempts = attempts + (?2 = 'sending'),"
  "  last_error = CASE WHEN ?2 IN ('queued', 'rejected') AND ?3 IS NOT NULL THEN ?3 ELSE last_error END,"
  "  result = CASE WHEN ?2 IN ('done', 'conflict') AND ?3 IS NOT NULL THEN ?3 ELSE result END,"
  "  state = ?2,"
  "  next_attempt_at = ?4 "
  "WHERE seq = ?1";
static const char count_sql[] = "SELECT count(*) FROM outbox WHERE state = ?1";
static const char attention_sql[] =
  "SELECT " OUTBOX_COLUMNS " FROM outbox "
  "WHERE state IN ('rejected', 'conflict') AND acknowledged_at IS NULL ORDER BY seq DESC LIMIT ?1";
static const char attention_count_sql[] =
  "SELECT count(*) FROM outbox WHERE state IN ('rejected', 'conflict') AND acknowledged_at IS NULL";
static const char acknowledge_sql[] =
  "UPDATE outbox SET acknowledged_at = ?2, acknowledged_by = ?3 "
  "WHERE seq = ?1 AND state IN ('rejected', 'conflict') AND acknowledged_at IS NULL";

BdOutboxItem *
_bd_outbox_item_from_row (sqlite3_stmt *stmt)
{
  BdOutboxItem *item = g_new0 (BdOutboxItem, 1);

  item->seq = sqlite3_column_int64 (stmt, 0);
  item->idem_key = g_strdup (_bd_column_text (stmt, 1));
  item->kind = g_strdup (_bd_column_text (stmt, 2));
  item->account = g_strdup (_bd_column_text (stmt, 3));
  item->method = g_strdup (_bd_column_text (stmt, 4));
  item->path = g_strdup (_bd_column_text (stmt, 5));
  item->body = g_strdup (_bd_column_text (stmt, 6));
  /* The CHECK constraint keeps unknown states out of the table. */
  if (!bd_outbox_state_from_string (_bd_column_text (stmt, 7), &item->state))
    item->state = BD_OUTBOX_STATE_REJECTED;
  item->attempts = sqlite3_column_int (stmt, 8);
  item->created_at = sqlite3_column_int64 (stmt, 9);
  item->created_by = g_strdup (_bd_column_text (stmt, 10));
  item->next_attempt_at = sqlite3_column_int64 (stmt, 11);
  item->last_error = g_strdup (_bd_column_text (stmt, 12));
  item->result = g_strdup (_bd_column_text (stmt, 13));
  return item;
}

/* Caller holds conn's lock. */
GPtrArray *
_bd_consumer_store_read_pending (BdStoreConnection  *conn,
                                 const char         *account,
                                 GError            **error)
{
  g_autoptr(BdCachedStmt) stmt = _bd_store_connection_lease (conn, pending_sql, error);
  g_autoptr(GPtrArray) items = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  _bd_bind_text_or_null (stmt, 1, account);

  items = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_outbox_item_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (items, _bd_outbox_item_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      bd_database_set_error (conn->db, error, _("Reading the changes waiting to be sent"));
      return NULL;
    }
  return g_steal_pointer (&items);
}

GPtrArray *
bd_consumer_store_outbox_pending (BdConsumerStore  *self,
                                  const char       *account,
                                  GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_bd_consumer_store_check_damage (self, error))
    return NULL;

  locker = g_mutex_locker_new (&self->reader->lock);
  return _bd_consumer_store_read_pending (self->reader, account, error);
}

GPtrArray *
bd_consumer_store_outbox_list (BdConsumerStore  *self,
                               const char       *account,
                               guint             limit,
                               GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) items = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_bd_consumer_store_check_damage (self, error))
    return NULL;

  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = _bd_store_connection_lease (self->reader, list_sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, account, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, limit);

  items = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_outbox_item_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (items, _bd_outbox_item_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      bd_database_set_error (self->reader->db, error, _("Reading the changes made on this desk"));
      return NULL;
    }
  return g_steal_pointer (&items);
}

BdOutboxItem *
bd_consumer_store_outbox_get (BdConsumerStore  *self,
                              gint64            seq,
                              GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_bd_consumer_store_check_damage (self, error))
    return NULL;

  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = _bd_store_connection_lease (self->reader, get_sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, seq);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return _bd_outbox_item_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error_literal (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND,
                         _("This change is no longer among the changes made on this desk."));
  else
    bd_database_set_error (self->reader->db, error, _("Reading the changes made on this desk"));
  return NULL;
}

gboolean
bd_consumer_store_outbox_mark (BdConsumerStore  *self,
                               gint64            seq,
                               BdOutboxState     state,
                               const char       *error_or_result,
                               gint64            next_attempt_at,
                               GError          **error)
{
  BdStoreConnection *writer;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_bd_consumer_store_check_damage (self, error))
    return FALSE;

  writer = self->writer;
  locker = g_mutex_locker_new (&writer->lock);
  stmt = _bd_store_connection_lease (writer, mark_sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_text (stmt, 2, bd_outbox_state_to_string (state), -1, SQLITE_STATIC);
  _bd_bind_text_or_null (stmt, 3, error_or_result);
  sqlite3_bind_int64 (stmt, 4, next_attempt_at);
  if (!_bd_store_connection_step_done (writer, stmt, _("Updating a change waiting to be sent"), error))
    return FALSE;

  if (sqlite3_changes (bd_database_get_handle (writer->db)) == 0)
    {
      g_set_error_literal (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND,
                           _("This change is no longer among the changes made on this desk."));
      return FALSE;
    }
  return TRUE;
}

gint64
bd_consumer_store_outbox_count (BdConsumerStore  *self,
                                BdOutboxState     state,
                                GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!_bd_consumer_store_check_damage (self, error))
    return -1;

  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = _bd_store_connection_lease (self->reader, count_sql, error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, bd_outbox_state_to_string (state), -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      bd_database_set_error (self->reader->db, error, _("Counting the changes waiting to be sent"));
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

GPtrArray *
bd_consumer_store_outbox_attention (BdConsumerStore  *self,
                                    guint             limit,
                                    GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) items = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_bd_consumer_store_check_damage (self, error))
    return NULL;

  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = _bd_store_connection_lease (self->reader, attention_sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, limit);

  items = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_outbox_item_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (items, _bd_outbox_item_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      bd_database_set_error (self->reader->db, error, _("Reading the changes that need attention"));
      return NULL;
    }
  return g_steal_pointer (&items);
}

gint64
bd_consumer_store_outbox_count_attention (BdConsumerStore  *self,
                                          GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!_bd_consumer_store_check_damage (self, error))
    return -1;

  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = _bd_store_connection_lease (self->reader, attention_count_sql, error);
  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      bd_database_set_error (self->reader->db, error, _("Counting the changes that need attention"));
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

gboolean
bd_consumer_store_outbox_acknowledge (BdConsumerStore  *self,
                                      gint64            seq,
                                      const char       *username,
                                      gint64            now,
                                      GError          **error)
{
  BdStoreConnection *writer;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);
  g_return_val_if_fail (username != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_bd_consumer_store_check_damage (self, error))
    return FALSE;

  writer = self->writer;
  locker = g_mutex_locker_new (&writer->lock);
  stmt = _bd_store_connection_lease (writer, acknowledge_sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_int64 (stmt, 2, now);
  sqlite3_bind_text (stmt, 3, username, -1, SQLITE_STATIC);
  if (!_bd_store_connection_step_done (writer, stmt, _("Marking a change as seen"), error))
    return FALSE;

  if (sqlite3_changes (bd_database_get_handle (writer->db)) == 0)
    {
      g_set_error_literal (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND,
                           _("This change does not need attention any more."));
      return FALSE;
    }
  return TRUE;
}

static const char queue_post_sql[] =
  "INSERT INTO outbox (idem_key, kind, account, method, path, body, created_at, created_by, state) "
  "VALUES (?1, ?2, ?3, 'POST', ?4, ?5, ?6, ?7, 'queued')";

gint64
_bd_consumer_store_queue_post (BdStoreConnection  *writer,
                               const char         *key,
                               const char         *kind,
                               const char         *account,
                               const char         *path,
                               JsonNode           *body,
                               const char         *username,
                               gint64              now,
                               GError            **error)
{
  g_autoptr(BdCachedStmt) stmt = _bd_store_connection_lease (writer, queue_post_sql, error);
  g_autofree char *text = bd_json_to_string (body);

  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, kind, -1, SQLITE_STATIC);
  _bd_bind_text_or_null (stmt, 3, account);
  sqlite3_bind_text (stmt, 4, path, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, now);
  sqlite3_bind_text (stmt, 7, username, -1, SQLITE_STATIC);
  if (!_bd_store_connection_step_done (writer, stmt, _("Queuing the change to be sent"), error))
    return -1;
  return sqlite3_last_insert_rowid (bd_database_get_handle (writer->db));
}
