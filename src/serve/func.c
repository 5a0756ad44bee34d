/*
** func.c: functions of `cairn serve`. Loading compiles each module once and
** checks it links against WASI by a trial instantiation. Each run thread
** gets, on first use, its own slot per function: a store with the function's
** limits, a WASI object whose stdio is host memory, an instance and a
** snapshot of it. Every request restores the slot from its snapshot (a
** fresh instance in a few microseconds), gives WASI the request's WAGI/CGI
** environment, runs _start, and turns stdout into an HTTP response
** (headers, a blank line, the body; output without a header block is sent
** as text/plain). A trap, a non-zero exit, a limit or bad output fails that
** request only, with a 5xx status and a short reason.
**
** Global state: g_stdio, a pipe made once per process (pthread_once) whose
** read end is the placeholder host fd behind every guest's stdio (memory
** stdio intercepts fds 0-2, so it is never read or written; being a pipe,
** a guest's isatty() is false and stdout is fully buffered).
*/
#define _GNU_SOURCE
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "serve/serve.h"
#include "trust/sign.h"

uint64_t serve_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int g_stdio[2] = {-1, -1};
static pthread_once_t g_stdio_once = PTHREAD_ONCE_INIT;
static void stdio_make(void) {
  if (pipe2(g_stdio, O_CLOEXEC) != 0) g_stdio[0] = g_stdio[1] = -1;
}
static int stdio_fd(void) {
  pthread_once(&g_stdio_once, stdio_make);
  return g_stdio[0];
}

/* ---- slots ---- */

static void wasi_conf(const ServeFunc *f, cairn_wasi_config *wc, const char *const *env,
                      size_t nenv, cairn_wasi_preopen *pre) {
  cairn_wasi_config_init(wc);
  wc->argc = 1;
  wc->argv = (const char *const *)&f->conf.name;
  wc->envc = nenv;
  wc->env = env;
  int fd = stdio_fd();
  wc->stdio[0] = wc->stdio[1] = wc->stdio[2] = fd;
  for (size_t i = 0; i < f->conf.ndirs; i++) {
    pre[i].host_path = f->conf.dirs[i].host;
    pre[i].guest_path = f->conf.dirs[i].guest;
    pre[i].read_only = f->conf.dirs[i].read_only;
  }
  wc->npreopens = f->conf.ndirs;
  wc->preopens = pre;
  if (f->secrets) serve_secrets_wasi(f->secrets, wc);
}

void func_slot_free(FuncSlot *s) {
  if (!s) return;
  cairn_snapshot_free(s->snap);
  cairn_wasi_free(s->wasi);
  cairn_store_free(s->store);
  free(s->io.out.data);
  free(s->io.err.data);
  cairn_free(s->imports);
  cairn_free(s);
}

/* A new slot for f from module mod: instantiated and captured. NULL with
** err on failure. */
FuncSlot *func_slot_new(ServeFunc *f, const cairn_module *mod, cairn_error *err) {
  FuncSlot *s = cairn_malloc(sizeof *s);
  if (!s) goto nomem;
  memset(s, 0, sizeof *s);
  s->module = mod;
  cairn_store_config sc = {0};
  memset(err, 0, sizeof *err);
  if (!serve_store_caps(&f->conf.limits, mod, &sc, err->msg, sizeof err->msg)) {
    err->kind = CAIRN_ERR_ARG;
    goto fail;
  }
  sc.fuel = f->conf.limits.fuel;
  if (!(s->store = cairn_store_new(&sc))) goto nomem;
  cairn_wasi_config wc;
  cairn_wasi_preopen pre[SERVE_MAX_DIRS];
  wasi_conf(f, &wc, (const char *const *)f->conf.env, f->conf.nenv, pre);
  if (!(s->wasi = cairn_wasi_new(s->store, &wc, err))) goto fail;
  size_t n = cairn_module_import_count(mod);
  s->imports = cairn_store_malloc(s->store, (n ? n : 1) * sizeof *s->imports);
  if (!s->imports) goto nomem;
  memset(s->imports, 0, (n ? n : 1) * sizeof *s->imports);
  if (!cairn_wasi_define_imports_memio(s->wasi, mod, s->imports, &s->io, err)) goto fail;
  for (uint32_t i = 0; i < n; i++) {
    if (!cairn_wasi_is_wasi_import(mod, i)) {
      cairn_externtype t;
      cairn_module_import(mod, i, &t);
      memset(err, 0, sizeof *err);
      err->kind = CAIRN_ERR_LINK;
      snprintf(err->msg, sizeof err->msg, "unknown import %.*s::%.*s (only WASI is provided)",
               (int)t.module_len, t.module, (int)t.name_len, t.name);
      goto fail;
    }
  }
  if (!(s->inst = cairn_instance_new(s->store, mod, s->imports, n, err))) goto fail;
  if (!cairn_wasi_bind_instance(s->wasi, s->inst, err)) goto fail;
  cairn_extern ex;
  if (!cairn_instance_export(s->inst, "_start", 6, &ex) || ex.kind != CAIRN_EXTERN_FUNC) {
    memset(err, 0, sizeof *err);
    err->kind = CAIRN_ERR_LINK;
    snprintf(err->msg, sizeof err->msg, "the module exports no _start function (not a WASI command)");
    goto fail;
  }
  const cairn_functype *ft = cairn_func_type(ex.of.func);
  if (ft->nparams || ft->nresults) {
    memset(err, 0, sizeof *err);
    err->kind = CAIRN_ERR_LINK;
    snprintf(err->msg, sizeof err->msg, "_start must take and return nothing");
    goto fail;
  }
  s->start = ex.of.func;
  if (cairn_instance_export(s->inst, "memory", 6, &ex) && ex.kind == CAIRN_EXTERN_MEMORY) {
    s->mem = ex.of.memory;
    s->pages0 = cairn_memory_pages(ex.of.memory);
  }
  if (!(s->snap = cairn_snapshot_new(s->inst, err))) goto fail;
  return s;
nomem:
  memset(err, 0, sizeof *err);
  err->kind = CAIRN_ERR_NOMEM;
  snprintf(err->msg, sizeof err->msg, "out of memory");
fail:
  func_slot_free(s);
  return NULL;
}

/* ---- sets ---- */

void funcset_release_worker(FuncSet *set, int w) {
  for (size_t i = 0; i < set->nfuncs; i++) {
    ServeFunc *f = &set->funcs[i];
    if (w < f->nslots && f->slots[w]) {
      func_slot_free(f->slots[w]);
      f->slots[w] = NULL;
      atomic_fetch_sub(&f->metrics->live_instances, 1);
    }
  }
}

/* Frees what one function of a set owns (not the struct). */
static void func_free(ServeFunc *f) {
  for (int w = 0; w < f->nslots; w++)
    if (f->slots[w]) {
      func_slot_free(f->slots[w]);
      atomic_fetch_sub(&f->metrics->live_instances, 1);
    }
  free(f->slots);
  free(f->sig_keys);
  cairn_module_free(f->module);
  cairn_module_free(atomic_load(&f->native));
  free(f->conf.name);
  free(f->conf.route);
  free(f->conf.module);
  for (size_t k = 0; k < f->conf.nenv; k++) free(f->conf.env[k]);
  free(f->conf.env);
  for (size_t k = 0; k < f->conf.ndirs; k++) {
    free(f->conf.dirs[k].host);
    free(f->conf.dirs[k].guest);
  }
  free(f->conf.dirs);
  serve_attest_conf_free(f->conf.attest);
  serve_secrets_free(f->secrets);   /* wiped */
  cairn_free(f->attested);
}

void funcset_free(FuncSet *set) {
  if (!set) return;
  for (size_t i = 0; i < set->nfuncs; i++) func_free(&set->funcs[i]);
  free(set->funcs);
  free(set);
}

static bool conf_copy(ServeFuncConf *d, const ServeFuncConf *s) {
  memset(d, 0, sizeof *d);
  d->limits = s->limits;
  d->aot = s->aot;
  d->name = strdup(s->name);
  d->route = strdup(s->route);
  d->module = strdup(s->module);
  d->env = calloc(s->nenv + 1, sizeof *d->env);
  d->dirs = calloc(s->ndirs + 1, sizeof *d->dirs);
  if (!d->name || !d->route || !d->module || !d->env || !d->dirs) return false;
  for (size_t i = 0; i < s->nenv; i++, d->nenv++)
    if (!(d->env[i] = strdup(s->env[i]))) return false;
  for (size_t i = 0; i < s->ndirs; i++, d->ndirs++) {
    d->dirs[i].read_only = s->dirs[i].read_only;
    if (!(d->dirs[i].host = strdup(s->dirs[i].host)) ||
        !(d->dirs[i].guest = strdup(s->dirs[i].guest)))
      return false;
  }
  if (s->attest && !(d->attest = serve_attest_conf_copy(s->attest))) return false;
  return true;
}

/* Loads c's "require_signature" keys into f. False (message in err) if a
** key file is bad. */
static bool func_load_keys(ServeFunc *f, const ServeFuncConf *c, char *err, size_t n) {
  f->sig_keys = calloc(c->nsig_keys, sizeof *f->sig_keys);
  if (!f->sig_keys) {
    snprintf(err, n, "out of memory");
    return false;
  }
  f->nsig_keys = c->nsig_keys;
  for (size_t k = 0; k < c->nsig_keys; k++) {
    char kerr[512];
    if (trust_pubkey_load(c->sig_keys[k], f->sig_keys[k], kerr, sizeof kerr) != 0) {
      snprintf(err, n, "function %s: require_signature: %s", c->name, kerr);
      return false;
    }
  }
  return true;
}

/* Drops the function last added to set (not loaded after all). */
static void funcset_drop_last(FuncSet *set) {
  ServeFunc *f = &set->funcs[--set->nfuncs];
  func_free(f);
  memset(f, 0, sizeof *f);
}

FuncSet *funcset_load(const ServeConf *conf, int nworkers, MetricsReg *reg, char *err, size_t n) {
  FuncSet *set = calloc(1, sizeof *set);
  if (!set || !(set->funcs = calloc(conf->nfuncs + 1, sizeof *set->funcs))) {
    snprintf(err, n, "out of memory");
    free(set);
    return NULL;
  }
  atomic_init(&set->refs, 1);
  for (size_t i = 0; i < conf->nfuncs; i++) {
    const ServeFuncConf *c = &conf->funcs[i];
    for (size_t j = 0; j < i; j++) {
      if (strcmp(conf->funcs[j].route, c->route) == 0) {
        snprintf(err, n, "function %s: route %s is already used by function %s", c->name,
                 c->route, conf->funcs[j].name);
        goto fail;
      }
      if (strcmp(conf->funcs[j].name, c->name) == 0) {
        snprintf(err, n, "function %s (route %s): the name is already used (route %s)", c->name,
                 c->route, conf->funcs[j].route);
        goto fail;
      }
    }
    if (strcmp(c->route, "/metrics") == 0) {
      snprintf(err, n, "function %s: route /metrics is reserved for the node's metrics", c->name);
      goto fail;
    }
    ServeFunc *f = &set->funcs[set->nfuncs++];
    if (!conf_copy(&f->conf, c)) {
      snprintf(err, n, "out of memory");
      goto fail;
    }
    f->route_len = strlen(f->conf.route);
    while (f->route_len > 1 && f->conf.route[f->route_len - 1] == '/') f->route_len--;
    cairn_error e;
    uint64_t t0 = serve_now_ns();
    memset(&e, 0, sizeof e);
    /* "require_signature": a module that fails it leaves its route
    ** unloaded (logged); the other functions are served */
    bool refused = false;
    if (c->nsig_keys && !func_load_keys(f, c, err, n)) goto fail;
    if (c->attest) {   /* no guest code before the verifier said yes */
      f->module = serve_attest_load(f, &refused, &e, err, n);
      if (!f->module && !refused) goto fail;
    } else if (c->nsig_keys) {
      f->module = trust_load_module(c->module, (const uint8_t(*)[32])f->sig_keys, f->nsig_keys,
                                    false, NULL, NULL, &refused, &e);
    } else {
      f->module = cairn_module_from_file_or_cwasm(c->module, &e);
    }
    if (refused) {
      fprintf(stderr, "cairn serve: function %s (route %s) not loaded: module %s: %s\n", c->name,
              c->route, c->module, e.msg);
      funcset_drop_last(set);
      continue;
    }
    if (!f->module) {
      if (e.kind == CAIRN_ERR_IO)
        snprintf(err, n, "function %s: cannot load module %s: %s", c->name, c->module, e.msg);
      else
        snprintf(err, n, "function %s: module %s is not valid WebAssembly: %s", c->name,
                 c->module, e.msg);
      goto fail;
    }
    cairn_module_info info;
    cairn_module_get_info(f->module, &info);
    f->module_bytes = info.size;
    f->metrics = metrics_reg_get(reg, f->conf.name);
    if (f->metrics)  /* a .cwasm is native from the start; a reload starts over */
      atomic_store(&f->metrics->tier, strcmp(cairn_module_tier(f->module), "native") == 0);
    f->nslots = nworkers;
    f->slots = calloc((size_t)nworkers, sizeof *f->slots);
    if (!f->metrics || !f->slots) {
      snprintf(err, n, "out of memory");
      goto fail;
    }
    FuncSlot *trial = func_slot_new(f, f->module, &e);
    if (!trial) {
      snprintf(err, n, "function %s: module %s cannot run as a function: %s", c->name, c->module,
               e.msg);
      goto fail;
    }
    func_slot_free(trial);
    f->load_ns = serve_now_ns() - t0;
  }
  return set;
fail:
  funcset_free(set);
  return NULL;
}

ServeFunc *funcset_match(FuncSet *set, const char *path, size_t len) {
  ServeFunc *best = NULL;
  for (size_t i = 0; i < set->nfuncs; i++) {
    ServeFunc *f = &set->funcs[i];
    size_t rl = f->route_len;
    if (rl == 1) {  /* "/" matches everything */
      if (!best) best = f;
      continue;
    }
    if (len < rl || memcmp(path, f->conf.route, rl) != 0) continue;
    if (len > rl && path[rl] != '/') continue;
    if (!best || rl > best->route_len) best = f;
  }
  return best;
}

/* ---- the WAGI environment ---- */

typedef struct EnvBuf {
  char *buf;
  size_t len, cap;
  size_t *offs;
  size_t n, ncap;
  bool oom;
} EnvBuf;

static void env_add(EnvBuf *e, const char *name, size_t nl, const char *val, size_t vl) {
  if (e->oom) return;
  size_t need = nl + vl + 2;
  if (e->len + need > e->cap) {
    size_t cap = e->cap ? e->cap * 2 : 2048;
    while (cap < e->len + need) cap *= 2;
    /* not realloc: the old block may hold released secrets, wiped here */
    char *b = cairn_malloc(cap);
    if (!b) { e->oom = true; return; }
    if (e->buf) {
      memcpy(b, e->buf, e->len);
      explicit_bzero(e->buf, e->len);
      cairn_free(e->buf);
    }
    e->buf = b;
    e->cap = cap;
  }
  if (e->n == e->ncap) {
    size_t nc = e->ncap ? e->ncap * 2 : 48;
    size_t *o = cairn_realloc(e->offs, nc * sizeof *o);
    if (!o) { e->oom = true; return; }
    e->offs = o;
    e->ncap = nc;
  }
  e->offs[e->n++] = e->len;
  memcpy(e->buf + e->len, name, nl);
  e->buf[e->len + nl] = '=';
  memcpy(e->buf + e->len + nl + 1, val, vl);
  e->buf[e->len + nl + 1 + vl] = 0;
  e->len += need;
}

static void env_addz(EnvBuf *e, const char *name, const char *val) {
  env_add(e, name, strlen(name), val, strlen(val));
}

static void build_env(const ServeFunc *f, const FuncRequest *rq, EnvBuf *e) {
  const HttpRequest *h = rq->http;
  char num[32];
  const char *const *senv = NULL;
  size_t nsenv = f->secrets ? serve_secrets_env(f->secrets, &senv) : 0;
  for (size_t i = 0; i < nsenv; i++) {   /* the verifier's first */
    const char *eq = strchr(senv[i], '=');
    env_add(e, senv[i], (size_t)(eq - senv[i]), eq + 1, strlen(eq + 1));
  }
  for (size_t i = 0; i < f->conf.nenv; i++) {
    const char *eq = strchr(f->conf.env[i], '=');
    env_add(e, f->conf.env[i], (size_t)(eq - f->conf.env[i]), eq + 1, strlen(eq + 1));
  }
  env_addz(e, "GATEWAY_INTERFACE", "CGI/1.1");
  env_addz(e, "SERVER_SOFTWARE", "cairn/" CAIRN_VERSION);
  env_addz(e, "SERVER_PROTOCOL", h->minor ? "HTTP/1.1" : "HTTP/1.0");
  env_add(e, "REQUEST_METHOD", 14, h->method, h->method_len);
  env_add(e, "SCRIPT_NAME", 11, f->conf.route, f->route_len == 1 ? 0 : f->route_len);
  env_add(e, "X_MATCHED_ROUTE", 15, f->conf.route, strlen(f->conf.route));
  size_t rl = f->route_len == 1 ? 0 : f->route_len;
  /* rq->path is normalised (no dot segments, no escaped '/'), so decoding
  ** it cannot make new structure. */
  char *dec = cairn_malloc(rq->path_len - rl + 1);
  if (dec) {
    env_add(e, "PATH_INFO", 9, dec, http_percent_decode(rq->path + rl, rq->path_len - rl, dec));
    cairn_free(dec);
  } else {
    e->oom = true;
  }
  env_add(e, "X_RAW_PATH_INFO", 15, rq->path + rl, rq->path_len - rl);
  env_add(e, "QUERY_STRING", 12, rq->query, rq->query_len);
  env_add(e, "REQUEST_URI", 11, h->target, h->target_len);
  const HttpHeader *ct = http_header(h, "content-type");
  if (ct) env_add(e, "CONTENT_TYPE", 12, ct->value, ct->value_len);
  snprintf(num, sizeof num, "%zu", rq->body_len);
  env_addz(e, "CONTENT_LENGTH", num);
  env_addz(e, "REMOTE_ADDR", rq->remote_addr);
  env_addz(e, "REMOTE_HOST", rq->remote_addr);
  snprintf(num, sizeof num, "%d", rq->remote_port);
  env_addz(e, "REMOTE_PORT", num);
  env_addz(e, "SERVER_NAME", rq->server_name);
  snprintf(num, sizeof num, "%d", rq->server_port);
  env_addz(e, "SERVER_PORT", num);
  const HttpHeader *host = http_header(h, "host");
  char url[64];
  int ul = snprintf(url, sizeof url, "http://%s:%d", rq->server_name, rq->server_port);
  /* X_FULL_URL: scheme://host + target */
  {
    size_t hl = host ? host->value_len : (size_t)ul - 7;
    const char *hv = host ? host->value : url + 7;
    char *full = cairn_malloc(7 + hl + h->target_len + 1);
    if (full) {
      memcpy(full, "http://", 7);
      memcpy(full + 7, hv, hl);
      memcpy(full + 7 + hl, h->target, h->target_len);
      env_add(e, "X_FULL_URL", 10, full, 7 + hl + h->target_len);
      cairn_free(full);
    } else {
      e->oom = true; /* not a run without X_FULL_URL */
    }
  }
  /* HTTP_* from the request headers (not Content-Type/-Length, not Proxy:
  ** "httpoxy"). Names with characters other than letters, digits and '-'
  ** are skipped, so two headers cannot map to one variable by accident. */
  char name[256];
  for (size_t i = 0; i < h->nheaders; i++) {
    const HttpHeader *hd = &h->headers[i];
    if ((hd->name_len == 12 && strncasecmp(hd->name, "content-type", 12) == 0) ||
        (hd->name_len == 14 && strncasecmp(hd->name, "content-length", 14) == 0) ||
        (hd->name_len == 5 && strncasecmp(hd->name, "proxy", 5) == 0) ||
        hd->name_len + 5 >= sizeof name)
      continue;
    memcpy(name, "HTTP_", 5);
    bool ok = true;
    for (size_t k = 0; k < hd->name_len; k++) {
      char c = hd->name[k];
      if (c == '-') c = '_';
      else if (c >= 'a' && c <= 'z') c = (char)(c - 32);
      else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) ok = false;
      name[5 + k] = c;
    }
    if (!ok) continue;
    env_add(e, name, 5 + hd->name_len, hd->value, hd->value_len);
  }
}

/* ---- output ---- */

static void res_fail(FuncResult *res, int status, int kind, const char *reason,
                     const char *detail) {
  res->status = status;
  res->fail = kind;
  res->body = (const uint8_t *)reason;
  res->body_len = strlen(reason);
  free(res->head);
  res->head = strdup("Content-Type: text/plain\r\n");
  res->head_len = res->head ? strlen(res->head) : 0;
  snprintf(res->detail, sizeof res->detail, "%s", detail ? detail : reason);
}

/* Splits the function's output into headers and body (CGI rules). */
static void parse_output(const uint8_t *out, size_t len, FuncResult *res) {
  size_t pos = 0;
  int status = 0;
  bool has_ct = false, has_loc = false;
  char *head = NULL;
  size_t hl = 0, hc = 0;
  bool headers = true;
  /* Is there a header block? Look for a blank line, with every line before
  ** it shaped "Name: value". */
  for (;;) {
    const uint8_t *nl = memchr(out + pos, '\n', len - pos);
    if (!nl) { headers = false; break; }
    size_t e = (size_t)(nl - out), le = e;
    if (le > pos && out[le - 1] == '\r') le--;
    if (le == pos) { pos = e + 1; break; }   /* blank line */
    size_t c = pos;
    while (c < le && (isalnum(out[c]) || out[c] == '-' || out[c] == '_')) c++;
    if (c == pos || c >= le || out[c] != ':') { headers = false; break; }
    const char *name = (const char *)out + pos;
    size_t nlen = c - pos;
    size_t v = c + 1;
    while (v < le && (out[v] == ' ' || out[v] == '\t')) v++;
    const char *val = (const char *)out + v;
    size_t vlen = le - v;
    for (size_t k = 0; k < vlen; k++)
      if ((unsigned char)val[k] < 0x20 && val[k] != '\t') { headers = false; break; }
    if (!headers) break;
    if (nlen == 6 && strncasecmp(name, "status", 6) == 0) {
      status = 0;
      for (size_t k = 0; k < vlen && k < 3; k++) {
        if (val[k] < '0' || val[k] > '9') { status = -1; break; }
        status = status * 10 + (val[k] - '0');
      }
      if (status < 100 || status > 599 || vlen < 3) {
        free(head);
        res_fail(res, 502, FAIL_BAD_OUTPUT, "Bad Gateway: invalid Status header\n",
                 "function output has an invalid Status header");
        return;
      }
    } else if ((nlen == 14 && strncasecmp(name, "content-length", 14) == 0) ||
               (nlen == 10 && strncasecmp(name, "connection", 10) == 0) ||
               (nlen == 17 && strncasecmp(name, "transfer-encoding", 17) == 0) ||
               (nlen == 10 && strncasecmp(name, "keep-alive", 10) == 0)) {
      /* the server sets these */
    } else {
      if (nlen == 12 && strncasecmp(name, "content-type", 12) == 0) has_ct = true;
      if (nlen == 8 && strncasecmp(name, "location", 8) == 0) has_loc = true;
      size_t need = nlen + vlen + 4;
      if (hl + need > hc) {
        hc = (hl + need) * 2 + 128;
        char *p = realloc(head, hc);
        if (!p) { free(head); res_fail(res, 500, FAIL_BAD_OUTPUT, "out of memory\n", NULL); return; }
        head = p;
      }
      memcpy(head + hl, name, nlen);
      memcpy(head + hl + nlen, ": ", 2);
      memcpy(head + hl + nlen + 2, val, vlen);
      memcpy(head + hl + nlen + 2 + vlen, "\r\n", 2);
      hl += need;
    }
    pos = e + 1;
  }
  if (!headers) {
    free(head);
    res->status = 200;
    res->head = strdup("Content-Type: text/plain\r\n");
    res->head_len = res->head ? strlen(res->head) : 0;
    res->body = out;
    res->body_len = len;
    return;
  }
  if (!status) status = has_loc ? 302 : 200;
  if (!has_ct && len > pos) {
    static const char ct[] = "Content-Type: text/plain\r\n";
    char *p = realloc(head, hl + sizeof ct);
    if (p) {
      head = p;
      memcpy(head + hl, ct, sizeof ct - 1);
      hl += sizeof ct - 1;
    }
  }
  res->status = status;
  res->head = head;
  res->head_len = hl;
  res->body = out + pos;
  res->body_len = len - pos;
}

/* ---- running ---- */

void func_run(ServeFunc *f, int w, RunWatch *watch, const FuncRequest *rq, FuncResult *res) {
  memset(res, 0, sizeof *res);
  res->fail = -1;
  FuncMetrics *m = f->metrics;
  int64_t inflight = atomic_fetch_add(&m->in_flight, 1) + 1;
  if (f->conf.limits.concurrency && inflight > (int64_t)f->conf.limits.concurrency) {
    atomic_fetch_sub(&m->in_flight, 1);
    res_fail(res, 503, FAIL_CONCURRENCY, "Service Unavailable: too many concurrent requests\n",
             "concurrency limit reached");
    atomic_fetch_add(&m->fails[FAIL_CONCURRENCY], 1);
    return;
  }
  cairn_error err;
  uint64_t t0 = serve_now_ns();
  FuncSlot *s = f->slots[w];
  /* tier-up: once the native module is there, new instances are native */
  cairn_module *nat = atomic_load_explicit(&f->native, memory_order_acquire);
  if (s && nat && s->module != nat) {
    func_slot_free(s);
    s = f->slots[w] = NULL;
    atomic_fetch_sub(&m->live_instances, 1);
  }
  if (!s) {
    s = f->slots[w] = func_slot_new(f, nat ? nat : f->module, &err);
    if (!s) {
      res_fail(res, 500, FAIL_INSTANTIATE, "Internal Server Error: cannot instantiate\n", err.msg);
      goto out;
    }
    atomic_fetch_add(&m->live_instances, 1);
  } else if (s->dirty) {
    if (!cairn_snapshot_restore(s->snap, &err)) {
      res_fail(res, 500, FAIL_INSTANTIATE, "Internal Server Error: cannot instantiate\n", err.msg);
      func_slot_free(s);
      f->slots[w] = NULL;
      atomic_fetch_sub(&m->live_instances, 1);
      goto out;
    }
    s->dirty = false;
  }
  EnvBuf eb = {0};
  build_env(f, rq, &eb);
  const char **envp = eb.oom ? NULL : cairn_malloc((eb.n + 1) * sizeof *envp);
  if (!envp) eb.oom = true;
  for (size_t i = 0; envp && i < eb.n; i++) envp[i] = eb.buf + eb.offs[i];
  cairn_wasi_config wc;
  cairn_wasi_preopen pre[SERVE_MAX_DIRS];
  wasi_conf(f, &wc, envp, eb.n, pre);
  bool ok = !eb.oom && cairn_wasi_reset(s->wasi, &wc, &err);
  cairn_free(envp);
  if (f->secrets && eb.buf) explicit_bzero(eb.buf, eb.len);   /* released secrets in it */
  cairn_free(eb.buf);
  cairn_free(eb.offs);
  if (!ok) {
    res_fail(res, 500, FAIL_INSTANTIATE, "Internal Server Error: cannot instantiate\n",
             eb.oom ? "out of memory" : err.msg);
    goto out;
  }
  s->io.in = rq->body;
  s->io.in_len = rq->body_len;
  s->io.in_pos = 0;
  s->io.out.len = 0;
  s->io.out.overflow = false;
  s->io.out.nomem = false;
  s->io.out.max = f->conf.limits.max_response + 16384;  /* headers on top of the body */
  s->io.err.len = 0;
  s->io.err.overflow = false;
  s->io.err.nomem = false;
  s->io.err.max = 65536;
  uint64_t t1 = serve_now_ns();
  res->inst_ns = t1 - t0;
  metrics_observe(&m->instantiate, serve_inst_buckets, res->inst_ns);

  pthread_mutex_lock(&watch->mu);
  watch->store = s->store;
  watch->deadline_ns = f->conf.limits.timeout_ms ? t1 + f->conf.limits.timeout_ms * 1000000u : 0;
  watch->fired = false;
  if (watch->cancel) cairn_store_interrupt(s->store);  /* cancelled before it started */
  pthread_mutex_unlock(&watch->mu);
  s->dirty = true;
  atomic_fetch_add(&m->runs_tier[s->module == nat && nat ? 1 : 0], 1);
  ok = cairn_func_call(s->start, NULL, 0, NULL, 0, &err);
  pthread_mutex_lock(&watch->mu);
  watch->store = NULL;
  bool fired = watch->fired;
  const char *cancel = watch->cancel;
  pthread_mutex_unlock(&watch->mu);

  if (!ok) {
    bool exit0 = err.kind == CAIRN_ERR_TRAP && err.trap == CAIRN_TRAP_EXIT && err.exit_code == 0;
    if (!exit0) {
      char detail[300];
      /* Out of memory: the engine refused a memory or table growth at the
      ** store's cap during this run, and the run then failed. */
      unsigned hit = cairn_store_limits_hit(s->store);
      if (err.kind == CAIRN_ERR_TRAP && err.trap == CAIRN_TRAP_INTERRUPT && cancel && !fired) {
        snprintf(detail, sizeof detail, "cancelled: %s", cancel);
        res_fail(res, 499, FAIL_CANCELLED, "Cancelled\n", detail);
      } else if (err.kind == CAIRN_ERR_TRAP && err.trap == CAIRN_TRAP_INTERRUPT) {
        snprintf(detail, sizeof detail, "deadline of %llu ms exceeded%s",
                 (unsigned long long)f->conf.limits.timeout_ms, fired ? "" : " (interrupted)");
        res_fail(res, 504, FAIL_DEADLINE, "Gateway Timeout: the function ran out of time\n",
                 detail);
      } else if (err.kind == CAIRN_ERR_TRAP && err.trap == CAIRN_TRAP_FUEL) {
        res_fail(res, 500, FAIL_FUEL, "Internal Server Error: the function ran out of fuel\n",
                 "fuel exhausted");
      } else if (s->io.out.overflow) {
        res_fail(res, 502, FAIL_RESPONSE_SIZE, "Bad Gateway: response too large\n",
                 "function output exceeds max_response_bytes");
      } else if (hit) {
        snprintf(detail, sizeof detail, "%s%s%s limit of memory_mb reached (%.200s)",
                 hit & CAIRN_LIMIT_MEMORY ? "memory" : "",
                 hit == (CAIRN_LIMIT_MEMORY | CAIRN_LIMIT_TABLE) ? " and " : "",
                 hit & CAIRN_LIMIT_TABLE ? "table" : "", err.msg);
        res_fail(res, 500, FAIL_MEMORY, "Internal Server Error: the function ran out of memory\n",
                 detail);
      } else if (err.kind == CAIRN_ERR_TRAP && err.trap == CAIRN_TRAP_EXIT) {
        snprintf(detail, sizeof detail, "exited with status %d", err.exit_code);
        res_fail(res, 500, FAIL_EXIT, "Internal Server Error: the function failed\n", detail);
      } else {
        snprintf(detail, sizeof detail, "trap: %s%s%s", err.msg,
                 err.nframes && err.frames[0].func_name ? " in " : "",
                 err.nframes && err.frames[0].func_name ? err.frames[0].func_name : "");
        res_fail(res, 500, FAIL_TRAP, "Internal Server Error: the function trapped\n", detail);
      }
      goto out;
    }
  }
  if (s->io.out.overflow || s->io.out.len > f->conf.limits.max_response + 16384) {
    res_fail(res, 502, FAIL_RESPONSE_SIZE, "Bad Gateway: response too large\n",
             "function output exceeds max_response_bytes");
    goto out;
  }
  if (s->io.out.nomem) { /* the guest lost output to a failed allocation */
    res_fail(res, 500, FAIL_BAD_OUTPUT, "Internal Server Error: out of memory\n",
             "out of memory buffering the function's output");
    goto out;
  }
  parse_output(s->io.out.data ? s->io.out.data : (const uint8_t *)"", s->io.out.len, res);
  if (res->fail < 0 && res->body_len > f->conf.limits.max_response)
    res_fail(res, 502, FAIL_RESPONSE_SIZE, "Bad Gateway: response too large\n",
             "function output exceeds max_response_bytes");
out:
  atomic_fetch_sub(&m->in_flight, 1);
  if (res->fail >= 0) atomic_fetch_add(&m->fails[res->fail], 1);
}

void func_trim(ServeFunc *f, int w) {
  FuncSlot *s = f->slots[w];
  if (!s || !s->dirty || !s->mem || cairn_memory_pages(s->mem) <= s->pages0) return;
  cairn_error err;
  if (cairn_snapshot_restore(s->snap, &err)) s->dirty = false;
}
