/*
** test_limits.c: store limits on memories and tables. cairn_store_limits_hit
** reports refusals by the store's caps (not by a module's own declared
** maximum) and is reset by a snapshot restore; a large table growth or
** initialisation stops when the store is interrupted; a snapshot restore
** shrinks grown tables and memories back and gives their memory to the
** system. Prints each check; exits non-zero on a failure.
*/
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/runtime/runtime.h"
#include "check.h"


typedef struct Wasm {
  cairn_module *m;
  cairn_store *s;
  cairn_instance *inst;
} Wasm;

/* Instantiates wat in a new store with caps pages / elems (0: none). */
static bool wasm_open(Wasm *w, const char *wat, uint64_t pages, uint64_t elems, cairn_error *err) {
  memset(w, 0, sizeof *w);
  w->m = cairn_module_from_text(wat, strlen(wat), err);
  if (!w->m) {
    printf("  module: %s\n", err->msg);
    return false;
  }
  cairn_store_config cfg = {.max_memory_pages = pages, .max_table_elems = elems};
  w->s = cairn_store_new(&cfg);
  w->inst = cairn_instance_new(w->s, w->m, NULL, 0, err);
  return w->inst != NULL;
}

static void wasm_close(Wasm *w) {
  cairn_store_free(w->s);
  cairn_module_free(w->m);
}

/* Calls export name(arg) -> i32; false on a trap (err filled). */
static bool call_i32(Wasm *w, const char *name, int32_t arg, int32_t *out, cairn_error *err) {
  cairn_extern ex;
  if (!cairn_instance_export(w->inst, name, strlen(name), &ex)) return false;
  cairn_val a, r;
  memset(&a, 0, sizeof a);
  memset(&r, 0, sizeof r);
  a.type = CAIRN_I32;
  a.of.i32 = arg;
  memset(err, 0, sizeof *err);
  bool ok = cairn_func_call(ex.of.func, &a, 1, &r, 1, err);
  *out = r.of.i32;
  return ok;
}

static int32_t grow(Wasm *w, const char *name, int32_t delta) {
  cairn_error err;
  int32_t r = -2;
  if (!call_i32(w, name, delta, &r, &err)) return -3;
  return r;
}

static const char *const kMod =
    "(module"
    " (memory (export \"mem\") 1)"
    " (table $t (export \"tab\") 1 funcref)"
    " (func $f (export \"mgrow\") (param i32) (result i32) (memory.grow (local.get 0)))"
    " (func (export \"tgrow\") (param i32) (result i32) (table.grow $t (ref.func $f) (local.get 0)))"
    " (func (export \"touch\") (param i32) (result i32)"
    "   (memory.fill (i32.const 0) (i32.const 1) (local.get 0)) (i32.const 0))"
    " (elem declare func $f))";

static const char *const kModMax =
    "(module"
    " (memory 1 4)"
    " (table $t 1 5 funcref)"
    " (func (export \"mgrow\") (param i32) (result i32) (memory.grow (local.get 0)))"
    " (func (export \"tgrow\") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0))))";

static void test_limits_hit(void) {
  cairn_error err;
  Wasm w;
  CHECK(cairn_store_limits_hit(NULL) == 0, "null store: no limits");
  CHECK(wasm_open(&w, kMod, 3, 10, &err), "instantiate with caps");
  cairn_snapshot *snap = cairn_snapshot_new(w.inst, &err);
  CHECK(cairn_store_limits_hit(w.s) == 0, "fresh store: nothing hit");
  CHECK(grow(&w, "mgrow", 2) == 1 && cairn_store_limits_hit(w.s) == 0, "growth within the cap");
  CHECK(grow(&w, "mgrow", 1) == -1 && cairn_store_limits_hit(w.s) == CAIRN_LIMIT_MEMORY,
        "memory.grow past the store cap sets CAIRN_LIMIT_MEMORY");
  CHECK(grow(&w, "tgrow", 9) == 1 && cairn_store_limits_hit(w.s) == CAIRN_LIMIT_MEMORY,
        "table growth within the cap");
  CHECK(grow(&w, "tgrow", 1) == -1 &&
            cairn_store_limits_hit(w.s) == (CAIRN_LIMIT_MEMORY | CAIRN_LIMIT_TABLE),
        "table.grow past the store cap sets CAIRN_LIMIT_TABLE");
  CHECK(snap && cairn_snapshot_restore(snap, &err) && cairn_store_limits_hit(w.s) == 0,
        "restore resets the flags");
  CHECK(grow(&w, "tgrow", 100) == -1 && cairn_store_limits_hit(w.s) == CAIRN_LIMIT_TABLE,
        "after restore: the table flag alone");
  /* a growth no maximum at all would allow (over 2^32-1) is not the cap's doing */
  cairn_snapshot_restore(snap, &err);
  cairn_extern ex;
  cairn_instance_export(w.inst, "mem", 3, &ex);
  CHECK(cairn_memory_grow(ex.of.memory, 70000) == -1 && cairn_store_limits_hit(w.s) == 0,
        "growth past the spec limit is not a cap refusal");
  CHECK(cairn_memory_grow(ex.of.memory, 5) == -1 && cairn_store_limits_hit(w.s) == CAIRN_LIMIT_MEMORY,
        "host growth past the cap counts too");
  cairn_snapshot_free(snap);
  wasm_close(&w);

  /* the module's own maximum refuses: no flag */
  CHECK(wasm_open(&w, kModMax, 10, 10, &err), "instantiate with declared maxima");
  CHECK(grow(&w, "mgrow", 4) == -1 && grow(&w, "tgrow", 5) == -1 && cairn_store_limits_hit(w.s) == 0,
        "declared maxima below the caps: no flag");
  wasm_close(&w);
  /* both: the cap is below the declared maximum and refuses first */
  CHECK(wasm_open(&w, kModMax, 2, 3, &err), "instantiate with caps below the declared maxima");
  CHECK(grow(&w, "mgrow", 2) == -1 && cairn_store_limits_hit(w.s) == CAIRN_LIMIT_MEMORY,
        "cap below the declared max refuses: flag");
  CHECK(grow(&w, "tgrow", 3) == -1 && cairn_store_limits_hit(w.s) == 3, "same for tables");
  wasm_close(&w);
  /* creation */
  CHECK(!wasm_open(&w, "(module (memory 3))", 2, 0, &err) && err.kind == CAIRN_ERR_NOMEM &&
            cairn_store_limits_hit(w.s) == CAIRN_LIMIT_MEMORY,
        "memory minimum over the cap: refused, flag set");
  wasm_close(&w);
  CHECK(!wasm_open(&w, "(module (table 30 funcref))", 0, 20, &err) && err.kind == CAIRN_ERR_NOMEM &&
            cairn_store_limits_hit(w.s) == CAIRN_LIMIT_TABLE,
        "table minimum over the cap: refused, flag set");
  wasm_close(&w);
  printf("ok limits hit: caps vs declared maxima, memories and tables, reset on restore\n");
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_interruptible(void) {
  cairn_error err;
  Wasm w;
  CHECK(wasm_open(&w, kMod, 0, 0, &err), "instantiate without caps");
  cairn_extern ex;
  cairn_instance_export(w.inst, "tab", 3, &ex);
  cairn_table *t = ex.of.table;
  /* 2^22 entries (32 MiB): with the interrupt pending, only the first chunk
  ** is filled before the growth gives up */
  cairn_store_interrupt(w.s);
  double t0 = now_s();
  int32_t r = grow(&w, "tgrow", 1 << 22);
  double dt = now_s() - t0;
  CHECK((r == -1 || r == -3) && cairn_table_size(t) == 1, "interrupted table.grow leaves the size");
  CHECK(dt < 1.0, "interrupted table.grow returns at once");
  /* the interrupt is still pending: the next check traps and consumes it */
  int32_t out;
  if (r == -1) {
    bool ok = call_i32(&w, "tgrow", 0, &out, &err);
    (void)ok;
  }
  CHECK(grow(&w, "tgrow", 3) == 1 && cairn_table_size(t) == 4, "growth works again after the trap");
  cairn_store_interrupt(w.s);
  CHECK(rt_table_grow(t, 1 << 22, t) == -1 && t->size == 4, "rt_table_grow gives up when interrupted");
  cairn_val init;
  memset(&init, 0, sizeof init);
  init.type = CAIRN_EXTERNREF;
  init.of.ext = &w;
  CHECK(!cairn_table_new(w.s, CAIRN_EXTERNREF, (cairn_limits){1 << 22, 0, false}, init, &err) &&
            err.trap == CAIRN_TRAP_INTERRUPT && atomic_load(&w.s->interrupt) == 0,
        "large table initialisation stops on interrupt (and consumes it)");
  cairn_table *t2 = cairn_table_new(w.s, CAIRN_EXTERNREF, (cairn_limits){1 << 17, 0, false}, init, &err);
  cairn_val v;
  CHECK(t2 && cairn_table_get(t2, (1 << 17) - 1, &v) && v.of.ext == &w,
        "without an interrupt every entry is initialised");
  wasm_close(&w);
  printf("ok interruptible: table.grow and table initialisation (%.3f s)\n", dt);
}

/* Resident set size in KiB. */
static long rss_kb(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long size = 0, res = 0;
  if (f) {
    if (fscanf(f, "%ld %ld", &size, &res) != 2) res = 0;
    fclose(f);
  }
  return res * 4;
}

static void test_shrink(void) {
  cairn_error err;
  Wasm w;
  CHECK(wasm_open(&w, kMod, 0, 0, &err), "instantiate");
  cairn_snapshot *snap = cairn_snapshot_new(w.inst, &err);
  CHECK(snap != NULL, "snapshot");
  if (!snap) return;
  cairn_extern ex;
  cairn_instance_export(w.inst, "tab", 3, &ex);
  cairn_table *t = ex.of.table;
  cairn_instance_export(w.inst, "mem", 3, &ex);
  cairn_memory *m = ex.of.memory;
  long r0 = rss_kb();
  /* 4M entries (32 MiB; 16 MiB with 32-bit pointers) and 512 pages (32 MiB),
  ** all touched */
  CHECK(grow(&w, "tgrow", 1 << 22) == 1 && t->size == (1u << 22) + 1, "table grown by 2^22");
  CHECK(grow(&w, "mgrow", 512) == 1, "memory grown by 512 pages");
  int32_t out;
  CHECK(call_i32(&w, "touch", 513 * 65536 - 1, &out, &err), "memory touched");
  long r1 = rss_kb();
  CHECK(cairn_snapshot_restore(snap, &err), "restore");
  long r2 = rss_kb();
  CHECK(t->size == 1 && t->nAlloc == 1, "table size and allocation back to the capture");
  CHECK(m->pages == 1, "memory size back to the capture");
  cairn_val v;
  CHECK(cairn_table_get(t, 0, &v) && v.of.func == NULL, "captured entry kept");
  CHECK(grow(&w, "tgrow", 2) == 1 && t->size == 3, "table grows again after the shrink");
  printf("  RSS %ld kB -> %ld kB grown -> %ld kB restored\n", r0, r1, r2);
#ifndef TEST_UNDER_ASAN
  long grown_kb = 32 * 1024 + (long)((sizeof t->aElem[0] << 22) / 1024);
  CHECK(r1 - r0 > grown_kb * 7 / 8, "growth shows in RSS");
  CHECK(r2 - r0 < 8 * 1024, "restore gives the grown memory and table back");
#else
  printf("  (RSS not checked under AddressSanitizer: its quarantine keeps freed blocks)\n");
#endif
  cairn_snapshot_free(snap);
  wasm_close(&w);
  printf("ok shrink on restore: tables and memories\n");
}

/* A store allocator whose next shrinking realloc fails (once). */
static int gFailNextShrink;
static void *shrink_fails(void *ud, void *p, size_t osize, size_t nsize) {
  (void)ud;
  if (nsize == 0) {
    free(p);
    return NULL;
  }
  if (p && nsize < osize && gFailNextShrink) {
    gFailNextShrink = 0;
    return NULL;
  }
  return realloc(p, nsize);
}

/* Whether block p of base_* (NULL: none) holds at least n bytes. */
static bool holds(const void *p, size_t n) {
  return !p || malloc_usable_size((char *)p - BASE_HDR) >= BASE_HDR + n;
}

/* A restore whose shrink of a table's elements fails keeps the larger
** allocation (nAlloc) for all of the table's arrays: the call entries and
** code pointers must not shrink alone, or a later growth within nAlloc
** writes past them. */
static void test_failed_shrink(void) {
  cairn_error err;
  Wasm w;
  memset(&w, 0, sizeof w);
  w.m = cairn_module_from_text(kMod, strlen(kMod), &err);
  cairn_store_config cfg = {.alloc = shrink_fails};
  w.s = cairn_store_new(&cfg);
  w.inst = w.m ? cairn_instance_new(w.s, w.m, NULL, 0, &err) : NULL;
  CHECK(w.inst != NULL, "instantiate with a failing allocator");
  if (!w.inst) return;
  cairn_snapshot *snap = cairn_snapshot_new(w.inst, &err);
  cairn_extern ex;
  cairn_instance_export(w.inst, "tab", 3, &ex);
  cairn_table *t = ex.of.table;
  CHECK(snap && grow(&w, "tgrow", 1000) == 1, "table grown by 1000");
  gFailNextShrink = 1;
  CHECK(snap && cairn_snapshot_restore(snap, &err), "restore, its first shrink failing");
  CHECK(t->size == 1 && t->nAlloc >= 1001, "the failed shrink keeps the allocation");
  CHECK(holds(t->aElem, t->nAlloc * sizeof(void *)) && holds(t->aCall, t->nAlloc * sizeof(RtCall)) &&
            holds(t->aCode, t->nAlloc * sizeof(void *)),
        "elements, call entries and code pointers all hold nAlloc entries");
  CHECK(grow(&w, "tgrow", 900) == 1 && t->size == 901, "growth within the allocation");
  if (snap) cairn_snapshot_free(snap);
  wasm_close(&w);
  printf("ok failed shrink on restore\n");
}

int main(void) {
  test_limits_hit();
  test_interruptible();
  test_shrink();
  test_failed_shrink();
  printf("limits: %d checks passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}
