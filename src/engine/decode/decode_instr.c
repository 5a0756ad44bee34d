/*
** decode_instr.c: the one reader of instruction encodings (decode_instr),
** br_table label access, and the well-formedness walk over an expression
** (decode_expr) that the module decoder runs on every code body and
** constant expression. Knows encodings only, no typing.
*/
#include <string.h>

#include "decode_internal.h"

/* A zero byte where the binary format reserves one (memory index). */
static bool instr_zero(DecReader *r) {
  const uint8_t *at = r->p;
  uint8_t b;
  if (!decode_byte(r, &b)) return false;
  if (b != 0) return decode_fail(r, at, "zero byte expected");
  return true;
}

static bool instr_blocktype(DecReader *r, Instr *out) {
  if (r->p >= r->end) return decode_fail(r, r->p, DEC_EOS);
  uint8_t c = *r->p;
  if (c == 0x40) {
    r->p++;
    out->btKind = BT_EMPTY;
    return true;
  }
  if ((c & 0xC0) == 0x40) {
    out->btKind = BT_VAL;
    return decode_valtype(r, &out->btVal);
  }
  int64_t v;
  if (!decode_sleb(r, 33, &v)) return false;
  out->btKind = BT_TYPE;
  /* a negative or too large index names no type: the validator reports it */
  out->a = (v < 0 || v > (int64_t)UINT32_MAX - 1) ? UINT32_MAX : (uint32_t)v;
  return true;
}

static bool instr_memarg(DecReader *r, Instr *out) {
  uint32_t off;
  if (!decode_u32(r, &out->a)) return false;
  if (!decode_u32(r, &off)) return false;
  out->offset = off;
  return true;
}

/* The reader behind decode_instr and decode_expr: one instruction at r->p,
** r->p left after it. Inline, so the expression walk pays no call per
** instruction; the common cases (one-byte opcodes, one-byte LEBs) take the
** first branch of each test. */
static inline __attribute__((always_inline)) bool instr_read(DecReader *r, Instr *out) {
  const uint8_t *p = r->p;
  memset(out, 0, sizeof *out);
  if (p >= r->end) return decode_fail(r, p, DEC_EOS);
  uint8_t b = *p;
  uint32_t k = b;
  r->p++;
  if (b >= 0xFC) {
    uint32_t sub = 0;
    if (b > 0xFD) {
      base_error(r->err, CAIRN_ERR_MALFORMED, decode_off(r, p), "illegal opcode %02x", b);
      return false;
    }
    if (!decode_u32(r, &sub)) return false;
    uint32_t lim = b == 0xFC ? OPINFO_FD_BASE - OPINFO_FC_BASE : OPINFO_INDEX_SIZE - OPINFO_FD_BASE;
    k = sub < lim ? (b == 0xFC ? OPINFO_FC_BASE : OPINFO_FD_BASE) + sub : 0;
    if (!k || !opinfo_index[k]) {
      base_error(r->err, CAIRN_ERR_MALFORMED, decode_off(r, p), "illegal opcode %02x %02x", b,
                 sub);
      return false;
    }
  } else if (!opinfo_index[k]) {
    base_error(r->err, CAIRN_ERR_MALFORMED, decode_off(r, p), "illegal opcode %02x", b);
    return false;
  }
  int op = opinfo_index[k] - 1;
  out->op = (WasmOp)op;
  switch (opinfo_table[op].imm) {
    case IMM_NONE:
      break;
    case IMM_BLOCKTYPE:
      if (!instr_blocktype(r, out)) return false;
      break;
    case IMM_LABEL:
    case IMM_FUNC:
    case IMM_LOCAL:
    case IMM_GLOBAL:
    case IMM_TABLE:
    case IMM_DATA:
    case IMM_ELEM:
      if (!decode_u32(r, &out->a)) return false;
      break;
    case IMM_BR_TABLE: {
      if (!decode_len32(r, &out->a)) return false;
      out->pVec = r->p;
      uint32_t x;
      for (uint32_t i = 0; i < out->a; i++)
        if (!decode_u32(r, &x)) return false;
      if (!decode_u32(r, &out->b)) return false;
      break;
    }
    case IMM_CALL_INDIRECT:
      if (!decode_u32(r, &out->a) || !decode_u32(r, &out->b)) return false;
      break;
    case IMM_MEMARG:
      if (!instr_memarg(r, out)) return false;
      break;
    case IMM_MEMIDX:
      if (!instr_zero(r)) return false;
      break;
    case IMM_I32: {
      int64_t v;
      if (!decode_sleb(r, 32, &v)) return false;
      out->bits = (uint64_t)v;
      break;
    }
    case IMM_I64: {
      int64_t v;
      if (!decode_sleb(r, 64, &v)) return false;
      out->bits = (uint64_t)v;
      break;
    }
    case IMM_F32:
    case IMM_F64: {
      uint32_t n = opinfo_table[op].imm == IMM_F32 ? 4 : 8;
      const uint8_t *q;
      if (!decode_bytes(r, n, &q)) return false;
      uint64_t v = 0;
      for (uint32_t i = 0; i < n; i++) v |= (uint64_t)q[i] << (8 * i);
      out->bits = v;
      break;
    }
    case IMM_SELECT_T: {
      if (!decode_len32(r, &out->a)) return false;
      out->pVec = r->p;
      ValType t;
      for (uint32_t i = 0; i < out->a; i++)
        if (!decode_valtype(r, &t)) return false;
      break;
    }
    case IMM_REFTYPE: {
      ValType t;
      if (!decode_reftype(r, &t)) return false;
      out->a = t;
      break;
    }
    case IMM_DATA_MEM:
      if (!decode_u32(r, &out->a) || !instr_zero(r)) return false;
      break;
    case IMM_MEM_MEM:
      if (!instr_zero(r) || !instr_zero(r)) return false;
      break;
    case IMM_ELEM_TABLE:
    case IMM_TABLE_TABLE:
      if (!decode_u32(r, &out->a) || !decode_u32(r, &out->b)) return false;
      break;
    case IMM_V128:
    case IMM_SHUFFLE:
      if (!decode_bytes(r, 16, &out->pVec)) return false;
      break;
    case IMM_LANE: {
      uint8_t lane;
      if (!decode_byte(r, &lane)) return false;
      out->a = lane;
      break;
    }
    case IMM_MEMARG_LANE: {
      /* align goes to b (unused otherwise), offset as for MEMARG, lane to a */
      uint8_t lane;
      uint32_t off;
      if (!decode_u32(r, &out->b) || !decode_u32(r, &off)) return false;
      out->offset = off;
      if (!decode_byte(r, &lane)) return false;
      out->a = lane;
      break;
    }
  }
  out->len = (uint32_t)(r->p - p);
  return true;
}

/* Immediate kind by WasmOp, one byte per entry (opinfo_table's is wider). */
static const uint8_t aOpImm[OP_COUNT_] = {
#define X(id, name, code, imm, align, params, results) imm,
    WASM_OPCODES(X)
#undef X
};

/* Everything but decode_instr's fast path, out of line so the fast path
** saves no registers. */
static __attribute__((noinline)) bool instr_slow(const uint8_t *p, const uint8_t *end,
                                                 const uint8_t *base, Instr *out,
                                                 cairn_error *err) {
  DecReader r = {p, end, base, err, false};
  return instr_read(&r, out);
}

bool decode_instr(const uint8_t *p, const uint8_t *end, const uint8_t *base, Instr *out,
                  cairn_error *err) {
  /* fast path: a one-byte opcode without immediate, or with one index
  ** immediate encoded in one byte (local.get 3, br 0, call 7, ...) */
  if (p < end && *p < 0xFC && opinfo_index[*p]) {
    int op = opinfo_index[*p] - 1;
    uint8_t imm = aOpImm[op];
    if (imm == IMM_NONE) {
      memset(out, 0, sizeof *out);
      out->op = (WasmOp)op;
      out->len = 1;
      return true;
    }
    if ((imm == IMM_LOCAL || imm == IMM_GLOBAL || imm == IMM_LABEL || imm == IMM_FUNC) &&
        end - p >= 2 && p[1] < 0x80) {
      memset(out, 0, sizeof *out);
      out->op = (WasmOp)op;
      out->a = p[1];
      out->len = 2;
      return true;
    }
    if (imm == IMM_I32 && end - p >= 2 && p[1] < 0x80) {
      memset(out, 0, sizeof *out);
      out->op = (WasmOp)op;
      out->bits = (uint64_t)(int64_t)((int8_t)(p[1] << 1) >> 1);
      out->len = 2;
      return true;
    }
    if (imm == IMM_MEMARG && end - p >= 3 && p[1] < 0x80 && p[2] < 0x80) {
      memset(out, 0, sizeof *out);
      out->op = (WasmOp)op;
      out->a = p[1];
      out->offset = p[2];
      out->len = 3;
      return true;
    }
  }
  return instr_slow(p, end, base, out, err);
}

/* Label k of an accepted br_table. When every label is one byte (the common
** case) this is a direct index; otherwise the labels are walked. */
uint32_t decode_br_table_label(const Instr *in, uint32_t k) {
  if (k >= in->a) return in->b;
  const uint8_t *q = in->pVec;
  /* The instruction's last byte ends the default label's LEB; the bytes
  ** before it with the continuation bit belong to that LEB too. So the label
  ** vector spans [pVec, defaultStart). The opcode (0x0E) and the count LEB
  ** precede pVec: the count's last byte is pVec[-1], its earlier bytes have
  ** the continuation bit. */
  const uint8_t *cnt = q - 1;
  while (cnt[-1] & 0x80) cnt--;
  const uint8_t *start = cnt - 1; /* the 0x0E opcode byte */
  const uint8_t *last = start + in->len - 1;
  const uint8_t *defStart = last;
  while (defStart > q && (defStart[-1] & 0x80)) defStart--;
  if ((uint64_t)(defStart - q) == in->a) return q[k];
  uint64_t v = 0;
  for (uint32_t i = 0;; i++) {
    int n = leb_read_u(q, last + 1, 32, &v);
    if (n <= 0) return in->b; /* cannot happen for an accepted instruction */
    if (i == k) return (uint32_t)v;
    q += n;
  }
}

/* Block kinds on the nesting stack of decode_expr. */
enum { EXPR_BLOCK = 0, EXPR_IF = 1, EXPR_ELSE = 2 };

bool decode_expr(DecReader *r, bool *usesData) {
  /* the nesting stack: a local array, on the heap past its size */
  uint8_t aLocal[256];
  uint8_t *aStk = aLocal;
  size_t nStk = 0, nAlloc = sizeof aLocal;
  aStk[nStk++] = EXPR_BLOCK; /* the expression itself */
  bool ok = false;
  Instr in;
  for (;;) {
    const uint8_t *at = r->p;
    if (!instr_read(r, &in)) break;
    switch (in.op) {
      case OP_BLOCK:
      case OP_LOOP:
      case OP_IF:
        if (nStk == nAlloc) {
          uint8_t *a = base_malloc(nAlloc * 2);
          if (!a) {
            base_error(r->err, CAIRN_ERR_NOMEM, decode_off(r, at), "out of memory");
            goto done;
          }
          memcpy(a, aStk, nStk);
          if (aStk != aLocal) base_free(aStk);
          aStk = a;
          nAlloc *= 2;
        }
        aStk[nStk++] = in.op == OP_IF ? EXPR_IF : EXPR_BLOCK;
        break;
      case OP_ELSE:
        if (aStk[nStk - 1] != EXPR_IF) {
          decode_fail(r, at, "END opcode expected");
          goto done;
        }
        aStk[nStk - 1] = EXPR_ELSE;
        break;
      case OP_END:
        if (--nStk == 0) {
          ok = true;
          goto done;
        }
        break;
      case OP_MEMORY_INIT:
      case OP_DATA_DROP:
        *usesData = true;
        break;
      default:
        if (*at == 0xFD) r->usesSimd = true;
        break;
    }
  }
done:
  if (aStk != aLocal) base_free(aStk);
  return ok;
}
