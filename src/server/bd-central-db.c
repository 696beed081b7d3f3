/* bd-central-db.c: bijli-central's database object: opening, schema
 * migrations, zones, and the cache of prepared statements its other files
 * (listed in bd-central-db-private.h) run their hot queries through.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bd-central-db.h"
#include "bd-central-db-private.h"
#include "bd-central-db-postgresql.h"
#include "bd-password.h"

#define CENTRAL_MMAP_SIZE 2147483648

G_DEFINE_TYPE (BdCentralDb, bd_central_db, G_TYPE_OBJECT)

G_DEFINE_QUARK (bd-central-error-quark, bd_central_error)

/* In the dialect both accept. */
#define METER_CLOCK_SCHEMA \
  "CREATE TABLE meter_clock (" \
  "  id          BIGINT PRIMARY KEY CHECK (id = 1)," \
  "  sim_at      BIGINT NOT NULL," \
  "  real_at_ms  BIGINT NOT NULL," \
  "  scale_milli BIGINT NOT NULL" \
  ");"

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
  /* Issue 5: OTPs, the simulated SMS gateway, app registrations, indexing
   * and a consumer's history. An OTP is kept only as a salted SHA-256; the
   * SMS text holds it (in `secret` and inside `text`) only until delivery
   * or final failure, when bd-central-db-sms.c scrubs both. Rate limits
   * count rows of otp_sends, so they survive a restart. */
  { 3,
    "CREATE TABLE sms_outbox ("
    "  id          INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  account     TEXT NOT NULL,"
    "  mobile      TEXT NOT NULL,"
    "  text        TEXT NOT NULL,"
    "  secret      TEXT,"
    "  status      TEXT NOT NULL"
    "              CHECK (status IN ('queued','sent','delivered','failed')),"
    "  attempts    INTEGER NOT NULL DEFAULT 0,"
    "  next_at_ms  INTEGER NOT NULL,"
    "  created_at  INTEGER NOT NULL,"
    "  updated_at  INTEGER NOT NULL"
    ");"
    "CREATE INDEX sms_outbox_due ON sms_outbox (next_at_ms)"
    "  WHERE status IN ('queued','sent');"
    "CREATE INDEX sms_outbox_mobile ON sms_outbox (mobile, id);"
    "CREATE TABLE otp_tickets ("
    "  id            TEXT PRIMARY KEY,"
    "  account       TEXT NOT NULL,"
    "  purpose       TEXT NOT NULL"
    "                CHECK (purpose IN ('registration','verify_mobile','change_mobile')),"
    "  mobile        TEXT NOT NULL,"
    "  code_salt     BLOB NOT NULL,"
    "  code_hash     BLOB NOT NULL,"
    "  state         TEXT NOT NULL"
    "                CHECK (state IN ('pending','verified','expired','locked','used')),"
    "  attempts_left INTEGER NOT NULL,"
    "  created_at    INTEGER NOT NULL,"
    "  expires_at    INTEGER NOT NULL,"
    "  resend_after  INTEGER NOT NULL,"
    "  verified_at   INTEGER,"
    "  sms_id        INTEGER REFERENCES sms_outbox (id),"
    "  created_by    TEXT NOT NULL"
    ");"
    "CREATE INDEX otp_tickets_account ON otp_tickets (account, purpose, state);"
    "CREATE TABLE otp_sends ("
    "  account TEXT NOT NULL,"
    "  mobile  TEXT NOT NULL,"
    "  at      INTEGER NOT NULL"
    ");"
    "CREATE INDEX otp_sends_account ON otp_sends (account, at);"
    "CREATE INDEX otp_sends_mobile ON otp_sends (mobile, at);"
    "CREATE TABLE app_registrations ("
    "  account             TEXT PRIMARY KEY,"
    "  username            TEXT NOT NULL UNIQUE,"
    "  password_hash       BLOB NOT NULL,"
    "  password_salt       BLOB NOT NULL,"
    "  password_iterations INTEGER NOT NULL CHECK (password_iterations > 0),"
    "  temporary_password  INTEGER NOT NULL,"
    "  registered_at       INTEGER NOT NULL,"
    "  registered_by       TEXT NOT NULL"
    ");"
    "CREATE TABLE consumer_history ("
    "  id         INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  account    TEXT NOT NULL,"
    "  at         INTEGER NOT NULL,"
    "  by         TEXT NOT NULL,"
    "  role       TEXT NOT NULL,"
    "  action     TEXT NOT NULL"
    "             CHECK (action IN ('indexing','mobile_verified','mobile_changed','registered')),"
    "  field      TEXT,"
    "  from_value TEXT,"
    "  to_value   TEXT"
    ");"
    "CREATE INDEX consumer_history_account ON consumer_history (account, id);"
    /* The members of the Indexing object that the consumers table does
     * not already hold, as one JSON object (Aadhaar as last4/salt/hash). */
    "CREATE TABLE consumer_indexing ("
    "  account    TEXT PRIMARY KEY,"
    "  version    INTEGER NOT NULL,"
    "  fields     TEXT NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  updated_by TEXT NOT NULL"
    ");"
    "CREATE TABLE idempotency_keys ("
    "  key          TEXT NOT NULL,"
    "  username     TEXT NOT NULL,"
    "  request_hash TEXT NOT NULL,"
    "  status       INTEGER NOT NULL,"
    "  body         TEXT NOT NULL,"
    "  created_at   INTEGER NOT NULL,"
    "  PRIMARY KEY (key, username)"
    ");"
    "CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);"
  },
  /* Complaints (issue 7). The SLA table is versioned: a complaint keeps
   * the version, time allowed and compensation it was filed under, so a
   * later change of the regulator's table does not rewrite what is owed.
   * change_seq numbers complaint changes per database for the desks'
   * complaint feed. otp_tickets is rebuilt to allow the complaint_close
   * purpose (a CHECK cannot be altered in place). */
  { 4,
    "CREATE TABLE sla_rules ("
    "  version    INTEGER NOT NULL,"
    "  valid_from INTEGER NOT NULL,"
    "  category   TEXT NOT NULL,"
    "  area_type  TEXT NOT NULL CHECK (area_type IN ('urban','rural')),"
    "  allowed_s  INTEGER NOT NULL CHECK (allowed_s > 0),"
    "  compensation_per_day_paise INTEGER NOT NULL CHECK (compensation_per_day_paise >= 0),"
    "  PRIMARY KEY (version, category, area_type)"
    ");"
    "CREATE TABLE complaints ("
    "  id             INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  number         TEXT NOT NULL UNIQUE,"
    "  zone           TEXT NOT NULL,"
    "  account        TEXT,"
    "  category       TEXT NOT NULL,"
    "  description    TEXT NOT NULL,"
    "  contact_mobile TEXT,"
    "  channel        TEXT NOT NULL,"
    "  feeder         TEXT,"
    "  dt             TEXT,"
    "  pole           TEXT,"
    "  area_type      TEXT NOT NULL CHECK (area_type IN ('urban','rural')),"
    "  status         TEXT NOT NULL,"
    "  assigned_to    TEXT,"
    "  escalation_level INTEGER NOT NULL DEFAULT 0,"
    "  callers        INTEGER NOT NULL DEFAULT 1,"
    "  created_at     INTEGER NOT NULL,"
    "  created_by     TEXT NOT NULL,"
    "  resolved_at    INTEGER,"
    "  closed_at      INTEGER,"
    "  sla_version    INTEGER NOT NULL,"
    "  sla_allowed_s  INTEGER NOT NULL,"
    "  compensation_per_day_paise INTEGER NOT NULL,"
    "  pauses         TEXT NOT NULL DEFAULT '[]',"
    "  version        INTEGER NOT NULL,"
    "  updated_at     INTEGER NOT NULL,"
    "  change_seq     INTEGER NOT NULL UNIQUE"
    ");"
    "CREATE INDEX complaints_zone_status ON complaints (zone, status, id);"
    "CREATE INDEX complaints_account ON complaints (account, id);"
    "CREATE INDEX complaints_dt ON complaints (zone, dt);"
    "CREATE INDEX complaints_feeder ON complaints (zone, feeder);"
    "CREATE INDEX complaints_seq ON complaints (zone, change_seq);"
    "CREATE TABLE complaint_events ("
    "  id           INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  complaint_id INTEGER NOT NULL REFERENCES complaints (id),"
    "  at           INTEGER NOT NULL,"
    "  by           TEXT NOT NULL,"
    "  role         TEXT NOT NULL,"
    "  action       TEXT NOT NULL,"
    "  from_status  TEXT NOT NULL,"
    "  to_status    TEXT NOT NULL,"
    "  note         TEXT"
    ");"
    "CREATE INDEX complaint_events_complaint ON complaint_events (complaint_id, id);"
    "CREATE TABLE complaint_callers ("
    "  complaint_id INTEGER NOT NULL REFERENCES complaints (id),"
    "  account      TEXT,"
    "  mobile       TEXT,"
    "  channel      TEXT NOT NULL,"
    "  at           INTEGER NOT NULL,"
    "  by           TEXT NOT NULL"
    ");"
    "CREATE INDEX complaint_callers_complaint ON complaint_callers (complaint_id);"
    "CREATE TABLE complaint_numbers ("
    "  zone   TEXT NOT NULL,"
    "  period TEXT NOT NULL,"
    "  last   INTEGER NOT NULL,"
    "  PRIMARY KEY (zone, period)"
    ");"
    "ALTER TABLE otp_tickets RENAME TO otp_tickets_v3;"
    "DROP INDEX otp_tickets_account;"
    "CREATE TABLE otp_tickets ("
    "  id            TEXT PRIMARY KEY,"
    "  account       TEXT NOT NULL,"
    "  purpose       TEXT NOT NULL"
    "                CHECK (purpose IN ('registration','verify_mobile','change_mobile','complaint_close')),"
    "  mobile        TEXT NOT NULL,"
    "  code_salt     BLOB NOT NULL,"
    "  code_hash     BLOB NOT NULL,"
    "  state         TEXT NOT NULL"
    "                CHECK (state IN ('pending','verified','expired','locked','used')),"
    "  attempts_left INTEGER NOT NULL,"
    "  created_at    INTEGER NOT NULL,"
    "  expires_at    INTEGER NOT NULL,"
    "  resend_after  INTEGER NOT NULL,"
    "  verified_at   INTEGER,"
    "  sms_id        INTEGER REFERENCES sms_outbox (id),"
    "  created_by    TEXT NOT NULL"
    ");"
    "INSERT INTO otp_tickets SELECT * FROM otp_tickets_v3;"
    "DROP TABLE otp_tickets_v3;"
    "CREATE INDEX otp_tickets_account ON otp_tickets (account, purpose, state);"
  },
  /* The audit log (bd-central-db-audit.c): append-only, each entry chained
   * to the one before by hash; the triggers make "append-only" the
   * database's rule, not only the code's. */
  { 5,
    "CREATE TABLE audit_log ("
    "  seq       INTEGER PRIMARY KEY,"
    "  at        INTEGER NOT NULL,"
    "  username  TEXT NOT NULL,"
    "  role      TEXT NOT NULL,"
    "  zone      TEXT NOT NULL,"
    "  action    TEXT NOT NULL,"
    "  target    TEXT,"
    "  detail    TEXT,"
    "  prev_hash TEXT NOT NULL,"
    "  hash      TEXT NOT NULL"
    ");"
    "CREATE INDEX audit_log_zone ON audit_log (zone, seq);"
    "CREATE INDEX audit_log_target ON audit_log (target, seq);"
    "CREATE INDEX audit_log_user ON audit_log (username, action, at);"
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "  BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "  BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;"
  },
  /* Prepaid metering (bd-central-db-meters.c): versioned tariffs and
   * prepaid rules with a holiday calendar; each smart meter's simulated
   * profile and head-end state; every switch of the supply; recharges.
   * The live counter orders balance changes for desks that watch them,
   * apart from the consumers' change feed (a balance moves every quarter
   * hour; the desks' copies do not need each move). */
  { 6,
    "CREATE TABLE tariffs ("
    "  version    INTEGER NOT NULL,"
    "  valid_from INTEGER NOT NULL,"
    "  category   TEXT NOT NULL,"
    "  area_type  TEXT NOT NULL CHECK (area_type IN ('urban','rural')),"
    "  definition TEXT NOT NULL,"
    "  PRIMARY KEY (version, category, area_type)"
    ");"
    "CREATE TABLE prepaid_rules ("
    "  version    INTEGER PRIMARY KEY,"
    "  valid_from INTEGER NOT NULL,"
    "  definition TEXT NOT NULL"
    ");"
    "CREATE TABLE holidays ("
    "  date TEXT PRIMARY KEY,"      /* YYYY-MM-DD in Asia/Kolkata */
    "  name TEXT NOT NULL"
    ");"
    "CREATE TABLE meters ("
    "  account             TEXT PRIMARY KEY REFERENCES consumers (account),"
    "  zone                TEXT NOT NULL,"
    "  kind                TEXT NOT NULL CHECK (kind IN ('household','shop','pump')),"
    "  seed                INTEGER NOT NULL,"
    "  base_w              INTEGER NOT NULL,"
    "  peak_w              INTEGER NOT NULL,"
    "  cooling_w           INTEGER NOT NULL,"
    "  limit_w             INTEGER NOT NULL,"
    "  silent_from         INTEGER NOT NULL DEFAULT 0,"
    "  silent_until        INTEGER NOT NULL DEFAULT 0,"
    "  history_from        INTEGER NOT NULL,"
    "  last_slot           INTEGER NOT NULL,"
    "  last_contact_at     INTEGER NOT NULL,"
    "  register_wh         INTEGER NOT NULL,"
    "  month_start         INTEGER NOT NULL,"
    "  month_wh            INTEGER NOT NULL,"
    "  month_paise         INTEGER NOT NULL,"
    "  fixed_day           INTEGER NOT NULL,"
    "  zero_since          INTEGER NOT NULL DEFAULT 0,"
    "  alerts_sent         INTEGER NOT NULL DEFAULT 0,"
    "  last_recharge_paise INTEGER NOT NULL DEFAULT 0,"
    "  last_recharge_at    INTEGER NOT NULL DEFAULT 0,"
    "  live_seq            INTEGER NOT NULL DEFAULT 0,"
    "  reconnect_pending   INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX meters_last_slot ON meters (last_slot);"
    "CREATE TABLE meter_live_counter ("
    "  id  INTEGER PRIMARY KEY CHECK (id = 1),"
    "  seq INTEGER NOT NULL"
    ");"
    "INSERT INTO meter_live_counter (id, seq) VALUES (1, 0);"
    "CREATE TABLE supply_events ("
    "  id      INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  account TEXT NOT NULL,"
    "  at      INTEGER NOT NULL,"
    "  status  TEXT NOT NULL CHECK (status IN ('connected','disconnected')),"
    "  reason  TEXT NOT NULL,"
    "  by      TEXT NOT NULL"
    ");"
    "CREATE INDEX supply_events_account ON supply_events (account, at);"
    "CREATE TABLE recharges ("
    "  id                  INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  receipt             TEXT NOT NULL UNIQUE,"
    "  local_id            TEXT NOT NULL,"
    "  account             TEXT NOT NULL,"
    "  zone                TEXT NOT NULL,"
    "  amount_paise        INTEGER NOT NULL CHECK (amount_paise > 0),"
    "  mode                TEXT NOT NULL CHECK (mode IN ('cash','upi','card')),"
    "  reference           TEXT NOT NULL,"
    "  created_at          INTEGER NOT NULL,"
    "  created_by          TEXT NOT NULL,"
    "  credited_at         INTEGER NOT NULL,"
    "  balance_after_paise INTEGER NOT NULL,"
    "  reconnected         INTEGER NOT NULL"
    ");"
    "CREATE INDEX recharges_account ON recharges (account, id);"
    /* The history gains the head-end's switching and the recharges; a
     * CHECK cannot be altered in place, so the table is rebuilt. */
    "CREATE TABLE consumer_history_v6 ("
    "  id         INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  account    TEXT NOT NULL,"
    "  at         INTEGER NOT NULL,"
    "  by         TEXT NOT NULL,"
    "  role       TEXT NOT NULL,"
    "  action     TEXT NOT NULL"
    "             CHECK (action IN ('indexing','mobile_verified','mobile_changed','registered',"
    "                               'supply','recharge')),"
    "  field      TEXT,"
    "  from_value TEXT,"
    "  to_value   TEXT"
    ");"
    "INSERT INTO consumer_history_v6 SELECT * FROM consumer_history;"
    "DROP TABLE consumer_history;"
    "ALTER TABLE consumer_history_v6 RENAME TO consumer_history;"
    "CREATE INDEX consumer_history_account ON consumer_history (account, id);"
  },
  /* Disconnection and reconnection requests (bd-central-db-requests.c):
   * the record as JSON with the columns the queue filters on; the
   * consumer's consent OTP; the history's new action. */
  { 7,
    "CREATE TABLE disconnection_requests ("
    "  id            INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  number        TEXT NOT NULL UNIQUE,"
    "  zone          TEXT NOT NULL,"
    "  account       TEXT NOT NULL,"
    "  kind          TEXT NOT NULL CHECK (kind IN ('temporary','permanent','nonpayment','reconnection')),"
    "  status        TEXT NOT NULL CHECK (status IN ('pending_approval','scheduled','executing','done','failed',"
    "                                                 'field_task','rejected')),"
    "  scheduled_for INTEGER,"
    "  created_at    INTEGER NOT NULL,"
    "  updated_at    INTEGER NOT NULL,"
    "  json          TEXT NOT NULL"
    ");"
    "CREATE INDEX disconnection_requests_zone ON disconnection_requests (zone, status, id);"
    "CREATE INDEX disconnection_requests_due ON disconnection_requests (status, scheduled_for);"
    "CREATE INDEX disconnection_requests_account ON disconnection_requests (account, id);"
    "ALTER TABLE otp_tickets RENAME TO otp_tickets_v6;"
    "DROP INDEX otp_tickets_account;"
    "CREATE TABLE otp_tickets ("
    "  id            TEXT PRIMARY KEY,"
    "  account       TEXT NOT NULL,"
    "  purpose       TEXT NOT NULL"
    "                CHECK (purpose IN ('registration','verify_mobile','change_mobile','complaint_close',"
    "                                   'disconnection_consent')),"
    "  mobile        TEXT NOT NULL,"
    "  code_salt     BLOB NOT NULL,"
    "  code_hash     BLOB NOT NULL,"
    "  state         TEXT NOT NULL"
    "                CHECK (state IN ('pending','verified','expired','locked','used')),"
    "  attempts_left INTEGER NOT NULL,"
    "  created_at    INTEGER NOT NULL,"
    "  expires_at    INTEGER NOT NULL,"
    "  resend_after  INTEGER NOT NULL,"
    "  verified_at   INTEGER,"
    "  sms_id        INTEGER REFERENCES sms_outbox (id),"
    "  created_by    TEXT NOT NULL"
    ");"
    "INSERT INTO otp_tickets SELECT * FROM otp_tickets_v6;"
    "DROP TABLE otp_tickets_v6;"
    "CREATE INDEX otp_tickets_account ON otp_tickets (account, purpose, state);"
    "CREATE TABLE consumer_history_v7 ("
    "  id         INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  account    TEXT NOT NULL,"
    "  at         INTEGER NOT NULL,"
    "  by         TEXT NOT NULL,"
    "  role       TEXT NOT NULL,"
    "  action     TEXT NOT NULL"
    "             CHECK (action IN ('indexing','mobile_verified','mobile_changed','registered',"
    "                               'supply','recharge','request')),"
    "  field      TEXT,"
    "  from_value TEXT,"
    "  to_value   TEXT"
    ");"
    "INSERT INTO consumer_history_v7 SELECT * FROM consumer_history;"
    "DROP TABLE consumer_history;"
    "ALTER TABLE consumer_history_v7 RENAME TO consumer_history;"
    "CREATE INDEX consumer_history_account ON consumer_history (account, id);"
  },
  /* Staff administration: a disabled user keeps its row (the audit log
   * names it) but cannot sign in; the desk a session was opened from is
   * kept with it and in every audit entry. */
  { 8,
    "ALTER TABLE users ADD COLUMN disabled_at INTEGER;"
    "ALTER TABLE users ADD COLUMN password_changed_at INTEGER;"
    "ALTER TABLE sessions ADD COLUMN desk TEXT;"
    "CREATE INDEX sessions_username ON sessions (username);"
    "ALTER TABLE audit_log ADD COLUMN desk TEXT;"
  },
  /* Staff who work in more than their own zone (a relief operator, a
   * circle-level supervisor): each session is in one zone, chosen at
   * sign-in; the home zone stays users.zone. */
  { 9,
    "CREATE TABLE user_zones ("
    "  username TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,"
    "  zone     TEXT NOT NULL REFERENCES zones (code),"
    "  PRIMARY KEY (username, zone)"
    ") WITHOUT ROWID;"
    "ALTER TABLE sessions ADD COLUMN zone TEXT;"
  },
  /* Which database this is: files made from it (zone snapshots) must not
   * be served from a new database at the same path. */
  { 10,
    "CREATE TABLE instance ("
    "  id TEXT NOT NULL"
    ");"
    "INSERT INTO instance (id) VALUES (lower (hex (randomblob (16))));"
  },
  /* The demo head-end's clock, shared by every process on the database
   * (bd-central-server-meters.c). */
  { 11, METER_CLOCK_SCHEMA },
  /* PostgreSQL's name-search word table (bd-central-db-postgresql.h);
   * FTS5 is that here already. */
  { 12, "-- nothing to change on SQLite" },
};

/* PostgreSQL's schema starts where SQLite's had arrived (version 10), in
 * one migration; later versions are added to both lists. */
static const BdMigration postgresql_migrations[] = {
  { 10, POSTGRESQL_SCHEMA_10 },
  { 11, METER_CLOCK_SCHEMA },
  { 12, POSTGRESQL_SCHEMA_12 },
};

static const char * const stmt_sql[N_STMTS] = {
  [STMT_NEXT_SEQ] =
    "UPDATE change_counter SET seq = seq + 1 WHERE id = 1 RETURNING seq",
  [STMT_INSERT] =
    "INSERT INTO consumers (" CONSUMER_COLUMNS ", change_seq, name_key) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
    "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)",
  [STMT_SESSION] =
    "SELECT u.username, u.display_name, u.role, z.code, z.name, s.expires_at "
    "FROM sessions s "
    "JOIN users u ON u.username = s.username "
    "JOIN zones z ON z.code = COALESCE (s.zone, u.zone) "
    "WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled_at IS NULL",
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
  /* The FTS expression names the columns itself. */
  [STMT_FIND_NAME_KEYS] =
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
  /* The feed counts records per zone in buckets of 2^10 change sequences
   * (feed_buckets), so what is left after a cursor is a sum over the later
   * buckets plus a count inside the cursor's own. */
  [STMT_REMAINING] =
    "SELECT (SELECT COALESCE (SUM (n), 0) FROM feed_buckets"
    "        WHERE zone = ?1 AND bucket > (?2 >> 10))"
    "     + (SELECT COUNT(*) FROM consumers"
    "        WHERE zone = ?1 AND change_seq > ?2"
    "          AND change_seq < (((?2 >> 10) + 1) << 10))",
};

/* Where PostgreSQL needs other SQL: name search walks one word's range
 * [?5, ?6] of consumer_words (bd-central-db-postgresql.h), kind, and
 * checks every word of the query, the tsquery ?1, on the tsvector column. */
#define POSTGRESQL_FIND_NAMES(kind, column) \
  "SELECT " CONSUMER_COLUMNS ", m.id FROM (" \
  "  SELECT c.id, length (c.name_en) AS sort_length," \
  "    c.name_en AS sort_name, c.account AS sort_account" \
  "  FROM consumer_words w JOIN consumers c ON c.id = w.id" \
  "  WHERE w.zone = ?2 AND w.kind = '" kind "' AND w.word >= ?5 AND w.word <= ?6" \
  "    AND c." column " @@ ?1::tsquery" \
  "  LIMIT ?3) AS m " \
  "JOIN consumers ON consumers.id = m.id " \
  "ORDER BY m.sort_length, m.sort_name, m.sort_account " \
  "LIMIT ?4"

static const char * const postgresql_stmt_sql[N_STMTS] = {
  [STMT_FIND_NAMES] = POSTGRESQL_FIND_NAMES ("n", "name_words"),
  [STMT_FIND_NAME_KEYS] = POSTGRESQL_FIND_NAMES ("k", "key_words"),
};

/* bd_name_keys (name_en, name_hi) in SQL, for migration 2 to key the
 * consumers it finds. */
static void
name_keys_sql_function (sqlite3_context  *context,
                        int               argc,
                        sqlite3_value   **argv)
{
  const char *en = (const char *) sqlite3_value_text (argv[0]);
  const char *hi = (const char *) sqlite3_value_text (argv[1]);
  char *key = _bd_central_db_build_name_key (en, hi);

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

BdCentralCachedStmt *
_bd_central_db_cached_stmt (BdCentralDb    *self,
                            BdCentralStmt   which,
                            GError        **error)
{
  if (self->stmts[which] == NULL)
    {
      const char *sql = stmt_sql[which];

      if (bd_sql_connection_get_dialect (self->sql) == BD_SQL_DIALECT_POSTGRESQL &&
          postgresql_stmt_sql[which] != NULL)
        sql = postgresql_stmt_sql[which];
      self->stmts[which] = bd_sql_connection_prepare (self->sql, sql, error);
      if (self->stmts[which] == NULL)
        return NULL;
    }

  return self->stmts[which];
}

static void
bd_central_db_finalize (GObject *object)
{
  BdCentralDb *self = (BdCentralDb *)object;

  bd_central_db_bulk_abort (self);

  /* Statements must go before the connection, or SQLite cannot close it. */
  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], bd_sql_stmt_free);
  g_clear_object (&self->sql);
  g_clear_pointer (&self->url, g_free);

  g_clear_pointer (&self->request_desk, g_free);
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
bd_central_db_open_at_version (const char  *url,
                               int          version,
                               GError     **error)
{
  static gsize functions_registered = 0;
  g_autoptr(BdCentralDb) self = NULL;
  gboolean is_file;
  gsize n_migrations = 0;
  gsize n_postgresql_migrations = 0;
  const char *path = url;

  g_return_val_if_fail (url != NULL, NULL);

  if (g_once_init_enter (&functions_registered))
    {
      /* The cast is the documented way to pass an extension entry point. */
      sqlite3_auto_extension ((void (*) (void)) register_sql_functions);
      g_once_init_leave (&functions_registered, 1);
    }

  while (n_migrations < G_N_ELEMENTS (migrations) && migrations[n_migrations].version <= version)
    n_migrations++;
  while (n_postgresql_migrations < G_N_ELEMENTS (postgresql_migrations) &&
         postgresql_migrations[n_postgresql_migrations].version <= version)
    n_postgresql_migrations++;

  if (g_str_has_prefix (path, "sqlite://"))
    path += strlen ("sqlite://");
  is_file = !bd_sql_url_is_postgresql (url) && !g_str_equal (path, ":memory:") && !g_str_has_prefix (path, "file:");

  self = g_object_new (BD_TYPE_CENTRAL_DB, NULL);
  self->created = is_file && !g_file_test (path, G_FILE_TEST_EXISTS);
  self->url = g_strdup (url);

  self->sql = bd_sql_connection_open (url, migrations, n_migrations,
                                      postgresql_migrations, n_postgresql_migrations, error);
  if (self->sql == NULL)
    return NULL;

  /* Reads straight from the OS page cache, shared by worker processes,
   * instead of a copy per connection: lookups touch pages all over a
   * zone's million rows. */
  if (is_file && !bd_sql_connection_exec (self->sql, "PRAGMA mmap_size = " G_STRINGIFY (CENTRAL_MMAP_SIZE), error))
    return NULL;

  if (bd_sql_connection_get_version (self->sql) >= 4 && !_bd_central_db_seed_sla_rules (self, error))
    return NULL;
  if (bd_sql_connection_get_version (self->sql) >= 6 && !_bd_central_db_seed_prepaid_tables (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

char *
bd_central_db_dup_query_plans (BdCentralDb  *self,
                               GError      **error)
{
  g_autoptr(GString) plans = g_string_new (NULL);

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);

  /* EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans per execution. */
  if (bd_sql_connection_get_dialect (self->sql) != BD_SQL_DIALECT_SQLITE)
    return g_strdup ("");

  for (guint i = 0; i < N_STMTS; i++)
    {
      g_autofree char *sql = NULL;
      g_autoptr(BdSqlStmt) stmt = NULL;
      int rc;

      if (!g_str_has_prefix (stmt_sql[i], "SELECT"))
        continue;

      sql = g_strconcat ("EXPLAIN QUERY PLAN ", stmt_sql[i], NULL);
      stmt = bd_sql_connection_prepare (self->sql, sql, error);
      if (stmt == NULL)
        return NULL;
      while ((rc = bd_sql_stmt_step (stmt)) == BD_SQL_ROW)
        g_string_append_printf (plans, "%u: %s\n", i, _bd_central_column_text (stmt, 3));
      if (rc != BD_SQL_DONE)
        {
          bd_sql_connection_set_error (self->sql, error, "query plan");
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

char *
bd_central_db_dup_instance_id (BdCentralDb  *self,
                               GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);

  stmt = bd_sql_connection_prepare (self->sql, "SELECT id FROM instance", error);
  if (stmt == NULL)
    return NULL;
  if (bd_sql_stmt_step (stmt) != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "instance");
      return NULL;
    }
  return g_strdup (_bd_central_column_text (stmt, 0));
}

BdDatabase *
bd_central_db_get_database (BdCentralDb *self)
{
  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);

  return bd_sql_connection_get_database (self->sql);
}

const char *
bd_central_db_get_url (BdCentralDb *self)
{
  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);

  return self->url;
}

gboolean
bd_central_db_try_lead (BdCentralDb  *self,
                        const char   *role,
                        GError      **error)
{
  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);

  return bd_sql_connection_try_lead (self->sql, role, error);
}

BdSqlConnection *
bd_central_db_get_connection (BdCentralDb *self)
{
  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);

  return self->sql;
}

gboolean
bd_central_db_ensure_zone (BdCentralDb  *self,
                           const char   *code,
                           const char   *name,
                           GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (code != NULL && name != NULL, FALSE);

  stmt = bd_sql_connection_prepare (self->sql,
                              "INSERT INTO zones (code, name) VALUES (?1, ?2) "
                              "ON CONFLICT (code) DO UPDATE SET name = excluded.name",
                              error);
  if (stmt == NULL)
    return FALSE;

  bd_sql_stmt_bind_text (stmt, 1, code);
  bd_sql_stmt_bind_text (stmt, 2, name);
  if (bd_sql_stmt_step (stmt) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "zone");
      return FALSE;
    }

  return TRUE;
}

void
bd_central_db_set_request_desk (BdCentralDb *self,
                                const char  *desk)
{
  g_return_if_fail (BD_IS_CENTRAL_DB (self));

  g_free (self->request_desk);
  self->request_desk = g_strdup (desk);
}

void
bd_central_db_set_password_iterations (BdCentralDb *self,
                                       guint        iterations)
{
  g_return_if_fail (BD_IS_CENTRAL_DB (self));
  g_return_if_fail (iterations > 0);

  self->password_iterations = iterations;
  self->upgrade_hashes = TRUE;
}

guint
bd_central_db_get_password_iterations (BdCentralDb *self)
{
  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), BD_PASSWORD_DEFAULT_ITERATIONS);

  return self->password_iterations > 0 ? self->password_iterations : BD_PASSWORD_DEFAULT_ITERATIONS;
}
