/* central-db-fixture.h: what the BdCentralDb tests share: a temporary
 * folder holding a demo database, and a few consumers with known names.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "server/bd-central-db.h"
#include "server/bd-central-db-private.h"

G_BEGIN_DECLS

#define N_DEMO   2000
#define FIXED_NOW G_GINT64_CONSTANT (1795000000)  /* 2026-11-18, keeps runs reproducible */

typedef struct {
  char        *dir;
  BdCentralDb *db;
} Fixture;

/* Fixture: fixture->db is a demo database of N_DEMO consumers, seed 1912. */
void         fixture_set_up      (Fixture       *fixture,
                                  gconstpointer  data);
void         fixture_tear_down   (Fixture       *fixture,
                                  gconstpointer  data);
/* A file name in the fixture's folder, removed at tear-down. */
char        *fixture_path        (Fixture       *fixture,
                                  const char    *name);
BdCentralDb *open_demo_db        (Fixture       *fixture,
                                  const char    *name,
                                  guint32        seed,
                                  guint          n);

/* The i-th of the seven consumers with known names (central-db-fixture.c)
 * that insert_named() inserts. */
BdConsumer  *make_named_consumer (guint          i);
void         insert_named        (BdCentralDb   *db);
BdCentralDb *open_named_db       (Fixture       *fixture,
                                  const char    *name);

/* Asserts no error and as many matches as results. */
GPtrArray   *search_with_matches (BdCentralDb   *db,
                                  const char    *zone,
                                  const char    *text,
                                  guint          limit,
                                  GArray       **out_matches);
/* The FTS index agrees with the consumers table. */
gboolean     fts_consistent      (BdCentralDb   *db);

G_END_DECLS
