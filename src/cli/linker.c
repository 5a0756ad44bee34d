/*
** linker.c: import resolution for the CLI. A module's imports are looked up
** by (module name, field name) among instances registered under a name (the
** newest registration first) and then in the built-in `spectest` module.
*/
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

void cli_linker_init(CliLinker *l, cairn_store *s, bool verbose) {
  memset(l, 0, sizeof *l);
  l->pStore = s;
  l->verbose = verbose;
}

void cli_linker_free(CliLinker *l) {
  for (size_t i = 0; i < l->nReg; i++) free(l->aReg[i].zName);
  free(l->aReg);
  l->aReg = NULL;
  l->nReg = l->nRegAlloc = 0;
}

bool cli_linker_register(CliLinker *l, const char *z, size_t n, cairn_instance *inst) {
  if (l->nReg == l->nRegAlloc) {
    size_t nNew = l->nRegAlloc ? 2 * l->nRegAlloc : 8;
    CliReg *a = realloc(l->aReg, nNew * sizeof *a);
    if (!a) return false;
    l->aReg = a;
    l->nRegAlloc = nNew;
  }
  char *zCopy = malloc(n + 1);
  if (!zCopy) return false;
  memcpy(zCopy, z, n);
  zCopy[n] = 0;
  l->aReg[l->nReg].zName = zCopy;
  l->aReg[l->nReg].nName = n;
  l->aReg[l->nReg].pInst = inst;
  l->nReg++;
  return true;
}

static const char *kind_name(cairn_externkind k) {
  switch (k) {
    case CAIRN_EXTERN_FUNC: return "func";
    case CAIRN_EXTERN_TABLE: return "table";
    case CAIRN_EXTERN_MEMORY: return "memory";
    case CAIRN_EXTERN_GLOBAL: return "global";
  }
  return "?";
}

static bool is_wasi(const char *z, size_t n) {
  return (n == 22 && memcmp(z, "wasi_snapshot_preview1", 22) == 0) ||
         (n == 13 && memcmp(z, "wasi_unstable", 13) == 0);
}

/* Resolves import i of m into *out. */
static bool resolve_one(CliLinker *l, const cairn_module *m, uint32_t i, cairn_extern *out,
                        cairn_error *err) {
  cairn_externtype it;
  memset(&it, 0, sizeof it);
  cairn_module_import(m, i, &it);
  for (size_t k = l->nReg; k-- > 0;) {
    const CliReg *r = &l->aReg[k];
    if (r->nName != it.module_len || memcmp(r->zName, it.module, it.module_len) != 0) continue;
    if (r->pInst && cairn_instance_export(r->pInst, it.name, it.name_len, out)) return true;
    /* A registered name hides spectest, as a registry would. */
    goto unknown;
  }
  if (it.module_len == 8 && memcmp(it.module, "spectest", 8) == 0) {
    int rc = cli_spectest_lookup(l, it.name, it.name_len, out, err);
    if (rc > 0) return true;
    if (rc < 0) return false;
  }
unknown:
  if (is_wasi(it.module, it.module_len)) {
    cli_error(err, CAIRN_ERR_LINK, "unknown import: \"%.*s\".\"%.*s\" (Cairn provides WASI as "
              "wasi_snapshot_preview1 to `cairn run` only)",
              (int)it.module_len, it.module, (int)it.name_len, it.name);
  } else {
    cli_error(err, CAIRN_ERR_LINK, "unknown import: %s \"%.*s\".\"%.*s\"", kind_name(it.kind),
              (int)it.module_len, it.module, (int)it.name_len, it.name);
  }
  return false;
}

cairn_instance *cli_linker_instantiate(CliLinker *l, const cairn_module *m, cairn_error *err) {
  uint32_t n = cairn_module_import_count(m);
  cairn_extern *a = calloc(n ? n : 1, sizeof *a);
  if (!a) {
    cli_error(err, CAIRN_ERR_NOMEM, "out of memory");
    return NULL;
  }
  cairn_instance *inst = NULL;
  bool ok = true;
  if (l->pWasi) ok = cairn_wasi_define_imports(l->pWasi, m, a, NULL, err);
  for (uint32_t i = 0; i < n && ok; i++) {
    if (l->pWasi && cairn_wasi_is_wasi_import(m, i)) continue;
    ok = resolve_one(l, m, i, &a[i], err);
  }
  if (ok) inst = cairn_instance_new(l->pStore, m, a, n, err);
  free(a);
  return inst;
}
