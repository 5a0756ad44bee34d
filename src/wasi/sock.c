/*
** sock.c: sock_accept, sock_recv, sock_send and sock_shutdown on sockets the
** host pre-opened (listeners in cairn_wasi_config) and the connections
** accepted from them.
*/
#define _GNU_SOURCE
#include <errno.h>
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

int wasi_sock_accept(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  int err;
  WasiFd *f = sock_get(w, A32(0), R_SOCK_ACCEPT, &err);
  if (!f) return err;
  uint32_t flags = A32(1);
  if (flags & ~(uint32_t)WASI_FDF_NONBLOCK) return WASI_EINVAL;
  if (!wasi_mem(w, A32(2), 4)) return WASI_EFAULT;
  int h;
  do {
    h = accept4(f->host, NULL, NULL,
                SOCK_CLOEXEC | ((flags & WASI_FDF_NONBLOCK) ? SOCK_NONBLOCK : 0));
  } while (h < 0 && errno == EINTR);
  if (h < 0) return wasi_errno(errno);
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
  struct msghdr mh;
  memset(&mh, 0, sizeof mh);
  mh.msg_iov = iov;
  mh.msg_iovlen = (size_t)n;
  int fl = ((riflags & 1) ? MSG_PEEK : 0) | ((riflags & 2) ? MSG_WAITALL : 0);
  ssize_t r;
  do r = recvmsg(f->host, &mh, fl);
  while (r < 0 && errno == EINTR);
  int e = errno;
  if (iov != small) free(iov);
  if (r < 0) return wasi_errno(e);
  wasi_put_u32(w, A32(4), (uint32_t)r);
  wasi_put_u16(w, A32(5), (mh.msg_flags & MSG_TRUNC) ? 1 : 0);
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
  struct msghdr mh;
  memset(&mh, 0, sizeof mh);
  mh.msg_iov = iov;
  mh.msg_iovlen = (size_t)n;
  ssize_t r;
  do r = sendmsg(f->host, &mh, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  int e = errno;
  if (iov != small) free(iov);
  if (r < 0) return wasi_errno(e);
  wasi_put_u32(w, A32(4), (uint32_t)r);
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
