/* test-recovery.c: the store's rolling backup and the way back from a
 * damaged file.
 *
 * Damage is made the way disks make it: pages overwritten with garbage
 * (the header included, or only data pages past it).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "store/bd-consumer-store.h"
#include "store/bd-database.h"

typedef struct {
  char *dir;
  char *path;
} Fixture;

static BdConsumer *
make_consumer (const char *account)
{
  BdConsumer *c = bd_consumer_new (account);

  bd_consumer_set_name_en (c, "Sita Devi");
  bd_consumer_set_name_hi (c, "सीता देवी");
  bd_consumer_set_meter_serial (c, "GN11111111");
  bd_consumer_set_meter_type (c, BD_METER_TYPE_SMART);
  bd_consumer_set_sanctioned_load_w (c, 2000);
  bd_consumer_set_zone (c, "LKO-C");
  bd_consumer_set_version (c, 1);
  bd_consumer_set_updated_at (c, 1763890000);
  return c;
}

/* Accounts first..first+n-1, cursor "first+n-1". */
static void
apply_accounts (BdConsumerStore *store,
                guint            first,
                guint            n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdChangesPage) page = bd_changes_page_new ();

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *account = g_strdup_printf ("%010u", 1000000000u + first + i);

      g_ptr_array_add (page->consumers, make_consumer (account));
    }
  page->next_cursor = g_strdup_printf ("%u", first + n - 1);
  g_assert_true (bd_consumer_store_apply_page (store, page, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("bd-test-recovery-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "desk.db", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (fixture->dir, name, NULL);
      g_unlink (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

/* Overwrites length bytes at offset with a repeating garbage pattern. */
static void
damage_file (const char *path,
             goffset     offset,
             gsize       length)
{
  FILE *file = g_fopen (path, "r+b");

  g_assert_nonnull (file);
  g_assert_cmpint (fseek (file, (long) offset, SEEK_SET), ==, 0);
  for (gsize i = 0; i < length; i++)
    fputc ((int) ((i * 37 + 11) & 0xff), file);
  fclose (file);
}

static guint
count_aside (Fixture *fixture)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;
  guint n = 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    if (strstr (name, ".corrupt-") != NULL && !g_str_has_suffix (name, "-wal") &&
        !g_str_has_suffix (name, "-shm"))
      n++;
  return n;
}

static gint64
count (BdConsumerStore *store)
{
  g_autoptr(GError) error = NULL;
  gint64 n = bd_consumer_store_count (store, &error);

  g_assert_no_error (error);
  return n;
}

/* The backup holds what was stored when it was taken, and keeps working
 * as a database of its own while the store goes on writing. */
static void
test_backup_is_a_snapshot (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdConsumerStore) store = bd_consumer_store_open (fixture->path, &error);
  g_autoptr(BdConsumerStore) copy = NULL;
  g_autofree char *backup = bd_consumer_store_build_backup_path (fixture->path);
  g_autofree char *cursor = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (bd_consumer_store_get_backup_time (fixture->path), ==, 0);
  apply_accounts (store, 1, 50);
  g_assert_true (bd_consumer_store_backup (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (bd_consumer_store_get_backup_time (fixture->path), >, 0);
  apply_accounts (store, 51, 25);
  g_assert_cmpint (count (store), ==, 75);

  copy = bd_consumer_store_open (backup, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count (copy), ==, 50);
  cursor = bd_consumer_store_dup_cursor (copy, &error);
  g_assert_cmpstr (cursor, ==, "50");
  g_assert_true (bd_consumer_store_check (copy, &error));
  g_assert_no_error (error);
}

static void
test_sound_file_is_opened_as_is (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdConsumerStore) store = bd_consumer_store_open (fixture->path, &error);
  BdStoreRecovery recovery = BD_STORE_RECOVERY_EMPTY;
  gint64 backup_time = -1;

  apply_accounts (store, 1, 10);
  g_clear_object (&store);

  store = bd_consumer_store_open_or_recover (fixture->path, &recovery, &backup_time, &error);
  g_assert_no_error (error);
  g_assert_cmpint (recovery, ==, BD_STORE_RECOVERY_NONE);
  g_assert_cmpint (backup_time, ==, 0);
  g_assert_cmpint (count (store), ==, 10);
  g_assert_cmpuint (count_aside (fixture), ==, 0);
}

static void
test_damaged_file_recovers_from_backup (Fixture       *fixture,
                                        gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdConsumerStore) store = bd_consumer_store_open (fixture->path, &error);
  BdStoreRecovery recovery = BD_STORE_RECOVERY_NONE;
  g_autofree char *cursor = NULL;
  gint64 backup_time = 0;
  gint64 taken;

  apply_accounts (store, 1, 40);
  g_assert_true (bd_consumer_store_backup (store, &error));
  taken = bd_consumer_store_get_backup_time (fixture->path);
  apply_accounts (store, 41, 40);
  g_clear_object (&store);

  /* Every page after the header: the schema and the rows are gone. */
  damage_file (fixture->path, 100, 64 * 1024);
  store = bd_consumer_store_open (fixture->path, &error);
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_CORRUPT);
  g_assert_null (store);
  g_clear_error (&error);

  store = bd_consumer_store_open_or_recover (fixture->path, &recovery, &backup_time, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_cmpint (recovery, ==, BD_STORE_RECOVERY_FROM_BACKUP);
  g_assert_cmpint (backup_time, ==, taken);
  /* The backup's records and cursor: a pull fetches the rest. */
  g_assert_cmpint (count (store), ==, 40);
  cursor = bd_consumer_store_dup_cursor (store, &error);
  g_assert_cmpstr (cursor, ==, "40");
  g_assert_true (bd_consumer_store_check (store, &error));
  g_assert_no_error (error);
  /* The damaged file is kept for whoever wants to look at it. */
  g_assert_cmpuint (count_aside (fixture), ==, 1);

  /* And the recovered store takes writes and backups again. */
  apply_accounts (store, 41, 40);
  g_assert_cmpint (count (store), ==, 80);
  g_assert_true (bd_consumer_store_backup (store, &error));
  g_assert_no_error (error);
}

static void
test_no_backup_starts_empty (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdConsumerStore) store = NULL;
  BdStoreRecovery recovery = BD_STORE_RECOVERY_NONE;
  g_autofree char *cursor = NULL;

  g_assert_true (g_file_set_contents (fixture->path, "this is not a database, it is a letter", -1, &error));
  store = bd_consumer_store_open_or_recover (fixture->path, &recovery, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (recovery, ==, BD_STORE_RECOVERY_EMPTY);
  g_assert_cmpint (count (store), ==, 0);
  cursor = bd_consumer_store_dup_cursor (store, &error);
  g_assert_no_error (error);
  g_assert_null (cursor);
  g_assert_cmpuint (count_aside (fixture), ==, 1);
}

static void
test_damaged_backup_is_not_used (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdConsumerStore) store = bd_consumer_store_open (fixture->path, &error);
  g_autofree char *backup = bd_consumer_store_build_backup_path (fixture->path);
  BdStoreRecovery recovery = BD_STORE_RECOVERY_NONE;

  apply_accounts (store, 1, 30);
  g_assert_true (bd_consumer_store_backup (store, &error));
  g_clear_object (&store);

  damage_file (backup, 0, 4096);
  damage_file (fixture->path, 0, 4096);
  store = bd_consumer_store_open_or_recover (fixture->path, &recovery, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (recovery, ==, BD_STORE_RECOVERY_EMPTY);
  g_assert_cmpint (count (store), ==, 0);
}

/* Damage that the check after opening found in a large file (whose header
 * and schema are sound) is remembered next to it, and the next start
 * recovers it like damage found while opening. */
static void
test_damage_found_later_recovers_at_next_start (Fixture       *fixture,
                                                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdConsumerStore) store = bd_consumer_store_open (fixture->path, &error);
  g_autofree char *marker = g_strconcat (fixture->path, ".damaged", NULL);
  BdStoreRecovery recovery = BD_STORE_RECOVERY_NONE;

  apply_accounts (store, 1, 15);
  g_assert_true (bd_consumer_store_backup (store, &error));
  apply_accounts (store, 16, 15);
  g_clear_object (&store);

  g_assert_true (g_file_set_contents (marker, "", 0, &error));
  store = bd_consumer_store_open_or_recover (fixture->path, &recovery, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (recovery, ==, BD_STORE_RECOVERY_FROM_BACKUP);
  g_assert_cmpint (count (store), ==, 15);
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_aside (fixture), ==, 1);
}

/* A backup that cannot be written leaves the previous one in place. */
static void
test_failed_backup_keeps_previous (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdConsumerStore) store = bd_consumer_store_open (fixture->path, &error);
  g_autoptr(BdConsumerStore) copy = NULL;
  g_autofree char *backup = bd_consumer_store_build_backup_path (fixture->path);
  g_autofree char *partial = g_strconcat (backup, ".partial", NULL);

  apply_accounts (store, 1, 20);
  g_assert_true (bd_consumer_store_backup (store, &error));
  apply_accounts (store, 21, 20);

  /* A directory where the temporary copy goes: SQLite cannot create it. */
  g_assert_cmpint (g_mkdir (partial, 0700), ==, 0);
  g_assert_false (bd_consumer_store_backup (store, &error));
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_OPEN);
  g_clear_error (&error);
  g_rmdir (partial);

  copy = bd_consumer_store_open (backup, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count (copy), ==, 20);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)
  ADD ("/recovery/backup-is-a-snapshot", test_backup_is_a_snapshot);
  ADD ("/recovery/sound-file-as-is", test_sound_file_is_opened_as_is);
  ADD ("/recovery/damaged-from-backup", test_damaged_file_recovers_from_backup);
  ADD ("/recovery/no-backup-empty", test_no_backup_starts_empty);
  ADD ("/recovery/damaged-backup-unused", test_damaged_backup_is_not_used);
  ADD ("/recovery/failed-backup-keeps-previous", test_failed_backup_keeps_previous);
  ADD ("/recovery/damage-found-later", test_damage_found_later_recovers_at_next_start);
#undef ADD

  return g_test_run ();
}
