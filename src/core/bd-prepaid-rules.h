/* bd-prepaid-rules.h: when a prepaid meter may be switched off and on,
 * GTK-free so the server acts on the same rules the desk explains.
 *
 * A balance below zero does not cut the supply at once. Emergency credit
 * runs for a few days from the moment the balance reached zero; after that
 * the cut still waits for a time the rules allow: never at night, on a
 * Sunday, on the second Saturday of the month or on a public holiday (all
 * judged in Asia/Kolkata). SMS alerts go out as the balance falls through
 * 30 %, 10 % and 0 % of the last recharge. A recharge reconnects when it
 * brings the balance above zero or pays at least a set share of the dues.
 * The server keeps these as a versioned table; version 1 is here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "bd-consumer.h"

G_BEGIN_DECLS

typedef enum {
  BD_NO_CUT_NONE,            /* a cut is allowed */
  BD_NO_CUT_NIGHT,
  BD_NO_CUT_SUNDAY,
  BD_NO_CUT_SECOND_SATURDAY,
  BD_NO_CUT_HOLIDAY,
} BdNoCutReason;

const char *bd_no_cut_reason_to_string (BdNoCutReason reason);  /* "night", "sunday", … */

typedef struct {
  guint32 date;              /* YYYYMMDD in Asia/Kolkata */
  char    name[64];
} BdHoliday;

typedef struct _BdPrepaidRules BdPrepaidRules;

struct _BdPrepaidRules
{
  gint      version;
  int       night_start_minute;   /* minutes after IST midnight; the window wraps midnight */
  int       night_end_minute;
  gboolean  no_cut_sunday;
  gboolean  no_cut_second_saturday;
  GArray   *holidays;             /* BdHoliday, sorted by date */
  gint64    emergency_credit_s;
  int       alert_percents[3];    /* of the last recharge, falling: 30, 10, 0 */
  int       reconnect_dues_percent;
};

BdPrepaidRules *bd_prepaid_rules_new_default (void);
BdPrepaidRules *bd_prepaid_rules_copy        (const BdPrepaidRules *rules);
void            bd_prepaid_rules_free        (BdPrepaidRules       *rules);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdPrepaidRules, bd_prepaid_rules_free)

void            bd_prepaid_rules_add_holiday (BdPrepaidRules       *rules,
                                              guint32               yyyymmdd,
                                              const char           *name);
/* The holiday on the IST date of unix_utc, or NULL. */
const BdHoliday *bd_prepaid_rules_find_holiday (const BdPrepaidRules *rules,
                                                gint64                unix_utc);

/* Why a cut may not happen at unix_utc (the first rule that forbids it),
 * or BD_NO_CUT_NONE. */
BdNoCutReason   bd_prepaid_rules_no_cut_reason (const BdPrepaidRules *rules,
                                                gint64                unix_utc);
/* The earliest time at or after unix_utc when a cut is allowed. */
gint64          bd_prepaid_rules_next_cut_time (const BdPrepaidRules *rules,
                                                gint64                unix_utc);

/* The state of a prepaid account that the rules look at. */
typedef struct {
  gint64          balance_paise;
  gint64          zero_since;        /* when the balance last reached zero; 0 while above */
  BdSupplyStatus  supply;
  BdMeterType     meter_type;
  gboolean        communicating;
} BdPrepaidAccount;

typedef enum {
  BD_CUT_STATE_NONE,                 /* balance above zero, or already off */
  BD_CUT_STATE_EMERGENCY_CREDIT,     /* running on emergency credit */
  BD_CUT_STATE_WAITING_NO_CUT,       /* credit over; a no-cut rule holds it now */
  BD_CUT_STATE_DUE,                  /* may be cut now */
  BD_CUT_STATE_METER_SILENT,         /* due, but the meter does not answer */
  BD_CUT_STATE_FIELD_VISIT,          /* CT meter: no remote switch */
} BdCutState;

const char *bd_cut_state_to_string   (BdCutState  state);
gboolean    bd_cut_state_from_string (const char *text,
                                      BdCutState *out);

typedef struct {
  BdCutState     state;
  gint64         emergency_until;    /* 0 when not in debt */
  gint64         cut_earliest_at;    /* 0 when no cut is pending */
  BdNoCutReason  held_by;            /* with WAITING_NO_CUT */
} BdPrepaidOutlook;

void     bd_prepaid_evaluate       (const BdPrepaidRules   *rules,
                                    const BdPrepaidAccount *account,
                                    gint64                  now,
                                    BdPrepaidOutlook       *out);

/* The alert to send now: the index into alert_percents of the lowest
 * threshold the balance has fallen to that is not yet in sent_mask (bit i
 * for alert i), or -1. Without a recharge to measure against, only the 0 %
 * alert applies. */
int      bd_prepaid_alert_due      (const BdPrepaidRules   *rules,
                                    gint64                  last_recharge_paise,
                                    gint64                  balance_paise,
                                    guint                   sent_mask);

/* Whether a recharge of amount_paise on a disconnected account whose
 * balance was balance_before_paise brings the supply back. */
gboolean bd_prepaid_reconnect_due  (const BdPrepaidRules   *rules,
                                    gint64                  balance_before_paise,
                                    gint64                  amount_paise);
/* The least recharge that reconnects (0 when the balance is above zero). */
gint64   bd_prepaid_reconnect_minimum (const BdPrepaidRules *rules,
                                       gint64                balance_paise);

/* Whole days the balance lasts at daily_paise a day; -1 if unknown (no
 * usage), 0 when the balance is not above zero. */
gint64   bd_prepaid_days_left      (gint64                  balance_paise,
                                    gint64                  daily_paise);

JsonNode       *bd_prepaid_rules_to_json   (const BdPrepaidRules *rules);
BdPrepaidRules *bd_prepaid_rules_from_json (JsonNode             *node,
                                            GError              **error);

G_END_DECLS
