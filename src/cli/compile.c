/*
** compile.c: `cairn compile` (a module to a .cwasm of native code), and
** cli_load_module, which every subcommand that runs modules uses to load
** a .wasm, .wat or .cwasm, through the native tier's cache with --aot.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: cairn compile [options] MODULE -o OUT.cwasm\n"
          "Compiles MODULE (binary .wasm or text .wat) to native code: it is\n"
          "validated, emitted as C, compiled by the system C compiler into a shared\n"
          "object and packed with the module into OUT.cwasm, which `cairn run`,\n"
          "`cairn serve` and the library load directly (no compiler needed then).\n"
          "The .cwasm records the module's SHA-256, the native code ABI, the target\n"
          "and these options; it is refused on another target or ABI, or if it was\n"
          "altered.\n"
          "\n"
          "TRUST: a .cwasm is native code. Loading one is as trusted as running a\n"
          "native binary: load only .cwasm files you built or whose origin you trust.\n"
          "\n"
          "options:\n"
          "  -o FILE                where to write the .cwasm (required)\n"
          "  --target TRIPLE        compile for another machine: x86_64-linux-gnu,\n"
          "                         aarch64-linux-gnu, riscv64-linux-gnu or\n"
          "                         arm-linux-gnueabihf (default: this one, %s)\n"
          "  --cc CC                the C compiler (default: gcc for this machine,\n"
          "                         TRIPLE-gcc for another, from Debian's\n"
          "                         gcc-TRIPLE packages)\n"
          "  -O0, -O1, -O2, -O3     optimisation level of the C compiler (default -O2)\n"
          "  --cpu generic|native   generic code for the target (default), or tuned for\n"
          "                         and limited to this machine's CPU (host target only)\n"
          "  --bounds-checks        check every memory access in code instead of relying\n"
          "                         on guard pages (always on for 32-bit targets)\n"
          "  --keep-c DIR           write the generated C (and compiler logs) into DIR\n"
          "                         and keep it\n"
          "  -j N, -jN              run up to N compiler processes (default: one per CPU)\n"
          "  -h, --help             show this help\n"
          "\n"
          "Exit status: 0 on success; 1 if the module does not validate or the C\n"
          "compiler fails (the generated C is kept and its folder named); 2 for a\n"
          "usage error or a missing compiler.\n",
          cairn_host_target());
}

/* Reads a .wasm or .wat file into binary Wasm bytes (free with cairn_free);
** *pText tells whether it was text. */
static bool read_wasm(const char *path, uint8_t **pp, size_t *pn, bool *pText, cairn_error *err) {
  uint8_t *data;
  size_t n;
  if (!cairn_read_file(path, &data, &n, err)) return false;
  *pText = !(n >= 1 && data[0] == 0);
  if (!*pText) {
    *pp = data;
    *pn = n;
    return true;
  }
  bool ok = cairn_wat_to_wasm((const char *)data, n, pp, pn, err);
  cairn_free(data);
  return ok;
}

cairn_module *cli_load_module(const char *path, bool aot, const cairn_compile_options *o,
                              cairn_error *err) {
  return aot ? cairn_module_compile_file_cached(path, o, NULL, NULL, err)
             : cairn_module_from_file_or_cwasm(path, err);
}

int cli_compile(int argc, char **argv) {
  cairn_compile_options o;
  cairn_compile_options_init(&o);
  const char *zIn = NULL, *zOut = NULL, *zCpu = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    bool takesValue = strcmp(a, "-o") == 0 || strcmp(a, "--target") == 0 ||
                      strcmp(a, "--cc") == 0 || strcmp(a, "--cpu") == 0 ||
                      strcmp(a, "--keep-c") == 0 || strcmp(a, "-j") == 0;
    if (takesValue && i + 1 >= argc) {
      fprintf(stderr, "cairn compile: %s needs a value (see cairn compile --help)\n", a);
      return 2;
    }
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage(stdout);
      return 0;
    } else if (strcmp(a, "-o") == 0) {
      zOut = argv[++i];
    } else if (strcmp(a, "--target") == 0) {
      o.target = argv[++i];
    } else if (strcmp(a, "--cc") == 0) {
      o.cc = argv[++i];
    } else if (strcmp(a, "--cpu") == 0) {
      zCpu = argv[++i];
      if (strcmp(zCpu, "native") != 0 && strcmp(zCpu, "generic") != 0) {
        fprintf(stderr, "cairn compile: --cpu is generic or native, not '%s'\n", zCpu);
        return 2;
      }
      o.cpu_native = strcmp(zCpu, "native") == 0;
    } else if (strcmp(a, "--keep-c") == 0) {
      o.keep_c_dir = argv[++i];
    } else if (strncmp(a, "-j", 2) == 0) {
      /* -j N or -jN, as make takes it */
      const char *zJ = a[2] ? a + 2 : argv[++i];
      char *end;
      errno = 0;
      long j = strtol(zJ, &end, 10);
      if (errno || *end || j < 1 || j > 64) {
        fprintf(stderr, "cairn compile: -j needs a number from 1 to 64\n");
        return 2;
      }
      o.jobs = (int)j;
    } else if (strcmp(a, "--bounds-checks") == 0) {
      o.bounds_checks = true;
    } else if (a[0] == '-' && a[1] == 'O' && a[2] >= '0' && a[2] <= '3' && !a[3]) {
      o.opt_level = a[2] - '0';
    } else if (strcmp(a, "--") == 0 && i + 1 < argc && !zIn) {
      zIn = argv[++i];
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "cairn compile: unknown option '%s' (see cairn compile --help)\n", a);
      return 2;
    } else if (!zIn) {
      zIn = a;
    } else {
      fprintf(stderr, "cairn compile: one module at a time ('%s' and '%s')\n", zIn, a);
      return 2;
    }
  }
  if (!zIn || !zOut) {
    fprintf(stderr, "cairn compile: %s\n", !zIn ? "no module given" : "no output given (-o)");
    usage(stderr);
    return 2;
  }
  cairn_error err;
  memset(&err, 0, sizeof err);
  uint8_t *wasm;
  size_t n;
  bool text;
  if (!read_wasm(zIn, &wasm, &n, &text, &err)) {
    cli_print_load_error(stderr, zIn, &err);
    return err.kind == CAIRN_ERR_IO ? 2 : 1;
  }
  uint8_t *cw = NULL;
  size_t nCw = 0;
  bool ok = cairn_compile(wasm, n, &o, &cw, &nCw, &err);
  cairn_free(wasm);
  if (!ok) {
    if (text && err.offset >= 0 && (err.kind == CAIRN_ERR_INVALID || err.kind == CAIRN_ERR_MALFORMED)) {
      /* as cairn validate says: the offset is in the converted binary */
      size_t k = strlen(err.msg);
      snprintf(err.msg + k, sizeof err.msg - k, " (in the binary form)");
    }
    cli_print_load_error(stderr, zIn, &err);
    /* a missing compiler or a bad option is a usage problem; a module that
    ** does not validate or a compiler that fails is the input's */
    return err.kind == CAIRN_ERR_ARG || strstr(err.msg, "not found: install") ? 2 : 1;
  }
  FILE *f = fopen(zOut, "wb");
  bool wrote = f && fwrite(cw, 1, nCw, f) == nCw;
  if (f && fclose(f) != 0) wrote = false;
  cairn_free(cw);
  if (!wrote) {
    fprintf(stderr, "cairn compile: cannot write %s: %s\n", zOut, strerror(errno));
    remove(zOut);
    return 2;
  }
  return 0;
}
