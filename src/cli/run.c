/*
** run.c: `cairn run [options] MODULE [ARGS...]`: loads a module (.wasm or
** .wat), instantiates it and runs it, with wasmtime's conventions. A module
** importing wasi_snapshot_preview1 gets a WASI state (arguments, environment,
** preopened directories and TCP listeners from the options); its `_initialize`
** (reactor) runs first, then `_start` or the --invoke export. --invoke calls
** an export with arguments parsed by its parameter types and prints each
** result as VALUE:TYPE. Imports from `spectest` are also available.
** Exit status: the guest's proc_exit code; 0 success; 134 trap (message and
** Wasm backtrace on stderr); 2 usage, load, link or WASI setup error.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "trust/sign.h"

/* Exit status of a trap (and of call stack exhaustion): 128 + SIGABRT, as
** wasmtime's. */
#define RUN_EXIT_TRAP 134
#define RUN_EXIT_USAGE 2
/* Default --max-table: a table.grow of 2^28 must not take seconds and
** gigabytes; no real program has tables anywhere near this size. */
#define RUN_DEFAULT_MAX_TABLE 10000000u

static void usage(FILE *f) {
  fprintf(f,
          "usage: cairn run [options] MODULE [ARGS...]\n"
          "       cairn run [options] MODULE --invoke NAME [ARGS...]\n"
          "Loads MODULE (binary .wasm, text .wat, or native code .cwasm made by\n"
          "`cairn compile`), instantiates it and runs it.\n"
          "A module that imports wasi_snapshot_preview1 is run as a WASI program:\n"
          "ARGS are its arguments (its argv[0] is MODULE), standard streams are\n"
          "inherited, and it reaches only the directories given with --dir. Options\n"
          "come before MODULE; every word after MODULE goes to the program.\n"
          "\n"
          "options:\n"
          "  --dir HOST[::GUEST]    preopen host directory HOST for the guest under the\n"
          "                         path GUEST (default: HOST itself), e.g.\n"
          "                         --dir .  or  --dir /srv/data::/data. Repeatable.\n"
          "                         The guest cannot leave it by .., absolute paths or\n"
          "                         symlinks.\n"
          "  --env NAME=VALUE       set an environment variable for the guest\n"
          "  --env NAME             pass the host's NAME to the guest (if set). The\n"
          "                         guest sees no other host variable. Repeatable.\n"
          "  --tcplisten HOST:PORT  listen on a TCP socket (HOST a numeric IPv4 address,\n"
          "                         [IPv6] or localhost) and give it to the guest as a\n"
          "                         preopened socket for sock_accept (fds after the\n"
          "                         preopened directories). Repeatable.\n"
          "  --invoke NAME          call the exported function NAME instead of _start,\n"
          "                         with ARGS (the words after MODULE) as its\n"
          "                         arguments, and print each result as VALUE:TYPE,\n"
          "                         one per line. May also follow MODULE. Arguments\n"
          "                         follow the parameter types: integers in decimal or\n"
          "                         0x hex (negative allowed), floats in C syntax (1.5,\n"
          "                         -2e3, 0x1p-3, nan, inf), references as null or\n"
          "                         (externref) a number, v128 as SHAPE:LANE,... (e.g.\n"
          "                         i32x4:1,2,3,4 or f64x2:0.5,-1) or 0x and 32 hex\n"
          "                         digits. Without --invoke, `_start` is\n"
          "                         called if the module exports it. A reactor's\n"
          "                         `_initialize` export is always called first.\n"
          "  --fuel N               stop with a trap after N calls and loop iterations\n"
          "                         (calls of small leaf functions without loops\n"
          "                         are free: their run is bounded by their size)\n"
          "  --max-memory PAGES     cap every linear memory at PAGES 64 KiB pages\n"
          "  --max-table N          cap every table at N elements (default 10000000,\n"
          "                         80 MB of entries on a 64-bit host; 0: no cap\n"
          "                         but the spec's 2^32-1). A table.grow past it\n"
          "                         returns -1.\n"
          "  --max-call-depth N     Wasm call depth before \"call stack exhausted\"\n"
          "                         (native code on x86-64 and AArch64: the C stack\n"
          "                         bounds it instead)\n"
          "  --timeout MS           stop the program with the \"interrupted\" trap (exit\n"
          "                         status 134) MS milliseconds after it starts, also\n"
          "                         while it sleeps or waits for input or a connection\n"
          "                         (0, the default: no limit)\n"
          "  --aot                  run MODULE as native code: compile it (gcc -O2) into\n"
          "                         the cache, $XDG_CACHE_HOME/cairn (default\n"
          "                         ~/.cache/cairn), or load it from there. A .cwasm\n"
          "                         always runs as native code. Native code is as\n"
          "                         trusted as a native binary (see cairn compile --help)\n"
          "  --require-signature KEY.pub[,KEY2.pub...]\n"
          "                         run MODULE (.wasm or .cwasm) only if it is signed\n"
          "                         (cairn sign) by one of these public keys and no\n"
          "                         signature in it is altered or followed by unsigned\n"
          "                         bytes; otherwise exit 2 before any guest code runs\n"
          "                         (docs/signing.md). A text module is refused. With\n"
          "                         --attest it is checked first, on the very bytes\n"
          "                         then measured and run (one read of MODULE)\n"
          "  --attest URL           before anything runs, attest to the verifier at URL\n"
          "                         (http://HOST:PORT, cairn verifier): send evidence of\n"
          "                         this cairn binary, MODULE's bytes and the run's\n"
          "                         configuration (args, env names, preopens), signed\n"
          "                         by the device key; receive the module's secrets. The\n"
          "                         guest finds them as files in the read-only\n"
          "                         in-memory directory /run/secrets or as environment\n"
          "                         variables, as the verifier's policy says. Any\n"
          "                         failure exits with status 2 before guest code runs\n"
          "  --verifier-pub FILE    the verifier's public key (.pub of cairn keygen):\n"
          "                         the attestation result must carry its signature\n"
          "  --device-key FILE      sign evidence with this Ed25519 key (cairn keygen):\n"
          "                         for development only, results are marked insecure\n"
          "  --tpm TCTI             or quote with a TPM 2.0 (tpm2-tss TCTI, e.g.\n"
          "                         device:/dev/tpmrm0 or swtpm:host=127.0.0.1,port=2321)\n"
          "                         through cairn-tpm; PCR 23 holds the measurements\n"
          "  --tpm-ak HANDLE        the TPM attestation key's persistent handle\n"
          "                         (default 0x81010002)\n"
          "  --attest-name NAME     the module's name in the policy (default: MODULE's\n"
          "                         file name without directory and extension)\n"
          "  --attest-timeout MS    give up on a verifier that does not answer a step\n"
          "                         of the handshake within MS ms (default 10000)\n"
          "  -v, --verbose          let spectest.print* imports write to stdout\n"
          "  -h, --help             show this help\n"
          "  --                     end of options: the next word is MODULE\n"
          "\n"
          "Exit status: the code the guest passes to proc_exit (exit() in C), 0 when\n"
          "_start (or the invoked function) returns; 134 on a trap (its message and\n"
          "Wasm backtrace are printed on stderr); 2 for a usage error, a module that\n"
          "does not load, link or instantiate, fails --require-signature or the\n"
          "attestation (--attest), or a --dir/--tcplisten that fails.\n");
}

/* --timeout: a thread that interrupts the store at the deadline. */
typedef struct RunWatchdog {
  cairn_store *s;
  uint64_t ms;
  atomic_bool done;
  pthread_t th;
  bool started;
} RunWatchdog;

static uint64_t run_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *run_watchdog(void *arg) {
  RunWatchdog *wd = arg;
  uint64_t end = run_now_ms() + wd->ms;
  while (!atomic_load(&wd->done)) {
    uint64_t now = run_now_ms();
    if (now >= end) {
      cairn_store_interrupt(wd->s);
      break;
    }
    uint64_t left = end - now < 5 ? end - now : 5;
    struct timespec ts = {0, (long)left * 1000000L};
    nanosleep(&ts, NULL);
  }
  return NULL;
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

/* v128: SHAPE:LANE,LANE,... (i8x16 i16x8 i32x4 i64x2 with integer lanes,
** f32x4 f64x2 with float lanes, lane 0 first), or 0x and 32 hex digits (the
** vector as one 128-bit number, most significant digit first). */
static bool parse_v128(const char *z, uint8_t out[16]) {
  memset(out, 0, 16);
  if (z[0] == '0' && (z[1] == 'x' || z[1] == 'X') && strlen(z) == 34) {
    for (int i = 0; i < 32; i++) {
      char c = z[2 + i];
      int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return false;
      out[15 - i / 2] |= (uint8_t)(d << (i % 2 ? 0 : 4));
    }
    return true;
  }
  static const struct { const char *z; int bits; bool isFloat; } shapes[] = {
      {"i8x16:", 8, false},  {"i16x8:", 16, false}, {"i32x4:", 32, false},
      {"i64x2:", 64, false}, {"f32x4:", 32, true},  {"f64x2:", 64, true}};
  for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
    if (strncmp(z, shapes[k].z, 6) != 0) continue;
    int bits = shapes[k].bits, nLane = 128 / bits;
    const char *p = z + 6;
    for (int i = 0; i < nLane; i++) {
      const char *e = strchr(p, ',');
      if ((e != NULL) != (i < nLane - 1)) return false;
      size_t n = e ? (size_t)(e - p) : strlen(p);
      char lane[80];
      if (n == 0 || n >= sizeof lane) return false;
      memcpy(lane, p, n);
      lane[n] = 0;
      uint64_t u;
      char *end;
      if (shapes[k].isFloat && bits == 32) {
        float f = strtof(lane, &end);
        uint32_t b;
        memcpy(&b, &f, 4);
        u = b;
      } else if (shapes[k].isFloat) {
        double d = strtod(lane, &end);
        memcpy(&u, &d, 8);
      } else {
        if (!parse_int(lane, 64, &u)) return false;
        if (bits < 64) {
          int64_t sv = (int64_t)u;
          if (lane[0] == '-' ? sv < -((int64_t)1 << (bits - 1)) : u >> bits) return false;
        }
        end = lane + n;
      }
      if (end == lane || *end) return false;
      for (int j = 0; j < bits / 8; j++) out[i * (bits / 8) + j] = (uint8_t)(u >> (8 * j));
      p += n + 1;
    }
    return true;
  }
  return false;
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
      return parse_v128(z, v->of.v128);
  }
  return false;
}

/* Reports a failed call; returns the exit status. */
static int report_call_error(const char *zName, const cairn_error *err) {
  if (err->kind == CAIRN_ERR_TRAP && err->trap == CAIRN_TRAP_EXIT) return err->exit_code;
  if (err->kind == CAIRN_ERR_TRAP || err->kind == CAIRN_ERR_EXHAUSTION) {
    /* say that it is a Wasm trap (not a crash of Cairn) and which one */
    fprintf(stderr, "error: wasm trap%s: %s\n",
            err->trap == CAIRN_TRAP_HOST ? " (raised by a host function)" : "",
            err->msg[0] ? err->msg : cairn_trap_message(err->trap));
    cli_print_backtrace(stderr, err);
    return RUN_EXIT_TRAP;
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

/* What the options ask for, beyond the store configuration. */
typedef struct RunOpts {
  cairn_wasi_preopen *aPre;   /* owned array; host/guest strings point into argv or zDirs */
  size_t nPre;
  const char **azEnv;         /* owned array of "NAME=VALUE" (borrowed strings) */
  size_t nEnv;
  int *aListen;               /* owned array of listening socket fds (closed by run_opts_free) */
  size_t nListen;
  char **azOwned;             /* strings made here (freed by run_opts_free) */
  size_t nOwned;
} RunOpts;

static void run_opts_free(RunOpts *o) {
  for (size_t i = 0; i < o->nListen; i++) close(o->aListen[i]);
  for (size_t i = 0; i < o->nOwned; i++) free(o->azOwned[i]);
  free(o->aPre);
  free(o->azEnv);
  free(o->aListen);
  free(o->azOwned);
}

static char *run_own(RunOpts *o, const char *z, size_t n) {
  char *p = malloc(n + 1);
  if (!p) return NULL;
  memcpy(p, z, n);
  p[n] = 0;
  o->azOwned[o->nOwned++] = p;
  return p;
}

/* --dir HOST[::GUEST]: split at the first "::". */
static bool run_add_dir(RunOpts *o, const char *z) {
  const char *sep = strstr(z, "::");
  const char *zHost = z, *zGuest = z;
  if (sep) {
    zHost = run_own(o, z, (size_t)(sep - z));
    zGuest = sep + 2;
    if (!zHost) return false;
  }
  if (!*zHost || !*zGuest) {
    fprintf(stderr, "cairn run: --dir '%s': empty host or guest path\n", z);
    return false;
  }
  o->aPre[o->nPre].host_path = zHost;
  o->aPre[o->nPre].guest_path = zGuest;
  o->aPre[o->nPre].read_only = false;
  o->nPre++;
  return true;
}

/* --env NAME=VALUE, or --env NAME to pass the host's value (if set). */
static bool run_add_env(RunOpts *o, const char *z) {
  if (!*z || *z == '=') {
    fprintf(stderr, "cairn run: --env '%s': no variable name\n", z);
    return false;
  }
  if (strchr(z, '=')) {
    o->azEnv[o->nEnv++] = z;
    return true;
  }
  const char *v = getenv(z);
  if (!v) return true;
  size_t nName = strlen(z), nVal = strlen(v);
  char *p = malloc(nName + nVal + 2);
  if (!p) return false;
  memcpy(p, z, nName);
  p[nName] = '=';
  memcpy(p + nName + 1, v, nVal + 1);
  o->azOwned[o->nOwned++] = p;
  o->azEnv[o->nEnv++] = p;
  return true;
}

/* --tcplisten HOST:PORT: a listening socket kept until exit. HOST is a
** numeric IPv4 address, [IPv6] in brackets, or localhost (no name lookup, as
** wasmtime; it also keeps the static cairn program free of NSS). */
static bool run_add_listener(RunOpts *o, const char *z) {
  const char *colon = strrchr(z, ':');
  char *end = NULL;
  unsigned long port = colon ? strtoul(colon + 1, &end, 10) : 0;
  if (!colon || colon == z || !colon[1] || *end || port > 65535) {
    fprintf(stderr, "cairn run: --tcplisten '%s': expected HOST:PORT\n", z);
    return false;
  }
  const char *h = z;
  size_t nHost = (size_t)(colon - z);
  bool v6 = false;
  if (h[0] == '[' && nHost >= 2 && h[nHost - 1] == ']') {
    h++;
    nHost -= 2;
    v6 = true;
  }
  char zHost[64];
  if (nHost == 0 || nHost >= sizeof zHost) {
    fprintf(stderr, "cairn run: --tcplisten '%s': bad address\n", z);
    return false;
  }
  memcpy(zHost, h, nHost);
  zHost[nHost] = 0;
  if (!v6 && strcmp(zHost, "localhost") == 0) strcpy(zHost, "127.0.0.1");
  struct sockaddr_storage ss;
  socklen_t len;
  memset(&ss, 0, sizeof ss);
  if (v6) {
    struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&ss;
    sa->sin6_family = AF_INET6;
    sa->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, zHost, &sa->sin6_addr) != 1) goto bad_host;
    len = sizeof *sa;
  } else {
    struct sockaddr_in *sa = (struct sockaddr_in *)&ss;
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, zHost, &sa->sin_addr) != 1) goto bad_host;
    len = sizeof *sa;
  }
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    fprintf(stderr, "cairn run: --tcplisten '%s': %s\n", z, strerror(errno));
    return false;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 128) != 0) {
    fprintf(stderr, "cairn run: --tcplisten '%s': %s\n", z, strerror(errno));
    close(fd);
    return false;
  }
  o->aListen[o->nListen++] = fd;
  return true;
bad_host:
  fprintf(stderr, "cairn run: --tcplisten '%s': not a numeric IPv4 address, [IPv6] or localhost\n",
          z);
  return false;
}

static bool run_needs_wasi(const cairn_module *m) {
  uint32_t n = cairn_module_import_count(m);
  for (uint32_t i = 0; i < n; i++) {
    if (cairn_wasi_is_wasi_import(m, i)) return true;
  }
  return false;
}

static bool run_has_func(cairn_instance *inst, const char *z) {
  cairn_extern ex;
  return cairn_instance_export(inst, z, strlen(z), &ex) && ex.kind == CAIRN_EXTERN_FUNC;
}

int cli_run(int argc, char **argv) {
  const char *zModule = NULL, *zInvoke = NULL;
  int iArgs = argc;   /* first word after MODULE (or after --invoke NAME) */
  bool verbose = false;
  bool aot = false;
  uint8_t(*aKey)[32] = NULL;   /* --require-signature keys */
  size_t nKey = 0;
  RunWatchdog wd = {.ms = 0};
  cairn_store_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.max_table_elems = RUN_DEFAULT_MAX_TABLE;
  RunOpts o;
  memset(&o, 0, sizeof o);
  size_t nMax = (size_t)argc + 1;
  o.aPre = calloc(nMax, sizeof *o.aPre);
  o.azEnv = calloc(nMax, sizeof *o.azEnv);
  o.aListen = calloc(nMax, sizeof *o.aListen);
  o.azOwned = calloc(2 * nMax, sizeof *o.azOwned);
  if (!o.aPre || !o.azEnv || !o.aListen || !o.azOwned) {
    fprintf(stderr, "cairn run: out of memory\n");
    run_opts_free(&o);
    return RUN_EXIT_USAGE;
  }
  int rc = RUN_EXIT_USAGE;
  CliAttest *att = NULL;
  const char **azArgv = NULL;
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    uint64_t u;
    int ao = cli_attest_option(&att, argc, argv, &i);
    if (ao < 0) goto done;
    if (ao > 0) continue;
    bool takesValue = strcmp(a, "--invoke") == 0 || strcmp(a, "--dir") == 0 ||
                      strcmp(a, "--env") == 0 || strcmp(a, "--tcplisten") == 0 ||
                      strcmp(a, "--require-signature") == 0;
    if (takesValue && i + 1 >= argc) {
      fprintf(stderr, "cairn run: %s needs a value (see cairn run --help)\n", a);
      goto done;
    }
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage(stdout);
      rc = 0;
      goto done;
    } else if (strcmp(a, "--") == 0) {
      i++;
      break;
    } else if (strcmp(a, "--invoke") == 0) {
      zInvoke = argv[++i];
    } else if (strcmp(a, "--dir") == 0) {
      if (!run_add_dir(&o, argv[++i])) goto done;
    } else if (strcmp(a, "--env") == 0) {
      if (!run_add_env(&o, argv[++i])) goto done;
    } else if (strcmp(a, "--tcplisten") == 0) {
      if (!run_add_listener(&o, argv[++i])) goto done;
    } else if (strcmp(a, "--require-signature") == 0) {
      char kerr[512];
      free(aKey);
      if (trust_pubkeys_load_list(argv[++i], &aKey, &nKey, kerr, sizeof kerr) != 0) {
        fprintf(stderr, "cairn run: --require-signature: %s\n", kerr);
        goto done;
      }
    } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
      verbose = true;
    } else if (strcmp(a, "--aot") == 0) {
      aot = true;
    } else if (strcmp(a, "--fuel") == 0 || strcmp(a, "--max-memory") == 0 ||
               strcmp(a, "--max-table") == 0 || strcmp(a, "--max-call-depth") == 0 ||
               strcmp(a, "--timeout") == 0) {
      if (i + 1 >= argc || !parse_u64(argv[i + 1], &u)) {
        fprintf(stderr, "cairn run: %s needs a non-negative number\n", a);
        goto done;
      }
      i++;
      if (strcmp(a, "--fuel") == 0) cfg.fuel = u;
      if (strcmp(a, "--timeout") == 0) wd.ms = u;
      if (strcmp(a, "--max-memory") == 0) cfg.max_memory_pages = u;
      if (strcmp(a, "--max-table") == 0) cfg.max_table_elems = u;
      if (strcmp(a, "--max-call-depth") == 0) {
        if (u > UINT32_MAX) u = UINT32_MAX;
        cfg.max_call_depth = (uint32_t)u;
      }
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "cairn run: unknown option '%s' (see cairn run --help)\n", a);
      goto done;
    } else {
      break;
    }
  }
  if (i < argc) zModule = argv[i++];
  if (!zModule) {
    fprintf(stderr, "cairn run: no module given\n");
    usage(stderr);
    goto done;
  }
  /* The older form MODULE --invoke NAME [ARGS...] still works. */
  if (!zInvoke && i + 1 < argc && strcmp(argv[i], "--invoke") == 0) {
    zInvoke = argv[i + 1];
    i += 2;
  } else if (!zInvoke && i + 1 == argc && strcmp(argv[i], "--invoke") == 0) {
    fprintf(stderr, "cairn run: --invoke needs a function name\n");
    goto done;
  }
  iArgs = i;

  /* The guest's argv: MODULE, then the words after it (unless they are
  ** --invoke's arguments). */
  int nGuest = zInvoke ? 0 : argc - iArgs;
  azArgv = calloc((size_t)nGuest + 1, sizeof *azArgv);
  if (!azArgv) {
    fprintf(stderr, "error: out of memory\n");
    goto done;
  }
  azArgv[0] = zModule;
  for (int k = 0; k < nGuest; k++) azArgv[k + 1] = argv[iArgs + k];
  cairn_wasi_config wc;
  cairn_wasi_config_init(&wc);
  wc.argc = (size_t)nGuest + 1;
  wc.argv = azArgv;
  wc.envc = o.nEnv;
  wc.env = o.azEnv;
  wc.npreopens = o.nPre;
  wc.preopens = o.aPre;
  wc.nlisteners = o.nListen;
  wc.listeners = o.aListen;

  cairn_error err;
  memset(&err, 0, sizeof err);
  cairn_module *m;
  if (att) {   /* one read: signature (if required), measurement, load */
    m = cli_attest_load(att, zModule, aot, (const uint8_t(*)[32])aKey, nKey, &wc);
    if (!m) goto done;   /* says why */
  } else if (!(m = aKey ? trust_load_module(zModule, (const uint8_t(*)[32])aKey, nKey, aot, NULL,
                                            NULL, NULL, &err)
                        : cli_load_module(zModule, aot, NULL, &err))) {
    cli_print_load_error(stderr, zModule, &err);
    goto done;
  }
  cairn_store *s = cairn_store_new(&cfg);
  if (!s) {
    fprintf(stderr, "error: cannot create a store\n");
    cairn_module_free(m);
    goto done;
  }
  cairn_wasi *w = NULL;
  if (run_needs_wasi(m)) {
    if (att && !cli_attest_apply(att, &wc)) {
      fprintf(stderr, "error: out of memory\n");
      goto free_store;
    }
    memset(&err, 0, sizeof err);
    w = cairn_wasi_new(s, &wc, &err);
    if (!w) {
      fprintf(stderr, "error: %s\n", err.msg);
      goto free_store;
    }
    /* A guest writing to a closed pipe gets EPIPE, not a dead host. */
    signal(SIGPIPE, SIG_IGN);
  }
  if (wd.ms) {
    wd.s = s;
    atomic_init(&wd.done, false);
    wd.started = pthread_create(&wd.th, NULL, run_watchdog, &wd) == 0;
    if (!wd.started) {
      fprintf(stderr, "error: cannot start the --timeout thread\n");
      cairn_wasi_free(w);
      goto free_store;
    }
  }
  CliLinker l;
  cli_linker_init(&l, s, verbose);
  l.pWasi = w;
  memset(&err, 0, sizeof err);
  cairn_instance *inst = cli_linker_instantiate(&l, m, &err);
  if (!inst) {
    if (err.kind == CAIRN_ERR_TRAP || err.kind == CAIRN_ERR_EXHAUSTION) {
      rc = report_call_error("the start function", &err);
    } else {
      fprintf(stderr, "%s: error: %s\n", zModule, err.msg);
      rc = RUN_EXIT_USAGE;
    }
    goto free_linker;
  }
  if (w) {
    memset(&err, 0, sizeof err);
    if (!cairn_wasi_bind_instance(w, inst, &err)) {
      fprintf(stderr, "%s: error: %s\n", zModule, err.msg);
      rc = RUN_EXIT_USAGE;
      goto free_linker;
    }
  }
  rc = 0;
  if (run_has_func(inst, "_initialize")) {
    memset(&err, 0, sizeof err);
    cairn_extern ex;
    cairn_instance_export(inst, "_initialize", 11, &ex);
    if (!cairn_func_call(ex.of.func, NULL, 0, NULL, 0, &err)) {
      rc = report_call_error("_initialize", &err);
      goto free_linker;
    }
  }
  if (zInvoke) {
    rc = invoke(inst, zInvoke, argc - iArgs, argv + iArgs);
  } else if (run_has_func(inst, "_start")) {
    rc = invoke(inst, "_start", 0, NULL);
  }
free_linker:
  if (wd.started) {
    atomic_store(&wd.done, true);
    pthread_join(wd.th, NULL);
  }
  fflush(stdout);
  cli_linker_free(&l);
  cairn_wasi_free(w);
free_store:
  cairn_store_free(s);
  cairn_module_free(m);
done:
  cli_attest_free(att);   /* wipes the secrets */
  free(azArgv);
  free(aKey);
  run_opts_free(&o);
  return rc;
}
