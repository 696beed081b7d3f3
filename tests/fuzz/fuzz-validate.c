/* fuzz-validate.c: every validator and the search query parser on
 * arbitrary text (what an operator can type or paste). A normalised
 * value must normalise to itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/bd-validate.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef char *(*Normalizer) (const char *, GError **);

static void
check_normalizer (Normalizer  normalize,
                  const char *text)
{
  g_autofree char *once = normalize (text, NULL);

  if (once != NULL)
    {
      g_autofree char *twice = normalize (once, NULL);

      g_assert (twice != NULL && strcmp (once, twice) == 0);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;

  /* Entries hand the validators UTF-8; anything else is not input. */
  if (!g_utf8_validate ((const char *) data, (gssize) size, NULL) || memchr (data, 0, size) != NULL)
    return 0;
  text = g_strndup ((const char *) data, size);

  check_normalizer (bd_account_normalize, text);
  check_normalizer (bd_mobile_normalize, text);
  check_normalizer (bd_meter_serial_normalize, text);
  check_normalizer (bd_pan_normalize, text);
  check_normalizer (bd_voter_id_normalize, text);
  check_normalizer (bd_driving_licence_normalize, text);
  check_normalizer (bd_email_normalize, text);
  check_normalizer (bd_seal_number_normalize, text);
  check_normalizer (bd_display_name_normalize, text);
  {
    g_autofree char *aadhaar = bd_aadhaar_normalize (text, NULL);
    g_autofree char *masked = bd_aadhaar_mask (text);
    g_autofree char *mobile_masked = bd_mobile_mask (text);
    g_autofree char *phone = bd_phone_normalize (text, NULL);
    g_autofree char *username = bd_username_normalize (text, NULL);
  }
  {
    gint64 lat, lon, wh;
    GDate date;

    g_date_clear (&date, 1);
    bd_verhoeff_check (text);
    bd_gps_parse (text, &lat, &lon, NULL);
    bd_date_parse (text, &date, NULL);
    bd_reading_parse (text, &wh, NULL);
    bd_app_password_check (text, NULL);
    /* The text as its own user name too: the containment check folds both. */
    bd_staff_password_check (text, "admin.lead", NULL);
    bd_staff_password_check (text, text, NULL);
  }
  {
    BdSearchQuery *query = bd_search_query_parse (text);

    bd_search_query_free (query);
  }
  return 0;
}
