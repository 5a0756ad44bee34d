/*
** ns.c: what the init process sets up in itself before it waits: the
** namespaces a Wasm guest can notice (network: where its sockets listen;
** ipc; uts: its hostname), loopback in a new network namespace (as runc
** does), oom_score_adj, rlimits, and a console on a pseudo-terminal whose master goes to
** the --console-socket. The pid, mount, user and cgroup namespaces are not
** entered: a Wasm guest sees no pids and no mounts, only its preopens.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "oci/oci.h"

static bool ns_lo_up(char *zErr, size_t nErr) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    snprintf(zErr, nErr, "socket: %s", strerror(errno));
    return false;
  }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
  bool ok = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
  if (ok && !(ifr.ifr_flags & IFF_UP)) {
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    ok = ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
  }
  if (!ok) snprintf(zErr, nErr, "bringing up loopback: %s", strerror(errno));
  close(fd);
  return ok;
}

bool oci_ns_setup(const OciSpec *s, char *zErr, size_t nErr) {
  int unshareFlags = 0;
  bool newNet = false, hasUts = false;
  for (size_t i = 0; i < s->nNs; i++) {
    const OciNs *ns = &s->aNs[i];
    if (ns->type != CLONE_NEWNET && ns->type != CLONE_NEWIPC && ns->type != CLONE_NEWUTS) continue;
    if (ns->type == CLONE_NEWUTS) hasUts = true;
    if (ns->zPath) {
      int fd = open(ns->zPath, O_RDONLY | O_CLOEXEC);
      if (fd < 0 || setns(fd, ns->type) != 0) {
        snprintf(zErr, nErr, "joining namespace %s: %s", ns->zPath, strerror(errno));
        if (fd >= 0) close(fd);
        return false;
      }
      close(fd);
    } else {
      unshareFlags |= ns->type;
      if (ns->type == CLONE_NEWNET) newNet = true;
    }
  }
  if (unshareFlags && unshare(unshareFlags) != 0) {
    snprintf(zErr, nErr, "unshare: %s", strerror(errno));
    return false;
  }
  if (newNet && !ns_lo_up(zErr, nErr)) return false;
  if (s->zHostname && *s->zHostname) {
    if (!hasUts) {
      snprintf(zErr, nErr, "unable to set hostname without a private UTS namespace");
      return false;
    }
    if (sethostname(s->zHostname, strlen(s->zHostname)) != 0) {
      snprintf(zErr, nErr, "sethostname: %s", strerror(errno));
      return false;
    }
  }
  if (s->hasOomScoreAdj) {
    char z[32];
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    int n = snprintf(z, sizeof z, "%d", s->oomScoreAdj);
    if (fd < 0 || write(fd, z, (size_t)n) != n) {
      snprintf(zErr, nErr, "writing oom_score_adj %d: %s", s->oomScoreAdj, strerror(errno));
      if (fd >= 0) close(fd);
      return false;
    }
    close(fd);
  }
  for (size_t i = 0; i < s->nRlimit; i++) {
    struct rlimit rl = {(rlim_t)s->aRlimit[i].soft, (rlim_t)s->aRlimit[i].hard};
    if (setrlimit(s->aRlimit[i].resource, &rl) != 0) {
      snprintf(zErr, nErr, "setrlimit %d: %s", s->aRlimit[i].resource, strerror(errno));
      return false;
    }
  }
  return true;
}

bool oci_console_setup(const char *zSocket, char *zErr, size_t nErr) {
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
    snprintf(zErr, nErr, "opening a pseudo-terminal: %s", strerror(errno));
    if (master >= 0) close(master);
    return false;
  }
  char zSlave[128];
  if (ptsname_r(master, zSlave, sizeof zSlave) != 0) {
    snprintf(zErr, nErr, "ptsname: %s", strerror(errno));
    close(master);
    return false;
  }
  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  if (strlen(zSocket) >= sizeof sa.sun_path) {
    snprintf(zErr, nErr, "console socket path too long: %s", zSocket);
    close(master);
    if (sock >= 0) close(sock);
    return false;
  }
  strcpy(sa.sun_path, zSocket);
  if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof sa) != 0) {
    snprintf(zErr, nErr, "connecting to the console socket %s: %s", zSocket, strerror(errno));
    close(master);
    if (sock >= 0) close(sock);
    return false;
  }
  /* runc sends the pty's name as the message and the master as SCM_RIGHTS */
  struct iovec iov = {zSlave, strlen(zSlave)};
  char cbuf[CMSG_SPACE(sizeof(int))];
  memset(cbuf, 0, sizeof cbuf);
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                       .msg_controllen = sizeof cbuf};
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &master, sizeof(int));
  bool sent = sendmsg(sock, &msg, 0) >= 0;
  int e = errno;
  close(sock);
  close(master);
  if (!sent) {
    snprintf(zErr, nErr, "sending the console to %s: %s", zSocket, strerror(e));
    return false;
  }
  int slave = open(zSlave, O_RDWR | O_NOCTTY);
  if (slave < 0) {
    snprintf(zErr, nErr, "opening %s: %s", zSlave, strerror(errno));
    return false;
  }
  setsid();
  ioctl(slave, TIOCSCTTY, 0);
  for (int fd = 0; fd < 3; fd++) dup2(slave, fd);
  if (slave > 2) close(slave);
  return true;
}
