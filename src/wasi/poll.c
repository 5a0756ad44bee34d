/*
** poll.c: poll_oneoff with clock subscriptions (relative or absolute, any
** WASI clock) and fd_read / fd_write subscriptions, on top of ppoll(2).
** Layouts: subscription 48 bytes (userdata u64, tag u8 @8, clock {id u32 @16,
** timeout u64 @24, precision u64 @32, flags u16 @40} or fd u32 @16);
** event 32 bytes (userdata u64, error u16 @8, type u8 @10, nbytes u64 @16,
** flags u16 @24).
** Waits are cut into slices of at most WASI_WAIT_SLICE_NS; between slices the
** store's interrupt (a deadline) is tested, and a pending one ends the call
** with the CAIRN_TRAP_INTERRUPT trap, so a sleeping or blocked guest stops
** as promptly as a spinning one. wasi_wait_fd gives the same to the calls
** that block on one descriptor (fd_read/fd_write on pipes and terminals,
** sock_accept, sock_recv, sock_send).
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wasi/wasi_internal.h"

enum { EV_CLOCK = 0, EV_FD_READ = 1, EV_FD_WRITE = 2 };
#define WASI_HANGUP 1

static int64_t poll_now(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

bool wasi_interrupted(cairn_wasi *w, cairn_error *trap) {
  if (!cairn_store_interrupted(w->store)) return false;
  if (trap) {
    memset(trap, 0, sizeof *trap);
    trap->kind = CAIRN_ERR_TRAP;
    trap->trap = CAIRN_TRAP_INTERRUPT;
    trap->offset = -1;
    snprintf(trap->msg, sizeof trap->msg, "%s", cairn_trap_message(CAIRN_TRAP_INTERRUPT));
  }
  return true;
}

int wasi_wait_fd(cairn_wasi *w, int fd, short events, cairn_error *trap) {
  struct pollfd p = {.fd = fd, .events = events};
  struct timespec ts = {0, 0};
  if (ppoll(&p, 1, &ts, NULL) != 0) return 0;    /* ready, or an error the I/O reports */
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0 && (fl & O_NONBLOCK)) return 0;    /* the I/O call answers EAGAIN */
  for (;;) {
    if (wasi_interrupted(w, trap)) return -1;
    ts.tv_nsec = WASI_WAIT_SLICE_NS;
    int r = ppoll(&p, 1, &ts, NULL);
    if (r > 0 || (r < 0 && errno != EINTR)) return 0;
  }
}

typedef struct PollSub {
  uint64_t userdata;
  uint8_t type;
  uint16_t error;      /* set: reported without waiting */
  int pfd;             /* index in the pollfd array, or -1 */
  int64_t deadline;    /* clocks: monotonic deadline in ns */
  int hostfd;
} PollSub;

static void poll_event(uint8_t *e, uint64_t userdata, uint16_t error, uint8_t type,
                       uint64_t nbytes, uint16_t flags) {
  memset(e, 0, 32);
  wasi_le64(e, userdata);
  wasi_le16(e + 8, error);
  e[10] = type;
  wasi_le64(e + 16, nbytes);
  wasi_le16(e + 24, flags);
}

int wasi_poll_oneoff(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  uint32_t in = A32(0), out = A32(1), n = A32(2), pn = A32(3);
  if (n == 0) return WASI_EINVAL;
  const uint8_t *subs = wasi_mem(w, in, (uint64_t)n * 48);
  if (!subs || !wasi_mem(w, out, (uint64_t)n * 32) || !wasi_mem(w, pn, 4)) return WASI_EFAULT;
  PollSub *ps = calloc(n, sizeof *ps);
  struct pollfd *pf = calloc(n, sizeof *pf);
  if (!ps || !pf) {
    free(ps);
    free(pf);
    return WASI_ENOMEM;
  }
  int npf = 0;
  bool immediate = false, have_clock = false;
  int64_t now = poll_now(CLOCK_MONOTONIC), first = INT64_MAX;
  for (uint32_t i = 0; i < n; i++) {
    const uint8_t *s = subs + 48 * i;
    PollSub *p = &ps[i];
    p->userdata = wasi_rd64(s);
    p->type = s[8];
    p->pfd = -1;
    if (p->type == EV_CLOCK) {
      uint32_t id = wasi_rd32(s + 16);
      uint64_t timeout = wasi_rd64(s + 24);
      uint16_t flags = wasi_rd16(s + 40);
      clockid_t c;
      switch (id) {
      case 0: c = CLOCK_REALTIME; break;
      case 1: c = CLOCK_MONOTONIC; break;
      case 2: c = CLOCK_PROCESS_CPUTIME_ID; break;
      case 3: c = CLOCK_THREAD_CPUTIME_ID; break;
      default: p->error = WASI_EINVAL; immediate = true; continue;
      }
      int64_t rel;
      if (flags & 1) {
        int64_t t = timeout > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)timeout;
        rel = t - poll_now(c);
        if (rel < 0) rel = 0;
      } else {
        rel = timeout > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)timeout;
      }
      p->deadline = rel > INT64_MAX - now ? INT64_MAX : now + rel;
      if (p->deadline < first) first = p->deadline;
      have_clock = true;
    } else if (p->type == EV_FD_READ || p->type == EV_FD_WRITE) {
      int err;
      WasiFd *f = wasi_fd_get(w, wasi_rd32(s + 16), 0, &err);
      if (f && !(f->rights & (R_POLL_FD_READWRITE | (p->type == EV_FD_READ ? R_FD_READ
                                                                             : R_FD_WRITE)))) {
        f = NULL;
        err = WASI_ENOTCAPABLE;
      }
      if (!f) {
        p->error = (uint16_t)err;
        immediate = true;
        continue;
      }
      p->hostfd = f->host;
      p->pfd = npf;
      pf[npf].fd = f->host;
      pf[npf].events = p->type == EV_FD_READ ? POLLIN : POLLOUT;
      npf++;
    } else {
      p->error = WASI_EINVAL;
      immediate = true;
    }
  }
  /* Wait in slices: until an event, the first clock's deadline or an
  ** interrupt (checked before each slice, so a pending one stops at once). */
  int r;
  for (;;) {
    int64_t slice = immediate ? 0 : WASI_WAIT_SLICE_NS;
    if (slice && have_clock) {
      int64_t left = first - poll_now(CLOCK_MONOTONIC);
      if (left < slice) slice = left < 0 ? 0 : left;
    }
    if (slice && wasi_interrupted(w, trap)) {
      free(ps);
      free(pf);
      return -1;
    }
    struct timespec ts = {0, (long)slice};
    r = ppoll(pf, (nfds_t)npf, &ts, NULL);
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (r > 0 || immediate) break;
    if (have_clock && (slice == 0 || poll_now(CLOCK_MONOTONIC) >= first)) {
      r = 0;
      break;
    }
  }
  if (r < 0) {
    int e = errno;
    free(ps);
    free(pf);
    return wasi_errno(e);
  }
  uint8_t *ev = wasi_mem(w, out, (uint64_t)n * 32);
  uint32_t nev = 0;
  now = poll_now(CLOCK_MONOTONIC);
  for (uint32_t i = 0; i < n; i++) {
    PollSub *p = &ps[i];
    if (p->error) {
      poll_event(ev + 32 * nev++, p->userdata, p->error, p->type, 0, 0);
    } else if (p->type == EV_CLOCK) {
      if (p->deadline <= now) poll_event(ev + 32 * nev++, p->userdata, 0, EV_CLOCK, 0, 0);
    } else if (p->pfd >= 0 && pf[p->pfd].revents) {
      short re = pf[p->pfd].revents;
      uint16_t err = 0, flags = 0;
      uint64_t nbytes = 0;
      if (re & POLLNVAL) err = WASI_EBADF;
      else if (re & POLLERR) err = WASI_EIO;
      if (re & POLLHUP) flags |= WASI_HANGUP;
      if (!err && p->type == EV_FD_READ) {
        struct stat st;
        int avail = 0;
        if (fstat(p->hostfd, &st) == 0 && S_ISREG(st.st_mode)) {
          off_t pos = lseek(p->hostfd, 0, SEEK_CUR);
          if (pos >= 0 && st.st_size > pos) nbytes = (uint64_t)(st.st_size - pos);
        } else if (ioctl(p->hostfd, FIONREAD, &avail) == 0 && avail > 0) {
          nbytes = (uint64_t)avail;
        }
      }
      poll_event(ev + 32 * nev++, p->userdata, err, p->type, nbytes, flags);
    }
  }
  free(ps);
  free(pf);
  wasi_put_u32(w, pn, nev);
  return WASI_ESUCCESS;
}
