/* bd-name-key.c: spelling-tolerant keys for Indian names in both scripts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bd-name-key.h"
#include "bd-validate.h"

/* The same limits bd_search_query_parse() applies to what it splits. */
#define MAX_WORDS      8
#define MAX_WORD_CHARS 64

/* Longest rules first: each is tried at every position in order. */
static const struct {
  const char *from;
  const char *to;
} latin_rules[] = {
  { "sh", "s" },
  { "ph", "f" },
  { "kh", "k" },
  { "gh", "g" },
  { "th", "t" },
  { "dh", "d" },
  { "bh", "b" },
  { "jh", "j" },
  { "ch", "c" },
  { "ee", "i" },
  { "oo", "u" },
  { "aa", "a" },
  { "w", "v" },
  { "z", "j" },
  { "q", "k" },
  { "y", "i" },
};

static char *
latin_key (const char *lower)
{
  GString *key = g_string_new (NULL);
  const char *p = lower;

  while (*p != '\0')
    {
      gboolean matched = FALSE;

      for (gsize i = 0; i < G_N_ELEMENTS (latin_rules); i++)
        {
          const char *from = latin_rules[i].from;

          /* Every rule is one or two letters: compare them directly. */
          if (p[0] != from[0] || (from[1] != '\0' && p[1] != from[1]))
            continue;
          g_string_append (key, latin_rules[i].to);
          p += from[1] != '\0' ? 2 : 1;
          matched = TRUE;
          break;
        }
      if (!matched)
        g_string_append_c (key, *p++);
    }

  /* Doubled letters (Mohammad/Mohamad, Gupta/Guppta) carry no meaning here. */
  for (gsize i = 1; i < key->len; )
    {
      if (key->str[i] == key->str[i - 1])
        g_string_erase (key, i, 1);
      else
        i++;
    }

  /* Srivastava/Srivastav, Sharma/Sharm: Hindi's inherent final vowel is
   * written or not at the transliterator's whim. */
  if (key->len > 3 && key->str[key->len - 1] == 'a')
    g_string_truncate (key, key->len - 1);

  return g_string_free (key, FALSE);
}

static gboolean
is_devanagari_sign (gunichar c)
{
  return (c >= 0x0900 && c <= 0x0903) ||   /* candrabindu, anusvara, visarga */
         c == 0x093A || c == 0x093B ||
         (c >= 0x093C && c <= 0x094F &&   /* nukta, vowel signs, virama */
          c != 0x093D) ||                 /* avagraha is a letter of sorts */
         (c >= 0x0951 && c <= 0x0957) ||   /* stress signs, length marks */
         c == 0x0962 || c == 0x0963;       /* vocalic vowel signs */
}

char *
bd_name_key (const char *word)
{
  g_autofree char *valid = NULL;
  g_autofree char *decomposed = NULL;
  g_autofree char *folded = NULL;
  GString *key;
  gboolean ascii = TRUE;

  if (word == NULL)
    return g_strdup ("");

  valid = g_utf8_make_valid (word, -1);
  /* NFD splits nukta letters (क़ → क + ◌़) so the nukta can be dropped,
   * as it often is when people type. */
  decomposed = g_utf8_normalize (valid, -1, G_NORMALIZE_NFD);
  folded = g_utf8_casefold (decomposed != NULL ? decomposed : valid, -1);

  key = g_string_new (NULL);
  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_devanagari_sign (c))
        continue;
      /* Latin combining accents (é from NFD) go too. */
      if (g_unichar_type (c) == G_UNICODE_NON_SPACING_MARK)
        continue;
      if (c >= 0x80)
        ascii = FALSE;
      g_string_append_unichar (key, c);
    }

  if (ascii)
    {
      char *latin = latin_key (key->str);
      g_string_free (key, TRUE);
      return latin;
    }
  return g_string_free (key, FALSE);
}

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if ((guchar) *p >= 0x80)
        return FALSE;
    }
  return TRUE;
}

/* Most names on a zone's records are plain ASCII; the desk keys a million
 * of them during its first sync, so they skip Unicode normalisation, which
 * cannot change ASCII. Splits and limits exactly as the general path does. */
static char *
ascii_keys_text (const char *text)
{
  GString *keys = g_string_new (NULL);
  char word[MAX_WORD_CHARS + 1];
  guint n_words = 0;
  gsize len = 0;

  for (const char *p = text; ; p++)
    {
      if (g_ascii_isalnum (*p))
        {
          if (len < MAX_WORD_CHARS)
            word[len++] = g_ascii_tolower (*p);
          continue;
        }

      if (len > 0 && n_words < MAX_WORDS)
        {
          g_autofree char *key = NULL;

          word[len] = '\0';
          key = latin_key (word);
          if (keys->len > 0)
            g_string_append_c (keys, ' ');
          g_string_append (keys, key);
          n_words++;
        }
      len = 0;

      if (*p == '\0')
        break;
    }
  return g_string_free (keys, FALSE);
}

char *
bd_name_keys_text (const char *text)
{
  g_autoptr(BdSearchQuery) query = NULL;
  GString *keys;

  if (text != NULL && is_ascii (text))
    return ascii_keys_text (text);

  query = bd_search_query_parse (text);
  keys = g_string_new (NULL);

  for (guint i = 0; query->words[i] != NULL; i++)
    {
      g_autofree char *key = bd_name_key (query->words[i]);

      if (*key == '\0')
        continue;
      if (keys->len > 0)
        g_string_append_c (keys, ' ');
      g_string_append (keys, key);
    }
  return g_string_free (keys, FALSE);
}
