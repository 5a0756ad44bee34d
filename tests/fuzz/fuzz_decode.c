/*
** fuzz_decode.c: libFuzzer target for the binary decoder, validator,
** translator and interpreter. Any input must end in a module or an error,
** never a crash, hang or leak. Valid modules without imports are also
** instantiated and every exported function called with zero arguments,
** under a fuel budget and a memory cap, so execution is fuzzed too.
*/
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cairn/cairn.h"

static void run_exports(cairn_module *m) {
  cairn_store_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.fuel = 20000;
  cfg.max_memory_pages = 64;
  cfg.max_table_elems = 10000;
  cairn_store *s = cairn_store_new(&cfg);
  if (!s) return;
  cairn_error err;
  cairn_instance *inst = cairn_instance_new(s, m, NULL, 0, &err);
  for (uint32_t i = 0; inst && i < cairn_module_export_count(m); i++) {
    cairn_externtype t;
    cairn_module_export(m, i, &t);
    cairn_extern ext;
    if (t.kind != CAIRN_EXTERN_FUNC || !cairn_instance_export(inst, t.name, t.name_len, &ext))
      continue;
    const cairn_functype *ft = cairn_func_type(ext.of.func);
    cairn_val args[16], results[16];
    if (ft->nparams > 16 || ft->nresults > 16) continue;
    memset(args, 0, sizeof args);
    for (uint32_t k = 0; k < ft->nparams; k++) args[k].type = ft->params[k];
    cairn_func_call(ext.of.func, args, ft->nparams, results, ft->nresults, &err);
  }
  cairn_store_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cairn_error err;
  cairn_module *m = cairn_module_new(data, size, &err);
  if (m) {
    cairn_externtype t;
    for (uint32_t i = 0; i < cairn_module_import_count(m); i++) cairn_module_import(m, i, &t);
    for (uint32_t i = 0; i < cairn_module_export_count(m); i++) cairn_module_export(m, i, &t);
    if (cairn_module_import_count(m) == 0) run_exports(m);
    cairn_module_free(m);
  }
  return 0;
}
