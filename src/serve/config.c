/*
** config.c: `cairn serve` configuration: defaults, the JSON config file
** (parsed with jansson) and --route PATH=MODULE arguments. Errors name the
** file, line and entry at fault. Format (docs/serve.md):
**   { "listen": "127.0.0.1:8080", "workers": 0, "run_threads": 0, "access_log": "-",
**     "server": { "header_timeout_ms": 10000, "idle_timeout_ms": 30000,
**                 "write_timeout_ms": 30000, "max_header_bytes": 16384,
**                 "max_connections": 10000, "shutdown_grace_ms": 10000,
**                 "function_run_threads": 0, "inline_budget_us": 1000 },
**     "functions": [ { "name": "hello", "route": "/hello", "module": "hello.wasm",
**                      "env": { "K": "V" },
**                      "dirs": [ { "host": "data", "guest": "/data", "read_only": true } ],
**                      "limits": { "memory_mb": 64, "max_table_elems": 0,
**                                  "timeout_ms": 5000, "fuel": 0,
**                                  "max_body_bytes": 1048576,
**                                  "max_response_bytes": 8388608,
**                                  "concurrency": 0 },
**                      "tier": "interp",               ("aot": native code, tier-up)
**                      "attest": { "url": "http://127.0.0.1:7380", "verifier_pub": "v.pub",
**                                  "device_key": "dev" | "tpm": "TCTI", "tpm_ak": "0x81010002",
**                                  "name": "policy name" },   (docs/trust.md)
**                      "require_signature": ["k.pub"] } ],   (replaces the global list)
**     "aot_cache": "DIR",                              (default $XDG_CACHE_HOME/cairn)
**     "require_signature": ["a.pub", "b.pub"] }        (every function: docs/signing.md)
*/
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/serve.h"

void serve_limits_default(ServeLimits *l) {
  l->memory_pages = 1024;           /* 64 MiB */
  l->table_elems = 0;               /* derived from the budget */
  l->timeout_ms = 10000;
  l->fuel = 0;
  l->max_body = 1 << 20;
  l->max_response = 8 << 20;
  l->concurrency = 0;
}

void serve_conf_init(ServeConf *c) {
  memset(c, 0, sizeof *c);
  c->host = strdup("127.0.0.1");
  c->port = 8080;
  c->access_log = strdup("-");
  c->header_timeout_ms = 10000;
  c->idle_timeout_ms = 30000;
  c->write_timeout_ms = 30000;
  c->max_header = 16384;
  c->max_conns = 10000;
  c->shutdown_grace_ms = 10000;
  c->inline_budget_us = 1000;
}

static void strv_free(char **v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

/* Copies src[0..n) into *dst (replacing it). */
static bool strv_copy(char ***dst, size_t *ndst, char *const *src, size_t n) {
  char **v = calloc(n + 1, sizeof *v);
  if (!v) return false;
  for (size_t i = 0; i < n; i++)
    if (!(v[i] = strdup(src[i]))) {
      strv_free(v, i);
      return false;
    }
  strv_free(*dst, *ndst);
  *dst = v;
  *ndst = n;
  return true;
}

static void func_conf_free(ServeFuncConf *f) {
  strv_free(f->sig_keys, f->nsig_keys);
  free(f->name);
  free(f->route);
  free(f->module);
  for (size_t i = 0; i < f->nenv; i++) free(f->env[i]);
  free(f->env);
  for (size_t i = 0; i < f->ndirs; i++) {
    free(f->dirs[i].host);
    free(f->dirs[i].guest);
  }
  free(f->dirs);
  serve_attest_conf_free(f->attest);
}

void serve_conf_free(ServeConf *c) {
  for (size_t i = 0; i < c->nfuncs; i++) func_conf_free(&c->funcs[i]);
  free(c->funcs);
  free(c->host);
  free(c->access_log);
  free(c->aot_cache);
  free(c->config_path);
  for (size_t i = 0; i < c->ncli_routes; i++) free(c->cli_routes[i]);
  free(c->cli_routes);
  strv_free(c->sig_keys, c->nsig_keys);
  free(c->cli_require_signature);
  memset(c, 0, sizeof *c);
}

static ServeFuncConf *conf_new_func(ServeConf *c) {
  ServeFuncConf *a = realloc(c->funcs, (c->nfuncs + 1) * sizeof *a);
  if (!a) return NULL;
  c->funcs = a;
  ServeFuncConf *f = &a[c->nfuncs++];
  memset(f, 0, sizeof *f);
  serve_limits_default(&f->limits);
  /* the global "require_signature" until the function names its own */
  if (!strv_copy(&f->sig_keys, &f->nsig_keys, c->sig_keys, c->nsig_keys)) {
    c->nfuncs--;
    return NULL;
  }
  return f;
}

/* "name" from a module path: its base name without extension. */
static char *name_from_module(const char *path) {
  const char *b = strrchr(path, '/');
  b = b ? b + 1 : path;
  char *n = strdup(b);
  if (n) {
    char *dot = strrchr(n, '.');
    if (dot && dot != n) *dot = 0;
  }
  return n;
}

static bool route_ok(const char *r) {
  if (r[0] != '/') return false;
  for (const char *p = r; *p; p++)
    if ((unsigned char)*p <= 0x20 || *p == '?' || *p == '#' || *p == 0x7f) return false;
  return true;
}

bool serve_conf_add_route(ServeConf *c, const char *arg, char *err, size_t n) {
  const char *eq = strchr(arg, '=');
  if (!eq || eq == arg || !eq[1]) {
    snprintf(err, n, "--route %s: expected PATH=MODULE", arg);
    return false;
  }
  ServeFuncConf *f = conf_new_func(c);
  if (!f) goto nomem;
  f->route = strndup(arg, (size_t)(eq - arg));
  f->module = strdup(eq + 1);
  if (!f->route || !f->module) goto nomem;
  if (!route_ok(f->route)) {
    snprintf(err, n, "--route %s: a route is a path starting with '/'", arg);
    return false;
  }
  f->name = name_from_module(f->module);
  if (!f->name) goto nomem;
  return true;
nomem:
  snprintf(err, n, "out of memory");
  return false;
}

bool serve_conf_require_signature(ServeConf *c, const char *list, char *err, size_t n) {
  size_t k = 1;
  for (const char *p = list; *p; p++) k += *p == ',';
  char **v = calloc(k + 1, sizeof *v);
  char *dup = strdup(list);
  char *cli = strdup(list);
  if (!v || !dup || !cli) {
    free(v);
    free(dup);
    free(cli);
    snprintf(err, n, "out of memory");
    return false;
  }
  size_t i = 0;
  bool ok = true;
  for (char *save = NULL, *t = dup; ok; t = NULL) {
    char *item = strtok_r(t, ",", &save);
    if (!item) break;
    ok = (v[i++] = strdup(item)) != NULL;
  }
  free(dup);
  if (!ok || i == 0 || strstr(list, ",,") || list[0] == ',' || list[strlen(list) - 1] == ',') {
    snprintf(err, n, ok ? "--require-signature \"%s\": expected KEY.pub[,KEY2.pub...]"
                        : "out of memory", list);
    strv_free(v, i);
    free(cli);
    return false;
  }
  strv_free(c->sig_keys, c->nsig_keys);
  c->sig_keys = v;
  c->nsig_keys = i;
  free(c->cli_require_signature);
  c->cli_require_signature = cli;
  return true;
}

/* Resolves a path from the config file against the file's folder. */
char *serve_conf_path(const char *cfgfile, const char *p) {
  if (p[0] == '/') return strdup(p);
  const char *slash = strrchr(cfgfile, '/');
  if (!slash) return strdup(p);
  char *r = NULL;
  if (asprintf(&r, "%.*s/%s", (int)(slash - cfgfile), cfgfile, p) < 0) return NULL;
  return r;
}

#define FAIL(...)                     \
  do {                                \
    snprintf(err, n, __VA_ARGS__);    \
    goto fail;                        \
  } while (0)

/* Reads an optional non-negative integer member. */
static bool get_uint(json_t *o, const char *key, uint64_t *out, const char *where, char *err,
                     size_t n) {
  json_t *v = json_object_get(o, key);
  if (!v) return true;
  if (!json_is_integer(v) || json_integer_value(v) < 0) {
    snprintf(err, n, "%s: \"%s\" must be a non-negative integer", where, key);
    return false;
  }
  *out = (uint64_t)json_integer_value(v);
  return true;
}

static bool check_keys(json_t *o, const char *const *allowed, const char *where, char *err,
                       size_t n) {
  const char *key;
  json_t *v;
  json_object_foreach(o, key, v) {
    bool ok = false;
    for (const char *const *a = allowed; *a; a++)
      if (strcmp(*a, key) == 0) ok = true;
    if (!ok) {
      snprintf(err, n, "%s: unknown key \"%s\"", where, key);
      return false;
    }
  }
  return true;
}

static bool parse_limits(json_t *o, ServeLimits *l, const char *where, char *err, size_t n) {
  static const char *const keys[] = {"memory_mb", "memory_pages", "max_table_elems",
                                     "timeout_ms", "fuel",
                                     "max_body_bytes", "max_response_bytes", "concurrency",
                                     NULL};
  if (!json_is_object(o)) {
    snprintf(err, n, "%s: \"limits\" must be an object", where);
    return false;
  }
  if (!check_keys(o, keys, where, err, n)) return false;
  uint64_t mb = UINT64_MAX, pages = UINT64_MAX, body = l->max_body, resp = l->max_response,
           conc = l->concurrency;
  if (!get_uint(o, "memory_mb", &mb, where, err, n) ||
      !get_uint(o, "memory_pages", &pages, where, err, n) ||
      !get_uint(o, "max_table_elems", &l->table_elems, where, err, n) ||
      !get_uint(o, "timeout_ms", &l->timeout_ms, where, err, n) ||
      !get_uint(o, "fuel", &l->fuel, where, err, n) ||
      !get_uint(o, "max_body_bytes", &body, where, err, n) ||
      !get_uint(o, "max_response_bytes", &resp, where, err, n) ||
      !get_uint(o, "concurrency", &conc, where, err, n))
    return false;
  if (mb != UINT64_MAX) l->memory_pages = mb * 16;
  if (pages != UINT64_MAX) l->memory_pages = pages;
  if (l->memory_pages > 65536) l->memory_pages = 65536;
  if (l->table_elems > 0xFFFFFFFFu) l->table_elems = 0xFFFFFFFFu;
  if (body > ((uint64_t)1 << 31) || resp > ((uint64_t)1 << 31) || conc > 1000000) {
    snprintf(err, n, "%s: a limit is too large (body and response at most 2 GiB)", where);
    return false;
  }
  l->max_body = (size_t)body;
  l->max_response = (size_t)resp;
  l->concurrency = (uint32_t)conc;
  return true;
}

/* "require_signature": a non-empty array of public key files (paths from
** the config's folder), into *keys (replacing it). */
static bool parse_sig_keys(json_t *v, const char *file, const char *where, char ***keys,
                           size_t *nkeys, char *err, size_t n) {
  if (!json_is_array(v) || json_array_size(v) == 0) {
    snprintf(err, n, "%s: \"require_signature\" must be a non-empty array of public key files",
             where);
    return false;
  }
  char **a = calloc(json_array_size(v) + 1, sizeof *a);
  if (!a) goto nomem;
  size_t i;
  json_t *k;
  json_array_foreach(v, i, k) {
    if (!json_is_string(k) || !json_string_value(k)[0]) {
      snprintf(err, n, "%s: require_signature[%zu] must be a file name", where, i);
      strv_free(a, i);
      return false;
    }
    if (!(a[i] = serve_conf_path(file, json_string_value(k)))) {
      strv_free(a, i);
      goto nomem;
    }
  }
  strv_free(*keys, *nkeys);
  *keys = a;
  *nkeys = json_array_size(v);
  return true;
nomem:
  snprintf(err, n, "out of memory");
  return false;
}

static bool parse_func(ServeConf *c, json_t *o, size_t idx, const char *file, char *err,
                       size_t n) {
  static const char *const keys[] = {"name", "route", "module", "env", "dirs", "limits", "tier",
                                     "attest", "require_signature", NULL};
  char where[256];
  json_t *jn = json_object_get(o, "name");
  snprintf(where, sizeof where, "%s: functions[%zu]%s%s", file, idx,
           json_is_string(jn) ? " " : "", json_is_string(jn) ? json_string_value(jn) : "");
  if (!json_is_object(o)) {
    snprintf(err, n, "%s: must be an object", where);
    return false;
  }
  if (!check_keys(o, keys, where, err, n)) return false;
  json_t *jr = json_object_get(o, "route"), *jm = json_object_get(o, "module");
  if (!json_is_string(jr)) {
    snprintf(err, n, "%s: \"route\" (a string) is required", where);
    return false;
  }
  if (!json_is_string(jm)) {
    snprintf(err, n, "%s: \"module\" (a string) is required", where);
    return false;
  }
  if (!route_ok(json_string_value(jr))) {
    snprintf(err, n, "%s: route \"%s\" must be a path starting with '/'", where,
             json_string_value(jr));
    return false;
  }
  if (jn && !json_is_string(jn)) {
    snprintf(err, n, "%s: \"name\" must be a string", where);
    return false;
  }
  ServeFuncConf *f = conf_new_func(c);
  if (!f) goto nomem;
  f->route = strdup(json_string_value(jr));
  f->module = serve_conf_path(file, json_string_value(jm));
  f->name = jn ? strdup(json_string_value(jn)) : name_from_module(json_string_value(jm));
  if (!f->route || !f->module || !f->name) goto nomem;
  json_t *je = json_object_get(o, "env");
  if (je) {
    if (!json_is_object(je)) {
      snprintf(err, n, "%s: \"env\" must be an object of strings", where);
      return false;
    }
    f->env = calloc(json_object_size(je) + 1, sizeof *f->env);
    if (!f->env) goto nomem;
    const char *key;
    json_t *v;
    json_object_foreach(je, key, v) {
      if (!json_is_string(v) || !key[0] || strchr(key, '=')) {
        snprintf(err, n, "%s: env \"%s\" must be a string with a name without '='", where, key);
        return false;
      }
      if (asprintf(&f->env[f->nenv], "%s=%s", key, json_string_value(v)) < 0) goto nomem;
      f->nenv++;
    }
  }
  json_t *jd = json_object_get(o, "dirs");
  if (jd) {
    if (!json_is_array(jd)) {
      snprintf(err, n, "%s: \"dirs\" must be an array", where);
      return false;
    }
    if (json_array_size(jd) > SERVE_MAX_DIRS) {
      snprintf(err, n, "%s: at most %d \"dirs\"", where, SERVE_MAX_DIRS);
      return false;
    }
    f->dirs = calloc(json_array_size(jd) + 1, sizeof *f->dirs);
    if (!f->dirs) goto nomem;
    size_t k;
    json_t *d;
    json_array_foreach(jd, k, d) {
      json_t *h = json_object_get(d, "host"), *g = json_object_get(d, "guest"),
             *ro = json_object_get(d, "read_only");
      if (!json_is_object(d) || !json_is_string(h) || (g && !json_is_string(g)) ||
          (ro && !json_is_boolean(ro))) {
        snprintf(err, n, "%s: dirs[%zu] needs \"host\" (string), optional \"guest\" (string) "
                 "and \"read_only\" (boolean)", where, k);
        return false;
      }
      ServeDir *sd = &f->dirs[f->ndirs++];
      sd->host = serve_conf_path(file, json_string_value(h));
      sd->guest = strdup(g ? json_string_value(g) : json_string_value(h));
      sd->read_only = ro ? json_is_true(ro) : true;   /* read-only unless stated */
      if (!sd->host || !sd->guest) goto nomem;
    }
  }
  json_t *jl = json_object_get(o, "limits");
  if (jl && !parse_limits(jl, &f->limits, where, err, n)) return false;
  json_t *jt = json_object_get(o, "tier");
  if (jt) {
    const char *t = json_is_string(jt) ? json_string_value(jt) : "";
    if (strcmp(t, "aot") != 0 && strcmp(t, "interp") != 0) {
      snprintf(err, n, "%s: \"tier\" must be \"interp\" or \"aot\"", where);
      return false;
    }
    f->aot = strcmp(t, "aot") == 0;
  }
  json_t *ja = json_object_get(o, "attest");
  if (ja && !serve_attest_parse(ja, f, file, where, err, n)) return false;
  json_t *js = json_object_get(o, "require_signature");
  if (js && !parse_sig_keys(js, file, where, &f->sig_keys, &f->nsig_keys, err, n)) return false;
  return true;
nomem:
  snprintf(err, n, "out of memory");
  return false;
}

static bool parse_listen(ServeConf *c, const char *s, char *err, size_t n) {
  const char *colon = strrchr(s, ':');
  if (!colon || colon == s) {
    snprintf(err, n, "listen address \"%s\": expected HOST:PORT", s);
    return false;
  }
  char *end;
  long port = strtol(colon + 1, &end, 10);
  if (*end || port < 0 || port > 65535 || end == colon + 1) {
    snprintf(err, n, "listen address \"%s\": bad port", s);
    return false;
  }
  free(c->host);
  c->host = strndup(s, (size_t)(colon - s));
  c->port = (int)port;
  return c->host != NULL;
}

bool serve_listen_parse(ServeConf *c, const char *s, char *err, size_t n) {
  return parse_listen(c, s, err, n);
}

bool serve_conf_load(ServeConf *c, const char *path, char *err, size_t n) {
  json_error_t je;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
  if (!root) {
    if (je.line <= 0)
      snprintf(err, n, "%s: %s", path, je.text);
    else
      snprintf(err, n, "%s:%d:%d: %s", path, je.line, je.column, je.text);
    return false;
  }
  static const char *const keys[] = {"listen", "workers", "run_threads", "access_log", "server",
                                     "functions", "aot_cache", "require_signature", NULL};
  if (!json_is_object(root)) FAIL("%s: the top level must be an object", path);
  if (!check_keys(root, keys, path, err, n)) goto fail;
  json_t *v = json_object_get(root, "listen");
  if (v) {
    if (!json_is_string(v)) FAIL("%s: \"listen\" must be a string HOST:PORT", path);
    char sub[200];
    if (!parse_listen(c, json_string_value(v), sub, sizeof sub)) FAIL("%s: %s", path, sub);
  }
  uint64_t workers = (uint64_t)c->workers;
  if (!get_uint(root, "workers", &workers, path, err, n)) goto fail;
  if (workers > 1024) FAIL("%s: \"workers\" must be at most 1024", path);
  c->workers = (int)workers;
  uint64_t runs = (uint64_t)c->run_threads;
  if (!get_uint(root, "run_threads", &runs, path, err, n)) goto fail;
  if (runs > 4096) FAIL("%s: \"run_threads\" must be at most 4096", path);
  c->run_threads = (int)runs;
  v = json_object_get(root, "aot_cache");
  if (v) {
    if (!json_is_string(v) || !json_string_value(v)[0])
      FAIL("%s: \"aot_cache\" must be a folder name", path);
    free(c->aot_cache);
    c->aot_cache = serve_conf_path(path, json_string_value(v));
  }
  v = json_object_get(root, "access_log");
  if (v) {
    if (!json_is_string(v)) FAIL("%s: \"access_log\" must be a string (\"-\", \"off\" or a file)", path);
    free(c->access_log);
    c->access_log = strdup(json_string_value(v));
  }
  json_t *srv = json_object_get(root, "server");
  if (srv) {
    static const char *const skeys[] = {"header_timeout_ms", "idle_timeout_ms",
                                        "write_timeout_ms", "max_header_bytes",
                                        "max_connections", "shutdown_grace_ms",
                                        "function_run_threads", "inline_budget_us", NULL};
    if (!json_is_object(srv)) FAIL("%s: \"server\" must be an object", path);
    char where[300];
    snprintf(where, sizeof where, "%s: server", path);
    uint64_t mh = c->max_header, mc = c->max_conns, fr = (uint64_t)c->function_run_threads;
    if (!check_keys(srv, skeys, where, err, n) ||
        !get_uint(srv, "header_timeout_ms", &c->header_timeout_ms, where, err, n) ||
        !get_uint(srv, "idle_timeout_ms", &c->idle_timeout_ms, where, err, n) ||
        !get_uint(srv, "write_timeout_ms", &c->write_timeout_ms, where, err, n) ||
        !get_uint(srv, "max_header_bytes", &mh, where, err, n) ||
        !get_uint(srv, "max_connections", &mc, where, err, n) ||
        !get_uint(srv, "shutdown_grace_ms", &c->shutdown_grace_ms, where, err, n) ||
        !get_uint(srv, "function_run_threads", &fr, where, err, n) ||
        !get_uint(srv, "inline_budget_us", &c->inline_budget_us, where, err, n))
      goto fail;
    if (c->inline_budget_us > 1000000) FAIL("%s: inline_budget_us must be at most 1000000", where);
    if (c->shutdown_grace_ms > 3600000) FAIL("%s: shutdown_grace_ms must be at most 3600000", where);
    if (fr > 4096) FAIL("%s: function_run_threads must be at most 4096", where);
    c->function_run_threads = (int)fr;
    if (mh < 256 || mh > (1 << 20)) FAIL("%s: max_header_bytes must be in [256, 1048576]", where);
    if (mc < 1 || mc > 1000000) FAIL("%s: max_connections must be in [1, 1000000]", where);
    c->max_header = (size_t)mh;
    c->max_conns = (uint32_t)mc;
  }
  v = json_object_get(root, "require_signature");
  if (v && !parse_sig_keys(v, path, path, &c->sig_keys, &c->nsig_keys, err, n)) goto fail;
  json_t *fa = json_object_get(root, "functions");
  if (fa) {
    if (!json_is_array(fa)) FAIL("%s: \"functions\" must be an array", path);
    size_t i;
    json_t *fo;
    json_array_foreach(fa, i, fo) {
      if (!parse_func(c, fo, i, path, err, n)) goto fail;
    }
  }
  free(c->config_path);
  c->config_path = strdup(path);
  json_decref(root);
  return true;
fail:
  json_decref(root);
  return false;
}

bool serve_store_caps(const ServeLimits *l, const cairn_module *m, cairn_store_config *sc,
                      char *err, size_t n) {
  const uint64_t budget = l->memory_pages * 65536u;  /* 0: no cap */
  uint64_t cap = l->table_elems;
  if (!cap) {
    /* one table may take at most an eighth of the budget */
    cap = SERVE_DEFAULT_TABLE_ELEMS;
    if (budget && budget / sizeof(void *) / 8 < cap) cap = budget / sizeof(void *) / 8;
    if (!cap) cap = 1;
  }
  sc->max_table_elems = cap;
  sc->max_memory_pages = l->memory_pages;
  if (!budget) return true;
  cairn_module_info info;
  cairn_module_get_info(m, &info);
  uint64_t tableBytes = 0;
  for (uint32_t i = 0; i < info.ntables; i++) {
    cairn_limits lim;
    if (!cairn_module_table(m, i, NULL, &lim)) continue;
    uint64_t elems = lim.has_max && lim.max < cap ? lim.max : cap;
    tableBytes += elems * sizeof(void *);
  }
  uint64_t tablePages = (tableBytes + 65535) / 65536;
  if (tablePages >= l->memory_pages) {
    snprintf(err, n,
             "its tables may take %llu bytes, the whole memory budget of %llu bytes: raise "
             "memory_mb or lower max_table_elems",
             (unsigned long long)tableBytes, (unsigned long long)budget);
    return false;
  }
  sc->max_memory_pages = l->memory_pages - tablePages;
  return true;
}
