/*
** verifier.c: `cairn verifier`, the verifier and relying party (attest.h;
** the messages are described in attester.c and docs/trust.md). It hands
** out single-use nonces, checks evidence against the policy (policy.c) and
** answers with a signed attestation result and the module's secrets sealed
** to the attester's ephemeral key. A thread per connection (at most
** VERIFIER_MAX_CONNS), each read bounded by a timeout. Decisions are logged
** to stderr with the module and key names; secret values never are.
** Global state: the SIGINT/SIGTERM flag, and jansson's allocator, set to
** one that wipes what it frees (policy values and secret files pass
** through jansson strings).
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <malloc.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "trust/policy.h"

#define VERIFIER_MAX_CONNS 64
#define VERIFIER_MAX_NONCES 4096
#define VERIFIER_READ_MS 5000

#define BOX_PK crypto_box_curve25519xchacha20poly1305_PUBLICKEYBYTES
#define BOX_SK crypto_box_curve25519xchacha20poly1305_SECRETKEYBYTES
#define BOX_NONCE crypto_box_curve25519xchacha20poly1305_NONCEBYTES
#define BOX_MAC crypto_box_curve25519xchacha20poly1305_MACBYTES

typedef struct Nonce {
  uint8_t v[32];
  uint64_t issued;          /* unix seconds; 0: free slot */
} Nonce;

typedef struct Verifier {
  Policy pol;
  uint8_t *sk;              /* sodium_malloc'd Ed25519 secret key */
  pthread_mutex_t mu;       /* guards nonces */
  Nonce *nonces;
  atomic_int conns;
  bool quiet;
} Verifier;

static volatile sig_atomic_t gStop;
static void on_signal(int sig) { gStop = 1; }

/* jansson's free: wipes the block first (its size from the C library, so
** that strings jansson returns can still be released with free()). */
static void wipe_free(void *p) {
  if (!p) return;
  sodium_memzero(p, malloc_usable_size(p));
  free(p);
}

static void vlog(Verifier *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void vlog(Verifier *v, const char *fmt, ...) {
  if (v->quiet) return;
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "cairn verifier: ");
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

static char *json_error_body(const char *msg) {
  json_t *j = json_pack("{s:s}", "error", msg);
  char *z = j ? json_dumps(j, JSON_COMPACT) : NULL;
  json_decref(j);
  return z;
}

static void nonce_new(Verifier *v, int *status, char **resp) {
  uint64_t now = attest_now();
  pthread_mutex_lock(&v->mu);
  Nonce *slot = NULL;
  for (size_t i = 0; i < VERIFIER_MAX_NONCES && !slot; i++) {
    Nonce *n = &v->nonces[i];
    if (n->issued && now - n->issued > v->pol.freshness) n->issued = 0;   /* expired */
    if (!n->issued) slot = n;
  }
  if (slot) {
    randombytes_buf(slot->v, 32);
    slot->issued = now ? now : 1;
  }
  char hex[65];
  if (slot) attest_hex(slot->v, 32, hex);
  pthread_mutex_unlock(&v->mu);
  if (!slot) {
    *status = 503;
    *resp = json_error_body("too many outstanding nonces; retry later");
    return;
  }
  json_t *j = json_pack("{s:i,s:s,s:I}", "v", ATTEST_VERSION, "nonce", hex, "freshness_seconds",
                        (json_int_t)v->pol.freshness);
  *status = 200;
  *resp = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  json_decref(j);
}

/* Takes the nonce out of the table: 0 ok, 1 unknown or used, 2 expired. */
static int nonce_take(Verifier *v, const uint8_t nonce[32]) {
  uint64_t now = attest_now();
  int rc = 1;
  pthread_mutex_lock(&v->mu);
  for (size_t i = 0; i < VERIFIER_MAX_NONCES; i++) {
    Nonce *n = &v->nonces[i];
    if (n->issued && sodium_memcmp(n->v, nonce, 32) == 0) {
      rc = now - n->issued > v->pol.freshness ? 2 : 0;
      n->issued = 0;   /* single use, whatever the outcome */
      break;
    }
  }
  pthread_mutex_unlock(&v->mu);
  return rc;
}

static bool in_list(const uint8_t (*list)[32], size_t n, const uint8_t d[32]) {
  for (size_t i = 0; i < n; i++) {
    if (memcmp(list[i], d, 32) == 0) return true;
  }
  return false;
}



/* Checks the module events of the log against pm; NULL if allowed, else
** why not (into why). */
static bool check_module(const Verifier *v, const PolicyModule *pm, const AttestLog *log,
                         char *why, size_t nwhy) {
  const AttestEvent *mod = NULL, *cfg = NULL, *rt = NULL;
  for (size_t i = 0; i < log->n; i++) {
    const AttestEvent *e = &log->ev[i];
    const AttestEvent **slot = strcmp(e->type, "runtime") == 0 ? &rt
                             : strcmp(e->type, "module") == 0  ? &mod
                             : strcmp(e->type, "config") == 0  ? &cfg : NULL;
    if (strcmp(e->type, "signer") == 0) continue;
    if (!slot || *slot) {
      snprintf(why, nwhy, "the event log must hold one runtime, one module and one config event");
      return false;
    }
    *slot = e;
  }
  if (!rt || !mod || !cfg) {
    snprintf(why, nwhy, "the event log must hold one runtime, one module and one config event");
    return false;
  }
  char hex[65];
  if (!in_list((const uint8_t (*)[32])v->pol.runtimes, v->pol.nruntimes, rt->digest)) {
    attest_hex(rt->digest, 32, hex);
    snprintf(why, nwhy, "runtime (cairn binary) sha256:%s is not allowed by the policy", hex);
    return false;
  }
  bool byHash = in_list((const uint8_t (*)[32])pm->sha, pm->nsha, mod->digest);
  bool bySigner = false;
  if (pm->nsigners) {
    for (size_t i = 0; i < log->n && !bySigner; i++) {
      if (strcmp(log->ev[i].type, "signer") == 0 &&
          in_list((const uint8_t (*)[32])pm->signers, pm->nsigners, log->ev[i].digest))
        bySigner = true;
    }
  }
  if (!byHash && !bySigner) {
    attest_hex(mod->digest, 32, hex);
    for (size_t i = 0; i < v->pol.nmods; i++) {
      const PolicyModule *o = &v->pol.mods[i];
      if (o != pm && in_list((const uint8_t (*)[32])o->sha, o->nsha, mod->digest)) {
        snprintf(why, nwhy, "the evidence is for module '%s', not '%s'", o->name, pm->name);
        return false;
      }
    }
    if (pm->nsigners && !pm->nsha) {
      bool anySigner = false;
      for (size_t i = 0; i < log->n; i++) anySigner |= strcmp(log->ev[i].type, "signer") == 0;
      snprintf(why, nwhy,
               anySigner ? "module '%s' is signed only by keys the policy does not allow"
                         : "module '%s' carries no signature (unsigned, or the signature was "
                           "stripped)",
               pm->name);
      return false;
    }
    snprintf(why, nwhy,
             "module sha256:%s is not an allowed build of '%s' (tampered or unknown module)", hex,
             pm->name);
    return false;
  }
  if (pm->has_config && memcmp(pm->config, cfg->digest, 32) != 0) {
    snprintf(why, nwhy, "the configuration of '%s' (args, env names, preopens) is not the one "
                        "the policy allows", pm->name);
    return false;
  }
  return true;
}

/* Builds the signed result and the sealed secrets. */
static bool answer(Verifier *v, const PolicyModule *pm, const char *nonceHex,
                   const uint8_t epk[BOX_PK], bool insecure, char **resp, char *why,
                   size_t nwhy) {
  bool ok = false;
  uint8_t *plain = NULL, *sealed = NULL, *vsk = NULL;
  size_t nplain = 0;
  char *r = NULL, *zs = NULL, *zb = NULL, *zr = NULL;
  json_t *jr = NULL, *out = NULL;
  if (!attest_secrets_encode(pm->sec, pm->nsec, &plain, &nplain, why, nwhy)) return false;
  size_t nsealed = BOX_NONCE + BOX_MAC + nplain;
  uint8_t vpk[BOX_PK];
  sealed = malloc(nsealed);
  vsk = sodium_malloc(BOX_SK);
  if (!sealed || !vsk) goto nomem;
  crypto_box_curve25519xchacha20poly1305_keypair(vpk, vsk);   /* this session's key */
  randombytes_buf(sealed, BOX_NONCE);
  if (crypto_box_curve25519xchacha20poly1305_easy(sealed + BOX_NONCE, plain, nplain, sealed, epk,
                                                  vsk) != 0) {
    snprintf(why, nwhy, "sealing the secrets failed (bad ephemeral key)");
    goto done;
  }
  uint8_t sh[32];
  crypto_hash_sha256(sh, sealed, nsealed);
  char hvpk[2 * BOX_PK + 1], hepk[2 * BOX_PK + 1], hsh[65];
  attest_hex(vpk, BOX_PK, hvpk);
  attest_hex(epk, BOX_PK, hepk);
  attest_hex(sh, 32, hsh);
  uint64_t now = attest_now();
  jr = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:b}", "v", ATTEST_VERSION, "status",
                 "affirming", "module", pm->name, "nonce", nonceHex, "ephemeral_pub", hepk,
                 "verifier_pub", hvpk, "sealed_sha256", hsh, "issued", (json_int_t)now,
                 "expires", (json_int_t)(now + v->pol.ttl), "insecure", insecure);
  if (!jr || !(r = json_dumps(jr, JSON_COMPACT | JSON_SORT_KEYS))) goto nomem;
  size_t nr = strlen(r);
  uint8_t *msg = malloc(sizeof ATTEST_RESULT_DOMAIN + nr), sig[crypto_sign_BYTES];
  if (!msg) goto nomem;
  memcpy(msg, ATTEST_RESULT_DOMAIN, sizeof ATTEST_RESULT_DOMAIN);
  memcpy(msg + sizeof ATTEST_RESULT_DOMAIN, r, nr);
  crypto_sign_detached(sig, NULL, msg, sizeof ATTEST_RESULT_DOMAIN + nr, v->sk);
  free(msg);
  zr = attest_b64((const uint8_t *)r, nr);
  zs = attest_b64(sig, sizeof sig);
  zb = attest_b64(sealed, nsealed);
  out = zr && zs && zb ? json_pack("{s:s,s:s,s:s}", "result", zr, "sig", zs, "sealed", zb) : NULL;
  if (!out || !(*resp = json_dumps(out, JSON_COMPACT))) goto nomem;
  ok = true;
  goto done;
nomem:
  snprintf(why, nwhy, "out of memory");
done:
  sodium_free(plain);
  if (vsk) sodium_free(vsk);
  free(sealed);
  free(r);
  free(zr);
  free(zs);
  free(zb);
  json_decref(jr);
  json_decref(out);
  return ok;
}

/* POST /v1/attest: the whole check. 200 with the answer, or 400/403 with
** why in an {"error"} body. */
static void attest(Verifier *v, const char *body, int *status, char **resp) {
  char why[512] = "";
  int st = 400;
  json_error_t je;
  json_t *msg = json_loads(body, 0, &je), *ev = NULL, *jlog = NULL;
  const char *zev = NULL, *zq = NULL;
  uint8_t *evb = NULL, *q = NULL;
  size_t nev = 0, nq = 0;
  AttestLog log = {0};
  const char *nonceHex = NULL, *module = NULL, *epkHex = NULL, *backend = NULL, *key = NULL;
  json_int_t ver = 0;
  if (!msg || json_unpack_ex(msg, &je, JSON_STRICT, "{s:s,s:s}", "evidence", &zev, "quote", &zq) != 0 ||
      !attest_unb64(zev, &evb, &nev) || !attest_unb64(zq, &q, &nq)) {
    snprintf(why, sizeof why, "malformed request: {\"evidence\": BASE64, \"quote\": BASE64} expected");
    goto done;
  }
  ev = json_loadb((const char *)evb, nev, JSON_REJECT_DUPLICATES, &je);
  uint8_t nonce[32], epk[BOX_PK], digest[32], pcr[32];
  if (!ev || json_unpack_ex(ev, &je, JSON_STRICT, "{s:I,s:s,s:s,s:s,s:s,s:s,s:o}", "v", &ver,
                            "nonce", &nonceHex, "module", &module, "ephemeral_pub", &epkHex,
                            "backend", &backend, "key", &key, "log", &jlog) != 0 ||
      ver != ATTEST_VERSION || !attest_unhex(nonceHex, nonce, 32) ||
      !attest_unhex(epkHex, epk, BOX_PK)) {
    snprintf(why, sizeof why, "malformed evidence%s%s", ev ? ": " : "", ev ? je.text : "");
    goto done;
  }
  if (!attest_log_from_json(jlog, &log, why, sizeof why)) goto done;
  attest_evidence_digest((const char *)evb, nev, digest);
  attest_log_replay(&log, pcr);
  st = 403;
  /* 1. who signed: a registered key, over exactly these bytes */
  const char *keyName = NULL;
  bool insecure = false;
  if (strcmp(backend, "ed25519") == 0) {
    uint8_t pk[32];
    size_t k = 0;
    if (!attest_unhex(key, pk, 32)) {
      snprintf(why, sizeof why, "malformed evidence: key");
      goto done;
    }
    for (; k < v->pol.ndevkeys && memcmp(v->pol.devkeys[k], pk, 32) != 0; k++) {
    }
    if (k == v->pol.ndevkeys) {
      snprintf(why, sizeof why, "the evidence is signed by an unregistered device key (%.16s...)", key);
      goto done;
    }
    if (nq != crypto_sign_BYTES || crypto_sign_verify_detached(q, digest, 32, pk) != 0) {
      snprintf(why, sizeof why,
               "the evidence signature is invalid (evidence modified in transit, or forged)");
      goto done;
    }
    if (!v->pol.allow_insecure) {
      snprintf(why, sizeof why,
               "software device keys are not accepted (the policy has no \"allow_insecure\")");
      goto done;
    }
    keyName = v->pol.devkey_names[k];
    insecure = true;
  } else if (strcmp(backend, "tpm2") == 0) {
    size_t k = 0;
    if (!attest_tpm_check(v->pol.tpm_helper, v->pol.aks, v->pol.naks, q, nq, digest, pcr, &k,
                          why, sizeof why))
      goto done;
    keyName = v->pol.ak_names[k];
  } else {
    snprintf(why, sizeof why, "unknown evidence backend '%s'", backend);
    goto done;
  }
  /* 2. fresh: a nonce this verifier issued, used once, within the window */
  int nr = nonce_take(v, nonce);
  if (nr) {
    snprintf(why, sizeof why,
             nr == 2 ? "the nonce expired (older than %llu s): evidence too old"
                     : "the nonce is unknown or was already used (replayed evidence)",
             (unsigned long long)v->pol.freshness);
    goto done;
  }
  /* 3. what runs: the replayed log against the policy */
  const PolicyModule *pm = policy_module(&v->pol, module);
  if (!pm) {
    snprintf(why, sizeof why, "the policy has no module '%s'", module);
    goto done;
  }
  if (!check_module(v, pm, &log, why, sizeof why)) goto done;
  if (!answer(v, pm, nonceHex, epk, insecure, resp, why, sizeof why)) {
    st = 500;
    goto done;
  }
  vlog(v, "accepted '%s' (%s key '%s'%s): released %zu secret%s", module, backend, keyName,
       insecure ? ", insecure" : "", pm->nsec, pm->nsec == 1 ? "" : "s");
  st = 200;
done:
  if (st != 200) {
    vlog(v, "rejected%s%s%s: %s", module ? " '" : "", module ? module : "", module ? "'" : "",
         why);
    *resp = json_error_body(why);
  }
  *status = st;
  attest_log_free(&log);
  free(evb);
  free(q);
  json_decref(ev);
  json_decref(msg);
}

typedef struct Conn {
  Verifier *v;
  int fd;
} Conn;

static void *conn_main(void *arg) {
  Conn *c = arg;
  Verifier *v = c->v;
  char method[8], path[256], *body = NULL, *resp = NULL;
  int st = attest_http_read(c->fd, VERIFIER_READ_MS, method, path, &body);
  if (st) {
    resp = json_error_body(st == 408 ? "request timed out" : st == 413 ? "request too large"
                                                                      : "bad request");
  } else if (strcmp(path, "/v1/nonce") == 0 && strcmp(method, "GET") == 0) {
    nonce_new(v, &st, &resp);
  } else if (strcmp(path, "/v1/attest") == 0 && strcmp(method, "POST") == 0) {
    attest(v, body, &st, &resp);
  } else {
    st = 404;
    resp = json_error_body("no such endpoint (GET /v1/nonce, POST /v1/attest)");
  }
  attest_http_reply(c->fd, st, resp ? resp : "{}");
  close(c->fd);
  free(body);
  free(resp);
  free(c);
  atomic_fetch_sub(&v->conns, 1);
  return NULL;
}

int verifier_main(const VerifierOpts *o) {
  static Verifier v;   /* lives until exit: detached threads may still use it */
  char err[1024];
  json_set_alloc_funcs(malloc, wipe_free);
  if (sodium_init() < 0) {
    fprintf(stderr, "cairn verifier: libsodium failed to initialise\n");
    return 2;
  }
  v.quiet = o->quiet;
  if (!policy_load(o->policy, &v.pol, err, sizeof err)) {
    fprintf(stderr, "cairn verifier: error: %s\n", err);
    return 2;
  }
  v.sk = sodium_malloc(64);
  if (!v.sk || !attest_seckey_load(o->key, v.sk, err, sizeof err)) {
    fprintf(stderr, "cairn verifier: error: --key: %s\n", v.sk ? err : "out of memory");
    return 2;
  }
  v.nonces = calloc(VERIFIER_MAX_NONCES, sizeof *v.nonces);
  pthread_mutex_init(&v.mu, NULL);
  struct sockaddr_in sa;
  if (!attest_parse_hostport(o->listen, &sa)) {
    fprintf(stderr, "cairn verifier: error: --listen '%s': expected HOST:PORT (numeric IPv4)\n",
            o->listen);
    return 2;
  }
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  socklen_t sl = sizeof sa;
  if (lfd < 0 || !v.nonces || bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
      listen(lfd, 128) != 0 || getsockname(lfd, (struct sockaddr *)&sa, &sl) != 0) {
    fprintf(stderr, "cairn verifier: error: --listen %s: %s\n", o->listen, strerror(errno));
    return 2;
  }
  char ip[32];
  inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof ip);
  if (o->port_file) {
    FILE *f = fopen(o->port_file, "w");
    if (!f) {
      fprintf(stderr, "cairn verifier: error: --port-file %s: %s\n", o->port_file, strerror(errno));
      return 2;
    }
    fprintf(f, "%u\n", ntohs(sa.sin_port));
    fclose(f);
  }
  vlog(&v, "listening on http://%s:%u (%zu modules, %zu device keys, %zu TPM AKs)", ip,
       ntohs(sa.sin_port), v.pol.nmods, v.pol.ndevkeys, v.pol.naks);
  struct sigaction act;
  memset(&act, 0, sizeof act);
  act.sa_handler = on_signal;
  sigaction(SIGINT, &act, NULL);
  sigaction(SIGTERM, &act, NULL);
  signal(SIGPIPE, SIG_IGN);
  while (!gStop) {
    struct pollfd p = {lfd, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) continue;
    if (atomic_fetch_add(&v.conns, 1) >= VERIFIER_MAX_CONNS) {
      atomic_fetch_sub(&v.conns, 1);
      attest_http_reply(fd, 503, "{\"error\":\"too many connections\"}");
      close(fd);
      continue;
    }
    Conn *c = malloc(sizeof *c);
    pthread_t th;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    if (!c || (c->v = &v, c->fd = fd, pthread_create(&th, &at, conn_main, c) != 0)) {
      free(c);
      close(fd);
      atomic_fetch_sub(&v.conns, 1);
    }
    pthread_attr_destroy(&at);
  }
  close(lfd);
  vlog(&v, "stopped");
  /* Wait briefly for handlers in flight, then wipe the policy's secrets. */
  for (int i = 0; i < 100 && atomic_load(&v.conns) > 0; i++) usleep(10000);
  if (atomic_load(&v.conns) == 0) {
    policy_free(&v.pol);
    sodium_free(v.sk);
  }
  return 0;
}
