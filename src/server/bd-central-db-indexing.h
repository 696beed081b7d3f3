/* bd-central-db-indexing.h: a consumer's indexing data in bijli-central's
 * database, changed field by field with conflict detection and
 * Idempotency-Key replay.
 *
 * feeder, dt, pole, sanctioned_load_w and meter_serial live in the
 * consumer's own row (a change to them is a new version of the consumer,
 * in the /changes feed); the other members are the consumer_indexing row.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "bd-central-db.h"

G_BEGIN_DECLS

/* Idempotency keys are kept this long: a desk retries far sooner. */
#define BD_CENTRAL_IDEMPOTENCY_KEEP_S (30 * 24 * 60 * 60)

/* The member names a PATCH may change, NULL-terminated. */
const char * const *bd_central_indexing_fields (void);

/* The Indexing object for the consumer of zone (version 0 and nulls if
 * never indexed; Aadhaar as last4 only). BD_STORE_ERROR_NOT_FOUND. */
JsonNode *bd_central_db_indexing_get   (BdCentralDb   *self,
                                        const char    *zone,
                                        const char    *account,
                                        GError       **error);

/* Applies changes ({field: {"from": …, "to": …}}, every "to" already
 * validated and normalised): a field whose current value is its "from" or
 * already its "to" is applied, any other is a conflict. Answers
 * *out_status and *out_body (the PATCH answer). A (key, username) seen
 * before answers its stored status and body again without applying
 * anything (*out_replayed TRUE); with another request_hash it fails with
 * BD_CENTRAL_ERROR_IDEMPOTENCY_MISMATCH. BD_STORE_ERROR_NOT_FOUND for a
 * consumer outside zone. */
gboolean  bd_central_db_indexing_patch (BdCentralDb   *self,
                                        const char    *zone,
                                        const char    *account,
                                        JsonObject    *changes,
                                        const char    *key,
                                        const char    *request_hash,
                                        const char    *staff_username,
                                        const char    *staff_role,
                                        gint64         now,
                                        guint         *out_status,
                                        char         **out_body,
                                        gboolean      *out_replayed,
                                        GError       **error);

G_END_DECLS
