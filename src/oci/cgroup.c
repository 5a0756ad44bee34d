/*
** cgroup.c: a container's cgroup, on the layout this machine mounts: cgroup
** v1 (one hierarchy per controller, e.g. /sys/fs/cgroup/memory, found in
** /proc/self/mountinfo) or v2 (one unified hierarchy). The container's cgroup
** is the same path inside every hierarchy: cgroupsPath as given (absolute),
** "/ID" when absent, or with --systemd-cgroup "slice:prefix:name" expanded as
** systemd lays it out (a-b.slice -> /a.slice/a-b.slice/prefix-name.scope).
** A relative cgroupsPath is taken from the hierarchy's root.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/oci.h"

#define CG_MAX 16

typedef struct CgMount {
  char zDir[512];     /* mount point */
  char zOpts[256];    /* super options: controllers */
  bool v2;
} CgMount;

/* The cgroup mounts of this process's mount namespace; v1 hierarchies, or
** the v2 one alone when there is no v1 controller (a hybrid system's
** "unified" mount carries no controller and is skipped). */
static int cg_mounts(CgMount *a) {
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f) return 0;
  char zLine[2048];
  int n = 0, nV2 = -1;
  CgMount v2;
  while (fgets(zLine, sizeof zLine, f) && n < CG_MAX) {
    char *zSep = strstr(zLine, " - ");
    if (!zSep) continue;
    char zFs[64], zSrc[256], zOpts[512];
    if (sscanf(zSep + 3, "%63s %255s %511s", zFs, zSrc, zOpts) != 3) continue;
    bool isV1 = strcmp(zFs, "cgroup") == 0, isV2 = strcmp(zFs, "cgroup2") == 0;
    if (!isV1 && !isV2) continue;
    char zMnt[512];
    /* fields: id parent major:minor root mountpoint ... */
    if (sscanf(zLine, "%*s %*s %*s %*s %511s", zMnt) != 1) continue;
    if (isV2) {
      memset(&v2, 0, sizeof v2);
      snprintf(v2.zDir, sizeof v2.zDir, "%s", zMnt);
      v2.v2 = true;
      nV2 = 1;
      continue;
    }
    snprintf(a[n].zDir, sizeof a[n].zDir, "%s", zMnt);
    snprintf(a[n].zOpts, sizeof a[n].zOpts, "%s", zOpts);
    a[n].v2 = false;
    n++;
  }
  fclose(f);
  if (n == 0 && nV2 > 0) a[n++] = v2;
  return n;
}

bool oci_cgroup_is_v2(void) {
  CgMount a[CG_MAX];
  int n = cg_mounts(a);
  return n == 1 && a[0].v2;
}

static bool cg_has(const CgMount *m, const char *zCtl) {
  if (m->v2) return true;
  size_t n = strlen(zCtl);
  for (const char *p = m->zOpts; (p = strstr(p, zCtl)) != NULL; p += n) {
    bool startOk = p == m->zOpts || p[-1] == ',';
    bool endOk = p[n] == 0 || p[n] == ',';
    if (startOk && endOk) return true;
  }
  return false;
}

/* Appends the systemd slice path of zSlice ("a-b.slice") to out. */
static void cg_slice(const char *zSlice, char *out, size_t n) {
  out[0] = 0;
  if (!*zSlice || strcmp(zSlice, "-.slice") == 0) return;
  size_t len = strlen(zSlice);
  const char *zEnd = len > 6 && strcmp(zSlice + len - 6, ".slice") == 0 ? zSlice + len - 6
                                                                        : zSlice + len;
  for (const char *p = zSlice; p <= zEnd; p++) {
    if (p == zEnd || *p == '-') {
      size_t k = strlen(out);
      snprintf(out + k, n - k, "/%.*s.slice", (int)(p - zSlice), zSlice);
    }
  }
}

bool oci_cgroup_resolve(const OciGlobal *g, const OciSpec *s, const char *zId, char *out,
                        size_t n) {
  const char *z = s->zCgroupsPath;
  int k;
  if (g->systemdCgroup && z && *z && z[0] != '/') {
    /* slice:prefix:name */
    char zCopy[1024];
    snprintf(zCopy, sizeof zCopy, "%s", z);
    char *zPrefix = strchr(zCopy, ':');
    char *zName = zPrefix ? strchr(zPrefix + 1, ':') : NULL;
    if (!zName) return false;
    *zPrefix++ = 0;
    *zName++ = 0;
    char zSlice[1024];
    cg_slice(*zCopy ? zCopy : "system.slice", zSlice, sizeof zSlice);
    k = *zPrefix ? snprintf(out, n, "%s/%s-%s.scope", zSlice, zPrefix, zName)
                 : snprintf(out, n, "%s/%s", zSlice, zName);
  } else if (z && *z) {
    k = snprintf(out, n, "%s%s", z[0] == '/' ? "" : "/", z);
  } else {
    k = snprintf(out, n, "/%s", zId);
  }
  if (k <= 0 || (size_t)k >= n || strstr(out, "/../") || strstr(out, "/..\0")) return false;
  size_t len = strlen(out);
  if (len >= 3 && strcmp(out + len - 3, "/..") == 0) return false;
  return true;
}

static bool cg_write(const char *zDir, const char *zFile, const char *zVal) {
  char z[1200];
  snprintf(z, sizeof z, "%s/%s", zDir, zFile);
  int fd = open(z, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t w = write(fd, zVal, strlen(zVal));
  close(fd);
  return w == (ssize_t)strlen(zVal);
}

/* Reads a small file into out (trailing newline removed). */
static bool cg_read(const char *zDir, const char *zFile, char *out, size_t n) {
  char z[1200];
  snprintf(z, sizeof z, "%s/%s", zDir, zFile);
  int fd = open(z, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t r = read(fd, out, n - 1);
  close(fd);
  if (r < 0) return false;
  out[r] = 0;
  while (r > 0 && (out[r - 1] == '\n' || out[r - 1] == ' ')) out[--r] = 0;
  return true;
}

/* mkdir -p below the mount point; cpuset needs cpus and mems copied down. */
static bool cg_mkdir(const CgMount *m, const char *zPath, char *zErr, size_t nErr) {
  char z[1200];
  snprintf(z, sizeof z, "%s%s", m->zDir, zPath);
  size_t base = strlen(m->zDir);
  for (char *p = z + base + 1;; p++) {
    if (*p != '/' && *p != 0) continue;
    char c = *p;
    *p = 0;
    if (mkdir(z, 0755) != 0 && errno != EEXIST) {
      snprintf(zErr, nErr, "mkdir %s: %s", z, strerror(errno));
      return false;
    }
    if (cg_has(m, "cpuset") && !m->v2) {
      char zVal[256], zParent[1200];
      snprintf(zParent, sizeof zParent, "%s", z);
      *strrchr(zParent, '/') = 0;
      const char *azF[] = {"cpuset.cpus", "cpuset.mems"};
      for (int i = 0; i < 2; i++) {
        if (cg_read(z, azF[i], zVal, sizeof zVal) && !zVal[0] &&
            cg_read(zParent, azF[i], zVal, sizeof zVal))
          cg_write(z, azF[i], zVal);
      }
    }
    if (m->v2 && c) {
      /* let the child use the controllers the limits need */
      cg_write(z, "cgroup.subtree_control", "+memory");
      cg_write(z, "cgroup.subtree_control", "+pids");
      cg_write(z, "cgroup.subtree_control", "+cpu");
    }
    *p = c;
    if (!c) break;
  }
  return true;
}

bool oci_cgroup_enter(const char *zPath, const OciSpec *s, pid_t pid, char *zErr, size_t nErr) {
  CgMount a[CG_MAX];
  int n = cg_mounts(a);
  if (n == 0) {
    snprintf(zErr, nErr, "no cgroup file system is mounted");
    return false;
  }
  char zDir[1200], zVal[64];
  if (a[0].v2) {
    snprintf(zDir, sizeof zDir, "%s", a[0].zDir);
    cg_write(zDir, "cgroup.subtree_control", "+memory");
    cg_write(zDir, "cgroup.subtree_control", "+pids");
    cg_write(zDir, "cgroup.subtree_control", "+cpu");
  }
  for (int i = 0; i < n; i++) {
    const CgMount *m = &a[i];
    if (!cg_mkdir(m, zPath, zErr, nErr)) goto fail;
    snprintf(zDir, sizeof zDir, "%s%s", m->zDir, zPath);
    if (s->memLimit > 0 && cg_has(m, "memory")) {
      snprintf(zVal, sizeof zVal, "%lld", (long long)s->memLimit);
      if (!cg_write(zDir, m->v2 ? "memory.max" : "memory.limit_in_bytes", zVal)) {
        snprintf(zErr, nErr, "setting the memory limit %s in %s: %s", zVal, zDir, strerror(errno));
        goto fail;
      }
    }
    if (s->pidsLimit > 0 && cg_has(m, "pids")) {
      snprintf(zVal, sizeof zVal, "%lld", (long long)s->pidsLimit);
      cg_write(zDir, "pids.max", zVal);
    }
    if (!m->v2 && cg_has(m, "cpu")) {
      if (s->cpuShares > 0) {
        snprintf(zVal, sizeof zVal, "%lld", (long long)s->cpuShares);
        cg_write(zDir, "cpu.shares", zVal);
      }
      if (s->cpuPeriod > 0) {
        snprintf(zVal, sizeof zVal, "%lld", (long long)s->cpuPeriod);
        cg_write(zDir, "cpu.cfs_period_us", zVal);
      }
      if (s->cpuQuota != 0) {
        snprintf(zVal, sizeof zVal, "%lld", (long long)s->cpuQuota);
        cg_write(zDir, "cpu.cfs_quota_us", zVal);
      }
    } else if (m->v2 && s->cpuQuota > 0) {
      snprintf(zVal, sizeof zVal, "%lld %lld", (long long)s->cpuQuota,
               (long long)(s->cpuPeriod > 0 ? s->cpuPeriod : 100000));
      cg_write(zDir, "cpu.max", zVal);
    }
    snprintf(zVal, sizeof zVal, "%d", (int)pid);
    if (!cg_write(zDir, "cgroup.procs", zVal)) {
      snprintf(zErr, nErr, "joining the cgroup %s: %s", zDir, strerror(errno));
      goto fail;
    }
  }
  return true;
fail:
  oci_cgroup_remove(zPath);
  return false;
}

void oci_cgroup_remove(const char *zPath) {
  CgMount a[CG_MAX];
  int n = cg_mounts(a);
  if (!zPath || !*zPath || strcmp(zPath, "/") == 0) return;
  for (int i = 0; i < n; i++) {
    char zDir[1200];
    snprintf(zDir, sizeof zDir, "%s%s", a[i].zDir, zPath);
    /* a cgroup whose last process just exited may still be busy a moment */
    for (int k = 0; k < 50 && rmdir(zDir) != 0 && errno == EBUSY; k++) usleep(2000);
  }
}

/* The directory of the container's cgroup in the first hierarchy that has
** controller zCtl (or any, for NULL). */
static bool cg_dir(const char *zPath, const char *zCtl, char *out, size_t n) {
  CgMount a[CG_MAX];
  int k = cg_mounts(a);
  for (int i = 0; i < k; i++) {
    if (zCtl && !cg_has(&a[i], zCtl)) continue;
    snprintf(out, n, "%s%s", a[i].zDir, zPath);
    return access(out, F_OK) == 0;
  }
  return false;
}

pid_t *oci_cgroup_pids(const char *zPath, size_t *pn) {
  *pn = 0;
  char zDir[1200], z[1300];
  if (!cg_dir(zPath, "pids", zDir, sizeof zDir) && !cg_dir(zPath, "memory", zDir, sizeof zDir) &&
      !cg_dir(zPath, NULL, zDir, sizeof zDir))
    return NULL;
  snprintf(z, sizeof z, "%s/cgroup.procs", zDir);
  FILE *f = fopen(z, "re");
  if (!f) return NULL;
  size_t cap = 16;
  pid_t *a = malloc(cap * sizeof *a);
  int v;
  while (a && fscanf(f, "%d", &v) == 1) {
    if (*pn == cap) {
      pid_t *b = realloc(a, (cap *= 2) * sizeof *a);
      if (!b) break;
      a = b;
    }
    a[(*pn)++] = (pid_t)v;
  }
  fclose(f);
  return a;
}

static long long cg_num(const char *zDir, const char *zFile) {
  char z[128];
  if (!cg_read(zDir, zFile, z, sizeof z)) return 0;
  if (strcmp(z, "max") == 0) return 0;
  return strtoll(z, NULL, 10);
}

/* One "key value" line of a stat file. */
static long long cg_stat_key(const char *zDir, const char *zFile, const char *zKey) {
  char z[1200];
  snprintf(z, sizeof z, "%s/%s", zDir, zFile);
  FILE *f = fopen(z, "re");
  if (!f) return 0;
  char k[128];
  long long v, r = 0;
  while (fscanf(f, "%127s %lld", k, &v) == 2) {
    if (strcmp(k, zKey) == 0) {
      r = v;
      break;
    }
  }
  fclose(f);
  return r;
}

char *oci_cgroup_stats_json(const char *zPath) {
  char zMem[1200] = "", zCpu[1200] = "", zPids[1200] = "";
  bool v2 = oci_cgroup_is_v2();
  bool hasMem = cg_dir(zPath, "memory", zMem, sizeof zMem);
  bool hasCpu = cg_dir(zPath, v2 ? "cpu" : "cpuacct", zCpu, sizeof zCpu);
  bool hasPids = cg_dir(zPath, "pids", zPids, sizeof zPids);
  long long memUsage = 0, memMax = 0, memLimit = 0, memFail = 0, cpuTotal = 0, cpuUser = 0,
            cpuSys = 0, pidsCur = 0, pidsMax = 0;
  if (hasMem) {
    memUsage = cg_num(zMem, v2 ? "memory.current" : "memory.usage_in_bytes");
    memMax = v2 ? cg_num(zMem, "memory.peak") : cg_num(zMem, "memory.max_usage_in_bytes");
    memLimit = cg_num(zMem, v2 ? "memory.max" : "memory.limit_in_bytes");
    memFail = v2 ? cg_stat_key(zMem, "memory.events", "max") : cg_num(zMem, "memory.failcnt");
  }
  if (hasCpu) {
    if (v2) {
      cpuTotal = cg_stat_key(zCpu, "cpu.stat", "usage_usec") * 1000;
      cpuUser = cg_stat_key(zCpu, "cpu.stat", "user_usec") * 1000;
      cpuSys = cg_stat_key(zCpu, "cpu.stat", "system_usec") * 1000;
    } else {
      cpuTotal = cg_num(zCpu, "cpuacct.usage");
      cpuUser = cg_num(zCpu, "cpuacct.usage_user");
      cpuSys = cg_num(zCpu, "cpuacct.usage_sys");
    }
  }
  if (hasPids) {
    pidsCur = cg_num(zPids, "pids.current");
    pidsMax = cg_num(zPids, "pids.max");
  }
  char *z = NULL;
  if (asprintf(&z,
               "{\"cpu\":{\"usage\":{\"total\":%lld,\"kernel\":%lld,\"user\":%lld},"
               "\"throttling\":{}},"
               "\"memory\":{\"usage\":{\"limit\":%lld,\"usage\":%lld,\"max\":%lld,"
               "\"failcnt\":%lld},\"swap\":{\"limit\":0,\"usage\":0,\"max\":0,\"failcnt\":0},"
               "\"kernel\":{\"limit\":0,\"usage\":0,\"max\":0,\"failcnt\":0},"
               "\"kernelTCP\":{\"limit\":0,\"failcnt\":0}},"
               "\"pids\":{\"current\":%lld,\"limit\":%lld},\"blkio\":{},\"hugetlb\":{}}",
               cpuTotal, cpuSys, cpuUser, memLimit, memUsage, memMax, memFail, pidsCur,
               pidsMax) < 0)
    return NULL;
  return z;
}

bool oci_cgroup_frozen(const char *zPath) {
  char zDir[1200], z[64];
  if (oci_cgroup_is_v2()) {
    return cg_dir(zPath, NULL, zDir, sizeof zDir) && cg_read(zDir, "cgroup.freeze", z, sizeof z) &&
           strcmp(z, "1") == 0;
  }
  return cg_dir(zPath, "freezer", zDir, sizeof zDir) &&
         cg_read(zDir, "freezer.state", z, sizeof z) && strcmp(z, "FROZEN") == 0;
}

bool oci_cgroup_freeze(const char *zPath, bool freeze, char *zErr, size_t nErr) {
  char zDir[1200];
  bool v2 = oci_cgroup_is_v2();
  if (!cg_dir(zPath, v2 ? NULL : "freezer", zDir, sizeof zDir)) {
    snprintf(zErr, nErr, "the container has no freezer cgroup");
    return false;
  }
  bool ok = v2 ? cg_write(zDir, "cgroup.freeze", freeze ? "1" : "0")
               : cg_write(zDir, "freezer.state", freeze ? "FROZEN" : "THAWED");
  if (!ok) {
    snprintf(zErr, nErr, "writing the freezer state in %s: %s", zDir, strerror(errno));
    return false;
  }
  /* v1 passes through FREEZING; runc waits for FROZEN too */
  for (int k = 0; k < 1000 && oci_cgroup_frozen(zPath) != freeze; k++) {
    if (!v2 && freeze && k % 50 == 49) cg_write(zDir, "freezer.state", "FROZEN");
    usleep(1000);
  }
  if (oci_cgroup_frozen(zPath) != freeze) {
    snprintf(zErr, nErr, "the cgroup %s did not %s", zDir, freeze ? "freeze" : "thaw");
    return false;
  }
  return true;
}
