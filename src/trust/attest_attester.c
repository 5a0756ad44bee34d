/*
** attester.c: the attester's side of the handshake (attest.h, protocol in
** docs/trust.md):
**   1. GET  /v1/nonce                    -> {"v":1,"nonce":HEX32}
**   2. POST /v1/attest {"evidence":B64(E),"quote":B64(Q)}
**      E = {"backend","ephemeral_pub","key","log","module","nonce","v"}
**      (compact JSON, sorted keys), Q = the backend's signature or quote
**      over SHA-256("cairn-evidence-v1" 0x00 E);
**   3. 200 {"result":B64(R),"sig":B64(S),"sealed":B64(N24 || BOX)}
**      R = {"expires","insecure","issued","module","nonce","ephemeral_pub",
**      "sealed_sha256","status","v","verifier_pub"}, S its Ed25519
**      signature by the verifier's key over "cairn-result-v1" 0x00 R, BOX
**      the secrets sealed with crypto_box (X25519, XChaCha20-Poly1305) from
**      verifier_pub (the verifier's ephemeral key) to ephemeral_pub.
**      Any other status: {"error": why}.
** The ephemeral secret key lives in sodium_malloc'd memory and is wiped
** when the handshake ends, whatever the outcome.
*/
#define _GNU_SOURCE
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust/attest.h"

#define BOX_PK crypto_box_curve25519xchacha20poly1305_PUBLICKEYBYTES
#define BOX_SK crypto_box_curve25519xchacha20poly1305_SECRETKEYBYTES
#define BOX_NONCE crypto_box_curve25519xchacha20poly1305_NONCEBYTES
#define BOX_MAC crypto_box_curve25519xchacha20poly1305_MACBYTES

bool attest_backend_measure(AttestBackend *b, const AttestLog *log, char *err, size_t errlen) {
  if (!b->reset(b, err, errlen)) return false;
  for (size_t i = 0; i < log->n; i++) {
    uint8_t v[32];
    attest_event_extend_value(&log->ev[i], v);
    if (!b->extend(b, v, err, errlen)) return false;
  }
  return true;
}



/* The error message a verifier sent with a non-200 status. */
static void verifier_said(const char *resp, int status, char *err, size_t errlen) {
  json_t *j = json_loads(resp, 0, NULL);
  const char *why = j ? json_string_value(json_object_get(j, "error")) : NULL;
  snprintf(err, errlen, "the verifier refused (HTTP %d): %s", status,
           why ? why : "no reason given");
  json_decref(j);
}

void attest_evidence_digest(const char *e, size_t n, uint8_t out[32]) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, (const uint8_t *)ATTEST_EVIDENCE_DOMAIN,
                            sizeof ATTEST_EVIDENCE_DOMAIN);   /* with its NUL */
  crypto_hash_sha256_update(&st, (const uint8_t *)e, n);
  crypto_hash_sha256_final(&st, out);
}

/* Checks the signed result and opens the sealed secrets. */
static bool open_result(const AttestRequest *req, const char *resp, const uint8_t nonce[32],
                        const uint8_t epk[BOX_PK], const uint8_t *esk, AttestSecrets *out,
                        char *err, size_t errlen) {
  bool ok = false;
  json_error_t je;
  json_t *j = json_loads(resp, 0, &je), *r = NULL;
  const char *zr = NULL, *zs = NULL, *zb = NULL;
  uint8_t *rb = NULL, *sb = NULL, *bb = NULL, *plain = NULL;
  size_t nr = 0, ns = 0, nb = 0;
  if (!j || json_unpack(j, "{s:s,s:s,s:s}", "result", &zr, "sig", &zs, "sealed", &zb) != 0 ||
      !attest_unb64(zr, &rb, &nr) || !attest_unb64(zs, &sb, &ns) || !attest_unb64(zb, &bb, &nb)) {
    snprintf(err, errlen, "the verifier's answer is malformed");
    goto done;
  }
  /* The signature first: nothing in R is believed before it checks. */
  uint8_t *msg = malloc(sizeof ATTEST_RESULT_DOMAIN + nr);
  if (!msg) goto nomem;
  memcpy(msg, ATTEST_RESULT_DOMAIN, sizeof ATTEST_RESULT_DOMAIN);
  memcpy(msg + sizeof ATTEST_RESULT_DOMAIN, rb, nr);
  int bad = ns != crypto_sign_BYTES ||
            crypto_sign_verify_detached(sb, msg, sizeof ATTEST_RESULT_DOMAIN + nr,
                                        req->verifier_pub) != 0;
  free(msg);
  if (bad) {
    snprintf(err, errlen,
             "the attestation result is not signed by the verifier's key (--verifier-pub)");
    goto done;
  }
  r = json_loadb((const char *)rb, nr, 0, &je);
  const char *status = NULL, *rn = NULL, *rep = NULL, *rvp = NULL, *rsh = NULL, *rmod = NULL;
  json_int_t issued = 0, expires = 0;
  int insecure = 0;
  if (!r || json_unpack(r, "{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:b}", "status", &status, "nonce",
                        &rn, "ephemeral_pub", &rep, "verifier_pub", &rvp, "sealed_sha256", &rsh,
                        "module", &rmod, "issued", &issued, "expires", &expires, "insecure",
                        &insecure) != 0) {
    snprintf(err, errlen, "the attestation result is malformed");
    goto done;
  }
  uint8_t n2[32], e2[BOX_PK], vpk[BOX_PK], sh[32], sh2[32];
  if (!attest_unhex(rn, n2, 32) || !attest_unhex(rep, e2, BOX_PK) ||
      !attest_unhex(rvp, vpk, BOX_PK) || !attest_unhex(rsh, sh, 32)) {
    snprintf(err, errlen, "the attestation result is malformed");
    goto done;
  }
  if (strcmp(status, "affirming") != 0) {
    snprintf(err, errlen, "the attestation result is not affirming (%s)", status);
    goto done;
  }
  if (memcmp(n2, nonce, 32) != 0 || memcmp(e2, epk, BOX_PK) != 0 ||
      strcmp(rmod, req->module) != 0) {
    snprintf(err, errlen,
             "the attestation result is for another handshake (nonce, key or module differ)");
    goto done;
  }
  uint64_t now = attest_now();
  if ((uint64_t)expires <= now) {
    snprintf(err, errlen, "the attestation result expired %llu s ago (issued %llu, expires %llu)",
             (unsigned long long)(now - (uint64_t)expires), (unsigned long long)issued,
             (unsigned long long)expires);
    goto done;
  }
  crypto_hash_sha256(sh2, bb, nb);
  if (memcmp(sh, sh2, 32) != 0 || nb < BOX_NONCE + BOX_MAC) {
    snprintf(err, errlen, "the sealed secrets do not match the signed result");
    goto done;
  }
  size_t np = nb - BOX_NONCE - BOX_MAC;
  plain = sodium_malloc(np ? np : 1);
  if (!plain) goto nomem;
  if (crypto_box_curve25519xchacha20poly1305_open_easy(plain, bb + BOX_NONCE, nb - BOX_NONCE,
                                                       bb, vpk, esk) != 0) {
    snprintf(err, errlen, "the sealed secrets do not open with the ephemeral key");
    goto done;
  }
  if (!attest_secrets_decode(plain, np, out, err, errlen)) goto done;
  plain = NULL;   /* owned by out */
  out->insecure = insecure != 0;
  ok = true;
  goto done;
nomem:
  snprintf(err, errlen, "out of memory");
done:
  if (plain) sodium_free(plain);
  free(rb);
  free(sb);
  free(bb);
  json_decref(r);
  json_decref(j);
  return ok;
}

bool attest_run(const AttestRequest *req, AttestSecrets *out, char *err, size_t errlen) {
  bool ok = false;
  char *resp = NULL, *key = NULL, *ev = NULL, *ev64 = NULL, *q64 = NULL, *body = NULL;
  uint8_t *quote = NULL, *esk = NULL;
  size_t nquote = 0;
  json_t *j = NULL, *e = NULL;
  int status = 0;
  memset(out, 0, sizeof *out);
  if (sodium_init() < 0) {
    snprintf(err, errlen, "libsodium failed to initialise");
    return false;
  }
  /* 1. the nonce */
  if (!attest_http(req->url, "GET", "/v1/nonce", NULL, req->timeout_ms, &status, &resp, err,
                   errlen))
    return false;
  if (status != 200) {
    verifier_said(resp, status, err, errlen);
    goto done;
  }
  j = json_loads(resp, 0, NULL);
  const char *zn = j ? json_string_value(json_object_get(j, "nonce")) : NULL;
  uint8_t nonce[32];
  if (!zn || !attest_unhex(zn, nonce, 32)) {
    snprintf(err, errlen, "the verifier's nonce is malformed");
    goto done;
  }
  /* 2. the evidence: nonce, ephemeral key and event log, signed together */
  uint8_t epk[BOX_PK];
  esk = sodium_malloc(BOX_SK);
  if (!esk) goto nomem;
  crypto_box_curve25519xchacha20poly1305_keypair(epk, esk);
  char hn[65], he[2 * BOX_PK + 1];
  attest_hex(nonce, 32, hn);
  attest_hex(epk, BOX_PK, he);
  key = req->backend->describe(req->backend);
  json_t *log = attest_log_to_json(req->log);
  e = log && key ? json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:o}", "v", ATTEST_VERSION, "nonce", hn,
                             "module", req->module, "ephemeral_pub", he, "backend",
                             req->backend->kind, "key", key, "log", log)
                 : NULL;
  if (!e || !(ev = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS))) goto nomem;
  uint8_t digest[32];
  attest_evidence_digest(ev, strlen(ev), digest);
  if (!req->backend->quote(req->backend, digest, &quote, &nquote, err, errlen)) goto done;
  ev64 = attest_b64((const uint8_t *)ev, strlen(ev));
  q64 = attest_b64(quote, nquote);
  if (!ev64 || !q64) goto nomem;
  json_t *msg = json_pack("{s:s,s:s}", "evidence", ev64, "quote", q64);
  body = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
  json_decref(msg);
  if (!body) goto nomem;
  free(resp);
  resp = NULL;
  if (!attest_http(req->url, "POST", "/v1/attest", body, req->timeout_ms, &status, &resp, err,
                   errlen))
    goto done;
  if (status != 200) {
    verifier_said(resp, status, err, errlen);
    goto done;
  }
  /* 3. the result and the secrets */
  ok = open_result(req, resp, nonce, epk, esk, out, err, errlen);
  goto done;
nomem:
  snprintf(err, errlen, "out of memory");
done:
  if (esk) sodium_free(esk);
  free(resp);
  free(key);
  free(ev);
  free(ev64);
  free(q64);
  free(body);
  free(quote);
  json_decref(e);
  json_decref(j);
  return ok;
}
