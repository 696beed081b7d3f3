/* test-central-complaints.c: a complaint's whole life in bijli-central's
 * database: filing with a readable number, duplicates and callers, the
 * transitions by role, closing with the consumer's OTP or a supervisor's
 * reason, idempotent writes, the queue's filters, the feed and the
 * dashboard, with a moved clock.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "central-test-url.h"

#include <glib/gstdio.h>
#include <string.h>

#include "core/bd-codec.h"
#include "server/bd-central-db.h"
#include "server/bd-central-db-complaints.h"
#include "server/bd-central-db-otp.h"
#include "server/bd-central-db-private.h"

#define T0 G_GINT64_CONSTANT (1795000000)   /* 2026-11-18 10:23 IST */
#define HOUR 3600

#define ACCOUNT_A    "2100000001"
#define ACCOUNT_B    "2100000002"
#define ACCOUNT_C    "2100000003"
#define ACCOUNT_EAST "2300000006"
#define MOBILE_A     "9876500001"

typedef struct {
  char        *dir;
  char        *path;
  BdCentralDb *db;
  guint        keys;
} Fixture;

static void
add_consumer (BdCentralDb *db,
              const char  *account,
              const char  *zone,
              const char  *mobile,
              const char  *dt,
              BdAreaType   area)
{
  g_autoptr(BdConsumer) consumer = bd_consumer_new (account);
  g_autoptr(GError) error = NULL;

  bd_consumer_set_zone (consumer, zone);
  bd_consumer_set_name_en (consumer, "Test Consumer");
  bd_consumer_set_mobile (consumer, mobile);
  bd_consumer_set_meter_serial (consumer, "GNS1234567");
  bd_consumer_set_feeder (consumer, "ALG-F03");
  bd_consumer_set_dt (consumer, dt);
  bd_consumer_set_pole (consumer, "P-1");
  bd_consumer_set_area_type (consumer, area);
  bd_consumer_set_sanctioned_load_w (consumer, 2000);
  bd_consumer_set_version (consumer, 1);
  bd_consumer_set_updated_at (consumer, T0 - 1000);
  g_assert_true (bd_central_db_insert_consumer (db, consumer, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("bijli-central-complaints-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "central.sqlite3", NULL);
  fixture->db = bd_central_db_open (central_test_url (fixture->path), &error);
  g_assert_no_error (error);
  g_assert_true (bd_central_db_ensure_zone (fixture->db, "LKO-C", "Lucknow Central", &error));
  g_assert_true (bd_central_db_ensure_zone (fixture->db, "LKO-E", "Lucknow East", &error));
  add_consumer (fixture->db, ACCOUNT_A, "LKO-C", MOBILE_A, "ALG-F03-T01", BD_AREA_URBAN);
  add_consumer (fixture->db, ACCOUNT_B, "LKO-C", "9876500002", "ALG-F03-T01", BD_AREA_URBAN);
  add_consumer (fixture->db, ACCOUNT_C, "LKO-C", "9876500003", "ALG-F03-T02", BD_AREA_RURAL);
  add_consumer (fixture->db, ACCOUNT_EAST, "LKO-E", "9876500006", "EST-T01", BD_AREA_URBAN);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  g_clear_object (&fixture->db);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);
      g_unlink (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static char *
new_key (Fixture *fixture)
{
  return g_strdup_printf ("test-key-%08u", ++fixture->keys);
}

static BdComplaint *
parse_body (const char *body)
{
  g_autoptr(JsonNode) node = bd_json_parse (body, -1, NULL);
  g_autoptr(GError) error = NULL;
  BdComplaint *complaint;

  g_assert_nonnull (node);
  complaint = bd_complaint_from_json (node, &error);
  g_assert_no_error (error);
  return complaint;
}

static BdComplaint *
file (Fixture             *fixture,
      const char          *zone,
      const char          *account,
      BdComplaintCategory  category,
      gint64               now)
{
  g_autoptr(BdComplaint) draft = bd_complaint_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *key = new_key (fixture);
  g_autofree char *body = NULL;
  gboolean replayed;
  guint status;

  draft->account = g_strdup (account);
  draft->category = category;
  draft->description = g_strdup ("No supply since the storm");
  draft->channel = BD_COMPLAINT_CHANNEL_PHONE;
  g_assert_true (bd_central_db_complaint_file (fixture->db, zone, draft, key, key, "agent", BD_ROLE_AGENT,
                                               now, &status, &body, &replayed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 201);
  g_assert_false (replayed);
  return parse_body (body);
}

/* Applies action; NULL with error when refused. */
static BdComplaint *
act (Fixture           *fixture,
     const char        *id,
     BdComplaintAction  action,
     BdRole             role,
     const char        *note,
     const char        *otp_id,
     gint64             now,
     GError           **error)
{
  g_autofree char *key = new_key (fixture);
  g_autofree char *body = NULL;
  gboolean replayed;
  guint status;

  if (!bd_central_db_complaint_act (fixture->db, "LKO-C", id, action, note, otp_id, ACCOUNT_B, NULL,
                                    BD_COMPLAINT_CHANNEL_PHONE, key, key, bd_role_to_string (role), role,
                                    now, &status, &body, &replayed, error))
    return NULL;
  g_assert_cmpuint (status, ==, 200);
  return parse_body (body);
}

static guint
count_sms (Fixture    *fixture,
           const char *mobile)
{
  g_autoptr(JsonNode) list = bd_central_db_sms_list (fixture->db, "LKO-C", mobile, 50, NULL);

  return json_array_get_length (json_object_get_array_member (json_node_get_object (list), "messages"));
}

static void
test_life_with_otp_close (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(BdComplaint) filed = file (fixture, "LKO-C", ACCOUNT_A, BD_COMPLAINT_NO_SUPPLY_SINGLE, T0);
  g_autoptr(BdComplaint) c = NULL;
  g_autoptr(BdComplaint) got = NULL;
  g_autoptr(BdCentralOtpTicket) ticket = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  int attempts_left;

  /* Readable number, place and contact from the consumer, SLA of the row. */
  g_assert_true (g_regex_match_simple ("^LKOC-2611-[0-9]{5}$", filed->number, 0, 0));
  g_assert_cmpstr (filed->dt, ==, "ALG-F03-T01");
  g_assert_cmpstr (filed->feeder, ==, "ALG-F03");
  g_assert_cmpstr (filed->contact_mobile, ==, MOBILE_A);
  g_assert_cmpint (filed->sla_allowed_s, ==, 4 * HOUR);
  g_assert_cmpint (filed->status, ==, BD_COMPLAINT_STATUS_NEW);
  g_assert_cmpuint (count_sms (fixture, MOBILE_A), ==, 1);

  c = act (fixture, filed->id, BD_COMPLAINT_ACTION_ASSIGN, BD_ROLE_OPERATOR, "Lineman Ramesh", NULL, T0 + 60, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (c->assigned_to, ==, "Lineman Ramesh");
  g_clear_pointer (&c, bd_complaint_free);
  c = act (fixture, filed->id, BD_COMPLAINT_ACTION_START, BD_ROLE_OPERATOR, NULL, NULL, T0 + 120, &error);
  g_clear_pointer (&c, bd_complaint_free);
  c = act (fixture, filed->id, BD_COMPLAINT_ACTION_PAUSE, BD_ROLE_OPERATOR, "Consumer away", NULL, T0 + HOUR, &error);
  g_assert_true (bd_complaint_is_paused (c));
  g_clear_pointer (&c, bd_complaint_free);
  c = act (fixture, filed->id, BD_COMPLAINT_ACTION_RESOLVE, BD_ROLE_OPERATOR, "Fuse replaced", NULL, T0 + 3 * HOUR, &error);
  g_assert_no_error (error);
  g_assert_cmpint (c->status, ==, BD_COMPLAINT_STATUS_RESOLVED);
  g_assert_false (bd_complaint_is_paused (c));   /* resolving ended the pause */
  g_assert_cmpint (c->resolved_at, ==, T0 + 3 * HOUR);
  g_assert_cmpuint (count_sms (fixture, MOBILE_A), ==, 2);
  g_clear_pointer (&c, bd_complaint_free);

  /* An operator cannot close without the consumer's OTP. */
  g_assert_null (act (fixture, filed->id, BD_COMPLAINT_ACTION_CLOSE, BD_ROLE_OPERATOR, "they said ok", NULL,
                      T0 + 4 * HOUR, &error));
  g_assert_error (error, BD_COMPLAINT_ERROR, BD_COMPLAINT_ERROR_OTP_REQUIRED);
  g_clear_error (&error);

  ticket = bd_central_db_complaint_close_otp (fixture->db, "LKO-C", filed->id, "operator", T0 + 4 * HOUR,
                                              &code, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ticket->purpose, ==, "complaint_close");
  g_assert_cmpstr (ticket->mobile, ==, MOBILE_A);
  /* An OTP not yet checked closes nothing. */
  g_assert_null (act (fixture, filed->id, BD_COMPLAINT_ACTION_CLOSE, BD_ROLE_OPERATOR, NULL, ticket->id,
                      T0 + 4 * HOUR, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_NOT_VERIFIED);
  g_clear_error (&error);
  /* Verify with the code (as POST /otp/{id}/verify does), then close. */
  {
    g_autoptr(BdCentralOtpTicket) fresh = NULL;
    g_autoptr(BdCentralOtpTicket) verified = NULL;
    g_autofree char *fresh_code = NULL;

    fresh = bd_central_db_complaint_close_otp (fixture->db, "LKO-C", filed->id, "operator", T0 + 4 * HOUR + 60,
                                               &fresh_code, NULL, &error);
    g_assert_no_error (error);
    verified = bd_central_db_otp_verify (fixture->db, "LKO-C", fresh->id, fresh_code, "operator", "operator",
                                         T0 + 4 * HOUR + 90, &attempts_left, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (verified->state, ==, "verified");
    c = act (fixture, filed->id, BD_COMPLAINT_ACTION_CLOSE, BD_ROLE_AGENT, NULL, fresh->id, T0 + 4 * HOUR + 120, &error);
    g_assert_no_error (error);
    g_assert_cmpint (c->status, ==, BD_COMPLAINT_STATUS_CLOSED);
    g_clear_pointer (&c, bd_complaint_free);

    /* The OTP is used up, and reopening needs the consumer's reason. */
    g_clear_pointer (&verified, bd_central_otp_ticket_free);
    verified = bd_central_db_otp_get (fixture->db, "LKO-C", fresh->id, T0 + 4 * HOUR + 130, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (verified->state, ==, "used");
    g_assert_null (act (fixture, filed->id, BD_COMPLAINT_ACTION_REOPEN, BD_ROLE_AGENT, "", NULL,
                        T0 + 5 * HOUR, &error));
    g_assert_error (error, BD_COMPLAINT_ERROR, BD_COMPLAINT_ERROR_NOTE_REQUIRED);
    g_clear_error (&error);
  }

  /* The timeline has every step, with who and the notes. */
  got = bd_central_db_complaint_get (fixture->db, "LKO-C", filed->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->events->len, ==, 6);
  g_assert_cmpint (((BdComplaintEvent *) g_ptr_array_index (got->events, 0))->action, ==, BD_COMPLAINT_ACTION_FILE);
  g_assert_cmpstr (((BdComplaintEvent *) g_ptr_array_index (got->events, 4))->note, ==, "Fuse replaced");
  g_assert_cmpstr (((BdComplaintEvent *) g_ptr_array_index (got->events, 5))->note, ==,
                   "Confirmed by the consumer with an OTP");
  g_assert_cmpuint (got->pauses->len, ==, 1);
  g_assert_cmpint (g_array_index (got->pauses, BdComplaintPause, 0).end, ==, T0 + 3 * HOUR);

  /* Another zone does not see it. */
  g_clear_pointer (&got, bd_complaint_free);
  got = bd_central_db_complaint_get (fixture->db, "LKO-E", filed->id, &error);
  g_assert_null (got);
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND);
}

static void
test_supervisor_override_and_forbidden (Fixture       *fixture,
                                        gconstpointer  data)
{
  g_autoptr(BdComplaint) filed = file (fixture, "LKO-C", ACCOUNT_C, BD_COMPLAINT_METER_BURNT, T0);
  g_autoptr(BdComplaint) c = NULL;
  g_autoptr(GError) error = NULL;

  /* Rural meter burnt: 7 days. */
  g_assert_cmpint (filed->sla_allowed_s, ==, 7 * 24 * HOUR);
  g_assert_cmpint (filed->area_type, ==, BD_AREA_RURAL);

  g_assert_null (act (fixture, filed->id, BD_COMPLAINT_ACTION_REJECT, BD_ROLE_OPERATOR, "not ours", NULL, T0, &error));
  g_assert_error (error, BD_COMPLAINT_ERROR, BD_COMPLAINT_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_null (act (fixture, filed->id, BD_COMPLAINT_ACTION_RESOLVE, BD_ROLE_OPERATOR, "done", NULL, T0, &error));
  g_assert_error (error, BD_COMPLAINT_ERROR, BD_COMPLAINT_ERROR_NOT_ALLOWED);
  g_clear_error (&error);

  c = act (fixture, filed->id, BD_COMPLAINT_ACTION_ASSIGN, BD_ROLE_SUPERVISOR, "Meter team", NULL, T0 + 10, &error);
  g_clear_pointer (&c, bd_complaint_free);
  c = act (fixture, filed->id, BD_COMPLAINT_ACTION_RESOLVE, BD_ROLE_OPERATOR, "Meter replaced", NULL, T0 + 20, &error);
  g_clear_pointer (&c, bd_complaint_free);
  g_assert_null (act (fixture, filed->id, BD_COMPLAINT_ACTION_CLOSE, BD_ROLE_SUPERVISOR, NULL, NULL, T0 + 30, &error));
  g_assert_error (error, BD_COMPLAINT_ERROR, BD_COMPLAINT_ERROR_NOTE_REQUIRED);
  g_clear_error (&error);
  c = act (fixture, filed->id, BD_COMPLAINT_ACTION_CLOSE, BD_ROLE_SUPERVISOR,
           "Consumer confirmed at the counter; phone not with them", NULL, T0 + 40, &error);
  g_assert_no_error (error);
  g_assert_cmpint (c->status, ==, BD_COMPLAINT_STATUS_CLOSED);
  g_clear_pointer (&c, bd_complaint_free);

  /* The consumer escalates to the CGRF, then the ombudsman, and no further. */
  c = act (fixture, filed->id, BD_COMPLAINT_ACTION_ESCALATE, BD_ROLE_AGENT, "To the CGRF", NULL, T0 + 50, &error);
  g_assert_cmpint (c->escalation_level, ==, 1);
  g_assert_cmpint (c->closed_at, ==, 0);
  g_clear_pointer (&c, bd_complaint_free);
  c = act (fixture, filed->id, BD_COMPLAINT_ACTION_ESCALATE, BD_ROLE_AGENT, "To the ombudsman", NULL, T0 + 60, &error);
  g_assert_cmpint (c->escalation_level, ==, 2);
  g_clear_pointer (&c, bd_complaint_free);
  g_assert_null (act (fixture, filed->id, BD_COMPLAINT_ACTION_ESCALATE, BD_ROLE_AGENT, "Again", NULL, T0 + 70, &error));
  g_assert_error (error, BD_COMPLAINT_ERROR, BD_COMPLAINT_ERROR_NOT_ALLOWED);
}

static void
test_duplicates_and_callers (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(BdComplaint) outage = NULL;
  g_autoptr(BdComplaint) c = NULL;
  g_autoptr(BdComplaint) draft = bd_complaint_new ();
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  gboolean replayed;
  guint status;

  /* An area outage filed by place, without a consumer. */
  draft->category = BD_COMPLAINT_NO_SUPPLY_AREA;
  draft->description = g_strdup ("Whole colony dark");
  draft->channel = BD_COMPLAINT_CHANNEL_PHONE;
  draft->dt = g_strdup ("ALG-F03-T01");
  draft->feeder = g_strdup ("ALG-F03");
  draft->contact_mobile = g_strdup ("9876500099");
  g_assert_true (bd_central_db_complaint_file (fixture->db, "LKO-C", draft, "area-key-0001", "h1", "agent",
                                               BD_ROLE_AGENT, T0, &status, &body, &replayed, &error));
  g_assert_no_error (error);
  outage = parse_body (body);
  g_assert_null (outage->account);

  /* A neighbour on the same DT calls: the outage is offered. */
  found = bd_central_db_complaint_duplicates (fixture->db, "LKO-C", BD_COMPLAINT_NO_SUPPLY_SINGLE, ACCOUNT_B,
                                              "ALG-F03-T01", "ALG-F03", "P-1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (((BdComplaint *) g_ptr_array_index (found, 0))->id, ==, outage->id);
  g_clear_pointer (&found, g_ptr_array_unref);
  /* Another zone's desk sees nothing of it. */
  found = bd_central_db_complaint_duplicates (fixture->db, "LKO-E", BD_COMPLAINT_NO_SUPPLY_SINGLE, NULL,
                                              "ALG-F03-T01", "ALG-F03", NULL, &error);
  g_assert_cmpuint (found->len, ==, 0);
  g_clear_pointer (&found, g_ptr_array_unref);

  c = act (fixture, outage->id, BD_COMPLAINT_ACTION_ADD_CALLER, BD_ROLE_AGENT, NULL, NULL, T0 + 60, &error);
  g_assert_no_error (error);
  g_assert_cmpint (c->callers, ==, 2);
  g_clear_pointer (&c, bd_complaint_free);

  /* The same draft under the same key is the same complaint, once. */
  g_clear_pointer (&body, g_free);
  g_assert_true (bd_central_db_complaint_file (fixture->db, "LKO-C", draft, "area-key-0001", "h1", "agent",
                                               BD_ROLE_AGENT, T0 + 5, &status, &body, &replayed, &error));
  g_assert_true (replayed);
  g_assert_cmpuint (status, ==, 201);
  c = parse_body (body);
  g_assert_cmpstr (c->number, ==, outage->number);
  g_clear_pointer (&c, bd_complaint_free);
  /* The key with another request is refused. */
  g_clear_pointer (&body, g_free);
  g_assert_false (bd_central_db_complaint_file (fixture->db, "LKO-C", draft, "area-key-0001", "h2", "agent",
                                                BD_ROLE_AGENT, T0 + 6, &status, &body, &replayed, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_IDEMPOTENCY_MISMATCH);
}

static void
test_queue_feed_and_dashboard (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(BdComplaint) a = file (fixture, "LKO-C", ACCOUNT_A, BD_COMPLAINT_NO_SUPPLY_SINGLE, T0);
  g_autoptr(BdComplaint) b = file (fixture, "LKO-C", ACCOUNT_B, BD_COMPLAINT_TRANSFORMER, T0 + 60);
  g_autoptr(BdComplaint) east = file (fixture, "LKO-E", ACCOUNT_EAST, BD_COMPLAINT_VOLTAGE, T0);
  g_autoptr(BdComplaint) c = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) feed = NULL;
  g_autoptr(JsonNode) summary = NULL;
  g_autoptr(GError) error = NULL;
  BdCentralComplaintFilter filter = { NULL, -1, NULL, NULL, NULL, 50, 0 };
  gint64 next = 0;
  gboolean more = TRUE;
  guint total = 0;
  JsonObject *object;

  /* 5 h later the 4 h fuse call is overdue; the 8 h transformer is not. */
  filter.sla = "overdue";
  list = bd_central_db_complaint_list (fixture->db, "LKO-C", &filter, T0 + 5 * HOUR, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 1);
  g_assert_cmpstr (((BdComplaint *) g_ptr_array_index (list, 0))->id, ==, a->id);
  g_clear_pointer (&list, g_ptr_array_unref);
  filter.sla = NULL;
  filter.category = BD_COMPLAINT_TRANSFORMER;
  list = bd_central_db_complaint_list (fixture->db, "LKO-C", &filter, T0 + 5 * HOUR, &total, &error);
  g_assert_cmpuint (total, ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);
  filter.category = -1;
  filter.text = a->number;
  list = bd_central_db_complaint_list (fixture->db, "LKO-C", &filter, T0 + 5 * HOUR, &total, &error);
  g_assert_cmpuint (total, ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);
  filter.text = NULL;
  filter.limit = 1;
  list = bd_central_db_complaint_list (fixture->db, "LKO-C", &filter, T0 + 5 * HOUR, &total, &error);
  g_assert_cmpuint (total, ==, 2);   /* every match counted, one returned, newest first */
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((BdComplaint *) g_ptr_array_index (list, 0))->id, ==, b->id);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* The feed: both in order, then only what changed. */
  feed = bd_central_db_complaint_changes (fixture->db, "LKO-C", 0, 100, &next, &more, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (feed->len, ==, 2);
  g_assert_false (more);
  g_clear_pointer (&feed, g_ptr_array_unref);
  c = act (fixture, a->id, BD_COMPLAINT_ACTION_ASSIGN, BD_ROLE_OPERATOR, "Team A", NULL, T0 + 6 * HOUR, &error);
  feed = bd_central_db_complaint_changes (fixture->db, "LKO-C", next, 100, &next, &more, &error);
  g_assert_cmpuint (feed->len, ==, 1);
  g_assert_cmpint (((BdComplaint *) g_ptr_array_index (feed, 0))->version, ==, 2);
  g_clear_pointer (&feed, g_ptr_array_unref);
  feed = bd_central_db_complaint_changes (fixture->db, "LKO-C", 0, 1, &next, &more, &error);
  g_assert_cmpuint (feed->len, ==, 1);
  g_assert_true (more);

  /* Dashboard: counts, overdue and the compensation owed (₹50 for one day). */
  summary = bd_central_db_complaint_summary (fixture->db, "LKO-C", T0 + 5 * HOUR, &error);
  g_assert_no_error (error);
  object = json_node_get_object (summary);
  g_assert_cmpint (json_object_get_int_member (object, "open"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (object, "overdue"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (object, "compensation_owed_paise"), ==, 5000);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (object, "by_category"), "transformer"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (object, "silent_meters"), >=, 0);
}

static void
test_migration_keeps_otps (void)
{
  /* SQLite's own: its schema history, pragmas, query planner or files. */
  if (central_test_skip_unless_sqlite ())
    return;

  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bijli-central-migrate-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "central.sqlite3", NULL);
  g_autoptr(BdCentralDb) old = NULL;
  g_autoptr(BdCentralDb) db = NULL;
  g_autoptr(BdCentralOtpTicket) ticket = NULL;
  g_autoptr(BdCentralOtpTicket) again = NULL;
  const char *suffixes[] = { "", "-wal", "-shm" };

  old = bd_central_db_open_at_version (path, 3, &error);
  g_assert_no_error (error);
  g_assert_true (bd_central_db_ensure_zone (old, "LKO-C", "Lucknow Central", &error));
  add_consumer (old, ACCOUNT_A, "LKO-C", MOBILE_A, "ALG-F03-T01", BD_AREA_URBAN);
  ticket = bd_central_db_otp_request (old, "LKO-C", ACCOUNT_A, BD_CENTRAL_OTP_VERIFY_MOBILE, NULL, "operator",
                                      T0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&old);

  db = bd_central_db_open (central_test_url (path), &error);
  g_assert_no_error (error);
  again = bd_central_db_otp_get (db, "LKO-C", ticket->id, T0 + 10, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->purpose, ==, "verify_mobile");
  g_clear_object (&db);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_unlink (file);
    }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/central/complaints/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("life-with-otp-close", test_life_with_otp_close);
  ADD ("supervisor-override-and-forbidden", test_supervisor_override_and_forbidden);
  ADD ("duplicates-and-callers", test_duplicates_and_callers);
  ADD ("queue-feed-and-dashboard", test_queue_feed_and_dashboard);
  g_test_add_func ("/central/complaints/migration-keeps-otps", test_migration_keeps_otps);

  return g_test_run ();
}
