/* test-outbox.c: saving an indexing edit with its outbox row in one
 * transaction, the outbox's states and order, the indexing and history
 * caches, and that all of it survives closing and reopening the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sqlite3.h>

#include "core/bd-codec.h"
#include "core/bd-validate.h"
#include "store/bd-consumer-store.h"

typedef struct {
  char            *dir;
  char            *path;
  BdConsumerStore *store;
} Fixture;

static BdConsumer *
make_consumer (const char *account)
{
  BdConsumer *c = bd_consumer_new (account);

  bd_consumer_set_name_en (c, "Sita Devi");
  bd_consumer_set_name_hi (c, "सीता देवी");
  bd_consumer_set_meter_serial (c, "GN11111111");
  bd_consumer_set_meter_type (c, BD_METER_TYPE_SMART);
  bd_consumer_set_sanctioned_load_w (c, 2000);
  bd_consumer_set_feeder (c, "GN-11");
  bd_consumer_set_dt (c, "GN-11-T04");
  bd_consumer_set_pole (c, "P-117");
  bd_consumer_set_zone (c, "LKO-C");
  bd_consumer_set_version (c, 1);
  bd_consumer_set_updated_at (c, 1763890000);
  return c;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdChangesPage) page = bd_changes_page_new ();

  fixture->dir = g_dir_make_tmp ("bd-test-outbox-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "desk.db", NULL);
  fixture->store = bd_consumer_store_open (fixture->path, &error);
  g_assert_no_error (error);

  g_ptr_array_add (page->consumers, make_consumer ("1234567890"));
  g_ptr_array_add (page->consumers, make_consumer ("1234567891"));
  page->next_cursor = g_strdup ("2");
  g_assert_true (bd_consumer_store_apply_page (fixture->store, page, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  g_clear_object (&fixture->store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);
      g_unlink (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static void
reopen (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&fixture->store);
  fixture->store = bd_consumer_store_open (fixture->path, &error);
  g_assert_no_error (error);
}

static BdIndexing *
server_copy (const char *account,
             gint64      version)
{
  BdIndexing *indexing = bd_indexing_new (account);

  bd_indexing_set_version (indexing, version);
  bd_indexing_set_email (indexing, "old@example.in");
  bd_indexing_set_feeder (indexing, "GN-11");
  bd_indexing_set_dt (indexing, "GN-11-T04");
  bd_indexing_set_pole (indexing, "P-117");
  bd_indexing_set_sanctioned_load_w (indexing, 2000);
  bd_indexing_set_meter_serial (indexing, "GN11111111");
  return indexing;
}

/* Edits a copy of before through set_field (as the dialog does) and saves. */
static gint64
save_edit (Fixture     *fixture,
           BdIndexing  *before,
           const char  *field,
           const char  *json,
           GError     **error)
{
  g_autoptr(BdIndexing) after = bd_indexing_copy (before);
  g_autoptr(JsonNode) value = bd_json_parse (json, -1, NULL);
  g_autoptr(GPtrArray) changes = NULL;

  g_assert_true (bd_indexing_set_field (after, field, value, NULL));
  changes = bd_indexing_diff (before, after);
  return bd_consumer_store_save_indexing (fixture->store, after, changes, "operator", error);
}

static void
test_save_queues_one_row (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(BdIndexing) before = server_copy ("1234567890", 3);
  g_autoptr(BdIndexing) after = bd_indexing_copy (before);
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(BdIndexing) loaded = NULL;
  g_autoptr(BdConsumer) consumer = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GPtrArray) sent = NULL;
  g_autoptr(GError) error = NULL;
  BdOutboxItem *item;
  gint64 seq;

  g_assert_true (bd_consumer_store_cache_indexing (fixture->store, before, &error));
  g_assert_cmpint (bd_consumer_store_outbox_count (fixture->store, BD_OUTBOX_STATE_QUEUED, NULL), ==, 0);

  bd_indexing_set_email (after, "new@example.in");
  bd_indexing_set_feeder (after, "GN-12");
  bd_indexing_set_sanctioned_load_w (after, 3000);
  changes = bd_indexing_diff (before, after);
  seq = bd_consumer_store_save_indexing (fixture->store, after, changes, "operator", &error);
  g_assert_no_error (error);
  g_assert_cmpint (seq, >, 0);

  /* Exactly one row, queued, with the PATCH the server expects. */
  g_assert_cmpint (bd_consumer_store_outbox_count (fixture->store, BD_OUTBOX_STATE_QUEUED, NULL), ==, 1);
  pending = bd_consumer_store_outbox_pending (fixture->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 1);
  item = g_ptr_array_index (pending, 0);
  g_assert_cmpint (item->seq, ==, seq);
  g_assert_cmpint (item->state, ==, BD_OUTBOX_STATE_QUEUED);
  g_assert_cmpstr (item->kind, ==, BD_OUTBOX_KIND_INDEXING);
  g_assert_cmpstr (item->account, ==, "1234567890");
  g_assert_cmpstr (item->method, ==, "PATCH");
  g_assert_cmpstr (item->path, ==, "/api/v1/consumers/1234567890/indexing");
  g_assert_cmpstr (item->created_by, ==, "operator");
  g_assert_cmpint (item->attempts, ==, 0);
  g_assert_cmpuint (strlen (item->idem_key), >=, 8);
  g_assert_cmpuint (strlen (item->idem_key), <=, 64);
  body = bd_json_parse (item->body, -1, &error);
  g_assert_no_error (error);
  sent = bd_indexing_patch_from_json (body, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sent->len, ==, 3);
  g_assert_cmpstr (((BdIndexingChange *) g_ptr_array_index (sent, 0))->field, ==, "email");
  g_assert_cmpstr (json_node_get_string (((BdIndexingChange *) g_ptr_array_index (sent, 0))->from), ==, "old@example.in");

  /* The local copy and the consumer's mirrored fields changed with it. */
  loaded = bd_consumer_store_load_indexing (fixture->store, "1234567890", &error);
  g_assert_no_error (error);
  g_assert_true (bd_indexing_equal (loaded, after));
  consumer = bd_consumer_store_lookup (fixture->store, "1234567890", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bd_consumer_get_feeder (consumer), ==, "GN-12");
  g_assert_cmpint (bd_consumer_get_sanctioned_load_w (consumer), ==, 3000);
  g_assert_cmpstr (bd_consumer_get_pole (consumer), ==, "P-117");
}

static void
test_save_refuses_bad_changes (Fixture       *fixture,
                               gconstpointer  user_data)
{
  g_autoptr(BdIndexing) before = server_copy ("1234567890", 3);
  g_autoptr(BdIndexing) after = bd_indexing_copy (before);
  g_autoptr(GPtrArray) empty = g_ptr_array_new ();
  g_autoptr(GPtrArray) invalid = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_indexing_change_free);
  g_autoptr(GPtrArray) mismatched = NULL;
  g_autoptr(JsonNode) from = bd_json_parse ("null", -1, NULL);
  g_autoptr(JsonNode) bad_pan = bd_json_parse ("\"ABCXE1234F\"", -1, NULL);
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_autoptr(GError) e3 = NULL;

  g_assert_cmpint (bd_consumer_store_save_indexing (fixture->store, after, empty, "operator", &e1), ==, -1);
  g_assert_error (e1, BD_STORE_ERROR, BD_STORE_ERROR_QUERY);

  g_ptr_array_add (invalid, bd_indexing_change_new ("pan", from, bad_pan));
  g_assert_cmpint (bd_consumer_store_save_indexing (fixture->store, after, invalid, "operator", &e2), ==, -1);
  g_assert_error (e2, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_PAN);

  /* Changes that do not describe the record being saved. */
  bd_indexing_set_email (after, "new@example.in");
  mismatched = bd_indexing_diff (before, after);
  bd_indexing_set_email (after, "other@example.in");
  g_assert_cmpint (bd_consumer_store_save_indexing (fixture->store, after, mismatched, "operator", &e3), ==, -1);
  g_assert_error (e3, BD_STORE_ERROR, BD_STORE_ERROR_QUERY);

  g_assert_cmpint (bd_consumer_store_outbox_count (fixture->store, BD_OUTBOX_STATE_QUEUED, NULL), ==, 0);
}

/* A failure after the local copy and the consumer were written, at the
 * outbox insert, must leave neither behind. */
static void
test_failed_save_leaves_nothing (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_autoptr(BdIndexing) before = server_copy ("1234567890", 3);
  g_autoptr(BdIndexing) loaded = NULL;
  g_autoptr(BdConsumer) consumer = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox "
                                 "BEGIN SELECT RAISE (ABORT, 'simulated failure'); END;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);

  g_assert_cmpint (save_edit (fixture, before, "feeder", "\"GN-99\"", &error), ==, -1);
  g_assert_nonnull (error);
  g_assert_true (error->domain == BD_STORE_ERROR);
  g_clear_error (&error);

  loaded = bd_consumer_store_load_indexing (fixture->store, "1234567890", &error);
  g_assert_null (loaded);
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  consumer = bd_consumer_store_lookup (fixture->store, "1234567890", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bd_consumer_get_feeder (consumer), ==, "GN-11");
  g_assert_cmpint (bd_consumer_store_outbox_count (fixture->store, BD_OUTBOX_STATE_QUEUED, NULL), ==, 0);

  /* And the store still works once the fault is gone. */
  g_assert_cmpint (sqlite3_exec (db, "DROP TRIGGER fail_outbox", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_cmpint (save_edit (fixture, before, "feeder", "\"GN-99\"", &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (bd_consumer_store_outbox_count (fixture->store, BD_OUTBOX_STATE_QUEUED, NULL), ==, 1);
}

static void
test_pending_order_and_marks (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autoptr(BdIndexing) a = server_copy ("1234567890", 1);
  g_autoptr(BdIndexing) b = server_copy ("1234567891", 1);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) only_a = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(BdOutboxItem) item = NULL;
  g_autoptr(GError) error = NULL;
  gint64 s1, s2, s3;

  s1 = save_edit (fixture, a, "email", "\"a1@example.in\"", NULL);
  s2 = save_edit (fixture, b, "email", "\"b1@example.in\"", NULL);
  s3 = save_edit (fixture, a, "pan", "\"ABCPE1234F\"", NULL);
  g_assert_cmpint (s1, <, s2);
  g_assert_cmpint (s2, <, s3);

  all = bd_consumer_store_outbox_pending (fixture->store, NULL, &error);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_cmpint (((BdOutboxItem *) g_ptr_array_index (all, 0))->seq, ==, s1);
  g_assert_cmpint (((BdOutboxItem *) g_ptr_array_index (all, 1))->seq, ==, s2);
  g_assert_cmpint (((BdOutboxItem *) g_ptr_array_index (all, 2))->seq, ==, s3);
  /* Each item has its own key. */
  g_assert_cmpstr (((BdOutboxItem *) g_ptr_array_index (all, 0))->idem_key, !=,
                   ((BdOutboxItem *) g_ptr_array_index (all, 2))->idem_key);

  only_a = bd_consumer_store_outbox_pending (fixture->store, "1234567890", &error);
  g_assert_cmpuint (only_a->len, ==, 2);

  /* sending counts an attempt; back to queued keeps the error and the time. */
  g_assert_true (bd_consumer_store_outbox_mark (fixture->store, s1, BD_OUTBOX_STATE_SENDING, NULL, 0, &error));
  g_assert_true (bd_consumer_store_outbox_mark (fixture->store, s1, BD_OUTBOX_STATE_QUEUED,
                                                "The server cannot be reached.", 1763892000, &error));
  item = bd_consumer_store_outbox_get (fixture->store, s1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (item->state, ==, BD_OUTBOX_STATE_QUEUED);
  g_assert_cmpint (item->attempts, ==, 1);
  g_assert_cmpint (item->next_attempt_at, ==, 1763892000);
  g_assert_cmpstr (item->last_error, ==, "The server cannot be reached.");
  g_clear_pointer (&item, bd_outbox_item_free);

  g_assert_true (bd_consumer_store_outbox_mark (fixture->store, s1, BD_OUTBOX_STATE_SENDING, NULL, 0, &error));
  g_assert_true (bd_consumer_store_outbox_mark (fixture->store, s1, BD_OUTBOX_STATE_DONE, "{\"ok\":1}", 0, &error));
  g_assert_true (bd_consumer_store_outbox_mark (fixture->store, s2, BD_OUTBOX_STATE_REJECTED, "Email: not valid", 0, &error));
  g_assert_true (bd_consumer_store_outbox_mark (fixture->store, s3, BD_OUTBOX_STATE_CONFLICT, "[{\"field\":\"pan\"}]", 0, &error));
  g_assert_no_error (error);

  item = bd_consumer_store_outbox_get (fixture->store, s1, &error);
  g_assert_cmpint (item->state, ==, BD_OUTBOX_STATE_DONE);
  g_assert_cmpint (item->attempts, ==, 2);
  g_assert_cmpstr (item->result, ==, "{\"ok\":1}");
  g_assert_cmpstr (item->last_error, ==, "The server cannot be reached.");
  g_clear_pointer (&item, bd_outbox_item_free);

  g_assert_cmpint (bd_consumer_store_outbox_count (fixture->store, BD_OUTBOX_STATE_QUEUED, NULL), ==, 0);
  g_assert_cmpint (bd_consumer_store_outbox_count (fixture->store, BD_OUTBOX_STATE_DONE, NULL), ==, 1);
  g_assert_cmpint (bd_consumer_store_outbox_count (fixture->store, BD_OUTBOX_STATE_REJECTED, NULL), ==, 1);
  g_assert_cmpint (bd_consumer_store_outbox_count (fixture->store, BD_OUTBOX_STATE_CONFLICT, NULL), ==, 1);
  g_clear_pointer (&all, g_ptr_array_unref);
  all = bd_consumer_store_outbox_pending (fixture->store, NULL, &error);
  g_assert_cmpuint (all->len, ==, 0);

  /* The account's items in every state, newest first. */
  listed = bd_consumer_store_outbox_list (fixture->store, "1234567890", 10, &error);
  g_assert_cmpuint (listed->len, ==, 2);
  g_assert_cmpint (((BdOutboxItem *) g_ptr_array_index (listed, 0))->seq, ==, s3);
  g_assert_cmpint (((BdOutboxItem *) g_ptr_array_index (listed, 0))->state, ==, BD_OUTBOX_STATE_CONFLICT);

  g_assert_false (bd_consumer_store_outbox_mark (fixture->store, 9999, BD_OUTBOX_STATE_DONE, NULL, 0, &error));
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (bd_consumer_store_outbox_get (fixture->store, 9999, &error));
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND);
}

/* Refused and conflicting changes of every consumer are listed until an
 * operator acknowledges them, and stay in the outbox afterwards. */
static void
test_attention_list (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(BdIndexing) a = server_copy ("1234567890", 1);
  g_autoptr(BdIndexing) b = server_copy ("1234567891", 1);
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GError) error = NULL;
  gint64 s1, s2, s3, s4;

  s1 = save_edit (fixture, a, "email", "\"a1@example.in\"", NULL);
  s2 = save_edit (fixture, b, "email", "\"b1@example.in\"", NULL);
  s3 = save_edit (fixture, a, "pan", "\"ABCPE1234F\"", NULL);
  s4 = save_edit (fixture, b, "pole", "\"P-300\"", NULL);
  g_assert_cmpint (bd_consumer_store_outbox_count_attention (fixture->store, &error), ==, 0);

  g_assert_true (bd_consumer_store_outbox_mark (fixture->store, s1, BD_OUTBOX_STATE_DONE, NULL, 0, &error));
  g_assert_true (bd_consumer_store_outbox_mark (fixture->store, s2, BD_OUTBOX_STATE_REJECTED, "Email: not valid", 0, &error));
  g_assert_true (bd_consumer_store_outbox_mark (fixture->store, s3, BD_OUTBOX_STATE_CONFLICT, "[{\"field\":\"pan\"}]", 0, &error));
  g_assert_no_error (error);

  /* Queued and done items are not listed; the two of both consumers are, newest first. */
  listed = bd_consumer_store_outbox_attention (fixture->store, 50, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 2);
  g_assert_cmpint (((BdOutboxItem *) g_ptr_array_index (listed, 0))->seq, ==, s3);
  g_assert_cmpstr (((BdOutboxItem *) g_ptr_array_index (listed, 0))->account, ==, "1234567890");
  g_assert_cmpint (((BdOutboxItem *) g_ptr_array_index (listed, 1))->seq, ==, s2);
  g_assert_cmpstr (((BdOutboxItem *) g_ptr_array_index (listed, 1))->account, ==, "1234567891");
  g_assert_cmpint (bd_consumer_store_outbox_count_attention (fixture->store, &error), ==, 2);
  g_clear_pointer (&listed, g_ptr_array_unref);
  listed = bd_consumer_store_outbox_attention (fixture->store, 1, &error);
  g_assert_cmpuint (listed->len, ==, 1);
  g_clear_pointer (&listed, g_ptr_array_unref);

  /* Only items needing attention can be acknowledged, and only once. */
  g_assert_false (bd_consumer_store_outbox_acknowledge (fixture->store, s4, "supervisor", 1763900000, &error));
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (bd_consumer_store_outbox_acknowledge (fixture->store, s2, "supervisor", 1763900000, &error));
  g_assert_no_error (error);
  g_assert_false (bd_consumer_store_outbox_acknowledge (fixture->store, s2, "supervisor", 1763900001, &error));
  g_assert_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  reopen (fixture);
  listed = bd_consumer_store_outbox_attention (fixture->store, 50, &error);
  g_assert_cmpuint (listed->len, ==, 1);
  g_assert_cmpint (((BdOutboxItem *) g_ptr_array_index (listed, 0))->seq, ==, s3);
  g_assert_cmpint (bd_consumer_store_outbox_count_attention (fixture->store, &error), ==, 1);

  /* The acknowledged item is still in the consumer's outbox, with its reason. */
  history = bd_consumer_store_outbox_list (fixture->store, "1234567891", 10, &error);
  g_assert_cmpuint (history->len, ==, 2);
  g_assert_cmpint (((BdOutboxItem *) g_ptr_array_index (history, 1))->seq, ==, s2);
  g_assert_cmpint (((BdOutboxItem *) g_ptr_array_index (history, 1))->state, ==, BD_OUTBOX_STATE_REJECTED);
  g_assert_cmpstr (((BdOutboxItem *) g_ptr_array_index (history, 1))->last_error, ==, "Email: not valid");
}

static void
test_durable_across_reopen (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(BdIndexing) before = server_copy ("1234567890", 3);
  g_autoptr(BdIndexing) loaded = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(BdConsumer) consumer = NULL;
  g_autoptr(GError) error = NULL;
  gint64 seq;

  seq = save_edit (fixture, before, "pole", "\"P-200\"", &error);
  g_assert_no_error (error);
  reopen (fixture);

  pending = bd_consumer_store_outbox_pending (fixture->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpint (((BdOutboxItem *) g_ptr_array_index (pending, 0))->seq, ==, seq);
  loaded = bd_consumer_store_load_indexing (fixture->store, "1234567890", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bd_indexing_get_pole (loaded), ==, "P-200");
  consumer = bd_consumer_store_lookup (fixture->store, "1234567890", &error);
  g_assert_cmpstr (bd_consumer_get_pole (consumer), ==, "P-200");
}

static void
test_cache_keeps_pending_edits (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(BdIndexing) before = server_copy ("1234567890", 3);
  g_autoptr(BdIndexing) newer = server_copy ("1234567890", 4);
  g_autoptr(BdIndexing) loaded = NULL;
  g_autoptr(BdIndexing) after_done = NULL;
  g_autoptr(GError) error = NULL;
  gint64 seq;

  g_assert_true (bd_consumer_store_cache_indexing (fixture->store, before, &error));
  seq = save_edit (fixture, before, "email", "\"new@example.in\"", &error);
  g_assert_no_error (error);

  /* A server copy fetched before the edit was sent: another desk changed
   * the PAN meanwhile. Both show: the server's PAN and our queued email. */
  bd_indexing_set_pan (newer, "AAAPE1111A");
  g_assert_true (bd_consumer_store_cache_indexing (fixture->store, newer, &error));
  g_assert_no_error (error);
  loaded = bd_consumer_store_load_indexing (fixture->store, "1234567890", &error);
  g_assert_cmpstr (bd_indexing_get_email (loaded), ==, "new@example.in");
  g_assert_cmpstr (bd_indexing_get_pan (loaded), ==, "AAAPE1111A");
  g_assert_cmpint (bd_indexing_get_version (loaded), ==, 4);

  /* Once the item is done, the server's copy is what shows. */
  g_assert_true (bd_consumer_store_outbox_mark (fixture->store, seq, BD_OUTBOX_STATE_DONE, NULL, 0, &error));
  g_assert_true (bd_consumer_store_cache_indexing (fixture->store, newer, &error));
  after_done = bd_consumer_store_load_indexing (fixture->store, "1234567890", &error);
  g_assert_cmpstr (bd_indexing_get_email (after_done), ==, "old@example.in");
}

static void
test_history_cache (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_history_entry_free);
  g_autoptr(GPtrArray) fewer = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_history_entry_free);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GError) error = NULL;
  BdHistoryEntry *entry;

  g_ptr_array_add (entries, bd_history_entry_new (300, "operator", "operator", "indexing", "email", NULL, "n***@example.in"));
  g_ptr_array_add (entries, bd_history_entry_new (200, "agent", "agent", "mobile_verified", NULL, NULL, NULL));
  g_ptr_array_add (entries, bd_history_entry_new (100, "operator", "operator", "registered", NULL, NULL, "sita82"));
  g_assert_true (bd_consumer_store_cache_history (fixture->store, "1234567890", entries, &error));
  g_assert_no_error (error);
  reopen (fixture);

  loaded = bd_consumer_store_load_history (fixture->store, "1234567890", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, ==, 3);
  entry = g_ptr_array_index (loaded, 0);
  g_assert_cmpint (entry->at, ==, 300);
  g_assert_cmpstr (entry->field, ==, "email");
  g_assert_null (entry->from);
  g_assert_cmpstr (entry->to, ==, "n***@example.in");
  g_assert_cmpint (((BdHistoryEntry *) g_ptr_array_index (loaded, 2))->at, ==, 100);

  none = bd_consumer_store_load_history (fixture->store, "1234567891", &error);
  g_assert_cmpuint (none->len, ==, 0);

  /* A newer fetch replaces the cached history. */
  g_ptr_array_add (fewer, bd_history_entry_copy (g_ptr_array_index (entries, 0)));
  g_assert_true (bd_consumer_store_cache_history (fixture->store, "1234567890", fewer, &error));
  g_clear_pointer (&loaded, g_ptr_array_unref);
  loaded = bd_consumer_store_load_history (fixture->store, "1234567890", &error);
  g_assert_cmpuint (loaded->len, ==, 1);
}

static void
on_saved_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  gint64 *seq = user_data;
  g_autoptr(GError) error = NULL;

  *seq = bd_consumer_store_save_indexing_finish (BD_CONSUMER_STORE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_save_async (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(BdIndexing) before = server_copy ("1234567890", 3);
  g_autoptr(BdIndexing) after = bd_indexing_copy (before);
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(BdOutboxItem) item = NULL;
  gint64 seq = 0;

  bd_indexing_set_gps (after, 26846700, 80946200);
  changes = bd_indexing_diff (before, after);
  bd_consumer_store_save_indexing_async (fixture->store, after, changes, "operator", NULL, on_saved_cb, &seq);
  /* The caller's objects may change or go at once. */
  bd_indexing_clear_gps (after);
  g_clear_pointer (&changes, g_ptr_array_unref);
  while (seq == 0)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (seq, >, 0);
  item = bd_consumer_store_outbox_get (fixture->store, seq, NULL);
  g_assert_nonnull (g_strstr_len (item->body, -1, "\"lat_e6\":26846700"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/outbox/save-queues-one-row", test_save_queues_one_row);
  ADD ("/outbox/save-refuses-bad-changes", test_save_refuses_bad_changes);
  ADD ("/outbox/failed-save-leaves-nothing", test_failed_save_leaves_nothing);
  ADD ("/outbox/pending-order-and-marks", test_pending_order_and_marks);
  ADD ("/outbox/durable-across-reopen", test_durable_across_reopen);
  ADD ("/outbox/attention-list", test_attention_list);
  ADD ("/outbox/cache-keeps-pending-edits", test_cache_keeps_pending_edits);
  ADD ("/outbox/history-cache", test_history_cache);
  ADD ("/outbox/save-async", test_save_async);
#undef ADD
  return g_test_run ();
}
