/* hello.c: the WASI program of the OCI tests. Prints a greeting, its
** arguments, the variable GREETING and the first line of /etc/motd in its
** rootfs (if any), then exits with the status given as `exit=N` (default 0). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  int code = 0;
  printf("hello from a wasm container\n");
  for (int i = 1; i < argc; i++) {
    printf("arg %d: %s\n", i, argv[i]);
    if (strncmp(argv[i], "exit=", 5) == 0) code = atoi(argv[i] + 5);
  }
  const char *g = getenv("GREETING");
  if (g) printf("GREETING=%s\n", g);
  FILE *f = fopen("/etc/motd", "r");
  if (f) {
    char line[200];
    if (fgets(line, sizeof line, f)) printf("motd: %s", line);
    fclose(f);
  }
  return code;
}
