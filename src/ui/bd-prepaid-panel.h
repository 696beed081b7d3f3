/* bd-prepaid-panel.h: the consumer page's "Balance & Usage" tab: the
 * prepaid balance as the meter last reported it, large, with its time,
 * days of credit left and what the prepaid rules say happens next; the
 * consumption chart (15 minutes, days, months; kWh or ₹; against the same
 * period last month); the recharge button; and the recharges, pending ones
 * marked as such. It watches the server for new readings while shown and
 * falls back to the copy kept on this desk, saying how old it is.
 *
 *   balance-changed (BdBalance *balance): a fresher balance arrived.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "core/bd-balance.h"
#include "core/bd-consumer.h"
#include "core/bd-reading-series.h"

G_BEGIN_DECLS

#define BD_TYPE_PREPAID_PANEL (bd_prepaid_panel_get_type ())
G_DECLARE_FINAL_TYPE (BdPrepaidPanel, bd_prepaid_panel, BD, PREPAID_PANEL, GtkBox)

GtkWidget       *bd_prepaid_panel_new          (void);
void             bd_prepaid_panel_set_consumer (BdPrepaidPanel *self,
                                                BdConsumer     *consumer);
/* Fetches again (and reads the copy when offline). */
void             bd_prepaid_panel_reload       (BdPrepaidPanel *self);
/* The balance on show, or NULL. */
const BdBalance *bd_prepaid_panel_get_balance  (BdPrepaidPanel *self);
/* The readings on show, or NULL. */
BdReadingSeries *bd_prepaid_panel_get_series   (BdPrepaidPanel *self);
/* Opens the recharge dialog for the consumer. */
void             bd_prepaid_panel_recharge     (BdPrepaidPanel *self);

/* The sentence about what happens next to the supply, e.g. "On emergency
 * credit until …", or NULL when nothing is pending. */
char            *bd_balance_outlook_text       (const BdBalance *balance);
/* "About 12 days of credit at ₹80.28 a day", or NULL. */
char            *bd_balance_days_text          (const BdBalance *balance);

G_END_DECLS
