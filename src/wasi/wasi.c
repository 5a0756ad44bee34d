/*
** wasi.c: the WASI object: creation from a config (argv, env, stdio,
** preopened directories and listeners), the descriptor table, guest memory
** accessors, and the binding of wasi_snapshot_preview1 imports to host
** functions.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi/wasi_internal.h"

#define WASI_MODULE "wasi_snapshot_preview1"
#define WASI_MAX_FDS 65536

/* ---- the function table ---- */

typedef struct WasiFuncDesc {
  const char *name;
  const char *sig;   /* params: 'i' i32, 'I' i64 */
  bool has_result;   /* one i32 result (errno) */
  wasi_impl impl;
} WasiFuncDesc;

#define WASI_DESC(name, sig, res) {#name, sig, res, wasi_##name},
static const WasiFuncDesc wasi_funcs[] = {WASI_FUNCS(WASI_DESC)};
#undef WASI_DESC
#define WASI_NFUNCS (sizeof wasi_funcs / sizeof wasi_funcs[0])

struct WasiBinding {
  cairn_wasi *w;
  wasi_impl impl;
  bool has_result;
};

static bool wasi_host_call(void *env, const cairn_val *args, cairn_val *results,
                           cairn_error *trap) {
  WasiBinding *b = env;
  int r = b->impl(b->w, args, trap);
  if (r < 0) return false;
  if (b->has_result) {
    results[0].type = CAIRN_I32;
    results[0].of.i32 = r;
  }
  return true;
}

static void wasi_fail(cairn_error *err, cairn_errkind kind, const char *fmt, const char *a,
                      const char *b) {
  if (!err) return;
  memset(err, 0, sizeof *err);
  err->kind = kind;
  err->offset = -1;
  snprintf(err->msg, sizeof err->msg, fmt, a, b);
}

/* ---- guest memory ---- */

uint8_t *wasi_mem(cairn_wasi *w, uint64_t off, uint64_t len) {
  if (!w->mem) return NULL;
  uint64_t size = cairn_memory_size(w->mem);
  if (off > size || len > size - off) return NULL;
  uint8_t *base = cairn_memory_data(w->mem);
  return base ? base + off : NULL;
}

bool wasi_get_u32(cairn_wasi *w, uint32_t off, uint32_t *v) {
  uint8_t *p = wasi_mem(w, off, 4);
  if (!p) return false;
  *v = wasi_rd32(p);
  return true;
}
bool wasi_put_u8(cairn_wasi *w, uint32_t off, uint8_t v) {
  uint8_t *p = wasi_mem(w, off, 1);
  if (!p) return false;
  *p = v;
  return true;
}
bool wasi_put_u16(cairn_wasi *w, uint32_t off, uint16_t v) {
  uint8_t *p = wasi_mem(w, off, 2);
  if (!p) return false;
  wasi_le16(p, v);
  return true;
}
bool wasi_put_u32(cairn_wasi *w, uint32_t off, uint32_t v) {
  uint8_t *p = wasi_mem(w, off, 4);
  if (!p) return false;
  wasi_le32(p, v);
  return true;
}
bool wasi_put_u64(cairn_wasi *w, uint32_t off, uint64_t v) {
  uint8_t *p = wasi_mem(w, off, 8);
  if (!p) return false;
  wasi_le64(p, v);
  return true;
}

/* ---- descriptor table ---- */

uint8_t wasi_filetype(unsigned mode) {
  switch (mode & S_IFMT) {
  case S_IFREG: return WASI_FT_FILE;
  case S_IFDIR: return WASI_FT_DIR;
  case S_IFCHR: return WASI_FT_CHAR;
  case S_IFBLK: return WASI_FT_BLOCK;
  case S_IFLNK: return WASI_FT_SYMLINK;
  case S_IFSOCK: return WASI_FT_SOCK_STREAM;
  default: return WASI_FT_UNKNOWN;
  }
}

WasiFd *wasi_fd_get(cairn_wasi *w, uint32_t fd, uint64_t need_rights, int *err) {
  if (fd >= w->nfds || w->fds[fd].host == -1) {
    *err = WASI_EBADF;
    return NULL;
  }
  WasiFd *e = &w->fds[fd];
  if ((e->rights & need_rights) != need_rights) {
    *err = WASI_ENOTCAPABLE;
    return NULL;
  }
  return e;
}

static bool wasi_fd_reserve(cairn_wasi *w, uint32_t n) {
  if (n <= w->nfds) return true;
  uint32_t cap = w->nfds ? w->nfds : 8;
  while (cap < n) cap *= 2;
  WasiFd *p = w->fds ? cairn_realloc(w->fds, (size_t)cap * sizeof *p)
                     : cairn_store_malloc(w->store, (size_t)cap * sizeof *p);
  if (!p) return false;
  for (uint32_t i = w->nfds; i < cap; i++) {
    memset(&p[i], 0, sizeof p[i]);
    p[i].host = -1;
  }
  w->fds = p;
  w->nfds = cap;
  return true;
}

static uint32_t wasi_fd_lowest(cairn_wasi *w, uint32_t from) {
  uint32_t i = from;
  while (i < w->nfds && w->fds[i].host != -1) i++;
  return i;
}

static int64_t wasi_fd_put(cairn_wasi *w, uint32_t i, int host, uint8_t filetype, uint8_t kind,
                           uint64_t rights, uint64_t inheriting, bool read_only) {
  if (i >= WASI_MAX_FDS || !wasi_fd_reserve(w, i + 1)) {
    close(host);
    return -1;
  }
  WasiFd *e = &w->fds[i];
  memset(e, 0, sizeof *e);
  e->host = host;
  e->filetype = filetype;
  e->kind = kind;
  if (read_only) {
    rights &= ~R_MODIFY;
    inheriting &= ~R_MODIFY;
  }
  e->rights = rights;
  e->inheriting = inheriting;
  e->read_only = read_only;
  return i;
}

int64_t wasi_fd_add(cairn_wasi *w, int host, uint8_t filetype, uint8_t kind,
                    uint64_t rights, uint64_t inheriting, bool read_only) {
  return wasi_fd_put(w, wasi_fd_lowest(w, 0), host, filetype, kind, rights, inheriting,
                     read_only);
}

void wasi_fd_release(cairn_wasi *w, uint32_t fd) {
  WasiFd *e = &w->fds[fd];
  if (!e->borrowed && e->host >= 0) close(e->host);
  cairn_free(e->preopen);
  memset(e, 0, sizeof *e);
  e->host = -1;
}

/* ---- creation ---- */

void cairn_wasi_config_init(cairn_wasi_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->stdio[0] = 0;
  cfg->stdio[1] = 1;
  cfg->stdio[2] = 2;
}

/* A zeroed block charged to w's store (the WASI state belongs with it). */
static void *wasi_zalloc(cairn_wasi *w, size_t n) {
  void *p = cairn_store_malloc(w->store, n);
  if (p) memset(p, 0, n);
  return p;
}

static char *wasi_strdup(cairn_wasi *w, const char *z) {
  size_t n = strlen(z) + 1;
  char *r = cairn_store_malloc(w->store, n);
  if (r) memcpy(r, z, n);
  return r;
}

static char **wasi_copy_strings(cairn_wasi *w, const char *const *src, size_t n, size_t *bytes) {
  if (n > SIZE_MAX / sizeof(char *) - 1) return NULL;
  char **v = wasi_zalloc(w, (n + 1) * sizeof *v);
  if (!v) return NULL;
  *bytes = 0;
  for (size_t i = 0; i < n; i++) {
    v[i] = wasi_strdup(w, src[i] ? src[i] : "");
    if (!v[i]) {
      for (size_t j = 0; j < i; j++) cairn_free(v[j]);
      cairn_free(v);
      return NULL;
    }
    *bytes += strlen(v[i]) + 1;
  }
  return v;
}

/* Wiped before they are freed: an environment may carry secrets released
** by attestation (docs/trust.md). */
static void wasi_free_strings(char **v) {
  if (!v) return;
  for (char **p = v; *p; p++) {
    explicit_bzero(*p, strlen(*p));
    cairn_free(*p);
  }
  cairn_free(v);
}

/* Adds a borrowed host fd (stdio or listener) at guest slot `slot`. */
static bool wasi_add_borrowed(cairn_wasi *w, uint32_t slot, int host, uint8_t kind) {
  if (!wasi_fd_reserve(w, slot + 1)) return false;
  WasiFd *e = &w->fds[slot];
  memset(e, 0, sizeof *e);
  e->host = host;
  e->borrowed = true;
  e->kind = kind;
  struct stat st;
  e->filetype = fstat(host, &st) == 0 ? wasi_filetype(st.st_mode) : WASI_FT_UNKNOWN;
  if (kind == WASI_KIND_LISTENER) {
    e->filetype = WASI_FT_SOCK_STREAM;
    e->rights = R_SOCK_BASE | R_SOCK_ACCEPT;
    e->inheriting = R_SOCK_BASE;
  } else if (e->filetype == WASI_FT_SOCK_STREAM) {
    e->rights = R_SOCK_BASE;
    e->inheriting = R_SOCK_BASE;
  } else {
    e->rights = R_FILE_BASE;
    e->inheriting = R_ALL;
    if (e->filetype == WASI_FT_CHAR || e->filetype == WASI_FT_UNKNOWN)
      e->rights &= ~(R_FD_SEEK | R_FD_TELL | R_FD_ALLOCATE | R_FD_ADVISE);
  }
  return true;
}

cairn_wasi *cairn_wasi_new(cairn_store *s, const cairn_wasi_config *cfg, cairn_error *err) {
  cairn_wasi *w = cairn_store_malloc(s, sizeof *w);
  if (!w) goto nomem;
  memset(w, 0, sizeof *w);
  w->store = s;
  w->argc = cfg->argc;
  w->envc = cfg->envc;
  w->argv = wasi_copy_strings(w, cfg->argv, cfg->argc, &w->argv_bytes);
  w->env = wasi_copy_strings(w, cfg->env, cfg->envc, &w->env_bytes);
  if (!w->argv || !w->env || !wasi_fd_reserve(w, 3)) goto nomem;
  for (uint32_t i = 0; i < 3; i++)
    if (cfg->stdio[i] >= 0 && !wasi_add_borrowed(w, i, cfg->stdio[i], WASI_KIND_STDIO))
      goto nomem;
  for (size_t i = 0; i < cfg->npreopens; i++) {
    const cairn_wasi_preopen *p = &cfg->preopens[i];
    int fd = open(p->host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      wasi_fail(err, CAIRN_ERR_IO, "cannot open directory %s: %s", p->host_path,
                strerror(errno));
      cairn_wasi_free(w);
      return NULL;
    }
    int64_t g = wasi_fd_put(w, wasi_fd_lowest(w, 3), fd, WASI_FT_DIR, WASI_KIND_DIR, R_DIR_BASE, R_ALL, p->read_only);
    if (g < 0) goto nomem;
    const char *gp = p->guest_path ? p->guest_path : p->host_path;
    w->fds[g].preopen = wasi_strdup(w, gp);
    if (!w->fds[g].preopen) goto nomem;
    w->fds[g].preopen_len = strlen(gp);
  }
  for (size_t i = 0; i < cfg->nmemdirs; i++) {
    const cairn_wasi_memdir *d = &cfg->memdirs[i];
    int64_t g = wasi_fd_put(w, wasi_fd_lowest(w, 3), WASI_HOST_MEM, WASI_FT_DIR,
                            WASI_KIND_MEMDIR, WASI_MEM_DIR_RIGHTS,
                            WASI_MEM_DIR_RIGHTS | WASI_MEM_FILE_RIGHTS, true);
    if (g < 0 || !wasi_memdir_add(w, d, &w->fds[g])) goto nomem;
    const char *gp = d->guest_path ? d->guest_path : "/";
    w->fds[g].preopen = wasi_strdup(w, gp);
    if (!w->fds[g].preopen) goto nomem;
    w->fds[g].preopen_len = strlen(gp);
  }
  for (size_t i = 0; i < cfg->nlisteners; i++) {
    uint32_t slot = wasi_fd_lowest(w, 3);
    if (!wasi_add_borrowed(w, slot, cfg->listeners[i], WASI_KIND_LISTENER)) goto nomem;
  }
  w->funcs = wasi_zalloc(w, WASI_NFUNCS * sizeof *w->funcs);
  w->binds = wasi_zalloc(w, WASI_NFUNCS * sizeof *w->binds);
  if (!w->funcs || !w->binds) goto nomem;
  return w;
nomem:
  wasi_fail(err, CAIRN_ERR_NOMEM, "out of memory%s%s", "", "");
  cairn_wasi_free(w);
  return NULL;
}

void cairn_wasi_free(cairn_wasi *w) {
  if (!w) return;
  for (uint32_t i = 0; i < w->nfds; i++)
    if (w->fds[i].host != -1) wasi_fd_release(w, i);
  cairn_free(w->fds);
  wasi_memdir_free(w);
  wasi_free_strings(w->argv);
  wasi_free_strings(w->env);
  cairn_free(w->funcs);
  cairn_free(w->binds);
  cairn_free(w);
}

/* ---- imports ---- */

static bool wasi_name_is(const char *s, size_t n, const char *z) {
  return strlen(z) == n && memcmp(s, z, n) == 0;
}

bool cairn_wasi_is_wasi_import(const cairn_module *m, uint32_t i) {
  cairn_externtype t;
  cairn_module_import(m, i, &t);
  return wasi_name_is(t.module, t.module_len, WASI_MODULE);
}

static cairn_valtype wasi_sig_type(char c) { return c == 'I' ? CAIRN_I64 : CAIRN_I32; }

static cairn_func *wasi_func_for(cairn_wasi *w, size_t k) {
  if (w->funcs[k]) return w->funcs[k];
  const WasiFuncDesc *d = &wasi_funcs[k];
  cairn_valtype params[16];
  cairn_valtype result = CAIRN_I32;
  size_t np = strlen(d->sig);
  for (size_t i = 0; i < np; i++) params[i] = wasi_sig_type(d->sig[i]);
  cairn_functype ft = {(uint32_t)np, d->has_result ? 1u : 0u, params, &result};
  w->binds[k].w = w;
  w->binds[k].impl = d->impl;
  w->binds[k].has_result = d->has_result;
  w->funcs[k] = cairn_func_new(w->store, &ft, wasi_host_call, &w->binds[k]);
  return w->funcs[k];
}

bool cairn_wasi_define_imports(cairn_wasi *w, const cairn_module *m, cairn_extern *imports,
                               size_t *nfilled, cairn_error *err) {
  uint32_t n = cairn_module_import_count(m);
  size_t filled = 0;
  for (uint32_t i = 0; i < n; i++) {
    cairn_externtype t;
    cairn_module_import(m, i, &t);
    if (!wasi_name_is(t.module, t.module_len, WASI_MODULE)) continue;
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(t.name_len < 100 ? t.name_len : 100), t.name);
    size_t k = 0;
    while (k < WASI_NFUNCS && !wasi_name_is(t.name, t.name_len, wasi_funcs[k].name)) k++;
    if (k == WASI_NFUNCS || t.kind != CAIRN_EXTERN_FUNC) {
      wasi_fail(err, CAIRN_ERR_LINK, "unknown import: " WASI_MODULE "::%s%s", name, "");
      return false;
    }
    const WasiFuncDesc *d = &wasi_funcs[k];
    bool ok = t.func.nparams == strlen(d->sig) && t.func.nresults == (d->has_result ? 1u : 0u);
    for (uint32_t j = 0; ok && j < t.func.nparams; j++)
      ok = t.func.params[j] == wasi_sig_type(d->sig[j]);
    if (ok && d->has_result) ok = t.func.results[0] == CAIRN_I32;
    if (!ok) {
      wasi_fail(err, CAIRN_ERR_LINK,
                "incompatible import type: " WASI_MODULE "::%s%s", name, "");
      return false;
    }
    cairn_func *f = wasi_func_for(w, k);
    if (!f) {
      wasi_fail(err, CAIRN_ERR_NOMEM, "out of memory%s%s", "", "");
      return false;
    }
    imports[i].kind = CAIRN_EXTERN_FUNC;
    imports[i].of.func = f;
    filled++;
  }
  if (nfilled) *nfilled = filled;
  return true;
}

bool cairn_wasi_bind_instance(cairn_wasi *w, const cairn_instance *inst, cairn_error *err) {
  cairn_extern ex;
  if (!cairn_instance_export(inst, "memory", 6, &ex) || ex.kind != CAIRN_EXTERN_MEMORY) {
    wasi_fail(err, CAIRN_ERR_ARG, "WASI module does not export a memory named \"memory\"%s%s",
              "", "");
    return false;
  }
  w->mem = ex.of.memory;
  return true;
}

void cairn_wasi_set_memory(cairn_wasi *w, cairn_memory *mem) { w->mem = mem; }
