/* fileio.c DIR: file I/O beneath DIR: create, write, read back, append,
** seek, pread/pwrite, stat, rename, readdir (sorted), a large file, mkdir,
** rmdir, unlink. Same output natively. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char path[4096];
static const char *P(const char *dir, const char *name) {
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return path;
}
static int cmp(const void *a, const void *b) { return strcmp(*(char **)a, *(char **)b); }

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *d = argv[1];
  FILE *f = fopen(P(d, "a.txt"), "w");
  if (!f) { printf("fopen: %s\n", strerror(errno)); return 1; }
  fprintf(f, "line one\nline two\n");
  fclose(f);
  f = fopen(P(d, "a.txt"), "a");
  fprintf(f, "line three\n");
  fclose(f);
  char buf[256];
  f = fopen(P(d, "a.txt"), "r");
  while (fgets(buf, sizeof buf, f)) printf("read: %s", buf);
  fclose(f);
  int fd = open(P(d, "a.txt"), O_RDWR);
  printf("lseek end: %ld\n", (long)lseek(fd, 0, SEEK_END));
  printf("pwrite: %zd\n", pwrite(fd, "LINE", 4, 0));
  ssize_t n = pread(fd, buf, 8, 0);
  buf[n > 0 ? n : 0] = 0;
  printf("pread: %s\n", buf);
  printf("ftruncate: %d\n", ftruncate(fd, 9));
  struct stat st;
  fstat(fd, &st);
  printf("size: %ld regular: %d\n", (long)st.st_size, S_ISREG(st.st_mode));
  close(fd);
  printf("rename: %d\n", rename(P(d, "a.txt"), "") == 0);
  char from[4096];
  snprintf(from, sizeof from, "%s/a.txt", d);
  printf("rename: %d\n", rename(from, P(d, "b.txt")));
  printf("mkdir: %d\n", mkdir(P(d, "sub"), 0755));
  printf("mkdir again: %s\n", mkdir(P(d, "sub"), 0755) ? strerror(errno) : "ok");
  for (int i = 0; i < 5; i++) {
    char nm[64];
    snprintf(nm, sizeof nm, "sub/f%d", i);
    close(open(P(d, nm), O_CREAT | O_WRONLY, 0644));
  }
  DIR *dir = opendir(P(d, "sub"));
  char *names[64];
  int k = 0;
  struct dirent *e;
  while ((e = readdir(dir)) && k < 64)
    if (e->d_name[0] != '.') names[k++] = strdup(e->d_name);
  closedir(dir);
  qsort(names, (size_t)k, sizeof names[0], cmp);
  printf("readdir:");
  for (int i = 0; i < k; i++) printf(" %s", names[i]), free(names[i]);
  printf("\n");
  printf("rmdir non-empty: %s\n", rmdir(P(d, "sub")) ? strerror(errno) : "ok");
  for (int i = 0; i < 5; i++) {
    char nm[64];
    snprintf(nm, sizeof nm, "sub/f%d", i);
    unlink(P(d, nm));
  }
  printf("rmdir: %d\n", rmdir(P(d, "sub")));
  /* A large file: 16 MiB in 64 KiB chunks, then a checksum read back. */
  static unsigned char chunk[65536];
  fd = open(P(d, "big.bin"), O_CREAT | O_TRUNC | O_RDWR, 0644);
  unsigned long sum = 0;
  for (int c = 0; c < 256; c++) {
    for (size_t i = 0; i < sizeof chunk; i++) chunk[i] = (unsigned char)(i * 31 + c);
    if (write(fd, chunk, sizeof chunk) != (ssize_t)sizeof chunk) { printf("write failed\n"); return 1; }
  }
  lseek(fd, 0, SEEK_SET);
  long total = 0;
  while ((n = read(fd, chunk, sizeof chunk)) > 0) {
    total += n;
    for (ssize_t i = 0; i < n; i++) sum = sum * 33 + chunk[i];
  }
  close(fd);
  printf("big: %ld bytes, sum %lu\n", total, sum & 0xffffffffUL);
  printf("unlink: %d %d\n", unlink(P(d, "big.bin")), unlink(P(d, "b.txt")));
  printf("unlink missing: %s\n", unlink(P(d, "b.txt")) ? strerror(errno) : "ok");
  return 0;
}
