/* bd-time.h: time is stored as UTC (Unix seconds); shown in Asia/Kolkata.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "2026-11-23T10:15:00Z" ↔ Unix seconds. Parsing accepts any ISO 8601 with
 * an offset; returns FALSE on anything else. */
char     *bd_time_to_iso8601     (gint64       unix_utc);
gboolean  bd_time_from_iso8601   (const char  *text,
                                  gint64      *out_unix_utc);

/* "23-11-2026 15:45 IST": the desk's display form. Unix 0 → NULL. */
char     *bd_time_format_ist     (gint64       unix_utc);

/* The Asia/Kolkata zone, falling back to a fixed +05:30 if tzdata is absent. */
GTimeZone *bd_time_zone_ist      (void);

/* The Asia/Kolkata calendar of a moment, by fixed +05:30 arithmetic (India
 * has had no daylight saving since 1945), cheap enough for every meter on
 * every tick. weekday: 0 Sunday … 6 Saturday; minute: of the day. */
typedef struct {
  int    year;
  int    month;     /* 1–12 */
  int    day;       /* 1–31 */
  int    weekday;
  int    minute;
  gint64 day_start; /* the IST midnight that began the day, UTC */
} BdIstDate;

#define BD_IST_OFFSET_S (5 * 3600 + 30 * 60)

void       bd_time_ist_date      (gint64       unix_utc,
                                  BdIstDate   *out);

G_END_DECLS
