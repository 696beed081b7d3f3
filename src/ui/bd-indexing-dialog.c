/* bd-indexing-dialog.c: the form to record or correct a consumer's indexing.
 *
 * Every field is checked as it is typed, with the same core validators the
 * server runs, and a wrong value gets its specific message right under the
 * field; Save stays off while any field is wrong. A valid value goes into
 * an edited copy of the record at once, so Save only has to diff it
 * against the copy the form started from and hand the changes to the
 * store, which keeps them and queues them for the server in one
 * transaction (the push worker sends them).
 *
 * An Aadhaar number is replaced by XXXX-XXXX-1234 on screen the moment
 * it is complete and valid; a worker thread derives its salted hash and
 * the string holding the digits is wiped. Only the last four digits, the
 * salt and the hash ever reach the record.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-kdf.h"
#include "core/bd-validate.h"

#include "bd-consumer-format.h"
#include "bd-field-error.h"
#include "bd-indexing-dialog.h"
#include "bd-registration-assistant.h"

struct _BdIndexingDialog
{
  AdwWindow         parent_instance;

  BdConsumerStore  *store;
  BdClient         *client;
  BdConsumer       *consumer;
  BdIndexing       *before;       /* the copy the form started from */
  BdIndexing       *edited;       /* before, with every valid edit */
  char             *username;
  GHashTable       *invalid;      /* field names whose text is not valid */
  GCancellable     *cancellable;
  guint             aadhaar_generation;
  guint             n_protecting;
  gboolean          filling;      /* text set by the dialog, not typed */
  gboolean          saving;
  gboolean          confirmed_close;
  AdwMessageDialog *confirm_dialog;

  AdwToastOverlay  *toast_overlay;
  AdwWindowTitle   *window_title;
  GtkButton        *save_button;
  GtkSpinner       *spinner;
  AdwPreferencesGroup *contact_group;
  AdwActionRow     *mobile_row;
  GtkLabel         *mobile_tag;
  GtkButton        *verify_mobile_button;
  GtkButton        *change_mobile_button;
  AdwEntryRow      *alternate_phone_row;
  AdwEntryRow      *email_row;
  AdwEntryRow      *aadhaar_row;
  AdwEntryRow      *pan_row;
  AdwEntryRow      *voter_id_row;
  AdwEntryRow      *driving_licence_row;
  AdwEntryRow      *meter_make_row;
  AdwEntryRow      *meter_model_row;
  AdwEntryRow      *meter_serial_row;
  AdwEntryRow      *meter_year_row;
  AdwEntryRow      *meter_rating_row;
  AdwEntryRow      *seal_numbers_row;
  AdwEntryRow      *installed_on_row;
  AdwEntryRow      *last_reading_row;
  AdwEntryRow      *last_reading_on_row;
  AdwEntryRow      *gps_row;
  AdwEntryRow      *feeder_row;
  AdwEntryRow      *dt_row;
  AdwEntryRow      *pole_row;
  AdwEntryRow      *load_row;
};

G_DEFINE_FINAL_TYPE (BdIndexingDialog, bd_indexing_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_SAVED,
  SIGNAL_MOBILE_UPDATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct {
  const char *field;
  goffset     row_offset;
} FieldRow;

#define ROW(member) G_STRUCT_OFFSET (BdIndexingDialog, member)

static const FieldRow field_rows[] = {
  { "alternate_phone",   ROW (alternate_phone_row) },
  { "email",             ROW (email_row) },
  { "aadhaar",           ROW (aadhaar_row) },
  { "pan",               ROW (pan_row) },
  { "voter_id",          ROW (voter_id_row) },
  { "driving_licence",   ROW (driving_licence_row) },
  { "meter_make",        ROW (meter_make_row) },
  { "meter_model",       ROW (meter_model_row) },
  { "meter_serial",      ROW (meter_serial_row) },
  { "meter_year",        ROW (meter_year_row) },
  { "meter_rating",      ROW (meter_rating_row) },
  { "seal_numbers",      ROW (seal_numbers_row) },
  { "installed_on",      ROW (installed_on_row) },
  { "last_reading_wh",   ROW (last_reading_row) },
  { "last_reading_on",   ROW (last_reading_on_row) },
  { "gps",               ROW (gps_row) },
  { "feeder",            ROW (feeder_row) },
  { "dt",                ROW (dt_row) },
  { "pole",              ROW (pole_row) },
  { "sanctioned_load_w", ROW (load_row) },
};

typedef struct {
  char *normalized;   /* the 12 digits; wiped when freed */
  char *last4;
  char *salt_hex;
  char *hash_hex;
  guint generation;
} Protect;

static void
protect_free (Protect *data)
{
  if (data->normalized != NULL)
    memset (data->normalized, 0, strlen (data->normalized));
  g_free (data->normalized);
  g_free (data->last4);
  g_free (data->salt_hex);
  g_free (data->hash_hex);
  g_free (data);
}

static AdwEntryRow *
row_at (BdIndexingDialog *self,
        const FieldRow   *entry)
{
  return G_STRUCT_MEMBER (AdwEntryRow *, self, entry->row_offset);
}

static const FieldRow *
find_field_row (const char *field)
{
  for (gsize i = 0; i < G_N_ELEMENTS (field_rows); i++)
    if (g_strcmp0 (field_rows[i].field, field) == 0)
      return &field_rows[i];

  return NULL;
}

static const FieldRow *
find_row_field (BdIndexingDialog *self,
                gpointer          row)
{
  for (gsize i = 0; i < G_N_ELEMENTS (field_rows); i++)
    if (row_at (self, &field_rows[i]) == row)
      return &field_rows[i];

  return NULL;
}

static void
show_toast (BdIndexingDialog *self,
            const char       *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static gboolean
has_changes (BdIndexingDialog *self)
{
  g_autoptr(GPtrArray) changes = bd_indexing_diff (self->before, self->edited);

  return changes->len > 0;
}

static void
update_save (BdIndexingDialog *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), bd_indexing_dialog_can_save (self));
}

/* Wh → "1234.5" (kWh) and W → "2.5" (kW): thousandths, trailing zeros dropped. */
static char *
format_thousandths (gint64 value)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT ".%03d", value / 1000, (int) (value % 1000));
  gsize len = strlen (text);

  while (len > 0 && text[len - 1] == '0')
    text[--len] = '\0';
  if (len > 0 && text[len - 1] == '.')
    text[--len] = '\0';

  return g_steal_pointer (&text);
}

/* "YYYY-MM-DD" → "DD-MM-YYYY", the order the operator types. */
static char *
format_date (const char *iso)
{
  int y, m, d;

  if (iso == NULL || sscanf (iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
    return g_strdup (iso != NULL ? iso : "");

  return g_strdup_printf ("%02d-%02d-%04d", d, m, y);
}

static char *
field_text (BdIndexing *indexing,
            const char *field)
{
  if (g_strcmp0 (field, "aadhaar") == 0)
    {
      const char *last4 = bd_indexing_get_aadhaar_last4 (indexing);

      return last4 != NULL ? bd_aadhaar_mask (last4) : g_strdup ("");
    }
  if (g_strcmp0 (field, "meter_year") == 0)
    return bd_indexing_get_meter_year (indexing) > 0 ? g_strdup_printf ("%d", bd_indexing_get_meter_year (indexing))
                                                     : g_strdup ("");
  if (g_strcmp0 (field, "seal_numbers") == 0)
    return g_strjoinv (", ", (char **) bd_indexing_get_seal_numbers (indexing));
  if (g_strcmp0 (field, "installed_on") == 0)
    return format_date (bd_indexing_get_installed_on (indexing));
  if (g_strcmp0 (field, "last_reading_on") == 0)
    return format_date (bd_indexing_get_last_reading_on (indexing));
  if (g_strcmp0 (field, "last_reading_wh") == 0)
    return bd_indexing_get_last_reading_wh (indexing) >= 0 ? format_thousandths (bd_indexing_get_last_reading_wh (indexing))
                                                           : g_strdup ("");
  if (g_strcmp0 (field, "sanctioned_load_w") == 0)
    return bd_indexing_get_sanctioned_load_w (indexing) > 0 ? format_thousandths (bd_indexing_get_sanctioned_load_w (indexing))
                                                            : g_strdup ("");
  if (g_strcmp0 (field, "gps") == 0)
    {
      gint64 lat, lon;

      if (!bd_indexing_get_gps (indexing, &lat, &lon))
        return g_strdup ("");
      return g_strdup_printf ("%" G_GINT64_FORMAT ".%06d, %" G_GINT64_FORMAT ".%06d",
                              lat / 1000000, (int) ABS (lat % 1000000),
                              lon / 1000000, (int) ABS (lon % 1000000));
    }

  {
    g_autoptr(JsonNode) node = bd_indexing_get_field (indexing, field);

    if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
      return g_strdup (json_node_get_string (node));
  }

  return g_strdup ("");
}

/* The typed text as the field's wire JSON, or NULL with a message that
 * says how to type it. Empty text is "unknown" (null). */
static JsonNode *
parse_text (const char  *field,
            const char  *text,
            GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  if (*stripped == '\0')
    return json_node_new (JSON_NODE_NULL);

  if (g_strcmp0 (field, "meter_year") == 0)
    {
      guint64 year = 0;

      if (strlen (stripped) != 4 || !g_ascii_string_to_unsigned (stripped, 10, 1900, 2999, &year, NULL))
        {
          g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_DATE,
                               _("Type the year of manufacture as 4 digits, e.g. 2023."));
          return NULL;
        }
      return json_node_init_int (json_node_alloc (), (gint64) year);
    }

  if (g_strcmp0 (field, "seal_numbers") == 0)
    {
      g_auto(GStrv) parts = g_strsplit (stripped, ",", -1);
      JsonArray *array = json_array_new ();
      JsonNode *node = json_node_new (JSON_NODE_ARRAY);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_strstrip (parts[i]);
          if (*parts[i] != '\0')
            json_array_add_string_element (array, parts[i]);
        }
      json_node_take_array (node, array);
      return node;
    }

  if (g_strcmp0 (field, "installed_on") == 0 || g_strcmp0 (field, "last_reading_on") == 0)
    {
      GDate date;
      char iso[16];

      g_date_clear (&date, 1);
      if (!bd_date_parse (stripped, &date, error))
        return NULL;
      g_date_strftime (iso, sizeof iso, "%Y-%m-%d", &date);
      return json_node_init_string (json_node_alloc (), iso);
    }

  if (g_strcmp0 (field, "last_reading_wh") == 0)
    {
      gint64 wh = 0;

      if (!bd_reading_parse (stripped, &wh, error))
        return NULL;
      return json_node_init_int (json_node_alloc (), wh);
    }

  if (g_strcmp0 (field, "sanctioned_load_w") == 0)
    {
      gint64 watts = 0;

      /* kW to W is the same thousandths arithmetic as kWh to Wh. */
      if (!bd_reading_parse (stripped, &watts, NULL) || watts <= 0)
        {
          g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_READING,
                               _("Type the sanctioned load in kW, e.g. 2 or 3.5."));
          return NULL;
        }
      return json_node_init_int (json_node_alloc (), watts);
    }

  if (g_strcmp0 (field, "gps") == 0)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      gint64 lat = 0, lon = 0;

      if (!bd_gps_parse (stripped, &lat, &lon, error))
        return NULL;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "lat_e6");
      json_builder_add_int_value (builder, lat);
      json_builder_set_member_name (builder, "lon_e6");
      json_builder_add_int_value (builder, lon);
      json_builder_end_object (builder);
      return json_builder_get_root (builder);
    }

  return json_node_init_string (json_node_alloc (), stripped);
}

static void
set_field_invalid (BdIndexingDialog *self,
                   const char       *field,
                   const char       *message)
{
  GtkWidget *row = GTK_WIDGET (row_at (self, find_field_row (field)));

  if (message != NULL)
    g_hash_table_add (self->invalid, (gpointer) field);
  else
    g_hash_table_remove (self->invalid, field);
  bd_field_error_set (row, message);
}

static void
on_protected_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  BdIndexingDialog *self = BD_INDEXING_DIALOG (source);
  Protect *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    return;

  self->n_protecting--;
  /* A number typed after this one wins. */
  if (data->generation == self->aadhaar_generation)
    bd_indexing_set_aadhaar (self->edited, data->last4, data->salt_hex, data->hash_hex);
  update_save (self);
}

static void
protect_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Protect *data = task_data;

  bd_aadhaar_protect (data->normalized, &data->last4, &data->salt_hex, &data->hash_hex);
  /* The digits are not needed any more. */
  memset (data->normalized, 0, strlen (data->normalized));
  g_task_return_boolean (task, TRUE);
}

static void
validate_aadhaar (BdIndexingDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->aadhaar_row));
  const char *last4 = bd_indexing_get_aadhaar_last4 (self->edited);
  g_autofree char *shown = last4 != NULL ? bd_aadhaar_mask (last4) : NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  g_autofree char *masked = NULL;
  guint digits = 0;
  gboolean other = FALSE;
  char *normalized;
  Protect *data;

  self->aadhaar_generation++;

  if (g_strcmp0 (text, shown) == 0)
    {
      set_field_invalid (self, "aadhaar", NULL);
      return;
    }
  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        digits++;
      else if (*p != ' ' && *p != '-')
        other = TRUE;
    }

  if (digits == 0 && !other)
    {
      /* Emptied: the number is removed from the record. */
      bd_indexing_set_aadhaar (self->edited, NULL, NULL, NULL);
      set_field_invalid (self, "aadhaar", NULL);
      return;
    }
  if (strchr (text, 'X') != NULL || strchr (text, 'x') != NULL)
    {
      set_field_invalid (self, "aadhaar", _("Clear the field, then type all 12 digits of the Aadhaar number."));
      return;
    }
  if (digits < 12 && !other)
    {
      g_autofree char *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                               "An Aadhaar number has 12 digits; %u is typed so far.",
                                                               "An Aadhaar number has 12 digits; %u are typed so far.",
                                                               digits),
                                                  digits);

      set_field_invalid (self, "aadhaar", message);
      return;
    }

  normalized = bd_aadhaar_normalize (text, &error);
  if (normalized == NULL)
    {
      set_field_invalid (self, "aadhaar", error->message);
      return;
    }

  /* Off the screen at once; the hash follows from a thread. */
  masked = bd_aadhaar_mask (normalized);
  self->filling = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->aadhaar_row), masked);
  self->filling = FALSE;
  set_field_invalid (self, "aadhaar", NULL);
  /* Until the hash is ready the record holds the last 4 digits only, so
   * the form already shows what will be saved. */
  bd_indexing_set_aadhaar (self->edited, normalized + 8, NULL, NULL);

  data = g_new0 (Protect, 1);
  data->normalized = normalized;
  data->generation = self->aadhaar_generation;
  self->n_protecting++;
  task = g_task_new (self, self->cancellable, on_protected_cb, NULL);
  g_task_set_source_tag (task, validate_aadhaar);
  g_task_set_task_data (task, data, (GDestroyNotify) protect_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, protect_thread);
}

static void
validate_field (BdIndexingDialog *self,
                const FieldRow   *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row_at (self, entry)));
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (entry->field, "aadhaar") == 0)
    {
      validate_aadhaar (self);
      return;
    }

  node = parse_text (entry->field, text, &error);
  if (node == NULL || !bd_indexing_set_field (self->edited, entry->field, node, &error))
    {
      set_field_invalid (self, entry->field, error->message);
      return;
    }
  set_field_invalid (self, entry->field, NULL);
}

static void
on_field_changed_cb (BdIndexingDialog *self,
                     GtkEditable      *editable)
{
  const FieldRow *entry = find_row_field (self, editable);

  if (self->filling || entry == NULL)
    return;

  validate_field (self, entry);
  update_save (self);
}

static void
on_entry_activated_cb (BdIndexingDialog *self,
                       AdwEntryRow      *row)
{
  if (bd_indexing_dialog_can_save (self))
    bd_indexing_dialog_save (self);
}

static void
fill (BdIndexingDialog *self)
{
  self->filling = TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (field_rows); i++)
    {
      g_autofree char *text = field_text (self->edited, field_rows[i].field);

      gtk_editable_set_text (GTK_EDITABLE (row_at (self, &field_rows[i])), text);
    }
  self->filling = FALSE;
}

static void
show_mobile (BdIndexingDialog *self)
{
  g_autofree char *masked = bd_consumer_dup_masked_mobile (self->consumer);
  g_autofree char *escaped = NULL;
  g_autofree char *accessible = NULL;
  gboolean verified = bd_consumer_get_mobile_verified (self->consumer);
  gboolean online = self->client != NULL;
  const char *offline_text = _("Sending an OTP needs a connection to the server.");

  escaped = g_markup_escape_text (masked != NULL ? masked : _("No mobile on record"), -1);
  adw_action_row_set_subtitle (self->mobile_row, escaped);
  /* Translators: read out for the mobile row: the masked number and its state. */
  accessible = g_strdup_printf (_("Registered mobile: %s, %s"),
                                masked != NULL ? masked : _("No mobile on record"),
                                masked == NULL ? "" : verified ? _("Verified") : _("Not verified"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->mobile_row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);

  gtk_widget_set_visible (GTK_WIDGET (self->mobile_tag), masked != NULL);
  gtk_label_set_text (self->mobile_tag, verified ? _("Verified") : _("Not verified"));
  gtk_widget_remove_css_class (GTK_WIDGET (self->mobile_tag), verified ? "unverified" : "verified");
  gtk_widget_add_css_class (GTK_WIDGET (self->mobile_tag), verified ? "verified" : "unverified");

  gtk_widget_set_visible (GTK_WIDGET (self->verify_mobile_button), masked != NULL && !verified);
  gtk_widget_set_sensitive (GTK_WIDGET (self->verify_mobile_button), online);
  gtk_widget_set_sensitive (GTK_WIDGET (self->change_mobile_button), online);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->verify_mobile_button), online ? NULL : offline_text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->change_mobile_button), online ? NULL : offline_text);
  adw_preferences_group_set_description (self->contact_group,
                                         online ? _("A mobile number is changed or verified with a code sent to it by SMS.")
                                                : offline_text);
}

static void
on_consumer_refreshed_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(BdIndexingDialog) self = user_data;
  g_autoptr(BdConsumer) consumer = NULL;
  g_autoptr(GError) error = NULL;

  consumer = bd_client_get_consumer_finish (BD_CLIENT (source), result, &error);
  if (consumer == NULL)
    return;

  g_set_object (&self->consumer, consumer);
  show_mobile (self);
}

static void
on_mobile_finished_cb (BdIndexingDialog        *self,
                       BdRegistrationAssistant *assistant)
{
  g_signal_emit (self, signals[SIGNAL_MOBILE_UPDATED], 0);
  if (self->client != NULL)
    bd_client_get_consumer_async (self->client, bd_consumer_get_account (self->consumer), self->cancellable,
                                  on_consumer_refreshed_cb, g_object_ref (self));
}

static void
open_mobile_flow (BdIndexingDialog *self,
                  BdOtpPurpose      purpose)
{
  BdRegistrationAssistant *assistant;

  if (self->client == NULL)
    {
      show_toast (self, _("Sending an OTP needs a connection to the server."));
      return;
    }

  assistant = bd_registration_assistant_new (GTK_WINDOW (self), self->client, self->consumer, purpose);
  g_signal_connect_object (assistant, "finished", G_CALLBACK (on_mobile_finished_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (assistant));
}

static void
on_verify_mobile_clicked_cb (BdIndexingDialog *self,
                             GtkButton        *button)
{
  open_mobile_flow (self, BD_OTP_PURPOSE_VERIFY_MOBILE);
}

static void
on_change_mobile_clicked_cb (BdIndexingDialog *self,
                             GtkButton        *button)
{
  open_mobile_flow (self, BD_OTP_PURPOSE_CHANGE_MOBILE);
}

static void
on_saved_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(BdIndexingDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gint64 seq;

  seq = bd_consumer_store_save_indexing_finish (BD_CONSUMER_STORE (source), result, &error);
  if (seq < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->saving = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  gtk_spinner_set_spinning (self->spinner, FALSE);

  if (seq < 0)
    {
      /* Translators: %s says why the local database refused the change. */
      message = g_strdup_printf (_("Could not save on this desk: %s"), error->message);
      show_toast (self, message);
      update_save (self);
      return;
    }

  g_signal_emit (self, signals[SIGNAL_SAVED], 0, seq);
  self->confirmed_close = TRUE;
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_save_clicked_cb (BdIndexingDialog *self,
                    GtkButton        *button)
{
  bd_indexing_dialog_save (self);
}

static gboolean
destroy_idle_cb (gpointer user_data)
{
  gtk_window_destroy (GTK_WINDOW (user_data));

  return G_SOURCE_REMOVE;
}

static void
on_confirm_response_cb (BdIndexingDialog *self,
                        const char       *response,
                        AdwMessageDialog *dialog)
{
  self->confirm_dialog = NULL;
  if (g_strcmp0 (response, "discard") != 0)
    return;

  /* Not from inside the dialog's own response: it is transient for this
   * window and still being closed. */
  self->confirmed_close = TRUE;
  g_idle_add_full (G_PRIORITY_DEFAULT, destroy_idle_cb, g_object_ref (self), g_object_unref);
}

static gboolean
needs_confirmation (BdIndexingDialog *self)
{
  return !self->confirmed_close && (has_changes (self) || g_hash_table_size (self->invalid) > 0);
}

static void
ask_to_discard (BdIndexingDialog *self)
{
  GtkWidget *dialog;

  if (self->confirm_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->confirm_dialog));
      return;
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Discard the changes?"),
                                   _("What was typed in this form is not saved."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "keep", _("_Keep editing"),
                                    "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_confirm_response_cb), self, G_CONNECT_SWAPPED);
  self->confirm_dialog = ADW_MESSAGE_DIALOG (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_cancel_clicked_cb (BdIndexingDialog *self,
                      GtkButton        *button)
{
  bd_indexing_dialog_cancel (self);
}

static gboolean
on_escape_cb (GtkWidget *widget,
              GVariant  *args,
              gpointer   user_data)
{
  bd_indexing_dialog_cancel (BD_INDEXING_DIALOG (widget));

  return TRUE;
}

static gboolean
bd_indexing_dialog_close_request (GtkWindow *window)
{
  BdIndexingDialog *self = BD_INDEXING_DIALOG (window);

  if (needs_confirmation (self))
    {
      ask_to_discard (self);
      return TRUE;
    }

  return GTK_WINDOW_CLASS (bd_indexing_dialog_parent_class)->close_request (window);
}

static void
bd_indexing_dialog_dispose (GObject *object)
{
  BdIndexingDialog *self = BD_INDEXING_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->confirm_dialog != NULL)
    {
      GtkWindow *dialog = GTK_WINDOW (g_steal_pointer (&self->confirm_dialog));

      gtk_window_destroy (dialog);
    }
  g_clear_object (&self->store);
  g_clear_object (&self->client);
  g_clear_object (&self->consumer);
  gtk_widget_dispose_template (GTK_WIDGET (self), BD_TYPE_INDEXING_DIALOG);

  G_OBJECT_CLASS (bd_indexing_dialog_parent_class)->dispose (object);
}

static void
bd_indexing_dialog_finalize (GObject *object)
{
  BdIndexingDialog *self = BD_INDEXING_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->before);
  g_clear_object (&self->edited);
  g_clear_pointer (&self->invalid, g_hash_table_unref);
  g_free (self->username);

  G_OBJECT_CLASS (bd_indexing_dialog_parent_class)->finalize (object);
}

static void
bd_indexing_dialog_class_init (BdIndexingDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = bd_indexing_dialog_dispose;
  object_class->finalize = bd_indexing_dialog_finalize;
  window_class->close_request = bd_indexing_dialog_close_request;

  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[SIGNAL_MOBILE_UPDATED] =
    g_signal_new ("mobile-updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0, on_escape_cb, NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/bijlidesk/BijliDesk/ui/bd-indexing-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, contact_group);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, mobile_row);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, mobile_tag);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, verify_mobile_button);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, change_mobile_button);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, alternate_phone_row);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, email_row);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, aadhaar_row);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, pan_row);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, voter_id_row);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, driving_licence_row);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, meter_make_row);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, meter_model_row);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, meter_serial_row);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, meter_year_row);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, meter_rating_row);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, seal_numbers_row);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, installed_on_row);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, last_reading_row);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, last_reading_on_row);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, gps_row);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, feeder_row);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, dt_row);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, pole_row);
  gtk_widget_class_bind_template_child (widget_class, BdIndexingDialog, load_row);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_save_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_verify_mobile_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_change_mobile_clicked_cb);
}

static void
bd_indexing_dialog_init (BdIndexingDialog *self)
{
  self->invalid = g_hash_table_new (g_str_hash, g_str_equal);
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->save_button));
}

BdIndexingDialog *
bd_indexing_dialog_new (GtkWindow       *parent,
                        BdConsumerStore *store,
                        BdClient        *client,
                        BdConsumer      *consumer,
                        BdIndexing      *indexing,
                        const char      *username)
{
  BdIndexingDialog *self;
  g_autofree char *subtitle = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (BD_IS_CONSUMER_STORE (store), NULL);
  g_return_val_if_fail (client == NULL || BD_IS_CLIENT (client), NULL);
  g_return_val_if_fail (BD_IS_CONSUMER (consumer), NULL);
  g_return_val_if_fail (indexing == NULL || BD_IS_INDEXING (indexing), NULL);

  self = g_object_new (BD_TYPE_INDEXING_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->store = g_object_ref (store);
  self->client = client != NULL ? g_object_ref (client) : NULL;
  self->consumer = g_object_ref (consumer);
  self->username = g_strdup (username != NULL ? username : "");

  if (indexing != NULL)
    {
      self->before = bd_indexing_copy (indexing);
    }
  else
    {
      /* Never indexed here: the fields the record mirrors start from the
       * consumer record, so they do not count as changes. */
      self->before = bd_indexing_new (bd_consumer_get_account (consumer));
      bd_indexing_set_feeder (self->before, bd_consumer_get_feeder (consumer));
      bd_indexing_set_dt (self->before, bd_consumer_get_dt (consumer));
      bd_indexing_set_pole (self->before, bd_consumer_get_pole (consumer));
      bd_indexing_set_sanctioned_load_w (self->before, bd_consumer_get_sanctioned_load_w (consumer));
      bd_indexing_set_meter_serial (self->before, bd_consumer_get_meter_serial (consumer));
    }
  self->edited = bd_indexing_copy (self->before);

  /* Translators: the dialog's subtitle: a consumer's name and account number. */
  subtitle = g_strdup_printf (_("%s · Account %s"), bd_consumer_get_names (consumer, NULL),
                              bd_consumer_get_account (consumer));
  adw_window_title_set_subtitle (self->window_title, subtitle);

  fill (self);
  show_mobile (self);
  update_save (self);

  return self;
}

GtkWidget *
bd_indexing_dialog_get_row (BdIndexingDialog *self,
                            const char       *field)
{
  const FieldRow *entry;

  g_return_val_if_fail (BD_IS_INDEXING_DIALOG (self), NULL);

  entry = find_field_row (field);
  return entry != NULL ? GTK_WIDGET (row_at (self, entry)) : NULL;
}

const char *
bd_indexing_dialog_get_error (BdIndexingDialog *self,
                              const char       *field)
{
  GtkWidget *row;

  g_return_val_if_fail (BD_IS_INDEXING_DIALOG (self), NULL);

  row = bd_indexing_dialog_get_row (self, field);
  return row != NULL ? bd_field_error_get (row) : NULL;
}

gboolean
bd_indexing_dialog_can_save (BdIndexingDialog *self)
{
  g_return_val_if_fail (BD_IS_INDEXING_DIALOG (self), FALSE);

  return !self->saving && self->n_protecting == 0 &&
         g_hash_table_size (self->invalid) == 0 && has_changes (self);
}

BdIndexing *
bd_indexing_dialog_get_edited (BdIndexingDialog *self)
{
  g_return_val_if_fail (BD_IS_INDEXING_DIALOG (self), NULL);

  return self->edited;
}

void
bd_indexing_dialog_save (BdIndexingDialog *self)
{
  g_autoptr(GPtrArray) changes = NULL;

  g_return_if_fail (BD_IS_INDEXING_DIALOG (self));

  if (!bd_indexing_dialog_can_save (self))
    return;

  changes = bd_indexing_diff (self->before, self->edited);
  self->saving = TRUE;
  update_save (self);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), TRUE);
  gtk_spinner_set_spinning (self->spinner, TRUE);
  bd_consumer_store_save_indexing_async (self->store, self->edited, changes, self->username,
                                         self->cancellable, on_saved_cb, g_object_ref (self));
}

gboolean
bd_indexing_dialog_cancel (BdIndexingDialog *self)
{
  g_return_val_if_fail (BD_IS_INDEXING_DIALOG (self), FALSE);

  if (needs_confirmation (self))
    {
      ask_to_discard (self);
      return FALSE;
    }

  gtk_window_destroy (GTK_WINDOW (self));
  return TRUE;
}
