/* bd-consumer-page.h: the 360° record of one consumer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "core/bd-consumer.h"

G_BEGIN_DECLS

#define BD_TYPE_CONSUMER_PAGE (bd_consumer_page_get_type ())
G_DECLARE_FINAL_TYPE (BdConsumerPage, bd_consumer_page, BD, CONSUMER_PAGE, AdwBin)

GtkWidget  *bd_consumer_page_new          (void);
/* NULL shows the placeholder. */
void        bd_consumer_page_set_consumer (BdConsumerPage *self,
                                           BdConsumer     *consumer);
BdConsumer *bd_consumer_page_get_consumer (BdConsumerPage *self);
/* Copies the account number to the clipboard and says so in a toast. */
void        bd_consumer_page_copy_account (BdConsumerPage *self);

G_END_DECLS
