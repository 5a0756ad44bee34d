/* bigout: test function that writes 64 MiB of output (over any sane limit). */
#include <stdio.h>
#include <string.h>
int main(void) {
  static char buf[65536];
  memset(buf, 'x', sizeof buf);
  printf("Content-Type: text/plain\n\n");
  for (int i = 0; i < 1024; i++)
    if (fwrite(buf, 1, sizeof buf, stdout) != sizeof buf) return 1;
  return 0;
}
