/*
** util.c: small helpers of the attestation code: whole-file reads, hex,
** the clock, and Ed25519 key files in `cairn keygen`'s format (one line:
** a type tag, a space, the key in base64; docs/signing.md).
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "trust/attest.h"

bool attest_read_file(const char *path, size_t max, uint8_t **out, size_t *n, char *err,
                      size_t errlen) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    snprintf(err, errlen, "%s: not a regular file", path);
    close(fd);
    return false;
  }
  if ((uint64_t)st.st_size > max) {
    snprintf(err, errlen, "%s: too large (%lld bytes, at most %zu)", path,
             (long long)st.st_size, max);
    close(fd);
    return false;
  }
  size_t len = (size_t)st.st_size;
  uint8_t *b = malloc(len ? len : 1);
  if (!b) {
    snprintf(err, errlen, "%s: out of memory", path);
    close(fd);
    return false;
  }
  size_t got = 0;
  while (got < len) {
    ssize_t r = read(fd, b + got, len - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      snprintf(err, errlen, "%s: read error: %s", path, r < 0 ? strerror(errno) : "short file");
      free(b);
      close(fd);
      return false;
    }
    got += (size_t)r;
  }
  close(fd);
  *out = b;
  *n = len;
  return true;
}

void attest_hex(const uint8_t *b, size_t n, char *out) { sodium_bin2hex(out, 2 * n + 1, b, n); }

bool attest_unhex(const char *z, uint8_t *out, size_t n) {
  size_t got = 0;
  const char *end = NULL;
  if (!z || strlen(z) != 2 * n) return false;
  if (sodium_hex2bin(out, n, z, 2 * n, NULL, &got, &end) != 0 || got != n || *end) return false;
  return true;
}

uint64_t attest_now(void) { return (uint64_t)time(NULL); }

/* A key file: "TAG BASE64\n" with a 32-byte key. */
static bool key_file(const char *path, const char *tag, bool secret, uint8_t key[32], char *err,
                     size_t errlen) {
  uint8_t *b = NULL;
  size_t n = 0;
  if (!attest_read_file(path, 256, &b, &n, err, errlen)) return false;
  bool ok = false;
  if (secret) {
    struct stat st;
    if (stat(path, &st) == 0 && (st.st_mode & 077)) {
      snprintf(err, errlen, "%s: secret key is accessible to others (mode %04o); chmod 600 it",
               path, (unsigned)(st.st_mode & 07777));
      goto out;
    }
  }
  size_t nt = strlen(tag);
  if (n < nt + 2 || memcmp(b, tag, nt) != 0 || b[nt] != ' ') {
    snprintf(err, errlen, "%s: not a %s key file (no '%s' tag)", path,
             secret ? "secret" : "public", tag);
    goto out;
  }
  size_t end = n;
  while (end > nt + 1 && (b[end - 1] == '\n' || b[end - 1] == '\r')) end--;
  size_t got = 0;
  const char *stop = NULL;
  if (sodium_base642bin(key, 32, (const char *)b + nt + 1, end - nt - 1, NULL, &got, &stop,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      got != 32 || stop != (const char *)b + end) {
    snprintf(err, errlen, "%s: malformed key (base64 of 32 bytes expected)", path);
    goto out;
  }
  ok = true;
out:
  sodium_memzero(b, n);
  free(b);
  return ok;
}

bool attest_seckey_load(const char *path, uint8_t sk[64], char *err, size_t errlen) {
  uint8_t seed[32], pk[32];
  if (sodium_init() < 0) {
    snprintf(err, errlen, "libsodium failed to initialise");
    return false;
  }
  if (!key_file(path, "cairn-ed25519-secret-v1", true, seed, err, errlen)) return false;
  crypto_sign_seed_keypair(pk, sk, seed);
  sodium_memzero(seed, sizeof seed);
  return true;
}

bool attest_pubkey_load(const char *path, uint8_t pk[32], char *err, size_t errlen) {
  return key_file(path, "cairn-ed25519-public-v1", false, pk, err, errlen);
}
