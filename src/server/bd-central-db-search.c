/* bd-central-db-search.c: search within a zone, by account, mobile or
 * meter serial (exact, indexed), or by name in FTS5 tiers: whole words,
 * then prefixes, then spelling keys.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "core/bd-name-key.h"
#include "core/bd-validate.h"

#include "bd-central-db.h"
#include "bd-central-db-private.h"

/* Name search: each tier reads at most this many matches of the caller's
 * zone (more when a large limit asks for it) and orders only those. Ranking
 * every match is O(matches): 300 ms for a common prefix in a million. */
#define SEARCH_CANDIDATES 64
/* bd_name_keys_text() keys at most eight words; more would never match. */
#define SEARCH_MAX_WORDS  8

static GPtrArray *
collect_consumers (BdCentralDb   *self,
                   BdSqlStmt  *stmt,
                   GError       **error)
{
  g_autoptr(GPtrArray) consumers = g_ptr_array_new_with_free_func (g_object_unref);
  int rc;

  while ((rc = bd_sql_stmt_step (stmt)) == BD_SQL_ROW)
    g_ptr_array_add (consumers, _bd_central_db_consumer_from_row (stmt));

  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "consumer query");
      return NULL;
    }

  return g_steal_pointer (&consumers);
}

static void
append_fts_string (GString    *expr,
                   const char *text)
{
  g_string_append_c (expr, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (expr, '"');
      g_string_append_c (expr, *p);
    }
  g_string_append_c (expr, '"');
}

/* "{columns} : ("w1" "w2"*)": every word quoted, so nothing the operator
 * types is read as FTS syntax (NEAR, OR, column filters…). Words that are
 * empty are skipped; NULL if none is left. */
static char *
match_expression (const char         *columns,
                  const char * const *words,
                  gboolean            prefix)
{
  g_autoptr(GString) expr = g_string_new (columns);
  guint n = 0;

  g_string_append (expr, " : (");
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (*words[i] == '\0')
        continue;
      if (n++ > 0)
        g_string_append_c (expr, ' ');
      append_fts_string (expr, words[i]);
      if (prefix)
        g_string_append_c (expr, '*');
    }
  g_string_append_c (expr, ')');

  if (n == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&expr), FALSE);
}

/* Spelling keys match whole keys, except that the last word, which the
 * operator may still be typing, matches as a prefix once its key has three
 * letters: a shorter consonant skeleton ("श्री" → "शर") starts too many
 * unrelated names. */
static char *
fuzzy_expression (char **keys)
{
  g_autoptr(GString) expr = g_string_new ("name_key : (");
  guint n = 0;
  guint last = 0;

  for (guint i = 0; keys[i] != NULL; i++)
    {
      if (*keys[i] != '\0')
        last = i;
    }

  for (guint i = 0; keys[i] != NULL; i++)
    {
      if (*keys[i] == '\0')
        continue;
      if (n++ > 0)
        g_string_append_c (expr, ' ');
      append_fts_string (expr, keys[i]);
      if (i == last && g_utf8_strlen (keys[i], -1) >= 3)
        g_string_append_c (expr, '*');
    }
  g_string_append_c (expr, ')');

  if (n == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&expr), FALSE);
}

/* Above every character: a prefix's range of consumer_words ends here. */
#define LAST_CHARACTER "\xf4\x8f\xbf\xbf"   /* U+10FFFF */

/* PostgreSQL: "'w1' & 'w2':*", the words split and lowered as
 * bijli_words() (bd-central-db-postgresql.h) splits and lowers names. With
 * prefix_last, only the last word is a prefix, once it has three letters
 * (see fuzzy_expression()). NULL if no word is left. The search walks the
 * range [*out_low, *out_high] of the longest word (the likeliest to be
 * rare) and checks the others on each row it finds. */
static char *
tsquery_expression (const char * const *words,
                    gboolean            prefix,
                    gboolean            prefix_last,
                    char              **out_low,
                    char              **out_high)
{
  glong longest = -1;

  g_autoptr(GString) expr = g_string_new (NULL);
  g_autoptr(GPtrArray) terms = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autofree char *lower = g_utf8_strdown (words[i], -1);
      g_autoptr(GString) term = g_string_new (NULL);

      for (const char *p = lower; ; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          if (c != 0 && (g_unichar_isalnum (c) || (c >= 0x900 && c <= 0x97F)))
            {
              g_string_append_unichar (term, c);
              continue;
            }
          if (term->len > 0)
            g_ptr_array_add (terms, g_string_free (g_steal_pointer (&term), FALSE));
          if (c == 0)
            break;
          term = g_string_new (NULL);
        }
    }

  for (guint i = 0; i < terms->len; i++)
    {
      const char *term = g_ptr_array_index (terms, i);
      gboolean is_prefix;

      if (i > 0)
        g_string_append (expr, " & ");
      g_string_append_c (expr, '\'');
      for (const char *p = term; *p != '\0'; p++)
        {
          if (*p == '\'' || *p == '\\')
            g_string_append_c (expr, *p);
          g_string_append_c (expr, *p);
        }
      g_string_append_c (expr, '\'');
      is_prefix = prefix || (prefix_last && i == terms->len - 1 && g_utf8_strlen (term, -1) >= 3);
      if (is_prefix)
        g_string_append (expr, ":*");
      if (g_utf8_strlen (term, -1) > longest)
        {
          longest = g_utf8_strlen (term, -1);
          g_free (*out_low);
          g_free (*out_high);
          *out_low = g_strdup (term);
          *out_high = is_prefix ? g_strconcat (term, LAST_CHARACTER, NULL) : g_strdup (term);
        }
    }

  if (terms->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&expr), FALSE);
}

/* Adds the tier's matches not already found, up to limit results. */
static gboolean
search_name_tier (BdCentralDb     *self,
                  const char      *zone,
                  BdCentralStmt    which,
                  const char      *match,
                  const char      *low,
                  const char      *high,
                  BdCentralMatch   tier,
                  guint            limit,
                  GPtrArray       *results,
                  GArray          *tiers,
                  GHashTable      *seen,
                  GError         **error)
{
  g_autoptr(BdCentralCachedStmt) stmt = NULL;
  guint wanted = limit - results->len + g_hash_table_size (seen);
  int rc = BD_SQL_DONE;

  if (match == NULL || results->len >= limit)
    return TRUE;

  stmt = _bd_central_db_cached_stmt (self, which, error);
  if (stmt == NULL)
    return FALSE;

  bd_sql_stmt_bind_text (stmt, 1, match);
  bd_sql_stmt_bind_text (stmt, 2, zone);
  bd_sql_stmt_bind_int64 (stmt, 3, MAX (SEARCH_CANDIDATES, wanted));
  bd_sql_stmt_bind_int64 (stmt, 4, wanted);
  if (low != NULL)
    {
      bd_sql_stmt_bind_text (stmt, 5, low);
      bd_sql_stmt_bind_text (stmt, 6, high);
    }

  while (results->len < limit && (rc = bd_sql_stmt_step (stmt)) == BD_SQL_ROW)
    {
      gint64 rowid = bd_sql_stmt_column_int64 (stmt, COL_EXTRA);

      if (!g_hash_table_add (seen, g_memdup2 (&rowid, sizeof rowid)))
        continue;
      g_ptr_array_add (results, _bd_central_db_consumer_from_row (stmt));
      g_array_append_val (tiers, tier);
    }

  if (rc != BD_SQL_ROW && rc != BD_SQL_DONE)
    {
      g_autoptr(GError) local_error = NULL;

      /* The query parser and the tokenizer split words alike, so this is
       * not expected; if odd input ever slips through, it matches nothing
       * rather than failing the whole search. */
      bd_sql_connection_set_error (self->sql, &local_error, "name search");
      if (strstr (local_error->message, "fts5:") != NULL)
        {
          g_debug ("Name search tier skipped: %s", local_error->message);
          return TRUE;
        }
      bd_sql_connection_set_error (self->sql, error, "name search");
      return FALSE;
    }

  return TRUE;
}

static gboolean
search_names (BdCentralDb  *self,
              const char   *zone,
              GStrv         query_words,
              guint         limit,
              GPtrArray    *results,
              GArray       *tiers,
              GError      **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GPtrArray) words = g_ptr_array_new ();
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *exact = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *fuzzy = NULL;
  /* PostgreSQL: each tier's range of consumer_words. */
  g_autofree char *exact_low = NULL, *exact_high = NULL;
  g_autofree char *prefix_low = NULL, *prefix_high = NULL;
  g_autofree char *fuzzy_low = NULL, *fuzzy_high = NULL;

  for (guint i = 0; query_words[i] != NULL && words->len < SEARCH_MAX_WORDS; i++)
    {
      g_ptr_array_add (words, query_words[i]);
      g_ptr_array_add (keys, bd_name_key (query_words[i]));
    }
  g_ptr_array_add (words, NULL);
  g_ptr_array_add (keys, NULL);

  if (bd_sql_connection_get_dialect (self->sql) == BD_SQL_DIALECT_POSTGRESQL)
    {
      exact = tsquery_expression ((const char * const *) words->pdata, FALSE, FALSE, &exact_low, &exact_high);
      prefix = tsquery_expression ((const char * const *) words->pdata, TRUE, FALSE, &prefix_low, &prefix_high);
      fuzzy = tsquery_expression ((const char * const *) keys->pdata, FALSE, TRUE, &fuzzy_low, &fuzzy_high);
    }
  else
    {
      exact = match_expression ("{name_en name_hi}", (const char * const *) words->pdata, FALSE);
      prefix = match_expression ("{name_en name_hi}", (const char * const *) words->pdata, TRUE);
      fuzzy = fuzzy_expression ((char **) keys->pdata);
    }

  return search_name_tier (self, zone, STMT_FIND_NAMES, exact, exact_low, exact_high,
                           BD_CENTRAL_MATCH_NAME_EXACT, limit, results, tiers, seen, error) &&
         search_name_tier (self, zone, STMT_FIND_NAMES, prefix, prefix_low, prefix_high,
                           BD_CENTRAL_MATCH_NAME_PREFIX, limit, results, tiers, seen, error) &&
         search_name_tier (self, zone, STMT_FIND_NAME_KEYS, fuzzy, fuzzy_low, fuzzy_high,
                           BD_CENTRAL_MATCH_NAME_FUZZY, limit, results, tiers, seen, error);
}

GPtrArray *
bd_central_db_search (BdCentralDb  *self,
                      const char   *zone,
                      const char   *text,
                      guint         limit,
                      GArray      **out_matches,
                      GError      **error)
{
  g_autoptr(BdSearchQuery) query = NULL;
  g_autoptr(BdCentralCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) matches = g_array_new (FALSE, FALSE, sizeof (BdCentralMatch));
  BdCentralMatch identifier = BD_CENTRAL_MATCH_IDENTIFIER;
  BdCentralStmt which;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);
  g_return_val_if_fail (zone != NULL, NULL);

  if (text == NULL || limit == 0 || !g_utf8_validate (text, -1, NULL))
    goto done;

  query = bd_search_query_parse (text);
  switch (query->kind)
    {
    case BD_QUERY_KIND_ACCOUNT:
      which = STMT_FIND_ACCOUNT;
      break;
    case BD_QUERY_KIND_MOBILE:
      which = STMT_FIND_MOBILE;
      break;
    case BD_QUERY_KIND_ACCOUNT_OR_MOBILE:
      which = STMT_FIND_ACCOUNT_OR_MOBILE;
      break;
    case BD_QUERY_KIND_METER_SERIAL:
      which = STMT_FIND_METER;
      break;
    case BD_QUERY_KIND_NAME:
      if (query->words == NULL || query->words[0] == NULL)
        goto done;
      if (!search_names (self, zone, query->words, limit, results, matches, error))
        return NULL;
      goto done;
    case BD_QUERY_KIND_NONE:
    default:
      goto done;
    }

  stmt = _bd_central_db_cached_stmt (self, which, error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_text (stmt, 1, zone);
  bd_sql_stmt_bind_text (stmt, 2, query->identifier);
  bd_sql_stmt_bind_int64 (stmt, 3, limit);

  g_clear_pointer (&results, g_ptr_array_unref);
  results = collect_consumers (self, stmt, error);
  if (results == NULL)
    return NULL;
  for (guint i = 0; i < results->len; i++)
    g_array_append_val (matches, identifier);

done:
  if (out_matches != NULL)
    *out_matches = g_steal_pointer (&matches);
  return g_steal_pointer (&results);
}
