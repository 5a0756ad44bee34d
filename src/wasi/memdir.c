/*
** memdir.c: in-memory read-only directories (cairn_wasi_memdir in
** cairn/wasi.h). A preopen whose entries are byte ranges the embedder
** owns: the guest opens, reads, seeks, stats and lists them; nothing can
** be created, written or removed, and no path leads anywhere else (one
** level, names without '/', "." and ".." refused). Descriptors carry
** WASI_HOST_MEM instead of a host fd, so an operation this file does not
** handle fails with EBADF in the kernel rather than touching a file.
*/
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <stdlib.h>

#include "wasi/wasi_internal.h"


static bool mem_name_ok(const char *z) {
  return *z && !strchr(z, '/') && strcmp(z, ".") != 0 && strcmp(z, "..") != 0;
}

bool wasi_memdir_add(cairn_wasi *w, const cairn_wasi_memdir *d, WasiFd *f) {
  WasiMemDir *a = w->mdirs ? cairn_realloc(w->mdirs, (w->nmdirs + 1) * sizeof *a)
                           : cairn_store_malloc(w->store, sizeof *a);
  if (!a) return false;
  w->mdirs = a;
  WasiMemDir *m = &a[w->nmdirs];
  memset(m, 0, sizeof *m);
  size_t n = d->nfiles;
  m->names = cairn_store_malloc(w->store, (n + 1) * sizeof *m->names);
  m->data = cairn_store_malloc(w->store, (n + 1) * sizeof *m->data);
  m->len = cairn_store_malloc(w->store, (n + 1) * sizeof *m->len);
  w->nmdirs++;   /* counted now: wasi_memdir_free frees a half-made one */
  if (!m->names || !m->data || !m->len) return false;
  for (size_t i = 0; i < n; i++) {
    const char *z = d->files[i].name ? d->files[i].name : "";
    if (!mem_name_ok(z)) z = "_";   /* never a path: such a file cannot be named */
    size_t k = strlen(z) + 1;
    if (!(m->names[i] = cairn_store_malloc(w->store, k))) return false;
    memcpy(m->names[i], z, k);
    m->data[i] = d->files[i].data;
    m->len[i] = d->files[i].len;
    m->n++;
  }
  f->borrowed = true;
  f->mdir = (uint32_t)(w->nmdirs - 1);
  return true;
}

void wasi_memdir_free(cairn_wasi *w) {
  for (size_t i = 0; i < w->nmdirs; i++) {
    WasiMemDir *m = &w->mdirs[i];
    for (size_t k = 0; m->names && k < m->n; k++) cairn_free(m->names[k]);
    cairn_free(m->names);
    cairn_free(m->data);
    cairn_free(m->len);
  }
  cairn_free(w->mdirs);
  w->mdirs = NULL;
  w->nmdirs = 0;
}

/* The file a guest path names in directory d: its index, or -(WASI errno). */
static long mem_lookup(cairn_wasi *w, const WasiFd *d, uint32_t ptr, uint32_t len) {
  char *path;
  int err = wasi_path_copy(w, ptr, len, &path);
  if (err) return -err;
  const WasiMemDir *m = &w->mdirs[d->mdir];
  long r = -WASI_ENOENT;
  if (strcmp(path, "..") == 0 || strncmp(path, "../", 3) == 0) r = -WASI_EPERM;
  else if (strchr(path, '/')) r = -WASI_ENOENT;   /* no subdirectories */
  for (size_t i = 0; r == -WASI_ENOENT && i < m->n; i++) {
    if (strcmp(m->names[i], path) == 0) r = (long)i;
  }
  free(path);
  return r;
}

static void mem_filestat(uint8_t *p, uint8_t ft, uint64_t ino, uint64_t size) {
  memset(p, 0, 64);
  wasi_le64(p + 8, ino);        /* ino */
  p[16] = ft;                   /* filetype */
  wasi_le64(p + 24, 1);         /* nlink */
  wasi_le64(p + 32, size);      /* size; times 0 */
}

int wasi_mem_path_open(cairn_wasi *w, WasiFd *d, const cairn_val *a) {
  uint32_t oflags = A32(4), fdflags = A32(7), out = A32(8);
  uint64_t base = A64(5);
  if (oflags & (WASI_O_CREAT | WASI_O_TRUNC)) return WASI_EROFS;
  if (oflags & ~0xFu || fdflags & ~0x1Fu) return WASI_EINVAL;
  if ((base & R_MODIFY) == R_MODIFY || (fdflags & WASI_FDF_APPEND)) return WASI_EROFS;
  if (!wasi_mem(w, out, 4)) return WASI_EFAULT;
  char *path;
  int err = wasi_path_copy(w, A32(2), A32(3), &path);
  if (err) return err;
  bool self = strcmp(path, ".") == 0 || strcmp(path, "./") == 0;
  free(path);
  if (self) {   /* the directory again (opendir) */
    uint32_t dir = d->mdir;
    uint64_t inh = d->inheriting;
    int64_t g = wasi_fd_add(w, WASI_HOST_MEM, WASI_FT_DIR, WASI_KIND_MEMDIR,
                            base & d->inheriting & WASI_MEM_DIR_RIGHTS, inh, true);
    if (g < 0) return WASI_EMFILE;
    w->fds[g].borrowed = true;
    w->fds[g].mdir = dir;
    wasi_put_u32(w, out, (uint32_t)g);
    return WASI_ESUCCESS;
  }
  long i = mem_lookup(w, d, A32(2), A32(3));
  if (i < 0) return (int)-i;
  if (oflags & WASI_O_DIRECTORY) return WASI_ENOTDIR;
  uint32_t dir = d->mdir;
  int64_t g = wasi_fd_add(w, WASI_HOST_MEM, WASI_FT_FILE, WASI_KIND_MEMFILE,
                          base & d->inheriting & WASI_MEM_FILE_RIGHTS, 0, true);
  if (g < 0) return WASI_EMFILE;
  WasiFd *f = &w->fds[g];
  f->borrowed = true;
  f->mdir = dir;
  f->mfile = (uint32_t)i;
  f->mpos = 0;
  wasi_put_u32(w, out, (uint32_t)g);
  return WASI_ESUCCESS;
}

int wasi_mem_path_filestat(cairn_wasi *w, uint32_t fd, uint32_t ptr, uint32_t len,
                           uint32_t out) {
  if (fd >= w->nfds || w->fds[fd].kind != WASI_KIND_MEMDIR || w->fds[fd].host != WASI_HOST_MEM)
    return -1;
  WasiFd *d = &w->fds[fd];
  if (!(d->rights & R_PATH_FILESTAT_GET)) return WASI_ENOTCAPABLE;
  uint8_t *p = wasi_mem(w, out, 64);
  if (!p) return WASI_EFAULT;
  char *path;
  int err = wasi_path_copy(w, ptr, len, &path);
  if (err) return err;
  bool self = strcmp(path, ".") == 0 || strcmp(path, "") == 0;
  free(path);
  if (self) {
    mem_filestat(p, WASI_FT_DIR, 1, 0);
    return WASI_ESUCCESS;
  }
  long i = mem_lookup(w, d, ptr, len);
  if (i < 0) return (int)-i;
  mem_filestat(p, WASI_FT_FILE, (uint64_t)i + 2, w->mdirs[d->mdir].len[i]);
  return WASI_ESUCCESS;
}

int wasi_mem_read(cairn_wasi *w, WasiFd *f, int pread, uint32_t iovs, uint32_t niovs,
                  uint64_t offset, uint32_t out) {
  if (f->kind != WASI_KIND_MEMFILE) return -1;
  const WasiMemDir *m = &w->mdirs[f->mdir];
  const uint8_t *data = m->data[f->mfile];
  size_t size = m->len[f->mfile];
  uint64_t pos = pread ? offset : f->mpos;
  struct iovec small[64], *iov;
  int n;
  int err = wasi_iovs(w, iovs, niovs, small, &iov, &n);
  if (err) return err;
  size_t done = 0;
  for (int i = 0; i < n && pos < size; i++) {
    size_t k = size - pos < iov[i].iov_len ? size - (size_t)pos : iov[i].iov_len;
    memcpy(iov[i].iov_base, data + pos, k);
    pos += k;
    done += k;
  }
  if (iov != small) free(iov);
  if (!pread) f->mpos = pos;
  wasi_put_u32(w, out, (uint32_t)done);
  return WASI_ESUCCESS;
}

int wasi_mem_seek(cairn_wasi *w, WasiFd *f, int64_t off, uint32_t whence, uint32_t out) {
  if (f->kind != WASI_KIND_MEMFILE) return f->kind == WASI_KIND_MEMDIR ? WASI_EBADF : -1;
  int64_t base = whence == 0 ? 0 : whence == 1 ? (int64_t)f->mpos
               : whence == 2 ? (int64_t)w->mdirs[f->mdir].len[f->mfile] : -1;
  if (base < 0) return WASI_EINVAL;
  if ((off < 0 && base + off < 0) || (off > 0 && base > INT64_MAX - off)) return WASI_EINVAL;
  if (!wasi_mem(w, out, 8)) return WASI_EFAULT;
  f->mpos = (uint64_t)(base + off);
  wasi_put_u64(w, out, f->mpos);
  return WASI_ESUCCESS;
}

int wasi_mem_filestat(cairn_wasi *w, WasiFd *f, uint32_t out) {
  if (f->host != WASI_HOST_MEM) return -1;
  uint8_t *p = wasi_mem(w, out, 64);
  if (!p) return WASI_EFAULT;
  if (f->kind == WASI_KIND_MEMDIR) mem_filestat(p, WASI_FT_DIR, 1, 0);
  else mem_filestat(p, WASI_FT_FILE, (uint64_t)f->mfile + 2, w->mdirs[f->mdir].len[f->mfile]);
  return WASI_ESUCCESS;
}

/* Entries: ".", "..", then the files; the cookie of entry k is k + 1. */
int wasi_mem_readdir(cairn_wasi *w, WasiFd *f, uint32_t buf, uint32_t len, uint64_t cookie,
                     uint32_t out) {
  if (f->kind != WASI_KIND_MEMDIR) return -1;
  uint8_t *o = wasi_mem(w, buf, len);
  if (!o || !wasi_mem(w, out, 4)) return WASI_EFAULT;
  const WasiMemDir *m = &w->mdirs[f->mdir];
  uint32_t used = 0;
  for (uint64_t k = cookie; k < m->n + 2 && used < len; k++) {
    const char *name = k == 0 ? "." : k == 1 ? ".." : m->names[k - 2];
    size_t nl = strlen(name);
    uint8_t hdr[24];
    memset(hdr, 0, sizeof hdr);
    wasi_le64(hdr, k + 1);
    wasi_le64(hdr + 8, k < 2 ? 1 : k);
    wasi_le32(hdr + 16, (uint32_t)nl);
    hdr[20] = k < 2 ? WASI_FT_DIR : WASI_FT_FILE;
    uint32_t c = len - used < 24 ? len - used : 24;
    memcpy(o + used, hdr, c);
    used += c;
    c = len - used < nl ? len - used : (uint32_t)nl;
    memcpy(o + used, name, c);
    used += c;
  }
  wasi_put_u32(w, out, used);
  return WASI_ESUCCESS;
}
