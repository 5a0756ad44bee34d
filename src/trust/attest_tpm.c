/*
** attest_tpm.c: the TPM 2.0 evidence signer (attest.h). Each operation
** runs the helper cairn-tpm (src/trust/tpm/cairn_tpm.c, tpm2-tss ESAPI):
** reset and extend PCR ATTEST_PCR, and quote it with the attestation key
** at a persistent handle, the evidence digest as qualifying data. The
** helper is found next to the running cairn (/proc/self/exe), or at
** $CAIRN_TPM_HELPER. One attestation at a time per machine holds an flock
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "trust/attest.h"

#define TPM_DEFAULT_AK 0x81010002u
#define TPM_HELPER_MS 20000

extern char **environ;

typedef struct TpmBackend {
  AttestBackend base;
  char *tcti;
  uint32_t ak;
  char helper[4096];
  int lockfd;
} TpmBackend;

/* Runs the helper with args; its stdout (at most 64 KiB) into *out
** (malloc'd, may be NULL), its stderr's first line into err on failure. */
static bool helper_run(TpmBackend *t, const char *const *args, char **out, char *err,
                       size_t errlen) {
  int po[2], pe[2];
  if (pipe2(po, O_CLOEXEC) != 0) goto syserr;
  if (pipe2(pe, O_CLOEXEC) != 0) {
    close(po[0]);
    close(po[1]);
    goto syserr;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, po[1], 1);
  posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
  const char *argv[12];
  int n = 0;
  argv[n++] = t->helper;
  argv[n++] = "--tcti";
  argv[n++] = t->tcti;
  for (int i = 0; args[i] && n < 11; i++) argv[n++] = args[i];
  argv[n] = NULL;
  pid_t pid;
  int rc = posix_spawn(&pid, t->helper, &fa, NULL, (char *const *)argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(po[1]);
  close(pe[1]);
  if (rc != 0) {
    close(po[0]);
    close(pe[0]);
    snprintf(err, errlen, "cannot run the TPM helper %s: %s", t->helper, strerror(rc));
    return false;
  }
  char ob[65536], eb[1024];
  size_t no = 0, ne = 0;
  struct pollfd p[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  bool timedOut = false;
  while (p[0].fd >= 0 || p[1].fd >= 0) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    if (ms >= TPM_HELPER_MS) {
      timedOut = true;
      kill(pid, SIGKILL);
      break;
    }
    if (poll(p, 2, (int)(TPM_HELPER_MS - ms)) < 0 && errno != EINTR) break;
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
  int ws = 0;
  while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
  }
  ob[no] = 0;
  eb[ne] = 0;
  if (timedOut || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
    char *nl = strchr(eb, '\n');
    if (nl) *nl = 0;
    snprintf(err, errlen, "TPM (%s): %s", t->tcti,
             timedOut ? "no answer in time" : eb[0] ? eb : "the helper failed");
    return false;
  }
  if (out && !(*out = strdup(ob))) {
    snprintf(err, errlen, "out of memory");
    return false;
  }
  return true;
syserr:
  snprintf(err, errlen, "pipe: %s", strerror(errno));
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
  const char *h = getenv("CAIRN_TPM_HELPER");
  if (h && *h) {
    snprintf(t->helper, sizeof t->helper, "%s", h);
  } else {
    ssize_t k = readlink("/proc/self/exe", t->helper, sizeof t->helper - 16);
    if (k <= 0) {
      snprintf(err, errlen, "cannot find the TPM helper: /proc/self/exe unreadable");
      tpm_free(&t->base);
      return NULL;
    }
    t->helper[k] = 0;
    char *slash = strrchr(t->helper, '/');
    strcpy(slash ? slash + 1 : t->helper, "cairn-tpm");
  }
  if (access(t->helper, X_OK) != 0) {
    snprintf(err, errlen, "the TPM helper %s is missing (built with libtss2-dev; or set CAIRN_TPM_HELPER)",
             t->helper);
    tpm_free(&t->base);
    return NULL;
  }
  return &t->base;
}
