/* attest_secret.c: a guest that shows what attestation released to it,
** without printing any secret: for each argument NAME, the length and the
** FNV-1a 64 digest of /run/secrets/NAME (a file) or of $NAME (an
** environment variable), computed here in the guest. It also checks that
** /run/secrets is read-only and lists it. Built with -DWAGI it is a
** `cairn serve` function: a header block first, and the names api_key and
** TOKEN (a function gets no arguments). tests/trust/attest-*.sh. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t fnv1a(const unsigned char *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

int main(int argc, char **argv) {
#ifdef WAGI
  static char *names[] = {"", "api_key", "TOKEN"};
  printf("Content-Type: text/plain\n\n");
  argc = 3;
  argv = names;
#endif
  for (int i = 1; i < argc; i++) {
    char path[256];
    snprintf(path, sizeof path, "/run/secrets/%s", argv[i]);
    FILE *f = fopen(path, "rb");
    if (f) {
      unsigned char buf[65536];
      size_t n = fread(buf, 1, sizeof buf, f);
      fclose(f);
      printf("file %s: %zu bytes, fnv1a64 %016llx\n", argv[i], n,
             (unsigned long long)fnv1a(buf, n));
      continue;
    }
    const char *v = getenv(argv[i]);
    if (v) {
      printf("env %s: %zu bytes, fnv1a64 %016llx\n", argv[i], strlen(v),
             (unsigned long long)fnv1a((const unsigned char *)v, strlen(v)));
      continue;
    }
    printf("missing %s\n", argv[i]);
  }
  int fd = open("/run/secrets/new", O_WRONLY | O_CREAT, 0600);
  printf("create in /run/secrets: %s\n", fd < 0 ? "refused" : "ALLOWED");
  DIR *d = opendir("/run/secrets");
  int n = 0;
  if (d) {
    struct dirent *e;
    while ((e = readdir(d))) n += e->d_name[0] != '.';
    closedir(d);
  }
  printf("entries in /run/secrets: %d\n", n);
  return 0;
}
