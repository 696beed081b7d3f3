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

G_END_DECLS
