/* bd-reading-series.h: a meter's consumption over a time range, bucketed at
 * 15 minutes, a day or a calendar month (days and months in Asia/Kolkata),
 * each bucket holding energy in Wh and its charge in paise, or nothing when
 * the meter did not report. It is what GET /consumers/{account}/readings
 * returns, what the desk caches, and what the consumption chart draws. */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  BD_READING_STEP_15MIN,
  BD_READING_STEP_DAY,
  BD_READING_STEP_MONTH,
} BdReadingStep;

const char *bd_reading_step_to_string   (BdReadingStep  step);   /* "15m", "day", "month" */
gboolean    bd_reading_step_from_string (const char    *text,
                                         BdReadingStep *out);

/* The start of the bucket that holds unix_utc (IST midnight for days, the
 * first of the IST month for months), and the start of the one after it. */
gint64      bd_reading_step_floor       (BdReadingStep  step,
                                         gint64         unix_utc);
gint64      bd_reading_step_next        (BdReadingStep  step,
                                         gint64         bucket_start);

/* The most buckets one series may hold: a year and a bit of 15-minute data. */
#define BD_READING_SERIES_MAX_BUCKETS 40000

#define BD_TYPE_READING_SERIES (bd_reading_series_get_type ())
G_DECLARE_FINAL_TYPE (BdReadingSeries, bd_reading_series, BD, READING_SERIES, GObject)

/* start is floored to the step; every bucket starts out missing. */
BdReadingSeries *bd_reading_series_new        (const char      *account,
                                               BdReadingStep    step,
                                               gint64           start_utc,
                                               guint            n_buckets);

const char      *bd_reading_series_get_account (BdReadingSeries *self);
BdReadingStep    bd_reading_series_get_step    (BdReadingSeries *self);
guint            bd_reading_series_get_n_buckets (BdReadingSeries *self);
/* Start of the first bucket and end of the last (exclusive), UTC. */
gint64           bd_reading_series_get_start   (BdReadingSeries *self);
gint64           bd_reading_series_get_end     (BdReadingSeries *self);
gint64           bd_reading_series_get_bucket_start (BdReadingSeries *self,
                                                     guint            index);
/* The bucket holding unix_utc, or -1 when outside the series. */
gint             bd_reading_series_find_bucket (BdReadingSeries *self,
                                                gint64           unix_utc);

void             bd_reading_series_set         (BdReadingSeries *self,
                                                guint            index,
                                                gint64           wh,
                                                gint64           paise);
/* Adds to a bucket, making it present. */
void             bd_reading_series_add         (BdReadingSeries *self,
                                                guint            index,
                                                gint64           wh,
                                                gint64           paise);
/* FALSE when the meter sent nothing for that bucket. */
gboolean         bd_reading_series_get         (BdReadingSeries *self,
                                                guint            index,
                                                gint64          *out_wh,
                                                gint64          *out_paise);
/* Direct arrays for drawing: n_buckets values each, NAN where missing;
 * energy in kWh, money in rupees. Valid until the series is next changed. */
const double    *bd_reading_series_peek_kwh    (BdReadingSeries *self);
const double    *bd_reading_series_peek_rupees (BdReadingSeries *self);

gint64           bd_reading_series_get_total_wh    (BdReadingSeries *self);
gint64           bd_reading_series_get_total_paise (BdReadingSeries *self);
guint            bd_reading_series_get_n_present   (BdReadingSeries *self);

/* When the server produced it (UTC); the desk shows it as "last updated". */
gint64           bd_reading_series_get_generated_at (BdReadingSeries *self);
void             bd_reading_series_set_generated_at (BdReadingSeries *self,
                                                     gint64           unix_utc);

/* {"account", "step", "start", "end", "generated_at", "wh": [int|null…],
 *  "paise": [int|null…]} */
JsonNode        *bd_reading_series_to_json   (BdReadingSeries *self);
BdReadingSeries *bd_reading_series_from_json (JsonNode        *node,
                                              GError         **error);

G_END_DECLS
