/* meters-fixture.h: what the head-end's tests share: a database with four
 * consumers (a smart meter, a CT meter, one that is not smart, another
 * zone's), their simulated meters provisioned at T0 and all reachable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "core/bd-consumer.h"
#include "server/bd-central-db.h"
#include "server/bd-central-db-private.h"

G_BEGIN_DECLS

#define T0 G_GINT64_CONSTANT (1795000000)   /* Wednesday 2026-11-18 10:23 IST */
#define HOUR 3600
#define DAY 86400

#define ACCOUNT_A    "2100000001"   /* smart, LMV-1 urban */
#define ACCOUNT_CT   "2100000002"   /* CT-operated, LMV-2 */
#define ACCOUNT_NS   "2100000003"   /* not a smart meter */
#define ACCOUNT_EAST "2300000006"

typedef struct {
  char        *dir;
  char        *path;
  BdCentralDb *db;
  guint        keys;
} Fixture;

void    meters_fixture_add_consumer (BdCentralDb *db,
                                     const char  *account,
                                     const char  *zone,
                                     const char  *category,
                                     BdMeterType  meter_type,
                                     gint64       balance);
void    meters_fixture_exec         (Fixture     *fixture,
                                     const char  *sql);
gint64  meters_fixture_query_int    (Fixture     *fixture,
                                     const char  *sql);
void    meters_fixture_set_up       (Fixture       *fixture,
                                     gconstpointer  data);
void    meters_fixture_tear_down    (Fixture       *fixture,
                                     gconstpointer  data);

G_END_DECLS
