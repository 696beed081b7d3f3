/* bd-complaint.h: a consumer's complaint, its life and its timeline, as
 * bijli-central keeps it and GET /complaints/{id} answers it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "bd-consumer.h"
#include "bd-session.h"

G_BEGIN_DECLS

/* Wire names in comments. */
typedef enum {
  BD_COMPLAINT_NO_SUPPLY_SINGLE,   /* "no_supply_single": one premises */
  BD_COMPLAINT_NO_SUPPLY_AREA,     /* "no_supply_area": a feeder or DT down */
  BD_COMPLAINT_METER_FAULTY,       /* "meter_faulty": stopped, display dead */
  BD_COMPLAINT_METER_BURNT,        /* "meter_burnt" */
  BD_COMPLAINT_METER_FAST,         /* "meter_fast": running fast / jumping */
  BD_COMPLAINT_RECHARGE_NOT_CREDITED, /* "recharge_not_credited" */
  BD_COMPLAINT_WRONG_DEDUCTION,    /* "wrong_deduction": prepaid deduction or bill */
  BD_COMPLAINT_VOLTAGE,            /* "voltage": low or high */
  BD_COMPLAINT_TRANSFORMER,        /* "transformer": DT failed */
  BD_COMPLAINT_CABLE,              /* "cable": service cable or line fault */
  BD_COMPLAINT_STREET_LIGHT,       /* "street_light" */
  BD_COMPLAINT_THEFT,              /* "theft": theft or unauthorised use */
  BD_COMPLAINT_LOAD_CHANGE,        /* "load_change": new connection or load change */
  BD_COMPLAINT_OTHER,              /* "other" */
  BD_COMPLAINT_N_CATEGORIES
} BdComplaintCategory;

typedef enum {
  BD_COMPLAINT_STATUS_NEW,          /* "new" */
  BD_COMPLAINT_STATUS_ASSIGNED,     /* "assigned": to a field team or lineman */
  BD_COMPLAINT_STATUS_IN_PROGRESS,  /* "in_progress" */
  BD_COMPLAINT_STATUS_RESOLVED,     /* "resolved": work done, awaiting the consumer's confirmation */
  BD_COMPLAINT_STATUS_CLOSED,       /* "closed": confirmed by OTP or a supervisor's recorded override */
  BD_COMPLAINT_STATUS_REOPENED,     /* "reopened" */
  BD_COMPLAINT_STATUS_ESCALATED,    /* "escalated": to the CGRF, then the ombudsman */
  BD_COMPLAINT_STATUS_REJECTED,     /* "rejected", with a reason */
} BdComplaintStatus;

typedef enum {
  BD_COMPLAINT_ACTION_FILE,      /* "file": the first event */
  BD_COMPLAINT_ACTION_ASSIGN,    /* "assign" (also reassign) */
  BD_COMPLAINT_ACTION_START,     /* "start" */
  BD_COMPLAINT_ACTION_PAUSE,     /* "pause": waiting for the consumer; stops the SLA clock */
  BD_COMPLAINT_ACTION_RESUME,    /* "resume" */
  BD_COMPLAINT_ACTION_RESOLVE,   /* "resolve" */
  BD_COMPLAINT_ACTION_CLOSE,     /* "close" */
  BD_COMPLAINT_ACTION_REOPEN,    /* "reopen" */
  BD_COMPLAINT_ACTION_ESCALATE,  /* "escalate" */
  BD_COMPLAINT_ACTION_REJECT,    /* "reject" */
  BD_COMPLAINT_ACTION_ADD_CALLER,/* "add_caller": another caller about the same fault */
} BdComplaintAction;

typedef enum {
  BD_COMPLAINT_CHANNEL_COUNTER,  /* "counter" */
  BD_COMPLAINT_CHANNEL_PHONE,    /* "phone": the 1912 helpline */
  BD_COMPLAINT_CHANNEL_APP,      /* "app" */
  BD_COMPLAINT_CHANNEL_WALK_IN,  /* "walk_in" */
} BdComplaintChannel;

const char *bd_complaint_category_to_string   (BdComplaintCategory  category);
gboolean    bd_complaint_category_from_string (const char          *text,
                                               BdComplaintCategory *out);
const char *bd_complaint_status_to_string     (BdComplaintStatus    status);
gboolean    bd_complaint_status_from_string   (const char          *text,
                                               BdComplaintStatus   *out);
const char *bd_complaint_action_to_string     (BdComplaintAction    action);
gboolean    bd_complaint_action_from_string   (const char          *text,
                                               BdComplaintAction   *out);
const char *bd_complaint_channel_to_string    (BdComplaintChannel   channel);
gboolean    bd_complaint_channel_from_string  (const char          *text,
                                               BdComplaintChannel  *out);
/* Translated, for the desk. */
const char *bd_complaint_category_label       (BdComplaintCategory  category);
const char *bd_complaint_status_label         (BdComplaintStatus    status);
const char *bd_complaint_action_label         (BdComplaintAction    action);
const char *bd_complaint_channel_label        (BdComplaintChannel   channel);
/* new, assigned, in progress, reopened, escalated: work is owed. */
gboolean    bd_complaint_status_is_open       (BdComplaintStatus    status);

/* One line of the timeline. */
typedef struct {
  gint64             at;          /* Unix UTC */
  char              *by;          /* username */
  BdRole             role;
  BdComplaintAction  action;
  BdComplaintStatus  from_status;
  BdComplaintStatus  to_status;
  char              *note;        /* reason, assignee, resolution… or NULL */
} BdComplaintEvent;

BdComplaintEvent *bd_complaint_event_new  (gint64             at,
                                           const char        *by,
                                           BdRole             role,
                                           BdComplaintAction  action,
                                           BdComplaintStatus  from_status,
                                           BdComplaintStatus  to_status,
                                           const char        *note);
BdComplaintEvent *bd_complaint_event_copy (const BdComplaintEvent *event);
void              bd_complaint_event_free (BdComplaintEvent       *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdComplaintEvent, bd_complaint_event_free)

/* A pause of the SLA clock; end 0 while it lasts. */
typedef struct {
  gint64 start;
  gint64 end;
} BdComplaintPause;

typedef struct {
  char               *id;              /* server id (decimal) */
  char               *number;          /* readable, e.g. "LKOC-2611-00042" */
  char               *account;         /* NULL for a complaint about an area (street light, line) */
  char               *zone;
  BdComplaintCategory category;
  char               *description;
  char               *contact_mobile;  /* 10 digits; masked ("98XXXXXX10") in lists */
  BdComplaintChannel  channel;
  char               *feeder;
  char               *dt;
  char               *pole;
  BdAreaType          area_type;       /* picks the SLA row */
  BdComplaintStatus   status;
  char               *assigned_to;     /* field team or lineman, or NULL */
  gint                escalation_level;/* 0 none, 1 CGRF, 2 ombudsman */
  gint                callers;         /* callers about this fault, the filer included */
  gint64              created_at;
  char               *created_by;
  gint64              resolved_at;     /* 0 unless resolved or closed */
  gint64              closed_at;       /* 0 unless closed */
  GArray             *pauses;          /* BdComplaintPause, in order */
  gint64              sla_allowed_s;   /* from the SLA table at filing */
  gint64              compensation_per_day_paise;
  gint64              version;
  gint64              updated_at;
  GPtrArray          *events;          /* BdComplaintEvent, oldest first; may be empty in lists */
} BdComplaint;

#define BD_TYPE_COMPLAINT (bd_complaint_get_type ())
GType        bd_complaint_get_type  (void) G_GNUC_CONST;
BdComplaint *bd_complaint_new       (void);
BdComplaint *bd_complaint_copy      (const BdComplaint *complaint);
void         bd_complaint_free      (BdComplaint       *complaint);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdComplaint, bd_complaint_free)

/* TRUE while a pause lasts. */
gboolean     bd_complaint_is_paused (const BdComplaint *complaint);

/* The wire form (data/openapi.yaml, schema Complaint). */
JsonNode    *bd_complaint_to_json   (const BdComplaint *complaint);
BdComplaint *bd_complaint_from_json (JsonNode          *node,
                                     GError           **error);

G_END_DECLS
