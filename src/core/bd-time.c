/* bd-time.c: UTC in storage and on the wire, India Standard Time on screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "bd-time.h"

#define IST_OFFSET_SECONDS (5 * 3600 + 30 * 60)

GTimeZone *
bd_time_zone_ist (void)
{
  static GTimeZone *ist;
  static gsize ist_initialized;

  if (g_once_init_enter (&ist_initialized))
    {
      GTimeZone *zone = g_time_zone_new_identifier ("Asia/Kolkata");

      /* Minimal containers ship without tzdata; India has had no DST since
       * 1945, so a fixed offset is exact for every date we show. */
      if (zone == NULL)
        zone = g_time_zone_new_offset (IST_OFFSET_SECONDS);
      ist = zone;
      g_once_init_leave (&ist_initialized, 1);
    }

  return g_time_zone_ref (ist);
}

char *
bd_time_to_iso8601 (gint64 unix_utc)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_utc);

  if (dt == NULL)
    return NULL;
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

/* A time without an explicit offset would silently take the machine's
 * zone; on the wire that is always a bug, so it is refused. */
static gboolean
has_explicit_offset (const char *text)
{
  const char *t = strchr (text, 'T');

  if (t == NULL)
    t = strchr (text, 't');
  if (t == NULL)
    return FALSE;
  return strpbrk (t, "Zz+-") != NULL;
}

gboolean
bd_time_from_iso8601 (const char *text,
                      gint64     *out_unix_utc)
{
  g_autoptr(GDateTime) dt = NULL;

  g_return_val_if_fail (out_unix_utc != NULL, FALSE);

  if (text == NULL || strlen (text) > 64 || !has_explicit_offset (text))
    return FALSE;

  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL)
    return FALSE;

  /* Nothing the desk records happened before 1970, and years before 1000
   * would not be written back as four digits (found by fuzz-codec). */
  if (g_date_time_to_unix (dt) < 0)
    return FALSE;
  *out_unix_utc = g_date_time_to_unix (dt);
  return TRUE;
}

char *
bd_time_format_ist (gint64 unix_utc)
{
  g_autoptr(GTimeZone) ist = bd_time_zone_ist ();
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (unix_utc == 0)
    return NULL;

  utc = g_date_time_new_from_unix_utc (unix_utc);
  if (utc == NULL)
    return NULL;
  local = g_date_time_to_timezone (utc, ist);

  /* Translators: date and time as shown on the desk, in India Standard Time;
   * see strftime(3) for the codes. Keep the day first. */
  return g_date_time_format (local, _("%d-%m-%Y %H:%M IST"));
}

void
bd_time_ist_date (gint64     unix_utc,
                  BdIstDate *out)
{
  gint64 local = unix_utc + BD_IST_OFFSET_S;
  gint64 days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  /* Howard Hinnant's civil_from_days: the proleptic Gregorian date. */
  gint64 z = days + 719468;
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;
  gint64 doe = z - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;

  out->day = (int) (doy - (153 * mp + 2) / 5 + 1);
  out->month = (int) (mp < 10 ? mp + 3 : mp - 9);
  out->year = (int) (yoe + era * 400 + (out->month <= 2));
  /* 1 January 1970 was a Thursday. */
  out->weekday = (int) (((days + 4) % 7 + 7) % 7);
  out->minute = (int) ((local - days * 86400) / 60);
  out->day_start = days * 86400 - BD_IST_OFFSET_S;
}
