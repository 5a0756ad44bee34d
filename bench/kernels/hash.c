/* Kernel: hashing. FNV-1a (byte at a time), a 64-bit multiply-rotate block
** hash of our own, and an open-addressing hash table (insert then look up
** present and absent keys). One unit hashes a 256 KiB buffer both ways and
** does 64 Ki table operations. */
#include "bench.h"

#define BUF (256u * 1024u)
#define TBITS 17
#define TSIZE (1u << TBITS)

static uint32_t fnv1a(const uint8_t *p, uint32_t n) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < n; i++) { h ^= p[i]; h *= 16777619u; }
  return h;
}

static inline uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t block_hash(const uint8_t *p, uint32_t n, uint64_t seed) {
  uint64_t h1 = seed ^ 0x243F6A8885A308D3ULL, h2 = seed ^ 0x13198A2E03707344ULL;
  uint32_t i = 0;
  for (; i + 16 <= n; i += 16) {
    uint64_t a, b;
    memcpy(&a, p + i, 8); memcpy(&b, p + i + 8, 8);
    a *= 0x87C37B91114253D5ULL; a = rotl64(a, 31); a *= 0x4CF5AD432745937FULL;
    h1 ^= a; h1 = rotl64(h1, 27) + h2; h1 = h1 * 5 + 0x52DCE729;
    b *= 0x4CF5AD432745937FULL; b = rotl64(b, 33); b *= 0x87C37B91114253D5ULL;
    h2 ^= b; h2 = rotl64(h2, 31) + h1; h2 = h2 * 5 + 0x38495AB5;
  }
  for (; i < n; i++) h1 = (h1 ^ p[i]) * 0x100000001B3ULL;
  h1 ^= n; h2 ^= n; h1 += h2; h2 += h1;
  h1 ^= h1 >> 33; h1 *= 0xFF51AFD7ED558CCDULL; h1 ^= h1 >> 33;
  return h1 + h2;
}

typedef struct { uint64_t key; uint32_t val; uint32_t used; } Slot;

static uint32_t table_put(Slot *t, uint64_t key, uint32_t val) {
  uint32_t i = (uint32_t)(mix64(0, key) >> (64 - TBITS));
  while (t[i].used && t[i].key != key) i = (i + 1) & (TSIZE - 1);
  uint32_t fresh = !t[i].used;
  t[i].key = key; t[i].val = val; t[i].used = 1;
  return fresh;
}

static uint32_t table_get(const Slot *t, uint64_t key) {
  uint32_t i = (uint32_t)(mix64(0, key) >> (64 - TBITS));
  while (t[i].used) {
    if (t[i].key == key) return t[i].val;
    i = (i + 1) & (TSIZE - 1);
  }
  return 0xFFFFFFFFu;
}

int main(int argc, char **argv) {
  int scale = bench_scale(argc, argv, 900);
  uint8_t *buf = bench_alloc(BUF);
  Slot *tab = bench_alloc(TSIZE * sizeof *tab);
  Rng r = {99};
  for (uint32_t i = 0; i < BUF; i++) buf[i] = (uint8_t)(rng_below(&r, 64) + 32);
  uint64_t h = 0;
  for (int u = 0; u < scale; u++) {
    buf[(uint32_t)u % BUF] ^= 1;
    h = mix64(h, fnv1a(buf, BUF));
    h = mix64(h, block_hash(buf, BUF, (uint64_t)u));
    memset(tab, 0, TSIZE * sizeof *tab);
    uint32_t fresh = 0, found = 0;
    uint64_t k = (uint64_t)u * 0x9E3779B97F4A7C15ULL;
    for (uint32_t i = 0; i < 32768; i++) fresh += table_put(tab, (k + i * 977u) % 50000u, i);
    for (uint32_t i = 0; i < 32768; i++) found += table_get(tab, (k + i * 131u) % 70000u) != 0xFFFFFFFFu;
    h = mix64(h, ((uint64_t)fresh << 32) | found);
  }
  bench_result("hash", h);
  free(buf); free(tab);
  return 0;
}
