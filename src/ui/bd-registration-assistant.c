/* bd-registration-assistant.c: app registration, mobile verification and
 * mobile change at the counter, with a one-time password.
 *
 * The steps follow the consumer app's own registration: the account is
 * checked with the server, the operator confirms the person at the counter
 * is that consumer, the mobile for the code is confirmed (a new number is
 * first verified with a code of its own and then recorded), the consumer
 * reads the code out, and the app sign-in is created. Every step needs the
 * server, and says so when it cannot be reached.
 *
 * While the code step is on show one 1-second timeout counts down the
 * code's validity and the resend cooldown, and every second tick asks the
 * server for the SMS delivery state. It is removed when the step is left
 * and when the window goes away, and every request holds a reference and
 * a cancellable that dispose cancels, so nothing runs after the window.
 * The full mobile number never reaches a widget; codes are not kept once
 * sent to the server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-time.h"
#include "core/bd-validate.h"

#include "bd-complaint-format.h"
#include "bd-consumer-format.h"
#include "bd-field-error.h"
#include "bd-registration-assistant.h"

#define POLL_EVERY_TICKS 2

struct _BdRegistrationAssistant
{
  AdwWindow       parent_instance;

  BdClient       *client;
  BdConsumer     *consumer;
  BdOtpPurpose    purpose;           /* what the whole flow is for */
  BdOtpPurpose    otp_purpose;       /* the code being entered now */
  char           *new_mobile;        /* normalised, while a new number is being verified */
  BdOtpTicket    *ticket;
  char           *username;
  gboolean        temporary_password_sent;
  gboolean        mobile_changed;
  gboolean        busy;
  gboolean        confirmed_close;
  gint64          retry_at;          /* Unix UTC: no new code before this (rate limit) */
  GCancellable   *cancellable;       /* the step's request */
  GCancellable   *poll_cancellable;  /* the delivery poll */
  guint           tick_id;
  guint           ticks;
  AdwMessageDialog *confirm_dialog;

  AdwWindowTitle *window_title;
  GtkButton      *cancel_button;
  GtkStack       *stack;
  AdwEntryRow    *account_row;
  AdwActionRow   *name_row;
  AdwActionRow   *relation_row;
  AdwActionRow   *address_row;
  AdwActionRow   *identity_mobile_row;
  AdwPreferencesGroup *mobile_group;
  AdwActionRow   *registered_mobile_row;
  GtkCheckButton *registered_mobile_check;
  AdwActionRow   *new_mobile_choice_row;
  GtkCheckButton *new_mobile_check;
  AdwEntryRow    *new_mobile_row;
  AdwPreferencesGroup *otp_group;
  AdwEntryRow    *code_row;
  AdwActionRow   *delivery_row;
  GtkImage       *delivery_icon;
  AdwActionRow   *expiry_row;
  GtkButton      *resend_button;
  GtkLabel       *resend_label;
  AdwEntryRow    *username_row;
  GtkSwitch      *temporary_switch;
  AdwPasswordEntryRow *password_row;
  AdwPasswordEntryRow *confirm_row;
  AdwStatusPage  *done_page;
  GtkLabel       *step_error_label;
  GtkButton      *back_button;
  GtkButton      *next_button;
  GtkLabel       *next_label;
  GtkSpinner     *spinner;
};

G_DEFINE_FINAL_TYPE (BdRegistrationAssistant, bd_registration_assistant, ADW_TYPE_WINDOW)

enum {
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const registration_steps[] = { "account", "identity", "mobile", "otp", "credentials", "done", NULL };
static const char * const verify_steps[] = { "identity", "otp", "done", NULL };
static const char * const change_steps[] = { "identity", "mobile", "otp", "done", NULL };

static void show_step        (BdRegistrationAssistant *self,
                              const char              *step);
static void update_otp_step  (BdRegistrationAssistant *self);
static void update_next      (BdRegistrationAssistant *self);
static void request_otp      (BdRegistrationAssistant *self,
                              BdOtpPurpose             purpose,
                              const char              *mobile);

static gint64
now_utc (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static const char * const *
steps (BdRegistrationAssistant *self)
{
  switch (self->purpose)
    {
    case BD_OTP_PURPOSE_VERIFY_MOBILE:
      return verify_steps;
    case BD_OTP_PURPOSE_CHANGE_MOBILE:
      return change_steps;
    case BD_OTP_PURPOSE_REGISTRATION:
    default:
      return registration_steps;
    }
}

static int
step_index (BdRegistrationAssistant *self,
            const char              *step)
{
  const char * const *list = steps (self);

  for (int i = 0; list[i] != NULL; i++)
    if (g_strcmp0 (list[i], step) == 0)
      return i;

  return -1;
}

static const char *
current_step (BdRegistrationAssistant *self)
{
  return gtk_stack_get_visible_child_name (self->stack);
}

static gboolean
is_offline_error (const GError *error)
{
  return g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_UNREACHABLE);
}

static const char *
offline_message (BdRegistrationAssistant *self)
{
  if (self->purpose == BD_OTP_PURPOSE_REGISTRATION)
    return _("Registration needs a connection to the server, and this desk cannot reach it now. Check the network, then try again.");

  return _("Sending an OTP needs a connection to the server. Check the network, then try again.");
}

static gboolean
is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED);
}

static void
show_message (BdRegistrationAssistant *self,
              const char              *message,
              gboolean                 is_error)
{
  gboolean show = message != NULL && *message != '\0';

  gtk_label_set_text (self->step_error_label, show ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->step_error_label), show);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->step_error_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->step_error_label), "error");
}

static void
show_error (BdRegistrationAssistant *self,
            const GError            *error)
{
  show_message (self, is_offline_error (error) ? offline_message (self) : error->message, TRUE);
}

static void
set_busy (BdRegistrationAssistant *self,
          gboolean                 busy)
{
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  /* The fields stay sensitive: taking the focused entry's sensitivity
   * away loses its focus-out in GTK 4.8. Next and Back wait instead. */
  update_next (self);
}

static GCancellable *
renew_cancellable (BdRegistrationAssistant *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  return self->cancellable;
}

static void
set_row_value (AdwActionRow *row,
               const char   *value)
{
  g_autofree char *escaped = NULL;
  g_autofree char *accessible = NULL;

  if (value == NULL || *value == '\0')
    value = _("Not recorded");
  escaped = g_markup_escape_text (value, -1);
  adw_action_row_set_subtitle (row, escaped);
  /* Translators: read out for a record row, e.g. "Feeder: F-12". */
  accessible = g_strdup_printf (_("%s: %s"),
                                adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), value);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

static char *
format_countdown (gint64 seconds)
{
  seconds = MAX (seconds, 0);
  /* Translators: minutes and seconds left, e.g. "4:05". */
  return g_strdup_printf (_("%d:%02d"), (int) (seconds / 60), (int) (seconds % 60));
}

static char *
dup_masked_mobile (BdRegistrationAssistant *self)
{
  if (self->new_mobile != NULL)
    return bd_mobile_mask (self->new_mobile);
  if (self->ticket != NULL && bd_otp_ticket_get_mobile_masked (self->ticket) != NULL)
    return g_strdup (bd_otp_ticket_get_mobile_masked (self->ticket));

  return self->consumer != NULL ? bd_consumer_dup_masked_mobile (self->consumer) : NULL;
}

static void
show_consumer (BdRegistrationAssistant *self)
{
  BdConsumer *c = self->consumer;
  g_autofree char *relation = NULL;
  g_autofree char *masked = NULL;
  g_autofree char *mobile_text = NULL;
  g_autofree char *name = NULL;
  const char *first;
  const char *second = NULL;
  gboolean has_mobile;

  if (c == NULL)
    return;

  relation = bd_consumer_format_relation (c);
  masked = bd_consumer_dup_masked_mobile (c);
  /* Both spellings, in the order the desk is set to show names. */
  first = bd_consumer_get_names (c, &second);
  if (second != NULL)
    /* Translators: a consumer's name in both scripts, e.g. "Asha Verma / आशा वर्मा". */
    name = g_strdup_printf (_("%s / %s"), first, second);
  else
    name = g_strdup (first);

  has_mobile = masked != NULL;
  if (has_mobile)
    /* Translators: a masked mobile and whether it is verified, e.g. "98XXXXXX10 (verified)". */
    mobile_text = g_strdup_printf (bd_consumer_get_mobile_verified (c) ? _("%s (verified)") : _("%s (not verified)"),
                                   masked);

  set_row_value (self->name_row, name);
  set_row_value (self->relation_row, relation);
  set_row_value (self->address_row, bd_consumer_get_address (c));
  set_row_value (self->identity_mobile_row, has_mobile ? mobile_text : _("No mobile on record"));

  set_row_value (self->registered_mobile_row, has_mobile ? mobile_text : _("No mobile on record"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->registered_mobile_row), has_mobile);
  if (!has_mobile || self->purpose == BD_OTP_PURPOSE_CHANGE_MOBILE)
    gtk_check_button_set_active (self->new_mobile_check, TRUE);
  /* Changing the number offers no choice: only the new number's row. */
  gtk_widget_set_visible (GTK_WIDGET (self->registered_mobile_row), self->purpose != BD_OTP_PURPOSE_CHANGE_MOBILE);
  gtk_widget_set_visible (GTK_WIDGET (self->new_mobile_choice_row), self->purpose != BD_OTP_PURPOSE_CHANGE_MOBILE);

  if (gtk_editable_get_text (GTK_EDITABLE (self->account_row))[0] == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->account_row), bd_consumer_get_account (c));
}

static void
stop_ticking (BdRegistrationAssistant *self)
{
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_cancellable_cancel (self->poll_cancellable);
  g_clear_object (&self->poll_cancellable);
}

static void
on_polled_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(BdRegistrationAssistant) self = user_data;
  g_autoptr(BdOtpTicket) ticket = NULL;
  g_autoptr(GError) error = NULL;

  ticket = bd_client_get_otp_finish (BD_CLIENT (source), result, &error);
  if (ticket == NULL)
    {
      if (!is_cancelled (error))
        {
          g_clear_object (&self->poll_cancellable);
          g_debug ("Could not read the OTP's delivery state: %s", error->message);
        }
      return;
    }
  g_clear_object (&self->poll_cancellable);

  /* A resend may have replaced the ticket while this was on its way. */
  if (self->ticket == NULL ||
      g_strcmp0 (bd_otp_ticket_get_id (self->ticket), bd_otp_ticket_get_id (ticket)) != 0)
    return;

  g_set_object (&self->ticket, ticket);
  update_otp_step (self);
}

static gboolean
needs_poll (BdRegistrationAssistant *self)
{
  BdSmsStatus delivery;

  if (self->ticket == NULL || self->client == NULL ||
      bd_otp_ticket_get_state (self->ticket) != BD_OTP_STATE_PENDING)
    return FALSE;

  delivery = bd_otp_ticket_get_delivery (self->ticket);
  return delivery == BD_SMS_STATUS_QUEUED || delivery == BD_SMS_STATUS_SENT;
}

static gboolean
on_tick_cb (gpointer user_data)
{
  BdRegistrationAssistant *self = user_data;

  self->ticks++;
  if (self->ticks % POLL_EVERY_TICKS == 0 && self->poll_cancellable == NULL && needs_poll (self))
    {
      self->poll_cancellable = g_cancellable_new ();
      bd_client_get_otp_async (self->client, bd_otp_ticket_get_id (self->ticket), self->poll_cancellable,
                               on_polled_cb, g_object_ref (self));
    }
  update_otp_step (self);

  return G_SOURCE_CONTINUE;
}

static void
start_ticking (BdRegistrationAssistant *self)
{
  if (self->tick_id == 0)
    self->tick_id = g_timeout_add (1000, on_tick_cb, self);
}

static const char *
delivery_icon_name (BdSmsStatus status)
{
  switch (status)
    {
    case BD_SMS_STATUS_DELIVERED:
      return "emblem-ok-symbolic";
    case BD_SMS_STATUS_FAILED:
      return "dialog-error-symbolic";
    case BD_SMS_STATUS_QUEUED:
    case BD_SMS_STATUS_SENT:
    default:
      return "mail-send-symbolic";
    }
}

static void
update_otp_step (BdRegistrationAssistant *self)
{
  BdOtpTicket *t = self->ticket;
  g_autofree char *masked = NULL;
  g_autofree char *description = NULL;
  g_autofree char *left = NULL;
  g_autofree char *until = NULL;
  g_autofree char *expiry = NULL;
  g_autofree char *resend = NULL;
  g_autofree char *delivery = NULL;
  gint64 now = now_utc ();
  gint64 cooldown;
  BdSmsStatus status;
  BdOtpState state;

  if (t == NULL)
    return;

  masked = dup_masked_mobile (self);
  if (self->otp_purpose == BD_OTP_PURPOSE_CHANGE_MOBILE)
    /* Translators: %s is a masked mobile number, e.g. "98XXXXXX10". */
    description = g_strdup_printf (_("A 6-digit code was sent by SMS to the new number %s. Ask the consumer to read it out. Staff never need it for anything else."),
                                   masked != NULL ? masked : "");
  else
    /* Translators: %s is a masked mobile number, e.g. "98XXXXXX10". */
    description = g_strdup_printf (_("A 6-digit code was sent by SMS to %s. Ask the consumer to read it out. Staff never need it for anything else."),
                                   masked != NULL ? masked : "");
  adw_preferences_group_set_description (self->otp_group, description);

  status = bd_otp_ticket_get_delivery (t);
  if (status == BD_SMS_STATUS_FAILED)
    /* Translators: %s is "Failed". */
    delivery = g_strdup_printf (_("%s — the SMS could not be delivered. Check that the phone is on, then resend the code."),
                                bd_sms_status_to_label (status));
  else
    delivery = g_strdup (bd_sms_status_to_label (status));
  set_row_value (self->delivery_row, delivery);
  gtk_image_set_from_icon_name (self->delivery_icon, delivery_icon_name (status));

  state = bd_otp_ticket_get_state (t);
  if (state == BD_OTP_STATE_VERIFIED || state == BD_OTP_STATE_USED)
    expiry = g_strdup (_("Code accepted"));
  else if (state == BD_OTP_STATE_LOCKED)
    expiry = g_strdup (_("Too many wrong codes: send a new code"));
  else if (state == BD_OTP_STATE_EXPIRED || bd_otp_ticket_get_expires_at (t) <= now)
    expiry = g_strdup (_("The code has expired: send a new code"));
  else
    {
      left = format_countdown (bd_otp_ticket_get_expires_at (t) - now);
      until = bd_time_format_ist (bd_otp_ticket_get_expires_at (t));
      /* Translators: time left, then when the code stops working, e.g. "4:05 (valid until 23-11-2026 15:45 IST)". */
      expiry = g_strdup_printf (_("%s (valid until %s)"), left, until);
    }
  set_row_value (self->expiry_row, expiry);

  cooldown = MAX (bd_otp_ticket_get_resend_after (t), self->retry_at) - now;
  if (state == BD_OTP_STATE_VERIFIED || state == BD_OTP_STATE_USED)
    {
      resend = g_strdup (_("Resend code"));
      gtk_widget_set_sensitive (GTK_WIDGET (self->resend_button), FALSE);
    }
  else if (bd_otp_ticket_get_sends_left (t) <= 0)
    {
      resend = g_strdup (_("No more codes for now"));
      gtk_widget_set_sensitive (GTK_WIDGET (self->resend_button), FALSE);
    }
  else if (cooldown > 0)
    {
      g_autofree char *wait = format_countdown (cooldown);

      /* Translators: the resend button during its cooldown, e.g. "Resend in 0:25". */
      resend = g_strdup_printf (_("Resend in %s"), wait);
      gtk_widget_set_sensitive (GTK_WIDGET (self->resend_button), FALSE);
    }
  else
    {
      resend = g_strdup (_("Resend code"));
      gtk_widget_set_sensitive (GTK_WIDGET (self->resend_button), !self->busy);
    }
  gtk_label_set_text (self->resend_label, resend);
}

static void
update_next (BdRegistrationAssistant *self)
{
  const char *step = current_step (self);
  const char *label = _("_Continue");
  gboolean ready = TRUE;

  /* Signals of the template's own construction. */
  if (self->next_label == NULL)
    return;

  if (g_strcmp0 (step, "account") == 0)
    {
      ready = gtk_editable_get_text (GTK_EDITABLE (self->account_row))[0] != '\0';
      label = _("_Check account");
    }
  else if (g_strcmp0 (step, "identity") == 0)
    {
      label = self->purpose == BD_OTP_PURPOSE_VERIFY_MOBILE ? _("_Send code") : _("_Confirm");
    }
  else if (g_strcmp0 (step, "mobile") == 0)
    {
      ready = gtk_check_button_get_active (self->registered_mobile_check) ||
              gtk_editable_get_text (GTK_EDITABLE (self->new_mobile_row))[0] != '\0';
      label = _("_Send code");
    }
  else if (g_strcmp0 (step, "otp") == 0)
    {
      gboolean verified = self->ticket != NULL && bd_otp_ticket_get_state (self->ticket) == BD_OTP_STATE_VERIFIED;

      ready = verified || gtk_editable_get_text (GTK_EDITABLE (self->code_row))[0] != '\0';
      label = verified ? _("_Continue") : _("_Verify code");
    }
  else if (g_strcmp0 (step, "credentials") == 0)
    {
      gboolean temporary = gtk_switch_get_active (self->temporary_switch);

      ready = gtk_editable_get_text (GTK_EDITABLE (self->username_row))[0] != '\0' &&
              (temporary || (gtk_editable_get_text (GTK_EDITABLE (self->password_row))[0] != '\0' &&
                             gtk_editable_get_text (GTK_EDITABLE (self->confirm_row))[0] != '\0'));
      label = _("_Register");
    }
  else if (g_strcmp0 (step, "done") == 0)
    {
      label = _("_Close");
    }

  gtk_label_set_text_with_mnemonic (self->next_label, label);
  /* The name without the mnemonic marker, for screen readers and tests. */
  {
    g_autofree char *plain = g_strdup (label);
    char *w = plain;

    for (const char *r = label; *r != '\0'; r++)
      if (*r != '_')
        *w++ = *r;
    *w = '\0';
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->next_button),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, plain,
                                    -1);
  }
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), ready && !self->busy);
}

static void
finish (BdRegistrationAssistant *self)
{
  g_autofree char *masked = dup_masked_mobile (self);
  g_autofree char *description = NULL;
  const char *name = self->consumer != NULL ? bd_consumer_get_names (self->consumer, NULL) : "";

  stop_ticking (self);

  switch (self->purpose)
    {
    case BD_OTP_PURPOSE_REGISTRATION:
      adw_status_page_set_title (self->done_page, _("Registered for the app"));
      if (self->temporary_password_sent)
        /* Translators: a name, an app username, then a masked mobile. */
        description = g_strdup_printf (_("%s can now sign in to the app as “%s”. A temporary password was sent by SMS to %s; the app asks for a new one at the first sign-in."),
                                       name, self->username, masked != NULL ? masked : "");
      else
        /* Translators: a name, then an app username. */
        description = g_strdup_printf (_("%s can now sign in to the app as “%s” with the password just chosen."),
                                       name, self->username);
      break;
    case BD_OTP_PURPOSE_VERIFY_MOBILE:
      adw_status_page_set_title (self->done_page, _("Mobile number verified"));
      /* Translators: %s is a masked mobile number. */
      description = g_strdup_printf (_("%s is now recorded as verified. The change reaches this desk with the next sync."),
                                     masked != NULL ? masked : "");
      break;
    case BD_OTP_PURPOSE_CHANGE_MOBILE:
    default:
      adw_status_page_set_title (self->done_page, _("Mobile number changed"));
      /* Translators: %s is a masked mobile number. */
      description = g_strdup_printf (_("The new number %s is recorded and verified. The change reaches this desk with the next sync."),
                                     masked != NULL ? masked : "");
      break;
    }
  adw_status_page_set_description (self->done_page, description);
  show_step (self, "done");
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
}

static void
on_registered_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data);

static void
on_conflict_checked_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(BdRegistrationAssistant) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *username = NULL;
  g_autofree char *message = NULL;

  username = bd_client_get_registration_finish (BD_CLIENT (source), result, NULL, &error);
  if (is_cancelled (error))
    return;
  set_busy (self, FALSE);

  if (username != NULL)
    {
      /* Translators: %s is an app username. */
      message = g_strdup_printf (_("This account was registered meanwhile, as “%s”. Close the assistant."), username);
      show_message (self, message, TRUE);
      return;
    }

  bd_field_error_set (GTK_WIDGET (self->username_row),
                      _("This username is taken. Ask the consumer for another one."));
  gtk_widget_grab_focus (GTK_WIDGET (self->username_row));
}

static void
on_registered_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(BdRegistrationAssistant) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean temporary = FALSE;

  if (!bd_client_register_finish (BD_CLIENT (source), result, &temporary, &error))
    {
      if (is_cancelled (error))
        return;

      /* Taken username or an account registered meanwhile: both 409; ask
       * which, so the message can say what to do. */
      if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_CONFLICT))
        {
          bd_client_get_registration_async (self->client, bd_consumer_get_account (self->consumer),
                                            renew_cancellable (self), on_conflict_checked_cb,
                                            g_object_ref (self));
          return;
        }

      set_busy (self, FALSE);
      if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_INVALID_REQUEST) ||
          g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_OTP_DEAD))
        {
          /* Translators: %s is the server's reason. */
          g_autofree char *message = g_strdup_printf (_("The server did not accept the registration: %s"), error->message);

          show_message (self, message, TRUE);
          return;
        }
      show_error (self, error);
      return;
    }

  set_busy (self, FALSE);
  self->temporary_password_sent = temporary;
  finish (self);
}

static void
submit_credentials (BdRegistrationAssistant *self)
{
  g_autofree char *username = NULL;
  g_autoptr(GError) error = NULL;
  gboolean temporary = gtk_switch_get_active (self->temporary_switch);
  const char *password = NULL;
  gboolean ok = TRUE;

  username = bd_username_normalize (gtk_editable_get_text (GTK_EDITABLE (self->username_row)), &error);
  if (username == NULL)
    {
      bd_field_error_set (GTK_WIDGET (self->username_row), error->message);
      g_clear_error (&error);
      ok = FALSE;
    }

  if (!temporary)
    {
      password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
      if (!bd_app_password_check (password, &error))
        {
          bd_field_error_set (GTK_WIDGET (self->password_row), error->message);
          g_clear_error (&error);
          ok = FALSE;
        }
      else if (g_strcmp0 (password, gtk_editable_get_text (GTK_EDITABLE (self->confirm_row))) != 0)
        {
          bd_field_error_set (GTK_WIDGET (self->confirm_row),
                              _("The two passwords differ. Type the same password twice."));
          ok = FALSE;
        }
    }

  if (!ok)
    return;

  g_free (self->username);
  self->username = g_strdup (username);
  set_busy (self, TRUE);
  show_message (self, NULL, FALSE);
  bd_client_register_async (self->client, bd_consumer_get_account (self->consumer),
                            bd_otp_ticket_get_id (self->ticket), username, password,
                            renew_cancellable (self), on_registered_cb, g_object_ref (self));
}

static void
after_code_verified (BdRegistrationAssistant *self)
{
  if (self->otp_purpose == BD_OTP_PURPOSE_CHANGE_MOBILE)
    {
      self->mobile_changed = TRUE;
      if (self->purpose == BD_OTP_PURPOSE_REGISTRATION)
        {
          /* The new number is the registered one now: the registration
           * itself needs a code of its own, sent to it. */
          request_otp (self, BD_OTP_PURPOSE_REGISTRATION, NULL);
          return;
        }
      finish (self);
      return;
    }

  if (self->purpose == BD_OTP_PURPOSE_REGISTRATION)
    show_step (self, "credentials");
  else
    finish (self);
}

static void
on_code_verified_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(BdRegistrationAssistant) self = user_data;
  g_autoptr(BdOtpTicket) ticket = NULL;
  g_autoptr(GError) error = NULL;
  gint attempts_left = -1;

  ticket = bd_client_verify_otp_finish (BD_CLIENT (source), result, &attempts_left, &error);
  if (ticket == NULL && is_cancelled (error))
    return;
  set_busy (self, FALSE);

  if (ticket == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_OTP_WRONG))
        {
          if (attempts_left > 0)
            message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                    "Wrong code. %d more try before the code stops working.",
                                                    "Wrong code. %d more tries before the code stops working.",
                                                    (gulong) attempts_left),
                                       attempts_left);
          else
            message = g_strdup (_("Wrong code. Check the SMS with the consumer and type it again."));
          if (self->ticket != NULL && attempts_left >= 0)
            bd_otp_ticket_set_attempts_left (self->ticket, attempts_left);
        }
      else if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_OTP_DEAD))
        {
          message = g_strdup (_("This code no longer works: it expired, was already used, or was typed wrong too often. Send a new code."));
          if (self->ticket != NULL)
            bd_otp_ticket_set_state (self->ticket, BD_OTP_STATE_LOCKED);
        }
      else if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_INVALID_REQUEST))
        {
          message = g_strdup (_("The code is the 6 digits in the SMS, without spaces."));
        }

      if (message != NULL)
        {
          bd_field_error_set (GTK_WIDGET (self->code_row), message);
          gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
        }
      else
        {
          show_error (self, error);
        }
      update_otp_step (self);
      return;
    }

  g_set_object (&self->ticket, ticket);
  /* The code has done its job; it is not kept on screen. */
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
  update_otp_step (self);
  after_code_verified (self);
}

static void
submit_code (BdRegistrationAssistant *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->code_row));
  GString *digits = g_string_new (NULL);
  g_autofree char *code = NULL;
  gboolean ok = TRUE;

  if (self->ticket != NULL && bd_otp_ticket_get_state (self->ticket) == BD_OTP_STATE_VERIFIED)
    {
      g_string_free (digits, TRUE);
      after_code_verified (self);
      return;
    }

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
      else if (*p != ' ' && *p != '-')
        ok = FALSE;
    }
  code = g_string_free (digits, FALSE);

  if (!ok || strlen (code) != 6)
    {
      bd_field_error_set (GTK_WIDGET (self->code_row), _("The code is the 6 digits in the SMS, without spaces."));
      return;
    }
  if (self->ticket == NULL)
    return;

  set_busy (self, TRUE);
  show_message (self, NULL, FALSE);
  bd_client_verify_otp_async (self->client, bd_otp_ticket_get_id (self->ticket), code,
                              renew_cancellable (self), on_code_verified_cb, g_object_ref (self));
}

static char *
format_retry (gint retry_after)
{
  if (retry_after >= 120)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Too many codes were sent to this number or account. Try again in %d minute.",
                                         "Too many codes were sent to this number or account. Try again in %d minutes.",
                                         (gulong) ((retry_after + 59) / 60)),
                            (retry_after + 59) / 60);
  if (retry_after > 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Wait %d second before sending another code.",
                                         "Wait %d seconds before sending another code.",
                                         (gulong) retry_after),
                            retry_after);

  return g_strdup (_("Too many codes were sent to this number or account. Try again later."));
}

static void
take_ticket (BdRegistrationAssistant *self,
             BdOtpTicket             *ticket)
{
  g_set_object (&self->ticket, ticket);
  self->otp_purpose = bd_otp_ticket_get_purpose (ticket);
  self->retry_at = 0;
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
  bd_field_error_set (GTK_WIDGET (self->code_row), NULL);
  g_cancellable_cancel (self->poll_cancellable);
  g_clear_object (&self->poll_cancellable);
}

static void
on_otp_requested_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(BdRegistrationAssistant) self = user_data;
  g_autoptr(BdOtpTicket) ticket = NULL;
  g_autoptr(GError) error = NULL;
  gint retry_after = -1;

  ticket = bd_client_request_otp_finish (BD_CLIENT (source), result, &retry_after, &error);
  if (ticket == NULL && is_cancelled (error))
    return;
  set_busy (self, FALSE);

  if (ticket == NULL)
    {
      if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_RATE_LIMITED))
        {
          g_autofree char *message = format_retry (retry_after);

          self->retry_at = now_utc () + MAX (retry_after, 0);
          show_message (self, message, TRUE);
        }
      else
        {
          show_error (self, error);
        }
      return;
    }

  take_ticket (self, ticket);
  if (self->mobile_changed && bd_otp_ticket_get_purpose (ticket) == BD_OTP_PURPOSE_REGISTRATION)
    {
      g_clear_pointer (&self->new_mobile, g_free);
      show_message (self, _("The new mobile number is recorded and verified. A second code, for the registration itself, was sent to it."),
                    FALSE);
    }
  else
    {
      show_message (self, NULL, FALSE);
    }

  if (g_strcmp0 (current_step (self), "otp") != 0)
    show_step (self, "otp");
  else
    update_next (self);
  update_otp_step (self);
  start_ticking (self);
}

static void
request_otp (BdRegistrationAssistant *self,
             BdOtpPurpose             purpose,
             const char              *mobile)
{
  if (self->client == NULL)
    {
      show_message (self, offline_message (self), TRUE);
      return;
    }

  /* Back and forward again: a code still good for the same number is
   * reused rather than spending one of the few sends allowed. */
  if (self->ticket != NULL &&
      bd_otp_ticket_get_purpose (self->ticket) == purpose &&
      bd_otp_ticket_get_state (self->ticket) == BD_OTP_STATE_PENDING &&
      bd_otp_ticket_get_expires_at (self->ticket) > now_utc () + 30 &&
      (purpose != BD_OTP_PURPOSE_CHANGE_MOBILE || g_strcmp0 (mobile, self->new_mobile) == 0))
    {
      show_step (self, "otp");
      return;
    }

  if (self->retry_at > now_utc ())
    {
      g_autofree char *message = format_retry ((gint) (self->retry_at - now_utc ()));

      show_message (self, message, TRUE);
      return;
    }

  set_busy (self, TRUE);
  show_message (self, NULL, FALSE);
  bd_client_request_otp_async (self->client, bd_consumer_get_account (self->consumer), purpose, mobile,
                               renew_cancellable (self), on_otp_requested_cb, g_object_ref (self));
}

static void
on_resent_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(BdRegistrationAssistant) self = user_data;
  g_autoptr(BdOtpTicket) ticket = NULL;
  g_autoptr(GError) error = NULL;
  gint retry_after = -1;

  ticket = bd_client_resend_otp_finish (BD_CLIENT (source), result, &retry_after, &error);
  if (ticket == NULL && is_cancelled (error))
    return;
  set_busy (self, FALSE);

  if (ticket == NULL)
    {
      if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_RATE_LIMITED))
        {
          g_autofree char *message = format_retry (retry_after);

          self->retry_at = now_utc () + MAX (retry_after, 0);
          show_message (self, message, TRUE);
        }
      else
        {
          show_error (self, error);
        }
      update_otp_step (self);
      return;
    }

  take_ticket (self, ticket);
  show_message (self, _("A new code was sent. The previous code no longer works."), FALSE);
  update_otp_step (self);
  update_next (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
}

static void
on_resend_clicked_cb (BdRegistrationAssistant *self,
                      GtkButton               *button)
{
  if (self->ticket == NULL || self->client == NULL || self->busy)
    return;

  set_busy (self, TRUE);
  bd_client_resend_otp_async (self->client, bd_otp_ticket_get_id (self->ticket),
                              renew_cancellable (self), on_resent_cb, g_object_ref (self));
}

static void
submit_mobile (BdRegistrationAssistant *self)
{
  g_autofree char *mobile = NULL;
  g_autoptr(GError) error = NULL;

  if (self->purpose == BD_OTP_PURPOSE_REGISTRATION && gtk_check_button_get_active (self->registered_mobile_check))
    {
      g_clear_pointer (&self->new_mobile, g_free);
      request_otp (self, BD_OTP_PURPOSE_REGISTRATION, NULL);
      return;
    }

  mobile = bd_mobile_normalize (gtk_editable_get_text (GTK_EDITABLE (self->new_mobile_row)), &error);
  if (mobile == NULL)
    {
      bd_field_error_set (GTK_WIDGET (self->new_mobile_row), error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->new_mobile_row));
      return;
    }
  if (g_strcmp0 (mobile, bd_consumer_get_mobile (self->consumer)) == 0)
    {
      bd_field_error_set (GTK_WIDGET (self->new_mobile_row),
                          _("This is the number already on record. Choose “Registered mobile” instead."));
      return;
    }

  /* The full number is needed for the request; it is dropped once the
   * number is recorded. */
  g_free (self->new_mobile);
  self->new_mobile = g_strdup (mobile);
  request_otp (self, BD_OTP_PURPOSE_CHANGE_MOBILE, mobile);
}

static void
on_registration_checked_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(BdRegistrationAssistant) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *username = NULL;

  username = bd_client_get_registration_finish (BD_CLIENT (source), result, NULL, &error);
  if (username == NULL && is_cancelled (error))
    return;
  set_busy (self, FALSE);

  if (username != NULL)
    {
      /* Translators: %s is an app username. */
      g_autofree char *message = g_strdup_printf (_("This account is already registered in the app as “%s”. The consumer can reset the password in the app."),
                                                  username);

      bd_field_error_set (GTK_WIDGET (self->account_row), message);
      return;
    }
  if (!g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_NOT_FOUND))
    {
      show_error (self, error);
      return;
    }

  show_consumer (self);
  show_step (self, "identity");
}

static void
on_account_checked_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(BdRegistrationAssistant) self = user_data;
  g_autoptr(BdConsumer) consumer = NULL;
  g_autoptr(GError) error = NULL;

  consumer = bd_client_get_consumer_finish (BD_CLIENT (source), result, &error);
  if (consumer == NULL)
    {
      if (is_cancelled (error))
        return;
      set_busy (self, FALSE);
      if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_NOT_FOUND))
        bd_field_error_set (GTK_WIDGET (self->account_row),
                            _("No consumer of your zone has this account number. Check it on the bill."));
      else
        show_error (self, error);
      return;
    }

  /* The server's copy is the one to confirm: the desk's may be older. */
  g_set_object (&self->consumer, consumer);
  bd_client_get_registration_async (self->client, bd_consumer_get_account (consumer),
                                    renew_cancellable (self), on_registration_checked_cb,
                                    g_object_ref (self));
}

static void
submit_account (BdRegistrationAssistant *self)
{
  g_autofree char *account = NULL;
  g_autoptr(GError) error = NULL;

  account = bd_account_normalize (gtk_editable_get_text (GTK_EDITABLE (self->account_row)), &error);
  if (account == NULL)
    {
      bd_field_error_set (GTK_WIDGET (self->account_row), error->message);
      return;
    }
  if (self->client == NULL)
    {
      show_message (self, offline_message (self), TRUE);
      return;
    }

  set_busy (self, TRUE);
  show_message (self, NULL, FALSE);
  bd_client_get_consumer_async (self->client, account, renew_cancellable (self),
                                on_account_checked_cb, g_object_ref (self));
}

static void
on_next_clicked_cb (BdRegistrationAssistant *self,
                    GtkButton               *button)
{
  const char *step = current_step (self);

  if (self->busy)
    return;

  if (g_strcmp0 (step, "account") == 0)
    submit_account (self);
  else if (g_strcmp0 (step, "identity") == 0)
    {
      if (self->purpose == BD_OTP_PURPOSE_VERIFY_MOBILE)
        request_otp (self, BD_OTP_PURPOSE_VERIFY_MOBILE, NULL);
      else
        show_step (self, "mobile");
    }
  else if (g_strcmp0 (step, "mobile") == 0)
    submit_mobile (self);
  else if (g_strcmp0 (step, "otp") == 0)
    submit_code (self);
  else if (g_strcmp0 (step, "credentials") == 0)
    submit_credentials (self);
  else if (g_strcmp0 (step, "done") == 0)
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_entry_activated_cb (BdRegistrationAssistant *self,
                       AdwEntryRow             *row)
{
  if (gtk_widget_get_sensitive (GTK_WIDGET (self->next_button)))
    on_next_clicked_cb (self, self->next_button);
}

static void
on_back_clicked_cb (BdRegistrationAssistant *self,
                    GtkButton               *button)
{
  int index = step_index (self, current_step (self));

  if (self->busy || index <= 0)
    return;

  g_cancellable_cancel (self->cancellable);
  show_step (self, steps (self)[index - 1]);
}

static void
on_field_changed_cb (BdRegistrationAssistant *self)
{
  gboolean new_number = gtk_check_button_get_active (self->new_mobile_check);
  gboolean temporary = gtk_switch_get_active (self->temporary_switch);

  gtk_widget_set_sensitive (GTK_WIDGET (self->new_mobile_row), new_number);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !temporary);
  gtk_widget_set_sensitive (GTK_WIDGET (self->confirm_row), !temporary);

  /* A message about the old text is wrong about the new one. */
  bd_field_error_set (GTK_WIDGET (self->account_row), NULL);
  bd_field_error_set (GTK_WIDGET (self->new_mobile_row), NULL);
  bd_field_error_set (GTK_WIDGET (self->code_row), NULL);
  bd_field_error_set (GTK_WIDGET (self->username_row), NULL);
  bd_field_error_set (GTK_WIDGET (self->password_row), NULL);
  bd_field_error_set (GTK_WIDGET (self->confirm_row), NULL);
  update_next (self);
}

static void
on_step_changed_cb (BdRegistrationAssistant *self)
{
  update_next (self);
}

static gboolean
needs_confirmation (BdRegistrationAssistant *self)
{
  const char *step = current_step (self);

  if (self->confirmed_close || g_strcmp0 (step, "done") == 0)
    return FALSE;

  return self->ticket != NULL || step_index (self, step) > 0;
}

static gboolean
destroy_idle_cb (gpointer user_data)
{
  gtk_window_destroy (GTK_WINDOW (user_data));

  return G_SOURCE_REMOVE;
}

static void
on_confirm_response_cb (BdRegistrationAssistant *self,
                        const char              *response,
                        AdwMessageDialog        *dialog)
{
  self->confirm_dialog = NULL;
  if (g_strcmp0 (response, "stop") != 0)
    return;

  /* Not from inside the dialog's own response: it is transient for this
   * window and still being closed. */
  self->confirmed_close = TRUE;
  g_idle_add_full (G_PRIORITY_DEFAULT, destroy_idle_cb, g_object_ref (self), g_object_unref);
}

static void
ask_to_stop (BdRegistrationAssistant *self)
{
  const char *heading;
  const char *body;
  GtkWidget *dialog;

  if (self->confirm_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->confirm_dialog));
      return;
    }

  if (self->purpose == BD_OTP_PURPOSE_REGISTRATION)
    {
      heading = _("Stop the registration?");
      body = _("Nothing is registered yet. A code already sent stops working by itself within 5 minutes.");
    }
  else
    {
      heading = _("Stop verifying the mobile?");
      body = _("The mobile number on record stays as it is. A code already sent stops working by itself within 5 minutes.");
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "continue", _("_Go on"),
                                    "stop", _("_Stop"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "continue");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "continue");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_confirm_response_cb), self, G_CONNECT_SWAPPED);
  self->confirm_dialog = ADW_MESSAGE_DIALOG (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_cancel_clicked_cb (BdRegistrationAssistant *self,
                      GtkButton               *button)
{
  bd_registration_assistant_cancel (self);
}

static gboolean
on_escape_cb (GtkWidget *widget,
              GVariant  *args,
              gpointer   user_data)
{
  bd_registration_assistant_cancel (BD_REGISTRATION_ASSISTANT (widget));

  return TRUE;
}

static void
focus_step (BdRegistrationAssistant *self,
            const char              *step)
{
  GtkWidget *focus = NULL;

  if (g_strcmp0 (step, "account") == 0)
    focus = GTK_WIDGET (self->account_row);
  else if (g_strcmp0 (step, "mobile") == 0)
    focus = gtk_widget_get_sensitive (GTK_WIDGET (self->new_mobile_row)) ? GTK_WIDGET (self->new_mobile_row)
                                                                         : GTK_WIDGET (self->registered_mobile_check);
  else if (g_strcmp0 (step, "otp") == 0)
    focus = GTK_WIDGET (self->code_row);
  else if (g_strcmp0 (step, "credentials") == 0)
    focus = GTK_WIDGET (self->username_row);
  else
    focus = GTK_WIDGET (self->next_button);

  gtk_widget_grab_focus (focus);
}

static void
show_step (BdRegistrationAssistant *self,
           const char              *step)
{
  const char * const *list = steps (self);
  int index = step_index (self, step);
  int total = (int) g_strv_length ((char **) list);
  g_autofree char *subtitle = NULL;
  const char *title = NULL;

  if (g_strcmp0 (step, "account") == 0)
    title = _("Account");
  else if (g_strcmp0 (step, "identity") == 0)
    title = _("Confirm the consumer");
  else if (g_strcmp0 (step, "mobile") == 0)
    title = _("Mobile number");
  else if (g_strcmp0 (step, "otp") == 0)
    title = _("Code from the SMS");
  else if (g_strcmp0 (step, "credentials") == 0)
    title = _("App sign-in");
  else
    title = _("Done");

  /* Translators: the assistant's progress, e.g. "Step 2 of 6: Confirm the consumer". */
  subtitle = g_strdup_printf (_("Step %d of %d: %s"), index + 1, total, title);
  adw_window_title_set_subtitle (self->window_title, subtitle);

  if (g_strcmp0 (step, "otp") != 0)
    stop_ticking (self);
  else
    start_ticking (self);

  if (g_strcmp0 (step, current_step (self)) != 0)
    show_message (self, NULL, FALSE);
  gtk_stack_set_visible_child_name (self->stack, step);

  gtk_widget_set_sensitive (GTK_WIDGET (self->back_button), index > 0 && g_strcmp0 (step, "done") != 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), g_strcmp0 (step, "done") != 0);
  update_otp_step (self);
  update_next (self);
  focus_step (self, step);
}

static gboolean
bd_registration_assistant_close_request (GtkWindow *window)
{
  BdRegistrationAssistant *self = BD_REGISTRATION_ASSISTANT (window);

  if (needs_confirmation (self))
    {
      ask_to_stop (self);
      return TRUE;
    }

  return GTK_WINDOW_CLASS (bd_registration_assistant_parent_class)->close_request (window);
}

static void
bd_registration_assistant_dispose (GObject *object)
{
  BdRegistrationAssistant *self = BD_REGISTRATION_ASSISTANT (object);

  stop_ticking (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->confirm_dialog != NULL)
    {
      GtkWindow *dialog = GTK_WINDOW (g_steal_pointer (&self->confirm_dialog));

      gtk_window_destroy (dialog);
    }
  g_clear_object (&self->client);
  g_clear_object (&self->consumer);
  g_clear_object (&self->ticket);
  gtk_widget_dispose_template (GTK_WIDGET (self), BD_TYPE_REGISTRATION_ASSISTANT);

  G_OBJECT_CLASS (bd_registration_assistant_parent_class)->dispose (object);
}

static void
bd_registration_assistant_finalize (GObject *object)
{
  BdRegistrationAssistant *self = BD_REGISTRATION_ASSISTANT (object);

  g_free (self->new_mobile);
  g_free (self->username);

  G_OBJECT_CLASS (bd_registration_assistant_parent_class)->finalize (object);
}

static void
bd_registration_assistant_class_init (BdRegistrationAssistantClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = bd_registration_assistant_dispose;
  object_class->finalize = bd_registration_assistant_finalize;
  window_class->close_request = bd_registration_assistant_close_request;

  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0, on_escape_cb, NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/bijlidesk/BijliDesk/ui/bd-registration-assistant.ui");
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, window_title);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, stack);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, account_row);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, name_row);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, relation_row);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, address_row);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, identity_mobile_row);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, mobile_group);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, registered_mobile_row);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, registered_mobile_check);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, new_mobile_choice_row);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, new_mobile_check);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, new_mobile_row);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, otp_group);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, code_row);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, delivery_row);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, delivery_icon);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, expiry_row);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, resend_button);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, resend_label);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, username_row);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, temporary_switch);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, password_row);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, confirm_row);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, done_page);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, step_error_label);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, back_button);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, next_button);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, next_label);
  gtk_widget_class_bind_template_child (widget_class, BdRegistrationAssistant, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_next_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_resend_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_step_changed_cb);
}

static void
bd_registration_assistant_init (BdRegistrationAssistant *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  bd_password_row_name_toggle (GTK_WIDGET (self->password_row));
  bd_password_row_name_toggle (GTK_WIDGET (self->confirm_row));

  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->next_button));
}

BdRegistrationAssistant *
bd_registration_assistant_new (GtkWindow    *parent,
                               BdClient     *client,
                               BdConsumer   *consumer,
                               BdOtpPurpose  purpose)
{
  BdRegistrationAssistant *self;
  const char *title;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (client == NULL || BD_IS_CLIENT (client), NULL);
  g_return_val_if_fail (BD_IS_CONSUMER (consumer), NULL);

  self = g_object_new (BD_TYPE_REGISTRATION_ASSISTANT,
                       "transient-for", parent,
                       NULL);
  self->client = client != NULL ? g_object_ref (client) : NULL;
  self->consumer = g_object_ref (consumer);
  self->purpose = purpose;
  self->otp_purpose = purpose;

  switch (purpose)
    {
    case BD_OTP_PURPOSE_VERIFY_MOBILE:
      title = _("Verify mobile number");
      break;
    case BD_OTP_PURPOSE_CHANGE_MOBILE:
      title = _("Change mobile number");
      break;
    case BD_OTP_PURPOSE_REGISTRATION:
    default:
      title = _("Register for the app");
      break;
    }
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);

  show_consumer (self);
  show_step (self, steps (self)[0]);

  return self;
}

BdOtpPurpose
bd_registration_assistant_get_purpose (BdRegistrationAssistant *self)
{
  g_return_val_if_fail (BD_IS_REGISTRATION_ASSISTANT (self), BD_OTP_PURPOSE_REGISTRATION);

  return self->purpose;
}

const char *
bd_registration_assistant_get_step (BdRegistrationAssistant *self)
{
  g_return_val_if_fail (BD_IS_REGISTRATION_ASSISTANT (self), NULL);

  return current_step (self);
}

const char *
bd_registration_assistant_get_username (BdRegistrationAssistant *self)
{
  g_return_val_if_fail (BD_IS_REGISTRATION_ASSISTANT (self), NULL);

  return g_strcmp0 (current_step (self), "done") == 0 ? self->username : NULL;
}

const char *
bd_registration_assistant_get_message (BdRegistrationAssistant *self)
{
  g_return_val_if_fail (BD_IS_REGISTRATION_ASSISTANT (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->step_error_label)))
    return NULL;

  return gtk_label_get_text (self->step_error_label);
}

gboolean
bd_registration_assistant_cancel (BdRegistrationAssistant *self)
{
  g_return_val_if_fail (BD_IS_REGISTRATION_ASSISTANT (self), FALSE);

  if (needs_confirmation (self))
    {
      ask_to_stop (self);
      return FALSE;
    }

  gtk_window_destroy (GTK_WINDOW (self));
  return TRUE;
}
