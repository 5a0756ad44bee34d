/*
** faultsim.c: allocation-failure injection, in the manner of SQLite's
** faultsim. Every Cairn allocation goes through an allocator hook (base.h);
** this test installs one that counts live blocks and, once armed, fails the
** Nth allocation it is asked for. For each path below and for every N from 1
** until a run completes with no failure injected, it checks that
**   - the run ends in a clean error (NOMEM, or the path's documented way of
**     reporting an allocation failure) or with the correct result: no crash;
**   - the live block count is back where it was after cleanup: no leak
**     (the asan build adds LeakSanitizer for what bypasses the hook);
**   - the same path then runs correctly with nothing armed.
** Paths: decode, validate, translate (lazy, at first call), instantiate, run
** (calls, table.grow, memory.grow, deep recursion, a host call), text (WAT),
** WASI (a C program doing file I/O in a temporary preopen) and serve's
** request path (func_run on a cold then a warm slot).
** Usage: faultsim [FILEIO.wasm ECHO.wasm]. Without the two modules (no
** wasm32-wasi toolchain) the WASI and serve paths are skipped, which is a
** failure under CI=true. Prints the number of allocation points per path.
*/
#define _GNU_SOURCE /* memmem */
#include <dirent.h>
#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/cairn.h"
#include "cairn/wasi.h"
#include "cairn/wast.h"
#include "engine/interp/interp.h"
#include "engine/module.h"
#include "serve/serve.h"

/* ---- the failing, counting allocator ---- */

typedef struct FaultSim {
  bool armed;       /* counting and failing */
  bool injected;    /* the failure happened during this run */
  size_t calls;     /* allocations asked for since armed */
  size_t failAt;    /* which one fails (1-based) */
  long live;        /* blocks handed out and not yet freed */
} FaultSim;

static FaultSim G;
static const char *zPath = "";

/* True if this allocation is the one to fail. */
static const char *zTracePath; /* FAULTSIM_TRACE=path:N prints where N fails */
static size_t nTrace;
static bool fs_fail_now(void) {
  if (!G.armed || ++G.calls != G.failAt) return false;
  G.injected = true;
  if (zTracePath && G.failAt == nTrace && strcmp(zTracePath, zPath) == 0) {
    void *a[32];
    int n = backtrace(a, 32);
    backtrace_symbols_fd(a, n, 1);
  }
  return true;
}

/* The services (WASI's path and poll code, serve's response head) also call
** libc directly: the link wraps those calls (-Wl,--wrap=malloc,... in
** CMakeLists.txt) so that they count and fail too. Their leaks are for
** LeakSanitizer (the asan build); the live count covers the hooks only. */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *z);
char *__real_strndup(const char *z, size_t n);
void *__wrap_malloc(size_t n) { return fs_fail_now() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) {
  return fs_fail_now() ? NULL : __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t n) { return fs_fail_now() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *z) { return fs_fail_now() ? NULL : __real_strdup(z); }
char *__wrap_strndup(const char *z, size_t n) {
  return fs_fail_now() ? NULL : __real_strndup(z, n);
}

static void *fs_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  FaultSim *f = ud;
  (void)osize;
  if (nsize == 0) {
    free(ptr);
    __atomic_fetch_sub(&f->live, 1, __ATOMIC_RELAXED);
    return NULL;
  }
  if (fs_fail_now()) return NULL;
  void *p = __real_realloc(ptr, nsize);
  if (p && !ptr) __atomic_fetch_add(&f->live, 1, __ATOMIC_RELAXED);
  return p;
}

static int nFail;

#define FAIL(...)                      \
  do {                                 \
    printf("FAIL %s: ", zPath);        \
    printf(__VA_ARGS__);               \
    printf("\n");                      \
    nFail++;                           \
  } while (0)

/* A run's outcome: the correct result, a clean error, or something wrong. */
enum { FS_OK = 0, FS_CLEAN = 1, FS_WRONG = -1 };

static char zWhy[512]; /* what a run that was not FS_OK saw */

/* An error is clean if it says out of memory. A call whose frame record
** cannot be allocated traps with "call stack exhausted" (EXHAUSTION), the
** interpreter's one resource trap: clean too, if a failure was injected. */
static int clean_error(const cairn_error *err, const char *what) {
  snprintf(zWhy, sizeof zWhy, "%s: kind %d: %s", what, err->kind, err->msg);
  if (err->kind == CAIRN_ERR_EXHAUSTION && G.injected) return FS_CLEAN;
  return err->kind == CAIRN_ERR_NOMEM && err->msg[0] ? FS_CLEAN : FS_WRONG;
}

typedef struct Path {
  const char *name;
  void (*setup)(void);    /* unarmed, before each run */
  int (*run)(void);       /* armed */
  void (*teardown)(void); /* unarmed, after each run */
} Path;

static void nothing(void) {}

/* Runs p once with failure number n armed (0: none). */
static int run_once(const Path *p, size_t n) {
  p->setup();
  G.calls = 0;
  G.failAt = n;
  G.injected = false;
  G.armed = n != 0;
  int r = p->run();
  G.armed = false;
  p->teardown();
  return r;
}

static void drive(const Path *p) {
  zPath = p->name;
  zWhy[0] = 0;
  if (run_once(p, 0) != FS_OK) { /* also makes per-thread state (signal stack) */
    FAIL("does not work with no failure injected (%s)", zWhy);
    return;
  }
  long live0 = G.live;
  size_t nClean = 0, nAbsorbed = 0, n;
  for (n = 1;; n++) {
    zWhy[0] = 0;
    int r = run_once(p, n);
    bool injected = G.injected;
    if (G.live != live0) {
      FAIL("failing allocation %zu leaks %ld blocks", n, G.live - live0);
      live0 = G.live;
    }
    if (!injected) {
      if (r != FS_OK) FAIL("a run with no failure left is wrong (%s)", zWhy);
      break;
    }
    if (r == FS_WRONG) FAIL("failing allocation %zu: wrong result (%s)", n, zWhy);
    if (r == FS_CLEAN) nClean++;
    if (r == FS_OK) {
      nAbsorbed++;
      if (getenv("FAULTSIM_VERBOSE")) printf("%s: failing allocation %zu was absorbed\n", p->name, n);
    }
    zWhy[0] = 0;
    if (run_once(p, 0) != FS_OK)
      FAIL("after failing allocation %zu, a run with no failure is wrong (%s)", n, zWhy);
    if (G.live != live0) {
      FAIL("after failing allocation %zu, a clean run leaks %ld blocks", n, G.live - live0);
      live0 = G.live;
    }
  }
  printf("faultsim: %-11s %4zu allocation points, each failed once: %zu clean errors, "
         "%zu absorbed with the correct result\n",
         p->name, n - 1, nClean, nAbsorbed);
}

/* ---- the engine module ---- */

#define WIDE 70 /* past RT_MAX_VALS (func.c): host calls allocate their value arrays */
#define P10 "i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 "
#define P70 P10 P10 P10 P10 P10 P10 P10
#define C10 "(i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) " \
            "(i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) (i32.const 1) "
#define C70 C10 C10 C10 C10 C10 C10 C10

static const char kWat[] =
    "(module\n"
    "  (type $t (func (param i32) (result i32)))\n"
    "  (import \"env\" \"add\" (func $add (param i32 i32) (result i32)))\n"
    "  (import \"env\" \"wide\" (func $wide (param " P70 ") (result i32)))\n"
    "  (func (export \"wide\") (result i32) (call $wide " C70 "))\n"
    "  (func (export \"wide2\") (param " P70 ") (result i32) (local.get 69))\n"
    "  (table $tab (export \"tab\") 2 funcref)\n"
    "  (elem (i32.const 0) $inc $dbl)\n"
    "  (memory $mem (export \"mem\") 1)\n"
    "  (data (i32.const 16) \"hello\")\n"
    "  (global $g (export \"g\") (mut i32) (i32.const 7))\n"
    "  (global $k i64 (i64.const 1))\n"
    "  (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))\n"
    "  (func $dbl (type $t) (i32.mul (local.get 0) (i32.const 2)))\n"
    "  (func $start (global.set $g (i32.add (global.get $g) (i32.const 1))))\n"
    "  (start $start)\n"
    "  (func (export \"call\") (param i32 i32) (result i32)\n"
    "    (call_indirect (type $t) (local.get 1) (local.get 0)))\n"
    "  (func (export \"add\") (param i32 i32) (result i32)\n"
    "    (call $add (local.get 0) (local.get 1)))\n"
    "  (func (export \"tgrow\") (param i32) (result i32)\n"
    "    (table.grow $tab (ref.null func) (local.get 0)))\n"
    "  (func (export \"mgrow\") (param i32) (result i32)\n"
    "    (memory.grow (local.get 0)))\n"
    "  (func $rec (export \"rec\") (param i32) (result i32)\n"
    "    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))\n"
    "      (else (i32.add (i32.const 1) (call $rec (i32.sub (local.get 0) (i32.const 1)))))))\n"
    "  (func (export \"load\") (result i32) (i32.load8_u (i32.const 17)))\n"
    "  (func (export \"loop\") (param i32) (result i64) (local $s i64)\n"
    "    (block $out (loop $top\n"
    "      (br_if $out (i32.eqz (local.get 0)))\n"
    "      (local.set $s (i64.add (local.get $s) (i64.extend_i32_u (local.get 0))))\n"
    "      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))\n"
    "      (br $top)))\n"
    "    (local.get $s))\n"
    ")\n";

static uint8_t *gBin;       /* kWat in binary (cairn_free) */
static size_t gBinLen;
static cairn_module *gMod;  /* compiled and translated once */

static bool host_add(void *env, const cairn_val *a, cairn_val *r, cairn_error *trap) {
  r[0].of.i32 = a[0].of.i32 + a[1].of.i32;
  return true;
}

static bool host_wide(void *env, const cairn_val *a, cairn_val *r, cairn_error *trap) {
  r[0].of.i32 = 0;
  for (int i = 0; i < WIDE; i++) r[0].of.i32 += a[i].of.i32;
  return true;
}

/* ---- decode, validate, text ---- */

static int run_decode(void) {
  cairn_error err;
  Module *m = decode_module(gBin, gBinLen, &err);
  if (!m) return clean_error(&err, "decode");
  bool ok = m->nFunc == 14 && m->nExport == 12;
  module_free(m);
  snprintf(zWhy, sizeof zWhy, "decoded module has the wrong shape");
  return ok ? FS_OK : FS_WRONG;
}

static Module *gDecoded;
static void decode_setup(void) {
  cairn_error err;
  gDecoded = decode_module(gBin, gBinLen, &err);
}
static void decode_teardown(void) {
  module_free(gDecoded);
  gDecoded = NULL;
}
static int run_validate(void) {
  cairn_error err;
  if (!gDecoded) return FS_WRONG;
  if (!validate_module(gDecoded, &err)) return clean_error(&err, "validate");
  return FS_OK;
}

static int run_text(void) {
  cairn_error err;
  uint8_t *p;
  size_t n;
  if (!cairn_wat_to_wasm(kWat, sizeof kWat - 1, &p, &n, &err)) return clean_error(&err, "wat");
  bool same = n == gBinLen && memcmp(p, gBin, n) == 0;
  cairn_free(p);
  cairn_module *m = cairn_module_from_text(kWat, sizeof kWat - 1, &err);
  if (!m) return clean_error(&err, "module_from_text");
  cairn_module_free(m);
  if (!same) {
    snprintf(zWhy, sizeof zWhy, "text gave a different binary");
    return FS_WRONG;
  }
  static const char kWast[] =
      "(module $m (func (export \"f\") (param i64) (result i64) (local.get 0)))\n"
      "(register \"m\" $m)\n"
      "(assert_return (invoke $m \"f\" (i64.const -7)) (i64.const -7))\n"
      "(assert_trap (module (func $g unreachable) (start $g)) \"unreachable\")\n"
      "(assert_malformed (module quote \"(func\") \"unexpected end\")\n"
      "(module binary \"\\00asm\" \"\\01\\00\\00\\00\")\n";
  cairn_wast_script sc;
  if (!cairn_wast_parse(kWast, sizeof kWast - 1, &sc, &err)) return clean_error(&err, "wast");
  bool shape = sc.nCmd == 6 && sc.aCmd[2].nResult == 1 && sc.aCmd[2].action.nArg == 1 &&
               sc.aCmd[2].action.aArg[0].bits == (uint64_t)-7 && sc.aCmd[1].zRegName &&
               sc.aCmd[3].zText && strcmp(sc.aCmd[3].zText, "unreachable") == 0 &&
               sc.aCmd[5].mod.nBytes == 8;
  cairn_wast_free(&sc);
  snprintf(zWhy, sizeof zWhy, "wast script parsed to the wrong shape");
  return shape ? FS_OK : FS_WRONG;
}

/* ---- instantiate, translate, run ---- */

static cairn_store *gStore;
static cairn_instance *gInst;
static cairn_module *gFresh; /* for translate: untranslated each run */

/* New store with a host add and an instance of m; clean-error code or FS_OK. */
static int instantiate(cairn_module *m) {
  cairn_error err;
  gStore = cairn_store_new(NULL);
  if (!gStore) {
    snprintf(zWhy, sizeof zWhy, "store_new returned NULL");
    return FS_CLEAN; /* NULL is cairn_store_new's only failure */
  }
  cairn_valtype ii[2] = {CAIRN_I32, CAIRN_I32};
  cairn_functype ft = {2, 1, ii, ii};
  cairn_func *add = cairn_func_new(gStore, &ft, host_add, NULL);
  if (!add) {
    snprintf(zWhy, sizeof zWhy, "func_new returned NULL");
    return FS_CLEAN;
  }
  cairn_valtype wide[WIDE + 1];
  for (int i = 0; i <= WIDE; i++) wide[i] = CAIRN_I32;
  cairn_functype wt = {WIDE, 1, wide, wide};
  cairn_func *fw = cairn_func_new(gStore, &wt, host_wide, NULL);
  if (!fw) {
    snprintf(zWhy, sizeof zWhy, "func_new returned NULL");
    return FS_CLEAN;
  }
  cairn_extern imp[2] = {{CAIRN_EXTERN_FUNC, {.func = add}}, {CAIRN_EXTERN_FUNC, {.func = fw}}};
  gInst = cairn_instance_new(gStore, m, imp, 2, &err);
  if (!gInst) return clean_error(&err, "instance_new");
  return FS_OK;
}

static void store_teardown(void) {
  cairn_store_free(gStore);
  gStore = NULL;
  gInst = NULL;
}

static int run_instantiate(void) {
  int r = instantiate(gMod);
  if (r != FS_OK) return r;
  cairn_extern g;
  if (!cairn_instance_export(gInst, "g", 1, &g) || cairn_global_get(g.of.global).of.i32 != 8) {
    snprintf(zWhy, sizeof zWhy, "start function did not run");
    return FS_WRONG;
  }
  return FS_OK;
}

/* Calls export name with up to two i32 args; FS_OK and *out, or an outcome. */
static int call(const char *name, int32_t a, int32_t b, size_t nargs, cairn_val *out) {
  cairn_extern ex;
  cairn_error err;
  if (!cairn_instance_export(gInst, name, strlen(name), &ex)) {
    snprintf(zWhy, sizeof zWhy, "no export %s", name);
    return FS_WRONG;
  }
  cairn_val args[2] = {{CAIRN_I32, {.i32 = a}}, {CAIRN_I32, {.i32 = b}}};
  const cairn_functype *ft = cairn_func_type(ex.of.func);
  out->type = ft->nresults ? ft->results[0] : CAIRN_I32;
  if (!cairn_func_call(ex.of.func, args, nargs, out, ft->nresults, &err))
    return clean_error(&err, name);
  return FS_OK;
}

#define EXPECT(name, a, b, nargs, field, want)                                       \
  do {                                                                              \
    cairn_val v;                                                                    \
    int r_ = call(name, a, b, nargs, &v);                                           \
    if (r_ != FS_OK) return r_;                                                      \
    if (v.of.field != (want)) {                                                     \
      snprintf(zWhy, sizeof zWhy, "%s gave %lld, not %lld", name, (long long)v.of.field, \
               (long long)(want));                                                  \
      return FS_WRONG;                                                               \
    }                                                                               \
  } while (0)

/* table.grow (and memory.grow with CAIRN_BOUNDS_CHECK, where memories are
** heap blocks) answer -1 when their allocation fails: the Wasm way. */
static int grow(const char *name, int32_t delta, int32_t want) {
  cairn_val v;
  int r = call(name, delta, 0, 1, &v);
  if (r != FS_OK) return r;
  if (v.of.i32 == -1 && G.injected) {
    snprintf(zWhy, sizeof zWhy, "%s failed", name);
    return FS_CLEAN;
  }
  if (v.of.i32 != want) {
    snprintf(zWhy, sizeof zWhy, "%s gave %d, not %d", name, v.of.i32, want);
    return FS_WRONG;
  }
  return FS_OK;
}

/* A call with WIDE arguments from the host, and one from Wasm to the host. */
static int wide(void) {
  cairn_extern ex;
  cairn_error err;
  cairn_val args[WIDE], res;
  for (int i = 0; i < WIDE; i++) args[i] = (cairn_val){CAIRN_I32, {.i32 = i}};
  res.type = CAIRN_I32;
  if (!cairn_instance_export(gInst, "wide2", 5, &ex)) return FS_WRONG;
  if (!cairn_func_call(ex.of.func, args, WIDE, &res, 1, &err)) return clean_error(&err, "wide2");
  if (res.of.i32 != WIDE - 1) {
    snprintf(zWhy, sizeof zWhy, "wide2 gave %d", res.of.i32);
    return FS_WRONG;
  }
  EXPECT("wide", 0, 0, 0, i32, WIDE);
  return FS_OK;
}

/* Every export once: on a fresh module, each first call translates. */
static int call_all(void) {
  EXPECT("call", 0, 5, 2, i32, 6);
  EXPECT("call", 1, 5, 2, i32, 10);
  EXPECT("add", 2, 3, 2, i32, 5);
  EXPECT("load", 0, 0, 0, i32, 'e');
  EXPECT("rec", 10, 0, 1, i32, 10);
  EXPECT("loop", 100, 0, 1, i64, 5050);
  int r = grow("mgrow", 1, 1);
  if (r == FS_OK) r = wide();
  if (r == FS_OK) r = grow("tgrow", 3, 2);
  return r;
}

static void translate_setup(void) {
  cairn_error err;
  gFresh = cairn_module_new(gBin, gBinLen, &err);
  if (gFresh) instantiate(gFresh);
}
static void translate_teardown(void) {
  store_teardown();
  cairn_module_free(gFresh);
  gFresh = NULL;
}
static int run_translate(void) {
  if (!gInst) return FS_WRONG;
  return call_all();
}

static void run_setup(void) { instantiate(gMod); }
static int run_run(void) {
  if (!gInst) return FS_WRONG;
  int r = call_all();
  if (r != FS_OK) return r;
  if ((r = grow("tgrow", 100000, 5)) != FS_OK) return r;
  if ((r = grow("mgrow", 3, 2)) != FS_OK) return r;
  EXPECT("rec", 3000, 0, 1, i32, 3000); /* grows the frame array */
  return FS_OK;
}

/* ---- WASI ---- */

static const char *gFileioPath, *gEchoPath;
static cairn_module *gFileio;
static char gBox[256];

static void rm_tree(const char *dir, bool self) {
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *e;
    char p[512];
    while ((e = readdir(d))) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
      struct stat st;
      if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
        rm_tree(p, true);
      else
        unlink(p);
    }
    closedir(d);
  }
  if (self) rmdir(dir);
}

static void wasi_setup(void) { rm_tree(gBox, false); }

static int run_wasi(void) {
  static const char kExpect[] = "read: hello faultsim\nsize: 15\nentry: g.txt\ndone\n";
  cairn_error err;
  int r = FS_OK;
  cairn_wasi *w = NULL;
  cairn_extern *imports = NULL;
  cairn_wasi_memio io;
  memset(&io, 0, sizeof io);
  cairn_store *s = cairn_store_new(NULL);
  if (!s) {
    snprintf(zWhy, sizeof zWhy, "store_new returned NULL");
    return FS_CLEAN;
  }
  const char *argv[] = {"fileio", "/box"};
  cairn_wasi_preopen pre = {gBox, "/box", false};
  cairn_wasi_config wc;
  cairn_wasi_config_init(&wc);
  wc.argc = 2;
  wc.argv = argv;
  wc.npreopens = 1;
  wc.preopens = &pre;
  wc.stdio[0] = wc.stdio[1] = wc.stdio[2] = 2; /* never used: memio */
  if (!(w = cairn_wasi_new(s, &wc, &err))) { r = clean_error(&err, "wasi_new"); goto done; }
  size_t n = cairn_module_import_count(gFileio);
  imports = cairn_malloc(n * sizeof *imports);
  if (!imports) { snprintf(zWhy, sizeof zWhy, "cairn_malloc"); r = FS_CLEAN; goto done; }
  if (!cairn_wasi_define_imports_memio(w, gFileio, imports, &io, &err)) {
    r = clean_error(&err, "define_imports");
    goto done;
  }
  cairn_instance *inst = cairn_instance_new(s, gFileio, imports, n, &err);
  if (!inst) { r = clean_error(&err, "instance_new"); goto done; }
  if (!cairn_wasi_bind_instance(w, inst, &err)) { r = clean_error(&err, "bind"); goto done; }
  cairn_extern start;
  if (!cairn_instance_export(inst, "_start", 6, &start)) { r = FS_WRONG; goto done; }
  if (!cairn_func_call(start.of.func, NULL, 0, NULL, 0, &err) &&
      !(err.kind == CAIRN_ERR_TRAP && err.trap == CAIRN_TRAP_EXIT && err.exit_code == 0)) {
    if (err.kind == CAIRN_ERR_TRAP && err.trap == CAIRN_TRAP_EXIT) {
      /* the program saw a failed call (an errno from WASI) and said so */
      snprintf(zWhy, sizeof zWhy, "exit %d after: %.*s", err.exit_code, (int)io.out.len,
               io.out.data ? (const char *)io.out.data : "");
      r = G.injected ? FS_CLEAN : FS_WRONG;
    } else {
      r = clean_error(&err, "_start");
    }
    goto done;
  }
  if (io.out.len != sizeof kExpect - 1 || memcmp(io.out.data, kExpect, io.out.len) != 0) {
    snprintf(zWhy, sizeof zWhy, "output: %.*s", (int)io.out.len,
             io.out.data ? (const char *)io.out.data : "");
    r = FS_WRONG;
  }
done:
  cairn_wasi_free(w);
  cairn_store_free(s);
  cairn_free(imports);
  free(io.out.data);
  free(io.err.data);
  return r;
}

/* ---- serve's request path ---- */

static FuncSet *gSet;

static int one_request(ServeFunc *f, const char *body) {
  static const char kHost[] = "127.0.0.1:8080";
  HttpRequest h;
  memset(&h, 0, sizeof h);
  h.method = "POST";
  h.method_len = 4;
  h.target = "/echo/a/b?x=1";
  h.target_len = strlen(h.target);
  h.minor = 1;
  h.headers[0] = (HttpHeader){"Host", kHost, 4, sizeof kHost - 1};
  h.headers[1] = (HttpHeader){"X-Test", "yes", 6, 3};
  h.nheaders = 2;
  FuncRequest rq = {&h, "/echo/a/b", 9, "x=1", 3, (const uint8_t *)body, strlen(body),
                    "127.0.0.1", 4242, "127.0.0.1", 8080};
  RunWatch watch;
  memset(&watch, 0, sizeof watch);
  pthread_mutex_init(&watch.mu, NULL);
  FuncResult res;
  func_run(f, 0, &watch, &rq, &res);
  pthread_mutex_destroy(&watch.mu);
  int r = FS_OK;
  char want[128];
  snprintf(want, sizeof want, "body: %s\nbody-length: %zu\n", body, strlen(body));
  if (res.status == 500 && G.injected) {
    snprintf(zWhy, sizeof zWhy, "500: %s", res.detail);
    r = FS_CLEAN;
  } else if (res.status != 200 || !res.body ||
             !memmem(res.body, res.body_len, "header: HTTP_X_TEST=yes", 23) ||
             !memmem(res.body, res.body_len, "url: http://127.0.0.1:8080/echo/a/b?x=1", 39) ||
             !memmem(res.body, res.body_len, want, strlen(want))) {
    snprintf(zWhy, sizeof zWhy, "status %d (%s): %.*s", res.status, res.detail,
             (int)(res.body_len > 300 ? 300 : res.body_len), res.body ? (const char *)res.body : "");
    r = FS_WRONG;
  }
  free(res.head);
  return r;
}

static int run_serve(void) {
  ServeFunc *f = &gSet->funcs[0];
  int r = one_request(f, "first"); /* a cold slot: store, WASI, instance, snapshot */
  if (r == FS_OK) r = one_request(f, "second"); /* warm: restore, reset, run */
  funcset_release_worker(gSet, 0);
  return r;
}

/* ---- a store's own hook ---- */

/* A byte budget, as an embedder would cap a tenant. */
typedef struct Budget {
  size_t limit, used;
  long live;
  bool sizesOk; /* every osize matched what this hook handed out */
} Budget;

static void *budget_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  Budget *b = ud;
  if (osize > b->used) b->sizesOk = false;
  if (nsize == 0) {
    b->used -= osize;
    b->live--;
    free(ptr);
    return NULL;
  }
  if (b->used - osize + nsize > b->limit) return NULL;
  void *p = __real_realloc(ptr, nsize);
  if (!p) return NULL;
  b->used = b->used - osize + nsize;
  if (!ptr) b->live++;
  return p;
}

/* Store-owned blocks (instance, functions, tables, frames, WASI state) go to
** the store's hook with exact old sizes; module blocks do not; a budget makes
** table.grow fail cleanly; freeing the store and its WASI state returns all. */
static void test_store_hook(void) {
  zPath = "store-hook";
  Budget b = {64u << 20, 0, 0, true}; /* the interpreter stack alone is 8 MiB */
  cairn_store_config cfg = {.alloc = budget_alloc, .alloc_ud = &b};
  long g0 = G.live;
  cairn_store *saved = gStore;
  gStore = cairn_store_new(&cfg);
  if (!gStore) {
    FAIL("store_new with a hook");
    return;
  }
  cairn_valtype ii[2] = {CAIRN_I32, CAIRN_I32};
  cairn_functype ft = {2, 1, ii, ii};
  cairn_valtype wide[WIDE + 1];
  for (int i = 0; i <= WIDE; i++) wide[i] = CAIRN_I32;
  cairn_functype wt = {WIDE, 1, wide, wide};
  cairn_extern imp[2] = {{CAIRN_EXTERN_FUNC, {.func = cairn_func_new(gStore, &ft, host_add, NULL)}},
                         {CAIRN_EXTERN_FUNC, {.func = cairn_func_new(gStore, &wt, host_wide, NULL)}}};
  cairn_error err;
  gInst = cairn_instance_new(gStore, gMod, imp, 2, &err);
  cairn_wasi_config wc;
  cairn_wasi_config_init(&wc);
  cairn_wasi *w = cairn_wasi_new(gStore, &wc, &err);
  long live1 = b.live;
  zWhy[0] = 0;
  int r = gInst && w ? call_all() : FS_WRONG;
  if (!gInst || !w || r != FS_OK) FAIL("instance in a hooked store (%s; %s)", zWhy, err.msg);
  if (G.live != g0) FAIL("%ld store blocks went to the default hook", G.live - g0);
  if (live1 <= 0) FAIL("the store's hook was not used");
  /* past the budget: table.grow answers -1, the store goes on */
  cairn_val v;
  if (gInst && (call("tgrow", 1 << 24, 0, 1, &v) != FS_OK || v.of.i32 != -1))
    FAIL("table.grow past the store's budget did not fail cleanly (%s)", zWhy);
  if (gInst && grow("tgrow", 1, 5) != FS_OK) FAIL("table.grow after a refusal (%s)", zWhy);
  cairn_store_free(gStore);
  if (b.live <= 0 || !w) FAIL("after store_free, %ld blocks (the WASI state's should be left)", b.live);
  cairn_wasi_free(w); /* after its store: its blocks remember their hook */
  if (b.live != 0 || b.used != 0 || !b.sizesOk)
    FAIL("store hook: %ld blocks, %zu bytes left, sizes %s", b.live, b.used,
         b.sizesOk ? "exact" : "wrong");
  gStore = saved;
  gInst = NULL;
  printf("faultsim: store-hook  store blocks from the store's hook with exact sizes, "
         "budget refusal clean, all returned\n");
}

/* ---- main ---- */

/* Translates every function of m now. Lazy translation at a first call
** allocates code the module keeps: a failure path reaching a function for
** the first time would look like a leak. (The translate path tests it.) */
static void translate_all(const cairn_module *m) {
  cairn_error err;
  for (uint32_t i = m->nFuncImport; i < m->nFunc; i++)
    if (!interp_translate(m, i, &err)) printf("FAIL translate %u: %s\n", i, err.msg), nFail++;
}

static cairn_module *load(const char *path) {
  cairn_error err;
  cairn_module *m = cairn_module_from_file(path, &err);
  if (!m) printf("FAIL cannot load %s: %s\n", path, err.msg);
  if (m) translate_all(m);
  return m;
}

int main(int argc, char **argv) {
  /* Before any other Cairn call (cairn_set_allocator's contract). */
  cairn_set_allocator(fs_alloc, &G);
  static char zTrace[64];
  if (getenv("FAULTSIM_TRACE")) {
    snprintf(zTrace, sizeof zTrace, "%s", getenv("FAULTSIM_TRACE"));
    char *colon = strchr(zTrace, ':');
    if (colon) {
      *colon = 0;
      zTracePath = zTrace;
      nTrace = (size_t)atol(colon + 1);
    }
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  cairn_error err;
  if (!cairn_wat_to_wasm(kWat, sizeof kWat - 1, &gBin, &gBinLen, &err)) {
    printf("FAIL wat: %s\n", err.msg);
    return 1;
  }
  gMod = cairn_module_new(gBin, gBinLen, &err);
  if (!gMod) {
    printf("FAIL module: %s\n", err.msg);
    return 1;
  }
  /* translate every function of gMod once, so the paths after the translate
  ** path see translated code */
  instantiate(gMod);
  if (call_all() != FS_OK) printf("FAIL warm-up: %s\n", zWhy), nFail++;
  store_teardown();

  static const Path kEngine[] = {
      {"decode", nothing, run_decode, nothing},
      {"validate", decode_setup, run_validate, decode_teardown},
      {"translate", translate_setup, run_translate, translate_teardown},
      {"instantiate", nothing, run_instantiate, store_teardown},
      {"run", run_setup, run_run, store_teardown},
      {"text", nothing, run_text, nothing},
  };
  for (size_t i = 0; i < sizeof kEngine / sizeof kEngine[0]; i++) drive(&kEngine[i]);
  test_store_hook();

  bool ci = getenv("CI") && strcmp(getenv("CI"), "true") == 0;
  if (argc >= 3) {
    gFileioPath = argv[1];
    gEchoPath = argv[2];
    snprintf(gBox, sizeof gBox, "%s/cairn-faultsim.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(gBox)) {
      printf("FAIL mkdtemp\n");
      return 1;
    }
    if ((gFileio = load(gFileioPath))) {
      static const Path kWasi = {"wasi", wasi_setup, run_wasi, nothing};
      drive(&kWasi);
      cairn_module_free(gFileio);
    } else {
      nFail++;
    }
    rm_tree(gBox, true);

    ServeConf conf;
    serve_conf_init(&conf);
    char route[1024], msg[512];
    snprintf(route, sizeof route, "/echo=%s", gEchoPath);
    MetricsReg *reg = metrics_reg_new();
    if (!serve_conf_add_route(&conf, route, msg, sizeof msg) ||
        !(gSet = funcset_load(&conf, 1, reg, msg, sizeof msg))) {
      printf("FAIL serve: %s\n", msg);
      nFail++;
    } else {
      translate_all(gSet->funcs[0].module);
      static const Path kServe = {"serve", nothing, run_serve, nothing};
      drive(&kServe);
      funcset_free(gSet);
    }
    metrics_reg_free(reg);
    serve_conf_free(&conf);
  } else {
    printf("%s: WASI and serve paths skipped (no wasm32-wasi modules given)\n",
           ci ? "FAIL" : "SKIP");
    if (ci) nFail++;
  }

  cairn_module_free(gMod);
  cairn_free(gBin);
  /* Everything is freed: what is left is at most this thread's signal stack
  ** (trap.c; freed at thread exit, and not made when a sanitizer set one). */
  zPath = "end";
  if (G.live > 1) FAIL("%ld blocks still live after every object was freed", G.live);
  printf("faultsim: %ld blocks live at the end (the thread's signal stack)\n", G.live);
  printf("faultsim: %d failures\n", nFail);
  return nFail ? 1 : 0;
}
