/* bd-consumer-store.c: the desk's local copy of its zone.
 *
 * One SQLite connection guarded by a mutex: the store is used from the main
 * thread and from GTask workers, and a page of the feed applies in a few
 * milliseconds, so a reader never waits long. The FTS5 index is a table of
 * its own keyed by the consumer's rowid and holds the names folded exactly
 * as bd_search_query_parse() folds what the operator types, so both sides
 * of a MATCH agree on case and Unicode normalisation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-validate.h"
#include "bd-consumer-store.h"
#include "bd-database.h"

#define MAX_FTS_WORDS 16

struct _BdConsumerStore
{
  GObject     parent_instance;

  GMutex      lock;
  BdDatabase *db;
};

G_DEFINE_TYPE (BdConsumerStore, bd_consumer_store, G_TYPE_OBJECT)

/* Marks (M*) are token characters so that Devanagari vowel signs and
 * viramas stay inside their word: with the default categories
 * "श्रीवास्तव" would be cut into single consonants. */
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
};

#define CONSUMER_COLUMNS \
  "c.account, c.name_en, c.name_hi, c.relation_en, c.relation_hi, c.address, " \
  "c.mobile, c.mobile_verified, c.meter_serial, c.meter_make, c.meter_type, "  \
  "c.category, c.sanctioned_load_w, c.phase, c.feeder, c.dt, c.pole, c.zone, " \
  "c.area_type, c.supply_status, c.balance_paise, c.balance_as_of, "           \
  "c.version, c.updated_at"

/* A newer or equal version already stored wins: the feed may replay. */
static const char upsert_sql[] =
  "INSERT INTO consumers (account, name_en, name_hi, relation_en, relation_hi, "
  "  address, mobile, mobile_verified, meter_serial, meter_make, meter_type, "
  "  category, sanctioned_load_w, phase, feeder, dt, pole, zone, area_type, "
  "  supply_status, balance_paise, balance_as_of, version, updated_at) "
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
  "  ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24) "
  "ON CONFLICT (account) DO UPDATE SET "
  "  name_en = excluded.name_en, name_hi = excluded.name_hi, "
  "  relation_en = excluded.relation_en, relation_hi = excluded.relation_hi, "
  "  address = excluded.address, mobile = excluded.mobile, "
  "  mobile_verified = excluded.mobile_verified, "
  "  meter_serial = excluded.meter_serial, meter_make = excluded.meter_make, "
  "  meter_type = excluded.meter_type, category = excluded.category, "
  "  sanctioned_load_w = excluded.sanctioned_load_w, phase = excluded.phase, "
  "  feeder = excluded.feeder, dt = excluded.dt, pole = excluded.pole, "
  "  zone = excluded.zone, area_type = excluded.area_type, "
  "  supply_status = excluded.supply_status, "
  "  balance_paise = excluded.balance_paise, "
  "  balance_as_of = excluded.balance_as_of, version = excluded.version, "
  "  updated_at = excluded.updated_at "
  "WHERE excluded.version > consumers.version "
  "RETURNING rowid";

typedef struct
{
  GPtrArray *consumers;
  char      *cursor;
} ApplyData;

static void
apply_data_free (ApplyData *data)
{
  g_clear_pointer (&data->consumers, g_ptr_array_unref);
  g_free (data->cursor);
  g_free (data);
}

typedef struct
{
  char  *query;
  guint  limit;
} SearchData;

static void
search_data_free (SearchData *data)
{
  g_free (data->query);
  g_free (data);
}

/* Same folding as bd_search_query_parse(): NFKC, case fold, NFC. */
static char *
fold_for_index (const char *text)
{
  g_autofree char *compat = NULL;
  g_autofree char *folded = NULL;

  if (text == NULL)
    return NULL;
  compat = g_utf8_normalize (text, -1, G_NORMALIZE_NFKC);
  if (compat == NULL)
    return NULL;
  folded = g_utf8_casefold (compat, -1);
  return g_utf8_normalize (folded, -1, G_NORMALIZE_NFC);
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

static void
bind_folded (sqlite3_stmt *stmt,
             int           index,
             const char   *text)
{
  g_autofree char *folded = fold_for_index (text);

  bind_text_or_null (stmt, index, folded);
}

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

static gboolean
set_state (BdConsumerStore  *self,
           sqlite3_stmt     *stmt,
           const char       *key,
           GError          **error)
{
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      bd_database_set_error (self->db, error, _("Saving the sync position"));
      return FALSE;
    }
  return TRUE;
}

/* Caller holds the lock and a transaction. */
static gboolean
upsert_consumers (BdConsumerStore  *self,
                  GPtrArray        *consumers,
                  GError          **error)
{
  g_autoptr(sqlite3_stmt) upsert = NULL;
  g_autoptr(sqlite3_stmt) fts_delete = NULL;
  g_autoptr(sqlite3_stmt) fts_insert = NULL;

  upsert = bd_database_prepare (self->db, upsert_sql, error);
  if (upsert == NULL)
    return FALSE;
  fts_delete = bd_database_prepare (self->db,
                                    "DELETE FROM consumers_fts WHERE rowid = ?1", error);
  if (fts_delete == NULL)
    return FALSE;
  fts_insert = bd_database_prepare (self->db,
                                    "INSERT INTO consumers_fts (rowid, name_en, name_hi, "
                                    "  relation_en, relation_hi, address) "
                                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", error);
  if (fts_insert == NULL)
    return FALSE;

  for (guint i = 0; i < consumers->len; i++)
    {
      BdConsumer *c = g_ptr_array_index (consumers, i);
      sqlite3_int64 rowid;
      int rc;

      if (!BD_IS_CONSUMER (c))
        {
          g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY,
                       _("Saving consumers failed: record %u of the page is empty."), i + 1);
          return FALSE;
        }

      sqlite3_reset (upsert);
      sqlite3_clear_bindings (upsert);
      bind_consumer (upsert, c);
      rc = sqlite3_step (upsert);
      if (rc == SQLITE_DONE)
        continue;   /* an older or equal version: nothing changed */
      if (rc != SQLITE_ROW)
        {
          bd_database_set_error (self->db, error, _("Saving consumers"));
          return FALSE;
        }
      rowid = sqlite3_column_int64 (upsert, 0);
      if (sqlite3_step (upsert) != SQLITE_DONE)
        {
          bd_database_set_error (self->db, error, _("Saving consumers"));
          return FALSE;
        }

      sqlite3_reset (fts_delete);
      sqlite3_bind_int64 (fts_delete, 1, rowid);
      if (sqlite3_step (fts_delete) != SQLITE_DONE)
        {
          bd_database_set_error (self->db, error, _("Updating the search index"));
          return FALSE;
        }

      sqlite3_reset (fts_insert);
      sqlite3_bind_int64 (fts_insert, 1, rowid);
      bind_folded (fts_insert, 2, bd_consumer_get_name_en (c));
      bind_folded (fts_insert, 3, bd_consumer_get_name_hi (c));
      bind_folded (fts_insert, 4, bd_consumer_get_relation_en (c));
      bind_folded (fts_insert, 5, bd_consumer_get_relation_hi (c));
      bind_folded (fts_insert, 6, bd_consumer_get_address (c));
      if (sqlite3_step (fts_insert) != SQLITE_DONE)
        {
          bd_database_set_error (self->db, error, _("Updating the search index"));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
apply_records (BdConsumerStore  *self,
               GPtrArray        *consumers,
               const char       *cursor,
               GError          **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) state = NULL;

  if (!bd_database_begin (self->db, error))
    return FALSE;

  state = bd_database_prepare (self->db,
                               "INSERT INTO sync_state (key, value) VALUES (?1, ?2) "
                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                               error);
  if (state == NULL)
    goto fail;

  if (consumers != NULL && !upsert_consumers (self, consumers, error))
    goto fail;

  if (cursor != NULL)
    {
      sqlite3_bind_text (state, 2, cursor, -1, SQLITE_STATIC);
      if (!set_state (self, state, "cursor", error))
        goto fail;
      sqlite3_reset (state);
    }

  sqlite3_bind_int64 (state, 2, g_get_real_time () / G_USEC_PER_SEC);
  if (!set_state (self, state, "last_sync", error))
    goto fail;

  /* Finalise before COMMIT so no statement holds the write open. */
  g_clear_pointer (&state, sqlite3_finalize);
  if (!bd_database_commit (self->db, error))
    goto fail;
  return TRUE;

fail:
  g_clear_pointer (&state, sqlite3_finalize);
  bd_database_rollback (self->db);
  return FALSE;
}

/* Caller holds the lock. Appends rows not yet in seen, up to limit. */
static gboolean
collect_rows (BdConsumerStore  *self,
              sqlite3_stmt     *stmt,
              GPtrArray        *results,
              GHashTable       *seen,
              guint             limit,
              GError          **error)
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
      bd_database_set_error (self->db, error, _("Searching consumers"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
search_exact (BdConsumerStore  *self,
              const char       *sql,
              const char       *identifier,
              GPtrArray        *results,
              GHashTable       *seen,
              guint             limit,
              GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (results->len >= limit)
    return TRUE;
  stmt = bd_database_prepare (self->db, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, identifier, -1, SQLITE_STATIC);
  return collect_rows (self, stmt, results, seen, limit, error);
}

static gboolean
word_is_indexable (const char *word)
{
  for (const char *p = word; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalnum (c) || g_unichar_ismark (c))
        return TRUE;
    }
  return FALSE;
}

/* Every word becomes a quoted FTS5 string with a prefix star, so nothing
 * the operator types is read as FTS syntax (NEAR, OR, column filters…). */
static char *
build_match_expression (GStrv words)
{
  g_autoptr(GString) match = g_string_new (NULL);
  guint n = 0;

  for (guint i = 0; words != NULL && words[i] != NULL && n < MAX_FTS_WORDS; i++)
    {
      if (!word_is_indexable (words[i]))
        continue;
      if (match->len > 0)
        g_string_append_c (match, ' ');
      g_string_append_c (match, '"');
      for (const char *p = words[i]; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (match, '"');
          g_string_append_c (match, *p);
        }
      g_string_append (match, "\"*");
      n++;
    }

  if (n == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&match), FALSE);
}

static gboolean
search_names (BdConsumerStore  *self,
              GStrv             words,
              GPtrArray        *results,
              GHashTable       *seen,
              guint             limit,
              GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *match = build_match_expression (words);

  if (match == NULL || results->len >= limit)
    return TRUE;

  /* Names weigh more than relations, relations more than the address. */
  stmt = bd_database_prepare (self->db,
                              "SELECT " CONSUMER_COLUMNS " FROM consumers_fts "
                              "JOIN consumers c ON c.rowid = consumers_fts.rowid "
                              "WHERE consumers_fts MATCH ?1 "
                              "ORDER BY bm25 (consumers_fts, 10.0, 10.0, 3.0, 3.0, 1.0), "
                              "  c.account "
                              "LIMIT ?2",
                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, match, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, (gint64) limit + g_hash_table_size (seen));
  return collect_rows (self, stmt, results, seen, limit, error);
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

  g_clear_object (&self->db);
  g_mutex_clear (&self->lock);

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
  g_mutex_init (&self->lock);
}

BdConsumerStore *
bd_consumer_store_open (const char  *path,
                        GError     **error)
{
  g_autoptr(BdDatabase) db = NULL;
  BdConsumerStore *self;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  db = bd_database_open (path, migrations, G_N_ELEMENTS (migrations), error);
  if (db == NULL)
    return NULL;

  self = g_object_new (BD_TYPE_CONSUMER_STORE, NULL);
  self->db = g_steal_pointer (&db);
  return self;
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

char *
bd_consumer_store_dup_cursor (BdConsumerStore  *self,
                              GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = bd_database_prepare (self->db,
                              "SELECT value FROM sync_state WHERE key = 'cursor'", error);
  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_strdup (column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    bd_database_set_error (self->db, error, _("Reading the sync position"));
  return NULL;
}

gint64
bd_consumer_store_get_last_sync (BdConsumerStore *self)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), 0);

  locker = g_mutex_locker_new (&self->lock);
  stmt = bd_database_prepare (self->db,
                              "SELECT value FROM sync_state WHERE key = 'last_sync'", &error);
  if (stmt == NULL)
    {
      g_warning ("%s", error->message);
      return 0;
    }
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return sqlite3_column_int64 (stmt, 0);
}

gint64
bd_consumer_store_count (BdConsumerStore  *self,
                         GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  locker = g_mutex_locker_new (&self->lock);
  stmt = bd_database_prepare (self->db, "SELECT count(*) FROM consumers", error);
  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      bd_database_set_error (self->db, error, _("Counting consumers"));
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
  const char *id;
  gboolean ok = TRUE;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  results = g_ptr_array_new_with_free_func (g_object_unref);
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  parsed = bd_search_query_parse (query);
  id = parsed->identifier;

  locker = g_mutex_locker_new (&self->lock);
  switch (parsed->kind)
    {
    case BD_QUERY_KIND_ACCOUNT:
      ok = search_exact (self, "SELECT " CONSUMER_COLUMNS " FROM consumers c "
                         "WHERE c.account = ?1", id, results, seen, limit, error);
      break;
    case BD_QUERY_KIND_MOBILE:
      ok = search_exact (self, "SELECT " CONSUMER_COLUMNS " FROM consumers c "
                         "WHERE c.mobile = ?1 ORDER BY c.account", id, results, seen, limit, error);
      break;
    case BD_QUERY_KIND_ACCOUNT_OR_MOBILE:
      ok = search_exact (self, "SELECT " CONSUMER_COLUMNS " FROM consumers c "
                         "WHERE c.account = ?1", id, results, seen, limit, error) &&
           search_exact (self, "SELECT " CONSUMER_COLUMNS " FROM consumers c "
                         "WHERE c.mobile = ?1 ORDER BY c.account", id, results, seen, limit, error);
      break;
    case BD_QUERY_KIND_METER_SERIAL:
      /* A serial-like word may also be part of an address ("B12"). */
      ok = search_exact (self, "SELECT " CONSUMER_COLUMNS " FROM consumers c "
                         "WHERE c.meter_serial = ?1 COLLATE NOCASE ORDER BY c.account",
                         id, results, seen, limit, error) &&
           search_names (self, parsed->words, results, seen, limit, error);
      break;
    case BD_QUERY_KIND_NAME:
      ok = search_names (self, parsed->words, results, seen, limit, error);
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
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = bd_database_prepare (self->db,
                              "SELECT " CONSUMER_COLUMNS " FROM consumers c WHERE c.account = ?1",
                              error);
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
    bd_database_set_error (self->db, error, _("Looking up the consumer"));
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
