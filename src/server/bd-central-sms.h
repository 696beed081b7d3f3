/* bd-central-sms.h: bijli-central's simulated SMS gateway.
 *
 * A main-loop timer moves the messages of the sms_outbox table on
 * (bd_central_db_sms_process()): sent about half a second after being
 * queued, delivered a second later; with a failure rate, attempts fail and
 * are retried with backoff. In demo mode the texts keep their codes so
 * GET /demo/sms can show them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bd-central-db.h"

G_BEGIN_DECLS

#define BD_TYPE_CENTRAL_SMS (bd_central_sms_get_type ())
G_DECLARE_FINAL_TYPE (BdCentralSms, bd_central_sms, BD, CENTRAL_SMS, GObject)

/* Starts the timer at once. failure_rate from 0 (never fails) to 1. */
BdCentralSms *bd_central_sms_new          (BdCentralDb   *db,
                                           double         failure_rate,
                                           gboolean       keep_secrets);
/* A message was queued: look at the outbox on the next tick. */
void          bd_central_sms_kick         (BdCentralSms  *self);
gboolean      bd_central_sms_get_demo     (BdCentralSms  *self);

G_END_DECLS
