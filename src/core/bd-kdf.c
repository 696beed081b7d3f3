/* bd-kdf.c: PBKDF2-HMAC-SHA256 (nettle), getrandom(2), and the
 * one-way protection of Aadhaar numbers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <nettle/pbkdf2.h>

#include "bd-kdf.h"


gboolean
bd_pbkdf2_sha256 (const guint8 *pw,
                  gsize         pw_len,
                  const guint8 *salt,
                  gsize         salt_len,
                  guint         iterations,
                  guint8       *out,
                  gsize         out_len)
{
  /* nettle wants valid pointers even for empty inputs. */
  static const guint8 empty[1] = { 0 };

  if (iterations == 0 || out == NULL || out_len == 0)
    return FALSE;

  pbkdf2_hmac_sha256 (pw_len, pw_len > 0 ? pw : empty, iterations,
                      salt_len, salt_len > 0 ? salt : empty, out_len, out);
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
