/*
** sign.c: making and checking module signatures (layout in sign.h, the
** whole story in docs/signing.md).
**
** Where signatures are found:
**   - a Wasm module ("\0asm", version 1): any custom section named
**     "cairn.signature", walked by the section framing only (id, LEB128
**     size); the module itself is validated by the engine afterwards;
**   - a .cwasm: records of the same 116 bytes after the code, where the
**     header's two sizes (offsets 248 and 256, cairn.h) say it ends. The
**     engine's loader knows this framing too and accepts such records and
**     nothing else after the code; it never checks them (that is trust's
**     work, here).
** Each signature covers every byte before its record, earlier signatures
** included; bytes after the last signature are refused. All signatures are
** checked in one pass: the SHA-512 prehash state of Ed25519ph is copied at
** each record and finished there, so a file is read once however many
** signatures it carries.
*/
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cairn/cairn.h"
#include "trust/sign.h"

#define CW_HEADER 296u   /* .cwasm header bytes (src/engine/aot/cwasm.c, cairn.h) */

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...) {
  if (err && errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return -1;
}

static const uint8_t kPrefix[TRUST_SIG_PREFIX] = {0x00, 0x72, 0x0f, 'c', 'a', 'i', 'r', 'n', '.',
                                                  's',  'i',  'g',  'n', 'a', 't', 'u', 'r', 'e'};

static uint64_t rd64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

/* Reads an unsigned LEB128 of at most 5 bytes (u32) at b[*pos..end). */
static bool leb_u32(const uint8_t *b, size_t end, size_t *pos, uint32_t *out) {
  uint64_t v = 0;
  for (int i = 0; i < 5; i++) {
    if (*pos >= end) return false;
    uint8_t c = b[(*pos)++];
    v |= (uint64_t)(c & 0x7f) << (7 * i);
    if (!(c & 0x80)) {
      if (v > UINT32_MAX) return false;
      *out = (uint32_t)v;
      return true;
    }
  }
  return false;
}

typedef void (*SignerFn)(void *ctx, const uint8_t pub[32]);

typedef struct Walk {
  const uint8_t *b;
  size_t len;
  crypto_sign_state st;  /* prehash of the domain and b[0..pos) */
  size_t pos;
  size_t nSig;
  size_t lastEnd;        /* end of the last signature record */
  SignerFn xSigner;
  void *ctx;
} Walk;

/* Checks the record at b[off..off+n) (n: the whole section's bytes). */
static int check_record(Walk *w, size_t off, size_t n, char *err, size_t errlen) {
  const uint8_t *r = w->b + off;
  if (n != TRUST_SIG_RECORD || memcmp(r, kPrefix, TRUST_SIG_PREFIX) != 0)
    return fail(err, errlen,
                "malformed signature section at offset %zu: %zu bytes, not the %u-byte "
                "form cairn writes", off, n, TRUST_SIG_RECORD);
  if (r[18] != TRUST_SIG_VERSION)
    return fail(err, errlen, "signature at offset %zu: unknown format version %u (offset %zu)",
                off, r[18], off + 18);
  if (r[19] != TRUST_SIG_ALG_ED25519PH)
    return fail(err, errlen, "signature at offset %zu: unknown algorithm %u (offset %zu)", off,
                r[19], off + 19);
  crypto_sign_update(&w->st, w->b + w->pos, off - w->pos);
  w->pos = off;
  crypto_sign_state fin = w->st;   /* the prehash so far, finished for this one */
  int ok = crypto_sign_final_verify(&fin, r + 52, r + 20);
  sodium_memzero(&fin, sizeof fin);
  if (ok != 0) {
    char key[TRUST_KEY_TEXT];
    trust_key_text(r + 20, key);
    return fail(err, errlen,
                "signature %zu at offset %zu (by %s) does not match the %zu bytes before it: "
                "the file was altered after it was signed", w->nSig + 1, off, key, off);
  }
  w->nSig++;
  w->lastEnd = off + n;
  if (w->xSigner) w->xSigner(w->ctx, r + 20);
  return 0;
}

static int walk_wasm(Walk *w, char *err, size_t errlen) {
  const uint8_t *b = w->b;
  size_t len = w->len, pos = 8;
  if (len < 8 || memcmp(b + 4, "\1\0\0\0", 4) != 0)
    return fail(err, errlen, "not a Wasm module of version 1 (offset 4)");
  while (pos < len) {
    size_t start = pos;
    uint8_t id = b[pos++];
    uint32_t size;
    if (!leb_u32(b, len, &pos, &size))
      return fail(err, errlen, "section at offset %zu: bad or truncated size (offset %zu)",
                  start, start + 1);
    if (size > len - pos)
      return fail(err, errlen,
                  "section at offset %zu runs past the end of the file (%u bytes, %zu left)",
                  start, size, len - pos);
    size_t end = pos + size;
    if (id == 0) {
      size_t p = pos;
      uint32_t nName;
      if (leb_u32(b, end, &p, &nName) && nName <= end - p && nName == strlen(TRUST_SIG_SECTION) &&
          memcmp(b + p, TRUST_SIG_SECTION, nName) == 0 &&
          check_record(w, start, end - start, err, errlen) != 0)
        return -1;
    }
    pos = end;
  }
  return 0;
}

static int walk_cwasm(Walk *w, char *err, size_t errlen) {
  const uint8_t *b = w->b;
  size_t len = w->len;
  if (len < CW_HEADER) return fail(err, errlen, ".cwasm: truncated header (%zu bytes)", len);
  uint64_t nWasm = rd64(b + 248), nObj = rd64(b + 256);
  if (nWasm > len - CW_HEADER || nObj > len - CW_HEADER - nWasm)
    return fail(err, errlen, ".cwasm: truncated: its header names %llu + %llu bytes of "
                "module and code, the file has %zu after the header",
                (unsigned long long)nWasm, (unsigned long long)nObj, len - CW_HEADER);
  size_t pos = CW_HEADER + (size_t)nWasm + (size_t)nObj;
  while (pos < len) {
    size_t n = len - pos;
    if (n < TRUST_SIG_PREFIX || memcmp(b + pos, kPrefix, TRUST_SIG_PREFIX) != 0) {
      if (w->nSig) break;   /* reported as unsigned bytes below */
      return fail(err, errlen,
                  ".cwasm: %zu bytes after the code at offset %zu are not a signature", n, pos);
    }
    if (check_record(w, pos, n < TRUST_SIG_RECORD ? n : TRUST_SIG_RECORD, err, errlen) != 0)
      return -1;
    pos += TRUST_SIG_RECORD;
  }
  return 0;
}

static int walk(const uint8_t *b, size_t len, SignerFn xSigner, void *ctx, char *err,
                size_t errlen) {
  if (sodium_init() < 0) return fail(err, errlen, "libsodium failed to initialise");
  Walk w = {.b = b, .len = len, .xSigner = xSigner, .ctx = ctx};
  crypto_sign_init(&w.st);
  crypto_sign_update(&w.st, (const uint8_t *)TRUST_SIG_DOMAIN, sizeof TRUST_SIG_DOMAIN);
  int rc;
  if (cairn_is_cwasm(b, len))
    rc = walk_cwasm(&w, err, errlen);
  else if (len >= 4 && memcmp(b, "\0asm", 4) == 0)
    rc = walk_wasm(&w, err, errlen);
  else
    rc = fail(err, errlen, "not a Wasm module or .cwasm (offset 0)");
  sodium_memzero(&w.st, sizeof w.st);
  if (rc == 0 && w.nSig && w.lastEnd != len)
    rc = fail(err, errlen, "%zu unsigned bytes follow the last signature (offset %zu)",
              len - w.lastEnd, w.lastEnd);
  return rc;
}

typedef struct Collect {
  uint8_t (*a)[32];
  size_t max, n;
} Collect;

static void collect(void *ctx, const uint8_t pub[32]) {
  Collect *c = ctx;
  if (c->n < c->max) memcpy(c->a[c->n++], pub, 32);
}

int trust_signers(const uint8_t *bytes, size_t len, uint8_t (*signers)[32], size_t max,
                  size_t *nsigners, char *err, size_t errlen) {
  Collect c = {signers, max, 0};
  *nsigners = 0;
  if (walk(bytes, len, collect, &c, err, errlen) != 0) return -1;
  *nsigners = c.n;
  return 0;
}

int trust_sign(const uint8_t *bytes, size_t len, const uint8_t sk[64],
               uint8_t out[TRUST_SIG_RECORD], char *err, size_t errlen) {
  if (sodium_init() < 0) return fail(err, errlen, "libsodium failed to initialise");
  crypto_sign_state st;
  crypto_sign_init(&st);
  crypto_sign_update(&st, (const uint8_t *)TRUST_SIG_DOMAIN, sizeof TRUST_SIG_DOMAIN);
  crypto_sign_update(&st, bytes, len);
  memcpy(out, kPrefix, TRUST_SIG_PREFIX);
  out[18] = TRUST_SIG_VERSION;
  out[19] = TRUST_SIG_ALG_ED25519PH;
  memcpy(out + 20, sk + 32, 32);   /* libsodium's secret key ends with the public key */
  int rc = crypto_sign_final_create(&st, out + 52, NULL, sk);
  sodium_memzero(&st, sizeof st);
  return rc == 0 ? 0 : fail(err, errlen, "signing failed (libsodium)");
}

typedef struct Require {
  const uint8_t (*keys)[32];
  size_t nKeys, nSig, nMatch, nOther;
  uint8_t firstOther[32];
} Require;

static void require_one(void *ctx, const uint8_t pub[32]) {
  Require *q = ctx;
  bool known = false;
  for (size_t i = 0; i < q->nKeys && !known; i++) known = sodium_memcmp(q->keys[i], pub, 32) == 0;
  if (known)
    q->nMatch++;
  else if (q->nOther++ == 0)
    memcpy(q->firstOther, pub, 32);
  q->nSig++;
}

int trust_require(const uint8_t *bytes, size_t len, const uint8_t (*keys)[32], size_t nkeys,
                  char *err, size_t errlen) {
  Require q = {.keys = keys, .nKeys = nkeys};
  if (walk(bytes, len, require_one, &q, err, errlen) != 0) return -1;
  if (q.nSig == 0)
    return fail(err, errlen, "unsigned: the module has no %s section", TRUST_SIG_SECTION);
  if (q.nMatch == 0) {
    char key[TRUST_KEY_TEXT];
    trust_key_text(q.firstOther, key);
    return fail(err, errlen, "signed only by unknown keys (%zu signature%s, the first by %s)",
                q.nSig, q.nSig == 1 ? "" : "s", key);
  }
  return 0;
}
