/* trap.c: prints a line, then hits `unreachable`: the container's exit
** status must be 134 and its log must name the trap. */
#include <stdio.h>

__attribute__((noinline)) static int boom(int x) {
  if (x > 0) __builtin_trap();
  return x;
}

int main(int argc, char **argv) {
  (void)argv;
  printf("about to trap\n");
  fflush(stdout);
  return boom(argc);
}
