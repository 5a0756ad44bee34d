/*
** backend_soft.c: the development evidence signer: an Ed25519 device key
** in a file (`cairn keygen`'s format). No measurement register: the event
** log is covered by the signature over the evidence digest instead. Anyone
** who can read the key file can forge evidence, so the verifier marks every
** result from it "insecure" (docs/trust.md).
*/
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust/attest.h"

typedef struct SoftBackend {
  AttestBackend base;
  uint8_t *sk;              /* sodium_malloc'd, 64 bytes */
} SoftBackend;

static bool soft_reset(AttestBackend *b, char *err, size_t errlen) { return true; }
static bool soft_extend(AttestBackend *b, const uint8_t v[32], char *err, size_t errlen) {
  return true;
}

static bool soft_quote(AttestBackend *b, const uint8_t digest[32], uint8_t **sig, size_t *nsig,
                       char *err, size_t errlen) {
  SoftBackend *s = (SoftBackend *)b;
  uint8_t *out = malloc(crypto_sign_BYTES);
  if (!out) {
    snprintf(err, errlen, "out of memory");
    return false;
  }
  crypto_sign_detached(out, NULL, digest, 32, s->sk);
  *sig = out;
  *nsig = crypto_sign_BYTES;
  return true;
}

static char *soft_describe(AttestBackend *b) {
  SoftBackend *s = (SoftBackend *)b;
  char *hex = malloc(65);
  if (hex) attest_hex(s->sk + 32, 32, hex);   /* the public half */
  return hex;
}

static void soft_free(AttestBackend *b) {
  SoftBackend *s = (SoftBackend *)b;
  if (!s) return;
  if (s->sk) sodium_free(s->sk);
  free(s);
}

AttestBackend *attest_backend_soft(const char *keyfile, char *err, size_t errlen) {
  SoftBackend *s = calloc(1, sizeof *s);
  if (!s || sodium_init() < 0 || !(s->sk = sodium_malloc(64))) {
    snprintf(err, errlen, "out of memory");
    free(s);
    return NULL;
  }
  s->base = (AttestBackend){.kind = "ed25519", .reset = soft_reset, .extend = soft_extend,
                            .quote = soft_quote, .describe = soft_describe, .free = soft_free};
  if (!attest_seckey_load(keyfile, s->sk, err, errlen)) {
    soft_free(&s->base);
    return NULL;
  }
  return &s->base;
}
