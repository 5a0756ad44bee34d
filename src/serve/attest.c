/*
** attest.c: `cairn serve` functions with an "attest" section (config.c
** parses it here): before a function is loaded its module's bytes and
** configuration are measured and attested to the verifier (the trust
** service, src/trust/attest.h); only then is the module compiled, from
** those same bytes, and its route served, with the released secrets in
** the in-memory preopen /run/secrets or the environment of every run. Any
** failure leaves the function, and so the whole configuration, unloaded
** (serve refuses to start, or a reload keeps the previous one).
*/
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/serve.h"
#include "trust/attest.h"
#include "trust/sign.h"

struct ServeSecrets {
  AttestSecrets sec;
  cairn_wasi_memfile *files;
  cairn_wasi_memdir dir;
};

bool serve_attest_parse(void *json, ServeFuncConf *f, const char *file, const char *where,
                        char *err, size_t n) {
  json_t *o = json;
  const char *url = NULL, *vpub = NULL, *dkey = NULL, *tpm = NULL, *ak = NULL, *name = NULL;
  json_error_t je;
  if (json_unpack_ex(o, &je, JSON_STRICT, "{s:s,s:s,s?s,s?s,s?s,s?s}", "url", &url,
                     "verifier_pub", &vpub, "device_key", &dkey, "tpm", &tpm, "tpm_ak", &ak,
                     "name", &name) != 0) {
    snprintf(err, n, "%s: \"attest\": %s (keys: url, verifier_pub, device_key or tpm, tpm_ak, name)",
             where, je.text);
    return false;
  }
  if (!dkey == !tpm) {
    snprintf(err, n, "%s: \"attest\" needs one of \"device_key\" or \"tpm\"", where);
    return false;
  }
  ServeAttestConf *a = calloc(1, sizeof *a);
  if (!a) goto nomem;
  f->attest = a;
  if (ak) {
    char *end;
    unsigned long h = strtoul(ak, &end, 0);
    if (*end || h < 0x81000000ul || h > 0x81fffffful) {
      snprintf(err, n, "%s: \"attest\": tpm_ak must be a persistent handle 0x81000000..0x81ffffff",
               where);
      return false;
    }
    a->tpm_ak = (uint32_t)h;
  }
  a->url = strdup(url);
  a->verifier_pub = serve_conf_path(file, vpub);
  a->device_key = dkey ? serve_conf_path(file, dkey) : NULL;
  a->tpm = tpm ? strdup(tpm) : NULL;
  a->name = name ? strdup(name) : NULL;
  if (!a->url || !a->verifier_pub || (dkey && !a->device_key) || (tpm && !a->tpm) ||
      (name && !a->name))
    goto nomem;
  return true;
nomem:
  snprintf(err, n, "out of memory");
  return false;
}

void serve_attest_conf_free(ServeAttestConf *a) {
  if (!a) return;
  free(a->url);
  free(a->verifier_pub);
  free(a->device_key);
  free(a->tpm);
  free(a->name);
  free(a);
}

static char *dup_or_null(const char *z, bool *ok) {
  char *r = z ? strdup(z) : NULL;
  if (z && !r) *ok = false;
  return r;
}

ServeAttestConf *serve_attest_conf_copy(const ServeAttestConf *a) {
  ServeAttestConf *d = calloc(1, sizeof *d);
  if (!d) return NULL;
  bool ok = true;
  d->tpm_ak = a->tpm_ak;
  d->url = dup_or_null(a->url, &ok);
  d->verifier_pub = dup_or_null(a->verifier_pub, &ok);
  d->device_key = dup_or_null(a->device_key, &ok);
  d->tpm = dup_or_null(a->tpm, &ok);
  d->name = dup_or_null(a->name, &ok);
  if (!ok) {
    serve_attest_conf_free(d);
    return NULL;
  }
  return d;
}

void serve_secrets_free(struct ServeSecrets *s) {
  if (!s) return;
  attest_secrets_free(&s->sec);
  free(s->files);
  free(s);
}

void serve_secrets_wasi(const struct ServeSecrets *s, cairn_wasi_config *wc) {
  wc->nmemdirs = 1;
  wc->memdirs = &s->dir;
}

size_t serve_secrets_env(const struct ServeSecrets *s, const char *const **env) {
  *env = s->sec.env;
  return s->sec.nenv;
}

cairn_module *serve_attest_load(ServeFunc *f, bool *refused, cairn_error *e, char *err,
                                size_t n) {
  const ServeAttestConf *a = f->conf.attest;
  char why[1024], *cfg = NULL;
  uint8_t vpk[32], *bytes = NULL;
  size_t nb = 0;
  cairn_module *m = NULL;
  AttestLog log = {0};
  struct ServeSecrets *ss = NULL;
  AttestBackend *b = NULL;
  const char *host[SERVE_MAX_DIRS + 1], *guest[SERVE_MAX_DIRS + 1];
  bool ro[SERVE_MAX_DIRS + 1];
  const char *name = a->name ? a->name : f->conf.name;
  if (!attest_pubkey_load(a->verifier_pub, vpk, why, sizeof why) ||
      !(b = a->device_key ? attest_backend_soft(a->device_key, why, sizeof why)
                          : attest_backend_tpm(a->tpm, a->tpm_ak, why, sizeof why)))
    goto fail;
  memset(e, 0, sizeof *e);
  if (!cairn_read_file(f->conf.module, &bytes, &nb, e)) {
    snprintf(why, sizeof why, "cannot load module %s: %s", f->conf.module, e->msg);
    goto fail;
  }
  /* "require_signature" on the bytes then measured and loaded; a refused
  ** module is not attested (nothing sent, nothing released) */
  if (f->nsig_keys &&
      trust_check_module(bytes, nb, (const uint8_t(*)[32])f->sig_keys, f->nsig_keys, e) != 0) {
    *refused = true;
    goto done;
  }
  for (size_t i = 0; i < f->conf.ndirs; i++) {
    host[i] = f->conf.dirs[i].host;
    guest[i] = f->conf.dirs[i].guest;
    ro[i] = f->conf.dirs[i].read_only;
  }
  const char *argv0 = f->conf.name;
  cfg = attest_config_json(1, &argv0, f->conf.nenv, (const char *const *)f->conf.env,
                           f->conf.ndirs, host, guest, ro);
  if (!cfg) {
    snprintf(why, sizeof why, "out of memory");
    goto fail;
  }
  if (!attest_measure_run(&log, bytes, nb, name, cfg, why, sizeof why) ||
      !attest_backend_measure(b, &log, why, sizeof why))
    goto fail;
  if (!(ss = calloc(1, sizeof *ss))) {
    snprintf(why, sizeof why, "out of memory");
    goto fail;
  }
  AttestRequest req = {.url = a->url, .module = name, .verifier_pub = vpk, .backend = b,
                       .log = &log, .timeout_ms = 10000};
  if (!attest_run(&req, &ss->sec, why, sizeof why)) goto fail;
  size_t nf = 0;
  for (size_t i = 0; i < ss->sec.n; i++) nf += ss->sec.s[i].deliver == ATTEST_DELIVER_FILE;
  if (!(ss->files = calloc(nf + 1, sizeof *ss->files))) {
    snprintf(why, sizeof why, "out of memory");
    goto fail;
  }
  for (size_t i = 0, k = 0; i < ss->sec.n; i++) {
    if (ss->sec.s[i].deliver != ATTEST_DELIVER_FILE) continue;
    ss->files[k++] = (cairn_wasi_memfile){ss->sec.s[i].name, ss->sec.s[i].value, ss->sec.s[i].len};
  }
  ss->dir = (cairn_wasi_memdir){"/run/secrets", nf, ss->files};
  m = trust_module_from_bytes(bytes, nb, false, NULL, NULL, NULL, e);
  if (!m) {
    snprintf(why, sizeof why, "module %s is not valid WebAssembly: %s", f->conf.module, e->msg);
    goto fail;
  }
  if (ss->sec.insecure)
    fprintf(stderr, "cairn serve: function %s: attested with a software device key (insecure)\n",
            f->conf.name);
  f->secrets = ss;
  ss = NULL;
  if (f->conf.aot) {   /* tier-up compiles these bytes, not the file again */
    f->attested = bytes;
    f->nattested = nb;
    bytes = NULL;
  }
  goto done;
fail:
  snprintf(err, n, "function %s: attestation failed: %s", f->conf.name, why);
done:
  serve_secrets_free(ss);
  if (b) b->free(b);
  attest_log_free(&log);
  cairn_free(bytes);
  free(cfg);
  return m;
}
