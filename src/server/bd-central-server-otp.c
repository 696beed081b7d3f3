/* bd-central-server-otp.c: /otp, /registrations and the demo SMS inbox.
 *
 * Request bodies here carry codes and passwords: they are never logged,
 * and the request log (bd-central-server.c) shows only path templates.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "core/bd-validate.h"

#include "bd-central-db-otp.h"
#include "bd-central-server-private.h"

#define DEMO_SMS_LIMIT 20
#define OTP_ID_MAX     64

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
respond_ticket (SoupServerMessage  *msg,
                guint               status,
                BdCentralOtpTicket *ticket)
{
  g_autoptr(JsonNode) node = bd_central_otp_ticket_to_json (ticket);

  _bd_central_respond_json (msg, status, node);
}

gboolean
_bd_central_get_string (SoupServerMessage  *msg,
            JsonObject         *object,
            const char         *name,
            const char        **out)
{
  JsonNode *node = json_object_get_member (object, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_autofree char *message = g_strdup_printf (_("“%s” must be text."), name);

      _bd_central_respond_invalid_request (msg, message);
      return FALSE;
    }

  *out = json_node_get_string (node);
  return TRUE;
}

gboolean
_bd_central_require_string (SoupServerMessage  *msg,
                JsonObject         *object,
                const char         *name,
                const char        **out)
{
  if (!_bd_central_get_string (msg, object, name, out))
    return FALSE;
  if (*out == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The request needs “%s”."), name);

      _bd_central_respond_invalid_request (msg, message);
      return FALSE;
    }

  return TRUE;
}

/* Ticket ids are URL-safe base64; anything else cannot be one. */
static char *
parse_otp_id (SoupServerMessage *msg,
              const char        *segment)
{
  g_autofree char *id = segment != NULL ? g_uri_unescape_string (segment, "/") : NULL;

  if (id == NULL || strlen (id) > OTP_ID_MAX)
    goto invalid;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      goto invalid;

  return g_steal_pointer (&id);

invalid:
  _bd_central_respond_invalid_request (msg, _("That is not an OTP reference this server gave out."));
  return NULL;
}

void
_bd_central_handle_otp_create (BdCentralServer   *self,
                               SoupServerMessage *msg,
                               BdSession         *session)
{
  static const char * const allowed[] = { "account", "purpose", "mobile", NULL };
  g_autoptr(JsonObject) request = _bd_central_read_json_object (msg, NULL);
  g_autoptr(BdCentralOtpTicket) ticket = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *account = NULL;
  g_autofree char *mobile = NULL;
  const char *account_text;
  const char *purpose;
  const char *mobile_text;
  gint64 retry_after = -1;

  if (request == NULL
      || !_bd_central_check_members (msg, request, allowed)
      || !_bd_central_require_string (msg, request, "account", &account_text)
      || !_bd_central_require_string (msg, request, "purpose", &purpose)
      || !_bd_central_get_string (msg, request, "mobile", &mobile_text))
    return;

  account = bd_account_normalize (account_text, NULL);
  if (account == NULL)
    {
      _bd_central_respond_invalid_request (msg, _("An account number has 10 digits (12 for some rural accounts)."));
      return;
    }
  if (!g_str_equal (purpose, BD_CENTRAL_OTP_REGISTRATION)
      && !g_str_equal (purpose, BD_CENTRAL_OTP_VERIFY_MOBILE)
      && !g_str_equal (purpose, BD_CENTRAL_OTP_CHANGE_MOBILE))
    {
      _bd_central_respond_invalid_request (msg, _("The purpose must be registration, verify_mobile or change_mobile."));
      return;
    }
  if (mobile_text != NULL)
    {
      mobile = bd_mobile_normalize (mobile_text, &error);
      if (mobile == NULL)
        {
          _bd_central_respond_invalid_request (msg, error->message);
          return;
        }
    }

  ticket = bd_central_db_otp_request (self->db, bd_session_get_zone (session), account, purpose,
                                      mobile, bd_session_get_username (session), now_s (),
                                      NULL, &retry_after, &error);
  if (ticket == NULL)
    {
      _bd_central_respond_failure (msg, error, retry_after, -1);
      return;
    }

  bd_central_sms_kick (self->sms);
  respond_ticket (msg, SOUP_STATUS_CREATED, ticket);
}

void
_bd_central_handle_otp_get (BdCentralServer   *self,
                            SoupServerMessage *msg,
                            BdSession         *session,
                            const char        *segment)
{
  g_autofree char *id = parse_otp_id (msg, segment);
  g_autoptr(BdCentralOtpTicket) ticket = NULL;
  g_autoptr(GError) error = NULL;

  if (id == NULL)
    return;

  ticket = bd_central_db_otp_get (self->db, bd_session_get_zone (session), id, now_s (), &error);
  if (ticket == NULL)
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }

  respond_ticket (msg, SOUP_STATUS_OK, ticket);
}

void
_bd_central_handle_otp_resend (BdCentralServer   *self,
                               SoupServerMessage *msg,
                               BdSession         *session,
                               const char        *segment)
{
  static const char * const allowed[] = { NULL };
  g_autofree char *id = parse_otp_id (msg, segment);
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(BdCentralOtpTicket) ticket = NULL;
  g_autoptr(GError) error = NULL;
  gint64 retry_after = -1;

  if (id == NULL)
    return;
  request = _bd_central_read_json_object (msg, NULL);
  if (request == NULL || !_bd_central_check_members (msg, request, allowed))
    return;

  ticket = bd_central_db_otp_resend (self->db, bd_session_get_zone (session), id, now_s (),
                                     NULL, &retry_after, &error);
  if (ticket == NULL)
    {
      _bd_central_respond_failure (msg, error, retry_after, -1);
      return;
    }

  bd_central_sms_kick (self->sms);
  respond_ticket (msg, SOUP_STATUS_OK, ticket);
}

void
_bd_central_handle_otp_verify (BdCentralServer   *self,
                               SoupServerMessage *msg,
                               BdSession         *session,
                               const char        *segment)
{
  static const char * const allowed[] = { "code", NULL };
  g_autofree char *id = parse_otp_id (msg, segment);
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(BdCentralOtpTicket) ticket = NULL;
  g_autoptr(GError) error = NULL;
  const char *code;
  int attempts_left = -1;

  if (id == NULL)
    return;
  request = _bd_central_read_json_object (msg, NULL);
  if (request == NULL
      || !_bd_central_check_members (msg, request, allowed)
      || !_bd_central_require_string (msg, request, "code", &code))
    return;

  /* A typo in the length is not a guess: it costs no attempt. */
  if (strlen (code) != 6 || strspn (code, "0123456789") != 6)
    {
      _bd_central_respond_invalid_request (msg, _("The OTP has 6 digits."));
      return;
    }

  ticket = bd_central_db_otp_verify (self->db, bd_session_get_zone (session), id, code,
                                     bd_session_get_username (session),
                                     bd_role_to_string (bd_session_get_role (session)),
                                     now_s (), &attempts_left, &error);
  if (ticket == NULL)
    {
      _bd_central_respond_failure (msg, error, -1, attempts_left);
      return;
    }

  respond_ticket (msg, SOUP_STATUS_OK, ticket);
}

void
_bd_central_handle_register (BdCentralServer   *self,
                             SoupServerMessage *msg,
                             BdSession         *session)
{
  static const char * const allowed[] = { "account", "otp_id", "username", "password", NULL };
  g_autoptr(JsonObject) request = _bd_central_read_json_object (msg, NULL);
  g_autoptr(BdCentralRegistration) registration = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *account = NULL;
  g_autofree char *username = NULL;
  const char *account_text;
  const char *otp_id;
  const char *username_text;
  const char *password;

  if (request == NULL
      || !_bd_central_check_members (msg, request, allowed)
      || !_bd_central_require_string (msg, request, "account", &account_text)
      || !_bd_central_require_string (msg, request, "otp_id", &otp_id)
      || !_bd_central_require_string (msg, request, "username", &username_text)
      || !_bd_central_get_string (msg, request, "password", &password))
    return;

  account = bd_account_normalize (account_text, NULL);
  if (account == NULL)
    {
      _bd_central_respond_invalid_request (msg, _("An account number has 10 digits (12 for some rural accounts)."));
      return;
    }
  username = bd_username_normalize (username_text, &error);
  if (username == NULL)
    {
      _bd_central_respond_invalid_request (msg, error->message);
      return;
    }
  if (password != NULL && !bd_app_password_check (password, &error))
    {
      _bd_central_respond_invalid_request (msg, error->message);
      return;
    }

  registration = bd_central_db_register (self->db, bd_session_get_zone (session), account,
                                         otp_id, username, password,
                                         bd_session_get_username (session),
                                         bd_role_to_string (bd_session_get_role (session)),
                                         now_s (), NULL, &error);
  if (registration == NULL)
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }

  bd_central_sms_kick (self->sms);
  node = bd_central_registration_to_json (registration);
  _bd_central_respond_json (msg, SOUP_STATUS_CREATED, node);
}

void
_bd_central_handle_registration (BdCentralServer   *self,
                                 SoupServerMessage *msg,
                                 BdSession         *session,
                                 const char        *segment)
{
  g_autofree char *account = _bd_central_parse_account (msg, segment);
  g_autoptr(BdCentralRegistration) registration = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  if (account == NULL)
    return;

  registration = bd_central_db_lookup_registration (self->db, bd_session_get_zone (session),
                                                    account, &error);
  if (registration == NULL)
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }

  node = bd_central_registration_to_json (registration);
  _bd_central_respond_json (msg, SOUP_STATUS_OK, node);
}

void
_bd_central_handle_demo_sms (BdCentralServer   *self,
                             SoupServerMessage *msg,
                             BdSession         *session,
                             GHashTable        *query)
{
  const char *mobile_text = _bd_central_query_get (query, "mobile");
  g_autofree char *mobile = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  if (mobile_text == NULL)
    {
      _bd_central_respond_invalid_request (msg, _("Give the mobile number in the mobile parameter."));
      return;
    }
  mobile = bd_mobile_normalize (mobile_text, &error);
  if (mobile == NULL)
    {
      _bd_central_respond_invalid_request (msg, error->message);
      return;
    }

  node = bd_central_db_sms_list (self->db, bd_session_get_zone (session), mobile,
                                 DEMO_SMS_LIMIT, &error);
  if (node == NULL)
    {
      _bd_central_respond_internal_error (msg, error);
      return;
    }

  _bd_central_respond_json (msg, SOUP_STATUS_OK, node);
}
