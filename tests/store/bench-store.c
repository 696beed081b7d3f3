/* bench-store.c: how long the local store takes to apply and to search.
 *
 * Applies 10,000 generated consumers in pages of 500 to a store on disk
 * (synchronous=FULL, WAL, as on a desk), then times searches of each kind.
 * Run with `meson test --benchmark` or directly; prints one line per figure.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "store/bd-consumer-store.h"

#define N_RECORDS 10000
#define PAGE      500
#define N_QUERIES 200

static const char *first_en[] = { "Anil", "Sunita", "Ramesh", "Pooja", "Mohammad", "Rekha", "Vijay", "Kavita" };
static const char *first_hi[] = { "अनिल", "सुनीता", "रमेश", "पूजा", "मोहम्मद", "रेखा", "विजय", "कविता" };
static const char *last_en[] = { "Srivastava", "Yadav", "Singh", "Verma", "Khan", "Gupta", "Mishra", "Rawat", "Chauhan" };
static const char *last_hi[] = { "श्रीवास्तव", "यादव", "सिंह", "वर्मा", "ख़ान", "गुप्ता", "मिश्रा", "रावत", "चौहान" };

static BdConsumer *
make_consumer (guint i)
{
  g_autofree char *account = g_strdup_printf ("21%08u", i);
  g_autofree char *mobile = g_strdup_printf ("9%09u", i * 7919u % 1000000000u);
  g_autofree char *serial = g_strdup_printf ("GNS%08u", i);
  g_autofree char *name_en = g_strdup_printf ("%s %s", first_en[i % 8], last_en[(i / 8) % 9]);
  g_autofree char *name_hi = g_strdup_printf ("%s %s", first_hi[i % 8], last_hi[(i / 8) % 9]);
  g_autofree char *address = g_strdup_printf ("House No. %u, Gomti Nagar, Lucknow 2260%02u", i, i % 30);
  BdConsumer *c = bd_consumer_new (account);

  bd_consumer_set_name_en (c, name_en);
  bd_consumer_set_name_hi (c, name_hi);
  bd_consumer_set_relation_en (c, "Ram Prakash");
  bd_consumer_set_relation_hi (c, "राम प्रकाश");
  bd_consumer_set_address (c, address);
  bd_consumer_set_mobile (c, mobile);
  bd_consumer_set_meter_serial (c, serial);
  bd_consumer_set_category (c, "LMV-1");
  bd_consumer_set_sanctioned_load_w (c, 2000);
  bd_consumer_set_zone (c, "LKO-C");
  bd_consumer_set_balance_paise (c, (gint64) i * 37 - 100000);
  bd_consumer_set_version (c, 1);
  bd_consumer_set_updated_at (c, 1763890000);
  return c;
}

static double
time_searches (BdConsumerStore *store,
               const char      *label,
               char          *(*make_query) (guint i))
{
  gint64 start = g_get_monotonic_time ();
  guint hits = 0;

  for (guint i = 0; i < N_QUERIES; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *query = make_query (i);
      g_autoptr(GPtrArray) results = bd_consumer_store_search (store, query, 50, &error);

      g_assert_no_error (error);
      hits += results->len > 0;
    }

  {
    double ms = (g_get_monotonic_time () - start) / 1000.0 / N_QUERIES;

    g_print ("search %-22s %7.3f ms per query (%u of %u found something)\n",
             label, ms, hits, N_QUERIES);
    return ms;
  }
}

static char *
query_account (guint i)
{
  return g_strdup_printf ("21%08u", i * 37 % N_RECORDS);
}

static char *
query_mobile (guint i)
{
  guint n = i * 37 % N_RECORDS;

  return g_strdup_printf ("+91 9%09u", n * 7919u % 1000000000u);
}

static char *
query_name_prefix (guint i)
{
  return g_strndup (last_en[i % 9], 4);
}

static char *
query_two_words (guint i)
{
  return g_strdup_printf ("%s %.3s", first_en[i % 8], last_en[i % 9]);
}

static char *
query_devanagari (guint i)
{
  return g_strdup (last_hi[i % 9]);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bd-bench-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "local.sqlite3", NULL);
  g_autoptr(BdConsumerStore) store = NULL;
  gint64 start;
  double apply_s;

  g_assert_no_error (error);
  store = bd_consumer_store_open (path, &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  for (guint p = 0; p < N_RECORDS / PAGE; p++)
    {
      g_autoptr(BdChangesPage) page = bd_changes_page_new ();

      for (guint i = 0; i < PAGE; i++)
        g_ptr_array_add (page->consumers, make_consumer (p * PAGE + i));
      page->next_cursor = g_strdup_printf ("%u", (p + 1) * PAGE);
      g_assert_true (bd_consumer_store_apply_page (store, page, &error));
      g_assert_no_error (error);
    }
  apply_s = (g_get_monotonic_time () - start) / 1e6;
  g_print ("apply %d records in pages of %d: %.3f s (%.0f records/s)\n",
           N_RECORDS, PAGE, apply_s, N_RECORDS / apply_s);
  g_assert_cmpint (bd_consumer_store_count (store, &error), ==, N_RECORDS);

  time_searches (store, "account", query_account);
  time_searches (store, "mobile (+91)", query_mobile);
  time_searches (store, "name prefix (\"sriv\")", query_name_prefix);
  time_searches (store, "two words", query_two_words);
  time_searches (store, "Devanagari surname", query_devanagari);

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
  return 0;
}
