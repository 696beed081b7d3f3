/* test-snapshot.c: zone snapshots, exported by one store and installed in another.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>

#include "store/bd-consumer-store.h"

typedef struct
{
  char *dir;
  char *source_path;
  char *snapshot_path;
} Fixture;

static BdConsumer *
make_consumer (const char *account,
               const char *name_en,
               const char *name_hi,
               const char *mobile,
               const char *zone,
               gint64      version)
{
  BdConsumer *c = bd_consumer_new (account);
  g_autofree char *serial = g_strconcat ("GNS", account, NULL);

  bd_consumer_set_name_en (c, name_en);
  bd_consumer_set_name_hi (c, name_hi);
  bd_consumer_set_relation_en (c, "Shiv Prasad");
  bd_consumer_set_relation_hi (c, "शिव प्रसाद");
  bd_consumer_set_address (c, "4 Aminabad, Lucknow");
  bd_consumer_set_mobile (c, mobile);
  bd_consumer_set_mobile_verified (c, mobile != NULL);
  bd_consumer_set_meter_serial (c, serial);
  bd_consumer_set_meter_make (c, "Genus");
  bd_consumer_set_meter_type (c, BD_METER_TYPE_SMART);
  bd_consumer_set_category (c, "LMV-1");
  bd_consumer_set_sanctioned_load_w (c, 3000);
  bd_consumer_set_phase (c, BD_PHASE_SINGLE);
  bd_consumer_set_zone (c, zone);
  bd_consumer_set_area_type (c, BD_AREA_URBAN);
  bd_consumer_set_supply_status (c, BD_SUPPLY_CONNECTED);
  bd_consumer_set_balance_paise (c, 45600);
  bd_consumer_set_balance_as_of (c, 1764900000);
  bd_consumer_set_version (c, version);
  bd_consumer_set_updated_at (c, 1764900000 + version);
  return c;
}

static void
apply (BdConsumerStore *store,
       const char      *cursor,
       gboolean         has_more,
       BdConsumer      *first,
       ...)
{
  g_autoptr(GError) error = NULL;
  BdChangesPage *page = bd_changes_page_new ();
  va_list args;

  page->next_cursor = g_strdup (cursor);
  page->has_more = has_more;
  va_start (args, first);
  for (BdConsumer *c = first; c != NULL; c = va_arg (args, BdConsumer *))
    g_ptr_array_add (page->consumers, c);
  va_end (args);
  g_assert_true (bd_consumer_store_apply_page (store, page, &error));
  g_assert_no_error (error);
  bd_changes_page_free (page);
}

static BdConsumerStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  BdConsumerStore *store = bd_consumer_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static char *
search_accounts (BdConsumerStore *store,
                 const char      *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = bd_consumer_store_search (store, query, 10, &error);
  g_autoptr(GString) out = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < results->len; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? " " : "",
                            bd_consumer_get_account (g_ptr_array_index (results, i)));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
exec_on_file (const char *path,
              const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

static char *
text_from_file (const char *path,
                const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *text;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return text;
}

static gboolean
is_pristine (BdConsumerStore *store)
{
  g_autoptr(GError) error = NULL;
  gboolean pristine = FALSE;

  g_assert_true (bd_consumer_store_is_pristine (store, &pristine, &error));
  g_assert_no_error (error);
  return pristine;
}

/* A zone of four synced in two pages (the first sync's bulk path), and
 * its snapshot. */
static void
fixture_setup (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdConsumerStore) source = NULL;

  fixture->dir = g_dir_make_tmp ("bd-test-snapshot-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->source_path = g_build_filename (fixture->dir, "source.sqlite3", NULL);
  fixture->snapshot_path = g_build_filename (fixture->dir, "zone.snapshot", NULL);

  source = open_store (fixture->source_path);
  g_assert_true (is_pristine (source));
  apply (source, "2", TRUE,
         make_consumer ("2100000001", "Anil Kumar Srivastava", "अनिल कुमार श्रीवास्तव", "9876543210", "LKO-C", 1),
         make_consumer ("2100000002", "Sunita Devi", "सुनीता देवी", NULL, "LKO-C", 1),
         NULL);
  g_assert_false (is_pristine (source));

  /* Half a first sync is not a snapshot. */
  g_assert_false (bd_consumer_store_export_snapshot (source, fixture->snapshot_path, &error));
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY);
  g_clear_error (&error);
  g_assert_false (g_file_test (fixture->snapshot_path, G_FILE_TEST_EXISTS));

  apply (source, "4", FALSE,
         make_consumer ("2100000003", "Mohammad Irfan", "मोहम्मद इरफ़ान", "9123456780", "LKO-C", 1),
         make_consumer ("2100000004", "Rekha Shrivastava", "रेखा श्रीवास्तव", "9988776655", "LKO-C", 1),
         NULL);
  g_assert_true (bd_consumer_store_export_snapshot (source, fixture->snapshot_path, &error));
  g_assert_no_error (error);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_remove (path);
    }
  g_rmdir (dir);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  user_data)
{
  remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->source_path);
  g_free (fixture->snapshot_path);
}

static char *
fixture_path (Fixture    *fixture,
              const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

static void
test_install (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fixture_path (fixture, "desk.sqlite3");
  g_autoptr(BdConsumerStore) store = open_store (path);
  g_autofree char *cursor = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *found = NULL;
  gint64 consumers = 0;

  g_assert_cmpstr (bd_consumer_store_get_path (store), ==, path);
  g_assert_cmpint (bd_consumer_store_get_schema_version (store), ==, bd_consumer_store_latest_schema_version ());
  g_assert_true (is_pristine (store));
  g_assert_true (bd_consumer_store_install_snapshot (store, fixture->snapshot_path, "LKO-C", &consumers, &error));
  g_assert_no_error (error);
  g_assert_cmpint (consumers, ==, 4);
  g_assert_cmpint (bd_consumer_store_count (store, &error), ==, 4);
  g_assert_false (bd_consumer_store_is_indexing (store));
  g_assert_false (is_pristine (store));
  cursor = bd_consumer_store_dup_cursor (store, &error);
  g_assert_cmpstr (cursor, ==, "4");

  /* Every way of searching works at once: names in both scripts, variant
   * spellings, mobiles, serials. */
  found = search_accounts (store, "srivastava");
  g_assert_cmpstr (found, ==, "2100000001 2100000004");
  g_clear_pointer (&found, g_free);
  found = search_accounts (store, "इरफ़ान");
  g_assert_cmpstr (found, ==, "2100000003");
  g_clear_pointer (&found, g_free);
  found = search_accounts (store, "+91 99887 76655");
  g_assert_cmpstr (found, ==, "2100000004");
  g_clear_pointer (&found, g_free);
  found = search_accounts (store, "gns2100000002");
  g_assert_cmpstr (found, ==, "2100000002");
  g_clear_pointer (&found, g_free);

  /* Still the desk's kind of file, and the feed goes on from the cursor;
   * the WAL the copy went through is not left holding the zone. */
  journal = text_from_file (path, "PRAGMA journal_mode");
  g_assert_cmpstr (journal, ==, "wal");
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    GStatBuf st;

    g_assert_cmpint (g_stat (wal, &st), ==, 0);
    g_assert_cmpint (st.st_size, ==, 0);
  }
  apply (store, "5", FALSE,
         make_consumer ("2100000002", "Sunita Verma", "सुनीता वर्मा", NULL, "LKO-C", 2),
         make_consumer ("2100000005", "Geeta Yadav", "गीता यादव", NULL, "LKO-C", 1),
         NULL);
  found = search_accounts (store, "sunita");
  g_assert_cmpstr (found, ==, "2100000002");
  g_clear_pointer (&found, g_free);
  found = search_accounts (store, "devi");
  g_assert_cmpstr (found, ==, "");
  g_clear_pointer (&found, g_free);
  g_assert_cmpint (bd_consumer_store_count (store, &error), ==, 5);

  /* Survives closing and opening again. */
  g_clear_object (&store);
  store = open_store (path);
  g_assert_cmpint (bd_consumer_store_count (store, &error), ==, 5);
  g_assert_true (bd_consumer_store_check (store, &error));
  g_assert_no_error (error);
}

/* Install fails; the store must be as pristine as before. */
static void
assert_refused (const char *store_path,
                const char *snapshot_path,
                const char *zone,
                gint        code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdConsumerStore) store = open_store (store_path);

  g_assert_true (is_pristine (store));
  g_assert_false (bd_consumer_store_install_snapshot (store, snapshot_path, zone, NULL, &error));
  g_assert_error (error, BD_STORE_ERROR, code);
  g_assert_cmpuint (strlen (error->message), >, 0);
  {
    g_autofree char *name = g_path_get_basename (snapshot_path);

    g_test_message ("%s: %s", name, error->message);
  }
  g_assert_true (is_pristine (store));
  g_assert_cmpint (bd_consumer_store_count (store, NULL), ==, 0);
}

static char *
copy_snapshot (Fixture    *fixture,
               const char *name,
               const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  char *path = fixture_path (fixture, name);

  g_assert_true (g_file_get_contents (fixture->snapshot_path, &contents, &length, &error));
  g_assert_true (g_file_set_contents (path, contents, (gssize) length, &error));
  g_assert_no_error (error);
  if (sql != NULL)
    exec_on_file (path, sql);
  return path;
}

static void
test_refused (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fixture_path (fixture, "desk.sqlite3");
  g_autofree char *other_version = copy_snapshot (fixture, "version.snapshot", "PRAGMA user_version = 2");
  g_autofree char *unfinished = copy_snapshot (fixture, "bulk.snapshot",
                                               "INSERT INTO sync_state (key, value) VALUES ('bulk_sync', 1)");
  g_autofree char *old_index = copy_snapshot (fixture, "index.snapshot",
                                              "UPDATE sync_state SET value = 1 WHERE key = 'search_index'");
  g_autofree char *no_cursor = copy_snapshot (fixture, "cursor.snapshot",
                                              "DELETE FROM sync_state WHERE key = 'cursor'");
  g_autofree char *miscounted = copy_snapshot (fixture, "count.snapshot",
                                               "UPDATE sync_state SET value = 3 WHERE key = 'consumer_count'");
  g_autofree char *with_outbox = copy_snapshot (fixture, "outbox.snapshot",
                                                "INSERT INTO history (account, at, field, from_value, to_value) "
                                                "VALUES ('2100000001', 1, 'email', NULL, 'a@b.in')");
  g_autofree char *not_sqlite = fixture_path (fixture, "text.snapshot");
  g_autofree char *damaged = copy_snapshot (fixture, "damaged.snapshot", NULL);
  g_autofree char *missing = fixture_path (fixture, "missing.snapshot");
  g_autoptr(BdConsumerStore) memory = NULL;

  g_assert_true (g_file_set_contents (not_sqlite, "{\"error\": \"not a database\"}", -1, &error));

  /* Garbage over the pages after the header and schema: what a transfer
   * cut short and padded, or a broken disk, would leave. */
  {
    g_autofree char *contents = NULL;
    gsize length;

    g_assert_true (g_file_get_contents (damaged, &contents, &length, &error));
    g_assert_cmpuint (length, >, 8 * 4096);
    memset (contents + 2 * 4096, 0x5a, length - 2 * 4096);
    g_assert_true (g_file_set_contents (damaged, contents, (gssize) length, &error));
  }

  assert_refused (path, fixture->snapshot_path, "LKO-E", BD_STORE_ERROR_CORRUPT);
  assert_refused (path, other_version, "LKO-C", BD_STORE_ERROR_CORRUPT);
  assert_refused (path, unfinished, "LKO-C", BD_STORE_ERROR_CORRUPT);
  assert_refused (path, old_index, "LKO-C", BD_STORE_ERROR_CORRUPT);
  assert_refused (path, no_cursor, "LKO-C", BD_STORE_ERROR_CORRUPT);
  assert_refused (path, miscounted, "LKO-C", BD_STORE_ERROR_CORRUPT);
  assert_refused (path, with_outbox, "LKO-C", BD_STORE_ERROR_CORRUPT);
  assert_refused (path, not_sqlite, "LKO-C", BD_STORE_ERROR_CORRUPT);
  assert_refused (path, damaged, "LKO-C", BD_STORE_ERROR_CORRUPT);
  assert_refused (path, missing, "LKO-C", BD_STORE_ERROR_OPEN);

  /* A store in memory has no file to fill. */
  memory = bd_consumer_store_open (":memory:", &error);
  g_assert_no_error (error);
  g_assert_false (bd_consumer_store_install_snapshot (memory, fixture->snapshot_path, "LKO-C", NULL, &error));
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_OPEN);
}

/* A store that holds anything of its own is never replaced. */
static void
test_not_pristine (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *synced_path = fixture_path (fixture, "synced.sqlite3");
  g_autofree char *local_path = fixture_path (fixture, "local.sqlite3");
  g_autoptr(BdConsumerStore) synced = open_store (synced_path);
  g_autoptr(BdConsumerStore) local = open_store (local_path);
  g_autofree char *found = NULL;

  apply (synced, "1", FALSE,
         make_consumer ("2200000001", "Kamla Devi", "कमला देवी", NULL, "LKO-C", 1), NULL);
  g_assert_false (bd_consumer_store_install_snapshot (synced, fixture->snapshot_path, "LKO-C", NULL, &error));
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY);
  g_clear_error (&error);
  g_assert_cmpint (bd_consumer_store_count (synced, &error), ==, 1);
  found = search_accounts (synced, "kamla");
  g_assert_cmpstr (found, ==, "2200000001");

  /* No consumers and no cursor, but a row of the desk's own. */
  g_clear_object (&local);
  exec_on_file (local_path, "INSERT INTO history (account, at, field, from_value, to_value) "
                            "VALUES ('2100000001', 1, 'email', NULL, 'a@b.in')");
  local = open_store (local_path);
  g_assert_false (is_pristine (local));
  g_assert_false (bd_consumer_store_install_snapshot (local, fixture->snapshot_path, "LKO-C", NULL, &error));
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY);
  g_assert_cmpint (bd_consumer_store_count (local, NULL), ==, 0);
}

static void
on_done_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_install_async (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fixture_path (fixture, "desk.sqlite3");
  g_autoptr(BdConsumerStore) store = open_store (path);
  g_autoptr(GAsyncResult) result = NULL;
  gint64 consumers = 0;

  bd_consumer_store_install_snapshot_async (store, fixture->snapshot_path, "LKO-C", NULL, on_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (bd_consumer_store_install_snapshot_finish (store, result, &consumers, &error));
  g_assert_no_error (error);
  g_assert_cmpint (consumers, ==, 4);
  g_clear_object (&result);

  /* A second time: no longer pristine. */
  bd_consumer_store_install_snapshot_async (store, fixture->snapshot_path, "LKO-C", NULL, on_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (bd_consumer_store_install_snapshot_finish (store, result, &consumers, &error));
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY);
  g_assert_cmpint (bd_consumer_store_count (store, NULL), ==, 4);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/snapshot/install", Fixture, NULL, fixture_setup, test_install, fixture_teardown);
  g_test_add ("/snapshot/refused", Fixture, NULL, fixture_setup, test_refused, fixture_teardown);
  g_test_add ("/snapshot/not-pristine", Fixture, NULL, fixture_setup, test_not_pristine, fixture_teardown);
  g_test_add ("/snapshot/install-async", Fixture, NULL, fixture_setup, test_install_async, fixture_teardown);

  return g_test_run ();
}
