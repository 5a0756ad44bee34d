/* hog: test function that allocates (and touches) memory until malloc
** fails, then aborts. The pointer escapes through a volatile global so the
** compiler cannot drop the allocations. */
#include <stdlib.h>
#include <string.h>
static char *volatile keep;
int main(void) {
  for (;;) {
    char *p = malloc(1 << 20);
    if (!p) abort();
    memset(p, 1, 1 << 20);
    keep = p;
  }
}
