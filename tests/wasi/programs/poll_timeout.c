/* poll_timeout.c: poll_oneoff clock subscriptions (via poll(), nanosleep and
** a raw relative and absolute clock subscription). Same output natively. */
#include <poll.h>
#include <stdio.h>
#include <time.h>

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(void) {
  long long t0 = now_ms();
  int r = poll(NULL, 0, 150);
  long long dt = now_ms() - t0;
  printf("poll returned %d after >=150ms: %s\n", r, dt >= 149 && dt < 1000 ? "yes" : "no");
  t0 = now_ms();
  struct timespec ts = {0, 100 * 1000000};
  nanosleep(&ts, NULL);
  dt = now_ms() - t0;
  printf("nanosleep 100ms: %s\n", dt >= 99 && dt < 1000 ? "yes" : "no");
  struct timespec mono;
  clock_gettime(CLOCK_MONOTONIC, &mono);
  mono.tv_nsec += 80 * 1000000;
  if (mono.tv_nsec >= 1000000000) { mono.tv_sec++; mono.tv_nsec -= 1000000000; }
  t0 = now_ms();
  clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &mono, NULL);
  dt = now_ms() - t0;
  printf("absolute sleep 80ms: %s\n", dt >= 70 && dt < 1000 ? "yes" : "no");
  struct pollfd p = {.fd = 1, .events = POLLOUT};
  r = poll(&p, 1, 5000);
  printf("stdout writable: %d %s\n", r, (p.revents & POLLOUT) ? "POLLOUT" : "-");
  return 0;
}
