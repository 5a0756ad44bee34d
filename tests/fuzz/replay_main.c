/*
** replay_main.c: a main() for the fuzz targets in ordinary builds, so the
** corpora replay in `make test` (and under `make asan`) without libFuzzer.
** usage: replay_fuzz_X FILE|DIR...   (a DIR's regular files, not recursive)
** Prints `replay: N inputs (DIR a, DIR b, ...)` and exits 0; a crash is the
** failure. A missing argument or an empty directory is an error (exit 1): a
** corpus that silently vanished must not make the replay pass vacuously.
*/
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cairn/cairn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path) {
  uint8_t *p;
  size_t n;
  cairn_error err;
  if (!cairn_read_file(path, &p, &n, &err)) {
    fprintf(stderr, "replay: %s\n", err.msg);
    return -1;
  }
  LLVMFuzzerTestOneInput(p, n);
  cairn_free(p);
  return 1;
}

int main(int argc, char **argv) {
  long count = 0;
  char summary[4096] = "";
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      fprintf(stderr, "replay: %s: missing\n", argv[i]);
      return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
      if (replay_file(argv[i]) < 0) return 1;
      count++;
      continue;
    }
    DIR *d = opendir(argv[i]);
    if (!d) {
      fprintf(stderr, "replay: %s: cannot open\n", argv[i]);
      return 1;
    }
    long before = count;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      char path[4096];
      snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
      if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
      if (replay_file(path) < 0) return 1;
      count++;
    }
    closedir(d);
    if (count == before) {
      fprintf(stderr, "replay: %s: empty directory\n", argv[i]);
      return 1;
    }
    const char *base = strrchr(argv[i], '/');
    base = base && base[1] ? base + 1 : argv[i];
    size_t used = strlen(summary);
    snprintf(summary + used, sizeof summary - used, "%s%s %ld", used ? ", " : "", base,
             count - before);
  }
  printf("replay: %ld inputs (%s)\n", count, summary);
  return 0;
}
