/* test-name-key.c: spelling variants fold together, different names do not.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "core/bd-name-key.h"

static void
assert_same_key (const char *a,
                 const char *b)
{
  g_autofree char *key_a = bd_name_key (a);
  g_autofree char *key_b = bd_name_key (b);

  g_test_message ("%s → %s, %s → %s", a, key_a, b, key_b);
  g_assert_cmpstr (key_a, ==, key_b);
  g_assert_cmpstr (key_a, !=, "");
}

static void
assert_different_key (const char *a,
                      const char *b)
{
  g_autofree char *key_a = bd_name_key (a);
  g_autofree char *key_b = bd_name_key (b);

  g_assert_cmpstr (key_a, !=, key_b);
}

static void
test_latin_variants (void)
{
  assert_same_key ("Shrivastava", "Srivastava");
  assert_same_key ("Srivastav", "SRIVASTAVA");
  assert_same_key ("Mohammad", "Mohamad");
  assert_same_key ("Mohammed", "Mohamed");
  assert_same_key ("Sharma", "Sarma");
  assert_same_key ("Tiwari", "Tivari");
  assert_same_key ("Dwivedi", "Dvivedi");
  assert_same_key ("Pooja", "Puja");
  assert_same_key ("Geeta", "Gita");
  assert_same_key ("Khan", "Kan");
  assert_same_key ("Yadav", "Iadav");
  assert_same_key ("Zahid", "Jahid");
  assert_same_key ("Rézā", "Reza");

  assert_different_key ("Sharma", "Verma");
  assert_different_key ("Ram", "Rahim");
  assert_different_key ("Gupta", "Gupte");
}

static void
test_devanagari_variants (void)
{
  /* Missing or different matras, virama and nukta fold together. */
  assert_same_key ("श्रीवास्तव", "शरवसतव");
  assert_same_key ("श्रीवास्तव", "श्रिवास्तव");
  assert_same_key ("रमेश", "रमश");
  assert_same_key ("सुनीता", "सुनिता");
  assert_same_key ("इरफ़ान", "इरफान");
  assert_same_key ("ज़ाहिद", "जाहिद");
  assert_same_key ("संजय", "सजय");

  assert_different_key ("राम", "श्याम");
  assert_different_key ("रमेश", "सुरेश");
}

static void
test_keys_text (void)
{
  g_autofree char *keys = bd_name_keys_text ("Ramesh Kumar Shrivastava");
  g_autofree char *hindi = bd_name_keys_text ("रमेश कुमार श्रीवास्तव");
  g_autofree char *empty = bd_name_keys_text ("  %% ");
  g_autofree char *null_key = bd_name_key (NULL);

  g_assert_cmpstr (keys, ==, "rames kumar srivastav");
  g_assert_cmpstr (hindi, ==, "रमश कमर शरवसतव");
  g_assert_cmpstr (empty, ==, "");
  g_assert_cmpstr (null_key, ==, "");
}

/* Plain ASCII takes a faster path; it must agree with the general one,
 * which a Devanagari danda (a separator) in the text forces. */
static void
test_ascii_path (void)
{
  const char *texts[] = {
    "Ramesh Kumar Shrivastava", "M/s Sharma General Store", "MOHD. IRFAN", "R. K. Tiwari",
    "a-b_c d1e2 3", "  ", "", "one two three four five six seven eight nine ten",
    "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "Phoolwati Bhagwati Qureshi Zaidi Yusuf Chhote Lal",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *general_text = g_strconcat (texts[i], " \u0964", NULL);
      g_autofree char *fast = bd_name_keys_text (texts[i]);
      g_autofree char *general = bd_name_keys_text (general_text);

      g_assert_cmpstr (fast, ==, general);
    }
  {
    g_autofree char *none = bd_name_keys_text (NULL);

    g_assert_cmpstr (none, ==, "");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/name-key/latin", test_latin_variants);
  g_test_add_func ("/name-key/devanagari", test_devanagari_variants);
  g_test_add_func ("/name-key/text", test_keys_text);
  g_test_add_func ("/name-key/ascii-path", test_ascii_path);
  return g_test_run ();
}
