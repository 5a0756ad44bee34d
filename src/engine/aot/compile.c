/*
** compile.c: the compile driver - module -> C (emit*.c) -> the system C
** compiler -> a freestanding shared object -> a .cwasm (cwasm.c).
**
** The C goes into a work folder with the ABI header (cairn_aot.h, embedded
** in the library at build time), one file per translation unit. Units are
** compiled by up to `jobs` compiler processes at once, then linked with
** -nostdlib (libgcc inside, entry point cairn_aot_get, code and data on
** separate pages) so that elf.c can load the result without a dynamic
** linker. A failed compiler keeps the folder and names it.
*/
#define _GNU_SOURCE 1 /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/sha256.h"
#include "engine/aot/aot.h"
#include "engine/aot/aot_module.h"
#include "aot_gen_rev.h" /* CAIRN_AOT_GEN_REV, generated at build time */

extern char **environ;

static const char aot_header_text[] = {
#include "cairn_aot_h.inc"
    0};

void aot_sha256(const uint8_t *p, size_t n, uint8_t out[32]) { base_sha256(p, n, out); }

/* The targets the native tier knows: triple, 32-bit (explicit bounds
** checks), backtraces from the frame chain (cairn_aot.h's
** CAIRN_AOT_FRAME_CHAIN, which must agree), the Debian package of its GCC,
** and whether GCC aligns loop heads so that a loop's first 48 bytes lie in
** one 64-byte block (code_align_flags). */
typedef struct AotTarget {
  const char *zTriple;
  bool is32;
  bool frameChain;
  const char *zPackage;
  bool alignLoops;
} AotTarget;

static const AotTarget aTarget[] = {
    {"x86_64-linux-gnu", false, true, "gcc-x86-64-linux-gnu", true},
    {"aarch64-linux-gnu", false, true, "gcc-aarch64-linux-gnu", false},
    {"riscv64-linux-gnu", false, false, "gcc-riscv64-linux-gnu", false},
    {"arm-linux-gnueabihf", true, false, "gcc-arm-linux-gnueabihf", false},
};

void cairn_compile_options_init(cairn_compile_options *o) {
  memset(o, 0, sizeof *o);
  o->opt_level = 2;
}

/* ---- files and processes ---- */

static bool write_file(const char *path, const void *p, size_t n, cairn_error *err) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    base_error(err, CAIRN_ERR_IO, -1, "cannot write %s: %s", path, strerror(errno));
    return false;
  }
  const uint8_t *q = p;
  while (n) {
    ssize_t w = write(fd, q, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      base_error(err, CAIRN_ERR_IO, -1, "cannot write %s: %s", path,
                 w < 0 ? strerror(errno) : "short write");
      close(fd);
      return false;
    }
    q += w;
    n -= (size_t)w;
  }
  if (close(fd) != 0) {
    base_error(err, CAIRN_ERR_IO, -1, "cannot write %s: %s", path, strerror(errno));
    return false;
  }
  return true;
}

/* True if prog names an executable (a path, or a name found on PATH). */
static bool have_program(const char *prog) {
  if (strchr(prog, '/')) return access(prog, X_OK) == 0;
  const char *path = getenv("PATH");
  if (!path) path = "/usr/local/bin:/usr/bin:/bin";
  char buf[4096];
  for (const char *p = path; *p;) {
    const char *e = strchr(p, ':');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (snprintf(buf, sizeof buf, "%.*s/%s", (int)n, p, prog) < (int)sizeof buf &&
        access(buf, X_OK) == 0)
      return true;
    if (!e) break;
    p = e + 1;
  }
  return false;
}

/* Starts argv with stdout and stderr to logPath. Returns the pid or -1. */
static pid_t spawn_logged(char *const argv[], const char *logPath) {
  posix_spawn_file_actions_t fa;
  if (posix_spawn_file_actions_init(&fa) != 0) return -1;
  posix_spawn_file_actions_addopen(&fa, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

static int wait_exit(pid_t pid) {
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* The first line of a compiler log, for the error message. */
static void log_first_line(const char *logPath, char *out, size_t n) {
  out[0] = 0;
  FILE *f = fopen(logPath, "r");
  if (!f) return;
  char line[512];
  while (fgets(line, sizeof line, f)) {
    bool isErr = strstr(line, "error") || strstr(line, "Error") || strstr(line, "undefined");
    if (isErr || !out[0]) {
      size_t k = strcspn(line, "\n");
      if (k >= n) k = n - 1;
      memcpy(out, line, k);
      out[k] = 0;
    }
    if (isErr) break;
  }
  fclose(f);
}

/* ---- the driver ---- */

typedef struct Driver {
  const cairn_compile_options *o;
  const AotTarget *target;
  bool checked;              /* explicit bounds checks in the code */
  const char *cc;
  char zDir[4000];
  bool keep;                 /* keep the folder (asked for, or a failure) */
  bool clang;                /* the C compiler is Clang (its flags differ) */
  uint32_t nUnit;
  char zOpt[8];
} Driver;

/* Inlining of Wasm functions into each other with the frame chain: the
** inlined ones are recovered for backtraces from minimal debug information
** (dwarf.c), so the compiler must emit it, must not split a function into
** pieces whose frames would look like another call (partial inlining), and
** must not merge identical code of two inlined instances (two traps of one
** kind), which would run one instance's code for the other's. Appends to
** argv from k; returns the new k. */
static int inline_flags(const Driver *d, char **argv, int k) {
  if (!d->target->frameChain) return k;
  argv[k++] = "-DCAIRN_AOT_INLINE=1";
  if (d->clang) {
    argv[k++] = "-gline-tables-only";
    argv[k++] = "-mllvm";
    argv[k++] = "-enable-tail-merge=false";
  } else {
    argv[k++] = "-g1";
    argv[k++] = "-fno-partial-inlining";
    argv[k++] = "-fno-crossjumping";
    argv[k++] = "-fno-tree-tail-merge";
    argv[k++] = "--param=max-inline-insns-auto=60";
  }
  return k;
}

/* Loop placement (x86-64, GCC): a small loop whose body straddles a 64-byte
** boundary ran up to a third slower on the machine of docs/benchmarks.md
** ("Loop alignment": matmul's vectorized inner loop of 37 bytes, 0.65 - 0.69
** of native where an unrelated shift of the code made it straddle, 0.87 -
** 1.02 where it did not). GCC's own loop alignment (16 or 8 bytes) places
** such a loop by chance, as in native code. `-falign-loops=64:48` pads a
** loop head to a 64-byte boundary only when the loop's first 48 bytes would
** otherwise cross one: at most 47 bytes of padding, none where the loop fits
** already. Clang takes no `n:m` form: unchanged. */
static int code_align_flags(const Driver *d, char **argv, int k) {
  if (!d->target->alignLoops || d->clang || d->o->opt_level < 2) return k;
  argv[k++] = "-falign-loops=64:48";
  return k;
}

/* argv for compiling unit u (buffers from the caller). */
static void cc_argv(const Driver *d, uint32_t u, char *src, char *obj, size_t n, char **argv) {
  snprintf(src, n, "%s/unit%u.c", d->zDir, u);
  snprintf(obj, n, "%s/unit%u.o", d->zDir, u);
  int k = 0;
  argv[k++] = (char *)d->cc;
  argv[k++] = (char *)d->zOpt;
  argv[k++] = "-std=gnu11";
  argv[k++] = "-fPIC";
  argv[k++] = "-fvisibility=hidden";
  /* Wasm rounds every float operation: no FMA contraction */
  argv[k++] = "-ffp-contract=off";
  /* x * 1.0, x - 0.0, (float)(double)x must quiet a signalling NaN: no folding */
  argv[k++] = "-fsignaling-nans";
  /* sqrt without the errno path (there is no errno) */
  argv[k++] = "-fno-math-errno";
  argv[k++] = "-fno-stack-protector";
  argv[k++] = "-fno-asynchronous-unwind-tables";
  argv[k++] = "-fno-unwind-tables";
  argv[k++] = "-fno-plt";
  argv[k++] = "-fno-common";
  argv[k++] = "-w";
  if (d->target->frameChain) {
    /* every active Wasm function keeps a frame record from its first
    ** instruction on, and every call stays a call (cairn_aot.h, backtraces):
    ** GCC would otherwise set up the frame after a fast path that may
    ** fault, and fold identical functions into one */
    argv[k++] = "-fno-omit-frame-pointer";
    argv[k++] = "-mno-omit-leaf-frame-pointer";
    argv[k++] = "-fno-optimize-sibling-calls";
    if (d->clang) {
      argv[k++] = "-mllvm";
      argv[k++] = "-enable-shrink-wrap=false";
    } else {
      argv[k++] = "-fno-shrink-wrap";
      argv[k++] = "-fno-ipa-icf";
    }
  }
  k = inline_flags(d, argv, k);
  /* GCC's -O2 cost model never versions a loop for possible aliasing, and
  ** every access of a loop's fast copy (emit_loop.c) goes through the one
  ** memory base: without a runtime alias check nothing vectorizes. Clang
  ** checks aliasing at run time by default. */
  if (!d->clang && d->o->opt_level >= 2) argv[k++] = "-fvect-cost-model=dynamic";
  k = code_align_flags(d, argv, k);
  if (d->o->cpu_native) argv[k++] = "-march=native";
  argv[k++] = "-c";
  argv[k++] = src;
  argv[k++] = "-o";
  argv[k++] = obj;
  argv[k] = NULL;
}

/* Sets d->clang: whether the compiler defines __clang__ (a compiler that
** cannot be run is reported by compile_units). */
static void probe_compiler(Driver *d) {
  char log[4200];
  snprintf(log, sizeof log, "%s/probe.log", d->zDir);
  char *argv[] = {(char *)d->cc, "-dM", "-E", "-x", "c", "/dev/null", NULL};
  pid_t pid = spawn_logged(argv, log);
  uint8_t *p;
  size_t n;
  cairn_error err;
  if (pid >= 0 && wait_exit(pid) == 0 && base_read_file(log, &p, &n, &err)) {
    d->clang = memmem(p, n, "#define __clang__ ", 18) != NULL;
    base_free(p);
  }
  unlink(log);
}

static bool compile_units(Driver *d, cairn_error *err) {
  int jobs = d->o->jobs > 0 ? d->o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (jobs < 1) jobs = 1;
  if (jobs > 64) jobs = 64;
  pid_t aPid[64];
  uint32_t aUnit[64];
  int nRun = 0;
  uint32_t next = 0;
  bool ok = true;
  char failLog[4200] = "";
  int failCode = 0;
  uint32_t failUnit = 0;
  while ((ok && next < d->nUnit) || nRun > 0) {
    if (ok && next < d->nUnit && nRun < jobs) {
      char src[4200], obj[4200], log[4200];
      char *argv[48];
      cc_argv(d, next, src, obj, sizeof src, argv);
      snprintf(log, sizeof log, "%s/unit%u.log", d->zDir, next);
      pid_t pid = spawn_logged(argv, log);
      if (pid < 0) {
        base_error(err, CAIRN_ERR_IO, -1, "cannot start the C compiler %s: %s", d->cc,
                   strerror(errno));
        ok = false;
        failCode = -1;
        continue;
      }
      aPid[nRun] = pid;
      aUnit[nRun++] = next++;
      continue;
    }
    /* wait for the oldest */
    int rc = wait_exit(aPid[0]);
    uint32_t u = aUnit[0];
    memmove(aPid, aPid + 1, (size_t)(nRun - 1) * sizeof *aPid);
    memmove(aUnit, aUnit + 1, (size_t)(nRun - 1) * sizeof *aUnit);
    nRun--;
    if (rc != 0 && ok) {
      ok = false;
      failCode = rc;
      failUnit = u;
      snprintf(failLog, sizeof failLog, "%s/unit%u.log", d->zDir, u);
    }
  }
  if (!ok && failCode != -1) {
    char line[200];
    log_first_line(failLog, line, sizeof line);
    base_error(err, CAIRN_ERR_IO, -1,
               "the C compiler (%s) failed on unit%u.c (exit %d): %s; the generated C is kept "
               "in %s",
               d->cc, failUnit, failCode, line, d->zDir);
    d->keep = true;
  }
  return ok;
}

/* Links the units into zName in the work folder; without the debug
** information if strip. */
static bool link_object(Driver *d, const char *zName, bool strip, cairn_error *err) {
  char *argv[64 + 16];
  int k = 0;
  argv[k++] = (char *)d->cc;
  argv[k++] = "-shared";
  argv[k++] = "-nostdlib";
  argv[k++] = "-Wl,-e,cairn_aot_get";
  argv[k++] = "-Wl,-z,now";
  argv[k++] = "-Wl,-z,noexecstack";
  argv[k++] = "-Wl,-z,separate-code";
  argv[k++] = "-Wl,--build-id=none";
  argv[k++] = "-Wl,--hash-style=gnu";
  argv[k++] = "-Wl,--no-undefined";
  if (strip) argv[k++] = "-Wl,--strip-debug";
  char out[4200], log[4200];
  snprintf(out, sizeof out, "%s/%s", d->zDir, zName);
  snprintf(log, sizeof log, "%s/link.log", d->zDir);
  char *objs = base_malloc((size_t)d->nUnit * 4200);
  if (!objs) {
    base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory linking native code");
    return false;
  }
  for (uint32_t u = 0; u < d->nUnit; u++) {
    snprintf(objs + (size_t)u * 4200, 4200, "%s/unit%u.o", d->zDir, u);
    argv[k++] = objs + (size_t)u * 4200;
  }
  argv[k++] = "-lgcc";
  argv[k++] = "-o";
  argv[k++] = out;
  argv[k] = NULL;
  pid_t pid = spawn_logged(argv, log);
  int rc = pid < 0 ? -1 : wait_exit(pid);
  base_free(objs);
  if (rc != 0) {
    char line[200];
    log_first_line(log, line, sizeof line);
    base_error(err, CAIRN_ERR_IO, -1,
               "linking the native code failed (%s, exit %d): %s; the generated C is kept in %s",
               d->cc, rc, line, d->zDir);
    d->keep = true;
    return false;
  }
  return true;
}

/* The inline table (inlines.c) of the object linked with debug information. */
static bool inline_table(Driver *d, Buf *out, cairn_error *err) {
  char p[4200];
  snprintf(p, sizeof p, "%s/code-debug.so", d->zDir);
  uint8_t *obj;
  size_t n;
  if (!base_read_file(p, &obj, &n, err)) return false;
  AotInlineList l;
  bool ok = aot_dwarf_inlines(obj, n, &l, err) && aot_inlines_pack(&l, out, err);
  base_free(l.a);
  base_free(obj);
  if (!ok) {
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    base_error(err, err->kind, -1, "%s; the generated C is kept in %s", msg, d->zDir);
    d->keep = true;
  }
  return ok;
}

/* The loadable segments of the stripped object obj (code.so) must be
** those of code-debug.so, which the inline table's offsets describe:
** the same headers and the same bytes. */
static bool same_code(Driver *d, const uint8_t *obj, size_t n, cairn_error *err) {
  char p[4200];
  snprintf(p, sizeof p, "%s/code-debug.so", d->zDir);
  uint8_t *dbg;
  size_t nd;
  if (!base_read_file(p, &dbg, &nd, err)) return false;
  bool same = n >= 64 && nd >= 64;
  uint64_t phoff = 0, phnum = 0, dphoff = 0, dphnum = 0;
  for (int i = 0; same && i < 8; i++) {
    phoff |= (uint64_t)obj[32 + i] << (8 * i);
    dphoff |= (uint64_t)dbg[32 + i] << (8 * i);
  }
  if (same) {
    phnum = (uint64_t)obj[56] | (uint64_t)obj[57] << 8;
    dphnum = (uint64_t)dbg[56] | (uint64_t)dbg[57] << 8;
    same = phnum == dphnum && phoff <= n && phnum <= (n - phoff) / 56 && dphoff <= nd &&
           dphnum <= (nd - dphoff) / 56;
  }
  for (uint64_t i = 0; same && i < phnum; i++) {
    const uint8_t *a = obj + phoff + 56 * i, *b = dbg + dphoff + 56 * i;
    same = memcmp(a, b, 56) == 0; /* type, flags, offset, addresses, sizes */
    uint64_t off = 0, size = 0;
    for (int j = 0; j < 8; j++) {
      off |= (uint64_t)a[8 + j] << (8 * j);
      size |= (uint64_t)a[32 + j] << (8 * j);
    }
    /* (past the ELF header, which says where the sections are) */
    if (same && a[0] == 1 /* PT_LOAD */ && off < 64) {
      size = size > 64 - off ? size - (64 - off) : 0;
      off = 64;
    }
    if (same && a[0] == 1)
      same = off <= n && size <= n - off && off <= nd && size <= nd - off &&
             memcmp(obj + off, dbg + off, size) == 0;
  }
  base_free(dbg);
  if (!same) {
    base_error(err, CAIRN_ERR_IO, -1,
               "linking without debug information changed the code (%s); the generated C is "
               "kept in %s",
               d->cc, d->zDir);
    d->keep = true;
  }
  return same;
}

/* Removes the objects but code-debug.so; and unless the folder is kept,
** everything else and the folder itself. */
static void clean_dir(const Driver *d, bool removeC) {
  char p[4200];
  for (uint32_t u = 0; u < d->nUnit; u++) {
    snprintf(p, sizeof p, "%s/unit%u.o", d->zDir, u);
    unlink(p);
    if (removeC) {
      snprintf(p, sizeof p, "%s/unit%u.log", d->zDir, u);
      unlink(p);
      snprintf(p, sizeof p, "%s/unit%u.c", d->zDir, u);
      unlink(p);
    }
  }
  snprintf(p, sizeof p, "%s/code.so", d->zDir);
  unlink(p);
  if (removeC) {
    /* a kept folder keeps the object with its debug information (objdump -dl) */
    snprintf(p, sizeof p, "%s/code-debug.so", d->zDir);
    unlink(p);
    snprintf(p, sizeof p, "%s/link.log", d->zDir);
    unlink(p);
    snprintf(p, sizeof p, "%s/cairn_aot.h", d->zDir);
    unlink(p);
    rmdir(d->zDir);
  }
}

/* Translation units for a module: about 48 KiB of Wasm code each, so that
** large modules compile in parallel, at most 64. */
static uint32_t unit_count(const Module *m) {
  uint64_t code = 0;
  for (uint32_t i = m->nFuncImport; i < m->nFunc; i++) code += m->aFunc[i].nBody;
  uint64_t n = code / (48 * 1024) + 1;
  return n > 64 ? 64 : (uint32_t)n;
}

/* The options as recorded in the .cwasm and in cache keys. */
static void options_text(const Driver *d, char *out, size_t n) {
  snprintf(out, n, "%s --cpu %s cc=%s%s", d->zOpt, d->o->cpu_native ? "native" : "generic", d->cc,
           d->checked ? " --bounds-checks" : "");
}

/* Resolves and checks the options (no files touched). */
static bool driver_init(Driver *d, const cairn_compile_options *o, char *ccBuf, size_t nCc,
                        cairn_error *err) {
  memset(d, 0, sizeof *d);
  d->o = o;
  const char *zTarget = o->target ? o->target : cairn_host_target();
  for (size_t i = 0; i < sizeof aTarget / sizeof aTarget[0]; i++)
    if (strcmp(aTarget[i].zTriple, zTarget) == 0) d->target = &aTarget[i];
  if (!d->target) {
    base_error(err, CAIRN_ERR_ARG, -1,
               "unknown target '%s' (known: x86_64-linux-gnu, aarch64-linux-gnu, "
               "riscv64-linux-gnu, arm-linux-gnueabihf)",
               zTarget);
    return false;
  }
  bool host = strcmp(zTarget, cairn_host_target()) == 0;
  /* 32-bit targets have no room for guard regions; and this build of
  ** cairn, if it checks bounds itself (CAIRN_BOUNDS_CHECK), loads only
  ** code that does too */
  d->checked = o->bounds_checks || d->target->is32;
#if defined(CAIRN_BOUNDS_CHECK)
  if (host) d->checked = true;
#endif
  if (o->cpu_native && !host) {
    base_error(err, CAIRN_ERR_ARG, -1, "--cpu native is for the host target only");
    return false;
  }
  if (o->opt_level < 0 || o->opt_level > 3) {
    base_error(err, CAIRN_ERR_ARG, -1, "optimisation level %d (0 to 3)", o->opt_level);
    return false;
  }
  snprintf(d->zOpt, sizeof d->zOpt, "-O%d", o->opt_level);
  if (o->cc && o->cc[0]) {
    snprintf(ccBuf, nCc, "%s", o->cc);
  } else if (host) {
    snprintf(ccBuf, nCc, "gcc");
  } else {
    snprintf(ccBuf, nCc, "%s-gcc", zTarget);
  }
  d->cc = ccBuf;
  if (!have_program(d->cc)) {
    base_error(err, CAIRN_ERR_IO, -1,
               "C compiler '%s' not found: install the Debian package %s (the native tier "
               "compiles through it)",
               d->cc, host && !(o->cc && o->cc[0]) ? "gcc" : d->target->zPackage);
    return false;
  }
  return true;
}

bool aot_options_key(const cairn_compile_options *o, char *out, size_t n, cairn_error *err) {
  Driver d;
  char cc[256];
  if (!driver_init(&d, o, cc, sizeof cc, err)) return false;
  char opts[160];
  options_text(&d, opts, sizeof opts);
  /* The generator's revision too: an upgraded cairn with the same ABI
  ** must not keep running the code an older one generated. */
  snprintf(out, n, "abi=%u gen=%s target=%s %s", CAIRN_AOT_ABI, CAIRN_AOT_GEN_REV,
           d.target->zTriple, opts);
  return true;
}

bool cairn_compile(const uint8_t *wasm, size_t len, const cairn_compile_options *oIn,
                   uint8_t **out, size_t *outLen, cairn_error *err) {
  cairn_compile_options oDef;
  if (!oIn) {
    cairn_compile_options_init(&oDef);
    oIn = &oDef;
  }
  if (!out || !outLen) {
    base_error(err, CAIRN_ERR_ARG, -1, "no output given");
    return false;
  }
  Driver d;
  char cc[256];
  if (!driver_init(&d, oIn, cc, sizeof cc, err)) return false;
  cairn_module *m = cairn_module_new(wasm, len, err); /* decoded and validated */
  if (!m) return false;

  AotEmitOpts eo;
  memset(&eo, 0, sizeof eo);
  eo.checked = d.checked;
  eo.nUnits = d.nUnit = unit_count(m);
  aot_sha256(wasm, len, eo.sha256);
  Buf aUnit[64];
  for (uint32_t u = 0; u < d.nUnit; u++) buf_init(&aUnit[u]);
  Buf facts;
  buf_init(&facts);
  bool ok = aot_emit(m, &eo, aUnit, err);
  if (ok && !aot_facts_pack(m, &facts)) {
    base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory");
    ok = false;
  }
  for (uint32_t u = 0; ok && u < d.nUnit; u++)
    if (aUnit[u].oom) {
      base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory emitting C");
      ok = false;
    }
  cairn_module_free(m);

  /* the work folder */
  if (ok) {
    if (oIn->keep_c_dir) {
      snprintf(d.zDir, sizeof d.zDir, "%s", oIn->keep_c_dir);
      d.keep = true;
      if (mkdir(d.zDir, 0700) != 0 && errno != EEXIST) {
        base_error(err, CAIRN_ERR_IO, -1, "cannot create %s: %s", d.zDir, strerror(errno));
        ok = false;
      }
    } else {
      const char *tmp = getenv("TMPDIR");
      snprintf(d.zDir, sizeof d.zDir, "%s/cairn-compile-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
      if (!mkdtemp(d.zDir)) {
        base_error(err, CAIRN_ERR_IO, -1, "cannot create a work folder in %s: %s",
                   tmp && tmp[0] ? tmp : "/tmp", strerror(errno));
        ok = false;
      }
    }
  }
  bool made = ok;
  if (ok) {
    char p[4200];
    snprintf(p, sizeof p, "%s/cairn_aot.h", d.zDir);
    ok = write_file(p, aot_header_text, sizeof aot_header_text - 1, err);
    for (uint32_t u = 0; ok && u < d.nUnit; u++) {
      snprintf(p, sizeof p, "%s/unit%u.c", d.zDir, u);
      ok = write_file(p, aUnit[u].aData, aUnit[u].n, err);
    }
  }
  for (uint32_t u = 0; u < d.nUnit; u++) buf_free(&aUnit[u]);
  if (ok) probe_compiler(&d);
  ok = ok && compile_units(&d, err);
  /* with the frame chain: the inline table from the debug information, and
  ** the same link again without it, which is what gets loaded */
  bool inl = d.target->frameChain;
  Buf table;
  buf_init(&table);
  if (ok && inl) ok = link_object(&d, "code-debug.so", false, err) && inline_table(&d, &table, err);
  ok = ok && link_object(&d, "code.so", inl, err);

  uint8_t *obj = NULL;
  size_t nObj = 0;
  if (ok) {
    char p[4200];
    snprintf(p, sizeof p, "%s/code.so", d.zDir);
    ok = base_read_file(p, &obj, &nObj, err);
  }
  if (ok && inl) ok = same_code(&d, obj, nObj, err);
  if (ok) {
    char opts[160];
    options_text(&d, opts, sizeof opts);
    uint32_t flags = (eo.checked ? CAIRN_AOT_F_CHECKED : 0) |
                     (d.target->frameChain ? CAIRN_AOT_F_FRAME_CHAIN : 0);
    ok = aot_cwasm_pack(wasm, len, obj, nObj, table.aData, table.n, facts.aData, facts.n, flags,
                        d.target->zTriple, opts, out, outLen, err);
  }
  buf_free(&table);
  buf_free(&facts);
  base_free(obj);
  if (made) clean_dir(&d, !d.keep);
  return ok;
}
