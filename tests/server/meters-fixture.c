/* meters-fixture.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "central-test-url.h"

#include <glib/gstdio.h>

#include "server/bd-central-db-meters.h"

#include "meters-fixture.h"

void
meters_fixture_add_consumer (BdCentralDb *db,
              const char  *account,
              const char  *zone,
              const char  *category,
              BdMeterType  meter_type,
              gint64       balance)
{
  g_autoptr(BdConsumer) consumer = bd_consumer_new (account);
  g_autoptr(GError) error = NULL;

  bd_consumer_set_zone (consumer, zone);
  bd_consumer_set_name_en (consumer, "Test Consumer");
  bd_consumer_set_mobile (consumer, "9876500001");
  bd_consumer_set_meter_serial (consumer, "GNS1234567");
  bd_consumer_set_meter_type (consumer, meter_type);
  bd_consumer_set_category (consumer, category);
  bd_consumer_set_area_type (consumer, BD_AREA_URBAN);
  bd_consumer_set_sanctioned_load_w (consumer, 3000);
  bd_consumer_set_balance_paise (consumer, balance);
  bd_consumer_set_balance_as_of (consumer, T0);
  bd_consumer_set_version (consumer, 1);
  bd_consumer_set_updated_at (consumer, T0 - 1000);
  g_assert_true (bd_central_db_insert_consumer (db, consumer, &error));
  g_assert_no_error (error);
}

void
meters_fixture_exec (Fixture    *fixture,
      const char *sql)
{
  g_autoptr(GError) error = NULL;
  BdSqlConnection *db = fixture->db->sql;

  g_assert_true (bd_sql_connection_exec (db, sql, &error));
  g_assert_no_error (error);
}

gint64
meters_fixture_query_int (Fixture    *fixture,
           const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BdSqlStmt) stmt = bd_sql_connection_prepare (fixture->db->sql, sql, &error);
  gint64 value;

  g_assert_no_error (error);
  g_assert_cmpint (bd_sql_stmt_step (stmt), ==, BD_SQL_ROW);
  value = bd_sql_stmt_column_int64 (stmt, 0);
  return value;
}

void
meters_fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("bijli-central-meters-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "central.sqlite3", NULL);
  fixture->db = bd_central_db_open (central_test_url (fixture->path), &error);
  g_assert_no_error (error);
  g_assert_true (bd_central_db_ensure_zone (fixture->db, "LKO-C", "Lucknow Central", &error));
  g_assert_true (bd_central_db_ensure_zone (fixture->db, "LKO-E", "Lucknow East", &error));
  meters_fixture_add_consumer (fixture->db, ACCOUNT_A, "LKO-C", "LMV-1", BD_METER_TYPE_SMART, 50000);
  meters_fixture_add_consumer (fixture->db, ACCOUNT_CT, "LKO-C", "LMV-2", BD_METER_TYPE_CT, 50000);
  meters_fixture_add_consumer (fixture->db, ACCOUNT_NS, "LKO-C", "LMV-1", BD_METER_TYPE_NON_SMART, 0);
  meters_fixture_add_consumer (fixture->db, ACCOUNT_EAST, "LKO-E", "LMV-1", BD_METER_TYPE_SMART, 50000);
  g_assert_cmpint (bd_central_db_meters_provision (fixture->db, 1912, T0, &error), ==, 3);
  g_assert_no_error (error);
  /* The simulator lets a few meters fall silent; these tests want them
   * all reachable (test_silent_meter makes one silent on purpose). */
  meters_fixture_exec (fixture, "UPDATE meters SET silent_from = 0, silent_until = 0, zero_since = 0, alerts_sent = 0");
}

void
meters_fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  g_clear_object (&fixture->db);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);
      g_unlink (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

