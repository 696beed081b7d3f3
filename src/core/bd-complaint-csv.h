/* bd-complaint-csv.h: complaints as CSV, the same on the desk (export of
 * the queue on show) and the server (GET /complaints/export).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bd-complaint.h"

G_BEGIN_DECLS

/* Header row, then one row per complaint (element-type BdComplaint): the
 * SLA due time, days overdue and compensation owed as of now; times in
 * IST. Contact numbers are left out. Every cell is quoted, and a leading
 * = + - @ is prefixed with ' so that a spreadsheet does not run it. */
char *bd_complaints_to_csv (GPtrArray *complaints,
                            gint64     now);

G_END_DECLS
