/* bd-otp-ticket.h: the state of a one-time password sent to a consumer's
 * mobile, as bijli-central reports it (never the code itself).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  BD_OTP_PURPOSE_REGISTRATION,
  BD_OTP_PURPOSE_VERIFY_MOBILE,
  BD_OTP_PURPOSE_CHANGE_MOBILE,
} BdOtpPurpose;

typedef enum {
  BD_OTP_STATE_PENDING,
  BD_OTP_STATE_VERIFIED,
  BD_OTP_STATE_EXPIRED,
  BD_OTP_STATE_LOCKED,
  BD_OTP_STATE_USED,
} BdOtpState;

typedef enum {
  BD_SMS_STATUS_QUEUED,
  BD_SMS_STATUS_SENT,
  BD_SMS_STATUS_DELIVERED,
  BD_SMS_STATUS_FAILED,
} BdSmsStatus;

/* Wire names ("registration", "verify_mobile", "change_mobile"; "pending"…;
 * "queued"…). from_string returns FALSE on unknown or NULL text. */
const char *bd_otp_purpose_to_string   (BdOtpPurpose  value);
gboolean    bd_otp_purpose_from_string (const char   *text, BdOtpPurpose *out);
const char *bd_otp_state_to_string     (BdOtpState    value);
gboolean    bd_otp_state_from_string   (const char   *text, BdOtpState   *out);
const char *bd_sms_status_to_string    (BdSmsStatus   value);
gboolean    bd_sms_status_from_string  (const char   *text, BdSmsStatus  *out);
/* Translated, for the desk: "Queued", "Sent", "Delivered", "Failed". */
const char *bd_sms_status_to_label     (BdSmsStatus   value);

#define BD_TYPE_OTP_TICKET (bd_otp_ticket_get_type ())
G_DECLARE_FINAL_TYPE (BdOtpTicket, bd_otp_ticket, BD, OTP_TICKET, GObject)

/* A pending ticket with delivery queued, 5 attempts, times 0. */
BdOtpTicket  *bd_otp_ticket_new               (const char   *id,
                                               const char   *account,
                                               BdOtpPurpose  purpose);

const char   *bd_otp_ticket_get_id            (BdOtpTicket  *self);
const char   *bd_otp_ticket_get_account       (BdOtpTicket  *self);
BdOtpPurpose  bd_otp_ticket_get_purpose       (BdOtpTicket  *self);
/* "98XXXXXX10" (bd_mobile_mask); never the full number. */
const char   *bd_otp_ticket_get_mobile_masked (BdOtpTicket  *self);
void          bd_otp_ticket_set_mobile_masked (BdOtpTicket  *self, const char *value);
BdOtpState    bd_otp_ticket_get_state         (BdOtpTicket  *self);
void          bd_otp_ticket_set_state         (BdOtpTicket  *self, BdOtpState value);
/* Status of the latest SMS carrying the code. */
BdSmsStatus   bd_otp_ticket_get_delivery      (BdOtpTicket  *self);
void          bd_otp_ticket_set_delivery      (BdOtpTicket  *self, BdSmsStatus value);
/* Unix UTC seconds. */
gint64        bd_otp_ticket_get_expires_at    (BdOtpTicket  *self);
void          bd_otp_ticket_set_expires_at    (BdOtpTicket  *self, gint64 value);
/* End of the resend cooldown. */
gint64        bd_otp_ticket_get_resend_after  (BdOtpTicket  *self);
void          bd_otp_ticket_set_resend_after  (BdOtpTicket  *self, gint64 value);
gint          bd_otp_ticket_get_attempts_left (BdOtpTicket  *self);
void          bd_otp_ticket_set_attempts_left (BdOtpTicket  *self, gint value);
gint          bd_otp_ticket_get_sends_left    (BdOtpTicket  *self);
void          bd_otp_ticket_set_sends_left    (BdOtpTicket  *self, gint value);

G_END_DECLS
