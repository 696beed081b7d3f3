/* bd-complaint-csv.c: complaints as CSV.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bd-complaint-csv.h"
#include "bd-complaint-rules.h"
#include "bd-time.h"

static void
field (GString    *out,
       const char *text,
       gboolean    last)
{
  if (text == NULL)
    text = "";
  g_string_append_c (out, '"');
  if (*text == '=' || *text == '+' || *text == '-' || *text == '@')
    g_string_append_c (out, '\'');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  g_string_append (out, last ? "\r\n" : ",");
}

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
      field (out, c->number, FALSE);
      field (out, bd_complaint_status_to_string (c->status), FALSE);
      field (out, bd_complaint_category_to_string (c->category), FALSE);
      field (out, c->account, FALSE);
      field (out, bd_area_type_to_string (c->area_type), FALSE);
      field (out, bd_complaint_channel_to_string (c->channel), FALSE);
      field (out, c->feeder, FALSE);
      field (out, c->dt, FALSE);
      field (out, c->assigned_to, FALSE);
      field (out, callers, FALSE);
      field (out, level, FALSE);
      field (out, filed, FALSE);
      field (out, due, FALSE);
      field (out, days, FALSE);
      field (out, rupees, TRUE);
    }
  return g_string_free (out, FALSE);
}
