/*
** attest.c: `cairn run --attest URL ...`: the options, and the hooks run.c
** calls: measure the module's bytes and the run's configuration, run the
** handshake (src/trust/attest_attester.c), load the module from exactly
** the bytes measured, and give the released secrets to the guest: files
** in the in-memory read-only preopen /run/secrets, or environment
** variables. Any failure stops the run before guest code exists (exit 2).
*/
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "trust/attest.h"
#include "trust/sign.h"

struct CliAttest {
  const char *url, *verifierPub, *deviceKey, *tcti, *name;
  uint32_t ak;
  int timeoutMs;
  AttestSecrets sec;             /* the released secrets (locked memory) */
  cairn_wasi_memfile *files;     /* point into sec */
  cairn_wasi_memdir dir;
  const char **env;              /* secrets' NAME=VALUE (in sec), then the run's */
};

int cli_attest_option(CliAttest **pa, int argc, char **argv, int *i) {
  const char *a = argv[*i];
  const char *opts[] = {"--attest", "--verifier-pub", "--device-key", "--tpm", "--tpm-ak",
                        "--attest-name", "--attest-timeout"};
  size_t k = 0;
  for (; k < sizeof opts / sizeof opts[0] && strcmp(a, opts[k]) != 0; k++) {
  }
  if (k == sizeof opts / sizeof opts[0]) return 0;
  if (*i + 1 >= argc) {
    fprintf(stderr, "cairn run: %s needs a value (see cairn run --help)\n", a);
    return -1;
  }
  if (!*pa && !(*pa = calloc(1, sizeof **pa))) {
    fprintf(stderr, "cairn run: out of memory\n");
    return -1;
  }
  CliAttest *c = *pa;
  const char *v = argv[++*i];
  switch (k) {
  case 0: c->url = v; break;
  case 1: c->verifierPub = v; break;
  case 2: c->deviceKey = v; break;
  case 3: c->tcti = v; break;
  case 4: {
    char *end;
    unsigned long h = strtoul(v, &end, 0);
    if (*end || h < 0x81000000ul || h > 0x81ffffffull) {
      fprintf(stderr, "cairn run: --tpm-ak '%s': a persistent handle 0x81000000..0x81ffffff\n", v);
      return -1;
    }
    c->ak = (uint32_t)h;
    break;
  }
  case 5: c->name = v; break;
  default: {
    char *end;
    long ms = strtol(v, &end, 10);
    if (*end || ms < 1 || ms > 600000) {
      fprintf(stderr, "cairn run: --attest-timeout '%s': milliseconds, 1..600000\n", v);
      return -1;
    }
    c->timeoutMs = (int)ms;
    break;
  }
  }
  return 1;
}

#ifndef CAIRN_NO_SERVE
/* The module's name in the verifier's policy: --attest-name, else the
** file name without its directory and extension. */
static char *attest_name(const CliAttest *a, const char *zModule) {
  if (a->name) return strdup(a->name);
  const char *b = strrchr(zModule, '/');
  b = b ? b + 1 : zModule;
  const char *dot = strrchr(b, '.');
  return strndup(b, dot && dot != b ? (size_t)(dot - b) : strlen(b));
}
#endif

cairn_module *cli_attest_load(CliAttest *a, const char *zModule, bool aot,
                              const uint8_t (*keys)[32], size_t nkeys,
                              const cairn_wasi_config *wc) {
#ifdef CAIRN_NO_SERVE
  fprintf(stderr, "cairn run: --attest is not built in (this cairn was built without jansson)\n");
  return NULL;
#else
  char err[1024];
  cairn_error cerr;
  memset(&cerr, 0, sizeof cerr);
  if (!a->url || !a->verifierPub || (!a->deviceKey == !a->tcti)) {
    fprintf(stderr, "cairn run: attestation needs --attest URL, --verifier-pub FILE and one "
                    "of --device-key FILE or --tpm TCTI\n");
    return NULL;
  }
  uint8_t vpk[32];
  if (!attest_pubkey_load(a->verifierPub, vpk, err, sizeof err)) {
    fprintf(stderr, "cairn run: --verifier-pub: %s\n", err);
    return NULL;
  }
  AttestBackend *b = a->deviceKey ? attest_backend_soft(a->deviceKey, err, sizeof err)
                                  : attest_backend_tpm(a->tcti, a->ak, err, sizeof err);
  if (!b) {
    fprintf(stderr, "cairn run: attestation: %s\n", err);
    return NULL;
  }
  uint8_t *bytes = NULL;
  size_t n = 0;
  cairn_module *m = NULL;
  AttestLog log = {0};
  char *name = attest_name(a, zModule), *cfg = NULL;
  const char **host = calloc(wc->npreopens + 1, sizeof *host);
  const char **guest = calloc(wc->npreopens + 1, sizeof *guest);
  bool *ro = calloc(wc->npreopens + 1, sizeof *ro);
  if (!name || !host || !guest || !ro) {
    fprintf(stderr, "cairn run: out of memory\n");
    goto done;
  }
  for (size_t i = 0; i < wc->npreopens; i++) {
    host[i] = wc->preopens[i].host_path;
    guest[i] = wc->preopens[i].guest_path;
    ro[i] = wc->preopens[i].read_only;
  }
  /* One read: the bytes whose signature is checked (--require-signature,
  ** before anything is sent) are the bytes measured and then loaded. */
  if (!cairn_read_file(zModule, &bytes, &n, &cerr) ||
      (keys && trust_check_module(bytes, n, keys, nkeys, &cerr) != 0)) {
    cli_print_load_error(stderr, zModule, &cerr);
    goto done;
  }
  cfg = attest_config_json(wc->argc, wc->argv, wc->envc, wc->env, wc->npreopens, host, guest, ro);
  if (!cfg || !attest_measure_run(&log, bytes, n, name, cfg, err, sizeof err) ||
      !attest_backend_measure(b, &log, err, sizeof err)) {
    fprintf(stderr, "cairn run: measuring %s: %s\n", zModule, cfg ? err : "out of memory");
    goto done;
  }
  AttestRequest req = {.url = a->url, .module = name, .verifier_pub = vpk, .backend = b,
                       .log = &log, .timeout_ms = a->timeoutMs};
  if (!attest_run(&req, &a->sec, err, sizeof err)) {
    fprintf(stderr, "cairn run: attestation failed: %s\n", err);
    goto done;
  }
  if (a->sec.insecure)
    fprintf(stderr, "cairn run: warning: attested with a software device key (insecure, for "
                    "development only)\n");
  /* The module from the very bytes measured: no second read of the file. */
  m = trust_module_from_bytes(bytes, n, aot, NULL, NULL, NULL, &cerr);
  if (!m) {
    cli_print_load_error(stderr, zModule, &cerr);
    attest_secrets_free(&a->sec);
  }
done:
  b->free(b);
  attest_log_free(&log);
  cairn_free(bytes);
  free(cfg);
  free(name);
  free(host);
  free(guest);
  free(ro);
  return m;
#endif
}

bool cli_attest_apply(CliAttest *a, cairn_wasi_config *wc) {
  size_t nf = 0;
  for (size_t i = 0; i < a->sec.n; i++) nf += a->sec.s[i].deliver == ATTEST_DELIVER_FILE;
  a->files = calloc(nf + 1, sizeof *a->files);
  a->env = calloc(a->sec.nenv + wc->envc + 1, sizeof *a->env);
  if (!a->files || !a->env) return false;
  for (size_t i = 0, k = 0; i < a->sec.n; i++) {
    if (a->sec.s[i].deliver != ATTEST_DELIVER_FILE) continue;
    a->files[k].name = a->sec.s[i].name;
    a->files[k].data = a->sec.s[i].value;
    a->files[k].len = a->sec.s[i].len;
    k++;
  }
  a->dir.guest_path = "/run/secrets";
  a->dir.nfiles = nf;
  a->dir.files = a->files;
  wc->nmemdirs = 1;
  wc->memdirs = &a->dir;
  /* the policy's variables first: a guest's getenv finds them before any
  ** --env of the same name */
  size_t ne = 0;
  for (size_t i = 0; i < a->sec.nenv; i++) a->env[ne++] = a->sec.env[i];
  for (size_t i = 0; i < wc->envc; i++) a->env[ne++] = wc->env[i];
  wc->env = a->env;
  wc->envc = ne;
  return true;
}

void cli_attest_free(CliAttest *a) {
  if (!a) return;
#ifndef CAIRN_NO_SERVE
  attest_secrets_free(&a->sec);
#endif
  free(a->files);
  free(a->env);
  free(a);
}
