/* bd-indexing-dialog.h: the form to record or correct a consumer's
 * indexing (contact, identity documents, meter, location and network).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "core/bd-consumer.h"
#include "core/bd-indexing.h"
#include "net/bd-client.h"
#include "store/bd-consumer-store.h"

G_BEGIN_DECLS

#define BD_TYPE_INDEXING_DIALOG (bd_indexing_dialog_get_type ())
G_DECLARE_FINAL_TYPE (BdIndexingDialog, bd_indexing_dialog, BD, INDEXING_DIALOG, AdwWindow)

/* A modal window transient for parent, filled from indexing (the desk's
 * copy; NULL when none is known yet: the fields mirrored from the consumer
 * record are then taken from consumer). Save stores the edit and queues it
 * for the server in one transaction in store, as username. client NULL
 * means offline: the mobile's OTP buttons say a connection is needed.
 *
 * Signals:
 *   "saved" (gint64 seq): the edit is stored on this desk and queued as
 *     outbox item seq; the window then closes.
 *   "mobile-updated" (): the mobile was verified or changed on the server. */
BdIndexingDialog *bd_indexing_dialog_new      (GtkWindow        *parent,
                                               BdConsumerStore  *store,
                                               BdClient         *client,
                                               BdConsumer       *consumer,
                                               BdIndexing       *indexing,
                                               const char       *username);

/* The entry row of an indexing field (bd_indexing_field_names()). */
GtkWidget        *bd_indexing_dialog_get_row   (BdIndexingDialog *self,
                                               const char       *field);
/* The message under a field, or NULL. */
const char       *bd_indexing_dialog_get_error (BdIndexingDialog *self,
                                               const char       *field);
/* Whether Save is possible: something changed, everything is valid and
 * no Aadhaar number is still being protected. */
gboolean          bd_indexing_dialog_can_save  (BdIndexingDialog *self);
/* The record as the form has it now. */
BdIndexing       *bd_indexing_dialog_get_edited (BdIndexingDialog *self);
/* Save, as the button does (only when bd_indexing_dialog_can_save()). */
void              bd_indexing_dialog_save      (BdIndexingDialog *self);
/* Cancel or Escape: asks first when there are unsaved changes. TRUE if
 * it closed without asking. */
gboolean          bd_indexing_dialog_cancel    (BdIndexingDialog *self);

G_END_DECLS
