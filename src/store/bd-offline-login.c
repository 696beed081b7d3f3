/* bd-offline-login.c: the verifier file behind offline sign-in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "core/bd-codec.h"
#include "core/bd-kdf.h"
#include "core/bd-time.h"
#include "bd-offline-login.h"

#define FILE_FORMAT  1
#define SALT_LEN     16
#define VERIFIER_LEN 32

G_DEFINE_QUARK (bd-offline-login-error-quark, bd_offline_login_error)

/* What the file holds, read back. */
typedef struct {
  char   *username;
  char   *display_name;
  BdRole  role;
  char   *zone;
  char   *zone_name;
  gint64  signed_in_at;
  guint   iterations;
  guint8  salt[SALT_LEN];
  guint8  verifier[VERIFIER_LEN];
  gint64  failures;
} Record;

static void
record_clear (Record *record)
{
  g_free (record->username);
  g_free (record->display_name);
  g_free (record->zone);
  g_free (record->zone_name);
  memset (record, 0, sizeof *record);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Record, record_clear)

static char *
hex_encode (const guint8 *bytes,
            gsize         len)
{
  static const char digits[] = "0123456789abcdef";
  char *out = g_malloc (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = digits[bytes[i] >> 4];
      out[2 * i + 1] = digits[bytes[i] & 0xf];
    }
  out[len * 2] = '\0';
  return out;
}

static gboolean
hex_decode (const char *text,
            guint8     *out,
            gsize       len)
{
  if (text == NULL || strlen (text) != len * 2)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      int hi = g_ascii_xdigit_value (text[2 * i]);
      int lo = g_ascii_xdigit_value (text[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

static gboolean
equal_in_constant_time (const guint8 *a,
                        const guint8 *b,
                        gsize         len)
{
  guint8 diff = 0;

  for (gsize i = 0; i < len; i++)
    diff |= a[i] ^ b[i];
  return diff == 0;
}

static void
derive (const char   *password,
        const guint8 *salt,
        guint         iterations,
        guint8       *out)
{
  bd_pbkdf2_sha256 ((const guint8 *) password, strlen (password), salt, SALT_LEN,
                    iterations, out, VERIFIER_LEN);
}

static gboolean
write_record (const char    *path,
              const Record  *record,
              GError       **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *salt_hex = hex_encode (record->salt, SALT_LEN);
  g_autofree char *verifier_hex = hex_encode (record->verifier, VERIFIER_LEN);
  g_autofree char *text = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_int_value (builder, FILE_FORMAT);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, record->username);
  json_builder_set_member_name (builder, "display_name");
  json_builder_add_string_value (builder, record->display_name);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, bd_role_to_string (record->role));
  json_builder_set_member_name (builder, "zone");
  json_builder_add_string_value (builder, record->zone);
  json_builder_set_member_name (builder, "zone_name");
  json_builder_add_string_value (builder, record->zone_name);
  json_builder_set_member_name (builder, "signed_in_at");
  json_builder_add_int_value (builder, record->signed_in_at);
  json_builder_set_member_name (builder, "iterations");
  json_builder_add_int_value (builder, record->iterations);
  json_builder_set_member_name (builder, "salt");
  json_builder_add_string_value (builder, salt_hex);
  json_builder_set_member_name (builder, "verifier");
  json_builder_add_string_value (builder, verifier_hex);
  json_builder_set_member_name (builder, "failures");
  json_builder_add_int_value (builder, record->failures);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = bd_json_to_string (root);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not create the folder for offline sign-in (%s): %s"),
                   dir, g_strerror (saved_errno));
      return FALSE;
    }

  /* Written to a new file and renamed, with the mode set from the start:
   * a crash leaves the old file or the new one, never a readable half. */
  return g_file_set_contents_full (path, text, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

static gboolean
read_record (const char  *path,
             Record      *record,
             GError     **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  const char *role;
  const char *salt;
  const char *verifier;

  if (!g_file_get_contents (path, &text, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error_literal (error, BD_OFFLINE_LOGIN_ERROR, BD_OFFLINE_LOGIN_ERROR_NONE_SAVED,
                             _("The server cannot be reached, and this user has never signed in online on this desk. Sign in once while the server is reachable to be able to work offline."));
      else
        g_set_error (error, BD_OFFLINE_LOGIN_ERROR, BD_OFFLINE_LOGIN_ERROR_DAMAGED,
                     _("The server cannot be reached, and the offline sign-in record cannot be read: %s"),
                     local_error->message);
      return FALSE;
    }

  root = bd_json_parse (text, -1, NULL);
  object = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  role = object != NULL ? json_object_get_string_member_with_default (object, "role", NULL) : NULL;
  salt = object != NULL ? json_object_get_string_member_with_default (object, "salt", NULL) : NULL;
  verifier = object != NULL ? json_object_get_string_member_with_default (object, "verifier", NULL) : NULL;

  if (object == NULL ||
      json_object_get_int_member_with_default (object, "format", 0) != FILE_FORMAT ||
      json_object_get_string_member_with_default (object, "username", NULL) == NULL ||
      json_object_get_string_member_with_default (object, "zone", NULL) == NULL ||
      !bd_role_from_string (role, &record->role) ||
      !hex_decode (salt, record->salt, SALT_LEN) ||
      !hex_decode (verifier, record->verifier, VERIFIER_LEN))
    {
      g_set_error_literal (error, BD_OFFLINE_LOGIN_ERROR, BD_OFFLINE_LOGIN_ERROR_DAMAGED,
                           _("The server cannot be reached, and the offline sign-in record on this desk is damaged. Sign in once while the server is reachable."));
      return FALSE;
    }

  record->username = g_strdup (json_object_get_string_member (object, "username"));
  record->display_name = g_strdup (json_object_get_string_member_with_default (object, "display_name", ""));
  record->zone = g_strdup (json_object_get_string_member (object, "zone"));
  record->zone_name = g_strdup (json_object_get_string_member_with_default (object, "zone_name", record->zone));
  record->signed_in_at = json_object_get_int_member_with_default (object, "signed_in_at", 0);
  record->iterations = (guint) CLAMP (json_object_get_int_member_with_default (object, "iterations", 0), 1, G_MAXINT);
  record->failures = json_object_get_int_member_with_default (object, "failures", 0);
  return TRUE;
}

gboolean
bd_offline_login_save (const char  *path,
                       BdSession   *session,
                       const char  *password,
                       gint64       now,
                       GError     **error)
{
  return bd_offline_login_save_full (path, session, password, now, BD_OFFLINE_LOGIN_ITERATIONS, error);
}

gboolean
bd_offline_login_save_full (const char  *path,
                            BdSession   *session,
                            const char  *password,
                            gint64       now,
                            guint        iterations,
                            GError     **error)
{
  g_auto(Record) record = { 0 };
  gboolean saved;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (BD_IS_SESSION (session), FALSE);
  g_return_val_if_fail (password != NULL, FALSE);
  g_return_val_if_fail (iterations > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!bd_random_bytes (record.salt, SALT_LEN))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("No random numbers could be had for the offline sign-in record."));
      return FALSE;
    }

  record.username = g_strdup (bd_session_get_username (session));
  record.display_name = g_strdup (bd_session_get_display_name (session) != NULL ?
                                  bd_session_get_display_name (session) : "");
  record.role = bd_session_get_role (session);
  record.zone = g_strdup (bd_session_get_zone (session));
  record.zone_name = g_strdup (bd_session_get_zone_name (session) != NULL ?
                               bd_session_get_zone_name (session) : record.zone);
  record.signed_in_at = now;
  record.iterations = iterations;
  derive (password, record.salt, record.iterations, record.verifier);

  saved = write_record (path, &record, error);
  memset (record.verifier, 0, sizeof record.verifier);
  return saved;
}

BdSession *
bd_offline_login_verify (const char  *path,
                         const char  *username,
                         const char  *password,
                         gint64       now,
                         GError     **error)
{
  g_auto(Record) record = { 0 };
  guint8 derived[VERIFIER_LEN];
  gboolean matches;
  gint64 expires_at;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!read_record (path, &record, error))
    return NULL;

  if (g_strcmp0 (record.username, username) != 0)
    {
      g_set_error_literal (error, BD_OFFLINE_LOGIN_ERROR, BD_OFFLINE_LOGIN_ERROR_NONE_SAVED,
                           _("The server cannot be reached, and this user has never signed in online on this desk. Sign in once while the server is reachable to be able to work offline."));
      return NULL;
    }

  if (record.failures >= BD_OFFLINE_LOGIN_MAX_FAILURES)
    {
      g_set_error_literal (error, BD_OFFLINE_LOGIN_ERROR, BD_OFFLINE_LOGIN_ERROR_LOCKED,
                           _("Offline sign-in is locked after too many wrong passwords. Sign in while the server is reachable."));
      return NULL;
    }

  /* A clock set back before the last online sign-in cannot stretch the
   * window either: the desk's clock is not to be trusted offline. */
  expires_at = record.signed_in_at + BD_OFFLINE_LOGIN_VALID_S;
  if (now >= expires_at || now < record.signed_in_at - 24 * 3600)
    {
      g_autofree char *when = bd_time_format_ist (record.signed_in_at);

      /* Translators: %s is a date and time, e.g. "23-11-2026 15:45 IST". */
      g_set_error (error, BD_OFFLINE_LOGIN_ERROR, BD_OFFLINE_LOGIN_ERROR_EXPIRED,
                   _("The server cannot be reached, and offline sign-in has expired: the last online sign-in was on %s. Connect this desk to the server to sign in."),
                   when != NULL ? when : "?");
      return NULL;
    }

  derive (password, record.salt, record.iterations, derived);
  matches = equal_in_constant_time (derived, record.verifier, VERIFIER_LEN);
  memset (derived, 0, sizeof derived);

  if (!matches)
    {
      gint64 left;

      record.failures++;
      left = BD_OFFLINE_LOGIN_MAX_FAILURES - record.failures;
      if (!write_record (path, &record, NULL))
        g_warning ("Could not count a wrong offline password");
      if (left <= 0)
        g_set_error_literal (error, BD_OFFLINE_LOGIN_ERROR, BD_OFFLINE_LOGIN_ERROR_LOCKED,
                             _("Wrong password. Offline sign-in is now locked; sign in while the server is reachable."));
      else
        g_set_error (error, BD_OFFLINE_LOGIN_ERROR, BD_OFFLINE_LOGIN_ERROR_WRONG_PASSWORD,
                     g_dngettext (GETTEXT_PACKAGE,
                                  "Wrong password (checked on this desk, as the server cannot be reached). %d try left.",
                                  "Wrong password (checked on this desk, as the server cannot be reached). %d tries left.",
                                  (gulong) left),
                     (int) left);
      return NULL;
    }

  if (record.failures > 0)
    {
      record.failures = 0;
      if (!write_record (path, &record, NULL))
        g_warning ("Could not reset the count of wrong offline passwords");
    }

  return bd_session_new ("", record.username, record.display_name, record.role,
                         record.zone, record.zone_name, expires_at);
}

gboolean
bd_offline_login_forget (const char  *path,
                         GError     **error)
{
  g_return_val_if_fail (path != NULL, FALSE);

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not remove the offline sign-in record: %s"), g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}
