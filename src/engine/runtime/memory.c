/*
** memory.c: linear memories. Guarded mode (64-bit hosts): RT_MEM_RESERVE
** bytes of address space reserved PROT_NONE once, pages committed with
** mprotect on grow, so the base never moves and out-of-bounds accesses fault
** into the trap handler (trap.c). Checked mode (CAIRN_BOUNDS_CHECK or 32-bit
** hosts): exactly the needed bytes on the heap; the tiers check bounds and
** must reload the base after a grow. Large guarded memories use huge pages
** (mem_huge_ahead).
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "engine/runtime/rtint.h"

/* Maximum in pages without the store cap: declared max or spec limit. */
static uint64_t mem_own_max(const Limits *lim) {
  return lim->hasMax && lim->max < WASM_MAX_PAGES ? lim->max : WASM_MAX_PAGES;
}

/* Effective maximum in pages: declared max, store cap, spec limit. */
static uint64_t mem_max_pages(const cairn_store *s, const Limits *lim) {
  uint64_t max = mem_own_max(lim);
  if (s->cfg.max_memory_pages && s->cfg.max_memory_pages < max) max = s->cfg.max_memory_pages;
  return max;
}

/* The alignment of a guarded memory, and where its huge pages start. */
#define MEM_HUGE ((uint64_t)BASE_HUGE_PAGE)
#define MEM_HUGE_FROM ((uint64_t)4 << 20)

#if RT_GUARDED
/* Large memories in huge pages. The first touch of a 4 KiB page costs a
** fault, and a heap that grows one Wasm page at a time (wasi-libc's malloc)
** faults in every 4 KiB page of it; a 2 MiB page costs one fault
** (docs/benchmarks.md, "Huge pages for large memories"). The reservation is
** 2 MiB aligned and, once the memory grows past MEM_HUGE_FROM bytes, marked
** for transparent huge pages from there on. The kernel gives a chunk a huge
** page only if the whole chunk is accessible at its first touch, so when a
** grow ends inside a chunk that had no accessible byte before,
** mem_huge_ahead makes the chunk accessible, touches it once and makes its
** part past the end inaccessible again: the page stays (zero, never writable
** until a grow reaches it) and the bytes past the end fault as before. Memories below MEM_HUGE_FROM (serve's
** instances) keep 4 KiB pages: a huge page would cost them 2 MiB of zeroing
** and of resident memory. A large memory holds up to 2 MiB more resident
** than its size. Only for memories of one thread (Wasm 2.0 has no shared
** memory): another thread could see the chunk's tail accessible meanwhile. */
static void mem_huge_ahead(cairn_memory *m, uint64_t oldBytes, uint64_t newBytes) {
  /* marked when first grown past MEM_HUGE_FROM: a small memory costs nothing */
  if (oldBytes <= MEM_HUGE_FROM && newBytes > MEM_HUGE_FROM)
    base_advise_huge(m->base + MEM_HUGE_FROM, m->reserved - MEM_HUGE_FROM);
  uint64_t chunk = newBytes & ~(MEM_HUGE - 1);
  if (chunk < MEM_HUGE_FROM || chunk == newBytes || oldBytes > chunk || !base_huge_available())
    return;
  if (mprotect(m->base + chunk, (size_t)MEM_HUGE, PROT_READ | PROT_WRITE) != 0) return;
  *(volatile uint8_t *)(m->base + chunk) = 0; /* the chunk's first fault: one huge page */
  if (mprotect(m->base + newBytes, (size_t)(chunk + MEM_HUGE - newBytes), PROT_NONE) != 0) {
    /* the bytes past the end must fault: never run on without that */
    fprintf(stderr, "cairn: cannot protect the end of a linear memory: %s\n", strerror(errno));
    abort();
  }
}
#endif

/* Makes [old, new) pages accessible and zero. */
static bool mem_commit(cairn_memory *m, uint64_t newPages) {
  uint64_t oldBytes = m->pages * WASM_PAGE_SIZE, newBytes = newPages * WASM_PAGE_SIZE;
  if (newBytes == oldBytes) return true;
  if (m->guarded) {
    /* Fresh anonymous pages read as zero; memories never shrink. */
    if (mprotect(m->base + oldBytes, (size_t)(newBytes - oldBytes), PROT_READ | PROT_WRITE) != 0)
      return false;
#if RT_GUARDED
    mem_huge_ahead(m, oldBytes, newBytes);
#endif
    return true;
  }
  if (newBytes > SIZE_MAX) return false;
  uint8_t *p = base_realloc(m->base, (size_t)newBytes);
  if (!p) return false;
  memset(p + oldBytes, 0, (size_t)(newBytes - oldBytes));
  m->base = p;
  m->reserved = (size_t)newBytes;
  return true;
}

cairn_memory *rt_memory_create(cairn_store *s, const Limits *lim, cairn_error *err) {
  uint64_t max = mem_max_pages(s, lim);
  if (lim->min > max) {
    if (lim->min <= mem_own_max(lim)) s->limitsHit |= CAIRN_LIMIT_MEMORY;
    base_error(err, CAIRN_ERR_NOMEM, -1, "memory minimum of %llu pages exceeds the limit of %llu",
               (unsigned long long)lim->min, (unsigned long long)max);
    return NULL;
  }
  cairn_memory *m = RT_CALLOC(s, 1, sizeof *m);
  if (!m) goto nomem;
  m->maxPages = max;
  m->ownMax = mem_own_max(lim);
  m->store = s;
  m->hasMax = lim->hasMax;
  m->declMax = lim->hasMax ? lim->max : 0;
#if RT_GUARDED
  /* aligned so that huge pages line up with the memory's chunks */
  void *map;
  uint8_t *p = base_map_aligned(RT_MEM_RESERVE, MEM_HUGE, PROT_NONE, MAP_NORESERVE, &map);
  if (!p) {
    base_free(m);
    goto nomem;
  }
  m->map = map;
  m->base = p;
  m->reserved = RT_MEM_RESERVE;
  m->guarded = true;
#else
  m->base = RT_MALLOC(s, 1); /* never NULL, even for 0 pages */
  if (!m->base) {
    base_free(m);
    goto nomem;
  }
  m->reserved = 0;
  m->guarded = false;
#endif
  if (!mem_commit(m, lim->min) || !rt_own(s, RT_MEMORY, m)) {
    rt_memory_destroy(m);
    goto nomem;
  }
  m->pages = lim->min;
  m->bytes = m->pages * WASM_PAGE_SIZE;
  return m;
nomem:
  base_error(err, CAIRN_ERR_NOMEM, -1, "cannot allocate a memory of %llu pages",
             (unsigned long long)lim->min);
  return NULL;
}

void rt_memory_destroy(cairn_memory *m) {
  if (!m) return;
  if (m->guarded)
    munmap(m->map, m->reserved + MEM_HUGE); /* base_map_aligned's whole mapping */
  else
    base_free(m->base);
  base_free(m);
}

int64_t rt_memory_grow(cairn_memory *m, uint64_t delta) {
  uint64_t old = m->pages;
  if (delta > m->maxPages || old + delta > m->maxPages) {
    /* refused by the store's cap, not by the memory's own maximum */
    if (delta <= m->ownMax && old + delta <= m->ownMax) m->store->limitsHit |= CAIRN_LIMIT_MEMORY;
    return -1;
  }
  if (!mem_commit(m, old + delta)) return -1;
  m->pages = old + delta;
  m->bytes = m->pages * WASM_PAGE_SIZE;
  return (int64_t)old;
}

cairn_memory *cairn_memory_new(cairn_store *s, cairn_limits limits, cairn_error *err) {
  if (!s || (limits.has_max && limits.max < limits.min)) {
    base_error(err, CAIRN_ERR_ARG, -1, "size minimum must not be greater than maximum");
    return NULL;
  }
  Limits lim = {limits.min, limits.max, limits.has_max};
  return rt_memory_create(s, &lim, err);
}

uint64_t cairn_memory_pages(const cairn_memory *m) { return m->pages; }
uint8_t *cairn_memory_data(cairn_memory *m) { return m->base; }
uint64_t cairn_memory_size(const cairn_memory *m) { return m->pages * WASM_PAGE_SIZE; }
int64_t cairn_memory_grow(cairn_memory *m, uint64_t delta) { return rt_memory_grow(m, delta); }

void cairn_memory_type(const cairn_memory *m, cairn_limits *limits) {
  *limits = (cairn_limits){m->pages, m->hasMax ? m->declMax : 0, m->hasMax};
}
