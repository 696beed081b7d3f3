/* bd-sync-page.h: progress of the first copy of the zone to this desk.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define BD_TYPE_SYNC_PAGE (bd_sync_page_get_type ())
G_DECLARE_FINAL_TYPE (BdSyncPage, bd_sync_page, BD, SYNC_PAGE, AdwBin)

GtkWidget *bd_sync_page_new          (void);

/* Resets the page for a new pull into the zone called zone_name. When
 * can_work_offline, the desk already holds a copy and the cancel button
 * says so. */
void       bd_sync_page_start        (BdSyncPage *self,
                                      const char *zone_name,
                                      gboolean    can_work_offline);
void       bd_sync_page_set_progress (BdSyncPage *self,
                                      gint64      applied,
                                      gint64      total);
/* The same, reported at time_us (monotonic µs) rather than now. */
void       bd_sync_page_set_progress_at (BdSyncPage *self,
                                         gint64      applied,
                                         gint64      total,
                                         gint64      time_us);
/* The last page is building the indexes: no progress until it is done. */
void       bd_sync_page_show_building_index (BdSyncPage *self);
/* "About 2 minutes left" and the like, as shown under the progress bar. */
const char *bd_sync_page_get_estimate_text (BdSyncPage *self);
/* Stops the progress and offers to try again. */
void       bd_sync_page_show_error   (BdSyncPage *self,
                                      const char *message);

G_END_DECLS
