/* bd-complaint-window.h: one complaint: its clock, compensation, timeline,
 * the actions the signed-in role may take now, and the slip for the
 * consumer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bd-application.h"

G_BEGIN_DECLS

#define BD_TYPE_COMPLAINT_WINDOW (bd_complaint_window_get_type ())
G_DECLARE_FINAL_TYPE (BdComplaintWindow, bd_complaint_window, BD, COMPLAINT_WINDOW, AdwWindow)

BdComplaintWindow *bd_complaint_window_new (BdApplication *app,
                                            GtkWindow     *parent,
                                            const char    *complaint_id);

/* Draws the acknowledgement slip (number, consumer, category, filed at,
 * time allowed, how to follow it up) on cr, width × height points.
 * Shared by printing and the PDF tests. */
void               bd_complaint_draw_slip  (cairo_t                 *cr,
                                            const BdStoredComplaint *stored,
                                            double                   width,
                                            double                   height);
/* Writes the slip as a one-page A5 PDF to path. */
gboolean           bd_complaint_save_slip  (const BdStoredComplaint *stored,
                                            const char              *path,
                                            GError                 **error);

G_END_DECLS
