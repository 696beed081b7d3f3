/* test-registration.c: the indexing dialog and the registration assistant
 * under Xvfb.
 *
 * The indexing dialog must refuse an invalid Aadhaar or PAN with the
 * validator's own message under the field and keep Save off; a valid
 * Aadhaar must leave nothing but XXXX-XXXX-1234 on screen and only the
 * last four digits, salt and hash in the record, the store and the
 * queued request; unsaved changes must be confirmed before they are
 * dropped. The assistant must say that it needs the server when there is
 * none, and, against a real bijli-central (argv[1]), step forward and back
 * through account, identity, mobile and code, with a wrong code refused
 * and the number of tries left, and ask before it is cancelled once a
 * code was sent.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <sys/wait.h>

#include <gtk/gtk.h>
#include <glib/gstdio.h>

#include "bijli-desk-resources.h"
#include "core/bd-codec.h"
#include "core/bd-validate.h"
#include "bd-application.h"
#include "bd-consumer-page.h"
#include "bd-field-error.h"
#include "bd-indexing-dialog.h"
#include "bd-registration-assistant.h"

typedef gboolean (*Condition) (gpointer data);

static const char *central_path;

static gboolean
wait_until (Condition condition,
            gpointer  data,
            guint     timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  return TRUE;
}

static void
spin (guint ms)
{
  for (guint i = 0; i < ms; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
collect_text (GtkWidget *widget,
              GString   *out)
{
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  else if (GTK_IS_EDITABLE (widget))
    g_string_append_printf (out, "%s\n", gtk_editable_get_text (GTK_EDITABLE (widget)));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_text (child, out);
}

static char *
dup_widget_text (GtkWidget *widget)
{
  GString *out = g_string_new (NULL);

  collect_text (widget, out);
  return g_string_free (out, FALSE);
}

static BdConsumer *
make_consumer (const char *account)
{
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  BdConsumer *consumer;

  json = g_strdup_printf ("{\"account\":\"%s\",\"name_en\":\"Asha Verma\",\"name_hi\":\"आशा वर्मा\","
                          "\"relation_en\":\"Ram Lal\",\"relation_hi\":\"राम लाल\","
                          "\"address\":\"12 Hazratganj, Lucknow\",\"mobile\":\"9876543210\","
                          "\"mobile_verified\":false,\"meter_serial\":\"UPS000001\",\"meter_make\":\"Genus\","
                          "\"meter_type\":\"smart\",\"category\":\"LMV-1\",\"sanctioned_load_w\":2000,"
                          "\"phase\":\"single\",\"feeder\":\"F-01\",\"dt\":\"DT-01\",\"pole\":\"P-01\","
                          "\"zone\":\"LKO-C\",\"area_type\":\"urban\",\"supply_status\":\"connected\","
                          "\"balance_paise\":-12345,\"balance_as_of\":\"2026-11-23T10:15:00Z\","
                          "\"version\":1,\"updated_at\":\"2026-11-23T10:15:00Z\"}",
                          account);
  node = bd_json_parse (json, -1, &error);
  g_assert_no_error (error);
  consumer = bd_consumer_from_json (node, &error);
  g_assert_no_error (error);

  return consumer;
}

static BdConsumerStore *
new_store (BdConsumer *consumer)
{
  g_autoptr(BdChangesPage) changes = bd_changes_page_new ();
  g_autoptr(GError) error = NULL;
  BdConsumerStore *store;

  store = bd_consumer_store_open (":memory:", &error);
  g_assert_no_error (error);
  g_ptr_array_add (changes->consumers, g_object_ref (consumer));
  changes->next_cursor = g_strdup ("1");
  g_assert_true (bd_consumer_store_apply_page (store, changes, &error));
  g_assert_no_error (error);

  return store;
}

static BdIndexingDialog *
new_dialog (BdConsumerStore *store,
            BdConsumer      *consumer)
{
  BdIndexingDialog *dialog = bd_indexing_dialog_new (NULL, store, NULL, consumer, NULL, "operator");

  gtk_window_present (GTK_WINDOW (dialog));
  spin (20);
  return dialog;
}

static void
type_into (BdIndexingDialog *dialog,
           const char       *field,
           const char       *text)
{
  gtk_editable_set_text (GTK_EDITABLE (bd_indexing_dialog_get_row (dialog, field)), text);
}

static GtkWidget *
save_button (BdIndexingDialog *dialog)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog), BD_TYPE_INDEXING_DIALOG, "save_button"));
}

static void
assert_refused (BdIndexingDialog *dialog,
                const char       *field,
                const char       *text,
                char           *(*normalize) (const char *, GError **))
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;
  const char *message;

  type_into (dialog, field, text);
  normalized = normalize (text, &error);
  g_assert_null (normalized);
  g_assert_nonnull (error);

  message = bd_indexing_dialog_get_error (dialog, field);
  g_assert_nonnull (message);
  /* The validator's own, specific message, under the field. */
  g_assert_nonnull (strstr (message, error->message));
  g_assert_false (bd_indexing_dialog_can_save (dialog));
  g_assert_false (gtk_widget_get_sensitive (save_button (dialog)));
}

/* A 12-digit Aadhaar ending in 1234 with a valid Verhoeff check digit. */
static char *
valid_aadhaar_ending_1234 (void)
{
  for (guint prefix = 23456780; prefix < 23466780; prefix++)
    {
      g_autofree char *candidate = g_strdup_printf ("%u1234", prefix);

      if (bd_verhoeff_check (candidate))
        return g_steal_pointer (&candidate);
    }
  g_assert_not_reached ();
}

static void
test_indexing_rejects_invalid (void)
{
  g_autoptr(BdConsumer) consumer = make_consumer ("1000000001");
  g_autoptr(BdConsumerStore) store = new_store (consumer);
  BdIndexingDialog *dialog = new_dialog (store, consumer);
  g_autofree char *wrong_check = NULL;
  g_autofree char *valid = valid_aadhaar_ending_1234 ();

  /* Nothing changed yet: nothing to save. */
  g_assert_false (bd_indexing_dialog_can_save (dialog));
  g_assert_false (gtk_widget_get_sensitive (save_button (dialog)));

  assert_refused (dialog, "aadhaar", "123456789012", bd_aadhaar_normalize);   /* starts with 1 */
  wrong_check = g_strdup (valid);
  wrong_check[11] = wrong_check[11] == '9' ? '0' : wrong_check[11] + 1;
  assert_refused (dialog, "aadhaar", wrong_check, bd_aadhaar_normalize);     /* Verhoeff */
  g_assert_null (strstr (bd_indexing_dialog_get_error (dialog, "aadhaar"), "XXXX"));

  /* An incomplete number says how many digits are missing. */
  type_into (dialog, "aadhaar", "2345 6789");
  g_assert_nonnull (strstr (bd_indexing_dialog_get_error (dialog, "aadhaar"), "12 digits"));
  g_assert_false (gtk_widget_get_sensitive (save_button (dialog)));

  assert_refused (dialog, "pan", "ABCDE12345", bd_pan_normalize);
  assert_refused (dialog, "pan", "ABCXE1234F", bd_pan_normalize);          /* 4th letter not a holder type */
  assert_refused (dialog, "voter_id", "AB1234567", bd_voter_id_normalize);
  assert_refused (dialog, "email", "asha@", bd_email_normalize);

  /* A good PAN does not make Save possible while another field is wrong. */
  type_into (dialog, "pan", "abcpe1234f");
  g_assert_null (bd_indexing_dialog_get_error (dialog, "pan"));
  g_assert_cmpstr (bd_indexing_get_pan (bd_indexing_dialog_get_edited (dialog)), ==, "ABCPE1234F");
  g_assert_false (gtk_widget_get_sensitive (save_button (dialog)));

  type_into (dialog, "voter_id", "");
  type_into (dialog, "email", "asha@example.in");
  g_assert_false (gtk_widget_get_sensitive (save_button (dialog)));
  type_into (dialog, "aadhaar", "");
  g_assert_null (bd_indexing_dialog_get_error (dialog, "aadhaar"));
  g_assert_true (bd_indexing_dialog_can_save (dialog));
  g_assert_true (gtk_widget_get_sensitive (save_button (dialog)));

  /* Cancel with changes asks first and leaves the dialog open. */
  g_assert_false (bd_indexing_dialog_cancel (dialog));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));

  gtk_window_destroy (GTK_WINDOW (dialog));
  spin (20);
}

typedef struct {
  BdIndexingDialog *dialog;
  gint64            seq;
} SaveWait;

static gboolean
can_save (gpointer data)
{
  return bd_indexing_dialog_can_save (data);
}

static gboolean
saved (gpointer data)
{
  return ((SaveWait *) data)->seq > 0;
}

static void
on_saved (BdIndexingDialog *dialog,
          gint64            seq,
          SaveWait         *wait)
{
  wait->seq = seq;
}

static void
test_indexing_masks_aadhaar (void)
{
  g_autoptr(BdConsumer) consumer = make_consumer ("1000000002");
  g_autoptr(BdConsumerStore) store = new_store (consumer);
  BdIndexingDialog *dialog = new_dialog (store, consumer);
  g_autofree char *valid = valid_aadhaar_ending_1234 ();
  g_autofree char *spaced = g_strdup_printf ("%.4s %.4s %.4s", valid, valid + 4, valid + 8);
  g_autofree char *text = NULL;
  g_autoptr(BdIndexing) stored = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;
  BdIndexing *edited;
  SaveWait wait = { dialog, 0 };

  type_into (dialog, "aadhaar", spaced);
  /* At once, before the hash is ready: only the masked form is on screen. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (bd_indexing_dialog_get_row (dialog, "aadhaar"))),
                   ==, "XXXX-XXXX-1234");
  g_assert_null (bd_indexing_dialog_get_error (dialog, "aadhaar"));
  text = dup_widget_text (GTK_WIDGET (dialog));
  g_assert_null (strstr (text, valid));
  g_assert_null (strstr (text, spaced));

  g_assert_true (wait_until (can_save, dialog, 20000));
  edited = bd_indexing_dialog_get_edited (dialog);
  g_assert_cmpstr (bd_indexing_get_aadhaar_last4 (edited), ==, "1234");
  g_assert_cmpuint (strlen (bd_indexing_get_aadhaar_salt (edited)), ==, 32);
  g_assert_cmpuint (strlen (bd_indexing_get_aadhaar_hash (edited)), ==, 64);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (bd_indexing_dialog_get_row (dialog, "aadhaar"))),
                   ==, "XXXX-XXXX-1234");

  /* Save: stored on the desk and queued, never the full number. */
  g_signal_connect (dialog, "saved", G_CALLBACK (on_saved), &wait);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &wait.dialog);
  bd_indexing_dialog_save (dialog);
  g_assert_true (wait_until (saved, &wait, 20000));
  spin (20);
  g_assert_null (wait.dialog);   /* it closed itself */

  stored = bd_consumer_store_load_indexing (store, "1000000002", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bd_indexing_get_aadhaar_last4 (stored), ==, "1234");
  pending = bd_consumer_store_outbox_pending (store, "1000000002", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 1);
  {
    BdOutboxItem *item = g_ptr_array_index (pending, 0);

    g_assert_cmpint (item->seq, ==, wait.seq);
    g_assert_cmpint (item->state, ==, BD_OUTBOX_STATE_QUEUED);
    g_assert_nonnull (strstr (item->body, "\"aadhaar\""));
    g_assert_nonnull (strstr (item->body, "1234"));
    g_assert_null (strstr (item->body, valid));
  }

  /* Opened again, the form shows the masked number and nothing changed. */
  dialog = bd_indexing_dialog_new (NULL, store, NULL, consumer, stored, "operator");
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (bd_indexing_dialog_get_row (dialog, "aadhaar"))),
                   ==, "XXXX-XXXX-1234");
  g_assert_false (bd_indexing_dialog_can_save (dialog));
  /* No changes: Cancel closes without asking. */
  g_assert_true (bd_indexing_dialog_cancel (dialog));
  spin (20);
}

static void
test_indexing_offline_mobile (void)
{
  g_autoptr(BdConsumer) consumer = make_consumer ("1000000003");
  g_autoptr(BdConsumerStore) store = new_store (consumer);
  BdIndexingDialog *dialog = new_dialog (store, consumer);
  GtkWidget *verify = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog), BD_TYPE_INDEXING_DIALOG,
                                                                  "verify_mobile_button"));
  g_autofree char *text = dup_widget_text (GTK_WIDGET (dialog));

  /* Masked mobile only; without a server the OTP buttons say why they are off. */
  g_assert_nonnull (strstr (text, "98XXXXXX10"));
  g_assert_null (strstr (text, "9876543210"));
  g_assert_nonnull (strstr (text, "Sending an OTP needs a connection to the server."));
  g_assert_true (gtk_widget_get_visible (verify));
  g_assert_false (gtk_widget_get_sensitive (verify));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (verify), ==, "Sending an OTP needs a connection to the server.");

  gtk_window_destroy (GTK_WINDOW (dialog));
  spin (20);
}

static GtkWidget *
template_child (gpointer    assistant,
                const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (assistant), BD_TYPE_REGISTRATION_ASSISTANT, name));
}

static void
click (gpointer    assistant,
       const char *name)
{
  GtkWidget *button = template_child (assistant, name);

  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static void
test_assistant_offline (void)
{
  g_autoptr(BdConsumer) consumer = make_consumer ("1000000004");
  BdRegistrationAssistant *assistant = bd_registration_assistant_new (NULL, NULL, consumer,
                                                                      BD_OTP_PURPOSE_REGISTRATION);
  GtkWidget *account_row = template_child (assistant, "account_row");

  gtk_window_present (GTK_WINDOW (assistant));
  spin (20);
  g_assert_cmpstr (bd_registration_assistant_get_step (assistant), ==, "account");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (account_row)), ==, "1000000004");
  g_assert_false (gtk_widget_get_sensitive (template_child (assistant, "back_button")));
  g_assert_true (gtk_widget_get_visible (template_child (assistant, "cancel_button")));

  /* A wrong account is refused at the field. */
  gtk_editable_set_text (GTK_EDITABLE (account_row), "12345");
  click (assistant, "next_button");
  g_assert_nonnull (bd_field_error_get (account_row));
  g_assert_cmpstr (bd_registration_assistant_get_step (assistant), ==, "account");

  /* Without a server it cannot go on, and says why. */
  gtk_editable_set_text (GTK_EDITABLE (account_row), "1000000004");
  g_assert_null (bd_field_error_get (account_row));
  click (assistant, "next_button");
  g_assert_cmpstr (bd_registration_assistant_get_step (assistant), ==, "account");
  g_assert_nonnull (bd_registration_assistant_get_message (assistant));
  g_assert_nonnull (strstr (bd_registration_assistant_get_message (assistant), "needs a connection to the server"));

  /* Nothing sent, first step: Cancel closes without asking. */
  g_assert_true (bd_registration_assistant_cancel (assistant));
  spin (20);

  /* The mobile flows start on the identity step. */
  assistant = bd_registration_assistant_new (NULL, NULL, consumer, BD_OTP_PURPOSE_VERIFY_MOBILE);
  gtk_window_present (GTK_WINDOW (assistant));
  g_assert_cmpstr (bd_registration_assistant_get_step (assistant), ==, "identity");
  click (assistant, "next_button");
  g_assert_cmpstr (bd_registration_assistant_get_step (assistant), ==, "identity");
  g_assert_nonnull (strstr (bd_registration_assistant_get_message (assistant), "Sending an OTP needs a connection"));
  gtk_window_destroy (GTK_WINDOW (assistant));
  spin (20);
}

static void
test_page_without_server (void)
{
  GtkWidget *window = gtk_window_new ();
  BdConsumerPage *page = BD_CONSUMER_PAGE (bd_consumer_page_new ());
  g_autoptr(BdConsumer) consumer = make_consumer ("1000000005");
  GtkWidget *register_button;
  GtkWidget *mobile_button;
  GtkWidget *edit_button;
  g_autofree char *text = NULL;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));
  bd_consumer_page_set_consumer (page, consumer);
  spin (20);

  register_button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), BD_TYPE_CONSUMER_PAGE, "register_button"));
  mobile_button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), BD_TYPE_CONSUMER_PAGE, "mobile_action_button"));
  edit_button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), BD_TYPE_CONSUMER_PAGE, "edit_indexing_button"));

  /* Nothing that needs the server can be started, and each says why. */
  g_assert_false (gtk_widget_get_sensitive (register_button));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (register_button), ==, "Registration needs a connection to the server.");
  g_assert_false (gtk_widget_get_sensitive (mobile_button));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (mobile_button), ==, "Sending an OTP needs a connection to the server.");
  g_assert_false (gtk_widget_get_sensitive (edit_button));
  text = dup_widget_text (GTK_WIDGET (page));
  g_assert_nonnull (strstr (text, "Sign in to see whether the consumer uses the app"));
  g_assert_nonnull (strstr (text, "Verify…"));     /* the mobile is not verified */
  g_assert_null (strstr (text, "9876543210"));

  gtk_window_destroy (GTK_WINDOW (window));
  spin (20);
}

/* --- against a real bijli-central ------------------------------------- */

typedef struct {
  GPid        pid;
  GIOChannel *out;
  guint       out_watch;
  char       *url;
  char       *dir;
} Central;

/* The server keeps writing (demo SMS, shutdown); a full pipe would stall it. */
static gboolean
on_central_output (GIOChannel   *channel,
                   GIOCondition  condition,
                   gpointer      user_data)
{
  g_autofree char *line = NULL;

  if (condition & (G_IO_HUP | G_IO_ERR))
    return G_SOURCE_REMOVE;
  if (g_io_channel_read_line (channel, &line, NULL, NULL, NULL) == G_IO_STATUS_EOF)
    return G_SOURCE_REMOVE;

  return G_SOURCE_CONTINUE;
}

static void
start_central (Central *central)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  int out_fd = -1;

  central->dir = g_dir_make_tmp ("bd-test-registration-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (central->dir, "central.db", NULL);
  {
    const char *argv[] = { central_path, "--demo", "--consumers", "200", "--port", "0", "--db", db, NULL };

    g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &central->pid,
                              NULL, &out_fd, NULL, &error);
    g_assert_no_error (error);
  }
  /* Kept open to the end: the server goes on printing after this line. */
  central->out = g_io_channel_unix_new (out_fd);
  g_io_channel_set_close_on_unref (central->out, TRUE);
  for (;;)
    {
      g_autofree char *line = NULL;

      if (g_io_channel_read_line (central->out, &line, NULL, NULL, &error) != G_IO_STATUS_NORMAL)
        g_error ("bijli-central did not start: %s", error != NULL ? error->message : "end of output");
      if (g_str_has_prefix (line, "Listening on "))
        {
          central->url = g_strstrip (g_strdup (line + strlen ("Listening on ")));
          central->out_watch = g_io_add_watch (central->out, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                               on_central_output, NULL);
          return;
        }
    }
}

static void
stop_central (Central *central)
{
  g_autofree char *db = g_build_filename (central->dir, "central.db", NULL);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);

  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  kill (central->pid, SIGTERM);
  while (waitpid (central->pid, NULL, WNOHANG) == 0)
    {
      if (g_get_monotonic_time () > deadline)
        {
          kill (central->pid, SIGKILL);
          waitpid (central->pid, NULL, 0);
          break;
        }
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  g_spawn_close_pid (central->pid);
  g_clear_handle_id (&central->out_watch, g_source_remove);
  g_io_channel_unref (central->out);
  g_unlink (db);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (central->dir);
  g_free (central->dir);
  g_free (central->url);
}

typedef struct {
  GObject *result;
  gboolean done;
} Async;

static void
on_async_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Async *async = user_data;

  async->result = g_object_ref (G_OBJECT (result));
  async->done = TRUE;
}

static gboolean
async_done (gpointer data)
{
  return ((Async *) data)->done;
}

static BdConsumer *
consumer_with_mobile (BdClient *client)
{
  g_autoptr(BdChangesPage) page = NULL;
  g_autoptr(GError) error = NULL;
  Async async = { NULL, FALSE };

  bd_client_fetch_changes_async (client, NULL, 200, NULL, on_async_done, &async);
  g_assert_true (wait_until (async_done, &async, 20000));
  page = bd_client_fetch_changes_finish (client, G_ASYNC_RESULT (async.result), &error);
  g_clear_object (&async.result);
  g_assert_no_error (error);

  for (guint i = 0; i < page->consumers->len; i++)
    {
      BdConsumer *c = g_ptr_array_index (page->consumers, i);

      if (bd_consumer_get_mobile (c) != NULL)
        return g_object_ref (c);
    }
  g_assert_not_reached ();
}

static gboolean
step_is (gpointer data)
{
  BdRegistrationAssistant *assistant = g_object_get_data (G_OBJECT (data), "assistant");
  const char *step = g_object_get_data (G_OBJECT (data), "step");

  return g_strcmp0 (bd_registration_assistant_get_step (assistant), step) == 0 &&
         gtk_widget_get_sensitive (template_child (assistant, "next_button"));
}

static void
wait_for_step (BdRegistrationAssistant *assistant,
               const char              *step)
{
  g_object_set_data (G_OBJECT (assistant), "assistant", assistant);
  g_object_set_data_full (G_OBJECT (assistant), "step", g_strdup (step), g_free);
  if (!wait_until (step_is, assistant, 20000))
    g_error ("the assistant stayed on “%s” (message: %s) instead of reaching “%s”",
             bd_registration_assistant_get_step (assistant),
             bd_registration_assistant_get_message (assistant), step);
}

static gboolean
has_field_error (gpointer data)
{
  return bd_field_error_get (data) != NULL;
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }

  return NULL;
}

static void
test_assistant_steps (void)
{
  Central central = { 0 };
  g_autoptr(BdClient) client = NULL;
  g_autoptr(BdConsumer) consumer = NULL;
  g_autoptr(BdSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *masked = NULL;
  g_autofree char *text = NULL;
  BdRegistrationAssistant *assistant;
  AdwMessageDialog *confirm;
  GtkWidget *code_row;
  Async async = { NULL, FALSE };

  if (central_path == NULL)
    {
      g_test_skip ("needs bijli-central as the first argument");
      return;
    }

  start_central (&central);
  client = bd_client_new (central.url, &error);
  g_assert_no_error (error);
  bd_client_sign_in_async (client, "operator", "bijli-operator", NULL, on_async_done, &async);
  g_assert_true (wait_until (async_done, &async, 20000));
  session = bd_client_sign_in_finish (client, G_ASYNC_RESULT (async.result), &error);
  g_clear_object (&async.result);
  g_assert_no_error (error);
  bd_client_set_session (client, session);
  consumer = consumer_with_mobile (client);
  masked = bd_mobile_mask (bd_consumer_get_mobile (consumer));

  assistant = bd_registration_assistant_new (NULL, client, consumer, BD_OTP_PURPOSE_REGISTRATION);
  gtk_window_present (GTK_WINDOW (assistant));
  g_object_add_weak_pointer (G_OBJECT (assistant), (gpointer *) &assistant);

  /* Account → identity: the server's copy, masked mobile only. */
  click (assistant, "next_button");
  wait_for_step (assistant, "identity");
  g_assert_true (gtk_widget_get_sensitive (template_child (assistant, "back_button")));
  text = dup_widget_text (GTK_WIDGET (assistant));
  g_assert_nonnull (strstr (text, bd_consumer_get_display_name (consumer, FALSE)));
  g_assert_nonnull (strstr (text, masked));
  g_assert_null (strstr (text, bd_consumer_get_mobile (consumer)));

  /* Forward to the mobile, back twice to the account, forward again. */
  click (assistant, "next_button");
  wait_for_step (assistant, "mobile");
  click (assistant, "back_button");
  wait_for_step (assistant, "identity");
  click (assistant, "back_button");
  wait_for_step (assistant, "account");
  g_assert_false (gtk_widget_get_sensitive (template_child (assistant, "back_button")));
  click (assistant, "next_button");
  wait_for_step (assistant, "identity");
  click (assistant, "next_button");
  wait_for_step (assistant, "mobile");

  /* A bad new number is refused at the field, without a request. */
  gtk_check_button_set_active (GTK_CHECK_BUTTON (template_child (assistant, "new_mobile_check")), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (template_child (assistant, "new_mobile_row")), "12345");
  click (assistant, "next_button");
  g_assert_nonnull (bd_field_error_get (template_child (assistant, "new_mobile_row")));
  g_assert_cmpstr (bd_registration_assistant_get_step (assistant), ==, "mobile");

  /* The registered mobile: a code is sent and the code step counts down. */
  gtk_check_button_set_active (GTK_CHECK_BUTTON (template_child (assistant, "registered_mobile_check")), TRUE);
  click (assistant, "next_button");
  code_row = template_child (assistant, "code_row");
  g_assert_true (wait_until ((Condition) gtk_widget_get_mapped, code_row, 20000));
  g_assert_cmpstr (bd_registration_assistant_get_step (assistant), ==, "otp");
  g_free (text);
  text = dup_widget_text (GTK_WIDGET (assistant));
  g_assert_nonnull (strstr (text, masked));
  g_assert_nonnull (strstr (text, "valid until"));
  g_assert_nonnull (strstr (text, "IST"));
  g_assert_nonnull (strstr (text, "Resend in"));
  g_assert_false (gtk_widget_get_sensitive (template_child (assistant, "resend_button")));

  /* A wrong code is refused with the tries left. */
  gtk_editable_set_text (GTK_EDITABLE (code_row), "000000");
  click (assistant, "next_button");
  g_assert_true (wait_until (has_field_error, code_row, 20000));
  g_test_message ("wrong code: %s", bd_field_error_get (code_row));
  g_assert_nonnull (strstr (bd_field_error_get (code_row), "Wrong code"));
  g_assert_nonnull (strstr (bd_field_error_get (code_row), "4 more tries"));

  /* Back to the mobile step; Cancel now asks first. */
  click (assistant, "back_button");
  wait_for_step (assistant, "mobile");
  g_assert_false (bd_registration_assistant_cancel (assistant));
  confirm = find_message_dialog ();
  g_assert_nonnull (confirm);
  g_assert_nonnull (assistant);
  adw_message_dialog_response (confirm, "continue");
  spin (50);
  g_assert_nonnull (assistant);
  g_assert_false (bd_registration_assistant_cancel (assistant));
  confirm = find_message_dialog ();
  g_assert_nonnull (confirm);
  adw_message_dialog_response (confirm, "stop");
  spin (50);
  g_assert_null (assistant);

  stop_central (&central);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  bd_register_resource ();
  g_type_ensure (BD_TYPE_INDEXING_DIALOG);

  /* GTK 4.8 warns from an entry's cursor blink when a modal dialog takes
   * its window's focus under Xvfb (no window manager), and tests make
   * warnings fatal. Blinking is not what is tested here. */
  g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);
  central_path = argc > 1 ? argv[1] : NULL;

  g_test_add_func ("/ui/indexing/rejects-invalid", test_indexing_rejects_invalid);
  g_test_add_func ("/ui/indexing/masks-aadhaar", test_indexing_masks_aadhaar);
  g_test_add_func ("/ui/indexing/offline-mobile", test_indexing_offline_mobile);
  g_test_add_func ("/ui/registration/offline", test_assistant_offline);
  g_test_add_func ("/ui/registration/page-without-server", test_page_without_server);
  g_test_add_func ("/ui/registration/steps", test_assistant_steps);

  status = g_test_run ();

  return status;
}
