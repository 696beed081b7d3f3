/* bd-central-snapshots.h: each zone's desk store as one file, for first syncs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "bd-central-db.h"

G_BEGIN_DECLS

#define BD_TYPE_CENTRAL_SNAPSHOTS (bd_central_snapshots_get_type ())
G_DECLARE_FINAL_TYPE (BdCentralSnapshots, bd_central_snapshots, BD, CENTRAL_SNAPSHOTS, GObject)

/* Snapshots of the zones in the database at db_path, kept in directory
 * (created when the first is built). */
BdCentralSnapshots *bd_central_snapshots_new        (const char          *db_path,
                                                     const char          *directory);

/* A newer snapshot is built once more than this many of the zone's records
 * (or a tenth of the zone, if more) changed after the newest one's cursor
 * (default 10,000). */
void                bd_central_snapshots_set_stale_changes (BdCentralSnapshots *self,
                                                            gint64              changes);

/* Removes the snapshot directories under parent other than keep's: those
 * of databases that were at the same path before. */
void                bd_central_snapshots_remove_others (const char    *parent,
                                                        const char    *keep);

/* The zone's newest snapshot: its contents (a mapped file), the feed
 * cursor it is complete up to and its number of consumers. FALSE when
 * none is ready yet; then one is being built, in a thread. A newer one is
 * built too when many of the zone's records (db tells how many) changed
 * after the newest one's cursor; until then the old one is served, and
 * desks catch up through the feed. */
gboolean            bd_central_snapshots_lookup     (BdCentralSnapshots  *self,
                                                     BdCentralDb         *db,
                                                     const char          *zone,
                                                     GBytes             **out_contents,
                                                     gint64              *out_cursor,
                                                     gint64              *out_consumers);

G_END_DECLS
