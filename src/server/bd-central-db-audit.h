/* bd-central-db-audit.h: the append-only, hash-chained audit log.
 *
 * Every write a desk makes (indexing, mobile verification and change,
 * registration, complaints), every sign-in and failed sign-in, and every
 * view of a consumer's full record is one entry: who, their role and zone,
 * when, what, the consumer or complaint concerned, and before/after values
 * already masked as the consumer's history masks them. Each entry carries
 * the SHA-256 of the previous entry's hash and its own fields, so changing,
 * removing or reordering any entry breaks the chain from there on;
 * triggers refuse UPDATE and DELETE on the table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "core/bd-session.h"

#include "bd-central-db.h"

G_BEGIN_DECLS

/* Records that session viewed target's full record (action such as
 * "consumer.view"). Its own transaction. */
gboolean  bd_central_db_audit_view   (BdCentralDb  *self,
                                      BdSession    *session,
                                      const char   *action,
                                      const char   *target,
                                      gint64        now,
                                      GError      **error);
/* {"entries":[…],"next_before":N|null}: zone's entries, newest first,
 * before seq before_seq (0 = from the newest), only target's when given. */
JsonNode *bd_central_db_audit_list   (BdCentralDb  *self,
                                      const char   *zone,
                                      const char   *target,
                                      gint64        before_seq,
                                      guint         limit,
                                      GError      **error);
/* Recomputes the whole chain. TRUE with *out_entries when intact; FALSE
 * with *out_broken_seq (the first entry that does not match, error NULL)
 * or with error when the log cannot be read. */
gboolean  bd_central_db_audit_verify (BdCentralDb  *self,
                                      gint64       *out_entries,
                                      gint64       *out_broken_seq,
                                      GError      **error);

G_END_DECLS
