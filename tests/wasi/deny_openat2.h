/* deny_openat2.h: installs a seccomp filter (raw BPF, no libseccomp) under
** which openat2(2) fails with errno err, as under container policies that
** do not know it. For tests of the WASI layer's fallback resolution; shared
** by tests/wasi/unit/wasi_host_test.c and tests/wasi/no_openat2.c.
** Returns 0, or -1 (errno set) if the kernel refuses the filter, or -2 if
** openat2 still works afterwards. The filter holds for the calling thread,
** the threads it creates and the programs it execs, and cannot be removed. */
#ifndef CAIRN_TEST_DENY_OPENAT2_H
#define CAIRN_TEST_DENY_OPENAT2_H
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int deny_openat2(int err) {
  struct sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {(unsigned short)(sizeof code / sizeof code[0]), code};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) return -1;
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = O_PATH | O_CLOEXEC;
  long fd = syscall(SYS_openat2, AT_FDCWD, ".", &how, sizeof how);
  if (fd >= 0) {
    close((int)fd);
    return -2;
  }
  return errno == err ? 0 : -2;
}
#endif
