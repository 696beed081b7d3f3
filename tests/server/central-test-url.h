/* central-test-url.h: where a test's central database lives.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* With BIJLI_TEST_POSTGRESQL set (a libpq connection string to a
 * throwaway cluster, see postgresql-cluster), each SQLite path the tests
 * name becomes its own PostgreSQL database (the same path, the same
 * database), so the suite runs unchanged against both backends.
 * Otherwise the path itself. The string lives as long as the process. */
const char *central_test_url           (const char *sqlite_path);

gboolean    central_test_is_postgresql (void);

/* In a test that only SQLite can run (older SQLite schema versions, the
 * file's own pragmas): marks it skipped on PostgreSQL and returns TRUE. */
gboolean    central_test_skip_unless_sqlite (void);

G_END_DECLS
