/*
** log.c: errors and log lines as runc writes them, so containerd's shim can
** read the reason of a failure: the message alone on stderr, and with --log a
** line in the log file, either text (time="..." level=error msg="...") or
** json ({"level":"error","msg":"...","time":"..."}), the format the shim
** parses with --log-format json.
*/
#define _GNU_SOURCE
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci/oci.h"

static void log_time(char *z, size_t n) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  char zSec[32];
  strftime(zSec, sizeof zSec, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(z, n, "%s.%09ldZ", zSec, ts.tv_nsec);
}

/* Appends one line to the --log file (opened per line: the file is shared
** with other invocations; O_APPEND keeps lines whole). */
static void log_write(const OciGlobal *g, const char *zLevel, const char *zMsg) {
  if (!g || !g->zLog) return;
  char zTime[64];
  log_time(zTime, sizeof zTime);
  char *zLine = NULL;
  if (g->logJson) {
    json_t *o = json_pack("{s:s, s:s, s:s}", "level", zLevel, "msg", zMsg, "time", zTime);
    if (!o) return;
    char *z = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!z) return;
    if (asprintf(&zLine, "%s\n", z) < 0) zLine = NULL;
    free(z);
  } else {
    /* logrus text format: msg quoted, quotes and backslashes escaped */
    json_t *s = json_string(zMsg);
    char *zq = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
    json_decref(s);
    if (!zq) return;
    if (asprintf(&zLine, "time=\"%s\" level=%s msg=%s\n", zTime, zLevel, zq) < 0) zLine = NULL;
    free(zq);
  }
  if (!zLine) return;
  int fd = open(g->zLog, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) {
    ssize_t w = write(fd, zLine, strlen(zLine));
    (void)w;
    close(fd);
  }
  free(zLine);
}

void oci_error(const OciGlobal *g, const char *fmt, ...) {
  char zMsg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(zMsg, sizeof zMsg, fmt, ap);
  va_end(ap);
  log_write(g, "error", zMsg);
  fprintf(stderr, "%s\n", zMsg);
  fflush(stderr);
}

void oci_log(const OciGlobal *g, const char *zLevel, const char *fmt, ...) {
  char zMsg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(zMsg, sizeof zMsg, fmt, ap);
  va_end(ap);
  log_write(g, zLevel, zMsg);
}
