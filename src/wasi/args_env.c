/*
** args_env.c: args_get / args_sizes_get / environ_get / environ_sizes_get.
** Both lists are written the same way: an array of guest pointers, and the
** NUL-terminated strings packed one after another in a buffer.
*/
#include "wasi/wasi_internal.h"

static int wasi_strings_get(cairn_wasi *w, char **v, size_t n, size_t bytes, uint32_t ptrs,
                            uint32_t buf) {
  uint8_t *pp = wasi_mem(w, ptrs, (uint64_t)n * 4);
  uint8_t *pb = wasi_mem(w, buf, bytes);
  if (!pp || !pb) return WASI_EFAULT;
  uint32_t at = buf;
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(v[i]) + 1;
    wasi_le32(pp + 4 * i, at);
    memcpy(pb + (at - buf), v[i], len);
    at += (uint32_t)len;
  }
  return WASI_ESUCCESS;
}

static int wasi_sizes_get(cairn_wasi *w, size_t n, size_t bytes, uint32_t pn, uint32_t pbytes) {
  uint8_t *a = wasi_mem(w, pn, 4), *b = wasi_mem(w, pbytes, 4);
  if (!a || !b) return WASI_EFAULT;
  wasi_le32(a, (uint32_t)n);
  wasi_le32(b, (uint32_t)bytes);
  return WASI_ESUCCESS;
}

int wasi_args_get(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  return wasi_strings_get(w, w->argv, w->argc, w->argv_bytes, A32(0), A32(1));
}

int wasi_args_sizes_get(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  return wasi_sizes_get(w, w->argc, w->argv_bytes, A32(0), A32(1));
}

int wasi_environ_get(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  return wasi_strings_get(w, w->env, w->envc, w->env_bytes, A32(0), A32(1));
}

int wasi_environ_sizes_get(cairn_wasi *w, const cairn_val *a, cairn_error *trap) {
  return wasi_sizes_get(w, w->envc, w->env_bytes, A32(0), A32(1));
}
