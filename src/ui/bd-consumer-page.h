/* bd-consumer-page.h: the 360° record of one consumer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "core/bd-consumer.h"
#include "store/bd-consumer-store.h"

G_BEGIN_DECLS

#define BD_TYPE_CONSUMER_PAGE (bd_consumer_page_get_type ())
G_DECLARE_FINAL_TYPE (BdConsumerPage, bd_consumer_page, BD, CONSUMER_PAGE, AdwBin)

GtkWidget  *bd_consumer_page_new          (void);
/* NULL shows the placeholder. */
void        bd_consumer_page_set_consumer (BdConsumerPage *self,
                                           BdConsumer     *consumer);
BdConsumer *bd_consumer_page_get_consumer (BdConsumerPage *self);
/* When the desk's copy was last synced (Unix UTC, 0 = never), for the
 * record's history. */
void        bd_consumer_page_set_last_sync (BdConsumerPage *self,
                                            gint64          last_sync);
gint64      bd_consumer_page_get_last_sync (BdConsumerPage *self);
/* Reads the record on show again from store, off the main thread, and
 * shows the fresh copy if the same consumer is still on show then. */
void        bd_consumer_page_reload       (BdConsumerPage  *self,
                                           BdConsumerStore *store);
/* Copies the account number to the clipboard and says so in a toast. */
void        bd_consumer_page_copy_account (BdConsumerPage *self);
/* Opens the print dialog for a one-page summary (the dialog also saves it
 * as PDF); problems are told in a toast. */
void        bd_consumer_page_print_summary (BdConsumerPage *self,
                                            const char     *zone_name);

/* Shows the Complaints section and opens the complaint form for the
 * consumer on show (contact_hint: a mobile the caller gave, or NULL).
 * FALSE when no consumer is on show or no zone is open. */
gboolean        bd_consumer_page_file_complaint (BdConsumerPage  *self,
                                                 const char      *contact_hint);

G_END_DECLS
