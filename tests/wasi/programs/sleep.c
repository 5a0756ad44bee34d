/* sleep.c [SECONDS | read]: prints "waiting", then sleeps SECONDS (default
** 100) or reads standard input to its end, then prints "done". With
** `cairn run --timeout MS` (or a deadline in `cairn serve`) it must stop at
** the deadline with the interrupt trap instead of sleeping or blocking on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  printf("waiting\n");
  fflush(stdout);
  if (argc > 1 && strcmp(argv[1], "read") == 0) {
    char buf[256];
    while (read(0, buf, sizeof buf) > 0) {
    }
  } else {
    sleep(argc > 1 ? (unsigned)atoi(argv[1]) : 100u);
  }
  printf("done\n");
  return 0;
}
