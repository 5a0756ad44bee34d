/* sleep: test function that sleeps (WASI poll_oneoff) for the number of
** seconds in its query string (default 100), then answers. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(void) {
  const char *q = getenv("QUERY_STRING");
  int s = q && *q ? atoi(q) : 100;
  sleep((unsigned)s);
  printf("slept %d s\n", s);
  return 0;
}
