/* bd-session-keyring.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "bd-session-keyring.h"

static const SecretSchema *
session_schema (void)
{
  static const SecretSchema schema = {
    "io.github.bijlidesk.BijliDesk.Session", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}

static void
on_stored_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* No user name or server in the message: they are personal enough. */
  if (!secret_password_store_finish (result, &error))
    g_debug ("The session token could not be kept in the Secret Service, so it lasts until the desk quits: %s",
             error->message);
}

void
bd_session_keyring_store (const char *server_url,
                          BdSession  *session)
{
  g_autofree char *label = NULL;

  g_return_if_fail (server_url != NULL);
  g_return_if_fail (BD_IS_SESSION (session));

  label = g_strdup_printf (_("Bijli Desk session of %s at %s"), bd_session_get_username (session), server_url);
  /* The session collection, not the login keyring: no unlock prompt at a
   * counter, and the token never reaches the disk, even encrypted. */
  secret_password_store (session_schema (), SECRET_COLLECTION_SESSION, label, bd_session_get_token (session),
                         NULL, on_stored_cb, NULL,
                         "server", server_url,
                         "username", bd_session_get_username (session),
                         NULL);
}

static void
on_cleared_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!secret_password_clear_finish (result, &error) && error != NULL)
    g_debug ("The kept session token could not be removed: %s", error->message);
}

void
bd_session_keyring_clear (const char *server_url,
                          const char *username)
{
  g_return_if_fail (server_url != NULL);
  g_return_if_fail (username != NULL);

  secret_password_clear (session_schema (), NULL, on_cleared_cb, NULL,
                         "server", server_url,
                         "username", username,
                         NULL);
}

static void
on_looked_up_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *token = secret_password_lookup_finish (result, &error);

  if (g_task_return_error_if_cancelled (task))
    {
      secret_password_free (token);
      return;
    }
  if (token == NULL)
    {
      /* No keyring is the same as an empty one: the operator signs in. */
      if (error != NULL)
        g_debug ("No session token from the Secret Service: %s", error->message);
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  g_task_return_pointer (task, g_strdup (token), g_free);
  secret_password_free (token);
}

void
bd_session_keyring_lookup_async (const char          *server_url,
                                 const char          *username,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (server_url != NULL);
  g_return_if_fail (username != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, bd_session_keyring_lookup_async);
  secret_password_lookup (session_schema (), cancellable, on_looked_up_cb, task,
                          "server", server_url,
                          "username", username,
                          NULL);
}

char *
bd_session_keyring_lookup_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
