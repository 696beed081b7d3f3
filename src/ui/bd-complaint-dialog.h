/* bd-complaint-dialog.h: filing a complaint, from a consumer's record or a
 * call, with the open complaints it may be a repeat of.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "core/bd-session.h"
#include "store/bd-consumer-store.h"

G_BEGIN_DECLS

#define BD_TYPE_COMPLAINT_DIALOG (bd_complaint_dialog_get_type ())
G_DECLARE_FINAL_TYPE (BdComplaintDialog, bd_complaint_dialog, BD, COMPLAINT_DIALOG, AdwWindow)

/* Signals:
 *   filed (BdStoredComplaint *stored): a new complaint was saved and queued.
 *   caller-added (const char *number): the call was added to an open
 *     complaint instead.
 * consumer may be NULL for a complaint about a place; contact_hint is a
 * mobile the caller gave (e.g. the number typed into the search), or NULL. */
BdComplaintDialog *bd_complaint_dialog_new (GtkWindow       *parent,
                                            BdConsumerStore *store,
                                            BdSession       *session,
                                            BdConsumer      *consumer,
                                            const char      *contact_hint);

G_END_DECLS
