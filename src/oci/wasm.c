/*
** wasm.c: running a Wasm bundle's module in the init process, through the
** public API (cairn/cairn.h, cairn/wasi.h). Prepared before `start` (so
** that a missing or invalid module, a bad mount or a busy port fails
** `create`): the module decoded and validated, a store whose linear memory
** cap comes from linux.resources.memory.limit, and the WASI state: args and
** env from the spec, the rootfs preopened as "/", every bind mount of a
** directory preopened at its destination, and listeners from the env
** variable CAIRN_TCPLISTEN=HOST:PORT[,HOST:PORT...] bound in the container's
** network namespace. Run after `start`: instantiate, _initialize, _start.
** Exit status: the guest's proc_exit code, 0 when _start returns, 134 on a
** trap (message and Wasm backtrace on stderr, the container's log).
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/cairn.h"
#include "cairn/wasi.h"
#include "oci/oci.h"
#include "trust/sign.h"

#define WASM_EXIT_TRAP 134
#define WASM_EXIT_SETUP 2
#define WASM_PAGE 65536
/* What the process needs besides linear memory once the module is loaded:
** WASI buffers, the interpreter's stacks, libc. */
#define WASM_HOST_MARGIN (4 << 20)
#define WASM_MAX_LISTEN 16

struct OciWasm {
  cairn_module *m;
  cairn_store *s;
  cairn_wasi *w;
  int aListen[WASM_MAX_LISTEN];
  size_t nListen;
  char *zName;        /* module path as the guest's argv[0] */
};

void oci_wasm_free(OciWasm *o) {
  if (!o) return;
  cairn_wasi_free(o->w);
  if (o->s) cairn_store_free(o->s);
  if (o->m) cairn_module_free(o->m);
  for (size_t i = 0; i < o->nListen; i++) close(o->aListen[i]);
  free(o->zName);
  free(o);
}

/* Resident bytes of this process now. */
static long long wasm_rss(void) {
  FILE *f = fopen("/proc/self/statm", "re");
  long long size = 0, res = 0;
  if (f) {
    if (fscanf(f, "%lld %lld", &size, &res) != 2) res = 0;
    fclose(f);
  }
  return res * sysconf(_SC_PAGESIZE);
}

/* One HOST:PORT of CAIRN_TCPLISTEN (numeric IPv4, [IPv6] or localhost). */
static int wasm_listen(const char *z, size_t n, char *zErr, size_t nErr) {
  char zAddr[128];
  if (n == 0 || n >= sizeof zAddr) goto bad;
  memcpy(zAddr, z, n);
  zAddr[n] = 0;
  char *colon = strrchr(zAddr, ':');
  if (!colon) goto bad;
  *colon = 0;
  char *end;
  unsigned long port = strtoul(colon + 1, &end, 10);
  if (!colon[1] || *end || port > 65535) goto bad;
  char *h = zAddr;
  bool v6 = false;
  size_t nh = strlen(h);
  if (nh >= 2 && h[0] == '[' && h[nh - 1] == ']') {
    h[nh - 1] = 0;
    h++;
    v6 = true;
  }
  if (!v6 && strcmp(h, "localhost") == 0) h = "127.0.0.1";
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  socklen_t len;
  if (v6) {
    struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&ss;
    sa->sin6_family = AF_INET6;
    sa->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, h, &sa->sin6_addr) != 1) goto bad;
    len = sizeof *sa;
  } else {
    struct sockaddr_in *sa = (struct sockaddr_in *)&ss;
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, h, &sa->sin_addr) != 1) goto bad;
    len = sizeof *sa;
  }
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 128) != 0) {
    snprintf(zErr, nErr, "CAIRN_TCPLISTEN %.*s: %s", (int)n, z, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
bad:
  snprintf(zErr, nErr, "CAIRN_TCPLISTEN: '%.*s' is not HOST:PORT (numeric IPv4, [IPv6] or localhost)",
           (int)n, z);
  return -1;
}

OciWasm *oci_wasm_prepare(const OciSpec *s, char *zErr, size_t nErr) {
  OciWasm *o = calloc(1, sizeof *o);
  cairn_wasi_preopen *aPre = calloc(s->nMount + 2, sizeof *aPre);
  if (!o || !aPre) {
    snprintf(zErr, nErr, "out of memory");
    free(aPre);
    free(o);
    return NULL;
  }
  o->zName = oci_spec_module_path(s);
  cairn_error err;
  memset(&err, 0, sizeof err);
  struct stat sb;
  if (!o->zName || stat(o->zName, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    snprintf(zErr, nErr, "exec: \"%s\": module not found in the rootfs (%s)", s->azArgs[0],
             o->zName ? o->zName : "?");
    goto fail;
  }
  /* the node's policy (docs/signing.md), never the bundle's: a bundle
  ** comes from the image, whose author must not be able to opt out */
  const char *zKeys = getenv("CAIRN_OCI_REQUIRE_SIGNATURE");
  if (zKeys && *zKeys) {
    uint8_t(*aKey)[32];
    size_t nKey;
    char zKeyErr[512];
    if (trust_pubkeys_load_list(zKeys, &aKey, &nKey, zKeyErr, sizeof zKeyErr) != 0) {
      snprintf(zErr, nErr, "CAIRN_OCI_REQUIRE_SIGNATURE: %s", zKeyErr);
      goto fail;
    }
    o->m = trust_load_module(o->zName, (const uint8_t(*)[32])aKey, nKey, false, NULL, NULL, NULL,
                             &err);
    free(aKey);
  } else {
    o->m = cairn_module_from_file_or_cwasm(o->zName, &err);
  }
  if (!o->m) {
    if (err.offset >= 0)
      snprintf(zErr, nErr, "module %s: offset 0x%lx: %s", s->azArgs[0], (unsigned long)err.offset,
               err.msg);
    else
      snprintf(zErr, nErr, "module %s: %s", s->azArgs[0], err.msg);
    goto fail;
  }
  uint32_t nImp = cairn_module_import_count(o->m);
  for (uint32_t i = 0; i < nImp; i++) {
    if (cairn_wasi_is_wasi_import(o->m, i)) continue;
    cairn_externtype et;
    cairn_module_import(o->m, i, &et);
    snprintf(zErr, nErr, "module %s imports %.*s.%.*s: only wasi_snapshot_preview1 is provided",
             s->azArgs[0], (int)et.module_len, et.module, (int)et.name_len, et.name);
    goto fail;
  }
  cairn_store_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.max_table_elems = 10000000u;
  if (s->memLimit > 0) {
    long long room = (long long)s->memLimit - wasm_rss() - WASM_HOST_MARGIN;
    cfg.max_memory_pages = room > WASM_PAGE ? (uint64_t)room / WASM_PAGE : 1;
  }
  o->s = cairn_store_new(&cfg);
  if (!o->s) {
    snprintf(zErr, nErr, "cannot create a store");
    goto fail;
  }
  size_t nPre = 0;
  aPre[nPre].host_path = s->zRootfs;
  aPre[nPre].guest_path = "/";
  aPre[nPre].read_only = s->rootReadOnly;
  nPre++;
  for (size_t i = 0; i < s->nMount; i++) {
    if (stat(s->aMount[i].zSource, &sb) != 0 || !S_ISDIR(sb.st_mode)) continue; /* files: no preopen */
    aPre[nPre].host_path = s->aMount[i].zSource;
    aPre[nPre].guest_path = s->aMount[i].zDest;
    aPre[nPre].read_only = s->aMount[i].readOnly;
    nPre++;
  }
  const char *zListen = oci_spec_getenv(s, "CAIRN_TCPLISTEN");
  while (zListen && *zListen) {
    const char *e = strchr(zListen, ',');
    size_t n = e ? (size_t)(e - zListen) : strlen(zListen);
    if (n) {
      if (o->nListen == WASM_MAX_LISTEN) {
        snprintf(zErr, nErr, "CAIRN_TCPLISTEN: more than %d listeners", WASM_MAX_LISTEN);
        goto fail;
      }
      int fd = wasm_listen(zListen, n, zErr, nErr);
      if (fd < 0) goto fail;
      o->aListen[o->nListen++] = fd;
    }
    zListen = e ? e + 1 : zListen + n;
  }
  cairn_wasi_config wc;
  cairn_wasi_config_init(&wc);
  wc.argc = s->nArgs;
  wc.argv = (const char *const *)s->azArgs;
  wc.envc = s->nEnv;
  wc.env = (const char *const *)s->azEnv;
  wc.npreopens = nPre;
  wc.preopens = aPre;
  wc.nlisteners = o->nListen;
  wc.listeners = o->aListen;
  memset(&err, 0, sizeof err);
  o->w = cairn_wasi_new(o->s, &wc, &err);
  if (!o->w) {
    snprintf(zErr, nErr, "preparing WASI: %s", err.msg);
    goto fail;
  }
  free(aPre);
  return o;
fail:
  free(aPre);
  oci_wasm_free(o);
  return NULL;
}

static int wasm_report(const cairn_error *err) {
  if (err->kind == CAIRN_ERR_TRAP && err->trap == CAIRN_TRAP_EXIT) return err->exit_code;
  if (err->kind == CAIRN_ERR_TRAP || err->kind == CAIRN_ERR_EXHAUSTION) {
    fprintf(stderr, "error: wasm trap: %s\n", err->msg[0] ? err->msg : cairn_trap_message(err->trap));
    for (int i = 0; i < err->nframes; i++) {
      const cairn_frame *f = &err->frames[i];
      fprintf(stderr, "  %d: func[%u]%s%s\n", i, f->func_index, f->func_name ? " " : "",
              f->func_name ? f->func_name : "");
    }
    return WASM_EXIT_TRAP;
  }
  fprintf(stderr, "error: %s\n", err->msg);
  return WASM_EXIT_SETUP;
}

static bool wasm_func(cairn_instance *inst, const char *z, cairn_func **out) {
  cairn_extern ex;
  if (!cairn_instance_export(inst, z, strlen(z), &ex) || ex.kind != CAIRN_EXTERN_FUNC) return false;
  *out = ex.of.func;
  return true;
}

int oci_wasm_run(OciWasm *o) {
  signal(SIGPIPE, SIG_IGN);
  int rc = 0;
  cairn_error err;
  memset(&err, 0, sizeof err);
  uint32_t nImp = cairn_module_import_count(o->m);
  cairn_extern *aImp = calloc(nImp + 1, sizeof *aImp);
  if (!aImp || !cairn_wasi_define_imports(o->w, o->m, aImp, NULL, &err)) {
    fprintf(stderr, "error: %s\n", aImp ? err.msg : "out of memory");
    free(aImp);
    oci_wasm_free(o);
    return WASM_EXIT_SETUP;
  }
  cairn_instance *inst = cairn_instance_new(o->s, o->m, aImp, nImp, &err);
  free(aImp);
  if (!inst) {
    rc = wasm_report(&err);
    goto out;
  }
  if (!cairn_wasi_bind_instance(o->w, inst, &err)) {
    rc = wasm_report(&err);
    goto out;
  }
  cairn_func *f;
  if (wasm_func(inst, "_initialize", &f) && !cairn_func_call(f, NULL, 0, NULL, 0, &err)) {
    rc = wasm_report(&err);
    goto out;
  }
  if (wasm_func(inst, "_start", &f) && !cairn_func_call(f, NULL, 0, NULL, 0, &err)) {
    rc = wasm_report(&err);
    goto out;
  }
out:
  fflush(stdout);
  fflush(stderr);
  oci_wasm_free(o);
  return rc;
}
