/* test-central-audit.c: the audit log records sign-ins, views and writes,
 * refuses to be changed, and its hash chain shows where it was tampered
 * with.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "central-test-url.h"

#include "bd-central-db.h"
#include "bd-sql-connection.h"

/* Runs sql after removing the database's append-only guard, as someone
 * with the database in hand could (SQLite has a trigger per operation,
 * PostgreSQL one for both). */
static gboolean
exec_without_guard (BdCentralDb  *db,
                    const char   *sql,
                    GError      **error)
{
  BdSqlConnection *connection = bd_central_db_get_connection (db);
  const char *drop = bd_sql_connection_get_dialect (connection) == BD_SQL_DIALECT_POSTGRESQL
                       ? "DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log"
                       : "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete";

  return bd_sql_connection_exec (connection, drop, error) && bd_sql_connection_exec (connection, sql, error);
}

#include <glib/gstdio.h>

#include "core/bd-codec.h"
#include "server/bd-central-db.h"
#include "server/bd-central-db-audit.h"
#include "server/bd-central-db-complaints.h"
#include "server/bd-central-db-private.h"

#define T0 G_GINT64_CONSTANT (1795000000)

static void
test_chain (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bijli-central-audit-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "central.sqlite3", NULL);
  g_autoptr(BdCentralDb) db = NULL;
  g_autoptr(BdConsumer) consumer = bd_consumer_new ("2100000001");
  g_autoptr(BdSession) session = NULL;
  g_autoptr(BdComplaint) draft = bd_complaint_new ();
  g_autoptr(JsonNode) list = NULL;
  g_autofree char *body = NULL;
  JsonArray *entries;
  const char *suffixes[] = { "", "-wal", "-shm" };
  gint64 count = 0, broken = 0;
  gboolean replayed;
  guint status;

  db = bd_central_db_open (central_test_url (path), &error);
  g_assert_no_error (error);
  g_assert_true (bd_central_db_ensure_zone (db, "LKO-C", "Lucknow Central", &error));
  g_assert_true (bd_central_db_ensure_user (db, "supervisor", "R. K. Tiwari", BD_ROLE_SUPERVISOR, "LKO-C",
                                            "bijli-supervisor", 1000, &error));
  bd_consumer_set_zone (consumer, "LKO-C");
  bd_consumer_set_name_en (consumer, "Test Consumer");
  bd_consumer_set_mobile (consumer, "9876500001");
  bd_consumer_set_dt (consumer, "ALG-F03-T01");
  bd_consumer_set_sanctioned_load_w (consumer, 2000);
  bd_consumer_set_version (consumer, 1);
  bd_consumer_set_updated_at (consumer, T0 - 1000);
  g_assert_true (bd_central_db_insert_consumer (db, consumer, &error));
  g_assert_no_error (error);

  /* A failed and a good sign-in, a view, a filing. */
  g_assert_null (bd_central_db_sign_in (db, "supervisor", "wrong", T0, &error));
  g_clear_error (&error);
  session = bd_central_db_sign_in (db, "supervisor", "bijli-supervisor", T0 + 1, &error);
  g_assert_no_error (error);
  g_assert_true (bd_central_db_audit_view (db, session, "consumer.view", "2100000001", T0 + 2, &error));
  draft->account = g_strdup ("2100000001");
  draft->category = BD_COMPLAINT_VOLTAGE;
  draft->description = g_strdup ("Low voltage every evening");
  draft->channel = BD_COMPLAINT_CHANNEL_COUNTER;
  g_assert_true (bd_central_db_complaint_file (db, "LKO-C", draft, "audit-key-0001", "h", "supervisor",
                                               BD_ROLE_SUPERVISOR, T0 + 3, &status, &body, &replayed, &error));
  g_assert_no_error (error);

  g_assert_true (bd_central_db_audit_verify (db, &count, &broken, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count, ==, 4);

  list = bd_central_db_audit_list (db, "LKO-C", NULL, 0, 10, &error);
  g_assert_no_error (error);
  entries = json_object_get_array_member (json_node_get_object (list), "entries");
  /* The failed sign-in names the user's zone; newest first. */
  g_assert_cmpuint (json_array_get_length (entries), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, 0), "action"), ==, "complaint.file");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, 2), "action"), ==, "session.sign_in");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, 3), "action"), ==, "session.sign_in_failed");
  g_clear_pointer (&list, json_node_unref);
  list = bd_central_db_audit_list (db, "LKO-C", "2100000001", 0, 10, &error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (list), "entries")), ==, 1);
  g_clear_pointer (&list, json_node_unref);
  list = bd_central_db_audit_list (db, "LKO-E", NULL, 0, 10, &error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (list), "entries")), ==, 0);

  /* Append-only: the database itself refuses. */
  g_assert_false (bd_sql_connection_exec (bd_central_db_get_connection (db), "UPDATE audit_log SET username = 'x'", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (bd_sql_connection_exec (bd_central_db_get_connection (db), "DELETE FROM audit_log WHERE seq = 4", &error));
  g_clear_error (&error);

  /* Someone with the file drops the guard and edits entry 2: the chain
   * says so from there. */
  g_assert_true (exec_without_guard (db, "UPDATE audit_log SET at = at + 60 WHERE seq = 2", &error));
  g_assert_no_error (error);
  g_assert_false (bd_central_db_audit_verify (db, &count, &broken, &error));
  g_assert_no_error (error);
  g_assert_cmpint (broken, ==, 2);
  g_assert_cmpint (count, ==, 1);

  /* A removed entry is a gap. */
  g_assert_true (exec_without_guard (db,
                                     "UPDATE audit_log SET at = at - 60 WHERE seq = 2;"
                                     "DELETE FROM audit_log WHERE seq = 3", &error));
  g_assert_false (bd_central_db_audit_verify (db, &count, &broken, &error));
  g_assert_cmpint (broken, ==, 3);

  g_clear_object (&db);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_unlink (file);
    }
  g_rmdir (dir);
}

/* The desk is part of the hash when known; entries without one hash as
 * they did before the column existed. */
static void
test_desk (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdCentralDb) db = bd_central_db_open (central_test_url (":memory:"), &error);
  g_autoptr(BdSession) session = NULL;
  g_autoptr(JsonNode) list = NULL;
  JsonArray *entries;
  gint64 count = 0, broken = 0;

  g_assert_no_error (error);
  g_assert_true (bd_central_db_ensure_zone (db, "LKO-C", "Lucknow Central", &error));
  g_assert_true (bd_central_db_ensure_user (db, "agent", "Arjun Yadav", BD_ROLE_AGENT, "LKO-C",
                                            "bijli-agent", 1000, &error));
  bd_central_db_set_request_desk (db, "desk-7f3a");
  session = bd_central_db_sign_in (db, "agent", "bijli-agent", T0, &error);
  g_assert_no_error (error);
  bd_central_db_set_request_desk (db, NULL);
  g_assert_true (bd_central_db_audit_view (db, session, "consumer.view", "2100000001", T0 + 1, &error));

  list = bd_central_db_audit_list (db, "LKO-C", NULL, 0, 10, &error);
  g_assert_no_error (error);
  entries = json_object_get_array_member (json_node_get_object (list), "entries");
  g_assert_cmpuint (json_array_get_length (entries), ==, 2);
  g_assert_true (json_object_get_null_member (json_array_get_object_element (entries, 0), "desk"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, 1), "desk"), ==, "desk-7f3a");
  g_assert_true (bd_central_db_audit_verify (db, &count, &broken, &error));
  g_assert_cmpint (count, ==, 2);

  /* Claiming another desk for an entry breaks the chain there. */
  g_assert_true (exec_without_guard (db, "UPDATE audit_log SET desk = 'desk-0000' WHERE seq = 1", &error));
  g_assert_no_error (error);
  g_assert_false (bd_central_db_audit_verify (db, &count, &broken, &error));
  g_assert_no_error (error);
  g_assert_cmpint (broken, ==, 1);
}

static void
test_sign_in_lockout (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdCentralDb) db = bd_central_db_open (central_test_url (":memory:"), &error);
  g_autoptr(BdSession) session = NULL;
  gint64 retry_after = 0;

  g_assert_no_error (error);
  g_assert_true (bd_central_db_ensure_zone (db, "LKO-C", "Lucknow Central", &error));
  g_assert_true (bd_central_db_ensure_user (db, "agent", "Arjun Yadav", BD_ROLE_AGENT, "LKO-C",
                                            "bijli-agent", 1000, &error));
  for (int i = 0; i < BD_CENTRAL_SIGN_IN_MAX_FAILURES; i++)
    {
      g_assert_null (bd_central_db_sign_in_checked (db, "agent", "guess", T0 + i, &retry_after, &error));
      g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_CREDENTIALS);
      g_clear_error (&error);
    }
  /* Locked now, even with the right password, until the first failure is
   * 15 minutes old. */
  g_assert_null (bd_central_db_sign_in_checked (db, "agent", "bijli-agent", T0 + 10, &retry_after, &error));
  g_assert_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_RATE_LIMITED);
  g_assert_cmpint (retry_after, ==, BD_CENTRAL_SIGN_IN_WINDOW_S - 10);
  g_clear_error (&error);
  session = bd_central_db_sign_in_checked (db, "agent", "bijli-agent", T0 + BD_CENTRAL_SIGN_IN_WINDOW_S + 5,
                                           &retry_after, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/central/audit/chain", test_chain);
  g_test_add_func ("/central/audit/sign-in-lockout", test_sign_in_lockout);
  g_test_add_func ("/central/audit/desk", test_desk);
  return g_test_run ();
}
