/*
** decode_internal.h: the byte reader shared by the files of decode/.
**
** A DecReader walks module bytes; every read checks the end and reports the
** spec's assert_malformed wording with the byte offset of the fault. Reads are
** bounded by the end given (the whole module for section contents, as the
** reference decoder does: a section that claims too little or too much is
** caught by the size check after it). Not used outside decode/.
*/
#ifndef CAIRN_DECODE_INTERNAL_H
#define CAIRN_DECODE_INTERNAL_H

#include "engine/module.h"

typedef struct DecReader {
  const uint8_t *p;    /* next byte */
  const uint8_t *end;  /* one past the last readable byte */
  const uint8_t *base; /* start of the module bytes (for offsets) */
  cairn_error *err;
  bool usesSimd;       /* set by decode_expr when it reads a 0xFD instruction */
} DecReader;

#define DEC_EOS "unexpected end of section or function"

static inline long decode_off(const DecReader *r, const uint8_t *at) {
  return (long)(at - r->base);
}

/* Reports a MALFORMED error at `at`; always returns false. */
static inline bool decode_fail(DecReader *r, const uint8_t *at, const char *msg) {
  base_error(r->err, CAIRN_ERR_MALFORMED, decode_off(r, at), "%s", msg);
  return false;
}

/* Every reader sets its output even on failure (0 / NULL), so callers never
** see an indeterminate value. */
static inline bool decode_byte(DecReader *r, uint8_t *out) {
  *out = 0;
  if (r->p >= r->end) return decode_fail(r, r->p, DEC_EOS);
  *out = *r->p++;
  return true;
}

static inline bool decode_leb_result(DecReader *r, int n) {
  if (n > 0) return true;
  if (n == 0) return decode_fail(r, r->end, DEC_EOS);
  return decode_fail(r, r->p,
                     n == -1 ? "integer representation too long" : "integer too large");
}

static inline bool decode_uleb(DecReader *r, int bits, uint64_t *out) {
  *out = 0;
  int n = leb_read_u(r->p, r->end, bits, out);
  if (!decode_leb_result(r, n)) return false;
  r->p += n;
  return true;
}

static inline bool decode_sleb(DecReader *r, int bits, int64_t *out) {
  *out = 0;
  int n = leb_read_s(r->p, r->end, bits, out);
  if (!decode_leb_result(r, n)) return false;
  r->p += n;
  return true;
}

static inline bool decode_u32(DecReader *r, uint32_t *out) {
  uint64_t v;
  *out = 0;
  if (!decode_uleb(r, 32, &v)) return false;
  *out = (uint32_t)v;
  return true;
}

/* A u32 length or vector count that must not exceed the bytes left, counted
** from the length's own first byte ("length out of bounds"). */
static inline bool decode_len32(DecReader *r, uint32_t *out) {
  const uint8_t *at = r->p;
  if (!decode_u32(r, out)) return false;
  if ((uint64_t)*out > (uint64_t)(r->end - at))
    return decode_fail(r, at, "length out of bounds");
  /* the length counted from before its own LEB may still overrun the end */
  if ((uint64_t)*out > (uint64_t)(r->end - r->p)) return decode_fail(r, r->end, DEC_EOS);
  return true;
}

/* n raw bytes; *out points at them. */
static inline bool decode_bytes(DecReader *r, uint32_t n, const uint8_t **out) {
  *out = NULL;
  if ((uint64_t)n > (uint64_t)(r->end - r->p)) return decode_fail(r, r->end, DEC_EOS);
  *out = r->p;
  r->p += n;
  return true;
}

static inline bool decode_is_valtype(uint8_t b) {
  return b == VT_I32 || b == VT_I64 || b == VT_F32 || b == VT_F64 || b == VT_V128 ||
         b == VT_FUNCREF || b == VT_EXTERNREF;
}

static inline bool decode_valtype(DecReader *r, ValType *out) {
  *out = 0;
  const uint8_t *at = r->p;
  uint8_t b;
  if (!decode_byte(r, &b)) return false;
  if (decode_is_valtype(b)) {
    *out = b;
    return true;
  }
  if (b & 0x80) return decode_fail(r, at, "integer representation too long");
  return decode_fail(r, at, "malformed reference type");
}

static inline bool decode_reftype(DecReader *r, ValType *out) {
  *out = 0;
  const uint8_t *at = r->p;
  uint8_t b;
  if (!decode_byte(r, &b)) return false;
  if (b == VT_FUNCREF || b == VT_EXTERNREF) {
    *out = b;
    return true;
  }
  if (b & 0x80) return decode_fail(r, at, "integer representation too long");
  return decode_fail(r, at, "malformed reference type");
}

/* Walks one instruction sequence from r->p through its final `end` (nested
** blocks balanced; `else` only inside `if`), checking every instruction's
** encoding. Sets *usesData if memory.init or data.drop occurs. Used for code
** bodies and constant expressions. */
bool decode_expr(DecReader *r, bool *usesData);

/* Reads the content [p, end) of the "name" custom section into Func.name
** and Module.name. A malformed name section is ignored as a whole: it never
** fails the module. */
void decode_names(Module *m, const uint8_t *p, const uint8_t *end);

#endif
