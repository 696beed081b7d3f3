/* bd-central-db-recharges.h: recharges credited by bijli-central's
 * head-end (bd-central-db-recharges.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "core/bd-recharge.h"
#include "core/bd-session.h"

#include "bd-central-db.h"

G_BEGIN_DECLS

/* Credits a recharge once per key: status 201 and the body
 * {"recharge": …, "balance": …} (or the stored answer for a replay).
 * NOT_PREPAID for a meter that is not prepaid. */
gboolean    bd_central_db_recharge_create   (BdCentralDb  *self,
                                             const char   *zone,
                                             BdRecharge   *request,
                                             const char   *key,
                                             const char   *request_hash,
                                             const char   *staff_username,
                                             BdRole        staff_role,
                                             gint64        now,
                                             guint        *out_status,
                                             char        **out_body,
                                             gboolean     *out_replayed,
                                             GError      **error);
/* The account's recharges, newest first (BdRecharge). */
GPtrArray  *bd_central_db_recharge_list     (BdCentralDb  *self,
                                             const char   *zone,
                                             const char   *account,
                                             guint         limit,
                                             GError      **error);

G_END_DECLS
