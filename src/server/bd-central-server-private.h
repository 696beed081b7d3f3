/* bd-central-server-private.h: what the files of BdCentralServer share.
 *
 * bd-central-server.c           routing, authentication, sessions, consumers, feed
 * bd-central-server-otp.c       OTPs, registrations and the demo SMS inbox
 * bd-central-server-indexing.c  indexing and a consumer's history
 * bd-central-server-complaints.c complaints: filing, actions, queue, feed, dashboard
 * bd-central-server-users.c     staff administration
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "core/bd-session.h"

#include "bd-central-faults.h"
#include "bd-central-server.h"
#include "bd-central-snapshots.h"
#include "bd-central-sms.h"

G_BEGIN_DECLS

struct _BdCentralServer
{
  GObject       parent_instance;

  BdCentralDb  *db;
  SoupServer   *server;
  GHashTable   *sessions;   /* token → CachedSession */
  BdCentralSms *sms;
  gboolean      demo;
  double        sms_failure_rate;
  BdCentralFaults *faults;  /* --inject-faults, or NULL */
  gboolean      tls;        /* serves HTTPS (--tls-cert, --tls-key) */
  double        time_scale; /* the meters' clock runs this much faster */
  gint64        clock_sim;      /* simulated time clock_sim (s) was reached at */
  gint64        clock_real_ms;  /* real time clock_real_ms */
  guint         meter_source;
  guint         idle_timeout_s; /* a connection silent this long is closed */
  BdCentralSnapshots *snapshots; /* zone snapshots; NULL for a database in memory */
};

/* Answers; _bd_central_respond_text takes body. */
void        _bd_central_respond_text            (SoupServerMessage  *msg,
                                                 guint               status,
                                                 char               *body,
                                                 gsize               length);
void        _bd_central_respond_json            (SoupServerMessage  *msg,
                                                 guint               status,
                                                 JsonNode           *node);
void        _bd_central_respond_error           (SoupServerMessage  *msg,
                                                 guint               status,
                                                 const char         *code,
                                                 const char         *message);
void        _bd_central_respond_invalid_request (SoupServerMessage  *msg,
                                                 const char         *message);
void        _bd_central_respond_too_large       (SoupServerMessage  *msg);
void        _bd_central_respond_internal_error  (SoupServerMessage  *msg,
                                                 const GError       *error);
/* Answers a failure of the database layer with its status and code (404
 * not_found, 429 rate_limited, 410 otp_*, …); retry_after and
 * attempts_left go into the error body when not negative. */
void        _bd_central_respond_failure         (SoupServerMessage  *msg,
                                                 const GError       *error,
                                                 gint64              retry_after,
                                                 gint64              attempts_left);

/* The route of a request path (0 when none), for the fuzzer: the same
 * matching serve_request uses. */
int         _bd_central_route_for_path          (const char         *path,
                                                 char              **out_param,
                                                 const char        **out_log);
const char *_bd_central_query_get               (GHashTable         *query,
                                                 const char         *name);
gboolean    _bd_central_parse_decimal           (const char         *text,
                                                 guint64             min,
                                                 guint64             max,
                                                 guint64            *out);
/* FALSE after answering 400. */
gboolean    _bd_central_parse_limit             (SoupServerMessage  *msg,
                                                 GHashTable         *query,
                                                 guint               default_limit,
                                                 guint               max_limit,
                                                 guint              *out_limit);
/* The request body as a JSON object, or NULL after answering 400/413.
 * out_bytes (nullable) receives the raw body. */
JsonObject *_bd_central_read_json_object        (SoupServerMessage  *msg,
                                                 GBytes            **out_bytes);
/* The account of a path segment, or NULL after answering 400. */
char       *_bd_central_parse_account           (SoupServerMessage  *msg,
                                                 const char         *segment);
/* Answers 400 unless every member of object is one of the NULL-terminated
 * allowed names. */
gboolean    _bd_central_check_members           (SoupServerMessage  *msg,
                                                 JsonObject         *object,
                                                 const char * const *allowed);

/* A text member, trimmed: TRUE with *out (NULL when absent, null or empty
 * and not required); FALSE after answering 400 when it is missing though
 * required, not a string, or longer than max_chars. */
gboolean    _bd_central_read_text               (SoupServerMessage  *msg,
                                                 JsonObject         *request,
                                                 const char         *name,
                                                 gboolean            required,
                                                 glong               max_chars,
                                                 char              **out);
/* Answers with a stored body (taking it), marking a replay of an
 * Idempotency-Key with the Idempotent-Replayed header. */
void        _bd_central_respond_stored          (SoupServerMessage  *msg,
                                                 guint               status,
                                                 char               *body,
                                                 gboolean            replayed);

/* bd-central-server-otp.c */
/* A string member: TRUE with *out (NULL if absent or null); FALSE after
 * answering 400 if it is another type. */
gboolean    _bd_central_get_string              (SoupServerMessage  *msg,
                                                 JsonObject         *object,
                                                 const char         *name,
                                                 const char        **out);
/* The same, answering 400 when it is absent or null. */
gboolean    _bd_central_require_string          (SoupServerMessage  *msg,
                                                 JsonObject         *object,
                                                 const char         *name,
                                                 const char        **out);
void        _bd_central_handle_otp_create       (BdCentralServer    *self,
                                                 SoupServerMessage  *msg,
                                                 BdSession          *session);
void        _bd_central_handle_otp_get          (BdCentralServer    *self,
                                                 SoupServerMessage  *msg,
                                                 BdSession          *session,
                                                 const char         *id);
void        _bd_central_handle_otp_resend       (BdCentralServer    *self,
                                                 SoupServerMessage  *msg,
                                                 BdSession          *session,
                                                 const char         *id);
void        _bd_central_handle_otp_verify       (BdCentralServer    *self,
                                                 SoupServerMessage  *msg,
                                                 BdSession          *session,
                                                 const char         *id);
void        _bd_central_handle_register         (BdCentralServer    *self,
                                                 SoupServerMessage  *msg,
                                                 BdSession          *session);
void        _bd_central_handle_registration     (BdCentralServer    *self,
                                                 SoupServerMessage  *msg,
                                                 BdSession          *session,
                                                 const char         *segment);
void        _bd_central_handle_demo_sms         (BdCentralServer    *self,
                                                 SoupServerMessage  *msg,
                                                 BdSession          *session,
                                                 GHashTable         *query);

/* bd-central-server-indexing.c */
/* The request's Idempotency-Key, or NULL after answering 400. */
const char *_bd_central_idempotency_key         (SoupServerMessage  *msg);
/* SHA-256 hex of scope (the target, e.g. an account) and the body bytes:
 * what "the same request" means for a repeated key. */
char       *_bd_central_request_hash            (const char         *scope,
                                                 GBytes             *body);
void        _bd_central_handle_indexing_get     (BdCentralServer    *self,
                                                 SoupServerMessage  *msg,
                                                 BdSession          *session,
                                                 const char         *segment);
void        _bd_central_handle_indexing_patch   (BdCentralServer    *self,
                                                 SoupServerMessage  *msg,
                                                 BdSession          *session,
                                                 const char         *segment);
void        _bd_central_handle_history          (BdCentralServer    *self,
                                                 SoupServerMessage  *msg,
                                                 BdSession          *session,
                                                 const char         *segment,
                                                 GHashTable         *query);

/* bd-central-server-complaints.c */
typedef enum {
  BD_CENTRAL_COMPLAINT_ROUTE_COLLECTION,  /* complaints: GET list, POST file */
  BD_CENTRAL_COMPLAINT_ROUTE_EXPORT,      /* complaints/export: CSV */
  BD_CENTRAL_COMPLAINT_ROUTE_DUPLICATES,  /* complaints/duplicates */
  BD_CENTRAL_COMPLAINT_ROUTE_CHANGES,     /* complaints/changes */
  BD_CENTRAL_COMPLAINT_ROUTE_SUMMARY,     /* complaints/summary */
  BD_CENTRAL_COMPLAINT_ROUTE_ITEM,        /* complaints/{id} */
  BD_CENTRAL_COMPLAINT_ROUTE_ACTIONS,     /* complaints/{id}/actions */
  BD_CENTRAL_COMPLAINT_ROUTE_CLOSE_OTP,   /* complaints/{id}/close-otp */
} BdCentralComplaintRoute;

void        _bd_central_handle_complaints       (BdCentralServer    *self,
                                                 SoupServerMessage  *msg,
                                                 BdSession          *session,
                                                 BdCentralComplaintRoute route,
                                                 const char         *param,
                                                 GHashTable         *query);

/* bd-central-server-meters.c */
typedef enum {
  BD_CENTRAL_METER_ROUTE_BALANCE,         /* consumers/{account}/balance */
  BD_CENTRAL_METER_ROUTE_READINGS,        /* consumers/{account}/readings */
  BD_CENTRAL_METER_ROUTE_RECHARGES,       /* consumers/{account}/recharges: GET, POST */
} BdCentralMeterRoute;

/* bd-central-server-requests.c */
typedef enum {
  BD_CENTRAL_REQUEST_ROUTE_COLLECTION,   /* disconnections: GET, POST */
  BD_CENTRAL_REQUEST_ROUTE_EXPORT,       /* disconnections/export */
  BD_CENTRAL_REQUEST_ROUTE_CONSENT_OTP,  /* disconnections/consent-otp */
  BD_CENTRAL_REQUEST_ROUTE_ITEM,         /* disconnections/{id} */
  BD_CENTRAL_REQUEST_ROUTE_ACTIONS,      /* disconnections/{id}/actions */
} BdCentralRequestRoute;

void        _bd_central_handle_requests      (BdCentralServer    *self,
                                              SoupServerMessage  *msg,
                                              BdSession          *session,
                                              BdCentralRequestRoute route,
                                              const char         *param,
                                              GHashTable         *query);

/* Now on the meters' clock (see --time-scale). */
gint64      _bd_central_meter_now            (BdCentralServer    *self);
void        _bd_central_stop_meters          (BdCentralServer    *self);
void        _bd_central_handle_consumer_meter (BdCentralServer   *self,
                                               SoupServerMessage *msg,
                                               BdSession         *session,
                                               BdCentralMeterRoute route,
                                               const char        *segment,
                                               GHashTable        *query);
void        _bd_central_handle_watch         (BdCentralServer    *self,
                                              SoupServerMessage  *msg,
                                              BdSession          *session,
                                              GHashTable         *query);
void        _bd_central_handle_prepaid_rules (BdCentralServer    *self,
                                              SoupServerMessage  *msg);

/* Drops the cached sessions of username, so that disabling a user or
 * ending their sessions takes effect in this process at once (other
 * worker processes within their cache's minute). */
void        _bd_central_forget_sessions_of      (BdCentralServer    *self,
                                                 const char         *username);

/* bd-central-server-users.c */
void        _bd_central_handle_users            (BdCentralServer    *self,
                                                 SoupServerMessage  *msg,
                                                 BdSession          *session);
void        _bd_central_handle_user             (BdCentralServer    *self,
                                                 SoupServerMessage  *msg,
                                                 BdSession          *session,
                                                 const char         *username);
void        _bd_central_handle_user_password    (BdCentralServer    *self,
                                                 SoupServerMessage  *msg,
                                                 BdSession          *session,
                                                 const char         *username);
void        _bd_central_handle_user_sessions    (BdCentralServer    *self,
                                                 SoupServerMessage  *msg,
                                                 BdSession          *session,
                                                 const char         *username);

G_END_DECLS
