/* bd-prepaid-rules.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "bd-prepaid-rules.h"

#include <stdio.h>
#include <string.h>

#include "bd-codec.h"
#include "bd-codec-private.h"
#include "bd-time.h"

static const struct { guint32 date; const char *name; } default_holidays[] = {
  { 20260126, "Republic Day" },
  { 20260304, "Holi" },
  { 20260321, "Id-ul-Fitr" },
  { 20260414, "Dr. Ambedkar Jayanti" },
  { 20260815, "Independence Day" },
  { 20261002, "Gandhi Jayanti" },
  { 20261020, "Dussehra" },
  { 20261108, "Deepawali" },
  { 20261225, "Christmas" },
  { 20270126, "Republic Day" },
  { 20270322, "Holi" },
  { 20270414, "Dr. Ambedkar Jayanti" },
  { 20270815, "Independence Day" },
  { 20271002, "Gandhi Jayanti" },
  { 20271029, "Deepawali" },
  { 20271225, "Christmas" },
};

const char *
bd_no_cut_reason_to_string (BdNoCutReason reason)
{
  switch (reason)
    {
    case BD_NO_CUT_NIGHT:           return "night";
    case BD_NO_CUT_SUNDAY:          return "sunday";
    case BD_NO_CUT_SECOND_SATURDAY: return "second_saturday";
    case BD_NO_CUT_HOLIDAY:         return "holiday";
    case BD_NO_CUT_NONE:
    default:                        return "none";
    }
}

static const char * const cut_state_names[] = {
  "none", "emergency_credit", "waiting_no_cut", "due", "meter_silent", "field_visit",
};

const char *
bd_cut_state_to_string (BdCutState state)
{
  if ((guint) state >= G_N_ELEMENTS (cut_state_names))
    return "none";
  return cut_state_names[state];
}

gboolean
bd_cut_state_from_string (const char *text,
                          BdCutState *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (cut_state_names); i++)
    if (g_strcmp0 (text, cut_state_names[i]) == 0)
      {
        *out = (BdCutState) i;
        return TRUE;
      }
  return FALSE;
}

static int
compare_holidays (gconstpointer a,
                  gconstpointer b)
{
  const BdHoliday *x = a, *y = b;
  return x->date < y->date ? -1 : x->date > y->date;
}

BdPrepaidRules *
bd_prepaid_rules_new_default (void)
{
  BdPrepaidRules *rules = g_new0 (BdPrepaidRules, 1);

  rules->version = 1;
  rules->night_start_minute = 18 * 60;
  rules->night_end_minute = 8 * 60;
  rules->no_cut_sunday = TRUE;
  rules->no_cut_second_saturday = TRUE;
  rules->holidays = g_array_new (FALSE, TRUE, sizeof (BdHoliday));
  rules->emergency_credit_s = 3 * 86400;
  rules->alert_percents[0] = 30;
  rules->alert_percents[1] = 10;
  rules->alert_percents[2] = 0;
  rules->reconnect_dues_percent = 50;
  for (guint i = 0; i < G_N_ELEMENTS (default_holidays); i++)
    bd_prepaid_rules_add_holiday (rules, default_holidays[i].date, default_holidays[i].name);
  return rules;
}

BdPrepaidRules *
bd_prepaid_rules_copy (const BdPrepaidRules *rules)
{
  BdPrepaidRules *copy = g_memdup2 (rules, sizeof *rules);

  copy->holidays = g_array_copy (rules->holidays);
  return copy;
}

void
bd_prepaid_rules_free (BdPrepaidRules *rules)
{
  if (rules == NULL)
    return;
  g_array_unref (rules->holidays);
  g_free (rules);
}

void
bd_prepaid_rules_add_holiday (BdPrepaidRules *rules,
                              guint32         yyyymmdd,
                              const char     *name)
{
  BdHoliday holiday = { .date = yyyymmdd };

  g_strlcpy (holiday.name, name != NULL ? name : "", sizeof holiday.name);
  g_array_append_val (rules->holidays, holiday);
  g_array_sort (rules->holidays, compare_holidays);
}

const BdHoliday *
bd_prepaid_rules_find_holiday (const BdPrepaidRules *rules,
                               gint64                unix_utc)
{
  BdIstDate ist;
  guint32 date;
  guint lo = 0, hi = rules->holidays->len;

  bd_time_ist_date (unix_utc, &ist);
  date = (guint32) (ist.year * 10000 + ist.month * 100 + ist.day);
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const BdHoliday *holiday = &g_array_index (rules->holidays, BdHoliday, mid);

      if (holiday->date == date)
        return holiday;
      if (holiday->date < date)
        lo = mid + 1;
      else
        hi = mid;
    }
  return NULL;
}

static gboolean
in_night (const BdPrepaidRules *rules,
          int                   minute)
{
  int start = rules->night_start_minute, end = rules->night_end_minute;

  if (start == end)
    return FALSE;
  if (start < end)
    return minute >= start && minute < end;
  return minute >= start || minute < end;
}

BdNoCutReason
bd_prepaid_rules_no_cut_reason (const BdPrepaidRules *rules,
                                gint64                unix_utc)
{
  BdIstDate ist;

  bd_time_ist_date (unix_utc, &ist);
  if (rules->no_cut_sunday && ist.weekday == 0)
    return BD_NO_CUT_SUNDAY;
  if (rules->no_cut_second_saturday && ist.weekday == 6 && ist.day >= 8 && ist.day <= 14)
    return BD_NO_CUT_SECOND_SATURDAY;
  if (bd_prepaid_rules_find_holiday (rules, unix_utc) != NULL)
    return BD_NO_CUT_HOLIDAY;
  if (in_night (rules, ist.minute))
    return BD_NO_CUT_NIGHT;
  return BD_NO_CUT_NONE;
}

gint64
bd_prepaid_rules_next_cut_time (const BdPrepaidRules *rules,
                                gint64                unix_utc)
{
  gint64 t = unix_utc;

  /* Each step jumps to the end of what forbids the cut: the next IST
   * midnight for a whole day, the night's end for the night. A year of
   * forbidden days would be a broken table; stop rather than loop. */
  for (int steps = 0; steps < 800; steps++)
    {
      BdNoCutReason reason = bd_prepaid_rules_no_cut_reason (rules, t);
      BdIstDate ist;
      gint64 midnight;

      if (reason == BD_NO_CUT_NONE)
        return t;
      bd_time_ist_date (t, &ist);
      midnight = ist.day_start + 86400;
      if (reason == BD_NO_CUT_NIGHT)
        {
          gint64 end = ist.day_start + (gint64) rules->night_end_minute * 60;

          t = end > t ? end : end + 86400;
        }
      else
        t = midnight;
    }
  return t;
}

void
bd_prepaid_evaluate (const BdPrepaidRules   *rules,
                     const BdPrepaidAccount *account,
                     gint64                  now,
                     BdPrepaidOutlook       *out)
{
  gint64 zero_since;

  memset (out, 0, sizeof *out);
  if (account->balance_paise > 0 || account->meter_type == BD_METER_TYPE_NON_SMART)
    return;
  zero_since = account->zero_since > 0 ? account->zero_since : now;
  out->emergency_until = zero_since + rules->emergency_credit_s;
  if (account->supply == BD_SUPPLY_DISCONNECTED)
    return;

  out->cut_earliest_at = bd_prepaid_rules_next_cut_time (rules, MAX (now, out->emergency_until));
  if (account->meter_type == BD_METER_TYPE_CT)
    out->state = BD_CUT_STATE_FIELD_VISIT;
  else if (now < out->emergency_until)
    out->state = BD_CUT_STATE_EMERGENCY_CREDIT;
  else if ((out->held_by = bd_prepaid_rules_no_cut_reason (rules, now)) != BD_NO_CUT_NONE)
    out->state = BD_CUT_STATE_WAITING_NO_CUT;
  else if (!account->communicating)
    out->state = BD_CUT_STATE_METER_SILENT;
  else
    out->state = BD_CUT_STATE_DUE;
}

int
bd_prepaid_alert_due (const BdPrepaidRules *rules,
                      gint64                last_recharge_paise,
                      gint64                balance_paise,
                      guint                 sent_mask)
{
  int due = -1;

  for (int i = 0; i < (int) G_N_ELEMENTS (rules->alert_percents); i++)
    {
      int percent = rules->alert_percents[i];
      gboolean crossed;

      if (percent == 0)
        crossed = balance_paise <= 0;
      else
        crossed = last_recharge_paise > 0 &&
                  balance_paise * 100 <= last_recharge_paise * percent;
      if (crossed)
        due = i;   /* thresholds fall, so the last crossed is the lowest */
    }
  if (due >= 0 && (sent_mask & (1u << due)) != 0)
    return -1;
  return due;
}

gint64
bd_prepaid_reconnect_minimum (const BdPrepaidRules *rules,
                              gint64                balance_paise)
{
  gint64 dues;

  if (balance_paise > 0)
    return 0;
  dues = -balance_paise;
  /* Either clears the debt (balance just above zero) or pays the share. */
  return MAX (1, MIN (dues + 1, (dues * rules->reconnect_dues_percent + 99) / 100));
}

gboolean
bd_prepaid_reconnect_due (const BdPrepaidRules *rules,
                          gint64                balance_before_paise,
                          gint64                amount_paise)
{
  if (amount_paise <= 0)
    return balance_before_paise > 0;
  return amount_paise >= bd_prepaid_reconnect_minimum (rules, balance_before_paise);
}

gint64
bd_prepaid_days_left (gint64 balance_paise,
                      gint64 daily_paise)
{
  if (balance_paise <= 0)
    return 0;
  if (daily_paise <= 0)
    return -1;
  return balance_paise / daily_paise;
}

JsonNode *
bd_prepaid_rules_to_json (const BdPrepaidRules *rules)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  _bd_codec_add_int (builder, "version", rules->version);
  _bd_codec_add_int (builder, "night_start_minute", rules->night_start_minute);
  _bd_codec_add_int (builder, "night_end_minute", rules->night_end_minute);
  json_builder_set_member_name (builder, "no_cut_sunday");
  json_builder_add_boolean_value (builder, rules->no_cut_sunday);
  json_builder_set_member_name (builder, "no_cut_second_saturday");
  json_builder_add_boolean_value (builder, rules->no_cut_second_saturday);
  _bd_codec_add_int (builder, "emergency_credit_hours", rules->emergency_credit_s / 3600);
  json_builder_set_member_name (builder, "alert_percents");
  json_builder_begin_array (builder);
  for (guint i = 0; i < G_N_ELEMENTS (rules->alert_percents); i++)
    json_builder_add_int_value (builder, rules->alert_percents[i]);
  json_builder_end_array (builder);
  _bd_codec_add_int (builder, "reconnect_dues_percent", rules->reconnect_dues_percent);
  json_builder_set_member_name (builder, "holidays");
  json_builder_begin_array (builder);
  for (guint i = 0; i < rules->holidays->len; i++)
    {
      const BdHoliday *holiday = &g_array_index (rules->holidays, BdHoliday, i);
      g_autofree char *date = g_strdup_printf ("%04u-%02u-%02u", holiday->date / 10000,
                                               holiday->date / 100 % 100, holiday->date % 100);

      json_builder_begin_object (builder);
      _bd_codec_add_string (builder, "date", date);
      _bd_codec_add_string (builder, "name", holiday->name);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
parse_date (const char *text,
            guint32    *out)
{
  unsigned y, m, d;
  char tail;

  if (text == NULL || sscanf (text, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 ||
      strlen (text) != 10 || y < 2000 || y > 2100 || !g_date_valid_dmy (d, m, y))
    return FALSE;
  *out = y * 10000 + m * 100 + d;
  return TRUE;
}

BdPrepaidRules *
bd_prepaid_rules_from_json (JsonNode  *node,
                            GError   **error)
{
  JsonObject *object = _bd_codec_expect_object (node, "prepaid rules", error);
  g_autoptr(BdPrepaidRules) rules = NULL;
  gint64 version, night_start, night_end, hours, reconnect;
  JsonArray *alerts, *holidays;

  if (object == NULL)
    return NULL;
  rules = bd_prepaid_rules_new_default ();
  g_array_set_size (rules->holidays, 0);
  if (!_bd_codec_read_int (object, "version", 1, G_MAXINT, &version, error) ||
      !_bd_codec_read_int (object, "night_start_minute", 0, 1439, &night_start, error) ||
      !_bd_codec_read_int (object, "night_end_minute", 0, 1439, &night_end, error) ||
      !_bd_codec_read_bool (object, "no_cut_sunday", &rules->no_cut_sunday, error) ||
      !_bd_codec_read_bool (object, "no_cut_second_saturday", &rules->no_cut_second_saturday, error) ||
      !_bd_codec_read_int (object, "emergency_credit_hours", 0, 24 * 60, &hours, error) ||
      !_bd_codec_read_int (object, "reconnect_dues_percent", 0, 100, &reconnect, error))
    return NULL;
  rules->version = (gint) version;
  rules->night_start_minute = (int) night_start;
  rules->night_end_minute = (int) night_end;
  rules->emergency_credit_s = hours * 3600;
  rules->reconnect_dues_percent = (int) reconnect;

  alerts = _bd_codec_read_array (object, "alert_percents", error);
  if (alerts == NULL)
    return NULL;
  if (json_array_get_length (alerts) != G_N_ELEMENTS (rules->alert_percents))
    {
      _bd_codec_invalid (error, "alert_percents");
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (rules->alert_percents); i++)
    {
      JsonNode *value = json_array_get_element (alerts, i);

      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_INT64 ||
          json_node_get_int (value) < 0 || json_node_get_int (value) > 100 ||
          (i > 0 && json_node_get_int (value) >= rules->alert_percents[i - 1]))
        {
          _bd_codec_invalid (error, "alert_percents");
          return NULL;
        }
      rules->alert_percents[i] = (int) json_node_get_int (value);
    }

  holidays = _bd_codec_read_array (object, "holidays", error);
  if (holidays == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (holidays); i++)
    {
      JsonObject *holiday = _bd_codec_expect_object (json_array_get_element (holidays, i), "holiday", error);
      g_autofree char *date_text = NULL;
      g_autofree char *name = NULL;
      guint32 date;

      if (holiday == NULL ||
          !_bd_codec_read_string (holiday, "date", FALSE, 10, &date_text, error) ||
          !_bd_codec_read_string (holiday, "name", FALSE, 63, &name, error))
        return NULL;
      if (!parse_date (date_text, &date))
        {
          _bd_codec_invalid (error, "date");
          return NULL;
        }
      bd_prepaid_rules_add_holiday (rules, date, name);
    }
  return g_steal_pointer (&rules);
}
