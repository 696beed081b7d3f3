/* bd-otp-ticket.c: the state of a one-time password, as the server reports it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "bd-otp-ticket.h"

struct _BdOtpTicket
{
  GObject       parent_instance;

  char         *id;
  char         *account;
  BdOtpPurpose  purpose;
  char         *mobile_masked;
  BdOtpState    state;
  BdSmsStatus   delivery;
  gint64        expires_at;
  gint64        resend_after;
  gint          attempts_left;
  gint          sends_left;
};

G_DEFINE_FINAL_TYPE (BdOtpTicket, bd_otp_ticket, G_TYPE_OBJECT)

static const char * const purpose_names[] = { "registration", "verify_mobile", "change_mobile" };
static const char * const state_names[] = { "pending", "verified", "expired", "locked", "used" };
static const char * const sms_status_names[] = { "queued", "sent", "delivered", "failed" };

static gboolean
lookup_name (const char * const *names,
             guint               n_names,
             const char         *text,
             guint              *out)
{
  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < n_names; i++)
    if (g_strcmp0 (names[i], text) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

const char *
bd_otp_purpose_to_string (BdOtpPurpose value)
{
  g_return_val_if_fail ((guint) value < G_N_ELEMENTS (purpose_names), NULL);
  return purpose_names[value];
}

gboolean
bd_otp_purpose_from_string (const char   *text,
                            BdOtpPurpose *out)
{
  guint index;

  if (!lookup_name (purpose_names, G_N_ELEMENTS (purpose_names), text, &index))
    return FALSE;
  *out = (BdOtpPurpose) index;
  return TRUE;
}

const char *
bd_otp_state_to_string (BdOtpState value)
{
  g_return_val_if_fail ((guint) value < G_N_ELEMENTS (state_names), NULL);
  return state_names[value];
}

gboolean
bd_otp_state_from_string (const char *text,
                          BdOtpState *out)
{
  guint index;

  if (!lookup_name (state_names, G_N_ELEMENTS (state_names), text, &index))
    return FALSE;
  *out = (BdOtpState) index;
  return TRUE;
}

const char *
bd_sms_status_to_string (BdSmsStatus value)
{
  g_return_val_if_fail ((guint) value < G_N_ELEMENTS (sms_status_names), NULL);
  return sms_status_names[value];
}

gboolean
bd_sms_status_from_string (const char  *text,
                           BdSmsStatus *out)
{
  guint index;

  if (!lookup_name (sms_status_names, G_N_ELEMENTS (sms_status_names), text, &index))
    return FALSE;
  *out = (BdSmsStatus) index;
  return TRUE;
}

const char *
bd_sms_status_to_label (BdSmsStatus value)
{
  switch (value)
    {
    case BD_SMS_STATUS_QUEUED:
      return C_("sms status", "Queued");
    case BD_SMS_STATUS_SENT:
      return C_("sms status", "Sent");
    case BD_SMS_STATUS_DELIVERED:
      return C_("sms status", "Delivered");
    case BD_SMS_STATUS_FAILED:
      return C_("sms status", "Failed");
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
bd_otp_ticket_finalize (GObject *object)
{
  BdOtpTicket *self = BD_OTP_TICKET (object);

  g_free (self->id);
  g_free (self->account);
  g_free (self->mobile_masked);

  G_OBJECT_CLASS (bd_otp_ticket_parent_class)->finalize (object);
}

static void
bd_otp_ticket_class_init (BdOtpTicketClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bd_otp_ticket_finalize;
}

static void
bd_otp_ticket_init (BdOtpTicket *self)
{
  self->state = BD_OTP_STATE_PENDING;
  self->delivery = BD_SMS_STATUS_QUEUED;
  self->attempts_left = 5;
}

BdOtpTicket *
bd_otp_ticket_new (const char   *id,
                   const char   *account,
                   BdOtpPurpose  purpose)
{
  BdOtpTicket *self;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (account != NULL, NULL);

  self = g_object_new (BD_TYPE_OTP_TICKET, NULL);
  self->id = g_strdup (id);
  self->account = g_strdup (account);
  self->purpose = purpose;
  return self;
}

const char *
bd_otp_ticket_get_id (BdOtpTicket *self)
{
  g_return_val_if_fail (BD_IS_OTP_TICKET (self), NULL);
  return self->id;
}

const char *
bd_otp_ticket_get_account (BdOtpTicket *self)
{
  g_return_val_if_fail (BD_IS_OTP_TICKET (self), NULL);
  return self->account;
}

BdOtpPurpose
bd_otp_ticket_get_purpose (BdOtpTicket *self)
{
  g_return_val_if_fail (BD_IS_OTP_TICKET (self), 0);
  return self->purpose;
}

const char *
bd_otp_ticket_get_mobile_masked (BdOtpTicket *self)
{
  g_return_val_if_fail (BD_IS_OTP_TICKET (self), NULL);
  return self->mobile_masked;
}

void
bd_otp_ticket_set_mobile_masked (BdOtpTicket *self,
                                 const char  *value)
{
  g_return_if_fail (BD_IS_OTP_TICKET (self));
  g_free (self->mobile_masked);
  self->mobile_masked = g_strdup (value);
}

BdOtpState
bd_otp_ticket_get_state (BdOtpTicket *self)
{
  g_return_val_if_fail (BD_IS_OTP_TICKET (self), 0);
  return self->state;
}

void
bd_otp_ticket_set_state (BdOtpTicket *self,
                         BdOtpState   value)
{
  g_return_if_fail (BD_IS_OTP_TICKET (self));
  self->state = value;
}

BdSmsStatus
bd_otp_ticket_get_delivery (BdOtpTicket *self)
{
  g_return_val_if_fail (BD_IS_OTP_TICKET (self), 0);
  return self->delivery;
}

void
bd_otp_ticket_set_delivery (BdOtpTicket *self,
                            BdSmsStatus  value)
{
  g_return_if_fail (BD_IS_OTP_TICKET (self));
  self->delivery = value;
}

gint64
bd_otp_ticket_get_expires_at (BdOtpTicket *self)
{
  g_return_val_if_fail (BD_IS_OTP_TICKET (self), 0);
  return self->expires_at;
}

void
bd_otp_ticket_set_expires_at (BdOtpTicket *self,
                              gint64       value)
{
  g_return_if_fail (BD_IS_OTP_TICKET (self));
  self->expires_at = value;
}

gint64
bd_otp_ticket_get_resend_after (BdOtpTicket *self)
{
  g_return_val_if_fail (BD_IS_OTP_TICKET (self), 0);
  return self->resend_after;
}

void
bd_otp_ticket_set_resend_after (BdOtpTicket *self,
                                gint64       value)
{
  g_return_if_fail (BD_IS_OTP_TICKET (self));
  self->resend_after = value;
}

gint
bd_otp_ticket_get_attempts_left (BdOtpTicket *self)
{
  g_return_val_if_fail (BD_IS_OTP_TICKET (self), 0);
  return self->attempts_left;
}

void
bd_otp_ticket_set_attempts_left (BdOtpTicket *self,
                                 gint         value)
{
  g_return_if_fail (BD_IS_OTP_TICKET (self));
  self->attempts_left = value;
}

gint
bd_otp_ticket_get_sends_left (BdOtpTicket *self)
{
  g_return_val_if_fail (BD_IS_OTP_TICKET (self), 0);
  return self->sends_left;
}

void
bd_otp_ticket_set_sends_left (BdOtpTicket *self,
                              gint         value)
{
  g_return_if_fail (BD_IS_OTP_TICKET (self));
  self->sends_left = value;
}
