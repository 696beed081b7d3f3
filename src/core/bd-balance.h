/* bd-balance.h: a prepaid account as the meter last reported it: the
 * balance and when it was true, the meter's reach, and what the prepaid
 * rules say will happen next (emergency credit, a pending cut and the
 * earliest time it may happen, the least recharge that reconnects).
 * GET /consumers/{account}/balance and the watch stream carry it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "bd-consumer.h"
#include "bd-prepaid-rules.h"

G_BEGIN_DECLS

typedef struct {
  char           *account;
  BdMeterType     meter_type;
  BdSupplyStatus  supply;
  gint64          balance_paise;
  gint64          as_of;                  /* end of the last reading applied */
  gboolean        communicating;
  gint64          last_contact_at;
  BdCutState      cut_state;
  gint64          emergency_until;        /* 0 when not in debt */
  gint64          cut_earliest_at;        /* 0 when no cut is pending */
  BdNoCutReason   held_by;
  gint64          reconnect_minimum_paise;
  gint64          daily_average_paise;    /* over the last seven days; 0 unknown */
  gint64          days_left;              /* -1 unknown */
  gint64          month_wh;               /* this IST month so far */
  gint64          month_paise;
  gint64          last_recharge_paise;
  gint64          last_recharge_at;
  char           *tariff;                 /* "LMV-1 urban, version 1" */
  gint64          seq;                    /* the watch stream's order */
} BdBalance;

BdBalance *bd_balance_new     (const char *account);
BdBalance *bd_balance_copy    (const BdBalance *balance);
void       bd_balance_free    (BdBalance *balance);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdBalance, bd_balance_free)

JsonNode  *bd_balance_to_json   (const BdBalance *balance);
BdBalance *bd_balance_from_json (JsonNode        *node,
                                 GError         **error);

G_END_DECLS
