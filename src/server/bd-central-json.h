/* bd-central-json.h: fast JSON answers for bijli-central's bulk responses.
 *
 * A changes page carries a thousand consumers; building a JsonNode tree
 * for it with json-glib and generating text from the tree takes about 18 ms,
 * more than the query. These writers append the same text straight to a
 * string. core/bd-codec.c stays the definition of the format: the tests
 * compare these writers' output with the codec's, byte for byte.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "core/bd-changes-page.h"
#include "core/bd-consumer.h"

G_BEGIN_DECLS

/* The Consumer object, as bd_consumer_to_json() and bd_json_to_string(). */
void   bd_central_json_append_consumer (GString        *out,
                                        BdConsumer     *consumer);
/* {"consumers":[…]}, as bd_consumer_list_to_json(). */
char  *bd_central_json_consumer_list   (GPtrArray      *consumers,
                                        gsize          *out_length);
/* The ChangesPage object, as bd_changes_page_to_json(); seqs parallel to
 * page->consumers. */
char  *bd_central_json_changes_page    (BdChangesPage  *page,
                                        const gint64   *seqs,
                                        gsize          *out_length);

G_END_DECLS
