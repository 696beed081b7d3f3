/* bd-series-columns.h: a long series reduced to what a chart can show,
 * one minimum and maximum per pixel column (sysprof's approach): a year of
 * 15-minute readings (35,040 values) drawn into 1,200 columns keeps every
 * spike and every dip and costs one rectangle per column.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  double   min;
  double   max;
  gboolean present;   /* some value fell in this column */
} BdSeriesColumn;

/* Maps the values with (fractional) indexes in [first, last) onto
 * n_columns equal columns and fills columns[0 … n_columns − 1] with the
 * least and greatest value each column covers. A value covers every column
 * its index interval [i, i + 1) overlaps, so when there are fewer values
 * than columns each one spans several. NAN values are missing and skipped.
 * O(values shown + n_columns). */
void bd_series_columns_compute (const double   *values,
                                guint           n_values,
                                double          first,
                                double          last,
                                guint           n_columns,
                                BdSeriesColumn *columns);

G_END_DECLS
