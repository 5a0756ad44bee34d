/*
** bulk.c: bulk memory and table instructions (memory.fill/copy,
** table.fill/copy) for both tiers. Bounds are checked before anything is
** written, as the spec requires. Touches only the objects it is given.
*/
#include <string.h>

#include "engine/runtime/runtime.h"

cairn_trapkind rt_memory_fill(cairn_memory *mem, uint32_t d, uint32_t val, uint32_t n) {
  uint64_t size = mem->bytes;
  if ((uint64_t)d + n > size) return CAIRN_TRAP_MEMORY_OOB;
  if (n) memset(mem->base + d, (int)(uint8_t)val, n);
  return CAIRN_TRAP_NONE;
}

cairn_trapkind rt_memory_copy(cairn_memory *dm, cairn_memory *sm, uint32_t d, uint32_t s,
                              uint32_t n) {
  if ((uint64_t)d + n > dm->bytes || (uint64_t)s + n > sm->bytes) return CAIRN_TRAP_MEMORY_OOB;
  if (n) memmove(dm->base + d, sm->base + s, n);
  return CAIRN_TRAP_NONE;
}

cairn_trapkind rt_table_fill(cairn_table *t, uint32_t i, void *val, uint32_t n) {
  if ((uint64_t)i + n > t->size) return CAIRN_TRAP_TABLE_OOB;
  for (uint32_t k = 0; k < n; k++) t->aElem[i + k] = val;
  rt_table_sync(t, i, n);
  return CAIRN_TRAP_NONE;
}

cairn_trapkind rt_table_copy(cairn_table *dt, cairn_table *st, uint32_t d, uint32_t s,
                                 uint32_t n) {
  if ((uint64_t)d + n > dt->size || (uint64_t)s + n > st->size) return CAIRN_TRAP_TABLE_OOB;
  if (n) memmove(dt->aElem + d, st->aElem + s, (size_t)n * sizeof(void *));
  rt_table_sync(dt, d, n);
  return CAIRN_TRAP_NONE;
}
