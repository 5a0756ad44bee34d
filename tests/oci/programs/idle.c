/* idle.c: sleeps for an hour (a long-running container for the resident
** memory figure of bench/oci-bench.sh). */
#include <unistd.h>

int main(void) {
  sleep(3600);
  return 0;
}
