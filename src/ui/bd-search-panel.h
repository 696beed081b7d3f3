/* bd-search-panel.h: the search entry and its results, against the local copy.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "store/bd-consumer-store.h"

G_BEGIN_DECLS

#define BD_TYPE_SEARCH_PANEL (bd_search_panel_get_type ())
G_DECLARE_FINAL_TYPE (BdSearchPanel, bd_search_panel, BD, SEARCH_PANEL, AdwBin)

GtkWidget  *bd_search_panel_new                   (void);

/* NULL (after sign-out) empties the panel. */
void        bd_search_panel_set_store             (BdSearchPanel   *self,
                                                   BdConsumerStore *store);
/* How many consumers the local copy holds, for the first-run hint. */
void        bd_search_panel_set_consumer_count    (BdSearchPanel   *self,
                                                   gint64           count);
void        bd_search_panel_set_text              (BdSearchPanel   *self,
                                                   const char      *text);
/* Runs the current query again, e.g. after a sync changed the copy, and
 * says whether names can be searched yet. */
void        bd_search_panel_refresh               (BdSearchPanel   *self);
/* What is typed in the search entry. */
char       *bd_search_panel_dup_text              (BdSearchPanel   *self);
void        bd_search_panel_focus_search          (BdSearchPanel   *self);
void        bd_search_panel_set_key_capture_widget (BdSearchPanel  *self,
                                                    GtkWidget      *widget);
/* The results on show (element-type BdConsumer). */
GListModel *bd_search_panel_get_results           (BdSearchPanel   *self);
/* Selects and opens the result delta places from the selected one (the
 * first or last when none is selected), leaving the focus where it is.
 * FALSE when there is no such result. */
gboolean    bd_search_panel_open_adjacent         (BdSearchPanel   *self,
                                                   int              delta);
/* GTK_INVALID_LIST_POSITION when no result is selected. */
guint       bd_search_panel_get_selected          (BdSearchPanel   *self);
/* g_get_monotonic_time() when the results were last replaced, for the
 * keystroke-to-results benchmark. */
gint64      bd_search_panel_get_last_update_time  (BdSearchPanel   *self);
GtkWidget  *bd_search_panel_get_entry             (BdSearchPanel   *self);

G_END_DECLS
