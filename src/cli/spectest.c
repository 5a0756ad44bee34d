/*
** spectest.c: the built-in `spectest` module the spec scripts import from:
** print functions (silent unless verbose), four immutable globals (666 /
** 666.6), a funcref table (10..20) and a memory (1..2 pages). Its objects
** live in the linker's store and are created the first time one is imported.
*/
#include <inttypes.h>
#include <string.h>

#include "cli/cli.h"

typedef struct PrintSig {
  const char *zName;
  uint32_t nParam;
  cairn_valtype aParam[2];
} PrintSig;

static const PrintSig aPrintSig[7] = {
    {"print", 0, {0, 0}},
    {"print_i32", 1, {CAIRN_I32, 0}},
    {"print_i64", 1, {CAIRN_I64, 0}},
    {"print_f32", 1, {CAIRN_F32, 0}},
    {"print_f64", 1, {CAIRN_F64, 0}},
    {"print_i32_f32", 2, {CAIRN_I32, CAIRN_F32}},
    {"print_f64_f64", 2, {CAIRN_F64, CAIRN_F64}},
};

static bool print_with(void *env, const cairn_val *args, cairn_val *results,
                       cairn_error *trap) {
  const CliPrintEnv *pe = env;
  const PrintSig *sig = &aPrintSig[pe->iSig];
  (void)results;
  (void)trap;
  if (!pe->pLinker->verbose) return true;
  printf("spectest.%s(", sig->zName);
  for (uint32_t i = 0; i < sig->nParam; i++) {
    if (i) fputs(", ", stdout);
    cli_print_val(stdout, &args[i]);
    printf(" : %s", cli_valtype_name(args[i].type));
  }
  puts(")");
  fflush(stdout);
  return true;
}

static bool spectest_make(CliLinker *l, cairn_error *err) {
  if (l->spectestMade) return true;
  cairn_store *s = l->pStore;
  static const cairn_valtype noResult[1] = {CAIRN_I32};
  for (int i = 0; i < 7; i++) {
    cairn_functype ft = {aPrintSig[i].nParam, 0, aPrintSig[i].aParam, noResult};
    CliPrintEnv *pe = &l->aPrintEnv[i];
    pe->pLinker = l;
    pe->iSig = i;
    l->aPrint[i] = cairn_func_new(s, &ft, print_with, pe);
    if (!l->aPrint[i]) {
      cli_error(err, CAIRN_ERR_NOMEM, "spectest: cannot create %s", aPrintSig[i].zName);
      return false;
    }
  }
  cairn_val v;
  memset(&v, 0, sizeof v);
  v.type = CAIRN_I32;
  v.of.i32 = 666;
  l->aGlobal[0] = cairn_global_new(s, v, false, err);
  memset(&v, 0, sizeof v);
  v.type = CAIRN_I64;
  v.of.i64 = 666;
  l->aGlobal[1] = cairn_global_new(s, v, false, err);
  memset(&v, 0, sizeof v);
  v.type = CAIRN_F32;
  float f32 = 666.6f;
  memcpy(&v.of.f32_bits, &f32, 4);
  l->aGlobal[2] = cairn_global_new(s, v, false, err);
  memset(&v, 0, sizeof v);
  v.type = CAIRN_F64;
  double f64 = 666.6;
  memcpy(&v.of.f64_bits, &f64, 8);
  l->aGlobal[3] = cairn_global_new(s, v, false, err);
  if (!l->aGlobal[0] || !l->aGlobal[1] || !l->aGlobal[2] || !l->aGlobal[3]) return false;

  cairn_limits tlim = {10, 20, true};
  memset(&v, 0, sizeof v);
  v.type = CAIRN_FUNCREF;
  v.of.func = NULL;
  l->pTable = cairn_table_new(s, CAIRN_FUNCREF, tlim, v, err);
  if (!l->pTable) return false;
  cairn_limits mlim = {1, 2, true};
  l->pMemory = cairn_memory_new(s, mlim, err);
  if (!l->pMemory) return false;
  l->spectestMade = true;
  return true;
}

static bool name_is(const char *z, size_t n, const char *zLit) {
  return strlen(zLit) == n && memcmp(z, zLit, n) == 0;
}

int cli_spectest_lookup(CliLinker *l, const char *z, size_t n, cairn_extern *out,
                         cairn_error *err) {
  static const char *const aGlobalName[4] = {"global_i32", "global_i64", "global_f32",
                                             "global_f64"};
  int which = -1;
  for (int i = 0; i < 7 && which < 0; i++) {
    if (name_is(z, n, aPrintSig[i].zName)) which = i;
  }
  for (int i = 0; i < 4 && which < 0; i++) {
    if (name_is(z, n, aGlobalName[i])) which = 10 + i;
  }
  if (which < 0 && name_is(z, n, "table")) which = 20;
  if (which < 0 && name_is(z, n, "memory")) which = 21;
  if (which < 0) return 0;
  if (!spectest_make(l, err)) return -1;
  memset(out, 0, sizeof *out);
  if (which < 7) {
    out->kind = CAIRN_EXTERN_FUNC;
    out->of.func = l->aPrint[which];
  } else if (which < 20) {
    out->kind = CAIRN_EXTERN_GLOBAL;
    out->of.global = l->aGlobal[which - 10];
  } else if (which == 20) {
    out->kind = CAIRN_EXTERN_TABLE;
    out->of.table = l->pTable;
  } else {
    out->kind = CAIRN_EXTERN_MEMORY;
    out->of.memory = l->pMemory;
  }
  return 1;
}
