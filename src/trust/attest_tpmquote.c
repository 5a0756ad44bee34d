/*
** tpmquote.c: checking a TPM 2.0 quote on the verifier (attest.h): the
** AK's signature over TPMS_ATTEST (ECDSA or RSASSA with SHA-256, checked by
** OpenSSL's libcrypto, the library tpm2-tss itself uses), then the
** structure (TPM 2.0 Part 2: TPMS_ATTEST, TPMS_QUOTE_INFO): magic, type,
** qualifying data, PCR selection and PCR digest. Parsing is bounds-checked
** big-endian reads; no cryptography here.
*/
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
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

void *attest_tpm_key_load(const char *pem_path, char *err, size_t errlen) {
  uint8_t *b = NULL;
  size_t n = 0;
  if (!attest_read_file(pem_path, 16384, &b, &n, err, errlen)) return NULL;
  BIO *bio = BIO_new_mem_buf(b, (int)n);
  EVP_PKEY *k = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
  BIO_free(bio);
  free(b);
  if (!k) {
    snprintf(err, errlen, "%s: not a PEM public key (tpm2_createak -f pem -u FILE)", pem_path);
    return NULL;
  }
  int id = EVP_PKEY_get_base_id(k);
  if (id != EVP_PKEY_EC && id != EVP_PKEY_RSA) {
    snprintf(err, errlen, "%s: an attestation key must be ECC or RSA", pem_path);
    EVP_PKEY_free(k);
    return NULL;
  }
  return k;
}

void attest_tpm_key_free(void *key) { EVP_PKEY_free(key); }

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

/* The signature as OpenSSL checks it (DER ECDSA-Sig-Value, or RSA bytes). */
static bool sig_der(const uint8_t *s, size_t ns, int keytype, uint8_t **der, size_t *nder) {
  Rd r = {s, ns, 0, false};
  uint16_t alg = (uint16_t)rd(&r, 2), hash = (uint16_t)rd(&r, 2);
  if (r.bad || hash != TPM_ALG_SHA256) return false;
  if (alg == TPM_ALG_ECDSA && keytype == EVP_PKEY_EC) {
    size_t nr, nsig;
    const uint8_t *pr = rd2b(&r, &nr), *ps = rd2b(&r, &nsig);
    if (r.bad || r.i != r.n) return false;
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *br = BN_bin2bn(pr, (int)nr, NULL), *bs = BN_bin2bn(ps, (int)nsig, NULL);
    if (!es || !br || !bs || !ECDSA_SIG_set0(es, br, bs)) {
      BN_free(br);
      BN_free(bs);
      ECDSA_SIG_free(es);
      return false;
    }
    uint8_t *out = NULL;
    int len = i2d_ECDSA_SIG(es, &out);
    ECDSA_SIG_free(es);
    if (len <= 0) return false;
    *der = out;
    *nder = (size_t)len;
    return true;
  }
  if (alg == TPM_ALG_RSASSA && keytype == EVP_PKEY_RSA) {
    size_t nsig;
    const uint8_t *ps = rd2b(&r, &nsig);
    if (r.bad || r.i != r.n) return false;
    uint8_t *out = OPENSSL_malloc(nsig ? nsig : 1);
    if (!out) return false;
    memcpy(out, ps, nsig);
    *der = out;
    *nder = nsig;
    return true;
  }
  return false;
}

static bool verify_with(EVP_PKEY *k, const uint8_t *att, size_t natt, const uint8_t *sig,
                        size_t nsig) {
  uint8_t *der = NULL;
  size_t nder = 0;
  if (!sig_der(sig, nsig, EVP_PKEY_get_base_id(k), &der, &nder)) return false;
  EVP_MD_CTX *c = EVP_MD_CTX_new();
  bool ok = c && EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, k) == 1 &&
            EVP_DigestVerify(c, der, nder, att, natt) == 1;
  EVP_MD_CTX_free(c);
  OPENSSL_free(der);
  return ok;
}

bool attest_tpm_check(void *const *keys, size_t nkeys, const uint8_t *q, size_t nq,
                      const uint8_t digest[32], const uint8_t pcr[32], size_t *which, char *err,
                      size_t errlen) {
  Rd r = {q, nq, 0, false};
  size_t natt = (size_t)rd(&r, 4);
  if (r.bad || nq - r.i < natt) goto malformed;
  const uint8_t *att = q + r.i;
  r.i += natt;
  size_t nsig = (size_t)rd(&r, 4);
  if (r.bad || nq - r.i != nsig) goto malformed;
  const uint8_t *sig = q + r.i;
  size_t k = 0;
  for (; k < nkeys; k++) {
    if (verify_with(keys[k], att, natt, sig, nsig)) break;
  }
  if (k == nkeys) {
    snprintf(err, errlen,
             "the quote is not signed by any registered TPM attestation key "
             "(an unregistered AK, or a forged quote)");
    return false;
  }
  *which = k;
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
