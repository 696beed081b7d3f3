/* bd-codec.h: JSON codecs for the /api/v1 wire format (data/openapi.yaml).
 *
 * Decoders reject malformed or incomplete input with BD_CODEC_ERROR and
 * never crash on any input; encoders produce exactly what the spec says.
 * Both the desk and bijli-central use these, so the format lives in one place.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "bd-changes-page.h"
#include "bd-consumer.h"
#include "bd-history-entry.h"
#include "bd-indexing.h"
#include "bd-otp-ticket.h"
#include "bd-session.h"

G_BEGIN_DECLS

#define BD_CODEC_ERROR (bd_codec_error_quark ())

typedef enum {
  BD_CODEC_ERROR_MALFORMED,      /* not JSON, or not the expected shape */
  BD_CODEC_ERROR_MISSING_FIELD,
  BD_CODEC_ERROR_INVALID_VALUE,
} BdCodecError;

GQuark          bd_codec_error_quark            (void);

/* Parses bytes into a JSON root node, BD_CODEC_ERROR_MALFORMED on failure. */
JsonNode       *bd_json_parse                   (const char     *data,
                                                 gssize          length,
                                                 GError        **error);
/* Serialises compactly; returns a new string. */
char           *bd_json_to_string               (JsonNode       *node);

JsonNode       *bd_consumer_to_json             (BdConsumer     *consumer);
BdConsumer     *bd_consumer_from_json           (JsonNode       *node,
                                                 GError        **error);

/* {"consumers":[...]} as answered by GET /consumers?q= */
JsonNode       *bd_consumer_list_to_json        (GPtrArray      *consumers);
GPtrArray      *bd_consumer_list_from_json      (JsonNode       *node,
                                                 GError        **error);

/* {"changes":[{"kind":"consumer","seq":N,"consumer":{...}}], "next_cursor":"…", "has_more":b, "remaining":n} */
JsonNode       *bd_changes_page_to_json         (BdChangesPage  *page,
                                                 const gint64   *seqs);
BdChangesPage  *bd_changes_page_from_json       (JsonNode       *node,
                                                 GError        **error);

/* POST /session request and answer */
/* zone: NULL or "" for the user's own zone, or another zone the user
 * may work in; *out_zone is NULL when none was asked for. */
JsonNode       *bd_sign_in_request_to_json      (const char     *username,
                                                 const char     *password,
                                                 const char     *zone);
gboolean        bd_sign_in_request_from_json    (JsonNode       *node,
                                                 char          **out_username,
                                                 char          **out_password,
                                                 char          **out_zone,
                                                 GError        **error);
JsonNode       *bd_session_to_json              (BdSession      *session);
BdSession      *bd_session_from_json            (JsonNode       *node,
                                                 GError        **error);

/* {"error":{"code":"…","message":"…"}} */
JsonNode       *bd_api_error_to_json            (const char     *code,
                                                 const char     *message);
gboolean        bd_api_error_from_json          (JsonNode       *node,
                                                 char          **out_code,
                                                 char          **out_message,
                                                 GError        **error);
/* With the optional members: retry_after (429) and attempts_left (otp_wrong);
 * pass -1 to leave one out. */
JsonNode       *bd_api_error_to_json_full       (const char     *code,
                                                 const char     *message,
                                                 gint            retry_after,
                                                 gint            attempts_left);
/* As bd_api_error_from_json; out_retry_after / out_attempts_left (may be
 * NULL) get -1 when the member is absent. */
gboolean        bd_api_error_from_json_full     (JsonNode       *node,
                                                 char          **out_code,
                                                 char          **out_message,
                                                 gint           *out_retry_after,
                                                 gint           *out_attempts_left,
                                                 GError        **error);

/* Indexing (every member present). The aadhaar object carries salt and
 * hash only if the BdIndexing has them; the server's GET leaves them out
 * by building a BdIndexing with last4 only. Decoding accepts last4 alone. */
JsonNode       *bd_indexing_to_json             (BdIndexing     *indexing);
BdIndexing     *bd_indexing_from_json           (JsonNode       *node,
                                                 GError        **error);

/* PATCH body {"changes":{"email":{"from":…,"to":…},…}}.
 * (element-type BdIndexingChange) */
JsonNode       *bd_indexing_patch_to_json       (GPtrArray      *changes);
/* Checks that every field is an editable field name and has both from and
 * to; does not validate the values (bd_indexing_validate_field does).
 * Returns the changes in the body's order. */
GPtrArray      *bd_indexing_patch_from_json     (JsonNode       *node,
                                                 GError        **error);
/* PATCH answer {"indexing":…,"applied":[…],"conflicts":[{"field","server","desk"}…]}.
 * applied is NULL-terminated; conflicts (element-type BdIndexingConflict). */
JsonNode       *bd_indexing_patch_result_to_json   (BdIndexing          *indexing,
                                                    const char * const  *applied,
                                                    GPtrArray           *conflicts);
gboolean        bd_indexing_patch_result_from_json (JsonNode            *node,
                                                    BdIndexing         **out_indexing,
                                                    GStrv               *out_applied,
                                                    GPtrArray          **out_conflicts,
                                                    GError             **error);

/* OtpTicket */
JsonNode       *bd_otp_ticket_to_json           (BdOtpTicket    *ticket);
BdOtpTicket    *bd_otp_ticket_from_json         (JsonNode       *node,
                                                 GError        **error);
/* POST /otp body; mobile may be NULL (member left out). */
JsonNode       *bd_otp_request_to_json          (const char     *account,
                                                 BdOtpPurpose    purpose,
                                                 const char     *mobile);
gboolean        bd_otp_request_from_json        (JsonNode       *node,
                                                 char          **out_account,
                                                 BdOtpPurpose   *out_purpose,
                                                 char          **out_mobile,
                                                 GError        **error);
/* POST /otp/{id}/verify body {"code":"123456"}; from_json only checks it
 * is a string (the server decides whether it is 6 digits). */
JsonNode       *bd_otp_verify_request_to_json   (const char     *code);
gboolean        bd_otp_verify_request_from_json (JsonNode       *node,
                                                 char          **out_code,
                                                 GError        **error);

/* POST /registrations body; password may be NULL (member left out). */
JsonNode       *bd_registration_request_to_json   (const char   *account,
                                                   const char   *otp_id,
                                                   const char   *username,
                                                   const char   *password);
gboolean        bd_registration_request_from_json (JsonNode     *node,
                                                   char        **out_account,
                                                   char        **out_otp_id,
                                                   char        **out_username,
                                                   char        **out_password,
                                                   GError      **error);
/* Registration {"account","username","registered_at","temporary_password_sent"} */
JsonNode       *bd_registration_to_json         (const char     *account,
                                                 const char     *username,
                                                 gint64          registered_at,
                                                 gboolean        temporary_password_sent);
gboolean        bd_registration_from_json       (JsonNode       *node,
                                                 char          **out_account,
                                                 char          **out_username,
                                                 gint64         *out_registered_at,
                                                 gboolean       *out_temporary_password_sent,
                                                 GError        **error);

/* {"entries":[{"at","by","role","action","field","from","to"}…]}
 * (element-type BdHistoryEntry) */
JsonNode       *bd_history_to_json              (GPtrArray      *entries);
GPtrArray      *bd_history_from_json            (JsonNode       *node,
                                                 GError        **error);

G_END_DECLS
