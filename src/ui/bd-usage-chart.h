/* bd-usage-chart.h: the consumption chart of the Balance & Usage tab.
 *
 * Draws a BdReadingSeries (15 minutes, days or months) in kWh or ₹, with
 * the same period a month earlier as a dashed outline, one min/max per
 * pixel column however long the series (bd-series-columns.h); the drawing
 * is cached as a render node until the data, the view or the size change.
 * Zoom with Ctrl+wheel, a pinch or + and −; pan with a horizontal scroll, a
 * drag or the arrow keys; Home shows everything again. The tooltip gives
 * the bucket's time in IST and its value. To assistive technologies it is
 * an image named "Consumption chart" whose description sums up the
 * buckets on show.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "bd-usage-render.h"

G_BEGIN_DECLS

#define BD_TYPE_USAGE_CHART (bd_usage_chart_get_type ())
G_DECLARE_FINAL_TYPE (BdUsageChart, bd_usage_chart, BD, USAGE_CHART, GtkWidget)

GtkWidget       *bd_usage_chart_new            (void);
void             bd_usage_chart_set_series     (BdUsageChart    *self,
                                                BdReadingSeries *series);
BdReadingSeries *bd_usage_chart_get_series     (BdUsageChart    *self);
void             bd_usage_chart_set_comparison (BdUsageChart    *self,
                                                BdReadingSeries *previous_period);
void             bd_usage_chart_set_unit       (BdUsageChart    *self,
                                                BdChartUnit      unit);
BdChartUnit      bd_usage_chart_get_unit       (BdUsageChart    *self);
/* The buckets on show, [first, last), fractional when zoomed. */
void             bd_usage_chart_get_visible_range (BdUsageChart *self,
                                                   double       *first,
                                                   double       *last);
void             bd_usage_chart_reset_zoom     (BdUsageChart    *self);
/* Zooms by factor (> 1 in) about the point at fraction (0…1) of the view. */
void             bd_usage_chart_zoom           (BdUsageChart    *self,
                                                double           factor,
                                                double           anchor);
/* Moves the view by fraction of its width (negative: earlier). */
void             bd_usage_chart_pan            (BdUsageChart    *self,
                                                double           fraction);
/* The tooltip text for bucket index, as the pointer would show it. */
char            *bd_usage_chart_describe_bucket (BdUsageChart   *self,
                                                 guint           index);

G_END_DECLS
