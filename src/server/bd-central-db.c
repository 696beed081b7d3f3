/* bd-central-db.c: bijli-central's schema and queries.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "core/bd-validate.h"

#include "bd-central-db.h"
#include "bd-password.h"

#define TOKEN_BYTES 32

struct _BdCentralDb
{
  GObject       parent_instance;

  BdDatabase   *db;
  /* Reused for bulk inserts (demo generation): preparing per row would
   * dominate the cost. */
  sqlite3_stmt *insert_stmt;
  sqlite3_stmt *next_seq_stmt;
};

G_DEFINE_TYPE (BdCentralDb, bd_central_db, G_TYPE_OBJECT)

G_DEFINE_QUARK (bd-central-error-quark, bd_central_error)

static const BdMigration migrations[] = {
  { 1,
    "CREATE TABLE zones ("
    "  code TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL"
    ");"
    "CREATE TABLE users ("
    "  username            TEXT PRIMARY KEY,"
    "  display_name        TEXT NOT NULL,"
    "  role                TEXT NOT NULL"
    "                      CHECK (role IN ('operator','agent','supervisor','admin')),"
    "  zone                TEXT NOT NULL REFERENCES zones (code),"
    "  password_hash       BLOB NOT NULL,"
    "  password_salt       BLOB NOT NULL,"
    "  password_iterations INTEGER NOT NULL CHECK (password_iterations > 0),"
    "  created_at          INTEGER NOT NULL"
    ");"
    /* Only a hash of the token is kept: a copy of the database does not
     * let anyone act as a signed-in user. */
    "CREATE TABLE sessions ("
    "  token_hash TEXT PRIMARY KEY,"
    "  username   TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX sessions_expires_at ON sessions (expires_at);"
    "CREATE TABLE change_counter ("
    "  id  INTEGER PRIMARY KEY CHECK (id = 1),"
    "  seq INTEGER NOT NULL"
    ");"
    "INSERT INTO change_counter (id, seq) VALUES (1, 0);"
    "CREATE TABLE consumers ("
    "  account           TEXT PRIMARY KEY,"
    "  zone              TEXT NOT NULL REFERENCES zones (code),"
    "  name_en           TEXT NOT NULL DEFAULT '',"
    "  name_hi           TEXT NOT NULL DEFAULT '',"
    "  relation_en       TEXT NOT NULL DEFAULT '',"
    "  relation_hi       TEXT NOT NULL DEFAULT '',"
    "  address           TEXT NOT NULL DEFAULT '',"
    "  mobile            TEXT,"
    "  mobile_verified   INTEGER NOT NULL DEFAULT 0,"
    "  meter_serial      TEXT NOT NULL DEFAULT '',"
    "  meter_make        TEXT NOT NULL DEFAULT '',"
    "  meter_type        TEXT NOT NULL"
    "                    CHECK (meter_type IN ('smart','ct','non_smart')),"
    "  category          TEXT NOT NULL DEFAULT '',"
    "  sanctioned_load_w INTEGER NOT NULL DEFAULT 0,"
    "  phase             TEXT NOT NULL CHECK (phase IN ('single','three')),"
    "  feeder            TEXT NOT NULL DEFAULT '',"
    "  dt                TEXT NOT NULL DEFAULT '',"
    "  pole              TEXT NOT NULL DEFAULT '',"
    "  area_type         TEXT NOT NULL CHECK (area_type IN ('urban','rural')),"
    "  supply_status     TEXT NOT NULL"
    "                    CHECK (supply_status IN ('connected','disconnected')),"
    "  balance_paise     INTEGER NOT NULL DEFAULT 0,"
    "  balance_as_of     INTEGER,"
    "  version           INTEGER NOT NULL DEFAULT 1,"
    "  updated_at        INTEGER NOT NULL,"
    "  change_seq        INTEGER NOT NULL UNIQUE,"
    /* ' word word …': case-folded name words of both scripts, so a word
     * prefix is a LIKE '% prefix%' without per-row function calls. */
    "  name_key          TEXT NOT NULL DEFAULT ''"
    ");"
    "CREATE INDEX consumers_zone_seq ON consumers (zone, change_seq);"
    "CREATE INDEX consumers_zone_mobile ON consumers (zone, mobile);"
    "CREATE INDEX consumers_zone_meter ON consumers (zone, meter_serial);"
  },
};

#define CONSUMER_COLUMNS \
  "account, zone, name_en, name_hi, relation_en, relation_hi, address, mobile, " \
  "mobile_verified, meter_serial, meter_make, meter_type, category, " \
  "sanctioned_load_w, phase, feeder, dt, pole, area_type, supply_status, " \
  "balance_paise, balance_as_of, version, updated_at"

enum {
  COL_ACCOUNT,
  COL_ZONE,
  COL_NAME_EN,
  COL_NAME_HI,
  COL_RELATION_EN,
  COL_RELATION_HI,
  COL_ADDRESS,
  COL_MOBILE,
  COL_MOBILE_VERIFIED,
  COL_METER_SERIAL,
  COL_METER_MAKE,
  COL_METER_TYPE,
  COL_CATEGORY,
  COL_SANCTIONED_LOAD_W,
  COL_PHASE,
  COL_FEEDER,
  COL_DT,
  COL_POLE,
  COL_AREA_TYPE,
  COL_SUPPLY_STATUS,
  COL_BALANCE_PAISE,
  COL_BALANCE_AS_OF,
  COL_VERSION,
  COL_UPDATED_AT,
  COL_CHANGE_SEQ,   /* only where selected after CONSUMER_COLUMNS */
  N_COLS,
};

static const char *
column_text (sqlite3_stmt *stmt,
             int           col)
{
  const char *text = (const char *) sqlite3_column_text (stmt, col);

  return text != NULL ? text : "";
}

static BdConsumer *
consumer_from_row (sqlite3_stmt *stmt)
{
  BdConsumer *consumer = bd_consumer_new (column_text (stmt, COL_ACCOUNT));
  BdMeterType meter_type = BD_METER_TYPE_SMART;
  BdPhase phase = BD_PHASE_SINGLE;
  BdAreaType area_type = BD_AREA_URBAN;
  BdSupplyStatus supply_status = BD_SUPPLY_CONNECTED;

  /* The table's CHECK constraints keep these valid; the defaults are only
   * a guard against a hand-edited database. */
  bd_meter_type_from_string (column_text (stmt, COL_METER_TYPE), &meter_type);
  bd_phase_from_string (column_text (stmt, COL_PHASE), &phase);
  bd_area_type_from_string (column_text (stmt, COL_AREA_TYPE), &area_type);
  bd_supply_status_from_string (column_text (stmt, COL_SUPPLY_STATUS), &supply_status);

  bd_consumer_set_zone (consumer, column_text (stmt, COL_ZONE));
  bd_consumer_set_name_en (consumer, column_text (stmt, COL_NAME_EN));
  bd_consumer_set_name_hi (consumer, column_text (stmt, COL_NAME_HI));
  bd_consumer_set_relation_en (consumer, column_text (stmt, COL_RELATION_EN));
  bd_consumer_set_relation_hi (consumer, column_text (stmt, COL_RELATION_HI));
  bd_consumer_set_address (consumer, column_text (stmt, COL_ADDRESS));
  bd_consumer_set_mobile (consumer, (const char *) sqlite3_column_text (stmt, COL_MOBILE));
  bd_consumer_set_mobile_verified (consumer, sqlite3_column_int (stmt, COL_MOBILE_VERIFIED) != 0);
  bd_consumer_set_meter_serial (consumer, column_text (stmt, COL_METER_SERIAL));
  bd_consumer_set_meter_make (consumer, column_text (stmt, COL_METER_MAKE));
  bd_consumer_set_meter_type (consumer, meter_type);
  bd_consumer_set_category (consumer, column_text (stmt, COL_CATEGORY));
  bd_consumer_set_sanctioned_load_w (consumer, sqlite3_column_int64 (stmt, COL_SANCTIONED_LOAD_W));
  bd_consumer_set_phase (consumer, phase);
  bd_consumer_set_feeder (consumer, column_text (stmt, COL_FEEDER));
  bd_consumer_set_dt (consumer, column_text (stmt, COL_DT));
  bd_consumer_set_pole (consumer, column_text (stmt, COL_POLE));
  bd_consumer_set_area_type (consumer, area_type);
  bd_consumer_set_supply_status (consumer, supply_status);
  bd_consumer_set_balance_paise (consumer, sqlite3_column_int64 (stmt, COL_BALANCE_PAISE));
  bd_consumer_set_balance_as_of (consumer, sqlite3_column_int64 (stmt, COL_BALANCE_AS_OF));
  bd_consumer_set_version (consumer, sqlite3_column_int64 (stmt, COL_VERSION));
  bd_consumer_set_updated_at (consumer, sqlite3_column_int64 (stmt, COL_UPDATED_AT));

  return consumer;
}

/* The same word rule as bd_search_query_parse(): letters, digits and marks
 * (Devanagari vowel signs and viramas) make words, anything else separates. */
static gboolean
is_word_char (gunichar c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_LOWERCASE_LETTER:
    case G_UNICODE_UPPERCASE_LETTER:
    case G_UNICODE_TITLECASE_LETTER:
    case G_UNICODE_MODIFIER_LETTER:
    case G_UNICODE_OTHER_LETTER:
    case G_UNICODE_DECIMAL_NUMBER:
    case G_UNICODE_NON_SPACING_MARK:
    case G_UNICODE_SPACING_MARK:
    case G_UNICODE_ENCLOSING_MARK:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Appends the words of text, each preceded by a space, normalised as the
 * query parser normalises what the operator types (NFKC, case fold, NFC). */
static void
append_name_words (GString    *key,
                   const char *text)
{
  g_autofree char *nfkc = NULL;
  g_autofree char *folded = NULL;
  g_autofree char *nfc = NULL;
  gboolean in_word = FALSE;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return;

  nfkc = g_utf8_normalize (text, -1, G_NORMALIZE_NFKC);
  folded = g_utf8_casefold (nfkc, -1);
  nfc = g_utf8_normalize (folded, -1, G_NORMALIZE_NFC);

  for (const char *p = nfc; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!is_word_char (c))
        {
          in_word = FALSE;
          continue;
        }
      if (!in_word)
        g_string_append_c (key, ' ');
      g_string_append_unichar (key, c);
      in_word = TRUE;
    }
}

static char *
build_name_key (BdConsumer *consumer)
{
  GString *key = g_string_new (NULL);

  append_name_words (key, bd_consumer_get_name_en (consumer));
  append_name_words (key, bd_consumer_get_name_hi (consumer));

  return g_string_free (key, FALSE);
}

/* LIKE treats % and _ as wildcards; a name search must match them literally. */
static char *
like_prefix_pattern (const char *word)
{
  GString *pattern = g_string_new ("% ");

  for (const char *p = word; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (pattern, '\\');
      g_string_append_c (pattern, *p);
    }
  g_string_append_c (pattern, '%');

  return g_string_free (pattern, FALSE);
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static char *
token_hash (const char *token)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

static gint64
next_change_seq (BdCentralDb  *self,
                 GError      **error)
{
  gint64 seq;

  if (self->next_seq_stmt == NULL)
    {
      self->next_seq_stmt = bd_database_prepare (self->db,
                                                 "UPDATE change_counter SET seq = seq + 1 "
                                                 "WHERE id = 1 RETURNING seq",
                                                 error);
      if (self->next_seq_stmt == NULL)
        return -1;
    }

  if (sqlite3_step (self->next_seq_stmt) != SQLITE_ROW)
    {
      bd_database_set_error (self->db, error, "change sequence");
      sqlite3_reset (self->next_seq_stmt);
      return -1;
    }
  seq = sqlite3_column_int64 (self->next_seq_stmt, 0);
  /* Drain so the UPDATE completes before the statement is reset. */
  while (sqlite3_step (self->next_seq_stmt) == SQLITE_ROW)
    ;
  sqlite3_reset (self->next_seq_stmt);

  return seq;
}

/* Binds the consumer's fields as ?1..?24 in CONSUMER_COLUMNS order, then
 * the change sequence as ?25 and the name key as ?26. */
static void
bind_consumer (sqlite3_stmt *stmt,
               BdConsumer   *consumer,
               gint64        change_seq)
{
  g_autofree char *name_key = build_name_key (consumer);
  gint64 balance_as_of = bd_consumer_get_balance_as_of (consumer);

  bind_text_or_null (stmt, 1 + COL_ACCOUNT, bd_consumer_get_account (consumer));
  bind_text_or_null (stmt, 1 + COL_ZONE, bd_consumer_get_zone (consumer));
  bind_text_or_null (stmt, 1 + COL_NAME_EN, bd_consumer_get_name_en (consumer) ?: "");
  bind_text_or_null (stmt, 1 + COL_NAME_HI, bd_consumer_get_name_hi (consumer) ?: "");
  bind_text_or_null (stmt, 1 + COL_RELATION_EN, bd_consumer_get_relation_en (consumer) ?: "");
  bind_text_or_null (stmt, 1 + COL_RELATION_HI, bd_consumer_get_relation_hi (consumer) ?: "");
  bind_text_or_null (stmt, 1 + COL_ADDRESS, bd_consumer_get_address (consumer) ?: "");
  bind_text_or_null (stmt, 1 + COL_MOBILE, bd_consumer_get_mobile (consumer));
  sqlite3_bind_int (stmt, 1 + COL_MOBILE_VERIFIED, bd_consumer_get_mobile_verified (consumer) ? 1 : 0);
  bind_text_or_null (stmt, 1 + COL_METER_SERIAL, bd_consumer_get_meter_serial (consumer) ?: "");
  bind_text_or_null (stmt, 1 + COL_METER_MAKE, bd_consumer_get_meter_make (consumer) ?: "");
  bind_text_or_null (stmt, 1 + COL_METER_TYPE, bd_meter_type_to_string (bd_consumer_get_meter_type (consumer)));
  bind_text_or_null (stmt, 1 + COL_CATEGORY, bd_consumer_get_category (consumer) ?: "");
  sqlite3_bind_int64 (stmt, 1 + COL_SANCTIONED_LOAD_W, bd_consumer_get_sanctioned_load_w (consumer));
  bind_text_or_null (stmt, 1 + COL_PHASE, bd_phase_to_string (bd_consumer_get_phase (consumer)));
  bind_text_or_null (stmt, 1 + COL_FEEDER, bd_consumer_get_feeder (consumer) ?: "");
  bind_text_or_null (stmt, 1 + COL_DT, bd_consumer_get_dt (consumer) ?: "");
  bind_text_or_null (stmt, 1 + COL_POLE, bd_consumer_get_pole (consumer) ?: "");
  bind_text_or_null (stmt, 1 + COL_AREA_TYPE, bd_area_type_to_string (bd_consumer_get_area_type (consumer)));
  bind_text_or_null (stmt, 1 + COL_SUPPLY_STATUS, bd_supply_status_to_string (bd_consumer_get_supply_status (consumer)));
  sqlite3_bind_int64 (stmt, 1 + COL_BALANCE_PAISE, bd_consumer_get_balance_paise (consumer));
  if (balance_as_of != 0)
    sqlite3_bind_int64 (stmt, 1 + COL_BALANCE_AS_OF, balance_as_of);
  else
    sqlite3_bind_null (stmt, 1 + COL_BALANCE_AS_OF);
  sqlite3_bind_int64 (stmt, 1 + COL_VERSION, bd_consumer_get_version (consumer));
  sqlite3_bind_int64 (stmt, 1 + COL_UPDATED_AT, bd_consumer_get_updated_at (consumer));
  sqlite3_bind_int64 (stmt, 25, change_seq);
  sqlite3_bind_text (stmt, 26, name_key, -1, SQLITE_TRANSIENT);
}

static GPtrArray *
collect_consumers (BdCentralDb   *self,
                   sqlite3_stmt  *stmt,
                   GError       **error)
{
  g_autoptr(GPtrArray) consumers = g_ptr_array_new_with_free_func (g_object_unref);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (consumers, consumer_from_row (stmt));

  if (rc != SQLITE_DONE)
    {
      bd_database_set_error (self->db, error, "consumer query");
      return NULL;
    }

  return g_steal_pointer (&consumers);
}

static BdSession *
session_from_row (sqlite3_stmt *stmt,
                  const char   *token,
                  int           first_col)
{
  BdRole role = BD_ROLE_OPERATOR;

  bd_role_from_string (column_text (stmt, first_col + 2), &role);

  return bd_session_new (token,
                         column_text (stmt, first_col + 0),
                         column_text (stmt, first_col + 1),
                         role,
                         column_text (stmt, first_col + 3),
                         column_text (stmt, first_col + 4),
                         sqlite3_column_int64 (stmt, first_col + 5));
}

static void
bd_central_db_finalize (GObject *object)
{
  BdCentralDb *self = (BdCentralDb *)object;

  /* Statements must go before the connection, or SQLite cannot close it. */
  g_clear_pointer (&self->insert_stmt, sqlite3_finalize);
  g_clear_pointer (&self->next_seq_stmt, sqlite3_finalize);
  g_clear_object (&self->db);

  G_OBJECT_CLASS (bd_central_db_parent_class)->finalize (object);
}

static void
bd_central_db_class_init (BdCentralDbClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bd_central_db_finalize;
}

static void
bd_central_db_init (BdCentralDb *self)
{
}

BdCentralDb *
bd_central_db_open (const char  *path,
                    GError     **error)
{
  g_autoptr(BdCentralDb) self = NULL;
  g_autoptr(BdDatabase) db = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  db = bd_database_open (path, migrations, G_N_ELEMENTS (migrations), error);
  if (db == NULL)
    return NULL;

  self = g_object_new (BD_TYPE_CENTRAL_DB, NULL);
  self->db = g_steal_pointer (&db);

  return g_steal_pointer (&self);
}

BdDatabase *
bd_central_db_get_database (BdCentralDb *self)
{
  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);

  return self->db;
}

gboolean
bd_central_db_ensure_zone (BdCentralDb  *self,
                           const char   *code,
                           const char   *name,
                           GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (code != NULL && name != NULL, FALSE);

  stmt = bd_database_prepare (self->db,
                              "INSERT INTO zones (code, name) VALUES (?1, ?2) "
                              "ON CONFLICT (code) DO UPDATE SET name = excluded.name",
                              error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      bd_database_set_error (self->db, error, "zone");
      return FALSE;
    }

  return TRUE;
}

gboolean
bd_central_db_ensure_user (BdCentralDb  *self,
                           const char   *username,
                           const char   *display_name,
                           BdRole        role,
                           const char   *zone,
                           const char   *password,
                           guint         iterations,
                           GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GBytes) salt = NULL;
  g_autoptr(GBytes) hash = NULL;
  gsize salt_len;
  gsize hash_len;
  gconstpointer salt_data;
  gconstpointer hash_data;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (username != NULL && display_name != NULL, FALSE);
  g_return_val_if_fail (zone != NULL && password != NULL, FALSE);

  if (*username == '\0' || *password == '\0' || iterations == 0)
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT,
                   _("A staff user needs a user name, a password and a positive iteration count."));
      return FALSE;
    }

  stmt = bd_database_prepare (self->db,
                              "SELECT 1 FROM users WHERE username = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, username, -1, SQLITE_STATIC);
  switch (sqlite3_step (stmt))
    {
    case SQLITE_ROW:
      return TRUE;
    case SQLITE_DONE:
      break;
    default:
      bd_database_set_error (self->db, error, "user lookup");
      return FALSE;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  bd_password_hash (password, iterations, &salt, &hash);
  salt_data = g_bytes_get_data (salt, &salt_len);
  hash_data = g_bytes_get_data (hash, &hash_len);

  stmt = bd_database_prepare (self->db,
                              "INSERT INTO users (username, display_name, role, zone, "
                              "  password_hash, password_salt, password_iterations, created_at) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                              error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, username, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, display_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, bd_role_to_string (role), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, zone, -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 5, hash_data, (int) hash_len, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 6, salt_data, (int) salt_len, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 7, iterations);
  sqlite3_bind_int64 (stmt, 8, g_get_real_time () / G_USEC_PER_SEC);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      bd_database_set_error (self->db, error, "user");
      return FALSE;
    }

  return TRUE;
}

BdSession *
bd_central_db_sign_in (BdCentralDb  *self,
                       const char   *username,
                       const char   *password,
                       gint64        now,
                       GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(GBytes) salt = NULL;
  g_autoptr(GBytes) hash = NULL;
  g_autoptr(BdSession) session = NULL;
  g_autofree char *token = NULL;
  g_autofree char *hashed_token = NULL;
  guint8 token_bytes[TOKEN_BYTES];
  gboolean found = FALSE;
  gboolean ok;
  guint iterations = BD_PASSWORD_DEFAULT_ITERATIONS;
  gint64 expires_at = now + BD_CENTRAL_SESSION_LIFETIME_S;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);
  g_return_val_if_fail (username != NULL && password != NULL, NULL);

  stmt = bd_database_prepare (self->db,
                              "SELECT u.username, u.display_name, u.role, u.zone, z.name, ?2, "
                              "  u.password_salt, u.password_iterations, u.password_hash "
                              "FROM users u JOIN zones z ON z.code = u.zone "
                              "WHERE u.username = ?1",
                              error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, username, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, expires_at);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      found = TRUE;
      salt = g_bytes_new (sqlite3_column_blob (stmt, 6), sqlite3_column_bytes (stmt, 6));
      iterations = (guint) CLAMP (sqlite3_column_int64 (stmt, 7), 1, G_MAXUINT);
      hash = g_bytes_new (sqlite3_column_blob (stmt, 8), sqlite3_column_bytes (stmt, 8));
    }
  else if (rc != SQLITE_DONE)
    {
      bd_database_set_error (self->db, error, "sign-in");
      return NULL;
    }
  else
    {
      /* Hash anyway, so an unknown user name takes as long as a wrong
       * password and response times do not reveal which users exist. */
      static const guint8 dummy[BD_PASSWORD_HASH_LEN] = { 0 };

      salt = g_bytes_new_static (dummy, BD_PASSWORD_SALT_LEN);
      hash = g_bytes_new_static (dummy, sizeof dummy);
    }

  ok = bd_password_verify (password, salt, iterations, hash);
  if (!found || !ok)
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_CREDENTIALS,
                   _("The user name or password is wrong."));
      return NULL;
    }

  bd_password_random_bytes (token_bytes, sizeof token_bytes);
  token = g_base64_encode (token_bytes, sizeof token_bytes);
  /* URL- and header-safe alphabet (RFC 4648 §5) without padding. */
  g_strdelimit (token, "+", '-');
  g_strdelimit (token, "/", '_');
  g_strdelimit (token, "=", '\0');
  hashed_token = token_hash (token);

  session = session_from_row (stmt, token, 0);

  insert = bd_database_prepare (self->db,
                                "INSERT INTO sessions (token_hash, username, created_at, expires_at) "
                                "VALUES (?1, ?2, ?3, ?4)",
                                error);
  if (insert == NULL)
    return NULL;
  sqlite3_bind_text (insert, 1, hashed_token, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 2, username, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 3, now);
  sqlite3_bind_int64 (insert, 4, expires_at);
  if (sqlite3_step (insert) != SQLITE_DONE)
    {
      bd_database_set_error (self->db, error, "session");
      return NULL;
    }

  return g_steal_pointer (&session);
}

BdSession *
bd_central_db_lookup_session (BdCentralDb  *self,
                              const char   *token,
                              gint64        now,
                              GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *hashed_token = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);

  if (token == NULL || *token == '\0')
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_UNAUTHORIZED,
                   _("Sign in first: this request needs a session token."));
      return NULL;
    }

  stmt = bd_database_prepare (self->db,
                              "SELECT u.username, u.display_name, u.role, u.zone, z.name, s.expires_at "
                              "FROM sessions s "
                              "JOIN users u ON u.username = s.username "
                              "JOIN zones z ON z.code = u.zone "
                              "WHERE s.token_hash = ?1 AND s.expires_at > ?2",
                              error);
  if (stmt == NULL)
    return NULL;

  hashed_token = token_hash (token);
  sqlite3_bind_text (stmt, 1, hashed_token, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, now);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return session_from_row (stmt, token, 0);
  if (rc != SQLITE_DONE)
    {
      bd_database_set_error (self->db, error, "session lookup");
      return NULL;
    }

  g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_UNAUTHORIZED,
               _("The session has expired or is not valid. Sign in again."));
  return NULL;
}

gint64
bd_central_db_purge_sessions (BdCentralDb  *self,
                              gint64        now,
                              GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), -1);

  stmt = bd_database_prepare (self->db, "DELETE FROM sessions WHERE expires_at <= ?1", error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, now);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      bd_database_set_error (self->db, error, "session purge");
      return -1;
    }

  return sqlite3_changes (bd_database_get_handle (self->db));
}

gint64
bd_central_db_count_consumers (BdCentralDb  *self,
                               const char   *zone,
                               GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), -1);

  stmt = bd_database_prepare (self->db,
                              "SELECT COUNT(*) FROM consumers WHERE ?1 IS NULL OR zone = ?1",
                              error);
  if (stmt == NULL)
    return -1;
  bind_text_or_null (stmt, 1, zone);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      bd_database_set_error (self->db, error, "consumer count");
      return -1;
    }

  return sqlite3_column_int64 (stmt, 0);
}

gboolean
bd_central_db_insert_consumer (BdCentralDb  *self,
                               BdConsumer   *consumer,
                               GError      **error)
{
  gint64 seq;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (BD_IS_CONSUMER (consumer), FALSE);

  if (bd_consumer_get_zone (consumer) == NULL || bd_consumer_get_account (consumer) == NULL)
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT,
                   _("A consumer needs an account number and a zone."));
      return FALSE;
    }

  if (self->insert_stmt == NULL)
    {
      self->insert_stmt = bd_database_prepare (self->db,
                                               "INSERT INTO consumers (" CONSUMER_COLUMNS ", change_seq, name_key) "
                                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                                               "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)",
                                               error);
      if (self->insert_stmt == NULL)
        return FALSE;
    }

  seq = next_change_seq (self, error);
  if (seq < 0)
    return FALSE;

  bind_consumer (self->insert_stmt, consumer, seq);
  if (sqlite3_step (self->insert_stmt) != SQLITE_DONE)
    {
      bd_database_set_error (self->db, error, "consumer insert");
      sqlite3_reset (self->insert_stmt);
      sqlite3_clear_bindings (self->insert_stmt);
      return FALSE;
    }
  sqlite3_reset (self->insert_stmt);
  sqlite3_clear_bindings (self->insert_stmt);

  return TRUE;
}

gboolean
bd_central_db_update_consumer (BdCentralDb  *self,
                               BdConsumer   *consumer,
                               gint64        now,
                               GError      **error)
{
  g_autoptr(sqlite3_stmt) version_stmt = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 seq;
  gint64 version;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (BD_IS_CONSUMER (consumer), FALSE);

  if (!bd_database_begin (self->db, error))
    return FALSE;

  version_stmt = bd_database_prepare (self->db,
                                      "SELECT version FROM consumers WHERE account = ?1", error);
  if (version_stmt == NULL)
    goto fail;
  bind_text_or_null (version_stmt, 1, bd_consumer_get_account (consumer));
  rc = sqlite3_step (version_stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND,
                   _("No consumer with account number %s."), bd_consumer_get_account (consumer));
      goto fail;
    }
  if (rc != SQLITE_ROW)
    {
      bd_database_set_error (self->db, error, "consumer version");
      goto fail;
    }
  version = sqlite3_column_int64 (version_stmt, 0) + 1;
  sqlite3_reset (version_stmt);

  seq = next_change_seq (self, error);
  if (seq < 0)
    goto fail;

  stmt = bd_database_prepare (self->db,
                              "UPDATE consumers SET zone = ?2, name_en = ?3, name_hi = ?4, "
                              "  relation_en = ?5, relation_hi = ?6, address = ?7, mobile = ?8, "
                              "  mobile_verified = ?9, meter_serial = ?10, meter_make = ?11, "
                              "  meter_type = ?12, category = ?13, sanctioned_load_w = ?14, "
                              "  phase = ?15, feeder = ?16, dt = ?17, pole = ?18, area_type = ?19, "
                              "  supply_status = ?20, balance_paise = ?21, balance_as_of = ?22, "
                              "  version = ?23, updated_at = ?24, change_seq = ?25, name_key = ?26 "
                              "WHERE account = ?1",
                              error);
  if (stmt == NULL)
    goto fail;

  bd_consumer_set_version (consumer, version);
  bd_consumer_set_updated_at (consumer, now);
  bind_consumer (stmt, consumer, seq);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      bd_database_set_error (self->db, error, "consumer update");
      goto fail;
    }

  return bd_database_commit (self->db, error);

fail:
  bd_database_rollback (self->db);
  return FALSE;
}

BdConsumer *
bd_central_db_lookup_consumer (BdCentralDb  *self,
                               const char   *zone,
                               const char   *account,
                               GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);
  g_return_val_if_fail (zone != NULL && account != NULL, NULL);

  stmt = bd_database_prepare (self->db,
                              "SELECT " CONSUMER_COLUMNS " FROM consumers "
                              "WHERE account = ?1 AND zone = ?2",
                              error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, account, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, zone, -1, SQLITE_STATIC);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return consumer_from_row (stmt);
  if (rc != SQLITE_DONE)
    {
      bd_database_set_error (self->db, error, "consumer lookup");
      return NULL;
    }

  /* The same answer for "absent" and "another zone's": a caller must not
   * learn which accounts exist elsewhere. */
  g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND,
               _("No consumer with account number %s in your zone."), account);
  return NULL;
}

GPtrArray *
bd_central_db_search (BdCentralDb  *self,
                      const char   *zone,
                      const char   *text,
                      guint         limit,
                      GError      **error)
{
  g_autoptr(BdSearchQuery) query = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GString) sql = NULL;
  g_autoptr(GPtrArray) patterns = NULL;
  int index;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);
  g_return_val_if_fail (zone != NULL, NULL);

  if (text == NULL || limit == 0 || !g_utf8_validate (text, -1, NULL))
    return g_ptr_array_new_with_free_func (g_object_unref);

  query = bd_search_query_parse (text);
  sql = g_string_new ("SELECT " CONSUMER_COLUMNS " FROM consumers WHERE zone = ?1 AND ");

  switch (query->kind)
    {
    case BD_QUERY_KIND_ACCOUNT:
      g_string_append (sql, "account = ?2 ORDER BY account");
      break;
    case BD_QUERY_KIND_MOBILE:
      g_string_append (sql, "mobile = ?2 ORDER BY account");
      break;
    case BD_QUERY_KIND_ACCOUNT_OR_MOBILE:
      /* An account match is what the caller most likely meant. */
      g_string_append (sql, "(account = ?2 OR mobile = ?2) "
                            "ORDER BY account <> ?2, account");
      break;
    case BD_QUERY_KIND_METER_SERIAL:
      g_string_append (sql, "meter_serial = ?2 ORDER BY account");
      break;
    case BD_QUERY_KIND_NAME:
      if (query->words == NULL || query->words[0] == NULL)
        return g_ptr_array_new_with_free_func (g_object_unref);
      patterns = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; query->words[i] != NULL && i < 16; i++)
        {
          if (i > 0)
            g_string_append (sql, " AND ");
          g_string_append_printf (sql, "name_key LIKE ?%u ESCAPE '\\'", i + 2);
          g_ptr_array_add (patterns, like_prefix_pattern (query->words[i]));
        }
      g_string_append (sql, " ORDER BY name_en, account");
      break;
    case BD_QUERY_KIND_NONE:
    default:
      return g_ptr_array_new_with_free_func (g_object_unref);
    }

  g_string_append (sql, " LIMIT ?1000");

  stmt = bd_database_prepare (self->db, sql->str, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, zone, -1, SQLITE_STATIC);
  if (patterns != NULL)
    {
      for (index = 0; index < (int) patterns->len; index++)
        sqlite3_bind_text (stmt, index + 2, g_ptr_array_index (patterns, index), -1, SQLITE_STATIC);
    }
  else
    {
      sqlite3_bind_text (stmt, 2, query->identifier, -1, SQLITE_STATIC);
    }
  sqlite3_bind_int64 (stmt, 1000, limit);

  return collect_consumers (self, stmt, error);
}

BdChangesPage *
bd_central_db_changes (BdCentralDb  *self,
                       const char   *zone,
                       gint64        after_seq,
                       guint         limit,
                       GArray      **out_seqs,
                       GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) count_stmt = NULL;
  g_autoptr(BdChangesPage) page = NULL;
  g_autoptr(GArray) seqs = NULL;
  gint64 last_seq = MAX (after_seq, 0);
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);
  g_return_val_if_fail (zone != NULL, NULL);
  g_return_val_if_fail (limit > 0, NULL);

  stmt = bd_database_prepare (self->db,
                              "SELECT " CONSUMER_COLUMNS ", change_seq FROM consumers "
                              "WHERE zone = ?1 AND change_seq > ?2 "
                              "ORDER BY change_seq LIMIT ?3",
                              error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, zone, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, last_seq);
  sqlite3_bind_int64 (stmt, 3, limit);

  page = bd_changes_page_new ();
  if (page->consumers == NULL)
    page->consumers = g_ptr_array_new_with_free_func (g_object_unref);
  seqs = g_array_new (FALSE, FALSE, sizeof (gint64));

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, COL_CHANGE_SEQ);

      g_ptr_array_add (page->consumers, consumer_from_row (stmt));
      g_array_append_val (seqs, seq);
      last_seq = seq;
    }
  if (rc != SQLITE_DONE)
    {
      bd_database_set_error (self->db, error, "changes");
      return NULL;
    }

  count_stmt = bd_database_prepare (self->db,
                                    "SELECT COUNT(*) FROM consumers WHERE zone = ?1 AND change_seq > ?2",
                                    error);
  if (count_stmt == NULL)
    return NULL;
  sqlite3_bind_text (count_stmt, 1, zone, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (count_stmt, 2, last_seq);
  if (sqlite3_step (count_stmt) != SQLITE_ROW)
    {
      bd_database_set_error (self->db, error, "changes count");
      return NULL;
    }

  page->remaining = sqlite3_column_int64 (count_stmt, 0);
  page->has_more = page->remaining > 0;
  g_free (page->next_cursor);
  page->next_cursor = g_strdup_printf ("%" G_GINT64_FORMAT, last_seq);

  if (out_seqs != NULL)
    *out_seqs = g_steal_pointer (&seqs);

  return g_steal_pointer (&page);
}
