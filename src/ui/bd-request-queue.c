/* bd-request-queue.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-codec.h"
#include "core/bd-time.h"

#include "bd-complaint-format.h"
#include "bd-request-dialog.h"
#include "bd-request-queue.h"
#include "bd-requests-panel.h"

/* The filter's choices, in the drop-down's order; NULL is every state. */
static const char * const filter_states[] = {
  "pending_approval", "scheduled", "executing", "field_task", "failed", "done", "rejected", NULL,
};

struct _BdRequestQueue
{
  AdwWindow        parent_instance;

  BdApplication   *app;
  GCancellable    *cancellable;
  GPtrArray       *shown;       /* BdStoredRequest */
  GPtrArray       *rows;
  GPtrArray       *checks;      /* GtkToggleButton per row */
  BdPushWorker    *watched_worker;

  GtkDropDown     *filter;
  AdwPreferencesGroup *group;
  GtkLabel        *summary;
  GtkButton       *approve_button;
  GtkButton       *reject_button;
  GtkButton       *reschedule_button;
  AdwToastOverlay *toast_overlay;
};

G_DEFINE_FINAL_TYPE (BdRequestQueue, bd_request_queue, ADW_TYPE_WINDOW)

static const char *
selected_state (BdRequestQueue *self)
{
  guint i = gtk_drop_down_get_selected (self->filter);
  return i < G_N_ELEMENTS (filter_states) ? filter_states[i] : NULL;
}

static void
toast (BdRequestQueue *self,
       const char     *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static void
update_buttons (BdRequestQueue *self)
{
  guint n = 0;

  for (guint i = 0; i < self->checks->len; i++)
    n += gtk_toggle_button_get_active (g_ptr_array_index (self->checks, i)) ? 1 : 0;
  gtk_widget_set_sensitive (GTK_WIDGET (self->approve_button), n > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->reject_button), n > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->reschedule_button), n > 0);
}

/* A toggle button, not a check box: GTK 4.8 gives check boxes no action
 * on the accessibility bus, so they could not be ticked from there. */
static void
on_check_toggled_cb (GtkToggleButton *check,
                     BdRequestQueue  *self)
{
  gtk_button_set_icon_name (GTK_BUTTON (check), gtk_toggle_button_get_active (check) ? "object-select-symbolic"
                                                                                     : "radio-symbolic");
  update_buttons (self);
}

static void
show (BdRequestQueue *self)
{
  const char *state = selected_state (self);
  BdConsumerStore *store = bd_application_get_store (self->app);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  guint pending = 0, scheduled = 0, field = 0;

  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->group, g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);
  g_ptr_array_set_size (self->checks, 0);
  g_ptr_array_set_size (self->shown, 0);
  if (store == NULL)
    return;
  all = bd_consumer_store_list_requests (store, NULL, 2000, &error);
  if (all == NULL)
    {
      toast (self, error->message);
      return;
    }
  for (guint i = 0; i < all->len; i++)
    {
      BdStoredRequest *stored = g_ptr_array_index (all, i);
      BdDisconnection *r = stored->request;

      pending += r->status == BD_REQUEST_PENDING_APPROVAL;
      scheduled += r->status == BD_REQUEST_SCHEDULED || r->status == BD_REQUEST_EXECUTING;
      field += r->status == BD_REQUEST_FIELD_TASK;
      if (state != NULL && g_strcmp0 (bd_request_status_to_string (r->status), state) != 0)
        continue;
      g_ptr_array_add (self->shown, g_steal_pointer (&g_ptr_array_index (all, i)));
    }
  {
    /* Translators: the queue's counts. */
    g_autofree char *text = g_strdup_printf (_("%u waiting for approval · %u scheduled · %u field tasks"),
                                             pending, scheduled, field);
    gtk_label_set_text (self->summary, text);
  }
  if (self->shown->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No requests in this state"));
      adw_preferences_group_add (self->group, row);
      g_ptr_array_add (self->rows, row);
    }
  for (guint i = 0; i < self->shown->len; i++)
    {
      BdStoredRequest *stored = g_ptr_array_index (self->shown, i);
      BdDisconnection *r = stored->request;
      g_autofree char *title = g_strdup_printf ("%s · %s · %s", r->number, bd_request_kind_label (r->kind), r->account);
      g_autofree char *line = bd_stored_request_describe (stored);
      g_autoptr(GString) subtitle = g_string_new (line);
      g_autofree char *select = g_strdup_printf (_("Select request %s"), r->number);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_toggle_button_new ();

      g_string_append_printf (subtitle, "\n%s", r->reason);
      for (guint g = 0; g < r->guards->len; g++)
        {
          const BdGuard *guard = g_ptr_array_index (r->guards, g);
          if (guard->verdict != BD_GUARD_PASS)
            g_string_append_printf (subtitle, "\n• %s", guard->message);
        }
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_button_set_icon_name (GTK_BUTTON (check), "radio-symbolic");
      gtk_widget_add_css_class (check, "flat");
      gtk_widget_set_tooltip_text (check, select);
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, select, -1);
      gtk_widget_set_sensitive (check, !g_str_has_prefix (r->id, "local-") && bd_request_status_is_open (r->status));
      g_signal_connect (check, "toggled", G_CALLBACK (on_check_toggled_cb), self);
      /* Not the row's activatable widget: GTK 4.8 would then read the row's
       * title into the box's name as well. */
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_preferences_group_add (self->group, row);
      g_ptr_array_add (self->rows, row);
      g_ptr_array_add (self->checks, check);
    }
  update_buttons (self);
}

static void
on_fetched_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  BdRequestQueue *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = bd_client_send_json_finish (BD_CLIENT (source), result, NULL, &error);
  BdConsumerStore *store = bd_application_get_store (self->app);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_disconnection_free);
  JsonArray *array;

  if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED))
    return;
  if (answer == NULL || store == NULL || !JSON_NODE_HOLDS_OBJECT (answer))
    {
      if (error != NULL)
        {
          g_autofree char *text = g_strdup_printf (_("Showing the copy on this desk: %s"), error->message);
          toast (self, text);
        }
      show (self);
      return;
    }
  array = json_object_get_array_member (json_node_get_object (answer), "requests");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      BdDisconnection *r = bd_disconnection_from_json (json_array_get_element (array, i), NULL);
      if (r != NULL)
        g_ptr_array_add (list, r);
    }
  if (!bd_consumer_store_apply_requests (store, list, &error))
    toast (self, error->message);
  show (self);
}

void
bd_request_queue_reload (BdRequestQueue *self)
{
  BdClient *client;

  g_return_if_fail (BD_IS_REQUEST_QUEUE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  show (self);
  client = bd_application_is_offline_session (self->app) ? NULL : bd_application_get_client (self->app);
  if (client == NULL)
    return;
  self->cancellable = g_cancellable_new ();
  bd_client_send_json_async (client, "GET", "/api/v1/disconnections?limit=500", NULL, NULL, self->cancellable,
                             on_fetched_cb, self);
}

static void
on_item_changed_cb (BdPushWorker   *worker,
                    gint64          seq,
                    BdOutboxState   state,
                    BdRequestQueue *self)
{
  if (state == BD_OUTBOX_STATE_DONE || state == BD_OUTBOX_STATE_REJECTED)
    bd_request_queue_reload (self);
}

/* Queues action on every selected request; returns how many. */
static guint
act_on_selected (BdRequestQueue  *self,
                 BdRequestAction  action,
                 const char      *note,
                 gint64           to)
{
  BdConsumerStore *store = bd_application_get_store (self->app);
  BdSession *session = bd_application_get_session (self->app);
  BdPushWorker *worker = bd_application_get_push_worker (self->app);
  guint queued = 0;

  for (guint i = 0; i < self->checks->len && i < self->shown->len; i++)
    {
      BdStoredRequest *stored = g_ptr_array_index (self->shown, i);
      g_autoptr(GError) error = NULL;

      if (!gtk_toggle_button_get_active (g_ptr_array_index (self->checks, i)))
        continue;
      if (bd_consumer_store_queue_request_action (store, stored->request, action, note, to,
                                                  bd_session_get_username (session), &error) < 0)
        {
          g_autofree char *text = g_strdup_printf ("%s: %s", stored->request->number, error->message);
          toast (self, text);
          continue;
        }
      queued++;
    }
  if (worker != NULL)
    bd_push_worker_kick (worker);
  {
    g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u request sent for a decision",
                                                          "%u requests sent for a decision", queued), queued);
    toast (self, text);
  }
  show (self);
  return queued;
}

static void
on_approve_clicked_cb (GtkButton      *button,
                       BdRequestQueue *self)
{
  act_on_selected (self, BD_REQUEST_ACTION_APPROVE, NULL, 0);
}

typedef struct {
  BdRequestQueue  *self;
  BdRequestAction  action;
  GtkEditable     *entry;
} Ask;

static void
on_ask_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    Ask              *ask)
{
  if (g_strcmp0 (response, "apply") == 0)
    {
      const char *text = gtk_editable_get_text (ask->entry);
      g_autoptr(GError) error = NULL;
      gint64 to = 0;

      if (ask->action == BD_REQUEST_ACTION_RESCHEDULE)
        {
          if (!bd_request_parse_when (text, &to, &error))
            toast (ask->self, error->message);
          else
            act_on_selected (ask->self, ask->action, NULL, to);
        }
      else if (text == NULL || *g_strstrip (g_strdup (text)) == '\0')
        toast (ask->self, _("A rejection needs a reason; nothing was sent."));
      else
        act_on_selected (ask->self, ask->action, text, 0);
    }
  g_object_unref (ask->self);
  g_free (ask);
}

static void
ask (BdRequestQueue  *self,
     BdRequestAction  action)
{
  gboolean reject = action == BD_REQUEST_ACTION_REJECT;
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self),
                                              reject ? _("Reject the Selected Requests?")
                                                     : _("Move the Selected Requests?"),
                                              reject ? _("The reason is recorded and shown to the operator who made the request.")
                                                     : _("Each goes to the earliest time the rules allow at or after the new time."));
  GtkWidget *entry = gtk_entry_new ();
  Ask *data = g_new0 (Ask, 1);

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), reject ? _("Reason") : _("DD-MM-YYYY HH:MM"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  reject ? _("Reason for rejecting") : _("New time"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "apply", reject ? _("_Reject") : _("_Move"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "apply",
                                              reject ? ADW_RESPONSE_DESTRUCTIVE : ADW_RESPONSE_SUGGESTED);
  data->self = g_object_ref (self);
  data->action = action;
  data->entry = GTK_EDITABLE (entry);
  g_signal_connect (dialog, "response", G_CALLBACK (on_ask_response_cb), data);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_reject_clicked_cb (GtkButton      *button,
                      BdRequestQueue *self)
{
  ask (self, BD_REQUEST_ACTION_REJECT);
}

static void
on_reschedule_clicked_cb (GtkButton      *button,
                          BdRequestQueue *self)
{
  ask (self, BD_REQUEST_ACTION_RESCHEDULE);
}

gboolean
bd_request_queue_export (BdRequestQueue  *self,
                         const char      *path,
                         GError         **error)
{
  g_autoptr(GPtrArray) requests = g_ptr_array_new ();
  g_autofree char *csv = NULL;

  for (guint i = 0; i < self->shown->len; i++)
    g_ptr_array_add (requests, ((BdStoredRequest *) g_ptr_array_index (self->shown, i))->request);
  csv = bd_disconnection_csv (requests);
  return g_file_set_contents (path, csv, -1, error);
}

static void
on_export_response_cb (GtkNativeDialog *chooser,
                       int              response,
                       BdRequestQueue  *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (!bd_request_queue_export (self, path, &error))
        toast (self, error->message);
      else
        toast (self, _("The queue was saved as CSV."));
    }
  g_object_unref (chooser);
}

static void
on_export_clicked_cb (GtkButton      *button,
                      BdRequestQueue *self)
{
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Export Requests"), GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));

  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "disconnection-requests.csv");
  g_signal_connect (chooser, "response", G_CALLBACK (on_export_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_filter_changed_cb (GObject        *object,
                      GParamSpec     *pspec,
                      BdRequestQueue *self)
{
  show (self);
}

static void
on_refresh_clicked_cb (GtkButton      *button,
                       BdRequestQueue *self)
{
  bd_request_queue_reload (self);
}

static void
bd_request_queue_dispose (GObject *object)
{
  BdRequestQueue *self = BD_REQUEST_QUEUE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->watched_worker != NULL)
    g_signal_handlers_disconnect_by_data (self->watched_worker, self);
  g_clear_object (&self->watched_worker);
  g_clear_object (&self->app);
  g_clear_pointer (&self->shown, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->checks, g_ptr_array_unref);

  G_OBJECT_CLASS (bd_request_queue_parent_class)->dispose (object);
}

static void
bd_request_queue_class_init (BdRequestQueueClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = bd_request_queue_dispose;
}

static void
bd_request_queue_init (BdRequestQueue *self)
{
  self->shown = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_stored_request_free);
  self->rows = g_ptr_array_new ();
  self->checks = g_ptr_array_new ();
}

BdRequestQueue *
bd_request_queue_new (BdApplication *app,
                      GtkWindow     *parent)
{
  BdRequestQueue *self = g_object_new (BD_TYPE_REQUEST_QUEUE, "transient-for", parent, NULL);
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *body = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *refresh = gtk_button_new_from_icon_name ("view-refresh-symbolic");
  GtkWidget *export = bd_mnemonic_button_new (_("_Export CSV…"));
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  self->app = g_object_ref (app);
  gtk_window_set_title (GTK_WINDOW (self), _("Disconnection Requests"));
  gtk_window_set_default_size (GTK_WINDOW (self), 900, 700);
  for (guint i = 0; i < G_N_ELEMENTS (filter_states); i++)
    {
      BdRequestStatus status;
      if (filter_states[i] != NULL && bd_request_status_from_string (filter_states[i], &status))
        gtk_string_list_append (names, bd_request_status_label (status));
      else
        gtk_string_list_append (names, _("All states"));
    }
  self->filter = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (names)), NULL));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->filter), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Show requests"), -1);
  g_signal_connect (self->filter, "notify::selected", G_CALLBACK (on_filter_changed_cb), self);
  gtk_widget_set_tooltip_text (refresh, _("Fetch the queue again"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (refresh), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Refresh queue"), -1);
  g_signal_connect (refresh, "clicked", G_CALLBACK (on_refresh_clicked_cb), self);
  g_signal_connect (export, "clicked", G_CALLBACK (on_export_clicked_cb), self);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), GTK_WIDGET (self->filter));
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), refresh);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), export);

  self->summary = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->summary, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->summary), "dim-label");
  self->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  self->approve_button = GTK_BUTTON (bd_mnemonic_button_new (_("_Approve Selected")));
  gtk_widget_add_css_class (GTK_WIDGET (self->approve_button), "suggested-action");
  self->reject_button = GTK_BUTTON (bd_mnemonic_button_new (_("_Reject Selected…")));
  gtk_widget_add_css_class (GTK_WIDGET (self->reject_button), "destructive-action");
  self->reschedule_button = GTK_BUTTON (bd_mnemonic_button_new (_("Mo_ve Selected…")));
  g_signal_connect (self->approve_button, "clicked", G_CALLBACK (on_approve_clicked_cb), self);
  g_signal_connect (self->reject_button, "clicked", G_CALLBACK (on_reject_clicked_cb), self);
  g_signal_connect (self->reschedule_button, "clicked", G_CALLBACK (on_reschedule_clicked_cb), self);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->approve_button));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->reject_button));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->reschedule_button));

  gtk_box_append (GTK_BOX (body), GTK_WIDGET (self->summary));
  gtk_box_append (GTK_BOX (body), bar);
  gtk_box_append (GTK_BOX (body), GTK_WIDGET (self->group));
  gtk_widget_set_margin_top (body, 12);
  gtk_widget_set_margin_bottom (body, 24);
  gtk_widget_set_margin_start (body, 12);
  gtk_widget_set_margin_end (body, 12);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 1000);
  adw_clamp_set_child (ADW_CLAMP (clamp), body);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_widget_set_vexpand (scroller, TRUE);
  self->toast_overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toast_overlay, scroller);
  gtk_box_append (GTK_BOX (content), header);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->toast_overlay));
  adw_window_set_content (ADW_WINDOW (self), content);

  if (bd_application_get_push_worker (app) != NULL)
    {
      self->watched_worker = g_object_ref (bd_application_get_push_worker (app));
      g_signal_connect (self->watched_worker, "item-changed", G_CALLBACK (on_item_changed_cb), self);
    }
  bd_request_queue_reload (self);
  return self;
}
