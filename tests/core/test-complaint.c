/* test-complaint.c: the SLA clock and compensation, every transition's
 * allowed and forbidden cases, duplicate matching, and the codec.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "core/bd-codec.h"
#include "core/bd-complaint-csv.h"
#include "core/bd-complaint-rules.h"
#include "core/bd-time.h"

#define HOUR 3600
#define DAY  (24 * HOUR)

static gint64
utc (const char *iso)
{
  gint64 t = 0;

  g_assert_true (bd_time_from_iso8601 (iso, &t));
  return t;
}

static BdComplaint *
make (BdComplaintCategory category,
      BdAreaType          area,
      BdComplaintStatus   status,
      gint64              created_at)
{
  BdComplaint *c = bd_complaint_new ();
  gsize n = 0;
  const BdSlaRule *rules = bd_sla_default_rules (&n);

  c->id = g_strdup ("7");
  c->number = g_strdup ("LKOC-2611-00007");
  c->account = g_strdup ("1000000001");
  c->zone = g_strdup ("LKO-C");
  c->category = category;
  c->description = g_strdup ("No light since morning");
  c->contact_mobile = g_strdup ("9876543210");
  c->channel = BD_COMPLAINT_CHANNEL_PHONE;
  c->feeder = g_strdup ("GN-11");
  c->dt = g_strdup ("GN-11-T04");
  c->pole = g_strdup ("P-117");
  c->area_type = area;
  c->status = status;
  c->created_at = created_at;
  c->created_by = g_strdup ("agent");
  c->version = 1;
  c->updated_at = created_at;
  for (gsize i = 0; i < n; i++)
    if (rules[i].category == category && rules[i].area_type == area)
      {
        c->sla_allowed_s = rules[i].allowed_s;
        c->compensation_per_day_paise = rules[i].compensation_per_day_paise;
      }
  g_assert_cmpint (c->sla_allowed_s, >, 0);
  return c;
}

static void
add_pause (BdComplaint *c,
           gint64       start,
           gint64       end)
{
  BdComplaintPause pause = { start, end };

  g_array_append_val (c->pauses, pause);
}

static void
test_sla_table_complete (void)
{
  gsize n = 0;
  const BdSlaRule *rules = bd_sla_default_rules (&n);

  /* Every category has an urban and a rural row, and rural is never
   * stricter than urban. */
  g_assert_cmpuint (n, ==, 2 * BD_COMPLAINT_N_CATEGORIES);
  for (int category = 0; category < BD_COMPLAINT_N_CATEGORIES; category++)
    {
      gint64 urban = -1, rural = -1;

      for (gsize i = 0; i < n; i++)
        if ((int) rules[i].category == category)
          *(rules[i].area_type == BD_AREA_URBAN ? &urban : &rural) = rules[i].allowed_s;
      g_assert_cmpint (urban, >, 0);
      g_assert_cmpint (rural, >=, urban);
    }
}

static void
test_sla_running (void)
{
  gint64 t = utc ("2026-11-23T04:30:00Z");   /* 10:00 IST */
  g_autoptr(BdComplaint) c = make (BD_COMPLAINT_NO_SUPPLY_SINGLE, BD_AREA_URBAN, BD_COMPLAINT_STATUS_NEW, t);
  BdSlaClock clock;

  bd_sla_clock_compute (c, t + 3 * HOUR, &clock);
  g_assert_true (clock.running);
  g_assert_false (clock.overdue);
  g_assert_cmpint (clock.elapsed_s, ==, 3 * HOUR);
  g_assert_cmpint (clock.remaining_s, ==, 1 * HOUR);
  g_assert_cmpint (clock.due_at, ==, t + 4 * HOUR);
  g_assert_cmpint (clock.compensation_paise, ==, 0);

  /* Rural gets 12 hours. */
  c->area_type = BD_AREA_RURAL;
  c->sla_allowed_s = 12 * HOUR;
  bd_sla_clock_compute (c, t + 3 * HOUR, &clock);
  g_assert_cmpint (clock.remaining_s, ==, 9 * HOUR);
}

static void
test_sla_pauses (void)
{
  gint64 t = utc ("2026-11-23T04:30:00Z");
  g_autoptr(BdComplaint) c = make (BD_COMPLAINT_NO_SUPPLY_SINGLE, BD_AREA_URBAN, BD_COMPLAINT_STATUS_IN_PROGRESS, t);
  BdSlaClock clock;

  /* Two hours waiting for the consumer do not count. */
  add_pause (c, t + 1 * HOUR, t + 3 * HOUR);
  bd_sla_clock_compute (c, t + 5 * HOUR, &clock);
  g_assert_cmpint (clock.elapsed_s, ==, 3 * HOUR);
  g_assert_cmpint (clock.remaining_s, ==, 1 * HOUR);
  g_assert_true (clock.running);

  /* A pause still on stops the clock. */
  add_pause (c, t + 5 * HOUR, 0);
  bd_sla_clock_compute (c, t + 30 * HOUR, &clock);
  g_assert_false (clock.running);
  g_assert_cmpint (clock.elapsed_s, ==, 3 * HOUR);
  g_assert_false (clock.overdue);
}

/* Overdue across midnight IST: days of delay count from the due time, not
 * by the calendar, and each started day counts whole. */
static void
test_sla_compensation_across_midnight (void)
{
  gint64 t = utc ("2026-11-23T09:00:00Z");   /* 14:30 IST */
  g_autoptr(BdComplaint) urban = make (BD_COMPLAINT_TRANSFORMER, BD_AREA_URBAN, BD_COMPLAINT_STATUS_ASSIGNED, t);
  g_autoptr(BdComplaint) rural = make (BD_COMPLAINT_TRANSFORMER, BD_AREA_RURAL, BD_COMPLAINT_STATUS_ASSIGNED, t);
  BdSlaClock clock;

  /* Due 22:30 IST; at 01:00 IST the next day it is 2.5 h late: one day. */
  bd_sla_clock_compute (urban, utc ("2026-11-23T19:30:00Z"), &clock);
  g_assert_true (clock.overdue);
  g_assert_cmpint (clock.remaining_s, ==, -(2 * HOUR + 30 * 60));
  g_assert_cmpint (clock.due_at, ==, utc ("2026-11-23T17:00:00Z"));
  g_assert_cmpint (clock.days_late, ==, 1);
  g_assert_cmpint (clock.compensation_paise, ==, 25000);

  /* Exactly 24 h late is still one day; a second more is two. */
  bd_sla_clock_compute (urban, utc ("2026-11-24T17:00:00Z"), &clock);
  g_assert_cmpint (clock.days_late, ==, 1);
  bd_sla_clock_compute (urban, utc ("2026-11-24T17:00:01Z"), &clock);
  g_assert_cmpint (clock.days_late, ==, 2);
  g_assert_cmpint (clock.compensation_paise, ==, 50000);

  /* Rural: 24 h allowed; 49 h after filing is 25 h late: two days. */
  bd_sla_clock_compute (rural, t + 49 * HOUR, &clock);
  g_assert_cmpint (clock.days_late, ==, 2);
  g_assert_cmpint (clock.compensation_paise, ==, 2 * rural->compensation_per_day_paise);
}

static void
test_sla_stops_at_resolution (void)
{
  gint64 t = utc ("2026-11-23T04:30:00Z");
  g_autoptr(BdComplaint) c = make (BD_COMPLAINT_NO_SUPPLY_SINGLE, BD_AREA_URBAN, BD_COMPLAINT_STATUS_RESOLVED, t);
  g_autoptr(BdComplaint) rejected = make (BD_COMPLAINT_NO_SUPPLY_SINGLE, BD_AREA_URBAN, BD_COMPLAINT_STATUS_REJECTED, t);
  BdSlaClock clock;

  c->resolved_at = t + 5 * HOUR;
  bd_sla_clock_compute (c, t + 100 * HOUR, &clock);
  g_assert_false (clock.running);
  g_assert_cmpint (clock.elapsed_s, ==, 5 * HOUR);
  g_assert_cmpint (clock.days_late, ==, 1);
  g_assert_cmpint (clock.compensation_paise, ==, 5000);

  /* Closed keeps the resolution time. */
  c->status = BD_COMPLAINT_STATUS_CLOSED;
  c->closed_at = t + 50 * HOUR;
  bd_sla_clock_compute (c, t + 100 * HOUR, &clock);
  g_assert_cmpint (clock.elapsed_s, ==, 5 * HOUR);

  /* Reopened: it was not resolved, so the clock runs from filing again. */
  c->status = BD_COMPLAINT_STATUS_REOPENED;
  c->resolved_at = 0;
  c->closed_at = 0;
  bd_sla_clock_compute (c, t + 100 * HOUR, &clock);
  g_assert_true (clock.running);
  g_assert_cmpint (clock.elapsed_s, ==, 100 * HOUR);
  g_assert_cmpint (clock.days_late, ==, 4);

  /* Rejected owes nothing. */
  rejected->updated_at = t + 10 * HOUR;
  bd_sla_clock_compute (rejected, t + 100 * HOUR, &clock);
  g_assert_false (clock.overdue);
  g_assert_cmpint (clock.compensation_paise, ==, 0);
}

typedef struct {
  BdComplaintStatus status;
  gboolean          paused;
  BdComplaintAction action;
  BdRole            role;
  const char       *note;
  gboolean          otp;
  int               error_code;   /* -1: allowed */
  BdComplaintStatus to;
} TransitionCase;

#define OK -1
#define S(x) BD_COMPLAINT_STATUS_##x
#define A(x) BD_COMPLAINT_ACTION_##x
#define E(x) BD_COMPLAINT_ERROR_##x
#define OPR BD_ROLE_OPERATOR
#define AGT BD_ROLE_AGENT
#define SUP BD_ROLE_SUPERVISOR
#define ADM BD_ROLE_ADMIN

static const TransitionCase transitions[] = {
  /* assign */
  { S(NEW), FALSE, A(ASSIGN), OPR, "Lineman Ramesh", FALSE, OK, S(ASSIGNED) },
  { S(IN_PROGRESS), FALSE, A(ASSIGN), SUP, "Team B", FALSE, OK, S(ASSIGNED) },
  { S(NEW), FALSE, A(ASSIGN), AGT, "Lineman Ramesh", FALSE, E(FORBIDDEN), 0 },
  { S(NEW), FALSE, A(ASSIGN), OPR, "  ", FALSE, E(NOTE_REQUIRED), 0 },
  { S(CLOSED), FALSE, A(ASSIGN), SUP, "Team B", FALSE, E(NOT_ALLOWED), 0 },
  /* start */
  { S(ASSIGNED), FALSE, A(START), OPR, NULL, FALSE, OK, S(IN_PROGRESS) },
  { S(NEW), FALSE, A(START), OPR, NULL, FALSE, E(NOT_ALLOWED), 0 },
  /* pause / resume */
  { S(IN_PROGRESS), FALSE, A(PAUSE), OPR, "Consumer not at home", FALSE, OK, S(IN_PROGRESS) },
  { S(IN_PROGRESS), FALSE, A(PAUSE), OPR, NULL, FALSE, E(NOTE_REQUIRED), 0 },
  { S(IN_PROGRESS), TRUE, A(PAUSE), OPR, "again", FALSE, E(NOT_ALLOWED), 0 },
  { S(IN_PROGRESS), TRUE, A(RESUME), OPR, NULL, FALSE, OK, S(IN_PROGRESS) },
  { S(IN_PROGRESS), FALSE, A(RESUME), OPR, NULL, FALSE, E(NOT_ALLOWED), 0 },
  { S(RESOLVED), FALSE, A(PAUSE), OPR, "late", FALSE, E(NOT_ALLOWED), 0 },
  /* resolve */
  { S(IN_PROGRESS), FALSE, A(RESOLVE), OPR, "Fuse replaced", FALSE, OK, S(RESOLVED) },
  { S(ESCALATED), FALSE, A(RESOLVE), SUP, "DT replaced", FALSE, OK, S(RESOLVED) },
  { S(NEW), FALSE, A(RESOLVE), OPR, "Fuse replaced", FALSE, E(NOT_ALLOWED), 0 },
  { S(IN_PROGRESS), FALSE, A(RESOLVE), AGT, "Fuse replaced", FALSE, E(FORBIDDEN), 0 },
  { S(IN_PROGRESS), FALSE, A(RESOLVE), OPR, "", FALSE, E(NOTE_REQUIRED), 0 },
  /* close: the consumer's OTP, or a supervisor with a reason */
  { S(RESOLVED), FALSE, A(CLOSE), AGT, NULL, TRUE, OK, S(CLOSED) },
  { S(RESOLVED), FALSE, A(CLOSE), OPR, NULL, TRUE, OK, S(CLOSED) },
  { S(RESOLVED), FALSE, A(CLOSE), OPR, "consumer said so", FALSE, E(OTP_REQUIRED), 0 },
  { S(RESOLVED), FALSE, A(CLOSE), SUP, "Consumer confirmed by phone, no OTP reach", FALSE, OK, S(CLOSED) },
  { S(RESOLVED), FALSE, A(CLOSE), SUP, NULL, FALSE, E(NOTE_REQUIRED), 0 },
  { S(IN_PROGRESS), FALSE, A(CLOSE), SUP, "x", TRUE, E(NOT_ALLOWED), 0 },
  /* reopen */
  { S(RESOLVED), FALSE, A(REOPEN), AGT, "Supply failed again", FALSE, OK, S(REOPENED) },
  { S(CLOSED), FALSE, A(REOPEN), OPR, "Not fixed", FALSE, OK, S(REOPENED) },
  { S(IN_PROGRESS), FALSE, A(REOPEN), OPR, "x", FALSE, E(NOT_ALLOWED), 0 },
  /* escalate */
  { S(CLOSED), FALSE, A(ESCALATE), AGT, "Consumer goes to the CGRF", FALSE, OK, S(ESCALATED) },
  { S(REJECTED), FALSE, A(ESCALATE), SUP, "x", FALSE, E(NOT_ALLOWED), 0 },
  /* reject: supervisors only */
  { S(NEW), FALSE, A(REJECT), SUP, "Duplicate of a closed case", FALSE, OK, S(REJECTED) },
  { S(NEW), FALSE, A(REJECT), ADM, "Not our network", FALSE, OK, S(REJECTED) },
  { S(NEW), FALSE, A(REJECT), OPR, "x", FALSE, E(FORBIDDEN), 0 },
  { S(IN_PROGRESS), FALSE, A(REJECT), SUP, "x", FALSE, E(NOT_ALLOWED), 0 },
  /* another caller */
  { S(ASSIGNED), FALSE, A(ADD_CALLER), AGT, NULL, FALSE, OK, S(ASSIGNED) },
  { S(CLOSED), FALSE, A(ADD_CALLER), AGT, NULL, FALSE, E(NOT_ALLOWED), 0 },
  /* filing is not a transition */
  { S(NEW), FALSE, A(FILE), SUP, "x", FALSE, E(NOT_ALLOWED), 0 },
};

static void
test_transitions (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (transitions); i++)
    {
      const TransitionCase *tc = &transitions[i];
      g_autoptr(BdComplaint) c = make (BD_COMPLAINT_NO_SUPPLY_SINGLE, BD_AREA_URBAN, tc->status, 1763890000);
      g_autoptr(GError) error = NULL;
      BdComplaintStatus to = BD_COMPLAINT_STATUS_NEW;
      gboolean ok;

      if (tc->paused)
        add_pause (c, 1763890100, 0);
      ok = bd_complaint_check_action (c, tc->action, tc->role, tc->note, tc->otp, &to, &error);
      g_test_message ("case %u: %s %s by %s → %s", i, bd_complaint_status_to_string (tc->status),
                      bd_complaint_action_to_string (tc->action), bd_role_to_string (tc->role),
                      ok ? "allowed" : error->message);
      if (tc->error_code == OK)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpint (to, ==, tc->to);
        }
      else
        {
          int expected = tc->error_code;

          g_assert_false (ok);
          g_assert_error (error, BD_COMPLAINT_ERROR, expected);
        }
    }

  /* The ombudsman is the last level. */
  {
    g_autoptr(BdComplaint) c = make (BD_COMPLAINT_METER_FAST, BD_AREA_URBAN, S(ESCALATED), 1763890000);
    g_autoptr(GError) error = NULL;
    BdComplaintStatus to;

    c->escalation_level = 1;
    g_assert_true (bd_complaint_check_action (c, A(ESCALATE), SUP, "To the ombudsman", FALSE, &to, &error));
    c->escalation_level = 2;
    g_assert_false (bd_complaint_check_action (c, A(ESCALATE), SUP, "Again", FALSE, &to, &error));
    g_assert_error (error, BD_COMPLAINT_ERROR, BD_COMPLAINT_ERROR_NOT_ALLOWED);
  }
}

static void
test_duplicates (void)
{
  gint64 t = 1763890000;
  g_autoptr(BdComplaint) area = make (BD_COMPLAINT_NO_SUPPLY_AREA, BD_AREA_URBAN, S(ASSIGNED), t);
  g_autoptr(BdComplaint) single = make (BD_COMPLAINT_NO_SUPPLY_SINGLE, BD_AREA_URBAN, S(NEW), t);
  g_autoptr(BdComplaint) dt_down = make (BD_COMPLAINT_TRANSFORMER, BD_AREA_URBAN, S(IN_PROGRESS), t);
  g_autoptr(BdComplaint) lamp = make (BD_COMPLAINT_STREET_LIGHT, BD_AREA_URBAN, S(NEW), t);
  g_autoptr(GPtrArray) open = g_ptr_array_new ();

  g_free (area->account);
  area->account = g_strdup ("1000000099");
  g_free (dt_down->account);
  dt_down->account = NULL;

  /* The same consumer calling about the same thing again. */
  g_assert_cmpint (bd_complaint_duplicate_rank (single, BD_COMPLAINT_NO_SUPPLY_SINGLE, "1000000001", NULL, NULL, NULL), ==, 4);
  /* A neighbour behind the same DT during an area outage. */
  g_assert_cmpint (bd_complaint_duplicate_rank (area, BD_COMPLAINT_NO_SUPPLY_SINGLE, "1000000002", "GN-11-T04", "GN-11", NULL), ==, 3);
  /* On the same feeder but another DT. */
  g_assert_cmpint (bd_complaint_duplicate_rank (area, BD_COMPLAINT_NO_SUPPLY_SINGLE, "1000000002", "GN-11-T09", "GN-11", NULL), ==, 2);
  /* A failed transformer only covers its own DT. */
  g_assert_cmpint (bd_complaint_duplicate_rank (dt_down, BD_COMPLAINT_NO_SUPPLY_SINGLE, "1000000002", "GN-11-T09", "GN-11", NULL), ==, 0);
  g_assert_cmpint (bd_complaint_duplicate_rank (dt_down, BD_COMPLAINT_NO_SUPPLY_AREA, NULL, "GN-11-T04", "GN-11", NULL), ==, 3);
  /* Elsewhere, or about something else: not the same fault. */
  g_assert_cmpint (bd_complaint_duplicate_rank (area, BD_COMPLAINT_NO_SUPPLY_SINGLE, "1000000002", "AL-02-T01", "AL-02", NULL), ==, 0);
  g_assert_cmpint (bd_complaint_duplicate_rank (area, BD_COMPLAINT_METER_BURNT, "1000000002", "GN-11-T04", "GN-11", NULL), ==, 0);
  g_assert_cmpint (bd_complaint_duplicate_rank (single, BD_COMPLAINT_NO_SUPPLY_SINGLE, "1000000002", "GN-11-T04", "GN-11", NULL), ==, 0);
  /* Street lights by pole. */
  g_assert_cmpint (bd_complaint_duplicate_rank (lamp, BD_COMPLAINT_STREET_LIGHT, NULL, NULL, NULL, "P-117"), ==, 3);
  g_assert_cmpint (bd_complaint_duplicate_rank (lamp, BD_COMPLAINT_STREET_LIGHT, NULL, NULL, NULL, "P-118"), ==, 0);
  /* Only open complaints attract callers. */
  area->status = BD_COMPLAINT_STATUS_RESOLVED;
  g_assert_cmpint (bd_complaint_duplicate_rank (area, BD_COMPLAINT_NO_SUPPLY_SINGLE, "1000000002", "GN-11-T04", "GN-11", NULL), ==, 0);

  /* The quick flow's guess. */
  g_assert_cmpint (bd_complaint_suggest_category (open, "GN-11-T04", "GN-11"), ==, BD_COMPLAINT_NO_SUPPLY_SINGLE);
  g_ptr_array_add (open, dt_down);
  g_assert_cmpint (bd_complaint_suggest_category (open, "GN-11-T04", "GN-11"), ==, BD_COMPLAINT_NO_SUPPLY_AREA);
  g_assert_cmpint (bd_complaint_suggest_category (open, "GN-11-T09", "GN-11"), ==, BD_COMPLAINT_NO_SUPPLY_SINGLE);
}

static void
test_codec (void)
{
  gint64 t = utc ("2026-11-23T04:30:00Z");
  g_autoptr(BdComplaint) c = make (BD_COMPLAINT_VOLTAGE, BD_AREA_RURAL, S(IN_PROGRESS), t);
  g_autoptr(BdComplaint) back = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;
  g_autoptr(GError) error = NULL;

  add_pause (c, t + HOUR, t + 2 * HOUR);
  add_pause (c, t + 3 * HOUR, 0);
  c->callers = 3;
  c->assigned_to = g_strdup ("Lineman Ramesh");
  g_ptr_array_add (c->events, bd_complaint_event_new (t, "agent", BD_ROLE_AGENT, A(FILE), S(NEW), S(NEW), NULL));
  g_ptr_array_add (c->events, bd_complaint_event_new (t + 60, "operator", BD_ROLE_OPERATOR, A(ASSIGN), S(NEW),
                                                      S(ASSIGNED), "Lineman Ramesh"));

  node = bd_complaint_to_json (c);
  text = bd_json_to_string (node);
  back = bd_complaint_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->number, ==, "LKOC-2611-00007");
  g_assert_cmpint (back->category, ==, BD_COMPLAINT_VOLTAGE);
  g_assert_cmpint (back->area_type, ==, BD_AREA_RURAL);
  g_assert_cmpint (back->callers, ==, 3);
  g_assert_cmpuint (back->pauses->len, ==, 2);
  g_assert_cmpint (g_array_index (back->pauses, BdComplaintPause, 1).end, ==, 0);
  g_assert_true (bd_complaint_is_paused (back));
  g_assert_cmpuint (back->events->len, ==, 2);
  g_assert_cmpstr (((BdComplaintEvent *) g_ptr_array_index (back->events, 1))->note, ==, "Lineman Ramesh");
  again = bd_complaint_to_json (back);
  text_again = bd_json_to_string (again);
  g_assert_cmpstr (text, ==, text_again);

  /* Rejections: unknown category, bad mobile, missing field. */
  {
    const char *bad[] = { "\"category\":\"voltage\"", "\"contact_mobile\":\"9876543210\"", "\"number\":\"LKOC-2611-00007\"," };
    const char *replacement[] = { "\"category\":\"ghosts\"", "\"contact_mobile\":\"12345\"", "" };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(GString) broken = g_string_new (text);
        g_autoptr(JsonNode) parsed = NULL;
        g_autoptr(BdComplaint) rejected = NULL;
        g_autoptr(GError) local_error = NULL;

        g_assert_cmpuint (g_string_replace (broken, bad[i], replacement[i], 1), ==, 1);
        parsed = bd_json_parse (broken->str, -1, &local_error);
        g_assert_no_error (local_error);
        rejected = bd_complaint_from_json (parsed, &local_error);
        g_assert_null (rejected);
        int expected = i == 2 ? BD_CODEC_ERROR_MISSING_FIELD : BD_CODEC_ERROR_INVALID_VALUE;

        g_assert_error (local_error, BD_CODEC_ERROR, expected);
      }
  }
}

static void
test_csv (void)
{
  gint64 t = utc ("2026-11-23T09:00:00Z");
  g_autoptr(BdComplaint) c = make (BD_COMPLAINT_TRANSFORMER, BD_AREA_URBAN, BD_COMPLAINT_STATUS_ASSIGNED, t);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;

  c->assigned_to = g_strdup ("=HYPERLINK(\"x\") \"Team\"");
  g_ptr_array_add (rows, c);
  csv = bd_complaints_to_csv (rows, t + 10 * HOUR);
  lines = g_strsplit (csv, "\r\n", -1);
  g_assert_cmpstr (lines[0], ==, "number,status,category,account,area_type,channel,feeder,dt,assigned_to,"
                                 "callers,escalation_level,filed_at_ist,due_at_ist,overdue_days,compensation_rupees");
  /* Quoted, quotes doubled, a formula defused; 2 h late is one day, ₹250. */
  g_assert_nonnull (strstr (lines[1], "\"'=HYPERLINK(\"\"x\"\") \"\"Team\"\"\""));
  g_assert_true (g_str_has_prefix (lines[1], "\"LKOC-2611-00007\",\"assigned\",\"transformer\",\"1000000001\""));
  g_assert_true (g_str_has_suffix (lines[1], ",\"1\",\"250.00\""));
  g_assert_null (strstr (csv, "9876543210"));
  g_assert_cmpstr (lines[2], ==, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/complaint/sla/table-complete", test_sla_table_complete);
  g_test_add_func ("/complaint/sla/running", test_sla_running);
  g_test_add_func ("/complaint/sla/pauses", test_sla_pauses);
  g_test_add_func ("/complaint/sla/compensation-across-midnight", test_sla_compensation_across_midnight);
  g_test_add_func ("/complaint/sla/stops-at-resolution", test_sla_stops_at_resolution);
  g_test_add_func ("/complaint/transitions", test_transitions);
  g_test_add_func ("/complaint/duplicates", test_duplicates);
  g_test_add_func ("/complaint/codec", test_codec);
  g_test_add_func ("/complaint/csv", test_csv);

  return g_test_run ();
}
