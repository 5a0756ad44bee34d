/*
** emit_check.c: the native tier's emitter against a C compiler, without
** the runtime. For every module of the given .wast scripts (or .wasm/.wat
** files) that decodes and validates, it emits C (aot_emit), writes the units
** and cairn_aot.h to a temporary folder, compiles them as `cairn compile`
** does (freestanding shared object, -Wall -Werror, -z defs so that any
** undefined symbol fails the link) and checks with readelf that the object
** has no dynamic relocation but RELATIVE ones. Prints a line per failure
** and the totals; exit 1 if any module failed.
**
**   emit_check [--units N] [--checked] [--emit-only] [--cc CC] [-O0..3] [--cflags "..."]
**              [--keep DIR | --keep-all DIR] [--header PATH] FILE...
**
** --emit-only times the emission and compiles nothing.
** --keep keeps the C of a failed module in DIR, --keep-all the last one's.
**
** The header defaults to the source tree's (CAIRN_AOT_HEADER_PATH).
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cairn/wast.h"
#include "engine/aot/aot.h"
#include "engine/text/text.h"

#ifndef CAIRN_AOT_HEADER_PATH
#define CAIRN_AOT_HEADER_PATH "src/engine/aot/cairn_aot.h"
#endif

static struct {
  uint32_t nUnits;
  bool checked, keepAll, emitOnly;
  const char *zCC, *zOpt, *zCflags, *zKeep, *zHeader;
  char zTmp[256];
  int nOk, nFail, nSkip;
} g = {1, false, false, false, "gcc", "-O1", "", NULL, CAIRN_AOT_HEADER_PATH, "", 0, 0, 0};

static bool write_file(const char *zPath, const void *p, size_t n) {
  FILE *f = fopen(zPath, "wb");
  if (!f) return false;
  bool ok = fwrite(p, 1, n, f) == n;
  return fclose(f) == 0 && ok;
}

static int run(const char *zCmd) {
  int rc = system(zCmd);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 255;
}

/* Emits, compiles and checks one module; zWhat names it in messages. */
static void check_module(const uint8_t *p, size_t n, const char *zWhat) {
  cairn_error err;
  cairn_module *cm = cairn_module_new(p, n, &err);
  if (!cm) {
    g.nSkip++;
    return;
  }
  const Module *m = (const Module *)cm;
  AotEmitOpts o = {.checked = g.checked, .nUnits = g.nUnits};
  Buf *aUnit = calloc(g.nUnits, sizeof *aUnit);
  for (uint32_t u = 0; u < g.nUnits; u++) buf_init(&aUnit[u]);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  bool ok = aot_emit(m, &o, aUnit, &err);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (!ok) {
    printf("FAIL %s: aot_emit: %s\n", zWhat, err.msg);
  } else if (g.emitOnly) {
    size_t nC = 0;
    for (uint32_t u = 0; u < g.nUnits; u++) nC += aUnit[u].n;
    printf("%s: %zu bytes of Wasm -> %zu bytes of C in %u units, %.3f s\n", zWhat, n, nC,
           g.nUnits, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    for (uint32_t u = 0; u < g.nUnits && g.zKeep; u++) {
      char zPath[600];
      mkdir(g.zKeep, 0755);
      snprintf(zPath, sizeof zPath, "%s/u%u.c", g.zKeep, u);
      write_file(zPath, aUnit[u].aData, aUnit[u].n);
    }
  } else {
    char zCmd[4096], zPath[512];
    int k = snprintf(zCmd, sizeof zCmd,
                     "cd %s && %s %s -fPIC -shared -nostdlib -fvisibility=hidden "
                     "-ffp-contract=off -fno-fast-math -Wall -Werror %s "
                     "-Wl,-e,cairn_aot_get -Wl,-z,now -Wl,-z,defs -o m.so",
                     g.zTmp, g.zCC, g.zOpt, g.zCflags);
    for (uint32_t u = 0; u < g.nUnits && ok; u++) {
      snprintf(zPath, sizeof zPath, "%s/u%u.c", g.zTmp, u);
      ok = write_file(zPath, aUnit[u].aData, aUnit[u].n);
      k += snprintf(zCmd + k, sizeof zCmd - (size_t)k, " u%u.c", u);
    }
    snprintf(zCmd + k, sizeof zCmd - (size_t)k, " -lgcc 2>cc.log >&2");
    if (!ok) {
      printf("FAIL %s: cannot write the units\n", zWhat);
    } else if (run(zCmd) != 0) {
      ok = false;
      printf("FAIL %s: the C compiler failed:\n", zWhat);
      snprintf(zCmd, sizeof zCmd, "head -c 3000 %s/cc.log", g.zTmp);
      fflush(stdout);
      run(zCmd);
    } else {
      /* dynamic relocations other than RELATIVE, or any undefined symbol */
      snprintf(zCmd, sizeof zCmd,
               "cd %s && readelf -rW m.so | grep -E '^[0-9a-f]+ ' | grep -v _RELATIVE; "
               "readelf --dyn-syms -W m.so | awk '$7 == \"UND\" && $8 != \"\"'",
               g.zTmp);
      char zOut[1024];
      FILE *f = popen(zCmd, "r");
      size_t nOut = f ? fread(zOut, 1, sizeof zOut - 1, f) : 0;
      if (f) pclose(f);
      zOut[nOut] = 0;
      if (nOut) {
        ok = false;
        printf("FAIL %s: relocations or undefined symbols:\n%s", zWhat, zOut);
      }
    }
    if ((!ok || g.keepAll) && g.zKeep) {
      snprintf(zCmd, sizeof zCmd, "mkdir -p %s && cp %s/u*.c %s/ && cp %s/cairn_aot.h %s/",
               g.zKeep, g.zTmp, g.zKeep, g.zTmp, g.zKeep);
      run(zCmd);
    }
  }
  if (ok) g.nOk++;
  else g.nFail++;
  for (uint32_t u = 0; u < g.nUnits; u++) buf_free(&aUnit[u]);
  free(aUnit);
  cairn_module_free(cm);
}

static void check_script(const char *zFile, const char *src, size_t len) {
  cairn_wast_script s;
  cairn_error err;
  if (!cairn_wast_parse(src, len, &s, &err)) {
    printf("FAIL %s: %s\n", zFile, err.msg);
    g.nFail++;
    return;
  }
  for (uint32_t i = 0; i < s.nCmd; i++) {
    cairn_wast_cmd *c = &s.aCmd[i];
    if (!c->hasMod || c->kind == CAIRN_WAST_ASSERT_MALFORMED ||
        c->kind == CAIRN_WAST_ASSERT_INVALID)
      continue;
    char zWhat[600];
    snprintf(zWhat, sizeof zWhat, "%s:%d", zFile, c->line);
    if (c->mod.form == CAIRN_WMOD_BINARY) {
      check_module(c->mod.aBytes, c->mod.nBytes, zWhat);
    } else {
      Buf b;
      buf_init(&b);
      if (text_parse_module(c->mod.src, c->mod.n, &b, &err))
        check_module(b.aData, b.n, zWhat);
      else
        g.nSkip++;
      buf_free(&b);
    }
  }
  cairn_wast_free(&s);
}

int main(int argc, char **argv) {
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (!strcmp(argv[i], "--units") && i + 1 < argc) g.nUnits = (uint32_t)atoi(argv[++i]);
    else if (!strcmp(argv[i], "--checked")) g.checked = true;
    else if (!strcmp(argv[i], "--emit-only")) g.emitOnly = true;
    else if (!strcmp(argv[i], "--cc") && i + 1 < argc) g.zCC = argv[++i];
    else if (!strcmp(argv[i], "--cflags") && i + 1 < argc) g.zCflags = argv[++i];
    else if (!strcmp(argv[i], "--keep") && i + 1 < argc) g.zKeep = argv[++i];
    else if (!strcmp(argv[i], "--keep-all") && i + 1 < argc) g.zKeep = argv[++i], g.keepAll = true;
    else if (!strcmp(argv[i], "--header") && i + 1 < argc) g.zHeader = argv[++i];
    else if (argv[i][1] == 'O') g.zOpt = argv[i];
    else {
      fprintf(stderr, "emit_check: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (g.nUnits < 1) g.nUnits = 1;
  snprintf(g.zTmp, sizeof g.zTmp, "/tmp/emit_check.XXXXXX");
  if (!mkdtemp(g.zTmp)) {
    perror("mkdtemp");
    return 2;
  }
  char zCmd[1024];
  snprintf(zCmd, sizeof zCmd, "cp '%s' %s/cairn_aot.h", g.zHeader, g.zTmp);
  if (run(zCmd) != 0) return 2;
  for (; i < argc; i++) {
    uint8_t *p;
    size_t n;
    cairn_error err;
    if (!base_read_file(argv[i], &p, &n, &err)) {
      printf("FAIL %s: %s\n", argv[i], err.msg);
      g.nFail++;
      continue;
    }
    size_t l = strlen(argv[i]);
    if (n >= 4 && !memcmp(p, "\0asm", 4)) {
      check_module(p, n, argv[i]);
    } else if (l > 4 && !strcmp(argv[i] + l - 4, ".wat")) {
      Buf b;
      buf_init(&b);
      if (text_parse_module((const char *)p, n, &b, &err)) check_module(b.aData, b.n, argv[i]);
      else printf("FAIL %s: %s\n", argv[i], err.msg), g.nFail++;
      buf_free(&b);
    } else {
      check_script(argv[i], (const char *)p, n);
    }
    base_free(p);
  }
  snprintf(zCmd, sizeof zCmd, "rm -rf %s", g.zTmp);
  run(zCmd);
  printf("emit_check: %d modules compiled and checked, %d failed, %d not valid (skipped)\n",
         g.nOk, g.nFail, g.nSkip);
  return g.nFail ? 1 : 0;
}
