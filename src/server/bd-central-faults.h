/* bd-central-faults.h: faults bijli-central injects into its own answers
 * when started with --inject-faults, so that the desk's outbox, push worker
 * and pull can be tested against a server that fails the way real ones do.
 *
 * Off unless asked for; never used in production.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  BD_CENTRAL_FAULT_NONE,
  BD_CENTRAL_FAULT_500,    /* answer 500 before doing anything */
  BD_CENTRAL_FAULT_503,    /* answer 503 before doing anything */
  BD_CENTRAL_FAULT_LOST,   /* do the work and commit, then drop the connection unanswered */
  BD_CENTRAL_FAULT_DELAY,  /* do the work, answer after the configured delay */
  BD_CENTRAL_N_FAULTS
} BdCentralFaultKind;

#define BD_TYPE_CENTRAL_FAULTS (bd_central_faults_get_type ())
G_DECLARE_FINAL_TYPE (BdCentralFaults, bd_central_faults, BD, CENTRAL_FAULTS, GObject)

/* spec: comma-separated KIND=PROBABILITY with KIND one of 500, 503, lost,
 * delay (delay=P:MILLISECONDS), e.g. "500=0.05,503=0.05,lost=0.05,delay=0.05:4000".
 * The probabilities add up to at most 1. The same seed draws the same
 * sequence of faults. */
BdCentralFaults   *bd_central_faults_new        (const char       *spec,
                                                 guint64           seed,
                                                 GError          **error);
/* Draws the fault for the next request. */
BdCentralFaultKind bd_central_faults_draw       (BdCentralFaults  *self);
guint              bd_central_faults_get_delay_ms (BdCentralFaults *self);
guint64            bd_central_faults_get_count  (BdCentralFaults  *self,
                                                 BdCentralFaultKind kind);
/* "500", "503", "lost", "delay" ("none" for BD_CENTRAL_FAULT_NONE). */
const char        *bd_central_fault_kind_to_string (BdCentralFaultKind kind);
/* One line for stderr: "injected faults: 500=N 503=N lost=N delay=N". */
char              *bd_central_faults_summary    (BdCentralFaults  *self);

G_END_DECLS
