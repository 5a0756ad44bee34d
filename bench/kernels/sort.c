/* Kernel: sorting. Quicksort (median of three, insertion sort for short
** runs) and a bottom-up mergesort of our own on 64 Ki pseudo-random uint32
** keys; both results are checked against each other. One unit is one
** array sorted both ways. */
#include "bench.h"

#define N (64u * 1024u)

static void isort(uint32_t *a, int32_t lo, int32_t hi) {
  for (int32_t i = lo + 1; i <= hi; i++) {
    uint32_t v = a[i];
    int32_t j = i - 1;
    while (j >= lo && a[j] > v) { a[j + 1] = a[j]; j--; }
    a[j + 1] = v;
  }
}

static void qsort_u32(uint32_t *a, int32_t lo, int32_t hi) {
  while (hi - lo > 16) {
    int32_t mid = lo + (hi - lo) / 2;
    if (a[mid] < a[lo]) { uint32_t t = a[mid]; a[mid] = a[lo]; a[lo] = t; }
    if (a[hi] < a[lo]) { uint32_t t = a[hi]; a[hi] = a[lo]; a[lo] = t; }
    if (a[hi] < a[mid]) { uint32_t t = a[hi]; a[hi] = a[mid]; a[mid] = t; }
    uint32_t p = a[mid];
    int32_t i = lo, j = hi;
    while (i <= j) {
      while (a[i] < p) i++;
      while (a[j] > p) j--;
      if (i <= j) { uint32_t t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    }
    if (j - lo < hi - i) { qsort_u32(a, lo, j); lo = i; }
    else { qsort_u32(a, i, hi); hi = j; }
  }
  isort(a, lo, hi);
}

static void msort_u32(uint32_t *a, uint32_t *tmp, uint32_t n) {
  uint32_t *src = a, *dst = tmp;
  for (uint32_t w = 1; w < n; w *= 2) {
    for (uint32_t lo = 0; lo < n; lo += 2 * w) {
      uint32_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      uint32_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) dst[k++] = src[j] < src[i] ? src[j++] : src[i++];
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
    }
    uint32_t *t = src; src = dst; dst = t;
  }
  if (src != a) memcpy(a, src, n * sizeof *a);
}

int main(int argc, char **argv) {
  int scale = bench_scale(argc, argv, 80);
  uint32_t *a = bench_alloc(N * 4), *b = bench_alloc(N * 4), *tmp = bench_alloc(N * 4);
  Rng r = {2024};
  uint64_t h = 0;
  for (int u = 0; u < scale; u++) {
    uint32_t range = (u & 3) == 3 ? 1000u : 0xFFFFFFFFu;   /* some runs with many duplicates */
    for (uint32_t i = 0; i < N; i++) a[i] = b[i] = rng_u32(&r) % range;
    qsort_u32(a, 0, (int32_t)N - 1);
    msort_u32(b, tmp, N);
    if (memcmp(a, b, N * 4) != 0) { printf("sort: results differ\n"); return 1; }
    for (uint32_t i = 1; i < N; i++)
      if (a[i - 1] > a[i]) { printf("sort: not sorted\n"); return 1; }
    h = mix64(h, a[N / 3] ^ ((uint64_t)a[N - 1] << 32));
  }
  bench_result("sort", h);
  free(a); free(b); free(tmp);
  return 0;
}
