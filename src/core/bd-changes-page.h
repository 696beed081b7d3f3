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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdChangesPage, bd_changes_page_free)

G_END_DECLS
