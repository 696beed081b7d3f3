/* bd-complaint-csv.c: complaints as CSV.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bd-codec-private.h"
#include "bd-complaint-csv.h"
#include "bd-complaint-rules.h"
#include "bd-time.h"

char *
bd_complaints_to_csv (GPtrArray *complaints,
                      gint64     now)
{
  GString *out = g_string_new ("number,status,category,account,area_type,channel,feeder,dt,assigned_to,"
                               "callers,escalation_level,filed_at_ist,due_at_ist,overdue_days,"
                               "compensation_rupees\r\n");

  g_return_val_if_fail (complaints != NULL, NULL);

  for (guint i = 0; i < complaints->len; i++)
    {
      const BdComplaint *c = g_ptr_array_index (complaints, i);
      g_autofree char *filed = bd_time_format_ist (c->created_at);
      g_autofree char *due = NULL;
      g_autofree char *days = NULL;
      g_autofree char *rupees = NULL;
      g_autofree char *callers = g_strdup_printf ("%d", c->callers);
      g_autofree char *level = g_strdup_printf ("%d", c->escalation_level);
      BdSlaClock clock;

      bd_sla_clock_compute (c, now, &clock);
      due = bd_time_format_ist (clock.due_at);
      days = g_strdup_printf ("%" G_GINT64_FORMAT, clock.days_late);
      rupees = g_strdup_printf ("%" G_GINT64_FORMAT ".%02d", clock.compensation_paise / 100,
                                (int) (clock.compensation_paise % 100));
      _bd_csv_field (out, c->number, FALSE);
      _bd_csv_field (out, bd_complaint_status_to_string (c->status), FALSE);
      _bd_csv_field (out, bd_complaint_category_to_string (c->category), FALSE);
      _bd_csv_field (out, c->account, FALSE);
      _bd_csv_field (out, bd_area_type_to_string (c->area_type), FALSE);
      _bd_csv_field (out, bd_complaint_channel_to_string (c->channel), FALSE);
      _bd_csv_field (out, c->feeder, FALSE);
      _bd_csv_field (out, c->dt, FALSE);
      _bd_csv_field (out, c->assigned_to, FALSE);
      _bd_csv_field (out, callers, FALSE);
      _bd_csv_field (out, level, FALSE);
      _bd_csv_field (out, filed, FALSE);
      _bd_csv_field (out, due, FALSE);
      _bd_csv_field (out, days, FALSE);
      _bd_csv_field (out, rupees, TRUE);
    }
  return g_string_free (out, FALSE);
}
