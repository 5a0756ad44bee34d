/*
** clock_random.c: clock_res_get, clock_time_get (realtime, monotonic,
** process and thread CPU time) and random_get (getrandom(2)).
*/
#define _GNU_SOURCE
#include <errno.h>
#include <sys/random.h>
#include <time.h>

#include "wasi/wasi_internal.h"

static bool wasi_clockid(uint32_t id, clockid_t *out) {
  switch (id) {
  case 0: *out = CLOCK_REALTIME; return true;
  case 1: *out = CLOCK_MONOTONIC; return true;
  case 2: *out = CLOCK_PROCESS_CPUTIME_ID; return true;
  case 3: *out = CLOCK_THREAD_CPUTIME_ID; return true;
  default: return false;
  }
}

int wasi_clock_res_get(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  clockid_t c;
  if (!wasi_clockid(A32(0), &c)) return WASI_EINVAL;
  struct timespec ts;
  if (clock_getres(c, &ts) != 0) return wasi_errno(errno);
  uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  if (ns == 0) ns = 1;
  return wasi_put_u64(w, A32(1), ns) ? WASI_ESUCCESS : WASI_EFAULT;
}

int wasi_clock_time_get(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  clockid_t c;
  if (!wasi_clockid(A32(0), &c)) return WASI_EINVAL;
  struct timespec ts;
  if (clock_gettime(c, &ts) != 0) return wasi_errno(errno);
  uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  return wasi_put_u64(w, A32(2), ns) ? WASI_ESUCCESS : WASI_EFAULT;
}

int wasi_random_get(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  uint32_t len = A32(1);
  uint8_t *p = wasi_mem(w, A32(0), len);
  if (!p) return WASI_EFAULT;
  while (len > 0) {
    ssize_t n = getrandom(p, len, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return wasi_errno(errno);
    }
    p += n;
    len -= (uint32_t)n;
  }
  return WASI_ESUCCESS;
}
