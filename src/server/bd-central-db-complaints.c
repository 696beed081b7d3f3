/* bd-central-db-complaints.c: complaints, their SLA table, timeline and feed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/bd-codec.h"
#include "core/bd-time.h"
#include "core/bd-validate.h"

#include "bd-central-db-complaints.h"
#include "bd-central-db-private.h"

#define COMPLAINT_COLUMNS \
  "id, number, zone, account, category, description, contact_mobile, channel, feeder, dt, " \
  "pole, area_type, status, assigned_to, escalation_level, callers, created_at, created_by, " \
  "resolved_at, closed_at, sla_allowed_s, compensation_per_day_paise, pauses, version, " \
  "updated_at, change_seq"

/* Bounds on what one query reads, whatever the filter. */
#define MAX_SCAN    5000
#define MAX_CANDIDATES 200

/* ---- rows ------------------------------------------------------------------ */

static void
pauses_from_text (BdComplaint *complaint,
                  const char  *text)
{
  g_autoptr(JsonNode) root = bd_json_parse (text, -1, NULL);
  JsonArray *array;

  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return;
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonArray *pair = json_array_get_array_element (array, i);
      BdComplaintPause pause;

      if (pair == NULL || json_array_get_length (pair) != 2)
        continue;
      pause.start = json_array_get_int_element (pair, 0);
      pause.end = json_array_get_int_element (pair, 1);
      g_array_append_val (complaint->pauses, pause);
    }
}

static char *
pauses_to_text (const BdComplaint *complaint)
{
  g_autoptr(GString) out = g_string_new ("[");

  for (guint i = 0; i < complaint->pauses->len; i++)
    {
      const BdComplaintPause *pause = &g_array_index (complaint->pauses, BdComplaintPause, i);

      g_string_append_printf (out, "%s[%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "]",
                              i > 0 ? "," : "", pause->start, pause->end);
    }
  g_string_append_c (out, ']');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static const char *
column_or_null (BdSqlStmt *stmt,
                int           col)
{
  return bd_sql_stmt_column_text (stmt, col);
}

static BdComplaint *
complaint_from_row (BdSqlStmt *stmt,
                    gint64       *out_seq)
{
  BdComplaint *c = bd_complaint_new ();
  BdComplaintCategory category = BD_COMPLAINT_OTHER;
  BdComplaintChannel channel = BD_COMPLAINT_CHANNEL_COUNTER;
  BdComplaintStatus status = BD_COMPLAINT_STATUS_NEW;
  BdAreaType area = BD_AREA_URBAN;

  c->id = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) bd_sql_stmt_column_int64 (stmt, 0));
  c->number = g_strdup (_bd_central_column_text (stmt, 1));
  c->zone = g_strdup (_bd_central_column_text (stmt, 2));
  c->account = g_strdup (column_or_null (stmt, 3));
  /* CHECKed on the way in; a value from a newer server reads as "other". */
  bd_complaint_category_from_string (_bd_central_column_text (stmt, 4), &category);
  c->category = category;
  c->description = g_strdup (_bd_central_column_text (stmt, 5));
  c->contact_mobile = g_strdup (column_or_null (stmt, 6));
  bd_complaint_channel_from_string (_bd_central_column_text (stmt, 7), &channel);
  c->channel = channel;
  c->feeder = g_strdup (column_or_null (stmt, 8));
  c->dt = g_strdup (column_or_null (stmt, 9));
  c->pole = g_strdup (column_or_null (stmt, 10));
  bd_area_type_from_string (_bd_central_column_text (stmt, 11), &area);
  c->area_type = area;
  bd_complaint_status_from_string (_bd_central_column_text (stmt, 12), &status);
  c->status = status;
  c->assigned_to = g_strdup (column_or_null (stmt, 13));
  c->escalation_level = bd_sql_stmt_column_int (stmt, 14);
  c->callers = bd_sql_stmt_column_int (stmt, 15);
  c->created_at = bd_sql_stmt_column_int64 (stmt, 16);
  c->created_by = g_strdup (_bd_central_column_text (stmt, 17));
  c->resolved_at = bd_sql_stmt_column_int64 (stmt, 18);
  c->closed_at = bd_sql_stmt_column_int64 (stmt, 19);
  c->sla_allowed_s = bd_sql_stmt_column_int64 (stmt, 20);
  c->compensation_per_day_paise = bd_sql_stmt_column_int64 (stmt, 21);
  pauses_from_text (c, _bd_central_column_text (stmt, 22));
  c->version = bd_sql_stmt_column_int64 (stmt, 23);
  c->updated_at = bd_sql_stmt_column_int64 (stmt, 24);
  if (out_seq != NULL)
    *out_seq = bd_sql_stmt_column_int64 (stmt, 25);
  return c;
}

static gboolean
read_events (BdCentralDb  *self,
             BdComplaint  *complaint,
             GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  int rc;

  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT at, by, role, action, from_status, to_status, note "
                              "FROM complaint_events WHERE complaint_id = ?1 ORDER BY id",
                              error);
  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (stmt, 1, complaint->id);
  while ((rc = bd_sql_stmt_step (stmt)) == BD_SQL_ROW)
    {
      BdRole role = BD_ROLE_OPERATOR;
      BdComplaintAction action = BD_COMPLAINT_ACTION_FILE;
      BdComplaintStatus from = BD_COMPLAINT_STATUS_NEW, to = BD_COMPLAINT_STATUS_NEW;

      bd_role_from_string (_bd_central_column_text (stmt, 2), &role);
      bd_complaint_action_from_string (_bd_central_column_text (stmt, 3), &action);
      bd_complaint_status_from_string (_bd_central_column_text (stmt, 4), &from);
      bd_complaint_status_from_string (_bd_central_column_text (stmt, 5), &to);
      g_ptr_array_add (complaint->events,
                       bd_complaint_event_new (bd_sql_stmt_column_int64 (stmt, 0),
                                               _bd_central_column_text (stmt, 1), role, action,
                                               from, to, column_or_null (stmt, 6)));
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "complaint events");
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_id (const char *text,
          guint64    *out)
{
  gsize length = text != NULL ? strlen (text) : 0;

  if (length == 0 || length > 18)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  *out = g_ascii_strtoull (text, NULL, 10);
  return TRUE;
}

static BdComplaint *
load (BdCentralDb  *self,
      const char   *zone,
      const char   *id,
      gboolean      with_events,
      GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autoptr(BdComplaint) complaint = NULL;
  guint64 numeric;
  int rc;

  if (!parse_id (id, &numeric))
    {
      g_set_error_literal (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND,
                           _("There is no such complaint in your zone."));
      return NULL;
    }

  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT " COMPLAINT_COLUMNS " FROM complaints WHERE id = ?1 AND zone = ?2",
                              error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_int64 (stmt, 1, (gint64) numeric);
  bd_sql_stmt_bind_text (stmt, 2, zone);
  rc = bd_sql_stmt_step (stmt);
  if (rc == BD_SQL_DONE)
    {
      g_set_error_literal (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND,
                           _("There is no such complaint in your zone."));
      return NULL;
    }
  if (rc != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "complaint");
      return NULL;
    }
  complaint = complaint_from_row (stmt, NULL);
  if (with_events && !read_events (self, complaint, error))
    return NULL;
  return g_steal_pointer (&complaint);
}

static gint64
next_change_seq (BdCentralDb  *self,
                 GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = bd_sql_connection_prepare (self->sql,
                                                      "SELECT coalesce (max (change_seq), 0) + 1 FROM complaints",
                                                      error);

  if (stmt == NULL)
    return -1;
  if (bd_sql_stmt_step (stmt) != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "complaint sequence");
      return -1;
    }
  return bd_sql_stmt_column_int64 (stmt, 0);
}

static gboolean
add_event (BdCentralDb        *self,
           const char         *id,
           gint64              at,
           const char         *by,
           BdRole              role,
           BdComplaintAction   action,
           BdComplaintStatus   from,
           BdComplaintStatus   to,
           const char         *note,
           GError            **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;

  stmt = bd_sql_connection_prepare (self->sql,
                              "INSERT INTO complaint_events (complaint_id, at, by, role, action, "
                              "  from_status, to_status, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                              error);
  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (stmt, 1, id);
  bd_sql_stmt_bind_int64 (stmt, 2, at);
  bd_sql_stmt_bind_text (stmt, 3, by);
  bd_sql_stmt_bind_text (stmt, 4, bd_role_to_string (role));
  bd_sql_stmt_bind_text (stmt, 5, bd_complaint_action_to_string (action));
  bd_sql_stmt_bind_text (stmt, 6, bd_complaint_status_to_string (from));
  bd_sql_stmt_bind_text (stmt, 7, bd_complaint_status_to_string (to));
  _bd_central_bind_text_or_null (stmt, 8, note);
  if (bd_sql_stmt_step (stmt) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "complaint event");
      return FALSE;
    }
  return TRUE;
}

static gboolean
add_caller (BdCentralDb         *self,
            const char          *id,
            const char          *account,
            const char          *mobile,
            BdComplaintChannel   channel,
            gint64               at,
            const char          *by,
            GError             **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;

  stmt = bd_sql_connection_prepare (self->sql,
                              "INSERT INTO complaint_callers (complaint_id, account, mobile, channel, at, by) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                              error);
  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (stmt, 1, id);
  _bd_central_bind_text_or_null (stmt, 2, account);
  _bd_central_bind_text_or_null (stmt, 3, mobile);
  bd_sql_stmt_bind_text (stmt, 4, bd_complaint_channel_to_string (channel));
  bd_sql_stmt_bind_int64 (stmt, 5, at);
  bd_sql_stmt_bind_text (stmt, 6, by);
  if (bd_sql_stmt_step (stmt) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "complaint caller");
      return FALSE;
    }
  return TRUE;
}

/* Writes the complaint's mutable columns with a new version and feed
 * position. */
static gboolean
save (BdCentralDb  *self,
      BdComplaint  *c,
      gint64        now,
      GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autofree char *pauses = pauses_to_text (c);
  gint64 seq = next_change_seq (self, error);

  if (seq < 0)
    return FALSE;
  stmt = bd_sql_connection_prepare (self->sql,
                              "UPDATE complaints SET status = ?2, assigned_to = ?3, escalation_level = ?4, "
                              "  callers = ?5, resolved_at = ?6, closed_at = ?7, pauses = ?8, "
                              "  version = version + 1, updated_at = ?9, change_seq = ?10 WHERE id = ?1",
                              error);
  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (stmt, 1, c->id);
  bd_sql_stmt_bind_text (stmt, 2, bd_complaint_status_to_string (c->status));
  _bd_central_bind_text_or_null (stmt, 3, c->assigned_to);
  bd_sql_stmt_bind_int64 (stmt, 4, c->escalation_level);
  bd_sql_stmt_bind_int64 (stmt, 5, c->callers);
  if (c->resolved_at != 0)
    bd_sql_stmt_bind_int64 (stmt, 6, c->resolved_at);
  if (c->closed_at != 0)
    bd_sql_stmt_bind_int64 (stmt, 7, c->closed_at);
  bd_sql_stmt_bind_text (stmt, 8, pauses);
  bd_sql_stmt_bind_int64 (stmt, 9, now);
  bd_sql_stmt_bind_int64 (stmt, 10, seq);
  if (bd_sql_stmt_step (stmt) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "complaint update");
      return FALSE;
    }
  c->version++;
  c->updated_at = now;
  return TRUE;
}

/* "LKOC-2611-00042": zone, year and month in IST, then the zone's count
 * for that month. Short enough to read out over the phone. */
static char *
allocate_number (BdCentralDb  *self,
                 const char   *zone,
                 gint64        now,
                 GError      **error)
{
  g_autoptr(GTimeZone) ist = g_time_zone_new_identifier ("Asia/Kolkata");
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (now);
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autofree char *period = NULL;
  g_autoptr(GString) prefix = g_string_new (NULL);
  gint64 last;

  if (ist == NULL)
    ist = g_time_zone_new_offset (5 * 3600 + 30 * 60);
  local = g_date_time_to_timezone (utc, ist);
  period = g_date_time_format (local, "%y%m");
  for (const char *p = zone; *p != '\0'; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (prefix, g_ascii_toupper (*p));

  stmt = bd_sql_connection_prepare (self->sql,
                              "INSERT INTO complaint_numbers (zone, period, last) VALUES (?1, ?2, 1) "
                              "ON CONFLICT (zone, period) DO UPDATE SET last = complaint_numbers.last + 1 "
                              "RETURNING last",
                              error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_text (stmt, 1, zone);
  bd_sql_stmt_bind_text (stmt, 2, period);
  if (bd_sql_stmt_step (stmt) != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "complaint number");
      return NULL;
    }
  last = bd_sql_stmt_column_int64 (stmt, 0);
  return g_strdup_printf ("%s-%s-%05" G_GINT64_FORMAT, prefix->str, period, last);
}

static gboolean
current_sla (BdCentralDb         *self,
             BdComplaintCategory  category,
             BdAreaType           area,
             gint64               now,
             gint64              *out_version,
             gint64              *out_allowed,
             gint64              *out_per_day,
             GError             **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;

  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT version, allowed_s, compensation_per_day_paise FROM sla_rules "
                              "WHERE category = ?1 AND area_type = ?2 AND valid_from <= ?3 "
                              "ORDER BY valid_from DESC, version DESC LIMIT 1",
                              error);
  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (stmt, 1, bd_complaint_category_to_string (category));
  bd_sql_stmt_bind_text (stmt, 2, bd_area_type_to_string (area));
  bd_sql_stmt_bind_int64 (stmt, 3, now);
  if (bd_sql_stmt_step (stmt) != BD_SQL_ROW)
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT,
                   _("No service standard is on record for this kind of complaint."));
      return FALSE;
    }
  *out_version = bd_sql_stmt_column_int64 (stmt, 0);
  *out_allowed = bd_sql_stmt_column_int64 (stmt, 1);
  *out_per_day = bd_sql_stmt_column_int64 (stmt, 2);
  return TRUE;
}

gboolean
_bd_central_db_seed_sla_rules (BdCentralDb  *self,
                               GError      **error)
{
  g_autoptr(BdSqlStmt) count = NULL;
  g_autoptr(BdSqlStmt) insert = NULL;
  const BdSlaRule *rules;
  gsize n = 0;

  count = bd_sql_connection_prepare (self->sql, "SELECT count(*) FROM sla_rules", error);
  if (count == NULL)
    return FALSE;
  if (bd_sql_stmt_step (count) != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "sla rules");
      return FALSE;
    }
  if (bd_sql_stmt_column_int64 (count, 0) > 0)
    return TRUE;

  rules = bd_sla_default_rules (&n);
  if (!bd_sql_connection_begin (self->sql, error))
    return FALSE;
  insert = bd_sql_connection_prepare (self->sql,
                                "INSERT INTO sla_rules (version, valid_from, category, area_type, "
                                "  allowed_s, compensation_per_day_paise) VALUES (1, 0, ?1, ?2, ?3, ?4)",
                                error);
  if (insert == NULL)
    goto fail;
  for (gsize i = 0; i < n; i++)
    {
      bd_sql_stmt_reset (insert);
      bd_sql_stmt_bind_text (insert, 1, bd_complaint_category_to_string (rules[i].category));
      bd_sql_stmt_bind_text (insert, 2, bd_area_type_to_string (rules[i].area_type));
      bd_sql_stmt_bind_int64 (insert, 3, rules[i].allowed_s);
      bd_sql_stmt_bind_int64 (insert, 4, rules[i].compensation_per_day_paise);
      if (bd_sql_stmt_step (insert) != BD_SQL_DONE)
        {
          bd_sql_connection_set_error (self->sql, error, "sla rule");
          goto fail;
        }
    }
  return bd_sql_connection_commit (self->sql, error);

fail:
  bd_sql_connection_rollback (self->sql);
  return FALSE;
}

/* The audit entry of a complaint's filing or action. */
static gboolean
audit_complaint (BdCentralDb        *self,
                 const BdComplaint  *c,
                 const char         *username,
                 BdRole              role,
                 BdComplaintAction   action,
                 BdComplaintStatus   from,
                 const char         *note,
                 gint64              now,
                 GError            **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) detail = NULL;
  g_autofree char *what = g_strconcat ("complaint.", bd_complaint_action_to_string (action), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "account");
  if (c->account != NULL)
    json_builder_add_string_value (builder, c->account);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "category");
  json_builder_add_string_value (builder, bd_complaint_category_to_string (c->category));
  json_builder_set_member_name (builder, "from");
  json_builder_add_string_value (builder, bd_complaint_status_to_string (from));
  json_builder_set_member_name (builder, "to");
  json_builder_add_string_value (builder, bd_complaint_status_to_string (c->status));
  json_builder_set_member_name (builder, "note");
  if (note != NULL)
    json_builder_add_string_value (builder, note);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  detail = json_builder_get_root (builder);
  return _bd_central_db_audit (self, now, username, bd_role_to_string (role), c->zone, what, c->number,
                               detail, error);
}

static char *
complaint_body (BdComplaint *complaint)
{
  g_autoptr(JsonNode) node = bd_complaint_to_json (complaint);

  return bd_json_to_string (node);
}

/* The consumer hears of the complaint at filing and at resolution, in
 * Hindi and English, with the number to quote. */
static gboolean
notify_consumer (BdCentralDb        *self,
                 const BdComplaint  *c,
                 BdComplaintAction   action,
                 gint64              now,
                 GError            **error)
{
  g_autofree char *text = NULL;

  if (c->contact_mobile == NULL)
    return TRUE;
  if (action == BD_COMPLAINT_ACTION_FILE)
    text = g_strdup_printf ("UPPCL: आपकी शिकायत संख्या %s दर्ज हो गई है। जानकारी के लिए 1912 पर यही संख्या बताएँ। / "
                            "UPPCL: your complaint %s is registered. Quote this number when you call 1912.",
                            c->number, c->number);
  else if (action == BD_COMPLAINT_ACTION_RESOLVE)
    text = g_strdup_printf ("UPPCL: आपकी शिकायत %s का निस्तारण हो गया है। संतुष्ट न हों तो 1912 पर फिर से खुलवाएँ। / "
                            "UPPCL: your complaint %s has been resolved. If it is not, call 1912 to reopen it.",
                            c->number, c->number);
  else
    return TRUE;

  return _bd_central_db_sms_enqueue (self, c->account != NULL ? c->account : "", c->contact_mobile,
                                     text, NULL, now * 1000, error) >= 0;
}

gboolean
bd_central_db_complaint_file (BdCentralDb   *self,
                              const char    *zone,
                              BdComplaint   *draft,
                              const char    *key,
                              const char    *request_hash,
                              const char    *staff_username,
                              BdRole         staff_role,
                              gint64         now,
                              guint         *out_status,
                              char         **out_body,
                              gboolean      *out_replayed,
                              GError       **error)
{
  g_autoptr(BdComplaint) c = NULL;
  g_autoptr(BdSqlStmt) insert = NULL;
  g_autofree char *body = NULL;
  gint64 sla_version, seq;
  gboolean found = FALSE;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (zone != NULL && draft != NULL && key != NULL, FALSE);

  *out_replayed = FALSE;
  if (!bd_sql_connection_begin (self->sql, error))
    return FALSE;

  if (!_bd_central_db_idempotency_lookup (self, key, staff_username, request_hash, &found,
                                          out_status, out_body, error))
    goto fail;
  if (found)
    {
      *out_replayed = TRUE;
      return bd_sql_connection_commit (self->sql, error);
    }

  c = bd_complaint_copy (draft);
  g_free (c->zone);
  c->zone = g_strdup (zone);
  if (c->account != NULL)
    {
      g_autoptr(BdConsumer) consumer = bd_central_db_lookup_consumer (self, zone, c->account, error);

      if (consumer == NULL)
        goto fail;
      /* The consumer's place on the network, unless the caller said where. */
      if (c->feeder == NULL)
        c->feeder = g_strdup (bd_consumer_get_feeder (consumer));
      if (c->dt == NULL)
        c->dt = g_strdup (bd_consumer_get_dt (consumer));
      if (c->pole == NULL)
        c->pole = g_strdup (bd_consumer_get_pole (consumer));
      c->area_type = bd_consumer_get_area_type (consumer);
      if (c->contact_mobile == NULL && bd_consumer_get_mobile (consumer) != NULL)
        c->contact_mobile = g_strdup (bd_consumer_get_mobile (consumer));
    }

  if (!current_sla (self, c->category, c->area_type, now, &sla_version, &c->sla_allowed_s,
                    &c->compensation_per_day_paise, error))
    goto fail;
  c->number = allocate_number (self, zone, now, error);
  if (c->number == NULL)
    goto fail;
  seq = next_change_seq (self, error);
  if (seq < 0)
    goto fail;

  c->status = BD_COMPLAINT_STATUS_NEW;
  c->callers = 1;
  c->created_at = now;
  g_free (c->created_by);
  c->created_by = g_strdup (staff_username);
  c->version = 1;
  c->updated_at = now;

  insert = bd_sql_connection_prepare (self->sql,
                                "INSERT INTO complaints (number, zone, account, category, description, "
                                "  contact_mobile, channel, feeder, dt, pole, area_type, status, callers, "
                                "  created_at, created_by, sla_version, sla_allowed_s, "
                                "  compensation_per_day_paise, pauses, version, updated_at, change_seq) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'new', 1, ?12, ?13, "
                                "  ?14, ?15, ?16, '[]', 1, ?12, ?17) RETURNING id",
                                error);
  if (insert == NULL)
    goto fail;
  bd_sql_stmt_bind_text (insert, 1, c->number);
  bd_sql_stmt_bind_text (insert, 2, zone);
  _bd_central_bind_text_or_null (insert, 3, c->account);
  bd_sql_stmt_bind_text (insert, 4, bd_complaint_category_to_string (c->category));
  bd_sql_stmt_bind_text (insert, 5, c->description);
  _bd_central_bind_text_or_null (insert, 6, c->contact_mobile);
  bd_sql_stmt_bind_text (insert, 7, bd_complaint_channel_to_string (c->channel));
  _bd_central_bind_text_or_null (insert, 8, c->feeder);
  _bd_central_bind_text_or_null (insert, 9, c->dt);
  _bd_central_bind_text_or_null (insert, 10, c->pole);
  bd_sql_stmt_bind_text (insert, 11, bd_area_type_to_string (c->area_type));
  bd_sql_stmt_bind_int64 (insert, 12, now);
  bd_sql_stmt_bind_text (insert, 13, staff_username);
  bd_sql_stmt_bind_int64 (insert, 14, sla_version);
  bd_sql_stmt_bind_int64 (insert, 15, c->sla_allowed_s);
  bd_sql_stmt_bind_int64 (insert, 16, c->compensation_per_day_paise);
  bd_sql_stmt_bind_int64 (insert, 17, seq);
  if (bd_sql_stmt_step (insert) != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "complaint insert");
      goto fail;
    }
  c->id = g_strdup_printf ("%" G_GINT64_FORMAT, bd_sql_stmt_column_int64 (insert, 0));
  bd_sql_stmt_reset (insert);

  if (!add_event (self, c->id, now, staff_username, staff_role, BD_COMPLAINT_ACTION_FILE,
                  BD_COMPLAINT_STATUS_NEW, BD_COMPLAINT_STATUS_NEW, NULL, error) ||
      !add_caller (self, c->id, c->account, c->contact_mobile, c->channel, now, staff_username, error) ||
      !notify_consumer (self, c, BD_COMPLAINT_ACTION_FILE, now, error) ||
      !audit_complaint (self, c, staff_username, staff_role, BD_COMPLAINT_ACTION_FILE, BD_COMPLAINT_STATUS_NEW,
                        NULL, now, error))
    goto fail;

  g_ptr_array_add (c->events, bd_complaint_event_new (now, staff_username, staff_role, BD_COMPLAINT_ACTION_FILE,
                                                      BD_COMPLAINT_STATUS_NEW, BD_COMPLAINT_STATUS_NEW, NULL));
  body = complaint_body (c);
  if (!_bd_central_db_idempotency_store (self, key, staff_username, request_hash, 201, body, now, error))
    goto fail;
  if (!bd_sql_connection_commit (self->sql, error))
    goto fail;

  *out_status = 201;
  *out_body = g_steal_pointer (&body);
  return TRUE;

fail:
  bd_sql_connection_rollback (self->sql);
  return FALSE;
}

gboolean
bd_central_db_complaint_act (BdCentralDb         *self,
                             const char          *zone,
                             const char          *id,
                             BdComplaintAction    action,
                             const char          *note,
                             const char          *otp_id,
                             const char          *caller_account,
                             const char          *caller_mobile,
                             BdComplaintChannel   caller_channel,
                             const char          *key,
                             const char          *request_hash,
                             const char          *staff_username,
                             BdRole               staff_role,
                             gint64               now,
                             guint               *out_status,
                             char               **out_body,
                             gboolean            *out_replayed,
                             GError             **error)
{
  g_autoptr(BdComplaint) c = NULL;
  g_autofree char *body = NULL;
  BdComplaintStatus from, to;
  gboolean otp_verified = FALSE;
  gboolean found = FALSE;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);

  *out_replayed = FALSE;
  if (!bd_sql_connection_begin (self->sql, error))
    return FALSE;

  if (!_bd_central_db_idempotency_lookup (self, key, staff_username, request_hash, &found,
                                          out_status, out_body, error))
    goto fail;
  if (found)
    {
      *out_replayed = TRUE;
      return bd_sql_connection_commit (self->sql, error);
    }

  c = load (self, zone, id, TRUE, error);
  if (c == NULL)
    goto fail;
  from = c->status;

  if (action == BD_COMPLAINT_ACTION_CLOSE && otp_id != NULL)
    {
      if (c->account == NULL || c->contact_mobile == NULL ||
          !_bd_central_db_otp_take (self, zone, otp_id, c->account, BD_CENTRAL_OTP_COMPLAINT_CLOSE,
                                    c->contact_mobile, BD_CENTRAL_COMPLAINT_OTP_WITHIN_S, now, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_NOT_VERIFIED,
                         _("The consumer has not confirmed this with an OTP in the last 10 minutes. Send and check an OTP first."));
          goto fail;
        }
      otp_verified = TRUE;
    }

  if (!bd_complaint_check_action (c, action, staff_role, note, otp_verified, &to, error))
    goto fail;

  switch (action)
    {
    case BD_COMPLAINT_ACTION_ASSIGN:
      g_free (c->assigned_to);
      c->assigned_to = g_strstrip (g_strdup (note));
      break;
    case BD_COMPLAINT_ACTION_PAUSE:
      {
        BdComplaintPause pause = { now, 0 };

        g_array_append_val (c->pauses, pause);
      }
      break;
    case BD_COMPLAINT_ACTION_RESUME:
      g_array_index (c->pauses, BdComplaintPause, c->pauses->len - 1).end = now;
      break;
    case BD_COMPLAINT_ACTION_RESOLVE:
      /* Work done ends any wait for the consumer. */
      if (bd_complaint_is_paused (c))
        g_array_index (c->pauses, BdComplaintPause, c->pauses->len - 1).end = now;
      c->resolved_at = now;
      break;
    case BD_COMPLAINT_ACTION_CLOSE:
      c->closed_at = now;
      break;
    case BD_COMPLAINT_ACTION_REOPEN:
      c->resolved_at = 0;
      c->closed_at = 0;
      break;
    case BD_COMPLAINT_ACTION_ESCALATE:
      c->escalation_level++;
      c->resolved_at = 0;
      c->closed_at = 0;
      break;
    case BD_COMPLAINT_ACTION_ADD_CALLER:
      c->callers++;
      if (!add_caller (self, c->id, caller_account, caller_mobile, caller_channel, now, staff_username, error))
        goto fail;
      break;
    case BD_COMPLAINT_ACTION_START:
    case BD_COMPLAINT_ACTION_REJECT:
    case BD_COMPLAINT_ACTION_FILE:
    default:
      break;
    }
  c->status = to;

  /* A close by OTP says so in the timeline; an override keeps its reason. */
  if (!save (self, c, now, error) ||
      !add_event (self, c->id, now, staff_username, staff_role, action, from, to,
                  otp_verified ? _("Confirmed by the consumer with an OTP") : note, error) ||
      !notify_consumer (self, c, action, now, error) ||
      !audit_complaint (self, c, staff_username, staff_role, action, from,
                        otp_verified ? "otp" : note, now, error))
    goto fail;

  g_ptr_array_add (c->events, bd_complaint_event_new (now, staff_username, staff_role, action, from, to,
                                                      otp_verified ? _("Confirmed by the consumer with an OTP") : note));
  body = complaint_body (c);
  if (!_bd_central_db_idempotency_store (self, key, staff_username, request_hash, 200, body, now, error))
    goto fail;
  if (!bd_sql_connection_commit (self->sql, error))
    goto fail;

  *out_status = 200;
  *out_body = g_steal_pointer (&body);
  return TRUE;

fail:
  bd_sql_connection_rollback (self->sql);
  return FALSE;
}

BdComplaint *
bd_central_db_complaint_get (BdCentralDb  *self,
                             const char   *zone,
                             const char   *id,
                             GError      **error)
{
  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);

  return load (self, zone, id, TRUE, error);
}

static gboolean
matches_sla (const BdComplaint *c,
             const char        *sla,
             gint64             now)
{
  BdSlaClock clock;

  if (sla == NULL)
    return TRUE;
  bd_sla_clock_compute (c, now, &clock);
  if (g_str_equal (sla, "overdue"))
    return clock.overdue;
  if (g_str_equal (sla, "due_soon"))
    return !clock.overdue && clock.running && clock.remaining_s <= BD_CENTRAL_COMPLAINT_DUE_SOON_S;
  return !clock.overdue;
}

GPtrArray *
bd_central_db_complaint_list (BdCentralDb                    *self,
                              const char                     *zone,
                              const BdCentralComplaintFilter *filter,
                              gint64                          now,
                              guint                          *out_total,
                              GError                        **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_complaint_free);
  g_autofree char *statuses = filter->statuses != NULL ? g_strjoinv (",", filter->statuses) : NULL;
  guint matched = 0;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);

  /* Status, category, account and text narrow in SQL; the SLA state is
   * the core's clock, so it is read in C over at most MAX_SCAN rows. */
  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT " COMPLAINT_COLUMNS " FROM complaints WHERE zone = ?1 "
                              "AND (?2 IS NULL OR instr (',' || ?2 || ',', ',' || status || ',') > 0) "
                              "AND (?3 IS NULL OR category = ?3) "
                              "AND (?4 IS NULL OR account = ?4) "
                              "AND (?5 IS NULL OR number = upper (?5) OR account = ?5 OR contact_mobile = ?5) "
                              "ORDER BY id DESC LIMIT " G_STRINGIFY (MAX_SCAN),
                              error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_text (stmt, 1, zone);
  _bd_central_bind_text_or_null (stmt, 2, statuses);
  if (filter->category >= 0)
    bd_sql_stmt_bind_text (stmt, 3, bd_complaint_category_to_string (filter->category));
  _bd_central_bind_text_or_null (stmt, 4, filter->account);
  _bd_central_bind_text_or_null (stmt, 5, filter->text);

  while ((rc = bd_sql_stmt_step (stmt)) == BD_SQL_ROW)
    {
      g_autoptr(BdComplaint) c = complaint_from_row (stmt, NULL);

      if (!matches_sla (c, filter->sla, now))
        continue;
      if (matched >= filter->offset && out->len < filter->limit)
        g_ptr_array_add (out, g_steal_pointer (&c));
      matched++;
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "complaints");
      return NULL;
    }
  *out_total = matched;
  return g_steal_pointer (&out);
}

static int
compare_rank (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  GHashTable *ranks = user_data;
  const BdComplaint *ca = *(BdComplaint * const *) a;
  const BdComplaint *cb = *(BdComplaint * const *) b;
  int ra = GPOINTER_TO_INT (g_hash_table_lookup (ranks, ca));
  int rb = GPOINTER_TO_INT (g_hash_table_lookup (ranks, cb));

  if (ra != rb)
    return rb - ra;
  /* Among equals, the one with most callers is the known outage. */
  return cb->callers - ca->callers;
}

GPtrArray *
bd_central_db_complaint_duplicates (BdCentralDb         *self,
                                    const char          *zone,
                                    BdComplaintCategory  category,
                                    const char          *account,
                                    const char          *dt,
                                    const char          *feeder,
                                    const char          *pole,
                                    GError             **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_complaint_free);
  g_autoptr(GHashTable) ranks = g_hash_table_new (NULL, NULL);
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);

  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT " COMPLAINT_COLUMNS " FROM complaints WHERE zone = ?1 "
                              "AND status IN ('new','assigned','in_progress','reopened','escalated') "
                              "AND (account = ?2 OR dt = ?3 OR feeder = ?4 OR pole = ?5) "
                              "ORDER BY id DESC LIMIT " G_STRINGIFY (MAX_CANDIDATES),
                              error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_text (stmt, 1, zone);
  _bd_central_bind_text_or_null (stmt, 2, account);
  _bd_central_bind_text_or_null (stmt, 3, dt);
  _bd_central_bind_text_or_null (stmt, 4, feeder);
  _bd_central_bind_text_or_null (stmt, 5, pole);
  while ((rc = bd_sql_stmt_step (stmt)) == BD_SQL_ROW)
    {
      g_autoptr(BdComplaint) c = complaint_from_row (stmt, NULL);
      int rank = bd_complaint_duplicate_rank (c, category, account, dt, feeder, pole);

      if (rank <= 0)
        continue;
      g_hash_table_insert (ranks, c, GINT_TO_POINTER (rank));
      g_ptr_array_add (out, g_steal_pointer (&c));
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "complaint duplicates");
      return NULL;
    }
  g_ptr_array_sort_with_data (out, compare_rank, ranks);
  return g_steal_pointer (&out);
}

GPtrArray *
bd_central_db_complaint_changes (BdCentralDb  *self,
                                 const char   *zone,
                                 gint64        after_seq,
                                 guint         limit,
                                 gint64       *out_next_seq,
                                 gboolean     *out_has_more,
                                 GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_complaint_free);
  gint64 next = after_seq;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);

  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT " COMPLAINT_COLUMNS " FROM complaints "
                              "WHERE zone = ?1 AND change_seq > ?2 ORDER BY change_seq LIMIT ?3",
                              error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_text (stmt, 1, zone);
  bd_sql_stmt_bind_int64 (stmt, 2, after_seq);
  /* One more than asked says whether more follow. */
  bd_sql_stmt_bind_int64 (stmt, 3, (gint64) limit + 1);
  *out_has_more = FALSE;
  while ((rc = bd_sql_stmt_step (stmt)) == BD_SQL_ROW)
    {
      gint64 seq;
      BdComplaint *c;

      if (out->len == limit)
        {
          *out_has_more = TRUE;
          continue;
        }
      c = complaint_from_row (stmt, &seq);
      next = seq;
      g_ptr_array_add (out, c);
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "complaint changes");
      return NULL;
    }
  *out_next_seq = next;
  return g_steal_pointer (&out);
}

JsonNode *
bd_central_db_complaint_summary (BdCentralDb  *self,
                                 const char   *zone,
                                 gint64        now,
                                 GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autoptr(BdSqlStmt) consumers = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gint64 by_category[BD_COMPLAINT_N_CATEGORIES] = { 0, };
  gint64 by_status[BD_COMPLAINT_STATUS_REJECTED + 1] = { 0, };
  gint64 overdue = 0, due_soon = 0, owed = 0, open = 0;
  g_autoptr(GPtrArray) outages = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_complaint_free);
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);

  /* Every complaint not closed or rejected can still owe compensation. */
  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT " COMPLAINT_COLUMNS " FROM complaints WHERE zone = ?1 "
                              "AND status NOT IN ('closed','rejected') ORDER BY id DESC LIMIT " G_STRINGIFY (MAX_SCAN),
                              error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_text (stmt, 1, zone);
  while ((rc = bd_sql_stmt_step (stmt)) == BD_SQL_ROW)
    {
      g_autoptr(BdComplaint) c = complaint_from_row (stmt, NULL);
      BdSlaClock clock;

      bd_sla_clock_compute (c, now, &clock);
      by_status[c->status]++;
      if (bd_complaint_status_is_open (c->status))
        {
          open++;
          by_category[c->category]++;
          if (!clock.overdue && clock.running && clock.remaining_s <= BD_CENTRAL_COMPLAINT_DUE_SOON_S)
            due_soon++;
        }
      if (clock.overdue)
        {
          overdue++;
          owed += clock.compensation_paise;
        }
      if (bd_complaint_status_is_open (c->status) && c->callers > 1)
        g_ptr_array_add (outages, g_steal_pointer (&c));
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "complaint summary");
      return NULL;
    }

  /* A smart meter whose balance has not moved for a day has stopped
   * reporting (the balance moves only with a reading). */
  consumers = bd_sql_connection_prepare (self->sql,
                                   "SELECT sum (CASE WHEN balance_paise < 0 THEN 1 ELSE 0 END), "
                                   "  sum (CASE WHEN meter_type = 'smart' AND (balance_as_of IS NULL OR balance_as_of < ?2) THEN 1 ELSE 0 END) "
                                   "FROM consumers WHERE zone = ?1",
                                   error);
  if (consumers == NULL)
    return NULL;
  bd_sql_stmt_bind_text (consumers, 1, zone);
  bd_sql_stmt_bind_int64 (consumers, 2, now - 24 * 60 * 60);
  if (bd_sql_stmt_step (consumers) != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "consumer summary");
      return NULL;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "open");
  json_builder_add_int_value (builder, open);
  json_builder_set_member_name (builder, "overdue");
  json_builder_add_int_value (builder, overdue);
  json_builder_set_member_name (builder, "due_soon");
  json_builder_add_int_value (builder, due_soon);
  json_builder_set_member_name (builder, "compensation_owed_paise");
  json_builder_add_int_value (builder, owed);
  json_builder_set_member_name (builder, "by_category");
  json_builder_begin_object (builder);
  for (int i = 0; i < BD_COMPLAINT_N_CATEGORIES; i++)
    {
      json_builder_set_member_name (builder, bd_complaint_category_to_string (i));
      json_builder_add_int_value (builder, by_category[i]);
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "by_status");
  json_builder_begin_object (builder);
  for (int i = 0; i <= BD_COMPLAINT_STATUS_REJECTED; i++)
    if (i != BD_COMPLAINT_STATUS_CLOSED && i != BD_COMPLAINT_STATUS_REJECTED)
      {
        json_builder_set_member_name (builder, bd_complaint_status_to_string (i));
        json_builder_add_int_value (builder, by_status[i]);
      }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "outages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < outages->len && i < 20; i++)
    {
      const BdComplaint *c = g_ptr_array_index (outages, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, c->id);
      json_builder_set_member_name (builder, "number");
      json_builder_add_string_value (builder, c->number);
      json_builder_set_member_name (builder, "category");
      json_builder_add_string_value (builder, bd_complaint_category_to_string (c->category));
      json_builder_set_member_name (builder, "dt");
      if (c->dt != NULL)
        json_builder_add_string_value (builder, c->dt);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "feeder");
      if (c->feeder != NULL)
        json_builder_add_string_value (builder, c->feeder);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "callers");
      json_builder_add_int_value (builder, c->callers);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "negative_balance_consumers");
  json_builder_add_int_value (builder, bd_sql_stmt_column_int64 (consumers, 0));
  json_builder_set_member_name (builder, "silent_meters");
  json_builder_add_int_value (builder, bd_sql_stmt_column_int64 (consumers, 1));
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

BdCentralOtpTicket *
bd_central_db_complaint_close_otp (BdCentralDb  *self,
                                   const char   *zone,
                                   const char   *id,
                                   const char   *staff_username,
                                   gint64        now,
                                   char        **out_code,
                                   gint64       *out_retry_after,
                                   GError      **error)
{
  g_autoptr(BdComplaint) c = NULL;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);

  c = load (self, zone, id, FALSE, error);
  if (c == NULL)
    return NULL;
  if (c->status != BD_COMPLAINT_STATUS_RESOLVED)
    {
      g_set_error_literal (error, BD_COMPLAINT_ERROR, BD_COMPLAINT_ERROR_NOT_ALLOWED,
                           _("Only a resolved complaint can be closed with the consumer’s OTP."));
      return NULL;
    }
  if (c->account == NULL || c->contact_mobile == NULL)
    {
      g_set_error_literal (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT,
                           _("This complaint has no consumer or contact number to send an OTP to; a supervisor can close it with a reason."));
      return NULL;
    }

  return bd_central_db_otp_request (self, zone, c->account, BD_CENTRAL_OTP_COMPLAINT_CLOSE,
                                    c->contact_mobile, staff_username, now, out_code,
                                    out_retry_after, error);
}
