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
  g_autoptr(JsonNode) node = bd_sign_in_request_to_json ("operator", "secret", NULL);
  g_autoptr(JsonNode) empty = bd_json_parse ("{\"username\":\"\",\"password\":\"x\"}", -1, NULL);
  g_autoptr(JsonNode) wrong = bd_json_parse ("{\"username\":[],\"password\":\"x\"}", -1, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password = NULL;

  g_assert_true (bd_sign_in_request_from_json (node, &user, &password, NULL, &error));
  g_assert_cmpstr (user, ==, "operator");
  g_assert_cmpstr (password, ==, "secret");
  {
    g_autoptr(JsonNode) zoned = bd_sign_in_request_to_json ("operator", "secret", "LKO-E");
    g_autofree char *zone_user = NULL;
    g_autofree char *zone_password = NULL;
    g_autofree char *zone = NULL;

    g_assert_true (bd_sign_in_request_from_json (zoned, &zone_user, &zone_password, &zone, &error));
    g_assert_cmpstr (zone, ==, "LKO-E");
    g_clear_pointer (&zone, g_free);
    g_clear_pointer (&zone_user, g_free);
    g_clear_pointer (&zone_password, g_free);
    g_assert_true (bd_sign_in_request_from_json (node, &zone_user, &zone_password, &zone, &error));
    g_assert_null (zone);
  }

  g_assert_false (bd_sign_in_request_from_json (empty, &user, &password, NULL, &error));
  g_assert_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_false (bd_sign_in_request_from_json (wrong, &user, &password, NULL, &error));
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

/* ---- issue 5: indexing, OTP, registration, history ----------------------- */

static BdIndexing *
sample_indexing (void)
{
  BdIndexing *indexing = bd_indexing_new ("1234567890");
  const char * const seals[] = { "UP-1234", "SL0042", NULL };

  bd_indexing_set_version (indexing, 3);
  bd_indexing_set_alternate_phone (indexing, "05222345678");
  bd_indexing_set_email (indexing, "ram@example.in");
  bd_indexing_set_aadhaar (indexing, "2346", "000102030405060708090a0b0c0d0e0f",
                           "9061ed0d917e82e71aea761fc7ba19756cffb850680e48a3043b6edd4fab7670");
  bd_indexing_set_pan (indexing, "ABCPE1234F");
  bd_indexing_set_voter_id (indexing, "ABC1234567");
  bd_indexing_set_driving_licence (indexing, "UP3220190012345");
  bd_indexing_set_meter_make (indexing, "जीनस Genus");
  bd_indexing_set_meter_model (indexing, "EM-1");
  bd_indexing_set_meter_serial (indexing, "GN12345678");
  bd_indexing_set_meter_year (indexing, 2023);
  bd_indexing_set_meter_rating (indexing, "5-30 A");
  bd_indexing_set_seal_numbers (indexing, seals);
  bd_indexing_set_installed_on (indexing, "2024-03-15");
  bd_indexing_set_last_reading_wh (indexing, 1234500);
  bd_indexing_set_last_reading_on (indexing, "2024-03-16");
  bd_indexing_set_gps (indexing, 26846700, 80946200);
  bd_indexing_set_feeder (indexing, "GMT-F03");
  bd_indexing_set_dt (indexing, "GMT-F03-DT012");
  bd_indexing_set_pole (indexing, "GMT-F03-DT012-P05");
  bd_indexing_set_sanctioned_load_w (indexing, 2000);
  bd_indexing_set_updated_at (indexing, 1763892000);
  bd_indexing_set_updated_by (indexing, "operator");
  return indexing;
}

static BdIndexing *
round_trip_indexing (BdIndexing *indexing)
{
  g_autoptr(JsonNode) node = bd_indexing_to_json (indexing);
  g_autofree char *text = bd_json_to_string (node);
  g_autoptr(JsonNode) parsed = NULL;
  g_autoptr(GError) error = NULL;
  BdIndexing *decoded;

  parsed = bd_json_parse (text, -1, &error);
  g_assert_no_error (error);
  decoded = bd_indexing_from_json (parsed, &error);
  g_assert_no_error (error);
  g_assert_nonnull (decoded);
  return decoded;
}

static void
test_indexing_round_trip (void)
{
  g_autoptr(BdIndexing) full = sample_indexing ();
  g_autoptr(BdIndexing) empty = bd_indexing_new ("123456789012");
  g_autoptr(BdIndexing) full_back = round_trip_indexing (full);
  g_autoptr(BdIndexing) empty_back = round_trip_indexing (empty);

  g_assert_true (bd_indexing_equal (full, full_back));
  g_assert_cmpstr (bd_indexing_get_aadhaar_hash (full_back), ==,
                   "9061ed0d917e82e71aea761fc7ba19756cffb850680e48a3043b6edd4fab7670");
  g_assert_true (bd_indexing_equal (empty, empty_back));
  g_assert_cmpint (bd_indexing_get_meter_year (empty_back), ==, -1);
  g_assert_cmpint (bd_indexing_get_updated_at (empty_back), ==, 0);

  /* What the server's GET sends: Aadhaar as last 4 only. */
  bd_indexing_set_aadhaar (full, "2346", NULL, NULL);
  {
    g_autoptr(BdIndexing) back = round_trip_indexing (full);

    g_assert_cmpstr (bd_indexing_get_aadhaar_last4 (back), ==, "2346");
    g_assert_null (bd_indexing_get_aadhaar_salt (back));
    g_assert_true (bd_indexing_equal (full, back));
  }
}

static void
test_indexing_wire_shape (void)
{
  g_autoptr(BdIndexing) empty = bd_indexing_new ("1234567890");
  g_autoptr(JsonNode) node = bd_indexing_to_json (empty);
  g_autofree char *text = bd_json_to_string (node);

  g_assert_cmpstr (text, ==,
                   "{\"account\":\"1234567890\",\"version\":0,\"alternate_phone\":null,\"email\":null,"
                   "\"aadhaar\":null,\"pan\":null,\"voter_id\":null,\"driving_licence\":null,"
                   "\"meter_make\":null,\"meter_model\":null,\"meter_serial\":null,\"meter_year\":null,"
                   "\"meter_rating\":null,\"seal_numbers\":[],\"installed_on\":null,"
                   "\"last_reading_wh\":null,\"last_reading_on\":null,\"gps\":null,"
                   "\"feeder\":\"\",\"dt\":\"\",\"pole\":\"\",\"sanctioned_load_w\":0,"
                   "\"updated_at\":null,\"updated_by\":null}");
}

/* Each mutation of a valid document must be refused with BD_CODEC_ERROR. */
static void
test_indexing_rejects (void)
{
  static const struct { const char *member; const char *value; } mutations[] = {
    { "account", NULL }, { "account", "\"12345\"" }, { "account", "1234567890" },
    { "version", "\"3\"" }, { "version", "-1" }, { "version", NULL },
    { "email", "5" }, { "email", NULL }, { "feeder", "null" },
    { "aadhaar", "\"234123412346\"" },
    { "aadhaar", "{\"last4\":\"234123412346\"}" },
    { "aadhaar", "{\"last4\":\"2346\",\"salt\":\"00\"}" },
    { "aadhaar", "{\"last4\":\"2346\",\"salt\":\"000102030405060708090a0b0c0d0e0f\"}" },
    { "seal_numbers", "null" }, { "seal_numbers", "[1]" }, { "seal_numbers", "\"SL0042\"" },
    { "gps", "[26, 80]" }, { "gps", "{\"lat_e6\":26.8,\"lon_e6\":80}" }, { "gps", "{\"lat_e6\":1}" },
    { "meter_year", "\"2023\"" }, { "last_reading_wh", "-5" }, { "last_reading_wh", "1.5" },
    { "sanctioned_load_w", "null" },
    { "installed_on", "\"15-03-2024\"" }, { "installed_on", "\"2024-02-30\"" },
    { "updated_at", "\"yesterday\"" }, { "updated_at", "1763892000" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (mutations); i++)
    {
      g_autoptr(BdIndexing) sample = sample_indexing ();
      g_autoptr(JsonNode) node = bd_indexing_to_json (sample);
      JsonObject *object = json_node_get_object (node);
      g_autoptr(BdIndexing) decoded = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s = %s", mutations[i].member, mutations[i].value ? mutations[i].value : "(absent)");
      if (mutations[i].value == NULL)
        json_object_remove_member (object, mutations[i].member);
      else
        json_object_set_member (object, mutations[i].member,
                                bd_json_parse (mutations[i].value, -1, NULL));
      decoded = bd_indexing_from_json (node, &error);
      g_assert_null (decoded);
      g_assert_nonnull (error);
      g_assert_true (error->domain == BD_CODEC_ERROR);
    }
}

/* Every prefix of a valid document is either not JSON or not an indexing
 * record; none may crash the decoder or be half-accepted. */
static void
test_indexing_truncated (void)
{
  g_autoptr(BdIndexing) sample = sample_indexing ();
  g_autoptr(JsonNode) node = bd_indexing_to_json (sample);
  g_autofree char *text = bd_json_to_string (node);
  gsize len = strlen (text);

  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) parsed = bd_json_parse (text, (gssize) cut, &error);
      g_autoptr(BdIndexing) decoded = NULL;

      if (parsed == NULL)
        continue;
      decoded = bd_indexing_from_json (parsed, &error);
      g_assert_null (decoded);
    }
}

static void
test_indexing_patch (void)
{
  g_autoptr(BdIndexing) before = sample_indexing ();
  g_autoptr(BdIndexing) after = bd_indexing_copy (before);
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GPtrArray) decoded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  bd_indexing_set_email (after, "new@example.in");
  bd_indexing_set_pan (after, NULL);
  changes = bd_indexing_diff (before, after);
  node = bd_indexing_patch_to_json (changes);
  text = bd_json_to_string (node);
  g_assert_cmpstr (text, ==,
                   "{\"changes\":{\"email\":{\"from\":\"ram@example.in\",\"to\":\"new@example.in\"},"
                   "\"pan\":{\"from\":\"ABCPE1234F\",\"to\":null}}}");

  decoded = bd_indexing_patch_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (decoded->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      BdIndexingChange *a = g_ptr_array_index (changes, i);
      BdIndexingChange *b = g_ptr_array_index (decoded, i);

      g_assert_cmpstr (a->field, ==, b->field);
      g_assert_true (json_node_equal (a->from, b->from));
      g_assert_true (json_node_equal (a->to, b->to));
    }
}

static void
test_indexing_patch_rejects (void)
{
  static const char *documents[] = {
    "{}", "{\"changes\":[]}", "{\"changes\":{}}", "{\"changes\":null}",
    "{\"changes\":{\"account\":{\"from\":null,\"to\":\"1\"}}}",
    "{\"changes\":{\"version\":{\"from\":1,\"to\":2}}}",
    "{\"changes\":{\"email\":{\"to\":\"a@b.in\"}}}",
    "{\"changes\":{\"email\":{\"from\":null}}}",
    "{\"changes\":{\"email\":\"a@b.in\"}}",
    "[{\"changes\":{}}]",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = bd_json_parse (documents[i], -1, &error);
      g_autoptr(GPtrArray) changes = NULL;

      g_assert_no_error (error);
      g_test_message ("patch %s", documents[i]);
      changes = bd_indexing_patch_from_json (node, &error);
      g_assert_null (changes);
      g_assert_true (error != NULL && error->domain == BD_CODEC_ERROR);
    }
}

static void
test_indexing_patch_result (void)
{
  g_autoptr(BdIndexing) indexing = sample_indexing ();
  g_autoptr(GPtrArray) conflicts = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_indexing_conflict_free);
  const char * const applied[] = { "email", "feeder", NULL };
  g_autoptr(JsonNode) server = bd_json_parse ("\"AAAPE1111A\"", -1, NULL);
  g_autoptr(JsonNode) desk = bd_json_parse ("\"ABCPE1234F\"", -1, NULL);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(BdIndexing) decoded = NULL;
  g_auto(GStrv) decoded_applied = NULL;
  g_autoptr(GPtrArray) decoded_conflicts = NULL;
  g_autoptr(GError) error = NULL;
  BdIndexingConflict *conflict;

  g_ptr_array_add (conflicts, bd_indexing_conflict_new ("pan", server, desk));
  node = bd_indexing_patch_result_to_json (indexing, applied, conflicts);
  g_assert_true (bd_indexing_patch_result_from_json (node, &decoded, &decoded_applied,
                                                     &decoded_conflicts, &error));
  g_assert_no_error (error);
  g_assert_true (bd_indexing_equal (indexing, decoded));
  g_assert_cmpstrv (decoded_applied, applied);
  g_assert_cmpuint (decoded_conflicts->len, ==, 1);
  conflict = g_ptr_array_index (decoded_conflicts, 0);
  g_assert_cmpstr (conflict->field, ==, "pan");
  g_assert_cmpstr (json_node_get_string (conflict->server), ==, "AAAPE1111A");
  g_assert_cmpstr (json_node_get_string (conflict->desk), ==, "ABCPE1234F");

  /* Malformed: applied names something that is no field; conflict without desk. */
  {
    JsonObject *object = json_node_get_object (node);
    g_autoptr(GError) e1 = NULL;
    g_autoptr(GError) e2 = NULL;

    json_object_set_member (object, "applied", bd_json_parse ("[\"rm -rf\"]", -1, NULL));
    g_assert_false (bd_indexing_patch_result_from_json (node, NULL, NULL, NULL, &e1));
    g_assert_true (e1->domain == BD_CODEC_ERROR);
    json_object_set_member (object, "applied", bd_json_parse ("[]", -1, NULL));
    json_object_set_member (object, "conflicts", bd_json_parse ("[{\"field\":\"pan\",\"server\":null}]", -1, NULL));
    g_assert_false (bd_indexing_patch_result_from_json (node, NULL, NULL, NULL, &e2));
    g_assert_true (e2->domain == BD_CODEC_ERROR);
  }
}

static void
test_otp_ticket (void)
{
  g_autoptr(BdOtpTicket) ticket = bd_otp_ticket_new ("AbCdEfGhIjKlMnOpQrStUv", "1234567890",
                                                     BD_OTP_PURPOSE_CHANGE_MOBILE);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(BdOtpTicket) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  bd_otp_ticket_set_mobile_masked (ticket, "98XXXXXX10");
  bd_otp_ticket_set_state (ticket, BD_OTP_STATE_VERIFIED);
  bd_otp_ticket_set_delivery (ticket, BD_SMS_STATUS_DELIVERED);
  bd_otp_ticket_set_expires_at (ticket, 1763892300);
  bd_otp_ticket_set_resend_after (ticket, 1763892030);
  bd_otp_ticket_set_attempts_left (ticket, 4);
  bd_otp_ticket_set_sends_left (ticket, 2);

  node = bd_otp_ticket_to_json (ticket);
  text = bd_json_to_string (node);
  g_assert_cmpstr (text, ==,
                   "{\"id\":\"AbCdEfGhIjKlMnOpQrStUv\",\"account\":\"1234567890\",\"purpose\":\"change_mobile\","
                   "\"mobile_masked\":\"98XXXXXX10\",\"state\":\"verified\",\"delivery\":\"delivered\","
                   "\"expires_at\":\"2025-11-23T10:05:00Z\",\"resend_after\":\"2025-11-23T10:00:30Z\","
                   "\"attempts_left\":4,\"sends_left\":2}");

  back = bd_otp_ticket_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bd_otp_ticket_get_id (back), ==, "AbCdEfGhIjKlMnOpQrStUv");
  g_assert_cmpint (bd_otp_ticket_get_purpose (back), ==, BD_OTP_PURPOSE_CHANGE_MOBILE);
  g_assert_cmpint (bd_otp_ticket_get_state (back), ==, BD_OTP_STATE_VERIFIED);
  g_assert_cmpint (bd_otp_ticket_get_delivery (back), ==, BD_SMS_STATUS_DELIVERED);
  g_assert_cmpint (bd_otp_ticket_get_expires_at (back), ==, 1763892300);
  g_assert_cmpint (bd_otp_ticket_get_resend_after (back), ==, 1763892030);
  g_assert_cmpint (bd_otp_ticket_get_attempts_left (back), ==, 4);
  g_assert_cmpint (bd_otp_ticket_get_sends_left (back), ==, 2);
  g_assert_cmpstr (bd_otp_ticket_get_mobile_masked (back), ==, "98XXXXXX10");

  {
    static const struct { const char *member; const char *value; } mutations[] = {
      { "id", NULL }, { "id", "\"\"" }, { "purpose", "\"login\"" }, { "state", "\"pending \"" },
      { "delivery", "\"read\"" }, { "expires_at", "null" }, { "attempts_left", "-1" },
      { "sends_left", "\"2\"" }, { "mobile_masked", NULL },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (mutations); i++)
      {
        g_autoptr(JsonNode) copy = json_node_copy (node);
        JsonObject *object = json_node_get_object (copy);
        g_autoptr(BdOtpTicket) decoded = NULL;
        g_autoptr(GError) e = NULL;

        if (mutations[i].value == NULL)
          json_object_remove_member (object, mutations[i].member);
        else
          json_object_set_member (object, mutations[i].member, bd_json_parse (mutations[i].value, -1, NULL));
        decoded = bd_otp_ticket_from_json (copy, &e);
        g_assert_null (decoded);
        g_assert_true (e != NULL && e->domain == BD_CODEC_ERROR);
      }
  }
}

static void
test_otp_requests (void)
{
  g_autoptr(JsonNode) with_mobile = bd_otp_request_to_json ("1234567890", BD_OTP_PURPOSE_CHANGE_MOBILE, "9876543210");
  g_autoptr(JsonNode) without = bd_otp_request_to_json ("1234567890", BD_OTP_PURPOSE_REGISTRATION, NULL);
  g_autoptr(JsonNode) verify = bd_otp_verify_request_to_json ("123456");
  g_autoptr(JsonNode) bad = bd_json_parse ("{\"account\":\"1234567890\",\"purpose\":\"login\"}", -1, NULL);
  g_autofree char *text = bd_json_to_string (without);
  g_autofree char *account = NULL;
  g_autofree char *mobile = NULL;
  g_autofree char *code = NULL;
  g_autofree char *a2 = NULL;
  g_autofree char *m2 = NULL;
  g_autoptr(GError) error = NULL;
  BdOtpPurpose purpose;

  g_assert_cmpstr (text, ==, "{\"account\":\"1234567890\",\"purpose\":\"registration\"}");
  g_assert_true (bd_otp_request_from_json (with_mobile, &account, &purpose, &mobile, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (account, ==, "1234567890");
  g_assert_cmpint (purpose, ==, BD_OTP_PURPOSE_CHANGE_MOBILE);
  g_assert_cmpstr (mobile, ==, "9876543210");
  g_assert_false (bd_otp_request_from_json (bad, &a2, &purpose, &m2, &error));
  g_assert_true (error->domain == BD_CODEC_ERROR);
  g_clear_error (&error);

  g_assert_true (bd_otp_verify_request_from_json (verify, &code, &error));
  g_assert_cmpstr (code, ==, "123456");
}

static void
test_registration (void)
{
  g_autoptr(JsonNode) request = bd_registration_request_to_json ("1234567890", "otp-id", "ramkumar", NULL);
  g_autoptr(JsonNode) answer = bd_registration_to_json ("1234567890", "ramkumar", 1763892000, TRUE);
  g_autofree char *request_text = bd_json_to_string (request);
  g_autofree char *answer_text = bd_json_to_string (answer);
  g_autofree char *account = NULL;
  g_autofree char *otp_id = NULL;
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;
  g_autofree char *username_back = NULL;
  g_autoptr(GError) error = NULL;
  gint64 registered_at = 0;
  gboolean temporary = FALSE;

  g_assert_cmpstr (request_text, ==, "{\"account\":\"1234567890\",\"otp_id\":\"otp-id\",\"username\":\"ramkumar\"}");
  g_assert_true (bd_registration_request_from_json (request, &account, &otp_id, &username, &password, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (otp_id, ==, "otp-id");
  g_assert_null (password);

  g_assert_cmpstr (answer_text, ==,
                   "{\"account\":\"1234567890\",\"username\":\"ramkumar\","
                   "\"registered_at\":\"2025-11-23T10:00:00Z\",\"temporary_password_sent\":true}");
  g_assert_true (bd_registration_from_json (answer, NULL, &username_back, &registered_at, &temporary, &error));
  g_assert_cmpstr (username_back, ==, "ramkumar");
  g_assert_cmpint (registered_at, ==, 1763892000);
  g_assert_true (temporary);

  json_object_remove_member (json_node_get_object (answer), "temporary_password_sent");
  g_assert_false (bd_registration_from_json (answer, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_MISSING_FIELD);
}

static void
test_history (void)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_history_entry_free);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(GError) error = NULL;
  BdHistoryEntry *entry;

  g_ptr_array_add (entries, bd_history_entry_new (1763892000, "operator", "operator", "indexing",
                                                  "email", NULL, "r***@example.in"));
  g_ptr_array_add (entries, bd_history_entry_new (1763891000, "agent", "agent", "mobile_verified",
                                                  NULL, NULL, NULL));
  node = bd_history_to_json (entries);
  back = bd_history_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, 2);
  entry = g_ptr_array_index (back, 0);
  g_assert_cmpint (entry->at, ==, 1763892000);
  g_assert_cmpstr (entry->field, ==, "email");
  g_assert_null (entry->from);
  g_assert_cmpstr (entry->to, ==, "r***@example.in");
  entry = g_ptr_array_index (back, 1);
  g_assert_null (entry->field);
  g_assert_cmpstr (entry->action, ==, "mobile_verified");

  {
    g_autofree char *line = bd_history_entry_describe (g_ptr_array_index (back, 0));
    g_assert_cmpstr (line, ==, "Email: none → r***@example.in");
  }

  {
    static const char *documents[] = {
      "{}", "{\"entries\":{}}", "{\"entries\":[{}]}",
      "{\"entries\":[{\"at\":\"x\",\"by\":\"a\",\"role\":\"r\",\"action\":\"indexing\",\"field\":null,\"from\":null,\"to\":null}]}",
      "{\"entries\":[{\"at\":\"2025-11-23T10:00:00Z\",\"by\":5,\"role\":\"r\",\"action\":\"indexing\"}]}",
    };

    for (gsize i = 0; i < G_N_ELEMENTS (documents); i++)
      {
        g_autoptr(JsonNode) bad = bd_json_parse (documents[i], -1, NULL);
        g_autoptr(GPtrArray) decoded = NULL;
        g_autoptr(GError) e = NULL;

        decoded = bd_history_from_json (bad, &e);
        g_assert_null (decoded);
        g_assert_true (e != NULL && e->domain == BD_CODEC_ERROR);
      }
  }
}

static void
test_api_error_details (void)
{
  g_autoptr(JsonNode) limited = bd_api_error_to_json_full ("rate_limited", "Wait", 27, -1);
  g_autoptr(JsonNode) wrong = bd_api_error_to_json_full ("otp_wrong", "Wrong code", -1, 3);
  g_autoptr(JsonNode) plain = bd_api_error_to_json ("not_found", "No");
  g_autoptr(JsonNode) negative = bd_json_parse ("{\"error\":{\"code\":\"x\",\"message\":\"y\",\"retry_after\":-4}}", -1, NULL);
  g_autofree char *text = bd_json_to_string (limited);
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;
  g_autoptr(GError) error = NULL;
  gint retry_after = 0, attempts_left = 0;

  g_assert_cmpstr (text, ==, "{\"error\":{\"code\":\"rate_limited\",\"message\":\"Wait\",\"retry_after\":27}}");
  g_assert_true (bd_api_error_from_json_full (limited, &code, &message, &retry_after, &attempts_left, &error));
  g_assert_cmpstr (code, ==, "rate_limited");
  g_assert_cmpint (retry_after, ==, 27);
  g_assert_cmpint (attempts_left, ==, -1);
  g_assert_true (bd_api_error_from_json_full (wrong, NULL, NULL, &retry_after, &attempts_left, &error));
  g_assert_cmpint (retry_after, ==, -1);
  g_assert_cmpint (attempts_left, ==, 3);
  g_assert_true (bd_api_error_from_json_full (plain, NULL, NULL, &retry_after, &attempts_left, &error));
  g_assert_cmpint (retry_after, ==, -1);
  g_assert_cmpint (attempts_left, ==, -1);
  g_assert_false (bd_api_error_from_json_full (negative, NULL, NULL, &retry_after, NULL, &error));
  g_assert_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_INVALID_VALUE);
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
  g_test_add_func ("/codec/api-error/details", test_api_error_details);
  g_test_add_func ("/codec/indexing/round-trip", test_indexing_round_trip);
  g_test_add_func ("/codec/indexing/wire-shape", test_indexing_wire_shape);
  g_test_add_func ("/codec/indexing/rejects", test_indexing_rejects);
  g_test_add_func ("/codec/indexing/truncated", test_indexing_truncated);
  g_test_add_func ("/codec/indexing/patch", test_indexing_patch);
  g_test_add_func ("/codec/indexing/patch-rejects", test_indexing_patch_rejects);
  g_test_add_func ("/codec/indexing/patch-result", test_indexing_patch_result);
  g_test_add_func ("/codec/otp/ticket", test_otp_ticket);
  g_test_add_func ("/codec/otp/requests", test_otp_requests);
  g_test_add_func ("/codec/registration", test_registration);
  g_test_add_func ("/codec/history", test_history);
  return g_test_run ();
}
