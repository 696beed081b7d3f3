/* bd-staff-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "core/bd-validate.h"

#include "bd-complaint-format.h"
#include "bd-field-error.h"
#include "bd-staff-dialog.h"

static const BdRole roles[] = { BD_ROLE_OPERATOR, BD_ROLE_AGENT, BD_ROLE_SUPERVISOR, BD_ROLE_ADMIN };

struct _BdStaffDialog
{
  AdwWindow          parent_instance;

  BdClient          *client;
  BdStaffDialogMode  mode;
  char              *username;       /* the user edited, NULL for NEW */
  GCancellable      *cancellable;
  gboolean           sending;

  AdwEntryRow       *username_row;
  AdwEntryRow       *name_row;
  AdwComboRow       *role_row;
  AdwEntryRow       *zones_row;      /* EDIT: the extra zones, comma-separated */
  AdwPasswordEntryRow *password_row;
  AdwPasswordEntryRow *confirm_row;
  GtkButton         *save_button;
  AdwToastOverlay   *toast_overlay;
};

G_DEFINE_FINAL_TYPE (BdStaffDialog, bd_staff_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
row_text (gpointer row)
{
  return row != NULL ? gtk_editable_get_text (GTK_EDITABLE (row)) : "";
}

/* Checks every field the mode shows; marks the ones in error. Only fields
 * with something typed are marked, so an empty form is not all red. */
static gboolean
validate (BdStaffDialog *self,
          gboolean       mark_empty)
{
  gboolean ok = TRUE;

  if (self->username_row != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = bd_username_normalize (row_text (self->username_row), &error);

      ok &= name != NULL;
      bd_field_error_set (GTK_WIDGET (self->username_row),
                          error != NULL && (mark_empty || *row_text (self->username_row) != '\0')
                          ? error->message : NULL);
    }
  if (self->name_row != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = bd_display_name_normalize (row_text (self->name_row), &error);

      ok &= name != NULL;
      bd_field_error_set (GTK_WIDGET (self->name_row),
                          error != NULL && (mark_empty || *row_text (self->name_row) != '\0')
                          ? error->message : NULL);
    }
  if (self->zones_row != NULL)
    {
      g_auto(GStrv) zones = g_strsplit (row_text (self->zones_row), ",", -1);
      gboolean zones_ok = TRUE;

      for (guint i = 0; zones[i] != NULL; i++)
        {
          const char *zone = g_strstrip (zones[i]);
          gsize length = strlen (zone);

          for (gsize k = 0; k < length; k++)
            if (!g_ascii_isalnum (zone[k]) && zone[k] != '-')
              zones_ok = FALSE;
          if (length == 1 || length > 16)
            zones_ok = FALSE;
        }
      ok &= zones_ok;
      bd_field_error_set (GTK_WIDGET (self->zones_row),
                          zones_ok ? NULL : _("Zone codes have 2 to 16 letters, digits and dashes, separated by commas, for example LKO-E, LKO-W."));
    }
  if (self->password_row != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *user = self->username != NULL ? g_strdup (self->username)
                                                     : g_ascii_strdown (row_text (self->username_row), -1);
      const char *password = row_text (self->password_row);
      const char *confirm = row_text (self->confirm_row);

      ok &= bd_staff_password_check (password, g_strstrip (user), &error);
      bd_field_error_set (GTK_WIDGET (self->password_row),
                          error != NULL && (mark_empty || *password != '\0') ? error->message : NULL);
      if (!g_str_equal (password, confirm))
        {
          ok = FALSE;
          bd_field_error_set (GTK_WIDGET (self->confirm_row),
                              mark_empty || *confirm != '\0' ? _("The two passwords are not the same.") : NULL);
        }
      else
        bd_field_error_set (GTK_WIDGET (self->confirm_row), NULL);
    }
  return ok;
}

static void
on_changed_cb (BdStaffDialog *self)
{
  gboolean ok = validate (self, FALSE);

  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), ok && !self->sending);
}

static void
on_saved_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  BdStaffDialog *self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = bd_client_send_json_finish (BD_CLIENT (source), result, NULL, &error);

  if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED))
    return;
  self = BD_STAFF_DIALOG (user_data);
  self->sending = FALSE;
  if (answer == NULL || !JSON_NODE_HOLDS_OBJECT (answer))
    {
      /* The name is the one thing only the server can check. */
      if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_CONFLICT) && self->username_row != NULL)
        bd_field_error_set (GTK_WIDGET (self->username_row),
                            _("This user name is already in use. Choose another."));
      else
        adw_toast_overlay_add_toast (self->toast_overlay,
                                     adw_toast_new (error != NULL ? error->message
                                                                  : _("The server’s answer could not be read.")));
      on_changed_cb (self);
      return;
    }
  g_signal_emit (self, signals[SAVED], 0, json_node_get_object (answer));
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_save_clicked_cb (BdStaffDialog *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *path = NULL;
  g_autofree char *escaped = NULL;
  const char *method = "POST";

  if (self->sending || !validate (self, TRUE))
    return;

  json_builder_begin_object (builder);
  if (self->mode == BD_STAFF_DIALOG_NEW)
    {
      json_builder_set_member_name (builder, "username");
      json_builder_add_string_value (builder, row_text (self->username_row));
    }
  if (self->name_row != NULL)
    {
      json_builder_set_member_name (builder, "display_name");
      json_builder_add_string_value (builder, row_text (self->name_row));
    }
  if (self->role_row != NULL)
    {
      guint selected = adw_combo_row_get_selected (self->role_row);

      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, bd_role_to_string (roles[MIN (selected, G_N_ELEMENTS (roles) - 1)]));
    }
  if (self->zones_row != NULL)
    {
      g_auto(GStrv) zones = g_strsplit (row_text (self->zones_row), ",", -1);

      json_builder_set_member_name (builder, "zones");
      json_builder_begin_array (builder);
      for (guint i = 0; zones[i] != NULL; i++)
        {
          g_autofree char *zone = g_ascii_strup (g_strstrip (zones[i]), -1);

          if (*zone != '\0')
            json_builder_add_string_value (builder, zone);
        }
      json_builder_end_array (builder);
    }
  if (self->password_row != NULL)
    {
      json_builder_set_member_name (builder, "password");
      json_builder_add_string_value (builder, row_text (self->password_row));
    }
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  if (self->username != NULL)
    escaped = g_uri_escape_string (self->username, NULL, FALSE);
  switch (self->mode)
    {
    case BD_STAFF_DIALOG_EDIT:
      method = "PATCH";
      path = g_strdup_printf ("/api/v1/users/%s", escaped);
      break;
    case BD_STAFF_DIALOG_PASSWORD:
      path = g_strdup_printf ("/api/v1/users/%s/password", escaped);
      break;
    case BD_STAFF_DIALOG_NEW:
    default:
      path = g_strdup ("/api/v1/users");
      break;
    }

  self->sending = TRUE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), FALSE);
  bd_client_send_json_async (self->client, method, path, NULL, body, self->cancellable, on_saved_cb, self);
}

static AdwEntryRow *
entry_row (AdwPreferencesGroup *group,
           const char          *title)
{
  AdwEntryRow *row = ADW_ENTRY_ROW (adw_entry_row_new ());

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_group_add (group, GTK_WIDGET (row));
  return row;
}

static AdwPasswordEntryRow *
password_row (AdwPreferencesGroup *group,
              const char          *title)
{
  AdwPasswordEntryRow *row = ADW_PASSWORD_ENTRY_ROW (adw_password_entry_row_new ());

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_group_add (group, GTK_WIDGET (row));
  bd_password_row_name_toggle (GTK_WIDGET (row));
  return row;
}

static void
build (BdStaffDialog *self,
       JsonObject    *user)
{
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *page = adw_preferences_page_new ();
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  AdwPreferencesGroup *actions = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  const char *display_name = user != NULL && json_object_has_member (user, "display_name")
                             ? json_object_get_string_member (user, "display_name") : NULL;
  const char *title;
  const char *button;

  switch (self->mode)
    {
    case BD_STAFF_DIALOG_EDIT:
      title = _("Edit Staff User");
      button = _("_Save Changes");
      break;
    case BD_STAFF_DIALOG_PASSWORD:
      title = _("Reset Password");
      button = _("_Set Password");
      break;
    case BD_STAFF_DIALOG_NEW:
    default:
      title = _("New Staff User");
      button = _("_Create User");
      break;
    }
  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_window_set_default_size (GTK_WINDOW (self), 520, -1);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);

  if (self->username != NULL)
    {
      g_autofree char *description = g_strdup_printf ("%s (%s)", display_name != NULL ? display_name : "",
                                                      self->username);

      adw_preferences_group_set_description (group, description);
    }
  if (self->mode == BD_STAFF_DIALOG_NEW)
    self->username_row = entry_row (group, _("User name (a–z, digits, . _ -)"));
  if (self->mode != BD_STAFF_DIALOG_PASSWORD)
    {
      g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

      self->name_row = entry_row (group, _("Full name"));
      if (display_name != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->name_row), display_name);
      for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
        gtk_string_list_append (names, bd_role_label (roles[i]));
      self->role_row = ADW_COMBO_ROW (adw_combo_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->role_row), _("Role"));
      adw_combo_row_set_model (self->role_row, G_LIST_MODEL (names));
      if (user != NULL && json_object_has_member (user, "role"))
        {
          BdRole role = BD_ROLE_OPERATOR;

          bd_role_from_string (json_object_get_string_member (user, "role"), &role);
          for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
            if (roles[i] == role)
              adw_combo_row_set_selected (self->role_row, i);
        }
      adw_preferences_group_add (group, GTK_WIDGET (self->role_row));
    }
  if (self->mode == BD_STAFF_DIALOG_EDIT)
    {
      g_autoptr(GString) zones = g_string_new (NULL);
      JsonArray *granted = user != NULL && json_object_has_member (user, "zones")
                           ? json_object_get_array_member (user, "zones") : NULL;

      for (guint i = 0; granted != NULL && i < json_array_get_length (granted); i++)
        g_string_append_printf (zones, "%s%s", i > 0 ? ", " : "", json_array_get_string_element (granted, i));
      self->zones_row = entry_row (group, _("Other zones this person may sign in to (codes, comma-separated)"));
      gtk_editable_set_text (GTK_EDITABLE (self->zones_row), zones->str);
    }
  if (self->mode != BD_STAFF_DIALOG_EDIT)
    {
      g_autofree char *hint = g_strdup_printf (_("At least %d characters; a few unrelated words are easy to remember and hard to guess. Tell it to the person directly, never by SMS or e-mail."),
                                               BD_STAFF_PASSWORD_MIN_CHARS);

      adw_preferences_group_set_description (actions, hint);
      self->password_row = password_row (group, self->mode == BD_STAFF_DIALOG_NEW ? _("First password")
                                                                                  : _("New password"));
      self->confirm_row = password_row (group, _("The password again"));
    }
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), group);

  self->save_button = GTK_BUTTON (bd_mnemonic_button_new (button));
  gtk_widget_add_css_class (GTK_WIDGET (self->save_button), "suggested-action");
  gtk_widget_add_css_class (GTK_WIDGET (self->save_button), "pill");
  gtk_widget_set_halign (GTK_WIDGET (self->save_button), GTK_ALIGN_CENTER);
  adw_preferences_group_add (actions, GTK_WIDGET (self->save_button));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), actions);

  self->toast_overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toast_overlay, page);
  gtk_widget_set_vexpand (GTK_WIDGET (self->toast_overlay), TRUE);
  gtk_box_append (GTK_BOX (content), header);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->toast_overlay));
  adw_window_set_content (ADW_WINDOW (self), content);

  if (self->username_row != NULL)
    g_signal_connect_swapped (self->username_row, "changed", G_CALLBACK (on_changed_cb), self);
  if (self->name_row != NULL)
    g_signal_connect_swapped (self->name_row, "changed", G_CALLBACK (on_changed_cb), self);
  if (self->zones_row != NULL)
    g_signal_connect_swapped (self->zones_row, "changed", G_CALLBACK (on_changed_cb), self);
  if (self->password_row != NULL)
    {
      g_signal_connect_swapped (self->password_row, "changed", G_CALLBACK (on_changed_cb), self);
      g_signal_connect_swapped (self->confirm_row, "changed", G_CALLBACK (on_changed_cb), self);
    }
  g_signal_connect_swapped (self->save_button, "clicked", G_CALLBACK (on_save_clicked_cb), self);
  on_changed_cb (self);
}

static void
bd_staff_dialog_dispose (GObject *object)
{
  BdStaffDialog *self = BD_STAFF_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_pointer (&self->username, g_free);

  G_OBJECT_CLASS (bd_staff_dialog_parent_class)->dispose (object);
}

static void
bd_staff_dialog_class_init (BdStaffDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = bd_staff_dialog_dispose;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  signals[SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
bd_staff_dialog_init (BdStaffDialog *self)
{
  self->cancellable = g_cancellable_new ();
}

BdStaffDialog *
bd_staff_dialog_new (GtkWindow         *parent,
                     BdClient          *client,
                     BdStaffDialogMode  mode,
                     JsonObject        *user)
{
  BdStaffDialog *self;

  g_return_val_if_fail (BD_IS_CLIENT (client), NULL);
  g_return_val_if_fail (mode == BD_STAFF_DIALOG_NEW || user != NULL, NULL);

  self = g_object_new (BD_TYPE_STAFF_DIALOG, "transient-for", parent, NULL);
  self->client = g_object_ref (client);
  self->mode = mode;
  if (user != NULL && json_object_has_member (user, "username"))
    self->username = g_strdup (json_object_get_string_member (user, "username"));
  build (self, user);
  return self;
}
