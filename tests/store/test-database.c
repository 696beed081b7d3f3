/* test-database.c: pragmas, migrations and error mapping of BdDatabase.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "store/bd-database.h"

static const BdMigration good_migrations[] = {
  { 1, "CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT NOT NULL);" },
  { 2, "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id));"
       "CREATE INDEX b_a ON b (a_id);" },
};

/* Migration 3 creates a table, then fails: the table must not survive. */
static const BdMigration failing_migrations[] = {
  { 1, "CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT NOT NULL);" },
  { 2, "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id));"
       "CREATE INDEX b_a ON b (a_id);" },
  { 3, "CREATE TABLE c (id INTEGER PRIMARY KEY);"
       "INSERT INTO c (id) VALUES (1);"
       "INSERT INTO no_such_table VALUES (1);" },
};

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("bd-test-database-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "test.sqlite3", NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  user_data)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);
      g_unlink (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static gboolean
table_exists (BdDatabase *db,
              const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = bd_database_prepare (db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                              &error);
  g_assert_no_error (error);
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

static char *
pragma_text (BdDatabase *db,
             const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = bd_database_prepare (db, sql, &error);

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static void
test_migrate_from_empty (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdDatabase) db = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *sync = NULL;
  g_autofree char *fk = NULL;

  db = bd_database_open (fixture->path, good_migrations, G_N_ELEMENTS (good_migrations), &error);
  g_assert_no_error (error);
  g_assert_nonnull (db);
  g_assert_cmpint (bd_database_get_version (db), ==, 2);
  g_assert_cmpstr (bd_database_get_path (db), ==, fixture->path);
  g_assert_true (table_exists (db, "a"));
  g_assert_true (table_exists (db, "b"));

  mode = pragma_text (db, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  sync = pragma_text (db, "PRAGMA synchronous");
  g_assert_cmpstr (sync, ==, "2");   /* FULL */
  fk = pragma_text (db, "PRAGMA foreign_keys");
  g_assert_cmpstr (fk, ==, "1");

  /* Foreign keys are enforced. */
  g_assert_false (bd_database_exec (db, "INSERT INTO b (id, a_id) VALUES (1, 42)", &error));
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY);
}

static void
test_reopen_keeps_version (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdDatabase) db = NULL;
  g_autofree char *count = NULL;

  db = bd_database_open (fixture->path, good_migrations, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bd_database_get_version (db), ==, 1);
  g_assert_true (bd_database_exec (db, "INSERT INTO a (name) VALUES ('kept')", &error));
  g_assert_no_error (error);
  g_clear_object (&db);

  /* Re-opening with the same list runs nothing again (CREATE TABLE a would fail). */
  db = bd_database_open (fixture->path, good_migrations, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bd_database_get_version (db), ==, 1);
  g_clear_object (&db);

  /* A longer list runs only the new migration, and keeps the data. */
  db = bd_database_open (fixture->path, good_migrations, G_N_ELEMENTS (good_migrations), &error);
  g_assert_no_error (error);
  g_assert_cmpint (bd_database_get_version (db), ==, 2);
  count = pragma_text (db, "SELECT count(*) FROM a WHERE name = 'kept'");
  g_assert_cmpstr (count, ==, "1");
}

static void
test_failed_migration_rolls_back (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdDatabase) db = NULL;
  g_autofree char *version = NULL;

  db = bd_database_open (fixture->path, failing_migrations, G_N_ELEMENTS (failing_migrations), &error);
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_MIGRATION);
  g_assert_null (db);
  g_clear_error (&error);

  /* Opened with the migrations that work: at version 2, and no table c. */
  db = bd_database_open (fixture->path, good_migrations, G_N_ELEMENTS (good_migrations), &error);
  g_assert_no_error (error);
  g_assert_cmpint (bd_database_get_version (db), ==, 2);
  version = pragma_text (db, "PRAGMA user_version");
  g_assert_cmpstr (version, ==, "2");
  g_assert_true (table_exists (db, "a"));
  g_assert_true (table_exists (db, "b"));
  g_assert_false (table_exists (db, "c"));
}

static void
test_too_new (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdDatabase) db = NULL;

  db = bd_database_open (fixture->path, good_migrations, G_N_ELEMENTS (good_migrations), &error);
  g_assert_no_error (error);
  g_assert_true (bd_database_exec (db, "PRAGMA user_version = 7", &error));
  g_assert_no_error (error);
  g_clear_object (&db);

  db = bd_database_open (fixture->path, good_migrations, G_N_ELEMENTS (good_migrations), &error);
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_TOO_NEW);
  g_assert_null (db);
}

static void
test_garbage_file (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdDatabase) db = NULL;
  g_autoptr(GString) garbage = g_string_new (NULL);

  for (guint i = 0; i < 2000; i++)
    g_string_append (garbage, "this is not an SQLite database, just text. ");
  g_assert_true (g_file_set_contents (fixture->path, garbage->str, garbage->len, &error));
  g_assert_no_error (error);

  db = bd_database_open (fixture->path, good_migrations, G_N_ELEMENTS (good_migrations), &error);
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_CORRUPT);
  g_assert_null (db);
}

static void
test_damaged_database (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdDatabase) db = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  db = bd_database_open (fixture->path, good_migrations, G_N_ELEMENTS (good_migrations), &error);
  g_assert_no_error (error);
  g_assert_true (bd_database_exec (db,
                                   "PRAGMA journal_mode = DELETE;"
                                   "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
                                   "INSERT INTO a (name) SELECT printf ('name %d', i) FROM n;",
                                   &error));
  g_assert_no_error (error);
  g_clear_object (&db);

  /* Keep the header (page 1) so SQLite opens it, scribble over later pages. */
  g_assert_true (g_file_get_contents (fixture->path, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 8192);
  for (gsize i = 4096; i < length; i++)
    contents[i] = (char) (0xA5 ^ (i & 0xff));
  g_assert_true (g_file_set_contents (fixture->path, contents, length, &error));
  g_assert_no_error (error);

  db = bd_database_open (fixture->path, good_migrations, G_N_ELEMENTS (good_migrations), &error);
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_CORRUPT);
  g_assert_null (db);
}

/* Too large to be checked page by page while opening: opening reads the
 * header and schema only, and bd_database_check() finds the damage. */
static void
test_damaged_large_database (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdDatabase) db = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  db = bd_database_open (fixture->path, good_migrations, G_N_ELEMENTS (good_migrations), &error);
  g_assert_no_error (error);
  g_assert_true (bd_database_exec (db,
                                   "PRAGMA journal_mode = DELETE;"
                                   "INSERT INTO a (name) VALUES (zeroblob (34 * 1024 * 1024));",
                                   &error));
  g_assert_no_error (error);
  g_assert_true (bd_database_check (db, &error));
  g_assert_no_error (error);
  g_clear_object (&db);

  g_assert_true (g_file_get_contents (fixture->path, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, BD_DATABASE_OPEN_CHECK_MAX_BYTES);
  for (gsize i = length / 2; i < length / 2 + 64 * 4096; i++)
    contents[i] = (char) (0xA5 ^ (i & 0xff));
  g_assert_true (g_file_set_contents (fixture->path, contents, length, &error));
  g_assert_no_error (error);

  db = bd_database_open (fixture->path, good_migrations, G_N_ELEMENTS (good_migrations), &error);
  g_assert_no_error (error);
  g_assert_false (bd_database_check (db, &error));
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_CORRUPT);
  g_assert_nonnull (g_strstr_len (error->message, -1, fixture->path));
}

static void
test_memory_and_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdDatabase) db = NULL;
  sqlite3_stmt *stmt;

  db = bd_database_open (":memory:", good_migrations, G_N_ELEMENTS (good_migrations), &error);
  g_assert_no_error (error);
  g_assert_cmpint (bd_database_get_version (db), ==, 2);
  g_assert_nonnull (bd_database_get_handle (db));

  stmt = bd_database_prepare (db, "SELECT * FROM no_such_table", &error);
  g_assert_null (stmt);
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY);
  g_clear_error (&error);

  /* A rolled-back transaction leaves nothing behind. */
  g_assert_true (bd_database_begin (db, &error));
  g_assert_true (bd_database_exec (db, "INSERT INTO a (name) VALUES ('gone')", &error));
  bd_database_rollback (db);
  bd_database_rollback (db);   /* harmless outside a transaction */
  {
    g_autofree char *count = pragma_text (db, "SELECT count(*) FROM a");
    g_assert_cmpstr (count, ==, "0");
  }
  g_assert_no_error (error);
}

static void
test_unwritable_location (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdDatabase) db = NULL;

  /* A regular file used as the parent folder. */
  db = bd_database_open ("/dev/null/sub/db.sqlite3", good_migrations, 1, &error);
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_OPEN);
  g_assert_null (db);
}

static void
test_busy (Fixture       *fixture,
           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdDatabase) first = NULL;
  g_autoptr(BdDatabase) second = NULL;
  gint64 start;

  first = bd_database_open (fixture->path, good_migrations, G_N_ELEMENTS (good_migrations), &error);
  g_assert_no_error (error);
  second = bd_database_open (fixture->path, good_migrations, G_N_ELEMENTS (good_migrations), &error);
  g_assert_no_error (error);

  sqlite3_busy_timeout (bd_database_get_handle (second), 50);
  g_assert_true (bd_database_begin (first, &error));
  start = g_get_monotonic_time ();
  g_assert_false (bd_database_begin (second, &error));
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_BUSY);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  bd_database_rollback (first);
}


/* The reader's connection sees what the writer commits, even in the middle
 * of the writer's next transaction, and cannot write. */
static void
test_read_only (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdDatabase) writer = NULL;
  g_autoptr(BdDatabase) reader = NULL;
  g_autoptr(sqlite3_stmt) count = NULL;

  writer = bd_database_open (fixture->path, good_migrations, G_N_ELEMENTS (good_migrations), &error);
  g_assert_no_error (error);
  g_assert_true (bd_database_exec (writer, "INSERT INTO a (name) VALUES ('one')", &error));
  g_assert_no_error (error);

  reader = bd_database_open_read_only (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bd_database_get_version (reader), ==, bd_database_get_version (writer));

  /* An open write transaction does not block the reader (WAL). */
  g_assert_true (bd_database_begin (writer, &error));
  g_assert_true (bd_database_exec (writer, "INSERT INTO a (name) VALUES ('two')", &error));
  count = bd_database_prepare (reader, "SELECT count(*) FROM a", &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (count), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (count, 0), ==, 1);
  sqlite3_reset (count);
  g_assert_true (bd_database_commit (writer, &error));
  g_assert_cmpint (sqlite3_step (count), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (count, 0), ==, 2);
  sqlite3_reset (count);

  g_assert_false (bd_database_exec (reader, "INSERT INTO a (name) VALUES ('three')", &error));
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_OPEN);
  g_clear_error (&error);

  g_clear_object (&writer);
  g_clear_pointer (&count, sqlite3_finalize);
  g_clear_object (&reader);
  g_assert_null (bd_database_open_read_only ("/nonexistent/dir/db.sqlite3", &error));
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_OPEN);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/database/migrate-from-empty", Fixture, NULL,
              fixture_setup, test_migrate_from_empty, fixture_teardown);
  g_test_add ("/database/reopen-keeps-version", Fixture, NULL,
              fixture_setup, test_reopen_keeps_version, fixture_teardown);
  g_test_add ("/database/failed-migration-rolls-back", Fixture, NULL,
              fixture_setup, test_failed_migration_rolls_back, fixture_teardown);
  g_test_add ("/database/too-new", Fixture, NULL,
              fixture_setup, test_too_new, fixture_teardown);
  g_test_add ("/database/garbage-file", Fixture, NULL,
              fixture_setup, test_garbage_file, fixture_teardown);
  g_test_add ("/database/damaged-database", Fixture, NULL,
              fixture_setup, test_damaged_database, fixture_teardown);
  g_test_add ("/database/damaged-large-database", Fixture, NULL,
              fixture_setup, test_damaged_large_database, fixture_teardown);
  g_test_add ("/database/busy", Fixture, NULL,
              fixture_setup, test_busy, fixture_teardown);
  g_test_add ("/database/read-only", Fixture, NULL,
              fixture_setup, test_read_only, fixture_teardown);
  g_test_add_func ("/database/memory-and-errors", test_memory_and_errors);
  g_test_add_func ("/database/unwritable-location", test_unwritable_location);

  return g_test_run ();
}
