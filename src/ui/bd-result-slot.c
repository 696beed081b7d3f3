/* bd-result-slot.c: a place in the search results list that holds one
 * consumer at a time.
 *
 * GtkListView keeps the row widget of an item that is removed and added
 * back in the same change, and builds new widgets for new items. Search
 * replaces all results on every keystroke, so the list shows slots that
 * stay the same objects from one query to the next and only change the
 * consumer they hold: the rows are reused and merely refilled, which keeps
 * a keystroke's update within a frame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bd-result-slot.h"

struct _BdResultSlot
{
  GObject     parent_instance;

  BdConsumer *consumer;
};

G_DEFINE_FINAL_TYPE (BdResultSlot, bd_result_slot, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONSUMER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
bd_result_slot_dispose (GObject *object)
{
  BdResultSlot *self = BD_RESULT_SLOT (object);

  g_clear_object (&self->consumer);

  G_OBJECT_CLASS (bd_result_slot_parent_class)->dispose (object);
}

static void
bd_result_slot_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BdResultSlot *self = BD_RESULT_SLOT (object);

  switch (prop_id)
    {
    case PROP_CONSUMER:
      g_value_set_object (value, self->consumer);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bd_result_slot_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BdResultSlot *self = BD_RESULT_SLOT (object);

  switch (prop_id)
    {
    case PROP_CONSUMER:
      bd_result_slot_set_consumer (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bd_result_slot_class_init (BdResultSlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bd_result_slot_dispose;
  object_class->get_property = bd_result_slot_get_property;
  object_class->set_property = bd_result_slot_set_property;

  properties[PROP_CONSUMER] =
    g_param_spec_object ("consumer", NULL, NULL, BD_TYPE_CONSUMER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bd_result_slot_init (BdResultSlot *self)
{
}

BdResultSlot *
bd_result_slot_new (void)
{
  return g_object_new (BD_TYPE_RESULT_SLOT, NULL);
}

BdConsumer *
bd_result_slot_get_consumer (BdResultSlot *self)
{
  g_return_val_if_fail (BD_IS_RESULT_SLOT (self), NULL);

  return self->consumer;
}

void
bd_result_slot_set_consumer (BdResultSlot *self,
                             BdConsumer   *consumer)
{
  g_return_if_fail (BD_IS_RESULT_SLOT (self));
  g_return_if_fail (consumer == NULL || BD_IS_CONSUMER (consumer));

  if (g_set_object (&self->consumer, consumer))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONSUMER]);
}
