/* bd-consumer-window.h: one consumer's record in a window of its own.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "core/bd-consumer.h"

#include "bd-application.h"
#include "bd-consumer-page.h"

G_BEGIN_DECLS

#define BD_TYPE_CONSUMER_WINDOW (bd_consumer_window_get_type ())
G_DECLARE_FINAL_TYPE (BdConsumerWindow, bd_consumer_window, BD, CONSUMER_WINDOW, AdwApplicationWindow)

/* A window showing consumer; last_sync is when that copy was synced (Unix
 * UTC, 0 = never). bd_consumer_window_get_page() and
 * bd_consumer_page_reload() bring it up to date after a sync. */
BdConsumerWindow *bd_consumer_window_new      (BdApplication    *application,
                                               BdConsumer       *consumer,
                                               gint64            last_sync);
BdConsumerPage   *bd_consumer_window_get_page (BdConsumerWindow *self);

G_END_DECLS
