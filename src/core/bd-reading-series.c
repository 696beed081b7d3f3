/* bd-reading-series.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "bd-reading-series.h"

#include <math.h>

#include "bd-codec.h"
#include "bd-codec-private.h"
#include "bd-time.h"

struct _BdReadingSeries
{
  GObject        parent_instance;

  char          *account;
  BdReadingStep  step;
  gint64         start;
  guint          n_buckets;
  gint64        *bucket_starts;   /* n_buckets + 1: the last is the end */
  gint64        *wh;
  gint64        *paise;
  guint8        *present;
  double        *kwh_view;        /* built on demand for drawing */
  double        *rupees_view;
  gint64         generated_at;
};

G_DEFINE_FINAL_TYPE (BdReadingSeries, bd_reading_series, G_TYPE_OBJECT)

const char *
bd_reading_step_to_string (BdReadingStep step)
{
  switch (step)
    {
    case BD_READING_STEP_15MIN: return "15m";
    case BD_READING_STEP_DAY:   return "day";
    case BD_READING_STEP_MONTH: return "month";
    default:                    return "15m";
    }
}

gboolean
bd_reading_step_from_string (const char    *text,
                             BdReadingStep *out)
{
  if (g_strcmp0 (text, "15m") == 0)
    *out = BD_READING_STEP_15MIN;
  else if (g_strcmp0 (text, "day") == 0)
    *out = BD_READING_STEP_DAY;
  else if (g_strcmp0 (text, "month") == 0)
    *out = BD_READING_STEP_MONTH;
  else
    return FALSE;
  return TRUE;
}

/* India has kept +05:30 without daylight saving since 1945, so days and
 * months are fixed arithmetic (bd_time_ist_date): the head-end finds the
 * month of every reading it charges, and a year of readings is 35,040. */
gint64
bd_reading_step_floor (BdReadingStep step,
                       gint64        unix_utc)
{
  BdIstDate ist;

  if (step == BD_READING_STEP_15MIN)
    return unix_utc - (((unix_utc % 900) + 900) % 900);
  bd_time_ist_date (unix_utc, &ist);
  if (step == BD_READING_STEP_DAY)
    return ist.day_start;
  return ist.day_start - (gint64) (ist.day - 1) * 86400;
}

gint64
bd_reading_step_next (BdReadingStep step,
                      gint64        bucket_start)
{
  BdIstDate ist;

  switch (step)
    {
    case BD_READING_STEP_15MIN:
      return bucket_start + 900;
    case BD_READING_STEP_DAY:
      return bucket_start + 86400;
    case BD_READING_STEP_MONTH:
    default:
      /* Day 32 counted from the start of this month is always in the next. */
      bd_time_ist_date (bucket_start, &ist);
      return bd_reading_step_floor (BD_READING_STEP_MONTH, ist.day_start + (gint64) (32 - ist.day) * 86400);
    }
}

static void
bd_reading_series_finalize (GObject *object)
{
  BdReadingSeries *self = BD_READING_SERIES (object);

  g_free (self->account);
  g_free (self->bucket_starts);
  g_free (self->wh);
  g_free (self->paise);
  g_free (self->present);
  g_free (self->kwh_view);
  g_free (self->rupees_view);

  G_OBJECT_CLASS (bd_reading_series_parent_class)->finalize (object);
}

static void
bd_reading_series_class_init (BdReadingSeriesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bd_reading_series_finalize;
}

static void
bd_reading_series_init (BdReadingSeries *self)
{
  (void) self;
}

BdReadingSeries *
bd_reading_series_new (const char    *account,
                       BdReadingStep  step,
                       gint64         start_utc,
                       guint          n_buckets)
{
  BdReadingSeries *self;

  g_return_val_if_fail (n_buckets <= BD_READING_SERIES_MAX_BUCKETS, NULL);

  self = g_object_new (BD_TYPE_READING_SERIES, NULL);
  self->account = g_strdup (account != NULL ? account : "");
  self->step = step;
  self->start = bd_reading_step_floor (step, start_utc);
  self->n_buckets = n_buckets;
  self->bucket_starts = g_new (gint64, n_buckets + 1);
  self->bucket_starts[0] = self->start;
  for (guint i = 1; i <= n_buckets; i++)
    self->bucket_starts[i] = step == BD_READING_STEP_MONTH
                             ? bd_reading_step_next (step, self->bucket_starts[i - 1])
                             : self->bucket_starts[i - 1] + (step == BD_READING_STEP_DAY ? 86400 : 900);
  self->wh = g_new0 (gint64, MAX (n_buckets, 1));
  self->paise = g_new0 (gint64, MAX (n_buckets, 1));
  self->present = g_new0 (guint8, MAX (n_buckets, 1));
  return self;
}

const char *
bd_reading_series_get_account (BdReadingSeries *self)
{
  g_return_val_if_fail (BD_IS_READING_SERIES (self), NULL);
  return self->account;
}

BdReadingStep
bd_reading_series_get_step (BdReadingSeries *self)
{
  g_return_val_if_fail (BD_IS_READING_SERIES (self), BD_READING_STEP_15MIN);
  return self->step;
}

guint
bd_reading_series_get_n_buckets (BdReadingSeries *self)
{
  g_return_val_if_fail (BD_IS_READING_SERIES (self), 0);
  return self->n_buckets;
}

gint64
bd_reading_series_get_start (BdReadingSeries *self)
{
  g_return_val_if_fail (BD_IS_READING_SERIES (self), 0);
  return self->start;
}

gint64
bd_reading_series_get_end (BdReadingSeries *self)
{
  g_return_val_if_fail (BD_IS_READING_SERIES (self), 0);
  return self->bucket_starts[self->n_buckets];
}

gint64
bd_reading_series_get_bucket_start (BdReadingSeries *self,
                                    guint            index)
{
  g_return_val_if_fail (BD_IS_READING_SERIES (self), 0);
  g_return_val_if_fail (index <= self->n_buckets, 0);
  return self->bucket_starts[index];
}

gint
bd_reading_series_find_bucket (BdReadingSeries *self,
                               gint64           unix_utc)
{
  guint lo = 0, hi;

  g_return_val_if_fail (BD_IS_READING_SERIES (self), -1);

  if (self->n_buckets == 0 || unix_utc < self->start || unix_utc >= self->bucket_starts[self->n_buckets])
    return -1;
  hi = self->n_buckets;
  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;
      if (self->bucket_starts[mid] <= unix_utc)
        lo = mid;
      else
        hi = mid;
    }
  return (gint) lo;
}

static void
drop_views (BdReadingSeries *self)
{
  g_clear_pointer (&self->kwh_view, g_free);
  g_clear_pointer (&self->rupees_view, g_free);
}

void
bd_reading_series_set (BdReadingSeries *self,
                       guint            index,
                       gint64           wh,
                       gint64           paise)
{
  g_return_if_fail (BD_IS_READING_SERIES (self));
  g_return_if_fail (index < self->n_buckets);

  self->wh[index] = wh;
  self->paise[index] = paise;
  self->present[index] = TRUE;
  drop_views (self);
}

void
bd_reading_series_add (BdReadingSeries *self,
                       guint            index,
                       gint64           wh,
                       gint64           paise)
{
  g_return_if_fail (BD_IS_READING_SERIES (self));
  g_return_if_fail (index < self->n_buckets);

  self->wh[index] += wh;
  self->paise[index] += paise;
  self->present[index] = TRUE;
  drop_views (self);
}

gboolean
bd_reading_series_get (BdReadingSeries *self,
                       guint            index,
                       gint64          *out_wh,
                       gint64          *out_paise)
{
  g_return_val_if_fail (BD_IS_READING_SERIES (self), FALSE);

  if (index >= self->n_buckets || !self->present[index])
    return FALSE;
  if (out_wh != NULL)
    *out_wh = self->wh[index];
  if (out_paise != NULL)
    *out_paise = self->paise[index];
  return TRUE;
}

const double *
bd_reading_series_peek_kwh (BdReadingSeries *self)
{
  g_return_val_if_fail (BD_IS_READING_SERIES (self), NULL);

  if (self->kwh_view == NULL)
    {
      self->kwh_view = g_new (double, MAX (self->n_buckets, 1));
      for (guint i = 0; i < self->n_buckets; i++)
        self->kwh_view[i] = self->present[i] ? (double) self->wh[i] / 1000.0 : NAN;
    }
  return self->kwh_view;
}

const double *
bd_reading_series_peek_rupees (BdReadingSeries *self)
{
  g_return_val_if_fail (BD_IS_READING_SERIES (self), NULL);

  if (self->rupees_view == NULL)
    {
      self->rupees_view = g_new (double, MAX (self->n_buckets, 1));
      for (guint i = 0; i < self->n_buckets; i++)
        self->rupees_view[i] = self->present[i] ? (double) self->paise[i] / 100.0 : NAN;
    }
  return self->rupees_view;
}

gint64
bd_reading_series_get_total_wh (BdReadingSeries *self)
{
  gint64 total = 0;

  g_return_val_if_fail (BD_IS_READING_SERIES (self), 0);
  for (guint i = 0; i < self->n_buckets; i++)
    total += self->present[i] ? self->wh[i] : 0;
  return total;
}

gint64
bd_reading_series_get_total_paise (BdReadingSeries *self)
{
  gint64 total = 0;

  g_return_val_if_fail (BD_IS_READING_SERIES (self), 0);
  for (guint i = 0; i < self->n_buckets; i++)
    total += self->present[i] ? self->paise[i] : 0;
  return total;
}

guint
bd_reading_series_get_n_present (BdReadingSeries *self)
{
  guint n = 0;

  g_return_val_if_fail (BD_IS_READING_SERIES (self), 0);
  for (guint i = 0; i < self->n_buckets; i++)
    n += self->present[i] ? 1 : 0;
  return n;
}

gint64
bd_reading_series_get_generated_at (BdReadingSeries *self)
{
  g_return_val_if_fail (BD_IS_READING_SERIES (self), 0);
  return self->generated_at;
}

void
bd_reading_series_set_generated_at (BdReadingSeries *self,
                                    gint64           unix_utc)
{
  g_return_if_fail (BD_IS_READING_SERIES (self));
  self->generated_at = unix_utc;
}

JsonNode *
bd_reading_series_to_json (BdReadingSeries *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (BD_IS_READING_SERIES (self), NULL);

  json_builder_begin_object (builder);
  _bd_codec_add_string (builder, "account", self->account);
  _bd_codec_add_string (builder, "step", bd_reading_step_to_string (self->step));
  _bd_codec_add_time (builder, "start", self->start, FALSE);
  _bd_codec_add_time (builder, "end", self->bucket_starts[self->n_buckets], FALSE);
  _bd_codec_add_time (builder, "generated_at", self->generated_at, FALSE);
  json_builder_set_member_name (builder, "wh");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->n_buckets; i++)
    if (self->present[i])
      json_builder_add_int_value (builder, self->wh[i]);
    else
      json_builder_add_null_value (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "paise");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->n_buckets; i++)
    if (self->present[i])
      json_builder_add_int_value (builder, self->paise[i]);
    else
      json_builder_add_null_value (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* Readings come as long arrays, beyond the codec's usual list bound. */
static JsonArray *
read_value_array (JsonObject  *object,
                  const char  *name,
                  guint        expected,
                  GError     **error)
{
  JsonNode *node = _bd_codec_member (object, name, TRUE, error);
  JsonArray *array;

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      _bd_codec_invalid (error, name);
      return NULL;
    }
  array = json_node_get_array (node);
  if (json_array_get_length (array) != expected)
    {
      _bd_codec_invalid (error, name);
      return NULL;
    }
  return array;
}

static gboolean
read_bucket_value (JsonArray *array,
                   guint      index,
                   gboolean  *present,
                   gint64    *value)
{
  JsonNode *node = json_array_get_element (array, index);

  if (JSON_NODE_HOLDS_NULL (node))
    {
      *present = FALSE;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *value = json_node_get_int (node);
  *present = TRUE;
  /* More than 1 GWh or ₹10 crore in one bucket is not a meter reading. */
  return *value >= -1000000000000LL && *value <= 1000000000000LL;
}

BdReadingSeries *
bd_reading_series_from_json (JsonNode  *node,
                             GError   **error)
{
  JsonObject *object;
  g_autofree char *account = NULL;
  g_autofree char *step_text = NULL;
  BdReadingStep step;
  gint64 start, end, generated_at;
  guint n = 0;
  gint64 cursor;
  JsonArray *wh, *paise;
  g_autoptr(BdReadingSeries) series = NULL;

  object = _bd_codec_expect_object (node, "readings", error);
  if (object == NULL)
    return NULL;
  if (!_bd_codec_read_string (object, "account", FALSE, 64, &account, error) ||
      !_bd_codec_read_string (object, "step", FALSE, 8, &step_text, error) ||
      !_bd_codec_read_time (object, "start", FALSE, &start, error) ||
      !_bd_codec_read_time (object, "end", FALSE, &end, error) ||
      !_bd_codec_read_time (object, "generated_at", FALSE, &generated_at, error))
    return NULL;
  if (!bd_reading_step_from_string (step_text, &step))
    {
      _bd_codec_invalid (error, "step");
      return NULL;
    }
  if (bd_reading_step_floor (step, start) != start || end < start)
    {
      _bd_codec_invalid (error, "start");
      return NULL;
    }
  for (cursor = start; cursor < end; cursor = bd_reading_step_next (step, cursor))
    if (++n > BD_READING_SERIES_MAX_BUCKETS)
      {
        _bd_codec_invalid (error, "end");
        return NULL;
      }
  if (cursor != end)
    {
      _bd_codec_invalid (error, "end");
      return NULL;
    }
  wh = read_value_array (object, "wh", n, error);
  if (wh == NULL)
    return NULL;
  paise = read_value_array (object, "paise", n, error);
  if (paise == NULL)
    return NULL;

  series = bd_reading_series_new (account, step, start, n);
  for (guint i = 0; i < n; i++)
    {
      gboolean has_wh, has_paise;
      gint64 wh_value = 0, paise_value = 0;

      if (!read_bucket_value (wh, i, &has_wh, &wh_value))
        {
          _bd_codec_invalid (error, "wh");
          return NULL;
        }
      if (!read_bucket_value (paise, i, &has_paise, &paise_value) || has_wh != has_paise)
        {
          _bd_codec_invalid (error, "paise");
          return NULL;
        }
      if (has_wh)
        bd_reading_series_set (series, i, wh_value, paise_value);
    }
  bd_reading_series_set_generated_at (series, generated_at);
  return g_steal_pointer (&series);
}
