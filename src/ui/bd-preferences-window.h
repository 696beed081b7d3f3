/* bd-preferences-window.h: the desk's preferences.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define BD_TYPE_PREFERENCES_WINDOW (bd_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (BdPreferencesWindow, bd_preferences_window, BD, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* Edits settings (the application's, of schema io.github.bijlidesk.BijliDesk). */
GtkWidget *bd_preferences_window_new (GSettings *settings);

/* Checks a server address typed by an operator: http or https, with a
 * host. The error message is fit to show. */
gboolean   bd_preferences_check_server_url (const char  *url,
                                            GError     **error);

G_END_DECLS
