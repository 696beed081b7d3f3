/* bd-changes-page.c: one page of the zone's delta feed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bd-changes-page.h"

BdChangesPage *
bd_changes_page_new (void)
{
  BdChangesPage *page = g_new0 (BdChangesPage, 1);

  page->consumers = g_ptr_array_new_with_free_func (g_object_unref);
  return page;
}

void
bd_changes_page_free (BdChangesPage *page)
{
  if (page == NULL)
    return;
  g_clear_pointer (&page->consumers, g_ptr_array_unref);
  g_free (page->next_cursor);
  g_free (page);
}
