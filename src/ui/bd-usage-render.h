/* bd-usage-render.h: drawing a consumption chart with cairo and Pango,
 * apart from the widget so that the benchmark (and a printed report) can
 * draw exactly what the desk draws, with no display.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <pango/pango.h>

#include "core/bd-reading-series.h"

G_BEGIN_DECLS

typedef enum {
  BD_CHART_UNIT_KWH,
  BD_CHART_UNIT_RUPEES,
} BdChartUnit;

typedef struct {
  BdReadingSeries *series;        /* nullable: the empty state */
  BdReadingSeries *comparison;    /* nullable: the same period before, aligned by bucket */
  BdChartUnit      unit;
  double           first;         /* visible buckets [first, last) */
  double           last;
  int              width;
  int              height;
  const PangoFontDescription *font;   /* nullable: the default */
  double           fg[4];         /* text and axes (the widget's colour) */
  double           accent[4];     /* the series */
} BdUsageView;

/* The plot area inside width × height after the axes' labels. */
void   bd_usage_render_plot_area (const BdUsageView *view,
                                  double            *x,
                                  double            *y,
                                  double            *width,
                                  double            *height);
/* Draws the whole chart: grid, axes in Indian formats and IST, the
 * per-column min/max of the visible buckets, the comparison outline, the
 * legend, or the empty state. */
void   bd_usage_render           (cairo_t           *cr,
                                  const BdUsageView *view);
/* The value drawn for bucket i in the view's unit (NAN when missing). */
double bd_usage_value            (const BdUsageView *view,
                                  BdReadingSeries   *series,
                                  guint              index);

G_END_DECLS
