/* bd-sign-in-page.c: server address, user name and password.
 *
 * The page only collects and checks input; BdWindow does the signing in
 * when ::sign-in is emitted and reports back with show_error().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "bd-complaint-format.h"
#include "bd-sign-in-page.h"

struct _BdSignInPage
{
  AdwBin        parent_instance;

  AdwEntryRow  *server_row;
  AdwEntryRow  *username_row;
  AdwEntryRow  *password_row;
  AdwEntryRow  *zone_row;
  GtkLabel     *error_label;
  GtkSpinner   *spinner;
  GtkButton    *sign_in_button;

  gboolean      busy;
};

G_DEFINE_FINAL_TYPE (BdSignInPage, bd_sign_in_page, ADW_TYPE_BIN)

enum {
  SIGNAL_SIGN_IN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
dup_stripped (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static gboolean
is_blank (AdwEntryRow *row)
{
  g_autofree char *text = dup_stripped (row);

  return *text == '\0';
}

static void
update_sensitivity (BdSignInPage *self)
{
  gboolean filled = !is_blank (self->server_row) &&
                    !is_blank (self->username_row) &&
                    *gtk_editable_get_text (GTK_EDITABLE (self->password_row)) != '\0';

  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_in_button), filled && !self->busy);
}

static void
set_row_error (AdwEntryRow *row,
               gboolean     invalid)
{
  if (invalid)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (row),
                               GTK_ACCESSIBLE_STATE_INVALID,
                               invalid ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);
}

static void
set_message (BdSignInPage *self,
             const char   *message)
{
  gboolean shown = message != NULL && *message != '\0';

  gtk_label_set_text (self->error_label, shown ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), shown);
  /* Screen readers announce the alert by its name, so keep it in step. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->error_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, shown ? message : "",
                                  -1);
}

/* Returns a translated message for the first invalid field, or NULL. */
static const char *
validate (BdSignInPage  *self,
          AdwEntryRow  **out_row)
{
  g_autofree char *server = dup_stripped (self->server_row);
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (*server == '\0')
    {
      *out_row = self->server_row;
      return _("Enter the server address, for example http://127.0.0.1:8912.");
    }

  uri = g_uri_parse (server, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL ||
      (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      *out_row = self->server_row;
      return _("The server address must start with http:// or https://, for example http://127.0.0.1:8912.");
    }

  if (is_blank (self->username_row))
    {
      *out_row = self->username_row;
      return _("Enter your user name.");
    }

  if (*gtk_editable_get_text (GTK_EDITABLE (self->password_row)) == '\0')
    {
      *out_row = self->password_row;
      return _("Enter your password.");
    }

  /* Zone codes are short: letters, digits and dashes ("LKO-E"). */
  {
    g_autofree char *zone = dup_stripped (self->zone_row);
    gsize length = strlen (zone);

    for (gsize i = 0; i < length; i++)
      if (!g_ascii_isalnum (zone[i]) && zone[i] != '-')
        length = 0;
    if (*zone != '\0' && (length < 2 || length > 16))
      {
        *out_row = self->zone_row;
        return _("A zone code has 2 to 16 letters, digits and dashes, for example LKO-E. Leave it empty for your own zone.");
      }
  }

  *out_row = NULL;
  return NULL;
}

static void
on_field_changed_cb (BdSignInPage *self,
                     GtkEditable  *editable)
{
  if (gtk_widget_has_css_class (GTK_WIDGET (editable), "error"))
    set_row_error (ADW_ENTRY_ROW (editable), FALSE);
  update_sensitivity (self);
}

static void
on_entry_activated_cb (BdSignInPage *self,
                       AdwEntryRow  *row)
{
  bd_sign_in_page_submit (self);
}

static void
on_sign_in_clicked_cb (BdSignInPage *self,
                       GtkButton    *button)
{
  bd_sign_in_page_submit (self);
}

static void
bd_sign_in_page_map (GtkWidget *widget)
{
  BdSignInPage *self = BD_SIGN_IN_PAGE (widget);
  GtkRoot *root;

  GTK_WIDGET_CLASS (bd_sign_in_page_parent_class)->map (widget);

  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_default_widget (GTK_WINDOW (root), GTK_WIDGET (self->sign_in_button));
}

static void
bd_sign_in_page_class_init (BdSignInPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->map = bd_sign_in_page_map;

  /**
   * BdSignInPage::sign-in:
   * @server_url: the server address, trimmed
   * @username: the user name, trimmed
   * @password: the password as typed
   *
   * The fields are filled and valid; the receiver should sign in.
   */
  signals[SIGNAL_SIGN_IN] =
    g_signal_new ("sign-in",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4,
                  G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/bijlidesk/BijliDesk/ui/bd-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BdSignInPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, BdSignInPage, username_row);
  gtk_widget_class_bind_template_child (widget_class, BdSignInPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, BdSignInPage, zone_row);
  gtk_widget_class_bind_template_child (widget_class, BdSignInPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, BdSignInPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, BdSignInPage, sign_in_button);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_in_clicked_cb);
}

static void
bd_sign_in_page_init (BdSignInPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  bd_password_row_name_toggle (GTK_WIDGET (self->password_row));

  update_sensitivity (self);
}

GtkWidget *
bd_sign_in_page_new (void)
{
  return g_object_new (BD_TYPE_SIGN_IN_PAGE, NULL);
}

void
bd_sign_in_page_prefill (BdSignInPage *self,
                         const char   *server_url,
                         const char   *username)
{
  g_return_if_fail (BD_IS_SIGN_IN_PAGE (self));

  if (server_url != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->server_row), server_url);
  if (username != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->username_row), username);
}

void
bd_sign_in_page_set_zone (BdSignInPage *self,
                          const char   *zone)
{
  g_return_if_fail (BD_IS_SIGN_IN_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->zone_row), zone != NULL ? zone : "");
}

void
bd_sign_in_page_set_password (BdSignInPage *self,
                              const char   *password)
{
  g_return_if_fail (BD_IS_SIGN_IN_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), password != NULL ? password : "");
}

gboolean
bd_sign_in_page_submit (BdSignInPage *self)
{
  g_autofree char *server = NULL;
  g_autofree char *username = NULL;
  g_autofree char *zone = NULL;
  AdwEntryRow *invalid_row = NULL;
  const char *message;

  g_return_val_if_fail (BD_IS_SIGN_IN_PAGE (self), FALSE);

  if (self->busy)
    return FALSE;

  message = validate (self, &invalid_row);
  if (message != NULL)
    {
      set_message (self, message);
      set_row_error (invalid_row, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (invalid_row));
      return FALSE;
    }

  set_message (self, NULL);
  server = dup_stripped (self->server_row);
  username = dup_stripped (self->username_row);
  zone = g_ascii_strup (gtk_editable_get_text (GTK_EDITABLE (self->zone_row)), -1);
  g_strstrip (zone);
  g_signal_emit (self, signals[SIGNAL_SIGN_IN], 0,
                 server, username,
                 gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                 *zone != '\0' ? zone : NULL);

  return TRUE;
}

void
bd_sign_in_page_set_busy (BdSignInPage *self,
                          gboolean      busy)
{
  g_return_if_fail (BD_IS_SIGN_IN_PAGE (self));

  busy = !!busy;
  if (self->busy == busy)
    return;

  self->busy = busy;
  if (busy)
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

      /* A text field that turns insensitive while focused never gets its
       * focus-out; move the focus away first. */
      if (root != NULL)
        gtk_root_set_focus (root, NULL);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->server_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->username_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->zone_row), !busy);
  update_sensitivity (self);
}

void
bd_sign_in_page_show_error (BdSignInPage *self,
                            const char   *message)
{
  g_return_if_fail (BD_IS_SIGN_IN_PAGE (self));

  set_message (self, message);
  if (message == NULL)
    return;

  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
  gtk_editable_select_region (GTK_EDITABLE (self->password_row), 0, -1);
}

const char *
bd_sign_in_page_get_error_message (BdSignInPage *self)
{
  g_return_val_if_fail (BD_IS_SIGN_IN_PAGE (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;

  return gtk_label_get_text (self->error_label);
}

void
bd_sign_in_page_clear_password (BdSignInPage *self)
{
  g_return_if_fail (BD_IS_SIGN_IN_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
}

void
bd_sign_in_page_focus_first_empty (BdSignInPage *self)
{
  g_return_if_fail (BD_IS_SIGN_IN_PAGE (self));

  if (is_blank (self->server_row))
    gtk_widget_grab_focus (GTK_WIDGET (self->server_row));
  else if (is_blank (self->username_row))
    gtk_widget_grab_focus (GTK_WIDGET (self->username_row));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

GtkWidget *
bd_sign_in_page_get_sign_in_button (BdSignInPage *self)
{
  g_return_val_if_fail (BD_IS_SIGN_IN_PAGE (self), NULL);

  return GTK_WIDGET (self->sign_in_button);
}
