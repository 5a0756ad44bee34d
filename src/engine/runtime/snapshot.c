/*
** snapshot.c: instance snapshots, the "copy-on-write memory image" that makes
** a fresh instance per request cheap. cairn_snapshot_new captures the state
** of an instance (its own memories, tables, globals and dropped-segment
** flags); each memory's bytes go into a memfd (sparse: all-zero pages are
** left as holes) and the live memory is remapped MAP_PRIVATE from it, so the
** image's pages are shared page cache. cairn_snapshot_restore puts the
** instance back into the captured state in bulk: one mmap(MAP_FIXED) per
** memory drops every page the guest dirtied (and any grown pages go back to
** PROT_NONE, their memory released), tables shrink back to their captured
** allocation and are copied back with globals and flags, and the store's
** fuel, interrupt flag and limit flags are reset. The result is indistinguishable from a new
** instantiation of the same module with the same imports, at the cost of a
** few syscalls instead of allocations, reservations and segment copies.
**
** Small memories (image <= SNAP_COPY_MAX bytes) and checked-mode memories
** are restored by copying a private heap copy of the image instead (fewer
** page faults for the guest afterwards).
*/
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/runtime/rtint.h"

/* Memories whose image is at most this many bytes are restored by memcpy. */
#define SNAP_COPY_MAX ((size_t)256 * 1024)

typedef struct SnapMem {
  cairn_memory *mem;
  uint64_t pages;          /* size at capture */
  size_t bytes;            /* pages * WASM_PAGE_SIZE */
  int fd;                  /* memfd holding the image, or -1 */
  uint8_t *copy;           /* heap copy of the image (copy mode), or NULL */
} SnapMem;

typedef struct SnapTable {
  cairn_table *t;
  uint32_t size;
  void **aElem;            /* size entries */
} SnapTable;

struct cairn_snapshot {
  cairn_instance *inst;
  uint32_t nMem, nTable, nGlobal;
  SnapMem *aMem;
  SnapTable *aTable;
  Slot (*aGlobal)[2];
  bool *aElemDropped, *aDataDropped;
  size_t imageBytes;       /* non-zero bytes written to memfds */
};

static void snap_nomem(cairn_error *err, const char *what) {
  base_error(err, CAIRN_ERR_NOMEM, -1, "cannot snapshot the instance: %s", what);
}

/* Writes the non-zero 4 KiB pages of mem into a new memfd of its size. */
static int snap_memfd(const uint8_t *p, size_t bytes, size_t *written) {
  int fd = memfd_create("cairn-image", MFD_CLOEXEC);
  if (fd < 0) return -1;
  if (ftruncate(fd, (off_t)bytes) != 0) goto fail;
  static const size_t CHUNK = 4096;
  for (size_t off = 0; off < bytes;) {
    size_t n = bytes - off < CHUNK ? bytes - off : CHUNK;
    bool zero = true;
    for (size_t i = 0; i < n; i += 8) {
      uint64_t v;
      memcpy(&v, p + off + i, 8);
      if (v) { zero = false; break; }
    }
    if (!zero) {
      size_t done = 0;
      while (done < n) {
        ssize_t w = pwrite(fd, p + off + done, n - done, (off_t)(off + done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) goto fail;
        done += (size_t)w;
      }
      *written += n;
    }
    off += n;
  }
  return fd;
fail:
  close(fd);
  return -1;
}

/* Puts one memory back into its captured state. */
static bool snap_mem_restore(SnapMem *sm) {
  cairn_memory *m = sm->mem;
  size_t cur = (size_t)(m->pages * WASM_PAGE_SIZE);
  if (!m->guarded) {
    if (cur != sm->bytes) {
      uint8_t *p = base_realloc(m->base, sm->bytes ? sm->bytes : 1);
      if (!p) return false;
      m->base = p;
      m->reserved = sm->bytes;
    }
    if (sm->bytes) memcpy(m->base, sm->copy, sm->bytes);
    m->pages = sm->pages;
    m->bytes = m->pages * WASM_PAGE_SIZE;
    return true;
  }
  if (sm->copy) {
    memcpy(m->base, sm->copy, sm->bytes);
  } else if (sm->bytes) {
    void *p = mmap(m->base, sm->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, sm->fd, 0);
    if (p == MAP_FAILED) return false;
  }
  if (cur > sm->bytes) {
    void *p = mmap(m->base + sm->bytes, cur - sm->bytes, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    if (p == MAP_FAILED) return false;
  }
  m->pages = sm->pages;
  m->bytes = m->pages * WASM_PAGE_SIZE;
  return true;
}

void cairn_snapshot_free(cairn_snapshot *snap) {
  if (!snap) return;
  for (uint32_t i = 0; snap->aMem && i < snap->nMem; i++) {
    if (snap->aMem[i].fd >= 0) close(snap->aMem[i].fd);
    base_free(snap->aMem[i].copy);
  }
  for (uint32_t i = 0; snap->aTable && i < snap->nTable; i++) base_free(snap->aTable[i].aElem);
  base_free(snap->aMem);
  base_free(snap->aTable);
  base_free(snap->aGlobal);
  base_free(snap->aElemDropped);
  base_free(snap->aDataDropped);
  base_free(snap);
}

cairn_snapshot *cairn_snapshot_new(cairn_instance *inst, cairn_error *err) {
  if (!inst) {
    base_error(err, CAIRN_ERR_ARG, -1, "null instance");
    return NULL;
  }
  const Module *m = inst->m;
  cairn_snapshot *snap = base_calloc(1, sizeof *snap);
  if (!snap) goto nomem;
  snap->inst = inst;
  snap->nMem = m->nMem - m->nMemImport;
  snap->nTable = m->nTable - m->nTableImport;
  snap->nGlobal = m->nGlobal - m->nGlobalImport;
  snap->aMem = base_calloc(snap->nMem ? snap->nMem : 1, sizeof *snap->aMem);
  snap->aTable = base_calloc(snap->nTable ? snap->nTable : 1, sizeof *snap->aTable);
  snap->aGlobal = base_calloc(snap->nGlobal ? snap->nGlobal : 1, sizeof *snap->aGlobal);
  snap->aElemDropped = base_calloc(m->nElem ? m->nElem : 1, sizeof(bool));
  snap->aDataDropped = base_calloc(m->nData ? m->nData : 1, sizeof(bool));
  for (uint32_t i = 0; snap->aMem && i < snap->nMem; i++) snap->aMem[i].fd = -1;
  if (!snap->aMem || !snap->aTable || !snap->aGlobal || !snap->aElemDropped ||
      !snap->aDataDropped)
    goto nomem;
  if (m->nElem) memcpy(snap->aElemDropped, inst->aElemDropped, m->nElem);
  if (m->nData) memcpy(snap->aDataDropped, inst->aDataDropped, m->nData);
  for (uint32_t i = 0; i < snap->nGlobal; i++)
    memcpy(snap->aGlobal[i], inst->apGlobal[m->nGlobalImport + i]->v, sizeof(Slot[2]));
  for (uint32_t i = 0; i < snap->nTable; i++) {
    SnapTable *st = &snap->aTable[i];
    st->t = inst->apTable[m->nTableImport + i];
    st->size = st->t->size;
    st->aElem = base_malloc((st->size ? st->size : 1) * sizeof(void *));
    if (!st->aElem) goto nomem;
    if (st->size) memcpy(st->aElem, st->t->aElem, st->size * sizeof(void *));
  }
  for (uint32_t i = 0; i < snap->nMem; i++) {
    SnapMem *sm = &snap->aMem[i];
    sm->mem = inst->apMem[m->nMemImport + i];
    sm->pages = sm->mem->pages;
    sm->bytes = (size_t)(sm->pages * WASM_PAGE_SIZE);
    if (!sm->mem->guarded || sm->bytes <= SNAP_COPY_MAX) {
      sm->copy = base_malloc(sm->bytes ? sm->bytes : 1);
      if (!sm->copy) goto nomem;
      if (sm->bytes) memcpy(sm->copy, sm->mem->base, sm->bytes);
      continue;
    }
    sm->fd = snap_memfd(sm->mem->base, sm->bytes, &snap->imageBytes);
    if (sm->fd < 0) {
      base_error(err, CAIRN_ERR_NOMEM, -1, "cannot create a memory image: %s", strerror(errno));
      cairn_snapshot_free(snap);
      return NULL;
    }
    /* From now on the live memory shares the image's pages. */
    if (!snap_mem_restore(sm)) {
      base_error(err, CAIRN_ERR_NOMEM, -1, "cannot map a memory image: %s", strerror(errno));
      cairn_snapshot_free(snap);
      return NULL;
    }
  }
  return snap;
nomem:
  cairn_snapshot_free(snap);
  snap_nomem(err, "out of memory");
  return NULL;
}

bool cairn_snapshot_restore(cairn_snapshot *snap, cairn_error *err) {
  cairn_instance *inst = snap->inst;
  const Module *m = inst->m;
  for (uint32_t i = 0; i < snap->nMem; i++) {
    if (!snap_mem_restore(&snap->aMem[i])) {
      base_error(err, CAIRN_ERR_NOMEM, -1, "cannot restore a memory image: %s", strerror(errno));
      return false;
    }
  }
  for (uint32_t i = 0; i < snap->nTable; i++) {
    SnapTable *st = &snap->aTable[i];
    cairn_table *t = st->t;
    /* A table grown since the capture gives its extra entries back (a
    ** failed shrink keeps the larger block, which holds the captured size). */
    if (t->nAlloc > st->size) rt_table_realloc(t, st->size);
    t->size = st->size;
    if (st->size) memcpy(t->aElem, st->aElem, st->size * sizeof(void *));
    rt_table_sync(t, 0, t->size);
  }
  for (uint32_t i = 0; i < snap->nGlobal; i++)
    memcpy(inst->apGlobal[m->nGlobalImport + i]->v, snap->aGlobal[i], sizeof(Slot[2]));
  if (m->nElem) memcpy(inst->aElemDropped, snap->aElemDropped, m->nElem);
  if (m->nData) memcpy(inst->aDataDropped, snap->aDataDropped, m->nData);
  cairn_store *s = inst->store;
  s->fuel = s->cfg.fuel;
  s->limitsHit = 0;
  rt_interrupt_clear(s);
  return true;
}

size_t cairn_snapshot_image_bytes(const cairn_snapshot *snap) {
  size_t n = snap->imageBytes;
  for (uint32_t i = 0; i < snap->nMem; i++)
    if (snap->aMem[i].copy) n += snap->aMem[i].bytes;
  return n;
}

void cairn_store_set_fuel(cairn_store *s, uint64_t fuel) {
  s->cfg.fuel = fuel;
  s->fuelOn = fuel != 0;
  s->fuel = fuel;
  if (s->fuelOn)
    rt_pending_set(s, RT_PENDING_FUEL);
  else
    atomic_fetch_and(&s->pending, ~RT_PENDING_FUEL);
}

uint64_t cairn_store_fuel_left(const cairn_store *s) { return s->fuelOn ? s->fuel : 0; }
