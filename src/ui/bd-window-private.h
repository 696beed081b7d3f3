/* bd-window-private.h: what bd-window.c shares with bd-window-actions.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bd-sign-in-page.h"
#include "bd-sync-estimate.h"
#include "bd-window.h"

G_BEGIN_DECLS

struct _BdWindow
{
  AdwApplicationWindow  parent_instance;

  GCancellable         *sign_in_cancellable;
  GCancellable         *sync_cancellable;
  GCancellable         *store_cancellable;
  char                 *pending_search;
  guint                 status_timeout_id;
  guint                 auto_sync_id;     /* the next pull, or reconnect when signed in offline */
  guint                 retry_backoff_s;  /* delay of the last failed try; 0 after a success */
  gboolean              reconnecting;
  gboolean              repairing;        /* the damaged copy is being replaced */
  GCancellable         *reconnect_cancellable;
  GtkWindow            *attention_dialog;
  GtkWindow            *complaint_queue;
  GtkWindow            *request_queue;
  GCancellable         *complaint_cancellable;
  gboolean              pulling_complaints;

  gboolean              syncing;
  gboolean              initial_sync;
  gboolean              offline;
  gint64                offline_since;    /* Unix UTC, while offline */
  gint64                sync_applied;
  gint64                sync_total;
  BdSyncEstimate       *sync_estimate;    /* time left in a sync behind the main page */
  gint64                consumer_count;
  gint64                last_sync;

  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkButton            *back_button;
  GtkSpinner           *sync_spinner;
  GtkImage             *offline_icon;
  GtkButton            *outbox_button;
  GtkLabel             *outbox_label;
  GtkButton            *attention_button;
  GtkLabel             *attention_label;
  GtkLabel             *status_announcer;
  GtkLabel             *user_label;
  GtkWidget            *consumer_actions;
  GtkStack             *stack;
  BdSignInPage         *sign_in_page;
  BdSyncPage           *sync_page;
  AdwLeaflet           *leaflet;
  BdSearchPanel        *search_panel;
  BdConsumerPage       *consumer_page;
};

BdApplication *_bd_window_get_app        (BdWindow *self);
gboolean       _bd_window_is_on_main     (BdWindow *self);
/* Pulls the zone's changes: on the sync page when initial, else behind
 * the main page with the progress in the header. */
void           _bd_window_begin_pull     (BdWindow *self,
                                          gboolean  initial);
void           _bd_window_sign_out       (BdWindow *self);

/* bd-window-actions.c */
void           _bd_window_actions_init   (BdWindow *self);
/* Enables the actions that make sense on the page and record on show. */
void           _bd_window_actions_update (BdWindow *self);

G_END_DECLS
