/* bd-central-db-postgresql.h: bijli-central's schema on PostgreSQL, as
 * SQLite's migrations 1–10 left it (bd-central-db.c), in one step.
 *
 * Differences, each for a reason:
 * - every integer is BIGINT (times in milliseconds and paise overflow
 *   INTEGER), every AUTOINCREMENT an identity, every BLOB a BYTEA;
 * - consumers get an id for name search in place of SQLite's rowid, and
 *   name search uses two tsvector columns kept by a trigger (the words of
 *   both names; the spelling keys) with GIN indexes, in place of FTS5;
 * - the triggers are PL/pgSQL functions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#define POSTGRESQL_SCHEMA_10 \
  "CREATE TABLE zones (" \
  "  code TEXT PRIMARY KEY," \
  "  name TEXT NOT NULL" \
  ");" \
  "CREATE TABLE users (" \
  "  username            TEXT PRIMARY KEY," \
  "  display_name        TEXT NOT NULL," \
  "  role                TEXT NOT NULL" \
  "                      CHECK (role IN ('operator','agent','supervisor','admin'))," \
  "  zone                TEXT NOT NULL REFERENCES zones (code)," \
  "  password_hash       BYTEA NOT NULL," \
  "  password_salt       BYTEA NOT NULL," \
  "  password_iterations BIGINT NOT NULL CHECK (password_iterations > 0)," \
  "  created_at          BIGINT NOT NULL," \
  "  disabled_at         BIGINT," \
  "  password_changed_at BIGINT" \
  ");" \
  "CREATE TABLE sessions (" \
  "  token_hash TEXT PRIMARY KEY," \
  "  username   TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE," \
  "  created_at BIGINT NOT NULL," \
  "  expires_at BIGINT NOT NULL," \
  "  desk       TEXT," \
  "  zone       TEXT" \
  ");" \
  "CREATE INDEX sessions_expires_at ON sessions (expires_at);" \
  "CREATE INDEX sessions_username ON sessions (username);" \
  "CREATE TABLE user_zones (" \
  "  username TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE," \
  "  zone     TEXT NOT NULL REFERENCES zones (code)," \
  "  PRIMARY KEY (username, zone)" \
  ");" \
  "CREATE TABLE change_counter (" \
  "  id  BIGINT PRIMARY KEY CHECK (id = 1)," \
  "  seq BIGINT NOT NULL" \
  ");" \
  "INSERT INTO change_counter (id, seq) VALUES (1, 0);" \
  /* The words of a name as the search reads them: lower case, split at \
   * anything but letters, digits and Devanagari (whose vowel signs are \
   * marks, not letters, in most locales). */ \
  "CREATE FUNCTION bijli_words (t TEXT) RETURNS TSVECTOR LANGUAGE sql IMMUTABLE AS $$" \
  "  SELECT array_to_tsvector (COALESCE (array_agg (w), '{}'))" \
  "  FROM regexp_split_to_table (lower (COALESCE (t, '')), '[^[:alnum:]\\u0900-\\u097F]+') AS w" \
  "  WHERE w <> ''" \
  "$$;" \
  "CREATE TABLE consumers (" \
  "  id                BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE," \
  "  account           TEXT PRIMARY KEY," \
  "  zone              TEXT NOT NULL REFERENCES zones (code)," \
  "  name_en           TEXT NOT NULL DEFAULT ''," \
  "  name_hi           TEXT NOT NULL DEFAULT ''," \
  "  relation_en       TEXT NOT NULL DEFAULT ''," \
  "  relation_hi       TEXT NOT NULL DEFAULT ''," \
  "  address           TEXT NOT NULL DEFAULT ''," \
  "  mobile            TEXT," \
  "  mobile_verified   BIGINT NOT NULL DEFAULT 0," \
  "  meter_serial      TEXT NOT NULL DEFAULT ''," \
  "  meter_make        TEXT NOT NULL DEFAULT ''," \
  "  meter_type        TEXT NOT NULL" \
  "                    CHECK (meter_type IN ('smart','ct','non_smart'))," \
  "  category          TEXT NOT NULL DEFAULT ''," \
  "  sanctioned_load_w BIGINT NOT NULL DEFAULT 0," \
  "  phase             TEXT NOT NULL CHECK (phase IN ('single','three'))," \
  "  feeder            TEXT NOT NULL DEFAULT ''," \
  "  dt                TEXT NOT NULL DEFAULT ''," \
  "  pole              TEXT NOT NULL DEFAULT ''," \
  "  area_type         TEXT NOT NULL CHECK (area_type IN ('urban','rural'))," \
  "  supply_status     TEXT NOT NULL" \
  "                    CHECK (supply_status IN ('connected','disconnected'))," \
  "  balance_paise     BIGINT NOT NULL DEFAULT 0," \
  "  balance_as_of     BIGINT," \
  "  version           BIGINT NOT NULL DEFAULT 1," \
  "  updated_at        BIGINT NOT NULL," \
  "  change_seq        BIGINT NOT NULL UNIQUE," \
  "  name_key          TEXT NOT NULL DEFAULT ''," \
  "  name_words        TSVECTOR NOT NULL DEFAULT ''," \
  "  key_words         TSVECTOR NOT NULL DEFAULT ''" \
  ");" \
  "CREATE INDEX consumers_zone_seq ON consumers (zone, change_seq);" \
  "CREATE INDEX consumers_zone_mobile ON consumers (zone, mobile);" \
  "CREATE INDEX consumers_zone_meter ON consumers (zone, meter_serial);" \
  "CREATE INDEX consumers_name_words ON consumers USING gin (name_words);" \
  "CREATE INDEX consumers_key_words ON consumers USING gin (key_words);" \
  "CREATE FUNCTION consumers_words () RETURNS trigger LANGUAGE plpgsql AS $$" \
  "BEGIN" \
  "  IF TG_OP = 'INSERT' OR NEW.name_en IS DISTINCT FROM OLD.name_en" \
  "     OR NEW.name_hi IS DISTINCT FROM OLD.name_hi OR NEW.name_key IS DISTINCT FROM OLD.name_key THEN" \
  "    NEW.name_words := bijli_words (NEW.name_en || ' ' || NEW.name_hi);" \
  "    NEW.key_words := bijli_words (NEW.name_key);" \
  "  END IF;" \
  "  RETURN NEW;" \
  "END $$;" \
  "CREATE TRIGGER consumers_words BEFORE INSERT OR UPDATE ON consumers" \
  "  FOR EACH ROW EXECUTE FUNCTION consumers_words ();" \
  "CREATE TABLE feed_buckets (" \
  "  zone   TEXT NOT NULL," \
  "  bucket BIGINT NOT NULL," \
  "  n      BIGINT NOT NULL," \
  "  PRIMARY KEY (zone, bucket)" \
  ");" \
  "CREATE FUNCTION consumers_feed () RETURNS trigger LANGUAGE plpgsql AS $$" \
  "BEGIN" \
  "  IF TG_OP IN ('UPDATE', 'DELETE') THEN" \
  "    IF TG_OP = 'UPDATE' AND NEW.zone = OLD.zone AND NEW.change_seq = OLD.change_seq THEN" \
  "      RETURN NEW;" \
  "    END IF;" \
  "    UPDATE feed_buckets SET n = n - 1 WHERE zone = OLD.zone AND bucket = OLD.change_seq >> 10;" \
  "  END IF;" \
  "  IF TG_OP IN ('INSERT', 'UPDATE') THEN" \
  "    INSERT INTO feed_buckets (zone, bucket, n) VALUES (NEW.zone, NEW.change_seq >> 10, 1)" \
  "    ON CONFLICT (zone, bucket) DO UPDATE SET n = feed_buckets.n + 1;" \
  "  END IF;" \
  "  RETURN NULL;" \
  "END $$;" \
  "CREATE TRIGGER consumers_feed AFTER INSERT OR UPDATE OR DELETE ON consumers" \
  "  FOR EACH ROW EXECUTE FUNCTION consumers_feed ();" \
  "CREATE TABLE sms_outbox (" \
  "  id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY," \
  "  account     TEXT NOT NULL," \
  "  mobile      TEXT NOT NULL," \
  "  text        TEXT NOT NULL," \
  "  secret      TEXT," \
  "  status      TEXT NOT NULL" \
  "              CHECK (status IN ('queued','sent','delivered','failed'))," \
  "  attempts    BIGINT NOT NULL DEFAULT 0," \
  "  next_at_ms  BIGINT NOT NULL," \
  "  created_at  BIGINT NOT NULL," \
  "  updated_at  BIGINT NOT NULL" \
  ");" \
  "CREATE INDEX sms_outbox_due ON sms_outbox (next_at_ms)" \
  "  WHERE status IN ('queued','sent');" \
  "CREATE INDEX sms_outbox_mobile ON sms_outbox (mobile, id);" \
  "CREATE TABLE otp_tickets (" \
  "  id            TEXT PRIMARY KEY," \
  "  account       TEXT NOT NULL," \
  "  purpose       TEXT NOT NULL" \
  "                CHECK (purpose IN ('registration','verify_mobile','change_mobile','complaint_close'," \
  "                                   'disconnection_consent'))," \
  "  mobile        TEXT NOT NULL," \
  "  code_salt     BYTEA NOT NULL," \
  "  code_hash     BYTEA NOT NULL," \
  "  state         TEXT NOT NULL" \
  "                CHECK (state IN ('pending','verified','expired','locked','used'))," \
  "  attempts_left BIGINT NOT NULL," \
  "  created_at    BIGINT NOT NULL," \
  "  expires_at    BIGINT NOT NULL," \
  "  resend_after  BIGINT NOT NULL," \
  "  verified_at   BIGINT," \
  "  sms_id        BIGINT REFERENCES sms_outbox (id)," \
  "  created_by    TEXT NOT NULL" \
  ");" \
  "CREATE INDEX otp_tickets_account ON otp_tickets (account, purpose, state);" \
  "CREATE TABLE otp_sends (" \
  "  account TEXT NOT NULL," \
  "  mobile  TEXT NOT NULL," \
  "  at      BIGINT NOT NULL" \
  ");" \
  "CREATE INDEX otp_sends_account ON otp_sends (account, at);" \
  "CREATE INDEX otp_sends_mobile ON otp_sends (mobile, at);" \
  "CREATE TABLE app_registrations (" \
  "  account             TEXT PRIMARY KEY," \
  "  username            TEXT NOT NULL UNIQUE," \
  "  password_hash       BYTEA NOT NULL," \
  "  password_salt       BYTEA NOT NULL," \
  "  password_iterations BIGINT NOT NULL CHECK (password_iterations > 0)," \
  "  temporary_password  BIGINT NOT NULL," \
  "  registered_at       BIGINT NOT NULL," \
  "  registered_by       TEXT NOT NULL" \
  ");" \
  "CREATE TABLE consumer_history (" \
  "  id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY," \
  "  account    TEXT NOT NULL," \
  "  at         BIGINT NOT NULL," \
  "  by         TEXT NOT NULL," \
  "  role       TEXT NOT NULL," \
  "  action     TEXT NOT NULL" \
  "             CHECK (action IN ('indexing','mobile_verified','mobile_changed','registered'," \
  "                               'supply','recharge','request'))," \
  "  field      TEXT," \
  "  from_value TEXT," \
  "  to_value   TEXT" \
  ");" \
  "CREATE INDEX consumer_history_account ON consumer_history (account, id);" \
  "CREATE TABLE consumer_indexing (" \
  "  account    TEXT PRIMARY KEY," \
  "  version    BIGINT NOT NULL," \
  "  fields     TEXT NOT NULL," \
  "  updated_at BIGINT NOT NULL," \
  "  updated_by TEXT NOT NULL" \
  ");" \
  "CREATE TABLE idempotency_keys (" \
  "  key          TEXT NOT NULL," \
  "  username     TEXT NOT NULL," \
  "  request_hash TEXT NOT NULL," \
  "  status       BIGINT NOT NULL," \
  "  body         TEXT NOT NULL," \
  "  created_at   BIGINT NOT NULL," \
  "  PRIMARY KEY (key, username)" \
  ");" \
  "CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);" \
  "CREATE TABLE sla_rules (" \
  "  version    BIGINT NOT NULL," \
  "  valid_from BIGINT NOT NULL," \
  "  category   TEXT NOT NULL," \
  "  area_type  TEXT NOT NULL CHECK (area_type IN ('urban','rural'))," \
  "  allowed_s  BIGINT NOT NULL CHECK (allowed_s > 0)," \
  "  compensation_per_day_paise BIGINT NOT NULL CHECK (compensation_per_day_paise >= 0)," \
  "  PRIMARY KEY (version, category, area_type)" \
  ");" \
  "CREATE TABLE complaints (" \
  "  id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY," \
  "  number         TEXT NOT NULL UNIQUE," \
  "  zone           TEXT NOT NULL," \
  "  account        TEXT," \
  "  category       TEXT NOT NULL," \
  "  description    TEXT NOT NULL," \
  "  contact_mobile TEXT," \
  "  channel        TEXT NOT NULL," \
  "  feeder         TEXT," \
  "  dt             TEXT," \
  "  pole           TEXT," \
  "  area_type      TEXT NOT NULL CHECK (area_type IN ('urban','rural'))," \
  "  status         TEXT NOT NULL," \
  "  assigned_to    TEXT," \
  "  escalation_level BIGINT NOT NULL DEFAULT 0," \
  "  callers        BIGINT NOT NULL DEFAULT 1," \
  "  created_at     BIGINT NOT NULL," \
  "  created_by     TEXT NOT NULL," \
  "  resolved_at    BIGINT," \
  "  closed_at      BIGINT," \
  "  sla_version    BIGINT NOT NULL," \
  "  sla_allowed_s  BIGINT NOT NULL," \
  "  compensation_per_day_paise BIGINT NOT NULL," \
  "  pauses         TEXT NOT NULL DEFAULT '[]'," \
  "  version        BIGINT NOT NULL," \
  "  updated_at     BIGINT NOT NULL," \
  "  change_seq     BIGINT NOT NULL UNIQUE" \
  ");" \
  "CREATE INDEX complaints_zone_status ON complaints (zone, status, id);" \
  "CREATE INDEX complaints_account ON complaints (account, id);" \
  "CREATE INDEX complaints_dt ON complaints (zone, dt);" \
  "CREATE INDEX complaints_feeder ON complaints (zone, feeder);" \
  "CREATE INDEX complaints_seq ON complaints (zone, change_seq);" \
  "CREATE TABLE complaint_events (" \
  "  id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY," \
  "  complaint_id BIGINT NOT NULL REFERENCES complaints (id)," \
  "  at           BIGINT NOT NULL," \
  "  by           TEXT NOT NULL," \
  "  role         TEXT NOT NULL," \
  "  action       TEXT NOT NULL," \
  "  from_status  TEXT NOT NULL," \
  "  to_status    TEXT NOT NULL," \
  "  note         TEXT" \
  ");" \
  "CREATE INDEX complaint_events_complaint ON complaint_events (complaint_id, id);" \
  "CREATE TABLE complaint_callers (" \
  "  complaint_id BIGINT NOT NULL REFERENCES complaints (id)," \
  "  account      TEXT," \
  "  mobile       TEXT," \
  "  channel      TEXT NOT NULL," \
  "  at           BIGINT NOT NULL," \
  "  by           TEXT NOT NULL" \
  ");" \
  "CREATE INDEX complaint_callers_complaint ON complaint_callers (complaint_id);" \
  "CREATE TABLE complaint_numbers (" \
  "  zone   TEXT NOT NULL," \
  "  period TEXT NOT NULL," \
  "  last   BIGINT NOT NULL," \
  "  PRIMARY KEY (zone, period)" \
  ");" \
  "CREATE TABLE audit_log (" \
  "  seq       BIGINT PRIMARY KEY," \
  "  at        BIGINT NOT NULL," \
  "  username  TEXT NOT NULL," \
  "  role      TEXT NOT NULL," \
  "  zone      TEXT NOT NULL," \
  "  action    TEXT NOT NULL," \
  "  target    TEXT," \
  "  detail    TEXT," \
  "  prev_hash TEXT NOT NULL," \
  "  hash      TEXT NOT NULL," \
  "  desk      TEXT" \
  ");" \
  "CREATE INDEX audit_log_zone ON audit_log (zone, seq);" \
  "CREATE INDEX audit_log_target ON audit_log (target, seq);" \
  "CREATE INDEX audit_log_user ON audit_log (username, action, at);" \
  "CREATE FUNCTION audit_log_append_only () RETURNS trigger LANGUAGE plpgsql AS $$" \
  "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;" \
  "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log" \
  "  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only ();" \
  "CREATE TABLE tariffs (" \
  "  version    BIGINT NOT NULL," \
  "  valid_from BIGINT NOT NULL," \
  "  category   TEXT NOT NULL," \
  "  area_type  TEXT NOT NULL CHECK (area_type IN ('urban','rural'))," \
  "  definition TEXT NOT NULL," \
  "  PRIMARY KEY (version, category, area_type)" \
  ");" \
  "CREATE TABLE prepaid_rules (" \
  "  version    BIGINT PRIMARY KEY," \
  "  valid_from BIGINT NOT NULL," \
  "  definition TEXT NOT NULL" \
  ");" \
  "CREATE TABLE holidays (" \
  "  date TEXT PRIMARY KEY," \
  "  name TEXT NOT NULL" \
  ");" \
  "CREATE TABLE meters (" \
  "  account             TEXT PRIMARY KEY REFERENCES consumers (account)," \
  "  zone                TEXT NOT NULL," \
  "  kind                TEXT NOT NULL CHECK (kind IN ('household','shop','pump'))," \
  "  seed                BIGINT NOT NULL," \
  "  base_w              BIGINT NOT NULL," \
  "  peak_w              BIGINT NOT NULL," \
  "  cooling_w           BIGINT NOT NULL," \
  "  limit_w             BIGINT NOT NULL," \
  "  silent_from         BIGINT NOT NULL DEFAULT 0," \
  "  silent_until        BIGINT NOT NULL DEFAULT 0," \
  "  history_from        BIGINT NOT NULL," \
  "  last_slot           BIGINT NOT NULL," \
  "  last_contact_at     BIGINT NOT NULL," \
  "  register_wh         BIGINT NOT NULL," \
  "  month_start         BIGINT NOT NULL," \
  "  month_wh            BIGINT NOT NULL," \
  "  month_paise         BIGINT NOT NULL," \
  "  fixed_day           BIGINT NOT NULL," \
  "  zero_since          BIGINT NOT NULL DEFAULT 0," \
  "  alerts_sent         BIGINT NOT NULL DEFAULT 0," \
  "  last_recharge_paise BIGINT NOT NULL DEFAULT 0," \
  "  last_recharge_at    BIGINT NOT NULL DEFAULT 0," \
  "  live_seq            BIGINT NOT NULL DEFAULT 0," \
  "  reconnect_pending   BIGINT NOT NULL DEFAULT 0" \
  ");" \
  "CREATE INDEX meters_last_slot ON meters (last_slot);" \
  "CREATE TABLE meter_live_counter (" \
  "  id  BIGINT PRIMARY KEY CHECK (id = 1)," \
  "  seq BIGINT NOT NULL" \
  ");" \
  "INSERT INTO meter_live_counter (id, seq) VALUES (1, 0);" \
  "CREATE TABLE supply_events (" \
  "  id      BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY," \
  "  account TEXT NOT NULL," \
  "  at      BIGINT NOT NULL," \
  "  status  TEXT NOT NULL CHECK (status IN ('connected','disconnected'))," \
  "  reason  TEXT NOT NULL," \
  "  by      TEXT NOT NULL" \
  ");" \
  "CREATE INDEX supply_events_account ON supply_events (account, at);" \
  "CREATE TABLE recharges (" \
  "  id                  BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY," \
  "  receipt             TEXT NOT NULL UNIQUE," \
  "  local_id            TEXT NOT NULL," \
  "  account             TEXT NOT NULL," \
  "  zone                TEXT NOT NULL," \
  "  amount_paise        BIGINT NOT NULL CHECK (amount_paise > 0)," \
  "  mode                TEXT NOT NULL CHECK (mode IN ('cash','upi','card'))," \
  "  reference           TEXT NOT NULL," \
  "  created_at          BIGINT NOT NULL," \
  "  created_by          TEXT NOT NULL," \
  "  credited_at         BIGINT NOT NULL," \
  "  balance_after_paise BIGINT NOT NULL," \
  "  reconnected         BIGINT NOT NULL" \
  ");" \
  "CREATE INDEX recharges_account ON recharges (account, id);" \
  "CREATE TABLE disconnection_requests (" \
  "  id            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY," \
  "  number        TEXT NOT NULL UNIQUE," \
  "  zone          TEXT NOT NULL," \
  "  account       TEXT NOT NULL," \
  "  kind          TEXT NOT NULL CHECK (kind IN ('temporary','permanent','nonpayment','reconnection'))," \
  "  status        TEXT NOT NULL CHECK (status IN ('pending_approval','scheduled','executing','done','failed'," \
  "                                                 'field_task','rejected'))," \
  "  scheduled_for BIGINT," \
  "  created_at    BIGINT NOT NULL," \
  "  updated_at    BIGINT NOT NULL," \
  "  json          TEXT NOT NULL" \
  ");" \
  "CREATE INDEX disconnection_requests_zone ON disconnection_requests (zone, status, id);" \
  "CREATE INDEX disconnection_requests_due ON disconnection_requests (status, scheduled_for);" \
  "CREATE INDEX disconnection_requests_account ON disconnection_requests (account, id);" \
  "CREATE TABLE instance (" \
  "  id TEXT NOT NULL" \
  ");" \
  "INSERT INTO instance (id) VALUES (md5 (random ()::text || clock_timestamp ()::text));"

/* Version 12: name search reads a table of each consumer's words (and
 * spelling keys) by zone, in byte order, instead of the GIN indexes alone:
 * a GIN match builds the whole set of matches before the first row (129 ms
 * for "ram", seconds for a one-letter prefix in ten million), and the
 * planner's other way, a scan, runs through the whole table when a word
 * matches nothing. A range of this index yields matches in order and stops
 * at the first page; a word that is not there is an empty range. */
#define POSTGRESQL_SCHEMA_12 \
  "CREATE TABLE consumer_words (" \
  "  zone TEXT NOT NULL," \
  "  kind TEXT NOT NULL CHECK (kind IN ('n','k'))," /* name word, spelling key */ \
  "  word TEXT COLLATE \"C\" NOT NULL," \
  "  id   BIGINT NOT NULL" \
  ");" \
  "INSERT INTO consumer_words (zone, kind, word, id)" \
  "  SELECT zone, 'n', w, id FROM consumers, unnest (tsvector_to_array (name_words)) AS w" \
  "  UNION ALL" \
  "  SELECT zone, 'k', w, id FROM consumers, unnest (tsvector_to_array (key_words)) AS w;" \
  /* Built after the rows: one sort instead of an insert per row. */ \
  "ALTER TABLE consumer_words ADD CONSTRAINT consumer_words_pkey PRIMARY KEY (zone, kind, word, id);" \
  /* With them the planner still built the GIN match first (38 ms). */ \
  "DROP INDEX consumers_name_words;" \
  "DROP INDEX consumers_key_words;" \
  "CREATE FUNCTION consumers_word_rows () RETURNS trigger LANGUAGE plpgsql AS $$" \
  "BEGIN" \
  "  IF TG_OP = 'UPDATE' AND NEW.zone = OLD.zone AND NEW.name_words = OLD.name_words" \
  "     AND NEW.key_words = OLD.key_words THEN" \
  "    RETURN NULL;" \
  "  END IF;" \
  "  IF TG_OP IN ('UPDATE', 'DELETE') THEN" \
  "    DELETE FROM consumer_words WHERE zone = OLD.zone AND kind = 'n'" \
  "      AND word = ANY (tsvector_to_array (OLD.name_words)) AND id = OLD.id;" \
  "    DELETE FROM consumer_words WHERE zone = OLD.zone AND kind = 'k'" \
  "      AND word = ANY (tsvector_to_array (OLD.key_words)) AND id = OLD.id;" \
  "  END IF;" \
  "  IF TG_OP IN ('INSERT', 'UPDATE') THEN" \
  "    INSERT INTO consumer_words (zone, kind, word, id)" \
  "      SELECT NEW.zone, 'n', w, NEW.id FROM unnest (tsvector_to_array (NEW.name_words)) AS w" \
  "      UNION ALL" \
  "      SELECT NEW.zone, 'k', w, NEW.id FROM unnest (tsvector_to_array (NEW.key_words)) AS w;" \
  "  END IF;" \
  "  RETURN NULL;" \
  "END $$;" \
  "CREATE TRIGGER consumers_word_rows AFTER INSERT OR UPDATE OR DELETE ON consumers" \
  "  FOR EACH ROW EXECUTE FUNCTION consumers_word_rows ();" \
  "ANALYZE consumer_words;"
