/* bd-consumer-store-index.c: what the FTS table holds, and building it.
 *
 * Names are searched through an FTS5 table keyed by the consumer's rowid.
 * Its names and relations columns hold the consumer's own names and the
 * relation's (father's or husband's) in both scripts, folded as
 * bd_search_query_parse() folds what the operator types, so both sides of
 * a MATCH agree on case and Unicode normalisation; name_keys and
 * relation_keys hold their spelling-tolerant keys (bd_name_key()) for the
 * fuzzy tier, except keys equal to their word, which the fuzzy tier finds
 * in the names columns. Own and relation's names are apart so that a
 * consumer's own name ranks above a relation's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/bd-name-key.h"
#include "core/bd-validate.h"
#include "bd-consumer-store-private.h"

/* Distinct name words whose folding and key the writer remembers. A zone's
 * names are made of a few tens of thousands of words; Unicode normalisation
 * of a Devanagari name costs more than storing its record. */
#define MAX_CACHED_WORDS 200000

static const char fts_delete_sql[] = "DELETE FROM consumers_fts WHERE rowid = ?1";
static const char fts_insert_sql[] =
  "INSERT INTO consumers_fts (rowid, names, relations, name_keys, relation_keys) "
  "VALUES (?1, ?2, ?3, ?4, ?5)";

/* What the FTS table holds for one consumer. */
typedef struct
{
  char *names;
  char *relations;
  char *name_keys;
  char *relation_keys;
} SearchText;

/* One distinct word of a name as written (e.g. "Shrivastava"). */
typedef struct
{
  char *folded;   /* as bd_search_query_parse() folds it */
  char *key;      /* bd_name_key (folded), or NULL when equal to folded */
} WordEntry;

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

/* Same folding as bd_search_query_parse(): NFKC, case fold, NFC. ASCII is
 * left alone: normalisation cannot change it and the tokenizer folds its
 * case, which saves most of the cost of a first sync. */
static char *
fold_for_index (const char *text)
{
  g_autofree char *compat = NULL;
  g_autofree char *folded = NULL;

  if (text == NULL)
    return NULL;
  if (is_ascii (text))
    return g_strdup (text);
  compat = g_utf8_normalize (text, -1, G_NORMALIZE_NFKC);
  if (compat == NULL)
    return NULL;
  folded = g_utf8_casefold (compat, -1);
  return g_utf8_normalize (folded, -1, G_NORMALIZE_NFC);
}

static void
word_entry_free (gpointer data)
{
  WordEntry *entry = data;

  g_free (entry->folded);
  g_free (entry->key);
  g_free (entry);
}

static void
append_word (GString    *text,
             const char *word)
{
  if (text->len > 0)
    g_string_append_c (text, ' ');
  g_string_append (text, word);
}

/* The general way, for any script: what bd_search_query_parse() and
 * bd_name_key() make of text. */
static void
add_text_slow (const char *text,
               GString    *names,
               GString    *keys)
{
  g_autoptr(BdSearchQuery) parsed = bd_search_query_parse (text);
  g_autofree char *folded = fold_for_index (text);

  if (folded != NULL && *folded != '\0')
    append_word (names, folded);
  for (guint i = 0; parsed->words[i] != NULL; i++)
    {
      g_autofree char *key = bd_name_key (parsed->words[i]);

      if (*key != '\0' && !g_str_equal (key, parsed->words[i]))
        append_word (keys, key);
    }
}

/* bd_search_query_parse()'s word characters: letters, decimal digits, marks. */
static gboolean
is_word_char (gunichar c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_LOWERCASE_LETTER:
    case G_UNICODE_UPPERCASE_LETTER:
    case G_UNICODE_TITLECASE_LETTER:
    case G_UNICODE_MODIFIER_LETTER:
    case G_UNICODE_OTHER_LETTER:
    case G_UNICODE_DECIMAL_NUMBER:
    case G_UNICODE_NON_SPACING_MARK:
    case G_UNICODE_SPACING_MARK:
    case G_UNICODE_ENCLOSING_MARK:
      return TRUE;
    default:
      return FALSE;
    }
}

#define FAST_MAX_WORDS      8    /* bd_search_query_parse()'s limits */
#define FAST_MAX_WORD_CHARS 64

/* Names in ASCII and Devanagari, nearly all of a zone, split word by word
 * with each distinct word folded and keyed once. In these scripts NFKC
 * neither joins nor splits words, so folding word by word gives what
 * folding the whole text gives; texts it cannot vouch for (other scripts,
 * more or longer words than bd_search_query_parse() keeps) return FALSE
 * for the general way. */
static gboolean
add_text_fast (GHashTable *words,
               const char *text,
               GString    *names,
               GString    *keys)
{
  const char *starts[FAST_MAX_WORDS];
  gsize lengths[FAST_MAX_WORDS];
  guint n_words = 0;
  const char *start = NULL;
  glong chars = 0;

  if (!g_utf8_validate (text, -1, NULL))
    return FALSE;

  for (const char *p = text; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean word_char;

      if (c >= 0x80 && (c < 0x0900 || c > 0x097F))
        return FALSE;
      word_char = c != 0 && (c < 0x80 ? g_ascii_isalnum (c) : is_word_char (c));

      if (word_char)
        {
          if (start == NULL)
            {
              if (n_words == FAST_MAX_WORDS)
                return FALSE;
              start = p;
              chars = 0;
            }
          if (++chars > FAST_MAX_WORD_CHARS)
            return FALSE;
          continue;
        }
      if (start != NULL)
        {
          starts[n_words] = start;
          lengths[n_words] = p - start;
          n_words++;
          start = NULL;
        }
      if (c == 0)
        break;
    }

  for (guint i = 0; i < n_words; i++)
    {
      char raw[FAST_MAX_WORD_CHARS * 4 + 1];
      WordEntry *entry;

      memcpy (raw, starts[i], lengths[i]);
      raw[lengths[i]] = '\0';
      entry = g_hash_table_lookup (words, raw);
      if (entry == NULL)
        {
          g_autofree char *compat = g_utf8_normalize (raw, -1, G_NORMALIZE_NFKC);
          g_autofree char *casefolded = g_utf8_casefold (compat, -1);

          entry = g_new0 (WordEntry, 1);
          entry->folded = g_utf8_normalize (casefolded, -1, G_NORMALIZE_NFC);
          entry->key = bd_name_key (entry->folded);
          if (*entry->key == '\0' || g_str_equal (entry->key, entry->folded))
            g_clear_pointer (&entry->key, g_free);
          if (g_hash_table_size (words) >= MAX_CACHED_WORDS)
            g_hash_table_remove_all (words);
          g_hash_table_insert (words, g_strdup (raw), entry);
        }
      append_word (names, entry->folded);
      if (entry->key != NULL)
        append_word (keys, entry->key);
    }
  return TRUE;
}

static void
add_text (GHashTable *words,
          const char *text,
          GString    *names,
          GString    *keys)
{
  if (text == NULL || *text == '\0')
    return;
  if (!add_text_fast (words, text, names, keys))
    add_text_slow (text, names, keys);
}

static char *
steal_or_null (GString *text)
{
  if (text->len == 0)
    {
      g_string_free (text, TRUE);
      return NULL;
    }
  return g_string_free (text, FALSE);
}

/* Caller holds the writer's lock (words is the writer's). */
static void
search_text_init (SearchText *text,
                  GHashTable *words,
                  const char *name_en,
                  const char *name_hi,
                  const char *relation_en,
                  const char *relation_hi)
{
  GString *names = g_string_new (NULL);
  GString *relations = g_string_new (NULL);
  GString *name_keys = g_string_new (NULL);
  GString *relation_keys = g_string_new (NULL);

  add_text (words, name_en, names, name_keys);
  add_text (words, name_hi, names, name_keys);
  add_text (words, relation_en, relations, relation_keys);
  add_text (words, relation_hi, relations, relation_keys);
  text->names = steal_or_null (names);
  text->relations = steal_or_null (relations);
  text->name_keys = steal_or_null (name_keys);
  text->relation_keys = steal_or_null (relation_keys);
}

static void
search_text_clear (SearchText *text)
{
  g_clear_pointer (&text->names, g_free);
  g_clear_pointer (&text->relations, g_free);
  g_clear_pointer (&text->name_keys, g_free);
  g_clear_pointer (&text->relation_keys, g_free);
}

/* Caller holds the writer's lock and a transaction. */
static gboolean
index_consumer (BdStoreConnection  *writer,
                sqlite3_int64       rowid,
                const SearchText   *text,
                GError            **error)
{
  g_autoptr(BdCachedStmt) fts = _bd_store_connection_lease (writer, fts_insert_sql, error);

  if (fts == NULL)
    return FALSE;
  sqlite3_bind_int64 (fts, 1, rowid);
  _bd_bind_text_or_null (fts, 2, text->names);
  _bd_bind_text_or_null (fts, 3, text->relations);
  _bd_bind_text_or_null (fts, 4, text->name_keys);
  _bd_bind_text_or_null (fts, 5, text->relation_keys);
  return _bd_store_connection_step_done (writer, fts, _("Updating the search index"), error);
}

GHashTable *
_bd_consumer_store_words_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, word_entry_free);
}

gboolean
_bd_consumer_store_index (BdConsumerStore  *self,
                          sqlite3_int64     rowid,
                          const char       *name_en,
                          const char       *name_hi,
                          const char       *relation_en,
                          const char       *relation_hi,
                          GError          **error)
{
  SearchText text = { NULL, };
  gboolean ok;

  search_text_init (&text, self->words, name_en, name_hi, relation_en, relation_hi);
  ok = index_consumer (self->writer, rowid, &text, error);
  search_text_clear (&text);
  return ok;
}

gboolean
_bd_consumer_store_unindex (BdConsumerStore  *self,
                            sqlite3_int64     rowid,
                            GError          **error)
{
  BdStoreConnection *writer = self->writer;
  g_autoptr(BdCachedStmt) fts = _bd_store_connection_lease (writer, fts_delete_sql, error);

  if (fts == NULL)
    return FALSE;
  sqlite3_bind_int64 (fts, 1, rowid);
  return _bd_store_connection_step_done (writer, fts, _("Updating the search index"), error);
}

/* FTS5's settings while the whole index is written at once: segments are
 * not merged as they are written, since one 'optimize' at the end merges
 * them all into one (a search then reads one segment per term, not dozens),
 * and a larger buffer of postings writes fewer of them. Then back to
 * FTS5's defaults for the few rows a delta changes. */
static const char bulk_fts_settings_sql[] =
  "INSERT INTO consumers_fts (consumers_fts, rank) VALUES ('automerge', 0);"
  "INSERT INTO consumers_fts (consumers_fts, rank) VALUES ('crisismerge', 64);"
  "INSERT INTO consumers_fts (consumers_fts, rank) VALUES ('hashsize', 16777216);";
static const char default_fts_settings_sql[] =
  "INSERT INTO consumers_fts (consumers_fts) VALUES ('optimize');"
  "INSERT INTO consumers_fts (consumers_fts, rank) VALUES ('automerge', 4);"
  "INSERT INTO consumers_fts (consumers_fts, rank) VALUES ('crisismerge', 16);"
  "INSERT INTO consumers_fts (consumers_fts, rank) VALUES ('hashsize', 1048576);";

/* Refills the FTS table from every consumer. Caller holds the writer's
 * lock and a transaction. */
gboolean
_bd_consumer_store_rebuild_search_index (BdConsumerStore  *self,
                                         GError          **error)
{
  BdStoreConnection *writer = self->writer;
  g_autoptr(sqlite3_stmt) rows = NULL;
  int rc;

  if (!bd_database_exec (writer->db, "DELETE FROM consumers_fts", error) ||
      !bd_database_exec (writer->db, bulk_fts_settings_sql, error))
    return FALSE;

  rows = bd_database_prepare (writer->db,
                              "SELECT rowid, name_en, name_hi, relation_en, relation_hi "
                              "FROM consumers", error);
  if (rows == NULL)
    return FALSE;
  while ((rc = sqlite3_step (rows)) == SQLITE_ROW)
    {
      if (!_bd_consumer_store_index (self, sqlite3_column_int64 (rows, 0),
                                     _bd_column_text (rows, 1), _bd_column_text (rows, 2),
                                     _bd_column_text (rows, 3), _bd_column_text (rows, 4),
                                     error))
        return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      bd_database_set_error (writer->db, error, _("Updating the search index"));
      return FALSE;
    }
  g_clear_pointer (&rows, sqlite3_finalize);

  return bd_database_exec (writer->db, default_fts_settings_sql, error) &&
         _bd_store_set_state (writer, "search_index", NULL, SEARCH_INDEX_VERSION, error);
}

/* Refills the FTS table when it was built by another version of the index
 * (or never, right after migration 2), in one transaction. Caller holds
 * the writer's lock. */
gboolean
_bd_consumer_store_ensure_search_index (BdConsumerStore  *self,
                                        GError          **error)
{
  BdStoreConnection *writer = self->writer;
  g_autoptr(BdCachedStmt) state = NULL;
  gint64 version = 0;

  state = _bd_store_connection_lease (writer, _bd_store_get_state_sql, error);
  if (state == NULL)
    return FALSE;
  sqlite3_bind_text (state, 1, "search_index", -1, SQLITE_STATIC);
  if (sqlite3_step (state) == SQLITE_ROW)
    version = sqlite3_column_int64 (state, 0);
  g_clear_pointer (&state, _bd_cached_stmt_release);
  if (version == SEARCH_INDEX_VERSION)
    return TRUE;

  if (!bd_database_begin (writer->db, error))
    return FALSE;
  if (!_bd_consumer_store_rebuild_search_index (self, error) ||
      !bd_database_commit (writer->db, error))
    {
      bd_database_rollback (writer->db);
      return FALSE;
    }
  return TRUE;
}
