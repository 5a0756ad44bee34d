/* Kernel: pointer chasing. 256 Ki nodes linked in one random cycle
** (Sattolo's shuffle) so each load depends on the previous one and misses
** the cache; one unit is 128 Ki dependent steps. */
#include "bench.h"

#define N (1u << 18)

typedef struct Node { struct Node *next; uint32_t val; uint32_t pad; } Node;

int main(int argc, char **argv) {
  int scale = bench_scale(argc, argv, 200);
  Node *nodes = bench_alloc(N * sizeof *nodes);
  uint32_t *perm = bench_alloc(N * sizeof *perm);
  Rng r = {0xC0FFEEULL};
  for (uint32_t i = 0; i < N; i++) perm[i] = i;
  for (uint32_t i = N - 1; i > 0; i--) {   /* Sattolo: a single cycle */
    uint32_t j = rng_below(&r, i);
    uint32_t t = perm[i]; perm[i] = perm[j]; perm[j] = t;
  }
  for (uint32_t i = 0; i < N; i++) {
    nodes[i].next = &nodes[perm[i]];
    nodes[i].val = i * 2246822519u;
  }
  free(perm);
  Node *p = &nodes[0];
  uint64_t h = 0;
  for (int u = 0; u < scale; u++) {
    uint32_t acc = 0;
    for (uint32_t s = 0; s < (1u << 17); s++) {
      acc = (acc ^ p->val) * 3 + 1;
      p = p->next;
    }
    h = mix64(h, acc);
  }
  bench_result("ptrchase", mix64(h, (uint64_t)(p - nodes)));
  free(nodes);
  return 0;
}
