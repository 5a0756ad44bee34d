/* crash: test function that writes out of bounds of its linear memory (a
** trap), or with ?exit exits with status 3 after an error message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
  const char *q = getenv("QUERY_STRING");
  if (q && strcmp(q, "exit") == 0) {
    fprintf(stderr, "crash: giving up\n");
    return 3;
  }
  volatile int *p = (volatile int *)(uintptr_t)0xFFFFFFF0u;
  *p = 42;
  return 0;
}
