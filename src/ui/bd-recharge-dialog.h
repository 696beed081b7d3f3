/* bd-recharge-dialog.h: taking a prepaid recharge at the counter.
 *
 * Quick amounts (₹100, ₹500, ₹1,000) or any amount from ₹10 to ₹2,00,000;
 * cash, UPI (the payment request shown as a QR code the consumer scans,
 * then the UTR their app shows) or card (the terminal's approval code).
 * The operator confirms; the recharge goes into the outbox in one
 * transaction and is shown as pending until the server credits it, then
 * with its receipt number and the new balance, ready to print.
 *
 *   recharge-taken (BdStoredRecharge *stored): queued in the outbox.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "core/bd-balance.h"
#include "core/bd-session.h"
#include "net/bd-push-worker.h"
#include "store/bd-consumer-store.h"

G_BEGIN_DECLS

#define BD_TYPE_RECHARGE_DIALOG (bd_recharge_dialog_get_type ())
G_DECLARE_FINAL_TYPE (BdRechargeDialog, bd_recharge_dialog, BD, RECHARGE_DIALOG, AdwWindow)

/* balance (nullable) is the latest the desk has, to show and to suggest
 * the amount that reconnects a cut supply; worker (nullable) is watched
 * for the server's answer. */
BdRechargeDialog *bd_recharge_dialog_new (GtkWindow       *parent,
                                          BdConsumerStore *store,
                                          BdPushWorker    *worker,
                                          BdSession       *session,
                                          BdConsumer      *consumer,
                                          const BdBalance *balance);

G_END_DECLS
