/* compute: CPU work per request. Counts the primes below n (query string
** "n=NUMBER", default 10000, at most 10000000) with a sieve and answers in
** JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  const char *q = getenv("QUERY_STRING");
  long n = 10000;
  if (q) {
    const char *v = strstr(q, "n=");
    if (v) n = strtol(v + 2, NULL, 10);
  }
  if (n < 2 || n > 10000000) {
    printf("Status: 400 Bad Request\nContent-Type: application/json\n\n"
           "{\"error\":\"n must be in [2, 10000000]\"}\n");
    return 0;
  }
  unsigned char *composite = calloc((size_t)n, 1);
  if (!composite) return 1;
  long count = 0, last = 0;
  for (long i = 2; i < n; i++) {
    if (composite[i]) continue;
    count++;
    last = i;
    for (long long j = (long long)i * i; j < n; j += i) composite[j] = 1;
  }
  printf("Content-Type: application/json\n\n{\"n\":%ld,\"primes\":%ld,\"largest\":%ld}\n", n,
         count, last);
  free(composite);
  return 0;
}
