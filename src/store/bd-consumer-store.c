/* bd-consumer-store.c: the desk's local copy of its zone.
 *
 * Two connections to one WAL database, each with its own mutex and its own
 * cache of prepared statements: the writer applies pages of the feed, the
 * reader serves search and lookup. WAL lets the reader see the last
 * committed state while a page is being written, so the operator's search
 * never waits for a sync. A ":memory:" store (tests) cannot be shared
 * between connections, so there the reader is the writer.
 *
 * Names are searched through an FTS5 table keyed by the consumer's rowid.
 * Its names and relations columns hold the consumer's own names and the
 * relation's (father's or husband's) in both scripts, folded as
 * bd_search_query_parse() folds what the operator types, so both sides of
 * a MATCH agree on case and Unicode normalisation; name_keys and
 * relation_keys hold their spelling-tolerant keys (bd_name_key()) for the
 * fuzzy tier, except keys equal to their word, which the fuzzy tier finds
 * in the names columns. Own and relation's names are apart so that a
 * consumer's own name ranks above a relation's.
 *
 * Ranking is in tiers, each a capped FTS query: exact identifiers (account,
 * mobile, meter serial, through indexes), then names matching every query
 * word as a whole word, then as a word prefix, then by name key. Within a
 * tier the consumer's own name comes before a relation's, then the shorter
 * name, then the account number. A tier looks at no more than its first
 * few hundred FTS matches (in rowid order) instead of scoring them all: a
 * common prefix ("shar", "राम") matches 100,000 consumers, and bm25 over all
 * of them costs hundreds of milliseconds, while the first page of a capped
 * tier is as useful to an operator who goes on typing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/bd-name-key.h"
#include "core/bd-validate.h"
#include "bd-consumer-store.h"
#include "bd-database.h"

/* Bump whenever what goes into the FTS table changes (folding, name keys,
 * columns): a store whose index was built otherwise rebuilds it on open. */
#define SEARCH_INDEX_VERSION 2

/* FTS matches a name tier ranks, at least; see search_tier(). */
#define TIER_CANDIDATES 300

/* Shorter words only match whole: a one-letter prefix matches most of the
 * zone and no prefix index covers it, while a whole one-letter word is an
 * initial ("R K Tiwari"). */
#define MIN_PREFIX_CHARS 2

/* Digits typed so far of an account or mobile number before we look for
 * numbers starting with them. */
#define MIN_NUMBER_PREFIX 4

/* Distinct name words whose folding and key the writer remembers. A zone's
 * names are made of a few tens of thousands of words; Unicode normalisation
 * of a Devanagari name costs more than storing its record. */
#define MAX_CACHED_WORDS 200000

/* The writer's page cache during a sync: the mobile and meter indexes take
 * inserts all over the file, and 1 M consumers' index pages fit in this. */
#define WRITER_CACHE_KIB 65536
#define READER_CACHE_KIB 16384

typedef struct
{
  GMutex      lock;
  BdDatabase *db;
  GHashTable *statements;   /* static SQL text → sqlite3_stmt, prepared once */
} Connection;

struct _BdConsumerStore
{
  GObject     parent_instance;

  Connection *writer;
  Connection *reader;       /* the writer itself for ":memory:" */
  GHashTable *words;        /* raw word → WordEntry; under the writer's lock */
};

G_DEFINE_TYPE (BdConsumerStore, bd_consumer_store, G_TYPE_OBJECT)

#define FTS_TOKENIZER \
  "tokenize = \"unicode61 remove_diacritics 2 categories 'L* N* Co M*'\""

/* Marks (M*) are token characters so that Devanagari vowel signs and
 * viramas stay inside their word: with the default categories
 * "श्रीवास्तव" would be cut into single consonants.
 *
 * Migration 2 replaces the first FTS table: prefix indexes of 2 and 3
 * characters make the short prefixes typed first ("sh", "राम") a plain
 * term lookup instead of a merge of every matching word's document list;
 * detail=column drops word positions, which single-word phrases never use,
 * and columnsize=0 the per-row sizes only bm25 needs, halving the index
 * and the cost of writing it. The address is no longer indexed: search is
 * by account, mobile, meter or name. The table is filled from the
 * consumers on the next open (see ensure_search_index()), not by SQL,
 * since folding and name keys are C. */
static const BdMigration migrations[] = {
  { 1,
    "CREATE TABLE consumers ("
    "  account           TEXT PRIMARY KEY NOT NULL"
    "                    CHECK (length (account) BETWEEN 1 AND 32),"
    "  name_en           TEXT,"
    "  name_hi           TEXT,"
    "  relation_en       TEXT,"
    "  relation_hi       TEXT,"
    "  address           TEXT,"
    "  mobile            TEXT,"
    "  mobile_verified   INTEGER NOT NULL CHECK (mobile_verified IN (0, 1)),"
    "  meter_serial      TEXT,"
    "  meter_make        TEXT,"
    "  meter_type        TEXT NOT NULL CHECK (meter_type IN ('smart', 'ct', 'non_smart')),"
    "  category          TEXT,"
    "  sanctioned_load_w INTEGER NOT NULL CHECK (sanctioned_load_w >= 0),"
    "  phase             TEXT NOT NULL CHECK (phase IN ('single', 'three')),"
    "  feeder            TEXT,"
    "  dt                TEXT,"
    "  pole              TEXT,"
    "  zone              TEXT,"
    "  area_type         TEXT NOT NULL CHECK (area_type IN ('urban', 'rural')),"
    "  supply_status     TEXT NOT NULL CHECK (supply_status IN ('connected', 'disconnected')),"
    "  balance_paise     INTEGER NOT NULL,"
    "  balance_as_of     INTEGER,"
    "  version           INTEGER NOT NULL,"
    "  updated_at        INTEGER NOT NULL"
    ");"
    "CREATE INDEX consumers_mobile ON consumers (mobile);"
    "CREATE INDEX consumers_meter_serial ON consumers (meter_serial COLLATE NOCASE);"
    "CREATE VIRTUAL TABLE consumers_fts USING fts5 ("
    "  name_en, name_hi, relation_en, relation_hi, address,"
    "  tokenize = \"unicode61 remove_diacritics 2 categories 'L* N* Co M*'\""
    ");"
    "CREATE TABLE sync_state ("
    "  key   TEXT PRIMARY KEY NOT NULL,"
    "  value"
    ");" },
  { 2,
    "DROP TABLE consumers_fts;"
    "CREATE VIRTUAL TABLE consumers_fts USING fts5 ("
    "  names, relations, name_keys, relation_keys,"
    "  detail = column, columnsize = 0, prefix = '2 3', " FTS_TOKENIZER
    ");"
    "DELETE FROM sync_state WHERE key IN ('search_index', 'consumer_count');"
    /* Kept in step by every write: count(*) reads the whole table, and
     * the desk shows the count as it starts. */
    "INSERT INTO sync_state (key, value) SELECT 'consumer_count', count(*) FROM consumers;" },
};

#define CONSUMER_COLUMNS \
  "c.account, c.name_en, c.name_hi, c.relation_en, c.relation_hi, c.address, " \
  "c.mobile, c.mobile_verified, c.meter_serial, c.meter_make, c.meter_type, "  \
  "c.category, c.sanctioned_load_w, c.phase, c.feeder, c.dt, c.pole, c.zone, " \
  "c.area_type, c.supply_status, c.balance_paise, c.balance_as_of, "           \
  "c.version, c.updated_at"

static const char select_old_sql[] =
  "SELECT rowid, version, name_en, name_hi, relation_en, relation_hi "
  "FROM consumers WHERE account = ?1";

static const char insert_sql[] =
  "INSERT INTO consumers (account, name_en, name_hi, relation_en, relation_hi, "
  "  address, mobile, mobile_verified, meter_serial, meter_make, meter_type, "
  "  category, sanctioned_load_w, phase, feeder, dt, pole, zone, area_type, "
  "  supply_status, balance_paise, balance_as_of, version, updated_at) "
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
  "  ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)";

static const char update_sql[] =
  "UPDATE consumers SET "
  "  name_en = ?2, name_hi = ?3, relation_en = ?4, relation_hi = ?5, "
  "  address = ?6, mobile = ?7, mobile_verified = ?8, meter_serial = ?9, "
  "  meter_make = ?10, meter_type = ?11, category = ?12, "
  "  sanctioned_load_w = ?13, phase = ?14, feeder = ?15, dt = ?16, "
  "  pole = ?17, zone = ?18, area_type = ?19, supply_status = ?20, "
  "  balance_paise = ?21, balance_as_of = ?22, version = ?23, updated_at = ?24 "
  "WHERE account = ?1";

static const char delete_consumer_sql[] = "DELETE FROM consumers WHERE rowid = ?1";
static const char fts_delete_sql[] = "DELETE FROM consumers_fts WHERE rowid = ?1";
static const char fts_insert_sql[] =
  "INSERT INTO consumers_fts (rowid, names, relations, name_keys, relation_keys) "
  "VALUES (?1, ?2, ?3, ?4, ?5)";

static const char set_state_sql[] =
  "INSERT INTO sync_state (key, value) VALUES (?1, ?2) "
  "ON CONFLICT (key) DO UPDATE SET value = excluded.value";
static const char get_state_sql[] = "SELECT value FROM sync_state WHERE key = ?1";
static const char add_count_sql[] =
  "UPDATE sync_state SET value = value + ?1 WHERE key = 'consumer_count'";

static const char by_account_sql[] =
  "SELECT " CONSUMER_COLUMNS " FROM consumers c WHERE c.account = ?1";
static const char by_mobile_sql[] =
  "SELECT " CONSUMER_COLUMNS " FROM consumers c WHERE c.mobile = ?1 "
  "ORDER BY c.account LIMIT ?2";
static const char by_meter_serial_sql[] =
  "SELECT " CONSUMER_COLUMNS " FROM consumers c "
  "WHERE c.meter_serial = ?1 COLLATE NOCASE ORDER BY c.account LIMIT ?2";
static const char meter_serial_prefix_sql[] =
  "SELECT " CONSUMER_COLUMNS " FROM consumers c "
  "WHERE c.meter_serial >= ?1 COLLATE NOCASE AND c.meter_serial < ?2 COLLATE NOCASE "
  "ORDER BY c.meter_serial COLLATE NOCASE, c.account LIMIT ?3";
static const char account_prefix_sql[] =
  "SELECT " CONSUMER_COLUMNS " FROM consumers c "
  "WHERE c.account >= ?1 AND c.account < ?2 ORDER BY c.account LIMIT ?3";
static const char mobile_prefix_sql[] =
  "SELECT " CONSUMER_COLUMNS " FROM consumers c "
  "WHERE c.mobile >= ?1 AND c.mobile < ?2 ORDER BY c.mobile, c.account LIMIT ?3";

/* ?1 MATCH expression, ?2 candidates, ?3 whether the query is Devanagari
 * (the shorter name is then the shorter Hindi one), ?4 rows wanted. */
static const char tier_sql[] =
  "SELECT " CONSUMER_COLUMNS " FROM consumers c "
  "WHERE c.rowid IN (SELECT rowid FROM consumers_fts WHERE consumers_fts MATCH ?1 "
  "                  LIMIT ?2) "
  "ORDER BY coalesce (length (CASE WHEN ?3 THEN c.name_hi ELSE c.name_en END), "
  "                   1000), c.account "
  "LIMIT ?4";

/* A borrowed cached statement, reset (and its bindings cleared) when the
 * borrower is done, so it holds no read snapshot between uses. */
typedef sqlite3_stmt BdCachedStmt;

static void
release_statement (BdCachedStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdCachedStmt, release_statement)

/* What the FTS table holds for one consumer. */
typedef struct
{
  char *names;
  char *relations;
  char *name_keys;
  char *relation_keys;
} SearchText;

/* One distinct word of a name as written (e.g. "Shrivastava"). */
typedef struct
{
  char *folded;   /* as bd_search_query_parse() folds it */
  char *key;      /* bd_name_key (folded), or NULL when equal to folded */
} WordEntry;

typedef struct
{
  GPtrArray *consumers;
  char      *cursor;
} ApplyData;

typedef struct
{
  char  *query;
  guint  limit;
} SearchData;

static void
apply_data_free (ApplyData *data)
{
  g_clear_pointer (&data->consumers, g_ptr_array_unref);
  g_free (data->cursor);
  g_free (data);
}

static void
search_data_free (SearchData *data)
{
  g_free (data->query);
  g_free (data);
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static Connection *
connection_new (BdDatabase *db,
                int         cache_kib)
{
  Connection *conn = g_new0 (Connection, 1);
  g_autofree char *pragma = g_strdup_printf ("PRAGMA cache_size = -%d", cache_kib);

  g_mutex_init (&conn->lock);
  conn->db = db;
  conn->statements = g_hash_table_new_full (NULL, NULL, NULL, finalize_statement);
  /* Best effort: a smaller cache is only slower. */
  sqlite3_exec (bd_database_get_handle (db), pragma, NULL, NULL, NULL);
  sqlite3_exec (bd_database_get_handle (db), "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
  return conn;
}

static void
connection_free (Connection *conn)
{
  if (conn == NULL)
    return;
  /* Statements before the connection they belong to. */
  g_clear_pointer (&conn->statements, g_hash_table_unref);
  g_clear_object (&conn->db);
  g_mutex_clear (&conn->lock);
  g_free (conn);
}

/* Caller holds conn->lock; sql is one of the static strings above, so its
 * address identifies it. */
static BdCachedStmt *
connection_lease (Connection  *conn,
                  const char  *sql,
                  GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (conn->statements, sql);

  if (stmt != NULL)
    return stmt;

  if (sqlite3_prepare_v3 (bd_database_get_handle (conn->db), sql, -1,
                          SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      bd_database_set_error (conn->db, error, _("Preparing a database query"));
      sqlite3_finalize (stmt);
      return NULL;
    }
  g_hash_table_insert (conn->statements, (gpointer) sql, stmt);
  return stmt;
}

/* Runs a leased statement that returns no rows. */
static gboolean
connection_step_done (Connection    *conn,
                      BdCachedStmt  *stmt,
                      const char    *what,
                      GError       **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      bd_database_set_error (conn->db, error, what);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if ((guchar) *p >= 0x80)
        return FALSE;
    }
  return TRUE;
}

/* Same folding as bd_search_query_parse(): NFKC, case fold, NFC. ASCII is
 * left alone: normalisation cannot change it and the tokenizer folds its
 * case, which saves most of the cost of a first sync. */
static char *
fold_for_index (const char *text)
{
  g_autofree char *compat = NULL;
  g_autofree char *folded = NULL;

  if (text == NULL)
    return NULL;
  if (is_ascii (text))
    return g_strdup (text);
  compat = g_utf8_normalize (text, -1, G_NORMALIZE_NFKC);
  if (compat == NULL)
    return NULL;
  folded = g_utf8_casefold (compat, -1);
  return g_utf8_normalize (folded, -1, G_NORMALIZE_NFC);
}

static void
word_entry_free (gpointer data)
{
  WordEntry *entry = data;

  g_free (entry->folded);
  g_free (entry->key);
  g_free (entry);
}

static void
append_word (GString    *text,
             const char *word)
{
  if (text->len > 0)
    g_string_append_c (text, ' ');
  g_string_append (text, word);
}

/* The general way, for any script: what bd_search_query_parse() and
 * bd_name_key() make of text. */
static void
add_text_slow (const char *text,
               GString    *names,
               GString    *keys)
{
  g_autoptr(BdSearchQuery) parsed = bd_search_query_parse (text);
  g_autofree char *folded = fold_for_index (text);

  if (folded != NULL && *folded != '\0')
    append_word (names, folded);
  for (guint i = 0; parsed->words[i] != NULL; i++)
    {
      g_autofree char *key = bd_name_key (parsed->words[i]);

      if (*key != '\0' && !g_str_equal (key, parsed->words[i]))
        append_word (keys, key);
    }
}

/* bd_search_query_parse()'s word characters: letters, decimal digits, marks. */
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

#define FAST_MAX_WORDS      8    /* bd_search_query_parse()'s limits */
#define FAST_MAX_WORD_CHARS 64

/* Names in ASCII and Devanagari, nearly all of a zone, split word by word
 * with each distinct word folded and keyed once. In these scripts NFKC
 * neither joins nor splits words, so folding word by word gives what
 * folding the whole text gives; texts it cannot vouch for (other scripts,
 * more or longer words than bd_search_query_parse() keeps) return FALSE
 * for the general way. */
static gboolean
add_text_fast (GHashTable *words,
               const char *text,
               GString    *names,
               GString    *keys)
{
  const char *starts[FAST_MAX_WORDS];
  gsize lengths[FAST_MAX_WORDS];
  guint n_words = 0;
  const char *start = NULL;
  glong chars = 0;

  if (!g_utf8_validate (text, -1, NULL))
    return FALSE;

  for (const char *p = text; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean word_char;

      if (c >= 0x80 && (c < 0x0900 || c > 0x097F))
        return FALSE;
      word_char = c != 0 && (c < 0x80 ? g_ascii_isalnum (c) : is_word_char (c));

      if (word_char)
        {
          if (start == NULL)
            {
              if (n_words == FAST_MAX_WORDS)
                return FALSE;
              start = p;
              chars = 0;
            }
          if (++chars > FAST_MAX_WORD_CHARS)
            return FALSE;
          continue;
        }
      if (start != NULL)
        {
          starts[n_words] = start;
          lengths[n_words] = p - start;
          n_words++;
          start = NULL;
        }
      if (c == 0)
        break;
    }

  for (guint i = 0; i < n_words; i++)
    {
      char raw[FAST_MAX_WORD_CHARS * 4 + 1];
      WordEntry *entry;

      memcpy (raw, starts[i], lengths[i]);
      raw[lengths[i]] = '\0';
      entry = g_hash_table_lookup (words, raw);
      if (entry == NULL)
        {
          g_autofree char *compat = g_utf8_normalize (raw, -1, G_NORMALIZE_NFKC);
          g_autofree char *casefolded = g_utf8_casefold (compat, -1);

          entry = g_new0 (WordEntry, 1);
          entry->folded = g_utf8_normalize (casefolded, -1, G_NORMALIZE_NFC);
          entry->key = bd_name_key (entry->folded);
          if (*entry->key == '\0' || g_str_equal (entry->key, entry->folded))
            g_clear_pointer (&entry->key, g_free);
          if (g_hash_table_size (words) >= MAX_CACHED_WORDS)
            g_hash_table_remove_all (words);
          g_hash_table_insert (words, g_strdup (raw), entry);
        }
      append_word (names, entry->folded);
      if (entry->key != NULL)
        append_word (keys, entry->key);
    }
  return TRUE;
}

static void
add_text (GHashTable *words,
          const char *text,
          GString    *names,
          GString    *keys)
{
  if (text == NULL || *text == '\0')
    return;
  if (!add_text_fast (words, text, names, keys))
    add_text_slow (text, names, keys);
}

static char *
steal_or_null (GString *text)
{
  if (text->len == 0)
    {
      g_string_free (text, TRUE);
      return NULL;
    }
  return g_string_free (text, FALSE);
}

/* Caller holds the writer's lock (words is the writer's). */
static void
search_text_init (SearchText *text,
                  GHashTable *words,
                  const char *name_en,
                  const char *name_hi,
                  const char *relation_en,
                  const char *relation_hi)
{
  GString *names = g_string_new (NULL);
  GString *relations = g_string_new (NULL);
  GString *name_keys = g_string_new (NULL);
  GString *relation_keys = g_string_new (NULL);

  add_text (words, name_en, names, name_keys);
  add_text (words, name_hi, names, name_keys);
  add_text (words, relation_en, relations, relation_keys);
  add_text (words, relation_hi, relations, relation_keys);
  text->names = steal_or_null (names);
  text->relations = steal_or_null (relations);
  text->name_keys = steal_or_null (name_keys);
  text->relation_keys = steal_or_null (relation_keys);
}

static void
search_text_clear (SearchText *text)
{
  g_clear_pointer (&text->names, g_free);
  g_clear_pointer (&text->relations, g_free);
  g_clear_pointer (&text->name_keys, g_free);
  g_clear_pointer (&text->relation_keys, g_free);
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, index);
}

/* Binds ?1…?24 in the column order of insert_sql and update_sql. The
 * strings belong to c, which outlives the statement's use. */
static void
bind_consumer (sqlite3_stmt *stmt,
               BdConsumer   *c)
{
  gint64 as_of = bd_consumer_get_balance_as_of (c);

  bind_text_or_null (stmt, 1, bd_consumer_get_account (c));
  bind_text_or_null (stmt, 2, bd_consumer_get_name_en (c));
  bind_text_or_null (stmt, 3, bd_consumer_get_name_hi (c));
  bind_text_or_null (stmt, 4, bd_consumer_get_relation_en (c));
  bind_text_or_null (stmt, 5, bd_consumer_get_relation_hi (c));
  bind_text_or_null (stmt, 6, bd_consumer_get_address (c));
  bind_text_or_null (stmt, 7, bd_consumer_get_mobile (c));
  sqlite3_bind_int (stmt, 8, bd_consumer_get_mobile_verified (c) ? 1 : 0);
  bind_text_or_null (stmt, 9, bd_consumer_get_meter_serial (c));
  bind_text_or_null (stmt, 10, bd_consumer_get_meter_make (c));
  bind_text_or_null (stmt, 11, bd_meter_type_to_string (bd_consumer_get_meter_type (c)));
  bind_text_or_null (stmt, 12, bd_consumer_get_category (c));
  sqlite3_bind_int64 (stmt, 13, bd_consumer_get_sanctioned_load_w (c));
  bind_text_or_null (stmt, 14, bd_phase_to_string (bd_consumer_get_phase (c)));
  bind_text_or_null (stmt, 15, bd_consumer_get_feeder (c));
  bind_text_or_null (stmt, 16, bd_consumer_get_dt (c));
  bind_text_or_null (stmt, 17, bd_consumer_get_pole (c));
  bind_text_or_null (stmt, 18, bd_consumer_get_zone (c));
  bind_text_or_null (stmt, 19, bd_area_type_to_string (bd_consumer_get_area_type (c)));
  bind_text_or_null (stmt, 20, bd_supply_status_to_string (bd_consumer_get_supply_status (c)));
  sqlite3_bind_int64 (stmt, 21, bd_consumer_get_balance_paise (c));
  if (as_of != 0)
    sqlite3_bind_int64 (stmt, 22, as_of);
  else
    sqlite3_bind_null (stmt, 22);
  sqlite3_bind_int64 (stmt, 23, bd_consumer_get_version (c));
  sqlite3_bind_int64 (stmt, 24, bd_consumer_get_updated_at (c));
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

/* Reads the CONSUMER_COLUMNS of the current row. */
static BdConsumer *
consumer_from_row (sqlite3_stmt *stmt)
{
  BdConsumer *c = bd_consumer_new (column_text (stmt, 0));
  BdMeterType meter_type = BD_METER_TYPE_SMART;
  BdPhase phase = BD_PHASE_SINGLE;
  BdAreaType area_type = BD_AREA_URBAN;
  BdSupplyStatus supply = BD_SUPPLY_CONNECTED;

  bd_consumer_set_name_en (c, column_text (stmt, 1));
  bd_consumer_set_name_hi (c, column_text (stmt, 2));
  bd_consumer_set_relation_en (c, column_text (stmt, 3));
  bd_consumer_set_relation_hi (c, column_text (stmt, 4));
  bd_consumer_set_address (c, column_text (stmt, 5));
  bd_consumer_set_mobile (c, column_text (stmt, 6));
  bd_consumer_set_mobile_verified (c, sqlite3_column_int (stmt, 7) != 0);
  bd_consumer_set_meter_serial (c, column_text (stmt, 8));
  bd_consumer_set_meter_make (c, column_text (stmt, 9));
  if (bd_meter_type_from_string (column_text (stmt, 10), &meter_type))
    bd_consumer_set_meter_type (c, meter_type);
  bd_consumer_set_category (c, column_text (stmt, 11));
  bd_consumer_set_sanctioned_load_w (c, sqlite3_column_int64 (stmt, 12));
  if (bd_phase_from_string (column_text (stmt, 13), &phase))
    bd_consumer_set_phase (c, phase);
  bd_consumer_set_feeder (c, column_text (stmt, 14));
  bd_consumer_set_dt (c, column_text (stmt, 15));
  bd_consumer_set_pole (c, column_text (stmt, 16));
  bd_consumer_set_zone (c, column_text (stmt, 17));
  if (bd_area_type_from_string (column_text (stmt, 18), &area_type))
    bd_consumer_set_area_type (c, area_type);
  if (bd_supply_status_from_string (column_text (stmt, 19), &supply))
    bd_consumer_set_supply_status (c, supply);
  bd_consumer_set_balance_paise (c, sqlite3_column_int64 (stmt, 20));
  bd_consumer_set_balance_as_of (c, sqlite3_column_int64 (stmt, 21));
  bd_consumer_set_version (c, sqlite3_column_int64 (stmt, 22));
  bd_consumer_set_updated_at (c, sqlite3_column_int64 (stmt, 23));
  return c;
}

/* Caller holds the writer's lock and a transaction. */
static gboolean
index_consumer (Connection        *writer,
                sqlite3_int64      rowid,
                const SearchText  *text,
                GError           **error)
{
  g_autoptr(BdCachedStmt) fts = connection_lease (writer, fts_insert_sql, error);

  if (fts == NULL)
    return FALSE;
  sqlite3_bind_int64 (fts, 1, rowid);
  bind_text_or_null (fts, 2, text->names);
  bind_text_or_null (fts, 3, text->relations);
  bind_text_or_null (fts, 4, text->name_keys);
  bind_text_or_null (fts, 5, text->relation_keys);
  return connection_step_done (writer, fts, _("Updating the search index"), error);
}

/* Caller holds the writer's lock and a transaction. */
static gboolean
unindex_consumer (Connection     *writer,
                  sqlite3_int64   rowid,
                  GError        **error)
{
  g_autoptr(BdCachedStmt) fts = connection_lease (writer, fts_delete_sql, error);

  if (fts == NULL)
    return FALSE;
  sqlite3_bind_int64 (fts, 1, rowid);
  return connection_step_done (writer, fts, _("Updating the search index"), error);
}

static gboolean
set_state (Connection    *writer,
           const char    *key,
           const char    *text_value,
           gint64         int_value,
           GError       **error)
{
  g_autoptr(BdCachedStmt) stmt = connection_lease (writer, set_state_sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (text_value != NULL)
    sqlite3_bind_text (stmt, 2, text_value, -1, SQLITE_STATIC);
  else
    sqlite3_bind_int64 (stmt, 2, int_value);
  return connection_step_done (writer, stmt, _("Saving the sync position"), error);
}

/* Caller holds the writer's lock and a transaction. */
static gboolean
add_to_count (Connection  *writer,
              gint64       delta,
              GError     **error)
{
  g_autoptr(BdCachedStmt) stmt = connection_lease (writer, add_count_sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, delta);
  return connection_step_done (writer, stmt, _("Saving consumers"), error);
}

/* Caller holds the writer's lock and a transaction. Inserts c, or updates
 * the stored record if c is newer (the feed may replay older versions).
 * The search index is rewritten only when a name changed: most changes
 * after the first sync are balances. */
static gboolean
apply_consumer (BdConsumerStore  *self,
                BdConsumer       *c,
                gint64           *n_inserted,
                GError          **error)
{
  Connection *writer = self->writer;
  g_autoptr(BdCachedStmt) old = NULL;
  g_autoptr(BdCachedStmt) write = NULL;
  SearchText text = { NULL, };
  sqlite3_int64 rowid = 0;
  gboolean exists = FALSE;
  gboolean names_changed = TRUE;
  gboolean ok;
  int rc;

  old = connection_lease (writer, select_old_sql, error);
  if (old == NULL)
    return FALSE;
  bind_text_or_null (old, 1, bd_consumer_get_account (c));
  rc = sqlite3_step (old);
  if (rc == SQLITE_ROW)
    {
      if (sqlite3_column_int64 (old, 1) >= bd_consumer_get_version (c))
        return TRUE;   /* an older or equal version: nothing changed */
      exists = TRUE;
      rowid = sqlite3_column_int64 (old, 0);
      names_changed = g_strcmp0 (column_text (old, 2), bd_consumer_get_name_en (c)) != 0 ||
                      g_strcmp0 (column_text (old, 3), bd_consumer_get_name_hi (c)) != 0 ||
                      g_strcmp0 (column_text (old, 4), bd_consumer_get_relation_en (c)) != 0 ||
                      g_strcmp0 (column_text (old, 5), bd_consumer_get_relation_hi (c)) != 0;
    }
  else if (rc != SQLITE_DONE)
    {
      bd_database_set_error (writer->db, error, _("Saving consumers"));
      return FALSE;
    }
  g_clear_pointer (&old, release_statement);

  write = connection_lease (writer, exists ? update_sql : insert_sql, error);
  if (write == NULL)
    return FALSE;
  bind_consumer (write, c);
  if (!connection_step_done (writer, write, _("Saving consumers"), error))
    return FALSE;
  if (!exists)
    {
      rowid = sqlite3_last_insert_rowid (bd_database_get_handle (writer->db));
      (*n_inserted)++;
    }

  if (!names_changed)
    return TRUE;
  if (exists && !unindex_consumer (writer, rowid, error))
    return FALSE;
  search_text_init (&text, self->words,
                    bd_consumer_get_name_en (c), bd_consumer_get_name_hi (c),
                    bd_consumer_get_relation_en (c), bd_consumer_get_relation_hi (c));
  ok = index_consumer (writer, rowid, &text, error);
  search_text_clear (&text);
  return ok;
}

/* One transaction per page: the records, the cursor and the search index
 * commit together or not at all, so an interrupted sync resumes from the
 * last cursor with a store whose search finds exactly what it holds.
 *
 * The first sync writes the index page by page too, rather than building
 * it once at the end: a deferred build would need a record of which rows
 * are not yet indexed, kept in step across interrupted syncs, and buys
 * little since FTS5 buffers a page's postings in memory and writes them
 * as one segment at commit. */
static gboolean
apply_records (BdConsumerStore  *self,
               GPtrArray        *consumers,
               const char       *cursor,
               GError          **error)
{
  Connection *writer = self->writer;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&writer->lock);
  gint64 n_inserted = 0;

  if (!bd_database_begin (writer->db, error))
    return FALSE;

  for (guint i = 0; consumers != NULL && i < consumers->len; i++)
    {
      BdConsumer *c = g_ptr_array_index (consumers, i);

      if (!BD_IS_CONSUMER (c))
        {
          g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY,
                       _("Saving consumers failed: record %u of the page is empty."), i + 1);
          goto fail;
        }
      if (!apply_consumer (self, c, &n_inserted, error))
        goto fail;
    }

  if (n_inserted != 0 && !add_to_count (writer, n_inserted, error))
    goto fail;

  if (cursor != NULL && !set_state (writer, "cursor", cursor, 0, error))
    goto fail;
  if (!set_state (writer, "last_sync", NULL, g_get_real_time () / G_USEC_PER_SEC, error))
    goto fail;
  if (!bd_database_commit (writer->db, error))
    goto fail;
  return TRUE;

fail:
  bd_database_rollback (writer->db);
  return FALSE;
}

static gboolean
delete_record (BdConsumerStore  *self,
               const char       *account,
               GError          **error)
{
  Connection *writer = self->writer;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&writer->lock);
  g_autoptr(BdCachedStmt) old = NULL;
  g_autoptr(BdCachedStmt) del = NULL;
  sqlite3_int64 rowid;
  int rc;

  if (!bd_database_begin (writer->db, error))
    return FALSE;

  old = connection_lease (writer, select_old_sql, error);
  if (old == NULL)
    goto fail;
  sqlite3_bind_text (old, 1, account, -1, SQLITE_STATIC);
  rc = sqlite3_step (old);
  if (rc == SQLITE_DONE)
    {
      g_clear_pointer (&old, release_statement);
      bd_database_rollback (writer->db);
      return TRUE;   /* already gone: a replayed delete */
    }
  if (rc != SQLITE_ROW)
    {
      bd_database_set_error (writer->db, error, _("Deleting a consumer"));
      goto fail;
    }
  rowid = sqlite3_column_int64 (old, 0);
  g_clear_pointer (&old, release_statement);

  if (!unindex_consumer (writer, rowid, error))
    goto fail;
  del = connection_lease (writer, delete_consumer_sql, error);
  if (del == NULL)
    goto fail;
  sqlite3_bind_int64 (del, 1, rowid);
  if (!connection_step_done (writer, del, _("Deleting a consumer"), error))
    goto fail;
  g_clear_pointer (&del, release_statement);
  if (!add_to_count (writer, -1, error))
    goto fail;
  if (!bd_database_commit (writer->db, error))
    goto fail;
  return TRUE;

fail:
  g_clear_pointer (&old, release_statement);
  g_clear_pointer (&del, release_statement);
  bd_database_rollback (writer->db);
  return FALSE;
}

/* Refills the FTS table from the consumers when they were built by another
 * version of the index (or never, right after migration 2), in one
 * transaction. Caller holds the writer's lock. */
static gboolean
ensure_search_index (BdConsumerStore  *self,
                     GError          **error)
{
  Connection *writer = self->writer;
  g_autoptr(BdCachedStmt) state = NULL;
  g_autoptr(sqlite3_stmt) rows = NULL;
  gint64 version = 0;
  int rc;

  state = connection_lease (writer, get_state_sql, error);
  if (state == NULL)
    return FALSE;
  sqlite3_bind_text (state, 1, "search_index", -1, SQLITE_STATIC);
  if (sqlite3_step (state) == SQLITE_ROW)
    version = sqlite3_column_int64 (state, 0);
  g_clear_pointer (&state, release_statement);
  if (version == SEARCH_INDEX_VERSION)
    return TRUE;

  if (!bd_database_begin (writer->db, error))
    return FALSE;
  if (!bd_database_exec (writer->db,
                         "DELETE FROM consumers_fts", 
                         error))
    goto fail;

  rows = bd_database_prepare (writer->db,
                              "SELECT rowid, name_en, name_hi, relation_en, relation_hi "
                              "FROM consumers", error);
  if (rows == NULL)
    goto fail;
  while ((rc = sqlite3_step (rows)) == SQLITE_ROW)
    {
      SearchText text = { NULL, };
      gboolean ok;

      search_text_init (&text, self->words, column_text (rows, 1), column_text (rows, 2),
                        column_text (rows, 3), column_text (rows, 4));
      ok = index_consumer (writer, sqlite3_column_int64 (rows, 0), &text, error);
      search_text_clear (&text);
      if (!ok)
        goto fail;
    }
  if (rc != SQLITE_DONE)
    {
      bd_database_set_error (writer->db, error, _("Rebuilding the search index"));
      goto fail;
    }
  g_clear_pointer (&rows, sqlite3_finalize);

  if (!set_state (writer, "search_index", NULL, SEARCH_INDEX_VERSION, error) ||
      !bd_database_commit (writer->db, error))
    goto fail;
  return TRUE;

fail:
  g_clear_pointer (&rows, sqlite3_finalize);
  bd_database_rollback (writer->db);
  return FALSE;
}

/* Caller holds the connection's lock. Appends rows not yet in seen, up to limit. */
static gboolean
collect_rows (Connection    *conn,
              sqlite3_stmt  *stmt,
              GPtrArray     *results,
              GHashTable    *seen,
              guint          limit,
              GError       **error)
{
  int rc = SQLITE_DONE;

  while (results->len < limit && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *account = column_text (stmt, 0);

      if (account == NULL || g_hash_table_contains (seen, account))
        continue;
      g_hash_table_add (seen, g_strdup (account));
      g_ptr_array_add (results, consumer_from_row (stmt));
    }
  if (results->len < limit && rc != SQLITE_DONE)
    {
      bd_database_set_error (conn->db, error, _("Searching consumers"));
      return FALSE;
    }
  return TRUE;
}

/* Rows whose identifier equals (or, with upper, lies in [identifier,
 * upper)) what was typed, through the statement's index. */
static gboolean
search_identifier (Connection    *conn,
                   const char    *sql,
                   const char    *identifier,
                   const char    *upper,
                   GPtrArray     *results,
                   GHashTable    *seen,
                   guint          limit,
                   GError       **error)
{
  g_autoptr(BdCachedStmt) stmt = NULL;
  int n = 1;

  if (results->len >= limit)
    return TRUE;
  stmt = connection_lease (conn, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, n++, identifier, -1, SQLITE_STATIC);
  if (upper != NULL)
    sqlite3_bind_text (stmt, n++, upper, -1, SQLITE_STATIC);
  if (sqlite3_bind_parameter_count (stmt) >= n)
    sqlite3_bind_int64 (stmt, n, (gint64) limit + g_hash_table_size (seen));
  return collect_rows (conn, stmt, results, seen, limit, error);
}

/* While an account or mobile number is being typed (perhaps in groups,
 * "2100 01"): numbers starting with the digits so far, accounts first. */
static gboolean
search_number_prefix (Connection    *conn,
                      GStrv          words,
                      GPtrArray     *results,
                      GHashTable    *seen,
                      guint          limit,
                      GError       **error)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  g_autofree char *upper = NULL;

  for (guint i = 0; words[i] != NULL; i++)
    {
      for (const char *p = words[i]; *p != '\0'; p++)
        {
          if (!g_ascii_isdigit (*p))
            return TRUE;
        }
      g_string_append (digits, words[i]);
    }
  if (digits->len < MIN_NUMBER_PREFIX || digits->len > 12)
    return TRUE;

  /* The smallest string after every string starting with the digits. */
  upper = g_strdup (digits->str);
  upper[digits->len - 1]++;

  return search_identifier (conn, account_prefix_sql, digits->str, upper,
                            results, seen, limit, error) &&
         search_identifier (conn, mobile_prefix_sql, digits->str, upper,
                            results, seen, limit, error);
}

/* An FTS5 expression requiring every word, each a quoted string (so nothing
 * the operator types is read as FTS syntax: NEAR, OR, column filters…),
 * within columns. Words shorter than min_chars are left out; NULL if no
 * word is left. */
static char *
build_match (GStrv        words,
             const char  *columns,
             gboolean     prefix,
             glong        min_chars)
{
  g_autoptr(GString) match = g_string_new (NULL);
  guint n = 0;

  g_string_printf (match, "{%s} : (", columns);
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (g_utf8_strlen (words[i], -1) < min_chars)
        continue;
      if (n > 0)
        g_string_append (match, " AND ");
      g_string_append_c (match, '"');
      for (const char *p = words[i]; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (match, '"');
          g_string_append_c (match, *p);
        }
      g_string_append (match, prefix ? "\"*" : "\"");
      n++;
    }
  g_string_append_c (match, ')');

  if (n == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&match), FALSE);
}

/* One tier: the first candidates FTS matches in rowid order, the best of
 * them first (see tier_sql). Looking at a bounded number of matches keeps
 * a tier's cost bounded however common the words are. Tiers run from best
 * to worst and stop once limit results are in, so a later tier runs only
 * when earlier ones found fewer than limit rows; with candidates well
 * above limit, those few already seen cannot crowd out its new ones. */
static gboolean
search_tier (Connection    *conn,
             const char    *match,
             gboolean       devanagari,
             GPtrArray     *results,
             GHashTable    *seen,
             guint          limit,
             GError       **error)
{
  g_autoptr(BdCachedStmt) stmt = NULL;

  if (match == NULL || results->len >= limit)
    return TRUE;
  stmt = connection_lease (conn, tier_sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, match, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, MAX (TIER_CANDIDATES, 3 * (gint64) limit));
  sqlite3_bind_int (stmt, 3, devanagari ? 1 : 0);
  sqlite3_bind_int64 (stmt, 4, (gint64) limit + g_hash_table_size (seen));
  return collect_rows (conn, stmt, results, seen, limit, error);
}

static gboolean
is_devanagari (const char *word)
{
  gunichar c = g_utf8_get_char (word);

  return c >= 0x0900 && c <= 0x097F;
}

/* The name tiers: whole words, then word prefixes, then name keys; in each,
 * first consumers whose own name has every word, then those for whom some
 * word is in the relation's name. */
static gboolean
search_names (Connection    *conn,
              GStrv          words,
              gboolean       whole_words_only,
              GPtrArray     *results,
              GHashTable    *seen,
              guint          limit,
              GError       **error)
{
  g_autoptr(GStrvBuilder) keys_builder = g_strv_builder_new ();
  g_auto(GStrv) keys = NULL;
  gboolean devanagari;
  struct {
    GStrv       words;
    const char *columns;
    gboolean    prefix;
    glong       min_chars;
  } tiers[] = {
    { words, "names", FALSE, 1 },
    { words, "names relations", FALSE, 1 },
    { words, "names", TRUE, MIN_PREFIX_CHARS },
    { words, "names relations", TRUE, MIN_PREFIX_CHARS },
    /* A word whose key is itself is indexed only as the word. Whole keys
     * first: a whole term is read lazily, while a prefix of four letters
     * or more (beyond the prefix indexes) merges every matching term's
     * documents before the first row comes out. */
    { NULL, "names name_keys", FALSE, 1 },
    { NULL, "names relations name_keys relation_keys", FALSE, 1 },
    { NULL, "names name_keys", TRUE, MIN_PREFIX_CHARS },
    { NULL, "names relations name_keys relation_keys", TRUE, MIN_PREFIX_CHARS },
  };

  if (words[0] == NULL)
    return TRUE;
  devanagari = is_devanagari (words[0]);

  /* Whole words in own or relation's names, in one query: a serial-like
   * word in a name is rare enough not to need ranking. */
  if (whole_words_only)
    {
      g_autofree char *match = build_match (words, "names relations", FALSE, 1);

      return search_tier (conn, match, devanagari, results, seen, limit, error);
    }

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autofree char *key = bd_name_key (words[i]);

      g_strv_builder_add (keys_builder, key);
    }
  keys = g_strv_builder_end (keys_builder);
  for (gsize i = 4; i < G_N_ELEMENTS (tiers); i++)
    tiers[i].words = keys;

  for (gsize i = 0; i < G_N_ELEMENTS (tiers) && results->len < limit; i++)
    {
      g_autofree char *match = build_match (tiers[i].words, tiers[i].columns,
                                            tiers[i].prefix, tiers[i].min_chars);

      if (!search_tier (conn, match, devanagari, results, seen, limit, error))
        return FALSE;
    }
  return TRUE;
}

static void
search_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SearchData *data = task_data;
  GError *error = NULL;
  GPtrArray *results;

  if (g_task_return_error_if_cancelled (task))
    return;
  results = bd_consumer_store_search (source_object, data->query, data->limit, &error);
  if (results == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, results, (GDestroyNotify) g_ptr_array_unref);
}

static void
apply_page_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  ApplyData *data = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (!apply_records (source_object, data->consumers, data->cursor, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
lookup_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  BdConsumer *consumer;

  consumer = bd_consumer_store_lookup (source_object, task_data, &error);
  if (consumer == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, consumer, g_object_unref);
}

static void
bd_consumer_store_finalize (GObject *object)
{
  BdConsumerStore *self = BD_CONSUMER_STORE (object);

  /* The reader first: the writer's close checkpoints and removes the WAL. */
  if (self->reader != self->writer)
    connection_free (self->reader);
  self->reader = NULL;
  g_clear_pointer (&self->writer, connection_free);
  g_clear_pointer (&self->words, g_hash_table_unref);

  G_OBJECT_CLASS (bd_consumer_store_parent_class)->finalize (object);
}

static void
bd_consumer_store_class_init (BdConsumerStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bd_consumer_store_finalize;
}

static void
bd_consumer_store_init (BdConsumerStore *self)
{
  self->words = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, word_entry_free);
}

BdConsumerStore *
bd_consumer_store_open (const char  *path,
                        GError     **error)
{
  g_autoptr(BdConsumerStore) self = NULL;
  BdDatabase *db;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  db = bd_database_open (path, migrations, G_N_ELEMENTS (migrations), error);
  if (db == NULL)
    return NULL;

  self = g_object_new (BD_TYPE_CONSUMER_STORE, NULL);
  self->writer = connection_new (db, WRITER_CACHE_KIB);

  {
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->writer->lock);

    if (!ensure_search_index (self, error))
      return NULL;
  }

  if (g_strcmp0 (path, ":memory:") == 0)
    {
      self->reader = self->writer;
    }
  else
    {
      BdDatabase *reader_db = bd_database_open_read_only (path, error);

      if (reader_db == NULL)
        return NULL;
      self->reader = connection_new (reader_db, READER_CACHE_KIB);
    }

  return g_steal_pointer (&self);
}

gboolean
bd_consumer_store_apply_page (BdConsumerStore  *self,
                              BdChangesPage    *page,
                              GError          **error)
{
  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);
  g_return_val_if_fail (page != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return apply_records (self, page->consumers, page->next_cursor, error);
}

gboolean
bd_consumer_store_delete (BdConsumerStore  *self,
                          const char       *account,
                          GError          **error)
{
  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);
  g_return_val_if_fail (account != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return delete_record (self, account, error);
}

char *
bd_consumer_store_dup_cursor (BdConsumerStore  *self,
                              GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = connection_lease (self->reader, get_state_sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, "cursor", -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_strdup (column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    bd_database_set_error (self->reader->db, error, _("Reading the sync position"));
  return NULL;
}

gint64
bd_consumer_store_get_last_sync (BdConsumerStore *self)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), 0);

  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = connection_lease (self->reader, get_state_sql, &error);
  if (stmt == NULL)
    {
      g_warning ("%s", error->message);
      return 0;
    }
  sqlite3_bind_text (stmt, 1, "last_sync", -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return sqlite3_column_int64 (stmt, 0);
}

gint64
bd_consumer_store_count (BdConsumerStore  *self,
                         GError          **error)
{
  static const char count_sql[] =
    "SELECT coalesce ((SELECT value FROM sync_state WHERE key = 'consumer_count'), "
    "                 (SELECT count(*) FROM consumers))";
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = connection_lease (self->reader, count_sql, error);
  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      bd_database_set_error (self->reader->db, error, _("Counting consumers"));
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

GPtrArray *
bd_consumer_store_search (BdConsumerStore  *self,
                          const char       *query,
                          guint             limit,
                          GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdSearchQuery) parsed = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GHashTable) seen = NULL;
  Connection *reader;
  const char *id;
  gboolean ok = TRUE;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  results = g_ptr_array_new_with_free_func (g_object_unref);
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  parsed = bd_search_query_parse (query);
  id = parsed->identifier;
  reader = self->reader;

  locker = g_mutex_locker_new (&reader->lock);
  switch (parsed->kind)
    {
    case BD_QUERY_KIND_ACCOUNT:
      ok = search_identifier (reader, by_account_sql, id, NULL, results, seen, limit, error);
      break;
    case BD_QUERY_KIND_MOBILE:
      ok = search_identifier (reader, by_mobile_sql, id, NULL, results, seen, limit, error);
      break;
    case BD_QUERY_KIND_ACCOUNT_OR_MOBILE:
      ok = search_identifier (reader, by_account_sql, id, NULL, results, seen, limit, error) &&
           search_identifier (reader, by_mobile_sql, id, NULL, results, seen, limit, error);
      break;
    case BD_QUERY_KIND_METER_SERIAL:
      {
        /* Bounds in lower case, as NOCASE compares: "gns12" up to "gns13". */
        g_autofree char *lower = g_ascii_strdown (id, -1);
        g_autofree char *upper = g_strdup (lower);

        upper[strlen (upper) - 1]++;
        /* Serials being typed, then a serial-like word that is part of a
         * name ("B12 Traders"), whole. */
        ok = search_identifier (reader, by_meter_serial_sql, id, NULL, results, seen, limit, error);
        if (ok && results->len == 0)
          ok = search_identifier (reader, meter_serial_prefix_sql, lower, upper,
                                  results, seen, limit, error);
        ok = ok && search_names (reader, parsed->words, TRUE, results, seen, limit, error);
      }
      break;
    case BD_QUERY_KIND_NAME:
      ok = search_number_prefix (reader, parsed->words, results, seen, limit, error) &&
           search_names (reader, parsed->words, FALSE, results, seen, limit, error);
      break;
    case BD_QUERY_KIND_NONE:
    default:
      break;
    }

  if (!ok)
    return NULL;
  return g_steal_pointer (&results);
}

BdConsumer *
bd_consumer_store_lookup (BdConsumerStore  *self,
                          const char       *account,
                          GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = connection_lease (self->reader, by_account_sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, account, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return consumer_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND,
                 _("No consumer with account number %s is in the local copy of "
                   "the zone. Sync again, or check the number."), account);
  else
    bd_database_set_error (self->reader->db, error, _("Looking up the consumer"));
  return NULL;
}

void
bd_consumer_store_search_async (BdConsumerStore     *self,
                                const char          *query,
                                guint                limit,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SearchData *data;

  g_return_if_fail (BD_IS_CONSUMER_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (SearchData, 1);
  data->query = g_strdup (query);
  data->limit = limit;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bd_consumer_store_search_async);
  g_task_set_task_data (task, data, (GDestroyNotify) search_data_free);
  g_task_run_in_thread (task, search_thread);
}

GPtrArray *
bd_consumer_store_search_finish (BdConsumerStore  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bd_consumer_store_search_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
bd_consumer_store_apply_page_async (BdConsumerStore     *self,
                                    BdChangesPage       *page,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ApplyData *data;

  g_return_if_fail (BD_IS_CONSUMER_STORE (self));
  g_return_if_fail (page != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* The page is the caller's: keep our own references to its records so
   * the caller may free it while the worker runs. */
  data = g_new0 (ApplyData, 1);
  data->consumers = g_ptr_array_new_full (page->consumers != NULL ? page->consumers->len : 0,
                                          g_object_unref);
  for (guint i = 0; page->consumers != NULL && i < page->consumers->len; i++)
    {
      gpointer c = g_ptr_array_index (page->consumers, i);

      g_ptr_array_add (data->consumers, c != NULL ? g_object_ref (c) : NULL);
    }
  data->cursor = g_strdup (page->next_cursor);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bd_consumer_store_apply_page_async);
  g_task_set_task_data (task, data, (GDestroyNotify) apply_data_free);
  g_task_run_in_thread (task, apply_page_thread);
}

gboolean
bd_consumer_store_apply_page_finish (BdConsumerStore  *self,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bd_consumer_store_apply_page_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
bd_consumer_store_lookup_async (BdConsumerStore     *self,
                                const char          *account,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BD_IS_CONSUMER_STORE (self));
  g_return_if_fail (account != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bd_consumer_store_lookup_async);
  g_task_set_task_data (task, g_strdup (account), g_free);
  g_task_run_in_thread (task, lookup_thread);
}

BdConsumer *
bd_consumer_store_lookup_finish (BdConsumerStore  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bd_consumer_store_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
