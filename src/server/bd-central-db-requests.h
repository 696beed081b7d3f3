/* bd-central-db-requests.h: the disconnection and reconnection queue
 * (migration 7): filing with the rules' verdict (and the consumer's OTP
 * for their own requests), a supervisor's approval, rejection or new time,
 * and execution by the head-end at the scheduled time, with retries and
 * field tasks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "core/bd-disconnection.h"
#include "core/bd-session.h"

#include "bd-central-db.h"
#include "bd-central-db-otp.h"

G_BEGIN_DECLS

/* Head-end retries for a silent meter before it becomes a field task. */
#define BD_CENTRAL_REQUEST_MAX_ATTEMPTS 4
#define BD_CENTRAL_REQUEST_RETRY_S      (15 * 60)

/* Files draft (account, kind, reason, requested_for, final_reading_wh,
 * reference, consent_otp_id) once per key: 201 and the request. Refused
 * with BD_CENTRAL_ERROR_REQUEST_BLOCKED (the guards' words) when a rule
 * blocks it, OTP_NOT_VERIFIED without the consumer's consent. */
gboolean         bd_central_db_request_file    (BdCentralDb      *self,
                                                const char       *zone,
                                                BdDisconnection  *draft,
                                                const char       *key,
                                                const char       *request_hash,
                                                const char       *staff_username,
                                                BdRole            staff_role,
                                                gint64            now,
                                                guint            *out_status,
                                                char            **out_body,
                                                gboolean         *out_replayed,
                                                GError          **error);
/* Newest first; statuses (NULL-terminated, nullable) and account filter. */
GPtrArray       *bd_central_db_request_list    (BdCentralDb      *self,
                                                const char       *zone,
                                                const char * const *statuses,
                                                const char       *account,
                                                guint             limit,
                                                GError          **error);
BdDisconnection *bd_central_db_request_get     (BdCentralDb      *self,
                                                const char       *zone,
                                                const char       *id,
                                                GError          **error);
/* approve, reject (note needed) or reschedule (to: the new time); only
 * supervisors; once per key. */
gboolean         bd_central_db_request_act     (BdCentralDb      *self,
                                                const char       *zone,
                                                const char       *id,
                                                BdRequestAction   action,
                                                const char       *note,
                                                gint64            to,
                                                const char       *key,
                                                const char       *request_hash,
                                                const char       *staff_username,
                                                BdRole            staff_role,
                                                gint64            now,
                                                guint            *out_status,
                                                char            **out_body,
                                                gboolean         *out_replayed,
                                                GError          **error);
/* Sends the consumer an OTP to confirm their own request. */
BdCentralOtpTicket *bd_central_db_request_consent_otp (BdCentralDb  *self,
                                                       const char   *zone,
                                                       const char   *account,
                                                       const char   *staff_username,
                                                       gint64        now,
                                                       char        **out_code,
                                                       gint64       *out_retry_after,
                                                       GError      **error);
/* Carries out every approved request whose time has come. */
gboolean         bd_central_db_requests_execute (BdCentralDb     *self,
                                                 gint64           now,
                                                 guint           *out_done,
                                                 GError         **error);

G_END_DECLS
