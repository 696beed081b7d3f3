/* bd-central-json.c: JSON text for consumers without a JsonNode tree.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "bd-central-json.h"

/* Escapes as json-glib's generator does (so the output is the codec's, byte
 * for byte): quote and backslash, the short escapes, \u00xx for other
 * control characters and DEL; everything else, UTF-8 included, as it is.
 * (json-glib 1.6 drops U+001F instead of escaping it; this escapes it.) */
static void
append_string (GString    *out,
               const char *value)
{
  static const char hex[] = "0123456789abcdef";
  const char *run = value;
  const char *p;

  g_string_append_c (out, '"');
  for (p = value; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;
      const char *escape = NULL;
      char unicode[7];

      if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
        continue;

      switch (c)
        {
        case '"': escape = "\\\""; break;
        case '\\': escape = "\\\\"; break;
        case '\b': escape = "\\b"; break;
        case '\f': escape = "\\f"; break;
        case '\n': escape = "\\n"; break;
        case '\r': escape = "\\r"; break;
        case '\t': escape = "\\t"; break;
        default:
          unicode[0] = '\\';
          unicode[1] = 'u';
          unicode[2] = '0';
          unicode[3] = '0';
          unicode[4] = hex[c >> 4];
          unicode[5] = hex[c & 0xf];
          unicode[6] = '\0';
          escape = unicode;
          break;
        }

      g_string_append_len (out, run, p - run);
      g_string_append (out, escape);
      run = p + 1;
    }
  g_string_append_len (out, run, p - run);
  g_string_append_c (out, '"');
}

static void
append_member (GString    *out,
               const char *name)
{
  g_string_append_c (out, '"');
  g_string_append (out, name);
  g_string_append (out, "\":");
}

static void
add_string (GString    *out,
            const char *name,
            const char *value,
            gboolean    first)
{
  if (!first)
    g_string_append_c (out, ',');
  append_member (out, name);
  append_string (out, value != NULL ? value : "");
}

static void
add_string_or_null (GString    *out,
                    const char *name,
                    const char *value)
{
  g_string_append_c (out, ',');
  append_member (out, name);
  if (value != NULL)
    append_string (out, value);
  else
    g_string_append (out, "null");
}

static void
append_int (GString *out,
            gint64   value)
{
  char digits[24];
  guint64 magnitude = value < 0 ? (guint64) 0 - (guint64) value : (guint64) value;
  int i = sizeof digits;

  do
    {
      digits[--i] = (char) ('0' + magnitude % 10);
      magnitude /= 10;
    }
  while (magnitude > 0);
  if (value < 0)
    digits[--i] = '-';

  g_string_append_len (out, digits + i, (gssize) sizeof digits - i);
}

static void
add_int (GString    *out,
         const char *name,
         gint64      value)
{
  g_string_append_c (out, ',');
  append_member (out, name);
  append_int (out, value);
}

/* "YYYY-MM-DDTHH:MM:SSZ" as bd_time_to_iso8601() writes it, without a
 * GDateTime: days to civil date after Howard Hinnant's days_from_civil
 * inverse. FALSE outside GDateTime's years 1–9999, where the codec has no
 * text either. */
static gboolean
format_utc (gint64  unix_utc,
            char    text[21])
{
  gint64 days;
  gint64 seconds;
  gint64 era;
  gint64 doe;
  gint64 yoe;
  gint64 doy;
  gint64 mp;
  gint64 year;
  gint64 month;
  gint64 day;

  if (unix_utc < G_GINT64_CONSTANT (-62135596800) || unix_utc > G_GINT64_CONSTANT (253402300799))
    return FALSE;

  days = unix_utc >= 0 ? unix_utc / 86400 : -((-unix_utc + 86399) / 86400);
  seconds = unix_utc - days * 86400;

  days += 719468;
  era = (days >= 0 ? days : days - 146096) / 146097;
  doe = days - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = yoe + era * 400 + (month <= 2);

  /* Years before 1000 unpadded, as g_date_time_format()'s %Y gives them. */
  g_snprintf (text, 21, "%d-%02d-%02dT%02d:%02d:%02dZ",
              (int) year, (int) month, (int) day,
              (int) (seconds / 3600), (int) (seconds / 60 % 60), (int) (seconds % 60));
  return TRUE;
}

static void
add_time (GString    *out,
          const char *name,
          gint64      unix_utc,
          gboolean    nullable)
{
  char text[21];

  if ((unix_utc == 0 && nullable) || !format_utc (unix_utc, text))
    add_string_or_null (out, name, NULL);
  else
    add_string_or_null (out, name, text);
}

void
bd_central_json_append_consumer (GString    *out,
                                 BdConsumer *consumer)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (BD_IS_CONSUMER (consumer));

  /* Member order as build_consumer() in core/bd-codec.c. */
  g_string_append_c (out, '{');
  add_string (out, "account", bd_consumer_get_account (consumer), TRUE);
  add_string (out, "name_en", bd_consumer_get_name_en (consumer), FALSE);
  add_string (out, "name_hi", bd_consumer_get_name_hi (consumer), FALSE);
  add_string (out, "relation_en", bd_consumer_get_relation_en (consumer), FALSE);
  add_string (out, "relation_hi", bd_consumer_get_relation_hi (consumer), FALSE);
  add_string (out, "address", bd_consumer_get_address (consumer), FALSE);
  add_string_or_null (out, "mobile", bd_consumer_get_mobile (consumer));
  g_string_append (out, bd_consumer_get_mobile_verified (consumer)
                   ? ",\"mobile_verified\":true" : ",\"mobile_verified\":false");
  add_string (out, "meter_serial", bd_consumer_get_meter_serial (consumer), FALSE);
  add_string (out, "meter_make", bd_consumer_get_meter_make (consumer), FALSE);
  add_string (out, "meter_type", bd_meter_type_to_string (bd_consumer_get_meter_type (consumer)), FALSE);
  add_string (out, "category", bd_consumer_get_category (consumer), FALSE);
  add_int (out, "sanctioned_load_w", bd_consumer_get_sanctioned_load_w (consumer));
  add_string (out, "phase", bd_phase_to_string (bd_consumer_get_phase (consumer)), FALSE);
  add_string (out, "feeder", bd_consumer_get_feeder (consumer), FALSE);
  add_string (out, "dt", bd_consumer_get_dt (consumer), FALSE);
  add_string (out, "pole", bd_consumer_get_pole (consumer), FALSE);
  add_string (out, "zone", bd_consumer_get_zone (consumer), FALSE);
  add_string (out, "area_type", bd_area_type_to_string (bd_consumer_get_area_type (consumer)), FALSE);
  add_string (out, "supply_status",
              bd_supply_status_to_string (bd_consumer_get_supply_status (consumer)), FALSE);
  add_int (out, "balance_paise", bd_consumer_get_balance_paise (consumer));
  add_time (out, "balance_as_of", bd_consumer_get_balance_as_of (consumer), TRUE);
  add_int (out, "version", bd_consumer_get_version (consumer));
  add_time (out, "updated_at", bd_consumer_get_updated_at (consumer), FALSE);
  g_string_append_c (out, '}');
}

char *
bd_central_json_consumer_list (GPtrArray *consumers,
                               gsize     *out_length)
{
  GString *out;

  g_return_val_if_fail (consumers != NULL, NULL);

  out = g_string_sized_new (64 + consumers->len * 700);
  g_string_append (out, "{\"consumers\":[");
  for (guint i = 0; i < consumers->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      bd_central_json_append_consumer (out, g_ptr_array_index (consumers, i));
    }
  g_string_append (out, "]}");

  if (out_length != NULL)
    *out_length = out->len;
  return g_string_free (out, FALSE);
}

char *
bd_central_json_changes_page (BdChangesPage *page,
                              const gint64  *seqs,
                              gsize         *out_length)
{
  GString *out;

  g_return_val_if_fail (page != NULL, NULL);
  g_return_val_if_fail (page->consumers->len == 0 || seqs != NULL, NULL);

  /* Sized once: a page of a thousand is about 700 KB. */
  out = g_string_sized_new (128 + page->consumers->len * 740);
  g_string_append (out, "{\"changes\":[");
  for (guint i = 0; i < page->consumers->len; i++)
    {
      g_string_append (out, i > 0 ? ",{\"kind\":\"consumer\",\"seq\":" : "{\"kind\":\"consumer\",\"seq\":");
      append_int (out, seqs[i]);
      g_string_append (out, ",\"consumer\":");
      bd_central_json_append_consumer (out, g_ptr_array_index (page->consumers, i));
      g_string_append_c (out, '}');
    }
  g_string_append (out, "],");
  add_string (out, "next_cursor", page->next_cursor, TRUE);
  g_string_append (out, page->has_more ? ",\"has_more\":true" : ",\"has_more\":false");
  add_int (out, "remaining", page->remaining);
  g_string_append_c (out, '}');

  if (out_length != NULL)
    *out_length = out->len;
  return g_string_free (out, FALSE);
}
