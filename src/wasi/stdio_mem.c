/*
** stdio_mem.c: host memory as a guest's stdio, and reuse of a WASI object
** for a new run of the same program. With cairn_wasi_define_imports_memio,
** fd_read on guest fd 0 reads a host buffer and fd_write on guest fds 1 and
** 2 appends to growable host buffers (with a size cap), without any
** syscall; every other descriptor goes through the normal implementations.
** cairn_wasi_reset gives a WASI object a new argv/env/descriptor table while
** keeping its host functions, so an instance linked to them (and restored
** from a snapshot) can run again as a new program.
*/
#include <stdlib.h>
#include <sys/uio.h>

#include "wasi/wasi_internal.h"

#define WASI_MODULE "wasi_snapshot_preview1"

/* True if guest fd is one of the stdio slots the memio routes. */
static bool memio_routes(cairn_wasi *w, uint32_t fd) {
  return fd < 3 && fd < w->nfds && w->fds[fd].host >= 0 && w->fds[fd].kind == WASI_KIND_STDIO;
}

static bool memout_append(cairn_wasi_memout *o, const uint8_t *p, size_t n) {
  if (n == 0) return true; /* data may still be NULL: memcpy must not see it */
  if (o->max && (o->len + n > o->max || o->len + n < o->len)) {
    o->overflow = true;
    return false;
  }
  if (o->len + n > o->cap) {
    size_t cap = o->cap ? o->cap : 4096;
    while (cap < o->len + n) cap *= 2;
    uint8_t *d = realloc(o->data, cap);
    if (!d) {
      o->nomem = true;
      return false;
    }
    o->data = d;
    o->cap = cap;
  }
  memcpy(o->data + o->len, p, n);
  o->len += n;
  return true;
}

/* fd_read(fd, iovs, iovs_len, nread) */
static bool memio_fd_read(void *env, const cairn_val *a, cairn_val *res, cairn_error *trap) {
  cairn_wasi_memio *io = env;
  cairn_wasi *w = io->wasi;
  int r;
  if (A32(0) == 0 && memio_routes(w, 0)) {
    struct iovec small[64], *iov;
    int n;
    r = wasi_iovs(w, A32(1), A32(2), small, &iov, &n);
    if (r == WASI_ESUCCESS && !wasi_mem(w, A32(3), 4)) r = WASI_EFAULT;
    if (r == WASI_ESUCCESS) {
      size_t total = 0;
      for (int i = 0; i < n && io->in_pos < io->in_len; i++) {
        size_t k = io->in_len - io->in_pos;
        if (k > iov[i].iov_len) k = iov[i].iov_len;
        memcpy(iov[i].iov_base, io->in + io->in_pos, k);
        io->in_pos += k;
        total += k;
      }
      if (iov != small) free(iov);
      wasi_put_u32(w, A32(3), (uint32_t)total);
    }
  } else {
    r = wasi_fd_read(w, a, trap);
    if (r < 0) return false;
  }
  res[0].type = CAIRN_I32;
  res[0].of.i32 = r;
  return true;
}

/* fd_write(fd, iovs, iovs_len, nwritten) */
static bool memio_fd_write(void *env, const cairn_val *a, cairn_val *res, cairn_error *trap) {
  cairn_wasi_memio *io = env;
  cairn_wasi *w = io->wasi;
  int r;
  uint32_t fd = A32(0);
  if ((fd == 1 || fd == 2) && memio_routes(w, fd)) {
    cairn_wasi_memout *o = fd == 1 ? &io->out : &io->err;
    struct iovec small[64], *iov;
    int n;
    r = wasi_iovs(w, A32(1), A32(2), small, &iov, &n);
    if (r == WASI_ESUCCESS && !wasi_mem(w, A32(3), 4)) r = WASI_EFAULT;
    if (r == WASI_ESUCCESS) {
      size_t total = 0;
      for (int i = 0; i < n && r == WASI_ESUCCESS; i++) {
        if (!memout_append(o, iov[i].iov_base, iov[i].iov_len))
          r = o->overflow ? WASI_EFBIG : WASI_ENOMEM;
        else
          total += iov[i].iov_len;
      }
      if (iov != small) free(iov);
      if (r == WASI_ESUCCESS) wasi_put_u32(w, A32(3), (uint32_t)total);
    }
  } else {
    r = wasi_fd_write(w, a, trap);
    if (r < 0) return false;
  }
  res[0].type = CAIRN_I32;
  res[0].of.i32 = r;
  return true;
}

static bool memio_is(const cairn_externtype *t, const char *name) {
  return t->module_len == strlen(WASI_MODULE) && memcmp(t->module, WASI_MODULE, t->module_len) == 0 &&
         t->name_len == strlen(name) && memcmp(t->name, name, t->name_len) == 0;
}

bool cairn_wasi_define_imports_memio(cairn_wasi *w, const cairn_module *m, cairn_extern *imports,
                                     cairn_wasi_memio *io, cairn_error *err) {
  if (!cairn_wasi_define_imports(w, m, imports, NULL, err)) return false;
  io->wasi = w;
  static const cairn_valtype p4[4] = {CAIRN_I32, CAIRN_I32, CAIRN_I32, CAIRN_I32};
  static const cairn_valtype r1[1] = {CAIRN_I32};
  cairn_functype ft = {4, 1, p4, r1};
  cairn_func *fr = NULL, *fw = NULL;
  uint32_t n = cairn_module_import_count(m);
  for (uint32_t i = 0; i < n; i++) {
    cairn_externtype t;
    cairn_module_import(m, i, &t);
    cairn_func **slot = memio_is(&t, "fd_read") ? &fr : memio_is(&t, "fd_write") ? &fw : NULL;
    if (!slot) continue;
    if (!*slot) *slot = cairn_func_new(w->store, &ft, slot == &fr ? memio_fd_read : memio_fd_write, io);
    if (!*slot) {
      memset(err, 0, sizeof *err);
      err->kind = CAIRN_ERR_NOMEM;
      err->offset = -1;
      strcpy(err->msg, "out of memory");
      return false;
    }
    imports[i].kind = CAIRN_EXTERN_FUNC;
    imports[i].of.func = *slot;
  }
  return true;
}

bool cairn_wasi_reset(cairn_wasi *w, const cairn_wasi_config *cfg, cairn_error *err) {
  cairn_wasi *n = cairn_wasi_new(w->store, cfg, err);
  if (!n) return false;
#define SWAP(f)          \
  do {                   \
    __typeof__(w->f) t = w->f; \
    w->f = n->f;         \
    n->f = t;            \
  } while (0)
  SWAP(argv); SWAP(argc); SWAP(argv_bytes);
  SWAP(env); SWAP(envc); SWAP(env_bytes);
  SWAP(fds); SWAP(nfds);
  SWAP(mdirs); SWAP(nmdirs);
#undef SWAP
  cairn_wasi_free(n);  /* the old program state: closes what the guest opened */
  return true;
}
