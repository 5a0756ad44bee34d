/*
** rtint.h: private interface between the files of runtime/ (store.c,
** instance.c, constexpr.c, memory.c, table.c, global.c, func.c, trap.c).
** Nothing outside runtime/ includes it; the tiers use runtime.h.
*/
#ifndef CAIRN_RTINT_H
#define CAIRN_RTINT_H

#include "engine/runtime/runtime.h"

/* Guard pages (no bounds checks) on 64-bit hosts unless the build asks for
** explicit checks. */
#if defined(CAIRN_BOUNDS_CHECK) || UINTPTR_MAX <= 0xFFFFFFFFu
#define RT_GUARDED 0
#else
#define RT_GUARDED 1
/* Reserved bytes per guarded memory: any u32 address + u32 offset + access
** size (<= 16) stays below 2^33 + 16, so 8 GiB plus one Wasm page of guard. */
#define RT_MEM_RESERVE (((size_t)1 << 33) + WASM_PAGE_SIZE)
#endif

/* ---- store.c: ownership list ---- */
typedef enum RtKind { RT_INSTANCE, RT_FUNC, RT_TABLE, RT_MEMORY, RT_GLOBAL } RtKind;

struct RtOwned {
  RtKind kind;
  void *p;
};

/* Records p as owned by s (freed in reverse order by cairn_store_free).
** Returns false on allocation failure; the caller then frees p itself. */
bool rt_own(cairn_store *s, RtKind kind, void *p);

/* Function types: dst gets owned copies of src's arrays (aPublic is built
** from aType if src has none). Free with rt_functype_free. */
bool rt_functype_copy(cairn_store *s, FuncType *dst, const FuncType *src);
void rt_functype_free(FuncType *t);
/* The public view of t (arrays stay owned by t). t->aPublic must be set. */
void rt_functype_public(const FuncType *t, cairn_functype *out);
/* The interned copy of type id (valid while s lives). */
const FuncType *rt_type_of(const cairn_store *s, uint32_t id);

/* ---- constructors used by instance.c; results are owned by s ---- */
cairn_memory *rt_memory_create(cairn_store *s, const Limits *lim, cairn_error *err);
cairn_table *rt_table_create(cairn_store *s, ValType elem, const Limits *lim, void *init,
                             cairn_error *err);
cairn_global *rt_global_create(cairn_store *s, ValType type, bool mut, const Slot v[2],
                               cairn_error *err);

/* ---- destructors called by cairn_store_free only ---- */
void rt_instance_destroy(cairn_instance *inst);
void rt_func_destroy(cairn_func *f);
void rt_table_destroy(cairn_table *t);
void rt_memory_destroy(cairn_memory *m);
void rt_global_destroy(cairn_global *g);

/* ---- values (func.c) ---- */
/* Writes v (rt_slots(v->type) slots) to out. */
void rt_val_to_slots(const cairn_val *v, Slot *out);
/* Reads a value of type t from in. */
void rt_slots_to_val(ValType t, const Slot *in, cairn_val *out);
/* True if t is a value type this runtime knows. */
bool rt_valtype_ok(int t);

#endif
