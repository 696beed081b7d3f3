/* bd-attention-dialog.h: the changes made at this desk that the server
 * refused or applied only in part, across all consumers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "store/bd-consumer-store.h"

G_BEGIN_DECLS

#define BD_TYPE_ATTENTION_DIALOG (bd_attention_dialog_get_type ())
G_DECLARE_FINAL_TYPE (BdAttentionDialog, bd_attention_dialog, BD, ATTENTION_DIALOG, AdwWindow)

/* Signals:
 *   open-consumer (const char *account): the operator asked to see the
 *     consumer the change was about.
 *   acknowledged (): a change was marked as seen (the count went down). */
BdAttentionDialog *bd_attention_dialog_new (GtkWindow       *parent,
                                            BdConsumerStore *store,
                                            const char      *username);

G_END_DECLS
