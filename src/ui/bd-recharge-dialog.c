/* bd-recharge-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "core/bd-money.h"
#include "core/bd-recharge.h"
#include "core/bd-time.h"
#include "core/bd-validate.h"

#include "bd-complaint-format.h"
#include "bd-field-error.h"
#include "bd-recharge-dialog.h"
#include "bd-recharge-format.h"

static const gint64 quick_amounts[] = { 10000, 50000, 100000 };

struct _BdRechargeDialog
{
  AdwWindow         parent_instance;

  BdConsumerStore  *store;
  BdPushWorker     *worker;
  BdSession        *session;
  BdConsumer       *consumer;
  BdBalance        *balance;
  BdStoredRecharge *taken;
  GCancellable     *cancellable;
  gulong            item_changed_id;
  gboolean          busy;

  GtkStack         *stack;
  GtkToggleButton  *quick_buttons[G_N_ELEMENTS (quick_amounts)];
  AdwEntryRow      *amount_row;
  GtkToggleButton  *mode_buttons[3];
  GtkWidget        *upi_box;
  GtkPicture       *qr_picture;
  GtkLabel         *qr_caption;
  AdwEntryRow      *utr_row;
  AdwEntryRow      *approval_row;
  GtkWidget        *approval_list;
  GtkButton        *take_button;
  AdwStatusPage    *result_page;
  GtkButton        *print_button;
  AdwToastOverlay  *toast_overlay;
};

G_DEFINE_FINAL_TYPE (BdRechargeDialog, bd_recharge_dialog, ADW_TYPE_WINDOW)

enum {
  RECHARGE_TAKEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static BdPaymentMode
selected_mode (BdRechargeDialog *self)
{
  if (gtk_toggle_button_get_active (self->mode_buttons[BD_PAYMENT_UPI]))
    return BD_PAYMENT_UPI;
  if (gtk_toggle_button_get_active (self->mode_buttons[BD_PAYMENT_CARD]))
    return BD_PAYMENT_CARD;
  return BD_PAYMENT_CASH;
}

/* The amount chosen, or -1 with the reason under the amount row. */
static gint64
chosen_amount (BdRechargeDialog  *self,
               gboolean           report)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->amount_row));
  g_autoptr(GError) error = NULL;
  gint64 paise = -1;

  for (guint i = 0; i < G_N_ELEMENTS (quick_amounts); i++)
    if (gtk_toggle_button_get_active (self->quick_buttons[i]))
      return quick_amounts[i];
  if (text == NULL || *text == '\0')
    {
      if (report)
        bd_field_error_set (GTK_WIDGET (self->amount_row), _("Choose an amount or type one."));
      return -1;
    }
  if (!bd_rupees_parse (text, &paise, &error) || !bd_recharge_amount_check (paise, &error))
    {
      if (report)
        bd_field_error_set (GTK_WIDGET (self->amount_row), error->message);
      return -1;
    }
  if (report)
    bd_field_error_set (GTK_WIDGET (self->amount_row), NULL);
  return paise;
}

/* A button made by bd_mnemonic_button_new() with a new label, read out
 * without the underscore. */
static void
set_button_label (GtkButton  *button,
                  const char *label)
{
  g_autoptr(GString) plain = g_string_new (NULL);

  gtk_label_set_text_with_mnemonic (GTK_LABEL (gtk_button_get_child (button)), label);
  for (const char *p = label; *p != '\0'; p++)
    if (*p != '_')
      g_string_append_c (plain, *p);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, plain->str, -1);
}

static void
update_form (BdRechargeDialog *self)
{
  BdPaymentMode mode;
  gint64 amount;
  g_autofree char *label = NULL;

  /* Toggles fire while the form is still being built. */
  if (self->take_button == NULL)
    return;
  mode = selected_mode (self);
  amount = chosen_amount (self, FALSE);
  gtk_widget_set_visible (self->upi_box, mode == BD_PAYMENT_UPI);
  gtk_widget_set_visible (self->approval_list, mode == BD_PAYMENT_CARD);
  if (amount > 0)
    {
      g_autofree char *money = bd_format_paise (amount);

      /* Translators: the button that takes the money, e.g. "Take ₹500.00" */
      label = g_strdup_printf (_("_Take %s"), money);
    }
  else
    label = g_strdup (_("_Take Recharge"));
  set_button_label (self->take_button, label);
  gtk_widget_set_sensitive (GTK_WIDGET (self->take_button), !self->busy && amount > 0);

  if (mode == BD_PAYMENT_UPI)
    {
      g_autoptr(GdkTexture) texture = NULL;
      g_autofree char *uri = NULL;
      g_autofree char *note = NULL;
      g_autofree char *money = NULL;
      g_autofree char *caption = NULL;

      if (amount <= 0)
        {
          gtk_picture_set_paintable (self->qr_picture, NULL);
          gtk_label_set_text (self->qr_caption, _("Choose the amount first: the code carries it."));
          return;
        }
      /* Translators: the note the consumer's UPI app shows with the payment. */
      note = g_strdup_printf (_("Electricity recharge %s"), bd_consumer_get_account (self->consumer));
      uri = bd_upi_payment_uri (BD_UPI_PAYEE_VPA, BD_UPI_PAYEE_NAME, amount, NULL, note);
      texture = bd_qr_texture_new (uri, 6);
      gtk_picture_set_paintable (self->qr_picture, GDK_PAINTABLE (texture));
      money = bd_format_paise (amount);
      /* Translators: under the QR code; %s is the amount and %s the payee. */
      caption = g_strdup_printf (_("Ask the consumer to scan this with any UPI app and pay %s to %s, then type the 12-digit UTR their app shows."),
                                 money, BD_UPI_PAYEE_VPA);
      gtk_label_set_text (self->qr_caption, caption);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->qr_picture),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, uri, -1);
    }
}

static void
on_quick_toggled_cb (GtkToggleButton  *button,
                     BdRechargeDialog *self)
{
  if (gtk_toggle_button_get_active (button))
    {
      /* A quick amount replaces whatever was typed. */
      gtk_editable_set_text (GTK_EDITABLE (self->amount_row), "");
      bd_field_error_set (GTK_WIDGET (self->amount_row), NULL);
    }
  update_form (self);
}

static void
on_amount_changed_cb (GtkEditable      *editable,
                      BdRechargeDialog *self)
{
  const char *text = gtk_editable_get_text (editable);

  if (text != NULL && *text != '\0')
    for (guint i = 0; i < G_N_ELEMENTS (quick_amounts); i++)
      gtk_toggle_button_set_active (self->quick_buttons[i], FALSE);
  bd_field_error_set (GTK_WIDGET (self->amount_row), NULL);
  update_form (self);
}

static void
on_mode_toggled_cb (GtkToggleButton  *button,
                    BdRechargeDialog *self)
{
  update_form (self);
}

/* ---- the answer ------------------------------------------------------ */

static void
show_taken (BdRechargeDialog *self)
{
  const BdRecharge *r = self->taken->recharge;
  g_autofree char *paid = bd_recharge_describe (r);
  g_autofree char *description = NULL;

  if (r->receipt != NULL)
    {
      g_autofree char *after = bd_format_paise (r->balance_after_paise);

      adw_status_page_set_icon_name (self->result_page, "emblem-ok-symbolic");
      adw_status_page_set_title (self->result_page, _("Recharge Credited"));
      /* Translators: "₹500.00 in cash. Receipt RC-…. New balance ₹1,234.00." */
      description = g_strdup_printf (_("%s. Receipt %s. New balance %s.%s"), paid, r->receipt, after,
                                     r->reconnected ? _(" The supply has been reconnected.") : "");
      gtk_widget_set_sensitive (GTK_WIDGET (self->print_button), TRUE);
    }
  else if (self->taken->outbox_state == BD_OUTBOX_STATE_REJECTED)
    {
      adw_status_page_set_icon_name (self->result_page, "dialog-error-symbolic");
      adw_status_page_set_title (self->result_page, _("Recharge Refused"));
      /* Translators: %s the payment, %s the server's reason. */
      description = g_strdup_printf (_("The server refused %s: %s It was not credited; return the money or take it again correctly."),
                                     paid, self->taken->last_error != NULL ? self->taken->last_error : "");
      gtk_widget_set_sensitive (GTK_WIDGET (self->print_button), FALSE);
    }
  else
    {
      adw_status_page_set_icon_name (self->result_page, "document-send-symbolic");
      adw_status_page_set_title (self->result_page, _("Recharge Pending"));
      /* Translators: %s is the payment. */
      description = g_strdup_printf (_("%s is saved on this desk and will be sent to the server as soon as it can be reached. It is not credited yet: do not take the money again. The receipt number comes with the server's answer."),
                                     paid);
      gtk_widget_set_sensitive (GTK_WIDGET (self->print_button), FALSE);
    }
  adw_status_page_set_description (self->result_page, description);
  gtk_stack_set_visible_child_name (self->stack, "result");
}

static void
reload_taken (BdRechargeDialog *self)
{
  g_autoptr(GError) error = NULL;
  BdStoredRecharge *fresh = bd_consumer_store_load_recharge (self->store, self->taken->recharge->local_id, &error);

  if (fresh == NULL)
    {
      g_warning ("Cannot read the recharge back: %s", error->message);
      return;
    }
  bd_stored_recharge_free (self->taken);
  self->taken = fresh;
  show_taken (self);
}

static void
on_item_changed_cb (BdPushWorker     *worker,
                    gint64            seq,
                    BdOutboxState     state,
                    BdRechargeDialog *self)
{
  if (self->taken == NULL || seq != self->taken->outbox_seq)
    return;
  reload_taken (self);
}

typedef struct {
  BdConsumerStore *store;
  BdRecharge      *request;
  char            *username;
} Take;

static void
take_free (Take *take)
{
  g_clear_object (&take->store);
  bd_recharge_free (take->request);
  g_free (take->username);
  g_free (take);
}

static void
take_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Take *take = task_data;
  g_autoptr(GError) error = NULL;
  BdStoredRecharge *stored;

  stored = bd_consumer_store_take_recharge (take->store, take->request, take->username,
                                            g_get_real_time () / G_USEC_PER_SEC, &error);
  if (stored == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, stored, (GDestroyNotify) bd_stored_recharge_free);
}

static void
on_taken_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  BdRechargeDialog *self = user_data;
  g_autoptr(GError) error = NULL;
  BdStoredRecharge *stored = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->busy = FALSE;
  if (stored == NULL)
    {
      /* Nothing was saved: the operator can try again. */
      g_autofree char *message = g_strdup_printf (_("The recharge was not saved: %s"), error->message);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      update_form (self);
      return;
    }
  self->taken = stored;
  g_signal_emit (self, signals[RECHARGE_TAKEN], 0, stored);
  show_taken (self);
  if (self->worker != NULL)
    bd_push_worker_kick (self->worker);
}

static void
take (BdRechargeDialog *self,
      gint64            amount,
      BdPaymentMode     mode,
      const char       *reference)
{
  g_autoptr(GTask) task = NULL;
  Take *data = g_new0 (Take, 1);

  self->busy = TRUE;
  update_form (self);
  data->store = g_object_ref (self->store);
  data->request = bd_recharge_new (NULL, bd_consumer_get_account (self->consumer));
  data->request->amount_paise = amount;
  data->request->mode = mode;
  g_free (data->request->reference);
  data->request->reference = g_strdup (reference);
  data->username = g_strdup (bd_session_get_username (self->session));
  task = g_task_new (NULL, self->cancellable, on_taken_cb, self);
  g_task_set_task_data (task, data, (GDestroyNotify) take_free);
  g_task_run_in_thread (task, take_thread);
}

typedef struct {
  BdRechargeDialog *self;
  gint64            amount;
  BdPaymentMode     mode;
  char             *reference;
} Confirm;

static void
on_confirm_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        Confirm          *confirm)
{
  if (g_strcmp0 (response, "take") == 0)
    take (confirm->self, confirm->amount, confirm->mode, confirm->reference);
  g_object_unref (confirm->self);
  g_free (confirm->reference);
  g_free (confirm);
}

static void
on_take_clicked_cb (GtkButton        *button,
                    BdRechargeDialog *self)
{
  BdPaymentMode mode = selected_mode (self);
  gint64 amount = chosen_amount (self, TRUE);
  g_autofree char *reference = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *money = NULL;
  g_autofree char *body = NULL;
  GtkWidget *row = mode == BD_PAYMENT_UPI ? GTK_WIDGET (self->utr_row) : GTK_WIDGET (self->approval_row);
  GtkWidget *dialog;
  Confirm *confirm;

  if (amount <= 0 || self->busy)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->amount_row));
      return;
    }
  reference = bd_payment_reference_normalize (mode, mode == BD_PAYMENT_CASH ? ""
                                              : gtk_editable_get_text (GTK_EDITABLE (row)), &error);
  if (reference == NULL)
    {
      bd_field_error_set (row, error->message);
      gtk_widget_grab_focus (row);
      return;
    }
  if (mode != BD_PAYMENT_CASH)
    bd_field_error_set (row, NULL);

  money = bd_format_paise (amount);
  switch (mode)
    {
    case BD_PAYMENT_UPI:
      /* Translators: "Credit ₹500.00 paid by UPI (UTR …) to account …?" */
      body = g_strdup_printf (_("Credit %s paid by UPI (UTR %s) to account %s, %s? Check the payment shows as successful in the consumer's app first."),
                              money, reference, bd_consumer_get_account (self->consumer),
                              bd_consumer_get_display_name (self->consumer, FALSE));
      break;
    case BD_PAYMENT_CARD:
      body = g_strdup_printf (_("Credit %s paid by card (approval %s) to account %s, %s?"),
                              money, reference, bd_consumer_get_account (self->consumer),
                              bd_consumer_get_display_name (self->consumer, FALSE));
      break;
    case BD_PAYMENT_CASH:
    default:
      body = g_strdup_printf (_("Credit %s received in cash to account %s, %s?"),
                              money, bd_consumer_get_account (self->consumer),
                              bd_consumer_get_display_name (self->consumer, FALSE));
      break;
    }
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Take This Recharge?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "take", _("_Credit"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "take", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "take");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  confirm = g_new0 (Confirm, 1);
  confirm->self = g_object_ref (self);
  confirm->amount = amount;
  confirm->mode = mode;
  confirm->reference = g_steal_pointer (&reference);
  g_signal_connect (dialog, "response", G_CALLBACK (on_confirm_response_cb), confirm);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_print_clicked_cb (GtkButton        *button,
                     BdRechargeDialog *self)
{
  if (self->taken != NULL)
    bd_recharge_print_receipt (self->taken, bd_consumer_get_display_name (self->consumer, FALSE), GTK_WINDOW (self));
}

static void
on_done_clicked_cb (GtkButton        *button,
                    BdRechargeDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

/* ---- building -------------------------------------------------------- */

static GtkToggleButton *
toggle (const char      *label,
        GtkToggleButton *group)
{
  GtkWidget *button = gtk_toggle_button_new_with_label (label);

  if (group != NULL)
    gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), group);
  gtk_widget_set_hexpand (button, TRUE);
  return GTK_TOGGLE_BUTTON (button);
}

static GtkWidget *
linked_box (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  gtk_widget_add_css_class (box, "linked");
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  return box;
}

static GtkWidget *
heading (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "heading");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  return label;
}

static GtkWidget *
boxed_list (GtkWidget *row)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_widget_add_css_class (list, "boxed-list");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  return list;
}

static void
build (BdRechargeDialog *self)
{
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *form = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *summary = gtk_label_new (NULL);
  GtkWidget *quick = linked_box ();
  GtkWidget *modes = linked_box ();
  GtkWidget *result = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *result_buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *done;
  g_autofree char *title = g_strdup_printf (_("Recharge — %s"), bd_consumer_get_account (self->consumer));
  g_autoptr(GString) text = g_string_new (NULL);
  static const char * const mode_labels[] = { N_("Cash"), N_("UPI"), N_("Card") };

  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_window_set_default_size (GTK_WINDOW (self), 560, 720);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);

  self->toast_overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_box_append (GTK_BOX (content), header);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->toast_overlay));
  adw_toast_overlay_set_child (self->toast_overlay, GTK_WIDGET (self->stack));
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  adw_window_set_content (ADW_WINDOW (self), content);

  /* Who and where they stand. */
  g_string_append_printf (text, "<b>%s</b> · %s", bd_consumer_get_display_name (self->consumer, FALSE),
                          bd_consumer_get_account (self->consumer));
  if (self->balance != NULL)
    {
      g_autofree char *money = bd_format_paise (self->balance->balance_paise);
      g_autofree char *as_of = bd_time_format_ist (self->balance->as_of);

      g_string_append_c (text, '\n');
      /* Translators: "Balance ₹123.45 as of 24-11-2026 15:45 IST" */
      g_string_append_printf (text, _("Balance %s as of %s"), money, as_of != NULL ? as_of : "—");
      if (self->balance->supply == BD_SUPPLY_DISCONNECTED && self->balance->reconnect_minimum_paise > 0)
        {
          g_autofree char *minimum = bd_format_paise (self->balance->reconnect_minimum_paise);

          g_string_append_c (text, '\n');
          /* Translators: %s is the least recharge that reconnects. */
          g_string_append_printf (text, _("The supply is cut: a recharge of at least %s reconnects it."), minimum);
        }
    }
  gtk_label_set_markup (GTK_LABEL (summary), text->str);
  gtk_label_set_xalign (GTK_LABEL (summary), 0);
  gtk_label_set_wrap (GTK_LABEL (summary), TRUE);
  gtk_box_append (GTK_BOX (form), summary);

  gtk_box_append (GTK_BOX (form), heading (_("Amount")));
  for (guint i = 0; i < G_N_ELEMENTS (quick_amounts); i++)
    {
      g_autofree char *money = bd_format_paise (quick_amounts[i]);
      g_autofree char *short_money = g_str_has_suffix (money, ".00") ? g_strndup (money, strlen (money) - 3)
                                                                     : g_strdup (money);

      self->quick_buttons[i] = toggle (short_money, i > 0 ? self->quick_buttons[0] : NULL);
      gtk_box_append (GTK_BOX (quick), GTK_WIDGET (self->quick_buttons[i]));
      g_signal_connect (self->quick_buttons[i], "toggled", G_CALLBACK (on_quick_toggled_cb), self);
    }
  gtk_box_append (GTK_BOX (form), quick);
  self->amount_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->amount_row), _("Other amount in rupees"));
  g_signal_connect (self->amount_row, "changed", G_CALLBACK (on_amount_changed_cb), self);
  gtk_box_append (GTK_BOX (form), boxed_list (GTK_WIDGET (self->amount_row)));

  gtk_box_append (GTK_BOX (form), heading (_("Payment")));
  for (guint i = 0; i < G_N_ELEMENTS (mode_labels); i++)
    {
      self->mode_buttons[i] = toggle (_(mode_labels[i]), i > 0 ? self->mode_buttons[0] : NULL);
      gtk_box_append (GTK_BOX (modes), GTK_WIDGET (self->mode_buttons[i]));
      g_signal_connect (self->mode_buttons[i], "toggled", G_CALLBACK (on_mode_toggled_cb), self);
    }
  gtk_toggle_button_set_active (self->mode_buttons[BD_PAYMENT_CASH], TRUE);
  gtk_box_append (GTK_BOX (form), modes);

  self->upi_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  self->qr_picture = GTK_PICTURE (gtk_picture_new ());
  gtk_picture_set_can_shrink (self->qr_picture, TRUE);
  gtk_picture_set_content_fit (self->qr_picture, GTK_CONTENT_FIT_CONTAIN);
  gtk_widget_set_size_request (GTK_WIDGET (self->qr_picture), 220, 220);
  gtk_widget_set_halign (GTK_WIDGET (self->qr_picture), GTK_ALIGN_CENTER);
  gtk_picture_set_alternative_text (self->qr_picture, _("UPI payment QR code"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->qr_picture), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("UPI payment QR code"), -1);
  self->qr_caption = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->qr_caption, TRUE);
  gtk_label_set_justify (self->qr_caption, GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->qr_caption), "dim-label");
  self->utr_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->utr_row), _("UTR from the consumer's UPI app"));
  gtk_box_append (GTK_BOX (self->upi_box), GTK_WIDGET (self->qr_picture));
  gtk_box_append (GTK_BOX (self->upi_box), GTK_WIDGET (self->qr_caption));
  gtk_box_append (GTK_BOX (self->upi_box), boxed_list (GTK_WIDGET (self->utr_row)));
  gtk_box_append (GTK_BOX (form), self->upi_box);
  self->approval_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->approval_row), _("Approval code on the card slip"));
  self->approval_list = boxed_list (GTK_WIDGET (self->approval_row));
  gtk_box_append (GTK_BOX (form), self->approval_list);

  self->take_button = GTK_BUTTON (bd_mnemonic_button_new (_("_Take Recharge")));
  gtk_widget_add_css_class (GTK_WIDGET (self->take_button), "suggested-action");
  gtk_widget_add_css_class (GTK_WIDGET (self->take_button), "pill");
  gtk_widget_set_halign (GTK_WIDGET (self->take_button), GTK_ALIGN_CENTER);
  g_signal_connect (self->take_button, "clicked", G_CALLBACK (on_take_clicked_cb), self);
  gtk_box_append (GTK_BOX (form), GTK_WIDGET (self->take_button));

  gtk_widget_set_margin_top (form, 18);
  gtk_widget_set_margin_bottom (form, 18);
  gtk_widget_set_margin_start (form, 12);
  gtk_widget_set_margin_end (form, 12);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 520);
  adw_clamp_set_child (ADW_CLAMP (clamp), form);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_stack_add_named (self->stack, scroller, "form");

  self->result_page = ADW_STATUS_PAGE (adw_status_page_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->result_page), TRUE);
  self->print_button = GTK_BUTTON (bd_mnemonic_button_new (_("_Print Receipt…")));
  g_signal_connect (self->print_button, "clicked", G_CALLBACK (on_print_clicked_cb), self);
  done = bd_mnemonic_button_new (_("_Done"));
  gtk_widget_add_css_class (done, "suggested-action");
  g_signal_connect (done, "clicked", G_CALLBACK (on_done_clicked_cb), self);
  gtk_widget_set_halign (result_buttons, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (result_buttons), GTK_WIDGET (self->print_button));
  gtk_box_append (GTK_BOX (result_buttons), done);
  gtk_box_append (GTK_BOX (result), GTK_WIDGET (self->result_page));
  gtk_box_append (GTK_BOX (result), result_buttons);
  gtk_widget_set_margin_bottom (result, 24);
  gtk_stack_add_named (self->stack, result, "result");
  gtk_stack_set_visible_child_name (self->stack, "form");

  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->take_button));
  update_form (self);
}

static void
bd_recharge_dialog_dispose (GObject *object)
{
  BdRechargeDialog *self = BD_RECHARGE_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->worker != NULL && self->item_changed_id != 0)
    g_signal_handler_disconnect (self->worker, self->item_changed_id);
  self->item_changed_id = 0;
  g_clear_object (&self->worker);
  g_clear_object (&self->store);
  g_clear_object (&self->session);
  g_clear_object (&self->consumer);
  g_clear_pointer (&self->balance, bd_balance_free);
  g_clear_pointer (&self->taken, bd_stored_recharge_free);

  G_OBJECT_CLASS (bd_recharge_dialog_parent_class)->dispose (object);
}

static void
bd_recharge_dialog_class_init (BdRechargeDialogClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = bd_recharge_dialog_dispose;

  signals[RECHARGE_TAKEN] =
    g_signal_new ("recharge-taken", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
bd_recharge_dialog_init (BdRechargeDialog *self)
{
  self->cancellable = g_cancellable_new ();
}

BdRechargeDialog *
bd_recharge_dialog_new (GtkWindow       *parent,
                        BdConsumerStore *store,
                        BdPushWorker    *worker,
                        BdSession       *session,
                        BdConsumer      *consumer,
                        const BdBalance *balance)
{
  BdRechargeDialog *self;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (store), NULL);
  g_return_val_if_fail (BD_IS_SESSION (session), NULL);
  g_return_val_if_fail (BD_IS_CONSUMER (consumer), NULL);

  self = g_object_new (BD_TYPE_RECHARGE_DIALOG, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  self->worker = worker != NULL ? g_object_ref (worker) : NULL;
  self->session = g_object_ref (session);
  self->consumer = g_object_ref (consumer);
  self->balance = balance != NULL ? bd_balance_copy (balance) : NULL;
  if (self->worker != NULL)
    self->item_changed_id = g_signal_connect (self->worker, "item-changed", G_CALLBACK (on_item_changed_cb), self);
  build (self);
  return self;
}
