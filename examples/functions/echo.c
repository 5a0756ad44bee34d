/* echo: answers with the request's method, path, query, headers (the
** HTTP_* variables) and body, as text. Shows the WAGI interface. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int main(void) {
  const char *method = getenv("REQUEST_METHOD");
  const char *path = getenv("PATH_INFO");
  const char *query = getenv("QUERY_STRING");
  printf("Content-Type: text/plain\n");
  printf("X-Echo-Method: %s\n\n", method ? method : "");
  printf("method: %s\n", method ? method : "");
  printf("path: %s\n", path ? path : "");
  printf("query: %s\n", query ? query : "");
  printf("url: %s\n", getenv("X_FULL_URL") ? getenv("X_FULL_URL") : "");
  for (char **e = environ; *e; e++)
    if (strncmp(*e, "HTTP_", 5) == 0) printf("header: %s\n", *e);
  printf("body: ");
  char buf[4096];
  size_t n, total = 0;
  while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
    fwrite(buf, 1, n, stdout);
    total += n;
  }
  printf("\nbody-length: %zu\n", total);
  return 0;
}
