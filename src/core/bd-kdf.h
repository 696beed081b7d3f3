/* bd-kdf.h: key derivation and the kernel's random bytes, shared by the desk
 * (Aadhaar protection) and bijli-central (passwords, OTP codes).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Iterations of PBKDF2-SHA256 for an Aadhaar number. 12 digits have little
 * entropy, so the salt and this cost are what keep the hash from being
 * reversed by trying all 10^11 valid numbers. */
#define BD_AADHAAR_KDF_ITERATIONS 100000
#define BD_AADHAAR_SALT_LEN       16
#define BD_AADHAAR_HASH_LEN       32

/* PBKDF2-HMAC-SHA256 (RFC 8018) of pw with salt into out[out_len].
 * FALSE (out untouched) if iterations is 0 or out_len is 0. */
gboolean bd_pbkdf2_sha256   (const guint8 *pw,
                             gsize         pw_len,
                             const guint8 *salt,
                             gsize         salt_len,
                             guint         iterations,
                             guint8       *out,
                             gsize         out_len);

/* Fills buf with len bytes from the kernel's CSPRNG (getrandom(2)).
 * FALSE if none could be had; buf is then zeroed, so a caller that ignores
 * the result never uses stale memory as a secret. */
gboolean bd_random_bytes    (guint8       *buf,
                             gsize         len);

/* Protects a normalised 12-digit Aadhaar (bd_aadhaar_normalize): a fresh
 * 16-byte random salt, PBKDF2-SHA256 over the 12 ASCII digits with
 * BD_AADHAAR_KDF_ITERATIONS. Outputs newly allocated strings: the last 4
 * digits, the salt as 32 lower-case hex digits and the hash as 64. Takes
 * about 50 ms; call it from a thread if that matters. */
void     bd_aadhaar_protect (const char   *normalized,
                             char        **out_last4,
                             char        **out_salt_hex,
                             char        **out_hash_hex);

/* TRUE if normalized hashes to hash_hex with salt_hex (constant time). */
gboolean bd_aadhaar_matches (const char   *normalized,
                             const char   *salt_hex,
                             const char   *hash_hex);

G_END_DECLS
