/* bd-central-server-requests.c: the disconnection and reconnection queue
 * of /api/v1.
 *
 *   POST disconnections                 file (Idempotency-Key)
 *   GET  disconnections?status=&account=  the zone's queue, newest first
 *   GET  disconnections/export          CSV, supervisors
 *   POST disconnections/consent-otp     {"account"}: the consumer's OTP
 *   GET  disconnections/{id}
 *   POST disconnections/{id}/actions    approve, reject, reschedule (supervisors)
 *
 * Times are on the head-end's clock (bd-central-server-meters.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "core/bd-codec.h"
#include "core/bd-time.h"
#include "core/bd-validate.h"

#include "bd-central-db-requests.h"
#include "bd-central-server-private.h"

#define MAX_REASON_CHARS 500

static gboolean
read_time (SoupServerMessage  *msg,
           JsonObject         *request,
           const char         *name,
           gint64              fallback,
           gint64             *out)
{
  const char *text;

  if (!_bd_central_get_string (msg, request, name, &text))
    return FALSE;
  if (text == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  if (!bd_time_from_iso8601 (text, out))
    {
      g_autofree char *message = g_strdup_printf (_("“%s” must be a date and time like 2026-11-24T10:00:00Z."), name);
      _bd_central_respond_invalid_request (msg, message);
      return FALSE;
    }
  return TRUE;
}

static void
handle_file (BdCentralServer   *self,
             SoupServerMessage *msg,
             BdSession         *session)
{
  static const char * const allowed[] = { "account", "kind", "reason", "requested_for", "final_reading_wh",
                                          "reference", "consent_otp_id", NULL };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(BdDisconnection) draft = bd_disconnection_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *request_hash = NULL;
  g_autofree char *body = NULL;
  const char *key, *account, *kind;
  gint64 now = _bd_central_meter_now (self);
  gboolean replayed = FALSE;
  guint status = 0;
  JsonNode *reading;

  key = _bd_central_idempotency_key (msg);
  if (key == NULL)
    return;
  request = _bd_central_read_json_object (msg, &bytes);
  if (request == NULL || !_bd_central_check_members (msg, request, allowed))
    return;
  request_hash = _bd_central_request_hash ("disconnections", bytes);
  if (!_bd_central_require_string (msg, request, "account", &account) ||
      !_bd_central_require_string (msg, request, "kind", &kind) ||
      !_bd_central_read_text (msg, request, "reason", TRUE, MAX_REASON_CHARS, &draft->reason) ||
      !read_time (msg, request, "requested_for", now, &draft->requested_for) ||
      !_bd_central_read_text (msg, request, "reference", FALSE, MAX_REASON_CHARS, &draft->reference) ||
      !_bd_central_read_text (msg, request, "consent_otp_id", FALSE, MAX_REASON_CHARS, &draft->consent_otp_id))
    return;
  draft->account = _bd_central_parse_account (msg, account);
  if (draft->account == NULL)
    return;
  if (!bd_request_kind_from_string (kind, &draft->kind))
    {
      _bd_central_respond_invalid_request (msg, _("“kind” must be temporary, permanent, nonpayment or reconnection."));
      return;
    }
  reading = json_object_get_member (request, "final_reading_wh");
  if (reading != NULL && !JSON_NODE_HOLDS_NULL (reading))
    {
      if (!JSON_NODE_HOLDS_VALUE (reading) || json_node_get_value_type (reading) != G_TYPE_INT64 ||
          json_node_get_int (reading) < 0 || json_node_get_int (reading) > G_GINT64_CONSTANT (100000000000))
        {
          _bd_central_respond_invalid_request (msg, _("“final_reading_wh” must be the meter's register in Wh."));
          return;
        }
      draft->final_reading_wh = json_node_get_int (reading);
    }
  if (draft->kind == BD_REQUEST_PERMANENT && draft->final_reading_wh < 0)
    {
      _bd_central_respond_invalid_request (msg, _("A permanent closure needs the meter's final reading."));
      return;
    }

  if (!bd_central_db_request_file (self->db, bd_session_get_zone (session), draft, key, request_hash,
                                   bd_session_get_username (session), bd_session_get_role (session), now,
                                   &status, &body, &replayed, &error))
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }
  bd_central_sms_kick (self->sms);
  _bd_central_respond_stored (msg, status, g_steal_pointer (&body), replayed);
}

static gboolean
parse_statuses (SoupServerMessage *msg,
                GHashTable        *query,
                GStrv             *out)
{
  const char *text = _bd_central_query_get (query, "status");

  *out = NULL;
  if (text == NULL || *text == '\0')
    return TRUE;
  *out = g_strsplit (text, ",", 10);
  for (guint i = 0; (*out)[i] != NULL; i++)
    {
      BdRequestStatus status;
      if (!bd_request_status_from_string ((*out)[i], &status))
        {
          g_clear_pointer (out, g_strfreev);
          _bd_central_respond_invalid_request (msg, _("“status” lists request states, e.g. pending_approval,scheduled."));
          return FALSE;
        }
    }
  return TRUE;
}

static void
handle_list (BdCentralServer   *self,
             SoupServerMessage *msg,
             BdSession         *session,
             GHashTable        *query,
             gboolean           csv)
{
  g_auto(GStrv) statuses = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *account = NULL;
  const char *account_text = _bd_central_query_get (query, "account");
  guint limit = 5000;

  if (csv && bd_session_get_role (session) != BD_ROLE_SUPERVISOR && bd_session_get_role (session) != BD_ROLE_ADMIN)
    {
      _bd_central_respond_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden", _("Only a supervisor can export the queue."));
      return;
    }
  if (!csv && !_bd_central_parse_limit (msg, query, 100, 500, &limit))
    return;
  if (!parse_statuses (msg, query, &statuses))
    return;
  if (account_text != NULL && *account_text != '\0')
    {
      account = _bd_central_parse_account (msg, account_text);
      if (account == NULL)
        return;
    }
  list = bd_central_db_request_list (self->db, bd_session_get_zone (session), (const char * const *) statuses,
                                     account, limit, &error);
  if (list == NULL)
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }
  if (csv)
    {
      char *text = bd_disconnection_csv (list);
      gsize length = strlen (text);

      soup_server_message_set_response (msg, "text/csv; charset=utf-8", SOUP_MEMORY_TAKE, text, length);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Content-Disposition",
                                    "attachment; filename=\"disconnection-requests.csv\"");
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      return;
    }
  {
    g_autoptr(JsonBuilder) builder = json_builder_new ();
    g_autoptr(JsonNode) node = NULL;

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "requests");
    json_builder_begin_array (builder);
    for (guint i = 0; i < list->len; i++)
      json_builder_add_value (builder, bd_disconnection_to_json (g_ptr_array_index (list, i)));
    json_builder_end_array (builder);
    json_builder_end_object (builder);
    node = json_builder_get_root (builder);
    _bd_central_respond_json (msg, SOUP_STATUS_OK, node);
  }
}

static void
handle_get (BdCentralServer   *self,
            SoupServerMessage *msg,
            BdSession         *session,
            const char        *segment)
{
  g_autofree char *id = g_uri_unescape_string (segment, "/");
  g_autoptr(BdDisconnection) r = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  if (id == NULL || strlen (id) > 40)
    {
      _bd_central_respond_invalid_request (msg, _("That is not a request number."));
      return;
    }
  r = bd_central_db_request_get (self->db, bd_session_get_zone (session), id, &error);
  if (r == NULL)
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }
  node = bd_disconnection_to_json (r);
  _bd_central_respond_json (msg, SOUP_STATUS_OK, node);
}

static void
handle_action (BdCentralServer   *self,
               SoupServerMessage *msg,
               BdSession         *session,
               const char        *segment)
{
  static const char * const allowed[] = { "action", "note", "to", NULL };
  g_autofree char *id = g_uri_unescape_string (segment, "/");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *request_hash = NULL;
  g_autofree char *body = NULL;
  g_autofree char *note_text = NULL;
  g_autofree char *scope = NULL;
  const char *key, *action_text;
  BdRequestAction action;
  gint64 now = _bd_central_meter_now (self);
  gint64 to = 0;
  gboolean replayed = FALSE;
  guint status = 0;

  if (id == NULL || strlen (id) > 40)
    {
      _bd_central_respond_invalid_request (msg, _("That is not a request number."));
      return;
    }
  key = _bd_central_idempotency_key (msg);
  if (key == NULL)
    return;
  request = _bd_central_read_json_object (msg, &bytes);
  if (request == NULL || !_bd_central_check_members (msg, request, allowed))
    return;
  scope = g_strconcat ("disconnections/", id, NULL);
  request_hash = _bd_central_request_hash (scope, bytes);
  if (!_bd_central_require_string (msg, request, "action", &action_text) ||
      !_bd_central_read_text (msg, request, "note", FALSE, MAX_REASON_CHARS, &note_text) ||
      !read_time (msg, request, "to", 0, &to))
    return;
  if (!bd_request_action_from_string (action_text, &action))
    {
      _bd_central_respond_invalid_request (msg, _("“action” must be approve, reject or reschedule."));
      return;
    }
  if (action == BD_REQUEST_ACTION_RESCHEDULE && to == 0)
    {
      _bd_central_respond_invalid_request (msg, _("A new time (“to”) is needed to reschedule."));
      return;
    }
  if (!bd_central_db_request_act (self->db, bd_session_get_zone (session), id, action, note_text, to, key,
                                  request_hash, bd_session_get_username (session), bd_session_get_role (session),
                                  now, &status, &body, &replayed, &error))
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }
  bd_central_sms_kick (self->sms);
  _bd_central_respond_stored (msg, status, g_steal_pointer (&body), replayed);
}

static void
handle_consent_otp (BdCentralServer   *self,
                    SoupServerMessage *msg,
                    BdSession         *session)
{
  static const char * const allowed[] = { "account", NULL };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(BdCentralOtpTicket) ticket = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *account = NULL;
  const char *account_text;
  gint64 retry_after = -1;

  request = _bd_central_read_json_object (msg, &bytes);
  if (request == NULL || !_bd_central_check_members (msg, request, allowed) ||
      !_bd_central_require_string (msg, request, "account", &account_text))
    return;
  account = _bd_central_parse_account (msg, account_text);
  if (account == NULL)
    return;
  ticket = bd_central_db_request_consent_otp (self->db, bd_session_get_zone (session), account,
                                              bd_session_get_username (session), g_get_real_time () / G_USEC_PER_SEC,
                                              NULL, &retry_after, &error);
  if (ticket == NULL)
    {
      _bd_central_respond_failure (msg, error, retry_after, -1);
      return;
    }
  bd_central_sms_kick (self->sms);
  node = bd_central_otp_ticket_to_json (ticket);
  _bd_central_respond_json (msg, SOUP_STATUS_CREATED, node);
}

void
_bd_central_handle_requests (BdCentralServer      *self,
                             SoupServerMessage    *msg,
                             BdSession            *session,
                             BdCentralRequestRoute route,
                             const char           *param,
                             GHashTable           *query)
{
  gboolean post = g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_POST);

  switch (route)
    {
    case BD_CENTRAL_REQUEST_ROUTE_COLLECTION:
      if (post)
        handle_file (self, msg, session);
      else
        handle_list (self, msg, session, query, FALSE);
      break;
    case BD_CENTRAL_REQUEST_ROUTE_EXPORT:
      handle_list (self, msg, session, query, TRUE);
      break;
    case BD_CENTRAL_REQUEST_ROUTE_CONSENT_OTP:
      handle_consent_otp (self, msg, session);
      break;
    case BD_CENTRAL_REQUEST_ROUTE_ITEM:
      handle_get (self, msg, session, param);
      break;
    case BD_CENTRAL_REQUEST_ROUTE_ACTIONS:
    default:
      handle_action (self, msg, session, param);
      break;
    }
}
