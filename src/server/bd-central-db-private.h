/* bd-central-db-private.h: what the files of BdCentralDb share, and hooks
 * for bijli-central's own tests.
 *
 * bd-central-db.c            the object, opening, migrations, zones and the
 *                            cache of prepared statements
 * bd-central-db-auth.c       staff users, sign-in and sessions
 * bd-central-db-consumers.c  a consumer's row: insert, update, lookup, name keys
 * bd-central-db-search.c     search by identifier and by name in FTS tiers
 * bd-central-db-feed.c       the changes feed and the per-zone counts it keeps
 * bd-central-db-bulk.c       loading many consumers into an empty table
 * bd-central-db-otp.c        OTP tickets, their rate limits, app registrations
 * bd-central-db-sms.c        the simulated SMS gateway's outbox
 * bd-central-db-history.c    a consumer's change history
 * bd-central-db-indexing.c   indexing data and idempotency keys
 * bd-central-db-complaints.c complaints, their SLA table, timeline and feed
 * bd-central-db-audit.c      the hash-chained audit log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "core/bd-disconnection-rules.h"

#include "bd-central-db.h"
#include "bd-sql-connection.h"

G_BEGIN_DECLS

/* Hot queries, prepared once per connection and reset after use:
 * preparing costs more than running them. The SQL is in bd-central-db.c,
 * in one table, so that the query-plan test sees every one of them. */
typedef enum {
  STMT_NEXT_SEQ,
  STMT_INSERT,
  STMT_SESSION,
  STMT_LOOKUP,
  STMT_FIND_ACCOUNT,
  STMT_FIND_MOBILE,
  STMT_FIND_ACCOUNT_OR_MOBILE,
  STMT_FIND_METER,
  STMT_FIND_NAMES,
  STMT_FIND_NAME_KEYS,
  STMT_CHANGES,
  STMT_REMAINING,
  N_STMTS
} BdCentralStmt;

struct _BdCentralDb
{
  GObject       parent_instance;

  BdSqlConnection *sql;
  char            *url;
  BdSqlStmt       *stmts[N_STMTS];

  /* The file did not exist before this connection opened it, so a bulk
   * load may skip the journal: a crash can only lose a file nobody has used. */
  gboolean      created;

  /* Bulk load state (bd_central_db_bulk_begin() … _end()). */
  gboolean      bulk;
  gboolean      bulk_unjournaled;
  gint64        bulk_seq;
  GPtrArray    *bulk_deferred_sql;
  GHashTable   *bulk_memo;      /* name → bd_name_keys_text (name) */

  /* The desk the request being served came from (its X-Bijli-Desk
   * header), for the audit entries it writes; NULL outside requests. */
  char         *request_desk;

  /* New password hashes get this many iterations; when upgrade_hashes,
   * a good sign-in with an older, cheaper hash rehashes it. */
  guint         password_iterations;
  gboolean      upgrade_hashes;
};

#define CONSUMER_COLUMNS \
  "account, zone, name_en, name_hi, relation_en, relation_hi, address, mobile, " \
  "mobile_verified, meter_serial, meter_make, meter_type, category, " \
  "sanctioned_load_w, phase, feeder, dt, pole, area_type, supply_status, " \
  "balance_paise, balance_as_of, version, updated_at"

/* Column indexes of CONSUMER_COLUMNS. */
enum {
  COL_ACCOUNT,
  COL_ZONE,
  COL_NAME_EN,
  COL_NAME_HI,
  COL_RELATION_EN,
  COL_RELATION_HI,
  COL_ADDRESS,
  COL_MOBILE,
  COL_MOBILE_VERIFIED,
  COL_METER_SERIAL,
  COL_METER_MAKE,
  COL_METER_TYPE,
  COL_CATEGORY,
  COL_SANCTIONED_LOAD_W,
  COL_PHASE,
  COL_FEEDER,
  COL_DT,
  COL_POLE,
  COL_AREA_TYPE,
  COL_SUPPLY_STATUS,
  COL_BALANCE_PAISE,
  COL_BALANCE_AS_OF,
  COL_VERSION,
  COL_UPDATED_AT,
  /* The one column some queries select after CONSUMER_COLUMNS: the change
   * sequence in the feed, the rowid in name search. */
  COL_EXTRA,
};

/* A cached statement in use for the scope it is declared in: leaving the
 * scope resets it and drops its bindings. */
typedef BdSqlStmt BdCentralCachedStmt;

static inline void
_bd_central_cached_stmt_release (BdCentralCachedStmt *stmt)
{
  bd_sql_stmt_reset (stmt);
  bd_sql_stmt_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdCentralCachedStmt, _bd_central_cached_stmt_release)

static inline const char *
_bd_central_column_text (BdSqlStmt *stmt,
                         int        col)
{
  const char *text = bd_sql_stmt_column_text (stmt, col);

  return text != NULL ? text : "";
}

/* Hashes password with a fresh salt and binds the hash, salt and
 * iteration count to parameters first, first + 1 and first + 2. */
void _bd_central_bind_password (BdSqlStmt    *stmt,
                                int           first,
                                const char   *password,
                                guint         iterations);

static inline void
_bd_central_bind_text_or_null (BdSqlStmt  *stmt,
                               int         index,
                               const char *text)
{
  bd_sql_stmt_bind_text (stmt, index, text);
}

/* bd-central-db.c */
BdCentralCachedStmt *_bd_central_db_cached_stmt       (BdCentralDb    *self,
                                                       BdCentralStmt   which,
                                                       GError        **error);

/* bd-central-db-consumers.c */
/* Each name's spelling keys (core/bd-name-key.h), English words then Hindi. */
char                *_bd_central_db_build_name_key    (const char     *name_en,
                                                       const char     *name_hi);
BdConsumer          *_bd_central_db_consumer_from_row (BdSqlStmt      *stmt);
/* Stores a new consumer with change sequence seq (during a bulk load, with
 * its name keys memoised). */
gboolean             _bd_central_db_insert_row        (BdCentralDb    *self,
                                                       BdConsumer     *consumer,
                                                       gint64          seq,
                                                       GError        **error);
/* bd_central_db_update_consumer() inside a transaction the caller holds. */
gboolean             _bd_central_db_update_row        (BdCentralDb    *self,
                                                       BdConsumer     *consumer,
                                                       gint64          now,
                                                       GError        **error);

/* bd-central-db-history.c */
/* Appends an entry to the consumer's history (inside the caller's transaction). */
gboolean             _bd_central_db_add_history       (BdCentralDb    *self,
                                                       const char     *account,
                                                       gint64          at,
                                                       const char     *by,
                                                       const char     *role,
                                                       const char     *action,
                                                       const char     *field,
                                                       const char     *from_value,
                                                       const char     *to_value,
                                                       GError        **error);

/* bd-central-db-sms.c */
/* Queues text for mobile (inside the caller's transaction); secret is the
 * part of text that the gateway scrubs once it is done with the message.
 * Returns the message's id, or -1. */
gint64               _bd_central_db_sms_enqueue       (BdCentralDb    *self,
                                                       const char     *account,
                                                       const char     *mobile,
                                                       const char     *text,
                                                       const char     *secret,
                                                       gint64          now_ms,
                                                       GError        **error);

/* bd-central-db-otp.c */
/* Inside the caller's transaction: TRUE if OTP id is account's, for
 * purpose (and mobile, when not NULL), verified in the last within_s; it
 * becomes used. Otherwise OTP_NOT_VERIFIED. */
gboolean             _bd_central_db_otp_take          (BdCentralDb    *self,
                                                       const char     *zone,
                                                       const char     *id,
                                                       const char     *account,
                                                       const char     *purpose,
                                                       const char     *mobile,
                                                       gint64          within_s,
                                                       gint64          now,
                                                       GError        **error);

/* bd-central-db-audit.c */
/* Appends an audit entry (in the caller's transaction, or its own).
 * zone NULL: the zone of consumer target. detail (nullable) is a JSON
 * object of masked values. */
gboolean             _bd_central_db_audit             (BdCentralDb    *self,
                                                       gint64          at,
                                                       const char     *username,
                                                       const char     *role,
                                                       const char     *zone,
                                                       const char     *action,
                                                       const char     *target,
                                                       JsonNode       *detail,
                                                       GError        **error);

/* bd-central-db-complaints.c */
/* Writes the core's SLA table as version 1 when the table is empty. */
gboolean             _bd_central_db_seed_sla_rules    (BdCentralDb    *self,
                                                       GError        **error);

/* bd-central-db-meters.c */
/* Writes the core's tariffs, prepaid rules and holidays as version 1 when
 * the tables are empty. */
gboolean             _bd_central_db_seed_prepaid_tables (BdCentralDb  *self,
                                                         GError      **error);

/* What the disconnection rules look at for account, at now; the number of
 * an open wrong-deduction complaint in *out_wrong_deduction (or NULL). */
gboolean             _bd_central_db_request_context   (BdCentralDb    *self,
                                                       const char     *zone,
                                                       const char     *account,
                                                       gint64          now,
                                                       BdRequestContext *out_context,
                                                       char          **out_wrong_deduction,
                                                       GError        **error);
/* Switches account's supply (a versioned change, supply event, history,
 * audit and SMS) unless it already is so; inside the caller's transaction. */
gboolean             _bd_central_db_switch_supply     (BdCentralDb    *self,
                                                       const char     *zone,
                                                       const char     *account,
                                                       BdSupplyStatus  status,
                                                       gint64          now,
                                                       const char     *by,
                                                       const char     *role,
                                                       const char     *reason,
                                                       GError        **error);

/* Test hooks. */

/* Opens and migrates only up to schema version, to test later migrations
 * on a database an older bijli-central wrote. */
BdCentralDb         *bd_central_db_open_at_version    (const char     *path,
                                                       int             version,
                                                       GError        **error);

/* EXPLAIN QUERY PLAN of every prepared query, one "N: detail" line per
 * step (N numbers the statement). */
char                *bd_central_db_dup_query_plans    (BdCentralDb    *self,
                                                       GError        **error);

/* Idempotency keys (bd-central-db-indexing.c), for every write a desk may
 * send again: lookup gives TRUE with *found and the stored answer for a
 * key this user sent before with the same request_hash, and
 * BD_CENTRAL_ERROR_IDEMPOTENCY_MISMATCH for a different one; store keeps
 * the answer (and drops keys older than BD_CENTRAL_IDEMPOTENCY_KEEP_S).
 * Call both inside the write's transaction. */
gboolean _bd_central_db_idempotency_lookup (BdCentralDb  *self,
                                            const char   *key,
                                            const char   *username,
                                            const char   *request_hash,
                                            gboolean     *found,
                                            guint        *out_status,
                                            char        **out_body,
                                            GError      **error);
gboolean _bd_central_db_idempotency_store  (BdCentralDb  *self,
                                            const char   *key,
                                            const char   *username,
                                            const char   *request_hash,
                                            guint         status,
                                            const char   *body,
                                            gint64        now,
                                            GError      **error);

G_END_DECLS
