/*
** path.c: the path_* calls (open, create/remove directory, filestat get and
** set times, link, readlink, rename, symlink, unlink). Every path goes
** through resolve.c, so it stays beneath the directory fd it is relative
** to; a final component is only handed to a *at(2) call on a parent fd
** resolved safely, and never in a form where the kernel would follow it.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi/wasi_internal.h"

/* The directory fd for a path call: EBADF, ENOTDIR, then rights. */
static WasiFd *path_dir(cairn_wasi *w, uint32_t fd, uint64_t rights, int *err) {
  int e;
  WasiFd *f = wasi_fd_get(w, fd, 0, &e);
  if (!f) { *err = e; return NULL; }
  if (f->filetype != WASI_FT_DIR) { *err = WASI_ENOTDIR; return NULL; }
  if ((f->rights & rights) != rights) { *err = WASI_ENOTCAPABLE; return NULL; }
  return f;
}

static bool path_has_trailing_slash(const char *name) {
  size_t n = strlen(name);
  return n > 0 && name[n - 1] == '/';
}

/* Resolves dir fd + guest path into a parent fd and a final name; on
** success the caller closes *parent and frees *path. */
static int path_parent(cairn_wasi *w, uint32_t fd, uint64_t rights, uint32_t ptr, uint32_t len,
                       char **path, int *parent, const char **name) {
  int err;
  WasiFd *d = path_dir(w, fd, rights, &err);
  if (!d) return err;
  err = wasi_path_copy(w, ptr, len, path);
  if (err) return err;
  int r = wasi_open_parent(w, d->host, *path, parent, name);
  if (r < 0) {
    free(*path);
    *path = NULL;
    return wasi_errno(-r);
  }
  return WASI_ESUCCESS;
}

int wasi_path_open(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  uint32_t dirflags = A32(1), oflags = A32(4), fdflags = A32(7), out = A32(8);
  uint64_t base = A64(5), inh = A64(6);
  int err;
  WasiFd *d = path_dir(w, A32(0), R_PATH_OPEN, &err);
  if (!d) return err;
  if (d->kind == WASI_KIND_MEMDIR) return wasi_mem_path_open(w, d, a);
  if ((oflags & WASI_O_CREAT) && !(d->rights & R_PATH_CREATE_FILE)) return WASI_ENOTCAPABLE;
  if ((oflags & WASI_O_TRUNC) && !(d->rights & R_PATH_FILESTAT_SET_SIZE)) return WASI_EPERM;
  if (oflags & ~0xFu) return WASI_EINVAL;
  if (fdflags & ~0x1Fu) return WASI_EINVAL;
  if (!wasi_mem(w, out, 4)) return WASI_EFAULT;
  char *path;
  err = wasi_path_copy(w, A32(2), A32(3), &path);
  if (err) return err;
  int flags = 0;
  if (!(dirflags & WASI_LOOKUP_SYMLINK_FOLLOW)) flags |= O_NOFOLLOW;
  if (oflags & WASI_O_CREAT) flags |= O_CREAT;
  if (oflags & WASI_O_EXCL) flags |= O_EXCL;
  if (oflags & WASI_O_TRUNC) flags |= O_TRUNC;
  if (oflags & WASI_O_DIRECTORY) flags |= O_DIRECTORY;
  if (fdflags & WASI_FDF_APPEND) flags |= O_APPEND;
  if (fdflags & WASI_FDF_DSYNC) flags |= O_DSYNC;
  if (fdflags & WASI_FDF_SYNC) flags |= O_SYNC;
  if (fdflags & WASI_FDF_RSYNC) flags |= O_RSYNC;
  if (fdflags & WASI_FDF_NONBLOCK) flags |= O_NONBLOCK;
  bool rd = (base & (R_FD_READ | R_FD_READDIR)) != 0;
  bool strong_wr = (base & R_FD_WRITE) || (fdflags & WASI_FDF_APPEND);
  bool wr = strong_wr || (base & (R_FD_ALLOCATE | R_FD_FILESTAT_SET_SIZE));
  if (d->read_only) wr = strong_wr = false;
  int acc = wr ? (rd ? O_RDWR : O_WRONLY) : O_RDONLY;
  int fd = wasi_open_beneath(w, d->host, path, flags | acc, 0666);
  if (fd < 0 && wr && !strong_wr &&
      (fd == -EISDIR || fd == -EACCES || fd == -EROFS || fd == -ETXTBSY))
    fd = wasi_open_beneath(w, d->host, path, flags | O_RDONLY, 0666);
  free(path);
  if (fd < 0) return wasi_errno(-fd);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return wasi_errno(e);
  }
  uint8_t ft = wasi_filetype(st.st_mode);
  uint64_t mask = ft == WASI_FT_DIR ? R_DIR_BASE : R_FILE_BASE;
  if (ft == WASI_FT_CHAR) mask &= ~(R_FD_SEEK | R_FD_TELL | R_FD_ALLOCATE);
  int64_t g = wasi_fd_add(w, fd, ft, ft == WASI_FT_DIR ? WASI_KIND_DIR : WASI_KIND_FILE,
                          base & d->inheriting & mask, inh & d->inheriting, d->read_only);
  if (g < 0) return WASI_EMFILE;
  wasi_put_u32(w, out, (uint32_t)g);
  return WASI_ESUCCESS;
}

int wasi_path_create_directory(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  char *path;
  int parent;
  const char *name;
  int err = path_parent(w, A32(0), R_PATH_CREATE_DIRECTORY, A32(1), A32(2), &path, &parent,
                        &name);
  if (err) return err;
  int r = mkdirat(parent, name, 0777);
  int e = errno;
  close(parent);
  free(path);
  return r == 0 ? WASI_ESUCCESS : wasi_errno(e);
}

int wasi_path_remove_directory(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  char *path;
  int parent;
  const char *name;
  int err = path_parent(w, A32(0), R_PATH_REMOVE_DIRECTORY, A32(1), A32(2), &path, &parent,
                        &name);
  if (err) return err;
  int r = unlinkat(parent, name, AT_REMOVEDIR);
  int e = errno;
  close(parent);
  free(path);
  if (r != 0 && e == EEXIST) e = ENOTEMPTY;
  return r == 0 ? WASI_ESUCCESS : wasi_errno(e);
}

int wasi_path_unlink_file(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  char *path;
  int parent;
  const char *name;
  int err = path_parent(w, A32(0), R_PATH_UNLINK_FILE, A32(1), A32(2), &path, &parent, &name);
  if (err) return err;
  int r = unlinkat(parent, name, 0);
  int e = errno;
  close(parent);
  free(path);
  return r == 0 ? WASI_ESUCCESS : wasi_errno(e);
}

int wasi_path_rename(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  char *p1, *p2;
  int d1, d2;
  const char *n1, *n2;
  int err = path_parent(w, A32(0), R_PATH_RENAME_SOURCE, A32(1), A32(2), &p1, &d1, &n1);
  if (err) return err;
  err = path_parent(w, A32(3), R_PATH_RENAME_TARGET, A32(4), A32(5), &p2, &d2, &n2);
  if (err) {
    close(d1);
    free(p1);
    return err;
  }
  int r = renameat(d1, n1, d2, n2);
  int e = errno;
  close(d1);
  close(d2);
  free(p1);
  free(p2);
  return r == 0 ? WASI_ESUCCESS : wasi_errno(e);
}

/* How many levels directory dir lies beneath root (0: the same one), found
** by climbing "..", or -1 if root is not met within 256 levels (or at the
** file system root). Both fds are only read. */
static int path_depth(int root, int dir) {
  struct stat rs, cs;
  if (fstat(root, &rs) != 0) return -1;
  int cur = dir, depth = -1;
  for (int d = 0; d <= 256; d++) {
    if (fstat(cur, &cs) != 0) break;
    if (cs.st_dev == rs.st_dev && cs.st_ino == rs.st_ino) {
      depth = d;
      break;
    }
    int up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct stat us;
    bool top = up >= 0 && fstat(up, &us) == 0 && us.st_dev == cs.st_dev && us.st_ino == cs.st_ino;
    if (cur != dir) close(cur);
    cur = up;
    if (cur < 0 || top) break;
  }
  if (cur >= 0 && cur != dir) close(cur);
  return depth;
}

/* Whether symlink target t, read in a directory depth levels beneath the
** root, names something beneath the root: lexically, as it will be followed
** (every ".." climbs a level and may never climb above the root). */
static bool path_target_beneath(const char *t, int depth) {
  while (*t) {
    while (*t == '/') t++;
    size_t n = strcspn(t, "/");
    if (n == 2 && t[0] == '.' && t[1] == '.') {
      if (--depth < 0) return false;
    } else if (n > 0 && !(n == 1 && t[0] == '.')) {
      depth++;
    }
    t += n;
  }
  return true;
}

/* path_symlink(old_path, old_len, fd, new_path, new_len): the target must
** stay beneath fd, as wasmtime requires: absolute targets (refused by
** wasi_path_copy) and targets whose ".." climb above fd, counted from the
** link's own directory, are EPERM. (Following a link is sandboxed anyway;
** this keeps the guest from planting links that point out.) */
int wasi_path_symlink(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  char *target;
  int err = wasi_path_copy(w, A32(0), A32(1), &target);
  if (err) return err;
  char *path;
  int parent;
  const char *name;
  err = path_parent(w, A32(2), R_PATH_SYMLINK, A32(3), A32(4), &path, &parent, &name);
  if (err) {
    free(target);
    return err;
  }
  int r = -1, e = EPERM;
  int depth = path_depth(w->fds[A32(2)].host, parent);
  if (depth >= 0 && path_target_beneath(target, depth)) {
    r = symlinkat(target, parent, name);
    e = errno;
  }
  close(parent);
  free(path);
  free(target);
  return r == 0 ? WASI_ESUCCESS : wasi_errno(e);
}

/* Opens the object a path names (O_PATH), following a final symlink if
** follow. Returns a host fd or a negative WASI errno. */
static int path_object(cairn_wasi *w, uint32_t fd, uint64_t rights, bool follow, uint32_t ptr,
                       uint32_t len) {
  int err;
  WasiFd *d = path_dir(w, fd, rights, &err);
  if (!d) return -err;
  char *path;
  err = wasi_path_copy(w, ptr, len, &path);
  if (err) return -err;
  int h = wasi_open_beneath(w, d->host, path, O_PATH | (follow ? 0 : O_NOFOLLOW), 0);
  free(path);
  return h < 0 ? -wasi_errno(-h) : h;
}

int wasi_path_filestat_get(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  if (!wasi_mem(w, A32(4), 64)) return WASI_EFAULT;
  int m = wasi_mem_path_filestat(w, A32(0), A32(2), A32(3), A32(4));
  if (m >= 0) return m;
  int h = path_object(w, A32(0), R_PATH_FILESTAT_GET, A32(1) & WASI_LOOKUP_SYMLINK_FOLLOW,
                      A32(2), A32(3));
  if (h < 0) return -h;
  struct stat st;
  int r = fstatat(h, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
  int e = errno;
  close(h);
  if (r != 0) return wasi_errno(e);
  wasi_write_filestat(wasi_mem(w, A32(4), 64), &st);
  return WASI_ESUCCESS;
}

int wasi_path_filestat_set_times(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  struct timespec ts[2];
  int err = wasi_times(A64(4), A64(5), A32(6), ts);
  if (err) return err;
  bool follow = A32(1) & WASI_LOOKUP_SYMLINK_FOLLOW;
  int h = path_object(w, A32(0), R_PATH_FILESTAT_SET_TIMES, follow, A32(2), A32(3));
  if (h < 0) return -h;
  int r = utimensat(h, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
  int e = errno;
  if (r != 0 && e == EINVAL) {
    /* Older kernels: go through the fd's magic link (regular files and dirs). */
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", h);
    r = utimensat(AT_FDCWD, proc, ts, 0);
    e = errno;
  }
  close(h);
  return r == 0 ? WASI_ESUCCESS : wasi_errno(e);
}

int wasi_path_readlink(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  uint32_t buf = A32(3), blen = A32(4), used = A32(5);
  if (!wasi_mem(w, buf, blen) || !wasi_mem(w, used, 4)) return WASI_EFAULT;
  char *path;
  int parent;
  const char *name;
  int err = path_parent(w, A32(0), R_PATH_READLINK, A32(1), A32(2), &path, &parent, &name);
  if (err) return err;
  ssize_t n;
  char target[PATH_MAX];
  int e = 0;
  if (path_has_trailing_slash(name)) {
    /* "link/" means the directory it points to, which is no symlink. */
    close(parent);
    WasiFd *d = path_dir(w, A32(0), 0, &err);
    int h = d ? wasi_open_beneath(w, d->host, path, O_PATH, 0) : -EBADF;
    free(path);
    if (h < 0) return wasi_errno(-h);
    close(h);
    return WASI_EINVAL;
  }
  n = readlinkat(parent, name, target, sizeof target);
  e = errno;
  close(parent);
  free(path);
  if (n < 0) return wasi_errno(e);
  size_t k = (size_t)n < blen ? (size_t)n : blen;
  memcpy(wasi_mem(w, buf, blen), target, k);
  wasi_put_u32(w, used, (uint32_t)k);
  return WASI_ESUCCESS;
}

int wasi_path_link(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  bool follow = A32(1) & WASI_LOOKUP_SYMLINK_FOLLOW;
  char *p2;
  int d2;
  const char *n2;
  int err;
  {
    WasiFd *src = path_dir(w, A32(0), R_PATH_LINK_SOURCE, &err);
    if (!src) return err;
  }
  err = path_parent(w, A32(4), R_PATH_LINK_TARGET, A32(5), A32(6), &p2, &d2, &n2);
  if (err) return err;
  int r, e;
  char *p1;
  err = wasi_path_copy(w, A32(2), A32(3), &p1);
  if (err) goto out2;
  size_t l1 = strlen(p1);
  if (follow || (l1 > 0 && p1[l1 - 1] == '/')) {
    /* Resolve the source ourselves (safely), then link the object. */
    WasiFd *src = path_dir(w, A32(0), 0, &err);
    int h = wasi_open_beneath(w, src->host, p1, O_PATH | (follow ? 0 : O_NOFOLLOW), 0);
    if (h < 0) {
      err = wasi_errno(-h);
      goto out1;
    }
    struct stat st;
    if (fstatat(h, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
      close(h);
      err = WASI_EPERM;
      goto out1;
    }
    r = linkat(h, "", d2, n2, AT_EMPTY_PATH);
    e = errno;
    if (r != 0 && (e == ENOENT || e == EPERM)) {
      char proc[64];
      snprintf(proc, sizeof proc, "/proc/self/fd/%d", h);
      r = linkat(AT_FDCWD, proc, d2, n2, AT_SYMLINK_FOLLOW);
      e = errno;
    }
    close(h);
  } else {
    int d1;
    const char *n1;
    WasiFd *src = path_dir(w, A32(0), 0, &err);
    r = wasi_open_parent(w, src->host, p1, &d1, &n1);
    if (r < 0) {
      err = wasi_errno(-r);
      goto out1;
    }
    r = linkat(d1, n1, d2, n2, 0);
    e = errno;
    close(d1);
  }
  err = r == 0 ? WASI_ESUCCESS : wasi_errno(e);
out1:
  free(p1);
out2:
  close(d2);
  free(p2);
  return err;
}
