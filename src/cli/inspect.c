/*
** inspect.c: `cairn inspect MODULE`: prints what a module holds, as the
** public API exposes it: sections, counts, imports and exports with their
** types, functions (with names), tables, memories, globals, start function.
** `cairn inspect --code FUNC MODULE` prints one function's interpreter code
** instead (cairn_module_disassemble).
*/
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: cairn inspect [--code FUNC] MODULE\n"
          "Prints a module's sections, imports and exports (with types), functions,\n"
          "tables, memories, globals and start function. For a .cwasm (cairn compile),\n"
          "first its header (target, ABI, options, module SHA-256, sizes), then the\n"
          "module inside it; nothing of its native code runs.\n"
          "  --code FUNC  print instead the interpreter code of function FUNC: its\n"
          "               index, export name or name-section name ($name or name).\n"
          "               One internal instruction a line: word index, op, operands\n"
          "               (sN frame slot, vN v128 in slots N and N+1, ->N branch\n"
          "               target, +N memory offset).\n"
          "Exit status 0, or 2 if the module does not load or FUNC is unknown or\n"
          "imported.\n");
}

static const char *section_name(uint8_t id) {
  static const char *const a[] = {"custom", "type",   "import", "function", "table",
                                  "memory", "global", "export", "start",    "element",
                                  "code",   "data",   "datacount"};
  return id < sizeof a / sizeof a[0] ? a[id] : "unknown";
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

/* Prints a name in quotes, escaping what is not printable ASCII. */
static void print_name(const char *z, size_t n) {
  putchar('"');
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)z[i];
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
      printf("\\%02x", c);
    } else {
      putchar(c);
    }
  }
  putchar('"');
}

static void print_externtype(const cairn_externtype *t) {
  switch (t->kind) {
    case CAIRN_EXTERN_FUNC: cli_print_functype(stdout, &t->func); break;
    case CAIRN_EXTERN_TABLE:
      printf("%s ", cli_valtype_name(t->elemtype));
      cli_print_limits(stdout, &t->limits);
      break;
    case CAIRN_EXTERN_MEMORY: cli_print_limits(stdout, &t->limits); break;
    case CAIRN_EXTERN_GLOBAL:
      printf("%s%s", t->global_mutable ? "mut " : "", cli_valtype_name(t->global_type));
      break;
  }
}

static void print_func(const cairn_module *m, uint32_t idx) {
  cairn_functype ft;
  const char *zName;
  size_t nName;
  if (!cairn_module_func(m, idx, &ft, &zName, &nName)) return;
  printf("func[%" PRIu32 "]", idx);
  if (zName) {
    putchar(' ');
    print_name(zName, nName);
  }
}

static void inspect(const char *zPath, const cairn_module *m) {
  cairn_module_info info;
  cairn_module_get_info(m, &info);
  printf("%s: %zu bytes", zPath, info.size);
  if (info.name) {
    printf(", module ");
    print_name(info.name, info.name_len);
  }
  if (info.uses_simd) printf(", uses SIMD");
  putchar('\n');

  uint32_t nSec = cairn_module_section_count(m);
  printf("sections (%" PRIu32 "):\n", nSec);
  for (uint32_t i = 0; i < nSec; i++) {
    cairn_section sec;
    if (!cairn_module_section(m, i, &sec)) break;
    printf("  %-10s offset 0x%06zx size %zu", section_name(sec.id), sec.offset, sec.size);
    if (sec.id == 0 && sec.name) {
      putchar(' ');
      print_name(sec.name, sec.name_len);
    }
    putchar('\n');
  }
  printf("types: %" PRIu32 "\n", info.ntypes);

  uint32_t nImp = cairn_module_import_count(m);
  printf("imports (%" PRIu32 "):\n", nImp);
  for (uint32_t i = 0; i < nImp; i++) {
    cairn_externtype t;
    memset(&t, 0, sizeof t);
    cairn_module_import(m, i, &t);
    printf("  %-6s ", kind_name(t.kind));
    print_name(t.module, t.module_len);
    putchar('.');
    print_name(t.name, t.name_len);
    putchar(' ');
    print_externtype(&t);
    putchar('\n');
  }
  uint32_t nExp = cairn_module_export_count(m);
  printf("exports (%" PRIu32 "):\n", nExp);
  for (uint32_t i = 0; i < nExp; i++) {
    cairn_externtype t;
    memset(&t, 0, sizeof t);
    cairn_module_export(m, i, &t);
    printf("  %-6s ", kind_name(t.kind));
    print_name(t.name, t.name_len);
    putchar(' ');
    print_externtype(&t);
    putchar('\n');
  }

  printf("functions: %" PRIu32 " (%" PRIu32 " imported)\n", info.nfuncs, info.nfunc_imports);
  for (uint32_t i = 0; i < info.nfuncs; i++) {
    cairn_functype ft;
    if (!cairn_module_func(m, i, &ft, NULL, NULL)) break;
    printf("  ");
    print_func(m, i);
    printf("%s ", i < info.nfunc_imports ? " (import)" : "");
    cli_print_functype(stdout, &ft);
    putchar('\n');
  }
  printf("tables: %" PRIu32 " (%" PRIu32 " imported)\n", info.ntables, info.ntable_imports);
  for (uint32_t i = 0; i < info.ntables; i++) {
    cairn_valtype et;
    cairn_limits lim;
    if (!cairn_module_table(m, i, &et, &lim)) break;
    printf("  table[%" PRIu32 "]%s %s ", i, i < info.ntable_imports ? " (import)" : "",
           cli_valtype_name(et));
    cli_print_limits(stdout, &lim);
    putchar('\n');
  }
  printf("memories: %" PRIu32 " (%" PRIu32 " imported)\n", info.nmemories, info.nmemory_imports);
  for (uint32_t i = 0; i < info.nmemories; i++) {
    cairn_limits lim;
    if (!cairn_module_memory(m, i, &lim)) break;
    printf("  memory[%" PRIu32 "]%s pages ", i, i < info.nmemory_imports ? " (import)" : "");
    cli_print_limits(stdout, &lim);
    putchar('\n');
  }
  printf("globals: %" PRIu32 " (%" PRIu32 " imported)\n", info.nglobals, info.nglobal_imports);
  for (uint32_t i = 0; i < info.nglobals; i++) {
    cairn_valtype t;
    bool mut;
    if (!cairn_module_global(m, i, &t, &mut)) break;
    printf("  global[%" PRIu32 "]%s %s%s\n", i, i < info.nglobal_imports ? " (import)" : "",
           mut ? "mut " : "", cli_valtype_name(t));
  }
  printf("element segments: %" PRIu32 "\n", info.nelems);
  printf("data segments: %" PRIu32 "\n", info.ndatas);
  if (info.has_start) {
    printf("start: ");
    print_func(m, info.start);
    putchar('\n');
  }
}

/* The function FUNC names: a decimal index, an export, or a name-section
** name (with or without a leading '$'). False if none. */
static bool find_func(const cairn_module *m, const char *z, uint32_t *pIdx) {
  size_t n = strlen(z);
  if (n > 0 && n <= 10 && strspn(z, "0123456789") == n) {
    unsigned long long v = strtoull(z, NULL, 10);
    if (v > UINT32_MAX) return false;
    *pIdx = (uint32_t)v;
    return true;
  }
  uint32_t nExp = cairn_module_export_count(m);
  for (uint32_t i = 0; i < nExp; i++) {
    cairn_externtype t;
    cairn_module_export(m, i, &t);
    if (t.kind == CAIRN_EXTERN_FUNC && t.name_len == n && memcmp(t.name, z, n) == 0) {
      *pIdx = t.index;
      return true;
    }
  }
  const char *zName = z[0] == '$' ? z + 1 : z;
  size_t nName = strlen(zName);
  cairn_module_info info;
  cairn_module_get_info(m, &info);
  for (uint32_t i = 0; i < info.nfuncs; i++) {
    const char *zF;
    size_t nF;
    if (cairn_module_func(m, i, NULL, &zF, &nF) && zF && nF == nName &&
        memcmp(zF, zName, nName) == 0) {
      *pIdx = i;
      return true;
    }
  }
  return false;
}

int cli_inspect(int argc, char **argv) {
  const char *zPath = NULL, *zFunc = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      usage(stdout);
      return 0;
    }
    if (strcmp(argv[i], "--code") == 0 && i + 1 < argc && !zFunc) {
      zFunc = argv[++i];
    } else if (argv[i][0] == '-' && argv[i][1]) {
      fprintf(stderr, "cairn inspect: unknown option %s\n", argv[i]);
      usage(stderr);
      return 2;
    } else if (zPath) {
      zPath = NULL;
      break;
    } else {
      zPath = argv[i];
    }
  }
  if (!zPath) {
    fprintf(stderr, "cairn inspect: expected exactly one MODULE\n");
    usage(stderr);
    return 2;
  }
  cairn_error err;
  memset(&err, 0, sizeof err);
  cairn_module *m = NULL;
  uint8_t *data;
  size_t n;
  if (cairn_read_file(zPath, &data, &n, &err)) {
    cairn_cwasm_info ci;
    if (!cairn_is_cwasm(data, n)) {
      m = (n >= 1 && data[0] == 0) ? cairn_module_new(data, n, &err)
                                   : cairn_module_from_text((const char *)data, n, &err);
    } else if (cairn_cwasm_info_get(data, n, &ci, &err)) {
      printf("%s: native code (.cwasm) for %s, ABI %u, options \"%s\"\n", zPath, ci.target,
             ci.abi, ci.options);
      printf("  module sha256 ");
      for (int i = 0; i < 32; i++) printf("%02x", ci.module_sha256[i]);
      printf(", %zu bytes of Wasm, %zu bytes of native code\n", ci.wasm_bytes, ci.code_bytes);
      m = cairn_module_new(ci.wasm, ci.wasm_bytes, &err);
    }
    cairn_free(data);
  }
  if (!m) {
    cli_print_load_error(stderr, zPath, &err);
    return 2;
  }
  int rc = 0;
  if (zFunc) {
    uint32_t idx;
    if (!find_func(m, zFunc, &idx)) {
      fprintf(stderr, "cairn inspect: %s: no function %s\n", zPath, zFunc);
      rc = 2;
    } else if (!cairn_module_disassemble(m, idx, stdout, &err)) {
      fprintf(stderr, "cairn inspect: %s: %s\n", zPath, err.msg);
      rc = 2;
    }
  } else {
    inspect(zPath, m);
  }
  cairn_module_free(m);
  return rc;
}
