/* bd-request-dialog.h: queuing a disconnection or reconnection request
 * from a consumer's record: the kind, the reason, when, the final reading
 * for a closure and a document's reference; the consumer's OTP for their
 * own requests; and, before anything is queued, the rules' verdict in
 * words (scheduled for when, blocked by what, a field task) as the desk
 * reckons it from its copy. The server checks again.
 *
 *   request-queued (BdStoredRequest *stored)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "core/bd-session.h"
#include "net/bd-client.h"
#include "net/bd-push-worker.h"
#include "store/bd-consumer-store.h"

G_BEGIN_DECLS

#define BD_TYPE_REQUEST_DIALOG (bd_request_dialog_get_type ())
G_DECLARE_FINAL_TYPE (BdRequestDialog, bd_request_dialog, BD, REQUEST_DIALOG, AdwWindow)

/* client is NULL offline: the consumer's own requests then wait. */
BdRequestDialog *bd_request_dialog_new (GtkWindow       *parent,
                                        BdConsumerStore *store,
                                        BdClient        *client,
                                        BdPushWorker    *worker,
                                        BdSession       *session,
                                        BdConsumer      *consumer);

/* Parses "24-11-2026 10:30" (IST; the time may be left out: 10:00). */
gboolean bd_request_parse_when (const char  *text,
                                gint64      *out_utc,
                                GError     **error);

G_END_DECLS
