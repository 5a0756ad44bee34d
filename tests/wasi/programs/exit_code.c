/* exit_code.c: stdin to stdout (upper-cased), then exit with status 3. The
** runner checks the status passes through `cairn run`. Same output natively. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  int c;
  long n = 0;
  while ((c = getchar()) != EOF) {
    putchar(toupper(c));
    n++;
  }
  printf("read %ld bytes\n", n);
  fflush(stdout);
  exit(3);
}
