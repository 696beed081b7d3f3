/* bd-language.h: the language the desk runs in, chosen in the preferences.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Values of the "language" setting. */
#define BD_LANGUAGE_SYSTEM "system"

/* Applies the "language" setting to this process: call once in main(),
 * after setlocale() and before any string is translated or any widget
 * exists. Does nothing when the settings schema is not installed. */
void        bd_language_apply_saved           (void);
/* Applies one value of the "language" setting ("system", "en", "hi"). */
void        bd_language_apply                 (const char *language);
/* The value the process started with, for telling whether a change of
 * the setting needs a restart. */
const char *bd_language_get_running           (void);
/* Puts LANGUAGE back as the session had it, so a restarted desk reads
 * the setting afresh rather than inheriting this process's choice. */
void        bd_language_restore_environment   (void);
/* Whether the desk's strings are shown in Hindi. */
gboolean    bd_language_is_hindi              (void);

G_END_DECLS
