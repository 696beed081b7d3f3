/* bd-complaint-window.c: one complaint, and moving it on.
 *
 * Actions are offered only when the core's rules allow them for the
 * signed-in role and the complaint's state; each asks for its note (the
 * assignee, the reason, what was done) and is queued through the outbox,
 * so the window says "queued" until the server's answer comes back with
 * the new state. Closing asks for the consumer's OTP (sent to the
 * complaint's contact number; this needs the server), or lets a
 * supervisor close with a recorded reason.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cairo-pdf.h>
#include <glib/gi18n-lib.h>

#include "core/bd-codec.h"
#include "core/bd-money.h"
#include "core/bd-time.h"

#include "bd-complaint-format.h"
#include "bd-complaint-window.h"
#include "bd-consumer-format.h"

#define REFRESH_SECONDS 2

struct _BdComplaintWindow
{
  AdwWindow          parent_instance;

  BdApplication     *app;
  char              *id;
  BdStoredComplaint *stored;
  char              *otp_id;     /* a closure OTP sent from here */
  guint              refresh_id;

  AdwWindowTitle    *title;
  AdwToastOverlay   *toast_overlay;
  GtkBox            *content;
  GtkWidget         *page;       /* rebuilt on every refresh */
};

G_DEFINE_FINAL_TYPE (BdComplaintWindow, bd_complaint_window, ADW_TYPE_WINDOW)

typedef struct {
  BdComplaintAction action;
  const char       *label;      /* the button */
  const char       *prompt;     /* the note asked for, or NULL */
} ActionSpec;

static const ActionSpec action_specs[] = {
  { BD_COMPLAINT_ACTION_ASSIGN, N_("_Assign…"), N_("Assign to (field team or lineman)") },
  { BD_COMPLAINT_ACTION_START, N_("_Start Work"), NULL },
  { BD_COMPLAINT_ACTION_PAUSE, N_("_Pause Clock…"), N_("Why the clock stops (waiting for the consumer)") },
  { BD_COMPLAINT_ACTION_RESUME, N_("Res_ume Clock"), NULL },
  { BD_COMPLAINT_ACTION_RESOLVE, N_("_Resolve…"), N_("What was done") },
  { BD_COMPLAINT_ACTION_REOPEN, N_("Re_open…"), N_("The consumer’s reason for reopening") },
  { BD_COMPLAINT_ACTION_ESCALATE, N_("_Escalate…"), N_("Reason for escalating (CGRF, then ombudsman)") },
  { BD_COMPLAINT_ACTION_REJECT, N_("Re_ject…"), N_("Reason for rejecting") },
};

static void refresh (BdComplaintWindow *self);

static void
toast (BdComplaintWindow *self,
       const char        *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static void
queue_action (BdComplaintWindow *self,
              BdComplaintAction  action,
              const char        *note,
              const char        *otp_id)
{
  BdConsumerStore *store = bd_application_get_store (self->app);
  BdSession *session = bd_application_get_session (self->app);
  BdPushWorker *worker = bd_application_get_push_worker (self->app);
  g_autoptr(GError) error = NULL;

  if (store == NULL || session == NULL)
    return;
  /* One small transaction on the writer: well under a frame. */
  if (bd_consumer_store_queue_complaint_action (store, self->id, action, note, otp_id, NULL, NULL,
                                                bd_session_get_role (session) == BD_ROLE_AGENT
                                                  ? BD_COMPLAINT_CHANNEL_PHONE : BD_COMPLAINT_CHANNEL_COUNTER,
                                                bd_session_get_username (session), &error) < 0)
    {
      toast (self, error->message);
      return;
    }
  if (worker != NULL)
    bd_push_worker_kick (worker);
  toast (self, _("Queued — it is sent to the server now, or as soon as the desk is online."));
  refresh (self);
}

static void
on_note_response_cb (AdwMessageDialog  *dialog,
                     const char        *response,
                     BdComplaintWindow *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  BdComplaintAction action = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "action"));
  g_autofree char *note = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  if (!g_str_equal (response, "apply"))
    return;
  queue_action (self, action, *note != '\0' ? note : NULL, NULL);
}

/* Asks for the action's note, then queues it. The rules check the note
 * again, so an empty one gets the rule's own message. */
static void
ask_note (BdComplaintWindow *self,
          BdComplaintAction  action,
          const char        *heading,
          const char        *prompt)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, NULL);
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
  g_signal_connect (dialog, "response", G_CALLBACK (on_note_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_action_clicked_cb (GtkButton         *button,
                      BdComplaintWindow *self)
{
  const ActionSpec *spec = g_object_get_data (G_OBJECT (button), "spec");

  if (spec->prompt == NULL)
    {
      queue_action (self, spec->action, NULL, NULL);
      return;
    }
  ask_note (self, spec->action, bd_complaint_action_label (spec->action), _(spec->prompt));
}

/* ---- closing ------------------------------------------------------------- */

static void
on_override_response_cb (AdwMessageDialog  *dialog,
                         const char        *response,
                         BdComplaintWindow *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  g_autofree char *note = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  if (g_str_equal (response, "apply"))
    queue_action (self, BD_COMPLAINT_ACTION_CLOSE, *note != '\0' ? note : NULL, NULL);
}

static void
on_override_clicked_cb (GtkButton         *button,
                        BdComplaintWindow *self)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Close Without the Consumer’s OTP"),
                                              _("The reason is recorded in the complaint’s timeline under your name."));
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Reason for closing without the OTP"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Reason for closing without the OTP"), -1);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "apply", _("_Close Complaint"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "apply", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "apply");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_signal_connect (dialog, "response", G_CALLBACK (on_override_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_otp_verified_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(BdComplaintWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BdOtpTicket) ticket = bd_client_verify_otp_finish (BD_CLIENT (source), result, NULL, &error);

  if (ticket == NULL)
    {
      toast (self, error->message);
      return;
    }
  queue_action (self, BD_COMPLAINT_ACTION_CLOSE, NULL, self->otp_id);
}

static void
on_code_response_cb (AdwMessageDialog  *dialog,
                     const char        *response,
                     BdComplaintWindow *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  BdClient *client = bd_application_get_client (self->app);

  if (!g_str_equal (response, "apply") || client == NULL || self->otp_id == NULL)
    return;
  bd_client_verify_otp_async (client, self->otp_id, gtk_editable_get_text (entry), NULL,
                              on_otp_verified_cb, g_object_ref (self));
}

static void
on_close_otp_sent_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(BdComplaintWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = bd_client_send_json_finish (BD_CLIENT (source), result, NULL, &error);
  GtkWidget *dialog;
  GtkWidget *entry;
  const char *id;

  if (answer == NULL)
    {
      toast (self, error->message);
      return;
    }
  id = JSON_NODE_HOLDS_OBJECT (answer)
         ? json_object_get_string_member_with_default (json_node_get_object (answer), "id", NULL) : NULL;
  if (id == NULL)
    {
      toast (self, _("The server’s answer could not be read."));
      return;
    }
  g_free (self->otp_id);
  self->otp_id = g_strdup (id);

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Consumer’s OTP"),
                                   _("An OTP was sent to the complaint’s contact number. Ask the consumer for it to confirm that the complaint is resolved."));
  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("6-digit OTP"));
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_PIN);
  gtk_entry_set_max_length (GTK_ENTRY (entry), 6);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("6-digit OTP"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "apply", _("_Check and Close"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "apply", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "apply");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_signal_connect (dialog, "response", G_CALLBACK (on_code_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_close_otp_clicked_cb (GtkButton         *button,
                         BdComplaintWindow *self)
{
  BdClient *client = bd_application_get_client (self->app);
  g_autofree char *path = g_strdup_printf ("/api/v1/complaints/%s/close-otp", self->id);
  g_autoptr(JsonNode) body = json_node_init_object (json_node_alloc (), json_object_new ());

  /* An OTP is valid minutes, for a consumer who is here now: never queued. */
  if (client == NULL || bd_application_is_offline_session (self->app))
    {
      toast (self, _("Sending an OTP needs the server. Try again when the desk is online."));
      return;
    }
  bd_client_send_json_async (client, "POST", path, NULL, body, NULL, on_close_otp_sent_cb, g_object_ref (self));
}

/* ---- slip ---------------------------------------------------------------- */

void
bd_complaint_draw_slip (cairo_t                 *cr,
                        const BdStoredComplaint *stored,
                        double                   width,
                        double                   height)
{
  const BdComplaint *c = stored->complaint;
  g_autofree char *number = bd_complaint_format_number (stored);
  g_autofree char *filed = bd_time_format_ist (c->created_at);
  g_autofree char *allowed = bd_format_duration (c->sla_allowed_s);
  g_autofree char *due = bd_time_format_ist (c->created_at + c->sla_allowed_s);
  g_autofree char *per_day = bd_format_paise (c->compensation_per_day_paise);
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font = pango_font_description_from_string ("Noto Sans 10");
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_append_printf (text, "<b><big>%s</big></b>\n", _("Complaint acknowledgement"));
  g_string_append_printf (text, "%s\n\n", _("UPPCL · Helpline 1912"));
  /* Translators: labels and values on the printed slip. */
  g_string_append_printf (text, "<b>%s</b> %s\n", _("Complaint number:"), number);
  if (c->account != NULL)
    g_string_append_printf (text, "<b>%s</b> %s\n", _("Account:"), c->account);
  g_string_append_printf (text, "<b>%s</b> %s\n", _("Complaint:"), bd_complaint_category_label (c->category));
  g_string_append_printf (text, "<b>%s</b> %s\n", _("Filed:"), filed);
  g_string_append_printf (text, "<b>%s</b> %s (%s)\n", _("To be resolved within:"), allowed, due);
  if (c->compensation_per_day_paise > 0)
    g_string_append_printf (text, "<b>%s</b> %s\n", _("Compensation for each day of delay:"), per_day);
  g_string_append_printf (text, "\n%s\n", _("Quote the complaint number when you call 1912. When the work is done you will get an OTP: share it only to confirm that your complaint is resolved. If you are not satisfied you can ask for the complaint to be reopened or escalated to the Consumer Grievance Redressal Forum."));
  if (bd_stored_complaint_is_provisional (stored))
    g_string_append_printf (text, "\n<i>%s</i>\n", _("This is a provisional number: the final number is sent to your mobile by SMS."));

  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, (int) ((width - 72) * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_markup (layout, text->str, -1);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_move_to (cr, 36, 36);
  pango_cairo_show_layout (cr, layout);
  cairo_rectangle (cr, 18, 18, width - 36, MIN (height - 36, pango_layout_get_height (layout) / (double) PANGO_SCALE + 36));
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  pango_font_description_free (font);
  g_object_unref (layout);
}

gboolean
bd_complaint_save_slip (const BdStoredComplaint  *stored,
                        const char               *path,
                        GError                  **error)
{
  /* A5 in points. */
  const double width = 420, height = 595;
  cairo_surface_t *surface = cairo_pdf_surface_create (path, width, height);
  cairo_t *cr = cairo_create (surface);
  cairo_status_t status;

  bd_complaint_draw_slip (cr, stored, width, height);
  cairo_show_page (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write the slip: %s"),
                   cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

static void
on_draw_page_cb (GtkPrintOperation *operation,
                 GtkPrintContext   *context,
                 int                page,
                 BdComplaintWindow *self)
{
  bd_complaint_draw_slip (gtk_print_context_get_cairo_context (context), self->stored,
                          gtk_print_context_get_width (context), gtk_print_context_get_height (context));
}

static void
on_print_clicked_cb (GtkButton         *button,
                     BdComplaintWindow *self)
{
  g_autoptr(GtkPrintOperation) operation = gtk_print_operation_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *job = g_strdup_printf (_("Complaint %s"), self->stored->complaint->number);

  gtk_print_operation_set_n_pages (operation, 1);
  gtk_print_operation_set_job_name (operation, job);
  gtk_print_operation_set_export_filename (operation, NULL);
  g_signal_connect (operation, "draw-page", G_CALLBACK (on_draw_page_cb), self);
  if (gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, GTK_WINDOW (self),
                               &error) == GTK_PRINT_OPERATION_RESULT_ERROR)
    toast (self, error->message);
}

/* ---- the page ------------------------------------------------------------ */

static GtkWidget *
property_row (const char *title,
              const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value != NULL && *value != '\0' ? value : "—");
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_add_css_class (row, "property");
  return row;
}

static GtkWidget *
action_button (BdComplaintWindow *self,
               const char        *label,
               GCallback          callback,
               gpointer           data)
{
  GtkWidget *button = bd_mnemonic_button_new (label);

  if (data != NULL)
    g_object_set_data (G_OBJECT (button), "spec", data);
  g_signal_connect (button, "clicked", callback, self);
  return button;
}

static GtkWidget *
build_page (BdComplaintWindow *self)
{
  const BdComplaint *c = self->stored->complaint;
  BdSession *session = bd_application_get_session (self->app);
  BdConsumerStore *store = bd_application_get_store (self->app);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  GtkWidget *facts = adw_preferences_group_new ();
  GtkWidget *timeline = adw_preferences_group_new ();
  GtkWidget *actions = gtk_flow_box_new ();
  GtkWidget *clock_label;
  g_autofree char *number = bd_complaint_format_number (self->stored);
  g_autofree char *clock = bd_complaint_format_sla (c, now);
  g_autofree char *pending = bd_complaint_format_pending (store, self->stored);
  g_autofree char *filed = bd_time_format_ist (c->created_at);
  g_autofree char *callers = g_strdup_printf ("%d", c->callers);
  g_autofree char *escalation = NULL;
  BdRole role = session != NULL ? bd_session_get_role (session) : BD_ROLE_AGENT;
  BdComplaintStatus to;

  adw_window_title_set_title (self->title, number);
  adw_window_title_set_subtitle (self->title, bd_complaint_category_label (c->category));

  clock_label = gtk_label_new (clock);
  gtk_widget_add_css_class (clock_label, "title-2");
  gtk_widget_add_css_class (clock_label, bd_complaint_sla_css_class (c, now));
  gtk_label_set_wrap (GTK_LABEL (clock_label), TRUE);
  gtk_box_append (GTK_BOX (box), clock_label);
  if (pending != NULL)
    {
      GtkWidget *label = gtk_label_new (pending);

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "emergency");
      gtk_box_append (GTK_BOX (box), label);
    }

  escalation = c->escalation_level == 0 ? g_strdup (_("None"))
             : g_strdup (c->escalation_level == 1 ? _("Consumer Grievance Redressal Forum (CGRF)")
                                                  : _("Electricity ombudsman"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (facts), property_row (_("Status"), bd_complaint_status_label (c->status)));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (facts), property_row (_("Account"), c->account));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (facts), property_row (_("What was reported"), c->description));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (facts), property_row (_("Assigned to"), c->assigned_to));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (facts), property_row (_("Callers"), callers));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (facts), property_row (_("Escalated to"), escalation));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (facts), property_row (_("Filed"), filed));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (facts), property_row (_("Received by"), bd_complaint_channel_label (c->channel)));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (facts), property_row (_("Distribution transformer (DT)"), c->dt));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (facts), property_row (_("Feeder"), c->feeder));

  /* The actions this role may take from this state; a queued one waits. */
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (actions), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (actions), 4);
  if (pending == NULL && !bd_stored_complaint_is_provisional (self->stored))
    {
      for (guint i = 0; i < G_N_ELEMENTS (action_specs); i++)
        if (bd_complaint_check_action (c, action_specs[i].action, role, "x", FALSE, &to, NULL))
          gtk_flow_box_append (GTK_FLOW_BOX (actions),
                               action_button (self, _(action_specs[i].label), G_CALLBACK (on_action_clicked_cb),
                                              (gpointer) &action_specs[i]));
      if (bd_complaint_check_action (c, BD_COMPLAINT_ACTION_CLOSE, role, NULL, TRUE, &to, NULL))
        gtk_flow_box_append (GTK_FLOW_BOX (actions),
                             action_button (self, _("_Close with Consumer’s OTP…"), G_CALLBACK (on_close_otp_clicked_cb), NULL));
      if (bd_complaint_check_action (c, BD_COMPLAINT_ACTION_CLOSE, role, "x", FALSE, &to, NULL))
        gtk_flow_box_append (GTK_FLOW_BOX (actions),
                             action_button (self, _("Close _Without OTP…"), G_CALLBACK (on_override_clicked_cb), NULL));
    }
  gtk_flow_box_append (GTK_FLOW_BOX (actions),
                       action_button (self, _("_Print Slip…"), G_CALLBACK (on_print_clicked_cb), NULL));
  gtk_box_append (GTK_BOX (box), actions);
  gtk_box_append (GTK_BOX (box), facts);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (timeline), _("Timeline"));
  for (guint i = 0; i < c->events->len; i++)
    {
      const BdComplaintEvent *event = g_ptr_array_index (c->events, i);
      g_autofree char *when = bd_time_format_ist (event->at);
      g_autofree char *subtitle = NULL;

      /* Translators: who, their role, when; then the note if any. */
      subtitle = event->note != NULL
                   ? g_strdup_printf (_("%s (%s), %s — %s"), event->by, bd_role_to_string (event->role), when, event->note)
                   : g_strdup_printf (_("%s (%s), %s"), event->by, bd_role_to_string (event->role), when);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (timeline),
                                 property_row (bd_complaint_action_label (event->action), subtitle));
    }
  if (c->events->len == 0)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (timeline),
                                           _("The timeline comes with the complaint from the server."));
  gtk_box_append (GTK_BOX (box), timeline);

  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  return box;
}

typedef struct {
  BdConsumerStore   *store;
  char              *id;
} Load;

static void
load_free (Load *load)
{
  g_clear_object (&load->store);
  g_free (load->id);
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
  BdStoredComplaint *stored = bd_consumer_store_load_complaint (load->store, load->id, &error);

  if (stored == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, stored, (GDestroyNotify) bd_stored_complaint_free);
}

static void
on_loaded_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(BdComplaintWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  BdStoredComplaint *stored = g_task_propagate_pointer (G_TASK (result), &error);
  GtkWidget *scrolled;
  GtkWidget *clamp;

  if (stored == NULL)
    {
      toast (self, error->message);
      return;
    }
  g_clear_pointer (&self->stored, bd_stored_complaint_free);
  self->stored = stored;

  if (self->page != NULL)
    gtk_box_remove (self->content, self->page);
  scrolled = gtk_scrolled_window_new ();
  clamp = adw_clamp_new ();
  adw_clamp_set_child (ADW_CLAMP (clamp), build_page (self));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  self->page = scrolled;
  gtk_box_append (self->content, scrolled);
}

static void
refresh (BdComplaintWindow *self)
{
  BdConsumerStore *store = bd_application_get_store (self->app);
  g_autoptr(GTask) task = NULL;
  Load *load;

  if (store == NULL)
    return;
  load = g_new0 (Load, 1);
  load->store = g_object_ref (store);
  load->id = g_strdup (self->id);
  task = g_task_new (NULL, NULL, on_loaded_cb, g_object_ref (self));
  g_task_set_source_tag (task, load_thread);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  g_task_run_in_thread (task, load_thread);
}

/* The answer to a queued action, the confirmation of a filing or the
 * feed's next page can change the complaint: look again while a change
 * is pending, so "queued" turns into the new state by itself. */
static gboolean
on_refresh_tick_cb (gpointer user_data)
{
  BdComplaintWindow *self = user_data;
  BdConsumerStore *store = bd_application_get_store (self->app);
  g_autofree char *pending = NULL;

  if (self->stored != NULL && store != NULL)
    pending = bd_complaint_format_pending (store, self->stored);
  if (pending != NULL || (self->stored != NULL && bd_stored_complaint_is_provisional (self->stored)))
    {
      /* A provisional complaint changes id when confirmed: follow it by its outbox item. */
      if (self->stored != NULL && bd_stored_complaint_is_provisional (self->stored))
        {
          g_autoptr(GPtrArray) mine = bd_consumer_store_list_complaints (store, self->stored->complaint->account,
                                                                         FALSE, 50, NULL);

          for (guint i = 0; mine != NULL && i < mine->len; i++)
            {
              BdStoredComplaint *other = g_ptr_array_index (mine, i);

              if (other->outbox_seq == self->stored->outbox_seq && !bd_stored_complaint_is_provisional (other))
                {
                  g_free (self->id);
                  self->id = g_strdup (other->complaint->id);
                }
            }
        }
      refresh (self);
    }
  return G_SOURCE_CONTINUE;
}

static void
bd_complaint_window_dispose (GObject *object)
{
  BdComplaintWindow *self = BD_COMPLAINT_WINDOW (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_object (&self->app);
  g_clear_pointer (&self->stored, bd_stored_complaint_free);

  G_OBJECT_CLASS (bd_complaint_window_parent_class)->dispose (object);
}

static void
bd_complaint_window_finalize (GObject *object)
{
  BdComplaintWindow *self = BD_COMPLAINT_WINDOW (object);

  g_free (self->id);
  g_free (self->otp_id);

  G_OBJECT_CLASS (bd_complaint_window_parent_class)->finalize (object);
}

static void
bd_complaint_window_class_init (BdComplaintWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bd_complaint_window_dispose;
  object_class->finalize = bd_complaint_window_finalize;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
bd_complaint_window_init (BdComplaintWindow *self)
{
  GtkWidget *header = adw_header_bar_new ();

  self->content = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 0));
  self->title = ADW_WINDOW_TITLE (adw_window_title_new (_("Complaint"), NULL));
  self->toast_overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->title));
  gtk_box_append (self->content, header);
  adw_toast_overlay_set_child (self->toast_overlay, GTK_WIDGET (self->content));
  adw_window_set_content (ADW_WINDOW (self), GTK_WIDGET (self->toast_overlay));
  gtk_window_set_default_size (GTK_WINDOW (self), 640, 720);
}

BdComplaintWindow *
bd_complaint_window_new (BdApplication *app,
                         GtkWindow     *parent,
                         const char    *complaint_id)
{
  BdComplaintWindow *self;

  g_return_val_if_fail (BD_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (complaint_id != NULL, NULL);

  self = g_object_new (BD_TYPE_COMPLAINT_WINDOW, "transient-for", parent, NULL);
  self->app = g_object_ref (app);
  self->id = g_strdup (complaint_id);
  refresh (self);
  self->refresh_id = g_timeout_add_seconds (REFRESH_SECONDS, on_refresh_tick_cb, self);
  return self;
}
