/* bd-registration-assistant.h: registers a consumer for the app at the
 * counter, step by step with an OTP; also verifies or changes the mobile.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "core/bd-consumer.h"
#include "core/bd-otp-ticket.h"
#include "net/bd-client.h"

G_BEGIN_DECLS

#define BD_TYPE_REGISTRATION_ASSISTANT (bd_registration_assistant_get_type ())
G_DECLARE_FINAL_TYPE (BdRegistrationAssistant, bd_registration_assistant, BD, REGISTRATION_ASSISTANT, AdwWindow)

/* A modal window transient for parent. purpose says the flow:
 *   REGISTRATION   account → identity → mobile → code → sign-in → done
 *   VERIFY_MOBILE  identity → code → done
 *   CHANGE_MOBILE  identity → new mobile → code → done
 * client NULL (not signed in, or offline) still opens, and says at the
 * first request that a connection is needed.
 *
 * Signal "finished" (): the flow reached its last step (the account is
 * registered, or the mobile verified or changed on the server). */
BdRegistrationAssistant *bd_registration_assistant_new (GtkWindow    *parent,
                                                        BdClient     *client,
                                                        BdConsumer   *consumer,
                                                        BdOtpPurpose  purpose);

BdOtpPurpose bd_registration_assistant_get_purpose  (BdRegistrationAssistant *self);
/* The name of the step on show: "account", "identity", "mobile", "otp",
 * "credentials" or "done". */
const char  *bd_registration_assistant_get_step     (BdRegistrationAssistant *self);
/* The app username once registered, else NULL. */
const char  *bd_registration_assistant_get_username (BdRegistrationAssistant *self);
/* The message on show for the step (not a field's), or NULL. */
const char  *bd_registration_assistant_get_message  (BdRegistrationAssistant *self);
/* Cancel, Escape or closing: asks first when a code was sent or the
 * operator is past the first step; closes at once otherwise. TRUE if it
 * closed without asking. */
gboolean     bd_registration_assistant_cancel       (BdRegistrationAssistant *self);

G_END_DECLS
