/*
** trap.c: traps. Holds the runtime's only process-global state (runtime.h):
** the SIGSEGV/SIGBUS handler that turns guard-page faults of running Wasm
** code into traps, the previous handlers it chains to, and the thread-local
** landing pad rt_trap_pad plus each thread's alternate signal stack.
*/
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "engine/runtime/rtint.h"

_Thread_local TrapPad *rt_trap_pad;

#define RT_ALTSTACK_SIZE (64 * 1024)

static struct sigaction rtOldSegv, rtOldBus;  /* handlers before ours, chained to */
static pthread_once_t rtOnce = PTHREAD_ONCE_INIT;
static pthread_key_t rtAltKey;                /* frees a thread's alternate stack at exit */
static _Thread_local bool rtThreadReady;

/* A fault with a landing pad set is a Wasm out-of-bounds access (the tiers
** set a pad only around Wasm execution): jump there. Otherwise hand the
** signal to whoever handled it before, or restore the default action and
** return, so that the faulting instruction re-raises it and the process dies
** as it would have without us. */
static void rt_on_fault(int sig, siginfo_t *si, void *ctx) {
  TrapPad *pad = rt_trap_pad;
  if (pad) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    siglongjmp(pad->jb, 1);
  }
  struct sigaction *old = sig == SIGSEGV ? &rtOldSegv : &rtOldBus;
  if ((old->sa_flags & SA_SIGINFO) && old->sa_sigaction) {
    old->sa_sigaction(sig, si, ctx);
    return;
  }
  if (!(old->sa_flags & SA_SIGINFO) && old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
    old->sa_handler(sig);
    return;
  }
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, NULL);
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
  rt_trap_pad = NULL;  /* touch the TLS block now, not first in the handler */
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

void rt_trap(cairn_error *err, cairn_trapkind kind) {
  if (!err) return;
  base_error_clear(err);
  err->kind = kind == CAIRN_TRAP_STACK_EXHAUSTED ? CAIRN_ERR_EXHAUSTION : CAIRN_ERR_TRAP;
  err->trap = kind;
  snprintf(err->msg, sizeof err->msg, "%s", cairn_trap_message(kind));
}
