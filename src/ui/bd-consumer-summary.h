/* bd-consumer-summary.h: a one-page printed summary of a consumer's record.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "core/bd-consumer.h"

G_BEGIN_DECLS

/* A print operation for one A4 page: a header with the zone and the time
 * of printing in IST, then identity (masked mobile only), connection,
 * meter and balance. zone_name may be NULL; printed_at is Unix UTC. Run it
 * with the print dialog (which also offers "Print to File" as PDF), or
 * with GTK_PRINT_OPERATION_ACTION_EXPORT and an export file name. */
GtkPrintOperation *bd_consumer_summary_new_print_operation (BdConsumer *consumer,
                                                            const char *zone_name,
                                                            gint64      printed_at);

G_END_DECLS
