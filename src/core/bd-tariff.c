/* bd-tariff.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "bd-tariff.h"

#include <string.h>

#include "bd-codec.h"
#include "bd-codec-private.h"

/* Version 1: rates of the order of UPERC's 2024-25 schedule (paise per
 * kWh; fixed charges per kW a month turned into a day's share). */
static const BdTariff default_table[] = {
  { "LMV-1", BD_AREA_URBAN, 4, { { 100, 550 }, { 150, 550 }, { 300, 600 }, { 0, 650 } }, 367 },
  { "LMV-1", BD_AREA_RURAL, 4, { { 100, 335 }, { 150, 385 }, { 300, 500 }, { 0, 550 } }, 300 },
  { "LMV-2", BD_AREA_URBAN, 2, { { 300, 750 }, { 0, 840 } }, 1100 },
  { "LMV-2", BD_AREA_RURAL, 2, { { 300, 600 }, { 0, 650 } }, 300 },
  { "LMV-5", BD_AREA_URBAN, 1, { { 0, 600 } }, 760 },
  { "LMV-5", BD_AREA_RURAL, 1, { { 0, 200 } }, 228 },
};

const BdTariff *
bd_tariff_default_table (gsize *n_tariffs)
{
  *n_tariffs = G_N_ELEMENTS (default_table);
  return default_table;
}

const BdTariff *
bd_tariff_lookup (const BdTariff *table,
                  gsize           n_tariffs,
                  const char     *category,
                  BdAreaType      area_type)
{
  for (gsize i = 0; i < n_tariffs; i++)
    if (table[i].area_type == area_type && g_strcmp0 (table[i].category, category) == 0)
      return &table[i];
  return NULL;
}

gint64
bd_tariff_energy_charge_paise (const BdTariff *tariff,
                               gint64          month_wh)
{
  /* Wh × paise per kWh is thousandths of a paisa: exact until the end. */
  gint64 milli_paise = 0;
  gint64 lower_wh = 0;

  g_return_val_if_fail (tariff != NULL, 0);

  if (month_wh <= 0)
    return 0;
  for (guint i = 0; i < tariff->n_slabs && lower_wh < month_wh; i++)
    {
      const BdTariffSlab *slab = &tariff->slabs[i];
      gboolean last = slab->up_to_kwh == 0 || i + 1 == tariff->n_slabs;
      gint64 upper_wh = last ? G_MAXINT64 : slab->up_to_kwh * 1000;
      gint64 in_slab = MIN (month_wh, upper_wh) - lower_wh;

      milli_paise += in_slab * slab->paise_per_kwh;
      lower_wh = upper_wh;
    }
  return (milli_paise + 500) / 1000;
}

gint64
bd_tariff_slot_charge_paise (const BdTariff *tariff,
                             gint64          month_wh_before,
                             gint64          wh)
{
  return bd_tariff_energy_charge_paise (tariff, month_wh_before + wh)
         - bd_tariff_energy_charge_paise (tariff, month_wh_before);
}

gint64
bd_tariff_fixed_charge_paise (const BdTariff *tariff,
                              gint64          sanctioned_load_w)
{
  g_return_val_if_fail (tariff != NULL, 0);

  if (sanctioned_load_w <= 0)
    return 0;
  return (sanctioned_load_w * tariff->fixed_paise_per_kw_day + 500) / 1000;
}

static gboolean
invalid (GError    **error,
         const char *what)
{
  g_set_error (error, BD_CODEC_ERROR, BD_CODEC_ERROR_INVALID_VALUE,
               "tariff: %s", what);
  return FALSE;
}

gboolean
bd_tariff_validate (const BdTariff *tariff,
                    GError        **error)
{
  gint64 previous = 0;

  if (tariff->category[0] == '\0')
    return invalid (error, "category is empty");
  if (tariff->n_slabs == 0 || tariff->n_slabs > BD_TARIFF_MAX_SLABS)
    return invalid (error, "needs one to six slabs");
  for (guint i = 0; i < tariff->n_slabs; i++)
    {
      const BdTariffSlab *slab = &tariff->slabs[i];
      gboolean last = i + 1 == tariff->n_slabs;

      /* ₹100 a kWh is far beyond any tariff: a typo in paise. */
      if (slab->paise_per_kwh < 0 || slab->paise_per_kwh > 10000)
        return invalid (error, "a slab's rate is out of range");
      if (last ? slab->up_to_kwh != 0 : slab->up_to_kwh <= previous)
        return invalid (error, "slabs must rise and the last must be open");
      previous = slab->up_to_kwh;
    }
  if (tariff->fixed_paise_per_kw_day < 0 || tariff->fixed_paise_per_kw_day > 100000)
    return invalid (error, "the fixed charge is out of range");
  return TRUE;
}

JsonNode *
bd_tariff_to_json (const BdTariff *tariff)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  _bd_codec_add_string (builder, "category", tariff->category);
  _bd_codec_add_string (builder, "area_type", bd_area_type_to_string (tariff->area_type));
  _bd_codec_add_int (builder, "fixed_paise_per_kw_day", tariff->fixed_paise_per_kw_day);
  json_builder_set_member_name (builder, "slabs");
  json_builder_begin_array (builder);
  for (guint i = 0; i < tariff->n_slabs; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "up_to_kwh");
      if (tariff->slabs[i].up_to_kwh == 0)
        json_builder_add_null_value (builder);
      else
        json_builder_add_int_value (builder, tariff->slabs[i].up_to_kwh);
      _bd_codec_add_int (builder, "paise_per_kwh", tariff->slabs[i].paise_per_kwh);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
parse_area (const char *text,
            int        *out)
{
  BdAreaType value;

  if (!bd_area_type_from_string (text, &value))
    return FALSE;
  *out = (int) value;
  return TRUE;
}

gboolean
bd_tariff_from_json (JsonNode  *node,
                     BdTariff  *out,
                     GError   **error)
{
  JsonObject *object = _bd_codec_expect_object (node, "tariff", error);
  g_autofree char *category = NULL;
  JsonArray *slabs;
  BdTariff tariff = { 0 };
  int area = 0;

  if (object == NULL)
    return FALSE;
  if (!_bd_codec_read_string (object, "category", FALSE, sizeof tariff.category - 1, &category, error) ||
      !_bd_codec_read_enum (object, "area_type", parse_area, &area, error) ||
      !_bd_codec_read_int (object, "fixed_paise_per_kw_day", 0, 100000, &tariff.fixed_paise_per_kw_day, error))
    return FALSE;
  slabs = _bd_codec_read_array (object, "slabs", error);
  if (slabs == NULL)
    return FALSE;
  if (json_array_get_length (slabs) == 0 || json_array_get_length (slabs) > BD_TARIFF_MAX_SLABS)
    return _bd_codec_invalid (error, "slabs");
  g_strlcpy (tariff.category, category, sizeof tariff.category);
  tariff.area_type = (BdAreaType) area;
  tariff.n_slabs = json_array_get_length (slabs);
  for (guint i = 0; i < tariff.n_slabs; i++)
    {
      JsonObject *slab = _bd_codec_expect_object (json_array_get_element (slabs, i), "slab", error);
      JsonNode *up_to;

      if (slab == NULL)
        return FALSE;
      up_to = json_object_get_member (slab, "up_to_kwh");
      if (up_to == NULL || JSON_NODE_HOLDS_NULL (up_to))
        tariff.slabs[i].up_to_kwh = 0;
      else if (!_bd_codec_read_int (slab, "up_to_kwh", 1, 1000000, &tariff.slabs[i].up_to_kwh, error))
        return FALSE;
      if (!_bd_codec_read_int (slab, "paise_per_kwh", 0, 10000, &tariff.slabs[i].paise_per_kwh, error))
        return FALSE;
    }
  if (!bd_tariff_validate (&tariff, error))
    return FALSE;
  *out = tariff;
  return TRUE;
}
