/* bd-staff-window.h: the staff accounts of the zone, for administrators.
 *
 * Lists each user with role, state, last sign-in and open sessions, and
 * offers New User, Edit (name and role), Reset Password, Sign Out
 * Everywhere and Disable/Enable. Staff accounts live on bijli-central, so
 * this needs the server; every change is made there and shown only once
 * the server has answered.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "bd-application.h"

G_BEGIN_DECLS

#define BD_TYPE_STAFF_WINDOW (bd_staff_window_get_type ())
G_DECLARE_FINAL_TYPE (BdStaffWindow, bd_staff_window, BD, STAFF_WINDOW, AdwWindow)

BdStaffWindow *bd_staff_window_new (BdApplication *app,
                                    GtkWindow     *parent);

G_END_DECLS
