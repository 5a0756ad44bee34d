/*
** opcodes.c: the instruction table and its lookups (see opcodes.h).
*/
#include "opcodes.h"

#include <string.h>

const OpInfo opinfo_table[OP_COUNT_] = {
#define X(id, name, code, imm, align, params, results) \
  {name, code, imm, align, params, results},
    WASM_OPCODES(X)
#undef X
};

/* Every code has its own slot (see opcodes.h): a code outside the ranges
** makes the initializer fail to compile rather than collide. */
#define OPINFO_SLOT(code)                                                   \
  (((code) >> 16) == 0xFC   ? OPINFO_FC_BASE + ((code) & 0xFFFF)            \
   : ((code) >> 16) == 0xFD ? OPINFO_FD_BASE + ((code) & 0xFFFF)            \
                            : (code))

const uint16_t opinfo_index[OPINFO_INDEX_SIZE] = {
#define X(id, name, code, imm, align, params, results) [OPINFO_SLOT(code)] = OP_##id + 1,
    WASM_OPCODES(X)
#undef X
};

int opinfo_lookup(uint32_t byte, uint32_t sub) {
  uint32_t k;
  if (byte == 0xFC) {
    if (sub >= OPINFO_FD_BASE - OPINFO_FC_BASE) return -1;
    k = OPINFO_FC_BASE + sub;
  } else if (byte == 0xFD) {
    if (sub >= OPINFO_INDEX_SIZE - OPINFO_FD_BASE) return -1;
    k = OPINFO_FD_BASE + sub;
  } else {
    if (byte >= 0xFC) return -1;
    k = byte;
  }
  return (int)opinfo_index[k] - 1;
}

int opinfo_lookup_name(const char *z, size_t len) {
  for (int i = 0; i < OP_COUNT_; i++) {
    const char *zName = opinfo_table[i].zName;
    if (strlen(zName) == len && memcmp(zName, z, len) == 0) return i;
  }
  return -1;
}
