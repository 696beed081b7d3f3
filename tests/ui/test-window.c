/* test-window.c: the real desk window under Xvfb.
 *
 * Checks that the window opens on the sign-in page, that the form guards
 * its input, that a failed sign-in is reported inline, and that search
 * shows only the answer to the newest query.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gtk/gtk.h>

#include "bijli-desk-resources.h"
#include "core/bd-codec.h"
#include "bd-application.h"
#include "bd-search-panel.h"
#include "bd-sign-in-page.h"
#include "bd-window.h"

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
  g_test_add_func ("/ui/application/store-path", test_store_path);

  status = g_test_run ();

  g_clear_object (&app);
  return status;
}
