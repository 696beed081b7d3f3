/* test-codec.c: JSON codecs round-trip and reject malformed input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "core/bd-codec.h"

static BdConsumer *
sample_consumer (const char *account)
{
  BdConsumer *c = bd_consumer_new (account);

  bd_consumer_set_name_en (c, "Ramesh Kumar Srivastava");
  bd_consumer_set_name_hi (c, "रमेश कुमार श्रीवास्तव");
  bd_consumer_set_relation_en (c, "Suresh Chandra Srivastava");
  bd_consumer_set_relation_hi (c, "सुरेश चन्द्र श्रीवास्तव");
  bd_consumer_set_address (c, "12/45, Aliganj, Lucknow 226024");
  bd_consumer_set_mobile (c, "9876543210");
  bd_consumer_set_mobile_verified (c, TRUE);
  bd_consumer_set_meter_serial (c, "GNS1234567");
  bd_consumer_set_meter_make (c, "Genus");
  bd_consumer_set_meter_type (c, BD_METER_TYPE_CT);
  bd_consumer_set_category (c, "LMV-2");
  bd_consumer_set_sanctioned_load_w (c, 12500);
  bd_consumer_set_phase (c, BD_PHASE_THREE);
  bd_consumer_set_feeder (c, "FDR-ALG-03");
  bd_consumer_set_dt (c, "DT-ALG-03-07");
  bd_consumer_set_pole (c, "P-ALG-03-07-21");
  bd_consumer_set_zone (c, "LKO-C");
  bd_consumer_set_area_type (c, BD_AREA_RURAL);
  bd_consumer_set_supply_status (c, BD_SUPPLY_DISCONNECTED);
  bd_consumer_set_balance_paise (c, -123456);
  bd_consumer_set_balance_as_of (c, 1795420800);
  bd_consumer_set_version (c, 7);
  bd_consumer_set_updated_at (c, 1795420860);
  return c;
}

static BdConsumer *
round_trip_consumer (BdConsumer *consumer)
{
  g_autoptr(JsonNode) node = bd_consumer_to_json (consumer);
  g_autofree char *text = bd_json_to_string (node);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) parsed = bd_json_parse (text, -1, &error);
  BdConsumer *decoded;

  g_assert_no_error (error);
  decoded = bd_consumer_from_json (parsed, &error);
  g_assert_no_error (error);
  return decoded;
}

static void
test_consumer_round_trip (void)
{
  g_autoptr(BdConsumer) original = sample_consumer ("1234567890");
  g_autoptr(BdConsumer) decoded = round_trip_consumer (original);
  g_autoptr(BdConsumer) sparse = bd_consumer_new ("123456789012");
  g_autoptr(BdConsumer) sparse_decoded = NULL;

  g_assert_true (bd_consumer_equal (original, decoded));

  /* No mobile, never read: nullable fields come back as NULL / 0. */
  bd_consumer_set_updated_at (sparse, 1795420800);
  sparse_decoded = round_trip_consumer (sparse);
  g_assert_null (bd_consumer_get_mobile (sparse_decoded));
  g_assert_cmpint (bd_consumer_get_balance_as_of (sparse_decoded), ==, 0);
  g_assert_cmpstr (bd_consumer_get_name_en (sparse_decoded), ==, "");
}

static void
test_consumer_wire_shape (void)
{
  g_autoptr(BdConsumer) c = sample_consumer ("1234567890");
  g_autoptr(JsonNode) node = bd_consumer_to_json (c);
  JsonObject *o = json_node_get_object (node);

  g_assert_cmpstr (json_object_get_string_member (o, "meter_type"), ==, "ct");
  g_assert_cmpstr (json_object_get_string_member (o, "phase"), ==, "three");
  g_assert_cmpstr (json_object_get_string_member (o, "supply_status"), ==, "disconnected");
  g_assert_cmpint (json_object_get_int_member (o, "balance_paise"), ==, -123456);
  g_assert_cmpstr (json_object_get_string_member (o, "balance_as_of"), ==, "2026-11-23T08:00:00Z");
  g_assert_cmpuint (json_object_get_size (o), ==, 24);
}

/* Each entry replaces one member of a valid consumer with a bad value. */
static void
test_consumer_rejects (void)
{
  static const struct { const char *member; const char *json; int code; } cases[] = {
    { "account", "\"12345\"", BD_CODEC_ERROR_INVALID_VALUE },
    { "account", "\"1234 567890\"", BD_CODEC_ERROR_INVALID_VALUE },
    { "account", "1234567890", BD_CODEC_ERROR_INVALID_VALUE },
    { "account", NULL, BD_CODEC_ERROR_MISSING_FIELD },
    { "mobile", "\"12345\"", BD_CODEC_ERROR_INVALID_VALUE },
    { "mobile", "\"+919876543210\"", BD_CODEC_ERROR_INVALID_VALUE },
    { "balance_paise", "12.5", BD_CODEC_ERROR_INVALID_VALUE },
    { "balance_paise", "\"100\"", BD_CODEC_ERROR_INVALID_VALUE },
    { "balance_paise", "99999999999999", BD_CODEC_ERROR_INVALID_VALUE },
    { "meter_type", "\"nuclear\"", BD_CODEC_ERROR_INVALID_VALUE },
    { "phase", "null", BD_CODEC_ERROR_INVALID_VALUE },
    { "updated_at", "\"2026-11-23T08:00:00\"", BD_CODEC_ERROR_INVALID_VALUE },
    { "updated_at", "null", BD_CODEC_ERROR_INVALID_VALUE },
    { "name_en", "[]", BD_CODEC_ERROR_INVALID_VALUE },
    { "name_en", NULL, BD_CODEC_ERROR_MISSING_FIELD },
    { "mobile_verified", "\"yes\"", BD_CODEC_ERROR_INVALID_VALUE },
    { "sanctioned_load_w", "-1", BD_CODEC_ERROR_INVALID_VALUE },
    { "version", "-3", BD_CODEC_ERROR_INVALID_VALUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BdConsumer) c = sample_consumer ("1234567890");
      g_autoptr(JsonNode) node = bd_consumer_to_json (c);
      JsonObject *o = json_node_get_object (node);
      g_autoptr(GError) error = NULL;
      g_autoptr(BdConsumer) decoded = NULL;

      g_test_message ("%s = %s", cases[i].member, cases[i].json ? cases[i].json : "(absent)");
      json_object_remove_member (o, cases[i].member);
      if (cases[i].json != NULL)
        {
          g_autoptr(JsonNode) value = bd_json_parse (cases[i].json, -1, NULL);
          json_object_set_member (o, cases[i].member, g_steal_pointer (&value));
        }
      decoded = bd_consumer_from_json (node, &error);
      g_assert_null (decoded);
      g_assert_error (error, BD_CODEC_ERROR, cases[i].code);
    }
}

static void
test_malformed_documents (void)
{
  static const char *documents[] = {
    "", "{", "[1,2", "<html><body>502 Bad Gateway</body></html>", "nul", "\"text\"",
    "{\"changes\": 5}", "{\"changes\": [], \"next_cursor\": 5, \"has_more\": false, \"remaining\": 0}",
    "{\"changes\": [{\"kind\": \"meter\", \"seq\": 1}], \"next_cursor\": \"1\", \"has_more\": false, \"remaining\": 0}",
    "{\"changes\": [{\"kind\": \"consumer\", \"seq\": 1}], \"next_cursor\": \"1\", \"has_more\": false, \"remaining\": 0}",
    "{\"changes\": [], \"next_cursor\": \"\", \"has_more\": false, \"remaining\": 0}",
    "{\"changes\": [], \"next_cursor\": \"9\", \"has_more\": false, \"remaining\": -1}",
    "[]", "null", "{\"changes\": [null], \"next_cursor\": \"1\", \"has_more\": true, \"remaining\": 0}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = bd_json_parse (documents[i], -1, &error);
      g_autoptr(BdChangesPage) page = NULL;

      g_test_message ("document %s", documents[i]);
      if (node == NULL)
        {
          g_assert_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_MALFORMED);
          continue;
        }
      page = bd_changes_page_from_json (node, &error);
      g_assert_null (page);
      g_assert_nonnull (error);
      g_assert_true (error->domain == BD_CODEC_ERROR);
    }
}

static void
test_changes_page_round_trip (void)
{
  g_autoptr(BdChangesPage) page = bd_changes_page_new ();
  g_autoptr(BdChangesPage) decoded = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) parsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gint64 seqs[] = { 11, 12 };

  g_ptr_array_add (page->consumers, sample_consumer ("1000000001"));
  g_ptr_array_add (page->consumers, sample_consumer ("1000000002"));
  page->next_cursor = g_strdup ("12");
  page->has_more = TRUE;
  page->remaining = 9876;

  node = bd_changes_page_to_json (page, seqs);
  text = bd_json_to_string (node);
  g_assert_nonnull (strstr (text, "\"seq\":11"));
  parsed = bd_json_parse (text, -1, &error);
  g_assert_no_error (error);
  decoded = bd_changes_page_from_json (parsed, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (decoded->consumers->len, ==, 2);
  g_assert_cmpstr (decoded->next_cursor, ==, "12");
  g_assert_true (decoded->has_more);
  g_assert_cmpint (decoded->remaining, ==, 9876);
  for (guint i = 0; i < 2; i++)
    g_assert_true (bd_consumer_equal (g_ptr_array_index (page->consumers, i),
                                      g_ptr_array_index (decoded->consumers, i)));
}

static void
test_consumer_list (void)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) decoded = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (list, sample_consumer ("1000000003"));
  node = bd_consumer_list_to_json (list);
  decoded = bd_consumer_list_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (decoded->len, ==, 1);
  g_assert_cmpstr (bd_consumer_get_account (g_ptr_array_index (decoded, 0)), ==, "1000000003");
}

static void
test_session (void)
{
  g_autoptr(BdSession) session = bd_session_new ("tok-123", "operator", "Asha Verma",
                                                 BD_ROLE_SUPERVISOR, "LKO-C", "Lucknow Central",
                                                 1795420800);
  g_autoptr(JsonNode) node = bd_session_to_json (session);
  g_autoptr(GError) error = NULL;
  g_autoptr(BdSession) decoded = bd_session_from_json (node, &error);
  g_autoptr(JsonNode) bad = bd_json_parse ("{\"token\":\"t\",\"username\":\"u\",\"display_name\":\"d\","
                                           "\"role\":\"root\",\"zone\":\"Z\",\"zone_name\":\"Z\","
                                           "\"expires_at\":\"2026-11-23T08:00:00Z\"}", -1, NULL);
  g_autoptr(BdSession) rejected = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (bd_session_get_token (decoded), ==, "tok-123");
  g_assert_cmpint (bd_session_get_role (decoded), ==, BD_ROLE_SUPERVISOR);
  g_assert_cmpstr (bd_session_get_zone_name (decoded), ==, "Lucknow Central");
  g_assert_cmpint (bd_session_get_expires_at (decoded), ==, 1795420800);
  g_assert_true (bd_session_is_expired (decoded, 1795420800));
  g_assert_false (bd_session_is_expired (decoded, 1795420799));

  rejected = bd_session_from_json (bad, &error);
  g_assert_null (rejected);
  g_assert_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_INVALID_VALUE);
}

static void
test_sign_in_request (void)
{
  g_autoptr(JsonNode) node = bd_sign_in_request_to_json ("operator", "secret");
  g_autoptr(JsonNode) empty = bd_json_parse ("{\"username\":\"\",\"password\":\"x\"}", -1, NULL);
  g_autoptr(JsonNode) wrong = bd_json_parse ("{\"username\":[],\"password\":\"x\"}", -1, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password = NULL;

  g_assert_true (bd_sign_in_request_from_json (node, &user, &password, &error));
  g_assert_cmpstr (user, ==, "operator");
  g_assert_cmpstr (password, ==, "secret");

  g_assert_false (bd_sign_in_request_from_json (empty, &user, &password, &error));
  g_assert_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_false (bd_sign_in_request_from_json (wrong, &user, &password, &error));
  g_assert_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_INVALID_VALUE);
}

static void
test_api_error (void)
{
  g_autoptr(JsonNode) node = bd_api_error_to_json ("not_found", "No such consumer");
  g_autoptr(JsonNode) bad = bd_json_parse ("{\"error\":\"boom\"}", -1, NULL);
  g_autoptr(JsonNode) missing = bd_json_parse ("{}", -1, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;

  g_assert_true (bd_api_error_from_json (node, &code, &message, &error));
  g_assert_cmpstr (code, ==, "not_found");
  g_assert_cmpstr (message, ==, "No such consumer");
  g_assert_false (bd_api_error_from_json (bad, &code, &message, &error));
  g_assert_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_false (bd_api_error_from_json (missing, &code, &message, &error));
  g_assert_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_MISSING_FIELD);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/codec/consumer/round-trip", test_consumer_round_trip);
  g_test_add_func ("/codec/consumer/wire-shape", test_consumer_wire_shape);
  g_test_add_func ("/codec/consumer/rejects", test_consumer_rejects);
  g_test_add_func ("/codec/consumer-list", test_consumer_list);
  g_test_add_func ("/codec/changes/round-trip", test_changes_page_round_trip);
  g_test_add_func ("/codec/changes/malformed", test_malformed_documents);
  g_test_add_func ("/codec/session", test_session);
  g_test_add_func ("/codec/sign-in-request", test_sign_in_request);
  g_test_add_func ("/codec/api-error", test_api_error);
  return g_test_run ();
}
