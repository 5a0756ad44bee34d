/*
** attest_tpm.c: the TPM 2.0 evidence signer (attest.h). Each operation
** runs the helper cairn-tpm (src/trust/tpm/cairn_tpm.c, tpm2-tss ESAPI):
** reset and extend PCR ATTEST_PCR, and quote it with the attestation key
** at a persistent handle, the evidence digest as qualifying data. The
** helper is found at $CAIRN_TPM_HELPER, else next to the running cairn
** (/proc/self/exe's folder), else on PATH (attest_helper_find). One
** attestation at a time per machine holds an flock
** on $XDG_RUNTIME_DIR/cairn-tpm.lock (default /tmp) from reset to quote,
** so two runtimes cannot interleave their PCR 23 chains.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sodium.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "trust/attest.h"

#define TPM_DEFAULT_AK 0x81010002u

extern char **environ;

typedef struct TpmBackend {
  AttestBackend base;
  char *tcti;
  uint32_t ak;
  char helper[4096];
  int lockfd;
} TpmBackend;

int attest_helper_run(const char *helper, const char *const *args, const uint8_t *in,
                      size_t nin, char **out, char *err, size_t errlen) {
  if (out) *out = NULL;
  int po[2], pe[2], pi[2] = {-1, -1};
  if (pipe2(po, O_CLOEXEC) != 0) goto syserr;
  if (pipe2(pe, O_CLOEXEC) != 0) {
    close(po[0]);
    close(po[1]);
    goto syserr;
  }
  /* stdin: a socket, so that a helper that exits unread costs EPIPE on
  ** send (MSG_NOSIGNAL), never a SIGPIPE here */
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pi) != 0) {
    close(po[0]);
    close(po[1]);
    close(pe[0]);
    close(pe[1]);
    goto syserr;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pi[1], 0);
  posix_spawn_file_actions_adddup2(&fa, po[1], 1);
  posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
  const char *argv[16];
  int n = 0;
  argv[n++] = helper;
  for (int i = 0; args[i] && n < 15; i++) argv[n++] = args[i];
  argv[n] = NULL;
  pid_t pid;
  int rc = posix_spawn(&pid, helper, &fa, NULL, (char *const *)argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(po[1]);
  close(pe[1]);
  close(pi[1]);
  if (rc != 0) {
    close(po[0]);
    close(pe[0]);
    close(pi[0]);
    snprintf(err, errlen, "cannot run the helper %s: %s", helper, strerror(rc));
    return -1;
  }
  size_t sent = 0;
  if (nin == 0) shutdown(pi[0], SHUT_WR);
  char ob[65536], eb[1024];
  size_t no = 0, ne = 0;
  struct pollfd p[3] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}, {nin ? pi[0] : -1, POLLOUT, 0}};
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  bool timedOut = false;
  while (p[0].fd >= 0 || p[1].fd >= 0) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    if (ms >= ATTEST_HELPER_MS) {
      timedOut = true;
      kill(pid, SIGKILL);
      break;
    }
    if (poll(p, 3, (int)(ATTEST_HELPER_MS - ms)) < 0 && errno != EINTR) break;
    if (p[2].fd >= 0 && (p[2].revents & (POLLOUT | POLLHUP | POLLERR))) {
      ssize_t w = send(pi[0], in + sent, nin - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w > 0) sent += (size_t)w;
      if ((w < 0 && errno != EAGAIN && errno != EINTR) || sent == nin) {
        shutdown(pi[0], SHUT_WR);   /* EOF on the helper's stdin */
        p[2].fd = -1;
      }
    }
    for (int i = 0; i < 2; i++) {
      if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char *b = i == 0 ? ob : eb;
      size_t *len = i == 0 ? &no : &ne, cap = i == 0 ? sizeof ob - 1 : sizeof eb - 1;
      char sink[512];
      ssize_t r = *len < cap ? read(p[i].fd, b + *len, cap - *len) : read(p[i].fd, sink, sizeof sink);
      if (r <= 0) {
        close(p[i].fd);
        p[i].fd = -1;
      } else if (*len < cap) {
        *len += (size_t)r;
      }
    }
  }
  for (int i = 0; i < 2; i++) {
    if (p[i].fd >= 0) close(p[i].fd);
  }
  close(pi[0]);
  int ws = 0;
  while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
  }
  ob[no] = 0;
  eb[ne] = 0;
  char *nl = strchr(eb, '\n');
  if (nl) *nl = 0;
  if (timedOut || !WIFEXITED(ws)) {
    snprintf(err, errlen, "%s", timedOut ? "no answer in time" : "the helper was killed");
    return -1;
  }
  if (WEXITSTATUS(ws) != 0) snprintf(err, errlen, "%s", eb[0] ? eb : "the helper failed");
  if (out && !(*out = strdup(ob))) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  return WEXITSTATUS(ws);
syserr:
  snprintf(err, errlen, "pipe: %s", strerror(errno));
  return -1;
}

bool attest_helper_find(char *path, size_t n, char *err, size_t errlen) {
  const char *h = getenv("CAIRN_TPM_HELPER");
  if (h && *h) {
    snprintf(path, n, "%s", h);
    if (access(path, X_OK) == 0) return true;
    snprintf(err, errlen, "the TPM helper %s (CAIRN_TPM_HELPER) is not an executable file", h);
    return false;
  }
  /* next to the running cairn, as `make install` places it */
  ssize_t k = readlink("/proc/self/exe", path, n > 16 ? n - 16 : 0);
  if (k > 0) {
    path[k] = 0;
    char *slash = strrchr(path, '/');
    strcpy(slash ? slash + 1 : path, "cairn-tpm");
    if (access(path, X_OK) == 0) return true;
  }
  /* else on PATH */
  const char *env = getenv("PATH");
  for (const char *d = env; d && *d;) {
    size_t len = strcspn(d, ":");
    if (len > 0 && (size_t)snprintf(path, n, "%.*s/cairn-tpm", (int)len, d) < n &&
        access(path, X_OK) == 0)
      return true;
    d += len + (d[len] == ':');
  }
  snprintf(err, errlen,
           "the TPM helper cairn-tpm is neither next to this cairn nor on PATH (it is built "
           "with libtss2-dev and installed by make install; or set CAIRN_TPM_HELPER)");
  return false;
}

/* Runs one TPM command through the helper (--tcti added). */
static bool helper_run(TpmBackend *t, const char *const *args, char **out, char *err,
                       size_t errlen) {
  const char *argv[12];
  int n = 0;
  argv[n++] = "--tcti";
  argv[n++] = t->tcti;
  for (int i = 0; args[i] && n < 11; i++) argv[n++] = args[i];
  argv[n] = NULL;
  char why[1024];
  int rc = attest_helper_run(t->helper, argv, NULL, 0, out, why, sizeof why);
  if (rc == 0) return true;
  if (out) {
    free(*out);
    *out = NULL;
  }
  snprintf(err, errlen, "TPM (%s): %s", t->tcti, why);
  return false;
}

static bool tpm_reset(AttestBackend *b, char *err, size_t errlen) {
  TpmBackend *t = (TpmBackend *)b;
  if (t->lockfd < 0) {
    const char *dir = getenv("XDG_RUNTIME_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/cairn-tpm.lock", dir && *dir ? dir : "/tmp");
    t->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (t->lockfd < 0 || flock(t->lockfd, LOCK_EX) != 0) {
      snprintf(err, errlen, "TPM lock %s: %s", path, strerror(errno));
      return false;
    }
  }
  char pcr[8];
  snprintf(pcr, sizeof pcr, "%d", ATTEST_PCR);
  const char *args[] = {"reset", pcr, NULL};
  return helper_run(t, args, NULL, err, errlen);
}

static bool tpm_extend(AttestBackend *b, const uint8_t v[32], char *err, size_t errlen) {
  char pcr[8], hex[65];
  snprintf(pcr, sizeof pcr, "%d", ATTEST_PCR);
  attest_hex(v, 32, hex);
  const char *args[] = {"extend", pcr, hex, NULL};
  return helper_run((TpmBackend *)b, args, NULL, err, errlen);
}

static bool tpm_quote(AttestBackend *b, const uint8_t digest[32], uint8_t **sig, size_t *nsig,
                      char *err, size_t errlen) {
  TpmBackend *t = (TpmBackend *)b;
  char pcr[8], hex[65], ak[16], *out = NULL;
  snprintf(pcr, sizeof pcr, "%d", ATTEST_PCR);
  snprintf(ak, sizeof ak, "0x%08x", t->ak);
  attest_hex(digest, 32, hex);
  const char *args[] = {"quote", ak, pcr, hex, NULL};
  if (!helper_run(t, args, &out, err, errlen)) return false;
  size_t n = strcspn(out, "\r\n");
  uint8_t *b2 = malloc(n / 2 + 1);
  size_t got = 0;
  const char *end = NULL;
  bool ok = b2 && n % 2 == 0 &&
            sodium_hex2bin(b2, n / 2 + 1, out, n, NULL, &got, &end) == 0 && got == n / 2;
  free(out);
  if (!ok) {
    free(b2);
    snprintf(err, errlen, "TPM helper: malformed quote output");
    return false;
  }
  /* release the PCR for the next attestation: the quote is taken */
  if (t->lockfd >= 0) {
    close(t->lockfd);
    t->lockfd = -1;
  }
  *sig = b2;
  *nsig = got;
  return true;
}

static char *tpm_describe(AttestBackend *b) { return strdup(""); }

static void tpm_free(AttestBackend *b) {
  TpmBackend *t = (TpmBackend *)b;
  if (!t) return;
  if (t->lockfd >= 0) close(t->lockfd);
  free(t->tcti);
  free(t);
}

AttestBackend *attest_backend_tpm(const char *tcti, uint32_t ak, char *err, size_t errlen) {
  TpmBackend *t = calloc(1, sizeof *t);
  if (!t || !(t->tcti = strdup(tcti))) {
    free(t);
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  t->base = (AttestBackend){.kind = "tpm2", .reset = tpm_reset, .extend = tpm_extend,
                            .quote = tpm_quote, .describe = tpm_describe, .free = tpm_free};
  t->ak = ak ? ak : TPM_DEFAULT_AK;
  t->lockfd = -1;
  if (!attest_helper_find(t->helper, sizeof t->helper, err, errlen)) {
    tpm_free(&t->base);
    return NULL;
  }
  return &t->base;
}
