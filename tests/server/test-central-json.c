/* test-central-json.c: the fast JSON writers give the codec's text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "core/bd-codec.h"
#include "server/bd-central-json.h"
#include "server/bd-demo-generator.h"

#define FIXED_NOW G_GINT64_CONSTANT (1795000000)

static char *
codec_text (JsonNode *node)
{
  char *text = bd_json_to_string (node);

  json_node_unref (node);
  return text;
}

static char *
fast_consumer_text (BdConsumer *consumer)
{
  GString *out = g_string_new (NULL);

  bd_central_json_append_consumer (out, consumer);
  return g_string_free (out, FALSE);
}

static GPtrArray *
demo_consumers (guint n)
{
  g_autoptr(BdDemoGenerator) generator = bd_demo_generator_new (1912, FIXED_NOW);
  GPtrArray *consumers = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (consumers, bd_demo_generator_next (generator));
  return consumers;
}

static void
test_demo_consumers (void)
{
  g_autoptr(GPtrArray) consumers = demo_consumers (3000);
  guint nulls = 0;

  for (guint i = 0; i < consumers->len; i++)
    {
      BdConsumer *consumer = g_ptr_array_index (consumers, i);
      g_autofree char *expected = codec_text (bd_consumer_to_json (consumer));
      g_autofree char *got = fast_consumer_text (consumer);

      g_assert_cmpstr (got, ==, expected);
      nulls += bd_consumer_get_mobile (consumer) == NULL || bd_consumer_get_balance_as_of (consumer) == 0;
    }
  /* The demo covers the null members. */
  g_assert_cmpuint (nulls, >, 0);
}

static void
test_odd_strings (void)
{
  g_autoptr(GString) controls = g_string_new ("a");
  const char *odd[] = { "", "\"", "\\", "\\\"", "\"quoted\" \\path\\", "राम प्रकाश", "😀 🙏🏽",
                        "\xe2\x80\xa8\xe2\x80\xa9", "</script>", "tab\there", "M/s L&T" };

  /* Every control character but U+001F, which json-glib 1.6 drops. */
  for (int c = 1; c < 0x20; c++)
    {
      if (c != 0x1f)
        g_string_append_c (controls, (char) c);
    }
  g_string_append_c (controls, 0x7f);

  for (guint i = 0; i <= G_N_ELEMENTS (odd); i++)
    {
      const char *text = i < G_N_ELEMENTS (odd) ? odd[i] : controls->str;
      g_autoptr(BdConsumer) consumer = bd_consumer_new ("2100000001");
      g_autofree char *expected = NULL;
      g_autofree char *got = NULL;

      bd_consumer_set_zone (consumer, "LKO-C");
      bd_consumer_set_name_en (consumer, text);
      bd_consumer_set_address (consumer, text);
      bd_consumer_set_mobile (consumer, i % 2 ? "9876543210" : NULL);
      bd_consumer_set_balance_paise (consumer, -G_MAXINT64 + (gint64) i);
      bd_consumer_set_balance_as_of (consumer, i % 2 ? FIXED_NOW : 0);
      bd_consumer_set_updated_at (consumer, FIXED_NOW);
      expected = codec_text (bd_consumer_to_json (consumer));
      got = fast_consumer_text (consumer);
      g_assert_cmpstr (got, ==, expected);
    }

  {
    /* U+001F is escaped, where json-glib would lose it. */
    g_autoptr(BdConsumer) consumer = bd_consumer_new ("2100000001");
    g_autofree char *got = NULL;
    g_autoptr(JsonNode) parsed = NULL;
    g_autoptr(GError) error = NULL;

    bd_consumer_set_name_en (consumer, "a\x1f" "b");
    got = fast_consumer_text (consumer);
    g_assert_nonnull (strstr (got, "\"a\\u001fb\""));
    parsed = bd_json_parse (got, -1, &error);
    g_assert_no_error (error);
  }
}

static void
test_times_and_numbers (void)
{
  const gint64 times[] = { 0, 1, -1, 59, 86399, 86400, -86400, -86401, 951782400 /* 2000-02-29 */,
                           4107542399 /* 2100-02-28T23:59:59 */, 4107542400, FIXED_NOW,
                           G_GINT64_CONSTANT (-62135596800), G_GINT64_CONSTANT (-62135596801),
                           G_GINT64_CONSTANT (253402300799), G_GINT64_CONSTANT (253402300800),
                           G_MAXINT64, G_MININT64 };
  const gint64 numbers[] = { 0, 7, -7, 10, -10, G_MAXINT64, G_MININT64, 1000000, -999999 };
  GRand *rand = g_rand_new_with_seed (4);

  for (guint i = 0; i < G_N_ELEMENTS (times) + 20000; i++)
    {
      gint64 t = i < G_N_ELEMENTS (times) ? times[i]
        : (gint64) (g_rand_double (rand) * 2.6e11) - G_GINT64_CONSTANT (62135596800) + 1;
      gint64 n = numbers[i % G_N_ELEMENTS (numbers)];
      g_autoptr(BdConsumer) consumer = bd_consumer_new ("2100000001");
      g_autofree char *expected = NULL;
      g_autofree char *got = NULL;

      bd_consumer_set_balance_as_of (consumer, t);
      bd_consumer_set_updated_at (consumer, t);
      bd_consumer_set_balance_paise (consumer, n);
      bd_consumer_set_sanctioned_load_w (consumer, n == G_MININT64 ? G_MAXINT64 : -n);
      bd_consumer_set_version (consumer, n);
      expected = codec_text (bd_consumer_to_json (consumer));
      got = fast_consumer_text (consumer);
      g_assert_cmpstr (got, ==, expected);
    }
  g_rand_free (rand);
}

static void
test_list_and_page (void)
{
  g_autoptr(GPtrArray) consumers = demo_consumers (1000);
  g_autoptr(GPtrArray) empty = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(BdChangesPage) page = bd_changes_page_new ();
  g_autoptr(BdChangesPage) last = bd_changes_page_new ();
  g_autofree gint64 *seqs = g_new (gint64, consumers->len);
  g_autofree char *list_expected = codec_text (bd_consumer_list_to_json (consumers));
  g_autofree char *list_got = bd_central_json_consumer_list (consumers, NULL);
  g_autofree char *none_expected = codec_text (bd_consumer_list_to_json (empty));
  g_autofree char *none_got = bd_central_json_consumer_list (empty, NULL);
  g_autofree char *page_expected = NULL;
  g_autofree char *page_got = NULL;
  g_autofree char *last_expected = NULL;
  g_autofree char *last_got = NULL;
  gsize length = 0;

  g_assert_cmpstr (list_got, ==, list_expected);
  g_assert_cmpstr (none_got, ==, none_expected);

  for (guint i = 0; i < consumers->len; i++)
    seqs[i] = 1000000 + 3 * i;
  g_clear_pointer (&page->consumers, g_ptr_array_unref);
  page->consumers = g_ptr_array_ref (consumers);
  g_free (page->next_cursor);
  page->next_cursor = g_strdup ("1002997");
  page->has_more = TRUE;
  page->remaining = 987654;
  page_expected = codec_text (bd_changes_page_to_json (page, seqs));
  page_got = bd_central_json_changes_page (page, seqs, &length);
  g_assert_cmpstr (page_got, ==, page_expected);
  g_assert_cmpuint (length, ==, strlen (page_expected));

  if (last->consumers == NULL)
    last->consumers = g_ptr_array_new_with_free_func (g_object_unref);
  g_free (last->next_cursor);
  last->next_cursor = g_strdup ("0");
  last_expected = codec_text (bd_changes_page_to_json (last, NULL));
  last_got = bd_central_json_changes_page (last, NULL, NULL);
  g_assert_cmpstr (last_got, ==, last_expected);
}

static BdChangesPage *
slow_parse (const char *text,
            gsize       length)
{
  g_autoptr(JsonNode) root = bd_json_parse (text, (gssize) length, NULL);

  return root != NULL ? bd_changes_page_from_json (root, NULL) : NULL;
}

static gboolean
pages_equal (BdChangesPage *a,
             BdChangesPage *b)
{
  if (a->consumers->len != b->consumers->len || g_strcmp0 (a->next_cursor, b->next_cursor) != 0 ||
      a->has_more != b->has_more || a->remaining != b->remaining)
    return FALSE;
  for (guint i = 0; i < a->consumers->len; i++)
    {
      if (!bd_consumer_equal (g_ptr_array_index (a->consumers, i), g_ptr_array_index (b->consumers, i)))
        return FALSE;
    }
  return TRUE;
}

static char *
page_text (GPtrArray *consumers,
           gsize     *out_length)
{
  g_autoptr(BdChangesPage) page = bd_changes_page_new ();
  g_autofree gint64 *seqs = g_new (gint64, MAX (consumers->len, 1));

  for (guint i = 0; i < consumers->len; i++)
    seqs[i] = 500 + i;
  g_clear_pointer (&page->consumers, g_ptr_array_unref);
  page->consumers = g_ptr_array_ref (consumers);
  g_free (page->next_cursor);
  page->next_cursor = g_strdup_printf ("%u", 499 + consumers->len);
  page->has_more = consumers->len % 2 == 0;
  page->remaining = 77 * consumers->len;
  return bd_central_json_changes_page (page, seqs, out_length);
}

/* The one-pass parser gives what json-glib and the codec give, on pages
 * as the server writes them, odd strings included. */
static void
test_fast_page_parse (void)
{
  g_autoptr(GPtrArray) consumers = demo_consumers (1000);
  g_autoptr(GPtrArray) odd = g_ptr_array_new_with_free_func (g_object_unref);
  const char *names[] = { "\"quoted\" \\path\\", "राम प्रकाश", "😀 🙏🏽", "\xe2\x80\xa8", "</script>",
                          "tab\there", "a\x1f" "b", "\x7f", "M/s L&T" };
  GPtrArray *pages[] = { consumers, odd };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      BdConsumer *c = bd_consumer_copy (g_ptr_array_index (consumers, i));

      bd_consumer_set_name_en (c, names[i]);
      bd_consumer_set_address (c, names[i]);
      g_ptr_array_add (odd, c);
    }

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      gsize length = 0;
      g_autofree char *text = page_text (pages[i], &length);
      g_autoptr(BdChangesPage) fast = bd_changes_page_parse_fast (text, length);
      g_autoptr(BdChangesPage) slow = slow_parse (text, length);

      g_assert_nonnull (fast);
      g_assert_nonnull (slow);
      g_assert_true (pages_equal (fast, slow));
      g_assert_cmpuint (fast->consumers->len, ==, pages[i]->len);
      for (guint j = 0; j < pages[i]->len; j++)
        g_assert_true (bd_consumer_equal (g_ptr_array_index (fast->consumers, j), g_ptr_array_index (pages[i], j)));
    }

  /* An empty last page, and members in another order with one unknown. */
  {
    const char *texts[] = {
      "{\"changes\":[],\"next_cursor\":\"0\",\"has_more\":false,\"remaining\":0}",
      " { \"remaining\" : 0 , \"has_more\" : false , \"later\" : {\"x\": [1, \"y\", null, true]},"
      " \"next_cursor\" : \"12\" , \"changes\" : [ ] } \n",
    };

    for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
      {
        g_autoptr(BdChangesPage) fast = bd_changes_page_parse_fast (texts[i], strlen (texts[i]));
        g_autoptr(BdChangesPage) slow = slow_parse (texts[i], strlen (texts[i]));

        g_assert_nonnull (fast);
        g_assert_nonnull (slow);
        g_assert_true (pages_equal (fast, slow));
      }
  }
}

/* Whatever is done to the text, the one-pass parser either gives up or
 * agrees with json-glib and the codec: it never accepts what they refuse
 * nor reads it otherwise. */
static void
test_fast_page_parse_mutations (void)
{
  g_autoptr(GPtrArray) consumers = demo_consumers (6);
  g_autoptr(GRand) rand = g_rand_new_with_seed (1912);
  gsize length = 0;
  g_autofree char *text = page_text (consumers, &length);
  const char pieces[] = " \t\n{}[]:,\"\\-0123456789.eEtrufalsn/u\x01\x80\xe0";
  guint accepted = 0, refused = 0;

  for (guint round = 0; round < 20000; round++)
    {
      g_autoptr(GString) mutated = g_string_new_len (text, (gssize) length);
      g_autoptr(BdChangesPage) fast = NULL;
      g_autoptr(BdChangesPage) slow = NULL;
      guint n = 1 + g_rand_int_range (rand, 0, 3);

      for (guint k = 0; k < n && mutated->len > 0; k++)
        {
          gsize at = (gsize) g_rand_int_range (rand, 0, (gint32) mutated->len);
          char piece = pieces[g_rand_int_range (rand, 0, (gint32) sizeof pieces - 1)];

          switch (g_rand_int_range (rand, 0, 4))
            {
            case 0:  mutated->str[at] = piece; break;
            case 1:  g_string_erase (mutated, (gssize) at, 1); break;
            case 2:  g_string_insert_c (mutated, (gssize) at, piece); break;
            default: g_string_truncate (mutated, at); break;
            }
        }

      fast = bd_changes_page_parse_fast (mutated->str, mutated->len);
      slow = slow_parse (mutated->str, mutated->len);
      if (fast != NULL)
        {
          if (slow == NULL || !pages_equal (fast, slow))
            g_error ("the one-pass parser accepted what the codec %s: %s",
                     slow == NULL ? "refuses" : "reads otherwise", mutated->str);
          accepted++;
        }
      else
        refused++;
    }
  g_test_message ("%u mutated pages read alike, %u left to json-glib", accepted, refused);
  /* Space in the right places and some digits keep a page valid. */
  g_assert_cmpuint (accepted, >, 100);
  g_assert_cmpuint (refused, >, 100);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/central-json/fast-page-parse", test_fast_page_parse);
  g_test_add_func ("/central-json/fast-page-parse-mutations", test_fast_page_parse_mutations);

  g_test_add_func ("/central-json/demo-consumers", test_demo_consumers);
  g_test_add_func ("/central-json/odd-strings", test_odd_strings);
  g_test_add_func ("/central-json/times-and-numbers", test_times_and_numbers);
  g_test_add_func ("/central-json/list-and-page", test_list_and_page);

  return g_test_run ();
}
