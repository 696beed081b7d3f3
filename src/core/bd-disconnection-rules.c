/* bd-disconnection-rules.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "bd-disconnection-rules.h"
#include "bd-money.h"
#include "bd-time.h"

void
bd_request_verdict_clear (BdRequestVerdict *verdict)
{
  g_clear_pointer (&verdict->guards, g_ptr_array_unref);
}

static void
add (BdRequestVerdict *out,
     const char       *code,
     BdGuardVerdict    verdict,
     char             *message)
{
  g_ptr_array_add (out->guards, bd_guard_new (code, verdict, message));
  g_free (message);
  if (verdict == BD_GUARD_BLOCK)
    out->blocked = TRUE;
  if (verdict == BD_GUARD_FIELD)
    out->field_task = TRUE;
}

static const char *
no_cut_words (BdNoCutReason reason)
{
  switch (reason)
    {
    case BD_NO_CUT_NIGHT:           return _("at night");
    case BD_NO_CUT_SUNDAY:          return _("on a Sunday");
    case BD_NO_CUT_SECOND_SATURDAY: return _("on the second Saturday");
    case BD_NO_CUT_HOLIDAY:         return _("on a public holiday");
    case BD_NO_CUT_NONE:
    default:                        return "";
    }
}

void
bd_request_evaluate (const BdPrepaidRules   *rules,
                     BdRequestKind           kind,
                     const BdRequestContext *context,
                     gint64                  requested_for,
                     gint64                  now,
                     BdRequestVerdict       *out)
{
  gint64 when = MAX (requested_for, now);
  gboolean disconnects = bd_request_kind_disconnects (kind);

  out->guards = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_guard_free);
  out->blocked = FALSE;
  out->field_task = FALSE;

  /* What the supply is already doing. */
  if (disconnects && context->supply == BD_SUPPLY_DISCONNECTED && kind != BD_REQUEST_PERMANENT)
    add (out, "already_off", BD_GUARD_BLOCK, g_strdup (_("The supply is already disconnected.")));
  if (!disconnects && context->supply == BD_SUPPLY_CONNECTED)
    add (out, "already_on", BD_GUARD_BLOCK, g_strdup (_("The supply is already connected.")));

  switch (kind)
    {
    case BD_REQUEST_NONPAYMENT:
      if (context->balance_paise > 0)
        {
          g_autofree char *balance = bd_format_paise (context->balance_paise);
          add (out, "in_credit", BD_GUARD_BLOCK,
               g_strdup_printf (_("The balance is %s: there are no dues to disconnect for."), balance));
        }
      else
        {
          gint64 zero = context->zero_since > 0 ? context->zero_since : now;
          gint64 credit_end = zero + rules->emergency_credit_s;

          if (credit_end > when)
            {
              g_autofree char *until = bd_time_format_ist (credit_end);
              add (out, "emergency_credit", BD_GUARD_SCHEDULE,
                   g_strdup_printf (_("Emergency credit runs until %s; the cut waits for it."), until));
              when = credit_end;
            }
          else
            add (out, "emergency_credit", BD_GUARD_PASS, g_strdup (_("Emergency credit has run out.")));
        }
      if (context->wrong_deduction_open)
        add (out, "wrong_deduction", BD_GUARD_BLOCK,
             g_strdup_printf (_("Complaint %s about a wrong deduction is open: no cut for non-payment until it is resolved."),
                              context->wrong_deduction_number != NULL ? context->wrong_deduction_number : ""));
      break;
    case BD_REQUEST_PERMANENT:
      if (context->balance_paise < 0)
        {
          g_autofree char *dues = bd_format_paise (-context->balance_paise);
          add (out, "dues", BD_GUARD_BLOCK,
               g_strdup_printf (_("Dues of %s must be settled before the connection is closed."), dues));
        }
      else
        add (out, "dues", BD_GUARD_PASS, g_strdup (_("No dues are outstanding.")));
      break;
    case BD_REQUEST_RECONNECTION:
      {
        gint64 minimum = bd_prepaid_reconnect_minimum (rules, context->balance_paise);

        if (context->balance_paise <= 0)
          {
            g_autofree char *amount = bd_format_paise (minimum);
            add (out, "reconnection_threshold", BD_GUARD_BLOCK,
                 g_strdup_printf (_("The balance is not above zero: a recharge of at least %s reconnects the supply by itself."),
                                  amount));
          }
        else
          add (out, "reconnection_threshold", BD_GUARD_PASS,
               g_strdup (_("The balance is above the reconnection threshold.")));
      }
      break;
    case BD_REQUEST_TEMPORARY:
    default:
      break;
    }

  /* The no-cut times, for every disconnection. */
  if (disconnects)
    {
      BdNoCutReason reason = bd_prepaid_rules_no_cut_reason (rules, when);

      if (reason != BD_NO_CUT_NONE)
        {
          gint64 next = bd_prepaid_rules_next_cut_time (rules, when);
          g_autofree char *at = bd_time_format_ist (next);
          const BdHoliday *holiday = reason == BD_NO_CUT_HOLIDAY ? bd_prepaid_rules_find_holiday (rules, when) : NULL;

          if (holiday != NULL)
            add (out, "no_cut_time", BD_GUARD_SCHEDULE,
                 g_strdup_printf (_("No disconnections on a public holiday (%s): scheduled for %s."), holiday->name, at));
          else
            /* Translators: "No disconnections at night: scheduled for …" */
            add (out, "no_cut_time", BD_GUARD_SCHEDULE,
                 g_strdup_printf (_("No disconnections %s: scheduled for %s."), no_cut_words (reason), at));
          when = next;
        }
      else
        add (out, "no_cut_time", BD_GUARD_PASS, g_strdup (_("Not a no-cut day or hour.")));
    }

  /* How the switch happens. */
  if (context->meter_type == BD_METER_TYPE_CT)
    add (out, "ct_meter", BD_GUARD_FIELD,
         g_strdup (_("A CT meter has no remote switch: this becomes a field task.")));
  else if (context->meter_type == BD_METER_TYPE_NON_SMART)
    add (out, "not_smart", BD_GUARD_FIELD,
         g_strdup (_("Not a smart meter: a field team must do this.")));
  else if (!context->communicating)
    add (out, "meter_silent", BD_GUARD_SCHEDULE,
         g_strdup (_("The meter is not communicating now: the head-end retries, then it becomes a field task.")));

  out->scheduled_for = when;
}
