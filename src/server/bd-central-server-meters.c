/* bd-central-server-meters.c: the prepaid endpoints of /api/v1 and the
 * head-end's clock.
 *
 *   GET  consumers/{account}/balance
 *   GET  consumers/{account}/readings?step=15m|day|month&from=…&to=…
 *   GET  consumers/{account}/recharges      POST (Idempotency-Key)
 *   GET  meters/watch?accounts=a,b&since=N&timeout=S   (long poll)
 *   GET  prepaid/rules
 *
 * The meters run on a clock that --time-scale may speed up for demos and
 * tests: simulated time starts at the real time the first server started
 * and runs time-scale times faster. Every time a meter answer carries is
 * on that clock. Processes sharing a database share the clock: the one
 * running the head-end writes where it stands at every tick (meter_clock),
 * the others set theirs by it, and one starting while another runs joins
 * it rather than starting over.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "core/bd-codec.h"
#include "core/bd-tariff.h"
#include "core/bd-time.h"

#include "bd-central-db-meters.h"
#include "bd-central-db-recharges.h"
#include "bd-central-db-requests.h"
#include "bd-central-server-private.h"

#define WATCH_MAX_ACCOUNTS 20
#define WATCH_DEFAULT_TIMEOUT_S 25
#define WATCH_POLL_MS 500

gint64
_bd_central_meter_now (BdCentralServer *self)
{
  gint64 real = g_get_real_time () / G_USEC_PER_SEC;

  if (self->time_scale <= 1.0 || self->clock_real_ms == 0)
    return real;
  return self->clock_sim +
         (gint64) ((double) (g_get_real_time () / 1000 - self->clock_real_ms) * self->time_scale / 1000.0);
}

/* The head-end --------------------------------------------------------- */

/* Sets this process's clock by the one the database keeps, when it runs at
 * the same speed and was written recently enough that its writer still
 * runs (within max_age_s). FALSE if it does not. */
static gboolean
adopt_shared_clock (BdCentralServer *self,
                    gint64           max_age_s)
{
  g_autoptr(GError) error = NULL;
  gint64 real_ms = g_get_real_time () / 1000;
  gint64 sim_at;
  gint64 real_at_ms;
  gint64 scale_milli;

  if (!bd_central_db_meter_clock_get (self->db, &sim_at, &real_at_ms, &scale_milli, &error))
    {
      if (error != NULL)
        g_printerr ("bijli-central: reading the meters' clock failed: %s\n", error->message);
      return FALSE;
    }
  if (scale_milli != (gint64) (self->time_scale * 1000.0) ||
      real_ms - real_at_ms > max_age_s * 1000 || real_at_ms > real_ms + 5000)
    return FALSE;
  self->clock_sim = sim_at;
  self->clock_real_ms = real_at_ms;
  return TRUE;
}

static void
follow_shared_clock (BdCentralServer *self)
{
  if (self->time_scale > 1.0)
    adopt_shared_clock (self, G_MAXINT64 / 1000);
}

static gboolean
on_meter_tick_cb (gpointer user_data)
{
  BdCentralServer *self = BD_CENTRAL_SERVER (user_data);
  g_autoptr(GError) error = NULL;
  BdMeterTickStats stats;
  guint done = 0;

  /* Several bijli-central processes on one PostgreSQL database: only the
   * elected one runs the head-end, or each reading would be taken once
   * per process. The others keep asking, to take over if it stops, and
   * keep their clock on the leader's. */
  if (!bd_central_db_try_lead (self->db, "meter-simulator", &error))
    {
      if (error != NULL)
        g_printerr ("bijli-central: meter election failed: %s\n", error->message);
      else
        follow_shared_clock (self);
      return G_SOURCE_CONTINUE;
    }
  if (self->time_scale > 1.0)
    {
      /* Where this clock stands now, exactly: the anchor it extrapolates from. */
      gint64 real_ms = g_get_real_time () / 1000;
      gint64 sim = self->clock_sim +
                   (gint64) ((double) (real_ms - self->clock_real_ms) * self->time_scale / 1000.0);

      if (!bd_central_db_meter_clock_set (self->db, sim, real_ms,
                                          (gint64) (self->time_scale * 1000.0), &error))
        {
          g_printerr ("bijli-central: keeping the meters' clock failed: %s\n", error->message);
          g_clear_error (&error);
        }
    }

  if (!bd_central_db_meters_tick (self->db, _bd_central_meter_now (self), &stats, &error))
    {
      /* Busy or full disks pass; the next tick catches up. */
      g_printerr ("bijli-central: meter tick failed: %s\n", error->message);
      return G_SOURCE_CONTINUE;
    }
  if (!bd_central_db_requests_execute (self->db, _bd_central_meter_now (self), &done, &error))
    {
      g_printerr ("bijli-central: carrying out requests failed: %s\n", error->message);
      g_clear_error (&error);
    }
  if (stats.alerts > 0 || stats.disconnected > 0 || done > 0)
    bd_central_sms_kick (self->sms);
  if (stats.disconnected > 0 || stats.field_tasks > 0)
    g_printerr ("bijli-central: meters: %u readings from %u meters, %u alerts, %u cut, %u need a visit\n",
                stats.readings, stats.meters_read, stats.alerts, stats.disconnected, stats.field_tasks);
  return G_SOURCE_CONTINUE;
}

gboolean
bd_central_server_start_meters (BdCentralServer  *self,
                                guint32           seed,
                                double            time_scale,
                                GError          **error)
{
  gint64 added;
  guint interval_ms;

  g_return_val_if_fail (BD_IS_CENTRAL_SERVER (self), FALSE);
  g_return_val_if_fail (time_scale >= 1.0, FALSE);

  self->time_scale = time_scale;
  self->clock_real_ms = g_get_real_time () / 1000;
  self->clock_sim = self->clock_real_ms / 1000;
  /* A clock written in the last few ticks has a process running it: join
   * it. Otherwise simulated time starts over from now. */
  if (time_scale > 1.0 &&
      !adopt_shared_clock (self, MAX (5, 3 * (gint64) CLAMP (900.0 / time_scale, 0.5, 60.0) + 2)) &&
      !bd_central_db_meter_clock_set (self->db, self->clock_sim, self->clock_real_ms,
                                      (gint64) (time_scale * 1000.0), error))
    return FALSE;
  added = bd_central_db_meters_provision (self->db, seed, _bd_central_meter_now (self), error);
  if (added < 0)
    return FALSE;
  if (added > 0)
    {
      g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, added);
      g_printerr (_("Simulating %s new smart meters.\n"), count);
    }

  /* A quarter hour of meter time, but at least twice a second and at
   * most once a minute of real time, so readings arrive promptly. */
  interval_ms = (guint) CLAMP (900000.0 / time_scale, 500.0, 60000.0);
  self->meter_source = g_timeout_add_full (G_PRIORITY_LOW, interval_ms, on_meter_tick_cb, self, NULL);
  on_meter_tick_cb (self);
  return TRUE;
}

void
_bd_central_stop_meters (BdCentralServer *self)
{
  g_clear_handle_id (&self->meter_source, g_source_remove);
}

/* Answers --------------------------------------------------------------- */

static gboolean
parse_time_param (SoupServerMessage *msg,
                  GHashTable        *query,
                  const char        *name,
                  gint64             fallback,
                  gint64            *out)
{
  const char *text = _bd_central_query_get (query, name);

  if (text == NULL || *text == '\0')
    {
      *out = fallback;
      return TRUE;
    }
  if (!bd_time_from_iso8601 (text, out))
    {
      g_autofree char *message = g_strdup_printf (_("“%s” must be a date and time like 2026-11-24T10:00:00Z."), name);
      _bd_central_respond_invalid_request (msg, message);
      return FALSE;
    }
  return TRUE;
}

static void
handle_balance (BdCentralServer   *self,
                SoupServerMessage *msg,
                BdSession         *session,
                const char        *account)
{
  g_autoptr(BdBalance) balance = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  balance = bd_central_db_meter_balance (self->db, bd_session_get_zone (session), account,
                                         _bd_central_meter_now (self), &error);
  if (balance == NULL)
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }
  node = bd_balance_to_json (balance);
  _bd_central_respond_json (msg, SOUP_STATUS_OK, node);
}

static void
handle_readings (BdCentralServer   *self,
                 SoupServerMessage *msg,
                 BdSession         *session,
                 const char        *account,
                 GHashTable        *query)
{
  const char *step_text = _bd_central_query_get (query, "step");
  g_autoptr(BdReadingSeries) series = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = _bd_central_meter_now (self);
  BdReadingStep step = BD_READING_STEP_DAY;
  gint64 from, to;

  if (step_text != NULL && !bd_reading_step_from_string (step_text, &step))
    {
      _bd_central_respond_invalid_request (msg, _("“step” must be 15m, day or month."));
      return;
    }
  if (!parse_time_param (msg, query, "to", now, &to) ||
      !parse_time_param (msg, query, "from", to - 30 * 86400, &from))
    return;

  series = bd_central_db_meter_readings (self->db, bd_session_get_zone (session), account, step, from, to, now,
                                         &error);
  if (series == NULL)
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }
  node = bd_reading_series_to_json (series);
  _bd_central_respond_json (msg, SOUP_STATUS_OK, node);
}

static void
handle_recharge_list (BdCentralServer   *self,
                      SoupServerMessage *msg,
                      BdSession         *session,
                      const char        *account,
                      GHashTable        *query)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  guint limit;

  if (!_bd_central_parse_limit (msg, query, 20, 200, &limit))
    return;
  list = bd_central_db_recharge_list (self->db, bd_session_get_zone (session), account, limit, &error);
  if (list == NULL)
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "recharges");
  json_builder_begin_array (builder);
  for (guint i = 0; i < list->len; i++)
    json_builder_add_value (builder, bd_recharge_to_json (g_ptr_array_index (list, i)));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  _bd_central_respond_json (msg, SOUP_STATUS_OK, node);
}

static void
handle_recharge_create (BdCentralServer   *self,
                        SoupServerMessage *msg,
                        BdSession         *session,
                        const char        *account)
{
  static const char * const allowed[] = { "local_id", "amount_paise", "mode", "reference", "created_at", NULL };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(BdRecharge) recharge = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *request_hash = NULL;
  g_autofree char *body = NULL;
  const char *key;
  gboolean replayed = FALSE;
  guint status = 0;

  /* Agents never get here: counter_only () in bd-central-server.c. */
  key = _bd_central_idempotency_key (msg);
  if (key == NULL)
    return;
  request = _bd_central_read_json_object (msg, &bytes);
  if (request == NULL || !_bd_central_check_members (msg, request, allowed))
    return;
  request_hash = _bd_central_request_hash (account, bytes);
  node = json_node_init_object (json_node_alloc (), request);
  recharge = bd_recharge_request_from_json (account, node, &error);
  if (recharge == NULL)
    {
      g_autoptr(GError) amount_error = NULL;
      JsonNode *amount = json_object_get_member (request, "amount_paise");

      /* Say what was wrong in the operator's words where we can. */
      if (amount != NULL && JSON_NODE_HOLDS_VALUE (amount) &&
          json_node_get_value_type (amount) == G_TYPE_INT64 &&
          !bd_recharge_amount_check (json_node_get_int (amount), &amount_error))
        _bd_central_respond_invalid_request (msg, amount_error->message);
      else
        _bd_central_respond_invalid_request (msg, error->message);
      return;
    }

  if (!bd_central_db_recharge_create (self->db, bd_session_get_zone (session), recharge, key, request_hash,
                                      bd_session_get_username (session), bd_session_get_role (session),
                                      _bd_central_meter_now (self), &status, &body, &replayed, &error))
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }
  bd_central_sms_kick (self->sms);
  _bd_central_respond_stored (msg, status, g_steal_pointer (&body), replayed);
}

void
_bd_central_handle_consumer_meter (BdCentralServer   *self,
                                   SoupServerMessage *msg,
                                   BdSession         *session,
                                   BdCentralMeterRoute route,
                                   const char        *segment,
                                   GHashTable        *query)
{
  g_autofree char *account = _bd_central_parse_account (msg, segment);

  if (account == NULL)
    return;
  switch (route)
    {
    case BD_CENTRAL_METER_ROUTE_BALANCE:
      handle_balance (self, msg, session, account);
      break;
    case BD_CENTRAL_METER_ROUTE_READINGS:
      handle_readings (self, msg, session, account, query);
      break;
    case BD_CENTRAL_METER_ROUTE_RECHARGES:
    default:
      if (g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_POST))
        handle_recharge_create (self, msg, session, account);
      else
        handle_recharge_list (self, msg, session, account, query);
      break;
    }
}

/* Watching: a long poll ---------------------------------------------------- */

typedef struct {
  BdCentralServer   *self;
  SoupServerMessage *msg;
  char              *zone;
  GStrv              accounts;
  gint64             since;
  gint64             deadline_us;
  guint              source;
  gulong             finished_handler;
} Watch;

static void
watch_free (Watch *watch)
{
  g_clear_handle_id (&watch->source, g_source_remove);
  if (watch->finished_handler != 0)
    g_signal_handler_disconnect (watch->msg, watch->finished_handler);
  g_object_unref (watch->msg);
  g_object_unref (watch->self);
  g_free (watch->zone);
  g_strfreev (watch->accounts);
  g_free (watch);
}

/* Answers when something changed or the time is up; FALSE if it did. */
static gboolean
watch_try (Watch    *watch,
           gboolean  final)
{
  g_autoptr(GPtrArray) changed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) node = NULL;
  gint64 seq = watch->since;

  changed = bd_central_db_meters_changed (watch->self->db, watch->zone, (const char * const *) watch->accounts,
                                          watch->since, _bd_central_meter_now (watch->self), &seq, &error);
  if (changed == NULL)
    {
      _bd_central_respond_failure (watch->msg, error, -1, -1);
      return FALSE;
    }
  if (changed->len == 0 && !final)
    return TRUE;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, seq);
  json_builder_set_member_name (builder, "balances");
  json_builder_begin_array (builder);
  for (guint i = 0; i < changed->len; i++)
    json_builder_add_value (builder, bd_balance_to_json (g_ptr_array_index (changed, i)));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  _bd_central_respond_json (watch->msg, SOUP_STATUS_OK, node);
  return FALSE;
}

static gboolean
on_watch_poll_cb (gpointer user_data)
{
  Watch *watch = user_data;
  gboolean final = g_get_monotonic_time () >= watch->deadline_us;

  if (watch_try (watch, final))
    return G_SOURCE_CONTINUE;
  watch->source = 0;
  soup_server_message_unpause (watch->msg);
  watch_free (watch);
  return G_SOURCE_REMOVE;
}

static void
on_watch_finished_cb (SoupServerMessage *msg,
                      gpointer           user_data)
{
  Watch *watch = user_data;

  /* The desk went away before an answer: stop polling for it. */
  watch->finished_handler = 0;
  g_signal_handlers_disconnect_by_data (msg, watch);
  watch_free (watch);
}

void
_bd_central_handle_watch (BdCentralServer   *self,
                          SoupServerMessage *msg,
                          BdSession         *session,
                          GHashTable        *query)
{
  const char *accounts_text = _bd_central_query_get (query, "accounts");
  const char *since_text = _bd_central_query_get (query, "since");
  const char *timeout_text = _bd_central_query_get (query, "timeout");
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func (g_free);
  guint64 since = 0, timeout = WATCH_DEFAULT_TIMEOUT_S;
  Watch *watch;

  if (accounts_text == NULL || *accounts_text == '\0')
    {
      _bd_central_respond_invalid_request (msg, _("“accounts” lists the account numbers to watch, separated by commas."));
      return;
    }
  parts = g_strsplit (accounts_text, ",", WATCH_MAX_ACCOUNTS + 2);
  if (g_strv_length (parts) > WATCH_MAX_ACCOUNTS)
    {
      _bd_central_respond_invalid_request (msg, _("A desk can watch at most 20 accounts at a time."));
      return;
    }
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *account = _bd_central_parse_account (msg, parts[i]);
      if (account == NULL)
        return;
      g_ptr_array_add (accounts, account);
    }
  g_ptr_array_add (accounts, NULL);
  if (since_text != NULL && !_bd_central_parse_decimal (since_text, 0, G_MAXINT64, &since))
    {
      _bd_central_respond_invalid_request (msg, _("“since” must be the seq of the last answer, or 0."));
      return;
    }
  if (timeout_text != NULL && !_bd_central_parse_decimal (timeout_text, 0, 60, &timeout))
    {
      _bd_central_respond_invalid_request (msg, _("“timeout” must be a whole number of seconds from 0 to 60."));
      return;
    }

  watch = g_new0 (Watch, 1);
  watch->self = g_object_ref (self);
  watch->msg = g_object_ref (msg);
  watch->zone = g_strdup (bd_session_get_zone (session));
  watch->accounts = (GStrv) g_ptr_array_free (g_steal_pointer (&accounts), FALSE);
  watch->since = (gint64) since;
  watch->deadline_us = g_get_monotonic_time () + (gint64) timeout * G_USEC_PER_SEC;
  if (!watch_try (watch, timeout == 0))
    {
      watch_free (watch);
      return;
    }
  soup_server_message_pause (msg);
  watch->finished_handler = g_signal_connect (msg, "finished", G_CALLBACK (on_watch_finished_cb), watch);
  watch->source = g_timeout_add (WATCH_POLL_MS, on_watch_poll_cb, watch);
}

void
_bd_central_handle_prepaid_rules (BdCentralServer   *self,
                                  SoupServerMessage *msg)
{
  g_autoptr(BdPrepaidRules) rules = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GArray) tariffs = NULL;

  rules = bd_central_db_prepaid_rules (self->db, _bd_central_meter_now (self), &error);
  if (rules == NULL)
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }
  tariffs = bd_central_db_tariff_table (self->db, _bd_central_meter_now (self), &error);
  if (tariffs == NULL)
    {
      _bd_central_respond_failure (msg, error, -1, -1);
      return;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "rules");
  json_builder_add_value (builder, bd_prepaid_rules_to_json (rules));
  json_builder_set_member_name (builder, "tariffs");
  json_builder_begin_array (builder);
  for (guint i = 0; i < tariffs->len; i++)
    json_builder_add_value (builder, bd_tariff_to_json (&g_array_index (tariffs, BdTariff, i)));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  _bd_central_respond_json (msg, SOUP_STATUS_OK, node);
}
