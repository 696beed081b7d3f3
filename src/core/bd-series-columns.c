/* bd-series-columns.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "bd-series-columns.h"

#include <math.h>

void
bd_series_columns_compute (const double   *values,
                           guint           n_values,
                           double          first,
                           double          last,
                           guint           n_columns,
                           BdSeriesColumn *columns)
{
  double span = last - first;
  double per_value;
  gint64 start, end;

  for (guint c = 0; c < n_columns; c++)
    {
      columns[c].min = 0;
      columns[c].max = 0;
      columns[c].present = FALSE;
    }
  if (n_columns == 0 || n_values == 0 || !(span > 0))
    return;

  per_value = n_columns / span;   /* columns one value covers */
  start = MAX (0, (gint64) floor (first));
  end = MIN ((gint64) n_values, (gint64) ceil (last));
  for (gint64 i = start; i < end; i++)
    {
      double v = values[i];
      double x0 = (i - first) * per_value;
      double x1 = (i + 1 - first) * per_value;
      gint64 c0, c1;

      if (isnan (v))
        continue;
      c0 = MAX (0, (gint64) floor (x0));
      /* The column holding x1 only counts if the value reaches into it. */
      c1 = MIN ((gint64) n_columns - 1, (gint64) ceil (x1) - 1);
      for (gint64 c = c0; c <= c1; c++)
        {
          BdSeriesColumn *column = &columns[c];

          if (!column->present)
            {
              column->min = v;
              column->max = v;
              column->present = TRUE;
            }
          else
            {
              if (v < column->min)
                column->min = v;
              if (v > column->max)
                column->max = v;
            }
        }
    }
}
