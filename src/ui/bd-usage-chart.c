/* bd-usage-chart.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "core/bd-money.h"
#include "core/bd-time.h"

#include "bd-usage-chart.h"

/* At most this far in: a few buckets fill the width. */
#define MIN_VISIBLE_BUCKETS 4.0

struct _BdUsageChart
{
  GtkWidget        parent_instance;

  BdReadingSeries *series;
  BdReadingSeries *comparison;
  BdChartUnit      unit;
  double           first;
  double           last;
  double           drag_first;     /* the view when a drag or pinch began */
  double           drag_last;
  GskRenderNode   *cache;
  int              cache_width;
  int              cache_height;
};

G_DEFINE_FINAL_TYPE (BdUsageChart, bd_usage_chart, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_FIRST,
  PROP_LAST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static guint
n_buckets (BdUsageChart *self)
{
  return self->series != NULL ? bd_reading_series_get_n_buckets (self->series) : 0;
}

static void
invalidate (BdUsageChart *self)
{
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
update_description (BdUsageChart *self)
{
  g_autofree char *text = NULL;
  gint64 wh = 0, paise = 0;
  guint present = 0;

  if (self->series == NULL || bd_reading_series_get_n_present (self->series) == 0)
    text = g_strdup (_("No readings for this period"));
  else
    {
      guint from = (guint) MAX (0.0, floor (self->first));
      guint to = (guint) MIN ((double) n_buckets (self), ceil (self->last));
      g_autofree char *start = NULL;
      g_autofree char *end = NULL;
      g_autofree char *money = NULL;

      for (guint i = from; i < to; i++)
        {
          gint64 w, p;
          if (bd_reading_series_get (self->series, i, &w, &p))
            {
              wh += w;
              paise += p;
              present++;
            }
        }
      start = bd_time_format_ist (bd_reading_series_get_bucket_start (self->series, from));
      end = bd_time_format_ist (bd_reading_series_get_bucket_start (self->series, to));
      money = bd_format_paise (paise);
      /* Translators: the chart read out: "From … to …: 356.2 kWh, ₹2,010.50 (96 of 96 readings)" */
      text = g_strdup_printf (_("From %s to %s: %.1f kWh, %s (%u of %u readings)"),
                              start, end, wh / 1000.0, money, present, to - from);
      if (self->unit == BD_CHART_UNIT_RUPEES)
        {
          g_autofree char *shown = g_strdup_printf (_("%s. Shown in rupees."), text);
          g_free (text);
          text = g_steal_pointer (&shown);
        }
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
}

static void
set_view (BdUsageChart *self,
          double        first,
          double        last)
{
  double n = n_buckets (self);
  double span = last - first;
  double min_span = MIN (MIN_VISIBLE_BUCKETS, MAX (n, 1.0));

  if (n <= 0)
    {
      first = 0;
      last = 1;
    }
  else
    {
      span = CLAMP (span, min_span, n);
      first = CLAMP (first, 0.0, n - span);
      last = first + span;
    }
  if (first == self->first && last == self->last)
    return;
  self->first = first;
  self->last = last;
  invalidate (self);
  update_description (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIRST]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST]);
}

void
bd_usage_chart_zoom (BdUsageChart *self,
                     double        factor,
                     double        anchor)
{
  double span, at;

  g_return_if_fail (BD_IS_USAGE_CHART (self));
  g_return_if_fail (factor > 0);

  span = self->last - self->first;
  at = self->first + CLAMP (anchor, 0.0, 1.0) * span;
  span /= factor;
  set_view (self, at - CLAMP (anchor, 0.0, 1.0) * span, at + (1 - CLAMP (anchor, 0.0, 1.0)) * span);
}

void
bd_usage_chart_pan (BdUsageChart *self,
                    double        fraction)
{
  double shift;

  g_return_if_fail (BD_IS_USAGE_CHART (self));

  shift = (self->last - self->first) * fraction;
  set_view (self, self->first + shift, self->last + shift);
}

void
bd_usage_chart_reset_zoom (BdUsageChart *self)
{
  g_return_if_fail (BD_IS_USAGE_CHART (self));

  set_view (self, 0, MAX (1.0, (double) n_buckets (self)));
}

void
bd_usage_chart_get_visible_range (BdUsageChart *self,
                                  double       *first,
                                  double       *last)
{
  g_return_if_fail (BD_IS_USAGE_CHART (self));

  if (first != NULL)
    *first = self->first;
  if (last != NULL)
    *last = self->last;
}

void
bd_usage_chart_set_series (BdUsageChart    *self,
                           BdReadingSeries *series)
{
  guint old_n;

  g_return_if_fail (BD_IS_USAGE_CHART (self));

  if (self->series == series)
    return;
  old_n = n_buckets (self);
  g_set_object (&self->series, series);
  /* New readings for the same view keep the operator's zoom. */
  if (series == NULL || n_buckets (self) != old_n)
    {
      self->first = -1;
      bd_usage_chart_reset_zoom (self);
    }
  invalidate (self);
  update_description (self);
}

BdReadingSeries *
bd_usage_chart_get_series (BdUsageChart *self)
{
  g_return_val_if_fail (BD_IS_USAGE_CHART (self), NULL);
  return self->series;
}

void
bd_usage_chart_set_comparison (BdUsageChart    *self,
                               BdReadingSeries *previous_period)
{
  g_return_if_fail (BD_IS_USAGE_CHART (self));

  if (g_set_object (&self->comparison, previous_period))
    invalidate (self);
}

void
bd_usage_chart_set_unit (BdUsageChart *self,
                         BdChartUnit   unit)
{
  g_return_if_fail (BD_IS_USAGE_CHART (self));

  if (self->unit == unit)
    return;
  self->unit = unit;
  invalidate (self);
  update_description (self);
}

BdChartUnit
bd_usage_chart_get_unit (BdUsageChart *self)
{
  g_return_val_if_fail (BD_IS_USAGE_CHART (self), BD_CHART_UNIT_KWH);
  return self->unit;
}

char *
bd_usage_chart_describe_bucket (BdUsageChart *self,
                                guint         index)
{
  g_autofree char *start = NULL;
  gint64 t0, t1, wh, paise;
  BdIstDate a, b;

  g_return_val_if_fail (BD_IS_USAGE_CHART (self), NULL);

  if (self->series == NULL || index >= n_buckets (self))
    return NULL;
  t0 = bd_reading_series_get_bucket_start (self->series, index);
  t1 = bd_reading_series_get_bucket_start (self->series, index + 1);
  start = bd_time_format_ist (t0);
  bd_time_ist_date (t0, &a);
  bd_time_ist_date (t1, &b);
  if (!bd_reading_series_get (self->series, index, &wh, &paise))
    /* Translators: the tooltip of a bucket the meter sent nothing for. */
    return g_strdup_printf (_("%s · No reading"), start);
  {
    g_autofree char *money = bd_format_paise (paise);
    g_autofree char *when = NULL;

    if (bd_reading_series_get_step (self->series) == BD_READING_STEP_15MIN)
      /* Translators: "24-11-2026 18:15 IST–18:30" */
      when = g_strdup_printf (_("%s–%02d:%02d"), start, b.minute / 60, b.minute % 60);
    else if (bd_reading_series_get_step (self->series) == BD_READING_STEP_DAY)
      when = g_strdup_printf ("%02d-%02d-%04d", a.day, a.month, a.year);
    else
      when = g_strdup_printf ("%02d-%04d", a.month, a.year);
    /* Translators: a bucket's tooltip: "24-11-2026 · 12.40 kWh · ₹68.20" */
    return g_strdup_printf (_("%s · %.2f kWh · %s"), when, wh / 1000.0, money);
  }
}

static void
fill_view (BdUsageChart *self,
           BdUsageView  *view,
           int           width,
           int           height)
{
  GtkStyleContext *style = gtk_widget_get_style_context (GTK_WIDGET (self));
  GdkRGBA fg, accent;

  gtk_style_context_get_color (style, &fg);
  if (!gtk_style_context_lookup_color (style, "accent_color", &accent))
    accent = (GdkRGBA) { 0.21, 0.52, 0.89, 1.0 };
  view->series = self->series;
  view->comparison = self->comparison;
  view->unit = self->unit;
  view->first = self->first;
  view->last = self->last;
  view->width = width;
  view->height = height;
  /* The desk's font, not cairo's default serif. */
  view->font = pango_context_get_font_description (gtk_widget_get_pango_context (GTK_WIDGET (self)));
  view->fg[0] = fg.red;
  view->fg[1] = fg.green;
  view->fg[2] = fg.blue;
  view->fg[3] = fg.alpha;
  view->accent[0] = accent.red;
  view->accent[1] = accent.green;
  view->accent[2] = accent.blue;
  view->accent[3] = accent.alpha;
}

static void
bd_usage_chart_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  BdUsageChart *self = BD_USAGE_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (width <= 0 || height <= 0)
    return;
  if (self->cache == NULL || self->cache_width != width || self->cache_height != height)
    {
      GtkSnapshot *inner = gtk_snapshot_new ();
      BdUsageView view;
      cairo_t *cr;

      fill_view (self, &view, width, height);
      cr = gtk_snapshot_append_cairo (inner, &GRAPHENE_RECT_INIT (0, 0, width, height));
      bd_usage_render (cr, &view);
      cairo_destroy (cr);
      g_clear_pointer (&self->cache, gsk_render_node_unref);
      self->cache = gtk_snapshot_free_to_node (inner);
      self->cache_width = width;
      self->cache_height = height;
    }
  if (self->cache != NULL)
    gtk_snapshot_append_node (snapshot, self->cache);
}

static void
bd_usage_chart_css_changed (GtkWidget         *widget,
                            GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (bd_usage_chart_parent_class)->css_changed (widget, change);
  /* Dark style, high contrast: the colours come from the style. */
  invalidate (BD_USAGE_CHART (widget));
}

static void
bd_usage_chart_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 320 : 180;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 800 : 280;
}

/* The bucket under x, or -1. */
static int
bucket_at (BdUsageChart *self,
           double        x)
{
  BdUsageView view;
  double px, py, pw, ph, at;

  fill_view (self, &view, gtk_widget_get_width (GTK_WIDGET (self)), gtk_widget_get_height (GTK_WIDGET (self)));
  bd_usage_render_plot_area (&view, &px, &py, &pw, &ph);
  if (self->series == NULL || x < px || x >= px + pw)
    return -1;
  at = self->first + (x - px) / pw * (self->last - self->first);
  if (at < 0 || at >= n_buckets (self))
    return -1;
  return (int) at;
}

static gboolean
bd_usage_chart_query_tooltip (GtkWidget  *widget,
                              int         x,
                              int         y,
                              gboolean    keyboard,
                              GtkTooltip *tooltip)
{
  BdUsageChart *self = BD_USAGE_CHART (widget);
  int bucket = keyboard ? (int) ((self->first + self->last) / 2) : bucket_at (self, x);
  g_autofree char *text = NULL;

  if (bucket < 0)
    return FALSE;
  text = bd_usage_chart_describe_bucket (self, (guint) bucket);
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static double
anchor_at (BdUsageChart *self,
           double        x)
{
  BdUsageView view;
  double px, py, pw, ph;

  fill_view (self, &view, gtk_widget_get_width (GTK_WIDGET (self)), gtk_widget_get_height (GTK_WIDGET (self)));
  bd_usage_render_plot_area (&view, &px, &py, &pw, &ph);
  return CLAMP ((x - px) / pw, 0.0, 1.0);
}

static gboolean
on_scroll_cb (GtkEventControllerScroll *controller,
              double                    dx,
              double                    dy,
              BdUsageChart             *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  double x = 0, y = 0;
  GdkEvent *event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (controller));

  if (event != NULL)
    gdk_event_get_position (event, &x, &y);
  if ((state & GDK_CONTROL_MASK) != 0 && dy != 0)
    {
      GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
      double nx = 0, ny = 0;
      graphene_point_t point;

      /* The event is in the surface's coordinates. */
      if (native != NULL)
        gtk_native_get_surface_transform (native, &nx, &ny);
      if (!gtk_widget_compute_point (GTK_WIDGET (native), GTK_WIDGET (self),
                                     &GRAPHENE_POINT_INIT (x - nx, y - ny), &point))
        point.x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      bd_usage_chart_zoom (self, pow (1.2, -dy), anchor_at (self, point.x));
      return TRUE;
    }
  if (dx != 0)
    {
      bd_usage_chart_pan (self, dx * 0.05);
      return TRUE;
    }
  /* A plain vertical wheel scrolls the page, as everywhere else. */
  return FALSE;
}

static void
on_drag_begin_cb (GtkGestureDrag *gesture,
                  double          x,
                  double          y,
                  BdUsageChart   *self)
{
  self->drag_first = self->first;
  self->drag_last = self->last;
}

static void
on_drag_update_cb (GtkGestureDrag *gesture,
                   double          offset_x,
                   double          offset_y,
                   BdUsageChart   *self)
{
  BdUsageView view;
  double px, py, pw, ph, shift;

  fill_view (self, &view, gtk_widget_get_width (GTK_WIDGET (self)), gtk_widget_get_height (GTK_WIDGET (self)));
  bd_usage_render_plot_area (&view, &px, &py, &pw, &ph);
  shift = -offset_x / pw * (self->drag_last - self->drag_first);
  set_view (self, self->drag_first + shift, self->drag_last + shift);
}

static void
on_zoom_begin_cb (GtkGesture       *gesture,
                  GdkEventSequence *sequence,
                  BdUsageChart     *self)
{
  self->drag_first = self->first;
  self->drag_last = self->last;
}

static void
on_zoom_scale_changed_cb (GtkGestureZoom *gesture,
                          double          scale,
                          BdUsageChart   *self)
{
  double centre = (self->drag_first + self->drag_last) / 2;
  double span = (self->drag_last - self->drag_first) / MAX (scale, 0.01);

  set_view (self, centre - span / 2, centre + span / 2);
}

static void
action_zoom_in (GtkWidget *widget, const char *name, GVariant *param)
{
  bd_usage_chart_zoom (BD_USAGE_CHART (widget), 1.5, 0.5);
}

static void
action_zoom_out (GtkWidget *widget, const char *name, GVariant *param)
{
  bd_usage_chart_zoom (BD_USAGE_CHART (widget), 1 / 1.5, 0.5);
}

static void
action_pan_left (GtkWidget *widget, const char *name, GVariant *param)
{
  bd_usage_chart_pan (BD_USAGE_CHART (widget), -0.25);
}

static void
action_pan_right (GtkWidget *widget, const char *name, GVariant *param)
{
  bd_usage_chart_pan (BD_USAGE_CHART (widget), 0.25);
}

static void
action_reset (GtkWidget *widget, const char *name, GVariant *param)
{
  bd_usage_chart_reset_zoom (BD_USAGE_CHART (widget));
}

static void
bd_usage_chart_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BdUsageChart *self = BD_USAGE_CHART (object);

  switch (prop_id)
    {
    case PROP_FIRST:
      g_value_set_double (value, self->first);
      break;
    case PROP_LAST:
      g_value_set_double (value, self->last);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bd_usage_chart_dispose (GObject *object)
{
  BdUsageChart *self = BD_USAGE_CHART (object);

  g_clear_object (&self->series);
  g_clear_object (&self->comparison);
  g_clear_pointer (&self->cache, gsk_render_node_unref);

  G_OBJECT_CLASS (bd_usage_chart_parent_class)->dispose (object);
}

static void
bd_usage_chart_class_init (BdUsageChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bd_usage_chart_dispose;
  object_class->get_property = bd_usage_chart_get_property;
  widget_class->snapshot = bd_usage_chart_snapshot;
  widget_class->measure = bd_usage_chart_measure;
  widget_class->query_tooltip = bd_usage_chart_query_tooltip;
  widget_class->css_changed = bd_usage_chart_css_changed;

  properties[PROP_FIRST] = g_param_spec_double ("first", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LAST] = g_param_spec_double ("last", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 1,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "chart.zoom-in", NULL, action_zoom_in);
  gtk_widget_class_install_action (widget_class, "chart.zoom-out", NULL, action_zoom_out);
  gtk_widget_class_install_action (widget_class, "chart.pan-left", NULL, action_pan_left);
  gtk_widget_class_install_action (widget_class, "chart.pan-right", NULL, action_pan_right);
  gtk_widget_class_install_action (widget_class, "chart.reset", NULL, action_reset);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "chart.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, 0, "chart.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "chart.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "chart.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0, "chart.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "chart.pan-left", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "chart.pan-right", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, 0, "chart.reset", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, 0, "chart.reset", NULL);

  gtk_widget_class_set_css_name (widget_class, "consumptionchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
bd_usage_chart_init (BdUsageChart *self)
{
  GtkEventController *scroll;
  GtkGesture *drag, *zoom;

  self->first = 0;
  self->last = 1;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Consumption chart"), -1);
  update_description (self);

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
  drag = gtk_gesture_drag_new ();
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  zoom = gtk_gesture_zoom_new ();
  g_signal_connect (zoom, "begin", G_CALLBACK (on_zoom_begin_cb), self);
  g_signal_connect (zoom, "scale-changed", G_CALLBACK (on_zoom_scale_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (zoom));
}

GtkWidget *
bd_usage_chart_new (void)
{
  return g_object_new (BD_TYPE_USAGE_CHART, NULL);
}
