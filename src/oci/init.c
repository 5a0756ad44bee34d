/*
** init.c: the init process of a Wasm container. `create` forks it; it sets
** itself up (its own session, the container's cgroup, namespaces, rlimits,
** console, and the prepared module: see wasm.c), reports "ready" or the
** reason it failed over a pipe, and then blocks opening exec.fifo for
** writing, the way runc's init does. `start` opens the fifo for reading;
** the init writes one byte, and runs the module. Its exit status is the
** container's. Once `create` has exited, the init's parent is the nearest
** subreaper: containerd's shim, which reaps it and reports the status.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci/oci.h"

/* Sends the outcome of the set-up to create: "\0" (ready) or "\1" and a message. */
static void init_report(int fd, bool ok, const char *zMsg) {
  char buf[2100];
  size_t n = 0;
  buf[n++] = ok ? 0 : 1;
  if (!ok) {
    size_t m = strlen(zMsg);
    if (m > sizeof buf - 1) m = sizeof buf - 1;
    memcpy(buf + n, zMsg, m);
    n += m;
  }
  ssize_t w = write(fd, buf, n);
  (void)w;
}

static void init_close_fds(int keep) {
  /* the shim gives stdio only; anything else inherited must not leak into
  ** the container (and must not keep the create caller's pipes open) */
  if (keep > 3) close_range(3, (unsigned)keep - 1, 0);
  close_range((unsigned)keep + 1, ~0U, 0);
}

__attribute__((noreturn)) static void init_child(const OciSpec *s, const char *zCgroup,
                                                 const char *zFifo, const char *zConsole,
                                                 int sync) {
  char zErr[2048];
  init_close_fds(sync);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  /* the caller may have ignored some; the container's process starts clean */
  static const int aSig[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE};
  for (size_t i = 0; i < sizeof aSig / sizeof aSig[0]; i++) signal(aSig[i], SIG_DFL);
  setsid();
  if (chdir("/") != 0) { /* do not hold the caller's directory */
  }
  if (!oci_cgroup_enter(zCgroup, s, getpid(), zErr, sizeof zErr)) goto fail;
  if (!oci_ns_setup(s, zErr, sizeof zErr)) goto fail;
  if (s->terminal) {
    if (!zConsole) {
      snprintf(zErr, sizeof zErr, "cannot allocate tty if runc will detach without setting console socket");
      goto fail;
    }
    if (!oci_console_setup(zConsole, zErr, sizeof zErr)) goto fail;
  }
  OciWasm *w = oci_wasm_prepare(s, zErr, sizeof zErr);
  if (!w) goto fail;
  prctl(PR_SET_NAME, "cairn-init", 0, 0, 0);
  init_report(sync, true, NULL);
  close(sync);
  /* Blocks until `start` opens the fifo for reading. */
  int fd = open(zFifo, O_WRONLY | O_CLOEXEC);
  if (fd < 0) _exit(1);
  ssize_t wr = write(fd, "0", 1);
  (void)wr;
  close(fd);
  prctl(PR_SET_NAME, "cairn-wasm", 0, 0, 0);
  exit(oci_wasm_run(w));
fail:
  init_report(sync, false, zErr);
  _exit(1);
}

pid_t oci_init_spawn(const OciSpec *s, const char *zCgroup, const char *zFifo,
                     const char *zConsole, char *zErr, size_t nErr) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) {
    snprintf(zErr, nErr, "pipe: %s", strerror(errno));
    return -1;
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    snprintf(zErr, nErr, "fork: %s", strerror(errno));
    close(p[0]);
    close(p[1]);
    return -1;
  }
  if (pid == 0) {
    close(p[0]);
    init_child(s, zCgroup, zFifo, zConsole, p[1]);
  }
  close(p[1]);
  char buf[2100];
  size_t n = 0;
  ssize_t r;
  while (n < sizeof buf - 1 && (r = read(p[0], buf + n, sizeof buf - 1 - n)) != 0) {
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    n += (size_t)r;
  }
  close(p[0]);
  buf[n] = 0;
  if (n >= 1 && buf[0] == 0) return pid;
  snprintf(zErr, nErr, "%s", n > 1 ? buf + 1 : "the container's init process died during set-up");
  kill(pid, SIGKILL);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
  }
  return -1;
}
