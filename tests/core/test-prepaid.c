/* test-prepaid.c: tariffs, the prepaid rules, the meter simulator, recharge
 * input and the readings and balance formats, against hand-computed cases.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "core/bd-balance.h"
#include "core/bd-codec.h"
#include "core/bd-load-profile.h"
#include "core/bd-prepaid-rules.h"
#include "core/bd-reading-series.h"
#include "core/bd-recharge.h"
#include "core/bd-tariff.h"
#include "core/bd-time.h"
#include "core/bd-validate.h"

static gint64
at (const char *iso)
{
  gint64 t = 0;
  g_assert_true (bd_time_from_iso8601 (iso, &t));
  return t;
}

static const BdTariff *
tariff (const char *category,
        BdAreaType  area)
{
  gsize n;
  const BdTariff *table = bd_tariff_default_table (&n);
  const BdTariff *found = bd_tariff_lookup (table, n, category, area);

  g_assert_nonnull (found);
  return found;
}

static void
test_tariff_slabs (void)
{
  const BdTariff *urban = tariff ("LMV-1", BD_AREA_URBAN);
  const BdTariff *shop = tariff ("LMV-2", BD_AREA_URBAN);

  /* 0–100 and 100–150 kWh at ₹5.50, 150–300 at ₹6.00, above at ₹6.50. */
  g_assert_cmpint (bd_tariff_energy_charge_paise (urban, 0), ==, 0);
  g_assert_cmpint (bd_tariff_energy_charge_paise (urban, 100000), ==, 55000);
  g_assert_cmpint (bd_tariff_energy_charge_paise (urban, 250000), ==, 55000 + 27500 + 60000);
  g_assert_cmpint (bd_tariff_energy_charge_paise (urban, 350000), ==, 55000 + 27500 + 90000 + 32500);
  /* A reading that crosses 150 kWh: 100 Wh at ₹5.50 and 100 Wh at ₹6.00. */
  g_assert_cmpint (bd_tariff_slot_charge_paise (urban, 149900, 200), ==, 55 + 60);
  /* Commercial: ₹7.50 up to 300 kWh, ₹8.40 beyond. */
  g_assert_cmpint (bd_tariff_energy_charge_paise (shop, 400000), ==, 300 * 750 + 100 * 840);
  g_assert_null (bd_tariff_lookup (urban, 1, "HV-2", BD_AREA_URBAN));
}

static void
test_tariff_rounding_telescopes (void)
{
  const BdTariff *urban = tariff ("LMV-1", BD_AREA_URBAN);
  gint64 month = 0, deducted = 0;

  /* 1 Wh costs 0.55 paise: charged alone each would round to 1 paisa and
   * a thousand of them to ₹10; charged as month-to-date differences they
   * sum to the ₹5.50 a kWh costs. */
  for (int i = 0; i < 1000; i++)
    {
      deducted += bd_tariff_slot_charge_paise (urban, month, 1);
      month += 1;
    }
  g_assert_cmpint (deducted, ==, 550);
  /* And over a month of uneven readings across every slab. */
  month = 0;
  deducted = 0;
  for (int i = 0; i < 2880; i++)
    {
      gint64 wh = 37 + (i * 7919) % 211;
      deducted += bd_tariff_slot_charge_paise (urban, month, wh);
      month += wh;
    }
  g_assert_cmpint (deducted, ==, bd_tariff_energy_charge_paise (urban, month));
}

static void
test_tariff_fixed_and_json (void)
{
  const BdTariff *urban = tariff ("LMV-1", BD_AREA_URBAN);
  BdTariff parsed;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  BdTariff broken;

  /* ₹3.67 per kW a day: 2 kW is 734 paise, 1.5 kW 550.5 → 551. */
  g_assert_cmpint (bd_tariff_fixed_charge_paise (urban, 2000), ==, 734);
  g_assert_cmpint (bd_tariff_fixed_charge_paise (urban, 1500), ==, 551);
  g_assert_cmpint (bd_tariff_fixed_charge_paise (urban, 0), ==, 0);

  node = bd_tariff_to_json (urban);
  g_assert_true (bd_tariff_from_json (node, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (&parsed, sizeof parsed, urban, sizeof *urban);

  broken = *urban;
  broken.slabs[1].up_to_kwh = 50;   /* slabs must rise */
  g_assert_false (bd_tariff_validate (&broken, &error));
  g_assert_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_INVALID_VALUE);
}

typedef struct {
  const char    *ist;        /* local time, +05:30 */
  BdNoCutReason  reason;
} NoCutCase;

static void
test_no_cut_rules (void)
{
  g_autoptr(BdPrepaidRules) rules = bd_prepaid_rules_new_default ();
  /* November 2026: Saturdays fall on the 7th, 14th, 21st and 28th. */
  static const NoCutCase cases[] = {
    { "2026-11-24T12:00:00+05:30", BD_NO_CUT_NONE },            /* Tuesday noon */
    { "2026-11-24T08:00:00+05:30", BD_NO_CUT_NONE },            /* the night ends at 08:00 */
    { "2026-11-24T07:59:00+05:30", BD_NO_CUT_NIGHT },
    { "2026-11-24T17:59:00+05:30", BD_NO_CUT_NONE },
    { "2026-11-24T18:00:00+05:30", BD_NO_CUT_NIGHT },           /* and starts at 18:00 */
    { "2026-11-24T23:30:00+05:30", BD_NO_CUT_NIGHT },
    { "2026-11-22T12:00:00+05:30", BD_NO_CUT_SUNDAY },
    { "2026-11-14T12:00:00+05:30", BD_NO_CUT_SECOND_SATURDAY },
    { "2026-11-07T12:00:00+05:30", BD_NO_CUT_NONE },            /* the first Saturday */
    { "2026-11-21T12:00:00+05:30", BD_NO_CUT_NONE },            /* the third */
    { "2026-10-02T12:00:00+05:30", BD_NO_CUT_HOLIDAY },         /* Gandhi Jayanti, a Friday */
    { "2026-12-25T10:00:00+05:30", BD_NO_CUT_HOLIDAY },
    /* 20:00 UTC on Saturday 13 Nov is 01:30 IST on the second Saturday:
     * the day is judged in India, not in UTC. */
    { "2026-11-13T20:00:00Z", BD_NO_CUT_SECOND_SATURDAY },
    { "2026-11-23T02:29:00Z", BD_NO_CUT_NIGHT },                /* Monday 07:59 IST */
    { "2026-11-23T02:30:00Z", BD_NO_CUT_NONE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      BdNoCutReason got = bd_prepaid_rules_no_cut_reason (rules, at (cases[i].ist));
      if (got != cases[i].reason)
        g_error ("%s: expected %s, got %s", cases[i].ist,
                 bd_no_cut_reason_to_string (cases[i].reason), bd_no_cut_reason_to_string (got));
    }
  g_assert_cmpstr (bd_prepaid_rules_find_holiday (rules, at ("2026-10-02T23:59:00+05:30"))->name,
                   ==, "Gandhi Jayanti");
  g_assert_null (bd_prepaid_rules_find_holiday (rules, at ("2026-10-03T00:00:00+05:30")));
}

static void
test_next_cut_time (void)
{
  g_autoptr(BdPrepaidRules) rules = bd_prepaid_rules_new_default ();
  static const struct { const char *from, *expected; } cases[] = {
    /* 19:00 on a Saturday: the night, then Sunday, then Monday 08:00. */
    { "2026-11-21T19:00:00+05:30", "2026-11-23T08:00:00+05:30" },
    /* Friday evening before the second Saturday: Monday the 16th. */
    { "2026-11-13T19:00:00+05:30", "2026-11-16T08:00:00+05:30" },
    /* Saturday the 7th, evening: Sunday the 8th is Deepawali too. */
    { "2026-11-07T19:00:00+05:30", "2026-11-09T08:00:00+05:30" },
    /* Thursday 1 October evening: Friday is Gandhi Jayanti, then the
     * first Saturday is allowed. */
    { "2026-10-01T18:30:00+05:30", "2026-10-03T08:00:00+05:30" },
    /* Early morning: the same day's 08:00. */
    { "2026-11-24T03:00:00+05:30", "2026-11-24T08:00:00+05:30" },
    /* Already allowed: now. */
    { "2026-11-24T11:15:00+05:30", "2026-11-24T11:15:00+05:30" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 got = bd_prepaid_rules_next_cut_time (rules, at (cases[i].from));
      g_autofree char *text = bd_time_to_iso8601 (got);
      if (got != at (cases[i].expected))
        g_error ("from %s: expected %s, got %s", cases[i].from, cases[i].expected, text);
    }

  /* The rules come from the server's table: a different night and no
   * second-Saturday rule change the answer. */
  rules->night_start_minute = 20 * 60;
  rules->night_end_minute = 6 * 60;
  rules->no_cut_second_saturday = FALSE;
  g_assert_cmpint (bd_prepaid_rules_next_cut_time (rules, at ("2026-11-13T19:00:00+05:30")), ==,
                   at ("2026-11-13T19:00:00+05:30"));
  g_assert_cmpint (bd_prepaid_rules_next_cut_time (rules, at ("2026-11-13T21:00:00+05:30")), ==,
                   at ("2026-11-14T06:00:00+05:30"));
}

static void
test_evaluate (void)
{
  g_autoptr(BdPrepaidRules) rules = bd_prepaid_rules_new_default ();
  gint64 zero = at ("2026-11-16T10:00:00+05:30");    /* a Monday */
  BdPrepaidAccount account = {
    .balance_paise = -12000,
    .zero_since = zero,
    .supply = BD_SUPPLY_CONNECTED,
    .meter_type = BD_METER_TYPE_SMART,
    .communicating = TRUE,
  };
  BdPrepaidOutlook outlook;

  /* A day later: on emergency credit until Thursday 10:00. */
  bd_prepaid_evaluate (rules, &account, zero + 86400, &outlook);
  g_assert_cmpint (outlook.state, ==, BD_CUT_STATE_EMERGENCY_CREDIT);
  g_assert_cmpint (outlook.emergency_until, ==, at ("2026-11-19T10:00:00+05:30"));
  g_assert_cmpint (outlook.cut_earliest_at, ==, at ("2026-11-19T10:00:00+05:30"));

  /* Thursday 11:00: due. */
  bd_prepaid_evaluate (rules, &account, at ("2026-11-19T11:00:00+05:30"), &outlook);
  g_assert_cmpint (outlook.state, ==, BD_CUT_STATE_DUE);

  /* Thursday 19:00: the night holds it until Friday 08:00. */
  bd_prepaid_evaluate (rules, &account, at ("2026-11-19T19:00:00+05:30"), &outlook);
  g_assert_cmpint (outlook.state, ==, BD_CUT_STATE_WAITING_NO_CUT);
  g_assert_cmpint (outlook.held_by, ==, BD_NO_CUT_NIGHT);
  g_assert_cmpint (outlook.cut_earliest_at, ==, at ("2026-11-20T08:00:00+05:30"));

  /* Credit running out on a Saturday evening waits for Monday. */
  account.zero_since = at ("2026-11-18T19:00:00+05:30");
  bd_prepaid_evaluate (rules, &account, at ("2026-11-20T12:00:00+05:30"), &outlook);
  g_assert_cmpint (outlook.state, ==, BD_CUT_STATE_EMERGENCY_CREDIT);
  g_assert_cmpint (outlook.cut_earliest_at, ==, at ("2026-11-23T08:00:00+05:30"));
  account.zero_since = zero;

  /* A silent meter cannot be switched; a CT meter needs a visit. */
  account.communicating = FALSE;
  bd_prepaid_evaluate (rules, &account, at ("2026-11-19T11:00:00+05:30"), &outlook);
  g_assert_cmpint (outlook.state, ==, BD_CUT_STATE_METER_SILENT);
  account.communicating = TRUE;
  account.meter_type = BD_METER_TYPE_CT;
  bd_prepaid_evaluate (rules, &account, at ("2026-11-19T11:00:00+05:30"), &outlook);
  g_assert_cmpint (outlook.state, ==, BD_CUT_STATE_FIELD_VISIT);
  account.meter_type = BD_METER_TYPE_SMART;

  /* Already off, or in credit: nothing pending. */
  account.supply = BD_SUPPLY_DISCONNECTED;
  bd_prepaid_evaluate (rules, &account, at ("2026-11-19T11:00:00+05:30"), &outlook);
  g_assert_cmpint (outlook.state, ==, BD_CUT_STATE_NONE);
  g_assert_cmpint (outlook.cut_earliest_at, ==, 0);
  account.supply = BD_SUPPLY_CONNECTED;
  account.balance_paise = 1;
  bd_prepaid_evaluate (rules, &account, at ("2026-11-19T11:00:00+05:30"), &outlook);
  g_assert_cmpint (outlook.state, ==, BD_CUT_STATE_NONE);
  g_assert_cmpint (outlook.emergency_until, ==, 0);

  /* A balance exactly zero has reached zero: the credit clock runs. */
  account.balance_paise = 0;
  bd_prepaid_evaluate (rules, &account, zero + 3600, &outlook);
  g_assert_cmpint (outlook.state, ==, BD_CUT_STATE_EMERGENCY_CREDIT);
}

static void
test_alerts (void)
{
  g_autoptr(BdPrepaidRules) rules = bd_prepaid_rules_new_default ();
  gint64 last = 100000;   /* a ₹1,000 recharge */

  g_assert_cmpint (bd_prepaid_alert_due (rules, last, 35000, 0), ==, -1);
  g_assert_cmpint (bd_prepaid_alert_due (rules, last, 30000, 0), ==, 0);    /* 30 % */
  g_assert_cmpint (bd_prepaid_alert_due (rules, last, 30000, 0x1), ==, -1);
  g_assert_cmpint (bd_prepaid_alert_due (rules, last, 9000, 0x1), ==, 1);   /* 10 % */
  g_assert_cmpint (bd_prepaid_alert_due (rules, last, 9000, 0x0), ==, 1);   /* skip straight to the lowest */
  g_assert_cmpint (bd_prepaid_alert_due (rules, last, 9000, 0x3), ==, -1);
  g_assert_cmpint (bd_prepaid_alert_due (rules, last, 0, 0x3), ==, 2);      /* 0 % */
  g_assert_cmpint (bd_prepaid_alert_due (rules, last, -500, 0x7), ==, -1);
  /* No recharge on record: only the zero alert. */
  g_assert_cmpint (bd_prepaid_alert_due (rules, 0, 5000, 0), ==, -1);
  g_assert_cmpint (bd_prepaid_alert_due (rules, 0, 0, 0), ==, 2);
}

static void
test_reconnection (void)
{
  g_autoptr(BdPrepaidRules) rules = bd_prepaid_rules_new_default ();

  /* ₹100 owed: half the dues (₹50) reconnects, ₹49.99 does not. */
  g_assert_cmpint (bd_prepaid_reconnect_minimum (rules, -10000), ==, 5000);
  g_assert_false (bd_prepaid_reconnect_due (rules, -10000, 4999));
  g_assert_true (bd_prepaid_reconnect_due (rules, -10000, 5000));
  /* ₹0.03 owed: half rounds up to 2 paise. */
  g_assert_cmpint (bd_prepaid_reconnect_minimum (rules, -3), ==, 2);
  /* At zero, any recharge lifts the balance above it. */
  g_assert_cmpint (bd_prepaid_reconnect_minimum (rules, 0), ==, 1);
  g_assert_cmpint (bd_prepaid_reconnect_minimum (rules, 500), ==, 0);
  /* A stricter table: the whole dues. */
  rules->reconnect_dues_percent = 100;
  g_assert_cmpint (bd_prepaid_reconnect_minimum (rules, -10000), ==, 10000);
  g_assert_false (bd_prepaid_reconnect_due (rules, -10000, 9999));

  g_assert_cmpint (bd_prepaid_days_left (10000, 3000), ==, 3);
  g_assert_cmpint (bd_prepaid_days_left (10000, 0), ==, -1);
  g_assert_cmpint (bd_prepaid_days_left (-10, 3000), ==, 0);
}

static void
test_rules_json (void)
{
  g_autoptr(BdPrepaidRules) rules = bd_prepaid_rules_new_default ();
  g_autoptr(BdPrepaidRules) parsed = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) bad = NULL;
  g_autoptr(GError) error = NULL;

  node = bd_prepaid_rules_to_json (rules);
  parsed = bd_prepaid_rules_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_cmpint (parsed->holidays->len, ==, rules->holidays->len);
  g_assert_cmpint (parsed->emergency_credit_s, ==, 3 * 86400);
  g_assert_cmpint (bd_prepaid_rules_no_cut_reason (parsed, at ("2026-10-02T12:00:00+05:30")), ==,
                   BD_NO_CUT_HOLIDAY);

  bad = bd_json_parse ("{\"version\":2,\"night_start_minute\":1080,\"night_end_minute\":480,"
                       "\"no_cut_sunday\":true,\"no_cut_second_saturday\":true,"
                       "\"emergency_credit_hours\":72,\"reconnect_dues_percent\":50,"
                       "\"alert_percents\":[10,30,0],\"holidays\":[]}", -1, NULL);
  g_assert_null (bd_prepaid_rules_from_json (bad, &error));
  g_assert_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_INVALID_VALUE);
}

static void
test_profile_determinism (void)
{
  BdLoadProfile a, b, other, seed2;
  gint64 start = at ("2026-06-01T00:00:00+05:30");
  gboolean differs_account = FALSE, differs_seed = FALSE;

  bd_load_profile_init (&a, 1912, "1234567890", "LMV-1", 3000);
  bd_load_profile_init (&b, 1912, "1234567890", "LMV-1", 3000);
  bd_load_profile_init (&other, 1912, "1234567891", "LMV-1", 3000);
  bd_load_profile_init (&seed2, 7, "1234567890", "LMV-1", 3000);
  g_assert_cmpmem (&a, sizeof a, &b, sizeof b);
  for (gint64 slot = start; slot < start + 7 * 86400; slot += 900)
    {
      gint64 wh = bd_load_profile_slot_wh (&a, slot);

      g_assert_cmpint (wh, ==, bd_load_profile_slot_wh (&b, slot));
      g_assert_cmpint (wh, >=, 0);
      g_assert_cmpint (wh, <=, a.limit_w / 4 + 1);
      differs_account |= wh != bd_load_profile_slot_wh (&other, slot);
      differs_seed |= wh != bd_load_profile_slot_wh (&seed2, slot);
      g_assert_cmpint (bd_load_profile_communicating (&a, slot), ==,
                       bd_load_profile_communicating (&b, slot));
    }
  g_assert_true (differs_account);
  g_assert_true (differs_seed);
}

static gint64
day_wh (const BdLoadProfile *profile,
        const char          *ist_midnight)
{
  gint64 start = at (ist_midnight), total = 0;

  for (gint64 slot = start; slot < start + 86400; slot += 900)
    total += bd_load_profile_slot_wh (profile, slot);
  return total;
}

static void
test_profile_shapes (void)
{
  BdLoadProfile home, shop, pump;
  gint64 evening = 0, small_hours = 0, shop_open = 0, shop_closed = 0;
  int found = 0;

  /* Find a household with a cooler: the UP summer must show. */
  for (int i = 0; found == 0 && i < 100; i++)
    {
      g_autofree char *account = g_strdup_printf ("10000000%02d", i);
      bd_load_profile_init (&home, 1912, account, "LMV-1", 4000);
      found = home.cooling_w > 0;
    }
  g_assert_true (found);
  g_assert_cmpint (home.kind, ==, BD_LOAD_HOUSEHOLD);
  g_assert_cmpint (day_wh (&home, "2026-06-10T00:00:00+05:30"), >,
                   day_wh (&home, "2026-11-10T00:00:00+05:30"));
  /* Evenings above the small hours over a month of November days. */
  for (gint64 d = at ("2026-11-01T00:00:00+05:30"); d < at ("2026-12-01T00:00:00+05:30"); d += 86400)
    {
      evening += bd_load_profile_slot_wh (&home, d + 20 * 3600 + 1800);
      small_hours += bd_load_profile_slot_wh (&home, d + 3 * 3600 + 1800);
    }
  g_assert_cmpint (evening, >, small_hours);

  bd_load_profile_init (&shop, 1912, "2000000001", "LMV-2", 8000);
  g_assert_cmpint (shop.kind, ==, BD_LOAD_SHOP);
  for (gint64 d = at ("2026-11-01T00:00:00+05:30"); d < at ("2026-12-01T00:00:00+05:30"); d += 86400)
    {
      shop_open += bd_load_profile_slot_wh (&shop, d + 12 * 3600);
      shop_closed += bd_load_profile_slot_wh (&shop, d + 2 * 3600);
    }
  g_assert_cmpint (shop_open, >, 3 * shop_closed);

  bd_load_profile_init (&pump, 1912, "3000000001", "LMV-5", 5595);
  g_assert_cmpint (pump.kind, ==, BD_LOAD_PUMP);
  g_assert_cmpint (pump.cooling_w, ==, 0);
}

static void
test_profile_silence (void)
{
  BdLoadProfile p;
  gint64 from = at ("2026-11-20T10:00:00Z");
  int silent_days = 0;

  bd_load_profile_init (&p, 1912, "1234567890", "LMV-1", 2000);
  p.silent_from = from;
  g_assert_false (bd_load_profile_communicating (&p, from + 5 * 86400));
  p.silent_until = from + 3600;
  g_assert_false (bd_load_profile_communicating (&p, from + 1800));
  /* Brief outages happen on a few days a year, never most of them. */
  for (gint64 d = at ("2026-01-01T00:00:00Z"); d < at ("2027-01-01T00:00:00Z"); d += 86400)
    {
      gboolean any = FALSE;
      for (gint64 t = d; t < d + 86400; t += 3600)
        any |= !bd_load_profile_communicating (&p, t) && (t < p.silent_from || t >= p.silent_until);
      silent_days += any;
    }
  g_assert_cmpint (silent_days, <, 40);
}

static void
test_rupees_parse (void)
{
  static const struct { const char *text; gint64 paise; } good[] = {
    { "500", 50000 },
    { " 1,000 ", 100000 },
    { "₹ 1,23,456.50", 12345650 },
    { "₹500", 50000 },
    { "Rs. 250.5", 25050 },
    { "0.75", 75 },
  };
  static const char * const bad[] = { "abc", "12.345", "5-0", "1..2", ",100", "₹" };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      gint64 paise = -1;
      g_autoptr(GError) error = NULL;

      g_assert_true (bd_rupees_parse (good[i].text, &paise, &error));
      g_assert_no_error (error);
      g_assert_cmpint (paise, ==, good[i].paise);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gint64 paise = -1;
      g_autoptr(GError) error = NULL;

      if (bd_rupees_parse (bad[i], &paise, &error))
        g_error ("%s parsed as %" G_GINT64_FORMAT, bad[i], paise);
      g_assert_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_VALUE);
    }
  {
    gint64 paise;
    g_autoptr(GError) error = NULL;
    g_assert_false (bd_rupees_parse ("  ", &paise, &error));
    g_assert_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY);
  }
}

static void
test_recharge_checks (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *upi = NULL;
  g_autofree char *card = NULL;
  g_autofree char *cash = NULL;
  g_autofree char *uri = NULL;

  g_assert_false (bd_recharge_amount_check (999, &error));
  g_assert_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "₹2,00,000.00"));
  g_clear_error (&error);
  g_assert_true (bd_recharge_amount_check (1000, NULL));
  g_assert_true (bd_recharge_amount_check (20000000, NULL));
  g_assert_false (bd_recharge_amount_check (20000001, NULL));

  upi = bd_payment_reference_normalize (BD_PAYMENT_UPI, "4321 8765 0912", &error);
  g_assert_cmpstr (upi, ==, "432187650912");
  g_assert_null (bd_payment_reference_normalize (BD_PAYMENT_UPI, "12345", &error));
  g_assert_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_null (bd_payment_reference_normalize (BD_PAYMENT_UPI, "", &error));
  g_assert_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_EMPTY);
  g_clear_error (&error);
  card = bd_payment_reference_normalize (BD_PAYMENT_CARD, "ab12cd", NULL);
  g_assert_cmpstr (card, ==, "AB12CD");
  g_assert_null (bd_payment_reference_normalize (BD_PAYMENT_CARD, "AB12C!", NULL));
  cash = bd_payment_reference_normalize (BD_PAYMENT_CASH, "", NULL);
  g_assert_cmpstr (cash, ==, "");

  uri = bd_upi_payment_uri ("uppcl.lko@sbi", "UPPCL Lucknow", 50050, "RC-1", "Recharge 1234567890");
  g_assert_cmpstr (uri, ==, "upi://pay?pa=uppcl.lko%40sbi&pn=UPPCL%20Lucknow&am=500.50&cu=INR"
                            "&tr=RC-1&tn=Recharge%201234567890");
}

static void
test_recharge_json (void)
{
  g_autoptr(BdRecharge) recharge = bd_recharge_new ("3f2b8c1e-0d5a-4a7e-9a53-0c4a2a7b9e11", "1234567890");
  g_autoptr(BdRecharge) back = NULL;
  g_autoptr(BdRecharge) request = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) bad = NULL;
  g_autoptr(GError) error = NULL;

  recharge->amount_paise = 50000;
  recharge->mode = BD_PAYMENT_UPI;
  g_free (recharge->reference);
  recharge->reference = g_strdup ("432187650912");
  recharge->created_at = at ("2026-11-24T06:00:00Z");
  recharge->receipt = g_strdup ("RC-LKOC-261124-00001");
  g_free (recharge->created_by);
  recharge->created_by = g_strdup ("operator");
  recharge->credited_at = at ("2026-11-24T06:00:05Z");
  recharge->balance_after_paise = -2000;
  recharge->reconnected = TRUE;

  node = bd_recharge_to_json (recharge);
  back = bd_recharge_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->receipt, ==, recharge->receipt);
  g_assert_cmpint (back->balance_after_paise, ==, -2000);
  g_assert_true (back->reconnected);
  g_assert_cmpint (back->mode, ==, BD_PAYMENT_UPI);

  body = bd_recharge_request_to_json (recharge);
  request = bd_recharge_request_from_json ("1234567890", body, &error);
  g_assert_no_error (error);
  g_assert_cmpint (request->amount_paise, ==, 50000);

  /* Cash with a reference, or an amount past the limit, is refused. */
  bad = bd_json_parse ("{\"local_id\":\"a1\",\"amount_paise\":50000,\"mode\":\"cash\","
                       "\"reference\":\"X\",\"created_at\":\"2026-11-24T06:00:00Z\"}", -1, NULL);
  g_assert_null (bd_recharge_request_from_json ("1234567890", bad, &error));
  g_assert_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_clear_pointer (&bad, json_node_unref);
  bad = bd_json_parse ("{\"local_id\":\"a1\",\"amount_paise\":99999999999,\"mode\":\"cash\","
                       "\"reference\":\"\",\"created_at\":\"2026-11-24T06:00:00Z\"}", -1, NULL);
  g_assert_null (bd_recharge_request_from_json ("1234567890", bad, &error));
  g_assert_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_INVALID_VALUE);
}

static void
test_reading_steps (void)
{
  gint64 t = at ("2026-11-24T10:52:13+05:30");

  g_assert_cmpint (bd_reading_step_floor (BD_READING_STEP_15MIN, t), ==, at ("2026-11-24T10:45:00+05:30"));
  g_assert_cmpint (bd_reading_step_floor (BD_READING_STEP_DAY, t), ==, at ("2026-11-24T00:00:00+05:30"));
  /* 23:00 UTC is already the next day in India. */
  g_assert_cmpint (bd_reading_step_floor (BD_READING_STEP_DAY, at ("2026-11-24T23:00:00Z")), ==,
                   at ("2026-11-25T00:00:00+05:30"));
  g_assert_cmpint (bd_reading_step_floor (BD_READING_STEP_MONTH, t), ==, at ("2026-11-01T00:00:00+05:30"));
  g_assert_cmpint (bd_reading_step_next (BD_READING_STEP_MONTH, at ("2026-12-01T00:00:00+05:30")), ==,
                   at ("2027-01-01T00:00:00+05:30"));
  g_assert_cmpint (bd_reading_step_next (BD_READING_STEP_MONTH, at ("2028-02-01T00:00:00+05:30")), ==,
                   at ("2028-03-01T00:00:00+05:30"));
}

static void
test_reading_series_json (void)
{
  g_autoptr(BdReadingSeries) series =
    bd_reading_series_new ("1234567890", BD_READING_STEP_MONTH, at ("2026-01-15T00:00:00Z"), 3);
  g_autoptr(BdReadingSeries) back = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) bad = NULL;
  g_autoptr(GError) error = NULL;
  gint64 wh = 0, paise = 0;
  const double *kwh;

  g_assert_cmpint (bd_reading_series_get_start (series), ==, at ("2026-01-01T00:00:00+05:30"));
  g_assert_cmpint (bd_reading_series_get_end (series), ==, at ("2026-04-01T00:00:00+05:30"));
  g_assert_cmpint (bd_reading_series_find_bucket (series, at ("2026-02-28T23:59:59+05:30")), ==, 1);
  g_assert_cmpint (bd_reading_series_find_bucket (series, at ("2026-04-01T00:00:00+05:30")), ==, -1);
  bd_reading_series_set (series, 0, 150000, 82500);
  bd_reading_series_add (series, 2, 1000, 550);
  bd_reading_series_add (series, 2, 1000, 550);
  bd_reading_series_set_generated_at (series, at ("2026-04-02T00:00:00Z"));
  g_assert_cmpint (bd_reading_series_get_total_wh (series), ==, 152000);
  g_assert_cmpint (bd_reading_series_get_n_present (series), ==, 2);
  kwh = bd_reading_series_peek_kwh (series);
  g_assert_cmpfloat (kwh[0], ==, 150.0);
  g_assert_true (isnan (kwh[1]));

  node = bd_reading_series_to_json (series);
  back = bd_reading_series_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bd_reading_series_get_n_buckets (back), ==, 3);
  g_assert_false (bd_reading_series_get (back, 1, NULL, NULL));
  g_assert_true (bd_reading_series_get (back, 2, &wh, &paise));
  g_assert_cmpint (wh, ==, 2000);
  g_assert_cmpint (paise, ==, 1100);

  /* Arrays that do not match the range are refused, not truncated. */
  bad = bd_json_parse ("{\"account\":\"1234567890\",\"step\":\"day\","
                       "\"start\":\"2026-11-23T18:30:00Z\",\"end\":\"2026-11-25T18:30:00Z\","
                       "\"generated_at\":\"2026-11-26T00:00:00Z\",\"wh\":[1],\"paise\":[1]}", -1, NULL);
  g_assert_null (bd_reading_series_from_json (bad, &error));
  g_assert_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_INVALID_VALUE);
}

static void
test_balance_json (void)
{
  g_autoptr(BdBalance) balance = bd_balance_new ("1234567890");
  g_autoptr(BdBalance) back = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  balance->meter_type = BD_METER_TYPE_SMART;
  balance->balance_paise = -4550;
  balance->as_of = at ("2026-11-24T05:15:00Z");
  balance->communicating = TRUE;
  balance->last_contact_at = balance->as_of;
  balance->cut_state = BD_CUT_STATE_WAITING_NO_CUT;
  balance->held_by = BD_NO_CUT_NIGHT;
  balance->emergency_until = at ("2026-11-23T05:15:00Z");
  balance->cut_earliest_at = at ("2026-11-25T02:30:00Z");
  balance->reconnect_minimum_paise = 2275;
  balance->daily_average_paise = 4100;
  g_free (balance->tariff);
  balance->tariff = g_strdup ("LMV-1 urban, version 1");
  balance->seq = 42;

  node = bd_balance_to_json (balance);
  back = bd_balance_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->balance_paise, ==, -4550);
  g_assert_cmpint (back->cut_state, ==, BD_CUT_STATE_WAITING_NO_CUT);
  g_assert_cmpint (back->held_by, ==, BD_NO_CUT_NIGHT);
  g_assert_cmpint (back->days_left, ==, -1);
  g_assert_cmpint (back->cut_earliest_at, ==, balance->cut_earliest_at);
  g_assert_cmpstr (back->tariff, ==, balance->tariff);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tariff/slabs", test_tariff_slabs);
  g_test_add_func ("/tariff/rounding-telescopes", test_tariff_rounding_telescopes);
  g_test_add_func ("/tariff/fixed-and-json", test_tariff_fixed_and_json);
  g_test_add_func ("/prepaid/no-cut-rules", test_no_cut_rules);
  g_test_add_func ("/prepaid/next-cut-time", test_next_cut_time);
  g_test_add_func ("/prepaid/evaluate", test_evaluate);
  g_test_add_func ("/prepaid/alerts", test_alerts);
  g_test_add_func ("/prepaid/reconnection", test_reconnection);
  g_test_add_func ("/prepaid/rules-json", test_rules_json);
  g_test_add_func ("/simulator/determinism", test_profile_determinism);
  g_test_add_func ("/simulator/shapes", test_profile_shapes);
  g_test_add_func ("/simulator/silence", test_profile_silence);
  g_test_add_func ("/recharge/rupees-parse", test_rupees_parse);
  g_test_add_func ("/recharge/checks", test_recharge_checks);
  g_test_add_func ("/recharge/json", test_recharge_json);
  g_test_add_func ("/readings/steps", test_reading_steps);
  g_test_add_func ("/readings/series-json", test_reading_series_json);
  g_test_add_func ("/balance/json", test_balance_json);

  return g_test_run ();
}
