/* bd-window.h: the desk's main window: sign-in, first sync, search and record.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bd-application.h"
#include "bd-consumer-page.h"
#include "bd-consumer-window.h"
#include "bd-search-panel.h"
#include "bd-sync-page.h"

G_BEGIN_DECLS

#define BD_TYPE_WINDOW (bd_window_get_type ())
G_DECLARE_FINAL_TYPE (BdWindow, bd_window, BD, WINDOW, AdwApplicationWindow)

BdWindow   *bd_window_new                   (BdApplication *application);

/* Fills the sign-in form (only while no one is signed in). */
void        bd_window_prefill_sign_in       (BdWindow      *self,
                                             const char    *server_url,
                                             const char    *username);
/* Submits the sign-in form with this password. */
void        bd_window_sign_in_with_password (BdWindow      *self,
                                             const char    *password);
/* Opens the session kept from the last run for username at server_url,
 * if the Secret Service has one and the server still takes it; else the
 * sign-in page stays (with "Your session has ended" when it was refused). */
void        bd_window_resume_session        (BdWindow      *self,
                                             const char    *server_url,
                                             const char    *username);
/* Searches for text as soon as the zone is ready (at once if it is). */
void        bd_window_set_pending_search    (BdWindow      *self,
                                             const char    *text);

/* "sign-in", "syncing" or "main". */
const char *bd_window_get_page_name         (BdWindow      *self);
GtkWidget  *bd_window_get_sign_in_page      (BdWindow      *self);
BdSearchPanel  *bd_window_get_search_panel  (BdWindow      *self);
BdConsumerPage *bd_window_get_consumer_page (BdWindow      *self);
BdSyncPage     *bd_window_get_sync_page     (BdWindow      *self);

/* Opens the consumer on show in a window of its own (NULL when none is). */
BdConsumerWindow *bd_window_open_consumer_window (BdWindow *self);

G_END_DECLS
