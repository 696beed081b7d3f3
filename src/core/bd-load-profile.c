/* bd-load-profile.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "bd-load-profile.h"

#include <math.h>
#include <string.h>

#include "bd-time.h"

static const char * const kind_names[] = { "household", "shop", "pump" };

const char *
bd_load_kind_to_string (BdLoadKind kind)
{
  if ((guint) kind >= G_N_ELEMENTS (kind_names))
    return "household";
  return kind_names[kind];
}

gboolean
bd_load_kind_from_string (const char *text,
                          BdLoadKind *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_strcmp0 (text, kind_names[i]) == 0)
      {
        *out = (BdLoadKind) i;
        return TRUE;
      }
  return FALSE;
}

/* splitmix64: fast, and every bit of the input reaches every output bit. */
static guint64
mix (guint64 x)
{
  x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return x ^ (x >> 31);
}

static double
uniform (guint64 seed,
         guint64 key)
{
  return (double) (mix (seed ^ mix (key)) >> 11) / 9007199254740992.0;
}

double
bd_load_profile_uniform (const BdLoadProfile *profile,
                         guint64              key)
{
  return uniform (profile->seed, key);
}

void
bd_load_profile_init (BdLoadProfile *profile,
                      guint32        seed,
                      const char    *account,
                      const char    *category,
                      gint64         sanctioned_load_w)
{
  guint64 h = mix (seed);
  gint64 load = MAX (sanctioned_load_w, 500);

  memset (profile, 0, sizeof *profile);
  /* FNV-1a over the account number: stable across runs and machines,
   * unlike g_str_hash which may change between GLib versions. */
  for (const char *p = account; p != NULL && *p != '\0'; p++)
    h = (h ^ (guchar) *p) * G_GUINT64_CONSTANT (0x100000001b3);
  profile->seed = mix (h);
  profile->silent_from = 0;
  profile->silent_until = 0;
  profile->limit_w = load * 6 / 5;

  if (g_strcmp0 (category, "LMV-5") == 0)
    {
      profile->kind = BD_LOAD_PUMP;
      profile->base_w = 5;
      profile->peak_w = load * (80 + (gint64) (uniform (profile->seed, 1) * 15)) / 100;
      profile->cooling_w = 0;
    }
  else if (g_strcmp0 (category, "LMV-2") == 0)
    {
      profile->kind = BD_LOAD_SHOP;
      profile->base_w = 60 + (gint64) (uniform (profile->seed, 1) * 200);
      profile->peak_w = load * (25 + (gint64) (uniform (profile->seed, 2) * 30)) / 100;
      profile->cooling_w = uniform (profile->seed, 3) < 0.6 ? load * 30 / 100 : 0;
    }
  else
    {
      profile->kind = BD_LOAD_HOUSEHOLD;
      profile->base_w = 40 + (gint64) (uniform (profile->seed, 1) * 120);
      profile->peak_w = load * (20 + (gint64) (uniform (profile->seed, 2) * 25)) / 100;
      /* Most UP homes run a cooler in May; fewer an air conditioner. */
      profile->cooling_w = uniform (profile->seed, 3) < 0.75
                           ? MIN (load * 45 / 100, 400 + (gint64) (uniform (profile->seed, 4) * 1400))
                           : 0;
    }
}

/* How hard cooling runs by IST month: the UP summer peaks in May–June. */
static const double cooling_by_month[13] = {
  0, 0.0, 0.0, 0.15, 0.55, 1.0, 0.95, 0.75, 0.7, 0.6, 0.25, 0.0, 0.0,
};

static double
bump (double hour,
      double centre,
      double width)
{
  double d = fabs (hour - centre);

  d = MIN (d, 24.0 - d);   /* the day wraps */
  return exp (-(d * d) / (2.0 * width * width));
}

/* The daily shapes, one value per quarter hour of the IST day: computing
 * them once keeps exp() out of the per-reading path, which a year of
 * history for every meter in a zone runs millions of times. */
enum {
  SHAPE_MORNING,
  SHAPE_EVENING,
  SHAPE_WINTER_MORNING,
  SHAPE_AFTERNOON_COOLING,
  SHAPE_NIGHT_COOLING,
  SHAPE_SHOP_EVENING,
  SHAPE_SHOP_COOLING,
  N_SHAPES
};

static const double shape_params[N_SHAPES][2] = {
  { 7.5, 1.2 }, { 20.5, 1.8 }, { 7.0, 1.0 }, { 15.0, 3.0 }, { 1.0, 3.5 }, { 19.0, 1.5 }, { 15.0, 3.5 },
};

static double shapes[N_SHAPES][96];

static void
ensure_shapes (void)
{
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      for (int s = 0; s < N_SHAPES; s++)
        for (int q = 0; q < 96; q++)
          shapes[s][q] = bump (q / 4.0 + 0.125, shape_params[s][0], shape_params[s][1]);
      g_once_init_leave (&initialised, 1);
    }
}

static double
household_w (const BdLoadProfile *p,
             const BdIstDate     *ist,
             double               hour,
             int                  q,
             gint64               slot)
{
  double season = cooling_by_month[ist->month];
  double winter = (ist->month == 12 || ist->month <= 2) ? 1.0 : 0.0;
  double weekend = ist->weekday == 0 ? 1.15 : 1.0;
  double w = (double) p->base_w;

  w += p->peak_w * (0.45 * shapes[SHAPE_MORNING][q] + 1.0 * shapes[SHAPE_EVENING][q]
                    + 0.18 * (hour >= 10 && hour < 17 ? weekend : 0.0));
  /* Geysers and heaters on winter mornings. */
  w += winter * p->peak_w * 0.5 * shapes[SHAPE_WINTER_MORNING][q];
  /* Coolers through the hot afternoon and again at night. */
  w += season * p->cooling_w * (0.55 * shapes[SHAPE_AFTERNOON_COOLING][q] + 0.85 * shapes[SHAPE_NIGHT_COOLING][q]);
  /* An iron, a motor pump for the roof tank: short bursts. */
  if (uniform (p->seed, (guint64) slot * 3 + 1) < 0.04)
    w += p->peak_w * 0.6;
  return w;
}

static double
shop_w (const BdLoadProfile *p,
        const BdIstDate     *ist,
        double               hour,
        int                  q,
        gint64               slot)
{
  double season = cooling_by_month[ist->month];
  /* Some markets close on Tuesdays, most on Sundays. */
  int closed_day = uniform (p->seed, 7) < 0.2 ? 2 : 0;
  gboolean open = ist->weekday != closed_day && hour >= 10.0 && hour < 21.0;
  double w = (double) p->base_w;

  if (open)
    {
      w += p->peak_w * (0.7 + 0.3 * shapes[SHAPE_SHOP_EVENING][q]);
      w += season * p->cooling_w * shapes[SHAPE_SHOP_COOLING][q];
    }
  if (uniform (p->seed, (guint64) slot * 3 + 1) < 0.02)
    w += p->peak_w * 0.3;
  return w;
}

static double
pump_w (const BdLoadProfile *p,
        const BdIstDate     *ist,
        double               hour)
{
  /* Rabi (winter wheat) and the dry weeks of kharif need the most water. */
  static const double season[13] = { 0, 0.7, 0.6, 0.4, 0.5, 0.6, 0.5, 0.2, 0.2, 0.3, 0.5, 0.7, 0.7 };
  guint64 day_key = (guint64) (ist->day_start / 86400) * 7 + 2;
  double start, length;

  if (uniform (p->seed, day_key) >= season[ist->month])
    return (double) p->base_w;
  /* One long session a day, when rural supply is on. */
  start = 5.0 + uniform (p->seed, day_key + 1) * 14.0;
  length = 2.0 + uniform (p->seed, day_key + 2) * 5.0;
  if (hour >= start && hour < start + length)
    return (double) p->peak_w;
  return (double) p->base_w;
}

gint64
bd_load_profile_slot_wh (const BdLoadProfile *profile,
                         gint64               slot_start)
{
  BdIstDate ist;
  double hour, w, noise;
  gint64 wh;
  int q;

  ensure_shapes ();
  bd_time_ist_date (slot_start, &ist);
  q = CLAMP (ist.minute / 15, 0, 95);
  hour = ist.minute / 60.0 + 0.125;   /* the middle of the 15 minutes */
  switch (profile->kind)
    {
    case BD_LOAD_SHOP:
      w = shop_w (profile, &ist, hour, q, slot_start / 900);
      break;
    case BD_LOAD_PUMP:
      w = pump_w (profile, &ist, hour);
      break;
    case BD_LOAD_HOUSEHOLD:
    default:
      w = household_w (profile, &ist, hour, q, slot_start / 900);
      break;
    }
  noise = 0.8 + 0.4 * uniform (profile->seed, (guint64) (slot_start / 900) * 3);
  w = MIN (w * noise, (double) profile->limit_w);
  wh = (gint64) llround (w / 4.0);
  return MAX (wh, 0);
}

gboolean
bd_load_profile_communicating (const BdLoadProfile *profile,
                               gint64               unix_utc)
{
  gint64 day = unix_utc >= 0 ? unix_utc / 86400 : 0;
  double start, length, hour;

  if (profile->silent_from > 0 && unix_utc >= profile->silent_from &&
      (profile->silent_until == 0 || unix_utc < profile->silent_until))
    return FALSE;
  /* About one day in forty a meter loses its mobile network for a few
   * hours (a tower down, a weak signal in the monsoon). */
  if (uniform (profile->seed, (guint64) day * 11 + 5) >= 0.025)
    return TRUE;
  start = uniform (profile->seed, (guint64) day * 11 + 6) * 20.0;
  length = 1.0 + uniform (profile->seed, (guint64) day * 11 + 7) * 5.0;
  hour = (double) (unix_utc - day * 86400) / 3600.0;
  return !(hour >= start && hour < start + length);
}
