/*
** test_faults.c: faults vs. traps (runtime/trap.c). A Wasm out-of-bounds
** access is a trap; every other SIGSEGV/SIGBUS kills the process with the
** signal as it would without Cairn: a wild write in a host function, a fault
** in the guard region of a memory while host code runs, a fault outside any
** memory while guest code runs, and a SIGSEGV sent with kill() to a process
** running Wasm. A handler installed before Cairn's is chained to. Each fatal
** case runs in a forked child; the parent checks how it died and what it
** wrote on stderr. Prints each check; exits non-zero on a failure.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/runtime/runtime.h"
#include "check.h"

/* Under AddressSanitizer, let Cairn's handler see faults first (ASan's own
** SEGV handler would report and exit instead of dying of the signal). */
#ifdef TEST_UNDER_ASAN
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "handle_segv=0:handle_sigbus=0"; }
#endif


/* ---- a module with a memory, calling a host function ---- */

static const char *const kWat =
    "(module"
    " (import \"host\" \"poke\" (func $poke))"
    " (memory (export \"mem\") 1)"
    " (func (export \"load\") (param i32) (result i32) (i32.load (local.get 0)))"
    " (func (export \"load_far\") (param i32) (result i32) (i32.load offset=0xfffffff0 (local.get 0)))"
    " (func (export \"store\") (param i32) (i32.store (local.get 0) (i32.const 7)))"
    " (func (export \"poke\") (call $poke))"
    " (func (export \"poke_loop\") (call $poke) (loop $l (br $l))))";

typedef void (*PokeFn)(void);
static PokeFn g_poke;           /* what the host function does */
static cairn_memory *g_mem;     /* the instance's memory */
static int g_readyFd = -1;      /* the host function writes a byte here */

static bool host_poke(void *env, const cairn_val *args, cairn_val *results, cairn_error *trap) {
  if (g_readyFd >= 0) {
    ssize_t w = write(g_readyFd, "r", 1);
    (void)w;
  }
  if (g_poke) g_poke();
  return true;
}

typedef struct Wasm {
  cairn_module *m;
  cairn_store *s;
  cairn_instance *inst;
} Wasm;

static bool wasm_open(Wasm *w) {
  cairn_error err;
  memset(w, 0, sizeof *w);
  w->m = cairn_module_from_text(kWat, strlen(kWat), &err);
  if (!w->m) {
    printf("  module: %s\n", err.msg);
    return false;
  }
  w->s = cairn_store_new(NULL);
  cairn_functype none = {0, 0, NULL, NULL};
  cairn_extern imp = {CAIRN_EXTERN_FUNC, {.func = cairn_func_new(w->s, &none, host_poke, NULL)}};
  w->inst = cairn_instance_new(w->s, w->m, &imp, 1, &err);
  if (!w->inst) {
    printf("  instantiate: %s\n", err.msg);
    return false;
  }
  cairn_extern ex;
  cairn_instance_export(w->inst, "mem", 3, &ex);
  g_mem = ex.of.memory;
  return true;
}

static void wasm_close(Wasm *w) {
  cairn_store_free(w->s);
  cairn_module_free(w->m);
}

/* Calls export name with an optional i32 argument; fills err. */
static bool wasm_call(Wasm *w, const char *name, int nargs, int32_t arg, cairn_error *err) {
  cairn_extern ex;
  if (!cairn_instance_export(w->inst, name, strlen(name), &ex)) return false;
  cairn_val a, r[1];
  memset(&a, 0, sizeof a);
  a.type = CAIRN_I32;
  a.of.i32 = arg;
  memset(err, 0, sizeof *err);
  return cairn_func_call(ex.of.func, &a, (size_t)nargs, r, 1, err);
}

/* ---- children ---- */

typedef struct Death {
  bool signaled;
  int sig;         /* if signaled */
  int code;        /* exit status otherwise */
  char err[1024];  /* what the child wrote on stderr */
} Death;

/* Starts body(arg) in a child whose stderr goes to a temporary file (*fd). */
static pid_t start_child(void (*body)(void *), void *arg, int *fd) {
  char path[] = "/tmp/cairn-faults-XXXXXX";
  *fd = mkstemp(path);
  if (*fd < 0) return -1;
  unlink(path);
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(*fd, 2);
    body(arg);
    _exit(0);
  }
  return pid;
}

/* Waits at most 10 s for pid (then kills it with SIGKILL) and fills d. */
static void wait_child(pid_t pid, int fd, Death *d) {
  memset(d, 0, sizeof d[0]);
  int st = 0;
  bool done = false;
  for (int i = 0; pid > 0 && i < 1000 && !done; i++) {
    if (waitpid(pid, &st, WNOHANG) == pid)
      done = true;
    else
      nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
  }
  if (!done && pid > 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    printf("  child did not finish within 10 s (killed)\n");
  }
  d->signaled = done && WIFSIGNALED(st);
  d->sig = d->signaled ? WTERMSIG(st) : 0;
  d->code = done && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  if (fd >= 0) {
    ssize_t n = pread(fd, d->err, sizeof d->err - 1, 0);
    d->err[n > 0 ? n : 0] = 0;
    close(fd);
  }
}

static void run_child(void (*body)(void *), void *arg, Death *d) {
  int fd;
  pid_t pid = start_child(body, arg, &fd);
  wait_child(pid, fd, d);
}

static bool died_of(const Death *d, int sig) { return d->signaled && d->sig == sig; }

#if defined(CAIRN_BOUNDS_CHECK) || UINTPTR_MAX <= 0xFFFFFFFFu
#define TF_GUARDED 0
#else
#define TF_GUARDED 1
#endif

/* Disables core files in the child: the deaths below are expected. */
static void no_core(void) {
  struct rlimit rl = {0, 0};
  setrlimit(RLIMIT_CORE, &rl);
}

static volatile uintptr_t g_wild = 16; /* hidden from the compiler's bounds warnings */
static void poke_null16(void) { *(volatile int *)g_wild = 1; }

static uint8_t *g_protPage;
static void poke_prot_none(void) { *(volatile int *)g_protPage = 1; }

static void poke_guard(void) {
#if TF_GUARDED /* no reservation past the memory otherwise */
  /* inside the memory's reservation, but host code is running */
  *(volatile int *)(cairn_memory_data(g_mem) + ((size_t)1 << 32)) = 1;
#endif
}

static void poke_as_guest(void) {
  /* what an engine bug in guest state looks like: a fault outside any
  ** memory while the guest flag is set */
  rt_guest_enter();
  *(volatile int *)g_wild = 1;
}

/* The child runs export "poke" whose host function calls arg. */
static void child_poke(void *arg) {
  no_core();
  Wasm w;
  if (!wasm_open(&w)) _exit(90);
  g_poke = (PokeFn)arg;
  cairn_error err;
  wasm_call(&w, "poke", 0, 0, &err);
  _exit(91); /* survived: the fault was swallowed */
}

static void test_host_faults(void) {
  Death d;
  run_child(child_poke, (void *)poke_null16, &d);
  CHECK(died_of(&d, SIGSEGV), "wild write to address 16 in a host function kills with SIGSEGV");
  CHECK(strstr(d.err, "cairn: fatal SIGSEGV at address 0x10 outside any Wasm memory: engine or host bug") != NULL,
        "report names the address");
  printf("  child stderr: %s", d.err);

  g_protPage = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  run_child(child_poke, (void *)poke_prot_none, &d);
  CHECK(died_of(&d, SIGSEGV), "write to the host's own PROT_NONE page kills with SIGSEGV");
  CHECK(strstr(d.err, "outside any Wasm memory") != NULL, "report for the PROT_NONE page");
  munmap(g_protPage, 4096);

  if (TF_GUARDED) {
    run_child(child_poke, (void *)poke_guard, &d);
    CHECK(died_of(&d, SIGSEGV), "host write into a memory's guard region kills with SIGSEGV");
    CHECK(strstr(d.err, "in a Wasm memory's reservation outside Wasm code") != NULL,
          "report for the guard region");
  }

  run_child(child_poke, (void *)poke_as_guest, &d);
  CHECK(died_of(&d, SIGSEGV), "fault outside every reservation in guest state kills with SIGSEGV");
  CHECK(strstr(d.err, "outside any Wasm memory") != NULL, "report for the guest-state fault");
  printf("ok host faults: wild write, PROT_NONE page, guard region, guest-state fault\n");
}

/* ---- a SIGSEGV sent with kill() ---- */

static void child_loop(void *arg) {
  no_core();
  Wasm w;
  if (!wasm_open(&w)) _exit(90);
  g_readyFd = *(int *)arg;
  g_poke = NULL;
  cairn_error err;
  wasm_call(&w, "poke_loop", 0, 0, &err); /* signals readiness, then spins in Wasm */
  _exit(91);
}

/* Starts child_loop, waits until it runs Wasm, sends sig with kill(). */
static void kill_running(int sig, Death *d) {
  int p[2];
  memset(d, 0, sizeof d[0]);
  if (pipe(p) != 0) return;
  int fd;
  pid_t pid = start_child(child_loop, &p[1], &fd);
  close(p[1]);
  char c;
  bool ready = pid > 0 && read(p[0], &c, 1) == 1;
  close(p[0]);
  if (ready) {
    nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL); /* now inside the loop */
    kill(pid, sig);
  }
  wait_child(pid, fd, d);
}

static void test_kill(void) {
  Death d;
  kill_running(SIGSEGV, &d);
  CHECK(died_of(&d, SIGSEGV), "SIGSEGV sent with kill() to a process running Wasm kills it");
  CHECK(strstr(d.err, "cairn: fatal SIGSEGV sent by process") != NULL, "report names the sender");
  printf("  child stderr: %s", d.err);
  kill_running(SIGBUS, &d);
  CHECK(died_of(&d, SIGBUS), "SIGBUS sent with kill() to a process running Wasm kills it");
  printf("ok kill: SIGSEGV and SIGBUS from kill() are not swallowed\n");
}

/* ---- a handler installed before Cairn's is chained to ---- */

static void own_handler(int sig) { _exit(42); }

static void child_chain(void *arg) {
  no_core();
  signal(SIGSEGV, own_handler); /* before the first store installs Cairn's */
  Wasm w;
  if (!wasm_open(&w)) _exit(90);
  cairn_error err;
  /* a Wasm trap still is one... */
  if (wasm_call(&w, "load", 1, 65536, &err) || err.trap != CAIRN_TRAP_MEMORY_OOB) _exit(92);
  /* ...and a host fault goes to the earlier handler */
  g_poke = poke_null16;
  wasm_call(&w, "poke", 0, 0, &err);
  _exit(91);
}

/* ---- Wasm out-of-bounds accesses stay traps ---- */

static void test_wasm_traps(void) {
  Wasm w;
  if (!wasm_open(&w)) {
    CHECK(false, "open the test module");
    return;
  }
  cairn_error err;
  for (int round = 0; round < 3; round++) {
    CHECK(!wasm_call(&w, "load", 1, 65536 - 3 + round, &err) && err.kind == CAIRN_ERR_TRAP &&
              err.trap == CAIRN_TRAP_MEMORY_OOB &&
              strcmp(err.msg, "out of bounds memory access") == 0 && err.nframes == 1,
          "load past the end traps");
    CHECK(!wasm_call(&w, "load_far", 1, -1, &err) && err.trap == CAIRN_TRAP_MEMORY_OOB,
          "load at 2^32 + 2^32 - 16 (guard region) traps");
    CHECK(!wasm_call(&w, "store", 1, 65536, &err) && err.trap == CAIRN_TRAP_MEMORY_OOB,
          "store past the end traps");
  }
  CHECK(wasm_call(&w, "load", 1, 65532, &err), "last word still readable");
  /* a host function that returns normally leaves the pad working */
  g_poke = NULL;
  CHECK(wasm_call(&w, "poke", 0, 0, &err), "host call");
  CHECK(!wasm_call(&w, "load", 1, 70000, &err) && err.trap == CAIRN_TRAP_MEMORY_OOB,
        "trap after a host call");
  CHECK(rt_trap_pad == NULL && rt_in_guest == 0, "pad and guest flag restored after traps");
  wasm_close(&w);
  printf("ok wasm traps: out-of-bounds loads and stores (3 rounds)\n");
}

int main(void) {
  Death d;
  /* first, while no store exists yet in this process */
  run_child(child_chain, NULL, &d);
  CHECK(!d.signaled && d.code == 42, "host fault chained to the handler installed before Cairn's");
  printf("ok chain: earlier SIGSEGV handler called (exit %d)\n", d.code);
  test_wasm_traps();
  test_host_faults();
  test_kill();
  printf("faults: %d checks passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}
