/* bd-client.c: the desk's HTTP/JSON client for bijli-central's /api/v1.
 *
 * Every request goes through send_request() and on_request_done_cb(), so
 * authorisation, the JSON check and the error mapping happen in one place.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-codec.h"
#include "core/bd-time.h"
#include "bd-client.h"
#include "bd-client-private.h"

#define REQUEST_TIMEOUT_S 15
#define IDLE_TIMEOUT_S    60
#define SESSION_PATH      "/api/v1/session"
#define MAX_PAGE_SIZE     1000

G_DEFINE_TYPE (BdClient, bd_client, G_TYPE_OBJECT)

G_DEFINE_QUARK (bd-net-error-quark, bd_net_error)

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum {
  REQUEST_SIGN_IN = 1 << 0,   /* the answer is the session to use from now on */
  REQUEST_RAW     = 1 << 1,   /* send_json: any 2xx body, even empty, is the result */
} RequestFlags;

typedef gpointer (*DecodeFunc) (JsonNode  *root,
                                GError   **error);

typedef struct
{
  SoupMessage    *message;
  char           *path;      /* without the query, for error mapping */
  DecodeFunc      decode;
  GDestroyNotify  free_result;
  gboolean        is_sign_in;
  gboolean        has_body;       /* a POST with a password, not a resume */
  gboolean        raw;       /* send_json: any 2xx body, even empty, is the result */
  GBytes         *body;      /* the answer, while it is decoded in a worker thread */
  guint           status;    /* the HTTP status; 0 until an answer came */
  gint            retry_after;    /* from an error answer, or -1 */
  gint            attempts_left;  /* from an error answer, or -1 */
} RequestData;

/* POST /registrations and GET /registrations/{account} */
typedef struct
{
  char     *username;
  gint64    registered_at;
  gboolean  temporary_password_sent;
} Registration;

static void
request_data_free (RequestData *data)
{
  g_clear_object (&data->message);
  g_clear_pointer (&data->body, g_bytes_unref);
  g_free (data->path);
  g_free (data);
}

static gpointer
decode_session (JsonNode  *root,
                GError   **error)
{
  return bd_session_from_json (root, error);
}

static gpointer
decode_changes_page (JsonNode  *root,
                     GError   **error)
{
  return bd_changes_page_from_json (root, error);
}

static gpointer
decode_consumer_list (JsonNode  *root,
                      GError   **error)
{
  return bd_consumer_list_from_json (root, error);
}

static gpointer
decode_consumer (JsonNode  *root,
                 GError   **error)
{
  return bd_consumer_from_json (root, error);
}

static void
registration_free (Registration *registration)
{
  g_free (registration->username);
  g_free (registration);
}

static gpointer
decode_registration (JsonNode  *root,
                     GError   **error)
{
  Registration *registration = g_new0 (Registration, 1);

  if (!bd_registration_from_json (root, NULL, &registration->username,
                                  &registration->registered_at,
                                  &registration->temporary_password_sent, error))
    {
      registration_free (registration);
      return NULL;
    }
  return registration;
}

static gpointer
decode_otp_ticket (JsonNode  *root,
                   GError   **error)
{
  return bd_otp_ticket_from_json (root, error);
}

static gpointer
decode_indexing (JsonNode  *root,
                 GError   **error)
{
  return bd_indexing_from_json (root, error);
}

static gpointer
decode_history (JsonNode  *root,
                GError   **error)
{
  return bd_history_from_json (root, error);
}

static gpointer
decode_balance (JsonNode  *root,
                GError   **error)
{
  return bd_balance_from_json (root, error);
}

static gpointer
decode_readings (JsonNode  *root,
                 GError   **error)
{
  return bd_reading_series_from_json (root, error);
}

static gpointer
decode_recharges (JsonNode  *root,
                  GError   **error)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  JsonNode *list = object != NULL ? json_object_get_member (object, "recharges") : NULL;
  g_autoptr(GPtrArray) recharges = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_recharge_free);
  JsonArray *array;

  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      g_set_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_MALFORMED, "recharges: not a list");
      return NULL;
    }
  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array) && i < 1000; i++)
    {
      BdRecharge *recharge = bd_recharge_from_json (json_array_get_element (array, i), error);
      if (recharge == NULL)
        return NULL;
      g_ptr_array_add (recharges, recharge);
    }
  return g_steal_pointer (&recharges);
}

/* {"seq": N, "balances": [...]}: the balances, with seq kept first as a
 * boxed value in the array's user data (see bd_client_watch_finish). */
typedef struct {
  gint64     seq;
  GPtrArray *balances;
} WatchAnswer;

static void
watch_answer_free (WatchAnswer *answer)
{
  g_clear_pointer (&answer->balances, g_ptr_array_unref);
  g_free (answer);
}

static gpointer
decode_watch (JsonNode  *root,
              GError   **error)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  JsonNode *seq = object != NULL ? json_object_get_member (object, "seq") : NULL;
  JsonNode *list = object != NULL ? json_object_get_member (object, "balances") : NULL;
  WatchAnswer *answer;
  JsonArray *array;

  if (seq == NULL || !JSON_NODE_HOLDS_VALUE (seq) || json_node_get_value_type (seq) != G_TYPE_INT64 ||
      list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      g_set_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_MALFORMED, "watch: not the documented shape");
      return NULL;
    }
  answer = g_new0 (WatchAnswer, 1);
  answer->seq = json_node_get_int (seq);
  answer->balances = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_balance_free);
  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array) && i < 100; i++)
    {
      BdBalance *balance = bd_balance_from_json (json_array_get_element (array, i), error);
      if (balance == NULL)
        {
          watch_answer_free (answer);
          return NULL;
        }
      g_ptr_array_add (answer->balances, balance);
    }
  return answer;
}

static gpointer
decode_any_json (JsonNode  *root,
                 GError   **error)
{
  return json_node_copy (root);
}

/* retry_after and attempts_left of an error answer; -1 when absent. A
 * Retry-After header stands in for a body without retry_after. */
static void
read_error_details (SoupMessage *message,
                    GBytes      *body,
                    gint        *retry_after,
                    gint        *attempts_left)
{
  const char *header;

  *retry_after = -1;
  *attempts_left = -1;
  if (body != NULL && g_bytes_get_size (body) > 0)
    {
      gsize length;
      gconstpointer data = g_bytes_get_data (body, &length);
      g_autoptr(JsonNode) root = bd_json_parse (data, (gssize) length, NULL);

      if (root != NULL)
        bd_api_error_from_json_full (root, NULL, NULL, retry_after, attempts_left, NULL);
    }

  header = soup_message_headers_get_one (soup_message_get_response_headers (message), "Retry-After");
  if (*retry_after < 0 && header != NULL)
    {
      guint64 seconds;

      if (g_ascii_string_to_unsigned (header, 10, 0, 86400, &seconds, NULL))
        *retry_after = (gint) seconds;
    }
}

GError *
_bd_client_bad_response_error (void)
{
  return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_BAD_RESPONSE,
                              _("The server sent an answer the desk does not understand. "
                                "Check that the server address is right and that the "
                                "server is up to date."));
}

/* The query of a search carries what the operator typed (names, mobiles):
 * it must not reach a log. */
static char *
redact_search_query (const char *line)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = line;

  while (*p != '\0')
    {
      if ((*p == '?' || *p == '&') && p[1] == 'q' && p[2] == '=')
        {
          g_string_append_len (out, p, 3);
          g_string_append (out, "[hidden]");
          p += 3;
          while (*p != '\0' && *p != '&' && *p != ' ')
            p++;
          continue;
        }
      g_string_append_c (out, *p++);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
on_logger_print_cb (SoupLogger         *logger,
                    SoupLoggerLogLevel  level,
                    char                direction,
                    const char         *data,
                    gpointer            user_data)
{
  g_autofree char *redacted = NULL;

  if (g_ascii_strncasecmp (data, "Authorization:", strlen ("Authorization:")) == 0)
    {
      g_printerr ("%c Authorization: [hidden]\n", direction);
      return;
    }
  redacted = redact_search_query (data);
  g_printerr ("%c %s\n", direction, redacted);
}

static gboolean
is_json_content_type (SoupMessage *message)
{
  const char *type;

  type = soup_message_headers_get_content_type (soup_message_get_response_headers (message),
                                                NULL);
  if (type == NULL)
    return FALSE;
  return g_ascii_strcasecmp (type, "application/json") == 0 ||
         g_str_has_suffix (type, "+json");
}

/* Parses and decodes an answer; pure, so it may run in any thread. */
static gpointer
decode_body (RequestData  *data,
             GBytes       *body,
             GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = NULL;
  gconstpointer bytes;
  gsize length;
  gpointer decoded;

  bytes = g_bytes_get_data (body, &length);
  /* A page of the feed as the server writes it: in one pass, without
   * json-glib's tree (see bd-changes-page-parse.c); anything else, and
   * every error, goes the general way. */
  if (data->decode == decode_changes_page)
    {
      decoded = bd_changes_page_parse_fast (bytes, length);
      if (decoded != NULL)
        return decoded;
    }
  root = bd_json_parse (bytes, (gssize) length, &local_error);
  decoded = root != NULL ? data->decode (root, &local_error) : NULL;
  if (decoded == NULL)
    {
      /* The codec's message may quote record fields: do not log it. */
      g_debug ("%s answered with JSON of the wrong shape", data->path);
      g_propagate_error (error, _bd_client_bad_response_error ());
    }
  return decoded;
}

static void
decode_in_thread_cb (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  RequestData *data = task_data;
  GError *error = NULL;
  gpointer decoded = decode_body (data, data->body, &error);

  if (decoded == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, decoded, data->free_result);
}

static void
on_request_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BdClient *self = g_task_get_source_object (task);
  RequestData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  gpointer decoded;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      GError *mapped = bd_net_error_from_transport (error);

      /* Name the server so the operator can tell a typo from an outage. */
      if (mapped->code == BD_NET_ERROR_UNREACHABLE)
        {
          g_clear_error (&mapped);
          mapped = g_error_new (BD_NET_ERROR, BD_NET_ERROR_UNREACHABLE,
                                _("Cannot reach the server at %s. Check the network "
                                  "cable or Wi-Fi, or work offline."),
                                self->base_url);
        }
      g_task_return_error (task, mapped);
      return;
    }

  status = soup_message_get_status (data->message);
  data->status = status;
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      read_error_details (data->message, body, &data->retry_after, &data->attempts_left);
      /* Only a sign-in's 401 means a wrong password. */
      g_task_return_error (task, bd_net_error_from_status (status, data->is_sign_in && data->has_body ? data->path : NULL,
                                                           body));
      return;
    }

  if (data->raw && g_bytes_get_size (body) == 0)
    {
      g_task_return_pointer (task, json_node_new (JSON_NODE_NULL), (GDestroyNotify) json_node_unref);
      return;
    }

  if (!is_json_content_type (data->message))
    {
      g_debug ("%s answered %u with a non-JSON content type", data->path, status);
      g_task_return_error (task, _bd_client_bad_response_error ());
      return;
    }

  if (data->is_sign_in)
    {
      decoded = decode_body (data, body, &error);
      if (decoded == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      bd_client_set_session (self, decoded);
      g_task_return_pointer (task, decoded, data->free_result);
      return;
    }

  /* A page of the changes feed is a megabyte of JSON: parsing and decoding
   * it on the main thread would drop frames during a sync. */
  data->body = g_steal_pointer (&body);
  g_task_run_in_thread (task, decode_in_thread_cb);
}

SoupMessage *
_bd_client_new_message (BdClient    *self,
                        const char  *method,
                        const char  *path,
                        const char  *query,
                        const char  *idempotency_key,
                        GError     **error)
{
  g_autofree char *url = g_strconcat (self->base_url, path, query != NULL ? "?" : "", query, NULL);
  SoupMessage *message = soup_message_new (method, url);
  SoupMessageHeaders *headers;

  if (message == NULL)
    {
      g_set_error (error, BD_NET_ERROR, BD_NET_ERROR_INVALID_URL,
                   _("“%s” is not a valid server address."), self->base_url);
      return NULL;
    }

  headers = soup_message_get_request_headers (message);

  soup_message_headers_replace (headers, "Accept", "application/json");
  /* Signing in sends a password, not a token; asking for the session
   * (resuming one) sends the token it asks about. */
  if (self->session != NULL && !(g_str_equal (method, "POST") && g_strcmp0 (path, SESSION_PATH) == 0))
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", bd_session_get_token (self->session), NULL);

      soup_message_headers_replace (headers, "Authorization", bearer);
    }
  if (idempotency_key != NULL)
    soup_message_headers_replace (headers, "Idempotency-Key", idempotency_key);
  if (self->desk_id != NULL)
    soup_message_headers_replace (headers, "X-Bijli-Desk", self->desk_id);
  return message;
}

/* Takes over the task: it completes from on_request_done_cb(). */
static void
send_request (BdClient       *self,
              GTask          *task,
              const char     *method,
              const char     *path,
              const char     *query,
              const char     *idempotency_key,
              JsonNode       *body,
              DecodeFunc      decode,
              GDestroyNotify  free_result,
              RequestFlags    flags)
{
  GError *error = NULL;
  RequestData *data;
  SoupMessage *message;

  message = _bd_client_new_message (self, method, path, query, idempotency_key, &error);
  if (message == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (body != NULL)
    {
      g_autofree char *json = bd_json_to_string (body);
      gsize len = strlen (json);
      g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&json), len);

      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }

  data = g_new0 (RequestData, 1);
  data->message = message;
  data->path = g_strdup (path);
  data->decode = decode;
  data->free_result = free_result;
  data->is_sign_in = (flags & REQUEST_SIGN_IN) != 0;
  data->has_body = body != NULL;
  data->raw = (flags & REQUEST_RAW) != 0;
  data->retry_after = -1;
  data->attempts_left = -1;
  g_task_set_task_data (task, data, (GDestroyNotify) request_data_free);

  soup_session_send_and_read_async (self->soup, message, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task),
                                    on_request_done_cb, task);
}

/* Cancellation comes back as BD_NET_ERROR_CANCELLED from our mapping, not
 * as GIO's error from GTask, so callers handle a single error domain. */
GTask *
_bd_client_new_task (BdClient            *self,
                     gpointer             source_tag,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_check_cancellable (task, FALSE);
  return task;
}

static gpointer
propagate (BdClient      *self,
           GAsyncResult  *result,
           gpointer       source_tag,
           GError       **error)
{
  g_return_val_if_fail (BD_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  return address != NULL && g_inet_address_get_is_loopback (address);
}

static char *
normalize_base_url (const char  *input,
                    GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (input != NULL ? input : ""));
  g_autofree char *text = NULL;
  const char *scheme;
  const char *host;
  gsize len;

  uri = g_uri_parse (trimmed, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  host = uri != NULL ? g_uri_get_host (uri) : NULL;

  if (uri == NULL || scheme == NULL ||
      (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0) ||
      host == NULL || *host == '\0' ||
      g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL ||
      g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, BD_NET_ERROR, BD_NET_ERROR_INVALID_URL,
                   _("“%s” is not a server address. Enter it like "
                     "https://bijli.example.in or https://192.168.1.10:8912."),
                   trimmed);
      return NULL;
    }

  /* Passwords, tokens and consumers' records cross this link: in clear
   * only to this computer, unless whoever runs the desk says otherwise. */
  if (g_ascii_strcasecmp (scheme, "http") == 0 && !is_loopback (host) &&
      g_strcmp0 (g_getenv ("BIJLI_DESK_ALLOW_PLAIN_HTTP"), "1") != 0)
    {
      g_set_error (error, BD_NET_ERROR, BD_NET_ERROR_INVALID_URL,
                   _("“%s” would send passwords and consumers’ records unencrypted. Use the server’s https:// address."),
                   trimmed);
      return NULL;
    }

  text = g_uri_to_string (uri);
  len = strlen (text);
  while (len > 0 && text[len - 1] == '/')
    text[--len] = '\0';
  return g_steal_pointer (&text);
}

static void
bd_client_dispose (GObject *object)
{
  BdClient *self = BD_CLIENT (object);

  if (self->soup != NULL)
    soup_session_abort (self->soup);
  g_clear_object (&self->soup);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (bd_client_parent_class)->dispose (object);
}

static void
bd_client_finalize (GObject *object)
{
  BdClient *self = BD_CLIENT (object);

  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->desk_id, g_free);

  G_OBJECT_CLASS (bd_client_parent_class)->finalize (object);
}

static void
bd_client_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  BdClient *self = BD_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bd_client_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  BdClient *self = BD_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      bd_client_set_session (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bd_client_class_init (BdClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bd_client_dispose;
  object_class->finalize = bd_client_finalize;
  object_class->get_property = bd_client_get_property;
  object_class->set_property = bd_client_set_property;

  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, BD_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bd_client_init (BdClient *self)
{
  static const GDebugKey debug_keys[] = { { "http", 1 } };
  g_autofree char *user_agent = g_strdup_printf ("bijli-desk/%s", PACKAGE_VERSION);
  const char *timeout_env = g_getenv ("BD_REQUEST_TIMEOUT_S");
  guint timeout_s = REQUEST_TIMEOUT_S;

  /* The fault-injection tests shorten it so that slow answers time out
   * within a CI run. */
  if (timeout_env != NULL && g_ascii_strtoull (timeout_env, NULL, 10) > 0)
    timeout_s = (guint) MIN (g_ascii_strtoull (timeout_env, NULL, 10), 600);

  self->soup = soup_session_new_with_options ("timeout", timeout_s,
                                              "idle-timeout", IDLE_TIMEOUT_S,
                                              "user-agent", user_agent,
                                              NULL);

  if (g_parse_debug_string (g_getenv ("BD_DEBUG"), debug_keys, G_N_ELEMENTS (debug_keys)) & 1)
    {
      g_autoptr(SoupLogger) logger = soup_logger_new (SOUP_LOGGER_LOG_HEADERS);

      soup_logger_set_printer (logger, on_logger_print_cb, NULL, NULL);
      soup_session_add_feature (self->soup, SOUP_SESSION_FEATURE (logger));
    }
}

GError *
bd_net_error_from_status (guint        status,
                          const char  *path,
                          GBytes      *body)
{
  g_autofree char *server_code = NULL;
  g_autofree char *server_message = NULL;
  gint attempts_left = -1;

  /* The server's own message (English, from the API) helps only where the
   * request itself was at fault; elsewhere our text says more. */
  if (body != NULL && g_bytes_get_size (body) > 0)
    {
      gsize length;
      gconstpointer data = g_bytes_get_data (body, &length);
      g_autoptr(JsonNode) root = bd_json_parse (data, (gssize) length, NULL);

      if (root != NULL)
        bd_api_error_from_json_full (root, &server_code, &server_message, NULL, &attempts_left, NULL);
    }

  if (status == SOUP_STATUS_UNAUTHORIZED)
    {
      if (path != NULL && g_str_has_suffix (path, SESSION_PATH))
        return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_BAD_CREDENTIALS,
                                    _("Wrong user name or password."));
      return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_SESSION_EXPIRED,
                                  _("Your session has ended. Sign in again."));
    }

  switch (status)
    {
    case SOUP_STATUS_FORBIDDEN:
      if (g_strcmp0 (server_code, "account_disabled") == 0)
        return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_FORBIDDEN,
                                    _("This account has been disabled. Ask your administrator."));
      return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_FORBIDDEN,
                                  _("Your account is not allowed to do this. "
                                    "Ask your supervisor."));
    case SOUP_STATUS_NOT_FOUND:
      return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_NOT_FOUND,
                                  _("The server has no such record in your zone."));
    case SOUP_STATUS_UNPROCESSABLE_ENTITY:
      if (g_strcmp0 (server_code, "otp_wrong") == 0)
        {
          if (server_message != NULL)
            return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_OTP_WRONG, server_message);
          if (attempts_left >= 0)
            return g_error_new (BD_NET_ERROR, BD_NET_ERROR_OTP_WRONG,
                                g_dngettext (GETTEXT_PACKAGE,
                                             "The OTP is wrong. %d attempt left.",
                                             "The OTP is wrong. %d attempts left.",
                                             attempts_left),
                                attempts_left);
          return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_OTP_WRONG,
                                      _("The OTP is wrong. Ask the consumer to read it out again."));
        }
      G_GNUC_FALLTHROUGH;
    case SOUP_STATUS_BAD_REQUEST:
      /* The server's messages for a refused request are translated and say
       * exactly what to correct. */
      if (server_message != NULL)
        return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_INVALID_REQUEST, server_message);
      return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_INVALID_REQUEST,
                                  _("The server did not accept the request."));
    case SOUP_STATUS_CONFLICT:
      if (server_message != NULL)
        return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_CONFLICT, server_message);
      return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_CONFLICT,
                                  _("This conflicts with what the server already holds."));
    case SOUP_STATUS_GONE:
      if (server_message != NULL)
        return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_OTP_DEAD, server_message);
      return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_OTP_DEAD,
                                  _("This OTP can no longer be used. Send a new one."));
    case 429: /* Too Many Requests: libsoup 3.2 has no name for it */
      if (server_message != NULL && g_strcmp0 (server_code, "rate_limited") == 0)
        return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_RATE_LIMITED, server_message);
      return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_RATE_LIMITED,
                                  _("The server is handling too many requests. "
                                    "Wait a minute and try again."));
    default:
      break;
    }

  if (SOUP_STATUS_IS_SERVER_ERROR (status))
    return g_error_new (BD_NET_ERROR, BD_NET_ERROR_SERVER,
                        _("The server had a problem (error %u). Try again in a few "
                          "minutes; if it keeps happening, tell the IT help desk."),
                        status);
  if (SOUP_STATUS_IS_CLIENT_ERROR (status))
    return g_error_new (BD_NET_ERROR, BD_NET_ERROR_INVALID_REQUEST,
                        _("The server did not accept the request (error %u)."), status);

  return _bd_client_bad_response_error ();
}

GError *
bd_net_error_from_transport (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_CANCELLED,
                                _("The operation was cancelled."));

  if (error->domain == BD_NET_ERROR)
    return g_error_copy (error);

  if (error->domain == G_TLS_ERROR)
    return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_TLS,
                                _("The server’s security certificate is not trusted. "
                                  "Check the server address, or ask the IT help desk "
                                  "to install a valid certificate."));

  if (error->domain == SOUP_SESSION_ERROR)
    return _bd_client_bad_response_error ();

  /* Refused, reset, timed out, no route, unknown host: for the operator
   * these are all the same thing. */
  return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_UNREACHABLE,
                              _("Cannot reach the server. Check the network cable or "
                                "Wi-Fi, or work offline."));
}

BdClient *
bd_client_new (const char  *base_url,
               GError     **error)
{
  g_autofree char *normalized = NULL;
  BdClient *self;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  normalized = normalize_base_url (base_url, error);
  if (normalized == NULL)
    return NULL;

  self = g_object_new (BD_TYPE_CLIENT, NULL);
  self->base_url = g_steal_pointer (&normalized);
  return self;
}

const char *
bd_client_get_base_url (BdClient *self)
{
  g_return_val_if_fail (BD_IS_CLIENT (self), NULL);
  return self->base_url;
}

BdSession *
bd_client_get_session (BdClient *self)
{
  g_return_val_if_fail (BD_IS_CLIENT (self), NULL);
  return self->session;
}

void
bd_client_set_session (BdClient  *self,
                       BdSession *session)
{
  g_return_if_fail (BD_IS_CLIENT (self));
  g_return_if_fail (session == NULL || BD_IS_SESSION (session));

  if (g_set_object (&self->session, session))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

void
bd_client_set_desk_id (BdClient   *self,
                       const char *desk_id)
{
  g_return_if_fail (BD_IS_CLIENT (self));

  g_free (self->desk_id);
  self->desk_id = g_strdup (desk_id);
}

void
bd_client_sign_in_async (BdClient            *self,
                         const char          *username,
                         const char          *password,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  bd_client_sign_in_to_zone_async (self, username, password, NULL, cancellable, callback, user_data);
}

void
bd_client_sign_in_to_zone_async (BdClient            *self,
                                 const char          *username,
                                 const char          *password,
                                 const char          *zone,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (BD_IS_CLIENT (self));
  g_return_if_fail (username != NULL);
  g_return_if_fail (password != NULL);

  task = _bd_client_new_task (self, bd_client_sign_in_async, cancellable, callback, user_data);
  body = bd_sign_in_request_to_json (username, password, zone);
  send_request (self, task, "POST", SESSION_PATH, NULL, NULL, body,
                decode_session, g_object_unref, REQUEST_SIGN_IN);
}

void
bd_client_resume_async (BdClient            *self,
                        BdSession           *saved,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (BD_IS_CLIENT (self));
  g_return_if_fail (BD_IS_SESSION (saved));

  bd_client_set_session (self, saved);
  task = _bd_client_new_task (self, bd_client_sign_in_async, cancellable, callback, user_data);
  send_request (self, task, "GET", SESSION_PATH, NULL, NULL, NULL,
                decode_session, g_object_unref, REQUEST_SIGN_IN);
}

BdSession *
bd_client_sign_in_finish (BdClient      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return propagate (self, result, bd_client_sign_in_async, error);
}

void
bd_client_fetch_changes_async (BdClient            *self,
                               const char          *since_cursor,
                               guint                limit,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;
  g_autoptr(GString) query = g_string_new (NULL);

  g_return_if_fail (BD_IS_CLIENT (self));

  g_string_append_printf (query, "limit=%u", CLAMP (limit, 1, MAX_PAGE_SIZE));
  if (since_cursor != NULL)
    {
      g_autofree char *escaped = g_uri_escape_string (since_cursor, NULL, FALSE);

      g_string_append_printf (query, "&since=%s", escaped);
    }

  task = _bd_client_new_task (self, bd_client_fetch_changes_async, cancellable, callback, user_data);
  send_request (self, task, "GET", "/api/v1/changes", query->str, NULL, NULL,
                decode_changes_page, (GDestroyNotify) bd_changes_page_free, 0);
}

BdChangesPage *
bd_client_fetch_changes_finish (BdClient      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return propagate (self, result, bd_client_fetch_changes_async, error);
}

void
bd_client_search_async (BdClient            *self,
                        const char          *query,
                        guint                limit,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;
  g_autofree char *escaped = NULL;
  g_autofree char *params = NULL;

  g_return_if_fail (BD_IS_CLIENT (self));
  g_return_if_fail (query != NULL);

  escaped = g_uri_escape_string (query, NULL, FALSE);
  params = g_strdup_printf ("q=%s&limit=%u", escaped, CLAMP (limit, 1, MAX_PAGE_SIZE));

  task = _bd_client_new_task (self, bd_client_search_async, cancellable, callback, user_data);
  send_request (self, task, "GET", "/api/v1/consumers", params, NULL, NULL,
                decode_consumer_list, (GDestroyNotify) g_ptr_array_unref, 0);
}

GPtrArray *
bd_client_search_finish (BdClient      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return propagate (self, result, bd_client_search_async, error);
}

void
bd_client_get_consumer_async (BdClient            *self,
                              const char          *account,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (BD_IS_CLIENT (self));
  g_return_if_fail (account != NULL);

  escaped = g_uri_escape_string (account, NULL, FALSE);
  path = g_strconcat ("/api/v1/consumers/", escaped, NULL);

  task = _bd_client_new_task (self, bd_client_get_consumer_async, cancellable, callback, user_data);
  send_request (self, task, "GET", path, NULL, NULL, NULL,
                decode_consumer, g_object_unref, 0);
}

BdConsumer *
bd_client_get_consumer_finish (BdClient      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return propagate (self, result, bd_client_get_consumer_async, error);
}

/* The request's details after it failed: for the _finish functions whose
 * callers need retry_after or attempts_left. */
static RequestData *
request_data (GAsyncResult *result)
{
  return g_task_get_task_data (G_TASK (result));
}

static char *
otp_path (const char *otp_id,
          const char *action)
{
  g_autofree char *escaped = g_uri_escape_string (otp_id, NULL, FALSE);

  return g_strconcat ("/api/v1/otp/", escaped, action != NULL ? "/" : "", action, NULL);
}

static char *
consumer_path (const char *account,
               const char *tail)
{
  g_autofree char *escaped = g_uri_escape_string (account, NULL, FALSE);

  return g_strconcat ("/api/v1/consumers/", escaped, "/", tail, NULL);
}

void
bd_client_request_otp_async (BdClient            *self,
                             const char          *account,
                             BdOtpPurpose         purpose,
                             const char          *mobile,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (BD_IS_CLIENT (self));
  g_return_if_fail (account != NULL);

  task = _bd_client_new_task (self, bd_client_request_otp_async, cancellable, callback, user_data);
  body = bd_otp_request_to_json (account, purpose, mobile);
  send_request (self, task, "POST", "/api/v1/otp", NULL, NULL, body,
                decode_otp_ticket, g_object_unref, 0);
}

BdOtpTicket *
bd_client_request_otp_finish (BdClient      *self,
                              GAsyncResult  *result,
                              gint          *out_retry_after,
                              GError       **error)
{
  BdOtpTicket *ticket = propagate (self, result, bd_client_request_otp_async, error);

  if (out_retry_after != NULL)
    *out_retry_after = ticket == NULL ? request_data (result)->retry_after : -1;
  return ticket;
}

void
bd_client_get_otp_async (BdClient            *self,
                         const char          *otp_id,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;
  g_autofree char *path = NULL;

  g_return_if_fail (BD_IS_CLIENT (self));
  g_return_if_fail (otp_id != NULL);

  path = otp_path (otp_id, NULL);
  task = _bd_client_new_task (self, bd_client_get_otp_async, cancellable, callback, user_data);
  send_request (self, task, "GET", path, NULL, NULL, NULL,
                decode_otp_ticket, g_object_unref, 0);
}

BdOtpTicket *
bd_client_get_otp_finish (BdClient      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return propagate (self, result, bd_client_get_otp_async, error);
}

void
bd_client_resend_otp_async (BdClient            *self,
                            const char          *otp_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);

  g_return_if_fail (BD_IS_CLIENT (self));
  g_return_if_fail (otp_id != NULL);

  json_node_take_object (body, json_object_new ());

  path = otp_path (otp_id, "resend");
  task = _bd_client_new_task (self, bd_client_resend_otp_async, cancellable, callback, user_data);
  send_request (self, task, "POST", path, NULL, NULL, body,
                decode_otp_ticket, g_object_unref, 0);
}

BdOtpTicket *
bd_client_resend_otp_finish (BdClient      *self,
                             GAsyncResult  *result,
                             gint          *out_retry_after,
                             GError       **error)
{
  BdOtpTicket *ticket = propagate (self, result, bd_client_resend_otp_async, error);

  if (out_retry_after != NULL)
    *out_retry_after = ticket == NULL ? request_data (result)->retry_after : -1;
  return ticket;
}

void
bd_client_verify_otp_async (BdClient            *self,
                            const char          *otp_id,
                            const char          *code,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (BD_IS_CLIENT (self));
  g_return_if_fail (otp_id != NULL);
  g_return_if_fail (code != NULL);

  path = otp_path (otp_id, "verify");
  body = bd_otp_verify_request_to_json (code);
  task = _bd_client_new_task (self, bd_client_verify_otp_async, cancellable, callback, user_data);
  send_request (self, task, "POST", path, NULL, NULL, body,
                decode_otp_ticket, g_object_unref, 0);
}

BdOtpTicket *
bd_client_verify_otp_finish (BdClient      *self,
                             GAsyncResult  *result,
                             gint          *out_attempts_left,
                             GError       **error)
{
  BdOtpTicket *ticket = propagate (self, result, bd_client_verify_otp_async, error);

  if (out_attempts_left != NULL)
    *out_attempts_left = ticket == NULL ? request_data (result)->attempts_left : -1;
  return ticket;
}

void
bd_client_register_async (BdClient            *self,
                          const char          *account,
                          const char          *otp_id,
                          const char          *username,
                          const char          *password,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (BD_IS_CLIENT (self));
  g_return_if_fail (account != NULL);
  g_return_if_fail (otp_id != NULL);
  g_return_if_fail (username != NULL);

  body = bd_registration_request_to_json (account, otp_id, username, password);
  task = _bd_client_new_task (self, bd_client_register_async, cancellable, callback, user_data);
  send_request (self, task, "POST", "/api/v1/registrations", NULL, NULL, body,
                decode_registration, (GDestroyNotify) registration_free, 0);
}

gboolean
bd_client_register_finish (BdClient      *self,
                           GAsyncResult  *result,
                           gboolean      *out_temporary_password_sent,
                           GError       **error)
{
  Registration *registration = propagate (self, result, bd_client_register_async, error);

  if (registration == NULL)
    return FALSE;
  if (out_temporary_password_sent != NULL)
    *out_temporary_password_sent = registration->temporary_password_sent;
  registration_free (registration);
  return TRUE;
}

void
bd_client_get_registration_async (BdClient            *self,
                                  const char          *account,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (BD_IS_CLIENT (self));
  g_return_if_fail (account != NULL);

  escaped = g_uri_escape_string (account, NULL, FALSE);
  path = g_strconcat ("/api/v1/registrations/", escaped, NULL);
  task = _bd_client_new_task (self, bd_client_get_registration_async, cancellable, callback, user_data);
  send_request (self, task, "GET", path, NULL, NULL, NULL,
                decode_registration, (GDestroyNotify) registration_free, 0);
}

char *
bd_client_get_registration_finish (BdClient      *self,
                                   GAsyncResult  *result,
                                   gint64        *out_registered_at,
                                   GError       **error)
{
  Registration *registration = propagate (self, result, bd_client_get_registration_async, error);
  char *username;

  if (registration == NULL)
    return NULL;
  if (out_registered_at != NULL)
    *out_registered_at = registration->registered_at;
  username = g_steal_pointer (&registration->username);
  registration_free (registration);
  return username;
}

void
bd_client_get_indexing_async (BdClient            *self,
                              const char          *account,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  g_autofree char *path = NULL;

  g_return_if_fail (BD_IS_CLIENT (self));
  g_return_if_fail (account != NULL);

  path = consumer_path (account, "indexing");
  task = _bd_client_new_task (self, bd_client_get_indexing_async, cancellable, callback, user_data);
  send_request (self, task, "GET", path, NULL, NULL, NULL,
                decode_indexing, g_object_unref, 0);
}

BdIndexing *
bd_client_get_indexing_finish (BdClient      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return propagate (self, result, bd_client_get_indexing_async, error);
}

void
bd_client_get_history_async (BdClient            *self,
                             const char          *account,
                             guint                limit,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;
  g_autofree char *path = NULL;
  g_autofree char *query = NULL;

  g_return_if_fail (BD_IS_CLIENT (self));
  g_return_if_fail (account != NULL);

  path = consumer_path (account, "history");
  if (limit > 0)
    query = g_strdup_printf ("limit=%u", MIN (limit, 200));
  task = _bd_client_new_task (self, bd_client_get_history_async, cancellable, callback, user_data);
  send_request (self, task, "GET", path, query, NULL, NULL,
                decode_history, (GDestroyNotify) g_ptr_array_unref, 0);
}

GPtrArray *
bd_client_get_history_finish (BdClient      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return propagate (self, result, bd_client_get_history_async, error);
}

void
bd_client_send_json_async (BdClient            *self,
                           const char          *method,
                           const char          *path,
                           const char          *idempotency_key,
                           JsonNode            *body,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;
  g_autofree char *bare_path = NULL;
  const char *query;

  g_return_if_fail (BD_IS_CLIENT (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path != NULL && path[0] == '/');

  /* send_request keeps the path apart from the query for error mapping. */
  query = strchr (path, '?');
  bare_path = query != NULL ? g_strndup (path, (gsize) (query - path)) : g_strdup (path);

  task = _bd_client_new_task (self, bd_client_send_json_async, cancellable, callback, user_data);
  send_request (self, task, method, bare_path, query != NULL ? query + 1 : NULL,
                idempotency_key, body, decode_any_json, (GDestroyNotify) json_node_unref, REQUEST_RAW);
}

JsonNode *
bd_client_send_json_finish (BdClient      *self,
                            GAsyncResult  *result,
                            guint         *out_status,
                            GError       **error)
{
  JsonNode *node = propagate (self, result, bd_client_send_json_async, error);
  RequestData *data = request_data (result);

  if (out_status != NULL)
    *out_status = data != NULL ? data->status : 0;
  return node;
}

void
bd_client_get_balance_async (BdClient            *self,
                             const char          *account,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (BD_IS_CLIENT (self));
  g_return_if_fail (account != NULL);

  path = consumer_path (account, "balance");
  task = _bd_client_new_task (self, bd_client_get_balance_async, cancellable, callback, user_data);
  send_request (self, task, "GET", path, NULL, NULL, NULL, decode_balance, (GDestroyNotify) bd_balance_free, 0);
}

BdBalance *
bd_client_get_balance_finish (BdClient      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return propagate (self, result, bd_client_get_balance_async, error);
}

void
bd_client_get_readings_async (BdClient            *self,
                              const char          *account,
                              BdReadingStep        step,
                              gint64               from,
                              gint64               to,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autofree char *path = NULL;
  g_autofree char *query = NULL;
  g_autofree char *from_text = bd_time_to_iso8601 (from);
  g_autofree char *to_text = bd_time_to_iso8601 (to);
  GTask *task;

  g_return_if_fail (BD_IS_CLIENT (self));
  g_return_if_fail (account != NULL);

  path = consumer_path (account, "readings");
  query = g_strdup_printf ("step=%s&from=%s&to=%s", bd_reading_step_to_string (step), from_text, to_text);
  task = _bd_client_new_task (self, bd_client_get_readings_async, cancellable, callback, user_data);
  send_request (self, task, "GET", path, query, NULL, NULL, decode_readings, g_object_unref, 0);
}

BdReadingSeries *
bd_client_get_readings_finish (BdClient      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return propagate (self, result, bd_client_get_readings_async, error);
}

void
bd_client_list_recharges_async (BdClient            *self,
                                const char          *account,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (BD_IS_CLIENT (self));
  g_return_if_fail (account != NULL);

  path = consumer_path (account, "recharges");
  task = _bd_client_new_task (self, bd_client_list_recharges_async, cancellable, callback, user_data);
  send_request (self, task, "GET", path, "limit=20", NULL, NULL, decode_recharges,
                (GDestroyNotify) g_ptr_array_unref, 0);
}

GPtrArray *
bd_client_list_recharges_finish (BdClient      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return propagate (self, result, bd_client_list_recharges_async, error);
}

void
bd_client_watch_async (BdClient            *self,
                       const char * const  *accounts,
                       gint64               since,
                       guint                timeout_s,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autofree char *joined = NULL;
  g_autofree char *query = NULL;
  GTask *task;

  g_return_if_fail (BD_IS_CLIENT (self));
  g_return_if_fail (accounts != NULL && accounts[0] != NULL);

  joined = g_strjoinv (",", (char **) accounts);
  query = g_strdup_printf ("accounts=%s&since=%" G_GINT64_FORMAT "&timeout=%u", joined, since, MIN (timeout_s, 60));
  task = _bd_client_new_task (self, bd_client_watch_async, cancellable, callback, user_data);
  send_request (self, task, "GET", "/api/v1/meters/watch", query, NULL, NULL, decode_watch,
                (GDestroyNotify) watch_answer_free, 0);
}

GPtrArray *
bd_client_watch_finish (BdClient      *self,
                        GAsyncResult  *result,
                        gint64        *out_seq,
                        GError       **error)
{
  WatchAnswer *answer = propagate (self, result, bd_client_watch_async, error);
  GPtrArray *balances;

  if (answer == NULL)
    return NULL;
  if (out_seq != NULL)
    *out_seq = answer->seq;
  balances = g_steal_pointer (&answer->balances);
  watch_answer_free (answer);
  return balances;
}
