/* test-indexing.c: BdIndexing fields as wire JSON, their validation, the
 * diff that builds a PATCH, and masking for history.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "core/bd-codec.h"
#include "core/bd-indexing.h"
#include "core/bd-validate.h"

static JsonNode *
json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = bd_json_parse (text, -1, &error);

  g_assert_no_error (error);
  return node;
}

static char *
field_text (BdIndexing *indexing,
            const char *field)
{
  g_autoptr(JsonNode) node = bd_indexing_get_field (indexing, field);

  return bd_json_to_string (node);
}

static void
test_defaults (void)
{
  g_autoptr(BdIndexing) indexing = bd_indexing_new ("1234567890");
  gint64 lat = 7, lon = 7;

  g_assert_cmpstr (bd_indexing_get_account (indexing), ==, "1234567890");
  g_assert_cmpint (bd_indexing_get_version (indexing), ==, 0);
  g_assert_null (bd_indexing_get_email (indexing));
  g_assert_false (bd_indexing_has_aadhaar (indexing));
  g_assert_cmpint (bd_indexing_get_meter_year (indexing), ==, -1);
  g_assert_cmpint (bd_indexing_get_last_reading_wh (indexing), ==, -1);
  g_assert_nonnull (bd_indexing_get_seal_numbers (indexing));
  g_assert_null (bd_indexing_get_seal_numbers (indexing)[0]);
  g_assert_false (bd_indexing_get_gps (indexing, &lat, &lon));
  g_assert_cmpint (lat, ==, 7);
  g_assert_cmpstr (bd_indexing_get_feeder (indexing), ==, "");
  g_assert_cmpuint (g_strv_length ((GStrv) bd_indexing_field_names ()), ==, 20);
  for (const char * const *f = bd_indexing_field_names (); *f != NULL; f++)
    {
      g_autoptr(JsonNode) node = bd_indexing_get_field (indexing, *f);

      g_assert_nonnull (node);
      g_assert_true (bd_indexing_is_field (*f));
    }
  g_assert_null (bd_indexing_get_field (indexing, "account"));
  g_assert_false (bd_indexing_is_field ("version"));
}

static void
test_set_field_normalises (void)
{
  static const struct { const char *field; const char *in; const char *out; } cases[] = {
    { "email", "\"Ram@Example.IN\"", "\"Ram@example.in\"" },
    { "alternate_phone", "\"0522 2345678\"", "\"05222345678\"" },
    { "pan", "\"abcpe1234f\"", "\"ABCPE1234F\"" },
    { "voter_id", "\"abc 1234567\"", "\"ABC1234567\"" },
    { "driving_licence", "\"UP32 2019 0012345\"", "\"UP3220190012345\"" },
    { "meter_make", "\"  Genus \"", "\"Genus\"" },
    { "meter_serial", "\"gn12345678\"", "\"GN12345678\"" },
    { "meter_year", "2023", "2023" },
    { "meter_rating", "\"5-30 A\"", "\"5-30 A\"" },
    { "seal_numbers", "[\"up1\", \"sl0042\"]", NULL },  /* "up1" is too short */
    { "seal_numbers", "[\"up-1234\", \"sl0042\"]", "[\"UP-1234\",\"SL0042\"]" },
    { "installed_on", "\"15-03-2024\"", "\"2024-03-15\"" },
    { "last_reading_wh", "12345600", "12345600" },
    { "last_reading_on", "\"2024-03-15\"", "\"2024-03-15\"" },
    { "gps", "{\"lat_e6\":26846700,\"lon_e6\":80946200}", "{\"lat_e6\":26846700,\"lon_e6\":80946200}" },
    { "feeder", "\"gmt-f03\"", "\"GMT-F03\"" },
    { "dt", "\"GMT-F03-DT012\"", "\"GMT-F03-DT012\"" },
    { "pole", "null", "\"\"" },
    { "sanctioned_load_w", "3000", "3000" },
    { "email", "\"\"", "null" },      /* clearing */
    { "email", "null", "null" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BdIndexing) indexing = bd_indexing_new ("1234567890");
      g_autoptr(JsonNode) value = json (cases[i].in);
      g_autoptr(GError) error = NULL;
      gboolean ok = bd_indexing_set_field (indexing, cases[i].field, value, &error);

      g_test_message ("%s = %s", cases[i].field, cases[i].in);
      if (cases[i].out == NULL)
        {
          g_assert_false (ok);
          g_assert_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_SEAL_NUMBER);
          continue;
        }
      g_assert_no_error (error);
      g_assert_true (ok);
      {
        g_autofree char *out = field_text (indexing, cases[i].field);
        g_assert_cmpstr (out, ==, cases[i].out);
      }
    }
}

static void
test_set_field_rejects (void)
{
  static const struct { const char *field; const char *value; int code; const char *says; } cases[] = {
    { "pan", "\"ABCXE1234F\"", BD_VALIDATION_ERROR_INVALID_PAN, "PAN: " },
    { "email", "\"no-at-sign\"", BD_VALIDATION_ERROR_INVALID_EMAIL, "Email: " },
    { "email", "42", BD_VALIDATION_ERROR_INVALID_VALUE, "Email: " },
    { "meter_year", "\"2023\"", BD_VALIDATION_ERROR_INVALID_VALUE, "Year of manufacture: " },
    { "meter_year", "1900", BD_VALIDATION_ERROR_INVALID_VALUE, "1950" },
    { "sanctioned_load_w", "null", BD_VALIDATION_ERROR_INVALID_VALUE, "Sanctioned load: " },
    { "sanctioned_load_w", "-5", BD_VALIDATION_ERROR_INVALID_VALUE, "kW" },
    { "sanctioned_load_w", "2.5", BD_VALIDATION_ERROR_INVALID_VALUE, NULL },
    { "last_reading_wh", "-1", BD_VALIDATION_ERROR_INVALID_READING, NULL },
    { "installed_on", "\"01-01-9999\"", BD_VALIDATION_ERROR_DATE_IN_FUTURE, "Installed on: " },
    { "gps", "{\"lat_e6\":51507400,\"lon_e6\":-127800}", BD_VALIDATION_ERROR_INVALID_GPS, "outside India" },
    { "gps", "{\"lat_e6\":26.8}", BD_VALIDATION_ERROR_INVALID_VALUE, NULL },
    { "seal_numbers", "\"SL0042\"", BD_VALIDATION_ERROR_INVALID_VALUE, NULL },
    { "seal_numbers", "[\"SL0042\", \"sl0042\"]", BD_VALIDATION_ERROR_INVALID_SEAL_NUMBER, "twice" },
    { "feeder", "\"F 03; DROP\"", BD_VALIDATION_ERROR_INVALID_CODE, "Feeder: " },
    { "meter_make", "\"line\\nbreak\"", BD_VALIDATION_ERROR_INVALID_TEXT, NULL },
    /* Aadhaar only ever travels protected: a full number is refused. */
    { "aadhaar", "\"234123412346\"", BD_VALIDATION_ERROR_INVALID_VALUE, NULL },
    { "aadhaar", "{\"last4\":\"234123412346\",\"salt\":\"000102030405060708090a0b0c0d0e0f\","
                 "\"hash\":\"9061ed0d917e82e71aea761fc7ba19756cffb850680e48a3043b6edd4fab7670\"}",
      BD_VALIDATION_ERROR_INVALID_AADHAAR, "Aadhaar: " },
    { "aadhaar", "{\"last4\":\"2346\"}", BD_VALIDATION_ERROR_INVALID_AADHAAR, NULL },
    { "account", "\"1234567890\"", BD_VALIDATION_ERROR_INVALID_VALUE, "not a field" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BdIndexing) indexing = bd_indexing_new ("1234567890");
      g_autoptr(BdIndexing) before = bd_indexing_copy (indexing);
      g_autoptr(JsonNode) value = json (cases[i].value);
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) validate_error = NULL;

      g_test_message ("%s = %s", cases[i].field, cases[i].value);
      g_assert_false (bd_indexing_set_field (indexing, cases[i].field, value, &error));
      g_assert_error (error, BD_VALIDATION_ERROR, cases[i].code);
      if (cases[i].says != NULL)
        g_assert_nonnull (strstr (error->message, cases[i].says));
      /* A refused value leaves the record as it was. */
      g_assert_true (bd_indexing_equal (indexing, before));

      g_assert_false (bd_indexing_validate_field (cases[i].field, value, &validate_error));
      g_assert_error (validate_error, BD_VALIDATION_ERROR, cases[i].code);
    }
}

static void
test_aadhaar_field (void)
{
  g_autoptr(BdIndexing) indexing = bd_indexing_new ("1234567890");
  g_autoptr(JsonNode) value = json ("{\"last4\":\"2346\",\"salt\":\"000102030405060708090a0b0c0d0e0f\","
                                    "\"hash\":\"9061ed0d917e82e71aea761fc7ba19756cffb850680e48a3043b6edd4fab7670\"}");
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;

  g_assert_true (bd_indexing_set_field (indexing, "aadhaar", value, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (bd_indexing_get_aadhaar_last4 (indexing), ==, "2346");
  g_assert_cmpstr (bd_indexing_get_aadhaar_salt (indexing), ==, "000102030405060708090a0b0c0d0e0f");

  shown = bd_indexing_format_value ("aadhaar", value);
  g_assert_cmpstr (shown, ==, "XXXX-XXXX-2346");

  bd_indexing_set_aadhaar (indexing, NULL, "ignored", "ignored");
  g_assert_false (bd_indexing_has_aadhaar (indexing));
  g_assert_null (bd_indexing_get_aadhaar_hash (indexing));
}

static void
test_diff (void)
{
  g_autoptr(BdIndexing) before = bd_indexing_new ("1234567890");
  g_autoptr(BdIndexing) after = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  const char * const seals[] = { "SL0042", NULL };
  BdIndexingChange *change;

  bd_indexing_set_email (before, "old@example.in");
  bd_indexing_set_feeder (before, "GMT-F03");
  bd_indexing_set_aadhaar (before, "2346", NULL, NULL);
  after = bd_indexing_copy (before);
  g_assert_true (bd_indexing_equal (before, after));

  none = bd_indexing_diff (before, after);
  g_assert_cmpuint (none->len, ==, 0);

  bd_indexing_set_email (after, "new@example.in");
  bd_indexing_set_seal_numbers (after, seals);
  bd_indexing_set_gps (after, 26846700, 80946200);
  g_assert_false (bd_indexing_equal (before, after));

  changes = bd_indexing_diff (before, after);
  g_assert_cmpuint (changes->len, ==, 3);

  /* In field order: email, seal_numbers, gps. */
  change = g_ptr_array_index (changes, 0);
  g_assert_cmpstr (change->field, ==, "email");
  g_assert_cmpstr (json_node_get_string (change->from), ==, "old@example.in");
  g_assert_cmpstr (json_node_get_string (change->to), ==, "new@example.in");
  change = g_ptr_array_index (changes, 1);
  g_assert_cmpstr (change->field, ==, "seal_numbers");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (change->from)), ==, 0);
  change = g_ptr_array_index (changes, 2);
  g_assert_cmpstr (change->field, ==, "gps");
  g_assert_true (JSON_NODE_HOLDS_NULL (change->from));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (change->to));

  /* Applying the diff's "to" values to the old copy gives the new one. */
  for (guint i = 0; i < changes->len; i++)
    {
      g_autoptr(GError) error = NULL;

      change = g_ptr_array_index (changes, i);
      g_assert_true (bd_indexing_set_field (before, change->field, change->to, &error));
      g_assert_no_error (error);
    }
  g_assert_true (bd_indexing_equal (before, after));
}

static void
test_format_value (void)
{
  static const struct { const char *field; const char *value; const char *shown; } cases[] = {
    { "alternate_phone", "\"9876543210\"", "98XXXXXX10" },
    { "alternate_phone", "\"05222345678\"", "05XXXXXXX78" },
    { "email", "\"ram.kumar@example.in\"", "r***@example.in" },
    { "pan", "\"ABCPE1234F\"", "ABCPE1234F" },
    { "gps", "{\"lat_e6\":26846700,\"lon_e6\":80946200}", "26.846700, 80.946200" },
    { "seal_numbers", "[\"UP-1234\",\"SL0042\"]", "UP-1234, SL0042" },
    { "last_reading_wh", "12345600", "12345.600 kWh" },
    { "sanctioned_load_w", "2000", "2000 W" },
    { "meter_year", "2023", "2023" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) value = json (cases[i].value);
      g_autofree char *shown = bd_indexing_format_value (cases[i].field, value);

      g_assert_cmpstr (shown, ==, cases[i].shown);
    }

  {
    g_autoptr(JsonNode) null_node = json_node_new (JSON_NODE_NULL);
    g_assert_null (bd_indexing_format_value ("email", null_node));
  }
  g_assert_cmpstr (bd_indexing_field_label ("pan"), ==, "PAN");
  g_assert_cmpstr (bd_indexing_field_label ("nonsense"), ==, "nonsense");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/indexing/defaults", test_defaults);
  g_test_add_func ("/indexing/set-field-normalises", test_set_field_normalises);
  g_test_add_func ("/indexing/set-field-rejects", test_set_field_rejects);
  g_test_add_func ("/indexing/aadhaar", test_aadhaar_field);
  g_test_add_func ("/indexing/diff", test_diff);
  g_test_add_func ("/indexing/format-value", test_format_value);
  return g_test_run ();
}
