/* fuzz-routing.c: bijli-central's request routing on arbitrary paths and
 * queries: the route table, the id and number parsers the handlers use,
 * and query-string decoding as SoupServer hands it over.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "server/bd-central-server-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  g_autofree char *param = NULL;
  g_autoptr(GHashTable) query = NULL;
  const char *log = NULL;
  const char *question;
  guint64 number;
  int route;

  if (memchr (data, 0, size) != NULL)
    return 0;
  text = g_strndup ((const char *) data, size);

  question = strchr (text, '?');
  if (question != NULL)
    {
      query = soup_form_decode (question + 1);
      text[question - text] = '\0';
    }

  route = _bd_central_route_for_path (text, &param, &log);
  /* A route found names its log template; a parameter is one segment. */
  if (route != 0)
    g_assert (log != NULL && strchr (log, '?') == NULL);
  if (param != NULL)
    g_assert (strchr (param, '/') == NULL && *param != '\0');

  _bd_central_parse_decimal (text, 0, G_MAXINT64, &number);
  if (query != NULL)
    {
      _bd_central_query_get (query, "limit");
      _bd_central_query_get (query, "since");
    }
  return 0;
}
