/* bd-complaint-queue.h: the zone's complaints for review: filters, counts,
 * the dashboard, actions on many at once, export of the view to CSV.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bd-application.h"

G_BEGIN_DECLS

#define BD_TYPE_COMPLAINT_QUEUE (bd_complaint_queue_get_type ())
G_DECLARE_FINAL_TYPE (BdComplaintQueue, bd_complaint_queue, BD, COMPLAINT_QUEUE, AdwWindow)

BdComplaintQueue *bd_complaint_queue_new    (BdApplication    *app,
                                             GtkWindow        *parent);
/* Reads the desk's copy again (after a sync). */
void              bd_complaint_queue_reload (BdComplaintQueue *self);

G_END_DECLS
