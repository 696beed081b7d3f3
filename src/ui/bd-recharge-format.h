/* bd-recharge-format.h: how a recharge reads on the desk and on paper:
 * its state, the receipt (drawn with cairo for printing and PDF), and the
 * UPI payment request as a QR code the consumer's phone scans.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "store/bd-consumer-store.h"

G_BEGIN_DECLS

/* Who is paid: the utility's collection account (a demo VPA). */
#define BD_UPI_PAYEE_VPA  "uppcl.lko@sbi"
#define BD_UPI_PAYEE_NAME "UPPCL"

/* "Credited", "Queued — will be sent when online", "Refused by the server". */
const char *bd_stored_recharge_state_label (const BdStoredRecharge *stored);
/* "₹500.00 by UPI (UTR 432187650912)". */
char       *bd_recharge_describe           (const BdRecharge       *recharge);

/* The receipt on a page of width × height points. A recharge the server
 * has not credited says so in large type: it is not a receipt. */
void        bd_recharge_draw_receipt       (cairo_t                *cr,
                                            const BdStoredRecharge *stored,
                                            const char             *consumer_name,
                                            double                  width,
                                            double                  height);
gboolean    bd_recharge_save_receipt       (const BdStoredRecharge *stored,
                                            const char             *consumer_name,
                                            const char             *path,
                                            GError                **error);
/* Prints through the print dialog, parented to window. */
void        bd_recharge_print_receipt      (const BdStoredRecharge *stored,
                                            const char             *consumer_name,
                                            GtkWindow              *window);

/* The QR code of text, module_px pixels a module with the 4-module quiet
 * zone, black on white; NULL if text cannot be encoded. */
GdkTexture *bd_qr_texture_new              (const char             *text,
                                            int                     module_px);

G_END_DECLS
