/* bd-consumer.h: a consumer account with its connection, meter and balance.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  BD_METER_TYPE_SMART,
  BD_METER_TYPE_CT,        /* CT-operated: no remote switching */
  BD_METER_TYPE_NON_SMART,
} BdMeterType;

typedef enum {
  BD_PHASE_SINGLE,
  BD_PHASE_THREE,
} BdPhase;

typedef enum {
  BD_AREA_URBAN,
  BD_AREA_RURAL,
} BdAreaType;

typedef enum {
  BD_SUPPLY_CONNECTED,
  BD_SUPPLY_DISCONNECTED,
} BdSupplyStatus;

/* Wire names ("smart", "ct", "non_smart"...). from_string returns FALSE on unknown. */
const char *bd_meter_type_to_string    (BdMeterType    value);
gboolean    bd_meter_type_from_string  (const char    *text, BdMeterType    *out);
const char *bd_phase_to_string         (BdPhase        value);
gboolean    bd_phase_from_string       (const char    *text, BdPhase        *out);
const char *bd_area_type_to_string     (BdAreaType     value);
gboolean    bd_area_type_from_string   (const char    *text, BdAreaType     *out);
const char *bd_supply_status_to_string (BdSupplyStatus value);
gboolean    bd_supply_status_from_string (const char  *text, BdSupplyStatus *out);

#define BD_TYPE_CONSUMER (bd_consumer_get_type ())
G_DECLARE_FINAL_TYPE (BdConsumer, bd_consumer, BD, CONSUMER, GObject)

BdConsumer     *bd_consumer_new                   (const char     *account);
BdConsumer     *bd_consumer_copy                  (BdConsumer     *self);
gboolean        bd_consumer_equal                 (BdConsumer     *a,
                                                   BdConsumer     *b);

const char     *bd_consumer_get_account           (BdConsumer     *self);
const char     *bd_consumer_get_name_en           (BdConsumer     *self);
void            bd_consumer_set_name_en           (BdConsumer     *self, const char *value);
const char     *bd_consumer_get_name_hi           (BdConsumer     *self);
void            bd_consumer_set_name_hi           (BdConsumer     *self, const char *value);
/* Father's or husband's name, as on the connection record. */
const char     *bd_consumer_get_relation_en       (BdConsumer     *self);
void            bd_consumer_set_relation_en       (BdConsumer     *self, const char *value);
const char     *bd_consumer_get_relation_hi       (BdConsumer     *self);
void            bd_consumer_set_relation_hi       (BdConsumer     *self, const char *value);
const char     *bd_consumer_get_address           (BdConsumer     *self);
void            bd_consumer_set_address           (BdConsumer     *self, const char *value);
/* NULL when no mobile is on record. */
const char     *bd_consumer_get_mobile            (BdConsumer     *self);
void            bd_consumer_set_mobile            (BdConsumer     *self, const char *value);
gboolean        bd_consumer_get_mobile_verified   (BdConsumer     *self);
void            bd_consumer_set_mobile_verified   (BdConsumer     *self, gboolean value);
const char     *bd_consumer_get_meter_serial      (BdConsumer     *self);
void            bd_consumer_set_meter_serial      (BdConsumer     *self, const char *value);
const char     *bd_consumer_get_meter_make        (BdConsumer     *self);
void            bd_consumer_set_meter_make        (BdConsumer     *self, const char *value);
BdMeterType     bd_consumer_get_meter_type        (BdConsumer     *self);
void            bd_consumer_set_meter_type        (BdConsumer     *self, BdMeterType value);
/* Tariff category code, e.g. "LMV-1" (domestic), "LMV-2" (commercial). */
const char     *bd_consumer_get_category          (BdConsumer     *self);
void            bd_consumer_set_category          (BdConsumer     *self, const char *value);
/* Sanctioned load in watts (2 kW = 2000): integers, never floats. */
gint64          bd_consumer_get_sanctioned_load_w (BdConsumer     *self);
void            bd_consumer_set_sanctioned_load_w (BdConsumer     *self, gint64 value);
BdPhase         bd_consumer_get_phase             (BdConsumer     *self);
void            bd_consumer_set_phase             (BdConsumer     *self, BdPhase value);
const char     *bd_consumer_get_feeder            (BdConsumer     *self);
void            bd_consumer_set_feeder            (BdConsumer     *self, const char *value);
const char     *bd_consumer_get_dt                (BdConsumer     *self);
void            bd_consumer_set_dt                (BdConsumer     *self, const char *value);
const char     *bd_consumer_get_pole              (BdConsumer     *self);
void            bd_consumer_set_pole              (BdConsumer     *self, const char *value);
const char     *bd_consumer_get_zone              (BdConsumer     *self);
void            bd_consumer_set_zone              (BdConsumer     *self, const char *value);
BdAreaType      bd_consumer_get_area_type         (BdConsumer     *self);
void            bd_consumer_set_area_type         (BdConsumer     *self, BdAreaType value);
BdSupplyStatus  bd_consumer_get_supply_status     (BdConsumer     *self);
void            bd_consumer_set_supply_status     (BdConsumer     *self, BdSupplyStatus value);
gint64          bd_consumer_get_balance_paise     (BdConsumer     *self);
void            bd_consumer_set_balance_paise     (BdConsumer     *self, gint64 value);
/* When the balance was last computed from a meter reading (Unix UTC; 0 = never). */
gint64          bd_consumer_get_balance_as_of     (BdConsumer     *self);
void            bd_consumer_set_balance_as_of     (BdConsumer     *self, gint64 value);
/* Server-side record version, incremented on every change. */
gint64          bd_consumer_get_version           (BdConsumer     *self);
void            bd_consumer_set_version           (BdConsumer     *self, gint64 value);
gint64          bd_consumer_get_updated_at        (BdConsumer     *self);
void            bd_consumer_set_updated_at        (BdConsumer     *self, gint64 value);

/* The name in the script asked for, falling back to the other script. */
const char     *bd_consumer_get_display_name      (BdConsumer     *self,
                                                   gboolean        prefer_hindi);

G_END_DECLS
