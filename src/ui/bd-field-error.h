/* bd-field-error.h: a validation message in a row of its own under a form
 * row, tied to the field for screen readers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Shows message (translated, a full sentence) under row, marks row
 * invalid and describes it by the message; NULL or "" clears. row must
 * already be in a list (an AdwPreferencesGroup's). */
void        bd_field_error_set (GtkWidget  *row,
                                const char *message);
/* The message on show under row, or NULL. */
const char *bd_field_error_get (GtkWidget  *row);

G_END_DECLS
