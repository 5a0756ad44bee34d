/*
** wasi.c: include/wasi.h, WASI for wasm.h programs, on top of
** <cairn/wasi.h>. A wasi_config_t collects copies of what the guest gets
** (and opens its stdio files at once, so a bad path fails where it is
** given); wasi_env_new hands it to cairn_wasi_new.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "capi/capi.h"
#include "cairn/wasi.h"
#include "wasi.h"

extern char **environ;

typedef struct StrList {
  char **a;
  size_t n;
} StrList;

struct wasi_config_t {
  StrList argv, env, pre_host, pre_guest;
  int stdio[3];
  bool own_stdio[3];   /* opened here: closed with the config or env */
};

struct wasi_env_t {
  wasm_store_t *store; /* a reference */
  cairn_wasi *w;
  int stdio[3];
  bool own_stdio[3];
  char err[256];
};

static char *str_dup(const char *s, size_t n) {
  char *d = cairn_malloc(n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

static void list_clear(StrList *l) {
  for (size_t i = 0; i < l->n; i++) capi_free(l->a[i]);
  capi_free(l->a);
  l->a = NULL;
  l->n = 0;
}

static bool list_push(StrList *l, char *s) {
  if (!s) return false;
  char **a = cairn_realloc(l->a, (l->n + 1) * sizeof *a);
  if (!a) {
    capi_free(s);
    return false;
  }
  a[l->n++] = s;
  l->a = a;
  return true;
}

static void close_stdio(int fds[3], bool own[3]) {
  for (int i = 0; i < 3; i++) {
    if (own[i] && fds[i] >= 0) close(fds[i]);
    fds[i] = -1;
    own[i] = false;
  }
}

wasi_config_t *wasi_config_new(void) {
  wasi_config_t *c = capi_alloc(sizeof *c);
  if (c)
    for (int i = 0; i < 3; i++) c->stdio[i] = -1;
  return c;
}

void wasi_config_delete(wasi_config_t *c) {
  if (!c) return;
  list_clear(&c->argv);
  list_clear(&c->env);
  list_clear(&c->pre_host);
  list_clear(&c->pre_guest);
  close_stdio(c->stdio, c->own_stdio);
  capi_free(c);
}

bool wasi_config_set_argv(wasi_config_t *c, size_t argc, const char *argv[]) {
  if (!c || (argc && !argv)) return false;
  list_clear(&c->argv);
  for (size_t i = 0; i < argc; i++)
    if (!argv[i] || !list_push(&c->argv, str_dup(argv[i], strlen(argv[i])))) {
      list_clear(&c->argv);
      return false;
    }
  return true;
}

void wasi_config_inherit_argv(wasi_config_t *c) {
  if (!c) return;
  list_clear(&c->argv);
  FILE *f = fopen("/proc/self/cmdline", "rb");
  if (!f) return;
  char buf[4096];
  size_t n = 0;
  int ch;
  while ((ch = getc(f)) != EOF) {
    if (ch && n < sizeof buf - 1) {
      buf[n++] = (char)ch;
      continue;
    }
    if (!ch) {
      list_push(&c->argv, str_dup(buf, n));
      n = 0;
    }
  }
  fclose(f);
}

bool wasi_config_set_env(wasi_config_t *c, size_t envc, const char *names[],
                         const char *values[]) {
  if (!c || (envc && (!names || !values))) return false;
  list_clear(&c->env);
  for (size_t i = 0; i < envc; i++) {
    if (!names[i] || !values[i] || strchr(names[i], '=')) goto fail;
    size_t ln = strlen(names[i]), lv = strlen(values[i]);
    char *s = cairn_malloc(ln + lv + 2);
    if (!s) goto fail;
    memcpy(s, names[i], ln);
    s[ln] = '=';
    memcpy(s + ln + 1, values[i], lv + 1);
    if (!list_push(&c->env, s)) goto fail;
  }
  return true;
fail:
  list_clear(&c->env);
  return false;
}

void wasi_config_inherit_env(wasi_config_t *c) {
  if (!c) return;
  list_clear(&c->env);
  for (char **e = environ; e && *e; e++) list_push(&c->env, str_dup(*e, strlen(*e)));
}

static bool set_file(wasi_config_t *c, int which, const char *path, int flags) {
  if (!c || !path) return false;
  int fd = open(path, flags | O_CLOEXEC, 0666);
  if (fd < 0) return false;
  if (c->own_stdio[which]) close(c->stdio[which]);
  c->stdio[which] = fd;
  c->own_stdio[which] = true;
  return true;
}

static void inherit(wasi_config_t *c, int which) {
  if (!c) return;
  if (c->own_stdio[which]) close(c->stdio[which]);
  c->stdio[which] = which;
  c->own_stdio[which] = false;
}

bool wasi_config_set_stdin_file(wasi_config_t *c, const char *path) {
  return set_file(c, 0, path, O_RDONLY);
}
bool wasi_config_set_stdout_file(wasi_config_t *c, const char *path) {
  return set_file(c, 1, path, O_WRONLY | O_CREAT | O_TRUNC);
}
bool wasi_config_set_stderr_file(wasi_config_t *c, const char *path) {
  return set_file(c, 2, path, O_WRONLY | O_CREAT | O_TRUNC);
}
void wasi_config_inherit_stdin(wasi_config_t *c) { inherit(c, 0); }
void wasi_config_inherit_stdout(wasi_config_t *c) { inherit(c, 1); }
void wasi_config_inherit_stderr(wasi_config_t *c) { inherit(c, 2); }

bool wasi_config_preopen_dir(wasi_config_t *c, const char *path, const char *guest_path) {
  if (!c || !path || !guest_path) return false;
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  close(fd);
  if (!list_push(&c->pre_host, str_dup(path, strlen(path)))) return false;
  if (!list_push(&c->pre_guest, str_dup(guest_path, strlen(guest_path)))) {
    capi_free(c->pre_host.a[--c->pre_host.n]);
    return false;
  }
  return true;
}

wasi_env_t *wasi_env_new(wasm_store_t *st, wasi_config_t *c) {
  wasi_env_t *env = NULL;
  cairn_wasi_preopen *pre = NULL;
  if (!st || !c) goto out;
  env = capi_alloc(sizeof *env);
  pre = capi_alloc(c->pre_host.n * sizeof *pre);
  if (!env || !pre) goto fail;
  cairn_wasi_config cfg;
  cairn_wasi_config_init(&cfg);
  cfg.argc = c->argv.n;
  cfg.argv = (const char *const *)c->argv.a;
  cfg.envc = c->env.n;
  cfg.env = (const char *const *)c->env.a;
  for (size_t i = 0; i < c->pre_host.n; i++)
    pre[i] = (cairn_wasi_preopen){c->pre_host.a[i], c->pre_guest.a[i], false};
  cfg.npreopens = c->pre_host.n;
  cfg.preopens = pre;
  for (int i = 0; i < 3; i++) cfg.stdio[i] = c->stdio[i];
  cairn_error err;
  env->w = cairn_wasi_new(st->s, &cfg, &err);
  if (!env->w) goto fail;
  /* the descriptors opened for the config now belong to the env */
  for (int i = 0; i < 3; i++) {
    env->stdio[i] = c->stdio[i];
    env->own_stdio[i] = c->own_stdio[i];
    c->own_stdio[i] = false;
  }
  env->store = st;
  capi_store_ref(st);
  goto out;
fail:
  capi_free(env);
  env = NULL;
out:
  capi_free(pre);
  wasi_config_delete(c);
  return env;
}

void wasi_env_delete(wasi_env_t *env) {
  if (!env) return;
  cairn_wasi_free(env->w);
  close_stdio(env->stdio, env->own_stdio);
  wasm_store_t *st = env->store;
  capi_free(env);
  capi_store_unref(st);
}

const char *wasi_env_error(const wasi_env_t *env) { return env ? env->err : ""; }

bool wasi_get_imports(const wasm_store_t *cst, wasi_env_t *env, const wasm_module_t *module,
                      wasm_extern_vec_t *imports) {
  wasm_extern_vec_new_empty(imports);
  if (!env || !module) return false;
  wasm_store_t *st = env->store;
  (void)cst; /* the env's store: the one its host functions belong to */
  const cairn_module *m = cairn_wasm_module(module);
  uint32_t n = cairn_module_import_count(m);
  env->err[0] = '\0';
  for (uint32_t i = 0; i < n; i++) {
    if (!cairn_wasi_is_wasi_import(m, i)) {
      cairn_externtype et;
      cairn_module_import(m, i, &et);
      snprintf(env->err, sizeof env->err,
               "import %u (%.*s.%.*s) is not a wasi_snapshot_preview1 import", i,
               (int)et.module_len, et.module, (int)et.name_len, et.name);
      return false;
    }
  }
  cairn_extern *ce = capi_alloc(n * sizeof *ce);
  cairn_error err;
  if (!ce) {
    snprintf(env->err, sizeof env->err, "out of memory");
    return false;
  }
  if (!cairn_wasi_define_imports(env->w, m, ce, NULL, &err)) {
    snprintf(env->err, sizeof env->err, "%s", err.msg);
    capi_free(ce);
    return false;
  }
  wasm_extern_vec_new_uninitialized(imports, n);
  bool ok = imports->size == n;
  for (uint32_t i = 0; ok && i < n; i++) ok = (imports->data[i] = cairn_wasm_extern_new(st, &ce[i]));
  capi_free(ce);
  if (!ok) {
    wasm_extern_vec_delete(imports);
    snprintf(env->err, sizeof env->err, "out of memory");
  }
  return ok;
}

bool wasi_env_initialize_instance(wasi_env_t *env, wasm_store_t *st, wasm_instance_t *inst) {
  (void)st;
  if (!env || !inst) return false;
  cairn_error err;
  env->err[0] = '\0';
  if (!cairn_wasi_bind_instance(env->w, cairn_wasm_instance(inst), &err)) {
    snprintf(env->err, sizeof env->err, "%s", err.msg);
    return false;
  }
  return true;
}

bool wasi_trap_exit_status(const wasm_trap_t *trap, int *status) {
  if (!trap) return false;
  cairn_error e;
  cairn_wasm_trap_error(trap, &e);
  if (e.trap != CAIRN_TRAP_EXIT) return false;
  if (status) *status = e.exit_code;
  return true;
}
