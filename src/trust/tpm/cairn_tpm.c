/*
** cairn_tpm.c: cairn-tpm, the helper through which the attester drives a
** TPM 2.0 with tpm2-tss's ESAPI (src/trust/attest_tpm.c runs it).
** A separate program because tpm2-tss ships only shared libraries (and
** loads its TCTI modules with dlopen), while `cairn` is linked statically.
**   cairn-tpm --tcti TCTI reset PCR
**   cairn-tpm --tcti TCTI extend PCR HEX32          (SHA-256 bank)
**   cairn-tpm --tcti TCTI quote AK_HANDLE PCR HEX32 (qualifying data)
** quote prints, in hex on one line, [u32 n][TPMS_ATTEST][u32 n]
** [TPMT_SIGNATURE] (big-endian lengths, TPM marshalling). Errors go to
** stderr with exit status 1 (2 for usage).
*/
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

static int usage(void) {
  fprintf(stderr,
          "usage: cairn-tpm --tcti TCTI reset PCR\n"
          "       cairn-tpm --tcti TCTI extend PCR HEX32\n"
          "       cairn-tpm --tcti TCTI quote AK_HANDLE PCR HEX32\n");
  return 2;
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
