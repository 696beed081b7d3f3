/* bd-consumer-store.c: the desk's local copy of its zone.
 *
 * Two connections to one WAL database, each with its own mutex and its own
 * cache of prepared statements: the writer applies pages of the feed, the
 * reader serves search and lookup. WAL lets the reader see the last
 * committed state while a page is being written, so the operator's search
 * never waits for a sync. A ":memory:" store (tests) cannot be shared
 * between connections, so there the reader is the writer.
 *
 * The work is shared between the files named in
 * bd-consumer-store-private.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "bd-consumer-store-private.h"

/* The writer's page cache during a sync: the mobile and meter indexes take
 * inserts all over the file, and 1 M consumers' index pages fit in this. */
#define WRITER_CACHE_KIB 65536
#define READER_CACHE_KIB 16384

G_DEFINE_TYPE (BdConsumerStore, bd_consumer_store, G_TYPE_OBJECT)

static const char set_state_sql[] =
  "INSERT INTO sync_state (key, value) VALUES (?1, ?2) "
  "ON CONFLICT (key) DO UPDATE SET value = excluded.value";
const char _bd_store_get_state_sql[] = "SELECT value FROM sync_state WHERE key = ?1";

typedef struct
{
  GPtrArray *consumers;
  char      *cursor;
  gboolean   has_more;
} ApplyData;

typedef struct
{
  char  *query;
  guint  limit;
} SearchData;

static void
apply_data_free (ApplyData *data)
{
  g_clear_pointer (&data->consumers, g_ptr_array_unref);
  g_free (data->cursor);
  g_free (data);
}

static void
search_data_free (SearchData *data)
{
  g_free (data->query);
  g_free (data);
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static BdStoreConnection *
connection_new (BdDatabase *db,
                int         cache_kib)
{
  BdStoreConnection *conn = g_new0 (BdStoreConnection, 1);
  g_autofree char *pragma = g_strdup_printf ("PRAGMA cache_size = -%d", cache_kib);

  g_mutex_init (&conn->lock);
  conn->db = db;
  conn->statements = g_hash_table_new_full (NULL, NULL, NULL, finalize_statement);
  /* Best effort: a smaller cache is only slower. */
  sqlite3_exec (bd_database_get_handle (db), pragma, NULL, NULL, NULL);
  sqlite3_exec (bd_database_get_handle (db), "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
  return conn;
}

static void
connection_free (BdStoreConnection *conn)
{
  if (conn == NULL)
    return;
  /* Statements before the connection they belong to. */
  g_clear_pointer (&conn->statements, g_hash_table_unref);
  g_clear_object (&conn->db);
  g_mutex_clear (&conn->lock);
  g_free (conn);
}

/* Caller holds conn->lock; sql is one of the static strings above, so its
 * address identifies it. */
BdCachedStmt *
_bd_store_connection_lease (BdStoreConnection  *conn,
                            const char         *sql,
                            GError            **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (conn->statements, sql);

  if (stmt != NULL)
    return stmt;

  if (sqlite3_prepare_v3 (bd_database_get_handle (conn->db), sql, -1,
                          SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      bd_database_set_error (conn->db, error, _("Preparing a database query"));
      sqlite3_finalize (stmt);
      return NULL;
    }
  g_hash_table_insert (conn->statements, (gpointer) sql, stmt);
  return stmt;
}

/* Runs a leased statement that returns no rows. */
gboolean
_bd_store_connection_step_done (BdStoreConnection  *conn,
                                BdCachedStmt       *stmt,
                                const char         *what,
                                GError            **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      bd_database_set_error (conn->db, error, what);
      return FALSE;
    }
  return TRUE;
}

gboolean
_bd_store_set_state (BdStoreConnection  *writer,
                     const char         *key,
                     const char         *text_value,
                     gint64              int_value,
                     GError            **error)
{
  g_autoptr(BdCachedStmt) stmt = _bd_store_connection_lease (writer, set_state_sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (text_value != NULL)
    sqlite3_bind_text (stmt, 2, text_value, -1, SQLITE_STATIC);
  else
    sqlite3_bind_int64 (stmt, 2, int_value);
  return _bd_store_connection_step_done (writer, stmt, _("Saving the sync position"), error);
}

/* Caller holds conn's lock. Leaves *value alone when key is not stored. */
static gboolean
get_state_int (BdStoreConnection  *conn,
               const char         *key,
               gint64             *value,
               GError            **error)
{
  g_autoptr(BdCachedStmt) stmt = _bd_store_connection_lease (conn, _bd_store_get_state_sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *value = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    {
      bd_database_set_error (conn->db, error, _("Reading the sync position"));
      return FALSE;
    }
  return TRUE;
}

/* Once the check after opening found the file damaged, every read and
 * write fails with the same error, which the desk shows. */
gboolean
_bd_consumer_store_check_damage (BdConsumerStore  *self,
                                 GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  if (!g_atomic_int_get (&self->damaged))
    return TRUE;
  locker = g_mutex_locker_new (&self->check_lock);
  g_propagate_error (error, g_error_copy (self->damage));
  return FALSE;
}

static int
on_check_progress_cb (void *user_data)
{
  BdConsumerStore *self = user_data;

  /* Non-zero interrupts the check: the store is being closed. */
  return g_atomic_int_get (&self->closing);
}

/* Reads the whole file on a connection of its own, so that opening a large
 * store costs milliseconds instead of seconds (see bd_database_open()) and
 * neither search nor sync waits for the check. */
static gpointer
check_thread_func (gpointer user_data)
{
  BdConsumerStore *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMutexLocker) locker = NULL;

  bd_database_check (self->check_db, &error);

  locker = g_mutex_locker_new (&self->check_lock);
  if (g_error_matches (error, BD_STORE_ERROR, BD_STORE_ERROR_CORRUPT))
    {
      /* Remembered on disk: the next start must not take a file whose
       * header is sound for a sound file (see bd-consumer-store-recovery.c). */
      _bd_consumer_store_mark_damaged (bd_database_get_path (self->check_db));
      self->damage = g_steal_pointer (&error);
      g_atomic_int_set (&self->damaged, TRUE);
    }
  else if (error != NULL && !g_atomic_int_get (&self->closing))
    {
      g_warning ("Could not check the local database: %s", error->message);
    }
  self->check_done = TRUE;
  g_cond_broadcast (&self->check_done_cond);
  return NULL;
}

static void
search_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SearchData *data = task_data;
  GError *error = NULL;
  GPtrArray *results;

  if (g_task_return_error_if_cancelled (task))
    return;
  results = bd_consumer_store_search (source_object, data->query, data->limit, &error);
  if (results == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, results, (GDestroyNotify) g_ptr_array_unref);
}

static void
apply_page_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  ApplyData *data = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (!_bd_consumer_store_apply_records (source_object, data->consumers, data->cursor,
                                         data->has_more, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
lookup_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  BdConsumer *consumer;

  consumer = bd_consumer_store_lookup (source_object, task_data, &error);
  if (consumer == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, consumer, g_object_unref);
}

static void
bd_consumer_store_finalize (GObject *object)
{
  BdConsumerStore *self = BD_CONSUMER_STORE (object);

  if (self->check_thread != NULL)
    {
      g_atomic_int_set (&self->closing, TRUE);
      g_thread_join (self->check_thread);
      self->check_thread = NULL;
    }
  g_clear_object (&self->check_db);
  g_clear_error (&self->damage);
  g_mutex_clear (&self->check_lock);
  g_cond_clear (&self->check_done_cond);

  /* The reader first: the writer's close checkpoints and removes the WAL. */
  if (self->reader != self->writer)
    connection_free (self->reader);
  self->reader = NULL;
  g_clear_pointer (&self->writer, connection_free);
  g_clear_pointer (&self->words, g_hash_table_unref);

  G_OBJECT_CLASS (bd_consumer_store_parent_class)->finalize (object);
}

static void
bd_consumer_store_class_init (BdConsumerStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bd_consumer_store_finalize;
}

static void
bd_consumer_store_init (BdConsumerStore *self)
{
  self->words = _bd_consumer_store_words_new ();
  g_mutex_init (&self->check_lock);
  g_cond_init (&self->check_done_cond);
}

BdConsumerStore *
bd_consumer_store_open (const char  *path,
                        GError     **error)
{
  g_autoptr(BdConsumerStore) self = NULL;
  const BdMigration *migrations;
  gsize n_migrations;
  BdDatabase *db;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  migrations = _bd_consumer_store_get_migrations (&n_migrations);
  db = bd_database_open (path, migrations, n_migrations, error);
  if (db == NULL)
    return NULL;

  self = g_object_new (BD_TYPE_CONSUMER_STORE, NULL);
  self->writer = connection_new (db, WRITER_CACHE_KIB);

  {
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->writer->lock);
    gint64 bulk = 0;

    if (!get_state_int (self->writer, "bulk_sync", &bulk, error))
      return NULL;
    /* An interrupted bulk first sync goes on in bulk mode; its last page
     * builds the search index. */
    g_atomic_int_set (&self->indexing, bulk != 0);
    if (bulk == 0 && !_bd_consumer_store_ensure_search_index (self, error))
      return NULL;
  }

  if (g_strcmp0 (path, ":memory:") == 0)
    {
      self->reader = self->writer;
      self->check_done = TRUE;   /* bd_database_open() checked it all */
    }
  else
    {
      BdDatabase *reader_db = bd_database_open_read_only (path, error);

      if (reader_db == NULL)
        return NULL;
      self->reader = connection_new (reader_db, READER_CACHE_KIB);

      self->check_db = bd_database_open_read_only (path, error);
      if (self->check_db == NULL)
        return NULL;
      sqlite3_progress_handler (bd_database_get_handle (self->check_db), 10000,
                                on_check_progress_cb, self);
      self->check_thread = g_thread_new ("bd-store-check", check_thread_func, self);
    }

  return g_steal_pointer (&self);
}

char *
bd_consumer_store_dup_cursor (BdConsumerStore  *self,
                              GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_bd_consumer_store_check_damage (self, error))
    return NULL;

  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = _bd_store_connection_lease (self->reader, _bd_store_get_state_sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, "cursor", -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_strdup (_bd_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    bd_database_set_error (self->reader->db, error, _("Reading the sync position"));
  return NULL;
}

gint64
bd_consumer_store_get_last_sync (BdConsumerStore *self)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), 0);

  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = _bd_store_connection_lease (self->reader, _bd_store_get_state_sql, &error);
  if (stmt == NULL)
    {
      g_warning ("%s", error->message);
      return 0;
    }
  sqlite3_bind_text (stmt, 1, "last_sync", -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return sqlite3_column_int64 (stmt, 0);
}

gint64
bd_consumer_store_count (BdConsumerStore  *self,
                         GError          **error)
{
  static const char count_sql[] =
    "SELECT coalesce ((SELECT value FROM sync_state WHERE key = 'consumer_count'), "
    "                 (SELECT count(*) FROM consumers))";
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!_bd_consumer_store_check_damage (self, error))
    return -1;

  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = _bd_store_connection_lease (self->reader, count_sql, error);
  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      bd_database_set_error (self->reader->db, error, _("Counting consumers"));
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

BdConsumer *
bd_consumer_store_lookup (BdConsumerStore  *self,
                          const char       *account,
                          GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autoptr(BdCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_bd_consumer_store_check_damage (self, error))
    return NULL;

  locker = g_mutex_locker_new (&self->reader->lock);
  stmt = _bd_store_connection_lease (self->reader, _bd_store_by_account_sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, account, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return _bd_consumer_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, BD_STORE_ERROR, BD_STORE_ERROR_NOT_FOUND,
                 _("No consumer with account number %s is in the local copy of "
                   "the zone. Sync again, or check the number."), account);
  else
    bd_database_set_error (self->reader->db, error, _("Looking up the consumer"));
  return NULL;
}

void
bd_consumer_store_search_async (BdConsumerStore     *self,
                                const char          *query,
                                guint                limit,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SearchData *data;

  g_return_if_fail (BD_IS_CONSUMER_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (SearchData, 1);
  data->query = g_strdup (query);
  data->limit = limit;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bd_consumer_store_search_async);
  g_task_set_task_data (task, data, (GDestroyNotify) search_data_free);
  g_task_run_in_thread (task, search_thread);
}

GPtrArray *
bd_consumer_store_search_finish (BdConsumerStore  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bd_consumer_store_search_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
bd_consumer_store_apply_page_async (BdConsumerStore     *self,
                                    BdChangesPage       *page,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ApplyData *data;

  g_return_if_fail (BD_IS_CONSUMER_STORE (self));
  g_return_if_fail (page != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* The page is the caller's: keep our own references to its records so
   * the caller may free it while the worker runs. */
  data = g_new0 (ApplyData, 1);
  data->consumers = g_ptr_array_new_full (page->consumers != NULL ? page->consumers->len : 0,
                                          g_object_unref);
  for (guint i = 0; page->consumers != NULL && i < page->consumers->len; i++)
    {
      gpointer c = g_ptr_array_index (page->consumers, i);

      g_ptr_array_add (data->consumers, c != NULL ? g_object_ref (c) : NULL);
    }
  data->cursor = g_strdup (page->next_cursor);
  data->has_more = page->has_more;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bd_consumer_store_apply_page_async);
  g_task_set_task_data (task, data, (GDestroyNotify) apply_data_free);
  g_task_run_in_thread (task, apply_page_thread);
}

gboolean
bd_consumer_store_apply_page_finish (BdConsumerStore  *self,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bd_consumer_store_apply_page_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
bd_consumer_store_lookup_async (BdConsumerStore     *self,
                                const char          *account,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BD_IS_CONSUMER_STORE (self));
  g_return_if_fail (account != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bd_consumer_store_lookup_async);
  g_task_set_task_data (task, g_strdup (account), g_free);
  g_task_run_in_thread (task, lookup_thread);
}

BdConsumer *
bd_consumer_store_lookup_finish (BdConsumerStore  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bd_consumer_store_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* TRUE while a first sync is being downloaded in bulk mode (see
 * bd_consumer_store_is_indexing() in the header). */
gboolean
bd_consumer_store_is_indexing (BdConsumerStore *self)
{
  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);

  return g_atomic_int_get (&self->indexing);
}

gboolean
bd_consumer_store_check (BdConsumerStore  *self,
                         GError          **error)
{
  g_return_val_if_fail (BD_IS_CONSUMER_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->check_lock);
  while (!self->check_done)
    g_cond_wait (&self->check_done_cond, &self->check_lock);
  g_mutex_unlock (&self->check_lock);

  return _bd_consumer_store_check_damage (self, error);
}
