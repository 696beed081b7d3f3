/* bd-indexing.c: a consumer's indexing record, its fields as wire JSON, and
 * the validation every edit of them goes through (on the desk and again on
 * the server).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "bd-indexing.h"
#include "bd-validate.h"

struct _BdIndexing
{
  GObject  parent_instance;

  char    *account;
  gint64   version;
  char    *alternate_phone;
  char    *email;
  char    *aadhaar_last4;
  char    *aadhaar_salt;
  char    *aadhaar_hash;
  char    *pan;
  char    *voter_id;
  char    *driving_licence;
  char    *meter_make;
  char    *meter_model;
  char    *meter_serial;
  gint     meter_year;
  char    *meter_rating;
  GStrv    seal_numbers;
  char    *installed_on;
  gint64   last_reading_wh;
  char    *last_reading_on;
  gboolean has_gps;
  gint64   lat_e6;
  gint64   lon_e6;
  char    *feeder;
  char    *dt;
  char    *pole;
  gint64   sanctioned_load_w;
  gint64   updated_at;
  char    *updated_by;
};

G_DEFINE_FINAL_TYPE (BdIndexing, bd_indexing, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (BdIndexingChange, bd_indexing_change,
                     bd_indexing_change_copy, bd_indexing_change_free)

static BdIndexingConflict *bd_indexing_conflict_copy (const BdIndexingConflict *conflict);

G_DEFINE_BOXED_TYPE (BdIndexingConflict, bd_indexing_conflict,
                     bd_indexing_conflict_copy, bd_indexing_conflict_free)

#define MAX_FREE_TEXT_CHARS  64
#define MAX_CODE_CHARS       48
#define MAX_SEALS            20
#define MAX_LOAD_W           G_GINT64_CONSTANT (10000000)
#define MAX_READING_WH       G_GINT64_CONSTANT (99999999999)

typedef enum {
  KIND_TEXT,      /* nullable string through a normaliser */
  KIND_DATE,      /* nullable "YYYY-MM-DD" */
  KIND_CODE,      /* feeder/dt/pole: never NULL, "" when unknown */
  KIND_YEAR,
  KIND_READING,
  KIND_LOAD,
  KIND_SEALS,
  KIND_GPS,
  KIND_AADHAAR,
} FieldKind;

typedef char *(*Normalizer) (const char *input, GError **error);

typedef struct {
  const char *name;
  const char *label;
  FieldKind   kind;
  Normalizer  normalize;
  goffset     offset;   /* of the char * member, for text, date and code */
} FieldInfo;

static char *free_text_normalize (const char *input, GError **error);
static char *code_normalize      (const char *input, GError **error);

#define TEXT_MEMBER(m) G_STRUCT_OFFSET (BdIndexing, m)

static const FieldInfo fields[] = {
  { "alternate_phone",   N_("Alternate phone"),        KIND_TEXT,    bd_phone_normalize,           TEXT_MEMBER (alternate_phone) },
  { "email",             N_("Email"),                  KIND_TEXT,    bd_email_normalize,           TEXT_MEMBER (email) },
  { "aadhaar",           N_("Aadhaar"),                KIND_AADHAAR, NULL,                         -1 },
  { "pan",               N_("PAN"),                    KIND_TEXT,    bd_pan_normalize,             TEXT_MEMBER (pan) },
  { "voter_id",          N_("Voter ID"),               KIND_TEXT,    bd_voter_id_normalize,        TEXT_MEMBER (voter_id) },
  { "driving_licence",   N_("Driving licence"),        KIND_TEXT,    bd_driving_licence_normalize, TEXT_MEMBER (driving_licence) },
  { "meter_make",        N_("Meter make"),             KIND_TEXT,    free_text_normalize,          TEXT_MEMBER (meter_make) },
  { "meter_model",       N_("Meter model"),            KIND_TEXT,    free_text_normalize,          TEXT_MEMBER (meter_model) },
  { "meter_serial",      N_("Meter serial number"),    KIND_TEXT,    bd_meter_serial_normalize,    TEXT_MEMBER (meter_serial) },
  { "meter_year",        N_("Year of manufacture"),    KIND_YEAR,    NULL,                         -1 },
  { "meter_rating",      N_("Meter rating"),           KIND_TEXT,    free_text_normalize,          TEXT_MEMBER (meter_rating) },
  { "seal_numbers",      N_("Seal numbers"),           KIND_SEALS,   NULL,                         -1 },
  { "installed_on",      N_("Installed on"),           KIND_DATE,    NULL,                         TEXT_MEMBER (installed_on) },
  { "last_reading_wh",   N_("Last reading"),           KIND_READING, NULL,                         -1 },
  { "last_reading_on",   N_("Last reading date"),      KIND_DATE,    NULL,                         TEXT_MEMBER (last_reading_on) },
  { "gps",               N_("Location"),               KIND_GPS,     NULL,                         -1 },
  { "feeder",            N_("Feeder"),                 KIND_CODE,    code_normalize,               TEXT_MEMBER (feeder) },
  { "dt",                N_("Distribution transformer"), KIND_CODE,  code_normalize,               TEXT_MEMBER (dt) },
  { "pole",              N_("Pole"),                   KIND_CODE,    code_normalize,               TEXT_MEMBER (pole) },
  { "sanctioned_load_w", N_("Sanctioned load"),        KIND_LOAD,    NULL,                         -1 },
};

static const char * const field_names[] = {
  "alternate_phone", "email", "aadhaar", "pan", "voter_id", "driving_licence",
  "meter_make", "meter_model", "meter_serial", "meter_year", "meter_rating",
  "seal_numbers", "installed_on", "last_reading_wh", "last_reading_on", "gps",
  "feeder", "dt", "pole", "sanctioned_load_w", NULL,
};

static const FieldInfo *
find_field (const char *name)
{
  if (name == NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    if (strcmp (fields[i].name, name) == 0)
      return &fields[i];
  return NULL;
}

static char **
text_member (BdIndexing      *self,
             const FieldInfo *info)
{
  return G_STRUCT_MEMBER_P (self, info->offset);
}

static void
set_text (char       **member,
          const char  *value)
{
  if (*member == value)
    return;
  g_free (*member);
  *member = g_strdup (value);
}

/* Nameplate text: trimmed, one line, at most MAX_FREE_TEXT_CHARS. */
static char *
free_text_normalize (const char  *input,
                     GError     **error)
{
  g_autofree char *stripped = NULL;

  if (input == NULL || !g_utf8_validate (input, -1, NULL))
    goto invalid;
  stripped = g_strstrip (g_strdup (input));
  if (g_utf8_strlen (stripped, -1) > MAX_FREE_TEXT_CHARS)
    goto invalid;
  for (const char *p = stripped; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      goto invalid;
  return g_steal_pointer (&stripped);

invalid:
  g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_TEXT,
               _("Use at most %d characters, on one line."), MAX_FREE_TEXT_CHARS);
  return NULL;
}

/* Network codes as the distributor writes them: "GMT-F03-DT012-P05". */
static char *
code_normalize (const char  *input,
                GError     **error)
{
  g_autofree char *code = g_ascii_strup (input, -1);
  gsize len;

  g_strstrip (code);
  len = strlen (code);
  if (len > MAX_CODE_CHARS)
    goto invalid;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (code[i]) && strchr ("-/_.", code[i]) == NULL)
      goto invalid;
  return g_steal_pointer (&code);

invalid:
  g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_CODE,
               _("A code has at most %d letters, digits, dashes, slashes and dots, like GMT-F03-DT012."),
               MAX_CODE_CHARS);
  return NULL;
}

static gboolean
is_null (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

static gboolean
is_blank_text (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

static gboolean
get_json_int (JsonNode *node,
              gint64   *out)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

static const char *
get_json_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
is_hex (const char *text,
        gsize       len)
{
  if (text == NULL || strlen (text) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (text[i]))
      return FALSE;
  return TRUE;
}

static gboolean
is_last4 (const char *text)
{
  if (text == NULL || strlen (text) != 4)
    return FALSE;
  for (gsize i = 0; i < 4; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  return TRUE;
}

static gboolean
gps_in_india (gint64 lat_e6,
              gint64 lon_e6)
{
  return lat_e6 >= 6500000 && lat_e6 <= 37500000 &&
         lon_e6 >= 68000000 && lon_e6 <= 97500000;
}

static void
set_invalid_value (GError **error)
{
  g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_VALUE,
                       _("The value is not of the expected kind."));
}

static gboolean
set_text_field (BdIndexing      *self,
                const FieldInfo *info,
                JsonNode        *value,
                GError         **error)
{
  const char *text;
  g_autofree char *normalized = NULL;

  if (is_null (value))
    {
      set_text (text_member (self, info), info->kind == KIND_CODE ? "" : NULL);
      return TRUE;
    }

  text = get_json_string (value);
  if (text == NULL)
    {
      set_invalid_value (error);
      return FALSE;
    }

  /* Clearing a field is sending an empty value. */
  if (is_blank_text (text))
    {
      set_text (text_member (self, info), info->kind == KIND_CODE ? "" : NULL);
      return TRUE;
    }

  if (info->kind == KIND_DATE)
    {
      GDate date;
      char buf[16];

      if (!bd_date_parse (text, &date, error))
        return FALSE;
      g_date_strftime (buf, sizeof buf, "%Y-%m-%d", &date);
      normalized = g_strdup (buf);
    }
  else
    {
      normalized = info->normalize (text, error);
      if (normalized == NULL)
        return FALSE;
    }

  set_text (text_member (self, info), normalized);
  return TRUE;
}

static gboolean
set_seals (BdIndexing  *self,
           JsonNode    *value,
           GError     **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *array;
  guint n;

  if (is_null (value))
    {
      g_strfreev (self->seal_numbers);
      self->seal_numbers = g_new0 (char *, 1);
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_ARRAY (value))
    {
      set_invalid_value (error);
      return FALSE;
    }

  array = json_node_get_array (value);
  n = json_array_get_length (array);
  if (n > MAX_SEALS)
    {
      g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_SEAL_NUMBER,
                   _("At most %d seal numbers can be recorded."), MAX_SEALS);
      return FALSE;
    }

  for (guint i = 0; i < n; i++)
    {
      const char *text = get_json_string (json_array_get_element (array, i));
      char *seal;

      if (text == NULL)
        {
          set_invalid_value (error);
          return FALSE;
        }
      seal = bd_seal_number_normalize (text, error);
      if (seal == NULL)
        return FALSE;
      if (!g_hash_table_add (seen, seal))
        {
          g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_SEAL_NUMBER,
                       _("Seal number %s is given twice."), seal);
          return FALSE;
        }
      g_strv_builder_add (builder, seal);
    }

  g_strfreev (self->seal_numbers);
  self->seal_numbers = g_strv_builder_end (builder);
  return TRUE;
}

static gboolean
set_gps (BdIndexing  *self,
         JsonNode    *value,
         GError     **error)
{
  JsonObject *object;
  gint64 lat, lon;

  if (is_null (value))
    {
      bd_indexing_clear_gps (self);
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_OBJECT (value))
    {
      set_invalid_value (error);
      return FALSE;
    }
  object = json_node_get_object (value);
  if (!get_json_int (json_object_get_member (object, "lat_e6"), &lat) ||
      !get_json_int (json_object_get_member (object, "lon_e6"), &lon))
    {
      set_invalid_value (error);
      return FALSE;
    }
  if (!gps_in_india (lat, lon))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_GPS,
                           _("This location is outside India."));
      return FALSE;
    }

  bd_indexing_set_gps (self, lat, lon);
  return TRUE;
}

static gboolean
set_aadhaar_field (BdIndexing  *self,
                   JsonNode    *value,
                   GError     **error)
{
  JsonObject *object;
  const char *last4, *salt, *hash;

  if (is_null (value))
    {
      bd_indexing_set_aadhaar (self, NULL, NULL, NULL);
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_OBJECT (value))
    {
      set_invalid_value (error);
      return FALSE;
    }
  object = json_node_get_object (value);
  last4 = get_json_string (json_object_get_member (object, "last4"));
  salt = get_json_string (json_object_get_member (object, "salt"));
  hash = get_json_string (json_object_get_member (object, "hash"));

  /* Only a protected Aadhaar is ever accepted: a full number in any member
   * fails here rather than being stored. */
  if (!is_last4 (last4) || !is_hex (salt, 32) || !is_hex (hash, 64))
    {
      g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_AADHAAR,
                           _("The Aadhaar must be sent as its last 4 digits with a salted hash."));
      return FALSE;
    }

  bd_indexing_set_aadhaar (self, last4, salt, hash);
  return TRUE;
}

static gboolean
set_number_field (BdIndexing      *self,
                  const FieldInfo *info,
                  JsonNode        *value,
                  GError         **error)
{
  gint64 number;

  if (is_null (value) && info->kind != KIND_LOAD)
    {
      if (info->kind == KIND_YEAR)
        self->meter_year = -1;
      else
        self->last_reading_wh = -1;
      return TRUE;
    }

  if (!get_json_int (value, &number))
    {
      set_invalid_value (error);
      return FALSE;
    }

  switch (info->kind)
    {
    case KIND_YEAR:
      {
        g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
        /* A meter may be made late in December and indexed in January. */
        gint64 latest = g_date_time_get_year (now) + 1;

        if (number < 1950 || number > latest)
          {
            g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_VALUE,
                         _("The year of manufacture must be between 1950 and %d."), (int) latest);
            return FALSE;
          }
        self->meter_year = (gint) number;
      }
      break;

    case KIND_READING:
      if (number < 0 || number > MAX_READING_WH)
        {
          g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_READING,
                               _("This reading is larger than any meter shows (at most 8 digits of kWh). Check it."));
          return FALSE;
        }
      self->last_reading_wh = number;
      break;

    case KIND_LOAD:
      if (number < 100 || number > MAX_LOAD_W)
        {
          g_set_error_literal (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_VALUE,
                               _("The sanctioned load must be between 0.1 kW and 10,000 kW."));
          return FALSE;
        }
      self->sanctioned_load_w = number;
      break;

    case KIND_TEXT:
    case KIND_DATE:
    case KIND_CODE:
    case KIND_SEALS:
    case KIND_GPS:
    case KIND_AADHAAR:
    default:
      g_assert_not_reached ();
    }

  return TRUE;
}

static char *
mask_email (const char *email)
{
  const char *at = strchr (email, '@');

  if (at == NULL || at == email)
    return g_strdup ("***");
  return g_strdup_printf ("%c***%s", email[0], at);
}

BdIndexingConflict *
bd_indexing_conflict_new (const char *field,
                          JsonNode   *server,
                          JsonNode   *desk)
{
  BdIndexingConflict *conflict = g_new0 (BdIndexingConflict, 1);

  conflict->field = g_strdup (field);
  conflict->server = server != NULL ? json_node_copy (server) : json_node_new (JSON_NODE_NULL);
  conflict->desk = desk != NULL ? json_node_copy (desk) : json_node_new (JSON_NODE_NULL);
  return conflict;
}

static BdIndexingConflict *
bd_indexing_conflict_copy (const BdIndexingConflict *conflict)
{
  return bd_indexing_conflict_new (conflict->field, conflict->server, conflict->desk);
}

void
bd_indexing_conflict_free (BdIndexingConflict *conflict)
{
  if (conflict == NULL)
    return;
  g_free (conflict->field);
  g_clear_pointer (&conflict->server, json_node_unref);
  g_clear_pointer (&conflict->desk, json_node_unref);
  g_free (conflict);
}

BdIndexingChange *
bd_indexing_change_new (const char *field,
                        JsonNode   *from,
                        JsonNode   *to)
{
  BdIndexingChange *change = g_new0 (BdIndexingChange, 1);

  change->field = g_strdup (field);
  change->from = from != NULL ? json_node_copy (from) : json_node_new (JSON_NODE_NULL);
  change->to = to != NULL ? json_node_copy (to) : json_node_new (JSON_NODE_NULL);
  return change;
}

BdIndexingChange *
bd_indexing_change_copy (const BdIndexingChange *change)
{
  g_return_val_if_fail (change != NULL, NULL);
  return bd_indexing_change_new (change->field, change->from, change->to);
}

void
bd_indexing_change_free (BdIndexingChange *change)
{
  if (change == NULL)
    return;
  g_free (change->field);
  g_clear_pointer (&change->from, json_node_unref);
  g_clear_pointer (&change->to, json_node_unref);
  g_free (change);
}

static void
bd_indexing_finalize (GObject *object)
{
  BdIndexing *self = BD_INDEXING (object);

  g_free (self->account);
  g_free (self->alternate_phone);
  g_free (self->email);
  g_free (self->aadhaar_last4);
  g_free (self->aadhaar_salt);
  g_free (self->aadhaar_hash);
  g_free (self->pan);
  g_free (self->voter_id);
  g_free (self->driving_licence);
  g_free (self->meter_make);
  g_free (self->meter_model);
  g_free (self->meter_serial);
  g_free (self->meter_rating);
  g_strfreev (self->seal_numbers);
  g_free (self->installed_on);
  g_free (self->last_reading_on);
  g_free (self->feeder);
  g_free (self->dt);
  g_free (self->pole);
  g_free (self->updated_by);

  G_OBJECT_CLASS (bd_indexing_parent_class)->finalize (object);
}

static void
bd_indexing_class_init (BdIndexingClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bd_indexing_finalize;
}

static void
bd_indexing_init (BdIndexing *self)
{
  self->meter_year = -1;
  self->last_reading_wh = -1;
  self->seal_numbers = g_new0 (char *, 1);
  self->feeder = g_strdup ("");
  self->dt = g_strdup ("");
  self->pole = g_strdup ("");
}

BdIndexing *
bd_indexing_new (const char *account)
{
  BdIndexing *self;

  g_return_val_if_fail (account != NULL, NULL);

  self = g_object_new (BD_TYPE_INDEXING, NULL);
  self->account = g_strdup (account);
  return self;
}

BdIndexing *
bd_indexing_copy (BdIndexing *self)
{
  BdIndexing *copy;

  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);

  copy = bd_indexing_new (self->account);
  copy->version = self->version;
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    if (fields[i].offset >= 0)
      set_text (text_member (copy, &fields[i]), *text_member (self, &fields[i]));
  bd_indexing_set_aadhaar (copy, self->aadhaar_last4, self->aadhaar_salt, self->aadhaar_hash);
  copy->meter_year = self->meter_year;
  bd_indexing_set_seal_numbers (copy, (const char * const *) self->seal_numbers);
  copy->last_reading_wh = self->last_reading_wh;
  copy->has_gps = self->has_gps;
  copy->lat_e6 = self->lat_e6;
  copy->lon_e6 = self->lon_e6;
  copy->sanctioned_load_w = self->sanctioned_load_w;
  copy->updated_at = self->updated_at;
  set_text (&copy->updated_by, self->updated_by);
  return copy;
}

gboolean
bd_indexing_equal (BdIndexing *a,
                   BdIndexing *b)
{
  g_return_val_if_fail (BD_IS_INDEXING (a), FALSE);
  g_return_val_if_fail (BD_IS_INDEXING (b), FALSE);

  if (g_strcmp0 (a->account, b->account) != 0 || a->version != b->version ||
      a->updated_at != b->updated_at || g_strcmp0 (a->updated_by, b->updated_by) != 0)
    return FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autoptr(JsonNode) va = bd_indexing_get_field (a, fields[i].name);
      g_autoptr(JsonNode) vb = bd_indexing_get_field (b, fields[i].name);

      if (!json_node_equal (va, vb))
        return FALSE;
    }
  return TRUE;
}

const char *
bd_indexing_get_account (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);
  return self->account;
}

gboolean
bd_indexing_has_aadhaar (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), FALSE);
  return self->aadhaar_last4 != NULL;
}

const char *
bd_indexing_get_aadhaar_last4 (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);
  return self->aadhaar_last4;
}

const char *
bd_indexing_get_aadhaar_salt (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);
  return self->aadhaar_salt;
}

const char *
bd_indexing_get_aadhaar_hash (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);
  return self->aadhaar_hash;
}

void
bd_indexing_set_aadhaar (BdIndexing *self,
                         const char *last4,
                         const char *salt_hex,
                         const char *hash_hex)
{
  g_return_if_fail (BD_IS_INDEXING (self));

  set_text (&self->aadhaar_last4, last4);
  set_text (&self->aadhaar_salt, last4 != NULL ? salt_hex : NULL);
  set_text (&self->aadhaar_hash, last4 != NULL ? hash_hex : NULL);
}

const char * const *
bd_indexing_get_seal_numbers (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);
  return (const char * const *) self->seal_numbers;
}

void
bd_indexing_set_seal_numbers (BdIndexing         *self,
                              const char * const *value)
{
  GStrv copy;

  g_return_if_fail (BD_IS_INDEXING (self));

  copy = value != NULL ? g_strdupv ((char **) value) : g_new0 (char *, 1);
  g_strfreev (self->seal_numbers);
  self->seal_numbers = copy;
}

gboolean
bd_indexing_get_gps (BdIndexing *self,
                     gint64     *lat_e6,
                     gint64     *lon_e6)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), FALSE);

  if (!self->has_gps)
    return FALSE;
  if (lat_e6 != NULL)
    *lat_e6 = self->lat_e6;
  if (lon_e6 != NULL)
    *lon_e6 = self->lon_e6;
  return TRUE;
}

void
bd_indexing_set_gps (BdIndexing *self,
                     gint64      lat_e6,
                     gint64      lon_e6)
{
  g_return_if_fail (BD_IS_INDEXING (self));

  self->has_gps = TRUE;
  self->lat_e6 = lat_e6;
  self->lon_e6 = lon_e6;
}

void
bd_indexing_clear_gps (BdIndexing *self)
{
  g_return_if_fail (BD_IS_INDEXING (self));

  self->has_gps = FALSE;
  self->lat_e6 = 0;
  self->lon_e6 = 0;
}

const char *
bd_indexing_get_alternate_phone (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);
  return self->alternate_phone;
}

void
bd_indexing_set_alternate_phone (BdIndexing *self,
                                 const char *value)
{
  g_return_if_fail (BD_IS_INDEXING (self));
  set_text (&self->alternate_phone, value);
}

const char *
bd_indexing_get_email (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);
  return self->email;
}

void
bd_indexing_set_email (BdIndexing *self,
                       const char *value)
{
  g_return_if_fail (BD_IS_INDEXING (self));
  set_text (&self->email, value);
}

const char *
bd_indexing_get_pan (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);
  return self->pan;
}

void
bd_indexing_set_pan (BdIndexing *self,
                     const char *value)
{
  g_return_if_fail (BD_IS_INDEXING (self));
  set_text (&self->pan, value);
}

const char *
bd_indexing_get_voter_id (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);
  return self->voter_id;
}

void
bd_indexing_set_voter_id (BdIndexing *self,
                          const char *value)
{
  g_return_if_fail (BD_IS_INDEXING (self));
  set_text (&self->voter_id, value);
}

const char *
bd_indexing_get_driving_licence (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);
  return self->driving_licence;
}

void
bd_indexing_set_driving_licence (BdIndexing *self,
                                 const char *value)
{
  g_return_if_fail (BD_IS_INDEXING (self));
  set_text (&self->driving_licence, value);
}

const char *
bd_indexing_get_meter_make (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);
  return self->meter_make;
}

void
bd_indexing_set_meter_make (BdIndexing *self,
                            const char *value)
{
  g_return_if_fail (BD_IS_INDEXING (self));
  set_text (&self->meter_make, value);
}

const char *
bd_indexing_get_meter_model (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);
  return self->meter_model;
}

void
bd_indexing_set_meter_model (BdIndexing *self,
                             const char *value)
{
  g_return_if_fail (BD_IS_INDEXING (self));
  set_text (&self->meter_model, value);
}

const char *
bd_indexing_get_meter_serial (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);
  return self->meter_serial;
}

void
bd_indexing_set_meter_serial (BdIndexing *self,
                              const char *value)
{
  g_return_if_fail (BD_IS_INDEXING (self));
  set_text (&self->meter_serial, value);
}

const char *
bd_indexing_get_meter_rating (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);
  return self->meter_rating;
}

void
bd_indexing_set_meter_rating (BdIndexing *self,
                              const char *value)
{
  g_return_if_fail (BD_IS_INDEXING (self));
  set_text (&self->meter_rating, value);
}

const char *
bd_indexing_get_installed_on (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);
  return self->installed_on;
}

void
bd_indexing_set_installed_on (BdIndexing *self,
                              const char *value)
{
  g_return_if_fail (BD_IS_INDEXING (self));
  set_text (&self->installed_on, value);
}

const char *
bd_indexing_get_last_reading_on (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);
  return self->last_reading_on;
}

void
bd_indexing_set_last_reading_on (BdIndexing *self,
                                 const char *value)
{
  g_return_if_fail (BD_IS_INDEXING (self));
  set_text (&self->last_reading_on, value);
}

const char *
bd_indexing_get_updated_by (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);
  return self->updated_by;
}

void
bd_indexing_set_updated_by (BdIndexing *self,
                            const char *value)
{
  g_return_if_fail (BD_IS_INDEXING (self));
  set_text (&self->updated_by, value);
}

const char *
bd_indexing_get_feeder (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);
  return self->feeder;
}

void
bd_indexing_set_feeder (BdIndexing *self,
                        const char *value)
{
  g_return_if_fail (BD_IS_INDEXING (self));
  g_free (self->feeder);
  self->feeder = g_strdup (value != NULL ? value : "");
}

const char *
bd_indexing_get_dt (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);
  return self->dt;
}

void
bd_indexing_set_dt (BdIndexing *self,
                    const char *value)
{
  g_return_if_fail (BD_IS_INDEXING (self));
  g_free (self->dt);
  self->dt = g_strdup (value != NULL ? value : "");
}

const char *
bd_indexing_get_pole (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);
  return self->pole;
}

void
bd_indexing_set_pole (BdIndexing *self,
                      const char *value)
{
  g_return_if_fail (BD_IS_INDEXING (self));
  g_free (self->pole);
  self->pole = g_strdup (value != NULL ? value : "");
}

gint64
bd_indexing_get_version (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), 0);
  return self->version;
}

void
bd_indexing_set_version (BdIndexing *self,
                         gint64     value)
{
  g_return_if_fail (BD_IS_INDEXING (self));
  self->version = value;
}

gint
bd_indexing_get_meter_year (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), 0);
  return self->meter_year;
}

void
bd_indexing_set_meter_year (BdIndexing *self,
                            gint       value)
{
  g_return_if_fail (BD_IS_INDEXING (self));
  self->meter_year = value;
}

gint64
bd_indexing_get_last_reading_wh (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), 0);
  return self->last_reading_wh;
}

void
bd_indexing_set_last_reading_wh (BdIndexing *self,
                                 gint64     value)
{
  g_return_if_fail (BD_IS_INDEXING (self));
  self->last_reading_wh = value;
}

gint64
bd_indexing_get_sanctioned_load_w (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), 0);
  return self->sanctioned_load_w;
}

void
bd_indexing_set_sanctioned_load_w (BdIndexing *self,
                                   gint64     value)
{
  g_return_if_fail (BD_IS_INDEXING (self));
  self->sanctioned_load_w = value;
}

gint64
bd_indexing_get_updated_at (BdIndexing *self)
{
  g_return_val_if_fail (BD_IS_INDEXING (self), 0);
  return self->updated_at;
}

void
bd_indexing_set_updated_at (BdIndexing *self,
                            gint64     value)
{
  g_return_if_fail (BD_IS_INDEXING (self));
  self->updated_at = value;
}


const char * const *
bd_indexing_field_names (void)
{
  return field_names;
}

gboolean
bd_indexing_is_field (const char *field)
{
  return find_field (field) != NULL;
}

const char *
bd_indexing_field_label (const char *field)
{
  const FieldInfo *info = find_field (field);

  return info != NULL ? _(info->label) : field;
}

JsonNode *
bd_indexing_get_field (BdIndexing *self,
                       const char *field)
{
  const FieldInfo *info = find_field (field);
  JsonNode *node;

  g_return_val_if_fail (BD_IS_INDEXING (self), NULL);

  if (info == NULL)
    return NULL;

  switch (info->kind)
    {
    case KIND_TEXT:
    case KIND_DATE:
    case KIND_CODE:
      {
        const char *text = *text_member (self, info);

        if (text == NULL)
          return json_node_new (JSON_NODE_NULL);
        node = json_node_new (JSON_NODE_VALUE);
        json_node_set_string (node, text);
        return node;
      }

    case KIND_YEAR:
    case KIND_READING:
    case KIND_LOAD:
      {
        gint64 number = info->kind == KIND_YEAR ? self->meter_year :
                        info->kind == KIND_READING ? self->last_reading_wh :
                        self->sanctioned_load_w;

        if (number < 0)
          return json_node_new (JSON_NODE_NULL);
        node = json_node_new (JSON_NODE_VALUE);
        json_node_set_int (node, number);
        return node;
      }

    case KIND_SEALS:
      {
        JsonArray *array = json_array_new ();

        for (guint i = 0; self->seal_numbers[i] != NULL; i++)
          json_array_add_string_element (array, self->seal_numbers[i]);
        node = json_node_new (JSON_NODE_ARRAY);
        json_node_take_array (node, array);
        return node;
      }

    case KIND_GPS:
      {
        JsonObject *object;

        if (!self->has_gps)
          return json_node_new (JSON_NODE_NULL);
        object = json_object_new ();
        json_object_set_int_member (object, "lat_e6", self->lat_e6);
        json_object_set_int_member (object, "lon_e6", self->lon_e6);
        node = json_node_new (JSON_NODE_OBJECT);
        json_node_take_object (node, object);
        return node;
      }

    case KIND_AADHAAR:
      {
        JsonObject *object;

        if (self->aadhaar_last4 == NULL)
          return json_node_new (JSON_NODE_NULL);
        object = json_object_new ();
        json_object_set_string_member (object, "last4", self->aadhaar_last4);
        if (self->aadhaar_salt != NULL && self->aadhaar_hash != NULL)
          {
            json_object_set_string_member (object, "salt", self->aadhaar_salt);
            json_object_set_string_member (object, "hash", self->aadhaar_hash);
          }
        node = json_node_new (JSON_NODE_OBJECT);
        json_node_take_object (node, object);
        return node;
      }

    default:
      g_assert_not_reached ();
    }
}

gboolean
bd_indexing_set_field (BdIndexing  *self,
                       const char  *field,
                       JsonNode    *value,
                       GError     **error)
{
  const FieldInfo *info = find_field (field);
  gboolean ok;

  g_return_val_if_fail (BD_IS_INDEXING (self), FALSE);

  if (info == NULL)
    {
      g_set_error (error, BD_VALIDATION_ERROR, BD_VALIDATION_ERROR_INVALID_VALUE,
                   _("“%s” is not a field of the indexing record."), field != NULL ? field : "");
      return FALSE;
    }

  switch (info->kind)
    {
    case KIND_TEXT:
    case KIND_DATE:
    case KIND_CODE:
      ok = set_text_field (self, info, value, error);
      break;
    case KIND_YEAR:
    case KIND_READING:
    case KIND_LOAD:
      ok = set_number_field (self, info, value, error);
      break;
    case KIND_SEALS:
      ok = set_seals (self, value, error);
      break;
    case KIND_GPS:
      ok = set_gps (self, value, error);
      break;
    case KIND_AADHAAR:
      ok = set_aadhaar_field (self, value, error);
      break;
    default:
      g_assert_not_reached ();
    }

  /* The validators' messages say what is wrong; the server also has to
   * say which field it was. */
  if (!ok)
    g_prefix_error (error, "%s: ", _(info->label));
  return ok;
}

gboolean
bd_indexing_validate_field (const char  *field,
                            JsonNode    *value,
                            GError     **error)
{
  g_autoptr(BdIndexing) scratch = bd_indexing_new ("");

  return bd_indexing_set_field (scratch, field, value, error);
}

char *
bd_indexing_format_value (const char *field,
                          JsonNode   *value)
{
  const FieldInfo *info = find_field (field);
  const char *text;
  gint64 number;

  if (is_null (value))
    return NULL;

  if (info != NULL && info->kind == KIND_AADHAAR)
    {
      if (!JSON_NODE_HOLDS_OBJECT (value))
        return NULL;
      return bd_aadhaar_mask (get_json_string (json_object_get_member (json_node_get_object (value), "last4")));
    }

  if (info != NULL && info->kind == KIND_GPS)
    {
      JsonObject *object;
      gint64 lat, lon;

      if (!JSON_NODE_HOLDS_OBJECT (value))
        return NULL;
      object = json_node_get_object (value);
      if (!get_json_int (json_object_get_member (object, "lat_e6"), &lat) ||
          !get_json_int (json_object_get_member (object, "lon_e6"), &lon))
        return NULL;
      return g_strdup_printf ("%s%" G_GINT64_FORMAT ".%06" G_GINT64_FORMAT ", %s%" G_GINT64_FORMAT ".%06" G_GINT64_FORMAT,
                              lat < 0 ? "-" : "", ABS (lat) / 1000000, ABS (lat) % 1000000,
                              lon < 0 ? "-" : "", ABS (lon) / 1000000, ABS (lon) % 1000000);
    }

  if (JSON_NODE_HOLDS_ARRAY (value))
    {
      JsonArray *array = json_node_get_array (value);
      g_autoptr(GString) joined = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *seal = get_json_string (json_array_get_element (array, i));

          if (seal == NULL)
            continue;
          if (joined->len > 0)
            g_string_append (joined, ", ");
          g_string_append (joined, seal);
        }
      return g_string_free (g_steal_pointer (&joined), FALSE);
    }

  if (get_json_int (value, &number))
    {
      if (g_strcmp0 (field, "last_reading_wh") == 0)
        return g_strdup_printf ("%" G_GINT64_FORMAT ".%03" G_GINT64_FORMAT " kWh",
                                number / 1000, ABS (number % 1000));
      if (g_strcmp0 (field, "sanctioned_load_w") == 0)
        return g_strdup_printf ("%" G_GINT64_FORMAT " W", number);
      return g_strdup_printf ("%" G_GINT64_FORMAT, number);
    }

  text = get_json_string (value);
  if (text == NULL)
    return NULL;
  if (g_strcmp0 (field, "alternate_phone") == 0)
    return bd_mobile_mask (text);
  if (g_strcmp0 (field, "email") == 0)
    return mask_email (text);
  return g_strdup (text);
}

GPtrArray *
bd_indexing_diff (BdIndexing *before,
                  BdIndexing *after)
{
  GPtrArray *changes;

  g_return_val_if_fail (BD_IS_INDEXING (before), NULL);
  g_return_val_if_fail (BD_IS_INDEXING (after), NULL);

  changes = g_ptr_array_new_with_free_func ((GDestroyNotify) bd_indexing_change_free);
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autoptr(JsonNode) from = bd_indexing_get_field (before, fields[i].name);
      g_autoptr(JsonNode) to = bd_indexing_get_field (after, fields[i].name);

      if (!json_node_equal (from, to))
        g_ptr_array_add (changes, bd_indexing_change_new (fields[i].name, from, to));
    }
  return changes;
}
