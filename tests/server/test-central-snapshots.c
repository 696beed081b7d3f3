/* test-central-snapshots.c: building, serving and rebuilding zone snapshots.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "central-test-url.h"

#include <string.h>

#include <glib/gstdio.h>

#include "central-db-fixture.h"
#include "server/bd-central-snapshots.h"
#include "store/bd-consumer-store.h"

#define ZONE "LKO-C"

/* Warnings of failed builds seen (structured logging: GLib 2.74's
 * g_test_expect_message() does not see those). */
static gint failed_builds;

static GLogWriterOutput
count_failed_builds (GLogLevelFlags   level,
                     const GLogField *fields,
                     gsize            n_fields,
                     gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0 &&
          g_str_has_prefix (fields[i].value, "Snapshot of zone LKO-C failed"))
        {
          g_atomic_int_inc (&failed_builds);
          return G_LOG_WRITER_HANDLED;
        }
    }
  g_log_writer_default (level, fields, n_fields, user_data);
  if (level & G_LOG_LEVEL_WARNING)
    g_abort ();
  return G_LOG_WRITER_HANDLED;
}

/* Asks until a snapshot with a cursor above after is served. */
static GBytes *
wait_for_snapshot (BdCentralSnapshots *snapshots,
                   BdCentralDb        *db,
                   gint64              after,
                   gint64             *out_cursor,
                   gint64             *out_consumers)
{
  for (guint i = 0; i < 600; i++)
    {
      GBytes *contents = NULL;

      if (bd_central_snapshots_lookup (snapshots, db, ZONE, &contents, out_cursor, out_consumers))
        {
          if (*out_cursor > after)
            return contents;
          g_bytes_unref (contents);
        }
      g_usleep (G_USEC_PER_SEC / 20);
    }
  g_assert_not_reached ();
}

static guint
count_files (const char *directory,
             const char *suffix)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    n += g_str_has_suffix (name, suffix);
  return n;
}

/* The file served is a desk store of exactly the zone, complete up to its
 * cursor: installed in a fresh store, it holds the zone's count. */
static void
assert_installs (Fixture *fixture,
                 GBytes  *contents,
                 gint64   consumers,
                 gint64   cursor)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = fixture_path (fixture, "served.snapshot");
  g_autofree char *store_path = NULL;
  g_autoptr(BdConsumerStore) store = NULL;
  g_autofree char *store_cursor = NULL;
  g_autofree char *name = g_strdup_printf ("desk-%" G_GINT64_FORMAT ".sqlite3", cursor);
  gsize length;
  gconstpointer data = g_bytes_get_data (contents, &length);
  gint64 installed = 0;

  g_assert_true (g_file_set_contents (file, data, (gssize) length, &error));
  store_path = fixture_path (fixture, name);
  store = bd_consumer_store_open (store_path, &error);
  g_assert_no_error (error);
  g_assert_true (bd_consumer_store_install_snapshot (store, file, ZONE, &installed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (installed, ==, consumers);
  store_cursor = bd_consumer_store_dup_cursor (store, &error);
  g_assert_cmpint (g_ascii_strtoll (store_cursor, NULL, 10), ==, cursor);
}

static void
test_build_serve_rebuild (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = fixture_path (fixture, "snap.sqlite3");
  g_autoptr(BdCentralDb) db = open_demo_db (fixture, "snap.sqlite3", 7, 300);
  g_autofree char *instance = bd_central_db_dup_instance_id (db, &error);
  g_autofree char *parent = g_strconcat (db_path, ".snapshots", NULL);
  g_autofree char *directory = g_build_filename (parent, instance, NULL);
  g_autofree char *stale_dir = g_build_filename (parent, "0123456789abcdef0123456789abcdef", NULL);
  g_autofree char *stale_file = g_build_filename (stale_dir, "LKO-C-99.sqlite3", NULL);
  g_autofree char *other_file = g_build_filename (stale_dir, "notes.txt", NULL);
  g_autoptr(BdCentralSnapshots) snapshots = NULL;
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GBytes) rebuilt = NULL;
  g_autoptr(GBytes) none = NULL;
  gint64 zone_count = bd_central_db_count_consumers (db, ZONE, NULL);
  gint64 cursor = 0, consumers = 0, cursor2 = 0, consumers2 = 0;

  g_assert_no_error (error);

  /* What an earlier database at this path left: removed, but only the
   * files a build makes. */
  g_assert_cmpint (g_mkdir_with_parents (stale_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (stale_file, "old", -1, NULL));
  g_assert_true (g_file_set_contents (other_file, "keep", -1, NULL));
  bd_central_snapshots_remove_others (parent, instance);
  g_assert_false (g_file_test (stale_file, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other_file, G_FILE_TEST_EXISTS));

  snapshots = bd_central_snapshots_new (central_test_url (db_path), directory);
  bd_central_snapshots_set_stale_changes (snapshots, 5);

  /* Nothing yet: the first lookup starts the build; another zone's name
   * that is no file name never does. */
  g_assert_false (bd_central_snapshots_lookup (snapshots, db, ZONE, &none, &cursor, &consumers));
  g_assert_null (none);
  g_assert_false (bd_central_snapshots_lookup (snapshots, db, "../LKO-C", &none, &cursor, &consumers));

  first = wait_for_snapshot (snapshots, db, 0, &cursor, &consumers);
  g_assert_cmpint (consumers, ==, zone_count);
  g_assert_cmpint (count_files (directory, ".sqlite3"), ==, 1);
  assert_installs (fixture, first, consumers, cursor);

  /* A few changes, under the threshold (the larger of 5 and a tenth of
   * the zone): the same file is served and no newer one is built. */
  {
    g_autoptr(BdChangesPage) page = bd_central_db_changes (db, ZONE, 0, 40, NULL, &error);
    guint wanted = (guint) MAX (5, zone_count / 10) + 1;

    g_assert_no_error (error);
    g_assert_cmpuint (page->consumers->len, >=, wanted);
    for (guint i = 0; i < wanted; i++)
      {
        BdConsumer *c = g_ptr_array_index (page->consumers, i);

        bd_consumer_set_balance_paise (c, bd_consumer_get_balance_paise (c) + 100);
        g_assert_true (bd_central_db_update_consumer (db, c, FIXED_NOW + 60, &error));
        g_assert_no_error (error);

        if (i == 3)
          {
            g_assert_true (bd_central_snapshots_lookup (snapshots, db, ZONE, &again, &cursor2, &consumers2));
            g_assert_cmpint (cursor2, ==, cursor);
            g_clear_pointer (&again, g_bytes_unref);
            /* Time enough for a build of this zone, had one started. */
            g_usleep (G_USEC_PER_SEC / 2);
            g_assert_true (bd_central_snapshots_lookup (snapshots, db, ZONE, &again, &cursor2, &consumers2));
            g_assert_cmpint (cursor2, ==, cursor);
            g_clear_pointer (&again, g_bytes_unref);
          }
      }
  }

  /* Over it: the old one is still served while a newer one is built. */
  g_assert_true (bd_central_snapshots_lookup (snapshots, db, ZONE, &again, &cursor2, &consumers2));
  g_assert_cmpint (cursor2, ==, cursor);
  rebuilt = wait_for_snapshot (snapshots, db, cursor, &cursor2, &consumers2);
  g_assert_cmpint (cursor2, >, cursor);
  g_assert_cmpint (consumers2, ==, zone_count);
  assert_installs (fixture, rebuilt, consumers2, cursor2);
  /* The old file is gone from the disk, its mapping still whole. */
  g_assert_cmpint (count_files (directory, ".sqlite3"), ==, 1);
  g_assert_cmpuint (g_bytes_get_size (first), >, 0);
  g_assert_cmpint (memcmp (g_bytes_get_data (first, NULL), "SQLite format 3", 15), ==, 0);

  /* Another process (a worker) finds the newest file on disk. */
  {
    g_autoptr(BdCentralSnapshots) other = bd_central_snapshots_new (central_test_url (db_path), directory);
    g_autoptr(GBytes) found = NULL;
    gint64 cursor3 = 0, consumers3 = 0;

    g_assert_true (bd_central_snapshots_lookup (other, db, ZONE, &found, &cursor3, &consumers3));
    g_assert_cmpint (cursor3, ==, cursor2);
    g_assert_cmpint (consumers3, ==, consumers2);
  }

  /* The fixture removes its own files, not these. */
  g_clear_object (&snapshots);
  for (const char *const *dir = (const char *const[]) { directory, stale_dir, NULL }; *dir != NULL; dir++)
    {
      g_autoptr(GDir) listing = g_dir_open (*dir, 0, NULL);
      const char *name;

      while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
        {
          g_autofree char *file = g_build_filename (*dir, name, NULL);

          g_remove (file);
        }
      g_rmdir (*dir);
    }
  g_rmdir (parent);
}

/* A build that fails is logged once, and the zone is not built again at
 * every request: a first sync falls back to the feed meanwhile. */
static void
test_failed_build_waits (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autofree char *not_a_database = fixture_path (fixture, "garbage.sqlite3");
  g_autofree char *directory = fixture_path (fixture, "garbage.snapshots");
  g_autoptr(BdCentralSnapshots) snapshots = NULL;
  g_autoptr(GBytes) contents = NULL;
  gint64 cursor = 0, consumers = 0;

  g_assert_true (g_file_set_contents (not_a_database, "this is not an SQLite file, just some bytes long enough "
                                      "to be read as a header and refused", -1, NULL));
  snapshots = bd_central_snapshots_new (not_a_database, directory);

  g_atomic_int_set (&failed_builds, 0);
  g_assert_false (bd_central_snapshots_lookup (snapshots, fixture->db, ZONE, &contents, &cursor, &consumers));
  for (guint i = 0; i < 100 && g_atomic_int_get (&failed_builds) == 0; i++)
    g_usleep (G_USEC_PER_SEC / 20);
  g_assert_cmpint (g_atomic_int_get (&failed_builds), ==, 1);

  /* Asked again and again: no second build is started. */
  for (guint i = 0; i < 5; i++)
    g_assert_false (bd_central_snapshots_lookup (snapshots, fixture->db, ZONE, &contents, &cursor, &consumers));
  g_usleep (G_USEC_PER_SEC / 2);
  g_assert_cmpint (g_atomic_int_get (&failed_builds), ==, 1);
  g_assert_null (contents);

  {
    g_autofree char *lock = g_build_filename (directory, ".LKO-C.lock", NULL);

    g_remove (lock);
    g_rmdir (directory);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* The failed build's warning is what one test counts: not fatal here,
   * and counted by the writer (any other warning still fails the test). */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_log_set_writer_func (count_failed_builds, NULL, NULL);

  g_test_add ("/central-snapshots/failed-build-waits", Fixture, NULL,
              fixture_set_up, test_failed_build_waits, fixture_tear_down);

  g_test_add ("/central-snapshots/build-serve-rebuild", Fixture, NULL,
              fixture_set_up, test_build_serve_rebuild, fixture_tear_down);

  return g_test_run ();
}
