/* bd-central-db-otp.h: OTPs, the SMS outbox, app registrations and a
 * consumer's history in bijli-central's database.
 *
 * An OTP is six digits from the kernel's CSPRNG, kept only as a salted
 * SHA-256 and compared in constant time. It is valid for
 * BD_CENTRAL_OTP_LIFETIME_S, dies after BD_CENTRAL_OTP_ATTEMPTS wrong codes
 * and is good for one verification. Sends are counted per mobile and per
 * account in a table, so the limits hold across restarts.
 *
 * Every function takes the caller's zone: an account of another zone
 * answers BD_STORE_ERROR_NOT_FOUND, exactly as an absent one. Times are Unix
 * seconds passed in by the caller, so tests can move the clock.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "bd-central-db.h"

G_BEGIN_DECLS

#define BD_CENTRAL_OTP_LIFETIME_S        (5 * 60)
#define BD_CENTRAL_OTP_ATTEMPTS          5
#define BD_CENTRAL_OTP_RESEND_COOLDOWN_S 30
#define BD_CENTRAL_OTP_WINDOW_S          (15 * 60)
#define BD_CENTRAL_OTP_WINDOW_MAX        3
#define BD_CENTRAL_OTP_DAY_S             (24 * 60 * 60)
#define BD_CENTRAL_OTP_DAY_MAX           10
/* How long a verified registration OTP stays good for registering. */
#define BD_CENTRAL_OTP_REGISTER_WITHIN_S (10 * 60)

/* Purposes and states as on the wire. */
#define BD_CENTRAL_OTP_REGISTRATION  "registration"
#define BD_CENTRAL_OTP_VERIFY_MOBILE "verify_mobile"
#define BD_CENTRAL_OTP_CHANGE_MOBILE "change_mobile"
#define BD_CENTRAL_OTP_COMPLAINT_CLOSE "complaint_close"
#define BD_CENTRAL_OTP_DISCONNECTION_CONSENT "disconnection_consent"

typedef struct {
  char   *id;
  char   *account;
  char   *purpose;
  char   *mobile;
  char   *state;          /* pending, verified, expired, locked, used */
  char   *delivery;       /* the latest SMS's status */
  gint64  expires_at;
  gint64  resend_after;
  int     attempts_left;
  int     sends_left;     /* fewest left of the four limits */
} BdCentralOtpTicket;

void      bd_central_otp_ticket_free         (BdCentralOtpTicket *ticket);
/* The OtpTicket object of data/openapi.yaml. */
JsonNode *bd_central_otp_ticket_to_json      (BdCentralOtpTicket *ticket);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdCentralOtpTicket, bd_central_otp_ticket_free)

typedef struct {
  char     *account;
  char     *username;
  gint64    registered_at;
  gboolean  temporary_password_sent;
} BdCentralRegistration;

void      bd_central_registration_free       (BdCentralRegistration *registration);
JsonNode *bd_central_registration_to_json    (BdCentralRegistration *registration);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdCentralRegistration, bd_central_registration_free)

/* Sends a new OTP for purpose to the consumer's registered mobile, or for
 * change_mobile to mobile (the new number, normalised). A pending OTP of
 * the same account and purpose dies. Errors: NOT_FOUND (store),
 * NO_MOBILE, ALREADY_REGISTERED, INVALID_INPUT (mobile given but not the
 * registered one, or missing for change_mobile), RATE_LIMITED with
 * *out_retry_after. out_code (nullable, for tests only) receives the code. */
BdCentralOtpTicket *bd_central_db_otp_request  (BdCentralDb   *self,
                                                const char    *zone,
                                                const char    *account,
                                                const char    *purpose,
                                                const char    *mobile,
                                                const char    *staff_username,
                                                gint64         now,
                                                char         **out_code,
                                                gint64        *out_retry_after,
                                                GError       **error);
BdCentralOtpTicket *bd_central_db_otp_get      (BdCentralDb   *self,
                                                const char    *zone,
                                                const char    *id,
                                                gint64         now,
                                                GError       **error);
/* A new code replaces the old one; attempts and expiry start again.
 * RATE_LIMITED (cooldown or limits) with *out_retry_after, OTP_USED. */
BdCentralOtpTicket *bd_central_db_otp_resend   (BdCentralDb   *self,
                                                const char    *zone,
                                                const char    *id,
                                                gint64         now,
                                                char         **out_code,
                                                gint64        *out_retry_after,
                                                GError       **error);
/* code must be six digits. Errors: OTP_WRONG with *out_attempts_left,
 * OTP_LOCKED (also on the last wrong attempt), OTP_EXPIRED, OTP_USED.
 * Success for verify_mobile marks the mobile verified, for change_mobile
 * makes the ticket's mobile the consumer's, verified; both as a new
 * version of the consumer and a history entry by staff_username. */
BdCentralOtpTicket *bd_central_db_otp_verify   (BdCentralDb   *self,
                                                const char    *zone,
                                                const char    *id,
                                                const char    *code,
                                                const char    *staff_username,
                                                const char    *staff_role,
                                                gint64         now,
                                                int           *out_attempts_left,
                                                GError       **error);

/* Registers the account in the consumer app as username (already
 * validated), with password, or with a temporary one sent by SMS when
 * password is NULL. otp_id must be this account's registration OTP,
 * verified within BD_CENTRAL_OTP_REGISTER_WITHIN_S; it becomes used.
 * Errors: NOT_FOUND (store), ALREADY_REGISTERED, USERNAME_TAKEN,
 * OTP_NOT_VERIFIED. out_temporary_password (nullable, tests only). */
BdCentralRegistration *bd_central_db_register  (BdCentralDb   *self,
                                                const char    *zone,
                                                const char    *account,
                                                const char    *otp_id,
                                                const char    *username,
                                                const char    *password,
                                                const char    *staff_username,
                                                const char    *staff_role,
                                                gint64         now,
                                                char         **out_temporary_password,
                                                GError       **error);
/* NOT_FOUND (store) for an unknown account, NOT_REGISTERED otherwise. */
BdCentralRegistration *bd_central_db_lookup_registration (BdCentralDb  *self,
                                                          const char   *zone,
                                                          const char   *account,
                                                          GError      **error);

/* {"entries":[…]} of the consumer's history, newest first. */
JsonNode *bd_central_db_history                (BdCentralDb   *self,
                                                const char    *zone,
                                                const char    *account,
                                                guint          limit,
                                                GError       **error);

/* {"messages":[…]}: the newest messages to mobile about accounts of zone. */
JsonNode *bd_central_db_sms_list               (BdCentralDb   *self,
                                                const char    *zone,
                                                const char    *mobile,
                                                guint          limit,
                                                GError       **error);

/* One round of the simulated gateway at now_ms: queued messages that are
 * due are sent (or fail, with probability failure_rate drawn from rand, and
 * are retried after 1, 2, 4, 4 s, failing for good after
 * BD_CENTRAL_SMS_MAX_ATTEMPTS), sent ones that are due are delivered.
 * Delivered and finally failed messages lose their secret unless
 * keep_secrets (demo mode). *out_next_due_ms: the earliest next step, or
 * -1 if nothing is pending. */
#define BD_CENTRAL_SMS_MAX_ATTEMPTS 5
#define BD_CENTRAL_SMS_SEND_DELAY_MS    500
#define BD_CENTRAL_SMS_DELIVER_DELAY_MS 1000
gboolean  bd_central_db_sms_process            (BdCentralDb   *self,
                                                gint64         now_ms,
                                                double         failure_rate,
                                                GRand         *rand,
                                                gboolean       keep_secrets,
                                                gint64        *out_next_due_ms,
                                                GError       **error);

G_END_DECLS
