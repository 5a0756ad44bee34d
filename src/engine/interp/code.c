/*
** code.c: the interpreter code's format table at work (interp.h): op names
** and layouts, op words back to ops, the disassembler (`cairn inspect
** --code`, cairn_module_disassemble) and the verifier that checks every
** translation in Debug and fuzz builds.
**
** It may not touch: the code it reads (const), the module beyond
** translating a function on request (interp_translate).
*/
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "engine/interp/interp.h"

static const char *const azOpName[IOP_COUNT_] = {
#define INTERP_OP(n, L) [IOP_##n] = #n,
    INTERP_OP_TABLE
#undef INTERP_OP
};

static const uint8_t aOpLayout[IOP_COUNT_] = {
#define INTERP_OP(n, L) [IOP_##n] = IL_##L,
    INTERP_OP_TABLE
#undef INTERP_OP
};

/* Each layout's field kinds, ended by IK_COUNT_. */
#define CODE_KIND(n, kind) IK_##kind,
static const uint8_t aLayoutKind[IL_COUNT_][16] = {
#define L(name) [IL_##name] = {INTERP_LAYOUT_##name(CODE_KIND) IK_COUNT_},
    INTERP_LAYOUTS(L)
#undef L
};
#undef CODE_KIND

static const uint8_t aKindWords[IK_COUNT_] = {
#define K(name, ch, words) [IK_##name] = words,
    INTERP_KINDS(K)
#undef K
};

/* The Wasm op of each SIMD op (their layouts come from its signature). */
static const uint16_t aSimdWasmOp[IOP_COUNT_] = {
#define X(n) [IOP_##n] = OP_##n,
    INTERP_SIMD_OPS(X)
#undef X
};

const char *interp_op_name(IOp op) {
  return (unsigned)op < IOP_COUNT_ ? azOpName[op] : "?";
}

ILayout interp_op_layout(IOp op) {
  return (ILayout)aOpLayout[op];
}

bool interp_op_locates(IOp op) {
  switch (interp_op_layout(op)) {
    case IL_CALL: case IL_CALLDEF: case IL_CALLI: case IL_TGET: case IL_TSET: case IL_TFILL:
    case IL_TCOPY: case IL_TINIT: case IL_MBULK: case IL_MINIT: case IL_LOAD: case IL_LOADAI:
    case IL_LOADAA: case IL_STORE: case IL_STOREAI: case IL_DAM: case IL_DAMI: case IL_MAC:
    case IL_MACPRE: case IL_MACADD2: case IL_MAC2:
      return true;
    case IL_SIMD: {
      ImmKind imm = opinfo_table[aSimdWasmOp[op]].imm;
      return imm == IMM_MEMARG || imm == IMM_MEMARG_LANE;
    }
    default:
      break;
  }
  switch (op) {
    case IOP_UNREACHABLE: case IOP_I32_DIV_S: case IOP_I32_DIV_U: case IOP_I32_REM_S:
    case IOP_I32_REM_U: case IOP_I64_DIV_S: case IOP_I64_DIV_U: case IOP_I64_REM_S:
    case IOP_I64_REM_U: case IOP_I32_TRUNC_F32_S: case IOP_I32_TRUNC_F32_U:
    case IOP_I32_TRUNC_F64_S: case IOP_I32_TRUNC_F64_U: case IOP_I64_TRUNC_F32_S:
    case IOP_I64_TRUNC_F32_U: case IOP_I64_TRUNC_F64_S: case IOP_I64_TRUNC_F64_U:
      return true;
    default:
      return false;
  }
}

uint32_t interp_code_offset(const InterpCode *code, const uint32_t *pc) {
  if (!pc || pc <= code->aCode || pc > code->aCode + code->nCode) return 0;
  /* the last entry whose op word is before pc */
  uint32_t w = (uint32_t)(pc - code->aCode), lo = 0, hi = code->nMap;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (code->aMap[2 * mid] < w)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo ? code->aMap[2 * (lo - 1) + 1] : 0;
}

uint32_t interp_op_kinds(IOp op, IKind *aKind) {
  uint32_t n = 0;
  ILayout lay = interp_op_layout(op);
  if (lay != IL_SIMD) {
    for (const uint8_t *p = aLayoutKind[lay]; *p != IK_COUNT_; p++) aKind[n++] = (IKind)*p;
    return n;
  }
  const OpInfo *oi = &opinfo_table[aSimdWasmOp[op]];
  if (oi->zResults[0]) aKind[n++] = oi->zResults[0] == 'v' ? IK_VSLOT : IK_SLOT;
  for (const char *p = oi->zParams; *p && n < 8; p++)
    aKind[n++] = *p == 'v' ? IK_VSLOT : IK_SLOT;
  switch (oi->imm) {
    case IMM_MEMARG:
      aKind[n++] = IK_OFF;
      break;
    case IMM_LANE:
      aKind[n++] = IK_LANE;
      break;
    case IMM_MEMARG_LANE:
      aKind[n++] = IK_OFF, aKind[n++] = IK_LANE;
      break;
    case IMM_SHUFFLE:
      aKind[n++] = IK_SHUF;
      break;
    default:
      break;
  }
  return n;
}

/* ---- op words back to ops ----
** With computed goto an op word is a handler offset: a table sorted by
** word, built once. With switch dispatch the word is the op. */
#ifndef CAIRN_SWITCH_DISPATCH
static uint64_t aWordOp[IOP_COUNT_]; /* word << 32 | op, ascending */
static pthread_once_t wordOnce = PTHREAD_ONCE_INIT;

static int code_cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static void code_build_words(void) {
  for (uint32_t op = 0; op < IOP_COUNT_; op++)
    aWordOp[op] = (uint64_t)interp_op_word((IOp)op) << 32 | op;
  qsort(aWordOp, IOP_COUNT_, sizeof aWordOp[0], code_cmp_u64);
}
#endif

bool interp_op_of_word(uint32_t w, IOp *pOp) {
#ifdef CAIRN_SWITCH_DISPATCH
  if (w >= IOP_COUNT_) return false;
  *pOp = (IOp)w;
  return true;
#else
  pthread_once(&wordOnce, code_build_words);
  uint32_t lo = 0, hi = IOP_COUNT_;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    uint32_t mw = (uint32_t)(aWordOp[mid] >> 32);
    if (mw == w) {
      *pOp = (IOp)(uint32_t)aWordOp[mid];
      return true;
    }
    if (mw < w)
      lo = mid + 1;
    else
      hi = mid;
  }
  return false;
#endif
}

/* One decoded instruction: its op, fields' kinds and total length. */
typedef struct CodeInstr {
  IOp op;
  IKind aKind[16];
  uint32_t nKind;
  uint32_t nTarget; /* BR_TABLE: n + 1 targets after the fields */
  uint32_t len;     /* words, op word included */
} CodeInstr;

/* Decodes the instruction at word pos. False if its op word is unknown or
** it runs past the end (*pWhy says which). */
static bool code_decode(const InterpCode *c, uint32_t pos, CodeInstr *ci, const char **pWhy) {
  if (!interp_op_of_word(c->aCode[pos], &ci->op)) {
    *pWhy = "unknown op word";
    return false;
  }
  ci->nKind = interp_op_kinds(ci->op, ci->aKind);
  uint64_t len = 1;
  for (uint32_t k = 0; k < ci->nKind; k++) len += aKindWords[ci->aKind[k]];
  ci->nTarget = 0;
  if (ci->op == IOP_BR_TABLE && pos + len <= c->nCode) {
    ci->nTarget = c->aCode[pos + IOFF(BRTAB, n)] + 1;
    if (ci->nTarget == 0) ci->nTarget = UINT32_MAX; /* n = 2^32-1: cannot fit */
    len += ci->nTarget;
  }
  if (pos + len > c->nCode) {
    *pWhy = "instruction runs past the end of the code";
    return false;
  }
  ci->len = (uint32_t)len;
  return true;
}

/* Slots of a function type's params (res false) or results. */
static uint32_t code_type_slots(const FuncType *ft, bool res) {
  uint32_t n = 0, i0 = res ? ft->nParam : 0, i1 = res ? ft->nParam + ft->nResult : ft->nParam;
  for (uint32_t i = i0; i < i1; i++) n += ft->aType[i] == VT_V128 ? 2 : 1;
  return n;
}

/* ---- disassembler ---- */

static void code_print_field(const Module *m, const InterpCode *c, uint32_t w, IKind k,
                             FILE *out) {
  const uint32_t *p = &c->aCode[w];
  switch (k) {
    case IK_SLOT:
      fprintf(out, "s%" PRIu32, p[0]);
      break;
    case IK_VSLOT:
      fprintf(out, "v%" PRIu32, p[0]);
      break;
    case IK_BASE:
      fprintf(out, "args@s%" PRIu32, p[0]);
      break;
    case IK_I32:
      if ((int32_t)p[0] > -65536 && (int32_t)p[0] < 65536)
        fprintf(out, "%" PRId32, (int32_t)p[0]);
      else
        fprintf(out, "0x%" PRIx32, p[0]);
      break;
    case IK_I64: {
      uint64_t v = (uint64_t)p[0] | (uint64_t)p[1] << 32;
      if ((int64_t)v > -65536 && (int64_t)v < 65536)
        fprintf(out, "%" PRId64, (int64_t)v);
      else
        fprintf(out, "0x%" PRIx64, v);
      break;
    }
    case IK_OFF:
      fprintf(out, "+%" PRIu32, p[0]);
      break;
    case IK_LANE:
      fprintf(out, "lane %" PRIu32, p[0]);
      break;
    case IK_TARGET:
      fprintf(out, "->%" PRId64, (int64_t)w + (int32_t)p[0]);
      break;
    case IK_COUNT:
      fprintf(out, "%" PRIu32, p[0]);
      break;
    case IK_FUNC:
      fprintf(out, "func[%" PRIu32 "]", p[0]);
      break;
    case IK_DEF:
      fprintf(out, "func[%" PRIu64 "]", (uint64_t)p[0] + m->nFuncImport);
      break;
    case IK_GLOBAL:
      fprintf(out, "global[%" PRIu32 "]", p[0]);
      break;
    case IK_TABLE:
      fprintf(out, "table[%" PRIu32 "]", p[0]);
      break;
    case IK_TYPE:
      fprintf(out, "type[%" PRIu32 "]", p[0]);
      break;
    case IK_ELEM:
      fprintf(out, "elem[%" PRIu32 "]", p[0]);
      break;
    case IK_DATA:
      fprintf(out, "data[%" PRIu32 "]", p[0]);
      break;
    case IK_SHUF:
      for (int i = 0; i < 16; i++)
        fprintf(out, "%s%u", i ? " " : "", (p[i / 4] >> (8 * (i % 4))) & 0xff);
      break;
    default:
      fprintf(out, "?");
      break;
  }
}

void interp_disassemble(const Module *m, const InterpCode *c, FILE *out) {
  fprintf(out, "func[%" PRIu32 "]", c->funcIdx);
  if (c->zName) fprintf(out, " \"%s\"", c->zName);
  fprintf(out,
          ": %" PRIu32 " words; slots: %" PRIu32 " params, %" PRIu32 " results, %" PRIu32
          " zeroed locals, frame %" PRIu32 "\n",
          c->nCode, c->nParam, c->nResult, c->nLocal, c->frameSize);
  uint32_t pos = 0;
  while (pos < c->nCode) {
    CodeInstr ci;
    const char *zWhy;
    if (!code_decode(c, pos, &ci, &zWhy)) {
      fprintf(out, "%6" PRIu32 "  <%s: 0x%08" PRIx32 ">\n", pos, zWhy, c->aCode[pos]);
      return;
    }
    const char *zOp = interp_op_name(ci.op);
    int pad = strlen(zOp) < 21 ? 22 - (int)strlen(zOp) : 1; /* operands in column 30 */
    fprintf(out, "%6" PRIu32 "  %s", pos, zOp);
    uint32_t w = pos + 1;
    for (uint32_t k = 0; k < ci.nKind; k++) {
      if (k)
        fputs(", ", out);
      else
        fprintf(out, "%*s", pad, "");
      code_print_field(m, c, w, ci.aKind[k], out);
      w += aKindWords[ci.aKind[k]];
    }
    for (uint32_t k = 0; k < ci.nTarget; k++) {
      fprintf(out, k ? ", " : ", [");
      code_print_field(m, c, w++, IK_TARGET, out);
      if (k + 1 == ci.nTarget) fprintf(out, "]");
    }
    fputc('\n', out);
    pos += ci.len;
  }
}

/* ---- verifier ---- */

static bool code_fail(char *zWhy, size_t nWhy, uint32_t pos, const char *zFmt, ...) {
  char zMsg[200];
  va_list ap;
  va_start(ap, zFmt);
  vsnprintf(zMsg, sizeof zMsg, zFmt, ap);
  va_end(ap);
  if (nWhy) snprintf(zWhy, nWhy, "word %" PRIu32 ": %s", pos, zMsg);
  return false;
}

/* Checks the operand of kind k at word w of the instruction at pos. */
static bool code_check_field(const Module *m, const InterpCode *c, uint32_t pos, uint32_t w,
                             IKind k, char *zWhy, size_t nWhy) {
  uint32_t v = c->aCode[w], F = c->frameSize;
  switch (k) {
    case IK_SLOT:
      if (v >= F)
        return code_fail(zWhy, nWhy, pos, "slot %" PRIu32 " past the frame (%" PRIu32 " slots)",
                         v, F);
      return true;
    case IK_VSLOT:
      if (v >= F || v + 1 >= F)
        return code_fail(zWhy, nWhy, pos,
                         "v128 slot %" PRIu32 " past the frame (%" PRIu32 " slots)", v, F);
      return true;
    case IK_BASE:
      if (v > F)
        return code_fail(zWhy, nWhy, pos, "argument base %" PRIu32 " past the frame", v);
      return true;
    case IK_LANE:
      if (v >= 16) return code_fail(zWhy, nWhy, pos, "lane %" PRIu32, v);
      return true;
    case IK_OFF:
      if (m->nMem == 0) return code_fail(zWhy, nWhy, pos, "memory access without a memory");
      return true;
    case IK_FUNC:
      if (v >= m->nFunc)
        return code_fail(zWhy, nWhy, pos, "function %" PRIu32 " out of range", v);
      return true;
    case IK_DEF:
      if (v >= m->nFunc - m->nFuncImport)
        return code_fail(zWhy, nWhy, pos, "defined function %" PRIu32 " out of range", v);
      return true;
    case IK_GLOBAL:
      if (v >= m->nGlobal)
        return code_fail(zWhy, nWhy, pos, "global %" PRIu32 " out of range", v);
      return true;
    case IK_TABLE:
      if (v >= m->nTable)
        return code_fail(zWhy, nWhy, pos, "table %" PRIu32 " out of range", v);
      return true;
    case IK_TYPE:
      if (v >= m->nType) return code_fail(zWhy, nWhy, pos, "type %" PRIu32 " out of range", v);
      return true;
    case IK_ELEM:
      if (v >= m->nElem)
        return code_fail(zWhy, nWhy, pos, "element segment %" PRIu32 " out of range", v);
      return true;
    case IK_DATA:
      if (v >= m->nData)
        return code_fail(zWhy, nWhy, pos, "data segment %" PRIu32 " out of range", v);
      return true;
    default:
      return true; /* constants, counts, shuffles; targets: second pass */
  }
}

/* A call's arguments and results must fit the caller's frame from base. */
static bool code_check_call(const Module *m, const InterpCode *c, uint32_t pos, char *zWhy,
                            size_t nWhy) {
  const uint32_t *p = &c->aCode[pos];
  IOp op;
  /* (an unknown word is reported by the caller's first check) */
  if (!interp_op_of_word(p[0], &op)) return true;
  const FuncType *ft;
  uint32_t base;
  if (op == IOP_CALL) {
    ft = module_func_type(m, p[IOFF(CALL, func)]);
    base = p[IOFF(CALL, base)];
  } else if (op == IOP_CALL_DEF) {
    ft = module_func_type(m, p[IOFF(CALLDEF, def)] + m->nFuncImport);
    base = p[IOFF(CALLDEF, base)];
  } else if (op == IOP_CALL_INDIRECT) {
    ft = &m->aType[p[IOFF(CALLI, type)]];
    base = p[IOFF(CALLI, base)];
  } else {
    return true;
  }
  uint32_t np = code_type_slots(ft, false), nr = code_type_slots(ft, true);
  uint64_t need = (uint64_t)base + (np > nr ? np : nr);
  if (need > c->frameSize)
    return code_fail(zWhy, nWhy, pos,
                     "call arguments or results past the frame (%" PRIu64 " > %" PRIu32 ")",
                     need, c->frameSize);
  return true;
}

bool interp_verify(const Module *m, const InterpCode *c, char *zWhy, size_t nWhy) {
  if (nWhy) zWhy[0] = 0;
  if ((uint64_t)c->nParam + c->nLocal > c->frameSize || c->nResult > c->frameSize)
    return code_fail(zWhy, nWhy, 0, "params, locals or results past the frame");
  if (c->nCode == 0) return code_fail(zWhy, nWhy, 0, "no code");
  uint8_t *aStart = base_calloc((size_t)c->nCode + 1, 1);
  if (!aStart) return true; /* cannot check without memory: not a finding */
  bool ok = false;
  uint32_t pos = 0, last = 0;
  /* pass 1: instruction boundaries, operands */
  while (pos < c->nCode) {
    CodeInstr ci;
    const char *zErr;
    if (!code_decode(c, pos, &ci, &zErr)) {
      code_fail(zWhy, nWhy, pos, "%s", zErr);
      goto done;
    }
    aStart[pos] = 1;
    uint32_t w = pos + 1;
    for (uint32_t k = 0; k < ci.nKind; k++) {
      if (!code_check_field(m, c, pos, w, ci.aKind[k], zWhy, nWhy)) goto done;
      w += aKindWords[ci.aKind[k]];
    }
    if (!code_check_call(m, c, pos, zWhy, nWhy)) goto done;
    last = pos;
    pos += ci.len;
  }
  if (c->nCode - last != 1 || c->aCode[last] != interp_op_word(IOP_UNREACHABLE)) {
    code_fail(zWhy, nWhy, last, "the code does not end with UNREACHABLE");
    goto done;
  }
  /* pass 2: branch targets */
  for (pos = 0; pos < c->nCode;) {
    CodeInstr ci;
    const char *zErr;
    code_decode(c, pos, &ci, &zErr);
    uint32_t w = pos + 1;
    for (uint32_t k = 0; k < ci.nKind + ci.nTarget; k++) {
      IKind kind = k < ci.nKind ? ci.aKind[k] : IK_TARGET;
      if (kind == IK_TARGET) {
        int64_t to = (int64_t)w + (int32_t)c->aCode[w];
        if (to < 0 || to >= c->nCode || !aStart[to]) {
          code_fail(zWhy, nWhy, pos,
                    "branch target %" PRId64 " is not the start of an instruction", to);
          goto done;
        }
      }
      w += aKindWords[kind];
    }
    pos += ci.len;
  }
  ok = true;
done:
  base_free(aStart);
  return ok;
}

void interp_verify_or_die(const Module *m, const InterpCode *c) {
  char zWhy[256];
  if (interp_verify(m, c, zWhy, sizeof zWhy)) return;
  fflush(stdout);
  fprintf(stderr,
          "cairn: internal error: the interpreter code of func[%" PRIu32 "] is invalid: %s\n",
          c->funcIdx, zWhy);
  interp_disassemble(m, c, stderr);
  fflush(stderr);
  abort();
}

bool cairn_module_disassemble(const cairn_module *m, uint32_t func, FILE *out,
                              cairn_error *err) {
  cairn_error errLocal;
  if (!err) err = &errLocal;
  if (!m || !out) {
    base_error(err, CAIRN_ERR_ARG, -1, "no module or no output stream");
    return false;
  }
  if (func >= m->nFunc) {
    base_error(err, CAIRN_ERR_ARG, -1,
               "function %" PRIu32 " out of range (the module has %" PRIu32 ")", func,
               m->nFunc);
    return false;
  }
  if (func < m->nFuncImport) {
    base_error(err, CAIRN_ERR_ARG, -1, "function %" PRIu32 " is imported: it has no code here",
               func);
    return false;
  }
  const InterpCode *c = interp_translate(m, func, err);
  if (!c) return false;
  interp_disassemble(m, c, out);
  return true;
}
