/* bd-disconnection.h: a request to disconnect or reconnect a supply: the
 * consumer's own (temporary, or permanent when leaving the premises or
 * closing the connection), a non-payment disconnection staff queue, or a
 * reconnection. It goes to a supervisor, is scheduled for the earliest
 * time the rules allow, carried out by the head-end (or turned into a
 * field task) and comes back with the result.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "bd-session.h"

G_BEGIN_DECLS

typedef enum {
  BD_REQUEST_TEMPORARY,      /* "temporary": the consumer's, for a while */
  BD_REQUEST_PERMANENT,      /* "permanent": leaving, or closing the connection */
  BD_REQUEST_NONPAYMENT,     /* "nonpayment": staff's, for dues */
  BD_REQUEST_RECONNECTION,   /* "reconnection" */
} BdRequestKind;

typedef enum {
  BD_REQUEST_PENDING_APPROVAL, /* "pending_approval" */
  BD_REQUEST_SCHEDULED,        /* "scheduled": approved, waiting for its time */
  BD_REQUEST_EXECUTING,        /* "executing": sent to the meter, or retrying */
  BD_REQUEST_DONE,             /* "done" */
  BD_REQUEST_FAILED,           /* "failed": the meter never answered */
  BD_REQUEST_FIELD_TASK,       /* "field_task": a visit does it (CT meter, silent meter) */
  BD_REQUEST_REJECTED,         /* "rejected", with a reason */
} BdRequestStatus;

typedef enum {
  BD_REQUEST_ACTION_APPROVE,     /* "approve" */
  BD_REQUEST_ACTION_REJECT,      /* "reject": needs a reason */
  BD_REQUEST_ACTION_RESCHEDULE,  /* "reschedule": a new time, moved to the next allowed one */
} BdRequestAction;

const char *bd_request_kind_to_string     (BdRequestKind    kind);
gboolean    bd_request_kind_from_string   (const char      *text,
                                           BdRequestKind   *out);
const char *bd_request_status_to_string   (BdRequestStatus  status);
gboolean    bd_request_status_from_string (const char      *text,
                                           BdRequestStatus *out);
const char *bd_request_action_to_string   (BdRequestAction  action);
gboolean    bd_request_action_from_string (const char      *text,
                                           BdRequestAction *out);
/* Translated: "Temporary disconnection", "Scheduled", "Approve"… */
const char *bd_request_kind_label         (BdRequestKind    kind);
const char *bd_request_status_label       (BdRequestStatus  status);
/* Whether the consumer asked for it (and so confirms it by OTP). */
gboolean    bd_request_kind_needs_consent (BdRequestKind    kind);
gboolean    bd_request_kind_disconnects   (BdRequestKind    kind);
gboolean    bd_request_status_is_open     (BdRequestStatus  status);

/* One rule's verdict on a request, in words for the operator. */
typedef enum {
  BD_GUARD_PASS,        /* "pass" */
  BD_GUARD_SCHEDULE,    /* "schedule": not now; the earliest time is later */
  BD_GUARD_FIELD,       /* "field": needs a visit instead of the remote switch */
  BD_GUARD_BLOCK,       /* "block": may not go ahead until something changes */
} BdGuardVerdict;

typedef struct {
  char           *code;      /* "no_cut_time", "emergency_credit", "ct_meter", … */
  BdGuardVerdict  verdict;
  char           *message;   /* translated sentence */
} BdGuard;

typedef struct {
  char        *id;
  char        *number;           /* "DR-LKOC-2611-00042" */
  char        *account;
  char        *zone;
  BdRequestKind kind;
  char        *reason;
  gint64       requested_for;    /* when the consumer or staff want it */
  gint64       final_reading_wh; /* permanent closure: the meter's final register; -1 none */
  char        *reference;        /* e.g. a signed application's number; may be NULL */
  char        *consent_otp_id;   /* the consumer's confirming OTP, for their own requests */
  BdRequestStatus status;
  gint64       scheduled_for;    /* the earliest allowed time at or after requested_for */
  gint         attempts;
  gint64       created_at;
  char        *created_by;
  gint64       decided_at;
  char        *decided_by;
  char        *decision_note;
  gint64       executed_at;
  char        *result;           /* the head-end's words on how it went */
  gint64       dues_paise;       /* at filing, for the queue */
  GPtrArray   *guards;           /* BdGuard, as last evaluated */
  gint64       version;
  gint64       updated_at;
} BdDisconnection;

BdDisconnection *bd_disconnection_new   (void);
BdDisconnection *bd_disconnection_copy  (const BdDisconnection *request);
void             bd_disconnection_free  (BdDisconnection       *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdDisconnection, bd_disconnection_free)

BdGuard  *bd_guard_new  (const char     *code,
                         BdGuardVerdict  verdict,
                         const char     *message);
void      bd_guard_free (BdGuard        *guard);

JsonNode        *bd_disconnection_to_json   (const BdDisconnection *request);
BdDisconnection *bd_disconnection_from_json (JsonNode              *node,
                                             GError               **error);

/* The queue as CSV, one row per request (element-type BdDisconnection):
 * cells quoted, a leading = + - @ defused for spreadsheets. */
char            *bd_disconnection_csv       (GPtrArray             *requests);

G_END_DECLS
