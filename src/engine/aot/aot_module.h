/*
** aot_module.h: a module whose code is native (loaded from a .cwasm), and
** the parts that make one: the ELF image loader (elf.c), the .cwasm
** container (cwasm.c), the compile driver (compile.c).
*/
#ifndef CAIRN_AOT_MODULE_H
#define CAIRN_AOT_MODULE_H

#include <stddef.h>

#include "engine/aot/cairn_aot.h"
#include "engine/module.h"

/* The code of one Wasm function, or one part of it (GCC's cairn_fN.cold,
** .part.K, ...): [lo, hi) in the mapped image. */
typedef struct AotFuncRange {
  uintptr_t lo, hi;
  uint32_t idx;    /* module function index N of cairn_fN */
} AotFuncRange;

/* A mapped shared object (elf.c). */
typedef struct AotImage {
  uint8_t *base;   /* NULL when nothing is mapped */
  size_t size;     /* the object's span: what relocations and tables may address */
  size_t mapped;   /* bytes usable at base (size rounded up, the rest inaccessible) */
  void *map;       /* the mapping base lies in (base_map_aligned) */
  size_t mapBytes; /* its length */
  uintptr_t codeLo, codeHi;  /* the span of its executable segments */
  AotFuncRange *aRange;      /* from the symbol table, sorted by lo (backtraces) */
  uint32_t nRange;
} AotImage;

/* One range of code inside an inlined Wasm function: [lo, hi) as offsets
** in the object, depth 1 for a function inlined into a function, 2 for one
** inlined into that, ... (dwarf.c). */
typedef struct AotInlineRange {
  uint32_t lo, hi, func, depth;
} AotInlineRange;

typedef struct AotInlineList {
  AotInlineRange *a;
  uint32_t n, nAlloc;
} AotInlineList;

/* The inline table of a loaded module (inlines.c). */
typedef struct AotInlineSeg {
  uint32_t lo, hi;       /* offsets in the object */
  uint32_t first, count; /* its chain: aPool[first ..], innermost first */
} AotInlineSeg;

typedef struct AotInlineTab {
  AotInlineSeg *aSeg;    /* sorted, disjoint */
  uint32_t nSeg;
  uint32_t *aPool;       /* module function indices */
  uint32_t nPool;
} AotInlineTab;

/* Module.pTier of a native module (m->tier == &aot_tier). */
typedef struct AotModule {
  AotImage img;
  AotInlineTab inl;             /* where Wasm functions were inlined (backtraces) */
  const cairn_aot_desc *desc;   /* inside img */
  char **azName;                /* per defined function: its name-section name or NULL */
} AotModule;

/* ---- elf.c ----
** Maps the shared object obj[0..n) made by the compile driver: a
** freestanding ELF of the host's class and machine whose only relocations
** are RELATIVE ones, with no W+X page. Applies them, sets page protections
** and returns the descriptor from its entry point (cairn_aot_get), whose
** ABI and function count the caller checks. No code of the object runs
** before that entry point, which only returns a pointer. Also reads the
** code ranges of the Wasm functions from the symbol table (img->aRange;
** none if the object has no symbol table). Returns false with a MALFORMED
** error naming what is wrong. */
bool aot_image_map(const uint8_t *obj, size_t n, AotImage *img, const cairn_aot_desc **pDesc,
                   cairn_error *err);
void aot_image_unmap(AotImage *img);
/* The range of img holding code address pc, or NULL (binary search). */
const AotFuncRange *aot_image_func(const AotImage *img, uintptr_t pc);
/* The ELF machine number of the host (EM_*). */
unsigned aot_host_machine(void);

/* ---- dwarf.c ----
** The code ranges of every inlined cairn_fN in the 64-bit little-endian
** shared object obj[0..n), from its DWARF 4 or 5 debug information, into
** *out (free out->a with base_free). False with a MALFORMED error naming
** what is wrong if the information is absent or malformed. */
bool aot_dwarf_inlines(const uint8_t *obj, size_t n, AotInlineList *out, cairn_error *err);

/* ---- inlines.c ---- */
/* Serializes the inline table of ranges l (sorted in place) onto out. */
bool aot_inlines_pack(AotInlineList *l, Buf *out, cairn_error *err);
/* Reads a serialized table p[0..n) of a module with function indices
** [nFuncImport, nFunc) whose code spans offsets [codeLo, codeHi); false
** with *why if it is malformed. */
bool aot_inlines_load(const uint8_t *p, size_t n, uint32_t nFuncImport, uint32_t nFunc,
                      uint64_t codeLo, uint64_t codeHi, AotInlineTab *t, const char **why);
void aot_inlines_free(AotInlineTab *t);
/* The chain of Wasm functions inlined at object offset off, innermost
** first, in *chain; returns its length (0: none). */
uint32_t aot_inlines_at(const AotInlineTab *t, uint32_t off, const uint32_t **chain);

/* ---- cwasm.c ---- */
/* Packs a module and its shared object into a .cwasm (layout in cwasm.c).
** Free *out with base_free. */
bool aot_cwasm_pack(const uint8_t *wasm, size_t nWasm, const uint8_t *obj, size_t nObj,
                    const uint8_t *inl, size_t nInl, const uint8_t *facts, size_t nFacts,
                    uint32_t flags, const char *target, const char *options, uint8_t **out,
                    size_t *outLen, cairn_error *err);
/* Appends the facts of the validated module m (what the validator recorded
** in it: declared function references, SIMD use) to out, as a .cwasm holds
** them; false if out ran out of memory. */
bool aot_facts_pack(const Module *m, Buf *out);
/* The tier's module_free: unmaps the code, frees the names. */
void aot_module_free(Module *m);

/* ---- compile.c ---- */
/* The cache key text of options o: ABI, target and options as recorded in
** a .cwasm. Fails like cairn_compile on bad options or a missing compiler. */
bool aot_options_key(const cairn_compile_options *o, char *out, size_t n, cairn_error *err);
/* SHA-256 of n bytes (libsodium). */
void aot_sha256(const uint8_t *p, size_t n, uint8_t out[32]);

#endif
