/* bd-central-db-complaints.h: complaints in bijli-central's database.
 *
 * Writes run in one transaction each, with the desk's Idempotency-Key:
 * the complaint row, its timeline event, the callers, the SMS to the
 * consumer and the stored answer commit together, and the same key again
 * gets the stored answer. The rules themselves (SLA clock, transitions,
 * duplicates) are the core's (core/bd-complaint-rules.h), so the desk
 * explains exactly what the server enforces.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "core/bd-complaint-rules.h"

#include "bd-central-db.h"
#include "bd-central-db-otp.h"

G_BEGIN_DECLS

/* How long a verified closure OTP stays good for closing. */
#define BD_CENTRAL_COMPLAINT_OTP_WITHIN_S (10 * 60)
/* "Due soon" in the queue's SLA filter. */
#define BD_CENTRAL_COMPLAINT_DUE_SOON_S   (2 * 60 * 60)

typedef struct {
  char    **statuses;      /* wire names, or NULL for every status */
  int       category;      /* BdComplaintCategory, or -1 for every one */
  const char *sla;         /* "overdue", "due_soon", "on_time" or NULL */
  const char *account;     /* or NULL */
  const char *text;        /* a complaint number, account or contact mobile, or NULL */
  guint     limit;
  guint     offset;
} BdCentralComplaintFilter;

/* Files draft (category, account or NULL, description, contact mobile,
 * channel and location already checked; the location is taken from the
 * consumer when the draft has none) under zone. The answer (201 and the
 * Complaint) is in out_status and out_body, also when replayed. */
gboolean     bd_central_db_complaint_file       (BdCentralDb        *self,
                                                 const char         *zone,
                                                 BdComplaint        *draft,
                                                 const char         *key,
                                                 const char         *request_hash,
                                                 const char         *staff_username,
                                                 BdRole              staff_role,
                                                 gint64              now,
                                                 guint              *out_status,
                                                 char              **out_body,
                                                 gboolean           *out_replayed,
                                                 GError            **error);
/* Applies action. otp_id (close) names a complaint_close OTP verified in
 * the last BD_CENTRAL_COMPLAINT_OTP_WITHIN_S; it becomes used. For
 * add_caller, caller_account/caller_mobile say who called (either may be
 * NULL). Errors: NOT_FOUND (store), BD_COMPLAINT_ERROR (rules),
 * OTP_NOT_VERIFIED, IDEMPOTENCY_MISMATCH. */
gboolean     bd_central_db_complaint_act        (BdCentralDb        *self,
                                                 const char         *zone,
                                                 const char         *id,
                                                 BdComplaintAction   action,
                                                 const char         *note,
                                                 const char         *otp_id,
                                                 const char         *caller_account,
                                                 const char         *caller_mobile,
                                                 BdComplaintChannel  caller_channel,
                                                 const char         *key,
                                                 const char         *request_hash,
                                                 const char         *staff_username,
                                                 BdRole              staff_role,
                                                 gint64              now,
                                                 guint              *out_status,
                                                 char              **out_body,
                                                 gboolean           *out_replayed,
                                                 GError            **error);
/* With its timeline. NOT_FOUND (store) if absent or in another zone. */
BdComplaint *bd_central_db_complaint_get        (BdCentralDb        *self,
                                                 const char         *zone,
                                                 const char         *id,
                                                 GError            **error);
/* Newest first, without timelines; *out_total counts every match. */
GPtrArray   *bd_central_db_complaint_list       (BdCentralDb        *self,
                                                 const char         *zone,
                                                 const BdCentralComplaintFilter *filter,
                                                 gint64              now,
                                                 guint              *out_total,
                                                 GError            **error);
/* Open complaints a new call about category at this place is likely about,
 * best match first (bd_complaint_duplicate_rank). */
GPtrArray   *bd_central_db_complaint_duplicates (BdCentralDb        *self,
                                                 const char         *zone,
                                                 BdComplaintCategory category,
                                                 const char         *account,
                                                 const char         *dt,
                                                 const char         *feeder,
                                                 const char         *pole,
                                                 GError            **error);
/* The zone's complaints changed after after_seq, in change order, at most
 * limit, without timelines; *out_next_seq is the cursor after the last. */
GPtrArray   *bd_central_db_complaint_changes    (BdCentralDb        *self,
                                                 const char         *zone,
                                                 gint64              after_seq,
                                                 guint               limit,
                                                 gint64             *out_next_seq,
                                                 gboolean           *out_has_more,
                                                 GError            **error);
/* The zone dashboard (schema ComplaintSummary). */
JsonNode    *bd_central_db_complaint_summary    (BdCentralDb        *self,
                                                 const char         *zone,
                                                 gint64              now,
                                                 GError            **error);
/* Sends an OTP to the complaint's contact mobile for closing it. Errors
 * as bd_central_db_otp_request, and BD_COMPLAINT_ERROR_NOT_ALLOWED unless
 * the complaint is resolved, INVALID_INPUT without a contact mobile or an
 * account. */
BdCentralOtpTicket *bd_central_db_complaint_close_otp (BdCentralDb   *self,
                                                       const char    *zone,
                                                       const char    *id,
                                                       const char    *staff_username,
                                                       gint64         now,
                                                       char         **out_code,
                                                       gint64        *out_retry_after,
                                                       GError       **error);

G_END_DECLS
