/* bd-about.h: the About window, with the release notes from the metainfo.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The description of the newest <release> of an AppStream metainfo
 * document, as the markup AdwAboutWindow takes (<p>, <ul>, <ol>, <li>,
 * <em>, <code>), and that release's version in out_version. */
char *bd_about_release_notes_from_metainfo (const char  *xml,
                                            gssize       length,
                                            char       **out_version,
                                            GError     **error);

/* Shows the About window over parent (which may be NULL). */
void  bd_about_show                        (GtkWindow   *parent);

G_END_DECLS
