/* central-test-url.c: see central-test-url.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libpq-fe.h>
#include <unistd.h>

#include "central-test-url.h"

gboolean
central_test_is_postgresql (void)
{
  const char *base = g_getenv ("BIJLI_TEST_POSTGRESQL");

  return base != NULL && *base != '\0';
}

gboolean
central_test_skip_unless_sqlite (void)
{
  if (!central_test_is_postgresql ())
    return FALSE;
  g_test_skip ("SQLite only");
  return TRUE;
}

const char *
central_test_url (const char *sqlite_path)
{
  const char *base = g_getenv ("BIJLI_TEST_POSTGRESQL");
  g_autofree char *checksum = NULL;
  g_autofree char *name = NULL;
  g_autofree char *create = NULL;
  g_autofree char *url = NULL;
  PGconn *maintenance;
  PGresult *result;

  if (!central_test_is_postgresql ())
    return g_intern_string (sqlite_path);

  /* The path holds the test's temporary folder: unique per run. */
  checksum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, sqlite_path, -1);
  name = g_strdup_printf ("t_%.24s", checksum);
  /* Every in-memory database is a new one. */
  if (g_str_equal (sqlite_path, ":memory:"))
    {
      g_free (name);
      name = g_strdup_printf ("m_%d_%u", (int) getpid (), g_random_int ());
    }

  maintenance = PQconnectdb (base);
  g_assert_cmpint (PQstatus (maintenance), ==, CONNECTION_OK);
  create = g_strdup_printf ("CREATE DATABASE %s", name);
  result = PQexec (maintenance, create);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    {
      const char *state = PQresultErrorField (result, PG_DIAG_SQLSTATE);

      /* 42P04: it exists, from an earlier open of the same path. */
      if (state == NULL || !g_str_equal (state, "42P04"))
        g_error ("CREATE DATABASE failed: %s", PQresultErrorMessage (result));
    }
  PQclear (result);
  PQfinish (maintenance);

  url = g_strdup_printf ("postgresql:%s dbname=%s", base, name);
  return g_intern_string (url);
}
