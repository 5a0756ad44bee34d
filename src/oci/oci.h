/*
** oci.h: the OCI runtime service (`cairn-oci`, runc's command line) and OCI
** image building (`cairn image build`). One concept per file:
**   cmd.c      global options, subcommand dispatch, hand-off to runc
**   log.c      errors and log lines in runc's text and json formats
**   spec.c     the bundle's config.json (OCI runtime spec) read with jansson
**   state.c    the container's state directory under --root, its status
**   cgroup.c   cgroup v1 / v2 directories, limits, statistics
**   ns.c       namespaces (network, ipc, uts), loopback, rlimits, console
**   init.c     the container's init process: waits on exec.fifo, then runs
**   wasm.c     running the bundle's module with WASI (rootfs preopened as /)
**   lifecycle.c  create, start, state, kill, delete, ps, events, features
**   tar.c      a ustar writer (image layers and the image tarball)
**   image.c    `cairn image build`: a single-layer OCI image of a module
** A client of the public API (cairn/cairn.h, cairn/wasi.h) only.
*/
#ifndef CAIRN_OCI_H
#define CAIRN_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* ---- entry points (called by src/cli) ---- */
/* The runc command line; argv[0] is the program name. Returns the exit
** status (or does not return: hand-off to runc, the init process). */
int oci_main(int argc, char **argv);
/* `cairn image build ...` (argv[0] = "build"). */
int oci_image_main(int argc, char **argv);

/* ---- global options and logging (cmd.c, log.c) ---- */
typedef struct OciGlobal {
  const char *zRoot;        /* state root (default /run/runc) */
  const char *zLog;         /* --log FILE, NULL: stderr only */
  bool logJson;             /* --log-format json */
  bool systemdCgroup;       /* --systemd-cgroup */
  int argc;                 /* the whole original command line, for runc */
  char **argv;
} OciGlobal;

/* Reports an error as runc does: the message on stderr and, with --log, a
** log line at level "error" in the chosen format. */
void oci_error(const OciGlobal *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A log line at another level ("warning", "debug"): the log file only. */
void oci_log(const OciGlobal *g, const char *zLevel, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Replaces this process with the system runc, same arguments. Returns only
** on failure (after reporting it): exit status 1. */
int oci_exec_runc(const OciGlobal *g);

/* ---- the runtime spec (spec.c) ---- */
typedef struct OciMount {
  char *zDest;              /* owned: path in the container */
  char *zSource;            /* owned: host path (bundle-relative made absolute) */
  bool readOnly;
} OciMount;

typedef struct OciNs {
  int type;                 /* CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS, ... */
  char *zPath;              /* owned; NULL: a new namespace */
} OciNs;

typedef struct OciRlimit {
  int resource;             /* RLIMIT_* */
  uint64_t soft, hard;
} OciRlimit;

typedef struct OciSpec {
  char *zBundle;            /* owned, absolute */
  char *zRootfs;            /* owned, absolute */
  bool rootReadOnly;
  char **azArgs;            /* owned, NULL-terminated */
  size_t nArgs;
  char **azEnv;             /* owned, NULL-terminated */
  size_t nEnv;
  char *zCwd;               /* owned ("/" if absent) */
  bool terminal;
  bool hasOomScoreAdj;      /* process.oomScoreAdj given */
  int oomScoreAdj;
  char *zHostname;          /* owned or NULL */
  OciMount *aMount;
  size_t nMount;
  OciNs aNs[8];
  size_t nNs;
  OciRlimit *aRlimit;
  size_t nRlimit;
  char *zCgroupsPath;       /* owned or NULL */
  int64_t memLimit;         /* bytes; -1: none */
  int64_t pidsLimit;        /* -1: none */
  int64_t cpuShares, cpuQuota, cpuPeriod; /* 0: unset */
  char *zAnnotations;       /* owned: the annotations object as compact JSON ("{}") */
  bool compatAnnotation;    /* module.wasm.image/variant=compat */
} OciSpec;

/* Reads BUNDLE/config.json. On failure returns false with a message in
** zErr (runc-like: "config.json: ..."). Free with oci_spec_free. */
bool oci_spec_load(const char *zBundle, OciSpec *s, char *zErr, size_t nErr);
void oci_spec_free(OciSpec *s);
/* The host path of the module a Wasm bundle runs (args[0] in the rootfs,
** relative to cwd if relative), malloc'd; NULL if args is empty. */
char *oci_spec_module_path(const OciSpec *s);
/* True if the bundle is to be run by Cairn: the compat annotation, or
** args[0] names a .wasm/.cwasm file that exists in the rootfs. */
bool oci_spec_is_wasm(const OciSpec *s);
/* The value of env variable zName in the spec's env, or NULL (borrowed). */
const char *oci_spec_getenv(const OciSpec *s, const char *zName);

/* ---- state directory (state.c) ---- */
typedef enum OciStatus { OCI_CREATED, OCI_RUNNING, OCI_PAUSED, OCI_STOPPED } OciStatus;

typedef struct OciState {
  char zId[256];
  char zDir[4096];          /* ROOT/ID */
  pid_t pid;
  unsigned long long startTime; /* /proc/PID/stat field 22, against pid reuse */
  char *zBundle;            /* owned */
  char *zRootfs;            /* owned */
  char *zCreated;           /* owned, RFC 3339 */
  char *zAnnotations;       /* owned JSON object text */
  char *zCgroupsPath;       /* owned: the resolved path inside each hierarchy */
} OciState;

/* A container id is [A-Za-z0-9_+.-]+, not "." or "..". */
bool oci_id_valid(const char *zId);
/* ROOT/ID into out; false if too long. */
bool oci_state_dir(const OciGlobal *g, const char *zId, char *out, size_t n);
/* True if ROOT/ID holds a container of ours (cairn.json). */
bool oci_state_ours(const OciGlobal *g, const char *zId);
bool oci_state_load(const OciGlobal *g, const char *zId, OciState *st, char *zErr, size_t nErr);
bool oci_state_save(const OciState *st, char *zErr, size_t nErr);
void oci_state_free(OciState *st);
OciStatus oci_state_status(const OciState *st);
const char *oci_status_name(OciStatus s);
/* The start time of pid (field 22 of /proc/PID/stat) and whether it is a
** zombie or dead. False if there is no such process. */
bool oci_proc_stat(pid_t pid, unsigned long long *pStart, bool *pZombie);
/* Removes ROOT/ID and everything in it. */
void oci_state_remove(const char *zDir);

/* ---- cgroups (cgroup.c) ---- */
/* The cgroup path of a container: cgroupsPath (systemd "slice:prefix:name"
** with --systemd-cgroup) or "/ID", absolute within every hierarchy. */
bool oci_cgroup_resolve(const OciGlobal *g, const OciSpec *s, const char *zId, char *out,
                        size_t n);
/* Creates the container's cgroup in every hierarchy it uses, applies the
** spec's limits and moves pid there. On failure zErr says why; what was made
** is removed. */
bool oci_cgroup_enter(const char *zPath, const OciSpec *s, pid_t pid, char *zErr, size_t nErr);
/* Removes the cgroup directories (empty ones; a busy one stays). */
void oci_cgroup_remove(const char *zPath);
/* The pids in the container's cgroup, malloc'd; *pn their count. */
pid_t *oci_cgroup_pids(const char *zPath, size_t *pn);
/* Statistics as runc's `events --stats` "data" object, JSON text, malloc'd. */
char *oci_cgroup_stats_json(const char *zPath);
/* True if the cgroup's freezer says FROZEN. */
bool oci_cgroup_frozen(const char *zPath);
/* Freezes (true) or thaws the cgroup. */
bool oci_cgroup_freeze(const char *zPath, bool freeze, char *zErr, size_t nErr);
/* True if this machine mounts cgroup v2 only (unified). */
bool oci_cgroup_is_v2(void);

/* ---- namespaces, rlimits, console (ns.c) ---- */
/* In the init process: joins or creates the network, ipc and uts namespaces
** the spec names (others are not needed by a Wasm guest), brings loopback up
** in a new network namespace, sets the hostname, applies rlimits. */
bool oci_ns_setup(const OciSpec *s, char *zErr, size_t nErr);
/* Opens a pseudo-terminal, sends its master over the unix socket at
** zSocket (as runc: SCM_RIGHTS), makes the slave this process's controlling
** terminal and stdio. */
bool oci_console_setup(const char *zSocket, char *zErr, size_t nErr);

/* ---- init and the Wasm run (init.c, wasm.c) ---- */
typedef struct OciWasm OciWasm;
/* Loads (decodes, validates) the module and prepares its WASI state: the
** rootfs as "/", bind mounts as preopens, args, env, listeners from
** CAIRN_TCPLISTEN, linear memory capped from memory.limit. */
OciWasm *oci_wasm_prepare(const OciSpec *s, char *zErr, size_t nErr);
/* Instantiates and runs _start; returns the exit status (the guest's code,
** 134 on a trap with its message on stderr). Frees w. */
int oci_wasm_run(OciWasm *w);
void oci_wasm_free(OciWasm *w);

/* The lifecycle commands (lifecycle.c); argv[0] is the command name. */
int oci_cmd_create(OciGlobal *g, int argc, char **argv);
int oci_cmd_start(OciGlobal *g, int argc, char **argv);
int oci_cmd_state(OciGlobal *g, int argc, char **argv);
int oci_cmd_kill(OciGlobal *g, int argc, char **argv);
int oci_cmd_delete(OciGlobal *g, int argc, char **argv);
int oci_cmd_ps(OciGlobal *g, int argc, char **argv);
int oci_cmd_events(OciGlobal *g, int argc, char **argv);
int oci_cmd_features(OciGlobal *g, int argc, char **argv);
int oci_cmd_pause(OciGlobal *g, int argc, char **argv);

/* init.c: forks the init process for a Wasm bundle. Returns its pid after
** it reported ready (module loaded, namespaces and cgroup joined, waiting on
** FIFO), or -1 with zErr filled (the child is gone). */
pid_t oci_init_spawn(const OciSpec *s, const char *zCgroup, const char *zFifo,
                     const char *zConsole, char *zErr, size_t nErr);

/* ---- tar (tar.c) ---- */
typedef struct OciTar {
  FILE *f;                  /* not owned */
  bool failed;
} OciTar;
/* Appends a regular file (mode 0644 or 0755) of n bytes, or a directory
** (data NULL, name ending in "/"). */
void oci_tar_add(OciTar *t, const char *zName, const void *data, size_t n, unsigned mode);
/* Writes the two zero blocks that end an archive; false if any write failed. */
bool oci_tar_finish(OciTar *t);

#endif
