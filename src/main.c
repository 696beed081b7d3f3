/* main.c: bijli-desk, the desk application's entry point.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "bijli-desk-resources.h"
#include "bd-application.h"
#include "bd-language.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(BdApplication) app = NULL;
  gint64 started_at = g_get_monotonic_time ();
  const char *localedir;
  int status;

  setlocale (LC_ALL, "");
  /* The language chosen in the preferences, before anything is translated. */
  bd_language_apply_saved ();
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

  status = g_application_run (G_APPLICATION (app), argc, argv);

  /* A language switch: start again, with the same command line, once the
   * settings are written and the D-Bus name is released. */
  if (bd_application_get_restart_requested (app))
    {
      g_settings_sync ();
      g_clear_object (&app);
      bd_language_restore_environment ();
      execv ("/proc/self/exe", argv);
      execvp (argv[0], argv);
      g_printerr (_("Could not restart Bijli Desk: %s. Please start it again.\n"), g_strerror (errno));
      return EXIT_FAILURE;
    }

  return status;
}
