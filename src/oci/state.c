/*
** state.c: a Wasm container's state directory, ROOT/ID (the layout runc
** uses, so one --root serves both): cairn.json (the saved state: pid, its
** start time, bundle, creation time, annotations, cgroup path) and
** exec.fifo while the init process waits for `start`. A directory without
** cairn.json belongs to runc. The status comes from the process itself:
** alive with exec.fifo present: created; alive: running (paused if its
** freezer is frozen); gone, a zombie or another process with that pid:
** stopped.
*/
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/oci.h"

bool oci_id_valid(const char *zId) {
  if (!*zId || strcmp(zId, ".") == 0 || strcmp(zId, "..") == 0 || strlen(zId) > 200) return false;
  for (const char *p = zId; *p; p++) {
    char c = *p;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '+' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool oci_state_dir(const OciGlobal *g, const char *zId, char *out, size_t n) {
  int k = snprintf(out, n, "%s/%s", g->zRoot, zId);
  return k > 0 && (size_t)k < n;
}

bool oci_state_ours(const OciGlobal *g, const char *zId) {
  char zDir[4096], zFile[4200];
  if (!oci_id_valid(zId) || !oci_state_dir(g, zId, zDir, sizeof zDir)) return false;
  snprintf(zFile, sizeof zFile, "%s/cairn.json", zDir);
  return access(zFile, F_OK) == 0;
}

bool oci_proc_stat(pid_t pid, unsigned long long *pStart, bool *pZombie) {
  char zPath[64], zBuf[1024];
  snprintf(zPath, sizeof zPath, "/proc/%d/stat", (int)pid);
  int fd = open(zPath, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = read(fd, zBuf, sizeof zBuf - 1);
  close(fd);
  if (n <= 0) return false;
  zBuf[n] = 0;
  /* "pid (comm) S ..." : comm may hold spaces and parentheses */
  char *p = strrchr(zBuf, ')');
  if (!p || p[1] != ' ') return false;
  p += 2;
  char state = *p;
  /* fields from 3 (state) on; starttime is field 22 */
  int field = 3;
  while (*p && field < 22) {
    if (*p++ == ' ') field++;
  }
  if (pStart) *pStart = strtoull(p, NULL, 10);
  if (pZombie) *pZombie = state == 'Z' || state == 'X' || state == 'x';
  return true;
}

static char *state_str(json_t *o, const char *k) {
  const char *z = json_string_value(json_object_get(o, k));
  return strdup(z ? z : "");
}

bool oci_state_load(const OciGlobal *g, const char *zId, OciState *st, char *zErr, size_t nErr) {
  memset(st, 0, sizeof *st);
  if (!oci_id_valid(zId) || !oci_state_dir(g, zId, st->zDir, sizeof st->zDir)) {
    snprintf(zErr, nErr, "container does not exist");
    return false;
  }
  snprintf(st->zId, sizeof st->zId, "%s", zId);
  char zFile[4200];
  snprintf(zFile, sizeof zFile, "%s/cairn.json", st->zDir);
  json_error_t je;
  json_t *o = json_load_file(zFile, 0, &je);
  if (!o) {
    snprintf(zErr, nErr, "container does not exist");
    return false;
  }
  st->pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
  st->startTime = (unsigned long long)json_integer_value(json_object_get(o, "start_time"));
  st->zBundle = state_str(o, "bundle");
  st->zRootfs = state_str(o, "rootfs");
  st->zCreated = state_str(o, "created");
  st->zCgroupsPath = state_str(o, "cgroup");
  json_t *ann = json_object_get(o, "annotations");
  st->zAnnotations = json_dumps(ann ? ann : json_object(), JSON_COMPACT);
  json_decref(o);
  return true;
}

bool oci_state_save(const OciState *st, char *zErr, size_t nErr) {
  json_error_t je;
  json_t *ann = json_loads(st->zAnnotations ? st->zAnnotations : "{}", 0, &je);
  json_t *o = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:o}", "id", st->zId, "pid",
                        (json_int_t)st->pid, "start_time", (json_int_t)st->startTime, "bundle",
                        st->zBundle, "rootfs", st->zRootfs, "created", st->zCreated, "cgroup",
                        st->zCgroupsPath ? st->zCgroupsPath : "", "annotations",
                        ann ? ann : json_object());
  if (!o) {
    snprintf(zErr, nErr, "out of memory");
    return false;
  }
  char zTmp[4200], zFile[4200];
  snprintf(zTmp, sizeof zTmp, "%s/.cairn.json.tmp", st->zDir);
  snprintf(zFile, sizeof zFile, "%s/cairn.json", st->zDir);
  int rc = json_dump_file(o, zTmp, JSON_COMPACT);
  json_decref(o);
  if (rc != 0 || rename(zTmp, zFile) != 0) {
    snprintf(zErr, nErr, "writing %s: %s", zFile, strerror(errno));
    unlink(zTmp);
    return false;
  }
  return true;
}

void oci_state_free(OciState *st) {
  free(st->zBundle);
  free(st->zRootfs);
  free(st->zCreated);
  free(st->zAnnotations);
  free(st->zCgroupsPath);
  st->zBundle = st->zRootfs = st->zCreated = st->zAnnotations = st->zCgroupsPath = NULL;
}

OciStatus oci_state_status(const OciState *st) {
  unsigned long long start;
  bool zombie;
  if (st->pid <= 0 || !oci_proc_stat(st->pid, &start, &zombie) || zombie ||
      start != st->startTime)
    return OCI_STOPPED;
  char zFifo[4200];
  snprintf(zFifo, sizeof zFifo, "%s/exec.fifo", st->zDir);
  if (access(zFifo, F_OK) == 0) return OCI_CREATED;
  if (st->zCgroupsPath && *st->zCgroupsPath && oci_cgroup_frozen(st->zCgroupsPath))
    return OCI_PAUSED;
  return OCI_RUNNING;
}

const char *oci_status_name(OciStatus s) {
  switch (s) {
    case OCI_CREATED: return "created";
    case OCI_RUNNING: return "running";
    case OCI_PAUSED: return "paused";
    case OCI_STOPPED: return "stopped";
  }
  return "unknown";
}

void oci_state_remove(const char *zDir) {
  DIR *d = opendir(zDir);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      char z[4400];
      snprintf(z, sizeof z, "%s/%s", zDir, e->d_name);
      unlink(z);
    }
    closedir(d);
  }
  rmdir(zDir);
}
