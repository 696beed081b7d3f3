/* bd-central-db-feed.c: the changes feed, paged by change sequence.
 *
 * Triggers (migration 2) keep feed_buckets, a count of each zone's records
 * per bucket of 2^10 change sequences, so how many records are left after a
 * page, and how many consumers a zone has, cost a sum over a few hundred
 * buckets instead of a count of a million rows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bd-central-db.h"
#include "bd-central-db-private.h"

gint64
bd_central_db_count_consumers (BdCentralDb  *self,
                               const char   *zone,
                               GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), -1);

  /* The feed's bucket counts hold one entry per consumer: summing a few
   * hundred buckets beats counting a million rows. */
  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT COALESCE (SUM (n), 0) FROM feed_buckets "
                              "WHERE ?1 IS NULL OR zone = ?1",
                              error);
  if (stmt == NULL)
    return -1;
  _bd_central_bind_text_or_null (stmt, 1, zone);
  if (bd_sql_stmt_step (stmt) != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "consumer count");
      return -1;
    }

  return bd_sql_stmt_column_int64 (stmt, 0);
}

BdChangesPage *
bd_central_db_changes (BdCentralDb  *self,
                       const char   *zone,
                       gint64        after_seq,
                       guint         limit,
                       GArray      **out_seqs,
                       GError      **error)
{
  g_autoptr(BdCentralCachedStmt) stmt = NULL;
  g_autoptr(BdCentralCachedStmt) remaining_stmt = NULL;
  g_autoptr(BdChangesPage) page = NULL;
  g_autoptr(GArray) seqs = NULL;
  gboolean own_transaction;
  gint64 last_seq = MAX (after_seq, 0);
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);
  g_return_val_if_fail (zone != NULL, NULL);
  g_return_val_if_fail (limit > 0, NULL);

  /* The page and its remaining count come from one snapshot, so they
   * agree even while other connections write. */
  own_transaction = !bd_sql_connection_in_transaction (self->sql);
  if (own_transaction && !bd_sql_connection_begin_read (self->sql, error))
    return NULL;

  stmt = _bd_central_db_cached_stmt (self, STMT_CHANGES, error);
  if (stmt == NULL)
    goto out;
  bd_sql_stmt_bind_text (stmt, 1, zone);
  bd_sql_stmt_bind_int64 (stmt, 2, last_seq);
  bd_sql_stmt_bind_int64 (stmt, 3, limit);

  page = bd_changes_page_new ();
  if (page->consumers == NULL)
    page->consumers = g_ptr_array_new_with_free_func (g_object_unref);
  seqs = g_array_sized_new (FALSE, FALSE, sizeof (gint64), MIN (limit, 1000));

  while ((rc = bd_sql_stmt_step (stmt)) == BD_SQL_ROW)
    {
      gint64 seq = bd_sql_stmt_column_int64 (stmt, COL_EXTRA);

      g_ptr_array_add (page->consumers, _bd_central_db_consumer_from_row (stmt));
      g_array_append_val (seqs, seq);
      last_seq = seq;
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "changes");
      g_clear_pointer (&page, bd_changes_page_free);
      goto out;
    }

  if (page->consumers->len < limit)
    {
      /* The page took everything after the cursor. */
      page->remaining = 0;
    }
  else
    {
      remaining_stmt = _bd_central_db_cached_stmt (self, STMT_REMAINING, error);
      if (remaining_stmt == NULL)
        {
          g_clear_pointer (&page, bd_changes_page_free);
          goto out;
        }
      bd_sql_stmt_bind_text (remaining_stmt, 1, zone);
      bd_sql_stmt_bind_int64 (remaining_stmt, 2, last_seq);
      if (bd_sql_stmt_step (remaining_stmt) != BD_SQL_ROW)
        {
          bd_sql_connection_set_error (self->sql, error, "changes count");
          g_clear_pointer (&page, bd_changes_page_free);
          goto out;
        }
      /* Never negative, even if a hand-edited database broke the counts. */
      page->remaining = MAX (bd_sql_stmt_column_int64 (remaining_stmt, 0), 0);
    }

  page->has_more = page->remaining > 0;
  g_free (page->next_cursor);
  page->next_cursor = g_strdup_printf ("%" G_GINT64_FORMAT, last_seq);

  if (out_seqs != NULL)
    *out_seqs = g_steal_pointer (&seqs);

out:
  if (own_transaction)
    {
      /* A stepped statement would hold the snapshot open past COMMIT. */
      if (stmt != NULL)
        bd_sql_stmt_reset (stmt);
      if (remaining_stmt != NULL)
        bd_sql_stmt_reset (remaining_stmt);

      if (!bd_sql_connection_commit (self->sql, NULL))
        {
          /* A read transaction cannot fail to commit in a way that loses
           * data; leaving it open would pin the WAL, so roll it back. */
          bd_sql_connection_rollback (self->sql);
        }
    }

  return g_steal_pointer (&page);
}
