/* test-window.c: the real desk window under Xvfb.
 *
 * Checks that the window opens on the sign-in page, that the form guards
 * its input, that a failed sign-in is reported inline, that search shows
 * only the answer to the newest query, opens an exact identifier by itself
 * and steps through results from the keyboard; that the consumer page
 * shows the whole record with the mobile masked (and never in full), opens
 * in a window of its own (at its default width) that a sync brings up to
 * date, and prints a summary to PDF; and that the sync page and the
 * header estimate the time left.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gtk/gtk.h>
#include <glib/gstdio.h>

#include "bijli-desk-resources.h"
#include "core/bd-codec.h"
#include "core/bd-time.h"
#include "bd-application.h"
#include "bd-attention-dialog.h"
#include "bd-complaint-window.h"
#include "bd-consumer-format.h"
#include "bd-consumer-page.h"
#include "bd-consumer-summary.h"
#include "bd-consumer-window.h"
#include "bd-search-panel.h"
#include "bd-sign-in-page.h"
#include "bd-sync-estimate.h"
#include "bd-sync-page.h"
#include "bd-window.h"

#define FULL_MOBILE   "9876543210"
#define MASKED_MOBILE "98XXXXXX10"

typedef gboolean (*Condition) (gpointer data);

static BdApplication *app;

/* Spins the main loop until condition holds or timeout_ms pass. */
static gboolean
wait_until (Condition condition,
            gpointer  data,
            guint     timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  return TRUE;
}

static BdWindow *
new_window (void)
{
  BdWindow *window = bd_window_new (app);

  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
test_opens_on_sign_in_page (void)
{
  BdWindow *window = new_window ();
  BdSignInPage *page = BD_SIGN_IN_PAGE (bd_window_get_sign_in_page (window));
  GtkWidget *button = bd_sign_in_page_get_sign_in_button (page);

  g_assert_cmpstr (bd_window_get_page_name (window), ==, "sign-in");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page)));
  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_true (GTK_IS_LABEL (gtk_button_get_child (GTK_BUTTON (button))));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button)))), ==, "Sign in");

  /* Insensitive until every field is filled. */
  bd_sign_in_page_prefill (page, "", "");
  bd_sign_in_page_set_password (page, "");
  g_assert_false (gtk_widget_get_sensitive (button));
  bd_sign_in_page_prefill (page, "http://127.0.0.1:8912", "operator");
  g_assert_false (gtk_widget_get_sensitive (button));
  bd_sign_in_page_set_password (page, "secret");
  g_assert_true (gtk_widget_get_sensitive (button));
  bd_sign_in_page_prefill (page, "   ", NULL);
  g_assert_false (gtk_widget_get_sensitive (button));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_validation_messages (void)
{
  BdWindow *window = new_window ();
  BdSignInPage *page = BD_SIGN_IN_PAGE (bd_window_get_sign_in_page (window));
  const char *message;

  g_assert_null (bd_sign_in_page_get_error_message (page));

  bd_sign_in_page_prefill (page, "", "operator");
  bd_sign_in_page_set_password (page, "secret");
  g_assert_false (bd_sign_in_page_submit (page));
  message = bd_sign_in_page_get_error_message (page);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "server address"));
  g_assert_cmpstr (bd_window_get_page_name (window), ==, "sign-in");

  bd_sign_in_page_prefill (page, "ftp://example.org", NULL);
  g_assert_false (bd_sign_in_page_submit (page));
  g_assert_nonnull (strstr (bd_sign_in_page_get_error_message (page), "http://"));

  bd_sign_in_page_prefill (page, "http://127.0.0.1:8912", "  ");
  g_assert_false (bd_sign_in_page_submit (page));
  g_assert_nonnull (strstr (bd_sign_in_page_get_error_message (page), "user name"));

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
has_error_message (gpointer data)
{
  return bd_sign_in_page_get_error_message (data) != NULL;
}

static void
test_unreachable_server_is_reported (void)
{
  BdWindow *window = new_window ();
  BdSignInPage *page = BD_SIGN_IN_PAGE (bd_window_get_sign_in_page (window));
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;

  /* A port that was free a moment ago and is closed again: connections are refused. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any_port, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  bd_sign_in_page_prefill (page, url, "operator");
  bd_sign_in_page_set_password (page, "bijli-operator");
  g_assert_true (bd_sign_in_page_submit (page));
  g_assert_false (gtk_widget_get_sensitive (bd_sign_in_page_get_sign_in_button (page)));

  g_assert_true (wait_until (has_error_message, page, 20000));
  g_assert_cmpstr (bd_window_get_page_name (window), ==, "sign-in");
  g_assert_null (bd_application_get_session (app));
  g_assert_true (gtk_widget_get_sensitive (bd_sign_in_page_get_sign_in_button (page)));
  g_test_message ("Unreachable server: %s", bd_sign_in_page_get_error_message (page));

  gtk_window_destroy (GTK_WINDOW (window));
}

static BdConsumer *
make_consumer (const char *account,
               const char *name_en,
               const char *name_hi);

static void
spin (guint ms)
{
  for (guint i = 0; i < ms; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* Every text a widget tree shows: labels, including the title and
 * subtitle labels inside rows and status pages, and entries. */
static void
collect_text (GtkWidget *widget,
              GString   *out)
{
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  else if (GTK_IS_EDITABLE (widget))
    g_string_append_printf (out, "%s\n", gtk_editable_get_text (GTK_EDITABLE (widget)));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_text (child, out);
}

static char *
dup_widget_text (GtkWidget *widget)
{
  GString *out = g_string_new (NULL);

  collect_text (widget, out);
  return g_string_free (out, FALSE);
}

static BdConsumerStore *
new_store_with (BdConsumer *first,
                ...)
{
  g_autoptr(BdChangesPage) changes = bd_changes_page_new ();
  g_autoptr(GError) error = NULL;
  BdConsumerStore *store;
  va_list args;

  store = bd_consumer_store_open (":memory:", &error);
  g_assert_no_error (error);

  va_start (args, first);
  for (BdConsumer *c = first; c != NULL; c = va_arg (args, BdConsumer *))
    g_ptr_array_add (changes->consumers, c);
  va_end (args);
  changes->next_cursor = g_strdup_printf ("%u", changes->consumers->len);
  g_assert_true (bd_consumer_store_apply_page (store, changes, &error));
  g_assert_no_error (error);

  return store;
}

static BdConsumer *
make_consumer (const char *account,
               const char *name_en,
               const char *name_hi)
{
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  BdConsumer *consumer;

  json = g_strdup_printf ("{\"account\":\"%s\",\"name_en\":\"%s\",\"name_hi\":\"%s\","
                          "\"relation_en\":\"Ram Lal\",\"relation_hi\":\"राम लाल\","
                          "\"address\":\"12 Hazratganj, Lucknow\",\"mobile\":\"9876543210\","
                          "\"mobile_verified\":true,\"meter_serial\":\"UPS%s\",\"meter_make\":\"Genus\","
                          "\"meter_type\":\"smart\",\"category\":\"LMV-1\",\"sanctioned_load_w\":2000,"
                          "\"phase\":\"single\",\"feeder\":\"F-01\",\"dt\":\"DT-01\",\"pole\":\"P-01\","
                          "\"zone\":\"LKO-C\",\"area_type\":\"urban\",\"supply_status\":\"connected\","
                          "\"balance_paise\":-12345,\"balance_as_of\":\"2026-11-23T10:15:00Z\","
                          "\"version\":1,\"updated_at\":\"2026-11-23T10:15:00Z\"}",
                          account, name_en, name_hi, account + 4);
  node = bd_json_parse (json, -1, &error);
  g_assert_no_error (error);
  consumer = bd_consumer_from_json (node, &error);
  g_assert_no_error (error);

  return consumer;
}

typedef struct {
  BdSearchPanel *panel;
  const char    *account;
} ResultWait;

static gboolean
first_result_is (gpointer data)
{
  ResultWait *wait = data;
  GListModel *results = bd_search_panel_get_results (wait->panel);
  g_autoptr(BdConsumer) first = g_list_model_get_item (results, 0);

  return first != NULL && g_strcmp0 (bd_consumer_get_account (first), wait->account) == 0;
}

static void
test_search_shows_newest_query (void)
{
  g_autoptr(BdConsumerStore) store = NULL;
  g_autoptr(BdChangesPage) changes = bd_changes_page_new ();
  g_autoptr(GError) error = NULL;
  GtkWidget *window = gtk_window_new ();
  BdSearchPanel *panel = BD_SEARCH_PANEL (bd_search_panel_new ());
  ResultWait wait = { panel, "1000000002" };

  store = bd_consumer_store_open (":memory:", &error);
  g_assert_no_error (error);
  g_ptr_array_add (changes->consumers, make_consumer ("1000000001", "Asha Verma", "आशा वर्मा"));
  g_ptr_array_add (changes->consumers, make_consumer ("1000000002", "Bharat Singh", "भरत सिंह"));
  changes->next_cursor = g_strdup ("2");
  g_assert_true (bd_consumer_store_apply_page (store, changes, &error));
  g_assert_no_error (error);

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (panel));
  gtk_window_present (GTK_WINDOW (window));
  bd_search_panel_set_store (panel, store);

  /* The first query is still running when the second starts; only the
   * second one's answer may end up on screen. */
  bd_search_panel_set_text (panel, "Asha");
  bd_search_panel_set_text (panel, "Bharat");
  g_assert_true (wait_until (first_result_is, &wait, 10000));
  for (int i = 0; i < 200; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (g_list_model_get_n_items (bd_search_panel_get_results (panel)), ==, 1);
  g_assert_true (first_result_is (&wait));

  /* Hindi script finds the same consumer. */
  wait.account = "1000000001";
  bd_search_panel_set_text (panel, "आशा");
  g_assert_true (wait_until (first_result_is, &wait, 10000));

  /* Clearing the entry clears the results. */
  bd_search_panel_set_text (panel, "");
  g_assert_cmpuint (g_list_model_get_n_items (bd_search_panel_get_results (panel)), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWidget *
find_label (GtkWidget  *widget,
            const char *prefix)
{
  if (GTK_IS_LABEL (widget) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (widget)), prefix))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, prefix);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
test_search_while_indexing (void)
{
  g_autoptr(BdConsumerStore) store = NULL;
  g_autoptr(BdChangesPage) first = bd_changes_page_new ();
  g_autoptr(BdChangesPage) last = bd_changes_page_new ();
  g_autoptr(GError) error = NULL;
  GtkWidget *window = gtk_window_new ();
  BdSearchPanel *panel = BD_SEARCH_PANEL (bd_search_panel_new ());
  GtkWidget *notice;

  /* The first page of a first sync, with more to come: the store is in
   * bulk mode, without its name index. */
  store = bd_consumer_store_open (":memory:", &error);
  g_assert_no_error (error);
  g_ptr_array_add (first->consumers, make_consumer ("1000000001", "Asha Verma", "आशा वर्मा"));
  first->next_cursor = g_strdup ("1");
  first->has_more = TRUE;
  first->remaining = 1;
  g_assert_true (bd_consumer_store_apply_page (store, first, &error));
  g_assert_no_error (error);
  g_assert_true (bd_consumer_store_is_indexing (store));

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (panel));
  gtk_window_present (GTK_WINDOW (window));
  bd_search_panel_set_store (panel, store);
  spin (20);
  notice = find_label (GTK_WIDGET (panel), "Name search is available when the download finishes");
  g_assert_nonnull (notice);
  g_assert_true (gtk_widget_get_mapped (notice));

  /* The last page builds the index; the refresh after the sync hides it. */
  g_ptr_array_add (last->consumers, make_consumer ("1000000002", "Bharat Singh", "भरत सिंह"));
  last->next_cursor = g_strdup ("2");
  g_assert_true (bd_consumer_store_apply_page (store, last, &error));
  g_assert_no_error (error);
  g_assert_false (bd_consumer_store_is_indexing (store));
  bd_search_panel_refresh (panel);
  spin (20);
  g_assert_false (gtk_widget_get_visible (notice));

  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct {
  BdConsumer *consumer;
  gboolean    open;
  guint       n_opened;
} Activation;

static void
on_consumer_activated (BdSearchPanel *panel,
                       BdConsumer    *consumer,
                       gboolean       open,
                       Activation    *activation)
{
  g_set_object (&activation->consumer, consumer);
  activation->open = open;
  if (open)
    activation->n_opened++;
}

static gboolean
opened_account_is (gpointer data)
{
  ResultWait *wait = data;
  Activation *activation = g_object_get_data (G_OBJECT (wait->panel), "activation");

  return activation->consumer != NULL && activation->open &&
         g_strcmp0 (bd_consumer_get_account (activation->consumer), wait->account) == 0;
}

static gboolean
has_n_results (gpointer data)
{
  ResultWait *wait = data;
  GListModel *results = bd_search_panel_get_results (wait->panel);

  return g_list_model_get_n_items (results) == (guint) GPOINTER_TO_UINT (wait->account);
}

static BdConsumer *
with_mobile (BdConsumer *consumer,
             const char *mobile)
{
  bd_consumer_set_mobile (consumer, mobile);
  return consumer;
}

static void
test_exact_identifier_opens (void)
{
  g_autoptr(BdConsumerStore) store = NULL;
  GtkWidget *window = gtk_window_new ();
  BdSearchPanel *panel = BD_SEARCH_PANEL (bd_search_panel_new ());
  Activation activation = { 0 };
  ResultWait wait = { panel, NULL };
  GtkWidget *entry = bd_search_panel_get_entry (panel);

  store = new_store_with (with_mobile (make_consumer ("1000000001", "Asha Verma", "आशा वर्मा"), "9811111111"),
                          with_mobile (make_consumer ("1000000002", "Bharat Verma", "भरत वर्मा"), "9822222222"),
                          with_mobile (make_consumer ("1000000003", "Chanda Verma", "चंदा वर्मा"), "9822222222"),
                          NULL);
  g_object_set_data (G_OBJECT (panel), "activation", &activation);
  g_signal_connect (panel, "consumer-activated", G_CALLBACK (on_consumer_activated), &activation);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (panel));
  gtk_window_present (GTK_WINDOW (window));
  bd_search_panel_set_store (panel, store);
  bd_search_panel_focus_search (panel);

  /* Typed as the operator would (through the entry, with dashes): a whole
   * account number opens its record without Enter. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "1000-000-002");
  wait.account = "1000000002";
  g_assert_true (wait_until (opened_account_is, &wait, 10000));
  g_assert_cmpuint (activation.n_opened, ==, 1);
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), entry));

  /* A meter serial, in lower case. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "ups000003");
  wait.account = "1000000003";
  g_assert_true (wait_until (opened_account_is, &wait, 10000));
  g_assert_cmpuint (activation.n_opened, ==, 2);

  /* A mobile two consumers share: the operator must choose, nothing opens. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "+91 98222 22222");
  wait.account = GUINT_TO_POINTER (2);
  g_assert_true (wait_until (has_n_results, &wait, 10000));
  spin (100);
  g_assert_cmpuint (activation.n_opened, ==, 2);

  /* A unique mobile opens. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "09811111111");
  wait.account = "1000000001";
  g_assert_true (wait_until (opened_account_is, &wait, 10000));
  g_assert_cmpuint (activation.n_opened, ==, 3);

  /* A name never opens by itself, even with a single match. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "Bharat");
  wait.account = GUINT_TO_POINTER (1);
  g_assert_true (wait_until (has_n_results, &wait, 10000));
  spin (100);
  g_assert_cmpuint (activation.n_opened, ==, 3);

  /* A refresh (after a sync) does not open the record again. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "1000000003");
  wait.account = "1000000003";
  g_assert_true (wait_until (opened_account_is, &wait, 10000));
  g_assert_cmpuint (activation.n_opened, ==, 4);
  bd_search_panel_refresh (panel);
  spin (200);
  g_assert_cmpuint (activation.n_opened, ==, 4);

  g_clear_object (&activation.consumer);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_keyboard_steps_through_results (void)
{
  g_autoptr(BdConsumerStore) store = NULL;
  GtkWidget *window = gtk_window_new ();
  BdSearchPanel *panel = BD_SEARCH_PANEL (bd_search_panel_new ());
  Activation activation = { 0 };
  ResultWait wait = { panel, GUINT_TO_POINTER (3) };
  GtkWidget *entry = bd_search_panel_get_entry (panel);
  g_autoptr(BdConsumer) second = NULL;

  store = new_store_with (make_consumer ("1000000001", "Asha Verma", "आशा वर्मा"),
                          make_consumer ("1000000002", "Bharat Verma", "भरत वर्मा"),
                          make_consumer ("1000000003", "Chanda Verma", "चंदा वर्मा"),
                          NULL);
  g_signal_connect (panel, "consumer-activated", G_CALLBACK (on_consumer_activated), &activation);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (panel));
  gtk_window_present (GTK_WINDOW (window));
  bd_search_panel_set_store (panel, store);
  bd_search_panel_focus_search (panel);

  bd_search_panel_set_text (panel, "Verma");
  g_assert_true (wait_until (has_n_results, &wait, 10000));
  g_assert_cmpuint (activation.n_opened, ==, 0);
  g_assert_cmpuint (bd_search_panel_get_selected (panel), ==, GTK_INVALID_LIST_POSITION);

  /* Alt+Down from the entry: the first, then the second result opens, and
   * the entry keeps the focus so the next caller's number can be typed. */
  g_assert_true (bd_search_panel_open_adjacent (panel, 1));
  g_assert_cmpuint (bd_search_panel_get_selected (panel), ==, 0);
  g_assert_true (bd_search_panel_open_adjacent (panel, 1));
  g_assert_cmpuint (bd_search_panel_get_selected (panel), ==, 1);
  g_assert_cmpuint (activation.n_opened, ==, 2);
  second = g_list_model_get_item (bd_search_panel_get_results (panel), 1);
  g_assert_true (activation.consumer == second);
  g_assert_true (activation.open);
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), entry));

  /* Alt+Up goes back; past either end nothing happens. */
  g_assert_true (bd_search_panel_open_adjacent (panel, -1));
  g_assert_cmpuint (bd_search_panel_get_selected (panel), ==, 0);
  g_assert_false (bd_search_panel_open_adjacent (panel, -1));
  g_assert_true (bd_search_panel_open_adjacent (panel, 2));
  g_assert_false (bd_search_panel_open_adjacent (panel, 1));
  g_assert_cmpuint (bd_search_panel_get_selected (panel), ==, 2);

  /* Enter opens the selected result, not the first. */
  activation.n_opened = 0;
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpuint (activation.n_opened, ==, 1);
  g_assert_cmpstr (bd_consumer_get_account (activation.consumer), ==, "1000000003");

  g_clear_object (&activation.consumer);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("“%s” is not shown; the page shows:\n%s", needle, haystack);
}

static void
test_consumer_page_fields (void)
{
  GtkWidget *window = gtk_window_new ();
  BdConsumerPage *page = BD_CONSUMER_PAGE (bd_consumer_page_new ());
  g_autoptr(BdConsumer) consumer = make_consumer ("1000000001", "Asha Verma", "आशा वर्मा");
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *text = NULL;
  g_autofree char *synced = NULL;
  g_autofree char *reading = NULL;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 900);
  gtk_window_present (GTK_WINDOW (window));

  /* A smart meter that reported ten minutes ago, in emergency credit. */
  bd_consumer_set_balance_as_of (consumer, now - 600);
  bd_consumer_set_version (consumer, 7);
  bd_consumer_page_set_last_sync (page, now - 60);
  bd_consumer_page_set_consumer (page, consumer);
  spin (50);

  text = dup_widget_text (GTK_WIDGET (page));
  assert_contains (text, "Asha Verma");
  assert_contains (text, "आशा वर्मा");
  assert_contains (text, "Account 1000000001");
  assert_contains (text, "Ram Lal · राम लाल");
  assert_contains (text, "12 Hazratganj, Lucknow");
  assert_contains (text, MASKED_MOBILE);
  assert_contains (text, "Verified");
  assert_contains (text, "LMV-1");
  assert_contains (text, "2 kW");
  assert_contains (text, "Single phase");
  assert_contains (text, "Connected");
  assert_contains (text, "F-01");
  assert_contains (text, "DT-01");
  assert_contains (text, "P-01");
  assert_contains (text, "UPS000001");
  assert_contains (text, "Genus");
  assert_contains (text, "Smart prepaid meter");
  assert_contains (text, "Communicating");
  reading = bd_consumer_format_last_reading (consumer);
  g_assert_nonnull (strstr (reading, "IST"));
  assert_contains (text, reading);
  assert_contains (text, "−₹123.45");
  assert_contains (text, "Emergency credit");
  /* The complaints section lists the consumer's complaints (none here);
   * sections later features fill say so, with no made-up records. */
  assert_contains (text, "No Complaints");
  assert_contains (text, "No disconnection or reconnection requests");
  /* The prepaid tab: no balance kept and no server in this test, said so. */
  assert_contains (text, "Balance & Usage");
  assert_contains (text, "No recharges on this desk yet");
  /* The history shows what the desk knows. */
  assert_contains (text, "Record version");
  synced = bd_time_format_ist (now - 60);
  assert_contains (text, synced);
  /* Never the full mobile, anywhere. */
  g_assert_null (strstr (text, FULL_MOBILE));
  g_clear_pointer (&text, g_free);

  /* Three hours without a reading: not reporting; disconnected and below
   * zero: negative. */
  {
    g_autoptr(BdConsumer) silent = bd_consumer_copy (consumer);

    bd_consumer_set_balance_as_of (silent, now - 3 * 3600);
    bd_consumer_set_supply_status (silent, BD_SUPPLY_DISCONNECTED);
    bd_consumer_set_mobile_verified (silent, FALSE);
    bd_consumer_page_set_consumer (page, silent);
    text = dup_widget_text (GTK_WIDGET (page));
    assert_contains (text, "Not reporting since");
    assert_contains (text, "Negative");
    assert_contains (text, "Disconnected");
    assert_contains (text, "Not verified");
    g_assert_null (strstr (text, FULL_MOBILE));
    g_clear_pointer (&text, g_free);

    /* A meter that is not smart is never read remotely. */
    bd_consumer_set_meter_type (silent, BD_METER_TYPE_NON_SMART);
    bd_consumer_page_set_consumer (page, NULL);
    bd_consumer_page_set_consumer (page, silent);
    text = dup_widget_text (GTK_WIDGET (page));
    assert_contains (text, "No remote reading");
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_balance_state_and_meter_comm (void)
{
  g_autoptr(BdConsumer) c = make_consumer ("1000000001", "Asha Verma", "आशा वर्मा");
  gint64 now = 1800000000;

  bd_consumer_set_balance_paise (c, 5000);
  g_assert_cmpint (bd_consumer_balance_state (c), ==, BD_BALANCE_STATE_OK);
  bd_consumer_set_balance_paise (c, 0);
  g_assert_cmpint (bd_consumer_balance_state (c), ==, BD_BALANCE_STATE_EMERGENCY);
  bd_consumer_set_balance_paise (c, -1);
  g_assert_cmpint (bd_consumer_balance_state (c), ==, BD_BALANCE_STATE_EMERGENCY);
  bd_consumer_set_supply_status (c, BD_SUPPLY_DISCONNECTED);
  g_assert_cmpint (bd_consumer_balance_state (c), ==, BD_BALANCE_STATE_NEGATIVE);

  bd_consumer_set_balance_as_of (c, now - BD_METER_SILENT_AFTER_SECONDS);
  g_assert_cmpint (bd_consumer_meter_comm (c, now), ==, BD_METER_COMM_REPORTING);
  bd_consumer_set_balance_as_of (c, now - BD_METER_SILENT_AFTER_SECONDS - 1);
  g_assert_cmpint (bd_consumer_meter_comm (c, now), ==, BD_METER_COMM_SILENT);
  bd_consumer_set_balance_as_of (c, 0);
  g_assert_cmpint (bd_consumer_meter_comm (c, now), ==, BD_METER_COMM_NEVER);
  bd_consumer_set_meter_type (c, BD_METER_TYPE_NON_SMART);
  g_assert_cmpint (bd_consumer_meter_comm (c, now), ==, BD_METER_COMM_NOT_REMOTE);
}

static void
test_open_in_new_window (void)
{
  BdWindow *window = new_window ();
  g_autoptr(BdConsumer) consumer = make_consumer ("1000000002", "Bharat Singh", "भरत सिंह");
  BdConsumerWindow *second;
  GList *windows;
  g_autofree char *text = NULL;
  int width = 0;
  int height = 0;
  int main_width = 0;
  int main_height = 0;

  g_assert_null (bd_window_open_consumer_window (window));

  bd_consumer_page_set_consumer (bd_window_get_consumer_page (window), consumer);
  second = bd_window_open_consumer_window (window);
  g_assert_true (BD_IS_CONSUMER_WINDOW (second));
  windows = gtk_application_get_windows (GTK_APPLICATION (app));
  g_assert_nonnull (g_list_find (windows, second));
  g_assert_nonnull (g_list_find (windows, window));
  g_assert_cmpstr (bd_consumer_get_account (bd_consumer_page_get_consumer (bd_consumer_window_get_page (second))),
                   ==, "1000000002");
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (second)), "1000000002"));
  gtk_window_get_default_size (GTK_WINDOW (second), &width, &height);
  gtk_window_get_default_size (GTK_WINDOW (window), &main_width, &main_height);
  g_assert_cmpint (width, <, main_width);
  spin (50);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (second)));
  /* The record's tabs fit the window's default width: it opens at the
   * size it asks for, not wider. */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (second)), <=, 560);

  /* It shows the record (only the masked mobile) and has its own actions. */
  text = dup_widget_text (GTK_WIDGET (second));
  g_assert_nonnull (strstr (text, "Bharat Singh"));
  g_assert_nonnull (strstr (text, MASKED_MOBILE));
  g_assert_null (strstr (text, FULL_MOBILE));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (second), "print-summary"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (second), "copy-account"));

  /* Signing out closes it: the record must not stay up for the next operator. */
  g_object_add_weak_pointer (G_OBJECT (second), (gpointer *) &second);
  bd_application_sign_out (app);
  g_assert_null (second);
  g_assert_nonnull (g_list_find (gtk_application_get_windows (GTK_APPLICATION (app)), window));

  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct {
  BdConsumerPage *page;
  gint64          balance_paise;
} BalanceWait;

static gboolean
page_balance_is (gpointer data)
{
  BalanceWait *wait = data;
  BdConsumer *shown = bd_consumer_page_get_consumer (wait->page);

  return shown != NULL && bd_consumer_get_balance_paise (shown) == wait->balance_paise;
}

static void
test_consumer_window_reloads (void)
{
  g_autoptr(BdConsumer) stale = make_consumer ("1000000002", "Bharat Singh", "भरत सिंह");
  BdConsumer *fresh = bd_consumer_copy (stale);
  g_autoptr(BdConsumerStore) store = NULL;
  BdConsumerWindow *window;
  BdConsumerPage *page;
  BalanceWait wait;

  /* The desk's copy has moved on since the window opened: a recharge, and
   * the name corrected. */
  bd_consumer_set_balance_paise (fresh, 50000);
  bd_consumer_set_name_en (fresh, "Bharat Singh Yadav");
  store = new_store_with (fresh, NULL);

  window = bd_consumer_window_new (app, stale, 1795000000);
  gtk_window_present (GTK_WINDOW (window));
  page = bd_consumer_window_get_page (window);
  g_assert_cmpint (bd_consumer_get_balance_paise (bd_consumer_page_get_consumer (page)), ==, -12345);

  bd_consumer_page_set_last_sync (page, 1795000600);
  bd_consumer_page_reload (page, store);
  wait.page = page;
  wait.balance_paise = 50000;
  g_assert_true (wait_until (page_balance_is, &wait, 10000));
  g_assert_cmpint (bd_consumer_page_get_last_sync (page), ==, 1795000600);
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (window)), "Bharat Singh Yadav"));

  /* An answer for a consumer no longer on show is dropped. */
  bd_consumer_page_reload (page, store);
  bd_consumer_page_set_consumer (page, stale);
  g_assert_cmpstr (bd_consumer_get_account (bd_consumer_page_get_consumer (page)), ==, "1000000002");
  {
    g_autoptr(BdConsumer) other = make_consumer ("1000000009", "Chanda Verma", "चंदा वर्मा");

    bd_consumer_page_reload (page, store);
    bd_consumer_page_set_consumer (page, other);
    spin (200);
    g_assert_cmpstr (bd_consumer_get_account (bd_consumer_page_get_consumer (page)), ==, "1000000009");
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_print_summary_pdf (void)
{
  g_autoptr(BdConsumer) consumer = make_consumer ("1000000001", "Asha Verma", "आशा वर्मा");
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bd-print-XXXXXX", &error);
  g_autofree char *pdf = NULL;
  g_autofree char *text = NULL;
  g_autofree char *printed = NULL;
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  GtkPrintOperationResult result;
  int status = 0;

  g_assert_no_error (error);
  if (pdftotext == NULL)
    {
      g_test_skip ("pdftotext (poppler-utils) is not installed");
      return;
    }

  pdf = g_build_filename (dir, "summary.pdf", NULL);
  operation = bd_consumer_summary_new_print_operation (consumer, "Lucknow Central", 1795000000);
  gtk_print_operation_set_export_filename (operation, pdf);
  result = gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_EXPORT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, GTK_PRINT_OPERATION_RESULT_APPLY);
  g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));

  {
    const char *argv[] = { pdftotext, "-layout", pdf, "-", NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &text, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }

  printed = bd_time_format_ist (1795000000);
  g_assert_nonnull (strstr (text, "1000000001"));
  g_assert_nonnull (strstr (text, MASKED_MOBILE));
  g_assert_null (strstr (text, FULL_MOBILE));
  g_assert_nonnull (strstr (text, "Asha Verma"));
  g_assert_nonnull (strstr (text, "Lucknow Central (LKO-C)"));
  g_assert_nonnull (strstr (text, printed));
  g_assert_nonnull (strstr (text, "UPS000001"));
  g_assert_nonnull (strstr (text, "F-01"));
  g_assert_nonnull (strstr (text, "123.45"));

  g_unlink (pdf);
  g_rmdir (dir);
}

/* The consumer's acknowledgement slip: the number (and the provisional
 * one), the time allowed and the compensation, and no contact number. */
static void
test_complaint_slip_pdf (void)
{
  g_autoptr(BdStoredComplaint) stored = g_new0 (BdStoredComplaint, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bd-slip-XXXXXX", &error);
  g_autofree char *pdf = NULL;
  g_autofree char *text = NULL;
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  int status = 0;

  g_assert_no_error (error);
  if (pdftotext == NULL)
    {
      g_test_skip ("pdftotext (poppler-utils) is not installed");
      return;
    }

  stored->complaint = bd_complaint_new ();
  stored->complaint->id = g_strdup ("42");
  stored->complaint->number = g_strdup ("LKOC-2611-00042");
  stored->complaint->account = g_strdup ("1000000001");
  stored->complaint->category = BD_COMPLAINT_TRANSFORMER;
  stored->complaint->contact_mobile = g_strdup (FULL_MOBILE);
  stored->complaint->created_at = 1795000000;
  stored->complaint->sla_allowed_s = 8 * 3600;
  stored->complaint->compensation_per_day_paise = 25000;
  stored->provisional_number = g_strdup ("P-7F3A01");
  pdf = g_build_filename (dir, "slip.pdf", NULL);
  g_assert_true (bd_complaint_save_slip (stored, pdf, &error));
  g_assert_no_error (error);

  {
    const char *argv[] = { pdftotext, pdf, "-", NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &text, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  g_assert_nonnull (strstr (text, "Complaint acknowledgement"));
  g_assert_nonnull (strstr (text, "LKOC-2611-00042 (was P-7F3A01)"));
  g_assert_nonnull (strstr (text, "Transformer failure"));
  g_assert_nonnull (strstr (text, "8 h 0 min"));
  g_assert_nonnull (strstr (text, "250.00"));
  g_assert_null (strstr (text, FULL_MOBILE));
  g_unlink (pdf);
  g_rmdir (dir);
}

static void
test_sync_estimate (void)
{
  g_autoptr(BdSyncEstimate) estimate = bd_sync_estimate_new ();
  GtkWidget *window = gtk_window_new ();
  BdSyncPage *page = BD_SYNC_PAGE (bd_sync_page_new ());
  g_autofree char *two_minutes = bd_sync_estimate_format (125);
  g_autofree char *forty = bd_sync_estimate_format (38);
  g_autofree char *unknown = bd_sync_estimate_format (-1);

  g_assert_cmpstr (two_minutes, ==, "About 2 minutes left");
  g_assert_cmpstr (forty, ==, "About 40 seconds left");
  g_assert_cmpstr (unknown, ==, "Estimating time left…");

  /* The header's line during a sync behind the main page. */
  {
    g_autofree char *minute = bd_sync_estimate_format_status (3000, 10000, 55);
    g_autofree char *hours = bd_sync_estimate_format_status (100000, 1000000, 2 * 3600);
    g_autofree char *almost = bd_sync_estimate_format_status (9990, 10000, 2);
    g_autofree char *estimating = bd_sync_estimate_format_status (3000, 10000, -1);
    g_autofree char *no_total = bd_sync_estimate_format_status (0, 0, -1);

    g_assert_cmpstr (minute, ==, "Syncing 3,000 of 10,000 — about a minute left");
    g_assert_cmpstr (hours, ==, "Syncing 1,00,000 of 10,00,000 — about 2 hours left");
    g_assert_cmpstr (almost, ==, "Syncing 9,990 of 10,000 — almost done");
    g_assert_cmpstr (estimating, ==, "Syncing 3,000 of 10,000…");
    g_assert_cmpstr (no_total, ==, "Syncing…");
  }

  /* Not enough to go on at first. */
  bd_sync_estimate_add (estimate, 0, 0, 1000000);
  g_assert_cmpint (bd_sync_estimate_seconds_left (estimate), ==, -1);
  bd_sync_estimate_add (estimate, G_USEC_PER_SEC, 1000, 1000000);
  g_assert_cmpint (bd_sync_estimate_seconds_left (estimate), ==, -1);

  /* A slow start, then 10,000 a second: the window forgets the start. */
  for (int s = 2; s <= 40; s++)
    bd_sync_estimate_add (estimate, s * G_USEC_PER_SEC, 1000 + (s - 1) * 10000, 1000000);
  /* 391,000 done, 609,000 to go at 10,000/s. */
  g_assert_cmpint (bd_sync_estimate_seconds_left (estimate), ==, 61);
  bd_sync_estimate_add (estimate, 41 * G_USEC_PER_SEC, 1000000, 1000000);
  g_assert_cmpint (bd_sync_estimate_seconds_left (estimate), ==, 0);

  /* The page shows it under the progress bar. */
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));
  bd_sync_page_start (page, "Lucknow Central", FALSE);
  bd_sync_page_set_progress_at (page, 0, 140000, 1000 * G_USEC_PER_SEC);
  g_assert_cmpstr (bd_sync_page_get_estimate_text (page), ==, "Estimating time left…");
  bd_sync_page_set_progress_at (page, 20000, 140000, 1010 * G_USEC_PER_SEC);
  g_assert_cmpstr (bd_sync_page_get_estimate_text (page), ==, "About 1 minute left");

  /* The last page of a large first sync builds the indexes: no estimate
   * from a rate that no longer holds. */
  bd_sync_page_show_building_index (page);
  g_assert_nonnull (strstr (bd_sync_page_get_estimate_text (page), "Every consumer is copied"));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_store_path (void)
{
  g_autofree char *plain = bd_application_build_store_path ("/data", "http://127.0.0.1:8912", "LKO-C");
  g_autofree char *odd = bd_application_build_store_path ("/data", "https://desk.example.org/api", "../a b");
  g_autofree char *odd_dir = g_path_get_dirname (odd);

  g_assert_cmpstr (plain, ==, "/data/bijli-desk/127.0.0.1_8912-LKO-C.db");
  g_assert_cmpstr (odd_dir, ==, "/data/bijli-desk");
  g_assert_cmpstr (odd, ==, "/data/bijli-desk/desk.example.org_443-.._a_b.db");
}

typedef struct {
  GtkWidget *root;
  const char *needle;
} TextProbe;

static gboolean
shows_text (gpointer data)
{
  TextProbe *probe = data;
  g_autofree char *text = dup_widget_text (probe->root);

  return strstr (text, probe->needle) != NULL;
}

static GtkWidget *
find_button_with_label (GtkWidget  *widget,
                        const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_with_label (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
on_open_consumer (BdAttentionDialog *dialog,
                  const char        *account,
                  char             **out)
{
  g_free (*out);
  *out = g_strdup (account);
}

static void
on_acknowledged (BdAttentionDialog *dialog,
                 guint             *count)
{
  (*count)++;
}

/* Refused and conflicting changes of several consumers in one list; marking
 * one as seen takes it off the list but not out of the outbox. */
static void
test_attention_dialog (void)
{
  g_autoptr(BdConsumerStore) store = new_store_with (make_consumer ("1000000001", "Asha Verma", "आशा वर्मा"),
                                                     make_consumer ("1000000002", "Ravi Srivastava", "रवि श्रीवास्तव"),
                                                     NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *opened = NULL;
  BdAttentionDialog *dialog;
  TextProbe probe;
  GtkWidget *seen;
  GtkWidget *open;
  guint acknowledged = 0;
  gint64 seqs[2];
  const char *accounts[] = { "1000000001", "1000000002" };

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(BdIndexing) before = bd_indexing_new (accounts[i]);
      g_autoptr(BdIndexing) after = NULL;
      g_autoptr(GPtrArray) changes = NULL;
      g_autoptr(JsonNode) value = bd_json_parse ("\"someone@example.in\"", -1, NULL);

      bd_indexing_set_version (before, 1);
      after = bd_indexing_copy (before);
      g_assert_true (bd_indexing_set_field (after, "email", value, NULL));
      changes = bd_indexing_diff (before, after);
      seqs[i] = bd_consumer_store_save_indexing (store, after, changes, "operator", &error);
      g_assert_no_error (error);
    }
  g_assert_true (bd_consumer_store_outbox_mark (store, seqs[0], BD_OUTBOX_STATE_REJECTED,
                                                "Email: the domain does not exist", 0, &error));
  g_assert_true (bd_consumer_store_outbox_mark (store, seqs[1], BD_OUTBOX_STATE_CONFLICT,
                                                "[{\"field\":\"email\"}]", 0, &error));
  g_assert_no_error (error);

  dialog = bd_attention_dialog_new (NULL, store, "supervisor");
  g_signal_connect (dialog, "open-consumer", G_CALLBACK (on_open_consumer), &opened);
  g_signal_connect (dialog, "acknowledged", G_CALLBACK (on_acknowledged), &acknowledged);
  gtk_window_present (GTK_WINDOW (dialog));

  probe.root = GTK_WIDGET (dialog);
  probe.needle = "Email: the domain does not exist";
  g_assert_true (wait_until (shows_text, &probe, 5000));
  probe.needle = "Ravi Srivastava";
  g_assert_true (shows_text (&probe));
  probe.needle = "2 changes made at this desk";
  g_assert_true (shows_text (&probe));

  /* Open asks the window to show the consumer of the newest item. */
  open = find_button_with_label (GTK_WIDGET (dialog), "_Open");
  g_assert_nonnull (open);
  g_signal_emit_by_name (open, "clicked");
  g_assert_cmpstr (opened, ==, "1000000002");

  seen = find_button_with_label (GTK_WIDGET (dialog), "Mark as _Seen");
  g_assert_nonnull (seen);
  g_signal_emit_by_name (seen, "clicked");
  g_assert_cmpuint (acknowledged, ==, 1);
  probe.needle = "1 change made at this desk";
  g_assert_true (wait_until (shows_text, &probe, 5000));
  g_assert_cmpint (bd_consumer_store_outbox_count_attention (store, NULL), ==, 1);
  /* Still in the consumer's outbox. */
  g_assert_cmpint (bd_consumer_store_outbox_count (store, BD_OUTBOX_STATE_CONFLICT, NULL), ==, 1);

  seen = find_button_with_label (GTK_WIDGET (dialog), "Mark as _Seen");
  g_signal_emit_by_name (seen, "clicked");
  probe.needle = "Nothing Needs Attention";
  g_assert_true (wait_until (shows_text, &probe, 5000));
  g_assert_cmpint (bd_consumer_store_outbox_count_attention (store, NULL), ==, 0);

  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  gtk_test_init (&argc, &argv, NULL);
  bd_register_resource ();

  app = bd_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_COMMAND_LINE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/ui/window/opens-on-sign-in-page", test_opens_on_sign_in_page);
  g_test_add_func ("/ui/window/validation-messages", test_validation_messages);
  g_test_add_func ("/ui/window/unreachable-server", test_unreachable_server_is_reported);
  g_test_add_func ("/ui/search/newest-query-wins", test_search_shows_newest_query);
  g_test_add_func ("/ui/search/exact-identifier-opens", test_exact_identifier_opens);
  g_test_add_func ("/ui/search/while-indexing", test_search_while_indexing);
  g_test_add_func ("/ui/search/keyboard-steps-through-results", test_keyboard_steps_through_results);
  g_test_add_func ("/ui/consumer/page-fields", test_consumer_page_fields);
  g_test_add_func ("/ui/consumer/balance-state-and-meter", test_balance_state_and_meter_comm);
  g_test_add_func ("/ui/consumer/open-in-new-window", test_open_in_new_window);
  g_test_add_func ("/ui/consumer/window-reloads", test_consumer_window_reloads);
  g_test_add_func ("/ui/consumer/print-summary-pdf", test_print_summary_pdf);
  g_test_add_func ("/ui/sync/estimate", test_sync_estimate);
  g_test_add_func ("/ui/complaint/slip-pdf", test_complaint_slip_pdf);
  g_test_add_func ("/ui/application/store-path", test_store_path);
  g_test_add_func ("/ui/attention/dialog", test_attention_dialog);

  status = g_test_run ();

  g_clear_object (&app);
  return status;
}
