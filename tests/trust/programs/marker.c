/* marker.c: writes /out/marker and prints "GUEST RAN": a test that refuses
** this module (--require-signature) checks that neither happened. */
#include <stdio.h>

int main(void) {
  FILE *f = fopen("/out/marker", "w");
  if (f) {
    fputs("ran\n", f);
    fclose(f);
  }
  puts("GUEST RAN");
  return 0;
}
