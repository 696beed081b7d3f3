/* bd-sign-in-page.h: server address, user name and password.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define BD_TYPE_SIGN_IN_PAGE (bd_sign_in_page_get_type ())
G_DECLARE_FINAL_TYPE (BdSignInPage, bd_sign_in_page, BD, SIGN_IN_PAGE, AdwBin)

GtkWidget  *bd_sign_in_page_new               (void);

void        bd_sign_in_page_prefill           (BdSignInPage *self,
                                               const char   *server_url,
                                               const char   *username);
void        bd_sign_in_page_set_password      (BdSignInPage *self,
                                               const char   *password);
/* The zone to sign in to, for staff who work in more than their own. */
void        bd_sign_in_page_set_zone          (BdSignInPage *self,
                                               const char   *zone);
/* Validates the fields; on success emits ::sign-in and returns TRUE,
 * otherwise shows what is missing and returns FALSE. */
gboolean    bd_sign_in_page_submit            (BdSignInPage *self);
/* While busy the fields are locked and a spinner turns. */
void        bd_sign_in_page_set_busy          (BdSignInPage *self,
                                               gboolean      busy);
/* Shows message inline (NULL hides it) and puts the cursor back in the
 * password field, its text selected, ready to be typed again. */
void        bd_sign_in_page_show_error        (BdSignInPage *self,
                                               const char   *message);
/* The message on show, or NULL. */
const char *bd_sign_in_page_get_error_message (BdSignInPage *self);
void        bd_sign_in_page_clear_password    (BdSignInPage *self);
void        bd_sign_in_page_focus_first_empty (BdSignInPage *self);
GtkWidget  *bd_sign_in_page_get_sign_in_button (BdSignInPage *self);

G_END_DECLS
