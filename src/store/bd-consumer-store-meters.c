/* bd-consumer-store-meters.c: the prepaid part of the desk's copy: the
 * balance and readings last fetched (so a consumer's page shows them
 * offline, with their time) and the recharges: taken here and queued in
 * the outbox, or credited on the server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "core/bd-codec.h"

#include "bd-consumer-store-private.h"

static const char save_balance_sql[] =
  "INSERT INTO balance_cache (account, json, fetched_at) VALUES (?1, ?2, ?3) "
  "ON CONFLICT (account) DO UPDATE SET json = excluded.json, fetched_at = excluded.fetched_at "
  "WHERE excluded.fetched_at >= balance_cache.fetched_at";
static const char load_balance_sql[] =
  "SELECT json, fetched_at FROM balance_cache WHERE account = ?1";
static const char save_readings_sql[] =
  "INSERT INTO readings_cache (account, step, json, fetched_at) VALUES (?1, ?2, ?3, ?4) "
  "ON CONFLICT (account, step) DO UPDATE SET json = excluded.json, fetched_at = excluded.fetched_at";
static const char load_readings_sql[] =
  "SELECT json, fetched_at FROM readings_cache WHERE account = ?1 AND step = ?2";
static const char insert_recharge_sql[] =
  "INSERT INTO recharges (local_id, account, created_at, outbox_seq, json) VALUES (?1, ?2, ?3, ?4, ?5) "
  "ON CONFLICT (local_id) DO UPDATE SET json = excluded.json";
static const char list_recharges_sql[] =
  "SELECT r.json, COALESCE (r.outbox_seq, 0), o.state, o.last_error FROM recharges r "
  "LEFT JOIN outbox o ON o.seq = r.outbox_seq "
  "WHERE r.account = ?1 ORDER BY r.created_at DESC, r.rowid DESC LIMIT ?2";
static const char load_recharge_sql[] =
  "SELECT r.json, COALESCE (r.outbox_seq, 0), o.state, o.last_error FROM recharges r "
  "LEFT JOIN outbox o ON o.seq = r.outbox_seq WHERE r.local_id = ?1";

void
bd_stored_recharge_free (BdStoredRecharge *stored)
{
  if (stored == NULL)
    return;
  bd_recharge_free (stored->recharge);
  g_free (stored->last_error);
  g_free (stored);
}

static gboolean
save_json (BdConsumerStore  *self,
           const char       *sql,
           const char       *account,
           const char       *step,
           JsonNode         *node,
           gint64            fetched_at,
           GError          **error)
{
  BdStoreConnection *writer = self->writer;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;
  g_autofree char *text = bd_json_to_string (node);
  int index = 1;

  if (!_bd_consumer_store_check_damage (self, error))
    return FALSE;
  locker = g_mutex_locker_new (&writer->lock);
  stmt = _bd_store_connection_lease (writer, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, index++, account, -1, SQLITE_STATIC);
  if (step != NULL)
    sqlite3_bind_text (stmt, index++, step, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, index++, text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, index, fetched_at);
  return _bd_store_connection_step_done (writer, stmt, _("Keeping the meter data for offline use"), error);
}

/* The JSON stored for account (and step), NULL without error if none. */
static JsonNode *
load_json (BdConsumerStore  *self,
           const char       *sql,
           const char       *account,
           const char       *step,
           gint64           *out_fetched_at,
           GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;
  int rc;

  if (!_bd_consumer_store_check_damage (self, error))
    return NULL;
  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = _bd_store_connection_lease (self->reader, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, account, -1, SQLITE_STATIC);
  if (step != NULL)
    sqlite3_bind_text (stmt, 2, step, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      bd_database_set_error (self->reader->db, error, "meter cache");
      return NULL;
    }
  if (out_fetched_at != NULL)
    *out_fetched_at = sqlite3_column_int64 (stmt, 1);
  return bd_json_parse (_bd_column_text (stmt, 0), -1, error);
}

gboolean
bd_consumer_store_save_balance (BdConsumerStore  *self,
                                const BdBalance  *balance,
                                gint64            fetched_at,
                                GError          **error)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);
  g_return_val_if_fail (balance != NULL, FALSE);

  node = bd_balance_to_json (balance);
  return save_json (self, save_balance_sql, balance->account, NULL, node, fetched_at, error);
}

BdBalance *
bd_consumer_store_load_balance (BdConsumerStore  *self,
                                const char       *account,
                                gint64           *out_fetched_at,
                                GError          **error)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);

  node = load_json (self, load_balance_sql, account, NULL, out_fetched_at, error);
  return node != NULL ? bd_balance_from_json (node, error) : NULL;
}

gboolean
bd_consumer_store_save_readings (BdConsumerStore  *self,
                                 BdReadingSeries  *series,
                                 gint64            fetched_at,
                                 GError          **error)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);
  g_return_val_if_fail (BD_IS_READING_SERIES (series), FALSE);

  node = bd_reading_series_to_json (series);
  return save_json (self, save_readings_sql, bd_reading_series_get_account (series),
                    bd_reading_step_to_string (bd_reading_series_get_step (series)), node, fetched_at, error);
}

BdReadingSeries *
bd_consumer_store_load_readings (BdConsumerStore  *self,
                                 const char       *account,
                                 BdReadingStep     step,
                                 gint64           *out_fetched_at,
                                 GError          **error)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);

  node = load_json (self, load_readings_sql, account, bd_reading_step_to_string (step), out_fetched_at, error);
  return node != NULL ? bd_reading_series_from_json (node, error) : NULL;
}

static gboolean
upsert_recharge (BdStoreConnection  *writer,
                 const BdRecharge   *recharge,
                 gint64              outbox_seq,
                 GError            **error)
{
  g_autoptr(BdCachedStmt) stmt = _bd_store_connection_lease (writer, insert_recharge_sql, error);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  if (stmt == NULL)
    return FALSE;
  node = bd_recharge_to_json (recharge);
  text = bd_json_to_string (node);
  sqlite3_bind_text (stmt, 1, recharge->local_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, recharge->account, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, recharge->created_at);
  if (outbox_seq > 0)
    sqlite3_bind_int64 (stmt, 4, outbox_seq);
  else
    sqlite3_bind_null (stmt, 4);
  sqlite3_bind_text (stmt, 5, text, -1, SQLITE_STATIC);
  return _bd_store_connection_step_done (writer, stmt, _("Saving the recharge"), error);
}

BdStoredRecharge *
bd_consumer_store_take_recharge (BdConsumerStore   *self,
                                 const BdRecharge  *request,
                                 const char        *username,
                                 gint64             now,
                                 GError           **error)
{
  BdStoreConnection *writer;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdRecharge) r = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *key = NULL;
  g_autofree char *path = NULL;
  g_autofree char *escaped = NULL;
  BdStoredRecharge *stored;
  gint64 seq;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (request != NULL && request->account != NULL, NULL);
  g_return_val_if_fail (username != NULL, NULL);

  if (!bd_recharge_amount_check (request->amount_paise, error))
    return NULL;
  if (!_bd_consumer_store_check_damage (self, error))
    return NULL;

  /* The local id is the idempotency key: a retry after a lost answer
   * can never credit twice, on this desk or through the server. */
  key = _bd_store_new_idempotency_key ();
  r = bd_recharge_copy (request);
  g_free (r->local_id);
  r->local_id = g_strdup (key);
  g_clear_pointer (&r->receipt, g_free);
  g_free (r->created_by);
  r->created_by = g_strdup (username);
  r->created_at = now;
  r->credited_at = 0;
  r->balance_after_paise = 0;
  r->reconnected = FALSE;
  body = bd_recharge_request_to_json (r);
  escaped = g_uri_escape_string (r->account, NULL, FALSE);
  path = g_strdup_printf ("/api/v1/consumers/%s/recharges", escaped);

  writer = self->writer;
  locker = g_mutex_locker_new (&writer->lock);
  if (!bd_database_begin (writer->db, error))
    return NULL;
  seq = _bd_consumer_store_queue_post (writer, key, BD_OUTBOX_KIND_RECHARGE, r->account, path, body, username, now,
                                       error);
  if (seq < 0)
    goto fail;
  if (!upsert_recharge (writer, r, seq, error) || !bd_database_commit (writer->db, error))
    goto fail;

  stored = g_new0 (BdStoredRecharge, 1);
  stored->recharge = g_steal_pointer (&r);
  stored->outbox_seq = seq;
  stored->outbox_state = BD_OUTBOX_STATE_QUEUED;
  return stored;

fail:
  bd_database_rollback (writer->db);
  return NULL;
}

gboolean
bd_consumer_store_confirm_recharge (BdConsumerStore  *self,
                                    JsonNode         *answer,
                                    gint64            fetched_at,
                                    GError          **error)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (answer) ? json_node_get_object (answer) : NULL;
  JsonNode *recharge_node = object != NULL ? json_object_get_member (object, "recharge") : NULL;
  JsonNode *balance_node = object != NULL ? json_object_get_member (object, "balance") : NULL;
  g_autoptr(BdRecharge) recharge = NULL;
  g_autoptr(BdBalance) balance = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);

  if (recharge_node == NULL || balance_node == NULL)
    {
      g_set_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_MALFORMED, "recharge answer: not the documented shape");
      return FALSE;
    }
  recharge = bd_recharge_from_json (recharge_node, error);
  if (recharge == NULL)
    return FALSE;
  balance = bd_balance_from_json (balance_node, error);
  if (balance == NULL)
    return FALSE;
  if (!_bd_consumer_store_check_damage (self, error))
    return FALSE;

  {
    BdStoreConnection *writer = self->writer;
    g_autoptr(GMutexLocker) writer_locker = g_mutex_locker_new (&writer->lock);

    /* ON CONFLICT keeps the outbox_seq the pending record had. */
    if (!bd_database_begin (writer->db, error))
      return FALSE;
    if (!upsert_recharge (writer, recharge, 0, error) || !bd_database_commit (writer->db, error))
      {
        bd_database_rollback (writer->db);
        return FALSE;
      }
  }
  return bd_consumer_store_save_balance (self, balance, fetched_at, error);
}

gboolean
bd_consumer_store_apply_recharges (BdConsumerStore  *self,
                                   GPtrArray        *recharges,
                                   GError          **error)
{
  BdStoreConnection *writer;
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);

  if (!_bd_consumer_store_check_damage (self, error))
    return FALSE;
  writer = self->writer;
  locker = g_mutex_locker_new (&writer->lock);
  if (!bd_database_begin (writer->db, error))
    return FALSE;
  for (guint i = 0; i < recharges->len; i++)
    if (!upsert_recharge (writer, g_ptr_array_index (recharges, i), 0, error))
      {
        bd_database_rollback (writer->db);
        return FALSE;
      }
  return bd_database_commit (writer->db, error);
}

static BdStoredRecharge *
stored_from_row (sqlite3_stmt  *stmt,
                 GError       **error)
{
  g_autoptr(JsonNode) node = bd_json_parse (_bd_column_text (stmt, 0), -1, error);
  g_autoptr(BdStoredRecharge) stored = g_new0 (BdStoredRecharge, 1);

  if (node == NULL)
    return NULL;
  stored->recharge = bd_recharge_from_json (node, error);
  if (stored->recharge == NULL)
    return NULL;
  stored->outbox_seq = sqlite3_column_int64 (stmt, 1);
  if (sqlite3_column_type (stmt, 2) != SQLITE_NULL)
    bd_outbox_state_from_string (_bd_column_text (stmt, 2), &stored->outbox_state);
  else
    stored->outbox_state = BD_OUTBOX_STATE_DONE;
  /* Credited by the server: whatever the outbox says, it is done. */
  if (stored->recharge->receipt != NULL)
    stored->outbox_state = BD_OUTBOX_STATE_DONE;
  if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
    stored->last_error = g_strdup (_bd_column_text (stmt, 3));
  return g_steal_pointer (&stored);
}

GPtrArray *
bd_consumer_store_list_recharges (BdConsumerStore  *self,
                                  const char       *account,
                                  guint             limit,
                                  GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_stored_recharge_free);
  int rc;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (account != NULL, NULL);

  if (!_bd_consumer_store_check_damage (self, error))
    return NULL;
  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = _bd_store_connection_lease (self->reader, list_recharges_sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, account, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      BdStoredRecharge *stored = stored_from_row (stmt, error);
      if (stored == NULL)
        return NULL;
      g_ptr_array_add (list, stored);
    }
  if (rc != SQLITE_DONE)
    {
      bd_database_set_error (self->reader->db, error, "recharges");
      return NULL;
    }
  return g_steal_pointer (&list);
}

BdStoredRecharge *
bd_consumer_store_load_recharge (BdConsumerStore  *self,
                                 const char       *local_id,
                                 GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);

  if (!_bd_consumer_store_check_damage (self, error))
    return NULL;
  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = _bd_store_connection_lease (self->reader, load_recharge_sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, local_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return stored_from_row (stmt, error);
  if (rc == SQLITE_DONE)
    g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND, _("No such recharge in the copy here."));
  else
    bd_database_set_error (self->reader->db, error, "recharge");
  return NULL;
}
