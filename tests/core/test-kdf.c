/* test-kdf.c: PBKDF2-HMAC-SHA256 against published vectors, the kernel's
 * random bytes, and Aadhaar protection.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "core/bd-kdf.h"

static void
assert_pbkdf2 (const char *password,
               gsize       password_len,
               const char *salt,
               gsize       salt_len,
               guint       iterations,
               const char *expected_hex)
{
  gsize out_len = strlen (expected_hex) / 2;
  g_autofree guint8 *out = g_malloc0 (out_len);
  g_autoptr(GString) hex = g_string_new (NULL);

  g_assert_true (bd_pbkdf2_sha256 ((const guint8 *) password, password_len,
                                   (const guint8 *) salt, salt_len,
                                   iterations, out, out_len));
  for (gsize i = 0; i < out_len; i++)
    g_string_append_printf (hex, "%02x", out[i]);
  g_assert_cmpstr (hex->str, ==, expected_hex);
}

/* RFC 7914 section 11 (PBKDF2-HMAC-SHA256, the first vector) and the
 * RFC 6070 inputs run with SHA-256 instead of SHA-1 (the widely published
 * SHA-256 answers, e.g. from draft-josefsson-pbkdf2-test-vectors' errata and
 * Python's hashlib.pbkdf2_hmac). */
static void
test_pbkdf2_vectors (void)
{
  assert_pbkdf2 ("passwd", 6, "salt", 4, 1,
                 "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                 "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
  assert_pbkdf2 ("password", 8, "salt", 4, 1,
                 "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
  assert_pbkdf2 ("password", 8, "salt", 4, 4096,
                 "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
  /* Longer than one block: the second block's first 8 bytes follow. */
  assert_pbkdf2 ("passwordPASSWORDpassword", 24,
                 "saltSALTsaltSALTsaltSALTsaltSALTsalt", 36, 4096,
                 "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9");
  /* Embedded NULs count: lengths, not C strings. */
  assert_pbkdf2 ("pass\0word", 9, "sa\0lt", 5, 4096,
                 "89b69d0516f829893c696226650a8687");
}

static void
test_pbkdf2_refuses (void)
{
  guint8 out[4] = { 1, 2, 3, 4 };

  g_assert_false (bd_pbkdf2_sha256 ((const guint8 *) "pw", 2, (const guint8 *) "s", 1, 0, out, sizeof out));
  g_assert_cmpint (out[0], ==, 1);
  g_assert_false (bd_pbkdf2_sha256 ((const guint8 *) "pw", 2, (const guint8 *) "s", 1, 1, out, 0));
  /* An empty password is a valid input. */
  g_assert_true (bd_pbkdf2_sha256 (NULL, 0, (const guint8 *) "s", 1, 1, out, sizeof out));
}

static void
test_random_bytes (void)
{
  guint8 a[32] = { 0 };
  guint8 b[32] = { 0 };
  guint8 zero[32] = { 0 };

  g_assert_true (bd_random_bytes (a, sizeof a));
  g_assert_true (bd_random_bytes (b, sizeof b));
  /* 2^-256 chance of a false failure. */
  g_assert_true (memcmp (a, zero, sizeof a) != 0);
  g_assert_true (memcmp (a, b, sizeof a) != 0);
  g_assert_true (bd_random_bytes (a, 0));
}

static void
test_aadhaar_protect (void)
{
  g_autofree char *last4 = NULL;
  g_autofree char *salt = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *last4_again = NULL;
  g_autofree char *salt_again = NULL;
  g_autofree char *hash_again = NULL;

  bd_aadhaar_protect ("234123412346", &last4, &salt, &hash);
  g_assert_cmpstr (last4, ==, "2346");
  g_assert_cmpuint (strlen (salt), ==, 32);
  g_assert_cmpuint (strlen (hash), ==, 64);
  /* Neither output may carry the number itself. */
  g_assert_null (strstr (hash, "23412341"));
  g_assert_null (strstr (salt, "23412341"));

  g_assert_true (bd_aadhaar_matches ("234123412346", salt, hash));
  g_assert_false (bd_aadhaar_matches ("499182736455", salt, hash));
  g_assert_false (bd_aadhaar_matches ("234123412346", salt, "00"));

  /* A fresh salt each time: the same number never gives the same hash. */
  bd_aadhaar_protect ("234123412346", &last4_again, &salt_again, &hash_again);
  g_assert_cmpstr (last4_again, ==, "2346");
  g_assert_cmpstr (salt, !=, salt_again);
  g_assert_cmpstr (hash, !=, hash_again);
}

/* Pins the derivation (100,000 iterations over the 12 ASCII digits) so a
 * hash stored by one version still matches in the next. Expected value from
 * Python: hashlib.pbkdf2_hmac('sha256', b'234123412346', bytes(range(16)), 100000, 32). */
static void
test_aadhaar_fixed_vector (void)
{
  g_assert_true (bd_aadhaar_matches ("234123412346",
                                     "000102030405060708090a0b0c0d0e0f",
                                     "9061ed0d917e82e71aea761fc7ba19756cffb850680e48a3043b6edd4fab7670"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/kdf/pbkdf2-vectors", test_pbkdf2_vectors);
  g_test_add_func ("/kdf/pbkdf2-refuses", test_pbkdf2_refuses);
  g_test_add_func ("/kdf/random-bytes", test_random_bytes);
  g_test_add_func ("/kdf/aadhaar-protect", test_aadhaar_protect);
  g_test_add_func ("/kdf/aadhaar-fixed-vector", test_aadhaar_fixed_vector);
  return g_test_run ();
}
