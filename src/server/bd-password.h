/* bd-password.h: staff password hashing (PBKDF2-HMAC-SHA256).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Iterations for new hashes: OWASP's figure for PBKDF2-HMAC-SHA256
 * (2023), about 85 ms here with nettle. Stored per user, so it can be
 * raised later without invalidating existing passwords; bijli-central
 * rehashes older ones at the next good sign-in. */
#define BD_PASSWORD_DEFAULT_ITERATIONS 600000
#define BD_PASSWORD_SALT_LEN           16
#define BD_PASSWORD_HASH_LEN           32

/* Raw PBKDF2-HMAC-SHA256 (RFC 8018) into out[out_len]. */
void      bd_password_pbkdf2_sha256 (const guint8 *password,
                                     gsize         password_len,
                                     const guint8 *salt,
                                     gsize         salt_len,
                                     guint         iterations,
                                     guint8       *out,
                                     gsize         out_len);

/* Hashes password with a fresh random salt. */
void      bd_password_hash          (const char   *password,
                                     guint         iterations,
                                     GBytes      **out_salt,
                                     GBytes      **out_hash);

/* TRUE if password hashes to expected_hash; the comparison takes the same
 * time wherever the first difference is. */
gboolean  bd_password_verify        (const char   *password,
                                     GBytes       *salt,
                                     guint         iterations,
                                     GBytes       *expected_hash);

gboolean  bd_password_equal_constant_time (const guint8 *a,
                                           const guint8 *b,
                                           gsize         len);

/* Fills buf with bytes from the kernel's CSPRNG; aborts if none is available,
 * since salts and session tokens must never be predictable. */
void      bd_password_random_bytes  (guint8       *buf,
                                     gsize         len);

G_END_DECLS
