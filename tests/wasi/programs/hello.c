/* hello.c: arguments, environment and stdout. Same output natively. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  printf("hello, wasi\n");
  printf("argc=%d\n", argc);
  for (int i = 1; i < argc; i++) printf("arg[%d]=%s\n", i, argv[i]);
  const char *g = getenv("GREETING");
  printf("GREETING=%s\n", g ? g : "(unset)");
  return 0;
}
