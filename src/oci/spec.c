/*
** spec.c: the parts of the OCI runtime spec (BUNDLE/config.json) that
** cairn-oci uses: process (args, env, cwd, terminal, rlimits), root,
** hostname, mounts, annotations, linux (namespaces, cgroupsPath,
** resources). Parsed with jansson into an OciSpec that owns copies of the
** strings. Also the Wasm detection rule.
*/
#define _GNU_SOURCE
#include <jansson.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/oci.h"

#define OCI_COMPAT_KEY "module.wasm.image/variant"

static char *spec_strdup(const char *z) {
  return z ? strdup(z) : NULL;
}

/* Makes zPath absolute relative to zBase (malloc'd). */
static char *spec_abs(const char *zBase, const char *zPath) {
  char *z = NULL;
  if (zPath[0] == '/') return strdup(zPath);
  if (asprintf(&z, "%s/%s", zBase, zPath) < 0) return NULL;
  return z;
}

static bool spec_fail(char *zErr, size_t nErr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool spec_fail(char *zErr, size_t nErr, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(zErr, nErr, fmt, ap);
  va_end(ap);
  return false;
}

/* A NULL-terminated copy of a JSON array of strings. */
static bool spec_strings(json_t *a, char ***pOut, size_t *pn, const char *zWhat, char *zErr,
                         size_t nErr) {
  *pOut = NULL;
  *pn = 0;
  if (!a) {
    *pOut = calloc(1, sizeof(char *));
    return *pOut != NULL;
  }
  if (!json_is_array(a)) return spec_fail(zErr, nErr, "config.json: %s must be an array", zWhat);
  size_t n = json_array_size(a);
  char **az = calloc(n + 1, sizeof *az);
  if (!az) return spec_fail(zErr, nErr, "out of memory");
  for (size_t i = 0; i < n; i++) {
    const char *z = json_string_value(json_array_get(a, i));
    if (!z) {
      for (size_t k = 0; k < i; k++) free(az[k]);
      free(az);
      return spec_fail(zErr, nErr, "config.json: %s[%zu] must be a string", zWhat, i);
    }
    az[i] = strdup(z);
  }
  *pOut = az;
  *pn = n;
  return true;
}

static const struct {
  const char *zName;
  int res;
} aRlimitName[] = {
    {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},         {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},     {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING}, {"RLIMIT_STACK", RLIMIT_STACK},
};

static const struct {
  const char *zName;
  int type;
} aNsName[] = {
    {"network", CLONE_NEWNET}, {"ipc", CLONE_NEWIPC},       {"uts", CLONE_NEWUTS},
    {"pid", CLONE_NEWPID},     {"mount", CLONE_NEWNS},      {"user", CLONE_NEWUSER},
    {"cgroup", CLONE_NEWCGROUP},
};

static bool spec_process(json_t *p, OciSpec *s, char *zErr, size_t nErr) {
  if (!json_is_object(p)) return spec_fail(zErr, nErr, "config.json: process must be an object");
  if (!spec_strings(json_object_get(p, "args"), &s->azArgs, &s->nArgs, "process.args", zErr, nErr))
    return false;
  if (!spec_strings(json_object_get(p, "env"), &s->azEnv, &s->nEnv, "process.env", zErr, nErr))
    return false;
  const char *zCwd = json_string_value(json_object_get(p, "cwd"));
  s->zCwd = strdup(zCwd && *zCwd ? zCwd : "/");
  if (s->zCwd[0] != '/') return spec_fail(zErr, nErr, "config.json: process.cwd must be absolute");
  s->terminal = json_is_true(json_object_get(p, "terminal"));
  json_t *oom = json_object_get(p, "oomScoreAdj");
  if (json_is_integer(oom)) {
    s->hasOomScoreAdj = true;
    s->oomScoreAdj = (int)json_integer_value(oom);
  }
  json_t *rl = json_object_get(p, "rlimits");
  if (json_is_array(rl)) {
    s->aRlimit = calloc(json_array_size(rl) + 1, sizeof *s->aRlimit);
    size_t i;
    json_t *e;
    json_array_foreach(rl, i, e) {
      const char *zType = json_string_value(json_object_get(e, "type"));
      size_t k = 0, nk = sizeof aRlimitName / sizeof aRlimitName[0];
      while (k < nk && (!zType || strcmp(zType, aRlimitName[k].zName) != 0)) k++;
      if (k == nk) continue;   /* not one this libc knows: runc's business, if any */
      OciRlimit *r = &s->aRlimit[s->nRlimit++];
      r->resource = aRlimitName[k].res;
      r->soft = (uint64_t)json_integer_value(json_object_get(e, "soft"));
      r->hard = (uint64_t)json_integer_value(json_object_get(e, "hard"));
    }
  }
  return true;
}

static bool spec_linux(json_t *l, OciSpec *s, char *zErr, size_t nErr) {
  if (!l) return true;
  if (!json_is_object(l)) return spec_fail(zErr, nErr, "config.json: linux must be an object");
  json_t *ns = json_object_get(l, "namespaces");
  size_t i;
  json_t *e;
  json_array_foreach(ns, i, e) {
    const char *zType = json_string_value(json_object_get(e, "type"));
    size_t k = 0, nk = sizeof aNsName / sizeof aNsName[0];
    while (k < nk && (!zType || strcmp(zType, aNsName[k].zName) != 0)) k++;
    if (k == nk) continue;   /* e.g. "time": not one a Wasm guest can notice */
    if (s->nNs >= sizeof s->aNs / sizeof s->aNs[0])
      return spec_fail(zErr, nErr, "config.json: too many namespaces");
    const char *zPath = json_string_value(json_object_get(e, "path"));
    s->aNs[s->nNs].type = aNsName[k].type;
    s->aNs[s->nNs].zPath = zPath && *zPath ? strdup(zPath) : NULL;
    s->nNs++;
  }
  s->zCgroupsPath = spec_strdup(json_string_value(json_object_get(l, "cgroupsPath")));
  json_t *r = json_object_get(l, "resources");
  json_t *mem = json_object_get(r, "memory");
  json_t *lim = json_object_get(mem, "limit");
  if (json_is_integer(lim) && json_integer_value(lim) > 0) s->memLimit = json_integer_value(lim);
  json_t *pids = json_object_get(json_object_get(r, "pids"), "limit");
  if (json_is_integer(pids) && json_integer_value(pids) > 0) s->pidsLimit = json_integer_value(pids);
  json_t *cpu = json_object_get(r, "cpu");
  s->cpuShares = json_integer_value(json_object_get(cpu, "shares"));
  s->cpuQuota = json_integer_value(json_object_get(cpu, "quota"));
  s->cpuPeriod = json_integer_value(json_object_get(cpu, "period"));
  return true;
}

bool oci_spec_load(const char *zBundle, OciSpec *s, char *zErr, size_t nErr) {
  memset(s, 0, sizeof *s);
  s->memLimit = -1;
  s->pidsLimit = -1;
  char zAbs[PATH_MAX];
  if (!realpath(zBundle, zAbs))
    return spec_fail(zErr, nErr, "bundle %s: %m", zBundle);
  s->zBundle = strdup(zAbs);
  char *zConfig = NULL;
  if (asprintf(&zConfig, "%s/config.json", zAbs) < 0) return spec_fail(zErr, nErr, "out of memory");
  json_error_t je;
  json_t *doc = json_load_file(zConfig, JSON_REJECT_DUPLICATES, &je);
  free(zConfig);
  if (!doc) {
    if (je.line < 0 || strstr(je.text, "unable to open"))
      return spec_fail(zErr, nErr, "JSON specification file config.json not found");
    return spec_fail(zErr, nErr, "config.json: line %d column %d: %s", je.line, je.column, je.text);
  }
  bool ok = false;
  if (!json_is_object(doc)) {
    spec_fail(zErr, nErr, "config.json: not a JSON object");
    goto out;
  }
  json_t *root = json_object_get(doc, "root");
  const char *zRoot = json_string_value(json_object_get(root, "path"));
  if (!zRoot || !*zRoot) {
    spec_fail(zErr, nErr, "config.json: root.path is missing");
    goto out;
  }
  s->zRootfs = spec_abs(zAbs, zRoot);
  s->rootReadOnly = json_is_true(json_object_get(root, "readonly"));
  struct stat sb;
  if (stat(s->zRootfs, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    spec_fail(zErr, nErr, "rootfs (%s) does not exist", s->zRootfs);
    goto out;
  }
  json_t *proc = json_object_get(doc, "process");
  if (!proc) {
    spec_fail(zErr, nErr, "config.json: process is missing");
    goto out;
  }
  if (!spec_process(proc, s, zErr, nErr)) goto out;
  if (s->nArgs == 0) {
    spec_fail(zErr, nErr, "args must not be empty");
    goto out;
  }
  s->zHostname = spec_strdup(json_string_value(json_object_get(doc, "hostname")));
  json_t *mounts = json_object_get(doc, "mounts");
  size_t i;
  json_t *m;
  s->aMount = calloc(json_array_size(mounts) + 1, sizeof *s->aMount);
  json_array_foreach(mounts, i, m) {
    const char *zType = json_string_value(json_object_get(m, "type"));
    const char *zDest = json_string_value(json_object_get(m, "destination"));
    const char *zSrc = json_string_value(json_object_get(m, "source"));
    bool bind = zType && strcmp(zType, "bind") == 0, ro = false;
    size_t k;
    json_t *o;
    json_array_foreach(json_object_get(m, "options"), k, o) {
      const char *z = json_string_value(o);
      if (!z) continue;
      if (strcmp(z, "bind") == 0 || strcmp(z, "rbind") == 0) bind = true;
      if (strcmp(z, "ro") == 0) ro = true;
    }
    if (!zDest) {
      spec_fail(zErr, nErr, "config.json: mounts[%zu] has no destination", i);
      goto out;
    }
    if (!bind || !zSrc) continue;   /* proc, tmpfs, sysfs, ...: nothing for a Wasm guest */
    OciMount *pm = &s->aMount[s->nMount++];
    pm->zDest = strdup(zDest);
    pm->zSource = spec_abs(zAbs, zSrc);
    pm->readOnly = ro;
  }
  json_t *ann = json_object_get(doc, "annotations");
  if (ann && !json_is_object(ann)) {
    spec_fail(zErr, nErr, "config.json: annotations must be an object");
    goto out;
  }
  const char *zCompat = json_string_value(json_object_get(ann, OCI_COMPAT_KEY));
  s->compatAnnotation = zCompat && strcmp(zCompat, "compat") == 0;
  s->zAnnotations = ann ? json_dumps(ann, JSON_COMPACT) : strdup("{}");
  if (!spec_linux(json_object_get(doc, "linux"), s, zErr, nErr)) goto out;
  ok = true;
out:
  json_decref(doc);
  if (!ok) oci_spec_free(s);
  return ok;
}

void oci_spec_free(OciSpec *s) {
  free(s->zBundle);
  free(s->zRootfs);
  for (size_t i = 0; s->azArgs && s->azArgs[i]; i++) free(s->azArgs[i]);
  free(s->azArgs);
  for (size_t i = 0; s->azEnv && s->azEnv[i]; i++) free(s->azEnv[i]);
  free(s->azEnv);
  free(s->zCwd);
  free(s->zHostname);
  for (size_t i = 0; i < s->nMount; i++) {
    free(s->aMount[i].zDest);
    free(s->aMount[i].zSource);
  }
  free(s->aMount);
  for (size_t i = 0; i < s->nNs; i++) free(s->aNs[i].zPath);
  free(s->aRlimit);
  free(s->zCgroupsPath);
  free(s->zAnnotations);
  memset(s, 0, sizeof *s);
}

char *oci_spec_module_path(const OciSpec *s) {
  if (s->nArgs == 0) return NULL;
  const char *a = s->azArgs[0];
  char *z = NULL;
  int rc = a[0] == '/' ? asprintf(&z, "%s%s", s->zRootfs, a)
                       : asprintf(&z, "%s%s%s%s", s->zRootfs, s->zCwd,
                                  s->zCwd[strlen(s->zCwd) - 1] == '/' ? "" : "/", a);
  return rc < 0 ? NULL : z;
}

static bool spec_has_suffix(const char *z, const char *zSuf) {
  size_t n = strlen(z), m = strlen(zSuf);
  return n >= m && strcmp(z + n - m, zSuf) == 0;
}

bool oci_spec_is_wasm(const OciSpec *s) {
  if (s->compatAnnotation) return true;
  if (s->nArgs == 0) return false;
  const char *a = s->azArgs[0];
  if (!spec_has_suffix(a, ".wasm") && !spec_has_suffix(a, ".cwasm")) return false;
  char *z = oci_spec_module_path(s);
  struct stat sb;
  bool is = z && stat(z, &sb) == 0 && S_ISREG(sb.st_mode);
  free(z);
  return is;
}

const char *oci_spec_getenv(const OciSpec *s, const char *zName) {
  size_t n = strlen(zName);
  const char *zVal = NULL;
  for (size_t i = 0; i < s->nEnv; i++) {
    if (strncmp(s->azEnv[i], zName, n) == 0 && s->azEnv[i][n] == '=') zVal = s->azEnv[i] + n + 1;
  }
  return zVal;
}
