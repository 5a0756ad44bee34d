/*
** translate.c: Wasm function bodies -> interpreter code (layout in interp.h).
**
** One pass per function over the validated body with decode_instr. The
** translator keeps a virtual operand stack whose entries say where a value
** lives right now: in its own stack slot (V_STK), still in a local (V_LOC,
** from a deferred local.get) or still a constant (V_CONST). Instructions
** read their operands where they are, so `local.get a; local.get b; i32.add`
** is one I32_ADD dst, a, b. Deferred entries are written to their stack slot
** ("materialized") when needed: before the local they name is overwritten,
** at block boundaries (so every control-flow join sees all values in their
** slots), and for call arguments. Branch targets are resolved here: forward
** branches are chained through the not-yet-known target words and patched at
** the block's end; loop targets are known. Code after br/return/unreachable
** is skipped up to the end of its block.
**
** The virtual stack has one entry per slot: a v128 is two entries (the
** second marked hi, so drop and select know the width); locals map to slots
** through aLocSlot. Values move slot by slot, so branches, returns and
** block joins need no v128 case; SIMD ops read a v128 from two consecutive
** slots (a local's, or the stack's after materializing).
**
** Peepholes: a result written to a stack slot and then stored by local.set
** or local.tee is written to the local directly; i32 binary ops with a
** constant right operand use the *_I form; an i32 compare consumed by br_if
** becomes one BR_<cmp>; an i32.add with a constant tested by br_if / if, or
** by a compare and br_if (loop latches, also through the local it was set
** or teed into), becomes I32_ADD_I_BR_IF / ADDI_BR_<cmp>; an eqz or i32
** compare consumed by select joins it (SELECT_NZ64, SELECT_<cmp>).
**
** It may not touch: the module (other than Func.pCode), the runtime.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/interp/interp.h"

/* V_ADDI: an i32 local plus a constant, the add not emitted yet, so a load
** or store can take it as its address (the _AI forms): clang computes most
** addresses as `local.get p; i32.const k; i32.add`, and a store's address is
** pushed before its value is computed. */
typedef enum VKind { V_STK, V_LOC, V_C32, V_C64, V_ADDI } VKind;

/* One entry per stack SLOT: a v128 value is two entries, the second with
** hi set (both halves are moved, materialized and read slot by slot). */
typedef struct VEnt {
  uint8_t kind;
  uint8_t hi;      /* second slot of a v128 */
  uint32_t loc;    /* V_LOC, V_ADDI: local index (= its slot) */
  uint64_t bits;   /* V_C32 / V_C64; V_ADDI: the constant added */
} VEnt;

typedef enum CtlKind { C_FUNC, C_BLOCK, C_LOOP, C_IF } CtlKind;

#define NO_FIX UINT32_MAX

typedef struct Ctl {
  uint8_t kind;
  bool live;          /* entered while reachable (else: nothing emitted inside) */
  uint32_t height;    /* stack height (slots) below the block's params */
  uint32_t nParam, nResult;   /* in slots */
  uint8_t btKind;     /* the block type, to rebuild the stack's v128 marks */
  ValType btVal;
  uint32_t btType;
  uint32_t loopPos;   /* C_LOOP: word index of the loop head */
  uint32_t fixHead;   /* chain of target words waiting for the end position */
  uint32_t elseFix;   /* C_IF: the BR_UNLESS target word, NO_FIX once bound */
} Ctl;

typedef struct Tr {
  const Module *m;
  uint32_t base0;       /* first operand-stack slot: params + locals */
  uint32_t *aLocSlot;   /* local index -> its first slot */
  ValType *aLocType;    /* local index -> its type */
  uint32_t *a;          /* code words */
  uint32_t n, nAlloc;
  bool oom;
  VEnt *aV;
  uint32_t nV, nVAlloc, maxH;
  Ctl *aC;
  uint32_t nC, nCAlloc;
  bool unreach;
  /* the last simple instruction, for peepholes (valid while lastEnd == n) */
  uint32_t lastStart, lastEnd;
  IOp lastOp;
  /* the simple instruction before it, when adjacent (valid while prevEnd
  ** == lastStart) */
  uint32_t prevStart, prevEnd;
  IOp prevOp;
  /* the last simple instruction when a local.set / local.tee redirected
  ** its result into a local (valid while teeEnd == n) */
  uint32_t teeStart, teeEnd;
  IOp teeOp;
  /* the last F64_MAC_ADD2 (valid while macEnd is where the code after it
  ** starts), which the next step of an unrolled axpy may join */
  uint32_t macStart, macEnd;
  /* the offset map (interp.h): pairs (word index, module offset) */
  uint32_t *aMap;
  uint32_t nMap, nMapAlloc;
  uint32_t curOff;      /* module offset of the Wasm instruction translated */
  uint32_t takenOff;    /* offset of the first entry a fusion took back, or 0 */
} Tr;

/* ---- emission ---- */

/* Instruction fusion (the superinstructions, immediates and operands
** folded in, results redirected into locals): on unless built with
** CAIRN_NO_FUSION, which leaves one internal instruction per Wasm one. */
#ifdef CAIRN_NO_FUSION
#define TR_FUSE 0
#else
#define TR_FUSE 1
#endif

/* An emitter called with an op of another layout: a translator bug. */
static void tr_bad_layout(IOp op, const char *zLayout) {
  fprintf(stderr, "cairn: internal error: %s emitted as layout %s\n", interp_op_name(op),
          zLayout);
  abort();
}

static void tr_emit(Tr *t, uint32_t w) {
  if (t->n == t->nAlloc) {
    uint32_t nNew = t->nAlloc ? t->nAlloc * 2 : 256;
    uint32_t *aNew = base_realloc(t->a, (size_t)nNew * sizeof *aNew);
    if (!aNew) {
      t->oom = true;
      return;
    }
    t->a = aNew;
    t->nAlloc = nNew;
  }
  t->a[t->n++] = w;
}

/* Adds op, about to be emitted at word t->n, to the offset map if it can
** trap or call. Entries at or past t->n belong to instructions a fusion took
** back (tr_unemit_last, the rewinds): they go, and the first of them, the
** earliest Wasm instruction, gives its offset to the next instruction that
** can trap while the same Wasm instruction is translated (the fused one). */
static void tr_map(Tr *t, IOp op) {
  while (t->nMap && t->aMap[2 * (t->nMap - 1)] >= t->n) {
    t->nMap--;
    t->takenOff = t->aMap[2 * t->nMap + 1];
  }
  if (!interp_op_locates(op)) return;
  if (t->nMap == t->nMapAlloc) {
    uint32_t nNew = t->nMapAlloc ? t->nMapAlloc * 2 : 32;
    uint32_t *aNew = base_realloc(t->aMap, (size_t)nNew * 2 * sizeof *aNew);
    if (!aNew) {
      t->oom = true;
      return;
    }
    t->aMap = aNew;
    t->nMapAlloc = nNew;
  }
  t->aMap[2 * t->nMap] = t->n;
  t->aMap[2 * t->nMap + 1] = t->takenOff ? t->takenOff : t->curOff;
  t->nMap++;
  t->takenOff = 0;
}

static void tr_op(Tr *t, IOp op) {
  tr_map(t, op);
  tr_emit(t, interp_op_word(op));
}

/* Emitters from the format table (interp.h): tr_emit_<LAYOUT>(t, op,
** fields...) writes op and its fields in order, a 64-bit constant as two
** words, all but a branch target: every layout has it last, and the caller
** writes it next (tr_br_target), as BR_TABLE's list after its fields. */
#define TR_PARAM_SLOT(n) , uint32_t n
#define TR_PARAM_VSLOT(n) , uint32_t n
#define TR_PARAM_BASE(n) , uint32_t n
#define TR_PARAM_I32(n) , uint32_t n
#define TR_PARAM_I64(n) , uint64_t n
#define TR_PARAM_OFF(n) , uint32_t n
#define TR_PARAM_LANE(n) , uint32_t n
#define TR_PARAM_TARGET(n)
#define TR_PARAM_COUNT(n) , uint32_t n
#define TR_PARAM_FUNC(n) , uint32_t n
#define TR_PARAM_DEF(n) , uint32_t n
#define TR_PARAM_GLOBAL(n) , uint32_t n
#define TR_PARAM_TABLE(n) , uint32_t n
#define TR_PARAM_TYPE(n) , uint32_t n
#define TR_PARAM_ELEM(n) , uint32_t n
#define TR_PARAM_DATA(n) , uint32_t n
#define TR_PARAM_SHUF(n) , const uint32_t *n
#define TR_PARAM(n, kind) TR_PARAM_##kind(n)
#define TR_WORDS_I64(n) tr_emit(t, (uint32_t)(n)), tr_emit(t, (uint32_t)((n) >> 32));
#define TR_WORDS_SHUF(n) for (int k_ = 0; k_ < 4; k_++) tr_emit(t, (n)[k_]);
#define TR_WORDS_1(n) tr_emit(t, n);
#define TR_WORDS_SLOT TR_WORDS_1
#define TR_WORDS_VSLOT TR_WORDS_1
#define TR_WORDS_BASE TR_WORDS_1
#define TR_WORDS_I32 TR_WORDS_1
#define TR_WORDS_OFF TR_WORDS_1
#define TR_WORDS_LANE TR_WORDS_1
#define TR_WORDS_TARGET(n)
#define TR_WORDS_COUNT TR_WORDS_1
#define TR_WORDS_FUNC TR_WORDS_1
#define TR_WORDS_DEF TR_WORDS_1
#define TR_WORDS_GLOBAL TR_WORDS_1
#define TR_WORDS_TABLE TR_WORDS_1
#define TR_WORDS_TYPE TR_WORDS_1
#define TR_WORDS_ELEM TR_WORDS_1
#define TR_WORDS_DATA TR_WORDS_1
#define TR_WORDS(n, kind) TR_WORDS_##kind(n)
#define L(name)                                                                    \
  static inline __attribute__((unused)) void tr_emit_##name(                      \
      Tr *t, IOp op INTERP_LAYOUT_##name(TR_PARAM)) {                              \
    if (INTERP_VERIFY && interp_op_layout(op) != IL_##name) tr_bad_layout(op, #name); \
    tr_op(t, op);                                                                  \
    INTERP_LAYOUT_##name(TR_WORDS)                                                 \
  }
INTERP_LAYOUTS(L)
#undef L

/* Field f of the layout-L instruction emitted at word `start`. */
#define TR_AT(t, start, L, f) ((t)->a[(start) + IOFF(L, f)])

/* tr_simple's instructions have their result first (tr_last_dst): */
#define TR_DST_FIRST(L) _Static_assert(IOFF(L, dst) == IOFF(DA, dst), #L " has dst first");
TR_DST_FIRST(DAB) TR_DST_FIRST(DAI) TR_DST_FIRST(DAQ) TR_DST_FIRST(LOAD) TR_DST_FIRST(LOADAI)
TR_DST_FIRST(LOADAA) TR_DST_FIRST(DAM) TR_DST_FIRST(DAMI) TR_DST_FIRST(SEL) TR_DST_FIRST(SELV)
TR_DST_FIRST(SELCMP) TR_DST_FIRST(GGET) TR_DST_FIRST(GGETV) TR_DST_FIRST(ADD2)
#undef TR_DST_FIRST

/* A label is bound here: no peephole may look back across it. */
static void tr_label(Tr *t) { t->lastEnd = t->teeEnd = t->macEnd = UINT32_MAX; }

/* Marks the instruction started at `start` as the last simple one (its
** operand after the op word is the destination). */
static void tr_simple(Tr *t, IOp op, uint32_t start) {
  if (t->oom) return;
  if (t->lastEnd == start)
    t->prevStart = t->lastStart, t->prevEnd = t->lastEnd, t->prevOp = t->lastOp;
  else
    t->prevEnd = UINT32_MAX;
  t->lastStart = start;
  t->lastEnd = t->n;
  t->lastOp = op;
}

/* Takes the last simple instruction back (it is being fused into the next
** one); the one before it, if adjacent, becomes the last again. */
static void tr_unemit_last(Tr *t) {
  t->n = t->lastStart;
  t->lastStart = t->prevStart, t->lastEnd = t->prevEnd, t->lastOp = t->prevOp;
  t->prevEnd = UINT32_MAX;
}

/* Index of the destination word of the last simple instruction whose result
** is in stack slot `slot`, or UINT32_MAX. (Every layout with a result has it
** first, as dst: IOFF(DA, dst) is theirs.) */
static uint32_t tr_last_dst(Tr *t, uint32_t slot) {
  if (!TR_FUSE || t->oom || t->lastEnd != t->n) return UINT32_MAX;
  uint32_t w = t->lastStart + IOFF(DA, dst);
  return t->a[w] == slot ? w : UINT32_MAX;
}

/* Writes the branch-target word for label pos (known) at the current word. */
static void tr_target_at(Tr *t, uint32_t pos) { tr_emit(t, (uint32_t)((int32_t)pos - (int32_t)t->n)); }

/* Emits a not-yet-known target word, chained on *pHead. */
static void tr_target_fix(Tr *t, uint32_t *pHead) {
  uint32_t w = t->n;
  tr_emit(t, *pHead);
  *pHead = w;
}

/* Resolves the chain at head to the current position. */
static void tr_patch(Tr *t, uint32_t head) {
  if (t->oom) return;
  while (head != NO_FIX) {
    uint32_t next = t->a[head];
    t->a[head] = (uint32_t)((int32_t)t->n - (int32_t)head);
    head = next;
  }
}

/* ---- virtual stack ---- */

static uint32_t tr_slot(Tr *t, uint32_t pos) { return t->base0 + pos; }

static VEnt *tr_push_ent(Tr *t) {
  if (t->nV == t->nVAlloc) {
    uint32_t nNew = t->nVAlloc ? t->nVAlloc * 2 : 64;
    VEnt *aNew = base_realloc(t->aV, (size_t)nNew * sizeof *aNew);
    if (!aNew) {
      t->oom = true;
      return NULL;
    }
    t->aV = aNew;
    t->nVAlloc = nNew;
  }
  VEnt *e = &t->aV[t->nV++];
  memset(e, 0, sizeof *e);
  if (t->nV > t->maxH) t->maxH = t->nV;
  return e;
}

/* Pushes a value that the next instruction writes to its stack slot;
** returns that slot. */
static uint32_t tr_push(Tr *t) {
  uint32_t pos = t->nV;
  tr_push_ent(t);
  return tr_slot(t, pos);
}

static uint32_t tr_width(ValType vt) { return vt == VT_V128 ? 2 : 1; }

/* Slots taken by n values of types a. */
static uint32_t tr_slots_of(const ValType *a, uint32_t n) {
  uint32_t k = 0;
  for (uint32_t i = 0; i < n; i++) k += tr_width(a[i]);
  return k;
}

/* tr_push for a value of type vt (two slots for v128); returns its first slot. */
static uint32_t tr_push_t(Tr *t, ValType vt) {
  uint32_t d = tr_push(t);
  if (vt == VT_V128) {
    VEnt *e = tr_push_ent(t);
    if (e) e->hi = 1;
  }
  return d;
}

static void tr_push_const(Tr *t, VKind k, uint64_t bits) {
  VEnt *e = tr_push_ent(t);
  if (e) {
    e->kind = (uint8_t)k;
    e->bits = bits;
  }
}

/* Slots of the value on top of the stack. */
static uint32_t tr_top_width(const Tr *t) { return t->aV[t->nV - 1].hi ? 2 : 1; }

/* Emits the copy of entry e into slot dst (nothing for a V_STK already there). */
static void tr_copy_to(Tr *t, const VEnt *e, uint32_t src, uint32_t dst) {
  switch (e->kind) {
    case V_STK:
      if (src == dst) return;
      tr_emit_DA(t, IOP_MOV, dst, src);
      return;
    case V_LOC:
      tr_emit_DA(t, IOP_MOV, dst, e->loc);
      return;
    case V_C32:
      tr_emit_DI(t, IOP_CONST32, dst, (uint32_t)e->bits);
      return;
    case V_ADDI:
      tr_emit_DAI(t, IOP_I32_ADD_I, dst, e->loc, (uint32_t)e->bits);
      return;
    default:
      tr_emit_DQ(t, IOP_CONST64, dst, e->bits);
      return;
  }
}

/* True if entry e reads local slots xs .. xs+w-1 (a V_LOC or V_ADDI). */
static bool tr_reads_local(const VEnt *e, uint32_t xs, uint32_t w) {
  return (e->kind == V_LOC || e->kind == V_ADDI) && e->loc - xs < w;
}

/* Puts entry pos in its own stack slot. A deferred add is emitted as the
** last simple instruction, so the peepholes see it as if emitted in place. */
static void tr_materialize(Tr *t, uint32_t pos) {
  VEnt *e = &t->aV[pos];
  if (e->kind == V_STK) return;
  uint32_t start = t->n;
  tr_copy_to(t, e, 0, tr_slot(t, pos));
  if (e->kind == V_ADDI) tr_simple(t, IOP_I32_ADD_I, start);
  e->kind = V_STK;
}

static void tr_materialize_top(Tr *t, uint32_t n) {
  for (uint32_t i = t->nV - n; i < t->nV; i++) tr_materialize(t, i);
}

/* The slot holding entry pos's value (constants are materialized). */
static uint32_t tr_read(Tr *t, uint32_t pos) {
  VEnt *e = &t->aV[pos];
  if (e->kind == V_LOC) return e->loc;
  tr_materialize(t, pos);
  return tr_slot(t, pos);
}

static uint32_t tr_pop(Tr *t) {
  uint32_t s = tr_read(t, t->nV - 1);
  t->nV--;
  return s;
}

/* Pops a v128; returns the first of the two consecutive slots holding it. */
static uint32_t tr_pop_v(Tr *t) {
  uint32_t pos = t->nV - 2, s;
  const VEnt *lo = &t->aV[pos], *hi = &t->aV[pos + 1];
  if (lo->kind == V_LOC && hi->kind == V_LOC && hi->loc == lo->loc + 1) {
    s = lo->loc;
  } else {
    tr_materialize(t, pos);
    tr_materialize(t, pos + 1);
    s = tr_slot(t, pos);
  }
  t->nV -= 2;
  return s;
}

/* ---- branches ---- */

static uint32_t ctl_arity(const Ctl *c) { return c->kind == C_LOOP ? c->nParam : c->nResult; }

/* True if a branch to c must move values first. */
static bool tr_br_needs_copy(Tr *t, const Ctl *c) {
  uint32_t n = ctl_arity(c);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t pos = t->nV - n + i;
    if (t->aV[pos].kind != V_STK || pos != c->height + i) return true;
  }
  return false;
}

/* Copies the branch values to c's slots. Ascending order is safe: value i
** sits at or above target slot i, and locals are never targets. */
static void tr_br_copies(Tr *t, const Ctl *c) {
  uint32_t n = ctl_arity(c);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t pos = t->nV - n + i;
    tr_copy_to(t, &t->aV[pos], tr_slot(t, pos), tr_slot(t, c->height + i));
  }
}

/* Emits the return sequence: results to fp[0 ..], then RET. Values are first
** put in stack slots so no copy reads a parameter slot already overwritten. */
static void tr_return(Tr *t) {
  uint32_t n = t->aC[0].nResult;
  if (n == 1 && t->aV[t->nV - 1].kind == V_ADDI) tr_materialize(t, t->nV - 1);
  /* a single result just computed into its stack slot is written to fp[0] */
  uint32_t wd;
  if (n == 1 && t->aV[t->nV - 1].kind == V_STK &&
      (wd = tr_last_dst(t, tr_slot(t, t->nV - 1))) != UINT32_MAX) {
    t->a[wd] = 0;
    tr_emit_NONE(t, IOP_RET);
    return;
  }
  tr_materialize_top(t, n);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t src = tr_slot(t, t->nV - n + i);
    if (src != i) tr_emit_DA(t, IOP_MOV, i, src);
  }
  tr_emit_NONE(t, IOP_RET);
}

/* Emits the target word of a branch to c (values already in place). */
static void tr_br_target(Tr *t, Ctl *c) {
  if (c->kind == C_LOOP)
    tr_target_at(t, c->loopPos);
  else
    tr_target_fix(t, &c->fixHead);
}

/* A full unconditional branch to label depth l. */
static void tr_br(Tr *t, uint32_t l) {
  Ctl *c = &t->aC[t->nC - 1 - l];
  if (c->kind == C_FUNC) {
    tr_return(t);
    return;
  }
  tr_br_copies(t, c);
  tr_op(t, IOP_BR);
  tr_br_target(t, c);
}

/* ---- control frames ---- */

/* The param (res false) or result types of c's block type, *pn of them. */
static const ValType *tr_ctl_types(const Tr *t, const Ctl *c, bool res, uint32_t *pn) {
  if (c->btKind == BT_EMPTY) {
    *pn = 0;
    return NULL;
  }
  if (c->btKind == BT_VAL) {
    *pn = res ? 1 : 0;
    return &c->btVal;
  }
  const FuncType *ft = &t->m->aType[c->btType];
  *pn = res ? ft->nResult : ft->nParam;
  return res ? ft->aType + ft->nParam : ft->aType;
}

static void tr_blocktype(Tr *t, Ctl *c, const Instr *in) {
  c->btKind = (uint8_t)in->btKind;
  c->btVal = in->btVal;
  c->btType = in->a;
  uint32_t n;
  const ValType *a = tr_ctl_types(t, c, false, &n);
  c->nParam = tr_slots_of(a, n);
  a = tr_ctl_types(t, c, true, &n);
  c->nResult = tr_slots_of(a, n);
}

static Ctl *tr_push_ctl(Tr *t, CtlKind k, const Instr *in) {
  if (t->nC == t->nCAlloc) {
    uint32_t nNew = t->nCAlloc ? t->nCAlloc * 2 : 16;
    Ctl *aNew = base_realloc(t->aC, (size_t)nNew * sizeof *aNew);
    if (!aNew) {
      t->oom = true;
      return NULL;
    }
    t->aC = aNew;
    t->nCAlloc = nNew;
  }
  Ctl *c = &t->aC[t->nC++];
  memset(c, 0, sizeof *c);
  c->kind = (uint8_t)k;
  c->live = !t->unreach;
  c->fixHead = NO_FIX;
  c->elseFix = NO_FIX;
  c->btKind = BT_EMPTY;
  if (in) tr_blocktype(t, c, in);
  c->height = c->live ? t->nV - c->nParam : 0;
  return c;
}

/* Resets the virtual stack to c's height plus its params (res false) or
** results, in their slots. */
static void tr_reset_stack(Tr *t, const Ctl *c, bool res) {
  uint32_t n;
  const ValType *a = tr_ctl_types(t, c, res, &n);
  t->nV = c->height;
  for (uint32_t i = 0; i < n; i++) tr_push_t(t, a[i]);
}

/* ---- instructions ---- */

/* A condition about to be branched on: either a slot (op BR_IF) or a
** compare just emitted into the top slot, taken back and fused into the
** branch (op BR_<cmp>, its operand words in aw). */
typedef struct Cond {
  IOp op;        /* BR_IF, or the fused BR_<cmp>[_I] for "branch if true" */
  IOp opNot;     /* BR_UNLESS, or the inverse compare's */
  uint32_t aw[3], nw;
  uint32_t addAt; /* an I32_ADD_I right before the fused compare, or UINT32_MAX */
} Cond;

/* The branch ops of compare op (for true and for false), or false. */
static bool tr_cmp_branch(IOp op, IOp *pT, IOp *pF) {
#define INV(X) \
  X(EQ, NE) X(NE, EQ) X(LT_S, GE_S) X(GE_S, LT_S) X(LT_U, GE_U) X(GE_U, LT_U) X(GT_S, LE_S) \
  X(LE_S, GT_S) X(GT_U, LE_U) X(LE_U, GT_U)
#define X(a, b)                                                                         \
  case IOP_I32_##a: *pT = IOP_BR_I32_##a, *pF = IOP_BR_I32_##b; return true;             \
  case IOP_I32_##a##_I: *pT = IOP_BR_I32_##a##_I, *pF = IOP_BR_I32_##b##_I; return true; \
  case IOP_I64_##a: *pT = IOP_BR_I64_##a, *pF = IOP_BR_I64_##b; return true;             \
  case IOP_I64_##a##_I: *pT = IOP_BR_I64_##a##_I, *pF = IOP_BR_I64_##b##_I; return true;
  switch (op) {
    INV(X)
    default:
      return false;
  }
#undef X
#undef INV
}

/* Pops the i32 condition on top of the stack into *pc. A compare or eqz
** that just wrote it (and nothing else reads it) is removed from the code
** and becomes the branch itself. Emits nothing else. */
static void tr_take_cond(Tr *t, Cond *pc) {
  if (t->aV[t->nV - 1].kind == V_ADDI) tr_materialize(t, t->nV - 1);
  uint32_t topSlot = tr_slot(t, t->nV - 1);
  const VEnt *top = &t->aV[t->nV - 1];
  bool fresh = top->kind == V_STK && tr_last_dst(t, topSlot) != UINT32_MAX;
  /* an i32.add_i whose sum a local.tee just put in the local on top */
  bool teed = TR_FUSE && !fresh && !t->oom && top->kind == V_LOC && t->teeEnd == t->n &&
              t->teeOp == IOP_I32_ADD_I && TR_AT(t, t->teeStart, DAI, dst) == top->loc;
  /* (not if a value below still reads that local: an `if` materializes it
  ** before the branch, which now does the add) */
  for (uint32_t i = 0; teed && i + 1 < t->nV; i++)
    if (tr_reads_local(&t->aV[i], top->loc, 1)) teed = false;
  uint32_t cond = tr_pop(t);
  pc->op = IOP_BR_IF, pc->opNot = IOP_BR_UNLESS;
  pc->aw[0] = cond, pc->nw = 1;
  pc->addAt = UINT32_MAX;
  if (teed) {
    /* I32_ADD_I (dst, a, imm) -> I32_ADD_I_BR_IF (dst, a, imm, target) */
    uint32_t start = t->teeStart;
    pc->aw[0] = TR_AT(t, start, DAI, dst);
    pc->aw[1] = TR_AT(t, start, DAI, a);
    pc->aw[2] = TR_AT(t, start, DAI, imm);
    pc->nw = 3;
    pc->op = IOP_I32_ADD_I_BR_IF, pc->opNot = IOP_I32_ADD_I_BR_UNLESS;
    t->n = start;
    tr_label(t);
    return;
  }
  if (!fresh) return;
  uint32_t start = t->lastStart;
  ILayout lay = interp_op_layout(t->lastOp);
  if (t->lastOp == IOP_I32_ADD_I) {
    pc->aw[0] = TR_AT(t, start, DAI, dst);
    pc->aw[1] = TR_AT(t, start, DAI, a);
    pc->aw[2] = TR_AT(t, start, DAI, imm);
    pc->nw = 3;
    pc->op = IOP_I32_ADD_I_BR_IF, pc->opNot = IOP_I32_ADD_I_BR_UNLESS;
  } else if (t->lastOp == IOP_I32_EQZ) {
    pc->op = IOP_BR_UNLESS, pc->opNot = IOP_BR_IF;
    pc->aw[0] = TR_AT(t, start, DA, a);
  } else if ((lay == IL_DAB || lay == IL_DAI || lay == IL_DAQ) &&
             tr_cmp_branch(t->lastOp, &pc->op, &pc->opNot)) {
    /* compare (dst, a, b | imm | imm64) -> BR_<cmp> (a, b | imm | imm64, target) */
    pc->aw[0] = TR_AT(t, start, DAB, a);
    if (lay == IL_DAB) {
      pc->aw[1] = TR_AT(t, start, DAB, b), pc->nw = 2;
    } else if (lay == IL_DAI) {
      pc->aw[1] = TR_AT(t, start, DAI, imm), pc->nw = 2;
    } else {
      pc->aw[1] = TR_AT(t, start, DAQ, imm[0]), pc->aw[2] = TR_AT(t, start, DAQ, imm[1]);
      pc->nw = 3;
    }
    if (t->prevEnd == start && t->prevOp == IOP_I32_ADD_I)
      pc->addAt = t->prevStart;
    else if (t->teeEnd == start && t->teeOp == IOP_I32_ADD_I)
      pc->addAt = t->teeStart;
  } else {
    return;
  }
  t->n = start;
  tr_label(t);
}

/* Emits the branch of cond, taken if it holds (or, with !when, if not);
** the caller emits the target word. */
static void tr_cond_branch(Tr *t, const Cond *pc, bool when) {
  tr_op(t, when ? pc->op : pc->opNot);
  for (uint32_t k = 0; k < pc->nw; k++) tr_emit(t, pc->aw[k]);
}

/* The ADDI_BR op of compare-and-branch op, or IOP_COUNT_. */
static IOp tr_addi_branch(IOp op) {
  switch (op) {
#define X(n)                                 \
  case IOP_BR_##n: return IOP_ADDI_BR_##n;   \
  case IOP_BR_##n##_I: return IOP_ADDI_BR_##n##_I;
    INTERP_I32_CMPS(X)
#undef X
    default:
      return IOP_COUNT_;
  }
}

static void tr_br_if(Tr *t, uint32_t l) {
  Ctl *c = &t->aC[t->nC - 1 - l];
  Cond cond;
  tr_take_cond(t, &cond);
  if (c->kind != C_FUNC && !tr_br_needs_copy(t, c)) {
    IOp fused = tr_addi_branch(cond.op);
    uint32_t at = cond.addAt;
    if (fused != IOP_COUNT_ && !t->oom && at != UINT32_MAX && t->n == at + ILEN(DAI) &&
        cond.nw == 2 && TR_AT(t, at, DAI, dst) == cond.aw[0]) {
      /* the add right before the compare joins the branch: I32_ADD_I (dst,
      ** a, imm) and BR_<cmp> (dst, b | imm2) -> ADDI_BR_<cmp> */
      uint32_t d = TR_AT(t, at, DAI, dst), a = TR_AT(t, at, DAI, a);
      uint32_t imm = TR_AT(t, at, DAI, imm);
      t->n = at;
      if (interp_op_layout(fused) == IL_DAIBL)
        tr_emit_DAIBL(t, fused, d, a, imm, cond.aw[1]);
      else
        tr_emit_DAIIL(t, fused, d, a, imm, cond.aw[1]);
    } else {
      tr_cond_branch(t, &cond, true);
    }
    tr_br_target(t, c);
  } else {
    uint32_t skip = NO_FIX;
    if (c->kind == C_FUNC && cond.op == IOP_I32_ADD_I_BR_IF) {
      /* the results may land in the add's destination: add first */
      tr_emit_DAI(t, IOP_I32_ADD_I, cond.aw[0], cond.aw[1], cond.aw[2]);
      cond.op = IOP_BR_IF, cond.opNot = IOP_BR_UNLESS, cond.nw = 1;
    }
    /* a return materializes its values: do it on both paths */
    if (c->kind == C_FUNC) tr_materialize_top(t, c->nResult);
    tr_cond_branch(t, &cond, false);
    tr_target_fix(t, &skip);
    tr_br(t, l);
    tr_patch(t, skip);
  }
  tr_label(t);
}

static void tr_br_table(Tr *t, const Instr *in) {
  uint32_t idx = tr_pop(t);
  uint32_t n = in->a;
  /* every label has the same arity: put the values in their slots once, on
  ** the path all targets share (stubs below must not materialize) */
  Ctl *cd = &t->aC[t->nC - 1 - decode_br_table_label(in, n)];
  tr_materialize_top(t, ctl_arity(cd));
  uint32_t first = t->n + ILEN(BRTAB); /* the first target word */
  tr_emit_BRTAB(t, IOP_BR_TABLE, idx, n);
  bool stubs = false;
  for (uint32_t k = 0; k <= n; k++) {
    uint32_t l = decode_br_table_label(in, k);
    Ctl *c = &t->aC[t->nC - 1 - l];
    if (c->kind == C_FUNC || tr_br_needs_copy(t, c)) {
      tr_emit(t, 0); /* stub, patched below */
      stubs = true;
    } else {
      tr_br_target(t, c);
    }
  }
  if (!stubs) return;
  for (uint32_t k = 0; k <= n; k++) {
    uint32_t l = decode_br_table_label(in, k);
    Ctl *c = &t->aC[t->nC - 1 - l];
    if (c->kind == C_FUNC || tr_br_needs_copy(t, c)) {
      if (!t->oom) t->a[first + k] = t->n - (first + k);
      tr_br(t, l);
    }
  }
}

static void tr_local_set(Tr *t, uint32_t x, bool tee) {
  uint32_t xs = t->aLocSlot[x], w = tr_width(t->aLocType[x]);
  uint32_t low = t->nV - w;
  VEnt *e = &t->aV[low];
  if (e->kind == V_LOC && e->loc == xs &&
      (w == 1 || (t->aV[low + 1].kind == V_LOC && t->aV[low + 1].loc == xs + 1))) {
    if (!tee) t->nV -= w;
    return;
  }
  /* values still reading local x must be saved before it changes */
  bool refs = false;
  for (uint32_t i = 0; i < low; i++)
    if (tr_reads_local(&t->aV[i], xs, w)) refs = true;
  uint32_t wd = UINT32_MAX;
  if (e->kind == V_STK && (w == 1 || t->aV[low + 1].kind == V_STK))
    wd = tr_last_dst(t, tr_slot(t, low));
  if (!refs && wd != UINT32_MAX) {
    t->a[wd] = xs; /* the producer writes the local directly */
    if (!t->oom) t->teeStart = t->lastStart, t->teeEnd = t->n, t->teeOp = t->lastOp;
    t->lastEnd = UINT32_MAX;
  } else {
    if (refs)
      for (uint32_t i = 0; i < low; i++)
        if (tr_reads_local(&t->aV[i], xs, w)) tr_materialize(t, i);
    uint32_t start = t->n;
    for (uint32_t k = 0; k < w; k++) tr_copy_to(t, &t->aV[low + k], tr_slot(t, low + k), xs + k);
    if (e->kind == V_ADDI && !t->oom) {
      /* the deferred add writes the local: seen as a teed I32_ADD_I */
      t->teeStart = start, t->teeEnd = t->n, t->teeOp = IOP_I32_ADD_I;
      t->lastEnd = UINT32_MAX;
    }
  }
  if (tee) {
    for (uint32_t k = 0; k < w; k++) {
      e = &t->aV[low + k];
      e->kind = V_LOC;
      e->loc = xs + k;
    }
  } else {
    t->nV -= w;
  }
}

static bool tr_commutative(WasmOp op) {
  switch (op) {
    case OP_I32_ADD: case OP_I32_MUL: case OP_I32_AND: case OP_I32_OR: case OP_I32_XOR:
    case OP_I32_EQ: case OP_I32_NE: case OP_I64_ADD: case OP_I64_MUL: case OP_I64_AND:
    case OP_I64_OR: case OP_I64_XOR: case OP_I64_EQ: case OP_I64_NE:
      return true;
    default:
      return false;
  }
}

/* f64 add/sub/mul whose right operand (or, for add and mul, left operand
** with a deferred right one) is an f64.load just emitted: the load is taken
** back and becomes the op's memory operand (<op>_M / _MAI, interp.h). */
static bool tr_f64_memop(Tr *t, WasmOp op) {
  IOp m, mai;
  switch (op) {
#define X(n)          \
  case OP_##n:        \
    m = IOP_##n##_M;  \
    mai = IOP_##n##_MAI; \
    break;
    INTERP_F64_MEMOPS(X)
#undef X
    default:
      return false;
  }
  if (!TR_FUSE || t->oom || t->lastEnd != t->n ||
      (t->lastOp != IOP_F64_LOAD && t->lastOp != IOP_F64_LOAD_AI))
    return false;
  VEnt *ea = &t->aV[t->nV - 2], *eb = &t->aV[t->nV - 1];
  uint32_t loadDst = TR_AT(t, t->lastStart, LOAD, dst);
  bool right = eb->kind == V_STK && loadDst == tr_slot(t, t->nV - 1) &&
               (ea->kind == V_STK || ea->kind == V_LOC);
  bool left = !right && op != OP_F64_SUB && ea->kind == V_STK &&
              loadDst == tr_slot(t, t->nV - 2) && eb->kind == V_LOC;
  if (!right && !left) return false;
  /* the load's address: F64_LOAD (addr, off) or F64_LOAD_AI (a, imm, off) */
  IOp loadOp = t->lastOp, iop;
  uint32_t ls = t->lastStart, addr, imm = 0, off;
  if (loadOp == IOP_F64_LOAD) {
    addr = TR_AT(t, ls, LOAD, addr), off = TR_AT(t, ls, LOAD, off);
  } else {
    addr = TR_AT(t, ls, LOADAI, a), imm = TR_AT(t, ls, LOADAI, imm);
    off = TR_AT(t, ls, LOADAI, off);
  }
  tr_unemit_last(t);
  uint32_t other = right ? tr_read(t, t->nV - 2) : tr_read(t, t->nV - 1);
  t->nV -= 2;
  uint32_t d = tr_push(t);
  uint32_t start = t->n;
  if (loadOp == IOP_F64_LOAD)
    iop = m, tr_emit_DAM(t, iop, d, other, addr, off);
  else
    iop = mai, tr_emit_DAMI(t, iop, d, other, addr, imm, off);
  tr_simple(t, iop, start);
  return true;
}

/* Unary (dst, src) and binary (dst, a, b) numeric instructions. */
static bool tr_numeric(Tr *t, WasmOp op) {
  IOp iop;
  int arity;
  switch (op) {
#define X(n)          \
  case OP_##n:        \
    iop = IOP_##n;    \
    arity = 1;        \
    break;
    INTERP_UNOPS(X)
#undef X
#define X(n)          \
  case OP_##n:        \
    iop = IOP_##n;    \
    arity = 2;        \
    break;
    INTERP_BINOPS(X)
#undef X
    default:
      return false;
  }
  uint32_t start;
  if (arity == 1) {
    uint32_t a = tr_pop(t);
    uint32_t d = tr_push(t);
    start = t->n;
    tr_emit_DA(t, iop, d, a);
  } else if (tr_f64_memop(t, op)) {
    return true;
  } else {
    const VEnt *ea = &t->aV[t->nV - 2], *eb = &t->aV[t->nV - 1];
    /* a constant left operand of a commutative op is taken as the right one */
    bool swap = TR_FUSE && (ea->kind == V_C32 || ea->kind == V_C64) && eb->kind != V_C32 &&
                eb->kind != V_C64 && tr_commutative(op);
    const VEnt *ek = swap ? ea : eb, *eo = swap ? eb : ea;
    if (TR_FUSE && (op == OP_I32_ADD || op == OP_I32_SUB) && ek->kind == V_C32 &&
        (eo->kind == V_LOC || eo->kind == V_ADDI)) {
      /* local + constant (+ constant ...): deferred, see V_ADDI */
      uint32_t k = (uint32_t)ek->bits, loc = eo->loc;
      uint32_t sum = (eo->kind == V_ADDI ? (uint32_t)eo->bits : 0) + (op == OP_I32_SUB ? 0u - k : k);
      t->nV -= 2;
      VEnt *e = tr_push_ent(t);
      if (e) e->kind = V_ADDI, e->loc = loc, e->bits = sum;
      return true;
    }
    IOp immOp = IOP_COUNT_;
    if (TR_FUSE && (ek->kind == V_C32 || ek->kind == V_C64)) {
      switch (op) {
#define X(n)             \
  case OP_##n:           \
    immOp = IOP_##n##_I; \
    break;
        INTERP_I32_IMMOPS(X)
        INTERP_I64_IMMOPS(X)
        INTERP_F64_IMMOPS(X)
#undef X
        default:
          break;
      }
    }
    if (immOp != IOP_COUNT_) {
      uint64_t k = ek->bits;
      uint32_t a;
      if (swap) {
        a = tr_pop(t);
        t->nV--;
      } else {
        t->nV--;
        a = tr_pop(t);
      }
      uint32_t d = tr_push(t);
      start = t->n;
      if (interp_op_layout(immOp) == IL_DAQ)
        tr_emit_DAQ(t, immOp, d, a, k);
      else
        tr_emit_DAI(t, immOp, d, a, (uint32_t)k);
      iop = immOp;
    } else {
      uint32_t b = tr_pop(t);
      uint32_t a = tr_pop(t);
      uint32_t d = tr_push(t);
      start = t->n;
      if (TR_FUSE && iop == IOP_I32_ADD && !t->oom && t->teeEnd == t->n &&
          t->teeOp == IOP_I32_ADD) {
        /* right after an i32.add whose result went to a local: one I32_ADD2 */
        uint32_t ts = t->teeStart;
        uint32_t d1 = TR_AT(t, ts, DAB, dst), a1 = TR_AT(t, ts, DAB, a);
        uint32_t b1 = TR_AT(t, ts, DAB, b);
        start = t->n = ts;
        t->teeEnd = UINT32_MAX;
        iop = IOP_I32_ADD2;
        tr_emit_ADD2(t, iop, d, a, b, d1, a1, b1);
      } else {
        tr_emit_DAB(t, iop, d, a, b);
      }
    }
  }
  tr_simple(t, iop, start);
  return true;
}

/* The load op iop with its address added in: _AI or _AA (interp.h). */
static IOp tr_load_fused(IOp iop, bool imm) {
  switch (iop) {
#define X(n)     \
  case IOP_##n: \
    return imm ? IOP_##n##_AI : IOP_##n##_AA;
    INTERP_LOADS(X)
#undef X
    default:
      return iop;
  }
}

/* An f64.store of F64_ADD_M (adding the value at the stored address) of
** F64_MUL_M / _MAI, the three adjacent: becomes one F64_MAC, or F64_MAC_PRE
** when right before them an i32.add of a constant stepped the local holding
** the address, or F64_MAC_ADD2 when an I32_ADD2 computed both addresses
** (interp.h). Both temporaries must be stack slots (a local.tee
** of the product or the sum needs its own write) and the stored address
** must be the add's memory operand, read from the same slot. */
static bool tr_f64_mac(Tr *t, uint32_t offset) {
  if (!TR_FUSE || t->oom || t->lastEnd != t->n || t->lastOp != IOP_F64_ADD_M ||
      t->prevEnd != t->lastStart ||
      (t->prevOp != IOP_F64_MUL_M && t->prevOp != IOP_F64_MUL_MAI))
    return false;
  const VEnt *ea = &t->aV[t->nV - 2], *ev = &t->aV[t->nV - 1];
  /* F64_ADD_M (sum = prod + mem[addr + off]) of F64_MUL_M / _MAI (prod = x * b) */
  uint32_t as = t->lastStart, ms = t->prevStart;
  uint32_t sum = TR_AT(t, as, DAM, dst), prod = TR_AT(t, ms, DAM, dst);
  if (ev->kind != V_STK || ev->hi || sum != tr_slot(t, t->nV - 1) ||
      TR_AT(t, as, DAM, a) != prod || prod < t->base0 || TR_AT(t, as, DAM, off) != offset)
    return false;
  uint32_t addr;
  if (ea->kind == V_LOC)
    addr = ea->loc;
  else if (ea->kind == V_STK)
    addr = tr_slot(t, t->nV - 2);
  else
    return false;
  if (TR_AT(t, as, DAM, addr) != addr || addr == prod || addr == sum) return false;
  /* b's address: slot, imm (0 unless F64_MUL_MAI), offset */
  bool bImm = t->prevOp == IOP_F64_MUL_MAI;
  uint32_t x = TR_AT(t, ms, DAM, a), b = TR_AT(t, ms, DAM, addr);
  uint32_t ib = bImm ? TR_AT(t, ms, DAMI, imm) : 0;
  uint32_t offB = bImm ? TR_AT(t, ms, DAMI, off) : TR_AT(t, ms, DAM, off);
  uint32_t start = t->prevStart, ts = t->teeStart;
  /* I32_ADD_I (dst, a, imm) that just stepped the address's local */
  bool pre = t->teeEnd == start && t->teeOp == IOP_I32_ADD_I && TR_AT(t, ts, DAI, dst) == addr;
  /* I32_ADD2 that computed the address (d1) and b (dst) */
  bool add2 = t->teeEnd == start && t->teeOp == IOP_I32_ADD2 &&
              TR_AT(t, ts, ADD2, d1) == addr && TR_AT(t, ts, ADD2, dst) == b;
  t->nV -= 2;
  if (add2) {
    uint32_t d = TR_AT(t, ts, ADD2, dst), a = TR_AT(t, ts, ADD2, a), bb = TR_AT(t, ts, ADD2, b);
    uint32_t d1 = TR_AT(t, ts, ADD2, d1), a1 = TR_AT(t, ts, ADD2, a1);
    uint32_t b1 = TR_AT(t, ts, ADD2, b1);
    t->n = ts;
    tr_emit_MACADD2(t, IOP_F64_MAC_ADD2, d1, a1, b1, d, a, bb, x, ib, offset, offB);
    t->lastEnd = t->teeEnd = UINT32_MAX;
    if (!t->oom) t->macStart = ts, t->macEnd = t->n;
    return true;
  }
  /* the F64_MAC_ADD2 right before the stepping add, stepping its own address
  ** local d1, with the same x and b = its d: the second step of an axpy
  ** unrolled by two, one F64_MAC2 */
  uint32_t ms2 = t->macStart;
  if (pre && t->macEnd == ts && addr == TR_AT(t, ms2, MACADD2, d1) &&
      TR_AT(t, ts, DAI, a) == addr && b == TR_AT(t, ms2, MACADD2, d) &&
      x == TR_AT(t, ms2, MACADD2, x) &&
      TR_AT(t, ms2, MACADD2, d1) != TR_AT(t, ms2, MACADD2, d) &&
      x != TR_AT(t, ms2, MACADD2, d1) && x != TR_AT(t, ms2, MACADD2, d)) {
    /* the first step's fields (w1), then the second's step and addresses */
    _Static_assert(IOFF(MAC2, ia2) == ILEN(MACADD2), "F64_MAC2 starts as F64_MAC_ADD2");
    uint32_t ia2 = TR_AT(t, ts, DAI, imm), w1[ILEN(MACADD2) - 1];
    memcpy(w1, &t->a[ms2 + IOFF(MACADD2, d1)], sizeof w1);
    t->n = ms2;
    tr_emit_MAC2(t, IOP_F64_MAC2, w1[0], w1[1], w1[2], w1[3], w1[4], w1[5], w1[6], w1[7], w1[8],
                 w1[9], ia2, ib, offset, offB);
    t->lastEnd = t->teeEnd = t->macEnd = UINT32_MAX;
    return true;
  }
  if (pre) {
    uint32_t a = TR_AT(t, ts, DAI, a), ia = TR_AT(t, ts, DAI, imm);
    t->n = ts;
    tr_emit_MACPRE(t, IOP_F64_MAC_PRE, addr, a, ia, x, b, ib, offset, offB);
  } else {
    t->n = start;
    tr_emit_MAC(t, IOP_F64_MAC, addr, x, b, ib, offset, offB);
  }
  t->lastEnd = t->teeEnd = UINT32_MAX;
  return true;
}

/* The store op iop with its address a local plus a constant (interp.h). */
static IOp tr_store_ai(IOp iop) {
  switch (iop) {
#define X(n)     \
  case IOP_##n: \
    return IOP_##n##_AI;
    INTERP_STORES(X)
#undef X
    default:
      return iop;
  }
}

static bool tr_memory(Tr *t, const Instr *in) {
  IOp iop;
  bool load;
  switch (in->op) {
#define X(n)       \
  case OP_##n:     \
    iop = IOP_##n; \
    load = true;   \
    break;
    INTERP_LOADS(X)
#undef X
#define X(n)       \
  case OP_##n:     \
    iop = IOP_##n; \
    load = false;  \
    break;
    INTERP_STORES(X)
#undef X
    default:
      return false;
  }
  if (load && t->aV[t->nV - 1].kind == V_ADDI) {
    /* a deferred local + constant is the address: the _AI form */
    uint32_t loc = t->aV[t->nV - 1].loc, imm = (uint32_t)t->aV[t->nV - 1].bits;
    t->nV--;
    uint32_t d = tr_push(t);
    uint32_t start = t->n;
    iop = tr_load_fused(iop, true);
    tr_emit_LOADAI(t, iop, d, loc, imm, (uint32_t)in->offset);
    tr_simple(t, iop, start);
  } else if (load) {
    /* an i32.add that just computed the address joins the load */
    uint32_t slot = tr_slot(t, t->nV - 1);
    bool fresh = t->aV[t->nV - 1].kind == V_STK && tr_last_dst(t, slot) != UINT32_MAX &&
                 (t->lastOp == IOP_I32_ADD || t->lastOp == IOP_I32_ADD_I);
    uint32_t a = tr_pop(t);
    uint32_t d = tr_push(t);
    uint32_t start = t->n, off = (uint32_t)in->offset;
    if (fresh) {
      /* I32_ADD (dst, a, b) or I32_ADD_I (dst, a, imm) taken back */
      uint32_t ls = t->lastStart;
      bool imm = t->lastOp == IOP_I32_ADD_I;
      uint32_t x = TR_AT(t, ls, DAB, a);
      uint32_t y = imm ? TR_AT(t, ls, DAI, imm) : TR_AT(t, ls, DAB, b);
      iop = tr_load_fused(iop, imm);
      tr_unemit_last(t);
      start = t->n;
      if (imm)
        tr_emit_LOADAI(t, iop, d, x, y, off);
      else
        tr_emit_LOADAA(t, iop, d, x, y, off);
    } else {
      tr_emit_LOAD(t, iop, d, a, off);
    }
    tr_simple(t, iop, start);
  } else if (iop == IOP_F64_STORE && tr_f64_mac(t, (uint32_t)in->offset)) {
    return true;
  } else if (t->aV[t->nV - 2].kind == V_ADDI) {
    /* the address a deferred local + constant: the store's _AI form */
    uint32_t v = tr_pop(t);
    uint32_t loc = t->aV[t->nV - 1].loc, imm = (uint32_t)t->aV[t->nV - 1].bits;
    t->nV--;
    iop = tr_store_ai(iop);
    tr_emit_STOREAI(t, iop, loc, imm, v, (uint32_t)in->offset);
  } else {
    uint32_t v = tr_pop(t);
    uint32_t a = tr_pop(t);
    tr_emit_STORE(t, iop, a, v, (uint32_t)in->offset);
  }
  return true;
}

/* SIMD instructions: operands by the opcode table's signature letters,
** layout in interp.h (INTERP_SIMD_OPS). */
static bool tr_simd(Tr *t, const Instr *in) {
  IOp iop;
  switch (in->op) {
#define X(n)       \
  case OP_##n:     \
    iop = IOP_##n; \
    break;
    INTERP_SIMD_OPS(X)
#undef X
    case OP_V128_CONST: {
      uint64_t lo, hi;
      memcpy(&lo, in->pVec, 8);
      memcpy(&hi, in->pVec + 8, 8);
      tr_push_const(t, V_C64, lo);
      tr_push_const(t, V_C64, hi);
      if (!t->oom) t->aV[t->nV - 1].hi = 1;
      return true;
    }
    default:
      return false;
  }
  const OpInfo *oi = &opinfo_table[in->op];
  uint32_t aS[4], np = (uint32_t)strlen(oi->zParams);
  if (np > 4) np = 4;
  for (uint32_t k = np; k-- > 0;) aS[k] = oi->zParams[k] == 'v' ? tr_pop_v(t) : tr_pop(t);
  char res = oi->zResults[0];
  uint32_t d = res ? tr_push_t(t, res == 'v' ? VT_V128 : VT_I64) : 0;
  uint32_t start = t->n;
  tr_op(t, iop);
  if (res) tr_emit(t, d);
  for (uint32_t k = 0; k < np; k++) tr_emit(t, aS[k]);
  switch (oi->imm) {
    case IMM_MEMARG:
      tr_emit(t, (uint32_t)in->offset);
      break;
    case IMM_LANE:
      tr_emit(t, in->a);
      break;
    case IMM_MEMARG_LANE:
      tr_emit(t, (uint32_t)in->offset);
      tr_emit(t, in->a);
      break;
    case IMM_SHUFFLE:
      for (int k = 0; k < 4; k++) {
        uint32_t w;
        memcpy(&w, in->pVec + 4 * k, 4);
        tr_emit(t, w);
      }
      break;
    default:
      break;
  }
  if (res) tr_simple(t, iop, start);
  return true;
}

/* Emits op dst, <k operands popped in order> for ops that push one result.
** The k popped slots are emitted first-pushed first. */
static void tr_pop_n(Tr *t, uint32_t *aS, int k) {
  for (int i = k - 1; i >= 0; i--) aS[i] = tr_pop(t);
}

static void tr_instr(Tr *t, const Instr *in) {
  const Module *m = t->m;
  uint32_t s[5];
  uint32_t d, start;
  switch (in->op) {
    case OP_NOP:
      return;
    case OP_UNREACHABLE:
      tr_emit_NONE(t, IOP_UNREACHABLE);
      t->unreach = true;
      return;
    case OP_BR:
      tr_br(t, in->a);
      t->unreach = true;
      return;
    case OP_BR_IF:
      tr_br_if(t, in->a);
      return;
    case OP_BR_TABLE:
      tr_br_table(t, in);
      t->unreach = true;
      return;
    case OP_RETURN:
      tr_return(t);
      t->unreach = true;
      return;
    case OP_CALL: {
      const FuncType *ft = module_func_type(m, in->a);
      uint32_t np = tr_slots_of(ft->aType, ft->nParam);
      tr_materialize_top(t, np);
      uint32_t base = tr_slot(t, t->nV - np);
      t->nV -= np;
      if (in->a >= m->nFuncImport) /* defined here: same instance, not a host function */
        tr_emit_CALLDEF(t, IOP_CALL_DEF, in->a - m->nFuncImport, base);
      else
        tr_emit_CALL(t, IOP_CALL, in->a, base);
      for (uint32_t i = 0; i < ft->nResult; i++) tr_push_t(t, ft->aType[ft->nParam + i]);
      return;
    }
    case OP_CALL_INDIRECT: {
      const FuncType *ft = &m->aType[in->a];
      uint32_t idx = tr_pop(t);
      uint32_t np = tr_slots_of(ft->aType, ft->nParam);
      tr_materialize_top(t, np);
      uint32_t base = tr_slot(t, t->nV - np);
      t->nV -= np;
      tr_emit_CALLI(t, IOP_CALL_INDIRECT, in->a, in->b, base, idx);
      for (uint32_t i = 0; i < ft->nResult; i++) tr_push_t(t, ft->aType[ft->nParam + i]);
      return;
    }
    case OP_DROP:
      t->nV -= tr_top_width(t);
      return;
    case OP_SELECT:
    case OP_SELECT_T:
      if (t->aV[t->nV - 2].hi) {
        s[2] = tr_pop(t);
        s[1] = tr_pop_v(t);
        s[0] = tr_pop_v(t);
        d = tr_push_t(t, VT_V128);
        start = t->n;
        tr_emit_SELV(t, IOP_SELECT_V, d, s[0], s[1], s[2]);
        tr_simple(t, IOP_SELECT_V, start);
        return;
      }
    {
      /* a compare (or eqz) that just computed the condition joins the select
      ** if popping the operands emits nothing after it */
      IOp sop = IOP_SELECT;
      uint32_t cw[2] = {0, 0}, cStart = 0, cEnd = UINT32_MAX;
      if (t->aV[t->nV - 1].kind == V_STK && tr_last_dst(t, tr_slot(t, t->nV - 1)) != UINT32_MAX) {
        /* an eqz (dst, a) or a compare (dst, a, b) */
        cStart = t->lastStart, cEnd = t->lastEnd;
        cw[0] = TR_AT(t, cStart, DA, a);
        if (interp_op_layout(t->lastOp) == IL_DAB) cw[1] = TR_AT(t, cStart, DAB, b);
        switch (t->lastOp) {
          case IOP_I32_EQZ: sop = IOP_BR_IF; break; /* marker: plain select, swapped */
          case IOP_I64_EQZ: sop = IOP_SELECT_NZ64; break;
#define X(n) case IOP_##n: sop = IOP_SELECT_##n; break;
          INTERP_I32_CMPS(X)
#undef X
          default: cEnd = UINT32_MAX; break;
        }
      }
      tr_pop_n(t, s, 3);
      d = tr_push(t);
      if (cEnd != UINT32_MAX && t->n == cEnd && !t->oom) {
        t->n = start = cStart;
        if (sop == IOP_BR_IF || sop == IOP_SELECT_NZ64) {
          IOp op = sop == IOP_BR_IF ? IOP_SELECT : IOP_SELECT_NZ64;
          tr_emit_SEL(t, op, d, s[1], s[0], cw[0]);
          tr_simple(t, op, start);
        } else {
          tr_emit_SELCMP(t, sop, d, s[0], s[1], cw[0], cw[1]);
          tr_simple(t, sop, start);
        }
        return;
      }
      start = t->n;
      tr_emit_SEL(t, IOP_SELECT, d, s[0], s[1], s[2]);
      tr_simple(t, IOP_SELECT, start);
      return;
    }
    case OP_LOCAL_GET: {
      uint32_t xs = t->aLocSlot[in->a];
      VEnt *e = tr_push_ent(t);
      if (e) e->kind = V_LOC, e->loc = xs;
      if (t->aLocType[in->a] == VT_V128 && (e = tr_push_ent(t)) != NULL)
        e->kind = V_LOC, e->loc = xs + 1, e->hi = 1;
      return;
    }
    case OP_LOCAL_SET:
    case OP_LOCAL_TEE:
      tr_local_set(t, in->a, in->op == OP_LOCAL_TEE);
      return;
    case OP_GLOBAL_GET:
      if (m->aGlobal[in->a].type.type == VT_V128) {
        d = tr_push_t(t, VT_V128);
        start = t->n;
        tr_emit_GGETV(t, IOP_GLOBAL_GET_V, d, in->a);
        tr_simple(t, IOP_GLOBAL_GET_V, start);
        return;
      }
      d = tr_push(t);
      start = t->n;
      tr_emit_GGET(t, IOP_GLOBAL_GET, d, in->a);
      tr_simple(t, IOP_GLOBAL_GET, start);
      return;
    case OP_GLOBAL_SET:
      if (m->aGlobal[in->a].type.type == VT_V128) {
        s[0] = tr_pop_v(t);
        tr_emit_GSETV(t, IOP_GLOBAL_SET_V, in->a, s[0]);
        return;
      }
      s[0] = tr_pop(t);
      tr_emit_GSET(t, IOP_GLOBAL_SET, in->a, s[0]);
      return;
    case OP_TABLE_GET:
      s[0] = tr_pop(t);
      d = tr_push(t);
      tr_emit_TGET(t, IOP_TABLE_GET, d, in->a, s[0]);
      return;
    case OP_TABLE_SET:
      tr_pop_n(t, s, 2);
      tr_emit_TSET(t, IOP_TABLE_SET, in->a, s[0], s[1]);
      return;
    case OP_TABLE_SIZE:
      d = tr_push(t);
      tr_emit_TSIZE(t, IOP_TABLE_SIZE, d, in->a);
      return;
    case OP_TABLE_GROW:
      tr_pop_n(t, s, 2);
      d = tr_push(t);
      tr_emit_TGROW(t, IOP_TABLE_GROW, d, in->a, s[0], s[1]);
      return;
    case OP_TABLE_FILL:
      tr_pop_n(t, s, 3);
      tr_emit_TFILL(t, IOP_TABLE_FILL, in->a, s[0], s[1], s[2]);
      return;
    case OP_TABLE_COPY:
      tr_pop_n(t, s, 3);
      tr_emit_TCOPY(t, IOP_TABLE_COPY, in->a, in->b, s[0], s[1], s[2]);
      return;
    case OP_TABLE_INIT:
      tr_pop_n(t, s, 3);
      tr_emit_TINIT(t, IOP_TABLE_INIT, in->b, in->a, s[0], s[1], s[2]);
      return;
    case OP_ELEM_DROP:
      tr_emit_EDROP(t, IOP_ELEM_DROP, in->a);
      return;
    case OP_MEMORY_SIZE:
      d = tr_push(t);
      tr_emit_D(t, IOP_MEMORY_SIZE, d);
      return;
    case OP_MEMORY_GROW:
      s[0] = tr_pop(t);
      d = tr_push(t);
      tr_emit_DA(t, IOP_MEMORY_GROW, d, s[0]);
      return;
    case OP_MEMORY_FILL:
      tr_pop_n(t, s, 3);
      tr_emit_MBULK(t, IOP_MEMORY_FILL, s[0], s[1], s[2]);
      return;
    case OP_MEMORY_COPY:
      tr_pop_n(t, s, 3);
      tr_emit_MBULK(t, IOP_MEMORY_COPY, s[0], s[1], s[2]);
      return;
    case OP_MEMORY_INIT:
      tr_pop_n(t, s, 3);
      tr_emit_MINIT(t, IOP_MEMORY_INIT, in->a, s[0], s[1], s[2]);
      return;
    case OP_DATA_DROP:
      tr_emit_DDROP(t, IOP_DATA_DROP, in->a);
      return;
    case OP_I32_CONST:
      tr_push_const(t, V_C32, (uint32_t)in->bits);
      return;
    case OP_F32_CONST:
      tr_push_const(t, V_C32, (uint32_t)in->bits);
      return;
    case OP_I64_CONST:
    case OP_F64_CONST:
      tr_push_const(t, V_C64, in->bits);
      return;
    case OP_REF_NULL:
      tr_push_const(t, V_C64, 0);
      return;
    case OP_REF_IS_NULL:
      s[0] = tr_pop(t);
      d = tr_push(t);
      start = t->n;
      tr_emit_DA(t, IOP_I64_EQZ, d, s[0]);
      tr_simple(t, IOP_I64_EQZ, start);
      return;
    case OP_REF_FUNC:
      d = tr_push(t);
      tr_emit_RFUNC(t, IOP_REF_FUNC, d, in->a);
      return;
    /* 'reinterpret' only relabels the bits */
    case OP_I32_REINTERPRET_F32:
    case OP_I64_REINTERPRET_F64:
    case OP_F32_REINTERPRET_I32:
    case OP_F64_REINTERPRET_I64:
      return;
    default:
      if (tr_numeric(t, in->op)) return;
      if (tr_memory(t, in)) return;
      if (tr_simd(t, in)) return;
      /* nothing else reaches here (the validator refuses unknown ops) */
      tr_emit_NONE(t, IOP_UNREACHABLE);
      return;
  }
}

/* Control instructions; true if in was one (they run even in dead code). */
static bool tr_control(Tr *t, const Instr *in) {
  Ctl *c;
  switch (in->op) {
    case OP_BLOCK:
    case OP_LOOP:
      if (!t->unreach)
        for (uint32_t i = 0; i < t->nV; i++) tr_materialize(t, i);
      c = tr_push_ctl(t, in->op == OP_BLOCK ? C_BLOCK : C_LOOP, in);
      if (c && c->live && in->op == OP_LOOP) {
        /* no op at the head: the back edge checks the limits (exec.c) */
        tr_label(t);
        c->loopPos = t->n;
      }
      return true;
    case OP_IF: {
      Cond cond = {IOP_BR_IF, IOP_BR_UNLESS, {0}, 1, UINT32_MAX};
      if (!t->unreach) {
        tr_take_cond(t, &cond);
        for (uint32_t i = 0; i < t->nV; i++) tr_materialize(t, i);
      }
      c = tr_push_ctl(t, C_IF, in);
      if (c && c->live) {
        tr_cond_branch(t, &cond, false);
        tr_target_fix(t, &c->elseFix);
      }
      return true;
    }
    case OP_ELSE:
      c = &t->aC[t->nC - 1];
      if (!c->live) return true;
      if (!t->unreach) {
        tr_materialize_top(t, c->nResult);
        tr_op(t, IOP_BR);
        tr_target_fix(t, &c->fixHead);
      }
      tr_patch(t, c->elseFix);
      c->elseFix = NO_FIX;
      tr_label(t);
      tr_reset_stack(t, c, false);
      t->unreach = false;
      return true;
    case OP_END:
      c = &t->aC[t->nC - 1];
      if (c->kind == C_FUNC) {
        if (!t->unreach) tr_return(t);
        t->nC--;
        return true;
      }
      if (c->live) {
        if (!t->unreach) tr_materialize_top(t, c->nResult);
        tr_patch(t, c->elseFix); /* if without else: params are the results */
        tr_patch(t, c->fixHead);
        tr_label(t);
        tr_reset_stack(t, c, true);
        t->unreach = false;
      }
      t->nC--;
      return true;
    default:
      return false;
  }
}

/* Sets aNoZero[x] for the declared locals x (indices past the params) that
** the function's straight-line prefix writes before anything reads them:
** clang initializes most locals so, and they need no zeroing on entry. The
** scan stops at the first control instruction (or after a few hundred). */
static void tr_scan_prefix(const Module *m, const Func *f, uint32_t nParam, uint32_t nIdx,
                           bool *aNoZero) {
  const uint8_t *p = f->pBody, *end = f->pBody + f->nBody;
  bool *aRead = aNoZero + nIdx; /* the second half of the caller's array */
  for (int k = 0; k < 256 && p < end; k++) {
    Instr in;
    cairn_error err;
    if (!decode_instr(p, end, m->aBytes, &in, &err)) return;
    p += in.len;
    switch (in.op) {
      case OP_LOCAL_GET:
        if (in.a < nIdx) aRead[in.a] = true;
        break;
      case OP_LOCAL_SET:
      case OP_LOCAL_TEE:
        if (in.a >= nParam && in.a < nIdx && !aRead[in.a]) aNoZero[in.a] = true;
        break;
      case OP_BLOCK: case OP_LOOP: case OP_IF: case OP_ELSE: case OP_END: case OP_BR:
      case OP_BR_IF: case OP_BR_TABLE: case OP_RETURN: case OP_UNREACHABLE:
        return;
      default:
        break;
    }
  }
}

/* Translates function fidx of m into a new InterpCode (NULL + err on failure). */
static InterpCode *tr_function(const Module *m, uint32_t fidx, cairn_error *err) {
  const Func *f = &m->aFunc[fidx];
  const FuncType *ft = module_func_type(m, fidx);
  Tr t;
  memset(&t, 0, sizeof t);
  t.m = m;
  t.lastEnd = t.prevEnd = t.teeEnd = t.macEnd = UINT32_MAX;
  InterpCode *code = NULL;
  /* slots of the locals (params first): v128 ones take two */
  /* slots: params, then the locals to zero on entry, then the others */
  uint32_t nIdx = ft->nParam + f->nLocal, nParamSlot = 0, nSlot = 0, nZeroSlot = 0;
  t.aLocSlot = base_malloc(((size_t)nIdx + 1) * sizeof *t.aLocSlot);
  t.aLocType = base_malloc((size_t)nIdx + 1);
  bool *aNoZero = base_calloc(2 * (size_t)nIdx + 1, sizeof(bool));
  if (!t.aLocSlot || !t.aLocType || !aNoZero) {
    t.oom = true;
  } else {
    uint32_t x = 0;
    for (uint32_t i = 0; i < ft->nParam; i++, x++) {
      t.aLocSlot[x] = nSlot;
      t.aLocType[x] = ft->aType[i];
      nSlot += tr_width(ft->aType[i]);
    }
    nParamSlot = nSlot;
    for (uint32_t g = 0; g < f->nLocalGroup; g++)
      for (uint32_t i = 0; i < f->aLocalGroup[g].count && x < nIdx; i++, x++)
        t.aLocType[x] = f->aLocalGroup[g].type;
    if (f->nLocal) tr_scan_prefix(m, f, ft->nParam, nIdx, aNoZero);
    for (int pass = 0; pass < 2; pass++)
      for (x = ft->nParam; x < nIdx; x++)
        if (aNoZero[x] == (pass == 1)) {
          t.aLocSlot[x] = nSlot;
          nSlot += tr_width(t.aLocType[x]);
          if (pass == 0) nZeroSlot = nSlot - nParamSlot;
        }
  }
  base_free(aNoZero);
  t.base0 = nSlot;
  uint32_t nResultSlot = tr_slots_of(ft->aType + ft->nParam, ft->nResult);
  Ctl *c = tr_push_ctl(&t, C_FUNC, NULL);
  if (c) c->nResult = nResultSlot;

  const uint8_t *p = f->pBody, *end = f->pBody + f->nBody;
  while (p < end && t.nC > 0 && !t.oom) {
    Instr in;
    if (!decode_instr(p, end, m->aBytes, &in, err)) goto done;
    t.curOff = (uint32_t)(p - m->aBytes);
    t.takenOff = 0;
    p += in.len;
    if (tr_control(&t, &in)) continue;
    if (t.unreach) continue;
    tr_instr(&t, &in);
  }
  /* never reached: handlers fetch operand words in pairs (exec.c), so the
  ** last instruction's final operand may be read with the word after it */
  tr_op(&t, IOP_UNREACHABLE);
  if (t.nMap && t.aMap[2 * (t.nMap - 1)] == t.n - 1) t.nMap--; /* not a Wasm instruction */
  if (t.oom) {
    base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory translating function %u", fidx);
    goto done;
  }
  code = base_malloc(sizeof *code + ((size_t)t.n + 2 * (size_t)t.nMap) * sizeof(uint32_t));
  if (!code) {
    base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory translating function %u", fidx);
    goto done;
  }
  code->nParam = nParamSlot;
  code->nResult = nResultSlot;
  code->nLocal = nZeroSlot;
  code->frameSize = t.base0 + t.maxH;
  if (code->frameSize < code->nResult) code->frameSize = code->nResult;
  code->funcIdx = fidx;
  code->bounded = module_func_bounded(m, fidx);
  code->zName = f->name.n ? base_strndup(f->name.z, f->name.n) : NULL;
  if (f->name.n && !code->zName) { /* published code would lose its name for good */
    base_free(code);
    code = NULL;
    base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory translating function %u", fidx);
    goto done;
  }
  code->nCode = t.n;
  memcpy(code->aCode, t.a, (size_t)t.n * sizeof(uint32_t));
  code->nMap = t.nMap;
  code->aMap = code->aCode + t.n;
  if (t.nMap) memcpy(code->aCode + t.n, t.aMap, 2 * (size_t)t.nMap * sizeof(uint32_t));
  if (INTERP_VERIFY) interp_verify_or_die(m, code);
done:
  base_free(t.a);
  base_free(t.aMap);
  base_free(t.aLocSlot);
  base_free(t.aLocType);
  base_free(t.aV);
  base_free(t.aC);
  return code;
}

/* Func.pCode of a function not translated yet: its frame size fails the
** call path's stack check, so calls reach interp_translate (exec.c). */
static const InterpCode tr_lazy = {.frameSize = UINT32_MAX};

bool interp_is_lazy(const InterpCode *code) { return code == &tr_lazy; }

const InterpCode *interp_translate(const Module *m, uint32_t fidx, cairn_error *err) {
  Func *f = (Func *)&m->aFunc[fidx]; /* only pCode is written, atomically */
  void *cur = __atomic_load_n(&f->pCode, __ATOMIC_ACQUIRE);
  if (cur != &tr_lazy) return cur;
  InterpCode *code = tr_function(m, fidx, err);
  if (!code) return NULL;
  /* another thread may have published its translation first: use that one */
  if (!__atomic_compare_exchange_n(&f->pCode, &cur, code, false, __ATOMIC_ACQ_REL,
                                   __ATOMIC_ACQUIRE)) {
    base_free(code->zName);
    base_free(code);
    return cur;
  }
  return code;
}

bool interp_compile_module(Module *m, cairn_error *err) {
  /* functions are translated on their first call (interp_translate) */
  for (uint32_t i = m->nFuncImport; i < m->nFunc; i++)
    if (!m->aFunc[i].pCode) m->aFunc[i].pCode = (void *)&tr_lazy;
  m->tier = &interp_tier;
  return true;
}

void interp_free_module_code(Module *m) {
  if (!m || !m->aFunc) return;
  for (uint32_t i = m->nFuncImport; i < m->nFunc; i++) {
    InterpCode *code = m->aFunc[i].pCode;
    if (code && code != &tr_lazy) {
      base_free(code->zName);
      base_free(code);
    }
    m->aFunc[i].pCode = NULL;
  }
}
