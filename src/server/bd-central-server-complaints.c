/* bd-central-server-complaints.c: the /complaints endpoints.
 *
 * Filing and acting need an Idempotency-Key, like every write a desk may
 * send again; the rules (who may do what, from which state) are the
 * core's, enforced in the database layer. The queue's export and the zone
 * dashboard are for supervisors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/bd-codec.h"
#include "core/bd-complaint-csv.h"
#include "core/bd-money.h"
#include "core/bd-time.h"
#include "core/bd-validate.h"

#include "bd-central-db-complaints.h"
#include "bd-central-server-private.h"

#define LIST_DEFAULT_LIMIT 50
#define LIST_MAX_LIMIT     200
#define EXPORT_MAX_ROWS    5000
#define CHANGES_DEFAULT_LIMIT 500
#define CHANGES_MAX_LIMIT  1000
#define MAX_DESCRIPTION_CHARS 2000
#define MAX_NOTE_CHARS     1000
#define MAX_PLACE_CHARS    64

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
is_supervisor (BdSession *session)
{
  BdRole role = bd_session_get_role (session);

  return role == BD_ROLE_SUPERVISOR || role == BD_ROLE_ADMIN;
}

static gboolean
require_supervisor (SoupServerMessage *msg,
                    BdSession         *session)
{
  if (is_supervisor (session))
    return TRUE;
  _bd_central_respond_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                             _("Only a supervisor can see this."));
  return FALSE;
}

static char *
parse_id (SoupServerMessage *msg,
          const char        *segment)
{
  g_autofree char *id = segment != NULL ? g_uri_unescape_string (segment, "/") : NULL;
  gsize length = id != NULL ? strlen (id) : 0;

  if (length == 0 || length > 18)
    goto invalid;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      goto invalid;
  return g_steal_pointer (&id);

invalid:
  _bd_central_respond_invalid_request (msg, _("That is not a complaint reference this server gave out."));
  return NULL;
}

/* Text of at most max_chars characters, not blank when required; *out is
 * NULL when absent, null or (optional) blank. */
static gboolean
read_mobile (SoupServerMessage  *msg,
             JsonObject         *request,
             const char         *name,
             char              **out)
{
  const char *text;
  g_autoptr(GError) error = NULL;

  *out = NULL;
  if (!_bd_central_get_string (msg, request, name, &text))
    return FALSE;
  if (text == NULL || *text == '\0')
    return TRUE;
  *out = bd_mobile_normalize (text, &error);
  if (*out == NULL)
    {
      _bd_central_respond_invalid_request (msg, error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_account (SoupServerMessage  *msg,
              JsonObject         *request,
              const char         *name,
              char              **out)
{
  const char *text;

  *out = NULL;
  if (!_bd_central_get_string (msg, request, name, &text))
    return FALSE;
  if (text == NULL)
    return TRUE;
  *out = bd_account_normalize (text, NULL);
  if (*out == NULL)
    {
      _bd_central_respond_invalid_request (msg, _("An account number has 10 digits (12 for some rural accounts)."));
      return FALSE;
    }
  return TRUE;
}

static void
respond_complaints (SoupServerMessage *msg,
                    GPtrArray         *complaints,
                    const char        *extra_name,
                    gint64             extra_value)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "complaints");
  json_builder_begin_array (builder);
  for (guint i = 0; i < complaints->len; i++)
    json_builder_add_value (builder, bd_complaint_to_json (g_ptr_array_index (complaints, i)));
  json_builder_end_array (builder);
  if (extra_name != NULL)
    {
      json_builder_set_member_name (builder, extra_name);
      json_builder_add_int_value (builder, extra_value);
    }
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  _bd_central_respond_json (msg, SOUP_STATUS_OK, node);
}

static void
handle_file (BdCentralServer   *self,
             SoupServerMessage *msg,
             BdSession         *session)
{
  static const char * const allowed[] = { "account", "category", "description", "contact_mobile",
                                          "channel", "feeder", "dt", "pole", NULL };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(BdComplaint) draft = bd_complaint_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *request_hash = NULL;
  g_autofree char *body = NULL;
  const char *key;
  const char *category;
  const char *channel;
  gboolean replayed;
  guint status;

  key = _bd_central_idempotency_key (msg);
  if (key == NULL)
    return;
  request = _bd_central_read_json_object (msg, &bytes);
  if (request == NULL || !_bd_central_check_members (msg, request, allowed))
    return;
  request_hash = _bd_central_request_hash ("complaints", bytes);

  if (!read_account (msg, request, "account", &draft->account) ||
      !_bd_central_require_string (msg, request, "category", &category) ||
      !_bd_central_read_text (msg, request, "description", TRUE, MAX_DESCRIPTION_CHARS, &draft->description) ||
      !read_mobile (msg, request, "contact_mobile", &draft->contact_mobile) ||
      !_bd_central_require_string (msg, request, "channel", &channel) ||
      !_bd_central_read_text (msg, request, "feeder", FALSE, MAX_PLACE_CHARS, &draft->feeder) ||
      !_bd_central_read_text (msg, request, "dt", FALSE, MAX_PLACE_CHARS, &draft->dt) ||
      !_bd_central_read_text (msg, request, "pole", FALSE, MAX_PLACE_CHARS, &draft->pole))
    return;
  if (!bd_complaint_category_from_string (category, &draft->category))
    {
      _bd_central_respond_invalid_request (msg, _("That is not a complaint category this server knows."));
      return;
    }
  if (!bd_complaint_channel_from_string (channel, &draft->channel))
    {
      _bd_central_respond_invalid_request (msg, _("The channel must be counter, phone, app or walk_in."));
      return;
    }
  if (draft->account == NULL && draft->feeder == NULL && draft->dt == NULL && draft->pole == NULL)
    {
      _bd_central_respond_invalid_request (msg, _("A complaint needs a consumer’s account, or where the fault is: a feeder, DT or pole."));
      return;
    }

  if (!bd_central_db_complaint_file (self->db, bd_session_get_zone (session), draft, key, request_hash,
                                     bd_session_get_username (session), bd_session_get_role (session),
                                     now_s (), &status, &body, &replayed, &error))
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }

  bd_central_sms_kick (self->sms);
  _bd_central_respond_stored (msg, status, g_steal_pointer (&body), replayed);
}

/* Parses the queue's filters; FALSE after answering 400. */
static gboolean
parse_filter (SoupServerMessage        *msg,
              GHashTable               *query,
              guint                     default_limit,
              guint                     max_limit,
              BdCentralComplaintFilter *filter)
{
  const char *statuses = _bd_central_query_get (query, "status");
  const char *category = _bd_central_query_get (query, "category");
  const char *sla = _bd_central_query_get (query, "sla");
  const char *account = _bd_central_query_get (query, "account");
  const char *offset = _bd_central_query_get (query, "offset");
  guint64 value = 0;

  memset (filter, 0, sizeof *filter);
  filter->category = -1;
  if (!_bd_central_parse_limit (msg, query, default_limit, max_limit, &filter->limit))
    return FALSE;
  if (statuses != NULL && *statuses != '\0')
    {
      filter->statuses = g_strsplit (statuses, ",", 10);
      for (guint i = 0; filter->statuses[i] != NULL; i++)
        {
          BdComplaintStatus status;

          if (!bd_complaint_status_from_string (filter->statuses[i], &status))
            {
              _bd_central_respond_invalid_request (msg, _("“status” lists complaint states, e.g. new,assigned."));
              return FALSE;
            }
        }
    }
  if (category != NULL && *category != '\0')
    {
      BdComplaintCategory parsed;

      if (!bd_complaint_category_from_string (category, &parsed))
        {
          _bd_central_respond_invalid_request (msg, _("That is not a complaint category this server knows."));
          return FALSE;
        }
      filter->category = parsed;
    }
  if (sla != NULL && *sla != '\0')
    {
      if (!g_str_equal (sla, "overdue") && !g_str_equal (sla, "due_soon") && !g_str_equal (sla, "on_time"))
        {
          _bd_central_respond_invalid_request (msg, _("“sla” must be overdue, due_soon or on_time."));
          return FALSE;
        }
      filter->sla = sla;
    }
  if (account != NULL && *account != '\0')
    filter->account = account;
  filter->text = _bd_central_query_get (query, "q");
  if (filter->text != NULL && (*filter->text == '\0' || strlen (filter->text) > 32))
    filter->text = NULL;
  if (offset != NULL)
    {
      if (!_bd_central_parse_decimal (offset, 0, 100000, &value))
        {
          _bd_central_respond_invalid_request (msg, _("“offset” must be a whole number from 0 to 100000."));
          return FALSE;
        }
      filter->offset = (guint) value;
    }
  return TRUE;
}

static void
handle_list (BdCentralServer   *self,
             SoupServerMessage *msg,
             BdSession         *session,
             GHashTable        *query)
{
  BdCentralComplaintFilter filter;
  g_autoptr(GPtrArray) complaints = NULL;
  g_autoptr(GError) error = NULL;
  guint total = 0;

  if (!parse_filter (msg, query, LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT, &filter))
    {
      g_strfreev (filter.statuses);
      return;
    }
  complaints = bd_central_db_complaint_list (self->db, bd_session_get_zone (session), &filter,
                                             now_s (), &total, &error);
  g_strfreev (filter.statuses);
  if (complaints == NULL)
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }
  respond_complaints (msg, complaints, "total", total);
}

static void
handle_export (BdCentralServer   *self,
               SoupServerMessage *msg,
               BdSession         *session,
               GHashTable        *query)
{
  BdCentralComplaintFilter filter;
  g_autoptr(GPtrArray) complaints = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;
  SoupMessageHeaders *headers;
  gint64 now = now_s ();
  guint total = 0;
  gsize length;

  if (!require_supervisor (msg, session))
    return;
  if (!parse_filter (msg, query, EXPORT_MAX_ROWS, EXPORT_MAX_ROWS, &filter))
    {
      g_strfreev (filter.statuses);
      return;
    }
  complaints = bd_central_db_complaint_list (self->db, bd_session_get_zone (session), &filter,
                                             now, &total, &error);
  g_strfreev (filter.statuses);
  if (complaints == NULL)
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }

  /* Contact numbers stay out: an export travels further than the desk. */
  {
    g_autoptr(GPtrArray) rows = g_ptr_array_new ();

    for (guint i = 0; i < complaints->len; i++)
      g_ptr_array_add (rows, g_ptr_array_index (complaints, i));
    csv = bd_complaints_to_csv (rows, now);
  }

  headers = soup_server_message_get_response_headers (msg);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Content-Disposition", "attachment; filename=\"complaints.csv\"");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  length = strlen (csv);
  soup_server_message_set_response (msg, "text/csv; charset=utf-8", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&csv), length);
}

static void
handle_duplicates (BdCentralServer   *self,
                   SoupServerMessage *msg,
                   BdSession         *session,
                   GHashTable        *query)
{
  const char *category_text = _bd_central_query_get (query, "category");
  const char *account_text = _bd_central_query_get (query, "account");
  g_autofree char *account = NULL;
  g_autoptr(GPtrArray) complaints = NULL;
  g_autoptr(BdConsumer) consumer = NULL;
  g_autoptr(GError) error = NULL;
  const char *dt = _bd_central_query_get (query, "dt");
  const char *feeder = _bd_central_query_get (query, "feeder");
  const char *pole = _bd_central_query_get (query, "pole");
  BdComplaintCategory category;

  if (category_text == NULL || !bd_complaint_category_from_string (category_text, &category))
    {
      _bd_central_respond_invalid_request (msg, _("Give the complaint’s category to look for the same fault."));
      return;
    }
  if (account_text != NULL)
    {
      account = bd_account_normalize (account_text, NULL);
      if (account == NULL)
        {
          _bd_central_respond_invalid_request (msg, _("An account number has 10 digits (12 for some rural accounts)."));
          return;
        }
      consumer = bd_central_db_lookup_consumer (self->db, bd_session_get_zone (session), account, &error);
      if (consumer == NULL)
        {
          _bd_central_respond_failure (msg, error, -1, -1);
          return;
        }
      if (dt == NULL)
        dt = bd_consumer_get_dt (consumer);
      if (feeder == NULL)
        feeder = bd_consumer_get_feeder (consumer);
      if (pole == NULL)
        pole = bd_consumer_get_pole (consumer);
    }

  complaints = bd_central_db_complaint_duplicates (self->db, bd_session_get_zone (session), category,
                                                   account, dt, feeder, pole, &error);
  if (complaints == NULL)
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }
  respond_complaints (msg, complaints, NULL, 0);
}

static void
handle_changes (BdCentralServer   *self,
                SoupServerMessage *msg,
                BdSession         *session,
                GHashTable        *query)
{
  const char *since = _bd_central_query_get (query, "since");
  g_autoptr(GPtrArray) complaints = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *cursor = NULL;
  guint64 after = 0;
  gint64 next = 0;
  gboolean has_more = FALSE;
  guint limit;

  if (!_bd_central_parse_limit (msg, query, CHANGES_DEFAULT_LIMIT, CHANGES_MAX_LIMIT, &limit))
    return;
  if (since != NULL && !_bd_central_parse_decimal (since, 0, G_MAXINT64, &after))
    {
      _bd_central_respond_invalid_request (msg, _("That is not a cursor this server gave out."));
      return;
    }

  complaints = bd_central_db_complaint_changes (self->db, bd_session_get_zone (session), (gint64) after,
                                                limit, &next, &has_more, &error);
  if (complaints == NULL)
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }

  cursor = g_strdup_printf ("%" G_GINT64_FORMAT, next);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "complaints");
  json_builder_begin_array (builder);
  for (guint i = 0; i < complaints->len; i++)
    json_builder_add_value (builder, bd_complaint_to_json (g_ptr_array_index (complaints, i)));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "next_cursor");
  json_builder_add_string_value (builder, cursor);
  json_builder_set_member_name (builder, "has_more");
  json_builder_add_boolean_value (builder, has_more);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  _bd_central_respond_json (msg, SOUP_STATUS_OK, node);
}

static void
handle_summary (BdCentralServer   *self,
                SoupServerMessage *msg,
                BdSession         *session)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_supervisor (msg, session))
    return;
  node = bd_central_db_complaint_summary (self->db, bd_session_get_zone (session), now_s (), &error);
  if (node == NULL)
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }
  _bd_central_respond_json (msg, SOUP_STATUS_OK, node);
}

static void
handle_get (BdCentralServer   *self,
            SoupServerMessage *msg,
            BdSession         *session,
            const char        *segment)
{
  g_autofree char *id = parse_id (msg, segment);
  g_autoptr(BdComplaint) complaint = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  if (id == NULL)
    return;
  complaint = bd_central_db_complaint_get (self->db, bd_session_get_zone (session), id, &error);
  if (complaint == NULL)
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }
  node = bd_complaint_to_json (complaint);
  _bd_central_respond_json (msg, SOUP_STATUS_OK, node);
}

static void
handle_action (BdCentralServer   *self,
               SoupServerMessage *msg,
               BdSession         *session,
               const char        *segment)
{
  static const char * const allowed[] = { "action", "note", "otp_id", "caller_account",
                                          "caller_mobile", "channel", NULL };
  g_autofree char *id = parse_id (msg, segment);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *request_hash = NULL;
  g_autofree char *body = NULL;
  g_autofree char *note = NULL;
  g_autofree char *caller_account = NULL;
  g_autofree char *caller_mobile = NULL;
  const char *key;
  const char *action_text;
  const char *otp_id;
  const char *channel_text;
  BdComplaintAction action;
  BdComplaintChannel channel = BD_COMPLAINT_CHANNEL_PHONE;
  gboolean replayed;
  guint status;

  if (id == NULL)
    return;
  key = _bd_central_idempotency_key (msg);
  if (key == NULL)
    return;
  request = _bd_central_read_json_object (msg, &bytes);
  if (request == NULL || !_bd_central_check_members (msg, request, allowed))
    return;
  request_hash = _bd_central_request_hash (id, bytes);

  if (!_bd_central_require_string (msg, request, "action", &action_text) ||
      !_bd_central_read_text (msg, request, "note", FALSE, MAX_NOTE_CHARS, &note) ||
      !_bd_central_get_string (msg, request, "otp_id", &otp_id) ||
      !read_account (msg, request, "caller_account", &caller_account) ||
      !read_mobile (msg, request, "caller_mobile", &caller_mobile) ||
      !_bd_central_get_string (msg, request, "channel", &channel_text))
    return;
  if (!bd_complaint_action_from_string (action_text, &action) || action == BD_COMPLAINT_ACTION_FILE)
    {
      _bd_central_respond_invalid_request (msg, _("That is not an action on a complaint this server knows."));
      return;
    }
  if (channel_text != NULL && !bd_complaint_channel_from_string (channel_text, &channel))
    {
      _bd_central_respond_invalid_request (msg, _("The channel must be counter, phone, app or walk_in."));
      return;
    }
  if (otp_id != NULL && (strlen (otp_id) > 64 || action != BD_COMPLAINT_ACTION_CLOSE))
    {
      _bd_central_respond_invalid_request (msg, _("An OTP reference goes only with closing a complaint."));
      return;
    }

  if (!bd_central_db_complaint_act (self->db, bd_session_get_zone (session), id, action, note, otp_id,
                                    caller_account, caller_mobile, channel, key, request_hash,
                                    bd_session_get_username (session), bd_session_get_role (session),
                                    now_s (), &status, &body, &replayed, &error))
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }

  bd_central_sms_kick (self->sms);
  _bd_central_respond_stored (msg, status, g_steal_pointer (&body), replayed);
}

static void
handle_close_otp (BdCentralServer   *self,
                  SoupServerMessage *msg,
                  BdSession         *session,
                  const char        *segment)
{
  g_autofree char *id = parse_id (msg, segment);
  g_autoptr(BdCentralOtpTicket) ticket = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  gint64 retry_after = -1;

  if (id == NULL)
    return;
  ticket = bd_central_db_complaint_close_otp (self->db, bd_session_get_zone (session), id,
                                              bd_session_get_username (session), now_s (),
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
_bd_central_handle_complaints (BdCentralServer      *self,
                               SoupServerMessage    *msg,
                               BdSession            *session,
                               BdCentralComplaintRoute route,
                               const char           *param,
                               GHashTable           *query)
{
  gboolean post = g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_POST);

  switch (route)
    {
    case BD_CENTRAL_COMPLAINT_ROUTE_COLLECTION:
      if (post)
        handle_file (self, msg, session);
      else
        handle_list (self, msg, session, query);
      break;
    case BD_CENTRAL_COMPLAINT_ROUTE_EXPORT:
      handle_export (self, msg, session, query);
      break;
    case BD_CENTRAL_COMPLAINT_ROUTE_DUPLICATES:
      handle_duplicates (self, msg, session, query);
      break;
    case BD_CENTRAL_COMPLAINT_ROUTE_CHANGES:
      handle_changes (self, msg, session, query);
      break;
    case BD_CENTRAL_COMPLAINT_ROUTE_SUMMARY:
      handle_summary (self, msg, session);
      break;
    case BD_CENTRAL_COMPLAINT_ROUTE_ITEM:
      handle_get (self, msg, session, param);
      break;
    case BD_CENTRAL_COMPLAINT_ROUTE_ACTIONS:
      handle_action (self, msg, session, param);
      break;
    case BD_CENTRAL_COMPLAINT_ROUTE_CLOSE_OTP:
      handle_close_otp (self, msg, session, param);
      break;
    default:
      g_assert_not_reached ();
    }
}
