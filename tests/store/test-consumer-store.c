/* test-consumer-store.c: applying feed pages and searching the local copy.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include <sqlite3.h>

#include "store/bd-consumer-store.h"
#include "store/bd-database.h"

typedef struct
{
  BdConsumerStore *store;
} Fixture;

static BdConsumer *
make_consumer (const char *account,
               const char *name_en,
               const char *name_hi,
               const char *mobile,
               const char *meter_serial,
               gint64      version)
{
  BdConsumer *c = bd_consumer_new (account);

  bd_consumer_set_name_en (c, name_en);
  bd_consumer_set_name_hi (c, name_hi);
  bd_consumer_set_relation_en (c, "Ram Prakash");
  bd_consumer_set_relation_hi (c, "राम प्रकाश");
  bd_consumer_set_address (c, "12 Gomti Nagar, Lucknow");
  bd_consumer_set_mobile (c, mobile);
  bd_consumer_set_mobile_verified (c, mobile != NULL);
  bd_consumer_set_meter_serial (c, meter_serial);
  bd_consumer_set_meter_make (c, "Genus");
  bd_consumer_set_meter_type (c, BD_METER_TYPE_SMART);
  bd_consumer_set_category (c, "LMV-1");
  bd_consumer_set_sanctioned_load_w (c, 2000);
  bd_consumer_set_phase (c, BD_PHASE_SINGLE);
  bd_consumer_set_feeder (c, "GN-11");
  bd_consumer_set_dt (c, "GN-11-T04");
  bd_consumer_set_pole (c, "P-117");
  bd_consumer_set_zone (c, "LKO-C");
  bd_consumer_set_area_type (c, BD_AREA_URBAN);
  bd_consumer_set_supply_status (c, BD_SUPPLY_CONNECTED);
  bd_consumer_set_balance_paise (c, -12345);
  bd_consumer_set_balance_as_of (c, 1763890000);
  bd_consumer_set_version (c, version);
  bd_consumer_set_updated_at (c, 1763890000 + version);
  return c;
}

static BdChangesPage *
make_page (const char *cursor)
{
  BdChangesPage *page = bd_changes_page_new ();

  page->next_cursor = g_strdup (cursor);
  return page;
}

static void
apply_ok (BdConsumerStore *store,
          BdChangesPage   *page)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (bd_consumer_store_apply_page (store, page, &error));
  g_assert_no_error (error);
}

/* Accounts of a search, in order, joined by spaces. */
static char *
search_accounts (BdConsumerStore *store,
                 const char      *query,
                 guint            limit)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  results = bd_consumer_store_search (store, query, limit, &error);
  g_assert_no_error (error);
  g_assert_nonnull (results);
  g_assert_cmpuint (results->len, <=, limit);
  for (guint i = 0; i < results->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, bd_consumer_get_account (g_ptr_array_index (results, i)));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* For matches of equal standing, whose bm25 order is not part of the contract. */
static char *
search_accounts_sorted (BdConsumerStore *store,
                        const char      *query,
                        guint            limit)
{
  g_autofree char *joined = search_accounts (store, query, limit);
  g_auto(GStrv) accounts = g_strsplit (joined, " ", -1);

  qsort (accounts, g_strv_length (accounts), sizeof (char *), compare_strings);
  return g_strjoinv (" ", accounts);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdChangesPage) page = make_page ("3");

  fixture->store = bd_consumer_store_open (":memory:", &error);
  g_assert_no_error (error);

  g_ptr_array_add (page->consumers,
                   make_consumer ("1234567890", "Anil Kumar Srivastava", "अनिल कुमार श्रीवास्तव",
                                  "9876543210", "GNS12345678", 1));
  g_ptr_array_add (page->consumers,
                   make_consumer ("2345678901", "Sunita Devi", "सुनीता देवी",
                                  "9123456780", "LNT00012345", 1));
  g_ptr_array_add (page->consumers,
                   make_consumer ("3456789012", "Mohammad Irfan", "मोहम्मद इरफ़ान",
                                  NULL, "HPL98765432", 1));
  /* Address mentions an account-like number and the name of another consumer. */
  g_ptr_array_add (page->consumers,
                   make_consumer ("4567890123", "Rekha Srivastava", "रेखा श्रीवास्तव",
                                  "9876543210", "SEC11112222", 1));
  /* Its mobile is the first consumer's account number, as 10 digits from 6–9 can be either. */
  g_ptr_array_add (page->consumers,
                   make_consumer ("6789012345", "Ramesh Yadav", "रमेश यादव",
                                  "7788990011", "GNS00000001", 1));
  g_ptr_array_add (page->consumers,
                   make_consumer ("5678901234", "Pooja Singh", "पूजा सिंह",
                                  "6789012345", "GNS00000002", 1));
  apply_ok (fixture->store, page);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_clear_object (&fixture->store);
}

static void
test_apply_and_count (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;
  g_autoptr(BdConsumer) stored = NULL;
  g_autoptr(BdConsumer) expected = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_cmpint (bd_consumer_store_count (fixture->store, &error), ==, 6);
  g_assert_no_error (error);
  cursor = bd_consumer_store_dup_cursor (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cursor, ==, "3");
  g_assert_cmpint (ABS (bd_consumer_store_get_last_sync (fixture->store) - now), <=, 5);

  /* Every field survives the round trip, including a NULL mobile. */
  stored = bd_consumer_store_lookup (fixture->store, "3456789012", &error);
  g_assert_no_error (error);
  expected = make_consumer ("3456789012", "Mohammad Irfan", "मोहम्मद इरफ़ान",
                            NULL, "HPL98765432", 1);
  g_assert_true (bd_consumer_equal (stored, expected));
  g_assert_null (bd_consumer_get_mobile (stored));
  g_assert_cmpint (bd_consumer_get_balance_paise (stored), ==, -12345);
}

static void
test_fresh_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdConsumerStore) store = NULL;
  g_autofree char *cursor = NULL;
  g_autoptr(GPtrArray) results = NULL;

  store = bd_consumer_store_open (":memory:", &error);
  g_assert_no_error (error);
  cursor = bd_consumer_store_dup_cursor (store, &error);
  g_assert_no_error (error);
  g_assert_null (cursor);
  g_assert_cmpint (bd_consumer_store_get_last_sync (store), ==, 0);
  g_assert_cmpint (bd_consumer_store_count (store, &error), ==, 0);
  results = bd_consumer_store_search (store, "anything", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 0);
}

static void
test_search_account (Fixture       *fixture,
                     gconstpointer  user_data)
{
  const char *forms[] = { "1234567890", "1234 567 890", "1234-567-890", " 12345 67890 " };

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autofree char *accounts = search_accounts (fixture->store, forms[i], 10);
      g_assert_cmpstr (accounts, ==, "1234567890");
    }
}

static void
test_search_mobile (Fixture       *fixture,
                    gconstpointer  user_data)
{
  const char *forms[] = { "9876543210", "+91 98765 43210", "+919876543210", "09876543210", "98765-43210" };

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autofree char *accounts = search_accounts (fixture->store, forms[i], 10);
      g_assert_cmpstr (accounts, ==, "1234567890 4567890123");
    }
}

static void
test_search_account_or_mobile (Fixture       *fixture,
                               gconstpointer  user_data)
{
  /* 6789012345 is Ramesh's account and Pooja's mobile: account first. */
  g_autofree char *accounts = search_accounts (fixture->store, "6789012345", 10);
  g_autofree char *limited = search_accounts (fixture->store, "6789012345", 1);

  g_assert_cmpstr (accounts, ==, "6789012345 5678901234");
  g_assert_cmpstr (limited, ==, "6789012345");
}

static void
test_search_meter_serial (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autofree char *upper = search_accounts (fixture->store, "LNT00012345", 10);
  g_autofree char *lower = search_accounts (fixture->store, "lnt00012345", 10);

  g_assert_cmpstr (upper, ==, "2345678901");
  g_assert_cmpstr (lower, ==, "2345678901");
}

static void
test_search_name (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autofree char *latin = search_accounts_sorted (fixture->store, "sriv", 10);
  g_autofree char *devanagari = search_accounts_sorted (fixture->store, "श्रीवा", 10);
  g_autofree char *two_words = search_accounts (fixture->store, "anil sriv", 10);
  g_autofree char *capitals = search_accounts (fixture->store, "SUNITA", 10);
  g_autofree char *hindi_full = search_accounts (fixture->store, "सुनीता देवी", 10);
  g_autofree char *nukta = search_accounts (fixture->store, "इरफ़ान", 10);
  g_autofree char *nothing = search_accounts (fixture->store, "zzzz", 10);
  g_autofree char *limited = search_accounts (fixture->store, "sriv", 1);
  g_autofree char *relation = search_accounts (fixture->store, "prakash", 10);

  g_assert_cmpstr (latin, ==, "1234567890 4567890123");
  g_assert_cmpstr (devanagari, ==, "1234567890 4567890123");
  g_assert_cmpstr (two_words, ==, "1234567890");
  g_assert_cmpstr (capitals, ==, "2345678901");
  g_assert_cmpstr (hindi_full, ==, "2345678901");
  g_assert_cmpstr (nukta, ==, "3456789012");
  g_assert_cmpstr (nothing, ==, "");
  g_assert_cmpuint (strlen (limited), ==, 10);
  /* Everyone's father is Ram Prakash in this fixture. */
  g_assert_cmpuint (strlen (relation), ==, 6 * 10 + 5);
}

static void
test_ranking (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdChangesPage) page = make_page ("4");
  g_autofree char *by_serial = NULL;
  g_autofree char *by_name = NULL;

  /* A consumer whose name word is another's meter serial, and one whose
   * name matches "sriv" only in the father's name. */
  g_ptr_array_add (page->consumers,
                   make_consumer ("7890123456", "Hpl98765432 Traders", "", NULL, "XYZ0001", 1));
  {
    BdConsumer *c = make_consumer ("8901234567", "Kavita Sharma", "कविता शर्मा", NULL, "XYZ0002", 1);

    bd_consumer_set_relation_en (c, "Vinod Srivastava");
    g_ptr_array_add (page->consumers, c);
  }
  apply_ok (fixture->store, page);

  by_serial = search_accounts (fixture->store, "HPL98765432", 10);
  g_assert_cmpstr (by_serial, ==, "3456789012 7890123456");

  /* Own name weighs more than the father's name. */
  by_name = search_accounts (fixture->store, "srivastava", 10);
  g_assert_true (g_str_has_suffix (by_name, "8901234567"));
  g_assert_cmpuint (strlen (by_name), ==, 3 * 10 + 2);
  g_assert_no_error (error);
}

/* A serial-like word typed is looked for as a whole word in names too,
 * after the serials equal to it (or, if none, starting with it), in own
 * and relation's names; the search looks whether the word is in any name
 * before it runs that tier, and must not lose these. */
static void
test_search_serial_in_names (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autoptr(BdChangesPage) page = make_page ("4");
  g_autofree char *exact_then_names = NULL;
  g_autofree char *upper = NULL;
  g_autofree char *limited = NULL;
  g_autofree char *prefix_then_name = NULL;
  g_autofree char *name_only = NULL;
  g_autofree char *relation_only = NULL;
  g_autofree char *part_of_word = NULL;
  g_autofree char *nowhere = NULL;

  g_ptr_array_add (page->consumers,
                   make_consumer ("7100000001", "Gns12345678 Electricals", "", NULL, "XYZ0001", 1));
  g_ptr_array_add (page->consumers,
                   make_consumer ("7100000002", "Gns12345678 Co", "", NULL, "XYZ0002", 1));
  g_ptr_array_add (page->consumers,
                   make_consumer ("7100000003", "Lnt0001 Agency", "", NULL, "XYZ0003", 1));
  g_ptr_array_add (page->consumers,
                   make_consumer ("7100000004", "Zx9981 Stores", "", NULL, "XYZ0004", 1));
  {
    BdConsumer *c = make_consumer ("7100000005", "Kavita Sharma", "कविता शर्मा", NULL, "XYZ0005", 1);

    bd_consumer_set_relation_en (c, "Qb7734 Transport");
    g_ptr_array_add (page->consumers, c);
  }
  apply_ok (fixture->store, page);

  /* The exact serial first, then the names holding it, shorter first. */
  exact_then_names = search_accounts (fixture->store, "gns12345678", 10);
  g_assert_cmpstr (exact_then_names, ==, "1234567890 7100000002 7100000001");
  upper = search_accounts (fixture->store, "GNS12345678", 10);
  g_assert_cmpstr (upper, ==, exact_then_names);
  limited = search_accounts (fixture->store, "gns12345678", 1);
  g_assert_cmpstr (limited, ==, "1234567890");

  /* Serials starting with it, then the name holding it whole. */
  prefix_then_name = search_accounts (fixture->store, "lnt0001", 10);
  g_assert_cmpstr (prefix_then_name, ==, "2345678901 7100000003");

  /* In a name only, own or a relation's; never as part of a word. */
  name_only = search_accounts (fixture->store, "zx9981", 10);
  g_assert_cmpstr (name_only, ==, "7100000004");
  relation_only = search_accounts (fixture->store, "QB7734", 10);
  g_assert_cmpstr (relation_only, ==, "7100000005");
  part_of_word = search_accounts (fixture->store, "zx998", 10);
  g_assert_cmpstr (part_of_word, ==, "");
  nowhere = search_accounts (fixture->store, "qq12345", 10);
  g_assert_cmpstr (nowhere, ==, "");
}

static void
test_odd_input (Fixture       *fixture,
                gconstpointer  user_data)
{
  const char *inputs[] = {
    "%", "_", "\"", "*", "' OR 1=1 --", "NEAR(", "NEAR(sriv sunita)", "sriv OR sunita",
    "\"sriv", "sriv\"*", "name_en:sriv", "^sriv", "😀", "sriv 😀", "", "   ", "-", "+",
    "(", ")", "AND", "NOT", "\xff\xfe invalid utf8", "१२३४५६७८९०", "ab\"cd", "%sriv%",
  };
  g_autoptr(GString) huge = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GPtrArray) r = bd_consumer_store_search (fixture->store, inputs[i], 20, &error);

      g_assert_no_error (error);
      g_assert_nonnull (r);
      g_assert_cmpuint (r->len, <=, 20);
    }

  /* Wildcards are not wildcards, and SQL is not SQL. */
  {
    g_autofree char *percent = search_accounts (fixture->store, "%", 20);
    g_autofree char *injection = search_accounts (fixture->store, "' OR 1=1 --", 20);
    g_autofree char *empty = search_accounts (fixture->store, "", 20);
    g_autofree char *emoji = search_accounts (fixture->store, "😀", 20);
    g_autofree char *near = search_accounts (fixture->store, "NEAR(sunita", 20);
    g_autofree char *with_emoji = search_accounts (fixture->store, "sunita 😀", 20);

    g_assert_cmpstr (percent, ==, "");
    g_assert_cmpstr (injection, ==, "");
    g_assert_cmpstr (empty, ==, "");
    g_assert_cmpstr (emoji, ==, "");
    /* "near" is a plain word here (and matches nobody together with sunita). */
    g_assert_cmpstr (near, ==, "");
    g_assert_cmpstr (with_emoji, ==, "2345678901");
  }

  for (guint i = 0; huge->len < 5 * 1024; i++)
    g_string_append_printf (huge, "%s%u \"*%% ", (i % 2) ? "सुनीता" : "sunita", i);
  results = bd_consumer_store_search (fixture->store, huge->str, 20, &error);
  g_assert_no_error (error);
  g_assert_nonnull (results);

  /* The store still works after all that. */
  g_assert_cmpint (bd_consumer_store_count (fixture->store, &error), ==, 6);
  g_assert_no_error (error);
}

static void
test_version_replay (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdConsumer) after_newer = NULL;
  g_autoptr(BdConsumer) after_older = NULL;
  g_autofree char *old_name = NULL;
  g_autofree char *new_name = NULL;

  {
    g_autoptr(BdChangesPage) page = make_page ("4");
    BdConsumer *c = make_consumer ("2345678901", "Sunita Verma", "सुनीता वर्मा",
                                   "9123456780", "LNT00012345", 2);

    bd_consumer_set_balance_paise (c, 50000);
    g_ptr_array_add (page->consumers, c);
    apply_ok (fixture->store, page);
  }
  after_newer = bd_consumer_store_lookup (fixture->store, "2345678901", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bd_consumer_get_name_en (after_newer), ==, "Sunita Verma");
  g_assert_cmpint (bd_consumer_get_version (after_newer), ==, 2);
  g_assert_cmpint (bd_consumer_get_balance_paise (after_newer), ==, 50000);

  /* The search index follows the update: old words gone, new words found. */
  old_name = search_accounts (fixture->store, "devi", 10);
  new_name = search_accounts (fixture->store, "verma", 10);
  g_assert_cmpstr (old_name, ==, "");
  g_assert_cmpstr (new_name, ==, "2345678901");

  /* The feed replays version 1 and version 2: both ignored. */
  {
    g_autoptr(BdChangesPage) page = make_page ("5");

    g_ptr_array_add (page->consumers,
                     make_consumer ("2345678901", "Sunita Devi", "सुनीता देवी",
                                    "9123456780", "LNT00012345", 1));
    g_ptr_array_add (page->consumers,
                     make_consumer ("2345678901", "Sunita Replayed", "सुनीता",
                                    "9123456780", "LNT00012345", 2));
    apply_ok (fixture->store, page);
  }
  after_older = bd_consumer_store_lookup (fixture->store, "2345678901", &error);
  g_assert_no_error (error);
  g_assert_true (bd_consumer_equal (after_newer, after_older));
  {
    g_autofree char *devi = search_accounts (fixture->store, "devi", 10);
    g_autofree char *replayed = search_accounts (fixture->store, "replayed", 10);
    g_autofree char *cursor = bd_consumer_store_dup_cursor (fixture->store, &error);

    g_assert_cmpstr (devi, ==, "");
    g_assert_cmpstr (replayed, ==, "");
    g_assert_cmpstr (cursor, ==, "5");
  }
  g_assert_cmpint (bd_consumer_store_count (fixture->store, &error), ==, 6);
}

static void
test_atomic_page (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdChangesPage) page = make_page ("99");
  g_autoptr(BdConsumer) unchanged = NULL;
  g_autofree char *cursor = NULL;
  g_autofree char *fts = NULL;
  BdConsumer *bad;

  /* First a valid update and a valid insert, then a record that breaks a
   * constraint (negative sanctioned load). */
  g_ptr_array_add (page->consumers,
                   make_consumer ("1234567890", "Changed Name", "", "9876543210", "GNS12345678", 5));
  g_ptr_array_add (page->consumers,
                   make_consumer ("9999999999", "Newcomer Person", "", NULL, "NEW00000001", 1));
  bad = make_consumer ("8888888888", "Broken Record", "", NULL, "BAD00000001", 1);
  bd_consumer_set_sanctioned_load_w (bad, -1);
  g_ptr_array_add (page->consumers, bad);

  g_assert_false (bd_consumer_store_apply_page (fixture->store, page, &error));
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY);
  g_clear_error (&error);

  g_assert_cmpint (bd_consumer_store_count (fixture->store, &error), ==, 6);
  cursor = bd_consumer_store_dup_cursor (fixture->store, &error);
  g_assert_cmpstr (cursor, ==, "3");
  unchanged = bd_consumer_store_lookup (fixture->store, "1234567890", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bd_consumer_get_name_en (unchanged), ==, "Anil Kumar Srivastava");
  fts = search_accounts (fixture->store, "newcomer", 10);
  g_assert_cmpstr (fts, ==, "");

  /* An empty account breaks the primary key's check the same way. */
  {
    g_autoptr(BdChangesPage) page2 = make_page ("100");

    g_ptr_array_add (page2->consumers,
                     make_consumer ("9999999999", "Newcomer Person", "", NULL, "NEW00000001", 1));
    g_ptr_array_add (page2->consumers, make_consumer ("", "Nobody", "", NULL, "BAD00000002", 1));
    g_assert_false (bd_consumer_store_apply_page (fixture->store, page2, &error));
    g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY);
    g_clear_error (&error);
  }
  g_assert_cmpint (bd_consumer_store_count (fixture->store, &error), ==, 6);
  g_clear_pointer (&cursor, g_free);
  cursor = bd_consumer_store_dup_cursor (fixture->store, &error);
  g_assert_cmpstr (cursor, ==, "3");

  /* And the store still takes a good page afterwards. */
  g_ptr_array_remove_index (page->consumers, 2);
  apply_ok (fixture->store, page);
  g_assert_cmpint (bd_consumer_store_count (fixture->store, &error), ==, 7);
  g_clear_pointer (&cursor, g_free);
  cursor = bd_consumer_store_dup_cursor (fixture->store, &error);
  g_assert_cmpstr (cursor, ==, "99");
  g_assert_no_error (error);
}

static void
test_lookup_missing (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdConsumer) missing = NULL;

  missing = bd_consumer_store_lookup (fixture->store, "1111111111", &error);
  g_assert_null (missing);
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND);
}

static void
on_async_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
test_async (Fixture       *fixture,
            gconstpointer  user_data)
{
  const char *queries[] = { "sriv", "श्रीवा", "9876543210", "6789012345", "LNT00012345", "%", "" };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GPtrArray) async_results = NULL;
      g_autoptr(GPtrArray) sync_results = NULL;
      char *query = g_strdup (queries[i]);

      /* The query is freed right away: the store must have copied it. */
      bd_consumer_store_search_async (fixture->store, query, 10, NULL, on_async_done_cb, &result);
      g_free (query);
      async_results = bd_consumer_store_search_finish (fixture->store, wait_for (&result), &error);
      g_assert_no_error (error);
      sync_results = bd_consumer_store_search (fixture->store, queries[i], 10, &error);
      g_assert_no_error (error);

      g_assert_cmpuint (async_results->len, ==, sync_results->len);
      for (guint j = 0; j < sync_results->len; j++)
        g_assert_true (bd_consumer_equal (g_ptr_array_index (async_results, j),
                                          g_ptr_array_index (sync_results, j)));
    }

  /* Lookup, found and missing. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(BdConsumer) c = NULL;

    bd_consumer_store_lookup_async (fixture->store, "2345678901", NULL, on_async_done_cb, &result);
    c = bd_consumer_store_lookup_finish (fixture->store, wait_for (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (bd_consumer_get_name_en (c), ==, "Sunita Devi");
  }
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(BdConsumer) c = NULL;

    bd_consumer_store_lookup_async (fixture->store, "1111111111", NULL, on_async_done_cb, &result);
    c = bd_consumer_store_lookup_finish (fixture->store, wait_for (&result), &error);
    g_assert_null (c);
    g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }

  /* Apply: the caller frees its page before the worker is done. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    BdChangesPage *page = make_page ("7");
    g_autofree char *cursor = NULL;

    g_ptr_array_add (page->consumers,
                     make_consumer ("1212121212", "Async Arrival", "", NULL, "ASY00000001", 1));
    bd_consumer_store_apply_page_async (fixture->store, page, NULL, on_async_done_cb, &result);
    bd_changes_page_free (page);
    g_assert_true (bd_consumer_store_apply_page_finish (fixture->store, wait_for (&result), &error));
    g_assert_no_error (error);
    g_assert_cmpint (bd_consumer_store_count (fixture->store, &error), ==, 7);
    cursor = bd_consumer_store_dup_cursor (fixture->store, &error);
    g_assert_cmpstr (cursor, ==, "7");
  }

  /* Cancelled before it starts: nothing applied. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(BdChangesPage) page = make_page ("8");
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();

    g_ptr_array_add (page->consumers,
                     make_consumer ("1313131313", "Never Stored", "", NULL, "ASY00000002", 1));
    g_cancellable_cancel (cancellable);
    bd_consumer_store_apply_page_async (fixture->store, page, cancellable, on_async_done_cb, &result);
    g_assert_false (bd_consumer_store_apply_page_finish (fixture->store, wait_for (&result), &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    g_assert_cmpint (bd_consumer_store_count (fixture->store, &error), ==, 7);
  }
}

typedef struct
{
  BdConsumerStore *store;
  guint            thread_index;
} ThreadArgs;

static gpointer
writer_thread (gpointer user_data)
{
  ThreadArgs *args = user_data;

  for (guint p = 0; p < 20; p++)
    {
      g_autoptr(BdChangesPage) page = NULL;
      g_autofree char *cursor = g_strdup_printf ("%u-%u", args->thread_index, p);
      g_autoptr(GError) error = NULL;

      page = make_page (cursor);
      for (guint i = 0; i < 25; i++)
        {
          g_autofree char *account = g_strdup_printf ("5%01u%02u%06u", args->thread_index, p, i);
          g_ptr_array_add (page->consumers,
                           make_consumer (account, "Threaded Writer", "", NULL, "THR00000001", 1));
        }
      g_assert_true (bd_consumer_store_apply_page (args->store, page, &error));
      g_assert_no_error (error);
    }
  return NULL;
}

static gpointer
reader_thread (gpointer user_data)
{
  ThreadArgs *args = user_data;

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) r = bd_consumer_store_search (args->store, "threaded", 5, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (r->len, <=, 5);
    }
  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bd-test-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "local.sqlite3", NULL);
  g_autoptr(BdConsumerStore) store = NULL;
  ThreadArgs args[4];
  GThread *threads[4];

  store = bd_consumer_store_open (path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      args[i].store = store;
      args[i].thread_index = i;
      threads[i] = g_thread_new ("store-test", (i % 2) ? reader_thread : writer_thread, &args[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_assert_cmpint (bd_consumer_store_count (store, &error), ==, 2 * 20 * 25);
  g_clear_object (&store);

  /* Re-opened from disk: everything is there. */
  store = bd_consumer_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bd_consumer_store_count (store, &error), ==, 2 * 20 * 25);
  g_clear_object (&store);

  {
    const char *suffixes[] = { "", "-wal", "-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
        g_unlink (file);
      }
    g_rmdir (dir);
  }
}


static void
add_consumer (BdConsumerStore *store,
              const char      *cursor,
              BdConsumer      *consumer)
{
  g_autoptr(BdChangesPage) page = make_page (cursor);

  g_ptr_array_add (page->consumers, consumer);
  apply_ok (store, page);
}

static BdConsumer *
make_named (const char *account,
            const char *name_en,
            const char *name_hi,
            const char *relation_en,
            const char *relation_hi)
{
  BdConsumer *c = make_consumer (account, name_en, name_hi, NULL, NULL, 1);

  bd_consumer_set_relation_en (c, relation_en);
  bd_consumer_set_relation_hi (c, relation_hi);
  return c;
}

static void
test_ranking_tiers (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdConsumerStore) store = bd_consumer_store_open (":memory:", &error);
  g_autoptr(BdChangesPage) page = make_page ("1");
  g_autofree char *sharma = NULL;
  g_autofree char *hindi = NULL;
  g_autofree char *limited = NULL;
  g_autofree char *numbers = NULL;

  g_assert_no_error (error);
  /* Inserted worst first, so that rowid order cannot explain the ranking. */
  g_ptr_array_add (page->consumers,   /* fuzzy: a variant spelling */
                   make_named ("1000000005", "Anil Sarma", "अनिल शरमा", "Vinod Sarma", "विनोद शरमा"));
  g_ptr_array_add (page->consumers,   /* prefix of the own name */
                   make_named ("1000000004", "Sharmaji Traders", "शर्माजी ट्रेडर्स", "Vinod Gupta", "विनोद गुप्ता"));
  g_ptr_array_add (page->consumers,   /* whole word, relation's name only */
                   make_named ("1000000003", "Rekha Verma", "रेखा वर्मा", "Ram Sharma", "राम शर्मा"));
  g_ptr_array_add (page->consumers,   /* whole word, own name, longer */
                   make_named ("1000000002", "Kavita Kumari Sharma", "कविता कुमारी शर्मा", "Om Verma", "ओम वर्मा"));
  g_ptr_array_add (page->consumers,   /* whole word, own name, shorter */
                   make_named ("1000000001", "Om Sharma", "ओम शर्मा", "Hari Verma", "हरि वर्मा"));
  g_ptr_array_add (page->consumers,   /* unrelated */
                   make_named ("1000000006", "Sunil Yadav", "सुनील यादव", "Ram Yadav", "राम यादव"));
  apply_ok (store, page);

  sharma = search_accounts (store, "sharma", 10);
  g_assert_cmpstr (sharma, ==, "1000000001 1000000002 1000000003 1000000004 1000000005");
  hindi = search_accounts (store, "शर्मा", 10);
  g_assert_cmpstr (hindi, ==, "1000000001 1000000002 1000000003 1000000004 1000000005");
  limited = search_accounts (store, "sharma", 2);
  g_assert_cmpstr (limited, ==, "1000000001 1000000002");

  /* Every word is required, across own and relation's names. */
  {
    g_autofree char *both = search_accounts (store, "rekha sharma", 10);
    g_autofree char *none = search_accounts (store, "sunil sharma", 10);

    g_assert_cmpstr (both, ==, "1000000003");
    g_assert_cmpstr (none, ==, "");
  }

  /* Digits being typed: accounts starting with them, then mobiles. */
  add_consumer (store, "2", make_consumer ("2000000001", "Mobile Owner", "", "9100000001", NULL, 1));
  add_consumer (store, "3", make_consumer ("9100000009", "Account Owner", "", NULL, NULL, 1));
  numbers = search_accounts (store, "9100 00", 10);
  g_assert_cmpstr (numbers, ==, "9100000009 2000000001");
}

static void
test_normalisation (Fixture       *fixture,
                    gconstpointer  user_data)
{
  const struct {
    const char *query;
    const char *accounts;   /* in rank order */
  } cases[] = {
    /* Accounts: 10 and 12 digits, with spaces or dashes, or the start of one. */
    { "1234567890", "1234567890" },
    { "12345 67890", "1234567890" },
    { "1234-567-890", "1234567890" },
    { "4812 0000 1234", "481200001234" },
    { "4812-0000-1234", "481200001234" },
    { "481200001234", "481200001234" },
    { "12345678", "1234567890" },
    /* Mobiles with +91, 91, 0, spaces. */
    { "+91 91234 56780", "2345678901" },
    { "0 9123456780", "2345678901" },
    { "+919123456780", "2345678901" },
    /* Meter serials in any case, whole or their start. */
    { "lnt00012345", "2345678901" },
    { "Lnt00012345", "2345678901" },
    { "LNT0001", "2345678901" },
    { "gns0000000", "6789012345 5678901234" },
    /* Names: both scripts, any case, whole or prefix, several words. */
    { "SUNITA", "2345678901" },
    { "sunita devi", "2345678901" },
    { "सुनीता देवी", "2345678901" },
    { "sun", "2345678901" },
    { "सुनी", "2345678901" },
    { "रमेश याद", "6789012345" },
    { "irfan", "3456789012" },
    { "इरफान", "3456789012" },          /* without the nukta */
    /* Spelling variants and missing matras, through name keys; the
     * shorter name first. */
    { "Shrivastava", "4567890123 1234567890" },
    { "srivastav", "4567890123 1234567890" },
    { "anil shrivastav", "1234567890" },
    { "mohamad", "3456789012" },
    { "puja", "5678901234" },
    { "सुनिता", "2345678901" },          /* short i for long ī */
    { "रमश", "6789012345" },             /* no matras at all */
    { "श्रिवास्तव", "4567890123 1234567890" },
  };
  g_autoptr(BdChangesPage) page = make_page ("4");

  g_ptr_array_add (page->consumers,
                   make_consumer ("481200001234", "Ram Dulari", "राम दुलारी", NULL, "HPL00000009", 1));
  apply_ok (fixture->store, page);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *accounts = search_accounts (fixture->store, cases[i].query, 10);

      g_test_message ("query “%s”", cases[i].query);
      g_assert_cmpstr (accounts, ==, cases[i].accounts);
    }
}

/* Names outside ASCII and Devanagari, or long ones, take the general path
 * of folding; they must be found the same way. */
static void
test_other_scripts (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(BdChangesPage) page = make_page ("4");
  g_autofree char *accented = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *ninth = NULL;
  g_autofree char *fullwidth = NULL;

  g_ptr_array_add (page->consumers,
                   make_consumer ("7000000001", "Zoë Fernandes", "ज़ोई फ़र्नांडिस", NULL, NULL, 1));
  g_ptr_array_add (page->consumers,
                   make_consumer ("7000000002", "One Two Three Four Five Six Seven Eight Ninthword",
                                  "", NULL, NULL, 1));
  g_ptr_array_add (page->consumers,
                   make_consumer ("7000000003", "ＡＢＣＤ Person", "", NULL, NULL, 1));
  apply_ok (fixture->store, page);

  accented = search_accounts (fixture->store, "zoë", 10);
  plain = search_accounts (fixture->store, "zoe fern", 10);
  ninth = search_accounts (fixture->store, "ninthword", 10);
  fullwidth = search_accounts (fixture->store, "abcd", 10);
  g_assert_cmpstr (accented, ==, "7000000001");
  g_assert_cmpstr (plain, ==, "7000000001");
  g_assert_cmpstr (ninth, ==, "7000000002");
  g_assert_cmpstr (fullwidth, ==, "7000000003");
}

static void
remove_database (const char *dir,
                 const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_unlink (file);
    }
  g_rmdir (dir);
}

/* FTS5's own check, and no index row without its consumer. */
static void
assert_index_consistent (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO consumers_fts (consumers_fts) "
                                     "VALUES ('integrity-check')", NULL, NULL, &message),
                   ==, SQLITE_OK);
  g_assert_null (message);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT (SELECT count(*) FROM consumers_fts), "
                                       "       (SELECT count(*) FROM consumers), "
                                       "       (SELECT count(*) FROM consumers_fts "
                                       "        WHERE rowid NOT IN (SELECT rowid FROM consumers)), "
                                       "       (SELECT value FROM sync_state WHERE key = 'consumer_count')",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, sqlite3_column_int (stmt, 1));
  g_assert_cmpint (sqlite3_column_int (stmt, 2), ==, 0);
  /* The count the store keeps instead of counting. */
  g_assert_cmpint (sqlite3_column_int (stmt, 3), ==, sqlite3_column_int (stmt, 1));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
test_index_after_update_and_delete (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bd-test-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "local.sqlite3", NULL);
  g_autoptr(BdConsumerStore) store = NULL;

  store = bd_consumer_store_open (path, &error);
  g_assert_no_error (error);
  {
    g_autoptr(BdChangesPage) page = make_page ("1");

    g_ptr_array_add (page->consumers,
                     make_consumer ("2345678901", "Sunita Devi", "सुनीता देवी", "9123456780", "LNT00012345", 1));
    g_ptr_array_add (page->consumers,
                     make_consumer ("1234567890", "Anil Kumar Srivastava", "अनिल कुमार श्रीवास्तव",
                                    "9876543210", "GNS12345678", 1));
    apply_ok (store, page);
  }
  assert_index_consistent (path);

  /* Renamed in both scripts: old words, prefixes and variants find nothing. */
  add_consumer (store, "2", make_consumer ("2345678901", "Sunita Verma", "सुनीता वर्मा",
                                           "9123456780", "LNT00012345", 2));
  {
    const char *gone[] = { "devi", "dev", "देवी", "दवी", "sunita devi" };
    const char *found[] = { "verma", "verm", "वर्मा", "वरमा", "sunita verma", "सुनीता वर" };

    for (guint i = 0; i < G_N_ELEMENTS (gone); i++)
      {
        g_autofree char *accounts = search_accounts (store, gone[i], 10);
        g_assert_cmpstr (accounts, ==, "");
      }
    for (guint i = 0; i < G_N_ELEMENTS (found); i++)
      {
        g_autofree char *accounts = search_accounts (store, found[i], 10);
        g_assert_cmpstr (accounts, ==, "2345678901");
      }
  }
  /* A change of balance alone keeps the name searchable. */
  {
    BdConsumer *c = make_consumer ("2345678901", "Sunita Verma", "सुनीता वर्मा",
                                   "9123456780", "LNT00012345", 3);
    g_autofree char *accounts = NULL;

    bd_consumer_set_balance_paise (c, 99);
    add_consumer (store, "3", c);
    accounts = search_accounts (store, "sunita verma", 10);
    g_assert_cmpstr (accounts, ==, "2345678901");
  }
  assert_index_consistent (path);

  /* A new mobile and meter: found by the new ones only, and still after a
   * later change that leaves them as they are (an update that does not
   * touch their indexes). */
  add_consumer (store, "3a", make_consumer ("2345678901", "Sunita Verma", "सुनीता वर्मा",
                                            "9000011111", "HPL55554444", 4));
  {
    BdConsumer *c = make_consumer ("2345678901", "Sunita Verma", "सुनीता वर्मा",
                                   "9000011111", "HPL55554444", 5);
    const char *gone[] = { "9123456780", "LNT00012345" };
    const char *found[] = { "9000011111", "+91 90000 11111", "HPL55554444", "hpl55554444", "hpl5555" };

    bd_consumer_set_balance_paise (c, -500);
    add_consumer (store, "3b", c);
    for (guint i = 0; i < G_N_ELEMENTS (gone); i++)
      {
        g_autofree char *accounts = search_accounts (store, gone[i], 10);
        g_assert_cmpstr (accounts, ==, "");
      }
    for (guint i = 0; i < G_N_ELEMENTS (found); i++)
      {
        g_autofree char *accounts = search_accounts (store, found[i], 10);
        g_assert_cmpstr (accounts, ==, "2345678901");
      }
  }
  {
    g_autoptr(BdConsumer) c = bd_consumer_store_lookup (store, "2345678901", &error);

    g_assert_no_error (error);
    g_assert_cmpint (bd_consumer_get_balance_paise (c), ==, -500);
    g_assert_cmpint (bd_consumer_get_version (c), ==, 5);
  }
  /* Every index entry matches its row (integrity_check compares them). */
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
  assert_index_consistent (path);

  /* Deleted: gone from every kind of search, and deleting again is fine. */
  g_assert_true (bd_consumer_store_delete (store, "2345678901", &error));
  g_assert_no_error (error);
  g_assert_true (bd_consumer_store_delete (store, "2345678901", &error));
  g_assert_no_error (error);
  {
    const char *queries[] = { "sunita", "verma", "सुनीता", "9123456780", "LNT00012345", "2345678901", "sunit" };
    g_autoptr(BdConsumer) missing = bd_consumer_store_lookup (store, "2345678901", &error);

    g_assert_null (missing);
    g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
    for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
      {
        g_autofree char *accounts = search_accounts (store, queries[i], 10);
        g_assert_cmpstr (accounts, ==, "");
      }
  }
  g_assert_cmpint (bd_consumer_store_count (store, &error), ==, 1);
  assert_index_consistent (path);

  /* Back again (under a new rowid) with another name. */
  add_consumer (store, "4", make_consumer ("2345678901", "Sunita Rawat", "सुनीता रावत",
                                           "9123456780", "LNT00012345", 4));
  {
    g_autofree char *now = search_accounts (store, "rawat", 10);
    g_autofree char *before = search_accounts (store, "verma", 10);

    g_assert_cmpstr (now, ==, "2345678901");
    g_assert_cmpstr (before, ==, "");
  }
  assert_index_consistent (path);

  g_clear_object (&store);
  /* Reopened: the index is not rebuilt needlessly and still consistent. */
  store = bd_consumer_store_open (path, &error);
  g_assert_no_error (error);
  {
    g_autofree char *anil = search_accounts (store, "anil srivastava", 10);
    g_assert_cmpstr (anil, ==, "1234567890");
  }
  g_clear_object (&store);
  assert_index_consistent (path);
  remove_database (dir, path);
}

/* A store written by the first schema: migration 2 replaces its search
 * index, which is then rebuilt from the consumers on open. */
static void
test_migration_from_first_schema (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bd-test-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "local.sqlite3", NULL);
  g_autoptr(BdConsumerStore) store = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
    "PRAGMA journal_mode = WAL;"
    "CREATE TABLE consumers (account TEXT PRIMARY KEY NOT NULL, name_en TEXT, name_hi TEXT,"
    "  relation_en TEXT, relation_hi TEXT, address TEXT, mobile TEXT,"
    "  mobile_verified INTEGER NOT NULL, meter_serial TEXT, meter_make TEXT,"
    "  meter_type TEXT NOT NULL, category TEXT, sanctioned_load_w INTEGER NOT NULL,"
    "  phase TEXT NOT NULL, feeder TEXT, dt TEXT, pole TEXT, zone TEXT,"
    "  area_type TEXT NOT NULL, supply_status TEXT NOT NULL, balance_paise INTEGER NOT NULL,"
    "  balance_as_of INTEGER, version INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE INDEX consumers_mobile ON consumers (mobile);"
    "CREATE INDEX consumers_meter_serial ON consumers (meter_serial COLLATE NOCASE);"
    "CREATE VIRTUAL TABLE consumers_fts USING fts5 (name_en, name_hi, relation_en,"
    "  relation_hi, address);"
    "CREATE TABLE sync_state (key TEXT PRIMARY KEY NOT NULL, value);"
    "INSERT INTO consumers VALUES ('1234567890', 'Anil Kumar Shrivastava', 'अनिल कुमार श्रीवास्तव',"
    "  'Ram Prakash', 'राम प्रकाश', '12 Gomti Nagar', '9876543210', 1, 'GNS12345678', 'Genus',"
    "  'smart', 'LMV-1', 2000, 'single', 'GN-11', 'GN-11-T04', 'P-117', 'LKO-C', 'urban',"
    "  'connected', -12345, 1763890000, 1, 1763890001);"
    "INSERT INTO consumers_fts (rowid, name_en) VALUES (1, 'anil kumar shrivastava');"
    "INSERT INTO sync_state VALUES ('cursor', '41');"
    "PRAGMA user_version = 1;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = bd_consumer_store_open (path, &error);
  g_assert_no_error (error);
  {
    g_autofree char *cursor = bd_consumer_store_dup_cursor (store, &error);
    g_autofree char *latin = search_accounts (store, "srivastava", 10);
    g_autofree char *devanagari = search_accounts (store, "राम प्रका", 10);

    g_assert_cmpstr (cursor, ==, "41");
    g_assert_cmpint (bd_consumer_store_count (store, &error), ==, 1);
    g_assert_cmpstr (latin, ==, "1234567890");
    g_assert_cmpstr (devanagari, ==, "1234567890");
  }
  g_clear_object (&store);
  assert_index_consistent (path);
  remove_database (dir, path);
}

typedef struct
{
  BdConsumerStore *store;
  gint             done;
  guint            reads;
} ConcurrentState;

static gpointer
page_writer_thread (gpointer user_data)
{
  ConcurrentState *state = user_data;

  for (guint p = 0; p < 40; p++)
    {
      g_autoptr(BdChangesPage) page = NULL;
      g_autofree char *cursor = g_strdup_printf ("w%u", p);
      g_autoptr(GError) error = NULL;

      page = make_page (cursor);
      for (guint i = 0; i < 250; i++)
        {
          g_autofree char *account = g_strdup_printf ("30%08u", p * 250 + i);
          g_ptr_array_add (page->consumers,
                           make_consumer (account, "Sync Writer", "सिंक राइटर", NULL, NULL, 1));
        }
      g_assert_true (bd_consumer_store_apply_page (state->store, page, &error));
      g_assert_no_error (error);
    }
  g_atomic_int_set (&state->done, 1);
  return NULL;
}

static void
test_read_during_write (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bd-test-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "local.sqlite3", NULL);
  ConcurrentState state = { NULL, 0, 0 };
  GThread *writer;
  gint64 last_count = 0;

  state.store = bd_consumer_store_open (path, &error);
  g_assert_no_error (error);
  add_consumer (state.store, "0",
                make_consumer ("1234567890", "Anil Kumar Srivastava", "अनिल कुमार श्रीवास्तव",
                               "9876543210", "GNS12345678", 1));

  writer = g_thread_new ("page-writer", page_writer_thread, &state);
  while (!g_atomic_int_get (&state.done) || state.reads == 0)
    {
      g_autoptr(GPtrArray) anil = bd_consumer_store_search (state.store, "anil sriv", 10, &error);
      g_autofree char *cursor = NULL;
      gint64 count;

      /* Never BUSY, never a half-applied page. */
      g_assert_no_error (error);
      g_assert_cmpuint (anil->len, ==, 1);
      count = bd_consumer_store_count (state.store, &error);
      g_assert_no_error (error);
      g_assert_cmpint ((count - 1) % 250, ==, 0);
      g_assert_cmpint (count, >=, last_count);
      last_count = count;
      cursor = bd_consumer_store_dup_cursor (state.store, &error);
      g_assert_no_error (error);
      {
        g_autoptr(GPtrArray) writers = bd_consumer_store_search (state.store, "sync writer", 5, &error);

        /* A later read than the count: never fewer pages than it saw. */
        g_assert_no_error (error);
        if (count > 1)
          g_assert_cmpuint (writers->len, ==, 5);
        else
          g_assert_true (writers->len == 0 || writers->len == 5);
      }
      state.reads++;
    }
  g_thread_join (writer);
  g_test_message ("%u consistent reads during 40 pages", state.reads);
  g_assert_cmpint (bd_consumer_store_count (state.store, &error), ==, 1 + 40 * 250);
  g_clear_object (&state.store);
  assert_index_consistent (path);
  remove_database (dir, path);
}

/* A search reads its statements in one transaction on the reader's own
 * connection; it must end it, or later searches would see an old snapshot
 * and the WAL could not be checkpointed. */
static void
test_search_snapshot_ends (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bd-test-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "local.sqlite3", NULL);
  g_autoptr(BdConsumerStore) store = NULL;
  const char *queries[] = { "zx9981", "gns12345678", "gns1234", "stores", "2100 0123", "1234567890",
                            "9876543210", "" };
  sqlite3 *db = NULL;

  store = bd_consumer_store_open (path, &error);
  g_assert_no_error (error);
  add_consumer (store, "1", make_consumer ("1234567890", "Zx9981 Stores", "", "9876543210",
                                           "GNS12345678", 1));
  g_assert_true (bd_consumer_store_check (store, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autoptr(GPtrArray) results = bd_consumer_store_search (store, queries[i], 10, &error);

      g_assert_no_error (error);
      g_assert_nonnull (results);
    }
  {
    g_autofree char *before = search_accounts (store, "zx9981", 10);

    g_assert_cmpstr (before, ==, "1234567890");
  }

  /* A change the writer commits is seen by the next search. */
  add_consumer (store, "2", make_consumer ("1234567890", "Renamed Stores", "", "9876543210",
                                           "GNS12345678", 2));
  {
    g_autofree char *renamed = search_accounts (store, "zx9981", 10);
    g_autofree char *by_serial = search_accounts (store, "gns12345678", 10);

    g_assert_cmpstr (renamed, ==, "");
    g_assert_cmpstr (by_serial, ==, "1234567890");
  }

  /* No reader is left in the WAL: a truncating checkpoint, which waits
   * for none, goes through. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);

  g_clear_object (&store);
  remove_database (dir, path);
}

static gint64
query_int (const char *path,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
assert_searches (BdConsumerStore *store,
                 const char      *queries[],
                 const char      *expected)
{
  for (guint i = 0; queries[i] != NULL; i++)
    {
      g_autofree char *accounts = search_accounts (store, queries[i], 10);

      if (g_strcmp0 (accounts, expected) != 0)
        g_error ("search “%s” found “%s”, expected “%s”", queries[i], accounts, expected);
    }
}

#define SECONDARY_INDEXES_SQL \
  "SELECT count(*) FROM sqlite_master WHERE type = 'index' " \
  "AND name IN ('consumers_mobile', 'consumers_meter_serial')"

/* A first sync of several pages into an empty store: rows without their
 * indexes until the last page, which builds them; interrupted and resumed
 * on the way; deltas after it take the normal path. */
static void
test_bulk_first_sync (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bd-test-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "local.sqlite3", NULL);
  g_autoptr(BdConsumerStore) store = NULL;
  const char *by_account[] = { "1234567890", "1234 567 890", "12345", NULL };
  const char *by_other[] = { "anil", "srivastava", "श्रीवास्तव", "9876543210", "GNS12345678", NULL };
  const char *found_later[] = { "anil", "anil srivastava", "अनिल श्रीवास्तव", "9876543210",
                                "GNS12345678", "gns1234", "anil kumar", NULL };

  store = bd_consumer_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_false (bd_consumer_store_is_indexing (store));

  /* A first page that fails (a record breaks a constraint) changes
   * nothing: still empty, not indexing, indexes still there. */
  {
    g_autoptr(BdChangesPage) page = make_page ("1");
    BdConsumer *bad = make_consumer ("8888888888", "Broken Record", NULL, NULL, "BAD00000001", 1);

    page->has_more = TRUE;
    bd_consumer_set_sanctioned_load_w (bad, -1);
    g_ptr_array_add (page->consumers, make_consumer ("1234567890", "Anil Kumar Srivastava", NULL,
                                                     "9876543210", "GNS12345678", 1));
    g_ptr_array_add (page->consumers, bad);
    g_assert_false (bd_consumer_store_apply_page (store, page, &error));
    g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY);
    g_clear_error (&error);
    g_assert_false (bd_consumer_store_is_indexing (store));
    g_assert_cmpint (bd_consumer_store_count (store, &error), ==, 0);
    g_assert_cmpint (query_int (path, SECONDARY_INDEXES_SQL), ==, 2);
  }

  {
    g_autoptr(BdChangesPage) page = make_page ("1");

    page->has_more = TRUE;
    g_ptr_array_add (page->consumers,
                     make_consumer ("1234567890", "Anil Kumar Srivastava", "अनिल कुमार श्रीवास्तव",
                                    "9876543210", "GNS12345678", 1));
    g_ptr_array_add (page->consumers,
                     make_consumer ("2345678901", "Sunita Devi", "सुनीता देवी", "9123456780",
                                    "LNT00012345", 1));
    g_ptr_array_add (page->consumers,
                     make_consumer ("3456789012", "Mohammad Irfan", "मोहम्मद इरफ़ान", NULL,
                                    "HPL98765432", 1));
    apply_ok (store, page);
  }
  g_assert_true (bd_consumer_store_is_indexing (store));
  g_assert_cmpint (bd_consumer_store_count (store, &error), ==, 3);

  /* Accounts are found; names, mobiles and serials not yet, and never
   * wrongly. */
  assert_searches (store, by_account, "1234567890");
  assert_searches (store, by_other, "");
  {
    g_autoptr(BdConsumer) c = bd_consumer_store_lookup (store, "2345678901", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (bd_consumer_get_name_en (c), ==, "Sunita Devi");
  }

  /* During the first sync a consumer changes name and another is deleted. */
  {
    g_autoptr(BdChangesPage) page = make_page ("2");

    page->has_more = TRUE;
    g_ptr_array_add (page->consumers,
                     make_consumer ("2345678901", "Sunita Verma", "सुनीता वर्मा", "9123456780",
                                    "LNT00012345", 2));
    g_ptr_array_add (page->consumers,
                     make_consumer ("4567890123", "Rekha Srivastava", "रेखा श्रीवास्तव",
                                    "9988776655", "SEC11112222", 1));
    apply_ok (store, page);
  }
  g_assert_true (bd_consumer_store_delete (store, "3456789012", &error));
  g_assert_no_error (error);
  g_assert_true (bd_consumer_store_is_indexing (store));

  /* Interrupted: the rows are there, the indexes are not, and the mode is
   * on disk. */
  g_clear_object (&store);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM consumers"), ==, 3);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM consumers_fts"), ==, 0);
  g_assert_cmpint (query_int (path, SECONDARY_INDEXES_SQL), ==, 0);
  g_assert_cmpint (query_int (path, "SELECT value FROM sync_state WHERE key = 'bulk_sync'"), ==, 1);

  store = bd_consumer_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (bd_consumer_store_is_indexing (store));
  {
    g_autofree char *cursor = bd_consumer_store_dup_cursor (store, &error);

    g_assert_cmpstr (cursor, ==, "2");
  }
  assert_searches (store, by_other, "");
  assert_searches (store, by_account, "1234567890");

  /* The last page completes the first sync and builds every index. */
  {
    g_autoptr(BdChangesPage) page = make_page ("3");

    page->has_more = FALSE;
    g_ptr_array_add (page->consumers,
                     make_consumer ("5678901234", "Pooja Singh", "पूजा सिंह", "6789012345",
                                    "GNS00000002", 1));
    apply_ok (store, page);
  }
  g_assert_false (bd_consumer_store_is_indexing (store));
  g_assert_cmpint (bd_consumer_store_count (store, &error), ==, 4);
  assert_searches (store, found_later, "1234567890");
  {
    const char *renamed[] = { "sunita verma", "वर्मा", "9123456780", "lnt00012345", NULL };
    const char *gone[] = { "devi", "irfan", "3456789012", "HPL98765432", NULL };
    const char *last[] = { "pooja", "पूजा सिंह", "6789012345", "GNS00000002", NULL };

    assert_searches (store, renamed, "2345678901");
    assert_searches (store, gone, "");
    assert_searches (store, last, "5678901234");
  }
  assert_index_consistent (path);
  g_assert_cmpint (query_int (path, SECONDARY_INDEXES_SQL), ==, 2);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM sync_state WHERE key = 'bulk_sync'"), ==, 0);
  /* FTS5 back to its own merging for deltas. */
  g_assert_cmpint (query_int (path, "SELECT v FROM consumers_fts_config WHERE k = 'automerge'"), ==, 4);

  /* A delta, even one of several pages, takes the normal path: the
   * search index follows each page. */
  {
    g_autoptr(BdChangesPage) page = make_page ("4");

    page->has_more = TRUE;
    g_ptr_array_add (page->consumers,
                     make_consumer ("5678901234", "Pooja Rawat", "पूजा रावत", "6789012345",
                                    "GNS00000002", 2));
    g_ptr_array_add (page->consumers,
                     make_consumer ("6789012345", "Ramesh Yadav", "रमेश यादव", "7788990011",
                                    "GNS00000001", 1));
    apply_ok (store, page);
  }
  g_assert_false (bd_consumer_store_is_indexing (store));
  {
    const char *rawat[] = { "pooja rawat", "रावत", NULL };
    const char *ramesh[] = { "ramesh yadav", "7788990011", "GNS00000001", NULL };
    const char *singh[] = { "pooja singh", NULL };

    assert_searches (store, rawat, "5678901234");
    assert_searches (store, ramesh, "6789012345");
    assert_searches (store, singh, "");
  }
  g_clear_object (&store);
  assert_index_consistent (path);

  /* Reopened complete: not indexing, nothing rebuilt. */
  store = bd_consumer_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_false (bd_consumer_store_is_indexing (store));
  assert_searches (store, found_later, "1234567890");
  g_clear_object (&store);
  remove_database (dir, path);
}

/* A first sync of one page has nothing to gain from bulk mode. */
static void
test_single_page_first_sync (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdConsumerStore) store = bd_consumer_store_open (":memory:", &error);
  g_autoptr(BdChangesPage) page = make_page ("1");
  g_autofree char *found = NULL;

  g_assert_no_error (error);
  g_ptr_array_add (page->consumers,
                   make_consumer ("1234567890", "Anil Kumar Srivastava", "अनिल कुमार श्रीवास्तव",
                                  "9876543210", "GNS12345678", 1));
  apply_ok (store, page);
  g_assert_false (bd_consumer_store_is_indexing (store));
  found = search_accounts (store, "anil", 10);
  g_assert_cmpstr (found, ==, "1234567890");
}

/* A store larger than what is checked while opening, damaged where the
 * open does not look: it opens, the check in the background finds the
 * damage, and from then on every call says so. */
static void
test_damage_found_after_open (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bd-test-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "local.sqlite3", NULL);
  g_autoptr(BdConsumerStore) store = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) results = NULL;
  gsize stored_length;
  gsize length;
  sqlite3 *db = NULL;

  store = bd_consumer_store_open (path, &error);
  g_assert_no_error (error);
  add_consumer (store, "1", make_consumer ("1234567890", "Anil Kumar Srivastava", NULL,
                                           "9876543210", "GNS12345678", 1));
  g_assert_true (bd_consumer_store_check (store, &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  g_assert_true (g_file_get_contents (path, &contents, &stored_length, &error));
  g_clear_pointer (&contents, g_free);
  /* Pages past the store's own, beyond the size checked at open. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA journal_mode = DELETE;"
                                     "CREATE TABLE padding (b);"
                                     "INSERT INTO padding VALUES (zeroblob (34 * 1024 * 1024));",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, BD_DATABASE_OPEN_CHECK_MAX_BYTES);
  for (gsize i = stored_length + 1024 * 1024; i < length - 1024 * 1024; i++)
    contents[i] = (char) (0xA5 ^ (i & 0xff));
  g_assert_true (g_file_set_contents (path, contents, length, &error));
  g_assert_no_error (error);

  store = bd_consumer_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_false (bd_consumer_store_check (store, &error));
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);

  results = bd_consumer_store_search (store, "1234567890", 10, &error);
  g_assert_null (results);
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_CORRUPT);
  g_clear_error (&error);
  g_assert_cmpint (bd_consumer_store_count (store, &error), ==, -1);
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_CORRUPT);
  g_clear_error (&error);
  {
    g_autoptr(BdChangesPage) page = make_page ("2");

    g_assert_false (bd_consumer_store_apply_page (store, page, &error));
    g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_CORRUPT);
    g_clear_error (&error);
  }
  g_clear_object (&store);
  remove_database (dir, path);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/consumer-store/apply-and-count", test_apply_and_count);
  ADD ("/consumer-store/search-account", test_search_account);
  ADD ("/consumer-store/search-mobile", test_search_mobile);
  ADD ("/consumer-store/search-account-or-mobile", test_search_account_or_mobile);
  ADD ("/consumer-store/search-meter-serial", test_search_meter_serial);
  ADD ("/consumer-store/search-name", test_search_name);
  ADD ("/consumer-store/ranking", test_ranking);
  ADD ("/consumer-store/search-serial-in-names", test_search_serial_in_names);
  ADD ("/consumer-store/odd-input", test_odd_input);
  ADD ("/consumer-store/version-replay", test_version_replay);
  ADD ("/consumer-store/atomic-page", test_atomic_page);
  ADD ("/consumer-store/lookup-missing", test_lookup_missing);
  ADD ("/consumer-store/async", test_async);
  ADD ("/consumer-store/normalisation", test_normalisation);
  ADD ("/consumer-store/other-scripts", test_other_scripts);
#undef ADD
  g_test_add_func ("/consumer-store/fresh", test_fresh_store);
  g_test_add_func ("/consumer-store/threads", test_threads);
  g_test_add_func ("/consumer-store/ranking-tiers", test_ranking_tiers);
  g_test_add_func ("/consumer-store/index-after-update-and-delete", test_index_after_update_and_delete);
  g_test_add_func ("/consumer-store/migration-from-first-schema", test_migration_from_first_schema);
  g_test_add_func ("/consumer-store/read-during-write", test_read_during_write);
  g_test_add_func ("/consumer-store/search-snapshot-ends", test_search_snapshot_ends);
  g_test_add_func ("/consumer-store/bulk-first-sync", test_bulk_first_sync);
  g_test_add_func ("/consumer-store/single-page-first-sync", test_single_page_first_sync);
  g_test_add_func ("/consumer-store/damage-found-after-open", test_damage_found_after_open);

  return g_test_run ();
}
