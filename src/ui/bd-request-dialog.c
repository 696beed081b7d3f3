/* bd-request-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "core/bd-codec.h"
#include "core/bd-complaint.h"
#include "core/bd-disconnection-rules.h"
#include "core/bd-time.h"
#include "core/bd-validate.h"

#include "bd-complaint-format.h"
#include "bd-field-error.h"
#include "bd-request-dialog.h"

static const BdRequestKind kinds[] = {
  BD_REQUEST_TEMPORARY, BD_REQUEST_PERMANENT, BD_REQUEST_NONPAYMENT, BD_REQUEST_RECONNECTION,
};

struct _BdRequestDialog
{
  AdwWindow        parent_instance;

  BdConsumerStore *store;
  BdClient        *client;
  BdPushWorker    *worker;
  BdSession       *session;
  BdConsumer      *consumer;
  GCancellable    *cancellable;
  char            *otp_id;
  gboolean         consent_ok;

  AdwComboRow     *kind_row;
  AdwEntryRow     *reason_row;
  AdwEntryRow     *when_row;
  AdwEntryRow     *reading_row;
  AdwEntryRow     *reference_row;
  GtkWidget       *consent_group;
  GtkButton       *send_otp_button;
  AdwEntryRow     *code_row;
  GtkButton       *verify_button;
  GtkLabel        *consent_label;
  AdwPreferencesGroup *guards_group;
  GPtrArray       *guard_rows;
  GtkButton       *queue_button;
  AdwToastOverlay *toast_overlay;
};

G_DEFINE_FINAL_TYPE (BdRequestDialog, bd_request_dialog, ADW_TYPE_WINDOW)

enum {
  REQUEST_QUEUED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

gboolean
bd_request_parse_when (const char  *text,
                       gint64      *out_utc,
                       GError     **error)
{
  g_autoptr(GTimeZone) ist = bd_time_zone_ist ();
  g_autoptr(GDateTime) when = NULL;
  unsigned d = 0, m = 0, y = 0, hh = 10, mm = 0;
  int fields;

  fields = text != NULL ? sscanf (text, "%2u-%2u-%4u %2u:%2u", &d, &m, &y, &hh, &mm) : 0;
  if ((fields != 3 && fields != 5) || !g_date_valid_dmy (d, m, y) || hh > 23 || mm > 59 || y < 2020 || y > 2100)
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_DATE,
                           _("Give the date as DD-MM-YYYY, with a time as HH:MM if needed, e.g. 25-11-2026 10:30."));
      return FALSE;
    }
  when = g_date_time_new (ist, (int) y, (int) m, (int) d, (int) hh, (int) mm, 0);
  *out_utc = g_date_time_to_unix (when);
  return TRUE;
}

static BdRequestKind
selected_kind (BdRequestDialog *self)
{
  guint i = adw_combo_row_get_selected (self->kind_row);
  return kinds[MIN (i, G_N_ELEMENTS (kinds) - 1)];
}

static gint64
requested_for (BdRequestDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->when_row));
  gint64 when = g_get_real_time () / G_USEC_PER_SEC;

  if (text != NULL && *text != '\0')
    bd_request_parse_when (text, &when, NULL);
  return when;
}

/* What the rules look at, from this desk's copy. */
static void
build_context (BdRequestDialog  *self,
               BdRequestContext *context,
               char            **wrong_number,
               const BdPrepaidRules *rules)
{
  g_autoptr(BdBalance) balance = bd_consumer_store_load_balance (self->store, bd_consumer_get_account (self->consumer),
                                                                 NULL, NULL);
  g_autoptr(GPtrArray) complaints = bd_consumer_store_list_complaints (self->store,
                                                                      bd_consumer_get_account (self->consumer),
                                                                      TRUE, 50, NULL);

  memset (context, 0, sizeof *context);
  context->meter_type = bd_consumer_get_meter_type (self->consumer);
  context->supply = balance != NULL ? balance->supply : bd_consumer_get_supply_status (self->consumer);
  context->balance_paise = balance != NULL ? balance->balance_paise : bd_consumer_get_balance_paise (self->consumer);
  context->communicating = balance != NULL ? balance->communicating : TRUE;
  if (balance != NULL && balance->emergency_until > 0)
    context->zero_since = balance->emergency_until - rules->emergency_credit_s;
  for (guint i = 0; complaints != NULL && i < complaints->len; i++)
    {
      BdStoredComplaint *stored = g_ptr_array_index (complaints, i);

      if (stored->complaint->category == BD_COMPLAINT_WRONG_DEDUCTION &&
          bd_complaint_status_is_open (stored->complaint->status))
        {
          context->wrong_deduction_open = TRUE;
          *wrong_number = bd_complaint_format_number (stored);
          break;
        }
    }
  context->wrong_deduction_number = *wrong_number;
}

static const char *
verdict_icon (BdGuardVerdict verdict)
{
  switch (verdict)
    {
    case BD_GUARD_BLOCK:    return "action-unavailable-symbolic";
    case BD_GUARD_SCHEDULE: return "alarm-symbolic";
    case BD_GUARD_FIELD:    return "system-users-symbolic";
    case BD_GUARD_PASS:
    default:                return "emblem-ok-symbolic";
    }
}

static void
update (BdRequestDialog *self)
{
  g_autoptr(BdPrepaidRules) rules = bd_prepaid_rules_new_default ();
  g_auto(BdRequestVerdict) verdict = { 0 };
  g_autofree char *wrong = NULL;
  BdRequestContext context;
  BdRequestKind kind;
  gboolean needs_consent;
  const char *reason;

  if (self->queue_button == NULL)
    return;
  kind = selected_kind (self);
  needs_consent = bd_request_kind_needs_consent (kind);
  gtk_widget_set_visible (GTK_WIDGET (self->reading_row), kind == BD_REQUEST_PERMANENT);
  gtk_widget_set_visible (self->consent_group, needs_consent);

  build_context (self, &context, &wrong, rules);
  bd_request_evaluate (rules, kind, &context, requested_for (self), g_get_real_time () / G_USEC_PER_SEC, &verdict);
  for (guint i = 0; i < self->guard_rows->len; i++)
    adw_preferences_group_remove (self->guards_group, g_ptr_array_index (self->guard_rows, i));
  g_ptr_array_set_size (self->guard_rows, 0);
  for (guint i = 0; i < verdict.guards->len; i++)
    {
      const BdGuard *guard = g_ptr_array_index (verdict.guards, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name (verdict_icon (guard->verdict));

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), guard->message);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      guard->verdict == BD_GUARD_BLOCK ? _("Blocked")
                                      : guard->verdict == BD_GUARD_SCHEDULE ? _("Scheduled later")
                                      : guard->verdict == BD_GUARD_FIELD ? _("Field task") : _("Allowed"), -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      adw_preferences_group_add (self->guards_group, row);
      g_ptr_array_add (self->guard_rows, row);
    }
  {
    g_autofree char *when = bd_time_format_ist (verdict.scheduled_for);
    g_autofree char *description = verdict.blocked
                                   ? g_strdup (_("As this desk reckons it, the request cannot go ahead now; the server checks again."))
                                   : g_strdup_printf (_("As this desk reckons it, the earliest time is %s; the server checks again."), when);
    adw_preferences_group_set_description (self->guards_group, description);
  }

  reason = gtk_editable_get_text (GTK_EDITABLE (self->reason_row));
  gtk_widget_set_sensitive (GTK_WIDGET (self->queue_button),
                            !verdict.blocked && reason != NULL && *reason != '\0' &&
                            (!needs_consent || self->consent_ok));
  gtk_widget_set_sensitive (GTK_WIDGET (self->send_otp_button), self->client != NULL);
  if (needs_consent && self->client == NULL)
    gtk_label_set_text (self->consent_label,
                        _("The consumer confirms their own request with an OTP, which needs the server. Queue it when the desk is online."));
}

static void
on_changed_cb (GObject         *object,
               GParamSpec      *pspec,
               BdRequestDialog *self)
{
  update (self);
}

static void
on_text_changed_cb (GtkEditable     *editable,
                    BdRequestDialog *self)
{
  bd_field_error_set (GTK_WIDGET (editable), NULL);
  update (self);
}

/* ---- the consumer's OTP ---------------------------------------------- */

static void
on_otp_sent_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  BdRequestDialog *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = bd_client_send_json_finish (BD_CLIENT (source), result, NULL, &error);
  JsonObject *object;

  if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED))
    return;
  gtk_widget_set_sensitive (GTK_WIDGET (self->send_otp_button), TRUE);
  if (answer == NULL || !JSON_NODE_HOLDS_OBJECT (answer))
    {
      gtk_label_set_text (self->consent_label, error != NULL ? error->message : _("The OTP could not be sent."));
      return;
    }
  object = json_node_get_object (answer);
  g_free (self->otp_id);
  self->otp_id = g_strdup (json_object_get_string_member_with_default (object, "id", ""));
  {
    g_autofree char *text = g_strdup_printf (_("An OTP was sent to %s. Ask the consumer to read it out."),
                                             json_object_get_string_member_with_default (object, "mobile_masked", ""));
    gtk_label_set_text (self->consent_label, text);
  }
  gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
}

static void
on_send_otp_clicked_cb (GtkButton       *button,
                        BdRequestDialog *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "account");
  json_builder_add_string_value (builder, bd_consumer_get_account (self->consumer));
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  gtk_widget_set_sensitive (GTK_WIDGET (self->send_otp_button), FALSE);
  self->consent_ok = FALSE;
  bd_client_send_json_async (self->client, "POST", "/api/v1/disconnections/consent-otp", NULL, body,
                             self->cancellable, on_otp_sent_cb, self);
}

static void
on_verified_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  BdRequestDialog *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = bd_client_send_json_finish (BD_CLIENT (source), result, NULL, &error);

  if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED))
    return;
  if (answer == NULL)
    {
      bd_field_error_set (GTK_WIDGET (self->code_row), error->message);
      return;
    }
  self->consent_ok = TRUE;
  gtk_label_set_text (self->consent_label, _("The consumer confirmed the request."));
  update (self);
}

static void
on_verify_clicked_cb (GtkButton       *button,
                      BdRequestDialog *self)
{
  const char *code = gtk_editable_get_text (GTK_EDITABLE (self->code_row));
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *path = NULL;

  if (self->otp_id == NULL || *self->otp_id == '\0')
    {
      bd_field_error_set (GTK_WIDGET (self->code_row), _("Send the OTP first."));
      return;
    }
  if (code == NULL || strlen (code) != 6 || strspn (code, "0123456789") != 6)
    {
      bd_field_error_set (GTK_WIDGET (self->code_row), _("The code has 6 digits."));
      return;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  path = g_strdup_printf ("/api/v1/otp/%s/verify", self->otp_id);
  bd_client_send_json_async (self->client, "POST", path, NULL, body, self->cancellable, on_verified_cb, self);
}

/* ---- queuing ----------------------------------------------------------- */

static void
on_queue_clicked_cb (GtkButton       *button,
                     BdRequestDialog *self)
{
  g_autoptr(BdDisconnection) draft = bd_disconnection_new ();
  g_autoptr(BdPrepaidRules) rules = bd_prepaid_rules_new_default ();
  g_auto(BdRequestVerdict) verdict = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *wrong = NULL;
  BdStoredRequest *stored;
  BdRequestContext context;
  const char *when_text = gtk_editable_get_text (GTK_EDITABLE (self->when_row));
  const char *reading = gtk_editable_get_text (GTK_EDITABLE (self->reading_row));
  const char *reference = gtk_editable_get_text (GTK_EDITABLE (self->reference_row));
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  draft->account = g_strdup (bd_consumer_get_account (self->consumer));
  draft->zone = g_strdup (bd_consumer_get_zone (self->consumer));
  draft->kind = selected_kind (self);
  draft->reason = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->reason_row))));
  if (*draft->reason == '\0')
    {
      bd_field_error_set (GTK_WIDGET (self->reason_row), _("Say why the request is made."));
      return;
    }
  draft->requested_for = now;
  if (when_text != NULL && *when_text != '\0' && !bd_request_parse_when (when_text, &draft->requested_for, &error))
    {
      bd_field_error_set (GTK_WIDGET (self->when_row), error->message);
      return;
    }
  if (draft->kind == BD_REQUEST_PERMANENT)
    {
      if (!bd_reading_parse (reading, &draft->final_reading_wh, &error))
        {
          bd_field_error_set (GTK_WIDGET (self->reading_row), error != NULL ? error->message
                                                                           : _("Give the meter's final reading in kWh."));
          return;
        }
    }
  if (reference != NULL && *reference != '\0')
    draft->reference = g_strdup (reference);
  if (bd_request_kind_needs_consent (draft->kind))
    draft->consent_otp_id = g_strdup (self->otp_id);
  build_context (self, &context, &wrong, rules);
  bd_request_evaluate (rules, draft->kind, &context, draft->requested_for, now, &verdict);
  for (guint i = 0; i < verdict.guards->len; i++)
    {
      const BdGuard *guard = g_ptr_array_index (verdict.guards, i);
      g_ptr_array_add (draft->guards, bd_guard_new (guard->code, guard->verdict, guard->message));
    }
  draft->scheduled_for = verdict.scheduled_for;
  draft->dues_paise = context.balance_paise < 0 ? -context.balance_paise : 0;

  stored = bd_consumer_store_queue_request (self->store, draft, bd_session_get_username (self->session), now, &error);
  if (stored == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The request was not saved: %s"), error->message);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      return;
    }
  g_signal_emit (self, signals[REQUEST_QUEUED], 0, stored);
  bd_stored_request_free (stored);
  if (self->worker != NULL)
    bd_push_worker_kick (self->worker);
  gtk_window_close (GTK_WINDOW (self));
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

static void
build (BdRequestDialog *self)
{
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *page = adw_preferences_page_new ();
  AdwPreferencesGroup *what = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  AdwPreferencesGroup *consent = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  g_autoptr(GtkStringList) kind_names = gtk_string_list_new (NULL);
  g_autofree char *title = g_strdup_printf (_("Request — %s"), bd_consumer_get_account (self->consumer));
  g_autofree char *subtitle = g_strdup_printf ("%s · %s", bd_consumer_get_display_name (self->consumer, FALSE),
                                               bd_consumer_get_account (self->consumer));
  GtkWidget *otp_buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_window_set_default_size (GTK_WINDOW (self), 600, 760);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  self->toast_overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  gtk_box_append (GTK_BOX (content), header);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->toast_overlay));
  adw_toast_overlay_set_child (self->toast_overlay, page);
  gtk_widget_set_vexpand (GTK_WIDGET (self->toast_overlay), TRUE);
  adw_window_set_content (ADW_WINDOW (self), content);

  adw_preferences_group_set_title (what, _("Request"));
  adw_preferences_group_set_description (what, subtitle);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    gtk_string_list_append (kind_names, bd_request_kind_label (kinds[i]));
  self->kind_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->kind_row), _("Kind"));
  adw_combo_row_set_model (self->kind_row, G_LIST_MODEL (kind_names));
  adw_preferences_group_add (what, GTK_WIDGET (self->kind_row));
  self->reason_row = entry_row (what, _("Reason"));
  self->when_row = entry_row (what, _("When (DD-MM-YYYY HH:MM, empty for now)"));
  self->reading_row = entry_row (what, _("Final meter reading in kWh"));
  self->reference_row = entry_row (what, _("Application or document number (optional)"));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), what);

  adw_preferences_group_set_title (consent, _("Consumer's consent"));
  self->consent_label = GTK_LABEL (gtk_label_new (_("The consumer confirms their own request with an OTP sent to their registered mobile.")));
  gtk_label_set_wrap (self->consent_label, TRUE);
  gtk_label_set_xalign (self->consent_label, 0);
  adw_preferences_group_add (consent, GTK_WIDGET (self->consent_label));
  self->code_row = entry_row (consent, _("6-digit code from the SMS"));
  self->send_otp_button = GTK_BUTTON (bd_mnemonic_button_new (_("_Send OTP")));
  self->verify_button = GTK_BUTTON (bd_mnemonic_button_new (_("_Check Code")));
  gtk_box_append (GTK_BOX (otp_buttons), GTK_WIDGET (self->send_otp_button));
  gtk_box_append (GTK_BOX (otp_buttons), GTK_WIDGET (self->verify_button));
  gtk_widget_set_margin_top (otp_buttons, 6);
  adw_preferences_group_add (consent, otp_buttons);
  self->consent_group = GTK_WIDGET (consent);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), consent);

  self->guards_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->guards_group, _("What the rules say"));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), self->guards_group);

  {
    AdwPreferencesGroup *actions = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());

    self->queue_button = GTK_BUTTON (bd_mnemonic_button_new (_("_Queue Request")));
    gtk_widget_add_css_class (GTK_WIDGET (self->queue_button), "suggested-action");
    gtk_widget_add_css_class (GTK_WIDGET (self->queue_button), "pill");
    gtk_widget_set_halign (GTK_WIDGET (self->queue_button), GTK_ALIGN_CENTER);
    adw_preferences_group_add (actions, GTK_WIDGET (self->queue_button));
    adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), actions);
  }

  g_signal_connect (self->kind_row, "notify::selected", G_CALLBACK (on_changed_cb), self);
  g_signal_connect (self->reason_row, "changed", G_CALLBACK (on_text_changed_cb), self);
  g_signal_connect (self->when_row, "changed", G_CALLBACK (on_text_changed_cb), self);
  g_signal_connect (self->reading_row, "changed", G_CALLBACK (on_text_changed_cb), self);
  g_signal_connect (self->code_row, "changed", G_CALLBACK (on_text_changed_cb), self);
  g_signal_connect (self->send_otp_button, "clicked", G_CALLBACK (on_send_otp_clicked_cb), self);
  g_signal_connect (self->verify_button, "clicked", G_CALLBACK (on_verify_clicked_cb), self);
  g_signal_connect (self->queue_button, "clicked", G_CALLBACK (on_queue_clicked_cb), self);
  update (self);
}

static void
bd_request_dialog_dispose (GObject *object)
{
  BdRequestDialog *self = BD_REQUEST_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->client);
  g_clear_object (&self->worker);
  g_clear_object (&self->session);
  g_clear_object (&self->consumer);
  g_clear_pointer (&self->otp_id, g_free);
  g_clear_pointer (&self->guard_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (bd_request_dialog_parent_class)->dispose (object);
}

static void
bd_request_dialog_class_init (BdRequestDialogClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = bd_request_dialog_dispose;

  signals[REQUEST_QUEUED] =
    g_signal_new ("request-queued", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
bd_request_dialog_init (BdRequestDialog *self)
{
  self->cancellable = g_cancellable_new ();
  self->guard_rows = g_ptr_array_new ();
}

BdRequestDialog *
bd_request_dialog_new (GtkWindow       *parent,
                       BdConsumerStore *store,
                       BdClient        *client,
                       BdPushWorker    *worker,
                       BdSession       *session,
                       BdConsumer      *consumer)
{
  BdRequestDialog *self;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (store), NULL);
  g_return_val_if_fail (BD_IS_SESSION (session), NULL);
  g_return_val_if_fail (BD_IS_CONSUMER (consumer), NULL);

  self = g_object_new (BD_TYPE_REQUEST_DIALOG, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  self->client = client != NULL ? g_object_ref (client) : NULL;
  self->worker = worker != NULL ? g_object_ref (worker) : NULL;
  self->session = g_object_ref (session);
  self->consumer = g_object_ref (consumer);
  build (self);
  return self;
}
