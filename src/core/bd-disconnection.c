/* bd-disconnection.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "bd-codec.h"
#include "bd-codec-private.h"
#include "bd-disconnection.h"
#include "bd-time.h"


static const char * const kind_names[] = { "temporary", "permanent", "nonpayment", "reconnection" };
static const char * const status_names[] = {
  "pending_approval", "scheduled", "executing", "done", "failed", "field_task", "rejected",
};
static const char * const action_names[] = { "approve", "reject", "reschedule" };
static const char * const verdict_names[] = { "pass", "schedule", "field", "block" };

static gboolean
lookup (const char * const *names,
        guint               n,
        const char         *text,
        int                *out)
{
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (names[i], text) == 0)
      {
        *out = (int) i;
        return TRUE;
      }
  return FALSE;
}

const char *
bd_request_kind_to_string (BdRequestKind kind)
{
  return (guint) kind < G_N_ELEMENTS (kind_names) ? kind_names[kind] : "temporary";
}

gboolean
bd_request_kind_from_string (const char    *text,
                             BdRequestKind *out)
{
  int i;
  if (!lookup (kind_names, G_N_ELEMENTS (kind_names), text, &i))
    return FALSE;
  *out = (BdRequestKind) i;
  return TRUE;
}

const char *
bd_request_status_to_string (BdRequestStatus status)
{
  return (guint) status < G_N_ELEMENTS (status_names) ? status_names[status] : "pending_approval";
}

gboolean
bd_request_status_from_string (const char      *text,
                               BdRequestStatus *out)
{
  int i;
  if (!lookup (status_names, G_N_ELEMENTS (status_names), text, &i))
    return FALSE;
  *out = (BdRequestStatus) i;
  return TRUE;
}

const char *
bd_request_action_to_string (BdRequestAction action)
{
  return (guint) action < G_N_ELEMENTS (action_names) ? action_names[action] : "approve";
}

gboolean
bd_request_action_from_string (const char      *text,
                               BdRequestAction *out)
{
  int i;
  if (!lookup (action_names, G_N_ELEMENTS (action_names), text, &i))
    return FALSE;
  *out = (BdRequestAction) i;
  return TRUE;
}

const char *
bd_request_kind_label (BdRequestKind kind)
{
  switch (kind)
    {
    case BD_REQUEST_PERMANENT:    return _("Permanent disconnection");
    case BD_REQUEST_NONPAYMENT:   return _("Disconnection for non-payment");
    case BD_REQUEST_RECONNECTION: return _("Reconnection");
    case BD_REQUEST_TEMPORARY:
    default:                      return _("Temporary disconnection");
    }
}

const char *
bd_request_status_label (BdRequestStatus status)
{
  switch (status)
    {
    case BD_REQUEST_SCHEDULED:  return _("Scheduled");
    case BD_REQUEST_EXECUTING:  return _("Executing");
    case BD_REQUEST_DONE:       return _("Done");
    case BD_REQUEST_FAILED:     return _("Failed");
    case BD_REQUEST_FIELD_TASK: return _("Field task");
    case BD_REQUEST_REJECTED:   return _("Rejected");
    case BD_REQUEST_PENDING_APPROVAL:
    default:                    return _("Pending approval");
    }
}

gboolean
bd_request_kind_needs_consent (BdRequestKind kind)
{
  return kind == BD_REQUEST_TEMPORARY || kind == BD_REQUEST_PERMANENT;
}

gboolean
bd_request_kind_disconnects (BdRequestKind kind)
{
  return kind != BD_REQUEST_RECONNECTION;
}

gboolean
bd_request_status_is_open (BdRequestStatus status)
{
  return status == BD_REQUEST_PENDING_APPROVAL || status == BD_REQUEST_SCHEDULED ||
         status == BD_REQUEST_EXECUTING;
}

BdGuard *
bd_guard_new (const char     *code,
              BdGuardVerdict  verdict,
              const char     *message)
{
  BdGuard *guard = g_new0 (BdGuard, 1);

  guard->code = g_strdup (code);
  guard->verdict = verdict;
  guard->message = g_strdup (message);
  return guard;
}

void
bd_guard_free (BdGuard *guard)
{
  if (guard == NULL)
    return;
  g_free (guard->code);
  g_free (guard->message);
  g_free (guard);
}

BdDisconnection *
bd_disconnection_new (void)
{
  BdDisconnection *request = g_new0 (BdDisconnection, 1);

  request->final_reading_wh = -1;
  request->guards = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_guard_free);
  return request;
}

BdDisconnection *
bd_disconnection_copy (const BdDisconnection *request)
{
  BdDisconnection *copy = g_memdup2 (request, sizeof *request);

  copy->id = g_strdup (request->id);
  copy->number = g_strdup (request->number);
  copy->account = g_strdup (request->account);
  copy->zone = g_strdup (request->zone);
  copy->reason = g_strdup (request->reason);
  copy->reference = g_strdup (request->reference);
  copy->consent_otp_id = g_strdup (request->consent_otp_id);
  copy->created_by = g_strdup (request->created_by);
  copy->decided_by = g_strdup (request->decided_by);
  copy->decision_note = g_strdup (request->decision_note);
  copy->result = g_strdup (request->result);
  copy->guards = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_guard_free);
  for (guint i = 0; i < request->guards->len; i++)
    {
      const BdGuard *guard = g_ptr_array_index (request->guards, i);
      g_ptr_array_add (copy->guards, bd_guard_new (guard->code, guard->verdict, guard->message));
    }
  return copy;
}

void
bd_disconnection_free (BdDisconnection *request)
{
  if (request == NULL)
    return;
  g_free (request->id);
  g_free (request->number);
  g_free (request->account);
  g_free (request->zone);
  g_free (request->reason);
  g_free (request->reference);
  g_free (request->consent_otp_id);
  g_free (request->created_by);
  g_free (request->decided_by);
  g_free (request->decision_note);
  g_free (request->result);
  g_ptr_array_unref (request->guards);
  g_free (request);
}

JsonNode *
bd_disconnection_to_json (const BdDisconnection *r)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  _bd_codec_add_string (builder, "id", r->id);
  _bd_codec_add_string (builder, "number", r->number);
  _bd_codec_add_string (builder, "account", r->account);
  _bd_codec_add_string (builder, "zone", r->zone);
  _bd_codec_add_string (builder, "kind", bd_request_kind_to_string (r->kind));
  _bd_codec_add_string (builder, "reason", r->reason);
  _bd_codec_add_time (builder, "requested_for", r->requested_for, FALSE);
  json_builder_set_member_name (builder, "final_reading_wh");
  if (r->final_reading_wh < 0)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, r->final_reading_wh);
  _bd_codec_add_string_or_null (builder, "reference", r->reference);
  _bd_codec_add_string (builder, "status", bd_request_status_to_string (r->status));
  _bd_codec_add_time (builder, "scheduled_for", r->scheduled_for, TRUE);
  _bd_codec_add_int (builder, "attempts", r->attempts);
  _bd_codec_add_time (builder, "created_at", r->created_at, FALSE);
  _bd_codec_add_string (builder, "created_by", r->created_by);
  _bd_codec_add_time (builder, "decided_at", r->decided_at, TRUE);
  _bd_codec_add_string_or_null (builder, "decided_by", r->decided_by);
  _bd_codec_add_string_or_null (builder, "decision_note", r->decision_note);
  _bd_codec_add_time (builder, "executed_at", r->executed_at, TRUE);
  _bd_codec_add_string_or_null (builder, "result", r->result);
  _bd_codec_add_int (builder, "dues_paise", r->dues_paise);
  json_builder_set_member_name (builder, "guards");
  json_builder_begin_array (builder);
  for (guint i = 0; i < r->guards->len; i++)
    {
      const BdGuard *guard = g_ptr_array_index (r->guards, i);

      json_builder_begin_object (builder);
      _bd_codec_add_string (builder, "code", guard->code);
      _bd_codec_add_string (builder, "verdict", verdict_names[guard->verdict]);
      _bd_codec_add_string (builder, "message", guard->message);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  _bd_codec_add_int (builder, "version", r->version);
  _bd_codec_add_time (builder, "updated_at", r->updated_at, FALSE);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
parse_kind (const char *text, int *out)
{
  return lookup (kind_names, G_N_ELEMENTS (kind_names), text, out);
}

static gboolean
parse_status (const char *text, int *out)
{
  return lookup (status_names, G_N_ELEMENTS (status_names), text, out);
}

static gboolean
parse_verdict (const char *text, int *out)
{
  return lookup (verdict_names, G_N_ELEMENTS (verdict_names), text, out);
}

BdDisconnection *
bd_disconnection_from_json (JsonNode  *node,
                            GError   **error)
{
  JsonObject *object = _bd_codec_expect_object (node, "disconnection request", error);
  g_autoptr(BdDisconnection) r = NULL;
  JsonNode *reading;
  JsonArray *guards;
  int kind = 0, status = 0;
  gint64 attempts = 0;

  if (object == NULL)
    return NULL;
  r = bd_disconnection_new ();
  if (!_bd_codec_read_string (object, "id", FALSE, 64, &r->id, error) ||
      !_bd_codec_read_string (object, "number", FALSE, 40, &r->number, error) ||
      !_bd_codec_read_string (object, "account", FALSE, 12, &r->account, error) ||
      !_bd_codec_read_string (object, "zone", FALSE, 16, &r->zone, error) ||
      !_bd_codec_read_enum (object, "kind", parse_kind, &kind, error) ||
      !_bd_codec_read_string (object, "reason", FALSE, 500, &r->reason, error) ||
      !_bd_codec_read_time (object, "requested_for", FALSE, &r->requested_for, error) ||
      !_bd_codec_read_string (object, "reference", TRUE, 40, &r->reference, error) ||
      !_bd_codec_read_enum (object, "status", parse_status, &status, error) ||
      !_bd_codec_read_time (object, "scheduled_for", TRUE, &r->scheduled_for, error) ||
      !_bd_codec_read_int (object, "attempts", 0, 1000, &attempts, error) ||
      !_bd_codec_read_time (object, "created_at", FALSE, &r->created_at, error) ||
      !_bd_codec_read_string (object, "created_by", FALSE, 64, &r->created_by, error) ||
      !_bd_codec_read_time (object, "decided_at", TRUE, &r->decided_at, error) ||
      !_bd_codec_read_string (object, "decided_by", TRUE, 64, &r->decided_by, error) ||
      !_bd_codec_read_string (object, "decision_note", TRUE, 500, &r->decision_note, error) ||
      !_bd_codec_read_time (object, "executed_at", TRUE, &r->executed_at, error) ||
      !_bd_codec_read_string (object, "result", TRUE, 500, &r->result, error) ||
      !_bd_codec_read_int (object, "dues_paise", 0, G_GINT64_CONSTANT (100000000000), &r->dues_paise, error) ||
      !_bd_codec_read_int (object, "version", 0, G_MAXINT64, &r->version, error) ||
      !_bd_codec_read_time (object, "updated_at", FALSE, &r->updated_at, error))
    return NULL;
  r->kind = (BdRequestKind) kind;
  r->status = (BdRequestStatus) status;
  r->attempts = (gint) attempts;
  reading = json_object_get_member (object, "final_reading_wh");
  if (reading == NULL || JSON_NODE_HOLDS_NULL (reading))
    r->final_reading_wh = -1;
  else if (!_bd_codec_read_int (object, "final_reading_wh", 0, G_GINT64_CONSTANT (100000000000), &r->final_reading_wh,
                                error))
    return NULL;
  guards = _bd_codec_read_array (object, "guards", error);
  if (guards == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (guards); i++)
    {
      JsonObject *g = _bd_codec_expect_object (json_array_get_element (guards, i), "guard", error);
      g_autofree char *code = NULL;
      g_autofree char *message = NULL;
      int verdict = 0;

      if (g == NULL ||
          !_bd_codec_read_string (g, "code", FALSE, 40, &code, error) ||
          !_bd_codec_read_enum (g, "verdict", parse_verdict, &verdict, error) ||
          !_bd_codec_read_string (g, "message", FALSE, 500, &message, error))
        return NULL;
      g_ptr_array_add (r->guards, bd_guard_new (code, (BdGuardVerdict) verdict, message));
    }
  return g_steal_pointer (&r);
}

char *
bd_disconnection_csv (GPtrArray *requests)
{
  GString *out = g_string_new ("number,account,kind,status,requested_for,scheduled_for,created_by,reason,"
                               "dues_rupees,decided_by,decision_note,result\r\n");

  for (guint i = 0; i < requests->len; i++)
    {
      const BdDisconnection *r = g_ptr_array_index (requests, i);
      g_autofree char *requested = bd_time_to_iso8601 (r->requested_for);
      g_autofree char *scheduled = r->scheduled_for > 0 ? bd_time_to_iso8601 (r->scheduled_for) : g_strdup ("");
      g_autofree char *dues = g_strdup_printf ("%" G_GINT64_FORMAT ".%02d", r->dues_paise / 100,
                                               (int) (r->dues_paise % 100));

      _bd_csv_field (out, r->number, FALSE);
      _bd_csv_field (out, r->account, FALSE);
      _bd_csv_field (out, bd_request_kind_to_string (r->kind), FALSE);
      _bd_csv_field (out, bd_request_status_to_string (r->status), FALSE);
      _bd_csv_field (out, requested, FALSE);
      _bd_csv_field (out, scheduled, FALSE);
      _bd_csv_field (out, r->created_by, FALSE);
      _bd_csv_field (out, r->reason, FALSE);
      _bd_csv_field (out, dues, FALSE);
      _bd_csv_field (out, r->decided_by, FALSE);
      _bd_csv_field (out, r->decision_note, FALSE);
      _bd_csv_field (out, r->result, TRUE);
    }
  return g_string_free (out, FALSE);
}
