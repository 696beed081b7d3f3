/* bd-complaint-sync.h: brings the zone's complaints into the desk's copy
 * through GET /complaints/changes, page by page, each page and its cursor
 * in one transaction (resumable anywhere, as the consumer feed is).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "net/bd-client.h"
#include "store/bd-consumer-store.h"

G_BEGIN_DECLS

#define BD_COMPLAINT_SYNC_PAGE_SIZE 500

/* Pulls every complaint changed since the stored cursor. finish returns
 * how many were applied, or -1 with a BD_NET_ERROR / BD_STORE_ERROR. */
void     bd_complaint_sync_pull_async  (BdClient            *client,
                                        BdConsumerStore     *store,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gint64   bd_complaint_sync_pull_finish (GAsyncResult        *result,
                                        GError             **error);

G_END_DECLS
