/* A minimal SQLite VFS for the wasm32-wasi build of speedtest1, compiled
** with SQLITE_OS_OTHER=1 (SQLite's unix VFS needs file locking and other
** calls WASI lacks). The benchmark uses only in-memory databases with
** temp storage in memory, so opening a file fails; the VFS supplies the
** clock, sleep and randomness that SQLite asks of every VFS. */
#include <string.h>
#include <time.h>
#include "sqlite3.h"

static int mv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags) {
  (void)vfs; (void)name; (void)flags; (void)out_flags;
  file->pMethods = 0;
  return SQLITE_CANTOPEN;
}

static int mv_delete(sqlite3_vfs *vfs, const char *name, int sync_dir) {
  (void)vfs; (void)name; (void)sync_dir;
  return SQLITE_OK;
}

static int mv_access(sqlite3_vfs *vfs, const char *name, int flags, int *res) {
  (void)vfs; (void)name; (void)flags;
  *res = 0;
  return SQLITE_OK;
}

static int mv_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out) {
  (void)vfs;
  sqlite3_snprintf(n, out, "%s", name);
  return SQLITE_OK;
}

/* Deterministic bytes: the benchmark must produce the same result every run. */
static int mv_randomness(sqlite3_vfs *vfs, int n, char *out) {
  (void)vfs;
  unsigned int x = 0x2545F491u;
  for (int i = 0; i < n; i++) { x = x * 1103515245u + 12345u; out[i] = (char)(x >> 16); }
  return n;
}

static int mv_sleep(sqlite3_vfs *vfs, int micros) { (void)vfs; return micros; }

static int mv_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *t) {
  (void)vfs;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  /* Julian day number in milliseconds: 2440587.5 days is the Unix epoch. */
  *t = (sqlite3_int64)210866760000000LL + (sqlite3_int64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
  return SQLITE_OK;
}

static int mv_current_time(sqlite3_vfs *vfs, double *t) {
  sqlite3_int64 i;
  mv_current_time_int64(vfs, &i);
  *t = (double)i / 86400000.0;
  return SQLITE_OK;
}

static int mv_last_error(sqlite3_vfs *vfs, int n, char *buf) {
  (void)vfs;
  if (n > 0) buf[0] = 0;
  return 0;
}

static sqlite3_vfs mem_vfs = {
  2, (int)sizeof(sqlite3_file), 512, 0, "bench-mem", 0,
  mv_open, mv_delete, mv_access, mv_full_pathname,
  0, 0, 0, 0,   /* no dynamic loading */
  mv_randomness, mv_sleep, mv_current_time, mv_last_error,
  mv_current_time_int64, 0, 0, 0,
};

int sqlite3_os_init(void) { return sqlite3_vfs_register(&mem_vfs, 1); }
int sqlite3_os_end(void) { return SQLITE_OK; }
