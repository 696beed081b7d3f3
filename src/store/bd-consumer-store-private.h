/* bd-consumer-store-private.h: what the files of BdConsumerStore share.
 *
 * bd-consumer-store.c         the object, opening, connections, threads
 * bd-consumer-store-schema.c  migrations and the consumers table's row
 * bd-consumer-store-index.c   what the FTS table holds, and (re)building it
 * bd-consumer-store-apply.c   pages of the feed, deletes
 * bd-consumer-store-search.c  search tiers
 * bd-consumer-store-indexing.c indexing and history caches, saving an edit
 * bd-consumer-store-outbox.c  the outbox of changes to send
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "bd-consumer-store.h"
#include "bd-database.h"

G_BEGIN_DECLS

/* A connection with its own lock and its own cache of prepared statements. */
typedef struct
{
  GMutex      lock;
  BdDatabase *db;
  GHashTable *statements;   /* static SQL text → sqlite3_stmt, prepared once */
} BdStoreConnection;

struct _BdConsumerStore
{
  GObject            parent_instance;

  BdStoreConnection *writer;
  BdStoreConnection *reader;   /* the writer itself for ":memory:" */
  GHashTable        *words;    /* raw word → folded word and key; under the writer's lock */

  /* Atomic: a bulk first sync is under way (see bd-consumer-store-apply.c).
   * Only the writer changes it, under its lock. */
  gint               indexing;

  /* The check of the whole file that runs after opening. */
  GMutex             check_lock;
  GCond              check_done_cond;
  GThread           *check_thread;
  BdDatabase        *check_db;
  gboolean           check_done;   /* under check_lock */
  GError            *damage;       /* under check_lock; set once, never cleared */
  gint               damaged;      /* atomic: damage != NULL */
  gint               closing;      /* atomic: stop the check */
};

/* Bump whenever what goes into the FTS table changes (folding, name keys,
 * columns): stores built by another version rebuild it on open, and a
 * snapshot built by another version is refused. */
#define SEARCH_INDEX_VERSION 2

#define CONSUMER_COLUMNS \
  "c.account, c.name_en, c.name_hi, c.relation_en, c.relation_hi, c.address, " \
  "c.mobile, c.mobile_verified, c.meter_serial, c.meter_make, c.meter_type, "  \
  "c.category, c.sanctioned_load_w, c.phase, c.feeder, c.dt, c.pole, c.zone, " \
  "c.area_type, c.supply_status, c.balance_paise, c.balance_as_of, "           \
  "c.version, c.updated_at"

/* Statements used by more than one file: the statement cache is keyed by
 * the address of the SQL text, so each lives once. */
extern const char _bd_store_get_state_sql[];
extern const char _bd_store_by_account_sql[];

/* A borrowed cached statement, reset (and its bindings cleared) when the
 * borrower is done, so it holds no read snapshot between uses. */
typedef sqlite3_stmt BdCachedStmt;

static inline void
_bd_cached_stmt_release (BdCachedStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdCachedStmt, _bd_cached_stmt_release)

static inline const char *
_bd_column_text (sqlite3_stmt *stmt,
                 int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

/* bd-consumer-store.c */
BdCachedStmt *_bd_store_connection_lease     (BdStoreConnection  *conn,
                                              const char         *sql,
                                              GError            **error);
gboolean      _bd_store_connection_step_done (BdStoreConnection  *conn,
                                              BdCachedStmt       *stmt,
                                              const char         *what,
                                              GError            **error);
gboolean      _bd_store_set_state            (BdStoreConnection  *writer,
                                              const char         *key,
                                              const char         *text_value,
                                              gint64              int_value,
                                              GError            **error);
gboolean      _bd_consumer_store_check_damage (BdConsumerStore   *self,
                                               GError           **error);

/* bd-consumer-store-schema.c */
const BdMigration *_bd_consumer_store_get_migrations (gsize *n_migrations);
void        _bd_bind_text_or_null (sqlite3_stmt *stmt,
                                   int           index,
                                   const char   *text);
void        _bd_bind_consumer     (sqlite3_stmt *stmt,
                                   BdConsumer   *c);
BdConsumer *_bd_consumer_from_row (sqlite3_stmt *stmt);
/* Caller holds the writer's lock and a transaction. */
gboolean    _bd_consumer_store_drop_secondary_indexes   (BdConsumerStore  *self,
                                                         GError          **error);
gboolean    _bd_consumer_store_create_secondary_indexes (BdConsumerStore  *self,
                                                         GError          **error);

/* bd-consumer-store-index.c; callers hold the writer's lock, and a
 * transaction for index and unindex. */
GHashTable *_bd_consumer_store_words_new          (void);
gboolean    _bd_consumer_store_index              (BdConsumerStore  *self,
                                                   sqlite3_int64     rowid,
                                                   const char       *name_en,
                                                   const char       *name_hi,
                                                   const char       *relation_en,
                                                   const char       *relation_hi,
                                                   GError          **error);
gboolean    _bd_consumer_store_unindex            (BdConsumerStore  *self,
                                                   sqlite3_int64     rowid,
                                                   GError          **error);
gboolean    _bd_consumer_store_rebuild_search_index (BdConsumerStore  *self,
                                                     GError          **error);
gboolean    _bd_consumer_store_ensure_search_index (BdConsumerStore  *self,
                                                    GError          **error);

/* bd-consumer-store-recovery.c */
gboolean    _bd_consumer_store_copy_database      (sqlite3          *source,
                                                   const char       *dest_path,
                                                   GError          **error);

/* bd-consumer-store-apply.c */
gboolean    _bd_consumer_store_apply_records      (BdConsumerStore  *self,
                                                   GPtrArray        *consumers,
                                                   const char       *cursor,
                                                   gboolean          has_more,
                                                   GError          **error);

/* bd-consumer-store-outbox.c */
BdOutboxItem *_bd_outbox_item_from_row        (sqlite3_stmt       *stmt);
/* Caller holds conn's lock. (element-type BdOutboxItem) */
GPtrArray    *_bd_consumer_store_read_pending (BdStoreConnection  *conn,
                                               const char         *account,
                                               GError            **error);

/* Queues a POST of body to path as a new outbox item of kind (in the
 * caller's transaction, holding the writer's lock); returns its seq or -1. */
gint64        _bd_consumer_store_queue_post   (BdStoreConnection  *writer,
                                               const char         *key,
                                               const char         *kind,
                                               const char         *account,
                                               const char         *path,
                                               JsonNode           *body,
                                               const char         *username,
                                               gint64              now,
                                               GError            **error);

/* bd-consumer-store-recovery.c: PATH.damaged records that the check after
 * opening found the file damaged; bd_consumer_store_open_or_recover()
 * recovers such a file at the next start. */
void     _bd_consumer_store_mark_damaged (const char *path);

/* bd-consumer-store-indexing.c */
/* A key the server can tell apart from every other desk's: 128 random bits. */
char       *_bd_store_new_idempotency_key (void);

G_END_DECLS
