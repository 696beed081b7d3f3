/* bd-requests-panel.h: the consumer page's Requests tab: the consumer's
 * disconnection and reconnection requests (queued here and not yet sent
 * shown as such) and the button that opens a new one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "core/bd-consumer.h"
#include "store/bd-consumer-store.h"

G_BEGIN_DECLS

#define BD_TYPE_REQUESTS_PANEL (bd_requests_panel_get_type ())
G_DECLARE_FINAL_TYPE (BdRequestsPanel, bd_requests_panel, BD, REQUESTS_PANEL, GtkBox)

GtkWidget *bd_requests_panel_new          (void);
void       bd_requests_panel_set_consumer (BdRequestsPanel *self,
                                           BdConsumer      *consumer);
void       bd_requests_panel_reload       (BdRequestsPanel *self);
void       bd_requests_panel_new_request  (BdRequestsPanel *self);

/* One line about a request for lists: "Scheduled for … · Pending — will be sent". */
char      *bd_stored_request_describe     (const BdStoredRequest *stored);

G_END_DECLS
