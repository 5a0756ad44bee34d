/*
** cairn_tpm.c: cairn-tpm, the helper through which the attester drives a
** TPM 2.0 with tpm2-tss's ESAPI, and the verifier checks an attestation
** key's signature with OpenSSL's libcrypto (src/trust/attest_tpm.c runs
** it). A separate, dynamically linked program because tpm2-tss ships only
** shared libraries (and loads its TCTI modules with dlopen), while `cairn`
** is linked statically and should not carry libcrypto (about 4 MB) for
** one signature check: tpm2-tss is built on libcrypto anyway.
**   cairn-tpm --tcti TCTI reset PCR
**   cairn-tpm --tcti TCTI extend PCR HEX32          (SHA-256 bank)
**   cairn-tpm --tcti TCTI quote AK_HANDLE PCR HEX32 (qualifying data)
**   cairn-tpm check-key                             (no TPM needed)
**   cairn-tpm verify-sig N                          (no TPM needed)
** quote prints, in hex on one line, [u32 n][TPMS_ATTEST][u32 n]
** [TPMT_SIGNATURE] (big-endian lengths, TPM marshalling).
** check-key reads a PEM public key on stdin and prints "ecc" or "rsa" if
** it can be an attestation key. verify-sig reads on stdin N PEM public
** keys, each as [u32 n][PEM], then a quote blob as quote prints it (in
** binary), and prints the index (0..N-1) of the key whose valid signature
** (ECDSA or RSASSA, SHA-256) over the TPMS_ATTEST it carries; exit status
** 1 if none signed it, 3 if the input is malformed (a bad key or quote).
** Errors go to stderr with exit status 1 (2 for usage).
*/
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

static int usage(void) {
  fprintf(stderr,
          "usage: cairn-tpm --tcti TCTI reset PCR\n"
          "       cairn-tpm --tcti TCTI extend PCR HEX32\n"
          "       cairn-tpm --tcti TCTI quote AK_HANDLE PCR HEX32\n"
          "       cairn-tpm check-key < KEY.pem\n"
          "       cairn-tpm verify-sig N < [u32 n][PEM]*N [u32 n][TPMS_ATTEST][u32 n][TPMT_SIGNATURE]\n");
  return 2;
}

/* ---- offline: the verifier's signature check (libcrypto) ---- */

#define STDIN_MAX (1u << 20)

static int oops(const char *msg) {
  fprintf(stderr, "cairn-tpm: %s\n", msg);
  return 1;
}

/* Reads stdin (at most STDIN_MAX bytes) into a malloc'd buffer. */
static uint8_t *read_stdin(size_t *n) {
  uint8_t *b = malloc(STDIN_MAX + 1);
  *n = 0;
  if (!b) return NULL;
  size_t r;
  while (*n <= STDIN_MAX && (r = fread(b + *n, 1, STDIN_MAX + 1 - *n, stdin)) > 0) *n += r;
  if (*n > STDIN_MAX || ferror(stdin)) {
    free(b);
    return NULL;
  }
  return b;
}

/* A big-endian u32 length and that many bytes at b[*i..n); NULL if short. */
static const uint8_t *take(const uint8_t *b, size_t n, size_t *i, size_t *len) {
  if (n - *i < 4) return NULL;
  *len = (size_t)b[*i] << 24 | (size_t)b[*i + 1] << 16 | (size_t)b[*i + 2] << 8 | b[*i + 3];
  *i += 4;
  if (n - *i < *len) return NULL;
  const uint8_t *p = b + *i;
  *i += *len;
  return p;
}

/* A PEM public key usable as an attestation key (ECC or RSA), or NULL and
** why. */
static EVP_PKEY *pem_key(const uint8_t *pem, size_t n, const char **why) {
  BIO *bio = n <= 65536 ? BIO_new_mem_buf(pem, (int)n) : NULL;
  EVP_PKEY *k = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
  BIO_free(bio);
  if (!k) {
    *why = "not a PEM public key (tpm2_createak -f pem -u FILE)";
    return NULL;
  }
  int id = EVP_PKEY_get_base_id(k);
  if (id != EVP_PKEY_EC && id != EVP_PKEY_RSA) {
    *why = "an attestation key must be ECC or RSA";
    EVP_PKEY_free(k);
    return NULL;
  }
  return k;
}

/* The TPMT_SIGNATURE as libcrypto checks it: a DER ECDSA-Sig-Value, or the
** RSASSA bytes; only SHA-256 signatures of the key's type. */
static bool sig_der(const TPMT_SIGNATURE *s, int keytype, uint8_t **der, size_t *nder) {
  if (s->sigAlg == TPM2_ALG_ECDSA && keytype == EVP_PKEY_EC &&
      s->signature.ecdsa.hash == TPM2_ALG_SHA256) {
    const TPMS_SIGNATURE_ECDSA *e = &s->signature.ecdsa;
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(e->signatureR.buffer, e->signatureR.size, NULL);
    BIGNUM *sv = BN_bin2bn(e->signatureS.buffer, e->signatureS.size, NULL);
    if (!es || !r || !sv || !ECDSA_SIG_set0(es, r, sv)) {
      BN_free(r);
      BN_free(sv);
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
  if (s->sigAlg == TPM2_ALG_RSASSA && keytype == EVP_PKEY_RSA &&
      s->signature.rsassa.hash == TPM2_ALG_SHA256) {
    const TPM2B_PUBLIC_KEY_RSA *r = &s->signature.rsassa.sig;
    uint8_t *out = OPENSSL_malloc(r->size ? r->size : 1);
    if (!out) return false;
    memcpy(out, r->buffer, r->size);
    *der = out;
    *nder = r->size;
    return true;
  }
  return false;
}

static bool verify_with(EVP_PKEY *k, const uint8_t *msg, size_t nmsg, const TPMT_SIGNATURE *s) {
  uint8_t *der = NULL;
  size_t nder = 0;
  if (!sig_der(s, EVP_PKEY_get_base_id(k), &der, &nder)) return false;
  EVP_MD_CTX *c = EVP_MD_CTX_new();
  bool ok = c && EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, k) == 1 &&
            EVP_DigestVerify(c, der, nder, msg, nmsg) == 1;
  EVP_MD_CTX_free(c);
  OPENSSL_free(der);
  return ok;
}

static int check_key(void) {
  size_t n;
  uint8_t *b = read_stdin(&n);
  if (!b) return oops("cannot read the key on stdin (at most 1 MiB)");
  const char *why = NULL;
  EVP_PKEY *k = pem_key(b, n, &why);
  free(b);
  if (!k) return oops(why);
  printf("%s\n", EVP_PKEY_get_base_id(k) == EVP_PKEY_EC ? "ecc" : "rsa");
  EVP_PKEY_free(k);
  return 0;
}

static int verify_sig(const char *zN) {
  char *end;
  unsigned long nk = strtoul(zN, &end, 10);
  if (*end || nk < 1 || nk > 1024) return usage();
  size_t n, i = 0, len;
  uint8_t *b = read_stdin(&n);
  if (!b) {
    oops("cannot read stdin (at most 1 MiB)");
    return 3;   /* malformed input */
  }
  EVP_PKEY **keys = calloc(nk, sizeof *keys);
  int status = 3;   /* malformed input, until the signature is checked */
  const char *why = "out of memory";
  if (!keys) goto done;
  for (size_t k = 0; k < nk; k++) {
    const uint8_t *pem = take(b, n, &i, &len);
    if (!pem) {
      why = "truncated input (keys)";
      goto done;
    }
    if (!(keys[k] = pem_key(pem, len, &why))) {
      fprintf(stderr, "cairn-tpm: key %zu: %s\n", k, why);
      goto freekeys;
    }
  }
  size_t nmsg, nsig, off = 0;
  const uint8_t *msg = take(b, n, &i, &nmsg), *sig = take(b, n, &i, &nsig);
  TPMT_SIGNATURE s;
  memset(&s, 0, sizeof s);
  if (!msg || !sig || i != n ||
      Tss2_MU_TPMT_SIGNATURE_Unmarshal(sig, nsig, &off, &s) != TSS2_RC_SUCCESS || off != nsig) {
    why = "malformed quote (TPMS_ATTEST and TPMT_SIGNATURE)";
    goto done;
  }
  for (size_t k = 0; k < nk; k++) {
    if (verify_with(keys[k], msg, nmsg, &s)) {
      printf("%zu\n", k);
      status = 0;
      goto freekeys;
    }
  }
  why = "the signature is by none of the keys";
  status = 1;
done:
  fprintf(stderr, "cairn-tpm: %s\n", why);
freekeys:
  for (size_t k = 0; keys && k < nk; k++) EVP_PKEY_free(keys[k]);
  free(keys);
  free(b);
  return status;
}

static int fail(const char *what, TSS2_RC rc) {
  fprintf(stderr, "cairn-tpm: %s: %s\n", what, Tss2_RC_Decode(rc));
  return 1;
}

static int unhex32(const char *z, uint8_t out[32]) {
  if (strlen(z) != 64) return -1;
  for (int i = 0; i < 32; i++) {
    unsigned v;
    if (sscanf(z + 2 * i, "%2x", &v) != 1) return -1;
    out[i] = (uint8_t)v;
  }
  return 0;
}

static void put32(uint32_t v) { printf("%08x", v); }
static void puthex(const uint8_t *b, size_t n) {
  for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "check-key") == 0) return check_key();
  if (argc == 3 && strcmp(argv[1], "verify-sig") == 0) return verify_sig(argv[2]);
  if (argc < 5 || strcmp(argv[1], "--tcti") != 0) return usage();
  /* tpm2-tss logs warnings on stderr; the caller shows our first line */
  setenv("TSS2_LOG", "all+NONE", 0);
  const char *tcti = argv[2], *cmd = argv[3];
  int pcr = atoi(argv[4]);   /* quote: the handle here (0x...: 0); its PCR below */
  if (pcr < 0 || pcr > 23) return usage();
  TSS2_TCTI_CONTEXT *tctx = NULL;
  ESYS_CONTEXT *ectx = NULL;
  TSS2_RC rc = Tss2_TctiLdr_Initialize(tcti, &tctx);
  if (rc != TSS2_RC_SUCCESS) return fail("cannot open the TPM (TCTI)", rc);
  rc = Esys_Initialize(&ectx, tctx, NULL);
  if (rc != TSS2_RC_SUCCESS) {
    Tss2_TctiLdr_Finalize(&tctx);
    return fail("Esys_Initialize", rc);
  }
  int status = 0;
  ESYS_TR pcrTr = ESYS_TR_PCR0 + (ESYS_TR)pcr;
  if (strcmp(cmd, "reset") == 0 && argc == 5) {
    rc = Esys_PCR_Reset(ectx, pcrTr, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE);
    if (rc != TSS2_RC_SUCCESS) status = fail("PCR_Reset", rc);
  } else if (strcmp(cmd, "extend") == 0 && argc == 6) {
    TPML_DIGEST_VALUES v;
    memset(&v, 0, sizeof v);
    v.count = 1;
    v.digests[0].hashAlg = TPM2_ALG_SHA256;
    if (unhex32(argv[5], v.digests[0].digest.sha256) != 0) {
      status = usage();
    } else {
      rc = Esys_PCR_Extend(ectx, pcrTr, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &v);
      if (rc != TSS2_RC_SUCCESS) status = fail("PCR_Extend", rc);
    }
  } else if (strcmp(cmd, "quote") == 0 && argc == 7) {
    uint32_t handle = (uint32_t)strtoul(argv[4], NULL, 0);
    pcr = atoi(argv[5]);
    TPM2B_DATA q;
    memset(&q, 0, sizeof q);
    q.size = 32;
    ESYS_TR ak = ESYS_TR_NONE;
    TPM2B_ATTEST *att = NULL;
    TPMT_SIGNATURE *sig = NULL;
    TPMT_SIG_SCHEME scheme = {.scheme = TPM2_ALG_NULL};
    TPML_PCR_SELECTION sel;
    memset(&sel, 0, sizeof sel);
    sel.count = 1;
    sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
    sel.pcrSelections[0].sizeofSelect = 3;
    sel.pcrSelections[0].pcrSelect[pcr / 8] = (uint8_t)(1u << (pcr % 8));
    if (pcr < 0 || pcr > 23 || unhex32(argv[6], q.buffer) != 0) {
      status = usage();
    } else if ((rc = Esys_TR_FromTPMPublic(ectx, handle, ESYS_TR_NONE, ESYS_TR_NONE,
                                           ESYS_TR_NONE, &ak)) != TSS2_RC_SUCCESS) {
      status = fail("no attestation key at that handle", rc);
    } else if ((rc = Esys_Quote(ectx, ak, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &q,
                                &scheme, &sel, &att, &sig)) != TSS2_RC_SUCCESS) {
      status = fail("Quote", rc);
    } else {
      uint8_t sb[sizeof(TPMT_SIGNATURE)];
      size_t off = 0;
      rc = Tss2_MU_TPMT_SIGNATURE_Marshal(sig, sb, sizeof sb, &off);
      if (rc != TSS2_RC_SUCCESS) {
        status = fail("marshalling the signature", rc);
      } else {
        put32(att->size);
        puthex(att->attestationData, att->size);
        put32((uint32_t)off);
        puthex(sb, off);
        printf("\n");
      }
    }
    Esys_Free(att);
    Esys_Free(sig);
    if (ak != ESYS_TR_NONE) Esys_TR_Close(ectx, &ak);
  } else {
    status = usage();
  }
  Esys_Finalize(&ectx);
  Tss2_TctiLdr_Finalize(&tctx);
  return status;
}
