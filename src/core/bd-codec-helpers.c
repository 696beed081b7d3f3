/* bd-codec-helpers.c: the field readers and writers every wire codec
 * shares (see bd-codec-private.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "bd-codec.h"
#include "bd-codec-private.h"
#include "bd-time.h"

JsonObject *
_bd_codec_expect_object (JsonNode    *node,
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

JsonNode *
_bd_codec_member (JsonObject  *object,
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

gboolean
_bd_codec_invalid (GError     **error,
         const char  *name)
{
  g_set_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_INVALID_VALUE,
               _("The field “%s” has an invalid value."), name);
  return FALSE;
}

/* Reads a string member. With nullable, a JSON null or an absent member
 * gives NULL; otherwise both are errors. */
gboolean
_bd_codec_read_string (JsonObject  *object,
             const char  *name,
             gboolean     nullable,
             gsize        max_chars,
             char       **out,
             GError     **error)
{
  JsonNode *node = _bd_codec_member (object, name, !nullable, error);
  const char *value;

  *out = NULL;
  if (node == NULL)
    return nullable;
  if (JSON_NODE_HOLDS_NULL (node))
    return nullable ? TRUE : _bd_codec_invalid (error, name);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return _bd_codec_invalid (error, name);

  value = json_node_get_string (node);
  if (value == NULL || !g_utf8_validate (value, -1, NULL) ||
      g_utf8_strlen (value, -1) > (glong) max_chars)
    return _bd_codec_invalid (error, name);

  *out = g_strdup (value);
  return TRUE;
}

gboolean
_bd_codec_read_int (JsonObject  *object,
          const char  *name,
          gint64       min,
          gint64       max,
          gint64      *out,
          GError     **error)
{
  JsonNode *node = _bd_codec_member (object, name, TRUE, error);
  gint64 value;

  if (node == NULL)
    return FALSE;
  /* Money and loads are integers: 12.5 paise is a bug, not a value. */
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return _bd_codec_invalid (error, name);
  value = json_node_get_int (node);
  if (value < min || value > max)
    return _bd_codec_invalid (error, name);
  *out = value;
  return TRUE;
}

gboolean
_bd_codec_read_bool (JsonObject  *object,
           const char  *name,
           gboolean    *out,
           GError     **error)
{
  JsonNode *node = _bd_codec_member (object, name, TRUE, error);

  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return _bd_codec_invalid (error, name);
  *out = json_node_get_boolean (node);
  return TRUE;
}

gboolean
_bd_codec_read_time (JsonObject  *object,
           const char  *name,
           gboolean     nullable,
           gint64      *out,
           GError     **error)
{
  g_autofree char *text = NULL;

  *out = 0;
  if (!_bd_codec_read_string (object, name, nullable, 64, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;
  if (!bd_time_from_iso8601 (text, out))
    return _bd_codec_invalid (error, name);
  return TRUE;
}

void
_bd_codec_add_string_or_null (JsonBuilder *builder,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
_bd_codec_add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value != NULL ? value : "");
}

void
_bd_codec_add_time (JsonBuilder *builder,
          const char  *name,
          gint64       unix_utc,
          gboolean     nullable)
{
  g_autofree char *text = NULL;

  if (unix_utc != 0 || !nullable)
    text = bd_time_to_iso8601 (unix_utc);
  _bd_codec_add_string_or_null (builder, name, text);
}

void
_bd_codec_add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

JsonArray *
_bd_codec_read_array (JsonObject  *object,
            const char  *name,
            GError     **error)
{
  JsonNode *node = _bd_codec_member (object, name, TRUE, error);
  JsonArray *array;

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      _bd_codec_invalid (error, name);
      return NULL;
    }
  array = json_node_get_array (node);
  if (json_array_get_length (array) > BD_CODEC_MAX_LIST_ITEMS)
    {
      _bd_codec_invalid (error, name);
      return NULL;
    }
  return array;
}

gboolean
_bd_codec_read_enum (JsonObject  *object,
           const char  *name,
           gboolean   (*parse) (const char *, int *),
           int         *out,
           GError     **error)
{
  g_autofree char *text = NULL;

  if (!_bd_codec_read_string (object, name, FALSE, 32, &text, error))
    return FALSE;
  if (!parse (text, out))
    return _bd_codec_invalid (error, name);
  return TRUE;
}

void
_bd_csv_field (GString    *out,
               const char *text,
               gboolean    last)
{
  if (text == NULL)
    text = "";
  g_string_append_c (out, '"');
  if (*text == '=' || *text == '+' || *text == '-' || *text == '@')
    g_string_append_c (out, '\'');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  g_string_append (out, last ? "\r\n" : ",");
}
