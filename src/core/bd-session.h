/* bd-session.h: a signed-in staff member as the server granted it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  BD_ROLE_OPERATOR,
  BD_ROLE_AGENT,        /* 1912 call-centre agent */
  BD_ROLE_SUPERVISOR,
  BD_ROLE_ADMIN,
} BdRole;

const char *bd_role_to_string   (BdRole      role);
gboolean    bd_role_from_string (const char *text,
                                 BdRole     *out);

#define BD_TYPE_SESSION (bd_session_get_type ())
G_DECLARE_FINAL_TYPE (BdSession, bd_session, BD, SESSION, GObject)

BdSession  *bd_session_new              (const char *token,
                                         const char *username,
                                         const char *display_name,
                                         BdRole      role,
                                         const char *zone,
                                         const char *zone_name,
                                         gint64      expires_at);
const char *bd_session_get_token        (BdSession  *self);
const char *bd_session_get_username     (BdSession  *self);
const char *bd_session_get_display_name (BdSession  *self);
BdRole      bd_session_get_role         (BdSession  *self);
const char *bd_session_get_zone         (BdSession  *self);
const char *bd_session_get_zone_name    (BdSession  *self);
gint64      bd_session_get_expires_at   (BdSession  *self);
gboolean    bd_session_is_expired       (BdSession  *self,
                                         gint64      now_unix_utc);

G_END_DECLS
