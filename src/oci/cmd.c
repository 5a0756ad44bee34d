/*
** cmd.c: the runc command line: global options (--root, --log,
** --log-format, --systemd-cgroup, and the ones runc accepts that Cairn
** ignores), dispatch to the lifecycle commands, and the hand-off of every
** bundle that is not Wasm (and every command Cairn does not implement) to
** the system runc, with the same arguments.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairn/cairn.h"
#include "oci/oci.h"

#define OCI_DEFAULT_ROOT "/run/runc"

static void oci_usage(FILE *f) {
  fprintf(f,
          "usage: cairn-oci [global options] COMMAND [options] ID\n"
          "A runc-compatible OCI runtime: bundles whose module is Wasm (annotation\n"
          "module.wasm.image/variant=compat, or process.args[0] a .wasm/.cwasm file in\n"
          "the rootfs) run in Cairn; every other bundle is handed to the system runc.\n"
          "\n"
          "global options:\n"
          "  --root DIR            container state (default " OCI_DEFAULT_ROOT ")\n"
          "  --log FILE            also write errors to FILE\n"
          "  --log-format FMT      text (default) or json\n"
          "  --systemd-cgroup      cgroupsPath is slice:prefix:name\n"
          "\n"
          "commands:\n"
          "  create [--bundle DIR] [--pid-file F] [--console-socket SOCK] ID\n"
          "  start ID              release the waiting init process\n"
          "  state ID              the OCI state as JSON\n"
          "  kill [--all] ID [SIGNAL]\n"
          "  delete [--force] ID\n"
          "  ps [--format table|json] ID\n"
          "  events [--stats] ID   cgroup statistics as JSON\n"
          "  pause ID, resume ID   freeze and thaw the container's cgroup\n"
          "  features              what this runtime supports, as JSON\n"
          "Environment: CAIRN_OCI_RUNC names the runc used for other bundles\n"
          "(default: runc on PATH).\n");
}

/* Matches "--NAME", "-NAME" (Go's flag package accepts both) and the
** "=VALUE" forms; *pzVal gets the inline value or NULL. */
static bool oci_flag(const char *a, const char *zName, const char **pzVal) {
  if (a[0] != '-') return false;
  a += a[1] == '-' ? 2 : 1;
  size_t n = strlen(zName);
  if (strncmp(a, zName, n) != 0) return false;
  if (a[n] == 0) {
    *pzVal = NULL;
    return true;
  }
  if (a[n] == '=') {
    *pzVal = a + n + 1;
    return true;
  }
  return false;
}

int oci_exec_runc(const OciGlobal *g) {
  const char *zRunc = getenv("CAIRN_OCI_RUNC");
  if (!zRunc || !*zRunc) zRunc = "runc";
  char **av = calloc((size_t)g->argc + 1, sizeof *av);
  if (!av) {
    oci_error(g, "out of memory");
    return 1;
  }
  for (int i = 0; i < g->argc; i++) av[i] = g->argv[i];
  av[0] = (char *)zRunc;
  /* Refuse to exec ourselves (cairn-oci installed as "runc" on PATH). */
  char zSelf[PATH_MAX], zPath[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", zSelf, sizeof zSelf - 1);
  zSelf[n > 0 ? n : 0] = 0;
  const char *zFound = NULL;
  if (strchr(zRunc, '/')) {
    zFound = zRunc;
  } else {
    const char *p = getenv("PATH");
    if (!p) p = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    while (*p && !zFound) {
      const char *e = strchr(p, ':');
      size_t len = e ? (size_t)(e - p) : strlen(p);
      snprintf(zPath, sizeof zPath, "%.*s/%s", (int)len, p, zRunc);
      char zReal[PATH_MAX];
      if (access(zPath, X_OK) == 0 && realpath(zPath, zReal) && strcmp(zReal, zSelf) != 0)
        zFound = zPath;
      p = e ? e + 1 : p + len;
    }
  }
  if (!zFound) {
    oci_error(g, "this bundle is not Wasm and no runc was found to run it (install runc, or set "
                 "CAIRN_OCI_RUNC)");
    free(av);
    return 1;
  }
  execv(zFound, av);
  oci_error(g, "exec %s: %s", zFound, strerror(errno));
  free(av);
  return 1;
}

typedef struct OciCmd {
  const char *zName;
  int (*xRun)(OciGlobal *g, int argc, char **argv);
} OciCmd;

static const OciCmd aOciCmd[] = {
    {"create", oci_cmd_create}, {"start", oci_cmd_start},   {"state", oci_cmd_state},
    {"kill", oci_cmd_kill},     {"delete", oci_cmd_delete}, {"ps", oci_cmd_ps},
    {"events", oci_cmd_events}, {"features", oci_cmd_features}, {"pause", oci_cmd_pause},
    {"resume", oci_cmd_pause},
};

int oci_main(int argc, char **argv) {
  OciGlobal g;
  memset(&g, 0, sizeof g);
  g.zRoot = OCI_DEFAULT_ROOT;
  g.argc = argc;
  g.argv = argv;
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i], *v = NULL;
    if (a[0] != '-') break;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      oci_usage(stdout);
      return 0;
    }
    if (strcmp(a, "-v") == 0 || strcmp(a, "--version") == 0) {
      printf("cairn-oci version %s\nspec: 1.0.2-dev\n", CAIRN_VERSION);
      return 0;
    }
    bool isRoot = oci_flag(a, "root", &v), isLog = !isRoot && oci_flag(a, "log", &v);
    bool isFmt = !isRoot && !isLog && oci_flag(a, "log-format", &v);
    bool isCriu = !isRoot && !isLog && !isFmt && oci_flag(a, "criu", &v);
    bool isRootless = !isRoot && !isLog && !isFmt && !isCriu && oci_flag(a, "rootless", &v);
    if (isRoot || isLog || isFmt || isCriu || isRootless) {
      if (!v && !isRootless) {
        if (i + 1 >= argc) {
          oci_error(&g, "flag needs an argument: %s", a);
          return 1;
        }
        v = argv[++i];
      }
      if (isRoot) g.zRoot = v;
      if (isLog) g.zLog = v;
      if (isFmt) {
        if (strcmp(v, "json") != 0 && strcmp(v, "text") != 0) {
          oci_error(&g, "invalid log-format: %s", v);
          return 1;
        }
        g.logJson = strcmp(v, "json") == 0;
      }
      continue;
    }
    if (oci_flag(a, "systemd-cgroup", &v)) {
      g.systemdCgroup = !v || strcmp(v, "false") != 0;
      continue;
    }
    if (oci_flag(a, "debug", &v)) continue;
    oci_error(&g, "flag provided but not defined: %s", a);
    return 1;
  }
  if (i >= argc) {
    oci_usage(stderr);
    return 1;
  }
  const char *zCmd = argv[i];
  for (size_t k = 0; k < sizeof aOciCmd / sizeof aOciCmd[0]; k++) {
    if (strcmp(zCmd, aOciCmd[k].zName) == 0) return aOciCmd[k].xRun(&g, argc - i, argv + i);
  }
  /* run, exec, update, list, checkpoint, ...: runc's business. */
  return oci_exec_runc(&g);
}
