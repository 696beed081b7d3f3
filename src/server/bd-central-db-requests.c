/* bd-central-db-requests.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "core/bd-codec.h"
#include "core/bd-disconnection-rules.h"
#include "core/bd-money.h"
#include "core/bd-time.h"
#include "store/bd-database.h"

#include "bd-central-db-meters.h"
#include "bd-central-db-private.h"
#include "bd-central-db-requests.h"

/* A consent OTP counts for this long after the consumer confirmed it. */
#define CONSENT_WITHIN_S (10 * 60)

static char *
allocate_number (BdCentralDb  *self,
                 const char   *zone,
                 gint64        now,
                 GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autoptr(GString) prefix = g_string_new (NULL);
  g_autofree char *key = NULL;
  g_autofree char *period = NULL;
  BdIstDate ist;

  bd_time_ist_date (now, &ist);
  period = g_strdup_printf ("%02d%02d", ist.year % 100, ist.month);
  for (const char *p = zone; *p != '\0'; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (prefix, g_ascii_toupper (*p));
  /* The complaints' counter table, under a key of its own. */
  key = g_strconcat ("DR:", zone, NULL);
  stmt = bd_sql_connection_prepare (self->sql,
                              "INSERT INTO complaint_numbers (zone, period, last) VALUES (?1, ?2, 1) "
                              "ON CONFLICT (zone, period) DO UPDATE SET last = complaint_numbers.last + 1 RETURNING last",
                              error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_text (stmt, 1, key);
  bd_sql_stmt_bind_text (stmt, 2, period);
  if (bd_sql_stmt_step (stmt) != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "request number");
      return NULL;
    }
  return g_strdup_printf ("DR-%s-%s-%05" G_GINT64_FORMAT, prefix->str, period,
                          (gint64) bd_sql_stmt_column_int64 (stmt, 0));
}

static BdDisconnection *
from_text (const char  *json,
           GError     **error)
{
  g_autoptr(JsonNode) node = bd_json_parse (json, -1, error);

  return node != NULL ? bd_disconnection_from_json (node, error) : NULL;
}

static char *
to_text (const BdDisconnection *r)
{
  g_autoptr(JsonNode) node = bd_disconnection_to_json (r);
  return bd_json_to_string (node);
}

static gboolean
store (BdCentralDb      *self,
       BdDisconnection  *r,
       gboolean          insert,
       GError          **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autofree char *json = NULL;

  if (insert)
    {
      stmt = bd_sql_connection_prepare (self->sql,
                                  "INSERT INTO disconnection_requests (number, zone, account, kind, status, "
                                  "  scheduled_for, created_at, updated_at, json) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, '{}') RETURNING id",
                                  error);
      if (stmt == NULL)
        return FALSE;
      bd_sql_stmt_bind_text (stmt, 1, r->number);
      bd_sql_stmt_bind_text (stmt, 2, r->zone);
      bd_sql_stmt_bind_text (stmt, 3, r->account);
      bd_sql_stmt_bind_text (stmt, 4, bd_request_kind_to_string (r->kind));
      bd_sql_stmt_bind_text (stmt, 5, bd_request_status_to_string (r->status));
      bd_sql_stmt_bind_int64 (stmt, 6, r->scheduled_for);
      bd_sql_stmt_bind_int64 (stmt, 7, r->created_at);
      bd_sql_stmt_bind_int64 (stmt, 8, r->updated_at);
      if (bd_sql_stmt_step (stmt) != BD_SQL_ROW)
        {
          bd_sql_connection_set_error (self->sql, error, "request insert");
          return FALSE;
        }
      g_free (r->id);
      r->id = g_strdup_printf ("%" G_GINT64_FORMAT, bd_sql_stmt_column_int64 (stmt, 0));
      g_clear_pointer (&stmt, bd_sql_stmt_free);
    }
  json = to_text (r);
  stmt = bd_sql_connection_prepare (self->sql,
                              "UPDATE disconnection_requests SET status = ?2, scheduled_for = ?3, updated_at = ?4, "
                              "  json = ?5 WHERE id = ?1",
                              error);
  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (stmt, 1, r->id);
  bd_sql_stmt_bind_text (stmt, 2, bd_request_status_to_string (r->status));
  bd_sql_stmt_bind_int64 (stmt, 3, r->scheduled_for);
  bd_sql_stmt_bind_int64 (stmt, 4, r->updated_at);
  bd_sql_stmt_bind_text (stmt, 5, json);
  if (bd_sql_stmt_step (stmt) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "request update");
      return FALSE;
    }
  return TRUE;
}

static void
keep_guards (BdDisconnection  *r,
             BdRequestVerdict *verdict)
{
  g_ptr_array_set_size (r->guards, 0);
  for (guint i = 0; i < verdict->guards->len; i++)
    {
      const BdGuard *guard = g_ptr_array_index (verdict->guards, i);
      g_ptr_array_add (r->guards, bd_guard_new (guard->code, guard->verdict, guard->message));
    }
}

/* The rules' verdict at now, BD_CENTRAL_ERROR_REQUEST_BLOCKED in the
 * guards' own words when one blocks it. */
static gboolean
evaluate (BdCentralDb       *self,
          BdDisconnection   *r,
          gint64             requested_for,
          gint64             now,
          BdRequestVerdict  *verdict,
          GError           **error)
{
  g_autoptr(BdPrepaidRules) rules = bd_central_db_prepaid_rules (self, now, error);
  g_autofree char *wrong = NULL;
  BdRequestContext context;

  if (rules == NULL)
    return FALSE;
  if (!_bd_central_db_request_context (self, r->zone, r->account, now, &context, &wrong, error))
    return FALSE;
  context.wrong_deduction_number = wrong;
  bd_request_evaluate (rules, r->kind, &context, requested_for, now, verdict);
  keep_guards (r, verdict);
  r->dues_paise = context.balance_paise < 0 ? -context.balance_paise : 0;
  if (verdict->blocked)
    {
      g_autoptr(GString) why = g_string_new (NULL);

      for (guint i = 0; i < verdict->guards->len; i++)
        {
          const BdGuard *guard = g_ptr_array_index (verdict->guards, i);
          if (guard->verdict == BD_GUARD_BLOCK)
            g_string_append_printf (why, "%s%s", why->len > 0 ? " " : "", guard->message);
        }
      g_set_error_literal (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_REQUEST_BLOCKED, why->str);
      return FALSE;
    }
  return TRUE;
}

static gboolean
note (BdCentralDb            *self,
      const BdDisconnection  *r,
      gint64                  now,
      const char             *by,
      const char             *role,
      const char             *what,
      const char             *text,
      GError                **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) detail = NULL;
  g_autofree char *action = g_strconcat ("request.", what, NULL);
  g_autofree char *label = g_strdup_printf ("%s %s", r->number, bd_request_kind_to_string (r->kind));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "account");
  json_builder_add_string_value (builder, r->account);
  json_builder_set_member_name (builder, "category");
  json_builder_add_string_value (builder, bd_request_kind_to_string (r->kind));
  json_builder_set_member_name (builder, "note");
  if (text != NULL)
    json_builder_add_string_value (builder, text);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  detail = json_builder_get_root (builder);
  return _bd_central_db_add_history (self, r->account, now, by, role, "request", what, label,
                                     bd_request_status_to_string (r->status), error) &&
         _bd_central_db_audit (self, now, by, role, r->zone, action, r->number, detail, error);
}

static gboolean
text_consumer (BdCentralDb            *self,
               const BdDisconnection  *r,
               const char             *hindi,
               const char             *english,
               gint64                  now,
               GError                **error)
{
  g_autoptr(BdConsumer) consumer = bd_central_db_lookup_consumer (self, r->zone, r->account, error);
  g_autofree char *when = bd_time_format_ist (r->scheduled_for);
  g_autofree char *text = NULL;

  if (consumer == NULL)
    return FALSE;
  if (bd_consumer_get_mobile (consumer) == NULL)
    return TRUE;
  text = g_strdup_printf ("UPPCL: %s %s (%s) / %s %s (%s)", hindi, r->number, when != NULL ? when : "",
                          english, r->number, when != NULL ? when : "");
  return _bd_central_db_sms_enqueue (self, r->account, bd_consumer_get_mobile (consumer), text, NULL,
                                     now * 1000, error) >= 0;
}

static char *
body_of (const BdDisconnection *r)
{
  return to_text (r);
}

gboolean
bd_central_db_request_file (BdCentralDb      *self,
                            const char       *zone,
                            BdDisconnection  *draft,
                            const char       *key,
                            const char       *request_hash,
                            const char       *staff_username,
                            BdRole            staff_role,
                            gint64            now,
                            guint            *out_status,
                            char            **out_body,
                            gboolean         *out_replayed,
                            GError          **error)
{
  g_autoptr(BdDisconnection) r = NULL;
  g_auto(BdRequestVerdict) verdict = { 0 };
  g_autofree char *body = NULL;
  const char *role = bd_role_to_string (staff_role);
  gboolean found = FALSE;

  *out_replayed = FALSE;
  if (!bd_sql_connection_begin (self->sql, error))
    return FALSE;
  if (!_bd_central_db_idempotency_lookup (self, key, staff_username, request_hash, &found, out_status, out_body,
                                          error))
    goto fail;
  if (found)
    {
      *out_replayed = TRUE;
      return bd_sql_connection_commit (self->sql, error);
    }
  if (draft->kind == BD_REQUEST_NONPAYMENT && staff_role == BD_ROLE_AGENT)
    {
      g_set_error_literal (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_FORBIDDEN,
                           _("Call-centre agents cannot queue a disconnection for non-payment."));
      goto fail;
    }

  r = bd_disconnection_copy (draft);
  g_free (r->zone);
  r->zone = g_strdup (zone);
  if (!evaluate (self, r, r->requested_for, now, &verdict, error))
    goto fail;
  /* The consumer's own request needs their word, by OTP. */
  if (bd_request_kind_needs_consent (r->kind) &&
      (r->consent_otp_id == NULL ||
       !_bd_central_db_otp_take (self, zone, r->consent_otp_id, r->account, BD_CENTRAL_OTP_DISCONNECTION_CONSENT,
                                 NULL, CONSENT_WITHIN_S, now, error)))
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_NOT_VERIFIED,
                             _("The consumer must confirm their own request with an OTP first."));
      goto fail;
    }

  r->number = allocate_number (self, zone, now, error);
  if (r->number == NULL)
    goto fail;
  r->status = BD_REQUEST_PENDING_APPROVAL;
  r->scheduled_for = verdict.scheduled_for;
  r->created_at = now;
  g_free (r->created_by);
  r->created_by = g_strdup (staff_username);
  r->version = 1;
  r->updated_at = now;
  if (!store (self, r, TRUE, error) ||
      !note (self, r, now, staff_username, role, "file", r->reason, error))
    goto fail;

  body = body_of (r);
  if (!_bd_central_db_idempotency_store (self, key, staff_username, request_hash, 201, body, now, error) ||
      !bd_sql_connection_commit (self->sql, error))
    goto fail;
  *out_status = 201;
  *out_body = g_steal_pointer (&body);
  return TRUE;

fail:
  bd_sql_connection_rollback (self->sql);
  return FALSE;
}

static GPtrArray *
read_rows (BdCentralDb   *self,
           BdSqlStmt  *stmt,
           GError       **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_disconnection_free);
  int rc;

  while ((rc = bd_sql_stmt_step (stmt)) == BD_SQL_ROW)
    {
      BdDisconnection *r = from_text (_bd_central_column_text (stmt, 0), error);
      if (r == NULL)
        return NULL;
      g_ptr_array_add (list, r);
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "requests");
      return NULL;
    }
  return g_steal_pointer (&list);
}

GPtrArray *
bd_central_db_request_list (BdCentralDb         *self,
                            const char          *zone,
                            const char * const  *statuses,
                            const char          *account,
                            guint                limit,
                            GError             **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autofree char *joined = statuses != NULL ? g_strjoinv (",", (char **) statuses) : NULL;

  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT json FROM disconnection_requests WHERE zone = ?1 "
                              "AND (?2 IS NULL OR instr (',' || ?2 || ',', ',' || status || ',') > 0) "
                              "AND (?3 IS NULL OR account = ?3) ORDER BY id DESC LIMIT ?4",
                              error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_text (stmt, 1, zone);
  _bd_central_bind_text_or_null (stmt, 2, joined);
  _bd_central_bind_text_or_null (stmt, 3, account);
  bd_sql_stmt_bind_int64 (stmt, 4, (int) limit);
  return read_rows (self, stmt, error);
}

BdDisconnection *
bd_central_db_request_get (BdCentralDb  *self,
                           const char   *zone,
                           const char   *id,
                           GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autoptr(GPtrArray) list = NULL;

  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT json FROM disconnection_requests WHERE zone = ?1 AND (CAST (id AS TEXT) = ?2 OR number = ?2)",
                              error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_text (stmt, 1, zone);
  bd_sql_stmt_bind_text (stmt, 2, id);
  list = read_rows (self, stmt, error);
  if (list == NULL)
    return NULL;
  if (list->len == 0)
    {
      g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND, _("No request %s in this zone."), id);
      return NULL;
    }
  return bd_disconnection_copy (g_ptr_array_index (list, 0));
}

gboolean
bd_central_db_request_act (BdCentralDb      *self,
                           const char       *zone,
                           const char       *id,
                           BdRequestAction   action,
                           const char       *note_text,
                           gint64            to,
                           const char       *key,
                           const char       *request_hash,
                           const char       *staff_username,
                           BdRole            staff_role,
                           gint64            now,
                           guint            *out_status,
                           char            **out_body,
                           gboolean         *out_replayed,
                           GError          **error)
{
  g_autoptr(BdDisconnection) r = NULL;
  g_auto(BdRequestVerdict) verdict = { 0 };
  g_autofree char *body = NULL;
  const char *role = bd_role_to_string (staff_role);
  gboolean found = FALSE;

  *out_replayed = FALSE;
  if (!bd_sql_connection_begin (self->sql, error))
    return FALSE;
  if (!_bd_central_db_idempotency_lookup (self, key, staff_username, request_hash, &found, out_status, out_body,
                                          error))
    goto fail;
  if (found)
    {
      *out_replayed = TRUE;
      return bd_sql_connection_commit (self->sql, error);
    }
  r = bd_central_db_request_get (self, zone, id, error);
  if (r == NULL)
    goto fail;
  if (staff_role != BD_ROLE_SUPERVISOR && staff_role != BD_ROLE_ADMIN)
    {
      g_set_error_literal (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_FORBIDDEN,
                           _("Only a supervisor can approve, reject or reschedule a request."));
      goto fail;
    }

  switch (action)
    {
    case BD_REQUEST_ACTION_APPROVE:
      if (r->status != BD_REQUEST_PENDING_APPROVAL)
        goto not_allowed;
      if (!evaluate (self, r, r->requested_for, now, &verdict, error))
        goto fail;
      r->scheduled_for = verdict.scheduled_for;
      r->status = verdict.field_task ? BD_REQUEST_FIELD_TASK : BD_REQUEST_SCHEDULED;
      break;
    case BD_REQUEST_ACTION_REJECT:
      if (r->status != BD_REQUEST_PENDING_APPROVAL && r->status != BD_REQUEST_SCHEDULED)
        goto not_allowed;
      if (note_text == NULL || *note_text == '\0')
        {
          g_set_error_literal (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT,
                               _("Say why the request is rejected."));
          goto fail;
        }
      r->status = BD_REQUEST_REJECTED;
      break;
    case BD_REQUEST_ACTION_RESCHEDULE:
    default:
      if (r->status != BD_REQUEST_PENDING_APPROVAL && r->status != BD_REQUEST_SCHEDULED)
        goto not_allowed;
      if (!evaluate (self, r, to, now, &verdict, error))
        goto fail;
      r->requested_for = to;
      r->scheduled_for = verdict.scheduled_for;
      break;
    }
  r->decided_at = now;
  g_free (r->decided_by);
  r->decided_by = g_strdup (staff_username);
  g_free (r->decision_note);
  r->decision_note = g_strdup (note_text);
  r->version++;
  r->updated_at = now;
  if (!store (self, r, FALSE, error) ||
      !note (self, r, now, staff_username, role, bd_request_action_to_string (action), note_text, error))
    goto fail;
  if (action == BD_REQUEST_ACTION_APPROVE &&
      !text_consumer (self, r, "आपका अनुरोध स्वीकृत हुआ:", "Your request is approved:", now, error))
    goto fail;

  body = body_of (r);
  if (!_bd_central_db_idempotency_store (self, key, staff_username, request_hash, 200, body, now, error) ||
      !bd_sql_connection_commit (self->sql, error))
    goto fail;
  *out_status = 200;
  *out_body = g_steal_pointer (&body);
  return TRUE;

not_allowed:
  g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_NOT_ALLOWED,
               _("Request %s is %s; it cannot be changed that way now."), r->number,
               bd_request_status_label (r->status));
fail:
  bd_sql_connection_rollback (self->sql);
  return FALSE;
}

BdCentralOtpTicket *
bd_central_db_request_consent_otp (BdCentralDb  *self,
                                   const char   *zone,
                                   const char   *account,
                                   const char   *staff_username,
                                   gint64        now,
                                   char        **out_code,
                                   gint64       *out_retry_after,
                                   GError      **error)
{
  g_autoptr(BdConsumer) consumer = bd_central_db_lookup_consumer (self, zone, account, error);

  if (consumer == NULL)
    return NULL;
  if (bd_consumer_get_mobile (consumer) == NULL)
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_NO_MOBILE,
                   _("Account %s has no mobile on record to confirm the request; index a mobile first."), account);
      return NULL;
    }
  return bd_central_db_otp_request (self, zone, account, BD_CENTRAL_OTP_DISCONNECTION_CONSENT,
                                    bd_consumer_get_mobile (consumer), staff_username, now, out_code,
                                    out_retry_after, error);
}

/* One due request: switched, retried, sent to the field, or moved on. */
static gboolean
execute_one (BdCentralDb      *self,
             BdDisconnection  *r,
             gint64            now,
             guint            *done,
             GError          **error)
{
  g_auto(BdRequestVerdict) verdict = { 0 };
  g_autoptr(GError) blocked = NULL;
  g_autofree char *reason = g_strconcat ("request_", bd_request_kind_to_string (r->kind), NULL);
  const char *what;

  /* The world may have changed since approval: judge again now. */
  if (!evaluate (self, r, now, now, &verdict, &blocked))
    {
      if (!g_error_matches (blocked, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_REQUEST_BLOCKED))
        {
          g_propagate_error (error, g_steal_pointer (&blocked));
          return FALSE;
        }
      r->status = BD_REQUEST_FAILED;
      g_free (r->result);
      r->result = g_strdup (blocked->message);
      what = "fail";
    }
  else if (verdict.scheduled_for > now && !verdict.field_task &&
           !(verdict.guards->len > 0 && g_str_equal (((BdGuard *) g_ptr_array_index (verdict.guards,
                                                                                       verdict.guards->len - 1))->code,
                                                    "meter_silent")))
    {
      /* A no-cut time or emergency credit now: wait for it. */
      r->scheduled_for = verdict.scheduled_for;
      r->status = BD_REQUEST_SCHEDULED;
      what = NULL;
    }
  else
    {
      BdRequestContext context;
      g_autofree char *wrong = NULL;

      if (!_bd_central_db_request_context (self, r->zone, r->account, now, &context, &wrong, error))
        return FALSE;
      if (verdict.field_task)
        {
          r->status = BD_REQUEST_FIELD_TASK;
          g_free (r->result);
          r->result = g_strdup (_("No remote switch for this meter: sent to the field team."));
          what = "field_task";
        }
      else if (!context.communicating)
        {
          r->attempts++;
          if (r->attempts >= BD_CENTRAL_REQUEST_MAX_ATTEMPTS)
            {
              r->status = BD_REQUEST_FIELD_TASK;
              g_free (r->result);
              r->result = g_strdup_printf (_("The meter did not answer %d times: sent to the field team."), r->attempts);
              what = "field_task";
            }
          else
            {
              r->status = BD_REQUEST_EXECUTING;
              r->scheduled_for = now + BD_CENTRAL_REQUEST_RETRY_S;
              g_free (r->result);
              r->result = g_strdup_printf (_("The meter did not answer (try %d of %d); trying again."), r->attempts,
                                           BD_CENTRAL_REQUEST_MAX_ATTEMPTS);
              what = NULL;
            }
        }
      else
        {
          BdSupplyStatus to = bd_request_kind_disconnects (r->kind) ? BD_SUPPLY_DISCONNECTED : BD_SUPPLY_CONNECTED;

          r->attempts++;
          if (!_bd_central_db_switch_supply (self, r->zone, r->account, to, now, "head-end", "system", reason, error))
            return FALSE;
          r->status = BD_REQUEST_DONE;
          r->executed_at = now;
          g_free (r->result);
          r->result = g_strdup (to == BD_SUPPLY_DISCONNECTED ? _("The meter's relay opened: supply disconnected.")
                                                             : _("The meter's relay closed: supply reconnected."));
          what = "done";
          (*done)++;
        }
    }
  r->version++;
  r->updated_at = now;
  if (!store (self, r, FALSE, error))
    return FALSE;
  if (what != NULL && !note (self, r, now, "head-end", "system", what, r->result, error))
    return FALSE;
  if (g_strcmp0 (what, "done") == 0 &&
      !text_consumer (self, r, "आपका अनुरोध पूरा हुआ:", "Your request is carried out:", now, error))
    return FALSE;
  return TRUE;
}

gboolean
bd_central_db_requests_execute (BdCentralDb  *self,
                                gint64        now,
                                guint        *out_done,
                                GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autoptr(GPtrArray) due = NULL;

  *out_done = 0;
  if (!bd_sql_connection_begin (self->sql, error))
    return FALSE;
  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT json FROM disconnection_requests "
                              "WHERE status IN ('scheduled','executing') AND scheduled_for <= ?1 "
                              "ORDER BY scheduled_for, id LIMIT 200",
                              error);
  if (stmt == NULL)
    goto fail;
  bd_sql_stmt_bind_int64 (stmt, 1, now);
  due = read_rows (self, stmt, error);
  if (due == NULL)
    goto fail;
  for (guint i = 0; i < due->len; i++)
    if (!execute_one (self, g_ptr_array_index (due, i), now, out_done, error))
      goto fail;
  return bd_sql_connection_commit (self->sql, error);

fail:
  bd_sql_connection_rollback (self->sql);
  return FALSE;
}
