/* bd-central-snapshots.c: each zone's desk store as one file, for first syncs.
 *
 * A desk's first sync of a zone of a million consumers through the changes
 * feed means a gigabyte of JSON to decode and a million rows to index on
 * the desk. The server builds that store once per zone instead, with the
 * desk's own store code pulling the same feed (so it holds exactly what a
 * feed sync would), and serves the file to every desk starting from
 * nothing (GET /snapshot); the desk then pulls the feed from the
 * snapshot's cursor. See bd-consumer-store-snapshot.c for the desk's side.
 *
 * A build runs in its own thread on its own connection (the database is
 * in WAL mode, so requests go on) and writes <zone>-<cursor>.sqlite3 by
 * rename, so no reader sees half a file; the file is served from a memory
 * mapping, which stays valid after a newer build deletes it. Worker
 * processes (--workers) share the directory: one that has not built a
 * zone's snapshot itself serves the newest file it finds there, and a
 * lock file per zone (flock) lets only one process build a zone at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "bd-central-snapshots.h"
#include "store/bd-consumer-store.h"

#define PAGE_SIZE 1000

/* A snapshot is rebuilt once this many of the zone's records changed
 * after its cursor, or a tenth of the zone if more: a desk starting from
 * it then has at most that much feed to pull. */
#define STALE_MIN_CHANGES 10000

/* After a failed build (a full disk, say), the zone's next one waits this
 * long: every desk starting a first sync asks, and a build reads the whole
 * zone. */
#define RETRY_AFTER_FAILURE_US (60 * G_USEC_PER_SEC)

typedef struct
{
  char        *path;
  GMappedFile *file;
  gint64       cursor;
  gint64       consumers;
} Snapshot;

struct _BdCentralSnapshots
{
  GObject     parent_instance;

  char       *db_path;
  char       *directory;
  GHashTable *ready;      /* zone → Snapshot */
  GHashTable *building;   /* zone → TRUE, while its build runs */
  GHashTable *failed_at;  /* zone → monotonic time of its last failed build */
  GMutex      lock;       /* ready and building: builds finish in their threads */
  gint64      stale_changes;
};

G_DEFINE_TYPE (BdCentralSnapshots, bd_central_snapshots, G_TYPE_OBJECT)

static void
snapshot_free (Snapshot *snapshot)
{
  g_free (snapshot->path);
  g_clear_pointer (&snapshot->file, g_mapped_file_unref);
  g_free (snapshot);
}

/* Zone codes become file names: only letters, digits, '-' and '_'. */
static gboolean
zone_is_file_name (const char *zone)
{
  if (zone == NULL || *zone == '\0' || strlen (zone) > 32)
    return FALSE;
  for (const char *p = zone; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
        return FALSE;
    }
  return TRUE;
}

static Snapshot *
snapshot_map (const char *path,
              gint64      cursor,
              GError    **error)
{
  g_autoptr(BdDatabase) db = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  Snapshot *snapshot;
  GMappedFile *file;
  gint64 consumers;

  /* The count the file itself holds, not the builder's word for it. */
  db = bd_database_open_read_only (path, error);
  if (db == NULL)
    return NULL;
  stmt = bd_database_prepare (db, "SELECT value FROM sync_state WHERE key = 'consumer_count'", error);
  if (stmt == NULL)
    return NULL;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_CORRUPT, "snapshot %s has no count", path);
      return NULL;
    }
  consumers = sqlite3_column_int64 (stmt, 0);

  file = g_mapped_file_new (path, FALSE, error);
  if (file == NULL)
    return NULL;
  snapshot = g_new0 (Snapshot, 1);
  snapshot->path = g_strdup (path);
  snapshot->file = file;
  snapshot->cursor = cursor;
  snapshot->consumers = consumers;
  return snapshot;
}

/* The newest finished snapshot of zone in the directory (another worker
 * process may have built it), or NULL. */
static Snapshot *
find_on_disk (BdCentralSnapshots *self,
              const char         *zone)
{
  g_autoptr(GDir) dir = g_dir_open (self->directory, 0, NULL);
  g_autofree char *prefix = g_strconcat (zone, "-", NULL);
  g_autofree char *best = NULL;
  gint64 best_cursor = -1;
  const char *name;

  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      const char *digits;
      char *end = NULL;
      gint64 cursor;

      if (!g_str_has_prefix (name, prefix) || !g_str_has_suffix (name, ".sqlite3"))
        continue;
      digits = name + strlen (prefix);
      if (!g_ascii_isdigit (*digits))
        continue;
      errno = 0;
      cursor = g_ascii_strtoll (digits, &end, 10);
      if (errno != 0 || end == NULL || !g_str_equal (end, ".sqlite3"))
        continue;
      if (cursor > best_cursor)
        {
          best_cursor = cursor;
          g_free (best);
          best = g_build_filename (self->directory, name, NULL);
        }
    }
  if (best == NULL)
    return NULL;
  return snapshot_map (best, best_cursor, NULL);
}

static void
remove_store_files (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
}

/* Builds left behind by a process that was killed: hundreds of
 * megabytes each on a large zone. */
static void
remove_abandoned_builds (const char *directory,
                         const char *zone)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  g_autofree char *prefix = g_strconcat (".", zone, "-", NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      char *end = NULL;
      gint64 pid;

      if (!g_str_has_prefix (name, prefix))
        continue;
      pid = g_ascii_strtoll (name + strlen (prefix), &end, 10);
      if (end == NULL || !g_str_has_prefix (end, ".building") || pid <= 0 || pid > G_MAXINT)
        continue;
      if (kill ((pid_t) pid, 0) == 0 || errno != ESRCH)
        continue;
      path = g_build_filename (directory, name, NULL);
      g_unlink (path);
    }
}

/* In the build's thread: pulls the zone's feed into a fresh desk store,
 * page by page as a desk does, and exports it. */
static char *
build_snapshot (const char  *db_path,
                const char  *directory,
                const char  *zone,
                gint64      *out_cursor,
                GError     **error)
{
  g_autoptr(BdCentralDb) db = NULL;
  g_autoptr(BdConsumerStore) store = NULL;
  g_autofree char *work = NULL;
  g_autofree char *dest = NULL;
  gint64 after = 0;
  gboolean more = TRUE;

  if (g_mkdir_with_parents (directory, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot create %s: %s", directory, g_strerror (saved_errno));
      return NULL;
    }

  db = bd_central_db_open (db_path, error);
  if (db == NULL)
    return NULL;

  remove_abandoned_builds (directory, zone);
  /* The process id in the name: worker processes may build the same zone. */
  work = g_strdup_printf ("%s/.%s-%d.building", directory, zone, (int) getpid ());
  remove_store_files (work);
  store = bd_consumer_store_open (work, error);
  if (store == NULL)
    return NULL;

  while (more)
    {
      g_autoptr(BdChangesPage) page = bd_central_db_changes (db, zone, after, PAGE_SIZE, NULL, error);
      if (page == NULL)
        goto fail;
      if (!bd_consumer_store_apply_page (store, page, error))
        goto fail;
      after = g_ascii_strtoll (page->next_cursor, NULL, 10);
      more = page->has_more;
    }

  dest = g_strdup_printf ("%s/%s-%" G_GINT64_FORMAT ".sqlite3", directory, zone, after);
  if (!bd_consumer_store_export_snapshot (store, dest, error))
    goto fail;
  g_clear_object (&store);
  remove_store_files (work);
  *out_cursor = after;
  return g_steal_pointer (&dest);

fail:
  g_clear_object (&store);
  remove_store_files (work);
  return NULL;
}

typedef struct
{
  BdCentralSnapshots *self;
  char               *zone;
  int                 lock_fd;   /* holds the zone's build lock until the build ends */
} BuildData;

static gpointer
build_thread (gpointer user_data)
{
  BuildData *data = user_data;
  BdCentralSnapshots *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  Snapshot *snapshot = NULL;
  Snapshot *old = NULL;
  gint64 cursor = 0;
  gint64 started = g_get_monotonic_time ();

  path = build_snapshot (self->db_path, self->directory, data->zone, &cursor, &error);
  if (path != NULL)
    snapshot = snapshot_map (path, cursor, &error);

  g_mutex_lock (&self->lock);
  if (snapshot != NULL)
    {
      old = g_hash_table_lookup (self->ready, data->zone);
      if (old != NULL && old->cursor < snapshot->cursor)
        g_unlink (old->path);   /* still mapped, and so still served, until dropped */
      g_hash_table_replace (self->ready, g_strdup (data->zone), snapshot);
      g_message ("Snapshot of zone %s: %" G_GINT64_FORMAT " consumers up to change %"
                 G_GINT64_FORMAT ", built in %.1f s",
                 data->zone, snapshot->consumers, cursor,
                 (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
    }
  else
    {
      g_warning ("Snapshot of zone %s failed: %s", data->zone, error->message);
      g_hash_table_replace (self->failed_at, g_strdup (data->zone),
                            g_memdup2 (&started, sizeof started));
    }
  g_hash_table_remove (self->building, data->zone);
  g_mutex_unlock (&self->lock);

  close (data->lock_fd);
  g_object_unref (self);
  g_free (data->zone);
  g_free (data);
  return NULL;
}

/* The zone's build lock, shared by the worker processes: -1 if another
 * process is building it (or the directory cannot be written). */
static int
take_build_lock (const char *directory,
                 const char *zone)
{
  g_autofree char *name = g_strdup_printf (".%s.lock", zone);
  g_autofree char *path = g_build_filename (directory, name, NULL);
  int fd;

  if (g_mkdir_with_parents (directory, 0700) != 0)
    return -1;
  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return -1;
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* Caller holds the lock. */
static void
start_build_locked (BdCentralSnapshots *self,
                    const char         *zone)
{
  g_autoptr(GThread) thread = NULL;
  BuildData *data;
  const gint64 *failed_at;
  int lock_fd;

  if (!zone_is_file_name (zone) || g_hash_table_contains (self->building, zone))
    return;
  failed_at = g_hash_table_lookup (self->failed_at, zone);
  if (failed_at != NULL && g_get_monotonic_time () - *failed_at < RETRY_AFTER_FAILURE_US)
    return;
  /* Another worker process builds it: its file turns up on disk. */
  lock_fd = take_build_lock (self->directory, zone);
  if (lock_fd < 0)
    return;

  g_hash_table_add (self->building, g_strdup (zone));
  data = g_new0 (BuildData, 1);
  data->self = g_object_ref (self);
  data->zone = g_strdup (zone);
  data->lock_fd = lock_fd;
  thread = g_thread_new ("snapshot", build_thread, data);
}

gboolean
bd_central_snapshots_lookup (BdCentralSnapshots  *self,
                             BdCentralDb         *db,
                             const char          *zone,
                             GBytes             **out_contents,
                             gint64              *out_cursor,
                             gint64              *out_consumers)
{
  g_autoptr(BdChangesPage) after = NULL;
  Snapshot *snapshot;
  gint64 cursor, consumers;

  g_return_val_if_fail (BD_IS_CENTRAL_SNAPSHOTS (self), FALSE);
  g_return_val_if_fail (BD_IS_CENTRAL_DB (db), FALSE);
  g_return_val_if_fail (out_contents != NULL, FALSE);

  if (!zone_is_file_name (zone))
    return FALSE;

  g_mutex_lock (&self->lock);
  snapshot = g_hash_table_lookup (self->ready, zone);
  if (snapshot == NULL && !g_hash_table_contains (self->building, zone))
    {
      snapshot = find_on_disk (self, zone);
      if (snapshot != NULL)
        g_hash_table_replace (self->ready, g_strdup (zone), snapshot);
    }
  if (snapshot == NULL)
    {
      start_build_locked (self, zone);
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  *out_contents = g_mapped_file_get_bytes (snapshot->file);
  cursor = snapshot->cursor;
  consumers = snapshot->consumers;
  if (out_cursor != NULL)
    *out_cursor = cursor;
  if (out_consumers != NULL)
    *out_consumers = consumers;
  g_mutex_unlock (&self->lock);

  /* One row and a sum over the feed's buckets: how far the zone moved on. */
  after = bd_central_db_changes (db, zone, cursor, 1, NULL, NULL);
  if (after != NULL)
    {
      gint64 changed = after->remaining + after->consumers->len;

      if (changed > MAX (self->stale_changes, consumers / 10))
        {
          g_mutex_lock (&self->lock);
          start_build_locked (self, zone);
          g_mutex_unlock (&self->lock);
        }
    }
  return TRUE;
}

/* Only files a build makes: whatever else someone put there stays. */
static gboolean
is_snapshot_file (const char *name)
{
  return g_str_has_suffix (name, ".sqlite3") || g_str_has_suffix (name, ".sqlite3.partial") ||
         (name[0] == '.' && (strstr (name, ".building") != NULL || g_str_has_suffix (name, ".lock")));
}

void
bd_central_snapshots_remove_others (const char *parent,
                                    const char *keep)
{
  g_autoptr(GDir) dir = g_dir_open (parent, 0, NULL);
  const char *name;

  g_return_if_fail (parent != NULL && keep != NULL);

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(GDir) inner = NULL;
      const char *file;

      if (g_str_equal (name, keep))
        continue;
      path = g_build_filename (parent, name, NULL);
      inner = g_dir_open (path, 0, NULL);
      while (inner != NULL && (file = g_dir_read_name (inner)) != NULL)
        {
          g_autofree char *file_path = NULL;

          if (!is_snapshot_file (file))
            continue;
          file_path = g_build_filename (path, file, NULL);
          g_unlink (file_path);
        }
      g_rmdir (path);
    }
}

static void
bd_central_snapshots_finalize (GObject *object)
{
  BdCentralSnapshots *self = BD_CENTRAL_SNAPSHOTS (object);

  g_free (self->db_path);
  g_free (self->directory);
  g_clear_pointer (&self->ready, g_hash_table_unref);
  g_clear_pointer (&self->building, g_hash_table_unref);
  g_clear_pointer (&self->failed_at, g_hash_table_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (bd_central_snapshots_parent_class)->finalize (object);
}

static void
bd_central_snapshots_class_init (BdCentralSnapshotsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bd_central_snapshots_finalize;
}

static void
bd_central_snapshots_init (BdCentralSnapshots *self)
{
  self->ready = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) snapshot_free);
  self->building = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->failed_at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_mutex_init (&self->lock);
  self->stale_changes = STALE_MIN_CHANGES;
}

void
bd_central_snapshots_set_stale_changes (BdCentralSnapshots *self,
                                        gint64              changes)
{
  g_return_if_fail (BD_IS_CENTRAL_SNAPSHOTS (self));
  g_return_if_fail (changes >= 0);

  self->stale_changes = changes;
}

BdCentralSnapshots *
bd_central_snapshots_new (const char *db_path,
                          const char *directory)
{
  BdCentralSnapshots *self;

  g_return_val_if_fail (db_path != NULL && directory != NULL, NULL);

  self = g_object_new (BD_TYPE_CENTRAL_SNAPSHOTS, NULL);
  self->db_path = g_strdup (db_path);
  self->directory = g_strdup (directory);
  return self;
}
