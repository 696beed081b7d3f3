/* test-client.c: BdClient against a real SoupServer on a loopback port.
 *
 * The server answers whatever the test has set up (status, content type,
 * body) and records what it received, so every error mapping is checked
 * over real HTTP.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "core/bd-codec.h"
#include "net/bd-client.h"

typedef struct
{
  SoupServer        *server;
  char              *base_url;
  BdClient          *client;

  /* The canned answer. */
  guint              status;
  const char        *content_type;
  const char        *body;
  gboolean           hold;          /* pause the message and never answer */

  /* What the last request looked like. */
  char              *method;
  char              *path;
  char              *authorization;
  GHashTable        *query;
  GBytes            *request_body;
  guint              n_requests;
  SoupServerMessage *held;
} Fixture;

static void
on_request_cb (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  Fixture *fixture = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  fixture->n_requests++;
  g_free (fixture->method);
  fixture->method = g_strdup (soup_server_message_get_method (msg));
  g_free (fixture->path);
  fixture->path = g_strdup (path);
  g_free (fixture->authorization);
  fixture->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  g_clear_pointer (&fixture->query, g_hash_table_unref);
  if (query != NULL)
    fixture->query = g_hash_table_ref (query);
  g_clear_pointer (&fixture->request_body, g_bytes_unref);
  fixture->request_body = soup_message_body_flatten (soup_server_message_get_request_body (msg));

  if (fixture->hold)
    {
      g_clear_object (&fixture->held);
      fixture->held = g_object_ref (msg);
      soup_server_message_pause (msg);
      return;
    }

  soup_server_message_set_status (msg, fixture->status, NULL);
  if (fixture->body != NULL)
    soup_server_message_set_response (msg, fixture->content_type, SOUP_MEMORY_COPY,
                                      fixture->body, strlen (fixture->body));
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;
  guint port;

  fixture->server = soup_server_new ("server-header", "test-server", NULL);
  soup_server_add_handler (fixture->server, NULL, on_request_cb, fixture, NULL);
  soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (fixture->server);
  g_assert_nonnull (uris);
  port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  fixture->base_url = g_strdup_printf ("http://127.0.0.1:%u", port);

  fixture->client = bd_client_new (fixture->base_url, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->client);

  fixture->status = 200;
  fixture->content_type = "application/json";
  fixture->body = "{}";
}

static gboolean
on_settled_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop briefly so both ends see closed connections. */
static void
settle (void)
{
  gboolean done = FALSE;

  g_timeout_add (50, on_settled_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_clear_object (&fixture->client);
  settle ();
  if (fixture->held != NULL)
    {
      soup_server_message_set_status (fixture->held, 503, NULL);
      soup_server_message_unpause (fixture->held);
      g_clear_object (&fixture->held);
    }
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  settle ();
  g_free (fixture->base_url);
  g_free (fixture->method);
  g_free (fixture->path);
  g_free (fixture->authorization);
  g_clear_pointer (&fixture->query, g_hash_table_unref);
  g_clear_pointer (&fixture->request_body, g_bytes_unref);
}

static void
on_done_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static BdSession *
sign_in (BdClient     *client,
         const char   *username,
         const char   *password,
         GCancellable *cancellable,
         GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  bd_client_sign_in_async (client, username, password, cancellable, on_done_cb, &result);
  return bd_client_sign_in_finish (client, wait_for (&result), error);
}

static BdChangesPage *
fetch_changes (BdClient     *client,
               const char   *cursor,
               guint         limit,
               GCancellable *cancellable,
               GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  bd_client_fetch_changes_async (client, cursor, limit, cancellable, on_done_cb, &result);
  return bd_client_fetch_changes_finish (client, wait_for (&result), error);
}

static char *
session_json (void)
{
  g_autoptr(BdSession) session = NULL;
  g_autoptr(JsonNode) node = NULL;

  session = bd_session_new ("tok-123/+=", "operator", "Asha Verma", BD_ROLE_OPERATOR,
                            "LKO-C", "Lucknow Central", 1795456800);
  node = bd_session_to_json (session);
  return bd_json_to_string (node);
}

static char *
changes_json (void)
{
  g_autoptr(BdChangesPage) page = bd_changes_page_new ();
  g_autoptr(JsonNode) node = NULL;
  BdConsumer *c = bd_consumer_new ("1234567890");
  const gint64 seqs[] = { 41 };

  bd_consumer_set_name_en (c, "Anil Kumar Srivastava");
  bd_consumer_set_name_hi (c, "अनिल कुमार श्रीवास्तव");
  bd_consumer_set_mobile (c, "9876543210");
  bd_consumer_set_meter_serial (c, "GNS12345678");
  bd_consumer_set_category (c, "LMV-1");
  bd_consumer_set_zone (c, "LKO-C");
  bd_consumer_set_balance_paise (c, -12345);
  bd_consumer_set_version (c, 3);
  bd_consumer_set_updated_at (c, 1763890000);
  g_ptr_array_add (page->consumers, c);
  page->next_cursor = g_strdup ("41");
  page->has_more = TRUE;
  page->remaining = 7;
  node = bd_changes_page_to_json (page, seqs);
  return bd_json_to_string (node);
}

static void
test_sign_in_happy_path (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autofree char *body = session_json ();
  g_autofree char *changes = changes_json ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BdSession) session = NULL;
  g_autoptr(BdChangesPage) page = NULL;
  g_autoptr(JsonNode) request = NULL;
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;

  fixture->body = body;
  g_assert_null (bd_client_get_session (fixture->client));
  session = sign_in (fixture->client, "operator", "bijli \"operator\"", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);

  g_assert_cmpstr (fixture->method, ==, "POST");
  g_assert_cmpstr (fixture->path, ==, "/api/v1/session");
  g_assert_null (fixture->authorization);
  request = bd_json_parse (g_bytes_get_data (fixture->request_body, NULL),
                           (gssize) g_bytes_get_size (fixture->request_body), &error);
  g_assert_no_error (error);
  g_assert_true (bd_sign_in_request_from_json (request, &username, &password, NULL, &error));
  g_assert_cmpstr (username, ==, "operator");
  g_assert_cmpstr (password, ==, "bijli \"operator\"");

  g_assert_cmpstr (bd_session_get_token (session), ==, "tok-123/+=");
  g_assert_cmpstr (bd_session_get_username (session), ==, "operator");
  g_assert_cmpstr (bd_session_get_display_name (session), ==, "Asha Verma");
  g_assert_cmpint (bd_session_get_role (session), ==, BD_ROLE_OPERATOR);
  g_assert_cmpstr (bd_session_get_zone (session), ==, "LKO-C");
  g_assert_cmpstr (bd_session_get_zone_name (session), ==, "Lucknow Central");
  g_assert_cmpint (bd_session_get_expires_at (session), ==, 1795456800);
  g_assert_true (bd_client_get_session (fixture->client) == session);

  /* Later requests carry the token, and the cursor is escaped. */
  fixture->body = changes;
  page = fetch_changes (fixture->client, "41 & since=0", 200, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fixture->method, ==, "GET");
  g_assert_cmpstr (fixture->path, ==, "/api/v1/changes");
  g_assert_cmpstr (fixture->authorization, ==, "Bearer tok-123/+=");
  g_assert_nonnull (fixture->query);
  g_assert_cmpstr (g_hash_table_lookup (fixture->query, "since"), ==, "41 & since=0");
  g_assert_cmpstr (g_hash_table_lookup (fixture->query, "limit"), ==, "200");
  g_assert_cmpuint (page->consumers->len, ==, 1);
  g_assert_cmpstr (bd_consumer_get_name_hi (g_ptr_array_index (page->consumers, 0)), ==,
                   "अनिल कुमार श्रीवास्तव");
  g_assert_cmpstr (page->next_cursor, ==, "41");
  g_assert_true (page->has_more);
  g_assert_cmpint (page->remaining, ==, 7);

  /* No cursor: no since parameter; limits are clamped to what the API takes. */
  g_clear_pointer (&page, bd_changes_page_free);
  page = fetch_changes (fixture->client, NULL, 5000, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_hash_table_contains (fixture->query, "since"));
  g_assert_cmpstr (g_hash_table_lookup (fixture->query, "limit"), ==, "1000");
}

static void
test_search_and_get (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(BdConsumer) consumer = NULL;
  const char *query = "श्री & q=1%' OR 1=1 --";

  fixture->body = "{\"consumers\":[]}";
  bd_client_search_async (fixture->client, query, 20, NULL, on_done_cb, &r1);
  results = bd_client_search_finish (fixture->client, wait_for (&r1), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 0);
  g_assert_cmpstr (fixture->path, ==, "/api/v1/consumers");
  g_assert_cmpstr (g_hash_table_lookup (fixture->query, "q"), ==, query);
  g_assert_cmpstr (g_hash_table_lookup (fixture->query, "limit"), ==, "20");

  fixture->status = 404;
  fixture->body = "{\"error\":{\"code\":\"not_found\",\"message\":\"No such consumer\"}}";
  bd_client_get_consumer_async (fixture->client, "12 34?x#y", NULL, on_done_cb, &r2);
  consumer = bd_client_get_consumer_finish (fixture->client, wait_for (&r2), &error);
  g_assert_null (consumer);
  g_assert_error (error, BD_NET_ERROR, BD_NET_ERROR_NOT_FOUND);
  /* Escaped on the way: neither a query nor a fragment was cut off. */
  g_assert_cmpstr (fixture->path, ==, "/api/v1/consumers/12 34?x#y");
}

static void
test_bad_credentials (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdSession) session = NULL;

  fixture->status = 401;
  fixture->body = "{\"error\":{\"code\":\"invalid_credentials\",\"message\":\"Wrong user name or password\"}}";
  session = sign_in (fixture->client, "operator", "wrong", NULL, &error);
  g_assert_null (session);
  g_assert_error (error, BD_NET_ERROR, BD_NET_ERROR_BAD_CREDENTIALS);
  g_assert_null (bd_client_get_session (fixture->client));
}

static void
test_session_expired (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdChangesPage) page = NULL;

  fixture->status = 401;
  fixture->body = "{\"error\":{\"code\":\"unauthorized\",\"message\":\"Token expired\"}}";
  page = fetch_changes (fixture->client, NULL, 100, NULL, &error);
  g_assert_null (page);
  g_assert_error (error, BD_NET_ERROR, BD_NET_ERROR_SESSION_EXPIRED);
}

static void
test_status_mapping (Fixture       *fixture,
                     gconstpointer  user_data)
{
  const struct {
    guint       status;
    const char *body;
    int         code;
  } cases[] = {
    { 500, "{\"error\":{\"code\":\"internal\",\"message\":\"boom\"}}", BD_NET_ERROR_SERVER },
    { 502, "<html>Bad gateway</html>", BD_NET_ERROR_SERVER },
    { 503, NULL, BD_NET_ERROR_SERVER },
    { 403, "{\"error\":{\"code\":\"forbidden\",\"message\":\"no\"}}", BD_NET_ERROR_FORBIDDEN },
    { 404, "{\"error\":{\"code\":\"not_found\",\"message\":\"no\"}}", BD_NET_ERROR_NOT_FOUND },
    { 400, "{\"error\":{\"code\":\"invalid_request\",\"message\":\"limit must be 1..1000\"}}",
      BD_NET_ERROR_INVALID_REQUEST },
    { 422, "not json at all", BD_NET_ERROR_INVALID_REQUEST },
    { 429, "{\"error\":{\"code\":\"rate_limited\",\"message\":\"slow down\"}}", BD_NET_ERROR_RATE_LIMITED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BdChangesPage) page = NULL;

      fixture->status = cases[i].status;
      fixture->body = cases[i].body;
      fixture->content_type = "application/json";
      page = fetch_changes (fixture->client, "1", 10, NULL, &error);
      g_assert_null (page);
      g_assert_error (error, BD_NET_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, !=, "");
    }

  /* The server's reason is passed on for a rejected request. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BdChangesPage) page = NULL;

    fixture->status = 400;
    fixture->body = cases[5].body;
    page = fetch_changes (fixture->client, "1", 10, NULL, &error);
    g_assert_error (error, BD_NET_ERROR, BD_NET_ERROR_INVALID_REQUEST);
    g_assert_nonnull (strstr (error->message, "limit must be 1..1000"));
  }
}

static void
test_bad_response (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *good_session = session_json ();
  const struct {
    const char *content_type;
    const char *body;
  } cases[] = {
    { "application/json", "{\"token\": \"abc\", " },
    { "application/json", "{\"foo\": 1}" },
    { "application/json", "[1, 2, 3]" },
    { "application/json", "null" },
    { "application/json", "" },
    { "application/json", "\xff\xfe\x00garbage" },
    { "text/html", "<!DOCTYPE html><html><body>Captive portal: please log in</body></html>" },
    { "text/html", good_session },   /* right shape, wrong type: a proxy's page is never trusted */
    { "text/plain", "OK" },
    { NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BdSession) session = NULL;

      fixture->status = 200;
      fixture->content_type = cases[i].content_type;
      fixture->body = cases[i].body;
      session = sign_in (fixture->client, "operator", "bijli-operator", NULL, &error);
      g_assert_null (session);
      g_assert_error (error, BD_NET_ERROR, BD_NET_ERROR_BAD_RESPONSE);
      g_assert_null (bd_client_get_session (fixture->client));
    }

  /* Wrong shape for the changes feed. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BdChangesPage) page = NULL;

    fixture->content_type = "application/json";
    fixture->body = "{\"changes\": \"many\", \"next_cursor\": 5}";
    page = fetch_changes (fixture->client, NULL, 10, NULL, &error);
    g_assert_null (page);
    g_assert_error (error, BD_NET_ERROR, BD_NET_ERROR_BAD_RESPONSE);
  }

  /* A charset parameter is fine. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BdSession) session = NULL;

    fixture->content_type = "application/json; charset=utf-8";
    fixture->body = good_session;
    session = sign_in (fixture->client, "operator", "bijli-operator", NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (session);
  }
}

static void
test_unreachable (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(BdClient) client = NULL;
  g_autoptr(BdSession) session = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  /* A port that was free a moment ago and has nobody listening. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  client = bd_client_new (url, &error);
  g_assert_no_error (error);
  bd_client_sign_in_async (client, "operator", "bijli-operator", NULL, on_done_cb, &result);
  session = bd_client_sign_in_finish (client, wait_for (&result), &error);
  g_assert_null (session);
  g_assert_error (error, BD_NET_ERROR, BD_NET_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, url));
}

static void
test_cancelled_before (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(BdSession) session = NULL;

  g_cancellable_cancel (cancellable);
  session = sign_in (fixture->client, "operator", "bijli-operator", cancellable, &error);
  g_assert_null (session);
  g_assert_error (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED);
}

static gboolean
cancel_when_held_cb (gpointer user_data)
{
  Fixture *fixture = user_data;
  GCancellable *cancellable = g_object_get_data (G_OBJECT (fixture->client), "test-cancellable");

  if (fixture->held == NULL)
    return G_SOURCE_CONTINUE;
  g_cancellable_cancel (cancellable);
  return G_SOURCE_REMOVE;
}

static void
test_cancelled_in_flight (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(BdChangesPage) page = NULL;
  gint64 start = g_get_monotonic_time ();

  fixture->hold = TRUE;
  g_object_set_data (G_OBJECT (fixture->client), "test-cancellable", cancellable);
  g_timeout_add (10, cancel_when_held_cb, fixture);
  page = fetch_changes (fixture->client, NULL, 10, cancellable, &error);
  g_assert_null (page);
  g_assert_error (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED);
  g_assert_nonnull (fixture->held);
  /* Well before the 15 s request timeout. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

static void
test_invalid_urls (void)
{
  const char *invalid[] = {
    "ftp://x", "not a url", "", "   ", "http://", "file:///etc/passwd", "127.0.0.1:8912",
    "http://user:pw@host", "http://host/?q=1", "javascript:alert(1)",
  };
  const struct {
    const char *input;
    const char *base;
  } valid[] = {
    { "http://127.0.0.1:8912", "http://127.0.0.1:8912" },
    { "http://127.0.0.1:8912/", "http://127.0.0.1:8912" },
    { "  https://bijli.example.in/desk//  ", "https://bijli.example.in/desk" },
    { "HTTPS://10.0.0.5", "https://10.0.0.5" },
    { "http://localhost:8912", "http://localhost:8912" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BdClient) client = bd_client_new (invalid[i], &error);

      g_assert_null (client);
      g_assert_error (error, BD_NET_ERROR, BD_NET_ERROR_INVALID_URL);
    }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BdClient) client = bd_client_new (NULL, &error);

    g_assert_null (client);
    g_assert_error (error, BD_NET_ERROR, BD_NET_ERROR_INVALID_URL);
  }

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BdClient) client = bd_client_new (valid[i].input, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (bd_client_get_base_url (client), ==, valid[i].base);
    }

  /* Plain http leaves this computer only when explicitly allowed. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BdClient) refused = bd_client_new ("http://10.0.0.5:8912", &error);
    g_autoptr(BdClient) allowed = NULL;

    g_assert_null (refused);
    g_assert_error (error, BD_NET_ERROR, BD_NET_ERROR_INVALID_URL);
    g_assert_nonnull (strstr (error->message, "https://"));
    g_clear_error (&error);
    g_setenv ("BIJLI_DESK_ALLOW_PLAIN_HTTP", "1", TRUE);
    allowed = bd_client_new ("http://10.0.0.5:8912", &error);
    g_unsetenv ("BIJLI_DESK_ALLOW_PLAIN_HTTP");
    g_assert_no_error (error);
    g_assert_cmpstr (bd_client_get_base_url (allowed), ==, "http://10.0.0.5:8912");
  }
}

static void
test_error_functions (void)
{
  g_autoptr(GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "refused");
  g_autoptr(GError) dns = g_error_new_literal (G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "no host");
  g_autoptr(GError) timeout = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "timeout");
  g_autoptr(GError) tls = g_error_new_literal (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, "bad cert");
  g_autoptr(GError) cancel = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
  g_autoptr(GError) parse = g_error_new_literal (SOUP_SESSION_ERROR, SOUP_SESSION_ERROR_PARSING, "parse");
  const struct { GError *in; int code; } transport[] = {
    { refused, BD_NET_ERROR_UNREACHABLE },
    { dns, BD_NET_ERROR_UNREACHABLE },
    { timeout, BD_NET_ERROR_UNREACHABLE },
    { tls, BD_NET_ERROR_TLS },
    { cancel, BD_NET_ERROR_CANCELLED },
    { parse, BD_NET_ERROR_BAD_RESPONSE },
  };
  const struct { guint status; const char *path; int code; } statuses[] = {
    { 401, "/api/v1/session", BD_NET_ERROR_BAD_CREDENTIALS },
    { 401, "/api/v1/consumers", BD_NET_ERROR_SESSION_EXPIRED },
    { 401, NULL, BD_NET_ERROR_SESSION_EXPIRED },
    { 500, "/api/v1/changes", BD_NET_ERROR_SERVER },
    { 504, "/api/v1/changes", BD_NET_ERROR_SERVER },
    { 405, "/api/v1/changes", BD_NET_ERROR_INVALID_REQUEST },
    { 302, "/api/v1/changes", BD_NET_ERROR_BAD_RESPONSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (transport); i++)
    {
      g_autoptr(GError) mapped = bd_net_error_from_transport (transport[i].in);

      g_assert_error (mapped, BD_NET_ERROR, transport[i].code);
      /* Our own words, not the library's. */
      g_assert_cmpstr (mapped->message, !=, transport[i].in->message);
    }
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autoptr(GError) mapped = bd_net_error_from_status (statuses[i].status, statuses[i].path, NULL);

      g_assert_error (mapped, BD_NET_ERROR, statuses[i].code);
    }
  {
    g_autoptr(GBytes) junk = g_bytes_new_static ("\0\0{{{", 5);
    g_autoptr(GError) mapped = bd_net_error_from_status (400, "/api/v1/changes", junk);

    g_assert_error (mapped, BD_NET_ERROR, BD_NET_ERROR_INVALID_REQUEST);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/client/sign-in-happy-path", test_sign_in_happy_path);
  ADD ("/client/search-and-get", test_search_and_get);
  ADD ("/client/bad-credentials", test_bad_credentials);
  ADD ("/client/session-expired", test_session_expired);
  ADD ("/client/status-mapping", test_status_mapping);
  ADD ("/client/bad-response", test_bad_response);
  ADD ("/client/cancelled-before", test_cancelled_before);
  ADD ("/client/cancelled-in-flight", test_cancelled_in_flight);
#undef ADD
  g_test_add_func ("/client/unreachable", test_unreachable);
  g_test_add_func ("/client/invalid-urls", test_invalid_urls);
  g_test_add_func ("/client/error-functions", test_error_functions);

  return g_test_run ();
}
