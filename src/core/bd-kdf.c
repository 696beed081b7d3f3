/* bd-kdf.c: PBKDF2-HMAC-SHA256 with GLib's GHmac, getrandom(2), and the
 * one-way protection of Aadhaar numbers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "bd-kdf.h"

#define SHA256_LEN 32

gboolean
bd_pbkdf2_sha256 (const guint8 *pw,
                  gsize         pw_len,
                  const guint8 *salt,
                  gsize         salt_len,
                  guint         iterations,
                  guint8       *out,
                  gsize         out_len)
{
  /* GHmac refuses a NULL key; an empty password still needs a valid pointer. */
  static const guint8 empty[1] = { 0 };
  g_autoptr(GHmac) keyed = NULL;
  guint32 block = 1;
  gsize done = 0;

  if (iterations == 0 || out == NULL || out_len == 0)
    return FALSE;

  keyed = g_hmac_new (G_CHECKSUM_SHA256, pw_len > 0 ? pw : empty, pw_len);

  while (done < out_len)
    {
      guint8 u[SHA256_LEN];
      guint8 t[SHA256_LEN];
      guint8 block_be[4];
      gsize digest_len = SHA256_LEN;
      gsize chunk;
      g_autoptr(GHmac) first = g_hmac_copy (keyed);

      block_be[0] = (block >> 24) & 0xff;
      block_be[1] = (block >> 16) & 0xff;
      block_be[2] = (block >> 8) & 0xff;
      block_be[3] = block & 0xff;

      if (salt_len > 0)
        g_hmac_update (first, salt, salt_len);
      g_hmac_update (first, block_be, sizeof block_be);
      g_hmac_get_digest (first, u, &digest_len);
      memcpy (t, u, SHA256_LEN);

      for (guint i = 1; i < iterations; i++)
        {
          /* Copying the keyed state skips re-deriving the HMAC pads each round. */
          g_autoptr(GHmac) h = g_hmac_copy (keyed);

          digest_len = SHA256_LEN;
          g_hmac_update (h, u, SHA256_LEN);
          g_hmac_get_digest (h, u, &digest_len);
          for (guint k = 0; k < SHA256_LEN; k++)
            t[k] ^= u[k];
        }

      chunk = MIN (out_len - done, (gsize) SHA256_LEN);
      memcpy (out + done, t, chunk);
      done += chunk;
      block++;
    }

  return TRUE;
}

gboolean
bd_random_bytes (guint8 *buf,
                 gsize   len)
{
  gsize done = 0;

  while (done < len)
    {
      gssize n = getrandom (buf + done, len - done, 0);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          memset (buf, 0, len);
          return FALSE;
        }
      done += (gsize) n;
    }

  return TRUE;
}

static char *
to_hex (const guint8 *bytes,
        gsize         len)
{
  static const char digits[] = "0123456789abcdef";
  char *hex = g_malloc (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    {
      hex[2 * i] = digits[bytes[i] >> 4];
      hex[2 * i + 1] = digits[bytes[i] & 0xf];
    }
  hex[len * 2] = '\0';
  return hex;
}

static gboolean
from_hex (const char *hex,
          guint8     *out,
          gsize       len)
{
  if (hex == NULL || strlen (hex) != len * 2)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

static gboolean
is_aadhaar_digits (const char *normalized)
{
  if (normalized == NULL || strlen (normalized) != 12)
    return FALSE;
  for (const char *p = normalized; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

void
bd_aadhaar_protect (const char  *normalized,
                    char       **out_last4,
                    char       **out_salt_hex,
                    char       **out_hash_hex)
{
  guint8 salt[BD_AADHAAR_SALT_LEN];
  guint8 hash[BD_AADHAAR_HASH_LEN];

  g_return_if_fail (is_aadhaar_digits (normalized));

  /* A predictable salt would let one precomputed table reverse every
   * stored Aadhaar; without the kernel's randomness there is no safe way on. */
  if (!bd_random_bytes (salt, sizeof salt))
    g_error ("getrandom() failed: %s", g_strerror (errno));

  bd_pbkdf2_sha256 ((const guint8 *) normalized, 12, salt, sizeof salt,
                    BD_AADHAAR_KDF_ITERATIONS, hash, sizeof hash);

  if (out_last4 != NULL)
    *out_last4 = g_strdup (normalized + 8);
  if (out_salt_hex != NULL)
    *out_salt_hex = to_hex (salt, sizeof salt);
  if (out_hash_hex != NULL)
    *out_hash_hex = to_hex (hash, sizeof hash);
}

gboolean
bd_aadhaar_matches (const char *normalized,
                    const char *salt_hex,
                    const char *hash_hex)
{
  guint8 salt[BD_AADHAAR_SALT_LEN];
  guint8 expected[BD_AADHAAR_HASH_LEN];
  guint8 hash[BD_AADHAAR_HASH_LEN];
  volatile guint8 diff = 0;

  if (!is_aadhaar_digits (normalized) ||
      !from_hex (salt_hex, salt, sizeof salt) ||
      !from_hex (hash_hex, expected, sizeof expected))
    return FALSE;

  bd_pbkdf2_sha256 ((const guint8 *) normalized, 12, salt, sizeof salt,
                    BD_AADHAAR_KDF_ITERATIONS, hash, sizeof hash);
  for (gsize i = 0; i < sizeof hash; i++)
    diff |= hash[i] ^ expected[i];
  return diff == 0;
}
