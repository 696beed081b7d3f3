/* bd-consumer-store-schema.c: the local store's tables and their rows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bd-consumer-store-private.h"

/* The indexes besides the primary key, as migration 1 creates them; a bulk
 * first sync drops them and creates them again once all rows are in. */
#define SECONDARY_INDEXES \
  "CREATE INDEX IF NOT EXISTS consumers_mobile ON consumers (mobile);" \
  "CREATE INDEX IF NOT EXISTS consumers_meter_serial ON consumers (meter_serial COLLATE NOCASE);"

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
    SECONDARY_INDEXES
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
  /* Issue 5: indexing records and change history cached for offline
   * display, and the outbox of changes made on this desk. The outbox row
   * and the local effect of a change commit in one transaction (see
   * bd-consumer-store-indexing.c), so a change is never shown as saved
   * without being queued, nor queued without being shown. */
  { 3,
    "CREATE TABLE indexing ("
    "  account    TEXT PRIMARY KEY NOT NULL,"
    "  json       TEXT NOT NULL,"
    "  version    INTEGER NOT NULL,"
    "  fetched_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE history ("
    "  account    TEXT NOT NULL,"
    "  at         INTEGER NOT NULL,"
    "  by         TEXT,"
    "  role       TEXT,"
    "  action     TEXT,"
    "  field      TEXT,"
    "  from_value TEXT,"
    "  to_value   TEXT"
    ");"
    "CREATE INDEX history_account ON history (account, at);"
    "CREATE TABLE outbox ("
    "  seq             INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  idem_key        TEXT NOT NULL UNIQUE,"
    "  kind            TEXT NOT NULL,"
    "  account         TEXT,"
    "  method          TEXT NOT NULL,"
    "  path            TEXT NOT NULL,"
    "  body            TEXT NOT NULL,"
    "  created_at      INTEGER NOT NULL,"
    "  created_by      TEXT NOT NULL,"
    "  state           TEXT NOT NULL"
    "                  CHECK (state IN ('queued', 'sending', 'done', 'rejected', 'conflict')),"
    "  attempts        INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at INTEGER NOT NULL DEFAULT 0,"
    "  last_error      TEXT,"
    "  result          TEXT"
    ");"
    "CREATE INDEX outbox_state ON outbox (state, seq);"
    "CREATE INDEX outbox_account ON outbox (account, seq);" },
  /* A rejected or conflicting change stays in the outbox for good, so none
   * is dropped without a trace; acknowledged_at records that an operator
   * has seen it in the list of changes needing attention, which then stops
   * showing it. */
  { 4,
    "ALTER TABLE outbox ADD COLUMN acknowledged_at INTEGER;"
    "ALTER TABLE outbox ADD COLUMN acknowledged_by TEXT;"
    "CREATE INDEX outbox_attention ON outbox (state, acknowledged_at) "
    "  WHERE state IN ('rejected', 'conflict');" },
  /* The zone's complaints, from the complaint feed, and those filed here
   * and not yet confirmed (id "local-…", a provisional number, outbox_seq
   * of the filing). json is the whole Complaint; the other columns are
   * what lists and duplicate matching filter on. */
  { 5,
    "CREATE TABLE complaints ("
    "  id                 TEXT PRIMARY KEY NOT NULL,"
    "  number             TEXT NOT NULL,"
    "  provisional_number TEXT,"
    "  account            TEXT,"
    "  status             TEXT NOT NULL,"
    "  category           TEXT NOT NULL,"
    "  feeder             TEXT,"
    "  dt                 TEXT,"
    "  pole               TEXT,"
    "  created_at         INTEGER NOT NULL,"
    "  updated_at         INTEGER NOT NULL,"
    "  outbox_seq         INTEGER,"
    "  json               TEXT NOT NULL"
    ");"
    "CREATE INDEX complaints_account ON complaints (account, created_at);"
    "CREATE INDEX complaints_status ON complaints (status, created_at);"
    "CREATE INDEX complaints_dt ON complaints (dt);"
    "CREATE INDEX complaints_feeder ON complaints (feeder);" },
  /* Prepaid (bd-consumer-store-meters.c): the last balance and readings
   * fetched for a consumer, shown offline with their time, and the
   * recharges taken here (with their outbox item) or seen on the server. */
  { 6,
    "CREATE TABLE balance_cache ("
    "  account    TEXT PRIMARY KEY NOT NULL,"
    "  json       TEXT NOT NULL,"
    "  fetched_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE readings_cache ("
    "  account    TEXT NOT NULL,"
    "  step       TEXT NOT NULL,"
    "  json       TEXT NOT NULL,"
    "  fetched_at INTEGER NOT NULL,"
    "  PRIMARY KEY (account, step)"
    ");"
    "CREATE TABLE recharges ("
    "  local_id   TEXT PRIMARY KEY NOT NULL,"
    "  account    TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  outbox_seq INTEGER,"
    "  json       TEXT NOT NULL"
    ");"
    "CREATE INDEX recharges_account ON recharges (account, created_at);" },
  /* Disconnection and reconnection requests (bd-consumer-store-requests.c):
   * the server's, and those queued here with a provisional number. */
  { 7,
    "CREATE TABLE requests ("
    "  id         TEXT PRIMARY KEY NOT NULL,"
    "  account    TEXT NOT NULL,"
    "  status     TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  outbox_seq INTEGER,"
    "  json       TEXT NOT NULL"
    ");"
    "CREATE INDEX requests_account ON requests (account, created_at);"
    "CREATE INDEX requests_status ON requests (status, created_at);" },
};

void
_bd_bind_text_or_null (sqlite3_stmt *stmt,
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
void
_bd_bind_consumer (sqlite3_stmt *stmt,
                   BdConsumer   *c)
{
  gint64 as_of = bd_consumer_get_balance_as_of (c);

  _bd_bind_text_or_null (stmt, 1, bd_consumer_get_account (c));
  _bd_bind_text_or_null (stmt, 2, bd_consumer_get_name_en (c));
  _bd_bind_text_or_null (stmt, 3, bd_consumer_get_name_hi (c));
  _bd_bind_text_or_null (stmt, 4, bd_consumer_get_relation_en (c));
  _bd_bind_text_or_null (stmt, 5, bd_consumer_get_relation_hi (c));
  _bd_bind_text_or_null (stmt, 6, bd_consumer_get_address (c));
  _bd_bind_text_or_null (stmt, 7, bd_consumer_get_mobile (c));
  sqlite3_bind_int (stmt, 8, bd_consumer_get_mobile_verified (c) ? 1 : 0);
  _bd_bind_text_or_null (stmt, 9, bd_consumer_get_meter_serial (c));
  _bd_bind_text_or_null (stmt, 10, bd_consumer_get_meter_make (c));
  _bd_bind_text_or_null (stmt, 11, bd_meter_type_to_string (bd_consumer_get_meter_type (c)));
  _bd_bind_text_or_null (stmt, 12, bd_consumer_get_category (c));
  sqlite3_bind_int64 (stmt, 13, bd_consumer_get_sanctioned_load_w (c));
  _bd_bind_text_or_null (stmt, 14, bd_phase_to_string (bd_consumer_get_phase (c)));
  _bd_bind_text_or_null (stmt, 15, bd_consumer_get_feeder (c));
  _bd_bind_text_or_null (stmt, 16, bd_consumer_get_dt (c));
  _bd_bind_text_or_null (stmt, 17, bd_consumer_get_pole (c));
  _bd_bind_text_or_null (stmt, 18, bd_consumer_get_zone (c));
  _bd_bind_text_or_null (stmt, 19, bd_area_type_to_string (bd_consumer_get_area_type (c)));
  _bd_bind_text_or_null (stmt, 20, bd_supply_status_to_string (bd_consumer_get_supply_status (c)));
  sqlite3_bind_int64 (stmt, 21, bd_consumer_get_balance_paise (c));
  if (as_of != 0)
    sqlite3_bind_int64 (stmt, 22, as_of);
  else
    sqlite3_bind_null (stmt, 22);
  sqlite3_bind_int64 (stmt, 23, bd_consumer_get_version (c));
  sqlite3_bind_int64 (stmt, 24, bd_consumer_get_updated_at (c));
}

/* Reads the CONSUMER_COLUMNS of the current row. */
BdConsumer *
_bd_consumer_from_row (sqlite3_stmt *stmt)
{
  BdConsumer *c = bd_consumer_new (_bd_column_text (stmt, 0));
  BdMeterType meter_type = BD_METER_TYPE_SMART;
  BdPhase phase = BD_PHASE_SINGLE;
  BdAreaType area_type = BD_AREA_URBAN;
  BdSupplyStatus supply = BD_SUPPLY_CONNECTED;

  bd_consumer_set_name_en (c, _bd_column_text (stmt, 1));
  bd_consumer_set_name_hi (c, _bd_column_text (stmt, 2));
  bd_consumer_set_relation_en (c, _bd_column_text (stmt, 3));
  bd_consumer_set_relation_hi (c, _bd_column_text (stmt, 4));
  bd_consumer_set_address (c, _bd_column_text (stmt, 5));
  bd_consumer_set_mobile (c, _bd_column_text (stmt, 6));
  bd_consumer_set_mobile_verified (c, sqlite3_column_int (stmt, 7) != 0);
  bd_consumer_set_meter_serial (c, _bd_column_text (stmt, 8));
  bd_consumer_set_meter_make (c, _bd_column_text (stmt, 9));
  if (bd_meter_type_from_string (_bd_column_text (stmt, 10), &meter_type))
    bd_consumer_set_meter_type (c, meter_type);
  bd_consumer_set_category (c, _bd_column_text (stmt, 11));
  bd_consumer_set_sanctioned_load_w (c, sqlite3_column_int64 (stmt, 12));
  if (bd_phase_from_string (_bd_column_text (stmt, 13), &phase))
    bd_consumer_set_phase (c, phase);
  bd_consumer_set_feeder (c, _bd_column_text (stmt, 14));
  bd_consumer_set_dt (c, _bd_column_text (stmt, 15));
  bd_consumer_set_pole (c, _bd_column_text (stmt, 16));
  bd_consumer_set_zone (c, _bd_column_text (stmt, 17));
  if (bd_area_type_from_string (_bd_column_text (stmt, 18), &area_type))
    bd_consumer_set_area_type (c, area_type);
  if (bd_supply_status_from_string (_bd_column_text (stmt, 19), &supply))
    bd_consumer_set_supply_status (c, supply);
  bd_consumer_set_balance_paise (c, sqlite3_column_int64 (stmt, 20));
  bd_consumer_set_balance_as_of (c, sqlite3_column_int64 (stmt, 21));
  bd_consumer_set_version (c, sqlite3_column_int64 (stmt, 22));
  bd_consumer_set_updated_at (c, sqlite3_column_int64 (stmt, 23));
  return c;
}

const BdMigration *
_bd_consumer_store_get_migrations (gsize *n_migrations)
{
  *n_migrations = G_N_ELEMENTS (migrations);
  return migrations;
}

gboolean
_bd_consumer_store_drop_secondary_indexes (BdConsumerStore  *self,
                                           GError          **error)
{
  return bd_database_exec (self->writer->db,
                           "DROP INDEX IF EXISTS consumers_mobile;"
                           "DROP INDEX IF EXISTS consumers_meter_serial;",
                           error);
}

gboolean
_bd_consumer_store_create_secondary_indexes (BdConsumerStore  *self,
                                             GError          **error)
{
  return bd_database_exec (self->writer->db, SECONDARY_INDEXES, error);
}
