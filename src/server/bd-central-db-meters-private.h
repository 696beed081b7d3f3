/* bd-central-db-meters-private.h: the head-end's state of one meter, and
 * what the files of the head-end (bd-central-db-meters.c,
 * bd-central-db-recharges.c) share to read, change and report it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "core/bd-balance.h"
#include "core/bd-load-profile.h"
#include "core/bd-prepaid-rules.h"

#include "bd-central-db.h"

G_BEGIN_DECLS

/* Who the head-end's own actions are recorded as. */
#define HEAD_END_USER "head-end"
#define HEAD_END_ROLE "system"

typedef struct {
  char           *account;
  char           *zone;
  char           *category;
  char           *mobile;
  BdAreaType      area_type;
  BdMeterType     meter_type;
  BdSupplyStatus  supply;
  gint64          load_w;
  gint64          balance_paise;
  BdLoadProfile   profile;
  gint64          history_from;
  gint64          last_slot;        /* start of the last reading applied */
  gint64          last_contact_at;
  gint64          register_wh;
  gint64          month_start;
  gint64          month_wh;
  gint64          month_paise;
  gint64          fixed_day;        /* IST midnight of the last fixed charge */
  gint64          zero_since;
  gint64          alerts_sent;
  gint64          last_recharge_paise;
  gint64          last_recharge_at;
  gint64          live_seq;
  gboolean        reconnect_pending;
} MeterRow;

void       _bd_meter_row_clear            (MeterRow              *row);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MeterRow, _bd_meter_row_clear)

/* FALSE on error; *found FALSE when the account has no simulated meter (or
 * is another zone's, when zone is given). */
gboolean   _bd_meter_row_load             (BdCentralDb           *self,
                                           const char            *zone,
                                           const char            *account,
                                           MeterRow              *row,
                                           gboolean              *found,
                                           GError               **error);
/* Writes the row back with a new watch sequence, and the balance to the
 * consumer's record (without a new version). */
gboolean   _bd_meter_row_store            (BdCentralDb           *self,
                                           MeterRow              *row,
                                           GError               **error);
/* Switches the supply: a versioned change of the consumer, a supply event,
 * history, audit and SMS. */
gboolean   _bd_meter_record_supply_change (BdCentralDb           *self,
                                           MeterRow              *row,
                                           BdSupplyStatus         status,
                                           gint64                 at,
                                           const char            *by,
                                           const char            *role,
                                           const char            *reason,
                                           GError               **error);
BdBalance *_bd_meter_balance_from_row     (BdCentralDb           *self,
                                           MeterRow              *row,
                                           const BdPrepaidRules  *rules,
                                           gint64                 now,
                                           GError               **error);
/* The start of the quarter hour holding t. */
gint64     _bd_meter_slot_floor           (gint64                 t);

G_END_DECLS
