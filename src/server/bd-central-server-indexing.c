/* bd-central-server-indexing.c: GET/PATCH /consumers/{account}/indexing
 * and GET /consumers/{account}/history.
 *
 * Every "to" of a PATCH is validated again with the core validators the
 * desk used (core/bd-validate.h), and stored in their normalised form.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "core/bd-validate.h"

#include "bd-central-db-audit.h"
#include "bd-central-db-indexing.h"
#include "bd-central-db-otp.h"
#include "bd-central-server-private.h"

#define HISTORY_DEFAULT_LIMIT 50
#define HISTORY_MAX_LIMIT     200
#define TEXT_MAX_CHARS        64
#define CODE_MAX_CHARS        40
#define SEALS_MAX             20
#define LOAD_MAX_W            G_GINT64_CONSTANT (10000000)
#define READING_MAX_WH        G_GINT64_CONSTANT (99999999000)

typedef char *(*NormalizeFunc) (const char *input, GError **error);

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
is_integer (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

static JsonNode *
new_string (const char *text)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, text);
  return node;
}

static gboolean
is_lower_hex (const char *text,
              gsize       length)
{
  if (text == NULL || strlen (text) != length)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

/* Meter make, model and rating: free text, one line, trimmed. */
static char *
normalize_text (const char  *input,
                GError     **error)
{
  g_autofree char *text = g_strstrip (g_strdup (input));

  if (g_utf8_strlen (text, -1) > TEXT_MAX_CHARS)
    {
      g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                   _("At most %d characters."), TEXT_MAX_CHARS);
      return NULL;
    }
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      {
        g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                     _("Use one line of plain text."));
        return NULL;
      }

  return g_steal_pointer (&text);
}

/* Feeder, DT and pole codes as the network register writes them:
 * letters, digits and dashes, upper-cased; empty when unknown. */
static char *
normalize_network_code (const char  *input,
                        GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (input));
  g_autofree char *text = g_ascii_strup (trimmed, -1);

  if (strlen (text) > CODE_MAX_CHARS)
    {
      g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                   _("At most %d characters."), CODE_MAX_CHARS);
      return NULL;
    }
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '/')
      {
        g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                     _("Use letters, digits and dashes only, as in ALG-F03-DT017."));
        return NULL;
      }

  return g_steal_pointer (&text);
}

static JsonNode *
validate_string (JsonNode      *to,
                 NormalizeFunc  normalize,
                 gboolean       nullable,
                 GError       **error)
{
  g_autofree char *normalized = NULL;

  if (JSON_NODE_HOLDS_NULL (to) && nullable)
    return json_node_new (JSON_NODE_NULL);
  if (!is_string (to))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                           nullable ? _("Give text or null.") : _("Give text."));
      return NULL;
    }

  normalized = normalize (json_node_get_string (to), error);
  if (normalized == NULL)
    return NULL;
  if (*normalized == '\0' && nullable)
    return json_node_new (JSON_NODE_NULL);

  return new_string (normalized);
}

static JsonNode *
validate_integer (JsonNode  *to,
                  gint64     min,
                  gint64     max,
                  gboolean   nullable,
                  GError   **error)
{
  if (JSON_NODE_HOLDS_NULL (to) && nullable)
    return json_node_new (JSON_NODE_NULL);
  if (!is_integer (to) || json_node_get_int (to) < min || json_node_get_int (to) > max)
    {
      g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY,
                   _("Give a whole number from %lld to %lld."),
                   (long long) min, (long long) max);
      return NULL;
    }

  return json_node_copy (to);
}

static JsonNode *
validate_date (JsonNode  *to,
               GError   **error)
{
  GDate date;
  char text[16];

  if (JSON_NODE_HOLDS_NULL (to))
    return json_node_new (JSON_NODE_NULL);
  if (!is_string (to))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_DATE,
                           _("Give a date as YYYY-MM-DD, or null."));
      return NULL;
    }

  g_date_clear (&date, 1);
  if (!bd_date_parse (json_node_get_string (to), &date, error))
    return NULL;
  g_date_strftime (text, sizeof text, "%Y-%m-%d", &date);

  return new_string (text);
}

static JsonNode *
validate_gps (JsonNode  *to,
              GError   **error)
{
  JsonObject *gps;
  JsonNode *lat;
  JsonNode *lon;
  g_autofree char *text = NULL;
  gint64 lat_e6;
  gint64 lon_e6;

  if (JSON_NODE_HOLDS_NULL (to))
    return json_node_new (JSON_NODE_NULL);
  if (!JSON_NODE_HOLDS_OBJECT (to)
      || json_object_get_size (gps = json_node_get_object (to)) != 2
      || (lat = json_object_get_member (gps, "lat_e6")) == NULL
      || (lon = json_object_get_member (gps, "lon_e6")) == NULL
      || !is_integer (lat) || !is_integer (lon)
      || ABS (json_node_get_int (lat)) > 90000000 || ABS (json_node_get_int (lon)) > 180000000)
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_GPS,
                           _("Give {\"lat_e6\": …, \"lon_e6\": …} in whole microdegrees, or null."));
      return NULL;
    }

  /* Through the desk's own parser, so both agree on where India is. */
  lat_e6 = json_node_get_int (lat);
  lon_e6 = json_node_get_int (lon);
  text = g_strdup_printf ("%s%" G_GINT64_FORMAT ".%06" G_GINT64_FORMAT ", %s%" G_GINT64_FORMAT ".%06" G_GINT64_FORMAT,
                          lat_e6 < 0 ? "-" : "", ABS (lat_e6) / 1000000, ABS (lat_e6) % 1000000,
                          lon_e6 < 0 ? "-" : "", ABS (lon_e6) / 1000000, ABS (lon_e6) % 1000000);
  if (!bd_gps_parse (text, &lat_e6, &lon_e6, error))
    return NULL;

  return json_node_copy (to);
}

static JsonNode *
validate_aadhaar (JsonNode  *to,
                  GError   **error)
{
  JsonObject *aadhaar;
  const char *last4;

  if (JSON_NODE_HOLDS_NULL (to))
    return json_node_new (JSON_NODE_NULL);

  /* Only the protected form ever travels: the full number never leaves the desk. */
  if (!JSON_NODE_HOLDS_OBJECT (to)
      || json_object_get_size (aadhaar = json_node_get_object (to)) != 3
      || (last4 = json_object_get_string_member_with_default (aadhaar, "last4", NULL)) == NULL
      || strlen (last4) != 4 || strspn (last4, "0123456789") != 4
      || !is_lower_hex (json_object_get_string_member_with_default (aadhaar, "salt", NULL), 32)
      || !is_lower_hex (json_object_get_string_member_with_default (aadhaar, "hash", NULL), 64))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_AADHAAR,
                           _("Send the Aadhaar only protected: last4, salt (32 hex digits) and hash (64 hex digits)."));
      return NULL;
    }

  return json_node_copy (to);
}

static JsonNode *
validate_seals (JsonNode  *to,
                GError   **error)
{
  JsonArray *seals;
  JsonArray *normalized;
  JsonNode *node;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (!JSON_NODE_HOLDS_ARRAY (to) || json_array_get_length (seals = json_node_get_array (to)) > SEALS_MAX)
    {
      g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_SEAL_NUMBER,
                   _("Give a list of at most %d seal numbers."), SEALS_MAX);
      return NULL;
    }

  normalized = json_array_new ();
  for (guint i = 0; i < json_array_get_length (seals); i++)
    {
      JsonNode *element = json_array_get_element (seals, i);
      char *seal;

      if (!is_string (element))
        {
          g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_SEAL_NUMBER,
                               _("Every seal number must be text."));
          json_array_unref (normalized);
          return NULL;
        }
      seal = bd_seal_number_normalize (json_node_get_string (element), error);
      if (seal == NULL)
        {
          json_array_unref (normalized);
          return NULL;
        }
      if (!g_hash_table_add (seen, seal))
        {
          g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_SEAL_NUMBER,
                       _("The seal number %s is listed twice."), seal);
          json_array_unref (normalized);
          return NULL;
        }
      json_array_add_string_element (normalized, seal);
    }

  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, normalized);
  return node;
}

/* The normalised "to" of field, or NULL with an error saying what is wrong. */
static JsonNode *
validate_to (const char  *field,
             JsonNode    *to,
             GError     **error)
{
  g_autoptr(GDateTime) today = g_date_time_new_now_utc ();

  if (g_str_equal (field, "alternate_phone"))
    return validate_string (to, bd_phone_normalize, TRUE, error);
  if (g_str_equal (field, "email"))
    return validate_string (to, bd_email_normalize, TRUE, error);
  if (g_str_equal (field, "pan"))
    return validate_string (to, bd_pan_normalize, TRUE, error);
  if (g_str_equal (field, "voter_id"))
    return validate_string (to, bd_voter_id_normalize, TRUE, error);
  if (g_str_equal (field, "driving_licence"))
    return validate_string (to, bd_driving_licence_normalize, TRUE, error);
  if (g_str_equal (field, "meter_serial"))
    return validate_string (to, bd_meter_serial_normalize, TRUE, error);
  if (g_str_equal (field, "meter_make") || g_str_equal (field, "meter_model")
      || g_str_equal (field, "meter_rating"))
    return validate_string (to, normalize_text, TRUE, error);
  if (g_str_equal (field, "feeder") || g_str_equal (field, "dt") || g_str_equal (field, "pole"))
    return validate_string (to, normalize_network_code, FALSE, error);
  if (g_str_equal (field, "sanctioned_load_w"))
    return validate_integer (to, 1, LOAD_MAX_W, FALSE, error);
  if (g_str_equal (field, "meter_year"))
    return validate_integer (to, 1950, g_date_time_get_year (today), TRUE, error);
  if (g_str_equal (field, "last_reading_wh"))
    return validate_integer (to, 0, READING_MAX_WH, TRUE, error);
  if (g_str_equal (field, "installed_on") || g_str_equal (field, "last_reading_on"))
    return validate_date (to, error);
  if (g_str_equal (field, "gps"))
    return validate_gps (to, error);
  if (g_str_equal (field, "aadhaar"))
    return validate_aadhaar (to, error);
  if (g_str_equal (field, "seal_numbers"))
    return validate_seals (to, error);

  g_assert_not_reached ();
}

/* {field: {"from", "to"}} with every "to" normalised, or NULL after 400. */
static JsonObject *
validate_changes (SoupServerMessage *msg,
                  JsonObject        *request)
{
  static const char * const allowed[] = { "changes", NULL };
  static const char * const change_members[] = { "from", "to", NULL };
  const char * const *fields = bd_central_indexing_fields ();
  g_autoptr(JsonObject) validated = json_object_new ();
  g_autoptr(GList) names = NULL;
  JsonNode *changes_node;
  JsonObject *changes;

  if (!_bd_central_check_members (msg, request, allowed))
    return NULL;
  changes_node = json_object_get_member (request, "changes");
  if (changes_node == NULL || !JSON_NODE_HOLDS_OBJECT (changes_node)
      || json_object_get_size (changes = json_node_get_object (changes_node)) == 0)
    {
      _bd_central_respond_invalid_request (msg, _("The request needs “changes”: the fields to change, each with its “from” and “to”."));
      return NULL;
    }

  names = json_object_get_members (changes);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *field = l->data;
      JsonNode *change_node = json_object_get_member (changes, field);
      JsonObject *change;
      JsonObject *normalized;
      g_autoptr(JsonNode) to = NULL;
      g_autoptr(GError) error = NULL;

      if (!g_strv_contains (fields, field))
        {
          g_autofree char *message = g_strdup_printf (_("“%s” is not an indexing field that can be changed."), field);

          _bd_central_respond_invalid_request (msg, message);
          return NULL;
        }
      if (!JSON_NODE_HOLDS_OBJECT (change_node)
          || !json_object_has_member (change = json_node_get_object (change_node), "from")
          || !json_object_has_member (change, "to"))
        {
          g_autofree char *message = g_strdup_printf (_("The change of “%s” needs “from” and “to”."), field);

          _bd_central_respond_invalid_request (msg, message);
          return NULL;
        }
      if (!_bd_central_check_members (msg, change, change_members))
        return NULL;

      to = validate_to (field, json_object_get_member (change, "to"), &error);
      if (to == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("The new %s is not valid: %s"), field, error->message);

          _bd_central_respond_invalid_request (msg, message);
          return NULL;
        }

      normalized = json_object_new ();
      json_object_set_member (normalized, "from", json_node_copy (json_object_get_member (change, "from")));
      json_object_set_member (normalized, "to", g_steal_pointer (&to));
      json_object_set_object_member (validated, field, normalized);
    }

  return g_steal_pointer (&validated);
}

/* Idempotency keys: 8–64 of A–Z a–z 0–9 and "-". */
static gboolean
valid_key (const char *key)
{
  gsize length = key != NULL ? strlen (key) : 0;

  if (length < 8 || length > 64)
    return FALSE;
  for (const char *p = key; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

const char *
_bd_central_idempotency_key (SoupServerMessage *msg)
{
  const char *key = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                  "Idempotency-Key");

  if (!valid_key (key))
    {
      _bd_central_respond_invalid_request (msg, _("A change needs an Idempotency-Key header of 8 to 64 letters, digits and dashes."));
      return NULL;
    }
  return key;
}

char *
_bd_central_request_hash (const char *scope,
                          GBytes     *body)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize length = 0;
  const guchar *data = body != NULL ? g_bytes_get_data (body, &length) : NULL;

  /* What "the same request" means for a key: same target, same bytes. */
  g_checksum_update (checksum, (const guchar *) scope, (gssize) strlen (scope));
  g_checksum_update (checksum, (const guchar *) "\n", 1);
  if (length > 0)
    g_checksum_update (checksum, data, (gssize) length);
  return g_strdup (g_checksum_get_string (checksum));
}

void
_bd_central_handle_indexing_get (BdCentralServer   *self,
                                 SoupServerMessage *msg,
                                 BdSession         *session,
                                 const char        *segment)
{
  g_autofree char *account = _bd_central_parse_account (msg, segment);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  if (account == NULL)
    return;

  node = bd_central_db_indexing_get (self->db, bd_session_get_zone (session), account, &error);
  if (node == NULL ||
      !bd_central_db_audit_view (self->db, session, "indexing.view", account, now_s (), &error))
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }

  _bd_central_respond_json (msg, SOUP_STATUS_OK, node);
}

void
_bd_central_handle_indexing_patch (BdCentralServer   *self,
                                   SoupServerMessage *msg,
                                   BdSession         *session,
                                   const char        *segment)
{
  g_autofree char *account = _bd_central_parse_account (msg, segment);
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonObject) changes = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *request_hash = NULL;
  const char *key;
  gboolean replayed;
  guint status;

  if (account == NULL)
    return;
  key = _bd_central_idempotency_key (msg);
  if (key == NULL)
    return;

  request = _bd_central_read_json_object (msg, &bytes);
  if (request == NULL)
    return;
  request_hash = _bd_central_request_hash (account, bytes);

  changes = validate_changes (msg, request);
  if (changes == NULL)
    return;

  if (!bd_central_db_indexing_patch (self->db, bd_session_get_zone (session), account, changes,
                                     key, request_hash,
                                     bd_session_get_username (session),
                                     bd_role_to_string (bd_session_get_role (session)),
                                     now_s (), &status, &body, &replayed, &error))
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }

  _bd_central_respond_stored (msg, status, g_steal_pointer (&body), replayed);
}

void
_bd_central_handle_history (BdCentralServer   *self,
                            SoupServerMessage *msg,
                            BdSession         *session,
                            const char        *segment,
                            GHashTable        *query)
{
  g_autofree char *account = _bd_central_parse_account (msg, segment);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  guint limit;

  if (account == NULL
      || !_bd_central_parse_limit (msg, query, HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT, &limit))
    return;

  node = bd_central_db_history (self->db, bd_session_get_zone (session), account, limit, &error);
  if (node == NULL)
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }

  _bd_central_respond_json (msg, SOUP_STATUS_OK, node);
}
