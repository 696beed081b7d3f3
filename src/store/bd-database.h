/* bd-database.h: an SQLite connection with our pragmas and schema migrations.
 *
 * Used by the desk's local store and by bijli-central alike. Migrations are
 * an ordered list of SQL scripts; PRAGMA user_version records how many have
 * run, and each runs in its own transaction with the version bump, so a
 * crash mid-migration leaves the previous version intact.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define BD_STORE_ERROR (bd_store_error_quark ())

typedef enum {
  BD_STORE_ERROR_OPEN,        /* could not open or create the file */
  BD_STORE_ERROR_CORRUPT,     /* the file is not a usable database */
  BD_STORE_ERROR_MIGRATION,   /* a migration failed (database left at the previous version) */
  BD_STORE_ERROR_TOO_NEW,     /* written by a newer version of the program */
  BD_STORE_ERROR_QUERY,       /* an SQL statement failed */
  BD_STORE_ERROR_BUSY,        /* locked by another process for longer than the busy timeout */
  BD_STORE_ERROR_NOT_FOUND,
} BdStoreError;

GQuark bd_store_error_quark (void);

typedef struct {
  int         version;   /* 1, 2, 3… in order */
  const char *sql;       /* one or more statements */
} BdMigration;

#define BD_TYPE_DATABASE (bd_database_get_type ())
G_DECLARE_FINAL_TYPE (BdDatabase, bd_database, BD, DATABASE, GObject)

/* Files up to this size are checked page by page (PRAGMA quick_check,
 * about 0.1 s) when opened; larger ones only for a valid header and schema,
 * and it is up to the caller to run bd_database_check() later. */
#define BD_DATABASE_OPEN_CHECK_MAX_BYTES (32 * 1024 * 1024)

/* Opens (creating if absent) a database in WAL mode with foreign keys on and
 * a busy timeout, then applies any migrations not yet applied.
 * path may be ":memory:". A file that is not a database, or a damaged one
 * (see BD_DATABASE_OPEN_CHECK_MAX_BYTES), fails with BD_STORE_ERROR_CORRUPT. */
BdDatabase *bd_database_open            (const char         *path,
                                         const BdMigration  *migrations,
                                         gsize               n_migrations,
                                         GError            **error);
/* A second, read-only connection to a file the writer has already opened
 * and migrated: in WAL mode it reads the last committed state while the
 * writer writes, so searching never waits for a sync. No migrations run
 * and every write fails. Not for ":memory:" (a memory database cannot be
 * shared between connections). */
BdDatabase *bd_database_open_read_only  (const char         *path,
                                         GError            **error);
sqlite3    *bd_database_get_handle      (BdDatabase         *self);
const char *bd_database_get_path        (BdDatabase         *self);
int         bd_database_get_version     (BdDatabase         *self);

/* Reads every page of the file: BD_STORE_ERROR_CORRUPT if any is damaged.
 * Takes seconds on a large file; read-only connections may run it while
 * another writes. Stops with BD_STORE_ERROR_QUERY if interrupted. */
gboolean    bd_database_check           (BdDatabase         *self,
                                         GError            **error);

/* Runs SQL with no results. */
gboolean    bd_database_exec            (BdDatabase         *self,
                                         const char         *sql,
                                         GError            **error);
/* Prepares a statement; BD_STORE_ERROR_QUERY on failure. */
sqlite3_stmt *bd_database_prepare       (BdDatabase         *self,
                                         const char         *sql,
                                         GError            **error);

/* Transactions: begin IMMEDIATE, commit, rollback (rollback never fails loudly). */
gboolean    bd_database_begin           (BdDatabase         *self,
                                         GError            **error);
gboolean    bd_database_commit          (BdDatabase         *self,
                                         GError            **error);
void        bd_database_rollback        (BdDatabase         *self);

/* Sets error from the connection's last SQLite error, mapping codes to BD_STORE_ERROR. */
void        bd_database_set_error       (BdDatabase         *self,
                                         GError            **error,
                                         const char         *what);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_END_DECLS
