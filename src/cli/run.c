/*
** run.c: `cairn run [options] MODULE [--invoke NAME [ARGS...]]`: loads a
** module (.wasm or .wat), instantiates it (imports from `spectest` allowed),
** and calls an export with arguments parsed by its parameter types, printing
** each result as VALUE:TYPE. Without --invoke, calls `_start` if exported.
** Exit status: 0 ok, 1 trap, 2 usage, load or link error; a WASI exit code
** is passed through.
*/
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: cairn run [options] MODULE [--invoke NAME [ARGS...]]\n"
          "Loads MODULE (binary .wasm, or text .wat), instantiates it and runs it.\n"
          "\n"
          "options:\n"
          "  --invoke NAME          call the exported function NAME with ARGS (all\n"
          "                         remaining arguments) and print each result as\n"
          "                         VALUE:TYPE, one per line. Arguments follow the\n"
          "                         parameter types: integers in decimal or 0x hex\n"
          "                         (negative allowed), floats in C syntax (1.5, -2e3,\n"
          "                         0x1p-3, nan, inf), references as null or (externref)\n"
          "                         a number. Without --invoke, `_start` is called if\n"
          "                         the module exports it.\n"
          "  --fuel N               stop with a trap after about N instructions\n"
          "  --max-memory PAGES     cap every linear memory at PAGES 64 KiB pages\n"
          "  --max-table N          cap every table at N elements\n"
          "  --max-call-depth N     Wasm call depth before \"call stack exhausted\"\n"
          "  -v, --verbose          let spectest.print* imports write to stdout\n"
          "  -h, --help             show this help\n"
          "\n"
          "Imports may only come from the built-in `spectest` module for now (WASI\n"
          "support comes later). Exit status: 0 success, 1 trap, 2 usage, load or\n"
          "link error; a WASI proc_exit code is returned as is.\n");
}

static bool parse_u64(const char *z, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(z, &end, 0);
  if (errno || end == z || *end || z[0] == '-') return false;
  *out = v;
  return true;
}

/* Integers: optional sign, decimal or 0x hex (no octal: "010" is ten). */
static bool parse_int(const char *z, int bits, uint64_t *out) {
  bool neg = false;
  const char *p = z;
  if (*p == '-' || *p == '+') neg = *p++ == '-';
  int base = 10;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    base = 16;
    p += 2;
  }
  if (!*p || *p == '-' || *p == '+' || *p == ' ') return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(p, &end, base);
  if (errno || *end) return false;
  uint64_t lim = bits == 32 ? 0xffffffffull : ~0ull;
  if (neg) {
    uint64_t negLim = bits == 32 ? 0x80000000ull : 0x8000000000000000ull;
    if (v > negLim) return false;
    v = (unsigned long long)(-(uint64_t)v);
  } else if (v > lim) {
    return false;
  }
  *out = bits == 32 ? (uint32_t)v : v;
  return true;
}

static bool parse_arg(const char *z, cairn_valtype t, cairn_val *v) {
  memset(v, 0, sizeof *v);
  v->type = t;
  char *end;
  uint64_t u;
  switch (t) {
    case CAIRN_I32:
      if (!parse_int(z, 32, &u)) return false;
      v->of.i32 = (int32_t)(uint32_t)u;
      return true;
    case CAIRN_I64:
      if (!parse_int(z, 64, &u)) return false;
      v->of.i64 = (int64_t)u;
      return true;
    case CAIRN_F32: {
      errno = 0;
      float f = strtof(z, &end);
      if (end == z || *end) return false;
      memcpy(&v->of.f32_bits, &f, 4);
      return true;
    }
    case CAIRN_F64: {
      errno = 0;
      double d = strtod(z, &end);
      if (end == z || *end) return false;
      memcpy(&v->of.f64_bits, &d, 8);
      return true;
    }
    case CAIRN_FUNCREF:
      return strcmp(z, "null") == 0;
    case CAIRN_EXTERNREF:
      if (strcmp(z, "null") == 0) return true;
      if (!parse_u64(z, &u) || u == UINT64_MAX) return false;
      v->of.ext = (void *)(uintptr_t)(u + 1);
      return true;
    case CAIRN_V128:
      return false;
  }
  return false;
}

/* Reports a failed call; returns the exit status. */
static int report_call_error(const char *zName, const cairn_error *err) {
  if (err->kind == CAIRN_ERR_TRAP && err->trap == CAIRN_TRAP_EXIT) return err->exit_code;
  if (err->kind == CAIRN_ERR_TRAP || err->kind == CAIRN_ERR_EXHAUSTION) {
    fprintf(stderr, "error: %s\n", err->msg[0] ? err->msg : cairn_trap_message(err->trap));
    cli_print_backtrace(stderr, err);
    return 1;
  }
  fprintf(stderr, "error: calling %s: %s\n", zName, err->msg);
  return 2;
}

static int invoke(cairn_instance *inst, const char *zName, int nArg, char **azArg) {
  cairn_extern ex;
  if (!cairn_instance_export(inst, zName, strlen(zName), &ex)) {
    fprintf(stderr, "error: the module exports no \"%s\"\n", zName);
    return 2;
  }
  if (ex.kind != CAIRN_EXTERN_FUNC) {
    fprintf(stderr, "error: export \"%s\" is not a function\n", zName);
    return 2;
  }
  const cairn_functype *ft = cairn_func_type(ex.of.func);
  if ((uint32_t)nArg != ft->nparams) {
    fprintf(stderr, "error: %s has type ", zName);
    cli_print_functype(stderr, ft);
    fprintf(stderr, ": %" PRIu32 " argument%s expected, %d given\n", ft->nparams,
            ft->nparams == 1 ? "" : "s", nArg);
    return 2;
  }
  cairn_val *aArg = calloc(ft->nparams + 1, sizeof *aArg);
  cairn_val *aRes = calloc(ft->nresults + 1, sizeof *aRes);
  if (!aArg || !aRes) {
    free(aArg);
    free(aRes);
    fprintf(stderr, "error: out of memory\n");
    return 2;
  }
  for (uint32_t i = 0; i < ft->nparams; i++) {
    if (!parse_arg(azArg[i], ft->params[i], &aArg[i])) {
      fprintf(stderr, "error: argument %" PRIu32 " '%s' is not a valid %s\n", i + 1, azArg[i],
              cli_valtype_name(ft->params[i]));
      free(aArg);
      free(aRes);
      return 2;
    }
  }
  for (uint32_t i = 0; i < ft->nresults; i++) aRes[i].type = ft->results[i];
  cairn_error err;
  memset(&err, 0, sizeof err);
  int rc = 0;
  if (cairn_func_call(ex.of.func, aArg, ft->nparams, aRes, ft->nresults, &err)) {
    for (uint32_t i = 0; i < ft->nresults; i++) {
      cli_print_val(stdout, &aRes[i]);
      printf(":%s\n", cli_valtype_name(aRes[i].type));
    }
  } else {
    rc = report_call_error(zName, &err);
  }
  free(aArg);
  free(aRes);
  return rc;
}

int cli_run(int argc, char **argv) {
  const char *zModule = NULL, *zInvoke = NULL;
  int iArgs = argc;
  bool verbose = false;
  cairn_store_config cfg;
  memset(&cfg, 0, sizeof cfg);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    uint64_t u;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage(stdout);
      return 0;
    } else if (strcmp(a, "--invoke") == 0) {
      if (i + 1 >= argc) {
        fprintf(stderr, "cairn run: --invoke needs a function name\n");
        return 2;
      }
      zInvoke = argv[++i];
      iArgs = i + 1;
      break;
    } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
      verbose = true;
    } else if (strcmp(a, "--fuel") == 0 || strcmp(a, "--max-memory") == 0 ||
               strcmp(a, "--max-table") == 0 || strcmp(a, "--max-call-depth") == 0) {
      if (i + 1 >= argc || !parse_u64(argv[i + 1], &u)) {
        fprintf(stderr, "cairn run: %s needs a non-negative number\n", a);
        return 2;
      }
      i++;
      if (strcmp(a, "--fuel") == 0) cfg.fuel = u;
      if (strcmp(a, "--max-memory") == 0) cfg.max_memory_pages = u;
      if (strcmp(a, "--max-table") == 0) cfg.max_table_elems = u;
      if (strcmp(a, "--max-call-depth") == 0) {
        if (u > UINT32_MAX) u = UINT32_MAX;
        cfg.max_call_depth = (uint32_t)u;
      }
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "cairn run: unknown option '%s' (see cairn run --help)\n", a);
      return 2;
    } else if (!zModule) {
      zModule = a;
    } else {
      fprintf(stderr, "cairn run: unexpected argument '%s' (arguments go after --invoke NAME)\n",
              a);
      return 2;
    }
  }
  if (!zModule) {
    fprintf(stderr, "cairn run: no module given%s\n",
            zInvoke ? " (MODULE comes before --invoke)" : "");
    usage(stderr);
    return 2;
  }

  cairn_error err;
  memset(&err, 0, sizeof err);
  cairn_module *m = cairn_module_from_file(zModule, &err);
  if (!m) {
    cli_print_load_error(stderr, zModule, &err);
    return 2;
  }
  cairn_store *s = cairn_store_new(&cfg);
  if (!s) {
    fprintf(stderr, "error: cannot create a store\n");
    cairn_module_free(m);
    return 2;
  }
  CliLinker l;
  cli_linker_init(&l, s, verbose);
  int rc = 0;
  memset(&err, 0, sizeof err);
  cairn_instance *inst = cli_linker_instantiate(&l, m, &err);
  if (!inst) {
    if (err.kind == CAIRN_ERR_TRAP || err.kind == CAIRN_ERR_EXHAUSTION) {
      rc = report_call_error("the start function", &err);
    } else {
      fprintf(stderr, "%s: error: %s\n", zModule, err.msg);
      rc = 2;
    }
  } else if (zInvoke) {
    rc = invoke(inst, zInvoke, argc - iArgs, argv + iArgs);
  } else {
    cairn_extern ex;
    if (cairn_instance_export(inst, "_start", 6, &ex) && ex.kind == CAIRN_EXTERN_FUNC) {
      rc = invoke(inst, "_start", 0, NULL);
    }
  }
  fflush(stdout);
  cli_linker_free(&l);
  cairn_store_free(s);
  cairn_module_free(m);
  return rc;
}
