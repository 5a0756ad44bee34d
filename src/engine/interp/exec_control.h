/*
** exec_control.h: the interpreter's control handlers - branches, br_table,
** return and calls (their slow paths are in exec.c: do_call, call_slow,
** call_host) - and moves, constants, select and globals. Not a normal
** header: included once inside exec_run (exec.c), whose locals and macros it
** uses (pc, fp, fr, inst, S(k), U32(k), PAIR, JUMP, OP, NEXT, TRAP).
** Operand layouts: interp.h (INTERP_CTL_OPS and the format table).
*/

/* ---- control ---- */
OP(UNREACHABLE) { TRAP(CAIRN_TRAP_UNREACHABLE); }
OP(BR) { JUMP(pc); }
OP(BR_IF) {
  if (U32(0)) JUMP(pc + 1);
  pc += 2;
  NEXT();
}
OP(BR_UNLESS) {
  if (!U32(0)) JUMP(pc + 1);
  pc += 2;
  NEXT();
}
/* a loop counter's step and test (i32.add with a constant, maybe a
** local.tee, then br_if / if on the sum) */
OP(I32_ADD_I_BR_IF) {
  uint32_t v = U32(1) + pc[2];
  S(0) = v;
  if (v) JUMP(pc + 3);
  pc += 4;
  NEXT();
}
OP(I32_ADD_I_BR_UNLESS) {
  uint32_t v = U32(1) + pc[2];
  S(0) = v;
  if (!v) JUMP(pc + 3);
  pc += 4;
  NEXT();
}
OP(BR_TABLE) {
  uint32_t i = U32(0), n = pc[1];
  JUMP(pc + 2 + (i < n ? i : n));
}
OP(RET) {
  if (UNLIKELY(--ex->nFrame == base)) return true;
  fr--;
  fp = fr->fp;
  pc = fr->pc;
  if (UNLIKELY(fr->inst != inst)) {
    inst = fr->inst;
    LOAD_MEM();
  }
  NEXT();
}
OP(CALL) {
  callee = inst->apFunc[pc[0]];
  nfp = fp + pc[1];
  pc += 2;
  goto do_call;
}
OP(CALL_DEF) {
  callee = &inst->aOwnFunc[pc[0]];
  nfp = fp + pc[1];
  pc += 2;
  fr->pc = pc;
  fr->fp = fp;
  cc = __atomic_load_n(&callee->def->pCode, __ATOMIC_ACQUIRE);
  if (UNLIKELY(ex->nFrame >= ex->nFrameCap || cc->frameSize > (size_t)(ex->pEnd - nfp)))
    goto call_slow;
  fr++;
  ex->nFrame++;
  fr->f = callee;
  fr->inst = inst;
  fp = nfp;
  pc = cc->aCode;
  if (cc->nLocal)
    for (Slot *p = fp + cc->nParam, *e = p + cc->nLocal; p < e; p++) *p = 0;
  CHECK_LIMITS_AT_ENTRY(cc);
  NEXT();
}
OP(CALL_INDIRECT) {
  cairn_table *tab = inst->apTable[pc[1]];
  uint32_t i = U32(3);
  if (UNLIKELY(i >= tab->size)) TRAP(CAIRN_TRAP_UNDEFINED_ELEMENT);
  callee = tab->aElem[i];
  if (UNLIKELY(!callee)) TRAP(CAIRN_TRAP_UNINITIALIZED_ELEMENT);
  if (UNLIKELY(callee->typeId != inst->aTypeId[pc[0]])) TRAP(CAIRN_TRAP_INDIRECT_MISMATCH);
  nfp = fp + pc[2];
  pc += 4;
  goto do_call;
}

/* ---- moves, constants, variables ---- */
OP(MOV) {
  uint64_t ds = PAIR(0);
  fp[PAIR_LO(ds)] = fp[PAIR_HI(ds)];
  pc += 2;
  NEXT();
}
OP(CONST32) {
  S(0) = pc[1];
  pc += 2;
  NEXT();
}
OP(CONST64) {
  S(0) = (uint64_t)pc[1] | ((uint64_t)pc[2] << 32);
  pc += 3;
  NEXT();
}
OP(SELECT) {
  S(0) = U32(3) ? S(1) : S(2);
  pc += 4;
  NEXT();
}
OP(GLOBAL_GET) {
  S(0) = inst->apGlobal[pc[1]]->v[0];
  pc += 2;
  NEXT();
}
OP(GLOBAL_SET) {
  inst->apGlobal[pc[0]]->v[0] = S(1);
  pc += 2;
  NEXT();
}
OP(REF_FUNC) {
  S(0) = (Slot)(uintptr_t)inst->apFunc[pc[1]];
  pc += 2;
  NEXT();
}
/* v128 (two slots) variants */
OP(SELECT_V) {
  const Slot *src = U32(3) ? &S(1) : &S(2);
  Slot lo = src[0], hi = src[1];
  (&S(0))[0] = lo;
  (&S(0))[1] = hi;
  pc += 4;
  NEXT();
}
OP(GLOBAL_GET_V) {
  const cairn_global *g = inst->apGlobal[pc[1]];
  (&S(0))[0] = g->v[0];
  (&S(0))[1] = g->v[1];
  pc += 2;
  NEXT();
}
OP(GLOBAL_SET_V) {
  cairn_global *g = inst->apGlobal[pc[0]];
  g->v[0] = (&S(1))[0];
  g->v[1] = (&S(1))[1];
  pc += 2;
  NEXT();
}
