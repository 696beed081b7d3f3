/* bd-prepaid-panel.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-money.h"
#include "core/bd-time.h"

#include "bd-application.h"
#include "bd-complaint-format.h"
#include "bd-usage-chart.h"
#include "bd-prepaid-panel.h"
#include "bd-recharge-dialog.h"
#include "bd-recharge-format.h"

/* The watch asks the server to hold the request this long: under the
 * client's request timeout, so a quiet meter is not mistaken for a dead
 * server. */
#define WATCH_TIMEOUT_S 10
#define WATCH_RETRY_S 15

struct _BdPrepaidPanel
{
  GtkBox           parent_instance;

  BdConsumer      *consumer;
  BdBalance       *balance;
  gint64           balance_fetched_at;
  gboolean         live;              /* the balance on show came from the server just now */
  BdReadingSeries *series;
  BdReadingSeries *comparison;
  gint64           series_fetched_at;
  gboolean         series_live;
  GPtrArray       *recharges;         /* BdStoredRecharge */
  BdReadingStep    step;

  GCancellable    *cancellable;       /* everything about this consumer */
  GCancellable    *readings_cancellable;
  gint64           watch_seq;
  guint            watch_retry_id;
  gboolean         watching;

  GtkStack        *stack;
  GtkLabel        *amount_label;
  GtkLabel        *state_label;
  GtkLabel        *as_of_label;
  GtkLabel        *days_label;
  GtkLabel        *outlook_label;
  GtkLabel        *meter_label;
  GtkLabel        *month_label;
  GtkButton       *recharge_button;
  GtkToggleButton *step_buttons[3];
  GtkToggleButton *rupees_button;
  GtkCheckButton  *compare_check;
  BdUsageChart    *chart;
  GtkLabel        *updated_label;
  GtkLabel        *totals_label;
  AdwPreferencesGroup *recharges_group;
  GPtrArray       *recharge_rows;
  BdPushWorker    *watched_worker;    /* whose item-changed we follow */
};

G_DEFINE_FINAL_TYPE (BdPrepaidPanel, bd_prepaid_panel, GTK_TYPE_BOX)

enum {
  BALANCE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void fetch_readings (BdPrepaidPanel *self);
static void load_recharges (BdPrepaidPanel *self);
static void watch (BdPrepaidPanel *self);

static BdApplication *
get_app (BdPrepaidPanel *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;

  if (app == NULL)
    app = GTK_APPLICATION (g_application_get_default ());
  return BD_IS_APPLICATION (app) ? BD_APPLICATION (app) : NULL;
}

static BdClient *
online_client (BdPrepaidPanel *self)
{
  BdApplication *app = get_app (self);

  if (app == NULL || bd_application_is_offline_session (app))
    return NULL;
  return bd_application_get_client (app);
}

static BdConsumerStore *
get_store (BdPrepaidPanel *self)
{
  BdApplication *app = get_app (self);

  return app != NULL ? bd_application_get_store (app) : NULL;
}

/* ---- words --------------------------------------------------------------- */

static const char *
no_cut_reason_label (BdNoCutReason reason)
{
  switch (reason)
    {
    case BD_NO_CUT_NIGHT:           return _("no cuts at night");
    case BD_NO_CUT_SUNDAY:          return _("no cuts on Sundays");
    case BD_NO_CUT_SECOND_SATURDAY: return _("no cuts on the second Saturday");
    case BD_NO_CUT_HOLIDAY:         return _("no cuts on public holidays");
    case BD_NO_CUT_NONE:
    default:                        return "";
    }
}

char *
bd_balance_outlook_text (const BdBalance *balance)
{
  g_autofree char *until = bd_time_format_ist (balance->emergency_until);
  g_autofree char *earliest = bd_time_format_ist (balance->cut_earliest_at);

  if (balance->meter_type == BD_METER_TYPE_NON_SMART)
    return g_strdup (_("Not a prepaid smart meter: billed after use."));
  if (balance->supply == BD_SUPPLY_DISCONNECTED)
    {
      g_autofree char *minimum = bd_format_paise (balance->reconnect_minimum_paise);

      if (balance->reconnect_minimum_paise > 0)
        /* Translators: %s is the least recharge that brings the supply back. */
        return g_strdup_printf (_("Supply cut for want of credit. A recharge of at least %s reconnects it."), minimum);
      return g_strdup (_("Supply cut."));
    }
  switch (balance->cut_state)
    {
    case BD_CUT_STATE_EMERGENCY_CREDIT:
      /* Translators: both are dates and times in IST. */
      return g_strdup_printf (_("On emergency credit until %s. Without a recharge the supply may be cut from %s."),
                              until, earliest);
    case BD_CUT_STATE_WAITING_NO_CUT:
      /* Translators: %s is a rule such as "no cuts at night", then a time. */
      return g_strdup_printf (_("Credit used up. The rules hold the cut back (%s); it may happen from %s."),
                              no_cut_reason_label (balance->held_by), earliest);
    case BD_CUT_STATE_DUE:
      return g_strdup (_("Credit used up: the supply may be cut now."));
    case BD_CUT_STATE_METER_SILENT:
      return g_strdup (_("Credit used up, but the meter is not answering, so it cannot be cut remotely yet."));
    case BD_CUT_STATE_FIELD_VISIT:
      /* Translators: %s is a date and time in IST. */
      return g_strdup_printf (_("Credit used up. A CT meter cannot be switched remotely: a field visit may cut the supply from %s."),
                              earliest);
    case BD_CUT_STATE_NONE:
    default:
      return NULL;
    }
}

char *
bd_balance_days_text (const BdBalance *balance)
{
  g_autofree char *daily = bd_format_paise (balance->daily_average_paise);

  if (balance->days_left < 0 || balance->balance_paise <= 0 || balance->daily_average_paise <= 0)
    return NULL;
  if (balance->days_left == 0)
    /* Translators: %s is the average daily cost. */
    return g_strdup_printf (_("Less than a day of credit at %s a day"), daily);
  /* Translators: "About 12 days of credit at ₹80.28 a day" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "About %d day of credit at %s a day",
                                       "About %d days of credit at %s a day", (gulong) balance->days_left),
                          (int) balance->days_left, daily);
}

static void
set_class (GtkWidget  *widget,
           const char *name,
           gboolean    on)
{
  if (on)
    gtk_widget_add_css_class (widget, name);
  else
    gtk_widget_remove_css_class (widget, name);
}

static void
show_balance (BdPrepaidPanel *self)
{
  const BdBalance *b = self->balance;
  g_autofree char *amount = NULL;
  g_autofree char *as_of = NULL;
  g_autofree char *as_of_text = NULL;
  g_autofree char *days = NULL;
  g_autofree char *outlook = NULL;
  g_autofree char *meter = NULL;
  g_autofree char *month = NULL;
  g_autofree char *accessible = NULL;
  const char *state;

  if (b == NULL)
    {
      gtk_label_set_text (self->amount_label, "—");
      gtk_label_set_text (self->state_label, "");
      gtk_label_set_text (self->as_of_label, self->consumer != NULL && online_client (self) != NULL
                                             ? _("Asking the server for the balance…")
                                             : _("No balance on this desk yet. It is fetched when the desk is online."));
      gtk_widget_set_visible (GTK_WIDGET (self->days_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->outlook_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->meter_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->month_label), FALSE);
      return;
    }

  amount = bd_format_paise (b->balance_paise);
  gtk_label_set_text (self->amount_label, amount);
  set_class (GTK_WIDGET (self->amount_label), "negative", b->balance_paise < 0);

  if (b->supply == BD_SUPPLY_DISCONNECTED)
    state = _("Supply cut");
  else if (b->balance_paise <= 0)
    state = b->cut_state == BD_CUT_STATE_EMERGENCY_CREDIT ? _("Emergency credit") : _("Credit used up");
  else if (b->days_left >= 0 && b->days_left < 3)
    state = _("Low balance");
  else
    state = _("In credit");
  gtk_label_set_text (self->state_label, state);
  set_class (GTK_WIDGET (self->state_label), "ok", b->balance_paise > 0 && b->supply == BD_SUPPLY_CONNECTED);
  set_class (GTK_WIDGET (self->state_label), "emergency", b->balance_paise <= 0 && b->supply == BD_SUPPLY_CONNECTED);
  set_class (GTK_WIDGET (self->state_label), "negative", b->supply == BD_SUPPLY_DISCONNECTED);

  as_of = bd_time_format_ist (b->as_of);
  if (self->live)
    /* Translators: the time of the meter's last reading, in IST. */
    as_of_text = g_strdup_printf (_("As of %s"), as_of != NULL ? as_of : "—");
  else
    {
      g_autofree char *fetched = bd_time_format_ist (self->balance_fetched_at);

      /* Translators: offline: the reading's time, then when the desk fetched it. */
      as_of_text = g_strdup_printf (_("As of %s — kept on this desk since %s; the server cannot be reached"),
                                    as_of != NULL ? as_of : "—", fetched != NULL ? fetched : "—");
    }
  gtk_label_set_text (self->as_of_label, as_of_text);

  days = bd_balance_days_text (b);
  gtk_label_set_text (self->days_label, days != NULL ? days : "");
  gtk_widget_set_visible (GTK_WIDGET (self->days_label), days != NULL);

  outlook = bd_balance_outlook_text (b);
  gtk_label_set_text (self->outlook_label, outlook != NULL ? outlook : "");
  gtk_widget_set_visible (GTK_WIDGET (self->outlook_label), outlook != NULL);

  if (b->meter_type == BD_METER_TYPE_NON_SMART)
    meter = NULL;
  else if (b->communicating)
    {
      g_autofree char *contact = bd_time_format_ist (b->last_contact_at);
      /* Translators: %s is a date and time in IST. */
      meter = g_strdup_printf (_("Meter communicating · last contact %s"), contact != NULL ? contact : "—");
    }
  else
    meter = g_strdup_printf (_("Meter not communicating since %s: the balance may be out of date"),
                             as_of != NULL ? as_of : "—");
  gtk_label_set_text (self->meter_label, meter != NULL ? meter : "");
  gtk_widget_set_visible (GTK_WIDGET (self->meter_label), meter != NULL);
  set_class (GTK_WIDGET (self->meter_label), "warning", !b->communicating);

  if (b->month_wh > 0 || b->month_paise > 0)
    {
      g_autofree char *money = bd_format_paise (b->month_paise);
      /* Translators: "This month: 260.0 kWh, ₹1,485.19 energy charge · LMV-1 urban" */
      month = g_strdup_printf (_("This month: %.1f kWh, %s energy charge · tariff %s"),
                               b->month_wh / 1000.0, money, b->tariff);
    }
  gtk_label_set_text (self->month_label, month != NULL ? month : "");
  gtk_widget_set_visible (GTK_WIDGET (self->month_label), month != NULL);

  /* Translators: read out for the balance card: amount, state, time. */
  accessible = g_strdup_printf (_("Prepaid balance %s, %s, %s"), amount, state, as_of_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->amount_label), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  gtk_widget_set_sensitive (GTK_WIDGET (self->recharge_button),
                            b->meter_type != BD_METER_TYPE_NON_SMART &&
                            (get_app (self) == NULL || bd_application_is_counter_staff (get_app (self))));
}

static void
take_balance (BdPrepaidPanel *self,
              BdBalance      *balance,
              gint64          fetched_at,
              gboolean        live)
{
  gboolean newer_reading = self->balance == NULL || balance->as_of != self->balance->as_of;

  g_clear_pointer (&self->balance, bd_balance_free);
  self->balance = balance;
  self->balance_fetched_at = fetched_at;
  self->live = live;
  show_balance (self);
  g_signal_emit (self, signals[BALANCE_CHANGED], 0, self->balance);
  /* A new quarter hour: the chart of recent readings moves on too. */
  if (live && newer_reading && self->series_live && self->step != BD_READING_STEP_MONTH)
    fetch_readings (self);
}

/* ---- the chart ----------------------------------------------------------- */

static void
window_for (BdReadingStep  step,
            gint64         now,
            gboolean       previous,
            gint64        *from,
            gint64        *to)
{
  gint64 end = bd_reading_step_floor (BD_READING_STEP_DAY, now) + 86400;

  switch (step)
    {
    case BD_READING_STEP_15MIN:
      *to = end;
      *from = end - 7 * 86400;
      break;
    case BD_READING_STEP_DAY:
      *to = end;
      *from = end - 60 * 86400;
      break;
    case BD_READING_STEP_MONTH:
    default:
      *to = bd_reading_step_next (BD_READING_STEP_MONTH, bd_reading_step_floor (BD_READING_STEP_MONTH, now));
      *from = *to;
      for (int i = 0; i < 13; i++)
        *from = bd_reading_step_floor (BD_READING_STEP_MONTH, *from - 1);
      break;
    }
  if (previous)
    {
      /* The same stretch a month (a year, for months) before. */
      gint64 shift = step == BD_READING_STEP_MONTH ? 365 * 86400 : 30 * 86400;
      *from -= shift;
      *to -= shift;
      if (step == BD_READING_STEP_MONTH)
        {
          *from = bd_reading_step_floor (BD_READING_STEP_MONTH, *from + 15 * 86400);
          *to = bd_reading_step_floor (BD_READING_STEP_MONTH, *to + 15 * 86400);
        }
    }
}

static void
show_series (BdPrepaidPanel *self)
{
  g_autofree char *updated = NULL;
  g_autofree char *when = NULL;

  bd_usage_chart_set_series (self->chart, self->series);
  bd_usage_chart_set_comparison (self->chart,
                                       gtk_check_button_get_active (self->compare_check) ? self->comparison : NULL);
  if (self->series == NULL)
    {
      gtk_label_set_text (self->updated_label, online_client (self) != NULL
                                               ? _("Fetching the readings…")
                                               : _("No readings on this desk for this view. They are fetched when the desk is online."));
      gtk_label_set_text (self->totals_label, "");
      return;
    }
  when = bd_time_format_ist (self->series_fetched_at);
  if (self->series_live)
    /* Translators: %s is a date and time in IST. */
    updated = g_strdup_printf (_("Last updated %s"), when != NULL ? when : "—");
  else
    updated = g_strdup_printf (_("Offline: showing the readings kept on this desk, last updated %s"),
                               when != NULL ? when : "—");
  gtk_label_set_text (self->updated_label, updated);
  set_class (GTK_WIDGET (self->updated_label), "warning", !self->series_live);

  {
    g_autofree char *money = bd_format_paise (bd_reading_series_get_total_paise (self->series));
    g_autofree char *totals = NULL;

    /* Translators: "Shown: 356.2 kWh, ₹2,010.50 energy charge" */
    totals = g_strdup_printf (_("Shown: %.1f kWh, %s energy charge"),
                              bd_reading_series_get_total_wh (self->series) / 1000.0, money);
    gtk_label_set_text (self->totals_label, totals);
  }
}

typedef struct {
  BdPrepaidPanel  *self;
  BdReadingSeries *series;
  BdReadingSeries *comparison;
  int              pending;
  GError          *error;
  BdReadingStep    step;
} ReadingsFetch;

static void
readings_fetch_done (ReadingsFetch *fetch)
{
  BdPrepaidPanel *self = fetch->self;

  if (--fetch->pending > 0)
    return;
  if (fetch->error == NULL || !g_error_matches (fetch->error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED))
    {
      if (fetch->series != NULL && fetch->step == self->step)
        {
          BdConsumerStore *store = get_store (self);
          gint64 now = g_get_real_time () / G_USEC_PER_SEC;

          g_set_object (&self->series, fetch->series);
          g_set_object (&self->comparison, fetch->comparison);
          self->series_fetched_at = now;
          self->series_live = TRUE;
          if (store != NULL)
            {
              g_autoptr(GError) error = NULL;
              /* Kept for offline use; a failure only costs the offline view. */
              if (!bd_consumer_store_save_readings (store, fetch->series, now, &error))
                g_warning ("Cannot keep the readings: %s", error->message);
            }
          show_series (self);
        }
      else if (fetch->error != NULL && fetch->step == self->step)
        {
          g_autofree char *message = g_strdup_printf (_("The readings could not be fetched: %s"), fetch->error->message);

          if (self->series == NULL)
            gtk_label_set_text (self->updated_label, message);
        }
    }
  g_clear_object (&fetch->series);
  g_clear_object (&fetch->comparison);
  g_clear_error (&fetch->error);
  g_object_unref (fetch->self);
  g_free (fetch);
}

static void
on_series_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ReadingsFetch *fetch = user_data;
  g_autoptr(GError) error = NULL;

  fetch->series = bd_client_get_readings_finish (BD_CLIENT (source), result, &error);
  if (fetch->series == NULL && fetch->error == NULL)
    fetch->error = g_steal_pointer (&error);
  readings_fetch_done (fetch);
}

static void
on_comparison_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ReadingsFetch *fetch = user_data;

  /* The comparison is a help, not a must: without it the chart still shows. */
  fetch->comparison = bd_client_get_readings_finish (BD_CLIENT (source), result, NULL);
  readings_fetch_done (fetch);
}

static void
load_cached_readings (BdPrepaidPanel *self)
{
  BdConsumerStore *store = get_store (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(BdReadingSeries) cached = NULL;
  gint64 fetched_at = 0;

  if (store == NULL || self->consumer == NULL)
    return;
  cached = bd_consumer_store_load_readings (store, bd_consumer_get_account (self->consumer), self->step,
                                            &fetched_at, &error);
  if (error != NULL)
    g_warning ("Cannot read the kept readings: %s", error->message);
  g_set_object (&self->series, cached);
  g_clear_object (&self->comparison);
  self->series_fetched_at = fetched_at;
  self->series_live = FALSE;
  show_series (self);
}

static void
fetch_readings (BdPrepaidPanel *self)
{
  BdClient *client = online_client (self);
  ReadingsFetch *fetch;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 from, to, prev_from, prev_to;

  if (self->consumer == NULL || client == NULL)
    return;
  g_cancellable_cancel (self->readings_cancellable);
  g_clear_object (&self->readings_cancellable);
  self->readings_cancellable = g_cancellable_new ();

  window_for (self->step, self->balance != NULL && self->balance->as_of > 0 ? MAX (now, self->balance->as_of) : now,
              FALSE, &from, &to);
  window_for (self->step, self->balance != NULL && self->balance->as_of > 0 ? MAX (now, self->balance->as_of) : now,
              TRUE, &prev_from, &prev_to);
  fetch = g_new0 (ReadingsFetch, 1);
  fetch->self = g_object_ref (self);
  fetch->pending = 2;
  fetch->step = self->step;
  bd_client_get_readings_async (client, bd_consumer_get_account (self->consumer), self->step, from, to,
                                self->readings_cancellable, on_series_cb, fetch);
  bd_client_get_readings_async (client, bd_consumer_get_account (self->consumer), self->step, prev_from, prev_to,
                                self->readings_cancellable, on_comparison_cb, fetch);
}

static void
on_step_toggled_cb (GtkToggleButton *button,
                    BdPrepaidPanel  *self)
{
  BdReadingStep step = self->step;

  if (!gtk_toggle_button_get_active (button))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (self->step_buttons); i++)
    if (button == self->step_buttons[i])
      step = (BdReadingStep) i;
  if (step == self->step)
    return;
  self->step = step;
  load_cached_readings (self);
  fetch_readings (self);
}

static void
on_unit_toggled_cb (GtkToggleButton *button,
                    BdPrepaidPanel  *self)
{
  bd_usage_chart_set_unit (self->chart, gtk_toggle_button_get_active (self->rupees_button)
                                              ? BD_CHART_UNIT_RUPEES : BD_CHART_UNIT_KWH);
}

static void
on_compare_toggled_cb (GtkCheckButton *button,
                       BdPrepaidPanel *self)
{
  bd_usage_chart_set_comparison (self->chart, gtk_check_button_get_active (button) ? self->comparison : NULL);
}

static void
on_reset_zoom_clicked_cb (GtkButton      *button,
                          BdPrepaidPanel *self)
{
  bd_usage_chart_reset_zoom (self->chart);
}

/* ---- balance and watching ---------------------------------------------- */

static void
save_balance (BdPrepaidPanel *self)
{
  BdConsumerStore *store = get_store (self);
  g_autoptr(GError) error = NULL;

  if (store != NULL && self->balance != NULL &&
      !bd_consumer_store_save_balance (store, self->balance, self->balance_fetched_at, &error))
    g_warning ("Cannot keep the balance: %s", error->message);
}

static void
on_balance_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(BdPrepaidPanel) self = user_data;
  g_autoptr(GError) error = NULL;
  BdBalance *balance = bd_client_get_balance_finish (BD_CLIENT (source), result, &error);

  if (balance == NULL)
    {
      if (!g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED) && self->balance == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("The balance could not be fetched: %s"), error->message);
          gtk_label_set_text (self->as_of_label, message);
        }
      return;
    }
  take_balance (self, balance, g_get_real_time () / G_USEC_PER_SEC, TRUE);
  save_balance (self);
  if (!self->watching)
    watch (self);
}

static gboolean
on_watch_retry_cb (gpointer user_data)
{
  BdPrepaidPanel *self = user_data;

  self->watch_retry_id = 0;
  watch (self);
  return G_SOURCE_REMOVE;
}

static void
on_watch_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(BdPrepaidPanel) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) balances = NULL;
  gint64 seq = 0;

  self->watching = FALSE;
  balances = bd_client_watch_finish (BD_CLIENT (source), result, &seq, &error);
  if (balances == NULL)
    {
      if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED))
        return;
      /* The server went away: show the balance as kept, and try again. */
      if (self->live)
        {
          self->live = FALSE;
          show_balance (self);
        }
      g_clear_handle_id (&self->watch_retry_id, g_source_remove);
      self->watch_retry_id = g_timeout_add_seconds (WATCH_RETRY_S, on_watch_retry_cb, self);
      return;
    }
  self->watch_seq = seq;
  for (guint i = 0; i < balances->len; i++)
    {
      BdBalance *balance = g_ptr_array_index (balances, i);

      if (self->consumer != NULL && g_strcmp0 (balance->account, bd_consumer_get_account (self->consumer)) == 0)
        {
          take_balance (self, bd_balance_copy (balance), g_get_real_time () / G_USEC_PER_SEC, TRUE);
          save_balance (self);
        }
    }
  watch (self);
}

static void
watch (BdPrepaidPanel *self)
{
  BdClient *client = online_client (self);
  const char *accounts[2] = { NULL, NULL };

  if (client == NULL || self->consumer == NULL || self->watching || self->cancellable == NULL)
    return;
  accounts[0] = bd_consumer_get_account (self->consumer);
  self->watching = TRUE;
  bd_client_watch_async (client, accounts, self->watch_seq, self->watch_seq == 0 ? 0 : WATCH_TIMEOUT_S,
                         self->cancellable, on_watch_cb, g_object_ref (self));
}

/* ---- recharges ------------------------------------------------------------ */

static void
on_row_print_clicked_cb (GtkButton      *button,
                         BdPrepaidPanel *self)
{
  BdStoredRecharge *stored = g_object_get_data (G_OBJECT (button), "bd-recharge");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (stored != NULL && self->consumer != NULL)
    bd_recharge_print_receipt (stored, bd_consumer_get_display_name (self->consumer, FALSE),
                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL);
}

static void
show_recharges (BdPrepaidPanel *self)
{
  for (guint i = 0; i < self->recharge_rows->len; i++)
    adw_preferences_group_remove (self->recharges_group, g_ptr_array_index (self->recharge_rows, i));
  g_ptr_array_set_size (self->recharge_rows, 0);

  if (self->recharges == NULL || self->recharges->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No recharges on this desk yet"));
      adw_preferences_group_add (self->recharges_group, row);
      g_ptr_array_add (self->recharge_rows, row);
      return;
    }
  for (guint i = 0; i < self->recharges->len; i++)
    {
      BdStoredRecharge *stored = g_ptr_array_index (self->recharges, i);
      g_autofree char *title = bd_recharge_describe (stored->recharge);
      g_autofree char *taken = bd_time_format_ist (stored->recharge->created_at);
      g_autofree char *subtitle = NULL;
      GtkWidget *row = adw_action_row_new ();

      if (stored->recharge->receipt != NULL)
        /* Translators: "24-11-2026 10:15 IST · operator · Receipt RC-…" */
        subtitle = g_strdup_printf (_("%s · %s · Receipt %s"), taken, stored->recharge->created_by,
                                    stored->recharge->receipt);
      else if (stored->last_error != NULL && stored->outbox_state == BD_OUTBOX_STATE_REJECTED)
        subtitle = g_strdup_printf ("%s · %s — %s", taken, bd_stored_recharge_state_label (stored), stored->last_error);
      else
        subtitle = g_strdup_printf ("%s · %s", taken, bd_stored_recharge_state_label (stored));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      if (stored->recharge->receipt != NULL)
        {
          GtkWidget *print = gtk_button_new_from_icon_name ("printer-symbolic");
          g_autofree char *label = g_strdup_printf (_("Print receipt %s"), stored->recharge->receipt);

          gtk_widget_set_valign (print, GTK_ALIGN_CENTER);
          gtk_widget_add_css_class (print, "flat");
          gtk_widget_set_tooltip_text (print, label);
          gtk_accessible_update_property (GTK_ACCESSIBLE (print), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
          g_object_set_data (G_OBJECT (print), "bd-recharge", stored);
          g_signal_connect (print, "clicked", G_CALLBACK (on_row_print_clicked_cb), self);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), print);
        }
      else
        {
          GtkWidget *tag = gtk_label_new (stored->outbox_state == BD_OUTBOX_STATE_REJECTED ? _("Refused") : _("Pending"));

          gtk_widget_add_css_class (tag, "tag");
          gtk_widget_add_css_class (tag, stored->outbox_state == BD_OUTBOX_STATE_REJECTED ? "negative" : "emergency");
          gtk_widget_set_valign (tag, GTK_ALIGN_CENTER);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), tag);
        }
      adw_preferences_group_add (self->recharges_group, row);
      g_ptr_array_add (self->recharge_rows, row);
    }
}

static void
load_recharges (BdPrepaidPanel *self)
{
  BdConsumerStore *store = get_store (self);
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->recharges, g_ptr_array_unref);
  if (store != NULL && self->consumer != NULL)
    {
      self->recharges = bd_consumer_store_list_recharges (store, bd_consumer_get_account (self->consumer), 20, &error);
      if (self->recharges == NULL)
        g_warning ("Cannot list the recharges: %s", error->message);
    }
  show_recharges (self);
}

static void
on_recharges_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(BdPrepaidPanel) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = bd_client_list_recharges_finish (BD_CLIENT (source), result, &error);
  BdConsumerStore *store = get_store (self);

  if (list == NULL || store == NULL)
    return;
  if (!bd_consumer_store_apply_recharges (store, list, &error))
    g_warning ("Cannot keep the recharges: %s", error->message);
  load_recharges (self);
}

static void
on_item_changed_cb (BdPushWorker   *worker,
                    gint64          seq,
                    BdOutboxState   state,
                    BdPrepaidPanel *self)
{
  BdConsumerStore *store = get_store (self);
  g_autoptr(BdBalance) balance = NULL;
  gint64 fetched_at = 0;

  if (self->consumer == NULL || self->recharges == NULL)
    return;
  for (guint i = 0; i < self->recharges->len; i++)
    if (((BdStoredRecharge *) g_ptr_array_index (self->recharges, i))->outbox_seq == seq)
      {
        load_recharges (self);
        /* The answer carried the balance after the recharge. */
        if (state == BD_OUTBOX_STATE_DONE && store != NULL)
          {
            balance = bd_consumer_store_load_balance (store, bd_consumer_get_account (self->consumer), &fetched_at, NULL);
            if (balance != NULL)
              take_balance (self, g_steal_pointer (&balance), fetched_at, TRUE);
          }
        return;
      }
}

static void
on_recharge_taken_cb (BdRechargeDialog *dialog,
                      gpointer          stored,
                      BdPrepaidPanel   *self)
{
  load_recharges (self);
}

void
bd_prepaid_panel_recharge (BdPrepaidPanel *self)
{
  BdApplication *app = get_app (self);
  BdConsumerStore *store = get_store (self);
  BdSession *session = app != NULL ? bd_application_get_session (app) : NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  BdRechargeDialog *dialog;

  g_return_if_fail (BD_IS_PREPAID_PANEL (self));

  if (self->consumer == NULL || store == NULL || session == NULL || !bd_application_is_counter_staff (app))
    return;
  dialog = bd_recharge_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, store,
                                   bd_application_get_push_worker (app), session, self->consumer, self->balance);
  g_signal_connect_object (dialog, "recharge-taken", G_CALLBACK (on_recharge_taken_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_recharge_clicked_cb (GtkButton      *button,
                        BdPrepaidPanel *self)
{
  bd_prepaid_panel_recharge (self);
}

static void
on_refresh_clicked_cb (GtkButton      *button,
                       BdPrepaidPanel *self)
{
  bd_prepaid_panel_reload (self);
}

/* ---- life ------------------------------------------------------------------ */

static void
follow_push_worker (BdPrepaidPanel *self)
{
  BdApplication *app = get_app (self);
  BdPushWorker *worker = app != NULL ? bd_application_get_push_worker (app) : NULL;

  /* A new sign-in brings a new worker. */
  if (worker == self->watched_worker)
    return;
  if (self->watched_worker != NULL)
    g_signal_handlers_disconnect_by_data (self->watched_worker, self);
  g_set_object (&self->watched_worker, worker);
  if (worker != NULL)
    g_signal_connect (worker, "item-changed", G_CALLBACK (on_item_changed_cb), self);
}

static void
stop (BdPrepaidPanel *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->readings_cancellable);
  g_clear_object (&self->readings_cancellable);
  g_clear_handle_id (&self->watch_retry_id, g_source_remove);
  self->watching = FALSE;
  self->watch_seq = 0;
}

void
bd_prepaid_panel_reload (BdPrepaidPanel *self)
{
  BdConsumerStore *store;
  BdClient *client;
  g_autoptr(GError) error = NULL;
  BdBalance *cached;
  gint64 fetched_at = 0;

  g_return_if_fail (BD_IS_PREPAID_PANEL (self));

  stop (self);
  if (self->consumer == NULL)
    return;
  follow_push_worker (self);
  self->cancellable = g_cancellable_new ();
  store = get_store (self);
  client = online_client (self);

  /* What the desk kept, at once; the server's answer replaces it. */
  if (store != NULL && self->balance == NULL)
    {
      cached = bd_consumer_store_load_balance (store, bd_consumer_get_account (self->consumer), &fetched_at, &error);
      if (cached != NULL)
        take_balance (self, cached, fetched_at, FALSE);
    }
  show_balance (self);
  if (self->series == NULL)
    load_cached_readings (self);
  load_recharges (self);

  if (client == NULL)
    return;
  bd_client_get_balance_async (client, bd_consumer_get_account (self->consumer), self->cancellable,
                               on_balance_cb, g_object_ref (self));
  bd_client_list_recharges_async (client, bd_consumer_get_account (self->consumer), self->cancellable,
                                  on_recharges_cb, g_object_ref (self));
  fetch_readings (self);
}

void
bd_prepaid_panel_set_consumer (BdPrepaidPanel *self,
                               BdConsumer     *consumer)
{
  gboolean same;

  g_return_if_fail (BD_IS_PREPAID_PANEL (self));

  same = self->consumer != NULL && consumer != NULL &&
         g_strcmp0 (bd_consumer_get_account (self->consumer), bd_consumer_get_account (consumer)) == 0;
  g_set_object (&self->consumer, consumer);
  if (same)
    return;
  stop (self);
  g_clear_pointer (&self->balance, bd_balance_free);
  g_clear_object (&self->series);
  g_clear_object (&self->comparison);
  g_clear_pointer (&self->recharges, g_ptr_array_unref);
  bd_usage_chart_reset_zoom (self->chart);
  if (consumer == NULL)
    {
      show_balance (self);
      show_series (self);
      show_recharges (self);
      return;
    }
  if (gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    bd_prepaid_panel_reload (self);
}

const BdBalance *
bd_prepaid_panel_get_balance (BdPrepaidPanel *self)
{
  g_return_val_if_fail (BD_IS_PREPAID_PANEL (self), NULL);
  return self->balance;
}

BdReadingSeries *
bd_prepaid_panel_get_series (BdPrepaidPanel *self)
{
  g_return_val_if_fail (BD_IS_PREPAID_PANEL (self), NULL);
  return self->series;
}

static void
bd_prepaid_panel_root (GtkWidget *widget)
{
  BdPrepaidPanel *self = BD_PREPAID_PANEL (widget);

  GTK_WIDGET_CLASS (bd_prepaid_panel_parent_class)->root (widget);
  if (self->consumer != NULL && self->cancellable == NULL)
    bd_prepaid_panel_reload (self);
}

static void
bd_prepaid_panel_unroot (GtkWidget *widget)
{
  BdPrepaidPanel *self = BD_PREPAID_PANEL (widget);

  stop (self);
  if (self->watched_worker != NULL)
    g_signal_handlers_disconnect_by_data (self->watched_worker, self);
  g_clear_object (&self->watched_worker);
  GTK_WIDGET_CLASS (bd_prepaid_panel_parent_class)->unroot (widget);
}

static void
bd_prepaid_panel_dispose (GObject *object)
{
  BdPrepaidPanel *self = BD_PREPAID_PANEL (object);

  stop (self);
  if (self->watched_worker != NULL)
    g_signal_handlers_disconnect_by_data (self->watched_worker, self);
  g_clear_object (&self->watched_worker);
  g_clear_object (&self->consumer);
  g_clear_pointer (&self->balance, bd_balance_free);
  g_clear_object (&self->series);
  g_clear_object (&self->comparison);
  g_clear_pointer (&self->recharges, g_ptr_array_unref);
  g_clear_pointer (&self->recharge_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (bd_prepaid_panel_parent_class)->dispose (object);
}

static void
bd_prepaid_panel_class_init (BdPrepaidPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bd_prepaid_panel_dispose;
  widget_class->root = bd_prepaid_panel_root;
  widget_class->unroot = bd_prepaid_panel_unroot;

  signals[BALANCE_CHANGED] =
    g_signal_new ("balance-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static GtkLabel *
info_label (GtkBox *box)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_box_append (box, label);
  return GTK_LABEL (label);
}

static void
bd_prepaid_panel_init (BdPrepaidPanel *self)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *card_top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *card_title = gtk_label_new (_("Prepaid balance"));
  GtkWidget *card_buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *refresh = gtk_button_new_from_icon_name ("view-refresh-symbolic");
  GtkWidget *usage = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *usage_title = gtk_label_new (_("Consumption"));
  GtkWidget *controls = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *steps = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *units = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *kwh_button;
  GtkWidget *reset = gtk_button_new_from_icon_name ("zoom-original-symbolic");
  static const char * const step_labels[] = { N_("15 Minutes"), N_("Daily"), N_("Monthly") };

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  self->recharge_rows = g_ptr_array_new ();
  self->step = BD_READING_STEP_DAY;

  /* The balance card. */
  gtk_widget_add_css_class (card, "card");
  gtk_widget_add_css_class (card, "balance-card");
  gtk_widget_add_css_class (card_title, "heading");
  gtk_label_set_xalign (GTK_LABEL (card_title), 0);
  gtk_widget_set_hexpand (card_title, TRUE);
  self->state_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "tag");
  gtk_box_append (GTK_BOX (card_top), card_title);
  gtk_box_append (GTK_BOX (card_top), GTK_WIDGET (self->state_label));
  gtk_box_append (GTK_BOX (card), card_top);
  self->amount_label = GTK_LABEL (gtk_label_new ("—"));
  gtk_label_set_xalign (self->amount_label, 0);
  gtk_label_set_selectable (self->amount_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->amount_label), "balance");
  gtk_box_append (GTK_BOX (card), GTK_WIDGET (self->amount_label));
  self->as_of_label = info_label (GTK_BOX (card));
  gtk_widget_add_css_class (GTK_WIDGET (self->as_of_label), "dim-label");
  self->days_label = info_label (GTK_BOX (card));
  self->outlook_label = info_label (GTK_BOX (card));
  gtk_widget_add_css_class (GTK_WIDGET (self->outlook_label), "heading");
  self->meter_label = info_label (GTK_BOX (card));
  self->month_label = info_label (GTK_BOX (card));
  gtk_widget_add_css_class (GTK_WIDGET (self->month_label), "dim-label");
  self->recharge_button = GTK_BUTTON (bd_mnemonic_button_new (_("_Recharge…")));
  gtk_widget_add_css_class (GTK_WIDGET (self->recharge_button), "suggested-action");
  g_signal_connect (self->recharge_button, "clicked", G_CALLBACK (on_recharge_clicked_cb), self);
  gtk_widget_set_tooltip_text (refresh, _("Fetch the balance and readings again"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (refresh), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Refresh balance"), -1);
  g_signal_connect (refresh, "clicked", G_CALLBACK (on_refresh_clicked_cb), self);
  gtk_box_append (GTK_BOX (card_buttons), GTK_WIDGET (self->recharge_button));
  gtk_box_append (GTK_BOX (card_buttons), refresh);
  gtk_widget_set_margin_top (card_buttons, 6);
  gtk_box_append (GTK_BOX (card), card_buttons);
  gtk_box_append (GTK_BOX (content), card);

  /* The chart and its controls. */
  gtk_widget_add_css_class (usage_title, "heading");
  gtk_label_set_xalign (GTK_LABEL (usage_title), 0);
  gtk_box_append (GTK_BOX (usage), usage_title);
  gtk_widget_add_css_class (steps, "linked");
  for (guint i = 0; i < G_N_ELEMENTS (step_labels); i++)
    {
      GtkWidget *button = gtk_toggle_button_new_with_label (_(step_labels[i]));

      if (i > 0)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), self->step_buttons[0]);
      self->step_buttons[i] = GTK_TOGGLE_BUTTON (button);
      gtk_box_append (GTK_BOX (steps), button);
    }
  gtk_toggle_button_set_active (self->step_buttons[BD_READING_STEP_DAY], TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (step_labels); i++)
    g_signal_connect (self->step_buttons[i], "toggled", G_CALLBACK (on_step_toggled_cb), self);
  gtk_widget_add_css_class (units, "linked");
  kwh_button = gtk_toggle_button_new_with_label (_("kWh"));
  self->rupees_button = GTK_TOGGLE_BUTTON (gtk_toggle_button_new_with_label ("₹"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->rupees_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Rupees"), -1);
  gtk_toggle_button_set_group (self->rupees_button, GTK_TOGGLE_BUTTON (kwh_button));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (kwh_button), TRUE);
  g_signal_connect (self->rupees_button, "toggled", G_CALLBACK (on_unit_toggled_cb), self);
  gtk_box_append (GTK_BOX (units), kwh_button);
  gtk_box_append (GTK_BOX (units), GTK_WIDGET (self->rupees_button));
  self->compare_check = GTK_CHECK_BUTTON (gtk_check_button_new_with_label (_("Compare with the same period last month")));
  gtk_check_button_set_active (self->compare_check, TRUE);
  g_signal_connect (self->compare_check, "toggled", G_CALLBACK (on_compare_toggled_cb), self);
  gtk_widget_set_tooltip_text (reset, _("Show the whole period (Home)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (reset), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Reset zoom"), -1);
  g_signal_connect (reset, "clicked", G_CALLBACK (on_reset_zoom_clicked_cb), self);
  /* Two rows, so the record still fits a narrow window of its own. */
  gtk_box_append (GTK_BOX (controls), steps);
  gtk_box_append (GTK_BOX (controls), units);
  gtk_box_append (GTK_BOX (controls), reset);
  gtk_box_append (GTK_BOX (usage), controls);
  gtk_box_append (GTK_BOX (usage), GTK_WIDGET (self->compare_check));
  self->chart = BD_USAGE_CHART (bd_usage_chart_new ());
  gtk_widget_set_size_request (GTK_WIDGET (self->chart), -1, 280);
  gtk_widget_set_vexpand (GTK_WIDGET (self->chart), TRUE);
  gtk_box_append (GTK_BOX (usage), GTK_WIDGET (self->chart));
  self->updated_label = info_label (GTK_BOX (usage));
  gtk_widget_add_css_class (GTK_WIDGET (self->updated_label), "dim-label");
  self->totals_label = info_label (GTK_BOX (usage));
  gtk_box_append (GTK_BOX (content), usage);

  self->recharges_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->recharges_group, _("Recharges"));
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->recharges_group));

  gtk_widget_set_margin_top (content, 18);
  gtk_widget_set_margin_bottom (content, 24);
  gtk_widget_set_margin_start (content, 12);
  gtk_widget_set_margin_end (content, 12);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 1100);
  adw_clamp_set_child (ADW_CLAMP (clamp), content);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (self), scroller);

  show_balance (self);
  show_recharges (self);
}

GtkWidget *
bd_prepaid_panel_new (void)
{
  return g_object_new (BD_TYPE_PREPAID_PANEL, NULL);
}
