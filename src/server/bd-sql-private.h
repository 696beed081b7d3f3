/* bd-sql-private.h: what bd-sql-connection.c (the interface and the SQLite
 * backend) shares with bd-sql-postgresql.c (the libpq backend).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libpq-fe.h>
#include <sqlite3.h>

#include "bd-sql-connection.h"

G_BEGIN_DECLS

struct _BdSqlConnection
{
  GObject       parent_instance;

  BdSqlDialect  dialect;

  /* SQLite */
  BdDatabase   *database;
  sqlite3      *handle;

  /* PostgreSQL */
  PGconn       *pg;
  GHashTable   *pg_prepared;      /* signature + SQL → statement name */
  guint         pg_next_name;
  gint64        pg_changes;
  int           pg_version;
  GHashTable   *pg_leading;       /* keys whose leadership lock this session holds */
  guint         pg_pipelined;     /* statements sent in pipeline mode, not yet synced */
  gboolean      pg_pipeline_failed;
  char         *pg_error;         /* the last failure's message */
  char          pg_sqlstate[6];
};

struct _BdSqlStmt
{
  BdSqlConnection *connection;    /* not owned: statements go first */

  /* SQLite */
  sqlite3_stmt    *lite;

  /* PostgreSQL: the SQL with $n parameters, the values bound for the next
   * execution, and the whole result of the last one, read row by row. */
  char            *sql;
  gboolean         writes;        /* not a plain query: runs under the write lock */
  int              n_params;
  char           **values;
  int             *lengths;
  int             *formats;
  char            *kinds;         /* per parameter: t(ext) i(nt) b(lob) n(ull) */
  guint8          *used;          /* per parameter: the SQL names it */
  PGresult        *result;
  int              row;
  int              n_rows;
  gboolean         executed;
  guchar         **blobs;         /* the current row's decoded bytea, per column */
  gsize           *blob_sizes;
  int              n_columns;
};

BdSqlConnection *_bd_sql_postgresql_open        (BdSqlConnection    *self,
                                                 const char         *url,
                                                 const BdMigration  *migrations,
                                                 gsize               n_migrations,
                                                 GError            **error);
void             _bd_sql_postgresql_close       (BdSqlConnection    *self);
gboolean         _bd_sql_postgresql_exec        (BdSqlConnection    *self,
                                                 const char         *sql,
                                                 GError            **error);
BdSqlStmt       *_bd_sql_postgresql_prepare     (BdSqlConnection    *self,
                                                 const char         *sql);
int              _bd_sql_postgresql_step        (BdSqlStmt          *stmt);
void             _bd_sql_postgresql_reset       (BdSqlStmt          *stmt);
void             _bd_sql_postgresql_stmt_free   (BdSqlStmt          *stmt);
const void      *_bd_sql_postgresql_column_blob (BdSqlStmt          *stmt,
                                                 int                 column,
                                                 gsize              *out_size);
gboolean         _bd_sql_postgresql_send        (BdSqlStmt          *stmt,
                                                 GError            **error);
gboolean         _bd_sql_postgresql_sync        (BdSqlConnection    *self,
                                                 GError            **error);
gboolean         _bd_sql_postgresql_try_lead    (BdSqlConnection    *self,
                                                 const char         *key,
                                                 GError            **error);
void             _bd_sql_postgresql_set_error   (BdSqlConnection    *self,
                                                 GError            **error,
                                                 const char         *what);
/* The lock every write transaction takes (and migrations, a second one). */
#define BD_SQL_WRITE_LOCK     G_GINT64_CONSTANT (0x62696a6c69000001)
#define BD_SQL_MIGRATION_LOCK G_GINT64_CONSTANT (0x62696a6c69000002)

/* SQL with ?N / ? parameters in SQLite's meaning, as $N for PostgreSQL
 * (and group_concat, instr as string_agg, strpos);
 * *out_n_params is the highest number used, used[i] marks each one named. */
char            *_bd_sql_postgresql_rewrite     (const char         *sql,
                                                 int                *out_n_params,
                                                 guint8            **out_used);

G_END_DECLS
