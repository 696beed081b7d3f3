/* bd-consumer-store-indexing.c: indexing records and history cached for
 * offline display, and saving an indexing edit together with its outbox row.
 *
 * The cached indexing record is the last server copy with the edits still
 * waiting in the outbox applied on top: what the desk shows is what the
 * server will hold once the outbox is sent.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-codec.h"
#include "core/bd-kdf.h"
#include "bd-consumer-store-private.h"

typedef struct
{
  BdIndexing *edited;
  GPtrArray  *changes;
  char       *username;
} SaveData;

static const char load_indexing_sql[] = "SELECT json FROM indexing WHERE account = ?1";
static const char save_indexing_sql[] =
  "INSERT INTO indexing (account, json, version, fetched_at) VALUES (?1, ?2, ?3, ?4) "
  "ON CONFLICT (account) DO UPDATE SET json = excluded.json, version = excluded.version, "
  "fetched_at = CASE WHEN ?4 > 0 THEN excluded.fetched_at ELSE fetched_at END";
static const char insert_outbox_sql[] =
  "INSERT INTO outbox (idem_key, kind, account, method, path, body, created_at, created_by, state) "
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'queued')";
static const char mirror_feeder_sql[] = "UPDATE consumers SET feeder = ?2 WHERE account = ?1";
static const char mirror_dt_sql[] = "UPDATE consumers SET dt = ?2 WHERE account = ?1";
static const char mirror_pole_sql[] = "UPDATE consumers SET pole = ?2 WHERE account = ?1";
static const char mirror_load_sql[] = "UPDATE consumers SET sanctioned_load_w = ?2 WHERE account = ?1";
static const char mirror_serial_sql[] = "UPDATE consumers SET meter_serial = ?2 WHERE account = ?1";
static const char delete_history_sql[] = "DELETE FROM history WHERE account = ?1";
static const char insert_history_sql[] =
  "INSERT INTO history (account, at, by, role, action, field, from_value, to_value) "
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char load_history_sql[] =
  "SELECT at, by, role, action, field, from_value, to_value FROM history "
  "WHERE account = ?1 ORDER BY at DESC, rowid";

static void
save_data_free (SaveData *data)
{
  g_clear_object (&data->edited);
  g_clear_pointer (&data->changes, g_ptr_array_unref);
  g_free (data->username);
  g_free (data);
}

char *
_bd_store_new_idempotency_key (void)
{
  guint8 bytes[16];
  GString *key = g_string_sized_new (40);

  if (!bd_random_bytes (bytes, sizeof bytes))
    {
      /* GRand is no CSPRNG, but a key only has to be unique, not secret. */
      for (gsize i = 0; i < sizeof bytes; i++)
        bytes[i] = (guint8) g_random_int_range (0, 256);
    }
  g_string_append (key, "desk-");
  for (gsize i = 0; i < sizeof bytes; i++)
    g_string_append_printf (key, "%02x", bytes[i]);
  return g_string_free (key, FALSE);
}

/* Caller holds the writer's lock. fetched_at 0 keeps the stored one. */
static gboolean
write_indexing (BdStoreConnection  *writer,
                BdIndexing         *indexing,
                gint64              fetched_at,
                GError            **error)
{
  g_autoptr(BdCachedStmt) stmt = _bd_store_connection_lease (writer, save_indexing_sql, error);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;

  if (stmt == NULL)
    return FALSE;
  node = bd_indexing_to_json (indexing);
  json = bd_json_to_string (node);
  sqlite3_bind_text (stmt, 1, bd_indexing_get_account (indexing), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, json, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, bd_indexing_get_version (indexing));
  sqlite3_bind_int64 (stmt, 4, fetched_at);
  return _bd_store_connection_step_done (writer, stmt, _("Saving the indexing record"), error);
}

/* Keeps the consumers table (search, the consumer page) in step with the
 * indexing fields that mirror it. Caller holds the writer's lock and a
 * transaction. */
static gboolean
mirror_change (BdStoreConnection  *writer,
               BdIndexing         *edited,
               const char         *field,
               GError            **error)
{
  g_autoptr(BdCachedStmt) stmt = NULL;
  const char *sql;
  const char *account = bd_indexing_get_account (edited);

  if (g_str_equal (field, "feeder"))
    sql = mirror_feeder_sql;
  else if (g_str_equal (field, "dt"))
    sql = mirror_dt_sql;
  else if (g_str_equal (field, "pole"))
    sql = mirror_pole_sql;
  else if (g_str_equal (field, "sanctioned_load_w"))
    sql = mirror_load_sql;
  else if (g_str_equal (field, "meter_serial"))
    sql = mirror_serial_sql;
  else
    return TRUE;

  stmt = _bd_store_connection_lease (writer, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, account, -1, SQLITE_STATIC);
  if (sql == mirror_feeder_sql)
    sqlite3_bind_text (stmt, 2, bd_indexing_get_feeder (edited), -1, SQLITE_STATIC);
  else if (sql == mirror_dt_sql)
    sqlite3_bind_text (stmt, 2, bd_indexing_get_dt (edited), -1, SQLITE_STATIC);
  else if (sql == mirror_pole_sql)
    sqlite3_bind_text (stmt, 2, bd_indexing_get_pole (edited), -1, SQLITE_STATIC);
  else if (sql == mirror_load_sql)
    sqlite3_bind_int64 (stmt, 2, bd_indexing_get_sanctioned_load_w (edited));
  else
    _bd_bind_text_or_null (stmt, 2, bd_indexing_get_meter_serial (edited));
  return _bd_store_connection_step_done (writer, stmt, _("Updating the consumer record"), error);
}

static gboolean
check_changes (BdIndexing  *edited,
               GPtrArray   *changes,
               GError     **error)
{
  if (changes == NULL || changes->len == 0)
    {
      g_set_error_literal (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY,
                           _("There are no changes to save."));
      return FALSE;
    }

  for (guint i = 0; i < changes->len; i++)
    {
      BdIndexingChange *change = g_ptr_array_index (changes, i);
      g_autoptr(JsonNode) now = NULL;

      /* The change must describe the record being saved, or the server and
       * this desk would end up with different values. */
      if (!bd_indexing_validate_field (change->field, change->to, error))
        return FALSE;
      now = bd_indexing_get_field (edited, change->field);
      if (now == NULL || !json_node_equal (now, change->to))
        {
          g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY,
                       _("The change to “%s” does not match the record being saved."),
                       bd_indexing_field_label (change->field));
          return FALSE;
        }
    }
  return TRUE;
}

static gint64
save_indexing (BdConsumerStore  *self,
               BdIndexing       *edited,
               GPtrArray        *changes,
               const char       *username,
               GError          **error)
{
  BdStoreConnection *writer = self->writer;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(JsonNode) patch = NULL;
  g_autofree char *body = NULL;
  g_autofree char *path = NULL;
  g_autofree char *key = NULL;
  const char *account = bd_indexing_get_account (edited);
  gint64 seq;

  if (!_bd_consumer_store_check_damage (self, error) ||
      !check_changes (edited, changes, error))
    return -1;

  patch = bd_indexing_patch_to_json (changes);
  body = bd_json_to_string (patch);
  path = g_strdup_printf ("/api/v1/consumers/%s/indexing", account);
  key = _bd_store_new_idempotency_key ();

  locker = g_mutex_locker_new (&writer->lock);
  /* A bulk first sync commits its pages with synchronous=NORMAL; an edit
   * the operator was told is saved must survive a power cut. The next
   * bulk page sets its own durability again. */
  if (g_atomic_int_get (&self->indexing) &&
      !bd_database_exec (writer->db, "PRAGMA synchronous = FULL", error))
    return -1;

  if (!bd_database_begin (writer->db, error))
    return -1;

  if (!write_indexing (writer, edited, 0, error))
    goto fail;

  for (guint i = 0; i < changes->len; i++)
    {
      BdIndexingChange *change = g_ptr_array_index (changes, i);

      if (!mirror_change (writer, edited, change->field, error))
        goto fail;
    }

  {
    g_autoptr(BdCachedStmt) stmt = _bd_store_connection_lease (writer, insert_outbox_sql, error);

    if (stmt == NULL)
      goto fail;
    sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, BD_OUTBOX_KIND_INDEXING, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 3, account, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 4, "PATCH", -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 5, path, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 6, body, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 7, g_get_real_time () / G_USEC_PER_SEC);
    sqlite3_bind_text (stmt, 8, username, -1, SQLITE_STATIC);
    if (!_bd_store_connection_step_done (writer, stmt, _("Queuing the change to be sent"), error))
      goto fail;
    seq = sqlite3_last_insert_rowid (bd_database_get_handle (writer->db));
  }

  if (!bd_database_commit (writer->db, error))
    goto fail;
  return seq;

fail:
  bd_database_rollback (writer->db);
  return -1;
}

static void
save_indexing_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  SaveData *data = task_data;
  GError *error = NULL;
  gint64 seq;

  /* Once started, a save completes: the operator was not told otherwise. */
  seq = save_indexing (source_object, data->edited, data->changes, data->username, &error);
  if (seq < 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, seq);
}

/* Applies the changes of the account's queued or sending outbox items to
 * indexing, oldest first. Caller holds conn's lock. */
static gboolean
apply_pending (BdStoreConnection  *conn,
               BdIndexing         *indexing,
               GError            **error)
{
  g_autoptr(GPtrArray) pending = _bd_consumer_store_read_pending (conn, bd_indexing_get_account (indexing), error);

  if (pending == NULL)
    return FALSE;

  for (guint i = 0; i < pending->len; i++)
    {
      BdOutboxItem *item = g_ptr_array_index (pending, i);
      g_autoptr(JsonNode) body = NULL;
      g_autoptr(GPtrArray) changes = NULL;

      if (g_strcmp0 (item->kind, BD_OUTBOX_KIND_INDEXING) != 0)
        continue;
      body = bd_json_parse (item->body, -1, NULL);
      changes = body != NULL ? bd_indexing_patch_from_json (body, NULL) : NULL;
      if (changes == NULL)
        {
          g_warning ("Outbox item %" G_GINT64_FORMAT " has an unreadable body", item->seq);
          continue;
        }
      for (guint k = 0; k < changes->len; k++)
        {
          BdIndexingChange *change = g_ptr_array_index (changes, k);
          g_autoptr(GError) local_error = NULL;

          /* Validated when saved; only a newer rule could refuse it now,
           * and then the server will refuse it too. */
          if (!bd_indexing_set_field (indexing, change->field, change->to, &local_error))
            g_debug ("Pending change to %s no longer valid: %s", change->field, local_error->message);
        }
    }
  return TRUE;
}

gint64
bd_consumer_store_save_indexing (BdConsumerStore  *self,
                                 BdIndexing       *edited,
                                 GPtrArray        *changes,
                                 const char       *username,
                                 GError          **error)
{
  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), -1);
  g_return_val_if_fail (BD_IS_INDEXING (edited), -1);
  g_return_val_if_fail (username != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return save_indexing (self, edited, changes, username, error);
}

void
bd_consumer_store_save_indexing_async (BdConsumerStore     *self,
                                       BdIndexing          *edited,
                                       GPtrArray           *changes,
                                       const char          *username,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SaveData *data;

  g_return_if_fail (BD_IS_CONSUMER_STORE (self));
  g_return_if_fail (BD_IS_INDEXING (edited));
  g_return_if_fail (username != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* Copies, so the caller may go on editing while the worker saves. */
  data = g_new0 (SaveData, 1);
  data->edited = bd_indexing_copy (edited);
  data->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_indexing_change_free);
  for (guint i = 0; changes != NULL && i < changes->len; i++)
    g_ptr_array_add (data->changes, bd_indexing_change_copy (g_ptr_array_index (changes, i)));
  data->username = g_strdup (username);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bd_consumer_store_save_indexing_async);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
  g_task_run_in_thread (task, save_indexing_thread);
}

gint64
bd_consumer_store_save_indexing_finish (BdConsumerStore  *self,
                                        GAsyncResult     *result,
                                        GError          **error)
{
  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), -1);
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bd_consumer_store_save_indexing_async, -1);

  return g_task_propagate_int (G_TASK (result), error);
}

BdIndexing *
bd_consumer_store_load_indexing (BdConsumerStore  *self,
                                 const char       *account,
                                 GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;
  g_autoptr(JsonNode) node = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_bd_consumer_store_check_damage (self, error))
    return NULL;

  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = _bd_store_connection_lease (self->reader, load_indexing_sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, account, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND,
                           _("This consumer’s indexing record is not on this desk yet."));
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      bd_database_set_error (self->reader->db, error, _("Reading the indexing record"));
      return NULL;
    }

  node = bd_json_parse (_bd_column_text (stmt, 0), -1, NULL);
  if (node == NULL)
    {
      g_set_error_literal (error, BD_STORE_ERROR, BD_STORE_ERROR_CORRUPT,
                           _("The indexing record stored on this desk is damaged. Open the consumer again while online to fetch it."));
      return NULL;
    }
  {
    g_autoptr(GError) local_error = NULL;
    BdIndexing *indexing = bd_indexing_from_json (node, &local_error);

    if (indexing == NULL)
      g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_CORRUPT,
                   _("The indexing record stored on this desk is damaged (%s). Open the consumer again while online to fetch it."),
                   local_error->message);
    return indexing;
  }
}

gboolean
bd_consumer_store_cache_indexing (BdConsumerStore  *self,
                                  BdIndexing       *server_copy,
                                  GError          **error)
{
  BdStoreConnection *writer;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdIndexing) shown = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);
  g_return_val_if_fail (BD_IS_INDEXING (server_copy), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_bd_consumer_store_check_damage (self, error))
    return FALSE;

  writer = self->writer;
  locker = g_mutex_locker_new (&writer->lock);
  shown = bd_indexing_copy (server_copy);

  /* Reading the outbox and writing the copy in one transaction: an edit
   * saved in between cannot be lost from the shown copy. */
  if (!bd_database_begin (writer->db, error))
    return FALSE;
  if (!apply_pending (writer, shown, error) ||
      !write_indexing (writer, shown, MAX (g_get_real_time () / G_USEC_PER_SEC, 1), error) ||
      !bd_database_commit (writer->db, error))
    {
      bd_database_rollback (writer->db);
      return FALSE;
    }
  return TRUE;
}

gboolean
bd_consumer_store_cache_history (BdConsumerStore  *self,
                                 const char       *account,
                                 GPtrArray        *entries,
                                 GError          **error)
{
  BdStoreConnection *writer;
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);
  g_return_val_if_fail (account != NULL, FALSE);
  g_return_val_if_fail (entries != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_bd_consumer_store_check_damage (self, error))
    return FALSE;

  writer = self->writer;
  locker = g_mutex_locker_new (&writer->lock);
  if (!bd_database_begin (writer->db, error))
    return FALSE;

  {
    g_autoptr(BdCachedStmt) stmt = _bd_store_connection_lease (writer, delete_history_sql, error);

    if (stmt == NULL)
      goto fail;
    sqlite3_bind_text (stmt, 1, account, -1, SQLITE_STATIC);
    if (!_bd_store_connection_step_done (writer, stmt, _("Saving the change history"), error))
      goto fail;
  }

  for (guint i = 0; i < entries->len; i++)
    {
      BdHistoryEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(BdCachedStmt) stmt = _bd_store_connection_lease (writer, insert_history_sql, error);

      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, account, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, entry->at);
      _bd_bind_text_or_null (stmt, 3, entry->by);
      _bd_bind_text_or_null (stmt, 4, entry->role);
      _bd_bind_text_or_null (stmt, 5, entry->action);
      _bd_bind_text_or_null (stmt, 6, entry->field);
      _bd_bind_text_or_null (stmt, 7, entry->from);
      _bd_bind_text_or_null (stmt, 8, entry->to);
      if (!_bd_store_connection_step_done (writer, stmt, _("Saving the change history"), error))
        goto fail;
    }

  if (!bd_database_commit (writer->db, error))
    goto fail;
  return TRUE;

fail:
  bd_database_rollback (writer->db);
  return FALSE;
}

GPtrArray *
bd_consumer_store_load_history (BdConsumerStore  *self,
                                const char       *account,
                                GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_bd_consumer_store_check_damage (self, error))
    return NULL;

  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = _bd_store_connection_lease (self->reader, load_history_sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, account, -1, SQLITE_STATIC);

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_history_entry_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (entries, bd_history_entry_new (sqlite3_column_int64 (stmt, 0),
                                                    _bd_column_text (stmt, 1),
                                                    _bd_column_text (stmt, 2),
                                                    _bd_column_text (stmt, 3),
                                                    _bd_column_text (stmt, 4),
                                                    _bd_column_text (stmt, 5),
                                                    _bd_column_text (stmt, 6)));
  if (rc != SQLITE_DONE)
    {
      bd_database_set_error (self->reader->db, error, _("Reading the change history"));
      return NULL;
    }
  return g_steal_pointer (&entries);
}
