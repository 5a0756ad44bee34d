/*
** cwasm.c: the .cwasm container and loading a native module.
**
** Layout (little-endian, fixed offsets):
**     0  magic "\0cwasm\r\n"      8 bytes (a Wasm binary starts "\0asm")
**     8  u32 format version (3)
**    12  u32 native code ABI (CAIRN_AOT_ABI)
**    16  u32 flags (CAIRN_AOT_F_*)
**    20  u32 inline table bytes (inlines.c; 0 without the frame chain)
**    24  target triple, NUL-padded   32 bytes
**    56  compile options as text     128 bytes
**   184  SHA-256 of the Wasm module
**   216  SHA-256 of the shared object, the inline table and the facts
**   248  u64 Wasm module bytes
**   256  u64 shared object bytes
**   264  u32 module facts bytes
**   268  u32 0 (reserved)
**   272  SHA-256 of bytes 0..271
**   304  the Wasm module, then the shared object, the inline table and the
**        module facts; then zero or more signature records, nothing else.
** The module facts are what validation records in the Module besides
** accepting it (module.h), so that a load need not validate again:
**     u32 function count (imports included), u32 bits (1: the module uses
**     SIMD), then one bit per function, LSB first, set when `ref.func` may
**     name it (m->aFuncDeclared); unused bits of the last byte are 0.
** Format 2 (header of 296 bytes, no facts) and 1 are refused as unknown.
** A signature record (docs/signing.md) is 116 bytes framed exactly as a
** Wasm custom section named "cairn.signature" ("\0\x72\x0fcairn.signature"
** and 98 bytes). The engine knows only this framing, so that a signed
** .cwasm loads; whether a signature is valid is the trust service's
** business (src/trust/), never checked here. Any other bytes after the
** code are refused.
** Every check runs before the object is mapped: the header hash, sizes,
** format, ABI, target, both hashes; then the module is decoded (not
** validated: it was when it was compiled, its hash is checked, and the
** code beside it is trusted as native code already, docs/aot.md), its facts
** read back and the descriptor compared with it.
*/
#include <stdio.h>
#include <string.h>

#include "engine/aot/aot_module.h"
#include "engine/runtime/runtime.h"

#define CW_MAGIC "\0cwasm\r\n"
#define CW_FORMAT 3u
#define CW_HEADER 304u
#define CW_HASHED 272u /* bytes covered by the header hash */
#define CW_FACT_SIMD 1u

#if defined(__x86_64__)
#define HOST_TARGET "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define HOST_TARGET "aarch64-linux-gnu"
#elif defined(__riscv) && __riscv_xlen == 64
#define HOST_TARGET "riscv64-linux-gnu"
#elif defined(__arm__) && defined(__ARM_PCS_VFP)
#define HOST_TARGET "arm-linux-gnueabihf"
#else
#define HOST_TARGET "unknown"
#endif

const char *cairn_host_target(void) { return HOST_TARGET; }

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }
static void wr32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void wr64(uint8_t *p, uint64_t v) {
  wr32(p, (uint32_t)v);
  wr32(p + 4, (uint32_t)(v >> 32));
}

bool cairn_is_cwasm(const uint8_t *bytes, size_t len) {
  return bytes && len >= 8 && memcmp(bytes, CW_MAGIC, 8) == 0;
}

/* Builds a .cwasm from its parts (compile.c). Free *out with base_free. */
bool aot_facts_pack(const Module *m, Buf *out) {
  uint8_t w[8];
  wr32(w, m->nFunc);
  wr32(w + 4, m->usesSimd ? CW_FACT_SIMD : 0);
  buf_append(out, w, sizeof w);
  for (uint32_t i = 0; i < m->nFunc; i += 8) {
    uint8_t c = 0;
    for (uint32_t j = i; j < m->nFunc && j < i + 8; j++)
      if (m->aFuncDeclared && m->aFuncDeclared[j]) c |= (uint8_t)(1u << (j - i));
    buf_byte(out, c);
  }
  return !out->oom;
}

/* Reads facts p[0..n) back into the decoded module m; false with *why if
** they are not exactly what aot_facts_pack writes for m, with *why NULL if
** out of memory. */
static bool facts_load(Module *m, const uint8_t *p, size_t n, const char **why) {
  uint64_t nMap = ((uint64_t)m->nFunc + 7) / 8;
  if (n < 8 || n - 8 != nMap) {
    *why = "module facts of the wrong size";
    return false;
  }
  if (rd32(p) != m->nFunc) {
    *why = "module facts of another function count";
    return false;
  }
  if (rd32(p + 4) & ~CW_FACT_SIMD) {
    *why = "module facts with unknown bits";
    return false;
  }
  if (m->nFunc % 8 && p[8 + nMap - 1] >> (m->nFunc % 8)) {
    *why = "module facts name a function past the last";
    return false;
  }
  base_free(m->aFuncDeclared);
  if (!(m->aFuncDeclared = base_calloc(m->nFunc ? m->nFunc : 1, sizeof(bool)))) {
    *why = NULL; /* out of memory */
    return false;
  }
  for (uint32_t i = 0; i < m->nFunc; i++) m->aFuncDeclared[i] = p[8 + i / 8] >> (i % 8) & 1;
  if (rd32(p + 4) & CW_FACT_SIMD) m->usesSimd = true;
  return true;
}

bool aot_cwasm_pack(const uint8_t *wasm, size_t nWasm, const uint8_t *obj, size_t nObj,
                    const uint8_t *inl, size_t nInl, const uint8_t *facts, size_t nFacts,
                    uint32_t flags, const char *target, const char *options, uint8_t **out,
                    size_t *outLen, cairn_error *err) {
  if (nInl > UINT32_MAX || nFacts > UINT32_MAX) {
    base_error(err, CAIRN_ERR_ARG, -1, "inline table or module facts too large");
    return false;
  }
  size_t n = CW_HEADER + nWasm + nObj + nInl + nFacts;
  uint8_t *p = base_malloc(n);
  if (!p) {
    base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory packing the .cwasm");
    return false;
  }
  memset(p, 0, CW_HEADER);
  memcpy(p, CW_MAGIC, 8);
  wr32(p + 8, CW_FORMAT);
  wr32(p + 12, CAIRN_AOT_ABI);
  wr32(p + 16, flags);
  wr32(p + 20, (uint32_t)nInl);
  strncpy((char *)p + 24, target, 31);
  strncpy((char *)p + 56, options, 127);
  aot_sha256(wasm, nWasm, p + 184);
  wr64(p + 248, nWasm);
  wr64(p + 256, nObj);
  wr32(p + 264, (uint32_t)nFacts);
  memcpy(p + CW_HEADER, wasm, nWasm);
  memcpy(p + CW_HEADER + nWasm, obj, nObj);
  if (nInl) memcpy(p + CW_HEADER + nWasm + nObj, inl, nInl);
  if (nFacts) memcpy(p + CW_HEADER + nWasm + nObj + nInl, facts, nFacts);
  aot_sha256(p + CW_HEADER + nWasm, nObj + nInl + nFacts, p + 216);
  aot_sha256(p, CW_HASHED, p + CW_HASHED);
  *out = p;
  *outLen = n;
  return true;
}

/* A signature record's framing (src/trust/sign.h, TRUST_SIG_RECORD). */
#define CW_SIG_RECORD 116u
static const uint8_t kSigFrame[18] = {0x00, 0x72, 0x0f, 'c', 'a', 'i', 'r', 'n', '.',
                                      's',  'i',  'g',  'n', 'a', 't', 'u', 'r', 'e'};

/* Offset of the first byte after the code that is not a signature record's
** framing, or n if all of p[0..n) are such records. */
static size_t cw_trailer_end(const uint8_t *p, size_t n) {
  size_t i = 0;
  while (n - i >= CW_SIG_RECORD && memcmp(p + i, kSigFrame, sizeof kSigFrame) == 0)
    i += CW_SIG_RECORD;
  return i;
}

static bool refuse(cairn_error *err, cairn_errkind kind, long off, const char *what) {
  base_error(err, kind, off, ".cwasm refused: %s", what);
  return false;
}

/* Checks everything in the header and both hashes; fills info. */
static bool cw_check(const uint8_t *b, size_t len, cairn_cwasm_info *info, cairn_error *err) {
  if (!cairn_is_cwasm(b, len)) return refuse(err, CAIRN_ERR_MALFORMED, 0, "not a .cwasm file");
  /* the format first: an older header is shorter and hashed otherwise */
  if (len < 12) return refuse(err, CAIRN_ERR_MALFORMED, (long)len, "truncated header");
  if (rd32(b + 8) != CW_FORMAT) {
    char msg[96];
    snprintf(msg, sizeof msg,
             "unknown container format version %u (this cairn reads %u: recompile it)",
             rd32(b + 8), CW_FORMAT);
    return refuse(err, CAIRN_ERR_MALFORMED, 8, msg);
  }
  if (len < CW_HEADER) return refuse(err, CAIRN_ERR_MALFORMED, (long)len, "truncated header");
  uint8_t h[32];
  aot_sha256(b, CW_HASHED, h);
  if (memcmp(h, b + CW_HASHED, 32) != 0)
    return refuse(err, CAIRN_ERR_MALFORMED, CW_HASHED,
                  "header checksum mismatch (damaged or altered)");
  if (rd32(b + 268) != 0)
    return refuse(err, CAIRN_ERR_MALFORMED, 268, "reserved header bytes set");
  memset(info, 0, sizeof *info);
  info->abi = rd32(b + 12);
  memcpy(info->target, b + 24, 31);
  memcpy(info->options, b + 56, 127);
  memcpy(info->module_sha256, b + 184, 32);
  uint64_t nWasm = rd64(b + 248), nObj = rd64(b + 256), nInl = rd32(b + 20);
  uint64_t nFacts = rd32(b + 264);
  if (nWasm > len - CW_HEADER || nObj > len - CW_HEADER - nWasm ||
      nInl > len - CW_HEADER - nWasm - nObj || nFacts > len - CW_HEADER - nWasm - nObj - nInl)
    return refuse(err, CAIRN_ERR_MALFORMED, (long)len, "truncated");
  size_t end = CW_HEADER + (size_t)nWasm + (size_t)nObj + (size_t)nInl + (size_t)nFacts;
  size_t t = cw_trailer_end(b + end, len - end);
  if (end + t != len)
    return refuse(err, CAIRN_ERR_MALFORMED, (long)(end + t),
                  "trailing bytes after the code (not a signature record)");
  info->wasm = b + CW_HEADER;
  info->wasm_bytes = (size_t)nWasm;
  info->code_bytes = (size_t)nObj;
  aot_sha256(b + CW_HEADER, (size_t)nWasm, h);
  if (memcmp(h, b + 184, 32) != 0)
    return refuse(err, CAIRN_ERR_MALFORMED, CW_HEADER, "module checksum mismatch (damaged or altered)");
  aot_sha256(b + CW_HEADER + nWasm, (size_t)(nObj + nInl + nFacts), h);
  if (memcmp(h, b + 216, 32) != 0)
    return refuse(err, CAIRN_ERR_MALFORMED, (long)(CW_HEADER + nWasm),
                  "code checksum mismatch (damaged or altered)");
  return true;
}

bool cairn_cwasm_info_get(const uint8_t *bytes, size_t len, cairn_cwasm_info *out,
                          cairn_error *err) {
  return cw_check(bytes, len, out, err);
}

void aot_module_free(Module *m) {
  AotModule *am = m->pTier;
  if (!am) return;
  aot_image_unmap(&am->img);
  aot_inlines_free(&am->inl);
  if (am->azName) {
    for (uint32_t i = 0; i < m->nFunc - m->nFuncImport; i++) base_free(am->azName[i]);
    base_free(am->azName);
  }
  base_free(am);
  m->pTier = NULL;
}

cairn_module *cairn_module_from_cwasm(const uint8_t *b, size_t len, cairn_error *err) {
  cairn_cwasm_info info;
  if (!cw_check(b, len, &info, err)) return NULL;
  if (info.abi != CAIRN_AOT_ABI) {
    char msg[96];
    snprintf(msg, sizeof msg, "native code ABI %u, this cairn runs ABI %u (recompile it)",
             info.abi, CAIRN_AOT_ABI);
    refuse(err, CAIRN_ERR_LINK, 12, msg);
    return NULL;
  }
  if (strcmp(info.target, HOST_TARGET) != 0) {
    char msg[128];
    snprintf(msg, sizeof msg, "compiled for %s, this machine is %s", info.target, HOST_TARGET);
    refuse(err, CAIRN_ERR_LINK, 24, msg);
    return NULL;
  }
  uint32_t flags = rd32(b + 16);
  if ((flags & CAIRN_AOT_F_FRAME_CHAIN) != CAIRN_AOT_F_TARGET_) {
    refuse(err, CAIRN_ERR_LINK, 16, "compiled for another backtrace mechanism (recompile it)");
    return NULL;
  }
#if UINTPTR_MAX <= 0xFFFFFFFFu || defined(CAIRN_BOUNDS_CHECK)
  if (!(flags & CAIRN_AOT_F_CHECKED)) {
    refuse(err, CAIRN_ERR_LINK, 16,
           "compiled without bounds checks, which this build of cairn needs (--bounds-checks)");
    return NULL;
  }
#endif
  Module *m = decode_module(b + CW_HEADER, info.wasm_bytes, err);
  if (!m) return NULL;
  /* not validated again (the header comment): its facts instead */
  const char *why = NULL;
  size_t factsAt = CW_HEADER + info.wasm_bytes + info.code_bytes + rd32(b + 20);
  if (!facts_load(m, b + factsAt, rd32(b + 264), &why)) {
    module_free(m);
    if (why)
      refuse(err, CAIRN_ERR_MALFORMED, (long)factsAt, why);
    else
      base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory loading a .cwasm");
    return NULL;
  }
  AotModule *am = base_calloc(1, sizeof *am);
  uint32_t nOwn = m->nFunc - m->nFuncImport;
  if (!am || !(am->azName = base_calloc(nOwn ? nOwn : 1, sizeof(char *)))) {
    base_free(am);
    module_free(m);
    base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory loading a .cwasm");
    return NULL;
  }
  m->tier = &aot_tier;
  m->pTier = am;
  for (uint32_t i = 0; i < nOwn; i++) {
    const Name *nm = &m->aFunc[m->nFuncImport + i].name;
    if (nm->n && !(am->azName[i] = base_strndup(nm->z, nm->n))) {
      module_free(m);
      base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory loading a .cwasm");
      return NULL;
    }
  }
  const cairn_aot_desc *d;
  if (!aot_image_map(b + CW_HEADER + info.wasm_bytes, info.code_bytes, &am->img, &d, err)) {
    module_free(m);
    return NULL;
  }
  am->desc = d;
  if (d->abi != CAIRN_AOT_ABI || d->nfunc_import != m->nFuncImport || d->nfunc != nOwn ||
      memcmp(d->module_sha256, info.module_sha256, 32) != 0 || d->flags != flags) {
    module_free(m);
    refuse(err, CAIRN_ERR_MALFORMED, -1, "the code does not belong to the module in the file");
    return NULL;
  }
  /* the descriptor's tables must lie inside the image */
  const uint8_t *lo = am->img.base, *hi = am->img.base + am->img.size;
  const uint8_t *pc = (const uint8_t *)d->code, *pe = (const uint8_t *)d->entry;
  if (nOwn && (pc < lo || pc + nOwn * sizeof(void *) > hi || pe < lo ||
               pe + nOwn * sizeof(void *) > hi)) {
    module_free(m);
    refuse(err, CAIRN_ERR_MALFORMED, -1, "descriptor tables outside the code");
    return NULL;
  }
  if (flags & CAIRN_AOT_F_FRAME_CHAIN) {
    /* backtraces map code addresses to functions through the symbols:
    ** each must name a function of the module, and each function's entry
    ** point must lie in its own code */
    bool symOk = true;
    for (uint32_t i = 0; i < am->img.nRange; i++)
      if (am->img.aRange[i].idx < m->nFuncImport || am->img.aRange[i].idx >= m->nFunc)
        symOk = false;
    for (uint32_t j = 0; symOk && j < nOwn; j++) {
      const AotFuncRange *r = aot_image_func(&am->img, (uintptr_t)d->code[j]);
      symOk = r && r->idx == m->nFuncImport + j;
    }
    if (!symOk) {
      module_free(m);
      refuse(err, CAIRN_ERR_MALFORMED, -1,
             "the code's symbol table does not name its functions (backtraces need it)");
      return NULL;
    }
    /* where functions were inlined into others (backtraces expand them) */
    uint64_t codeLo = am->img.codeLo - (uintptr_t)am->img.base;
    uint64_t codeHi = am->img.codeHi - (uintptr_t)am->img.base;
    if (!aot_inlines_load(b + CW_HEADER + info.wasm_bytes + info.code_bytes, rd32(b + 20),
                          m->nFuncImport, m->nFunc, codeLo, codeHi, &am->inl, &why)) {
      module_free(m);
      refuse(err, CAIRN_ERR_MALFORMED, -1, why);
      return NULL;
    }
  } else if (rd32(b + 20) != 0) {
    module_free(m);
    refuse(err, CAIRN_ERR_MALFORMED, 20, "an inline table without the frame chain");
    return NULL;
  }
  return m;
}

const char *cairn_module_tier(const cairn_module *m) {
  return m && m->tier ? m->tier->zName : "none";
}

cairn_module *cairn_module_from_file_or_cwasm(const char *path, cairn_error *err) {
  uint8_t *data;
  size_t n;
  if (!path) {
    base_error(err, CAIRN_ERR_ARG, -1, "no path given");
    return NULL;
  }
  if (!base_read_file(path, &data, &n, err)) return NULL;
  cairn_module *m;
  if (cairn_is_cwasm(data, n))
    m = cairn_module_from_cwasm(data, n, err);
  else if (n >= 1 && data[0] == 0) /* "\0asm": a binary (cairn_module_from_file) */
    m = cairn_module_new(data, n, err);
  else
    m = cairn_module_from_text((const char *)data, n, err);
  base_free(data);
  return m;
}
