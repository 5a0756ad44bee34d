/*
** wat_instr.c: instructions of the text format, flat and folded, encoded to
** binary as they are parsed. Mnemonics and immediate kinds come from the one
** instruction table (engine/opcodes.h): a new instruction needs only a table
** row, plus an immediate parser here if its immediate kind is new.
*/
#include <string.h>

#include "engine/opcodes.h"
#include "text_internal.h"

/* Keywords of the module syntax: met where an instruction is expected, they
** mean the form's parts are out of order ("unexpected token"), whereas any
** other unknown keyword is an unknown operator. */
static bool wi_structural(const Token *t) {
  static const char *const kw[] = {"param", "result", "type",   "local",  "then",
                                   "else",  "end",    "export", "import", "mut",
                                   "offset", "item",  "func",   "table",  "memory",
                                   "global", "elem",  "data",   "module", "start",
                                   "declare", NULL};
  for (int i = 0; kw[i]; i++)
    if (text_tok_is(t, kw[i])) return true;
  return false;
}

static bool wi_unknown(WatParser *p, const Token *t) {
  if (t->kind == TK_KEYWORD && !wi_structural(t)) return wat_fail(p, t, "unknown operator");
  return wat_unexpected(p, t);
}

static void wi_opcode(Buf *b, uint32_t code) {
  if (code > 0xFF) {
    buf_byte(b, (uint8_t)(code >> 16));
    buf_uleb(b, code & 0xFFFF);
  } else {
    buf_byte(b, (uint8_t)code);
  }
}

static bool wi_is_index_tok(const Token *t) {
  return t->kind == TK_NUM || t->kind == TK_ID;
}

static bool wi_has_index(WatParser *p) {
  TokKind k = wat_cur(p)->kind;
  return k == TK_NUM || k == TK_ID;
}

/* A block type: a type use without names; s33 value in *bt. */
static bool wi_blocktype(WatParser *p, int64_t *bt) {
  Token *at = wat_cur(p);
  FuncType ft;
  int64_t ti;
  bool ok = wat_typeuse(p, false, false, &ft, &ti);
  if (ok) {
    if (ti < 0 && ft.nParam == 0 && ft.nResult == 0) {
      *bt = -64;
    } else if (ti < 0 && ft.nParam == 0 && ft.nResult == 1) {
      *bt = (int64_t)ft.a[0] - 0x80;
    } else {
      uint32_t idx;
      ok = wat_typeuse_index(p, at, &ft, ti, &idx);
      *bt = idx;
    }
  }
  wat_functype_free(&ft);
  return ok;
}

static bool wi_label_push(WatParser *p, const Token *id) {
  return wat_ns_add(p, &p->labels, id, NULL);
}

/* An optional `$l` after else/end must repeat the block's label. */
static bool wi_label_check(WatParser *p, const Token *label) {
  Token *t = wat_cur(p);
  if (t->kind != TK_ID) return true;
  if (!label || label->n != t->n || memcmp(label->z, t->z, t->n) != 0)
    return wat_fail(p, t, "mismatching label");
  p->pos++;
  return true;
}

static bool wi_memarg(WatParser *p, Buf *b, unsigned natural) {
  uint64_t offset = 0;
  uint32_t alignLog = natural;
  Token *t = wat_cur(p);
  if (t->kind == TK_KEYWORD && t->n > 7 && memcmp(t->z, "offset=", 7) == 0) {
    NumResult r = text_num_u64(t->z + 7, t->n - 7, &offset);
    if (r == NUM_SYNTAX) return wat_fail(p, t, "unknown operator");
    if (r == NUM_RANGE || offset > UINT32_MAX)
      return wat_fail(p, t, "i32 constant out of range");
    p->pos++;
    t = wat_cur(p);
  }
  if (t->kind == TK_KEYWORD && t->n > 6 && memcmp(t->z, "align=", 6) == 0) {
    uint32_t a;
    NumResult r = text_num_u32(t->z + 6, t->n - 6, &a);
    if (r == NUM_SYNTAX) return wat_fail(p, t, "unknown operator");
    if (r == NUM_RANGE || a == 0 || (a & (a - 1)) != 0)
      return wat_fail(p, t, "alignment must be a power of two");
    alignLog = 0;
    while ((1u << alignLog) < a) alignLog++;
    p->pos++;
  }
  buf_uleb(b, alignLog);
  buf_uleb(b, offset);
  return true;
}

static bool wi_const(WatParser *p, Buf *b, ImmKind imm) {
  Token *t = wat_cur(p);
  if (t->kind != TK_NUM && !(t->kind == TK_KEYWORD && (imm == IMM_F32 || imm == IMM_F64)))
    return wat_unexpected(p, t);
  NumResult r;
  uint32_t v32 = 0;
  uint64_t v64 = 0;
  switch (imm) {
    case IMM_I32: r = text_num_i32(t->z, t->n, &v32); break;
    case IMM_I64: r = text_num_i64(t->z, t->n, &v64); break;
    case IMM_F32: r = text_num_f32(t->z, t->n, &v32); break;
    default: r = text_num_f64(t->z, t->n, &v64); break;
  }
  if (r == NUM_SYNTAX) {
    if (t->kind == TK_KEYWORD && !(t->n > 4 && memcmp(t->z, "nan:", 4) == 0 &&
                                   !text_tok_is(t, "nan:canonical") &&
                                   !text_tok_is(t, "nan:arithmetic")))
      return wat_unexpected(p, t);
    return wat_fail(p, t, "unknown operator");
  }
  if (r == NUM_RANGE) return wat_fail(p, t, "constant out of range");
  p->pos++;
  uint8_t bytes[8];
  switch (imm) {
    case IMM_I32: buf_sleb(b, (int32_t)v32); break;
    case IMM_I64: buf_sleb(b, (int64_t)v64); break;
    case IMM_F32:
      for (int i = 0; i < 4; i++) bytes[i] = (uint8_t)(v32 >> (8 * i));
      buf_append(b, bytes, 4);
      break;
    default:
      for (int i = 0; i < 8; i++) bytes[i] = (uint8_t)(v64 >> (8 * i));
      buf_append(b, bytes, 8);
      break;
  }
  return true;
}

/* ---- SIMD immediates ---- */

/* A token that may be a numeric literal (lanes of v128.const): numbers and
** the float keywords inf, nan, nan:0x... */
static bool wi_is_num_tok(const Token *t) {
  if (t->kind == TK_NUM) return true;
  return t->kind == TK_KEYWORD &&
         (text_tok_is(t, "inf") || text_tok_is(t, "nan") || (t->n > 4 && memcmp(t->z, "nan:", 4) == 0));
}

/* v128.const SHAPE lane*: the lane count must match the shape; each lane is
** range-checked for its width. Encodes the 16 bytes little endian. */
static bool wi_v128_const(WatParser *p, Buf *b) {
  Token *t = wat_cur(p);
  int bits;
  bool isFloat = false;
  if (text_tok_is(t, "i8x16")) bits = 8;
  else if (text_tok_is(t, "i16x8")) bits = 16;
  else if (text_tok_is(t, "i32x4")) bits = 32;
  else if (text_tok_is(t, "i64x2")) bits = 64;
  else if (text_tok_is(t, "f32x4")) bits = 32, isFloat = true;
  else if (text_tok_is(t, "f64x2")) bits = 64, isFloat = true;
  else return wat_unexpected(p, t);
  p->pos++;
  uint32_t start = p->pos, count = 0, nLane = 128 / bits;
  /* lexically bad literals are reported first, then the count */
  for (;;) {
    Token *l = wat_cur(p);
    if (l->kind == TK_RESERVED) return wat_fail(p, l, "unknown operator");
    if (!wi_is_num_tok(l)) break;
    uint64_t d;
    if (text_num_f64(l->z, l->n, &d) == NUM_SYNTAX && text_num_int(l->z, l->n, 64, &d) == NUM_SYNTAX)
      return wat_fail(p, l, "unknown operator");
    count++;
    p->pos++;
  }
  if (count != nLane) return wat_fail(p, wat_cur(p), "wrong number of lane literals");
  uint8_t bytes[16];
  for (uint32_t i = 0; i < nLane; i++) {
    Token *l = &p->toks[start + i];
    uint64_t v = 0;
    NumResult r;
    if (!isFloat) {
      r = l->kind == TK_NUM ? text_num_int(l->z, l->n, bits, &v) : NUM_SYNTAX;
    } else if (bits == 32) {
      uint32_t v32 = 0;
      r = text_num_f32(l->z, l->n, &v32);
      v = v32;
    } else {
      r = text_num_f64(l->z, l->n, &v);
    }
    if (r == NUM_SYNTAX) return wat_fail(p, l, "unknown operator");
    if (r == NUM_RANGE) return wat_fail(p, l, "constant out of range");
    for (int j = 0; j < bits / 8; j++) bytes[i * (bits / 8) + j] = (uint8_t)(v >> (8 * j));
  }
  buf_append(b, bytes, 16);
  return true;
}

/* A lane index: a natural number below 256 (checked against the shape by
** the validator). */
static bool wi_lane(WatParser *p, Buf *b) {
  Token *l = wat_cur(p);
  uint64_t v;
  NumResult r = l->kind == TK_NUM ? text_num_u64(l->z, l->n, &v) : NUM_SYNTAX;
  if (r == NUM_SYNTAX) return wat_unexpected(p, l);
  if (r == NUM_RANGE || v > 255) return wat_fail(p, l, "malformed lane index");
  buf_byte(b, (uint8_t)v);
  p->pos++;
  return true;
}

/* i8x16.shuffle: exactly 16 lane indices. */
static bool wi_shuffle(WatParser *p, Buf *b) {
  uint8_t lanes[16];
  for (int i = 0; i < 16; i++) {
    Token *l = wat_cur(p);
    if (!wi_is_num_tok(l)) {
      if (l->kind == TK_RESERVED) return wat_fail(p, l, "malformed lane index");
      return wat_fail(p, l, "invalid lane length");
    }
    uint64_t v;
    NumResult r = l->kind == TK_NUM ? text_num_u64(l->z, l->n, &v) : NUM_SYNTAX;
    if (r != NUM_OK || v > 255) return wat_fail(p, l, "malformed lane index");
    lanes[i] = (uint8_t)v;
    p->pos++;
  }
  if (wi_is_num_tok(wat_cur(p))) return wat_fail(p, wat_cur(p), "invalid lane length");
  buf_append(b, lanes, 16);
  return true;
}

static bool wi_index_opt(WatParser *p, Buf *b, NameSpace *ns, const char *what) {
  uint32_t x = 0;
  if (wi_has_index(p) && !wat_index(p, ns, what, &x)) return false;
  buf_uleb(b, x);
  return true;
}

static bool wi_index(WatParser *p, Buf *b, NameSpace *ns, const char *what) {
  uint32_t x;
  if (!wat_index(p, ns, what, &x)) return false;
  buf_uleb(b, x);
  return true;
}

/* A plain (non-block) instruction at the cursor, with its immediates. */
static bool wi_plain(WatParser *p, Buf *b) {
  Token *t = wat_cur(p);
  if (t->kind != TK_KEYWORD) return wat_unexpected(p, t);
  int op = opinfo_lookup_name(t->z, t->n);
  if (op < 0) return wi_unknown(p, t);
  if (op == OP_BLOCK || op == OP_LOOP || op == OP_IF || op == OP_ELSE || op == OP_END)
    return wat_unexpected(p, t);
  const OpInfo *oi = &opinfo_table[op];
  p->pos++;
  if (op == OP_SELECT) {
    if (!wat_is_lpar_kw(p, "result")) {
      wi_opcode(b, oi->code);
      return true;
    }
    Buf types;
    buf_init(&types);
    bool ok = true;
    while (ok && wat_is_lpar_kw(p, "result")) {
      p->pos += 2;
      uint8_t v;
      while (ok && wat_cur(p)->kind == TK_KEYWORD) {
        ok = wat_valtype(p, &v);
        buf_byte(&types, v);
      }
      ok = ok && wat_expect_rpar(p);
    }
    if (ok) {
      wi_opcode(b, opinfo_table[OP_SELECT_T].code);
      buf_uleb(b, types.n);
      buf_append_buf(b, &types);
    }
    buf_free(&types);
    return ok;
  }
  wi_opcode(b, oi->code);
  switch (oi->imm) {
    case IMM_NONE:
      return true;
    case IMM_LABEL:
      return wi_index(p, b, &p->labels, "label");
    case IMM_BR_TABLE: {
      Buf labels;
      buf_init(&labels);
      uint32_t n = 0;
      bool ok = true;
      while (ok && wi_has_index(p)) {
        ok = wi_index(p, &labels, &p->labels, "label");
        n++;
      }
      if (ok && n == 0) ok = wat_unexpected(p, wat_cur(p));
      if (ok) {
        /* the last label is the default: count excludes it */
        buf_uleb(b, n - 1);
        buf_append_buf(b, &labels);
      }
      buf_free(&labels);
      return ok;
    }
    case IMM_FUNC:
      return wi_index(p, b, &p->funcs, "function");
    case IMM_CALL_INDIRECT: {
      uint32_t table = 0;
      if (wi_has_index(p) && !wat_index(p, &p->tables, "table", &table)) return false;
      Token *at = wat_cur(p);
      FuncType ft;
      int64_t ti;
      uint32_t idx = 0;
      bool ok = wat_typeuse(p, false, false, &ft, &ti) &&
                wat_typeuse_index(p, at, &ft, ti, &idx);
      wat_functype_free(&ft);
      buf_uleb(b, idx);
      buf_uleb(b, table);
      return ok;
    }
    case IMM_LOCAL:
      return wi_index(p, b, &p->locals, "local");
    case IMM_GLOBAL:
      return wi_index(p, b, &p->globals, "global");
    case IMM_TABLE:
      return wi_index_opt(p, b, &p->tables, "table");
    case IMM_MEMARG:
      return wi_memarg(p, b, oi->align);
    case IMM_MEMIDX:
      return wi_index_opt(p, b, &p->mems, "memory");
    case IMM_I32:
    case IMM_I64:
    case IMM_F32:
    case IMM_F64:
      return wi_const(p, b, oi->imm);
    case IMM_REFTYPE:
      if (text_tok_is(wat_cur(p), "func")) {
        buf_byte(b, 0x70);
      } else if (text_tok_is(wat_cur(p), "extern")) {
        buf_byte(b, 0x6F);
      } else {
        return wat_unexpected(p, wat_cur(p));
      }
      p->pos++;
      return true;
    case IMM_DATA_MEM: {
      uint32_t mem = 0, data;
      if (wi_has_index(p) && wi_is_index_tok(wat_peek(p, 1)) &&
          !wat_index(p, &p->mems, "memory", &mem))
        return false;
      if (!wat_index(p, &p->datas, "data segment", &data)) return false;
      buf_uleb(b, data);
      buf_uleb(b, mem);
      return true;
    }
    case IMM_DATA:
      return wi_index(p, b, &p->datas, "data segment");
    case IMM_MEM_MEM: {
      uint32_t d = 0, s = 0;
      if (wi_has_index(p)) {
        if (!wat_index(p, &p->mems, "memory", &d) || !wat_index(p, &p->mems, "memory", &s))
          return false;
      }
      buf_uleb(b, d);
      buf_uleb(b, s);
      return true;
    }
    case IMM_ELEM_TABLE: {
      /* table.init x? y: with one index, it is the element segment */
      uint32_t table = 0, elem;
      if (wi_has_index(p) && wi_is_index_tok(wat_peek(p, 1)) &&
          !wat_index(p, &p->tables, "table", &table))
        return false;
      if (!wat_index(p, &p->elems, "elem segment", &elem)) return false;
      buf_uleb(b, elem);
      buf_uleb(b, table);
      return true;
    }
    case IMM_ELEM:
      return wi_index(p, b, &p->elems, "elem segment");
    case IMM_TABLE_TABLE: {
      uint32_t d = 0, s = 0;
      if (wi_has_index(p)) {
        if (!wat_index(p, &p->tables, "table", &d) || !wat_index(p, &p->tables, "table", &s))
          return false;
      }
      buf_uleb(b, d);
      buf_uleb(b, s);
      return true;
    }
    case IMM_V128:
      return wi_v128_const(p, b);
    case IMM_SHUFFLE:
      return wi_shuffle(p, b);
    case IMM_LANE:
      return wi_lane(p, b);
    case IMM_MEMARG_LANE:
      return wi_memarg(p, b, oi->align) && wi_lane(p, b);
    default:
      return wat_fail(p, t, "unknown operator");
  }
}

static bool wi_block_flat(WatParser *p, Buf *b, int op) {
  if (p->depth >= WAT_MAX_DEPTH) return wat_fail(p, wat_cur(p), "nesting too deep");
  p->pos++;
  Token *label = wat_cur(p)->kind == TK_ID ? &p->toks[p->pos++] : NULL;
  int64_t bt;
  if (!wi_blocktype(p, &bt)) return false;
  wi_opcode(b, opinfo_table[op].code);
  buf_sleb(b, bt);
  if (!wi_label_push(p, label)) return false;
  if (!wat_instrs(p, b)) return false;
  if (op == OP_IF && text_tok_is(wat_cur(p), "else")) {
    p->pos++;
    if (!wi_label_check(p, label)) return false;
    buf_byte(b, 0x05);
    if (!wat_instrs(p, b)) return false;
  }
  if (!text_tok_is(wat_cur(p), "end")) return wat_unexpected(p, wat_cur(p));
  p->pos++;
  if (!wi_label_check(p, label)) return false;
  buf_byte(b, 0x0B);
  p->labels.n--;
  return true;
}

static bool wi_folded(WatParser *p, Buf *out);

bool wat_folded1(WatParser *p, Buf *out) {
  if (p->depth >= WAT_MAX_DEPTH) return wat_fail(p, wat_cur(p), "nesting too deep");
  p->depth++;
  bool ok = wi_folded(p, out);
  p->depth--;
  return ok;
}

static bool wi_folded(WatParser *p, Buf *out) {
  if (!wat_expect_lpar(p)) return false;
  Token *t = wat_cur(p);
  if (text_tok_is(t, "block") || text_tok_is(t, "loop")) {
    int op = text_tok_is(t, "block") ? OP_BLOCK : OP_LOOP;
    p->pos++;
    Token *label = wat_cur(p)->kind == TK_ID ? &p->toks[p->pos++] : NULL;
    int64_t bt;
    if (!wi_blocktype(p, &bt)) return false;
    wi_opcode(out, opinfo_table[op].code);
    buf_sleb(out, bt);
    if (!wi_label_push(p, label) || !wat_instrs(p, out) || !wat_expect_rpar(p)) return false;
    buf_byte(out, 0x0B);
    p->labels.n--;
    return true;
  }
  if (text_tok_is(t, "if")) {
    p->pos++;
    Token *label = wat_cur(p)->kind == TK_ID ? &p->toks[p->pos++] : NULL;
    int64_t bt;
    if (!wi_blocktype(p, &bt)) return false;
    while (wat_cur(p)->kind == TK_LPAR && !wat_is_lpar_kw(p, "then"))
      if (!wat_folded1(p, out)) return false;
    wi_opcode(out, opinfo_table[OP_IF].code);
    buf_sleb(out, bt);
    if (!wi_label_push(p, label)) return false;
    if (!wat_is_lpar_kw(p, "then")) return wat_unexpected(p, wat_cur(p));
    p->pos += 2;
    if (!wat_instrs(p, out) || !wat_expect_rpar(p)) return false;
    if (wat_is_lpar_kw(p, "else")) {
      p->pos += 2;
      buf_byte(out, 0x05);
      if (!wat_instrs(p, out) || !wat_expect_rpar(p)) return false;
    }
    if (!wat_expect_rpar(p)) return false;
    buf_byte(out, 0x0B);
    p->labels.n--;
    return true;
  }
  Buf op;
  buf_init(&op);
  bool ok = wi_plain(p, &op);
  while (ok && wat_cur(p)->kind == TK_LPAR) ok = wat_folded1(p, out);
  ok = ok && wat_expect_rpar(p);
  if (ok) buf_append_buf(out, &op);
  buf_free(&op);
  return ok;
}

bool wat_instrs(WatParser *p, Buf *out) {
  for (;;) {
    Token *t = wat_cur(p);
    if (t->kind == TK_LPAR) {
      if (!wat_folded1(p, out)) return false;
      continue;
    }
    if (t->kind == TK_RPAR || t->kind == TK_EOF) return true;
    if (text_tok_is(t, "end") || text_tok_is(t, "else")) return true;
    int blockOp = text_tok_is(t, "block") ? OP_BLOCK
                  : text_tok_is(t, "loop")  ? OP_LOOP
                  : text_tok_is(t, "if")    ? OP_IF
                                            : -1;
    if (blockOp >= 0) {
      p->depth++;
      bool ok = wi_block_flat(p, out, blockOp);
      p->depth--;
      if (!ok) return false;
    } else if (!wi_plain(p, out)) {
      return false;
    }
    if (out->oom) return wat_fail(p, t, "out of memory");
  }
}

bool wat_expr(WatParser *p, Buf *out) {
  if (!wat_instrs(p, out)) return false;
  buf_byte(out, 0x0B);
  return true;
}
