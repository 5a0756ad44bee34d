/*
** resolve.c: the capability sandbox. Every guest path is resolved beneath
** the directory descriptor it is relative to, never above it:
**   - openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) where the kernel has
**     it: the kernel refuses `..` above the start, absolute paths and absolute
**     symlinks (EXDEV, reported as EPERM) atomically, so no race can escape;
**   - otherwise (ENOSYS, or EPERM from a seccomp filter or container policy
**     that denies openat2 itself) a component-by-component walk: each component is
**     opened with O_PATH|O_NOFOLLOW relative to the previous one, `..` pops a
**     stack of fds we hold (never above the start), symlinks are read and
**     spliced into the remaining path (absolute targets refused, at most 40).
** Paths reach us from guest memory: copied, NUL-free, valid UTF-8, relative.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "wasi/wasi_internal.h"

#define WASI_MAX_LINKS 40
#define WASI_MAX_DEPTH 256

static bool wasi_utf8_ok(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    if (c < 0x80) { i++; continue; }
    size_t k;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) { k = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { k = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { k = 3; cp = c & 0x07; }
    else return false;
    if (i + k >= n) return false;
    for (size_t j = 1; j <= k; j++) {
      if (i + j >= n || (s[i + j] & 0xC0) != 0x80) return false;
      cp = cp << 6 | (s[i + j] & 0x3F);
    }
    if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += k + 1;
  }
  return true;
}

int wasi_path_copy(cairn_wasi *w, uint32_t ptr, uint32_t len, char **out) {
  *out = NULL;
  const uint8_t *p = wasi_mem(w, ptr, len);
  if (!p) return WASI_EFAULT;
  if (memchr(p, 0, len)) return WASI_EILSEQ;
  if (!wasi_utf8_ok(p, len)) return WASI_EILSEQ;
  if (len > PATH_MAX) return WASI_ENAMETOOLONG;
  if (len > 0 && p[0] == '/') return WASI_EPERM;
  char *s = malloc((size_t)len + 1);
  if (!s) return WASI_ENOMEM;
  memcpy(s, p, len);
  s[len] = 0;
  *out = s;
  return WASI_ESUCCESS;
}

/* ---- the fallback walk ---- */

typedef struct WalkStack {
  int fds[WASI_MAX_DEPTH];
  int n;          /* fds[0..n) are ours; the current dir is fds[n-1] or the start */
} WalkStack;

static void walk_clear(WalkStack *st) {
  while (st->n > 0) close(st->fds[--st->n]);
}

/* Resolves path beneath dirfd by hand. */
static int wasi_walk(int dirfd, const char *path, int flags, unsigned mode) {
  WalkStack st = {.n = 0};
  int links = 0;
  size_t cap = strlen(path) + 1;
  char *rest = malloc(cap);
  if (!rest) return -ENOMEM;
  memcpy(rest, path, cap);
  char *p = rest;
  int result;
  bool follow = !(flags & O_NOFOLLOW);
  for (;;) {
    while (*p == '/') p++;
    int cur = st.n ? st.fds[st.n - 1] : dirfd;
    if (*p == 0) {
      /* The path ended with "/" or named the start itself: open it. */
      result = openat(cur, ".", (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC, mode);
      if (result < 0) result = -errno;
      break;
    }
    char *end = strchr(p, '/');
    size_t clen = end ? (size_t)(end - p) : strlen(p);
    char *after = p + clen;
    while (*after == '/') after++;
    bool last = *after == 0;
    bool slash = end != NULL;  /* a trailing slash after the final component */
    char name[NAME_MAX + 1];
    if (clen > NAME_MAX) { result = -ENAMETOOLONG; break; }
    memcpy(name, p, clen);
    name[clen] = 0;
    if (strcmp(name, ".") == 0) { p = after; continue; }
    if (strcmp(name, "..") == 0) {
      if (st.n == 0) { result = -EPERM; break; }
      close(st.fds[--st.n]);
      p = after;
      continue;
    }
    if (last && !slash) {
      int fd = openat(cur, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
      if (fd >= 0 && follow && (flags & O_PATH)) {
        struct stat sb;
        if (fstatat(fd, "", &sb, AT_EMPTY_PATH) == 0 && S_ISLNK(sb.st_mode)) {
          close(fd);
          fd = -1;
          errno = ELOOP;
        } else {
          result = fd;
          break;
        }
      } else if (fd >= 0) {
        result = fd;
        break;
      }
      if (!(follow && (errno == ELOOP || errno == EMLINK || errno == ENOTDIR))) {
        result = -errno;
        break;
      }
      /* Maybe a symlink to follow: fall through to the link handling below. */
    }
    int fd = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) { result = -errno; break; }
    struct stat sb;
    if (fstatat(fd, "", &sb, AT_EMPTY_PATH) != 0) { result = -errno; close(fd); break; }
    if (S_ISLNK(sb.st_mode)) {
      char target[PATH_MAX + 1];
      ssize_t tn = readlinkat(fd, "", target, PATH_MAX);
      close(fd);
      if (tn < 0) { result = -errno; break; }
      target[tn] = 0;
      if (++links > WASI_MAX_LINKS) { result = -ELOOP; break; }
      if (tn > 0 && target[0] == '/') { result = -EPERM; break; }
      /* New remaining path: target + (slash ? "/" : "") + after. */
      size_t an = strlen(after);
      size_t nn = (size_t)tn + 1 + an + 1;
      char *np = malloc(nn);
      if (!np) { result = -ENOMEM; break; }
      memcpy(np, target, (size_t)tn);
      size_t at = (size_t)tn;
      if (slash || an) np[at++] = '/';
      memcpy(np + at, after, an + 1);
      free(rest);
      rest = p = np;
      continue;
    }
    if (!S_ISDIR(sb.st_mode)) { close(fd); result = -ENOTDIR; break; }
    if (st.n == WASI_MAX_DEPTH) { close(fd); result = -ENAMETOOLONG; break; }
    st.fds[st.n++] = fd;
    p = after;
  }
  walk_clear(&st);
  free(rest);
  return result;
}

/* True if openat2 itself is refused (ENOSYS, or EPERM where seccomp or a
** container policy denies it): an O_PATH open of the start fails. */
static bool openat2_denied(int dirfd) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH;
  long fd;
  do fd = syscall(SYS_openat2, dirfd, ".", &how, sizeof how);
  while (fd < 0 && (errno == EINTR || errno == EAGAIN));
  if (fd >= 0) {
    close((int)fd);
    return false;
  }
  return errno == EPERM || errno == ENOSYS;
}

int wasi_open_beneath(cairn_wasi *w, int dirfd, const char *path, int flags, unsigned mode) {
  if (path[0] == '/') return -EPERM;
  if (path[0] == 0) return -ENOENT;
  if (!w->no_openat2) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(flags | O_CLOEXEC);
    how.mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    for (;;) {
      long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
      if (fd >= 0) return (int)fd;
      if (errno == EINTR || errno == EAGAIN) continue;
      if (errno == ENOSYS) break;
      /* EPERM is either the file's answer (e.g. O_NOATIME on another's
      ** file) or a filter denying openat2 itself: a harmless probe tells. */
      if (errno == EPERM) {
        if (!openat2_denied(dirfd)) return -EPERM;
        break;
      }
      return errno == EXDEV ? -EPERM : -errno;
    }
    w->no_openat2 = true;
  }
  return wasi_walk(dirfd, path, flags, mode);
}

int wasi_open_parent(cairn_wasi *w, int dirfd, char *path, int *parent, const char **name) {
  *parent = -1;
  size_t n = strlen(path);
  if (n == 0) return -ENOENT;
  if (path[0] == '/') return -EPERM;
  size_t e = n;
  while (e > 0 && path[e - 1] == '/') e--;
  if (e == 0) return -EPERM;                 /* only slashes: absolute */
  size_t b = e;
  while (b > 0 && path[b - 1] != '/') b--;
  *name = path + b;
  int fd;
  if (b == 0) {
    fd = wasi_open_beneath(w, dirfd, ".", O_PATH | O_DIRECTORY, 0);
  } else {
    char save = path[b];
    path[b] = 0;
    fd = wasi_open_beneath(w, dirfd, path, O_PATH | O_DIRECTORY, 0);
    path[b] = save;
  }
  if (fd < 0) return fd;
  /* A final "..": operating on it would name the parent of the parent. */
  size_t ln = e - b;
  if (ln == 2 && path[b] == '.' && path[b + 1] == '.') {
    close(fd);
    return -EPERM;
  }
  *parent = fd;
  return 0;
}
