/*
** sign.c: making and checking module signatures (layout in sign.h, the
** whole story in docs/signing.md).
**
** Where signatures are found:
**   - a Wasm module ("\0asm", version 1): any custom section named
**     "cairn.signature", walked by the section framing only (id, LEB128
**     size); the module itself is validated by the engine afterwards;
**   - a .cwasm: records of the same 116 bytes after the code, where the
**     header's sizes (offsets 248, 256, 20 and, from format 3, 264) say it
**     ends (layout in src/engine/aot/cwasm.c). The
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
#include <stdio.h>
#include <string.h>

#include "cairn/cairn.h"
#include "trust/sign.h"

/* .cwasm header bytes (src/engine/aot/cwasm.c): format 3 and later, before */
#define CW_HEADER 304u
#define CW_HEADER_2 296u

#define fail trust_errf

static const uint8_t kPrefix[TRUST_SIG_PREFIX] = {0x00, 0x72, 0x0f, 'c', 'a', 'i', 'r', 'n', '.',
                                                  's',  'i',  'g',  'n', 'a', 't', 'u', 'r', 'e'};

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

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
  bool v3 = len >= 12 && rd32(b + 8) >= 3;
  size_t hdr = v3 ? CW_HEADER : CW_HEADER_2;
  if (len < hdr) return fail(err, errlen, ".cwasm: truncated header (%zu bytes)", len);
  /* the code is the shared object, the inline table (u32 at 20) and, from
  ** format 3, the module facts (u32 at 264) */
  uint64_t nWasm = rd64(b + 248), nObj = rd64(b + 256);
  if (nObj <= len) nObj += rd32(b + 20);
  if (nObj <= len && v3) nObj += rd32(b + 264);
  if (nWasm > len - hdr || nObj > len - hdr - nWasm)
    return fail(err, errlen, ".cwasm: truncated: its header names %llu + %llu bytes of "
                "module and code, the file has %zu after the header",
                (unsigned long long)nWasm, (unsigned long long)nObj, len - hdr);
  size_t pos = hdr + (size_t)nWasm + (size_t)nObj;
  while (pos < len) {
    size_t n = len - pos;
    if (n < TRUST_SIG_PREFIX || memcmp(b + pos, kPrefix, TRUST_SIG_PREFIX) != 0) {
      if (w->nSig) break;   /* unsigned bytes after the last signature */
      return fail(err, errlen,
                  ".cwasm: %zu bytes after the code at offset %zu are not a signature", n, pos);
    }
    if (check_record(w, pos, n < TRUST_SIG_RECORD ? n : TRUST_SIG_RECORD, err, errlen) != 0)
      return -1;
    pos += TRUST_SIG_RECORD;
  }
  return 0;
}

/* Checks every signature in w->b[0..w->len); w->st is left holding the
** prehash of the domain and w->b[0..w->pos) (the caller wipes it).
** Unsigned bytes after the last signature are an error unless
** allowTrailing (signing: the new signature covers them). */
static int walk_run(Walk *w, bool allowTrailing, char *err, size_t errlen) {
  if (sodium_init() < 0) return fail(err, errlen, "libsodium failed to initialise");
  crypto_sign_init(&w->st);
  crypto_sign_update(&w->st, (const uint8_t *)TRUST_SIG_DOMAIN, sizeof TRUST_SIG_DOMAIN);
  int rc;
  if (cairn_is_cwasm(w->b, w->len))
    rc = walk_cwasm(w, err, errlen);
  else if (w->len >= 4 && memcmp(w->b, "\0asm", 4) == 0)
    rc = walk_wasm(w, err, errlen);
  else
    rc = fail(err, errlen, "not a Wasm module or .cwasm (offset 0)");
  if (rc == 0 && !allowTrailing && w->nSig && w->lastEnd != w->len)
    rc = fail(err, errlen, "%zu unsigned bytes follow the last signature (offset %zu)",
              w->len - w->lastEnd, w->lastEnd);
  return rc;
}

static int walk(const uint8_t *b, size_t len, SignerFn xSigner, void *ctx, char *err,
                size_t errlen) {
  Walk w = {.b = b, .len = len, .xSigner = xSigner, .ctx = ctx};
  int rc = walk_run(&w, false, err, errlen);
  sodium_memzero(&w.st, sizeof w.st);
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
  /* one pass: the earlier signatures are checked on the way */
  Walk w = {.b = bytes, .len = len};
  if (walk_run(&w, true, err, errlen) != 0) {
    sodium_memzero(&w.st, sizeof w.st);
    return -1;
  }
  crypto_sign_update(&w.st, bytes + w.pos, len - w.pos);
  memcpy(out, kPrefix, TRUST_SIG_PREFIX);
  out[18] = TRUST_SIG_VERSION;
  out[19] = TRUST_SIG_ALG_ED25519PH;
  memcpy(out + 20, sk + 32, 32);   /* libsodium's secret key ends with the public key */
  int rc = crypto_sign_final_create(&w.st, out + 52, NULL, sk);
  sodium_memzero(&w.st, sizeof w.st);
  return rc == 0 ? 0 : fail(err, errlen, "signing failed (libsodium)");
}

typedef struct Require {
  const uint8_t (*keys)[32];
  size_t nKeys, nSig, nMatch, nOther;
  uint8_t firstOther[32];
  Collect signers;
} Require;

static void require_one(void *ctx, const uint8_t pub[32]) {
  Require *q = ctx;
  collect(&q->signers, pub);
  bool known = false;
  for (size_t i = 0; i < q->nKeys && !known; i++) known = sodium_memcmp(q->keys[i], pub, 32) == 0;
  if (known)
    q->nMatch++;
  else if (q->nOther++ == 0)
    memcpy(q->firstOther, pub, 32);
  q->nSig++;
}

int trust_require(const uint8_t *bytes, size_t len, const uint8_t (*keys)[32], size_t nkeys,
                  uint8_t (*signers)[32], size_t max, size_t *nsigners, char *err,
                  size_t errlen) {
  Require q = {.keys = keys, .nKeys = nkeys, .signers = {signers, signers ? max : 0, 0}};
  if (nsigners) *nsigners = 0;
  if (walk(bytes, len, require_one, &q, err, errlen) != 0) return -1;
  if (nsigners) *nsigners = q.signers.n;
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

int trust_check_module(const uint8_t *b, size_t n, const uint8_t (*keys)[32], size_t nkeys,
                       cairn_error *err) {
  char why[sizeof err->msg - 32];
  if (!cairn_is_cwasm(b, n) && !(n >= 4 && memcmp(b, "\0asm", 4) == 0))
    snprintf(why, sizeof why, "not a Wasm binary or .cwasm (a text module cannot be signed)");
  else if (trust_require(b, n, keys, nkeys, NULL, 0, NULL, why, sizeof why) == 0)
    return 0;
  err->kind = CAIRN_ERR_INVALID;
  err->offset = -1;
  snprintf(err->msg, sizeof err->msg, "signature required: %s", why);
  return -1;
}

cairn_module *trust_module_from_bytes(const uint8_t *b, size_t n, bool aot,
                                      const cairn_compile_options *o, const char *cacheDir,
                                      bool *hit, cairn_error *err) {
  if (hit) *hit = false;
  if (cairn_is_cwasm(b, n)) {
    cairn_module *m = cairn_module_from_cwasm(b, n, err);
    if (m && hit) *hit = true;
    return m;
  }
  bool binary = n >= 4 && memcmp(b, "\0asm", 4) == 0;
  if (!aot)
    return binary ? cairn_module_new(b, n, err) : cairn_module_from_text((const char *)b, n, err);
  if (binary) return cairn_module_compile_cached(b, n, o, cacheDir, hit, err);
  uint8_t *wasm;
  size_t nWasm;
  if (!cairn_wat_to_wasm((const char *)b, n, &wasm, &nWasm, err)) return NULL;
  cairn_module *m = cairn_module_compile_cached(wasm, nWasm, o, cacheDir, hit, err);
  cairn_free(wasm);
  return m;
}

cairn_module *trust_load_module(const char *path, const uint8_t (*keys)[32], size_t nkeys,
                                bool aot, const cairn_compile_options *o, const char *cacheDir,
                                bool *refused, cairn_error *err) {
  bool dummy;
  if (!refused) refused = &dummy;
  *refused = false;
  memset(err, 0, sizeof *err);
  uint8_t *b;
  size_t n;
  if (!cairn_read_file(path, &b, &n, err)) return NULL;
  cairn_module *m = NULL;
  if (trust_check_module(b, n, keys, nkeys, err) != 0)
    *refused = true;
  else
    m = trust_module_from_bytes(b, n, aot, o, cacheDir, NULL, err);
  cairn_free(b);
  return m;
}
