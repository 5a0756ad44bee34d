/* hello.c: the WASI "hello world" of bench/coldstart.sh, built both for
** wasm32-wasi and natively. */
#include <stdio.h>

int main(void) {
  printf("Hello, world!\n");
  return 0;
}
