/* bd-central-db-consumers.c: a consumer's row: insert, update, lookup.
 *
 * Every row carries name_key, the spelling keys of both names that the
 * fuzzy search tier matches (bd-central-db-search.c), and a change sequence
 * from change_counter that orders it in the changes feed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-name-key.h"

#include "bd-central-db.h"
#include "bd-central-db-private.h"

/* English keys, then Hindi; no stray space when a name has no keys. */
static char *
join_name_keys (const char *en,
                const char *hi)
{
  if (*en == '\0' || *hi == '\0')
    return g_strconcat (en, hi, NULL);
  return g_strconcat (en, " ", hi, NULL);
}

/* A bulk load meets the same few thousand names again and again; keying
 * each once saves most of the load's time. */
static const char *
memo_name_keys (GHashTable *memo,
                const char *name)
{
  char *keys = g_hash_table_lookup (memo, name);

  if (keys == NULL)
    {
      /* Bounded: a load of unique names must not grow a second copy. */
      if (g_hash_table_size (memo) >= 200000)
        g_hash_table_remove_all (memo);
      keys = bd_name_keys_text (name);
      g_hash_table_insert (memo, g_strdup (name), keys);
    }

  return keys;
}

static char *
dup_name_key (BdCentralDb *self,
              BdConsumer  *consumer)
{
  const char *name_en = bd_consumer_get_name_en (consumer);
  const char *name_hi = bd_consumer_get_name_hi (consumer);
  const char *en;
  const char *hi;

  if (self->bulk_memo == NULL)
    return _bd_central_db_build_name_key (name_en, name_hi);

  en = memo_name_keys (self->bulk_memo, name_en != NULL ? name_en : "");
  hi = memo_name_keys (self->bulk_memo, name_hi != NULL ? name_hi : "");
  return join_name_keys (en, hi);
}

static gint64
next_change_seq (BdCentralDb  *self,
                 GError      **error)
{
  g_autoptr(BdCentralCachedStmt) stmt = _bd_central_db_cached_stmt (self, STMT_NEXT_SEQ, error);
  gint64 seq;

  if (stmt == NULL)
    return -1;

  if (bd_sql_stmt_step (stmt) != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "change sequence");
      return -1;
    }
  seq = bd_sql_stmt_column_int64 (stmt, 0);
  /* Drain so the UPDATE completes before the statement is reset. */
  while (bd_sql_stmt_step (stmt) == BD_SQL_ROW)
    ;

  return seq;
}

/* Binds the consumer's fields as ?1..?24 in CONSUMER_COLUMNS order, then
 * the change sequence as ?25 and the name key as ?26. */
static void
bind_consumer (BdSqlStmt *stmt,
               BdConsumer   *consumer,
               gint64        change_seq,
               const char   *name_key)
{
  gint64 balance_as_of = bd_consumer_get_balance_as_of (consumer);

  _bd_central_bind_text_or_null (stmt, 1 + COL_ACCOUNT, bd_consumer_get_account (consumer));
  _bd_central_bind_text_or_null (stmt, 1 + COL_ZONE, bd_consumer_get_zone (consumer));
  _bd_central_bind_text_or_null (stmt, 1 + COL_NAME_EN, bd_consumer_get_name_en (consumer) ?: "");
  _bd_central_bind_text_or_null (stmt, 1 + COL_NAME_HI, bd_consumer_get_name_hi (consumer) ?: "");
  _bd_central_bind_text_or_null (stmt, 1 + COL_RELATION_EN, bd_consumer_get_relation_en (consumer) ?: "");
  _bd_central_bind_text_or_null (stmt, 1 + COL_RELATION_HI, bd_consumer_get_relation_hi (consumer) ?: "");
  _bd_central_bind_text_or_null (stmt, 1 + COL_ADDRESS, bd_consumer_get_address (consumer) ?: "");
  _bd_central_bind_text_or_null (stmt, 1 + COL_MOBILE, bd_consumer_get_mobile (consumer));
  bd_sql_stmt_bind_int64 (stmt, 1 + COL_MOBILE_VERIFIED, bd_consumer_get_mobile_verified (consumer) ? 1 : 0);
  _bd_central_bind_text_or_null (stmt, 1 + COL_METER_SERIAL, bd_consumer_get_meter_serial (consumer) ?: "");
  _bd_central_bind_text_or_null (stmt, 1 + COL_METER_MAKE, bd_consumer_get_meter_make (consumer) ?: "");
  _bd_central_bind_text_or_null (stmt, 1 + COL_METER_TYPE, bd_meter_type_to_string (bd_consumer_get_meter_type (consumer)));
  _bd_central_bind_text_or_null (stmt, 1 + COL_CATEGORY, bd_consumer_get_category (consumer) ?: "");
  bd_sql_stmt_bind_int64 (stmt, 1 + COL_SANCTIONED_LOAD_W, bd_consumer_get_sanctioned_load_w (consumer));
  _bd_central_bind_text_or_null (stmt, 1 + COL_PHASE, bd_phase_to_string (bd_consumer_get_phase (consumer)));
  _bd_central_bind_text_or_null (stmt, 1 + COL_FEEDER, bd_consumer_get_feeder (consumer) ?: "");
  _bd_central_bind_text_or_null (stmt, 1 + COL_DT, bd_consumer_get_dt (consumer) ?: "");
  _bd_central_bind_text_or_null (stmt, 1 + COL_POLE, bd_consumer_get_pole (consumer) ?: "");
  _bd_central_bind_text_or_null (stmt, 1 + COL_AREA_TYPE, bd_area_type_to_string (bd_consumer_get_area_type (consumer)));
  _bd_central_bind_text_or_null (stmt, 1 + COL_SUPPLY_STATUS, bd_supply_status_to_string (bd_consumer_get_supply_status (consumer)));
  bd_sql_stmt_bind_int64 (stmt, 1 + COL_BALANCE_PAISE, bd_consumer_get_balance_paise (consumer));
  if (balance_as_of != 0)
    bd_sql_stmt_bind_int64 (stmt, 1 + COL_BALANCE_AS_OF, balance_as_of);
  else
    bd_sql_stmt_bind_null (stmt, 1 + COL_BALANCE_AS_OF);
  bd_sql_stmt_bind_int64 (stmt, 1 + COL_VERSION, bd_consumer_get_version (consumer));
  bd_sql_stmt_bind_int64 (stmt, 1 + COL_UPDATED_AT, bd_consumer_get_updated_at (consumer));
  bd_sql_stmt_bind_int64 (stmt, 25, change_seq);
  bd_sql_stmt_bind_text (stmt, 26, name_key);
}

char *
_bd_central_db_build_name_key (const char *name_en,
                               const char *name_hi)
{
  g_autofree char *en = bd_name_keys_text (name_en != NULL ? name_en : "");
  g_autofree char *hi = bd_name_keys_text (name_hi != NULL ? name_hi : "");

  return join_name_keys (en, hi);
}

BdConsumer *
_bd_central_db_consumer_from_row (BdSqlStmt *stmt)
{
  BdConsumer *consumer = bd_consumer_new (_bd_central_column_text (stmt, COL_ACCOUNT));
  BdMeterType meter_type = BD_METER_TYPE_SMART;
  BdPhase phase = BD_PHASE_SINGLE;
  BdAreaType area_type = BD_AREA_URBAN;
  BdSupplyStatus supply_status = BD_SUPPLY_CONNECTED;

  /* The table's CHECK constraints keep these valid; the defaults are only
   * a guard against a hand-edited database. */
  bd_meter_type_from_string (_bd_central_column_text (stmt, COL_METER_TYPE), &meter_type);
  bd_phase_from_string (_bd_central_column_text (stmt, COL_PHASE), &phase);
  bd_area_type_from_string (_bd_central_column_text (stmt, COL_AREA_TYPE), &area_type);
  bd_supply_status_from_string (_bd_central_column_text (stmt, COL_SUPPLY_STATUS), &supply_status);

  bd_consumer_set_zone (consumer, _bd_central_column_text (stmt, COL_ZONE));
  bd_consumer_set_name_en (consumer, _bd_central_column_text (stmt, COL_NAME_EN));
  bd_consumer_set_name_hi (consumer, _bd_central_column_text (stmt, COL_NAME_HI));
  bd_consumer_set_relation_en (consumer, _bd_central_column_text (stmt, COL_RELATION_EN));
  bd_consumer_set_relation_hi (consumer, _bd_central_column_text (stmt, COL_RELATION_HI));
  bd_consumer_set_address (consumer, _bd_central_column_text (stmt, COL_ADDRESS));
  bd_consumer_set_mobile (consumer, bd_sql_stmt_column_text (stmt, COL_MOBILE));
  bd_consumer_set_mobile_verified (consumer, bd_sql_stmt_column_int (stmt, COL_MOBILE_VERIFIED) != 0);
  bd_consumer_set_meter_serial (consumer, _bd_central_column_text (stmt, COL_METER_SERIAL));
  bd_consumer_set_meter_make (consumer, _bd_central_column_text (stmt, COL_METER_MAKE));
  bd_consumer_set_meter_type (consumer, meter_type);
  bd_consumer_set_category (consumer, _bd_central_column_text (stmt, COL_CATEGORY));
  bd_consumer_set_sanctioned_load_w (consumer, bd_sql_stmt_column_int64 (stmt, COL_SANCTIONED_LOAD_W));
  bd_consumer_set_phase (consumer, phase);
  bd_consumer_set_feeder (consumer, _bd_central_column_text (stmt, COL_FEEDER));
  bd_consumer_set_dt (consumer, _bd_central_column_text (stmt, COL_DT));
  bd_consumer_set_pole (consumer, _bd_central_column_text (stmt, COL_POLE));
  bd_consumer_set_area_type (consumer, area_type);
  bd_consumer_set_supply_status (consumer, supply_status);
  bd_consumer_set_balance_paise (consumer, bd_sql_stmt_column_int64 (stmt, COL_BALANCE_PAISE));
  bd_consumer_set_balance_as_of (consumer, bd_sql_stmt_column_int64 (stmt, COL_BALANCE_AS_OF));
  bd_consumer_set_version (consumer, bd_sql_stmt_column_int64 (stmt, COL_VERSION));
  bd_consumer_set_updated_at (consumer, bd_sql_stmt_column_int64 (stmt, COL_UPDATED_AT));

  return consumer;
}

gboolean
_bd_central_db_insert_row (BdCentralDb  *self,
                           BdConsumer   *consumer,
                           gint64        seq,
                           GError      **error)
{
  g_autoptr(BdCentralCachedStmt) stmt = NULL;
  g_autofree char *name_key = NULL;

  if (bd_consumer_get_zone (consumer) == NULL || bd_consumer_get_account (consumer) == NULL)
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT,
                   _("A consumer needs an account number and a zone."));
      return FALSE;
    }

  stmt = _bd_central_db_cached_stmt (self, STMT_INSERT, error);
  if (stmt == NULL)
    return FALSE;

  name_key = dup_name_key (self, consumer);
  bind_consumer (stmt, consumer, seq, name_key);
  /* A bulk load does not wait for each row's answer (PostgreSQL); a
   * failure shows at the next sync, and bulk_end() syncs. */
  if (self->bulk)
    return bd_sql_stmt_step_pipelined (stmt, error);
  if (bd_sql_stmt_step (stmt) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "consumer insert");
      return FALSE;
    }

  return TRUE;
}

gboolean
bd_central_db_insert_consumer (BdCentralDb  *self,
                               BdConsumer   *consumer,
                               GError      **error)
{
  gint64 seq;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (BD_IS_CONSUMER (consumer), FALSE);
  g_return_val_if_fail (!self->bulk, FALSE);

  seq = next_change_seq (self, error);
  if (seq < 0)
    return FALSE;

  return _bd_central_db_insert_row (self, consumer, seq, error);
}

gboolean
_bd_central_db_update_row (BdCentralDb  *self,
                           BdConsumer   *consumer,
                           gint64        now,
                           GError      **error)
{
  g_autoptr(BdSqlStmt) version_stmt = NULL;
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autofree char *name_key = NULL;
  gint64 seq;
  gint64 version;
  int rc;

  version_stmt = bd_sql_connection_prepare (self->sql,
                                      "SELECT version FROM consumers WHERE account = ?1", error);
  if (version_stmt == NULL)
    return FALSE;
  _bd_central_bind_text_or_null (version_stmt, 1, bd_consumer_get_account (consumer));
  rc = bd_sql_stmt_step (version_stmt);
  if (rc == BD_SQL_DONE)
    {
      g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND,
                   _("No consumer with account number %s."), bd_consumer_get_account (consumer));
      return FALSE;
    }
  if (rc != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "consumer version");
      return FALSE;
    }
  version = bd_sql_stmt_column_int64 (version_stmt, 0) + 1;
  bd_sql_stmt_reset (version_stmt);

  seq = next_change_seq (self, error);
  if (seq < 0)
    return FALSE;

  /* The triggers of migration 2 move the record's name keys in the FTS
   * index and its count to the new feed bucket. */
  stmt = bd_sql_connection_prepare (self->sql,
                              "UPDATE consumers SET zone = ?2, name_en = ?3, name_hi = ?4, "
                              "  relation_en = ?5, relation_hi = ?6, address = ?7, mobile = ?8, "
                              "  mobile_verified = ?9, meter_serial = ?10, meter_make = ?11, "
                              "  meter_type = ?12, category = ?13, sanctioned_load_w = ?14, "
                              "  phase = ?15, feeder = ?16, dt = ?17, pole = ?18, area_type = ?19, "
                              "  supply_status = ?20, balance_paise = ?21, balance_as_of = ?22, "
                              "  version = ?23, updated_at = ?24, change_seq = ?25, name_key = ?26 "
                              "WHERE account = ?1",
                              error);
  if (stmt == NULL)
    return FALSE;

  bd_consumer_set_version (consumer, version);
  bd_consumer_set_updated_at (consumer, now);
  name_key = dup_name_key (self, consumer);
  bind_consumer (stmt, consumer, seq, name_key);
  if (bd_sql_stmt_step (stmt) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "consumer update");
      return FALSE;
    }

  return TRUE;
}

gboolean
bd_central_db_update_consumer (BdCentralDb  *self,
                               BdConsumer   *consumer,
                               gint64        now,
                               GError      **error)
{
  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (BD_IS_CONSUMER (consumer), FALSE);
  g_return_val_if_fail (!self->bulk, FALSE);

  if (!bd_sql_connection_begin (self->sql, error))
    return FALSE;

  if (!_bd_central_db_update_row (self, consumer, now, error))
    {
      bd_sql_connection_rollback (self->sql);
      return FALSE;
    }

  return bd_sql_connection_commit (self->sql, error);
}

BdConsumer *
bd_central_db_lookup_consumer (BdCentralDb  *self,
                               const char   *zone,
                               const char   *account,
                               GError      **error)
{
  g_autoptr(BdCentralCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);
  g_return_val_if_fail (zone != NULL && account != NULL, NULL);

  stmt = _bd_central_db_cached_stmt (self, STMT_LOOKUP, error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_text (stmt, 1, account);
  bd_sql_stmt_bind_text (stmt, 2, zone);

  rc = bd_sql_stmt_step (stmt);
  if (rc == BD_SQL_ROW)
    return _bd_central_db_consumer_from_row (stmt);
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "consumer lookup");
      return NULL;
    }

  /* The same answer for "absent" and "another zone's": a caller must not
   * learn which accounts exist elsewhere. */
  g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND,
               _("No consumer with account number %s in your zone."), account);
  return NULL;
}
