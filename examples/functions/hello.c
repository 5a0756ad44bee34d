/* hello: the smallest WAGI function. Prints a header block and a greeting. */
#include <stdio.h>

int main(void) {
  fputs("Content-Type: text/plain\n\nHello from Cairn!\n", stdout);
  return 0;
}
