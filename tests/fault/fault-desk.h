/* fault-desk.h: the headless desk of the fault-injection harness.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Edits until target edits are recorded in log_path (over all runs on
 * this store), then exits 0 once the outbox is sent; final: makes no
 * edits, sends what is left, pulls, and compares the touched consumers
 * with the server. Returns the exit status. */
int fault_desk_main (const char *url,
                     const char *store_path,
                     const char *log_path,
                     guint64     seed,
                     guint64     target,
                     gboolean    final);

G_END_DECLS
