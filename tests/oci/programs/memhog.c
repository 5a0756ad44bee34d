/* memhog.c: allocates and touches N MiB (argv[1], default 64) one MiB at a
** time. Prints "allocated N MiB" and exits 0, or "out of memory after K MiB"
** and exits 3 when malloc fails (linear memory could not grow). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* kept reachable so that the compiler cannot drop the allocations */
char *volatile blocks[4096];

int main(int argc, char **argv) {
  int want = argc > 1 ? atoi(argv[1]) : 64;
  if (want > 4096) want = 4096;
  unsigned sum = 0;
  for (int i = 0; i < want; i++) {
    char *p = malloc(1 << 20);
    if (!p) {
      printf("out of memory after %d MiB\n", i);
      return 3;
    }
    memset(p, i + 1, 1 << 20);
    blocks[i] = p;
    sum += (unsigned char)p[i * 4099 % (1 << 20)];
  }
  printf("allocated %d MiB (check %u)\n", want, sum);
  return 0;
}
