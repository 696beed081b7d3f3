/* bd-password.c: PBKDF2-HMAC-SHA256 with GLib's GHmac.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "bd-password.h"

#define SHA256_LEN 32

void
bd_password_pbkdf2_sha256 (const guint8 *password,
                           gsize         password_len,
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

  g_return_if_fail (iterations > 0);
  g_return_if_fail (out != NULL);

  keyed = g_hmac_new (G_CHECKSUM_SHA256, password_len > 0 ? password : empty, password_len);

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
}

gboolean
bd_password_equal_constant_time (const guint8 *a,
                                 const guint8 *b,
                                 gsize         len)
{
  volatile guint8 diff = 0;

  for (gsize i = 0; i < len; i++)
    diff |= a[i] ^ b[i];

  return diff == 0;
}

void
bd_password_random_bytes (guint8 *buf,
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
          g_error ("getrandom() failed: %s", g_strerror (errno));
        }
      done += (gsize) n;
    }
}

void
bd_password_hash (const char  *password,
                  guint        iterations,
                  GBytes     **out_salt,
                  GBytes     **out_hash)
{
  guint8 salt[BD_PASSWORD_SALT_LEN];
  guint8 hash[BD_PASSWORD_HASH_LEN];

  g_return_if_fail (password != NULL);
  g_return_if_fail (out_salt != NULL && out_hash != NULL);

  bd_password_random_bytes (salt, sizeof salt);
  bd_password_pbkdf2_sha256 ((const guint8 *) password, strlen (password),
                             salt, sizeof salt, iterations, hash, sizeof hash);

  *out_salt = g_bytes_new (salt, sizeof salt);
  *out_hash = g_bytes_new (hash, sizeof hash);
}

gboolean
bd_password_verify (const char *password,
                    GBytes     *salt,
                    guint       iterations,
                    GBytes     *expected_hash)
{
  g_autofree guint8 *computed = NULL;
  const guint8 *salt_data;
  const guint8 *expected;
  gsize salt_len;
  gsize expected_len;

  g_return_val_if_fail (password != NULL, FALSE);
  g_return_val_if_fail (salt != NULL && expected_hash != NULL, FALSE);

  if (iterations == 0)
    return FALSE;

  salt_data = g_bytes_get_data (salt, &salt_len);
  expected = g_bytes_get_data (expected_hash, &expected_len);
  if (expected_len == 0)
    return FALSE;

  computed = g_malloc (expected_len);
  bd_password_pbkdf2_sha256 ((const guint8 *) password, strlen (password),
                             salt_data, salt_len, iterations, computed, expected_len);

  return bd_password_equal_constant_time (computed, expected, expected_len);
}
