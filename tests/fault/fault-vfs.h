/* fault-vfs.h: a disk-full switch for SQLite, for the fault-injection driver.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Registers the shim as the default VFS; call before opening any database. */
gboolean fault_vfs_register          (void);
/* While TRUE every write to any database file fails with SQLITE_FULL. */
void     fault_vfs_set_full          (gboolean full);
gboolean fault_vfs_get_full          (void);
guint    fault_vfs_get_failed_writes (void);

G_END_DECLS
