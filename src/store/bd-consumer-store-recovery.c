/* bd-consumer-store-recovery.c: the rolling backup of the desk's store and
 * the way back from a damaged file.
 *
 * The backup is SQLite's online backup read through a connection of its
 * own: in WAL mode it copies one committed snapshot while the writer goes
 * on, and searches (on the reader) never wait for it. It is written to a
 * temporary file, checked page by page and only then renamed over the
 * previous backup, so a crash or a full disk mid-backup leaves the last
 * good one in place.
 *
 * A damaged store is never deleted: it is moved aside with the time it was
 * found, for whoever wants to look at it, and the desk goes on from the
 * backup. What the backup lacks comes back from the server: the records
 * through the changes feed (the backup's cursor is older), edits still in
 * the backup's outbox are sent with their keys, but edits queued after the
 * backup was taken are gone with the damaged file, and the caller must
 * say so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "bd-consumer-store-private.h"

#define BACKUP_SUFFIX ".backup"

char *
bd_consumer_store_build_backup_path (const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);

  return g_strconcat (path, BACKUP_SUFFIX, NULL);
}

gint64
bd_consumer_store_get_backup_time (const char *path)
{
  g_autofree char *backup = NULL;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, 0);

  backup = bd_consumer_store_build_backup_path (path);
  if (g_stat (backup, &st) != 0)
    return 0;
  return (gint64) st.st_mtime;
}

/* A file is usable if SQLite opens it read-only and finds every page sound. */
static gboolean
file_is_sound (const char *path)
{
  g_autoptr(BdDatabase) db = NULL;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return FALSE;
  db = bd_database_open_read_only (path, NULL);
  return db != NULL && bd_database_check (db, NULL);
}

gboolean
_bd_consumer_store_copy_database (sqlite3     *source,
                                  const char  *dest_path,
                                  GError     **error)
{
  sqlite3 *dest = NULL;
  sqlite3_backup *backup;
  int rc;

  rc = sqlite3_open_v2 (dest_path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc == SQLITE_OK)
    {
      backup = sqlite3_backup_init (dest, "main", source, "main");
      if (backup == NULL)
        rc = sqlite3_errcode (dest);
      else
        {
          /* -1: the whole file in one step, one snapshot. */
          rc = sqlite3_backup_step (backup, -1);
          if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
          if (sqlite3_backup_finish (backup) != SQLITE_OK && rc == SQLITE_OK)
            rc = sqlite3_errcode (dest);
        }
    }
  if (rc != SQLITE_OK)
    {
      g_set_error (error, BD_STORE_ERROR,
                   rc == SQLITE_FULL ? BD_STORE_ERROR_QUERY : BD_STORE_ERROR_OPEN,
                   _("Could not back up the local copy to “%s”: %s."),
                   dest_path, dest != NULL ? sqlite3_errmsg (dest) : sqlite3_errstr (rc));
      sqlite3_close (dest);
      return FALSE;
    }
  /* The backup is a plain rollback-journal file: one file to rename. */
  sqlite3_exec (dest, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
  sqlite3_close (dest);
  return TRUE;
}

gboolean
bd_consumer_store_backup (BdConsumerStore  *self,
                          GError          **error)
{
  g_autoptr(BdDatabase) source = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *partial = NULL;
  const char *path;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  path = bd_database_get_path (self->writer->db);
  if (g_strcmp0 (path, ":memory:") == 0)
    {
      g_set_error_literal (error, BD_STORE_ERROR, BD_STORE_ERROR_OPEN,
                           _("A database in memory has no backup."));
      return FALSE;
    }

  source = bd_database_open_read_only (path, error);
  if (source == NULL)
    return FALSE;

  backup = bd_consumer_store_build_backup_path (path);
  partial = g_strconcat (backup, ".partial", NULL);
  g_unlink (partial);
  if (!_bd_consumer_store_copy_database (bd_database_get_handle (source), partial, error))
    {
      g_unlink (partial);
      return FALSE;
    }
  if (!file_is_sound (partial))
    {
      g_unlink (partial);
      g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_CORRUPT,
                   _("The backup of the local copy failed its check and was not kept; "
                     "the previous backup is still in place."));
      return FALSE;
    }
  if (g_rename (partial, backup) != 0)
    {
      int saved_errno = errno;

      g_unlink (partial);
      g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_OPEN,
                   _("Could not back up the local copy to “%s”: %s."),
                   backup, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static void
backup_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;

  if (bd_consumer_store_backup (source_object, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
bd_consumer_store_backup_async (BdConsumerStore     *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BD_IS_CONSUMER_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bd_consumer_store_backup_async);
  g_task_run_in_thread (task, backup_thread);
}

gboolean
bd_consumer_store_backup_finish (BdConsumerStore  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static char *
build_damaged_path (const char *path)
{
  return g_strconcat (path, ".damaged", NULL);
}

void
_bd_consumer_store_mark_damaged (const char *path)
{
  g_autofree char *marker = build_damaged_path (path);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (marker, "", 0, &error))
    g_message ("Could not record that the local store is damaged: %s", error->message);
}

/* Moves the file and its WAL and shared-memory files aside, never deletes. */
static gboolean
move_aside (const char  *path,
            GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  const char *suffixes[] = { "", "-wal", "-shm" };

  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *to = g_strdup_printf ("%s.corrupt-%s%s", path, stamp, suffixes[i]);

      if (!g_file_test (from, G_FILE_TEST_EXISTS))
        continue;
      if (g_rename (from, to) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_OPEN,
                       _("The local copy “%s” is damaged and could not be moved aside: %s."),
                       path, g_strerror (saved_errno));
          return FALSE;
        }
    }
  return TRUE;
}

BdConsumerStore *
bd_consumer_store_open_or_recover (const char       *path,
                                   BdStoreRecovery  *out_recovery,
                                   gint64           *out_backup_time,
                                   GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *marker = NULL;
  BdConsumerStore *store = NULL;
  gint64 backup_time;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (out_recovery != NULL)
    *out_recovery = BD_STORE_RECOVERY_NONE;
  if (out_backup_time != NULL)
    *out_backup_time = 0;

  marker = build_damaged_path (path);
  if (g_file_test (marker, G_FILE_TEST_EXISTS))
    {
      g_set_error (&local_error, BD_STORE_ERROR, BD_STORE_ERROR_CORRUPT,
                   "the check of the whole file found damage");
    }
  else
    {
      store = bd_consumer_store_open (path, &local_error);
      if (store != NULL || !g_error_matches (local_error, BD_STORE_ERROR, BD_STORE_ERROR_CORRUPT))
        {
          if (store == NULL)
            g_propagate_error (error, g_steal_pointer (&local_error));
          return store;
        }
    }

  /* No personal data here: the path holds the server and the zone only. */
  g_message ("The local store %s is damaged (%s); recovering it", path, local_error->message);
  if (!move_aside (path, error))
    return NULL;
  g_unlink (marker);

  backup = bd_consumer_store_build_backup_path (path);
  backup_time = bd_consumer_store_get_backup_time (path);
  if (file_is_sound (backup))
    {
      g_autoptr(GFile) from = g_file_new_for_path (backup);
      g_autoptr(GFile) to = g_file_new_for_path (path);

      if (g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, error))
        {
          store = bd_consumer_store_open (path, error);
          if (store != NULL)
            {
              if (out_recovery != NULL)
                *out_recovery = BD_STORE_RECOVERY_FROM_BACKUP;
              if (out_backup_time != NULL)
                *out_backup_time = backup_time;
              return store;
            }
          return NULL;
        }
      return NULL;
    }

  store = bd_consumer_store_open (path, error);
  if (store != NULL && out_recovery != NULL)
    *out_recovery = BD_STORE_RECOVERY_EMPTY;
  return store;
}
