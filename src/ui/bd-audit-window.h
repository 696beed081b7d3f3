/* bd-audit-window.h: the zone's audit log for supervisors: browse, filter
 * by consumer or complaint, page back, export.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bd-application.h"

G_BEGIN_DECLS

#define BD_TYPE_AUDIT_WINDOW (bd_audit_window_get_type ())
G_DECLARE_FINAL_TYPE (BdAuditWindow, bd_audit_window, BD, AUDIT_WINDOW, AdwWindow)

BdAuditWindow *bd_audit_window_new (BdApplication *app,
                                    GtkWindow     *parent);

G_END_DECLS
