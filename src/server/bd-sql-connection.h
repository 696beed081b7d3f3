/* bd-sql-connection.h: bijli-central's storage interface, one connection to
 * either backend: SQLite (embedded, the default) or PostgreSQL (libpq).
 *
 * The SQL the server runs is written once in the dialect both accept
 * (numbered parameters ?1…, ON CONFLICT, RETURNING, COALESCE …); where they
 * differ, the caller asks bd_sql_connection_get_dialect(). Statements are
 * stepped as SQLite steps them, so the code reads the same for both.
 *
 * Transactions keep SQLite's single-writer semantics on PostgreSQL too:
 * bd_sql_connection_begin() takes a transaction-scoped advisory lock, so
 * every write transaction of every bijli-central process on one database
 * runs one at a time, and each sees all that committed before it. That is
 * what keeps the change sequence gapless in commit order, OTP limits
 * counted, idempotency keys and complaint numbers unique across processes.
 * Reads never take it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "store/bd-database.h"

G_BEGIN_DECLS

typedef enum {
  BD_SQL_DIALECT_SQLITE,
  BD_SQL_DIALECT_POSTGRESQL,
} BdSqlDialect;

/* bd_sql_stmt_step()'s answers; the values are SQLite's. */
#define BD_SQL_ROW  100
#define BD_SQL_DONE 101

typedef struct _BdSqlStmt BdSqlStmt;

#define BD_TYPE_SQL_CONNECTION (bd_sql_connection_get_type ())
G_DECLARE_FINAL_TYPE (BdSqlConnection, bd_sql_connection, BD, SQL_CONNECTION, GObject)

/* url: "sqlite:///path", "postgresql://…" (or "postgres://…", or a libpq
 * "key=value" string starting with "postgresql:"), or a plain file path,
 * which is SQLite. Each backend has its own migrations; both must end at
 * the same schema version with the same meaning. */
BdSqlConnection *bd_sql_connection_open            (const char         *url,
                                                    const BdMigration  *sqlite_migrations,
                                                    gsize               n_sqlite_migrations,
                                                    const BdMigration  *postgresql_migrations,
                                                    gsize               n_postgresql_migrations,
                                                    GError            **error);

/* TRUE when url names a PostgreSQL database. */
gboolean         bd_sql_url_is_postgresql          (const char         *url);

BdSqlDialect     bd_sql_connection_get_dialect     (BdSqlConnection    *self);
int              bd_sql_connection_get_version     (BdSqlConnection    *self);
/* The SQLite file's BdDatabase, or NULL on PostgreSQL. */
BdDatabase      *bd_sql_connection_get_database    (BdSqlConnection    *self);
/* The file's path (SQLite) or NULL. */
const char      *bd_sql_connection_get_path        (BdSqlConnection    *self);

/* One or more statements without parameters. */
gboolean         bd_sql_connection_exec            (BdSqlConnection    *self,
                                                    const char         *sql,
                                                    GError            **error);
BdSqlStmt       *bd_sql_connection_prepare         (BdSqlConnection    *self,
                                                    const char         *sql,
                                                    GError            **error);

/* A write transaction (see above). */
gboolean         bd_sql_connection_begin           (BdSqlConnection    *self,
                                                    GError            **error);
/* A read transaction: one snapshot for every statement until commit. */
gboolean         bd_sql_connection_begin_read      (BdSqlConnection    *self,
                                                    GError            **error);
gboolean         bd_sql_connection_commit          (BdSqlConnection    *self,
                                                    GError            **error);
void             bd_sql_connection_rollback        (BdSqlConnection    *self);
gboolean         bd_sql_connection_in_transaction  (BdSqlConnection    *self);

/* Rows changed by the last INSERT, UPDATE or DELETE. */
gint64           bd_sql_connection_changes         (BdSqlConnection    *self);

/* Sets error from the last failure on this connection. */
void             bd_sql_connection_set_error       (BdSqlConnection    *self,
                                                    GError            **error,
                                                    const char         *what);

/* Leadership among the processes sharing the database, for work only one
 * of them may do (the meter simulator): TRUE once this connection holds
 * the lock named key, which it keeps until it closes. SQLite has one
 * process per file, so it always leads. */
gboolean         bd_sql_connection_try_lead        (BdSqlConnection    *self,
                                                    const char         *key,
                                                    GError            **error);

/* Statements. Parameters count from 1, columns from 0. Text and blobs are
 * copied at bind time. */
void             bd_sql_stmt_bind_text             (BdSqlStmt          *stmt,
                                                    int                 index,
                                                    const char         *text);
void             bd_sql_stmt_bind_int64            (BdSqlStmt          *stmt,
                                                    int                 index,
                                                    gint64              value);
void             bd_sql_stmt_bind_blob             (BdSqlStmt          *stmt,
                                                    int                 index,
                                                    const void         *data,
                                                    gsize               size);
void             bd_sql_stmt_bind_null             (BdSqlStmt          *stmt,
                                                    int                 index);
/* For a statement that returns no rows, run many times in a row (a bulk
 * load): PostgreSQL sends it without waiting for its answer (libpq's
 * pipeline mode), and a failure is reported at the latest by
 * bd_sql_connection_sync(), or by the next other call on the connection.
 * SQLite runs it at once. The statement is reset and may be bound again
 * at once. */
gboolean         bd_sql_stmt_step_pipelined        (BdSqlStmt          *stmt,
                                                    GError            **error);
/* Waits for every pipelined statement's answer. */
gboolean         bd_sql_connection_sync            (BdSqlConnection    *self,
                                                    GError            **error);

/* BD_SQL_ROW, BD_SQL_DONE, or anything else for an error, which
 * bd_sql_connection_set_error() then reports. */
int              bd_sql_stmt_step                  (BdSqlStmt          *stmt);
/* Columns of the result (on PostgreSQL, known once stepped). */
int              bd_sql_stmt_column_count          (BdSqlStmt          *stmt);
const char      *bd_sql_stmt_column_name           (BdSqlStmt          *stmt,
                                                    int                 column);
/* TRUE for a number (or boolean) rather than text or bytes. */
gboolean         bd_sql_stmt_column_is_number      (BdSqlStmt          *stmt,
                                                    int                 column);
gboolean         bd_sql_stmt_column_is_null        (BdSqlStmt          *stmt,
                                                    int                 column);
/* NULL for SQL NULL. */
const char      *bd_sql_stmt_column_text           (BdSqlStmt          *stmt,
                                                    int                 column);
gint64           bd_sql_stmt_column_int64          (BdSqlStmt          *stmt,
                                                    int                 column);
int              bd_sql_stmt_column_int            (BdSqlStmt          *stmt,
                                                    int                 column);
const void      *bd_sql_stmt_column_blob           (BdSqlStmt          *stmt,
                                                    int                 column);
gsize            bd_sql_stmt_column_bytes          (BdSqlStmt          *stmt,
                                                    int                 column);
/* Back to before the first step; bindings stay. */
void             bd_sql_stmt_reset                 (BdSqlStmt          *stmt);
void             bd_sql_stmt_clear_bindings        (BdSqlStmt          *stmt);
void             bd_sql_stmt_free                  (BdSqlStmt          *stmt);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdSqlStmt, bd_sql_stmt_free)

G_END_DECLS
