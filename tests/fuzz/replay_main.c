/*
** replay_main.c: a main() for the fuzz targets in ordinary builds, so the
** corpora replay in `make test` (and under `make asan`) without libFuzzer.
** usage: replay_fuzz_X FILE|DIR...   (a DIR's regular files, not recursive)
** Prints `replay: N inputs` and exits 0; a crash is the failure.
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
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) continue; /* an absent corpus is an empty one */
    if (!S_ISDIR(st.st_mode)) {
      if (replay_file(argv[i]) < 0) return 1;
      count++;
      continue;
    }
    DIR *d = opendir(argv[i]);
    if (!d) continue;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      char path[4096];
      snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
      if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
      if (replay_file(path) < 0) return 1;
      count++;
    }
    closedir(d);
  }
  printf("replay: %ld inputs\n", count);
  return 0;
}
