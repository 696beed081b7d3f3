/* test-password.c: PBKDF2-HMAC-SHA256 against published vectors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "server/bd-password.h"

static void
assert_pbkdf2 (const char *password,
               const char *salt,
               guint       iterations,
               const char *expected_hex)
{
  gsize len = strlen (expected_hex) / 2;
  g_autofree guint8 *out = g_malloc (len);
  g_autoptr(GString) hex = g_string_new (NULL);

  bd_password_pbkdf2_sha256 ((const guint8 *) password, strlen (password),
                             (const guint8 *) salt, strlen (salt),
                             iterations, out, len);
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", out[i]);

  g_assert_cmpstr (hex->str, ==, expected_hex);
}

/* RFC 7914 §11, the PBKDF2-HMAC-SHA256 vectors (64-byte output spans two blocks). */
static void
test_rfc7914_vectors (void)
{
  assert_pbkdf2 ("passwd", "salt", 1,
                 "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                 "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
  assert_pbkdf2 ("Password", "NaCl", 80000,
                 "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
                 "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
}

/* The widely published RFC 6070-style vectors recomputed for SHA-256. */
static void
test_sha256_vectors (void)
{
  assert_pbkdf2 ("password", "salt", 1,
                 "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
  assert_pbkdf2 ("password", "salt", 2,
                 "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43");
  assert_pbkdf2 ("password", "salt", 4096,
                 "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
}

static void
test_hash_and_verify (void)
{
  g_autoptr(GBytes) salt = NULL;
  g_autoptr(GBytes) hash = NULL;
  g_autoptr(GBytes) salt2 = NULL;
  g_autoptr(GBytes) hash2 = NULL;

  bd_password_hash ("bijli-operator", 1000, &salt, &hash);
  g_assert_cmpuint (g_bytes_get_size (salt), ==, BD_PASSWORD_SALT_LEN);
  g_assert_cmpuint (g_bytes_get_size (hash), ==, BD_PASSWORD_HASH_LEN);

  g_assert_true (bd_password_verify ("bijli-operator", salt, 1000, hash));
  g_assert_false (bd_password_verify ("bijli-operatoR", salt, 1000, hash));
  g_assert_false (bd_password_verify ("bijli-operator ", salt, 1000, hash));
  g_assert_false (bd_password_verify ("", salt, 1000, hash));
  /* The iteration count is part of the hash: a different count must fail. */
  g_assert_false (bd_password_verify ("bijli-operator", salt, 999, hash));
  g_assert_false (bd_password_verify ("bijli-operator", salt, 0, hash));

  /* Fresh salt each time: equal passwords do not give equal hashes. */
  bd_password_hash ("bijli-operator", 1000, &salt2, &hash2);
  g_assert_false (g_bytes_equal (salt, salt2));
  g_assert_false (g_bytes_equal (hash, hash2));
  g_assert_true (bd_password_verify ("bijli-operator", salt2, 1000, hash2));
}

static void
test_constant_time_equal (void)
{
  const guint8 a[] = { 1, 2, 3, 4 };
  const guint8 b[] = { 1, 2, 3, 5 };
  const guint8 c[] = { 0, 2, 3, 4 };

  g_assert_true (bd_password_equal_constant_time (a, a, sizeof a));
  g_assert_false (bd_password_equal_constant_time (a, b, sizeof a));
  g_assert_false (bd_password_equal_constant_time (a, c, sizeof a));
  g_assert_true (bd_password_equal_constant_time (a, b, 3));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/password/pbkdf2/rfc7914", test_rfc7914_vectors);
  g_test_add_func ("/password/pbkdf2/sha256-vectors", test_sha256_vectors);
  g_test_add_func ("/password/hash-and-verify", test_hash_and_verify);
  g_test_add_func ("/password/constant-time-equal", test_constant_time_equal);

  return g_test_run ();
}
