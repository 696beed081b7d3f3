/* test-central-otp.c: OTPs, their limits, the SMS outbox, registrations,
 * indexing and history in bijli-central's database, with a moved clock.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "central-test-url.h"

#include <glib/gstdio.h>
#include <string.h>

#include "core/bd-codec.h"
#include "server/bd-central-db.h"
#include "server/bd-central-db-indexing.h"
#include "server/bd-central-db-otp.h"
#include "server/bd-central-db-private.h"

#define T0 G_GINT64_CONSTANT (1795000000)

/* Accounts of the fixture: four in LKO-C with mobiles, one without, one in LKO-E. */
#define ACCOUNT_A    "2100000001"
#define ACCOUNT_B    "2100000002"
#define ACCOUNT_C    "2100000003"
#define ACCOUNT_D    "2100000004"
#define ACCOUNT_NONE "2100000005"
#define ACCOUNT_EAST "2300000006"
#define MOBILE_A     "9876500001"

typedef struct {
  char        *dir;
  char        *path;
  BdCentralDb *db;
} Fixture;

static void
add_consumer (BdCentralDb *db,
              const char  *account,
              const char  *zone,
              const char  *mobile)
{
  g_autoptr(BdConsumer) consumer = bd_consumer_new (account);
  g_autoptr(GError) error = NULL;

  bd_consumer_set_zone (consumer, zone);
  bd_consumer_set_name_en (consumer, "Test Consumer");
  bd_consumer_set_mobile (consumer, mobile);
  bd_consumer_set_meter_serial (consumer, "GNS1234567");
  bd_consumer_set_feeder (consumer, "ALG-F03");
  bd_consumer_set_sanctioned_load_w (consumer, 2000);
  bd_consumer_set_version (consumer, 1);
  bd_consumer_set_updated_at (consumer, T0 - 1000);
  g_assert_true (bd_central_db_insert_consumer (db, consumer, &error));
  g_assert_no_error (error);
}

static BdCentralDb *
open_db (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  BdCentralDb *db = bd_central_db_open (central_test_url (fixture->path), &error);

  g_assert_no_error (error);
  g_assert_nonnull (db);
  return db;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("bijli-central-otp-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "central.sqlite3", NULL);
  fixture->db = open_db (fixture);

  g_assert_true (bd_central_db_ensure_zone (fixture->db, "LKO-C", "Lucknow Central", &error));
  g_assert_true (bd_central_db_ensure_zone (fixture->db, "LKO-E", "Lucknow East", &error));
  add_consumer (fixture->db, ACCOUNT_A, "LKO-C", MOBILE_A);
  add_consumer (fixture->db, ACCOUNT_B, "LKO-C", "9876500002");
  add_consumer (fixture->db, ACCOUNT_C, "LKO-C", "9876500003");
  add_consumer (fixture->db, ACCOUNT_D, "LKO-C", "9876500004");
  add_consumer (fixture->db, ACCOUNT_NONE, "LKO-C", NULL);
  add_consumer (fixture->db, ACCOUNT_EAST, "LKO-E", "9876500006");
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

static BdCentralOtpTicket *
request_ok (BdCentralDb  *db,
            const char   *account,
            const char   *purpose,
            const char   *mobile,
            gint64        now,
            char        **out_code)
{
  g_autoptr(GError) error = NULL;
  gint64 retry_after = -1;
  BdCentralOtpTicket *ticket;

  ticket = bd_central_db_otp_request (db, "LKO-C", account, purpose, mobile, "operator",
                                      now, out_code, &retry_after, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ticket);
  g_assert_cmpint (retry_after, ==, 0);
  g_assert_cmpstr (ticket->state, ==, "pending");
  g_assert_cmpint (ticket->attempts_left, ==, BD_CENTRAL_OTP_ATTEMPTS);
  g_assert_cmpint (ticket->expires_at, ==, now + BD_CENTRAL_OTP_LIFETIME_S);
  g_assert_cmpint (strlen (ticket->id), >=, 22);
  if (out_code != NULL)
    {
      g_assert_cmpuint (strlen (*out_code), ==, 6);
      g_assert_cmpuint (strspn (*out_code, "0123456789"), ==, 6);
    }
  return ticket;
}

/* A code that is not code. */
static char *
wrong_code (const char *code)
{
  char *wrong = g_strdup (code);

  wrong[0] = wrong[0] == '9' ? '0' : (char) (wrong[0] + 1);
  return wrong;
}

static BdCentralOtpTicket *
verify (BdCentralDb  *db,
        const char   *id,
        const char   *code,
        gint64        now,
        int          *out_attempts_left,
        GError      **error)
{
  return bd_central_db_otp_verify (db, "LKO-C", id, code, "operator", "operator", now,
                                   out_attempts_left, error);
}

static void
test_otp_expiry (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *code = NULL;
  g_autoptr(BdCentralOtpTicket) ticket = request_ok (fixture->db, ACCOUNT_A, BD_CENTRAL_OTP_VERIFY_MOBILE,
                                                     NULL, T0, &code);
  g_autoptr(BdCentralOtpTicket) before = NULL;
  g_autoptr(BdCentralOtpTicket) after = NULL;
  g_autoptr(BdCentralOtpTicket) late = NULL;
  g_autoptr(GError) error = NULL;

  before = bd_central_db_otp_get (fixture->db, "LKO-C", ticket->id, T0 + BD_CENTRAL_OTP_LIFETIME_S - 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (before->state, ==, "pending");

  after = bd_central_db_otp_get (fixture->db, "LKO-C", ticket->id, T0 + BD_CENTRAL_OTP_LIFETIME_S, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (after->state, ==, "expired");

  /* The right code, a second too late. */
  late = verify (fixture->db, ticket->id, code, T0 + BD_CENTRAL_OTP_LIFETIME_S, NULL, &error);
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_EXPIRED);
  g_assert_null (late);
}

static void
test_otp_single_use (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *code = NULL;
  g_autoptr(BdCentralOtpTicket) ticket = request_ok (fixture->db, ACCOUNT_A, BD_CENTRAL_OTP_VERIFY_MOBILE,
                                                     MOBILE_A, T0, &code);
  g_autoptr(BdCentralOtpTicket) verified = NULL;
  g_autoptr(BdCentralOtpTicket) again = NULL;
  g_autoptr(BdCentralOtpTicket) resent = NULL;
  g_autoptr(BdConsumer) consumer = NULL;
  g_autoptr(JsonNode) history = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *entries;
  JsonObject *entry;

  verified = verify (fixture->db, ticket->id, code, T0 + 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (verified->state, ==, "verified");

  again = verify (fixture->db, ticket->id, code, T0 + 11, NULL, &error);
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_USED);
  g_assert_null (again);
  g_clear_error (&error);

  resent = bd_central_db_otp_resend (fixture->db, "LKO-C", ticket->id, T0 + 100, NULL, NULL, &error);
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_USED);
  g_clear_error (&error);

  /* verify_mobile marked the mobile verified as a new version, with history. */
  consumer = bd_central_db_lookup_consumer (fixture->db, "LKO-C", ACCOUNT_A, &error);
  g_assert_no_error (error);
  g_assert_true (bd_consumer_get_mobile_verified (consumer));
  g_assert_cmpint (bd_consumer_get_version (consumer), ==, 2);
  g_assert_cmpint (bd_consumer_get_updated_at (consumer), ==, T0 + 10);

  history = bd_central_db_history (fixture->db, "LKO-C", ACCOUNT_A, 10, &error);
  g_assert_no_error (error);
  entries = json_object_get_array_member (json_node_get_object (history), "entries");
  g_assert_cmpuint (json_array_get_length (entries), ==, 1);
  entry = json_array_get_object_element (entries, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "action"), ==, "mobile_verified");
  g_assert_cmpstr (json_object_get_string_member (entry, "to"), ==, "98XXXXXX01");
  g_assert_cmpstr (json_object_get_string_member (entry, "by"), ==, "operator");
}

static void
test_otp_attempts (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *code = NULL;
  g_autofree char *wrong = NULL;
  g_autoptr(BdCentralOtpTicket) ticket = request_ok (fixture->db, ACCOUNT_A, BD_CENTRAL_OTP_REGISTRATION,
                                                     NULL, T0, &code);
  g_autoptr(BdCentralOtpTicket) state = NULL;
  g_autoptr(BdCentralOtpTicket) right = NULL;
  g_autoptr(GError) error = NULL;

  wrong = wrong_code (code);
  for (int i = 1; i < BD_CENTRAL_OTP_ATTEMPTS; i++)
    {
      g_autoptr(BdCentralOtpTicket) none = NULL;
      int attempts_left = -1;

      none = verify (fixture->db, ticket->id, wrong, T0 + i, &attempts_left, &error);
      g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_WRONG);
      g_assert_null (none);
      g_assert_cmpint (attempts_left, ==, BD_CENTRAL_OTP_ATTEMPTS - i);
      g_clear_error (&error);
    }

  /* The fifth wrong code kills it; then even the right one is refused. */
  g_assert_null (verify (fixture->db, ticket->id, wrong, T0 + 10, NULL, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_LOCKED);
  g_clear_error (&error);
  right = verify (fixture->db, ticket->id, code, T0 + 11, NULL, &error);
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_LOCKED);
  g_assert_null (right);
  g_clear_error (&error);

  state = bd_central_db_otp_get (fixture->db, "LKO-C", ticket->id, T0 + 12, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state->state, ==, "locked");
  g_assert_cmpint (state->attempts_left, ==, 0);
}

static void
test_otp_resend (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *code = NULL;
  g_autofree char *new_code = NULL;
  g_autofree char *wrong = NULL;
  g_autoptr(BdCentralOtpTicket) ticket = request_ok (fixture->db, ACCOUNT_A, BD_CENTRAL_OTP_REGISTRATION,
                                                     NULL, T0, &code);
  g_autoptr(BdCentralOtpTicket) early = NULL;
  g_autoptr(BdCentralOtpTicket) resent = NULL;
  g_autoptr(BdCentralOtpTicket) old = NULL;
  g_autoptr(BdCentralOtpTicket) verified = NULL;
  g_autoptr(GError) error = NULL;
  gint64 retry_after = -1;
  int attempts_left = -1;

  wrong = wrong_code (code);
  g_assert_null (verify (fixture->db, ticket->id, wrong, T0 + 1, NULL, &error));
  g_clear_error (&error);

  early = bd_central_db_otp_resend (fixture->db, "LKO-C", ticket->id, T0 + 10, NULL, &retry_after, &error);
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_RATE_LIMITED);
  g_assert_cmpint (retry_after, ==, BD_CENTRAL_OTP_RESEND_COOLDOWN_S - 10);
  g_clear_error (&error);

  resent = bd_central_db_otp_resend (fixture->db, "LKO-C", ticket->id, T0 + 30, &new_code, &retry_after, &error);
  g_assert_no_error (error);
  g_assert_cmpint (resent->attempts_left, ==, BD_CENTRAL_OTP_ATTEMPTS);
  g_assert_cmpint (resent->expires_at, ==, T0 + 30 + BD_CENTRAL_OTP_LIFETIME_S);
  g_assert_cmpint (resent->sends_left, ==, 1);

  /* The old code died with the resend (unless the draw repeated it). */
  if (!g_str_equal (code, new_code))
    {
      old = verify (fixture->db, ticket->id, code, T0 + 31, &attempts_left, &error);
      g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_WRONG);
      g_assert_cmpint (attempts_left, ==, BD_CENTRAL_OTP_ATTEMPTS - 1);
      g_clear_error (&error);
    }
  verified = verify (fixture->db, ticket->id, new_code, T0 + 32, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (verified->state, ==, "verified");
}

static void
assert_limited (BdCentralDb *db,
                const char  *account,
                const char  *purpose,
                const char  *mobile,
                gint64       now,
                gint64       expected_retry_after)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdCentralOtpTicket) ticket = NULL;
  gint64 retry_after = -1;

  ticket = bd_central_db_otp_request (db, "LKO-C", account, purpose, mobile, "operator", now,
                                      NULL, &retry_after, &error);
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_RATE_LIMITED);
  g_assert_null (ticket);
  g_assert_cmpint (retry_after, ==, expected_retry_after);
}

static void
drop (BdCentralOtpTicket *ticket)
{
  bd_central_otp_ticket_free (ticket);
}

static void
test_limit_per_account (Fixture       *fixture,
                        gconstpointer  data)
{
  const gint64 spread = BD_CENTRAL_OTP_WINDOW_S + 1;

  /* Three different new numbers for one account: the account's limit. */
  for (guint i = 0; i < BD_CENTRAL_OTP_WINDOW_MAX; i++)
    {
      g_autofree char *mobile = g_strdup_printf ("70000000%02u", i);
      g_autoptr(BdCentralOtpTicket) ticket = request_ok (fixture->db, ACCOUNT_B, BD_CENTRAL_OTP_CHANGE_MOBILE,
                                                         mobile, T0 + i * 60, NULL);

      g_assert_cmpint (ticket->sends_left, ==, BD_CENTRAL_OTP_WINDOW_MAX - 1 - (int) i);
    }
  assert_limited (fixture->db, ACCOUNT_B, BD_CENTRAL_OTP_CHANGE_MOBILE, "7000000099",
                  T0 + 300, BD_CENTRAL_OTP_WINDOW_S - 300);

  /* Once the first send has left the window, one more is allowed, and so
   * on, one per window, until ten were sent that day. */
  for (guint i = 0; i < BD_CENTRAL_OTP_DAY_MAX - BD_CENTRAL_OTP_WINDOW_MAX; i++)
    {
      g_autofree char *mobile = g_strdup_printf ("71000000%02u", i);

      drop (request_ok (fixture->db, ACCOUNT_B, BD_CENTRAL_OTP_CHANGE_MOBILE, mobile,
                        T0 + BD_CENTRAL_OTP_WINDOW_S + i * spread, NULL));
    }
  /* The 11th waits until the day's first send (at T0) is 24 h old. */
  assert_limited (fixture->db, ACCOUNT_B, BD_CENTRAL_OTP_CHANGE_MOBILE, "7200000000",
                  T0 + BD_CENTRAL_OTP_WINDOW_S + 7 * spread,
                  BD_CENTRAL_OTP_DAY_S - BD_CENTRAL_OTP_WINDOW_S - 7 * spread);
}

static void
test_limit_per_mobile (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *accounts[] = { ACCOUNT_A, ACCOUNT_B, ACCOUNT_C };

  /* One number given as the new mobile of three accounts: the mobile's limit. */
  for (guint i = 0; i < G_N_ELEMENTS (accounts); i++)
    drop (request_ok (fixture->db, accounts[i], BD_CENTRAL_OTP_CHANGE_MOBILE, "8000000001", T0 + i, NULL));
  assert_limited (fixture->db, ACCOUNT_D, BD_CENTRAL_OTP_CHANGE_MOBILE, "8000000001",
                  T0 + 10, BD_CENTRAL_OTP_WINDOW_S - 10);
}

static void
test_limits_survive_restart (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *code = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GError) error = NULL;
  int attempts_left = -1;

  for (guint i = 0; i < BD_CENTRAL_OTP_WINDOW_MAX; i++)
    {
      g_autoptr(BdCentralOtpTicket) ticket = request_ok (fixture->db, ACCOUNT_C, BD_CENTRAL_OTP_VERIFY_MOBILE,
                                                         NULL, T0 + i, i == 2 ? &code : NULL);

      g_free (id);
      id = g_strdup (ticket->id);
    }
  wrong = wrong_code (code);
  g_assert_null (verify (fixture->db, id, wrong, T0 + 5, NULL, &error));
  g_clear_error (&error);

  /* A new connection, as after a restart. */
  g_clear_object (&fixture->db);
  fixture->db = open_db (fixture);

  assert_limited (fixture->db, ACCOUNT_C, BD_CENTRAL_OTP_VERIFY_MOBILE, NULL, T0 + 20,
                  BD_CENTRAL_OTP_WINDOW_S - 20);
  g_assert_null (verify (fixture->db, id, wrong, T0 + 21, &attempts_left, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_WRONG);
  g_assert_cmpint (attempts_left, ==, BD_CENTRAL_OTP_ATTEMPTS - 2);
}

/* "table.column" of every text or blob cell holding secret, each once. */
static GPtrArray *
where_found (BdCentralDb *db,
             const char  *secret)
{
  BdSqlConnection *connection = bd_central_db_get_connection (db);
  g_autoptr(BdSqlStmt) tables = NULL;
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);
  gsize secret_length = strlen (secret);
  g_autoptr(GError) error = NULL;

  if (bd_sql_connection_get_dialect (connection) == BD_SQL_DIALECT_POSTGRESQL)
    tables = bd_sql_connection_prepare (connection,
                                        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema ()",
                                        &error);
  else
    tables = bd_sql_connection_prepare (connection, "SELECT name FROM sqlite_master WHERE type = 'table'", &error);
  g_assert_no_error (error);
  while (bd_sql_stmt_step (tables) == BD_SQL_ROW)
    {
      const char *table = bd_sql_stmt_column_text (tables, 0);
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\"", table);
      g_autoptr(BdSqlStmt) rows = bd_sql_connection_prepare (connection, sql, &error);

      g_assert_no_error (error);
      while (bd_sql_stmt_step (rows) == BD_SQL_ROW)
        for (int c = 0; c < bd_sql_stmt_column_count (rows); c++)
          {
            const guint8 *data;
            gsize length;
            char *label;

            if (bd_sql_stmt_column_is_null (rows, c) || bd_sql_stmt_column_is_number (rows, c))
              continue;
            data = bd_sql_stmt_column_blob (rows, c);
            length = (gsize) bd_sql_stmt_column_bytes (rows, c);
            if (length < secret_length || memmem (data, length, secret, secret_length) == NULL)
              continue;

            label = g_strdup_printf ("%s.%s", table, bd_sql_stmt_column_name (rows, c));
            if (g_ptr_array_find_with_equal_func (found, label, g_str_equal, NULL))
              g_free (label);
            else
              g_ptr_array_add (found, label);
          }
    }

  return found;
}

static void
run_gateway (BdCentralDb *db,
             gint64       from_ms,
             gint64       to_ms,
             double       failure_rate,
             gboolean     keep_secrets)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GError) error = NULL;

  for (gint64 now_ms = from_ms; now_ms <= to_ms; now_ms += 100)
    {
      gint64 next = 0;

      g_assert_true (bd_central_db_sms_process (db, now_ms, failure_rate, rand, keep_secrets, &next, &error));
      g_assert_no_error (error);
    }
}

static void
test_hash_only (Fixture       *fixture,
                gconstpointer  data)
{
  gboolean demo = GPOINTER_TO_INT (data);
  g_autofree char *code = NULL;
  g_autofree char *temporary = NULL;
  g_autoptr(BdCentralOtpTicket) ticket = request_ok (fixture->db, ACCOUNT_D, BD_CENTRAL_OTP_REGISTRATION,
                                                     NULL, T0, &code);
  g_autoptr(BdCentralOtpTicket) queued = NULL;
  g_autoptr(BdCentralOtpTicket) delivered = NULL;
  g_autoptr(BdCentralOtpTicket) verified = NULL;
  g_autoptr(BdCentralRegistration) registration = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GPtrArray) found_password = NULL;
  g_autoptr(GError) error = NULL;

  /* Before delivery the queued SMS holds the code, as a real gateway's queue would. */
  queued = bd_central_db_otp_get (fixture->db, "LKO-C", ticket->id, T0, &error);
  g_assert_cmpstr (queued->delivery, ==, "queued");
  found = where_found (fixture->db, code);
  g_assert_cmpuint (found->len, >, 0);
  for (guint i = 0; i < found->len; i++)
    g_assert_true (g_str_has_prefix (g_ptr_array_index (found, i), "sms_outbox."));
  g_clear_pointer (&found, g_ptr_array_unref);

  verified = verify (fixture->db, ticket->id, code, T0 + 1, NULL, &error);
  g_assert_no_error (error);
  registration = bd_central_db_register (fixture->db, "LKO-C", ACCOUNT_D, ticket->id, "ramesh.k",
                                         NULL, "operator", "operator", T0 + 2, &temporary, &error);
  g_assert_no_error (error);
  g_assert_true (registration->temporary_password_sent);
  g_assert_nonnull (temporary);

  run_gateway (fixture->db, T0 * 1000, T0 * 1000 + 5000, 0, demo);
  delivered = bd_central_db_otp_get (fixture->db, "LKO-C", ticket->id, T0 + 5, &error);
  g_assert_cmpstr (delivered->delivery, ==, "delivered");

  found = where_found (fixture->db, code);
  found_password = where_found (fixture->db, temporary);
  if (demo)
    {
      /* Demo mode keeps the texts for GET /demo/sms, and only there. */
      g_assert_cmpuint (found->len, >, 0);
      for (guint i = 0; i < found->len; i++)
        g_assert_true (g_str_has_prefix (g_ptr_array_index (found, i), "sms_outbox."));
      for (guint i = 0; i < found_password->len; i++)
        g_assert_true (g_str_has_prefix (g_ptr_array_index (found_password, i), "sms_outbox."));
    }
  else
    {
      g_autoptr(JsonNode) messages = bd_central_db_sms_list (fixture->db, "LKO-C", "9876500004", 20, &error);
      g_autofree char *text = bd_json_to_string (messages);

      g_assert_cmpuint (found->len, ==, 0);
      g_assert_cmpuint (found_password->len, ==, 0);
      g_assert_nonnull (strstr (text, "******"));
    }
}

static void
test_sms_failure (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *code = NULL;
  g_autoptr(BdCentralOtpTicket) ticket = request_ok (fixture->db, ACCOUNT_A, BD_CENTRAL_OTP_VERIFY_MOBILE,
                                                     NULL, T0, &code);
  g_autoptr(BdCentralOtpTicket) retrying = NULL;
  g_autoptr(BdCentralOtpTicket) failed = NULL;
  g_autoptr(JsonNode) messages = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *message;

  /* 0.5 s, then retries after 1, 2, 4, 4 s: the fifth attempt is at 11.5 s. */
  run_gateway (fixture->db, T0 * 1000, T0 * 1000 + 11000, 1.0, FALSE);
  retrying = bd_central_db_otp_get (fixture->db, "LKO-C", ticket->id, T0 + 11, &error);
  g_assert_cmpstr (retrying->delivery, ==, "queued");

  run_gateway (fixture->db, T0 * 1000 + 11100, T0 * 1000 + 20000, 1.0, FALSE);
  failed = bd_central_db_otp_get (fixture->db, "LKO-C", ticket->id, T0 + 20, &error);
  g_assert_cmpstr (failed->delivery, ==, "failed");

  messages = bd_central_db_sms_list (fixture->db, "LKO-C", MOBILE_A, 20, &error);
  g_assert_no_error (error);
  message = json_array_get_object_element (json_object_get_array_member (json_node_get_object (messages), "messages"), 0);
  g_assert_cmpstr (json_object_get_string_member (message, "status"), ==, "failed");
  g_assert_cmpint (json_object_get_int_member (message, "attempts"), ==, BD_CENTRAL_SMS_MAX_ATTEMPTS);

  /* A final failure scrubs the code like a delivery. */
  found = where_found (fixture->db, code);
  g_assert_cmpuint (found->len, ==, 0);
}

static void
test_register (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *code = NULL;
  g_autofree char *code_b = NULL;
  g_autoptr(BdCentralOtpTicket) ticket = request_ok (fixture->db, ACCOUNT_A, BD_CENTRAL_OTP_REGISTRATION,
                                                     NULL, T0, &code);
  g_autoptr(BdCentralOtpTicket) ticket_b = request_ok (fixture->db, ACCOUNT_B, BD_CENTRAL_OTP_REGISTRATION,
                                                       NULL, T0, &code_b);
  g_autoptr(BdCentralOtpTicket) used = NULL;
  g_autoptr(BdCentralRegistration) registration = NULL;
  g_autoptr(BdCentralRegistration) looked_up = NULL;
  g_autoptr(GError) error = NULL;

  /* Not verified yet. */
  g_assert_null (bd_central_db_register (fixture->db, "LKO-C", ACCOUNT_A, ticket->id, "sunita",
                                         "secret123", "operator", "operator", T0 + 1, NULL, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_NOT_VERIFIED);
  g_clear_error (&error);

  drop (verify (fixture->db, ticket->id, code, T0 + 2, NULL, &error));
  g_assert_no_error (error);

  /* Another account's OTP does not register this one. */
  g_assert_null (bd_central_db_register (fixture->db, "LKO-C", ACCOUNT_B, ticket->id, "sunita",
                                         "secret123", "operator", "operator", T0 + 3, NULL, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_NOT_VERIFIED);
  g_clear_error (&error);

  /* Verified more than 10 minutes ago is too old. */
  g_assert_null (bd_central_db_register (fixture->db, "LKO-C", ACCOUNT_A, ticket->id, "sunita",
                                         "secret123", "operator", "operator",
                                         T0 + 3 + BD_CENTRAL_OTP_REGISTER_WITHIN_S, NULL, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_NOT_VERIFIED);
  g_clear_error (&error);

  registration = bd_central_db_register (fixture->db, "LKO-C", ACCOUNT_A, ticket->id, "sunita",
                                         "secret123", "operator", "operator", T0 + 60, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (registration->temporary_password_sent);
  g_assert_cmpint (registration->registered_at, ==, T0 + 60);

  used = bd_central_db_otp_get (fixture->db, "LKO-C", ticket->id, T0 + 61, &error);
  g_assert_cmpstr (used->state, ==, "used");

  g_assert_null (bd_central_db_register (fixture->db, "LKO-C", ACCOUNT_A, ticket->id, "sunita2",
                                         NULL, "operator", "operator", T0 + 62, NULL, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_ALREADY_REGISTERED);
  g_clear_error (&error);
  g_assert_null (bd_central_db_otp_request (fixture->db, "LKO-C", ACCOUNT_A, BD_CENTRAL_OTP_REGISTRATION,
                                            NULL, "operator", T0 + 63, NULL, NULL, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_ALREADY_REGISTERED);
  g_clear_error (&error);

  drop (verify (fixture->db, ticket_b->id, code_b, T0 + 64, NULL, &error));
  g_assert_null (bd_central_db_register (fixture->db, "LKO-C", ACCOUNT_B, ticket_b->id, "sunita",
                                         NULL, "operator", "operator", T0 + 65, NULL, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_USERNAME_TAKEN);
  g_clear_error (&error);

  looked_up = bd_central_db_lookup_registration (fixture->db, "LKO-C", ACCOUNT_A, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (looked_up->username, ==, "sunita");
  g_assert_null (bd_central_db_lookup_registration (fixture->db, "LKO-C", ACCOUNT_B, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_NOT_REGISTERED);
  g_clear_error (&error);

  g_assert_null (bd_central_db_otp_request (fixture->db, "LKO-C", ACCOUNT_NONE, BD_CENTRAL_OTP_VERIFY_MOBILE,
                                            NULL, "operator", T0, NULL, NULL, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_NO_MOBILE);
}

static void
test_change_mobile (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *code = NULL;
  g_autoptr(BdCentralOtpTicket) ticket = request_ok (fixture->db, ACCOUNT_NONE, BD_CENTRAL_OTP_CHANGE_MOBILE,
                                                     "9123456789", T0, &code);
  g_autoptr(BdCentralOtpTicket) verified = NULL;
  g_autoptr(BdConsumer) consumer = NULL;
  g_autoptr(BdChangesPage) page = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (ticket->mobile, ==, "9123456789");
  verified = verify (fixture->db, ticket->id, code, T0 + 5, NULL, &error);
  g_assert_no_error (error);

  consumer = bd_central_db_lookup_consumer (fixture->db, "LKO-C", ACCOUNT_NONE, &error);
  g_assert_cmpstr (bd_consumer_get_mobile (consumer), ==, "9123456789");
  g_assert_true (bd_consumer_get_mobile_verified (consumer));
  g_assert_cmpint (bd_consumer_get_version (consumer), ==, 2);

  /* The new version is the last change of the zone's feed. */
  page = bd_central_db_changes (fixture->db, "LKO-C", 5, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->consumers->len, ==, 1);
  g_assert_cmpstr (bd_consumer_get_account (g_ptr_array_index (page->consumers, 0)), ==, ACCOUNT_NONE);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = bd_json_parse (text, -1, &error);

  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

static void
test_indexing_patch (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JsonObject) changes = parse_object (
    "{\"email\":{\"from\":null,\"to\":\"ramesh@example.in\"},"
    " \"feeder\":{\"from\":\"ALG-F03\",\"to\":\"ALG-F04\"},"
    " \"aadhaar\":{\"from\":null,\"to\":{\"last4\":\"1234\",\"salt\":\"00112233445566778899aabbccddeeff\","
    "   \"hash\":\"0011223344556677889900112233445566778899001122334455667788990011\"}},"
    " \"pan\":{\"from\":\"ABCPE1234F\",\"to\":\"ABCPE9999F\"}}");
  g_autoptr(JsonObject) again = parse_object ("{\"email\":{\"from\":null,\"to\":\"x@example.in\"}}");
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonNode) indexing = NULL;
  g_autoptr(JsonNode) history = NULL;
  g_autoptr(BdConsumer) consumer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *replay_body = NULL;
  g_autofree char *history_text = NULL;
  JsonObject *result;
  JsonArray *conflicts;
  gboolean replayed = TRUE;
  guint status = 0;
  guint replay_status = 0;

  indexing = bd_central_db_indexing_get (fixture->db, "LKO-C", ACCOUNT_A, &error);
  g_assert_no_error (error);
  result = json_node_get_object (indexing);
  g_assert_cmpint (json_object_get_int_member (result, "version"), ==, 0);
  g_assert_true (json_object_get_null_member (result, "email"));
  g_assert_cmpstr (json_object_get_string_member (result, "feeder"), ==, "ALG-F03");

  g_assert_true (bd_central_db_indexing_patch (fixture->db, "LKO-C", ACCOUNT_A, changes, "key-00000001",
                                               "hash-1", "operator", "operator", T0, &status, &body,
                                               &replayed, &error));
  g_assert_no_error (error);
  g_assert_false (replayed);
  g_assert_cmpuint (status, ==, 200);

  answer = parse_object (body);
  result = json_object_get_object_member (answer, "indexing");
  g_assert_cmpint (json_object_get_int_member (result, "version"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (result, "email"), ==, "ramesh@example.in");
  g_assert_cmpstr (json_object_get_string_member (result, "feeder"), ==, "ALG-F04");
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (result, "aadhaar")), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (answer, "applied")), ==, 3);
  /* The desk thought PAN was ABCPE1234F; the server has none: a conflict, not applied. */
  conflicts = json_object_get_array_member (answer, "conflicts");
  g_assert_cmpuint (json_array_get_length (conflicts), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (conflicts, 0), "field"), ==, "pan");
  g_assert_true (json_object_get_null_member (result, "pan"));

  consumer = bd_central_db_lookup_consumer (fixture->db, "LKO-C", ACCOUNT_A, &error);
  g_assert_cmpstr (bd_consumer_get_feeder (consumer), ==, "ALG-F04");
  g_assert_cmpint (bd_consumer_get_version (consumer), ==, 2);

  /* The same key again: the same answer, nothing applied twice. */
  g_assert_true (bd_central_db_indexing_patch (fixture->db, "LKO-C", ACCOUNT_A, changes, "key-00000001",
                                               "hash-1", "operator", "operator", T0 + 5, &replay_status,
                                               &replay_body, &replayed, &error));
  g_assert_true (replayed);
  g_assert_cmpuint (replay_status, ==, status);
  g_assert_cmpstr (replay_body, ==, body);
  history = bd_central_db_history (fixture->db, "LKO-C", ACCOUNT_A, 50, &error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (history), "entries")), ==, 3);
  history_text = bd_json_to_string (history);
  g_assert_null (strstr (history_text, "ramesh@"));
  g_assert_nonnull (strstr (history_text, "r***@example.in"));
  g_assert_nonnull (strstr (history_text, "XXXX-XXXX-1234"));
  g_assert_null (strstr (history_text, "00112233"));

  /* The key with other content is refused. */
  g_assert_false (bd_central_db_indexing_patch (fixture->db, "LKO-C", ACCOUNT_A, again, "key-00000001",
                                                "hash-2", "operator", "operator", T0 + 6, &status, &body,
                                                &replayed, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_IDEMPOTENCY_MISMATCH);
  g_clear_error (&error);

  /* A stale "from" (null, the email is set now) is a conflict. */
  g_clear_pointer (&body, g_free);
  g_assert_true (bd_central_db_indexing_patch (fixture->db, "LKO-C", ACCOUNT_A, again, "key-00000002",
                                               "hash-3", "operator", "operator", T0 + 7, &status, &body,
                                               &replayed, &error));
  g_clear_pointer (&answer, json_object_unref);
  answer = parse_object (body);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (answer, "conflicts")), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (answer, "applied")), ==, 0);
}

static void
test_zone_scoping (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(BdCentralOtpTicket) ticket = request_ok (fixture->db, ACCOUNT_A, BD_CENTRAL_OTP_VERIFY_MOBILE,
                                                     NULL, T0, NULL);
  g_autoptr(JsonObject) changes = parse_object ("{\"email\":{\"from\":null,\"to\":\"a@b.in\"}}");
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  gboolean replayed;
  guint status;

#define ASSERT_NOT_FOUND(call) \
  G_STMT_START { \
    g_assert_false ((call) != 0); \
    g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND); \
    g_clear_error (&error); \
  } G_STMT_END

  ASSERT_NOT_FOUND (bd_central_db_otp_request (fixture->db, "LKO-E", ACCOUNT_A, BD_CENTRAL_OTP_VERIFY_MOBILE,
                                               NULL, "operator.east", T0, NULL, NULL, &error));
  ASSERT_NOT_FOUND (bd_central_db_otp_get (fixture->db, "LKO-E", ticket->id, T0, &error));
  ASSERT_NOT_FOUND (bd_central_db_otp_resend (fixture->db, "LKO-E", ticket->id, T0 + 60, NULL, NULL, &error));
  ASSERT_NOT_FOUND (bd_central_db_otp_verify (fixture->db, "LKO-E", ticket->id, "123456", "operator.east",
                                              "operator", T0, NULL, &error));
  ASSERT_NOT_FOUND (bd_central_db_register (fixture->db, "LKO-E", ACCOUNT_A, ticket->id, "someone", NULL,
                                            "operator.east", "operator", T0, NULL, &error));
  ASSERT_NOT_FOUND (bd_central_db_lookup_registration (fixture->db, "LKO-E", ACCOUNT_A, &error));
  ASSERT_NOT_FOUND (bd_central_db_indexing_get (fixture->db, "LKO-E", ACCOUNT_A, &error));
  ASSERT_NOT_FOUND (bd_central_db_indexing_patch (fixture->db, "LKO-E", ACCOUNT_A, changes, "key-zone-1",
                                                  "h", "operator.east", "operator", T0, &status, &body,
                                                  &replayed, &error));
  ASSERT_NOT_FOUND (bd_central_db_history (fixture->db, "LKO-E", ACCOUNT_A, 10, &error));

#undef ASSERT_NOT_FOUND
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("/central-otp/expiry", test_otp_expiry, NULL);
  ADD ("/central-otp/single-use", test_otp_single_use, NULL);
  ADD ("/central-otp/attempts", test_otp_attempts, NULL);
  ADD ("/central-otp/resend", test_otp_resend, NULL);
  ADD ("/central-otp/limit-per-account", test_limit_per_account, NULL);
  ADD ("/central-otp/limit-per-mobile", test_limit_per_mobile, NULL);
  ADD ("/central-otp/limits-survive-restart", test_limits_survive_restart, NULL);
  ADD ("/central-otp/hash-only", test_hash_only, GINT_TO_POINTER (FALSE));
  ADD ("/central-otp/hash-only-demo", test_hash_only, GINT_TO_POINTER (TRUE));
  ADD ("/central-otp/sms-failure", test_sms_failure, NULL);
  ADD ("/central-otp/register", test_register, NULL);
  ADD ("/central-otp/change-mobile", test_change_mobile, NULL);
  ADD ("/central-indexing/patch", test_indexing_patch, NULL);
  ADD ("/central-otp/zone-scoping", test_zone_scoping, NULL);

#undef ADD

  return g_test_run ();
}
