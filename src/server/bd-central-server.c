/* bd-central-server.c: routes, authentication and error mapping of /api/v1;
 * the handlers of issue 5's endpoints are in bd-central-server-otp.c and
 * bd-central-server-indexing.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "core/bd-codec.h"
#include "core/bd-complaint-rules.h"
#include "core/bd-time.h"
#include "core/bd-validate.h"

#include "bd-central-db-audit.h"
#include "bd-central-db-otp.h"
#include "bd-central-json.h"
#include "bd-central-server.h"
#include "bd-central-server-private.h"
#include "store/bd-consumer-store.h"

#define API_PREFIX        "/api/v1"
#define JSON_CONTENT_TYPE "application/json; charset=utf-8"

/* Checking a token costs a SHA-256 and a join; a desk sends the same token
 * with every request, so answers are kept this long (never past the
 * session's own expiry). Signing out, disabling a user and ending their
 * sessions drop this process's copies at once; another worker process may
 * take a revoked token until its copy is a minute old. */
#define SESSION_CACHE_TTL_US   (60 * G_USEC_PER_SEC)
#define SESSION_CACHE_MAX      4096
/* A zone of a million consumers takes about half a minute to build. */
#define SNAPSHOT_RETRY_AFTER_S 30

typedef struct {
  BdSession *session;
  gint64     valid_until_us;
} CachedSession;

G_DEFINE_TYPE (BdCentralServer, bd_central_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DATABASE,
  PROP_DEMO,
  PROP_SMS_FAILURE_RATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GQuark start_time_quark;

static void
cached_session_free (gpointer data)
{
  CachedSession *cached = data;

  g_clear_object (&cached->session);
  g_free (cached);
}

typedef enum {
  ROUTE_UNKNOWN,
  ROUTE_HEALTH,
  ROUTE_SESSION,
  ROUTE_CONSUMERS,
  ROUTE_CONSUMER,
  ROUTE_CHANGES,
  ROUTE_INDEXING,
  ROUTE_HISTORY,
  ROUTE_OTP,
  ROUTE_OTP_ITEM,
  ROUTE_OTP_RESEND,
  ROUTE_OTP_VERIFY,
  ROUTE_REGISTRATIONS,
  ROUTE_REGISTRATION,
  ROUTE_DEMO_SMS,
  ROUTE_COMPLAINTS,
  ROUTE_COMPLAINT_EXPORT,
  ROUTE_COMPLAINT_DUPLICATES,
  ROUTE_COMPLAINT_CHANGES,
  ROUTE_COMPLAINT_SUMMARY,
  ROUTE_COMPLAINT,
  ROUTE_COMPLAINT_ACTIONS,
  ROUTE_COMPLAINT_CLOSE_OTP,
  ROUTE_AUDIT,
  ROUTE_BALANCE,
  ROUTE_READINGS,
  ROUTE_RECHARGES,
  ROUTE_METERS_WATCH,
  ROUTE_PREPAID_RULES,
  ROUTE_REQUESTS,
  ROUTE_REQUEST_EXPORT,
  ROUTE_REQUEST_CONSENT_OTP,
  ROUTE_REQUEST,
  ROUTE_REQUEST_ACTIONS,
  ROUTE_USERS,
  ROUTE_USER,
  ROUTE_USER_PASSWORD,
  ROUTE_USER_SESSIONS,
  ROUTE_SNAPSHOT,
} Route;

/* Path templates under API_PREFIX; "*" is one non-empty segment, the
 * route's parameter. Also what the request log shows: account numbers
 * identify people, so parameters are never logged. */
static const struct {
  Route       route;
  const char *pattern;
  const char *log;
} routes[] = {
  { ROUTE_HEALTH, "health", NULL },
  { ROUTE_SESSION, "session", NULL },
  { ROUTE_CONSUMERS, "consumers", NULL },
  { ROUTE_CHANGES, "changes", NULL },
  { ROUTE_SNAPSHOT, "snapshot", NULL },
  { ROUTE_CONSUMER, "consumers/*", "consumers/{account}" },
  { ROUTE_INDEXING, "consumers/*/indexing", "consumers/{account}/indexing" },
  { ROUTE_HISTORY, "consumers/*/history", "consumers/{account}/history" },
  { ROUTE_OTP, "otp", NULL },
  { ROUTE_OTP_ITEM, "otp/*", "otp/{id}" },
  { ROUTE_OTP_RESEND, "otp/*/resend", "otp/{id}/resend" },
  { ROUTE_OTP_VERIFY, "otp/*/verify", "otp/{id}/verify" },
  { ROUTE_REGISTRATIONS, "registrations", NULL },
  { ROUTE_REGISTRATION, "registrations/*", "registrations/{account}" },
  { ROUTE_DEMO_SMS, "demo/sms", NULL },
  { ROUTE_COMPLAINTS, "complaints", NULL },
  /* Before "complaints/{id}", which would take them as ids. */
  { ROUTE_COMPLAINT_EXPORT, "complaints/export", NULL },
  { ROUTE_COMPLAINT_DUPLICATES, "complaints/duplicates", NULL },
  { ROUTE_COMPLAINT_CHANGES, "complaints/changes", NULL },
  { ROUTE_COMPLAINT_SUMMARY, "complaints/summary", NULL },
  { ROUTE_COMPLAINT, "complaints/*", "complaints/{id}" },
  { ROUTE_COMPLAINT_ACTIONS, "complaints/*/actions", "complaints/{id}/actions" },
  { ROUTE_COMPLAINT_CLOSE_OTP, "complaints/*/close-otp", "complaints/{id}/close-otp" },
  { ROUTE_AUDIT, "audit", NULL },
  { ROUTE_BALANCE, "consumers/*/balance", "consumers/{account}/balance" },
  { ROUTE_READINGS, "consumers/*/readings", "consumers/{account}/readings" },
  { ROUTE_RECHARGES, "consumers/*/recharges", "consumers/{account}/recharges" },
  { ROUTE_METERS_WATCH, "meters/watch", NULL },
  { ROUTE_PREPAID_RULES, "prepaid/rules", NULL },
  { ROUTE_REQUESTS, "disconnections", NULL },
  /* Before "disconnections/{id}". */
  { ROUTE_REQUEST_EXPORT, "disconnections/export", NULL },
  { ROUTE_REQUEST_CONSENT_OTP, "disconnections/consent-otp", NULL },
  { ROUTE_REQUEST, "disconnections/*", "disconnections/{id}" },
  { ROUTE_REQUEST_ACTIONS, "disconnections/*/actions", "disconnections/{id}/actions" },
  { ROUTE_USERS, "users", NULL },
  { ROUTE_USER, "users/*", "users/{username}" },
  { ROUTE_USER_PASSWORD, "users/*/password", "users/{username}/password" },
  { ROUTE_USER_SESSIONS, "users/*/sessions", "users/{username}/sessions" },
};

/* Matches path against the routes; *out_param (nullable) receives the
 * still-escaped parameter segment. */
static Route
route_for_path (const char  *path,
                char       **out_param,
                const char **out_log)
{
  g_auto(GStrv) segments = NULL;

  if (!g_str_has_prefix (path, API_PREFIX "/"))
    return ROUTE_UNKNOWN;
  segments = g_strsplit (path + strlen (API_PREFIX "/"), "/", 5);

  for (guint r = 0; r < G_N_ELEMENTS (routes); r++)
    {
      g_auto(GStrv) pattern = g_strsplit (routes[r].pattern, "/", -1);
      const char *param = NULL;
      guint i;

      if (g_strv_length (pattern) != g_strv_length (segments))
        continue;
      for (i = 0; pattern[i] != NULL; i++)
        {
          if (g_str_equal (pattern[i], "*") && *segments[i] != '\0')
            param = segments[i];
          else if (!g_str_equal (pattern[i], segments[i]))
            break;
        }
      if (pattern[i] != NULL)
        continue;

      if (out_param != NULL)
        *out_param = g_strdup (param);
      if (out_log != NULL)
        *out_log = routes[r].log != NULL ? routes[r].log : routes[r].pattern;
      return routes[r].route;
    }

  return ROUTE_UNKNOWN;
}

int
_bd_central_route_for_path (const char  *path,
                            char       **out_param,
                            const char **out_log)
{
  return (int) route_for_path (path, out_param, out_log);
}

static char *
path_for_log (const char *path)
{
  const char *log = NULL;

  if (route_for_path (path, NULL, &log) == ROUTE_UNKNOWN)
    return g_strdup_printf ("%.64s%s", path, strlen (path) > 64 ? "…" : "");

  return g_strconcat (API_PREFIX "/", log, NULL);
}

/* Takes body. */
void
_bd_central_respond_text (SoupServerMessage *msg,
              guint              status,
              char              *body,
              gsize              length)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, JSON_CONTENT_TYPE, SOUP_MEMORY_TAKE, body, length);
}

void
_bd_central_respond_json (SoupServerMessage *msg,
              guint              status,
              JsonNode          *node)
{
  char *body = bd_json_to_string (node);

  _bd_central_respond_text (msg, status, body, strlen (body));
}

void
_bd_central_respond_error (SoupServerMessage *msg,
               guint              status,
               const char        *code,
               const char        *message)
{
  g_autoptr(JsonNode) node = bd_api_error_to_json (code, message);

  _bd_central_respond_json (msg, status, node);
}

void
_bd_central_respond_invalid_request (SoupServerMessage *msg,
                         const char        *message)
{
  _bd_central_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request", message);
}

void
_bd_central_respond_too_large (SoupServerMessage *msg)
{
  _bd_central_respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
                 _("The request is too large."));
}

void
_bd_central_respond_internal_error (SoupServerMessage *msg,
                        const GError      *error)
{
  g_warning ("Request failed: %s", error->message);
  _bd_central_respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                 _("The server could not complete the request. Try again; if it keeps failing, tell the administrator."));
}

static void
respond_method_not_allowed (SoupServerMessage *msg,
                            const char        *allowed)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allowed);
  _bd_central_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                 _("This address does not accept that kind of request."));
}

static void
respond_unauthorized (SoupServerMessage *msg,
                      const char        *message)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "WWW-Authenticate", "Bearer realm=\"bijli-central\"");
  _bd_central_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized", message);
}

/* "Ask again in seconds": in the error body and as Retry-After. */
static void
set_retry_after (SoupServerMessage *msg,
                 JsonNode          *error_node,
                 gint64             seconds)
{
  g_autofree char *header = g_strdup_printf ("%" G_GINT64_FORMAT, seconds);

  json_object_set_int_member (json_object_get_object_member (json_node_get_object (error_node), "error"),
                              "retry_after", seconds);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", header);
}

void
_bd_central_respond_failure (SoupServerMessage *msg,
                             const GError      *error,
                             gint64             retry_after,
                             gint64             attempts_left)
{
  static const struct {
    int         code;
    guint       status;
    const char *name;
  } map[] = {
    { BD_CENTRAL_ERROR_INVALID_INPUT, SOUP_STATUS_BAD_REQUEST, "invalid_request" },
    { BD_CENTRAL_ERROR_RATE_LIMITED, 429, "rate_limited" },
    { BD_CENTRAL_ERROR_NO_MOBILE, SOUP_STATUS_CONFLICT, "no_mobile" },
    { BD_CENTRAL_ERROR_ALREADY_REGISTERED, SOUP_STATUS_CONFLICT, "already_registered" },
    { BD_CENTRAL_ERROR_OTP_WRONG, SOUP_STATUS_UNPROCESSABLE_ENTITY, "otp_wrong" },
    { BD_CENTRAL_ERROR_OTP_LOCKED, SOUP_STATUS_GONE, "otp_locked" },
    { BD_CENTRAL_ERROR_OTP_EXPIRED, SOUP_STATUS_GONE, "otp_expired" },
    { BD_CENTRAL_ERROR_OTP_USED, SOUP_STATUS_GONE, "otp_used" },
    { BD_CENTRAL_ERROR_OTP_NOT_VERIFIED, SOUP_STATUS_UNPROCESSABLE_ENTITY, "otp_not_verified" },
    { BD_CENTRAL_ERROR_USERNAME_TAKEN, SOUP_STATUS_CONFLICT, "username_taken" },
    { BD_CENTRAL_ERROR_NOT_REGISTERED, SOUP_STATUS_NOT_FOUND, "not_registered" },
    { BD_CENTRAL_ERROR_IDEMPOTENCY_MISMATCH, SOUP_STATUS_UNPROCESSABLE_ENTITY, "idempotency_mismatch" },
    { BD_CENTRAL_ERROR_NOT_PREPAID, SOUP_STATUS_CONFLICT, "not_prepaid" },
    { BD_CENTRAL_ERROR_REQUEST_BLOCKED, SOUP_STATUS_CONFLICT, "request_blocked" },
    { BD_CENTRAL_ERROR_FORBIDDEN, SOUP_STATUS_FORBIDDEN, "forbidden" },
    { BD_CENTRAL_ERROR_NOT_ALLOWED, SOUP_STATUS_CONFLICT, "transition_not_allowed" },
    { BD_CENTRAL_ERROR_ACCOUNT_DISABLED, SOUP_STATUS_FORBIDDEN, "account_disabled" },
  };

  if (g_error_matches (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND))
    {
      _bd_central_respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", error->message);
      return;
    }

  /* The complaint rules of the core, as the desk words them too. */
  if (error->domain == BD_COMPLAINT_ERROR)
    {
      switch (error->code)
        {
        case BD_COMPLAINT_ERROR_FORBIDDEN:
          _bd_central_respond_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden", error->message);
          return;
        case BD_COMPLAINT_ERROR_OTP_REQUIRED:
          _bd_central_respond_error (msg, SOUP_STATUS_FORBIDDEN, "otp_required", error->message);
          return;
        case BD_COMPLAINT_ERROR_NOTE_REQUIRED:
          _bd_central_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request", error->message);
          return;
        case BD_COMPLAINT_ERROR_NOT_ALLOWED:
        default:
          _bd_central_respond_error (msg, SOUP_STATUS_CONFLICT, "transition_not_allowed", error->message);
          return;
        }
    }

  for (guint i = 0; error->domain == BD_CENTRAL_ERROR && i < G_N_ELEMENTS (map); i++)
    {
      g_autoptr(JsonNode) node = NULL;
      JsonObject *detail;

      if (map[i].code != error->code)
        continue;

      node = bd_api_error_to_json (map[i].name, error->message);
      detail = json_object_get_object_member (json_node_get_object (node), "error");
      if (retry_after >= 0 && map[i].code == BD_CENTRAL_ERROR_RATE_LIMITED)
        set_retry_after (msg, node, retry_after);
      if (attempts_left >= 0 && map[i].code == BD_CENTRAL_ERROR_OTP_WRONG)
        json_object_set_int_member (detail, "attempts_left", attempts_left);
      _bd_central_respond_json (msg, map[i].status, node);
      return;
    }

  _bd_central_respond_internal_error (msg, error);
}

JsonObject *
_bd_central_read_json_object (SoupServerMessage  *msg,
                              GBytes            **out_bytes)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  const char *data;
  gsize length;

  data = g_bytes_get_data (bytes, &length);
  if (length > BD_CENTRAL_MAX_BODY_BYTES)
    {
      _bd_central_respond_too_large (msg);
      return NULL;
    }

  node = bd_json_parse (data != NULL ? data : "", (gssize) length, &error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *message =
        g_strdup_printf (_("The request is not a valid JSON object: %s"),
                         error != NULL ? error->message : _("another JSON value was sent"));

      _bd_central_respond_invalid_request (msg, message);
      return NULL;
    }

  if (out_bytes != NULL)
    *out_bytes = g_steal_pointer (&bytes);
  return json_object_ref (json_node_get_object (node));
}

char *
_bd_central_parse_account (SoupServerMessage *msg,
                           const char        *segment)
{
  g_autofree char *unescaped = segment != NULL ? g_uri_unescape_string (segment, "/") : NULL;
  char *account = unescaped != NULL ? bd_account_normalize (unescaped, NULL) : NULL;

  if (account == NULL)
    _bd_central_respond_invalid_request (msg, _("An account number has 10 digits (12 for some rural accounts)."));

  return account;
}

gboolean
_bd_central_read_text (SoupServerMessage  *msg,
                       JsonObject         *request,
                       const char         *name,
                       gboolean            required,
                       glong               max_chars,
                       char              **out)
{
  const char *text;
  g_autofree char *stripped = NULL;

  *out = NULL;
  if (!(required ? _bd_central_require_string (msg, request, name, &text)
                 : _bd_central_get_string (msg, request, name, &text)))
    return FALSE;
  if (text == NULL)
    return TRUE;
  stripped = g_strstrip (g_strdup (text));
  if (*stripped == '\0' && !required)
    return TRUE;
  if (*stripped == '\0' || g_utf8_strlen (stripped, -1) > max_chars)
    {
      g_autofree char *message = g_strdup_printf (_("“%s” must be 1 to %ld characters."), name, max_chars);

      _bd_central_respond_invalid_request (msg, message);
      return FALSE;
    }
  *out = g_steal_pointer (&stripped);
  return TRUE;
}

void
_bd_central_respond_stored (SoupServerMessage *msg,
                            guint              status,
                            char              *body,
                            gboolean           replayed)
{
  gsize length = strlen (body);

  if (replayed)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "Idempotent-Replayed", "true");
  _bd_central_respond_text (msg, status, body, length);
}

gboolean
_bd_central_check_members (SoupServerMessage  *msg,
                           JsonObject         *object,
                           const char * const *allowed)
{
  g_autoptr(GList) names = json_object_get_members (object);

  for (GList *l = names; l != NULL; l = l->next)
    {
      if (!g_strv_contains (allowed, l->data))
        {
          g_autofree char *message =
            g_strdup_printf (_("The request has a member “%s” this server does not know."),
                             (const char *) l->data);

          _bd_central_respond_invalid_request (msg, message);
          return FALSE;
        }
    }

  return TRUE;
}

const char *
_bd_central_query_get (GHashTable *query,
           const char *name)
{
  return query != NULL ? g_hash_table_lookup (query, name) : NULL;
}

/* Decimal digits only: no sign, space or exponent that strtoll would take. */
gboolean
_bd_central_parse_decimal (const char *text,
               guint64     min,
               guint64     max,
               guint64    *out)
{
  guint64 value = 0;

  if (text == NULL || *text == '\0' || strlen (text) > 19)
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      value = value * 10 + (guint64) (*p - '0');
    }

  if (value < min || value > max)
    return FALSE;

  *out = value;
  return TRUE;
}

gboolean
_bd_central_parse_limit (SoupServerMessage *msg,
             GHashTable        *query,
             guint              default_limit,
             guint              max_limit,
             guint             *out_limit)
{
  const char *text = _bd_central_query_get (query, "limit");
  guint64 value;

  if (text == NULL)
    {
      *out_limit = default_limit;
      return TRUE;
    }

  if (!_bd_central_parse_decimal (text, 1, max_limit, &value))
    {
      g_autofree char *message =
        g_strdup_printf (_("The limit must be a whole number from 1 to %u."), max_limit);

      _bd_central_respond_invalid_request (msg, message);
      return FALSE;
    }

  *out_limit = (guint) value;
  return TRUE;
}

/* Returns the caller's session, or NULL after answering 401 (or 500). */
static BdSession *
authenticate (BdCentralServer   *self,
              SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Authorization");
  g_autoptr(GError) error = NULL;
  CachedSession *cached;
  BdSession *session;
  const char *token;
  gint64 now_us;

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", strlen ("Bearer ")) != 0)
    {
      respond_unauthorized (msg, _("Sign in first: this request needs a session token."));
      return NULL;
    }

  token = header + strlen ("Bearer ");
  while (*token == ' ')
    token++;

  now_us = g_get_real_time ();
  cached = g_hash_table_lookup (self->sessions, token);
  if (cached != NULL && now_us < cached->valid_until_us)
    return g_object_ref (cached->session);

  session = bd_central_db_lookup_session (self->db, token, now_us / G_USEC_PER_SEC, &error);
  if (session == NULL)
    {
      g_hash_table_remove (self->sessions, token);
      if (g_error_matches (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_UNAUTHORIZED))
        respond_unauthorized (msg, error->message);
      else
        _bd_central_respond_internal_error (msg, error);
      return NULL;
    }

  /* A simple bound: a flood of distinct valid tokens only costs lookups. */
  if (g_hash_table_size (self->sessions) >= SESSION_CACHE_MAX)
    g_hash_table_remove_all (self->sessions);
  cached = g_new0 (CachedSession, 1);
  cached->session = g_object_ref (session);
  cached->valid_until_us = MIN (now_us + SESSION_CACHE_TTL_US,
                                bd_session_get_expires_at (session) * G_USEC_PER_SEC);
  g_hash_table_replace (self->sessions, g_strdup (token), cached);

  return session;
}

static void
handle_health (BdCentralServer   *self,
               SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *now = bd_time_to_iso8601 (g_get_real_time () / G_USEC_PER_SEC);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "ok");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "time");
  json_builder_add_string_value (builder, now);
  /* Which desks can start from this server's zone snapshots. */
  if (self->snapshots != NULL)
    {
      json_builder_set_member_name (builder, "snapshot_schema");
      json_builder_add_int_value (builder, bd_consumer_store_latest_schema_version ());
    }
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  _bd_central_respond_json (msg, SOUP_STATUS_OK, node);
}

static void
handle_session (BdCentralServer   *self,
                SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(JsonNode) response = NULL;
  g_autoptr(BdSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;
  g_autofree char *zone = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 retry_after = -1;
  const char *data;
  gsize length;

  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &length);

  /* Chunked bodies carry no Content-Length for the early check. */
  if (length > BD_CENTRAL_MAX_BODY_BYTES)
    {
      _bd_central_respond_too_large (msg);
      return;
    }

  request = bd_json_parse (data != NULL ? data : "", (gssize) length, &error);
  if (request == NULL
      || !bd_sign_in_request_from_json (request, &username, &password, &zone, &error))
    {
      g_autofree char *message =
        g_strdup_printf (_("The sign-in request is not valid: %s"), error->message);

      _bd_central_respond_invalid_request (msg, message);
      return;
    }

  session = bd_central_db_sign_in_to_zone (self->db, username, password, zone, now, &retry_after, &error);
  if (session == NULL)
    {
      if (g_error_matches (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_CREDENTIALS))
        _bd_central_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid_credentials", error->message);
      else if (g_error_matches (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_RATE_LIMITED) ||
               g_error_matches (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_ACCOUNT_DISABLED) ||
               g_error_matches (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_FORBIDDEN))
        _bd_central_respond_failure (msg, error, retry_after, -1);
      else
        _bd_central_respond_internal_error (msg, error);
      return;
    }

  /* Expired sessions are dead weight; dropping them here needs no timer. */
  if (bd_central_db_purge_sessions (self->db, now, &error) < 0)
    {
      g_warning ("Could not remove expired sessions: %s", error->message);
      g_clear_error (&error);
    }

  response = bd_session_to_json (session);
  _bd_central_respond_json (msg, SOUP_STATUS_OK, response);
}

static void
handle_consumers (BdCentralServer   *self,
                  SoupServerMessage *msg,
                  BdSession         *session,
                  GHashTable        *query)
{
  const char *text = _bd_central_query_get (query, "q");
  g_autoptr(GPtrArray) consumers = NULL;
  g_autoptr(GError) error = NULL;
  char *body;
  gsize length;
  guint limit;

  if (!_bd_central_parse_limit (msg, query, BD_CENTRAL_SEARCH_DEFAULT_LIMIT, BD_CENTRAL_SEARCH_MAX_LIMIT, &limit))
    return;

  if (text == NULL)
    {
      _bd_central_respond_invalid_request (msg, _("Give the text to search for in the q parameter."));
      return;
    }
  if (strlen (text) > BD_CENTRAL_SEARCH_MAX_QUERY)
    {
      _bd_central_respond_invalid_request (msg, _("The search text is too long. Search by account number, mobile, meter number or a few words of the name."));
      return;
    }
  if (!g_utf8_validate (text, -1, NULL))
    {
      _bd_central_respond_invalid_request (msg, _("The search text is not valid UTF-8."));
      return;
    }

  consumers = bd_central_db_search (self->db, bd_session_get_zone (session), text, limit, NULL, &error);
  if (consumers == NULL)
    {
      _bd_central_respond_internal_error (msg, error);
      return;
    }

  body = bd_central_json_consumer_list (consumers, &length);
  _bd_central_respond_text (msg, SOUP_STATUS_OK, body, length);
}

static void
handle_consumer (BdCentralServer   *self,
                 SoupServerMessage *msg,
                 BdSession         *session,
                 const char        *segment)
{
  g_autofree char *account = _bd_central_parse_account (msg, segment);
  g_autoptr(BdConsumer) consumer = NULL;
  g_autoptr(GError) error = NULL;
  GString *body;
  gsize length;

  if (account == NULL)
    return;

  consumer = bd_central_db_lookup_consumer (self->db, bd_session_get_zone (session), account, &error);
  if (consumer == NULL)
    {
      if (g_error_matches (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND))
        _bd_central_respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", error->message);
      else
        _bd_central_respond_internal_error (msg, error);
      return;
    }

  /* The full record (the whole mobile number) was shown: on the record. */
  if (!bd_central_db_audit_view (self->db, session, "consumer.view", account,
                                 g_get_real_time () / G_USEC_PER_SEC, &error))
    {
      _bd_central_respond_internal_error (msg, error);
      return;
    }

  body = g_string_sized_new (1024);
  bd_central_json_append_consumer (body, consumer);
  length = body->len;
  _bd_central_respond_text (msg, SOUP_STATUS_OK, g_string_free (body, FALSE), length);
}

static void
handle_changes (BdCentralServer   *self,
                SoupServerMessage *msg,
                BdSession         *session,
                GHashTable        *query)
{
  const char *since = _bd_central_query_get (query, "since");
  g_autoptr(BdChangesPage) page = NULL;
  g_autoptr(GArray) seqs = NULL;
  g_autoptr(GError) error = NULL;
  char *body;
  gsize length;
  guint64 after = 0;
  guint limit;

  if (!_bd_central_parse_limit (msg, query, BD_CENTRAL_CHANGES_DEFAULT_LIMIT, BD_CENTRAL_CHANGES_MAX_LIMIT, &limit))
    return;

  if (since != NULL && !_bd_central_parse_decimal (since, 0, G_MAXINT64, &after))
    {
      _bd_central_respond_invalid_request (msg, _("The cursor is not one this server issued. Start again without one."));
      return;
    }

  page = bd_central_db_changes (self->db, bd_session_get_zone (session), (gint64) after,
                                limit, &seqs, &error);
  if (page == NULL)
    {
      _bd_central_respond_internal_error (msg, error);
      return;
    }

  body = bd_central_json_changes_page (page, (const gint64 *) (gpointer) seqs->data, &length);
  _bd_central_respond_text (msg, SOUP_STATUS_OK, body, length);
}

/* The zone's desk store as one SQLite file, for a desk's first sync (see
 * bd-central-snapshots.c). The desk says which store schema it has; a
 * snapshot of another is of no use to it, so it gets 404 and the feed. */
static void
handle_snapshot (BdCentralServer   *self,
                 SoupServerMessage *msg,
                 BdSession         *session,
                 GHashTable        *query)
{
  const char *schema = _bd_central_query_get (query, "schema");
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr(GBytes) contents = NULL;
  g_autofree char *cursor_text = NULL;
  g_autofree char *consumers_text = NULL;
  gint64 cursor = 0, consumers = 0;
  guint64 version = 0;

  if (schema == NULL || !_bd_central_parse_decimal (schema, 1, G_MAXINT, &version))
    {
      _bd_central_respond_invalid_request (msg, _("Say which version of the local store the snapshot is for."));
      return;
    }
  if (self->snapshots == NULL || (int) version != bd_consumer_store_latest_schema_version ())
    {
      _bd_central_respond_error (msg, SOUP_STATUS_NOT_FOUND, "snapshot_unavailable",
                                 _("This server has no snapshot for this version of Bijli Desk. "
                                   "The desk syncs through the changes feed instead."));
      return;
    }
  if (!bd_central_snapshots_lookup (self->snapshots, self->db, bd_session_get_zone (session),
                                    &contents, &cursor, &consumers))
    {
      g_autoptr(JsonNode) node = bd_api_error_to_json ("snapshot_building",
                                                       _("The zone's snapshot is being prepared. "
                                                         "Try again later, or sync through the changes feed."));

      set_retry_after (msg, node, SNAPSHOT_RETRY_AFTER_S);
      _bd_central_respond_json (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, node);
      return;
    }

  cursor_text = g_strdup_printf ("%" G_GINT64_FORMAT, cursor);
  consumers_text = g_strdup_printf ("%" G_GINT64_FORMAT, consumers);
  soup_message_headers_replace (headers, "X-Bijli-Snapshot-Cursor", cursor_text);
  soup_message_headers_replace (headers, "X-Bijli-Snapshot-Consumers", consumers_text);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, "application/vnd.sqlite3", NULL);
  /* The mapped file itself, not a copy: hundreds of megabytes on a large zone. */
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), contents);
}

static void
on_early_request_cb (SoupServer        *server,
                     SoupServerMessage *msg,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  /* Refused before the body is read. Unless the client asked with
   * "Expect: 100-continue", libsoup still reads the body before it
   * answers: it must not keep it, so a huge upload costs no memory. */
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
      && soup_message_headers_get_content_length (headers) > BD_CENTRAL_MAX_BODY_BYTES)
    {
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      _bd_central_respond_too_large (msg);
    }
}

/* Answers 405 unless the method is one of allowed ("GET", "GET, PATCH"). */
static gboolean
check_method (SoupServerMessage *msg,
              const char        *allowed)
{
  const char *method = soup_server_message_get_method (msg);
  g_auto(GStrv) methods = g_strsplit (allowed, ", ", -1);

  if (g_strv_contains ((const char * const *) methods, method))
    return TRUE;

  respond_method_not_allowed (msg, allowed);
  return FALSE;
}

static const char *
allowed_methods (Route route)
{
  switch (route)
    {
    case ROUTE_SESSION:
      return "GET, POST, DELETE";
    case ROUTE_USERS:
      return "GET, POST";
    case ROUTE_USER:
      return "GET, PATCH";
    case ROUTE_USER_PASSWORD:
      return "POST";
    case ROUTE_USER_SESSIONS:
      return "DELETE";
    case ROUTE_OTP:
    case ROUTE_OTP_RESEND:
    case ROUTE_OTP_VERIFY:
    case ROUTE_REGISTRATIONS:
    case ROUTE_COMPLAINT_ACTIONS:
    case ROUTE_COMPLAINT_CLOSE_OTP:
      return "POST";
    case ROUTE_INDEXING:
      return "GET, PATCH";
    case ROUTE_COMPLAINTS:
    case ROUTE_RECHARGES:
    case ROUTE_REQUESTS:
      return "GET, POST";
    case ROUTE_REQUEST_CONSENT_OTP:
    case ROUTE_REQUEST_ACTIONS:
      return "POST";
    case ROUTE_HEALTH:
    case ROUTE_CONSUMERS:
    case ROUTE_CONSUMER:
    case ROUTE_CHANGES:
    case ROUTE_SNAPSHOT:
    case ROUTE_HISTORY:
    case ROUTE_OTP_ITEM:
    case ROUTE_REGISTRATION:
    case ROUTE_DEMO_SMS:
    case ROUTE_UNKNOWN:
    default:
      return "GET";
    }
}

void
_bd_central_forget_sessions_of (BdCentralServer *self,
                                const char      *username)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (g_str_equal (bd_session_get_username (((CachedSession *) value)->session), username))
      g_hash_table_iter_remove (&iter);
}

/* DELETE /session: the token stops working here at once (other worker
 * processes stop taking it within their cache's minute). */
static void
handle_sign_out (BdCentralServer   *self,
                 SoupServerMessage *msg,
                 BdSession         *session)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  GHashTableIter iter;
  gpointer value;

  if (!bd_central_db_revoke_session (self->db, session, g_get_real_time () / G_USEC_PER_SEC, &error))
    {
      _bd_central_respond_internal_error (msg, error);
      return;
    }
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((CachedSession *) value)->session == session)
      g_hash_table_iter_remove (&iter);
  g_hash_table_remove (self->sessions, bd_session_get_token (session));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "signed_out");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  _bd_central_respond_json (msg, SOUP_STATUS_OK, node);
}

/* The zone's audit log, for supervisors, newest first, in pages. */
static void
handle_audit (BdCentralServer   *self,
              SoupServerMessage *msg,
              BdSession         *session,
              GHashTable        *query)
{
  const char *target = _bd_central_query_get (query, "target");
  const char *before = _bd_central_query_get (query, "before");
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  guint64 before_seq = 0;
  guint limit;

  if (bd_session_get_role (session) != BD_ROLE_SUPERVISOR && bd_session_get_role (session) != BD_ROLE_ADMIN)
    {
      _bd_central_respond_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden", _("Only a supervisor can see this."));
      return;
    }
  if (!_bd_central_parse_limit (msg, query, 100, 500, &limit))
    return;
  if (before != NULL && !_bd_central_parse_decimal (before, 1, G_MAXINT64, &before_seq))
    {
      _bd_central_respond_invalid_request (msg, _("“before” must be an entry number from this log."));
      return;
    }
  if (target != NULL && (*target == '\0' || strlen (target) > 32))
    target = NULL;

  node = bd_central_db_audit_list (self->db, bd_session_get_zone (session), target, (gint64) before_seq,
                                   limit, &error);
  if (node == NULL)
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }
  _bd_central_respond_json (msg, SOUP_STATUS_OK, node);
}

/* Writes that need the consumer (or their papers, or their money) in
 * front of the member of staff: a 1912 call-centre agent on the phone can
 * read them, and file and follow complaints, but not make these. */
static gboolean
counter_only (Route       route,
              const char *method)
{
  gboolean post = g_str_equal (method, SOUP_METHOD_POST);

  switch (route)
    {
    case ROUTE_INDEXING:
      return g_str_equal (method, "PATCH");
    case ROUTE_OTP:
    case ROUTE_OTP_RESEND:
    case ROUTE_OTP_VERIFY:
    case ROUTE_REQUEST_CONSENT_OTP:
      return TRUE;
    case ROUTE_REGISTRATIONS:
    case ROUTE_RECHARGES:
    case ROUTE_REQUESTS:
      return post;
    default:
      return FALSE;
    }
}

/* The desk's id from X-Bijli-Desk when it looks like one (1–64 letters,
 * digits and dashes), else NULL: it goes into the audit log verbatim. */
static const char *
desk_of (SoupServerMessage *msg)
{
  const char *desk = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "X-Bijli-Desk");
  gsize length;

  if (desk == NULL)
    return NULL;
  length = strlen (desk);
  if (length == 0 || length > 64)
    return NULL;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (desk[i]) && desk[i] != '-')
      return NULL;
  return desk;
}

static void serve_route (BdCentralServer   *self,
                         SoupServerMessage *msg,
                         const char        *path,
                         GHashTable        *query);

/* Handlers answer before they return (a paused long poll writes nothing
 * to the audit log later), so the desk is set for exactly their run. */
static void
serve_request (BdCentralServer   *self,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query)
{
  bd_central_db_set_request_desk (self->db, desk_of (msg));
  serve_route (self, msg, path, query);
  bd_central_db_set_request_desk (self->db, NULL);
}

static void
serve_route (BdCentralServer   *self,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query)
{
  g_autoptr(BdSession) session = NULL;
  g_autofree char *param = NULL;
  Route route = route_for_path (path, &param, NULL);

  /* Without --demo the demo inbox does not exist at all. */
  if (route == ROUTE_UNKNOWN || (route == ROUTE_DEMO_SMS && !self->demo))
    {
      _bd_central_respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found",
                                 _("There is nothing at this address. Check the server address in the settings."));
      return;
    }

  if (!check_method (msg, allowed_methods (route)))
    return;

  if (route == ROUTE_HEALTH)
    {
      handle_health (self, msg);
      return;
    }
  if (route == ROUTE_SESSION &&
      g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_POST))
    {
      handle_session (self, msg);
      return;
    }

  session = authenticate (self, msg);
  if (session == NULL)
    return;

  if (bd_session_get_role (session) == BD_ROLE_AGENT &&
      counter_only (route, soup_server_message_get_method (msg)))
    {
      _bd_central_respond_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                                 _("Call-centre agents look up consumers and take complaints; this is done at a counter."));
      return;
    }

  switch (route)
    {
    case ROUTE_CONSUMERS:
      handle_consumers (self, msg, session, query);
      break;
    case ROUTE_CONSUMER:
      handle_consumer (self, msg, session, param);
      break;
    case ROUTE_CHANGES:
      handle_changes (self, msg, session, query);
      break;
    case ROUTE_SNAPSHOT:
      handle_snapshot (self, msg, session, query);
      break;
    case ROUTE_INDEXING:
      if (g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_GET))
        _bd_central_handle_indexing_get (self, msg, session, param);
      else
        _bd_central_handle_indexing_patch (self, msg, session, param);
      break;
    case ROUTE_HISTORY:
      _bd_central_handle_history (self, msg, session, param, query);
      break;
    case ROUTE_OTP:
      _bd_central_handle_otp_create (self, msg, session);
      break;
    case ROUTE_OTP_ITEM:
      _bd_central_handle_otp_get (self, msg, session, param);
      break;
    case ROUTE_OTP_RESEND:
      _bd_central_handle_otp_resend (self, msg, session, param);
      break;
    case ROUTE_OTP_VERIFY:
      _bd_central_handle_otp_verify (self, msg, session, param);
      break;
    case ROUTE_REGISTRATIONS:
      _bd_central_handle_register (self, msg, session);
      break;
    case ROUTE_REGISTRATION:
      _bd_central_handle_registration (self, msg, session, param);
      break;
    case ROUTE_DEMO_SMS:
      _bd_central_handle_demo_sms (self, msg, session, query);
      break;
    case ROUTE_COMPLAINTS:
      _bd_central_handle_complaints (self, msg, session, BD_CENTRAL_COMPLAINT_ROUTE_COLLECTION, param, query);
      break;
    case ROUTE_COMPLAINT_EXPORT:
      _bd_central_handle_complaints (self, msg, session, BD_CENTRAL_COMPLAINT_ROUTE_EXPORT, param, query);
      break;
    case ROUTE_COMPLAINT_DUPLICATES:
      _bd_central_handle_complaints (self, msg, session, BD_CENTRAL_COMPLAINT_ROUTE_DUPLICATES, param, query);
      break;
    case ROUTE_COMPLAINT_CHANGES:
      _bd_central_handle_complaints (self, msg, session, BD_CENTRAL_COMPLAINT_ROUTE_CHANGES, param, query);
      break;
    case ROUTE_COMPLAINT_SUMMARY:
      _bd_central_handle_complaints (self, msg, session, BD_CENTRAL_COMPLAINT_ROUTE_SUMMARY, param, query);
      break;
    case ROUTE_COMPLAINT:
      _bd_central_handle_complaints (self, msg, session, BD_CENTRAL_COMPLAINT_ROUTE_ITEM, param, query);
      break;
    case ROUTE_COMPLAINT_ACTIONS:
      _bd_central_handle_complaints (self, msg, session, BD_CENTRAL_COMPLAINT_ROUTE_ACTIONS, param, query);
      break;
    case ROUTE_COMPLAINT_CLOSE_OTP:
      _bd_central_handle_complaints (self, msg, session, BD_CENTRAL_COMPLAINT_ROUTE_CLOSE_OTP, param, query);
      break;
    case ROUTE_AUDIT:
      handle_audit (self, msg, session, query);
      break;
    case ROUTE_BALANCE:
      _bd_central_handle_consumer_meter (self, msg, session, BD_CENTRAL_METER_ROUTE_BALANCE, param, query);
      break;
    case ROUTE_READINGS:
      _bd_central_handle_consumer_meter (self, msg, session, BD_CENTRAL_METER_ROUTE_READINGS, param, query);
      break;
    case ROUTE_RECHARGES:
      _bd_central_handle_consumer_meter (self, msg, session, BD_CENTRAL_METER_ROUTE_RECHARGES, param, query);
      break;
    case ROUTE_METERS_WATCH:
      _bd_central_handle_watch (self, msg, session, query);
      break;
    case ROUTE_PREPAID_RULES:
      _bd_central_handle_prepaid_rules (self, msg);
      break;
    case ROUTE_REQUESTS:
      _bd_central_handle_requests (self, msg, session, BD_CENTRAL_REQUEST_ROUTE_COLLECTION, param, query);
      break;
    case ROUTE_REQUEST_EXPORT:
      _bd_central_handle_requests (self, msg, session, BD_CENTRAL_REQUEST_ROUTE_EXPORT, param, query);
      break;
    case ROUTE_REQUEST_CONSENT_OTP:
      _bd_central_handle_requests (self, msg, session, BD_CENTRAL_REQUEST_ROUTE_CONSENT_OTP, param, query);
      break;
    case ROUTE_REQUEST:
      _bd_central_handle_requests (self, msg, session, BD_CENTRAL_REQUEST_ROUTE_ITEM, param, query);
      break;
    case ROUTE_REQUEST_ACTIONS:
      _bd_central_handle_requests (self, msg, session, BD_CENTRAL_REQUEST_ROUTE_ACTIONS, param, query);
      break;
    case ROUTE_SESSION:
      if (g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_GET))
        {
          g_autoptr(JsonNode) node = bd_session_to_json (session);

          _bd_central_respond_json (msg, SOUP_STATUS_OK, node);
        }
      else
        handle_sign_out (self, msg, session);
      break;
    case ROUTE_USERS:
      _bd_central_handle_users (self, msg, session);
      break;
    case ROUTE_USER:
      _bd_central_handle_user (self, msg, session, param);
      break;
    case ROUTE_USER_PASSWORD:
      _bd_central_handle_user_password (self, msg, session, param);
      break;
    case ROUTE_USER_SESSIONS:
      _bd_central_handle_user_sessions (self, msg, session, param);
      break;
    case ROUTE_HEALTH:
    case ROUTE_UNKNOWN:
    default:
      g_assert_not_reached ();
    }
}

static gboolean
on_fault_delay_done_cb (gpointer user_data)
{
  soup_server_message_unpause (SOUP_SERVER_MESSAGE (user_data));
  return G_SOURCE_REMOVE;
}

static void
on_request_cb (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  BdCentralServer *self = BD_CENTRAL_SERVER (user_data);
  BdCentralFaultKind fault = BD_CENTRAL_FAULT_NONE;

  if (self->faults != NULL && !g_str_equal (path, API_PREFIX "/health"))
    fault = bd_central_faults_draw (self->faults);
  if (fault != BD_CENTRAL_FAULT_NONE)
    g_printerr ("bijli-central: injected fault %s\n", bd_central_fault_kind_to_string (fault));

  switch (fault)
    {
    case BD_CENTRAL_FAULT_500:
      _bd_central_respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                                 _("The server could not complete the request. Try again; if it keeps failing, tell the administrator."));
      return;
    case BD_CENTRAL_FAULT_503:
      _bd_central_respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "internal",
                                 _("The server is busy. Try again in a moment."));
      return;
    case BD_CENTRAL_FAULT_LOST:
      {
        GIOStream *stream;

        /* Committed, but the caller never hears of it. */
        serve_request (self, msg, path, query);
        stream = soup_server_message_steal_connection (msg);
        g_io_stream_close (stream, NULL, NULL);
        g_object_unref (stream);
        return;
      }
    case BD_CENTRAL_FAULT_DELAY:
      serve_request (self, msg, path, query);
      soup_server_message_pause (msg);
      g_timeout_add_full (G_PRIORITY_DEFAULT, bd_central_faults_get_delay_ms (self->faults),
                          on_fault_delay_done_cb, g_object_ref (msg), g_object_unref);
      return;
    case BD_CENTRAL_FAULT_NONE:
    case BD_CENTRAL_N_FAULTS:
    default:
      serve_request (self, msg, path, query);
      return;
    }
}

static void
on_request_started_cb (SoupServer        *server,
                       SoupServerMessage *msg,
                       gpointer           user_data)
{
  gint64 *start = g_new (gint64, 1);

  *start = g_get_monotonic_time ();
  g_object_set_qdata_full (G_OBJECT (msg), start_time_quark, start, g_free);
}

/* "request-started" comes before the headers are read: a client trickling
 * them in times out through GSocket's timeout, which also ends the
 * non-blocking waits libsoup makes while a request is in progress. */
static void
on_request_started_timeout_cb (SoupServer        *server,
                               SoupServerMessage *msg,
                               gpointer           user_data)
{
  BdCentralServer *self = BD_CENTRAL_SERVER (user_data);
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket == NULL)
    return;
  if (g_socket_get_timeout (socket) != self->idle_timeout_s)
    g_socket_set_timeout (socket, self->idle_timeout_s);
  /* The next request has begun: the connection is not idle. */
  g_object_set_data (G_OBJECT (socket), "bd-idle-timer", NULL);
}

static gboolean
on_idle_connection_cb (gpointer user_data)
{
  GSocket *socket = G_SOCKET (user_data);

  /* This source is ending: its id must not be removed again later. */
  g_object_steal_data (G_OBJECT (socket), "bd-idle-timer");
  /* libsoup sees the end of the stream and drops the connection. */
  g_socket_shutdown (socket, TRUE, TRUE, NULL);
  return G_SOURCE_REMOVE;
}

static void
remove_idle_timer (gpointer data)
{
  g_source_remove (GPOINTER_TO_UINT (data));
}

/* Between two requests on a kept-alive connection libsoup waits without a
 * timeout of its own, so a timer closes a connection left idle. It is
 * the socket's data: cancelled by the next request or when the socket
 * goes, so it never outlives it. */
static void
on_request_finished_timeout_cb (SoupServer        *server,
                                SoupServerMessage *msg,
                                gpointer           user_data)
{
  BdCentralServer *self = BD_CENTRAL_SERVER (user_data);
  GSocket *socket = soup_server_message_get_socket (msg);
  guint id;

  if (socket == NULL || g_socket_is_closed (socket))
    return;
  id = g_timeout_add_seconds (self->idle_timeout_s, on_idle_connection_cb, socket);
  g_object_set_data_full (G_OBJECT (socket), "bd-idle-timer", GUINT_TO_POINTER (id), remove_idle_timer);
}

void
bd_central_server_set_idle_timeout (BdCentralServer *self,
                                    guint            seconds)
{
  g_return_if_fail (BD_IS_CENTRAL_SERVER (self));

  self->idle_timeout_s = seconds;
}

static void
on_request_finished_cb (SoupServer        *server,
                        SoupServerMessage *msg,
                        gpointer           user_data)
{
  const gint64 *start = g_object_get_qdata (G_OBJECT (msg), start_time_quark);
  GUri *uri = soup_server_message_get_uri (msg);
  g_autofree char *path = NULL;
  double ms = 0;

  /* Requests that never got as far as a URI (bad request lines) have nothing to log. */
  if (uri == NULL)
    return;

  if (start != NULL)
    ms = (double) (g_get_monotonic_time () - *start) / 1000.0;

  path = path_for_log (g_uri_get_path (uri));
  g_debug ("%s %s %u %.1f ms",
           soup_server_message_get_method (msg),
           path,
           soup_server_message_get_status (msg),
           ms);
}

static void
bd_central_server_constructed (GObject *object)
{
  BdCentralServer *self = (BdCentralServer *)object;

  G_OBJECT_CLASS (bd_central_server_parent_class)->constructed (object);

  self->server = soup_server_new ("server-header", "bijli-central/" PACKAGE_VERSION " ", NULL);
  soup_server_add_early_handler (self->server, NULL, on_early_request_cb, self, NULL);
  soup_server_add_handler (self->server, NULL, on_request_cb, self, NULL);
  g_signal_connect (self->server, "request-started", G_CALLBACK (on_request_started_timeout_cb), self);
  g_signal_connect (self->server, "request-finished", G_CALLBACK (on_request_finished_timeout_cb), self);
  self->sms = bd_central_sms_new (self->db, self->sms_failure_rate, self->demo);
  {
    const char *path = bd_sql_connection_get_path (bd_central_db_get_connection (self->db));
    const char *url = bd_central_db_get_url (self->db);
    g_autofree char *instance = NULL;
    g_autofree char *parent = NULL;

    /* Beside an SQLite file; in the user's cache for PostgreSQL, where
     * every process on the host shares them (one builds, see
     * bd-central-snapshots.c). */
    if (path != NULL && !g_str_equal (path, ":memory:") && !g_str_has_prefix (path, "file:"))
      parent = g_strconcat (path, ".snapshots", NULL);
    else if (bd_sql_url_is_postgresql (url))
      parent = g_build_filename (g_get_user_cache_dir (), "bijli-central", "snapshots", NULL);
    if (parent != NULL)
      instance = bd_central_db_dup_instance_id (self->db, NULL);
    /* One directory per database, so that a database made anew at the
     * same path never serves the old one's snapshots. */
    if (instance != NULL)
      {
        g_autofree char *directory = g_build_filename (parent, instance, NULL);

        if (path != NULL)
          bd_central_snapshots_remove_others (parent, instance);
        self->snapshots = bd_central_snapshots_new (url, directory);
      }
  }
  /* The request log costs an allocation per request: only when it is read. */
  if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
    {
      g_signal_connect (self->server, "request-started", G_CALLBACK (on_request_started_cb), self);
      g_signal_connect (self->server, "request-finished", G_CALLBACK (on_request_finished_cb), self);
    }
}

static void
bd_central_server_dispose (GObject *object)
{
  BdCentralServer *self = (BdCentralServer *)object;

  _bd_central_stop_meters (self);
  if (self->server != NULL)
    {
      soup_server_disconnect (self->server);
      g_signal_handlers_disconnect_by_data (self->server, self);
    }
  g_clear_object (&self->server);
  g_clear_object (&self->sms);
  g_clear_object (&self->faults);
  g_clear_object (&self->snapshots);
  g_clear_object (&self->db);
  g_clear_pointer (&self->sessions, g_hash_table_unref);

  G_OBJECT_CLASS (bd_central_server_parent_class)->dispose (object);
}

static void
bd_central_server_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  BdCentralServer *self = BD_CENTRAL_SERVER (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      g_value_set_object (value, self->db);
      break;
    case PROP_DEMO:
      g_value_set_boolean (value, self->demo);
      break;
    case PROP_SMS_FAILURE_RATE:
      g_value_set_double (value, self->sms_failure_rate);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bd_central_server_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  BdCentralServer *self = BD_CENTRAL_SERVER (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      g_set_object (&self->db, g_value_get_object (value));
      break;
    case PROP_DEMO:
      self->demo = g_value_get_boolean (value);
      break;
    case PROP_SMS_FAILURE_RATE:
      self->sms_failure_rate = g_value_get_double (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bd_central_server_class_init (BdCentralServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = bd_central_server_constructed;
  object_class->dispose = bd_central_server_dispose;
  object_class->get_property = bd_central_server_get_property;
  object_class->set_property = bd_central_server_set_property;

  properties[PROP_DATABASE] =
    g_param_spec_object ("database", NULL, NULL,
                         BD_TYPE_CENTRAL_DB,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Demo mode serves GET /demo/sms and keeps the codes in the SMS texts. */
  properties[PROP_DEMO] =
    g_param_spec_boolean ("demo", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                           G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SMS_FAILURE_RATE] =
    g_param_spec_double ("sms-failure-rate", NULL, NULL,
                         0.0, 1.0, 0.0,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  start_time_quark = g_quark_from_static_string ("bd-central-request-start");
}

static void
bd_central_server_init (BdCentralServer *self)
{
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, cached_session_free);
  self->idle_timeout_s = BD_CENTRAL_IDLE_TIMEOUT_S;
}

BdCentralServer *
bd_central_server_new (BdCentralDb *db)
{
  g_return_val_if_fail (BD_IS_CENTRAL_DB (db), NULL);

  return g_object_new (BD_TYPE_CENTRAL_SERVER, "database", db, NULL);
}

BdCentralServer *
bd_central_server_new_with_options (BdCentralDb *db,
                                    gboolean     demo,
                                    double       sms_failure_rate)
{
  g_return_val_if_fail (BD_IS_CENTRAL_DB (db), NULL);
  g_return_val_if_fail (sms_failure_rate >= 0 && sms_failure_rate <= 1, NULL);

  return g_object_new (BD_TYPE_CENTRAL_SERVER,
                       "database", db,
                       "demo", demo,
                       "sms-failure-rate", sms_failure_rate,
                       NULL);
}

BdCentralDb *
bd_central_server_get_database (BdCentralServer *self)
{
  g_return_val_if_fail (BD_IS_CENTRAL_SERVER (self), NULL);

  return self->db;
}

gboolean
bd_central_server_set_tls (BdCentralServer  *self,
                           const char       *cert_file,
                           const char       *key_file,
                           GError          **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;

  g_return_val_if_fail (BD_IS_CENTRAL_SERVER (self), FALSE);
  g_return_val_if_fail (cert_file != NULL && key_file != NULL, FALSE);

  certificate = g_tls_certificate_new_from_files (cert_file, key_file, error);
  if (certificate == NULL)
    return FALSE;
  soup_server_set_tls_certificate (self->server, certificate);
  self->tls = TRUE;
  return TRUE;
}

gboolean
bd_central_server_get_tls (BdCentralServer *self)
{
  g_return_val_if_fail (BD_IS_CENTRAL_SERVER (self), FALSE);

  return self->tls;
}

gboolean
bd_central_server_listen_local (BdCentralServer  *self,
                                guint             port,
                                GError          **error)
{
  g_return_val_if_fail (BD_IS_CENTRAL_SERVER (self), FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);

  return soup_server_listen_local (self->server, port,
                                   SOUP_SERVER_LISTEN_IPV4_ONLY | (self->tls ? SOUP_SERVER_LISTEN_HTTPS : 0),
                                   error);
}

gboolean
bd_central_server_listen_socket (BdCentralServer  *self,
                                 GSocket          *socket,
                                 GError          **error)
{
  g_return_val_if_fail (BD_IS_CENTRAL_SERVER (self), FALSE);
  g_return_val_if_fail (G_IS_SOCKET (socket), FALSE);

  return soup_server_listen_socket (self->server, socket, 0, error);
}

guint
bd_central_server_get_port (BdCentralServer *self)
{
  GSList *uris;
  guint port = 0;

  g_return_val_if_fail (BD_IS_CENTRAL_SERVER (self), 0);

  uris = soup_server_get_uris (self->server);
  if (uris != NULL)
    port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return port;
}

void
bd_central_server_set_faults (BdCentralServer *self,
                              BdCentralFaults *faults)
{
  g_return_if_fail (BD_IS_CENTRAL_SERVER (self));
  g_return_if_fail (faults == NULL || BD_IS_CENTRAL_FAULTS (faults));

  g_set_object (&self->faults, faults);
}

void
bd_central_server_disconnect (BdCentralServer *self)
{
  g_return_if_fail (BD_IS_CENTRAL_SERVER (self));

  soup_server_disconnect (self->server);
}
