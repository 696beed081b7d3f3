/* bd-complaint-rules.c: SLA clock, transitions and duplicate matching.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "bd-complaint-rules.h"

#define HOUR (60 * 60)
#define DAY  (24 * HOUR)

G_DEFINE_QUARK (bd-complaint-error-quark, bd_complaint_error)

/* Times and compensation of the order of UPERC's standards of performance. */
static const BdSlaRule default_rules[] = {
  { BD_COMPLAINT_NO_SUPPLY_SINGLE,      BD_AREA_URBAN,  4 * HOUR,  5000 },
  { BD_COMPLAINT_NO_SUPPLY_SINGLE,      BD_AREA_RURAL, 12 * HOUR,  5000 },
  { BD_COMPLAINT_NO_SUPPLY_AREA,        BD_AREA_URBAN,  6 * HOUR, 10000 },
  { BD_COMPLAINT_NO_SUPPLY_AREA,        BD_AREA_RURAL, 24 * HOUR, 10000 },
  { BD_COMPLAINT_METER_FAULTY,          BD_AREA_URBAN,  7 * DAY,   5000 },
  { BD_COMPLAINT_METER_FAULTY,          BD_AREA_RURAL,  7 * DAY,   5000 },
  { BD_COMPLAINT_METER_BURNT,           BD_AREA_URBAN,  3 * DAY,   5000 },
  { BD_COMPLAINT_METER_BURNT,           BD_AREA_RURAL,  7 * DAY,   5000 },
  { BD_COMPLAINT_METER_FAST,            BD_AREA_URBAN, 15 * DAY,   5000 },
  { BD_COMPLAINT_METER_FAST,            BD_AREA_RURAL, 15 * DAY,   5000 },
  { BD_COMPLAINT_RECHARGE_NOT_CREDITED, BD_AREA_URBAN, 24 * HOUR, 10000 },
  { BD_COMPLAINT_RECHARGE_NOT_CREDITED, BD_AREA_RURAL, 24 * HOUR, 10000 },
  { BD_COMPLAINT_WRONG_DEDUCTION,       BD_AREA_URBAN,  7 * DAY,   5000 },
  { BD_COMPLAINT_WRONG_DEDUCTION,       BD_AREA_RURAL,  7 * DAY,   5000 },
  { BD_COMPLAINT_VOLTAGE,               BD_AREA_URBAN, 10 * DAY,   5000 },
  { BD_COMPLAINT_VOLTAGE,               BD_AREA_RURAL, 10 * DAY,   5000 },
  { BD_COMPLAINT_TRANSFORMER,           BD_AREA_URBAN,  8 * HOUR, 25000 },
  { BD_COMPLAINT_TRANSFORMER,           BD_AREA_RURAL, 24 * HOUR, 25000 },
  { BD_COMPLAINT_CABLE,                 BD_AREA_URBAN,  6 * HOUR, 10000 },
  { BD_COMPLAINT_CABLE,                 BD_AREA_RURAL, 12 * HOUR, 10000 },
  { BD_COMPLAINT_STREET_LIGHT,          BD_AREA_URBAN,  3 * DAY,      0 },
  { BD_COMPLAINT_STREET_LIGHT,          BD_AREA_RURAL,  7 * DAY,      0 },
  { BD_COMPLAINT_THEFT,                 BD_AREA_URBAN,  7 * DAY,      0 },
  { BD_COMPLAINT_THEFT,                 BD_AREA_RURAL,  7 * DAY,      0 },
  { BD_COMPLAINT_LOAD_CHANGE,           BD_AREA_URBAN, 30 * DAY,  10000 },
  { BD_COMPLAINT_LOAD_CHANGE,           BD_AREA_RURAL, 30 * DAY,  10000 },
  { BD_COMPLAINT_OTHER,                 BD_AREA_URBAN,  7 * DAY,      0 },
  { BD_COMPLAINT_OTHER,                 BD_AREA_RURAL,  7 * DAY,      0 },
};

const BdSlaRule *
bd_sla_default_rules (gsize *n_rules)
{
  g_return_val_if_fail (n_rules != NULL, NULL);

  *n_rules = G_N_ELEMENTS (default_rules);
  return default_rules;
}

/* ---- SLA clock ------------------------------------------------------------ */

/* Seconds of [from, to) covered by the complaint's pauses. */
static gint64
paused_within (const BdComplaint *complaint,
               gint64             from,
               gint64             to)
{
  gint64 total = 0;

  for (guint i = 0; i < complaint->pauses->len; i++)
    {
      const BdComplaintPause *pause = &g_array_index (complaint->pauses, BdComplaintPause, i);
      gint64 start = MAX (pause->start, from);
      gint64 end = MIN (pause->end != 0 ? pause->end : to, to);

      if (end > start)
        total += end - start;
    }
  return total;
}

void
bd_sla_clock_compute (const BdComplaint *complaint,
                      gint64             now,
                      BdSlaClock        *out)
{
  gint64 end;
  gint64 late_s;

  g_return_if_fail (complaint != NULL);
  g_return_if_fail (out != NULL);

  memset (out, 0, sizeof *out);

  switch (complaint->status)
    {
    case BD_COMPLAINT_STATUS_RESOLVED:
    case BD_COMPLAINT_STATUS_CLOSED:
      end = complaint->resolved_at != 0 ? complaint->resolved_at : now;
      break;
    case BD_COMPLAINT_STATUS_REJECTED:
      /* Rejected complaints owe nothing: the clock is read where it stopped. */
      end = complaint->updated_at;
      break;
    default:
      end = now;
      out->running = !bd_complaint_is_paused (complaint);
      break;
    }
  end = MAX (end, complaint->created_at);

  out->elapsed_s = (end - complaint->created_at) - paused_within (complaint, complaint->created_at, end);
  out->remaining_s = complaint->sla_allowed_s - out->elapsed_s;
  out->due_at = end + MAX (out->remaining_s, 0);
  if (out->remaining_s >= 0 || complaint->status == BD_COMPLAINT_STATUS_REJECTED)
    return;

  late_s = -out->remaining_s;
  out->overdue = TRUE;
  out->due_at = end - late_s;
  /* "Per day or part thereof": 25 hours late is two days' compensation,
   * whatever the calendar says. */
  out->days_late = (late_s + DAY - 1) / DAY;
  out->compensation_paise = out->days_late * complaint->compensation_per_day_paise;
}

/* ---- transitions ---------------------------------------------------------- */

static gboolean
role_in (BdRole role,
         guint  mask)
{
  return (mask & (1u << role)) != 0;
}

#define R(role) (1u << (role))
#define STAFF       (R (BD_ROLE_OPERATOR) | R (BD_ROLE_SUPERVISOR) | R (BD_ROLE_ADMIN))
#define EVERYONE    (STAFF | R (BD_ROLE_AGENT))
#define SUPERVISORS (R (BD_ROLE_SUPERVISOR) | R (BD_ROLE_ADMIN))

static gboolean
blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (; *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

static gboolean
not_allowed (const BdComplaint  *complaint,
             BdComplaintAction   action,
             GError            **error)
{
  /* Translators: an action such as "Resolved", then a status such as "Closed". */
  g_set_error (error, BD_COMPLAINT_ERROR, BD_COMPLAINT_ERROR_NOT_ALLOWED,
               _("“%s” is not possible for a complaint that is %s."),
               bd_complaint_action_label (action),
               bd_complaint_status_label (complaint->status));
  return FALSE;
}

gboolean
bd_complaint_check_action (const BdComplaint  *complaint,
                           BdComplaintAction   action,
                           BdRole              role,
                           const char         *note,
                           gboolean            otp_verified,
                           BdComplaintStatus  *out_status,
                           GError            **error)
{
  BdComplaintStatus from;
  BdComplaintStatus to;
  gboolean open;
  gboolean needs_note = TRUE;
  guint roles = STAFF;

  g_return_val_if_fail (complaint != NULL, FALSE);
  g_return_val_if_fail (out_status != NULL, FALSE);

  from = complaint->status;
  to = from;
  open = bd_complaint_status_is_open (from);

  switch (action)
    {
    case BD_COMPLAINT_ACTION_ASSIGN:
      if (!open)
        return not_allowed (complaint, action, error);
      to = BD_COMPLAINT_STATUS_ASSIGNED;
      break;
    case BD_COMPLAINT_ACTION_START:
      if (from != BD_COMPLAINT_STATUS_ASSIGNED)
        return not_allowed (complaint, action, error);
      to = BD_COMPLAINT_STATUS_IN_PROGRESS;
      needs_note = FALSE;
      break;
    case BD_COMPLAINT_ACTION_PAUSE:
      if (!open || bd_complaint_is_paused (complaint))
        return not_allowed (complaint, action, error);
      break;
    case BD_COMPLAINT_ACTION_RESUME:
      if (!open || !bd_complaint_is_paused (complaint))
        return not_allowed (complaint, action, error);
      needs_note = FALSE;
      break;
    case BD_COMPLAINT_ACTION_RESOLVE:
      if (!open || from == BD_COMPLAINT_STATUS_NEW)
        return not_allowed (complaint, action, error);
      to = BD_COMPLAINT_STATUS_RESOLVED;
      break;
    case BD_COMPLAINT_ACTION_CLOSE:
      if (from != BD_COMPLAINT_STATUS_RESOLVED)
        return not_allowed (complaint, action, error);
      to = BD_COMPLAINT_STATUS_CLOSED;
      if (otp_verified)
        {
          roles = EVERYONE;
          needs_note = FALSE;
        }
      else if (!role_in (role, SUPERVISORS))
        {
          g_set_error_literal (error, BD_COMPLAINT_ERROR, BD_COMPLAINT_ERROR_OTP_REQUIRED,
                               _("Closing needs the OTP sent to the consumer’s contact number, or a supervisor’s override with a reason."));
          return FALSE;
        }
      else
        roles = SUPERVISORS;
      break;
    case BD_COMPLAINT_ACTION_REOPEN:
      if (from != BD_COMPLAINT_STATUS_RESOLVED && from != BD_COMPLAINT_STATUS_CLOSED)
        return not_allowed (complaint, action, error);
      to = BD_COMPLAINT_STATUS_REOPENED;
      roles = EVERYONE;
      break;
    case BD_COMPLAINT_ACTION_ESCALATE:
      if (from == BD_COMPLAINT_STATUS_REJECTED || complaint->escalation_level >= 2)
        return not_allowed (complaint, action, error);
      to = BD_COMPLAINT_STATUS_ESCALATED;
      roles = EVERYONE;
      break;
    case BD_COMPLAINT_ACTION_REJECT:
      if (from != BD_COMPLAINT_STATUS_NEW && from != BD_COMPLAINT_STATUS_ASSIGNED)
        return not_allowed (complaint, action, error);
      to = BD_COMPLAINT_STATUS_REJECTED;
      roles = SUPERVISORS;
      break;
    case BD_COMPLAINT_ACTION_ADD_CALLER:
      if (!open)
        return not_allowed (complaint, action, error);
      roles = EVERYONE;
      needs_note = FALSE;
      break;
    case BD_COMPLAINT_ACTION_FILE:
    default:
      return not_allowed (complaint, action, error);
    }

  if (!role_in (role, roles))
    {
      /* Translators: an action such as "Rejected", then a role such as "agent". */
      g_set_error (error, BD_COMPLAINT_ERROR, BD_COMPLAINT_ERROR_FORBIDDEN,
                   _("“%s” is not allowed for the role “%s”."),
                   bd_complaint_action_label (action), bd_role_to_string (role));
      return FALSE;
    }

  if (needs_note && blank (note))
    {
      const char *message;

      switch (action)
        {
        case BD_COMPLAINT_ACTION_ASSIGN: message = _("Say who the complaint is assigned to."); break;
        case BD_COMPLAINT_ACTION_PAUSE: message = _("Give the reason for pausing the clock, e.g. the consumer asked for a later visit."); break;
        case BD_COMPLAINT_ACTION_RESOLVE: message = _("Say what was done to resolve it."); break;
        case BD_COMPLAINT_ACTION_CLOSE: message = _("A supervisor’s override needs a recorded reason."); break;
        case BD_COMPLAINT_ACTION_REOPEN: message = _("Give the consumer’s reason for reopening."); break;
        case BD_COMPLAINT_ACTION_ESCALATE: message = _("Give the reason for escalating."); break;
        case BD_COMPLAINT_ACTION_REJECT: message = _("Give the reason for rejecting the complaint."); break;
        default: message = _("A note is needed."); break;
        }
      g_set_error_literal (error, BD_COMPLAINT_ERROR, BD_COMPLAINT_ERROR_NOTE_REQUIRED, message);
      return FALSE;
    }

  *out_status = to;
  return TRUE;
}

/* ---- duplicates ----------------------------------------------------------- */

/* Faults that cut the supply of everyone behind them. */
static gboolean
is_area_outage (BdComplaintCategory category)
{
  return category == BD_COMPLAINT_NO_SUPPLY_AREA || category == BD_COMPLAINT_TRANSFORMER ||
         category == BD_COMPLAINT_CABLE;
}

static gboolean
is_outage (BdComplaintCategory category)
{
  return category == BD_COMPLAINT_NO_SUPPLY_SINGLE || is_area_outage (category);
}

static gboolean
same (const char *a,
      const char *b)
{
  return a != NULL && b != NULL && *a != '\0' && g_str_equal (a, b);
}

int
bd_complaint_duplicate_rank (const BdComplaint   *existing,
                             BdComplaintCategory  category,
                             const char          *account,
                             const char          *dt,
                             const char          *feeder,
                             const char          *pole)
{
  g_return_val_if_fail (existing != NULL, 0);

  if (!bd_complaint_status_is_open (existing->status))
    return 0;

  if (existing->category == category && same (existing->account, account))
    return 4;

  /* One outage, many callers: a "no supply" call behind a DT or feeder
   * that is already known to be down is the same fault. */
  if (is_outage (category) && is_area_outage (existing->category))
    {
      if (same (existing->dt, dt))
        return 3;
      if (existing->category != BD_COMPLAINT_TRANSFORMER && same (existing->feeder, feeder))
        return 2;
      return 0;
    }

  if (existing->category != category)
    return 0;
  if (category == BD_COMPLAINT_VOLTAGE && same (existing->dt, dt))
    return 3;
  if (category == BD_COMPLAINT_STREET_LIGHT && same (existing->pole, pole))
    return 3;
  return 0;
}

BdComplaintCategory
bd_complaint_suggest_category (GPtrArray  *open_complaints,
                               const char *dt,
                               const char *feeder)
{
  for (guint i = 0; open_complaints != NULL && i < open_complaints->len; i++)
    {
      const BdComplaint *existing = g_ptr_array_index (open_complaints, i);

      if (bd_complaint_duplicate_rank (existing, BD_COMPLAINT_NO_SUPPLY_SINGLE, NULL, dt, feeder, NULL) > 0)
        return BD_COMPLAINT_NO_SUPPLY_AREA;
    }
  return BD_COMPLAINT_NO_SUPPLY_SINGLE;
}
