/* test-central-db.c: demo generator and server database (zones, sessions,
 * feed, bulk load); search is in test-central-db-search.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "central-test-url.h"

#include <glib/gstdio.h>

#include <string.h>

#include "core/bd-validate.h"
#include "server/bd-demo-generator.h"

#include "central-db-fixture.h"

/* Every consumer of zone, in feed order, via pages of page_size. */
static GPtrArray *
read_zone_feed (BdCentralDb *db,
                const char  *zone,
                guint        page_size)
{
  GPtrArray *all = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *cursor = g_strdup ("0");
  gint64 last_seq = 0;
  gint64 previous_remaining = G_MAXINT64;
  gboolean has_more = TRUE;

  while (has_more)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) seqs = NULL;
      g_autoptr(BdChangesPage) page = NULL;

      page = bd_central_db_changes (db, zone, g_ascii_strtoll (cursor, NULL, 10), page_size, &seqs, &error);
      g_assert_no_error (error);
      g_assert_nonnull (page);
      g_assert_cmpuint (page->consumers->len, <=, page_size);
      g_assert_cmpuint (seqs->len, ==, page->consumers->len);
      g_assert_cmpint (page->remaining, <, previous_remaining);
      g_assert_cmpint (page->remaining, >=, 0);
      g_assert_true (page->has_more == (page->remaining > 0));

      for (guint i = 0; i < page->consumers->len; i++)
        {
          gint64 seq = g_array_index (seqs, gint64, i);

          g_assert_cmpint (seq, >, last_seq);
          last_seq = seq;
          g_ptr_array_add (all, g_object_ref (g_ptr_array_index (page->consumers, i)));
        }

      g_free (cursor);
      cursor = g_strdup (page->next_cursor);
      g_assert_cmpint (g_ascii_strtoll (cursor, NULL, 10), ==, last_seq);
      previous_remaining = page->remaining;
      has_more = page->has_more;
    }

  return all;
}

static GPtrArray *
read_all (BdCentralDb *db)
{
  g_autoptr(GPtrArray) central = read_zone_feed (db, "LKO-C", 500);
  g_autoptr(GPtrArray) east = read_zone_feed (db, "LKO-E", 500);
  GPtrArray *all = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < central->len; i++)
    g_ptr_array_add (all, g_object_ref (g_ptr_array_index (central, i)));
  for (guint i = 0; i < east->len; i++)
    g_ptr_array_add (all, g_object_ref (g_ptr_array_index (east, i)));

  return all;
}

static gboolean
has_devanagari (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x0900 && c <= 0x097F)
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_ascii_name (const char *text)
{
  gboolean letter = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if ((guchar) *p >= 0x80)
        return FALSE;
      letter |= g_ascii_isalpha (*p);
    }
  return letter;
}

static void
test_deterministic (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(BdCentralDb) same = open_demo_db (fixture, "same.sqlite3", 1912, N_DEMO);
  g_autoptr(BdCentralDb) other = open_demo_db (fixture, "other.sqlite3", 1913, N_DEMO);
  g_autoptr(GPtrArray) a = read_all (fixture->db);
  g_autoptr(GPtrArray) b = read_all (same);
  g_autoptr(GPtrArray) c = read_all (other);
  guint differing = 0;

  g_assert_cmpuint (a->len, ==, N_DEMO);
  g_assert_cmpuint (b->len, ==, N_DEMO);
  for (guint i = 0; i < a->len; i++)
    g_assert_true (bd_consumer_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)));

  g_assert_cmpuint (c->len, ==, N_DEMO);
  for (guint i = 0; i < MIN (a->len, c->len); i++)
    differing += !bd_consumer_equal (g_ptr_array_index (a, i), g_ptr_array_index (c, i));
  g_assert_cmpuint (differing, >, N_DEMO * 9 / 10);
}

static void
test_realistic (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) all = read_all (fixture->db);
  g_autoptr(GHashTable) accounts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) serials = g_hash_table_new (g_str_hash, g_str_equal);
  guint east = 0, no_mobile = 0, unverified = 0, negative = 0, disconnected = 0;
  guint legacy = 0, smart = 0, ct = 0, non_smart = 0, rural = 0, commercial = 0;
  guint srivastava = 0, shrivastava = 0, devi = 0, muslim_abbrev = 0;

  g_assert_cmpuint (all->len, ==, N_DEMO);

  for (guint i = 0; i < all->len; i++)
    {
      BdConsumer *consumer = g_ptr_array_index (all, i);
      const char *account = bd_consumer_get_account (consumer);
      const char *mobile = bd_consumer_get_mobile (consumer);
      const char *name_en = bd_consumer_get_name_en (consumer);
      g_autofree char *normalized = bd_account_normalize (account, NULL);
      g_autofree char *serial = bd_meter_serial_normalize (bd_consumer_get_meter_serial (consumer), NULL);

      g_assert_cmpstr (normalized, ==, account);
      g_assert_true (g_hash_table_add (accounts, (gpointer) account));
      g_assert_cmpstr (serial, ==, bd_consumer_get_meter_serial (consumer));
      g_assert_true (g_hash_table_add (serials, (gpointer) bd_consumer_get_meter_serial (consumer)));
      legacy += strlen (account) == 12;

      if (mobile != NULL)
        {
          g_autofree char *valid = bd_mobile_normalize (mobile, NULL);

          g_assert_cmpstr (valid, ==, mobile);
          unverified += !bd_consumer_get_mobile_verified (consumer);
        }
      else
        {
          no_mobile++;
          g_assert_false (bd_consumer_get_mobile_verified (consumer));
        }

      g_assert_true (is_ascii_name (name_en));
      g_assert_true (has_devanagari (bd_consumer_get_name_hi (consumer)));
      g_assert_true (is_ascii_name (bd_consumer_get_relation_en (consumer)));
      g_assert_true (has_devanagari (bd_consumer_get_relation_hi (consumer)));
      g_assert_true (g_str_has_suffix (bd_consumer_get_address (consumer), "")
                     && strstr (bd_consumer_get_address (consumer), "Lucknow 2") != NULL);
      srivastava += strstr (name_en, "Srivastava") != NULL;
      shrivastava += strstr (name_en, "Shrivastava") != NULL;
      devi += g_str_has_suffix (name_en, " Devi");
      muslim_abbrev += g_str_has_prefix (name_en, "Mohd. ");

      /* Network codes nest: the pole code extends the DT's, which extends the feeder's. */
      g_assert_true (g_str_has_prefix (bd_consumer_get_dt (consumer), bd_consumer_get_feeder (consumer)));
      g_assert_true (g_str_has_prefix (bd_consumer_get_pole (consumer), bd_consumer_get_dt (consumer)));

      g_assert_cmpint (bd_consumer_get_sanctioned_load_w (consumer), >, 0);
      g_assert_cmpint (bd_consumer_get_version (consumer), >=, 1);
      g_assert_cmpint (bd_consumer_get_updated_at (consumer), <=, FIXED_NOW);

      east += g_str_equal (bd_consumer_get_zone (consumer), "LKO-E");
      rural += bd_consumer_get_area_type (consumer) == BD_AREA_RURAL;
      commercial += g_str_equal (bd_consumer_get_category (consumer), "LMV-2");
      negative += bd_consumer_get_balance_paise (consumer) < 0;

      switch (bd_consumer_get_meter_type (consumer))
        {
        case BD_METER_TYPE_SMART:
          smart++;
          g_assert_cmpint (bd_consumer_get_balance_as_of (consumer), >, FIXED_NOW - 30 * 86400);
          break;
        case BD_METER_TYPE_CT:
          ct++;
          g_assert_cmpint (bd_consumer_get_phase (consumer), ==, BD_PHASE_THREE);
          break;
        case BD_METER_TYPE_NON_SMART:
        default:
          non_smart++;
          break;
        }

      if (bd_consumer_get_supply_status (consumer) == BD_SUPPLY_DISCONNECTED)
        {
          disconnected++;
          g_assert_cmpint (bd_consumer_get_balance_paise (consumer), <, 0);
          g_assert_cmpint (bd_consumer_get_meter_type (consumer), ==, BD_METER_TYPE_SMART);
        }
    }

  g_test_message ("east %u, no mobile %u, unverified %u, negative %u, disconnected %u, "
                  "legacy %u, smart %u, ct %u, non-smart %u, rural %u, commercial %u",
                  east, no_mobile, unverified, negative, disconnected,
                  legacy, smart, ct, non_smart, rural, commercial);

  /* About 10 % in LKO-E, 15 % without mobile, 30 % of the rest unverified. */
  g_assert_cmpuint (east, >, N_DEMO * 6 / 100);
  g_assert_cmpuint (east, <, N_DEMO * 14 / 100);
  g_assert_cmpuint (no_mobile, >, N_DEMO * 10 / 100);
  g_assert_cmpuint (no_mobile, <, N_DEMO * 20 / 100);
  g_assert_cmpuint (unverified, >, (N_DEMO - no_mobile) * 22 / 100);
  g_assert_cmpuint (unverified, <, (N_DEMO - no_mobile) * 38 / 100);
  g_assert_cmpuint (negative, >, 0);
  g_assert_cmpuint (disconnected, >, 0);
  g_assert_cmpuint (disconnected, <, negative);
  g_assert_cmpuint (legacy, >, 0);
  g_assert_cmpuint (smart, >, N_DEMO * 8 / 10);
  g_assert_cmpuint (ct, >, 0);
  g_assert_cmpuint (non_smart, >, 0);
  g_assert_cmpuint (rural, >, 0);
  g_assert_cmpuint (commercial, >, 0);
  /* Spelling variants of one surname appear across records. */
  g_assert_cmpuint (srivastava, >, 0);
  g_assert_cmpuint (shrivastava, >, 0);
  g_assert_cmpuint (devi, >, 0);
  g_assert_cmpuint (muslim_abbrev, >, 0);
}

static void
test_idempotent (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(BdDemoGenerator) generator = bd_demo_generator_new (1912, FIXED_NOW);
  g_autoptr(GError) error = NULL;
  g_autoptr(BdCentralDb) reopened = NULL;
  g_autofree char *path = fixture_path (fixture, "central.sqlite3");

  bd_demo_generator_set_password_iterations (generator, 1000);

  g_assert_true (bd_demo_generator_create_users (generator, fixture->db, &error));
  g_assert_no_error (error);
  g_assert_cmpint (bd_demo_generator_populate (generator, fixture->db, N_DEMO, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (bd_central_db_count_consumers (fixture->db, NULL, &error), ==, N_DEMO);

  /* As --demo on a restart does it: a new connection to the same file. */
  g_clear_object (&fixture->db);
  reopened = bd_central_db_open (central_test_url (path), &error);
  g_assert_no_error (error);
  g_clear_object (&generator);
  generator = bd_demo_generator_new (1912, FIXED_NOW + 3600);
  bd_demo_generator_set_password_iterations (generator, 1000);
  g_assert_true (bd_demo_generator_create_users (generator, reopened, &error));
  g_assert_cmpint (bd_demo_generator_populate (generator, reopened, 500, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (bd_central_db_count_consumers (reopened, NULL, &error), ==, N_DEMO);
  fixture->db = g_steal_pointer (&reopened);
}

static void
test_changes_pagination (Fixture       *fixture,
                         gconstpointer  data)
{
  const char *zone_codes[] = { "LKO-C", "LKO-E" };
  g_autoptr(GError) error = NULL;

  for (guint z = 0; z < G_N_ELEMENTS (zone_codes); z++)
    {
      g_autoptr(GPtrArray) feed = read_zone_feed (fixture->db, zone_codes[z], 97);
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
      gint64 count = bd_central_db_count_consumers (fixture->db, zone_codes[z], &error);

      g_assert_no_error (error);
      g_assert_cmpint (count, >, 0);
      g_assert_cmpint (feed->len, ==, count);
      for (guint i = 0; i < feed->len; i++)
        {
          BdConsumer *consumer = g_ptr_array_index (feed, i);

          g_assert_cmpstr (bd_consumer_get_zone (consumer), ==, zone_codes[z]);
          g_assert_true (g_hash_table_add (seen, (gpointer) bd_consumer_get_account (consumer)));
        }
    }
}

static void
test_update_bumps_feed (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) seqs = NULL;
  g_autoptr(GArray) after_seqs = NULL;
  g_autoptr(BdChangesPage) first = bd_central_db_changes (fixture->db, "LKO-C", 0, 1000, &seqs, &error);
  g_autoptr(BdChangesPage) tail = NULL;
  g_autoptr(BdChangesPage) after = NULL;
  g_autoptr(BdConsumer) changed = NULL;
  g_autoptr(BdConsumer) stored = NULL;
  gint64 old_version;

  g_assert_no_error (error);
  changed = bd_consumer_copy (g_ptr_array_index (first->consumers, 3));
  old_version = bd_consumer_get_version (changed);

  /* Drain the feed, as a desk that is up to date would have. */
  tail = bd_central_db_changes (fixture->db, "LKO-C", 0, 1000000, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (tail->has_more);

  bd_consumer_set_mobile (changed, "9415012345");
  bd_consumer_set_mobile_verified (changed, TRUE);
  g_assert_true (bd_central_db_update_consumer (fixture->db, changed, FIXED_NOW + 60, &error));
  g_assert_no_error (error);
  g_assert_cmpint (bd_consumer_get_version (changed), ==, old_version + 1);

  after = bd_central_db_changes (fixture->db, "LKO-C", g_ascii_strtoll (tail->next_cursor, NULL, 10),
                                 100, &after_seqs, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (after->consumers->len, ==, 1);
  g_assert_cmpint (g_array_index (after_seqs, gint64, 0), >, g_ascii_strtoll (tail->next_cursor, NULL, 10));
  g_assert_true (bd_consumer_equal (g_ptr_array_index (after->consumers, 0), changed));
  g_assert_cmpint (bd_consumer_get_updated_at (g_ptr_array_index (after->consumers, 0)), ==, FIXED_NOW + 60);

  stored = bd_central_db_lookup_consumer (fixture->db, "LKO-C", bd_consumer_get_account (changed), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bd_consumer_get_mobile (stored), ==, "9415012345");

  /* The record moved to the end of the feed: it appears once, not twice. */
  {
    g_autoptr(GPtrArray) feed = read_zone_feed (fixture->db, "LKO-C", 333);
    guint hits = 0;

    for (guint i = 0; i < feed->len; i++)
      hits += g_str_equal (bd_consumer_get_account (g_ptr_array_index (feed, i)),
                           bd_consumer_get_account (changed));
    g_assert_cmpuint (hits, ==, 1);
  }

  {
    g_autoptr(BdConsumer) ghost = bd_consumer_new ("2199999999");

    bd_consumer_set_zone (ghost, "LKO-C");
    g_assert_false (bd_central_db_update_consumer (fixture->db, ghost, FIXED_NOW, &error));
    g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND);
  }
}

static void
test_sessions (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdSession) session = NULL;
  g_autoptr(BdSession) found = NULL;
  g_autoptr(BdSession) none = NULL;
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autofree char *expected_hash = NULL;
  const char *token;

  session = bd_central_db_sign_in (fixture->db, "operator.east", "bijli-operator", FIXED_NOW, &error);
  g_assert_no_error (error);
  token = bd_session_get_token (session);
  g_assert_cmpuint (strlen (token), >=, 40);
  g_assert_cmpstr (bd_session_get_zone (session), ==, "LKO-E");
  g_assert_cmpstr (bd_session_get_zone_name (session), ==, "Lucknow East");
  g_assert_cmpint (bd_session_get_role (session), ==, BD_ROLE_OPERATOR);
  g_assert_cmpint (bd_session_get_expires_at (session), ==, FIXED_NOW + BD_CENTRAL_SESSION_LIFETIME_S);

  found = bd_central_db_lookup_session (fixture->db, token, FIXED_NOW + 10, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bd_session_get_username (found), ==, "operator.east");

  /* Only the token's SHA-256 is stored. */
  expected_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
  stmt = bd_sql_connection_prepare (bd_central_db_get_connection (fixture->db),
                              "SELECT token_hash FROM sessions", &error);
  g_assert_no_error (error);
  g_assert_cmpint (bd_sql_stmt_step (stmt), ==, BD_SQL_ROW);
  g_assert_cmpstr (bd_sql_stmt_column_text (stmt, 0), ==, expected_hash);
  g_assert_cmpstr (bd_sql_stmt_column_text (stmt, 0), !=, token);

  none = bd_central_db_lookup_session (fixture->db, token,
                                       FIXED_NOW + BD_CENTRAL_SESSION_LIFETIME_S, &error);
  g_assert_null (none);
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  none = bd_central_db_lookup_session (fixture->db, "not-a-token", FIXED_NOW, &error);
  g_assert_null (none);
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  none = bd_central_db_sign_in (fixture->db, "operator", "bijli-agent", FIXED_NOW, &error);
  g_assert_null (none);
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_CREDENTIALS);
  g_clear_error (&error);

  none = bd_central_db_sign_in (fixture->db, "nobody", "bijli-operator", FIXED_NOW, &error);
  g_assert_null (none);
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_CREDENTIALS);
  g_clear_error (&error);

  g_assert_cmpint (bd_central_db_purge_sessions (fixture->db, FIXED_NOW + BD_CENTRAL_SESSION_LIFETIME_S, &error), ==, 1);
  g_assert_no_error (error);
}

/* Rows of a query as one string, for comparing two databases. */
static char *
dump_query (BdCentralDb *db,
            const char  *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdSqlStmt) stmt = bd_sql_connection_prepare (bd_central_db_get_connection (db), sql, &error);
  GString *dump = g_string_new (NULL);

  g_assert_no_error (error);
  while (bd_sql_stmt_step (stmt) == BD_SQL_ROW)
    {
      for (int i = 0; i < bd_sql_stmt_column_count (stmt); i++)
        {
          const char *text = bd_sql_stmt_column_text (stmt, i);
          g_string_append_printf (dump, "%s|", text != NULL ? text : "NULL");
        }
      g_string_append_c (dump, '\n');
    }
  return g_string_free (dump, FALSE);
}

static void
test_bulk_same_as_slow (Fixture       *fixture,
                        gconstpointer  data)
{
  /* SQLite's own: its schema history, pragmas, query planner or files. */
  if (central_test_skip_unless_sqlite ())
    return;

  const guint n = 700;
  g_autoptr(BdCentralDb) fast = open_demo_db (fixture, "fast.sqlite3", 7, n);
  g_autofree char *slow_path = fixture_path (fixture, "slow.sqlite3");
  g_autoptr(GError) error = NULL;
  g_autoptr(BdCentralDb) slow = bd_central_db_open (central_test_url (slow_path), &error);
  g_autoptr(BdDemoGenerator) generator = bd_demo_generator_new (7, FIXED_NOW);
  BdDatabase *slow_db = bd_central_db_get_database (slow);
  const char *queries[] = {
    "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name",
    "SELECT * FROM consumers ORDER BY account",
    "SELECT * FROM feed_buckets ORDER BY zone, bucket",
    "SELECT * FROM change_counter",
    "SELECT * FROM zones ORDER BY code",
    "SELECT username, display_name, role, zone FROM users ORDER BY username",
    "SELECT rowid, * FROM consumers_fts_data ORDER BY id",
    "PRAGMA journal_mode",
    "PRAGMA foreign_keys",
    "PRAGMA synchronous",
  };
  const char *searches[] = { "ram", "shri", "श्री", "sunita devi", "rmsh", "kh" };

  /* The slow path: one insert at a time with every index and trigger live. */
  g_assert_no_error (error);
  bd_demo_generator_set_password_iterations (generator, 1000);
  g_assert_true (bd_demo_generator_create_users (generator, slow, &error));
  g_assert_true (bd_database_begin (slow_db, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BdConsumer) consumer = bd_demo_generator_next (generator);

      g_assert_true (bd_central_db_insert_consumer (slow, consumer, &error));
      g_assert_no_error (error);
    }
  g_assert_true (bd_database_commit (slow_db, &error));
  g_assert_no_error (error);

  /* FTS5 segments differ in layout with the order of writes; the
   * integrity checks and searches below compare what they hold. */
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *a = dump_query (fast, queries[i]);
      g_autofree char *b = dump_query (slow, queries[i]);

      if (strstr (queries[i], "consumers_fts_data") != NULL)
        continue;
      g_test_message ("%s", queries[i]);
      g_assert_cmpstr (a, ==, b);
    }

  for (guint i = 0; i < G_N_ELEMENTS (searches); i++)
    {
      g_autoptr(GArray) fast_matches = NULL;
      g_autoptr(GArray) slow_matches = NULL;
      g_autoptr(GPtrArray) a = search_with_matches (fast, "LKO-C", searches[i], 1000, &fast_matches);
      g_autoptr(GPtrArray) b = search_with_matches (slow, "LKO-C", searches[i], 1000, &slow_matches);

      g_assert_cmpuint (a->len, ==, b->len);
      for (guint j = 0; j < a->len; j++)
        {
          g_assert_true (bd_consumer_equal (g_ptr_array_index (a, j), g_ptr_array_index (b, j)));
          g_assert_cmpint (g_array_index (fast_matches, BdCentralMatch, j), ==,
                           g_array_index (slow_matches, BdCentralMatch, j));
        }
    }

  g_assert_true (fts_consistent (fast));
  g_assert_true (fts_consistent (slow));

  /* A second bulk load on a non-empty table is refused, and harmlessly. */
  g_assert_false (bd_central_db_bulk_begin (fast, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  {
    g_autofree char *mode = dump_query (fast, "PRAGMA journal_mode");
    g_assert_cmpstr (mode, ==, "wal|\n");
  }
}

static void
test_bulk_abort (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *path = fixture_path (fixture, "aborted.sqlite3");
  g_autoptr(GError) error = NULL;
  g_autoptr(BdCentralDb) db = bd_central_db_open (central_test_url (path), &error);
  g_autoptr(BdDemoGenerator) generator = bd_demo_generator_new (3, FIXED_NOW);
  g_autofree char *schema_before = NULL;
  g_autofree char *schema_after = NULL;
  gboolean postgresql = central_test_is_postgresql ();
  /* What a load drops and rebuilds: indexes and triggers (and on
   * PostgreSQL whether each trigger is enabled). */
  const char *schema_sql = postgresql
    ? "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema () "
      "UNION ALL SELECT tgname, tgenabled::text FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1"
    : "SELECT name, sql FROM sqlite_master ORDER BY name";

  g_assert_no_error (error);
  bd_demo_generator_set_password_iterations (generator, 1000);
  g_assert_true (bd_demo_generator_create_users (generator, db, &error));
  schema_before = dump_query (db, schema_sql);

  g_assert_true (bd_central_db_bulk_begin (db, &error));
  for (guint i = 0; i < 50; i++)
    {
      g_autoptr(BdConsumer) consumer = bd_demo_generator_next (generator);
      g_assert_true (bd_central_db_bulk_insert (db, consumer, &error));
    }
  {
    /* A duplicate account fails the load. */
    g_autoptr(BdConsumer) twin = make_named_consumer (0);
    g_autoptr(BdConsumer) again = make_named_consumer (0);

    g_assert_true (bd_central_db_bulk_insert (db, twin, &error));
    /* PostgreSQL does not wait for each row's answer: the failure shows
     * when the load ends, which then fails too. */
    if (bd_central_db_bulk_insert (db, again, &error))
      {
        g_assert_true (postgresql);
        g_assert_false (bd_central_db_bulk_end (db, &error));
      }
    g_assert_nonnull (error);
    g_clear_error (&error);
  }
  bd_central_db_bulk_abort (db);

  /* Everything rolled back, indexes and triggers included. */
  schema_after = dump_query (db, schema_sql);
  g_assert_cmpstr (schema_before, ==, schema_after);
  g_assert_cmpint (bd_central_db_count_consumers (db, NULL, &error), ==, 0);
  {
    g_autofree char *count = dump_query (db, "SELECT COUNT(*) FROM consumers");

    g_assert_cmpstr (count, ==, "0|\n");
    if (!postgresql)
      {
        g_autofree char *fk = dump_query (db, "PRAGMA foreign_keys");

        g_assert_cmpstr (fk, ==, "1|\n");
      }
  }

  /* And the database still takes a load. */
  g_assert_cmpint (bd_demo_generator_populate (generator, db, 20, &error), ==, 20);
  g_assert_no_error (error);
}

static gint64
brute_remaining (BdCentralDb *db,
                 const char  *zone,
                 gint64       after)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdSqlStmt) stmt = bd_sql_connection_prepare (bd_central_db_get_connection (db),
                                                      "SELECT COUNT(*) FROM consumers "
                                                      "WHERE zone = ?1 AND change_seq > ?2",
                                                      &error);

  g_assert_no_error (error);
  bd_sql_stmt_bind_text (stmt, 1, zone);
  bd_sql_stmt_bind_int64 (stmt, 2, after);
  g_assert_cmpint (bd_sql_stmt_step (stmt), ==, BD_SQL_ROW);
  return bd_sql_stmt_column_int64 (stmt, 0);
}

static void
test_remaining (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *plan = NULL;
  gint64 cursor = 0;
  guint pages = 0;
  gint64 total_c = bd_central_db_count_consumers (fixture->db, "LKO-C", &error);
  gint64 total_e = bd_central_db_count_consumers (fixture->db, "LKO-E", &error);

  g_assert_no_error (error);
  g_assert_cmpint (total_c, ==, brute_remaining (fixture->db, "LKO-C", 0));
  g_assert_cmpint (total_e, ==, brute_remaining (fixture->db, "LKO-E", 0));
  g_assert_cmpint (total_c + total_e, ==, N_DEMO);

  /* Pages that straddle the 1024-sequence buckets, with changes between
   * pages to records behind and ahead of the cursor. */
  for (;;)
    {
      g_autoptr(BdChangesPage) page = NULL;
      g_autoptr(GArray) seqs = NULL;

      page = bd_central_db_changes (fixture->db, "LKO-C", cursor, 97, &seqs, &error);
      g_assert_no_error (error);
      cursor = g_ascii_strtoll (page->next_cursor, NULL, 10);
      g_assert_cmpint (page->remaining, ==, brute_remaining (fixture->db, "LKO-C", cursor));
      g_assert_true (page->has_more == (page->remaining > 0));
      pages++;

      if (pages == 3 || pages == 9)
        {
          /* One already delivered (it comes again) and one still ahead
           * (it only moves): remaining grows by exactly one. */
          g_autoptr(BdChangesPage) first = bd_central_db_changes (fixture->db, "LKO-C", 0, 1, NULL, &error);
          g_autoptr(BdChangesPage) ahead = bd_central_db_changes (fixture->db, "LKO-C", cursor, 1, NULL, &error);
          BdConsumer *behind = g_ptr_array_index (first->consumers, 0);

          g_assert_true (bd_central_db_update_consumer (fixture->db, behind, FIXED_NOW + pages, &error));
          g_assert_true (bd_central_db_update_consumer (fixture->db, g_ptr_array_index (ahead->consumers, 0),
                                                        FIXED_NOW + pages, &error));
          g_assert_no_error (error);
          g_assert_cmpint (brute_remaining (fixture->db, "LKO-C", cursor), ==, page->remaining + 1);
        }
      if (!page->has_more)
        break;
    }
  g_assert_cmpuint (pages, >, 10);

  {
    /* A page that ends exactly at the end: full, yet nothing remains. */
    g_autoptr(BdChangesPage) all = bd_central_db_changes (fixture->db, "LKO-E", 0, (guint) total_e, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (all->consumers->len, ==, total_e);
    g_assert_cmpint (all->remaining, ==, 0);
    g_assert_false (all->has_more);
  }

  /* The page query walks the (zone, change_seq) index: no scan, no sort. */
  plan = bd_central_db_dup_query_plans (fixture->db, &error);
  g_assert_no_error (error);
  if (!central_test_is_postgresql ())
    g_assert_nonnull (strstr (plan, "SEARCH consumers USING INDEX consumers_zone_seq (zone=? AND change_seq>?)"));
}

static void
test_query_plans (Fixture       *fixture,
                  gconstpointer  data)
{
  /* SQLite's own: its schema history, pragmas, query planner or files. */
  if (central_test_skip_unless_sqlite ())
    return;

  g_autoptr(GError) error = NULL;
  g_autofree char *plans = bd_central_db_dup_query_plans (fixture->db, &error);
  g_auto(GStrv) lines = NULL;

  g_assert_no_error (error);
  g_test_message ("%s", plans);
  lines = g_strsplit (plans, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >, 10);

  /* No hot query walks the consumers table or a whole zone of an index:
   * every consumers step is a SEARCH on a key, and only the FTS index (by
   * MATCH) and small candidate lists are scanned. */
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (strstr (line, "SCAN ") != NULL)
        g_assert_true (strstr (line, "VIRTUAL TABLE") != NULL || strstr (line, "SCAN m") != NULL ||
                       strstr (line, "CONSTANT ROW") != NULL);
      if (strstr (line, "consumers_zone_seq (zone=?)") != NULL)
        g_assert_not_reached ();
    }
}

/* Migration 10: every database has its own random id, kept across opens,
 * so that files made from it (zone snapshots) are never taken for another
 * database's at the same path. */
static void
test_instance_id (void)
{
  /* SQLite's own: its schema history, pragmas, query planner or files. */
  if (central_test_skip_unless_sqlite ())
    return;

  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bd-test-central-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "central.sqlite3", NULL);
  g_autofree char *other_path = g_build_filename (dir, "other.sqlite3", NULL);
  g_autofree char *first = NULL;
  g_autofree char *again = NULL;
  g_autofree char *other = NULL;
  g_autofree char *recreated = NULL;
  const char *suffixes[] = { "", "-wal", "-shm" };

  {
    g_autoptr(BdCentralDb) old = bd_central_db_open_at_version (path, 9, &error);

    g_assert_no_error (error);
    g_assert_null (bd_central_db_dup_instance_id (old, &error));
    g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY);
    g_clear_error (&error);
  }
  {
    g_autoptr(BdCentralDb) db = bd_central_db_open (central_test_url (path), &error);

    g_assert_no_error (error);
    first = bd_central_db_dup_instance_id (db, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpuint (strlen (first), ==, 32);
  g_assert_true (strspn (first, "0123456789abcdef") == 32);
  {
    g_autoptr(BdCentralDb) db = bd_central_db_open (central_test_url (path), &error);
    g_autoptr(BdCentralDb) db2 = bd_central_db_open (central_test_url (other_path), &error);

    g_assert_no_error (error);
    again = bd_central_db_dup_instance_id (db, &error);
    other = bd_central_db_dup_instance_id (db2, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpstr (again, ==, first);
  g_assert_cmpstr (other, !=, first);

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_remove (file);
    }
  {
    g_autoptr(BdCentralDb) db = bd_central_db_open (central_test_url (path), &error);

    g_assert_no_error (error);
    recreated = bd_central_db_dup_instance_id (db, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpstr (recreated, !=, first);

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *file2 = g_strconcat (other_path, suffixes[i], NULL);

      g_remove (file);
      g_remove (file2);
    }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/central-db/instance-id", test_instance_id);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/central-db/demo/deterministic", test_deterministic);
  ADD ("/central-db/demo/realistic", test_realistic);
  ADD ("/central-db/demo/idempotent", test_idempotent);
  ADD ("/central-db/changes/pagination", test_changes_pagination);
  ADD ("/central-db/changes/update", test_update_bumps_feed);
  ADD ("/central-db/sessions", test_sessions);
  ADD ("/central-db/bulk/same-as-slow", test_bulk_same_as_slow);
  ADD ("/central-db/bulk/abort", test_bulk_abort);
  ADD ("/central-db/changes/remaining", test_remaining);
  ADD ("/central-db/query-plans", test_query_plans);

#undef ADD

  return g_test_run ();
}
