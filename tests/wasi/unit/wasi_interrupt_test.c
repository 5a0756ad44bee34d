/* wasi_interrupt_test.c [SLEEP_WASM]: a guest blocked in a WASI call, run
** through the real engine, stops at cairn_store_interrupt from another
** thread. A text module calls poll_oneoff with a 100 s clock; SLEEP_WASM (if
** given) is tests/wasi/programs/sleep.c built with clang --target=wasm32-wasi,
** whose _start calls sleep(100). Each must end with CAIRN_TRAP_INTERRUPT
** within about a second of the interrupt (200 ms after the call starts); the
** trap consumes the interrupt (the store then runs again), and snapshot
** restore clears a pending one. Prints `wasi interrupt: N checks, N failed`. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cairn/cairn.h"
#include "cairn/wasi.h"

static int checks, fails;
#define CHECK(c)                                                      \
  do {                                                                \
    checks++;                                                         \
    if (!(c)) {                                                       \
      fails++;                                                        \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);             \
    }                                                                 \
  } while (0)

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct Interrupter {
  cairn_store *s;
  int ms;
  pthread_t th;
} Interrupter;

static void *interrupter_main(void *arg) {
  Interrupter *it = arg;
  struct timespec ts = {it->ms / 1000, (long)(it->ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
  cairn_store_interrupt(it->s);
  return NULL;
}

/* Calls f (args given) while a thread interrupts s after 200 ms; checks the
** interrupt trap arrives within ~1 s and is consumed. */
static void expect_interrupted(const char *what, cairn_store *s, cairn_func *f,
                               const cairn_val *args, size_t nargs, size_t nres) {
  Interrupter it = {s, 200, 0};
  CHECK(pthread_create(&it.th, NULL, interrupter_main, &it) == 0);
  cairn_error err;
  memset(&err, 0, sizeof err);
  cairn_val res[1];
  long t0 = now_ms();
  bool ok = cairn_func_call(f, args, nargs, res, nres, &err);
  long dt = now_ms() - t0;
  pthread_join(it.th, NULL);
  CHECK(!ok);
  CHECK(err.kind == CAIRN_ERR_TRAP && err.trap == CAIRN_TRAP_INTERRUPT);
  CHECK(dt >= 150 && dt < 2000);   /* ~200 ms; slack for a loaded machine */
  CHECK(!cairn_store_interrupted(s));
  printf("   %s: %s after %ld ms\n", what, ok ? "returned" : err.msg, dt);
}

static const char kWat[] =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"poll_oneoff\"\n"
    "    (func $poll (param i32 i32 i32 i32) (result i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  ;; one clock subscription at 0 (monotonic, relative ns), event at 64\n"
    "  (func (export \"nap\") (param $ns i64) (result i32)\n"
    "    (i32.store8 (i32.const 8) (i32.const 0))\n"
    "    (i32.store (i32.const 16) (i32.const 1))\n"
    "    (i64.store (i32.const 24) (local.get $ns))\n"
    "    (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128))))\n";

static void wat_guest(void) {
  printf("-- poll_oneoff from a text module\n");
  cairn_error err;
  memset(&err, 0, sizeof err);
  cairn_module *m = cairn_module_from_text(kWat, strlen(kWat), &err);
  CHECK(m != NULL);
  if (!m) {
    printf("   %s\n", err.msg);
    return;
  }
  cairn_store *s = cairn_store_new(NULL);
  cairn_wasi_config cfg;
  cairn_wasi_config_init(&cfg);
  cairn_wasi *w = cairn_wasi_new(s, &cfg, &err);
  cairn_extern imports[1];
  CHECK(w && cairn_wasi_define_imports(w, m, imports, NULL, &err));
  cairn_instance *inst = cairn_instance_new(s, m, imports, 1, &err);
  CHECK(inst && cairn_wasi_bind_instance(w, inst, &err));
  cairn_extern nap;
  CHECK(inst && cairn_instance_export(inst, "nap", 3, &nap));
  cairn_snapshot *snap = inst ? cairn_snapshot_new(inst, &err) : NULL;
  CHECK(snap != NULL);
  if (inst && snap) {
    cairn_val a = {.type = CAIRN_I64, .of.i64 = 100000000000LL};  /* 100 s */
    expect_interrupted("nap(100 s)", s, nap.of.func, &a, 1, 1);
    /* the store runs again: a 20 ms nap returns 0 (success) */
    cairn_val r;
    a.of.i64 = 20000000;
    long t0 = now_ms();
    CHECK(cairn_func_call(nap.of.func, &a, 1, &r, 1, &err) && r.of.i32 == 0);
    CHECK(now_ms() - t0 >= 19);
    /* an interrupt pending before the call stops it at once */
    cairn_store_interrupt(s);
    CHECK(cairn_store_interrupted(s));
    a.of.i64 = 100000000000LL;
    t0 = now_ms();
    CHECK(!cairn_func_call(nap.of.func, &a, 1, &r, 1, &err) && err.trap == CAIRN_TRAP_INTERRUPT);
    CHECK(now_ms() - t0 < 500);
    CHECK(!cairn_store_interrupted(s));
    /* snapshot restore clears a pending interrupt */
    cairn_store_interrupt(s);
    CHECK(cairn_snapshot_restore(snap, &err));
    CHECK(!cairn_store_interrupted(s));
  }
  cairn_snapshot_free(snap);
  cairn_wasi_free(w);
  cairn_store_free(s);
  cairn_module_free(m);
}

/* The C program: _start calls sleep(100); stdout goes to a memory buffer. */
static void c_guest(const char *path) {
  printf("-- sleep(100) in %s\n", path);
  cairn_error err;
  memset(&err, 0, sizeof err);
  cairn_module *m = cairn_module_from_file(path, &err);
  CHECK(m != NULL);
  if (!m) {
    printf("   %s\n", err.msg);
    return;
  }
  cairn_store *s = cairn_store_new(NULL);
  const char *argv[] = {"sleep", "100"};
  cairn_wasi_config cfg;
  cairn_wasi_config_init(&cfg);
  cfg.argc = 2;
  cfg.argv = argv;
  cairn_wasi *w = cairn_wasi_new(s, &cfg, &err);
  uint32_t n = cairn_module_import_count(m);
  cairn_extern *imports = calloc(n + 1, sizeof *imports);
  cairn_wasi_memio io;
  memset(&io, 0, sizeof io);
  CHECK(w && imports && cairn_wasi_define_imports_memio(w, m, imports, &io, &err));
  cairn_instance *inst = cairn_instance_new(s, m, imports, n, &err);
  CHECK(inst && cairn_wasi_bind_instance(w, inst, &err));
  cairn_extern start;
  CHECK(inst && cairn_instance_export(inst, "_start", 6, &start));
  if (inst) {
    expect_interrupted("_start", s, start.of.func, NULL, 0, 0);
    CHECK(io.out.len == 8 && memcmp(io.out.data, "waiting\n", 8) == 0);
  }
  free(io.out.data);
  free(io.err.data);
  free(imports);
  cairn_wasi_free(w);
  cairn_store_free(s);
  cairn_module_free(m);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  wat_guest();
  if (argc > 1) c_guest(argv[1]);
  printf("wasi interrupt: %d checks, %d failed\n", checks, fails);
  return fails != 0;
}
