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

/* A switch over all codes: the compiler turns it into a jump table. */
int opinfo_lookup(uint32_t byte, uint32_t sub) {
  uint32_t code = byte;
  if (byte == 0xFC || byte == 0xFD) {
    if (sub > 0xFFFF) return -1;
    code = (byte << 16) | sub;
  }
  switch (code) {
#define X(id, name, code, imm, align, params, results) \
  case code:                                           \
    return OP_##id;
    WASM_OPCODES(X)
#undef X
    default:
      return -1;
  }
}

int opinfo_lookup_name(const char *z, size_t len) {
  for (int i = 0; i < OP_COUNT_; i++) {
    const char *zName = opinfo_table[i].zName;
    if (strlen(zName) == len && memcmp(zName, z, len) == 0) return i;
  }
  return -1;
}
