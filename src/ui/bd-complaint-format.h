/* bd-complaint-format.h: how the desk words a complaint: its SLA clock,
 * compensation owed and where it stands in the outbox.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "core/bd-complaint-rules.h"
#include "store/bd-consumer-store.h"

G_BEGIN_DECLS

/* "2 h 10 min left", "Overdue by 1 day · ₹50 owed", "Clock paused",
 * "Resolved within time". */
char       *bd_complaint_format_sla     (const BdComplaint *complaint,
                                         gint64             now);
/* A CSS class for the clock: "ok", "emergency" (under 2 hours left or
 * paused) or "negative" (overdue). */
const char *bd_complaint_sla_css_class  (const BdComplaint *complaint,
                                         gint64             now);
/* "Queued — will be sent when online" while the newest outbox item of the
 * complaint waits, the server's reason when it was refused, else NULL. */
char       *bd_complaint_format_pending (BdConsumerStore         *store,
                                         const BdStoredComplaint *stored);
/* "LKOC-2611-00042 (was P-7F3A01)" or the number alone. */
char       *bd_complaint_format_number  (const BdStoredComplaint *stored);
/* "2 h 10 min", "3 days 4 h", "45 min". */
char       *bd_format_duration          (gint64             seconds);

/* A button with a mnemonic whose accessible name is the label without the
 * underscore. */
GtkWidget  *bd_mnemonic_button_new      (const char        *label);

/* Names the show-password toggle inside an AdwPasswordEntryRow, which
 * libadwaita 1.2 leaves unnamed (screen readers say "GtkImage"). */
void        bd_password_row_name_toggle (GtkWidget         *row);

/* "Operator", "Call-centre agent", "Supervisor", "Administrator". */
const char *bd_role_label               (BdRole             role);

G_END_DECLS
