/*
** sock.c: sock_accept, sock_recv, sock_send and sock_shutdown on sockets the
** host pre-opened (listeners in cairn_wasi_config) and the connections
** accepted from them. A blocking accept, receive or send waits only in
** wasi_wait_fd (bounded slices, interruptible); the syscalls themselves never
** block (MSG_DONTWAIT, or accept after the listener polled readable).
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi/wasi_internal.h"

/* A socket descriptor: EBADF, ENOTSOCK, then rights. */
static WasiFd *sock_get(cairn_wasi *w, uint32_t fd, uint64_t rights, int *err) {
  int e;
  WasiFd *f = wasi_fd_get(w, fd, 0, &e);
  if (!f) { *err = e; return NULL; }
  if (f->kind != WASI_KIND_LISTENER && f->kind != WASI_KIND_SOCKET &&
      f->filetype != WASI_FT_SOCK_STREAM && f->filetype != WASI_FT_SOCK_DGRAM) {
    *err = WASI_ENOTSOCK;
    return NULL;
  }
  if ((f->rights & rights) != rights) { *err = WASI_ENOTCAPABLE; return NULL; }
  return f;
}

/* Skips k bytes of the iovecs *iov (n of them); empty ones are dropped. */
static void sock_iov_advance(struct iovec **iov, int *n, size_t k) {
  while (*n > 0 && k >= (*iov)->iov_len) {
    k -= (*iov)->iov_len;
    (*iov)++;
    (*n)--;
  }
  if (*n > 0 && k) {
    (*iov)->iov_base = (uint8_t *)(*iov)->iov_base + k;
    (*iov)->iov_len -= k;
  }
}

int wasi_sock_io(cairn_wasi *w, int host, bool send, struct iovec *iov, int niov, int flags,
                 size_t *done, int *mflags, cairn_error *trap) {
  /* MSG_WAITALL is done here (the kernel ignores it with MSG_DONTWAIT);
  ** with MSG_PEEK it cannot be, as each peek sees the same bytes again. */
  bool all = send || ((flags & MSG_WAITALL) && !(flags & MSG_PEEK));
  flags &= ~MSG_WAITALL;
  *done = 0;
  for (;;) {
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = iov;
    mh.msg_iovlen = (size_t)niov;
    ssize_t r = send ? sendmsg(host, &mh, flags | MSG_NOSIGNAL | MSG_DONTWAIT)
                     : recvmsg(host, &mh, flags | MSG_DONTWAIT);
    if (r > 0) {
      *done += (size_t)r;
      if (mflags) *mflags = mh.msg_flags;
      sock_iov_advance(&iov, &niov, (size_t)r);
      if (!all || niov == 0) return WASI_ESUCCESS;
      continue;
    }
    if (r == 0) {                       /* end of stream (or an empty buffer) */
      if (mflags && *done == 0) *mflags = mh.msg_flags;
      return WASI_ESUCCESS;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return *done ? WASI_ESUCCESS : wasi_errno(errno);
    int fl = fcntl(host, F_GETFL);
    if (fl < 0 || (fl & O_NONBLOCK)) return *done ? WASI_ESUCCESS : WASI_EAGAIN;
    if (*done && !all) return WASI_ESUCCESS;
    if (wasi_wait_fd(w, host, send ? POLLOUT : POLLIN, trap) < 0) return -1;
  }
}

int wasi_sock_accept(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  int err;
  WasiFd *f = sock_get(w, A32(0), R_SOCK_ACCEPT, &err);
  if (!f) return err;
  uint32_t flags = A32(1);
  if (flags & ~(uint32_t)WASI_FDF_NONBLOCK) return WASI_EINVAL;
  if (!wasi_mem(w, A32(2), 4)) return WASI_EFAULT;
  int h, e;
  for (;;) {
    if (wasi_wait_fd(w, f->host, POLLIN, trap) < 0) return -1;
    h = accept4(f->host, NULL, NULL,
                SOCK_CLOEXEC | ((flags & WASI_FDF_NONBLOCK) ? SOCK_NONBLOCK : 0));
    if (h >= 0) break;
    e = errno;
    if (e == EINTR) continue;
    if (e != EAGAIN && e != EWOULDBLOCK) return wasi_errno(e);
    /* Someone else took the connection: wait again, unless non-blocking. */
    int fl = fcntl(f->host, F_GETFL);
    if (fl < 0 || (fl & O_NONBLOCK)) return wasi_errno(e);
  }
  int64_t g = wasi_fd_add(w, h, WASI_FT_SOCK_STREAM, WASI_KIND_SOCKET, R_SOCK_BASE,
                          R_SOCK_BASE, false);
  if (g < 0) return WASI_EMFILE;
  wasi_put_u32(w, A32(2), (uint32_t)g);
  return WASI_ESUCCESS;
}

int wasi_sock_recv(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  int err;
  WasiFd *f = sock_get(w, A32(0), R_FD_READ, &err);
  if (!f) return err;
  uint32_t riflags = A32(3);
  if (riflags & ~3u) return WASI_EINVAL;
  if (!wasi_mem(w, A32(4), 4) || !wasi_mem(w, A32(5), 2)) return WASI_EFAULT;
  struct iovec small[64], *iov;
  int n;
  err = wasi_iovs(w, A32(1), A32(2), small, &iov, &n);
  if (err) return err;
  int fl = ((riflags & 1) ? MSG_PEEK : 0) | ((riflags & 2) ? MSG_WAITALL : 0);
  size_t done = 0;
  int mflags = 0;
  err = wasi_sock_io(w, f->host, false, iov, n, fl, &done, &mflags, trap);
  if (iov != small) free(iov);
  if (err) return err;
  wasi_put_u32(w, A32(4), (uint32_t)done);
  wasi_put_u16(w, A32(5), (mflags & MSG_TRUNC) ? 1 : 0);
  return WASI_ESUCCESS;
}

int wasi_sock_send(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  int err;
  WasiFd *f = sock_get(w, A32(0), R_FD_WRITE, &err);
  if (!f) return err;
  if (A32(3) != 0) return WASI_EINVAL;
  if (!wasi_mem(w, A32(4), 4)) return WASI_EFAULT;
  struct iovec small[64], *iov;
  int n;
  err = wasi_iovs(w, A32(1), A32(2), small, &iov, &n);
  if (err) return err;
  size_t done = 0;
  err = wasi_sock_io(w, f->host, true, iov, n, 0, &done, NULL, trap);
  if (iov != small) free(iov);
  if (err) return err;
  wasi_put_u32(w, A32(4), (uint32_t)done);
  return WASI_ESUCCESS;
}

int wasi_sock_shutdown(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  int err;
  WasiFd *f = sock_get(w, A32(0), R_SOCK_SHUTDOWN, &err);
  if (!f) return err;
  int how;
  switch (A32(1)) {
  case 1: how = SHUT_RD; break;
  case 2: how = SHUT_WR; break;
  case 3: how = SHUT_RDWR; break;
  default: return WASI_EINVAL;
  }
  return shutdown(f->host, how) == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}
