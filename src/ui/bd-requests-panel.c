/* bd-requests-panel.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-codec.h"
#include "core/bd-time.h"

#include "bd-application.h"
#include "bd-complaint-format.h"
#include "bd-request-dialog.h"
#include "bd-requests-panel.h"

struct _BdRequestsPanel
{
  GtkBox               parent_instance;

  BdConsumer          *consumer;
  GCancellable        *cancellable;
  AdwPreferencesGroup *group;
  GPtrArray           *rows;
  GtkButton           *new_button;
  BdPushWorker        *watched_worker;
};

G_DEFINE_FINAL_TYPE (BdRequestsPanel, bd_requests_panel, GTK_TYPE_BOX)

static BdApplication *
get_app (BdRequestsPanel *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;

  return BD_IS_APPLICATION (app) ? BD_APPLICATION (app) : NULL;
}

char *
bd_stored_request_describe (const BdStoredRequest *stored)
{
  const BdDisconnection *r = stored->request;
  g_autofree char *when = bd_time_format_ist (r->scheduled_for > 0 ? r->scheduled_for : r->requested_for);
  const char *sending = NULL;

  if (stored->outbox_seq > 0)
    switch (stored->outbox_state)
      {
      case BD_OUTBOX_STATE_QUEUED:
      case BD_OUTBOX_STATE_SENDING:
        sending = _("queued on this desk — will be sent when online");
        break;
      case BD_OUTBOX_STATE_REJECTED:
      case BD_OUTBOX_STATE_CONFLICT:
        sending = stored->last_error != NULL ? stored->last_error : _("refused by the server");
        break;
      case BD_OUTBOX_STATE_DONE:
      default:
        break;
      }
  if (r->status == BD_REQUEST_DONE || r->status == BD_REQUEST_FAILED || r->status == BD_REQUEST_FIELD_TASK)
    /* Translators: "Done · The meter's relay opened: supply disconnected." */
    return g_strdup_printf ("%s · %s%s%s", bd_request_status_label (r->status), r->result != NULL ? r->result : "",
                            sending != NULL ? " · " : "", sending != NULL ? sending : "");
  /* Translators: "Scheduled · 25-11-2026 08:00 IST · queued on this desk…" */
  return g_strdup_printf ("%s · %s%s%s", bd_request_status_label (r->status), when != NULL ? when : "",
                          sending != NULL ? " · " : "", sending != NULL ? sending : "");
}

static void
show (BdRequestsPanel *self,
      GPtrArray       *list)
{
  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->group, g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);
  if (list == NULL || list->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No disconnection or reconnection requests"));
      adw_preferences_group_add (self->group, row);
      g_ptr_array_add (self->rows, row);
      return;
    }
  for (guint i = 0; i < list->len; i++)
    {
      BdStoredRequest *stored = g_ptr_array_index (list, i);
      g_autofree char *title = g_strdup_printf ("%s · %s", stored->request->number,
                                                bd_request_kind_label (stored->request->kind));
      g_autofree char *subtitle = bd_stored_request_describe (stored);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
      adw_preferences_group_add (self->group, row);
      g_ptr_array_add (self->rows, row);
    }
}

static void
load_local (BdRequestsPanel *self)
{
  BdApplication *app = get_app (self);
  BdConsumerStore *store = app != NULL ? bd_application_get_store (app) : NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->new_button), self->consumer != NULL && store != NULL &&
                            app != NULL && bd_application_is_counter_staff (app));
  if (store == NULL || self->consumer == NULL)
    {
      show (self, NULL);
      return;
    }
  list = bd_consumer_store_list_requests (store, bd_consumer_get_account (self->consumer), 50, &error);
  if (list == NULL)
    g_warning ("Cannot list the requests: %s", error->message);
  show (self, list);
}

static void
on_fetched_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(BdRequestsPanel) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = bd_client_send_json_finish (BD_CLIENT (source), result, NULL, &error);
  BdApplication *app = get_app (self);
  BdConsumerStore *store = app != NULL ? bd_application_get_store (app) : NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_disconnection_free);
  JsonArray *array;

  if (answer == NULL || store == NULL || !JSON_NODE_HOLDS_OBJECT (answer))
    return;
  array = json_object_get_array_member (json_node_get_object (answer), "requests");
  for (guint i = 0; array != NULL && i < json_array_get_length (array) && i < 500; i++)
    {
      BdDisconnection *r = bd_disconnection_from_json (json_array_get_element (array, i), NULL);
      if (r != NULL)
        g_ptr_array_add (list, r);
    }
  if (!bd_consumer_store_apply_requests (store, list, &error))
    g_warning ("Cannot keep the requests: %s", error->message);
  load_local (self);
}

static void
on_item_changed_cb (BdPushWorker    *worker,
                    gint64           seq,
                    BdOutboxState    state,
                    BdRequestsPanel *self)
{
  load_local (self);
}

void
bd_requests_panel_reload (BdRequestsPanel *self)
{
  BdApplication *app;
  BdClient *client;
  BdPushWorker *worker;

  g_return_if_fail (BD_IS_REQUESTS_PANEL (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  load_local (self);
  app = get_app (self);
  if (app == NULL || self->consumer == NULL)
    return;
  worker = bd_application_get_push_worker (app);
  if (worker != self->watched_worker)
    {
      if (self->watched_worker != NULL)
        g_signal_handlers_disconnect_by_data (self->watched_worker, self);
      g_set_object (&self->watched_worker, worker);
      if (worker != NULL)
        g_signal_connect (worker, "item-changed", G_CALLBACK (on_item_changed_cb), self);
    }
  client = bd_application_is_offline_session (app) ? NULL : bd_application_get_client (app);
  if (client != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/disconnections?account=%s",
                                               bd_consumer_get_account (self->consumer));

      self->cancellable = g_cancellable_new ();
      bd_client_send_json_async (client, "GET", path, NULL, NULL, self->cancellable, on_fetched_cb,
                                 g_object_ref (self));
    }
}

static void
on_queued_cb (BdRequestDialog *dialog,
              gpointer         stored,
              BdRequestsPanel *self)
{
  load_local (self);
}

void
bd_requests_panel_new_request (BdRequestsPanel *self)
{
  BdApplication *app = get_app (self);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  BdRequestDialog *dialog;

  g_return_if_fail (BD_IS_REQUESTS_PANEL (self));

  if (app == NULL || self->consumer == NULL || bd_application_get_store (app) == NULL ||
      bd_application_get_session (app) == NULL || !bd_application_is_counter_staff (app))
    return;
  dialog = bd_request_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, bd_application_get_store (app),
                                  bd_application_is_offline_session (app) ? NULL : bd_application_get_client (app),
                                  bd_application_get_push_worker (app), bd_application_get_session (app),
                                  self->consumer);
  g_signal_connect_object (dialog, "request-queued", G_CALLBACK (on_queued_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_new_clicked_cb (GtkButton       *button,
                   BdRequestsPanel *self)
{
  bd_requests_panel_new_request (self);
}

void
bd_requests_panel_set_consumer (BdRequestsPanel *self,
                                BdConsumer      *consumer)
{
  g_return_if_fail (BD_IS_REQUESTS_PANEL (self));

  g_set_object (&self->consumer, consumer);
  if (gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    bd_requests_panel_reload (self);
}

static void
bd_requests_panel_dispose (GObject *object)
{
  BdRequestsPanel *self = BD_REQUESTS_PANEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->watched_worker != NULL)
    g_signal_handlers_disconnect_by_data (self->watched_worker, self);
  g_clear_object (&self->watched_worker);
  g_clear_object (&self->consumer);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (bd_requests_panel_parent_class)->dispose (object);
}

static void
bd_requests_panel_class_init (BdRequestsPanelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = bd_requests_panel_dispose;
}

static void
bd_requests_panel_init (BdRequestsPanel *self)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  self->rows = g_ptr_array_new ();
  self->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->group, _("Disconnection and reconnection requests"));
  adw_preferences_group_set_description (self->group,
                                         _("A supervisor approves each request; the central system carries it out at the earliest time the rules allow."));
  self->new_button = GTK_BUTTON (bd_mnemonic_button_new (_("_New Request…")));
  gtk_widget_add_css_class (GTK_WIDGET (self->new_button), "suggested-action");
  gtk_widget_set_halign (GTK_WIDGET (self->new_button), GTK_ALIGN_START);
  g_signal_connect (self->new_button, "clicked", G_CALLBACK (on_new_clicked_cb), self);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->new_button));
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->group));
  gtk_widget_set_margin_top (content, 18);
  gtk_widget_set_margin_bottom (content, 24);
  gtk_widget_set_margin_start (content, 12);
  gtk_widget_set_margin_end (content, 12);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 800);
  adw_clamp_set_child (ADW_CLAMP (clamp), content);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (self), scroller);
  show (self, NULL);
}

GtkWidget *
bd_requests_panel_new (void)
{
  return g_object_new (BD_TYPE_REQUESTS_PANEL, NULL);
}
