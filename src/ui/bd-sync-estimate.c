/* bd-sync-estimate.c: time left in a sync, from the rate over a sliding window.
 *
 * The first page of a pull is slow (connection, cold cache) and the last
 * ones can be quick, so the rate since the start would mislead; samples
 * older than the window are dropped, keeping the oldest one that still
 * spans it so the window is always full once it has been.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/bd-money.h"

#include "bd-sync-estimate.h"

/* Less than this much progress gives a rate too noisy to show. */
#define MIN_SPAN_US (2 * G_USEC_PER_SEC)

typedef struct {
  gint64 time_us;
  gint64 applied;
} Sample;

struct _BdSyncEstimate
{
  GQueue  samples;   /* (element-type Sample), oldest first */
  gint64  total;
};

BdSyncEstimate *
bd_sync_estimate_new (void)
{
  BdSyncEstimate *self = g_new0 (BdSyncEstimate, 1);

  g_queue_init (&self->samples);
  return self;
}

void
bd_sync_estimate_reset (BdSyncEstimate *self)
{
  g_return_if_fail (self != NULL);

  g_queue_clear_full (&self->samples, g_free);
  self->total = 0;
}

void
bd_sync_estimate_free (BdSyncEstimate *self)
{
  if (self == NULL)
    return;

  bd_sync_estimate_reset (self);
  g_free (self);
}

void
bd_sync_estimate_add (BdSyncEstimate *self,
                      gint64          time_us,
                      gint64          applied,
                      gint64          total)
{
  Sample *sample;

  g_return_if_fail (self != NULL);

  sample = g_new (Sample, 1);
  sample->time_us = time_us;
  sample->applied = applied;
  g_queue_push_tail (&self->samples, sample);
  self->total = total;

  /* Drop the oldest while the next one alone still spans the window. */
  while (g_queue_get_length (&self->samples) > 2)
    {
      Sample *second = g_queue_peek_nth (&self->samples, 1);

      if (time_us - second->time_us < BD_SYNC_ESTIMATE_WINDOW_US)
        break;
      g_free (g_queue_pop_head (&self->samples));
    }
}

gint64
bd_sync_estimate_seconds_left (BdSyncEstimate *self)
{
  Sample *first;
  Sample *last;
  gint64 span_us;
  gint64 done;
  double rate;

  g_return_val_if_fail (self != NULL, -1);

  if (g_queue_get_length (&self->samples) < 2)
    return -1;

  first = g_queue_peek_head (&self->samples);
  last = g_queue_peek_tail (&self->samples);
  if (last->applied >= self->total)
    return 0;

  span_us = last->time_us - first->time_us;
  done = last->applied - first->applied;
  if (span_us < MIN_SPAN_US || done <= 0)
    return -1;

  rate = (double) done / ((double) span_us / G_USEC_PER_SEC);
  return (gint64) ((double) (self->total - last->applied) / rate + 0.5);
}

/* "About a minute left", or "about a minute left" inside a sentence: the
 * two forms are separate strings, since not every language changes case
 * the same way. */
static char *
format_time_left (gint64   seconds_left,
                  gboolean mid_sentence)
{
  gint64 minutes;
  gint64 hours;

  if (seconds_left < 5)
    return g_strdup (mid_sentence ? _("almost done") : _("Almost done"));
  if (seconds_left < 60)
    {
      /* Tens of seconds: a countdown to the second would only flicker. */
      gint64 rounded = MAX ((seconds_left + 5) / 10 * 10, 10);

      if (rounded >= 60)
        return g_strdup (mid_sentence ? _("about a minute left") : _("About a minute left"));
      return g_strdup_printf (mid_sentence
                              ? g_dngettext (GETTEXT_PACKAGE, "about %d second left", "about %d seconds left",
                                             (gulong) rounded)
                              : g_dngettext (GETTEXT_PACKAGE, "About %d second left", "About %d seconds left",
                                             (gulong) rounded),
                              (int) rounded);
    }

  minutes = (seconds_left + 30) / 60;
  if (minutes < 60)
    return g_strdup_printf (mid_sentence
                            ? g_dngettext (GETTEXT_PACKAGE, "about %d minute left", "about %d minutes left",
                                           (gulong) minutes)
                            : g_dngettext (GETTEXT_PACKAGE, "About %d minute left", "About %d minutes left",
                                           (gulong) minutes),
                            (int) minutes);

  hours = (seconds_left + 1800) / 3600;
  return g_strdup_printf (mid_sentence
                          ? g_dngettext (GETTEXT_PACKAGE, "about %d hour left", "about %d hours left",
                                         (gulong) hours)
                          : g_dngettext (GETTEXT_PACKAGE, "About %d hour left", "About %d hours left",
                                         (gulong) hours),
                          (int) hours);
}

char *
bd_sync_estimate_format (gint64 seconds_left)
{
  if (seconds_left < 0)
    return g_strdup (_("Estimating time left…"));

  return format_time_left (seconds_left, FALSE);
}

char *
bd_sync_estimate_format_status (gint64 applied,
                                gint64 total,
                                gint64 seconds_left)
{
  g_autofree char *applied_text = NULL;
  g_autofree char *total_text = NULL;
  g_autofree char *left = NULL;

  if (total <= 0)
    return g_strdup (_("Syncing…"));

  applied_text = bd_format_indian_integer (CLAMP (applied, 0, total));
  total_text = bd_format_indian_integer (total);
  if (seconds_left < 0)
    /* Translators: "Syncing 3,000 of 10,000…" */
    return g_strdup_printf (_("Syncing %s of %s…"), applied_text, total_text);

  left = format_time_left (seconds_left, TRUE);
  /* Translators: "Syncing 3,000 of 10,000 — about a minute left"; the last
   * %s is how long is left, e.g. "about 2 minutes left" or "almost done". */
  return g_strdup_printf (_("Syncing %s of %s — %s"), applied_text, total_text, left);
}
