/* bd-central-db.h: bijli-central's database: zones, staff, sessions, consumers.
 *
 * Every consumer query is scoped by zone: a caller never sees another zone's
 * records. Consumer changes are numbered by a global change sequence, which is
 * what the /changes feed pages over. Names are searched through an FTS5 index
 * in tiers (exact words, then prefixes, then spelling keys), each reading a
 * capped number of candidates, so a search costs the same on a million
 * consumers as on a thousand.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "core/bd-changes-page.h"
#include "core/bd-consumer.h"
#include "core/bd-session.h"
#include "store/bd-database.h"

#include "bd-sql-connection.h"

G_BEGIN_DECLS

#define BD_CENTRAL_ERROR (bd_central_error_quark ())

typedef enum {
  BD_CENTRAL_ERROR_INVALID_CREDENTIALS, /* unknown user or wrong password */
  BD_CENTRAL_ERROR_UNAUTHORIZED,        /* unknown or expired session token */
  BD_CENTRAL_ERROR_INVALID_INPUT,
  BD_CENTRAL_ERROR_RATE_LIMITED,        /* too many OTPs sent; see retry_after */
  BD_CENTRAL_ERROR_NO_MOBILE,           /* no mobile on record to send an OTP to */
  BD_CENTRAL_ERROR_ALREADY_REGISTERED,  /* the account is already registered in the app */
  BD_CENTRAL_ERROR_OTP_WRONG,           /* wrong code, attempts remain */
  BD_CENTRAL_ERROR_OTP_LOCKED,          /* too many wrong codes */
  BD_CENTRAL_ERROR_OTP_EXPIRED,
  BD_CENTRAL_ERROR_OTP_USED,            /* already verified or used */
  BD_CENTRAL_ERROR_OTP_NOT_VERIFIED,    /* registration without a fresh verified OTP */
  BD_CENTRAL_ERROR_USERNAME_TAKEN,
  BD_CENTRAL_ERROR_NOT_REGISTERED,
  BD_CENTRAL_ERROR_IDEMPOTENCY_MISMATCH, /* a key reused with a different request */
  BD_CENTRAL_ERROR_NOT_PREPAID,         /* a recharge for a meter that is not prepaid */
  BD_CENTRAL_ERROR_REQUEST_BLOCKED,     /* a disconnection rule blocks the request */
  BD_CENTRAL_ERROR_FORBIDDEN,           /* the role may not do this */
  BD_CENTRAL_ERROR_NOT_ALLOWED,         /* not from the request's current state */
  BD_CENTRAL_ERROR_ACCOUNT_DISABLED,    /* the right password of a disabled user */
} BdCentralError;

GQuark bd_central_error_quark (void);

/* Staff sessions last one long shift. */
#define BD_CENTRAL_SESSION_LIFETIME_S (12 * 60 * 60)

#define BD_TYPE_CENTRAL_DB (bd_central_db_get_type ())
G_DECLARE_FINAL_TYPE (BdCentralDb, bd_central_db, BD, CENTRAL_DB, GObject)

/* Opens or creates the server database and migrates it. url is a file
 * path or "sqlite:///path" (":memory:" for tests), or "postgresql://…". */
BdCentralDb   *bd_central_db_open               (const char     *url,
                                                 GError        **error);
/* What bd_central_db_open() was given. */
const char    *bd_central_db_get_url            (BdCentralDb    *self);
/* TRUE while this process leads in role among every bijli-central on the
 * database (bd_sql_connection_try_lead()). */
gboolean       bd_central_db_try_lead           (BdCentralDb    *self,
                                                 const char     *role,
                                                 GError        **error);
/* The storage connection, to run transactions around calls below. */
BdSqlConnection *bd_central_db_get_connection   (BdCentralDb    *self);
/* The SQLite file, or NULL on PostgreSQL. */
BdDatabase    *bd_central_db_get_database       (BdCentralDb    *self);
/* A random id made with the database: a new file at the same path has
 * another. */
char          *bd_central_db_dup_instance_id    (BdCentralDb    *self,
                                                 GError        **error);

/* Creates the zone or renames it. */
gboolean       bd_central_db_ensure_zone        (BdCentralDb    *self,
                                                 const char     *code,
                                                 const char     *name,
                                                 GError        **error);
/* Creates a staff user; an existing user of that name is left untouched
 * (returns TRUE) so that re-running demo setup is harmless. */
gboolean       bd_central_db_ensure_user        (BdCentralDb    *self,
                                                 const char     *username,
                                                 const char     *display_name,
                                                 BdRole          role,
                                                 const char     *zone,
                                                 const char     *password,
                                                 guint           iterations,
                                                 GError        **error);

/* Checks the password and opens a session valid until now + lifetime.
 * The returned session carries the clear token; only its SHA-256 is stored.
 * BD_CENTRAL_ERROR_INVALID_CREDENTIALS if the user or password is wrong. */
BdSession     *bd_central_db_sign_in            (BdCentralDb    *self,
                                                 const char     *username,
                                                 const char     *password,
                                                 gint64          now,
                                                 GError        **error);
/* The same, refusing with BD_CENTRAL_ERROR_RATE_LIMITED (and
 * *out_retry_after, nullable) once BD_CENTRAL_SIGN_IN_MAX_FAILURES wrong
 * passwords for the user name are in the audit log within
 * BD_CENTRAL_SIGN_IN_WINDOW_S. */
#define BD_CENTRAL_SIGN_IN_MAX_FAILURES 5
#define BD_CENTRAL_SIGN_IN_WINDOW_S     (15 * 60)
BdSession     *bd_central_db_sign_in_checked    (BdCentralDb    *self,
                                                 const char     *username,
                                                 const char     *password,
                                                 gint64          now,
                                                 gint64         *out_retry_after,
                                                 GError        **error);
/* The same in zone (NULL: the user's home zone), which must be the home
 * zone or one granted to the user (bd_central_db_user_update()), else
 * BD_CENTRAL_ERROR_FORBIDDEN after the password was found right. */
BdSession     *bd_central_db_sign_in_to_zone    (BdCentralDb    *self,
                                                 const char     *username,
                                                 const char     *password,
                                                 const char     *zone,
                                                 gint64          now,
                                                 gint64         *out_retry_after,
                                                 GError        **error);

/* The session for a token, BD_CENTRAL_ERROR_UNAUTHORIZED if unknown or expired. */
BdSession     *bd_central_db_lookup_session     (BdCentralDb    *self,
                                                 const char     *token,
                                                 gint64          now,
                                                 GError        **error);
/* Ends session at once (signing out): its token stops working. */
gboolean       bd_central_db_revoke_session     (BdCentralDb    *self,
                                                 BdSession      *session,
                                                 gint64          now,
                                                 GError        **error);
/* Iterations for the password hashes the server makes (staff created or
 * reset); also rehashes a user's older, cheaper hash at their next good
 * sign-in. Until called: BD_PASSWORD_DEFAULT_ITERATIONS, no rehashing. */
void           bd_central_db_set_password_iterations (BdCentralDb *self,
                                                      guint        iterations);
guint          bd_central_db_get_password_iterations (BdCentralDb *self);

/* The desk (its own id, from the X-Bijli-Desk header) of the request
 * being served, recorded with the sessions it opens and the audit entries
 * it writes; NULL between requests. */
void           bd_central_db_set_request_desk   (BdCentralDb    *self,
                                                 const char     *desk);

/* Removes expired sessions; returns how many, or -1 on error. */
gint64         bd_central_db_purge_sessions     (BdCentralDb    *self,
                                                 gint64          now,
                                                 GError        **error);

/* zone NULL counts every zone. -1 on error. Reads the feed's per-zone
 * counts, so it is cheap on any size. */
gint64         bd_central_db_count_consumers    (BdCentralDb    *self,
                                                 const char     *zone,
                                                 GError        **error);

/* Loads many consumers into an empty consumers table in one transaction:
 * indexes and the triggers that maintain the name index and the feed
 * counts are dropped for the load and rebuilt once at its end; a file this
 * connection created is written without a journal on disk or syncs.
 * bulk_begin fails with BD_CENTRAL_ERROR_INVALID_INPUT if consumers exist.
 * Nothing is visible to other connections before bulk_end; after an error
 * call bulk_abort, which rolls everything back. The result is the same
 * database, byte for byte in every table, as inserting one by one. */
gboolean       bd_central_db_bulk_begin         (BdCentralDb    *self,
                                                 GError        **error);
/* Gives the consumer the next change sequence and stores it. */
gboolean       bd_central_db_bulk_insert        (BdCentralDb    *self,
                                                 BdConsumer     *consumer,
                                                 GError        **error);
gboolean       bd_central_db_bulk_end           (BdCentralDb    *self,
                                                 GError        **error);
void           bd_central_db_bulk_abort         (BdCentralDb    *self);

/* Inserts a new consumer with the next change sequence (version and
 * updated_at are taken from the object). Wrap many calls in
 * bd_sql_connection_begin()/commit() on bd_central_db_get_connection(): the
 * statements are prepared once and reused. */
gboolean       bd_central_db_insert_consumer    (BdCentralDb    *self,
                                                 BdConsumer     *consumer,
                                                 GError        **error);
/* Stores a changed consumer: bumps its version, stamps updated_at = now
 * and gives it a new change sequence so the /changes feed carries it again.
 * Updates consumer's version and updated_at to what was stored.
 * BD_STORE_ERROR_NOT_FOUND if the account does not exist. */
gboolean       bd_central_db_update_consumer    (BdCentralDb    *self,
                                                 BdConsumer     *consumer,
                                                 gint64          now,
                                                 GError        **error);

/* The consumer in zone, BD_STORE_ERROR_NOT_FOUND if absent or elsewhere. */
BdConsumer    *bd_central_db_lookup_consumer    (BdCentralDb    *self,
                                                 const char     *zone,
                                                 const char     *account,
                                                 GError        **error);
typedef enum {
  BD_CENTRAL_MATCH_IDENTIFIER,   /* the account, mobile or meter serial, exactly */
  BD_CENTRAL_MATCH_NAME_EXACT,   /* every word is a whole word of a name */
  BD_CENTRAL_MATCH_NAME_PREFIX,  /* every word starts a word of a name */
  BD_CENTRAL_MATCH_NAME_FUZZY,   /* spelling keys match: Shrivastava ~ Srivastava,
                                  * श्रीवास्तव ~ श्रिवास्तव, missing matras */
} BdCentralMatch;

/* Search within zone by account, mobile or meter serial (exact) or by the
 * words of the English or Hindi name, ranked by tier (BdCentralMatch order)
 * and within a tier by the shortest name: each tier orders only its first
 * 64 matches in the zone (more for a larger limit), not every match.
 * out_matches (nullable)
 * receives each result's BdCentralMatch. (element-type BdConsumer) */
GPtrArray     *bd_central_db_search             (BdCentralDb    *self,
                                                 const char     *zone,
                                                 const char     *text,
                                                 guint           limit,
                                                 GArray        **out_matches,
                                                 GError        **error);
/* Consumers of zone whose change sequence is after after_seq, in sequence
 * order, at most limit of them. out_seqs receives each record's sequence
 * (gint64, parallel to page->consumers). page->remaining is exact for the
 * snapshot the page was read from: the zone's records whose current change
 * sequence is after next_cursor (so a record changed again later counts
 * again). It costs a sum over per-zone bucket counts, not a count of rows. */
BdChangesPage *bd_central_db_changes            (BdCentralDb    *self,
                                                 const char     *zone,
                                                 gint64          after_seq,
                                                 guint           limit,
                                                 GArray        **out_seqs,
                                                 GError        **error);

G_END_DECLS
