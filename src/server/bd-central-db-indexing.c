/* bd-central-db-indexing.c: indexing data and idempotency keys.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "core/bd-codec.h"
#include "core/bd-time.h"
#include "core/bd-validate.h"

#include "bd-central-db-indexing.h"
#include "bd-central-db-private.h"

/* Wire order of the Indexing object, between account/version and updated_*. */
static const char * const fields[] = {
  "alternate_phone", "email", "aadhaar", "pan", "voter_id", "driving_licence",
  "meter_make", "meter_model", "meter_serial", "meter_year", "meter_rating",
  "seal_numbers", "installed_on", "last_reading_wh", "last_reading_on", "gps",
  "feeder", "dt", "pole", "sanctioned_load_w",
  NULL
};

/* The current indexing of one consumer, read in the open transaction. */
typedef struct {
  BdConsumer *consumer;
  JsonObject *stored;       /* consumer_indexing.fields, or empty */
  gint64      version;
  gint64      updated_at;
  char       *updated_by;
} Current;

static void
current_clear (Current *current)
{
  g_clear_object (&current->consumer);
  g_clear_pointer (&current->stored, json_object_unref);
  g_clear_pointer (&current->updated_by, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Current, current_clear)

static gboolean
is_mirrored (const char *field)
{
  return g_str_equal (field, "feeder") || g_str_equal (field, "dt")
         || g_str_equal (field, "pole") || g_str_equal (field, "sanctioned_load_w")
         || g_str_equal (field, "meter_serial");
}

static JsonNode *
string_or_null (const char *value)
{
  JsonNode *node = json_node_new (value != NULL ? JSON_NODE_VALUE : JSON_NODE_NULL);

  if (value != NULL)
    json_node_set_string (node, value);
  return node;
}

static gboolean
node_is_null (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

/* The field's current value as stored (Aadhaar with salt and hash). */
static JsonNode *
current_value (Current    *current,
               const char *field)
{
  BdConsumer *consumer = current->consumer;

  if (g_str_equal (field, "feeder"))
    return string_or_null (bd_consumer_get_feeder (consumer) ?: "");
  if (g_str_equal (field, "dt"))
    return string_or_null (bd_consumer_get_dt (consumer) ?: "");
  if (g_str_equal (field, "pole"))
    return string_or_null (bd_consumer_get_pole (consumer) ?: "");
  if (g_str_equal (field, "meter_serial"))
    {
      const char *serial = bd_consumer_get_meter_serial (consumer);

      return string_or_null (serial != NULL && *serial != '\0' ? serial : NULL);
    }
  if (g_str_equal (field, "sanctioned_load_w"))
    {
      JsonNode *node = json_node_new (JSON_NODE_VALUE);

      json_node_set_int (node, bd_consumer_get_sanctioned_load_w (consumer));
      return node;
    }
  if (json_object_has_member (current->stored, field))
    return json_node_copy (json_object_get_member (current->stored, field));
  if (g_str_equal (field, "seal_numbers"))
    {
      JsonNode *node = json_node_new (JSON_NODE_ARRAY);

      json_node_take_array (node, json_array_new ());
      return node;
    }

  return json_node_new (JSON_NODE_NULL);
}

/* What GET shows of a value: Aadhaar's salt and hash stay on the server. */
static JsonNode *
public_value (const char *field,
              JsonNode   *value)
{
  JsonObject *aadhaar;
  JsonObject *shown;
  JsonNode *node;

  if (!g_str_equal (field, "aadhaar") || node_is_null (value) || !JSON_NODE_HOLDS_OBJECT (value))
    return json_node_copy (value);

  aadhaar = json_node_get_object (value);
  shown = json_object_new ();
  json_object_set_string_member (shown, "last4", json_object_get_string_member_with_default (aadhaar, "last4", ""));
  /* take, not init: json_node_init_object() adds a reference of its own. */
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, shown);
  return node;
}

static const char *
aadhaar_member (JsonNode   *node,
                const char *name)
{
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_object_get_string_member_with_default (json_node_get_object (node), name, NULL);
}

/* Aadhaar numbers compare by their last four digits, and by hash when both
 * sides carry one: the desk may only know what GET showed it. */
static gboolean
values_equal (const char *field,
              JsonNode   *a,
              JsonNode   *b)
{
  if (node_is_null (a) || node_is_null (b))
    return node_is_null (a) && node_is_null (b);

  if (g_str_equal (field, "aadhaar"))
    {
      const char *hash_a = aadhaar_member (a, "hash");
      const char *hash_b = aadhaar_member (b, "hash");

      if (g_strcmp0 (aadhaar_member (a, "last4"), aadhaar_member (b, "last4")) != 0)
        return FALSE;
      return hash_a == NULL || hash_b == NULL || g_str_equal (hash_a, hash_b);
    }

  return json_node_equal (a, b);
}

static char *
mask_keep_last (const char *value,
                gsize       keep)
{
  gsize len = strlen (value);
  g_autoptr(GString) masked = g_string_new (NULL);

  for (gsize i = 0; i < len; i++)
    g_string_append_c (masked, i + keep < len ? 'X' : value[i]);
  return g_string_free (g_steal_pointer (&masked), FALSE);
}

static char *
mask_email (const char *email)
{
  const char *at = strchr (email, '@');

  if (at == NULL || at == email)
    return g_strdup ("***");
  return g_strdup_printf ("%c***%s", email[0], at);
}

/* How the history shows a value; personal ones masked. NULL for none. */
static char *
history_text (const char *field,
              JsonNode   *value)
{
  if (node_is_null (value))
    return NULL;

  if (g_str_equal (field, "aadhaar"))
    return bd_aadhaar_mask (aadhaar_member (value, "last4"));
  if (g_str_equal (field, "alternate_phone"))
    return bd_mobile_mask (json_node_get_string (value));
  if (g_str_equal (field, "email"))
    return mask_email (json_node_get_string (value));
  if (g_str_equal (field, "pan") || g_str_equal (field, "voter_id")
      || g_str_equal (field, "driving_licence"))
    return mask_keep_last (json_node_get_string (value), 4);
  if (g_str_equal (field, "gps"))
    {
      JsonObject *gps = json_node_get_object (value);

      return g_strdup_printf ("%.6f, %.6f",
                              (double) json_object_get_int_member (gps, "lat_e6") / 1e6,
                              (double) json_object_get_int_member (gps, "lon_e6") / 1e6);
    }
  if (g_str_equal (field, "seal_numbers"))
    {
      JsonArray *seals = json_node_get_array (value);
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (seals); i++)
        {
          if (i > 0)
            g_string_append (text, ", ");
          g_string_append (text, json_array_get_string_element (seals, i));
        }
      return g_string_free (g_steal_pointer (&text), FALSE);
    }
  if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));

  return g_strdup (json_node_get_string (value));
}

static gboolean
read_current (BdCentralDb  *self,
              const char   *zone,
              const char   *account,
              Current      *current,
              GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  int rc;

  current->consumer = bd_central_db_lookup_consumer (self, zone, account, error);
  if (current->consumer == NULL)
    return FALSE;

  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT version, fields, updated_at, updated_by "
                              "FROM consumer_indexing WHERE account = ?1",
                              error);
  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (stmt, 1, account);
  rc = bd_sql_stmt_step (stmt);
  if (rc == BD_SQL_ROW)
    {
      g_autoptr(JsonNode) node = bd_json_parse (_bd_central_column_text (stmt, 1), -1, error);

      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        {
          g_clear_error (error);
          g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_CORRUPT,
                       "The stored indexing of %s is not a JSON object", account);
          return FALSE;
        }
      current->stored = json_object_ref (json_node_get_object (node));
      current->version = bd_sql_stmt_column_int64 (stmt, 0);
      current->updated_at = bd_sql_stmt_column_int64 (stmt, 2);
      current->updated_by = g_strdup (_bd_central_column_text (stmt, 3));
      return TRUE;
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "indexing");
      return FALSE;
    }

  current->stored = json_object_new ();
  return TRUE;
}

static JsonNode *
indexing_to_json (Current *current)
{
  JsonObject *object = json_object_new ();
  JsonNode *node;

  json_object_set_string_member (object, "account", bd_consumer_get_account (current->consumer));
  json_object_set_int_member (object, "version", current->version);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      g_autoptr(JsonNode) value = current_value (current, fields[i]);

      json_object_set_member (object, fields[i], public_value (fields[i], value));
    }
  if (current->updated_by != NULL)
    {
      g_autofree char *updated_at = bd_time_to_iso8601 (current->updated_at);

      json_object_set_string_member (object, "updated_at", updated_at);
      json_object_set_string_member (object, "updated_by", current->updated_by);
    }
  else
    {
      json_object_set_null_member (object, "updated_at");
      json_object_set_null_member (object, "updated_by");
    }

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  return node;
}

static void
set_mirrored (BdConsumer *consumer,
              const char *field,
              JsonNode   *value)
{
  const char *text = JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING
                     ? json_node_get_string (value) : "";

  if (g_str_equal (field, "feeder"))
    bd_consumer_set_feeder (consumer, text);
  else if (g_str_equal (field, "dt"))
    bd_consumer_set_dt (consumer, text);
  else if (g_str_equal (field, "pole"))
    bd_consumer_set_pole (consumer, text);
  else if (g_str_equal (field, "meter_serial"))
    bd_consumer_set_meter_serial (consumer, text);
  else if (g_str_equal (field, "sanctioned_load_w"))
    bd_consumer_set_sanctioned_load_w (consumer, json_node_get_int (value));
}

gboolean
_bd_central_db_idempotency_lookup (BdCentralDb  *self,
            const char   *key,
            const char   *username,
            const char   *request_hash,
            gboolean     *found,
            guint        *out_status,
            char        **out_body,
            GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  int rc;

  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT request_hash, status, body FROM idempotency_keys "
                              "WHERE key = ?1 AND username = ?2",
                              error);
  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (stmt, 1, key);
  bd_sql_stmt_bind_text (stmt, 2, username);
  rc = bd_sql_stmt_step (stmt);
  if (rc == BD_SQL_DONE)
    {
      *found = FALSE;
      return TRUE;
    }
  if (rc != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "idempotency key");
      return FALSE;
    }
  if (!g_str_equal (_bd_central_column_text (stmt, 0), request_hash))
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_IDEMPOTENCY_MISMATCH,
                   _("This change was already sent with different content. The desk must send it under a new key."));
      return FALSE;
    }

  *found = TRUE;
  *out_status = (guint) bd_sql_stmt_column_int (stmt, 1);
  *out_body = g_strdup (_bd_central_column_text (stmt, 2));
  return TRUE;
}

gboolean
_bd_central_db_idempotency_store (BdCentralDb  *self,
           const char   *key,
           const char   *username,
           const char   *request_hash,
           guint         status,
           const char   *body,
           gint64        now,
           GError      **error)
{
  g_autoptr(BdSqlStmt) purge = NULL;
  g_autoptr(BdSqlStmt) stmt = NULL;

  purge = bd_sql_connection_prepare (self->sql, "DELETE FROM idempotency_keys WHERE created_at < ?1", error);
  if (purge == NULL)
    return FALSE;
  bd_sql_stmt_bind_int64 (purge, 1, now - BD_CENTRAL_IDEMPOTENCY_KEEP_S);
  if (bd_sql_stmt_step (purge) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "idempotency purge");
      return FALSE;
    }

  stmt = bd_sql_connection_prepare (self->sql,
                              "INSERT INTO idempotency_keys (key, username, request_hash, status, "
                              "  body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                              error);
  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (stmt, 1, key);
  bd_sql_stmt_bind_text (stmt, 2, username);
  bd_sql_stmt_bind_text (stmt, 3, request_hash);
  bd_sql_stmt_bind_int64 (stmt, 4, (int) status);
  bd_sql_stmt_bind_text (stmt, 5, body);
  bd_sql_stmt_bind_int64 (stmt, 6, now);
  if (bd_sql_stmt_step (stmt) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "idempotency store");
      return FALSE;
    }

  return TRUE;
}

static gboolean
write_stored (BdCentralDb  *self,
              Current      *current,
              GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), current->stored);
  g_autofree char *text = bd_json_to_string (node);

  stmt = bd_sql_connection_prepare (self->sql,
                              "INSERT INTO consumer_indexing (account, version, fields, updated_at, updated_by) "
                              "VALUES (?1, ?2, ?3, ?4, ?5) "
                              "ON CONFLICT (account) DO UPDATE SET version = excluded.version, "
                              "  fields = excluded.fields, updated_at = excluded.updated_at, "
                              "  updated_by = excluded.updated_by",
                              error);
  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (stmt, 1, bd_consumer_get_account (current->consumer));
  bd_sql_stmt_bind_int64 (stmt, 2, current->version);
  bd_sql_stmt_bind_text (stmt, 3, text);
  bd_sql_stmt_bind_int64 (stmt, 4, current->updated_at);
  bd_sql_stmt_bind_text (stmt, 5, current->updated_by);
  if (bd_sql_stmt_step (stmt) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "indexing write");
      return FALSE;
    }

  return TRUE;
}

const char * const *
bd_central_indexing_fields (void)
{
  return fields;
}

JsonNode *
bd_central_db_indexing_get (BdCentralDb  *self,
                            const char   *zone,
                            const char   *account,
                            GError      **error)
{
  g_auto(Current) current = { NULL, };

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);
  g_return_val_if_fail (zone != NULL && account != NULL, NULL);

  if (!read_current (self, zone, account, &current, error))
    return NULL;

  return indexing_to_json (&current);
}

gboolean
bd_central_db_indexing_patch (BdCentralDb  *self,
                              const char   *zone,
                              const char   *account,
                              JsonObject   *changes,
                              const char   *key,
                              const char   *request_hash,
                              const char   *staff_username,
                              const char   *staff_role,
                              gint64        now,
                              guint        *out_status,
                              char        **out_body,
                              gboolean     *out_replayed,
                              GError      **error)
{
  g_auto(Current) current = { NULL, };
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) indexing = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GPtrArray) applied = g_ptr_array_new ();
  g_autofree char *body = NULL;
  gboolean found;
  gboolean changed = FALSE;
  gboolean consumer_changed = FALSE;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (changes != NULL && key != NULL && request_hash != NULL, FALSE);

  *out_replayed = FALSE;

  if (!bd_sql_connection_begin (self->sql, error))
    return FALSE;

  if (!_bd_central_db_idempotency_lookup (self, key, staff_username, request_hash, &found, out_status, out_body, error))
    goto fail;
  if (found)
    {
      *out_replayed = TRUE;
      bd_sql_connection_rollback (self->sql);
      return TRUE;
    }

  if (!read_current (self, zone, account, &current, error))
    goto fail;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "conflicts");
  json_builder_begin_array (builder);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      const char *field = fields[i];
      JsonObject *change;
      JsonNode *from;
      JsonNode *to;
      g_autoptr(JsonNode) value = NULL;

      if (!json_object_has_member (changes, field))
        continue;
      change = json_object_get_object_member (changes, field);
      from = json_object_get_member (change, "from");
      to = json_object_get_member (change, "to");
      value = current_value (&current, field);

      if (values_equal (field, value, to))
        {
          g_ptr_array_add (applied, (gpointer) field);
          continue;
        }
      if (!values_equal (field, value, from))
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "field");
          json_builder_add_string_value (builder, field);
          json_builder_set_member_name (builder, "server");
          json_builder_add_value (builder, public_value (field, value));
          json_builder_set_member_name (builder, "desk");
          json_builder_add_value (builder, public_value (field, to));
          json_builder_end_object (builder);
          continue;
        }

      {
        g_autofree char *from_text = history_text (field, value);
        g_autofree char *to_text = history_text (field, to);

        if (!_bd_central_db_add_history (self, account, now, staff_username, staff_role,
                                         "indexing", field, from_text, to_text, error))
          goto fail;
      }

      if (is_mirrored (field))
        {
          set_mirrored (current.consumer, field, to);
          consumer_changed = TRUE;
        }
      else
        json_object_set_member (current.stored, field, json_node_copy (to));
      changed = TRUE;
      g_ptr_array_add (applied, (gpointer) field);
    }
  json_builder_end_array (builder);

  if (changed)
    {
      current.version++;
      current.updated_at = now;
      g_free (current.updated_by);
      current.updated_by = g_strdup (staff_username);
      if (!write_stored (self, &current, error))
        goto fail;
      if (consumer_changed && !_bd_central_db_update_row (self, current.consumer, now, error))
        goto fail;
    }

  json_builder_set_member_name (builder, "applied");
  json_builder_begin_array (builder);
  for (guint i = 0; i < applied->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (applied, i));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "indexing");
  json_builder_add_value (builder, indexing_to_json (&current));
  json_builder_end_object (builder);

  answer = json_builder_get_root (builder);
  body = bd_json_to_string (answer);
  if (!_bd_central_db_idempotency_store (self, key, staff_username, request_hash, 200, body, now, error))
    goto fail;
  if (!bd_sql_connection_commit (self->sql, error))
    return FALSE;

  *out_status = 200;
  *out_body = g_steal_pointer (&body);
  return TRUE;

fail:
  bd_sql_connection_rollback (self->sql);
  return FALSE;
}
