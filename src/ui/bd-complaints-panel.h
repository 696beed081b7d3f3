/* bd-complaints-panel.h: a consumer's complaints on their record, and
 * filing a new one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "core/bd-consumer.h"

G_BEGIN_DECLS

#define BD_TYPE_COMPLAINTS_PANEL (bd_complaints_panel_get_type ())
G_DECLARE_FINAL_TYPE (BdComplaintsPanel, bd_complaints_panel, BD, COMPLAINTS_PANEL, GtkBox)

/* Shows consumer's complaints from the desk's copy (NULL clears). */
void bd_complaints_panel_set_consumer (BdComplaintsPanel *self,
                                       BdConsumer        *consumer);
/* Reads the list again (after a sync, a filing, an answer). */
void bd_complaints_panel_reload       (BdComplaintsPanel *self);
/* Opens the complaint form for the consumer on show; contact_hint as for
 * bd_complaint_dialog_new(). FALSE when no consumer is on show. */
gboolean bd_complaints_panel_file      (BdComplaintsPanel *self,
                                        const char        *contact_hint);

G_END_DECLS
