/* bd-name-key.h: spelling-tolerant keys for Indian names in both scripts.
 *
 * The same person is written Shrivastava, Srivastava or Srivastav, and
 * श्रीवास्तव with or without every matra. A name key folds such variants
 * together so that search can match them as a "fuzzy" tier below exact and
 * prefix matches. The desk's store and bijli-central index the same keys,
 * so a variant finds the same people online and offline.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The key of one word (any case, NFC or not). Latin: lower case, common
 * transliteration variants folded (sh→s, w→v, ph→f, z→j, aspirates, long
 * vowels, doubled letters, a final "a"). Devanagari: vowel signs, virama,
 * nukta and nasal marks dropped, leaving the consonant skeleton and
 * independent vowels. Other characters are kept, lower-cased. Returns "" for
 * a word with nothing left. */
char *bd_name_key       (const char *word);

/* Keys of every word of text, separated by single spaces, for an index
 * column. Words are split as bd_search_query_parse() splits them (so at
 * most its first eight words count: enough for any name). */
char *bd_name_keys_text (const char *text);

G_END_DECLS
