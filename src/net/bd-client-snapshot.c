/* bd-client-snapshot.c: downloading the session zone's snapshot to a file.
 *
 * Hundreds of megabytes on a large zone: streamed to the file in chunks
 * with progress, never held in memory, and nothing left behind if it does
 * not finish (see bd-consumer-store-snapshot.c for what the desk does with
 * it).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "bd-client-private.h"

/* Read and written in pieces this big: few enough callbacks, little memory. */
#define SNAPSHOT_CHUNK (1024 * 1024)
/* An error answer is a small JSON object. */
#define SNAPSHOT_ERROR_MAX (64 * 1024)

typedef struct
{
  SoupMessage          *message;
  GInputStream         *input;
  GFileOutputStream    *output;
  GFile                *dest;
  BdSnapshotProgressFunc progress;
  gpointer              progress_data;
  gint64                cursor;
  gint64                consumers;
  goffset               received;
  goffset               total;      /* Content-Length, or -1 */
  GBytes               *chunk;      /* being written */
} DownloadData;

static void
download_data_free (DownloadData *data)
{
  g_clear_object (&data->message);
  g_clear_object (&data->input);
  g_clear_object (&data->output);
  g_clear_object (&data->dest);
  g_clear_pointer (&data->chunk, g_bytes_unref);
  g_free (data);
}

static GError *
save_error (const GError *error)
{
  return g_error_new (BD_NET_ERROR, BD_NET_ERROR_SERVER,
                      _("Could not save the zone snapshot: %s"), error->message);
}

/* Every way a download ends but success: nothing left at the
 * destination, whatever was there before. */
static void
download_fail (GTask  *task,
               GError *error)
{
  DownloadData *data = g_task_get_task_data (task);

  if (data->output != NULL)
    g_output_stream_close (G_OUTPUT_STREAM (data->output), NULL, NULL);
  g_file_delete (data->dest, NULL, NULL);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void read_next_chunk (GTask *task);

static void
on_snapshot_closed_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error))
    {
      download_fail (task, bd_net_error_from_transport (error));
      return;
    }
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
on_snapshot_written_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GTask *task = user_data;
  DownloadData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      download_fail (task, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                             ? bd_net_error_from_transport (error) : save_error (error));
      return;
    }
  data->received += g_bytes_get_size (data->chunk);
  g_clear_pointer (&data->chunk, g_bytes_unref);
  if (data->progress != NULL)
    data->progress (data->received, data->total, data->consumers, data->progress_data);
  read_next_chunk (task);
}

static void
on_snapshot_read_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  DownloadData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GBytes *chunk;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (chunk == NULL)
    {
      download_fail (task, bd_net_error_from_transport (error));
      return;
    }
  if (g_bytes_get_size (chunk) == 0)
    {
      g_bytes_unref (chunk);
      /* A connection closed early is not a snapshot. */
      if (data->total >= 0 && data->received != data->total)
        {
          download_fail (task, _bd_client_bad_response_error ());
          return;
        }
      g_output_stream_close_async (G_OUTPUT_STREAM (data->output), G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), on_snapshot_closed_cb, task);
      return;
    }
  data->chunk = chunk;
  g_output_stream_write_all_async (G_OUTPUT_STREAM (data->output),
                                   g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk),
                                   G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                   on_snapshot_written_cb, task);
}

static void
read_next_chunk (GTask *task)
{
  DownloadData *data = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (data->input, SNAPSHOT_CHUNK, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), on_snapshot_read_cb, task);
}

static void
on_snapshot_file_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  DownloadData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->output = g_file_replace_finish (G_FILE (source), result, &error);
  if (data->output == NULL)
    {
      download_fail (task, save_error (error));
      return;
    }
  read_next_chunk (task);
}

static void
on_snapshot_error_body_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  GTask *task = user_data;
  DownloadData *data = g_task_get_task_data (task);
  g_autoptr(GBytes) body = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, NULL);

  download_fail (task, bd_net_error_from_status (soup_message_get_status (data->message), NULL, body));
}

static gboolean
parse_header_int (SoupMessageHeaders *headers,
                  const char         *name,
                  gint64             *out)
{
  const char *text = soup_message_headers_get_one (headers, name);
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &value, NULL))
    return FALSE;
  *out = (gint64) value;
  return TRUE;
}

static void
on_snapshot_sent_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  DownloadData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  guint status;

  data->input = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (data->input == NULL)
    {
      download_fail (task, bd_net_error_from_transport (error));
      return;
    }

  status = soup_message_get_status (data->message);
  headers = soup_message_get_response_headers (data->message);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_input_stream_read_bytes_async (data->input, SNAPSHOT_ERROR_MAX, G_PRIORITY_DEFAULT,
                                       g_task_get_cancellable (task), on_snapshot_error_body_cb, task);
      return;
    }
  if (g_strcmp0 (soup_message_headers_get_content_type (headers, NULL), "application/vnd.sqlite3") != 0 ||
      !parse_header_int (headers, "X-Bijli-Snapshot-Cursor", &data->cursor) ||
      !parse_header_int (headers, "X-Bijli-Snapshot-Consumers", &data->consumers))
    {
      download_fail (task, _bd_client_bad_response_error ());
      return;
    }
  data->total = soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
                  ? soup_message_headers_get_content_length (headers) : -1;

  g_file_replace_async (data->dest, NULL, FALSE, G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                        G_PRIORITY_DEFAULT, g_task_get_cancellable (task), on_snapshot_file_cb, task);
}

void
bd_client_download_snapshot_async (BdClient              *self,
                                   int                    schema_version,
                                   const char            *dest_path,
                                   BdSnapshotProgressFunc progress,
                                   gpointer               progress_data,
                                   GCancellable          *cancellable,
                                   GAsyncReadyCallback    callback,
                                   gpointer               user_data)
{
  g_autofree char *query = NULL;
  GError *error = NULL;
  GTask *task;
  DownloadData *data;
  SoupMessage *message;

  g_return_if_fail (BD_IS_CLIENT (self));
  g_return_if_fail (dest_path != NULL);

  task = _bd_client_new_task (self, bd_client_download_snapshot_async, cancellable, callback, user_data);
  query = g_strdup_printf ("schema=%d", schema_version);
  message = _bd_client_new_message (self, "GET", "/api/v1/snapshot", query, NULL, &error);
  if (message == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "Accept", "application/vnd.sqlite3, application/json");

  data = g_new0 (DownloadData, 1);
  data->message = message;
  data->dest = g_file_new_for_path (dest_path);
  data->progress = progress;
  data->progress_data = progress_data;
  data->total = -1;
  g_task_set_task_data (task, data, (GDestroyNotify) download_data_free);

  soup_session_send_async (self->soup, message, G_PRIORITY_DEFAULT, cancellable,
                           on_snapshot_sent_cb, task);
}

gboolean
bd_client_download_snapshot_finish (BdClient      *self,
                                    GAsyncResult  *result,
                                    gint64        *out_cursor,
                                    gint64        *out_consumers,
                                    GError       **error)
{
  DownloadData *data;

  g_return_val_if_fail (BD_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == bd_client_download_snapshot_async, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  data = g_task_get_task_data (G_TASK (result));
  if (out_cursor != NULL)
    *out_cursor = data->cursor;
  if (out_consumers != NULL)
    *out_consumers = data->consumers;
  return TRUE;
}
