/* test-central-meters.c: the simulated head-end in bijli-central's
 * database with a moved clock: provisioning, deductions that match the
 * readings, alerts, a cut only when emergency credit is over and the rules
 * allow, zero readings while cut, recharges once per idempotency key,
 * reconnection at half the dues, CT meters left for a visit, and the watch
 * feed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "core/bd-codec.h"
#include "core/bd-prepaid-rules.h"
#include "core/bd-tariff.h"
#include "server/bd-central-db.h"
#include "server/bd-central-db-meters.h"
#include "server/bd-central-db-recharges.h"
#include "server/bd-central-db-private.h"

#include "meters-fixture.h"

static BdBalance *
balance_of (Fixture    *fixture,
            const char *account,
            gint64      now)
{
  g_autoptr(GError) error = NULL;
  BdBalance *balance = bd_central_db_meter_balance (fixture->db, "LKO-C", account, now, &error);

  g_assert_no_error (error);
  g_assert_nonnull (balance);
  return balance;
}

static void
tick (Fixture *fixture,
      gint64   now)
{
  g_autoptr(GError) error = NULL;
  BdMeterTickStats stats;

  g_assert_true (bd_central_db_meters_tick (fixture->db, now, &stats, &error));
  g_assert_no_error (error);
}

static void
test_provision (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(BdBalance) balance = balance_of (fixture, ACCOUNT_A, T0);
  g_autoptr(BdBalance) none = balance_of (fixture, ACCOUNT_NS, T0);
  g_autoptr(GError) error = NULL;

  /* Only smart and CT meters are simulated, once. */
  g_assert_cmpint (meters_fixture_query_int (fixture, "SELECT count(*) FROM meters"), ==, 3);
  g_assert_cmpint (bd_central_db_meters_provision (fixture->db, 1912, T0, &error), ==, 0);
  g_assert_cmpint (balance->balance_paise, ==, 50000);
  /* The last complete quarter hour before 10:23 IST ended at 10:15. */
  g_assert_cmpint (balance->as_of, ==, T0 - (T0 % 900));
  g_assert_true (balance->communicating);
  g_assert_cmpint (balance->cut_state, ==, BD_CUT_STATE_NONE);
  g_assert_cmpint (balance->month_wh, >, 0);
  g_assert_cmpint (balance->daily_average_paise, >, 0);
  g_assert_cmpint (balance->days_left, ==, 50000 / balance->daily_average_paise);
  g_assert_cmpstr (balance->tariff, ==, "LMV-1 urban");
  /* A meter the simulator does not run: the record's balance, no outlook. */
  g_assert_false (none->communicating);
  g_assert_cmpint (none->meter_type, ==, BD_METER_TYPE_NON_SMART);

  g_assert_null (bd_central_db_meter_balance (fixture->db, "LKO-C", ACCOUNT_EAST, T0, &error));
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND);
}

static void
test_deductions_match_readings (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(BdBalance) before = balance_of (fixture, ACCOUNT_A, T0);
  g_autoptr(BdBalance) after = NULL;
  g_autoptr(BdReadingSeries) series = NULL;
  g_autoptr(GError) error = NULL;
  gint64 later = T0 + 5 * HOUR;   /* the same IST day: no new fixed charge */
  gint64 energy_paise = 0;

  tick (fixture, later);
  after = balance_of (fixture, ACCOUNT_A, later);
  g_assert_cmpint (after->as_of, ==, later - (later % 900));

  series = bd_central_db_meter_readings (fixture->db, "LKO-C", ACCOUNT_A, BD_READING_STEP_15MIN,
                                         before->as_of, after->as_of, later, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bd_reading_series_get_n_buckets (series), ==, (after->as_of - before->as_of) / 900);
  g_assert_cmpint (bd_reading_series_get_n_present (series), ==, bd_reading_series_get_n_buckets (series));
  energy_paise = bd_reading_series_get_total_paise (series);
  g_assert_cmpint (energy_paise, >, 0);
  /* What the tick took off the balance is what the readings say it cost. */
  g_assert_cmpint (before->balance_paise - after->balance_paise, ==, energy_paise);
  g_assert_cmpint (after->month_paise - before->month_paise, ==, energy_paise);
  g_assert_cmpint (after->month_wh - before->month_wh, ==, bd_reading_series_get_total_wh (series));

  /* Readings beyond the last one sent are missing, not zero. */
  g_clear_object (&series);
  series = bd_central_db_meter_readings (fixture->db, "LKO-C", ACCOUNT_A, BD_READING_STEP_15MIN,
                                         after->as_of, after->as_of + 2 * HOUR, later, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bd_reading_series_get_n_present (series), ==, 0);

  /* A day's buckets add up to the same as its quarter hours. */
  {
    g_autoptr(BdReadingSeries) days = NULL;
    g_autoptr(BdReadingSeries) quarters = NULL;
    gint64 day = bd_reading_step_floor (BD_READING_STEP_DAY, T0 - 3 * DAY);

    days = bd_central_db_meter_readings (fixture->db, "LKO-C", ACCOUNT_A, BD_READING_STEP_DAY,
                                         day, day + DAY, later, &error);
    quarters = bd_central_db_meter_readings (fixture->db, "LKO-C", ACCOUNT_A, BD_READING_STEP_15MIN,
                                             day, day + DAY, later, &error);
    g_assert_no_error (error);
    g_assert_cmpint (bd_reading_series_get_n_buckets (days), ==, 1);
    g_assert_cmpint (bd_reading_series_get_n_buckets (quarters), ==, 96);
    g_assert_cmpint (bd_reading_series_get_total_wh (days), ==, bd_reading_series_get_total_wh (quarters));
  }

  /* Too many buckets is a clear refusal. */
  g_clear_object (&series);
  series = bd_central_db_meter_readings (fixture->db, "LKO-C", ACCOUNT_A, BD_READING_STEP_15MIN,
                                         T0 - 500 * DAY, T0, later, &error);
  g_assert_null (series);
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT);
}

static char *
new_key (Fixture *fixture)
{
  return g_strdup_printf ("test-key-%08u", ++fixture->keys);
}

static BdRecharge *
recharge (Fixture       *fixture,
          const char    *account,
          gint64         amount,
          const char    *key,
          gint64         now,
          guint         *out_status,
          gboolean      *out_replayed,
          GError       **error)
{
  g_autoptr(BdRecharge) request = bd_recharge_new ("desk-local-1", account);
  g_autofree char *hash = g_strdup_printf ("hash-%" G_GINT64_FORMAT, amount);
  g_autofree char *body = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  request->amount_paise = amount;
  request->mode = BD_PAYMENT_CASH;
  request->created_at = now;
  if (!bd_central_db_recharge_create (fixture->db, "LKO-C", request, key, hash, "operator", BD_ROLE_OPERATOR,
                                      now, out_status, &body, out_replayed, error))
    return NULL;
  node = bd_json_parse (body, -1, NULL);
  object = json_node_get_object (node);
  return bd_recharge_from_json (json_object_get_member (object, "recharge"), NULL);
}

static void
test_recharge_idempotent (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *key = new_key (fixture);
  g_autoptr(BdRecharge) first = NULL;
  g_autoptr(BdRecharge) again = NULL;
  g_autoptr(BdBalance) balance = NULL;
  g_autoptr(GError) error = NULL;
  guint status = 0;
  gboolean replayed = TRUE;

  first = recharge (fixture, ACCOUNT_A, 50000, key, T0, &status, &replayed, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 201);
  g_assert_false (replayed);
  g_assert_cmpstr (first->receipt, ==, "RC-LKO-C-261118-000001");
  g_assert_cmpint (first->balance_after_paise, ==, 100000);

  /* The desk retries after a lost answer: the same key credits nothing new. */
  again = recharge (fixture, ACCOUNT_A, 50000, key, T0 + 60, &status, &replayed, &error);
  g_assert_no_error (error);
  g_assert_true (replayed);
  g_assert_cmpstr (again->receipt, ==, first->receipt);
  g_assert_cmpint (meters_fixture_query_int (fixture, "SELECT count(*) FROM recharges"), ==, 1);
  balance = balance_of (fixture, ACCOUNT_A, T0 + 60);
  g_assert_cmpint (balance->balance_paise, ==, 100000);
  g_assert_cmpint (balance->last_recharge_paise, ==, 50000);

  /* The same key for a different amount is a mistake, not a new payment. */
  g_assert_null (recharge (fixture, ACCOUNT_A, 70000, key, T0 + 60, &status, &replayed, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_IDEMPOTENCY_MISMATCH);
  g_clear_error (&error);

  /* Not prepaid; another zone's consumer. */
  {
    g_autofree char *k2 = new_key (fixture);
    g_autofree char *k3 = new_key (fixture);

    g_assert_null (recharge (fixture, ACCOUNT_NS, 50000, k2, T0, &status, &replayed, &error));
    g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_NOT_PREPAID);
    g_clear_error (&error);
    g_assert_null (recharge (fixture, ACCOUNT_EAST, 50000, k3, T0, &status, &replayed, &error));
    g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND);
  }
  g_assert_cmpint (meters_fixture_query_int (fixture, "SELECT count(*) FROM recharges"), ==, 1);
  g_assert_cmpint (meters_fixture_query_int (fixture, "SELECT count(*) FROM audit_log WHERE action = 'recharge.create'"), ==, 1);
  g_assert_cmpint (meters_fixture_query_int (fixture, "SELECT count(*) FROM consumer_history WHERE action = 'recharge'"), ==, 1);
}

/* From a small balance through zero, emergency credit, the cut at the
 * first time the rules allow, zero readings while cut, a recharge too
 * small to reconnect, and one that does. */
static void
test_cut_and_reconnect (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(BdPrepaidRules) rules = bd_prepaid_rules_new_default ();
  g_autoptr(BdBalance) cut = NULL;
  g_autoptr(BdBalance) after = NULL;
  g_autoptr(BdReadingSeries) series = NULL;
  g_autoptr(BdRecharge) small = NULL;
  g_autoptr(BdRecharge) enough = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *k1 = new_key (fixture);
  g_autofree char *k2 = new_key (fixture);
  gint64 zero_since = 0, cut_at = 0, t, version_before;
  guint status;
  gboolean replayed;

  meters_fixture_exec (fixture, "UPDATE consumers SET balance_paise = 300 WHERE account = '" ACCOUNT_A "';"
                 "UPDATE meters SET last_recharge_paise = 100000");
  version_before = meters_fixture_query_int (fixture, "SELECT version FROM consumers WHERE account = '" ACCOUNT_A "'");
  for (t = T0 + HOUR; t < T0 + 8 * DAY && cut_at == 0; t += HOUR)
    {
      tick (fixture, t);
      if (zero_since == 0)
        zero_since = meters_fixture_query_int (fixture, "SELECT zero_since FROM meters WHERE account = '" ACCOUNT_A "'");
      cut_at = meters_fixture_query_int (fixture, "SELECT COALESCE (MAX (at), 0) FROM supply_events WHERE account = '"
                                   ACCOUNT_A "' AND status = 'disconnected'");
    }
  g_assert_cmpint (zero_since, >, T0);
  g_assert_cmpint (cut_at, >, 0);
  /* Not before three days of emergency credit, only when allowed, and at
   * the first hourly tick from the earliest allowed time. */
  g_assert_cmpint (cut_at, >=, zero_since + 3 * DAY);
  g_assert_cmpint (bd_prepaid_rules_no_cut_reason (rules, cut_at), ==, BD_NO_CUT_NONE);
  g_assert_cmpint (cut_at, <, bd_prepaid_rules_next_cut_time (rules, zero_since + 3 * DAY) + HOUR);

  /* Alerts went out at 30 %, 10 % (already below) and 0 %: the lowest
   * crossed, then zero. The supply change is in the history and audit,
   * and versioned so desks' copies see it. */
  g_assert_cmpint (meters_fixture_query_int (fixture, "SELECT count(*) FROM sms_outbox WHERE account = '" ACCOUNT_A "' AND text LIKE '%Emergency credit%'"), ==, 1);
  g_assert_cmpint (meters_fixture_query_int (fixture, "SELECT count(*) FROM sms_outbox WHERE account = '" ACCOUNT_A "' AND text LIKE '%disconnected%'"), ==, 1);
  g_assert_cmpint (meters_fixture_query_int (fixture, "SELECT count(*) FROM consumer_history WHERE action = 'supply'"), ==, 1);
  g_assert_cmpint (meters_fixture_query_int (fixture, "SELECT count(*) FROM audit_log WHERE action = 'supply.disconnect'"), ==, 1);
  g_assert_cmpint (meters_fixture_query_int (fixture, "SELECT version FROM consumers WHERE account = '" ACCOUNT_A "'"), >,
                   version_before);

  /* While cut the meter records nothing; the daily fixed charge still runs. */
  t += DAY;
  tick (fixture, t);
  cut = balance_of (fixture, ACCOUNT_A, t);
  g_assert_cmpint (cut->supply, ==, BD_SUPPLY_DISCONNECTED);
  g_assert_cmpint (cut->balance_paise, <, 0);
  series = bd_central_db_meter_readings (fixture->db, "LKO-C", ACCOUNT_A, BD_READING_STEP_15MIN,
                                         cut_at + 900, cut->as_of, t, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bd_reading_series_get_n_present (series), >, 0);
  g_assert_cmpint (bd_reading_series_get_total_wh (series), ==, 0);
  g_assert_cmpint (cut->reconnect_minimum_paise, ==, bd_prepaid_reconnect_minimum (rules, cut->balance_paise));

  /* Less than half the dues: credited, still cut. */
  small = recharge (fixture, ACCOUNT_A, MAX (1000, cut->reconnect_minimum_paise - 1000), k1, t, &status, &replayed,
                    &error);
  g_assert_no_error (error);
  if (cut->reconnect_minimum_paise - 1000 >= 1000)
    g_assert_false (small->reconnected);
  /* Half of what is still owed: the relay closes at once, the consumer is
   * told, and the debt left gets a new emergency-credit period rather
   * than a cut at the next reading. */
  {
    g_autoptr(BdBalance) mid = balance_of (fixture, ACCOUNT_A, t + 30);
    enough = recharge (fixture, ACCOUNT_A, MAX (1000, bd_prepaid_reconnect_minimum (rules, mid->balance_paise)), k2,
                       t + 60, &status, &replayed, &error);
  }
  g_assert_no_error (error);
  g_assert_true (enough->reconnected);
  after = balance_of (fixture, ACCOUNT_A, t + 60);
  g_assert_cmpint (after->supply, ==, BD_SUPPLY_CONNECTED);
  if (after->balance_paise <= 0)
    {
      g_assert_cmpint (after->cut_state, ==, BD_CUT_STATE_EMERGENCY_CREDIT);
      g_assert_cmpint (after->emergency_until, ==, t + 60 + 3 * DAY);
    }
  else
    g_assert_cmpint (after->cut_state, ==, BD_CUT_STATE_NONE);
  g_assert_cmpint (meters_fixture_query_int (fixture, "SELECT count(*) FROM sms_outbox WHERE account = '" ACCOUNT_A "' AND text LIKE '%reconnected%'"), ==, 1);
  g_assert_cmpint (meters_fixture_query_int (fixture, "SELECT count(*) FROM audit_log WHERE action = 'supply.reconnect'"), ==, 1);

  /* And it consumes again from the next reading, still connected. */
  tick (fixture, t + 3 * HOUR);
  {
    g_autoptr(BdBalance) later = balance_of (fixture, ACCOUNT_A, t + 3 * HOUR);
    g_assert_cmpint (later->supply, ==, BD_SUPPLY_CONNECTED);
  }
  g_clear_object (&series);
  series = bd_central_db_meter_readings (fixture->db, "LKO-C", ACCOUNT_A, BD_READING_STEP_15MIN,
                                         t + 900, t + 2 * HOUR, t + 3 * HOUR, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bd_reading_series_get_total_wh (series), >, 0);
}

static void
test_ct_meter_needs_visit (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(BdBalance) balance = NULL;
  gint64 t;

  g_autofree char *sql = g_strdup_printf ("UPDATE consumers SET balance_paise = -5000 WHERE account = '" ACCOUNT_CT "';"
                                          "UPDATE meters SET zero_since = %" G_GINT64_FORMAT
                                          " WHERE account = '" ACCOUNT_CT "'", T0);

  meters_fixture_exec (fixture, sql);
  for (t = T0 + HOUR; t < T0 + 7 * DAY; t += 6 * HOUR)
    tick (fixture, t);
  balance = balance_of (fixture, ACCOUNT_CT, t);
  /* No remote switch: still connected, waiting for a field visit. */
  g_assert_cmpint (balance->supply, ==, BD_SUPPLY_CONNECTED);
  g_assert_cmpint (balance->cut_state, ==, BD_CUT_STATE_FIELD_VISIT);
  g_assert_cmpint (meters_fixture_query_int (fixture, "SELECT count(*) FROM supply_events WHERE account = '" ACCOUNT_CT "'"), ==, 0);
}

static void
test_silent_meter (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(BdBalance) stale = NULL;
  g_autoptr(BdBalance) back = NULL;
  gint64 as_of_before;

  g_autofree char *sql = g_strdup_printf ("UPDATE meters SET silent_from = %" G_GINT64_FORMAT
                                          ", silent_until = %" G_GINT64_FORMAT " WHERE account = '" ACCOUNT_A "'",
                                          T0, T0 + 10 * HOUR);

  meters_fixture_exec (fixture, sql);
  as_of_before = meters_fixture_query_int (fixture, "SELECT last_slot FROM meters WHERE account = '" ACCOUNT_A "'") + 900;
  tick (fixture, T0 + 5 * HOUR);
  stale = balance_of (fixture, ACCOUNT_A, T0 + 5 * HOUR);
  /* Nothing new: the balance is as of before the silence, and says so. */
  g_assert_false (stale->communicating);
  g_assert_cmpint (stale->as_of, ==, as_of_before);
  /* Back after ten hours: the stored readings arrive, none lost. */
  tick (fixture, T0 + 11 * HOUR);
  back = balance_of (fixture, ACCOUNT_A, T0 + 11 * HOUR);
  g_assert_true (back->communicating);
  g_assert_cmpint (back->as_of, ==, (T0 + 11 * HOUR) - ((T0 + 11 * HOUR) % 900));
  g_assert_cmpint (back->balance_paise, <, stale->balance_paise);
}

static void
test_watch (Fixture       *fixture,
            gconstpointer  data)
{
  const char *accounts[] = { ACCOUNT_A, ACCOUNT_CT, NULL };
  g_autoptr(GPtrArray) snapshot = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) moved = NULL;
  g_autoptr(GError) error = NULL;
  gint64 seq = -1, seq2 = -1, seq3 = -1;

  /* since=0: where both stand now. */
  snapshot = bd_central_db_meters_changed (fixture->db, "LKO-C", accounts, 0, T0, &seq, &error);
  g_assert_no_error (error);
  g_assert_cmpint (snapshot->len, ==, 2);
  none = bd_central_db_meters_changed (fixture->db, "LKO-C", accounts, seq, T0, &seq2, &error);
  g_assert_cmpint (none->len, ==, 0);
  g_assert_cmpint (seq2, ==, seq);
  tick (fixture, T0 + HOUR);
  moved = bd_central_db_meters_changed (fixture->db, "LKO-C", accounts, seq, T0 + HOUR, &seq3, &error);
  g_assert_no_error (error);
  g_assert_cmpint (moved->len, ==, 2);
  g_assert_cmpint (seq3, >, seq);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, meters_fixture_set_up, fn, meters_fixture_tear_down)
  ADD ("/meters/provision", test_provision);
  ADD ("/meters/deductions-match-readings", test_deductions_match_readings);
  ADD ("/meters/recharge-idempotent", test_recharge_idempotent);
  ADD ("/meters/cut-and-reconnect", test_cut_and_reconnect);
  ADD ("/meters/ct-meter-needs-visit", test_ct_meter_needs_visit);
  ADD ("/meters/silent-meter", test_silent_meter);
  ADD ("/meters/watch", test_watch);
#undef ADD

  return g_test_run ();
}
