/* bd-central-db-recharges.c: recharges taken at the counter, credited to
 * the head-end's balance once per idempotency key, with the receipt, the
 * reconnection the rules allow, the consumer's SMS, history and audit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-codec.h"
#include "core/bd-money.h"
#include "core/bd-time.h"
#include "store/bd-database.h"

#include "bd-central-db-meters.h"
#include "bd-central-db-meters-private.h"
#include "bd-central-db-private.h"
#include "bd-central-db-recharges.h"

static BdRecharge *
recharge_from_row (BdSqlStmt *stmt)
{
  BdRecharge *r = bd_recharge_new (_bd_central_column_text (stmt, 0), _bd_central_column_text (stmt, 2));

  r->receipt = g_strdup (_bd_central_column_text (stmt, 1));
  r->amount_paise = bd_sql_stmt_column_int64 (stmt, 3);
  bd_payment_mode_from_string (_bd_central_column_text (stmt, 4), &r->mode);
  g_free (r->reference);
  r->reference = g_strdup (_bd_central_column_text (stmt, 5));
  r->created_at = bd_sql_stmt_column_int64 (stmt, 6);
  g_free (r->created_by);
  r->created_by = g_strdup (_bd_central_column_text (stmt, 7));
  r->credited_at = bd_sql_stmt_column_int64 (stmt, 8);
  r->balance_after_paise = bd_sql_stmt_column_int64 (stmt, 9);
  r->reconnected = bd_sql_stmt_column_int64 (stmt, 10) != 0;
  return r;
}

/* Whether the supply was last cut for want of credit (by the head-end or a
 * non-payment request): only then does a recharge bring it back. A supply
 * cut at the consumer's own request stays off until they ask again. */
static gboolean
cut_for_dues (BdCentralDb *self,
              const char  *account)
{
  g_autoptr(BdSqlStmt) stmt = bd_sql_connection_prepare (self->sql,
                                                      "SELECT reason FROM supply_events WHERE account = ?1 "
                                                      "ORDER BY at DESC, id DESC LIMIT 1", NULL);

  if (stmt == NULL)
    return TRUE;
  bd_sql_stmt_bind_text (stmt, 1, account);
  if (bd_sql_stmt_step (stmt) != BD_SQL_ROW)
    return TRUE;
  return g_str_equal (_bd_central_column_text (stmt, 0), "negative_balance") ||
         g_str_equal (_bd_central_column_text (stmt, 0), "request_nonpayment");
}

GPtrArray *
bd_central_db_recharge_list (BdCentralDb  *self,
                             const char   *zone,
                             const char   *account,
                             guint         limit,
                             GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_recharge_free);
  g_autoptr(BdConsumer) consumer = bd_central_db_lookup_consumer (self, zone, account, error);
  int rc;

  if (consumer == NULL)
    return NULL;
  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT local_id, receipt, account, amount_paise, mode, reference, created_at, "
                              "  created_by, credited_at, balance_after_paise, reconnected "
                              "FROM recharges WHERE account = ?1 ORDER BY id DESC LIMIT ?2",
                              error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_text (stmt, 1, account);
  bd_sql_stmt_bind_int64 (stmt, 2, (int) limit);
  while ((rc = bd_sql_stmt_step (stmt)) == BD_SQL_ROW)
    g_ptr_array_add (list, recharge_from_row (stmt));
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "recharges");
      return NULL;
    }
  return g_steal_pointer (&list);
}

static char *
recharge_body (const BdRecharge *recharge,
               const BdBalance  *balance)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "recharge");
  json_builder_add_value (builder, bd_recharge_to_json (recharge));
  json_builder_set_member_name (builder, "balance");
  json_builder_add_value (builder, bd_balance_to_json (balance));
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  return bd_json_to_string (node);
}

gboolean
bd_central_db_recharge_create (BdCentralDb  *self,
                               const char   *zone,
                               BdRecharge   *request,
                               const char   *key,
                               const char   *request_hash,
                               const char   *staff_username,
                               BdRole        staff_role,
                               gint64        now,
                               guint        *out_status,
                               char        **out_body,
                               gboolean     *out_replayed,
                               GError      **error)
{
  g_autoptr(BdConsumer) consumer = NULL;
  g_autoptr(BdPrepaidRules) rules = NULL;
  g_autoptr(BdRecharge) r = NULL;
  g_autoptr(BdBalance) balance = NULL;
  g_autoptr(BdSqlStmt) insert = NULL;
  g_autoptr(BdSqlStmt) number = NULL;
  g_autoptr(JsonBuilder) detail = json_builder_new ();
  g_autoptr(JsonNode) detail_node = NULL;
  g_auto(MeterRow) row = { 0 };
  g_autofree char *body = NULL;
  g_autofree char *amount_text = NULL;
  g_autofree char *balance_text = NULL;
  const char *role = bd_role_to_string (staff_role);
  gboolean found = FALSE, found_meter = FALSE;
  gint64 before;
  BdIstDate ist;

  *out_replayed = FALSE;
  if (!bd_sql_connection_begin (self->sql, error))
    return FALSE;
  if (!_bd_central_db_idempotency_lookup (self, key, staff_username, request_hash, &found,
                                          out_status, out_body, error))
    goto fail;
  if (found)
    {
      *out_replayed = TRUE;
      return bd_sql_connection_commit (self->sql, error);
    }

  consumer = bd_central_db_lookup_consumer (self, zone, request->account, error);
  if (consumer == NULL)
    goto fail;
  if (bd_consumer_get_meter_type (consumer) == BD_METER_TYPE_NON_SMART)
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_NOT_PREPAID,
                   _("Account %s has no prepaid meter; it is billed after use."), request->account);
      goto fail;
    }
  rules = bd_central_db_prepaid_rules (self, now, error);
  if (rules == NULL)
    goto fail;
  if (!_bd_meter_row_load (self, zone, request->account, &row, &found_meter, error))
    goto fail;
  if (!found_meter)
    {
      /* A prepaid consumer the simulator does not run: credit the record. */
      row.account = g_strdup (request->account);
      row.zone = g_strdup (zone);
      row.category = g_strdup (bd_consumer_get_category (consumer));
      row.area_type = bd_consumer_get_area_type (consumer);
      row.meter_type = bd_consumer_get_meter_type (consumer);
      row.supply = bd_consumer_get_supply_status (consumer);
      row.balance_paise = bd_consumer_get_balance_paise (consumer);
      row.mobile = g_strdup (bd_consumer_get_mobile (consumer));
      row.last_slot = _bd_meter_slot_floor (now) - 900;
    }

  r = bd_recharge_copy (request);
  g_free (r->created_by);
  r->created_by = g_strdup (staff_username);
  r->credited_at = now;
  before = row.balance_paise;
  row.balance_paise += r->amount_paise;
  r->balance_after_paise = row.balance_paise;

  number = bd_sql_connection_prepare (self->sql, "SELECT COALESCE (MAX (id), 0) + 1 FROM recharges", error);
  if (number == NULL || bd_sql_stmt_step (number) != BD_SQL_ROW)
    {
      if (number != NULL)
        bd_sql_connection_set_error (self->sql, error, "receipt number");
      goto fail;
    }
  bd_time_ist_date (now, &ist);
  r->receipt = g_strdup_printf ("RC-%s-%02d%02d%02d-%06" G_GINT64_FORMAT, zone, ist.year % 100, ist.month, ist.day,
                                (gint64) bd_sql_stmt_column_int64 (number, 0));

  if (row.supply == BD_SUPPLY_DISCONNECTED && bd_prepaid_reconnect_due (rules, before, r->amount_paise) &&
      row.meter_type == BD_METER_TYPE_SMART && cut_for_dues (self, r->account))
    {
      if (found_meter && !bd_load_profile_communicating (&row.profile, now))
        row.reconnect_pending = TRUE;   /* the relay closes when the meter is back */
      else
        {
          if (!_bd_meter_record_supply_change (self, &row, BD_SUPPLY_CONNECTED, now, staff_username, role, "recharge", error))
            goto fail;
          r->reconnected = TRUE;
        }
    }

  insert = bd_sql_connection_prepare (self->sql,
                                "INSERT INTO recharges (receipt, local_id, account, zone, amount_paise, mode, "
                                "  reference, created_at, created_by, credited_at, balance_after_paise, reconnected) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                                error);
  if (insert == NULL)
    goto fail;
  bd_sql_stmt_bind_text (insert, 1, r->receipt);
  bd_sql_stmt_bind_text (insert, 2, r->local_id);
  bd_sql_stmt_bind_text (insert, 3, r->account);
  bd_sql_stmt_bind_text (insert, 4, zone);
  bd_sql_stmt_bind_int64 (insert, 5, r->amount_paise);
  bd_sql_stmt_bind_text (insert, 6, bd_payment_mode_to_string (r->mode));
  bd_sql_stmt_bind_text (insert, 7, r->reference);
  bd_sql_stmt_bind_int64 (insert, 8, r->created_at);
  bd_sql_stmt_bind_text (insert, 9, staff_username);
  bd_sql_stmt_bind_int64 (insert, 10, now);
  bd_sql_stmt_bind_int64 (insert, 11, r->balance_after_paise);
  bd_sql_stmt_bind_int64 (insert, 12, r->reconnected ? 1 : 0);
  if (bd_sql_stmt_step (insert) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "recharge insert");
      goto fail;
    }

  if (found_meter)
    {
      row.last_recharge_paise = r->amount_paise;
      row.last_recharge_at = now;
      /* Thresholds the new balance is already under are not news. */
      row.alerts_sent = 0;
      for (int i = 0; i < 3; i++)
        {
          int due = bd_prepaid_alert_due (rules, row.last_recharge_paise, row.balance_paise, (guint) row.alerts_sent);
          if (due >= 0)
            row.alerts_sent |= 1 << due;
        }
      if (row.balance_paise > 0)
        row.zero_since = 0;
      else if (r->reconnected || row.reconnect_pending)
        /* Reconnected on part of the dues: a new emergency-credit period,
         * or the next reading would cut the supply again at once. */
        row.zero_since = now;
      if (!_bd_meter_row_store (self, &row, error))
        goto fail;
    }
  else
    {
      g_autoptr(BdSqlStmt) update = bd_sql_connection_prepare (self->sql,
                                                            "UPDATE consumers SET balance_paise = ?2, balance_as_of = ?3 "
                                                            "WHERE account = ?1", error);
      if (update == NULL)
        goto fail;
      bd_sql_stmt_bind_text (update, 1, r->account);
      bd_sql_stmt_bind_int64 (update, 2, row.balance_paise);
      bd_sql_stmt_bind_int64 (update, 3, now);
      if (bd_sql_stmt_step (update) != BD_SQL_DONE)
        {
          bd_sql_connection_set_error (self->sql, error, "balance update");
          goto fail;
        }
    }

  amount_text = bd_format_paise (r->amount_paise);
  balance_text = bd_format_paise (row.balance_paise);
  json_builder_begin_object (detail);
  json_builder_set_member_name (detail, "receipt");
  json_builder_add_string_value (detail, r->receipt);
  json_builder_set_member_name (detail, "amount_paise");
  json_builder_add_int_value (detail, r->amount_paise);
  json_builder_set_member_name (detail, "mode");
  json_builder_add_string_value (detail, bd_payment_mode_to_string (r->mode));
  json_builder_end_object (detail);
  detail_node = json_builder_get_root (detail);
  if (!_bd_central_db_add_history (self, r->account, now, staff_username, role, "recharge", "balance_paise",
                                   NULL, amount_text, error) ||
      !_bd_central_db_audit (self, now, staff_username, role, zone, "recharge.create", r->account, detail_node, error))
    goto fail;
  if (row.mobile != NULL)
    {
      g_autofree char *text = g_strdup_printf ("UPPCL: खाता %s में %s का रिचार्ज जमा हुआ (रसीद %s)। नया बैलेंस %s। / "
                                               "UPPCL: Recharge of %s credited to account %s (receipt %s). New balance %s.",
                                               r->account, amount_text, r->receipt, balance_text,
                                               amount_text, r->account, r->receipt, balance_text);
      if (_bd_central_db_sms_enqueue (self, r->account, row.mobile, text, NULL, now * 1000, error) < 0)
        goto fail;
    }

  if (found_meter)
    balance = _bd_meter_balance_from_row (self, &row, rules, now, error);
  else
    balance = bd_central_db_meter_balance (self, zone, r->account, now, error);
  if (balance == NULL)
    goto fail;
  if (!found_meter)
    balance->balance_paise = row.balance_paise;
  body = recharge_body (r, balance);
  if (!_bd_central_db_idempotency_store (self, key, staff_username, request_hash, 201, body, now, error))
    goto fail;
  if (!bd_sql_connection_commit (self->sql, error))
    goto fail;
  *out_status = 201;
  *out_body = g_steal_pointer (&body);
  return TRUE;

fail:
  bd_sql_connection_rollback (self->sql);
  return FALSE;
}

