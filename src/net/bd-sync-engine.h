/* bd-sync-engine.h: pulls the zone's changes feed into the local store.
 *
 * Pages are fetched with the client and applied with the store, one
 * transaction per page (records + cursor), so an interrupted sync resumes
 * from the last applied page and never leaves a half-written page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "net/bd-client.h"
#include "store/bd-consumer-store.h"

G_BEGIN_DECLS

#define BD_TYPE_SYNC_ENGINE (bd_sync_engine_get_type ())
G_DECLARE_FINAL_TYPE (BdSyncEngine, bd_sync_engine, BD, SYNC_ENGINE, GObject)

BdSyncEngine *bd_sync_engine_new          (BdClient           *client,
                                           BdConsumerStore    *store);
/* Records per page requested from the server (default 500). */
void          bd_sync_engine_set_page_size (BdSyncEngine      *self,
                                            guint              page_size);

/* When TRUE (the default) the next page is fetched while the current one
 * is applied; pages are still applied in order, one at a time. */
void          bd_sync_engine_set_pipelined (BdSyncEngine      *self,
                                            gboolean           pipelined);
gboolean      bd_sync_engine_get_pipelined (BdSyncEngine      *self);
/* Whether a first sync into a pristine store starts with the zone's
 * snapshot (default TRUE; see bd-sync-engine.c). */
void          bd_sync_engine_set_use_snapshots (BdSyncEngine  *self,
                                                gboolean       use_snapshots);
gboolean      bd_sync_engine_get_use_snapshots (BdSyncEngine  *self);
/* Whether the last pull installed the zone's snapshot. */
gboolean      bd_sync_engine_get_snapshot_used (BdSyncEngine  *self);

/* Pulls until the feed has no more. Emits ::progress (gint64 applied,
 * gint64 total) on the calling thread's main context after each page. */
void          bd_sync_engine_pull_async   (BdSyncEngine       *self,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data);
/* Returns the number of records applied in this run, or -1 with error. */
gint64        bd_sync_engine_pull_finish  (BdSyncEngine       *self,
                                           GAsyncResult       *result,
                                           GError            **error);

G_END_DECLS
