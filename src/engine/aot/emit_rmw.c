/*
** emit_rmw.c: read-modify-write of one memory location as one statement.
**
** A load is emitted as CAIRN_LOADK, whose empty asm keeps the load even
** when C would find its value unused (the guard pages make the load the
** bounds check). That asm wants the value in a register, so the C
** compiler cannot fold `x = load(p); store(p, x | y)` into one `or` on
** memory: sieve's `bits[j >> 5] |= 1 << j` ran 10 % slower than with
** plain loads (docs/benchmarks.md). Plain loads would let the compiler
** drop a load whose store it deletes, and with it the trap.
**
** So the Wasm sequence
**     A A load<w> off  R  op  store<w> off
** where both addresses A are the same local or constant, R is a short run
** of instructions that cannot trap, write a local or touch memory (its
** net effect: one value y pushed above the loaded one, which it never
** reads), op is add, sub, and, or or xor, and the store has the load's
** width and offset, becomes R, then CAIRN_RMW (cairn_aot.h): on x86-64 one
** instruction on memory in a volatile asm (the compiler can neither drop
** nor split it; a fault in it writes nothing), elsewhere the same kept
** load and store as before. The load moves after R, which is
** unobservable: R has no effect but its value.
**
** Not with explicit bounds checks (their loads need no keeping) nor in a
** loop's fast copy (plain accesses already).
**
** It may not touch: the module (read only), the runtime.
*/
#include <string.h>

#include "engine/aot/emit_int.h"

/* Longest run R: enough for `i32.const 1; local.get j; i32.shl`. */
#define RMW_MAX_RUN 8

/* The loads whose location a store may write back: the loads of one
** width (either sign) and value type, and the store of that width. */
static const struct RmwPair {
  WasmOp aLoad[2], store;
} aPair[] = {
    {{OP_I32_LOAD, OP_I32_LOAD}, OP_I32_STORE},
    {{OP_I64_LOAD, OP_I64_LOAD}, OP_I64_STORE},
    {{OP_I32_LOAD8_U, OP_I32_LOAD8_S}, OP_I32_STORE8},
    {{OP_I32_LOAD16_U, OP_I32_LOAD16_S}, OP_I32_STORE16},
    {{OP_I64_LOAD8_U, OP_I64_LOAD8_S}, OP_I64_STORE8},
    {{OP_I64_LOAD16_U, OP_I64_LOAD16_S}, OP_I64_STORE16},
    {{OP_I64_LOAD32_U, OP_I64_LOAD32_S}, OP_I64_STORE32},
};

/* The store that writes back load's location, or OP_COUNT_ (no such load). */
static WasmOp rmw_store_of(WasmOp load) {
  for (size_t i = 0; i < sizeof aPair / sizeof aPair[0]; i++)
    if (load == aPair[i].aLoad[0] || load == aPair[i].aLoad[1]) return aPair[i].store;
  return OP_COUNT_;
}

/* The operation on memory: x86 mnemonic and C operator. The low bits of
** these results depend only on the low bits of the operands, so a narrow
** location takes them as they are. */
static bool rmw_op(WasmOp op, bool i64, const char **pzInsn, const char **pzC) {
  static const struct { WasmOp o32, o64; const char *zInsn, *zC; } aOp[] = {
      {OP_I32_ADD, OP_I64_ADD, "add", "+"}, {OP_I32_SUB, OP_I64_SUB, "sub", "-"},
      {OP_I32_AND, OP_I64_AND, "and", "&"}, {OP_I32_OR, OP_I64_OR, "or", "|"},
      {OP_I32_XOR, OP_I64_XOR, "xor", "^"},
  };
  for (size_t i = 0; i < sizeof aOp / sizeof aOp[0]; i++)
    if (op == (i64 ? aOp[i].o64 : aOp[i].o32)) {
      *pzInsn = aOp[i].zInsn;
      *pzC = aOp[i].zC;
      return true;
    }
  return false;
}

/* Whether in may be part of R, and its stack effect (pops, pushes). */
static bool rmw_run_instr(const Instr *in, uint32_t *pPop, uint32_t *pPush) {
  switch (in->op) {
    case OP_LOCAL_GET:
    case OP_I32_CONST:
    case OP_I64_CONST:
      *pPop = 0;
      *pPush = 1;
      return true;
    default:
      break;
  }
  if (!emit_numeric_pure(in->op)) return false;
  const OpInfo *oi = &opinfo_table[in->op];
  *pPop = (uint32_t)strlen(oi->zParams);
  *pPush = (uint32_t)strlen(oi->zResults);
  return true;
}

bool emit_rmw(Emit *e, const Instr *ld, const uint8_t **pp, const uint8_t *end) {
  WasmOp store = rmw_store_of(ld->op);
  if (store == OP_COUNT_ || e->lv || e->o->checked || e->nStk < 2) return false;
  bool i64 = opinfo_table[ld->op].zResults[0] == 'l';
  const EmitVal *a = &e->aVal[e->nStk - 1], *b = &e->aVal[e->nStk - 2];
  if (a->kind == EV_VAR || a->kind != b->kind || (a->kind == EV_LOCAL && a->local != b->local) ||
      (a->kind == EV_CONST && a->bits != b->bits))
    return false;

  /* R (net: one value above the loaded one, which it never reads), op, the store */
  Instr aRun[RMW_MAX_RUN], op, st;
  uint32_t nRun = 0, h = 0;
  const uint8_t *p = *pp;
  for (;;) {
    Instr in;
    if (!emit_next_instr(e, &p, end, &in)) return false;
    uint32_t nPop, nPush;
    if (!rmw_run_instr(&in, &nPop, &nPush) || nPop > h) { /* reads the loaded value */
      if (h != 1) return false;
      op = in;
      break;
    }
    if (nRun == RMW_MAX_RUN) return false;
    h = h - nPop + nPush;
    aRun[nRun++] = in;
  }
  const char *zInsn, *zC;
  if (!rmw_op(op.op, i64, &zInsn, &zC)) return false;
  if (!emit_next_instr(e, &p, end, &st) || st.op != store || st.offset != ld->offset) return false;

  /* the address; the loaded value's place (never written: R does not
  ** read it); R as usual; then the whole of it */
  char zAddr[96], zY[EMIT_NAME];
  const char *zType;
  uint32_t n = emit_mem_access(store, &zType);
  emit_address(e, ld, n, zAddr, sizeof zAddr);
  emit_push(e, i64 ? VT_I64 : VT_I32);
  for (uint32_t i = 0; i < nRun && !e->oom; i++) emit_instruction(e, &aRun[i]);
  snprintf(zY, sizeof zY, "%s", emit_top(e, 0));
  emit_pop(e, 3); /* y, the loaded value, the store's address */
  /* x86's size suffix */
  char sfx = n == 1 ? 'b' : n == 2 ? 'w' : n == 4 ? 'l' : 'q';
  emit_printf(&e->body, "  CAIRN_RMW(%s, %s, %s, \"%s%c\", %s);\n", zType, zAddr, zY, zInsn, sfx,
              zC);
  *pp = p;
  return true;
}
