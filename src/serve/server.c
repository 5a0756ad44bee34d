/*
** server.c: the event loop of `cairn serve`. One worker thread per core,
** each with its own epoll instance and its own SO_REUSEPORT listening
** socket; connections are non-blocking, HTTP/1.1 with keep-alive and
** pipelining, and a worker runs the function of a complete request inline
** (one request at a time per worker, so a worker's function slots are never
** shared). The main thread waits for signals and is the deadline watchdog:
** every 2 ms it interrupts a store whose run passed its deadline
** (cairn_store_interrupt). SIGTERM/SIGINT: stop accepting, finish in-flight
** requests, close idle connections, exit. SIGHUP: reload the functions from
** the config file; workers switch to the new set between requests, so no
** request is dropped. Slow or hostile clients: 408 when a request does not
** arrive within header_timeout_ms, 400/414/431/501/505 for bad heads, 413
** for bodies over the function's limit, and the connection is closed after
** any error response (with a short lingering read so the client sees it).
**
** Global state: none beyond ServeState, allocated by serve_main and passed
** to the workers; signals are handled synchronously (sigtimedwait) by the
** main thread, with SIGTERM/SIGINT/SIGHUP blocked in every thread.
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "serve/serve.h"

#define READ_CHUNK 16384
#define LINGER_NS 2000000000ull
#define DRAIN_NS 10000000000ull   /* graceful shutdown: at most 10 s */
#define LOG_FLUSH_BYTES 32768

typedef struct ServeState ServeState;

enum { C_HEAD, C_BODY, C_LINGER };

typedef struct Conn {
  int fd;
  struct Conn *prev, *next;
  int state;
  char *in;
  size_t in_len, in_cap;
  char *out;
  size_t out_len, out_off, out_cap;
  bool close_after;       /* close once out is flushed */
  bool want_out;          /* EPOLLOUT registered */
  HttpRequest req;        /* points into `in` while state is C_BODY (conn_in_grow keeps it so) */
  char *path;             /* the request's normalised path (http_normalize_path), routed on */
  size_t path_len, path_cap;
  ServeFunc *fn;          /* route of the request being read (NULL: none or /metrics) */
  uint64_t fn_gen;        /* set generation fn belongs to (re-matched if stale) */
  FuncMetrics *fm;        /* fn's metrics (these survive reloads) */
  bool is_metrics;
  size_t body_max;
  char *body;             /* decoded chunked body */
  size_t body_len;
  size_t chunk_pos;       /* bytes of `in` consumed by the chunked decoder */
  HttpChunked ch;
  uint64_t req_start;     /* first byte of the current request (0: none yet) */
  uint64_t last;          /* last activity */
  uint64_t write_start;   /* when out became non-empty */
  char remote[INET6_ADDRSTRLEN];
  int remote_port;
} Conn;

typedef struct Worker {
  int id;
  pthread_t th;
  int epfd, lfd;
  Conn *conns;
  uint32_t nconns;
  RunWatch watch;
  FuncSet *set;
  uint64_t set_gen;
  char *log;
  size_t log_len, log_cap;
  uint64_t log_flushed;
  char date[40];
  time_t date_t;
  ServeState *st;
  bool stop_seen;
  uint64_t stop_at;
} Worker;

struct ServeState {
  ServeConf *conf;
  pthread_mutex_t set_mu;
  FuncSet *set;
  _Atomic uint64_t gen;
  atomic_bool stopping;
  MetricsReg *reg;
  Worker *workers;
  int nworkers;
  int logfd;
  char server_name[256];
  int port;
};

/* ---- logging ---- */

static void log_flush(Worker *w) {
  if (w->st->logfd >= 0 && w->log_len) {
    size_t off = 0;
    while (off < w->log_len) {
      ssize_t r = write(w->st->logfd, w->log + off, w->log_len - off);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      off += (size_t)r;
    }
  }
  w->log_len = 0;
  w->log_flushed = serve_now_ns();
}

static void log_reserve(Worker *w, size_t n) {
  if (w->log_len + n <= w->log_cap) return;
  size_t cap = w->log_cap ? w->log_cap : 65536;
  while (cap < w->log_len + n) cap *= 2;
  char *p = realloc(w->log, cap);
  if (p) {
    w->log = p;
    w->log_cap = cap;
  }
}

/* Appends s (n bytes) as a JSON string body: escapes quotes, backslashes,
** control characters and bytes >= 0x80 (as \u00XX, so the line is valid
** JSON whatever a client sent). */
static void log_str(Worker *w, const char *s, size_t n) {
  log_reserve(w, n * 6 + 2);
  if (w->log_len + n * 6 + 2 > w->log_cap) return;
  char *o = w->log + w->log_len;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') { *o++ = '\\'; *o++ = (char)c; }
    else if (c < 0x20 || c >= 0x7f) o += sprintf(o, "\\u%04x", c);
    else *o++ = (char)c;
  }
  w->log_len = (size_t)(o - w->log);
}

static void log_raw(Worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_raw(Worker *w, const char *fmt, ...) {
  log_reserve(w, 512);
  if (w->log_len + 512 > w->log_cap) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(w->log + w->log_len, 512, fmt, ap);
  va_end(ap);
  if (n > 0) w->log_len += (size_t)n < 511 ? (size_t)n : 511;
}

static void log_access(Worker *w, Conn *c, int status, size_t bytes, const ServeFunc *f,
                       uint64_t dur_ns, const FuncResult *res) {
  if (w->st->logfd < 0) return;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  log_raw(w, "{\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\",\"worker\":%d,\"remote\":\"%s:%d\","
          "\"method\":\"", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
          tm.tm_sec, ts.tv_nsec / 1000000, w->id, c->remote, c->remote_port);
  if (c->req.method) log_str(w, c->req.method, c->req.method_len);
  log_raw(w, "\",\"path\":\"");
  if (c->req.target) log_str(w, c->req.target, c->req.target_len < 2048 ? c->req.target_len : 2048);
  log_raw(w, "\",\"status\":%d,\"bytes\":%zu,\"duration_us\":%.1f", status, bytes,
          (double)dur_ns / 1000.0);
  if (f) {
    log_raw(w, ",\"function\":\"");
    log_str(w, f->conf.name, strlen(f->conf.name));
    log_raw(w, "\"");
  }
  if (res && res->inst_ns) log_raw(w, ",\"instantiate_us\":%.2f", (double)res->inst_ns / 1000.0);
  if (res && res->fail >= 0) {
    log_raw(w, ",\"failure\":\"%s\",\"detail\":\"", serve_fail_names[res->fail]);
    log_str(w, res->detail, strlen(res->detail));
    log_raw(w, "\"");
  }
  log_raw(w, "}\n");
  if (w->log_len >= LOG_FLUSH_BYTES) log_flush(w);
}

/* ---- connections ---- */

static void conn_close(Worker *w, Conn *c) {
  epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  if (c->prev) c->prev->next = c->next;
  else w->conns = c->next;
  if (c->next) c->next->prev = c->prev;
  w->nconns--;
  free(c->in);
  free(c->out);
  free(c->body);
  free(c->path);
  free(c);
}

static void conn_events(Worker *w, Conn *c, bool want_out) {
  if (want_out == c->want_out) return;
  struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | (want_out ? EPOLLOUT : 0),
                           .data.ptr = c};
  epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &ev);
  c->want_out = want_out;
}

static bool out_reserve(Conn *c, size_t n) {
  if (c->out_len + n <= c->out_cap) return true;
  size_t cap = c->out_cap ? c->out_cap : 4096;
  while (cap < c->out_len + n) cap *= 2;
  char *p = realloc(c->out, cap);
  if (!p) return false;
  c->out = p;
  c->out_cap = cap;
  return true;
}

static void out_put(Conn *c, const void *p, size_t n) {
  if (n && out_reserve(c, n)) {
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
  }
}

static const char *worker_date(Worker *w) {
  time_t t = time(NULL);
  if (t != w->date_t) {
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(w->date, sizeof w->date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    w->date_t = t;
  }
  return w->date;
}

/* Queues a response. head: extra header lines (CRLF-terminated). */
static void respond(Worker *w, Conn *c, int status, const char *head, size_t head_len,
                    const void *body, size_t body_len, bool is_head) {
  bool stopping = atomic_load(&w->st->stopping);
  if (stopping) c->close_after = true;
  char line[256];
  int n = snprintf(line, sizeof line,
                   "HTTP/1.1 %d %s\r\nServer: cairn\r\nDate: %s\r\nContent-Length: %zu\r\n%s",
                   status, http_reason(status), worker_date(w), body_len,
                   c->close_after ? "Connection: close\r\n"
                   : (c->req.minor == 0 ? "Connection: keep-alive\r\n" : ""));
  if (!out_reserve(c, (size_t)n + head_len + 2 + body_len)) {
    c->close_after = true;
    return;
  }
  if (!c->out_len) c->write_start = serve_now_ns();
  out_put(c, line, (size_t)n);
  out_put(c, head, head_len);
  out_put(c, "\r\n", 2);
  if (!is_head) out_put(c, body, body_len);
}

/* An error answer that ends the connection. */
static void respond_error(Worker *w, Conn *c, int status) {
  char body[128];
  int n = snprintf(body, sizeof body, "%d %s\n", status, http_reason(status));
  c->close_after = true;
  static const char ct[] = "Content-Type: text/plain\r\n";
  respond(w, c, status, ct, sizeof ct - 1, body, (size_t)n, false);
  log_access(w, c, status, (size_t)n, c->fn_gen == w->set_gen ? c->fn : NULL, 0, NULL);
}

/* Writes what is queued. Returns false if the connection was closed. */
static bool conn_flush(Worker *w, Conn *c) {
  while (c->out_off < c->out_len) {
    ssize_t r = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      conn_events(w, c, true);
      return true;
    }
    if (r <= 0) {
      conn_close(w, c);
      return false;
    }
    c->out_off += (size_t)r;
    c->last = serve_now_ns();
  }
  c->out_off = c->out_len = 0;
  if (c->out_cap > 65536) {  /* do not keep a big buffer on an idle connection */
    free(c->out);
    c->out = NULL;
    c->out_cap = 0;
  }
  conn_events(w, c, false);
  if (c->close_after && c->state != C_LINGER) {
    /* Half-close and read until the client closes, so it sees the response
    ** even if it was still sending (no RST over unread data). */
    shutdown(c->fd, SHUT_WR);
    c->state = C_LINGER;
    c->last = serve_now_ns();
  }
  return true;
}

/* Drops the current request's bytes from the input buffer. */
static void conn_consume(Conn *c, size_t n) {
  memmove(c->in, c->in + n, c->in_len - n);
  c->in_len -= n;
  c->state = C_HEAD;
  memset(&c->req, 0, sizeof c->req);  /* it pointed at the bytes just dropped */
  c->fn = NULL;
  c->fm = NULL;
  c->is_metrics = false;
  c->body_len = 0;
  c->chunk_pos = 0;
  memset(&c->ch, 0, sizeof c->ch);
  c->req_start = c->in_len ? serve_now_ns() : 0;
  if (c->in_cap > 65536 && c->in_len < 16384) {
    char *p = realloc(c->in, 16384);
    if (p) {
      c->in = p;
      c->in_cap = 16384;
    }
  }
}

static void worker_sync_set(Worker *w);

/* Runs the request whose head is c->req and body (body, len). */
static void dispatch(Worker *w, Conn *c, const uint8_t *body, size_t body_len) {
  uint64_t t0 = serve_now_ns();
  bool is_head = c->req.method_len == 4 && memcmp(c->req.method, "HEAD", 4) == 0;
  if (!c->req.keep_alive) c->close_after = true;
  if (c->is_metrics) {
    char *txt;
    size_t len;
    static const char ct[] = "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n";
    if (metrics_render(w->st->reg, w->set, &txt, &len)) {
      respond(w, c, 200, ct, sizeof ct - 1, txt, len, is_head);
      log_access(w, c, 200, len, NULL, serve_now_ns() - t0, NULL);
      free(txt);
    } else {
      respond(w, c, 500, "", 0, "", 0, is_head);
    }
    return;
  }
  if (c->fn && c->fn_gen != w->set_gen) {
    /* The functions were reloaded while the body arrived: route again. */
    c->fn = funcset_match(w->set, c->path, c->path_len);
    c->fn_gen = w->set_gen;
  }
  if (!c->fn) {
    static const char msg[] = "404 Not Found\n";
    static const char ct[] = "Content-Type: text/plain\r\n";
    respond(w, c, 404, ct, sizeof ct - 1, msg, sizeof msg - 1, is_head);
    log_access(w, c, 404, sizeof msg - 1, NULL, serve_now_ns() - t0, NULL);
    return;
  }
  FuncRequest rq;
  const char *q = memchr(c->req.target, '?', c->req.target_len);
  rq.http = &c->req;
  rq.path = c->path;
  rq.path_len = c->path_len;
  rq.query = q ? q + 1 : "";
  rq.query_len = q ? c->req.target_len - (size_t)(q - c->req.target) - 1 : 0;
  rq.body = body;
  rq.body_len = body_len;
  rq.remote_addr = c->remote;
  rq.remote_port = c->remote_port;
  rq.server_name = w->st->server_name;
  rq.server_port = w->st->port;
  FuncResult res;
  func_run(c->fn, w->id, &w->watch, &rq, &res);
  respond(w, c, res.status, res.head ? res.head : "", res.head ? res.head_len : 0, res.body,
          res.body_len, is_head);
  uint64_t dur = serve_now_ns() - t0;
  FuncMetrics *m = c->fn->metrics;
  if (res.status >= 100 && res.status < 600)
    atomic_fetch_add_explicit(&m->by_status[res.status], 1, memory_order_relaxed);
  metrics_observe(&m->latency, serve_latency_buckets, dur);
  log_access(w, c, res.status, res.body_len, c->fn, dur, &res);
  free(res.head);
}

/* Sets c->path to the normalised path of the parsed request's target. False
** for a path http_normalize_path refuses, or (path_len SIZE_MAX) no memory. */
static bool conn_route_path(Conn *c) {
  const char *q = memchr(c->req.target, '?', c->req.target_len);
  size_t plen = q ? (size_t)(q - c->req.target) : c->req.target_len;
  if (plen > c->path_cap) {
    char *p = realloc(c->path, plen);
    if (!p) {
      c->path_len = SIZE_MAX;
      return false;
    }
    c->path = p;
    c->path_cap = plen;
  }
  c->path_len = 0;
  return http_normalize_path(c->req.target, plen, c->path, &c->path_len) == 0;
}

/* Grows the input buffer to cap bytes. While a request's body arrives its
** parsed head points into the buffer, so the head moves with it: a new
** buffer, the bytes copied, the pointers re-based, then the old one freed. */
static bool conn_in_grow(Conn *c, size_t cap) {
  char *p = malloc(cap);
  if (!p) return false;
  if (c->in_len) memcpy(p, c->in, c->in_len);
  if (c->state == C_BODY) http_request_rebase(&c->req, c->in, p);
  free(c->in);
  c->in = p;
  c->in_cap = cap;
  return true;
}

/* Handles what is in the input buffer. Returns false if c was closed. */
static bool conn_process(Worker *w, Conn *c) {
  while (c->state != C_LINGER && c->out_len == 0) {
    if (c->state == C_HEAD) {
      if (c->in_len == 0) return true;
      if (!c->req_start) c->req_start = serve_now_ns();
      int r = http_parse_head(c->in, c->in_len, w->st->conf->max_header, &c->req);
      if (r == HTTP_PARSE_MORE) return true;
      if (r != HTTP_PARSE_OK) {
        memset(&c->req, 0, sizeof c->req);
        c->req.minor = 1;
        respond_error(w, c, r);
        return conn_flush(w, c);
      }
      worker_sync_set(w);
      if (!conn_route_path(c)) {
        memset(&c->req, 0, sizeof c->req);
        c->req.minor = 1;
        respond_error(w, c, c->path_len == SIZE_MAX ? 500 : 400);
        return conn_flush(w, c);
      }
      c->is_metrics = c->path_len == 8 && memcmp(c->path, "/metrics", 8) == 0;
      c->fn = c->is_metrics ? NULL : funcset_match(w->set, c->path, c->path_len);
      c->fn_gen = w->set_gen;
      c->fm = c->fn ? c->fn->metrics : NULL;
      c->body_max = c->fn ? c->fn->conf.limits.max_body : 0;
      if ((c->req.has_length && c->req.content_length > c->body_max) ||
          (c->req.chunked && !c->fn)) {
        if (c->fm) atomic_fetch_add(&c->fm->fails[FAIL_BODY_SIZE], 1);
        if (c->fm) atomic_fetch_add(&c->fm->by_status[413], 1);
        respond_error(w, c, c->fn ? 413 : (c->is_metrics ? 413 : 404));
        return conn_flush(w, c);
      }
      c->state = C_BODY;
      c->chunk_pos = c->req.head_len;
      bool need_body = c->req.chunked || (c->req.has_length && c->req.content_length);
      if (c->req.expect_continue && need_body && c->in_len == c->req.head_len) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        send(c->fd, cont, sizeof cont - 1, MSG_NOSIGNAL);
      }
    }
    if (c->state == C_BODY) {
      size_t total;
      const uint8_t *body;
      size_t blen;
      if (c->req.chunked) {
        if (!c->body) {
          c->body = malloc(c->body_max ? c->body_max : 1);
          if (!c->body) { conn_close(w, c); return false; }
        }
        size_t used = 0;
        int r = http_chunked_feed(&c->ch, c->in + c->chunk_pos, c->in_len - c->chunk_pos, &used,
                                  c->body, &c->body_len, c->body_max);
        c->chunk_pos += used;
        if (r == 0) {
          /* Keep the buffer small: drop decoded bytes from `in`. */
          memmove(c->in + c->req.head_len, c->in + c->chunk_pos, c->in_len - c->chunk_pos);
          c->in_len -= c->chunk_pos - c->req.head_len;
          c->chunk_pos = c->req.head_len;
          return true;
        }
        if (r != 1) {
          if (r == 413 && c->fm) {
            atomic_fetch_add(&c->fm->fails[FAIL_BODY_SIZE], 1);
            atomic_fetch_add(&c->fm->by_status[413], 1);
          }
          respond_error(w, c, r);
          return conn_flush(w, c);
        }
        total = c->chunk_pos;
        body = (const uint8_t *)c->body;
        blen = c->body_len;
      } else {
        uint64_t cl = c->req.has_length ? c->req.content_length : 0;
        if (c->in_len - c->req.head_len < cl) return true;
        total = c->req.head_len + (size_t)cl;
        body = (const uint8_t *)c->in + c->req.head_len;
        blen = (size_t)cl;
      }
      dispatch(w, c, body, blen);
      conn_consume(c, total);
      if (c->body && c->body_max > 65536) {
        free(c->body);
        c->body = NULL;
      }
      if (!conn_flush(w, c)) return false;
    }
  }
  return true;
}

/* How many bytes the input buffer may hold in the current state. */
static size_t conn_in_limit(Worker *w, Conn *c) {
  size_t lim = w->st->conf->max_header + READ_CHUNK;
  if (c->state == C_BODY && !c->req.chunked && c->req.has_length)
    lim = c->req.head_len + (size_t)c->req.content_length;
  if (c->state == C_BODY && c->req.chunked) lim = c->req.head_len + 4 * READ_CHUNK;
  return lim;
}

static void conn_readable(Worker *w, Conn *c) {
  for (int rounds = 0; rounds < 64; rounds++) {
    if (c->state == C_LINGER) {
      char buf[4096];
      ssize_t r = recv(c->fd, buf, sizeof buf, 0);
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
      if (r <= 0) { conn_close(w, c); return; }
      continue;
    }
    size_t lim = conn_in_limit(w, c);
    if (c->in_len >= lim) {
      /* Buffer full (pipelined requests waiting for a slow reader): stop
      ** reading until the output drains. */
      if (c->out_len) return;
      if (!conn_process(w, c)) return;
      if (c->in_len >= conn_in_limit(w, c)) return;
      continue;
    }
    size_t want = lim - c->in_len;
    if (want > READ_CHUNK * 4) want = READ_CHUNK * 4;
    if (c->in_len + want > c->in_cap) {
      size_t cap = c->in_cap ? c->in_cap : 4096;
      while (cap < c->in_len + want) cap *= 2;
      if (!conn_in_grow(c, cap)) { conn_close(w, c); return; }
    }
    ssize_t r = recv(c->fd, c->in + c->in_len, want, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (r <= 0) {
      /* Client closed: finish writing nothing more; drop the connection. */
      conn_close(w, c);
      return;
    }
    if (!c->req_start) c->req_start = serve_now_ns();
    c->in_len += (size_t)r;
    c->last = serve_now_ns();
    if (c->out_len) return;   /* wait for the pending response to drain */
    if (!conn_process(w, c)) return;
    if ((size_t)r < want) return;  /* probably drained */
  }
}

static void worker_accept(Worker *w) {
  for (int i = 0; i < 256; i++) {
    struct sockaddr_storage sa;
    socklen_t sl = sizeof sa;
    int fd = accept4(w->lfd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    if (w->nconns >= w->st->conf->max_conns) {
      close(fd);
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    Conn *c = calloc(1, sizeof *c);
    if (!c) {
      close(fd);
      continue;
    }
    c->fd = fd;
    c->last = serve_now_ns();
    if (sa.ss_family == AF_INET) {
      struct sockaddr_in *s4 = (struct sockaddr_in *)&sa;
      inet_ntop(AF_INET, &s4->sin_addr, c->remote, sizeof c->remote);
      c->remote_port = ntohs(s4->sin_port);
    } else if (sa.ss_family == AF_INET6) {
      struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&sa;
      inet_ntop(AF_INET6, &s6->sin6_addr, c->remote, sizeof c->remote);
      c->remote_port = ntohs(s6->sin6_port);
    }
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
      close(fd);
      free(c);
      continue;
    }
    c->next = w->conns;
    if (w->conns) w->conns->prev = c;
    w->conns = c;
    w->nconns++;
  }
}

/* Closes connections past their timeouts. */
static void worker_timeouts(Worker *w, uint64_t now) {
  const ServeConf *cf = w->st->conf;
  bool stopping = atomic_load(&w->st->stopping);
  for (Conn *c = w->conns, *next; c; c = next) {
    next = c->next;
    if (c->state == C_LINGER) {
      if (now - c->last > LINGER_NS) conn_close(w, c);
      continue;
    }
    if (c->out_len) {
      if (now - c->write_start > cf->write_timeout_ms * 1000000u) conn_close(w, c);
      continue;
    }
    bool idle = c->state == C_HEAD && c->in_len == 0;
    if (idle) {
      if (stopping || now - c->last > cf->idle_timeout_ms * 1000000u) conn_close(w, c);
      continue;
    }
    if (c->req_start && now - c->req_start > cf->header_timeout_ms * 1000000u) {
      if (c->state == C_HEAD) memset(&c->req, 0, sizeof c->req), c->req.minor = 1;
      respond_error(w, c, 408);
      conn_flush(w, c);
    }
  }
}

/* Switches the worker to the newest function set (between requests). */
static void worker_sync_set(Worker *w) {
  ServeState *st = w->st;
  if (atomic_load(&st->gen) == w->set_gen) return;
  pthread_mutex_lock(&st->set_mu);
  FuncSet *nset = st->set;
  atomic_fetch_add(&nset->refs, 1);
  w->set_gen = atomic_load(&st->gen);
  pthread_mutex_unlock(&st->set_mu);
  FuncSet *old = w->set;
  w->set = nset;
  if (old) {
    funcset_release_worker(old, w->id);
    if (atomic_fetch_sub(&old->refs, 1) == 1) funcset_free(old);
  }
}

static void *worker_main(void *arg) {
  Worker *w = arg;
  ServeState *st = w->st;
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->lfd, &ev);
  worker_sync_set(w);
  uint64_t last_tick = serve_now_ns();
  struct epoll_event evs[128];
  for (;;) {
    bool stopping = atomic_load(&st->stopping);
    if (stopping && !w->stop_seen) {
      w->stop_seen = true;
      w->stop_at = serve_now_ns();
      epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->lfd, NULL);
      close(w->lfd);
      w->lfd = -1;
      worker_timeouts(w, serve_now_ns());  /* closes idle connections now */
    }
    if (w->stop_seen && (w->nconns == 0 || serve_now_ns() - w->stop_at > DRAIN_NS)) break;
    int n = epoll_wait(w->epfd, evs, 128, 100);
    for (int i = 0; i < n; i++) {
      Conn *c = evs[i].data.ptr;
      if (!c) {
        if (w->lfd >= 0) worker_accept(w);
        continue;
      }
      /* Each fd appears once per batch and a connection is only closed
      ** while its own event is handled, so c is valid here. */
      if (evs[i].events & (EPOLLERR)) {
        conn_close(w, c);
        continue;
      }
      if (evs[i].events & EPOLLOUT) {
        if (!conn_flush(w, c)) continue;
        if (c->out_len == 0 && c->state != C_LINGER && !conn_process(w, c)) continue;
      }
      if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) conn_readable(w, c);
    }
    uint64_t now = serve_now_ns();
    if (now - last_tick > 100000000u || n == 0) {
      worker_timeouts(w, now);
      last_tick = now;
    }
    if (w->log_len && (n == 0 || now - w->log_flushed > 200000000u)) log_flush(w);
  }
  while (w->conns) conn_close(w, w->conns);
  log_flush(w);
  if (w->set) {
    funcset_release_worker(w->set, w->id);
    if (atomic_fetch_sub(&w->set->refs, 1) == 1) funcset_free(w->set);
    w->set = NULL;
  }
  return NULL;
}

/* ---- startup, signals, watchdog, reload ---- */

/* Opens a listening socket on host:port (SO_REUSEPORT when reuse). host is
** a numeric IPv4 or IPv6 address or "localhost" (no resolver: the program
** may be linked statically). */
static int listen_on(const char *host, int port, bool reuse, char *err, size_t n) {
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  socklen_t sl;
  struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
  if (strcmp(host, "localhost") == 0) host = "127.0.0.1";
  if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    sl = sizeof *s4;
  } else if (inet_pton(AF_INET6, host[0] == '[' ? host + 1 : host, &s6->sin6_addr) == 1 ||
             (host[0] == '[' && strchr(host, ']') &&
              (*strchr(host, ']') = 0, inet_pton(AF_INET6, host + 1, &s6->sin6_addr) == 1))) {
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons((uint16_t)port);
    sl = sizeof *s6;
  } else {
    snprintf(err, n, "cannot listen on %s:%d: the host must be an IP address or localhost", host,
             port);
    return -1;
  }
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    snprintf(err, n, "cannot listen on %s:%d: %s", host, port, strerror(errno));
    return -1;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (reuse) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 4096) != 0) {
    int e = errno;
    snprintf(err, n, "cannot listen on %s:%d: %s%s", host, port, strerror(e),
             e == EADDRINUSE ? " (port in use: is another server running?)" : "");
    close(fd);
    return -1;
  }
  return fd;
}

static int bound_port(int fd) {
  struct sockaddr_storage sa;
  socklen_t sl = sizeof sa;
  if (getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) return -1;
  if (sa.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&sa)->sin_port);
  return ntohs(((struct sockaddr_in6 *)&sa)->sin6_port);
}

static void watchdog(ServeState *st) {
  uint64_t now = serve_now_ns();
  for (int i = 0; i < st->nworkers; i++) {
    RunWatch *rw = &st->workers[i].watch;
    pthread_mutex_lock(&rw->mu);
    if (rw->store && rw->deadline_ns && now >= rw->deadline_ns && !rw->fired) {
      cairn_store_interrupt(rw->store);
      rw->fired = true;
    }
    pthread_mutex_unlock(&rw->mu);
  }
}

/* Re-reads the configuration and swaps the function set. */
static void reload(ServeState *st) {
  ServeConf nc;
  char err[1024];
  serve_conf_init(&nc);
  bool ok = true;
  if (st->conf->config_path) ok = serve_conf_load(&nc, st->conf->config_path, err, sizeof err);
  for (size_t i = 0; ok && i < st->conf->ncli_routes; i++)
    ok = serve_conf_add_route(&nc, st->conf->cli_routes[i], err, sizeof err);
  FuncSet *set = ok ? funcset_load(&nc, st->nworkers, st->reg, err, sizeof err) : NULL;
  if (!set) {
    fprintf(stderr, "cairn serve: reload failed, keeping the running configuration: %s\n", err);
    serve_conf_free(&nc);
    return;
  }
  if (strcmp(nc.host, st->conf->host) != 0 || nc.port != st->conf->port)
    fprintf(stderr, "cairn serve: reload: the listen address change needs a restart\n");
  pthread_mutex_lock(&st->set_mu);
  FuncSet *old = st->set;
  set->generation = atomic_load(&st->gen) + 1;
  st->set = set;
  atomic_fetch_add(&st->gen, 1);
  pthread_mutex_unlock(&st->set_mu);
  if (atomic_fetch_sub(&old->refs, 1) == 1) funcset_free(old);
  fprintf(stderr, "cairn serve: reloaded %zu function(s)\n", set->nfuncs);
  serve_conf_free(&nc);
}

int serve_main(ServeConf *conf) {
  char err[1024];
  int nworkers = conf->workers > 0 ? conf->workers : (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (nworkers < 1) nworkers = 1;
  if (conf->nfuncs == 0) {
    fprintf(stderr, "cairn serve: no functions: give --route PATH=MODULE or --config FILE\n");
    return 2;
  }
  ServeState *st = calloc(1, sizeof *st);
  if (!st) return 1;
  st->conf = conf;
  st->nworkers = nworkers;
  st->logfd = -1;
  pthread_mutex_init(&st->set_mu, NULL);
  atomic_init(&st->gen, 1);
  atomic_init(&st->stopping, false);
  st->reg = metrics_reg_new();
  int rc = 1;
  if (!st->reg) goto out;
  st->set = funcset_load(conf, nworkers, st->reg, err, sizeof err);
  if (!st->set) {
    fprintf(stderr, "cairn serve: %s\n", err);
    goto out;
  }
  if (strcmp(conf->access_log, "-") == 0) st->logfd = 1;
  else if (strcmp(conf->access_log, "off") != 0) {
    st->logfd = open(conf->access_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (st->logfd < 0) {
      fprintf(stderr, "cairn serve: cannot open access log %s: %s\n", conf->access_log,
              strerror(errno));
      goto out;
    }
  }
  /* Port check without SO_REUSEPORT first, so another server on the port
  ** (even another cairn) is an error rather than a silent share. */
  int probe = listen_on(conf->host, conf->port, false, err, sizeof err);
  if (probe < 0) {
    fprintf(stderr, "cairn serve: %s\n", err);
    goto out;
  }
  int port = conf->port ? conf->port : bound_port(probe);
  close(probe);
  st->port = port;
  snprintf(st->server_name, sizeof st->server_name, "%s", conf->host);
  st->workers = calloc((size_t)nworkers, sizeof *st->workers);
  if (!st->workers) goto out;
  for (int i = 0; i < nworkers; i++) {
    Worker *w = &st->workers[i];
    w->id = i;
    w->st = st;
    w->lfd = -1;
    w->epfd = -1;
    pthread_mutex_init(&w->watch.mu, NULL);
  }
  for (int i = 0; i < nworkers; i++) {
    Worker *w = &st->workers[i];
    w->lfd = listen_on(conf->host, port, true, err, sizeof err);
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (w->lfd < 0 || w->epfd < 0) {
      fprintf(stderr, "cairn serve: %s\n", w->lfd < 0 ? err : strerror(errno));
      for (int k = 0; k <= i; k++) {
        if (st->workers[k].lfd >= 0) close(st->workers[k].lfd);
        if (st->workers[k].epfd >= 0) close(st->workers[k].epfd);
      }
      goto out;
    }
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  int started = 0;
  for (; started < nworkers; started++) {
    if (pthread_create(&st->workers[started].th, NULL, worker_main, &st->workers[started]) != 0) {
      fprintf(stderr, "cairn serve: cannot start worker threads\n");
      atomic_store(&st->stopping, true);
      break;
    }
  }
  if (started == nworkers) {
    fprintf(stderr, "cairn serve: listening on http://%s:%d (%d workers)\n", conf->host, port,
            nworkers);
    for (size_t i = 0; i < st->set->nfuncs; i++)
      fprintf(stderr, "cairn serve:   %-20s -> %s (%s, loaded in %.1f ms)\n",
              st->set->funcs[i].conf.route, st->set->funcs[i].conf.name,
              st->set->funcs[i].conf.module, (double)st->set->funcs[i].load_ns / 1e6);
    rc = 0;
  } else {
    rc = 1;
  }
  while (!atomic_load(&st->stopping)) {
    struct timespec ts = {0, 2000000};
    siginfo_t si;
    int sig = sigtimedwait(&set, &si, &ts);
    if (sig == SIGTERM || sig == SIGINT) {
      fprintf(stderr, "cairn serve: %s: finishing in-flight requests\n",
              sig == SIGTERM ? "SIGTERM" : "SIGINT");
      atomic_store(&st->stopping, true);
    } else if (sig == SIGHUP) {
      reload(st);
    }
    watchdog(st);
  }
  /* Keep the watchdog running while workers drain. */
  for (int i = 0; i < started; i++) {
    for (;;) {
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      ts.tv_nsec += 2000000;
      if (ts.tv_nsec >= 1000000000) { ts.tv_sec++; ts.tv_nsec -= 1000000000; }
      if (pthread_timedjoin_np(st->workers[i].th, NULL, &ts) == 0) break;
      watchdog(st);
    }
  }
  for (int i = 0; i < nworkers; i++) {
    if (i >= started && st->workers[i].lfd >= 0) close(st->workers[i].lfd);
    if (st->workers[i].epfd >= 0) close(st->workers[i].epfd);
    pthread_mutex_destroy(&st->workers[i].watch.mu);
    free(st->workers[i].log);
  }
  if (started == nworkers) fprintf(stderr, "cairn serve: stopped\n");
out:
  if (st->set && atomic_fetch_sub(&st->set->refs, 1) == 1) funcset_free(st->set);
  if (st->logfd > 2) close(st->logfd);
  metrics_reg_free(st->reg);
  free(st->workers);
  pthread_mutex_destroy(&st->set_mu);
  free(st);
  return rc;
}
