/* bd-demo-generator.h: a realistic, reproducible demo zone for bijli-central.
 *
 * The same seed and reference time always give the same consumers, so demo
 * databases, screenshots and tests agree across machines.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "core/bd-consumer.h"
#include "core/bd-session.h"

#include "bd-central-db.h"

G_BEGIN_DECLS

#define BD_DEMO_DEFAULT_SEED      1912
#define BD_DEMO_DEFAULT_CONSUMERS 10000

typedef struct {
  const char *username;
  const char *password;
  const char *display_name;
  BdRole      role;
  const char *zone;
  const char *zone_name;
} BdDemoUser;

/* The demo staff accounts created by bd_demo_generator_create_users(). */
const BdDemoUser *bd_demo_generator_get_users (gsize *n_users);

#define BD_TYPE_DEMO_GENERATOR (bd_demo_generator_get_type ())
G_DECLARE_FINAL_TYPE (BdDemoGenerator, bd_demo_generator, BD, DEMO_GENERATOR, GObject)

/* now (Unix UTC) anchors "recent" times such as balance_as_of. */
BdDemoGenerator *bd_demo_generator_new          (guint32           seed,
                                                 gint64            now);
/* The next consumer of the sequence. */
BdConsumer      *bd_demo_generator_next         (BdDemoGenerator  *self);

/* The PBKDF2 iterations of the demo users' hashes (default
 * BD_PASSWORD_DEFAULT_ITERATIONS); tests lower it, valgrind being slow. */
void             bd_demo_generator_set_password_iterations (BdDemoGenerator *self,
                                                            guint            iterations);

/* Creates the demo zones and users; existing users are kept as they are. */
gboolean         bd_demo_generator_create_users (BdDemoGenerator  *self,
                                                 BdCentralDb      *db,
                                                 GError          **error);
/* Inserts n_consumers in one bulk load (bd_central_db_bulk_begin(): indexes,
 * name index and feed counts built once at the end; a million in well under
 * a minute), unless the database already holds consumers (re-running --demo
 * must not duplicate them). Returns how many were created (0 if skipped),
 * or -1 with error (nothing is inserted then). */
gint64           bd_demo_generator_populate     (BdDemoGenerator  *self,
                                                 BdCentralDb      *db,
                                                 guint             n_consumers,
                                                 GError          **error);

G_END_DECLS
