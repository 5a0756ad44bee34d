/* manyfds.c DIR: opens 800 descriptors on one file, checks they are all
** distinct and readable, closes them, and does it again. Same output natively. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#define N 800
int main(int argc, char **argv) {
  if (argc < 2) return 2;
  char p[4096];
  snprintf(p, sizeof p, "%s/fds.txt", argv[1]);
  int fd = open(p, O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (write(fd, "x", 1) != 1) return 1;
  close(fd);
  for (int round = 0; round < 2; round++) {
    static int fds[N];
    int ok = 0;
    for (int i = 0; i < N; i++) {
      fds[i] = open(p, O_RDONLY);
      char c;
      if (fds[i] >= 0 && read(fds[i], &c, 1) == 1 && c == 'x') ok++;
    }
    int distinct = 1;
    for (int i = 1; i < N; i++)
      if (fds[i] == fds[i - 1]) distinct = 0;
    for (int i = 0; i < N; i++) close(fds[i]);
    printf("round %d: %d readable, distinct %d\n", round, ok, distinct);
  }
  unlink(p);
  return 0;
}
