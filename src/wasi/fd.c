/*
** fd.c: the fd_* calls: read/write (plain, positioned, vectored), seek/tell,
** sync, advise, allocate, close, renumber, fdstat and filestat get/set,
** prestat, and readdir with cookies (getdents64 offsets).
*/
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi/wasi_internal.h"

#define WASI_MAX_IOVS 1024

/* ---- shared helpers (also used by path.c) ---- */

void wasi_write_filestat(uint8_t *p, const struct stat *st) {
  memset(p, 0, 64);
  wasi_le64(p + 0, (uint64_t)st->st_dev);
  wasi_le64(p + 8, (uint64_t)st->st_ino);
  p[16] = wasi_filetype(st->st_mode);
  wasi_le64(p + 24, (uint64_t)st->st_nlink);
  wasi_le64(p + 32, (uint64_t)st->st_size);
  wasi_le64(p + 40, (uint64_t)st->st_atim.tv_sec * 1000000000u + (uint64_t)st->st_atim.tv_nsec);
  wasi_le64(p + 48, (uint64_t)st->st_mtim.tv_sec * 1000000000u + (uint64_t)st->st_mtim.tv_nsec);
  wasi_le64(p + 56, (uint64_t)st->st_ctim.tv_sec * 1000000000u + (uint64_t)st->st_ctim.tv_nsec);
}

int wasi_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2]) {
  if (fst & ~0xFu) return WASI_EINVAL;
  if ((fst & WASI_FST_ATIM) && (fst & WASI_FST_ATIM_NOW)) return WASI_EINVAL;
  if ((fst & WASI_FST_MTIM) && (fst & WASI_FST_MTIM_NOW)) return WASI_EINVAL;
  ts[0].tv_sec = 0;
  ts[1].tv_sec = 0;
  ts[0].tv_nsec = UTIME_OMIT;
  ts[1].tv_nsec = UTIME_OMIT;
  if (fst & WASI_FST_ATIM) {
    ts[0].tv_sec = (time_t)(atim / 1000000000u);
    ts[0].tv_nsec = (long)(atim % 1000000000u);
  } else if (fst & WASI_FST_ATIM_NOW) {
    ts[0].tv_nsec = UTIME_NOW;
  }
  if (fst & WASI_FST_MTIM) {
    ts[1].tv_sec = (time_t)(mtim / 1000000000u);
    ts[1].tv_nsec = (long)(mtim % 1000000000u);
  } else if (fst & WASI_FST_MTIM_NOW) {
    ts[1].tv_nsec = UTIME_NOW;
  }
  return WASI_ESUCCESS;
}

/* A descriptor for data operations: a directory is EBADF whatever its rights
** (as wasmtime and the WASI tests expect), then the rights are checked. */
static WasiFd *fd_data(cairn_wasi *w, uint32_t fd, uint64_t rights, int *err) {
  int e;
  WasiFd *f = wasi_fd_get(w, fd, 0, &e);
  if (!f) { *err = e; return NULL; }
  if (f->filetype == WASI_FT_DIR) { *err = WASI_EBADF; return NULL; }
  if ((f->rights & rights) != rights) { *err = WASI_ENOTCAPABLE; return NULL; }
  return f;
}

/* Converts guest iovecs to host ones (bounds-checked). *iov is malloc'd when
** n is large, else it points to stack storage `small` (64 entries). */
int wasi_iovs(cairn_wasi *w, uint32_t ptr, uint32_t n, struct iovec *small,
              struct iovec **iov, int *niov) {
  if (n > WASI_MAX_IOVS) n = WASI_MAX_IOVS;
  const uint8_t *p = wasi_mem(w, ptr, (uint64_t)n * 8);
  if (!p) return WASI_EFAULT;
  struct iovec *v = small;
  if (n > 64) {
    v = malloc(n * sizeof *v);
    if (!v) return WASI_ENOMEM;
  }
  for (uint32_t i = 0; i < n; i++) {
    uint32_t b = wasi_rd32(p + 8 * i), l = wasi_rd32(p + 8 * i + 4);
    uint8_t *h = wasi_mem(w, b, l);
    if (!h) {
      if (v != small) free(v);
      return WASI_EFAULT;
    }
    v[i].iov_base = h;
    v[i].iov_len = l;
  }
  *iov = v;
  *niov = (int)n;
  return WASI_ESUCCESS;
}

enum { IO_READ, IO_WRITE, IO_PREAD, IO_PWRITE };

/* Pipes, terminals, sockets and other devices can make fd_read and fd_write
** wait without end; regular files and block devices do not. */
static bool fd_may_block(const WasiFd *f) {
  return f->filetype != WASI_FT_FILE && f->filetype != WASI_FT_BLOCK &&
         f->filetype != WASI_FT_DIR;
}

/* fd_read / fd_write on a pipe or device that may block: the wait happens in
** wasi_wait_fd (interruptible), then the syscall finds the descriptor ready.
** A write goes out in pieces of at most PIPE_BUF bytes, each after POLLOUT
** (a pipe then has room for it), until everything is written, as a blocking
** write does; in O_NONBLOCK mode the first EAGAIN ends it. Returns a WASI
** errno or -1 (trap filled); *done gets the byte count. */
static int fd_io_wait(cairn_wasi *w, int host, bool wr, struct iovec *iov, int n,
                      size_t *done, cairn_error *trap) {
  *done = 0;
  for (;;) {
    if (wasi_wait_fd(w, host, wr ? POLLOUT : POLLIN, trap) < 0) return -1;
    ssize_t r;
    if (!wr) {
      r = readv(host, iov, n);
    } else {
      /* iov[0..k] holds at most PIPE_BUF bytes; iov[k] cut short for the call */
      size_t sum = 0, keep = 0;
      int k = 0;
      while (k < n - 1 && sum + iov[k].iov_len <= PIPE_BUF) sum += iov[k++].iov_len;
      if (n > 0 && sum + iov[k].iov_len > PIPE_BUF) {
        keep = iov[k].iov_len;
        iov[k].iov_len = PIPE_BUF - sum;
      }
      r = writev(host, iov, n > 0 ? k + 1 : 0);
      if (keep) iov[k].iov_len = keep;
    }
    if (r < 0) {
      if (errno == EINTR) continue;
      if (*done) return WASI_ESUCCESS;
      return wasi_errno(errno);
    }
    *done += (size_t)r;
    if (!wr) return WASI_ESUCCESS;
    /* skip what went out */
    size_t k = (size_t)r;
    while (n > 0 && k >= iov->iov_len) {
      k -= iov->iov_len;
      iov++;
      n--;
    }
    if (n == 0) return WASI_ESUCCESS;
    iov->iov_base = (uint8_t *)iov->iov_base + k;
    iov->iov_len -= k;
  }
}

static int fd_io(cairn_wasi *w, int op, uint32_t fd, uint32_t iovs, uint32_t niovs,
                 uint64_t offset, uint32_t out, cairn_error *trap) {
  static const uint64_t need[] = {R_FD_READ, R_FD_WRITE, R_FD_READ | R_FD_SEEK,
                                  R_FD_WRITE | R_FD_SEEK};
  int err;
  WasiFd *f = fd_data(w, fd, need[op], &err);
  if (!f) return err;
  if (!wasi_mem(w, out, 4)) return WASI_EFAULT;
  if ((op == IO_PREAD || op == IO_PWRITE) && offset > (uint64_t)INT64_MAX) return WASI_EINVAL;
  if (op == IO_READ || op == IO_PREAD) {
    int m = wasi_mem_read(w, f, op == IO_PREAD, iovs, niovs, offset, out);
    if (m >= 0) return m;
  }
  struct iovec small[64], *iov;
  int n;
  err = wasi_iovs(w, iovs, niovs, small, &iov, &n);
  if (err) return err;
  if ((op == IO_READ || op == IO_WRITE) && fd_may_block(f)) {
    size_t done = 0;
    if (f->filetype == WASI_FT_SOCK_STREAM || f->filetype == WASI_FT_SOCK_DGRAM)
      err = wasi_sock_io(w, f->host, op == IO_WRITE, iov, n, 0, &done, NULL, trap);
    else
      err = fd_io_wait(w, f->host, op == IO_WRITE, iov, n, &done, trap);
    if (iov != small) free(iov);
    if (err == WASI_ESUCCESS) wasi_put_u32(w, out, (uint32_t)done);
    return err;
  }
  ssize_t r;
  do {
    switch (op) {
    case IO_READ: r = readv(f->host, iov, n); break;
    case IO_WRITE: r = writev(f->host, iov, n); break;
    case IO_PREAD: r = preadv(f->host, iov, n, (off_t)offset); break;
    default: r = pwritev(f->host, iov, n, (off_t)offset); break;
    }
  } while (r < 0 && errno == EINTR);
  int e = errno;
  if (iov != small) free(iov);
  if (r < 0) return wasi_errno(e);
  wasi_put_u32(w, out, (uint32_t)r);
  return WASI_ESUCCESS;
}

int wasi_fd_read(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  return fd_io(w, IO_READ, A32(0), A32(1), A32(2), 0, A32(3), trap);
}
int wasi_fd_write(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  return fd_io(w, IO_WRITE, A32(0), A32(1), A32(2), 0, A32(3), trap);
}
int wasi_fd_pread(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  return fd_io(w, IO_PREAD, A32(0), A32(1), A32(2), A64(3), A32(4), trap);
}
int wasi_fd_pwrite(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  return fd_io(w, IO_PWRITE, A32(0), A32(1), A32(2), A64(3), A32(4), trap);
}

int wasi_fd_seek(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  int64_t off = a[1].of.i64;
  uint32_t whence = A32(2);
  uint64_t need = (off == 0 && whence == 1) ? R_FD_TELL : R_FD_SEEK;
  int err;
  WasiFd *f = fd_data(w, A32(0), 0, &err);
  if (!f) return err;
  if (!(f->rights & need) && !(f->rights & R_FD_SEEK)) return WASI_ENOTCAPABLE;
  int hw;
  switch (whence) {
  case 0: hw = SEEK_SET; break;
  case 1: hw = SEEK_CUR; break;
  case 2: hw = SEEK_END; break;
  default: return WASI_EINVAL;
  }
  if (!wasi_mem(w, A32(3), 8)) return WASI_EFAULT;
  int m = wasi_mem_seek(w, f, off, whence, A32(3));
  if (m >= 0) return m;
  off_t r = lseek(f->host, (off_t)off, hw);
  if (r < 0) return wasi_errno(errno);
  wasi_put_u64(w, A32(3), (uint64_t)r);
  return WASI_ESUCCESS;
}

int wasi_fd_tell(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  int err;
  WasiFd *f = fd_data(w, A32(0), R_FD_TELL, &err);
  if (!f) return err;
  if (!wasi_mem(w, A32(1), 8)) return WASI_EFAULT;
  int m = wasi_mem_seek(w, f, 0, 1, A32(1));
  if (m >= 0) return m;
  off_t r = lseek(f->host, 0, SEEK_CUR);
  if (r < 0) return wasi_errno(errno);
  wasi_put_u64(w, A32(1), (uint64_t)r);
  return WASI_ESUCCESS;
}

int wasi_fd_sync(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  int err;
  WasiFd *f = wasi_fd_get(w, A32(0), R_FD_SYNC, &err);
  if (!f) return err;
  return fsync(f->host) == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}

int wasi_fd_datasync(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  int err;
  WasiFd *f = wasi_fd_get(w, A32(0), R_FD_DATASYNC, &err);
  if (!f) return err;
  return fdatasync(f->host) == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}

int wasi_fd_advise(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  int err;
  WasiFd *f = fd_data(w, A32(0), R_FD_ADVISE, &err);
  if (!f) return err;
  static const int adv[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                            POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  uint32_t advice = A32(3);
  if (advice > 5) return WASI_EINVAL;
  if (A64(1) > (uint64_t)INT64_MAX || A64(2) > (uint64_t)INT64_MAX) return WASI_EINVAL;
  int r = posix_fadvise(f->host, (off_t)A64(1), (off_t)A64(2), adv[advice]);
  return r == 0 ? WASI_ESUCCESS : wasi_errno(r);
}

int wasi_fd_allocate(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  int err;
  WasiFd *f = fd_data(w, A32(0), R_FD_ALLOCATE, &err);
  if (!f) return err;
  uint64_t off = A64(1), len = A64(2);
  if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - off) return WASI_EINVAL;
  if (len == 0) {
    struct stat st;
    return fstat(f->host, &st) == 0 ? WASI_ESUCCESS : wasi_errno(errno);
  }
  int r = posix_fallocate(f->host, (off_t)off, (off_t)len);
  return r == 0 ? WASI_ESUCCESS : wasi_errno(r);
}

int wasi_fd_close(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  int err;
  if (!wasi_fd_get(w, A32(0), 0, &err)) return err;
  wasi_fd_release(w, A32(0));
  return WASI_ESUCCESS;
}

int wasi_fd_renumber(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  uint32_t from = A32(0), to = A32(1);
  int err;
  if (!wasi_fd_get(w, from, 0, &err) || !wasi_fd_get(w, to, 0, &err)) return err;
  if (from == to) return WASI_ESUCCESS;
  wasi_fd_release(w, to);
  w->fds[to] = w->fds[from];
  memset(&w->fds[from], 0, sizeof w->fds[from]);
  w->fds[from].host = -1;
  return WASI_ESUCCESS;
}

int wasi_fd_fdstat_get(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  int err;
  WasiFd *f = wasi_fd_get(w, A32(0), 0, &err);
  if (!f) return err;
  uint8_t *p = wasi_mem(w, A32(1), 24);
  if (!p) return WASI_EFAULT;
  int fl = f->host == WASI_HOST_MEM ? O_RDONLY : fcntl(f->host, F_GETFL);
  if (fl < 0) return wasi_errno(errno);
  uint16_t flags = 0;
  if (fl & O_APPEND) flags |= WASI_FDF_APPEND;
  if (fl & O_NONBLOCK) flags |= WASI_FDF_NONBLOCK;
  if ((fl & O_SYNC) == O_SYNC) flags |= WASI_FDF_SYNC | WASI_FDF_RSYNC;
  else if (fl & O_DSYNC) flags |= WASI_FDF_DSYNC;
  memset(p, 0, 24);
  p[0] = f->filetype;
  wasi_le16(p + 2, flags);
  wasi_le64(p + 8, f->rights);
  wasi_le64(p + 16, f->inheriting);
  return WASI_ESUCCESS;
}

int wasi_fd_fdstat_set_flags(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  int err;
  WasiFd *f = wasi_fd_get(w, A32(0), R_FD_FDSTAT_SET_FLAGS, &err);
  if (!f) return err;
  uint32_t flags = A32(1);
  if (flags & ~0x1Fu) return WASI_EINVAL;
  if (flags & (WASI_FDF_DSYNC | WASI_FDF_RSYNC | WASI_FDF_SYNC)) return WASI_ENOTSUP;
  int fl = f->host == WASI_HOST_MEM ? O_RDONLY : fcntl(f->host, F_GETFL);
  if (fl < 0) return wasi_errno(errno);
  fl &= ~(O_APPEND | O_NONBLOCK);
  if (flags & WASI_FDF_APPEND) fl |= O_APPEND;
  if (flags & WASI_FDF_NONBLOCK) fl |= O_NONBLOCK;
  return fcntl(f->host, F_SETFL, fl) == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}

int wasi_fd_fdstat_set_rights(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  int err;
  WasiFd *f = wasi_fd_get(w, A32(0), 0, &err);
  if (!f) return err;
  uint64_t base = A64(1), inh = A64(2);
  if ((base & ~f->rights) || (inh & ~f->inheriting)) return WASI_ENOTCAPABLE;
  f->rights = base;
  f->inheriting = inh;
  return WASI_ESUCCESS;
}

int wasi_fd_filestat_get(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  int err;
  WasiFd *f = wasi_fd_get(w, A32(0), R_FD_FILESTAT_GET, &err);
  if (!f) return err;
  uint8_t *p = wasi_mem(w, A32(1), 64);
  if (!p) return WASI_EFAULT;
  int m = wasi_mem_filestat(w, f, A32(1));
  if (m >= 0) return m;
  struct stat st;
  if (fstat(f->host, &st) != 0) return wasi_errno(errno);
  wasi_write_filestat(p, &st);
  if (f->kind == WASI_KIND_LISTENER || f->kind == WASI_KIND_SOCKET)
    p[16] = WASI_FT_SOCK_STREAM;
  return WASI_ESUCCESS;
}

int wasi_fd_filestat_set_size(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  int err;
  WasiFd *f = fd_data(w, A32(0), R_FD_FILESTAT_SET_SIZE, &err);
  if (!f) return err;
  if (A64(1) > (uint64_t)INT64_MAX) return WASI_EINVAL;
  return ftruncate(f->host, (off_t)A64(1)) == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}

int wasi_fd_filestat_set_times(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  int err;
  WasiFd *f = wasi_fd_get(w, A32(0), R_FD_FILESTAT_SET_TIMES, &err);
  if (!f) return err;
  struct timespec ts[2];
  err = wasi_times(A64(1), A64(2), A32(3), ts);
  if (err) return err;
  return futimens(f->host, ts) == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}

int wasi_fd_prestat_get(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  int err;
  WasiFd *f = wasi_fd_get(w, A32(0), 0, &err);
  if (!f) return err;
  if (!f->preopen) return WASI_EBADF;
  uint8_t *p = wasi_mem(w, A32(1), 8);
  if (!p) return WASI_EFAULT;
  memset(p, 0, 8);
  wasi_le32(p + 4, (uint32_t)f->preopen_len);
  return WASI_ESUCCESS;
}

int wasi_fd_prestat_dir_name(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  int err;
  WasiFd *f = wasi_fd_get(w, A32(0), 0, &err);
  if (!f) return err;
  if (!f->preopen) return WASI_EBADF;
  if (A32(2) < f->preopen_len) return WASI_ENAMETOOLONG;
  uint8_t *p = wasi_mem(w, A32(1), f->preopen_len);
  if (!p) return WASI_EFAULT;
  memcpy(p, f->preopen, f->preopen_len);
  return WASI_ESUCCESS;
}

/* ---- readdir ---- */

struct wasi_dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

static uint8_t fd_dtype(int dirfd, const char *name, unsigned char t) {
  switch (t) {
  case DT_REG: return WASI_FT_FILE;
  case DT_DIR: return WASI_FT_DIR;
  case DT_LNK: return WASI_FT_SYMLINK;
  case DT_CHR: return WASI_FT_CHAR;
  case DT_BLK: return WASI_FT_BLOCK;
  case DT_SOCK: return WASI_FT_SOCK_STREAM;
  case DT_FIFO: return WASI_FT_UNKNOWN;
  default: {
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return WASI_FT_UNKNOWN;
    return wasi_filetype(st.st_mode);
  }
  }
}

int wasi_fd_readdir(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  int err;
  WasiFd *f = wasi_fd_get(w, A32(0), R_FD_READDIR, &err);
  if (!f) return err;
  if (f->filetype != WASI_FT_DIR) return WASI_ENOTDIR;
  uint32_t buf = A32(1), len = A32(2), used_ptr = A32(4);
  uint64_t cookie = A64(3);
  uint8_t *out = wasi_mem(w, buf, len);
  if (!out || !wasi_mem(w, used_ptr, 4)) return WASI_EFAULT;
  if (cookie > (uint64_t)INT64_MAX) return WASI_EINVAL;
  int m = wasi_mem_readdir(w, f, buf, len, cookie, used_ptr);
  if (m >= 0) return m;
  if (lseek(f->host, (off_t)cookie, SEEK_SET) < 0) return wasi_errno(errno);
  uint32_t used = 0;
  _Alignas(8) char kbuf[8192];
  while (used < len) {
    long n = syscall(SYS_getdents64, f->host, kbuf, sizeof kbuf);
    if (n < 0) return wasi_errno(errno);
    if (n == 0) break;
    for (long at = 0; at < n && used < len;) {
      struct wasi_dirent64 *d = (struct wasi_dirent64 *)(kbuf + at);
      at += d->d_reclen;
      size_t nl = strlen(d->d_name);
      uint8_t hdr[24];
      memset(hdr, 0, sizeof hdr);
      wasi_le64(hdr, (uint64_t)d->d_off);
      wasi_le64(hdr + 8, d->d_ino);
      wasi_le32(hdr + 16, (uint32_t)nl);
      hdr[20] = fd_dtype(f->host, d->d_name, d->d_type);
      uint32_t k = len - used < 24 ? len - used : 24;
      memcpy(out + used, hdr, k);
      used += k;
      k = len - used < nl ? len - used : (uint32_t)nl;
      memcpy(out + used, d->d_name, k);
      used += k;
    }
  }
  wasi_put_u32(w, used_ptr, used);
  return WASI_ESUCCESS;
}
