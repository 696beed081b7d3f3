/* bd-language.c: the language the desk runs in.
 *
 * gettext picks the catalogue from the LANGUAGE environment variable
 * before LC_MESSAGES, and reads it at every lookup, so setting it before
 * the first translated string switches the whole process, GTK's and
 * libadwaita's own strings included, without needing a Hindi locale to
 * be generated on the machine. glibc ignores LANGUAGE under the "C"
 * locale, so that one is lifted to C.UTF-8. Widgets translate their
 * strings when they are built, hence a change applies at the next start.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "bd-language.h"

static char *running_language;      /* the setting's value at start */
static char *session_language;      /* LANGUAGE as the session set it, or NULL */
static gboolean session_saved;

/* gettext keeps the translations it found, keyed by the locale and not by
 * LANGUAGE; setting the text domain again makes it look them up afresh. */
static void
forget_translations (void)
{
  textdomain (textdomain (NULL));
}

void
bd_language_apply (const char *language)
{
  const char *messages;

  g_free (running_language);
  running_language = g_strdup (language != NULL && *language != '\0' ? language : BD_LANGUAGE_SYSTEM);

  if (!session_saved)
    {
      session_language = g_strdup (g_getenv ("LANGUAGE"));
      session_saved = TRUE;
    }

  if (g_strcmp0 (running_language, BD_LANGUAGE_SYSTEM) == 0)
    return;

  g_setenv ("LANGUAGE", running_language, TRUE);
  messages = setlocale (LC_MESSAGES, NULL);
  if (messages == NULL || strcmp (messages, "C") == 0 || strcmp (messages, "POSIX") == 0)
    setlocale (LC_MESSAGES, "C.UTF-8");
  forget_translations ();
}

void
bd_language_apply_saved (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *language = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  if (schema == NULL)
    {
      bd_language_apply (BD_LANGUAGE_SYSTEM);
      return;
    }

  settings = g_settings_new_full (schema, NULL, NULL);
  language = g_settings_get_string (settings, "language");
  bd_language_apply (language);
}

const char *
bd_language_get_running (void)
{
  return running_language != NULL ? running_language : BD_LANGUAGE_SYSTEM;
}

void
bd_language_restore_environment (void)
{
  if (!session_saved)
    return;

  if (session_language != NULL)
    g_setenv ("LANGUAGE", session_language, TRUE);
  else
    g_unsetenv ("LANGUAGE");
  forget_translations ();
}

gboolean
bd_language_is_hindi (void)
{
  const char * const *names = g_get_language_names ();

  return names != NULL && names[0] != NULL &&
         (g_str_has_prefix (names[0], "hi_") || g_str_has_prefix (names[0], "hi.") ||
          strcmp (names[0], "hi") == 0);
}
