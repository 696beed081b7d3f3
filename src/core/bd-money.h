/* bd-money.h: money is integer paise; on screen it is rupees with Indian grouping.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* 12345678 → "1,23,45,678" (lakh/crore grouping); negative numbers get "-". */
char *bd_format_indian_integer (gint64 value);

/* 12345678 paise → "₹1,23,456.78"; -5000 → "−₹50.00" (U+2212 minus). */
char *bd_format_paise          (gint64 paise);

G_END_DECLS
