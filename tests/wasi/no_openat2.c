#define _GNU_SOURCE
/* no_openat2.c: `no_openat2 [-e ENOSYS] PROGRAM ARGS...` runs PROGRAM with
** openat2(2) denied by a seccomp filter (EPERM, or ENOSYS with -e ENOSYS),
** as some container runtimes do. ctest runs the WASI suites under it to
** prove the fallback resolution (src/wasi/resolve.c) keeps them passing.
** Exit status 125 if the filter cannot be installed. */
#include <stdio.h>
#include <stdlib.h>

#include "deny_openat2.h"

int main(int argc, char **argv) {
  int err = EPERM, i = 1;
  if (argc > 2 && strcmp(argv[1], "-e") == 0) {
    err = strcmp(argv[2], "ENOSYS") == 0 ? ENOSYS : EPERM;
    i = 3;
  }
  if (i >= argc) {
    fprintf(stderr, "usage: no_openat2 [-e EPERM|ENOSYS] PROGRAM [ARGS...]\n");
    return 125;
  }
  int r = deny_openat2(err);
  if (r != 0) {
    fprintf(stderr, "no_openat2: %s\n",
            r == -1 ? "cannot install a seccomp filter" : "openat2 still works under the filter");
    return 125;
  }
  execvp(argv[i], argv + i);
  fprintf(stderr, "no_openat2: cannot run %s: %s\n", argv[i], strerror(errno));
  return 125;
}
