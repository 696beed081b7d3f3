/* bd-central-server-users.c: staff administration in /api/v1 (administrators).
 *
 *   GET    users                     the zone's staff
 *   POST   users                     {"username","display_name","role","password"}
 *   GET    users/{username}
 *   PATCH  users/{username}          {"display_name"?, "role"?, "disabled"?, "zones"?}
 *   POST   users/{username}/password {"password"}: a new password, sessions ended
 *   DELETE users/{username}/sessions sign the user out everywhere
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "bd-central-db-users.h"
#include "bd-central-server-private.h"
#include "bd-password.h"

/* Checked before the body is read, so that nobody else learns anything
 * from how their request is refused; FALSE after answering 403. */
static gboolean
require_admin (SoupServerMessage *msg,
               BdSession         *session)
{
  if (bd_session_get_role (session) == BD_ROLE_ADMIN)
    return TRUE;
  _bd_central_respond_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                             _("Only an administrator can manage staff accounts."));
  return FALSE;
}

static gboolean
read_role (SoupServerMessage  *msg,
           JsonObject         *request,
           gboolean            required,
           gboolean           *out_present,
           BdRole             *out_role)
{
  const char *text = NULL;

  *out_present = FALSE;
  if (!(required ? _bd_central_require_string (msg, request, "role", &text)
                 : _bd_central_get_string (msg, request, "role", &text)))
    return FALSE;
  if (text == NULL)
    return TRUE;
  if (!bd_role_from_string (text, out_role))
    {
      _bd_central_respond_invalid_request (msg, _("The role must be operator, agent, supervisor or admin."));
      return FALSE;
    }
  *out_present = TRUE;
  return TRUE;
}

static void
respond_user (BdCentralServer   *self,
              SoupServerMessage *msg,
              BdSession         *session,
              const char        *username,
              guint              status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = bd_central_db_user_get (self->db, session, username,
                                                     g_get_real_time () / G_USEC_PER_SEC, &error);

  if (node == NULL)
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }
  _bd_central_respond_json (msg, status, node);
}

void
_bd_central_handle_users (BdCentralServer   *self,
                          SoupServerMessage *msg,
                          BdSession         *session)
{
  static const char * const allowed[] = { "username", "display_name", "role", "password", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) request = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *username, *display_name, *password;
  gboolean has_role;
  BdRole role = BD_ROLE_OPERATOR;

  if (g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_GET))
    {
      g_autoptr(JsonNode) node = bd_central_db_users_list (self->db, session, now, &error);

      if (node == NULL)
        _bd_central_respond_failure (msg, error, -1, -1);
      else
        _bd_central_respond_json (msg, SOUP_STATUS_OK, node);
      return;
    }

  if (!require_admin (msg, session))
    return;
  request = _bd_central_read_json_object (msg, NULL);
  if (request == NULL || !_bd_central_check_members (msg, request, allowed))
    return;
  if (!_bd_central_require_string (msg, request, "username", &username) ||
      !_bd_central_require_string (msg, request, "display_name", &display_name) ||
      !_bd_central_require_string (msg, request, "password", &password) ||
      !read_role (msg, request, TRUE, &has_role, &role))
    return;

  if (!bd_central_db_user_create (self->db, session, username, display_name, role, password,
                                  bd_central_db_get_password_iterations (self->db), now, &error))
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }
  {
    g_autofree char *name = g_ascii_strdown (username, -1);

    respond_user (self, msg, session, g_strstrip (name), SOUP_STATUS_CREATED);
  }
}

void
_bd_central_handle_user (BdCentralServer   *self,
                         SoupServerMessage *msg,
                         BdSession         *session,
                         const char        *username)
{
  static const char * const allowed[] = { "display_name", "role", "disabled", "zones", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) request = NULL;
  const char *display_name = NULL;
  gboolean has_role = FALSE;
  BdRole role = BD_ROLE_OPERATOR;
  int disabled = -1;
  g_autoptr(GPtrArray) zones = NULL;
  JsonNode *node;

  if (g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_GET))
    {
      respond_user (self, msg, session, username, SOUP_STATUS_OK);
      return;
    }

  if (!require_admin (msg, session))
    return;
  request = _bd_central_read_json_object (msg, NULL);
  if (request == NULL || !_bd_central_check_members (msg, request, allowed))
    return;
  if (!_bd_central_get_string (msg, request, "display_name", &display_name) ||
      !read_role (msg, request, FALSE, &has_role, &role))
    return;
  node = json_object_get_member (request, "disabled");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        {
          _bd_central_respond_invalid_request (msg, _("“disabled” must be true or false."));
          return;
        }
      disabled = json_node_get_boolean (node) ? 1 : 0;
    }
  node = json_object_get_member (request, "zones");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      JsonArray *array = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

      if (array == NULL || json_array_get_length (array) > 32)
        {
          _bd_central_respond_invalid_request (msg, _("“zones” must be a list of at most 32 zone codes."));
          return;
        }
      zones = g_ptr_array_new ();
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING ||
              *json_node_get_string (element) == '\0' || strlen (json_node_get_string (element)) > 16)
            {
              _bd_central_respond_invalid_request (msg, _("“zones” must be a list of at most 32 zone codes."));
              return;
            }
          g_ptr_array_add (zones, (gpointer) json_node_get_string (element));
        }
      g_ptr_array_add (zones, NULL);
    }

  if (!bd_central_db_user_update (self->db, session, username, display_name, has_role ? &role : NULL,
                                  disabled, zones != NULL ? (const char * const *) zones->pdata : NULL,
                                  g_get_real_time () / G_USEC_PER_SEC, &error))
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }
  if (disabled == 1 || has_role || zones != NULL)
    _bd_central_forget_sessions_of (self, username);
  respond_user (self, msg, session, username, SOUP_STATUS_OK);
}

void
_bd_central_handle_user_password (BdCentralServer   *self,
                                  SoupServerMessage *msg,
                                  BdSession         *session,
                                  const char        *username)
{
  static const char * const allowed[] = { "password", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) request = NULL;
  const char *password;

  if (!require_admin (msg, session))
    return;
  request = _bd_central_read_json_object (msg, NULL);
  if (request == NULL || !_bd_central_check_members (msg, request, allowed) ||
      !_bd_central_require_string (msg, request, "password", &password))
    return;
  if (!bd_central_db_user_reset_password (self->db, session, username, password,
                                          bd_central_db_get_password_iterations (self->db),
                                          g_get_real_time () / G_USEC_PER_SEC, &error))
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }
  _bd_central_forget_sessions_of (self, username);
  respond_user (self, msg, session, username, SOUP_STATUS_OK);
}

void
_bd_central_handle_user_sessions (BdCentralServer   *self,
                                  SoupServerMessage *msg,
                                  BdSession         *session,
                                  const char        *username)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) node = NULL;
  gint64 ended = bd_central_db_user_revoke_sessions (self->db, session, username,
                                                     g_get_real_time () / G_USEC_PER_SEC, &error);

  if (ended < 0)
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }
  _bd_central_forget_sessions_of (self, username);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ended_sessions");
  json_builder_add_int_value (builder, ended);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  _bd_central_respond_json (msg, SOUP_STATUS_OK, node);
}
