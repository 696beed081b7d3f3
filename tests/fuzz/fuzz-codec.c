/* fuzz-codec.c: every wire decoder of the core on arbitrary bytes.
 *
 * The server decodes what desks send and the desk what the server sends:
 * neither may crash, leak or read out of bounds on anything, and what a
 * decoder accepts must encode again. Built only with -Dfuzzing=true
 * (clang, libFuzzer); see docs/fuzzing.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "core/bd-codec.h"
#include "core/bd-complaint.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* The one-pass page parser (bd-changes-page-parse.c) gives up or agrees
 * with json-glib and the codec; it never reads past the bytes given. */
static void
check_fast_page (const uint8_t *data,
                 size_t         size,
                 JsonNode      *node)
{
  g_autoptr(BdChangesPage) fast = bd_changes_page_parse_fast ((const char *) data, size);
  g_autoptr(BdChangesPage) slow = NULL;

  if (fast == NULL)
    return;
  g_assert (node != NULL);
  slow = bd_changes_page_from_json (node, NULL);
  g_assert (slow != NULL);
  g_assert (fast->consumers->len == slow->consumers->len);
  g_assert (g_strcmp0 (fast->next_cursor, slow->next_cursor) == 0);
  g_assert (fast->has_more == slow->has_more && fast->remaining == slow->remaining);
  for (guint i = 0; i < fast->consumers->len; i++)
    g_assert (bd_consumer_equal (g_ptr_array_index (fast->consumers, i), g_ptr_array_index (slow->consumers, i)));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonNode) node = bd_json_parse ((const char *) data, (gssize) size, NULL);

  check_fast_page (data, size, node);
  if (node == NULL)
    return 0;

  {
    g_autoptr(BdConsumer) consumer = bd_consumer_from_json (node, NULL);

    if (consumer != NULL)
      {
        g_autoptr(JsonNode) again = bd_consumer_to_json (consumer);

        g_assert (bd_consumer_from_json (again, NULL) != NULL);
        g_object_unref (bd_consumer_from_json (again, NULL));
      }
  }
  {
    g_autoptr(GPtrArray) list = bd_consumer_list_from_json (node, NULL);
  }
  {
    g_autoptr(BdChangesPage) page = bd_changes_page_from_json (node, NULL);
  }
  {
    g_autofree char *username = NULL;
    g_autofree char *password = NULL;

    bd_sign_in_request_from_json (node, &username, &password, NULL, NULL);
  }
  {
    g_autoptr(BdSession) session = bd_session_from_json (node, NULL);
  }
  {
    g_autofree char *code = NULL;
    g_autofree char *message = NULL;
    gint retry_after, attempts_left;

    bd_api_error_from_json_full (node, &code, &message, &retry_after, &attempts_left, NULL);
  }
  {
    g_autoptr(BdIndexing) indexing = bd_indexing_from_json (node, NULL);
  }
  {
    g_autoptr(GPtrArray) changes = bd_indexing_patch_from_json (node, NULL);
  }
  {
    g_autoptr(BdIndexing) indexing = NULL;
    g_auto(GStrv) applied = NULL;
    g_autoptr(GPtrArray) conflicts = NULL;

    bd_indexing_patch_result_from_json (node, &indexing, &applied, &conflicts, NULL);
  }
  {
    g_autoptr(BdOtpTicket) ticket = bd_otp_ticket_from_json (node, NULL);
  }
  {
    g_autoptr(GPtrArray) history = bd_history_from_json (node, NULL);
  }
  {
    g_autoptr(BdComplaint) complaint = bd_complaint_from_json (node, NULL);

    if (complaint != NULL)
      {
        g_autoptr(JsonNode) again = bd_complaint_to_json (complaint);
        g_autoptr(BdComplaint) back = bd_complaint_from_json (again, NULL);

        g_assert (back != NULL);
      }
  }
  return 0;
}
