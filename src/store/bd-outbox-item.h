/* bd-outbox-item.h: a change made on this desk waiting to be sent to
 * bijli-central (or its outcome), as the store's outbox table holds it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  BD_OUTBOX_STATE_QUEUED,    /* waiting to be sent (again) */
  BD_OUTBOX_STATE_SENDING,   /* a request is on its way */
  BD_OUTBOX_STATE_DONE,      /* the server applied it */
  BD_OUTBOX_STATE_REJECTED,  /* the server refused it (4xx); last_error says why */
  BD_OUTBOX_STATE_CONFLICT,  /* applied in part: some fields had changed on the server */
} BdOutboxState;

/* Wire/database names: "queued", "sending", "done", "rejected", "conflict".
 * from_string returns FALSE on unknown or NULL. */
const char *bd_outbox_state_to_string   (BdOutboxState  state);
gboolean    bd_outbox_state_from_string (const char    *text,
                                         BdOutboxState *out);
/* Translated, for the desk: "Queued — will be sent when online", "Sending…",
 * "Saved", "Rejected by the server", "Conflict with a change on the server". */
const char *bd_outbox_state_to_label    (BdOutboxState  state);

/* Kinds of item: an indexing edit (PATCH), a complaint filed here (POST
 * /complaints) and an action on a complaint (POST /complaints/{id}/actions). */
#define BD_OUTBOX_KIND_INDEXING         "indexing"
#define BD_OUTBOX_KIND_COMPLAINT        "complaint"
#define BD_OUTBOX_KIND_COMPLAINT_ACTION "complaint_action"
#define BD_OUTBOX_KIND_RECHARGE         "recharge"
#define BD_OUTBOX_KIND_REQUEST          "disconnection"
#define BD_OUTBOX_KIND_REQUEST_ACTION   "disconnection_action"

typedef struct {
  gint64         seq;
  char          *idem_key;        /* Idempotency-Key sent with every attempt */
  char          *kind;            /* BD_OUTBOX_KIND_INDEXING */
  char          *account;         /* NULL if not about one consumer */
  char          *method;          /* "PATCH" */
  char          *path;            /* "/api/v1/consumers/…/indexing" */
  char          *body;            /* JSON text */
  BdOutboxState  state;
  gint           attempts;
  gint64         created_at;      /* Unix UTC */
  char          *created_by;      /* username */
  gint64         next_attempt_at; /* Unix UTC; 0 = at once */
  char          *last_error;      /* server's message or transport error, or NULL */
  char          *result;          /* answer body (done) or conflicts JSON (conflict), or NULL */
} BdOutboxItem;

#define BD_TYPE_OUTBOX_ITEM (bd_outbox_item_get_type ())
GType         bd_outbox_item_get_type (void) G_GNUC_CONST;
BdOutboxItem *bd_outbox_item_copy     (const BdOutboxItem *item);
void          bd_outbox_item_free     (BdOutboxItem       *item);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdOutboxItem, bd_outbox_item_free)

G_END_DECLS
