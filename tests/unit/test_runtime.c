/*
** test_runtime.c: unit tests of runtime/ (stores, memories and their guard
** region, tables, globals, host functions and calls, function type
** interning, instantiation of hand-built modules: import matching, segment
** initialisation, traps during instantiation, start function, exports).
** Prints each check; exits non-zero on a failure.
*/
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include "engine/runtime/runtime.h"
#include "check.h"


static cairn_val vi32(int32_t x) {
  cairn_val v;
  memset(&v, 0, sizeof v);
  v.type = CAIRN_I32;
  v.of.i32 = x;
  return v;
}
static cairn_val vi64(int64_t x) {
  cairn_val v;
  memset(&v, 0, sizeof v);
  v.type = CAIRN_I64;
  v.of.i64 = x;
  return v;
}
static cairn_val vfunc(cairn_func *f) {
  cairn_val v;
  memset(&v, 0, sizeof v);
  v.type = CAIRN_FUNCREF;
  v.of.func = f;
  return v;
}

/* ---- host functions ---- */

static bool host_add(void *env, const cairn_val *args, cairn_val *results, cairn_error *trap) {
  results[0].of.i32 = args[0].of.i32 + (int32_t)args[1].of.i64;
  return true;
}

static bool host_trap(void *env, const cairn_val *args, cairn_val *results, cairn_error *trap) {
  trap->kind = CAIRN_ERR_TRAP;
  trap->trap = CAIRN_TRAP_HOST;
  snprintf(trap->msg, sizeof trap->msg, "host says no");
  return false;
}

static bool host_count(void *env, const cairn_val *args, cairn_val *results, cairn_error *trap) {
  ++*(int *)env;
  return true;
}

static const cairn_valtype tI32I64[] = {CAIRN_I32, CAIRN_I64};
static const cairn_valtype tI32[] = {CAIRN_I32};

static void test_types(void) {
  cairn_store *s = cairn_store_new(NULL);
  ValType a1[] = {VT_I32, VT_I64, VT_F32};
  ValType a2[] = {VT_I32, VT_I64, VT_F32};
  ValType a3[] = {VT_I32, VT_I64, VT_F64};
  FuncType t1 = {2, 1, a1, NULL}, t2 = {2, 1, a2, NULL}, t3 = {2, 1, a3, NULL};
  FuncType t4 = {1, 2, a1, NULL}, t0 = {0, 0, NULL, NULL};
  uint32_t i1 = rt_type_id(s, &t1), i2 = rt_type_id(s, &t2), i3 = rt_type_id(s, &t3);
  uint32_t i4 = rt_type_id(s, &t4), i0 = rt_type_id(s, &t0), i0b = rt_type_id(s, &t0);
  CHECK(i1 == i2, "equal types get one id");
  CHECK(i1 != i3 && i1 != i4 && i3 != i4, "different types get different ids");
  CHECK(i0 == i0b && i0 != i1, "empty type interned once");
  cairn_functype pub = {2, 1, tI32I64, tI32};
  cairn_func *f = cairn_func_new(s, &pub, host_add, NULL);
  ValType a5[] = {VT_I32, VT_I64, VT_I32};
  FuncType t5 = {2, 1, a5, NULL};
  CHECK(f && f->typeId == rt_type_id(s, &t5), "host function type id equals module type id");
  CHECK(s->maxCallDepth == 10000 && !s->fuelOn, "store defaults");
  cairn_store_free(s);
  cairn_store_config cfg = {.fuel = 500, .max_call_depth = 77};
  s = cairn_store_new(&cfg);
  CHECK(s->maxCallDepth == 77 && s->fuelOn && s->fuel == 500, "store config");
  cairn_store_interrupt(s);
  CHECK(atomic_load(&s->interrupt) == 1, "interrupt flag set");
  cairn_store_free(s);
  printf("ok types: interning, store config\n");
}

#if UINTPTR_MAX > 0xFFFFFFFFu  /* for guard regions: 64-bit hosts only */
/* Reads *p as guest code of store s would, under a landing pad; true if the
** read faulted into the pad. */
static __attribute__((noinline)) bool probe_faults(cairn_store *s, uint8_t *p) {
  TrapPad pad;
  rt_pad_init(&pad, s);
  if (sigsetjmp(pad.jb, 0)) {
    rt_pad_pop(&pad);
    return true;
  }
  rt_pad_push(&pad);
  (void)*(volatile uint8_t *)p;
  rt_pad_pop(&pad);
  return false;
}

typedef struct Probe {
  cairn_store *s;
  uint8_t *p;
} Probe;

static void *thread_probe(void *arg) {
  Probe *pr = arg;
  rt_signals_init();
  return probe_faults(pr->s, pr->p) ? pr->p : NULL;
}
#endif

static void test_memory(void) {
  cairn_store *s = cairn_store_new(NULL);
  cairn_error err;
  cairn_limits lim = {1, 3, true};
  cairn_memory *m = cairn_memory_new(s, lim, &err);
  CHECK(m != NULL, "memory_new");
  if (!m) return;
  CHECK(cairn_memory_pages(m) == 1 && cairn_memory_size(m) == 65536, "initial size");
  uint8_t *d = cairn_memory_data(m);
  bool zero = true;
  for (size_t i = 0; i < 65536; i++) zero &= d[i] == 0;
  CHECK(zero, "memory zero-filled");
  d[65535] = 42;
  CHECK(cairn_memory_grow(m, 0) == 1, "grow 0 returns size");
  CHECK(cairn_memory_grow(m, 1) == 1, "grow 1");
  CHECK(cairn_memory_grow(m, 2) == -1, "grow past max fails");
  CHECK(cairn_memory_grow(m, UINT64_MAX) == -1, "huge grow fails");
  CHECK(cairn_memory_grow(m, 1) == 2 && cairn_memory_pages(m) == 3, "grow to max");
  d = cairn_memory_data(m);
  CHECK(d[65535] == 42 && d[3 * 65536 - 1] == 0, "contents kept, new pages zero");
  d[3 * 65536 - 1] = 7;
  cairn_limits bad = {2, 1, true};
  CHECK(!cairn_memory_new(s, bad, &err) && err.kind == CAIRN_ERR_ARG, "min > max refused");
  cairn_limits nomax = {0, 0, false};
  cairn_memory *m2 = cairn_memory_new(s, nomax, &err);
  CHECK(m2 && m2->maxPages == WASM_MAX_PAGES && cairn_memory_grow(m2, 65537) == -1 &&
            cairn_memory_grow(m2, 1) == 0,
        "no max: spec limit 65536 pages");
  if (m->guarded) {
#if UINTPTR_MAX > 0xFFFFFFFFu  /* never guarded on 32-bit hosts (rtint.h) */
    CHECK(m->reserved >= ((size_t)1 << 33), "guarded memory reserves 8 GiB");
    /* Guard faults become jumps to the landing pad, repeatedly. */
    for (int round = 0; round < 3; round++) {
      uint8_t *probe = round == 2 ? m->base + ((size_t)1 << 33) + 8 : d + 3 * 65536 + round;
      CHECK(probe_faults(s, probe), "out-of-bounds access jumps to the trap pad");
    }
    pthread_t th;
    void *res = NULL;
    uint8_t *far = m->base + ((size_t)1 << 32) + 12345;
    Probe pr = {s, far};
    CHECK(pthread_create(&th, NULL, thread_probe, &pr) == 0 && pthread_join(th, &res) == 0 &&
              res == far,
          "guard fault trapped on another thread");
    CHECK(d[3 * 65536 - 1] == 7, "last byte still accessible");
    printf("ok memory: guard faults trapped (3 probes)\n");
#endif
  } else {
    printf("ok memory: bounds-checked mode (no guard region)\n");
  }
  cairn_store_free(s);

  cairn_store_config cfg = {.max_memory_pages = 2};
  s = cairn_store_new(&cfg);
  m = cairn_memory_new(s, (cairn_limits){1, 0, false}, &err);
  CHECK(m && cairn_memory_grow(m, 1) == 1 && cairn_memory_grow(m, 1) == -1, "store page cap");
  CHECK(!cairn_memory_new(s, (cairn_limits){3, 0, false}, &err) && err.kind == CAIRN_ERR_NOMEM,
        "min over store cap refused");
  cairn_store_free(s);
  printf("ok memory: reserve, grow, limits, store cap\n");
}

static void test_table_global(void) {
  cairn_store *s = cairn_store_new(NULL);
  cairn_error err;
  cairn_functype pub = {2, 1, tI32I64, tI32};
  cairn_func *f = cairn_func_new(s, &pub, host_add, NULL);
  cairn_table *t = cairn_table_new(s, CAIRN_FUNCREF, (cairn_limits){2, 4, true}, vfunc(NULL), &err);
  CHECK(t && cairn_table_size(t) == 2, "table_new");
  cairn_val v;
  CHECK(cairn_table_get(t, 1, &v) && v.type == CAIRN_FUNCREF && v.of.func == NULL, "null init");
  CHECK(cairn_table_set(t, 1, vfunc(f)) && cairn_table_get(t, 1, &v) && v.of.func == f, "set/get");
  CHECK(!cairn_table_get(t, 2, &v) && !cairn_table_set(t, 2, vfunc(f)), "out of range");
  CHECK(!cairn_table_set(t, 0, vi32(1)), "wrong type refused");
  CHECK(rt_table_grow(t, 2, f) == 2 && cairn_table_size(t) == 4, "grow");
  CHECK(cairn_table_get(t, 3, &v) && v.of.func == f, "grown entries hold init");
  CHECK(rt_table_grow(t, 1, NULL) == -1 && rt_table_grow(t, 0, NULL) == 4, "grow limit");
  cairn_table *t2 =
      cairn_table_new(s, CAIRN_EXTERNREF, (cairn_limits){0, 0, false}, (cairn_val){CAIRN_EXTERNREF, {0}}, &err);
  CHECK(t2 && t2->max == 0xFFFFFFFFull && rt_table_grow(t2, 1000, &err) == 0 &&
            cairn_table_get(t2, 999, &v) && v.of.ext == (void *)&err,
        "externref table grows to spec limit");
  CHECK(rt_table_grow(t2, 0xFFFFFFFFull, NULL) == -1, "grow over 2^32-1 fails");
  CHECK(!cairn_table_new(s, CAIRN_I32, (cairn_limits){0, 0, false}, vi32(0), &err), "non-ref table refused");

  cairn_global *g = cairn_global_new(s, vi32(5), false, &err);
  CHECK(g && cairn_global_get(g).of.i32 == 5, "immutable global value");
  CHECK(!cairn_global_set(g, vi32(6)) && cairn_global_get(g).of.i32 == 5, "immutable set refused");
  cairn_val nan;
  memset(&nan, 0, sizeof nan);
  nan.type = CAIRN_F64;
  nan.of.f64_bits = 0x7FF4000000000123ull;
  cairn_global *gm = cairn_global_new(s, nan, true, &err);
  CHECK(gm && cairn_global_get(gm).of.f64_bits == 0x7FF4000000000123ull, "NaN payload kept");
  CHECK(!cairn_global_set(gm, vi64(1)), "wrong type refused");
  nan.of.f64_bits = 0xFFF8000000000001ull;
  CHECK(cairn_global_set(gm, nan) && cairn_global_get(gm).of.f64_bits == 0xFFF8000000000001ull,
        "mutable set");
  cairn_global *gi = cairn_global_new(s, vi32(-1), true, &err);
  CHECK(gi && gi->v[0] == 0xFFFFFFFFull, "i32 slot zero-extended");
  cairn_store_free(s);
  printf("ok tables and globals\n");
}

static void test_host_call(void) {
  cairn_store *s = cairn_store_new(NULL);
  cairn_error err;
  cairn_functype pub = {2, 1, tI32I64, tI32};
  cairn_func *f = cairn_func_new(s, &pub, host_add, NULL);
  const cairn_functype *ft = cairn_func_type(f);
  CHECK(ft->nparams == 2 && ft->nresults == 1 && ft->params[1] == CAIRN_I64 &&
            ft->results[0] == CAIRN_I32,
        "func_type");
  cairn_val args[2] = {vi32(40), vi64(2)}, res[1];
  CHECK(cairn_func_call(f, args, 2, res, 1, &err) && res[0].type == CAIRN_I32 &&
            res[0].of.i32 == 42,
        "host call result");
  CHECK(!cairn_func_call(f, args, 1, res, 1, &err) && err.kind == CAIRN_ERR_ARG, "arg count");
  args[1] = vi32(2);
  CHECK(!cairn_func_call(f, args, 2, res, 1, &err) && err.kind == CAIRN_ERR_ARG, "arg type");
  CHECK(!cairn_func_call(f, args, 2, res, 0, &err) && err.kind == CAIRN_ERR_ARG, "result room");
  cairn_functype none = {0, 0, NULL, NULL};
  cairn_func *ft2 = cairn_func_new(s, &none, host_trap, NULL);
  CHECK(!cairn_func_call(ft2, NULL, 0, NULL, 0, &err) && err.kind == CAIRN_ERR_TRAP &&
            err.trap == CAIRN_TRAP_HOST && strcmp(err.msg, "host says no") == 0,
        "host trap propagates");
  cairn_store_free(s);
  printf("ok host functions: call, argument checks, traps\n");
}

/* ---- instantiation of hand-built modules ---- */

static const uint8_t ceI32_1[] = {0x41, 0x01, 0x0B};         /* i32.const 1 */
static const uint8_t ceI32_9[] = {0x41, 0x09, 0x0B};         /* i32.const 9 */
static const uint8_t ceGet0Add[] = {0x23, 0x00, 0x41, 0x05, 0x6A, 0x0B}; /* global.get 0; i32.const 5; add */
static const uint8_t ceRefFunc0[] = {0xD2, 0x00, 0x0B};      /* ref.func 0 */
static const uint8_t ceRefNull[] = {0xD0, 0x70, 0x0B};       /* ref.null func */
static const uint8_t ceOob[] = {0x41, 0x80, 0x80, 0x04, 0x0B}; /* i32.const 65536 */
static const uint8_t ceOob1[] = {0x41, 0x81, 0x80, 0x04, 0x0B}; /* i32.const 65537 */

#define CE(a) {a, sizeof a, 0}

typedef struct TestMod {
  Module m;
  ValType tv[1];
  FuncType types[2];
  Import imps[4];
  Func funcs[1];
  TableType tables[2];
  MemType mems[1];
  Global globals[2];
  Export exps[3];
  Elem elems[3];
  uint32_t elemFuncs[2];
  ConstExpr elemInit[2];
  Data datas[2];
} TestMod;

/* Imports: f "m" "f" : [] -> [] (start), table funcref min 2, memory min 1,
** global i32 const. Defines: table funcref 3, global i32 mut = g0 + 5.
** Elem 0: active in imported table at 1, func 0. Elem 1: passive exprs
** (ref.func 0, ref.null). Elem 2: declarative. Data 0: "hi" at 9 in the
** imported memory. Start: func 0. Exports "f", "t", "g". */
static void build(TestMod *t) {
  memset(t, 0, sizeof *t);
  Module *m = &t->m;
  t->types[0] = (FuncType){0, 0, t->tv, NULL};
  t->tv[0] = VT_I32;
  t->types[1] = (FuncType){1, 0, t->tv, NULL};
  m->nType = 2;
  m->aType = t->types;
  t->imps[0] = (Import){{"m", 1}, {"f", 1}, CAIRN_EXTERN_FUNC, {.typeIdx = 0}};
  t->imps[1] = (Import){{"m", 1}, {"t", 1}, CAIRN_EXTERN_TABLE, {.table = {VT_FUNCREF, {2, 0, false}}}};
  t->imps[2] = (Import){{"m", 1}, {"mem", 3}, CAIRN_EXTERN_MEMORY, {.mem = {{1, 0, false}, false, false}}};
  t->imps[3] = (Import){{"m", 1}, {"g", 1}, CAIRN_EXTERN_GLOBAL, {.global = {VT_I32, false}}};
  m->nImport = 4;
  m->aImport = t->imps;
  t->funcs[0] = (Func){.typeIdx = 0, .imported = true};
  m->nFunc = m->nFuncImport = 1;
  m->aFunc = t->funcs;
  m->tier = &interp_tier; /* what interp_compile_module would set */
  t->tables[0] = t->imps[1].u.table;
  t->tables[1] = (TableType){VT_FUNCREF, {3, 0, false}};
  m->nTable = 2;
  m->nTableImport = 1;
  m->aTable = t->tables;
  t->mems[0] = t->imps[2].u.mem;
  m->nMem = m->nMemImport = 1;
  m->aMem = t->mems;
  t->globals[0].type = t->imps[3].u.global;
  t->globals[1] = (Global){{VT_I32, true}, CE(ceGet0Add)};
  m->nGlobal = 2;
  m->nGlobalImport = 1;
  m->aGlobal = t->globals;
  t->exps[0] = (Export){{"f", 1}, CAIRN_EXTERN_FUNC, 0};
  t->exps[1] = (Export){{"t", 1}, CAIRN_EXTERN_TABLE, 1};
  t->exps[2] = (Export){{"g", 1}, CAIRN_EXTERN_GLOBAL, 1};
  m->nExport = 3;
  m->aExport = t->exps;
  t->elemFuncs[0] = 0;
  t->elems[0] = (Elem){SEG_ACTIVE, VT_FUNCREF, 0, CE(ceI32_1), 1, t->elemFuncs, NULL};
  t->elemInit[0] = (ConstExpr)CE(ceRefFunc0);
  t->elemInit[1] = (ConstExpr)CE(ceRefNull);
  t->elems[1] = (Elem){SEG_PASSIVE, VT_FUNCREF, 0, {0}, 2, NULL, t->elemInit};
  t->elems[2] = (Elem){SEG_DECLARATIVE, VT_FUNCREF, 0, {0}, 1, t->elemFuncs, NULL};
  m->nElem = 3;
  m->aElem = t->elems;
  t->datas[0] = (Data){SEG_ACTIVE, 0, CE(ceI32_9), (const uint8_t *)"hi", 2};
  t->datas[1] = (Data){SEG_PASSIVE, 0, {0}, (const uint8_t *)"xyz", 3};
  m->nData = 2;
  m->aData = t->datas;
  m->hasStart = true;
  m->startIdx = 0;
}

static void test_instance(void) {
  cairn_store *s = cairn_store_new(NULL);
  cairn_error err;
  int count = 0;
  cairn_functype none = {0, 0, NULL, NULL};
  cairn_func *hf = cairn_func_new(s, &none, host_count, &count);
  cairn_functype pub = {2, 1, tI32I64, tI32};
  cairn_func *hadd = cairn_func_new(s, &pub, host_add, NULL);
  cairn_table *tab = cairn_table_new(s, CAIRN_FUNCREF, (cairn_limits){2, 10, true}, vfunc(NULL), &err);
  cairn_memory *mem = cairn_memory_new(s, (cairn_limits){1, 2, true}, &err);
  cairn_global *g = cairn_global_new(s, vi32(37), false, &err);
  cairn_global *gmut = cairn_global_new(s, vi32(37), true, &err);
  cairn_extern ex[4] = {{CAIRN_EXTERN_FUNC, {.func = hf}},
                        {CAIRN_EXTERN_TABLE, {.table = tab}},
                        {CAIRN_EXTERN_MEMORY, {.memory = mem}},
                        {CAIRN_EXTERN_GLOBAL, {.global = g}}};
  static TestMod tm;
  build(&tm);
  cairn_instance *inst = cairn_instance_new(s, &tm.m, ex, 4, &err);
  CHECK(inst != NULL, "instantiate");
  if (!inst) {
    printf("  error: %s\n", err.msg);
    cairn_store_free(s);
    return;
  }
  CHECK(count == 1, "start function ran once");
  cairn_val v;
  CHECK(cairn_table_get(tab, 1, &v) && v.of.func == hf, "active elem written to imported table");
  CHECK(cairn_table_get(tab, 0, &v) && v.of.func == NULL, "other entries null");
  CHECK(memcmp(cairn_memory_data(mem) + 9, "hi", 2) == 0, "active data written");
  CHECK(inst->aElemDropped[0] && !inst->aElemDropped[1] && inst->aElemDropped[2],
        "active/declarative elems dropped, passive kept");
  CHECK(inst->aDataDropped[0] && !inst->aDataDropped[1], "active data dropped, passive kept");
  cairn_extern out;
  CHECK(cairn_instance_export(inst, "g", 1, &out) && out.kind == CAIRN_EXTERN_GLOBAL &&
            cairn_global_get(out.of.global).of.i32 == 42 && out.of.global->mut,
        "global initialised from imported global");
  CHECK(cairn_instance_export(inst, "t", 1, &out) && out.kind == CAIRN_EXTERN_TABLE &&
            cairn_table_size(out.of.table) == 3,
        "defined table exported");
  CHECK(cairn_instance_export(inst, "f", 1, &out) && out.of.func == hf, "re-exported import");
  CHECK(!cairn_instance_export(inst, "nope", 4, &out), "absent export");
  CHECK(cairn_instance_module(inst) == &tm.m, "instance_module");
  /* passive segments through the tier helpers */
  cairn_table *own = inst->apTable[1];
  CHECK(rt_table_init(inst, 1, 1, 1, 0, 2, &err) && own->aElem[1] == hf && own->aElem[2] == NULL,
        "table.init evaluates element expressions");
  CHECK(!rt_table_init(inst, 1, 1, 2, 0, 2, &err) && err.trap == CAIRN_TRAP_TABLE_OOB &&
            strcmp(err.msg, "out of bounds table access") == 0,
        "table.init bounds");
  CHECK(!rt_table_init(inst, 1, 0, 0, 0, 1, &err) && rt_table_init(inst, 1, 0, 3, 0, 0, &err),
        "dropped segment has length 0");
  CHECK(rt_memory_init(inst, 0, 1, 65533, 0, 3, &err) &&
            memcmp(cairn_memory_data(mem) + 65533, "xyz", 3) == 0,
        "memory.init");
  CHECK(!rt_memory_init(inst, 0, 1, 65534, 0, 3, &err) && err.trap == CAIRN_TRAP_MEMORY_OOB,
        "memory.init bounds");

  /* import matching */
  struct {
    int slot;
    cairn_extern e;
    const char *what;
  } bad[] = {
      {0, {CAIRN_EXTERN_FUNC, {.func = hadd}}, "func type mismatch"},
      {0, {CAIRN_EXTERN_GLOBAL, {.global = g}}, "kind mismatch"},
      {3, {CAIRN_EXTERN_GLOBAL, {.global = gmut}}, "global mutability mismatch"},
      {2, {CAIRN_EXTERN_MEMORY, {.memory = NULL}}, "placeholder"},
  };
  cairn_memory *mem0 = cairn_memory_new(s, (cairn_limits){0, 0, false}, &err);
  bad[3].e.of.memory = mem0;
  bad[3].what = "memory too small";
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cairn_extern ex2[4];
    memcpy(ex2, ex, sizeof ex2);
    ex2[bad[i].slot] = bad[i].e;
    count = 0;
    CHECK(!cairn_instance_new(s, &tm.m, ex2, 4, &err) && err.kind == CAIRN_ERR_LINK &&
              strcmp(err.msg, "incompatible import type") == 0 && count == 0,
          bad[i].what);
  }
  CHECK(!cairn_instance_new(s, &tm.m, ex, 3, &err) && err.kind == CAIRN_ERR_LINK &&
            strcmp(err.msg, "unknown import") == 0,
        "missing import");
  /* max matching: import declares max 10 */
  tm.imps[1].u.table.lim = (Limits){2, 10, true};
  CHECK(cairn_instance_new(s, &tm.m, ex, 4, &err) != NULL, "table max 10 <= 10 matches");
  tm.imps[1].u.table.lim = (Limits){2, 9, true};
  CHECK(!cairn_instance_new(s, &tm.m, ex, 4, &err) && err.kind == CAIRN_ERR_LINK, "table max 10 > 9");
  tm.imps[1].u.table.lim = (Limits){3, 0, false};
  CHECK(!cairn_instance_new(s, &tm.m, ex, 4, &err) && err.kind == CAIRN_ERR_LINK, "table min 2 < 3");
  tm.imps[1].u.table.lim = (Limits){2, 0, false};
  tm.imps[2].u.mem.lim = (Limits){1, 1, true};
  CHECK(!cairn_instance_new(s, &tm.m, ex, 4, &err) && err.kind == CAIRN_ERR_LINK, "memory max 2 > 1");
  tm.imps[2].u.mem.lim = (Limits){1, 0, false};
  cairn_memory *memNoMax = cairn_memory_new(s, (cairn_limits){1, 0, false}, &err);
  tm.imps[2].u.mem.lim = (Limits){1, 5, true};
  ex[2].of.memory = memNoMax;
  CHECK(!cairn_instance_new(s, &tm.m, ex, 4, &err) && err.kind == CAIRN_ERR_LINK,
        "memory without max does not match a declared max");
  tm.imps[2].u.mem.lim = (Limits){1, 0, false};
  ex[2].of.memory = mem;

  /* trap during initialisation: elem 0 lands, a second active elem is out of
  ** bounds; data never runs; start never runs; effects persist. */
  cairn_table *tab2 = cairn_table_new(s, CAIRN_FUNCREF, (cairn_limits){2, 0, false}, vfunc(NULL), &err);
  ex[1].of.table = tab2;
  memset(cairn_memory_data(mem), 0, 16);
  tm.elems[1] = (Elem){SEG_ACTIVE, VT_FUNCREF, 0, CE(ceI32_9), 1, tm.elemFuncs, NULL};
  count = 0;
  CHECK(!cairn_instance_new(s, &tm.m, ex, 4, &err) && err.kind == CAIRN_ERR_TRAP &&
            err.trap == CAIRN_TRAP_TABLE_OOB && strcmp(err.msg, "out of bounds table access") == 0,
        "elem out of bounds traps");
  CHECK(cairn_table_get(tab2, 1, &v) && v.of.func == hf, "earlier elem effect persists");
  CHECK(cairn_memory_data(mem)[9] == 0 && count == 0, "no data, no start after the trap");
  tm.elems[1] = (Elem){SEG_PASSIVE, VT_FUNCREF, 0, {0}, 2, NULL, tm.elemInit};
  tm.datas[1] = (Data){SEG_ACTIVE, 0, CE(ceOob), (const uint8_t *)"xyz", 3};
  CHECK(!cairn_instance_new(s, &tm.m, ex, 4, &err) && err.trap == CAIRN_TRAP_MEMORY_OOB &&
            strcmp(err.msg, "out of bounds memory access") == 0,
        "data out of bounds traps");
  CHECK(memcmp(cairn_memory_data(mem) + 9, "hi", 2) == 0 && count == 0,
        "earlier data effect persists, start not run");
  tm.datas[1] = (Data){SEG_ACTIVE, 0, CE(ceOob), (const uint8_t *)"xyz", 0};
  count = 0;
  CHECK(cairn_instance_new(s, &tm.m, ex, 4, &err) && count == 1,
        "empty data segment at the very end is fine");
  tm.datas[1] = (Data){SEG_ACTIVE, 0, CE(ceOob1), (const uint8_t *)"xyz", 0};
  CHECK(!cairn_instance_new(s, &tm.m, ex, 4, &err) && err.trap == CAIRN_TRAP_MEMORY_OOB,
        "empty data segment past the end still traps");
  /* start function that traps */
  tm.datas[1] = (Data){SEG_PASSIVE, 0, {0}, (const uint8_t *)"xyz", 3};
  cairn_func *ht = cairn_func_new(s, &none, host_trap, NULL);
  ex[0].of.func = ht;
  CHECK(!cairn_instance_new(s, &tm.m, ex, 4, &err) && err.kind == CAIRN_ERR_TRAP &&
            strcmp(err.msg, "host says no") == 0,
        "trapping start function");
  cairn_store_free(s);
  printf("ok instances: imports, segments, start, exports, init traps\n");
}

int main(void) {
  test_types();
  test_memory();
  test_table_global();
  test_host_call();
  test_instance();
  printf("runtime: %d checks passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}
