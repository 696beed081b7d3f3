/* bd-consumer-store-complaints.c: the desk's copy of the zone's complaints.
 *
 * The complaint feed fills it (bd_consumer_store_apply_complaints); a
 * complaint filed here is stored at once as a provisional one ("P-…"
 * number, id "local-…") together with its outbox item, in one
 * transaction, so it shows as queued the moment it is saved and survives
 * a crash. When the server confirms it, the provisional row becomes the
 * server's complaint and keeps the provisional number, so the slip given
 * to the consumer can still be traced. Actions on a complaint are queued
 * the same way; the server's answer (or the feed) brings the new state:
 * the desk never guesses it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/bd-codec.h"
#include "core/bd-complaint-rules.h"

#include "bd-consumer-store-private.h"

#define COMPLAINT_CURSOR_KEY "complaint_cursor"

static const char upsert_sql[] =
  "INSERT INTO complaints (id, number, provisional_number, account, status, category, feeder, dt, "
  "  pole, created_at, updated_at, outbox_seq, json) "
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
  "ON CONFLICT (id) DO UPDATE SET number = excluded.number, "
  "  provisional_number = coalesce (excluded.provisional_number, provisional_number), "
  "  account = excluded.account, status = excluded.status, category = excluded.category, "
  "  feeder = excluded.feeder, dt = excluded.dt, pole = excluded.pole, "
  "  created_at = excluded.created_at, updated_at = excluded.updated_at, "
  "  outbox_seq = coalesce (excluded.outbox_seq, outbox_seq), json = excluded.json "
  "WHERE json_extract (excluded.json, '$.version') >= json_extract (complaints.json, '$.version')";
static const char by_outbox_sql[] =
  "SELECT id, number FROM complaints WHERE outbox_seq = ?1 AND id LIKE 'local-%'";
static const char delete_sql[] = "DELETE FROM complaints WHERE id = ?1";
static const char set_outbox_sql[] = "UPDATE complaints SET outbox_seq = ?2 WHERE id = ?1";
static const char load_sql[] =
  "SELECT json, provisional_number, outbox_seq FROM complaints WHERE id = ?1";
static const char list_sql[] =
  "SELECT json, provisional_number, outbox_seq FROM complaints "
  "WHERE (?1 IS NULL OR account = ?1) "
  "AND (?2 = 0 OR status IN ('new','assigned','in_progress','reopened','escalated')) "
  "ORDER BY created_at DESC, id DESC LIMIT ?3";
static const char candidates_sql[] =
  "SELECT json, provisional_number, outbox_seq FROM complaints "
  "WHERE status IN ('new','assigned','in_progress','reopened','escalated') "
  "AND (account = ?1 OR dt = ?2 OR feeder = ?3 OR pole = ?4) "
  "ORDER BY created_at DESC LIMIT 200";

G_DEFINE_BOXED_TYPE (BdStoredComplaint, bd_stored_complaint, bd_stored_complaint_copy, bd_stored_complaint_free)

BdStoredComplaint *
bd_stored_complaint_copy (const BdStoredComplaint *stored)
{
  BdStoredComplaint *copy = g_new0 (BdStoredComplaint, 1);

  copy->complaint = bd_complaint_copy (stored->complaint);
  copy->provisional_number = g_strdup (stored->provisional_number);
  copy->outbox_seq = stored->outbox_seq;
  return copy;
}

void
bd_stored_complaint_free (BdStoredComplaint *stored)
{
  if (stored == NULL)
    return;
  bd_complaint_free (stored->complaint);
  g_free (stored->provisional_number);
  g_free (stored);
}

gboolean
bd_stored_complaint_is_provisional (const BdStoredComplaint *stored)
{
  return g_str_has_prefix (stored->complaint->id, "local-");
}

static BdStoredComplaint *
stored_from_row (sqlite3_stmt  *stmt,
                 GError       **error)
{
  g_autoptr(JsonNode) node = bd_json_parse (_bd_column_text (stmt, 0), -1, error);
  BdComplaint *complaint;
  BdStoredComplaint *stored;

  if (node == NULL)
    return NULL;
  complaint = bd_complaint_from_json (node, error);
  if (complaint == NULL)
    return NULL;
  stored = g_new0 (BdStoredComplaint, 1);
  stored->complaint = complaint;
  stored->provisional_number = g_strdup (_bd_column_text (stmt, 1));
  stored->outbox_seq = sqlite3_column_int64 (stmt, 2);
  return stored;
}

/* Caller holds the writer's lock (and a transaction). */
static gboolean
upsert (BdStoreConnection  *writer,
        const BdComplaint  *c,
        const char         *provisional_number,
        gint64              outbox_seq,
        GError            **error)
{
  g_autoptr(BdCachedStmt) stmt = _bd_store_connection_lease (writer, upsert_sql, error);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;

  if (stmt == NULL)
    return FALSE;
  node = bd_complaint_to_json (c);
  json = bd_json_to_string (node);
  sqlite3_bind_text (stmt, 1, c->id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, c->number, -1, SQLITE_STATIC);
  _bd_bind_text_or_null (stmt, 3, provisional_number);
  _bd_bind_text_or_null (stmt, 4, c->account);
  sqlite3_bind_text (stmt, 5, bd_complaint_status_to_string (c->status), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, bd_complaint_category_to_string (c->category), -1, SQLITE_STATIC);
  _bd_bind_text_or_null (stmt, 7, c->feeder);
  _bd_bind_text_or_null (stmt, 8, c->dt);
  _bd_bind_text_or_null (stmt, 9, c->pole);
  sqlite3_bind_int64 (stmt, 10, c->created_at);
  sqlite3_bind_int64 (stmt, 11, c->updated_at);
  if (outbox_seq > 0)
    sqlite3_bind_int64 (stmt, 12, outbox_seq);
  sqlite3_bind_text (stmt, 13, json, -1, SQLITE_STATIC);
  return _bd_store_connection_step_done (writer, stmt, _("Saving a complaint"), error);
}

static JsonNode *
filing_body (const BdComplaint *draft)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

#define ADD_OR_NULL(name, value)                                \
  G_STMT_START {                                                \
    json_builder_set_member_name (builder, name);               \
    if ((value) != NULL)                                        \
      json_builder_add_string_value (builder, value);           \
    else                                                        \
      json_builder_add_null_value (builder);                    \
  } G_STMT_END

  json_builder_begin_object (builder);
  ADD_OR_NULL ("account", draft->account);
  json_builder_set_member_name (builder, "category");
  json_builder_add_string_value (builder, bd_complaint_category_to_string (draft->category));
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder, draft->description);
  ADD_OR_NULL ("contact_mobile", draft->contact_mobile);
  json_builder_set_member_name (builder, "channel");
  json_builder_add_string_value (builder, bd_complaint_channel_to_string (draft->channel));
  ADD_OR_NULL ("feeder", draft->feeder);
  ADD_OR_NULL ("dt", draft->dt);
  ADD_OR_NULL ("pole", draft->pole);
  json_builder_end_object (builder);
#undef ADD_OR_NULL

  return json_builder_get_root (builder);
}

static void
apply_default_sla (BdComplaint *c)
{
  gsize n = 0;
  const BdSlaRule *rules = bd_sla_default_rules (&n);

  /* An estimate until the server answers with its own table's values. */
  for (gsize i = 0; i < n; i++)
    if (rules[i].category == c->category && rules[i].area_type == c->area_type)
      {
        c->sla_allowed_s = rules[i].allowed_s;
        c->compensation_per_day_paise = rules[i].compensation_per_day_paise;
      }
}

BdStoredComplaint *
bd_consumer_store_file_complaint (BdConsumerStore    *self,
                                  const BdComplaint  *draft,
                                  const char         *username,
                                  BdRole              role,
                                  gint64              now,
                                  GError            **error)
{
  BdStoreConnection *writer;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdComplaint) c = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *key = NULL;
  g_autofree char *provisional = NULL;
  BdStoredComplaint *stored;
  gint64 seq;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (draft != NULL && draft->description != NULL, NULL);
  g_return_val_if_fail (username != NULL, NULL);

  if (!_bd_consumer_store_check_damage (self, error))
    return NULL;

  key = _bd_store_new_idempotency_key ();
  /* "P-" and six characters of the key: unique enough to read out, and
   * traceable to the filing. */
  {
    g_autofree char *part = g_ascii_strup (key + strlen ("desk-"), 6);

    provisional = g_strconcat ("P-", part, NULL);
  }

  c = bd_complaint_copy (draft);
  g_free (c->id);
  c->id = g_strconcat ("local-", key + strlen ("desk-"), NULL);
  g_free (c->number);
  c->number = g_strdup (provisional);
  c->status = BD_COMPLAINT_STATUS_NEW;
  c->callers = 1;
  c->created_at = now;
  g_free (c->created_by);
  c->created_by = g_strdup (username);
  c->version = 1;
  c->updated_at = now;
  apply_default_sla (c);
  g_ptr_array_set_size (c->events, 0);
  g_ptr_array_add (c->events, bd_complaint_event_new (now, username, role, BD_COMPLAINT_ACTION_FILE,
                                                      BD_COMPLAINT_STATUS_NEW, BD_COMPLAINT_STATUS_NEW, NULL));
  body = filing_body (c);

  writer = self->writer;
  locker = g_mutex_locker_new (&writer->lock);
  if (!bd_database_begin (writer->db, error))
    return NULL;
  seq = _bd_consumer_store_queue_post (writer, key, BD_OUTBOX_KIND_COMPLAINT, c->account, "/api/v1/complaints", body,
                       username, now, error);
  if (seq < 0 || !upsert (writer, c, provisional, seq, error) ||
      !bd_database_commit (writer->db, error))
    {
      bd_database_rollback (writer->db);
      return NULL;
    }

  stored = g_new0 (BdStoredComplaint, 1);
  stored->complaint = g_steal_pointer (&c);
  stored->provisional_number = g_steal_pointer (&provisional);
  stored->outbox_seq = seq;
  return stored;
}

gint64
bd_consumer_store_queue_complaint_action (BdConsumerStore     *self,
                                          const char          *id,
                                          BdComplaintAction    action,
                                          const char          *note,
                                          const char          *otp_id,
                                          const char          *caller_account,
                                          const char          *caller_mobile,
                                          BdComplaintChannel   channel,
                                          const char          *username,
                                          GError             **error)
{
  BdStoreConnection *writer;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdStoredComplaint) stored = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *key = _bd_store_new_idempotency_key ();
  g_autofree char *path = NULL;
  gint64 seq;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), -1);
  g_return_val_if_fail (id != NULL && username != NULL, -1);

  stored = bd_consumer_store_load_complaint (self, id, error);
  if (stored == NULL)
    return -1;
  if (bd_stored_complaint_is_provisional (stored))
    {
      g_set_error_literal (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY,
                           _("This complaint has not reached the server yet. It can be worked on once it has its final number."));
      return -1;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "action");
  json_builder_add_string_value (builder, bd_complaint_action_to_string (action));
  if (note != NULL)
    {
      json_builder_set_member_name (builder, "note");
      json_builder_add_string_value (builder, note);
    }
  if (otp_id != NULL)
    {
      json_builder_set_member_name (builder, "otp_id");
      json_builder_add_string_value (builder, otp_id);
    }
  if (caller_account != NULL)
    {
      json_builder_set_member_name (builder, "caller_account");
      json_builder_add_string_value (builder, caller_account);
    }
  if (caller_mobile != NULL)
    {
      json_builder_set_member_name (builder, "caller_mobile");
      json_builder_add_string_value (builder, caller_mobile);
    }
  json_builder_set_member_name (builder, "channel");
  json_builder_add_string_value (builder, bd_complaint_channel_to_string (channel));
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  path = g_strdup_printf ("/api/v1/complaints/%s/actions", id);

  if (!_bd_consumer_store_check_damage (self, error))
    return -1;
  writer = self->writer;
  locker = g_mutex_locker_new (&writer->lock);
  if (!bd_database_begin (writer->db, error))
    return -1;
  seq = _bd_consumer_store_queue_post (writer, key, BD_OUTBOX_KIND_COMPLAINT_ACTION, stored->complaint->account, path, body,
                       username, g_get_real_time () / G_USEC_PER_SEC, error);
  if (seq >= 0)
    {
      g_autoptr(BdCachedStmt) stmt = _bd_store_connection_lease (writer, set_outbox_sql, error);

      if (stmt == NULL)
        seq = -1;
      else
        {
          sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 2, seq);
          if (!_bd_store_connection_step_done (writer, stmt, _("Saving a complaint"), error))
            seq = -1;
        }
    }
  if (seq < 0 || !bd_database_commit (writer->db, error))
    {
      bd_database_rollback (writer->db);
      return -1;
    }
  return seq;
}

gboolean
bd_consumer_store_apply_complaints (BdConsumerStore  *self,
                                    GPtrArray        *complaints,
                                    const char       *cursor,
                                    GError          **error)
{
  BdStoreConnection *writer;
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);
  g_return_val_if_fail (complaints != NULL, FALSE);

  if (!_bd_consumer_store_check_damage (self, error))
    return FALSE;

  writer = self->writer;
  locker = g_mutex_locker_new (&writer->lock);
  if (!bd_database_begin (writer->db, error))
    return FALSE;
  for (guint i = 0; i < complaints->len; i++)
    if (!upsert (writer, g_ptr_array_index (complaints, i), NULL, 0, error))
      goto fail;
  /* The page and the cursor after it in one transaction, as for consumers. */
  if (cursor != NULL && !_bd_store_set_state (writer, COMPLAINT_CURSOR_KEY, cursor, 0, error))
    goto fail;
  return bd_database_commit (writer->db, error);

fail:
  bd_database_rollback (writer->db);
  return FALSE;
}

gboolean
bd_consumer_store_confirm_complaint (BdConsumerStore  *self,
                                     gint64            outbox_seq,
                                     BdComplaint      *server,
                                     GError          **error)
{
  BdStoreConnection *writer;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *local_id = NULL;
  g_autofree char *provisional = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);
  g_return_val_if_fail (server != NULL, FALSE);

  if (!_bd_consumer_store_check_damage (self, error))
    return FALSE;

  writer = self->writer;
  locker = g_mutex_locker_new (&writer->lock);
  if (!bd_database_begin (writer->db, error))
    return FALSE;
  {
    g_autoptr(BdCachedStmt) find = _bd_store_connection_lease (writer, by_outbox_sql, error);

    if (find == NULL)
      goto fail;
    sqlite3_bind_int64 (find, 1, outbox_seq);
    rc = sqlite3_step (find);
    if (rc == SQLITE_ROW)
      {
        local_id = g_strdup (_bd_column_text (find, 0));
        provisional = g_strdup (_bd_column_text (find, 1));
      }
    else if (rc != SQLITE_DONE)
      {
        bd_database_set_error (writer->db, error, _("Reading a complaint"));
        goto fail;
      }
  }
  if (local_id != NULL)
    {
      g_autoptr(BdCachedStmt) drop = _bd_store_connection_lease (writer, delete_sql, error);

      if (drop == NULL)
        goto fail;
      sqlite3_bind_text (drop, 1, local_id, -1, SQLITE_STATIC);
      if (!_bd_store_connection_step_done (writer, drop, _("Saving a complaint"), error))
        goto fail;
    }
  if (!upsert (writer, server, provisional, outbox_seq, error))
    goto fail;
  return bd_database_commit (writer->db, error);

fail:
  bd_database_rollback (writer->db);
  return FALSE;
}

char *
bd_consumer_store_get_complaint_cursor (BdConsumerStore  *self,
                                        GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);

  if (!_bd_consumer_store_check_damage (self, error))
    return NULL;
  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = _bd_store_connection_lease (self->reader, _bd_store_get_state_sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, COMPLAINT_CURSOR_KEY, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_strdup (_bd_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    bd_database_set_error (self->reader->db, error, _("Reading the sync position"));
  return NULL;
}

static GPtrArray *
read_rows (BdConsumerStore  *self,
           sqlite3_stmt     *stmt,
           GError          **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_stored_complaint_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      BdStoredComplaint *stored = stored_from_row (stmt, error);

      if (stored == NULL)
        return NULL;
      g_ptr_array_add (out, stored);
    }
  if (rc != SQLITE_DONE)
    {
      bd_database_set_error (self->reader->db, error, _("Reading complaints"));
      return NULL;
    }
  return g_steal_pointer (&out);
}

GPtrArray *
bd_consumer_store_list_complaints (BdConsumerStore  *self,
                                   const char       *account,
                                   gboolean          open_only,
                                   guint             limit,
                                   GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);

  if (!_bd_consumer_store_check_damage (self, error))
    return NULL;
  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = _bd_store_connection_lease (self->reader, list_sql, error);
  if (stmt == NULL)
    return NULL;
  _bd_bind_text_or_null (stmt, 1, account);
  sqlite3_bind_int (stmt, 2, open_only ? 1 : 0);
  sqlite3_bind_int64 (stmt, 3, limit);
  return read_rows (self, stmt, error);
}

BdStoredComplaint *
bd_consumer_store_load_complaint (BdConsumerStore  *self,
                                  const char       *id,
                                  GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (!_bd_consumer_store_check_damage (self, error))
    return NULL;
  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = _bd_store_connection_lease (self->reader, load_sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return stored_from_row (stmt, error);
  if (rc == SQLITE_DONE)
    g_set_error_literal (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND,
                         _("This complaint is not in the copy on this desk."));
  else
    bd_database_set_error (self->reader->db, error, _("Reading a complaint"));
  return NULL;
}

typedef struct {
  BdStoredComplaint *stored;
  int                rank;
} Ranked;

static int
compare_ranked (gconstpointer a,
                gconstpointer b)
{
  const Ranked *ra = a;
  const Ranked *rb = b;

  if (ra->rank != rb->rank)
    return rb->rank - ra->rank;
  return rb->stored->complaint->callers - ra->stored->complaint->callers;
}

GPtrArray *
bd_consumer_store_find_duplicate_complaints (BdConsumerStore      *self,
                                             BdComplaintCategory   category,
                                             const char           *account,
                                             const char           *dt,
                                             const char           *feeder,
                                             const char           *pole,
                                             GError              **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) candidates = NULL;
  g_autoptr(GArray) ranked = g_array_new (FALSE, FALSE, sizeof (Ranked));
  GPtrArray *out;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);

  if (!_bd_consumer_store_check_damage (self, error))
    return NULL;
  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = _bd_store_connection_lease (self->reader, candidates_sql, error);
  if (stmt == NULL)
    return NULL;
  _bd_bind_text_or_null (stmt, 1, account);
  _bd_bind_text_or_null (stmt, 2, dt);
  _bd_bind_text_or_null (stmt, 3, feeder);
  _bd_bind_text_or_null (stmt, 4, pole);
  candidates = read_rows (self, stmt, error);
  if (candidates == NULL)
    return NULL;

  /* The server's rule, on the copy here: works offline too. */
  for (guint i = 0; i < candidates->len; i++)
    {
      BdStoredComplaint *stored = g_ptr_array_index (candidates, i);
      Ranked entry = { stored, bd_complaint_duplicate_rank (stored->complaint, category, account, dt, feeder, pole) };

      if (entry.rank > 0)
        g_array_append_val (ranked, entry);
    }
  g_array_sort (ranked, compare_ranked);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_stored_complaint_free);
  for (guint i = 0; i < ranked->len; i++)
    g_ptr_array_add (out, bd_stored_complaint_copy (g_array_index (ranked, Ranked, i).stored));
  return out;
}
