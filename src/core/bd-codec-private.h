/* bd-codec-private.h: the field readers and writers shared by the wire
 * codecs of src/core (bd-codec.c and the codecs of each record kind).
 *
 * Readers check presence, JSON type and bounds and fail with
 * BD_CODEC_ERROR naming the field; writers add one member to an object
 * being built.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Generous bound on list lengths that no real answer reaches; it keeps
 * hostile input from becoming huge allocations further down. */
#define BD_CODEC_MAX_LIST_ITEMS 10000

JsonObject *_bd_codec_expect_object      (JsonNode     *node,
                                          const char   *what,
                                          GError      **error);
/* The member name; NULL (with MISSING_FIELD when required) if absent. */
JsonNode   *_bd_codec_member             (JsonObject   *object,
                                          const char   *name,
                                          gboolean      required,
                                          GError      **error);
/* Sets INVALID_VALUE for name; returns FALSE. */
gboolean    _bd_codec_invalid            (GError      **error,
                                          const char   *name);
/* With nullable, a JSON null or an absent member gives NULL. */
gboolean    _bd_codec_read_string        (JsonObject   *object,
                                          const char   *name,
                                          gboolean      nullable,
                                          gsize         max_chars,
                                          char        **out,
                                          GError      **error);
gboolean    _bd_codec_read_int           (JsonObject   *object,
                                          const char   *name,
                                          gint64        min,
                                          gint64        max,
                                          gint64       *out,
                                          GError      **error);
gboolean    _bd_codec_read_bool          (JsonObject   *object,
                                          const char   *name,
                                          gboolean     *out,
                                          GError      **error);
/* ISO 8601 UTC to Unix seconds; null or absent gives 0 when nullable. */
gboolean    _bd_codec_read_time          (JsonObject   *object,
                                          const char   *name,
                                          gboolean      nullable,
                                          gint64       *out,
                                          GError      **error);
/* At most BD_CODEC_MAX_LIST_ITEMS elements. */
JsonArray  *_bd_codec_read_array         (JsonObject   *object,
                                          const char   *name,
                                          GError      **error);
gboolean    _bd_codec_read_enum          (JsonObject   *object,
                                          const char   *name,
                                          gboolean    (*parse) (const char *, int *),
                                          int          *out,
                                          GError      **error);

void        _bd_codec_add_string_or_null (JsonBuilder  *builder,
                                          const char   *name,
                                          const char   *value);
/* NULL is written as "". */
void        _bd_codec_add_string         (JsonBuilder  *builder,
                                          const char   *name,
                                          const char   *value);
/* 0 is written as null when nullable. */
void        _bd_codec_add_time           (JsonBuilder  *builder,
                                          const char   *name,
                                          gint64        unix_utc,
                                          gboolean      nullable);
void        _bd_codec_add_int            (JsonBuilder  *builder,
                                          const char   *name,
                                          gint64        value);

/* One CSV cell, quoted, followed by "," or, when last, CRLF. A cell that
 * starts with = + - or @ gets a leading ' so spreadsheets do not run it. */
void        _bd_csv_field                (GString      *out,
                                          const char   *text,
                                          gboolean      last);

G_END_DECLS
