/* bd-client-private.h: what the files of BdClient share.
 *
 * bd-client.c           the object, requests, answers and errors, the API
 * bd-client-snapshot.c  downloading a zone snapshot to a file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "bd-client.h"

G_BEGIN_DECLS

struct _BdClient
{
  GObject      parent_instance;

  SoupSession *soup;
  char        *base_url;   /* scheme://host[:port][/path], no trailing slash */
  BdSession   *session;
  char        *desk_id;    /* sent as X-Bijli-Desk, or NULL */
};

/* A request to base_url + path (+ "?" query) with the session's token,
 * the desk's id and the key; BD_NET_ERROR_INVALID_URL if it cannot be made. */
SoupMessage *_bd_client_new_message        (BdClient            *self,
                                            const char          *method,
                                            const char          *path,
                                            const char          *query,
                                            const char          *idempotency_key,
                                            GError             **error);
/* Cancellation comes back as BD_NET_ERROR_CANCELLED from the client's own
 * mapping, not as GIO's error from GTask. */
GTask       *_bd_client_new_task           (BdClient            *self,
                                            gpointer             source_tag,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GError      *_bd_client_bad_response_error (void);

G_END_DECLS
