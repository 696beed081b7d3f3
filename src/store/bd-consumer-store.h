/* bd-consumer-store.h: the desk's local copy of its zone.
 *
 * Thread-safe: each call may come from any thread (the async variants run
 * in GTask worker threads so the UI never waits on disk).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "core/bd-changes-page.h"
#include "core/bd-balance.h"
#include "core/bd-complaint.h"
#include "core/bd-reading-series.h"
#include "core/bd-recharge.h"
#include "core/bd-consumer.h"
#include "core/bd-disconnection.h"
#include "core/bd-indexing.h"
#include "store/bd-database.h"   /* BD_STORE_ERROR, e.g. NOT_FOUND from lookup */
#include "store/bd-outbox-item.h"

G_BEGIN_DECLS

#define BD_TYPE_CONSUMER_STORE (bd_consumer_store_get_type ())
G_DECLARE_FINAL_TYPE (BdConsumerStore, bd_consumer_store, BD, CONSUMER_STORE, GObject)

/* Opens or creates the local database at path (":memory:" for tests),
 * migrating it to the current schema. A large file is only checked for a
 * valid header and schema here; the rest of it is checked in a thread of
 * the store's own (about 2 s for 1 M consumers). If that check finds the
 * file damaged, every call after it fails with BD_STORE_ERROR_CORRUPT and
 * a message saying what to do. */
BdConsumerStore *bd_consumer_store_open          (const char       *path,
                                                  GError          **error);

typedef enum {
  BD_STORE_RECOVERY_NONE,         /* the file was sound */
  BD_STORE_RECOVERY_FROM_BACKUP,  /* it was damaged; the backup replaced it */
  BD_STORE_RECOVERY_EMPTY,        /* it was damaged and no sound backup existed */
} BdStoreRecovery;

/* Like bd_consumer_store_open(), but a file found damaged while opening is
 * moved aside (PATH.corrupt-TIMESTAMP, never deleted) and replaced by the
 * backup (bd_consumer_store_backup()) if that is sound, else by an empty
 * store. *out_recovery says which; *out_backup_time is when the backup used
 * was taken (Unix seconds UTC). Records newer than the backup come back
 * through the changes feed; outbox items queued after it are lost, and the
 * caller must tell the operator. */
BdConsumerStore *bd_consumer_store_open_or_recover (const char       *path,
                                                    BdStoreRecovery  *out_recovery,
                                                    gint64           *out_backup_time,
                                                    GError          **error);

/* PATH.backup: a consistent copy of the store taken while it is in use,
 * checked, then renamed over the previous one. Blocking (seconds for a large
 * store): use the async version from the UI. */
gboolean         bd_consumer_store_backup        (BdConsumerStore  *self,
                                                  GError          **error);
void             bd_consumer_store_backup_async  (BdConsumerStore     *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean         bd_consumer_store_backup_finish (BdConsumerStore     *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
char            *bd_consumer_store_build_backup_path (const char      *path);
/* When the backup of the store at path was taken, or 0 if there is none. */
gint64           bd_consumer_store_get_backup_time   (const char      *path);

/* Waits for the check that bd_consumer_store_open() started and returns
 * its verdict: FALSE with BD_STORE_ERROR_CORRUPT if the file is damaged. */
/* The file the store lives in (":memory:" for one in memory), and the
 * schema version its migrations reached. */
const char      *bd_consumer_store_get_path      (BdConsumerStore  *self);
int              bd_consumer_store_get_schema_version (BdConsumerStore *self);
/* The schema version this program's migrations reach. */
int              bd_consumer_store_latest_schema_version (void);

/* Zone snapshots (see bd-consumer-store-snapshot.c). Pristine: no cursor
 * and no row in any table, so a snapshot may replace the whole file. */
gboolean         bd_consumer_store_is_pristine   (BdConsumerStore  *self,
                                                  gboolean         *out_pristine,
                                                  GError          **error);
/* Checks the snapshot file (schema, pages, cursor, zone) and copies it
 * into this pristine store; then pull the feed from its cursor. */
gboolean         bd_consumer_store_install_snapshot (BdConsumerStore  *self,
                                                     const char       *snapshot_path,
                                                     const char       *zone,
                                                     gint64           *out_consumers,
                                                     GError          **error);
void             bd_consumer_store_install_snapshot_async  (BdConsumerStore     *self,
                                                            const char          *snapshot_path,
                                                            const char          *zone,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
gboolean         bd_consumer_store_install_snapshot_finish (BdConsumerStore     *self,
                                                            GAsyncResult        *result,
                                                            gint64              *out_consumers,
                                                            GError             **error);
/* Writes a completely synced store to dest_path as one file (what the
 * server hands out). */
gboolean         bd_consumer_store_export_snapshot (BdConsumerStore  *self,
                                                    const char       *dest_path,
                                                    GError          **error);

gboolean         bd_consumer_store_check         (BdConsumerStore  *self,
                                                  GError          **error);

/* Applies a page of the changes feed and records its cursor in one
 * transaction: either every record and the new cursor are stored, or
 * nothing is (the cursor then still points before the page).
 *
 * A first sync into an empty store (no cursor yet, and page->has_more)
 * runs in bulk mode: rows are stored without their search entries and
 * secondary indexes, which the page with has_more == FALSE builds (15 to
 * 20 s for 1 M consumers, in that page's transaction). An interrupted first
 * sync resumes in bulk mode. See bd_consumer_store_is_indexing(). */
gboolean         bd_consumer_store_apply_page    (BdConsumerStore  *self,
                                                  BdChangesPage    *page,
                                                  GError          **error);

/* Removes the consumer and its search entries in one transaction. Deleting
 * an account that is not stored succeeds (a replayed delete). */
gboolean         bd_consumer_store_delete        (BdConsumerStore  *self,
                                                  const char       *account,
                                                  GError          **error);

/* The cursor after the last applied page, or NULL before the first sync. */
char            *bd_consumer_store_dup_cursor    (BdConsumerStore  *self,
                                                  GError          **error);
/* When the last page was applied (Unix UTC), 0 if never. */
gint64           bd_consumer_store_get_last_sync (BdConsumerStore  *self);

gint64           bd_consumer_store_count         (BdConsumerStore  *self,
                                                  GError          **error);

/* TRUE while a first sync is under way in bulk mode: until its last page
 * is applied, search finds consumers by account number only (exact, or
 * while the number is typed); names, mobiles and meter serials find nothing
 * yet. The desk should say so, e.g. "Search by name is available when the
 * download finishes". Cheap; may be called from any thread. */
gboolean         bd_consumer_store_is_indexing   (BdConsumerStore  *self);

/* Ranked search: exact account, then mobile, then meter serial matches
 * (through indexes); for 4 to 12 digits, accounts then mobiles starting with
 * them; then names (own and relation's, both scripts) having every word of
 * the query as a whole word, then as a word prefix, then by spelling-tolerant
 * name key (Shrivastava/Srivastava, missing matras). Within a tier the
 * consumer's own name before a relation's, the shorter name first, then by
 * account. Never fails on odd input: an unsearchable query returns an empty
 * array. (element-type BdConsumer) */
GPtrArray       *bd_consumer_store_search        (BdConsumerStore  *self,
                                                  const char       *query,
                                                  guint             limit,
                                                  GError          **error);

/* NULL with BD_STORE_ERROR_NOT_FOUND when absent. */
BdConsumer      *bd_consumer_store_lookup        (BdConsumerStore  *self,
                                                  const char       *account,
                                                  GError          **error);

void             bd_consumer_store_search_async  (BdConsumerStore     *self,
                                                  const char          *query,
                                                  guint                limit,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
GPtrArray       *bd_consumer_store_search_finish (BdConsumerStore     *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

void             bd_consumer_store_apply_page_async  (BdConsumerStore     *self,
                                                      BdChangesPage       *page,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean         bd_consumer_store_apply_page_finish (BdConsumerStore     *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

void             bd_consumer_store_lookup_async  (BdConsumerStore     *self,
                                                  const char          *account,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
BdConsumer      *bd_consumer_store_lookup_finish (BdConsumerStore     *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* Indexing, history and the outbox.
 *
 * Saves an indexing edit in ONE transaction: the local indexing copy becomes
 * edited, the consumer's mirrored fields (feeder, dt, pole, sanctioned load,
 * meter serial) are updated so search and the consumer page show them at
 * once, and one outbox row (kind "indexing", PATCH
 * /api/v1/consumers/{account}/indexing with the changes as body and a fresh
 * Idempotency-Key) is queued. Either all of it is stored or nothing.
 * changes (element-type BdIndexingChange) is what bd_indexing_diff() gave
 * for the copy the user started from and edited; empty changes fail with
 * BD_STORE_ERROR_QUERY. Runs in a worker thread on the store's writer
 * connection. finish returns the outbox seq, or -1 with error. */
void             bd_consumer_store_save_indexing_async  (BdConsumerStore     *self,
                                                         BdIndexing          *edited,
                                                         GPtrArray           *changes,
                                                         const char          *username,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gint64           bd_consumer_store_save_indexing_finish (BdConsumerStore     *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);
/* The same, synchronously (tests, and callers already in a thread). */
gint64           bd_consumer_store_save_indexing        (BdConsumerStore     *self,
                                                         BdIndexing          *edited,
                                                         GPtrArray           *changes,
                                                         const char          *username,
                                                         GError             **error);

/* The local copy (server copy with pending edits on top); NULL with
 * BD_STORE_ERROR_NOT_FOUND if it was never fetched nor edited here. */
BdIndexing      *bd_consumer_store_load_indexing  (BdConsumerStore  *self,
                                                   const char       *account,
                                                   GError          **error);
/* Stores a copy fetched from the server, then re-applies the changes of the
 * account's outbox items still queued or sending, so an edit not yet sent is
 * not hidden by an older server copy. */
gboolean         bd_consumer_store_cache_indexing (BdConsumerStore  *self,
                                                   BdIndexing       *server_copy,
                                                   GError          **error);
/* Replaces the account's cached history. (element-type BdHistoryEntry) */
gboolean         bd_consumer_store_cache_history  (BdConsumerStore  *self,
                                                   const char       *account,
                                                   GPtrArray        *entries,
                                                   GError          **error);
/* Newest first; empty if none cached. (element-type BdHistoryEntry) */
GPtrArray       *bd_consumer_store_load_history   (BdConsumerStore  *self,
                                                   const char       *account,
                                                   GError          **error);

/* Items queued or sending, in seq order (the order they must be sent in);
 * only the account's when account is not NULL. (element-type BdOutboxItem) */
GPtrArray       *bd_consumer_store_outbox_pending (BdConsumerStore  *self,
                                                   const char       *account,
                                                   GError          **error);
/* The account's items in every state, newest first, at most limit.
 * (element-type BdOutboxItem) */
GPtrArray       *bd_consumer_store_outbox_list    (BdConsumerStore  *self,
                                                   const char       *account,
                                                   guint             limit,
                                                   GError          **error);
/* NULL with BD_STORE_ERROR_NOT_FOUND if there is no such item. */
BdOutboxItem    *bd_consumer_store_outbox_get     (BdConsumerStore  *self,
                                                   gint64            seq,
                                                   GError          **error);
/* Moves item seq to state. error_or_result goes to last_error for queued
 * and rejected, to result for done and conflict (NULL leaves it alone).
 * Moving to sending counts an attempt; next_attempt_at is when it may be
 * sent again (Unix UTC). NOT_FOUND if there is no such item. */
gboolean         bd_consumer_store_outbox_mark    (BdConsumerStore  *self,
                                                   gint64            seq,
                                                   BdOutboxState     state,
                                                   const char       *error_or_result,
                                                   gint64            next_attempt_at,
                                                   GError          **error);
gint64           bd_consumer_store_outbox_count   (BdConsumerStore  *self,
                                                   BdOutboxState     state,
                                                   GError          **error);

/* Changes the server refused or applied only in part, across all
 * consumers, that no operator has acknowledged yet: newest first, at most
 * limit. They stay in the outbox after acknowledgement (nothing is dropped
 * without a trace); they only leave this list. (element-type BdOutboxItem) */
GPtrArray       *bd_consumer_store_outbox_attention       (BdConsumerStore  *self,
                                                           guint             limit,
                                                           GError          **error);
gint64           bd_consumer_store_outbox_count_attention (BdConsumerStore  *self,
                                                           GError          **error);
/* Records that username has seen item seq (rejected or conflict) at now
 * (Unix UTC). NOT_FOUND if it is not in the list needing attention. */
gboolean         bd_consumer_store_outbox_acknowledge     (BdConsumerStore  *self,
                                                           gint64            seq,
                                                           const char       *username,
                                                           gint64            now,
                                                           GError          **error);

/* Complaints (bd-consumer-store-complaints.c). */

/* A complaint in the copy here, with what the desk adds: the number it had
 * before the server confirmed it, and its newest outbox item (0 if none),
 * whose state says whether a filing or action is still queued. */
typedef struct {
  BdComplaint *complaint;
  char        *provisional_number;
  gint64       outbox_seq;
} BdStoredComplaint;

#define BD_TYPE_STORED_COMPLAINT (bd_stored_complaint_get_type ())
GType              bd_stored_complaint_get_type       (void) G_GNUC_CONST;
BdStoredComplaint *bd_stored_complaint_copy           (const BdStoredComplaint *stored);
void               bd_stored_complaint_free           (BdStoredComplaint       *stored);
/* Filed here and not yet confirmed by the server. */
gboolean           bd_stored_complaint_is_provisional (const BdStoredComplaint *stored);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdStoredComplaint, bd_stored_complaint_free)

/* Files draft (category, account or place, description, contact mobile,
 * channel) in ONE transaction: a provisional complaint (id "local-…",
 * number "P-XXXXXX", SLA estimated from the core's table) and its outbox
 * item (POST /api/v1/complaints with a fresh Idempotency-Key). */
BdStoredComplaint *bd_consumer_store_file_complaint          (BdConsumerStore     *self,
                                                              const BdComplaint   *draft,
                                                              const char          *username,
                                                              BdRole               role,
                                                              gint64               now,
                                                              GError             **error);
/* Queues an action on a confirmed complaint (POST …/actions); returns the
 * outbox seq, or -1 (BD_STORE_ERROR_QUERY for a provisional complaint). */
gint64             bd_consumer_store_queue_complaint_action  (BdConsumerStore     *self,
                                                              const char          *id,
                                                              BdComplaintAction    action,
                                                              const char          *note,
                                                              const char          *otp_id,
                                                              const char          *caller_account,
                                                              const char          *caller_mobile,
                                                              BdComplaintChannel   channel,
                                                              const char          *username,
                                                              GError             **error);
/* Stores the server's copies (a feed page, or an answer), never over a
 * newer version, and cursor (nullable) in the same transaction.
 * (element-type BdComplaint) */
gboolean           bd_consumer_store_apply_complaints        (BdConsumerStore     *self,
                                                              GPtrArray           *complaints,
                                                              const char          *cursor,
                                                              GError             **error);
/* The filing queued as outbox_seq was accepted as server: the provisional
 * complaint becomes it, keeping its provisional number. */
gboolean           bd_consumer_store_confirm_complaint       (BdConsumerStore     *self,
                                                              gint64               outbox_seq,
                                                              BdComplaint         *server,
                                                              GError             **error);
/* NULL (no error) before the first complaint page. */
char              *bd_consumer_store_get_complaint_cursor    (BdConsumerStore     *self,
                                                              GError             **error);
/* Newest first; account NULL for the whole zone. (element-type BdStoredComplaint) */
GPtrArray         *bd_consumer_store_list_complaints         (BdConsumerStore     *self,
                                                              const char          *account,
                                                              gboolean             open_only,
                                                              guint                limit,
                                                              GError             **error);
/* NOT_FOUND if it is not in the copy. */
BdStoredComplaint *bd_consumer_store_load_complaint          (BdConsumerStore     *self,
                                                              const char          *id,
                                                              GError             **error);
/* Open complaints a new call is likely about, best first, by the core's
 * rule (bd_complaint_duplicate_rank). (element-type BdStoredComplaint) */
GPtrArray         *bd_consumer_store_find_duplicate_complaints (BdConsumerStore   *self,
                                                                BdComplaintCategory category,
                                                                const char        *account,
                                                                const char        *dt,
                                                                const char        *feeder,
                                                                const char        *pole,
                                                                GError           **error);

/* Prepaid (bd-consumer-store-meters.c). */

/* The last balance fetched for account and when (NULL, no error, if none). */
gboolean         bd_consumer_store_save_balance     (BdConsumerStore  *self,
                                                     const BdBalance  *balance,
                                                     gint64            fetched_at,
                                                     GError          **error);
BdBalance       *bd_consumer_store_load_balance     (BdConsumerStore  *self,
                                                     const char       *account,
                                                     gint64           *out_fetched_at,
                                                     GError          **error);
/* The last readings fetched for the account at the series' step. */
gboolean         bd_consumer_store_save_readings    (BdConsumerStore  *self,
                                                     BdReadingSeries  *series,
                                                     gint64            fetched_at,
                                                     GError          **error);
BdReadingSeries *bd_consumer_store_load_readings    (BdConsumerStore  *self,
                                                     const char       *account,
                                                     BdReadingStep     step,
                                                     gint64           *out_fetched_at,
                                                     GError          **error);

/* A recharge as the desk knows it: credited by the server (receipt set),
 * or taken here and still in the outbox (outbox_seq, whose state says
 * queued, sending or refused). */
typedef struct {
  BdRecharge    *recharge;
  gint64         outbox_seq;        /* 0 when it came from the server */
  BdOutboxState  outbox_state;      /* meaningful when outbox_seq > 0 */
  char          *last_error;        /* the server's refusal, or NULL */
} BdStoredRecharge;

void              bd_stored_recharge_free (BdStoredRecharge *stored);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdStoredRecharge, bd_stored_recharge_free)

/* Takes a recharge at the counter in ONE transaction: the pending record
 * (local_id a fresh key) and its outbox item (POST …/recharges with that
 * key). request gives account, amount, mode and reference. */
BdStoredRecharge *bd_consumer_store_take_recharge    (BdConsumerStore   *self,
                                                      const BdRecharge  *request,
                                                      const char        *username,
                                                      gint64             now,
                                                      GError           **error);
/* The server's answer to the outbox item: the credited recharge and the
 * balance after it replace the pending record and the cached balance. */
gboolean          bd_consumer_store_confirm_recharge (BdConsumerStore   *self,
                                                      JsonNode          *answer,
                                                      gint64             fetched_at,
                                                      GError           **error);
/* Stores the server's list (element-type BdRecharge) for the account. */
gboolean          bd_consumer_store_apply_recharges  (BdConsumerStore   *self,
                                                      GPtrArray         *recharges,
                                                      GError           **error);
/* Newest first. (element-type BdStoredRecharge) */
GPtrArray        *bd_consumer_store_list_recharges   (BdConsumerStore   *self,
                                                      const char        *account,
                                                      guint              limit,
                                                      GError           **error);
BdStoredRecharge *bd_consumer_store_load_recharge    (BdConsumerStore   *self,
                                                      const char        *local_id,
                                                      GError           **error);

/* Disconnection requests (bd-consumer-store-requests.c). */

typedef struct {
  BdDisconnection *request;
  gint64           outbox_seq;     /* its newest outbox item, 0 if none */
  BdOutboxState    outbox_state;
  char            *last_error;
} BdStoredRequest;

void             bd_stored_request_free (BdStoredRequest *stored);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdStoredRequest, bd_stored_request_free)

/* Queues draft (account, kind, reason, requested_for, final reading,
 * reference, consent OTP id; guards as the desk evaluated them) in ONE
 * transaction: a provisional request ("local-…", number "P-…") and its
 * outbox item (POST /api/v1/disconnections). */
BdStoredRequest *bd_consumer_store_queue_request        (BdConsumerStore        *self,
                                                         const BdDisconnection  *draft,
                                                         const char             *username,
                                                         gint64                  now,
                                                         GError                **error);
/* Queues a supervisor's action on a server request; returns the outbox seq. */
gint64           bd_consumer_store_queue_request_action (BdConsumerStore        *self,
                                                         const BdDisconnection  *request,
                                                         BdRequestAction         action,
                                                         const char             *note,
                                                         gint64                  to,
                                                         const char             *username,
                                                         GError                **error);
/* The server's copies (element-type BdDisconnection). */
gboolean         bd_consumer_store_apply_requests       (BdConsumerStore        *self,
                                                         GPtrArray              *requests,
                                                         GError                **error);
/* The answer to outbox item seq: the provisional request becomes it. */
gboolean         bd_consumer_store_confirm_request      (BdConsumerStore        *self,
                                                         gint64                  seq,
                                                         JsonNode               *answer,
                                                         GError                **error);
/* Newest first; account NULL for the zone. (element-type BdStoredRequest) */
GPtrArray       *bd_consumer_store_list_requests        (BdConsumerStore        *self,
                                                         const char             *account,
                                                         guint                   limit,
                                                         GError                **error);

G_END_DECLS
