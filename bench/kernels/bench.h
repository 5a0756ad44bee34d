/* Shared helpers for the Cairn benchmark kernels: the scale argument, a
** deterministic PRNG, a 64-bit checksum mixer and the result line. Every
** kernel does `scale` units of work (argv[1], default DEFAULT_SCALE) and
** prints one line "NAME checksum HEX", so a wrong result cannot pass as fast.
** Only fixed-width types feed the checksum: long and size_t differ between
** x86-64 and wasm32. */
#ifndef BENCH_H
#define BENCH_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int bench_scale(int argc, char **argv, int dflt) {
  if (argc > 1) {
    int s = atoi(argv[1]);
    if (s > 0) return s;
  }
  return dflt;
}

/* xorshift64* generator: same sequence on every target. */
typedef struct { uint64_t s; } Rng;
static inline uint64_t rng_next(Rng *r) {
  uint64_t x = r->s;
  x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
  r->s = x;
  return x * 0x2545F4914F6CDD1DULL;
}
static inline uint32_t rng_u32(Rng *r) { return (uint32_t)(rng_next(r) >> 32); }
static inline uint32_t rng_below(Rng *r, uint32_t n) {
  return (uint32_t)(((uint64_t)rng_u32(r) * n) >> 32);
}

static inline uint64_t mix64(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  h ^= h >> 31; h *= 0xBF58476D1CE4E5B9ULL; h ^= h >> 29;
  return h;
}

static inline void *bench_alloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) { fprintf(stderr, "out of memory\n"); exit(2); }
  return p;
}

static inline void bench_result(const char *name, uint64_t sum) {
  printf("%s checksum %016llx\n", name, (unsigned long long)sum);
}
#endif
