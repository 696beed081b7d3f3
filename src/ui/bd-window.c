/* bd-window.c: the desk's main window: sign-in, first sync, search and record.
 *
 * The window drives the flow between its three pages. Sign-in and the
 * local store go through BdApplication; the first pull of the zone shows
 * BdSyncPage, later pulls ("Sync now") run behind the main page with their
 * state in the header bar. When the server cannot be reached and the desk
 * already holds a copy, it carries on offline and says so.
 *
 * The consumer on show can be copied, printed or opened in a window of its
 * own (header buttons, a menu and shortcuts). "/" focuses the search
 * unless the operator is typing in a field, where it is just a character.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-money.h"
#include "core/bd-time.h"

#include "bd-consumer-page.h"
#include "bd-consumer-window.h"
#include "bd-search-panel.h"
#include "bd-sign-in-page.h"
#include "bd-sync-page.h"
#include "bd-window.h"

#define STATUS_REFRESH_SECONDS 30

struct _BdWindow
{
  AdwApplicationWindow  parent_instance;

  GCancellable         *sign_in_cancellable;
  GCancellable         *sync_cancellable;
  GCancellable         *store_cancellable;
  GCancellable         *lookup_cancellable;
  char                 *pending_search;
  guint                 status_timeout_id;

  gboolean              syncing;
  gboolean              initial_sync;
  gboolean              offline;
  gint64                sync_applied;
  gint64                sync_total;
  gint64                consumer_count;
  gint64                last_sync;

  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkButton            *back_button;
  GtkSpinner           *sync_spinner;
  GtkImage             *offline_icon;
  GtkLabel             *user_label;
  GtkWidget            *consumer_actions;
  GtkStack             *stack;
  BdSignInPage         *sign_in_page;
  BdSyncPage           *sync_page;
  AdwLeaflet           *leaflet;
  BdSearchPanel        *search_panel;
  BdConsumerPage       *consumer_page;
};

G_DEFINE_FINAL_TYPE (BdWindow, bd_window, ADW_TYPE_APPLICATION_WINDOW)

typedef struct {
  BdWindow *self;
  gboolean  initial;
  GError   *error;      /* why the pull failed, or NULL */
} PullOutcome;

static void begin_pull             (BdWindow *self,
                                    gboolean  initial);
static void reload_shown_consumer  (BdWindow *self);
static void update_status          (BdWindow *self);
static void update_actions         (BdWindow *self);

static void
pull_outcome_free (PullOutcome *outcome)
{
  g_clear_object (&outcome->self);
  g_clear_error (&outcome->error);
  g_free (outcome);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PullOutcome, pull_outcome_free)

static BdApplication *
get_app (BdWindow *self)
{
  return BD_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

static void
show_toast (BdWindow   *self,
            const char *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static const char *
role_label (BdRole role)
{
  switch (role)
    {
    case BD_ROLE_OPERATOR:
      return _("Operator");
    case BD_ROLE_AGENT:
      return _("Call-centre agent");
    case BD_ROLE_SUPERVISOR:
      return _("Supervisor");
    case BD_ROLE_ADMIN:
      return _("Administrator");
    default:
      return _("Staff");
    }
}

static char *
format_synced_status (gint64 last_sync)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 age = MAX (now - last_sync, 0);

  if (age < 60)
    return g_strdup (_("Synced just now"));
  if (age < 3600)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Synced %d minute ago", "Synced %d minutes ago",
                                         (gulong) (age / 60)),
                            (int) (age / 60));
  if (age < 86400)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Synced %d hour ago", "Synced %d hours ago",
                                         (gulong) (age / 3600)),
                            (int) (age / 3600));
  else
    {
      g_autofree char *when = bd_time_format_ist (last_sync);

      /* Translators: %s is a date and time, e.g. "23-11-2026 15:45 IST". */
      return g_strdup_printf (_("Last synced %s"), when);
    }
}

static void
update_status (BdWindow *self)
{
  BdSession *session = bd_application_get_session (get_app (self));
  g_autofree char *status = NULL;
  gboolean on_main = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "main") == 0;

  if (session == NULL)
    {
      adw_window_title_set_title (self->window_title, _("Bijli Desk"));
      adw_window_title_set_subtitle (self->window_title, NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->user_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->sync_spinner), FALSE);
      gtk_spinner_set_spinning (self->sync_spinner, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->offline_icon), FALSE);
      return;
    }

  adw_window_title_set_title (self->window_title, bd_session_get_zone_name (session));

  if (self->syncing && !self->initial_sync)
    {
      if (self->sync_total > 0)
        {
          g_autofree char *applied = bd_format_indian_integer (self->sync_applied);
          g_autofree char *total = bd_format_indian_integer (self->sync_total);

          /* Translators: "Syncing 3,000 of 10,000…" */
          status = g_strdup_printf (_("Syncing %s of %s…"), applied, total);
        }
      else
        {
          status = g_strdup (_("Syncing…"));
        }
    }
  else if (self->offline)
    {
      g_autofree char *when = bd_time_format_ist (self->last_sync);

      if (when != NULL)
        /* Translators: %s is a date and time, e.g. "23-11-2026 15:45 IST". */
        status = g_strdup_printf (_("Offline — showing the copy from %s"), when);
      else
        status = g_strdup (_("Offline"));
    }
  else if (self->last_sync > 0 && on_main)
    {
      status = format_synced_status (self->last_sync);
    }

  adw_window_title_set_subtitle (self->window_title, status);

  gtk_widget_set_visible (GTK_WIDGET (self->sync_spinner), self->syncing && !self->initial_sync);
  gtk_spinner_set_spinning (self->sync_spinner, self->syncing && !self->initial_sync);
  gtk_widget_set_visible (GTK_WIDGET (self->offline_icon), self->offline && !self->syncing && on_main);
}

static void
update_user (BdWindow *self)
{
  BdSession *session = bd_application_get_session (get_app (self));
  g_autofree char *text = NULL;
  const char *name;

  if (session == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->user_label), FALSE);
      return;
    }

  name = bd_session_get_display_name (session);
  if (name == NULL || *name == '\0')
    name = bd_session_get_username (session);
  /* Translators: who is signed in: a name, then a role such as "Operator". */
  text = g_strdup_printf (_("%s · %s"), name, role_label (bd_session_get_role (session)));
  gtk_label_set_text (self->user_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->user_label), text);
  gtk_widget_set_visible (GTK_WIDGET (self->user_label), TRUE);
}

static void
set_action_enabled (BdWindow   *self,
                    const char *name,
                    gboolean    enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  if (action != NULL)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static void
update_actions (BdWindow *self)
{
  gboolean signed_in = bd_application_get_session (get_app (self)) != NULL;
  gboolean on_main = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "main") == 0;

  gboolean has_consumer = on_main && bd_consumer_page_get_consumer (self->consumer_page) != NULL;

  set_action_enabled (self, "sign-out", signed_in);
  set_action_enabled (self, "sync-now", signed_in && on_main && !self->syncing);
  set_action_enabled (self, "focus-search", on_main);
  set_action_enabled (self, "next-result", on_main);
  set_action_enabled (self, "previous-result", on_main);
  set_action_enabled (self, "copy-account", has_consumer);
  set_action_enabled (self, "open-consumer-window", has_consumer);
  set_action_enabled (self, "print-summary", has_consumer);
  gtk_widget_set_visible (self->consumer_actions, has_consumer);
}

static gboolean
on_status_tick_cb (gpointer user_data)
{
  update_status (BD_WINDOW (user_data));

  return G_SOURCE_CONTINUE;
}

static void
enter_main (BdWindow *self)
{
  g_autofree char *search = g_steal_pointer (&self->pending_search);

  gtk_stack_set_visible_child_name (self->stack, "main");
  bd_search_panel_set_consumer_count (self->search_panel, self->consumer_count);
  bd_consumer_page_set_last_sync (self->consumer_page, self->last_sync);
  update_status (self);
  update_actions (self);

  if (self->status_timeout_id == 0)
    self->status_timeout_id = g_timeout_add_seconds (STATUS_REFRESH_SECONDS, on_status_tick_cb, self);

  if (search != NULL)
    bd_search_panel_set_text (self->search_panel, search);
  bd_search_panel_focus_search (self->search_panel);
}

static void
on_pull_outcome_store_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(PullOutcome) outcome = user_data;
  BdWindow *self = outcome->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gint64 count = 0;
  gint64 last_sync = 0;

  if (!bd_application_query_store_finish (BD_APPLICATION (source), result, &count, &last_sync, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("Could not read the state of the local copy: %s", error->message);
    }
  else
    {
      self->consumer_count = count;
      self->last_sync = last_sync;
    }

  if (outcome->error == NULL)
    {
      self->offline = FALSE;
      if (outcome->initial)
        enter_main (self);
      else
        bd_search_panel_set_consumer_count (self->search_panel, self->consumer_count);
      bd_consumer_page_set_last_sync (self->consumer_page, self->last_sync);
      reload_shown_consumer (self);
      bd_search_panel_refresh (self->search_panel);
      update_status (self);
      update_actions (self);
      return;
    }

  if (outcome->initial && self->consumer_count <= 0)
    {
      bd_sync_page_show_error (self->sync_page, outcome->error->message);
      return;
    }

  self->offline = TRUE;
  if (outcome->initial)
    enter_main (self);
  else
    update_actions (self);
  update_status (self);

  /* Translators: %s explains why the sync failed, as a full sentence. */
  message = g_strdup_printf (_("%s Search uses the copy on this desk."), outcome->error->message);
  show_toast (self, message);
}

static void
on_shown_consumer_reloaded_cb (GObject      *source,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(BdWindow) self = user_data;
  g_autoptr(BdConsumer) fresh = NULL;
  g_autoptr(GError) error = NULL;
  BdConsumer *shown;

  fresh = bd_consumer_store_lookup_finish (BD_CONSUMER_STORE (source), result, &error);
  if (fresh == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not reload the consumer on show: %s", error->message);
      return;
    }

  /* The operator may have moved on while the lookup ran. */
  shown = bd_consumer_page_get_consumer (self->consumer_page);
  if (shown != NULL && g_strcmp0 (bd_consumer_get_account (shown), bd_consumer_get_account (fresh)) == 0)
    bd_consumer_page_set_consumer (self->consumer_page, fresh);
}

/* A sync may have changed the record on show (a new balance, a verified
 * mobile): show the fresh copy. */
static void
reload_shown_consumer (BdWindow *self)
{
  BdConsumerStore *store = bd_application_get_store (get_app (self));
  BdConsumer *shown = bd_consumer_page_get_consumer (self->consumer_page);

  if (store == NULL || shown == NULL)
    return;

  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_object (&self->lookup_cancellable);
  self->lookup_cancellable = g_cancellable_new ();
  bd_consumer_store_lookup_async (store, bd_consumer_get_account (shown), self->lookup_cancellable,
                                  on_shown_consumer_reloaded_cb, g_object_ref (self));
}

static void
refresh_store_state (BdWindow *self,
                     gboolean  initial,
                     GError   *pull_error)
{
  PullOutcome *outcome = g_new0 (PullOutcome, 1);

  outcome->self = g_object_ref (self);
  outcome->initial = initial;
  outcome->error = pull_error;

  g_cancellable_cancel (self->store_cancellable);
  g_clear_object (&self->store_cancellable);
  self->store_cancellable = g_cancellable_new ();
  bd_application_query_store_async (get_app (self), self->store_cancellable,
                                    on_pull_outcome_store_cb, outcome);
}

static void
on_pull_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(BdWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean initial = self->initial_sync;
  gint64 applied;

  applied = bd_sync_engine_pull_finish (BD_SYNC_ENGINE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED))
    return;

  /* A pull that belongs to a previous sign-in must not touch this one. */
  if (source != G_OBJECT (bd_application_get_sync_engine (get_app (self))))
    return;

  self->syncing = FALSE;
  self->initial_sync = FALSE;
  g_clear_object (&self->sync_cancellable);

  if (applied < 0)
    g_debug ("Sync failed: %s", error->message);

  refresh_store_state (self, initial, g_steal_pointer (&error));
}

static void
on_sync_progress_cb (BdSyncEngine *engine,
                     gint64        applied,
                     gint64        total,
                     gpointer      user_data)
{
  BdWindow *self = user_data;

  self->sync_applied = applied;
  self->sync_total = total;

  if (self->initial_sync)
    bd_sync_page_set_progress (self->sync_page, applied, total);
  else
    update_status (self);
}

static void
begin_pull (BdWindow *self,
            gboolean  initial)
{
  BdApplication *app = get_app (self);
  BdSyncEngine *engine = bd_application_get_sync_engine (app);
  BdSession *session = bd_application_get_session (app);

  if (engine == NULL || self->syncing)
    return;

  self->syncing = TRUE;
  self->initial_sync = initial;
  self->sync_applied = 0;
  self->sync_total = 0;
  self->sync_cancellable = g_cancellable_new ();

  if (initial)
    {
      bd_sync_page_start (self->sync_page, bd_session_get_zone_name (session), self->consumer_count > 0);
      gtk_stack_set_visible_child_name (self->stack, "syncing");
    }

  update_status (self);
  update_actions (self);

  bd_sync_engine_pull_async (engine, self->sync_cancellable, on_pull_done_cb, g_object_ref (self));
}

static void
on_initial_store_state_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(BdWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 count = 0;
  gint64 last_sync = 0;

  if (!bd_application_query_store_finish (BD_APPLICATION (source), result, &count, &last_sync, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("Could not read the state of the local copy: %s", error->message);
    }

  self->consumer_count = count;
  self->last_sync = last_sync;
  begin_pull (self, TRUE);
}

static void
on_app_signed_in_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(BdWindow) self = user_data;
  BdApplication *app = BD_APPLICATION (source);
  g_autoptr(GError) error = NULL;

  if (!bd_application_sign_in_finish (app, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED))
        return;

      g_clear_object (&self->sign_in_cancellable);
      bd_sign_in_page_set_busy (self->sign_in_page, FALSE);
      bd_sign_in_page_show_error (self->sign_in_page, error->message);
      return;
    }

  g_clear_object (&self->sign_in_cancellable);
  bd_sign_in_page_set_busy (self->sign_in_page, FALSE);
  bd_sign_in_page_clear_password (self->sign_in_page);

  g_signal_connect_object (bd_application_get_sync_engine (app), "progress",
                           G_CALLBACK (on_sync_progress_cb), self, 0);
  bd_search_panel_set_store (self->search_panel, bd_application_get_store (app));
  bd_consumer_page_set_consumer (self->consumer_page, NULL);
  self->offline = FALSE;
  update_user (self);
  update_status (self);
  update_actions (self);

  g_cancellable_cancel (self->store_cancellable);
  g_clear_object (&self->store_cancellable);
  self->store_cancellable = g_cancellable_new ();
  bd_application_query_store_async (app, self->store_cancellable,
                                    on_initial_store_state_cb, g_object_ref (self));
}

static void
on_sign_in_requested_cb (BdWindow     *self,
                         const char   *server_url,
                         const char   *username,
                         const char   *password,
                         BdSignInPage *page)
{
  if (self->sign_in_cancellable != NULL)
    return;

  self->sign_in_cancellable = g_cancellable_new ();
  bd_sign_in_page_set_busy (self->sign_in_page, TRUE);
  bd_application_sign_in_async (get_app (self), server_url, username, password,
                                self->sign_in_cancellable, on_app_signed_in_cb, g_object_ref (self));
}

static void
sign_out (BdWindow *self)
{
  BdApplication *app = get_app (self);
  BdSession *session = bd_application_get_session (app);
  g_autofree char *username = session != NULL ? g_strdup (bd_session_get_username (session)) : NULL;

  g_cancellable_cancel (self->sync_cancellable);
  g_clear_object (&self->sync_cancellable);
  g_cancellable_cancel (self->store_cancellable);
  g_clear_object (&self->store_cancellable);
  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_object (&self->lookup_cancellable);
  g_clear_handle_id (&self->status_timeout_id, g_source_remove);

  self->syncing = FALSE;
  self->initial_sync = FALSE;
  self->offline = FALSE;
  self->consumer_count = 0;
  self->last_sync = 0;

  bd_search_panel_set_store (self->search_panel, NULL);
  bd_consumer_page_set_consumer (self->consumer_page, NULL);
  bd_application_sign_out (app);

  bd_sign_in_page_clear_password (self->sign_in_page);
  bd_sign_in_page_show_error (self->sign_in_page, NULL);
  gtk_stack_set_visible_child_name (self->stack, "sign-in");
  update_user (self);
  update_status (self);
  update_actions (self);
  bd_sign_in_page_focus_first_empty (self->sign_in_page);
}

static void
on_sync_cancel_cb (BdWindow   *self,
                   BdSyncPage *page)
{
  g_cancellable_cancel (self->sync_cancellable);
  g_clear_object (&self->sync_cancellable);
  self->syncing = FALSE;
  self->initial_sync = FALSE;

  if (self->consumer_count > 0)
    {
      self->offline = TRUE;
      enter_main (self);
      show_toast (self, _("Working offline with the copy on this desk."));
      return;
    }

  sign_out (self);
}

static void
on_sync_retry_cb (BdWindow   *self,
                  BdSyncPage *page)
{
  begin_pull (self, TRUE);
}

static void
on_consumer_activated_cb (BdWindow      *self,
                          BdConsumer    *consumer,
                          gboolean       open,
                          BdSearchPanel *panel)
{
  bd_consumer_page_set_consumer (self->consumer_page, consumer);
  update_actions (self);
  /* When folded, opening moves to the record; the search keeps the focus
   * otherwise, so the next caller's number can be typed straight away. */
  if (open && adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->consumer_page));
}

static void
on_leaflet_changed_cb (BdWindow   *self,
                       GParamSpec *pspec,
                       AdwLeaflet *leaflet)
{
  gboolean show_back = adw_leaflet_get_folded (leaflet) &&
                       adw_leaflet_get_visible_child (leaflet) == GTK_WIDGET (self->consumer_page);

  gtk_widget_set_visible (GTK_WIDGET (self->back_button), show_back);
}

static void
on_back_clicked_cb (BdWindow  *self,
                    GtkButton *button)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  bd_search_panel_focus_search (self->search_panel);
}

static void
on_sign_out_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  sign_out (BD_WINDOW (user_data));
}

static void
on_sync_now_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  begin_pull (BD_WINDOW (user_data), FALSE);
}

static void
on_focus_search_action (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  BdWindow *self = BD_WINDOW (user_data);

  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->search_panel));
  bd_search_panel_focus_search (self->search_panel);
}

static void
on_next_result_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  BdWindow *self = BD_WINDOW (user_data);

  if (!bd_search_panel_open_adjacent (self->search_panel, 1))
    gtk_widget_error_bell (GTK_WIDGET (self));
}

static void
on_previous_result_action (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  BdWindow *self = BD_WINDOW (user_data);

  if (!bd_search_panel_open_adjacent (self->search_panel, -1))
    gtk_widget_error_bell (GTK_WIDGET (self));
}

static void
on_copy_account_action (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  BdWindow *self = BD_WINDOW (user_data);

  bd_consumer_page_copy_account (self->consumer_page);
}

static void
on_open_consumer_window_action (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  BdWindow *self = BD_WINDOW (user_data);

  bd_window_open_consumer_window (self);
}

static void
on_print_summary_action (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  BdWindow *self = BD_WINDOW (user_data);
  BdSession *session = bd_application_get_session (get_app (self));

  bd_consumer_page_print_summary (self->consumer_page,
                                  session != NULL ? bd_session_get_zone_name (session) : NULL);
}

static const GActionEntry win_actions[] = {
  { "sign-out", on_sign_out_action, NULL, NULL, NULL },
  { "sync-now", on_sync_now_action, NULL, NULL, NULL },
  { "focus-search", on_focus_search_action, NULL, NULL, NULL },
  { "next-result", on_next_result_action, NULL, NULL, NULL },
  { "previous-result", on_previous_result_action, NULL, NULL, NULL },
  { "copy-account", on_copy_account_action, NULL, NULL, NULL },
  { "open-consumer-window", on_open_consumer_window_action, NULL, NULL, NULL },
  { "print-summary", on_print_summary_action, NULL, NULL, NULL },
};

/* "/" focuses the search, as in many GNOME apps, but only when the focus
 * is not in a text field: there it is a character the operator typed
 * (addresses have "12/4"). */
static gboolean
on_window_key_pressed_cb (GtkEventControllerKey *controller,
                          guint                  keyval,
                          guint                  keycode,
                          GdkModifierType        state,
                          gpointer               user_data)
{
  BdWindow *self = user_data;
  GtkWidget *focus;

  if ((keyval != GDK_KEY_slash && keyval != GDK_KEY_KP_Divide) ||
      (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK)) != 0)
    return GDK_EVENT_PROPAGATE;
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "main") != 0)
    return GDK_EVENT_PROPAGATE;

  focus = gtk_root_get_focus (GTK_ROOT (self));
  if (focus != NULL && (GTK_IS_EDITABLE (focus) || gtk_widget_get_ancestor (focus, GTK_TYPE_TEXT_VIEW) != NULL))
    return GDK_EVENT_PROPAGATE;

  gtk_widget_activate_action (GTK_WIDGET (self), "win.focus-search", NULL);
  return GDK_EVENT_STOP;
}

static gboolean
bd_window_close_request (GtkWindow *window)
{
  BdWindow *self = BD_WINDOW (window);
  GSettings *settings = bd_application_get_settings (get_app (self));
  gboolean maximized = gtk_window_is_maximized (window);
  int width = 0;
  int height = 0;

  /* The default size is the unmaximized size, which is what to restore. */
  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (settings);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (settings, "window-width", width);
      g_settings_set_int (settings, "window-height", height);
    }
  g_settings_set_boolean (settings, "window-maximized", maximized);
  g_settings_apply (settings);

  return GTK_WINDOW_CLASS (bd_window_parent_class)->close_request (window);
}

static void
bd_window_dispose (GObject *object)
{
  BdWindow *self = BD_WINDOW (object);

  g_cancellable_cancel (self->sign_in_cancellable);
  g_clear_object (&self->sign_in_cancellable);
  g_cancellable_cancel (self->sync_cancellable);
  g_clear_object (&self->sync_cancellable);
  g_cancellable_cancel (self->store_cancellable);
  g_clear_object (&self->store_cancellable);
  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_object (&self->lookup_cancellable);
  g_clear_handle_id (&self->status_timeout_id, g_source_remove);

  gtk_widget_dispose_template (GTK_WIDGET (self), BD_TYPE_WINDOW);

  G_OBJECT_CLASS (bd_window_parent_class)->dispose (object);
}

static void
bd_window_finalize (GObject *object)
{
  BdWindow *self = BD_WINDOW (object);

  g_free (self->pending_search);

  G_OBJECT_CLASS (bd_window_parent_class)->finalize (object);
}

static void
bd_window_class_init (BdWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = bd_window_dispose;
  object_class->finalize = bd_window_finalize;

  window_class->close_request = bd_window_close_request;

  g_type_ensure (BD_TYPE_SIGN_IN_PAGE);
  g_type_ensure (BD_TYPE_SYNC_PAGE);
  g_type_ensure (BD_TYPE_SEARCH_PANEL);
  g_type_ensure (BD_TYPE_CONSUMER_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/bijlidesk/BijliDesk/ui/bd-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BdWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, BdWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, BdWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, BdWindow, sync_spinner);
  gtk_widget_class_bind_template_child (widget_class, BdWindow, offline_icon);
  gtk_widget_class_bind_template_child (widget_class, BdWindow, user_label);
  gtk_widget_class_bind_template_child (widget_class, BdWindow, consumer_actions);
  gtk_widget_class_bind_template_child (widget_class, BdWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, BdWindow, sign_in_page);
  gtk_widget_class_bind_template_child (widget_class, BdWindow, sync_page);
  gtk_widget_class_bind_template_child (widget_class, BdWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, BdWindow, search_panel);
  gtk_widget_class_bind_template_child (widget_class, BdWindow, consumer_page);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_in_requested_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_sync_cancel_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_sync_retry_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_consumer_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_leaflet_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked_cb);
}

static void
bd_window_init (BdWindow *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Capture phase: the search entry's key capture would otherwise take
   * the "/" typed on a result row as text. */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_window_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions,
                                   G_N_ELEMENTS (win_actions), self);
  bd_search_panel_set_key_capture_widget (self->search_panel, GTK_WIDGET (self->leaflet));
  gtk_stack_set_visible_child_name (self->stack, "sign-in");
}

BdWindow *
bd_window_new (BdApplication *application)
{
  BdWindow *self;
  GSettings *settings;

  g_return_val_if_fail (BD_IS_APPLICATION (application), NULL);

  self = g_object_new (BD_TYPE_WINDOW,
                       "application", application,
                       NULL);

  /* "application" is not a construct property, so this cannot happen in
   * constructed(). */
  settings = bd_application_get_settings (application);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  update_user (self);
  update_status (self);
  update_actions (self);

  return self;
}

void
bd_window_prefill_sign_in (BdWindow   *self,
                           const char *server_url,
                           const char *username)
{
  g_return_if_fail (BD_IS_WINDOW (self));

  if (bd_application_get_session (get_app (self)) != NULL || self->sign_in_cancellable != NULL)
    return;

  bd_sign_in_page_prefill (self->sign_in_page, server_url, username);
  bd_sign_in_page_focus_first_empty (self->sign_in_page);
}

void
bd_window_sign_in_with_password (BdWindow   *self,
                                 const char *password)
{
  g_return_if_fail (BD_IS_WINDOW (self));
  g_return_if_fail (password != NULL);

  if (bd_application_get_session (get_app (self)) != NULL || self->sign_in_cancellable != NULL)
    return;

  bd_sign_in_page_set_password (self->sign_in_page, password);
  bd_sign_in_page_submit (self->sign_in_page);
}

void
bd_window_set_pending_search (BdWindow   *self,
                              const char *text)
{
  g_return_if_fail (BD_IS_WINDOW (self));

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "main") == 0)
    {
      bd_search_panel_set_text (self->search_panel, text);
      bd_search_panel_focus_search (self->search_panel);
      return;
    }

  g_free (self->pending_search);
  self->pending_search = g_strdup (text);
}

const char *
bd_window_get_page_name (BdWindow *self)
{
  g_return_val_if_fail (BD_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

GtkWidget *
bd_window_get_sign_in_page (BdWindow *self)
{
  g_return_val_if_fail (BD_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->sign_in_page);
}

BdConsumerWindow *
bd_window_open_consumer_window (BdWindow *self)
{
  BdConsumer *consumer;
  BdConsumerWindow *window;

  g_return_val_if_fail (BD_IS_WINDOW (self), NULL);

  consumer = bd_consumer_page_get_consumer (self->consumer_page);
  if (consumer == NULL)
    return NULL;

  window = bd_consumer_window_new (get_app (self), consumer, self->last_sync);
  gtk_window_present (GTK_WINDOW (window));

  return window;
}

BdSearchPanel *
bd_window_get_search_panel (BdWindow *self)
{
  g_return_val_if_fail (BD_IS_WINDOW (self), NULL);

  return self->search_panel;
}

BdConsumerPage *
bd_window_get_consumer_page (BdWindow *self)
{
  g_return_val_if_fail (BD_IS_WINDOW (self), NULL);

  return self->consumer_page;
}

BdSyncPage *
bd_window_get_sync_page (BdWindow *self)
{
  g_return_val_if_fail (BD_IS_WINDOW (self), NULL);

  return self->sync_page;
}
