/* Kernel: compression. An LZ77 coder of our own (hash chains over a 32 KiB
** window, greedy matching), Huffman code lengths for the literal/length
** symbols, then decompression and a round-trip check. One unit compresses
** and expands 64 KiB of generated, moderately redundant text. */
#include "bench.h"

#define IN (64u * 1024u)
#define WIN 32768u
#define HBITS 14
#define MINM 4
#define MAXM 258
#define MAXCHAIN 32

static const char *const dict[] = {"the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ",
                                   "dog ", "and ", "then ", "runs ", "away ", "from ", "a ", "big ", "cat "};

static uint32_t gen(uint8_t *p, uint32_t n, Rng *r) {
  uint32_t i = 0;
  while (i < n) {
    if (rng_below(r, 6) == 0) p[i++] = (uint8_t)('A' + rng_below(r, 26));
    else {
      const char *w = dict[rng_below(r, 16)];
      while (*w && i < n) p[i++] = (uint8_t)*w++;
    }
  }
  return i;
}

/* Output: tokens as (flag byte per 8 tokens); literal = 1 byte; match = len-MINM byte, 2-byte distance. */
static uint32_t lz_compress(const uint8_t *in, uint32_t n, uint8_t *out, int32_t *head, int32_t *prev,
                            uint32_t *freq) {
  for (uint32_t i = 0; i < (1u << HBITS); i++) head[i] = -1;
  uint32_t o = 0, flagpos = 0, nflag = 8, i = 0;
  while (i < n) {
    if (nflag == 8) { flagpos = o++; out[flagpos] = 0; nflag = 0; }
    uint32_t best = 0, bdist = 0;
    if (i + MINM <= n) {
      uint32_t hv = ((in[i] << 16 | in[i + 1] << 8 | in[i + 2]) * 2654435761u) >> (32 - HBITS);
      int32_t cand = head[hv];
      int chain = MAXCHAIN;
      uint32_t limit = n - i < MAXM ? n - i : MAXM;
      while (cand >= 0 && i - (uint32_t)cand <= WIN - 1 && chain-- > 0) {
        const uint8_t *a = in + cand, *b = in + i;
        if (a[best] == b[best]) {
          uint32_t l = 0;
          while (l < limit && a[l] == b[l]) l++;
          if (l > best) { best = l; bdist = i - (uint32_t)cand; if (l == limit) break; }
        }
        cand = prev[cand & (WIN - 1)];
      }
      prev[i & (WIN - 1)] = head[hv];
      head[hv] = (int32_t)i;
    }
    if (best >= MINM) {
      out[flagpos] |= (uint8_t)(1u << nflag);
      out[o++] = (uint8_t)(best - MINM);
      out[o++] = (uint8_t)bdist; out[o++] = (uint8_t)(bdist >> 8);
      freq[256 + (best - MINM) / 16]++;
      for (uint32_t k = 1; k < best; k++) {   /* index the skipped positions */
        uint32_t j = i + k;
        if (j + MINM <= n) {
          uint32_t hv = ((in[j] << 16 | in[j + 1] << 8 | in[j + 2]) * 2654435761u) >> (32 - HBITS);
          prev[j & (WIN - 1)] = head[hv];
          head[hv] = (int32_t)j;
        }
      }
      i += best;
    } else {
      freq[in[i]]++;
      out[o++] = in[i++];
    }
    nflag++;
  }
  return o;
}

static uint32_t lz_expand(const uint8_t *in, uint32_t n, uint8_t *out) {
  uint32_t i = 0, o = 0;
  while (i < n) {
    uint8_t flags = in[i++];
    for (int k = 0; k < 8 && i < n; k++) {
      if (flags & (1u << k)) {
        uint32_t len = in[i] + MINM, dist = in[i + 1] | (uint32_t)in[i + 2] << 8;
        i += 3;
        for (uint32_t j = 0; j < len; j++, o++) out[o] = out[o - dist];
      } else out[o++] = in[i++];
    }
  }
  return o;
}

/* Huffman code lengths by repeatedly merging the two lightest nodes
** (O(n^2) selection; n is 273 symbols). Returns the total coded bits. */
#define NSYM 273
static uint64_t huff_bits(const uint32_t *freq) {
  uint64_t w[2 * NSYM];
  int32_t parent[2 * NSYM];
  uint8_t alive[2 * NSYM];
  int nn = 0;
  for (int s = 0; s < NSYM; s++) { w[nn] = freq[s]; parent[nn] = -1; alive[nn] = freq[s] > 0; nn++; }
  int nsym = nn;
  for (;;) {
    int a = -1, b = -1;
    for (int k = 0; k < nn; k++) {
      if (!alive[k]) continue;
      if (a < 0 || w[k] < w[a]) { b = a; a = k; }
      else if (b < 0 || w[k] < w[b]) b = k;
    }
    if (b < 0) break;
    w[nn] = w[a] + w[b]; parent[nn] = -1; alive[nn] = 1;
    parent[a] = parent[b] = nn; alive[a] = alive[b] = 0; nn++;
  }
  uint64_t bits = 0;
  for (int s = 0; s < nsym; s++) {
    if (!freq[s]) continue;
    uint32_t d = 0;
    for (int k = s; parent[k] >= 0; k = parent[k]) d++;
    bits += (uint64_t)d * freq[s];
  }
  return bits;
}

int main(int argc, char **argv) {
  int scale = bench_scale(argc, argv, 500);
  uint8_t *in = bench_alloc(IN), *z = bench_alloc(IN * 2), *back = bench_alloc(IN + MAXM);
  int32_t *head = bench_alloc((1u << HBITS) * sizeof *head), *prev = bench_alloc(WIN * sizeof *prev);
  Rng r = {31337};
  uint64_t h = 0;
  for (int u = 0; u < scale; u++) {
    uint32_t freq[NSYM] = {0};
    uint32_t n = gen(in, IN, &r);
    uint32_t zn = lz_compress(in, n, z, head, prev, freq);
    uint32_t bn = lz_expand(z, zn, back);
    if (bn != n || memcmp(in, back, n) != 0) { printf("compress: round trip FAILED\n"); return 1; }
    h = mix64(h, zn);
    h = mix64(h, huff_bits(freq));
    h = mix64(h, z[zn / 2]);
  }
  bench_result("compress", h);
  free(in); free(z); free(back); free(head); free(prev);
  return 0;
}
