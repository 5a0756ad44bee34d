/*
** trap.c: traps. Holds the runtime's only process-global state (runtime.h):
** the SIGSEGV/SIGBUS handler that turns guard-page faults of running Wasm
** code into traps, the previous handlers it chains to, and the thread-local
** landing pad rt_trap_pad, guest flag rt_in_guest and each thread's
** alternate signal stack.
**
** A fault is a Wasm trap only when all of these hold: the kernel raised it
** for an access (si_code SEGV_MAPERR, SEGV_ACCERR or BUS_ADRERR, never a
** signal sent by kill, tgkill or sigqueue), this thread runs guest code
** (rt_in_guest, a pad set) and the address lies in the reservation (pages
** and guard region) of a guarded memory of the pad's store. Everything else
** is a bug in the engine or the host, or somebody's kill: it goes to the
** handler installed before ours, or kills the process with the signal and a
** core after a one-line report on stderr.
*/
#define _GNU_SOURCE 1 /* REG_RIP, REG_RBP, REG_RSP */
#include <pthread.h>
#include <signal.h>
#include <ucontext.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/runtime/rtint.h"

_Thread_local TrapPad *rt_trap_pad;
_Thread_local volatile int rt_in_guest;

#define RT_ALTSTACK_SIZE (64 * 1024)

static struct sigaction rtOldSegv, rtOldBus;  /* handlers before ours, chained to */
static pthread_once_t rtOnce = PTHREAD_ONCE_INIT;
static pthread_key_t rtAltKey;                /* frees a thread's alternate stack at exit */
static _Thread_local bool rtThreadReady;

/* True if the kernel raised sig for an access to si->si_addr (not kill). */
static bool rt_access_fault(int sig, const siginfo_t *si) {
  if (!si || si->si_code <= 0) return false;
  if (sig == SIGSEGV) return si->si_code == SEGV_MAPERR || si->si_code == SEGV_ACCERR;
  return sig == SIGBUS && si->si_code == BUS_ADRERR;
}

/* True if address a lies in the reservation of a guarded memory of s. Reads
** the store's ownership list only: no allocation, no lock (the store is used
** by this thread alone while its code runs). */
static bool rt_in_reservation(const cairn_store *s, uintptr_t a) {
  if (!s) return false;
  for (uint32_t i = 0; i < s->nOwned; i++) {
    if (s->aOwned[i].kind != RT_MEMORY) continue;
    const cairn_memory *m = s->aOwned[i].p;
    if (m->guarded && a - (uintptr_t)m->base < m->reserved) return true;
  }
  return false;
}

/* ---- the report on stderr (async-signal-safe: write(2) only) ---- */

static size_t rt_put(char *buf, size_t n, const char *z) {
  while (*z && n < 200) buf[n++] = *z++;
  return n;
}

static size_t rt_put_hex(char *buf, size_t n, uintptr_t v) {
  char tmp[2 * sizeof v];
  int k = 0;
  do {
    tmp[k++] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v);
  n = rt_put(buf, n, "0x");
  while (k > 0) buf[n++] = tmp[--k];
  return n;
}

static size_t rt_put_dec(char *buf, size_t n, long v) {
  char tmp[24];
  int k = 0;
  unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;
  if (v < 0) buf[n++] = '-';
  do {
    tmp[k++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  while (k > 0) buf[n++] = tmp[--k];
  return n;
}

static void rt_report(int sig, const siginfo_t *si, bool inReservation) {
  char buf[256];
  size_t n = rt_put(buf, 0, "cairn: fatal ");
  n = rt_put(buf, n, sig == SIGSEGV ? "SIGSEGV" : "SIGBUS");
  if (!si || si->si_code <= 0) {
    n = rt_put(buf, n, " sent by process ");
    n = rt_put_dec(buf, n, si ? (long)si->si_pid : -1);
    n = rt_put(buf, n, " (not a memory fault)");
  } else {
    n = rt_put(buf, n, " at address ");
    n = rt_put_hex(buf, n, (uintptr_t)si->si_addr);
    n = rt_put(buf, n, inReservation ? " in a Wasm memory's reservation outside Wasm code"
                                     : " outside any Wasm memory");
    n = rt_put(buf, n, ": engine or host bug");
  }
  buf[n++] = '\n';
  ssize_t w = write(STDERR_FILENO, buf, n);
  (void)w;
}

/* Not a Wasm trap: hand the signal to whoever handled it before us, or die
** of it as the process would have without us. A fault raised by the kernel
** re-executes its instruction when the handler returns, so restoring the
** default action and returning is enough; a signal sent by kill is raised
** again under the default action (terminate with a core). */
static void rt_forward(int sig, siginfo_t *si, void *ctx) {
  const struct sigaction *old = sig == SIGSEGV ? &rtOldSegv : &rtOldBus;
  bool kernel = si && si->si_code > 0;
  if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
    if (old->sa_flags & SA_SIGINFO)
      old->sa_sigaction(sig, si, ctx);
    else
      old->sa_handler(sig);
    return;
  }
  /* a kill the process ignored before us stays ignored */
  if (!kernel && old->sa_handler == SIG_IGN) return;
  /* the default action first: a fault while reporting kills at once */
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, NULL);
  TrapPad *pad = rt_trap_pad;
  rt_report(sig, si, kernel && pad && rt_in_reservation(pad->store, (uintptr_t)si->si_addr));
  if (kernel) return;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  pthread_sigmask(SIG_UNBLOCK, &set, NULL);
  raise(sig);
}

/* Gives pad->onFault the faulting instruction's pc, fp and sp. */
static void rt_fault_hook(TrapPad *pad, const void *ctx) {
  uintptr_t pc = 0, fp = 0, sp = 0;
#if defined(__x86_64__)
  const ucontext_t *uc = ctx;
  pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
  fp = (uintptr_t)uc->uc_mcontext.gregs[REG_RBP];
  sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
  const ucontext_t *uc = ctx;
  pc = (uintptr_t)uc->uc_mcontext.pc;
  fp = (uintptr_t)uc->uc_mcontext.regs[29];
  sp = (uintptr_t)uc->uc_mcontext.sp;
#else
  (void)ctx;
#endif
  pad->onFault(pad, pc, fp, sp);
}

/* A Wasm out-of-bounds access jumps to the landing pad; anything else is
** forwarded (see the top of the file). */
static void rt_on_fault(int sig, siginfo_t *si, void *ctx) {
  TrapPad *pad = rt_trap_pad;
  if (pad && rt_in_guest && rt_access_fault(sig, si) &&
      rt_in_reservation(pad->store, (uintptr_t)si->si_addr)) {
    if (pad->onFault && ctx) rt_fault_hook(pad, ctx);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    siglongjmp(pad->jb, 1);
  }
  rt_forward(sig, si, ctx);
}

static void rt_free_altstack(void *p) {
  stack_t ss;
  if (sigaltstack(NULL, &ss) == 0 && ss.ss_sp == p) {
    memset(&ss, 0, sizeof ss);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
  }
  base_free(p);
}

static void rt_install_handlers(void) {
  pthread_key_create(&rtAltKey, rt_free_altstack);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = rt_on_fault;
  sigemptyset(&sa.sa_mask);
  /* SA_NODEFER: we leave the handler by siglongjmp with a pad that did not
  ** save the signal mask, so the signal must not stay blocked. */
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigaction(SIGSEGV, &sa, &rtOldSegv);
  sigaction(SIGBUS, &sa, &rtOldBus);
}

void rt_signals_init(void) {
  if (rtThreadReady) return;
  pthread_once(&rtOnce, rt_install_handlers);
  /* touch the TLS block now, not first in the handler */
  (void)*(TrapPad *volatile *)&rt_trap_pad;
  (void)rt_in_guest;
  stack_t ss;
  if (sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_DISABLE)) {
    void *p = base_malloc(RT_ALTSTACK_SIZE);
    if (!p) return;  /* retried at the next call */
    memset(&ss, 0, sizeof ss);
    ss.ss_sp = p;
    ss.ss_size = RT_ALTSTACK_SIZE;
    if (sigaltstack(&ss, NULL) != 0) {
      base_free(p);
      return;
    }
    pthread_setspecific(rtAltKey, p);
  }
  rtThreadReady = true;
}

void rt_frame_fill(cairn_frame *fr, const cairn_func *f, const char *name, uint32_t offset) {
  fr->func_index = f->idx;
  fr->func_name = name;
  fr->instance = f->inst;
  uint32_t entry = f->def ? f->def->entryOffset : 0;
  /* an instruction of the function's body, or the function only (cairn.h) */
  bool known = f->def && offset >= f->def->bodyOffset && offset - f->def->bodyOffset < f->def->nBody;
  fr->func_offset = known ? offset - entry : 0;
  fr->module_offset = known ? offset : entry;
}

void rt_trap(cairn_error *err, cairn_trapkind kind) {
  if (!err) return;
  base_error_clear(err);
  err->kind = kind == CAIRN_TRAP_STACK_EXHAUSTED ? CAIRN_ERR_EXHAUSTION : CAIRN_ERR_TRAP;
  err->trap = kind;
  snprintf(err->msg, sizeof err->msg, "%s", cairn_trap_message(kind));
}
