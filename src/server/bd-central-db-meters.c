/* bd-central-db-meters.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "core/bd-codec.h"
#include "core/bd-disconnection-rules.h"
#include "core/bd-load-profile.h"
#include "core/bd-money.h"
#include "core/bd-prepaid-rules.h"
#include "core/bd-tariff.h"
#include "core/bd-time.h"
#include "store/bd-database.h"

#include "bd-central-db-meters.h"
#include "bd-central-db-meters-private.h"
#include "bd-central-db-private.h"

/* A meter back from a long silence sends at most this much backlog. */
#define MAX_BACKLOG_S (30 * 86400)
/* Meters per transaction in a tick. */
#define TICK_BATCH 400


void
_bd_meter_row_clear (MeterRow *row)
{
  g_free (row->account);
  g_free (row->zone);
  g_free (row->category);
  g_free (row->mobile);
  memset (row, 0, sizeof *row);
}


#define METER_SELECT \
  "SELECT m.account, c.zone, c.category, c.area_type, c.meter_type, c.supply_status, " \
  "  c.sanctioned_load_w, c.mobile, c.balance_paise, m.kind, m.seed, m.base_w, m.peak_w, " \
  "  m.cooling_w, m.limit_w, m.silent_from, m.silent_until, m.history_from, m.last_slot, " \
  "  m.last_contact_at, m.register_wh, m.month_start, m.month_wh, m.month_paise, m.fixed_day, " \
  "  m.zero_since, m.alerts_sent, m.last_recharge_paise, m.last_recharge_at, m.live_seq, " \
  "  m.reconnect_pending " \
  "FROM meters m JOIN consumers c ON c.account = m.account "

static void
meter_row_read (BdSqlStmt *stmt,
                MeterRow     *row)
{
  BdLoadKind kind = BD_LOAD_HOUSEHOLD;

  row->account = g_strdup (_bd_central_column_text (stmt, 0));
  row->zone = g_strdup (_bd_central_column_text (stmt, 1));
  row->category = g_strdup (_bd_central_column_text (stmt, 2));
  bd_area_type_from_string (_bd_central_column_text (stmt, 3), &row->area_type);
  bd_meter_type_from_string (_bd_central_column_text (stmt, 4), &row->meter_type);
  bd_supply_status_from_string (_bd_central_column_text (stmt, 5), &row->supply);
  row->load_w = bd_sql_stmt_column_int64 (stmt, 6);
  row->mobile = bd_sql_stmt_column_is_null (stmt, 7) ? NULL
                : g_strdup (_bd_central_column_text (stmt, 7));
  row->balance_paise = bd_sql_stmt_column_int64 (stmt, 8);
  bd_load_kind_from_string (_bd_central_column_text (stmt, 9), &kind);
  row->profile.kind = kind;
  row->profile.seed = (guint64) bd_sql_stmt_column_int64 (stmt, 10);
  row->profile.base_w = bd_sql_stmt_column_int64 (stmt, 11);
  row->profile.peak_w = bd_sql_stmt_column_int64 (stmt, 12);
  row->profile.cooling_w = bd_sql_stmt_column_int64 (stmt, 13);
  row->profile.limit_w = bd_sql_stmt_column_int64 (stmt, 14);
  row->profile.silent_from = bd_sql_stmt_column_int64 (stmt, 15);
  row->profile.silent_until = bd_sql_stmt_column_int64 (stmt, 16);
  row->history_from = bd_sql_stmt_column_int64 (stmt, 17);
  row->last_slot = bd_sql_stmt_column_int64 (stmt, 18);
  row->last_contact_at = bd_sql_stmt_column_int64 (stmt, 19);
  row->register_wh = bd_sql_stmt_column_int64 (stmt, 20);
  row->month_start = bd_sql_stmt_column_int64 (stmt, 21);
  row->month_wh = bd_sql_stmt_column_int64 (stmt, 22);
  row->month_paise = bd_sql_stmt_column_int64 (stmt, 23);
  row->fixed_day = bd_sql_stmt_column_int64 (stmt, 24);
  row->zero_since = bd_sql_stmt_column_int64 (stmt, 25);
  row->alerts_sent = bd_sql_stmt_column_int64 (stmt, 26);
  row->last_recharge_paise = bd_sql_stmt_column_int64 (stmt, 27);
  row->last_recharge_at = bd_sql_stmt_column_int64 (stmt, 28);
  row->live_seq = bd_sql_stmt_column_int64 (stmt, 29);
  row->reconnect_pending = bd_sql_stmt_column_int64 (stmt, 30) != 0;
}

/* FALSE with NOT_FOUND when the account has no simulated meter (or is
 * another zone's, when zone is given). */
gboolean
_bd_meter_row_load (BdCentralDb  *self,
                const char   *zone,
                const char   *account,
                MeterRow     *row,
                gboolean     *found,
                GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  int rc;

  stmt = bd_sql_connection_prepare (self->sql, METER_SELECT "WHERE m.account = ?1 AND (?2 IS NULL OR c.zone = ?2)",
                              error);
  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (stmt, 1, account);
  _bd_central_bind_text_or_null (stmt, 2, zone);
  rc = bd_sql_stmt_step (stmt);
  if (rc == BD_SQL_ROW)
    {
      meter_row_read (stmt, row);
      *found = TRUE;
      return TRUE;
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "meter");
      return FALSE;
    }
  *found = FALSE;
  return TRUE;
}

static gint64
next_live_seq (BdCentralDb  *self,
               GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  gint64 seq;

  stmt = bd_sql_connection_prepare (self->sql,
                              "UPDATE meter_live_counter SET seq = seq + 1 WHERE id = 1 RETURNING seq", error);
  if (stmt == NULL)
    return -1;
  if (bd_sql_stmt_step (stmt) != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "live sequence");
      return -1;
    }
  seq = bd_sql_stmt_column_int64 (stmt, 0);
  return seq;
}

gboolean
_bd_meter_row_store (BdCentralDb  *self,
                 MeterRow     *row,
                 GError      **error)
{
  g_autoptr(BdSqlStmt) meter = NULL;
  g_autoptr(BdSqlStmt) consumer = NULL;
  gint64 seq = next_live_seq (self, error);

  if (seq < 0)
    return FALSE;
  row->live_seq = seq;
  meter = bd_sql_connection_prepare (self->sql,
                               "UPDATE meters SET last_slot = ?2, last_contact_at = ?3, register_wh = ?4, "
                               "  month_start = ?5, month_wh = ?6, month_paise = ?7, fixed_day = ?8, "
                               "  zero_since = ?9, alerts_sent = ?10, last_recharge_paise = ?11, "
                               "  last_recharge_at = ?12, live_seq = ?13, reconnect_pending = ?14 "
                               "WHERE account = ?1",
                               error);
  if (meter == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (meter, 1, row->account);
  bd_sql_stmt_bind_int64 (meter, 2, row->last_slot);
  bd_sql_stmt_bind_int64 (meter, 3, row->last_contact_at);
  bd_sql_stmt_bind_int64 (meter, 4, row->register_wh);
  bd_sql_stmt_bind_int64 (meter, 5, row->month_start);
  bd_sql_stmt_bind_int64 (meter, 6, row->month_wh);
  bd_sql_stmt_bind_int64 (meter, 7, row->month_paise);
  bd_sql_stmt_bind_int64 (meter, 8, row->fixed_day);
  bd_sql_stmt_bind_int64 (meter, 9, row->zero_since);
  bd_sql_stmt_bind_int64 (meter, 10, row->alerts_sent);
  bd_sql_stmt_bind_int64 (meter, 11, row->last_recharge_paise);
  bd_sql_stmt_bind_int64 (meter, 12, row->last_recharge_at);
  bd_sql_stmt_bind_int64 (meter, 13, seq);
  bd_sql_stmt_bind_int64 (meter, 14, row->reconnect_pending ? 1 : 0);
  if (bd_sql_stmt_step (meter) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "meter update");
      return FALSE;
    }
  /* The balance moves every quarter hour: it is not a change the desks'
   * copies need (their feed would carry every meter four times an hour);
   * they read it live. */
  consumer = bd_sql_connection_prepare (self->sql,
                                  "UPDATE consumers SET balance_paise = ?2, balance_as_of = ?3 WHERE account = ?1",
                                  error);
  if (consumer == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (consumer, 1, row->account);
  bd_sql_stmt_bind_int64 (consumer, 2, row->balance_paise);
  bd_sql_stmt_bind_int64 (consumer, 3, row->last_slot + 900);
  if (bd_sql_stmt_step (consumer) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "balance update");
      return FALSE;
    }
  return TRUE;
}

/* Tariffs ------------------------------------------------------------- */

typedef struct {
  gint64   valid_from;
  BdTariff tariff;
} TariffVersion;

/* Every version of the category's tariff for the area, oldest first. */
static GArray *
load_tariffs (BdCentralDb  *self,
              const char   *category,
              BdAreaType    area_type,
              GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autoptr(GArray) versions = g_array_new (FALSE, TRUE, sizeof (TariffVersion));
  int rc;

  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT valid_from, definition FROM tariffs "
                              "WHERE category = ?1 AND area_type = ?2 ORDER BY valid_from, version",
                              error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_text (stmt, 1, category);
  bd_sql_stmt_bind_text (stmt, 2, bd_area_type_to_string (area_type));
  while ((rc = bd_sql_stmt_step (stmt)) == BD_SQL_ROW)
    {
      TariffVersion version = { .valid_from = bd_sql_stmt_column_int64 (stmt, 0) };
      g_autoptr(JsonNode) node = bd_json_parse (_bd_central_column_text (stmt, 1), -1, error);

      if (node == NULL || !bd_tariff_from_json (node, &version.tariff, error))
        return NULL;
      g_array_append_val (versions, version);
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "tariffs");
      return NULL;
    }
  return g_steal_pointer (&versions);
}

/* The version in force at t (the first one before any is valid). */
static const BdTariff *
tariff_at (GArray *versions,
           gint64  t)
{
  const BdTariff *found = NULL;

  for (guint i = 0; i < versions->len; i++)
    {
      const TariffVersion *v = &g_array_index (versions, TariffVersion, i);
      if (found == NULL || v->valid_from <= t)
        found = &v->tariff;
    }
  return found;
}

static gboolean
seed_tables (BdCentralDb  *self,
             GError      **error);

gboolean
_bd_central_db_seed_prepaid_tables (BdCentralDb  *self,
                                    GError      **error)
{
  if (!bd_sql_connection_begin (self->sql, error))
    return FALSE;
  if (!seed_tables (self, error))
    {
      bd_sql_connection_rollback (self->sql);
      return FALSE;
    }
  return bd_sql_connection_commit (self->sql, error);
}

static gboolean
seed_tables (BdCentralDb  *self,
             GError      **error)
{
  g_autoptr(BdSqlStmt) count = NULL;
  g_autoptr(BdSqlStmt) tariff = NULL;
  g_autoptr(BdSqlStmt) rules = NULL;
  g_autoptr(BdSqlStmt) holiday = NULL;
  g_autoptr(BdPrepaidRules) defaults = bd_prepaid_rules_new_default ();
  g_autoptr(JsonNode) rules_node = NULL;
  g_autofree char *rules_text = NULL;
  const BdTariff *table;
  gsize n;

  count = bd_sql_connection_prepare (self->sql, "SELECT (SELECT count(*) FROM tariffs) + (SELECT count(*) FROM prepaid_rules)",
                               error);
  if (count == NULL)
    return FALSE;
  if (bd_sql_stmt_step (count) != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "tariff count");
      return FALSE;
    }
  if (bd_sql_stmt_column_int64 (count, 0) > 0)
    return TRUE;

  table = bd_tariff_default_table (&n);
  tariff = bd_sql_connection_prepare (self->sql,
                                "INSERT INTO tariffs (version, valid_from, category, area_type, definition) "
                                "VALUES (1, 0, ?1, ?2, ?3)", error);
  if (tariff == NULL)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(JsonNode) node = bd_tariff_to_json (&table[i]);
      g_autofree char *text = bd_json_to_string (node);

      bd_sql_stmt_reset (tariff);
      bd_sql_stmt_bind_text (tariff, 1, table[i].category);
      bd_sql_stmt_bind_text (tariff, 2, bd_area_type_to_string (table[i].area_type));
      bd_sql_stmt_bind_text (tariff, 3, text);
      if (bd_sql_stmt_step (tariff) != BD_SQL_DONE)
        {
          bd_sql_connection_set_error (self->sql, error, "tariff");
          return FALSE;
        }
    }

  /* The holidays live in their own table (a calendar the utility edits
   * every year); the rules' definition holds the rest. */
  holiday = bd_sql_connection_prepare (self->sql, "INSERT INTO holidays (date, name) VALUES (?1, ?2) ON CONFLICT DO NOTHING", error);
  if (holiday == NULL)
    return FALSE;
  for (guint i = 0; i < defaults->holidays->len; i++)
    {
      const BdHoliday *h = &g_array_index (defaults->holidays, BdHoliday, i);
      g_autofree char *date = g_strdup_printf ("%04u-%02u-%02u", h->date / 10000, h->date / 100 % 100, h->date % 100);

      bd_sql_stmt_reset (holiday);
      bd_sql_stmt_bind_text (holiday, 1, date);
      bd_sql_stmt_bind_text (holiday, 2, h->name);
      if (bd_sql_stmt_step (holiday) != BD_SQL_DONE)
        {
          bd_sql_connection_set_error (self->sql, error, "holiday");
          return FALSE;
        }
    }
  g_array_set_size (defaults->holidays, 0);
  rules_node = bd_prepaid_rules_to_json (defaults);
  rules_text = bd_json_to_string (rules_node);
  rules = bd_sql_connection_prepare (self->sql,
                               "INSERT INTO prepaid_rules (version, valid_from, definition) VALUES (1, 0, ?1)",
                               error);
  if (rules == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (rules, 1, rules_text);
  if (bd_sql_stmt_step (rules) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "prepaid rules");
      return FALSE;
    }
  return TRUE;
}

BdPrepaidRules *
bd_central_db_prepaid_rules (BdCentralDb  *self,
                             gint64        now,
                             GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autoptr(BdSqlStmt) holidays = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(BdPrepaidRules) rules = NULL;
  int rc;

  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT definition FROM prepaid_rules WHERE valid_from <= ?1 "
                              "ORDER BY valid_from DESC, version DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_int64 (stmt, 1, now);
  if (bd_sql_stmt_step (stmt) != BD_SQL_ROW)
    return bd_prepaid_rules_new_default ();
  node = bd_json_parse (_bd_central_column_text (stmt, 0), -1, error);
  if (node == NULL)
    return NULL;
  rules = bd_prepaid_rules_from_json (node, error);
  if (rules == NULL)
    return NULL;

  holidays = bd_sql_connection_prepare (self->sql, "SELECT date, name FROM holidays ORDER BY date", error);
  if (holidays == NULL)
    return NULL;
  while ((rc = bd_sql_stmt_step (holidays)) == BD_SQL_ROW)
    {
      const char *date = _bd_central_column_text (holidays, 0);
      unsigned y, m, d;

      if (sscanf (date, "%4u-%2u-%2u", &y, &m, &d) == 3)
        bd_prepaid_rules_add_holiday (rules, y * 10000 + m * 100 + d, _bd_central_column_text (holidays, 1));
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "holidays");
      return NULL;
    }
  return g_steal_pointer (&rules);
}

/* Supply ------------------------------------------------------------- */

/* The times the account's supply was switched, oldest first: pairs of
 * (at, connected). Readings while it was off are zero. */
static GArray *
load_supply_events (BdCentralDb  *self,
                    const char   *account,
                    GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (gint64) * 2);
  int rc;

  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT at, status = 'connected' FROM supply_events WHERE account = ?1 ORDER BY at, id",
                              error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_text (stmt, 1, account);
  while ((rc = bd_sql_stmt_step (stmt)) == BD_SQL_ROW)
    {
      gint64 event[2] = { bd_sql_stmt_column_int64 (stmt, 0), bd_sql_stmt_column_int64 (stmt, 1) };
      g_array_append_vals (events, event, 1);
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "supply events");
      return NULL;
    }
  return g_steal_pointer (&events);
}

gboolean
_bd_meter_record_supply_change (BdCentralDb     *self,
                      MeterRow        *row,
                      BdSupplyStatus   status,
                      gint64           at,
                      const char      *by,
                      const char      *role,
                      const char      *reason,
                      GError         **error)
{
  g_autoptr(BdSqlStmt) event = NULL;
  g_autoptr(BdConsumer) consumer = NULL;
  g_autoptr(JsonBuilder) detail = json_builder_new ();
  g_autoptr(JsonNode) detail_node = NULL;
  g_autofree char *balance = bd_format_paise (row->balance_paise);
  const char *from = bd_supply_status_to_string (row->supply);
  const char *to = bd_supply_status_to_string (status);

  consumer = bd_central_db_lookup_consumer (self, row->zone, row->account, error);
  if (consumer == NULL)
    return FALSE;
  /* A versioned change: the desks' copies must show the supply as it is. */
  bd_consumer_set_supply_status (consumer, status);
  bd_consumer_set_balance_paise (consumer, row->balance_paise);
  bd_consumer_set_balance_as_of (consumer, row->last_slot + 900);
  if (!_bd_central_db_update_row (self, consumer, at, error))
    return FALSE;

  event = bd_sql_connection_prepare (self->sql,
                               "INSERT INTO supply_events (account, at, status, reason, by) VALUES (?1, ?2, ?3, ?4, ?5)",
                               error);
  if (event == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (event, 1, row->account);
  bd_sql_stmt_bind_int64 (event, 2, at);
  bd_sql_stmt_bind_text (event, 3, to);
  bd_sql_stmt_bind_text (event, 4, reason);
  bd_sql_stmt_bind_text (event, 5, by);
  if (bd_sql_stmt_step (event) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "supply event");
      return FALSE;
    }

  json_builder_begin_object (detail);
  json_builder_set_member_name (detail, "reason");
  json_builder_add_string_value (detail, reason);
  json_builder_set_member_name (detail, "balance_paise");
  json_builder_add_int_value (detail, row->balance_paise);
  json_builder_end_object (detail);
  detail_node = json_builder_get_root (detail);
  if (!_bd_central_db_add_history (self, row->account, at, by, role, "supply", "supply_status", from, to, error) ||
      !_bd_central_db_audit (self, at, by, role, row->zone,
                             status == BD_SUPPLY_CONNECTED ? "supply.reconnect" : "supply.disconnect",
                             row->account, detail_node, error))
    return FALSE;

  if (row->mobile != NULL)
    {
      g_autofree char *text = NULL;

      if (status == BD_SUPPLY_DISCONNECTED)
        text = g_strdup_printf ("UPPCL: खाता %s का बैलेंस %s है, बिजली आपूर्ति काट दी गई है। रिचार्ज करते ही जुड़ जाएगी। / "
                                "UPPCL: Balance of account %s is %s; supply disconnected. It is restored on recharge.",
                                row->account, balance, row->account, balance);
      else
        text = g_strdup_printf ("UPPCL: खाता %s की बिजली आपूर्ति फिर से जोड़ दी गई है। बैलेंस %s। / "
                                "UPPCL: Supply of account %s is reconnected. Balance %s.",
                                row->account, balance, row->account, balance);
      if (_bd_central_db_sms_enqueue (self, row->account, row->mobile, text, NULL, at * 1000, error) < 0)
        return FALSE;
    }
  row->supply = status;
  return TRUE;
}

/* Provisioning ---------------------------------------------------------- */

gint64
_bd_meter_slot_floor (gint64 t)
{
  return bd_reading_step_floor (BD_READING_STEP_15MIN, t);
}

/* The energy of one reading, zero while the supply was off. events may be
 * NULL (no switching on record); *cursor walks it forward. */
static gint64
reading_wh (const BdLoadProfile *profile,
            GArray              *events,
            guint               *cursor,
            gboolean            *connected,
            gint64               slot)
{
  while (events != NULL && *cursor < events->len)
    {
      const gint64 *event = &g_array_index (events, gint64, *cursor * 2);
      if (event[0] > slot)
        break;
      *connected = event[1] != 0;
      (*cursor)++;
    }
  return *connected ? bd_load_profile_slot_wh (profile, slot) : 0;
}

gint64
bd_central_db_meters_provision (BdCentralDb  *self,
                                guint32       seed,
                                gint64        now,
                                GError      **error)
{
  g_autoptr(BdSqlStmt) select = NULL;
  g_autoptr(BdSqlStmt) insert = NULL;
  g_autoptr(BdSqlStmt) event = NULL;
  g_autoptr(BdPrepaidRules) rules = NULL;
  GHashTable *tariff_cache = NULL;
  gint64 added = 0;
  gint64 current = _bd_meter_slot_floor (now);
  int rc;

  if (!bd_sql_connection_begin (self->sql, error))
    return -1;
  rules = bd_central_db_prepaid_rules (self, now, error);
  if (rules == NULL)
    goto fail;
  select = bd_sql_connection_prepare (self->sql,
                                "SELECT c.account, c.category, c.area_type, c.sanctioned_load_w, c.balance_paise, "
                                "  c.supply_status "
                                "FROM consumers c LEFT JOIN meters m ON m.account = c.account "
                                "WHERE c.meter_type IN ('smart', 'ct') AND m.account IS NULL",
                                error);
  insert = bd_sql_connection_prepare (self->sql,
                                "INSERT INTO meters (account, zone, kind, seed, base_w, peak_w, cooling_w, limit_w, "
                                "  silent_from, silent_until, history_from, last_slot, last_contact_at, register_wh, "
                                "  month_start, month_wh, month_paise, fixed_day, zero_since, alerts_sent, "
                                "  last_recharge_paise, last_recharge_at, live_seq, reconnect_pending) "
                                "SELECT ?1, zone, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
                                "  ?16, ?17, ?18, ?19, ?20, ?21, ?22, 0 FROM consumers WHERE account = ?1",
                                error);
  event = bd_sql_connection_prepare (self->sql,
                               "INSERT INTO supply_events (account, at, status, reason, by) "
                               "VALUES (?1, ?2, 'disconnected', 'negative_balance', '" HEAD_END_USER "')",
                               error);
  if (select == NULL || insert == NULL || event == NULL)
    goto fail;
  tariff_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_array_unref);

  while ((rc = bd_sql_stmt_step (select)) == BD_SQL_ROW)
    {
      const char *account = _bd_central_column_text (select, 0);
      const char *category = _bd_central_column_text (select, 1);
      BdAreaType area = BD_AREA_URBAN;
      gint64 load_w = bd_sql_stmt_column_int64 (select, 3);
      gint64 balance = bd_sql_stmt_column_int64 (select, 4);
      gboolean disconnected = g_str_equal (_bd_central_column_text (select, 5), "disconnected");
      g_autofree char *cache_key = NULL;
      GArray *tariffs;
      const BdTariff *tariff;
      BdLoadProfile profile;
      gint64 last_slot, month_start, month_wh = 0, month_paise = 0;
      gint64 zero_since = 0, cut_at = 0, last_recharge, alerts = 0;
      static const gint64 recharges[] = { 10000, 20000, 50000, 100000, 200000 };

      bd_area_type_from_string (_bd_central_column_text (select, 2), &area);
      cache_key = g_strdup_printf ("%s/%d", category, area);
      tariffs = g_hash_table_lookup (tariff_cache, cache_key);
      if (tariffs == NULL)
        {
          tariffs = load_tariffs (self, category, area, error);
          if (tariffs == NULL)
            goto fail;
          g_hash_table_insert (tariff_cache, g_steal_pointer (&cache_key), tariffs);
        }
      tariff = tariff_at (tariffs, now);

      bd_load_profile_init (&profile, seed, account, category, load_w);
      /* About one meter in thirty is not reporting now: some for hours,
       * some for days; half of them come back while the server runs. */
      if (bd_load_profile_uniform (&profile, 101) < 0.035)
        {
          profile.silent_from = current - 900 * (8 + (gint64) (bd_load_profile_uniform (&profile, 102) * 480));
          if (bd_load_profile_uniform (&profile, 103) < 0.5)
            profile.silent_until = current + 900 * (4 + (gint64) (bd_load_profile_uniform (&profile, 104) * 96));
        }
      last_slot = current - 900;
      if (profile.silent_from > 0)
        last_slot = MIN (last_slot, _bd_meter_slot_floor (profile.silent_from) - 900);

      if (balance <= 0)
        {
          /* Cut supplies ran out of credit days ago; the rest are still
           * on emergency credit or waiting for a day the rules allow. */
          if (disconnected)
            {
              zero_since = now - 86400 * (4 + (gint64) (bd_load_profile_uniform (&profile, 105) * 20));
              cut_at = bd_prepaid_rules_next_cut_time (rules, zero_since + rules->emergency_credit_s);
              cut_at = MIN (cut_at, now - 3600);
            }
          else
            zero_since = now - (gint64) (bd_load_profile_uniform (&profile, 106) * 2.5 * 86400);
        }

      month_start = bd_reading_step_floor (BD_READING_STEP_MONTH, last_slot);
      if (tariff != NULL)
        for (gint64 slot = month_start; slot <= last_slot; slot += 900)
          {
            gint64 wh = cut_at > 0 && slot >= cut_at ? 0 : bd_load_profile_slot_wh (&profile, slot);

            month_paise += bd_tariff_slot_charge_paise (tariff, month_wh, wh);
            month_wh += wh;
          }
      last_recharge = recharges[(int) (bd_load_profile_uniform (&profile, 107) * G_N_ELEMENTS (recharges))];
      /* The alerts this balance has already passed went out long ago. */
      for (int i = 0; i < 3; i++)
        if (bd_prepaid_alert_due (rules, last_recharge, balance, (guint) alerts) >= 0)
          alerts |= 1 << bd_prepaid_alert_due (rules, last_recharge, balance, (guint) alerts);

      bd_sql_stmt_reset (insert);
      bd_sql_stmt_bind_text (insert, 1, account);
      bd_sql_stmt_bind_text (insert, 2, bd_load_kind_to_string (profile.kind));
      bd_sql_stmt_bind_int64 (insert, 3, (gint64) profile.seed);
      bd_sql_stmt_bind_int64 (insert, 4, profile.base_w);
      bd_sql_stmt_bind_int64 (insert, 5, profile.peak_w);
      bd_sql_stmt_bind_int64 (insert, 6, profile.cooling_w);
      bd_sql_stmt_bind_int64 (insert, 7, profile.limit_w);
      bd_sql_stmt_bind_int64 (insert, 8, profile.silent_from);
      bd_sql_stmt_bind_int64 (insert, 9, profile.silent_until);
      bd_sql_stmt_bind_int64 (insert, 10, current - 365 * 86400);
      bd_sql_stmt_bind_int64 (insert, 11, last_slot);
      bd_sql_stmt_bind_int64 (insert, 12, last_slot + 900);
      bd_sql_stmt_bind_int64 (insert, 13, month_wh + 1000 * (2000 + (gint64) (bd_load_profile_uniform (&profile, 108) * 28000)));
      bd_sql_stmt_bind_int64 (insert, 14, month_start);
      bd_sql_stmt_bind_int64 (insert, 15, month_wh);
      bd_sql_stmt_bind_int64 (insert, 16, month_paise);
      bd_sql_stmt_bind_int64 (insert, 17, bd_reading_step_floor (BD_READING_STEP_DAY, last_slot));
      bd_sql_stmt_bind_int64 (insert, 18, zero_since);
      bd_sql_stmt_bind_int64 (insert, 19, alerts);
      bd_sql_stmt_bind_int64 (insert, 20, last_recharge);
      bd_sql_stmt_bind_int64 (insert, 21, now - 86400 * (5 + (gint64) (bd_load_profile_uniform (&profile, 109) * 35)));
      {
        gint64 seq = next_live_seq (self, error);
        if (seq < 0)
          goto fail;
        bd_sql_stmt_bind_int64 (insert, 22, seq);
      }
      if (bd_sql_stmt_step (insert) != BD_SQL_DONE)
        {
          bd_sql_connection_set_error (self->sql, error, "meter insert");
          goto fail;
        }
      if (cut_at > 0)
        {
          bd_sql_stmt_reset (event);
          bd_sql_stmt_bind_text (event, 1, account);
          bd_sql_stmt_bind_int64 (event, 2, cut_at);
          if (bd_sql_stmt_step (event) != BD_SQL_DONE)
            {
              bd_sql_connection_set_error (self->sql, error, "supply event");
              goto fail;
            }
        }
      added++;
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "meters to provision");
      goto fail;
    }
  g_clear_pointer (&tariff_cache, g_hash_table_unref);
  if (!bd_sql_connection_commit (self->sql, error))
    return -1;
  return added;

fail:
  g_clear_pointer (&tariff_cache, g_hash_table_unref);
  bd_sql_connection_rollback (self->sql);
  return -1;
}

/* The tick ------------------------------------------------------------------ */

static gboolean
send_alert (BdCentralDb  *self,
            MeterRow     *row,
            int           alert,
            int           percent,
            gint64        now,
            GError      **error)
{
  g_autofree char *balance = bd_format_paise (row->balance_paise);
  g_autofree char *text = NULL;

  row->alerts_sent |= 1 << alert;
  if (row->mobile == NULL)
    return TRUE;
  if (percent == 0)
    text = g_strdup_printf ("UPPCL: खाता %s का बैलेंस %s है। आपातकालीन क्रेडिट चालू है; आपूर्ति कटने से बचने के लिए तुरंत रिचार्ज करें। / "
                            "UPPCL: Account %s balance is %s. Emergency credit is running; recharge now to avoid disconnection.",
                            row->account, balance, row->account, balance);
  else
    text = g_strdup_printf ("UPPCL: खाता %s का बैलेंस %s रह गया है (पिछले रिचार्ज का %d%%)। कृपया रिचार्ज करें। / "
                            "UPPCL: Account %s balance is down to %s (%d%% of your last recharge). Please recharge.",
                            row->account, balance, percent, row->account, balance, percent);
  return _bd_central_db_sms_enqueue (self, row->account, row->mobile, text, NULL, now * 1000, error) >= 0;
}

/* Applies the readings the meter sends at now; TRUE with *reported FALSE
 * when it cannot be reached. */
static gboolean
tick_meter (BdCentralDb          *self,
            MeterRow             *row,
            const BdPrepaidRules *rules,
            GArray               *tariffs,
            gint64                now,
            BdMeterTickStats     *stats,
            GError              **error)
{
  gint64 last_complete = _bd_meter_slot_floor (now) - 900;
  gint64 slot;
  BdPrepaidAccount account;
  BdPrepaidOutlook outlook;
  int alert;

  if (!bd_load_profile_communicating (&row->profile, now))
    return TRUE;
  stats->meters_read++;
  row->last_contact_at = now;

  slot = MAX (row->last_slot + 900, last_complete - MAX_BACKLOG_S);
  for (; slot <= last_complete; slot += 900)
    {
      const BdTariff *tariff = tariff_at (tariffs, slot);
      gint64 day = bd_reading_step_floor (BD_READING_STEP_DAY, slot);
      gint64 wh = row->supply == BD_SUPPLY_CONNECTED ? bd_load_profile_slot_wh (&row->profile, slot) : 0;
      gint64 charge;

      if (slot >= bd_reading_step_next (BD_READING_STEP_MONTH, row->month_start))
        {
          row->month_start = bd_reading_step_floor (BD_READING_STEP_MONTH, slot);
          row->month_wh = 0;
          row->month_paise = 0;
        }
      charge = tariff != NULL ? bd_tariff_slot_charge_paise (tariff, row->month_wh, wh) : 0;
      row->month_wh += wh;
      row->month_paise += charge;
      row->register_wh += wh;
      row->balance_paise -= charge;
      /* The fixed charge is due each day the connection exists, supply or not. */
      if (day > row->fixed_day && tariff != NULL)
        {
          row->balance_paise -= bd_tariff_fixed_charge_paise (tariff, row->load_w);
          row->fixed_day = day;
        }
      if (row->balance_paise <= 0 && row->zero_since == 0)
        row->zero_since = slot + 900;
      row->last_slot = slot;
      stats->readings++;
    }
  if (row->balance_paise > 0)
    row->zero_since = 0;

  alert = bd_prepaid_alert_due (rules, row->last_recharge_paise, row->balance_paise, (guint) row->alerts_sent);
  if (alert >= 0)
    {
      if (!send_alert (self, row, alert, rules->alert_percents[alert], now, error))
        return FALSE;
      stats->alerts++;
    }

  /* A reconnection the meter could not take while silent. */
  if (row->reconnect_pending && row->supply == BD_SUPPLY_DISCONNECTED)
    {
      if (!_bd_meter_record_supply_change (self, row, BD_SUPPLY_CONNECTED, now, HEAD_END_USER, HEAD_END_ROLE,
                                 "recharge", error))
        return FALSE;
      row->reconnect_pending = FALSE;
    }

  account.balance_paise = row->balance_paise;
  account.zero_since = row->zero_since;
  account.supply = row->supply;
  account.meter_type = row->meter_type;
  account.communicating = TRUE;
  bd_prepaid_evaluate (rules, &account, now, &outlook);
  if (outlook.state == BD_CUT_STATE_DUE)
    {
      if (!_bd_meter_record_supply_change (self, row, BD_SUPPLY_DISCONNECTED, now, HEAD_END_USER, HEAD_END_ROLE,
                                 "negative_balance", error))
        return FALSE;
      stats->disconnected++;
    }
  else if (outlook.state == BD_CUT_STATE_FIELD_VISIT && now >= outlook.cut_earliest_at)
    stats->field_tasks++;

  return _bd_meter_row_store (self, row, error);
}

gboolean
bd_central_db_meters_tick (BdCentralDb      *self,
                           gint64            now,
                           BdMeterTickStats *stats,
                           GError          **error)
{
  g_autoptr(BdPrepaidRules) rules = NULL;
  g_autoptr(GHashTable) tariff_cache = NULL;
  g_autofree char *after = g_strdup ("");
  gint64 last_complete = _bd_meter_slot_floor (now) - 900;

  memset (stats, 0, sizeof *stats);
  rules = bd_central_db_prepaid_rules (self, now, error);
  if (rules == NULL)
    return FALSE;
  tariff_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_array_unref);

  /* In batches by account, so a zone of meters does not hold the write
   * lock for seconds. Meters already up to date are skipped by the query. */
  for (;;)
    {
      g_autoptr(BdSqlStmt) stmt = NULL;
      g_autoptr(GArray) rows = g_array_new (FALSE, TRUE, sizeof (MeterRow));
      int rc;

      g_array_set_clear_func (rows, (GDestroyNotify) _bd_meter_row_clear);
      if (!bd_sql_connection_begin (self->sql, error))
        return FALSE;
      stmt = bd_sql_connection_prepare (self->sql,
                                  METER_SELECT "WHERE m.account > ?1 AND (m.last_slot < ?2 OR m.reconnect_pending <> 0) "
                                  "ORDER BY m.account LIMIT " G_STRINGIFY (TICK_BATCH),
                                  error);
      if (stmt == NULL)
        goto fail;
      bd_sql_stmt_bind_text (stmt, 1, after);
      bd_sql_stmt_bind_int64 (stmt, 2, last_complete);
      while ((rc = bd_sql_stmt_step (stmt)) == BD_SQL_ROW)
        {
          MeterRow row = { 0 };
          meter_row_read (stmt, &row);
          g_array_append_val (rows, row);
        }
      if (rc != BD_SQL_DONE)
        {
          bd_sql_connection_set_error (self->sql, error, "meters to read");
          goto fail;
        }
      g_clear_pointer (&stmt, bd_sql_stmt_free);
      if (rows->len == 0)
        return bd_sql_connection_commit (self->sql, error);

      for (guint i = 0; i < rows->len; i++)
        {
          MeterRow *row = &g_array_index (rows, MeterRow, i);
          g_autofree char *key = g_strdup_printf ("%s/%d", row->category, row->area_type);
          GArray *tariffs = g_hash_table_lookup (tariff_cache, key);

          if (tariffs == NULL)
            {
              tariffs = load_tariffs (self, row->category, row->area_type, error);
              if (tariffs == NULL)
                goto fail;
              g_hash_table_insert (tariff_cache, g_steal_pointer (&key), tariffs);
            }
          if (!tick_meter (self, row, rules, tariffs, now, stats, error))
            goto fail;
        }
      g_free (after);
      after = g_strdup (g_array_index (rows, MeterRow, rows->len - 1).account);
      if (!bd_sql_connection_commit (self->sql, error))
        return FALSE;
    }

fail:
  bd_sql_connection_rollback (self->sql);
  return FALSE;
}

/* Reading back ------------------------------------------------------------- */

/* The average day's cost over the last week of readings: energy at the
 * month's current slab plus the fixed charge. 0 when nothing was used. */
static gint64
daily_average_paise (const MeterRow *row,
                     GArray         *tariffs,
                     GArray         *events)
{
  const BdTariff *tariff = tariff_at (tariffs, row->last_slot);
  gint64 week_wh = 0;
  guint cursor = 0;
  gboolean connected = TRUE;
  gint64 from = row->last_slot + 900 - 7 * 86400;

  if (tariff == NULL)
    return 0;
  for (gint64 slot = from; slot <= row->last_slot; slot += 900)
    week_wh += reading_wh (&row->profile, events, &cursor, &connected, slot);
  if (week_wh == 0)
    return 0;
  return bd_tariff_slot_charge_paise (tariff, row->month_wh, week_wh / 7)
         + bd_tariff_fixed_charge_paise (tariff, row->load_w);
}

BdBalance *
_bd_meter_balance_from_row (BdCentralDb           *self,
                  MeterRow              *row,
                  const BdPrepaidRules  *rules,
                  gint64                 now,
                  GError               **error)
{
  g_autoptr(BdBalance) balance = bd_balance_new (row->account);
  g_autoptr(GArray) tariffs = NULL;
  g_autoptr(GArray) events = NULL;
  BdPrepaidAccount account;
  BdPrepaidOutlook outlook;
  const BdTariff *tariff;

  tariffs = load_tariffs (self, row->category, row->area_type, error);
  if (tariffs == NULL)
    return NULL;
  events = load_supply_events (self, row->account, error);
  if (events == NULL)
    return NULL;
  tariff = tariff_at (tariffs, now);

  balance->meter_type = row->meter_type;
  balance->supply = row->supply;
  balance->balance_paise = row->balance_paise;
  balance->as_of = row->last_slot + 900;
  balance->communicating = bd_load_profile_communicating (&row->profile, now);
  balance->last_contact_at = row->last_contact_at;
  account.balance_paise = row->balance_paise;
  account.zero_since = row->zero_since;
  account.supply = row->supply;
  account.meter_type = row->meter_type;
  account.communicating = balance->communicating;
  bd_prepaid_evaluate (rules, &account, now, &outlook);
  balance->cut_state = outlook.state;
  balance->emergency_until = outlook.emergency_until;
  balance->cut_earliest_at = outlook.cut_earliest_at;
  balance->held_by = outlook.held_by;
  balance->reconnect_minimum_paise = row->supply == BD_SUPPLY_DISCONNECTED
                                     ? bd_prepaid_reconnect_minimum (rules, row->balance_paise) : 0;
  balance->daily_average_paise = daily_average_paise (row, tariffs, events);
  balance->days_left = bd_prepaid_days_left (row->balance_paise, balance->daily_average_paise);
  balance->month_wh = row->month_wh;
  balance->month_paise = row->month_paise;
  balance->last_recharge_paise = row->last_recharge_paise;
  balance->last_recharge_at = row->last_recharge_at;
  g_free (balance->tariff);
  /* Translators: the tariff a consumer is billed on, e.g. "LMV-1 urban, version 1". */
  balance->tariff = tariff == NULL ? g_strdup (row->category)
                    : g_strdup_printf ("%s %s", row->category, bd_area_type_to_string (row->area_type));
  balance->seq = row->live_seq;
  return g_steal_pointer (&balance);
}

BdBalance *
bd_central_db_meter_balance (BdCentralDb  *self,
                             const char   *zone,
                             const char   *account,
                             gint64        now,
                             GError      **error)
{
  g_auto(MeterRow) row = { 0 };
  g_autoptr(BdPrepaidRules) rules = NULL;
  g_autoptr(BdConsumer) consumer = NULL;
  g_autoptr(BdBalance) balance = NULL;
  gboolean found = FALSE;

  consumer = bd_central_db_lookup_consumer (self, zone, account, error);
  if (consumer == NULL)
    return NULL;
  if (!_bd_meter_row_load (self, zone, account, &row, &found, error))
    return NULL;
  rules = bd_central_db_prepaid_rules (self, now, error);
  if (rules == NULL)
    return NULL;
  if (found)
    return _bd_meter_balance_from_row (self, &row, rules, now, error);

  /* No simulated meter: what the record says, with no live outlook. */
  balance = bd_balance_new (account);
  balance->meter_type = bd_consumer_get_meter_type (consumer);
  balance->supply = bd_consumer_get_supply_status (consumer);
  balance->balance_paise = bd_consumer_get_balance_paise (consumer);
  balance->as_of = bd_consumer_get_balance_as_of (consumer);
  balance->communicating = FALSE;
  g_free (balance->tariff);
  balance->tariff = g_strdup (bd_consumer_get_category (consumer));
  return g_steal_pointer (&balance);
}

BdReadingSeries *
bd_central_db_meter_readings (BdCentralDb   *self,
                              const char    *zone,
                              const char    *account,
                              BdReadingStep  step,
                              gint64         from,
                              gint64         to,
                              gint64         now,
                              GError       **error)
{
  g_auto(MeterRow) row = { 0 };
  g_autoptr(BdConsumer) consumer = NULL;
  g_autoptr(BdReadingSeries) series = NULL;
  g_autoptr(GArray) tariffs = NULL;
  g_autoptr(GArray) events = NULL;
  gboolean found = FALSE;
  gint64 start = bd_reading_step_floor (step, from);
  gint64 cursor_t, first, last, month_wh = 0, month_start;
  guint n = 0, cursor = 0, bucket = 0;
  gboolean connected = TRUE;

  if (to <= from)
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT,
                   _("“to” must be later than “from”."));
      return NULL;
    }
  for (cursor_t = start; cursor_t < to; cursor_t = bd_reading_step_next (step, cursor_t))
    if (++n > BD_READING_SERIES_MAX_BUCKETS)
      {
        g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT,
                     _("That range holds too many readings; ask for a shorter one or a longer step."));
        return NULL;
      }

  consumer = bd_central_db_lookup_consumer (self, zone, account, error);
  if (consumer == NULL)
    return NULL;
  series = bd_reading_series_new (account, step, start, n);
  bd_reading_series_set_generated_at (series, now);
  if (!_bd_meter_row_load (self, zone, account, &row, &found, error))
    return NULL;
  if (!found)
    return g_steal_pointer (&series);

  tariffs = load_tariffs (self, row.category, row.area_type, error);
  if (tariffs == NULL)
    return NULL;
  events = load_supply_events (self, account, error);
  if (events == NULL)
    return NULL;

  /* Only what the meter has sent: from its first reading to its last. */
  first = MAX (start, row.history_from);
  last = MIN (bd_reading_series_get_end (series) - 900, row.last_slot);
  if (first > last)
    return g_steal_pointer (&series);

  /* Slabs count from the start of the month, so the charge of the first
   * reading asked for depends on the month's readings before it. */
  month_start = bd_reading_step_floor (BD_READING_STEP_MONTH, first);
  for (gint64 slot = MAX (month_start, row.history_from); slot < first; slot += 900)
    month_wh += reading_wh (&row.profile, events, &cursor, &connected, slot);

  for (gint64 slot = first; slot <= last; slot += 900)
    {
      const BdTariff *tariff;
      gint64 wh, charge;

      if (slot >= bd_reading_step_next (BD_READING_STEP_MONTH, month_start))
        {
          month_start = bd_reading_step_floor (BD_READING_STEP_MONTH, slot);
          month_wh = 0;
        }
      tariff = tariff_at (tariffs, slot);
      wh = reading_wh (&row.profile, events, &cursor, &connected, slot);
      charge = tariff != NULL ? bd_tariff_slot_charge_paise (tariff, month_wh, wh) : 0;
      month_wh += wh;
      while (bucket + 1 < n && bd_reading_series_get_bucket_start (series, bucket + 1) <= slot)
        bucket++;
      bd_reading_series_add (series, bucket, wh, charge);
    }
  return g_steal_pointer (&series);
}

GPtrArray *
bd_central_db_meters_changed (BdCentralDb          *self,
                              const char           *zone,
                              const char * const   *accounts,
                              gint64                after_seq,
                              gint64                now,
                              gint64               *out_seq,
                              GError              **error)
{
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_balance_free);
  g_autoptr(BdSqlStmt) seq = NULL;
  g_autoptr(BdPrepaidRules) rules = NULL;

  seq = bd_sql_connection_prepare (self->sql, "SELECT seq FROM meter_live_counter WHERE id = 1", error);
  if (seq == NULL)
    return NULL;
  if (bd_sql_stmt_step (seq) != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "live sequence");
      return NULL;
    }
  *out_seq = bd_sql_stmt_column_int64 (seq, 0);
  /* since=0 asks for where things stand now: every watched balance. */
  if (after_seq > 0 && *out_seq <= after_seq)
    return g_steal_pointer (&changed);

  rules = bd_central_db_prepaid_rules (self, now, error);
  if (rules == NULL)
    return NULL;
  for (guint i = 0; accounts[i] != NULL; i++)
    {
      g_auto(MeterRow) row = { 0 };
      gboolean found = FALSE;
      BdBalance *balance;

      if (!_bd_meter_row_load (self, zone, accounts[i], &row, &found, error))
        return NULL;
      if (!found || (after_seq > 0 && row.live_seq <= after_seq))
        continue;
      balance = _bd_meter_balance_from_row (self, &row, rules, now, error);
      if (balance == NULL)
        return NULL;
      g_ptr_array_add (changed, balance);
    }
  return g_steal_pointer (&changed);
}

GArray *
bd_central_db_tariff_table (BdCentralDb  *self,
                            gint64        now,
                            GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autoptr(GArray) table = g_array_new (FALSE, TRUE, sizeof (BdTariff));
  int rc;

  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT definition FROM tariffs t WHERE valid_from <= ?1 AND version = "
                              "  (SELECT MAX (version) FROM tariffs u WHERE u.category = t.category "
                              "   AND u.area_type = t.area_type AND u.valid_from <= ?1) "
                              "ORDER BY category, area_type",
                              error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_int64 (stmt, 1, now);
  while ((rc = bd_sql_stmt_step (stmt)) == BD_SQL_ROW)
    {
      g_autoptr(JsonNode) node = bd_json_parse (_bd_central_column_text (stmt, 0), -1, error);
      BdTariff tariff;

      if (node == NULL || !bd_tariff_from_json (node, &tariff, error))
        return NULL;
      g_array_append_val (table, tariff);
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "tariffs");
      return NULL;
    }
  return g_steal_pointer (&table);
}

/* For disconnection requests (bd-central-db-requests.c) ---------------- */

gboolean
_bd_central_db_request_context (BdCentralDb       *self,
                                const char        *zone,
                                const char        *account,
                                gint64             now,
                                BdRequestContext  *out,
                                char             **out_wrong_deduction,
                                GError           **error)
{
  g_auto(MeterRow) row = { 0 };
  g_autoptr(BdConsumer) consumer = NULL;
  g_autoptr(BdSqlStmt) complaint = NULL;
  gboolean found = FALSE;

  consumer = bd_central_db_lookup_consumer (self, zone, account, error);
  if (consumer == NULL)
    return FALSE;
  if (!_bd_meter_row_load (self, zone, account, &row, &found, error))
    return FALSE;
  memset (out, 0, sizeof *out);
  out->meter_type = bd_consumer_get_meter_type (consumer);
  out->supply = bd_consumer_get_supply_status (consumer);
  out->balance_paise = found ? row.balance_paise : bd_consumer_get_balance_paise (consumer);
  out->zero_since = found ? row.zero_since : 0;
  out->communicating = found && bd_load_profile_communicating (&row.profile, now);

  complaint = bd_sql_connection_prepare (self->sql,
                                   "SELECT number FROM complaints WHERE account = ?1 AND category = 'wrong_deduction' "
                                   "AND status IN ('new','assigned','in_progress','reopened','escalated') "
                                   "ORDER BY id LIMIT 1",
                                   error);
  if (complaint == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (complaint, 1, account);
  *out_wrong_deduction = NULL;
  if (bd_sql_stmt_step (complaint) == BD_SQL_ROW)
    {
      out->wrong_deduction_open = TRUE;
      *out_wrong_deduction = g_strdup (_bd_central_column_text (complaint, 0));
    }
  return TRUE;
}

gboolean
_bd_central_db_switch_supply (BdCentralDb     *self,
                              const char      *zone,
                              const char      *account,
                              BdSupplyStatus   status,
                              gint64           now,
                              const char      *by,
                              const char      *role,
                              const char      *reason,
                              GError         **error)
{
  g_auto(MeterRow) row = { 0 };
  gboolean found = FALSE;

  if (!_bd_meter_row_load (self, zone, account, &row, &found, error))
    return FALSE;
  if (!found)
    {
      g_autoptr(BdConsumer) consumer = bd_central_db_lookup_consumer (self, zone, account, error);

      if (consumer == NULL)
        return FALSE;
      row.account = g_strdup (account);
      row.zone = g_strdup (zone);
      row.supply = bd_consumer_get_supply_status (consumer);
      row.balance_paise = bd_consumer_get_balance_paise (consumer);
      row.mobile = g_strdup (bd_consumer_get_mobile (consumer));
      row.last_slot = _bd_meter_slot_floor (now) - 900;
    }
  if (row.supply == status)
    return TRUE;
  if (!_bd_meter_record_supply_change (self, &row, status, now, by, role, reason, error))
    return FALSE;
  return !found || _bd_meter_row_store (self, &row, error);
}

gboolean
bd_central_db_meter_clock_get (BdCentralDb  *self,
                               gint64       *out_sim_at,
                               gint64       *out_real_at_ms,
                               gint64       *out_scale_milli,
                               GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);

  stmt = bd_sql_connection_prepare (self->sql, "SELECT sim_at, real_at_ms, scale_milli FROM meter_clock WHERE id = 1",
                                    error);
  if (stmt == NULL)
    return FALSE;
  rc = bd_sql_stmt_step (stmt);
  if (rc == BD_SQL_DONE)
    return FALSE;
  if (rc != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "meter clock");
      return FALSE;
    }
  *out_sim_at = bd_sql_stmt_column_int64 (stmt, 0);
  *out_real_at_ms = bd_sql_stmt_column_int64 (stmt, 1);
  *out_scale_milli = bd_sql_stmt_column_int64 (stmt, 2);
  return TRUE;
}

gboolean
bd_central_db_meter_clock_set (BdCentralDb  *self,
                               gint64        sim_at,
                               gint64        real_at_ms,
                               gint64        scale_milli,
                               GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);

  stmt = bd_sql_connection_prepare (self->sql,
                                    "INSERT INTO meter_clock (id, sim_at, real_at_ms, scale_milli) VALUES (1, ?1, ?2, ?3) "
                                    "ON CONFLICT (id) DO UPDATE SET sim_at = excluded.sim_at, "
                                    "  real_at_ms = excluded.real_at_ms, scale_milli = excluded.scale_milli",
                                    error);
  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_int64 (stmt, 1, sim_at);
  bd_sql_stmt_bind_int64 (stmt, 2, real_at_ms);
  bd_sql_stmt_bind_int64 (stmt, 3, scale_milli);
  if (bd_sql_stmt_step (stmt) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "meter clock");
      return FALSE;
    }
  return TRUE;
}
