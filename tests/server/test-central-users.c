/* test-central-users.c: an administrator manages the staff of their zone;
 * disabling, a new password and "sign out everywhere" end sessions at
 * once, and nobody can lock themselves out.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "central-test-url.h"

#include "core/bd-validate.h"
#include "server/bd-central-db.h"
#include "server/bd-central-db-audit.h"
#include "server/bd-central-db-users.h"
#include "store/bd-database.h"

#define T0 G_GINT64_CONSTANT (1795000000)
#define ITERATIONS 1000

typedef struct {
  BdCentralDb *db;
  BdSession   *admin;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->db = bd_central_db_open (central_test_url (":memory:"), &error);
  g_assert_no_error (error);
  g_assert_true (bd_central_db_ensure_zone (fixture->db, "LKO-C", "Lucknow Central", &error));
  g_assert_true (bd_central_db_ensure_zone (fixture->db, "LKO-E", "Lucknow East", &error));
  g_assert_true (bd_central_db_ensure_user (fixture->db, "admin", "Meera Dixit", BD_ROLE_ADMIN, "LKO-C",
                                            "bijli-admin", ITERATIONS, &error));
  g_assert_true (bd_central_db_ensure_user (fixture->db, "operator.east", "Sana Khan", BD_ROLE_OPERATOR, "LKO-E",
                                            "bijli-operator", ITERATIONS, &error));
  g_assert_true (bd_central_db_ensure_user (fixture->db, "supervisor", "R. K. Tiwari", BD_ROLE_SUPERVISOR, "LKO-C",
                                            "bijli-supervisor", ITERATIONS, &error));
  fixture->admin = bd_central_db_sign_in (fixture->db, "admin", "bijli-admin", T0, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->admin);
  g_clear_object (&fixture->db);
}

static JsonObject *
find_user (JsonNode   *list,
           const char *username)
{
  JsonArray *users = json_object_get_array_member (json_node_get_object (list), "users");

  for (guint i = 0; i < json_array_get_length (users); i++)
    {
      JsonObject *user = json_array_get_object_element (users, i);

      if (g_str_equal (json_object_get_string_member (user, "username"), username))
        return user;
    }
  return NULL;
}

static void
test_create_and_list (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(BdSession) session = NULL;
  g_autoptr(BdSession) supervisor = NULL;
  JsonObject *user;

  g_assert_false (bd_central_db_user_create (fixture->db, fixture->admin, "priya.k", "Priya", BD_ROLE_OPERATOR,
                                             "short", ITERATIONS, T0, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (bd_central_db_user_create (fixture->db, fixture->admin, "9priya", "Priya", BD_ROLE_OPERATOR,
                                             "monsoon-kite-77", ITERATIONS, T0, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (bd_central_db_user_create (fixture->db, fixture->admin, "priya.k", "Line\nbreak",
                                             BD_ROLE_OPERATOR, "monsoon-kite-77", ITERATIONS, T0, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  g_assert_true (bd_central_db_user_create (fixture->db, fixture->admin, " Priya.K ", "Priya Kumari",
                                            BD_ROLE_OPERATOR, "monsoon-kite-77", ITERATIONS, T0 + 1, &error));
  g_assert_no_error (error);
  /* Unique across zones, since signing in names no zone. */
  g_assert_false (bd_central_db_user_create (fixture->db, fixture->admin, "operator.east", "Someone",
                                             BD_ROLE_OPERATOR, "monsoon-kite-77", ITERATIONS, T0, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_USERNAME_TAKEN);
  g_clear_error (&error);

  session = bd_central_db_sign_in (fixture->db, "priya.k", "monsoon-kite-77", T0 + 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bd_session_get_role (session), ==, BD_ROLE_OPERATOR);
  g_assert_cmpstr (bd_session_get_zone (session), ==, "LKO-C");

  list = bd_central_db_users_list (fixture->db, fixture->admin, T0 + 3, &error);
  g_assert_no_error (error);
  user = find_user (list, "priya.k");
  g_assert_nonnull (user);
  g_assert_cmpstr (json_object_get_string_member (user, "display_name"), ==, "Priya Kumari");
  g_assert_cmpint (json_object_get_int_member (user, "active_sessions"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (user, "last_sign_in_at"), ==, "2026-11-18T11:06:42Z");
  g_assert_null (find_user (list, "operator.east"));

  /* Supervisors run the zone's work, not its staff. */
  supervisor = bd_central_db_sign_in (fixture->db, "supervisor", "bijli-supervisor", T0, &error);
  g_assert_no_error (error);
  g_assert_null (bd_central_db_users_list (fixture->db, supervisor, T0, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_false (bd_central_db_user_create (fixture->db, supervisor, "x.user", "X", BD_ROLE_ADMIN,
                                             "monsoon-kite-77", ITERATIONS, T0, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_FORBIDDEN);
}

static void
test_disable (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdSession) session = NULL;
  g_autoptr(BdSession) again = NULL;
  g_autoptr(BdSession) lookup = NULL;
  BdRole admin_role = BD_ROLE_ADMIN;
  BdRole agent_role = BD_ROLE_AGENT;

  session = bd_central_db_sign_in (fixture->db, "supervisor", "bijli-supervisor", T0, &error);
  g_assert_no_error (error);
  g_assert_true (bd_central_db_user_update (fixture->db, fixture->admin, "supervisor", NULL, NULL, 1, NULL, T0 + 1, &error));
  g_assert_no_error (error);

  lookup = bd_central_db_lookup_session (fixture->db, bd_session_get_token (session), T0 + 2, &error);
  g_assert_null (lookup);
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  g_assert_null (bd_central_db_sign_in (fixture->db, "supervisor", "bijli-supervisor", T0 + 3, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_ACCOUNT_DISABLED);
  g_clear_error (&error);
  /* A wrong password is only ever "wrong". */
  g_assert_null (bd_central_db_sign_in (fixture->db, "supervisor", "guess-guess", T0 + 3, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_CREDENTIALS);
  g_clear_error (&error);

  g_assert_true (bd_central_db_user_update (fixture->db, fixture->admin, "supervisor", NULL, &agent_role, 0, NULL,
                                            T0 + 4, &error));
  again = bd_central_db_sign_in (fixture->db, "supervisor", "bijli-supervisor", T0 + 5, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bd_session_get_role (again), ==, BD_ROLE_AGENT);

  /* Nobody locks themselves out; other zones' staff do not exist here. */
  g_assert_false (bd_central_db_user_update (fixture->db, fixture->admin, "admin", NULL, NULL, 1, NULL, T0, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_false (bd_central_db_user_update (fixture->db, fixture->admin, "admin", NULL, &agent_role, -1, NULL, T0, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_true (bd_central_db_user_update (fixture->db, fixture->admin, "admin", "Meera Dixit", &admin_role, 0, NULL,
                                            T0, &error));
  g_assert_false (bd_central_db_user_update (fixture->db, fixture->admin, "operator.east", NULL, NULL, 1, NULL, T0, &error));
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND);
}

static void
test_password_and_sessions (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdSession) first = NULL;
  g_autoptr(BdSession) second = NULL;
  g_autoptr(BdSession) lookup = NULL;
  g_autoptr(JsonNode) audit = NULL;
  g_autofree char *audit_text = NULL;
  gint64 count = 0, broken = 0;

  first = bd_central_db_sign_in (fixture->db, "supervisor", "bijli-supervisor", T0, &error);
  g_assert_no_error (error);
  g_assert_false (bd_central_db_user_reset_password (fixture->db, fixture->admin, "supervisor", "supervisor-2026-x",
                                                     ITERATIONS, T0 + 1, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_true (bd_central_db_user_reset_password (fixture->db, fixture->admin, "supervisor", "river-lantern-42",
                                                    ITERATIONS, T0 + 1, &error));
  g_assert_no_error (error);
  lookup = bd_central_db_lookup_session (fixture->db, bd_session_get_token (first), T0 + 2, &error);
  g_assert_null (lookup);
  g_clear_error (&error);
  g_assert_null (bd_central_db_sign_in (fixture->db, "supervisor", "bijli-supervisor", T0 + 3, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_CREDENTIALS);
  g_clear_error (&error);
  second = bd_central_db_sign_in (fixture->db, "supervisor", "river-lantern-42", T0 + 4, &error);
  g_assert_no_error (error);

  g_assert_cmpint (bd_central_db_user_revoke_sessions (fixture->db, fixture->admin, "supervisor", T0 + 5, &error), ==, 1);
  g_assert_no_error (error);
  lookup = bd_central_db_lookup_session (fixture->db, bd_session_get_token (second), T0 + 6, &error);
  g_assert_null (lookup);
  g_clear_error (&error);
  g_assert_cmpint (bd_central_db_user_revoke_sessions (fixture->db, fixture->admin, "nobody", T0, &error), ==, -1);
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  audit = bd_central_db_audit_list (fixture->db, "LKO-C", "supervisor", 0, 50, &error);
  g_assert_no_error (error);
  audit_text = json_to_string (audit, FALSE);
  g_assert_nonnull (strstr (audit_text, "user.password_reset"));
  g_assert_nonnull (strstr (audit_text, "user.sessions_revoked"));
  g_assert_null (strstr (audit_text, "river-lantern-42"));
  g_assert_true (bd_central_db_audit_verify (fixture->db, &count, &broken, &error));
}

/* A relief supervisor works in a second zone, one session per zone. */
static void
test_zones (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdSession) east = NULL;
  g_autoptr(BdSession) lookup = NULL;
  g_autoptr(JsonNode) user = NULL;
  const char *east_only[] = { "LKO-E", NULL };
  const char *none[] = { NULL };
  JsonArray *zones;

  /* Only zones the administrator works in can be given. */
  g_assert_false (bd_central_db_user_update (fixture->db, fixture->admin, "supervisor", NULL, NULL, -1, east_only,
                                             T0, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_true (bd_sql_connection_exec (bd_central_db_get_connection (fixture->db),
                                   "INSERT INTO user_zones (username, zone) VALUES ('admin', 'LKO-E')", &error));
  g_assert_true (bd_central_db_user_update (fixture->db, fixture->admin, "supervisor", NULL, NULL, -1, east_only,
                                            T0, &error));
  g_assert_no_error (error);
  user = bd_central_db_user_get (fixture->db, fixture->admin, "supervisor", T0, &error);
  zones = json_object_get_array_member (json_node_get_object (user), "zones");
  g_assert_cmpuint (json_array_get_length (zones), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (zones, 0), ==, "LKO-E");

  east = bd_central_db_sign_in_to_zone (fixture->db, "supervisor", "bijli-supervisor", "LKO-E", T0 + 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bd_session_get_zone (east), ==, "LKO-E");
  g_assert_cmpstr (bd_session_get_zone_name (east), ==, "Lucknow East");
  lookup = bd_central_db_lookup_session (fixture->db, bd_session_get_token (east), T0 + 2, &error);
  g_assert_cmpstr (bd_session_get_zone (lookup), ==, "LKO-E");
  g_clear_object (&lookup);
  g_assert_null (bd_central_db_sign_in_to_zone (fixture->db, "supervisor", "bijli-supervisor", "LKO-X", T0 + 3,
                                                NULL, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* Taken back: the session in that zone ends, and no new one opens. */
  g_assert_true (bd_central_db_user_update (fixture->db, fixture->admin, "supervisor", NULL, NULL, -1, none,
                                            T0 + 4, &error));
  lookup = bd_central_db_lookup_session (fixture->db, bd_session_get_token (east), T0 + 5, &error);
  g_assert_null (lookup);
  g_clear_error (&error);
  g_assert_null (bd_central_db_sign_in_to_zone (fixture->db, "supervisor", "bijli-supervisor", "LKO-E", T0 + 6,
                                                NULL, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_FORBIDDEN);
}

static gint64
stored_iterations (BdCentralDb *db,
                   const char  *username)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdSqlStmt) stmt = bd_sql_connection_prepare (bd_central_db_get_connection (db),
                                                      "SELECT password_iterations FROM users WHERE username = ?1",
                                                      &error);

  g_assert_no_error (error);
  bd_sql_stmt_bind_text (stmt, 1, username);
  g_assert_cmpint (bd_sql_stmt_step (stmt), ==, BD_SQL_ROW);
  return bd_sql_stmt_column_int64 (stmt, 0);
}

/* A cheaper hash from before the count was raised is replaced at the next
 * good sign-in, and only then. */
static void
test_rehash (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdSession) first = NULL;
  g_autoptr(BdSession) second = NULL;

  g_assert_cmpint (stored_iterations (fixture->db, "supervisor"), ==, ITERATIONS);
  bd_central_db_set_password_iterations (fixture->db, 2 * ITERATIONS);
  g_assert_null (bd_central_db_sign_in (fixture->db, "supervisor", "wrong-password", T0, &error));
  g_clear_error (&error);
  g_assert_cmpint (stored_iterations (fixture->db, "supervisor"), ==, ITERATIONS);
  first = bd_central_db_sign_in (fixture->db, "supervisor", "bijli-supervisor", T0 + 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stored_iterations (fixture->db, "supervisor"), ==, 2 * ITERATIONS);
  second = bd_central_db_sign_in (fixture->db, "supervisor", "bijli-supervisor", T0 + 2, &error);
  g_assert_no_error (error);
  g_assert_nonnull (second);
}

static void
test_password_rules (void)
{
  const char *weak[] = {
    "", "short", "aaaaaaaaaaaaaaaa", "Password123456", "!!uppcl2026!!", "xx-admin.lead-2026",
    "tab\there-and-more", "12345678901234",
  };

  for (guint i = 0; i < G_N_ELEMENTS (weak); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (bd_staff_password_check (weak[i], "admin.lead", &error));
      g_assert_nonnull (error);
    }
  g_assert_true (bd_staff_password_check ("monsoon-kite-77", "admin.lead", NULL));
  g_assert_true (bd_staff_password_check ("बिजली घर की चाबी", "admin.lead", NULL));
  g_assert_true (bd_staff_password_check ("river lantern forty two", NULL, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/central/users/create-and-list", Fixture, NULL, fixture_set_up, test_create_and_list, fixture_tear_down);
  g_test_add ("/central/users/disable", Fixture, NULL, fixture_set_up, test_disable, fixture_tear_down);
  g_test_add ("/central/users/password-and-sessions", Fixture, NULL, fixture_set_up, test_password_and_sessions,
              fixture_tear_down);
  g_test_add ("/central/users/zones", Fixture, NULL, fixture_set_up, test_zones, fixture_tear_down);
  g_test_add ("/central/users/rehash", Fixture, NULL, fixture_set_up, test_rehash, fixture_tear_down);
  g_test_add_func ("/central/users/password-rules", test_password_rules);

  return g_test_run ();
}
