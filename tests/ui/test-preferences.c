/* test-preferences.c: preferences, language, style, names and the About
 * window's release notes, under Xvfb.
 *
 * Checks that the style setting drives libadwaita at once (from the
 * settings and from the preferences window's options), that the order of
 * names follows the setting and the language, that the language setting
 * switches the catalogue, that an operator's server address is checked,
 * that forgetting the user name clears it, that the window's size goes to
 * the settings on close and comes back, and that
 * the About window's release notes are read from the bundled metainfo.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include <glib/gi18n-lib.h>
#include <gtk/gtk.h>

#include "bijli-desk-resources.h"
#include "core/bd-codec.h"
#include "bd-about.h"
#include "bd-application.h"
#include "bd-consumer-format.h"
#include "bd-language.h"
#include "bd-preferences-window.h"
#include "bd-window.h"

static BdApplication *app;

static void
spin (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static BdConsumer *
make_consumer (const char *name_en,
               const char *name_hi)
{
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  BdConsumer *consumer;

  json = g_strdup_printf ("{\"account\":\"2101000001\",\"name_en\":\"%s\",\"name_hi\":\"%s\","
                          "\"relation_en\":\"Ram Lal\",\"relation_hi\":\"राम लाल\","
                          "\"address\":\"12 Hazratganj, Lucknow\",\"mobile\":null,"
                          "\"mobile_verified\":false,\"meter_serial\":\"UPS1\",\"meter_make\":\"Genus\","
                          "\"meter_type\":\"smart\",\"category\":\"LMV-1\",\"sanctioned_load_w\":2000,"
                          "\"phase\":\"single\",\"feeder\":\"F-01\",\"dt\":\"DT-01\",\"pole\":\"P-01\","
                          "\"zone\":\"LKO-C\",\"area_type\":\"urban\",\"supply_status\":\"connected\","
                          "\"balance_paise\":100,\"balance_as_of\":null,"
                          "\"version\":1,\"updated_at\":\"2026-11-23T10:15:00Z\"}",
                          name_en, name_hi);
  node = bd_json_parse (json, -1, &error);
  g_assert_no_error (error);
  consumer = bd_consumer_from_json (node, &error);
  g_assert_no_error (error);

  return consumer;
}

static void
test_style_follows_setting (void)
{
  GSettings *settings = bd_application_get_settings (app);
  AdwStyleManager *style = adw_style_manager_get_default ();

  g_settings_set_string (settings, "color-scheme", "dark");
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (style));

  g_settings_set_string (settings, "color-scheme", "light");
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_FORCE_LIGHT);
  g_assert_false (adw_style_manager_get_dark (style));

  g_settings_set_string (settings, "color-scheme", "default");
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_DEFAULT);
}

static void
test_preferences_options_change_settings (void)
{
  GSettings *settings = bd_application_get_settings (app);
  GtkWidget *preferences = bd_preferences_window_new (settings);

  gtk_window_present (GTK_WINDOW (preferences));
  spin (100);

  g_assert_true (gtk_widget_activate_action (preferences, "prefs.color-scheme", "s", "dark"));
  g_assert_true (adw_style_manager_get_dark (adw_style_manager_get_default ()));
  g_assert_true (gtk_widget_activate_action (preferences, "prefs.name-order", "s", "hindi"));
  g_assert_cmpint (bd_name_order_get (), ==, BD_NAME_ORDER_HINDI_FIRST);
  g_assert_true (gtk_widget_activate_action (preferences, "prefs.language", "s", "hi"));
  {
    g_autofree char *language = g_settings_get_string (settings, "language");
    g_assert_cmpstr (language, ==, "hi");
  }

  gtk_window_destroy (GTK_WINDOW (preferences));
  g_settings_reset (settings, "color-scheme");
  g_settings_reset (settings, "name-order");
  g_settings_reset (settings, "language");
}

static void
test_name_order (void)
{
  GSettings *settings = bd_application_get_settings (app);
  g_autoptr(BdConsumer) both = make_consumer ("Asha Verma", "आशा वर्मा");
  g_autoptr(BdConsumer) english_only = make_consumer ("Bharat Singh", "");
  g_autofree char *relation_en = NULL;
  g_autofree char *relation_hi = NULL;
  const char *secondary = NULL;

  g_settings_set_string (settings, "name-order", "english");
  g_assert_cmpint (bd_name_order_get (), ==, BD_NAME_ORDER_ENGLISH_FIRST);
  g_assert_cmpstr (bd_consumer_get_names (both, &secondary), ==, "Asha Verma");
  g_assert_cmpstr (secondary, ==, "आशा वर्मा");
  relation_en = bd_consumer_format_relation (both);
  g_assert_cmpstr (relation_en, ==, "Ram Lal · राम लाल");

  g_settings_set_string (settings, "name-order", "hindi");
  g_assert_cmpint (bd_name_order_get (), ==, BD_NAME_ORDER_HINDI_FIRST);
  g_assert_cmpstr (bd_consumer_get_names (both, &secondary), ==, "आशा वर्मा");
  g_assert_cmpstr (secondary, ==, "Asha Verma");
  relation_hi = bd_consumer_format_relation (both);
  g_assert_cmpstr (relation_hi, ==, "राम लाल · Ram Lal");
  /* No Devanagari spelling on record: the English one, alone. */
  g_assert_cmpstr (bd_consumer_get_names (english_only, &secondary), ==, "Bharat Singh");
  g_assert_null (secondary);

  /* "language" follows the desk's language: English in this test run. */
  g_settings_set_string (settings, "name-order", "language");
  g_assert_false (bd_language_is_hindi ());
  g_assert_cmpint (bd_name_order_get (), ==, BD_NAME_ORDER_ENGLISH_FIRST);
}

static void
test_language_switches_catalogue (void)
{
  const char *localedir = g_getenv ("BIJLI_DESK_LOCALEDIR");

  g_assert_nonnull (localedir);
  bindtextdomain (GETTEXT_PACKAGE, localedir);

  g_assert_cmpstr (_("Sign in"), ==, "Sign in");
  bd_language_apply ("hi");
  g_assert_cmpstr (bd_language_get_running (), ==, "hi");
  g_assert_true (bd_language_is_hindi ());
  g_assert_cmpstr (_("Sign in"), ==, "साइन इन करें");

  /* What a restart hands over: the session's own LANGUAGE. */
  bd_language_restore_environment ();
  g_assert_cmpstr (g_getenv ("LANGUAGE"), ==, "en");
  g_assert_false (bd_language_is_hindi ());
  g_assert_cmpstr (_("Sign in"), ==, "Sign in");
  bd_language_apply (BD_LANGUAGE_SYSTEM);
  g_assert_cmpstr (bd_language_get_running (), ==, BD_LANGUAGE_SYSTEM);
}

static void
test_server_url_check (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (bd_preferences_check_server_url ("https://central.example.in", NULL));
  g_assert_true (bd_preferences_check_server_url ("http://127.0.0.1:8912", NULL));

  g_assert_false (bd_preferences_check_server_url ("central.example.in", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "https://"));
  g_clear_error (&error);
  g_assert_false (bd_preferences_check_server_url ("ftp://central.example.in", &error));
  g_clear_error (&error);
  g_assert_false (bd_preferences_check_server_url ("", &error));
  g_clear_error (&error);
}

static void
test_forget_username (void)
{
  GSettings *settings = bd_application_get_settings (app);
  g_autofree char *username = NULL;

  g_settings_set_string (settings, "last-username", "operator");
  g_settings_set_boolean (settings, "remember-username", FALSE);
  username = g_settings_get_string (settings, "last-username");
  g_assert_cmpstr (username, ==, "");
  g_settings_reset (settings, "remember-username");
}

static void
test_window_size_restored (void)
{
  GSettings *settings = bd_application_get_settings (app);
  BdWindow *window;
  int width = 0;
  int height = 0;

  g_settings_set_int (settings, "window-width", 800);
  g_settings_set_int (settings, "window-height", 600);
  g_settings_set_boolean (settings, "window-maximized", FALSE);

  window = bd_window_new (app);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 800);
  g_assert_cmpint (height, ==, 600);
  gtk_window_present (GTK_WINDOW (window));
  spin (100);

  gtk_window_set_default_size (GTK_WINDOW (window), 940, 660);
  gtk_window_close (GTK_WINDOW (window));
  spin (50);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 940);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 660);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));

  /* A new window opens at the size the last one was closed at. Whether it
   * opens maximized is up to the window manager, which Xvfb lacks. */
  window = bd_window_new (app);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 940);
  g_assert_cmpint (height, ==, 660);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_release_notes_from_metainfo (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *notes = NULL;
  g_autofree char *version = NULL;
  g_autofree char *bad = NULL;

  bytes = g_resources_lookup_data ("/io/github/bijlidesk/BijliDesk/metainfo.xml",
                                   G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  notes = bd_about_release_notes_from_metainfo (g_bytes_get_data (bytes, NULL),
                                                (gssize) g_bytes_get_size (bytes), &version, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (version, ==, PACKAGE_VERSION);
  g_assert_true (g_str_has_prefix (notes, "<p>"));
  g_assert_nonnull (strstr (notes, "<li>"));
  g_assert_null (strstr (notes, "<description>"));

  bad = bd_about_release_notes_from_metainfo ("<component><releases/></component>", -1, NULL, &error);
  g_assert_null (bad);
  g_assert_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT);
  g_clear_error (&error);
  bad = bd_about_release_notes_from_metainfo ("<component><release", -1, NULL, &error);
  g_assert_null (bad);
  g_assert_nonnull (error);
}

static void
test_shortcuts_are_set (void)
{
  g_auto(GStrv) preferences = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.preferences");
  g_auto(GStrv) sync = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.sync-now");
  g_auto(GStrv) help = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay");

  g_assert_true (g_strv_contains ((const char * const *) preferences, "<Control>comma"));
  g_assert_true (g_strv_contains ((const char * const *) sync, "F5"));
  g_assert_true (g_strv_contains ((const char * const *) help, "<Control>question"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "restart"));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  setlocale (LC_ALL, "");
  bd_language_apply (BD_LANGUAGE_SYSTEM);
  gtk_test_init (&argc, &argv, NULL);
  bd_register_resource ();

  app = bd_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_COMMAND_LINE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/looks/style/follows-setting", test_style_follows_setting);
  g_test_add_func ("/looks/preferences/options-change-settings", test_preferences_options_change_settings);
  g_test_add_func ("/looks/names/order", test_name_order);
  g_test_add_func ("/looks/language/switches-catalogue", test_language_switches_catalogue);
  g_test_add_func ("/looks/preferences/server-url", test_server_url_check);
  g_test_add_func ("/looks/preferences/forget-username", test_forget_username);
  g_test_add_func ("/looks/window/size-restored", test_window_size_restored);
  g_test_add_func ("/looks/about/release-notes", test_release_notes_from_metainfo);
  g_test_add_func ("/looks/shortcuts/set", test_shortcuts_are_set);

  status = g_test_run ();

  g_clear_object (&app);
  return status;
}
