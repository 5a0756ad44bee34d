/*
** emit_ops.c: numeric, memory and table instructions -> C statements.
**
** Numeric instructions are C expression templates ($0, $1, $2: the
** operands, bottom of the stack first) over the ABI's value types; what C
** does not give exactly (traps, float min/max and rounding, NaN bits) is a
** helper of cairn_aot.h. Memory accesses go through the cached base m<i>
** (and size n<i> when checked); table instructions index the table's elems
** or call the runtime's helpers, after which memories are reloaded.
**
** It may not touch: the module (read only), the runtime.
*/
#include <stdio.h>
#include <string.h>

#include "engine/aot/emit_int.h"

ValType emit_letter_type(char c) {
  switch (c) {
    case 'i': return VT_I32;
    case 'l': return VT_I64;
    case 'f': return VT_F32;
    case 'd': return VT_F64;
    case 'v': return VT_V128;
    case 'r': return VT_FUNCREF;
    default: return VT_EXTERNREF;
  }
}

void emit_template(Emit *e, WasmOp op, const char *zT) {
  const OpInfo *oi = &opinfo_table[op];
  uint32_t nIn = (uint32_t)strlen(oi->zParams), nOut = (uint32_t)strlen(oi->zResults);
  uint32_t base = e->nStk - nIn;
  const char *aIn[3] = {"", "", ""};
  char aZ[3][EMIT_NAME];
  for (uint32_t i = 0; i < nIn && i < 3; i++) {
    snprintf(aZ[i], sizeof aZ[i], "%s", emit_var(e, base + i));
    aIn[i] = aZ[i];
  }
  emit_pop(e, nIn);
  if (nOut)
    emit_result(e, emit_letter_type(oi->zResults[0]));
  else
    emit_str(&e->body, "  ");
  for (const char *z = zT; *z; z++) {
    if (z[0] == '$' && z[1] >= '0' && z[1] <= '2') {
      emit_str(&e->body, aIn[z[1] - '0']);
      z++;
    } else {
      buf_byte(&e->body, (uint8_t)*z);
    }
  }
  if (nOut)
    emit_result_end(e);
  else
    emit_str(&e->body, ";\n");
}

/* ---- numeric ---- */

#define CMP_S32(op) "(uint32_t)((int32_t)$0 " op " (int32_t)$1)"
#define CMP_S64(op) "(uint32_t)((int64_t)$0 " op " (int64_t)$1)"
#define CMP(op) "(uint32_t)($0 " op " $1)"

static const char *const aNumeric[OP_COUNT_] = {
    [OP_I32_EQZ] = "(uint32_t)($0 == 0)",
    [OP_I32_EQ] = CMP("=="),
    [OP_I32_NE] = CMP("!="),
    [OP_I32_LT_S] = CMP_S32("<"),
    [OP_I32_LT_U] = CMP("<"),
    [OP_I32_GT_S] = CMP_S32(">"),
    [OP_I32_GT_U] = CMP(">"),
    [OP_I32_LE_S] = CMP_S32("<="),
    [OP_I32_LE_U] = CMP("<="),
    [OP_I32_GE_S] = CMP_S32(">="),
    [OP_I32_GE_U] = CMP(">="),
    [OP_I64_EQZ] = "(uint32_t)($0 == 0)",
    [OP_I64_EQ] = CMP("=="),
    [OP_I64_NE] = CMP("!="),
    [OP_I64_LT_S] = CMP_S64("<"),
    [OP_I64_LT_U] = CMP("<"),
    [OP_I64_GT_S] = CMP_S64(">"),
    [OP_I64_GT_U] = CMP(">"),
    [OP_I64_LE_S] = CMP_S64("<="),
    [OP_I64_LE_U] = CMP("<="),
    [OP_I64_GE_S] = CMP_S64(">="),
    [OP_I64_GE_U] = CMP(">="),
    [OP_F32_EQ] = CMP("=="),
    [OP_F32_NE] = CMP("!="),
    [OP_F32_LT] = CMP("<"),
    [OP_F32_GT] = CMP(">"),
    [OP_F32_LE] = CMP("<="),
    [OP_F32_GE] = CMP(">="),
    [OP_F64_EQ] = CMP("=="),
    [OP_F64_NE] = CMP("!="),
    [OP_F64_LT] = CMP("<"),
    [OP_F64_GT] = CMP(">"),
    [OP_F64_LE] = CMP("<="),
    [OP_F64_GE] = CMP(">="),
    [OP_I32_CLZ] = "cairn_i32_clz($0)",
    [OP_I32_CTZ] = "cairn_i32_ctz($0)",
    [OP_I32_POPCNT] = "cairn_i32_popcnt($0)",
    [OP_I32_ADD] = "$0 + $1",
    [OP_I32_SUB] = "$0 - $1",
    [OP_I32_MUL] = "$0 * $1",
    [OP_I32_DIV_S] = "cairn_i32_div_s(ctx, $0, $1)",
    [OP_I32_DIV_U] = "cairn_i32_div_u(ctx, $0, $1)",
    [OP_I32_REM_S] = "cairn_i32_rem_s(ctx, $0, $1)",
    [OP_I32_REM_U] = "cairn_i32_rem_u(ctx, $0, $1)",
    [OP_I32_AND] = "$0 & $1",
    [OP_I32_OR] = "$0 | $1",
    [OP_I32_XOR] = "$0 ^ $1",
    [OP_I32_SHL] = "$0 << ($1 & 31)",
    [OP_I32_SHR_S] = "(uint32_t)((int32_t)$0 >> ($1 & 31))",
    [OP_I32_SHR_U] = "$0 >> ($1 & 31)",
    [OP_I32_ROTL] = "cairn_i32_rotl($0, $1)",
    [OP_I32_ROTR] = "cairn_i32_rotr($0, $1)",
    [OP_I64_CLZ] = "cairn_i64_clz($0)",
    [OP_I64_CTZ] = "cairn_i64_ctz($0)",
    [OP_I64_POPCNT] = "cairn_i64_popcnt($0)",
    [OP_I64_ADD] = "$0 + $1",
    [OP_I64_SUB] = "$0 - $1",
    [OP_I64_MUL] = "$0 * $1",
    [OP_I64_DIV_S] = "cairn_i64_div_s(ctx, $0, $1)",
    [OP_I64_DIV_U] = "cairn_i64_div_u(ctx, $0, $1)",
    [OP_I64_REM_S] = "cairn_i64_rem_s(ctx, $0, $1)",
    [OP_I64_REM_U] = "cairn_i64_rem_u(ctx, $0, $1)",
    [OP_I64_AND] = "$0 & $1",
    [OP_I64_OR] = "$0 | $1",
    [OP_I64_XOR] = "$0 ^ $1",
    [OP_I64_SHL] = "$0 << ($1 & 63)",
    [OP_I64_SHR_S] = "(uint64_t)((int64_t)$0 >> ($1 & 63))",
    [OP_I64_SHR_U] = "$0 >> ($1 & 63)",
    [OP_I64_ROTL] = "cairn_i64_rotl($0, $1)",
    [OP_I64_ROTR] = "cairn_i64_rotr($0, $1)",
    [OP_F32_ABS] = "cairn_f32_abs($0)",
    [OP_F32_NEG] = "cairn_f32_neg($0)",
    [OP_F32_CEIL] = "cairn_f32_ceil($0)",
    [OP_F32_FLOOR] = "cairn_f32_floor($0)",
    [OP_F32_TRUNC] = "cairn_f32_trunc($0)",
    [OP_F32_NEAREST] = "cairn_f32_nearest($0)",
    [OP_F32_SQRT] = "cairn_f32_sqrt($0)",
    [OP_F32_ADD] = "$0 + $1",
    [OP_F32_SUB] = "$0 - $1",
    [OP_F32_MUL] = "$0 * $1",
    [OP_F32_DIV] = "$0 / $1",
    [OP_F32_MIN] = "cairn_f32_min($0, $1)",
    [OP_F32_MAX] = "cairn_f32_max($0, $1)",
    [OP_F32_COPYSIGN] = "cairn_f32_copysign($0, $1)",
    [OP_F64_ABS] = "cairn_f64_abs($0)",
    [OP_F64_NEG] = "cairn_f64_neg($0)",
    [OP_F64_CEIL] = "cairn_f64_ceil($0)",
    [OP_F64_FLOOR] = "cairn_f64_floor($0)",
    [OP_F64_TRUNC] = "cairn_f64_trunc($0)",
    [OP_F64_NEAREST] = "cairn_f64_nearest($0)",
    [OP_F64_SQRT] = "cairn_f64_sqrt($0)",
    [OP_F64_ADD] = "$0 + $1",
    [OP_F64_SUB] = "$0 - $1",
    [OP_F64_MUL] = "$0 * $1",
    [OP_F64_DIV] = "$0 / $1",
    [OP_F64_MIN] = "cairn_f64_min($0, $1)",
    [OP_F64_MAX] = "cairn_f64_max($0, $1)",
    [OP_F64_COPYSIGN] = "cairn_f64_copysign($0, $1)",
    [OP_I32_WRAP_I64] = "(uint32_t)$0",
    [OP_I32_TRUNC_F32_S] = "cairn_i32_trunc_f32_s(ctx, $0)",
    [OP_I32_TRUNC_F32_U] = "cairn_i32_trunc_f32_u(ctx, $0)",
    [OP_I32_TRUNC_F64_S] = "cairn_i32_trunc_f64_s(ctx, $0)",
    [OP_I32_TRUNC_F64_U] = "cairn_i32_trunc_f64_u(ctx, $0)",
    [OP_I64_EXTEND_I32_S] = "(uint64_t)(int64_t)(int32_t)$0",
    [OP_I64_EXTEND_I32_U] = "(uint64_t)$0",
    [OP_I64_TRUNC_F32_S] = "cairn_i64_trunc_f32_s(ctx, $0)",
    [OP_I64_TRUNC_F32_U] = "cairn_i64_trunc_f32_u(ctx, $0)",
    [OP_I64_TRUNC_F64_S] = "cairn_i64_trunc_f64_s(ctx, $0)",
    [OP_I64_TRUNC_F64_U] = "cairn_i64_trunc_f64_u(ctx, $0)",
    [OP_F32_CONVERT_I32_S] = "(float)(int32_t)$0",
    [OP_F32_CONVERT_I32_U] = "(float)$0",
    [OP_F32_CONVERT_I64_S] = "(float)(int64_t)$0",
    [OP_F32_CONVERT_I64_U] = "(float)$0",
    [OP_F32_DEMOTE_F64] = "(float)$0",
    [OP_F64_CONVERT_I32_S] = "(double)(int32_t)$0",
    [OP_F64_CONVERT_I32_U] = "(double)$0",
    [OP_F64_CONVERT_I64_S] = "(double)(int64_t)$0",
    [OP_F64_CONVERT_I64_U] = "(double)$0",
    [OP_F64_PROMOTE_F32] = "cairn_f64_promote_f32($0)",
    [OP_I32_REINTERPRET_F32] = "cairn_f32_bits($0)",
    [OP_I64_REINTERPRET_F64] = "cairn_f64_bits($0)",
    [OP_F32_REINTERPRET_I32] = "cairn_f32_from_bits($0)",
    [OP_F64_REINTERPRET_I64] = "cairn_f64_from_bits($0)",
    [OP_I32_EXTEND8_S] = "(uint32_t)(int32_t)(int8_t)$0",
    [OP_I32_EXTEND16_S] = "(uint32_t)(int32_t)(int16_t)$0",
    [OP_I64_EXTEND8_S] = "(uint64_t)(int64_t)(int8_t)$0",
    [OP_I64_EXTEND16_S] = "(uint64_t)(int64_t)(int16_t)$0",
    [OP_I64_EXTEND32_S] = "(uint64_t)(int64_t)(int32_t)$0",
    [OP_I32_TRUNC_SAT_F32_S] = "cairn_i32_trunc_sat_f32_s($0)",
    [OP_I32_TRUNC_SAT_F32_U] = "cairn_i32_trunc_sat_f32_u($0)",
    [OP_I32_TRUNC_SAT_F64_S] = "cairn_i32_trunc_sat_f64_s($0)",
    [OP_I32_TRUNC_SAT_F64_U] = "cairn_i32_trunc_sat_f64_u($0)",
    [OP_I64_TRUNC_SAT_F32_S] = "cairn_i64_trunc_sat_f32_s($0)",
    [OP_I64_TRUNC_SAT_F32_U] = "cairn_i64_trunc_sat_f32_u($0)",
    [OP_I64_TRUNC_SAT_F64_S] = "cairn_i64_trunc_sat_f64_s($0)",
    [OP_I64_TRUNC_SAT_F64_U] = "cairn_i64_trunc_sat_f64_u($0)",
};

bool emit_numeric_pure(WasmOp op) {
  return op < OP_COUNT_ && aNumeric[op] && !strstr(aNumeric[op], "ctx");
}

bool emit_numeric(Emit *e, const Instr *in) {
  switch (in->op) {
    case OP_I32_CONST:
      emit_push_const(e, VT_I32, (uint32_t)in->bits, NULL);
      return true;
    case OP_I64_CONST:
      emit_push_const(e, VT_I64, in->bits, NULL);
      return true;
    case OP_F32_CONST:
      emit_push_const(e, VT_F32, (uint32_t)in->bits, NULL);
      return true;
    case OP_F64_CONST:
      emit_push_const(e, VT_F64, in->bits, NULL);
      return true;
    default:
      break;
  }
  if (in->op >= OP_COUNT_ || !aNumeric[in->op]) return false;
  emit_template(e, in->op, aNumeric[in->op]);
  return true;
}

/* ---- memory ---- */

void emit_address(Emit *e, const Instr *in, uint32_t n, char *zOut, size_t nOut) {
  uint32_t mem = 0; /* Wasm 2.0: one memory, memarg has no index */
  char zA[EMIT_NAME];
  snprintf(zA, sizeof zA, "%s", emit_top(e, 0));
  emit_pop(e, 1);
  if (e->lv) { /* a loop's fast copy: proved in bounds at its entry */
    emit_loop_address(e, zOut, nOut);
    return;
  }
  if (e->o->checked)
    emit_printf(&e->body,
                "  if (CAIRN_UNLIKELY((uint64_t)%s + %lluu + %u > n%u)) "
                "cairn_trap(ctx, CAIRN_AOT_TRAP_MEMORY_OOB);\n",
                zA, (unsigned long long)in->offset, n, mem);
  if (in->offset)
    snprintf(zOut, nOut, "m%u + ((uint64_t)%s + %lluu)", mem, zA, (unsigned long long)in->offset);
  else
    snprintf(zOut, nOut, "m%u + %s", mem, zA);
}

void emit_load_expr(Emit *e, const char *zType, const char *zAddr, char *zOut, size_t nOut) {
  /* checked: the explicit check traps, the load itself may go if unused */
  const char *zMacro = "CAIRN_LOAD";
  if (e->lv) /* a loop's fast copy: cannot fault */
    zMacro = "CAIRN_LOADV";
  else if (!e->o->checked)
    zMacro = !strcmp(zType, "float") || !strcmp(zType, "double") || !strcmp(zType, "cairn_v128")
                 ? "CAIRN_LOADKF"
                 : "CAIRN_LOADK";
  snprintf(zOut, nOut, "%s(%s, %s)", zMacro, zType, zAddr);
}

/* loads: bytes, the C type read, the conversion to the result */
typedef struct MemOp {
  uint8_t n;
  const char *zType;
  const char *zConv;   /* a printf format taking the loaded value (loads) or the stored one */
} MemOp;

static const MemOp aMemOp[OP_COUNT_] = {
    [OP_I32_LOAD] = {4, "uint32_t", "%s"},
    [OP_I64_LOAD] = {8, "uint64_t", "%s"},
    [OP_F32_LOAD] = {4, "float", "%s"},
    [OP_F64_LOAD] = {8, "double", "%s"},
    [OP_I32_LOAD8_S] = {1, "int8_t", "(uint32_t)(int32_t)%s"},
    [OP_I32_LOAD8_U] = {1, "uint8_t", "(uint32_t)%s"},
    [OP_I32_LOAD16_S] = {2, "int16_t", "(uint32_t)(int32_t)%s"},
    [OP_I32_LOAD16_U] = {2, "uint16_t", "(uint32_t)%s"},
    [OP_I64_LOAD8_S] = {1, "int8_t", "(uint64_t)(int64_t)%s"},
    [OP_I64_LOAD8_U] = {1, "uint8_t", "(uint64_t)%s"},
    [OP_I64_LOAD16_S] = {2, "int16_t", "(uint64_t)(int64_t)%s"},
    [OP_I64_LOAD16_U] = {2, "uint16_t", "(uint64_t)%s"},
    [OP_I64_LOAD32_S] = {4, "int32_t", "(uint64_t)(int64_t)%s"},
    [OP_I64_LOAD32_U] = {4, "uint32_t", "(uint64_t)%s"},
    [OP_I32_STORE] = {4, "uint32_t", "%s"},
    [OP_I64_STORE] = {8, "uint64_t", "%s"},
    [OP_F32_STORE] = {4, "float", "%s"},
    [OP_F64_STORE] = {8, "double", "%s"},
    [OP_I32_STORE8] = {1, "uint8_t", "(uint8_t)%s"},
    [OP_I32_STORE16] = {2, "uint16_t", "(uint16_t)%s"},
    [OP_I64_STORE8] = {1, "uint8_t", "(uint8_t)%s"},
    [OP_I64_STORE16] = {2, "uint16_t", "(uint16_t)%s"},
    [OP_I64_STORE32] = {4, "uint32_t", "(uint32_t)%s"},
};

uint32_t emit_mem_access(WasmOp op, const char **pzType) {
  if (op >= OP_COUNT_ || !aMemOp[op].n) return 0;
  *pzType = aMemOp[op].zType;
  return aMemOp[op].n;
}

bool emit_memory(Emit *e, const Instr *in) {
  char zAddr[96], zV[EMIT_NAME], zLoad[160];
  switch (in->op) {
    case OP_MEMORY_SIZE:
      emit_push(e, VT_I32);
      emit_printf(&e->body, "  %s = (uint32_t)(ctx->mems[%u]->bytes >> 16);\n", emit_top(e, 0),
                  in->b);
      return true;
    case OP_MEMORY_GROW: {
      char zN[EMIT_NAME];
      snprintf(zN, sizeof zN, "%s", emit_top(e, 0));
      emit_pop(e, 1);
      emit_push(e, VT_I32);
      emit_printf(&e->body, "  %s = ctx->rt->memory_grow(ctx, %u, %s);\n", emit_top(e, 0), in->b,
                  zN);
      emit_reload_mems(e);
      return true;
    }
    case OP_MEMORY_FILL:
      emit_printf(&e->body, "  cairn_memory_fill(ctx, %u, m%u, %s, %s, %s);\n", in->b, in->b,
                  emit_top(e, 2), emit_top(e, 1), emit_top(e, 0));
      emit_pop(e, 3);
      emit_reload_mems(e);
      return true;
    case OP_MEMORY_COPY:
      /* MEM_MEM: dst memory in a, src in b when multi-memory; 0 in Wasm 2.0 */
      emit_printf(&e->body, "  cairn_memory_copy(ctx, 0, m0, %s, %s, %s);\n", emit_top(e, 2),
                  emit_top(e, 1), emit_top(e, 0));
      emit_pop(e, 3);
      emit_reload_mems(e);
      return true;
    case OP_MEMORY_INIT:
      emit_printf(&e->body, "  ctx->rt->memory_init(ctx, %u, %u, %s, %s, %s);\n", in->b, in->a,
                  emit_top(e, 2), emit_top(e, 1), emit_top(e, 0));
      emit_pop(e, 3);
      emit_reload_mems(e);
      return true;
    case OP_DATA_DROP:
      emit_printf(&e->body, "  ctx->rt->data_drop(ctx, %u);\n", in->a);
      emit_reload_mems(e);
      return true;
    default:
      break;
  }
  if (in->op >= OP_COUNT_ || !aMemOp[in->op].n) return false;
  const MemOp *mo = &aMemOp[in->op];
  const OpInfo *oi = &opinfo_table[in->op];
  if (oi->zResults[0]) { /* a load */
    emit_address(e, in, mo->n, zAddr, sizeof zAddr);
    emit_load_expr(e, mo->zType, zAddr, zLoad, sizeof zLoad);
    emit_result(e, emit_letter_type(oi->zResults[0]));
    emit_printf(&e->body, mo->zConv, zLoad);
    emit_result_end(e);
  } else { /* a store: the value on top, the address below */
    snprintf(zV, sizeof zV, "%s", emit_top(e, 0));
    emit_pop(e, 1);
    emit_address(e, in, mo->n, zAddr, sizeof zAddr);
    emit_printf(&e->body, "  %s(%s, %s, ", e->lv ? "CAIRN_STOREV" : "CAIRN_STORE", mo->zType,
                zAddr);
    emit_printf(&e->body, mo->zConv, zV);
    emit_str(&e->body, ");\n");
  }
  return true;
}

/* ---- tables ---- */

bool emit_table(Emit *e, const Instr *in) {
  uint32_t t = in->a;
  switch (in->op) {
    case OP_TABLE_GET: {
      const char *zI = emit_top(e, 0);
      emit_printf(&e->body,
                  "  if (CAIRN_UNLIKELY(%s >= ctx->tables[%u]->size)) "
                  "cairn_trap(ctx, CAIRN_AOT_TRAP_TABLE_OOB);\n",
                  zI, t);
      char zIdx[EMIT_NAME];
      snprintf(zIdx, sizeof zIdx, "%s", zI);
      emit_pop(e, 1);
      emit_push(e, e->m->aTable[t].elem);
      emit_printf(&e->body, "  %s = ctx->tables[%u]->elems[%s];\n", emit_top(e, 0), t, zIdx);
      return true;
    }
    case OP_TABLE_SET:
      emit_printf(&e->body,
                  "  if (CAIRN_UNLIKELY(%s >= ctx->tables[%u]->size)) "
                  "cairn_trap(ctx, CAIRN_AOT_TRAP_TABLE_OOB);\n"
                  "  cairn_table_set_(ctx->tables[%u], %s, %s);\n",
                  emit_top(e, 1), t, t, emit_top(e, 1), emit_top(e, 0));
      emit_pop(e, 2);
      return true;
    case OP_TABLE_SIZE:
      emit_push(e, VT_I32);
      emit_printf(&e->body, "  %s = ctx->tables[%u]->size;\n", emit_top(e, 0), t);
      return true;
    case OP_TABLE_GROW: {
      /* init value below the delta; the result replaces the init value */
      const char *zInit = emit_top(e, 1), *zN = emit_top(e, 0);
      char zR[EMIT_NAME];
      emit_pop(e, 2);
      emit_push(e, VT_I32);
      snprintf(zR, sizeof zR, "%s", emit_top(e, 0));
      emit_printf(&e->body, "  %s = ctx->rt->table_grow(ctx, %u, %s, %s);\n", zR, t, zInit, zN);
      emit_reload_mems(e);
      return true;
    }
    case OP_TABLE_FILL:
      emit_printf(&e->body, "  ctx->rt->table_fill(ctx, %u, %s, %s, %s);\n", t, emit_top(e, 2),
                  emit_top(e, 1), emit_top(e, 0));
      emit_pop(e, 3);
      emit_reload_mems(e);
      return true;
    case OP_TABLE_COPY:
      emit_printf(&e->body, "  ctx->rt->table_copy(ctx, %u, %u, %s, %s, %s);\n", in->a, in->b,
                  emit_top(e, 2), emit_top(e, 1), emit_top(e, 0));
      emit_pop(e, 3);
      emit_reload_mems(e);
      return true;
    case OP_TABLE_INIT:
      /* ELEM_TABLE: elem index in a, table in b */
      emit_printf(&e->body, "  ctx->rt->table_init(ctx, %u, %u, %s, %s, %s);\n", in->b, in->a,
                  emit_top(e, 2), emit_top(e, 1), emit_top(e, 0));
      emit_pop(e, 3);
      emit_reload_mems(e);
      return true;
    case OP_ELEM_DROP:
      emit_printf(&e->body, "  ctx->rt->elem_drop(ctx, %u);\n", in->a);
      emit_reload_mems(e);
      return true;
    default:
      return false;
  }
}
