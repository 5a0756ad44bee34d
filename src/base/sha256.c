/*
** sha256.c: SHA-256 (FIPS 180-4) through the CPU's SHA instructions, with
** libsodium's portable code where the CPU has none. Only the compression
** of whole 64-byte blocks is per CPU; padding is shared.
*/
#include "base/sha256.h"

#include <sodium.h>
#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define SHA_X86 1
#elif defined(__aarch64__) && defined(__GNUC__) && defined(__linux__)
#include <arm_neon.h>
#include <sys/auxv.h>
#ifndef HWCAP_SHA2
#define HWCAP_SHA2 (1 << 6)
#endif
#define SHA_ARM 1
#endif

#if defined(SHA_X86) || defined(SHA_ARM)
/* The round constants: the first 32 bits of the fractional parts of the
** cube roots of the first 64 primes. */
static const uint32_t aK[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

typedef void (*BlockFn)(uint32_t aState[8], const uint8_t *p, size_t nBlock);
#endif

#ifdef SHA_X86
/* The SHA extensions keep the state as two vectors, ABEF and CDGH (A in the
** highest lane); sha256rnds2 does two rounds and returns the new ABEF, the
** old ABEF becoming CDGH, so the two registers swap roles every call. */
__attribute__((target("sha,sse4.1,ssse3"))) static void blocks_x86(uint32_t aState[8],
                                                                   const uint8_t *p,
                                                                   size_t nBlock) {
  const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  __m128i dcba = _mm_loadu_si128((const __m128i *)aState);
  __m128i hgfe = _mm_loadu_si128((const __m128i *)(aState + 4));
  __m128i badc = _mm_shuffle_epi32(dcba, 0xB1);
  __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
  __m128i abef = _mm_alignr_epi8(badc, efgh, 8);
  __m128i cdgh = _mm_blend_epi16(efgh, badc, 0xF0);
  for (; nBlock; nBlock--, p += 64) {
    __m128i abef0 = abef, cdgh0 = cdgh, aW[4];
    for (int i = 0; i < 4; i++)
      aW[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), bswap);
    for (int g = 0; g < 16; g++) {
      if (g >= 4) {
        /* W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], four at a
        ** time; aW[g%4] holds W[t-16..], the next ones W[t-12..] and so on */
        __m128i w16 = aW[g & 3], w12 = aW[(g + 1) & 3], w8 = aW[(g + 2) & 3], w4 = aW[(g + 3) & 3];
        __m128i t = _mm_add_epi32(_mm_sha256msg1_epu32(w16, w12), _mm_alignr_epi8(w4, w8, 4));
        aW[g & 3] = _mm_sha256msg2_epu32(t, w4);
      }
      __m128i wk = _mm_add_epi32(aW[g & 3], _mm_loadu_si128((const __m128i *)(aK + 4 * g)));
      cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
      abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
    }
    abef = _mm_add_epi32(abef, abef0);
    cdgh = _mm_add_epi32(cdgh, cdgh0);
  }
  __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  _mm_storeu_si128((__m128i *)aState, _mm_blend_epi16(feba, dchg, 0xF0));
  _mm_storeu_si128((__m128i *)(aState + 4), _mm_alignr_epi8(dchg, feba, 8));
}

static BlockFn detect(void) {
  unsigned a, b, c, d;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29)) && __get_cpuid(1, &a, &b, &c, &d) &&
      (c & bit_SSE4_1) && (c & bit_SSSE3))
    return blocks_x86;
  return NULL;
}
static const char zFast[] = "x86-sha";
#define FAST_BLOCKS blocks_x86
#endif

#ifdef SHA_ARM
/* ARMv8's SHA2 instructions keep the state as ABCD and EFGH and do four
** rounds per pair of sha256h/sha256h2. */
__attribute__((target("+crypto"))) static void blocks_arm(uint32_t aState[8], const uint8_t *p,
                                                         size_t nBlock) {
  uint32x4_t abcd = vld1q_u32(aState), efgh = vld1q_u32(aState + 4);
  for (; nBlock; nBlock--, p += 64) {
    uint32x4_t abcd0 = abcd, efgh0 = efgh, aW[4];
    for (int i = 0; i < 4; i++) aW[i] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 16 * i)));
    for (int g = 0; g < 16; g++) {
      if (g >= 4)
        aW[g & 3] = vsha256su1q_u32(vsha256su0q_u32(aW[g & 3], aW[(g + 1) & 3]), aW[(g + 2) & 3],
                                    aW[(g + 3) & 3]);
      uint32x4_t wk = vaddq_u32(aW[g & 3], vld1q_u32(aK + 4 * g));
      uint32x4_t abcdIn = abcd;
      abcd = vsha256hq_u32(abcd, efgh, wk);
      efgh = vsha256h2q_u32(efgh, abcdIn, wk);
    }
    abcd = vaddq_u32(abcd, abcd0);
    efgh = vaddq_u32(efgh, efgh0);
  }
  vst1q_u32(aState, abcd);
  vst1q_u32(aState + 4, efgh);
}

static BlockFn detect(void) { return (getauxval(AT_HWCAP) & HWCAP_SHA2) ? blocks_arm : NULL; }
static const char zFast[] = "arm-sha2";
#define FAST_BLOCKS blocks_arm
#endif

void base_sha256_portable(const void *p, size_t n, uint8_t out[32]) {
  crypto_hash_sha256(out, p, (unsigned long long)n);
}

#if defined(SHA_X86) || defined(SHA_ARM)
/* 0: not looked yet, 1: no instructions, 2: use them. Looking twice is
** harmless, so a relaxed atomic is enough. */
static _Atomic int cpuState;

static BlockFn fast_blocks(void) {
  int s = atomic_load_explicit(&cpuState, memory_order_relaxed);
  if (s == 0) {
    s = detect() ? 2 : 1;
    atomic_store_explicit(&cpuState, s, memory_order_relaxed);
  }
  return s == 2 ? FAST_BLOCKS : NULL;
}

void base_sha256(const void *pv, size_t n, uint8_t out[32]) {
  BlockFn blocks = fast_blocks();
  if (!blocks) {
    base_sha256_portable(pv, n, out);
    return;
  }
  uint32_t aState[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  const uint8_t *p = pv;
  size_t nFull = n / 64;
  blocks(aState, p, nFull);
  /* the tail, 0x80, zeros, the length in bits (big-endian): one or two blocks */
  uint8_t aTail[128] = {0};
  size_t nRest = n - nFull * 64;
  memcpy(aTail, p + nFull * 64, nRest);
  aTail[nRest] = 0x80;
  size_t nTail = nRest < 56 ? 64 : 128;
  uint64_t bits = (uint64_t)n * 8;
  for (int i = 0; i < 8; i++) aTail[nTail - 1 - i] = (uint8_t)(bits >> (8 * i));
  blocks(aState, aTail, nTail / 64);
  for (int i = 0; i < 8; i++) {
    out[4 * i] = (uint8_t)(aState[i] >> 24);
    out[4 * i + 1] = (uint8_t)(aState[i] >> 16);
    out[4 * i + 2] = (uint8_t)(aState[i] >> 8);
    out[4 * i + 3] = (uint8_t)aState[i];
  }
}

const char *base_sha256_impl(void) { return fast_blocks() ? zFast : "portable"; }
#else
void base_sha256(const void *p, size_t n, uint8_t out[32]) { base_sha256_portable(p, n, out); }
const char *base_sha256_impl(void) { return "portable"; }
#endif
