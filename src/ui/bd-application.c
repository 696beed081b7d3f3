/* bd-application.c: the desk application.
 *
 * The application holds what outlives a window: the settings and, per
 * sign-in, the client, the session, the local store and the sync engine.
 * It handles the command line in the primary instance (so a second
 * `bijli-desk --search …` reaches the running window) and reads the
 * password only from the environment of the invoking process.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "bd-about.h"
#include "bd-application.h"
#include "bd-session-keyring.h"
#include "bd-sign-in-page.h"
#include "bd-consumer-format.h"
#include "bd-consumer-window.h"
#include "bd-language.h"
#include "bd-preferences-window.h"
#include "bd-window.h"
#include "store/bd-offline-login.h"

/* Pages of the changes feed: the largest the server allows, so a zone of
 * a million consumers is a thousand round trips, each applied in one
 * transaction in a worker thread. */
#define SYNC_PAGE_SIZE 1000

struct _BdApplication
{
  AdwApplication   parent_instance;

  GSettings       *settings;
  BdClient        *client;
  BdSession       *session;
  BdConsumerStore *store;
  BdSyncEngine    *sync_engine;
  BdPushWorker    *push_worker;   /* sends the outbox while signed in */
  char            *store_path;
  char            *desk_id;       /* X-Bijli-Desk, made once per installation */
  BdStoreRecovery  store_recovery;     /* how the store was opened, until taken */
  gint64           store_backup_time;  /* of the backup used, if one was */
  gint64           last_backup;        /* monotonic µs of the last backup started */

  /* Signed in offline: the session has no token and nothing is sent until
   * bd_application_reconnect_async() signs in online with the password
   * kept here (only for as long as the offline session lasts). */
  gboolean         offline_session;
  char            *offline_password;
  char            *server_url;
  char            *username;

  gint64           started_at;    /* monotonic µs at the top of main(), or 0 */
  gboolean         restart_requested;
};

G_DEFINE_FINAL_TYPE (BdApplication, bd_application, ADW_TYPE_APPLICATION)

/* A backup copies the whole store (seconds for a million consumers): after
 * a sync, at most this often. */
#define BACKUP_INTERVAL_S (10 * 60)

typedef struct {
  GTask           *outer;        /* the sign-in task, returned when the store is open */
  BdClient        *client;
  BdSession       *session;
  char            *server_url;
  char            *username;
  char            *store_path;
  BdConsumerStore *store;
  BdStoreRecovery  recovery;
  gint64           backup_time;
  char            *password;     /* wiped when freed */
  char            *zone;         /* asked for at sign-in, or NULL for the user's own */
  gboolean         offline;      /* signed in against the offline record */
} SignIn;

static void
wipe_string (char **text)
{
  if (*text != NULL)
    memset (*text, 0, strlen (*text));
  g_clear_pointer (text, g_free);
}

static void
sign_in_free (SignIn *data)
{
  g_clear_object (&data->outer);
  g_clear_object (&data->client);
  g_clear_object (&data->session);
  g_clear_object (&data->store);
  g_clear_pointer (&data->server_url, g_free);
  g_clear_pointer (&data->username, g_free);
  g_clear_pointer (&data->store_path, g_free);
  g_clear_pointer (&data->zone, g_free);
  wipe_string (&data->password);
  g_free (data);
}

typedef struct {
  gint64 count;
  gint64 last_sync;
} StoreState;

static const GOptionEntry option_entries[] = {
  { "server", 's', 0, G_OPTION_ARG_STRING, NULL,
    N_("Address of the Bijli Central server"), N_("URL") },
  { "username", 'u', 0, G_OPTION_ARG_STRING, NULL,
    N_("User name to fill in on the sign-in page"), N_("NAME") },
  { "zone", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Zone to sign in to, for staff who work in more than their own"), N_("CODE") },
  { "sign-in", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Sign in at start with the password in the BIJLI_DESK_PASSWORD environment variable"), NULL },
  { "search", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Search for this text once the zone is ready"), N_("TEXT") },
  /* For the start-up benchmark: print when the first frame was drawn, then quit. */
  { "benchmark-startup", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, NULL, NULL, NULL },
  { NULL }
};

static void
on_quit_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  BdApplication *self = user_data;
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Closing the windows (rather than g_application_quit) lets each one save
   * its size in close-request. Dialogs go first, so each is gone before the
   * window it is transient for (GTK 4.8 trips over a dialog that outlives
   * its parent). Closing one window can destroy others, so each is checked
   * to be open still; no reference is kept, which would delay that. */
  for (guint pass = 0; pass < 2; pass++)
    for (GList *l = windows; l != NULL; l = l->next)
      {
        if (g_list_find (gtk_application_get_windows (GTK_APPLICATION (self)), l->data) == NULL)
          continue;
        if ((pass == 0) == (gtk_window_get_transient_for (l->data) != NULL))
          gtk_window_close (l->data);
      }
}

static void
on_about_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  BdApplication *self = user_data;

  bd_about_show (gtk_application_get_active_window (GTK_APPLICATION (self)));
}

/* GTK 4.8 leaves a dialog pointing at its parent once the parent is gone,
 * and the dialog's own disposal then touches freed memory: let go of the
 * parent while it is still alive. */
static void
on_dialog_parent_destroyed_cb (GtkWindow *dialog,
                               GtkWidget *parent)
{
  gtk_window_set_transient_for (dialog, NULL);
  gtk_window_destroy (dialog);
}

static void
on_preferences_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  BdApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *preferences = bd_preferences_window_new (self->settings);

  /* Part of the application, so app.restart and the shortcuts work in it. */
  gtk_window_set_application (GTK_WINDOW (preferences), GTK_APPLICATION (self));
  if (parent != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (preferences), parent);
      g_signal_connect_object (parent, "destroy", G_CALLBACK (on_dialog_parent_destroyed_cb),
                               preferences, G_CONNECT_SWAPPED);
    }
  gtk_window_present (GTK_WINDOW (preferences));
}

/* main() starts the program again once the windows are closed and the
 * application has let go of its D-Bus name. */
static void
on_restart_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  BdApplication *self = user_data;

  self->restart_requested = TRUE;
  g_action_group_activate_action (G_ACTION_GROUP (self), "quit", NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", on_quit_action, NULL, NULL, NULL },
  { "about", on_about_action, NULL, NULL, NULL },
  { "preferences", on_preferences_action, NULL, NULL, NULL },
  { "restart", on_restart_action, NULL, NULL, NULL },
};

static void
apply_color_scheme (BdApplication *self)
{
  g_autofree char *scheme = g_settings_get_string (self->settings, "color-scheme");
  AdwColorScheme color_scheme = ADW_COLOR_SCHEME_DEFAULT;

  if (g_strcmp0 (scheme, "light") == 0)
    color_scheme = ADW_COLOR_SCHEME_FORCE_LIGHT;
  else if (g_strcmp0 (scheme, "dark") == 0)
    color_scheme = ADW_COLOR_SCHEME_FORCE_DARK;

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), color_scheme);
}

static void
apply_name_order (BdApplication *self)
{
  g_autofree char *order = g_settings_get_string (self->settings, "name-order");
  gboolean hindi_first;

  if (g_strcmp0 (order, "hindi") == 0)
    hindi_first = TRUE;
  else if (g_strcmp0 (order, "english") == 0)
    hindi_first = FALSE;
  else
    hindi_first = bd_language_is_hindi ();

  bd_name_order_set (hindi_first ? BD_NAME_ORDER_HINDI_FIRST : BD_NAME_ORDER_ENGLISH_FIRST);
}

static void
on_color_scheme_changed_cb (BdApplication *self,
                            const char    *key,
                            GSettings     *settings)
{
  apply_color_scheme (self);
}

static void
on_name_order_changed_cb (BdApplication *self,
                          const char    *key,
                          GSettings     *settings)
{
  apply_name_order (self);

  /* The results on show are rebuilt from the local copy, in the new order. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (BD_IS_WINDOW (l->data) && self->store != NULL)
      bd_search_panel_refresh (bd_window_get_search_panel (l->data));
}

/* On a desk shared by several operators, nobody's user name is left behind. */
static void
on_remember_username_changed_cb (BdApplication *self,
                                 const char    *key,
                                 GSettings     *settings)
{
  if (!g_settings_get_boolean (settings, "remember-username"))
    g_settings_reset (settings, "last-username");
}

static char *sanitize_file_part (const char *text);
static void  start_online (BdApplication *self);
static void  on_signed_in_cb (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data);

/* DATA_DIR/bijli-desk/offline/HOST_PORT-USER.json: one record per server
 * and user, found before the zone is known. */
static char *
build_offline_login_path (const char *server_url,
                          const char *username)
{
  g_autofree char *store_path = bd_application_build_store_path (g_get_user_data_dir (), server_url, "x");
  g_autofree char *base = g_path_get_basename (store_path);
  g_autofree char *dir = g_path_get_dirname (store_path);
  g_autofree char *user_part = sanitize_file_part (username);
  g_autofree char *file_name = NULL;

  /* base is HOST_PORT-x.db */
  base[strlen (base) - strlen ("-x.db")] = '\0';
  file_name = g_strdup_printf ("%s-%s.json", base, user_part);
  return g_build_filename (dir, "offline", file_name, NULL);
}

static void
open_store_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  SignIn *data = task_data;
  g_autofree char *dir = g_path_get_dirname (data->store_path);
  g_autoptr(GError) error = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("Could not create the folder for the local copy (%s): %s"),
                               dir, g_strerror (saved_errno));
      return;
    }

  data->store = bd_consumer_store_open_or_recover (data->store_path, &data->recovery,
                                                   &data->backup_time, &error);
  if (data->store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void save_offline_login_thread (GTask        *task,
                                       gpointer      source_object,
                                       gpointer      task_data,
                                       GCancellable *cancellable);

static void
save_offline_login (BdApplication *self,
                    BdSession     *session,
                    const char    *password)
{
  g_autoptr(GTask) save = NULL;
  SignIn *save_data;

  if (password == NULL || self->server_url == NULL || self->username == NULL)
    return;
  save_data = g_new0 (SignIn, 1);
  save_data->session = g_object_ref (session);
  save_data->server_url = g_strdup (self->server_url);
  save_data->username = g_strdup (self->username);
  save_data->password = g_strdup (password);
  save = g_task_new (self, NULL, NULL, NULL);
  g_task_set_source_tag (save, save_offline_login_thread);
  g_task_set_task_data (save, save_data, (GDestroyNotify) sign_in_free);
  g_task_run_in_thread (save, save_offline_login_thread);
}

static void
on_store_opened_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  BdApplication *self = BD_APPLICATION (source);
  SignIn *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GTask) outer = g_steal_pointer (&data->outer);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }

  if (g_task_return_error_if_cancelled (outer))
    return;

  bd_application_sign_out (self);
  self->client = g_steal_pointer (&data->client);
  self->session = g_steal_pointer (&data->session);
  self->store = g_steal_pointer (&data->store);
  g_free (self->store_path);
  self->store_path = g_strdup (data->store_path);
  self->store_recovery = data->recovery;
  self->store_backup_time = data->backup_time;
  self->last_backup = 0;
  g_free (self->server_url);
  self->server_url = g_strdup (data->server_url);
  g_free (self->username);
  self->username = g_strdup (data->username);
  if (data->offline)
    {
      /* Nothing can be pulled or sent without a token: the sync engine and
       * the push worker come with the online sign-in that ends this. */
      self->offline_session = TRUE;
      self->offline_password = g_steal_pointer (&data->password);
    }
  else
    {
      start_online (self);
      /* Each online sign-in renews the offline record and its window; the
       * KDF runs in a thread of its own, off the path to the first sync.
       * A resumed session has no password, and keeps the record it had. */
      save_offline_login (self, self->session, data->password);
      if (data->password != NULL)
        bd_session_keyring_store (data->server_url, self->session);
    }

  g_settings_set_string (self->settings, "server-url", data->server_url);
  if (g_settings_get_boolean (self->settings, "remember-username"))
    g_settings_set_string (self->settings, "last-username", data->username);

  g_task_return_boolean (outer, TRUE);
}

static void
start_online (BdApplication *self)
{
  self->offline_session = FALSE;
  wipe_string (&self->offline_password);
  self->sync_engine = bd_sync_engine_new (self->client, self->store);
  bd_sync_engine_set_page_size (self->sync_engine, SYNC_PAGE_SIZE);
  /* Edits queued before a sign-out or a crash go out with this session. */
  self->push_worker = bd_push_worker_new (self->client, self->store);
  bd_push_worker_start (self->push_worker);
}

static void
open_store_for (GTask     *outer,
                SignIn    *data)
{
  BdApplication *self = g_task_get_source_object (outer);
  g_autoptr(GTask) open_task = NULL;
  SignIn *open_data;

  /* The store is opened by a second task so the new objects are committed
   * on the main thread, in on_store_opened_cb, before the caller hears. */
  open_data = g_new0 (SignIn, 1);
  open_data->outer = g_object_ref (outer);
  open_data->client = g_object_ref (data->client);
  open_data->session = g_object_ref (data->session);
  open_data->server_url = g_strdup (data->server_url);
  open_data->username = g_strdup (data->username);
  open_data->password = g_strdup (data->password);
  open_data->offline = data->offline;
  open_data->store_path = bd_application_build_store_path (g_get_user_data_dir (),
                                                           bd_client_get_base_url (data->client),
                                                           bd_session_get_zone (data->session));

  open_task = g_task_new (self, g_task_get_cancellable (outer), on_store_opened_cb, NULL);
  g_task_set_source_tag (open_task, on_signed_in_cb);
  g_task_set_task_data (open_task, open_data, (GDestroyNotify) sign_in_free);
  g_task_run_in_thread (open_task, open_store_thread);
}

static void
verify_offline_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  SignIn *data = task_data;
  g_autofree char *path = build_offline_login_path (data->server_url, data->username);
  g_autoptr(GError) error = NULL;
  BdSession *session;

  session = bd_offline_login_verify (path, data->username, data->password,
                                     g_get_real_time () / G_USEC_PER_SEC, &error);
  if (session == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, session, g_object_unref);
}

static void
on_offline_verified_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  SignIn *data = g_task_get_task_data (outer);
  g_autoptr(GError) error = NULL;

  data->session = g_task_propagate_pointer (G_TASK (result), &error);
  if (data->session == NULL)
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }
  /* The offline record is of the last online sign-in, and so is its zone. */
  if (data->zone != NULL && g_strcmp0 (data->zone, bd_session_get_zone (data->session)) != 0)
    {
      g_task_return_new_error (outer, BD_NET_ERROR, BD_NET_ERROR_UNREACHABLE,
                               _("The server cannot be reached, and offline the desk opens only the zone of your last online sign-in (%s)."),
                               bd_session_get_zone (data->session));
      return;
    }
  data->offline = TRUE;
  open_store_for (outer, data);
}

static void
on_signed_in_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  BdApplication *self = g_task_get_source_object (outer);
  SignIn *data = g_task_get_task_data (outer);
  g_autoptr(GError) error = NULL;

  data->session = bd_client_sign_in_finish (BD_CLIENT (source), result, &error);
  if (data->session == NULL)
    {
      /* The server is the authority whenever it answers; only when it
       * cannot be had does the desk check the password itself. */
      if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_UNREACHABLE) ||
          g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_SERVER))
        {
          g_autoptr(GTask) verify = g_task_new (self, g_task_get_cancellable (outer),
                                                on_offline_verified_cb, g_object_ref (outer));

          g_task_set_source_tag (verify, verify_offline_thread);
          /* The thread reads the outer task's data, which outlives it. */
          g_task_set_task_data (verify, data, NULL);
          g_task_run_in_thread (verify, verify_offline_thread);
          return;
        }
      /* A password the server refuses, or a disabled account, must not
       * keep working offline. */
      if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_BAD_CREDENTIALS) ||
          g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_FORBIDDEN))
        {
          g_autofree char *path = build_offline_login_path (data->server_url, data->username);

          bd_offline_login_forget (path, NULL);
        }
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }
  bd_client_set_session (data->client, data->session);
  open_store_for (outer, data);
}

static void
query_store_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  BdConsumerStore *store = task_data;
  g_autoptr(GError) error = NULL;
  StoreState *state;
  gint64 count;

  count = bd_consumer_store_count (store, &error);
  if (count < 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  state = g_new0 (StoreState, 1);
  state->count = count;
  state->last_sync = bd_consumer_store_get_last_sync (store);
  g_task_return_pointer (task, state, g_free);
}

/* Dropping the last reference to a store closes it: its integrity check
 * thread is joined and the WAL checkpointed into the database, which
 * takes seconds after a large sync. */
static void
close_store_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  g_object_unref (task_data);
}

/* Lets go of the signed-in zone. The client and sync engine go first, so
 * the store's last reference is normally the one handed to a worker
 * thread (tasks still running hold theirs until they finish). */
static void
release_zone (BdApplication *self,
              gboolean       close_in_thread)
{
  g_autoptr(GTask) task = NULL;

  /* Stopped first: its request in flight goes back to queued, to be sent
   * with the same key by the next session. */
  if (self->push_worker != NULL)
    bd_push_worker_stop (self->push_worker);
  g_clear_object (&self->push_worker);
  g_clear_object (&self->sync_engine);
  g_clear_object (&self->session);
  g_clear_object (&self->client);
  g_clear_pointer (&self->store_path, g_free);
  self->offline_session = FALSE;
  wipe_string (&self->offline_password);
  self->store_recovery = BD_STORE_RECOVERY_NONE;

  if (self->store == NULL)
    return;
  if (!close_in_thread)
    {
      g_clear_object (&self->store);
      return;
    }

  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_source_tag (task, release_zone);
  g_task_set_task_data (task, g_steal_pointer (&self->store), NULL);
  g_task_run_in_thread (task, close_store_thread);
}

static char *
sanitize_file_part (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '.' || *p == '_' || *p == '-')
        g_string_append_c (out, *p);
      else
        g_string_append_c (out, '_');
    }
  if (out->len == 0)
    g_string_append (out, "default");

  return g_string_free (out, FALSE);
}

static gboolean
quit_idle_cb (gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));

  return G_SOURCE_REMOVE;
}

static void
on_first_frame_painted_cb (GdkFrameClock *clock,
                           gpointer       user_data)
{
  BdApplication *self = user_data;
  gint64 now = g_get_monotonic_time ();

  g_signal_handlers_disconnect_by_func (clock, on_first_frame_painted_cb, self);
  /* Machine-readable: the launcher script compares monotonic-us with the
   * time it exec'd the process. */
  g_print ("first-frame-ms: %.1f monotonic-us: %" G_GINT64_FORMAT "\n",
           self->started_at > 0 ? (double) (now - self->started_at) / 1000.0 : -1.0, now);
  g_idle_add_full (G_PRIORITY_LOW, quit_idle_cb, g_object_ref (self), g_object_unref);
}

static void
on_benchmark_window_mapped_cb (GtkWidget *window,
                               gpointer   user_data)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_signal_handlers_disconnect_by_func (window, on_benchmark_window_mapped_cb, user_data);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_first_frame_painted_cb), user_data);
}

static void
bd_application_activate (GApplication *app)
{
  BdApplication *self = BD_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      g_autofree char *server = g_settings_get_string (self->settings, "server-url");
      g_autofree char *username = g_settings_get_string (self->settings, "last-username");
      const char *env_server = g_getenv ("BD_SERVER_URL");

      window = GTK_WINDOW (bd_window_new (self));
      bd_window_prefill_sign_in (BD_WINDOW (window),
                                 env_server != NULL && *env_server != '\0' ? env_server : server,
                                 username);
      bd_window_resume_session (BD_WINDOW (window),
                                env_server != NULL && *env_server != '\0' ? env_server : server,
                                username);
    }

  gtk_window_present (window);
}

static int
bd_application_command_line (GApplication            *app,
                             GApplicationCommandLine *cmdline)
{
  BdApplication *self = BD_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (cmdline);
  g_autofree char *setting_server = NULL;
  g_autofree char *setting_username = NULL;
  const char *server = NULL;
  const char *username = NULL;
  const char *search = NULL;
  const char *zone = NULL;
  gboolean sign_in = FALSE;
  gboolean benchmark_startup = FALSE;
  GtkWindow *window;

  g_variant_dict_lookup (options, "server", "&s", &server);
  g_variant_dict_lookup (options, "username", "&s", &username);
  g_variant_dict_lookup (options, "search", "&s", &search);
  g_variant_dict_lookup (options, "zone", "&s", &zone);
  g_variant_dict_lookup (options, "sign-in", "b", &sign_in);
  g_variant_dict_lookup (options, "benchmark-startup", "b", &benchmark_startup);

  if (server == NULL || *server == '\0')
    server = g_application_command_line_getenv (cmdline, "BD_SERVER_URL");
  if (server == NULL || *server == '\0')
    server = setting_server = g_settings_get_string (self->settings, "server-url");
  if (username == NULL || *username == '\0')
    username = setting_username = g_settings_get_string (self->settings, "last-username");

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL)
    window = GTK_WINDOW (bd_window_new (self));

  bd_window_prefill_sign_in (BD_WINDOW (window), server, username);
  if (zone != NULL)
    bd_sign_in_page_set_zone (BD_SIGN_IN_PAGE (bd_window_get_sign_in_page (BD_WINDOW (window))), zone);
  if (search != NULL && *search != '\0')
    bd_window_set_pending_search (BD_WINDOW (window), search);

  if (benchmark_startup && !gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_signal_connect_object (window, "map", G_CALLBACK (on_benchmark_window_mapped_cb), self, 0);

  gtk_window_present (window);

  if (sign_in)
    {
      const char *password = g_application_command_line_getenv (cmdline, "BIJLI_DESK_PASSWORD");

      if (password != NULL && *password != '\0')
        bd_window_sign_in_with_password (BD_WINDOW (window), password);
      else
        g_application_command_line_printerr (cmdline, "%s\n",
                                             _("--sign-in needs the password in the BIJLI_DESK_PASSWORD environment variable; please type it in the window instead."));
    }
  else
    bd_window_resume_session (BD_WINDOW (window), server, username);

  return EXIT_SUCCESS;
}

static void
bd_application_startup (GApplication *app)
{
  BdApplication *self = BD_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *sync_accels[] = { "<Control>r", "F5", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *shortcuts_accels[] = { "<Control>question", NULL };
  static const char *search_accels[] = { "<Control>f", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  static const char *next_accels[] = { "<Alt>Down", "<Alt>KP_Down", NULL };
  static const char *previous_accels[] = { "<Alt>Up", "<Alt>KP_Up", NULL };
  static const char *copy_accels[] = { "<Control><Shift>c", NULL };
  static const char *new_window_accels[] = { "<Control><Shift>n", NULL };
  static const char *print_accels[] = { "<Control>p", NULL };
  static const char *complaint_accels[] = { "<Control>k", NULL };
  static const char *queue_accels[] = { "<Control><Shift>k", NULL };
  static const char *audit_accels[] = { "<Control><Shift>a", NULL };
  static const char *staff_accels[] = { "<Control><Shift>u", NULL };
  static const char *requests_accels[] = { "<Control><Shift>d", NULL };

  G_APPLICATION_CLASS (bd_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-help-overlay", shortcuts_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.sync-now", sync_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.focus-search", search_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.next-result", next_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.previous-result", previous_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.copy-account", copy_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.open-consumer-window", new_window_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.print-summary", print_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.new-complaint", complaint_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.complaint-queue", queue_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.audit-log", audit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.staff-accounts", staff_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.request-queue", requests_accels);

  /* Before the first window, so it opens in the chosen style. */
  apply_color_scheme (self);
  apply_name_order (self);
  g_signal_connect_object (self->settings, "changed::color-scheme",
                           G_CALLBACK (on_color_scheme_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::name-order",
                           G_CALLBACK (on_name_order_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::remember-username",
                           G_CALLBACK (on_remember_username_changed_cb), self, G_CONNECT_SWAPPED);
}

static void
bd_application_dispose (GObject *object)
{
  BdApplication *self = BD_APPLICATION (object);

  /* On the way out nothing waits for the main loop any more, and a worker
   * thread might not finish closing before the process exits. */
  release_zone (self, FALSE);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->server_url, g_free);
  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->desk_id, g_free);

  G_OBJECT_CLASS (bd_application_parent_class)->dispose (object);
}

static void
bd_application_class_init (BdApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = bd_application_dispose;

  app_class->activate = bd_application_activate;
  app_class->command_line = bd_application_command_line;
  app_class->startup = bd_application_startup;
}

static void
bd_application_init (BdApplication *self)
{
  self->settings = g_settings_new (APPLICATION_ID);

  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Customer-service desk for prepaid electricity consumers."));
}

BdApplication *
bd_application_new (void)
{
  return g_object_new (BD_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/io/github/bijlidesk/BijliDesk",
                       NULL);
}

void
bd_application_set_started_at (BdApplication *self,
                               gint64         monotonic_us)
{
  g_return_if_fail (BD_IS_APPLICATION (self));

  self->started_at = monotonic_us;
}

GSettings *
bd_application_get_settings (BdApplication *self)
{
  g_return_val_if_fail (BD_IS_APPLICATION (self), NULL);

  return self->settings;
}

gboolean
bd_application_get_restart_requested (BdApplication *self)
{
  g_return_val_if_fail (BD_IS_APPLICATION (self), FALSE);

  return self->restart_requested;
}

BdSession *
bd_application_get_session (BdApplication *self)
{
  g_return_val_if_fail (BD_IS_APPLICATION (self), NULL);

  return self->session;
}

BdConsumerStore *
bd_application_get_store (BdApplication *self)
{
  g_return_val_if_fail (BD_IS_APPLICATION (self), NULL);

  return self->store;
}

BdSyncEngine *
bd_application_get_sync_engine (BdApplication *self)
{
  g_return_val_if_fail (BD_IS_APPLICATION (self), NULL);

  return self->sync_engine;
}

BdClient *
bd_application_get_client (BdApplication *self)
{
  g_return_val_if_fail (BD_IS_APPLICATION (self), NULL);

  return self->client;
}

BdPushWorker *
bd_application_get_push_worker (BdApplication *self)
{
  g_return_val_if_fail (BD_IS_APPLICATION (self), NULL);

  return self->push_worker;
}

/* Made once per installation: the audit log on the server then says which
 * counter a change came from. */
static const char *
desk_id (BdApplication *self)
{
  g_autofree char *id = g_settings_get_string (self->settings, "desk-id");

  if (id == NULL || *id == '\0')
    {
      g_free (id);
      id = g_uuid_string_random ();
      g_settings_set_string (self->settings, "desk-id", id);
    }
  g_free (self->desk_id);
  self->desk_id = g_steal_pointer (&id);
  return self->desk_id;
}

/* The task of a sign-in or a resume, with its SignIn and a client for
 * server_url that names this desk; NULL when it has already returned the
 * error (an unusable address). */
static GTask *
new_sign_in_task (BdApplication       *self,
                  gpointer             source_tag,
                  const char          *server_url,
                  const char          *username,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  SignIn *data = g_new0 (SignIn, 1);

  g_task_set_source_tag (task, source_tag);
  data->server_url = g_strdup (server_url);
  data->username = g_strdup (username);
  g_task_set_task_data (task, data, (GDestroyNotify) sign_in_free);
  data->client = bd_client_new (server_url, &error);
  if (data->client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return NULL;
    }
  bd_client_set_desk_id (data->client, desk_id (self));
  return g_steal_pointer (&task);
}

void
bd_application_sign_in_async (BdApplication       *self,
                              const char          *server_url,
                              const char          *username,
                              const char          *password,
                              const char          *zone,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SignIn *data;

  g_return_if_fail (BD_IS_APPLICATION (self));
  g_return_if_fail (server_url != NULL);
  g_return_if_fail (username != NULL);
  g_return_if_fail (password != NULL);

  task = new_sign_in_task (self, bd_application_sign_in_async, server_url, username, cancellable, callback,
                           user_data);
  if (task == NULL)
    return;
  data = g_task_get_task_data (task);
  data->password = g_strdup (password);
  data->zone = zone != NULL && *zone != '\0' ? g_strdup (zone) : NULL;
  bd_client_sign_in_to_zone_async (data->client, username, password, data->zone, cancellable,
                                   on_signed_in_cb, g_steal_pointer (&task));
}

static void
on_resumed_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  SignIn *data = g_task_get_task_data (outer);
  g_autoptr(GError) error = NULL;

  data->session = bd_client_sign_in_finish (BD_CLIENT (source), result, &error);
  if (data->session == NULL)
    {
      /* Ended, revoked or disabled: the kept token is of no more use. */
      if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_SESSION_EXPIRED) ||
          g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_FORBIDDEN))
        bd_session_keyring_clear (data->server_url, data->username);
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }
  /* The server says whose token it is; a keyring entry under another
   * name must not open that person's zone. */
  if (g_strcmp0 (bd_session_get_username (data->session), data->username) != 0)
    {
      bd_session_keyring_clear (data->server_url, data->username);
      g_task_return_new_error (outer, BD_NET_ERROR, BD_NET_ERROR_SESSION_EXPIRED,
                               _("Your session has ended. Sign in again."));
      return;
    }
  open_store_for (outer, data);
}

static void
on_token_found_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  SignIn *data = g_task_get_task_data (outer);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = bd_session_keyring_lookup_finish (result, &error);
  g_autoptr(BdSession) saved = NULL;
  GCancellable *cancellable = g_task_get_cancellable (outer);

  if (token == NULL)
    {
      if (error != NULL)
        g_task_return_error (outer, g_steal_pointer (&error));
      else
        g_task_return_boolean (outer, FALSE);
      return;
    }
  saved = bd_session_new (token, data->username, data->username, BD_ROLE_OPERATOR, "", "", 0);
  bd_client_resume_async (data->client, saved, cancellable, on_resumed_cb, g_steal_pointer (&outer));
}

void
bd_application_resume_async (BdApplication       *self,
                             const char          *server_url,
                             const char          *username,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (BD_IS_APPLICATION (self));
  g_return_if_fail (server_url != NULL);
  g_return_if_fail (username != NULL);

  task = new_sign_in_task (self, bd_application_resume_async, server_url, username, cancellable, callback,
                           user_data);
  if (task != NULL)
    bd_session_keyring_lookup_async (server_url, username, cancellable, on_token_found_cb, task);
}

gboolean
bd_application_resume_finish (BdApplication  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (BD_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bd_application_resume_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
bd_application_sign_in_finish (BdApplication  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (BD_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bd_application_sign_in_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
repair_store_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  SignIn *data = task_data;
  g_autoptr(GError) error = NULL;

  /* The last reference: closing joins the check thread before the file
   * is moved aside. */
  g_clear_object (&data->store);
  data->store = bd_consumer_store_open_or_recover (data->store_path, &data->recovery,
                                                   &data->backup_time, &error);
  if (data->store == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_store_repaired_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  BdApplication *self = g_task_get_source_object (outer);
  SignIn *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }
  /* Signed out meanwhile: the repaired store just closes. */
  if (self->session == NULL || g_strcmp0 (self->store_path, data->store_path) != 0)
    {
      g_task_return_new_error (outer, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The sign-in this belonged to has ended."));
      return;
    }

  self->store = g_steal_pointer (&data->store);
  self->store_recovery = data->recovery;
  self->store_backup_time = data->backup_time;
  self->last_backup = 0;
  if (!self->offline_session)
    {
      self->sync_engine = bd_sync_engine_new (self->client, self->store);
      bd_sync_engine_set_page_size (self->sync_engine, SYNC_PAGE_SIZE);
      self->push_worker = bd_push_worker_new (self->client, self->store);
      bd_push_worker_start (self->push_worker);
    }
  g_task_return_boolean (outer, TRUE);
}

void
bd_application_repair_store_async (BdApplication       *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) repair = NULL;
  SignIn *data;

  g_return_if_fail (BD_IS_APPLICATION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bd_application_repair_store_async);
  if (self->store == NULL || self->store_path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               _("No zone is open: sign in first."));
      return;
    }

  /* Everything holding the damaged store lets go of it first; the outbox
   * item in flight goes back to queued (in the damaged file, or in the
   * backup that replaces it). */
  if (self->push_worker != NULL)
    bd_push_worker_stop (self->push_worker);
  g_clear_object (&self->push_worker);
  g_clear_object (&self->sync_engine);

  data = g_new0 (SignIn, 1);
  data->store = g_steal_pointer (&self->store);
  data->store_path = g_strdup (self->store_path);
  repair = g_task_new (self, cancellable, on_store_repaired_cb, g_steal_pointer (&task));
  g_task_set_source_tag (repair, repair_store_thread);
  g_task_set_task_data (repair, data, (GDestroyNotify) sign_in_free);
  g_task_run_in_thread (repair, repair_store_thread);
}

gboolean
bd_application_repair_store_finish (BdApplication  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (BD_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bd_application_repair_store_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
bd_application_is_offline_session (BdApplication *self)
{
  g_return_val_if_fail (BD_IS_APPLICATION (self), FALSE);

  return self->session != NULL && self->offline_session;
}

gboolean
bd_application_is_counter_staff (BdApplication *self)
{
  g_return_val_if_fail (BD_IS_APPLICATION (self), FALSE);

  return self->session == NULL || bd_session_get_role (self->session) != BD_ROLE_AGENT;
}

static void
save_offline_login_thread (GTask        *task,
                           gpointer      source_object,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  SignIn *data = task_data;
  g_autofree char *path = build_offline_login_path (data->server_url, data->username);
  g_autoptr(GError) error = NULL;

  if (!bd_offline_login_save (path, data->session, data->password,
                              g_get_real_time () / G_USEC_PER_SEC, &error))
    g_message ("Offline sign-in will not be possible: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

static void
on_reconnected_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BdApplication *self = g_task_get_source_object (task);
  SignIn *data = g_task_get_task_data (task);
  g_autoptr(BdSession) session = NULL;
  g_autoptr(GError) error = NULL;

  session = bd_client_sign_in_finish (BD_CLIENT (source), result, &error);
  if (session == NULL)
    {
      if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_BAD_CREDENTIALS) ||
          g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_FORBIDDEN))
        {
          g_autofree char *path = build_offline_login_path (data->server_url, data->username);

          bd_offline_login_forget (path, NULL);
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Signed out, or signed in again, while the request was out. */
  if (!self->offline_session || self->client != data->client)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The sign-in this belonged to has ended."));
      return;
    }

  /* The server may have moved the user to another zone meanwhile: the copy
   * open here is the wrong one, and only a fresh sign-in opens the right. */
  if (g_strcmp0 (bd_session_get_zone (session), bd_session_get_zone (self->session)) != 0)
    {
      g_task_return_new_error (task, BD_NET_ERROR, BD_NET_ERROR_SESSION_EXPIRED,
                               _("Your account now belongs to another zone. Please sign in again."));
      return;
    }

  bd_client_set_session (self->client, session);
  g_set_object (&self->session, session);

  /* The online sign-in renews the offline record, as any other does. */
  save_offline_login (self, session, self->offline_password);
  if (self->server_url != NULL)
    bd_session_keyring_store (self->server_url, session);

  start_online (self);
  g_task_return_boolean (task, TRUE);
}

void
bd_application_reconnect_async (BdApplication       *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SignIn *data;

  g_return_if_fail (BD_IS_APPLICATION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bd_application_reconnect_async);

  if (!bd_application_is_offline_session (self) || self->offline_password == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               _("This desk is not signed in offline."));
      return;
    }

  data = g_new0 (SignIn, 1);
  data->client = g_object_ref (self->client);
  data->server_url = g_strdup (self->server_url);
  data->username = g_strdup (self->username);
  g_task_set_task_data (task, data, (GDestroyNotify) sign_in_free);

  /* Back into the zone the offline session has open, which need not be
   * the user's home zone. */
  bd_client_sign_in_to_zone_async (self->client, self->username, self->offline_password,
                                   bd_session_get_zone (self->session), cancellable,
                                   on_reconnected_cb, g_steal_pointer (&task));
}

gboolean
bd_application_reconnect_finish (BdApplication  *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (BD_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bd_application_reconnect_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
bd_application_sign_out (BdApplication *self)
{
  GList *windows;

  g_return_if_fail (BD_IS_APPLICATION (self));

  /* A consumer's record must not stay on screen for the next person at
   * the counter. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (GList *l = windows; l != NULL; l = l->next)
    if (BD_IS_CONSUMER_WINDOW (l->data))
      gtk_window_destroy (GTK_WINDOW (l->data));
  g_list_free (windows);

  /* The token must stop working now, not at the end of the shift; if the
   * server cannot be reached it expires on its own. Nor may the next
   * start of the desk resume it. */
  if (self->client != NULL && self->session != NULL && !self->offline_session)
    {
      bd_client_send_json_async (self->client, "DELETE", "/api/v1/session", NULL, NULL, NULL, NULL, NULL);
      if (self->server_url != NULL)
        bd_session_keyring_clear (self->server_url, bd_session_get_username (self->session));
    }

  release_zone (self, TRUE);
}

BdStoreRecovery
bd_application_take_store_recovery (BdApplication *self,
                                    gint64        *out_backup_time)
{
  BdStoreRecovery recovery;

  g_return_val_if_fail (BD_IS_APPLICATION (self), BD_STORE_RECOVERY_NONE);

  recovery = self->store_recovery;
  if (out_backup_time != NULL)
    *out_backup_time = self->store_backup_time;
  self->store_recovery = BD_STORE_RECOVERY_NONE;
  return recovery;
}

static void
on_backup_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The previous backup stays in place; the next sync tries again. */
  if (!bd_consumer_store_backup_finish (BD_CONSUMER_STORE (source), result, &error))
    g_message ("Backing up the local copy failed: %s", error->message);
}

void
bd_application_maybe_back_up_store (BdApplication *self)
{
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (BD_IS_APPLICATION (self));

  if (self->store == NULL || self->store_path == NULL)
    return;
  if (self->last_backup != 0 &&
      now - self->last_backup < BACKUP_INTERVAL_S * G_USEC_PER_SEC)
    return;
  self->last_backup = now;
  bd_consumer_store_backup_async (self->store, NULL, on_backup_done_cb, NULL);
}

void
bd_application_query_store_async (BdApplication       *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BD_IS_APPLICATION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bd_application_query_store_async);

  if (self->store == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               _("No zone is open: sign in first."));
      return;
    }

  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  g_task_run_in_thread (task, query_store_thread);
}

gboolean
bd_application_query_store_finish (BdApplication  *self,
                                   GAsyncResult   *result,
                                   gint64         *out_count,
                                   gint64         *out_last_sync,
                                   GError        **error)
{
  g_autofree StoreState *state = NULL;

  g_return_val_if_fail (BD_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bd_application_query_store_async, FALSE);

  state = g_task_propagate_pointer (G_TASK (result), error);
  if (state == NULL)
    return FALSE;

  if (out_count != NULL)
    *out_count = state->count;
  if (out_last_sync != NULL)
    *out_last_sync = state->last_sync;

  return TRUE;
}

char *
bd_application_build_store_path (const char *data_dir,
                                  const char *server_url,
                                  const char *zone)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *host = NULL;
  g_autofree char *zone_part = NULL;
  g_autofree char *file_name = NULL;
  int port = -1;

  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (server_url != NULL, NULL);

  uri = g_uri_parse (server_url, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL && g_uri_get_host (uri) != NULL)
    {
      host = sanitize_file_part (g_uri_get_host (uri));
      port = g_uri_get_port (uri);
      if (port < 0)
        port = g_strcmp0 (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80;
    }
  else
    {
      host = sanitize_file_part (server_url);
    }

  zone_part = sanitize_file_part (zone);
  if (port >= 0)
    file_name = g_strdup_printf ("%s_%d-%s.db", host, port, zone_part);
  else
    file_name = g_strdup_printf ("%s-%s.db", host, zone_part);

  return g_build_filename (data_dir, "bijli-desk", file_name, NULL);
}
