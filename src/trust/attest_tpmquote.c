/*
** tpmquote.c: checking a TPM 2.0 quote on the verifier (attest.h): the
** AK's signature over TPMS_ATTEST (ECDSA or RSASSA with SHA-256), checked
** by the helper cairn-tpm with OpenSSL's libcrypto (the library tpm2-tss
** itself uses), then the structure (TPM 2.0 Part 2: TPMS_ATTEST,
** TPMS_QUOTE_INFO), here: magic, type, qualifying data, PCR selection and
** PCR digest. Parsing is bounds-checked big-endian reads; no cryptography
** here but libsodium's SHA-256.
*/
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust/attest.h"

#define TPM_GENERATED_VALUE 0xff544347u
#define TPM_ST_ATTEST_QUOTE 0x8018u
#define TPM_ALG_RSASSA 0x0014u
#define TPM_ALG_ECDSA 0x0018u
#define TPM_ALG_SHA256 0x000bu

bool attest_tpm_key_load(const char *helper, const char *pem_path, AttestAk *ak, char *err,
                         size_t errlen) {
  memset(ak, 0, sizeof *ak);
  if (!attest_read_file(pem_path, 16384, &ak->pem, &ak->npem, err, errlen)) return false;
  const char *args[] = {"check-key", NULL};
  char why[512];
  int rc = attest_helper_run(helper, args, ak->pem, ak->npem, NULL, why, sizeof why);
  if (rc == 0) return true;
  const char *w = why;
  if (rc > 0 && strncmp(w, "cairn-tpm: ", 11) == 0) w += 11;
  snprintf(err, errlen, "%s: %s%s", pem_path, rc < 0 ? "the TPM helper: " : "", w);
  attest_tpm_key_free(ak);
  return false;
}

void attest_tpm_key_free(AttestAk *ak) {
  free(ak->pem);
  memset(ak, 0, sizeof *ak);
}

static void put32(uint8_t *p, size_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* Which of aks signed the quote q (cairn-tpm verify-sig): its index, -1
** if none (err), -2 if the helper failed (err). */
static long quote_signer(const char *helper, const AttestAk *aks, size_t naks, const uint8_t *q,
                         size_t nq, char *err, size_t errlen) {
  size_t n = nq;
  for (size_t k = 0; k < naks; k++) n += 4 + aks[k].npem;
  uint8_t *in = malloc(n ? n : 1);
  if (!in) {
    snprintf(err, errlen, "out of memory");
    return -2;
  }
  size_t i = 0;
  for (size_t k = 0; k < naks; k++) {
    put32(in + i, aks[k].npem);
    memcpy(in + i + 4, aks[k].pem, aks[k].npem);
    i += 4 + aks[k].npem;
  }
  memcpy(in + i, q, nq);
  char nk[24], *out = NULL, why[512];
  snprintf(nk, sizeof nk, "%zu", naks);
  const char *args[] = {"verify-sig", nk, NULL};
  int rc = attest_helper_run(helper, args, in, n, &out, why, sizeof why);
  free(in);
  char *end = NULL;
  long which = rc == 0 && out ? strtol(out, &end, 10) : -1;
  bool parsed = rc == 0 && end && end != out && (*end == '\n' || !*end) && which >= 0 &&
                (size_t)which < naks;
  free(out);
  if (parsed) return which;
  if (rc == 1) {
    snprintf(err, errlen,
             "the quote is not signed by any registered TPM attestation key "
             "(an unregistered AK, or a forged quote)");
    return -1;
  }
  if (rc == 3) {
    snprintf(err, errlen, "the TPM quote is malformed (%s)", why);
    return -1;
  }
  snprintf(err, errlen, "cannot check the quote's signature: the TPM helper %s: %s", helper,
           rc == 0 ? "unexpected output" : why);
  return -2;
}

typedef struct Rd {
  const uint8_t *p;
  size_t n, i;
  bool bad;
} Rd;

static uint64_t rd(Rd *r, int bytes) {
  uint64_t v = 0;
  if (r->n - r->i < (size_t)bytes) {
    r->bad = true;
    return 0;
  }
  for (int k = 0; k < bytes; k++) v = v << 8 | r->p[r->i++];
  return v;
}

/* A TPM2B: u16 size, bytes. */
static const uint8_t *rd2b(Rd *r, size_t *n) {
  *n = (size_t)rd(r, 2);
  if (r->bad || r->n - r->i < *n) {
    r->bad = true;
    return NULL;
  }
  const uint8_t *p = r->p + r->i;
  r->i += *n;
  return p;
}

bool attest_tpm_check(const char *helper, const AttestAk *aks, size_t naks, const uint8_t *q,
                      size_t nq, const uint8_t digest[32], const uint8_t pcr[32], size_t *which,
                      char *err, size_t errlen) {
  Rd r = {q, nq, 0, false};
  size_t natt = (size_t)rd(&r, 4);
  if (r.bad || nq - r.i < natt) goto malformed;
  const uint8_t *att = q + r.i;
  r.i += natt;
  size_t nsig = (size_t)rd(&r, 4);
  /* a TPMS_ATTEST and a TPMT_SIGNATURE are at most a few hundred bytes */
  if (r.bad || nq - r.i != nsig || natt > 4096 || nsig > 4096) goto malformed;
  if (naks == 0) {
    snprintf(err, errlen, "the quote is not signed by any registered TPM attestation key "
                          "(the policy registers none)");
    return false;
  }
  long k = quote_signer(helper, aks, naks, q, nq, err, errlen);
  if (k < 0) return false;
  *which = (size_t)k;
  Rd a = {att, natt, 0, false};
  uint32_t magic = (uint32_t)rd(&a, 4);
  uint16_t type = (uint16_t)rd(&a, 2);
  size_t n;
  rd2b(&a, &n);                                 /* qualifiedSigner */
  const uint8_t *extra = rd2b(&a, &n);          /* extraData */
  if (a.bad || magic != TPM_GENERATED_VALUE || type != TPM_ST_ATTEST_QUOTE) {
    snprintf(err, errlen, "the signed TPM structure is not a quote");
    return false;
  }
  if (n != 32 || sodium_memcmp(extra, digest, 32) != 0) {
    snprintf(err, errlen,
             "the quote's qualifying data is not this evidence's digest "
             "(evidence modified in transit, or a quote made for other evidence)");
    return false;
  }
  rd(&a, 8); rd(&a, 4); rd(&a, 4); rd(&a, 1);   /* clockInfo */
  rd(&a, 8);                                    /* firmwareVersion */
  uint32_t count = (uint32_t)rd(&a, 4);
  if (a.bad || count != 1) goto selection;
  uint16_t hash = (uint16_t)rd(&a, 2);
  uint8_t nsel = (uint8_t)rd(&a, 1);
  if (a.bad || hash != TPM_ALG_SHA256 || nsel < 3 || nsel > 8) goto selection;
  for (uint8_t i = 0; i < nsel; i++) {
    uint8_t bits = (uint8_t)rd(&a, 1);
    uint8_t want = i == ATTEST_PCR / 8 ? (uint8_t)(1u << (ATTEST_PCR % 8)) : 0;
    if (bits != want) goto selection;
  }
  const uint8_t *pd = rd2b(&a, &n);
  if (a.bad || n != 32 || a.i != a.n) goto malformed;
  uint8_t expect[32];
  crypto_hash_sha256(expect, pcr, 32);
  if (sodium_memcmp(pd, expect, 32) != 0) {
    snprintf(err, errlen,
             "PCR %d does not match the event log: the TPM measured something the log does "
             "not show (PCR extended with an unexpected value)",
             ATTEST_PCR);
    return false;
  }
  return true;
selection:
  snprintf(err, errlen, "the quote must cover exactly PCR %d of the SHA-256 bank", ATTEST_PCR);
  return false;
malformed:
  snprintf(err, errlen, "the TPM quote is malformed");
  return false;
}
