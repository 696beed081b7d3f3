/* bd-codec.c: JSON codecs for the /api/v1 wire format (data/openapi.yaml).
 *
 * Decoders check every field's presence, type and value: a desk must never
 * store a half-understood record, and the server must never act on one.
 * Unknown object members are ignored so that a newer server can add fields
 * without breaking older desks; unknown enum values and change kinds are
 * errors, because acting on a value we do not understand could lose data.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "bd-codec.h"
#include "bd-time.h"
#include "bd-validate.h"

/* Generous bounds that no real record reaches; they keep hostile input from
 * becoming huge allocations further down. */
#define MAX_TEXT_CHARS      1024
#define MAX_CURSOR_CHARS    64
#define MAX_TOKEN_CHARS     512
#define MAX_LIST_ITEMS      10000

G_DEFINE_QUARK (bd-codec-error-quark, bd_codec_error)

JsonNode *
bd_json_parse (const char  *data,
               gssize       length,
               GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (data == NULL)
    {
      g_set_error_literal (error, BD_CODEC_ERROR, BD_CODEC_ERROR_MALFORMED,
                           _("The answer was empty."));
      return NULL;
    }

  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_MALFORMED,
                   _("The answer is not valid JSON: %s"), local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, BD_CODEC_ERROR, BD_CODEC_ERROR_MALFORMED,
                           _("The answer was empty."));
      return NULL;
    }

  return json_node_copy (root);
}

char *
bd_json_to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

/* ---- decoding helpers ---------------------------------------------------- */

static JsonObject *
expect_object (JsonNode    *node,
               const char  *what,
               GError     **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_MALFORMED,
                   _("Expected %s as a JSON object."), what);
      return NULL;
    }
  return json_node_get_object (node);
}

static JsonNode *
member (JsonObject  *object,
        const char  *name,
        gboolean     required,
        GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL && required)
    g_set_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_MISSING_FIELD,
                 _("The field “%s” is missing."), name);
  return node;
}

static gboolean
invalid (GError     **error,
         const char  *name)
{
  g_set_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_INVALID_VALUE,
               _("The field “%s” has an invalid value."), name);
  return FALSE;
}

/* Reads a string member. With nullable, a JSON null or an absent member
 * gives NULL; otherwise both are errors. */
static gboolean
read_string (JsonObject  *object,
             const char  *name,
             gboolean     nullable,
             gsize        max_chars,
             char       **out,
             GError     **error)
{
  JsonNode *node = member (object, name, !nullable, error);
  const char *value;

  *out = NULL;
  if (node == NULL)
    return nullable;
  if (JSON_NODE_HOLDS_NULL (node))
    return nullable ? TRUE : invalid (error, name);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return invalid (error, name);

  value = json_node_get_string (node);
  if (value == NULL || !g_utf8_validate (value, -1, NULL) ||
      g_utf8_strlen (value, -1) > (glong) max_chars)
    return invalid (error, name);

  *out = g_strdup (value);
  return TRUE;
}

static gboolean
read_int (JsonObject  *object,
          const char  *name,
          gint64       min,
          gint64       max,
          gint64      *out,
          GError     **error)
{
  JsonNode *node = member (object, name, TRUE, error);
  gint64 value;

  if (node == NULL)
    return FALSE;
  /* Money and loads are integers: 12.5 paise is a bug, not a value. */
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return invalid (error, name);
  value = json_node_get_int (node);
  if (value < min || value > max)
    return invalid (error, name);
  *out = value;
  return TRUE;
}

static gboolean
read_bool (JsonObject  *object,
           const char  *name,
           gboolean    *out,
           GError     **error)
{
  JsonNode *node = member (object, name, TRUE, error);

  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return invalid (error, name);
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
read_time (JsonObject  *object,
           const char  *name,
           gboolean     nullable,
           gint64      *out,
           GError     **error)
{
  g_autofree char *text = NULL;

  *out = 0;
  if (!read_string (object, name, nullable, 64, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;
  if (!bd_time_from_iso8601 (text, out))
    return invalid (error, name);
  return TRUE;
}

/* ---- encoding helpers ---------------------------------------------------- */

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value != NULL ? value : "");
}

static void
add_time (JsonBuilder *builder,
          const char  *name,
          gint64       unix_utc,
          gboolean     nullable)
{
  g_autofree char *text = NULL;

  if (unix_utc != 0 || !nullable)
    text = bd_time_to_iso8601 (unix_utc);
  add_string_or_null (builder, name, text);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

/* ---- consumer ------------------------------------------------------------ */

static void
build_consumer (JsonBuilder *builder,
                BdConsumer  *consumer)
{
  json_builder_begin_object (builder);
  add_string (builder, "account", bd_consumer_get_account (consumer));
  add_string (builder, "name_en", bd_consumer_get_name_en (consumer));
  add_string (builder, "name_hi", bd_consumer_get_name_hi (consumer));
  add_string (builder, "relation_en", bd_consumer_get_relation_en (consumer));
  add_string (builder, "relation_hi", bd_consumer_get_relation_hi (consumer));
  add_string (builder, "address", bd_consumer_get_address (consumer));
  add_string_or_null (builder, "mobile", bd_consumer_get_mobile (consumer));
  json_builder_set_member_name (builder, "mobile_verified");
  json_builder_add_boolean_value (builder, bd_consumer_get_mobile_verified (consumer));
  add_string (builder, "meter_serial", bd_consumer_get_meter_serial (consumer));
  add_string (builder, "meter_make", bd_consumer_get_meter_make (consumer));
  add_string (builder, "meter_type", bd_meter_type_to_string (bd_consumer_get_meter_type (consumer)));
  add_string (builder, "category", bd_consumer_get_category (consumer));
  add_int (builder, "sanctioned_load_w", bd_consumer_get_sanctioned_load_w (consumer));
  add_string (builder, "phase", bd_phase_to_string (bd_consumer_get_phase (consumer)));
  add_string (builder, "feeder", bd_consumer_get_feeder (consumer));
  add_string (builder, "dt", bd_consumer_get_dt (consumer));
  add_string (builder, "pole", bd_consumer_get_pole (consumer));
  add_string (builder, "zone", bd_consumer_get_zone (consumer));
  add_string (builder, "area_type", bd_area_type_to_string (bd_consumer_get_area_type (consumer)));
  add_string (builder, "supply_status",
              bd_supply_status_to_string (bd_consumer_get_supply_status (consumer)));
  add_int (builder, "balance_paise", bd_consumer_get_balance_paise (consumer));
  add_time (builder, "balance_as_of", bd_consumer_get_balance_as_of (consumer), TRUE);
  add_int (builder, "version", bd_consumer_get_version (consumer));
  add_time (builder, "updated_at", bd_consumer_get_updated_at (consumer), FALSE);
  json_builder_end_object (builder);
}

JsonNode *
bd_consumer_to_json (BdConsumer *consumer)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (BD_IS_CONSUMER (consumer), NULL);

  build_consumer (builder, consumer);
  return json_builder_get_root (builder);
}

typedef struct {
  const char *name;
  void (*set) (BdConsumer *self, const char *value);
  gboolean nullable;
} StringField;

static const StringField consumer_strings[] = {
  { "name_en", bd_consumer_set_name_en, FALSE },
  { "name_hi", bd_consumer_set_name_hi, FALSE },
  { "relation_en", bd_consumer_set_relation_en, FALSE },
  { "relation_hi", bd_consumer_set_relation_hi, FALSE },
  { "address", bd_consumer_set_address, FALSE },
  { "meter_serial", bd_consumer_set_meter_serial, FALSE },
  { "meter_make", bd_consumer_set_meter_make, FALSE },
  { "category", bd_consumer_set_category, FALSE },
  { "feeder", bd_consumer_set_feeder, FALSE },
  { "dt", bd_consumer_set_dt, FALSE },
  { "pole", bd_consumer_set_pole, FALSE },
  { "zone", bd_consumer_set_zone, FALSE },
};

static gboolean
read_enum (JsonObject  *object,
           const char  *name,
           gboolean   (*parse) (const char *, int *),
           int         *out,
           GError     **error)
{
  g_autofree char *text = NULL;

  if (!read_string (object, name, FALSE, 32, &text, error))
    return FALSE;
  if (!parse (text, out))
    return invalid (error, name);
  return TRUE;
}

/* Adapters so one read_enum serves every enum type. */
#define ENUM_PARSER(Type, prefix)                                               \
  static gboolean parse_##prefix (const char *text, int *out)                   \
  {                                                                             \
    Type value;                                                                 \
    if (!prefix##_from_string (text, &value))                                   \
      return FALSE;                                                             \
    *out = (int) value;                                                         \
    return TRUE;                                                                \
  }

ENUM_PARSER (BdMeterType, bd_meter_type)
ENUM_PARSER (BdPhase, bd_phase)
ENUM_PARSER (BdAreaType, bd_area_type)
ENUM_PARSER (BdSupplyStatus, bd_supply_status)

BdConsumer *
bd_consumer_from_json (JsonNode  *node,
                       GError   **error)
{
  JsonObject *object = expect_object (node, _("a consumer"), error);
  g_autoptr(BdConsumer) consumer = NULL;
  g_autofree char *account = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *mobile = NULL;
  gboolean verified;
  int meter_type, phase, area_type, supply_status;
  gint64 load, balance, as_of, version, updated_at;

  if (object == NULL)
    return NULL;

  if (!read_string (object, "account", FALSE, 32, &account, error))
    return NULL;
  normalized = bd_account_normalize (account, NULL);
  if (normalized == NULL || strcmp (normalized, account) != 0)
    {
      invalid (error, "account");
      return NULL;
    }

  consumer = bd_consumer_new (account);

  for (gsize i = 0; i < G_N_ELEMENTS (consumer_strings); i++)
    {
      g_autofree char *value = NULL;

      if (!read_string (object, consumer_strings[i].name, consumer_strings[i].nullable,
                        MAX_TEXT_CHARS, &value, error))
        return NULL;
      consumer_strings[i].set (consumer, value);
    }

  if (!read_string (object, "mobile", TRUE, 16, &mobile, error))
    return NULL;
  if (mobile != NULL)
    {
      g_autofree char *valid_mobile = bd_mobile_normalize (mobile, NULL);

      if (valid_mobile == NULL || strcmp (valid_mobile, mobile) != 0)
        {
          invalid (error, "mobile");
          return NULL;
        }
    }

  if (!read_bool (object, "mobile_verified", &verified, error) ||
      !read_enum (object, "meter_type", parse_bd_meter_type, &meter_type, error) ||
      !read_int (object, "sanctioned_load_w", 0, G_GINT64_CONSTANT (100000000), &load, error) ||
      !read_enum (object, "phase", parse_bd_phase, &phase, error) ||
      !read_enum (object, "area_type", parse_bd_area_type, &area_type, error) ||
      !read_enum (object, "supply_status", parse_bd_supply_status, &supply_status, error) ||
      /* ±₹1 crore is far beyond any prepaid balance; beyond it is corruption. */
      !read_int (object, "balance_paise", -G_GINT64_CONSTANT (1000000000),
                 G_GINT64_CONSTANT (1000000000), &balance, error) ||
      !read_time (object, "balance_as_of", TRUE, &as_of, error) ||
      !read_int (object, "version", 0, G_MAXINT64, &version, error) ||
      !read_time (object, "updated_at", FALSE, &updated_at, error))
    return NULL;

  bd_consumer_set_mobile (consumer, mobile);
  bd_consumer_set_mobile_verified (consumer, verified && mobile != NULL);
  bd_consumer_set_meter_type (consumer, (BdMeterType) meter_type);
  bd_consumer_set_sanctioned_load_w (consumer, load);
  bd_consumer_set_phase (consumer, (BdPhase) phase);
  bd_consumer_set_area_type (consumer, (BdAreaType) area_type);
  bd_consumer_set_supply_status (consumer, (BdSupplyStatus) supply_status);
  bd_consumer_set_balance_paise (consumer, balance);
  bd_consumer_set_balance_as_of (consumer, as_of);
  bd_consumer_set_version (consumer, version);
  bd_consumer_set_updated_at (consumer, updated_at);

  return g_steal_pointer (&consumer);
}

JsonNode *
bd_consumer_list_to_json (GPtrArray *consumers)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "consumers");
  json_builder_begin_array (builder);
  for (guint i = 0; consumers != NULL && i < consumers->len; i++)
    build_consumer (builder, g_ptr_array_index (consumers, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static JsonArray *
read_array (JsonObject  *object,
            const char  *name,
            GError     **error)
{
  JsonNode *node = member (object, name, TRUE, error);
  JsonArray *array;

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      invalid (error, name);
      return NULL;
    }
  array = json_node_get_array (node);
  if (json_array_get_length (array) > MAX_LIST_ITEMS)
    {
      invalid (error, name);
      return NULL;
    }
  return array;
}

GPtrArray *
bd_consumer_list_from_json (JsonNode  *node,
                            GError   **error)
{
  JsonObject *object = expect_object (node, _("a list of consumers"), error);
  g_autoptr(GPtrArray) consumers = NULL;
  JsonArray *array;
  guint length;

  if (object == NULL)
    return NULL;
  array = read_array (object, "consumers", error);
  if (array == NULL)
    return NULL;

  length = json_array_get_length (array);
  consumers = g_ptr_array_new_full (length, g_object_unref);
  for (guint i = 0; i < length; i++)
    {
      BdConsumer *consumer = bd_consumer_from_json (json_array_get_element (array, i), error);

      if (consumer == NULL)
        return NULL;
      g_ptr_array_add (consumers, consumer);
    }
  return g_steal_pointer (&consumers);
}

/* ---- changes feed -------------------------------------------------------- */

JsonNode *
bd_changes_page_to_json (BdChangesPage *page,
                         const gint64  *seqs)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (page != NULL, NULL);
  g_return_val_if_fail (page->consumers->len == 0 || seqs != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "changes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < page->consumers->len; i++)
    {
      json_builder_begin_object (builder);
      add_string (builder, "kind", "consumer");
      add_int (builder, "seq", seqs[i]);
      json_builder_set_member_name (builder, "consumer");
      build_consumer (builder, g_ptr_array_index (page->consumers, i));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  add_string (builder, "next_cursor", page->next_cursor);
  json_builder_set_member_name (builder, "has_more");
  json_builder_add_boolean_value (builder, page->has_more);
  add_int (builder, "remaining", page->remaining);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

BdChangesPage *
bd_changes_page_from_json (JsonNode  *node,
                           GError   **error)
{
  JsonObject *object = expect_object (node, _("a page of changes"), error);
  g_autoptr(BdChangesPage) page = NULL;
  JsonArray *changes;
  guint length;

  if (object == NULL)
    return NULL;

  changes = read_array (object, "changes", error);
  if (changes == NULL)
    return NULL;

  page = bd_changes_page_new ();
  if (!read_string (object, "next_cursor", FALSE, MAX_CURSOR_CHARS, &page->next_cursor, error) ||
      !read_bool (object, "has_more", &page->has_more, error) ||
      !read_int (object, "remaining", 0, G_MAXINT64, &page->remaining, error))
    return NULL;
  if (*page->next_cursor == '\0')
    {
      invalid (error, "next_cursor");
      return NULL;
    }

  length = json_array_get_length (changes);
  for (guint i = 0; i < length; i++)
    {
      JsonObject *change = expect_object (json_array_get_element (changes, i), _("a change"), error);
      g_autofree char *kind = NULL;
      gint64 seq;
      JsonNode *consumer_node;
      BdConsumer *consumer;

      if (change == NULL ||
          !read_string (change, "kind", FALSE, 32, &kind, error) ||
          !read_int (change, "seq", 1, G_MAXINT64, &seq, error))
        return NULL;
      /* The cursor moves past every change in the page, so a kind this desk
       * does not know would be skipped for good: refuse the page instead. */
      if (strcmp (kind, "consumer") != 0)
        {
          invalid (error, "kind");
          return NULL;
        }
      consumer_node = member (change, "consumer", TRUE, error);
      if (consumer_node == NULL)
        return NULL;
      consumer = bd_consumer_from_json (consumer_node, error);
      if (consumer == NULL)
        return NULL;
      g_ptr_array_add (page->consumers, consumer);
    }

  return g_steal_pointer (&page);
}

/* ---- session ------------------------------------------------------------- */

JsonNode *
bd_sign_in_request_to_json (const char *username,
                            const char *password)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "username", username);
  add_string (builder, "password", password);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

gboolean
bd_sign_in_request_from_json (JsonNode  *node,
                              char     **out_username,
                              char     **out_password,
                              GError   **error)
{
  JsonObject *object = expect_object (node, _("a sign-in request"), error);
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;

  if (object == NULL ||
      !read_string (object, "username", FALSE, 64, &username, error) ||
      !read_string (object, "password", FALSE, 256, &password, error))
    return FALSE;
  if (*username == '\0')
    return invalid (error, "username");
  if (*password == '\0')
    return invalid (error, "password");

  *out_username = g_steal_pointer (&username);
  *out_password = g_steal_pointer (&password);
  return TRUE;
}

JsonNode *
bd_session_to_json (BdSession *session)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (BD_IS_SESSION (session), NULL);

  json_builder_begin_object (builder);
  add_string (builder, "token", bd_session_get_token (session));
  add_string (builder, "username", bd_session_get_username (session));
  add_string (builder, "display_name", bd_session_get_display_name (session));
  add_string (builder, "role", bd_role_to_string (bd_session_get_role (session)));
  add_string (builder, "zone", bd_session_get_zone (session));
  add_string (builder, "zone_name", bd_session_get_zone_name (session));
  add_time (builder, "expires_at", bd_session_get_expires_at (session), FALSE);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

BdSession *
bd_session_from_json (JsonNode  *node,
                      GError   **error)
{
  JsonObject *object = expect_object (node, _("a session"), error);
  g_autofree char *token = NULL;
  g_autofree char *username = NULL;
  g_autofree char *display_name = NULL;
  g_autofree char *role_text = NULL;
  g_autofree char *zone = NULL;
  g_autofree char *zone_name = NULL;
  gint64 expires_at;
  BdRole role;

  if (object == NULL ||
      !read_string (object, "token", FALSE, MAX_TOKEN_CHARS, &token, error) ||
      !read_string (object, "username", FALSE, 64, &username, error) ||
      !read_string (object, "display_name", FALSE, 128, &display_name, error) ||
      !read_string (object, "role", FALSE, 32, &role_text, error) ||
      !read_string (object, "zone", FALSE, 32, &zone, error) ||
      !read_string (object, "zone_name", FALSE, 128, &zone_name, error) ||
      !read_time (object, "expires_at", FALSE, &expires_at, error))
    return NULL;

  if (*token == '\0')
    {
      invalid (error, "token");
      return NULL;
    }
  if (!bd_role_from_string (role_text, &role))
    {
      invalid (error, "role");
      return NULL;
    }
  if (*zone == '\0')
    {
      invalid (error, "zone");
      return NULL;
    }

  return bd_session_new (token, username, display_name, role, zone, zone_name, expires_at);
}

/* ---- errors -------------------------------------------------------------- */

JsonNode *
bd_api_error_to_json (const char *code,
                      const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  add_string (builder, "code", code);
  add_string (builder, "message", message);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

gboolean
bd_api_error_from_json (JsonNode  *node,
                        char     **out_code,
                        char     **out_message,
                        GError   **error)
{
  JsonObject *object = expect_object (node, _("an error"), error);
  JsonNode *inner_node;
  JsonObject *inner;
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;

  if (object == NULL)
    return FALSE;
  inner_node = member (object, "error", TRUE, error);
  if (inner_node == NULL)
    return FALSE;
  inner = expect_object (inner_node, _("an error"), error);
  if (inner == NULL ||
      !read_string (inner, "code", FALSE, 64, &code, error) ||
      !read_string (inner, "message", FALSE, MAX_TEXT_CHARS, &message, error))
    return FALSE;

  *out_code = g_steal_pointer (&code);
  *out_message = g_steal_pointer (&message);
  return TRUE;
}
