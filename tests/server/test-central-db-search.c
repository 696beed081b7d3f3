/* test-central-db-search.c: consumer search in the server database: by
 * identifier, by name in tiers, after updates, and after the migration
 * that brought the name index.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "central-test-url.h"

#include <string.h>

#include "central-db-fixture.h"

static GPtrArray *
search (Fixture    *fixture,
        const char *zone,
        const char *text)
{
  return search_with_matches (fixture->db, zone, text, 50, NULL);
}

static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdChangesPage) page = bd_central_db_changes (fixture->db, "LKO-C", 0, 1000, NULL, &error);
  g_autoptr(BdChangesPage) east = bd_central_db_changes (fixture->db, "LKO-E", 0, 10, NULL, &error);
  BdConsumer *target = NULL;
  BdConsumer *elsewhere = g_ptr_array_index (east->consumers, 0);
  const char *odd[] = { "%", "_", "%%", "' OR 1=1 --", "\" OR \"\"=\"", "😀", "_mit",
                        "\\", "*", "NULL", "" };

  g_assert_no_error (error);
  for (guint i = 0; i < page->consumers->len && target == NULL; i++)
    {
      BdConsumer *candidate = g_ptr_array_index (page->consumers, i);
      if (bd_consumer_get_mobile (candidate) != NULL)
        target = candidate;
    }
  g_assert_nonnull (target);

  {
    g_autoptr(GPtrArray) r = search (fixture, "LKO-C", bd_consumer_get_account (target));
    g_assert_cmpuint (r->len, ==, 1);
    g_assert_true (bd_consumer_equal (g_ptr_array_index (r, 0), target));
  }
  {
    g_autoptr(GPtrArray) r = search (fixture, "LKO-C", bd_consumer_get_mobile (target));
    gboolean found = FALSE;
    for (guint i = 0; i < r->len; i++)
      found |= bd_consumer_equal (g_ptr_array_index (r, i), target);
    g_assert_true (found);
  }
  {
    g_autofree char *lower = g_ascii_strdown (bd_consumer_get_meter_serial (target), -1);
    g_autoptr(GPtrArray) r = search (fixture, "LKO-C", lower);
    g_assert_cmpuint (r->len, ==, 1);
  }
  {
    /* Another zone's consumer is invisible by every key. */
    g_autoptr(GPtrArray) r1 = search (fixture, "LKO-C", bd_consumer_get_account (elsewhere));
    g_autoptr(GPtrArray) r2 = search (fixture, "LKO-C", bd_consumer_get_meter_serial (elsewhere));
    g_autoptr(BdConsumer) none = bd_central_db_lookup_consumer (fixture->db, "LKO-C",
                                                                bd_consumer_get_account (elsewhere), &error);
    g_assert_cmpuint (r1->len, ==, 0);
    g_assert_cmpuint (r2->len, ==, 0);
    g_assert_null (none);
    g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
  {
    /* Word prefixes in either script, any case, all words required; the
     * literal matches first, then spelling variants. */
    g_autoptr(GArray) r_matches = NULL;
    g_autoptr(GArray) hi_matches = NULL;
    g_autoptr(GArray) two_matches = NULL;
    g_autoptr(GPtrArray) r = search_with_matches (fixture->db, "LKO-C", "sriv", 200, &r_matches);
    g_autoptr(GPtrArray) hi = search_with_matches (fixture->db, "LKO-C", "श्री", 50, &hi_matches);
    g_autoptr(GPtrArray) two = search_with_matches (fixture->db, "LKO-C", "SUNITA dev", 50, &two_matches);
    guint variants = 0;

    g_assert_cmpuint (r->len, >, 0);
    for (guint i = 0; i < r->len; i++)
      {
        const char *name = bd_consumer_get_name_en (g_ptr_array_index (r, i));
        BdCentralMatch match = g_array_index (r_matches, BdCentralMatch, i);

        if (i > 0)
          g_assert_cmpint (match, >=, g_array_index (r_matches, BdCentralMatch, i - 1));
        if (match == BD_CENTRAL_MATCH_NAME_PREFIX)
          g_assert_nonnull (strstr (name, "Sriv"));
        else
          {
            /* "Shrivastava" is the same family spelt another way. */
            g_assert_cmpint (match, ==, BD_CENTRAL_MATCH_NAME_FUZZY);
            g_assert_nonnull (strstr (name, "Shriv"));
            variants++;
          }
      }
    g_assert_cmpuint (variants, >, 0);
    g_assert_cmpuint (hi->len, >, 0);
    for (guint i = 0; i < hi->len; i++)
      g_assert_nonnull (strstr (bd_consumer_get_name_hi (g_ptr_array_index (hi, i)), "श्री"));
    g_assert_cmpuint (two->len, >, 0);
    for (guint i = 0; i < two->len; i++)
      {
        if (g_array_index (two_matches, BdCentralMatch, i) <= BD_CENTRAL_MATCH_NAME_PREFIX)
          g_assert_true (g_str_has_prefix (bd_consumer_get_name_en (g_ptr_array_index (two, i)), "Sunita Devi"));
      }
    g_assert_true (g_str_has_prefix (bd_consumer_get_name_en (g_ptr_array_index (two, 0)), "Sunita Devi"));
  }
  {
    /* "rivastava" is inside a word, not at its start. */
    g_autoptr(GPtrArray) r = search (fixture, "LKO-C", "rivastava");
    g_assert_cmpuint (r->len, ==, 0);
  }

  for (guint i = 0; i < G_N_ELEMENTS (odd); i++)
    {
      g_autoptr(GPtrArray) r = search (fixture, "LKO-C", odd[i]);
      g_assert_cmpuint (r->len, ==, 0);
    }

  {
    /* Wildcards and emoji separate words; the words themselves still count. */
    g_autoptr(GPtrArray) plain = search (fixture, "LKO-C", "am");
    g_autoptr(GPtrArray) wild = search (fixture, "LKO-C", "am%");
    g_autoptr(GPtrArray) emoji = search (fixture, "LKO-C", "🙏🏽 राम");

    g_assert_cmpuint (plain->len, >, 0);
    g_assert_cmpuint (wild->len, ==, plain->len);
    for (guint i = 0; i < plain->len; i++)
      g_assert_true (bd_consumer_equal (g_ptr_array_index (plain, i), g_ptr_array_index (wild, i)));
    g_assert_cmpuint (emoji->len, >, 0);
    for (guint i = 0; i < emoji->len; i++)
      g_assert_nonnull (strstr (bd_consumer_get_name_hi (g_ptr_array_index (emoji, i)), "राम"));
  }

  {
    g_autoptr(GString) huge = g_string_new (NULL);
    g_autoptr(GPtrArray) r = NULL;

    for (guint i = 0; i < 2000; i++)
      g_string_append (huge, "zq% ");
    r = search (fixture, "LKO-C", huge->str);
    g_assert_cmpuint (r->len, ==, 0);
  }
}

/* Asserts the search gives exactly these accounts (space-separated) in
 * this order, and, unless tiers is NULL, with these tiers. */
static void
assert_search (BdCentralDb        *db,
               const char         *zone,
               const char         *text,
               guint               limit,
               const char         *accounts,
               const BdCentralMatch *tiers)
{
  g_autoptr(GArray) matches = NULL;
  g_autoptr(GPtrArray) results = search_with_matches (db, zone, text, limit, &matches);
  g_autoptr(GString) got = g_string_new (NULL);

  for (guint i = 0; i < results->len; i++)
    g_string_append_printf (got, "%s%s", i > 0 ? " " : "",
                            bd_consumer_get_account (g_ptr_array_index (results, i)));
  g_test_message ("search %s → %s", text, got->str);
  g_assert_cmpstr (got->str, ==, accounts);

  for (guint i = 0; tiers != NULL && i < results->len; i++)
    g_assert_cmpint (g_array_index (matches, BdCentralMatch, i), ==, tiers[i]);
}

static void
test_search_tiers (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(BdCentralDb) db = open_named_db (fixture, "names.sqlite3");
  const BdCentralMatch exact_prefix_fuzzy[] = { BD_CENTRAL_MATCH_NAME_EXACT,
                                                BD_CENTRAL_MATCH_NAME_PREFIX,
                                                BD_CENTRAL_MATCH_NAME_FUZZY };
  const BdCentralMatch exact_fuzzy_fuzzy[] = { BD_CENTRAL_MATCH_NAME_EXACT,
                                               BD_CENTRAL_MATCH_NAME_FUZZY,
                                               BD_CENTRAL_MATCH_NAME_FUZZY };
  const BdCentralMatch fuzzy[] = { BD_CENTRAL_MATCH_NAME_FUZZY, BD_CENTRAL_MATCH_NAME_FUZZY,
                                   BD_CENTRAL_MATCH_NAME_FUZZY };
  const BdCentralMatch exact[] = { BD_CENTRAL_MATCH_NAME_EXACT };
  const BdCentralMatch identifier[] = { BD_CENTRAL_MATCH_IDENTIFIER };

  /* Exact word, then prefix, then spelling variant (Raam ~ Ram). */
  assert_search (db, "LKO-C", "ram", 50, "2100000001 2100000002 2100000003", exact_prefix_fuzzy);
  assert_search (db, "LKO-C", "RAM", 2, "2100000001 2100000002", exact_prefix_fuzzy);
  /* Transliteration variants both ways; within a tier the shorter name first. */
  assert_search (db, "LKO-C", "Shrivastava", 50, "2100000004 2100000005 2100000002", exact_fuzzy_fuzzy);
  assert_search (db, "LKO-C", "srivastava", 50, "2100000002 2100000004 2100000005", exact_fuzzy_fuzzy);
  /* Devanagari: exact, then with matras missing or a short for a long i. */
  assert_search (db, "LKO-C", "राम", 50, "2100000003 2100000001", NULL);
  assert_search (db, "LKO-C", "रमश", 50, "2100000002", fuzzy);
  assert_search (db, "LKO-C", "श्रिवास्तव", 50, "2100000004 2100000005 2100000002", fuzzy);
  assert_search (db, "LKO-C", "गीता दवी", 50, "2100000007", fuzzy);
  assert_search (db, "LKO-C", "geeta devi", 50, "2100000007", exact);
  /* Every word must match, in either script. */
  assert_search (db, "LKO-C", "ram verma", 50, "2100000001", exact);
  assert_search (db, "LKO-C", "ram zzz", 50, "", NULL);
  /* The zone scopes every tier. */
  assert_search (db, "LKO-E", "ram", 50, "2300000006", exact);
  assert_search (db, "LKO-E", "shrivastava", 50, "", NULL);
  assert_search (db, "LKO-C", "2100000004", 50, "2100000004", identifier);
  assert_search (db, "LKO-C", "2300000006", 50, "", NULL);
  g_assert_true (fts_consistent (db));
}

static void
test_search_after_update (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(BdCentralDb) db = open_named_db (fixture, "names.sqlite3");
  g_autoptr(GError) error = NULL;
  const BdCentralMatch exact[] = { BD_CENTRAL_MATCH_NAME_EXACT };

  /* Renamed: the old name no longer finds the record, the new one does. */
  {
    g_autoptr(BdConsumer) renamed = make_named_consumer (0);

    bd_consumer_set_name_en (renamed, "Mohan Lal");
    bd_consumer_set_name_hi (renamed, "मोहन लाल");
    g_assert_true (bd_central_db_update_consumer (db, renamed, FIXED_NOW + 60, &error));
    g_assert_no_error (error);
  }
  assert_search (db, "LKO-C", "prakash", 50, "", NULL);
  assert_search (db, "LKO-C", "mohan", 50, "2100000001", exact);
  assert_search (db, "LKO-C", "मोहन", 50, "2100000001", exact);
  /* Its spelling keys moved too. */
  assert_search (db, "LKO-C", "mohaan laal", 50, "2100000001", NULL);

  /* A balance update leaves the names searchable, once. */
  {
    g_autoptr(BdConsumer) topped_up = make_named_consumer (1);

    bd_consumer_set_balance_paise (topped_up, 50000);
    g_assert_true (bd_central_db_update_consumer (db, topped_up, FIXED_NOW + 120, &error));
    g_assert_no_error (error);
  }
  assert_search (db, "LKO-C", "ramesh", 50, "2100000002", exact);

  /* Moved to another zone: found there only. */
  {
    g_autoptr(BdConsumer) moved = make_named_consumer (5);

    bd_consumer_set_zone (moved, "LKO-C");
    g_assert_true (bd_central_db_update_consumer (db, moved, FIXED_NOW + 180, &error));
    g_assert_no_error (error);
  }
  assert_search (db, "LKO-E", "ram", 50, "", NULL);
  assert_search (db, "LKO-C", "ram prakash", 50, "2300000006", exact);
  g_assert_cmpint (bd_central_db_count_consumers (db, "LKO-C", &error), ==, 7);
  g_assert_cmpint (bd_central_db_count_consumers (db, "LKO-E", &error), ==, 0);
  g_assert_no_error (error);

  g_assert_true (fts_consistent (db));
}

static void
test_migration_from_v1 (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *path = fixture_path (fixture, "v1.sqlite3");
  g_autoptr(GError) error = NULL;
  g_autoptr(BdCentralDb) db = NULL;
  const BdCentralMatch exact_prefix_fuzzy[] = { BD_CENTRAL_MATCH_NAME_EXACT,
                                                BD_CENTRAL_MATCH_NAME_PREFIX,
                                                BD_CENTRAL_MATCH_NAME_FUZZY };

  /* PostgreSQL's schema starts at version 10. */
  if (central_test_skip_unless_sqlite ())
    return;

  /* What a bijli-central of schema 1 left: consumers, old-style name_key. */
  db = bd_central_db_open_at_version (path, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bd_sql_connection_get_version (bd_central_db_get_connection (db)), ==, 1);
  insert_named (db);
  g_assert_true (bd_sql_connection_exec (bd_central_db_get_connection (db),
                                   "UPDATE consumers SET name_key = ' ' || lower (name_en)", &error));
  g_assert_no_error (error);
  g_clear_object (&db);

  db = bd_central_db_open (central_test_url (path), &error);
  g_assert_no_error (error);
  g_assert_cmpint (bd_sql_connection_get_version (bd_central_db_get_connection (db)), >=, 2);
  assert_search (db, "LKO-C", "ram", 50, "2100000001 2100000002 2100000003", exact_prefix_fuzzy);
  assert_search (db, "LKO-C", "रमश", 50, "2100000002", NULL);
  g_assert_cmpint (bd_central_db_count_consumers (db, "LKO-C", &error), ==, 6);
  g_assert_cmpint (bd_central_db_count_consumers (db, NULL, &error), ==, 7);
  g_assert_no_error (error);
  g_assert_true (fts_consistent (db));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/central-db/search", test_search);
  ADD ("/central-db/search/tiers", test_search_tiers);
  ADD ("/central-db/search/after-update", test_search_after_update);
  ADD ("/central-db/migration/from-v1", test_migration_from_v1);

#undef ADD

  return g_test_run ();
}
