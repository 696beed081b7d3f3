/* bd-complaint-dialog.c: the complaint form.
 *
 * Built for the 1912 flow as much as for the counter: the category that is
 * most likely is already chosen (an outage known on the consumer's DT or
 * feeder makes it "whole area"), the description may be left to the
 * category's name, and Enter files. Before a new complaint is made, the
 * open complaints about the same fault are listed with "Add Caller", so
 * one outage stays one complaint with many callers. Everything here reads
 * and writes the desk's own copy, so it works offline; the complaint is
 * queued with a provisional number and gets its final one when sent.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-complaint-rules.h"
#include "core/bd-validate.h"

#include "bd-complaint-dialog.h"
#include "bd-complaint-format.h"
#include "bd-consumer-format.h"
#include "bd-field-error.h"

struct _BdComplaintDialog
{
  AdwWindow        parent_instance;

  BdConsumerStore *store;
  BdSession       *session;
  BdConsumer      *consumer;
  GCancellable    *cancellable;
  gboolean         busy;
  gboolean         suggested;   /* the category guess was made */

  AdwComboRow     *category_row;
  AdwEntryRow     *description_row;
  AdwEntryRow     *contact_row;
  AdwComboRow     *channel_row;
  AdwPreferencesGroup *duplicates_group;
  GPtrArray       *duplicate_rows;
  GtkButton       *file_button;
  AdwToastOverlay *toast_overlay;
};

G_DEFINE_FINAL_TYPE (BdComplaintDialog, bd_complaint_dialog, ADW_TYPE_WINDOW)

enum {
  FILED,
  CALLER_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Channel rows, in the combo's order. */
static const BdComplaintChannel channels[] = {
  BD_COMPLAINT_CHANNEL_PHONE, BD_COMPLAINT_CHANNEL_COUNTER, BD_COMPLAINT_CHANNEL_WALK_IN, BD_COMPLAINT_CHANNEL_APP,
};

typedef struct {
  BdConsumerStore    *store;
  BdComplaintCategory category;
  char               *account;
  char               *dt;
  char               *feeder;
  char               *pole;
} DuplicateQuery;

static void
duplicate_query_free (DuplicateQuery *query)
{
  g_clear_object (&query->store);
  g_free (query->account);
  g_free (query->dt);
  g_free (query->feeder);
  g_free (query->pole);
  g_free (query);
}

static void
duplicates_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  DuplicateQuery *query = task_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *found;

  found = bd_consumer_store_find_duplicate_complaints (query->store, query->category, query->account,
                                                       query->dt, query->feeder, query->pole, &error);
  if (found == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, found, (GDestroyNotify) g_ptr_array_unref);
}

static BdComplaintCategory
selected_category (BdComplaintDialog *self)
{
  return (BdComplaintCategory) adw_combo_row_get_selected (self->category_row);
}

static void look_for_duplicates (BdComplaintDialog *self);

static void
set_busy (BdComplaintDialog *self,
          gboolean           busy)
{
  self->busy = busy;
  gtk_widget_set_sensitive (GTK_WIDGET (self->file_button), !busy);
}

static void
on_caller_added_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(BdComplaintDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = g_task_propagate_pointer (G_TASK (result), &error);

  set_busy (self, FALSE);
  if (number == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }
  g_signal_emit (self, signals[CALLER_ADDED], 0, number);
  gtk_window_close (GTK_WINDOW (self));
}

typedef struct {
  BdConsumerStore   *store;
  char              *id;
  char              *number;
  char              *account;
  char              *mobile;
  BdComplaintChannel channel;
  char              *username;
} AddCaller;

static void
add_caller_free (AddCaller *data)
{
  g_clear_object (&data->store);
  g_free (data->id);
  g_free (data->number);
  g_free (data->account);
  g_free (data->mobile);
  g_free (data->username);
  g_free (data);
}

static void
add_caller_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  AddCaller *data = task_data;
  g_autoptr(GError) error = NULL;

  if (bd_consumer_store_queue_complaint_action (data->store, data->id, BD_COMPLAINT_ACTION_ADD_CALLER, NULL, NULL,
                                                data->account, data->mobile, data->channel, data->username,
                                                &error) < 0)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_strdup (data->number), g_free);
}

/* The contact number as typed, normalised; NULL (and an error under the
 * row) if it is not a mobile. *ok says whether the form may go on. */
static char *
read_contact (BdComplaintDialog *self,
              gboolean          *ok)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->contact_row));
  g_autoptr(GError) error = NULL;
  char *mobile;

  *ok = TRUE;
  bd_field_error_set (GTK_WIDGET (self->contact_row), NULL);
  if (text == NULL || *text == '\0')
    return NULL;
  mobile = bd_mobile_normalize (text, &error);
  if (mobile == NULL)
    {
      bd_field_error_set (GTK_WIDGET (self->contact_row), error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->contact_row));
      *ok = FALSE;
    }
  return mobile;
}

static void
on_add_caller_clicked_cb (GtkButton         *button,
                          BdComplaintDialog *self)
{
  BdStoredComplaint *stored = g_object_get_data (G_OBJECT (button), "complaint");
  g_autoptr(GTask) task = NULL;
  AddCaller *data;
  gboolean ok;
  g_autofree char *mobile = read_contact (self, &ok);

  if (!ok || self->busy)
    return;

  data = g_new0 (AddCaller, 1);
  data->store = g_object_ref (self->store);
  data->id = g_strdup (stored->complaint->id);
  data->number = g_strdup (stored->complaint->number);
  data->account = self->consumer != NULL ? g_strdup (bd_consumer_get_account (self->consumer)) : NULL;
  data->mobile = g_steal_pointer (&mobile);
  data->channel = channels[adw_combo_row_get_selected (self->channel_row)];
  data->username = g_strdup (bd_session_get_username (self->session));

  set_busy (self, TRUE);
  task = g_task_new (NULL, self->cancellable, on_caller_added_cb, g_object_ref (self));
  g_task_set_source_tag (task, add_caller_thread);
  g_task_set_task_data (task, data, (GDestroyNotify) add_caller_free);
  g_task_run_in_thread (task, add_caller_thread);
}

static GtkWidget *
duplicate_row (BdComplaintDialog *self,
               BdStoredComplaint *stored)
{
  const BdComplaint *c = stored->complaint;
  g_autofree char *clock = bd_complaint_format_sla (c, g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *label = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = bd_mnemonic_button_new (_("_Add Caller"));

  /* Translators: a complaint number, then its category, e.g. "LKOC-2611-00042 · Transformer failure". */
  title = g_strdup_printf (_("%s · %s"), c->number, bd_complaint_category_label (c->category));
  /* Translators: status; the DT; callers so far; the SLA clock. */
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · DT %s · %d caller · %s",
                                           "%s · DT %s · %d callers · %s", (gulong) c->callers),
                              bd_complaint_status_label (c->status), c->dt != NULL ? c->dt : "—",
                              c->callers, clock);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  /* Translators: accessible name of a button; %s is a complaint number. */
  label = g_strdup_printf (_("Add this caller to complaint %s"), c->number);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_object_set_data_full (G_OBJECT (button), "complaint", bd_stored_complaint_copy (stored),
                          (GDestroyNotify) bd_stored_complaint_free);
  if (bd_stored_complaint_is_provisional (stored))
    {
      gtk_widget_set_sensitive (button, FALSE);
      gtk_widget_set_tooltip_text (button, _("This complaint has not reached the server yet."));
    }
  g_signal_connect (button, "clicked", G_CALLBACK (on_add_caller_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return row;
}

static void
on_duplicates_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  BdComplaintDialog *self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = BD_COMPLAINT_DIALOG (user_data);

  for (guint i = 0; i < self->duplicate_rows->len; i++)
    adw_preferences_group_remove (self->duplicates_group, g_ptr_array_index (self->duplicate_rows, i));
  g_ptr_array_set_size (self->duplicate_rows, 0);

  if (found == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->duplicates_group), FALSE);
      return;
    }

  /* The first look is for "no supply" on the consumer's DT: an outage
   * already known there is what this caller most likely reports. */
  if (!self->suggested)
    {
      g_autoptr(GPtrArray) open = g_ptr_array_new ();
      const char *dt = self->consumer != NULL ? bd_consumer_get_dt (self->consumer) : NULL;
      const char *feeder = self->consumer != NULL ? bd_consumer_get_feeder (self->consumer) : NULL;

      self->suggested = TRUE;
      for (guint i = 0; i < found->len; i++)
        g_ptr_array_add (open, ((BdStoredComplaint *) g_ptr_array_index (found, i))->complaint);
      if (bd_complaint_suggest_category (open, dt, feeder) == BD_COMPLAINT_NO_SUPPLY_AREA &&
          selected_category (self) == BD_COMPLAINT_NO_SUPPLY_SINGLE)
        {
          adw_combo_row_set_selected (self->category_row, BD_COMPLAINT_NO_SUPPLY_AREA);
          return;   /* the change of category looks again */
        }
    }

  for (guint i = 0; i < found->len && i < 5; i++)
    {
      GtkWidget *row = duplicate_row (self, g_ptr_array_index (found, i));

      adw_preferences_group_add (self->duplicates_group, row);
      g_ptr_array_add (self->duplicate_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->duplicates_group), found->len > 0);
}

static void
look_for_duplicates (BdComplaintDialog *self)
{
  g_autoptr(GTask) task = NULL;
  DuplicateQuery *query = g_new0 (DuplicateQuery, 1);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  query->store = g_object_ref (self->store);
  query->category = selected_category (self);
  if (self->consumer != NULL)
    {
      query->account = g_strdup (bd_consumer_get_account (self->consumer));
      query->dt = g_strdup (bd_consumer_get_dt (self->consumer));
      query->feeder = g_strdup (bd_consumer_get_feeder (self->consumer));
      query->pole = g_strdup (bd_consumer_get_pole (self->consumer));
    }
  task = g_task_new (NULL, self->cancellable, on_duplicates_cb, self);
  g_task_set_source_tag (task, duplicates_thread);
  g_task_set_task_data (task, query, (GDestroyNotify) duplicate_query_free);
  g_task_run_in_thread (task, duplicates_thread);
}

static void
on_category_changed_cb (BdComplaintDialog *self)
{
  look_for_duplicates (self);
}

typedef struct {
  BdConsumerStore *store;
  BdComplaint     *draft;
  char            *username;
  BdRole           role;
} FileData;

static void
file_data_free (FileData *data)
{
  g_clear_object (&data->store);
  g_clear_pointer (&data->draft, bd_complaint_free);
  g_free (data->username);
  g_free (data);
}

static void
file_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  FileData *data = task_data;
  g_autoptr(GError) error = NULL;
  BdStoredComplaint *stored;

  stored = bd_consumer_store_file_complaint (data->store, data->draft, data->username, data->role,
                                             g_get_real_time () / G_USEC_PER_SEC, &error);
  if (stored == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, stored, (GDestroyNotify) bd_stored_complaint_free);
}

static void
on_filed_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(BdComplaintDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BdStoredComplaint) stored = g_task_propagate_pointer (G_TASK (result), &error);

  set_busy (self, FALSE);
  if (stored == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }
  g_signal_emit (self, signals[FILED], 0, stored);
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_file_clicked_cb (BdComplaintDialog *self)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *description = NULL;
  g_autofree char *mobile = NULL;
  FileData *data;
  gboolean ok;

  if (self->busy)
    return;
  mobile = read_contact (self, &ok);
  if (!ok)
    return;

  description = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->description_row))));
  if (g_utf8_strlen (description, -1) > 2000)
    {
      bd_field_error_set (GTK_WIDGET (self->description_row), _("Keep the description under 2000 characters."));
      gtk_widget_grab_focus (GTK_WIDGET (self->description_row));
      return;
    }
  bd_field_error_set (GTK_WIDGET (self->description_row), NULL);
  /* On a busy line the category says it all. */
  if (*description == '\0')
    {
      g_free (description);
      description = g_strdup (bd_complaint_category_label (selected_category (self)));
    }

  data = g_new0 (FileData, 1);
  data->store = g_object_ref (self->store);
  data->username = g_strdup (bd_session_get_username (self->session));
  data->role = bd_session_get_role (self->session);
  data->draft = bd_complaint_new ();
  data->draft->category = selected_category (self);
  data->draft->description = g_steal_pointer (&description);
  data->draft->contact_mobile = g_steal_pointer (&mobile);
  data->draft->channel = channels[adw_combo_row_get_selected (self->channel_row)];
  data->draft->zone = g_strdup (bd_session_get_zone (self->session));
  if (self->consumer != NULL)
    {
      data->draft->account = g_strdup (bd_consumer_get_account (self->consumer));
      data->draft->feeder = g_strdup (bd_consumer_get_feeder (self->consumer));
      data->draft->dt = g_strdup (bd_consumer_get_dt (self->consumer));
      data->draft->pole = g_strdup (bd_consumer_get_pole (self->consumer));
      data->draft->area_type = bd_consumer_get_area_type (self->consumer);
      if (data->draft->contact_mobile == NULL && bd_consumer_get_mobile (self->consumer) != NULL)
        data->draft->contact_mobile = g_strdup (bd_consumer_get_mobile (self->consumer));
    }

  set_busy (self, TRUE);
  task = g_task_new (NULL, NULL, on_filed_cb, g_object_ref (self));
  g_task_set_source_tag (task, file_thread);
  g_task_set_task_data (task, data, (GDestroyNotify) file_data_free);
  g_task_run_in_thread (task, file_thread);
}

static void
on_file_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  on_file_clicked_cb (BD_COMPLAINT_DIALOG (widget));
}

static void
bd_complaint_dialog_dispose (GObject *object)
{
  BdComplaintDialog *self = BD_COMPLAINT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->session);
  g_clear_object (&self->consumer);
  g_clear_pointer (&self->duplicate_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (bd_complaint_dialog_parent_class)->dispose (object);
}

static void
bd_complaint_dialog_class_init (BdComplaintDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bd_complaint_dialog_dispose;

  signals[FILED] = g_signal_new ("filed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 1, BD_TYPE_STORED_COMPLAINT);
  signals[CALLER_ADDED] = g_signal_new ("caller-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                        NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_install_action (widget_class, "complaint.file", NULL,
                                   on_file_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "complaint.file", NULL);
}

static GtkWidget *
place_row (const char *title,
           const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value != NULL && *value != '\0' ? value : "—");
  gtk_widget_add_css_class (row, "property");
  return row;
}

static void
bd_complaint_dialog_init (BdComplaintDialog *self)
{
  self->duplicate_rows = g_ptr_array_new ();
}

static void
build (BdComplaintDialog *self,
       const char        *contact_hint)
{
  GtkWidget *toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  GtkWidget *form = adw_preferences_group_new ();
  GtkWidget *place = adw_preferences_group_new ();
  GtkWidget *cancel = bd_mnemonic_button_new (_("_Cancel"));
  g_autoptr(GtkStringList) categories = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) channel_names = gtk_string_list_new (NULL);
  BdRole role = bd_session_get_role (self->session);

  gtk_window_set_title (GTK_WINDOW (self), _("New Complaint"));
  gtk_window_set_default_size (GTK_WINDOW (self), 640, 680);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);

  self->toast_overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  self->file_button = GTK_BUTTON (bd_mnemonic_button_new (_("_File Complaint")));
  gtk_widget_add_css_class (GTK_WIDGET (self->file_button), "suggested-action");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->file_button), "complaint.file");
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_close), self);
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), GTK_WIDGET (self->file_button));

  if (self->consumer != NULL)
    {
      const char *secondary = NULL;
      const char *name = bd_consumer_get_names (self->consumer, &secondary);
      /* Translators: a consumer's name, then their account number. */
      g_autofree char *title = g_strdup_printf (_("%s · %s"), name, bd_consumer_get_account (self->consumer));

      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (form), title);
    }
  else
    adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (form), _("Complaint about a place"));

  for (int i = 0; i < BD_COMPLAINT_N_CATEGORIES; i++)
    gtk_string_list_append (categories, bd_complaint_category_label (i));
  self->category_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->category_row), _("Category"));
  adw_combo_row_set_model (self->category_row, G_LIST_MODEL (categories));
  adw_combo_row_set_selected (self->category_row, BD_COMPLAINT_NO_SUPPLY_SINGLE);
  g_signal_connect_swapped (self->category_row, "notify::selected", G_CALLBACK (on_category_changed_cb), self);

  self->description_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->description_row),
                                 _("What the consumer reports (the category if left empty)"));
  adw_entry_row_set_activates_default (self->description_row, TRUE);

  self->contact_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->contact_row),
                                 self->consumer != NULL && bd_consumer_get_mobile (self->consumer) != NULL
                                   ? _("Contact number (registered mobile if left empty)")
                                   : _("Contact number for updates and the closing OTP"));
  gtk_editable_set_text (GTK_EDITABLE (self->contact_row), contact_hint != NULL ? contact_hint : "");
  adw_entry_row_set_activates_default (self->contact_row, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (channels); i++)
    gtk_string_list_append (channel_names, bd_complaint_channel_label (channels[i]));
  self->channel_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->channel_row), _("Received by"));
  adw_combo_row_set_model (self->channel_row, G_LIST_MODEL (channel_names));
  /* A 1912 agent takes calls; everyone else is at a counter. */
  adw_combo_row_set_selected (self->channel_row, role == BD_ROLE_AGENT ? 0 : 1);

  adw_preferences_group_add (ADW_PREFERENCES_GROUP (form), GTK_WIDGET (self->category_row));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (form), GTK_WIDGET (self->description_row));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (form), GTK_WIDGET (self->contact_row));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (form), GTK_WIDGET (self->channel_row));

  self->duplicates_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->duplicates_group, _("Already reported — the same fault?"));
  adw_preferences_group_set_description (self->duplicates_group,
                                         _("Add this caller to an open complaint instead of filing a new one."));
  gtk_widget_set_visible (GTK_WIDGET (self->duplicates_group), FALSE);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (place), _("Where"));
  if (self->consumer != NULL)
    {
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (place), place_row (_("Feeder"), bd_consumer_get_feeder (self->consumer)));
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (place), place_row (_("Distribution transformer (DT)"), bd_consumer_get_dt (self->consumer)));
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (place), place_row (_("Pole"), bd_consumer_get_pole (self->consumer)));
    }

  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (box), form);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->duplicates_group));
  if (self->consumer != NULL)
    gtk_box_append (GTK_BOX (box), place);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (toolbar), header);
  gtk_box_append (GTK_BOX (toolbar), scrolled);
  adw_toast_overlay_set_child (self->toast_overlay, toolbar);
  adw_window_set_content (ADW_WINDOW (self), GTK_WIDGET (self->toast_overlay));
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->file_button));
  gtk_widget_grab_focus (GTK_WIDGET (self->description_row));
}

BdComplaintDialog *
bd_complaint_dialog_new (GtkWindow       *parent,
                         BdConsumerStore *store,
                         BdSession       *session,
                         BdConsumer      *consumer,
                         const char      *contact_hint)
{
  BdComplaintDialog *self;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (store), NULL);
  g_return_val_if_fail (BD_IS_SESSION (session), NULL);

  self = g_object_new (BD_TYPE_COMPLAINT_DIALOG, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  self->session = g_object_ref (session);
  self->consumer = consumer != NULL ? g_object_ref (consumer) : NULL;
  build (self, contact_hint);
  look_for_duplicates (self);
  return self;
}
