/*
** policy.c: loading the verifier's policy (policy.h). Format, version 1:
**   { "freshness_seconds": 60, "result_ttl_seconds": 300,
**     "allow_insecure": false,
**     "runtimes": [ "SHA256 of the cairn binary", ... ],
**     "attestation_keys": [ { "name": "node1", "type": "tpm2", "pem": "ak.pem" },
**                           { "name": "dev", "type": "ed25519", "pub": "dev.pub" } ],
**     "modules": { "NAME": { "sha256": [ "...", ... ], "signers": [ "K.pub" ],
**                            "config_sha256": "...",
**                            "secrets": [ { "name": "api_key", "value": "TEXT",
**                                           "deliver": "file" },
**                                         { "name": "TOKEN", "file": "token.txt",
**                                           "deliver": "env" } ] } } }
** Unknown keys are errors (a typo must not weaken the policy).
*/
#define _GNU_SOURCE
#include <jansson.h>
#include <libgen.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust/policy.h"

#define SECRET_FILE_MAX (16u << 20)

static bool perr(char *err, size_t errlen, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool perr(char *err, size_t errlen, const char *path, const char *fmt, ...) {
  int n = snprintf(err, errlen, "%s: ", path);
  if (n < 0 || (size_t)n >= errlen) return false;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
  va_end(ap);
  return false;
}

/* A path in the policy, relative to its directory. Malloc'd. */
static char *rel(const char *dir, const char *z) {
  char *out = NULL;
  if (z[0] == '/') return strdup(z);
  return asprintf(&out, "%s/%s", dir, z) < 0 ? NULL : out;
}

static bool hex_list(json_t *a, uint8_t (**out)[32], size_t *n, const char *what,
                     const char *path, char *err, size_t errlen) {
  if (!json_is_array(a)) return perr(err, errlen, path, "%s must be an array of SHA-256 hex strings", what);
  *out = calloc(json_array_size(a) + 1, 32);
  if (!*out) return perr(err, errlen, path, "out of memory");
  for (size_t i = 0; i < json_array_size(a); i++) {
    const char *z = json_string_value(json_array_get(a, i));
    if (!z || !attest_unhex(z, (*out)[i], 32))
      return perr(err, errlen, path, "%s[%zu]: not a SHA-256 (64 hex digits)", what, i);
    (*n)++;
  }
  return true;
}

static bool load_keys(json_t *a, Policy *p, const char *dir, const char *path, char *err,
                      size_t errlen) {
  if (!json_is_array(a)) return perr(err, errlen, path, "attestation_keys must be an array");
  size_t n = json_array_size(a);
  p->devkeys = calloc(n + 1, 32);
  p->devkey_names = calloc(n + 1, sizeof *p->devkey_names);
  p->aks = calloc(n + 1, sizeof *p->aks);
  p->ak_names = calloc(n + 1, sizeof *p->ak_names);
  if (!p->devkeys || !p->devkey_names || !p->aks || !p->ak_names)
    return perr(err, errlen, path, "out of memory");
  for (size_t i = 0; i < n; i++) {
    const char *name = NULL, *type = NULL, *pub = NULL, *pem = NULL;
    json_error_t je;
    if (json_unpack_ex(json_array_get(a, i), &je, JSON_STRICT, "{s:s,s:s,s?s,s?s}", "name",
                       &name, "type", &type, "pub", &pub, "pem", &pem) != 0)
      return perr(err, errlen, path, "attestation_keys[%zu]: %s", i, je.text);
    char kerr[512];
    if (strcmp(type, "ed25519") == 0 && pub) {
      char *f = rel(dir, pub);
      bool ok = f && attest_pubkey_load(f, p->devkeys[p->ndevkeys], kerr, sizeof kerr);
      free(f);
      if (!ok) return perr(err, errlen, path, "attestation_keys[%zu] '%s': %s", i, name, kerr);
      p->devkey_names[p->ndevkeys++] = strdup(name);
    } else if (strcmp(type, "tpm2") == 0 && pem) {
      /* the helper that checks AK signatures: found now, so that a
      ** verifier without it stops at start */
      if (!p->tpm_helper[0] &&
          !attest_helper_find(p->tpm_helper, sizeof p->tpm_helper, kerr, sizeof kerr)) {
        p->tpm_helper[0] = 0;
        return perr(err, errlen, path, "attestation_keys[%zu] '%s': %s", i, name, kerr);
      }
      char *f = rel(dir, pem);
      bool ok = f && attest_tpm_key_load(p->tpm_helper, f, &p->aks[p->naks], kerr, sizeof kerr);
      free(f);
      if (!ok) return perr(err, errlen, path, "attestation_keys[%zu] '%s': %s", i, name, kerr);
      p->ak_names[p->naks++] = strdup(name);
    } else {
      return perr(err, errlen, path,
                  "attestation_keys[%zu] '%s': type must be \"ed25519\" (with \"pub\") or "
                  "\"tpm2\" (with \"pem\")",
                  i, name);
    }
  }
  return true;
}

static bool load_secret(json_t *s, AttestSecret *out, const char *dir, const char *path,
                        const char *mod, size_t i, char *err, size_t errlen) {
  const char *name = NULL, *value = NULL, *file = NULL, *deliver = "file";
  json_error_t je;
  if (json_unpack_ex(s, &je, JSON_STRICT, "{s:s,s?s,s?s,s?s}", "name", &name, "value", &value,
                     "file", &file, "deliver", &deliver) != 0)
    return perr(err, errlen, path, "modules.%s.secrets[%zu]: %s", mod, i, je.text);
  if (!value == !file)
    return perr(err, errlen, path, "modules.%s.secrets[%zu] '%s': give \"value\" or \"file\"",
                mod, i, name);
  if (strcmp(deliver, "file") == 0) out->deliver = ATTEST_DELIVER_FILE;
  else if (strcmp(deliver, "env") == 0) out->deliver = ATTEST_DELIVER_ENV;
  else
    return perr(err, errlen, path,
                "modules.%s.secrets[%zu] '%s': deliver must be \"file\" or \"env\"", mod, i,
                name);
  if (!(out->name = strdup(name))) return perr(err, errlen, path, "out of memory");
  const uint8_t *src = (const uint8_t *)value;
  size_t n = value ? strlen(value) : 0;
  uint8_t *fb = NULL;
  if (file) {
    char ferr[512], *f = rel(dir, file);
    bool ok = f && attest_read_file(f, SECRET_FILE_MAX, &fb, &n, ferr, sizeof ferr);
    free(f);
    if (!ok) return perr(err, errlen, path, "modules.%s.secrets[%zu] '%s': %s", mod, i, name, ferr);
    src = fb;
  }
  uint8_t *v = sodium_malloc(n ? n : 1);
  if (v) memcpy(v, src, n);
  if (fb) {
    sodium_memzero(fb, n);
    free(fb);
  }
  if (!v) return perr(err, errlen, path, "out of locked memory");
  out->value = v;
  out->len = n;
  return true;
}

static bool load_module(const char *name, json_t *m, PolicyModule *pm, const char *dir,
                        const char *path, char *err, size_t errlen) {
  json_t *sha = NULL, *signers = NULL, *secrets = NULL;
  const char *cfg = NULL;
  json_error_t je;
  if (!(pm->name = strdup(name))) return perr(err, errlen, path, "out of memory");
  if (json_unpack_ex(m, &je, JSON_STRICT, "{s?o,s?o,s?s,s?o}", "sha256", &sha, "signers",
                     &signers, "config_sha256", &cfg, "secrets", &secrets) != 0)
    return perr(err, errlen, path, "modules.%s: %s", name, je.text);
  char what[160];
  snprintf(what, sizeof what, "modules.%s.sha256", name);
  if (sha && !hex_list(sha, &pm->sha, &pm->nsha, what, path, err, errlen)) return false;
  if (signers) {
    if (!json_is_array(signers))
      return perr(err, errlen, path, "modules.%s.signers must be an array of .pub files", name);
    pm->signers = calloc(json_array_size(signers) + 1, 32);
    if (!pm->signers) return perr(err, errlen, path, "out of memory");
    for (size_t i = 0; i < json_array_size(signers); i++) {
      const char *z = json_string_value(json_array_get(signers, i));
      char kerr[512], *f = z ? rel(dir, z) : NULL;
      bool ok = f && attest_pubkey_load(f, pm->signers[i], kerr, sizeof kerr);
      free(f);
      if (!ok)
        return perr(err, errlen, path, "modules.%s.signers[%zu]: %s", name, i,
                    z ? kerr : "not a string");
      pm->nsigners++;
    }
  }
  if (!pm->nsha && !pm->nsigners)
    return perr(err, errlen, path, "modules.%s: no \"sha256\" nor \"signers\": nothing could match",
                name);
  if (cfg) {
    if (!attest_unhex(cfg, pm->config, 32))
      return perr(err, errlen, path, "modules.%s.config_sha256: not a SHA-256", name);
    pm->has_config = true;
  }
  if (secrets) {
    if (!json_is_array(secrets)) return perr(err, errlen, path, "modules.%s.secrets must be an array", name);
    pm->sec = calloc(json_array_size(secrets) + 1, sizeof *pm->sec);
    if (!pm->sec) return perr(err, errlen, path, "out of memory");
    for (size_t i = 0; i < json_array_size(secrets); i++) {
      bool ok = load_secret(json_array_get(secrets, i), &pm->sec[i], dir, path, name, i, err,
                            errlen);
      pm->nsec++;   /* freed by policy_free even when half loaded */
      if (!ok) return false;
    }
    /* the encoding checks names; catch a bad one at start, not at release */
    uint8_t *enc = NULL;
    size_t nenc = 0;
    char eerr[256];
    if (!attest_secrets_encode(pm->sec, pm->nsec, &enc, &nenc, eerr, sizeof eerr))
      return perr(err, errlen, path, "modules.%s: %s (names: letters, digits, _ - .)", name, eerr);
    sodium_free(enc);
  }
  return true;
}

bool policy_load(const char *path, Policy *p, char *err, size_t errlen) {
  memset(p, 0, sizeof *p);
  p->freshness = 60;
  p->ttl = 300;
  if (sodium_init() < 0) return perr(err, errlen, path, "libsodium failed to initialise");
  json_error_t je;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
  if (!root) {
    snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
    return false;
  }
  char *pc = strdup(path), *dir = pc ? dirname(pc) : NULL;
  json_int_t fresh = 60, ttl = 300, v = 1;
  int insecure = 0;
  json_t *rt = NULL, *keys = NULL, *mods = NULL;
  bool ok = false;
  if (!dir) {
    perr(err, errlen, path, "out of memory");
    goto done;
  }
  if (json_unpack_ex(root, &je, JSON_STRICT, "{s?I,s?I,s?I,s?b,s:o,s:o,s:o}", "v", &v,
                     "freshness_seconds", &fresh, "result_ttl_seconds", &ttl, "allow_insecure",
                     &insecure, "runtimes", &rt, "attestation_keys", &keys, "modules",
                     &mods) != 0) {
    perr(err, errlen, path, "%s", je.text);
    goto done;
  }
  if (v != 1) {
    perr(err, errlen, path, "policy version %lld is not supported (1)", (long long)v);
    goto done;
  }
  if (fresh <= 0 || fresh > 86400 || ttl <= 0 || ttl > 30 * 86400) {
    perr(err, errlen, path, "freshness_seconds (1..86400) or result_ttl_seconds (1..2592000) out of range");
    goto done;
  }
  p->freshness = (uint64_t)fresh;
  p->ttl = (uint64_t)ttl;
  p->allow_insecure = insecure != 0;
  if (!hex_list(rt, &p->runtimes, &p->nruntimes, "runtimes", path, err, errlen)) goto done;
  if (!p->nruntimes) {
    perr(err, errlen, path, "runtimes: at least one allowed cairn binary (its SHA-256)");
    goto done;
  }
  if (!load_keys(keys, p, dir, path, err, errlen)) goto done;
  if (!json_is_object(mods)) {
    perr(err, errlen, path, "modules must be an object: { \"NAME\": { ... } }");
    goto done;
  }
  p->mods = calloc(json_object_size(mods) + 1, sizeof *p->mods);
  if (!p->mods) {
    perr(err, errlen, path, "out of memory");
    goto done;
  }
  const char *name;
  json_t *m;
  json_object_foreach(mods, name, m) {
    if (!load_module(name, m, &p->mods[p->nmods++], dir, path, err, errlen)) goto done;
  }
  ok = true;
done:
  free(pc);
  json_decref(root);
  if (!ok) policy_free(p);
  return ok;
}

void policy_free(Policy *p) {
  for (size_t i = 0; i < p->nmods; i++) {
    PolicyModule *m = &p->mods[i];
    for (size_t k = 0; k < m->nsec; k++) {
      free((char *)m->sec[k].name);
      if (m->sec[k].value) sodium_free((uint8_t *)m->sec[k].value);
    }
    free(m->sec);
    free(m->name);
    free(m->sha);
    free(m->signers);
  }
  free(p->mods);
  free(p->runtimes);
  free(p->devkeys);
  for (size_t i = 0; i < p->ndevkeys; i++) free(p->devkey_names[i]);
  free(p->devkey_names);
  for (size_t i = 0; i < p->naks; i++) {
    attest_tpm_key_free(&p->aks[i]);
    free(p->ak_names[i]);
  }
  free(p->aks);
  free(p->ak_names);
  memset(p, 0, sizeof *p);
}

const PolicyModule *policy_module(const Policy *p, const char *name) {
  for (size_t i = 0; i < p->nmods; i++) {
    if (strcmp(p->mods[i].name, name) == 0) return &p->mods[i];
  }
  return NULL;
}
