/* test-requests-store.c: disconnection requests in the desk's copy: queued
 * with a provisional number and an outbox item in one transaction, replaced
 * by the server's record when its answer comes, decisions queued only on
 * requests the server knows, and the server's list kept for offline use.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "core/bd-codec.h"
#include "store/bd-consumer-store.h"

typedef struct {
  char            *dir;
  char            *path;
  BdConsumerStore *store;
} Fixture;

static void
set_up (Fixture       *fixture,
        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("bd-requests-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "desk.sqlite3", NULL);
  fixture->store = bd_consumer_store_open (fixture->path, &error);
  g_assert_no_error (error);
}

static void
tear_down (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&fixture->store);
  dir = g_dir_open (fixture->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (fixture->dir, name, NULL);
      g_unlink (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static BdDisconnection *
draft (void)
{
  BdDisconnection *r = bd_disconnection_new ();

  r->account = g_strdup ("2100000001");
  r->zone = g_strdup ("LKO-C");
  r->kind = BD_REQUEST_TEMPORARY;
  r->reason = g_strdup ("Away for a month");
  r->requested_for = 1795000000;
  r->scheduled_for = 1795000000;
  r->consent_otp_id = g_strdup ("otp-0123456789012345678901");
  g_ptr_array_add (r->guards, bd_guard_new ("no_cut_time", BD_GUARD_PASS, "Not a no-cut day or hour."));
  return r;
}

static void
test_queue_confirm_act (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(BdDisconnection) request = draft ();
  g_autoptr(BdStoredRequest) queued = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(BdOutboxItem) item = NULL;
  g_autoptr(BdOutboxItem) action_item = NULL;
  g_autoptr(BdDisconnection) server = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GError) error = NULL;
  BdStoredRequest *shown;
  gint64 seq;

  queued = bd_consumer_store_queue_request (fixture->store, request, "operator", 1795000000, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (queued->request->id, "local-"));
  g_assert_true (g_str_has_prefix (queued->request->number, "P-"));
  g_assert_cmpint (queued->outbox_seq, >, 0);

  /* The outbox item carries what the server needs, consent included. */
  item = bd_consumer_store_outbox_get (fixture->store, queued->outbox_seq, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (item->kind, ==, BD_OUTBOX_KIND_REQUEST);
  g_assert_cmpstr (item->path, ==, "/api/v1/disconnections");
  body = bd_json_parse (item->body, -1, NULL);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (body), "consent_otp_id"), ==,
                   request->consent_otp_id);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (body), "kind"), ==, "temporary");

  list = bd_consumer_store_list_requests (fixture->store, "2100000001", 10, &error);
  g_assert_cmpuint (list->len, ==, 1);
  shown = g_ptr_array_index (list, 0);
  g_assert_cmpint (shown->outbox_state, ==, BD_OUTBOX_STATE_QUEUED);

  /* A decision needs the server's record. */
  g_assert_cmpint (bd_consumer_store_queue_request_action (fixture->store, queued->request,
                                                           BD_REQUEST_ACTION_APPROVE, NULL, 0, "supervisor", &error),
                   ==, -1);
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_QUERY);
  g_clear_error (&error);

  /* The server's answer replaces the provisional record. */
  server = bd_disconnection_copy (queued->request);
  g_free (server->id);
  server->id = g_strdup ("7");
  g_free (server->number);
  server->number = g_strdup ("DR-LKOC-2611-00007");
  server->version = 1;
  answer = bd_disconnection_to_json (server);
  g_assert_true (bd_consumer_store_confirm_request (fixture->store, queued->outbox_seq, answer, &error));
  g_assert_no_error (error);
  after = bd_consumer_store_list_requests (fixture->store, NULL, 10, &error);
  g_assert_cmpuint (after->len, ==, 1);
  shown = g_ptr_array_index (after, 0);
  g_assert_cmpstr (shown->request->number, ==, "DR-LKOC-2611-00007");
  g_assert_cmpint (shown->outbox_seq, ==, queued->outbox_seq);

  seq = bd_consumer_store_queue_request_action (fixture->store, shown->request, BD_REQUEST_ACTION_REJECT,
                                                "Withdrawn", 0, "supervisor", &error);
  g_assert_no_error (error);
  action_item = bd_consumer_store_outbox_get (fixture->store, seq, &error);
  g_assert_cmpstr (action_item->kind, ==, BD_OUTBOX_KIND_REQUEST_ACTION);
  g_assert_cmpstr (action_item->path, ==, "/api/v1/disconnections/7/actions");
  g_assert_nonnull (strstr (action_item->body, "\"reject\""));
  g_assert_nonnull (strstr (action_item->body, "Withdrawn"));
}

static void
test_apply_server_list (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) from_server = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_disconnection_free);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 3; i++)
    {
      BdDisconnection *r = draft ();
      r->id = g_strdup_printf ("%d", 10 + i);
      r->number = g_strdup_printf ("DR-LKOC-2611-%05d", 10 + i);
      r->created_at = 1795000000 + i;
      r->account[9] = (char) ('1' + i);
      r->status = i == 0 ? BD_REQUEST_DONE : BD_REQUEST_SCHEDULED;
      g_ptr_array_add (from_server, r);
    }
  g_assert_true (bd_consumer_store_apply_requests (fixture->store, from_server, &error));
  g_assert_no_error (error);
  /* Applying again changes nothing: one row per request. */
  g_assert_true (bd_consumer_store_apply_requests (fixture->store, from_server, &error));
  list = bd_consumer_store_list_requests (fixture->store, NULL, 10, &error);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpstr (((BdStoredRequest *) g_ptr_array_index (list, 0))->request->number, ==, "DR-LKOC-2611-00012");
  g_clear_pointer (&list, g_ptr_array_unref);
  list = bd_consumer_store_list_requests (fixture->store, "2100000001", 10, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (((BdStoredRequest *) g_ptr_array_index (list, 0))->request->status, ==, BD_REQUEST_DONE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/requests-store/queue-confirm-act", Fixture, NULL, set_up, test_queue_confirm_act, tear_down);
  g_test_add ("/requests-store/apply-server-list", Fixture, NULL, set_up, test_apply_server_list, tear_down);

  return g_test_run ();
}
