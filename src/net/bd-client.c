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
#include "bd-client.h"

#define REQUEST_TIMEOUT_S 15
#define IDLE_TIMEOUT_S    60
#define SESSION_PATH      "/api/v1/session"
#define MAX_PAGE_SIZE     1000

struct _BdClient
{
  GObject      parent_instance;

  SoupSession *soup;
  char        *base_url;   /* scheme://host[:port][/path], no trailing slash */
  BdSession   *session;
};

G_DEFINE_TYPE (BdClient, bd_client, G_TYPE_OBJECT)

G_DEFINE_QUARK (bd-net-error-quark, bd_net_error)

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef gpointer (*DecodeFunc) (JsonNode  *root,
                                GError   **error);

typedef struct
{
  SoupMessage    *message;
  char           *path;      /* without the query, for error mapping */
  DecodeFunc      decode;
  GDestroyNotify  free_result;
  gboolean        is_sign_in;
  GBytes         *body;      /* the answer, while it is decoded in a worker thread */
} RequestData;

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

static GError *
bad_response_error (void)
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
  root = bd_json_parse (bytes, (gssize) length, &local_error);
  decoded = root != NULL ? data->decode (root, &local_error) : NULL;
  if (decoded == NULL)
    {
      /* The codec's message may quote record fields: do not log it. */
      g_debug ("%s answered with JSON of the wrong shape", data->path);
      g_propagate_error (error, bad_response_error ());
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
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_error (task, bd_net_error_from_status (status, data->path, body));
      return;
    }

  if (!is_json_content_type (data->message))
    {
      g_debug ("%s answered %u with a non-JSON content type", data->path, status);
      g_task_return_error (task, bad_response_error ());
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

/* Takes over the task: it completes from on_request_done_cb(). */
static void
send_request (BdClient       *self,
              GTask          *task,
              const char     *method,
              const char     *path,
              const char     *query,
              JsonNode       *body,
              DecodeFunc      decode,
              GDestroyNotify  free_result,
              gboolean        is_sign_in)
{
  g_autofree char *url = NULL;
  RequestData *data;
  SoupMessage *message;
  SoupMessageHeaders *headers;

  url = g_strconcat (self->base_url, path, query != NULL ? "?" : "", query, NULL);
  message = soup_message_new (method, url);
  if (message == NULL)
    {
      g_task_return_new_error (task, BD_NET_ERROR, BD_NET_ERROR_INVALID_URL,
                               _("“%s” is not a valid server address."), self->base_url);
      g_object_unref (task);
      return;
    }

  headers = soup_message_get_request_headers (message);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (self->session != NULL && g_strcmp0 (path, SESSION_PATH) != 0)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", bd_session_get_token (self->session), NULL);

      soup_message_headers_replace (headers, "Authorization", bearer);
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
  data->is_sign_in = is_sign_in;
  g_task_set_task_data (task, data, (GDestroyNotify) request_data_free);

  soup_session_send_and_read_async (self->soup, message, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task),
                                    on_request_done_cb, task);
}

/* Cancellation comes back as BD_NET_ERROR_CANCELLED from our mapping, not
 * as GIO's error from GTask, so callers handle a single error domain. */
static GTask *
new_task (BdClient            *self,
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
                     "http://192.168.1.10:8912 or https://bijli.example.in."),
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

  self->soup = soup_session_new_with_options ("timeout", REQUEST_TIMEOUT_S,
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

  /* The server's own message (English, from the API) helps only where the
   * request itself was at fault; elsewhere our text says more. */
  if (body != NULL && g_bytes_get_size (body) > 0)
    {
      gsize length;
      gconstpointer data = g_bytes_get_data (body, &length);
      g_autoptr(JsonNode) root = bd_json_parse (data, (gssize) length, NULL);

      if (root != NULL)
        bd_api_error_from_json (root, &server_code, &server_message, NULL);
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
      return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_FORBIDDEN,
                                  _("Your account is not allowed to do this. "
                                    "Ask your supervisor."));
    case SOUP_STATUS_NOT_FOUND:
      return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_NOT_FOUND,
                                  _("The server has no such record in your zone."));
    case SOUP_STATUS_BAD_REQUEST:
    case SOUP_STATUS_UNPROCESSABLE_ENTITY:
      if (server_message != NULL)
        return g_error_new (BD_NET_ERROR, BD_NET_ERROR_INVALID_REQUEST,
                            _("The server did not accept the request: %s"), server_message);
      return g_error_new_literal (BD_NET_ERROR, BD_NET_ERROR_INVALID_REQUEST,
                                  _("The server did not accept the request."));
    case 429: /* Too Many Requests: libsoup 3.2 has no name for it */
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

  return bad_response_error ();
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
    return bad_response_error ();

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
bd_client_sign_in_async (BdClient            *self,
                         const char          *username,
                         const char          *password,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (BD_IS_CLIENT (self));
  g_return_if_fail (username != NULL);
  g_return_if_fail (password != NULL);

  task = new_task (self, bd_client_sign_in_async, cancellable, callback, user_data);
  body = bd_sign_in_request_to_json (username, password);
  send_request (self, task, "POST", SESSION_PATH, NULL, body,
                decode_session, g_object_unref, TRUE);
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

  task = new_task (self, bd_client_fetch_changes_async, cancellable, callback, user_data);
  send_request (self, task, "GET", "/api/v1/changes", query->str, NULL,
                decode_changes_page, (GDestroyNotify) bd_changes_page_free, FALSE);
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

  task = new_task (self, bd_client_search_async, cancellable, callback, user_data);
  send_request (self, task, "GET", "/api/v1/consumers", params, NULL,
                decode_consumer_list, (GDestroyNotify) g_ptr_array_unref, FALSE);
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

  task = new_task (self, bd_client_get_consumer_async, cancellable, callback, user_data);
  send_request (self, task, "GET", path, NULL, NULL,
                decode_consumer, g_object_unref, FALSE);
}

BdConsumer *
bd_client_get_consumer_finish (BdClient      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return propagate (self, result, bd_client_get_consumer_async, error);
}
