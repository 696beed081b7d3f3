/* bd-validate.h: identifiers a caller gives at the counter or on the phone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BD_VALIDATION_ERROR (bd_validation_error_quark ())

typedef enum {
  BD_VALIDATION_ERROR_EMPTY,
  BD_VALIDATION_ERROR_INVALID_ACCOUNT,
  BD_VALIDATION_ERROR_INVALID_MOBILE,
  BD_VALIDATION_ERROR_INVALID_METER_SERIAL,
  BD_VALIDATION_ERROR_INVALID_QUERY,
  BD_VALIDATION_ERROR_INVALID_AADHAAR,
  BD_VALIDATION_ERROR_INVALID_PAN,
  BD_VALIDATION_ERROR_INVALID_VOTER_ID,
  BD_VALIDATION_ERROR_INVALID_DRIVING_LICENCE,
  BD_VALIDATION_ERROR_INVALID_EMAIL,
  BD_VALIDATION_ERROR_INVALID_PHONE,
  BD_VALIDATION_ERROR_INVALID_GPS,
  BD_VALIDATION_ERROR_INVALID_SEAL_NUMBER,
  BD_VALIDATION_ERROR_INVALID_DATE,
  BD_VALIDATION_ERROR_DATE_IN_FUTURE,
  BD_VALIDATION_ERROR_INVALID_READING,
  BD_VALIDATION_ERROR_INVALID_USERNAME,
  BD_VALIDATION_ERROR_WEAK_PASSWORD,
  BD_VALIDATION_ERROR_INVALID_TEXT,     /* free text too long or not one line */
  BD_VALIDATION_ERROR_INVALID_CODE,     /* feeder, DT or pole code */
  BD_VALIDATION_ERROR_INVALID_VALUE,    /* a value of the wrong type or out of range */
} BdValidationError;

GQuark bd_validation_error_quark (void);

/* Accounts are 10 digits (12 for some rural legacy accounts). Spaces and
 * dashes the operator types are accepted and removed. Returns a new string
 * with digits only, or NULL with a translated error. */
char    *bd_account_normalize      (const char  *input,
                                    GError     **error);

/* Mobiles are 10 digits starting 6–9; "+91", "91" and a leading "0" are
 * accepted and removed, as are spaces and dashes. */
char    *bd_mobile_normalize       (const char  *input,
                                    GError     **error);

/* "98XXXXXX12" style: the first two and last two digits only. */
char    *bd_mobile_mask            (const char  *mobile);

/* Meter serials: 4–20 ASCII letters and digits (case folded to upper). */
char    *bd_meter_serial_normalize (const char  *input,
                                    GError     **error);

/* Aadhaar: 12 digits (spaces and dashes accepted and removed), not starting
 * with 0 or 1, with a valid Verhoeff check digit. Returns the 12 digits.
 * The caller must not keep the result longer than needed: protect it with
 * bd_aadhaar_protect() (bd-kdf.h) and free it. */
char    *bd_aadhaar_normalize         (const char  *input,
                                       GError     **error);

/* TRUE if digits (ASCII digits only, at least 2) end in a correct Verhoeff
 * check digit. Catches every single wrong digit and every transposition of
 * adjacent digits. */
gboolean bd_verhoeff_check            (const char  *digits);

/* "XXXX-XXXX-1234" from the last 4 digits or from a full Aadhaar (only
 * its last 4 digits are used). NULL for NULL or fewer than 4 digits. */
char    *bd_aadhaar_mask              (const char  *last4_or_full);

/* PAN: five letters, four digits, one letter (AAAAA9999A), upper-cased,
 * spaces removed; the 4th letter is the holder type and must be one of
 * P C H F A T B L J G. */
char    *bd_pan_normalize             (const char  *input,
                                       GError     **error);

/* Voter ID (EPIC): 3 letters and 7 digits, upper-cased, spaces and
 * slashes removed. */
char    *bd_voter_id_normalize        (const char  *input,
                                       GError     **error);

/* Driving licence: state code (2 letters, a known state or UT), RTO code
 * (2 digits), year of issue (1950 .. this year), 7-digit number; spaces and
 * dashes removed, upper-cased → 15 characters like "UP3220190012345". */
char    *bd_driving_licence_normalize (const char  *input,
                                       GError     **error);

/* Email: one "@", a plausible local part and a domain with a dot; the
 * domain is lower-cased, the local part kept as typed. At most 254 bytes. */
char    *bd_email_normalize           (const char  *input,
                                       GError     **error);

/* Alternate phone: a mobile (bd_mobile_normalize rules, returns 10 digits)
 * or a landline with its STD code: 0 and 10 more digits (11 digits, e.g.
 * "0522 2345678" → "05222345678"). */
char    *bd_phone_normalize           (const char  *input,
                                       GError     **error);

/* "26.8467, 80.9462" (latitude, longitude in decimal degrees; comma and/or
 * spaces between) into microdegrees; must lie inside India's bounding box
 * (latitude 6.5..37.5, longitude 68..97.5). */
gboolean bd_gps_parse                 (const char  *input,
                                       gint64      *lat_e6,
                                       gint64      *lon_e6,
                                       GError     **error);

/* Seal numbers: 4–20 letters, digits and dashes, starting with a letter
 * or digit; spaces removed, upper-cased. */
char    *bd_seal_number_normalize     (const char  *input,
                                       GError     **error);

/* DD-MM-YYYY (also with / or .) or YYYY-MM-DD; a real calendar date from
 * 1950 on and not after today in India (Asia/Kolkata). */
gboolean bd_date_parse                (const char  *input,
                                       GDate       *out,
                                       GError     **error);

/* A meter reading in kWh as printed ("12345.6", at most 3 decimals,
 * 0 .. 99,999,999 kWh) into watt-hours, without floating point rounding. */
gboolean bd_reading_parse             (const char  *input,
                                       gint64      *out_wh,
                                       GError     **error);

/* App usernames: 4–32 characters of a-z 0-9 . _ -, starting with a letter;
 * surrounding spaces removed and letters lower-cased. */
char    *bd_username_normalize        (const char  *input,
                                       GError     **error);

/* App passwords: at least 8 characters (at most 128) with at least one
 * letter and one digit. */
gboolean bd_app_password_check        (const char  *password,
                                       GError     **error);

#define BD_STAFF_PASSWORD_MIN_CHARS 12

/* Passwords an administrator sets for staff: 12–128 printable characters,
 * not one character repeated, not containing the user name (may be NULL),
 * and not a well-known password with digits or symbols around it. */
gboolean bd_staff_password_check      (const char  *password,
                                       const char  *username,
                                       GError     **error);

/* A staff member's full name as shown in the audit log: one line of at
 * most 80 characters, NFC, surrounding spaces removed. */
char    *bd_display_name_normalize    (const char  *input,
                                       GError     **error);

typedef enum {
  BD_QUERY_KIND_NONE,          /* nothing searchable was given */
  BD_QUERY_KIND_ACCOUNT,       /* 10 or 12 digits */
  BD_QUERY_KIND_MOBILE,        /* a valid mobile (10 digits starting 6–9, or with +91/0) */
  BD_QUERY_KIND_ACCOUNT_OR_MOBILE, /* 10 digits starting 6–9: could be either */
  BD_QUERY_KIND_METER_SERIAL,  /* letters and digits with at least one digit and one letter */
  BD_QUERY_KIND_NAME,          /* anything else: words of a name in any script */
} BdQueryKind;

typedef struct {
  BdQueryKind   kind;
  char         *identifier;   /* normalised account/mobile/serial, or NULL for names */
  GStrv         words;        /* for NAME: case-folded, NFC-normalised words (never NULL) */
} BdSearchQuery;

/* Parses what the operator typed. Never fails: odd Unicode, SQL wildcards
 * and FTS syntax characters are treated as separators, not as syntax. */
BdSearchQuery *bd_search_query_parse (const char    *text);
void           bd_search_query_free  (BdSearchQuery *query);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BdSearchQuery, bd_search_query_free)

G_END_DECLS
