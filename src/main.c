/* main.c: bijli-desk, the desk application's entry point.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include <glib/gi18n-lib.h>

#include "bijli-desk-resources.h"
#include "bd-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(BdApplication) app = NULL;
  gint64 started_at = g_get_monotonic_time ();
  const char *localedir;

  setlocale (LC_ALL, "");
  /* From the build tree (the demo script, a translator checking their
   * work) the catalogues are in BUILDDIR/po, not yet installed in LOCALEDIR. */
  localedir = g_getenv ("BIJLI_DESK_LOCALEDIR");
  if (localedir == NULL || *localedir == '\0')
    localedir = LOCALEDIR;
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  bd_register_resource ();

  app = bd_application_new ();
  bd_application_set_started_at (app, started_at);
  g_set_application_name (_("Bijli Desk"));

  return g_application_run (G_APPLICATION (app), argc, argv);
}
