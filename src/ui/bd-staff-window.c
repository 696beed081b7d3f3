/* bd-staff-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-time.h"

#include "bd-complaint-format.h"
#include "bd-staff-dialog.h"
#include "bd-staff-window.h"

struct _BdStaffWindow
{
  AdwWindow        parent_instance;

  BdApplication   *app;
  GCancellable    *cancellable;
  GPtrArray       *users;         /* JsonObject, as shown */

  AdwToastOverlay *toast_overlay;
  GtkListBox      *list;
  GtkLabel        *count;
};

G_DEFINE_FINAL_TYPE (BdStaffWindow, bd_staff_window, ADW_TYPE_WINDOW)

static void load (BdStaffWindow *self);

static void
toast (BdStaffWindow *self,
       const char    *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static char *
format_time (JsonObject *user,
             const char *member)
{
  const char *text = json_object_has_member (user, member) && !json_object_get_null_member (user, member)
                     ? json_object_get_string_member (user, member) : NULL;
  gint64 when = 0;

  if (text == NULL || !bd_time_from_iso8601 (text, &when))
    return NULL;
  return bd_time_format_ist (when);
}

static char *
describe (JsonObject *user)
{
  BdRole role = BD_ROLE_OPERATOR;
  g_autofree char *last = format_time (user, "last_sign_in_at");
  g_autofree char *seen = NULL;
  gint64 sessions = json_object_get_int_member (user, "active_sessions");
  g_autofree char *open = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d session open", "%d sessions open",
                                                        (gulong) sessions), (int) sessions);

  bd_role_from_string (json_object_get_string_member (user, "role"), &role);
  seen = last != NULL ? g_strdup_printf (_("last signed in %s"), last) : g_strdup (_("never signed in"));
  if (json_object_has_member (user, "zones") && json_array_get_length (json_object_get_array_member (user, "zones")) > 0)
    {
      JsonArray *zones = json_object_get_array_member (user, "zones");
      g_autoptr(GString) list = g_string_new (NULL);
      g_autofree char *also = NULL;

      for (guint i = 0; i < json_array_get_length (zones); i++)
        g_string_append_printf (list, "%s%s", i > 0 ? ", " : "", json_array_get_string_element (zones, i));
      also = g_strdup_printf (_("also %s"), list->str);
      /* user name · role · also LKO-E · last signed in … · n sessions open */
      return g_strdup_printf (_("%s · %s · %s · %s · %s"), json_object_get_string_member (user, "username"),
                              bd_role_label (role), also, seen, open);
    }
  /* user name · role · last signed in … · n sessions open */
  return g_strdup_printf (_("%s · %s · %s · %s"), json_object_get_string_member (user, "username"),
                          bd_role_label (role), seen, open);
}

typedef struct {
  BdStaffWindow *self;
  char          *username;
  char          *done;     /* the toast when it worked */
} Change;

static void
change_free (Change *change)
{
  g_free (change->username);
  g_free (change->done);
  g_free (change);
}

static void
on_changed_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Change *change = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = bd_client_send_json_finish (BD_CLIENT (source), result, NULL, &error);

  if (!g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED))
    {
      if (answer == NULL)
        toast (change->self, error != NULL ? error->message : _("The server’s answer could not be read."));
      else
        {
          toast (change->self, change->done);
          load (change->self);
        }
    }
  change_free (change);
}

static void
send_change (BdStaffWindow *self,
             const char    *method,
             const char    *suffix,
             const char    *username,
             JsonNode      *body,
             const char    *done)
{
  BdClient *client = bd_application_get_client (self->app);
  g_autofree char *escaped = g_uri_escape_string (username, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/api/v1/users/%s%s", escaped, suffix);
  Change *change;

  if (client == NULL || bd_application_is_offline_session (self->app))
    {
      toast (self, _("Staff accounts are kept on the server. Manage them when the desk is online."));
      return;
    }
  change = g_new0 (Change, 1);
  change->self = self;
  change->username = g_strdup (username);
  change->done = g_strdup (done);
  bd_client_send_json_async (client, method, path, NULL, body, self->cancellable, on_changed_cb, change);
}

static JsonObject *
user_of (GtkWidget *button)
{
  return g_object_get_data (G_OBJECT (button), "bd-staff-user");
}

static void
on_dialog_saved_cb (BdStaffDialog *dialog,
                    JsonObject    *user,
                    BdStaffWindow *self)
{
  g_autofree char *text = g_strdup_printf (_("Saved %s."), json_object_get_string_member (user, "username"));

  toast (self, text);
  load (self);
}

static void
open_dialog (BdStaffWindow     *self,
             BdStaffDialogMode  mode,
             JsonObject        *user)
{
  BdClient *client = bd_application_get_client (self->app);
  BdStaffDialog *dialog;

  if (client == NULL || bd_application_is_offline_session (self->app))
    {
      toast (self, _("Staff accounts are kept on the server. Manage them when the desk is online."));
      return;
    }
  dialog = bd_staff_dialog_new (GTK_WINDOW (self), client, mode, user);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_dialog_saved_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_new_clicked_cb (BdStaffWindow *self)
{
  open_dialog (self, BD_STAFF_DIALOG_NEW, NULL);
}

static void
on_edit_clicked_cb (GtkWidget     *button,
                    BdStaffWindow *self)
{
  open_dialog (self, BD_STAFF_DIALOG_EDIT, user_of (button));
}

static void
on_password_clicked_cb (GtkWidget     *button,
                        BdStaffWindow *self)
{
  open_dialog (self, BD_STAFF_DIALOG_PASSWORD, user_of (button));
}

static void
on_sign_out_clicked_cb (GtkWidget     *button,
                        BdStaffWindow *self)
{
  const char *username = json_object_get_string_member (user_of (button), "username");
  g_autofree char *done = g_strdup_printf (_("%s is signed out on every desk."), username);

  send_change (self, "DELETE", "/sessions", username, NULL, done);
}

static void
on_disable_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        BdStaffWindow    *self)
{
  const char *username = g_object_get_data (G_OBJECT (dialog), "bd-staff-username");
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *done = NULL;

  if (!g_str_equal (response, "disable"))
    return;
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "disabled");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  done = g_strdup_printf (_("%s is disabled and signed out."), username);
  send_change (self, "PATCH", "", username, body, done);
}

static void
on_disable_clicked_cb (GtkWidget     *button,
                       BdStaffWindow *self)
{
  JsonObject *user = user_of (button);
  const char *username = json_object_get_string_member (user, "username");
  gboolean disabled = json_object_get_boolean_member (user, "disabled");
  GtkWidget *dialog;
  g_autofree char *body_text = NULL;

  if (disabled)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) body = NULL;
      g_autofree char *done = g_strdup_printf (_("%s can sign in again."), username);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "disabled");
      json_builder_add_boolean_value (builder, FALSE);
      json_builder_end_object (builder);
      body = json_builder_get_root (builder);
      send_change (self, "PATCH", "", username, body, done);
      return;
    }

  /* Disabling signs the person out mid-shift: ask first. */
  body_text = g_strdup_printf (_("%s (%s) will be signed out on every desk at once and cannot sign in until the account is enabled again. Their work and the audit log are kept."),
                               json_object_get_string_member (user, "display_name"), username);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Disable this account?"), body_text);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "disable", _("_Disable"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "disable", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "bd-staff-username", g_strdup (username), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_disable_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* accessible: what a screen reader says, naming the user, since every row
 * has the same buttons. */
static GtkWidget *
row_button (JsonObject    *user,
            const char    *label,
            char          *accessible,
            GCallback      callback,
            BdStaffWindow *self)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  g_free (accessible);
  g_object_set_data_full (G_OBJECT (button), "bd-staff-user", json_object_ref (user),
                          (GDestroyNotify) json_object_unref);
  g_signal_connect (button, "clicked", callback, self);
  return button;
}

static GtkWidget *
user_row (BdStaffWindow *self,
          JsonObject    *user)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *subtitle = describe (user);
  gboolean disabled = json_object_get_boolean_member (user, "disabled");
  const char *username = json_object_get_string_member (user, "username");
  gboolean is_me = FALSE;
  BdSession *session = bd_application_get_session (self->app);
  GtkWidget *disable;

  if (session != NULL)
    is_me = g_str_equal (bd_session_get_username (session), username);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), json_object_get_string_member (user, "display_name"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (disabled)
    {
      GtkWidget *tag = gtk_label_new (_("Disabled"));

      gtk_widget_add_css_class (tag, "error");
      gtk_widget_set_valign (tag, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), tag);
    }
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             row_button (user, _("Edit…"), g_strdup_printf (_("Edit %s"), username),
                                         G_CALLBACK (on_edit_clicked_cb), self));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             row_button (user, _("Reset Password…"),
                                         g_strdup_printf (_("Reset the password of %s"), username),
                                         G_CALLBACK (on_password_clicked_cb), self));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             row_button (user, _("Sign Out Everywhere"),
                                         g_strdup_printf (_("Sign %s out on every desk"), username),
                                         G_CALLBACK (on_sign_out_clicked_cb), self));
  disable = row_button (user, disabled ? _("Enable") : _("Disable…"),
                        disabled ? g_strdup_printf (_("Enable %s"), username)
                                 : g_strdup_printf (_("Disable %s"), username),
                        G_CALLBACK (on_disable_clicked_cb), self);
  if (!disabled)
    gtk_widget_add_css_class (disable, "destructive-action");
  /* The server refuses it too; the button says so first. */
  gtk_widget_set_sensitive (disable, !is_me);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), disable);
  return row;
}

static void
on_list_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  BdStaffWindow *self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = bd_client_send_json_finish (BD_CLIENT (source), result, NULL, &error);
  g_autofree char *count = NULL;
  GtkWidget *child;
  JsonArray *users;

  if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED))
    return;
  self = BD_STAFF_WINDOW (user_data);
  if (answer == NULL || !JSON_NODE_HOLDS_OBJECT (answer) ||
      !json_object_has_member (json_node_get_object (answer), "users"))
    {
      toast (self, error != NULL ? error->message : _("The server’s answer could not be read."));
      return;
    }
  g_ptr_array_set_size (self->users, 0);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  users = json_object_get_array_member (json_node_get_object (answer), "users");
  for (guint i = 0; i < json_array_get_length (users); i++)
    {
      JsonObject *user = json_array_get_object_element (users, i);

      if (user == NULL || !json_object_has_member (user, "username"))
        continue;
      g_ptr_array_add (self->users, json_object_ref (user));
      gtk_list_box_append (self->list, user_row (self, user));
    }
  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u staff user in your zone", "%u staff users in your zone",
                                        self->users->len), self->users->len);
  gtk_label_set_text (self->count, count);
}

static void
load (BdStaffWindow *self)
{
  BdClient *client = bd_application_get_client (self->app);

  if (client == NULL || bd_application_is_offline_session (self->app))
    {
      toast (self, _("Staff accounts are kept on the server. Manage them when the desk is online."));
      return;
    }
  bd_client_send_json_async (client, "GET", "/api/v1/users", NULL, NULL, self->cancellable, on_list_cb, self);
}

static void
bd_staff_window_dispose (GObject *object)
{
  BdStaffWindow *self = BD_STAFF_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->users, g_ptr_array_unref);
  g_clear_object (&self->app);

  G_OBJECT_CLASS (bd_staff_window_parent_class)->dispose (object);
}

static void
bd_staff_window_class_init (BdStaffWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = bd_staff_window_dispose;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
bd_staff_window_init (BdStaffWindow *self)
{
  GtkWidget *toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *body = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *new_button = bd_mnemonic_button_new (_("_New User…"));

  self->cancellable = g_cancellable_new ();
  self->users = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  gtk_window_set_title (GTK_WINDOW (self), _("Staff Accounts"));
  gtk_window_set_default_size (GTK_WINDOW (self), 1000, 640);

  self->count = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->count, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->count), "dim-label");
  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Staff users"), -1);
  gtk_widget_add_css_class (new_button, "suggested-action");
  g_signal_connect_swapped (new_button, "clicked", G_CALLBACK (on_new_clicked_cb), self);

  gtk_widget_set_margin_top (body, 12);
  gtk_widget_set_margin_bottom (body, 12);
  gtk_widget_set_margin_start (body, 12);
  gtk_widget_set_margin_end (body, 12);
  gtk_box_append (GTK_BOX (body), GTK_WIDGET (self->count));
  gtk_box_append (GTK_BOX (body), GTK_WIDGET (self->list));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), body);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), new_button);
  gtk_box_append (GTK_BOX (toolbar), header);
  gtk_box_append (GTK_BOX (toolbar), scrolled);
  self->toast_overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toast_overlay, toolbar);
  adw_window_set_content (ADW_WINDOW (self), GTK_WIDGET (self->toast_overlay));
}

BdStaffWindow *
bd_staff_window_new (BdApplication *app,
                     GtkWindow     *parent)
{
  BdStaffWindow *self;

  g_return_val_if_fail (BD_IS_APPLICATION (app), NULL);

  self = g_object_new (BD_TYPE_STAFF_WINDOW, "transient-for", parent, NULL);
  self->app = g_object_ref (app);
  load (self);
  return self;
}
