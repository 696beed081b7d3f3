/* test-central-requests.c: the disconnection queue in bijli-central's
 * database with a moved clock: a request made at 19:00 on a Saturday is
 * scheduled for Monday 08:00; a non-payment request goes from filing to a
 * supervisor's approval to the head-end's switch, the supply status and
 * the history, and back on with a recharge; the consumer's own requests
 * need their OTP; blocked requests say why; CT and silent meters end as
 * field tasks; filing is idempotent.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "core/bd-codec.h"
#include "core/bd-prepaid-rules.h"
#include "core/bd-tariff.h"
#include "core/bd-time.h"
#include "server/bd-central-db.h"
#include "server/bd-central-db-meters.h"
#include "server/bd-central-db-recharges.h"
#include "server/bd-central-db-otp.h"
#include "server/bd-central-db-requests.h"
#include "server/bd-central-db-private.h"

#include "meters-fixture.h"

static gint64
at (const char *iso)
{
  gint64 t = 0;
  g_assert_true (bd_time_from_iso8601 (iso, &t));
  return t;
}

static char *
new_key (Fixture *fixture)
{
  return g_strdup_printf ("request-key-%08u", ++fixture->keys);
}

/* The consumer's OTP, sent and confirmed. */
static char *
consent (Fixture    *fixture,
         const char *account,
         gint64      now)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autoptr(BdCentralOtpTicket) ticket = NULL;
  g_autoptr(BdCentralOtpTicket) verified = NULL;
  gint64 retry = 0;
  int left = 0;

  ticket = bd_central_db_request_consent_otp (fixture->db, "LKO-C", account, "operator", now, &code, &retry, &error);
  g_assert_no_error (error);
  verified = bd_central_db_otp_verify (fixture->db, "LKO-C", ticket->id, code, "operator", "operator", now + 30,
                                       &left, &error);
  g_assert_no_error (error);
  return g_strdup (ticket->id);
}

static BdDisconnection *
file (Fixture        *fixture,
      const char     *account,
      BdRequestKind   kind,
      gint64          requested_for,
      const char     *otp,
      BdRole          role,
      gint64          now,
      GError        **error)
{
  g_autoptr(BdDisconnection) draft = bd_disconnection_new ();
  g_autofree char *key = new_key (fixture);
  g_autofree char *body = NULL;
  g_autoptr(JsonNode) node = NULL;
  gboolean replayed = FALSE;
  guint status = 0;

  draft->account = g_strdup (account);
  draft->kind = kind;
  draft->reason = g_strdup ("Test request");
  draft->requested_for = requested_for;
  draft->consent_otp_id = g_strdup (otp);
  if (kind == BD_REQUEST_PERMANENT)
    draft->final_reading_wh = 1234500;
  if (!bd_central_db_request_file (fixture->db, "LKO-C", draft, key, "hash", "operator", role, now,
                                   &status, &body, &replayed, error))
    return NULL;
  g_assert_cmpint (status, ==, 201);
  node = bd_json_parse (body, -1, NULL);
  return bd_disconnection_from_json (node, NULL);
}

static BdDisconnection *
act (Fixture          *fixture,
     const char       *id,
     BdRequestAction   action,
     const char       *note_text,
     gint64            to,
     BdRole            role,
     gint64            now,
     GError          **error)
{
  g_autofree char *key = new_key (fixture);
  g_autofree char *body = NULL;
  g_autoptr(JsonNode) node = NULL;
  gboolean replayed = FALSE;
  guint status = 0;

  if (!bd_central_db_request_act (fixture->db, "LKO-C", id, action, note_text, to, key, "hash",
                                  role == BD_ROLE_SUPERVISOR ? "supervisor" : "operator", role, now,
                                  &status, &body, &replayed, error))
    return NULL;
  node = bd_json_parse (body, -1, NULL);
  return bd_disconnection_from_json (node, NULL);
}

static BdDisconnection *
get (Fixture    *fixture,
     const char *id)
{
  g_autoptr(GError) error = NULL;
  BdDisconnection *r = bd_central_db_request_get (fixture->db, "LKO-C", id, &error);

  g_assert_no_error (error);
  return r;
}

static guint
execute (Fixture *fixture,
         gint64   now)
{
  g_autoptr(GError) error = NULL;
  guint done = 0;

  g_assert_true (bd_central_db_requests_execute (fixture->db, now, &done, &error));
  g_assert_no_error (error);
  return done;
}

static void
test_saturday_evening (Fixture       *fixture,
                       gconstpointer  data)
{
  gint64 saturday = at ("2026-11-21T19:00:00+05:30");
  g_autofree char *otp = consent (fixture, ACCOUNT_A, saturday - 120);
  g_autoptr(BdDisconnection) r = NULL;
  g_autoptr(BdDisconnection) approved = NULL;
  g_autoptr(GError) error = NULL;
  gboolean explained = FALSE;

  r = file (fixture, ACCOUNT_A, BD_REQUEST_TEMPORARY, saturday, otp, BD_ROLE_OPERATOR, saturday, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r->status, ==, BD_REQUEST_PENDING_APPROVAL);
  g_assert_cmpint (r->scheduled_for, ==, at ("2026-11-23T08:00:00+05:30"));
  g_assert_true (g_str_has_prefix (r->number, "DR-LKOC-2611-"));
  for (guint i = 0; i < r->guards->len; i++)
    explained |= g_str_equal (((BdGuard *) g_ptr_array_index (r->guards, i))->code, "no_cut_time");
  g_assert_true (explained);

  /* Approved on Saturday night: still Monday. Nothing happens on Sunday. */
  approved = act (fixture, r->id, BD_REQUEST_ACTION_APPROVE, NULL, 0, BD_ROLE_SUPERVISOR, saturday + 600, &error);
  g_assert_no_error (error);
  g_assert_cmpint (approved->status, ==, BD_REQUEST_SCHEDULED);
  g_assert_cmpint (approved->scheduled_for, ==, at ("2026-11-23T08:00:00+05:30"));
  g_assert_cmpint (execute (fixture, at ("2026-11-22T12:00:00+05:30")), ==, 0);
  g_assert_cmpint (execute (fixture, at ("2026-11-23T08:05:00+05:30")), ==, 1);
  {
    g_autoptr(BdDisconnection) done = get (fixture, r->id);
    g_assert_cmpint (done->status, ==, BD_REQUEST_DONE);
  }
  /* A supply cut at the consumer's own request is not brought back by a
   * recharge: they ask for a reconnection. */
  {
    g_autoptr(BdRecharge) request = bd_recharge_new ("desk-local-9", ACCOUNT_A);
    g_autofree char *body = NULL;
    gboolean replayed;
    guint status;

    request->amount_paise = 20000;
    request->created_at = at ("2026-11-23T09:00:00+05:30");
    g_assert_true (bd_central_db_recharge_create (fixture->db, "LKO-C", request, "recharge-key-0001", "h", "operator",
                                                  BD_ROLE_OPERATOR, at ("2026-11-23T09:00:00+05:30"), &status, &body,
                                                  &replayed, &error));
    g_assert_no_error (error);
    g_assert_nonnull (strstr (body, "\"reconnected\":false"));
  }
}

/* The integration the issue asks for: request, approval, execution, the
 * supply status, and back on after a recharge. */
static void
test_nonpayment_flow (Fixture       *fixture,
                      gconstpointer  data)
{
  gint64 t = at ("2026-11-24T10:00:00+05:30");    /* a Tuesday morning */
  g_autoptr(BdDisconnection) r = NULL;
  g_autoptr(BdDisconnection) refused = NULL;
  g_autoptr(BdDisconnection) approved = NULL;
  g_autoptr(BdDisconnection) done = NULL;
  g_autoptr(BdBalance) balance = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("UPDATE consumers SET balance_paise = -20000 WHERE account = '" ACCOUNT_A "';"
                                          "UPDATE meters SET zero_since = %" G_GINT64_FORMAT
                                          " WHERE account = '" ACCOUNT_A "'", t - 5 * DAY);

  meters_fixture_exec (fixture, sql);
  r = file (fixture, ACCOUNT_A, BD_REQUEST_NONPAYMENT, t, NULL, BD_ROLE_OPERATOR, t, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r->dues_paise, ==, 20000);
  g_assert_cmpint (r->scheduled_for, ==, t);

  /* An operator cannot approve; a supervisor can. */
  refused = act (fixture, r->id, BD_REQUEST_ACTION_APPROVE, NULL, 0, BD_ROLE_OPERATOR, t + 60, &error);
  g_assert_null (refused);
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_FORBIDDEN);
  g_clear_error (&error);
  approved = act (fixture, r->id, BD_REQUEST_ACTION_APPROVE, NULL, 0, BD_ROLE_SUPERVISOR, t + 120, &error);
  g_assert_no_error (error);
  g_assert_cmpint (approved->status, ==, BD_REQUEST_SCHEDULED);
  g_assert_cmpint (meters_fixture_query_int (fixture, "SELECT count(*) FROM sms_outbox WHERE account = '" ACCOUNT_A
                                       "' AND text LIKE '%approved%'"), ==, 1);

  /* The head-end carries it out: the supply is off, said everywhere. */
  g_assert_cmpint (execute (fixture, t + 300), ==, 1);
  done = get (fixture, r->id);
  g_assert_cmpint (done->status, ==, BD_REQUEST_DONE);
  g_assert_cmpint (done->executed_at, ==, t + 300);
  balance = bd_central_db_meter_balance (fixture->db, "LKO-C", ACCOUNT_A, t + 300, &error);
  g_assert_cmpint (balance->supply, ==, BD_SUPPLY_DISCONNECTED);
  g_assert_cmpint (meters_fixture_query_int (fixture, "SELECT count(*) FROM supply_events WHERE account = '" ACCOUNT_A
                                       "' AND reason = 'request_nonpayment'"), ==, 1);
  g_assert_cmpint (meters_fixture_query_int (fixture, "SELECT count(*) FROM consumer_history WHERE account = '" ACCOUNT_A
                                       "' AND action = 'request'"), ==, 3);   /* filed, approved, done */
  g_assert_cmpint (meters_fixture_query_int (fixture, "SELECT count(*) FROM audit_log WHERE action LIKE 'request.%'"), ==, 3);
  g_assert_cmpint (meters_fixture_query_int (fixture, "SELECT count(*) FROM sms_outbox WHERE account = '" ACCOUNT_A
                                       "' AND text LIKE '%carried out%'"), ==, 1);
  /* Done is done: it cannot be rejected now. */
  g_assert_null (act (fixture, r->id, BD_REQUEST_ACTION_REJECT, "late", 0, BD_ROLE_SUPERVISOR, t + 400, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_NOT_ALLOWED);
  g_clear_error (&error);

  /* Half the dues paid: the supply comes back. */
  {
    g_autoptr(BdRecharge) request = bd_recharge_new ("desk-local-1", ACCOUNT_A);
    g_autoptr(BdBalance) after = NULL;
    g_autofree char *body = NULL;
    gboolean replayed;
    guint status;

    request->amount_paise = 10000;
    request->created_at = t + 3600;
    g_assert_true (bd_central_db_recharge_create (fixture->db, "LKO-C", request, "recharge-key-0002", "h", "operator",
                                                  BD_ROLE_OPERATOR, t + 3600, &status, &body, &replayed, &error));
    g_assert_no_error (error);
    after = bd_central_db_meter_balance (fixture->db, "LKO-C", ACCOUNT_A, t + 3600, &error);
    g_assert_cmpint (after->supply, ==, BD_SUPPLY_CONNECTED);
  }
}

static void
test_consent_and_blocks (Fixture       *fixture,
                         gconstpointer  data)
{
  gint64 t = at ("2026-11-24T10:00:00+05:30");
  g_autoptr(GError) error = NULL;
  g_autoptr(BdDisconnection) r = NULL;
  g_autofree char *otp = NULL;

  /* The consumer's own request without their OTP. */
  g_assert_null (file (fixture, ACCOUNT_A, BD_REQUEST_TEMPORARY, t, NULL, BD_ROLE_OPERATOR, t, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_NOT_VERIFIED);
  g_clear_error (&error);

  /* Closing with dues: refused, with the amount, nothing queued. */
  meters_fixture_exec (fixture, "UPDATE consumers SET balance_paise = -123456 WHERE account = '" ACCOUNT_A "'");
  otp = consent (fixture, ACCOUNT_A, t);
  g_assert_null (file (fixture, ACCOUNT_A, BD_REQUEST_PERMANENT, t, otp, BD_ROLE_OPERATOR, t + 60, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_REQUEST_BLOCKED);
  g_assert_nonnull (strstr (error->message, "₹1,234.56"));
  g_clear_error (&error);
  g_assert_cmpint (meters_fixture_query_int (fixture, "SELECT count(*) FROM disconnection_requests"), ==, 0);

  /* Non-payment while in credit; an agent may not file one at all. */
  meters_fixture_exec (fixture, "UPDATE consumers SET balance_paise = 5000 WHERE account = '" ACCOUNT_A "'");
  g_assert_null (file (fixture, ACCOUNT_A, BD_REQUEST_NONPAYMENT, t, NULL, BD_ROLE_OPERATOR, t, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_REQUEST_BLOCKED);
  g_clear_error (&error);
  g_assert_null (file (fixture, ACCOUNT_A, BD_REQUEST_NONPAYMENT, t, NULL, BD_ROLE_AGENT, t, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* Rejection needs a reason. */
  {
    g_autofree char *otp2 = consent (fixture, ACCOUNT_A, t + 200);
    r = file (fixture, ACCOUNT_A, BD_REQUEST_TEMPORARY, t + 86400, otp2, BD_ROLE_OPERATOR, t + 300, &error);
    g_assert_no_error (error);
    g_assert_null (act (fixture, r->id, BD_REQUEST_ACTION_REJECT, NULL, 0, BD_ROLE_SUPERVISOR, t + 400, &error));
    g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT);
    g_clear_error (&error);
    {
      g_autoptr(BdDisconnection) rejected = act (fixture, r->id, BD_REQUEST_ACTION_REJECT, "Consumer withdrew", 0,
                                                 BD_ROLE_SUPERVISOR, t + 500, &error);
      g_assert_no_error (error);
      g_assert_cmpint (rejected->status, ==, BD_REQUEST_REJECTED);
      g_assert_cmpstr (rejected->decision_note, ==, "Consumer withdrew");
    }
  }
}

static void
test_field_tasks (Fixture       *fixture,
                  gconstpointer  data)
{
  gint64 t = at ("2026-11-24T10:00:00+05:30");
  g_autoptr(GError) error = NULL;
  g_autofree char *otp_ct = consent (fixture, ACCOUNT_CT, t);
  g_autofree char *otp_a = consent (fixture, ACCOUNT_A, t);
  g_autofree char *silence = g_strdup_printf ("UPDATE meters SET silent_from = %" G_GINT64_FORMAT
                                              " WHERE account = '" ACCOUNT_A "'", t);
  g_autoptr(BdDisconnection) ct = NULL;
  g_autoptr(BdDisconnection) ct_approved = NULL;
  g_autoptr(BdDisconnection) silent = NULL;
  g_autoptr(BdDisconnection) silent_approved = NULL;
  g_autoptr(BdDisconnection) last = NULL;
  gint64 when = t + 600;

  /* A CT meter: approved straight into a field task. */
  ct = file (fixture, ACCOUNT_CT, BD_REQUEST_TEMPORARY, t, otp_ct, BD_ROLE_OPERATOR, t + 60, &error);
  g_assert_no_error (error);
  ct_approved = act (fixture, ct->id, BD_REQUEST_ACTION_APPROVE, NULL, 0, BD_ROLE_SUPERVISOR, t + 120, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ct_approved->status, ==, BD_REQUEST_FIELD_TASK);

  /* A meter that stops answering: retried four times, then the field. */
  meters_fixture_exec (fixture, silence);
  silent = file (fixture, ACCOUNT_A, BD_REQUEST_TEMPORARY, t, otp_a, BD_ROLE_OPERATOR, t + 60, &error);
  g_assert_no_error (error);
  silent_approved = act (fixture, silent->id, BD_REQUEST_ACTION_APPROVE, NULL, 0, BD_ROLE_SUPERVISOR, t + 120, &error);
  g_assert_no_error (error);
  for (int i = 0; i < BD_CENTRAL_REQUEST_MAX_ATTEMPTS; i++)
    {
      execute (fixture, when);
      when += BD_CENTRAL_REQUEST_RETRY_S;
    }
  last = get (fixture, silent->id);
  g_assert_cmpint (last->status, ==, BD_REQUEST_FIELD_TASK);
  g_assert_cmpint (last->attempts, ==, BD_CENTRAL_REQUEST_MAX_ATTEMPTS);
  g_assert_nonnull (strstr (last->result, "field team"));
  {
    g_autoptr(BdBalance) balance = bd_central_db_meter_balance (fixture->db, "LKO-C", ACCOUNT_A, when, &error);
    g_assert_cmpint (balance->supply, ==, BD_SUPPLY_CONNECTED);
  }
}

static void
test_list_and_export (Fixture       *fixture,
                      gconstpointer  data)
{
  gint64 t = at ("2026-11-24T10:00:00+05:30");
  g_autoptr(GError) error = NULL;
  g_autofree char *otp = consent (fixture, ACCOUNT_A, t);
  g_autoptr(BdDisconnection) r = file (fixture, ACCOUNT_A, BD_REQUEST_TEMPORARY, t, otp, BD_ROLE_OPERATOR, t, &error);
  const char *pending[] = { "pending_approval", NULL };
  const char *done[] = { "done", NULL };
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) east = NULL;
  g_autofree char *csv = NULL;

  g_assert_no_error (error);
  open = bd_central_db_request_list (fixture->db, "LKO-C", pending, NULL, 50, &error);
  g_assert_cmpuint (open->len, ==, 1);
  none = bd_central_db_request_list (fixture->db, "LKO-C", done, ACCOUNT_A, 50, &error);
  g_assert_cmpuint (none->len, ==, 0);
  east = bd_central_db_request_list (fixture->db, "LKO-E", NULL, NULL, 50, &error);
  g_assert_cmpuint (east->len, ==, 0);
  g_assert_null (bd_central_db_request_get (fixture->db, "LKO-E", r->id, &error));
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND);
  csv = bd_disconnection_csv (open);
  g_assert_true (g_str_has_prefix (csv, "number,account,kind,status"));
  g_assert_nonnull (strstr (csv, r->number));
  g_assert_nonnull (strstr (csv, "\"pending_approval\""));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, meters_fixture_set_up, fn, meters_fixture_tear_down)
  ADD ("/requests/saturday-evening", test_saturday_evening);
  ADD ("/requests/nonpayment-flow", test_nonpayment_flow);
  ADD ("/requests/consent-and-blocks", test_consent_and_blocks);
  ADD ("/requests/field-tasks", test_field_tasks);
  ADD ("/requests/list-and-export", test_list_and_export);
#undef ADD

  return g_test_run ();
}
