/*
** emit_simd.c: SIMD (v128) instructions -> C.
**
** Inline, with GCC vector extensions, the operations whose C vector
** semantics are exactly Wasm's: v128 constants, loads and stores (lane
** ones included), bitwise operations, wrapping integer add/sub/mul/neg,
** shifts by a masked count, compares (all ones where true; float compares
** are false for NaN, ne true), f32x4/f64x2 add/sub/mul/div, float abs/neg
** on the bits, splats, lane extraction and replacement, shuffles. Every
** other SIMD instruction is a call of rt->simd (aot_rt_simd, simd.c), with
** scalar operands in the low lane of a v128.
**
** It may not touch: the module (read only), the runtime.
*/
#include <stdio.h>
#include <string.h>

#include "engine/aot/emit_int.h"

#define V2(vt, op) "(cairn_v128)((" vt ")$0 " op " (" vt ")$1)"

static const char *const aSimd[OP_COUNT_] = {
    [OP_V128_NOT] = "~$0",
    [OP_V128_AND] = "$0 & $1",
    [OP_V128_ANDNOT] = "$0 & ~$1",
    [OP_V128_OR] = "$0 | $1",
    [OP_V128_XOR] = "$0 ^ $1",
    [OP_V128_BITSELECT] = "($0 & $2) | ($1 & ~$2)",
    [OP_V128_ANY_TRUE] = "(uint32_t)(($0[0] | $0[1]) != 0)",
    [OP_I8X16_ADD] = V2("cairn_u8x16", "+"),
    [OP_I8X16_SUB] = V2("cairn_u8x16", "-"),
    [OP_I8X16_NEG] = "(cairn_v128)(-(cairn_u8x16)$0)",
    [OP_I16X8_ADD] = V2("cairn_u16x8", "+"),
    [OP_I16X8_SUB] = V2("cairn_u16x8", "-"),
    [OP_I16X8_MUL] = V2("cairn_u16x8", "*"),
    [OP_I16X8_NEG] = "(cairn_v128)(-(cairn_u16x8)$0)",
    [OP_I32X4_ADD] = V2("cairn_u32x4", "+"),
    [OP_I32X4_SUB] = V2("cairn_u32x4", "-"),
    [OP_I32X4_MUL] = V2("cairn_u32x4", "*"),
    [OP_I32X4_NEG] = "(cairn_v128)(-(cairn_u32x4)$0)",
    [OP_I64X2_ADD] = "$0 + $1",
    [OP_I64X2_SUB] = "$0 - $1",
    [OP_I64X2_MUL] = "$0 * $1",
    [OP_I64X2_NEG] = "-$0",
    [OP_I8X16_SHL] = "(cairn_v128)((cairn_u8x16)$0 << (int)($1 & 7))",
    [OP_I8X16_SHR_S] = "(cairn_v128)((cairn_i8x16)$0 >> (int)($1 & 7))",
    [OP_I8X16_SHR_U] = "(cairn_v128)((cairn_u8x16)$0 >> (int)($1 & 7))",
    [OP_I16X8_SHL] = "(cairn_v128)((cairn_u16x8)$0 << (int)($1 & 15))",
    [OP_I16X8_SHR_S] = "(cairn_v128)((cairn_i16x8)$0 >> (int)($1 & 15))",
    [OP_I16X8_SHR_U] = "(cairn_v128)((cairn_u16x8)$0 >> (int)($1 & 15))",
    [OP_I32X4_SHL] = "(cairn_v128)((cairn_u32x4)$0 << (int)($1 & 31))",
    [OP_I32X4_SHR_S] = "(cairn_v128)((cairn_i32x4)$0 >> (int)($1 & 31))",
    [OP_I32X4_SHR_U] = "(cairn_v128)((cairn_u32x4)$0 >> (int)($1 & 31))",
    [OP_I64X2_SHL] = "$0 << (int)($1 & 63)",
    [OP_I64X2_SHR_S] = "(cairn_v128)((cairn_i64x2)$0 >> (int)($1 & 63))",
    [OP_I64X2_SHR_U] = "$0 >> (int)($1 & 63)",
    [OP_I8X16_EQ] = V2("cairn_i8x16", "=="),
    [OP_I8X16_NE] = V2("cairn_i8x16", "!="),
    [OP_I8X16_LT_S] = V2("cairn_i8x16", "<"),
    [OP_I8X16_LT_U] = V2("cairn_u8x16", "<"),
    [OP_I8X16_GT_S] = V2("cairn_i8x16", ">"),
    [OP_I8X16_GT_U] = V2("cairn_u8x16", ">"),
    [OP_I8X16_LE_S] = V2("cairn_i8x16", "<="),
    [OP_I8X16_LE_U] = V2("cairn_u8x16", "<="),
    [OP_I8X16_GE_S] = V2("cairn_i8x16", ">="),
    [OP_I8X16_GE_U] = V2("cairn_u8x16", ">="),
    [OP_I16X8_EQ] = V2("cairn_i16x8", "=="),
    [OP_I16X8_NE] = V2("cairn_i16x8", "!="),
    [OP_I16X8_LT_S] = V2("cairn_i16x8", "<"),
    [OP_I16X8_LT_U] = V2("cairn_u16x8", "<"),
    [OP_I16X8_GT_S] = V2("cairn_i16x8", ">"),
    [OP_I16X8_GT_U] = V2("cairn_u16x8", ">"),
    [OP_I16X8_LE_S] = V2("cairn_i16x8", "<="),
    [OP_I16X8_LE_U] = V2("cairn_u16x8", "<="),
    [OP_I16X8_GE_S] = V2("cairn_i16x8", ">="),
    [OP_I16X8_GE_U] = V2("cairn_u16x8", ">="),
    [OP_I32X4_EQ] = V2("cairn_i32x4", "=="),
    [OP_I32X4_NE] = V2("cairn_i32x4", "!="),
    [OP_I32X4_LT_S] = V2("cairn_i32x4", "<"),
    [OP_I32X4_LT_U] = V2("cairn_u32x4", "<"),
    [OP_I32X4_GT_S] = V2("cairn_i32x4", ">"),
    [OP_I32X4_GT_U] = V2("cairn_u32x4", ">"),
    [OP_I32X4_LE_S] = V2("cairn_i32x4", "<="),
    [OP_I32X4_LE_U] = V2("cairn_u32x4", "<="),
    [OP_I32X4_GE_S] = V2("cairn_i32x4", ">="),
    [OP_I32X4_GE_U] = V2("cairn_u32x4", ">="),
    [OP_I64X2_EQ] = V2("cairn_i64x2", "=="),
    [OP_I64X2_NE] = V2("cairn_i64x2", "!="),
    [OP_I64X2_LT_S] = V2("cairn_i64x2", "<"),
    [OP_I64X2_GT_S] = V2("cairn_i64x2", ">"),
    [OP_I64X2_LE_S] = V2("cairn_i64x2", "<="),
    [OP_I64X2_GE_S] = V2("cairn_i64x2", ">="),
    [OP_F32X4_EQ] = V2("cairn_f32x4", "=="),
    [OP_F32X4_NE] = V2("cairn_f32x4", "!="),
    [OP_F32X4_LT] = V2("cairn_f32x4", "<"),
    [OP_F32X4_GT] = V2("cairn_f32x4", ">"),
    [OP_F32X4_LE] = V2("cairn_f32x4", "<="),
    [OP_F32X4_GE] = V2("cairn_f32x4", ">="),
    [OP_F64X2_EQ] = V2("cairn_f64x2", "=="),
    [OP_F64X2_NE] = V2("cairn_f64x2", "!="),
    [OP_F64X2_LT] = V2("cairn_f64x2", "<"),
    [OP_F64X2_GT] = V2("cairn_f64x2", ">"),
    [OP_F64X2_LE] = V2("cairn_f64x2", "<="),
    [OP_F64X2_GE] = V2("cairn_f64x2", ">="),
    [OP_F32X4_ADD] = V2("cairn_f32x4", "+"),
    [OP_F32X4_SUB] = V2("cairn_f32x4", "-"),
    [OP_F32X4_MUL] = V2("cairn_f32x4", "*"),
    [OP_F32X4_DIV] = V2("cairn_f32x4", "/"),
    [OP_F64X2_ADD] = V2("cairn_f64x2", "+"),
    [OP_F64X2_SUB] = V2("cairn_f64x2", "-"),
    [OP_F64X2_MUL] = V2("cairn_f64x2", "*"),
    [OP_F64X2_DIV] = V2("cairn_f64x2", "/"),
    [OP_F32X4_ABS] = "(cairn_v128)((cairn_u32x4)$0 & 0x7FFFFFFFu)",
    [OP_F32X4_NEG] = "(cairn_v128)((cairn_u32x4)$0 ^ 0x80000000u)",
    [OP_F64X2_ABS] = "$0 & 0x7FFFFFFFFFFFFFFFull",
    [OP_F64X2_NEG] = "$0 ^ 0x8000000000000000ull",
    [OP_I8X16_SPLAT] = "(cairn_v128)((cairn_u8x16){0} + (uint8_t)$0)",
    [OP_I16X8_SPLAT] = "(cairn_v128)((cairn_u16x8){0} + (uint16_t)$0)",
    [OP_I32X4_SPLAT] = "(cairn_v128)((cairn_u32x4){0} + $0)",
    [OP_I64X2_SPLAT] = "(cairn_v128){$0, $0}",
    [OP_F32X4_SPLAT] = "(cairn_v128)((cairn_u32x4){0} + cairn_f32_bits($0))",
    [OP_F64X2_SPLAT] = "(cairn_v128){cairn_f64_bits($0), cairn_f64_bits($0)}",
};

/* extract_lane: the lane's C vector view and the conversion to the result */
static const char *const aExtract[OP_COUNT_] = {
    [OP_I8X16_EXTRACT_LANE_S] = "(uint32_t)(int32_t)((cairn_i8x16)$0)[%u]",
    [OP_I8X16_EXTRACT_LANE_U] = "(uint32_t)((cairn_u8x16)$0)[%u]",
    [OP_I16X8_EXTRACT_LANE_S] = "(uint32_t)(int32_t)((cairn_i16x8)$0)[%u]",
    [OP_I16X8_EXTRACT_LANE_U] = "(uint32_t)((cairn_u16x8)$0)[%u]",
    [OP_I32X4_EXTRACT_LANE] = "((cairn_u32x4)$0)[%u]",
    [OP_I64X2_EXTRACT_LANE] = "$0[%u]",
    [OP_F32X4_EXTRACT_LANE] = "cairn_f32_from_bits(((cairn_u32x4)$0)[%u])",
    [OP_F64X2_EXTRACT_LANE] = "cairn_f64_from_bits($0[%u])",
    /* replace_lane: in a copy, the new lane's bits */
    [OP_I8X16_REPLACE_LANE] =
        "({ cairn_u8x16 t_ = (cairn_u8x16)$0; t_[%u] = (uint8_t)$1; (cairn_v128)t_; })",
    [OP_I16X8_REPLACE_LANE] =
        "({ cairn_u16x8 t_ = (cairn_u16x8)$0; t_[%u] = (uint16_t)$1; (cairn_v128)t_; })",
    [OP_I32X4_REPLACE_LANE] =
        "({ cairn_u32x4 t_ = (cairn_u32x4)$0; t_[%u] = $1; (cairn_v128)t_; })",
    [OP_I64X2_REPLACE_LANE] = "({ cairn_v128 t_ = $0; t_[%u] = $1; t_; })",
    [OP_F32X4_REPLACE_LANE] =
        "({ cairn_u32x4 t_ = (cairn_u32x4)$0; t_[%u] = cairn_f32_bits($1); (cairn_v128)t_; })",
    [OP_F64X2_REPLACE_LANE] = "({ cairn_v128 t_ = $0; t_[%u] = cairn_f64_bits($1); t_; })",
};

/* lane loads and stores: the lane's C type and vector view */
typedef struct LaneOp {
  uint8_t n;
  const char *zType, *zVec;
} LaneOp;

static LaneOp lane_op(WasmOp op) {
  switch (op) {
    case OP_V128_LOAD8_LANE: case OP_V128_STORE8_LANE: return (LaneOp){1, "uint8_t", "cairn_u8x16"};
    case OP_V128_LOAD16_LANE: case OP_V128_STORE16_LANE: return (LaneOp){2, "uint16_t", "cairn_u16x8"};
    case OP_V128_LOAD32_LANE: case OP_V128_STORE32_LANE: return (LaneOp){4, "uint32_t", "cairn_u32x4"};
    default: return (LaneOp){8, "uint64_t", "cairn_v128"};
  }
}

/* A v128 operand for rt->simd from the value at depth d */
static void emit_simd_operand(Emit *e, uint32_t d, char *z, size_t n) {
  const char *zV = emit_var(e, d);
  switch (e->aStk[d]) {
    case VT_V128: snprintf(z, n, "%s", zV); break;
    case VT_F32: snprintf(z, n, "(cairn_v128){(uint64_t)cairn_f32_bits(%s), 0}", zV); break;
    case VT_F64: snprintf(z, n, "(cairn_v128){cairn_f64_bits(%s), 0}", zV); break;
    default: snprintf(z, n, "(cairn_v128){(uint64_t)%s, 0}", zV); break;
  }
}

/* An instruction the runtime computes: rt->simd(op, operands, imm). */
static void emit_simd_rt(Emit *e, WasmOp op, uint64_t imm) {
  const OpInfo *oi = &opinfo_table[op];
  uint32_t nIn = (uint32_t)strlen(oi->zParams);
  char aZ[3][2 * EMIT_NAME];
  for (uint32_t i = 0; i < 3; i++) snprintf(aZ[i], sizeof aZ[i], "(cairn_v128){0, 0}");
  for (uint32_t i = 0; i < nIn; i++) emit_simd_operand(e, e->nStk - nIn + i, aZ[i], sizeof aZ[i]);
  emit_pop(e, nIn);
  ValType rt = emit_letter_type(oi->zResults[0]);
  emit_push(e, rt);
  emit_printf(&e->body, "  %s = %scairn_simd(ctx, %u, %s, %s, %s, %lluu)%s;\n", emit_top(e, 0),
              rt == VT_I32 ? "(uint32_t)" : "", (unsigned)op, aZ[0], aZ[1], aZ[2],
              (unsigned long long)imm, rt == VT_I32 ? "[0]" : "");
}

static bool emit_simd_memory(Emit *e, const Instr *in) {
  char zAddr[96], zV[EMIT_NAME], zLoad[160];
  switch (in->op) {
    case OP_V128_LOAD:
    case OP_V128_LOAD32_ZERO:
    case OP_V128_LOAD64_ZERO:
    case OP_V128_LOAD8_SPLAT:
    case OP_V128_LOAD16_SPLAT:
    case OP_V128_LOAD32_SPLAT:
    case OP_V128_LOAD64_SPLAT: {
      static const struct {
        WasmOp op;
        uint8_t n;
        const char *zType, *zFmt;  /* zFmt: of the load expression */
      } aLoad[] = {
          {OP_V128_LOAD, 16, "cairn_v128", "%s"},
          {OP_V128_LOAD32_ZERO, 4, "uint32_t", "(cairn_v128){(uint64_t)%s, 0}"},
          {OP_V128_LOAD64_ZERO, 8, "uint64_t", "(cairn_v128){%s, 0}"},
          {OP_V128_LOAD8_SPLAT, 1, "uint8_t", "(cairn_v128)((cairn_u8x16){0} + %s)"},
          {OP_V128_LOAD16_SPLAT, 2, "uint16_t", "(cairn_v128)((cairn_u16x8){0} + %s)"},
          {OP_V128_LOAD32_SPLAT, 4, "uint32_t", "(cairn_v128)((cairn_u32x4){0} + %s)"},
          {OP_V128_LOAD64_SPLAT, 8, "uint64_t", "((cairn_v128){0, 0} + %s)"},
      };
      for (size_t i = 0; i < sizeof aLoad / sizeof aLoad[0]; i++) {
        if (aLoad[i].op != in->op) continue;
        emit_address(e, in, aLoad[i].n, zAddr, sizeof zAddr);
        emit_load_expr(e, aLoad[i].zType, zAddr, zLoad, sizeof zLoad);
        emit_push(e, VT_V128);
        emit_printf(&e->body, "  %s = ", emit_top(e, 0));
        emit_printf(&e->body, aLoad[i].zFmt, zLoad);
        emit_str(&e->body, ";\n");
      }
      return true;
    }
    case OP_V128_LOAD8X8_S:
    case OP_V128_LOAD8X8_U:
    case OP_V128_LOAD16X4_S:
    case OP_V128_LOAD16X4_U:
    case OP_V128_LOAD32X2_S:
    case OP_V128_LOAD32X2_U:
      /* the 8 bytes inline, their widening by the runtime */
      emit_address(e, in, 8, zAddr, sizeof zAddr);
      emit_load_expr(e, "uint64_t", zAddr, zLoad, sizeof zLoad);
      emit_push(e, VT_V128);
      emit_printf(&e->body,
                  "  %s = cairn_simd(ctx, %u, (cairn_v128){%s, 0}, "
                  "(cairn_v128){0, 0}, (cairn_v128){0, 0}, 0);\n",
                  emit_top(e, 0), (unsigned)in->op, zLoad);
      return true;
    case OP_V128_STORE:
      snprintf(zV, sizeof zV, "%s", emit_top(e, 0));
      emit_pop(e, 1);
      emit_address(e, in, 16, zAddr, sizeof zAddr);
      emit_printf(&e->body, "  CAIRN_STORE(cairn_v128, %s, %s);\n", zAddr, zV);
      return true;
    case OP_V128_LOAD8_LANE:
    case OP_V128_LOAD16_LANE:
    case OP_V128_LOAD32_LANE:
    case OP_V128_LOAD64_LANE: {
      LaneOp lo = lane_op(in->op);
      snprintf(zV, sizeof zV, "%s", emit_top(e, 0));
      emit_pop(e, 1);
      emit_address(e, in, lo.n, zAddr, sizeof zAddr);
      emit_load_expr(e, lo.zType, zAddr, zLoad, sizeof zLoad);
      emit_push(e, VT_V128);
      emit_printf(&e->body, "  { %s t_ = (%s)%s; t_[%u] = %s; %s = (cairn_v128)t_; }\n",
                  lo.zVec, lo.zVec, zV, in->a, zLoad, emit_top(e, 0));
      return true;
    }
    case OP_V128_STORE8_LANE:
    case OP_V128_STORE16_LANE:
    case OP_V128_STORE32_LANE:
    case OP_V128_STORE64_LANE: {
      LaneOp lo = lane_op(in->op);
      snprintf(zV, sizeof zV, "%s", emit_top(e, 0));
      emit_pop(e, 1);
      emit_address(e, in, lo.n, zAddr, sizeof zAddr);
      emit_printf(&e->body, "  CAIRN_STORE(%s, %s, ((%s)%s)[%u]);\n", lo.zType, zAddr, lo.zVec, zV,
                  in->a);
      return true;
    }
    default:
      return false;
  }
}

bool emit_simd(Emit *e, const Instr *in) {
  if (in->op >= OP_COUNT_ || (opinfo_table[in->op].code >> 16) != 0xFD) return false;
  if (emit_simd_memory(e, in)) return true;
  switch (in->op) {
    case OP_V128_CONST:
      emit_push_const(e, VT_V128, 0, in->pVec);
      return true;
    case OP_I8X16_SHUFFLE: {
      char zT[160];
      int n = snprintf(zT, sizeof zT, "CAIRN_SHUFFLE($0, $1");
      for (int i = 0; i < 16 && n > 0 && (size_t)n < sizeof zT; i++)
        n += snprintf(zT + n, sizeof zT - (size_t)n, ", %u", in->pVec[i] & 31);
      if (n > 0 && (size_t)n < sizeof zT) snprintf(zT + n, sizeof zT - (size_t)n, ")");
      emit_template(e, in->op, zT);
      return true;
    }
    default:
      break;
  }
  if (aExtract[in->op]) {
    char zT[160];
    snprintf(zT, sizeof zT, aExtract[in->op], in->a);
    emit_template(e, in->op, zT);
    return true;
  }
  if (aSimd[in->op]) {
    emit_template(e, in->op, aSimd[in->op]);
    return true;
  }
  emit_simd_rt(e, in->op, 0);
  return true;
}
