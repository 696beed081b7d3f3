/* bd-sync-estimate.h: time left in a sync, from the rate over a sliding window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The rate is measured over the last BD_SYNC_ESTIMATE_WINDOW_US of
 * progress reports: recent enough to follow a slower disk or network,
 * long enough that one slow page does not make the estimate jump. */
#define BD_SYNC_ESTIMATE_WINDOW_US (15 * G_USEC_PER_SEC)

typedef struct _BdSyncEstimate BdSyncEstimate;

BdSyncEstimate *bd_sync_estimate_new          (void);
void            bd_sync_estimate_free         (BdSyncEstimate *self);
void            bd_sync_estimate_reset        (BdSyncEstimate *self);
/* Records that applied of total records were in at time_us (monotonic µs). */
void            bd_sync_estimate_add          (BdSyncEstimate *self,
                                               gint64          time_us,
                                               gint64          applied,
                                               gint64          total);
/* Seconds left, or -1 while there is not enough to go on. */
gint64          bd_sync_estimate_seconds_left (BdSyncEstimate *self);
/* "About 2 minutes left", "Almost done"…, or "Estimating time left…"
 * while seconds_left is -1. */
char           *bd_sync_estimate_format       (gint64          seconds_left);
/* The header's line while a sync runs behind the main page: "Syncing 3,000
 * of 10,000 — about a minute left", without the estimate while
 * seconds_left is -1, and "Syncing…" while the total is not known. */
char           *bd_sync_estimate_format_status (gint64         applied,
                                                gint64         total,
                                                gint64         seconds_left);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdSyncEstimate, bd_sync_estimate_free)

G_END_DECLS
