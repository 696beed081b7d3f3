/* bd-central-db.c: bijli-central's schema and queries.
 *
 * Hot queries (session check, lookup, search tiers, changes pages) are
 * prepared once per connection and reset after use: preparing costs more
 * than running them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "core/bd-name-key.h"
#include "core/bd-validate.h"

#include "bd-central-db.h"
#include "bd-central-db-private.h"
#include "bd-password.h"

#define TOKEN_BYTES 32

/* Name search: each tier reads at most this many matches of the caller's
 * zone (more when a large limit asks for it) and orders only those. Ranking
 * every match is O(matches): 300 ms for a common prefix in a million. */
#define SEARCH_CANDIDATES 64
/* bd_name_keys_text() keys at most eight words; more would never match. */
#define SEARCH_MAX_WORDS  8

#define CENTRAL_MMAP_SIZE 2147483648

/* The changes feed counts records per zone in buckets of 2^10 change
 * sequences, so "remaining" is a sum over buckets plus a count inside one. */
#define FEED_BUCKET_SHIFT 10

typedef enum {
  STMT_NEXT_SEQ,
  STMT_INSERT,
  STMT_SESSION,
  STMT_LOOKUP,
  STMT_FIND_ACCOUNT,
  STMT_FIND_MOBILE,
  STMT_FIND_ACCOUNT_OR_MOBILE,
  STMT_FIND_METER,
  STMT_FIND_NAMES,
  STMT_CHANGES,
  STMT_REMAINING,
  STMT_BEGIN_READ,
  STMT_END_READ,
  N_STMTS
} Stmt;

struct _BdCentralDb
{
  GObject       parent_instance;

  BdDatabase   *db;
  sqlite3_stmt *stmts[N_STMTS];

  /* The file did not exist before this connection opened it, so a bulk
   * load may skip the journal: a crash can only lose a file nobody has used. */
  gboolean      created;

  /* Bulk load state (bd_central_db_bulk_begin() … _end()). */
  gboolean      bulk;
  gboolean      bulk_unjournaled;
  gint64        bulk_seq;
  GPtrArray    *bulk_deferred_sql;
  GHashTable   *bulk_memo;      /* name → bd_name_keys_text (name) */
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
  /* Name search at zone scale: FTS5 over both names and their spelling
   * keys (name_key now holds bd_name_keys_text() of both names, replacing
   * the LIKE word list), and per-zone counts of the changes feed by bucket
   * of change sequences so a page's "remaining" costs no full count.
   * The FTS reads its text from consumers (external content) and is kept in
   * step by triggers. VACUUM renumbers the rowids it relies on: run
   * INSERT INTO consumers_fts (consumers_fts) VALUES ('rebuild') after one.
   * The default unicode61 tokenizer splits Devanagari words at vowel signs;
   * the categories below keep marks inside words. Prefix indexes for one and
   * two letters: such prefixes expand to thousands of terms otherwise
   * (10–30 ms a query on a million names); from three letters on, merging
   * the terms costs under a millisecond. */
  { 2,
    "UPDATE consumers SET name_key = bd_name_keys (name_en, name_hi);"
    "CREATE VIRTUAL TABLE consumers_fts USING fts5 ("
    "  name_en, name_hi, name_key,"
    "  content = 'consumers',"
    "  tokenize = \"unicode61 remove_diacritics 2 categories 'L* N* Co M*'\","
    "  prefix = '1 2'"
    ");"
    "INSERT INTO consumers_fts (consumers_fts) VALUES ('rebuild');"
    "CREATE TRIGGER consumers_fts_insert AFTER INSERT ON consumers BEGIN"
    "  INSERT INTO consumers_fts (rowid, name_en, name_hi, name_key)"
    "  VALUES (new.rowid, new.name_en, new.name_hi, new.name_key);"
    "END;"
    "CREATE TRIGGER consumers_fts_delete AFTER DELETE ON consumers BEGIN"
    "  INSERT INTO consumers_fts (consumers_fts, rowid, name_en, name_hi, name_key)"
    "  VALUES ('delete', old.rowid, old.name_en, old.name_hi, old.name_key);"
    "END;"
    "CREATE TRIGGER consumers_fts_update AFTER UPDATE OF name_en, name_hi, name_key ON consumers"
    "  WHEN old.name_en IS NOT new.name_en OR old.name_hi IS NOT new.name_hi"
    "    OR old.name_key IS NOT new.name_key "
    "BEGIN"
    "  INSERT INTO consumers_fts (consumers_fts, rowid, name_en, name_hi, name_key)"
    "  VALUES ('delete', old.rowid, old.name_en, old.name_hi, old.name_key);"
    "  INSERT INTO consumers_fts (rowid, name_en, name_hi, name_key)"
    "  VALUES (new.rowid, new.name_en, new.name_hi, new.name_key);"
    "END;"
    "CREATE TABLE feed_buckets ("
    "  zone   TEXT NOT NULL,"
    "  bucket INTEGER NOT NULL,"   /* change_seq >> 10 */
    "  n      INTEGER NOT NULL,"
    "  PRIMARY KEY (zone, bucket)"
    ") WITHOUT ROWID;"
    "INSERT INTO feed_buckets (zone, bucket, n)"
    "  SELECT zone, change_seq >> 10, COUNT(*) FROM consumers GROUP BY 1, 2;"
    "CREATE TRIGGER consumers_feed_insert AFTER INSERT ON consumers BEGIN"
    "  INSERT INTO feed_buckets (zone, bucket, n) VALUES (new.zone, new.change_seq >> 10, 1)"
    "  ON CONFLICT (zone, bucket) DO UPDATE SET n = n + 1;"
    "END;"
    "CREATE TRIGGER consumers_feed_delete AFTER DELETE ON consumers BEGIN"
    "  UPDATE feed_buckets SET n = n - 1"
    "  WHERE zone = old.zone AND bucket = old.change_seq >> 10;"
    "END;"
    "CREATE TRIGGER consumers_feed_update AFTER UPDATE OF zone, change_seq ON consumers BEGIN"
    "  UPDATE feed_buckets SET n = n - 1"
    "  WHERE zone = old.zone AND bucket = old.change_seq >> 10;"
    "  INSERT INTO feed_buckets (zone, bucket, n) VALUES (new.zone, new.change_seq >> 10, 1)"
    "  ON CONFLICT (zone, bucket) DO UPDATE SET n = n + 1;"
    "END;"
  },
};

#define CONSUMER_COLUMNS \
  "account, zone, name_en, name_hi, relation_en, relation_hi, address, mobile, " \
  "mobile_verified, meter_serial, meter_make, meter_type, category, " \
  "sanctioned_load_w, phase, feeder, dt, pole, area_type, supply_status, " \
  "balance_paise, balance_as_of, version, updated_at"

static const char * const stmt_sql[N_STMTS] = {
  [STMT_NEXT_SEQ] =
    "UPDATE change_counter SET seq = seq + 1 WHERE id = 1 RETURNING seq",
  [STMT_INSERT] =
    "INSERT INTO consumers (" CONSUMER_COLUMNS ", change_seq, name_key) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
    "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)",
  [STMT_SESSION] =
    "SELECT u.username, u.display_name, u.role, u.zone, z.name, s.expires_at "
    "FROM sessions s "
    "JOIN users u ON u.username = s.username "
    "JOIN zones z ON z.code = u.zone "
    "WHERE s.token_hash = ?1 AND s.expires_at > ?2",
  [STMT_LOOKUP] =
    "SELECT " CONSUMER_COLUMNS " FROM consumers WHERE account = ?1 AND zone = ?2",
  [STMT_FIND_ACCOUNT] =
    "SELECT " CONSUMER_COLUMNS " FROM consumers WHERE zone = ?1 AND account = ?2 "
    "LIMIT ?3",
  [STMT_FIND_MOBILE] =
    "SELECT " CONSUMER_COLUMNS " FROM consumers WHERE zone = ?1 AND mobile = ?2 "
    "ORDER BY account LIMIT ?3",
  /* An account match is what the caller most likely meant. Two indexed
   * lookups: with OR, SQLite walks the whole zone. */
  [STMT_FIND_ACCOUNT_OR_MOBILE] =
    "SELECT " CONSUMER_COLUMNS ", 0 FROM consumers WHERE account = ?2 AND zone = ?1 "
    "UNION ALL "
    "SELECT " CONSUMER_COLUMNS ", 1 FROM consumers WHERE zone = ?1 AND mobile = ?2 AND account <> ?2 "
    "ORDER BY 25, 1 LIMIT ?3",
  [STMT_FIND_METER] =
    "SELECT " CONSUMER_COLUMNS " FROM consumers WHERE zone = ?1 AND meter_serial = ?2 "
    "ORDER BY account LIMIT ?3",
  /* The first ?3 matches of the zone in index order, then the closest
   * (shortest) names of those first. CROSS JOIN keeps the FTS as the outer
   * loop: driving from the zone index would visit the whole zone. */
  [STMT_FIND_NAMES] =
    "SELECT " CONSUMER_COLUMNS ", m.rid FROM ("
    "  SELECT consumers_fts.rowid AS rid, length (c.name_en) AS sort_length,"
    "    c.name_en AS sort_name, c.account AS sort_account"
    "  FROM consumers_fts CROSS JOIN consumers c ON c.rowid = consumers_fts.rowid"
    "  WHERE consumers_fts MATCH ?1 AND c.zone = ?2"
    "  LIMIT ?3) AS m "
    "CROSS JOIN consumers ON consumers.rowid = m.rid "
    "ORDER BY m.sort_length, m.sort_name, m.sort_account "
    "LIMIT ?4",
  [STMT_CHANGES] =
    "SELECT " CONSUMER_COLUMNS ", change_seq FROM consumers "
    "WHERE zone = ?1 AND change_seq > ?2 "
    "ORDER BY change_seq LIMIT ?3",
  [STMT_REMAINING] =
    "SELECT (SELECT COALESCE (SUM (n), 0) FROM feed_buckets"
    "        WHERE zone = ?1 AND bucket > (?2 >> 10))"
    "     + (SELECT COUNT(*) FROM consumers"
    "        WHERE zone = ?1 AND change_seq > ?2"
    "          AND change_seq < (((?2 >> 10) + 1) << 10))",
  [STMT_BEGIN_READ] = "BEGIN DEFERRED",
  [STMT_END_READ] = "COMMIT",
};

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


/* Marks a cached statement as in use for the scope it is declared in:
 * leaving the scope resets it and drops its bindings. */
typedef sqlite3_stmt CachedStmt;

static void
cached_stmt_release (CachedStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachedStmt, cached_stmt_release)

static CachedStmt *
cached_stmt (BdCentralDb  *self,
             Stmt          which,
             GError      **error)
{
  if (self->stmts[which] == NULL)
    {
      int rc = sqlite3_prepare_v3 (bd_database_get_handle (self->db), stmt_sql[which], -1,
                                   SQLITE_PREPARE_PERSISTENT, &self->stmts[which], NULL);

      if (rc != SQLITE_OK)
        {
          g_clear_pointer (&self->stmts[which], sqlite3_finalize);
          bd_database_set_error (self->db, error, "prepare");
          return NULL;
        }
    }

  return self->stmts[which];
}

/* Each name's spelling keys (core/bd-name-key.h), English words then Hindi. */
static char *
build_name_key (const char *name_en,
                const char *name_hi)
{
  g_autofree char *en = bd_name_keys_text (name_en != NULL ? name_en : "");
  g_autofree char *hi = bd_name_keys_text (name_hi != NULL ? name_hi : "");

  if (*en == '\0' || *hi == '\0')
    return g_strconcat (en, hi, NULL);
  return g_strconcat (en, " ", hi, NULL);
}

/* A bulk load meets the same few thousand names again and again; keying
 * each once saves most of the load's time. */
static const char *
memo_name_keys (GHashTable *memo,
                const char *name)
{
  char *keys = g_hash_table_lookup (memo, name);

  if (keys == NULL)
    {
      /* Bounded: a load of unique names must not grow a second copy. */
      if (g_hash_table_size (memo) >= 200000)
        g_hash_table_remove_all (memo);
      keys = bd_name_keys_text (name);
      g_hash_table_insert (memo, g_strdup (name), keys);
    }

  return keys;
}

static char *
dup_name_key (BdCentralDb *self,
              BdConsumer  *consumer)
{
  const char *name_en = bd_consumer_get_name_en (consumer);
  const char *name_hi = bd_consumer_get_name_hi (consumer);
  const char *en;
  const char *hi;

  if (self->bulk_memo == NULL)
    return build_name_key (name_en, name_hi);

  en = memo_name_keys (self->bulk_memo, name_en != NULL ? name_en : "");
  hi = memo_name_keys (self->bulk_memo, name_hi != NULL ? name_hi : "");
  if (*en == '\0' || *hi == '\0')
    return g_strconcat (en, hi, NULL);
  return g_strconcat (en, " ", hi, NULL);
}

/* bd_name_keys (name_en, name_hi) in SQL, for migration 2 to key the
 * consumers it finds. */
static void
name_keys_sql_function (sqlite3_context  *context,
                        int               argc,
                        sqlite3_value   **argv)
{
  const char *en = (const char *) sqlite3_value_text (argv[0]);
  const char *hi = (const char *) sqlite3_value_text (argv[1]);
  char *key = build_name_key (en, hi);

  sqlite3_result_text (context, key, -1, g_free);
}

/* Registered for every connection the process opens, because the
 * migrations run inside bd_database_open(), before we see the handle. */
static int
register_sql_functions (sqlite3                          *handle,
                        const char                      **error_message,
                        const struct sqlite3_api_routines *api)
{
  return sqlite3_create_function_v2 (handle, "bd_name_keys", 2,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                     NULL, name_keys_sql_function, NULL, NULL, NULL);
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text)
{
  /* Static: every caller keeps the text alive until the statement is reset. */
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
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
  g_autoptr(CachedStmt) stmt = cached_stmt (self, STMT_NEXT_SEQ, error);
  gint64 seq;

  if (stmt == NULL)
    return -1;

  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      bd_database_set_error (self->db, error, "change sequence");
      return -1;
    }
  seq = sqlite3_column_int64 (stmt, 0);
  /* Drain so the UPDATE completes before the statement is reset. */
  while (sqlite3_step (stmt) == SQLITE_ROW)
    ;

  return seq;
}

/* Binds the consumer's fields as ?1..?24 in CONSUMER_COLUMNS order, then
 * the change sequence as ?25 and the name key as ?26. */
static void
bind_consumer (sqlite3_stmt *stmt,
               BdConsumer   *consumer,
               gint64        change_seq,
               const char   *name_key)
{
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
  sqlite3_bind_text (stmt, 26, name_key, -1, SQLITE_STATIC);
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

static void
append_fts_string (GString    *expr,
                   const char *text)
{
  g_string_append_c (expr, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (expr, '"');
      g_string_append_c (expr, *p);
    }
  g_string_append_c (expr, '"');
}

/* "{columns} : ("w1" "w2"*)": every word quoted, so nothing the operator
 * types is read as FTS syntax (NEAR, OR, column filters…). Words that are
 * empty are skipped; NULL if none is left. */
static char *
match_expression (const char         *columns,
                  const char * const *words,
                  gboolean            prefix)
{
  g_autoptr(GString) expr = g_string_new (columns);
  guint n = 0;

  g_string_append (expr, " : (");
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (*words[i] == '\0')
        continue;
      if (n++ > 0)
        g_string_append_c (expr, ' ');
      append_fts_string (expr, words[i]);
      if (prefix)
        g_string_append_c (expr, '*');
    }
  g_string_append_c (expr, ')');

  if (n == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&expr), FALSE);
}

/* Spelling keys match whole keys, except that the last word, which the
 * operator may still be typing, matches as a prefix once its key has three
 * letters: a shorter consonant skeleton ("श्री" → "शर") starts too many
 * unrelated names. */
static char *
fuzzy_expression (char **keys)
{
  g_autoptr(GString) expr = g_string_new ("name_key : (");
  guint n = 0;
  guint last = 0;

  for (guint i = 0; keys[i] != NULL; i++)
    {
      if (*keys[i] != '\0')
        last = i;
    }

  for (guint i = 0; keys[i] != NULL; i++)
    {
      if (*keys[i] == '\0')
        continue;
      if (n++ > 0)
        g_string_append_c (expr, ' ');
      append_fts_string (expr, keys[i]);
      if (i == last && g_utf8_strlen (keys[i], -1) >= 3)
        g_string_append_c (expr, '*');
    }
  g_string_append_c (expr, ')');

  if (n == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&expr), FALSE);
}

/* Adds the tier's matches not already found, up to limit results. */
static gboolean
search_name_tier (BdCentralDb     *self,
                  const char      *zone,
                  const char      *match,
                  BdCentralMatch   tier,
                  guint            limit,
                  GPtrArray       *results,
                  GArray          *tiers,
                  GHashTable      *seen,
                  GError         **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  guint wanted = limit - results->len + g_hash_table_size (seen);
  int rc = SQLITE_DONE;

  if (match == NULL || results->len >= limit)
    return TRUE;

  stmt = cached_stmt (self, STMT_FIND_NAMES, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, match, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, zone, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, MAX (SEARCH_CANDIDATES, wanted));
  sqlite3_bind_int64 (stmt, 4, wanted);

  while (results->len < limit && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 rowid = sqlite3_column_int64 (stmt, COL_CHANGE_SEQ);

      if (!g_hash_table_add (seen, g_memdup2 (&rowid, sizeof rowid)))
        continue;
      g_ptr_array_add (results, consumer_from_row (stmt));
      g_array_append_val (tiers, tier);
    }

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      const char *message = sqlite3_errmsg (bd_database_get_handle (self->db));

      /* The query parser and the tokenizer split words alike, so this is
       * not expected; if odd input ever slips through, it matches nothing
       * rather than failing the whole search. */
      if (g_str_has_prefix (message, "fts5:"))
        {
          g_debug ("Name search tier skipped: %s", message);
          return TRUE;
        }
      bd_database_set_error (self->db, error, "name search");
      return FALSE;
    }

  return TRUE;
}

static gboolean
search_names (BdCentralDb  *self,
              const char   *zone,
              GStrv         query_words,
              guint         limit,
              GPtrArray    *results,
              GArray       *tiers,
              GError      **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GPtrArray) words = g_ptr_array_new ();
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *exact = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *fuzzy = NULL;

  for (guint i = 0; query_words[i] != NULL && words->len < SEARCH_MAX_WORDS; i++)
    {
      g_ptr_array_add (words, query_words[i]);
      g_ptr_array_add (keys, bd_name_key (query_words[i]));
    }
  g_ptr_array_add (words, NULL);
  g_ptr_array_add (keys, NULL);

  exact = match_expression ("{name_en name_hi}", (const char * const *) words->pdata, FALSE);
  prefix = match_expression ("{name_en name_hi}", (const char * const *) words->pdata, TRUE);
  fuzzy = fuzzy_expression ((char **) keys->pdata);

  return search_name_tier (self, zone, exact, BD_CENTRAL_MATCH_NAME_EXACT, limit,
                           results, tiers, seen, error) &&
         search_name_tier (self, zone, prefix, BD_CENTRAL_MATCH_NAME_PREFIX, limit,
                           results, tiers, seen, error) &&
         search_name_tier (self, zone, fuzzy, BD_CENTRAL_MATCH_NAME_FUZZY, limit,
                           results, tiers, seen, error);
}

/* With sqlite3_mprintf()'s conversions: %w quotes an identifier. */
static gboolean
exec_printf (BdCentralDb  *self,
             GError      **error,
             const char   *format,
             ...)
{
  va_list args;
  char *sql;
  gboolean ok;

  va_start (args, format);
  sql = sqlite3_vmprintf (format, args);
  va_end (args);

  ok = bd_database_exec (self->db, sql, error);
  sqlite3_free (sql);

  return ok;
}

static gboolean
insert_row (BdCentralDb  *self,
            BdConsumer   *consumer,
            gint64        seq,
            GError      **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  g_autofree char *name_key = NULL;

  if (bd_consumer_get_zone (consumer) == NULL || bd_consumer_get_account (consumer) == NULL)
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT,
                   _("A consumer needs an account number and a zone."));
      return FALSE;
    }

  stmt = cached_stmt (self, STMT_INSERT, error);
  if (stmt == NULL)
    return FALSE;

  name_key = dup_name_key (self, consumer);
  bind_consumer (stmt, consumer, seq, name_key);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      bd_database_set_error (self->db, error, "consumer insert");
      return FALSE;
    }

  return TRUE;
}

/* Triggers on consumers that a bulk load drops and replaces by one rebuild
 * of what they maintain (bd_central_db_bulk_end()). Any other trigger stays
 * in place during the load, so a later migration's trigger is never skipped. */
static gboolean
is_rebuilt_trigger (const char *name)
{
  return g_str_has_prefix (name, "consumers_fts_") || g_str_has_prefix (name, "consumers_feed_");
}

/* What PRAGMA foreign_keys would have refused row by row during a load. */
static gboolean
check_foreign_keys (BdCentralDb  *self,
                    GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = bd_database_prepare (self->db, "PRAGMA foreign_key_check (consumers)", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT,
                   _("A consumer names a zone that does not exist. Create the zone first."));
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      bd_database_set_error (self->db, error, "foreign key check");
      return FALSE;
    }

  return TRUE;
}

static void
restore_pragmas (BdCentralDb *self)
{
  g_autoptr(GError) error = NULL;

  /* As bd_database_open() configures every connection. */
  if ((self->bulk_unjournaled && !bd_database_exec (self->db, "PRAGMA journal_mode = WAL", &error)) ||
      !bd_database_exec (self->db,
                         "PRAGMA synchronous = FULL;"
                         "PRAGMA foreign_keys = ON;"
                         "PRAGMA cache_size = -2000;"
                         "PRAGMA temp_store = DEFAULT;"
                         "PRAGMA threads = 0",
                         &error))
    g_warning ("Could not restore the database settings after a bulk load: %s", error->message);
}

static void
bulk_finish (BdCentralDb *self)
{
  restore_pragmas (self);
  self->bulk = FALSE;
  self->bulk_unjournaled = FALSE;
  g_clear_pointer (&self->bulk_deferred_sql, g_ptr_array_unref);
  g_clear_pointer (&self->bulk_memo, g_hash_table_unref);
}

static void
bd_central_db_finalize (GObject *object)
{
  BdCentralDb *self = (BdCentralDb *)object;

  if (self->bulk)
    {
      bd_database_rollback (self->db);
      bulk_finish (self);
    }

  /* Statements must go before the connection, or SQLite cannot close it. */
  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);
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
bd_central_db_open_at_version (const char  *path,
                               int          version,
                               GError     **error)
{
  static gsize functions_registered = 0;
  g_autoptr(BdCentralDb) self = NULL;
  g_autoptr(BdDatabase) db = NULL;
  gboolean is_file;
  gsize n_migrations = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_once_init_enter (&functions_registered))
    {
      /* The cast is the documented way to pass an extension entry point. */
      sqlite3_auto_extension ((void (*) (void)) register_sql_functions);
      g_once_init_leave (&functions_registered, 1);
    }

  while (n_migrations < G_N_ELEMENTS (migrations) && migrations[n_migrations].version <= version)
    n_migrations++;

  is_file = !g_str_equal (path, ":memory:") && !g_str_has_prefix (path, "file:");

  self = g_object_new (BD_TYPE_CENTRAL_DB, NULL);
  self->created = is_file && !g_file_test (path, G_FILE_TEST_EXISTS);

  db = bd_database_open (path, migrations, n_migrations, error);
  if (db == NULL)
    return NULL;
  self->db = g_steal_pointer (&db);

  /* Reads straight from the OS page cache, shared by worker processes,
   * instead of a copy per connection: lookups touch pages all over a
   * zone's million rows. */
  if (is_file && !bd_database_exec (self->db, "PRAGMA mmap_size = " G_STRINGIFY (CENTRAL_MMAP_SIZE), error))
    return NULL;

  return g_steal_pointer (&self);
}

char *
bd_central_db_dup_query_plans (BdCentralDb  *self,
                               GError      **error)
{
  g_autoptr(GString) plans = g_string_new (NULL);

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);

  for (guint i = 0; i < N_STMTS; i++)
    {
      g_autofree char *sql = NULL;
      g_autoptr(sqlite3_stmt) stmt = NULL;
      int rc;

      if (!g_str_has_prefix (stmt_sql[i], "SELECT"))
        continue;

      sql = g_strconcat ("EXPLAIN QUERY PLAN ", stmt_sql[i], NULL);
      stmt = bd_database_prepare (self->db, sql, error);
      if (stmt == NULL)
        return NULL;
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_string_append_printf (plans, "%u: %s\n", i, column_text (stmt, 3));
      if (rc != SQLITE_DONE)
        {
          bd_database_set_error (self->db, error, "query plan");
          return NULL;
        }
    }

  return g_string_free (g_steal_pointer (&plans), FALSE);
}

BdCentralDb *
bd_central_db_open (const char  *path,
                    GError     **error)
{
  return bd_central_db_open_at_version (path, G_MAXINT, error);
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
  g_autoptr(CachedStmt) stmt = NULL;
  g_autofree char *hashed_token = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);

  if (token == NULL || *token == '\0')
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_UNAUTHORIZED,
                   _("Sign in first: this request needs a session token."));
      return NULL;
    }

  stmt = cached_stmt (self, STMT_SESSION, error);
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

  /* The feed's bucket counts hold one entry per consumer: summing a few
   * hundred buckets beats counting a million rows. */
  stmt = bd_database_prepare (self->db,
                              "SELECT COALESCE (SUM (n), 0) FROM feed_buckets "
                              "WHERE ?1 IS NULL OR zone = ?1",
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
  g_return_val_if_fail (!self->bulk, FALSE);

  seq = next_change_seq (self, error);
  if (seq < 0)
    return FALSE;

  return insert_row (self, consumer, seq, error);
}

gboolean
bd_central_db_bulk_begin (BdCentralDb  *self,
                          GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (!self->bulk, FALSE);

  stmt = bd_database_prepare (self->db, "SELECT EXISTS (SELECT 1 FROM consumers)", error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      bd_database_set_error (self->db, error, "consumer check");
      return FALSE;
    }
  if (sqlite3_column_int (stmt, 0) != 0)
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT,
                   _("The database already holds consumers; a bulk load needs an empty one."));
      return FALSE;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  self->bulk = TRUE;
  self->bulk_deferred_sql = g_ptr_array_new_with_free_func (g_free);
  self->bulk_memo = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  /* A file this connection created holds nothing that a crash could lose,
   * so the load runs without a journal on disk and without syncs. The
   * rollback journal stays in memory so that an error still rolls back. */
  self->bulk_unjournaled = self->created;
  if (self->bulk_unjournaled &&
      !bd_database_exec (self->db, "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF", error))
    goto fail;
  /* Index builds sort in memory, on a second core where there is one. */
  /* Foreign keys are checked once for the whole table in bulk_end:
   * checking per row opens a statement journal for every insert. */
  if (!bd_database_exec (self->db,
                         "PRAGMA foreign_keys = OFF;"
                         "PRAGMA cache_size = -262144;"
                         "PRAGMA temp_store = MEMORY;"
                         "PRAGMA threads = 2",
                         error))
    goto fail;

  if (!bd_database_begin (self->db, error))
    goto fail;

  /* Indexes built once after the load cost a fraction of keeping them up
   * to date row by row (random mobiles above all). */
  stmt = bd_database_prepare (self->db,
                              "SELECT type, name, sql FROM sqlite_master "
                              "WHERE tbl_name = 'consumers' AND type IN ('index', 'trigger') "
                              "  AND sql IS NOT NULL "
                              "ORDER BY type, name",
                              error);
  if (stmt == NULL)
    goto fail_rollback;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *type = column_text (stmt, 0);
      const char *name = column_text (stmt, 1);

      if (g_str_equal (type, "trigger") && !is_rebuilt_trigger (name))
        continue;
      g_ptr_array_add (self->bulk_deferred_sql, g_strdup_printf ("%s|%s|%s", type, name, column_text (stmt, 2)));
    }
  if (rc != SQLITE_DONE)
    {
      bd_database_set_error (self->db, error, "schema");
      goto fail_rollback;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  for (guint i = 0; i < self->bulk_deferred_sql->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (self->bulk_deferred_sql, i), "|", 3);

      if (!exec_printf (self, error, "DROP %s \"%w\"",
                        g_str_equal (parts[0], "index") ? "INDEX" : "TRIGGER", parts[1]))
        goto fail_rollback;
    }

  stmt = bd_database_prepare (self->db, "SELECT seq FROM change_counter WHERE id = 1", error);
  if (stmt == NULL)
    goto fail_rollback;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      bd_database_set_error (self->db, error, "change sequence");
      goto fail_rollback;
    }
  self->bulk_seq = sqlite3_column_int64 (stmt, 0);

  return TRUE;

fail_rollback:
  bd_database_rollback (self->db);
fail:
  bulk_finish (self);
  return FALSE;
}

gboolean
bd_central_db_bulk_insert (BdCentralDb  *self,
                           BdConsumer   *consumer,
                           GError      **error)
{
  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (BD_IS_CONSUMER (consumer), FALSE);
  g_return_val_if_fail (self->bulk, FALSE);

  if (!insert_row (self, consumer, self->bulk_seq + 1, error))
    return FALSE;
  self->bulk_seq++;

  return TRUE;
}

gboolean
bd_central_db_bulk_end (BdCentralDb  *self,
                        GError      **error)
{
  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (self->bulk, FALSE);

  if (!exec_printf (self, error, "UPDATE change_counter SET seq = %lld WHERE id = 1",
                    (long long) self->bulk_seq))
    goto fail;

  for (guint i = 0; i < self->bulk_deferred_sql->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (self->bulk_deferred_sql, i), "|", 3);

      if (!bd_database_exec (self->db, parts[2], error))
        goto fail;
    }

  /* What the dropped triggers would have maintained row by row. */
  if (!bd_database_exec (self->db,
                         "INSERT INTO consumers_fts (consumers_fts) VALUES ('rebuild');"
                         "DELETE FROM feed_buckets;"
                         "INSERT INTO feed_buckets (zone, bucket, n)"
                         "  SELECT zone, change_seq >> 10, COUNT(*) FROM consumers GROUP BY 1, 2;",
                         error))
    goto fail;

  if (!check_foreign_keys (self, error))
    goto fail;

  if (!bd_database_commit (self->db, error))
    goto fail;

  bulk_finish (self);
  return TRUE;

fail:
  bd_database_rollback (self->db);
  bulk_finish (self);
  return FALSE;
}

void
bd_central_db_bulk_abort (BdCentralDb *self)
{
  g_return_if_fail (BD_IS_CENTRAL_DB (self));

  if (!self->bulk)
    return;

  bd_database_rollback (self->db);
  bulk_finish (self);
}

gboolean
bd_central_db_update_consumer (BdCentralDb  *self,
                               BdConsumer   *consumer,
                               gint64        now,
                               GError      **error)
{
  g_autoptr(sqlite3_stmt) version_stmt = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *name_key = NULL;
  gint64 seq;
  gint64 version;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (BD_IS_CONSUMER (consumer), FALSE);
  g_return_val_if_fail (!self->bulk, FALSE);

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

  /* The triggers of migration 2 move the record's name keys in the FTS
   * index and its count to the new feed bucket. */
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
  name_key = dup_name_key (self, consumer);
  bind_consumer (stmt, consumer, seq, name_key);
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
  g_autoptr(CachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);
  g_return_val_if_fail (zone != NULL && account != NULL, NULL);

  stmt = cached_stmt (self, STMT_LOOKUP, error);
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
                      GArray      **out_matches,
                      GError      **error)
{
  g_autoptr(BdSearchQuery) query = NULL;
  g_autoptr(CachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) matches = g_array_new (FALSE, FALSE, sizeof (BdCentralMatch));
  BdCentralMatch identifier = BD_CENTRAL_MATCH_IDENTIFIER;
  Stmt which;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);
  g_return_val_if_fail (zone != NULL, NULL);

  if (text == NULL || limit == 0 || !g_utf8_validate (text, -1, NULL))
    goto done;

  query = bd_search_query_parse (text);
  switch (query->kind)
    {
    case BD_QUERY_KIND_ACCOUNT:
      which = STMT_FIND_ACCOUNT;
      break;
    case BD_QUERY_KIND_MOBILE:
      which = STMT_FIND_MOBILE;
      break;
    case BD_QUERY_KIND_ACCOUNT_OR_MOBILE:
      which = STMT_FIND_ACCOUNT_OR_MOBILE;
      break;
    case BD_QUERY_KIND_METER_SERIAL:
      which = STMT_FIND_METER;
      break;
    case BD_QUERY_KIND_NAME:
      if (query->words == NULL || query->words[0] == NULL)
        goto done;
      if (!search_names (self, zone, query->words, limit, results, matches, error))
        return NULL;
      goto done;
    case BD_QUERY_KIND_NONE:
    default:
      goto done;
    }

  stmt = cached_stmt (self, which, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, zone, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, query->identifier, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, limit);

  g_clear_pointer (&results, g_ptr_array_unref);
  results = collect_consumers (self, stmt, error);
  if (results == NULL)
    return NULL;
  for (guint i = 0; i < results->len; i++)
    g_array_append_val (matches, identifier);

done:
  if (out_matches != NULL)
    *out_matches = g_steal_pointer (&matches);
  return g_steal_pointer (&results);
}

BdChangesPage *
bd_central_db_changes (BdCentralDb  *self,
                       const char   *zone,
                       gint64        after_seq,
                       guint         limit,
                       GArray      **out_seqs,
                       GError      **error)
{
  sqlite3 *handle;
  g_autoptr(CachedStmt) stmt = NULL;
  g_autoptr(CachedStmt) remaining_stmt = NULL;
  g_autoptr(BdChangesPage) page = NULL;
  g_autoptr(GArray) seqs = NULL;
  gboolean own_transaction;
  gint64 last_seq = MAX (after_seq, 0);
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);
  g_return_val_if_fail (zone != NULL, NULL);
  g_return_val_if_fail (limit > 0, NULL);

  handle = bd_database_get_handle (self->db);

  /* The page and its remaining count come from one snapshot, so they
   * agree even while other connections write. */
  own_transaction = sqlite3_get_autocommit (handle) != 0;
  if (own_transaction)
    {
      g_autoptr(CachedStmt) begin = cached_stmt (self, STMT_BEGIN_READ, error);

      if (begin == NULL)
        return NULL;
      if (sqlite3_step (begin) != SQLITE_DONE)
        {
          bd_database_set_error (self->db, error, "changes");
          return NULL;
        }
    }

  stmt = cached_stmt (self, STMT_CHANGES, error);
  if (stmt == NULL)
    goto out;
  sqlite3_bind_text (stmt, 1, zone, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, last_seq);
  sqlite3_bind_int64 (stmt, 3, limit);

  page = bd_changes_page_new ();
  if (page->consumers == NULL)
    page->consumers = g_ptr_array_new_with_free_func (g_object_unref);
  seqs = g_array_sized_new (FALSE, FALSE, sizeof (gint64), MIN (limit, 1000));

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
      g_clear_pointer (&page, bd_changes_page_free);
      goto out;
    }

  if (page->consumers->len < limit)
    {
      /* The page took everything after the cursor. */
      page->remaining = 0;
    }
  else
    {
      remaining_stmt = cached_stmt (self, STMT_REMAINING, error);
      if (remaining_stmt == NULL)
        {
          g_clear_pointer (&page, bd_changes_page_free);
          goto out;
        }
      sqlite3_bind_text (remaining_stmt, 1, zone, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (remaining_stmt, 2, last_seq);
      if (sqlite3_step (remaining_stmt) != SQLITE_ROW)
        {
          bd_database_set_error (self->db, error, "changes count");
          g_clear_pointer (&page, bd_changes_page_free);
          goto out;
        }
      /* Never negative, even if a hand-edited database broke the counts. */
      page->remaining = MAX (sqlite3_column_int64 (remaining_stmt, 0), 0);
    }

  page->has_more = page->remaining > 0;
  g_free (page->next_cursor);
  page->next_cursor = g_strdup_printf ("%" G_GINT64_FORMAT, last_seq);

  if (out_seqs != NULL)
    *out_seqs = g_steal_pointer (&seqs);

out:
  if (own_transaction)
    {
      /* A stepped statement would hold the snapshot open past COMMIT. */
      if (stmt != NULL)
        sqlite3_reset (stmt);
      if (remaining_stmt != NULL)
        sqlite3_reset (remaining_stmt);

      g_autoptr(CachedStmt) end = cached_stmt (self, STMT_END_READ, NULL);

      if (end == NULL || sqlite3_step (end) != SQLITE_DONE)
        {
          /* A read transaction cannot fail to commit in a way that loses
           * data; leaving it open would pin the WAL, so roll it back. */
          bd_database_rollback (self->db);
        }
    }

  return g_steal_pointer (&page);
}
