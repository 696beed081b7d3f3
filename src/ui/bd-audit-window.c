/* bd-audit-window.c: the audit log, read from bijli-central.
 *
 * The log lives on the server (it is the record of what every desk did),
 * so this needs the server; it shows each entry with who, role, when, what
 * and the masked before/after, pages back with "Older Entries", and saves
 * what is on show as CSV.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/bd-codec.h"
#include "core/bd-time.h"

#include "bd-audit-window.h"
#include "bd-complaint-format.h"

#define PAGE_SIZE 200

struct _BdAuditWindow
{
  AdwWindow        parent_instance;

  BdApplication   *app;
  GCancellable    *cancellable;
  GPtrArray       *entries;       /* JsonObject, as shown */
  gint64           next_before;   /* 0: no older page */

  AdwToastOverlay *toast_overlay;
  GtkSearchEntry  *target;
  GtkListBox      *list;
  GtkLabel        *count;
  GtkWidget       *older_button;
};

G_DEFINE_FINAL_TYPE (BdAuditWindow, bd_audit_window, ADW_TYPE_WINDOW)

static void load (BdAuditWindow *self,
                  gboolean       more);

static char *
describe_detail (JsonObject *entry)
{
  JsonNode *node = json_object_get_member (entry, "detail");
  JsonObject *detail;
  g_autoptr(GString) out = g_string_new (NULL);
  const char *field, *from, *to, *note;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  detail = json_node_get_object (node);
  field = json_object_get_string_member_with_default (detail, "field", NULL);
  from = json_object_get_string_member_with_default (detail, "from", NULL);
  to = json_object_get_string_member_with_default (detail, "to", NULL);
  note = json_object_get_string_member_with_default (detail, "note", NULL);
  if (field != NULL)
    /* Translators: a field, its old and new value (already masked), e.g. "mobile: 98XXXXXX10 → 97XXXXXX21". */
    g_string_append_printf (out, _("%s: %s → %s"), field, from != NULL ? from : "—", to != NULL ? to : "—");
  else if (from != NULL && to != NULL)
    g_string_append_printf (out, _("%s: %s → %s"), _("status"), from, to);
  if (note != NULL)
    g_string_append_printf (out, "%s%s", out->len > 0 ? " · " : "", note);
  return out->len > 0 ? g_strdup (out->str) : NULL;
}

static GtkWidget *
entry_row (JsonObject *entry)
{
  g_autofree char *at = NULL;
  g_autofree char *seq = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *detail = describe_detail (entry);
  const char *target = json_object_get_string_member_with_default (entry, "target", NULL);
  const char *role = json_object_get_string_member_with_default (entry, "role", "");
  gint64 when = 0;
  GtkWidget *row = adw_action_row_new ();

  bd_time_from_iso8601 (json_object_get_string_member_with_default (entry, "at", ""), &when);
  at = bd_time_format_ist (when);
  seq = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member_with_default (entry, "seq", 0));
  /* Translators: entry number, what was done, about which account or complaint. */
  title = g_strdup_printf (_("#%s · %s · %s"), seq,
                           json_object_get_string_member_with_default (entry, "action", ""),
                           target != NULL ? target : "—");
  /* Translators: who (their role), when; then what changed. */
  subtitle = detail != NULL
               ? g_strdup_printf (_("%s (%s), %s\n%s"), json_object_get_string_member_with_default (entry, "by", ""),
                                  *role != '\0' ? role : "—", at != NULL ? at : "", detail)
               : g_strdup_printf (_("%s (%s), %s"), json_object_get_string_member_with_default (entry, "by", ""),
                                  *role != '\0' ? role : "—", at != NULL ? at : "");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  return row;
}

static void
on_page_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  BdAuditWindow *self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = bd_client_send_json_finish (BD_CLIENT (source), result, NULL, &error);
  g_autofree char *count = NULL;
  JsonObject *object;
  JsonArray *entries;
  JsonNode *next;

  if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED))
    return;
  self = BD_AUDIT_WINDOW (user_data);
  if (answer == NULL || !JSON_NODE_HOLDS_OBJECT (answer) ||
      !json_object_has_member (json_node_get_object (answer), "entries"))
    {
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (error != NULL ? error->message
                                                                : _("The server’s answer could not be read.")));
      return;
    }
  object = json_node_get_object (answer);
  entries = json_object_get_array_member (object, "entries");
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);

      if (entry == NULL)
        continue;
      g_ptr_array_add (self->entries, json_object_ref (entry));
      gtk_list_box_append (self->list, entry_row (entry));
    }
  next = json_object_get_member (object, "next_before");
  self->next_before = next != NULL && JSON_NODE_HOLDS_VALUE (next) ? json_node_get_int (next) : 0;
  gtk_widget_set_sensitive (self->older_button, self->next_before > 0);
  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u entry shown", "%u entries shown",
                                        self->entries->len), self->entries->len);
  gtk_label_set_text (self->count, count);
}

static void
load (BdAuditWindow *self,
      gboolean       more)
{
  BdClient *client = bd_application_get_client (self->app);
  g_autoptr(GString) path = g_string_new ("/api/v1/audit?limit=" G_STRINGIFY (PAGE_SIZE));
  const char *target = gtk_editable_get_text (GTK_EDITABLE (self->target));
  GtkWidget *child;

  if (client == NULL || bd_application_is_offline_session (self->app))
    {
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (_("The audit log is kept on the server. Open it when the desk is online.")));
      return;
    }
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (!more)
    {
      g_ptr_array_set_size (self->entries, 0);
      while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
        gtk_list_box_remove (self->list, child);
    }
  if (target != NULL && *target != '\0')
    {
      g_autofree char *escaped = g_uri_escape_string (target, NULL, FALSE);

      g_string_append_printf (path, "&target=%s", escaped);
    }
  if (more && self->next_before > 0)
    g_string_append_printf (path, "&before=%" G_GINT64_FORMAT, self->next_before);
  /* Cancelled at dispose: the answer never reaches a dead window. */
  bd_client_send_json_async (client, "GET", path->str, NULL, NULL, self->cancellable, on_page_cb, self);
}

static void
on_target_changed_cb (BdAuditWindow *self)
{
  load (self, FALSE);
}

static void
on_older_clicked_cb (BdAuditWindow *self)
{
  load (self, TRUE);
}

static void
csv_cell (GString    *out,
          const char *text,
          gboolean    last)
{
  g_string_append_c (out, '"');
  if (text != NULL && (*text == '=' || *text == '+' || *text == '-' || *text == '@'))
    g_string_append_c (out, '\'');
  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append (out, last ? "\"\r\n" : "\",");
}

static void
on_export_response_cb (GtkNativeDialog *chooser,
                       int              response,
                       BdAuditWindow   *self)
{
  g_autoptr(GString) out = g_string_new ("seq,at,by,role,action,target,detail,hash\r\n");
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      for (guint i = 0; i < self->entries->len; i++)
        {
          JsonObject *entry = g_ptr_array_index (self->entries, i);
          g_autofree char *seq = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member_with_default (entry, "seq", 0));
          g_autofree char *detail = describe_detail (entry);

          csv_cell (out, seq, FALSE);
          csv_cell (out, json_object_get_string_member_with_default (entry, "at", NULL), FALSE);
          csv_cell (out, json_object_get_string_member_with_default (entry, "by", NULL), FALSE);
          csv_cell (out, json_object_get_string_member_with_default (entry, "role", NULL), FALSE);
          csv_cell (out, json_object_get_string_member_with_default (entry, "action", NULL), FALSE);
          csv_cell (out, json_object_get_string_member_with_default (entry, "target", NULL), FALSE);
          csv_cell (out, detail, FALSE);
          csv_cell (out, json_object_get_string_member_with_default (entry, "hash", NULL), TRUE);
        }
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      if (!g_file_replace_contents (file, out->str, out->len, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, NULL, &error))
        adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      else
        adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("The entries on show were saved as CSV.")));
    }
  g_object_unref (chooser);
}

static void
on_export_clicked_cb (BdAuditWindow *self)
{
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Export Audit Log"), GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));

  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "audit-log.csv");
  g_signal_connect (chooser, "response", G_CALLBACK (on_export_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
bd_audit_window_dispose (GObject *object)
{
  BdAuditWindow *self = BD_AUDIT_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_object (&self->app);

  G_OBJECT_CLASS (bd_audit_window_parent_class)->dispose (object);
}

static void
bd_audit_window_class_init (BdAuditWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = bd_audit_window_dispose;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
bd_audit_window_init (BdAuditWindow *self)
{
  GtkWidget *toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *body = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *export = bd_mnemonic_button_new (_("_Export CSV…"));

  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  gtk_window_set_title (GTK_WINDOW (self), _("Audit Log"));
  gtk_window_set_default_size (GTK_WINDOW (self), 900, 700);

  self->target = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_object_set (self->target, "placeholder-text", _("Account or complaint number"), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->target), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Show only entries about this account or complaint"), -1);
  g_signal_connect_swapped (self->target, "search-changed", G_CALLBACK (on_target_changed_cb), self);
  self->count = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->count, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->count), "dim-label");
  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Audit log entries"), -1);
  self->older_button = bd_mnemonic_button_new (_("_Older Entries"));
  gtk_widget_set_halign (self->older_button, GTK_ALIGN_CENTER);
  gtk_widget_set_sensitive (self->older_button, FALSE);
  g_signal_connect_swapped (self->older_button, "clicked", G_CALLBACK (on_older_clicked_cb), self);
  g_signal_connect_swapped (export, "clicked", G_CALLBACK (on_export_clicked_cb), self);

  gtk_widget_set_margin_top (body, 12);
  gtk_widget_set_margin_bottom (body, 12);
  gtk_widget_set_margin_start (body, 12);
  gtk_widget_set_margin_end (body, 12);
  gtk_box_append (GTK_BOX (body), GTK_WIDGET (self->target));
  gtk_box_append (GTK_BOX (body), GTK_WIDGET (self->count));
  gtk_box_append (GTK_BOX (body), GTK_WIDGET (self->list));
  gtk_box_append (GTK_BOX (body), self->older_button);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), body);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), export);
  gtk_box_append (GTK_BOX (toolbar), header);
  gtk_box_append (GTK_BOX (toolbar), scrolled);
  self->toast_overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toast_overlay, toolbar);
  adw_window_set_content (ADW_WINDOW (self), GTK_WIDGET (self->toast_overlay));
}

BdAuditWindow *
bd_audit_window_new (BdApplication *app,
                     GtkWindow     *parent)
{
  BdAuditWindow *self;

  g_return_val_if_fail (BD_IS_APPLICATION (app), NULL);

  self = g_object_new (BD_TYPE_AUDIT_WINDOW, "transient-for", parent, NULL);
  self->app = g_object_ref (app);
  load (self, FALSE);
  return self;
}
