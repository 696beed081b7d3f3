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
#include <stdio.h>
#include <string.h>

#include "bd-codec.h"
#include "bd-codec-private.h"
#include "bd-time.h"
#include "bd-validate.h"

/* Generous bounds that no real record reaches; they keep hostile input from
 * becoming huge allocations further down. */
#define MAX_TEXT_CHARS      1024
#define MAX_CURSOR_CHARS    64
#define MAX_TOKEN_CHARS     512

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

/* ---- consumer ------------------------------------------------------------ */

static void
build_consumer (JsonBuilder *builder,
                BdConsumer  *consumer)
{
  json_builder_begin_object (builder);
  _bd_codec_add_string (builder, "account", bd_consumer_get_account (consumer));
  _bd_codec_add_string (builder, "name_en", bd_consumer_get_name_en (consumer));
  _bd_codec_add_string (builder, "name_hi", bd_consumer_get_name_hi (consumer));
  _bd_codec_add_string (builder, "relation_en", bd_consumer_get_relation_en (consumer));
  _bd_codec_add_string (builder, "relation_hi", bd_consumer_get_relation_hi (consumer));
  _bd_codec_add_string (builder, "address", bd_consumer_get_address (consumer));
  _bd_codec_add_string_or_null (builder, "mobile", bd_consumer_get_mobile (consumer));
  json_builder_set_member_name (builder, "mobile_verified");
  json_builder_add_boolean_value (builder, bd_consumer_get_mobile_verified (consumer));
  _bd_codec_add_string (builder, "meter_serial", bd_consumer_get_meter_serial (consumer));
  _bd_codec_add_string (builder, "meter_make", bd_consumer_get_meter_make (consumer));
  _bd_codec_add_string (builder, "meter_type", bd_meter_type_to_string (bd_consumer_get_meter_type (consumer)));
  _bd_codec_add_string (builder, "category", bd_consumer_get_category (consumer));
  _bd_codec_add_int (builder, "sanctioned_load_w", bd_consumer_get_sanctioned_load_w (consumer));
  _bd_codec_add_string (builder, "phase", bd_phase_to_string (bd_consumer_get_phase (consumer)));
  _bd_codec_add_string (builder, "feeder", bd_consumer_get_feeder (consumer));
  _bd_codec_add_string (builder, "dt", bd_consumer_get_dt (consumer));
  _bd_codec_add_string (builder, "pole", bd_consumer_get_pole (consumer));
  _bd_codec_add_string (builder, "zone", bd_consumer_get_zone (consumer));
  _bd_codec_add_string (builder, "area_type", bd_area_type_to_string (bd_consumer_get_area_type (consumer)));
  _bd_codec_add_string (builder, "supply_status",
              bd_supply_status_to_string (bd_consumer_get_supply_status (consumer)));
  _bd_codec_add_int (builder, "balance_paise", bd_consumer_get_balance_paise (consumer));
  _bd_codec_add_time (builder, "balance_as_of", bd_consumer_get_balance_as_of (consumer), TRUE);
  _bd_codec_add_int (builder, "version", bd_consumer_get_version (consumer));
  _bd_codec_add_time (builder, "updated_at", bd_consumer_get_updated_at (consumer), FALSE);
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
  JsonObject *object = _bd_codec_expect_object (node, _("a consumer"), error);
  g_autoptr(BdConsumer) consumer = NULL;
  g_autofree char *account = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *mobile = NULL;
  gboolean verified;
  int meter_type, phase, area_type, supply_status;
  gint64 load, balance, as_of, version, updated_at;

  if (object == NULL)
    return NULL;

  if (!_bd_codec_read_string (object, "account", FALSE, 32, &account, error))
    return NULL;
  normalized = bd_account_normalize (account, NULL);
  if (normalized == NULL || strcmp (normalized, account) != 0)
    {
      _bd_codec_invalid (error, "account");
      return NULL;
    }

  consumer = bd_consumer_new (account);

  for (gsize i = 0; i < G_N_ELEMENTS (consumer_strings); i++)
    {
      g_autofree char *value = NULL;

      if (!_bd_codec_read_string (object, consumer_strings[i].name, consumer_strings[i].nullable,
                        MAX_TEXT_CHARS, &value, error))
        return NULL;
      consumer_strings[i].set (consumer, value);
    }

  if (!_bd_codec_read_string (object, "mobile", TRUE, 16, &mobile, error))
    return NULL;
  if (mobile != NULL)
    {
      g_autofree char *valid_mobile = bd_mobile_normalize (mobile, NULL);

      if (valid_mobile == NULL || strcmp (valid_mobile, mobile) != 0)
        {
          _bd_codec_invalid (error, "mobile");
          return NULL;
        }
    }

  if (!_bd_codec_read_bool (object, "mobile_verified", &verified, error) ||
      !_bd_codec_read_enum (object, "meter_type", parse_bd_meter_type, &meter_type, error) ||
      !_bd_codec_read_int (object, "sanctioned_load_w", 0, G_GINT64_CONSTANT (100000000), &load, error) ||
      !_bd_codec_read_enum (object, "phase", parse_bd_phase, &phase, error) ||
      !_bd_codec_read_enum (object, "area_type", parse_bd_area_type, &area_type, error) ||
      !_bd_codec_read_enum (object, "supply_status", parse_bd_supply_status, &supply_status, error) ||
      /* ±₹1 crore is far beyond any prepaid balance; beyond it is corruption. */
      !_bd_codec_read_int (object, "balance_paise", -G_GINT64_CONSTANT (1000000000),
                 G_GINT64_CONSTANT (1000000000), &balance, error) ||
      !_bd_codec_read_time (object, "balance_as_of", TRUE, &as_of, error) ||
      !_bd_codec_read_int (object, "version", 0, G_MAXINT64, &version, error) ||
      !_bd_codec_read_time (object, "updated_at", FALSE, &updated_at, error))
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


GPtrArray *
bd_consumer_list_from_json (JsonNode  *node,
                            GError   **error)
{
  JsonObject *object = _bd_codec_expect_object (node, _("a list of consumers"), error);
  g_autoptr(GPtrArray) consumers = NULL;
  JsonArray *array;
  guint length;

  if (object == NULL)
    return NULL;
  array = _bd_codec_read_array (object, "consumers", error);
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
      _bd_codec_add_string (builder, "kind", "consumer");
      _bd_codec_add_int (builder, "seq", seqs[i]);
      json_builder_set_member_name (builder, "consumer");
      build_consumer (builder, g_ptr_array_index (page->consumers, i));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  _bd_codec_add_string (builder, "next_cursor", page->next_cursor);
  json_builder_set_member_name (builder, "has_more");
  json_builder_add_boolean_value (builder, page->has_more);
  _bd_codec_add_int (builder, "remaining", page->remaining);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

BdChangesPage *
bd_changes_page_from_json (JsonNode  *node,
                           GError   **error)
{
  JsonObject *object = _bd_codec_expect_object (node, _("a page of changes"), error);
  g_autoptr(BdChangesPage) page = NULL;
  JsonArray *changes;
  guint length;

  if (object == NULL)
    return NULL;

  changes = _bd_codec_read_array (object, "changes", error);
  if (changes == NULL)
    return NULL;

  page = bd_changes_page_new ();
  if (!_bd_codec_read_string (object, "next_cursor", FALSE, MAX_CURSOR_CHARS, &page->next_cursor, error) ||
      !_bd_codec_read_bool (object, "has_more", &page->has_more, error) ||
      !_bd_codec_read_int (object, "remaining", 0, G_MAXINT64, &page->remaining, error))
    return NULL;
  if (*page->next_cursor == '\0')
    {
      _bd_codec_invalid (error, "next_cursor");
      return NULL;
    }

  length = json_array_get_length (changes);
  for (guint i = 0; i < length; i++)
    {
      JsonObject *change = _bd_codec_expect_object (json_array_get_element (changes, i), _("a change"), error);
      g_autofree char *kind = NULL;
      gint64 seq;
      JsonNode *consumer_node;
      BdConsumer *consumer;

      if (change == NULL ||
          !_bd_codec_read_string (change, "kind", FALSE, 32, &kind, error) ||
          !_bd_codec_read_int (change, "seq", 1, G_MAXINT64, &seq, error))
        return NULL;
      /* The cursor moves past every change in the page, so a kind this desk
       * does not know would be skipped for good: refuse the page instead. */
      if (strcmp (kind, "consumer") != 0)
        {
          _bd_codec_invalid (error, "kind");
          return NULL;
        }
      consumer_node = _bd_codec_member (change, "consumer", TRUE, error);
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
                            const char *password,
                            const char *zone)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  _bd_codec_add_string (builder, "username", username);
  _bd_codec_add_string (builder, "password", password);
  if (zone != NULL && *zone != '\0')
    _bd_codec_add_string (builder, "zone", zone);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

gboolean
bd_sign_in_request_from_json (JsonNode  *node,
                              char     **out_username,
                              char     **out_password,
                              char     **out_zone,
                              GError   **error)
{
  JsonObject *object = _bd_codec_expect_object (node, _("a sign-in request"), error);
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;
  g_autofree char *zone = NULL;

  if (object == NULL ||
      !_bd_codec_read_string (object, "username", FALSE, 64, &username, error) ||
      !_bd_codec_read_string (object, "password", FALSE, 256, &password, error) ||
      !_bd_codec_read_string (object, "zone", TRUE, 16, &zone, error))
    return FALSE;
  if (*username == '\0')
    return _bd_codec_invalid (error, "username");
  if (*password == '\0')
    return _bd_codec_invalid (error, "password");

  *out_username = g_steal_pointer (&username);
  *out_password = g_steal_pointer (&password);
  if (out_zone != NULL)
    *out_zone = zone != NULL && *zone != '\0' ? g_steal_pointer (&zone) : NULL;
  return TRUE;
}

JsonNode *
bd_session_to_json (BdSession *session)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (BD_IS_SESSION (session), NULL);

  json_builder_begin_object (builder);
  _bd_codec_add_string (builder, "token", bd_session_get_token (session));
  _bd_codec_add_string (builder, "username", bd_session_get_username (session));
  _bd_codec_add_string (builder, "display_name", bd_session_get_display_name (session));
  _bd_codec_add_string (builder, "role", bd_role_to_string (bd_session_get_role (session)));
  _bd_codec_add_string (builder, "zone", bd_session_get_zone (session));
  _bd_codec_add_string (builder, "zone_name", bd_session_get_zone_name (session));
  _bd_codec_add_time (builder, "expires_at", bd_session_get_expires_at (session), FALSE);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

BdSession *
bd_session_from_json (JsonNode  *node,
                      GError   **error)
{
  JsonObject *object = _bd_codec_expect_object (node, _("a session"), error);
  g_autofree char *token = NULL;
  g_autofree char *username = NULL;
  g_autofree char *display_name = NULL;
  g_autofree char *role_text = NULL;
  g_autofree char *zone = NULL;
  g_autofree char *zone_name = NULL;
  gint64 expires_at;
  BdRole role;

  if (object == NULL ||
      !_bd_codec_read_string (object, "token", FALSE, MAX_TOKEN_CHARS, &token, error) ||
      !_bd_codec_read_string (object, "username", FALSE, 64, &username, error) ||
      !_bd_codec_read_string (object, "display_name", FALSE, 128, &display_name, error) ||
      !_bd_codec_read_string (object, "role", FALSE, 32, &role_text, error) ||
      !_bd_codec_read_string (object, "zone", FALSE, 32, &zone, error) ||
      !_bd_codec_read_string (object, "zone_name", FALSE, 128, &zone_name, error) ||
      !_bd_codec_read_time (object, "expires_at", FALSE, &expires_at, error))
    return NULL;

  if (*token == '\0')
    {
      _bd_codec_invalid (error, "token");
      return NULL;
    }
  if (!bd_role_from_string (role_text, &role))
    {
      _bd_codec_invalid (error, "role");
      return NULL;
    }
  if (*zone == '\0')
    {
      _bd_codec_invalid (error, "zone");
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
  _bd_codec_add_string (builder, "code", code);
  _bd_codec_add_string (builder, "message", message);
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
  JsonObject *object = _bd_codec_expect_object (node, _("an error"), error);
  JsonNode *inner_node;
  JsonObject *inner;
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;

  if (object == NULL)
    return FALSE;
  inner_node = _bd_codec_member (object, "error", TRUE, error);
  if (inner_node == NULL)
    return FALSE;
  inner = _bd_codec_expect_object (inner_node, _("an error"), error);
  if (inner == NULL ||
      !_bd_codec_read_string (inner, "code", FALSE, 64, &code, error) ||
      !_bd_codec_read_string (inner, "message", FALSE, MAX_TEXT_CHARS, &message, error))
    return FALSE;

  *out_code = g_steal_pointer (&code);
  *out_message = g_steal_pointer (&message);
  return TRUE;
}

/* ---- errors with details ------------------------------------------------- */

JsonNode *
bd_api_error_to_json_full (const char *code,
                           const char *message,
                           gint        retry_after,
                           gint        attempts_left)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  _bd_codec_add_string (builder, "code", code);
  _bd_codec_add_string (builder, "message", message);
  if (retry_after >= 0)
    _bd_codec_add_int (builder, "retry_after", retry_after);
  if (attempts_left >= 0)
    _bd_codec_add_int (builder, "attempts_left", attempts_left);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* An optional non-negative integer member: -1 when absent or null. */
static gboolean
read_optional_count (JsonObject  *object,
                     const char  *name,
                     gint        *out,
                     GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  gint64 value;

  *out = -1;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!_bd_codec_read_int (object, name, 0, G_MAXINT32, &value, error))
    return FALSE;
  *out = (gint) value;
  return TRUE;
}

gboolean
bd_api_error_from_json_full (JsonNode  *node,
                             char     **out_code,
                             char     **out_message,
                             gint      *out_retry_after,
                             gint      *out_attempts_left,
                             GError   **error)
{
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;
  JsonObject *inner;
  gint retry_after, attempts_left;

  if (!bd_api_error_from_json (node, &code, &message, error))
    return FALSE;
  /* bd_api_error_from_json checked that both objects exist. */
  inner = json_object_get_object_member (json_node_get_object (node), "error");
  if (!read_optional_count (inner, "retry_after", &retry_after, error) ||
      !read_optional_count (inner, "attempts_left", &attempts_left, error))
    return FALSE;

  if (out_code != NULL)
    *out_code = g_steal_pointer (&code);
  if (out_message != NULL)
    *out_message = g_steal_pointer (&message);
  if (out_retry_after != NULL)
    *out_retry_after = retry_after;
  if (out_attempts_left != NULL)
    *out_attempts_left = attempts_left;
  return TRUE;
}

/* ---- indexing ------------------------------------------------------------ */

#define MAX_INDEXING_TEXT_CHARS 256
#define MAX_SEAL_ITEMS          100

static void
add_node (JsonBuilder *builder,
          const char  *name,
          JsonNode    *node)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_value (builder, node);   /* takes node */
}

static void
build_indexing (JsonBuilder *builder,
                BdIndexing  *indexing)
{
  const char * const *names = bd_indexing_field_names ();

  json_builder_begin_object (builder);
  _bd_codec_add_string (builder, "account", bd_indexing_get_account (indexing));
  _bd_codec_add_int (builder, "version", bd_indexing_get_version (indexing));
  for (guint i = 0; names[i] != NULL; i++)
    add_node (builder, names[i], bd_indexing_get_field (indexing, names[i]));
  _bd_codec_add_time (builder, "updated_at", bd_indexing_get_updated_at (indexing), TRUE);
  _bd_codec_add_string_or_null (builder, "updated_by", bd_indexing_get_updated_by (indexing));
  json_builder_end_object (builder);
}

JsonNode *
bd_indexing_to_json (BdIndexing *indexing)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (BD_IS_INDEXING (indexing), NULL);

  build_indexing (builder, indexing);
  return json_builder_get_root (builder);
}

static gboolean
is_digits (const char *text,
           gsize       len)
{
  if (text == NULL || strlen (text) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  return TRUE;
}

static gboolean
is_hex_string (const char *text,
               gsize       len)
{
  if (text == NULL || strlen (text) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (text[i]))
      return FALSE;
  return TRUE;
}

/* A present member that may be null; int or null, -1 for null. */
static gboolean
read_int_or_null (JsonObject  *object,
                  const char  *name,
                  gint64       min,
                  gint64       max,
                  gint64      *out,
                  GError     **error)
{
  JsonNode *node = _bd_codec_member (object, name, TRUE, error);

  if (node == NULL)
    return FALSE;
  *out = -1;
  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  return _bd_codec_read_int (object, name, min, max, out, error);
}

static gboolean
read_aadhaar (JsonObject  *object,
              BdIndexing  *indexing,
              GError     **error)
{
  JsonNode *node = _bd_codec_member (object, "aadhaar", TRUE, error);
  JsonObject *aadhaar;
  g_autofree char *last4 = NULL;
  g_autofree char *salt = NULL;
  g_autofree char *hash = NULL;

  if (node == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return _bd_codec_invalid (error, "aadhaar");
  aadhaar = json_node_get_object (node);
  if (!_bd_codec_read_string (aadhaar, "last4", FALSE, 4, &last4, error) ||
      !_bd_codec_read_string (aadhaar, "salt", TRUE, 32, &salt, error) ||
      !_bd_codec_read_string (aadhaar, "hash", TRUE, 64, &hash, error))
    return FALSE;
  /* A full number in "last4" must never get through to storage. */
  if (!is_digits (last4, 4) ||
      (salt != NULL && !is_hex_string (salt, 32)) ||
      (hash != NULL && !is_hex_string (hash, 64)) ||
      ((salt == NULL) != (hash == NULL)))
    return _bd_codec_invalid (error, "aadhaar");

  bd_indexing_set_aadhaar (indexing, last4, salt, hash);
  return TRUE;
}

static gboolean
read_seals (JsonObject  *object,
            BdIndexing  *indexing,
            GError     **error)
{
  JsonArray *array = _bd_codec_read_array (object, "seal_numbers", error);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) seals = NULL;

  if (array == NULL)
    return FALSE;
  if (json_array_get_length (array) > MAX_SEAL_ITEMS)
    return _bd_codec_invalid (error, "seal_numbers");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *seal;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        return _bd_codec_invalid (error, "seal_numbers");
      seal = json_node_get_string (element);
      if (!g_utf8_validate (seal, -1, NULL) || strlen (seal) > 64)
        return _bd_codec_invalid (error, "seal_numbers");
      g_strv_builder_add (builder, seal);
    }
  seals = g_strv_builder_end (builder);
  bd_indexing_set_seal_numbers (indexing, (const char * const *) seals);
  return TRUE;
}

static gboolean
read_gps (JsonObject  *object,
          BdIndexing  *indexing,
          GError     **error)
{
  JsonNode *node = _bd_codec_member (object, "gps", TRUE, error);
  JsonObject *gps;
  gint64 lat, lon;

  if (node == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return _bd_codec_invalid (error, "gps");
  gps = json_node_get_object (node);
  if (!_bd_codec_read_int (gps, "lat_e6", -90000000, 90000000, &lat, error) ||
      !_bd_codec_read_int (gps, "lon_e6", -180000000, 180000000, &lon, error))
    return FALSE;
  bd_indexing_set_gps (indexing, lat, lon);
  return TRUE;
}

static const struct {
  const char *name;
  void      (*set) (BdIndexing *, const char *);
  gboolean    nullable;
} indexing_strings[] = {
  { "alternate_phone", bd_indexing_set_alternate_phone, TRUE },
  { "email", bd_indexing_set_email, TRUE },
  { "pan", bd_indexing_set_pan, TRUE },
  { "voter_id", bd_indexing_set_voter_id, TRUE },
  { "driving_licence", bd_indexing_set_driving_licence, TRUE },
  { "meter_make", bd_indexing_set_meter_make, TRUE },
  { "meter_model", bd_indexing_set_meter_model, TRUE },
  { "meter_serial", bd_indexing_set_meter_serial, TRUE },
  { "meter_rating", bd_indexing_set_meter_rating, TRUE },
  { "installed_on", bd_indexing_set_installed_on, TRUE },
  { "last_reading_on", bd_indexing_set_last_reading_on, TRUE },
  { "feeder", bd_indexing_set_feeder, FALSE },
  { "dt", bd_indexing_set_dt, FALSE },
  { "pole", bd_indexing_set_pole, FALSE },
  { "updated_by", bd_indexing_set_updated_by, TRUE },
};

static gboolean
is_iso_date (const char *text)
{
  int y, m, d;
  char tail;

  if (text == NULL)
    return TRUE;
  return strlen (text) == 10 && text[4] == '-' && text[7] == '-' &&
         sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 &&
         g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y);
}

BdIndexing *
bd_indexing_from_json (JsonNode  *node,
                       GError   **error)
{
  JsonObject *object = _bd_codec_expect_object (node, _("an indexing record"), error);
  g_autoptr(BdIndexing) indexing = NULL;
  g_autofree char *account = NULL;
  gint64 number;

  if (object == NULL)
    return NULL;
  if (!_bd_codec_read_string (object, "account", FALSE, 12, &account, error))
    return NULL;
  if (!is_digits (account, 10) && !is_digits (account, 12))
    {
      _bd_codec_invalid (error, "account");
      return NULL;
    }
  indexing = bd_indexing_new (account);

  if (!_bd_codec_read_int (object, "version", 0, G_MAXINT64, &number, error))
    return NULL;
  bd_indexing_set_version (indexing, number);

  for (gsize i = 0; i < G_N_ELEMENTS (indexing_strings); i++)
    {
      g_autofree char *text = NULL;

      /* Every member is present (null when unknown): an absent one would
       * otherwise silently clear the desk's copy of the field. */
      if (_bd_codec_member (object, indexing_strings[i].name, TRUE, error) == NULL ||
          !_bd_codec_read_string (object, indexing_strings[i].name, indexing_strings[i].nullable,
                        MAX_INDEXING_TEXT_CHARS, &text, error))
        return NULL;
      indexing_strings[i].set (indexing, text);
    }
  if (!is_iso_date (bd_indexing_get_installed_on (indexing)))
    {
      _bd_codec_invalid (error, "installed_on");
      return NULL;
    }
  if (!is_iso_date (bd_indexing_get_last_reading_on (indexing)))
    {
      _bd_codec_invalid (error, "last_reading_on");
      return NULL;
    }

  if (!read_int_or_null (object, "meter_year", 1000, 9999, &number, error))
    return NULL;
  bd_indexing_set_meter_year (indexing, (gint) number);
  if (!read_int_or_null (object, "last_reading_wh", 0, G_MAXINT64 / 2, &number, error))
    return NULL;
  bd_indexing_set_last_reading_wh (indexing, number);
  if (!_bd_codec_read_int (object, "sanctioned_load_w", 0, G_MAXINT32, &number, error))
    return NULL;
  bd_indexing_set_sanctioned_load_w (indexing, number);

  if (!read_aadhaar (object, indexing, error) ||
      !read_seals (object, indexing, error) ||
      !read_gps (object, indexing, error) ||
      !_bd_codec_read_time (object, "updated_at", TRUE, &number, error))
    return NULL;
  bd_indexing_set_updated_at (indexing, number);

  return g_steal_pointer (&indexing);
}

JsonNode *
bd_indexing_patch_to_json (GPtrArray *changes)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (changes != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "changes");
  json_builder_begin_object (builder);
  for (guint i = 0; i < changes->len; i++)
    {
      BdIndexingChange *change = g_ptr_array_index (changes, i);

      json_builder_set_member_name (builder, change->field);
      json_builder_begin_object (builder);
      add_node (builder, "from", json_node_copy (change->from));
      add_node (builder, "to", json_node_copy (change->to));
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

GPtrArray *
bd_indexing_patch_from_json (JsonNode  *node,
                             GError   **error)
{
  JsonObject *object = _bd_codec_expect_object (node, _("an indexing change"), error);
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GList) names = NULL;
  JsonNode *changes_node;
  JsonObject *changes_object;

  if (object == NULL)
    return NULL;
  changes_node = _bd_codec_member (object, "changes", TRUE, error);
  if (changes_node == NULL)
    return NULL;
  changes_object = _bd_codec_expect_object (changes_node, "changes", error);
  if (changes_object == NULL)
    return NULL;
  if (json_object_get_size (changes_object) == 0)
    {
      _bd_codec_invalid (error, "changes");
      return NULL;
    }

  changes = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_indexing_change_free);
  names = json_object_get_members (changes_object);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *field = l->data;
      JsonObject *pair;
      JsonNode *from, *to;

      if (!bd_indexing_is_field (field))
        {
          _bd_codec_invalid (error, field);
          return NULL;
        }
      pair = _bd_codec_expect_object (json_object_get_member (changes_object, field), field, error);
      if (pair == NULL)
        return NULL;
      from = _bd_codec_member (pair, "from", TRUE, error);
      if (from == NULL)
        return NULL;
      to = _bd_codec_member (pair, "to", TRUE, error);
      if (to == NULL)
        return NULL;
      g_ptr_array_add (changes, bd_indexing_change_new (field, from, to));
    }

  return g_steal_pointer (&changes);
}

JsonNode *
bd_indexing_patch_result_to_json (BdIndexing         *indexing,
                                  const char * const *applied,
                                  GPtrArray          *conflicts)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (BD_IS_INDEXING (indexing), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "indexing");
  build_indexing (builder, indexing);
  json_builder_set_member_name (builder, "applied");
  json_builder_begin_array (builder);
  for (guint i = 0; applied != NULL && applied[i] != NULL; i++)
    json_builder_add_string_value (builder, applied[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "conflicts");
  json_builder_begin_array (builder);
  for (guint i = 0; conflicts != NULL && i < conflicts->len; i++)
    {
      BdIndexingConflict *conflict = g_ptr_array_index (conflicts, i);

      json_builder_begin_object (builder);
      _bd_codec_add_string (builder, "field", conflict->field);
      add_node (builder, "server", json_node_copy (conflict->server));
      add_node (builder, "desk", json_node_copy (conflict->desk));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

gboolean
bd_indexing_patch_result_from_json (JsonNode    *node,
                                    BdIndexing **out_indexing,
                                    GStrv       *out_applied,
                                    GPtrArray  **out_conflicts,
                                    GError     **error)
{
  JsonObject *object = _bd_codec_expect_object (node, _("an indexing answer"), error);
  g_autoptr(BdIndexing) indexing = NULL;
  g_autoptr(GStrvBuilder) applied = g_strv_builder_new ();
  g_autoptr(GPtrArray) conflicts = NULL;
  JsonNode *indexing_node;
  JsonArray *array;

  if (object == NULL)
    return FALSE;
  indexing_node = _bd_codec_member (object, "indexing", TRUE, error);
  if (indexing_node == NULL)
    return FALSE;
  indexing = bd_indexing_from_json (indexing_node, error);
  if (indexing == NULL)
    return FALSE;

  array = _bd_codec_read_array (object, "applied", error);
  if (array == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING ||
          !bd_indexing_is_field (json_node_get_string (element)))
        return _bd_codec_invalid (error, "applied");
      g_strv_builder_add (applied, json_node_get_string (element));
    }

  array = _bd_codec_read_array (object, "conflicts", error);
  if (array == NULL)
    return FALSE;
  conflicts = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_indexing_conflict_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *conflict = _bd_codec_expect_object (json_array_get_element (array, i), "conflicts", error);
      g_autofree char *field = NULL;
      JsonNode *server, *desk;

      if (conflict == NULL ||
          !_bd_codec_read_string (conflict, "field", FALSE, 64, &field, error))
        return FALSE;
      if (!bd_indexing_is_field (field))
        return _bd_codec_invalid (error, "conflicts");
      server = _bd_codec_member (conflict, "server", TRUE, error);
      if (server == NULL)
        return FALSE;
      desk = _bd_codec_member (conflict, "desk", TRUE, error);
      if (desk == NULL)
        return FALSE;
      g_ptr_array_add (conflicts, bd_indexing_conflict_new (field, server, desk));
    }

  if (out_indexing != NULL)
    *out_indexing = g_steal_pointer (&indexing);
  if (out_applied != NULL)
    *out_applied = g_strv_builder_end (applied);
  if (out_conflicts != NULL)
    *out_conflicts = g_steal_pointer (&conflicts);
  return TRUE;
}

/* ---- OTP ----------------------------------------------------------------- */

#define MAX_OTP_ID_CHARS 128

ENUM_PARSER (BdOtpPurpose, bd_otp_purpose)
ENUM_PARSER (BdOtpState, bd_otp_state)
ENUM_PARSER (BdSmsStatus, bd_sms_status)

JsonNode *
bd_otp_ticket_to_json (BdOtpTicket *ticket)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (BD_IS_OTP_TICKET (ticket), NULL);

  json_builder_begin_object (builder);
  _bd_codec_add_string (builder, "id", bd_otp_ticket_get_id (ticket));
  _bd_codec_add_string (builder, "account", bd_otp_ticket_get_account (ticket));
  _bd_codec_add_string (builder, "purpose", bd_otp_purpose_to_string (bd_otp_ticket_get_purpose (ticket)));
  _bd_codec_add_string (builder, "mobile_masked", bd_otp_ticket_get_mobile_masked (ticket));
  _bd_codec_add_string (builder, "state", bd_otp_state_to_string (bd_otp_ticket_get_state (ticket)));
  _bd_codec_add_string (builder, "delivery", bd_sms_status_to_string (bd_otp_ticket_get_delivery (ticket)));
  _bd_codec_add_time (builder, "expires_at", bd_otp_ticket_get_expires_at (ticket), FALSE);
  _bd_codec_add_time (builder, "resend_after", bd_otp_ticket_get_resend_after (ticket), FALSE);
  _bd_codec_add_int (builder, "attempts_left", bd_otp_ticket_get_attempts_left (ticket));
  _bd_codec_add_int (builder, "sends_left", bd_otp_ticket_get_sends_left (ticket));
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

BdOtpTicket *
bd_otp_ticket_from_json (JsonNode  *node,
                         GError   **error)
{
  JsonObject *object = _bd_codec_expect_object (node, _("an OTP"), error);
  g_autoptr(BdOtpTicket) ticket = NULL;
  g_autofree char *id = NULL;
  g_autofree char *account = NULL;
  g_autofree char *mobile_masked = NULL;
  int purpose, state, delivery;
  gint64 expires_at, resend_after, attempts_left, sends_left;

  if (object == NULL ||
      !_bd_codec_read_string (object, "id", FALSE, MAX_OTP_ID_CHARS, &id, error) ||
      !_bd_codec_read_string (object, "account", FALSE, 12, &account, error) ||
      !_bd_codec_read_enum (object, "purpose", parse_bd_otp_purpose, &purpose, error) ||
      !_bd_codec_read_string (object, "mobile_masked", FALSE, 16, &mobile_masked, error) ||
      !_bd_codec_read_enum (object, "state", parse_bd_otp_state, &state, error) ||
      !_bd_codec_read_enum (object, "delivery", parse_bd_sms_status, &delivery, error) ||
      !_bd_codec_read_time (object, "expires_at", FALSE, &expires_at, error) ||
      !_bd_codec_read_time (object, "resend_after", FALSE, &resend_after, error) ||
      !_bd_codec_read_int (object, "attempts_left", 0, 100, &attempts_left, error) ||
      !_bd_codec_read_int (object, "sends_left", 0, 100, &sends_left, error))
    return NULL;
  if (*id == '\0')
    {
      _bd_codec_invalid (error, "id");
      return NULL;
    }

  ticket = bd_otp_ticket_new (id, account, (BdOtpPurpose) purpose);
  bd_otp_ticket_set_mobile_masked (ticket, mobile_masked);
  bd_otp_ticket_set_state (ticket, (BdOtpState) state);
  bd_otp_ticket_set_delivery (ticket, (BdSmsStatus) delivery);
  bd_otp_ticket_set_expires_at (ticket, expires_at);
  bd_otp_ticket_set_resend_after (ticket, resend_after);
  bd_otp_ticket_set_attempts_left (ticket, (gint) attempts_left);
  bd_otp_ticket_set_sends_left (ticket, (gint) sends_left);
  return g_steal_pointer (&ticket);
}

JsonNode *
bd_otp_request_to_json (const char   *account,
                        BdOtpPurpose  purpose,
                        const char   *mobile)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  _bd_codec_add_string (builder, "account", account);
  _bd_codec_add_string (builder, "purpose", bd_otp_purpose_to_string (purpose));
  if (mobile != NULL)
    _bd_codec_add_string (builder, "mobile", mobile);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

gboolean
bd_otp_request_from_json (JsonNode      *node,
                          char         **out_account,
                          BdOtpPurpose  *out_purpose,
                          char         **out_mobile,
                          GError       **error)
{
  JsonObject *object = _bd_codec_expect_object (node, _("an OTP request"), error);
  g_autofree char *account = NULL;
  g_autofree char *mobile = NULL;
  int purpose;

  if (object == NULL ||
      !_bd_codec_read_string (object, "account", FALSE, 32, &account, error) ||
      !_bd_codec_read_enum (object, "purpose", parse_bd_otp_purpose, &purpose, error) ||
      !_bd_codec_read_string (object, "mobile", TRUE, 32, &mobile, error))
    return FALSE;

  *out_account = g_steal_pointer (&account);
  *out_purpose = (BdOtpPurpose) purpose;
  *out_mobile = g_steal_pointer (&mobile);
  return TRUE;
}

JsonNode *
bd_otp_verify_request_to_json (const char *code)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  _bd_codec_add_string (builder, "code", code);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

gboolean
bd_otp_verify_request_from_json (JsonNode  *node,
                                 char     **out_code,
                                 GError   **error)
{
  JsonObject *object = _bd_codec_expect_object (node, _("an OTP code"), error);
  g_autofree char *code = NULL;

  if (object == NULL || !_bd_codec_read_string (object, "code", FALSE, 32, &code, error))
    return FALSE;
  *out_code = g_steal_pointer (&code);
  return TRUE;
}

/* ---- registration -------------------------------------------------------- */

JsonNode *
bd_registration_request_to_json (const char *account,
                                 const char *otp_id,
                                 const char *username,
                                 const char *password)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  _bd_codec_add_string (builder, "account", account);
  _bd_codec_add_string (builder, "otp_id", otp_id);
  _bd_codec_add_string (builder, "username", username);
  if (password != NULL)
    _bd_codec_add_string (builder, "password", password);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

gboolean
bd_registration_request_from_json (JsonNode  *node,
                                   char     **out_account,
                                   char     **out_otp_id,
                                   char     **out_username,
                                   char     **out_password,
                                   GError   **error)
{
  JsonObject *object = _bd_codec_expect_object (node, _("a registration"), error);
  g_autofree char *account = NULL;
  g_autofree char *otp_id = NULL;
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;

  if (object == NULL ||
      !_bd_codec_read_string (object, "account", FALSE, 32, &account, error) ||
      !_bd_codec_read_string (object, "otp_id", FALSE, MAX_OTP_ID_CHARS, &otp_id, error) ||
      !_bd_codec_read_string (object, "username", FALSE, 64, &username, error) ||
      !_bd_codec_read_string (object, "password", TRUE, 256, &password, error))
    return FALSE;

  *out_account = g_steal_pointer (&account);
  *out_otp_id = g_steal_pointer (&otp_id);
  *out_username = g_steal_pointer (&username);
  *out_password = g_steal_pointer (&password);
  return TRUE;
}

JsonNode *
bd_registration_to_json (const char *account,
                         const char *username,
                         gint64      registered_at,
                         gboolean    temporary_password_sent)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  _bd_codec_add_string (builder, "account", account);
  _bd_codec_add_string (builder, "username", username);
  _bd_codec_add_time (builder, "registered_at", registered_at, FALSE);
  json_builder_set_member_name (builder, "temporary_password_sent");
  json_builder_add_boolean_value (builder, temporary_password_sent);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

gboolean
bd_registration_from_json (JsonNode  *node,
                           char     **out_account,
                           char     **out_username,
                           gint64    *out_registered_at,
                           gboolean  *out_temporary_password_sent,
                           GError   **error)
{
  JsonObject *object = _bd_codec_expect_object (node, _("a registration"), error);
  g_autofree char *account = NULL;
  g_autofree char *username = NULL;
  gint64 registered_at;
  gboolean temporary;

  if (object == NULL ||
      !_bd_codec_read_string (object, "account", FALSE, 32, &account, error) ||
      !_bd_codec_read_string (object, "username", FALSE, 64, &username, error) ||
      !_bd_codec_read_time (object, "registered_at", FALSE, &registered_at, error) ||
      !_bd_codec_read_bool (object, "temporary_password_sent", &temporary, error))
    return FALSE;
  if (*username == '\0')
    return _bd_codec_invalid (error, "username");

  if (out_account != NULL)
    *out_account = g_steal_pointer (&account);
  if (out_username != NULL)
    *out_username = g_steal_pointer (&username);
  if (out_registered_at != NULL)
    *out_registered_at = registered_at;
  if (out_temporary_password_sent != NULL)
    *out_temporary_password_sent = temporary;
  return TRUE;
}

/* ---- history ------------------------------------------------------------- */

JsonNode *
bd_history_to_json (GPtrArray *entries)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (entries != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "entries");
  json_builder_begin_array (builder);
  for (guint i = 0; i < entries->len; i++)
    {
      BdHistoryEntry *entry = g_ptr_array_index (entries, i);

      json_builder_begin_object (builder);
      _bd_codec_add_time (builder, "at", entry->at, FALSE);
      _bd_codec_add_string (builder, "by", entry->by);
      _bd_codec_add_string (builder, "role", entry->role);
      _bd_codec_add_string (builder, "action", entry->action);
      _bd_codec_add_string_or_null (builder, "field", entry->field);
      _bd_codec_add_string_or_null (builder, "from", entry->from);
      _bd_codec_add_string_or_null (builder, "to", entry->to);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

GPtrArray *
bd_history_from_json (JsonNode  *node,
                      GError   **error)
{
  JsonObject *object = _bd_codec_expect_object (node, _("a history"), error);
  g_autoptr(GPtrArray) entries = NULL;
  JsonArray *array;

  if (object == NULL)
    return NULL;
  array = _bd_codec_read_array (object, "entries", error);
  if (array == NULL)
    return NULL;

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_history_entry_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *entry = _bd_codec_expect_object (json_array_get_element (array, i), _("a history entry"), error);
      g_autofree char *by = NULL;
      g_autofree char *role = NULL;
      g_autofree char *action = NULL;
      g_autofree char *field = NULL;
      g_autofree char *from = NULL;
      g_autofree char *to = NULL;
      gint64 at;

      if (entry == NULL ||
          !_bd_codec_read_time (entry, "at", FALSE, &at, error) ||
          !_bd_codec_read_string (entry, "by", FALSE, 64, &by, error) ||
          !_bd_codec_read_string (entry, "role", FALSE, 32, &role, error) ||
          !_bd_codec_read_string (entry, "action", FALSE, 32, &action, error) ||
          !_bd_codec_read_string (entry, "field", TRUE, 64, &field, error) ||
          !_bd_codec_read_string (entry, "from", TRUE, MAX_TEXT_CHARS, &from, error) ||
          !_bd_codec_read_string (entry, "to", TRUE, MAX_TEXT_CHARS, &to, error))
        return NULL;
      g_ptr_array_add (entries, bd_history_entry_new (at, by, role, action, field, from, to));
    }

  return g_steal_pointer (&entries);
}
