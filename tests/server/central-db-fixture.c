/* central-db-fixture.c: what the BdCentralDb tests share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "central-test-url.h"

#include <glib/gstdio.h>

#include "server/bd-demo-generator.h"

#include "central-db-fixture.h"

typedef struct {
  const char *account;
  const char *zone;
  const char *name_en;
  const char *name_hi;
} NamedConsumer;

static const NamedConsumer named[] = {
  { "2100000001", "LKO-C", "Ram Prakash Verma", "राम प्रकाश वर्मा" },
  { "2100000002", "LKO-C", "Ramesh Srivastava", "रमेश श्रीवास्तव" },
  { "2100000003", "LKO-C", "Raam Kumar", "राम कुमार" },
  { "2100000004", "LKO-C", "Anil Shrivastava", "अनिल श्रीवास्तव" },
  { "2100000005", "LKO-C", "Sunita Srivastav", "सुनीता श्रीवास्तव" },
  { "2300000006", "LKO-E", "Ram Prakash Verma", "राम प्रकाश वर्मा" },
  { "2100000007", "LKO-C", "Geeta Devi", "गीता देवी" },
};

char *
fixture_path (Fixture    *fixture,
              const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

BdCentralDb *
open_demo_db (Fixture    *fixture,
              const char *name,
              guint32     seed,
              guint       n)
{
  g_autofree char *path = fixture_path (fixture, name);
  g_autoptr(GError) error = NULL;
  g_autoptr(BdCentralDb) db = bd_central_db_open (central_test_url (path), &error);
  g_autoptr(BdDemoGenerator) generator = bd_demo_generator_new (seed, FIXED_NOW);
  gint64 created;

  g_assert_no_error (error);
  g_assert_nonnull (db);
  bd_demo_generator_set_password_iterations (generator, 1000);
  g_assert_true (bd_demo_generator_create_users (generator, db, &error));
  g_assert_no_error (error);
  created = bd_demo_generator_populate (generator, db, n, &error);
  g_assert_no_error (error);
  g_assert_cmpint (created, ==, n);

  return g_steal_pointer (&db);
}

void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("bijli-central-test-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->db = open_demo_db (fixture, "central.sqlite3", 1912, N_DEMO);
}

void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&fixture->db);

  dir = g_dir_open (fixture->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = fixture_path (fixture, name);
      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

BdConsumer *
make_named_consumer (guint i)
{
  const NamedConsumer *n = &named[i];
  BdConsumer *consumer;

  g_assert_cmpuint (i, <, G_N_ELEMENTS (named));
  consumer = bd_consumer_new (n->account);

  bd_consumer_set_zone (consumer, n->zone);
  bd_consumer_set_name_en (consumer, n->name_en);
  bd_consumer_set_name_hi (consumer, n->name_hi);
  bd_consumer_set_address (consumer, "Hazratganj, Lucknow 226001");
  bd_consumer_set_version (consumer, 1);
  bd_consumer_set_updated_at (consumer, FIXED_NOW);
  return consumer;
}

void
insert_named (BdCentralDb *db)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (bd_central_db_ensure_zone (db, "LKO-C", "Lucknow Central", &error));
  g_assert_true (bd_central_db_ensure_zone (db, "LKO-E", "Lucknow East", &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (named); i++)
    {
      g_autoptr(BdConsumer) consumer = make_named_consumer (i);

      g_assert_true (bd_central_db_insert_consumer (db, consumer, &error));
      g_assert_no_error (error);
    }
}

BdCentralDb *
open_named_db (Fixture    *fixture,
               const char *name)
{
  g_autofree char *path = fixture_path (fixture, name);
  g_autoptr(GError) error = NULL;
  g_autoptr(BdCentralDb) db = bd_central_db_open (central_test_url (path), &error);

  g_assert_no_error (error);
  insert_named (db);
  return g_steal_pointer (&db);
}

GPtrArray *
search_with_matches (BdCentralDb  *db,
                     const char   *zone,
                     const char   *text,
                     guint         limit,
                     GArray      **out_matches)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *results = bd_central_db_search (db, zone, text, limit, out_matches, &error);

  g_assert_no_error (error);
  g_assert_nonnull (results);
  if (out_matches != NULL)
    g_assert_cmpuint ((*out_matches)->len, ==, results->len);
  return results;
}

gboolean
fts_consistent (BdCentralDb *db)
{
  g_autoptr(GError) error = NULL;
  BdSqlConnection *connection = bd_central_db_get_connection (db);
  g_autoptr(BdSqlStmt) stale = NULL;

  /* With rank 1 FTS5 also checks the index against the consumers table. */
  if (bd_sql_connection_get_dialect (connection) == BD_SQL_DIALECT_SQLITE)
    return bd_sql_connection_exec (connection,
                                   "INSERT INTO consumers_fts (consumers_fts, rank) VALUES ('integrity-check', 1)",
                                   &error);

  /* PostgreSQL: every row's search words are what its names give. */
  stale = bd_sql_connection_prepare (connection,
                                     "SELECT count(*) FROM consumers "
                                     "WHERE name_words <> bijli_words (name_en || ' ' || name_hi) "
                                     "   OR key_words <> bijli_words (name_key)",
                                     &error);
  g_assert_no_error (error);
  g_assert_cmpint (bd_sql_stmt_step (stale), ==, BD_SQL_ROW);
  return bd_sql_stmt_column_int64 (stale, 0) == 0;
}
