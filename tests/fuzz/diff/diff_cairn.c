/*
** diff_cairn.c: the Cairn side of the differential harness (run-diff.sh).
** usage: diff_cairn FILE.wasm|FILE.wat...
** Also the driver of tests/regress/run-regress.sh, whose NAME.expect files
** hold this report for each regression module.
** For each module: validate and instantiate it with no imports, call every
** exported function once (in export order, arguments from the fixed pools
** below, which diff_node.js repeats), then print the final value of every
** exported global and a hash of the exported memory. One text block per
** module; diff_node.js prints the same format, and run-diff.py compares the
** two line by line:
**   module NAME / valid|invalid / inst ok|inst trap KIND /
**   call EXPORT ok VALUES|trap KIND / global EXPORT VALUE / mem PAGES HASH / end
** Floats print as bit patterns except NaNs, which print as "nan" (the spec
** leaves NaN payloads and signs nondeterministic). Trap kinds use the names
** both engines can be mapped to. A fuel trap prints "skip" and ends the
** module's block (V8 has no fuel; the generator bounds every loop, so this
** should not happen).
*/
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/cairn.h"

/* Argument pools: keep equal to diff_node.js. */
static const int32_t POOL_I32[16] = {0, 1, -1, 2, 7, -7, 100, 0x7fffffff, (int32_t)0x80000000u,
                                     255, 65535, 65536, 3, -100, 1000, 17};
static const int64_t POOL_I64[16] = {0, 1, -1, 2, 7, -7, 100, INT64_MAX, INT64_MIN, 255,
                                     0xffffffffLL, 0x100000000LL, 3, -100, 1000, 17};
static const uint32_t POOL_F32[16] = {0x00000000u, 0x80000000u, 0x3f800000u, 0xbf800000u,
                                      0x3fc00000u, 0x7f800000u, 0xff800000u, 0x00000001u,
                                      0x7f7fffffu, 0x4f000000u, 0xcf000000u, 0x42c80000u,
                                      0x40490fdbu, 0xc2c80000u, 0x5f000000u, 0x3e800000u};
static const uint64_t POOL_F64[16] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x3ff8000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull, 0x0000000000000001ull,
    0x7fefffffffffffffull, 0x41e0000000000000ull, 0xc1e0000000000000ull, 0x4059000000000000ull,
    0x400921fb54442d18ull, 0xc059000000000000ull, 0x43e0000000000000ull, 0x3fd0000000000000ull};

static unsigned pool_index(unsigned exp, unsigned k) { return (exp * 5u + k * 3u + 1u) % 16u; }

static const char *trap_name(const cairn_error *e) {
  if (e->kind == CAIRN_ERR_EXHAUSTION) return "stack";
  if (e->kind != CAIRN_ERR_TRAP) return "error";
  switch (e->trap) {
  case CAIRN_TRAP_UNREACHABLE: return "unreachable";
  case CAIRN_TRAP_MEMORY_OOB: return "memory";
  case CAIRN_TRAP_TABLE_OOB:
  case CAIRN_TRAP_UNDEFINED_ELEMENT: return "table";
  case CAIRN_TRAP_UNINITIALIZED_ELEMENT:
  case CAIRN_TRAP_INDIRECT_MISMATCH: return "indirect";
  case CAIRN_TRAP_DIV_ZERO: return "divzero";
  case CAIRN_TRAP_INT_OVERFLOW: return "overflow";
  case CAIRN_TRAP_BAD_CONVERSION: return "conversion";
  case CAIRN_TRAP_STACK_EXHAUSTED: return "stack";
  case CAIRN_TRAP_FUEL: return "fuel";
  default: return "other";
  }
}

static void print_val(const cairn_val *v) {
  switch (v->type) {
  case CAIRN_I32: printf(" i32:%08" PRIx32, (uint32_t)v->of.i32); break;
  case CAIRN_I64: printf(" i64:%016" PRIx64, (uint64_t)v->of.i64); break;
  case CAIRN_F32:
    if ((v->of.f32_bits & 0x7f800000u) == 0x7f800000u && (v->of.f32_bits & 0x7fffffu))
      printf(" f32:nan");
    else
      printf(" f32:%08" PRIx32, v->of.f32_bits);
    break;
  case CAIRN_F64:
    if ((v->of.f64_bits & 0x7ff0000000000000ull) == 0x7ff0000000000000ull &&
        (v->of.f64_bits & 0xfffffffffffffull))
      printf(" f64:nan");
    else
      printf(" f64:%016" PRIx64, v->of.f64_bits);
    break;
  default: printf(" ref"); break;
  }
}

static void run_module(const char *path) {
  const char *base = strrchr(path, '/');
  printf("module %s\n", base ? base + 1 : path);
  cairn_error err;
  /* binary, or text (WAT) for the regression modules (tests/regress) */
  cairn_module *m = cairn_module_from_file(path, &err);
  if (!m && err.kind == CAIRN_ERR_IO) {
    printf("unreadable\nend\n");
    return;
  }
  if (!m) {
    printf("invalid\nend\n");
    fprintf(stderr, "%s: %s\n", path, err.msg);
    return;
  }
  printf("valid\n");
  cairn_store_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.fuel = 50000000;
  cairn_store *s = cairn_store_new(&cfg);
  cairn_instance *inst = s ? cairn_instance_new(s, m, NULL, 0, &err) : NULL;
  if (!inst) {
    printf("inst trap %s\nend\n", s ? trap_name(&err) : "error");
    cairn_store_free(s);
    cairn_module_free(m);
    return;
  }
  printf("inst ok\n");
  unsigned nfunc = 0;
  bool skipped = false;
  for (uint32_t i = 0; i < cairn_module_export_count(m) && !skipped; i++) {
    cairn_externtype t;
    cairn_module_export(m, i, &t);
    cairn_extern ext;
    if (t.kind != CAIRN_EXTERN_FUNC || !cairn_instance_export(inst, t.name, t.name_len, &ext))
      continue;
    const cairn_functype *ft = cairn_func_type(ext.of.func);
    unsigned e = nfunc++;
    cairn_val args[16], res[16];
    if (ft->nparams > 16 || ft->nresults > 16) continue;
    memset(args, 0, sizeof args);
    memset(res, 0, sizeof res);
    for (uint32_t k = 0; k < ft->nparams; k++) {
      unsigned j = pool_index(e, k);
      args[k].type = ft->params[k];
      switch (ft->params[k]) {
      case CAIRN_I32: args[k].of.i32 = POOL_I32[j]; break;
      case CAIRN_I64: args[k].of.i64 = POOL_I64[j]; break;
      case CAIRN_F32: args[k].of.f32_bits = POOL_F32[j]; break;
      case CAIRN_F64: args[k].of.f64_bits = POOL_F64[j]; break;
      default: break;
      }
    }
    printf("call %.*s", (int)t.name_len, t.name);
    if (cairn_func_call(ext.of.func, args, ft->nparams, res, ft->nresults, &err)) {
      printf(" ok");
      for (uint32_t k = 0; k < ft->nresults; k++) print_val(&res[k]);
      printf("\n");
    } else if (err.kind == CAIRN_ERR_TRAP && err.trap == CAIRN_TRAP_FUEL) {
      printf(" skip\n");
      skipped = true;
    } else {
      printf(" trap %s\n", trap_name(&err));
    }
  }
  for (uint32_t i = 0; i < cairn_module_export_count(m) && !skipped; i++) {
    cairn_externtype t;
    cairn_module_export(m, i, &t);
    cairn_extern ext;
    if (!cairn_instance_export(inst, t.name, t.name_len, &ext)) continue;
    if (t.kind == CAIRN_EXTERN_GLOBAL) {
      cairn_val v = cairn_global_get(ext.of.global);
      printf("global %.*s", (int)t.name_len, t.name);
      print_val(&v);
      printf("\n");
    } else if (t.kind == CAIRN_EXTERN_MEMORY) {
      const uint8_t *p = cairn_memory_data(ext.of.memory);
      uint64_t n = cairn_memory_size(ext.of.memory);
      uint32_t h = 2166136261u;   /* FNV-1a */
      for (uint64_t k = 0; k < n; k++) h = (h ^ p[k]) * 16777619u;
      printf("mem %" PRIu64 " %08" PRIx32 "\n", cairn_memory_pages(ext.of.memory), h);
    }
  }
  printf("end\n");
  fflush(stdout);
  cairn_store_free(s);
  cairn_module_free(m);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: diff_cairn FILE.wasm...\n");
    return 2;
  }
  for (int i = 1; i < argc; i++) run_module(argv[i]);
  return 0;
}
