/* bench-store.c: the desk's store at zone scale.
 *
 * Generates a zone of realistic consumers (1,000,000 unless
 * BD_BENCH_CONSUMERS says otherwise; names spelt the way records spell them,
 * in both scripts), applies them to a store on disk in pages of 1000 as a
 * first sync does, then a delta page of 1000 changes. Then it runs again
 * as a child process on the finished file ("--query PATH"), so the memory
 * it reports is that of a desk that opens a synced store and searches it,
 * not of the generator, and times beside each store call the same query
 * through the raw sqlite3 C API on the same file (the floor the store's
 * own work adds to). Prints tables; run with
 * `meson test -C BUILDDIR --benchmark --suite bench --verbose`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "core/bd-validate.h"
#include "server/bd-demo-generator.h"
#include "store/bd-consumer-store.h"
#include "store/bd-database.h"

#define PAGE          1000
#define SEARCH_LIMIT  100    /* what the desk's search panel asks for */
#define N_EXACT       2000   /* lookups of each identifier kind */
#define NAME_REPEATS  15     /* each name query, after a warm-up run */

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *samples,
            double  p)
{
  guint index;

  if (samples->len == 0)
    return 0;
  qsort (samples->data, samples->len, sizeof (double), compare_doubles);
  index = (guint) (p * (samples->len - 1) + 0.5);
  return g_array_index (samples, double, index);
}

static void
print_row (const char *label,
           GArray     *store,
           GArray     *raw,
           const char *unit,
           double      scale)
{
  double s50 = percentile (store, 0.50) * scale;
  double s99 = percentile (store, 0.99) * scale;
  double r50 = percentile (raw, 0.50) * scale;
  double r99 = percentile (raw, 0.99) * scale;

  g_print ("| %-34s | %8.1f | %8.1f | %8.1f | %8.1f | %5.1f× | %s\n",
           label, s50, s99, r50, r99, r99 > 0 ? s99 / r99 : 0.0, unit);
}

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static gint64
rss_kib (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, field);
  return line != NULL ? g_ascii_strtoll (line + strlen (field), NULL, 10) : -1;
}

/* The raw baseline: step a prepared statement and read every column, as
 * the store does before building its objects. */
static guint
raw_run (sqlite3_stmt *stmt)
{
  guint rows = 0;

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        (void) sqlite3_column_text (stmt, i);
      rows++;
    }
  sqlite3_reset (stmt);
  return rows;
}

typedef enum { EXACT_ACCOUNT, EXACT_MOBILE, EXACT_METER, EXACT_LOOKUP } ExactKind;

static void
bench_exact (BdConsumerStore *store,
             sqlite3         *raw,
             ExactKind        kind,
             GPtrArray       *ids,
             const char      *label)
{
  static const char *raw_sql[] = {
    "SELECT * FROM consumers WHERE account = ?1",
    "SELECT * FROM consumers WHERE mobile = ?1 ORDER BY account LIMIT 100",
    "SELECT * FROM consumers WHERE meter_serial = ?1 COLLATE NOCASE ORDER BY account LIMIT 100",
    "SELECT * FROM consumers WHERE account = ?1",
  };
  g_autoptr(GArray) store_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) raw_us = g_array_new (FALSE, FALSE, sizeof (double));
  sqlite3_stmt *stmt = NULL;
  guint misses = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (raw, raw_sql[kind], -1, &stmt, NULL), ==, SQLITE_OK);

  /* Warm: the figures are for a warm cache, and otherwise the
   * store, asked first, pays the reads from disk that the baseline asked
   * right after it then finds in the page cache. */
  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);
      g_autoptr(BdConsumer) found = NULL;
      g_autoptr(GPtrArray) results = NULL;

      if (kind == EXACT_LOOKUP)
        found = bd_consumer_store_lookup (store, id, NULL);
      else
        results = bd_consumer_store_search (store, id, SEARCH_LIMIT, NULL);
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
      raw_run (stmt);
    }

  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);
      g_autofree char *typed = NULL;
      g_autofree char *normal = NULL;
      gint64 t0;
      double us;

      /* What the operator types: spaces, +91, lower case. */
      if (kind == EXACT_ACCOUNT)
        typed = g_strdup_printf ("%.4s %.3s %s", id, id + 4, id + 7);
      else if (kind == EXACT_MOBILE)
        typed = g_strdup_printf ("+91 %.5s %s", id, id + 5);
      else
        typed = g_ascii_strdown (id, -1);

      t0 = g_get_monotonic_time ();
      if (kind == EXACT_LOOKUP)
        {
          g_autoptr(BdConsumer) c = bd_consumer_store_lookup (store, id, NULL);

          misses += c == NULL;
        }
      else
        {
          g_autoptr(GPtrArray) r = bd_consumer_store_search (store, typed, SEARCH_LIMIT, NULL);

          misses += r == NULL || r->len == 0;
        }
      us = (double) (g_get_monotonic_time () - t0);
      g_array_append_val (store_us, us);

      /* The baseline also normalises what was typed, as any caller must. */
      t0 = g_get_monotonic_time ();
      if (kind == EXACT_MOBILE)
        normal = bd_mobile_normalize (typed, NULL);
      else if (kind == EXACT_ACCOUNT)
        normal = bd_account_normalize (typed, NULL);
      else
        normal = g_ascii_strup (typed, -1);
      sqlite3_bind_text (stmt, 1, normal, -1, SQLITE_STATIC);
      misses += raw_run (stmt) == 0;
      us = (double) (g_get_monotonic_time () - t0);
      g_array_append_val (raw_us, us);
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (misses, ==, 0);
  print_row (label, store_us, raw_us, "µs", 1.0);
}

/* The raw baseline of a name query: the first SEARCH_LIMIT FTS matches of
 * all words as prefixes, unranked, joined to their rows. */
static char *
raw_match (const char *query)
{
  g_autoptr(BdSearchQuery) parsed = bd_search_query_parse (query);
  g_autoptr(GString) match = g_string_new (NULL);

  for (guint i = 0; parsed->words[i] != NULL; i++)
    g_string_append_printf (match, "%s\"%s\"*", i > 0 ? " " : "", parsed->words[i]);
  return g_string_free (g_steal_pointer (&match), FALSE);
}

typedef struct
{
  const char *group;
  const char *queries[12];
} QueryGroup;

static const QueryGroup name_groups[] = {
  { "common prefixes", { "sh", "shar", "sing", "ram", "rame", "sri", "kum", "mo", "de", "an", NULL } },
  { "whole names", { "sharma", "ramesh", "yadav", "sunita", "khan", "devi", "kumar", "singh", NULL } },
  { "two words", { "ramesh sharma", "sunita devi", "anil sriv", "mohd irfan", "ram prakash",
                   "shiv kumar", "geeta yad", "r k tiwari", NULL } },
  { "Devanagari", { "राम", "रमेश", "शर्मा", "श्रीवास्तव", "सुनीता देवी", "रमेश शर्", "मो", "ख़ान", NULL } },
  { "variants, missing matras", { "shrivastav", "srivastava", "mohamad", "tivari", "sarma",
                                  "puja", "रमश", "शरम", "सनत", "kureshi", NULL } },
  { "typed letter by letter", { "s", "su", "sun", "suni", "sunit", "sunita", "sunita ", "sunita d",
                                "sunita de", "sunita dev", "sunita devi", NULL } },
};

static void
bench_names (BdConsumerStore *store,
             sqlite3         *raw,
             GArray          *all_store,
             GArray          *all_raw,
             const QueryGroup *group,
             char           **worst_query,
             double          *worst_ms)
{
  g_autoptr(GArray) store_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) raw_ms = g_array_new (FALSE, FALSE, sizeof (double));
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (raw,
                                       "SELECT c.* FROM consumers_fts f "
                                       "JOIN consumers c ON c.rowid = f.rowid "
                                       "WHERE consumers_fts MATCH ?1 LIMIT 100",
                                       -1, &stmt, NULL), ==, SQLITE_OK);

  for (guint q = 0; group->queries[q] != NULL; q++)
    {
      const char *query = group->queries[q];
      g_autofree char *match = raw_match (query);

      for (guint rep = 0; rep <= NAME_REPEATS; rep++)
        {
          gint64 t0 = g_get_monotonic_time ();
          g_autoptr(GPtrArray) r = bd_consumer_store_search (store, query, SEARCH_LIMIT, NULL);
          double ms = (g_get_monotonic_time () - t0) / 1000.0;

          g_assert_nonnull (r);
          if (rep == 0)
            continue;   /* the first run warms the cache */
          g_array_append_val (store_ms, ms);
          g_array_append_val (all_store, ms);
          if (ms > *worst_ms)
            {
              *worst_ms = ms;
              g_free (*worst_query);
              *worst_query = g_strdup (query);
            }

          t0 = g_get_monotonic_time ();
          sqlite3_bind_text (stmt, 1, match, -1, SQLITE_STATIC);
          if (*match != '\0')
            raw_run (stmt);
          ms = (g_get_monotonic_time () - t0) / 1000.0;
          g_array_append_val (raw_ms, ms);
          g_array_append_val (all_raw, ms);
        }
    }
  sqlite3_finalize (stmt);
  print_row (group->group, store_ms, raw_ms, "ms", 1.0);
}

/* bm25 over every match, the ranking the issue measured: for reference. */
static void
bench_bm25 (sqlite3 *raw)
{
  const char *queries[] = { "shar", "ram", "राम", "sunita", "ramesh sharma" };
  g_autoptr(GArray) ms_all = g_array_new (FALSE, FALSE, sizeof (double));
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (raw,
                          "SELECT c.* FROM consumers_fts f JOIN consumers c ON c.rowid = f.rowid "
                          "WHERE consumers_fts MATCH ?1 ORDER BY bm25 (consumers_fts) LIMIT 100",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      g_print ("(bm25 reference not available: %s)\n", sqlite3_errmsg (raw));
      return;
    }
  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      g_autofree char *match = raw_match (queries[q]);

      for (guint rep = 0; rep < 3; rep++)
        {
          gint64 t0 = g_get_monotonic_time ();
          double ms;

          sqlite3_bind_text (stmt, 1, match, -1, SQLITE_STATIC);
          raw_run (stmt);
          ms = (g_get_monotonic_time () - t0) / 1000.0;
          g_array_append_val (ms_all, ms);
        }
    }
  sqlite3_finalize (stmt);
  g_print ("raw bm25-ranked top 100 over all matches (shar, ram, राम, sunita, ramesh sharma): "
           "p50 %.1f ms, max %.1f ms\n", percentile (ms_all, 0.5), percentile (ms_all, 1.0));
}

static GPtrArray *
sample_column (sqlite3    *raw,
               const char *sql)
{
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (raw, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int (stmt, 1, N_EXACT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (values, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  return values;
}

static int
run_queries (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdConsumerStore) store = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GPtrArray) mobiles = NULL;
  g_autoptr(GPtrArray) meters = NULL;
  g_autoptr(GArray) all_store = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) all_raw = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *worst_query = NULL;
  double worst_ms = 0;
  sqlite3 *raw = NULL;
  gint64 count;
  double open_ms;
  double t_open;
  double t0;

  t_open = t0 = now_s ();
  store = bd_consumer_store_open (path, &error);
  g_assert_no_error (error);
  open_ms = (now_s () - t0) * 1000;
  t0 = now_s ();
  count = bd_consumer_store_count (store, &error);
  g_assert_no_error (error);
  g_print ("\nopened a store of %" G_GINT64_FORMAT " consumers in %.1f ms, counted them in "
           "%.1f ms; RSS %" G_GINT64_FORMAT " KiB\n",
           count, open_ms, (now_s () - t0) * 1000, rss_kib ("VmRSS:"));
  g_assert_true (bd_consumer_store_check (store, &error));
  g_assert_no_error (error);
  g_print ("the check of the whole file, in the background, ended %.0f ms after opening began\n",
           (now_s () - t_open) * 1000);

  g_assert_cmpint (sqlite3_open_v2 (path, &raw, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  accounts = sample_column (raw, "SELECT account FROM consumers ORDER BY random () LIMIT ?1");
  mobiles = sample_column (raw, "SELECT mobile FROM consumers WHERE mobile IS NOT NULL "
                                "ORDER BY random () LIMIT ?1");
  meters = sample_column (raw, "SELECT meter_serial FROM consumers ORDER BY random () LIMIT ?1");

  g_print ("\n| %-34s | %8s | %8s | %8s | %8s | %6s |\n",
           "query (store API vs raw sqlite3)", "p50", "p99", "raw p50", "raw p99", "p99 ×");
  g_print ("|%s|----------|----------|----------|----------|--------|\n",
           "------------------------------------");
  bench_exact (store, raw, EXACT_LOOKUP, accounts, "lookup by account");
  bench_exact (store, raw, EXACT_ACCOUNT, accounts, "search account \"2100 012 345\"");
  bench_exact (store, raw, EXACT_MOBILE, mobiles, "search mobile \"+91 98765 43210\"");
  bench_exact (store, raw, EXACT_METER, meters, "search meter serial, lower case");

  for (guint g = 0; g < G_N_ELEMENTS (name_groups); g++)
    bench_names (store, raw, all_store, all_raw, &name_groups[g], &worst_query, &worst_ms);
  print_row ("all name searches", all_store, all_raw, "ms", 1.0);
  g_print ("(name rows: milliseconds, %u results wanted, raw = first 100 FTS matches "
           "unranked; slowest store search: \"%s\" %.1f ms)\n",
           SEARCH_LIMIT, worst_query, worst_ms);

  bench_bm25 (raw);
  sqlite3_close (raw);

  g_print ("\nRSS after opening the store and running every query: %" G_GINT64_FORMAT
           " KiB (peak %" G_GINT64_FORMAT " KiB)\n", rss_kib ("VmRSS:"), rss_kib ("VmHWM:"));
  return 0;
}

static void
remove_store (const char *dir,
              const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_unlink (file);
    }
  if (dir != NULL)
    g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *base_path = NULL;
  g_autoptr(BdConsumerStore) store = NULL;
  g_autoptr(BdConsumerStore) base = NULL;
  g_autoptr(GArray) page_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) base_page_ms = g_array_new (FALSE, FALSE, sizeof (double));
  const char *env = g_getenv ("BD_BENCH_CONSUMERS");
  guint n_records = env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : 1000000;
  /* BD_BENCH_BASELINE=0 skips the page-by-page baseline (half the time). */
  gboolean baseline = g_strcmp0 (g_getenv ("BD_BENCH_BASELINE"), "0") != 0;
  /* The demo zone bijli-central serves: the same names, spellings and
   * identifiers as the desk sees in a real sync. */
  g_autoptr(BdDemoGenerator) gen = bd_demo_generator_new (BD_DEMO_DEFAULT_SEED, 1795420800);
  g_autoptr(GPtrArray) delta_accounts = g_ptr_array_new_with_free_func (g_free);
  double apply_s = 0;
  double base_s = 0;
  double last_page_ms = 0;
  double t0;
  int status = 0;

  /* So g_print() writes the Devanagari queries as they are. */
  setlocale (LC_ALL, "");

  if (argc == 3 && g_str_equal (argv[1], "--query"))
    return run_queries (argv[2]);

  dir = g_dir_make_tmp ("bd-bench-store-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "local.sqlite3", NULL);
  base_path = g_build_filename (dir, "baseline.sqlite3", NULL);
  store = bd_consumer_store_open (path, &error);
  g_assert_no_error (error);

  /* The baseline store already holds a consumer, so its first sync takes
   * the page-by-page path that every delta takes. */
  if (baseline)
    {
      g_autoptr(BdChangesPage) seed = bd_changes_page_new ();

      base = bd_consumer_store_open (base_path, &error);
      g_assert_no_error (error);
      BdConsumer *only = bd_consumer_new ("999999999999");

      bd_consumer_set_name_en (only, "Baseline Seed");
      bd_consumer_set_updated_at (only, 1795420800);
      g_ptr_array_add (seed->consumers, only);
      seed->next_cursor = g_strdup ("0");
      g_assert_true (bd_consumer_store_apply_page (base, seed, &error));
      g_assert_no_error (error);
    }

  g_print ("Applying %u generated consumers in pages of %d (generation not timed)%s…\n",
           n_records, PAGE, baseline ? ", page by page to a baseline store too" : "");
  for (guint p = 0; p * PAGE < n_records; p++)
    {
      g_autoptr(BdChangesPage) page = bd_changes_page_new ();
      double ms;

      for (guint i = 0; i < PAGE && p * PAGE + i < n_records; i++)
        {
          BdConsumer *c = bd_demo_generator_next (gen);

          if ((p * PAGE + i) % (n_records / PAGE > 0 ? n_records / PAGE : 1) == 0)
            g_ptr_array_add (delta_accounts, g_strdup (bd_consumer_get_account (c)));
          g_ptr_array_add (page->consumers, c);
        }
      page->next_cursor = g_strdup_printf ("%u", p + 1);
      page->has_more = (p + 1) * PAGE < n_records;
      page->remaining = page->has_more ? n_records - (p + 1) * PAGE : 0;

      if (base != NULL)
        {
          t0 = now_s ();
          g_assert_true (bd_consumer_store_apply_page (base, page, &error));
          g_assert_no_error (error);
          ms = (now_s () - t0) * 1000;
          base_s += ms / 1000;
          g_array_append_val (base_page_ms, ms);
        }

      t0 = now_s ();
      g_assert_true (bd_consumer_store_apply_page (store, page, &error));
      g_assert_no_error (error);
      ms = (now_s () - t0) * 1000;
      apply_s += ms / 1000;
      if (page->has_more)
        {
          g_array_append_val (page_ms, ms);
          g_assert_true (bd_consumer_store_is_indexing (store) || p == 0);
        }
      else
        {
          last_page_ms = ms;
        }
    }
  g_assert_false (bd_consumer_store_is_indexing (store));
  g_assert_cmpint (bd_consumer_store_count (store, &error), ==, n_records);
  if (base != NULL)
    {
      g_assert_cmpint (bd_consumer_store_count (base, &error), ==, n_records + 1);
      g_clear_object (&base);
      remove_store (NULL, base_path);
    }

  /* A delta: 1000 records changed since, most in balance only, one in ten
   * renamed (so its search entries are rewritten). */
  {
    g_autoptr(BdChangesPage) page = bd_changes_page_new ();
    double delta_ms;

    for (guint i = 0; i < delta_accounts->len; i++)
      {
        g_autoptr(BdConsumer) old = bd_consumer_store_lookup (store, g_ptr_array_index (delta_accounts, i),
                                                              &error);
        BdConsumer *c;

        g_assert_no_error (error);
        c = bd_consumer_copy (old);
        bd_consumer_set_version (c, bd_consumer_get_version (old) + 1);
        bd_consumer_set_balance_paise (c, bd_consumer_get_balance_paise (old) - 5000);
        if (i % 10 == 0)
          bd_consumer_set_name_en (c, "Renamed Person");
        g_ptr_array_add (page->consumers, c);
      }
    page->next_cursor = g_strdup ("delta");
    t0 = now_s ();
    g_assert_true (bd_consumer_store_apply_page (store, page, &error));
    g_assert_no_error (error);
    delta_ms = (now_s () - t0) * 1000;

    g_print ("\n| apply (store API, WAL)                                  | value |\n");
    g_print ("|---------------------------------------------------------|-------|\n");
    if (base_page_ms->len > 0)
      {
        g_print ("| before: first sync page by page (synchronous=FULL)      | %.1f s, %.0f records/s |\n",
                 base_s, n_records / base_s);
        g_print ("|   one page of %d (p50 / p99 / max)                    | %.1f / %.1f / %.1f ms |\n",
                 PAGE, percentile (base_page_ms, 0.5), percentile (base_page_ms, 0.99),
                 percentile (base_page_ms, 1.0));
      }
    g_print ("| after: bulk first sync, %u records                  | %.1f s, %.0f records/s |\n",
             n_records, apply_s, n_records / apply_s);
    g_print ("|   one page of %d while indexing (p50 / p99 / max)     | %.1f / %.1f / %.1f ms |\n",
             PAGE, percentile (page_ms, 0.5), percentile (page_ms, 0.99), percentile (page_ms, 1.0));
    g_print ("|   last page: indexes and search index built           | %.1f ms |\n", last_page_ms);
    g_print ("| delta page: %u changes (10%% renamed), synchronous=FULL | %.1f ms |\n",
             page->consumers->len, delta_ms);
  }

  g_clear_object (&store);

  {
    g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
    const char *child_argv[] = { self_exe != NULL ? self_exe : argv[0], "--query", path, NULL };
    struct stat st;

    if (g_stat (path, &st) == 0)
      g_print ("database file: %.0f MB\n", st.st_size / 1e6);
    g_spawn_sync (NULL, (char **) child_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                  NULL, NULL, &status, &error);
    g_assert_no_error (error);
  }

  remove_store (dir, path);
  return g_spawn_check_wait_status (status, NULL) ? 0 : 1;
}
