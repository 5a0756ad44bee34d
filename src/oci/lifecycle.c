/*
** lifecycle.c: the commands containerd's runc shim calls, for Wasm
** containers (those whose state directory holds cairn.json); a command on
** any other ID is handed to runc unchanged. Errors and exit codes follow
** runc: "container does not exist", "container not running", "container
** with given ID already exists", exit status 1.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cairn/cairn.h"
#include "oci/oci.h"

/* ---- option parsing shared by the commands ---- */

typedef struct CmdFlag {
  const char *zLong;
  char cShort;          /* 0: none */
  bool takesValue;
  const char **pzVal;   /* value, or "1" for a boolean that is set */
} CmdFlag;

static int cmd_args_error(const OciGlobal *g, const char *zCmd, const char *zHow, int n) {
  const char *zProg = strrchr(g->argv[0], '/');
  zProg = zProg ? zProg + 1 : g->argv[0];
  oci_error(g, "%s: \"%s\" requires %s%d argument(s)", zProg, zCmd, zHow, n);
  return 1;
}

/* Parses argv[1..] against aFlag; positionals go to azPos (at most nPos,
** the count in *pnPos). Returns false after reporting an unknown flag. */
static bool cmd_parse(const OciGlobal *g, int argc, char **argv, const CmdFlag *aFlag,
                      const char **azPos, int nPos, int *pnPos) {
  *pnPos = 0;
  bool flagsDone = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!flagsDone && strcmp(a, "--") == 0) {
      flagsDone = true;
      continue;
    }
    if (flagsDone || a[0] != '-' || a[1] == 0) {
      if (*pnPos < nPos) azPos[*pnPos] = a;
      (*pnPos)++;
      continue;
    }
    const char *zName = a + (a[1] == '-' ? 2 : 1);
    const char *zEq = strchr(zName, '=');
    size_t nName = zEq ? (size_t)(zEq - zName) : strlen(zName);
    const CmdFlag *f = NULL;
    for (const CmdFlag *p = aFlag; p && p->zLong; p++) {
      if ((strlen(p->zLong) == nName && strncmp(p->zLong, zName, nName) == 0) ||
          (p->cShort && nName == 1 && zName[0] == p->cShort)) {
        f = p;
        break;
      }
    }
    if (!f) {
      oci_error(g, "flag provided but not defined: %s", a);
      return false;
    }
    if (f->takesValue) {
      if (zEq) {
        *f->pzVal = zEq + 1;
      } else if (i + 1 < argc) {
        *f->pzVal = argv[++i];
      } else {
        oci_error(g, "flag needs an argument: %s", a);
        return false;
      }
    } else if (f->pzVal) {
      *f->pzVal = zEq && strcmp(zEq + 1, "false") == 0 ? NULL : "1";
    }
  }
  return true;
}

static void cmd_now(char *z, size_t n) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  char zSec[32];
  strftime(zSec, sizeof zSec, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(z, n, "%s.%09ldZ", zSec, ts.tv_nsec);
}

/* mkdir -p with mode. */
static bool cmd_mkdirs(const char *zPath, mode_t mode) {
  char z[4096];
  snprintf(z, sizeof z, "%s", zPath);
  for (char *p = z + 1;; p++) {
    if (*p != '/' && *p != 0) continue;
    char c = *p;
    *p = 0;
    if (mkdir(z, mode) != 0 && errno != EEXIST) return false;
    *p = c;
    if (!c) break;
  }
  return true;
}

static bool cmd_write_pidfile(const char *zFile, pid_t pid, char *zErr, size_t nErr) {
  char zTmp[4200];
  const char *zSlash = strrchr(zFile, '/');
  if (zSlash)
    snprintf(zTmp, sizeof zTmp, "%.*s/.%s", (int)(zSlash - zFile), zFile, zSlash + 1);
  else
    snprintf(zTmp, sizeof zTmp, ".%s", zFile);
  FILE *f = fopen(zTmp, "we");
  if (!f || fprintf(f, "%d", (int)pid) < 0 || fclose(f) != 0 || rename(zTmp, zFile) != 0) {
    snprintf(zErr, nErr, "writing the pid file %s: %s", zFile, strerror(errno));
    unlink(zTmp);
    return false;
  }
  return true;
}

/* ---- create ---- */

int oci_cmd_create(OciGlobal *g, int argc, char **argv) {
  const char *zBundle = NULL, *zPidFile = NULL, *zConsole = NULL, *zIgnored = NULL;
  CmdFlag aFlag[] = {
      {"bundle", 'b', true, &zBundle},          {"pid-file", 0, true, &zPidFile},
      {"console-socket", 0, true, &zConsole},   {"no-pivot", 0, false, &zIgnored},
      {"no-new-keyring", 0, false, &zIgnored},  {"preserve-fds", 0, true, &zIgnored},
      {"pidfd-socket", 0, true, &zIgnored},     {"detach", 'd', false, &zIgnored},
      {NULL, 0, false, NULL}};
  const char *azPos[1];
  int nPos;
  if (!cmd_parse(g, argc, argv, aFlag, azPos, 1, &nPos)) return 1;
  if (nPos != 1) return cmd_args_error(g, argv[0], "exactly ", 1);
  const char *zId = azPos[0];
  char zErr[2048];
  OciSpec s;
  if (!oci_spec_load(zBundle ? zBundle : ".", &s, zErr, sizeof zErr)) {
    oci_error(g, "%s", zErr);
    return 1;
  }
  if (!oci_spec_is_wasm(&s)) {
    oci_spec_free(&s);
    return oci_exec_runc(g);
  }
  int rc = 1;
  OciState st;
  memset(&st, 0, sizeof st);
  char zCg[1024];
  bool madeDir = false;
  if (!oci_id_valid(zId)) {
    oci_error(g, "invalid container ID format: %s", zId);
    goto out;
  }
  if (!oci_cgroup_resolve(g, &s, zId, zCg, sizeof zCg)) {
    oci_error(g, "invalid cgroupsPath: %s", s.zCgroupsPath ? s.zCgroupsPath : "");
    goto out;
  }
  if (!cmd_mkdirs(g->zRoot, 0700)) {
    oci_error(g, "creating the state root %s: %s", g->zRoot, strerror(errno));
    goto out;
  }
  if (!oci_state_dir(g, zId, st.zDir, sizeof st.zDir)) {
    oci_error(g, "state path too long");
    goto out;
  }
  if (mkdir(st.zDir, 0711) != 0) {
    if (errno == EEXIST)
      oci_error(g, "container with given ID already exists");
    else
      oci_error(g, "creating %s: %s", st.zDir, strerror(errno));
    goto out;
  }
  madeDir = true;
  char zFifo[4200];
  snprintf(zFifo, sizeof zFifo, "%s/exec.fifo", st.zDir);
  if (mkfifo(zFifo, 0622) != 0) {
    oci_error(g, "mkfifo %s: %s", zFifo, strerror(errno));
    goto out;
  }
  pid_t pid = oci_init_spawn(&s, zCg, zFifo, zConsole, zErr, sizeof zErr);
  if (pid < 0) {
    oci_error(g, "%s", zErr);
    oci_cgroup_remove(zCg);
    goto out;
  }
  snprintf(st.zId, sizeof st.zId, "%s", zId);
  st.pid = pid;
  oci_proc_stat(pid, &st.startTime, NULL);
  st.zBundle = strdup(s.zBundle);
  st.zRootfs = strdup(s.zRootfs);
  char zNow[64];
  cmd_now(zNow, sizeof zNow);
  st.zCreated = strdup(zNow);
  st.zAnnotations = strdup(s.zAnnotations);
  st.zCgroupsPath = strdup(zCg);
  if (!oci_state_save(&st, zErr, sizeof zErr) ||
      (zPidFile && !cmd_write_pidfile(zPidFile, pid, zErr, sizeof zErr))) {
    oci_error(g, "%s", zErr);
    kill(pid, SIGKILL);
    for (int k = 0; k < 500 && oci_state_status(&st) != OCI_STOPPED; k++) usleep(2000);
    oci_cgroup_remove(zCg);
    goto out;
  }
  rc = 0;
out:
  if (rc != 0 && madeDir) oci_state_remove(st.zDir);
  oci_state_free(&st);
  oci_spec_free(&s);
  return rc;
}

/* ---- the commands on an existing container ---- */

/* Loads the state of a container of ours; *pRunc set if the ID is runc's. */
static bool cmd_load(OciGlobal *g, const char *zId, OciState *st, bool *pRunc) {
  char zErr[512];
  *pRunc = false;
  if (!oci_state_ours(g, zId)) {
    *pRunc = true;
    return false;
  }
  if (!oci_state_load(g, zId, st, zErr, sizeof zErr)) {
    oci_error(g, "%s", zErr);
    return false;
  }
  return true;
}

#define CMD_ONE_ID(zCmd)                                              \
  do {                                                                \
    if (nPos != 1) return cmd_args_error(g, zCmd, "exactly ", 1);    \
  } while (0)

int oci_cmd_start(OciGlobal *g, int argc, char **argv) {
  const char *azPos[1];
  int nPos;
  if (!cmd_parse(g, argc, argv, NULL, azPos, 1, &nPos)) return 1;
  CMD_ONE_ID("start");
  OciState st;
  bool runc;
  if (!cmd_load(g, azPos[0], &st, &runc)) return runc ? oci_exec_runc(g) : 1;
  int rc = 1;
  OciStatus status = oci_state_status(&st);
  if (status == OCI_STOPPED) {
    oci_error(g, "cannot start a container that has stopped");
    goto out;
  }
  if (status != OCI_CREATED) {
    oci_error(g, "cannot start an already running container");
    goto out;
  }
  char zFifo[4200];
  snprintf(zFifo, sizeof zFifo, "%s/exec.fifo", st.zDir);
  int fd = open(zFifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    oci_error(g, "cannot start an already running container");
    goto out;
  }
  for (;;) {
    struct pollfd pfd = {fd, POLLIN, 0};
    int n = poll(&pfd, 1, 50);
    if (n > 0) {
      char c;
      ssize_t r = read(fd, &c, 1);
      if (r == 1) break;
      if (r < 0 && errno == EAGAIN) continue;
      close(fd);
      oci_error(g, "cannot start a container that has stopped");
      goto out;
    }
    if (oci_state_status(&st) == OCI_STOPPED) {
      close(fd);
      oci_error(g, "cannot start a container that has stopped");
      goto out;
    }
  }
  close(fd);
  unlink(zFifo);
  rc = 0;
out:
  oci_state_free(&st);
  return rc;
}

int oci_cmd_state(OciGlobal *g, int argc, char **argv) {
  const char *azPos[1];
  int nPos;
  if (!cmd_parse(g, argc, argv, NULL, azPos, 1, &nPos)) return 1;
  CMD_ONE_ID("state");
  OciState st;
  bool runc;
  if (!cmd_load(g, azPos[0], &st, &runc)) return runc ? oci_exec_runc(g) : 1;
  OciStatus status = oci_state_status(&st);
  json_error_t je;
  json_t *ann = json_loads(st.zAnnotations, 0, &je);
  json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:s}", "ociVersion", "1.0.2-dev",
                        "id", st.zId, "pid", (json_int_t)(status == OCI_STOPPED ? 0 : st.pid),
                        "status", oci_status_name(status), "bundle", st.zBundle, "rootfs",
                        st.zRootfs, "created", st.zCreated, "annotations",
                        ann ? ann : json_object(), "owner", "");
  char *z = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
  json_decref(o);
  oci_state_free(&st);
  if (!z) {
    oci_error(g, "out of memory");
    return 1;
  }
  printf("%s\n", z);
  free(z);
  return 0;
}

static const struct {
  const char *z;
  int sig;
} aSig[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},     {"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP}, {"ABRT", SIGABRT},   {"IOT", SIGIOT},   {"BUS", SIGBUS},
    {"FPE", SIGFPE},   {"KILL", SIGKILL},   {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2}, {"PIPE", SIGPIPE},   {"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"CHLD", SIGCHLD}, {"CONT", SIGCONT},   {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},   {"URG", SIGURG},   {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
    {"IO", SIGIO},     {"PWR", SIGPWR},     {"SYS", SIGSYS},
};

static int cmd_signal(const char *z) {
  char *end;
  long v = strtol(z, &end, 10);
  if (*z && !*end) return v > 0 && v < NSIG ? (int)v : -1;
  if (strncasecmp(z, "SIG", 3) == 0) z += 3;
  for (size_t i = 0; i < sizeof aSig / sizeof aSig[0]; i++) {
    if (strcasecmp(z, aSig[i].z) == 0) return aSig[i].sig;
  }
  return -1;
}

int oci_cmd_kill(OciGlobal *g, int argc, char **argv) {
  const char *zAll = NULL;
  CmdFlag aFlag[] = {{"all", 'a', false, &zAll}, {NULL, 0, false, NULL}};
  const char *azPos[2];
  int nPos;
  if (!cmd_parse(g, argc, argv, aFlag, azPos, 2, &nPos)) return 1;
  if (nPos < 1 || nPos > 2) {
    if (nPos < 1) return cmd_args_error(g, "kill", "a minimum of ", 1);
    return cmd_args_error(g, "kill", "a maximum of ", 2);
  }
  int sig = cmd_signal(nPos == 2 ? azPos[1] : "SIGTERM");
  OciState st;
  bool runc;
  if (!cmd_load(g, azPos[0], &st, &runc)) return runc ? oci_exec_runc(g) : 1;
  int rc = 1;
  if (sig < 0) {
    oci_error(g, "unknown signal \"%s\"", azPos[1]);
    goto out;
  }
  if (oci_state_status(&st) == OCI_STOPPED) {
    oci_error(g, "container not running");
    goto out;
  }
  if (zAll) {
    size_t n;
    pid_t *a = oci_cgroup_pids(st.zCgroupsPath, &n);
    for (size_t i = 0; i < n; i++) kill(a[i], sig);
    free(a);
    if (n == 0) kill(st.pid, sig);
  } else if (kill(st.pid, sig) != 0) {
    oci_error(g, errno == ESRCH ? "container not running" : "kill: %s", strerror(errno));
    goto out;
  }
  rc = 0;
out:
  oci_state_free(&st);
  return rc;
}

/* Kills the init (and anything left in its cgroup) and waits until it has
** exited; a zombie waiting for the shim to reap it counts as stopped. */
static void cmd_kill_wait(OciState *st) {
  if (st->zCgroupsPath && oci_cgroup_frozen(st->zCgroupsPath)) {
    char zErr[256];
    oci_cgroup_freeze(st->zCgroupsPath, false, zErr, sizeof zErr);
  }
  size_t n;
  pid_t *a = oci_cgroup_pids(st->zCgroupsPath, &n);
  for (size_t i = 0; i < n; i++) kill(a[i], SIGKILL);
  free(a);
  if (oci_state_status(st) != OCI_STOPPED) kill(st->pid, SIGKILL);
  for (int k = 0; k < 5000 && oci_state_status(st) != OCI_STOPPED; k++) usleep(2000);
}

int oci_cmd_delete(OciGlobal *g, int argc, char **argv) {
  const char *zForce = NULL;
  CmdFlag aFlag[] = {{"force", 'f', false, &zForce}, {NULL, 0, false, NULL}};
  const char *azPos[1];
  int nPos;
  if (!cmd_parse(g, argc, argv, aFlag, azPos, 1, &nPos)) return 1;
  CMD_ONE_ID("delete");
  OciState st;
  bool runc;
  if (!cmd_load(g, azPos[0], &st, &runc)) return runc ? oci_exec_runc(g) : 1;
  OciStatus status = oci_state_status(&st);
  if ((status == OCI_RUNNING || status == OCI_PAUSED) && !zForce) {
    oci_error(g, "cannot delete container %s that is not stopped: %s", st.zId,
              oci_status_name(status));
    oci_state_free(&st);
    return 1;
  }
  if (status != OCI_STOPPED) cmd_kill_wait(&st);
  oci_cgroup_remove(st.zCgroupsPath);
  oci_state_remove(st.zDir);
  oci_state_free(&st);
  return 0;
}

int oci_cmd_ps(OciGlobal *g, int argc, char **argv) {
  const char *zFormat = "table";
  CmdFlag aFlag[] = {{"format", 'f', true, &zFormat}, {NULL, 0, false, NULL}};
  const char *azPos[8];
  int nPos;
  if (!cmd_parse(g, argc, argv, aFlag, azPos, 8, &nPos)) return 1;
  if (nPos < 1) return cmd_args_error(g, "ps", "a minimum of ", 1);
  OciState st;
  bool runc;
  if (!cmd_load(g, azPos[0], &st, &runc)) return runc ? oci_exec_runc(g) : 1;
  size_t n = 0;
  pid_t *a = NULL;
  if (oci_state_status(&st) != OCI_STOPPED) {
    a = oci_cgroup_pids(st.zCgroupsPath, &n);
    if (n == 0) {
      free(a);
      a = malloc(sizeof *a);
      if (a) a[n++] = st.pid;
    }
  }
  oci_state_free(&st);
  int rc = 0;
  if (strcmp(zFormat, "json") == 0) {
    printf("[");
    for (size_t i = 0; i < n; i++) printf("%s%d", i ? "," : "", (int)a[i]);
    printf("]\n");
  } else if (strcmp(zFormat, "table") == 0) {
    printf("%-8s %-8s %s\n", "PID", "STATE", "CMD");
    for (size_t i = 0; i < n; i++) {
      char zPath[64], zComm[64] = "";
      snprintf(zPath, sizeof zPath, "/proc/%d/comm", (int)a[i]);
      FILE *f = fopen(zPath, "re");
      if (f) {
        if (!fgets(zComm, sizeof zComm, f)) zComm[0] = 0;
        fclose(f);
      }
      zComm[strcspn(zComm, "\n")] = 0;
      printf("%-8d %-8s %s\n", (int)a[i], "running", zComm);
    }
  } else {
    oci_error(g, "invalid format option");
    rc = 1;
  }
  free(a);
  return rc;
}

int oci_cmd_events(OciGlobal *g, int argc, char **argv) {
  const char *zStats = NULL, *zInterval = "5s";
  CmdFlag aFlag[] = {{"stats", 0, false, &zStats}, {"interval", 0, true, &zInterval},
                     {NULL, 0, false, NULL}};
  const char *azPos[1];
  int nPos;
  if (!cmd_parse(g, argc, argv, aFlag, azPos, 1, &nPos)) return 1;
  CMD_ONE_ID("events");
  OciState st;
  bool runc;
  if (!cmd_load(g, azPos[0], &st, &runc)) return runc ? oci_exec_runc(g) : 1;
  int rc = 0;
  double secs = strtod(zInterval, NULL);
  if (strstr(zInterval, "ms")) secs /= 1000;
  else if (strchr(zInterval, 'm')) secs *= 60;
  if (secs <= 0) secs = 5;
  for (;;) {
    if (oci_state_status(&st) == OCI_STOPPED) {
      oci_error(g, "container with id %s is not running", st.zId);
      rc = 1;
      break;
    }
    char *z = oci_cgroup_stats_json(st.zCgroupsPath);
    printf("{\"type\":\"stats\",\"id\":\"%s\",\"data\":%s}\n", st.zId, z ? z : "{}");
    fflush(stdout);
    free(z);
    if (zStats) break;
    usleep((useconds_t)(secs * 1e6));
  }
  oci_state_free(&st);
  return rc;
}

int oci_cmd_pause(OciGlobal *g, int argc, char **argv) {
  bool pause = strcmp(argv[0], "pause") == 0;
  const char *azPos[1];
  int nPos;
  if (!cmd_parse(g, argc, argv, NULL, azPos, 1, &nPos)) return 1;
  CMD_ONE_ID(argv[0]);
  OciState st;
  bool runc;
  if (!cmd_load(g, azPos[0], &st, &runc)) return runc ? oci_exec_runc(g) : 1;
  OciStatus status = oci_state_status(&st);
  int rc = 1;
  char zErr[512];
  if (pause && status != OCI_RUNNING && status != OCI_CREATED) {
    oci_error(g, "container not running");
  } else if (!pause && status != OCI_PAUSED) {
    oci_error(g, "container not paused");
  } else if (!oci_cgroup_freeze(st.zCgroupsPath, pause, zErr, sizeof zErr)) {
    oci_error(g, "%s", zErr);
  } else {
    rc = 0;
  }
  oci_state_free(&st);
  return rc;
}

int oci_cmd_features(OciGlobal *g, int argc, char **argv) {
  (void)g;
  (void)argc;
  (void)argv;
  printf("{\n"
         "  \"ociVersionMin\": \"1.0.0\",\n"
         "  \"ociVersionMax\": \"1.0.2-dev\",\n"
         "  \"hooks\": [],\n"
         "  \"mountOptions\": [\"bind\", \"rbind\", \"ro\", \"rw\"],\n"
         "  \"linux\": {\n"
         "    \"namespaces\": [\"network\", \"ipc\", \"uts\"],\n"
         "    \"capabilities\": [],\n"
         "    \"cgroup\": {\"v1\": true, \"v2\": true, \"systemd\": false, \"systemdUser\": false},\n"
         "    \"seccomp\": {\"enabled\": false},\n"
         "    \"apparmor\": {\"enabled\": false},\n"
         "    \"selinux\": {\"enabled\": false}\n"
         "  },\n"
         "  \"annotations\": {\n"
         "    \"io.github.cairn.runtime\": \"cairn-oci %s: Wasm bundles (module.wasm.image/variant=compat "
         "or a .wasm/.cwasm args[0]) run in Cairn; others are handed to runc\"\n"
         "  }\n"
         "}\n",
         CAIRN_VERSION);
  return 0;
}
