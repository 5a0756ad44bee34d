/* trap.c: prints a line, then hits `unreachable` two calls deep. `cairn run`
** must print the trap and a Wasm backtrace on stderr and exit with 134. */
#include <stdio.h>

__attribute__((noinline)) static int inner(int x) {
  if (x > 0) __builtin_trap();
  return x;
}

__attribute__((noinline)) static int outer(int x) { return inner(x) + 1; }

int main(int argc, char **argv) {
  (void)argv;
  printf("before trap\n");
  fflush(stdout);
  return outer(argc);
}
