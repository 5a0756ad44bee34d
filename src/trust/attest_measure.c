/*
** measure.c: the event log of what the runtime loads (attest.h), its JSON
** form (the "log" of the evidence) and its replay to a PCR value.
** JSON (version 1): {"v":1,"pcr":23,"events":[{"type":"runtime",
** "sha256":"<64 hex>","desc":"/usr/bin/cairn"}, ...]}.
*/
#define _GNU_SOURCE
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trust/attest.h"
#include "trust/sign.h"

#define LOG_MAX_EVENTS 64
#define FILE_MAX ((size_t)1 << 30)

void attest_log_free(AttestLog *l) {
  for (size_t i = 0; i < l->n; i++) free(l->ev[i].desc);
  free(l->ev);
  l->ev = NULL;
  l->n = 0;
}

static bool type_ok(const char *t) {
  return strcmp(t, "runtime") == 0 || strcmp(t, "module") == 0 || strcmp(t, "config") == 0 ||
         strcmp(t, "signer") == 0;
}

bool attest_log_add(AttestLog *l, const char *type, const uint8_t digest[32], const char *desc,
                    char *err, size_t errlen) {
  if (strlen(type) >= sizeof l->ev[0].type) {
    snprintf(err, errlen, "event type '%s' too long", type);
    return false;
  }
  AttestEvent *a = realloc(l->ev, (l->n + 1) * sizeof *a);
  if (!a) goto nomem;
  l->ev = a;
  AttestEvent *e = &a[l->n];
  memset(e, 0, sizeof *e);
  strcpy(e->type, type);
  memcpy(e->digest, digest, 32);
  if (desc && !(e->desc = strdup(desc))) goto nomem;
  l->n++;
  return true;
nomem:
  snprintf(err, errlen, "out of memory");
  return false;
}

bool attest_log_add_file(AttestLog *l, const char *type, const char *path, const char *desc,
                         char *err, size_t errlen) {
  uint8_t *b = NULL, d[32];
  size_t n = 0;
  if (!attest_read_file(path, FILE_MAX, &b, &n, err, errlen)) return false;
  crypto_hash_sha256(d, b, n);
  free(b);
  return attest_log_add(l, type, d, desc, err, errlen);
}

bool attest_measure_run(AttestLog *l, const uint8_t *module, size_t nmodule, const char *name,
                        const char *cfg_json, char *err, size_t errlen) {
  uint8_t d[32];
  char self[4096];
  ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
  self[k > 0 ? k : 0] = 0;
  if (!attest_log_add_file(l, "runtime", "/proc/self/exe", self, err, errlen)) return false;
  crypto_hash_sha256(d, module, nmodule);
  if (!attest_log_add(l, "module", d, name, err, errlen)) return false;
  /* Its valid signers (sign.h), each key as the event's "digest": the
  ** policy may allow a module by signer. A bad signature stops here. */
  uint8_t signers[8][32];
  size_t ns = 0;
  char serr[256];
  if (trust_signers(module, nmodule, signers, 8, &ns, serr, sizeof serr) != 0) {
    snprintf(err, errlen, "module signature: %s", serr);
    return false;
  }
  for (size_t i = 0; i < ns; i++) {
    char txt[TRUST_KEY_TEXT];
    trust_key_text(signers[i], txt);
    if (!attest_log_add(l, "signer", signers[i], txt, err, errlen)) return false;
  }
  crypto_hash_sha256(d, (const uint8_t *)cfg_json, strlen(cfg_json));
  return attest_log_add(l, "config", d, cfg_json, err, errlen);
}

char *attest_config_json(size_t argc, const char *const *argv, size_t envc,
                         const char *const *env, size_t npre, const char *const *pre_host,
                         const char *const *pre_guest, const bool *pre_ro) {
  json_t *o = json_object(), *a = json_array(), *e = json_array(), *p = json_array();
  char *out = NULL;
  if (!o || !a || !e || !p) goto done;
  for (size_t i = 0; i < argc; i++) json_array_append_new(a, json_string(argv[i]));
  for (size_t i = 0; i < envc; i++) {
    const char *eq = strchr(env[i], '=');
    size_t n = eq ? (size_t)(eq - env[i]) : strlen(env[i]);
    json_array_append_new(e, json_stringn(env[i], n));   /* the name, never the value */
  }
  for (size_t i = 0; i < npre; i++) {
    json_array_append_new(p, json_pack("{s:s,s:s,s:b}", "guest", pre_guest[i], "host",
                                       pre_host[i], "ro", pre_ro ? pre_ro[i] : 0));
  }
  json_object_set(o, "args", a);
  json_object_set(o, "env", e);
  json_object_set(o, "preopens", p);
  out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
done:
  json_decref(a);
  json_decref(e);
  json_decref(p);
  json_decref(o);
  return out;
}

void attest_event_extend_value(const AttestEvent *e, uint8_t out[32]) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, (const uint8_t *)"cairn:", 6);
  crypto_hash_sha256_update(&st, (const uint8_t *)e->type, strlen(e->type));
  crypto_hash_sha256_update(&st, (const uint8_t *)":", 1);
  crypto_hash_sha256_update(&st, e->digest, 32);
  crypto_hash_sha256_final(&st, out);
}

void attest_log_replay(const AttestLog *l, uint8_t pcr[32]) {
  memset(pcr, 0, 32);
  for (size_t i = 0; i < l->n; i++) {
    uint8_t v[32], both[64];
    attest_event_extend_value(&l->ev[i], v);
    memcpy(both, pcr, 32);
    memcpy(both + 32, v, 32);
    crypto_hash_sha256(pcr, both, 64);
  }
}

void *attest_log_to_json(const AttestLog *l) {
  json_t *ev = json_array();
  if (!ev) return NULL;
  for (size_t i = 0; i < l->n; i++) {
    char hex[65];
    attest_hex(l->ev[i].digest, 32, hex);
    json_t *e = json_pack("{s:s,s:s}", "type", l->ev[i].type, "sha256", hex);
    if (e && l->ev[i].desc) json_object_set_new(e, "desc", json_string(l->ev[i].desc));
    if (!e || json_array_append_new(ev, e) != 0) {
      json_decref(ev);
      return NULL;
    }
  }
  return json_pack("{s:i,s:i,s:o}", "v", ATTEST_VERSION, "pcr", ATTEST_PCR, "events", ev);
}

bool attest_log_from_json(const void *json, AttestLog *l, char *err, size_t errlen) {
  const json_t *j = json;
  json_t *ev = NULL;
  json_int_t v = 0, pcr = 0;
  memset(l, 0, sizeof *l);
  json_error_t je;
  if (json_unpack_ex((json_t *)j, &je, JSON_STRICT, "{s:I,s:I,s:o}", "v", &v, "pcr", &pcr,
                     "events", &ev) != 0) {
    snprintf(err, errlen, "event log: %s", je.text);
    return false;
  }
  if (v != ATTEST_VERSION || pcr != ATTEST_PCR || !json_is_array(ev)) {
    snprintf(err, errlen, "event log: version %lld / pcr %lld not supported (want %d / %d)",
             (long long)v, (long long)pcr, ATTEST_VERSION, ATTEST_PCR);
    return false;
  }
  if (json_array_size(ev) > LOG_MAX_EVENTS) {
    snprintf(err, errlen, "event log: more than %d events", LOG_MAX_EVENTS);
    return false;
  }
  for (size_t i = 0; i < json_array_size(ev); i++) {
    const char *type = NULL, *hex = NULL, *desc = NULL;
    uint8_t d[32];
    if (json_unpack_ex(json_array_get(ev, i), &je, JSON_STRICT, "{s:s,s:s,s?s}", "type", &type,
                       "sha256", &hex, "desc", &desc) != 0) {
      snprintf(err, errlen, "event log: event %zu: %s", i, je.text);
      goto fail;
    }
    if (!type_ok(type) || !attest_unhex(hex, d, 32)) {
      snprintf(err, errlen, "event log: event %zu: unknown type or bad sha256", i);
      goto fail;
    }
    if (!attest_log_add(l, type, d, desc, err, errlen)) goto fail;
  }
  return true;
fail:
  attest_log_free(l);
  return false;
}
