/* bd-balance.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "bd-balance.h"

#include "bd-codec.h"
#include "bd-codec-private.h"
#include "bd-validate.h"

BdBalance *
bd_balance_new (const char *account)
{
  BdBalance *balance = g_new0 (BdBalance, 1);

  balance->account = g_strdup (account);
  balance->days_left = -1;
  balance->tariff = g_strdup ("");
  return balance;
}

BdBalance *
bd_balance_copy (const BdBalance *balance)
{
  BdBalance *copy = g_memdup2 (balance, sizeof *balance);

  copy->account = g_strdup (balance->account);
  copy->tariff = g_strdup (balance->tariff);
  return copy;
}

void
bd_balance_free (BdBalance *balance)
{
  if (balance == NULL)
    return;
  g_free (balance->account);
  g_free (balance->tariff);
  g_free (balance);
}

JsonNode *
bd_balance_to_json (const BdBalance *balance)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  _bd_codec_add_string (builder, "account", balance->account);
  _bd_codec_add_string (builder, "meter_type", bd_meter_type_to_string (balance->meter_type));
  _bd_codec_add_string (builder, "supply_status", bd_supply_status_to_string (balance->supply));
  _bd_codec_add_int (builder, "balance_paise", balance->balance_paise);
  _bd_codec_add_time (builder, "as_of", balance->as_of, TRUE);
  json_builder_set_member_name (builder, "communicating");
  json_builder_add_boolean_value (builder, balance->communicating);
  _bd_codec_add_time (builder, "last_contact_at", balance->last_contact_at, TRUE);
  _bd_codec_add_string (builder, "cut_state", bd_cut_state_to_string (balance->cut_state));
  _bd_codec_add_time (builder, "emergency_until", balance->emergency_until, TRUE);
  _bd_codec_add_time (builder, "cut_earliest_at", balance->cut_earliest_at, TRUE);
  _bd_codec_add_string (builder, "held_by", bd_no_cut_reason_to_string (balance->held_by));
  _bd_codec_add_int (builder, "reconnect_minimum_paise", balance->reconnect_minimum_paise);
  _bd_codec_add_int (builder, "daily_average_paise", balance->daily_average_paise);
  json_builder_set_member_name (builder, "days_left");
  if (balance->days_left < 0)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, balance->days_left);
  _bd_codec_add_int (builder, "month_wh", balance->month_wh);
  _bd_codec_add_int (builder, "month_paise", balance->month_paise);
  _bd_codec_add_int (builder, "last_recharge_paise", balance->last_recharge_paise);
  _bd_codec_add_time (builder, "last_recharge_at", balance->last_recharge_at, TRUE);
  _bd_codec_add_string (builder, "tariff", balance->tariff);
  _bd_codec_add_int (builder, "seq", balance->seq);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
parse_meter_type (const char *text, int *out)
{
  BdMeterType value;
  if (!bd_meter_type_from_string (text, &value))
    return FALSE;
  *out = (int) value;
  return TRUE;
}

static gboolean
parse_supply (const char *text, int *out)
{
  BdSupplyStatus value;
  if (!bd_supply_status_from_string (text, &value))
    return FALSE;
  *out = (int) value;
  return TRUE;
}

static gboolean
parse_cut_state (const char *text, int *out)
{
  BdCutState value;
  if (!bd_cut_state_from_string (text, &value))
    return FALSE;
  *out = (int) value;
  return TRUE;
}

static gboolean
parse_no_cut_reason (const char *text, int *out)
{
  for (int i = BD_NO_CUT_NONE; i <= BD_NO_CUT_HOLIDAY; i++)
    if (g_strcmp0 (text, bd_no_cut_reason_to_string ((BdNoCutReason) i)) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

#define MAX_PAISE G_GINT64_CONSTANT (100000000000)   /* ₹100 crore */

BdBalance *
bd_balance_from_json (JsonNode  *node,
                      GError   **error)
{
  JsonObject *object = _bd_codec_expect_object (node, "balance", error);
  g_autoptr(BdBalance) balance = NULL;
  g_autofree char *account = NULL;
  int meter_type = 0, supply = 0, cut_state = 0, held_by = 0;
  JsonNode *days_left;

  if (object == NULL)
    return NULL;
  if (!_bd_codec_read_string (object, "account", FALSE, 12, &account, error))
    return NULL;
  g_autofree char *normal = bd_account_normalize (account, NULL);

  if (g_strcmp0 (normal, account) != 0)
    {
      _bd_codec_invalid (error, "account");
      return NULL;
    }
  balance = bd_balance_new (account);
  g_clear_pointer (&balance->tariff, g_free);
  if (!_bd_codec_read_enum (object, "meter_type", parse_meter_type, &meter_type, error) ||
      !_bd_codec_read_enum (object, "supply_status", parse_supply, &supply, error) ||
      !_bd_codec_read_int (object, "balance_paise", -MAX_PAISE, MAX_PAISE, &balance->balance_paise, error) ||
      !_bd_codec_read_time (object, "as_of", TRUE, &balance->as_of, error) ||
      !_bd_codec_read_bool (object, "communicating", &balance->communicating, error) ||
      !_bd_codec_read_time (object, "last_contact_at", TRUE, &balance->last_contact_at, error) ||
      !_bd_codec_read_enum (object, "cut_state", parse_cut_state, &cut_state, error) ||
      !_bd_codec_read_time (object, "emergency_until", TRUE, &balance->emergency_until, error) ||
      !_bd_codec_read_time (object, "cut_earliest_at", TRUE, &balance->cut_earliest_at, error) ||
      !_bd_codec_read_enum (object, "held_by", parse_no_cut_reason, &held_by, error) ||
      !_bd_codec_read_int (object, "reconnect_minimum_paise", 0, MAX_PAISE, &balance->reconnect_minimum_paise, error) ||
      !_bd_codec_read_int (object, "daily_average_paise", 0, MAX_PAISE, &balance->daily_average_paise, error) ||
      !_bd_codec_read_int (object, "month_wh", 0, G_GINT64_CONSTANT (1000000000000), &balance->month_wh, error) ||
      !_bd_codec_read_int (object, "month_paise", 0, MAX_PAISE, &balance->month_paise, error) ||
      !_bd_codec_read_int (object, "last_recharge_paise", 0, MAX_PAISE, &balance->last_recharge_paise, error) ||
      !_bd_codec_read_time (object, "last_recharge_at", TRUE, &balance->last_recharge_at, error) ||
      !_bd_codec_read_string (object, "tariff", FALSE, 80, &balance->tariff, error) ||
      !_bd_codec_read_int (object, "seq", 0, G_MAXINT64, &balance->seq, error))
    return NULL;
  balance->meter_type = (BdMeterType) meter_type;
  balance->supply = (BdSupplyStatus) supply;
  balance->cut_state = (BdCutState) cut_state;
  balance->held_by = (BdNoCutReason) held_by;

  days_left = json_object_get_member (object, "days_left");
  if (days_left == NULL || JSON_NODE_HOLDS_NULL (days_left))
    balance->days_left = -1;
  else if (!_bd_codec_read_int (object, "days_left", 0, 1000000, &balance->days_left, error))
    return NULL;
  return g_steal_pointer (&balance);
}
