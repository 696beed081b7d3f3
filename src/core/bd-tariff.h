/* bd-tariff.h: what a prepaid consumer pays for electricity, GTK-free so
 * the server deducts and the desk explains with the same arithmetic.
 *
 * A tariff belongs to a consumer category (LMV-1 domestic, LMV-2
 * commercial, LMV-5 private tube wells) in an urban or rural area: an
 * energy charge per kWh in monthly slabs, and a fixed charge per kW of
 * sanctioned load per day. The tables are versioned on the server; the
 * values here are version 1, of the order the UP regulator sets.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "bd-consumer.h"

G_BEGIN_DECLS

#define BD_TARIFF_MAX_SLABS 6

typedef struct {
  gint64 up_to_kwh;      /* upper end of the slab in kWh a month; 0 in the last slab */
  gint64 paise_per_kwh;
} BdTariffSlab;

typedef struct {
  char          category[16];
  BdAreaType    area_type;
  guint         n_slabs;
  BdTariffSlab  slabs[BD_TARIFF_MAX_SLABS];
  gint64        fixed_paise_per_kw_day;
} BdTariff;

const BdTariff *bd_tariff_default_table (gsize          *n_tariffs);
/* The category's tariff for the area, or NULL if the table has none. */
const BdTariff *bd_tariff_lookup        (const BdTariff *table,
                                         gsize           n_tariffs,
                                         const char     *category,
                                         BdAreaType      area_type);

/* The energy charge for month_wh consumed since the start of the month,
 * rounded to the nearest paisa. Deducting the difference between two
 * months-to-date (bd_tariff_slot_charge_paise) instead of charging each
 * reading on its own keeps rounding from adding up: a month's deductions
 * always sum to the charge for its total. */
gint64 bd_tariff_energy_charge_paise (const BdTariff *tariff,
                                      gint64          month_wh);
gint64 bd_tariff_slot_charge_paise   (const BdTariff *tariff,
                                      gint64          month_wh_before,
                                      gint64          wh);
/* A day's fixed charge for a sanctioned load in watts (pro rata per watt). */
gint64 bd_tariff_fixed_charge_paise  (const BdTariff *tariff,
                                      gint64          sanctioned_load_w);

/* Checks that slabs rise and end with an open one and rates are sane;
 * BD_CODEC_ERROR_INVALID_VALUE otherwise. */
gboolean  bd_tariff_validate  (const BdTariff *tariff,
                               GError        **error);
JsonNode *bd_tariff_to_json   (const BdTariff *tariff);
gboolean  bd_tariff_from_json (JsonNode       *node,
                               BdTariff       *out,
                               GError        **error);

G_END_DECLS
