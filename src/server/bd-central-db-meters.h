/* bd-central-db-meters.h: the smart-meter head-end of bijli-central's demo:
 * the simulated meters, their prepaid accounts, recharges and the tariff
 * and prepaid-rule tables (migration 6).
 *
 * Each meter is a core/bd-load-profile.h profile stored with its account:
 * its readings are a function of the profile and time, so a year of
 * 15-minute history needs no rows, and what a tick applies to a balance is
 * exactly what the readings endpoint later reports. The state a real
 * head-end would hold is stored: the last reading applied, the register,
 * the month's energy for the slabs, when the balance reached zero, the
 * alerts sent, the supply switched and when.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "core/bd-balance.h"
#include "core/bd-reading-series.h"
#include "core/bd-session.h"

#include "bd-central-db.h"

G_BEGIN_DECLS

/* Gives every smart and CT meter of the database that has none a simulated
 * meter (seeded by seed, as of now): some start silent, debts get a time
 * they reached zero, the month's energy so far is filled in. Returns the
 * number of meters added, or -1. */
gint64      bd_central_db_meters_provision  (BdCentralDb  *self,
                                             guint32       seed,
                                             gint64        now,
                                             GError      **error);

/* The simulated clock every process on the database shares (with a
 * --time-scale above 1): simulated time sim_at (seconds) was reached at
 * real time real_at_ms (milliseconds: a second of real time is many
 * minutes of simulated time), running scale_milli / 1000 times real time. Get gives FALSE
 * (no error) when none is kept. */
gboolean    bd_central_db_meter_clock_get   (BdCentralDb  *self,
                                             gint64       *out_sim_at,
                                             gint64       *out_real_at_ms,
                                             gint64       *out_scale_milli,
                                             GError      **error);
gboolean    bd_central_db_meter_clock_set   (BdCentralDb  *self,
                                             gint64        sim_at,
                                             gint64        real_at_ms,
                                             gint64        scale_milli,
                                             GError      **error);

typedef struct {
  guint meters_read;          /* meters that reported */
  guint readings;             /* 15-minute readings applied */
  guint alerts;               /* low-balance SMS queued */
  guint disconnected;
  guint field_tasks;          /* CT meters due for a cut: a visit, not a switch */
} BdMeterTickStats;

/* Applies every complete 15-minute reading up to now that communicating
 * meters have not yet sent: energy charges at the tariff, the day's fixed
 * charge, alerts, and cuts the rules allow. Commits in batches so the
 * desk's requests are not held up for long. */
gboolean    bd_central_db_meters_tick       (BdCentralDb      *self,
                                             gint64            now,
                                             BdMeterTickStats *stats,
                                             GError          **error);

/* The account's balance and outlook at now; NOT_FOUND outside zone. A
 * consumer without a smart meter gets the balance on record. */
BdBalance  *bd_central_db_meter_balance     (BdCentralDb  *self,
                                             const char   *zone,
                                             const char   *account,
                                             gint64        now,
                                             GError      **error);

/* Readings in [from, to) at step, up to now (later buckets are missing),
 * at most BD_READING_SERIES_MAX_BUCKETS; INVALID_INPUT beyond. */
BdReadingSeries *bd_central_db_meter_readings (BdCentralDb   *self,
                                               const char    *zone,
                                               const char    *account,
                                               BdReadingStep  step,
                                               gint64         from,
                                               gint64         to,
                                               gint64         now,
                                               GError       **error);

/* Balances of the watched accounts (of zone) that changed after seq
 * (BdBalance, at most one each), and the latest seq. */
GPtrArray  *bd_central_db_meters_changed    (BdCentralDb  *self,
                                             const char   *zone,
                                             const char * const *accounts,
                                             gint64        after_seq,
                                             gint64        now,
                                             gint64       *out_seq,
                                             GError      **error);

/* The rules in force at now, holidays included. */
BdPrepaidRules *bd_central_db_prepaid_rules (BdCentralDb  *self,
                                             gint64        now,
                                             GError      **error);

/* The tariffs in force at now (BdTariff), one per category and area. */
GArray         *bd_central_db_tariff_table  (BdCentralDb  *self,
                                             gint64        now,
                                             GError      **error);

G_END_DECLS
