/* bd-consumer-format.h: how the desk words a consumer's record on screen
 * and on paper, so the page, the result rows and the printed summary agree.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "core/bd-consumer.h"

G_BEGIN_DECLS

/* A smart meter reports every 15–30 minutes; two hours without a reading
 * means several reports were missed, not one late one. */
#define BD_METER_SILENT_AFTER_SECONDS (2 * 3600)

typedef enum {
  BD_BALANCE_STATE_OK,         /* in credit */
  BD_BALANCE_STATE_EMERGENCY,  /* at or below zero, supply still on: emergency credit */
  BD_BALANCE_STATE_NEGATIVE,   /* below zero and the supply is off */
} BdConsumerBalanceState;

BdConsumerBalanceState bd_consumer_balance_state          (BdConsumer     *consumer);
/* Short tag text ("Negative"), a symbolic icon name and a CSS class. */
const char    *bd_balance_state_label             (BdConsumerBalanceState  state);
const char    *bd_balance_state_icon_name         (BdConsumerBalanceState  state);
const char    *bd_balance_state_css_class         (BdConsumerBalanceState  state);

typedef enum {
  BD_METER_COMM_NOT_REMOTE,    /* no remote reading at all (non-smart meter) */
  BD_METER_COMM_NEVER,         /* remote meter, no reading received yet */
  BD_METER_COMM_REPORTING,
  BD_METER_COMM_SILENT,        /* no reading for more than BD_METER_SILENT_AFTER_SECONDS */
} BdMeterComm;

/* now is Unix UTC seconds. */
BdMeterComm    bd_consumer_meter_comm             (BdConsumer     *consumer,
                                                   gint64          now);
/* "Communicating", "Not reporting since 23-11-2026 13:05 IST", … */
char          *bd_consumer_format_meter_comm      (BdConsumer     *consumer,
                                                   gint64          now);
/* When the last reading came, in IST, or a sentence saying there is none. */
char          *bd_consumer_format_last_reading    (BdConsumer     *consumer);

const char    *bd_meter_type_label                (BdMeterType     type);
const char    *bd_phase_label                     (BdPhase         phase);
const char    *bd_supply_status_label             (BdSupplyStatus  status);
const char    *bd_area_type_label                 (BdAreaType      area);
/* 2000 → "2 kW", 1500 → "1.5 kW". */
char          *bd_format_load                     (gint64          watts);
typedef enum {
  BD_NAME_ORDER_ENGLISH_FIRST,
  BD_NAME_ORDER_HINDI_FIRST,
} BdNameOrder;

/* Which script of a consumer's name the desk shows first; the
 * application sets it from the "name-order" setting. */
void           bd_name_order_set                  (BdNameOrder     order);
BdNameOrder    bd_name_order_get                  (void);
/* The name to show first, in the chosen script (the other script, then
 * the account, when that spelling is not on record), and in
 * out_secondary the other spelling when it is known and differs, else
 * NULL. The strings belong to the consumer. */
const char    *bd_consumer_get_names              (BdConsumer     *consumer,
                                                   const char    **out_secondary);
/* "Father's name · पिता का नाम" when both scripts are known and differ,
 * in the order bd_name_order_get() says. */
char          *bd_consumer_format_relation        (BdConsumer     *consumer);
/* The masked mobile ("98XXXXXX10"), or NULL when none is on record. */
char          *bd_consumer_dup_masked_mobile      (BdConsumer     *consumer);
/* "As of 23-11-2026 15:45 IST" and the like, for the balance. */
char          *bd_consumer_format_balance_note    (BdConsumer     *consumer);

G_END_DECLS
