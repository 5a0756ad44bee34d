/*
** wasi.h: WASI preview1 ("wasi_snapshot_preview1") for Cairn instances.
**
** A cairn_wasi holds the state of ONE guest program: its arguments,
** environment, descriptor table (stdio, preopened directories, preopened
** TCP listeners and everything the guest opens) and a pointer to the guest's
** exported linear memory. There is no global state: any number of them can
** live in one process (one per instance).
**
** Flow:
**   cairn_wasi_config cfg;  cairn_wasi_config_init(&cfg);  ...fill...
**   cairn_wasi *w = cairn_wasi_new(store, &cfg, &err);
**   cairn_extern imports[n];                       (n = cairn_module_import_count)
**   cairn_wasi_define_imports(w, module, imports, &err);  (fills the WASI ones)
**   ...fill the other imports, if any...
**   inst = cairn_instance_new(store, module, imports, n, &err);
**   cairn_wasi_bind_instance(w, inst, &err);       (finds the "memory" export)
**   call "_start"; a proc_exit arrives as a trap with err.trap == CAIRN_TRAP_EXIT
**   and err.exit_code set (not a failure).
**   cairn_wasi_free(w);   (after the last call into the instance)
**
** Sandbox: the guest only reaches paths beneath its preopened directories
** (openat2(RESOLVE_BENEATH) or an equivalent component walk, also used when
** openat2 is missing or denied); `..`, absolute paths and symlinks cannot
** leave a preopen, and path_symlink refuses targets that point out of it. A
** read-only preopen (and every descriptor opened beneath it) lacks all rights
** that modify the file system.
**
** Blocking calls (poll_oneoff, fd_read/fd_write on pipes, terminals and
** sockets, sock_accept/recv/send) wait in slices of at most 10 ms and end
** with a CAIRN_TRAP_INTERRUPT trap once cairn_store_interrupt is called on
** the store given to cairn_wasi_new: a deadline stops a sleeping guest too.
*/
#ifndef CAIRN_WASI_H
#define CAIRN_WASI_H

#include "cairn/cairn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A host directory given to the guest under guest_path (e.g. "/" or "."). */
typedef struct cairn_wasi_preopen {
  const char *host_path;
  const char *guest_path;
  bool read_only;        /* no create/write/rename/unlink/... beneath it */
} cairn_wasi_preopen;

/* A file in an in-memory directory: name is one path component (no '/',
** not "." or ".."). data is BORROWED, never copied: it must stay valid
** and unchanged until cairn_wasi_free (or the next cairn_wasi_reset) of
** the WASI state made with it. This is how secrets reach a guest without
** ever touching a file system (docs/trust.md): the embedder keeps them in
** locked memory and wipes them after the run. */
typedef struct cairn_wasi_memfile {
  const char *name;
  const uint8_t *data;
  size_t len;
} cairn_wasi_memfile;

/* A read-only directory that exists only in memory, preopened for the
** guest under guest_path (e.g. "/run/secrets"). The guest may open its
** files for reading, seek, stat them and list the directory; it can
** create, write, rename or delete nothing (ENOTCAPABLE / EROFS), and no
** path leads out of it (there are no subdirectories; ".." is refused). */
typedef struct cairn_wasi_memdir {
  const char *guest_path;
  size_t nfiles;
  const cairn_wasi_memfile *files;
} cairn_wasi_memdir;

/* Everything a guest is given. All strings and arrays are only read during
** cairn_wasi_new (copied); the caller keeps ownership. */
typedef struct cairn_wasi_config {
  size_t argc;
  const char *const *argv;      /* argv[0] is the program name the guest sees */
  size_t envc;
  const char *const *env;       /* "NAME=VALUE" strings */
  size_t npreopens;
  const cairn_wasi_preopen *preopens;
  /* Host fds that become the guest's fds 0, 1 and 2 (cairn_wasi_config_init
  ** sets 0, 1, 2: inherited stdio). -1 leaves that guest fd closed. They are
  ** borrowed: never closed by Cairn, even when the guest closes them. */
  int stdio[3];
  /* Host fds of listening TCP (or Unix stream) sockets, given to the guest as
  ** the next fds after the preopened directories (memdirs included), for
  ** sock_accept. Borrowed like stdio. */
  size_t nlisteners;
  const int *listeners;
  /* In-memory read-only directories, preopened after the host ones (and
  ** before the listeners). Names are copied; file bytes are borrowed. */
  size_t nmemdirs;
  const cairn_wasi_memdir *memdirs;
} cairn_wasi_config;

typedef struct cairn_wasi cairn_wasi;

/* Zeroes cfg and sets stdio to {0, 1, 2}. */
CAIRN_API void cairn_wasi_config_init(cairn_wasi_config *cfg);

/* Creates the WASI state: copies argv/env (wiped again when freed),
** opens every preopen directory
** (an IO error names the one that failed). Host functions it creates later
** belong to store s. Free with cairn_wasi_free. */
CAIRN_API cairn_wasi *cairn_wasi_new(cairn_store *s, const cairn_wasi_config *cfg,
                                     cairn_error *err);

/* For every import of m whose module name is "wasi_snapshot_preview1", stores
** the matching host function (owned by the store) in imports[i]; other
** imports[i] are left untouched. imports has cairn_module_import_count(m)
** entries. Fails with a LINK error ("unknown import" or "incompatible import
** type", naming the function) for a WASI name or type it does not provide.
** Returns the number of entries filled via *nfilled (may be NULL). */
CAIRN_API bool cairn_wasi_define_imports(cairn_wasi *w, const cairn_module *m,
                                         cairn_extern *imports, size_t *nfilled,
                                         cairn_error *err);

/* True if import number i of m is a wasi_snapshot_preview1 import. */
CAIRN_API bool cairn_wasi_is_wasi_import(const cairn_module *m, uint32_t i);

/* After instantiation: makes the instance's exported "memory" the memory the
** host functions read and write. ARG error if there is no such export. */
CAIRN_API bool cairn_wasi_bind_instance(cairn_wasi *w, const cairn_instance *inst,
                                        cairn_error *err);

/* Or sets the memory directly (NULL: every pointer argument faults). */
CAIRN_API void cairn_wasi_set_memory(cairn_wasi *w, cairn_memory *mem);

/* Closes every descriptor the guest opened (borrowed stdio and listener fds
** stay open) and frees w. Host functions created for w must not be called
** afterwards (the store still owns them). NULL is a no-op. */
CAIRN_API void cairn_wasi_free(cairn_wasi *w);

/* ---- memory stdio and reuse (stdio_mem.c) -------------------------------
** For embedders that run a program per request (the serverless node). */

/* A growable output buffer. data is malloc'd and grown by Cairn; the
** embedder owns it (free() it, or reset len to 0 to reuse it). */
typedef struct cairn_wasi_memout {
  uint8_t *data;
  size_t len, cap;
  size_t max;        /* 0: unlimited; a write past it fails (EFBIG) and sets overflow */
  bool overflow;
  bool nomem;        /* a write could not grow data (the guest got ENOMEM): output is
                     ** incomplete even if the guest carried on; reset it with len */
} cairn_wasi_memout;

typedef struct cairn_wasi_memio {
  const uint8_t *in;     /* guest fd 0 reads these bytes, then end of file */
  size_t in_len, in_pos;
  cairn_wasi_memout out; /* guest fd 1 */
  cairn_wasi_memout err; /* guest fd 2 */
  cairn_wasi *wasi;      /* set by cairn_wasi_define_imports_memio */
} cairn_wasi_memio;

/* As cairn_wasi_define_imports, then routes guest fds 0, 1 and 2 to io:
** fd_read on 0 and fd_write on 1 and 2 use io's buffers (no syscall) as long
** as that guest fd is still the configured stdio descriptor (give any host
** fd, e.g. a pipe, in cfg.stdio: it is never read or written; -1 leaves the
** guest fd closed). Other descriptors behave as usual. io is borrowed and
** must outlive every call into the instance; the embedder may refill it
** between runs. */
CAIRN_API bool cairn_wasi_define_imports_memio(cairn_wasi *w, const cairn_module *m,
                                               cairn_extern *imports, cairn_wasi_memio *io,
                                               cairn_error *err);

/* Gives w a new program state from cfg (argv, env, stdio, preopens,
** listeners, exactly as cairn_wasi_new), closing every descriptor the guest
** opened, and keeps the host functions already made for w and the bound
** memory. With cairn_snapshot_restore this runs the same instance again as a
** new program. On failure (as cairn_wasi_new) w is unchanged. */
CAIRN_API bool cairn_wasi_reset(cairn_wasi *w, const cairn_wasi_config *cfg, cairn_error *err);

#ifdef __cplusplus
}
#endif
#endif
