/* bd-load-profile.h: the simulated smart meter behind bijli-central's demo.
 *
 * A meter's consumption is a pure function of its profile and the time, so
 * a year of 15-minute history, today's live readings and a test's
 * expectations all agree, and the same seed gives the same meters on every
 * machine. Households peak in the morning and evening and run coolers in
 * the UP summer; shops follow opening hours and close on Sundays; tube
 * wells run long sessions in the irrigation seasons. Some meters drop off
 * the network for a few hours now and then (they keep their load profile
 * and send it when they are back); a few stop reporting for days.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  BD_LOAD_HOUSEHOLD,
  BD_LOAD_SHOP,
  BD_LOAD_PUMP,
} BdLoadKind;

const char *bd_load_kind_to_string   (BdLoadKind  kind);
gboolean    bd_load_kind_from_string (const char *text,
                                      BdLoadKind *out);

typedef struct {
  BdLoadKind kind;
  guint64    seed;
  gint64     base_w;        /* always on: refrigerator, fans, standby */
  gint64     peak_w;        /* the evening peak above the base */
  gint64     cooling_w;     /* coolers and air conditioners in summer; 0 without */
  gint64     limit_w;       /* the meter never records more than this */
  gint64     silent_from;   /* stops reporting from this time; 0 never */
  gint64     silent_until;  /* and reports again from this time; 0 not yet */
} BdLoadProfile;

/* The profile for a consumer: kind and sizes follow the category (LMV-1
 * household, LMV-2 shop, LMV-5 pump) and sanctioned load, the details the
 * seed and account. No silent window: the caller adds one if it wants. */
void     bd_load_profile_init          (BdLoadProfile *profile,
                                        guint32        seed,
                                        const char    *account,
                                        const char    *category,
                                        gint64         sanctioned_load_w);

/* Energy in Wh consumed in the 15 minutes starting at slot_start (UTC,
 * a multiple of 900). Deterministic. */
gint64   bd_load_profile_slot_wh       (const BdLoadProfile *profile,
                                        gint64               slot_start);

/* Whether the meter can be reached at unix_utc: outside its silent window
 * and not in one of its brief outages. */
gboolean bd_load_profile_communicating (const BdLoadProfile *profile,
                                        gint64               unix_utc);

/* A uniform number in [0, 1) from the seed and a key: for the caller's
 * own deterministic choices about the meter. */
double   bd_load_profile_uniform       (const BdLoadProfile *profile,
                                        guint64              key);

G_END_DECLS
