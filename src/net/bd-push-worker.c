/* bd-push-worker.c: sends the store's outbox to bijli-central, in order,
 * one item at a time, retrying what failed for reasons that pass.
 *
 * The outbox lives in the store, so nothing here needs saving: a desk that
 * quits or crashes mid-request sends the same item again with the same
 * Idempotency-Key, and the server answers the stored result instead of
 * applying it twice. Items found in state "sending" were interrupted that
 * way and are simply sent again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-codec.h"
#include "core/bd-complaint.h"
#include "bd-push-worker.h"

struct _BdPushWorker
{
  GObject          parent_instance;

  BdClient        *client;
  BdConsumerStore *store;

  gboolean         running;
  gboolean         busy;           /* a request is in flight */
  gboolean         force;          /* kicked: ignore the current item's next_attempt_at */
  GCancellable    *cancellable;    /* of the request in flight */
  guint            retry_source;   /* wakes the worker when the backoff ends */
  guint            backoff_s;      /* last delay; 0 after a success */
  gint64           pending;
};

G_DEFINE_FINAL_TYPE (BdPushWorker, bd_push_worker, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PENDING,
  PROP_RUNNING,
  N_PROPS
};

enum {
  ITEM_CHANGED,
  DRAINED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  BdPushWorker *self;
  BdOutboxItem *item;
} SendData;

static void drain (BdPushWorker *self);

static void
send_data_free (SendData *data)
{
  g_clear_object (&data->self);
  g_clear_pointer (&data->item, bd_outbox_item_free);
  g_free (data);
}

static gboolean
on_retry_timeout_cb (gpointer user_data)
{
  BdPushWorker *self = user_data;

  self->retry_source = 0;
  drain (self);
  return G_SOURCE_REMOVE;
}

static gboolean
on_drain_idle_cb (gpointer user_data)
{
  BdPushWorker *self = user_data;

  drain (self);
  return G_SOURCE_REMOVE;
}

static void
schedule (BdPushWorker *self,
          guint         delay_ms)
{
  g_clear_handle_id (&self->retry_source, g_source_remove);
  if (delay_ms == 0)
    self->retry_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, on_drain_idle_cb,
                                          g_object_ref (self), g_object_unref);
  else
    self->retry_source = g_timeout_add_full (G_PRIORITY_DEFAULT, delay_ms, on_retry_timeout_cb,
                                             g_object_ref (self), g_object_unref);
}

static void
refresh_pending (BdPushWorker *self)
{
  g_autoptr(GError) error = NULL;
  gint64 queued, sending;

  queued = bd_consumer_store_outbox_count (self->store, BD_OUTBOX_STATE_QUEUED, &error);
  sending = queued >= 0 ? bd_consumer_store_outbox_count (self->store, BD_OUTBOX_STATE_SENDING, &error) : -1;
  if (queued < 0 || sending < 0)
    {
      g_warning ("Cannot count the outbox: %s", error->message);
      return;
    }
  if (queued + sending != self->pending)
    {
      self->pending = queued + sending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
    }
}

static gboolean
mark (BdPushWorker  *self,
      BdOutboxItem  *item,
      BdOutboxState  state,
      const char    *text,
      gint64         next_attempt_at)
{
  g_autoptr(GError) error = NULL;

  if (!bd_consumer_store_outbox_mark (self->store, item->seq, state, text, next_attempt_at, &error))
    {
      g_warning ("Cannot update outbox item %" G_GINT64_FORMAT ": %s", item->seq, error->message);
      return FALSE;
    }
  item->state = state;
  g_signal_emit (self, signals[ITEM_CHANGED], 0, item->seq, (int) state);
  return TRUE;
}

/* 1 s doubling to 60 s, each spread by ±25 % so that desks coming back
 * online together do not all call at the same moment. */
static guint
next_backoff_ms (BdPushWorker *self)
{
  guint base_ms;
  gint32 jitter_ms;

  self->backoff_s = self->backoff_s == 0 ? BD_PUSH_WORKER_MIN_BACKOFF_S
                                         : MIN (self->backoff_s * 2, BD_PUSH_WORKER_MAX_BACKOFF_S);
  base_ms = self->backoff_s * 1000;
  jitter_ms = g_random_int_range (-(gint32) base_ms / 4, (gint32) base_ms / 4 + 1);
  return CLAMP ((gint64) base_ms + jitter_ms,
                BD_PUSH_WORKER_MIN_BACKOFF_S * 1000, BD_PUSH_WORKER_MAX_BACKOFF_S * 1000);
}

/* A 2xx answer to an indexing PATCH: the server's copy goes into the cache
 * (after the item left the pending set, so its own change is not laid over
 * the server's verdict again), and fields the server did not apply make the
 * item a conflict. */
static void
finish_indexing (BdPushWorker *self,
                 BdOutboxItem *item,
                 JsonNode     *answer,
                 const char   *answer_text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdIndexing) indexing = NULL;
  g_auto(GStrv) applied = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;

  if (!bd_indexing_patch_result_from_json (answer, &indexing, &applied, &conflicts, &error))
    {
      /* The server took it; only its answer is odd. */
      g_debug ("Outbox item %" G_GINT64_FORMAT ": answer not understood", item->seq);
      mark (self, item, BD_OUTBOX_STATE_DONE, answer_text, 0);
      return;
    }

  if (conflicts->len > 0)
    {
      g_autoptr(JsonNode) result = json_node_copy (answer);
      JsonNode *conflicts_node = json_object_get_member (json_node_get_object (result), "conflicts");
      g_autofree char *conflicts_text = bd_json_to_string (conflicts_node);

      mark (self, item, BD_OUTBOX_STATE_CONFLICT, conflicts_text, 0);
    }
  else
    mark (self, item, BD_OUTBOX_STATE_DONE, answer_text, 0);

  if (!bd_consumer_store_cache_indexing (self->store, indexing, &error))
    g_warning ("Cannot cache the server's indexing record: %s", error->message);
}

/* A 2xx answer to a complaint filing or action carries the complaint as
 * the server has it: the provisional copy becomes it (keeping its "P-"
 * number), or the copy here takes the new state. */
static void
finish_complaint (BdPushWorker *self,
                  BdOutboxItem *item,
                  JsonNode     *answer,
                  const char   *answer_text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdComplaint) complaint = bd_complaint_from_json (answer, &error);

  mark (self, item, BD_OUTBOX_STATE_DONE, answer_text, 0);
  if (complaint == NULL)
    {
      /* The server took it; the complaint feed brings the record. */
      g_debug ("Outbox item %" G_GINT64_FORMAT ": answer not understood", item->seq);
      return;
    }

  if (g_strcmp0 (item->kind, BD_OUTBOX_KIND_COMPLAINT) == 0)
    {
      if (!bd_consumer_store_confirm_complaint (self->store, item->seq, complaint, &error))
        g_warning ("Cannot store the server's complaint: %s", error->message);
    }
  else
    {
      g_autoptr(GPtrArray) one = g_ptr_array_new ();

      g_ptr_array_add (one, complaint);
      if (!bd_consumer_store_apply_complaints (self->store, one, NULL, &error))
        g_warning ("Cannot store the server's complaint: %s", error->message);
    }
}

static gboolean
is_permanent_failure (guint status)
{
  /* A 401 is the session's fault, not the item's: it is sent again once
   * the operator has signed in again. */
  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_REQUEST_TIMEOUT || status == 429)
    return FALSE;
  return status >= 400 && status < 500;
}

static void
on_sent_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  SendData *data = user_data;
  BdPushWorker *self = data->self;
  BdOutboxItem *item = data->item;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;
  guint status = 0;

  answer = bd_client_send_json_finish (BD_CLIENT (source), result, &status, &error);
  self->busy = FALSE;
  g_clear_object (&self->cancellable);

  if (answer != NULL)
    {
      g_autofree char *answer_text = bd_json_to_string (answer);

      self->backoff_s = 0;
      if (g_strcmp0 (item->kind, BD_OUTBOX_KIND_INDEXING) == 0)
        finish_indexing (self, item, answer, answer_text);
      else if (g_strcmp0 (item->kind, BD_OUTBOX_KIND_RECHARGE) == 0)
        {
          g_autoptr(GError) store_error = NULL;

          /* Credited: the outbox item is done either way; a receipt the
           * copy cannot keep is fetched again with the recharge list. */
          if (!bd_consumer_store_confirm_recharge (self->store, answer, g_get_real_time () / G_USEC_PER_SEC,
                                                   &store_error))
            g_warning ("Cannot store the server's recharge: %s", store_error->message);
          mark (self, item, BD_OUTBOX_STATE_DONE, answer_text, 0);
        }
      else if (g_strcmp0 (item->kind, BD_OUTBOX_KIND_REQUEST) == 0 ||
               g_strcmp0 (item->kind, BD_OUTBOX_KIND_REQUEST_ACTION) == 0)
        {
          g_autoptr(GError) store_error = NULL;

          if (!bd_consumer_store_confirm_request (self->store, item->seq, answer, &store_error))
            g_warning ("Cannot store the server's request: %s", store_error->message);
          mark (self, item, BD_OUTBOX_STATE_DONE, answer_text, 0);
        }
      else if (g_strcmp0 (item->kind, BD_OUTBOX_KIND_COMPLAINT) == 0 ||
               g_strcmp0 (item->kind, BD_OUTBOX_KIND_COMPLAINT_ACTION) == 0)
        finish_complaint (self, item, answer, answer_text);
      else
        mark (self, item, BD_OUTBOX_STATE_DONE, answer_text, 0);
      schedule (self, 0);
    }
  else if (g_error_matches (error, BD_NET_ERROR, BD_NET_ERROR_CANCELLED))
    {
      /* Stopped: the same item goes first again, with the same key. */
      mark (self, item, BD_OUTBOX_STATE_QUEUED, NULL, 0);
    }
  else if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      /* 2xx with a body we cannot read: the server applied it. */
      self->backoff_s = 0;
      mark (self, item, BD_OUTBOX_STATE_DONE, NULL, 0);
      schedule (self, 0);
    }
  else if (is_permanent_failure (status))
    {
      self->backoff_s = 0;
      mark (self, item, BD_OUTBOX_STATE_REJECTED, error->message, 0);
      schedule (self, 0);
    }
  else
    {
      guint delay_ms = next_backoff_ms (self);
      gint64 next = g_get_real_time () / G_USEC_PER_SEC + (delay_ms + 999) / 1000;

      g_debug ("Outbox item %" G_GINT64_FORMAT " not sent (status %u); next try in %u ms",
               item->seq, status, delay_ms);
      mark (self, item, BD_OUTBOX_STATE_QUEUED, error->message, next);
      if (self->running)
        schedule (self, delay_ms);
    }

  refresh_pending (self);
  send_data_free (data);
}

static void
send_item (BdPushWorker *self,
           BdOutboxItem *item)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = bd_json_parse (item->body, -1, &error);
  SendData *data;

  if (body == NULL)
    {
      /* Nothing will ever make it sendable. */
      mark (self, item, BD_OUTBOX_STATE_REJECTED, _("The change stored on this desk is damaged and cannot be sent."), 0);
      bd_outbox_item_free (item);
      schedule (self, 0);
      return;
    }

  if (!mark (self, item, BD_OUTBOX_STATE_SENDING, NULL, item->next_attempt_at))
    {
      /* The store could not write (a full disk, say): try again later
       * rather than wait for a kick that may never come. */
      bd_outbox_item_free (item);
      schedule (self, next_backoff_ms (self));
      return;
    }

  data = g_new0 (SendData, 1);
  data->self = g_object_ref (self);
  data->item = item;
  self->busy = TRUE;
  self->cancellable = g_cancellable_new ();
  bd_client_send_json_async (self->client, item->method, item->path, item->idem_key, body,
                             self->cancellable, on_sent_cb, data);
}

static void
drain (BdPushWorker *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  BdOutboxItem *first;
  gint64 now;

  if (!self->running || self->busy)
    return;
  g_clear_handle_id (&self->retry_source, g_source_remove);

  pending = bd_consumer_store_outbox_pending (self->store, NULL, &error);
  if (pending == NULL)
    {
      g_warning ("Cannot read the outbox: %s", error->message);
      schedule (self, next_backoff_ms (self));
      return;
    }
  refresh_pending (self);
  if (pending->len == 0)
    {
      self->force = FALSE;
      g_signal_emit (self, signals[DRAINED], 0);
      return;
    }

  /* Strictly in order: a later edit of the same record must not overtake
   * an earlier one, and if the first cannot be sent now, neither can the
   * others. */
  first = g_ptr_array_index (pending, 0);
  now = g_get_real_time () / G_USEC_PER_SEC;
  /* A retry time further away than the longest backoff was set before the
   * clock went back (or by a desk whose clock was ahead): waiting for it
   * would hold the whole outbox for as long as the clock was wrong. */
  if (!self->force && first->next_attempt_at > now
      && first->next_attempt_at - now <= BD_PUSH_WORKER_MAX_BACKOFF_S)
    {
      schedule (self, (guint) MIN (first->next_attempt_at - now, BD_PUSH_WORKER_MAX_BACKOFF_S) * 1000);
      return;
    }
  self->force = FALSE;

  send_item (self, g_ptr_array_steal_index (pending, 0));
}

static void
bd_push_worker_dispose (GObject *object)
{
  BdPushWorker *self = BD_PUSH_WORKER (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_object (&self->client);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (bd_push_worker_parent_class)->dispose (object);
}

static void
bd_push_worker_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BdPushWorker *self = BD_PUSH_WORKER (object);

  switch (prop_id)
    {
    case PROP_PENDING:
      g_value_set_int64 (value, self->pending);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bd_push_worker_class_init (BdPushWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bd_push_worker_dispose;
  object_class->get_property = bd_push_worker_get_property;

  properties[PROP_PENDING] =
    g_param_spec_int64 ("pending", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ITEM_CHANGED] =
    g_signal_new ("item-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT);
  signals[DRAINED] =
    g_signal_new ("drained", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
bd_push_worker_init (BdPushWorker *self)
{
}

BdPushWorker *
bd_push_worker_new (BdClient        *client,
                    BdConsumerStore *store)
{
  BdPushWorker *self;

  g_return_val_if_fail (BD_IS_CLIENT (client), NULL);
  g_return_val_if_fail (BD_IS_CONSUMER_STORE (store), NULL);

  self = g_object_new (BD_TYPE_PUSH_WORKER, NULL);
  self->client = g_object_ref (client);
  self->store = g_object_ref (store);
  refresh_pending (self);
  return self;
}

void
bd_push_worker_start (BdPushWorker *self)
{
  g_return_if_fail (BD_IS_PUSH_WORKER (self));

  if (self->running)
    return;
  self->running = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  drain (self);
}

void
bd_push_worker_stop (BdPushWorker *self)
{
  g_return_if_fail (BD_IS_PUSH_WORKER (self));

  if (!self->running)
    return;
  self->running = FALSE;
  g_clear_handle_id (&self->retry_source, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

void
bd_push_worker_kick (BdPushWorker *self)
{
  g_return_if_fail (BD_IS_PUSH_WORKER (self));

  if (!self->running)
    return;
  self->backoff_s = 0;
  self->force = TRUE;
  if (!self->busy)
    schedule (self, 0);
}

gboolean
bd_push_worker_get_running (BdPushWorker *self)
{
  g_return_val_if_fail (BD_IS_PUSH_WORKER (self), FALSE);
  return self->running;
}

gint64
bd_push_worker_get_pending (BdPushWorker *self)
{
  g_return_val_if_fail (BD_IS_PUSH_WORKER (self), 0);
  return self->pending;
}
