/* bd-result-slot.h: a place in the search results list that holds one
 * consumer at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "core/bd-consumer.h"

G_BEGIN_DECLS

#define BD_TYPE_RESULT_SLOT (bd_result_slot_get_type ())
G_DECLARE_FINAL_TYPE (BdResultSlot, bd_result_slot, BD, RESULT_SLOT, GObject)

BdResultSlot *bd_result_slot_new          (void);
BdConsumer   *bd_result_slot_get_consumer (BdResultSlot *self);
/* Notifies "consumer" when it changes. */
void          bd_result_slot_set_consumer (BdResultSlot *self,
                                           BdConsumer   *consumer);

G_END_DECLS
