/* test-offline-login.c: the verifier file behind offline sign-in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "core/bd-codec.h"
#include "store/bd-offline-login.h"

#define NOW      1763890000
#define PASSWORD "bijli-operator"
/* Few iterations: the suite also runs under valgrind. */
#define TEST_ITERATIONS 1000

typedef struct {
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("bd-test-offline-XXXXXX", &error);
  g_assert_no_error (error);
  /* A folder that does not exist yet: save creates it. */
  fixture->path = g_build_filename (fixture->dir, "offline", "operator.json", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *sub = g_path_get_dirname (fixture->path);

  g_unlink (fixture->path);
  g_rmdir (sub);
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static void
save (Fixture *fixture)
{
  g_autoptr(BdSession) online = bd_session_new ("secret-token", "operator", "Asha Verma", BD_ROLE_OPERATOR,
                                                "LKO-C", "Lucknow Central", NOW + 3600);
  g_autoptr(GError) error = NULL;

  g_assert_true (bd_offline_login_save_full (fixture->path, online, PASSWORD, NOW, TEST_ITERATIONS, &error));
  g_assert_no_error (error);
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(BdSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GStatBuf st;

  save (fixture);

  /* Only the desk's user can read it, and it holds neither the password
   * nor the server's token. */
  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (fixture->path, &text, NULL, NULL));
  g_assert_null (strstr (text, PASSWORD));
  g_assert_null (strstr (text, "secret-token"));

  session = bd_offline_login_verify (fixture->path, "operator", PASSWORD, NOW + 60, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
  g_assert_cmpstr (bd_session_get_token (session), ==, "");
  g_assert_cmpstr (bd_session_get_username (session), ==, "operator");
  g_assert_cmpstr (bd_session_get_display_name (session), ==, "Asha Verma");
  g_assert_cmpint (bd_session_get_role (session), ==, BD_ROLE_OPERATOR);
  g_assert_cmpstr (bd_session_get_zone (session), ==, "LKO-C");
  g_assert_cmpstr (bd_session_get_zone_name (session), ==, "Lucknow Central");
  g_assert_cmpint (bd_session_get_expires_at (session), ==, NOW + BD_OFFLINE_LOGIN_VALID_S);
}

static void
test_default_iterations (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(BdSession) online = bd_session_new ("t", "operator", NULL, BD_ROLE_SUPERVISOR,
                                                "LKO-C", NULL, NOW + 3600);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  JsonObject *object;

  g_assert_true (bd_offline_login_save (fixture->path, online, PASSWORD, NOW, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (fixture->path, &text, NULL, NULL));
  root = bd_json_parse (text, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (object, "iterations"), ==, BD_OFFLINE_LOGIN_ITERATIONS);
  g_assert_cmpuint (strlen (json_object_get_string_member (object, "salt")), ==, 32);
  g_assert_cmpuint (strlen (json_object_get_string_member (object, "verifier")), ==, 64);
  g_assert_cmpstr (json_object_get_string_member (object, "role"), ==, "supervisor");
}

static void
test_none_saved_and_other_user (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (bd_offline_login_verify (fixture->path, "operator", PASSWORD, NOW, &error));
  g_assert_error (error, BD_OFFLINE_LOGIN_ERROR, BD_OFFLINE_LOGIN_ERROR_NONE_SAVED);
  g_clear_error (&error);

  save (fixture);
  g_assert_null (bd_offline_login_verify (fixture->path, "agent", PASSWORD, NOW, &error));
  g_assert_error (error, BD_OFFLINE_LOGIN_ERROR, BD_OFFLINE_LOGIN_ERROR_NONE_SAVED);
}

static void
test_expiry (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(BdSession) session = NULL;
  g_autoptr(GError) error = NULL;

  save (fixture);
  session = bd_offline_login_verify (fixture->path, "operator", PASSWORD,
                                     NOW + BD_OFFLINE_LOGIN_VALID_S - 1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);

  g_assert_null (bd_offline_login_verify (fixture->path, "operator", PASSWORD,
                                          NOW + BD_OFFLINE_LOGIN_VALID_S, &error));
  g_assert_error (error, BD_OFFLINE_LOGIN_ERROR, BD_OFFLINE_LOGIN_ERROR_EXPIRED);
  g_clear_error (&error);

  /* A clock set far back does not reopen the window. */
  g_assert_null (bd_offline_login_verify (fixture->path, "operator", PASSWORD, NOW - 2 * 24 * 3600, &error));
  g_assert_error (error, BD_OFFLINE_LOGIN_ERROR, BD_OFFLINE_LOGIN_ERROR_EXPIRED);
}

static void
test_wrong_password_locks (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(BdSession) session = NULL;
  g_autoptr(GError) error = NULL;

  save (fixture);

  /* A wrong try, then a right one, resets the count. */
  g_assert_null (bd_offline_login_verify (fixture->path, "operator", "wrong", NOW, &error));
  g_assert_error (error, BD_OFFLINE_LOGIN_ERROR, BD_OFFLINE_LOGIN_ERROR_WRONG_PASSWORD);
  g_assert_nonnull (strstr (error->message, "4"));
  g_clear_error (&error);
  session = bd_offline_login_verify (fixture->path, "operator", PASSWORD, NOW, &error);
  g_assert_no_error (error);
  g_clear_object (&session);

  for (guint i = 1; i < BD_OFFLINE_LOGIN_MAX_FAILURES; i++)
    {
      g_assert_null (bd_offline_login_verify (fixture->path, "operator", "wrong", NOW, &error));
      g_assert_error (error, BD_OFFLINE_LOGIN_ERROR, BD_OFFLINE_LOGIN_ERROR_WRONG_PASSWORD);
      g_clear_error (&error);
    }
  g_assert_null (bd_offline_login_verify (fixture->path, "operator", "wrong", NOW, &error));
  g_assert_error (error, BD_OFFLINE_LOGIN_ERROR, BD_OFFLINE_LOGIN_ERROR_LOCKED);
  g_clear_error (&error);

  /* Locked: even the right password needs the server now. */
  g_assert_null (bd_offline_login_verify (fixture->path, "operator", PASSWORD, NOW, &error));
  g_assert_error (error, BD_OFFLINE_LOGIN_ERROR, BD_OFFLINE_LOGIN_ERROR_LOCKED);
  g_clear_error (&error);

  /* The next online sign-in writes a fresh record. */
  save (fixture);
  session = bd_offline_login_verify (fixture->path, "operator", PASSWORD, NOW, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
}

static void
test_damaged_and_forget (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  save (fixture);
  g_assert_true (g_file_set_contents (fixture->path, "{\"format\":1,\"username\":\"operator\"", -1, NULL));
  g_assert_null (bd_offline_login_verify (fixture->path, "operator", PASSWORD, NOW, &error));
  g_assert_error (error, BD_OFFLINE_LOGIN_ERROR, BD_OFFLINE_LOGIN_ERROR_DAMAGED);
  g_clear_error (&error);

  g_assert_true (bd_offline_login_forget (fixture->path, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
  /* Forgetting twice is fine. */
  g_assert_true (bd_offline_login_forget (fixture->path, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/offline-login/round-trip", test_round_trip);
  ADD ("/offline-login/default-iterations", test_default_iterations);
  ADD ("/offline-login/none-saved-and-other-user", test_none_saved_and_other_user);
  ADD ("/offline-login/expiry", test_expiry);
  ADD ("/offline-login/wrong-password-locks", test_wrong_password_locks);
  ADD ("/offline-login/damaged-and-forget", test_damaged_and_forget);

  return g_test_run ();
}
