/* bd-window.c: the desk's main window: sign-in, first sync, search and record.
 *
 * The window drives the flow between its three pages. Sign-in and the
 * local store go through BdApplication; the first pull of the zone shows
 * BdSyncPage, later pulls ("Sync now") run behind the main page with their
 * progress and time left in the header bar. When the server cannot be
 * reached and the desk already holds a copy, it carries on offline and
 * says so. After each pull the records on show, here and in the
 * consumers' own windows, are read again from the local copy.
 *
 * The actions (header buttons, menus, shortcuts) are in
 * bd-window-actions.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-time.h"

#include "net/bd-complaint-sync.h"

#include "bd-attention-dialog.h"
#include "bd-complaint-format.h"
#include "bd-complaint-queue.h"
#include "bd-consumer-page.h"
#include "bd-consumer-window.h"
#include "bd-search-panel.h"
#include "bd-sync-page.h"
#include "bd-window-private.h"

#define STATUS_REFRESH_SECONDS 30
/* A desk pulls the zone's changes this often while online, so records on
 * screen are at most a minute old; after a failure it tries again after
 * RETRY_MIN_S doubling to RETRY_MAX_S, spread so that the desks of a zone
 * office do not all call the moment the link returns. */
#define AUTO_SYNC_INTERVAL_S 60
#define RETRY_MIN_S 10
#define RETRY_MAX_S 300

G_DEFINE_FINAL_TYPE (BdWindow, bd_window, ADW_TYPE_APPLICATION_WINDOW)

typedef struct {
  BdWindow *self;
  gboolean  initial;
  gint64    applied;    /* changes applied by the pull */
  GError   *error;      /* why the pull failed, or NULL */
} PullOutcome;

static void
pull_outcome_free (PullOutcome *outcome)
{
  g_clear_object (&outcome->self);
  g_clear_error (&outcome->error);
  g_free (outcome);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PullOutcome, pull_outcome_free)

/* Screen readers hear status changes through the status bar's text and
 * description (GTK 4.8 has no announcement API); the old text is cleared
 * first so that saying the same thing twice is still a change. */
static void
announce (BdWindow   *self,
          const char *message)
{
  gtk_label_set_text (self->status_announcer, "");
  gtk_label_set_text (self->status_announcer, message);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_announcer),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message,
                                  -1);
}

static void
show_toast (BdWindow   *self,
            const char *message)
{
  AdwToast *toast = adw_toast_new (message);

  announce (self, message);

  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* A dialog, not a toast: the operator must learn that recent edits made on
 * this desk may have to be entered again. */
static void
show_store_recovery (BdWindow *self)
{
  gint64 backup_time = 0;
  BdStoreRecovery recovery = bd_application_take_store_recovery (_bd_window_get_app (self),
                                                                 &backup_time);
  g_autofree char *message = NULL;
  GtkWidget *dialog;

  if (recovery == BD_STORE_RECOVERY_FROM_BACKUP)
    {
      g_autofree char *when = bd_time_format_ist (backup_time);

      /* Translators: %s is a date and time, e.g. "23-11-2026 15:45 IST". */
      message = g_strdup_printf (_("The copy on this desk was damaged and has been restored "
                                   "from its backup of %s. Records are brought up to date "
                                   "from the server; changes saved on this desk after that "
                                   "time were lost and must be entered again."), when);
    }
  else if (recovery == BD_STORE_RECOVERY_EMPTY)
    {
      message = g_strdup (_("The copy on this desk was damaged and had no usable backup, so "
                            "the zone is copied from the server again. Changes saved on this "
                            "desk and not yet sent were lost and must be entered again."));
    }
  else
    {
      return;
    }

  announce (self, message);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("The local copy was repaired"), message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_I Understand"));
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  gtk_window_present (GTK_WINDOW (dialog));
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

/* The subtitle under the zone's name: a sync behind the main page and its
 * time left, being offline, or how fresh the copy is. */
static char *
dup_status_text (BdWindow *self)
{
  if (self->syncing && !self->initial_sync)
    return bd_sync_estimate_format_status (self->sync_applied, self->sync_total,
                                           bd_sync_estimate_seconds_left (self->sync_estimate));

  if (self->offline)
    {
      g_autofree char *when = bd_time_format_ist (self->last_sync);
      g_autofree char *since = bd_time_format_ist (self->offline_since);

      if (when == NULL)
        return g_strdup (_("Offline"));
      if (since != NULL && self->offline_since > self->last_sync + 60)
        /* Translators: both are dates and times, e.g. "23-11-2026 15:45 IST". */
        return g_strdup_printf (_("Offline since %s — showing the copy from %s"), since, when);
      /* Translators: %s is a date and time, e.g. "23-11-2026 15:45 IST". */
      return g_strdup_printf (_("Offline — showing the copy from %s"), when);
    }

  if (self->last_sync > 0 && _bd_window_is_on_main (self))
    return format_synced_status (self->last_sync);

  return NULL;
}

static void
update_status (BdWindow *self)
{
  BdSession *session = bd_application_get_session (_bd_window_get_app (self));
  gboolean signed_in = session != NULL;
  gboolean background_sync = signed_in && self->syncing && !self->initial_sync;
  g_autofree char *status = signed_in ? dup_status_text (self) : NULL;

  adw_window_title_set_title (self->window_title,
                              signed_in ? bd_session_get_zone_name (session) : _("Bijli Desk"));
  adw_window_title_set_subtitle (self->window_title, status);

  gtk_widget_set_visible (GTK_WIDGET (self->sync_spinner), background_sync);
  gtk_spinner_set_spinning (self->sync_spinner, background_sync);
  gtk_widget_set_visible (GTK_WIDGET (self->offline_icon),
                          signed_in && self->offline && !self->syncing && _bd_window_is_on_main (self));
}

static void
update_user (BdWindow *self)
{
  BdSession *session = bd_application_get_session (_bd_window_get_app (self));
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
  text = g_strdup_printf (_("%s · %s"), name, bd_role_label (bd_session_get_role (session)));
  gtk_label_set_text (self->user_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->user_label), text);
  gtk_widget_set_visible (GTK_WIDGET (self->user_label), TRUE);
}

/* "2 changes waiting to be sent" while the outbox holds edits the server
 * has not confirmed. */
static void
update_outbox (BdWindow *self)
{
  BdPushWorker *worker = bd_application_get_push_worker (_bd_window_get_app (self));
  gint64 pending = worker != NULL ? bd_push_worker_get_pending (worker) : 0;
  g_autofree char *text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->outbox_button), pending > 0);
  if (pending <= 0)
    return;

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d change waiting to be sent",
                                       "%d changes waiting to be sent", (gulong) pending),
                          (int) pending);
  gtk_label_set_text (self->outbox_label, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->outbox_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
}

static void
on_outbox_clicked_cb (BdWindow  *self,
                      GtkButton *button)
{
  BdPushWorker *worker = bd_application_get_push_worker (_bd_window_get_app (self));

  if (worker != NULL)
    bd_push_worker_kick (worker);
}

/* "3 changes need attention": refused or conflicting changes, across
 * consumers, that nobody has looked at yet. */
static void
update_attention (BdWindow *self)
{
  BdConsumerStore *store = bd_application_get_store (_bd_window_get_app (self));
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gint64 count = 0;

  /* An indexed count of a few rows: well under a frame. */
  if (store != NULL)
    count = bd_consumer_store_outbox_count_attention (store, &error);
  if (count < 0)
    {
      g_warning ("Could not count the changes needing attention: %s", error->message);
      count = 0;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->attention_button), count > 0);
  if (count <= 0)
    return;

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d change needs attention",
                                       "%d changes need attention", (gulong) count),
                          (int) count);
  gtk_label_set_text (self->attention_label, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->attention_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
}

static void
on_item_changed_cb (BdWindow     *self,
                    gint64        seq,
                    int           state,
                    BdPushWorker *worker)
{
  if (state == BD_OUTBOX_STATE_REJECTED || state == BD_OUTBOX_STATE_CONFLICT)
    update_attention (self);
}

static void
on_attention_open_consumer_cb (BdWindow          *self,
                               const char        *account,
                               BdAttentionDialog *dialog)
{
  BdConsumerStore *store = bd_application_get_store (_bd_window_get_app (self));
  g_autoptr(BdConsumer) consumer = NULL;
  g_autoptr(GError) error = NULL;

  if (store == NULL)
    return;
  consumer = bd_consumer_store_lookup (store, account, &error);
  if (consumer == NULL)
    {
      show_toast (self, error->message);
      return;
    }

  gtk_window_close (GTK_WINDOW (dialog));
  bd_consumer_page_set_consumer (self->consumer_page, consumer);
  _bd_window_actions_update (self);
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->consumer_page));
}

static void
on_attention_clicked_cb (BdWindow  *self,
                         GtkButton *button)
{
  BdApplication *app = _bd_window_get_app (self);
  BdConsumerStore *store = bd_application_get_store (app);
  BdSession *session = bd_application_get_session (app);
  BdAttentionDialog *dialog;

  if (store == NULL || session == NULL)
    return;
  if (self->attention_dialog != NULL)
    {
      gtk_window_present (self->attention_dialog);
      return;
    }

  dialog = bd_attention_dialog_new (GTK_WINDOW (self), store, bd_session_get_username (session));
  g_signal_connect_object (dialog, "open-consumer", G_CALLBACK (on_attention_open_consumer_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "acknowledged", G_CALLBACK (update_attention),
                           self, G_CONNECT_SWAPPED);
  self->attention_dialog = GTK_WINDOW (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->attention_dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void begin_reconnect (BdWindow *self);

/* When the desk lost the server, for "Offline since …". */
static void
mark_offline (BdWindow *self)
{
  if (!self->offline)
    self->offline_since = g_get_real_time () / G_USEC_PER_SEC;
  self->offline = TRUE;
}

static gboolean
on_auto_sync_cb (gpointer user_data)
{
  BdWindow *self = BD_WINDOW (user_data);

  self->auto_sync_id = 0;
  if (bd_application_is_offline_session (_bd_window_get_app (self)))
    begin_reconnect (self);
  else
    _bd_window_begin_pull (self, FALSE);
  return G_SOURCE_REMOVE;
}

/* The next pull (or, signed in offline, the next try to sign in online):
 * soon after a failure, backing off while it goes on failing. */
static void
schedule_auto_sync (BdWindow *self,
                    gboolean  failed)
{
  guint delay_s;

  g_clear_handle_id (&self->auto_sync_id, g_source_remove);
  if (bd_application_get_session (_bd_window_get_app (self)) == NULL)
    return;

  if (failed)
    {
      self->retry_backoff_s = self->retry_backoff_s == 0 ? RETRY_MIN_S
                                                         : MIN (self->retry_backoff_s * 2, RETRY_MAX_S);
      delay_s = self->retry_backoff_s + g_random_int_range (0, self->retry_backoff_s / 4 + 1);
    }
  else
    {
      self->retry_backoff_s = 0;
      delay_s = AUTO_SYNC_INTERVAL_S;
    }
  self->auto_sync_id = g_timeout_add_seconds (delay_s, on_auto_sync_cb, self);
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
  _bd_window_actions_update (self);

  if (self->status_timeout_id == 0)
    self->status_timeout_id = g_timeout_add_seconds (STATUS_REFRESH_SECONDS, on_status_tick_cb, self);

  if (search != NULL)
    bd_search_panel_set_text (self->search_panel, search);
  bd_search_panel_focus_search (self->search_panel);
}

/* A sync may have changed the records on show (a new balance, a verified
 * mobile), here and in the consumers' own windows: show the fresh copies. */
static void
reload_consumers (BdWindow *self)
{
  BdApplication *app = _bd_window_get_app (self);
  BdConsumerStore *store = bd_application_get_store (app);

  bd_consumer_page_set_last_sync (self->consumer_page, self->last_sync);
  bd_consumer_page_reload (self->consumer_page, store);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    {
      BdConsumerPage *page;

      if (!BD_IS_CONSUMER_WINDOW (l->data))
        continue;
      page = bd_consumer_window_get_page (l->data);
      bd_consumer_page_set_last_sync (page, self->last_sync);
      bd_consumer_page_reload (page, store);
    }
}

static GCancellable *
renew_cancellable (GCancellable **cancellable)
{
  g_cancellable_cancel (*cancellable);
  g_clear_object (cancellable);
  *cancellable = g_cancellable_new ();

  return *cancellable;
}

static void
cancel_pending (BdWindow *self)
{
  g_cancellable_cancel (self->sync_cancellable);
  g_clear_object (&self->sync_cancellable);
  g_cancellable_cancel (self->store_cancellable);
  g_clear_object (&self->store_cancellable);
  g_cancellable_cancel (self->reconnect_cancellable);
  g_clear_object (&self->reconnect_cancellable);
  self->reconnecting = FALSE;
  self->repairing = FALSE;
  g_clear_handle_id (&self->auto_sync_id, g_source_remove);
  self->retry_backoff_s = 0;
  if (self->attention_dialog != NULL)
    gtk_window_destroy (self->attention_dialog);
  g_cancellable_cancel (self->complaint_cancellable);
  g_clear_object (&self->complaint_cancellable);
  self->pulling_complaints = FALSE;
  if (self->complaint_queue != NULL)
    gtk_window_destroy (self->complaint_queue);
  if (self->request_queue != NULL)
    gtk_window_destroy (self->request_queue);
}

/* Takes in how many consumers the local copy holds and when it was last
 * synced, keeping the values known before if the copy cannot be read.
 * FALSE when the query was cancelled (a sign-out or a newer query). */
static gboolean
take_store_state (BdWindow      *self,
                  BdApplication *app,
                  GAsyncResult  *result)
{
  g_autoptr(GError) error = NULL;
  gint64 count = 0;
  gint64 last_sync = 0;

  if (bd_application_query_store_finish (app, result, &count, &last_sync, &error))
    {
      self->consumer_count = count;
      self->last_sync = last_sync;
      return TRUE;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;

  g_warning ("Could not read the state of the local copy: %s", error->message);
  return TRUE;
}

static void on_initial_store_state_cb (GObject      *source,
                                       GAsyncResult *result,
                                       gpointer      user_data);
static void watch_online_objects (BdWindow *self);

static void
on_store_repaired_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(BdWindow) self = user_data;
  BdApplication *app = BD_APPLICATION (source);
  g_autoptr(GError) error = NULL;

  if (!bd_application_repair_store_finish (app, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->repairing = FALSE;
      /* Not even an empty store could be made (a full disk, say): the
       * operator has to act, and signing in again retries the repair. */
      _bd_window_sign_out (self);
      bd_sign_in_page_show_error (self->sign_in_page, error->message);
      return;
    }

  self->repairing = FALSE;
  watch_online_objects (self);
  bd_search_panel_set_store (self->search_panel, bd_application_get_store (app));
  show_store_recovery (self);
  update_attention (self);
  bd_application_query_store_async (app, renew_cancellable (&self->store_cancellable),
                                    on_initial_store_state_cb, g_object_ref (self));
}

/* The background check (or a query) found the copy damaged while the desk
 * runs: it is replaced at once, as it would be at the next sign-in. */
static void
begin_repair (BdWindow *self)
{
  if (self->repairing)
    return;
  self->repairing = TRUE;
  g_clear_handle_id (&self->auto_sync_id, g_source_remove);
  bd_search_panel_set_store (self->search_panel, NULL);
  bd_consumer_page_set_consumer (self->consumer_page, NULL);
  announce (self, _("The copy on this desk is damaged. Repairing it…"));
  bd_application_repair_store_async (_bd_window_get_app (self), renew_cancellable (&self->sync_cancellable),
                                     on_store_repaired_cb, g_object_ref (self));
}

static void
on_complaints_pulled_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(BdWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 applied = bd_complaint_sync_pull_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED))
    return;
  self->pulling_complaints = FALSE;
  if (applied < 0)
    {
      /* The consumers' pull says when the desk is offline; this one only
       * tries again with the next. */
      g_debug ("Complaint sync failed: %s", error->message);
      return;
    }
  if (applied > 0)
    {
      reload_consumers (self);
      if (self->complaint_queue != NULL)
        bd_complaint_queue_reload (BD_COMPLAINT_QUEUE (self->complaint_queue));
    }
}

/* After the consumers, the zone's complaints, through their own feed. */
static void
pull_complaints (BdWindow *self)
{
  BdApplication *app = _bd_window_get_app (self);
  BdClient *client = bd_application_get_client (app);
  BdConsumerStore *store = bd_application_get_store (app);

  if (self->pulling_complaints || client == NULL || store == NULL || bd_application_is_offline_session (app))
    return;
  self->pulling_complaints = TRUE;
  g_cancellable_cancel (self->complaint_cancellable);
  g_clear_object (&self->complaint_cancellable);
  self->complaint_cancellable = g_cancellable_new ();
  bd_complaint_sync_pull_async (client, store, self->complaint_cancellable, on_complaints_pulled_cb,
                                g_object_ref (self));
}

static void
on_pull_outcome_store_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(PullOutcome) outcome = user_data;
  BdWindow *self = outcome->self;
  g_autofree char *message = NULL;

  if (!take_store_state (self, BD_APPLICATION (source), result))
    return;

  if (outcome->error == NULL)
    {
      g_autofree char *synced = format_synced_status (self->last_sync);
      gboolean was_offline = self->offline;

      self->offline = FALSE;
      schedule_auto_sync (self, FALSE);
      pull_complaints (self);
      /* The minute's pull that found nothing new leaves the screen alone:
       * the operator's selection and scroll position stay. */
      if (outcome->applied == 0 && !outcome->initial && !was_offline)
        {
          update_status (self);
          return;
        }
      announce (self, synced);
      if (was_offline)
        {
          BdPushWorker *worker = bd_application_get_push_worker (_bd_window_get_app (self));

          /* The link is back: what waited in the outbox goes now, not
           * after its backoff. */
          if (worker != NULL)
            bd_push_worker_kick (worker);
          show_toast (self, _("Back online. The copy on this desk is up to date."));
        }
      if (outcome->initial)
        enter_main (self);
      else
        bd_search_panel_set_consumer_count (self->search_panel, self->consumer_count);
      reload_consumers (self);
      bd_search_panel_refresh (self->search_panel);
      update_status (self);
      _bd_window_actions_update (self);
      return;
    }

  if (g_error_matches (outcome->error, BD_STORE_ERROR, BD_STORE_ERROR_CORRUPT))
    {
      begin_repair (self);
      return;
    }

  /* The server no longer takes this session (expired, revoked): going on
   * offline would only hide that nothing can be sent. */
  if (g_error_matches (outcome->error, BD_NET_ERROR, BD_NET_ERROR_SESSION_EXPIRED))
    {
      _bd_window_sign_out (self);
      bd_sign_in_page_show_error (self->sign_in_page,
                                  _("Your session has ended. Please sign in again; changes not yet sent are kept on this desk."));
      return;
    }

  if (outcome->initial && self->consumer_count <= 0)
    {
      bd_sign_in_page_show_error (self->sign_in_page, NULL);
      bd_sync_page_show_error (self->sync_page, outcome->error->message);
      return;
    }

  schedule_auto_sync (self, TRUE);
  if (self->offline && !outcome->initial)
    {
      /* Still offline: the header says so already. */
      update_status (self);
      return;
    }

  mark_offline (self);
  if (outcome->initial)
    enter_main (self);
  else
    _bd_window_actions_update (self);
  update_status (self);

  /* Translators: %s explains why the sync failed, as a full sentence. */
  message = g_strdup_printf (_("%s Search uses the copy on this desk."), outcome->error->message);
  show_toast (self, message);
}

static void
refresh_store_state (BdWindow *self,
                     gboolean  initial,
                     gint64    applied,
                     GError   *pull_error)
{
  PullOutcome *outcome = g_new0 (PullOutcome, 1);

  outcome->self = g_object_ref (self);
  outcome->initial = initial;
  outcome->applied = MAX (applied, 0);
  outcome->error = pull_error;

  bd_application_query_store_async (_bd_window_get_app (self), renew_cancellable (&self->store_cancellable),
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
  if (source != G_OBJECT (bd_application_get_sync_engine (_bd_window_get_app (self))))
    return;

  self->syncing = FALSE;
  self->initial_sync = FALSE;
  g_clear_object (&self->sync_cancellable);

  if (applied < 0)
    g_debug ("Sync failed: %s", error->message);
  else
    bd_application_maybe_back_up_store (_bd_window_get_app (self));

  refresh_store_state (self, initial, applied, g_steal_pointer (&error));
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
    {
      bd_sync_page_set_progress (self->sync_page, applied, total);
      return;
    }

  bd_sync_estimate_add (self->sync_estimate, g_get_monotonic_time (), applied, total);
  update_status (self);
}

static void
on_sync_building_index_cb (BdSyncEngine *engine,
                           gpointer      user_data)
{
  BdWindow *self = user_data;

  if (self->initial_sync)
    bd_sync_page_show_building_index (self->sync_page);
}

static void
on_initial_store_state_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(BdWindow) self = user_data;

  if (take_store_state (self, BD_APPLICATION (source), result))
    _bd_window_begin_pull (self, TRUE);
}

/* The push worker and sync engine of an online session: at sign-in, or
 * when a desk signed in offline reaches the server again. */
static void
watch_online_objects (BdWindow *self)
{
  BdApplication *app = _bd_window_get_app (self);
  BdPushWorker *worker = bd_application_get_push_worker (app);
  BdSyncEngine *engine = bd_application_get_sync_engine (app);

  if (worker != NULL)
    {
      g_signal_connect_object (worker, "notify::pending", G_CALLBACK (update_outbox), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (worker, "item-changed", G_CALLBACK (on_item_changed_cb), self, G_CONNECT_SWAPPED);
    }
  update_outbox (self);
  if (engine != NULL)
    {
      g_signal_connect_object (engine, "progress", G_CALLBACK (on_sync_progress_cb), self, 0);
      g_signal_connect_object (engine, "building-index", G_CALLBACK (on_sync_building_index_cb), self, 0);
    }
}

/* Signed in against the offline record: straight to the copy on this
 * desk, and keep trying to reach the server. */
static void
on_offline_store_state_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(BdWindow) self = user_data;

  if (!take_store_state (self, BD_APPLICATION (source), result))
    return;

  mark_offline (self);
  enter_main (self);
  reload_consumers (self);
  update_status (self);
  if (self->consumer_count > 0)
    show_toast (self, _("Signed in on this desk: the server cannot be reached. Changes are kept here and sent once it is back."));
  else
    show_toast (self, _("Signed in on this desk, but it holds no copy of the zone yet: search finds nothing until the server can be reached."));
  schedule_auto_sync (self, TRUE);
}

static void
on_reconnected_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(BdWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!bd_application_reconnect_finish (BD_APPLICATION (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED))
        return;
      self->reconnecting = FALSE;

      if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_BAD_CREDENTIALS) ||
          g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_SESSION_EXPIRED))
        {
          g_autofree char *message = NULL;

          /* Translators: %s is the server's reason, as a full sentence. */
          message = g_strdup_printf (_("The server is back but did not accept the sign-in made on this desk: %s Changes not yet sent are kept on this desk."),
                                     error->message);
          _bd_window_sign_out (self);
          bd_sign_in_page_show_error (self->sign_in_page, message);
          return;
        }

      g_debug ("Still offline: %s", error->message);
      schedule_auto_sync (self, TRUE);
      return;
    }

  self->reconnecting = FALSE;
  watch_online_objects (self);
  update_attention (self);
  /* The pull that follows says "back online" once it is through. */
  _bd_window_begin_pull (self, FALSE);
}

static void
begin_reconnect (BdWindow *self)
{
  if (self->reconnecting)
    return;
  self->reconnecting = TRUE;
  bd_application_reconnect_async (_bd_window_get_app (self),
                                  renew_cancellable (&self->reconnect_cancellable),
                                  on_reconnected_cb, g_object_ref (self));
}

static void signed_in (BdWindow *self);

/* A session kept from the last run (bd-session-keyring.h) opens the zone
 * without the password; none kept leaves the sign-in page as it was. */
static void
on_app_resumed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(BdWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (bd_application_resume_finish (BD_APPLICATION (source), result, &error))
    {
      signed_in (self);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED))
    return;
  g_clear_object (&self->sign_in_cancellable);
  bd_sign_in_page_set_busy (self->sign_in_page, FALSE);
  if (error != NULL)
    bd_sign_in_page_show_error (self->sign_in_page,
                                g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_SESSION_EXPIRED)
                                ? _("Your session has ended. Sign in again.") : error->message);
  bd_sign_in_page_focus_first_empty (self->sign_in_page);
}

void
bd_window_resume_session (BdWindow   *self,
                          const char *server_url,
                          const char *username)
{
  g_return_if_fail (BD_IS_WINDOW (self));

  if (bd_application_get_session (_bd_window_get_app (self)) != NULL || self->sign_in_cancellable != NULL ||
      server_url == NULL || *server_url == '\0' || username == NULL || *username == '\0')
    return;

  self->sign_in_cancellable = g_cancellable_new ();
  bd_sign_in_page_set_busy (self->sign_in_page, TRUE);
  bd_application_resume_async (_bd_window_get_app (self), server_url, username, self->sign_in_cancellable,
                               on_app_resumed_cb, g_object_ref (self));
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
  signed_in (self);
}

static void
signed_in (BdWindow *self)
{
  BdApplication *app = _bd_window_get_app (self);

  g_clear_object (&self->sign_in_cancellable);
  bd_sign_in_page_set_busy (self->sign_in_page, FALSE);
  bd_sign_in_page_clear_password (self->sign_in_page);

  watch_online_objects (self);
  bd_search_panel_set_store (self->search_panel, bd_application_get_store (app));
  bd_consumer_page_set_consumer (self->consumer_page, NULL);
  show_store_recovery (self);
  self->offline = FALSE;
  self->retry_backoff_s = 0;
  update_user (self);
  update_status (self);
  update_attention (self);
  _bd_window_actions_update (self);

  if (bd_application_is_offline_session (app))
    {
      bd_application_query_store_async (app, renew_cancellable (&self->store_cancellable),
                                        on_offline_store_state_cb, g_object_ref (self));
      return;
    }

  bd_application_query_store_async (app, renew_cancellable (&self->store_cancellable),
                                    on_initial_store_state_cb, g_object_ref (self));
}

static void
on_sign_in_requested_cb (BdWindow     *self,
                         const char   *server_url,
                         const char   *username,
                         const char   *password,
                         const char   *zone,
                         BdSignInPage *page)
{
  if (self->sign_in_cancellable != NULL)
    return;

  self->sign_in_cancellable = g_cancellable_new ();
  bd_sign_in_page_set_busy (self->sign_in_page, TRUE);
  bd_application_sign_in_async (_bd_window_get_app (self), server_url, username, password, zone,
                                self->sign_in_cancellable, on_app_signed_in_cb, g_object_ref (self));
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
      mark_offline (self);
      enter_main (self);
      show_toast (self, _("Working offline with the copy on this desk."));
      return;
    }

  _bd_window_sign_out (self);
}

static void
on_sync_retry_cb (BdWindow   *self,
                  BdSyncPage *page)
{
  _bd_window_begin_pull (self, TRUE);
}

static void
on_consumer_activated_cb (BdWindow      *self,
                          BdConsumer    *consumer,
                          gboolean       open,
                          BdSearchPanel *panel)
{
  bd_consumer_page_set_consumer (self->consumer_page, consumer);
  _bd_window_actions_update (self);
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

/* A new address set in the preferences shows on the sign-in page at once. */
static void
on_server_url_setting_changed_cb (BdWindow   *self,
                                  const char *key,
                                  GSettings  *settings)
{
  g_autofree char *url = g_settings_get_string (settings, "server-url");

  if (!_bd_window_is_on_main (self) && g_strcmp0 (bd_window_get_page_name (self), "sign-in") == 0)
    bd_window_prefill_sign_in (self, url, NULL);
}

static gboolean
bd_window_close_request (GtkWindow *window)
{
  BdWindow *self = BD_WINDOW (window);
  GSettings *settings = bd_application_get_settings (_bd_window_get_app (self));
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
  cancel_pending (self);
  g_clear_handle_id (&self->status_timeout_id, g_source_remove);

  gtk_widget_dispose_template (GTK_WIDGET (self), BD_TYPE_WINDOW);

  G_OBJECT_CLASS (bd_window_parent_class)->dispose (object);
}

static void
bd_window_finalize (GObject *object)
{
  BdWindow *self = BD_WINDOW (object);

  g_free (self->pending_search);
  bd_sync_estimate_free (self->sync_estimate);

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
  gtk_widget_class_bind_template_child (widget_class, BdWindow, outbox_button);
  gtk_widget_class_bind_template_child (widget_class, BdWindow, outbox_label);
  gtk_widget_class_bind_template_child (widget_class, BdWindow, attention_button);
  gtk_widget_class_bind_template_child (widget_class, BdWindow, attention_label);
  gtk_widget_class_bind_template_child (widget_class, BdWindow, status_announcer);
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
  gtk_widget_class_bind_template_callback (widget_class, on_outbox_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_attention_clicked_cb);
}

static void
bd_window_init (BdWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->sync_estimate = bd_sync_estimate_new ();
  _bd_window_actions_init (self);
  bd_search_panel_set_key_capture_widget (self->search_panel, GTK_WIDGET (self->leaflet));
  gtk_stack_set_visible_child_name (self->stack, "sign-in");
}

BdApplication *
_bd_window_get_app (BdWindow *self)
{
  return BD_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

gboolean
_bd_window_is_on_main (BdWindow *self)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "main") == 0;
}

void
_bd_window_begin_pull (BdWindow *self,
                       gboolean  initial)
{
  BdApplication *app = _bd_window_get_app (self);
  BdSyncEngine *engine = bd_application_get_sync_engine (app);
  BdSession *session = bd_application_get_session (app);

  /* Signed in offline: "Sync now" means "try the server again". */
  if (engine == NULL && bd_application_is_offline_session (app) && !initial)
    {
      g_clear_handle_id (&self->auto_sync_id, g_source_remove);
      begin_reconnect (self);
      return;
    }
  if (engine == NULL || self->syncing)
    return;

  self->syncing = TRUE;
  self->initial_sync = initial;
  self->sync_applied = 0;
  self->sync_total = 0;
  bd_sync_estimate_reset (self->sync_estimate);
  self->sync_cancellable = g_cancellable_new ();

  if (initial)
    {
      bd_sync_page_start (self->sync_page, bd_session_get_zone_name (session), self->consumer_count > 0);
      gtk_stack_set_visible_child_name (self->stack, "syncing");
    }

  update_status (self);
  _bd_window_actions_update (self);

  bd_sync_engine_pull_async (engine, self->sync_cancellable, on_pull_done_cb, g_object_ref (self));
}

void
_bd_window_sign_out (BdWindow *self)
{
  BdApplication *app = _bd_window_get_app (self);
  BdSession *session = bd_application_get_session (app);
  g_autofree char *username = session != NULL ? g_strdup (bd_session_get_username (session)) : NULL;

  cancel_pending (self);
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
  update_outbox (self);
  update_attention (self);
  update_status (self);
  _bd_window_actions_update (self);
  bd_sign_in_page_focus_first_empty (self->sign_in_page);
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
  g_signal_connect_object (settings, "changed::server-url",
                           G_CALLBACK (on_server_url_setting_changed_cb), self, G_CONNECT_SWAPPED);

  update_user (self);
  update_status (self);
  _bd_window_actions_update (self);

  return self;
}

void
bd_window_prefill_sign_in (BdWindow   *self,
                           const char *server_url,
                           const char *username)
{
  g_return_if_fail (BD_IS_WINDOW (self));

  if (bd_application_get_session (_bd_window_get_app (self)) != NULL || self->sign_in_cancellable != NULL)
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

  if (bd_application_get_session (_bd_window_get_app (self)) != NULL || self->sign_in_cancellable != NULL)
    return;

  bd_sign_in_page_set_password (self->sign_in_page, password);
  bd_sign_in_page_submit (self->sign_in_page);
}

void
bd_window_set_pending_search (BdWindow   *self,
                              const char *text)
{
  g_return_if_fail (BD_IS_WINDOW (self));

  if (_bd_window_is_on_main (self))
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

  window = bd_consumer_window_new (_bd_window_get_app (self), consumer, self->last_sync);
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
