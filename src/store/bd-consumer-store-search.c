/* bd-consumer-store-search.c: ranked search of the local store.
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
 * A search reads in one transaction, so its tiers see one snapshot and
 * pay for taking the read lock once (see begin_snapshot()).
 *
 * While a bulk first sync is under way (bd_consumer_store_is_indexing())
 * only the primary key is there: accounts are found, exactly and while
 * being typed; mobiles, meter serials and names are not looked for (a
 * full scan of the table for each keystroke would be slow, and the name
 * index is empty), so a search is incomplete but never wrong.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/bd-name-key.h"
#include "core/bd-validate.h"
#include "bd-consumer-store-private.h"

/* FTS matches a name tier ranks, at least; see search_tier(). */
#define TIER_CANDIDATES 300

/* Shorter words only match whole: a one-letter prefix matches most of the
 * zone and no prefix index covers it, while a whole one-letter word is an
 * initial ("R K Tiwari"). */
#define MIN_PREFIX_CHARS 2

/* Digits typed so far of an account or mobile number before we look for
 * numbers starting with them. */
#define MIN_NUMBER_PREFIX 4

const char _bd_store_by_account_sql[] =
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
/* Whether the MATCH expression ?1 finds anything: no candidate list or
 * sort to build (see search_names()). */
static const char any_match_sql[] =
  "SELECT 1 FROM consumers_fts WHERE consumers_fts MATCH ?1 LIMIT 1";

/* A search reads in one transaction; see begin_snapshot(). */
static const char begin_snapshot_sql[] = "BEGIN";
static const char end_snapshot_sql[] = "COMMIT";

/* Caller holds the connection's lock. Appends rows not yet in seen, up to limit. */
static gboolean
collect_rows (BdStoreConnection  *conn,
              sqlite3_stmt       *stmt,
              GPtrArray          *results,
              GHashTable         *seen,
              guint               limit,
              GError            **error)
{
  int rc = SQLITE_DONE;

  while (results->len < limit && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *account = _bd_column_text (stmt, 0);

      if (account == NULL || g_hash_table_contains (seen, account))
        continue;
      g_hash_table_add (seen, g_strdup (account));
      g_ptr_array_add (results, _bd_consumer_from_row (stmt));
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
search_identifier (BdStoreConnection  *conn,
                   const char         *sql,
                   const char         *identifier,
                   const char         *upper,
                   GPtrArray          *results,
                   GHashTable         *seen,
                   guint               limit,
                   GError            **error)
{
  g_autoptr(BdCachedStmt) stmt = NULL;
  int n = 1;

  if (results->len >= limit)
    return TRUE;
  stmt = _bd_store_connection_lease (conn, sql, error);
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
search_number_prefix (BdStoreConnection  *conn,
                      gboolean            indexed,
                      GStrv               words,
                      GPtrArray          *results,
                      GHashTable         *seen,
                      guint               limit,
                      GError            **error)
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
         (!indexed ||
          search_identifier (conn, mobile_prefix_sql, digits->str, upper,
                             results, seen, limit, error));
}

/* An FTS5 expression requiring every word, each a quoted string (so nothing
 * the operator types is read as FTS syntax: NEAR, OR, column filters…),
 * within columns. Words shorter than min_chars are left out; NULL if no
 * word is left. */
static char *
build_match (GStrv       words,
             const char *columns,
             gboolean    prefix,
             glong       min_chars)
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
search_tier (BdStoreConnection  *conn,
             const char         *match,
             gboolean            devanagari,
             GPtrArray          *results,
             GHashTable         *seen,
             guint               limit,
             GError            **error)
{
  g_autoptr(BdCachedStmt) stmt = NULL;

  if (match == NULL || results->len >= limit)
    return TRUE;
  stmt = _bd_store_connection_lease (conn, tier_sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, match, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, MAX (TIER_CANDIDATES, 3 * (gint64) limit));
  sqlite3_bind_int (stmt, 3, devanagari ? 1 : 0);
  sqlite3_bind_int64 (stmt, 4, (gint64) limit + g_hash_table_size (seen));
  return collect_rows (conn, stmt, results, seen, limit, error);
}

/* Sets *any to whether the FTS expression match finds any row. */
static gboolean
match_exists (BdStoreConnection  *conn,
              const char         *match,
              gboolean           *any,
              GError            **error)
{
  g_autoptr(BdCachedStmt) stmt = _bd_store_connection_lease (conn, any_match_sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, match, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      bd_database_set_error (conn->db, error, _("Searching consumers"));
      return FALSE;
    }
  *any = rc == SQLITE_ROW;
  return TRUE;
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
search_names (BdStoreConnection  *conn,
              GStrv               words,
              gboolean            whole_words_only,
              GPtrArray          *results,
              GHashTable         *seen,
              guint               limit,
              GError            **error)
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
   * word in a name is rare enough not to need ranking. So rare that this
   * tier almost always finds nothing, and then a good part of its cost
   * is not the FTS lookup but the candidate list and the sort it sets up
   * (each an ephemeral b-tree with a pager of its own, allocated and
   * freed every time). Asking first whether the word is in any name at
   * all does the same lookup without them (3.4 instead of 5.6 µs when
   * the pages are cached, on the reference machine), and the tier runs
   * only for the few serials some name does contain. */
  if (whole_words_only)
    {
      g_autofree char *match = build_match (words, "names relations", FALSE, 1);
      gboolean any = FALSE;

      if (match == NULL || results->len >= limit)
        return TRUE;
      if (!match_exists (conn, match, &any, error))
        return FALSE;
      return !any || search_tier (conn, match, devanagari, results, seen, limit, error);
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

/* The serial typed, else serials starting with it, then a serial-like
 * word that is part of a name ("B12 Traders"), whole. */
static gboolean
search_meter_serial (BdStoreConnection  *conn,
                     const char         *serial,
                     GStrv               words,
                     GPtrArray          *results,
                     GHashTable         *seen,
                     guint               limit,
                     GError            **error)
{
  /* Bounds in lower case, as NOCASE compares: "gns12" up to "gns13". */
  g_autofree char *lower = g_ascii_strdown (serial, -1);
  g_autofree char *upper = g_strdup (lower);

  upper[strlen (upper) - 1]++;
  if (!search_identifier (conn, by_meter_serial_sql, serial, NULL, results, seen, limit, error))
    return FALSE;
  if (results->len == 0 &&
      !search_identifier (conn, meter_serial_prefix_sql, lower, upper, results, seen, limit, error))
    return FALSE;
  return search_names (conn, words, TRUE, results, seen, limit, error);
}

/* Caller holds the connection's lock. A search runs several statements
 * (a meter serial: the exact serial, perhaps its prefix, then the name
 * word; a name: up to eight tiers). Each statement outside a transaction
 * begins and ends a read transaction of its own: WAL read lock, file
 * size, unlock, a handful of system calls that on the reference machine
 * (a VM, where system calls are dear) cost about 6 µs a statement, more
 * in the tail, as much as an indexed lookup from cached pages. One
 * deferred transaction around the whole search pays that once, and its
 * tiers see the same snapshot. A deferred BEGIN takes no lock, and a
 * reader in WAL mode never holds up the writer's connection. *began
 * tells end_snapshot() whether there is a transaction to end: a memory
 * store searches on the writer's connection, which may already be in
 * one. */
static gboolean
begin_snapshot (BdStoreConnection  *conn,
                gboolean           *began,
                GError            **error)
{
  g_autoptr(BdCachedStmt) stmt = NULL;

  *began = FALSE;
  if (!sqlite3_get_autocommit (bd_database_get_handle (conn->db)))
    return TRUE;
  stmt = _bd_store_connection_lease (conn, begin_snapshot_sql, error);
  if (stmt == NULL)
    return FALSE;
  /* Not _bd_store_connection_step_done(): its message would be translated
   * on every search, not only on failure. */
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      bd_database_set_error (conn->db, error, _("Searching consumers"));
      return FALSE;
    }
  *began = TRUE;
  return TRUE;
}

/* Ends what begin_snapshot() began, whatever happened in between, so the
 * reader never keeps an old snapshot (which would hide later syncs from
 * it and keep the WAL from being checkpointed). Returns ok, or FALSE with
 * error set if the commit itself failed. */
static gboolean
end_snapshot (BdStoreConnection  *conn,
              gboolean            began,
              gboolean            ok,
              GError            **error)
{
  if (!began)
    return ok;
  if (ok)
    {
      g_autoptr(BdCachedStmt) stmt = _bd_store_connection_lease (conn, end_snapshot_sql, error);

      if (stmt == NULL)
        ok = FALSE;
      else if (sqlite3_step (stmt) == SQLITE_DONE)
        return TRUE;
      else
        {
          bd_database_set_error (conn->db, error, _("Searching consumers"));
          ok = FALSE;
        }
    }
  bd_database_rollback (conn->db);
  return ok;
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
  BdStoreConnection *reader;
  const char *id;
  gboolean indexed;
  gboolean began;
  gboolean ok = TRUE;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_bd_consumer_store_check_damage (self, error))
    return NULL;

  results = g_ptr_array_new_with_free_func (g_object_unref);
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  parsed = bd_search_query_parse (query);
  id = parsed->identifier;
  reader = self->reader;
  indexed = !g_atomic_int_get (&self->indexing);

  locker = g_mutex_locker_new (&reader->lock);
  if (!begin_snapshot (reader, &began, error))
    return NULL;
  switch (parsed->kind)
    {
    case BD_QUERY_KIND_ACCOUNT:
      ok = search_identifier (reader, _bd_store_by_account_sql, id, NULL, results, seen, limit, error);
      break;
    case BD_QUERY_KIND_MOBILE:
      if (indexed)
        ok = search_identifier (reader, by_mobile_sql, id, NULL, results, seen, limit, error);
      break;
    case BD_QUERY_KIND_ACCOUNT_OR_MOBILE:
      ok = search_identifier (reader, _bd_store_by_account_sql, id, NULL, results, seen, limit, error) &&
           (!indexed ||
            search_identifier (reader, by_mobile_sql, id, NULL, results, seen, limit, error));
      break;
    case BD_QUERY_KIND_METER_SERIAL:
      if (indexed)
        ok = search_meter_serial (reader, id, parsed->words, results, seen, limit, error);
      break;
    case BD_QUERY_KIND_NAME:
      ok = search_number_prefix (reader, indexed, parsed->words, results, seen, limit, error) &&
           (!indexed ||
            search_names (reader, parsed->words, FALSE, results, seen, limit, error));
      break;
    case BD_QUERY_KIND_NONE:
    default:
      break;
    }

  if (!end_snapshot (reader, began, ok, error))
    return NULL;
  return g_steal_pointer (&results);
}
