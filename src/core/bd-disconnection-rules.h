/* bd-disconnection-rules.h: the rules that guard a disconnection or
 * reconnection, GTK-free so the desk shows the operator the same verdict
 * the server acts on, before the request is queued.
 *
 *  - no cut at a no-cut time (night, Sunday, second Saturday, holiday):
 *    scheduled for the earliest allowed time, never refused silently;
 *  - a non-payment cut waits for emergency credit to run out, needs a
 *    balance at or below zero, and is held while the consumer has an open
 *    complaint about a wrong deduction;
 *  - a permanent closure needs the dues settled (the amount is said);
 *  - a reconnection needs the balance above the reconnection threshold;
 *  - a CT meter cannot be switched remotely: a field task;
 *  - a meter that is not communicating cannot be switched now: the
 *    head-end retries, then a field task.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bd-consumer.h"
#include "bd-disconnection.h"
#include "bd-prepaid-rules.h"

G_BEGIN_DECLS

/* What the rules look at, as the desk or the server know it. */
typedef struct {
  BdMeterType    meter_type;
  BdSupplyStatus supply;
  gboolean       communicating;
  gint64         balance_paise;
  gint64         zero_since;            /* 0 while the balance is above zero */
  gboolean       wrong_deduction_open;  /* an open complaint about a wrong deduction */
  const char    *wrong_deduction_number;
} BdRequestContext;

typedef struct {
  GPtrArray *guards;          /* BdGuard, one per rule that applies, in order */
  gboolean   blocked;         /* some guard blocks it */
  gboolean   field_task;      /* some guard sends it to the field */
  gint64     scheduled_for;   /* the earliest allowed time at or after the requested one */
} BdRequestVerdict;

void bd_request_verdict_clear (BdRequestVerdict *verdict);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BdRequestVerdict, bd_request_verdict_clear)

/* Evaluates every rule for kind at requested_for (never before now). */
void bd_request_evaluate (const BdPrepaidRules   *rules,
                          BdRequestKind           kind,
                          const BdRequestContext *context,
                          gint64                  requested_for,
                          gint64                  now,
                          BdRequestVerdict       *out);

G_END_DECLS
