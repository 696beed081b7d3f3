/* bd-changes-page.h: one page of the zone's delta feed (GET /api/v1/changes).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bd-consumer.h"

G_BEGIN_DECLS

typedef struct {
  GPtrArray *consumers;    /* (element-type BdConsumer) upserted records, in feed order */
  char      *next_cursor;  /* opaque; pass back as ?since= */
  gboolean   has_more;     /* another page follows right away */
  gint64     remaining;    /* records after this page (for progress), >= 0 */
} BdChangesPage;

BdChangesPage *bd_changes_page_new  (void);
void           bd_changes_page_free (BdChangesPage *page);

/* The page from its JSON text in one pass, for the page as bijli-central
 * writes it; NULL when the text is anything else (malformed, or a value
 * bd_changes_page_from_json() would refuse), and then that function, on
 * bd_json_parse()'s tree, gives the result or the precise error. See
 * bd-changes-page-parse.c. */
BdChangesPage *bd_changes_page_parse_fast (const char *json,
                                           gsize       length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdChangesPage, bd_changes_page_free)

G_END_DECLS
