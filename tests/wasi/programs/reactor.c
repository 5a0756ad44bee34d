/* reactor.c: a WASI reactor (built with -mexec-model=reactor): no _start;
** `_initialize` runs the constructor, then `cairn run --invoke scale N`
** calls the export. */
#include <stdio.h>

static int factor;

__attribute__((constructor)) static void setup(void) {
  factor = 6;
  printf("initialized\n");
  fflush(stdout);
}

__attribute__((export_name("scale"))) int scale(int x) { return x * factor; }
