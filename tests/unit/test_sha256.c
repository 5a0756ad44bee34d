/*
** test_sha256.c: base_sha256 (CPU SHA instructions where present) against
** FIPS 180-4's examples and against the portable code at every length
** around the block and padding edges, from unaligned addresses. Where
** /proc/cpuinfo says the CPU has the instructions, the fast code must be
** the one in use, so a broken detection cannot hide behind the fallback.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"
#include "check.h"

/* CHECK with a formatted message */
static char zMsg[256];
#define CHECKF(cond, ...)                        \
  do {                                           \
    snprintf(zMsg, sizeof zMsg, __VA_ARGS__);    \
    CHECK(cond, zMsg);                           \
  } while (0)

static void hex(const uint8_t h[32], char z[65]) {
  for (int i = 0; i < 32; i++) snprintf(z + 2 * i, 3, "%02x", h[i]);
}

static void check_vector(const void *p, size_t n, const char *zWant) {
  uint8_t h[32];
  char z[65];
  base_sha256(p, n, h);
  hex(h, z);
  CHECKF(strcmp(z, zWant) == 0, "sha256 of %zu bytes: %s, want %s", n, z, zWant);
}

/* The CPU flag that means the fast path must be used, if any. */
static const char *expected_impl(void) {
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return NULL;
  char zLine[4096];
  const char *z = NULL;
  while (!z && fgets(zLine, sizeof zLine, f)) {
#if defined(__x86_64__)
    if (strncmp(zLine, "flags", 5) == 0 && strstr(zLine, " sha_ni")) z = "x86-sha";
#elif defined(__aarch64__)
    if (strncmp(zLine, "Features", 8) == 0 && strstr(zLine, " sha2")) z = "arm-sha2";
#endif
  }
  fclose(f);
  return z;
}

int main(void) {
  check_vector("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  check_vector("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const char *z448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  check_vector(z448, strlen(z448),
               "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  size_t nMillion = 1000000;
  char *zA = malloc(nMillion);
  if (!zA) return 1;
  memset(zA, 'a', nMillion);
  check_vector(zA, nMillion, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  free(zA);

  /* every length through 4 blocks and past the 55/56/64-byte padding
  ** edges, at every alignment of the first byte */
  size_t nBuf = 4096 + 16;
  uint8_t *aBuf = malloc(nBuf);
  if (!aBuf) return 1;
  uint32_t x = 12345;
  for (size_t i = 0; i < nBuf; i++) {
    x = x * 1103515245u + 12345u;
    aBuf[i] = (uint8_t)(x >> 16);
  }
  int nDiff = 0;
  for (size_t n = 0; n <= 300; n++)
    for (size_t a = 0; a < 8; a++) {
      uint8_t h1[32], h2[32];
      base_sha256(aBuf + a, n, h1);
      base_sha256_portable(aBuf + a, n, h2);
      if (memcmp(h1, h2, 32) != 0 && nDiff++ < 5) CHECKF(0, "length %zu at offset %zu differs", n, a);
    }
  CHECKF(nDiff == 0, "%d lengths/offsets differ from the portable hash", nDiff);
  uint8_t h1[32], h2[32];
  base_sha256(aBuf + 3, 4096, h1);
  base_sha256_portable(aBuf + 3, 4096, h2);
  CHECK(memcmp(h1, h2, 32) == 0, "4096 bytes differ");
  free(aBuf);

  const char *zWant = expected_impl();
  printf("sha256 implementation: %s (cpu: %s)\n", base_sha256_impl(), zWant ? zWant : "none");
  if (zWant) CHECKF(strcmp(base_sha256_impl(), zWant) == 0, "the CPU has %s but %s is in use", zWant,
                   base_sha256_impl());
  printf("%d passed, %d failed\n", nPass, nFail);
  return nFail != 0;
}
