/* trap: test function that traps (unreachable) after printing a header. */
#include <stdio.h>
int main(void) {
  printf("Content-Type: text/plain\n\npartial");
  fflush(stdout);
  __builtin_trap();
}
