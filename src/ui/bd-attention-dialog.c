/* bd-attention-dialog.c: the changes needing attention, across consumers.
 *
 * A change the server refused (a value it would not take) or applied only
 * in part (a field someone else had changed first) needs a person: the
 * operator reads what happened, opens the consumer to enter it again if it
 * still matters, and marks it as seen. Marking only takes it off this
 * list; the change stays in the consumer's outbox with its reason, so
 * nothing is lost without a trace.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-time.h"

#include "bd-attention-dialog.h"
#include "bd-consumer-format.h"
#include "bd-outbox-format.h"

#define LIST_LIMIT 200

struct _BdAttentionDialog
{
  AdwWindow        parent_instance;

  BdConsumerStore *store;
  char            *username;
  GCancellable    *cancellable;

  GtkStack        *stack;
  GtkListBox      *list;
  GtkLabel        *count_label;
  AdwToastOverlay *toast_overlay;
};

G_DEFINE_FINAL_TYPE (BdAttentionDialog, bd_attention_dialog, ADW_TYPE_WINDOW)

enum {
  OPEN_CONSUMER,
  ACKNOWLEDGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct {
  GPtrArray *items;   /* BdOutboxItem */
  GPtrArray *consumers;   /* BdConsumer or NULL (not in the copy), per item */
} Loaded;

static void
unref_if_set (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

static void
loaded_free (Loaded *loaded)
{
  g_clear_pointer (&loaded->items, g_ptr_array_unref);
  g_clear_pointer (&loaded->consumers, g_ptr_array_unref);
  g_free (loaded);
}

static void reload (BdAttentionDialog *self);

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  BdConsumerStore *store = task_data;
  g_autoptr(GError) error = NULL;
  Loaded *loaded;
  GPtrArray *items;

  items = bd_consumer_store_outbox_attention (store, LIST_LIMIT, &error);
  if (items == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  loaded = g_new0 (Loaded, 1);
  loaded->items = items;
  loaded->consumers = g_ptr_array_new_with_free_func (unref_if_set);
  for (guint i = 0; i < items->len; i++)
    {
      BdOutboxItem *item = g_ptr_array_index (items, i);

      g_ptr_array_add (loaded->consumers,
                       item->account != NULL ? bd_consumer_store_lookup (store, item->account, NULL) : NULL);
    }
  g_task_return_pointer (task, loaded, (GDestroyNotify) loaded_free);
}

static void
on_open_clicked_cb (GtkButton         *button,
                    BdAttentionDialog *self)
{
  const char *account = g_object_get_data (G_OBJECT (button), "account");

  g_signal_emit (self, signals[OPEN_CONSUMER], 0, account);
}

static void
on_seen_clicked_cb (GtkButton         *button,
                    BdAttentionDialog *self)
{
  gint64 seq = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "seq"));
  g_autoptr(GError) error = NULL;

  /* One row in a small table, on the writer connection: well under a frame. */
  if (!bd_consumer_store_outbox_acknowledge (self->store, seq, self->username,
                                             g_get_real_time () / G_USEC_PER_SEC, &error) &&
      !g_error_matches (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND))
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  g_signal_emit (self, signals[ACKNOWLEDGED], 0);
  reload (self);
}

static GtkWidget *
build_row (BdAttentionDialog  *self,
           const BdOutboxItem *item,
           BdConsumer         *consumer)
{
  const char *name = consumer != NULL ? bd_consumer_get_names (consumer, NULL) : NULL;
  g_autofree char *state = bd_outbox_item_describe_state (item);
  g_autofree char *fields = bd_outbox_item_describe_fields (item);
  g_autofree char *when = bd_time_format_ist (item->created_at);
  g_autofree char *title = NULL;
  g_autofree char *what = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *open_label = NULL;
  g_autofree char *seen_label = NULL;
  GtkWidget *row;
  GtkWidget *open;
  GtkWidget *seen;
  GtkWidget *icon;

  if (name != NULL && *name != '\0')
    /* Translators: a consumer's account number, then their name. */
    title = g_strdup_printf (_("%s · %s"), item->account, name);
  else
    title = g_strdup (item->account != NULL ? item->account : bd_outbox_kind_label (item->kind));

  if (fields != NULL)
    /* Translators: a kind of change, then the fields it set, e.g. "Indexing change: Email, PAN". */
    what = g_strdup_printf (_("%s: %s"), bd_outbox_kind_label (item->kind), fields);
  else
    what = g_strdup (bd_outbox_kind_label (item->kind));
  /* Translators: what was changed; what happened to it; who made it and when. */
  subtitle = g_strdup_printf (_("%s\n%s\nMade by %s on %s"), what, state,
                              item->created_by, when != NULL ? when : "");

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);

  icon = gtk_image_new_from_icon_name (item->state == BD_OUTBOX_STATE_CONFLICT ? "dialog-warning-symbolic"
                                                                               : "dialog-error-symbolic");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  bd_outbox_state_to_label (item->state), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  if (item->account != NULL)
    {
      open = gtk_button_new_with_mnemonic (_("_Open"));
      gtk_widget_set_valign (open, GTK_ALIGN_CENTER);
      /* Translators: a button's accessible name; %s is an account number. */
      open_label = g_strdup_printf (_("Open consumer %s"), item->account);
      gtk_accessible_update_property (GTK_ACCESSIBLE (open), GTK_ACCESSIBLE_PROPERTY_LABEL, open_label, -1);
      g_object_set_data_full (G_OBJECT (open), "account", g_strdup (item->account), g_free);
      g_signal_connect (open, "clicked", G_CALLBACK (on_open_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), open);
    }

  seen = gtk_button_new_with_mnemonic (_("Mark as _Seen"));
  gtk_widget_set_valign (seen, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (seen, _("Takes it off this list; it stays in the consumer’s record of changes."));
  /* Translators: a button's accessible name; %s is an account number or a kind of change. */
  seen_label = g_strdup_printf (_("Mark the change for %s as seen"), title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (seen), GTK_ACCESSIBLE_PROPERTY_LABEL, seen_label, -1);
  g_object_set_data (G_OBJECT (seen), "seq", GSIZE_TO_POINTER ((gsize) item->seq));
  g_signal_connect (seen, "clicked", G_CALLBACK (on_seen_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), seen);

  return row;
}

static void
on_loaded_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  BdAttentionDialog *self;
  g_autoptr(GError) error = NULL;
  Loaded *loaded;
  GtkWidget *child;
  g_autofree char *count = NULL;

  loaded = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = BD_ATTENTION_DIALOG (user_data);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  if (loaded == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  for (guint i = 0; i < loaded->items->len; i++)
    gtk_list_box_append (self->list, build_row (self, g_ptr_array_index (loaded->items, i),
                                                g_ptr_array_index (loaded->consumers, i)));

  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "%u change made at this desk was refused or applied only in part by the server.",
                                        "%u changes made at this desk were refused or applied only in part by the server.",
                                        loaded->items->len),
                           loaded->items->len);
  gtk_label_set_text (self->count_label, count);
  gtk_stack_set_visible_child_name (self->stack, loaded->items->len > 0 ? "list" : "empty");
  loaded_free (loaded);
}

static void
reload (BdAttentionDialog *self)
{
  g_autoptr(GTask) task = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  /* The dialog is kept alive by the task only through user_data being
   * checked after cancellation: dispose cancels. */
  task = g_task_new (NULL, self->cancellable, on_loaded_cb, self);
  g_task_set_source_tag (task, reload);
  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  g_task_run_in_thread (task, load_thread);
}

static void
bd_attention_dialog_dispose (GObject *object)
{
  BdAttentionDialog *self = BD_ATTENTION_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (bd_attention_dialog_parent_class)->dispose (object);
}

static void
bd_attention_dialog_finalize (GObject *object)
{
  BdAttentionDialog *self = BD_ATTENTION_DIALOG (object);

  g_free (self->username);

  G_OBJECT_CLASS (bd_attention_dialog_parent_class)->finalize (object);
}

static void
bd_attention_dialog_class_init (BdAttentionDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bd_attention_dialog_dispose;
  object_class->finalize = bd_attention_dialog_finalize;

  signals[OPEN_CONSUMER] = g_signal_new ("open-consumer", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[ACKNOWLEDGED] = g_signal_new ("acknowledged", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
bd_attention_dialog_init (BdAttentionDialog *self)
{
  GtkWidget *toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *empty = adw_status_page_new ();

  gtk_window_set_title (GTK_WINDOW (self), _("Changes Needing Attention"));
  gtk_window_set_default_size (GTK_WINDOW (self), 720, 560);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);

  self->toast_overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  self->stack = GTK_STACK (gtk_stack_new ());
  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  self->count_label = GTK_LABEL (gtk_label_new (NULL));

  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Changes needing attention"), -1);
  gtk_label_set_wrap (self->count_label, TRUE);
  gtk_label_set_xalign (self->count_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->count_label), "dim-label");

  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->count_label));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->list));
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 800);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "emblem-ok-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("Nothing Needs Attention"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("Every change made at this desk was accepted by the server, or has been seen."));

  gtk_stack_add_named (self->stack, scrolled, "list");
  gtk_stack_add_named (self->stack, empty, "empty");
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);

  gtk_box_append (GTK_BOX (toolbar), header);
  gtk_box_append (GTK_BOX (toolbar), GTK_WIDGET (self->stack));
  adw_toast_overlay_set_child (self->toast_overlay, toolbar);
  adw_window_set_content (ADW_WINDOW (self), GTK_WIDGET (self->toast_overlay));
}

BdAttentionDialog *
bd_attention_dialog_new (GtkWindow       *parent,
                         BdConsumerStore *store,
                         const char      *username)
{
  BdAttentionDialog *self;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (store), NULL);
  g_return_val_if_fail (username != NULL, NULL);

  self = g_object_new (BD_TYPE_ATTENTION_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->store = g_object_ref (store);
  self->username = g_strdup (username);
  reload (self);
  return self;
}
