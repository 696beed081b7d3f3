/* test-disconnection.c: every rule that guards a disconnection or
 * reconnection, alone and together, table-driven, with the holiday
 * calendar and times judged in Asia/Kolkata; and the request's format.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "core/bd-codec.h"
#include "core/bd-disconnection-rules.h"
#include "core/bd-time.h"

static gint64
at (const char *iso)
{
  gint64 t = 0;
  g_assert_true (bd_time_from_iso8601 (iso, &t));
  return t;
}

typedef struct {
  const char     *name;
  BdRequestKind   kind;
  BdMeterType     meter;
  BdSupplyStatus  supply;
  gboolean        communicating;
  gint64          balance;
  const char     *zero_since;       /* NULL: above zero */
  gboolean        wrong_deduction;
  const char     *requested;        /* IST */
  const char     *now;
  gboolean        blocked;
  gboolean        field;
  const char     *scheduled;        /* expected earliest time */
  const char     *codes;            /* the guards that do not pass, "code:verdict,…" */
} Case;

static const Case cases[] = {
  /* A consumer's own temporary disconnection on a Tuesday morning: now. */
  { "temporary-weekday", BD_REQUEST_TEMPORARY, BD_METER_TYPE_SMART, BD_SUPPLY_CONNECTED, TRUE, 50000, NULL, FALSE,
    "2026-11-24T11:00:00+05:30", "2026-11-24T10:00:00+05:30", FALSE, FALSE, "2026-11-24T11:00:00+05:30", "" },
  /* The case: asked at 19:00 on a Saturday → Monday 08:00. */
  { "saturday-evening", BD_REQUEST_TEMPORARY, BD_METER_TYPE_SMART, BD_SUPPLY_CONNECTED, TRUE, 50000, NULL, FALSE,
    "2026-11-21T19:00:00+05:30", "2026-11-21T19:00:00+05:30", FALSE, FALSE, "2026-11-23T08:00:00+05:30",
    "no_cut_time:schedule" },
  /* Night. */
  { "night", BD_REQUEST_TEMPORARY, BD_METER_TYPE_SMART, BD_SUPPLY_CONNECTED, TRUE, 50000, NULL, FALSE,
    "2026-11-24T23:00:00+05:30", "2026-11-24T10:00:00+05:30", FALSE, FALSE, "2026-11-25T08:00:00+05:30",
    "no_cut_time:schedule" },
  /* Second Saturday, then Sunday: Monday. */
  { "second-saturday", BD_REQUEST_PERMANENT, BD_METER_TYPE_SMART, BD_SUPPLY_CONNECTED, TRUE, 0, NULL, FALSE,
    "2026-11-14T10:00:00+05:30", "2026-11-13T10:00:00+05:30", FALSE, FALSE, "2026-11-16T08:00:00+05:30",
    "no_cut_time:schedule" },
  /* A public holiday from the calendar (Gandhi Jayanti, a Friday): Saturday 3 Oct is the first. */
  { "holiday", BD_REQUEST_TEMPORARY, BD_METER_TYPE_SMART, BD_SUPPLY_CONNECTED, TRUE, 50000, NULL, FALSE,
    "2026-10-02T10:00:00+05:30", "2026-10-01T10:00:00+05:30", FALSE, FALSE, "2026-10-03T08:00:00+05:30",
    "no_cut_time:schedule" },
  /* A request for the past is judged at now. */
  { "past-request", BD_REQUEST_TEMPORARY, BD_METER_TYPE_SMART, BD_SUPPLY_CONNECTED, TRUE, 50000, NULL, FALSE,
    "2026-11-01T10:00:00+05:30", "2026-11-24T10:00:00+05:30", FALSE, FALSE, "2026-11-24T10:00:00+05:30", "" },
  /* Non-payment while emergency credit runs (zero since Monday 10:00): Thursday 10:00. */
  { "emergency-credit", BD_REQUEST_NONPAYMENT, BD_METER_TYPE_SMART, BD_SUPPLY_CONNECTED, TRUE, -5000,
    "2026-11-23T10:00:00+05:30", FALSE,
    "2026-11-24T10:00:00+05:30", "2026-11-24T10:00:00+05:30", FALSE, FALSE, "2026-11-26T10:00:00+05:30",
    "emergency_credit:schedule" },
  /* Credit ending on Saturday evening: the night, Sunday, then Monday. */
  { "credit-then-weekend", BD_REQUEST_NONPAYMENT, BD_METER_TYPE_SMART, BD_SUPPLY_CONNECTED, TRUE, -5000,
    "2026-11-18T20:00:00+05:30", FALSE,
    "2026-11-19T10:00:00+05:30", "2026-11-19T10:00:00+05:30", FALSE, FALSE, "2026-11-23T08:00:00+05:30",
    "emergency_credit:schedule,no_cut_time:schedule" },
  /* Non-payment with the balance in credit: refused, with the balance. */
  { "in-credit", BD_REQUEST_NONPAYMENT, BD_METER_TYPE_SMART, BD_SUPPLY_CONNECTED, TRUE, 100, NULL, FALSE,
    "2026-11-24T10:00:00+05:30", "2026-11-24T10:00:00+05:30", TRUE, FALSE, "2026-11-24T10:00:00+05:30",
    "in_credit:block" },
  /* An open wrong-deduction complaint holds a non-payment cut. */
  { "wrong-deduction", BD_REQUEST_NONPAYMENT, BD_METER_TYPE_SMART, BD_SUPPLY_CONNECTED, TRUE, -5000,
    "2026-11-01T10:00:00+05:30", TRUE,
    "2026-11-24T10:00:00+05:30", "2026-11-24T10:00:00+05:30", TRUE, FALSE, "2026-11-24T10:00:00+05:30",
    "wrong_deduction:block" },
  /* A permanent closure with dues: refused, saying how much. */
  { "dues", BD_REQUEST_PERMANENT, BD_METER_TYPE_SMART, BD_SUPPLY_CONNECTED, TRUE, -123456, "2026-11-01T10:00:00+05:30",
    FALSE, "2026-11-24T10:00:00+05:30", "2026-11-24T10:00:00+05:30", TRUE, FALSE, "2026-11-24T10:00:00+05:30",
    "dues:block" },
  /* CT meter: a field task, still scheduled outside no-cut times. */
  { "ct-meter", BD_REQUEST_TEMPORARY, BD_METER_TYPE_CT, BD_SUPPLY_CONNECTED, TRUE, 50000, NULL, FALSE,
    "2026-11-22T10:00:00+05:30", "2026-11-20T10:00:00+05:30", FALSE, TRUE, "2026-11-23T08:00:00+05:30",
    "no_cut_time:schedule,ct_meter:field" },
  /* A silent meter: scheduled, the head-end retries. */
  { "silent-meter", BD_REQUEST_TEMPORARY, BD_METER_TYPE_SMART, BD_SUPPLY_CONNECTED, FALSE, 50000, NULL, FALSE,
    "2026-11-24T10:00:00+05:30", "2026-11-24T10:00:00+05:30", FALSE, FALSE, "2026-11-24T10:00:00+05:30",
    "meter_silent:schedule" },
  /* Reconnection below the threshold: refused with the amount; above: now, at night too. */
  { "reconnect-below", BD_REQUEST_RECONNECTION, BD_METER_TYPE_SMART, BD_SUPPLY_DISCONNECTED, TRUE, -10000,
    "2026-11-01T10:00:00+05:30", FALSE,
    "2026-11-24T23:00:00+05:30", "2026-11-24T23:00:00+05:30", TRUE, FALSE, "2026-11-24T23:00:00+05:30",
    "reconnection_threshold:block" },
  { "reconnect-night", BD_REQUEST_RECONNECTION, BD_METER_TYPE_SMART, BD_SUPPLY_DISCONNECTED, TRUE, 500, NULL, FALSE,
    "2026-11-24T23:00:00+05:30", "2026-11-24T23:00:00+05:30", FALSE, FALSE, "2026-11-24T23:00:00+05:30", "" },
  /* Already in the state asked for. */
  { "already-off", BD_REQUEST_TEMPORARY, BD_METER_TYPE_SMART, BD_SUPPLY_DISCONNECTED, TRUE, 500, NULL, FALSE,
    "2026-11-24T10:00:00+05:30", "2026-11-24T10:00:00+05:30", TRUE, FALSE, "2026-11-24T10:00:00+05:30",
    "already_off:block" },
  { "already-on", BD_REQUEST_RECONNECTION, BD_METER_TYPE_SMART, BD_SUPPLY_CONNECTED, TRUE, 500, NULL, FALSE,
    "2026-11-24T10:00:00+05:30", "2026-11-24T10:00:00+05:30", TRUE, FALSE, "2026-11-24T10:00:00+05:30",
    "already_on:block" },
  /* Everything at once: CT, silent, night, emergency credit, complaint. */
  { "all-together", BD_REQUEST_NONPAYMENT, BD_METER_TYPE_CT, BD_SUPPLY_CONNECTED, FALSE, -5000,
    "2026-11-23T10:00:00+05:30", TRUE,
    "2026-11-24T10:00:00+05:30", "2026-11-24T10:00:00+05:30", TRUE, TRUE, "2026-11-26T10:00:00+05:30",
    "emergency_credit:schedule,wrong_deduction:block,ct_meter:field" },
};

static const char *
verdict_name (BdGuardVerdict verdict)
{
  static const char * const names[] = { "pass", "schedule", "field", "block" };
  return names[verdict];
}

static void
test_guards_table (void)
{
  g_autoptr(BdPrepaidRules) rules = bd_prepaid_rules_new_default ();

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      BdRequestContext context = {
        .meter_type = c->meter, .supply = c->supply, .communicating = c->communicating,
        .balance_paise = c->balance, .zero_since = c->zero_since != NULL ? at (c->zero_since) : 0,
        .wrong_deduction_open = c->wrong_deduction, .wrong_deduction_number = "LKOC-2611-00007",
      };
      g_auto(BdRequestVerdict) verdict = { 0 };
      g_autoptr(GString) codes = g_string_new (NULL);
      g_autofree char *scheduled = NULL;

      bd_request_evaluate (rules, c->kind, &context, at (c->requested), at (c->now), &verdict);
      for (guint g = 0; g < verdict.guards->len; g++)
        {
          const BdGuard *guard = g_ptr_array_index (verdict.guards, g);

          g_assert_nonnull (guard->message);
          g_assert_cmpuint (strlen (guard->message), >, 10);
          if (guard->verdict == BD_GUARD_PASS)
            continue;
          g_string_append_printf (codes, "%s%s:%s", codes->len > 0 ? "," : "", guard->code,
                                  verdict_name (guard->verdict));
        }
      scheduled = bd_time_to_iso8601 (verdict.scheduled_for);
      if (g_strcmp0 (codes->str, c->codes) != 0 || verdict.blocked != c->blocked ||
          verdict.field_task != c->field || verdict.scheduled_for != at (c->scheduled))
        g_error ("%s: got guards “%s”, blocked %d, field %d, scheduled %s", c->name, codes->str,
                 verdict.blocked, verdict.field_task, scheduled);
    }
}

static void
test_messages_say_why (void)
{
  g_autoptr(BdPrepaidRules) rules = bd_prepaid_rules_new_default ();
  BdRequestContext context = { .meter_type = BD_METER_TYPE_SMART, .supply = BD_SUPPLY_CONNECTED,
                               .communicating = TRUE, .balance_paise = -123456,
                               .zero_since = at ("2026-11-01T10:00:00+05:30") };
  g_auto(BdRequestVerdict) dues = { 0 };
  g_auto(BdRequestVerdict) holiday = { 0 };
  gboolean said_amount = FALSE, said_holiday = FALSE;

  bd_request_evaluate (rules, BD_REQUEST_PERMANENT, &context, at ("2026-11-24T10:00:00+05:30"),
                       at ("2026-11-24T10:00:00+05:30"), &dues);
  for (guint i = 0; i < dues.guards->len; i++)
    said_amount |= strstr (((BdGuard *) g_ptr_array_index (dues.guards, i))->message, "₹1,234.56") != NULL;
  g_assert_true (said_amount);

  context.balance_paise = 1000;
  bd_request_evaluate (rules, BD_REQUEST_TEMPORARY, &context, at ("2026-12-25T10:00:00+05:30"),
                       at ("2026-12-24T10:00:00+05:30"), &holiday);
  for (guint i = 0; i < holiday.guards->len; i++)
    said_holiday |= strstr (((BdGuard *) g_ptr_array_index (holiday.guards, i))->message, "Christmas") != NULL;
  g_assert_true (said_holiday);
}

static void
test_json (void)
{
  g_autoptr(BdDisconnection) r = bd_disconnection_new ();
  g_autoptr(BdDisconnection) back = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  r->id = g_strdup ("12");
  r->number = g_strdup ("DR-LKOC-2611-00012");
  r->account = g_strdup ("2100000001");
  r->zone = g_strdup ("LKO-C");
  r->kind = BD_REQUEST_PERMANENT;
  r->reason = g_strdup ("Leaving the premises");
  r->requested_for = at ("2026-11-25T10:00:00+05:30");
  r->final_reading_wh = 12345600;
  r->reference = g_strdup ("APP-2026-118");
  r->status = BD_REQUEST_SCHEDULED;
  r->scheduled_for = r->requested_for;
  r->created_at = at ("2026-11-24T10:00:00+05:30");
  r->created_by = g_strdup ("operator");
  r->version = 2;
  r->updated_at = r->created_at;
  g_ptr_array_add (r->guards, bd_guard_new ("dues", BD_GUARD_PASS, "No dues are outstanding."));

  node = bd_disconnection_to_json (r);
  back = bd_disconnection_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->kind, ==, BD_REQUEST_PERMANENT);
  g_assert_cmpint (back->final_reading_wh, ==, 12345600);
  g_assert_cmpint (back->status, ==, BD_REQUEST_SCHEDULED);
  g_assert_cmpuint (back->guards->len, ==, 1);
  g_assert_cmpstr (((BdGuard *) g_ptr_array_index (back->guards, 0))->code, ==, "dues");
  g_assert_true (bd_request_kind_needs_consent (BD_REQUEST_TEMPORARY));
  g_assert_false (bd_request_kind_needs_consent (BD_REQUEST_NONPAYMENT));
  g_assert_true (bd_request_status_is_open (BD_REQUEST_SCHEDULED));
  g_assert_false (bd_request_status_is_open (BD_REQUEST_FIELD_TASK));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/disconnection/guards-table", test_guards_table);
  g_test_add_func ("/disconnection/messages-say-why", test_messages_say_why);
  g_test_add_func ("/disconnection/json", test_json);

  return g_test_run ();
}
