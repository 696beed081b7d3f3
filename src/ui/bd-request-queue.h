/* bd-request-queue.h: the supervisors' queue of disconnection and
 * reconnection requests (Ctrl+Shift+D): by state (pending approval,
 * scheduled, executing, done, failed, field tasks, rejected), with the
 * rules' verdict on each; approve, reject with a reason, or move to a new
 * time, one or many at once, through the outbox; CSV export.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bd-application.h"

G_BEGIN_DECLS

#define BD_TYPE_REQUEST_QUEUE (bd_request_queue_get_type ())
G_DECLARE_FINAL_TYPE (BdRequestQueue, bd_request_queue, BD, REQUEST_QUEUE, AdwWindow)

BdRequestQueue *bd_request_queue_new    (BdApplication  *app,
                                         GtkWindow      *parent);
void            bd_request_queue_reload (BdRequestQueue *self);
/* Writes the requests on show as CSV. */
gboolean        bd_request_queue_export (BdRequestQueue *self,
                                         const char     *path,
                                         GError        **error);

G_END_DECLS
