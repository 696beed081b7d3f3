/* bd-consumer.c: a consumer account with its connection, meter and balance.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "bd-consumer.h"

struct _BdConsumer
{
  GObject         parent_instance;

  char           *account;
  char           *name_en;
  char           *name_hi;
  char           *relation_en;
  char           *relation_hi;
  char           *address;
  char           *mobile;
  char           *meter_serial;
  char           *meter_make;
  char           *category;
  char           *feeder;
  char           *dt;
  char           *pole;
  char           *zone;

  gboolean        mobile_verified;
  BdMeterType     meter_type;
  BdPhase         phase;
  BdAreaType      area_type;
  BdSupplyStatus  supply_status;
  gint64          sanctioned_load_w;
  gint64          balance_paise;
  gint64          balance_as_of;
  gint64          version;
  gint64          updated_at;
};

G_DEFINE_FINAL_TYPE (BdConsumer, bd_consumer, G_TYPE_OBJECT)

typedef struct {
  int         value;
  const char *name;
} EnumName;

static const EnumName meter_type_names[] = {
  { BD_METER_TYPE_SMART, "smart" },
  { BD_METER_TYPE_CT, "ct" },
  { BD_METER_TYPE_NON_SMART, "non_smart" },
};
static const EnumName phase_names[] = {
  { BD_PHASE_SINGLE, "single" },
  { BD_PHASE_THREE, "three" },
};
static const EnumName area_type_names[] = {
  { BD_AREA_URBAN, "urban" },
  { BD_AREA_RURAL, "rural" },
};
static const EnumName supply_status_names[] = {
  { BD_SUPPLY_CONNECTED, "connected" },
  { BD_SUPPLY_DISCONNECTED, "disconnected" },
};

static const char *
enum_to_string (const EnumName *names,
                gsize           n_names,
                int             value)
{
  for (gsize i = 0; i < n_names; i++)
    if (names[i].value == value)
      return names[i].name;
  g_return_val_if_reached (NULL);
}

static gboolean
enum_from_string (const EnumName *names,
                  gsize           n_names,
                  const char     *text,
                  int            *out)
{
  if (text == NULL)
    return FALSE;
  for (gsize i = 0; i < n_names; i++)
    if (strcmp (names[i].name, text) == 0)
      {
        *out = names[i].value;
        return TRUE;
      }
  return FALSE;
}

#define DEFINE_ENUM_NAMES(Type, prefix, table)                                  \
  const char *prefix##_to_string (Type value)                                   \
  {                                                                             \
    return enum_to_string (table, G_N_ELEMENTS (table), (int) value);           \
  }                                                                             \
  gboolean prefix##_from_string (const char *text, Type *out)                   \
  {                                                                             \
    int value;                                                                  \
    if (!enum_from_string (table, G_N_ELEMENTS (table), text, &value))          \
      return FALSE;                                                             \
    *out = (Type) value;                                                        \
    return TRUE;                                                                \
  }

DEFINE_ENUM_NAMES (BdMeterType, bd_meter_type, meter_type_names)
DEFINE_ENUM_NAMES (BdPhase, bd_phase, phase_names)
DEFINE_ENUM_NAMES (BdAreaType, bd_area_type, area_type_names)
DEFINE_ENUM_NAMES (BdSupplyStatus, bd_supply_status, supply_status_names)

static void
replace_string (char       **field,
                const char  *value)
{
  if (*field == value)
    return;
  g_free (*field);
  *field = g_strdup (value);
}

static void
bd_consumer_finalize (GObject *object)
{
  BdConsumer *self = BD_CONSUMER (object);

  g_free (self->account);
  g_free (self->name_en);
  g_free (self->name_hi);
  g_free (self->relation_en);
  g_free (self->relation_hi);
  g_free (self->address);
  g_free (self->mobile);
  g_free (self->meter_serial);
  g_free (self->meter_make);
  g_free (self->category);
  g_free (self->feeder);
  g_free (self->dt);
  g_free (self->pole);
  g_free (self->zone);

  G_OBJECT_CLASS (bd_consumer_parent_class)->finalize (object);
}

static void
bd_consumer_class_init (BdConsumerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bd_consumer_finalize;
}

static void
bd_consumer_init (BdConsumer *self)
{
  self->meter_type = BD_METER_TYPE_SMART;
  self->phase = BD_PHASE_SINGLE;
  self->area_type = BD_AREA_URBAN;
  self->supply_status = BD_SUPPLY_CONNECTED;
}

BdConsumer *
bd_consumer_new (const char *account)
{
  BdConsumer *self;

  g_return_val_if_fail (account != NULL, NULL);

  self = g_object_new (BD_TYPE_CONSUMER, NULL);
  self->account = g_strdup (account);
  return self;
}

#define STRING_FIELDS(X) \
  X (name_en) X (name_hi) X (relation_en) X (relation_hi) X (address) X (mobile) \
  X (meter_serial) X (meter_make) X (category) X (feeder) X (dt) X (pole) X (zone)

#define VALUE_FIELDS(X) \
  X (gboolean, mobile_verified) X (BdMeterType, meter_type) X (BdPhase, phase) \
  X (BdAreaType, area_type) X (BdSupplyStatus, supply_status) \
  X (gint64, sanctioned_load_w) X (gint64, balance_paise) X (gint64, balance_as_of) \
  X (gint64, version) X (gint64, updated_at)

BdConsumer *
bd_consumer_copy (BdConsumer *self)
{
  BdConsumer *copy;

  g_return_val_if_fail (BD_IS_CONSUMER (self), NULL);

  copy = bd_consumer_new (self->account);
#define COPY_STRING(field) copy->field = g_strdup (self->field);
#define COPY_VALUE(type, field) copy->field = self->field;
  STRING_FIELDS (COPY_STRING)
  VALUE_FIELDS (COPY_VALUE)
#undef COPY_STRING
#undef COPY_VALUE
  return copy;
}

gboolean
bd_consumer_equal (BdConsumer *a,
                   BdConsumer *b)
{
  g_return_val_if_fail (BD_IS_CONSUMER (a), FALSE);
  g_return_val_if_fail (BD_IS_CONSUMER (b), FALSE);

  if (g_strcmp0 (a->account, b->account) != 0)
    return FALSE;
#define CMP_STRING(field) if (g_strcmp0 (a->field, b->field) != 0) return FALSE;
#define CMP_VALUE(type, field) if (a->field != b->field) return FALSE;
  STRING_FIELDS (CMP_STRING)
  VALUE_FIELDS (CMP_VALUE)
#undef CMP_STRING
#undef CMP_VALUE
  return TRUE;
}

const char *
bd_consumer_get_account (BdConsumer *self)
{
  g_return_val_if_fail (BD_IS_CONSUMER (self), NULL);
  return self->account;
}

#define DEFINE_STRING_ACCESSORS(field)                                          \
  const char *bd_consumer_get_##field (BdConsumer *self)                        \
  {                                                                             \
    g_return_val_if_fail (BD_IS_CONSUMER (self), NULL);                         \
    return self->field;                                                         \
  }                                                                             \
  void bd_consumer_set_##field (BdConsumer *self, const char *value)            \
  {                                                                             \
    g_return_if_fail (BD_IS_CONSUMER (self));                                   \
    replace_string (&self->field, value);                                       \
  }

#define DEFINE_VALUE_ACCESSORS(type, field)                                     \
  type bd_consumer_get_##field (BdConsumer *self)                               \
  {                                                                             \
    g_return_val_if_fail (BD_IS_CONSUMER (self), (type) 0);                     \
    return self->field;                                                         \
  }                                                                             \
  void bd_consumer_set_##field (BdConsumer *self, type value)                   \
  {                                                                             \
    g_return_if_fail (BD_IS_CONSUMER (self));                                   \
    self->field = value;                                                        \
  }

STRING_FIELDS (DEFINE_STRING_ACCESSORS)
VALUE_FIELDS (DEFINE_VALUE_ACCESSORS)

const char *
bd_consumer_get_display_name (BdConsumer *self,
                              gboolean    prefer_hindi)
{
  const char *first;
  const char *second;

  g_return_val_if_fail (BD_IS_CONSUMER (self), NULL);

  first = prefer_hindi ? self->name_hi : self->name_en;
  second = prefer_hindi ? self->name_en : self->name_hi;
  if (first != NULL && *first != '\0')
    return first;
  if (second != NULL && *second != '\0')
    return second;
  return self->account;
}
