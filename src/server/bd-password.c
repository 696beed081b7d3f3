/* bd-password.c: PBKDF2-HMAC-SHA256 with GLib's GHmac.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "core/bd-kdf.h"

#include "bd-password.h"

/* The derivation itself lives in core, where the desk also needs it. */
void
bd_password_pbkdf2_sha256 (const guint8 *password,
                           gsize         password_len,
                           const guint8 *salt,
                           gsize         salt_len,
                           guint         iterations,
                           guint8       *out,
                           gsize         out_len)
{
  g_return_if_fail (iterations > 0);
  g_return_if_fail (out != NULL);

  bd_pbkdf2_sha256 (password, password_len, salt, salt_len, iterations, out, out_len);
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
