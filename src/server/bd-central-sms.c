/* bd-central-sms.c: the timer that drives the simulated SMS gateway.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bd-central-db-otp.h"
#include "bd-central-sms.h"

#define TICK_MS 100
/* Another process serving the same database may queue messages this one
 * does not hear about; look at least this often. */
#define IDLE_LOOK_MS 1000

struct _BdCentralSms
{
  GObject      parent_instance;

  BdCentralDb *db;
  GRand       *rand;
  double       failure_rate;
  gboolean     keep_secrets;
  guint        timeout_id;
  gint64       next_due_ms;     /* -1: nothing pending */
  gint64       last_look_ms;
};

G_DEFINE_TYPE (BdCentralSms, bd_central_sms, G_TYPE_OBJECT)

static gboolean
on_tick_cb (gpointer user_data)
{
  BdCentralSms *self = BD_CENTRAL_SMS (user_data);
  gint64 now_ms = g_get_real_time () / 1000;
  g_autoptr(GError) error = NULL;

  if ((self->next_due_ms < 0 || now_ms < self->next_due_ms)
      && now_ms - self->last_look_ms < IDLE_LOOK_MS)
    return G_SOURCE_CONTINUE;

  self->last_look_ms = now_ms;
  if (!bd_central_db_sms_process (self->db, now_ms, self->failure_rate, self->rand,
                                  self->keep_secrets, &self->next_due_ms, &error))
    {
      /* A busy database is retried on the next tick; nothing is lost. */
      g_warning ("SMS gateway: %s", error->message);
      self->next_due_ms = now_ms + IDLE_LOOK_MS;
    }

  return G_SOURCE_CONTINUE;
}

static void
bd_central_sms_dispose (GObject *object)
{
  BdCentralSms *self = (BdCentralSms *)object;

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_object (&self->db);
  g_clear_pointer (&self->rand, g_rand_free);

  G_OBJECT_CLASS (bd_central_sms_parent_class)->dispose (object);
}

static void
bd_central_sms_class_init (BdCentralSmsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bd_central_sms_dispose;
}

static void
bd_central_sms_init (BdCentralSms *self)
{
  /* Failure injection only: GRand is fine here, nothing secret comes from it. */
  self->rand = g_rand_new ();
  self->next_due_ms = 0;
}

BdCentralSms *
bd_central_sms_new (BdCentralDb *db,
                    double       failure_rate,
                    gboolean     keep_secrets)
{
  BdCentralSms *self;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (db), NULL);
  g_return_val_if_fail (failure_rate >= 0 && failure_rate <= 1, NULL);

  self = g_object_new (BD_TYPE_CENTRAL_SMS, NULL);
  self->db = g_object_ref (db);
  self->failure_rate = failure_rate;
  self->keep_secrets = keep_secrets;
  self->timeout_id = g_timeout_add (TICK_MS, on_tick_cb, self);

  return self;
}

void
bd_central_sms_kick (BdCentralSms *self)
{
  g_return_if_fail (BD_IS_CENTRAL_SMS (self));

  self->next_due_ms = 0;
}

gboolean
bd_central_sms_get_demo (BdCentralSms *self)
{
  g_return_val_if_fail (BD_IS_CENTRAL_SMS (self), FALSE);

  return self->keep_secrets;
}
