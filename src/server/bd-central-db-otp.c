/* bd-central-db-otp.c: OTP tickets, their rate limits, app registrations.
 *
 * Each operation runs in one IMMEDIATE transaction, so two processes
 * serving the same database cannot both spend the last send of a limit or
 * both accept a code. Codes exist in clear only in this process's memory
 * (wiped after use) and in the queued SMS, which the gateway scrubs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "core/bd-kdf.h"
#include "core/bd-time.h"
#include "core/bd-validate.h"

#include "bd-central-db-otp.h"
#include "bd-central-db-private.h"
#include "bd-password.h"

#define CODE_LENGTH    6
#define SALT_LENGTH    16
#define HASH_LENGTH    32
#define ID_BYTES       16
#define TEMP_PASSWORD_LENGTH 10

/* What a ticket row holds beyond the wire object. */
typedef struct {
  BdCentralOtpTicket *ticket;
  guint8              salt[SALT_LENGTH];
  guint8              hash[HASH_LENGTH];
  gint64              verified_at;
} TicketRow;

static void
ticket_row_clear (TicketRow *row)
{
  g_clear_pointer (&row->ticket, bd_central_otp_ticket_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TicketRow, ticket_row_clear)

static gboolean
random_bytes (guint8  *buf,
              gsize    len,
              GError **error)
{
  if (!bd_random_bytes (buf, len))
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT,
                   _("The server has no source of secure random numbers."));
      return FALSE;
    }

  return TRUE;
}

/* Six uniformly distributed digits: values of 4294000000 and above are
 * drawn again so that no code is likelier than another. */
static gboolean
random_code (char     code[CODE_LENGTH + 1],
             GError **error)
{
  guint32 value;

  do
    {
      if (!random_bytes ((guint8 *) &value, sizeof value, error))
        return FALSE;
    }
  while (value >= G_GUINT64_CONSTANT (4294000000));

  g_snprintf (code, CODE_LENGTH + 1, "%06u", value % 1000000);
  explicit_bzero (&value, sizeof value);
  return TRUE;
}

static void
hash_code (const guint8 salt[SALT_LENGTH],
           const char  *code,
           guint8       out[HASH_LENGTH])
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize length = HASH_LENGTH;

  g_checksum_update (checksum, salt, SALT_LENGTH);
  g_checksum_update (checksum, (const guchar *) code, (gssize) strlen (code));
  g_checksum_get_digest (checksum, out, &length);
}

static char *
new_ticket_id (GError **error)
{
  guint8 bytes[ID_BYTES];
  g_autofree char *base64 = NULL;

  if (!random_bytes (bytes, sizeof bytes, error))
    return NULL;

  /* URL-safe base64 without padding: 22 characters. */
  base64 = g_base64_encode (bytes, sizeof bytes);
  for (char *p = base64; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        *p = '\0';
    }

  return g_steal_pointer (&base64);
}

/* Letters and digits that cannot be misread for one another on a phone. */
static char *
new_temporary_password (GError **error)
{
  static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
  char password[TEMP_PASSWORD_LENGTH + 1];
  gboolean letter;
  gboolean digit;

  do
    {
      guint8 bytes[TEMP_PASSWORD_LENGTH];

      letter = digit = FALSE;
      if (!random_bytes (bytes, sizeof bytes, error))
        return NULL;
      for (guint i = 0; i < TEMP_PASSWORD_LENGTH; i++)
        {
          /* 31 symbols: 256 % 31 leaves a bias under 1 %, harmless for a
           * password that must be changed at first sign-in. */
          password[i] = alphabet[bytes[i] % (sizeof alphabet - 1)];
          letter |= g_ascii_isalpha (password[i]);
          digit |= g_ascii_isdigit (password[i]);
        }
      password[TEMP_PASSWORD_LENGTH] = '\0';
      explicit_bzero (bytes, sizeof bytes);
    }
  while (!letter || !digit);

  return g_strdup (password);
}

static char *
otp_sms_text (const char *code)
{
  /* Fixed bilingual text, as the consumer receives it whatever the
   * operator's language. */
  return g_strdup_printf ("बिजली डेस्क: आपका OTP %s है, 5 मिनट के लिए मान्य। "
                          "इसे अधिकृत कर्मचारी के अलावा किसी को न बताएं। / "
                          "Bijli Desk: your OTP is %s, valid 5 minutes. "
                          "Share it only with authorised staff.",
                          code, code);
}

static gint64
count_sends (BdCentralDb  *self,
             const char   *column,
             const char   *value,
             gint64        since,
             GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT COUNT(*) FROM otp_sends WHERE %s = ?1 AND at > ?2",
                                          column);

  stmt = bd_sql_connection_prepare (self->sql, sql, error);
  if (stmt == NULL)
    return -1;
  bd_sql_stmt_bind_text (stmt, 1, value);
  bd_sql_stmt_bind_int64 (stmt, 2, since);
  if (bd_sql_stmt_step (stmt) != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "otp sends");
      return -1;
    }

  return bd_sql_stmt_column_int64 (stmt, 0);
}

/* When the window will hold fewer than max sends again: the max-th newest
 * send must have left it. */
static gint64
window_opens_at (BdCentralDb  *self,
                 const char   *column,
                 const char   *value,
                 gint64        since,
                 gint64        window,
                 int           max,
                 GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT at FROM otp_sends WHERE %s = ?1 AND at > ?2 "
                                          "ORDER BY at DESC LIMIT 1 OFFSET ?3",
                                          column);

  stmt = bd_sql_connection_prepare (self->sql, sql, error);
  if (stmt == NULL)
    return -1;
  bd_sql_stmt_bind_text (stmt, 1, value);
  bd_sql_stmt_bind_int64 (stmt, 2, since);
  bd_sql_stmt_bind_int64 (stmt, 3, max - 1);
  if (bd_sql_stmt_step (stmt) != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "otp window");
      return -1;
    }

  return bd_sql_stmt_column_int64 (stmt, 0) + window;
}

/* The four limits (3 per 15 minutes and 10 per day, per account and per
 * mobile): how many sends are left (the fewest), and if none, when the
 * next one is allowed. FALSE only on a database error. */
static gboolean
check_limits (BdCentralDb  *self,
              const char   *account,
              const char   *mobile,
              gint64        now,
              int          *out_sends_left,
              gint64       *out_retry_after,
              GError      **error)
{
  static const struct {
    gint64 window;
    int    max;
  } limits[] = {
    { BD_CENTRAL_OTP_WINDOW_S, BD_CENTRAL_OTP_WINDOW_MAX },
    { BD_CENTRAL_OTP_DAY_S, BD_CENTRAL_OTP_DAY_MAX },
  };
  const char *columns[] = { "account", "mobile" };
  const char *values[] = { account, mobile };
  int sends_left = G_MAXINT;
  gint64 retry_after = 0;

  for (guint l = 0; l < G_N_ELEMENTS (limits); l++)
    for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
      {
        gint64 since = now - limits[l].window;
        gint64 count = count_sends (self, columns[c], values[c], since, error);

        if (count < 0)
          return FALSE;
        sends_left = MIN (sends_left, MAX (0, limits[l].max - (int) count));
        if (count >= limits[l].max)
          {
            gint64 opens_at = window_opens_at (self, columns[c], values[c], since,
                                               limits[l].window, limits[l].max, error);

            if (opens_at < 0)
              return FALSE;
            retry_after = MAX (retry_after, opens_at - now);
          }
      }

  *out_sends_left = sends_left;
  *out_retry_after = retry_after;
  return TRUE;
}

static gboolean
record_send (BdCentralDb  *self,
             const char   *account,
             const char   *mobile,
             gint64        now,
             GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;

  stmt = bd_sql_connection_prepare (self->sql,
                              "INSERT INTO otp_sends (account, mobile, at) VALUES (?1, ?2, ?3)",
                              error);
  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (stmt, 1, account);
  bd_sql_stmt_bind_text (stmt, 2, mobile);
  bd_sql_stmt_bind_int64 (stmt, 3, now);
  if (bd_sql_stmt_step (stmt) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "otp send");
      return FALSE;
    }

  return TRUE;
}

static void
set_rate_limited (GError **error,
                  gint64   retry_after)
{
  g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_RATE_LIMITED,
               _("Too many OTPs were sent to this consumer or mobile. Try again in %d minutes."),
               (int) MAX (1, (retry_after + 59) / 60));
}

/* Reads the ticket of a zone's consumer; NOT_FOUND if unknown. A pending
 * ticket past its expiry reads as expired. */
static gboolean
read_ticket (BdCentralDb  *self,
             const char   *zone,
             const char   *id,
             gint64        now,
             TicketRow    *row,
             GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  BdCentralOtpTicket *ticket;
  gint64 retry_after;
  int rc;

  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT t.id, t.account, t.purpose, t.mobile, t.state, t.expires_at, "
                              "  t.resend_after, t.attempts_left, COALESCE (s.status, 'queued'), "
                              "  t.code_salt, t.code_hash, COALESCE (t.verified_at, 0) "
                              "FROM otp_tickets t "
                              "JOIN consumers c ON c.account = t.account "
                              "LEFT JOIN sms_outbox s ON s.id = t.sms_id "
                              "WHERE t.id = ?1 AND c.zone = ?2",
                              error);
  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (stmt, 1, id);
  bd_sql_stmt_bind_text (stmt, 2, zone);
  rc = bd_sql_stmt_step (stmt);
  if (rc == BD_SQL_DONE)
    {
      g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND,
                   _("This OTP is not known. Send a new one."));
      return FALSE;
    }
  if (rc != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "otp ticket");
      return FALSE;
    }

  ticket = g_new0 (BdCentralOtpTicket, 1);
  row->ticket = ticket;
  ticket->id = g_strdup (_bd_central_column_text (stmt, 0));
  ticket->account = g_strdup (_bd_central_column_text (stmt, 1));
  ticket->purpose = g_strdup (_bd_central_column_text (stmt, 2));
  ticket->mobile = g_strdup (_bd_central_column_text (stmt, 3));
  ticket->state = g_strdup (_bd_central_column_text (stmt, 4));
  ticket->expires_at = bd_sql_stmt_column_int64 (stmt, 5);
  ticket->resend_after = bd_sql_stmt_column_int64 (stmt, 6);
  ticket->attempts_left = bd_sql_stmt_column_int (stmt, 7);
  ticket->delivery = g_strdup (_bd_central_column_text (stmt, 8));
  if (bd_sql_stmt_column_bytes (stmt, 9) == SALT_LENGTH && bd_sql_stmt_column_bytes (stmt, 10) == HASH_LENGTH)
    {
      memcpy (row->salt, bd_sql_stmt_column_blob (stmt, 9), SALT_LENGTH);
      memcpy (row->hash, bd_sql_stmt_column_blob (stmt, 10), HASH_LENGTH);
    }
  row->verified_at = bd_sql_stmt_column_int64 (stmt, 11);

  if (g_str_equal (ticket->state, "pending") && now >= ticket->expires_at)
    {
      g_free (ticket->state);
      ticket->state = g_strdup ("expired");
    }

  return check_limits (self, ticket->account, ticket->mobile, now,
                       &ticket->sends_left, &retry_after, error);
}

static gboolean
set_ticket_state (BdCentralDb  *self,
                  const char   *id,
                  const char   *state,
                  int           attempts_left,
                  gint64        verified_at,
                  GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;

  stmt = bd_sql_connection_prepare (self->sql,
                              "UPDATE otp_tickets SET state = ?2, attempts_left = ?3, "
                              "  verified_at = COALESCE (?4, verified_at) WHERE id = ?1",
                              error);
  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (stmt, 1, id);
  bd_sql_stmt_bind_text (stmt, 2, state);
  bd_sql_stmt_bind_int64 (stmt, 3, attempts_left);
  if (verified_at > 0)
    bd_sql_stmt_bind_int64 (stmt, 4, verified_at);
  else
    bd_sql_stmt_bind_null (stmt, 4);
  if (bd_sql_stmt_step (stmt) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "otp state");
      return FALSE;
    }

  return TRUE;
}

/* A fresh code for ticket id: new salt and hash, a new SMS, a send
 * counted, attempts and expiry from the start. The clear code goes to
 * out_code if asked for (tests), and is wiped otherwise. */
static gboolean
issue_code (BdCentralDb  *self,
            const char   *id,
            const char   *account,
            const char   *mobile,
            gint64        now,
            char        **out_code,
            GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  g_autofree char *text = NULL;
  char code[CODE_LENGTH + 1];
  guint8 salt[SALT_LENGTH];
  guint8 hash[HASH_LENGTH];
  gint64 sms_id;
  gboolean ok = FALSE;

  if (!random_code (code, error) || !random_bytes (salt, sizeof salt, error))
    goto out;
  hash_code (salt, code, hash);

  text = otp_sms_text (code);
  sms_id = _bd_central_db_sms_enqueue (self, account, mobile, text, code, now * 1000, error);
  if (sms_id < 0 || !record_send (self, account, mobile, now, error))
    goto out;

  stmt = bd_sql_connection_prepare (self->sql,
                              "UPDATE otp_tickets SET code_salt = ?2, code_hash = ?3, state = 'pending', "
                              "  attempts_left = ?4, expires_at = ?5, resend_after = ?6, "
                              "  verified_at = NULL, sms_id = ?7 WHERE id = ?1",
                              error);
  if (stmt == NULL)
    goto out;
  bd_sql_stmt_bind_text (stmt, 1, id);
  bd_sql_stmt_bind_blob (stmt, 2, salt, sizeof salt);
  bd_sql_stmt_bind_blob (stmt, 3, hash, sizeof hash);
  bd_sql_stmt_bind_int64 (stmt, 4, BD_CENTRAL_OTP_ATTEMPTS);
  bd_sql_stmt_bind_int64 (stmt, 5, now + BD_CENTRAL_OTP_LIFETIME_S);
  bd_sql_stmt_bind_int64 (stmt, 6, now + BD_CENTRAL_OTP_RESEND_COOLDOWN_S);
  bd_sql_stmt_bind_int64 (stmt, 7, sms_id);
  if (bd_sql_stmt_step (stmt) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "otp code");
      goto out;
    }

  if (out_code != NULL)
    *out_code = g_strdup (code);
  ok = TRUE;

out:
  explicit_bzero (code, sizeof code);
  if (text != NULL)
    explicit_bzero (text, strlen (text));
  return ok;
}

static gboolean
is_registered (BdCentralDb  *self,
               const char   *account,
               gboolean     *out_registered,
               GError      **error)
{
  g_autoptr(BdSqlStmt) stmt = NULL;
  int rc;

  stmt = bd_sql_connection_prepare (self->sql, "SELECT 1 FROM app_registrations WHERE account = ?1", error);
  if (stmt == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (stmt, 1, account);
  rc = bd_sql_stmt_step (stmt);
  if (rc != BD_SQL_ROW && rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "registration");
      return FALSE;
    }

  *out_registered = rc == BD_SQL_ROW;
  return TRUE;
}

static char *
mask_or_null (const char *mobile)
{
  return mobile != NULL && *mobile != '\0' ? bd_mobile_mask (mobile) : NULL;
}

void
bd_central_otp_ticket_free (BdCentralOtpTicket *ticket)
{
  if (ticket == NULL)
    return;

  g_free (ticket->id);
  g_free (ticket->account);
  g_free (ticket->purpose);
  g_free (ticket->mobile);
  g_free (ticket->state);
  g_free (ticket->delivery);
  g_free (ticket);
}

JsonNode *
bd_central_otp_ticket_to_json (BdCentralOtpTicket *ticket)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *masked = bd_mobile_mask (ticket->mobile);
  g_autofree char *expires_at = bd_time_to_iso8601 (ticket->expires_at);
  g_autofree char *resend_after = bd_time_to_iso8601 (ticket->resend_after);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, ticket->id);
  json_builder_set_member_name (builder, "account");
  json_builder_add_string_value (builder, ticket->account);
  json_builder_set_member_name (builder, "purpose");
  json_builder_add_string_value (builder, ticket->purpose);
  json_builder_set_member_name (builder, "mobile_masked");
  json_builder_add_string_value (builder, masked != NULL ? masked : "");
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, ticket->state);
  json_builder_set_member_name (builder, "delivery");
  json_builder_add_string_value (builder, ticket->delivery);
  json_builder_set_member_name (builder, "expires_at");
  json_builder_add_string_value (builder, expires_at);
  json_builder_set_member_name (builder, "resend_after");
  json_builder_add_string_value (builder, resend_after);
  json_builder_set_member_name (builder, "attempts_left");
  json_builder_add_int_value (builder, ticket->attempts_left);
  json_builder_set_member_name (builder, "sends_left");
  json_builder_add_int_value (builder, ticket->sends_left);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

void
bd_central_registration_free (BdCentralRegistration *registration)
{
  if (registration == NULL)
    return;

  g_free (registration->account);
  g_free (registration->username);
  g_free (registration);
}

JsonNode *
bd_central_registration_to_json (BdCentralRegistration *registration)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *registered_at = bd_time_to_iso8601 (registration->registered_at);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "account");
  json_builder_add_string_value (builder, registration->account);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, registration->username);
  json_builder_set_member_name (builder, "registered_at");
  json_builder_add_string_value (builder, registered_at);
  json_builder_set_member_name (builder, "temporary_password_sent");
  json_builder_add_boolean_value (builder, registration->temporary_password_sent);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

BdCentralOtpTicket *
bd_central_db_otp_request (BdCentralDb  *self,
                           const char   *zone,
                           const char   *account,
                           const char   *purpose,
                           const char   *mobile,
                           const char   *staff_username,
                           gint64        now,
                           char        **out_code,
                           gint64       *out_retry_after,
                           GError      **error)
{
  g_autoptr(BdConsumer) consumer = NULL;
  g_autoptr(BdSqlStmt) expire = NULL;
  g_autoptr(BdSqlStmt) insert = NULL;
  g_auto(TicketRow) row = { NULL, };
  g_autofree char *id = NULL;
  const char *registered;
  const char *target;
  /* These go to a number the caller names: the new mobile, or the
   * contact number of a complaint (checked by the complaints module). */
  gboolean change = g_strcmp0 (purpose, BD_CENTRAL_OTP_CHANGE_MOBILE) == 0 ||
                    g_strcmp0 (purpose, BD_CENTRAL_OTP_COMPLAINT_CLOSE) == 0;
  int sends_left;
  gint64 retry_after;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);
  g_return_val_if_fail (zone != NULL && account != NULL && purpose != NULL, NULL);
  g_return_val_if_fail (change
                        || g_str_equal (purpose, BD_CENTRAL_OTP_REGISTRATION)
                        || g_str_equal (purpose, BD_CENTRAL_OTP_VERIFY_MOBILE)
                        || g_str_equal (purpose, BD_CENTRAL_OTP_DISCONNECTION_CONSENT), NULL);

  if (out_retry_after != NULL)
    *out_retry_after = 0;

  if (!bd_sql_connection_begin (self->sql, error))
    return NULL;

  consumer = bd_central_db_lookup_consumer (self, zone, account, error);
  if (consumer == NULL)
    goto fail;

  registered = bd_consumer_get_mobile (consumer);
  if (change)
    {
      if (mobile == NULL)
        {
          g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT,
                       _("Give the new mobile number to send the OTP to."));
          goto fail;
        }
      target = mobile;
    }
  else
    {
      gboolean registered_already;

      if (registered == NULL || *registered == '\0')
        {
          g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_NO_MOBILE,
                       _("No mobile number is on record for this consumer. Change the mobile first."));
          goto fail;
        }
      if (mobile != NULL && !g_str_equal (mobile, registered))
        {
          g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT,
                       _("That is not the registered mobile. To use another number, change the mobile first."));
          goto fail;
        }
      if (g_str_equal (purpose, BD_CENTRAL_OTP_REGISTRATION))
        {
          if (!is_registered (self, account, &registered_already, error))
            goto fail;
          if (registered_already)
            {
              g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_ALREADY_REGISTERED,
                           _("This consumer is already registered in the app."));
              goto fail;
            }
        }
      target = registered;
    }

  if (!check_limits (self, account, target, now, &sends_left, &retry_after, error))
    goto fail;
  if (sends_left == 0)
    {
      if (out_retry_after != NULL)
        *out_retry_after = retry_after;
      set_rate_limited (error, retry_after);
      goto fail;
    }

  /* One live OTP per account and purpose: an older one dies. */
  expire = bd_sql_connection_prepare (self->sql,
                                "UPDATE otp_tickets SET state = 'expired' "
                                "WHERE account = ?1 AND purpose = ?2 AND state = 'pending'",
                                error);
  if (expire == NULL)
    goto fail;
  bd_sql_stmt_bind_text (expire, 1, account);
  bd_sql_stmt_bind_text (expire, 2, purpose);
  if (bd_sql_stmt_step (expire) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "otp expire");
      goto fail;
    }

  id = new_ticket_id (error);
  if (id == NULL)
    goto fail;

  /* Inserted with an impossible hash; issue_code() sets the real one. */
  insert = bd_sql_connection_prepare (self->sql,
                                "INSERT INTO otp_tickets (id, account, purpose, mobile, code_salt, "
                                "  code_hash, state, attempts_left, created_at, expires_at, "
                                "  resend_after, created_by) "
                                "VALUES (?1, ?2, ?3, ?4, ?7, ?7, 'pending', 0, ?5, ?5, ?5, ?6)",
                                error);
  if (insert == NULL)
    goto fail;
  bd_sql_stmt_bind_text (insert, 1, id);
  bd_sql_stmt_bind_text (insert, 2, account);
  bd_sql_stmt_bind_text (insert, 3, purpose);
  bd_sql_stmt_bind_text (insert, 4, target);
  bd_sql_stmt_bind_int64 (insert, 5, now);
  bd_sql_stmt_bind_text (insert, 6, staff_username);
  bd_sql_stmt_bind_blob (insert, 7, "", 0);
  if (bd_sql_stmt_step (insert) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "otp insert");
      goto fail;
    }

  if (!issue_code (self, id, account, target, now, out_code, error)
      || !read_ticket (self, zone, id, now, &row, error))
    goto fail;

  if (!bd_sql_connection_commit (self->sql, error))
    goto fail_committed;

  return g_steal_pointer (&row.ticket);

fail:
  bd_sql_connection_rollback (self->sql);
fail_committed:
  if (out_code != NULL)
    g_clear_pointer (out_code, g_free);
  return NULL;
}

BdCentralOtpTicket *
bd_central_db_otp_get (BdCentralDb  *self,
                       const char   *zone,
                       const char   *id,
                       gint64        now,
                       GError      **error)
{
  g_auto(TicketRow) row = { NULL, };

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);
  g_return_val_if_fail (zone != NULL && id != NULL, NULL);

  if (!read_ticket (self, zone, id, now, &row, error))
    return NULL;

  return g_steal_pointer (&row.ticket);
}

BdCentralOtpTicket *
bd_central_db_otp_resend (BdCentralDb  *self,
                          const char   *zone,
                          const char   *id,
                          gint64        now,
                          char        **out_code,
                          gint64       *out_retry_after,
                          GError      **error)
{
  g_auto(TicketRow) row = { NULL, };
  g_auto(TicketRow) fresh = { NULL, };
  BdCentralOtpTicket *ticket;
  gint64 retry_after;
  int sends_left;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);
  g_return_val_if_fail (zone != NULL && id != NULL, NULL);

  if (out_retry_after != NULL)
    *out_retry_after = 0;

  if (!bd_sql_connection_begin (self->sql, error))
    return NULL;

  if (!read_ticket (self, zone, id, now, &row, error))
    goto fail;
  ticket = row.ticket;

  if (g_str_equal (ticket->state, "used") || g_str_equal (ticket->state, "verified"))
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_USED,
                   _("This OTP has already been used. Start again to send a new one."));
      goto fail;
    }

  if (!check_limits (self, ticket->account, ticket->mobile, now, &sends_left, &retry_after, error))
    goto fail;
  if (now < ticket->resend_after)
    retry_after = MAX (retry_after, ticket->resend_after - now);
  if (sends_left == 0 || now < ticket->resend_after)
    {
      if (out_retry_after != NULL)
        *out_retry_after = retry_after;
      if (sends_left == 0)
        set_rate_limited (error, retry_after);
      else
        g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_RATE_LIMITED,
                     _("Wait %d seconds before sending the OTP again."), (int) retry_after);
      goto fail;
    }

  if (!issue_code (self, id, ticket->account, ticket->mobile, now, out_code, error)
      || !read_ticket (self, zone, id, now, &fresh, error))
    goto fail;

  if (!bd_sql_connection_commit (self->sql, error))
    goto fail_committed;

  return g_steal_pointer (&fresh.ticket);

fail:
  bd_sql_connection_rollback (self->sql);
fail_committed:
  if (out_code != NULL)
    g_clear_pointer (out_code, g_free);
  return NULL;
}

/* The effect of a verified OTP on the consumer, in the open transaction. */
static gboolean
apply_verified (BdCentralDb         *self,
                const char          *zone,
                BdCentralOtpTicket  *ticket,
                const char          *staff_username,
                const char          *staff_role,
                gint64               now,
                gboolean            *out_stale,
                GError             **error)
{
  g_autoptr(BdConsumer) consumer = NULL;
  g_autofree char *old_masked = NULL;
  g_autofree char *new_masked = NULL;
  gboolean change = g_str_equal (ticket->purpose, BD_CENTRAL_OTP_CHANGE_MOBILE);

  *out_stale = FALSE;
  /* These are used later (registering, closing a complaint, confirming a
   * disconnection); verifying changes nothing about the consumer. */
  if (g_str_equal (ticket->purpose, BD_CENTRAL_OTP_REGISTRATION) ||
      g_str_equal (ticket->purpose, BD_CENTRAL_OTP_COMPLAINT_CLOSE) ||
      g_str_equal (ticket->purpose, BD_CENTRAL_OTP_DISCONNECTION_CONSENT))
    return TRUE;

  consumer = bd_central_db_lookup_consumer (self, zone, ticket->account, error);
  if (consumer == NULL)
    return FALSE;

  /* The number changed after the OTP went out: it proves nothing now. */
  if (!change && g_strcmp0 (bd_consumer_get_mobile (consumer), ticket->mobile) != 0)
    {
      *out_stale = TRUE;
      return TRUE;
    }

  old_masked = mask_or_null (bd_consumer_get_mobile (consumer));
  new_masked = mask_or_null (ticket->mobile);
  bd_consumer_set_mobile (consumer, ticket->mobile);
  bd_consumer_set_mobile_verified (consumer, TRUE);
  if (!_bd_central_db_update_row (self, consumer, now, error))
    return FALSE;

  return _bd_central_db_add_history (self, ticket->account, now, staff_username, staff_role,
                                     change ? "mobile_changed" : "mobile_verified", "mobile",
                                     change ? old_masked : NULL, new_masked, error);
}

BdCentralOtpTicket *
bd_central_db_otp_verify (BdCentralDb  *self,
                          const char   *zone,
                          const char   *id,
                          const char   *code,
                          const char   *staff_username,
                          const char   *staff_role,
                          gint64        now,
                          int          *out_attempts_left,
                          GError      **error)
{
  g_auto(TicketRow) row = { NULL, };
  g_auto(TicketRow) verified = { NULL, };
  BdCentralOtpTicket *ticket;
  guint8 hash[HASH_LENGTH];
  gboolean match;
  gboolean stale;
  g_autoptr(GError) outcome = NULL;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);
  g_return_val_if_fail (zone != NULL && id != NULL && code != NULL, NULL);

  if (out_attempts_left != NULL)
    *out_attempts_left = 0;

  if (!bd_sql_connection_begin (self->sql, error))
    return NULL;

  if (!read_ticket (self, zone, id, now, &row, error))
    goto fail;
  ticket = row.ticket;

  if (g_str_equal (ticket->state, "used") || g_str_equal (ticket->state, "verified"))
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_USED,
                   _("This OTP has already been used. Send a new one if needed."));
      goto fail;
    }
  if (g_str_equal (ticket->state, "locked"))
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_LOCKED,
                   _("Too many wrong codes were entered. Send a new OTP."));
      goto fail;
    }
  if (g_str_equal (ticket->state, "expired"))
    {
      /* Record it, so the row says what the answer said. */
      if (!set_ticket_state (self, id, "expired", ticket->attempts_left, 0, error))
        goto fail;
      g_set_error (&outcome, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_EXPIRED,
                   _("This OTP has expired. Send a new one."));
      goto commit_outcome;
    }

  hash_code (row.salt, code, hash);
  match = bd_password_equal_constant_time (hash, row.hash, HASH_LENGTH);
  explicit_bzero (hash, sizeof hash);

  if (!match)
    {
      int left = ticket->attempts_left - 1;

      if (!set_ticket_state (self, id, left > 0 ? "pending" : "locked", MAX (left, 0), 0, error))
        goto fail;
      if (left > 0)
        {
          if (out_attempts_left != NULL)
            *out_attempts_left = left;
          g_set_error (&outcome, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_WRONG,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "The code is wrong. %d more try is allowed.",
                                    "The code is wrong. %d more tries are allowed.", left),
                       left);
        }
      else
        g_set_error (&outcome, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_LOCKED,
                     _("Too many wrong codes were entered. Send a new OTP."));
      goto commit_outcome;
    }

  if (!apply_verified (self, zone, ticket, staff_username, staff_role, now, &stale, error))
    goto fail;
  if (stale)
    {
      if (!set_ticket_state (self, id, "expired", ticket->attempts_left, 0, error))
        goto fail;
      g_set_error (&outcome, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_EXPIRED,
                   _("The registered mobile changed after this OTP was sent. Send a new one."));
      goto commit_outcome;
    }

  if (!set_ticket_state (self, id, "verified", ticket->attempts_left, now, error)
      || !read_ticket (self, zone, id, now, &verified, error))
    goto fail;
  if (!bd_sql_connection_commit (self->sql, error))
    return NULL;

  return g_steal_pointer (&verified.ticket);

  /* A refused code still changes the ticket (one attempt fewer, or dead):
   * that must be stored before answering. */
commit_outcome:
  if (!bd_sql_connection_commit (self->sql, error))
    return NULL;
  g_propagate_error (error, g_steal_pointer (&outcome));
  return NULL;

fail:
  bd_sql_connection_rollback (self->sql);
  return NULL;
}

BdCentralRegistration *
bd_central_db_register (BdCentralDb  *self,
                        const char   *zone,
                        const char   *account,
                        const char   *otp_id,
                        const char   *username,
                        const char   *password,
                        const char   *staff_username,
                        const char   *staff_role,
                        gint64        now,
                        char        **out_temporary_password,
                        GError      **error)
{
  g_autoptr(BdConsumer) consumer = NULL;
  g_autoptr(BdSqlStmt) taken = NULL;
  g_autoptr(BdSqlStmt) insert = NULL;
  g_auto(TicketRow) row = { NULL, };
  g_autofree char *temporary = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) ticket_error = NULL;
  BdCentralRegistration *registration;
  gboolean registered_already;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);
  g_return_val_if_fail (zone != NULL && account != NULL && otp_id != NULL && username != NULL, NULL);

  if (!bd_sql_connection_begin (self->sql, error))
    return NULL;

  consumer = bd_central_db_lookup_consumer (self, zone, account, error);
  if (consumer == NULL)
    goto fail;

  if (!is_registered (self, account, &registered_already, error))
    goto fail;
  if (registered_already)
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_ALREADY_REGISTERED,
                   _("This consumer is already registered in the app."));
      goto fail;
    }

  taken = bd_sql_connection_prepare (self->sql, "SELECT 1 FROM app_registrations WHERE username = ?1", error);
  if (taken == NULL)
    goto fail;
  bd_sql_stmt_bind_text (taken, 1, username);
  rc = bd_sql_stmt_step (taken);
  if (rc == BD_SQL_ROW)
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_USERNAME_TAKEN,
                   _("The user name “%s” is taken. Choose another."), username);
      goto fail;
    }
  if (rc != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "username");
      goto fail;
    }

  if (!read_ticket (self, zone, otp_id, now, &row, &ticket_error)
      && !g_error_matches (ticket_error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&ticket_error));
      goto fail;
    }
  if (row.ticket == NULL
      || !g_str_equal (row.ticket->account, account)
      || !g_str_equal (row.ticket->purpose, BD_CENTRAL_OTP_REGISTRATION)
      || !g_str_equal (row.ticket->state, "verified")
      || row.verified_at < now - BD_CENTRAL_OTP_REGISTER_WITHIN_S)
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_NOT_VERIFIED,
                   _("The consumer's mobile has not been confirmed with an OTP in the last 10 minutes. Send and check an OTP first."));
      goto fail;
    }

  if (password == NULL)
    {
      temporary = new_temporary_password (error);
      if (temporary == NULL)
        goto fail;
      password = temporary;
    }
  insert = bd_sql_connection_prepare (self->sql,
                                "INSERT INTO app_registrations (account, username, password_hash, "
                                "  password_salt, password_iterations, temporary_password, "
                                "  registered_at, registered_by) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                error);
  if (insert == NULL)
    goto fail;
  bd_sql_stmt_bind_text (insert, 1, account);
  bd_sql_stmt_bind_text (insert, 2, username);
  _bd_central_bind_password (insert, 3, password, bd_central_db_get_password_iterations (self));
  bd_sql_stmt_bind_int64 (insert, 6, temporary != NULL);
  bd_sql_stmt_bind_int64 (insert, 7, now);
  bd_sql_stmt_bind_text (insert, 8, staff_username);
  if (bd_sql_stmt_step (insert) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "registration insert");
      goto fail;
    }

  if (temporary != NULL)
    text = g_strdup_printf ("बिजली डेस्क: स्मार्ट मीटर ऐप में आपका यूज़र नाम %s और अस्थायी पासवर्ड %s है। "
                            "पहली बार लॉग इन करके पासवर्ड बदलें। / "
                            "Bijli Desk: your smart meter app user name is %s and your temporary "
                            "password is %s. Change it when you first sign in.",
                            username, temporary, username, temporary);
  else
    text = g_strdup_printf ("बिजली डेस्क: स्मार्ट मीटर ऐप में आपका पंजीकरण हो गया, यूज़र नाम %s। / "
                            "Bijli Desk: you are registered in the smart meter app as %s.",
                            username, username);

  if (!set_ticket_state (self, otp_id, "used", row.ticket->attempts_left, 0, error)
      || !_bd_central_db_add_history (self, account, now, staff_username, staff_role,
                                      "registered", "username", NULL, username, error)
      || _bd_central_db_sms_enqueue (self, account, row.ticket->mobile, text, temporary,
                                     now * 1000, error) < 0)
    goto fail;

  if (!bd_sql_connection_commit (self->sql, error))
    goto fail_committed;

  if (out_temporary_password != NULL)
    *out_temporary_password = g_strdup (temporary);

  registration = g_new0 (BdCentralRegistration, 1);
  registration->account = g_strdup (account);
  registration->username = g_strdup (username);
  registration->registered_at = now;
  registration->temporary_password_sent = temporary != NULL;

  if (temporary != NULL)
    explicit_bzero (temporary, strlen (temporary));
  explicit_bzero (text, strlen (text));
  return registration;

fail:
  bd_sql_connection_rollback (self->sql);
fail_committed:
  if (temporary != NULL)
    explicit_bzero (temporary, strlen (temporary));
  if (text != NULL)
    explicit_bzero (text, strlen (text));
  return NULL;
}

BdCentralRegistration *
bd_central_db_lookup_registration (BdCentralDb  *self,
                                   const char   *zone,
                                   const char   *account,
                                   GError      **error)
{
  g_autoptr(BdConsumer) consumer = NULL;
  g_autoptr(BdSqlStmt) stmt = NULL;
  BdCentralRegistration *registration;
  int rc;

  g_return_val_if_fail (BD_IS_CENTRAL_DB (self), NULL);

  consumer = bd_central_db_lookup_consumer (self, zone, account, error);
  if (consumer == NULL)
    return NULL;

  stmt = bd_sql_connection_prepare (self->sql,
                              "SELECT username, registered_at, temporary_password "
                              "FROM app_registrations WHERE account = ?1",
                              error);
  if (stmt == NULL)
    return NULL;
  bd_sql_stmt_bind_text (stmt, 1, account);
  rc = bd_sql_stmt_step (stmt);
  if (rc == BD_SQL_DONE)
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_NOT_REGISTERED,
                   _("This consumer is not registered in the app yet."));
      return NULL;
    }
  if (rc != BD_SQL_ROW)
    {
      bd_sql_connection_set_error (self->sql, error, "registration");
      return NULL;
    }

  registration = g_new0 (BdCentralRegistration, 1);
  registration->account = g_strdup (account);
  registration->username = g_strdup (_bd_central_column_text (stmt, 0));
  registration->registered_at = bd_sql_stmt_column_int64 (stmt, 1);
  registration->temporary_password_sent = bd_sql_stmt_column_int (stmt, 2) != 0;

  return registration;
}

gboolean
_bd_central_db_otp_take (BdCentralDb  *self,
                         const char   *zone,
                         const char   *id,
                         const char   *account,
                         const char   *purpose,
                         const char   *mobile,
                         gint64        within_s,
                         gint64        now,
                         GError      **error)
{
  g_auto(TicketRow) row = { NULL, };
  g_autoptr(GError) ticket_error = NULL;
  g_autoptr(BdSqlStmt) used = NULL;

  if (!read_ticket (self, zone, id, now, &row, &ticket_error)
      && !g_error_matches (ticket_error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&ticket_error));
      return FALSE;
    }
  if (row.ticket == NULL
      || g_strcmp0 (row.ticket->account, account) != 0
      || !g_str_equal (row.ticket->purpose, purpose)
      || (mobile != NULL && g_strcmp0 (row.ticket->mobile, mobile) != 0)
      || !g_str_equal (row.ticket->state, "verified")
      || row.verified_at < now - within_s)
    {
      g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_OTP_NOT_VERIFIED,
                   _("The consumer has not confirmed this with an OTP in the last 10 minutes. Send and check an OTP first."));
      return FALSE;
    }

  used = bd_sql_connection_prepare (self->sql, "UPDATE otp_tickets SET state = 'used' WHERE id = ?1", error);
  if (used == NULL)
    return FALSE;
  bd_sql_stmt_bind_text (used, 1, id);
  if (bd_sql_stmt_step (used) != BD_SQL_DONE)
    {
      bd_sql_connection_set_error (self->sql, error, "otp use");
      return FALSE;
    }
  return TRUE;
}
