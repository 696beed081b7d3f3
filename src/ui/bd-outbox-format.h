/* bd-outbox-format.h: how the desk words a change in the outbox.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "store/bd-outbox-item.h"

G_BEGIN_DECLS

/* "Email, PAN": the fields an indexing change sets; NULL if none. */
char       *bd_outbox_item_describe_fields (const BdOutboxItem *item);
/* Its state in words, with the server's reason for a rejection and the
 * fields that conflicted. */
char       *bd_outbox_item_describe_state  (const BdOutboxItem *item);
/* "Indexing change", for the kind of an item. */
const char *bd_outbox_kind_label           (const char         *kind);

G_END_DECLS
