/* bd-complaints-panel.c: the Complaints section of a consumer's record.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "bd-application.h"
#include "bd-complaint-dialog.h"
#include "bd-complaint-format.h"
#include "bd-complaint-window.h"
#include "bd-complaints-panel.h"

#define LIST_LIMIT 50

struct _BdComplaintsPanel
{
  GtkBox        parent_instance;

  BdConsumer   *consumer;
  GCancellable *cancellable;

  GtkStack     *stack;
  GtkListBox   *list;
  GtkButton    *file_button;
};

G_DEFINE_FINAL_TYPE (BdComplaintsPanel, bd_complaints_panel, GTK_TYPE_BOX)

static BdApplication *
get_app (BdComplaintsPanel *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;

  return BD_IS_APPLICATION (app) ? BD_APPLICATION (app) : NULL;
}

typedef struct {
  BdConsumerStore *store;
  char            *account;
  GPtrArray       *complaints;   /* out */
  GPtrArray       *pending;      /* out: char * or NULL per complaint */
} Load;

static void
load_free (Load *load)
{
  g_clear_object (&load->store);
  g_free (load->account);
  g_clear_pointer (&load->complaints, g_ptr_array_unref);
  g_clear_pointer (&load->pending, g_ptr_array_unref);
  g_free (load);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Load *load = task_data;
  g_autoptr(GError) error = NULL;

  load->complaints = bd_consumer_store_list_complaints (load->store, load->account, FALSE, LIST_LIMIT, &error);
  if (load->complaints == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  load->pending = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < load->complaints->len; i++)
    g_ptr_array_add (load->pending,
                     bd_complaint_format_pending (load->store, g_ptr_array_index (load->complaints, i)));
  g_task_return_boolean (task, TRUE);
}

static void
on_row_activated_cb (GtkListBox        *list,
                     GtkListBoxRow     *row,
                     BdComplaintsPanel *self)
{
  BdApplication *app = get_app (self);
  const char *id = g_object_get_data (G_OBJECT (row), "complaint-id");
  BdComplaintWindow *window;

  if (app == NULL || id == NULL)
    return;
  window = bd_complaint_window_new (app, GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), id);
  gtk_window_present (GTK_WINDOW (window));
}

static GtkWidget *
complaint_row (BdStoredComplaint *stored,
               const char        *pending)
{
  const BdComplaint *c = stored->complaint;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *number = bd_complaint_format_number (stored);
  g_autofree char *clock = bd_complaint_format_sla (c, now);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");

  /* Translators: a complaint number, then its category. */
  title = g_strdup_printf (_("%s · %s"), number, bd_complaint_category_label (c->category));
  /* Translators: status · SLA clock, then (maybe) what waits in the outbox. */
  subtitle = pending != NULL ? g_strdup_printf (_("%s · %s\n%s"), bd_complaint_status_label (c->status), clock, pending)
                             : g_strdup_printf (_("%s · %s"), bd_complaint_status_label (c->status), clock);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (arrow), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Open"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), arrow);
  gtk_widget_add_css_class (row, bd_complaint_sla_css_class (c, now));
  g_object_set_data_full (G_OBJECT (row), "complaint-id", g_strdup (c->id), g_free);
  return row;
}

static void
on_loaded_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  BdComplaintsPanel *self;
  Load *load = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read the consumer's complaints: %s", error->message);
      return;
    }
  self = BD_COMPLAINTS_PANEL (user_data);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  for (guint i = 0; i < load->complaints->len; i++)
    gtk_list_box_append (self->list, complaint_row (g_ptr_array_index (load->complaints, i),
                                                    g_ptr_array_index (load->pending, i)));
  gtk_stack_set_visible_child_name (self->stack, load->complaints->len > 0 ? "list" : "empty");
}

void
bd_complaints_panel_reload (BdComplaintsPanel *self)
{
  BdApplication *app;
  BdConsumerStore *store;
  g_autoptr(GTask) task = NULL;
  Load *load;

  g_return_if_fail (BD_IS_COMPLAINTS_PANEL (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  app = get_app (self);
  store = app != NULL ? bd_application_get_store (app) : NULL;
  gtk_widget_set_sensitive (GTK_WIDGET (self->file_button), self->consumer != NULL && store != NULL);
  if (self->consumer == NULL || store == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  self->cancellable = g_cancellable_new ();
  load = g_new0 (Load, 1);
  load->store = g_object_ref (store);
  load->account = g_strdup (bd_consumer_get_account (self->consumer));
  /* Cancelled at dispose, so the callback never sees a dead panel. */
  task = g_task_new (NULL, self->cancellable, on_loaded_cb, self);
  g_task_set_source_tag (task, load_thread);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  g_task_run_in_thread (task, load_thread);
}

static void
on_filed_cb (BdComplaintDialog *dialog,
             BdStoredComplaint *stored,
             BdComplaintsPanel *self)
{
  BdApplication *app = get_app (self);
  BdPushWorker *worker = app != NULL ? bd_application_get_push_worker (app) : NULL;

  if (worker != NULL)
    bd_push_worker_kick (worker);
  bd_complaints_panel_reload (self);
}

static void
on_caller_added_cb (BdComplaintDialog *dialog,
                    const char        *number,
                    BdComplaintsPanel *self)
{
  on_filed_cb (dialog, NULL, self);
}

gboolean
bd_complaints_panel_file (BdComplaintsPanel *self,
                          const char        *contact_hint)
{
  BdApplication *app = get_app (self);
  BdComplaintDialog *dialog;

  g_return_val_if_fail (BD_IS_COMPLAINTS_PANEL (self), FALSE);

  if (app == NULL || self->consumer == NULL || bd_application_get_store (app) == NULL ||
      bd_application_get_session (app) == NULL)
    return FALSE;
  dialog = bd_complaint_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                    bd_application_get_store (app), bd_application_get_session (app),
                                    self->consumer, contact_hint);
  g_signal_connect_object (dialog, "filed", G_CALLBACK (on_filed_cb), self, 0);
  g_signal_connect_object (dialog, "caller-added", G_CALLBACK (on_caller_added_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

static void
on_file_clicked_cb (BdComplaintsPanel *self)
{
  bd_complaints_panel_file (self, NULL);
}

void
bd_complaints_panel_set_consumer (BdComplaintsPanel *self,
                                  BdConsumer        *consumer)
{
  g_return_if_fail (BD_IS_COMPLAINTS_PANEL (self));

  g_set_object (&self->consumer, consumer);
  bd_complaints_panel_reload (self);
}

static void
bd_complaints_panel_dispose (GObject *object)
{
  BdComplaintsPanel *self = BD_COMPLAINTS_PANEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->consumer);

  G_OBJECT_CLASS (bd_complaints_panel_parent_class)->dispose (object);
}

static void
bd_complaints_panel_class_init (BdComplaintsPanelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = bd_complaints_panel_dispose;
}

static void
bd_complaints_panel_init (BdComplaintsPanel *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *heading = gtk_label_new (_("Complaints"));
  GtkWidget *empty = adw_status_page_new ();

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  self->file_button = GTK_BUTTON (bd_mnemonic_button_new (_("_File Complaint…")));
  gtk_widget_add_css_class (GTK_WIDGET (self->file_button), "suggested-action");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->file_button), _("File a complaint for this consumer (Ctrl+K)"));
  g_signal_connect_swapped (self->file_button, "clicked", G_CALLBACK (on_file_clicked_cb), self);
  gtk_widget_add_css_class (heading, "heading");
  gtk_widget_set_hexpand (heading, TRUE);
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_box_append (GTK_BOX (bar), heading);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->file_button));

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("The consumer’s complaints"), -1);
  g_signal_connect (self->list, "row-activated", G_CALLBACK (on_row_activated_cb), self);

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "dialog-warning-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("No Complaints"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("Complaints filed for this consumer, here or elsewhere, appear here."));
  gtk_widget_add_css_class (empty, "compact");

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_vhomogeneous (self->stack, FALSE);
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->list), "list");
  gtk_stack_add_named (self->stack, empty, "empty");
  gtk_stack_set_visible_child_name (self->stack, "empty");

  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (box), bar);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 720);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (self), scrolled);
}
