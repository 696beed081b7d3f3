/* bd-changes-page-parse.c: a page of the changes feed straight from its text.
 *
 * A page of 1000 consumers is 700 KB of JSON. json-glib builds a tree of
 * nodes for it (about 14 ms here) that bd_changes_page_from_json() then
 * walks (about 5 ms); during a first sync through the feed that decoding
 * is the slowest stage of the pipeline. This reads the text once, in one
 * pass, into the consumers.
 *
 * It handles the page as bijli-central writes it, and gives up (returns
 * NULL) on anything else: malformed JSON, a member twice, a value of the
 * wrong type or out of range, a field that fails validation. The caller
 * then decodes through json-glib, which accepts exactly what it accepted
 * before and says precisely what is wrong. So the result of a page is the
 * same either way; only the time differs. test-codec compares the two on
 * real pages and on every mutation of them the fuzzer makes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "bd-changes-page.h"
#include "bd-codec-private.h"
#include "bd-time.h"
#include "bd-validate.h"

/* As in bd-codec.c. */
#define MAX_TEXT_CHARS   1024
#define MAX_CURSOR_CHARS 64

typedef struct
{
  const char *p;
  const char *end;
  GString    *text;   /* the last string read, unescaped */
} Scanner;

static void
skip_space (Scanner *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
    s->p++;
}

/* Skips space, then takes c if it is next. */
static gboolean
take (Scanner *s,
      char     c)
{
  skip_space (s);
  if (s->p < s->end && *s->p == c)
    {
      s->p++;
      return TRUE;
    }
  return FALSE;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
read_hex4 (Scanner  *s,
           gunichar *out)
{
  gunichar value = 0;

  if (s->end - s->p < 4)
    return FALSE;
  for (int i = 0; i < 4; i++)
    {
      int digit = hex_value (s->p[i]);

      if (digit < 0)
        return FALSE;
      value = value * 16 + (gunichar) digit;
    }
  s->p += 4;
  *out = value;
  return TRUE;
}

/* A JSON string into s->text: escapes resolved, valid UTF-8 and NUL-free
 * (what json-glib would hand over), else FALSE. */
static gboolean
read_string (Scanner *s)
{
  g_string_truncate (s->text, 0);
  if (!take (s, '"'))
    return FALSE;
  for (;;)
    {
      const char *run = s->p;

      while (s->p < s->end && *s->p != '"' && *s->p != '\\' && (guchar) *s->p >= 0x20)
        s->p++;
      g_string_append_len (s->text, run, s->p - run);
      if (s->p >= s->end || (guchar) *s->p < 0x20)
        return FALSE;
      if (*s->p == '"')
        {
          s->p++;
          break;
        }

      /* A backslash. */
      s->p++;
      if (s->p >= s->end)
        return FALSE;
      switch (*s->p++)
        {
        case '"':  g_string_append_c (s->text, '"'); break;
        case '\\': g_string_append_c (s->text, '\\'); break;
        case '/':  g_string_append_c (s->text, '/'); break;
        case 'b':  g_string_append_c (s->text, '\b'); break;
        case 'f':  g_string_append_c (s->text, '\f'); break;
        case 'n':  g_string_append_c (s->text, '\n'); break;
        case 'r':  g_string_append_c (s->text, '\r'); break;
        case 't':  g_string_append_c (s->text, '\t'); break;
        case 'u':
          {
            gunichar c, low;

            if (!read_hex4 (s, &c))
              return FALSE;
            if (c >= 0xD800 && c <= 0xDBFF)
              {
                if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u')
                  return FALSE;
                s->p += 2;
                if (!read_hex4 (s, &low) || low < 0xDC00 || low > 0xDFFF)
                  return FALSE;
                c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
              }
            else if (c >= 0xDC00 && c <= 0xDFFF)
              return FALSE;
            /* A NUL would end the C string early: leave it to json-glib. */
            if (c == 0)
              return FALSE;
            g_string_append_unichar (s->text, c);
          }
          break;
        default:
          return FALSE;
        }
    }
  return g_utf8_validate (s->text->str, (gssize) s->text->len, NULL);
}

/* A string of at most max_chars characters. */
static gboolean
read_text (Scanner *s,
           gsize    max_chars)
{
  if (!read_string (s))
    return FALSE;
  return s->text->len <= max_chars || g_utf8_strlen (s->text->str, (gssize) s->text->len) <= (glong) max_chars;
}

/* An integer as json-glib reads one (no fraction, no exponent) in range. */
static gboolean
read_int (Scanner *s,
          gint64   min,
          gint64   max,
          gint64  *out)
{
  gboolean negative;
  guint64 value = 0;
  const char *digits;

  skip_space (s);
  negative = s->p < s->end && *s->p == '-';
  if (negative)
    s->p++;
  digits = s->p;
  while (s->p < s->end && g_ascii_isdigit (*s->p))
    {
      if (value > (G_MAXUINT64 - 9) / 10)
        return FALSE;
      value = value * 10 + (guint64) (*s->p - '0');
      s->p++;
    }
  if (s->p == digits || (s->p - digits > 1 && *digits == '0'))
    return FALSE;
  if (s->p < s->end && (*s->p == '.' || *s->p == 'e' || *s->p == 'E'))
    return FALSE;
  if (negative ? value > (guint64) G_MAXINT64 + 1 : value > (guint64) G_MAXINT64)
    return FALSE;
  *out = negative ? (gint64) (0 - value) : (gint64) value;
  return *out >= min && *out <= max;
}

static gboolean
read_word (Scanner    *s,
           const char *word)
{
  gsize length = strlen (word);

  skip_space (s);
  if ((gsize) (s->end - s->p) < length || memcmp (s->p, word, length) != 0)
    return FALSE;
  s->p += length;
  return TRUE;
}

static gboolean
read_bool (Scanner  *s,
           gboolean *out)
{
  if (read_word (s, "true"))
    *out = TRUE;
  else if (read_word (s, "false"))
    *out = FALSE;
  else
    return FALSE;
  return TRUE;
}

/* For an unknown member: any value, nested at most a few levels. */
static gboolean
skip_value (Scanner *s,
            guint    depth)
{
  gint64 unused_int;

  if (depth > 16)
    return FALSE;
  skip_space (s);
  if (s->p >= s->end)
    return FALSE;
  switch (*s->p)
    {
    case '"':
      return read_string (s);
    case '{':
      s->p++;
      if (take (s, '}'))
        return TRUE;
      do
        {
          if (!read_string (s) || !take (s, ':') || !skip_value (s, depth + 1))
            return FALSE;
        }
      while (take (s, ','));
      return take (s, '}');
    case '[':
      s->p++;
      if (take (s, ']'))
        return TRUE;
      do
        {
          if (!skip_value (s, depth + 1))
            return FALSE;
        }
      while (take (s, ','));
      return take (s, ']');
    case 't':
      return read_word (s, "true");
    case 'f':
      return read_word (s, "false");
    case 'n':
      return read_word (s, "null");
    default:
      /* Only integers: a fraction makes it give up, which is safe. */
      return read_int (s, G_MININT64, G_MAXINT64, &unused_int);
    }
}

/* Reads "name": of a member. A name among names gives its index, once
 * only (seen has a bit per name); any other name has its value skipped and
 * gives -1. FALSE on malformed text or a member twice. */
static gboolean
read_member (Scanner            *s,
             const char * const *names,
             guint               n_names,
             guint32            *seen,
             int                *out_index)
{
  if (!read_string (s) || !take (s, ':'))
    return FALSE;
  *out_index = -1;
  for (guint i = 0; i < n_names; i++)
    {
      if (strcmp (s->text->str, names[i]) == 0)
        {
          if (*seen & (1u << i))
            return FALSE;
          *seen |= 1u << i;
          *out_index = (int) i;
          return TRUE;
        }
    }
  return skip_value (s, 1);
}

enum {
  C_ACCOUNT, C_NAME_EN, C_NAME_HI, C_RELATION_EN, C_RELATION_HI, C_ADDRESS, C_METER_SERIAL,
  C_METER_MAKE, C_CATEGORY, C_FEEDER, C_DT, C_POLE, C_ZONE, C_MOBILE, C_MOBILE_VERIFIED,
  C_METER_TYPE, C_SANCTIONED_LOAD_W, C_PHASE, C_AREA_TYPE, C_SUPPLY_STATUS, C_BALANCE_PAISE,
  C_BALANCE_AS_OF, C_VERSION, C_UPDATED_AT, N_CONSUMER_FIELDS
};

static const char * const consumer_fields[N_CONSUMER_FIELDS] = {
  "account", "name_en", "name_hi", "relation_en", "relation_hi", "address", "meter_serial",
  "meter_make", "category", "feeder", "dt", "pole", "zone", "mobile", "mobile_verified",
  "meter_type", "sanctioned_load_w", "phase", "area_type", "supply_status", "balance_paise",
  "balance_as_of", "version", "updated_at",
};

/* The plain text members, in the order of consumer_fields. */
static void (* const text_setters[]) (BdConsumer *, const char *) = {
  NULL, bd_consumer_set_name_en, bd_consumer_set_name_hi, bd_consumer_set_relation_en,
  bd_consumer_set_relation_hi, bd_consumer_set_address, bd_consumer_set_meter_serial,
  bd_consumer_set_meter_make, bd_consumer_set_category, bd_consumer_set_feeder,
  bd_consumer_set_dt, bd_consumer_set_pole, bd_consumer_set_zone,
};

/* Wire name to enum, straight into the consumer; FALSE if unknown. */
#define ENUM_SETTER(Type, name)                                                 \
  static gboolean set_##name (BdConsumer *c, const char *text)                  \
  {                                                                             \
    Type value;                                                                 \
    if (!bd_##name##_from_string (text, &value))                                \
      return FALSE;                                                             \
    bd_consumer_set_##name (c, value);                                          \
    return TRUE;                                                                \
  }

ENUM_SETTER (BdMeterType, meter_type)
ENUM_SETTER (BdPhase, phase)
ENUM_SETTER (BdAreaType, area_type)
ENUM_SETTER (BdSupplyStatus, supply_status)

static gboolean
set_enum (BdConsumer *c,
          int         index,
          const char *text)
{
  switch (index)
    {
    case C_METER_TYPE:   return set_meter_type (c, text);
    case C_PHASE:        return set_phase (c, text);
    case C_AREA_TYPE:    return set_area_type (c, text);
    case C_SUPPLY_STATUS:
    default:             return set_supply_status (c, text);
    }
}

/* A time member: ISO 8601 (at most 64 characters), or null if nullable. */
static gboolean
read_time (Scanner  *s,
           gboolean  nullable,
           gint64   *out)
{
  *out = 0;
  if (nullable && read_word (s, "null"))
    return TRUE;
  return read_text (s, 64) && bd_time_from_iso8601 (s->text->str, out);
}

/* A consumer object, validated as bd_consumer_from_json() does. */
static BdConsumer *
read_consumer (Scanner *s)
{
  g_autoptr(BdConsumer) c = NULL;
  g_autofree char *account = NULL;
  g_autofree char *mobile = NULL;
  guint32 seen = 0;
  gboolean verified = FALSE;
  gint64 value, as_of = 0, updated_at = 0;

  if (!take (s, '{'))
    return NULL;
  /* The account first: bijli-central writes it first, and the record is
   * made from it. Anything else is for json-glib. */
  {
    int index;
    g_autofree char *normalized = NULL;

    if (!read_member (s, consumer_fields, N_CONSUMER_FIELDS, &seen, &index) || index != C_ACCOUNT ||
        !read_text (s, 32))
      return NULL;
    normalized = bd_account_normalize (s->text->str, NULL);
    if (normalized == NULL || strcmp (normalized, s->text->str) != 0)
      return NULL;
    account = g_strdup (s->text->str);
    c = bd_consumer_new (account);
  }

  while (take (s, ','))
    {
      int index;

      if (!read_member (s, consumer_fields, N_CONSUMER_FIELDS, &seen, &index))
        return NULL;
      if (index < 0)
        continue;   /* a member this reader does not know, skipped */

      switch (index)
        {
        case C_MOBILE:
          if (read_word (s, "null"))
            break;
          {
            g_autofree char *normalized = NULL;

            if (!read_text (s, 16))
              return NULL;
            normalized = bd_mobile_normalize (s->text->str, NULL);
            if (normalized == NULL || strcmp (normalized, s->text->str) != 0)
              return NULL;
            mobile = g_strdup (s->text->str);
          }
          break;
        case C_MOBILE_VERIFIED:
          if (!read_bool (s, &verified))
            return NULL;
          break;
        case C_METER_TYPE:
        case C_PHASE:
        case C_AREA_TYPE:
        case C_SUPPLY_STATUS:
          if (!read_text (s, MAX_TEXT_CHARS) || !set_enum (c, index, s->text->str))
            return NULL;
          break;
        case C_SANCTIONED_LOAD_W:
          if (!read_int (s, 0, G_GINT64_CONSTANT (100000000), &value))
            return NULL;
          bd_consumer_set_sanctioned_load_w (c, value);
          break;
        case C_BALANCE_PAISE:
          if (!read_int (s, -G_GINT64_CONSTANT (1000000000), G_GINT64_CONSTANT (1000000000), &value))
            return NULL;
          bd_consumer_set_balance_paise (c, value);
          break;
        case C_BALANCE_AS_OF:
          if (!read_time (s, TRUE, &as_of))
            return NULL;
          break;
        case C_VERSION:
          if (!read_int (s, 0, G_MAXINT64, &value))
            return NULL;
          bd_consumer_set_version (c, value);
          break;
        case C_UPDATED_AT:
          if (!read_time (s, FALSE, &updated_at))
            return NULL;
          break;
        case C_ACCOUNT:
        default:
          if (index >= (int) G_N_ELEMENTS (text_setters) || text_setters[index] == NULL ||
              !read_text (s, MAX_TEXT_CHARS))
            return NULL;
          text_setters[index] (c, s->text->str);
          break;
        }
    }
  if (!take (s, '}') || seen != (1u << N_CONSUMER_FIELDS) - 1)
    return NULL;

  bd_consumer_set_mobile (c, mobile);
  bd_consumer_set_mobile_verified (c, verified && mobile != NULL);
  bd_consumer_set_balance_as_of (c, as_of);
  bd_consumer_set_updated_at (c, updated_at);
  return g_steal_pointer (&c);
}

enum { K_KIND, K_SEQ, K_CONSUMER, N_CHANGE_FIELDS };
static const char * const change_fields[N_CHANGE_FIELDS] = { "kind", "seq", "consumer" };

/* {"kind": "consumer", "seq": N, "consumer": {...}} in any member order. */
static gboolean
read_change (Scanner       *s,
             BdChangesPage *page)
{
  g_autoptr(BdConsumer) consumer = NULL;
  guint32 seen = 0;
  gint64 seq;

  if (!take (s, '{'))
    return FALSE;
  do
    {
      int index;

      if (!read_member (s, change_fields, N_CHANGE_FIELDS, &seen, &index))
        return FALSE;
      if (index < 0)
        continue;   /* a member this reader does not know, skipped */
      switch (index)
        {
        case K_KIND:
          if (!read_text (s, 32) || strcmp (s->text->str, "consumer") != 0)
            return FALSE;
          break;
        case K_SEQ:
          if (!read_int (s, 1, G_MAXINT64, &seq))
            return FALSE;
          break;
        case K_CONSUMER:
        default:
          consumer = read_consumer (s);
          if (consumer == NULL)
            return FALSE;
          break;
        }
    }
  while (take (s, ','));
  if (!take (s, '}') || seen != (1u << N_CHANGE_FIELDS) - 1)
    return FALSE;
  g_ptr_array_add (page->consumers, g_steal_pointer (&consumer));
  return TRUE;
}

enum { P_CHANGES, P_NEXT_CURSOR, P_HAS_MORE, P_REMAINING, N_PAGE_FIELDS };
static const char * const page_fields[N_PAGE_FIELDS] = { "changes", "next_cursor", "has_more", "remaining" };

BdChangesPage *
bd_changes_page_parse_fast (const char *json,
                            gsize       length)
{
  g_autoptr(BdChangesPage) page = bd_changes_page_new ();
  g_autoptr(GString) text = g_string_sized_new (256);
  Scanner s = { json, json + length, text };
  guint32 seen = 0;

  g_return_val_if_fail (json != NULL || length == 0, NULL);

  if (!take (&s, '{'))
    return NULL;
  do
    {
      int index;

      if (!read_member (&s, page_fields, N_PAGE_FIELDS, &seen, &index))
        return NULL;
      if (index < 0)
        continue;   /* a member this reader does not know, skipped */
      switch (index)
        {
        case P_CHANGES:
          if (!take (&s, '['))
            return NULL;
          if (take (&s, ']'))
            break;
          do
            {
              if (page->consumers->len >= BD_CODEC_MAX_LIST_ITEMS || !read_change (&s, page))
                return NULL;
            }
          while (take (&s, ','));
          if (!take (&s, ']'))
            return NULL;
          break;
        case P_NEXT_CURSOR:
          if (!read_text (&s, MAX_CURSOR_CHARS) || s.text->len == 0)
            return NULL;
          g_free (page->next_cursor);
          page->next_cursor = g_strdup (s.text->str);
          break;
        case P_HAS_MORE:
          if (!read_bool (&s, &page->has_more))
            return NULL;
          break;
        case P_REMAINING:
        default:
          if (!read_int (&s, 0, G_MAXINT64, &page->remaining))
            return NULL;
          break;
        }
    }
  while (take (&s, ','));
  if (!take (&s, '}') || seen != (1u << N_PAGE_FIELDS) - 1)
    return NULL;
  skip_space (&s);
  if (s.p != s.end)
    return NULL;
  return g_steal_pointer (&page);
}
