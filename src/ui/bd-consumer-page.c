/* bd-consumer-page.c: the 360° record of one consumer.
 *
 * The overview holds what the desk has for the consumer: identity, app
 * registration, indexing, connection, meter and balance (live from the
 * meter once the Balance & Usage tab has it), complaints, requests; the history lists who changed what on
 * the server, and the changes made here that are still on their way.
 * The full mobile number, and Aadhaar beyond its last four digits, never
 * reach a widget.
 *
 * The page finds the signed-in client, store and push worker through its
 * window's BdApplication. The indexing, history and outbox are read from
 * the store in a worker thread, then refreshed from the server when it
 * can be reached (the copies are cached for offline use). An edit is
 * "queued" from the moment it is stored until the push worker reports the
 * server's answer; only then does the page say "Saved".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-codec.h"
#include "core/bd-history-entry.h"
#include "core/bd-money.h"
#include "core/bd-time.h"
#include "core/bd-validate.h"

#include "bd-application.h"
#include "bd-complaints-panel.h"
#include "bd-prepaid-panel.h"
#include "bd-requests-panel.h"
#include "bd-consumer-format.h"
#include "bd-consumer-page.h"
#include "bd-consumer-summary.h"
#include "bd-indexing-dialog.h"
#include "bd-outbox-format.h"
#include "bd-registration-assistant.h"

#define HISTORY_LIMIT 50
#define OUTBOX_LIMIT  20

typedef enum {
  REMOTE_UNKNOWN,      /* not asked yet, or not signed in */
  REMOTE_ONLINE,
  REMOTE_OFFLINE,
} RemoteState;

struct _BdConsumerPage
{
  AdwBin             parent_instance;

  BdConsumer        *consumer;
  gint64             last_sync;
  GCancellable      *reload_cancellable;
  GCancellable      *local_cancellable;    /* indexing/history/outbox from the store */
  GCancellable      *remote_cancellable;   /* the same from the server */
  BdIndexing        *indexing;             /* the desk's copy, or NULL */
  GPtrArray         *outbox;               /* BdOutboxItem of this account, newest first */
  char              *app_username;         /* registered in the app as, or NULL */
  RemoteState        remote;
  BdPushWorker      *push_worker;          /* the one whose signals are connected */
  GHashTable        *saved_here;           /* outbox seqs saved from this page, for the "Saved" toast */
  GPtrArray         *history_rows;
  GPtrArray         *pending_rows;
  GtkPrintSettings  *print_settings;   /* the operator's last choices, for the next print */

  GtkStack          *stack;
  AdwViewStack      *view_stack;
  BdComplaintsPanel *complaints_panel;
  BdPrepaidPanel    *prepaid_panel;
  BdRequestsPanel   *requests_panel;
  GtkScrolledWindow *scroller;
  GtkScrolledWindow *history_scroller;
  GtkLabel          *name_label;
  GtkLabel          *name_hi_label;
  GtkLabel          *account_heading_label;
  GtkWidget         *balance_tag;
  GtkImage          *balance_tag_icon;
  GtkLabel          *balance_tag_label;
  GtkLabel          *balance_label;
  GtkLabel          *balance_note_label;
  AdwActionRow      *relation_row;
  AdwActionRow      *address_row;
  AdwActionRow      *account_row;
  GtkButton         *copy_account_button;
  AdwActionRow      *mobile_row;
  GtkLabel          *mobile_tag;
  GtkButton         *mobile_action_button;
  GtkLabel          *mobile_action_label;
  AdwActionRow      *documents_row;
  AdwActionRow      *registration_row;
  GtkButton         *register_button;
  GtkButton         *edit_indexing_button;
  AdwActionRow      *indexing_state_row;
  GtkImage          *indexing_state_icon;
  AdwActionRow      *index_contact_row;
  AdwActionRow      *index_nameplate_row;
  AdwActionRow      *index_seals_row;
  AdwActionRow      *index_installation_row;
  AdwActionRow      *index_gps_row;
  AdwActionRow      *index_updated_row;
  AdwPreferencesGroup *pending_group;
  AdwPreferencesGroup *history_group;
  AdwActionRow      *category_row;
  AdwActionRow      *load_row;
  AdwActionRow      *phase_row;
  AdwActionRow      *supply_row;
  GtkImage          *supply_icon;
  AdwActionRow      *area_row;
  AdwActionRow      *feeder_row;
  AdwActionRow      *dt_row;
  AdwActionRow      *pole_row;
  AdwActionRow      *zone_row;
  AdwActionRow      *meter_serial_row;
  AdwActionRow      *meter_make_row;
  AdwActionRow      *meter_type_row;
  AdwActionRow      *meter_comm_row;
  GtkImage          *meter_comm_icon;
  AdwActionRow      *last_reading_row;
  AdwActionRow      *version_row;
  AdwActionRow      *updated_row;
  AdwActionRow      *synced_row;
};

G_DEFINE_FINAL_TYPE (BdConsumerPage, bd_consumer_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONSUMER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
on_copy_account_clicked_cb (BdConsumerPage *self,
                            GtkButton      *button)
{
  bd_consumer_page_copy_account (self);
}

static void
show_toast (BdConsumerPage *self,
            const char     *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
}

static void
on_print_done_cb (GtkPrintOperation       *operation,
                  GtkPrintOperationResult  result,
                  gpointer                 user_data)
{
  g_autoptr(BdConsumerPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      g_autofree char *message = NULL;

      gtk_print_operation_get_error (operation, &error);
      /* Translators: %s is the printing system's own explanation. */
      message = g_strdup_printf (_("Could not print the summary: %s. Check the printer, or choose “Print to File” to save a PDF."),
                                 error != NULL ? error->message : _("unknown error"));
      show_toast (self, message);
    }
  else if (result == GTK_PRINT_OPERATION_RESULT_APPLY)
    {
      g_set_object (&self->print_settings, gtk_print_operation_get_print_settings (operation));
    }

  g_object_unref (operation);
}

static void
on_reloaded_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(BdConsumerPage) self = user_data;
  g_autoptr(BdConsumer) fresh = NULL;
  g_autoptr(GError) error = NULL;

  fresh = bd_consumer_store_lookup_finish (BD_CONSUMER_STORE (source), result, &error);
  if (fresh == NULL)
    {
      /* A record no longer in the zone keeps showing the last copy. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not reload the consumer on show: %s", error->message);
      return;
    }

  /* Setting another consumer cancels the lookup, but its answer may
   * already be on its way. */
  if (self->consumer != NULL &&
      g_strcmp0 (bd_consumer_get_account (self->consumer), bd_consumer_get_account (fresh)) == 0)
    bd_consumer_page_set_consumer (self, fresh);
}

static void
set_row_value (AdwActionRow *row,
               const char   *value)
{
  g_autofree char *escaped = NULL;
  g_autofree char *accessible = NULL;

  /* Rows render markup; record fields are plain text and may hold "&". */
  if (value == NULL || *value == '\0')
    value = _("Not recorded");
  escaped = g_markup_escape_text (value, -1);
  adw_action_row_set_subtitle (row, escaped);

  /* Translators: read out for a record row, e.g. "Feeder: F-12". */
  accessible = g_strdup_printf (_("%s: %s"),
                                adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), value);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

static void
set_toggle_class (GtkWidget  *widget,
                  const char *css_class,
                  gboolean    on)
{
  if (on)
    gtk_widget_add_css_class (widget, css_class);
  else
    gtk_widget_remove_css_class (widget, css_class);
}

static void
set_state_classes (GtkWidget  *widget,
                   const char *state_class)
{
  static const char *classes[] = { "ok", "emergency", "negative", "verified", "unverified", "silent" };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    set_toggle_class (widget, classes[i], g_strcmp0 (classes[i], state_class) == 0);
}

typedef struct {
  BdConsumerStore *store;
  char            *account;
  BdIndexing      *server_indexing;   /* to cache before reading, or NULL */
  GPtrArray       *server_history;    /* to cache before reading, or NULL */
  BdIndexing      *indexing;          /* read back: the desk's copy, or NULL */
  GPtrArray       *history;
  GPtrArray       *outbox;
} LocalLoad;

static void
local_load_free (LocalLoad *load)
{
  g_clear_object (&load->store);
  g_clear_pointer (&load->account, g_free);
  g_clear_object (&load->server_indexing);
  g_clear_pointer (&load->server_history, g_ptr_array_unref);
  g_clear_object (&load->indexing);
  g_clear_pointer (&load->history, g_ptr_array_unref);
  g_clear_pointer (&load->outbox, g_ptr_array_unref);
  g_free (load);
}

static void load_local     (BdConsumerPage *self,
                            BdIndexing     *server_indexing,
                            GPtrArray      *server_history);
static void refresh_remote (BdConsumerPage *self);
static void show_services  (BdConsumerPage *self);

static BdApplication *
get_app (BdConsumerPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *app;

  if (!GTK_IS_WINDOW (root))
    return NULL;
  app = gtk_window_get_application (GTK_WINDOW (root));

  return BD_IS_APPLICATION (app) ? BD_APPLICATION (app) : NULL;
}

static BdClient *
get_client (BdConsumerPage *self)
{
  BdApplication *app = get_app (self);

  return app != NULL ? bd_application_get_client (app) : NULL;
}

static BdConsumerStore *
get_store (BdConsumerPage *self)
{
  BdApplication *app = get_app (self);

  return app != NULL ? bd_application_get_store (app) : NULL;
}

static gboolean
is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED);
}

static gboolean
shows_account (BdConsumerPage *self,
               const char     *account)
{
  return self->consumer != NULL && g_strcmp0 (bd_consumer_get_account (self->consumer), account) == 0;
}

static void
on_item_changed_cb (BdPushWorker   *worker,
                    gint64          seq,
                    BdOutboxState   state,
                    BdConsumerPage *self)
{
  gboolean ours = FALSE;

  if (g_hash_table_contains (self->saved_here, &seq))
    {
      switch (state)
        {
        case BD_OUTBOX_STATE_DONE:
          show_toast (self, _("Indexing saved on the server."));
          g_hash_table_remove (self->saved_here, &seq);
          break;
        case BD_OUTBOX_STATE_CONFLICT:
          show_toast (self, _("Indexing saved, except fields someone else had changed meanwhile: see the Indexing section."));
          g_hash_table_remove (self->saved_here, &seq);
          break;
        case BD_OUTBOX_STATE_REJECTED:
          show_toast (self, _("The server refused the indexing change. The History tab says why."));
          g_hash_table_remove (self->saved_here, &seq);
          break;
        case BD_OUTBOX_STATE_QUEUED:
        case BD_OUTBOX_STATE_SENDING:
        default:
          break;
        }
    }

  if (self->consumer == NULL)
    return;

  for (guint i = 0; self->outbox != NULL && i < self->outbox->len; i++)
    if (((BdOutboxItem *) g_ptr_array_index (self->outbox, i))->seq == seq)
      ours = TRUE;

  load_local (self, NULL, NULL);
  /* A complaint filed or moved on here may have its answer now. */
  if (state != BD_OUTBOX_STATE_SENDING)
    bd_complaints_panel_reload (self->complaints_panel);
  /* The server's history now has the change, with who and when. */
  if (ours && state != BD_OUTBOX_STATE_QUEUED && state != BD_OUTBOX_STATE_SENDING)
    refresh_remote (self);
}

static void
watch_push_worker (BdConsumerPage *self)
{
  BdApplication *app = get_app (self);
  BdPushWorker *worker = app != NULL ? bd_application_get_push_worker (app) : NULL;

  if (worker == self->push_worker)
    return;

  if (self->push_worker != NULL)
    g_signal_handlers_disconnect_by_data (self->push_worker, self);
  g_set_weak_pointer (&self->push_worker, worker);
  if (worker != NULL)
    g_signal_connect_object (worker, "item-changed", G_CALLBACK (on_item_changed_cb), self, 0);
}

static void
on_assistant_finished_cb (BdConsumerPage          *self,
                          BdRegistrationAssistant *assistant)
{
  refresh_remote (self);
  /* A verified or changed mobile comes to the desk's copy through the
   * changes feed; in a consumer's own window there is no such action. */
  gtk_widget_activate_action (GTK_WIDGET (self), "win.sync-now", NULL);
}

static void
open_assistant (BdConsumerPage *self,
                BdOtpPurpose    purpose)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  BdRegistrationAssistant *assistant;

  if (self->consumer == NULL)
    return;

  assistant = bd_registration_assistant_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                             self->remote == REMOTE_OFFLINE ? NULL : get_client (self),
                                             self->consumer, purpose);
  g_signal_connect_object (assistant, "finished", G_CALLBACK (on_assistant_finished_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (assistant));
}

static void
on_register_clicked_cb (BdConsumerPage *self,
                        GtkButton      *button)
{
  open_assistant (self, BD_OTP_PURPOSE_REGISTRATION);
}

static void
on_mobile_action_clicked_cb (BdConsumerPage *self,
                             GtkButton      *button)
{
  if (self->consumer == NULL)
    return;

  if (bd_consumer_get_mobile (self->consumer) != NULL && !bd_consumer_get_mobile_verified (self->consumer))
    open_assistant (self, BD_OTP_PURPOSE_VERIFY_MOBILE);
  else
    open_assistant (self, BD_OTP_PURPOSE_CHANGE_MOBILE);
}

static void
on_indexing_saved_cb (BdIndexingDialog *dialog,
                      gint64            seq,
                      BdConsumerPage   *self)
{
  gint64 *key = g_new (gint64, 1);

  *key = seq;
  g_hash_table_add (self->saved_here, key);
  /* Not "saved" yet: only the server's answer makes it so. */
  show_toast (self, _("Saved on this desk; sending to the server…"));
  watch_push_worker (self);
  if (self->push_worker != NULL)
    bd_push_worker_kick (self->push_worker);
  load_local (self, NULL, NULL);
}

static void
on_edit_indexing_clicked_cb (BdConsumerPage *self,
                             GtkButton      *button)
{
  BdApplication *app = get_app (self);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  BdSession *session;
  BdIndexingDialog *dialog;

  if (self->consumer == NULL || app == NULL || bd_application_get_store (app) == NULL)
    return;

  session = bd_application_get_session (app);
  dialog = bd_indexing_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   bd_application_get_store (app),
                                   self->remote == REMOTE_OFFLINE ? NULL : bd_application_get_client (app),
                                   self->consumer, self->indexing,
                                   session != NULL ? bd_session_get_username (session) : NULL);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_indexing_saved_cb), self, 0);
  g_signal_connect_object (dialog, "mobile-updated", G_CALLBACK (on_assistant_finished_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_registration_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(BdConsumerPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *username = NULL;

  username = bd_client_get_registration_finish (BD_CLIENT (source), result, NULL, &error);
  if (username == NULL && is_cancelled (error))
    return;

  if (username != NULL || g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_NOT_FOUND))
    self->remote = REMOTE_ONLINE;
  else if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_UNREACHABLE))
    self->remote = REMOTE_OFFLINE;
  else
    g_debug ("Could not read the app registration: %s", error->message);

  g_free (self->app_username);
  self->app_username = g_steal_pointer (&username);
  show_services (self);
}

static void
on_remote_indexing_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(BdConsumerPage) self = user_data;
  g_autoptr(BdIndexing) indexing = NULL;
  g_autoptr(GError) error = NULL;

  indexing = bd_client_get_indexing_finish (BD_CLIENT (source), result, &error);
  if (indexing == NULL)
    {
      if (!is_cancelled (error))
        g_debug ("Could not fetch the indexing: %s", error->message);
      return;
    }
  if (shows_account (self, bd_indexing_get_account (indexing)))
    load_local (self, indexing, NULL);
}

static void
on_remote_history_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(BdConsumerPage) self = user_data;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GError) error = NULL;

  history = bd_client_get_history_finish (BD_CLIENT (source), result, &error);
  if (history == NULL)
    {
      if (!is_cancelled (error))
        g_debug ("Could not fetch the history: %s", error->message);
      return;
    }
  if (self->consumer != NULL)
    load_local (self, NULL, history);
}

static void
local_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  LocalLoad *load = task_data;
  g_autoptr(GError) error = NULL;

  if (load->server_indexing != NULL &&
      !bd_consumer_store_cache_indexing (load->store, load->server_indexing, &error))
    {
      g_debug ("Could not keep the server's indexing on this desk: %s", error->message);
      g_clear_error (&error);
    }
  if (load->server_history != NULL &&
      !bd_consumer_store_cache_history (load->store, load->account, load->server_history, &error))
    {
      g_debug ("Could not keep the history on this desk: %s", error->message);
      g_clear_error (&error);
    }

  load->indexing = bd_consumer_store_load_indexing (load->store, load->account, &error);
  if (load->indexing == NULL && !g_error_matches (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND))
    g_debug ("Could not read the indexing on this desk: %s", error->message);
  g_clear_error (&error);

  load->history = bd_consumer_store_load_history (load->store, load->account, &error);
  if (load->history == NULL)
    {
      g_debug ("Could not read the history on this desk: %s", error->message);
      g_clear_error (&error);
    }

  load->outbox = bd_consumer_store_outbox_list (load->store, load->account, OUTBOX_LIMIT, &error);
  if (load->outbox == NULL)
    g_debug ("Could not read the outbox: %s", error->message);

  g_task_return_boolean (task, TRUE);
}

static char *
format_thousandths (gint64 value)
{
  g_autofree char *whole = bd_format_indian_integer (value / 1000);
  int rest = (int) (value % 1000);

  if (rest == 0)
    return g_steal_pointer (&whole);
  if (rest % 100 == 0)
    return g_strdup_printf ("%s.%d", whole, rest / 100);
  if (rest % 10 == 0)
    return g_strdup_printf ("%s.%02d", whole, rest / 10);

  return g_strdup_printf ("%s.%03d", whole, rest);
}

static char *
format_date (const char *iso)
{
  int y, m, d;

  if (iso == NULL || sscanf (iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
    return g_strdup (iso);

  return g_strdup_printf ("%02d-%02d-%04d", d, m, y);
}

static char *
format_field (BdIndexing *indexing,
              const char *field)
{
  g_autoptr(JsonNode) node = bd_indexing_get_field (indexing, field);

  return node != NULL ? bd_indexing_format_value (field, node) : NULL;
}

/* Non-empty parts joined by " · "; NULL when all are empty. */
static char *
join_parts (GPtrArray *parts)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < parts->len; i++)
    {
      const char *part = g_ptr_array_index (parts, i);

      if (part == NULL || *part == '\0')
        continue;
      if (out->len > 0)
        g_string_append (out, " · ");
      g_string_append (out, part);
    }

  return out->len > 0 ? g_strdup (out->str) : NULL;
}

static void
show_indexing_state (BdConsumerPage *self)
{
  const BdOutboxItem *latest = NULL;
  const BdOutboxItem *pending = NULL;
  g_autofree char *text = NULL;
  const char *icon = NULL;
  const char *css = NULL;

  for (guint i = 0; self->outbox != NULL && i < self->outbox->len; i++)
    {
      const BdOutboxItem *item = g_ptr_array_index (self->outbox, i);

      if (latest == NULL)
        latest = item;
      if (pending == NULL && (item->state == BD_OUTBOX_STATE_QUEUED || item->state == BD_OUTBOX_STATE_SENDING))
        pending = item;
    }

  if (pending != NULL)
    {
      text = g_strdup (bd_outbox_state_to_label (pending->state));
      icon = "mail-send-symbolic";
      css = "emergency";
    }
  else if (latest != NULL && latest->state != BD_OUTBOX_STATE_DONE)
    {
      text = bd_outbox_item_describe_state (latest);
      icon = "dialog-warning-symbolic";
      css = "negative";
    }
  else if (self->indexing != NULL && (bd_indexing_get_version (self->indexing) > 0 || latest != NULL))
    {
      text = g_strdup (bd_outbox_state_to_label (BD_OUTBOX_STATE_DONE));
      icon = "emblem-ok-symbolic";
      css = "ok";
    }
  else
    {
      text = g_strdup (self->indexing != NULL ? _("Not indexed yet") : _("Not known at this desk yet"));
    }

  set_row_value (self->indexing_state_row, text);
  gtk_image_set_from_icon_name (self->indexing_state_icon, icon);
  gtk_widget_set_visible (GTK_WIDGET (self->indexing_state_icon), icon != NULL);
  set_state_classes (GTK_WIDGET (self->indexing_state_icon), css);
}

static void
show_indexing (BdConsumerPage *self)
{
  BdIndexing *x = self->indexing;
  g_autoptr(GPtrArray) documents = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) contact = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) nameplate = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) installation = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *documents_text = NULL;
  g_autofree char *contact_text = NULL;
  g_autofree char *nameplate_text = NULL;
  g_autofree char *installation_text = NULL;
  g_autofree char *seals = NULL;
  g_autofree char *gps = NULL;
  g_autofree char *updated = NULL;

  show_indexing_state (self);

  if (x != NULL)
    {
      if (bd_indexing_get_aadhaar_last4 (x) != NULL)
        {
          g_autofree char *masked = bd_aadhaar_mask (bd_indexing_get_aadhaar_last4 (x));

          /* Translators: %s is a masked Aadhaar number, "XXXX-XXXX-1234". */
          g_ptr_array_add (documents, g_strdup_printf (_("Aadhaar %s"), masked));
        }
      if (bd_indexing_get_pan (x) != NULL)
        /* Translators: %s is a PAN, e.g. "ABCPE1234F". */
        g_ptr_array_add (documents, g_strdup_printf (_("PAN %s"), bd_indexing_get_pan (x)));
      if (bd_indexing_get_voter_id (x) != NULL)
        /* Translators: %s is a voter ID (EPIC) number. */
        g_ptr_array_add (documents, g_strdup_printf (_("Voter ID %s"), bd_indexing_get_voter_id (x)));
      if (bd_indexing_get_driving_licence (x) != NULL)
        /* Translators: %s is a driving licence number. */
        g_ptr_array_add (documents, g_strdup_printf (_("Driving licence %s"), bd_indexing_get_driving_licence (x)));

      g_ptr_array_add (contact, format_field (x, "alternate_phone"));
      g_ptr_array_add (contact, format_field (x, "email"));

      g_ptr_array_add (nameplate, g_strdup (bd_indexing_get_meter_make (x)));
      g_ptr_array_add (nameplate, g_strdup (bd_indexing_get_meter_model (x)));
      if (bd_indexing_get_meter_year (x) > 0)
        /* Translators: a meter's year of manufacture, e.g. "made 2023". */
        g_ptr_array_add (nameplate, g_strdup_printf (_("made %d"), bd_indexing_get_meter_year (x)));
      g_ptr_array_add (nameplate, g_strdup (bd_indexing_get_meter_rating (x)));

      if (bd_indexing_get_installed_on (x) != NULL)
        {
          g_autofree char *date = format_date (bd_indexing_get_installed_on (x));

          /* Translators: %s is a date, e.g. "15-03-2024". */
          g_ptr_array_add (installation, g_strdup_printf (_("installed %s"), date));
        }
      if (bd_indexing_get_last_reading_wh (x) >= 0)
        {
          g_autofree char *kwh = format_thousandths (bd_indexing_get_last_reading_wh (x));
          g_autofree char *date = format_date (bd_indexing_get_last_reading_on (x));

          if (date != NULL)
            /* Translators: a reading and its date, e.g. "reading 1,234.5 kWh on 15-03-2024". */
            g_ptr_array_add (installation, g_strdup_printf (_("reading %s kWh on %s"), kwh, date));
          else
            /* Translators: a reading, e.g. "reading 1,234.5 kWh". */
            g_ptr_array_add (installation, g_strdup_printf (_("reading %s kWh"), kwh));
        }

      seals = format_field (x, "seal_numbers");
      gps = format_field (x, "gps");
      if (bd_indexing_get_updated_at (x) > 0)
        {
          g_autofree char *when = bd_time_format_ist (bd_indexing_get_updated_at (x));

          if (bd_indexing_get_updated_by (x) != NULL)
            /* Translators: when, then who, e.g. "23-11-2026 15:45 IST by operator". */
            updated = g_strdup_printf (_("%s by %s"), when, bd_indexing_get_updated_by (x));
          else
            updated = g_steal_pointer (&when);
        }
    }

  documents_text = join_parts (documents);
  contact_text = join_parts (contact);
  nameplate_text = join_parts (nameplate);
  installation_text = join_parts (installation);

  set_row_value (self->documents_row, documents_text);
  set_row_value (self->index_contact_row, contact_text);
  set_row_value (self->index_nameplate_row, nameplate_text);
  set_row_value (self->index_seals_row, seals);
  set_row_value (self->index_installation_row, installation_text);
  set_row_value (self->index_gps_row, gps);
  set_row_value (self->index_updated_row, updated);
}

static void
clear_rows (AdwPreferencesGroup *group,
            GPtrArray           *rows)
{
  for (guint i = 0; i < rows->len; i++)
    adw_preferences_group_remove (group, g_ptr_array_index (rows, i));
  g_ptr_array_set_size (rows, 0);
}

static void
add_row (AdwPreferencesGroup *group,
         GPtrArray           *rows,
         const char          *title,
         const char          *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title_markup = g_markup_escape_text (title != NULL ? title : "", -1);
  g_autofree char *subtitle_markup = g_markup_escape_text (subtitle != NULL ? subtitle : "", -1);
  g_autofree char *accessible = NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title_markup);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle_markup);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  /* Translators: read out for a history row: what changed, then who and when. */
  accessible = g_strdup_printf (_("%s: %s"), title != NULL ? title : "", subtitle != NULL ? subtitle : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
  adw_preferences_group_add (group, row);
  g_ptr_array_add (rows, row);
}

static void
show_change_history (BdConsumerPage *self,
                     GPtrArray      *history)
{
  guint n_pending = 0;

  clear_rows (self->pending_group, self->pending_rows);
  clear_rows (self->history_group, self->history_rows);

  for (guint i = 0; self->outbox != NULL && i < self->outbox->len; i++)
    {
      const BdOutboxItem *item = g_ptr_array_index (self->outbox, i);
      g_autofree char *fields = NULL;
      g_autofree char *title = NULL;
      g_autofree char *state = NULL;
      g_autofree char *when = NULL;
      g_autofree char *subtitle = NULL;

      /* Once done, the server's history has it, with who and when. */
      if (item->state == BD_OUTBOX_STATE_DONE)
        continue;

      fields = bd_outbox_item_describe_fields (item);
      /* Translators: %s lists the changed fields, e.g. "Email, PAN". */
      title = g_strdup_printf (_("Indexing: %s"), fields);
      state = bd_outbox_item_describe_state (item);
      when = bd_time_format_ist (item->created_at);
      /* Translators: a change's state, then when and by whom it was made here. */
      subtitle = g_strdup_printf (_("%s · %s by %s"), state, when != NULL ? when : "", item->created_by);
      add_row (self->pending_group, self->pending_rows, title, subtitle);
      n_pending++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->pending_group), n_pending > 0);

  for (guint i = 0; history != NULL && i < history->len && i < HISTORY_LIMIT; i++)
    {
      const BdHistoryEntry *entry = g_ptr_array_index (history, i);
      g_autofree char *title = bd_history_entry_describe (entry);
      g_autofree char *when = bd_time_format_ist (entry->at);
      g_autofree char *subtitle = NULL;

      /* Translators: when, then who, e.g. "23-11-2026 15:45 IST by operator". */
      subtitle = g_strdup_printf (_("%s by %s"), when != NULL ? when : "", entry->by != NULL ? entry->by : "");
      add_row (self->history_group, self->history_rows, title, subtitle);
    }
  if (history == NULL || history->len == 0)
    add_row (self->history_group, self->history_rows,
             _("No changes known at this desk"),
             self->remote == REMOTE_ONLINE ? _("The central server has no recorded changes for this consumer.")
                                           : _("The list comes from the central server and is kept here for offline use."));
}

static void
on_local_loaded_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  BdConsumerPage *self = BD_CONSUMER_PAGE (source);
  LocalLoad *load = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error) || !shows_account (self, load->account))
    return;

  g_set_object (&self->indexing, load->indexing);
  g_clear_pointer (&self->outbox, g_ptr_array_unref);
  self->outbox = load->outbox != NULL ? g_ptr_array_ref (load->outbox) : NULL;
  show_indexing (self);
  show_change_history (self, load->history);
}

static void
load_local (BdConsumerPage *self,
            BdIndexing     *server_indexing,
            GPtrArray      *server_history)
{
  BdConsumerStore *store = get_store (self);
  g_autoptr(GTask) task = NULL;
  LocalLoad *load;

  if (store == NULL || self->consumer == NULL)
    return;

  if (self->local_cancellable == NULL)
    self->local_cancellable = g_cancellable_new ();

  load = g_new0 (LocalLoad, 1);
  load->store = g_object_ref (store);
  load->account = g_strdup (bd_consumer_get_account (self->consumer));
  load->server_indexing = server_indexing != NULL ? g_object_ref (server_indexing) : NULL;
  load->server_history = server_history != NULL ? g_ptr_array_ref (server_history) : NULL;

  task = g_task_new (self, self->local_cancellable, on_local_loaded_cb, NULL);
  g_task_set_source_tag (task, load_local);
  g_task_set_task_data (task, load, (GDestroyNotify) local_load_free);
  g_task_run_in_thread (task, local_thread);
}

static void
refresh_remote (BdConsumerPage *self)
{
  BdClient *client = get_client (self);
  const char *account;

  if (self->consumer == NULL || client == NULL)
    return;

  g_cancellable_cancel (self->remote_cancellable);
  g_clear_object (&self->remote_cancellable);
  self->remote_cancellable = g_cancellable_new ();
  account = bd_consumer_get_account (self->consumer);

  bd_client_get_registration_async (client, account, self->remote_cancellable,
                                    on_registration_cb, g_object_ref (self));
  bd_client_get_indexing_async (client, account, self->remote_cancellable,
                                on_remote_indexing_cb, g_object_ref (self));
  bd_client_get_history_async (client, account, HISTORY_LIMIT, self->remote_cancellable,
                               on_remote_history_cb, g_object_ref (self));
}

/* What can be done with the server: register, verify or change the
 * mobile, edit the indexing. */
static void
show_services (BdConsumerPage *self)
{
  BdConsumer *c = self->consumer;
  gboolean signed_in = get_client (self) != NULL;
  gboolean online = signed_in && self->remote == REMOTE_ONLINE;
  gboolean has_mobile;
  gboolean verified;
  g_autofree char *registration = NULL;
  const char *register_tooltip = NULL;
  gboolean counter;
  const char *mobile_label;
  const char *mobile_name;

  if (c == NULL)
    return;

  has_mobile = bd_consumer_get_mobile (c) != NULL && *bd_consumer_get_mobile (c) != '\0';
  verified = bd_consumer_get_mobile_verified (c);

  if (!signed_in)
    {
      registration = g_strdup (_("Sign in to see whether the consumer uses the app"));
      register_tooltip = _("Registration needs a connection to the server.");
    }
  else if (self->remote == REMOTE_OFFLINE)
    {
      registration = g_strdup (_("Cannot be checked: the server cannot be reached"));
      register_tooltip = _("Registration needs a connection to the server, and this desk cannot reach it now.");
    }
  else if (self->remote == REMOTE_UNKNOWN)
    {
      registration = g_strdup (_("Checking with the server…"));
      register_tooltip = _("Checking with the server whether the consumer is registered…");
    }
  else if (self->app_username != NULL)
    {
      /* Translators: %s is the consumer's app username. */
      registration = g_strdup_printf (_("Registered in the app as %s"), self->app_username);
      register_tooltip = _("Already registered in the app.");
    }
  else
    {
      registration = g_strdup (_("Not registered in the app"));
    }
  set_row_value (self->registration_row, registration);
  counter = get_app (self) == NULL || bd_application_is_counter_staff (get_app (self));
  if (!counter)
    register_tooltip = _("Done at a counter: call-centre agents look up consumers and take complaints.");
  gtk_widget_set_sensitive (GTK_WIDGET (self->register_button), online && counter && self->app_username == NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->register_button), register_tooltip);

  if (has_mobile && !verified)
    {
      mobile_label = _("Verify…");
      mobile_name = _("Verify mobile");
    }
  else if (has_mobile)
    {
      mobile_label = _("Change…");
      mobile_name = _("Change mobile");
    }
  else
    {
      mobile_label = _("Add…");
      mobile_name = _("Add a mobile number");
    }
  gtk_label_set_text (self->mobile_action_label, mobile_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->mobile_action_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, mobile_name,
                                  -1);
  gtk_widget_set_sensitive (GTK_WIDGET (self->mobile_action_button), online && counter);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->mobile_action_button),
                               !counter ? _("Done at a counter: call-centre agents look up consumers and take complaints.")
                               : online ? NULL : _("Sending an OTP needs a connection to the server."));

  gtk_widget_set_sensitive (GTK_WIDGET (self->edit_indexing_button), get_store (self) != NULL && counter);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->edit_indexing_button),
                               !counter ? _("Done at a counter: call-centre agents look up consumers and take complaints.")
                               : get_store (self) != NULL ? _("Edits are kept on this desk and sent to the server, also when it is offline now.")
                                                          : _("Sign in to edit the indexing."));
}

/* Everything that comes from the store and the server, for the consumer
 * on show. */
static void
refresh_services (BdConsumerPage *self)
{
  if (self->consumer == NULL)
    return;

  watch_push_worker (self);
  show_services (self);
  show_indexing (self);
  load_local (self, NULL, NULL);
  refresh_remote (self);
}

static void
show_balance_of (BdConsumerPage *self,
                 BdConsumer     *c)
{
  BdConsumerBalanceState state = bd_consumer_balance_state (c);
  g_autofree char *balance = bd_format_paise (bd_consumer_get_balance_paise (c));
  g_autofree char *note = bd_consumer_format_balance_note (c);
  g_autofree char *accessible = NULL;

  gtk_label_set_text (self->balance_label, balance);
  set_toggle_class (GTK_WIDGET (self->balance_label), "negative", bd_consumer_get_balance_paise (c) < 0);
  gtk_label_set_text (self->balance_tag_label, bd_balance_state_label (state));
  gtk_image_set_from_icon_name (self->balance_tag_icon, bd_balance_state_icon_name (state));
  set_state_classes (self->balance_tag, bd_balance_state_css_class (state));
  gtk_label_set_text (self->balance_note_label, note);
  set_toggle_class (GTK_WIDGET (self->balance_note_label), "dim-label", state == BD_BALANCE_STATE_OK);

  /* Translators: read out for the balance: amount, then its state, e.g.
   * "Prepaid balance −₹123.45, Emergency credit". */
  accessible = g_strdup_printf (_("Prepaid balance %s, %s"), balance, bd_balance_state_label (state));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->balance_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

static void
show_balance (BdConsumerPage *self)
{
  const BdBalance *live = bd_prepaid_panel_get_balance (self->prepaid_panel);
  g_autoptr(BdConsumer) fresher = NULL;

  /* The meter's own balance is newer than the copy's whenever it is later. */
  if (live != NULL && g_strcmp0 (live->account, bd_consumer_get_account (self->consumer)) == 0 &&
      live->as_of >= bd_consumer_get_balance_as_of (self->consumer))
    {
      fresher = bd_consumer_copy (self->consumer);
      bd_consumer_set_balance_paise (fresher, live->balance_paise);
      bd_consumer_set_balance_as_of (fresher, live->as_of);
      bd_consumer_set_supply_status (fresher, live->supply);
      show_balance_of (self, fresher);
      return;
    }
  show_balance_of (self, self->consumer);
}

static void
on_prepaid_balance_changed_cb (BdPrepaidPanel *panel,
                               gpointer        balance,
                               BdConsumerPage *self)
{
  if (self->consumer != NULL)
    show_balance (self);
}

static void
show_meter (BdConsumerPage *self)
{
  BdConsumer *c = self->consumer;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  BdMeterComm comm = bd_consumer_meter_comm (c, now);
  g_autofree char *comm_text = bd_consumer_format_meter_comm (c, now);
  g_autofree char *last_reading = bd_consumer_format_last_reading (c);
  const char *icon = NULL;

  set_row_value (self->meter_serial_row, bd_consumer_get_meter_serial (c));
  set_row_value (self->meter_make_row, bd_consumer_get_meter_make (c));
  set_row_value (self->meter_type_row, bd_meter_type_label (bd_consumer_get_meter_type (c)));
  set_row_value (self->meter_comm_row, comm_text);
  set_row_value (self->last_reading_row, last_reading);

  switch (comm)
    {
    case BD_METER_COMM_REPORTING:
      icon = "emblem-ok-symbolic";
      set_state_classes (GTK_WIDGET (self->meter_comm_icon), "ok");
      break;
    case BD_METER_COMM_SILENT:
    case BD_METER_COMM_NEVER:
      icon = "dialog-warning-symbolic";
      set_state_classes (GTK_WIDGET (self->meter_comm_icon), "emergency");
      break;
    case BD_METER_COMM_NOT_REMOTE:
    default:
      set_state_classes (GTK_WIDGET (self->meter_comm_icon), NULL);
      break;
    }
  gtk_image_set_from_icon_name (self->meter_comm_icon, icon);
  gtk_widget_set_visible (GTK_WIDGET (self->meter_comm_icon), icon != NULL);
}

static void
show_history (BdConsumerPage *self)
{
  BdConsumer *c = self->consumer;
  g_autofree char *version = bd_format_indian_integer (bd_consumer_get_version (c));
  g_autofree char *updated = bd_time_format_ist (bd_consumer_get_updated_at (c));
  g_autofree char *synced = bd_time_format_ist (self->last_sync);

  set_row_value (self->version_row, version);
  set_row_value (self->updated_row, updated);
  set_row_value (self->synced_row, synced != NULL ? synced : _("Not synced yet"));
}

static void
show_consumer (BdConsumerPage *self)
{
  BdConsumer *c = self->consumer;
  g_autofree char *account_heading = NULL;
  g_autofree char *relation = bd_consumer_format_relation (c);
  g_autofree char *load = bd_format_load (bd_consumer_get_sanctioned_load_w (c));
  g_autofree char *masked = bd_consumer_dup_masked_mobile (c);
  const char *other_name = NULL;
  const char *name = bd_consumer_get_names (c, &other_name);
  gboolean connected = bd_consumer_get_supply_status (c) == BD_SUPPLY_CONNECTED;

  /* In the script the operator chose first, the other one under it. */
  gtk_label_set_text (self->name_label, name);
  gtk_label_set_text (self->name_hi_label, other_name != NULL ? other_name : "");
  gtk_widget_set_visible (GTK_WIDGET (self->name_hi_label), other_name != NULL);
  /* Translators: %s is a 10- or 12-digit account number. */
  account_heading = g_strdup_printf (_("Account %s"), bd_consumer_get_account (c));
  gtk_label_set_text (self->account_heading_label, account_heading);

  show_balance (self);

  set_row_value (self->relation_row, relation);
  set_row_value (self->address_row, bd_consumer_get_address (c));
  set_row_value (self->account_row, bd_consumer_get_account (c));

  /* Only the masked form ever reaches a widget: the full number would be
   * read out by screen readers and visible to anyone at the counter. */
  if (masked != NULL)
    {
      gboolean verified = bd_consumer_get_mobile_verified (c);

      set_row_value (self->mobile_row, masked);
      gtk_label_set_text (self->mobile_tag, verified ? _("Verified") : _("Not verified"));
      set_state_classes (GTK_WIDGET (self->mobile_tag), verified ? "verified" : "unverified");
      gtk_widget_set_visible (GTK_WIDGET (self->mobile_tag), TRUE);
    }
  else
    {
      set_row_value (self->mobile_row, _("No mobile on record"));
      gtk_widget_set_visible (GTK_WIDGET (self->mobile_tag), FALSE);
    }

  set_row_value (self->category_row, bd_consumer_get_category (c));
  set_row_value (self->load_row, load);
  set_row_value (self->phase_row, bd_phase_label (bd_consumer_get_phase (c)));
  set_row_value (self->supply_row, bd_supply_status_label (bd_consumer_get_supply_status (c)));
  gtk_image_set_from_icon_name (self->supply_icon, connected ? "emblem-ok-symbolic" : "dialog-error-symbolic");
  set_state_classes (GTK_WIDGET (self->supply_icon), connected ? "ok" : "negative");
  set_row_value (self->area_row, bd_area_type_label (bd_consumer_get_area_type (c)));
  set_row_value (self->feeder_row, bd_consumer_get_feeder (c));
  set_row_value (self->dt_row, bd_consumer_get_dt (c));
  set_row_value (self->pole_row, bd_consumer_get_pole (c));
  set_row_value (self->zone_row, bd_consumer_get_zone (c));

  show_meter (self);
  show_history (self);
  show_services (self);
}

static void
bd_consumer_page_dispose (GObject *object)
{
  BdConsumerPage *self = BD_CONSUMER_PAGE (object);

  g_cancellable_cancel (self->reload_cancellable);
  g_clear_object (&self->reload_cancellable);
  g_cancellable_cancel (self->local_cancellable);
  g_clear_object (&self->local_cancellable);
  g_cancellable_cancel (self->remote_cancellable);
  g_clear_object (&self->remote_cancellable);
  if (self->push_worker != NULL)
    g_signal_handlers_disconnect_by_data (self->push_worker, self);
  g_clear_weak_pointer (&self->push_worker);
  g_clear_object (&self->consumer);
  g_clear_object (&self->indexing);
  g_clear_pointer (&self->outbox, g_ptr_array_unref);
  g_clear_object (&self->print_settings);
  /* AdwBin unparents its child itself; let it, before the template
   * drops its references, so the child is not unparented twice. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), BD_TYPE_CONSUMER_PAGE);

  G_OBJECT_CLASS (bd_consumer_page_parent_class)->dispose (object);
}

static void
bd_consumer_page_finalize (GObject *object)
{
  BdConsumerPage *self = BD_CONSUMER_PAGE (object);

  g_free (self->app_username);
  g_hash_table_unref (self->saved_here);
  g_ptr_array_unref (self->history_rows);
  g_ptr_array_unref (self->pending_rows);

  G_OBJECT_CLASS (bd_consumer_page_parent_class)->finalize (object);
}

/* In a window of its own the page gets its consumer before its window
 * has the application, so the services are looked up again here. */
static void
bd_consumer_page_root (GtkWidget *widget)
{
  BdConsumerPage *self = BD_CONSUMER_PAGE (widget);

  GTK_WIDGET_CLASS (bd_consumer_page_parent_class)->root (widget);
  refresh_services (self);
}

static void
bd_consumer_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  BdConsumerPage *self = BD_CONSUMER_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONSUMER:
      g_value_set_object (value, self->consumer);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bd_consumer_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  BdConsumerPage *self = BD_CONSUMER_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONSUMER:
      bd_consumer_page_set_consumer (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bd_consumer_page_class_init (BdConsumerPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bd_consumer_page_dispose;
  object_class->finalize = bd_consumer_page_finalize;
  widget_class->root = bd_consumer_page_root;
  object_class->get_property = bd_consumer_page_get_property;
  object_class->set_property = bd_consumer_page_set_property;

  properties[PROP_CONSUMER] =
    g_param_spec_object ("consumer", NULL, NULL, BD_TYPE_CONSUMER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (BD_TYPE_COMPLAINTS_PANEL);
  g_type_ensure (BD_TYPE_PREPAID_PANEL);
  g_type_ensure (BD_TYPE_REQUESTS_PANEL);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/bijlidesk/BijliDesk/ui/bd-consumer-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, stack);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, complaints_panel);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, prepaid_panel);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, requests_panel);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, history_scroller);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, name_hi_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, account_heading_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, balance_tag);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, balance_tag_icon);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, balance_tag_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, balance_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, balance_note_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, relation_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, address_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, account_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, copy_account_button);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, mobile_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, mobile_tag);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, mobile_action_button);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, mobile_action_label);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, documents_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, registration_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, register_button);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, edit_indexing_button);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, indexing_state_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, indexing_state_icon);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, index_contact_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, index_nameplate_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, index_seals_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, index_installation_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, index_gps_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, index_updated_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, pending_group);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, history_group);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, category_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, load_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, phase_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, supply_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, supply_icon);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, area_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, feeder_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, dt_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, pole_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, zone_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, meter_serial_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, meter_make_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, meter_type_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, meter_comm_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, meter_comm_icon);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, last_reading_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, version_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, updated_row);
  gtk_widget_class_bind_template_child (widget_class, BdConsumerPage, synced_row);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_account_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_register_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_mobile_action_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_edit_indexing_clicked_cb);
}

static void
bd_consumer_page_init (BdConsumerPage *self)
{
  self->saved_here = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->history_rows = g_ptr_array_new ();
  self->pending_rows = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_stack_set_visible_child_name (self->stack, "empty");
  g_signal_connect (self->prepaid_panel, "balance-changed", G_CALLBACK (on_prepaid_balance_changed_cb), self);
}

GtkWidget *
bd_consumer_page_new (void)
{
  return g_object_new (BD_TYPE_CONSUMER_PAGE, NULL);
}

void
bd_consumer_page_set_consumer (BdConsumerPage *self,
                               BdConsumer     *consumer)
{
  gboolean same_account;

  g_return_if_fail (BD_IS_CONSUMER_PAGE (self));
  g_return_if_fail (consumer == NULL || BD_IS_CONSUMER (consumer));

  same_account = self->consumer != NULL && consumer != NULL &&
                 g_strcmp0 (bd_consumer_get_account (self->consumer),
                            bd_consumer_get_account (consumer)) == 0;
  if (!g_set_object (&self->consumer, consumer))
    return;

  if (!same_account)
    {
      /* Nothing of the previous consumer may show for this one. */
      g_cancellable_cancel (self->reload_cancellable);
      g_cancellable_cancel (self->local_cancellable);
      g_clear_object (&self->local_cancellable);
      g_cancellable_cancel (self->remote_cancellable);
      g_clear_object (&self->remote_cancellable);
      g_clear_object (&self->indexing);
      g_clear_pointer (&self->outbox, g_ptr_array_unref);
      g_clear_pointer (&self->app_username, g_free);
      self->remote = REMOTE_UNKNOWN;
      clear_rows (self->pending_group, self->pending_rows);
      clear_rows (self->history_group, self->history_rows);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONSUMER]);

  bd_complaints_panel_set_consumer (self->complaints_panel, consumer);
  bd_prepaid_panel_set_consumer (self->prepaid_panel, consumer);
  bd_requests_panel_set_consumer (self->requests_panel, consumer);
  if (consumer == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  show_consumer (self);
  refresh_services (self);
  /* A fresher copy of the same record (after a sync) keeps the operator's
   * place; another consumer starts at the top of the overview. */
  if (!same_account)
    {
      adw_view_stack_set_visible_child_name (self->view_stack, "overview");
      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0.0);
      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->history_scroller), 0.0);
    }
  gtk_stack_set_visible_child_name (self->stack, "record");
}

void
bd_consumer_page_set_last_sync (BdConsumerPage *self,
                                gint64          last_sync)
{
  g_return_if_fail (BD_IS_CONSUMER_PAGE (self));

  if (self->last_sync == last_sync)
    return;
  self->last_sync = last_sync;
  if (self->consumer != NULL)
    show_history (self);
}

gint64
bd_consumer_page_get_last_sync (BdConsumerPage *self)
{
  g_return_val_if_fail (BD_IS_CONSUMER_PAGE (self), 0);

  return self->last_sync;
}

BdConsumer *
bd_consumer_page_get_consumer (BdConsumerPage *self)
{
  g_return_val_if_fail (BD_IS_CONSUMER_PAGE (self), NULL);

  return self->consumer;
}

void
bd_consumer_page_reload (BdConsumerPage  *self,
                         BdConsumerStore *store)
{
  g_return_if_fail (BD_IS_CONSUMER_PAGE (self));
  g_return_if_fail (store == NULL || BD_IS_CONSUMER_STORE (store));

  if (store == NULL || self->consumer == NULL)
    return;

  bd_complaints_panel_reload (self->complaints_panel);
  g_cancellable_cancel (self->reload_cancellable);
  g_clear_object (&self->reload_cancellable);
  self->reload_cancellable = g_cancellable_new ();
  bd_consumer_store_lookup_async (store, bd_consumer_get_account (self->consumer), self->reload_cancellable,
                                  on_reloaded_cb, g_object_ref (self));
}

gboolean
bd_consumer_page_file_complaint (BdConsumerPage *self,
                                 const char     *contact_hint)
{
  g_return_val_if_fail (BD_IS_CONSUMER_PAGE (self), FALSE);

  if (self->consumer == NULL)
    return FALSE;
  adw_view_stack_set_visible_child_name (self->view_stack, "complaints");
  return bd_complaints_panel_file (self->complaints_panel, contact_hint);
}

void
bd_consumer_page_copy_account (BdConsumerPage *self)
{
  g_return_if_fail (BD_IS_CONSUMER_PAGE (self));

  if (self->consumer == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)),
                          bd_consumer_get_account (self->consumer));
  show_toast (self, _("Account number copied"));
}

void
bd_consumer_page_print_summary (BdConsumerPage *self,
                                const char     *zone_name)
{
  GtkPrintOperation *operation;
  GtkRoot *root;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (BD_IS_CONSUMER_PAGE (self));

  if (self->consumer == NULL)
    return;

  operation = bd_consumer_summary_new_print_operation (self->consumer, zone_name,
                                                       g_get_real_time () / G_USEC_PER_SEC);
  if (self->print_settings != NULL)
    gtk_print_operation_set_print_settings (operation, self->print_settings);
  /* The dialog must not block the main loop: searches and sync go on. */
  gtk_print_operation_set_allow_async (operation, TRUE);
  g_signal_connect (operation, "done", G_CALLBACK (on_print_done_cb), g_object_ref (self));

  root = gtk_widget_get_root (GTK_WIDGET (self));
  gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                           GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, &error);
}
