/* bd-indexing.h: a consumer's indexing record — contact details, identity
 * documents (Aadhaar only as last 4 digits + salted hash), meter nameplate,
 * seals, installation, last reading, location and network codes.
 *
 * Field names (bd_indexing_field_names()) are the wire names of the
 * Indexing object in data/openapi.yaml; a BdIndexingChange names one of
 * them and carries its old and new value in that member's JSON type.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One edited field: what the desk believed the value was, and the new one.
 * from/to are never NULL: a JSON null node stands for "unknown". */
typedef struct {
  char     *field;
  JsonNode *from;
  JsonNode *to;
} BdIndexingChange;

#define BD_TYPE_INDEXING_CHANGE (bd_indexing_change_get_type ())
GType             bd_indexing_change_get_type (void) G_GNUC_CONST;
/* Copies from and to (NULL becomes a null node). */
BdIndexingChange *bd_indexing_change_new      (const char       *field,
                                               JsonNode         *from,
                                               JsonNode         *to);
BdIndexingChange *bd_indexing_change_copy     (const BdIndexingChange *change);
void              bd_indexing_change_free     (BdIndexingChange *change);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdIndexingChange, bd_indexing_change_free)

/* A field the server did not apply because its value had changed since
 * the desk last saw it. */
typedef struct {
  char     *field;
  JsonNode *server;
  JsonNode *desk;
} BdIndexingConflict;

#define BD_TYPE_INDEXING_CONFLICT (bd_indexing_conflict_get_type ())
GType               bd_indexing_conflict_get_type (void) G_GNUC_CONST;
BdIndexingConflict *bd_indexing_conflict_new      (const char         *field,
                                                   JsonNode           *server,
                                                   JsonNode           *desk);
void                bd_indexing_conflict_free     (BdIndexingConflict *conflict);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdIndexingConflict, bd_indexing_conflict_free)

#define BD_TYPE_INDEXING (bd_indexing_get_type ())
G_DECLARE_FINAL_TYPE (BdIndexing, bd_indexing, BD, INDEXING, GObject)

/* Every field is unknown (NULL strings, -1 numbers, no GPS, no seals);
 * feeder/dt/pole are "" and sanctioned_load_w 0; version 0. */
BdIndexing   *bd_indexing_new                 (const char   *account);
BdIndexing   *bd_indexing_copy                (BdIndexing   *self);
gboolean      bd_indexing_equal               (BdIndexing   *a,
                                               BdIndexing   *b);

const char   *bd_indexing_get_account         (BdIndexing   *self);
/* Server version of the indexing record; 0 if never indexed. */
gint64        bd_indexing_get_version         (BdIndexing   *self);
void          bd_indexing_set_version         (BdIndexing   *self, gint64 value);

/* Strings: NULL when unknown. Setters store what they are given: validate
 * and normalise with bd-validate.h first. */
const char   *bd_indexing_get_alternate_phone (BdIndexing   *self);
void          bd_indexing_set_alternate_phone (BdIndexing   *self, const char *value);
const char   *bd_indexing_get_email           (BdIndexing   *self);
void          bd_indexing_set_email           (BdIndexing   *self, const char *value);

/* Aadhaar is only ever held as its last 4 digits and a salted PBKDF2 hash
 * (bd_aadhaar_protect in bd-kdf.h). salt_hex/hash_hex may be NULL when
 * only last4 is known (as the server returns it); last4 NULL clears. */
gboolean      bd_indexing_has_aadhaar         (BdIndexing   *self);
const char   *bd_indexing_get_aadhaar_last4   (BdIndexing   *self);
const char   *bd_indexing_get_aadhaar_salt    (BdIndexing   *self);
const char   *bd_indexing_get_aadhaar_hash    (BdIndexing   *self);
void          bd_indexing_set_aadhaar         (BdIndexing   *self,
                                               const char   *last4,
                                               const char   *salt_hex,
                                               const char   *hash_hex);

const char   *bd_indexing_get_pan             (BdIndexing   *self);
void          bd_indexing_set_pan             (BdIndexing   *self, const char *value);
const char   *bd_indexing_get_voter_id        (BdIndexing   *self);
void          bd_indexing_set_voter_id        (BdIndexing   *self, const char *value);
const char   *bd_indexing_get_driving_licence (BdIndexing   *self);
void          bd_indexing_set_driving_licence (BdIndexing   *self, const char *value);

const char   *bd_indexing_get_meter_make      (BdIndexing   *self);
void          bd_indexing_set_meter_make      (BdIndexing   *self, const char *value);
const char   *bd_indexing_get_meter_model     (BdIndexing   *self);
void          bd_indexing_set_meter_model     (BdIndexing   *self, const char *value);
const char   *bd_indexing_get_meter_serial    (BdIndexing   *self);
void          bd_indexing_set_meter_serial    (BdIndexing   *self, const char *value);
/* Year of manufacture; -1 when unknown. */
gint          bd_indexing_get_meter_year      (BdIndexing   *self);
void          bd_indexing_set_meter_year      (BdIndexing   *self, gint value);
/* Current rating as on the nameplate, e.g. "5-30 A". */
const char   *bd_indexing_get_meter_rating    (BdIndexing   *self);
void          bd_indexing_set_meter_rating    (BdIndexing   *self, const char *value);

/* Seal numbers (never NULL; possibly empty). */
const char * const *bd_indexing_get_seal_numbers (BdIndexing *self);
void          bd_indexing_set_seal_numbers    (BdIndexing   *self,
                                               const char * const *value);

/* Calendar dates in IST as "YYYY-MM-DD" (bd_date_parse then
 * g_date_strftime "%Y-%m-%d"); NULL when unknown. */
const char   *bd_indexing_get_installed_on    (BdIndexing   *self);
void          bd_indexing_set_installed_on    (BdIndexing   *self, const char *value);
/* Watt-hours; -1 when unknown. */
gint64        bd_indexing_get_last_reading_wh (BdIndexing   *self);
void          bd_indexing_set_last_reading_wh (BdIndexing   *self, gint64 value);
const char   *bd_indexing_get_last_reading_on (BdIndexing   *self);
void          bd_indexing_set_last_reading_on (BdIndexing   *self, const char *value);

/* Microdegrees. get returns FALSE (outputs untouched) when none is set. */
gboolean      bd_indexing_get_gps             (BdIndexing   *self,
                                               gint64       *lat_e6,
                                               gint64       *lon_e6);
void          bd_indexing_set_gps             (BdIndexing   *self,
                                               gint64        lat_e6,
                                               gint64        lon_e6);
void          bd_indexing_clear_gps           (BdIndexing   *self);

/* Mirrors of the consumer record: "" when unknown, never NULL. */
const char   *bd_indexing_get_feeder          (BdIndexing   *self);
void          bd_indexing_set_feeder          (BdIndexing   *self, const char *value);
const char   *bd_indexing_get_dt              (BdIndexing   *self);
void          bd_indexing_set_dt              (BdIndexing   *self, const char *value);
const char   *bd_indexing_get_pole            (BdIndexing   *self);
void          bd_indexing_set_pole            (BdIndexing   *self, const char *value);
gint64        bd_indexing_get_sanctioned_load_w (BdIndexing *self);
void          bd_indexing_set_sanctioned_load_w (BdIndexing *self, gint64 value);

/* Unix UTC; 0 when never. updated_by NULL when never. */
gint64        bd_indexing_get_updated_at      (BdIndexing   *self);
void          bd_indexing_set_updated_at      (BdIndexing   *self, gint64 value);
const char   *bd_indexing_get_updated_by      (BdIndexing   *self);
void          bd_indexing_set_updated_by      (BdIndexing   *self, const char *value);

/* The editable field names in wire order (NULL-terminated, static):
 * alternate_phone, email, aadhaar, pan, voter_id, driving_licence,
 * meter_make, meter_model, meter_serial, meter_year, meter_rating,
 * seal_numbers, installed_on, last_reading_wh, last_reading_on, gps,
 * feeder, dt, pole, sanctioned_load_w. */
const char * const *bd_indexing_field_names   (void);
gboolean      bd_indexing_is_field            (const char   *field);
/* A translated label for the field ("Alternate phone", "PAN"…), or the
 * field name itself if unknown. */
const char   *bd_indexing_field_label         (const char   *field);

/* The field's value as its wire JSON (a null node when unknown). The
 * aadhaar member includes salt and hash when known. NULL if field is not
 * an editable field name. */
JsonNode     *bd_indexing_get_field           (BdIndexing   *self,
                                               const char   *field);
/* Sets the field from its wire JSON (null = unknown) after checking the
 * type and validating the value with bd-validate.h (a normalised value is
 * stored). BD_VALIDATION_ERROR with a translated message naming the field
 * on a bad value; aadhaar needs last4, salt (32 hex) and hash (64 hex). */
gboolean      bd_indexing_set_field           (BdIndexing   *self,
                                               const char   *field,
                                               JsonNode     *value,
                                               GError      **error);
/* Checks a value for a field exactly as bd_indexing_set_field() would,
 * without a record: what bijli-central runs on every PATCH "to". */
gboolean      bd_indexing_validate_field      (const char   *field,
                                               JsonNode     *value,
                                               GError      **error);
/* A value fit for history and logs: Aadhaar "XXXX-XXXX-1234", phones
 * masked like bd_mobile_mask, email "a***@b.in", GPS "26.846700, 80.946200",
 * seals comma-separated, others as text. NULL for a null value. */
char         *bd_indexing_format_value        (const char   *field,
                                               JsonNode     *value);

/* Fields whose values differ between before and after, in field order.
 * (element-type BdIndexingChange) — from is before's value, to after's. */
GPtrArray    *bd_indexing_diff                (BdIndexing   *before,
                                               BdIndexing   *after);

G_END_DECLS
