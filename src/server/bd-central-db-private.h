/* bd-central-db-private.h: hooks for bijli-central's own tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bd-central-db.h"

G_BEGIN_DECLS

/* Opens and migrates only up to schema version, to test later migrations
 * on a database an older bijli-central wrote. */
BdCentralDb *bd_central_db_open_at_version  (const char   *path,
                                             int           version,
                                             GError      **error);

/* EXPLAIN QUERY PLAN of every prepared query, one "N: detail" line per
 * step (N numbers the statement). */
char        *bd_central_db_dup_query_plans  (BdCentralDb  *self,
                                             GError      **error);

G_END_DECLS
