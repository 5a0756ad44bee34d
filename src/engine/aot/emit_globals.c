/*
** emit_globals.c: what a function reads from its instance once, at entry,
** into C locals: the objects of the tables and the type ids its
** call_indirects use (fixed for the instance's life), and the values of
** the globals that only the instance's own code can change.
**
** A table or type that no loop's call_indirect uses is read at each of its
** call_indirects instead (two loads each, on the paths that make the call):
** read at entry, the loads were made by every call of the function, also
** those that leave before the call_indirect, and the values were live
** through the body (speedtest1 at --size 5: entry loads of tables and type
** ids 15.2 M -> 4.6 M instructions, call_indirects 20.6 M -> 25.0 M, the
** whole run 9.6 M fewer; docs/benchmarks.md, branch sql3). In a loop, the entry local stays: the
** loop would read them at every trip (indirect's calling loop).
**
** A global's value lives in the local g<idx> when it is immutable, or when
** it is mutable, defined by the module and not exported (the shadow stack
** pointer of C compilers): no other instance and no host sees it, so only
** a call of Wasm code can change it behind the function's back. Such a
** local is written through (global.set stores the object too, so a trap
** anywhere leaves the value the interpreter would) and reloaded after
** every call. Without it, every global.get would be three dependent loads,
** redone after each store to linear memory (which may alias anything).
** The write-through and the reloads go through the address of the
** global's value slot, read once at entry into the local gs<idx> (for a
** mutable global kept in a C local, not v128): one load where the slot's
** address is spilled instead of two dependent ones (ctx->globals, then the
** object) after any store to linear memory; speedtest1's __stack_pointer,
** written at entry and exit of most functions: 1,247.9 M -> 1,236.2 M
** instructions at --size 5 (docs/benchmarks.md, branch sql3). The global
** objects of the other globals are not kept in locals: one more pointer
** live through a whole function cost statemachine 13 % (docs/benchmarks.md;
** statemachine uses no mutable global: the same instructions with gs<idx>).
**
** It may not touch: the module (read only), the runtime.
*/
#include <stdio.h>
#include <string.h>

#include "engine/aot/emit_int.h"

bool emit_globals_init(Emit *e) {
  const Module *m = e->m;
  e->aGlobalLocal = base_calloc((size_t)m->nGlobal + 1, 1);
  e->aTableSeen = base_calloc((size_t)m->nTable + 1, sizeof *e->aTableSeen);
  e->aTypeSeen = base_calloc((size_t)m->nType + 1, sizeof *e->aTypeSeen);
  e->aGlobalSeen = base_calloc((size_t)m->nGlobal + 1, sizeof *e->aGlobalSeen);
  e->aTableUse = base_calloc((size_t)m->nTable + 1, 1);
  e->aTypeUse = base_calloc((size_t)m->nType + 1, 1);
  if (!e->aGlobalLocal || !e->aTableSeen || !e->aTypeSeen || !e->aGlobalSeen || !e->aTableUse ||
      !e->aTypeUse)
    return false;
  for (uint32_t g = 0; g < m->nGlobal; g++)
    e->aGlobalLocal[g] = !m->aGlobal[g].type.mut || g >= m->nGlobalImport;
  for (uint32_t i = 0; i < m->nExport; i++)
    if (m->aExport[i].kind == CAIRN_EXTERN_GLOBAL && m->aExport[i].idx < m->nGlobal &&
        m->aGlobal[m->aExport[i].idx].type.mut)
      e->aGlobalLocal[m->aExport[i].idx] = 0;
  return true;
}

/* Marks x seen by the current function; true the first time. */
static bool emit_first_use(Emit *e, uint32_t *aSeen, uint32_t x) {
  if (aSeen[x] == e->fidx + 1) return false;
  aSeen[x] = e->fidx + 1;
  return true;
}

const char *emit_table_local(Emit *e, uint32_t table, char *z, size_t n) {
  if (e->aTableUse[table] == EMIT_AT_SITE) {
    snprintf(z, n, "ctx->tables[%u]", table);
    return z;
  }
  if (emit_first_use(e, e->aTableSeen, table))
    emit_printf(&e->decl, "  cairn_aot_table *const t%u = ctx->tables[%u];\n", table, table);
  snprintf(z, n, "t%u", table);
  return z;
}

const char *emit_type_local(Emit *e, uint32_t type, char *z, size_t n) {
  if (e->aTypeUse[type] == EMIT_AT_SITE) {
    snprintf(z, n, "ctx->type_ids[%u]", type);
    return z;
  }
  if (emit_first_use(e, e->aTypeSeen, type))
    emit_printf(&e->decl, "  const uint32_t ty%u = ctx->type_ids[%u];\n", type, type);
  snprintf(z, n, "ty%u", type);
  return z;
}

static ValType emit_global_type(const Module *m, uint32_t g) { return m->aGlobal[g].type.type; }

/* Whether global g's value slot is in the entry local gs<g> (a mutable
** global kept in a C local, not v128). */
static bool global_slot_local(Emit *e, uint32_t g) {
  const Module *m = e->m;
  return e->aGlobalLocal[g] && m->aGlobal[g].type.mut && m->aGlobal[g].type.type != VT_V128;
}

/* The slot of global g's object, "ctx->globals[g]->v[0]", into z. */
static const char *global_slot_(Emit *e, uint32_t g, char z[48]) {
  if (global_slot_local(e, g)) snprintf(z, 48, "gs%u[0]", g);
  else snprintf(z, 48, "ctx->globals[%u]->v[0]", g);
  return z;
}
#define global_slot(g, z) global_slot_(e, (g), (z))

/* "  g<g> = <value of the object>;" into out (entry and after calls). */
static void global_local_load(Emit *e, Buf *out, uint32_t g) {
  char zSlot[48];
  emit_printf(out, "g%u = ", g);
  emit_from_slot(out, emit_global_type(e->m, g), global_slot(g, zSlot));
  emit_str(out, ";\n");
}

void emit_global_get(Emit *e, uint32_t g) {
  ValType t = emit_global_type(e->m, g);
  emit_result(e, t);
  if (e->aGlobalLocal[g]) {
    emit_printf(&e->body, "g%u", g);
  } else {
    char zSlot[48];
    emit_from_slot(&e->body, t, global_slot(g, zSlot));
  }
  emit_result_end(e);
}

void emit_global_set(Emit *e, uint32_t g) {
  ValType t = emit_global_type(e->m, g);
  char zSlot[48], zVal[EMIT_NAME];
  global_slot(g, zSlot);
  snprintf(zVal, sizeof zVal, "%s", emit_top(e, 0));
  if (e->aGlobalLocal[g]) {
    emit_printf(&e->body, "  g%u = %s;\n", g, zVal);
    snprintf(zVal, sizeof zVal, "g%u", g);
  }
  emit_str(&e->body, "  ");
  emit_to_slot(&e->body, t, zSlot, zVal);
  emit_str(&e->body, "\n");
  emit_pop(e, 1);
}

bool emit_globals_decl(Emit *e, uint32_t fidx, Buf *out) {
  const Module *m = e->m;
  const Func *f = &m->aFunc[fidx];
  e->nFnGlobal = 0;
  /* call_indirect sites per table and type: 0 none, EMIT_AT_SITE one
  ** outside any loop, 2 more (or one in a loop: an entry local then, so
  ** the loop does not read them at every trip) */
  memset(e->aTableUse, 0, (size_t)m->nTable + 1);
  memset(e->aTypeUse, 0, (size_t)m->nType + 1);
  uint32_t depth = 0, loopDepth = 0; /* open blocks; the outermost open loop's depth + 1 */
  const uint8_t *p = f->pBody, *end = f->pBody + f->nBody;
  while (p < end) {
    Instr in;
    cairn_error err;
    if (!decode_instr(p, end, m->aBytes, &in, &err)) return false;
    p += in.len;
    if (in.op == OP_BLOCK || in.op == OP_IF || in.op == OP_LOOP) {
      depth++;
      if (in.op == OP_LOOP && !loopDepth) loopDepth = depth;
      continue;
    }
    if (in.op == OP_END) {
      if (depth == loopDepth) loopDepth = 0;
      if (depth) depth--;
      continue;
    }
    if (in.op == OP_CALL_INDIRECT) {
      uint8_t *pTy = &e->aTypeUse[in.a], *pT = &e->aTableUse[in.b];
      *pTy = loopDepth || *pTy == 2 ? 2 : EMIT_AT_SITE;
      *pT = loopDepth || *pT == 2 ? 2 : EMIT_AT_SITE;
      continue;
    }
    if (in.op != OP_GLOBAL_GET && in.op != OP_GLOBAL_SET) continue;
    uint32_t g = in.a;
    if (!emit_first_use(e, e->aGlobalSeen, g)) continue;
    if (!e->aGlobalLocal[g]) continue;
    const char *zT = emit_ctype(emit_global_type(m, g));
    if (global_slot_local(e, g))
      emit_printf(out, "  uint64_t *const gs%u = ctx->globals[%u]->v;\n", g, g);
    emit_printf(out, "  %s%s", zT, zT[strlen(zT) - 1] == '*' ? "" : " ");
    global_local_load(e, out, g);
    if (!m->aGlobal[g].type.mut) continue;
    if (e->nFnGlobal == e->nFnGlobalAlloc) {
      uint32_t nNew = e->nFnGlobalAlloc ? 2 * e->nFnGlobalAlloc : 8;
      uint32_t *aNew = base_realloc(e->aFnGlobal, nNew * sizeof *aNew);
      if (!aNew) return false;
      e->aFnGlobal = aNew;
      e->nFnGlobalAlloc = nNew;
    }
    e->aFnGlobal[e->nFnGlobal++] = g;
  }
  return !out->oom;
}

void emit_globals_reload(Emit *e) {
  for (uint32_t i = 0; i < e->nFnGlobal; i++) {
    emit_str(&e->body, "  ");
    global_local_load(e, &e->body, e->aFnGlobal[i]);
  }
}
