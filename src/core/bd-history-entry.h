/* bd-history-entry.h: one line of a consumer's change history (who changed
 * what, when), as GET /consumers/{account}/history answers it. Values are
 * already masked by the server where personal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct {
  gint64  at;       /* Unix UTC seconds */
  char   *by;       /* username */
  char   *role;     /* "operator", "agent", "supervisor", "admin" */
  char   *action;   /* "indexing", "mobile_verified", "mobile_changed", "registered" */
  char   *field;    /* indexing field name, or NULL */
  char   *from;     /* masked old value, or NULL */
  char   *to;       /* masked new value, or NULL */
} BdHistoryEntry;

#define BD_TYPE_HISTORY_ENTRY (bd_history_entry_get_type ())
GType           bd_history_entry_get_type (void) G_GNUC_CONST;
BdHistoryEntry *bd_history_entry_new      (gint64                at,
                                           const char           *by,
                                           const char           *role,
                                           const char           *action,
                                           const char           *field,
                                           const char           *from,
                                           const char           *to);
BdHistoryEntry *bd_history_entry_copy     (const BdHistoryEntry *entry);
void            bd_history_entry_free     (BdHistoryEntry       *entry);
/* A translated one-line description for the desk, e.g.
 * "Email: a***@b.in → c***@d.in" or "Mobile number verified". */
char           *bd_history_entry_describe (const BdHistoryEntry *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdHistoryEntry, bd_history_entry_free)

G_END_DECLS
