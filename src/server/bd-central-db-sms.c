/* bd-central-db-sms.c: the outbox of the simulated SMS gateway.
 *
 * A message goes queued → sent → delivered, or back to queued after a
 * failed attempt until it fails for good. The text must hold the code
 * while it waits (a real gateway would need it too); once the message is
 * delivered or has failed for good, the secret is replaced by "******" in
 * the text and dropped, except in demo mode where GET /demo/sms shows it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "core/bd-time.h"

#include "bd-central-db-otp.h"
#include "bd-central-db-private.h"

#define SCRUBBED "******"

typedef struct {
  gint64  id;
  char   *status;
  int     attempts;
  char   *text;
  char   *secret;
} DueMessage;

static void
due_message_free (gpointer data)
{
  DueMessage *message = data;

  g_free (message->status);
  g_free (message->text);
  g_free (message->secret);
  g_free (message);
}

/* 1, 2, 4, 4 … seconds after the first, second, third … failed attempt. */
static gint64
retry_delay_ms (int attempts)
{
  return (gint64) 1000 << MIN (attempts - 1, 2);
}

static char *
scrub_text (const char *text,
            const char *secret)
{
  g_autoptr(GString) scrubbed = g_string_new (text);

  if (secret != NULL && *secret != '\0')
    g_string_replace (scrubbed, secret, SCRUBBED, 0);

  return g_string_free (g_steal_pointer (&scrubbed), FALSE);
}

/* Moves one message on, if it is still in the state it was read in (a
 * second process serving the same database may have moved it already). */
static gboolean
update_message (BdCentralDb  *self,
                DueMessage   *message,
                const char   *status,
                int           attempts,
                gint64        next_at_ms,
                gboolean      scrub,
                gint64        now_ms,
                GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autofree char *text = NULL;

  stmt = bd_sql_connection_prepare (self->sql,
                              "UPDATE sms_outbox SET status = ?2, attempts = ?3, next_at_ms = ?4, "
                              "  text = ?5, secret = ?6, updated_at = ?7 "
                              "WHERE id = ?1 AND status = ?8 AND attempts = ?9",
                              error);
  if (stmt == NULL)
    return FALSE;

  text = scrub ? scrub_text (message->text, message->secret) : g_strdup (message->text);
  bd_sql_stmt_bind_int64 (stmt, 1, message->id);
  bd_sql_stmt_bind_text (stmt, 2, status);
  bd_sql_stmt_bind_int64 (stmt, 3, attempts);
  bd_sql_stmt_bind_int64 (stmt, 4, next_at_ms);
  bd_sql_stmt_bind_text (stmt, 5, text);
  _bd_central_bind_text_or_null (stmt, 6, scrub ? NULL : message->secret);
  bd_sql_stmt_bind_int64 (stmt, 7, now_ms / 1000);
  bd_sql_stmt_bind_text (stmt, 8, message->status);
  bd_sql_stmt_bind_int64 (stmt, 9, message->attempts);
  if (bd_sql_stmt_step (stmt) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "sms update");
      return FALSE;
    }

  return TRUE;
}

gint64
_bd_central_db_sms_enqueue (BdCentralDb  *self,
                            const char   *account,
                            const char   *mobile,
                            const char   *text,
                            const char   *secret,
                            gint64        now_ms,
                            GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;

  stmt = bd_sql_connection_prepare (self->sql,
                              "INSERT INTO sms_outbox (account, mobile, text, secret, status, "
                              "  attempts, next_at_ms, created_at, updated_at) "
                              "VALUES (?1, ?2, ?3, ?4, 'queued', 0, ?5, ?6, ?6) RETURNING id",
                              error);
  if (stmt == NULL)
    return -1;

  bd_sql_stmt_bind_text (stmt, 1, account);
  bd_sql_stmt_bind_text (stmt, 2, mobile);
  bd_sql_stmt_bind_text (stmt, 3, text);
  _bd_central_bind_text_or_null (stmt, 4, secret);
  bd_sql_stmt_bind_int64 (stmt, 5, now_ms + BD_CENTRAL_SMS_SEND_DELAY_MS);
  bd_sql_stmt_bind_int64 (stmt, 6, now_ms / 1000);
  if (bd_sql_stmt_step (stmt) != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "sms insert");
      return -1;
    }

  return bd_sql_stmt_column_int64 (stmt, 0);
}

gboolean
bd_central_db_sms_process (BdCentralDb  *self,
                           gint64        now_ms,
                           double        failure_rate,
                           GRand        *rand,
                           gboolean      keep_secrets,
                           gint64       *out_next_due_ms,
                           GError      **error)
{
  g_autoptr(BdSqlStmt) due = NULL;
  g_autoptr(BdSqlStmt) next = NULL;
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (due_message_free);
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), FALSE);
  g_return_val_if_fail (rand != NULL, FALSE);

  /* Most rounds find nothing to do: that needs no write lock. */
  next = bd_sql_connection_prepare (self->sql,
                              "SELECT MIN (next_at_ms) FROM sms_outbox "
                              "WHERE status IN ('queued','sent')",
                              error);
  if (next == NULL)
    return FALSE;
  if (bd_sql_stmt_step (next) != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "sms next");
      return FALSE;
    }
  if (bd_sql_stmt_column_is_null (next, 0) || bd_sql_stmt_column_int64 (next, 0) > now_ms)
    {
      if (out_next_due_ms != NULL)
        *out_next_due_ms = bd_sql_stmt_column_is_null (next, 0)
                           ? -1 : bd_sql_stmt_column_int64 (next, 0);
      return TRUE;
    }
  bd_sql_stmt_reset (next);

  if (!bd_sql_connection_begin (self->sql, error))
    return FALSE;

  due = bd_sql_connection_prepare (self->sql,
                             "SELECT id, status, attempts, text, secret FROM sms_outbox "
                             "WHERE status IN ('queued','sent') AND next_at_ms <= ?1 "
                             "ORDER BY next_at_ms LIMIT 100",
                             error);
  if (due == NULL)
    goto fail;
  bd_sql_stmt_bind_int64 (due, 1, now_ms);
  while ((rc = bd_sql_stmt_step (due)) == BD_SQL_ROW)
    {
      DueMessage *message = g_new0 (DueMessage, 1);

      message->id = bd_sql_stmt_column_int64 (due, 0);
      message->status = g_strdup (_bd_central_column_text (due, 1));
      message->attempts = bd_sql_stmt_column_int (due, 2);
      message->text = g_strdup (_bd_central_column_text (due, 3));
      message->secret = g_strdup (bd_sql_stmt_column_text (due, 4));
      g_ptr_array_add (messages, message);
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "sms due");
      goto fail;
    }

  for (guint i = 0; i < messages->len; i++)
    {
      DueMessage *message = g_ptr_array_index (messages, i);
      int attempts = message->attempts + 1;
      gboolean ok;

      if (g_str_equal (message->status, "sent"))
        ok = update_message (self, message, "delivered", message->attempts, now_ms,
                             !keep_secrets, now_ms, error);
      else if (failure_rate > 0 && g_rand_double (rand) < failure_rate)
        {
          if (attempts >= BD_CENTRAL_SMS_MAX_ATTEMPTS)
            ok = update_message (self, message, "failed", attempts, now_ms,
                                 !keep_secrets, now_ms, error);
          else
            ok = update_message (self, message, "queued", attempts,
                                 now_ms + retry_delay_ms (attempts), FALSE, now_ms, error);
        }
      else
        ok = update_message (self, message, "sent", attempts,
                             now_ms + BD_CENTRAL_SMS_DELIVER_DELAY_MS, FALSE, now_ms, error);

      if (!ok)
        goto fail;
    }

  if (out_next_due_ms != NULL)
    {
      if (bd_sql_stmt_step (next) != BD_SQL_ROW)
        {
          bd_sql_connection_set_error (self->sql, error, "sms next");
          goto fail;
        }
      *out_next_due_ms = bd_sql_stmt_column_is_null (next, 0)
                         ? -1 : bd_sql_stmt_column_int64 (next, 0);
    }

  return bd_sql_connection_commit (self->sql, error);

fail:
  bd_sql_connection_rollback (self->sql);
  return FALSE;
}

JsonNode *
bd_central_db_sms_list (BdCentralDb  *self,
                        const char   *zone,
                        const char   *mobile,
                        guint         limit,
                        GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);
  g_return_val_if_fail (zone != NULL && mobile != NULL, NULL);

  /* Only messages about the caller's zone's consumers: a mobile must not
   * reveal another zone's traffic. */
  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT s.id, s.mobile, s.text, s.status, s.attempts, s.created_at "
                              "FROM sms_outbox s JOIN consumers c ON c.account = s.account "
                              "WHERE s.mobile = ?1 AND c.zone = ?2 "
                              "ORDER BY s.id DESC LIMIT ?3",
                              error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_text (stmt, 1, mobile);
  bd_sql_stmt_bind_text (stmt, 2, zone);
  bd_sql_stmt_bind_int64 (stmt, 3, (int) limit);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  while ((rc = bd_sql_stmt_step (stmt)) == BD_SQL_ROW)
    {
      g_autofree char *created_at = bd_time_to_iso8601 (bd_sql_stmt_column_int64 (stmt, 5));

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, bd_sql_stmt_column_int64 (stmt, 0));
      json_builder_set_member_name (builder, "mobile");
      json_builder_add_string_value (builder, _bd_central_column_text (stmt, 1));
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, _bd_central_column_text (stmt, 2));
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, _bd_central_column_text (stmt, 3));
      json_builder_set_member_name (builder, "attempts");
      json_builder_add_int_value (builder, bd_sql_stmt_column_int (stmt, 4));
      json_builder_set_member_name (builder, "created_at");
      json_builder_add_string_value (builder, created_at);
      json_builder_end_object (builder);
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "sms list");
      return NULL;
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
