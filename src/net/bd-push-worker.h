/* bd-push-worker.h: sends the store's outbox to bijli-central.
 *
 * Lives on the main thread with the signed-in session. Drains queued items
 * in seq order, one at a time, each with its own Idempotency-Key (so a
 * retried request never applies twice):
 *   2xx           → done (answer stored; for an indexing PATCH the store's
 *                   indexing cache is refreshed from the answer, and if some
 *                   fields conflicted → conflict, with the conflicts JSON as
 *                   the item's result)
 *   4xx except 408 and 429 → rejected, with the server's message
 *   transport errors, 5xx, 408, 429 → queued again, retried after an
 *                   exponential backoff with jitter (1 s doubling to 60 s)
 * A rejected or conflicting item does not hold up the ones after it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "net/bd-client.h"
#include "store/bd-consumer-store.h"

G_BEGIN_DECLS

#define BD_PUSH_WORKER_MIN_BACKOFF_S  1
#define BD_PUSH_WORKER_MAX_BACKOFF_S 60

#define BD_TYPE_PUSH_WORKER (bd_push_worker_get_type ())
G_DECLARE_FINAL_TYPE (BdPushWorker, bd_push_worker, BD, PUSH_WORKER, GObject)

/* Signals:
 *   item-changed (gint64 seq, BdOutboxState state): an item moved to state
 *     (sending, done, rejected, conflict, or queued again after a failure).
 *   drained (): nothing is queued any more (also emitted by kick when the
 *     outbox is empty).
 * Property "pending" (gint64, read-only): items queued or sending.
 * Property "running" (gboolean, read-only). */
BdPushWorker *bd_push_worker_new         (BdClient        *client,
                                          BdConsumerStore *store);
/* Starts draining (and keeps watching for new items on kick). */
void          bd_push_worker_start       (BdPushWorker    *self);
/* Cancels the request in flight (its item goes back to queued, to be sent
 * with the same key later) and stops. */
void          bd_push_worker_stop        (BdPushWorker    *self);
/* Send now: call after queuing an item, or when the network came back;
 * forgets the current backoff. Does nothing while stopped. */
void          bd_push_worker_kick        (BdPushWorker    *self);
gboolean      bd_push_worker_get_running (BdPushWorker    *self);
gint64        bd_push_worker_get_pending (BdPushWorker    *self);

G_END_DECLS
