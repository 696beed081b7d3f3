/* bd-complaint-rules.h: the utility's rules for complaints, GTK-free so the
 * server enforces and the desk explains the same ones: the SLA clock and
 * compensation (regulator's standards of performance), who may move a
 * complaint from which state to which, and which open complaint a new
 * call is really about.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bd-complaint.h"

G_BEGIN_DECLS

#define BD_COMPLAINT_ERROR (bd_complaint_error_quark ())

typedef enum {
  BD_COMPLAINT_ERROR_FORBIDDEN,     /* the role may not do this */
  BD_COMPLAINT_ERROR_NOT_ALLOWED,   /* not from the complaint's current state */
  BD_COMPLAINT_ERROR_NOTE_REQUIRED, /* a reason, assignee or resolution is needed */
  BD_COMPLAINT_ERROR_OTP_REQUIRED,  /* closing needs the consumer's OTP or a supervisor's reason */
} BdComplaintError;

GQuark bd_complaint_error_quark (void);

/* One row of the SLA table: the time allowed to resolve a category in an
 * urban or rural area, and the compensation owed per day of delay. */
typedef struct {
  BdComplaintCategory category;
  BdAreaType          area_type;
  gint64              allowed_s;
  gint64              compensation_per_day_paise;
} BdSlaRule;

/* The table bijli-central seeds as version 1 (illustrative values of the
 * order the UP regulator sets; the server's table is authoritative). */
const BdSlaRule *bd_sla_default_rules (gsize *n_rules);

typedef struct {
  gint64   elapsed_s;          /* time counted so far: pauses do not count */
  gint64   remaining_s;        /* allowed − elapsed; negative when overdue */
  gint64   due_at;             /* when it falls due if the clock runs on from now */
  gboolean running;            /* open and not paused */
  gboolean overdue;
  gint64   days_late;          /* each started day of delay counts whole */
  gint64   compensation_paise; /* days_late × compensation per day */
} BdSlaClock;

/* The clock at now (Unix UTC). It starts at filing and stops at resolution
 * (or rejection); a reopened complaint counts again from its filing, the
 * time it spent "resolved" included, since it was not. */
void     bd_sla_clock_compute      (const BdComplaint *complaint,
                                    gint64             now,
                                    BdSlaClock        *out);

/* Whether role may apply action to complaint now. otp_verified says the
 * consumer confirmed a closure with an OTP; note is the reason, assignee
 * or resolution the action carries. On success *out_status is the status
 * after it. Errors are BD_COMPLAINT_ERROR with a translated message. */
gboolean bd_complaint_check_action (const BdComplaint  *complaint,
                                    BdComplaintAction   action,
                                    BdRole              role,
                                    const char         *note,
                                    gboolean            otp_verified,
                                    BdComplaintStatus  *out_status,
                                    GError            **error);

/* How strongly open complaint existing is the fault a new call about
 * category at (account, dt, feeder, pole) reports: 0 when it is not,
 * else higher for closer matches (same consumer and category, then the
 * same DT, then the same feeder). */
int      bd_complaint_duplicate_rank (const BdComplaint   *existing,
                                      BdComplaintCategory  category,
                                      const char          *account,
                                      const char          *dt,
                                      const char          *feeder,
                                      const char          *pole);

/* The likeliest category for a call from a consumer on dt and feeder,
 * given the open complaints of the zone (element-type BdComplaint): an
 * outage already known there makes it "no supply — whole area"; otherwise
 * "no supply — this premises", the commonest call. */
BdComplaintCategory bd_complaint_suggest_category (GPtrArray  *open_complaints,
                                                   const char *dt,
                                                   const char *feeder);

G_END_DECLS
