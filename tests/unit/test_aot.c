/*
** test_aot.c: the native tier's loader and runtime glue, below the .cwasm
** checksums: Cairn's ELF loader must refuse every object the compile
** driver would never make (another machine, a truncated file, symbols to
** import, a library to load, writable code, relocations it does not know)
** with its own message and without running any of it; a good object maps
** and runs; functions of the two tiers call each other through imports in
** both directions; a trap in native code called from the interpreter keeps
** its kind and backtrace; backtraces through a host function that calls
** native code again, and into another native module, are the interpreter's.
*/
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/cairn.h"
#include "check.h"
#include "engine/aot/aot_module.h"

static const char *kWat =
    "(module"
    "  (import \"env\" \"twice\" (func $twice (param i32) (result i32)))"
    "  (func $inner unreachable)"
    "  (func (export \"boom\") (call $inner))"
    "  (func (export \"f\") (param i32) (result i32)"
    "    (i32.add (call $twice (local.get 0)) (i32.const 1))))";

static const char *kInterpWat =
    "(module"
    "  (import \"native\" \"f\" (func $f (param i32) (result i32)))"
    "  (func (export \"twice\") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))"
    "  (func (export \"g\") (param i32) (result i32) (call $f (local.get 0))))";

/* The loader checks take the 64-bit ELF objects of x86-64, aarch64 and
** riscv64 apart (on 32-bit armhf the compile step and the tiers are
** checked): another machine than this one, and a symbol relocation of
** this machine. */
#if defined(__x86_64__)
#define OTHER_MACHINE EM_AARCH64
#define SYMBOL_RELOC R_X86_64_64
#elif defined(__aarch64__)
#define OTHER_MACHINE EM_X86_64
#define SYMBOL_RELOC R_AARCH64_ABS64
#elif defined(__riscv) && __riscv_xlen == 64
#define OTHER_MACHINE EM_X86_64
#define SYMBOL_RELOC R_RISCV_64
#endif

#ifdef SYMBOL_RELOC
/* The shared object inside a .cwasm (its layout: cwasm.c). */
static void object_of(const uint8_t *cw, size_t n, const uint8_t **obj, size_t *nObj) {
  uint64_t nWasm = 0;
  memcpy(&nWasm, cw + 248, 8);
  uint64_t nCode = 0;
  memcpy(&nCode, cw + 256, 8);
  *obj = cw + 304 + nWasm;
  *nObj = nCode;
}

/* Maps a copy of obj changed by fix (may be NULL); true if refused with a
** message containing want. */
static bool refused(const uint8_t *obj, size_t n, void (*fix)(uint8_t *, size_t), size_t cut,
                    const char *want) {
  uint8_t *p = malloc(n);
  memcpy(p, obj, n);
  if (fix) fix(p, n);
  AotImage img;
  const cairn_aot_desc *d;
  cairn_error err;
  memset(&err, 0, sizeof err);
  bool ok = aot_image_map(p, cut ? cut : n, &img, &d, &err);
  if (ok) aot_image_unmap(&img);
  free(p);
  if (!ok && !strstr(err.msg, want)) printf("  refused with \"%s\" (wanted \"%s\")\n", err.msg, want);
  return !ok && strstr(err.msg, want) && err.kind == CAIRN_ERR_MALFORMED;
}

static Elf64_Ehdr *eh(uint8_t *p) { return (Elf64_Ehdr *)p; }
static Elf64_Phdr *ph(uint8_t *p, int i) { return (Elf64_Phdr *)(p + eh(p)->e_phoff) + i; }

static void fix_machine(uint8_t *p, size_t n) { eh(p)->e_machine = OTHER_MACHINE; }
static void fix_class(uint8_t *p, size_t n) { p[EI_CLASS] = ELFCLASS32; }
static void fix_magic(uint8_t *p, size_t n) { p[1] = 'X'; }
static void fix_type(uint8_t *p, size_t n) { eh(p)->e_type = ET_EXEC; }
static void fix_wx(uint8_t *p, size_t n) {
  for (int i = 0; i < eh(p)->e_phnum; i++)
    if (ph(p, i)->p_type == PT_LOAD && (ph(p, i)->p_flags & PF_X)) ph(p, i)->p_flags |= PF_W;
}
static void fix_interp(uint8_t *p, size_t n) {
  for (int i = 0; i < eh(p)->e_phnum; i++)
    if (ph(p, i)->p_type == PT_NOTE || ph(p, i)->p_type == PT_GNU_STACK) {
      ph(p, i)->p_type = PT_INTERP;
      return;
    }
}
static void fix_segment(uint8_t *p, size_t n) {
  for (int i = 0; i < eh(p)->e_phnum; i++)
    if (ph(p, i)->p_type == PT_LOAD) {
      ph(p, i)->p_filesz = (uint64_t)n * 4;
      ph(p, i)->p_memsz = (uint64_t)n * 4;
      return;
    }
}
static void fix_entry(uint8_t *p, size_t n) { eh(p)->e_entry = 8; }
/* The dynamic section's entries, in the file. */
static Elf64_Dyn *dyn_of(uint8_t *p) {
  for (int i = 0; i < eh(p)->e_phnum; i++)
    if (ph(p, i)->p_type == PT_DYNAMIC) return (Elf64_Dyn *)(p + ph(p, i)->p_offset);
  return NULL;
}
static void fix_needed(uint8_t *p, size_t n) {
  Elf64_Dyn *d = dyn_of(p);
  if (d) d[0].d_tag = DT_NEEDED;
}
static void fix_reloc(uint8_t *p, size_t n) {
  /* the first RELA entry becomes a symbol relocation (SYMBOL_RELOC) */
  Elf64_Dyn *d = dyn_of(p);
  uint64_t rela = 0;
  for (; d && d->d_tag != DT_NULL; d++)
    if (d->d_tag == DT_RELA) rela = d->d_un.d_ptr;
  /* file offset == address for the first segment of these objects */
  if (rela) ((Elf64_Rela *)(p + rela))->r_info = ELF64_R_INFO(1, SYMBOL_RELOC);
}

static void fix_symtab(uint8_t *p, size_t n) {
  Elf64_Shdr *sh = (Elf64_Shdr *)(p + eh(p)->e_shoff);
  for (int i = 0; i < eh(p)->e_shnum; i++)
    if (sh[i].sh_type == SHT_SYMTAB) sh[i].sh_size = (uint64_t)n * 4;
}

static void test_loader(const uint8_t *cw, size_t n) {
  const uint8_t *obj;
  size_t nObj;
  object_of(cw, n, &obj, &nObj);
  AotImage img;
  const cairn_aot_desc *d;
  cairn_error err;
  CHECK(aot_image_map(obj, nObj, &img, &d, &err) && d->abi == CAIRN_AOT_ABI && d->nfunc == 3 &&
            d->nfunc_import == 1,
        "a good object maps and its descriptor is read");
  /* the symbol table names the code of each function (backtraces) */
  bool named = img.base && img.nRange >= 3;
  for (uint32_t j = 0; named && j < 3; j++) {
    const AotFuncRange *r = aot_image_func(&img, (uintptr_t)d->code[j]);
    named = r && r->idx == 1 + j && !aot_image_func(&img, (uintptr_t)d->entry[j]);
  }
  CHECK(named, "function code ranges from the symbol table, entry thunks in none");
  if (img.base) aot_image_unmap(&img);
  CHECK(refused(obj, nObj, fix_symtab, 0, "bad symbol table"), "a symbol table out of the file");
  CHECK(refused(obj, nObj, NULL, 40, "truncated ELF header"), "truncated header");
  CHECK(refused(obj, nObj, NULL, 200, "bad program headers"), "truncated program headers");
  CHECK(refused(obj, nObj, fix_magic, 0, "not an ELF object"), "not ELF");
  CHECK(refused(obj, nObj, fix_class, 0, "class"), "another ELF class");
  CHECK(refused(obj, nObj, fix_machine, 0, "not a shared object for this machine"),
        "another machine");
  CHECK(refused(obj, nObj, fix_type, 0, "not a shared object"), "an executable");
  CHECK(refused(obj, nObj, fix_wx, 0, "writable code segment"), "W+X segment");
  CHECK(refused(obj, nObj, fix_interp, 0, "needs a dynamic linker"), "PT_INTERP");
  CHECK(refused(obj, nObj, fix_segment, 0, "bad loadable segment"), "segment past the file");
  CHECK(refused(obj, nObj, fix_entry, 0, "entry point outside the code"), "entry in data");
  CHECK(refused(obj, nObj, fix_needed, 0, "needs a shared library"), "DT_NEEDED");
  CHECK(refused(obj, nObj, fix_reloc, 0, "relocation other than RELATIVE"), "symbol relocation");
  printf("ok loader: a good object maps, its functions named; 13 kinds of bad objects refused\n");
}
#endif /* SYMBOL_RELOC */

static bool twice_host(void *env, const cairn_val *a, cairn_val *r, cairn_error *trap) {
  r[0].of.i32 = a[0].of.i32 * 2;
  return true;
}

static void test_tiers(const uint8_t *cw, size_t n) {
  cairn_error err;
  memset(&err, 0, sizeof err);
  cairn_module *nat = cairn_module_from_cwasm(cw, n, &err);
  CHECK(nat && strcmp(cairn_module_tier(nat), "native") == 0, "native module loads");
  if (!nat) return;
  cairn_store *s = cairn_store_new(NULL);
  /* native -> host */
  cairn_valtype i32 = CAIRN_I32;
  cairn_functype ft = {1, 1, &i32, &i32};
  cairn_func *host = cairn_func_new(s, &ft, twice_host, NULL);
  cairn_extern imp = {.kind = CAIRN_EXTERN_FUNC, .of.func = host};
  cairn_instance *ni = cairn_instance_new(s, nat, &imp, 1, &err);
  CHECK(ni != NULL, "native instance with a host import");
  cairn_extern ex;
  cairn_val arg = {.type = CAIRN_I32, .of.i32 = 20}, res;
  CHECK(ni && cairn_instance_export(ni, "f", 1, &ex) &&
            cairn_func_call(ex.of.func, &arg, 1, &res, 1, &err) && res.of.i32 == 41,
        "native calls a host function");
  /* interp -> native -> interp */
  uint8_t *w;
  size_t nw;
  CHECK(cairn_wat_to_wasm(kInterpWat, strlen(kInterpWat), &w, &nw, &err), "interp module text");
  cairn_module *im = cairn_module_new(w, nw, &err);
  cairn_free(w);
  CHECK(im && strcmp(cairn_module_tier(im), "interp") == 0, "interp module");
  cairn_store *s2 = cairn_store_new(NULL);
  /* the native module imports "twice"; give it the interpreter's, which
  ** needs the native f first: instantiate native with a host first, then
  ** an interp instance importing native f, then a second native instance
  ** importing the interp "twice" */
  cairn_func *host2 = cairn_func_new(s2, &ft, twice_host, NULL);
  cairn_extern imp2 = {.kind = CAIRN_EXTERN_FUNC, .of.func = host2};
  cairn_instance *n1 = cairn_instance_new(s2, nat, &imp2, 1, &err);
  cairn_extern fEx;
  CHECK(n1 && cairn_instance_export(n1, "f", 1, &fEx), "native f");
  cairn_instance *ii = im ? cairn_instance_new(s2, im, &fEx, 1, &err) : NULL;
  CHECK(ii != NULL, "interp instance importing native code");
  cairn_extern gEx, tEx;
  CHECK(ii && cairn_instance_export(ii, "g", 1, &gEx) &&
            cairn_func_call(gEx.of.func, &arg, 1, &res, 1, &err) && res.of.i32 == 41,
        "interp calls native code");
  CHECK(ii && cairn_instance_export(ii, "twice", 5, &tEx), "interp twice");
  cairn_instance *n2 = ii ? cairn_instance_new(s2, nat, &tEx, 1, &err) : NULL;
  CHECK(n2 && cairn_instance_export(n2, "f", 1, &ex) &&
            cairn_func_call(ex.of.func, &arg, 1, &res, 1, &err) && res.of.i32 == 41,
        "native calls interpreted code");
  /* a native trap reached from the interpreter */
  CHECK(n2 && cairn_instance_export(n2, "boom", 4, &ex) &&
            !cairn_func_call(ex.of.func, NULL, 0, NULL, 0, &err) && err.kind == CAIRN_ERR_TRAP &&
            err.trap == CAIRN_TRAP_UNREACHABLE && err.nframes == 2 &&
            err.frames[0].func_index == 1 && err.frames[1].func_index == 2,
        "native trap: kind and backtrace");
  cairn_store_free(s2);
  cairn_store_free(s);
  cairn_module_free(im);
  cairn_module_free(nat);
  printf("ok tiers: native <-> host, interp -> native -> interp, traps with backtraces\n");
}

/* ---- the module facts a .cwasm holds instead of validating again ---- */

/* ref.func of a declared function, SIMD only inside a body (no v128 in any
** type: the decoder alone does not see it), 5 functions (3 bits of the
** last facts byte unused). */
static const char *kFactsWat =
    "(module"
    "  (import \"env\" \"h\" (func $h))"
    "  (func $d (result i32) (i32.const 7))"
    "  (func $u (result i32) (i32.const 8))"
    "  (elem declare func $d)"
    "  (func (export \"refd\") (result i32) (ref.is_null (ref.func $d)))"
    "  (func (export \"simd\") (result i32)"
    "    (i32x4.extract_lane 1 (i32x4.add (i32x4.splat (i32.const 5)) (v128.const i32x4 1 2 3 4)))))";

/* The parts of a .cwasm (layout: cwasm.c) packed again with other facts,
** every checksum recomputed: damage the checksums cannot see. */
static bool with_facts(const uint8_t *cw, size_t n, const uint8_t *facts, size_t nFacts,
                       uint8_t **out, size_t *nOut) {
  uint64_t nWasm, nObj;
  uint32_t flags, nInl;
  memcpy(&nWasm, cw + 248, 8);
  memcpy(&nObj, cw + 256, 8);
  memcpy(&flags, cw + 16, 4);
  memcpy(&nInl, cw + 20, 4);
  char target[33] = {0}, opts[129] = {0};
  memcpy(target, cw + 24, 32);
  memcpy(opts, cw + 56, 128);
  const uint8_t *w = cw + 304;
  cairn_error err;
  return aot_cwasm_pack(w, nWasm, w + nWasm, nObj, w + nWasm + nObj, nInl, facts, nFacts, flags,
                        target, opts, out, nOut, &err);
}

static bool facts_refused(const uint8_t *cw, size_t n, const uint8_t *facts, size_t nFacts,
                          const char *want) {
  uint8_t *c2;
  size_t n2;
  if (!with_facts(cw, n, facts, nFacts, &c2, &n2)) return false;
  cairn_error err;
  memset(&err, 0, sizeof err);
  cairn_module *m = cairn_module_from_cwasm(c2, n2, &err);
  bool ok = !m && err.kind == CAIRN_ERR_MALFORMED && strstr(err.msg, want);
  if (!ok) printf("  facts: \"%s\" (wanted \"%s\")\n", m ? "loaded" : err.msg, want);
  cairn_module_free(m);
  base_free(c2);
  return ok;
}

static int32_t call_i32(cairn_instance *in, const char *name) {
  cairn_extern ex;
  cairn_val r;
  cairn_error err;
  if (!cairn_instance_export(in, name, strlen(name), &ex) ||
      !cairn_func_call(ex.of.func, NULL, 0, &r, 1, &err))
    return -1;
  return r.of.i32;
}

static void test_facts(const cairn_compile_options *o, const uint8_t *cwPlain, size_t nPlain) {
  uint8_t *w, *cw;
  size_t nw, ncw;
  cairn_error err;
  memset(&err, 0, sizeof err);
  if (!cairn_wat_to_wasm(kFactsWat, strlen(kFactsWat), &w, &nw, &err) ||
      !cairn_compile(w, nw, o, &cw, &ncw, &err)) {
    CHECK(false, "facts module compiles");
    printf("  %s\n", err.msg);
    return;
  }
  /* the same facts as validating the module; the decoder alone has no SIMD */
  cairn_module *ref = cairn_module_new(w, nw, &err);
  cairn_module *nat = cairn_module_from_cwasm(cw, ncw, &err);
  Module *dec = decode_module(w, nw, &err);
  CHECK(ref && nat && dec, "facts module loads");
  if (ref && nat && dec) {
    CHECK(!dec->usesSimd && ref->usesSimd && nat->usesSimd, "SIMD in a body: a fact");
    cairn_module_info info;
    cairn_module_get_info(nat, &info);
    CHECK(info.uses_simd, "inspect of a .cwasm: uses SIMD");
    CHECK(nat->nFunc == 5 && nat->aFuncDeclared &&
              memcmp(nat->aFuncDeclared, ref->aFuncDeclared, 5 * sizeof(bool)) == 0 &&
              nat->aFuncDeclared[1] && !nat->aFuncDeclared[2] && nat->aFuncDeclared[3],
          "declared functions as the validator's (elem declare, exports)");
    cairn_store *s = cairn_store_new(NULL);
    cairn_functype ft = {0, 0, NULL, NULL};
    cairn_func *h = cairn_func_new(s, &ft, twice_host, NULL);
    cairn_extern imp = {.kind = CAIRN_EXTERN_FUNC, .of.func = h};
    cairn_instance *in = cairn_instance_new(s, nat, &imp, 1, &err);
    CHECK(in && call_i32(in, "refd") == 0 && call_i32(in, "simd") == 7,
          "ref.func and SIMD run from the .cwasm");
    cairn_store_free(s);
  }
  module_free(dec);
  cairn_module_free(ref);
  cairn_module_free(nat);
  /* a module without SIMD keeps none */
  cairn_module *plain = cairn_module_from_cwasm(cwPlain, nPlain, &err);
  CHECK(plain && !plain->usesSimd, "no SIMD: no SIMD fact");
  cairn_module_free(plain);

  /* facts as packed: 5 functions, SIMD, functions 1 and 3 and 4 (exports) */
  uint8_t good[9] = {5, 0, 0, 0, 1, 0, 0, 0, 0x1a};
  uint8_t *c2;
  size_t n2;
  uint64_t nWasm, nObj;
  uint32_t nInl;
  memcpy(&nWasm, cw + 248, 8);
  memcpy(&nObj, cw + 256, 8);
  memcpy(&nInl, cw + 20, 4);
  size_t at = 304 + nWasm + nObj + nInl;
  CHECK(ncw == at + sizeof good && memcmp(cw + at, good, sizeof good) == 0,
        "the facts at the end of the code, as documented");
  CHECK(with_facts(cw, ncw, good, sizeof good, &c2, &n2) && n2 == ncw && !memcmp(c2, cw, n2),
        "packed again: the same file");
  base_free(c2);
  uint8_t bad[10];
  memcpy(bad, good, sizeof good);
  CHECK(facts_refused(cw, ncw, good, 8, "module facts of the wrong size"), "facts cut short");
  CHECK(facts_refused(cw, ncw, good, 0, "module facts of the wrong size"), "no facts");
  bad[9] = 0;
  CHECK(facts_refused(cw, ncw, bad, 10, "module facts of the wrong size"), "a byte too many");
  bad[0] = 6;
  CHECK(facts_refused(cw, ncw, bad, 9, "another function count"), "another function count");
  bad[0] = 5;
  bad[4] = 3;
  CHECK(facts_refused(cw, ncw, bad, 9, "unknown bits"), "unknown fact bits");
  bad[4] = 1;
  bad[8] = 0x3a;
  CHECK(facts_refused(cw, ncw, bad, 9, "past the last"), "a function past the last declared");
  /* altered or cut without new checksums */
  uint8_t *c3 = base_malloc(ncw);
  memcpy(c3, cw, ncw);
  c3[ncw - 1] ^= 1;
  cairn_module *m3 = cairn_module_from_cwasm(c3, ncw, &err);
  CHECK(!m3 && strstr(err.msg, "code checksum mismatch"), "altered facts: code checksum");
  cairn_module_free(m3);
  m3 = cairn_module_from_cwasm(cw, ncw - 1, &err);
  CHECK(!m3 && strstr(err.msg, "truncated"), "truncated facts refused");
  cairn_module_free(m3);
  base_free(c3);
  cairn_free(cw);
  cairn_free(w);
  printf("ok facts: ref.func declarations and SIMD round-trip; 8 kinds of bad facts refused\n");
}

/* ---- backtraces through host functions and across modules ---- */

static const char *kNestWat =
    "(module"
    "  (import \"env\" \"cb\" (func $cb (param i32)))"
    "  (import \"env\" \"ext\" (func $ext (param i32)))"
    "  (func $deep (param i32)"
    "    (if (i32.eqz (local.get 0)) (then unreachable))"
    "    (call $deep (i32.sub (local.get 0) (i32.const 1))))"
    "  (func $inner (export \"inner\") (param i32) (call $deep (local.get 0)))"
    "  (func $outer2 (param i32) (call $cb (local.get 0)))"
    "  (func $outer (export \"outer\") (param i32) (call $outer2 (local.get 0)))"
    "  (func $cross (export \"cross\") (param i32) (call $ext (local.get 0))))";

static const char *kExtWat =
    "(module"
    "  (memory 1)"
    "  (func $x (export \"x\") (param i32) (call $y (local.get 0)))"
    "  (func $y (param i32) (drop (i32.load (i32.const -1)))))";

/* The code entry offsets of the last nest_trap's frames (module_offset -
** func_offset: the interpreter locates instructions, native code functions,
** cairn.h), and whether any frame had a func_offset. */
static char gOffsets[256];
static bool gInstrOffsets;

/* env "cb": calls the instance's own "inner" (env) and passes its trap on. */
static bool cb_host(void *env, const cairn_val *a, cairn_val *r, cairn_error *trap) {
  (void)r;
  return cairn_func_call(*(cairn_func **)env, a, 1, NULL, 0, trap);
}

/* Wasm text -> .cwasm in *cw (the caller frees it). */
static bool compile_wat(const char *wat, const cairn_compile_options *o, uint8_t **cw,
                        size_t *ncw, cairn_error *err) {
  uint8_t *w;
  size_t nw;
  if (!cairn_wat_to_wasm(wat, strlen(wat), &w, &nw, err)) return false;
  bool ok = cairn_compile(w, nw, o, cw, ncw, err);
  cairn_free(w);
  return ok;
}

static cairn_module *module_in(const char *wat, const uint8_t *cw, size_t ncw) {
  cairn_error err;
  if (cw) return cairn_module_from_cwasm(cw, ncw, &err);
  uint8_t *w;
  size_t nw;
  if (!cairn_wat_to_wasm(wat, strlen(wat), &w, &nw, &err)) return NULL;
  cairn_module *m = cairn_module_new(w, nw, &err);
  cairn_free(w);
  return m;
}

/* The trap of export zName(arg) of the nest module in a store where both
** modules are native (cwN, cwE) or interpreted (NULL): kind, and the
** frames as "index:name@instance" (n: nest's, e: ext's) joined by spaces
** in out. */
static bool nest_trap(const uint8_t *cwN, size_t nN, const uint8_t *cwE, size_t nE,
                      const char *zName, int32_t arg, char *out, size_t n) {
  out[0] = 0;
  cairn_module *mn = module_in(kNestWat, cwN, nN), *me = module_in(kExtWat, cwE, nE);
  if (!mn || !me) return false;
  cairn_store *s = cairn_store_new(NULL);
  cairn_error err;
  memset(&err, 0, sizeof err);
  static cairn_func *inner;
  cairn_valtype i32 = CAIRN_I32;
  cairn_functype ft = {1, 0, &i32, NULL};
  cairn_instance *ie = cairn_instance_new(s, me, NULL, 0, &err);
  cairn_extern imp[2] = {{.kind = CAIRN_EXTERN_FUNC, .of.func = cairn_func_new(s, &ft, cb_host, &inner)}};
  bool ok = ie && cairn_instance_export(ie, "x", 1, &imp[1]);
  cairn_instance *in = ok ? cairn_instance_new(s, mn, imp, 2, &err) : NULL;
  cairn_extern ex;
  ok = in && cairn_instance_export(in, "inner", 5, &ex);
  if (ok) inner = ex.of.func;
  ok = ok && cairn_instance_export(in, zName, strlen(zName), &ex);
  cairn_val a = {.type = CAIRN_I32, .of.i32 = arg};
  ok = ok && !cairn_func_call(ex.of.func, &a, 1, NULL, 0, &err) && err.kind == CAIRN_ERR_TRAP;
  size_t k = 0, ko = 0;
  gOffsets[0] = 0;
  gInstrOffsets = false;
  for (int i = 0; ok && i < err.nframes && ko < sizeof gOffsets; i++) {
    ko += (size_t)snprintf(gOffsets + ko, sizeof gOffsets - ko, " %u",
                           err.frames[i].module_offset - err.frames[i].func_offset);
    gInstrOffsets |= err.frames[i].func_offset != 0;
  }
  if (ok) {
    k += (size_t)snprintf(out, n, "%d:", (int)err.trap);
    for (int i = 0; i < err.nframes && k < n; i++)
      k += (size_t)snprintf(out + k, n - k, " %u:%s@%s", err.frames[i].func_index,
                            err.frames[i].func_name ? err.frames[i].func_name : "?",
                            err.frames[i].instance == in   ? "n"
                            : err.frames[i].instance == ie ? "e"
                                                           : "?");
  }
  cairn_store_free(s);
  cairn_module_free(mn);
  cairn_module_free(me);
  return ok;
}

static void test_backtraces(const cairn_compile_options *o) {
  uint8_t *cwN = NULL, *cwE = NULL;
  size_t nN = 0, nE = 0;
  cairn_error err;
  bool ok = compile_wat(kNestWat, o, &cwN, &nN, &err) && compile_wat(kExtWat, o, &cwE, &nE, &err);
  CHECK(ok, "compile the backtrace modules");
  if (!ok) printf("  %s\n", err.msg);
  if (!ok) return;
  char want[512], got[512];
  /* native -> host -> native: the inner activation's frames, then the outer's */
  CHECK(nest_trap(NULL, 0, NULL, 0, "outer", 3, want, sizeof want) &&
            strcmp(want, "1: 2:deep@n 2:deep@n 2:deep@n 2:deep@n 3:inner@n 4:outer2@n 5:outer@n") ==
                0,
        "interpreter: trap through a host function");
  char offs[256];
  snprintf(offs, sizeof offs, "%s", gOffsets);
  CHECK(nest_trap(cwN, nN, cwE, nE, "outer", 3, got, sizeof got) && strcmp(got, want) == 0 &&
            strcmp(offs, gOffsets) == 0 && !gInstrOffsets,
        "native: trap through a host function, the same frames");
#if defined(__x86_64__) || defined(__aarch64__)
  /* ... where at -O2 $outer2, which calls the host function, was inlined
  ** into $outer */
  cairn_module *mN = cairn_module_from_cwasm(cwN, nN, &err);
  bool inl = false;
  const AotModule *am = mN ? ((Module *)mN)->pTier : NULL;
  for (uint32_t i = 0; am && i < am->inl.nSeg; i++)
    inl |= am->inl.aPool[am->inl.aSeg[i].first] == 4;
  if (o->opt_level >= 2 && (!o->cc || !strstr(o->cc, "clang")))
    CHECK(inl, "the host function's caller was inlined (inline table)");
  cairn_module_free(mN);
#endif
  if (strcmp(got, want) != 0) printf("  native \"%s\"\n  interp \"%s\"\n", got, want);
  /* a native function calls another native module's directly: a fault there */
  CHECK(nest_trap(NULL, 0, NULL, 0, "cross", 0, want, sizeof want) &&
            strcmp(want, "2: 1:y@e 0:x@e 6:cross@n") == 0,
        "interpreter: trap in an imported function");
  snprintf(offs, sizeof offs, "%s", gOffsets);
  CHECK(nest_trap(cwN, nN, cwE, nE, "cross", 0, got, sizeof got) && strcmp(got, want) == 0 &&
            strcmp(offs, gOffsets) == 0 && !gInstrOffsets,
        "native: fault in another native module, the same frames");
  if (strcmp(got, want) != 0) printf("  native \"%s\"\n  interp \"%s\"\n", got, want);
  cairn_free(cwN);
  cairn_free(cwE);
  printf("ok backtraces: through a host function, across native modules\n");
}

/* ---- the DWARF reader (dwarf.c) on damaged debug information ---- */

#if defined(__x86_64__) || defined(__aarch64__)
/* The section header of section zName in ELF64 obj, or NULL. */
static Elf64_Shdr *section(uint8_t *obj, size_t n, const char *zName) {
  Elf64_Ehdr *e = (Elf64_Ehdr *)obj;
  if (n < sizeof *e || e->e_shoff + (uint64_t)e->e_shnum * sizeof(Elf64_Shdr) > n) return NULL;
  Elf64_Shdr *sh = (Elf64_Shdr *)(obj + e->e_shoff), *names = sh + e->e_shstrndx;
  for (unsigned i = 0; i < e->e_shnum; i++)
    if (strcmp((char *)obj + names->sh_offset + sh[i].sh_name, zName) == 0) return &sh[i];
  return NULL;
}

/* Reads the copy p[0..n) of an object; true if it was read. */
static bool reads(const uint8_t *p, size_t n, char *msg, size_t nMsg) {
  AotInlineList l;
  cairn_error err;
  memset(&err, 0, sizeof err);
  bool ok = aot_dwarf_inlines(p, n, &l, &err);
  if (ok) base_free(l.a);
  else snprintf(msg, nMsg, "%s", err.msg);
  return ok;
}

static void test_dwarf(const char *cc) {
  static const char *kInlWat =
      "(module"
      "  (func $leaf (param i32) (result i32) (i32.div_u (i32.const 7) (local.get 0)))"
      "  (func $mid (param i32) (result i32) (i32.add (call $leaf (local.get 0)) (i32.const 1)))"
      "  (func (export \"top\") (param i32) (result i32) (i32.mul (call $mid (local.get 0)) (i32.const 3))))";
  char dir[] = "/tmp/cairn-test-dwarf-XXXXXX";
  CHECK(mkdtemp(dir) != NULL, "a work folder");
  uint8_t *cw, *obj;
  size_t ncw, n;
  cairn_error err;
  cairn_compile_options o;
  cairn_compile_options_init(&o);
  o.cc = cc;
  o.keep_c_dir = dir;
  char path[200];
  snprintf(path, sizeof path, "%s/code-debug.so", dir);
  bool ok = compile_wat(kInlWat, &o, &cw, &ncw, &err) && base_read_file(path, &obj, &n, &err);
  CHECK(ok, "compile with the debug object kept");
  if (!ok) {
    printf("  %s\n", err.msg);
    return;
  }
  char msg[300];
  AotInlineList l;
  CHECK(aot_dwarf_inlines(obj, n, &l, &err) && l.n > 0, "the kept object's inlined ranges");
  bool chain = false; /* $leaf (0) inside $mid (1): depth 2 at some address */
  for (uint32_t i = 0; i < l.n; i++)
    for (uint32_t j = 0; j < l.n; j++)
      chain |= l.a[i].func == 0 && l.a[j].func == 1 && l.a[i].depth == l.a[j].depth + 1 &&
               l.a[j].lo <= l.a[i].lo && l.a[i].hi <= l.a[j].hi;
  base_free(l.a);
  CHECK(chain, "leaf inlined into mid inlined into top");
  uint8_t *c = base_malloc(n);
  /* every debug section cut short, at several lengths: an error, no crash */
  static const char *aSec[] = {".debug_info", ".debug_abbrev", ".debug_rnglists",
                               ".debug_ranges", ".debug_str", ".debug_line_str",
                               ".debug_addr", ".debug_str_offsets"};
  int nCut = 0, nCutFail = 0;
  for (size_t s = 0; s < sizeof aSec / sizeof aSec[0]; s++) {
    memcpy(c, obj, n);
    Elf64_Shdr *sh = section(c, n, aSec[s]);
    if (!sh) continue;
    uint64_t full = sh->sh_size;
    for (uint64_t cut = 0; cut < full; cut += full / 7 + 1) {
      sh->sh_size = cut;
      nCut++;
      nCutFail += !reads(c, n, msg, sizeof msg);
    }
  }
  CHECK(nCut > 10 && nCutFail > 0, "truncated debug sections: errors, no crash");
  printf("  %d truncations, %d refused (%s)\n", nCut, nCutFail, msg);
  /* .debug_info cut inside its first unit: the message says so */
  memcpy(c, obj, n);
  Elf64_Shdr *info = section(c, n, ".debug_info");
  if (info) info->sh_size = 20;
  CHECK(info && !reads(c, n, msg, sizeof msg) && strstr(msg, "debug information") &&
            strstr(msg, "longer than .debug_info"),
        "a unit longer than .debug_info");
  /* a section past the end of the file */
  memcpy(c, obj, n);
  Elf64_Shdr *ab = section(c, n, ".debug_abbrev");
  if (ab) ab->sh_offset = n - 2;
  CHECK(ab && !reads(c, n, msg, sizeof msg) && strstr(msg, "out of the file"),
        "a debug section out of the file");
  /* no debug information at all */
  memcpy(c, obj, n);
  if (info) {
    info = section(c, n, ".debug_info");
    Elf64_Shdr *names = (Elf64_Shdr *)(c + ((Elf64_Ehdr *)c)->e_shoff) + ((Elf64_Ehdr *)c)->e_shstrndx;
    c[names->sh_offset + info->sh_name + 1] = 'X'; /* ".Xebug_info" */
  }
  CHECK(!reads(c, n, msg, sizeof msg) && strstr(msg, "no .debug_info"), "no .debug_info");
  /* random damage to the units and abbreviations: an error or a table, no crash */
  uint32_t seed = 12345;
  int nBad = 0;
  for (int t = 0; t < 400; t++) {
    memcpy(c, obj, n);
    Elf64_Shdr *sh = section(c, n, t % 2 ? ".debug_info" : ".debug_abbrev");
    if (!sh || !sh->sh_size) continue;
    for (int k = 0; k < 3; k++) {
      seed = seed * 1103515245u + 12345u;
      c[sh->sh_offset + (seed >> 8) % sh->sh_size] = (uint8_t)(seed >> 24);
    }
    nBad += !reads(c, n, msg, sizeof msg);
  }
  CHECK(nBad > 0, "randomly damaged units: errors, no crash");
  /* not an ELF object */
  CHECK(!reads(obj, 10, msg, sizeof msg) && strstr(msg, "ELF"), "too short for an ELF header");
  base_free(c);
  base_free(obj);
  cairn_free(cw);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  CHECK(system(cmd) == 0, "clean up");
  printf("ok dwarf (%s): inlined ranges read; truncated, damaged, absent sections refused\n",
         cc ? cc : "gcc");
}
#endif

/* ---- the inline table (inlines.c): built from ranges, bad tables refused ---- */

static void test_inline_table(void) {
  /* f2 at [0x100, 0x200) with f1 inside at [0x140, 0x180) and f1 again in a
  ** .cold part at [0x300, 0x310) */
  AotInlineRange a[] = {{0x140, 0x180, 1, 2}, {0x100, 0x200, 2, 1}, {0x300, 0x310, 1, 1}};
  AotInlineList l = {a, 3, 3};
  Buf b;
  buf_init(&b);
  cairn_error err;
  CHECK(aot_inlines_pack(&l, &b, &err), "pack a table");
  AotInlineTab t;
  const char *why = "";
  CHECK(aot_inlines_load(b.aData, b.n, 1, 3, 0, 0x1000, &t, &why), "load it back");
  const uint32_t *c = NULL;
  CHECK(aot_inlines_at(&t, 0x100, &c) == 1 && c[0] == 2, "outer instance alone");
  CHECK(aot_inlines_at(&t, 0x150, &c) == 2 && c[0] == 1 && c[1] == 2, "nested: innermost first");
  CHECK(aot_inlines_at(&t, 0x180, &c) == 1 && c[0] == 2, "after the inner range");
  CHECK(aot_inlines_at(&t, 0x200, &c) == 0 && aot_inlines_at(&t, 0xff, &c) == 0 &&
            aot_inlines_at(&t, 0x30f, &c) == 1 && c[0] == 1,
        "outside, and the cold part");
  aot_inlines_free(&t);
  uint8_t *p = base_malloc(b.n);
  memcpy(p, b.aData, b.n);
  CHECK(!aot_inlines_load(p, b.n - 1, 1, 3, 0, 0x1000, &t, &why) && strstr(why, "size"),
        "a table cut short");
  CHECK(!aot_inlines_load(p, b.n, 1, 2, 0, 0x1000, &t, &why) && strstr(why, "function"),
        "a function the module does not define");
  CHECK(!aot_inlines_load(p, b.n, 3, 3, 0, 0x1000, &t, &why) && strstr(why, "function"),
        "an imported function");
  CHECK(!aot_inlines_load(p, b.n, 1, 3, 0, 0x200, &t, &why) && strstr(why, "out of"),
        "a segment past the code");
  p[8] = 0x90; /* the first segment starts after the second */
  CHECK(!aot_inlines_load(p, b.n, 1, 3, 0, 0x1000, &t, &why) && strstr(why, "out of order"),
        "segments out of order");
  memcpy(p, b.aData, b.n);
  p[8 + 12] = 0xff; /* a chain past the pool */
  CHECK(!aot_inlines_load(p, b.n, 1, 3, 0, 0x1000, &t, &why), "a chain past the pool");
  CHECK(!aot_inlines_load(p, 4, 1, 3, 0, 0x1000, &t, &why), "four bytes");
  base_free(p);
  buf_free(&b);
  printf("ok inline table: nesting, cold parts, 7 kinds of bad tables refused\n");
}

/* Limits reach native code through one word (cairn_aot.h, exec->limit):
** an interrupt set before the call, one or fuel set by a host function
** while native code is on the stack, and the word back to the stack limit
** after the trap. */
static const char *kLimitWat =
    "(module"
    "  (import \"env\" \"hook\" (func $hook))"
    "  (func (export \"spin\") (loop (br 0)))"
    "  (func (export \"hooked\") (call $hook) (loop (br 0)))"
    "  (func $sub (param i32) (result i32) (i32.sub (local.get 0) (i32.const 1)))"
    "  (func $subl (param i32) (result i32) (loop) (i32.sub (local.get 0) (i32.const 1)))"
    "  (func (export \"count\") (param i32) (result i32)"
    "    (block (loop (br_if 1 (i32.eqz (local.get 0)))"
    "      (local.set 0 (call $subl (local.get 0))) (br 0)))"
    "    (i32.const 7))"
    "  (func (export \"countb\") (param i32) (result i32)"
    "    (block (loop (br_if 1 (i32.eqz (local.get 0)))"
    "      (local.set 0 (call $sub (local.get 0))) (br 0)))"
    "    (i32.const 7)))";

static int gHookMode; /* 0 interrupt, 1 fuel 100 */
static bool hook_host(void *env, const cairn_val *a, cairn_val *r, cairn_error *trap) {
  if (gHookMode == 0)
    cairn_store_interrupt(env);
  else
    cairn_store_set_fuel(env, 100);
  return true;
}

static bool limit_call(cairn_instance *inst, const char *name, int32_t arg, int32_t *res,
                       cairn_error *err) {
  cairn_extern ex;
  cairn_val a = {.type = CAIRN_I32, .of.i32 = arg}, r;
  memset(err, 0, sizeof *err);
  if (!cairn_instance_export(inst, name, strlen(name), &ex)) return false;
  bool takes = strncmp(name, "count", 5) == 0;
  bool ok = cairn_func_call(ex.of.func, &a, takes ? 1 : 0, &r, takes ? 1 : 0, err);
  if (ok && res) *res = r.of.i32;
  return ok;
}

static void test_limits(const cairn_compile_options *o) {
  uint8_t *cw = NULL;
  size_t ncw = 0;
  cairn_error err;
  memset(&err, 0, sizeof err);
  bool ok = compile_wat(kLimitWat, o, &cw, &ncw, &err);
  CHECK(ok, "compile the limits module");
  if (!ok) return;
  cairn_module *m = cairn_module_from_cwasm(cw, ncw, &err);
  cairn_store *s = cairn_store_new(NULL);
  cairn_functype ft = {0, 0, NULL, NULL};
  cairn_extern imp = {.kind = CAIRN_EXTERN_FUNC, .of.func = cairn_func_new(s, &ft, hook_host, s)};
  cairn_instance *inst = m ? cairn_instance_new(s, m, &imp, 1, &err) : NULL;
  CHECK(inst != NULL, "limits module instance");
  if (!inst) goto done;
  int32_t r = 0;
  CHECK(limit_call(inst, "count", 1000, &r, &err) && r == 7, "runs with nothing pending");
  cairn_store_interrupt(s);
  CHECK(!limit_call(inst, "spin", 0, NULL, &err) && err.trap == CAIRN_TRAP_INTERRUPT,
        "an interrupt set before the call stops a native loop");
  CHECK(limit_call(inst, "count", 1000, &r, &err) && r == 7, "runs again after the trap");
  gHookMode = 0;
  CHECK(!limit_call(inst, "hooked", 0, NULL, &err) && err.trap == CAIRN_TRAP_INTERRUPT,
        "an interrupt set while native code runs stops its loop");
  gHookMode = 1;
  CHECK(!limit_call(inst, "hooked", 0, NULL, &err) && err.trap == CAIRN_TRAP_FUEL,
        "fuel set while native code runs is accounted at once");
  /* 100 units: the entry, then 2 per iteration (back edge, call) */
  cairn_store_set_fuel(s, 100);
  CHECK(limit_call(inst, "count", 49, &r, &err) && r == 7, "fuel: 49 iterations fit in 100");
  cairn_store_set_fuel(s, 100);
  CHECK(!limit_call(inst, "count", 50, &r, &err) && err.trap == CAIRN_TRAP_FUEL,
        "fuel: 50 do not, as in the interpreter");
  /* a bounded callee ($sub: a small leaf without loops) costs nothing */
  cairn_store_set_fuel(s, 100);
  CHECK(limit_call(inst, "countb", 99, &r, &err) && r == 7, "fuel: 99 iterations calling a bounded leaf fit in 100");
  cairn_store_set_fuel(s, 100);
  CHECK(!limit_call(inst, "countb", 100, &r, &err) && err.trap == CAIRN_TRAP_FUEL,
        "fuel: 100 do not, as in the interpreter");
  cairn_store_set_fuel(s, 0);
  CHECK(limit_call(inst, "count", 100000, &r, &err) && r == 7, "fuel off: runs again");
done:
  cairn_store_free(s);
  cairn_module_free(m);
  cairn_free(cw);
  printf("ok limits: interrupt and fuel through the entry word\n");
}

/* call_indirect in native code through a table's call entries after the
** writers only the API reaches: cairn_table_set (a native function of
** another instance, a host function, null) and a snapshot restore that
** undoes a table.set and a table.grow (runtime.h, RtCall). */
static const char *kTableWat =
    "(module"
    "  (table (export \"t\") 2 funcref)"
    "  (elem (i32.const 0) $one)"
    "  (elem declare func $two)"
    "  (func $one (result i32) (i32.const 1))"
    "  (func $two (result i32) (i32.const 2))"
    "  (func (export \"get\") (param i32) (result funcref) (table.get 0 (local.get 0)))"
    "  (func (export \"poke\") (param i32)"
    "    (drop (table.grow 0 (ref.func $two) (i32.const 3)))"
    "    (table.set 0 (local.get 0) (ref.func $two)))"
    "  (func (export \"call\") (param i32) (result i32)"
    "    (call_indirect (result i32) (local.get 0))))";

static int32_t gHostCalls;
static bool seven_host(void *env, const cairn_val *args, cairn_val *results, cairn_error *err) {
  (void)env, (void)args, (void)err;
  gHostCalls++;
  results[0] = (cairn_val){.type = CAIRN_I32, .of.i32 = 7};
  return true;
}

/* exported "call"(i) of inst: its result, or -1 with the trap kind in *trap */
static int32_t table_call(cairn_instance *inst, int32_t i, cairn_trapkind *trap) {
  cairn_extern ex;
  cairn_error err;
  memset(&err, 0, sizeof err);
  cairn_val a = {.type = CAIRN_I32, .of.i32 = i}, r;
  *trap = CAIRN_TRAP_NONE;
  if (!cairn_instance_export(inst, "call", 4, &ex)) return -2;
  if (!cairn_func_call(ex.of.func, &a, 1, &r, 1, &err)) {
    *trap = err.trap;
    return -1;
  }
  return r.of.i32;
}

static void test_table_calls(const cairn_compile_options *o) {
  uint8_t *cw = NULL;
  size_t ncw = 0;
  cairn_error err;
  memset(&err, 0, sizeof err);
  bool ok = compile_wat(kTableWat, o, &cw, &ncw, &err);
  CHECK(ok, "compile the table module");
  if (!ok) return;
  cairn_module *mi = NULL;
  cairn_module *m = cairn_module_from_cwasm(cw, ncw, &err);
  cairn_store *s = cairn_store_new(NULL);
  cairn_instance *a = m ? cairn_instance_new(s, m, NULL, 0, &err) : NULL;
  cairn_instance *b = m ? cairn_instance_new(s, m, NULL, 0, &err) : NULL;
  cairn_extern ta, getb;
  CHECK(a && b && cairn_instance_export(a, "t", 1, &ta) &&
            cairn_instance_export(b, "get", 3, &getb),
        "two instances of the table module");
  if (!a || !b) goto done;
  cairn_trapkind k;
  CHECK(table_call(a, 0, &k) == 1, "elem segment");
  CHECK(table_call(a, 1, &k) == -1 && k == CAIRN_TRAP_UNINITIALIZED_ELEMENT, "null element");
  /* cairn_table_set: b's $one (native, another instance) */
  cairn_val idx = {.type = CAIRN_I32, .of.i32 = 0}, fb;
  CHECK(cairn_func_call(getb.of.func, &idx, 1, &fb, 1, &err) && fb.of.func, "b's function");
  CHECK(cairn_table_set(ta.of.table, 1, fb), "cairn_table_set another instance's function");
  CHECK(table_call(a, 1, &k) == 1, "called through the API's write");
  /* a host function of the right type, then of another type, then null */
  cairn_valtype i32 = CAIRN_I32;
  cairn_functype ft = {0, 1, NULL, &i32}, ftBad = {1, 1, &i32, &i32};
  cairn_val host = {.type = CAIRN_FUNCREF, .of.func = cairn_func_new(s, &ft, seven_host, NULL)};
  cairn_val bad = {.type = CAIRN_FUNCREF, .of.func = cairn_func_new(s, &ftBad, seven_host, NULL)};
  gHostCalls = 0;
  CHECK(cairn_table_set(ta.of.table, 1, host) && table_call(a, 1, &k) == 7 && gHostCalls == 1,
        "a host function set through the API is called through rt");
  CHECK(cairn_table_set(ta.of.table, 1, bad) && table_call(a, 1, &k) == -1 &&
            k == CAIRN_TRAP_INDIRECT_MISMATCH && gHostCalls == 1,
        "a host function of another type: mismatch");
  cairn_val null = {.type = CAIRN_FUNCREF, .of.func = NULL};
  CHECK(cairn_table_set(ta.of.table, 0, null) && table_call(a, 0, &k) == -1 &&
            k == CAIRN_TRAP_UNINITIALIZED_ELEMENT,
        "null set through the API");
  CHECK(cairn_table_set(ta.of.table, 0, fb), "set back");
  /* snapshot, then table.set and table.grow from native code, then restore */
  cairn_snapshot *snap = cairn_snapshot_new(a, &err);
  CHECK(snap != NULL, "snapshot");
  if (!snap) goto done;
  cairn_extern poke;
  cairn_val at = {.type = CAIRN_I32, .of.i32 = 0};
  CHECK(cairn_instance_export(a, "poke", 4, &poke) &&
            cairn_func_call(poke.of.func, &at, 1, NULL, 0, &err),
        "table.set and table.grow");
  CHECK(table_call(a, 0, &k) == 2 && table_call(a, 4, &k) == 2, "after table.set and grow");
  CHECK(cairn_snapshot_restore(snap, &err), "restore");
  CHECK(table_call(a, 0, &k) == 1, "restore undoes table.set in the call entries");
  CHECK(table_call(a, 1, &k) == -1 && k == CAIRN_TRAP_INDIRECT_MISMATCH,
        "restore keeps the element it captured");
  CHECK(table_call(a, 2, &k) == -1 && k == CAIRN_TRAP_UNDEFINED_ELEMENT,
        "restore undoes table.grow");
  CHECK(cairn_func_call(poke.of.func, &at, 1, NULL, 0, &err) && table_call(a, 4, &k) == 2,
        "grows again after the restore");
  cairn_snapshot_free(snap);
  /* an interpreted instance's table.set into a table native code calls
  ** through: a's table imported by an interpreted module */
  static const char *kInterpWat =
      "(module (import \"a\" \"t\" (table 1 funcref))"
      "  (elem declare func $three)"
      "  (func $three (result i32) (i32.const 3))"
      "  (func (export \"put\") (param i32) (table.set 0 (local.get 0) (ref.func $three))))";
  mi = module_in(kInterpWat, NULL, 0);
  cairn_instance *ci = mi ? cairn_instance_new(s, mi, &ta, 1, &err) : NULL;
  cairn_extern put;
  CHECK(ci && cairn_instance_export(ci, "put", 3, &put) &&
            cairn_func_call(put.of.func, &at, 1, NULL, 0, &err),
        "the interpreter's table.set");
  CHECK(table_call(a, 0, &k) == 3, "native code calls what the interpreter set");
done:
  cairn_store_free(s);
  cairn_module_free(mi);
  cairn_module_free(m);
  cairn_free(cw);
  printf("ok table calls: API writes, host functions, snapshot restore, the interpreter\n");
}

/* A mutable global that is not exported lives in a C local of native code,
** written through at every global.set (emit_globals.c): after a trap its
** object holds what the interpreter's would, also when the trap comes from
** a fault (the C local is not written back by anything else). */
static const char *kGlobalWat =
    "(module"
    "  (memory 1)"
    "  (global $sp (mut i32) (i32.const 1000))"
    "  (func $inner (param i32) (result i32)"
    "    (global.set $sp (i32.sub (global.get $sp) (i32.const 8)))"
    "    (if (i32.eqz (local.get 0)) (then unreachable))"
    "    (drop (i32.load (local.get 0)))"
    "    (global.set $sp (i32.add (global.get $sp) (i32.const 8)))"
    "    (global.get $sp))"
    "  (func (export \"push\") (param i32) (result i32) (local i32)"
    "    (global.set $sp (i32.sub (global.get $sp) (i32.const 16)))"
    "    (local.set 1 (call $inner (local.get 0)))"
    "    (global.set $sp (i32.add (global.get $sp) (i32.const 16)))"
    "    (i32.add (local.get 1) (global.get $sp)))"
    "  (func (export \"sp\") (result i32) (global.get $sp)))";

/* push(arg), then sp(): "result/sp" or "trap/sp" per argument, into out. */
static void global_run(cairn_instance *inst, char *out, size_t n) {
  static const int32_t aArg[] = {4, 0, 70000, 4, 0};
  size_t k = 0;
  for (size_t i = 0; i < sizeof aArg / sizeof aArg[0]; i++) {
    cairn_extern ex;
    cairn_error err;
    memset(&err, 0, sizeof err);
    cairn_val a = {.type = CAIRN_I32, .of.i32 = aArg[i]}, r = {0};
    bool ok = cairn_instance_export(inst, "push", 4, &ex) && cairn_func_call(ex.of.func, &a, 1, &r, 1, &err);
    k += (size_t)snprintf(out + k, n - k, "%s%d/%d", i ? " " : "", ok ? r.of.i32 : -(int)err.trap,
                          call_i32(inst, "sp"));
    if (k >= n) return;
  }
}

static void test_global_trap(const cairn_compile_options *o) {
  uint8_t *cw = NULL;
  size_t ncw = 0;
  cairn_error err;
  memset(&err, 0, sizeof err);
  bool ok = compile_wat(kGlobalWat, o, &cw, &ncw, &err);
  CHECK(ok, "compile the global module");
  if (!ok) return;
  char aOut[2][128];
  for (int native = 0; native < 2; native++) {
    aOut[native][0] = 0;
    cairn_module *m = module_in(kGlobalWat, native ? cw : NULL, ncw);
    cairn_store *s = cairn_store_new(NULL);
    cairn_instance *inst = m ? cairn_instance_new(s, m, NULL, 0, &err) : NULL;
    if (inst) global_run(inst, aOut[native], sizeof aOut[native]);
    cairn_store_free(s);
    cairn_module_free(m);
  }
  if (strcmp(aOut[0], aOut[1])) printf("  interpreter %s, native %s\n", aOut[0], aOut[1]);
  CHECK(aOut[0][0] && !strcmp(aOut[0], aOut[1]),
        "a global in a C local after traps (unreachable, a fault): the interpreter's value");
  cairn_free(cw);
}

int main(void) {
  uint8_t *w, *cw;
  size_t nw, ncw;
  cairn_error err;
  memset(&err, 0, sizeof err);
  if (!cairn_wat_to_wasm(kWat, strlen(kWat), &w, &nw, &err)) {
    printf("FAIL text: %s\n", err.msg);
    return 1;
  }
  cairn_compile_options o;
  cairn_compile_options_init(&o);
  o.opt_level = 1;
  /* a cross-built test under qemu (make test-cross) needs the target's gcc */
  o.cc = getenv("CAIRN_TEST_CC");
  if (!cairn_compile(w, nw, &o, &cw, &ncw, &err)) {
    printf("FAIL compile: %s\n", err.msg);
    return 1;
  }
  cairn_free(w);
#ifdef SYMBOL_RELOC
  test_loader(cw, ncw);
#endif
  test_tiers(cw, ncw);
  test_facts(&o, cw, ncw);
  cairn_free(cw);
  test_inline_table();
  test_backtraces(&o);
  o.opt_level = 2;
  test_backtraces(&o);
#if defined(__x86_64__) || defined(__aarch64__)
  test_dwarf(o.cc);
  if (!o.cc && system("clang --version >/dev/null 2>&1") == 0) test_dwarf("clang");
#endif
  test_limits(&o);
  test_table_calls(&o);
  test_global_trap(&o);
  printf("aot: %d checks passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}
