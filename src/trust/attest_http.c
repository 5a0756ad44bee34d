/*
** http.c: the handshake's transport (attest.h): a bounded HTTP/1.1 client
** and the request reader of `cairn verifier`. One request per connection
** ("Connection: close"); bodies by Content-Length only; every read and
** write bounded by a timeout, every message by ATTEST_HTTP_MAX.
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "trust/attest.h"

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool attest_parse_hostport(const char *z, struct sockaddr_in *sa) {
  const char *colon = strrchr(z, ':');
  if (!colon || colon == z) return false;
  char host[64];
  size_t n = (size_t)(colon - z);
  if (n >= sizeof host) return false;
  memcpy(host, z, n);
  host[n] = 0;
  char *end;
  unsigned long port = strtoul(colon + 1, &end, 10);
  if (!colon[1] || *end || port > 65535) return false;
  memset(sa, 0, sizeof *sa);
  sa->sin_family = AF_INET;
  sa->sin_port = htons((uint16_t)port);
  if (strcmp(host, "localhost") == 0) strcpy(host, "127.0.0.1");
  return inet_pton(AF_INET, host, &sa->sin_addr) == 1;
}

/* Waits for fd to be ready until deadline; false on timeout. */
static bool wait_fd(int fd, short ev, long deadline) {
  for (;;) {
    long left = deadline - now_ms();
    if (left <= 0) return false;
    struct pollfd p = {fd, ev, 0};
    int r = poll(&p, 1, (int)left);
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return false;
  }
}

static bool write_all(int fd, const char *b, size_t n, long deadline) {
  while (n) {
    ssize_t w = send(fd, b, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w > 0) {
      b += w;
      n -= (size_t)w;
      continue;
    }
    if (w < 0 && errno != EAGAIN && errno != EINTR) return false;
    if (!wait_fd(fd, POLLOUT, deadline)) return false;
  }
  return true;
}

/* Reads into a growing buffer until the headers are complete and
** Content-Length bytes of body arrived (or, without Content-Length on a
** response, until EOF). Returns 0, or an HTTP status for the failure. */
static int read_message(int fd, long deadline, bool response, char **buf, size_t *nbuf,
                        size_t *hdr_end, size_t *body_len) {
  size_t cap = 4096, n = 0;
  char *b = malloc(cap + 1);
  if (!b) return 500;
  long clen = -1;
  size_t he = 0;
  for (;;) {
    if (he && clen >= 0 && n >= he + (size_t)clen) break;
    if (n == cap) {
      if (cap >= ATTEST_HTTP_MAX + 8192) {
        free(b);
        return 413;
      }
      char *nb = realloc(b, cap * 2 + 1);
      if (!nb) {
        free(b);
        return 500;
      }
      b = nb;
      cap *= 2;
    }
    ssize_t r = recv(fd, b + n, cap - n, MSG_DONTWAIT);
    if (r == 0) {
      if (response && he) break;   /* closed: the body ends here */
      free(b);
      return 400;
    }
    if (r < 0) {
      if (errno != EAGAIN && errno != EINTR) {
        free(b);
        return 400;
      }
      if (!wait_fd(fd, POLLIN, deadline)) {
        free(b);
        return 408;
      }
      continue;
    }
    n += (size_t)r;
    b[n] = 0;
    if (!he) {
      char *e = strstr(b, "\r\n\r\n");
      if (!e) {
        if (n > 16384) {
          free(b);
          return 413;
        }
        continue;
      }
      he = (size_t)(e - b) + 4;
      for (char *h = strstr(b, "\r\n"); h && h < e; h = strstr(h + 2, "\r\n")) {
        if (strncasecmp(h + 2, "Content-Length:", 15) == 0) {
          char *end;
          errno = 0;
          long v = strtol(h + 17, &end, 10);
          if (errno || v < 0 || (unsigned long)v > ATTEST_HTTP_MAX) {
            free(b);
            return 413;
          }
          clen = v;
        }
        if (strncasecmp(h + 2, "Transfer-Encoding:", 18) == 0) {
          free(b);
          return 400;   /* chunked bodies are not part of this protocol */
        }
      }
      if (clen < 0 && !response) clen = 0;
    }
  }
  if (he == 0) {
    free(b);
    return 400;
  }
  size_t bl = n - he;
  if (clen >= 0 && bl > (size_t)clen) bl = (size_t)clen;
  b[he + bl] = 0;
  *buf = b;
  *nbuf = n;
  *hdr_end = he;
  *body_len = bl;
  return 0;
}

bool attest_http(const char *url, const char *method, const char *path, const char *body,
                 int timeout_ms, int *status, char **resp, char *err, size_t errlen) {
  if (timeout_ms <= 0) timeout_ms = 10000;
  if (strncmp(url, "http://", 7) != 0) {
    snprintf(err, errlen, "verifier URL '%s': only http://HOST:PORT on loopback is supported",
             url);
    return false;
  }
  char hp[128];
  const char *rest = url + 7, *slash = strchr(rest, '/');
  size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
  const char *prefix = slash ? slash : "";
  size_t np = strlen(prefix);
  if (np && prefix[np - 1] == '/') np--;
  struct sockaddr_in sa;
  if (n >= sizeof hp) goto badurl;
  memcpy(hp, rest, n);
  hp[n] = 0;
  if (!attest_parse_hostport(hp, &sa)) goto badurl;
  long deadline = now_ms() + timeout_ms;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    snprintf(err, errlen, "socket: %s", strerror(errno));
    return false;
  }
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 && errno != EINPROGRESS) {
    snprintf(err, errlen, "cannot reach the verifier at %s: %s", url, strerror(errno));
    close(fd);
    return false;
  }
  int soerr = 0;
  socklen_t sl = sizeof soerr;
  if (!wait_fd(fd, POLLOUT, deadline) || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 ||
      soerr) {
    snprintf(err, errlen, "cannot reach the verifier at %s: %s", url,
             soerr ? strerror(soerr) : "connection timed out");
    close(fd);
    return false;
  }
  size_t nb = body ? strlen(body) : 0;
  char head[512];
  int hn = snprintf(head, sizeof head,
                    "%s %.*s%s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n"
                    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                    method, (int)np, prefix, path, hp, nb);
  if (hn < 0 || (size_t)hn >= sizeof head || !write_all(fd, head, (size_t)hn, deadline) ||
      (nb && !write_all(fd, body, nb, deadline))) {
    snprintf(err, errlen, "verifier at %s: sending the request failed (%s)", url,
             now_ms() >= deadline ? "timed out" : strerror(errno));
    close(fd);
    return false;
  }
  char *b;
  size_t nbuf, he, bl;
  int rc = read_message(fd, deadline, true, &b, &nbuf, &he, &bl);
  close(fd);
  if (rc) {
    snprintf(err, errlen, "verifier at %s: %s", url,
             rc == 408 ? "no answer in time" : rc == 413 ? "answer too large" : "bad answer");
    return false;
  }
  int st = 0;
  if (sscanf(b, "HTTP/1.%*d %d", &st) != 1 || st < 100 || st > 599) {
    free(b);
    snprintf(err, errlen, "verifier at %s: not an HTTP answer", url);
    return false;
  }
  memmove(b, b + he, bl + 1);
  *status = st;
  *resp = b;
  return true;
badurl:
  snprintf(err, errlen, "verifier URL '%s': expected http://HOST:PORT (numeric IPv4 or localhost)",
           url);
  return false;
}

int attest_http_read(int fd, int timeout_ms, char method[8], char path[256], char **body) {
  char *b;
  size_t nbuf, he, bl;
  int rc = read_message(fd, now_ms() + timeout_ms, false, &b, &nbuf, &he, &bl);
  if (rc) return rc;
  char m[8], p[256];
  if (sscanf(b, "%7s %255s HTTP/1.", m, p) != 2) {
    free(b);
    return 400;
  }
  strcpy(method, m);
  strcpy(path, p);
  memmove(b, b + he, bl + 1);
  *body = b;
  return 0;
}

void attest_http_reply(int fd, int status, const char *body) {
  const char *reason = status == 200 ? "OK" : status == 400 ? "Bad Request"
                     : status == 403 ? "Forbidden" : status == 404 ? "Not Found"
                     : status == 408 ? "Request Timeout" : status == 413 ? "Payload Too Large"
                     : status == 503 ? "Service Unavailable" : "Error";
  char head[256];
  size_t n = strlen(body);
  int hn = snprintf(head, sizeof head,
                    "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                    "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                    status, reason, n);
  long deadline = now_ms() + 5000;
  if (write_all(fd, head, (size_t)hn, deadline)) write_all(fd, body, n, deadline);
}
