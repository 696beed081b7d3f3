/* bd-preferences-window.c: the desk's preferences.
 *
 * The choices (language, style, which spelling of a name comes first) are
 * radio rows bound to GSettings actions, so each is one accessible radio
 * button with the option's name and the settings stay the single source
 * of truth; the application applies them when they change. A language
 * applies to widgets when they are built, so switching it offers to
 * restart the desk there and then.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "bd-language.h"
#include "bd-preferences-window.h"

struct _BdPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  AdwEntryRow          *server_row;
  GtkSwitch            *remember_switch;
  AdwActionRow         *restart_row;
};

G_DEFINE_FINAL_TYPE (BdPreferencesWindow, bd_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_restart_row (BdPreferencesWindow *self)
{
  g_autofree char *language = g_settings_get_string (self->settings, "language");

  gtk_widget_set_visible (GTK_WIDGET (self->restart_row),
                          g_strcmp0 (language, bd_language_get_running ()) != 0);
}

static void
on_language_changed_cb (BdPreferencesWindow *self,
                        const char          *key,
                        GSettings           *settings)
{
  update_restart_row (self);
}

static void
on_server_url_changed_cb (BdPreferencesWindow *self,
                          const char          *key,
                          GSettings           *settings)
{
  g_autofree char *url = g_settings_get_string (settings, "server-url");

  gtk_editable_set_text (GTK_EDITABLE (self->server_row), url);
  gtk_widget_remove_css_class (GTK_WIDGET (self->server_row), "error");
}

static void
on_server_apply_cb (BdPreferencesWindow *self,
                    AdwEntryRow         *row)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  g_autoptr(GError) error = NULL;

  if (!bd_preferences_check_server_url (url, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (error->message));
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  g_settings_set_string (self->settings, "server-url", url);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (_("Server address saved. It is used at the next sign-in.")));
}

static void
on_server_changed_cb (BdPreferencesWindow *self,
                      GtkEditable         *editable)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->server_row), "error");
}

static void
on_restart_clicked_cb (BdPreferencesWindow *self,
                       GtkButton           *button)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "app.restart", NULL);
}

static void
add_setting_actions (BdPreferencesWindow *self)
{
  static const char *keys[] = { "language", "color-scheme", "name-order" };
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autoptr(GAction) action = g_settings_create_action (self->settings, keys[i]);

      g_action_map_add_action (G_ACTION_MAP (group), action);
    }
  gtk_widget_insert_action_group (GTK_WIDGET (self), "prefs", G_ACTION_GROUP (group));
}

static void
bd_preferences_window_constructed (GObject *object)
{
  BdPreferencesWindow *self = BD_PREFERENCES_WINDOW (object);
  g_autofree char *url = NULL;

  G_OBJECT_CLASS (bd_preferences_window_parent_class)->constructed (object);

  add_setting_actions (self);

  url = g_settings_get_string (self->settings, "server-url");
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), url);
  g_settings_bind (self->settings, "remember-username", self->remember_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);

  g_signal_connect_swapped (self->settings, "changed::language",
                            G_CALLBACK (on_language_changed_cb), self);
  g_signal_connect_swapped (self->settings, "changed::server-url",
                            G_CALLBACK (on_server_url_changed_cb), self);
  update_restart_row (self);
}

static void
bd_preferences_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  BdPreferencesWindow *self = BD_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bd_preferences_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  BdPreferencesWindow *self = BD_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bd_preferences_window_dispose (GObject *object)
{
  BdPreferencesWindow *self = BD_PREFERENCES_WINDOW (object);

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), BD_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (bd_preferences_window_parent_class)->dispose (object);
}

static void
bd_preferences_window_class_init (BdPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = bd_preferences_window_constructed;
  object_class->get_property = bd_preferences_window_get_property;
  object_class->set_property = bd_preferences_window_set_property;
  object_class->dispose = bd_preferences_window_dispose;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/bijlidesk/BijliDesk/ui/bd-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BdPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, BdPreferencesWindow, remember_switch);
  gtk_widget_class_bind_template_child (widget_class, BdPreferencesWindow, restart_row);
  gtk_widget_class_bind_template_callback (widget_class, on_server_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_server_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_restart_clicked_cb);
}

static void
bd_preferences_window_init (BdPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
bd_preferences_window_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (BD_TYPE_PREFERENCES_WINDOW,
                       "settings", settings,
                       NULL);
}

gboolean
bd_preferences_check_server_url (const char  *url,
                                 GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (url == NULL || *url == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Type the server address, for example https://central.example.in."));
      return FALSE;
    }

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   /* Translators: %s is what the operator typed. */
                   _("“%s” is not a server address. It starts with https:// or http://, for example https://central.example.in."),
                   url);
      return FALSE;
    }

  return TRUE;
}
