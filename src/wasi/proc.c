/*
** proc.c: proc_exit (a CAIRN_TRAP_EXIT trap carrying the code), proc_raise
** (not supported: WASI preview1 gives ENOSYS) and sched_yield.
*/
#include <sched.h>
#include <stdio.h>

#include "wasi/wasi_internal.h"

int wasi_proc_exit(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  if (trap) {
    memset(trap, 0, sizeof *trap);
    trap->kind = CAIRN_ERR_TRAP;
    trap->trap = CAIRN_TRAP_EXIT;
    trap->offset = -1;
    trap->exit_code = a[0].of.i32;
    snprintf(trap->msg, sizeof trap->msg, "exit with status %d", a[0].of.i32);
  }
  return -1;
}

int wasi_proc_raise(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  return WASI_ENOSYS;
}

int wasi_sched_yield(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  sched_yield();
  return WASI_ESUCCESS;
}
