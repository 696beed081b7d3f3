/* bd-consumer-store-requests.c: disconnection and reconnection requests in
 * the desk's copy: the server's, and those queued here, which show with a
 * provisional number until the server's answer replaces them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "core/bd-codec.h"
#include "core/bd-time.h"

#include "bd-consumer-store-private.h"

static const char upsert_sql[] =
  "INSERT INTO requests (id, account, status, created_at, outbox_seq, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
  "ON CONFLICT (id) DO UPDATE SET status = excluded.status, json = excluded.json, "
  "  outbox_seq = COALESCE (excluded.outbox_seq, requests.outbox_seq)";
static const char list_sql[] =
  "SELECT r.json, COALESCE (r.outbox_seq, 0), o.state, o.last_error FROM requests r "
  "LEFT JOIN outbox o ON o.seq = r.outbox_seq "
  "WHERE ?1 IS NULL OR r.account = ?1 ORDER BY r.created_at DESC, r.rowid DESC LIMIT ?2";

void
bd_stored_request_free (BdStoredRequest *stored)
{
  if (stored == NULL)
    return;
  bd_disconnection_free (stored->request);
  g_free (stored->last_error);
  g_free (stored);
}

static gboolean
upsert (BdStoreConnection      *writer,
        const BdDisconnection  *r,
        gint64                  outbox_seq,
        GError                **error)
{
  g_autoptr(BdCachedStmt) stmt = _bd_store_connection_lease (writer, upsert_sql, error);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;

  if (stmt == NULL)
    return FALSE;
  node = bd_disconnection_to_json (r);
  json = bd_json_to_string (node);
  sqlite3_bind_text (stmt, 1, r->id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, r->account, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, bd_request_status_to_string (r->status), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, r->created_at);
  if (outbox_seq > 0)
    sqlite3_bind_int64 (stmt, 5, outbox_seq);
  else
    sqlite3_bind_null (stmt, 5);
  sqlite3_bind_text (stmt, 6, json, -1, SQLITE_STATIC);
  return _bd_store_connection_step_done (writer, stmt, _("Saving a request"), error);
}

static JsonNode *
filing_body (const BdDisconnection *r)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *when = bd_time_to_iso8601 (r->requested_for);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "account");
  json_builder_add_string_value (builder, r->account);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, bd_request_kind_to_string (r->kind));
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, r->reason);
  json_builder_set_member_name (builder, "requested_for");
  json_builder_add_string_value (builder, when);
  if (r->final_reading_wh >= 0)
    {
      json_builder_set_member_name (builder, "final_reading_wh");
      json_builder_add_int_value (builder, r->final_reading_wh);
    }
  if (r->reference != NULL)
    {
      json_builder_set_member_name (builder, "reference");
      json_builder_add_string_value (builder, r->reference);
    }
  if (r->consent_otp_id != NULL)
    {
      json_builder_set_member_name (builder, "consent_otp_id");
      json_builder_add_string_value (builder, r->consent_otp_id);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

BdStoredRequest *
bd_consumer_store_queue_request (BdConsumerStore        *self,
                                 const BdDisconnection  *draft,
                                 const char             *username,
                                 gint64                  now,
                                 GError                **error)
{
  BdStoreConnection *writer;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdDisconnection) r = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *key = NULL;
  g_autofree char *part = NULL;
  BdStoredRequest *stored;
  gint64 seq;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (draft != NULL && draft->account != NULL && draft->reason != NULL, NULL);

  if (!_bd_consumer_store_check_damage (self, error))
    return NULL;
  key = _bd_store_new_idempotency_key ();
  part = g_ascii_strup (key + strlen ("desk-"), 6);
  r = bd_disconnection_copy (draft);
  g_free (r->id);
  r->id = g_strconcat ("local-", key + strlen ("desk-"), NULL);
  g_free (r->number);
  r->number = g_strconcat ("P-", part, NULL);
  r->status = BD_REQUEST_PENDING_APPROVAL;
  r->created_at = now;
  g_free (r->created_by);
  r->created_by = g_strdup (username);
  r->updated_at = now;
  if (r->zone == NULL)
    r->zone = g_strdup ("");
  body = filing_body (r);

  writer = self->writer;
  locker = g_mutex_locker_new (&writer->lock);
  if (!bd_database_begin (writer->db, error))
    return NULL;
  seq = _bd_consumer_store_queue_post (writer, key, BD_OUTBOX_KIND_REQUEST, r->account, "/api/v1/disconnections", body, username, now, error);
  if (seq < 0 || !upsert (writer, r, seq, error) || !bd_database_commit (writer->db, error))
    {
      bd_database_rollback (writer->db);
      return NULL;
    }
  stored = g_new0 (BdStoredRequest, 1);
  stored->request = g_steal_pointer (&r);
  stored->outbox_seq = seq;
  stored->outbox_state = BD_OUTBOX_STATE_QUEUED;
  return stored;
}

gint64
bd_consumer_store_queue_request_action (BdConsumerStore        *self,
                                        const BdDisconnection  *request,
                                        BdRequestAction         action,
                                        const char             *note,
                                        gint64                  to,
                                        const char             *username,
                                        GError                **error)
{
  BdStoreConnection *writer;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *key = NULL;
  g_autofree char *path = NULL;
  gint64 seq;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), -1);

  if (g_str_has_prefix (request->id, "local-"))
    {
      g_set_error_literal (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY,
                           _("This request has not reached the server yet; decide on it once it has."));
      return -1;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "action");
  json_builder_add_string_value (builder, bd_request_action_to_string (action));
  if (note != NULL && *note != '\0')
    {
      json_builder_set_member_name (builder, "note");
      json_builder_add_string_value (builder, note);
    }
  if (to > 0)
    {
      g_autofree char *when = bd_time_to_iso8601 (to);
      json_builder_set_member_name (builder, "to");
      json_builder_add_string_value (builder, when);
    }
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  key = _bd_store_new_idempotency_key ();
  path = g_strdup_printf ("/api/v1/disconnections/%s/actions", request->id);

  if (!_bd_consumer_store_check_damage (self, error))
    return -1;
  writer = self->writer;
  locker = g_mutex_locker_new (&writer->lock);
  if (!bd_database_begin (writer->db, error))
    return -1;
  seq = _bd_consumer_store_queue_post (writer, key, BD_OUTBOX_KIND_REQUEST_ACTION, request->account, path, body, username,
               g_get_real_time () / G_USEC_PER_SEC, error);
  if (seq < 0 || !upsert (writer, request, seq, error) || !bd_database_commit (writer->db, error))
    {
      bd_database_rollback (writer->db);
      return -1;
    }
  return seq;
}

gboolean
bd_consumer_store_apply_requests (BdConsumerStore  *self,
                                  GPtrArray        *requests,
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
  for (guint i = 0; i < requests->len; i++)
    if (!upsert (writer, g_ptr_array_index (requests, i), 0, error))
      {
        bd_database_rollback (writer->db);
        return FALSE;
      }
  return bd_database_commit (writer->db, error);
}

gboolean
bd_consumer_store_confirm_request (BdConsumerStore  *self,
                                   gint64            seq,
                                   JsonNode         *answer,
                                   GError          **error)
{
  BdStoreConnection *writer;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdDisconnection) r = bd_disconnection_from_json (answer, error);
  g_autoptr(BdCachedStmt) drop = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);

  if (r == NULL)
    return FALSE;
  if (!_bd_consumer_store_check_damage (self, error))
    return FALSE;
  writer = self->writer;
  locker = g_mutex_locker_new (&writer->lock);
  if (!bd_database_begin (writer->db, error))
    return FALSE;
  drop = _bd_store_connection_lease (writer, "DELETE FROM requests WHERE outbox_seq = ?1 AND id LIKE 'local-%'",
                                     error);
  if (drop == NULL)
    goto fail;
  sqlite3_bind_int64 (drop, 1, seq);
  if (!_bd_store_connection_step_done (writer, drop, _("Saving a request"), error))
    goto fail;
  g_clear_pointer (&drop, _bd_cached_stmt_release);
  if (!upsert (writer, r, seq, error) || !bd_database_commit (writer->db, error))
    goto fail;
  return TRUE;

fail:
  bd_database_rollback (writer->db);
  return FALSE;
}

GPtrArray *
bd_consumer_store_list_requests (BdConsumerStore  *self,
                                 const char       *account,
                                 guint             limit,
                                 GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_stored_request_free);
  int rc;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);

  if (!_bd_consumer_store_check_damage (self, error))
    return NULL;
  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = _bd_store_connection_lease (self->reader, list_sql, error);
  if (stmt == NULL)
    return NULL;
  _bd_bind_text_or_null (stmt, 1, account);
  sqlite3_bind_int64 (stmt, 2, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(JsonNode) node = bd_json_parse (_bd_column_text (stmt, 0), -1, error);
      g_autoptr(BdStoredRequest) stored = g_new0 (BdStoredRequest, 1);

      if (node == NULL)
        return NULL;
      stored->request = bd_disconnection_from_json (node, error);
      if (stored->request == NULL)
        return NULL;
      stored->outbox_seq = sqlite3_column_int64 (stmt, 1);
      stored->outbox_state = BD_OUTBOX_STATE_DONE;
      if (sqlite3_column_type (stmt, 2) != SQLITE_NULL)
        bd_outbox_state_from_string (_bd_column_text (stmt, 2), &stored->outbox_state);
      if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
        stored->last_error = g_strdup (_bd_column_text (stmt, 3));
      g_ptr_array_add (list, g_steal_pointer (&stored));
    }
  if (rc != SQLITE_DONE)
    {
      bd_database_set_error (self->reader->db, error, "requests");
      return NULL;
    }
  return g_steal_pointer (&list);
}
