/*
** emit_func.c: one Wasm function -> one C function (control flow, calls,
** variables; the operand stack as named variables, emit_int.h).
**
** One pass over the validated body with decode_instr and a compile-time
** type stack. Blocks end in labels B<id>, loops start at L<id>, an if jumps
** to E<id> when its condition is false; br_table is a switch. A branch
** moves the values it carries from the top of the stack to the target's
** depth (nothing when they are there already), polls limits when it goes
** back to a loop head, and a branch to the function's own block returns.
** Code after br, br_table, return and unreachable is skipped up to the end
** of its block (control instructions are still followed there).
**
** It may not touch: the module (read only), the runtime.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/aot/emit_int.h"

static const char aKindLetter[EK_COUNT] = {'i', 'l', 'f', 'd', 'v', 'r'};

/* ---- the operand stack ---- */

static void emit_note_depth(Emit *e, uint32_t d, ValType t) {
  int k = emit_kind(t);
  if (e->aMaxDepth[k] < d + 1) e->aMaxDepth[k] = d + 1;
}

/* The name of the variable at depth d for a value of type t. */
static const char *emit_var_t(Emit *e, uint32_t d, ValType t) {
  char *z = e->aName[e->iName++ & 7];
  snprintf(z, sizeof e->aName[0], "s%u%c", d, aKindLetter[emit_kind(t)]);
  emit_note_depth(e, d, t);
  return z;
}

/* A constant's C text (by bits for floats: exact, NaN payloads included). */
static void emit_const_text(char *z, size_t n, ValType t, const EmitVal *v) {
  switch (t) {
    case VT_I32: snprintf(z, n, "0x%xu", (uint32_t)v->bits); break;
    case VT_I64: snprintf(z, n, "0x%llxull", (unsigned long long)v->bits); break;
    case VT_F32: snprintf(z, n, "cairn_f32_from_bits(0x%xu)", (uint32_t)v->bits); break;
    case VT_F64:
      snprintf(z, n, "cairn_f64_from_bits(0x%llxull)", (unsigned long long)v->bits);
      break;
    case VT_V128: {
      uint64_t lo, hi;
      memcpy(&lo, v->pVec, 8);
      memcpy(&hi, v->pVec + 8, 8);
      /* parenthesised: the comma must not split a macro argument */
      snprintf(z, n, "((cairn_v128){0x%llxull, 0x%llxull})", (unsigned long long)lo,
               (unsigned long long)hi);
      break;
    }
    default: snprintf(z, n, "(void *)0"); break;
  }
}

const char *emit_var(Emit *e, uint32_t d) {
  const EmitVal *v = &e->aVal[d];
  if (v->kind == EV_VAR) return emit_var_t(e, d, e->aStk[d]);
  char *z = e->aName[e->iName++ & 7];
  if (v->kind == EV_LOCAL)
    snprintf(z, sizeof e->aName[0], "l%u", v->local);
  else
    emit_const_text(z, sizeof e->aName[0], e->aStk[d], v);
  return z;
}

const char *emit_top(Emit *e, uint32_t k) { return emit_var(e, e->nStk - 1 - k); }

static void emit_push_val(Emit *e, ValType t, EmitVal v) {
  if (e->nStk == e->nStkAlloc) {
    uint32_t nNew = e->nStkAlloc ? 2 * e->nStkAlloc : 64;
    ValType *aNew = base_realloc(e->aStk, nNew);
    EmitVal *aNewVal = aNew ? base_realloc(e->aVal, nNew * sizeof *aNewVal) : NULL;
    if (aNew) e->aStk = aNew;
    if (!aNewVal) {
      e->oom = true;
      return;
    }
    e->aVal = aNewVal;
    e->nStkAlloc = nNew;
  }
  if (v.kind == EV_VAR) emit_note_depth(e, e->nStk, t);
  e->aVal[e->nStk] = v;
  e->aStk[e->nStk++] = t;
}

void emit_push(Emit *e, ValType t) { emit_push_val(e, t, (EmitVal){.kind = EV_VAR}); }

void emit_push_local(Emit *e, ValType t, uint32_t x) {
  emit_push_val(e, t, (EmitVal){.kind = EV_LOCAL, .local = x});
}

void emit_push_const(Emit *e, ValType t, uint64_t bits, const uint8_t *pVec) {
  emit_push_val(e, t, (EmitVal){.kind = EV_CONST, .bits = bits, .pVec = pVec});
}

void emit_result(Emit *e, ValType t) {
  emit_push(e, t);
  e->lastStart = e->body.n;
  e->lastDepth = e->nStk - 1;
  emit_printf(&e->body, "  %s = ", emit_top(e, 0));
}

void emit_result_end(Emit *e) {
  emit_str(&e->body, ";\n");
  e->lastEnd = e->body.n;
}

/* local.set/tee x of the value the last statement computed: that statement
** writes x instead, if nothing still reads x's old value. */
static bool emit_retarget(Emit *e, uint32_t x) {
  uint32_t d = e->nStk - 1;
  if (e->lastEnd != e->body.n || e->lastDepth != d || e->aVal[d].kind != EV_VAR) return false;
  for (uint32_t i = 0; i < d; i++)
    if (e->aVal[i].kind == EV_LOCAL && e->aVal[i].local == x) return false;
  char zOld[EMIT_NAME], zNew[24];
  int nOld = snprintf(zOld, sizeof zOld, "  %s", emit_var(e, d));
  int nNew = snprintf(zNew, sizeof zNew, "  l%u", x);
  Buf *b = &e->body;
  if (b->n - e->lastStart < (size_t)nOld || memcmp(b->aData + e->lastStart, zOld, (size_t)nOld))
    return false;
  size_t nTail = b->n - e->lastStart - (size_t)nOld;
  if (nNew > nOld) {
    buf_append(b, zNew, (size_t)(nNew - nOld)); /* room */
    if (b->oom) return false;
  }
  memmove(b->aData + e->lastStart + nNew, b->aData + e->lastStart + nOld, nTail);
  memcpy(b->aData + e->lastStart, zNew, (size_t)nNew);
  b->n = e->lastStart + (size_t)nNew + nTail;
  e->lastEnd = SIZE_MAX;
  return true;
}

/* Pops the top value into z as a C operand: the expression of the last
** statement itself when that statement computed it (a condition is then
** one `if`), else its operand text. */
#define EMIT_COND 512
static void emit_take_top(Emit *e, char *z, size_t n) {
  uint32_t d = e->nStk - 1;
  if (e->lastEnd == e->body.n && e->lastDepth == d && e->aVal[d].kind == EV_VAR) {
    char zHead[EMIT_NAME + 8];
    int nHead = snprintf(zHead, sizeof zHead, "  %s = ", emit_var(e, d));
    Buf *b = &e->body;
    size_t nExpr = b->n - e->lastStart - (size_t)nHead - 2; /* without ";\n" */
    if (nExpr + 3 <= n && !memcmp(b->aData + e->lastStart, zHead, (size_t)nHead)) {
      z[0] = '(';
      memcpy(z + 1, b->aData + e->lastStart + nHead, nExpr);
      z[nExpr + 1] = ')';
      z[nExpr + 2] = 0;
      b->n = e->lastStart;
      e->lastEnd = SIZE_MAX;
      emit_pop(e, 1);
      return;
    }
  }
  snprintf(z, n, "%s", emit_top(e, 0));
  emit_pop(e, 1);
}

void emit_materialize(Emit *e, uint32_t d) {
  if (e->aVal[d].kind == EV_VAR) return;
  const char *zV = emit_var(e, d);
  emit_printf(&e->body, "  %s = %s;\n", emit_var_t(e, d, e->aStk[d]), zV);
  e->aVal[d].kind = EV_VAR;
}

/* Before local x changes: the values still read from it get their copy. */
static void emit_materialize_local(Emit *e, uint32_t x, uint32_t nStk) {
  for (uint32_t d = 0; d < nStk; d++)
    if (e->aVal[d].kind == EV_LOCAL && e->aVal[d].local == x) emit_materialize(e, d);
}

/* At a block's start: the block may change any local on some path only. */
static void emit_materialize_locals(Emit *e) {
  for (uint32_t d = 0; d < e->nStk; d++)
    if (e->aVal[d].kind == EV_LOCAL) emit_materialize(e, d);
}

/* The top n values to their variables (a join: block results, loop params). */
static void emit_materialize_top(Emit *e, uint32_t n) {
  for (uint32_t d = e->nStk - n; d < e->nStk; d++) emit_materialize(e, d);
}

void emit_pop(Emit *e, uint32_t n) { e->nStk = n > e->nStk ? 0 : e->nStk - n; }

void emit_set_unreach(Emit *e) {
  e->unreach = true;
  e->nStk = e->aCtl[e->nCtl - 1].height;
}

/* With guard pages a memory's base never moves (cairn_aot_memory) and its
** size is not used: only checked code reloads. */
void emit_reload_mems(Emit *e) {
  if (!e->o->checked) return;
  for (uint32_t i = 0; i < e->m->nMem; i++)
    emit_printf(&e->body, "  m%u = ctx->mems[%u]->base;\n  n%u = ctx->mems[%u]->bytes;\n", i, i,
                i, i);
}

void emit_after_call(Emit *e) {
  emit_reload_mems(e);
  emit_globals_reload(e);
}

/* ---- control frames ---- */

static const ValType *ctl_results(const EmitCtl *c) {
  return c->aResult ? c->aResult : &c->one;
}

static EmitCtl *emit_push_ctl(Emit *e, EmitCtlKind kind, const Instr *in) {
  if (e->nCtl == e->nCtlAlloc) {
    uint32_t nNew = e->nCtlAlloc ? 2 * e->nCtlAlloc : 16;
    EmitCtl *aNew = base_realloc(e->aCtl, nNew * sizeof *aNew);
    if (!aNew) {
      e->oom = true;
      return NULL;
    }
    e->aCtl = aNew;
    e->nCtlAlloc = nNew;
  }
  EmitCtl *c = &e->aCtl[e->nCtl++];
  memset(c, 0, sizeof *c);
  c->kind = (uint8_t)kind;
  c->live = !e->unreach;
  c->id = e->nextId++;
  if (in) {
    if (in->btKind == BT_VAL) {
      c->nResult = 1;
      c->one = in->btVal;
    } else if (in->btKind == BT_TYPE) {
      const FuncType *ft = &e->m->aType[in->a];
      c->nParam = ft->nParam;
      c->aParam = ft->aType;
      c->nResult = ft->nResult;
      c->aResult = ft->aType + ft->nParam;
    }
  }
  c->height = e->nStk >= c->nParam ? e->nStk - c->nParam : 0;
  return c;
}

/* The function's return: results to res[] when there are several. */
static void emit_return(Emit *e) {
  const FuncType *ft = e->ft;
  uint32_t n = ft->nResult, base = e->nStk - n;
  if (n == 1) {
    emit_printf(&e->body, "  CAIRN_LEAVE();\n  return %s;\n", emit_var(e, base));
    return;
  }
  uint32_t k = 0;
  for (uint32_t i = 0; i < n; i++) {
    char zSlot[24];
    snprintf(zSlot, sizeof zSlot, "res[%u]", k);
    emit_str(&e->body, "  ");
    emit_to_slot(&e->body, ft->aType[ft->nParam + i], zSlot, emit_var(e, base + i));
    emit_str(&e->body, "\n");
    k += emit_slots(ft->aType[ft->nParam + i]);
  }
  emit_str(&e->body, "  CAIRN_LEAVE();\n  return;\n");
}

/* A branch to c from the current stack (its values stay on the stack). */
static void emit_branch(Emit *e, EmitCtl *c) {
  if (c->kind == EC_FUNC) {
    emit_return(e);
    return;
  }
  bool loop = c->kind == EC_LOOP;
  uint32_t n = loop ? c->nParam : c->nResult;
  const ValType *aT = loop ? c->aParam : ctl_results(c);
  uint32_t src = e->nStk - n;
  for (uint32_t i = 0; i < n; i++) {
    if (src == c->height && e->aVal[src + i].kind == EV_VAR) continue;
    const char *zDst = emit_var_t(e, c->height + i, aT[i]);
    emit_printf(&e->body, "  %s = %s;\n", zDst, emit_var(e, src + i));
  }
  if (loop) {
    emit_printf(&e->body, "  CAIRN_POLL(ctx);\n  goto L%u;\n", c->id);
  } else {
    emit_printf(&e->body, "  goto B%u;\n", c->id);
    c->endUsed = true;
  }
}

/* br_table: cases grouped by target so each target's moves appear once */
typedef struct BrCase {
  uint32_t depth, k;
} BrCase;

static int br_case_cmp(const void *pa, const void *pb) {
  const BrCase *a = pa, *b = pb;
  if (a->depth != b->depth) return a->depth < b->depth ? -1 : 1;
  return a->k < b->k ? -1 : a->k > b->k;
}

static void emit_br_table(Emit *e, const Instr *in) {
  char zI[EMIT_COND];
  emit_take_top(e, zI, sizeof zI);
  uint32_t n = in->a, def = decode_br_table_label(in, n);
  BrCase *a = base_malloc(((size_t)n + 1) * sizeof *a);
  if (!a) {
    e->oom = true;
    return;
  }
  for (uint32_t k = 0; k < n; k++) a[k] = (BrCase){decode_br_table_label(in, k), k};
  qsort(a, n, sizeof *a, br_case_cmp);
  emit_printf(&e->body, "  switch (%s) {\n", zI);
  bool defDone = false;
  for (uint32_t i = 0; i < n;) {
    uint32_t j = i;
    for (; j < n && a[j].depth == a[i].depth; j++) emit_printf(&e->body, "  case %u:\n", a[j].k);
    if (a[i].depth == def) {
      emit_str(&e->body, "  default:\n");
      defDone = true;
    }
    emit_str(&e->body, "  {\n");
    emit_branch(e, &e->aCtl[e->nCtl - 1 - a[i].depth]);
    emit_str(&e->body, "  }\n");
    i = j;
  }
  if (!defDone) {
    emit_str(&e->body, "  default:\n  {\n");
    emit_branch(e, &e->aCtl[e->nCtl - 1 - def]);
    emit_str(&e->body, "  }\n");
  }
  emit_str(&e->body, "  }\n");
  base_free(a);
}

/* Control instructions; true if in was one (they are followed in dead code). */
static bool emit_control(Emit *e, const Instr *in, const uint8_t *p, const uint8_t *end) {
  EmitCtl *c;
  switch (in->op) {
    case OP_BLOCK:
      if (!e->unreach) emit_materialize_locals(e);
      emit_push_ctl(e, EC_BLOCK, in);
      return true;
    case OP_LOOP:
      c = emit_push_ctl(e, EC_LOOP, in);
      if (c && c->live) {
        emit_materialize_locals(e);
        emit_materialize_top(e, c->nParam); /* the back edges write them */
        c->versioned = emit_loop_version(e, c, p, end);
        emit_printf(&e->body, "L%u:;\n", c->id);
      }
      return true;
    case OP_IF: {
      char zCond[EMIT_COND] = "";
      if (!e->unreach) emit_take_top(e, zCond, sizeof zCond);
      c = emit_push_ctl(e, EC_IF, in);
      if (!c || !c->live) return true;
      emit_materialize_locals(e);
      emit_materialize_top(e, c->nParam); /* the false path joins with them */
      /* the then branch may overwrite the parameters the else branch needs */
      for (uint32_t i = 0; i < c->nParam; i++) {
        ValType t = c->aParam[i];
        emit_printf(&e->decl, "  %s%sq%u_%u = %s;\n", emit_ctype(t), t == VT_V128 || !vt_is_ref(t) ? " " : "",
                    c->id, i, t == VT_V128 ? "{0}" : "0");
        emit_printf(&e->body, "  q%u_%u = %s;\n", c->id, i, emit_var(e, c->height + i));
      }
      emit_printf(&e->body, "  if (!%s) goto E%u;\n", zCond, c->id);
      return true;
    }
    case OP_ELSE:
      c = &e->aCtl[e->nCtl - 1];
      if (!c->live) return true;
      if (!e->unreach) {
        emit_materialize_top(e, c->nResult);
        emit_printf(&e->body, "  goto B%u;\n", c->id);
        c->endUsed = true;
      }
      emit_printf(&e->body, "E%u:;\n", c->id);
      c->hasElse = true;
      e->nStk = c->height;
      for (uint32_t i = 0; i < c->nParam; i++) {
        emit_push(e, c->aParam[i]);
        emit_printf(&e->body, "  %s = q%u_%u;\n", emit_top(e, 0), c->id, i);
      }
      e->unreach = false;
      return true;
    case OP_END:
      c = &e->aCtl[e->nCtl - 1];
      if (c->kind == EC_FUNC) {
        if (!e->unreach) emit_return(e);
        e->nCtl--;
        return true;
      }
      if (c->live) {
        if (!e->unreach) emit_materialize_top(e, c->nResult);
        if (c->kind == EC_IF && !c->hasElse) emit_printf(&e->body, "E%u:;\n", c->id);
        if (c->endUsed) emit_printf(&e->body, "B%u:;\n", c->id);
        if (c->versioned) emit_printf(&e->body, "V%u:;\n", c->id);
        e->nStk = c->height;
        const ValType *aRes = ctl_results(c);
        uint32_t nRes = c->nResult;
        e->nCtl--;
        for (uint32_t i = 0; i < nRes; i++) emit_push(e, aRes[i]);
        e->unreach = false;
      } else {
        e->nCtl--;
      }
      return true;
    default:
      return false;
  }
}

/* ---- calls ---- */

/* ", a0, a1, ..." for the n values from depth base */
static void emit_args(Emit *e, uint32_t base, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) emit_printf(&e->body, ", %s", emit_var(e, base + i));
}

/* After a call that returned n > 1 results in the slots r_[]: pushes them
** as stack values and closes the block the call opened. */
static void emit_results_from_slots(Emit *e, const ValType *aRes, uint32_t n) {
  uint32_t k = 0;
  for (uint32_t i = 0; i < n; i++) {
    char zSlot[24];
    snprintf(zSlot, sizeof zSlot, "r_[%u]", k);
    emit_push(e, aRes[i]);
    emit_printf(&e->body, "  %s = ", emit_top(e, 0));
    emit_from_slot(&e->body, aRes[i], zSlot);
    emit_str(&e->body, ";\n");
    k += emit_slots(aRes[i]);
  }
  emit_str(&e->body, "  }\n");
}

/* A call through a cairn_aot_func (an import, call_indirect): one helper
** per function type and unit, cairn_c<type> (emit.c writes them), takes
** the function and its code as its second and third arguments. zFunc and
** zCode are their C expressions (zFunc is not read before zCode is
** evaluated: call_indirect's checks are in zCode); the arguments are
** popped, the results pushed. */
static void emit_call_via(Emit *e, uint32_t type, const char *zFunc, const char *zCode) {
  const FuncType *ft = &e->m->aType[type];
  uint32_t base = e->nStk - ft->nParam;
  const ValType *aRes = ft->aType + ft->nParam;
  e->aCallType[type] = 1;
  if (ft->nResult <= 1) {
    emit_str(&e->body, "  ");
    if (ft->nResult == 1) emit_printf(&e->body, "%s = ", emit_var_t(e, base, aRes[0]));
    emit_printf(&e->body, "cairn_c%u(ctx, %s, %s", type, zFunc, zCode);
    emit_args(e, base, ft->nParam);
    emit_str(&e->body, ");\n");
    emit_pop(e, ft->nParam);
    for (uint32_t i = 0; i < ft->nResult; i++) emit_push(e, aRes[i]);
    return;
  }
  uint32_t nRS = 0;
  for (uint32_t i = 0; i < ft->nResult; i++) nRS += emit_slots(aRes[i]);
  emit_printf(&e->body, "  {\n  uint64_t r_[%u];\n  cairn_c%u(ctx, %s, %s", nRS, type, zFunc, zCode);
  emit_args(e, base, ft->nParam);
  emit_str(&e->body, ", r_);\n");
  emit_pop(e, ft->nParam);
  emit_results_from_slots(e, aRes, ft->nResult);
}

static void emit_call(Emit *e, uint32_t f) {
  const Module *m = e->m;
  const FuncType *ft = module_func_type(m, f);
  const ValType *aRes = ft->aType + ft->nParam;
  uint32_t base = e->nStk - ft->nParam;
  if (m->aFunc[f].imported) {
    char zFunc[40], zCode[48];
    snprintf(zFunc, sizeof zFunc, "ctx->funcs[%u]", f);
    snprintf(zCode, sizeof zCode, "ctx->funcs[%u]->code", f);
    emit_call_via(e, m->aFunc[f].typeIdx, zFunc, zCode);
    emit_after_call(e);
    return;
  }
  e->aRef[f] = 1;
  if (ft->nResult <= 1) {
    emit_str(&e->body, "  ");
    if (ft->nResult == 1) emit_printf(&e->body, "%s = ", emit_var_t(e, base, aRes[0]));
    emit_printf(&e->body, "cairn_f%u(ctx", f);
    emit_args(e, base, ft->nParam);
    emit_str(&e->body, ");\n");
    emit_pop(e, ft->nParam);
    for (uint32_t i = 0; i < ft->nResult; i++) emit_push(e, aRes[i]);
  } else {
    uint32_t nRS = 0;
    for (uint32_t i = 0; i < ft->nResult; i++) nRS += emit_slots(aRes[i]);
    emit_printf(&e->body, "  {\n  uint64_t r_[%u];\n  cairn_f%u(ctx", nRS, f);
    emit_args(e, base, ft->nParam);
    emit_str(&e->body, ", r_);\n");
    emit_pop(e, ft->nParam);
    emit_results_from_slots(e, aRes, ft->nResult);
  }
  emit_after_call(e);
}

/* call_indirect: cairn_indirect (cairn_aot.h) checks bounds, null and type
** against the table object and the type's id (read at entry into locals,
** or here: emit_table_local), and gives the code; the call entry's address is only computed
** (the helper reads it once the checks have passed). The arguments are
** plain values, so C's order of evaluating them and the checks does not
** matter. */
static void emit_call_indirect(Emit *e, const Instr *in) {
  char zFunc[EMIT_NAME + 64], zCode[EMIT_NAME + 128], zT[48], zTy[48];
  const char *zTable = emit_table_local(e, in->b, zT, sizeof zT);
  snprintf(zFunc, sizeof zFunc, "&%s->calls[%s]", zTable, emit_top(e, 0));
  snprintf(zCode, sizeof zCode, "cairn_indirect(ctx, %s, %s, %s)", zTable, emit_top(e, 0),
           emit_type_local(e, in->a, zTy, sizeof zTy));
  emit_pop(e, 1);
  emit_call_via(e, in->a, zFunc, zCode);
  emit_after_call(e);
}

/* ---- one instruction (reachable, not control) ---- */

bool emit_next_instr(const Emit *e, const uint8_t **pp, const uint8_t *end, Instr *in) {
  cairn_error err;
  if (*pp >= end || !decode_instr(*pp, end, e->m->aBytes, in, &err)) return false;
  *pp += in->len;
  return true;
}

void emit_instruction(Emit *e, const Instr *in) {
  switch (in->op) {
    case OP_UNREACHABLE:
      emit_str(&e->body, "  cairn_trap(ctx, CAIRN_AOT_TRAP_UNREACHABLE);\n");
      emit_set_unreach(e);
      return;
    case OP_NOP:
      return;
    case OP_BR:
      emit_branch(e, &e->aCtl[e->nCtl - 1 - in->a]);
      emit_set_unreach(e);
      return;
    case OP_BR_IF: {
      char zCond[EMIT_COND];
      emit_take_top(e, zCond, sizeof zCond);
      if (e->lvSpec) { /* a loop's look-ahead notes the exit and goes on */
        emit_loop_spec_exit(e, zCond);
        return;
      }
      emit_printf(&e->body, "  if (%s) {\n", zCond);
      emit_branch(e, &e->aCtl[e->nCtl - 1 - in->a]);
      emit_str(&e->body, "  }\n");
      return;
    }
    case OP_BR_TABLE:
      emit_br_table(e, in);
      emit_set_unreach(e);
      return;
    case OP_RETURN:
      emit_return(e);
      emit_set_unreach(e);
      return;
    case OP_CALL:
      emit_call(e, in->a);
      return;
    case OP_CALL_INDIRECT:
      emit_call_indirect(e, in);
      return;
    case OP_DROP:
      emit_pop(e, 1);
      return;
    case OP_SELECT:
    case OP_SELECT_T: {
      /* on the values' own type: a float's bits are kept */
      emit_materialize(e, e->nStk - 3);
      const char *zC = emit_top(e, 0), *zB = emit_top(e, 1), *zA = emit_top(e, 2);
      emit_printf(&e->body, "  if (!%s) %s = %s;\n", zC, zA, zB);
      emit_pop(e, 2);
      return;
    }
    case OP_LOCAL_GET:
      emit_push_local(e, e->aLocType[in->a], in->a);
      return;
    case OP_LOCAL_SET:
    case OP_LOCAL_TEE: {
      if (!emit_retarget(e, in->a)) {
        char zV[EMIT_NAME];
        snprintf(zV, sizeof zV, "%s", emit_top(e, 0));
        emit_materialize_local(e, in->a, e->nStk - 1);
        emit_printf(&e->body, "  l%u = %s;\n", in->a, zV);
      }
      if (in->op == OP_LOCAL_SET) emit_pop(e, 1);
      else e->aVal[e->nStk - 1] = (EmitVal){.kind = EV_LOCAL, .local = in->a};
      return;
    }
    case OP_GLOBAL_GET:
      emit_global_get(e, in->a);
      return;
    case OP_GLOBAL_SET:
      emit_global_set(e, in->a);
      return;
    case OP_REF_NULL:
      emit_push_const(e, (ValType)in->a, 0, NULL);
      return;
    case OP_REF_IS_NULL: {
      const char *zR = emit_top(e, 0);
      emit_pop(e, 1);
      emit_push(e, VT_I32);
      emit_printf(&e->body, "  %s = (uint32_t)(%s == 0);\n", emit_top(e, 0), zR);
      return;
    }
    case OP_REF_FUNC:
      emit_push(e, VT_FUNCREF);
      emit_printf(&e->body, "  %s = (void *)ctx->funcs[%u];\n", emit_top(e, 0), in->a);
      return;
    default:
      break;
  }
  if (emit_memory(e, in) || emit_table(e, in) || emit_simd(e, in) || emit_numeric(e, in)) return;
  /* the validator accepts nothing else */
  emit_printf(&e->body, "#error \"cairn: no C for %s\"\n", opinfo_table[in->op].zName);
}

/* ---- the function ---- */

static void emit_decl(Buf *b, ValType t, char letter, uint32_t i) {
  const char *zT = emit_ctype(t);
  emit_printf(b, "  %s%s%c%u = %s;\n", zT, vt_is_ref(t) ? "" : " ", letter, i,
              t == VT_V128 ? "{0}" : "0");
}

bool emit_function(Emit *e, uint32_t fidx, Buf *out) {
  const Module *m = e->m;
  const Func *f = &m->aFunc[fidx];
  const FuncType *ft = module_func_type(m, fidx);
  e->fidx = fidx;
  e->ft = ft;
  e->body.n = 0;
  e->decl.n = 0;
  e->nStk = 0;
  e->nCtl = 0;
  e->nextId = 0;
  e->unreach = false;
  e->lastEnd = SIZE_MAX;
  memset(e->aMaxDepth, 0, sizeof e->aMaxDepth);
  if (!emit_globals_decl(e, fidx, &e->decl)) return false;

  /* local types: parameters, then the declared groups */
  e->nLocal = ft->nParam + f->nLocal;
  ValType *aLoc = base_realloc(e->aLocType, (size_t)e->nLocal + 1);
  if (!aLoc) return false;
  e->aLocType = aLoc;
  uint32_t x = 0;
  for (uint32_t i = 0; i < ft->nParam; i++) aLoc[x++] = ft->aType[i];
  for (uint32_t g = 0; g < f->nLocalGroup; g++)
    for (uint32_t i = 0; i < f->aLocalGroup[g].count && x < e->nLocal; i++) aLoc[x++] = f->aLocalGroup[g].type;

  EmitCtl *c = emit_push_ctl(e, EC_FUNC, NULL);
  if (!c) return false;
  c->nResult = ft->nResult;
  c->aResult = ft->aType + ft->nParam;

  const uint8_t *p = f->pBody, *end = f->pBody + f->nBody;
  while (p < end && e->nCtl > 0 && !e->oom) {
    Instr in;
    cairn_error err;
    /* the body was validated: a decoding failure is an engine bug */
    if (!decode_instr(p, end, m->aBytes, &in, &err)) return false;
    p += in.len;
    if (emit_control(e, &in, p, end)) continue;
    if (e->unreach) continue;
    if (emit_rmw(e, &in, &p, end) || emit_shift_mask(e, &in, &p, end)) continue;
    emit_instruction(e, &in);
  }
  if (e->oom || e->body.oom || e->decl.oom) return false;

  /* the definition: declarations first (labels may not precede them) */
  char zName[24];
  snprintf(zName, sizeof zName, "cairn_f%u", fidx);
  emit_str(out, "CAIRN_FUNC ");
  emit_proto(out, ft, zName, true);
  emit_str(out, " {\n");
  for (uint32_t i = ft->nParam; i < e->nLocal; i++) emit_decl(out, aLoc[i], 'l', i);
  uint32_t nVar = 0;
  static const ValType aKindType[EK_COUNT] = {VT_I32, VT_I64, VT_F32, VT_F64, VT_V128, VT_FUNCREF};
  for (int k = 0; k < EK_COUNT; k++)
    for (uint32_t d = 0; d < e->aMaxDepth[k]; d++) {
      const char *zT = emit_ctype(aKindType[k]);
      emit_printf(out, "  %s%ss%u%c = %s;\n", zT, k == EK_REF ? "" : " ", d, aKindLetter[k],
                  k == EK_V128 ? "{0}" : "0");
      nVar += k == EK_V128 ? 2 : 1;
    }
  /* the frame: about a word per local and stack variable, spills included */
  uint64_t frame = 64 + 8 * ((uint64_t)e->nLocal + nVar);
  /* the entry check: none for a bounded function (the interpreter's rule,
  ** so fuel counts the same), sampled once per C frame on a cycle of calls */
  const char *zEnter = module_func_bounded(m, fidx) ? "_B" : e->aRecursive[fidx] ? "_R" : "";
  emit_printf(out, "  CAIRN_ENTER%s(ctx, %u, %llu);\n", zEnter, fidx, (unsigned long long)frame);
  /* after the entry check: values loaded from the instance there would be
  ** live across it (its cold call is an asm that may write memory, so the
  ** compiler cannot move the loads after it), and the compiler may sink
  ** them towards their first use */
  buf_append_buf(out, &e->decl);
  for (uint32_t i = 0; i < m->nMem; i++) {
    if (e->o->checked)
      emit_printf(out, "  uint8_t *m%u = ctx->mems[%u]->base;\n  uint64_t n%u = ctx->mems[%u]->bytes;\n",
                  i, i, i, i);
    else
      emit_printf(out, "  uint8_t *m%u = ctx->bases[%u];\n", i, i);
  }
  buf_append_buf(out, &e->body);
  emit_str(out, "}\n");
  return !out->oom;
}
