/* bd-central-faults.c: the fault plan of --inject-faults.
 *
 * A seeded GRand, not a CSPRNG: a failing run must be repeatable with the
 * same --fault-seed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>

#include "bd-central-db.h"
#include "bd-central-faults.h"

struct _BdCentralFaults
{
  GObject  parent_instance;

  GRand   *rand;
  double   probability[BD_CENTRAL_N_FAULTS];
  guint    delay_ms;
  guint64  count[BD_CENTRAL_N_FAULTS];
};

G_DEFINE_FINAL_TYPE (BdCentralFaults, bd_central_faults, G_TYPE_OBJECT)

static const char * const kind_names[BD_CENTRAL_N_FAULTS] = {
  [BD_CENTRAL_FAULT_NONE] = "none",
  [BD_CENTRAL_FAULT_500] = "500",
  [BD_CENTRAL_FAULT_503] = "503",
  [BD_CENTRAL_FAULT_LOST] = "lost",
  [BD_CENTRAL_FAULT_DELAY] = "delay",
};

static gboolean
parse_number (const char *text,
              double     *out)
{
  char *end = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;
  *out = g_ascii_strtod (text, &end);
  return end != NULL && *end == '\0';
}

static gboolean
parse_item (BdCentralFaults  *self,
            const char       *item,
            GError          **error)
{
  g_auto(GStrv) pair = g_strsplit (item, "=", 2);
  g_auto(GStrv) value = NULL;
  double probability;
  guint kind;

  for (kind = BD_CENTRAL_FAULT_500; kind < BD_CENTRAL_N_FAULTS; kind++)
    if (g_strcmp0 (pair[0], kind_names[kind]) == 0)
      break;
  if (kind == BD_CENTRAL_N_FAULTS || pair[1] == NULL)
    goto invalid;

  value = g_strsplit (pair[1], ":", 2);
  if (!parse_number (value[0], &probability) || probability < 0 || probability > 1)
    goto invalid;
  if (kind == BD_CENTRAL_FAULT_DELAY)
    {
      double delay_ms;

      if (!parse_number (value[1], &delay_ms) || delay_ms < 1 || delay_ms > 600000)
        goto invalid;
      self->delay_ms = (guint) delay_ms;
    }
  else if (value[1] != NULL)
    goto invalid;

  self->probability[kind] = probability;
  return TRUE;

invalid:
  g_set_error (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT,
               _("“%s” is not a fault: write KIND=PROBABILITY with KIND 500, 503 or lost, or delay=PROBABILITY:MILLISECONDS."),
               item);
  return FALSE;
}

static void
bd_central_faults_finalize (GObject *object)
{
  BdCentralFaults *self = BD_CENTRAL_FAULTS (object);

  g_clear_pointer (&self->rand, g_rand_free);

  G_OBJECT_CLASS (bd_central_faults_parent_class)->finalize (object);
}

static void
bd_central_faults_class_init (BdCentralFaultsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bd_central_faults_finalize;
}

static void
bd_central_faults_init (BdCentralFaults *self)
{
}

BdCentralFaults *
bd_central_faults_new (const char  *spec,
                       guint64      seed,
                       GError     **error)
{
  g_autoptr(BdCentralFaults) self = g_object_new (BD_TYPE_CENTRAL_FAULTS, NULL);
  g_auto(GStrv) items = NULL;
  guint32 seed_words[2] = { (guint32) seed, (guint32) (seed >> 32) };
  double total = 0;

  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  items = g_strsplit (spec, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      g_strstrip (items[i]);
      if (*items[i] != '\0' && !parse_item (self, items[i], error))
        return NULL;
    }
  for (guint kind = BD_CENTRAL_FAULT_500; kind < BD_CENTRAL_N_FAULTS; kind++)
    total += self->probability[kind];
  if (total > 1.0 + 1e-9)
    {
      g_set_error_literal (error, BD_CENTRAL_ERROR, BD_CENTRAL_ERROR_INVALID_INPUT,
                           _("The fault probabilities add up to more than 1."));
      return NULL;
    }

  self->rand = g_rand_new_with_seed_array (seed_words, G_N_ELEMENTS (seed_words));
  return g_steal_pointer (&self);
}

BdCentralFaultKind
bd_central_faults_draw (BdCentralFaults *self)
{
  double draw, edge = 0;

  g_return_val_if_fail (BD_IS_CENTRAL_FAULTS (self), BD_CENTRAL_FAULT_NONE);

  draw = g_rand_double (self->rand);
  for (guint kind = BD_CENTRAL_FAULT_500; kind < BD_CENTRAL_N_FAULTS; kind++)
    {
      edge += self->probability[kind];
      if (draw < edge)
        {
          self->count[kind]++;
          return (BdCentralFaultKind) kind;
        }
    }
  return BD_CENTRAL_FAULT_NONE;
}

guint
bd_central_faults_get_delay_ms (BdCentralFaults *self)
{
  g_return_val_if_fail (BD_IS_CENTRAL_FAULTS (self), 0);
  return self->delay_ms;
}

guint64
bd_central_faults_get_count (BdCentralFaults    *self,
                             BdCentralFaultKind  kind)
{
  g_return_val_if_fail (BD_IS_CENTRAL_FAULTS (self), 0);
  g_return_val_if_fail (kind < BD_CENTRAL_N_FAULTS, 0);
  return self->count[kind];
}

const char *
bd_central_fault_kind_to_string (BdCentralFaultKind kind)
{
  g_return_val_if_fail (kind < BD_CENTRAL_N_FAULTS, NULL);
  return kind_names[kind];
}

char *
bd_central_faults_summary (BdCentralFaults *self)
{
  GString *text = g_string_new ("injected faults:");

  g_return_val_if_fail (BD_IS_CENTRAL_FAULTS (self), NULL);

  for (guint kind = BD_CENTRAL_FAULT_500; kind < BD_CENTRAL_N_FAULTS; kind++)
    g_string_append_printf (text, " %s=%" G_GUINT64_FORMAT, kind_names[kind], self->count[kind]);
  return g_string_free (text, FALSE);
}
