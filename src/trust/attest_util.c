/*
** util.c: small helpers of the attestation code: whole-file reads, hex,
** the clock, and Ed25519 key files (`cairn keygen`'s, read by keys.c).
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
#include "trust/sign.h"

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

char *attest_b64(const uint8_t *b, size_t n) {
  size_t m = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
  char *z = malloc(m);
  if (z) sodium_bin2base64(z, m, b, n, sodium_base64_VARIANT_ORIGINAL);
  return z;
}

bool attest_unb64(const char *z, uint8_t **out, size_t *n) {
  size_t len = strlen(z), got = 0;
  const char *end = NULL;
  uint8_t *b = malloc(len + 1);
  if (!b) return false;
  if (sodium_base642bin(b, len + 1, z, len, NULL, &got, &end, sodium_base64_VARIANT_ORIGINAL) !=
          0 ||
      *end) {
    free(b);
    return false;
  }
  *out = b;
  *n = got;
  return true;
}

uint64_t attest_now(void) { return (uint64_t)time(NULL); }

bool attest_seckey_load(const char *path, uint8_t sk[64], char *err, size_t errlen) {
  return trust_seckey_load(path, sk, err, errlen) == 0;
}

bool attest_pubkey_load(const char *path, uint8_t pk[32], char *err, size_t errlen) {
  return trust_pubkey_load(path, pk, err, errlen) == 0;
}
