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
JsonNode       *bd_sign_in_request_to_json      (const char     *username,
                                                 const char     *password);
gboolean        bd_sign_in_request_from_json    (JsonNode       *node,
                                                 char          **out_username,
                                                 char          **out_password,
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

G_END_DECLS
