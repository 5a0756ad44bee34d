/* wasm2c-wasi.c: the few WASI preview1 calls a command module such as speedtest1
** imports, for a module turned into C by Debian's wasm2c (wabt 1.0.32) under the
** module name "m" (wasm2c-ref.sh). A reference for measurements only (docs/benchmarks.md,
** "speedtest1 through another Wasm-to-C compiler"), not part of Cairn: no preopens, no
** files, stdin/stdout/stderr only. A module importing more fails to link. Built with -w:
** the stubs leave their parameters unused. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "m.h"

/* WASI errno values */
enum { E_BADF = 8, E_INVAL = 28, E_IO = 29, E_NOTSUP = 58, E_SPIPE = 70, E_NOTCAPABLE = 76 };
enum { FILETYPE_CHARACTER_DEVICE = 2 };

typedef struct Z_wasi_snapshot_preview1_instance_t W;
struct Z_wasi_snapshot_preview1_instance_t {
  Z_m_instance_t *inst;
};
static int g_argc;
static char **g_argv;

static u8 *M(W *w) {
  return w->inst->w2c_memory.data;
}
static void st32(u8 *m, u32 a, u32 v) {
  memcpy(m + a, &v, 4);
}
static void st64(u8 *m, u32 a, u64 v) {
  memcpy(m + a, &v, 8);
}
static u32 ld32(u8 *m, u32 a) {
  u32 v;
  memcpy(&v, m + a, 4);
  return v;
}

u32 Z_wasi_snapshot_preview1Z_args_sizes_get(W *w, u32 pc, u32 ps) {
  u32 n = 0;
  for (int i = 0; i < g_argc; i++) n += strlen(g_argv[i]) + 1;
  st32(M(w), pc, g_argc);
  st32(M(w), ps, n);
  return 0;
}
u32 Z_wasi_snapshot_preview1Z_args_get(W *w, u32 pv, u32 pb) {
  u8 *m = M(w);
  for (int i = 0; i < g_argc; i++) {
    size_t l = strlen(g_argv[i]) + 1;
    st32(m, pv + 4 * i, pb);
    memcpy(m + pb, g_argv[i], l);
    pb += l;
  }
  return 0;
}
u32 Z_wasi_snapshot_preview1Z_clock_time_get(W *w, u32 id, u64 prec, u32 p) {
  static const clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                  CLOCK_THREAD_CPUTIME_ID};
  if (id > 3) return E_INVAL;
  struct timespec ts;
  clock_gettime(ids[id], &ts);
  st64(M(w), p, (u64)ts.tv_sec * 1000000000u + ts.tv_nsec);
  return 0;
}
u32 Z_wasi_snapshot_preview1Z_fd_fdstat_get(W *w, u32 fd, u32 p) {
  if (fd > 2) return E_BADF;
  u8 *m = M(w);
  memset(m + p, 0, 24);
  m[p] = FILETYPE_CHARACTER_DEVICE;
  st64(m, p + 8, ~0ull);  /* rights */
  st64(m, p + 16, ~0ull); /* inherited rights */
  return 0;
}

/* fd_read on stdin, fd_write on stdout and stderr */
static u32 rw(W *w, int wr, u32 fd, u32 iov, u32 n, u32 pn) {
  u8 *m = M(w);
  u32 tot = 0;
  for (u32 i = 0; i < n; i++) {
    u32 b = ld32(m, iov + 8 * i), l = ld32(m, iov + 8 * i + 4);
    ssize_t r = wr ? write(fd, m + b, l) : read(fd, m + b, l);
    if (r < 0) return E_IO;
    tot += r;
    if ((u32)r < l) break;
  }
  st32(m, pn, tot);
  return 0;
}
u32 Z_wasi_snapshot_preview1Z_fd_read(W *w, u32 fd, u32 iov, u32 n, u32 pn) {
  return fd == 0 ? rw(w, 0, fd, iov, n, pn) : E_BADF;
}
u32 Z_wasi_snapshot_preview1Z_fd_write(W *w, u32 fd, u32 iov, u32 n, u32 pn) {
  return fd == 1 || fd == 2 ? rw(w, 1, fd, iov, n, pn) : E_BADF;
}

/* no other descriptors, no preopened directories */
u32 Z_wasi_snapshot_preview1Z_fd_close(W *w, u32 fd) {
  return E_BADF;
}
u32 Z_wasi_snapshot_preview1Z_fd_fdstat_set_flags(W *w, u32 fd, u32 f) {
  return E_NOTSUP;
}
u32 Z_wasi_snapshot_preview1Z_fd_prestat_get(W *w, u32 fd, u32 p) {
  return E_BADF;
}
u32 Z_wasi_snapshot_preview1Z_fd_prestat_dir_name(W *w, u32 fd, u32 p, u32 l) {
  return E_BADF;
}
u32 Z_wasi_snapshot_preview1Z_fd_seek(W *w, u32 fd, u64 o, u32 wh, u32 p) {
  return E_SPIPE;
}
u32 Z_wasi_snapshot_preview1Z_path_open(W *w, u32 dir, u32 flags, u32 path, u32 len, u32 oflags,
                                        u64 rights, u64 inherit, u32 fdflags, u32 pfd) {
  return E_NOTCAPABLE;
}
u32 Z_wasi_snapshot_preview1Z_path_unlink_file(W *w, u32 dir, u32 path, u32 len) {
  return E_NOTCAPABLE;
}
void Z_wasi_snapshot_preview1Z_proc_exit(W *w, u32 code) {
  exit((int)code);
}

int main(int argc, char **argv) {
  g_argc = argc;
  g_argv = argv;
  wasm_rt_init();
  Z_m_init_module();
  static Z_m_instance_t inst;
  static W wasi = {&inst};
  Z_m_instantiate(&inst, &wasi);
  Z_mZ__start(&inst);
  return 0;
}
