/* bd-consumer-format.c: how the desk words a consumer's record.
 *
 * The balance state follows the prepaid rules as the desk sees them: at or
 * below zero with the supply still on, the consumer is living on emergency
 * credit and a remote cut may follow; below zero and off, the meter has
 * cut the supply. The meter's communication status is read from the age
 * of the balance, which only a meter reading moves.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-money.h"
#include "core/bd-time.h"
#include "core/bd-validate.h"

#include "bd-consumer-format.h"

/* Read and written on the main thread only. */
static BdNameOrder name_order = BD_NAME_ORDER_ENGLISH_FIRST;

static gboolean
is_blank (const char *text)
{
  return text == NULL || *text == '\0';
}

BdConsumerBalanceState
bd_consumer_balance_state (BdConsumer *consumer)
{
  gint64 balance;

  g_return_val_if_fail (BD_IS_CONSUMER (consumer), BD_BALANCE_STATE_OK);

  balance = bd_consumer_get_balance_paise (consumer);
  if (balance > 0)
    return BD_BALANCE_STATE_OK;
  if (bd_consumer_get_supply_status (consumer) == BD_SUPPLY_CONNECTED)
    return BD_BALANCE_STATE_EMERGENCY;
  if (balance < 0)
    return BD_BALANCE_STATE_NEGATIVE;
  /* Zero and off: nothing is owed, but there is nothing to run on either. */
  return BD_BALANCE_STATE_EMERGENCY;
}

const char *
bd_balance_state_label (BdConsumerBalanceState state)
{
  switch (state)
    {
    case BD_BALANCE_STATE_NEGATIVE:
      return _("Negative");
    case BD_BALANCE_STATE_EMERGENCY:
      return _("Emergency credit");
    case BD_BALANCE_STATE_OK:
    default:
      return _("In credit");
    }
}

const char *
bd_balance_state_icon_name (BdConsumerBalanceState state)
{
  switch (state)
    {
    case BD_BALANCE_STATE_NEGATIVE:
      return "dialog-error-symbolic";
    case BD_BALANCE_STATE_EMERGENCY:
      return "dialog-warning-symbolic";
    case BD_BALANCE_STATE_OK:
    default:
      return "emblem-ok-symbolic";
    }
}

const char *
bd_balance_state_css_class (BdConsumerBalanceState state)
{
  switch (state)
    {
    case BD_BALANCE_STATE_NEGATIVE:
      return "negative";
    case BD_BALANCE_STATE_EMERGENCY:
      return "emergency";
    case BD_BALANCE_STATE_OK:
    default:
      return "ok";
    }
}

BdMeterComm
bd_consumer_meter_comm (BdConsumer *consumer,
                        gint64      now)
{
  gint64 as_of;

  g_return_val_if_fail (BD_IS_CONSUMER (consumer), BD_METER_COMM_NOT_REMOTE);

  if (bd_consumer_get_meter_type (consumer) == BD_METER_TYPE_NON_SMART)
    return BD_METER_COMM_NOT_REMOTE;

  as_of = bd_consumer_get_balance_as_of (consumer);
  if (as_of <= 0)
    return BD_METER_COMM_NEVER;
  /* A reading "from the future" is a clock skew, not a silent meter. */
  if (now - as_of > BD_METER_SILENT_AFTER_SECONDS)
    return BD_METER_COMM_SILENT;
  return BD_METER_COMM_REPORTING;
}

char *
bd_consumer_format_meter_comm (BdConsumer *consumer,
                               gint64      now)
{
  g_autofree char *when = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER (consumer), NULL);

  switch (bd_consumer_meter_comm (consumer, now))
    {
    case BD_METER_COMM_NOT_REMOTE:
      return g_strdup (_("No remote reading: this meter is read on site"));
    case BD_METER_COMM_NEVER:
      return g_strdup (_("No reading received from this meter yet"));
    case BD_METER_COMM_SILENT:
      when = bd_time_format_ist (bd_consumer_get_balance_as_of (consumer));
      /* Translators: %s is a date and time, e.g. "23-11-2026 15:45 IST". */
      return g_strdup_printf (_("Not reporting since %s"), when);
    case BD_METER_COMM_REPORTING:
    default:
      return g_strdup (_("Communicating"));
    }
}

char *
bd_consumer_format_last_reading (BdConsumer *consumer)
{
  g_return_val_if_fail (BD_IS_CONSUMER (consumer), NULL);

  if (bd_consumer_get_meter_type (consumer) == BD_METER_TYPE_NON_SMART)
    return g_strdup (_("Not available for this meter"));
  if (bd_consumer_get_balance_as_of (consumer) <= 0)
    return g_strdup (_("None yet"));
  return bd_time_format_ist (bd_consumer_get_balance_as_of (consumer));
}

const char *
bd_meter_type_label (BdMeterType type)
{
  switch (type)
    {
    case BD_METER_TYPE_SMART:
      return _("Smart prepaid meter");
    case BD_METER_TYPE_CT:
      return _("CT-operated meter (no remote switching)");
    case BD_METER_TYPE_NON_SMART:
      return _("Not a smart meter");
    default:
      return _("Unknown");
    }
}

const char *
bd_phase_label (BdPhase phase)
{
  return phase == BD_PHASE_THREE ? _("Three phase") : _("Single phase");
}

const char *
bd_supply_status_label (BdSupplyStatus status)
{
  return status == BD_SUPPLY_CONNECTED ? _("Connected") : _("Disconnected");
}

const char *
bd_area_type_label (BdAreaType area)
{
  return area == BD_AREA_RURAL ? _("Rural") : _("Urban");
}

char *
bd_format_load (gint64 watts)
{
  g_autofree char *whole = bd_format_indian_integer (watts / 1000);
  gint64 tenths = (ABS (watts) % 1000) / 100;

  if (tenths == 0)
    /* Translators: a sanctioned load in whole kilowatts, e.g. "2 kW". */
    return g_strdup_printf (_("%s kW"), whole);
  /* Translators: a sanctioned load with tenths, e.g. "1.5 kW": %s is the
   * whole kilowatts, %d the tenth. */
  return g_strdup_printf (_("%s.%d kW"), whole, (int) tenths);
}

void
bd_name_order_set (BdNameOrder order)
{
  name_order = order;
}

BdNameOrder
bd_name_order_get (void)
{
  return name_order;
}

const char *
bd_consumer_get_names (BdConsumer  *consumer,
                       const char **out_secondary)
{
  gboolean hindi_first = name_order == BD_NAME_ORDER_HINDI_FIRST;
  const char *primary;
  const char *other;

  g_return_val_if_fail (BD_IS_CONSUMER (consumer), NULL);

  primary = bd_consumer_get_display_name (consumer, hindi_first);
  other = hindi_first ? bd_consumer_get_name_en (consumer) : bd_consumer_get_name_hi (consumer);
  if (out_secondary != NULL)
    *out_secondary = !is_blank (other) && g_strcmp0 (other, primary) != 0 ? other : NULL;

  return primary;
}

char *
bd_consumer_format_relation (BdConsumer *consumer)
{
  const char *en;
  const char *hi;

  g_return_val_if_fail (BD_IS_CONSUMER (consumer), NULL);

  en = bd_consumer_get_relation_en (consumer);
  hi = bd_consumer_get_relation_hi (consumer);
  if (!is_blank (en) && !is_blank (hi) && g_strcmp0 (en, hi) != 0)
    {
      if (name_order == BD_NAME_ORDER_HINDI_FIRST)
        return g_strdup_printf ("%s · %s", hi, en);
      return g_strdup_printf ("%s · %s", en, hi);
    }
  if (name_order == BD_NAME_ORDER_HINDI_FIRST && !is_blank (hi))
    return g_strdup (hi);
  return g_strdup (!is_blank (en) ? en : hi);
}

char *
bd_consumer_dup_masked_mobile (BdConsumer *consumer)
{
  g_return_val_if_fail (BD_IS_CONSUMER (consumer), NULL);

  if (is_blank (bd_consumer_get_mobile (consumer)))
    return NULL;
  return bd_mobile_mask (bd_consumer_get_mobile (consumer));
}

char *
bd_consumer_format_balance_note (BdConsumer *consumer)
{
  g_autofree char *as_of = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER (consumer), NULL);

  as_of = bd_time_format_ist (bd_consumer_get_balance_as_of (consumer));
  if (as_of == NULL)
    return g_strdup (_("No meter reading has updated this balance yet."));

  switch (bd_consumer_balance_state (consumer))
    {
    case BD_BALANCE_STATE_NEGATIVE:
      /* Translators: %s is a date and time, e.g. "23-11-2026 15:45 IST". */
      return g_strdup_printf (_("As of %s. The supply is off until the consumer recharges enough to clear the dues."), as_of);
    case BD_BALANCE_STATE_EMERGENCY:
      /* Translators: %s is a date and time, e.g. "23-11-2026 15:45 IST". */
      return g_strdup_printf (_("As of %s. Running on emergency credit: the supply may be disconnected unless the consumer recharges."), as_of);
    case BD_BALANCE_STATE_OK:
    default:
      /* Translators: %s is a date and time, e.g. "23-11-2026 15:45 IST". */
      return g_strdup_printf (_("As of %s"), as_of);
    }
}
