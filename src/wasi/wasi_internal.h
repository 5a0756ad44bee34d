/*
** wasi_internal.h: the state of one WASI guest (descriptor table, argv/env,
** bound memory), preview1 constants (errno, rights, flags, struct layouts),
** guest-memory accessors, and the implementations' signatures shared by the
** files of src/wasi/. Only the public Cairn API is used from here on.
*/
#ifndef CAIRN_WASI_INTERNAL_H
#define CAIRN_WASI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "cairn/cairn.h"
#include "cairn/wasi.h"

/* ---- errno (wasi_snapshot_preview1 values) ---- */
enum {
  WASI_ESUCCESS = 0, WASI_E2BIG = 1, WASI_EACCES = 2, WASI_EADDRINUSE = 3,
  WASI_EADDRNOTAVAIL = 4, WASI_EAFNOSUPPORT = 5, WASI_EAGAIN = 6, WASI_EALREADY = 7,
  WASI_EBADF = 8, WASI_EBADMSG = 9, WASI_EBUSY = 10, WASI_ECANCELED = 11,
  WASI_ECHILD = 12, WASI_ECONNABORTED = 13, WASI_ECONNREFUSED = 14, WASI_ECONNRESET = 15,
  WASI_EDEADLK = 16, WASI_EDESTADDRREQ = 17, WASI_EDOM = 18, WASI_EDQUOT = 19,
  WASI_EEXIST = 20, WASI_EFAULT = 21, WASI_EFBIG = 22, WASI_EHOSTUNREACH = 23,
  WASI_EIDRM = 24, WASI_EILSEQ = 25, WASI_EINPROGRESS = 26, WASI_EINTR = 27,
  WASI_EINVAL = 28, WASI_EIO = 29, WASI_EISCONN = 30, WASI_EISDIR = 31,
  WASI_ELOOP = 32, WASI_EMFILE = 33, WASI_EMLINK = 34, WASI_EMSGSIZE = 35,
  WASI_EMULTIHOP = 36, WASI_ENAMETOOLONG = 37, WASI_ENETDOWN = 38, WASI_ENETRESET = 39,
  WASI_ENETUNREACH = 40, WASI_ENFILE = 41, WASI_ENOBUFS = 42, WASI_ENODEV = 43,
  WASI_ENOENT = 44, WASI_ENOEXEC = 45, WASI_ENOLCK = 46, WASI_ENOLINK = 47,
  WASI_ENOMEM = 48, WASI_ENOMSG = 49, WASI_ENOPROTOOPT = 50, WASI_ENOSPC = 51,
  WASI_ENOSYS = 52, WASI_ENOTCONN = 53, WASI_ENOTDIR = 54, WASI_ENOTEMPTY = 55,
  WASI_ENOTRECOVERABLE = 56, WASI_ENOTSOCK = 57, WASI_ENOTSUP = 58, WASI_ENOTTY = 59,
  WASI_ENXIO = 60, WASI_EOVERFLOW = 61, WASI_EOWNERDEAD = 62, WASI_EPERM = 63,
  WASI_EPIPE = 64, WASI_EPROTO = 65, WASI_EPROTONOSUPPORT = 66, WASI_EPROTOTYPE = 67,
  WASI_ERANGE = 68, WASI_EROFS = 69, WASI_ESPIPE = 70, WASI_ESRCH = 71,
  WASI_ESTALE = 72, WASI_ETIMEDOUT = 73, WASI_ETXTBSY = 74, WASI_EXDEV = 75,
  WASI_ENOTCAPABLE = 76
};

/* ---- rights ---- */
#define WR(n) ((uint64_t)1 << (n))
#define R_FD_DATASYNC WR(0)
#define R_FD_READ WR(1)
#define R_FD_SEEK WR(2)
#define R_FD_FDSTAT_SET_FLAGS WR(3)
#define R_FD_SYNC WR(4)
#define R_FD_TELL WR(5)
#define R_FD_WRITE WR(6)
#define R_FD_ADVISE WR(7)
#define R_FD_ALLOCATE WR(8)
#define R_PATH_CREATE_DIRECTORY WR(9)
#define R_PATH_CREATE_FILE WR(10)
#define R_PATH_LINK_SOURCE WR(11)
#define R_PATH_LINK_TARGET WR(12)
#define R_PATH_OPEN WR(13)
#define R_FD_READDIR WR(14)
#define R_PATH_READLINK WR(15)
#define R_PATH_RENAME_SOURCE WR(16)
#define R_PATH_RENAME_TARGET WR(17)
#define R_PATH_FILESTAT_GET WR(18)
#define R_PATH_FILESTAT_SET_SIZE WR(19)
#define R_PATH_FILESTAT_SET_TIMES WR(20)
#define R_FD_FILESTAT_GET WR(21)
#define R_FD_FILESTAT_SET_SIZE WR(22)
#define R_FD_FILESTAT_SET_TIMES WR(23)
#define R_PATH_SYMLINK WR(24)
#define R_PATH_REMOVE_DIRECTORY WR(25)
#define R_PATH_UNLINK_FILE WR(26)
#define R_POLL_FD_READWRITE WR(27)
#define R_SOCK_SHUTDOWN WR(28)
#define R_SOCK_ACCEPT WR(29)
#define R_ALL (WR(30) - 1)

#define R_FILE_BASE                                                                     \
  (R_FD_DATASYNC | R_FD_READ | R_FD_SEEK | R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC | R_FD_TELL | \
   R_FD_WRITE | R_FD_ADVISE | R_FD_ALLOCATE | R_FD_FILESTAT_GET | R_FD_FILESTAT_SET_SIZE |  \
   R_FD_FILESTAT_SET_TIMES | R_POLL_FD_READWRITE)
#define R_DIR_BASE                                                                        \
  (R_FD_DATASYNC | R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC | R_PATH_CREATE_DIRECTORY |           \
   R_PATH_CREATE_FILE | R_PATH_LINK_SOURCE | R_PATH_LINK_TARGET | R_PATH_OPEN |              \
   R_FD_READDIR | R_PATH_READLINK | R_PATH_RENAME_SOURCE | R_PATH_RENAME_TARGET |            \
   R_PATH_FILESTAT_GET | R_PATH_FILESTAT_SET_SIZE | R_PATH_FILESTAT_SET_TIMES |              \
   R_FD_FILESTAT_GET | R_FD_FILESTAT_SET_TIMES | R_PATH_SYMLINK | R_PATH_REMOVE_DIRECTORY |  \
   R_PATH_UNLINK_FILE | R_POLL_FD_READWRITE)
#define R_SOCK_BASE                                                                       \
  (R_FD_READ | R_FD_WRITE | R_FD_FDSTAT_SET_FLAGS | R_FD_FILESTAT_GET | R_POLL_FD_READWRITE | \
   R_SOCK_SHUTDOWN)
/* Rights a read-only preopen never grants. */
#define R_MODIFY                                                                          \
  (R_FD_DATASYNC | R_FD_WRITE | R_FD_ALLOCATE | R_PATH_CREATE_DIRECTORY |                   \
   R_PATH_CREATE_FILE | R_PATH_LINK_SOURCE | R_PATH_LINK_TARGET | R_PATH_RENAME_SOURCE |     \
   R_PATH_RENAME_TARGET | R_PATH_FILESTAT_SET_SIZE | R_PATH_FILESTAT_SET_TIMES |             \
   R_FD_FILESTAT_SET_SIZE | R_FD_FILESTAT_SET_TIMES | R_PATH_SYMLINK |                       \
   R_PATH_REMOVE_DIRECTORY | R_PATH_UNLINK_FILE)

/* ---- other enums ---- */
enum { WASI_FT_UNKNOWN = 0, WASI_FT_BLOCK = 1, WASI_FT_CHAR = 2, WASI_FT_DIR = 3,
       WASI_FT_FILE = 4, WASI_FT_SOCK_DGRAM = 5, WASI_FT_SOCK_STREAM = 6, WASI_FT_SYMLINK = 7 };
enum { WASI_FDF_APPEND = 1, WASI_FDF_DSYNC = 2, WASI_FDF_NONBLOCK = 4, WASI_FDF_RSYNC = 8,
       WASI_FDF_SYNC = 16 };
enum { WASI_O_CREAT = 1, WASI_O_DIRECTORY = 2, WASI_O_EXCL = 4, WASI_O_TRUNC = 8 };
enum { WASI_LOOKUP_SYMLINK_FOLLOW = 1 };
enum { WASI_FST_ATIM = 1, WASI_FST_ATIM_NOW = 2, WASI_FST_MTIM = 4, WASI_FST_MTIM_NOW = 8 };

/* What a descriptor is, beyond its WASI filetype. */
enum { WASI_KIND_FILE = 0, WASI_KIND_DIR, WASI_KIND_STDIO, WASI_KIND_LISTENER,
       WASI_KIND_SOCKET, WASI_KIND_MEMDIR, WASI_KIND_MEMFILE };
/* The host fd of an in-memory directory or file (memdir.c): not a
** descriptor (any syscall on it fails with EBADF), and not a free slot
** (-1). */
#define WASI_HOST_MEM (-2)

typedef struct WasiFd {
  int host;               /* host fd; -1: the slot is free */
  uint8_t filetype;       /* WASI_FT_* */
  uint8_t kind;           /* WASI_KIND_* */
  bool borrowed;          /* host fd belongs to the embedder: never closed */
  bool read_only;         /* beneath a read-only preopen */
  uint64_t rights, inheriting;
  char *preopen;          /* guest name of a preopened dir (owned), else NULL */
  size_t preopen_len;
  uint32_t mdir;          /* MEMDIR/MEMFILE: index in cairn_wasi.mdirs */
  uint32_t mfile;         /* MEMFILE: index of the file in that directory */
  uint64_t mpos;          /* MEMFILE: read position */
} WasiFd;

/* An in-memory read-only directory (memdir.c): names copied, bytes
** borrowed from the embedder (cairn_wasi_memdir). */
typedef struct WasiMemDir {
  char **names;           /* owned */
  const uint8_t **data;   /* borrowed */
  size_t *len;
  size_t n;
} WasiMemDir;

typedef struct WasiBinding WasiBinding;

struct cairn_wasi {
  cairn_store *store;
  cairn_memory *mem;
  char **argv; size_t argc; size_t argv_bytes;   /* strings + NULs */
  char **env; size_t envc; size_t env_bytes;
  WasiFd *fds; uint32_t nfds;                     /* table (slots may be free) */
  WasiBinding *binds;                              /* one per WASI function, lazily */
  cairn_func **funcs;                              /* per WASI function, lazily */
  bool no_openat2;                                 /* kernel lacks it (or forced for tests) */
  WasiMemDir *mdirs; size_t nmdirs;                /* in-memory directories */
};

/* An implementation: returns a WASI errno (>= 0), or -1 after filling trap. */
typedef int (*wasi_impl)(cairn_wasi *w, const cairn_val *a, cairn_error *trap);

/* ---- guest memory (all access goes through these) ---- */
/* Host pointer to [off, off+len) of guest memory, or NULL if out of bounds
** (or no memory bound). Valid until the guest memory grows. */
uint8_t *wasi_mem(cairn_wasi *w, uint64_t off, uint64_t len);
bool wasi_get_u32(cairn_wasi *w, uint32_t off, uint32_t *v);
bool wasi_put_u8(cairn_wasi *w, uint32_t off, uint8_t v);
bool wasi_put_u16(cairn_wasi *w, uint32_t off, uint16_t v);
bool wasi_put_u32(cairn_wasi *w, uint32_t off, uint32_t v);
bool wasi_put_u64(cairn_wasi *w, uint32_t off, uint64_t v);
static inline void wasi_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void wasi_le32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void wasi_le64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint16_t wasi_rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t wasi_rd32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t wasi_rd64(const uint8_t *p) {
  return (uint64_t)wasi_rd32(p) | (uint64_t)wasi_rd32(p + 4) << 32;
}

/* Argument accessors. */
#define A32(i) ((uint32_t)a[i].of.i32)
#define A64(i) ((uint64_t)a[i].of.i64)

/* ---- descriptor table (wasi.c) ---- */
/* The entry for guest fd, or NULL (BADF). If need_rights is non-zero and the
** entry lacks any of them, *err is ENOTCAPABLE and NULL is returned. */
WasiFd *wasi_fd_get(cairn_wasi *w, uint32_t fd, uint64_t need_rights, int *err);
/* Adds host fd as the lowest free guest fd (owns host). Returns the guest fd
** or -1 (table full: the host fd is closed then). */
int64_t wasi_fd_add(cairn_wasi *w, int host, uint8_t filetype, uint8_t kind,
                    uint64_t rights, uint64_t inheriting, bool read_only);
/* Closes the host fd (unless borrowed) and frees the slot. */
void wasi_fd_release(cairn_wasi *w, uint32_t fd);
/* WASI filetype of a host st_mode. */
uint8_t wasi_filetype(unsigned mode);

/* ---- fd.c helpers shared with path.c ---- */
struct stat;
struct timespec;
/* Writes a 64-byte WASI filestat. */
void wasi_write_filestat(uint8_t *p, const struct stat *st);
struct iovec;
/* Converts guest iovecs at ptr (n of them, at most 1024 used) into host
** iovecs, bounds-checking each buffer. *iov is `small` (64 entries) or
** malloc'd (caller frees if != small). Returns a WASI errno. */
int wasi_iovs(cairn_wasi *w, uint32_t ptr, uint32_t n, struct iovec *small,
              struct iovec **iov, int *niov);
/* Validates fstflags and builds utimensat times. Returns a WASI errno. */
int wasi_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2]);

/* ---- bounded waits (poll.c) ----
** A blocking call waits in slices of at most this long and tests the store's
** interrupt between them. */
#define WASI_WAIT_SLICE_NS 10000000
/* True if w's store has an interrupt pending; then fills trap (if not NULL)
** with the CAIRN_TRAP_INTERRUPT trap the calling host function returns. */
bool wasi_interrupted(cairn_wasi *w, cairn_error *trap);
/* Waits until host fd is ready for events (POLLIN or POLLOUT), an error or
** a hangup, in slices. Returns at once for a descriptor in O_NONBLOCK mode
** (its I/O call answers EAGAIN). Returns 0, or -1 after filling trap when an
** interrupt arrives first. */
int wasi_wait_fd(cairn_wasi *w, int fd, short events, cairn_error *trap);
/* Socket I/O that blocks only in wasi_wait_fd (MSG_DONTWAIT underneath), for
** sock_recv/sock_send and fd_read/fd_write on sockets (sock.c). Sends
** everything unless the socket is in O_NONBLOCK mode; receives what is
** there (all of it with MSG_WAITALL). Returns a WASI errno, or -1 (trap
** filled) on interrupt; *done gets the byte count, *mflags the recvmsg
** msg_flags. iov is consumed (advanced). */
int wasi_sock_io(cairn_wasi *w, int host, bool send, struct iovec *iov, int niov, int flags,
                 size_t *done, int *mflags, cairn_error *trap);

/* ---- in-memory read-only directories (memdir.c) ----
** Each returns -1 when fd is not an in-memory one (the caller goes on with
** the host file system), else a WASI errno. */
/* Copies d's names into w (cairn_wasi_new) for the preopen f just made. */
bool wasi_memdir_add(cairn_wasi *w, const cairn_wasi_memdir *d, WasiFd *f);
#define WASI_MEM_DIR_RIGHTS (R_PATH_OPEN | R_FD_READDIR | R_PATH_FILESTAT_GET | R_FD_FILESTAT_GET)
#define WASI_MEM_FILE_RIGHTS (R_FD_READ | R_FD_SEEK | R_FD_TELL | R_FD_FILESTAT_GET)
void wasi_memdir_free(cairn_wasi *w);
int wasi_mem_path_open(cairn_wasi *w, WasiFd *d, const cairn_val *a);
int wasi_mem_path_filestat(cairn_wasi *w, uint32_t fd, uint32_t ptr, uint32_t len, uint32_t out);
int wasi_mem_read(cairn_wasi *w, WasiFd *f, int pread, uint32_t iovs, uint32_t niovs,
                  uint64_t offset, uint32_t out);
int wasi_mem_seek(cairn_wasi *w, WasiFd *f, int64_t off, uint32_t whence, uint32_t out);
int wasi_mem_filestat(cairn_wasi *w, WasiFd *f, uint32_t out);
int wasi_mem_readdir(cairn_wasi *w, WasiFd *f, uint32_t buf, uint32_t len, uint64_t cookie,
                     uint32_t out);

/* ---- errno mapping (errno.c) ---- */
int wasi_errno(int host_errno);

/* ---- sandboxed path resolution (resolve.c) ---- */
/* Copies a guest path (len bytes at guest offset ptr) into *out (malloc'd,
** NUL-terminated; caller frees). Returns a WASI errno (EFAULT, EILSEQ for an
** embedded NUL or bad UTF-8, EPERM for an absolute path). */
int wasi_path_copy(cairn_wasi *w, uint32_t ptr, uint32_t len, char **out);
/* Opens path beneath dirfd with open(2) flags (O_NOFOLLOW decides whether a
** final symlink is followed) and mode. Returns a host fd or -(host errno);
** escapes are -EPERM. */
int wasi_open_beneath(cairn_wasi *w, int dirfd, const char *path, int flags, unsigned mode);
/* Opens the parent directory of path beneath dirfd (O_PATH) and returns its
** fd in *parent (caller closes) and the last component (with any trailing
** slashes) in *name (points into path). Returns 0 or -(host errno). */
int wasi_open_parent(cairn_wasi *w, int dirfd, char *path, int *parent, const char **name);

/* ---- the implementations ---- */
#define WASI_FUNCS(X)                                                   \
  X(args_get, "ii", 1) X(args_sizes_get, "ii", 1)                      \
  X(environ_get, "ii", 1) X(environ_sizes_get, "ii", 1)                \
  X(clock_res_get, "ii", 1) X(clock_time_get, "iIi", 1)                \
  X(fd_advise, "iIIi", 1) X(fd_allocate, "iII", 1) X(fd_close, "i", 1) \
  X(fd_datasync, "i", 1) X(fd_fdstat_get, "ii", 1)                     \
  X(fd_fdstat_set_flags, "ii", 1) X(fd_fdstat_set_rights, "iII", 1)    \
  X(fd_filestat_get, "ii", 1) X(fd_filestat_set_size, "iI", 1)         \
  X(fd_filestat_set_times, "iIIi", 1) X(fd_pread, "iiiIi", 1)          \
  X(fd_prestat_get, "ii", 1) X(fd_prestat_dir_name, "iii", 1)          \
  X(fd_pwrite, "iiiIi", 1) X(fd_read, "iiii", 1)                       \
  X(fd_readdir, "iiiIi", 1) X(fd_renumber, "ii", 1)                    \
  X(fd_seek, "iIii", 1) X(fd_sync, "i", 1) X(fd_tell, "ii", 1)         \
  X(fd_write, "iiii", 1)                                               \
  X(path_create_directory, "iii", 1) X(path_filestat_get, "iiiii", 1)  \
  X(path_filestat_set_times, "iiiiIIi", 1) X(path_link, "iiiiiii", 1)  \
  X(path_open, "iiiiiIIii", 1) X(path_readlink, "iiiiii", 1)           \
  X(path_remove_directory, "iii", 1) X(path_rename, "iiiiii", 1)       \
  X(path_symlink, "iiiii", 1) X(path_unlink_file, "iii", 1)            \
  X(poll_oneoff, "iiii", 1) X(proc_exit, "i", 0) X(proc_raise, "i", 1) \
  X(sched_yield, "", 1) X(random_get, "ii", 1)                         \
  X(sock_accept, "iii", 1) X(sock_recv, "iiiiii", 1)                   \
  X(sock_send, "iiiii", 1) X(sock_shutdown, "ii", 1)

#define WASI_DECL(name, sig, res) int wasi_##name(cairn_wasi *w, const cairn_val *a, cairn_error *trap);
WASI_FUNCS(WASI_DECL)
#undef WASI_DECL

#endif
