/* bench-ui.c: the desk's search at zone scale, end to end in the real widgets.
 *
 * Builds (or reuses) a local store of BD_BENCH_CONSUMERS (default
 * 1,000,000) consumers with Indian names in both scripts, opens it in a
 * search panel inside a window on screen (Xvfb), and times each query
 * from setting the entry's text to the results list model being replaced
 * ("model") and to the next frame being painted with it ("painted"). The
 * search entry's typing delay is not included: it applies only to typed
 * names, and is printed so it can be added. Finally prints the process's
 * resident memory (VmRSS, and its peak VmHWM).
 *
 *   BD_BENCH_DB=PATH   store to build or reuse (default: bench-desk.sqlite3
 *                      in the working directory)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gtk/gtk.h>
#include <glib/gstdio.h>

#include "bijli-desk-resources.h"
#include "bd-search-panel.h"
#include "store/bd-consumer-store.h"

#define DEFAULT_CONSUMERS 1000000
#define PAGE              1000
#define REPEATS           40

typedef struct {
  const char *en;
  const char *hi;
} Name;

static const Name given_names[] = {
  { "Ram", "राम" }, { "Shyam", "श्याम" }, { "Ramesh", "रमेश" }, { "Suresh", "सुरेश" },
  { "Rajesh", "राजेश" }, { "Mahesh", "महेश" }, { "Anil", "अनिल" }, { "Sunil", "सुनील" },
  { "Vijay", "विजय" }, { "Ajay", "अजय" }, { "Sanjay", "संजय" }, { "Manoj", "मनोज" },
  { "Pramod", "प्रमोद" }, { "Vinod", "विनोद" }, { "Ashok", "अशोक" }, { "Rakesh", "राकेश" },
  { "Dinesh", "दिनेश" }, { "Mukesh", "मुकेश" }, { "Santosh", "संतोष" }, { "Arvind", "अरविंद" },
  { "Sunita", "सुनीता" }, { "Geeta", "गीता" }, { "Sita", "सीता" }, { "Rekha", "रेखा" },
  { "Pooja", "पूजा" }, { "Kavita", "कविता" }, { "Anita", "अनीता" }, { "Savitri", "सावित्री" },
  { "Mohd. Irfan", "मो. इरफ़ान" }, { "Imran", "इमरान" }, { "Shabana", "शबाना" }, { "Javed", "जावेद" },
};

static const Name surnames[] = {
  { "Yadav", "यादव" }, { "Singh", "सिंह" }, { "Verma", "वर्मा" }, { "Sharma", "शर्मा" },
  { "Gupta", "गुप्ता" }, { "Srivastava", "श्रीवास्तव" }, { "Mishra", "मिश्रा" }, { "Pandey", "पांडेय" },
  { "Tiwari", "तिवारी" }, { "Shukla", "शुक्ला" }, { "Maurya", "मौर्य" }, { "Kushwaha", "कुशवाहा" },
  { "Rawat", "रावत" }, { "Chauhan", "चौहान" }, { "Khan", "ख़ान" }, { "Ansari", "अंसारी" },
  { "Dwivedi", "द्विवेदी" }, { "Tripathi", "त्रिपाठी" }, { "Pal", "पाल" }, { "Rajput", "राजपूत" },
  { "Saxena", "सक्सेना" }, { "Agarwal", "अग्रवाल" }, { "Nigam", "निगम" }, { "Kashyap", "कश्यप" },
};

static const char *localities[] = {
  "Hazratganj", "Aminabad", "Chowk", "Aliganj", "Mahanagar", "Rajajipuram", "Alambagh",
  "Charbagh", "Daliganj", "Thakurganj", "Kaiserbagh", "Vikas Nagar", "Jankipuram", "Aashiana",
};

/* Real name frequencies are skewed: a few surnames cover most people. */
static guint
skewed (GRand *rand,
        guint  n)
{
  double r = g_rand_double (rand);

  return MIN ((guint) (r * r * n), n - 1);
}

static BdConsumer *
make_consumer (GRand *rand,
               guint  i)
{
  g_autofree char *account = g_strdup_printf ("21%08u", i);
  g_autofree char *mobile = g_strdup_printf ("9%09u", (guint) ((guint64) i * 7919u % 1000000000u));
  g_autofree char *serial = g_strdup_printf ("GNS%08u", i);
  const Name *given = &given_names[skewed (rand, G_N_ELEMENTS (given_names))];
  const Name *father = &given_names[skewed (rand, 20)];
  const Name *surname = &surnames[skewed (rand, G_N_ELEMENTS (surnames))];
  g_autofree char *name_en = g_strdup_printf ("%s %s", given->en, surname->en);
  g_autofree char *name_hi = g_strdup_printf ("%s %s", given->hi, surname->hi);
  g_autofree char *relation_en = g_strdup_printf ("%s %s", father->en, surname->en);
  g_autofree char *relation_hi = g_strdup_printf ("%s %s", father->hi, surname->hi);
  g_autofree char *address = g_strdup_printf ("House No. %u/%u, %s, Lucknow 2260%02u",
                                              g_rand_int_range (rand, 1, 400), g_rand_int_range (rand, 1, 40),
                                              localities[g_rand_int_range (rand, 0, G_N_ELEMENTS (localities))],
                                              g_rand_int_range (rand, 1, 30));
  BdConsumer *c = bd_consumer_new (account);

  bd_consumer_set_name_en (c, name_en);
  bd_consumer_set_name_hi (c, name_hi);
  bd_consumer_set_relation_en (c, relation_en);
  bd_consumer_set_relation_hi (c, relation_hi);
  bd_consumer_set_address (c, address);
  if (g_rand_double (rand) < 0.7)
    bd_consumer_set_mobile (c, mobile);
  bd_consumer_set_mobile_verified (c, g_rand_boolean (rand));
  bd_consumer_set_meter_serial (c, serial);
  bd_consumer_set_meter_make (c, "Genus");
  bd_consumer_set_category (c, "LMV-1");
  bd_consumer_set_sanctioned_load_w (c, 1000 * g_rand_int_range (rand, 1, 6));
  bd_consumer_set_feeder (c, "F-12");
  bd_consumer_set_dt (c, "DT-0412");
  bd_consumer_set_pole (c, "P-77");
  bd_consumer_set_zone (c, "LKO-C");
  bd_consumer_set_balance_paise (c, g_rand_int_range (rand, -200000, 800000));
  bd_consumer_set_balance_as_of (c, 1795000000 - g_rand_int_range (rand, 0, 86400));
  bd_consumer_set_version (c, 1);
  bd_consumer_set_updated_at (c, 1795000000);

  return c;
}

static BdConsumerStore *
open_or_build_store (const char *path,
                     guint       n_consumers)
{
  g_autoptr(BdConsumerStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (1912);
  gint64 count;
  gint64 start;

  store = bd_consumer_store_open (path, &error);
  g_assert_no_error (error);
  count = bd_consumer_store_count (store, &error);
  g_assert_no_error (error);
  if (count == n_consumers)
    {
      g_print ("# reusing %s (%" G_GINT64_FORMAT " consumers)\n", path, count);
      return g_steal_pointer (&store);
    }

  g_clear_object (&store);
  for (guint i = 0; i < 3; i++)
    {
      static const char *suffixes[] = { "", "-wal", "-shm" };
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
  store = bd_consumer_store_open (path, &error);
  g_assert_no_error (error);

  g_print ("# building %s with %u consumers…\n", path, n_consumers);
  start = g_get_monotonic_time ();
  for (guint done = 0; done < n_consumers; done += PAGE)
    {
      g_autoptr(BdChangesPage) page = bd_changes_page_new ();

      for (guint i = done; i < MIN (done + PAGE, n_consumers); i++)
        g_ptr_array_add (page->consumers, make_consumer (rand, i));
      page->next_cursor = g_strdup_printf ("%u", done + PAGE);
      page->has_more = done + PAGE < n_consumers;
      g_assert_true (bd_consumer_store_apply_page (store, page, &error));
      g_assert_no_error (error);
    }
  g_print ("# built in %.1f s\n", (g_get_monotonic_time () - start) / 1e6);

  return g_steal_pointer (&store);
}

typedef struct {
  GtkWidget       *window;
  BdSearchPanel   *panel;
  BdConsumerStore *store;
  gint64           painted_us;
  gint64           frame_start_us;   /* when the frame being drawn began */
  gint64           frame_work_us;    /* what the last frame took, start to painted */
} Bench;

static void
on_before_paint_cb (GdkFrameClock *clock,
                    Bench         *bench)
{
  bench->frame_start_us = g_get_monotonic_time ();
}

static void
on_after_paint_cb (GdkFrameClock *clock,
                   Bench         *bench)
{
  bench->painted_us = g_get_monotonic_time ();
  bench->frame_work_us = bench->painted_us - bench->frame_start_us;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *sorted,
            double  p)
{
  guint index = (guint) (p * (sorted->len - 1) + 0.5);

  return g_array_index (sorted, double, MIN (index, sorted->len - 1));
}

static void
run_query_kind (Bench      *bench,
                const char *label,
                GPtrArray  *queries)
{
  g_autoptr(GArray) model_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) painted_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) work_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) store_ms = g_array_new (FALSE, FALSE, sizeof (double));
  guint results = 0;

  /* The store's share: the same query straight through its API. */
  for (guint i = 0; i < queries->len; i++)
    {
      g_autoptr(GPtrArray) found = NULL;
      gint64 start = g_get_monotonic_time ();
      double ms;

      found = bd_consumer_store_search (bench->store, queries->pdata[i], 100, NULL);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (store_ms, ms);
    }

  for (guint i = 0; i < queries->len; i++)
    {
      const char *query = queries->pdata[i];
      gint64 start;
      gint64 deadline;
      double model;
      double painted;
      double work;

      bd_search_panel_set_text (bench->panel, "");
      while (g_main_context_iteration (NULL, FALSE))
        ;

      start = g_get_monotonic_time ();
      bench->painted_us = 0;
      bd_search_panel_set_text (bench->panel, query);
      deadline = start + 10 * G_USEC_PER_SEC;
      while (bd_search_panel_get_last_update_time (bench->panel) < start && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      model = (bd_search_panel_get_last_update_time (bench->panel) - start) / 1000.0;
      /* The frame that shows the new rows. */
      bench->painted_us = 0;
      while (bench->painted_us == 0 && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      painted = (bench->painted_us - start) / 1000.0;
      /* The keystroke's own work, without the wait for the display's next
       * frame: query and model, then the layout and drawing of that frame. */
      work = model + bench->frame_work_us / 1000.0;

      results += g_list_model_get_n_items (bd_search_panel_get_results (bench->panel));
      g_array_append_val (model_ms, model);
      g_array_append_val (painted_ms, painted);
      g_array_append_val (work_ms, work);
    }

  g_array_sort (model_ms, compare_doubles);
  g_array_sort (painted_ms, compare_doubles);
  g_array_sort (work_ms, compare_doubles);
  g_array_sort (store_ms, compare_doubles);
  g_print ("| %-28s | %6.2f | %6.2f | %6.2f | %6.2f | %6.2f | %6.2f | %6.2f | %6.2f | %5.1f |\n",
           label, percentile (store_ms, 0.5),
           percentile (model_ms, 0.5), percentile (model_ms, 0.99),
           g_array_index (model_ms, double, model_ms->len - 1),
           percentile (painted_ms, 0.5), percentile (painted_ms, 0.99),
           percentile (work_ms, 0.5), percentile (work_ms, 0.99),
           (double) results / queries->len);
}

static GPtrArray *
repeat (const char *const *texts)
{
  GPtrArray *queries = g_ptr_array_new_with_free_func (g_free);

  for (guint r = 0; r < REPEATS; r++)
    for (guint i = 0; texts[i] != NULL; i++)
      if (queries->len < REPEATS)
        g_ptr_array_add (queries, g_strdup (texts[i]));
  return queries;
}

/* Existing accounts ("21" + 8 digits) or meter serials ("GNS" + 8 digits). */
static GPtrArray *
numbered (const char *prefix,
          guint       n_consumers,
          guint       step)
{
  GPtrArray *queries = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < REPEATS; i++)
    g_ptr_array_add (queries, g_strdup_printf ("%s%08u", prefix,
                                               (guint) (((guint64) i * step + 17) % n_consumers)));
  return queries;
}

static GPtrArray *
mobiles (guint n_consumers)
{
  GPtrArray *queries = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < REPEATS; i++)
    {
      guint index = (guint) (((guint64) i * 24593 + 17) % n_consumers);

      g_ptr_array_add (queries, g_strdup_printf ("9%09u", (guint) ((guint64) index * 7919u % 1000000000u)));
    }
  return queries;
}

static void
print_memory (const char *when)
{
  g_autofree char *status = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return;
  lines = g_strsplit (status, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "VmRSS:") || g_str_has_prefix (lines[i], "VmHWM:") ||
        g_str_has_prefix (lines[i], "RssAnon:") || g_str_has_prefix (lines[i], "RssFile:"))
      {
        g_autofree char *name = g_strndup (lines[i], strchr (lines[i], ':') - lines[i]);
        g_autofree char *value = g_strstrip (g_strdup (strchr (lines[i], ':') + 1));

        /* RssFile counts pages of mapped files (SQLite's mmap, libraries)
         * the kernel can drop at will; RssAnon is the heap. */
        g_print ("# %-32s %-8s %s\n", when, name, value);
      }
}

int
main (int   argc,
      char *argv[])
{
  const char *env_n = g_getenv ("BD_BENCH_CONSUMERS");
  const char *env_db = g_getenv ("BD_BENCH_DB");
  guint n_consumers = env_n != NULL ? (guint) g_ascii_strtoull (env_n, NULL, 10) : DEFAULT_CONSUMERS;
  g_autoptr(BdConsumerStore) store = NULL;
  static const char *const prefixes[] = { "shar", "sriv", "yada", "ram", "ramesh y", NULL };
  static const char *const hindi[] = { "राम", "सुनीता", "श्रीवास्तव", "यादव", NULL };
  static const char *const full_names[] = { "Ramesh Yadav", "Sunita Srivastava", "Imran Khan", "Pooja Verma", NULL };
  g_autoptr(GPtrArray) q_account = NULL;
  g_autoptr(GPtrArray) q_mobile = NULL;
  g_autoptr(GPtrArray) q_serial = NULL;
  g_autoptr(GPtrArray) q_prefix = NULL;
  g_autoptr(GPtrArray) q_hindi = NULL;
  g_autoptr(GPtrArray) q_full = NULL;
  Bench bench = { 0 };
  GtkWidget *entry;

  gtk_init ();
  bd_register_resource ();
  if (n_consumers < PAGE)
    n_consumers = PAGE;

  print_memory ("at start");
  store = open_or_build_store (env_db != NULL ? env_db : "bench-desk.sqlite3", n_consumers);

  bench.window = gtk_window_new ();
  bench.panel = BD_SEARCH_PANEL (bd_search_panel_new ());
  gtk_window_set_default_size (GTK_WINDOW (bench.window), 420, 800);
  gtk_window_set_child (GTK_WINDOW (bench.window), GTK_WIDGET (bench.panel));
  gtk_window_present (GTK_WINDOW (bench.window));
  while (!gtk_widget_get_mapped (bench.window))
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (gtk_widget_get_frame_clock (bench.window), "before-paint",
                    G_CALLBACK (on_before_paint_cb), &bench);
  g_signal_connect (gtk_widget_get_frame_clock (bench.window), "after-paint",
                    G_CALLBACK (on_after_paint_cb), &bench);
  bd_search_panel_set_store (bench.panel, store);
  bench.store = store;
  entry = bd_search_panel_get_entry (bench.panel);

  q_account = numbered ("21", n_consumers, 24593);
  q_mobile = mobiles (n_consumers);
  q_serial = numbered ("GNS", n_consumers, 31337);
  q_prefix = repeat (prefixes);
  q_hindi = repeat (hindi);
  q_full = repeat (full_names);

  /* Warm the page cache the way a morning's first searches would. */
  run_query_kind (&bench, "(warm-up)", q_prefix);

  g_print ("\nKeystroke to results on %u consumers (ms; %d queries each; typing delay of %u ms for names not included)\n\n",
           n_consumers, REPEATS, gtk_search_entry_get_search_delay (GTK_SEARCH_ENTRY (entry)));
  /* "frame painted" includes the wait for the display's next frame (up to
   * 16.7 ms at 60 Hz); "work" is the keystroke's own cost: the model
   * update plus the layout and drawing of the frame that shows it. */
  g_print ("| %-28s | %-6s | %-22s | %-15s | %-15s | %5s |\n", "", "store", "model updated", "frame painted",
           "work", "");
  g_print ("| %-28s | %6s | %6s | %6s | %6s | %6s | %6s | %6s | %6s | %5s |\n",
           "query", "p50", "p50", "p99", "max", "p50", "p99", "p50", "p99", "rows");
  g_print ("|------------------------------|--------|--------|--------|--------|--------|--------|--------|--------|-------|\n");
  run_query_kind (&bench, "account (exact)", q_account);
  run_query_kind (&bench, "mobile (exact)", q_mobile);
  run_query_kind (&bench, "meter serial (exact)", q_serial);
  run_query_kind (&bench, "name prefix (Latin)", q_prefix);
  run_query_kind (&bench, "name (Devanagari)", q_hindi);
  run_query_kind (&bench, "full name", q_full);
  g_print ("\n");

  print_memory ("after opening and searching");

  gtk_window_destroy (GTK_WINDOW (bench.window));
  return EXIT_SUCCESS;
}
