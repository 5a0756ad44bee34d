/* fileio_small.c DIR: a short WASI file I/O program for the fault-injection
** test (faultsim.c): create, write, read back, mkdir, rename, stat, readdir,
** unlink, rmdir beneath DIR. Prints what it saw; exits non-zero on a failure. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char a[256], b[256], s[256];

int main(int argc, char **argv) {
  const char *d = argc > 1 ? argv[1] : "/box";
  snprintf(a, sizeof a, "%s/f.txt", d);
  snprintf(s, sizeof s, "%s/sub", d);
  snprintf(b, sizeof b, "%s/sub/g.txt", d);
  FILE *f = fopen(a, "w");
  if (!f) return 1;
  fprintf(f, "hello faultsim\n");
  if (fclose(f) != 0) return 2;
  char buf[64] = "";
  f = fopen(a, "r");
  if (!f || !fgets(buf, sizeof buf, f)) return 3;
  fclose(f);
  printf("read: %s", buf);
  if (mkdir(s, 0755) != 0) return 4;
  if (rename(a, b) != 0) return 5;
  struct stat st;
  if (stat(b, &st) != 0) return 6;
  printf("size: %ld\n", (long)st.st_size);
  DIR *dir = opendir(s);
  if (!dir) return 7;
  struct dirent *e;
  while ((e = readdir(dir)))
    if (e->d_name[0] != '.') printf("entry: %s\n", e->d_name);
  closedir(dir);
  if (unlink(b) != 0 || rmdir(s) != 0) return 8;
  printf("done\n");
  /* a write that failed (ENOMEM from the host) must not pass for success */
  return fflush(stdout) != 0 || ferror(stdout) ? 9 : 0;
}
