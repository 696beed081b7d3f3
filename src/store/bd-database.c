/* bd-database.c: an SQLite connection with our pragmas and schema migrations.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "bd-database.h"

#define BUSY_TIMEOUT_MS 5000

struct _BdDatabase
{
  GObject  parent_instance;

  sqlite3 *db;
  char    *path;
  int      version;
};

G_DEFINE_TYPE (BdDatabase, bd_database, G_TYPE_OBJECT)

G_DEFINE_QUARK (bd-store-error-quark, bd_store_error)

static gboolean
is_memory_path (const char *path)
{
  return g_strcmp0 (path, ":memory:") == 0;
}

static BdStoreError
map_sqlite_code (int code)
{
  switch (code & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return BD_STORE_ERROR_BUSY;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return BD_STORE_ERROR_CORRUPT;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return BD_STORE_ERROR_OPEN;
    default:
      return BD_STORE_ERROR_QUERY;
    }
}

static void
set_error_from_code (GError     **error,
                     int          code,
                     const char  *detail,
                     const char  *what,
                     const char  *path)
{
  switch (map_sqlite_code (code))
    {
    case BD_STORE_ERROR_BUSY:
      /* Translators: in these messages the first %s is what was being done,
       * e.g. “Saving consumers”; a quoted %s is a file name; the last %s is
       * SQLite's own (English) explanation. */
      g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_BUSY,
                   _("%s failed: the database is in use by another program. "
                     "Wait a moment and try again."), what);
      break;
    case BD_STORE_ERROR_CORRUPT:
      g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_CORRUPT,
                   _("%s failed: the database file “%s” is damaged or is not a "
                     "Bijli Desk database (%s)."), what, path, detail);
      break;
    case BD_STORE_ERROR_OPEN:
      g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_OPEN,
                   _("%s failed: the database file “%s” cannot be opened for "
                     "writing (%s). Check the disk and its permissions."),
                   what, path, detail);
      break;
    default:
      g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY,
                   _("%s failed: %s."), what, detail);
      break;
    }
}

/* A damaged page is noticed only when read, and PRAGMA quick_check reads
 * the whole file: about 2 s for a store of 1 M consumers. Small files get
 * it while opening; larger ones only have their header and schema read
 * (which is what tells a database from any other file), and the caller
 * checks them with bd_database_check() away from the path that opens them. */
static gboolean
check_on_open (BdDatabase  *self,
               GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GStatBuf st;
  int rc;

  if (is_memory_path (self->path) || g_stat (self->path, &st) != 0 ||
      st.st_size <= BD_DATABASE_OPEN_CHECK_MAX_BYTES)
    return bd_database_check (self, error);

  rc = sqlite3_prepare_v2 (self->db, "SELECT count(*) FROM sqlite_master", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      bd_database_set_error (self, error, _("Checking the database"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_user_version (BdDatabase  *self,
                   int         *out_version,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = bd_database_prepare (self, "PRAGMA user_version", error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      bd_database_set_error (self, error, _("Reading the schema version"));
      return FALSE;
    }
  *out_version = sqlite3_column_int (stmt, 0);
  return TRUE;
}

static gboolean
apply_migration (BdDatabase         *self,
                 const BdMigration  *migration,
                 GError            **error)
{
  g_autofree char *bump = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!bd_database_begin (self, error))
    return FALSE;

  bump = g_strdup_printf ("PRAGMA user_version = %d", migration->version);
  if (!bd_database_exec (self, migration->sql, &local_error) ||
      !bd_database_exec (self, bump, &local_error) ||
      !bd_database_commit (self, &local_error))
    {
      bd_database_rollback (self);
      g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_MIGRATION,
                   _("Could not update the database “%s” to schema version %d; "
                     "it stays at version %d. %s"),
                   self->path, migration->version, self->version,
                   local_error->message);
      return FALSE;
    }

  self->version = migration->version;
  return TRUE;
}

static gboolean
migrate (BdDatabase         *self,
         const BdMigration  *migrations,
         gsize               n_migrations,
         GError            **error)
{
  int latest = 0;

  if (!read_user_version (self, &self->version, error))
    return FALSE;

  for (gsize i = 0; i < n_migrations; i++)
    latest = MAX (latest, migrations[i].version);

  if (self->version > latest)
    {
      g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_TOO_NEW,
                   _("The database “%s” was written by a newer version of this "
                     "program (schema %d; this version knows up to %d). Install "
                     "the newer version."),
                   self->path, self->version, latest);
      return FALSE;
    }

  for (gsize i = 0; i < n_migrations; i++)
    {
      if (migrations[i].version <= self->version)
        continue;
      if (!apply_migration (self, &migrations[i], error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
configure (BdDatabase  *self,
           GError     **error)
{
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  /* Before any pragma that writes: a file that is not a database must
   * come back as CORRUPT, not as a failed pragma. */
  if (!check_on_open (self, error))
    return FALSE;

  if (!is_memory_path (self->path))
    {
      g_autoptr(sqlite3_stmt) stmt = NULL;
      const char *mode;

      stmt = bd_database_prepare (self, "PRAGMA journal_mode = WAL", error);
      if (stmt == NULL)
        return FALSE;
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          bd_database_set_error (self, error, _("Opening the database"));
          return FALSE;
        }
      mode = (const char *) sqlite3_column_text (stmt, 0);
      if (g_ascii_strcasecmp (mode != NULL ? mode : "", "wal") != 0)
        g_warning ("Database stays in journal mode %s instead of WAL", mode);
    }

  /* FULL: a committed outbox entry or sync cursor must survive power loss. */
  return bd_database_exec (self, "PRAGMA synchronous = FULL", error) &&
         bd_database_exec (self, "PRAGMA foreign_keys = ON", error);
}

static void
bd_database_finalize (GObject *object)
{
  BdDatabase *self = BD_DATABASE (object);

  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (bd_database_parent_class)->finalize (object);
}

static void
bd_database_class_init (BdDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bd_database_finalize;
}

static void
bd_database_init (BdDatabase *self)
{
}

BdDatabase *
bd_database_open (const char         *path,
                  const BdMigration  *migrations,
                  gsize               n_migrations,
                  GError            **error)
{
  g_autoptr(BdDatabase) self = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (migrations != NULL || n_migrations == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (BD_TYPE_DATABASE, NULL);
  self->path = g_strdup (path);

  if (!is_memory_path (path))
    {
      g_autofree char *dir = g_path_get_dirname (path);

      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_OPEN,
                       _("Cannot create the folder “%s” for the database: %s."),
                       dir, g_strerror (saved_errno));
          return NULL;
        }
    }

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      const char *detail = self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);

      set_error_from_code (error, rc == SQLITE_NOTADB ? rc : SQLITE_CANTOPEN,
                           detail, _("Opening the database"), path);
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);

  if (!configure (self, error))
    return NULL;
  if (!migrate (self, migrations, n_migrations, error))
    return NULL;

  return g_steal_pointer (&self);
}

BdDatabase *
bd_database_open_read_only (const char  *path,
                            GError     **error)
{
  g_autoptr(BdDatabase) self = NULL;
  int rc;

  g_return_val_if_fail (path != NULL && !is_memory_path (path), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (BD_TYPE_DATABASE, NULL);
  self->path = g_strdup (path);

  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      const char *detail = self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);

      set_error_from_code (error, rc == SQLITE_NOTADB ? rc : SQLITE_CANTOPEN,
                           detail, _("Opening the database"), path);
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  /* The writer has checked and migrated the file; only learn its version. */
  if (!read_user_version (self, &self->version, error))
    return NULL;
  return g_steal_pointer (&self);
}

sqlite3 *
bd_database_get_handle (BdDatabase *self)
{
  g_return_val_if_fail (BD_IS_DATABASE (self), NULL);
  return self->db;
}

const char *
bd_database_get_path (BdDatabase *self)
{
  g_return_val_if_fail (BD_IS_DATABASE (self), NULL);
  return self->path;
}

int
bd_database_get_version (BdDatabase *self)
{
  g_return_val_if_fail (BD_IS_DATABASE (self), 0);
  return self->version;
}

/* quick_check rather than integrity_check: it skips the cross-checks of
 * indexes against their tables, which take as long again, and still reads
 * every page. */
gboolean
bd_database_check (BdDatabase  *self,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  const char *result;
  int rc;

  g_return_val_if_fail (BD_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA quick_check(1)", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      bd_database_set_error (self, error, _("Checking the database"));
      return FALSE;
    }

  result = (const char *) sqlite3_column_text (stmt, 0);
  if (g_strcmp0 (result, "ok") != 0)
    {
      g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_CORRUPT,
                   _("The database file “%s” is damaged. Move it aside and "
                     "sync again to rebuild it."), self->path);
      return FALSE;
    }
  return TRUE;
}

gboolean
bd_database_exec (BdDatabase  *self,
                  const char  *sql,
                  GError     **error)
{
  char *message = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_DATABASE (self), FALSE);
  g_return_val_if_fail (sql != NULL, FALSE);

  rc = sqlite3_exec (self->db, sql, NULL, NULL, &message);
  if (rc != SQLITE_OK)
    {
      set_error_from_code (error, rc, message != NULL ? message : sqlite3_errstr (rc),
                           _("Updating the database"), self->path);
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

sqlite3_stmt *
bd_database_prepare (BdDatabase  *self,
                     const char  *sql,
                     GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_DATABASE (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      bd_database_set_error (self, error, _("Preparing a database query"));
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

gboolean
bd_database_begin (BdDatabase  *self,
                   GError     **error)
{
  return bd_database_exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
bd_database_commit (BdDatabase  *self,
                    GError     **error)
{
  return bd_database_exec (self, "COMMIT", error);
}

void
bd_database_rollback (BdDatabase *self)
{
  g_return_if_fail (BD_IS_DATABASE (self));

  /* After some errors SQLite has already rolled back on its own. */
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

void
bd_database_set_error (BdDatabase  *self,
                       GError     **error,
                       const char  *what)
{
  g_return_if_fail (BD_IS_DATABASE (self));

  set_error_from_code (error, sqlite3_extended_errcode (self->db),
                       sqlite3_errmsg (self->db),
                       what != NULL ? what : _("A database operation"),
                       self->path);
}
