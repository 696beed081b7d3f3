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
