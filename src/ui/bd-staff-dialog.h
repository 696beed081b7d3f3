/* bd-staff-dialog.h: a new staff user, a change of name or role, or a new
 * password, as an administrator enters it.
 *
 * Every field is checked as it is typed with the rules the server applies
 * (core/bd-validate.h); the dialog sends the request itself and closes
 * only when the server has taken it. Staff administration is online only:
 * it carries passwords, which never go into the outbox on disk.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "net/bd-client.h"

G_BEGIN_DECLS

typedef enum {
  BD_STAFF_DIALOG_NEW,       /* user name, full name, role, password */
  BD_STAFF_DIALOG_EDIT,      /* full name and role of user */
  BD_STAFF_DIALOG_PASSWORD,  /* a new password for user */
} BdStaffDialogMode;

#define BD_TYPE_STAFF_DIALOG (bd_staff_dialog_get_type ())
G_DECLARE_FINAL_TYPE (BdStaffDialog, bd_staff_dialog, BD, STAFF_DIALOG, AdwWindow)

/* user: the StaffUser JSON being edited (NULL for NEW). Emits "saved"
 * with the server's StaffUser (JsonObject *) before it closes. */
BdStaffDialog *bd_staff_dialog_new (GtkWindow         *parent,
                                    BdClient          *client,
                                    BdStaffDialogMode  mode,
                                    JsonObject        *user);

G_END_DECLS
