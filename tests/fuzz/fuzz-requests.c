/* fuzz-requests.c: bijli-central's whole request path on arbitrary input:
 * libsoup's HTTP parsing, the early handler, routing, authentication,
 * JSON bodies, the handlers with a real (small) database, and the error
 * answers. No socket: each input is one client connection handed to the
 * server with soup_server_accept_iostream() over memory streams, and the
 * default main context is iterated until the server closes it.
 *
 * An input is either a structured request (most of them, so that the
 * fuzzer gets past authentication and into the handlers):
 *   byte 0  method: byte % 8 picks GET POST PATCH DELETE PUT HEAD OPTIONS GET
 *           ('0'…'7' in the seeds); 0x80 and above means raw, see below
 *   byte 1  token: byte % 8 picks none, operator, agent, supervisor, admin,
 *           operator of another zone, a well-formed unknown token, garbage
 *   byte 2  extras: bit 0 an Idempotency-Key (one of 16, from the high
 *           nibble), bit 1 an X-Bijli-Desk header, bit 2 a chunked body
 *   then    PATH[?QUERY] '\n' BODY
 * or raw (byte 0 ≥ 0x80): the remaining bytes are the whole connection's
 * input, for libsoup's own parsing and pipelining.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sanitizer/lsan_interface.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bd-codec.h"
#include "server/bd-central-server-private.h"
#include "server/bd-demo-generator.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
/* Enough consumers for searches, feeds and lookups to return something,
 * few enough that the database stays small while the fuzzer adds to it. */
#define N_CONSUMERS 50
/* Main-context iterations per input: a request on memory streams needs a
 * few dozen; what is still open after this waits on a timer (a long poll)
 * and finishes in a later input's iterations. */
#define MAX_ITERATIONS 2000
#define FUZZ_PASSWORD "fuzz-password"

typedef enum {
  TOKEN_NONE,
  TOKEN_OPERATOR,
  TOKEN_AGENT,
  TOKEN_SUPERVISOR,
  TOKEN_ADMIN,
  TOKEN_OPERATOR_EAST,
  TOKEN_UNKNOWN,
  TOKEN_GARBAGE,
  N_TOKENS
} TokenKind;

static const struct {
  BdRole      role;
  const char *zone;
} token_users[N_TOKENS] = {
  [TOKEN_OPERATOR] = { BD_ROLE_OPERATOR, "LKO-C" },
  [TOKEN_AGENT] = { BD_ROLE_AGENT, "LKO-C" },
  [TOKEN_SUPERVISOR] = { BD_ROLE_SUPERVISOR, "LKO-C" },
  [TOKEN_ADMIN] = { BD_ROLE_ADMIN, "LKO-C" },
  [TOKEN_OPERATOR_EAST] = { BD_ROLE_OPERATOR, "LKO-E" },
};

static const char * const methods[8] = {
  "GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS", "GET",
};

static char *db_dir;
static char *db_path;
static BdCentralDb *db;
static BdCentralServer *server;
static GSocketAddress *local_address;
static char *tokens[N_TOKENS];
static guint next_port;
static guint fresh_users;

/* What the answers of the current input showed. */
static struct {
  guint    port;        /* the remote port that marks its connection */
  gboolean structured;
  guint    n_answers;
  gboolean unauthorized; /* a 401 or 403: the token may have died */
} current;

static void
remove_database (void)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };

  /* The server still holds the file open; unlinking it is fine at exit. */
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (db_path, suffixes[i], NULL);

      g_unlink (path);
    }
  g_rmdir (db_dir);
}

/* The demo user of that role and zone, with its demo password. */
static const BdDemoUser *
demo_user_for (BdRole      role,
               const char *zone)
{
  gsize n_users;
  const BdDemoUser *users = bd_demo_generator_get_users (&n_users);

  for (gsize i = 0; i < n_users; i++)
    if (users[i].role == role && g_str_equal (users[i].zone, zone))
      return &users[i];
  return NULL;
}

static char *
sign_in (const char *username,
         const char *password)
{
  g_autoptr(BdSession) session = NULL;
  g_autoptr(GError) error = NULL;

  session = bd_central_db_sign_in (db, username, password, g_get_real_time () / G_USEC_PER_SEC, &error);
  return session != NULL ? g_strdup (bd_session_get_token (session)) : NULL;
}

/* A live token of that kind: the demo user's if it can still sign in; the
 * fuzzer may have signed it out, disabled it, changed its password or
 * locked it with wrong ones, and then a new user of the same role takes
 * its place. */
static void
refresh_token (TokenKind kind)
{
  const BdDemoUser *user = demo_user_for (token_users[kind].role, token_users[kind].zone);
  char *token = user != NULL ? sign_in (user->username, user->password) : NULL;

  if (token == NULL)
    {
      g_autofree char *username = g_strdup_printf ("fuzz-%s-%u", bd_role_to_string (token_users[kind].role),
                                                   ++fresh_users);

      if (bd_central_db_ensure_user (db, username, username, token_users[kind].role,
                                     token_users[kind].zone, FUZZ_PASSWORD, 1, NULL))
        token = sign_in (username, FUZZ_PASSWORD);
    }
  if (token == NULL)
    g_printerr ("fuzz-requests: no %s token; those inputs run unauthenticated\n",
                bd_role_to_string (token_users[kind].role));

  g_free (tokens[kind]);
  tokens[kind] = token;
}

static gboolean
token_is_live (const char *token)
{
  g_autoptr(BdSession) session = NULL;

  session = bd_central_db_lookup_session (db, token, g_get_real_time () / G_USEC_PER_SEC, NULL);
  return session != NULL;
}

G_GNUC_NORETURN static void
fail (SoupServerMessage *msg,
      const char        *body,
      const char        *why)
{
  GUri *uri = soup_server_message_get_uri (msg);
  g_autofree char *path = uri != NULL ? g_uri_to_string (uri) : g_strdup ("(no URI)");

  fprintf (stderr, "fuzz-requests: %s\n  %s %s → %u\n  %.2000s\n", why,
           soup_server_message_get_method (msg), path, soup_server_message_get_status (msg),
           body != NULL ? body : "(no body)");
  abort ();
}

static guint
port_of (SoupServerMessage *msg)
{
  GSocketAddress *address = soup_server_message_get_remote_address (msg);

  return G_IS_INET_SOCKET_ADDRESS (address)
    ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)) : 0;
}

/* Every answer the server finished, of this input or of an earlier one
 * whose long poll ended now. */
static void
on_request_done_cb (SoupServer        *soup_server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  guint status = soup_server_message_get_status (msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  /* Only the server's own answers carry it; libsoup's 400s for bad
   * request lines and its 500s for a body cut short do not. */
  gboolean ours = soup_message_headers_get_one (headers, "X-Content-Type-Options") != NULL;
  gboolean this_input = port_of (msg) == current.port;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  gsize length = 0;

  if (this_input)
    {
      current.n_answers++;
      if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
        current.unauthorized = TRUE;
    }

  bytes = soup_message_body_flatten (body);
  if (bytes != NULL)
    text = g_strndup (g_bytes_get_data (bytes, &length), g_bytes_get_size (bytes));

  /* A well-formed request reaches the handlers whole; the only 5xx they
   * may answer is 503 (busy). A 500 is an unexpected failure, and one
   * libsoup sets itself means a handler returned without answering. Raw
   * input may also end inside a body, which libsoup answers with 500 over
   * whatever was set before: there only the handlers' own 500 counts. */
  if (status >= 500 && status != SOUP_STATUS_SERVICE_UNAVAILABLE
      && ((this_input && current.structured) || (ours && text != NULL && strstr (text, "\"internal\"") != NULL)))
    fail (msg, text, "a server error");

  /* A body refused by its Content-Length must not be kept while libsoup
   * reads it. */
  if (status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE
      && soup_message_headers_get_encoding (soup_server_message_get_request_headers (msg))
           == SOUP_ENCODING_CONTENT_LENGTH)
    {
      SoupMessageBody *request_body = soup_server_message_get_request_body (msg);

      if (soup_message_body_get_accumulate (request_body) && request_body->length > 0)
        fail (msg, text, "a refused body kept in memory");
    }

  if (ours && content_type != NULL && g_str_equal (content_type, "application/json"))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = bd_json_parse (text != NULL ? text : "", (gssize) length, &error);

      if (node == NULL)
        fail (msg, text, "an answer that is not JSON");
      if (status >= 400)
        {
          g_autofree char *code = NULL;
          g_autofree char *message = NULL;

          /* The desk reads every error through this decoder. */
          if (!bd_api_error_from_json (node, &code, &message, &error))
            fail (msg, text, "an error answer the desk cannot read");
        }
    }
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(BdDemoGenerator) generator = NULL;
  g_autoptr(GError) error = NULL;
  gsize n_users;
  const BdDemoUser *users;

  /* A critical is a broken precondition, in our code or below it. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);

  db_dir = g_dir_make_tmp ("fuzz-requests-XXXXXX", &error);
  g_assert_no_error (error);
  db_path = g_build_filename (db_dir, "central.sqlite3", NULL);
  atexit (remove_database);

  db = bd_central_db_open (db_path, &error);
  g_assert_no_error (error);
  /* Durability is not under test, and a sync per write would be most of
   * the run time. */
  bd_database_exec (bd_central_db_get_database (db), "PRAGMA synchronous = OFF", &error);
  g_assert_no_error (error);

  generator = bd_demo_generator_new (BD_DEMO_DEFAULT_SEED, g_get_real_time () / G_USEC_PER_SEC);
  g_assert_cmpint (bd_demo_generator_populate (generator, db, N_CONSUMERS, &error), ==, N_CONSUMERS);
  g_assert_no_error (error);
  /* The demo users first, with one PBKDF2 iteration: create_users keeps
   * them as they are, and a sign-in then costs next to nothing. */
  users = bd_demo_generator_get_users (&n_users);
  for (gsize i = 0; i < n_users; i++)
    {
      bd_central_db_ensure_user (db, users[i].username, users[i].display_name, users[i].role,
                                 users[i].zone, users[i].password, 1, &error);
      g_assert_no_error (error);
    }
  bd_demo_generator_create_users (generator, db, &error);
  g_assert_no_error (error);

  for (guint kind = TOKEN_OPERATOR; kind <= TOKEN_OPERATOR_EAST; kind++)
    refresh_token (kind);
  tokens[TOKEN_UNKNOWN] = g_strnfill (43, 'A');
  tokens[TOKEN_GARBAGE] = g_strdup ("\"; DROP TABLE sessions; --");

  server = bd_central_server_new_with_options (db, TRUE, 0.0);
  g_signal_connect (server->server, "request-finished", G_CALLBACK (on_request_done_cb), NULL);
  g_signal_connect (server->server, "request-aborted", G_CALLBACK (on_request_done_cb), NULL);
  local_address = g_inet_socket_address_new_from_string ("127.0.0.1", 8080);

  return 0;
}

/* The path as a request target: bytes that would end the request line or
 * break it are sent percent-encoded, so that the server sees them
 * decoded; everything else, '%' included, goes as the fuzzer wrote it. */
static void
append_target (GString    *request,
               const char *path,
               gsize       length)
{
  if (length == 0 || path[0] != '/')
    g_string_append_c (request, '/');
  for (gsize i = 0; i < length; i++)
    {
      guchar c = (guchar) path[i];

      if (c <= 0x20 || c >= 0x7f || c == '#')
        g_string_append_printf (request, "%%%02X", c);
      else
        g_string_append_c (request, (char) c);
    }
}

static GBytes *
build_request (const uint8_t *data,
               size_t         size)
{
  const char *method = methods[data[0] % 8];
  TokenKind token = (TokenKind) (data[1] % 8);
  guint8 extras = data[2];
  const char *rest = (const char *) data + 3;
  gsize rest_length = size - 3;
  const char *newline = memchr (rest, '\n', rest_length);
  gsize path_length = newline != NULL ? (gsize) (newline - rest) : rest_length;
  const char *body = newline != NULL ? newline + 1 : rest + rest_length;
  gsize body_length = rest_length - (gsize) (body - rest);
  GString *request = g_string_sized_new (256 + rest_length);

  g_string_append_printf (request, "%s ", method);
  append_target (request, rest, path_length);
  g_string_append (request, " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
  if (token != TOKEN_NONE && tokens[token] != NULL)
    g_string_append_printf (request, "Authorization: Bearer %s\r\n", tokens[token]);
  if (extras & 1)
    g_string_append_printf (request, "Idempotency-Key: fuzz-key-%u\r\n", extras >> 4);
  if (extras & 2)
    g_string_append (request, "X-Bijli-Desk: fuzz-desk\r\n");
  g_string_append (request, "Content-Type: application/json\r\n");
  if (extras & 4)
    {
      g_string_append (request, "Transfer-Encoding: chunked\r\n\r\n");
      if (body_length > 0)
        {
          g_string_append_printf (request, "%zx\r\n", body_length);
          g_string_append_len (request, body, (gssize) body_length);
          g_string_append (request, "\r\n");
        }
      g_string_append (request, "0\r\n\r\n");
    }
  else
    {
      g_string_append_printf (request, "Content-Length: %zu\r\n\r\n", body_length);
      g_string_append_len (request, body, (gssize) body_length);
    }

  current.structured = TRUE;
  return g_string_free_to_bytes (request);
}

/* What went out on the connection is HTTP: "HTTP/1.x NNN ". */
static void
check_output (GMemoryOutputStream *output)
{
  const char *out = g_memory_output_stream_get_data (output);
  gsize length = g_memory_output_stream_get_data_size (output);

  if (length == 0)
    return;
  if (length < 13 || (strncmp (out, "HTTP/1.1 ", 9) != 0 && strncmp (out, "HTTP/1.0 ", 9) != 0)
      || !g_ascii_isdigit (out[9]) || !g_ascii_isdigit (out[10]) || !g_ascii_isdigit (out[11])
      || out[12] != ' ')
    {
      fprintf (stderr, "fuzz-requests: the answer does not start with a status line: %.200s\n", out);
      abort ();
    }
}

/* libsoup before 3.5.2 leaks the request path of a request whose
 * Content-Length or Transfer-Encoding it cannot read (its commit
 * 450d43c4); Debian 12 has 3.2.2. Raw input finds that at once, so leaks
 * go unchecked for such input: any header block in it (at the start or
 * after a blank line) with an unreadable body length. */
static gboolean
hits_libsoup_path_leak (GBytes *request)
{
  gsize length;
  const char *data = g_bytes_get_data (request, &length);
  const char *end = data + length;

  for (const char *start = data; start != NULL && start < end;)
    {
      g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
      const char *blank = g_strstr_len (start, end - start, "\n\r\n");
      const char *blank_lf = g_strstr_len (start, end - start, "\n\n");
      const char *block_end;

      if (blank == NULL || (blank_lf != NULL && blank_lf < blank))
        blank = blank_lf;
      block_end = blank != NULL ? blank + (blank[1] == '\r' ? 3 : 2) : end;

      if (soup_headers_parse_request (start, (unsigned) (block_end - start), headers, NULL, NULL, NULL)
            == SOUP_STATUS_OK
          && soup_message_headers_get_encoding (headers) == SOUP_ENCODING_UNRECOGNIZED)
        return TRUE;
      start = blank != NULL ? block_end : NULL;
    }
  return FALSE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GOutputStream) output = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GSocketAddress) remote_address = NULL;
  g_autoptr(GError) error = NULL;
  TokenKind token = TOKEN_NONE;
  gboolean lsan_disabled = FALSE;

  if (size < 1)
    return 0;

  memset (&current, 0, sizeof current);
  if (data[0] >= 0x80)
    request = g_bytes_new (data + 1, size - 1);
  else if (size >= 3)
    {
      token = (TokenKind) (data[1] % 8);
      request = build_request (data, size);
    }
  else
    return 0;

  /* A port of its own tells this input's answers from late ones. */
  current.port = 1024 + (next_port++ % 60000);
  remote_address = g_inet_socket_address_new_from_string ("127.0.0.1", current.port);
  input = g_memory_input_stream_new_from_bytes (request);
  output = g_memory_output_stream_new_resizable ();
  stream = g_simple_io_stream_new (input, output);

  if (!current.structured && hits_libsoup_path_leak (request))
    {
      __lsan_disable ();
      lsan_disabled = TRUE;
    }

  if (!soup_server_accept_iostream (server->server, stream, local_address, remote_address, &error))
    g_error ("accept_iostream: %s", error->message);

  for (guint i = 0; i < MAX_ITERATIONS && !g_io_stream_is_closed (stream); i++)
    g_main_context_iteration (NULL, FALSE);

  if (lsan_disabled)
    __lsan_enable ();

  if (g_io_stream_is_closed (stream))
    {
      check_output (G_MEMORY_OUTPUT_STREAM (output));
      /* One request, Connection: close: one answer, then the close. */
      if (current.structured && current.n_answers != 1)
        {
          fprintf (stderr, "fuzz-requests: %u answers to one request\n", current.n_answers);
          abort ();
        }
    }

  if (current.unauthorized && token_users[token].zone != NULL && tokens[token] != NULL
      && !token_is_live (tokens[token]))
    refresh_token (token);

  return 0;
}
