/* bd-complaint-queue.c: the supervisors' queue of complaints.
 *
 * It reads the desk's own copy of the zone's complaints (kept by the
 * complaint feed), so it works offline and filters without a round trip;
 * bulk actions are queued through the outbox one complaint at a time,
 * each checked by the same rules the server applies, and the ones the
 * rules do not allow are left alone and counted. The figures the desk
 * does not hold (consumers in negative balance, meters not reporting) come
 * from the server's dashboard when it can be reached.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/bd-complaint-csv.h"
#include "core/bd-money.h"

#include "bd-complaint-format.h"
#include "bd-complaint-queue.h"
#include "bd-complaint-window.h"

#define LOAD_LIMIT 5000
#define SHOW_LIMIT 500

struct _BdComplaintQueue
{
  AdwWindow        parent_instance;

  BdApplication   *app;
  GCancellable    *cancellable;
  GPtrArray       *all;        /* BdStoredComplaint, the copy's newest first */
  GPtrArray       *shown;      /* BdStoredComplaint, borrowed from all */
  GHashTable      *selected;   /* complaint id → TRUE */

  AdwToastOverlay *toast_overlay;
  GtkDropDown     *status_filter;
  GtkDropDown     *category_filter;
  GtkDropDown     *sla_filter;
  GtkDropDown     *age_filter;
  GtkDropDown     *sort_order;
  GtkSearchEntry  *search;
  GtkLabel        *counts;
  GtkLabel        *dashboard;
  GtkLabel        *zone_figures;   /* from the server's dashboard, when it answers */
  GtkListBox      *list;
  GtkWidget       *bulk_bar;
  GtkLabel        *bulk_label;
  GtkWidget       *reject_button;
  GtkWidget       *close_button;
};

G_DEFINE_FINAL_TYPE (BdComplaintQueue, bd_complaint_queue, ADW_TYPE_WINDOW)

/* Status filter rows: "open" (the default), each status, everything. */
#define STATUS_OPEN 0
#define STATUS_ALL  (1 + BD_COMPLAINT_STATUS_REJECTED + 1)

static void apply_filters (BdComplaintQueue *self);

static gboolean
matches (BdComplaintQueue  *self,
         BdStoredComplaint *stored,
         gint64             now)
{
  const BdComplaint *c = stored->complaint;
  guint status = gtk_drop_down_get_selected (self->status_filter);
  guint category = gtk_drop_down_get_selected (self->category_filter);
  guint sla = gtk_drop_down_get_selected (self->sla_filter);
  guint age = gtk_drop_down_get_selected (self->age_filter);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search));
  BdSlaClock clock;

  if (status == STATUS_OPEN && !bd_complaint_status_is_open (c->status))
    return FALSE;
  if (status > STATUS_OPEN && status < STATUS_ALL && c->status != (BdComplaintStatus) (status - 1))
    return FALSE;
  if (category > 0 && c->category != (BdComplaintCategory) (category - 1))
    return FALSE;
  bd_sla_clock_compute (c, now, &clock);
  if (sla == 1 && !clock.overdue)
    return FALSE;
  if (sla == 2 && (clock.overdue || !clock.running || clock.remaining_s > 2 * 60 * 60))
    return FALSE;
  if (sla == 3 && clock.overdue)
    return FALSE;
  /* Any age, filed today (the last 24 hours), older than a day, than a week. */
  if (age == 1 && now - c->created_at > 86400)
    return FALSE;
  if (age == 2 && now - c->created_at <= 86400)
    return FALSE;
  if (age == 3 && now - c->created_at <= 7 * 86400)
    return FALSE;
  if (text != NULL && *text != '\0')
    {
      g_autofree char *upper = g_ascii_strup (text, -1);

      if (strstr (c->number, upper) == NULL &&
          (c->account == NULL || strstr (c->account, text) == NULL) &&
          (c->dt == NULL || strstr (c->dt, upper) == NULL) &&
          (stored->provisional_number == NULL || strstr (stored->provisional_number, upper) == NULL))
        return FALSE;
    }
  return TRUE;
}

static void
update_bulk (BdComplaintQueue *self)
{
  guint n = g_hash_table_size (self->selected);
  g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u selected", "%u selected", n), n);

  gtk_label_set_text (self->bulk_label, text);
  gtk_widget_set_sensitive (self->bulk_bar, n > 0);
}

static void
on_check_toggled_cb (GtkCheckButton   *check,
                     BdComplaintQueue *self)
{
  const char *id = g_object_get_data (G_OBJECT (check), "complaint-id");

  if (gtk_check_button_get_active (check))
    g_hash_table_add (self->selected, g_strdup (id));
  else
    g_hash_table_remove (self->selected, id);
  update_bulk (self);
}

static GtkWidget *
queue_row (BdComplaintQueue  *self,
           BdStoredComplaint *stored,
           gint64             now)
{
  const BdComplaint *c = stored->complaint;
  g_autofree char *clock = bd_complaint_format_sla (c, now);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *check_label = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();

  /* Translators: a complaint number, then its category. */
  title = g_strdup_printf (_("%s · %s"), c->number, bd_complaint_category_label (c->category));
  /* Translators: status · account · DT · callers · SLA clock. */
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %s · DT %s · %d caller · %s",
                                           "%s · %s · DT %s · %d callers · %s", (gulong) c->callers),
                              bd_complaint_status_label (c->status), c->account != NULL ? c->account : "—",
                              c->dt != NULL ? c->dt : "—", c->callers, clock);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_add_css_class (row, bd_complaint_sla_css_class (c, now));

  /* Translators: accessible name of a check box; %s is a complaint number. */
  check_label = g_strdup_printf (_("Select complaint %s"), c->number);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, check_label, -1);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), g_hash_table_contains (self->selected, c->id));
  g_object_set_data_full (G_OBJECT (check), "complaint-id", g_strdup (c->id), g_free);
  g_signal_connect (check, "toggled", G_CALLBACK (on_check_toggled_cb), self);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  g_object_set_data_full (G_OBJECT (row), "complaint-id", g_strdup (c->id), g_free);
  return row;
}

static int
compare_urgency (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  const BdComplaint *ca = (*(BdStoredComplaint * const *) a)->complaint;
  const BdComplaint *cb = (*(BdStoredComplaint * const *) b)->complaint;
  gint64 now = *(gint64 *) user_data;
  BdSlaClock ka, kb;

  bd_sla_clock_compute (ca, now, &ka);
  bd_sla_clock_compute (cb, now, &kb);
  return ka.remaining_s < kb.remaining_s ? -1 : ka.remaining_s > kb.remaining_s;
}

static int
compare_callers (gconstpointer a,
                 gconstpointer b)
{
  const BdComplaint *ca = (*(BdStoredComplaint * const *) a)->complaint;
  const BdComplaint *cb = (*(BdStoredComplaint * const *) b)->complaint;

  return cb->callers - ca->callers;
}

static void
apply_filters (BdComplaintQueue *self)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 owed = 0;
  guint overdue = 0, open = 0, due_soon = 0;
  GtkWidget *child;
  g_autofree char *counts = NULL;
  g_autofree char *owed_text = NULL;
  g_autofree char *dashboard = NULL;
  g_autoptr(GString) outages = g_string_new (NULL);
  g_autoptr(GString) states = g_string_new (NULL);
  g_autoptr(GString) kinds = g_string_new (NULL);
  g_autoptr(GPtrArray) matching = g_ptr_array_new ();
  guint by_status[BD_COMPLAINT_STATUS_REJECTED + 1] = { 0, };
  guint by_category[BD_COMPLAINT_N_CATEGORIES] = { 0, };
  guint n_outages = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_ptr_array_set_size (self->shown, 0);
  if (self->all == NULL)
    return;

  for (guint i = 0; i < self->all->len; i++)
    {
      BdStoredComplaint *stored = g_ptr_array_index (self->all, i);
      const BdComplaint *c = stored->complaint;
      BdSlaClock clock;

      /* The dashboard counts the whole zone, whatever the filters. */
      bd_sla_clock_compute (c, now, &clock);
      by_status[c->status]++;
      if (bd_complaint_status_is_open (c->status))
        {
          open++;
          by_category[c->category]++;
          if (clock.running && !clock.overdue && clock.remaining_s <= 2 * 60 * 60)
            due_soon++;
          if (c->callers > 1 && n_outages < 3)
            {
              /* Translators: a DT or complaint number, then how many called, e.g. "DT ALG-F03-T01 (12)". */
              g_string_append_printf (outages, "%s%s (%d)", n_outages > 0 ? ", " : "",
                                      c->dt != NULL ? c->dt : c->number, c->callers);
              n_outages++;
            }
        }
      if (clock.overdue && c->status != BD_COMPLAINT_STATUS_CLOSED)
        {
          overdue++;
          owed += clock.compensation_paise;
        }
      if (matches (self, stored, now))
        g_ptr_array_add (matching, stored);
    }

  /* Newest first as read; or the least time left first; or most callers. */
  if (gtk_drop_down_get_selected (self->sort_order) == 1)
    g_ptr_array_sort_with_data (matching, compare_urgency, &now);
  else if (gtk_drop_down_get_selected (self->sort_order) == 2)
    g_ptr_array_sort (matching, compare_callers);
  for (guint i = 0; i < matching->len && i < SHOW_LIMIT; i++)
    {
      g_ptr_array_add (self->shown, g_ptr_array_index (matching, i));
      gtk_list_box_append (self->list, queue_row (self, g_ptr_array_index (matching, i), now));
    }

  for (int i = 0; i <= BD_COMPLAINT_STATUS_REJECTED; i++)
    if (by_status[i] > 0)
      /* Translators: a complaint state and how many are in it, e.g. "Assigned 4". */
      g_string_append_printf (states, _("%s%s %u"), states->len > 0 ? " · " : "", bd_complaint_status_label (i), by_status[i]);
  for (int i = 0; i < BD_COMPLAINT_N_CATEGORIES; i++)
    if (by_category[i] > 0)
      g_string_append_printf (kinds, _("%s%s %u"), kinds->len > 0 ? " · " : "", bd_complaint_category_label (i), by_category[i]);

  owed_text = bd_format_paise (owed);
  {
    g_autofree char *shown = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u complaint shown", "%u complaints shown",
                                                           self->shown->len), self->shown->len);

    /* Translators: how many are shown; the count in each state; open ones by category. */
    counts = g_strdup_printf (_("%s\nBy state: %s\nOpen by category: %s"), shown,
                              states->len > 0 ? states->str : _("none"), kinds->len > 0 ? kinds->str : _("none"));
  }
  /* Translators: zone figures: open complaints, overdue, due within 2 hours, compensation owed, big outages. */
  dashboard = g_strdup_printf (_("Open %u · Overdue %u · Due within 2 h %u · Compensation owed %s · Most callers: %s"),
                               open, overdue, due_soon, owed_text, outages->len > 0 ? outages->str : _("none"));
  gtk_label_set_text (self->counts, counts);
  gtk_label_set_text (self->dashboard, dashboard);
}

static void
on_filter_changed_cb (BdComplaintQueue *self)
{
  apply_filters (self);
}

typedef struct {
  BdConsumerStore *store;
  GPtrArray       *complaints;
} Load;

static void
load_free (Load *load)
{
  g_clear_object (&load->store);
  g_clear_pointer (&load->complaints, g_ptr_array_unref);
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

  load->complaints = bd_consumer_store_list_complaints (load->store, NULL, FALSE, LOAD_LIMIT, &error);
  if (load->complaints == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_loaded_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  BdComplaintQueue *self;
  Load *load = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_toast_overlay_add_toast (BD_COMPLAINT_QUEUE (user_data)->toast_overlay, adw_toast_new (error->message));
      return;
    }
  self = BD_COMPLAINT_QUEUE (user_data);
  g_clear_pointer (&self->all, g_ptr_array_unref);
  self->all = g_steal_pointer (&load->complaints);
  apply_filters (self);
}

/* Consumers in negative balance and meters not reporting are counted
 * over the whole zone on the server; offline the line says so. */
static void
on_summary_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(BdComplaintQueue) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = bd_client_send_json_finish (BD_CLIENT (source), result, NULL, &error);
  g_autofree char *text = NULL;
  g_autofree char *negative = NULL;
  g_autofree char *silent = NULL;
  JsonObject *object;

  if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED))
    return;
  if (answer == NULL || !JSON_NODE_HOLDS_OBJECT (answer))
    {
      gtk_label_set_text (self->zone_figures, _("Consumers in negative balance and meters not reporting: shown when the server can be reached."));
      return;
    }
  object = json_node_get_object (answer);
  negative = bd_format_indian_integer (json_object_get_int_member_with_default (object, "negative_balance_consumers", 0));
  silent = bd_format_indian_integer (json_object_get_int_member_with_default (object, "silent_meters", 0));
  /* Translators: zone figures from the server. */
  text = g_strdup_printf (_("Consumers in negative balance: %s · Smart meters not reporting for a day: %s"),
                          negative, silent);
  gtk_label_set_text (self->zone_figures, text);
}

static void
fetch_summary (BdComplaintQueue *self)
{
  BdClient *client = bd_application_get_client (self->app);
  BdSession *session = bd_application_get_session (self->app);
  BdRole role = session != NULL ? bd_session_get_role (session) : BD_ROLE_AGENT;

  gtk_widget_set_visible (GTK_WIDGET (self->zone_figures), role == BD_ROLE_SUPERVISOR || role == BD_ROLE_ADMIN);
  if (client == NULL || bd_application_is_offline_session (self->app) ||
      (role != BD_ROLE_SUPERVISOR && role != BD_ROLE_ADMIN))
    return;
  bd_client_send_json_async (client, "GET", "/api/v1/complaints/summary", NULL, NULL, self->cancellable,
                             on_summary_cb, g_object_ref (self));
}

void
bd_complaint_queue_reload (BdComplaintQueue *self)
{
  BdConsumerStore *store;
  g_autoptr(GTask) task = NULL;
  Load *load;

  g_return_if_fail (BD_IS_COMPLAINT_QUEUE (self));

  store = bd_application_get_store (self->app);
  if (store == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  load = g_new0 (Load, 1);
  load->store = g_object_ref (store);
  /* Cancelled at dispose: the callback never sees a dead window. */
  task = g_task_new (NULL, self->cancellable, on_loaded_cb, self);
  g_task_set_source_tag (task, load_thread);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  g_task_run_in_thread (task, load_thread);
  fetch_summary (self);
}

static void
on_row_activated_cb (GtkListBox       *list,
                     GtkListBoxRow    *row,
                     BdComplaintQueue *self)
{
  const char *id = g_object_get_data (G_OBJECT (row), "complaint-id");

  gtk_window_present (GTK_WINDOW (bd_complaint_window_new (self->app, GTK_WINDOW (self), id)));
}

/* ---- bulk ---------------------------------------------------------------- */

static void
bulk_apply (BdComplaintQueue  *self,
            BdComplaintAction  action,
            const char        *note)
{
  BdConsumerStore *store = bd_application_get_store (self->app);
  BdSession *session = bd_application_get_session (self->app);
  BdPushWorker *worker = bd_application_get_push_worker (self->app);
  guint queued = 0, skipped = 0;
  g_autofree char *message = NULL;
  GHashTableIter iter;
  gpointer key;

  if (store == NULL || session == NULL)
    return;
  g_hash_table_iter_init (&iter, self->selected);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_autoptr(BdStoredComplaint) stored = bd_consumer_store_load_complaint (store, key, NULL);
      BdComplaintStatus to;

      /* The rules decide, complaint by complaint; nothing is forced. */
      if (stored == NULL || bd_stored_complaint_is_provisional (stored) ||
          !bd_complaint_check_action (stored->complaint, action, bd_session_get_role (session), note, FALSE, &to, NULL) ||
          bd_consumer_store_queue_complaint_action (store, key, action, note, NULL, NULL, NULL,
                                                    BD_COMPLAINT_CHANNEL_COUNTER,
                                                    bd_session_get_username (session), NULL) < 0)
        skipped++;
      else
        queued++;
    }
  if (worker != NULL)
    bd_push_worker_kick (worker);
  /* Translators: after a bulk action: how many were queued, how many the rules did not allow. */
  message = g_strdup_printf (_("%u queued; %u left as they were (not allowed from their state)."), queued, skipped);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
  g_hash_table_remove_all (self->selected);
  update_bulk (self);
  bd_complaint_queue_reload (self);
}

static void
on_bulk_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     BdComplaintQueue *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  BdComplaintAction action = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "action"));
  g_autofree char *note = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  if (!g_str_equal (response, "apply"))
    return;
  if (*note == '\0')
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("A note is needed.")));
      return;
    }
  bulk_apply (self, action, note);
}

static void
ask_bulk (BdComplaintQueue  *self,
          BdComplaintAction  action,
          const char        *prompt)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), bd_complaint_action_label (action), NULL);
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), prompt);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, prompt, -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "apply", _("_Apply"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "apply", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "apply");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_object_set_data (G_OBJECT (dialog), "action", GINT_TO_POINTER (action));
  g_signal_connect (dialog, "response", G_CALLBACK (on_bulk_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_assign_clicked_cb (BdComplaintQueue *self)
{
  ask_bulk (self, BD_COMPLAINT_ACTION_ASSIGN, _("Assign to (field team or lineman)"));
}

static void
on_escalate_clicked_cb (BdComplaintQueue *self)
{
  ask_bulk (self, BD_COMPLAINT_ACTION_ESCALATE, _("Reason for escalating (CGRF, then ombudsman)"));
}

static void
on_reject_clicked_cb (BdComplaintQueue *self)
{
  ask_bulk (self, BD_COMPLAINT_ACTION_REJECT, _("Reason for rejecting"));
}

/* A supervisor approves resolved complaints as closed, with the reason
 * recorded on each (the consumer's OTP is the other way to close). */
static void
on_close_clicked_cb (BdComplaintQueue *self)
{
  ask_bulk (self, BD_COMPLAINT_ACTION_CLOSE, _("Reason for closing without the OTP"));
}

/* ---- export -------------------------------------------------------------- */

static void
on_export_response_cb (GtkNativeDialog  *chooser,
                       int               response,
                       BdComplaintQueue *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      for (guint i = 0; i < self->shown->len; i++)
        g_ptr_array_add (rows, ((BdStoredComplaint *) g_ptr_array_index (self->shown, i))->complaint);
      csv = bd_complaints_to_csv (rows, g_get_real_time () / G_USEC_PER_SEC);
      if (!g_file_replace_contents (file, csv, strlen (csv), NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, NULL, &error))
        adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      else
        adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("The complaints on show were saved as CSV.")));
    }
  g_object_unref (chooser);
}

static void
on_export_clicked_cb (BdComplaintQueue *self)
{
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Export Complaints"), GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));

  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "complaints.csv");
  g_signal_connect (chooser, "response", G_CALLBACK (on_export_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- construction -------------------------------------------------------- */

static void
bd_complaint_queue_dispose (GObject *object)
{
  BdComplaintQueue *self = BD_COMPLAINT_QUEUE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->shown, g_ptr_array_unref);
  g_clear_pointer (&self->all, g_ptr_array_unref);
  g_clear_pointer (&self->selected, g_hash_table_unref);
  g_clear_object (&self->app);

  G_OBJECT_CLASS (bd_complaint_queue_parent_class)->dispose (object);
}

static void
bd_complaint_queue_class_init (BdComplaintQueueClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = bd_complaint_queue_dispose;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static GtkDropDown *
drop_down (const char *accessible_name,
           GtkStringList *items)
{
  GtkWidget *widget = gtk_drop_down_new (G_LIST_MODEL (items), NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_name, -1);
  gtk_widget_set_tooltip_text (widget, accessible_name);
  return GTK_DROP_DOWN (widget);
}

static GtkWidget *
bar_button (const char *label,
            GCallback   callback,
            gpointer    self)
{
  GtkWidget *button = bd_mnemonic_button_new (label);

  g_signal_connect_swapped (button, "clicked", callback, self);
  return button;
}

static void
bd_complaint_queue_init (BdComplaintQueue *self)
{
  GtkWidget *toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *filters = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *body = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *export = bar_button (_("_Export CSV…"), G_CALLBACK (on_export_clicked_cb), self);
  GtkStringList *statuses = gtk_string_list_new (NULL);
  GtkStringList *categories = gtk_string_list_new (NULL);
  GtkStringList *slas = gtk_string_list_new (NULL);
  GtkStringList *ages = gtk_string_list_new (NULL);
  GtkStringList *orders = gtk_string_list_new (NULL);

  self->shown = g_ptr_array_new ();
  self->selected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_window_set_title (GTK_WINDOW (self), _("Complaints Queue"));
  gtk_window_set_default_size (GTK_WINDOW (self), 980, 720);

  gtk_string_list_append (statuses, _("Open"));
  for (int i = 0; i <= BD_COMPLAINT_STATUS_REJECTED; i++)
    gtk_string_list_append (statuses, bd_complaint_status_label (i));
  gtk_string_list_append (statuses, _("All"));
  gtk_string_list_append (categories, _("All categories"));
  for (int i = 0; i < BD_COMPLAINT_N_CATEGORIES; i++)
    gtk_string_list_append (categories, bd_complaint_category_label (i));
  gtk_string_list_append (slas, _("Any service time"));
  gtk_string_list_append (slas, _("Overdue"));
  gtk_string_list_append (slas, _("Due within 2 hours"));
  gtk_string_list_append (slas, _("On time"));
  gtk_string_list_append (ages, _("Any age"));
  gtk_string_list_append (ages, _("Filed in the last 24 hours"));
  gtk_string_list_append (ages, _("Older than a day"));
  gtk_string_list_append (ages, _("Older than a week"));
  gtk_string_list_append (orders, _("Newest first"));
  gtk_string_list_append (orders, _("Least time left first"));
  gtk_string_list_append (orders, _("Most callers first"));

  self->status_filter = drop_down (_("Status"), statuses);
  self->category_filter = drop_down (_("Category"), categories);
  self->sla_filter = drop_down (_("Service time"), slas);
  self->age_filter = drop_down (_("Age"), ages);
  self->sort_order = drop_down (_("Order"), orders);
  self->search = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_object_set (self->search, "placeholder-text", _("Number, account or DT"), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->search), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Search complaints by number, account or DT"), -1);
  gtk_widget_set_hexpand (GTK_WIDGET (self->search), TRUE);
  g_signal_connect_swapped (self->status_filter, "notify::selected", G_CALLBACK (on_filter_changed_cb), self);
  g_signal_connect_swapped (self->category_filter, "notify::selected", G_CALLBACK (on_filter_changed_cb), self);
  g_signal_connect_swapped (self->sla_filter, "notify::selected", G_CALLBACK (on_filter_changed_cb), self);
  g_signal_connect_swapped (self->age_filter, "notify::selected", G_CALLBACK (on_filter_changed_cb), self);
  g_signal_connect_swapped (self->sort_order, "notify::selected", G_CALLBACK (on_filter_changed_cb), self);
  g_signal_connect_swapped (self->search, "search-changed", G_CALLBACK (on_filter_changed_cb), self);
  gtk_box_append (GTK_BOX (filters), GTK_WIDGET (self->status_filter));
  gtk_box_append (GTK_BOX (filters), GTK_WIDGET (self->category_filter));
  gtk_box_append (GTK_BOX (filters), GTK_WIDGET (self->sla_filter));
  gtk_box_append (GTK_BOX (filters), GTK_WIDGET (self->age_filter));
  gtk_box_append (GTK_BOX (filters), GTK_WIDGET (self->sort_order));
  gtk_box_append (GTK_BOX (filters), GTK_WIDGET (self->search));

  self->dashboard = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->dashboard, TRUE);
  gtk_label_set_xalign (self->dashboard, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->dashboard), "heading");
  self->zone_figures = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->zone_figures, TRUE);
  gtk_label_set_xalign (self->zone_figures, 0);
  self->counts = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->counts, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->counts), "dim-label");

  self->bulk_bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->bulk_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_hexpand (GTK_WIDGET (self->bulk_label), TRUE);
  gtk_label_set_xalign (self->bulk_label, 0);
  self->reject_button = bar_button (_("_Reject…"), G_CALLBACK (on_reject_clicked_cb), self);
  gtk_box_append (GTK_BOX (self->bulk_bar), GTK_WIDGET (self->bulk_label));
  gtk_box_append (GTK_BOX (self->bulk_bar), bar_button (_("_Assign…"), G_CALLBACK (on_assign_clicked_cb), self));
  gtk_box_append (GTK_BOX (self->bulk_bar), bar_button (_("E_scalate…"), G_CALLBACK (on_escalate_clicked_cb), self));
  gtk_box_append (GTK_BOX (self->bulk_bar), self->reject_button);
  self->close_button = bar_button (_("_Close…"), G_CALLBACK (on_close_clicked_cb), self);
  gtk_box_append (GTK_BOX (self->bulk_bar), self->close_button);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Complaints"), -1);
  g_signal_connect (self->list, "row-activated", G_CALLBACK (on_row_activated_cb), self);

  gtk_widget_set_margin_top (body, 12);
  gtk_widget_set_margin_bottom (body, 12);
  gtk_widget_set_margin_start (body, 12);
  gtk_widget_set_margin_end (body, 12);
  gtk_box_append (GTK_BOX (body), GTK_WIDGET (self->dashboard));
  gtk_box_append (GTK_BOX (body), GTK_WIDGET (self->zone_figures));
  gtk_box_append (GTK_BOX (body), filters);
  gtk_box_append (GTK_BOX (body), GTK_WIDGET (self->counts));
  gtk_box_append (GTK_BOX (body), self->bulk_bar);
  gtk_box_append (GTK_BOX (body), GTK_WIDGET (self->list));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), body);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);

  adw_header_bar_pack_end (ADW_HEADER_BAR (header), export);
  gtk_box_append (GTK_BOX (toolbar), header);
  gtk_box_append (GTK_BOX (toolbar), scrolled);
  self->toast_overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toast_overlay, toolbar);
  adw_window_set_content (ADW_WINDOW (self), GTK_WIDGET (self->toast_overlay));
  update_bulk (self);
}

BdComplaintQueue *
bd_complaint_queue_new (BdApplication *app,
                        GtkWindow     *parent)
{
  BdComplaintQueue *self;
  BdSession *session;
  BdRole role;

  g_return_val_if_fail (BD_IS_APPLICATION (app), NULL);

  self = g_object_new (BD_TYPE_COMPLAINT_QUEUE, "transient-for", parent, NULL);
  self->app = g_object_ref (app);
  session = bd_application_get_session (app);
  role = session != NULL ? bd_session_get_role (session) : BD_ROLE_AGENT;
  /* Rejecting is for supervisors; the server would refuse it anyway. */
  gtk_widget_set_visible (self->reject_button, role == BD_ROLE_SUPERVISOR || role == BD_ROLE_ADMIN);
  gtk_widget_set_visible (self->close_button, role == BD_ROLE_SUPERVISOR || role == BD_ROLE_ADMIN);
  bd_complaint_queue_reload (self);
  return self;
}
