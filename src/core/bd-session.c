/* bd-session.c: a signed-in staff member as the server granted it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "bd-session.h"

struct _BdSession
{
  GObject  parent_instance;

  char    *token;
  char    *username;
  char    *display_name;
  BdRole   role;
  char    *zone;
  char    *zone_name;
  gint64   expires_at;
};

G_DEFINE_FINAL_TYPE (BdSession, bd_session, G_TYPE_OBJECT)

static const char * const role_names[] = {
  [BD_ROLE_OPERATOR] = "operator",
  [BD_ROLE_AGENT] = "agent",
  [BD_ROLE_SUPERVISOR] = "supervisor",
  [BD_ROLE_ADMIN] = "admin",
};

const char *
bd_role_to_string (BdRole role)
{
  g_return_val_if_fail ((gsize) role < G_N_ELEMENTS (role_names), NULL);
  return role_names[role];
}

gboolean
bd_role_from_string (const char *text,
                     BdRole     *out)
{
  if (text == NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (role_names); i++)
    if (strcmp (role_names[i], text) == 0)
      {
        *out = (BdRole) i;
        return TRUE;
      }
  return FALSE;
}

static void
bd_session_finalize (GObject *object)
{
  BdSession *self = BD_SESSION (object);

  /* The token is a bearer credential: do not leave it in freed memory. */
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  g_free (self->username);
  g_free (self->display_name);
  g_free (self->zone);
  g_free (self->zone_name);

  G_OBJECT_CLASS (bd_session_parent_class)->finalize (object);
}

static void
bd_session_class_init (BdSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bd_session_finalize;
}

static void
bd_session_init (BdSession *self)
{
}

BdSession *
bd_session_new (const char *token,
                const char *username,
                const char *display_name,
                BdRole      role,
                const char *zone,
                const char *zone_name,
                gint64      expires_at)
{
  BdSession *self;

  g_return_val_if_fail (token != NULL, NULL);
  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (zone != NULL, NULL);

  self = g_object_new (BD_TYPE_SESSION, NULL);
  self->token = g_strdup (token);
  self->username = g_strdup (username);
  self->display_name = g_strdup (display_name != NULL ? display_name : username);
  self->role = role;
  self->zone = g_strdup (zone);
  self->zone_name = g_strdup (zone_name != NULL ? zone_name : zone);
  self->expires_at = expires_at;
  return self;
}

const char *
bd_session_get_token (BdSession *self)
{
  g_return_val_if_fail (BD_IS_SESSION (self), NULL);
  return self->token;
}

const char *
bd_session_get_username (BdSession *self)
{
  g_return_val_if_fail (BD_IS_SESSION (self), NULL);
  return self->username;
}

const char *
bd_session_get_display_name (BdSession *self)
{
  g_return_val_if_fail (BD_IS_SESSION (self), NULL);
  return self->display_name;
}

BdRole
bd_session_get_role (BdSession *self)
{
  g_return_val_if_fail (BD_IS_SESSION (self), BD_ROLE_OPERATOR);
  return self->role;
}

const char *
bd_session_get_zone (BdSession *self)
{
  g_return_val_if_fail (BD_IS_SESSION (self), NULL);
  return self->zone;
}

const char *
bd_session_get_zone_name (BdSession *self)
{
  g_return_val_if_fail (BD_IS_SESSION (self), NULL);
  return self->zone_name;
}

gint64
bd_session_get_expires_at (BdSession *self)
{
  g_return_val_if_fail (BD_IS_SESSION (self), 0);
  return self->expires_at;
}

gboolean
bd_session_is_expired (BdSession *self,
                       gint64     now_unix_utc)
{
  g_return_val_if_fail (BD_IS_SESSION (self), TRUE);
  return now_unix_utc >= self->expires_at;
}
