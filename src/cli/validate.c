/*
** validate.c: `cairn validate MODULE...`: decodes and validates each module
** (binary, or text converted first) without compiling or running it.
** Prints "MODULE: valid" or the error with its position; exit 0 if all are
** valid, 1 otherwise, 2 on usage errors.
*/
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: cairn validate MODULE...\n"
          "Decodes and validates each module (binary .wasm, or text .wat) without\n"
          "running it. Prints 'MODULE: valid' or 'MODULE:LINE:COL: error: ...' (text)\n"
          "/ 'MODULE: offset 0xNN: error: ...' (binary). Exit status 0 if every module\n"
          "is valid, 1 otherwise.\n");
}

/* Binary if it starts with the magic, is named *.wasm, or holds a NUL byte
** early (so a binary with a broken magic is reported as such, not as text). */
static bool looks_binary(const char *zPath, const uint8_t *p, size_t n) {
  if (n >= 4 && memcmp(p, "\0asm", 4) == 0) return true;
  size_t k = strlen(zPath);
  if (k >= 5 && strcmp(zPath + k - 5, ".wasm") == 0) return true;
  return memchr(p, 0, n < 64 ? n : 64) != NULL;
}

/* Returns true if the module in zPath is valid; prints the verdict. */
static bool validate_file(const char *zPath) {
  cairn_error err;
  memset(&err, 0, sizeof err);
  uint8_t *p = NULL;
  size_t n = 0;
  if (!cairn_read_file(zPath, &p, &n, &err)) {
    cli_print_load_error(stdout, zPath, &err);
    return false;
  }
  bool ok;
  if (looks_binary(zPath, p, n)) {
    ok = cairn_module_validate(p, n, &err);
  } else {
    uint8_t *pBin = NULL;
    size_t nBin = 0;
    ok = cairn_wat_to_wasm((const char *)p, n, &pBin, &nBin, &err);
    if (ok) {
      memset(&err, 0, sizeof err);
      ok = cairn_module_validate(pBin, nBin, &err);
      if (!ok && err.offset >= 0) {
        /* the offset is in the converted binary: say so */
        size_t k = strlen(err.msg);
        snprintf(err.msg + k, sizeof err.msg - k, " (in the binary form)");
      }
    }
    cairn_free(pBin);
  }
  cairn_free(p);
  if (ok) {
    printf("%s: valid\n", zPath);
  } else {
    if (err.kind == CAIRN_OK) cli_error(&err, CAIRN_ERR_INVALID, "invalid module");
    cli_print_load_error(stdout, zPath, &err);
  }
  return ok;
}

int cli_validate(int argc, char **argv) {
  int i = 1;
  for (; i < argc; i++) {
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      usage(stdout);
      return 0;
    }
    if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    }
    if (argv[i][0] == '-' && argv[i][1]) {
      fprintf(stderr, "cairn validate: unknown option '%s'\n", argv[i]);
      usage(stderr);
      return 2;
    }
    break;
  }
  if (i >= argc) {
    fprintf(stderr, "cairn validate: no module given\n");
    usage(stderr);
    return 2;
  }
  int rc = 0;
  for (; i < argc; i++) {
    if (!validate_file(argv[i])) rc = 1;
    fflush(stdout);
  }
  return rc;
}
