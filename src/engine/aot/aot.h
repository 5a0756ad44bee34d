/*
** aot.h: the native tier's parts, shared inside src/engine/aot/ and with
** the runtime's tier table. The ABI between the runtime and emitted code
** is cairn_aot.h; this header is the engine's side of it.
*/
#ifndef CAIRN_AOT_INTERNAL_H
#define CAIRN_AOT_INTERNAL_H

#include "engine/aot/cairn_aot.h"
#include "engine/module.h"

/* ---- emit.c: validated module -> C ---- */
typedef struct AotEmitOpts {
  bool checked;          /* explicit bounds checks (CAIRN_AOT_F_CHECKED) */
  uint32_t nUnits;       /* translation units to split the functions into (>= 1) */
  uint8_t sha256[32];    /* the module's hash, recorded in the descriptor */
} AotEmitOpts;

/* Emits the C of validated module m into aUnit[0 .. o->nUnits-1] (Bufs
** initialised by the caller, freed by the caller). Unit 0 starts with
** #define CAIRN_AOT_UNIT0 and holds the descriptor, the entry thunks and
** cairn_aot_get (the object's ELF entry point); the functions are spread
** over the units by code size. Every unit includes only "cairn_aot.h" and
** <stdint.h>. Returns false with an error (NOMEM) on failure. */
bool aot_emit(const Module *m, const AotEmitOpts *o, Buf *aUnit, cairn_error *err);

/* ---- simd.c: rt->simd, SIMD instructions the emitted code does not inline ---- */
void aot_rt_simd(cairn_aot_ctx *ctx, uint32_t op, cairn_v128 *out, const cairn_v128 *in,
                 uint64_t imm);

#endif
