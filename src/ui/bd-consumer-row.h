/* bd-consumer-row.h: one search result.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "core/bd-consumer.h"

G_BEGIN_DECLS

#define BD_TYPE_CONSUMER_ROW (bd_consumer_row_get_type ())
G_DECLARE_FINAL_TYPE (BdConsumerRow, bd_consumer_row, BD, CONSUMER_ROW, GtkWidget)

GtkWidget  *bd_consumer_row_new          (void);
/* NULL empties the row (list items are recycled). */
void        bd_consumer_row_set_consumer (BdConsumerRow *self,
                                          BdConsumer    *consumer);

G_END_DECLS
