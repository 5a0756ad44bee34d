/*
** server.c: the event loop of `cairn serve`. I/O threads ("workers", one per
** core) each have their own epoll instance and SO_REUSEPORT listening
** socket; connections are non-blocking, HTTP/1.1 with keep-alive and
** pipelining. A worker parses a complete request and hands it to the run
** pool: run threads (four per core by default: a guest that sleeps uses no
** CPU) take requests from per-function queues, each with its own function
** slots, run them and format the response into the connection's output
** buffer; the owning worker is woken through its eventfd and writes it. A
** connection does not read while its request runs (so the request head and
** body it points into stay put, and pipelined requests wait their turn).
**
** Fairness: a function with nothing running can always start a run (a
** reserve of a quarter of the run threads is kept for such functions), and
** one function holds at most function_run_threads (half by default) while
** other functions have requests waiting. So one tenant that spins, sleeps or
** grows memory cannot take every run thread from the others.
**
** Cancellation: a connection whose client is gone (EPOLLRDHUP/EPOLLHUP)
** while its request runs has its store interrupted; a request still
** queued is dropped (never run); later pipelined requests are never parsed.
** The main thread waits for signals and is the deadline watchdog: every
** 2 ms it interrupts a store whose run passed its deadline
** (cairn_store_interrupt). SIGTERM/SIGINT: stop accepting, finish in-flight
** requests for at most shutdown_grace_ms, then (or at a second signal)
** interrupt every running store, close the connections and exit. SIGHUP:
** reload the functions from the config file; workers switch to the new set
** between requests and a request keeps its set (reference counted), so no
** request is dropped. Slow or hostile clients: 408 when a request does not
** arrive within header_timeout_ms, 400/414/431/501/505 for bad heads, 413
** for bodies over the function's limit, and the connection is closed after
** any error response (with a short lingering read so the client sees it).
**
** Ownership while a request runs (Conn.running): the run thread owns the
** connection's output buffer (out, out_len, out_cap), close_after and the
** job's result fields; it reads the request head, body and remote address,
** which nobody writes then. Everything else stays with the worker. A
** connection closed meanwhile is unlinked and its socket closed, but its
** memory is freed only when the run thread hands the job back.
**
** Global state: none beyond ServeState, allocated by serve_main and passed
** to the threads; signals are handled synchronously (sigtimedwait) by the
** main thread, with SIGTERM/SIGINT/SIGHUP blocked in every thread.
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "serve/serve.h"

#define READ_CHUNK 16384
#define LINGER_NS 2000000000ull
#define INLINE_STREAK 32        /* runs within the inline budget in a row before inline runs */
#define SPIN_THREADS 1          /* run threads that may spin for work at once */
#define SPIN_NS 50000ull        /* how long (yielding the CPU meanwhile) */
#define HARD_WAIT_NS 700000000ull  /* hard stop: how long interrupted runs get to return */
#define LOG_FLUSH_BYTES 32768

typedef struct ServeState ServeState;
typedef struct Worker Worker;
typedef struct RunThread RunThread;
typedef struct Conn Conn;

enum { C_HEAD, C_BODY, C_LINGER };

/* A request handed to the run pool. One per connection (embedded in Conn):
** a connection has at most one request running or queued. */
typedef struct ServeJob {
  struct ServeJob *next;   /* in its function's queue, then in the worker's done list */
  Conn *c;
  Worker *w;               /* the worker that owns c */
  ServeFunc *fn;
  FuncSet *set;            /* fn's set: a reference held while the job lives */
  FuncRequest rq;          /* points into c->in / c->body (stable: c does not read) */
  size_t total;            /* bytes of c->in the request takes */
  uint64_t t0;             /* when it was queued */
  bool is_head;
  bool queued;             /* in a queue (under the pool's lock) */
  RunThread *runner;       /* set under the pool's lock when taken */
  atomic_bool cancelled;
  /* the result, written by the run thread */
  int status, fail;
  size_t body_len;
  uint64_t inst_ns;
  char detail[300];
} Job;

struct Conn {
  int fd;
  struct Conn *prev, *next;
  int state;
  char *in;
  size_t in_len, in_cap;
  char *out;
  size_t out_len, out_off, out_cap;
  bool close_after;       /* close once out is flushed */
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
  uint32_t events;        /* epoll events registered */
  bool running;           /* job is queued or running (see the ownership note) */
  bool gone;              /* closed while running: freed when the job comes back */
  Job job;
};

typedef struct DateCache {
  char date[40];
  time_t date_t;
} DateCache;

struct Worker {
  int id;
  pthread_t th;
  int epfd, lfd, efd;     /* efd: eventfd, written when done has jobs */
  Conn *conns;
  uint32_t nconns;
  uint32_t njobs;         /* jobs of this worker's connections not yet back */
  _Atomic(Job *) done;    /* jobs run, pushed by run threads (a LIFO stack) */
  FuncSet *set;
  uint64_t set_gen;
  char *log;
  size_t log_len, log_cap;
  uint64_t log_flushed;
  DateCache date;
  ServeState *st;
  bool stop_seen;
  bool hard_seen;
  uint64_t hard_at;
  RunWatch watch;         /* for its inline runs */
  int slot;               /* slot index of its inline runs (after the run threads') */
};

struct RunThread {
  int id;                 /* index of its slots */
  pthread_t th;
  ServeState *st;
  RunWatch watch;         /* also guards cur */
  Job *cur;               /* the job it runs */
  DateCache date;
};

struct ServeState {
  ServeConf *conf;
  pthread_mutex_t set_mu;
  FuncSet *set;
  _Atomic uint64_t gen;
  atomic_bool stopping;
  atomic_bool hard;       /* stop now: interrupt runs, drop connections */
  uint64_t hard_at;       /* when (main thread only) */
  atomic_int workers_live;
  MetricsReg *reg;
  Worker *workers;
  int nworkers;
  int logfd;
  char server_name[256];
  int port;
  /* the run pool */
  RunThread *runs;
  int nruns;
  uint32_t share;         /* run threads one function may hold while others wait */
  uint32_t reserve;       /* idle run threads kept for functions with nothing running */
  pthread_mutex_t q_mu;
  pthread_cond_t q_cv;
  FuncMetrics *active, *active_tail;  /* functions with queued jobs, in turn order */
  uint32_t nactive;
  uint32_t nbusy, nidle;  /* run threads running a job / waiting for one */
  atomic_uint nqueued;    /* jobs in the queues (read without the lock by spinners) */
  atomic_int nspin;       /* run threads spinning for a job before they sleep */
  bool pool_stop;
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

/* One access log line. j: the run's result (NULL: none). */
static void log_access(Worker *w, Conn *c, int status, size_t bytes, const ServeFunc *f,
                       uint64_t dur_ns, const Job *j) {
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
  if (j && j->inst_ns) log_raw(w, ",\"instantiate_us\":%.2f", (double)j->inst_ns / 1000.0);
  if (j && j->fail >= 0) {
    log_raw(w, ",\"failure\":\"%s\",\"detail\":\"", serve_fail_names[j->fail]);
    log_str(w, j->detail, strlen(j->detail));
    log_raw(w, "\"");
  }
  log_raw(w, "}\n");
  if (w->log_len >= LOG_FLUSH_BYTES) log_flush(w);
}

/* ---- connections ---- */

static void conn_set_events(Worker *w, Conn *c, uint32_t events) {
  if (events == c->events) return;
  struct epoll_event ev = {.events = events, .data.ptr = c};
  epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &ev);
  c->events = events;
}

static void conn_events(Worker *w, Conn *c, bool want_out) {
  conn_set_events(w, c, EPOLLIN | EPOLLRDHUP | (want_out ? EPOLLOUT : 0));
}

static void conn_free(Conn *c) {
  free(c->in);
  free(c->out);
  free(c->body);
  free(c->path);
  free(c);
}

static void job_cancel(Worker *w, Conn *c, const char *why);

/* Closes the connection. One whose request is running becomes `gone`: the
** run is cancelled and the memory freed when the job comes back. */
static void conn_close(Worker *w, Conn *c) {
  epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  c->fd = -1;
  if (c->prev) c->prev->next = c->next;
  else w->conns = c->next;
  if (c->next) c->next->prev = c->prev;
  w->nconns--;
  if (c->running) {
    c->gone = true;
    job_cancel(w, c, atomic_load(&w->st->hard) ? "the server is shutting down"
                                               : "the client closed the connection");
    return;
  }
  conn_free(c);
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

static const char *date_now(DateCache *d) {
  time_t t = time(NULL);
  if (t != d->date_t) {
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(d->date, sizeof d->date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    d->date_t = t;
  }
  return d->date;
}

/* Queues a response in c->out. head: extra header lines (CRLF-terminated).
** Called by the worker, or by the run thread that owns c->out. */
static void respond_to(ServeState *st, DateCache *d, Conn *c, int status, const char *head,
                       size_t head_len, const void *body, size_t body_len, bool is_head) {
  bool stopping = atomic_load(&st->stopping);
  if (stopping) c->close_after = true;
  char line[256];
  int n = snprintf(line, sizeof line,
                   "HTTP/1.1 %d %s\r\nServer: cairn\r\nDate: %s\r\nContent-Length: %zu\r\n%s",
                   status, http_reason(status), date_now(d), body_len,
                   c->close_after ? "Connection: close\r\n"
                   : (c->req.minor == 0 ? "Connection: keep-alive\r\n" : ""));
  if (!out_reserve(c, (size_t)n + head_len + 2 + body_len)) {
    c->close_after = true;
    return;
  }
  out_put(c, line, (size_t)n);
  out_put(c, head, head_len);
  out_put(c, "\r\n", 2);
  if (!is_head) out_put(c, body, body_len);
}

static void respond(Worker *w, Conn *c, int status, const char *head, size_t head_len,
                    const void *body, size_t body_len, bool is_head) {
  if (!c->out_len) c->write_start = serve_now_ns();
  respond_to(w->st, &w->date, c, status, head, head_len, body, body_len, is_head);
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
static void set_unref(FuncSet *set) {
  if (set && atomic_fetch_sub(&set->refs, 1) == 1) funcset_free(set);
}

/* ---- the run pool ---- */

/* May a run thread start j now? Under the pool's lock. A function with
** nothing running always may; otherwise it must leave `reserve` threads
** idle (for functions with nothing running) and, while other functions
** wait, hold at most `share` threads. Cancelled jobs are taken at once
** (they are not run). */
static bool pool_may_start(ServeState *st, const Job *j) {
  const RunQueue *q = &j->fn->metrics->runq;
  if (q->busy == 0 || atomic_load(&j->cancelled) || st->pool_stop) return true;
  if (q->busy >= st->share && st->nactive > 1) return false;
  uint32_t idle = (uint32_t)st->nruns - st->nbusy;   /* the asking thread included */
  uint32_t reserve = j->set->nfuncs > 1 ? st->reserve : 0;
  return idle - 1 >= reserve;
}

static void pool_unlink_active(ServeState *st, FuncMetrics *m, FuncMetrics *prev) {
  if (prev) prev->runq.next = m->runq.next;
  else st->active = m->runq.next;
  if (st->active_tail == m) st->active_tail = prev;
  m->runq.next = NULL;
  m->runq.active = false;
  st->nactive--;
}

static void pool_link_active(ServeState *st, FuncMetrics *m) {
  m->runq.active = true;
  m->runq.next = NULL;
  if (st->active_tail) st->active_tail->runq.next = m;
  else st->active = m;
  st->active_tail = m;
  st->nactive++;
}

/* The next job a run thread may start (functions take turns), or NULL.
** Under the pool's lock. */
static Job *pool_pick(ServeState *st, RunThread *r) {
  for (FuncMetrics *m = st->active, *prev = NULL; m; prev = m, m = m->runq.next) {
    RunQueue *q = &m->runq;
    Job *j = q->head;
    if (!pool_may_start(st, j)) continue;
    q->head = j->next;
    if (!q->head) q->tail = NULL;
    j->next = NULL;
    j->queued = false;
    j->runner = r;
    atomic_fetch_sub_explicit(&m->queued, 1, memory_order_relaxed);
    atomic_fetch_sub_explicit(&st->nqueued, 1, memory_order_relaxed);
    pool_unlink_active(st, m, prev);
    if (q->head) pool_link_active(st, m);   /* its turn moves to the end */
    q->busy++;
    st->nbusy++;
    return j;
  }
  return NULL;
}

/* Queues c's job (worker thread). */
static void pool_submit(ServeState *st, Job *j) {
  FuncMetrics *m = j->fn->metrics;
  pthread_mutex_lock(&st->q_mu);
  RunQueue *q = &m->runq;
  j->next = NULL;
  j->queued = true;
  j->runner = NULL;
  if (q->tail) q->tail->next = j;
  else q->head = j;
  q->tail = j;
  atomic_fetch_add_explicit(&m->queued, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&st->nqueued, 1, memory_order_relaxed);
  if (!q->active) pool_link_active(st, m);
  /* A spinning thread takes it (its last look is under this lock). */
  bool wake = st->nidle > 0 && atomic_load_explicit(&st->nspin, memory_order_relaxed) == 0;
  pthread_mutex_unlock(&st->q_mu);
  if (wake) pthread_cond_signal(&st->q_cv);
}

/* Removes j from its queue if it is still there (worker thread). Returns
** whether it was. */
static bool pool_withdraw(ServeState *st, Job *j) {
  bool was = false;
  pthread_mutex_lock(&st->q_mu);
  if (j->queued) {
    FuncMetrics *m = j->fn->metrics;
    RunQueue *q = &m->runq;
    Job *prev = NULL;
    for (Job *x = q->head; x && x != j; x = x->next) prev = x;
    if (prev) prev->next = j->next;
    else q->head = j->next;
    if (q->tail == j) q->tail = prev;
    j->next = NULL;
    j->queued = false;
    atomic_fetch_sub_explicit(&m->queued, 1, memory_order_relaxed);
    atomic_fetch_sub_explicit(&st->nqueued, 1, memory_order_relaxed);
    if (!q->head) {
      FuncMetrics *pm = NULL;
      for (FuncMetrics *x = st->active; x && x != m; x = x->runq.next) pm = x;
      pool_unlink_active(st, m, pm);
    }
    was = true;
  }
  pthread_mutex_unlock(&st->q_mu);
  return was;
}

/* Hands a job back to its worker (run thread). */
static void job_post(Job *j) {
  Worker *w = j->w;
  Job *head = atomic_load(&w->done);
  do j->next = head;
  while (!atomic_compare_exchange_weak(&w->done, &head, j));
  if (!head) {
    uint64_t one = 1;
    ssize_t r = write(w->efd, &one, sizeof one);
    (void)r;
  }
}

/* Cancels c's job (worker thread): a queued job is withdrawn (never run)
** and handed back at once; a running one has its store interrupted. */
static void job_cancel(Worker *w, Conn *c, const char *why) {
  Job *j = &c->job;
  ServeState *st = w->st;
  atomic_store(&j->cancelled, true);
  if (pool_withdraw(st, j)) {
    j->status = 499;
    j->fail = FAIL_CANCELLED;
    snprintf(j->detail, sizeof j->detail, "dropped before it ran: %s", why);
    job_post(j);
    return;
  }
  pthread_mutex_lock(&st->q_mu);
  RunThread *r = j->runner;
  pthread_mutex_unlock(&st->q_mu);
  if (!r) return;
  pthread_mutex_lock(&r->watch.mu);
  if (r->cur == j) {
    r->watch.cancel = why;
    if (r->watch.store) cairn_store_interrupt(r->watch.store);
  }
  pthread_mutex_unlock(&r->watch.mu);
}

/* Inline runs. A worker runs a request itself, with no hand-off to the
** pool, when the function has run within inline_budget_us (1 ms)
** INLINE_STREAK times in a row and can be run again without harm (no
** writable directory). Such a run gets that budget: past it the watchdog
** cancels it and the request
** goes to the pool to be run from the start (the cut run's output is
** dropped), and the function runs on the pool until it is fast again. So
** a worker is held at most the budget plus a watchdog tick. */
static const char inline_budget[] = "the inline time budget ran out";

static bool func_replayable(const ServeFunc *f) {
  for (size_t i = 0; i < f->conf.ndirs; i++)
    if (!f->conf.dirs[i].read_only) return false;
  return true;
}

static void note_run_time(const ServeState *st, ServeFunc *f, uint64_t ns, int fail) {
  _Atomic uint32_t *s = &f->metrics->fast_streak;
  if (ns < st->conf->inline_budget_us * 1000u && fail != FAIL_CANCELLED) {
    if (atomic_load_explicit(s, memory_order_relaxed) < INLINE_STREAK)
      atomic_fetch_add_explicit(s, 1, memory_order_relaxed);
  } else if (atomic_load_explicit(s, memory_order_relaxed)) {
    atomic_store_explicit(s, 0, memory_order_relaxed);
  }
}

/* Runs c's request on worker w (see above). Returns false when it ran out
** of its budget: nothing was answered and the request goes to the pool. */
static bool run_inline(Worker *w, Conn *c, FuncRequest *rq, bool is_head, uint64_t t0) {
  ServeFunc *f = c->fn;
  FuncResult res;
  pthread_mutex_lock(&w->watch.mu);
  w->watch.cancel = NULL;
  w->watch.budget_ns = serve_now_ns() + w->st->conf->inline_budget_us * 1000u;
  pthread_mutex_unlock(&w->watch.mu);
  func_run(f, w->slot, &w->watch, rq, &res);
  pthread_mutex_lock(&w->watch.mu);
  bool cut = w->watch.cancel == inline_budget;
  w->watch.cancel = NULL;
  w->watch.budget_ns = 0;
  pthread_mutex_unlock(&w->watch.mu);
  FuncMetrics *m = f->metrics;
  if (cut && res.fail == FAIL_CANCELLED) {
    atomic_fetch_sub(&m->fails[FAIL_CANCELLED], 1);   /* not a failure: it runs again */
    atomic_fetch_add(&m->inline_cut, 1);
    atomic_store(&m->fast_streak, 0);
    free(res.head);
    func_trim(f, w->slot);
    return false;
  }
  note_run_time(w->st, f, serve_now_ns() - t0, res.fail);
  atomic_fetch_add_explicit(&m->inline_runs, 1, memory_order_relaxed);
  if (!c->out_len) c->write_start = serve_now_ns();
  respond_to(w->st, &w->date, c, res.status, res.head ? res.head : "",
             res.head ? res.head_len : 0, res.body, res.body_len, is_head);
  uint64_t dur = serve_now_ns() - t0;
  if (res.status >= 100 && res.status < 600)
    atomic_fetch_add_explicit(&m->by_status[res.status], 1, memory_order_relaxed);
  metrics_observe(&m->latency, serve_latency_buckets, dur);
  Job *j = &c->job;   /* the log line's fields */
  j->fail = res.fail;
  j->inst_ns = res.inst_ns;
  memcpy(j->detail, res.detail, sizeof j->detail);
  log_access(w, c, res.status, res.body_len, f, dur, j);
  free(res.head);
  func_trim(f, w->slot);
  return true;
}

/* Runs j on run thread r and formats its response into c->out. */
static void job_run(RunThread *r, Job *j) {
  ServeState *st = r->st;
  Conn *c = j->c;
  pthread_mutex_lock(&r->watch.mu);
  r->cur = j;
  bool skip = atomic_load(&j->cancelled) || atomic_load(&st->hard);
  pthread_mutex_unlock(&r->watch.mu);
  if (skip) {
    j->status = 499;
    j->fail = FAIL_CANCELLED;
    snprintf(j->detail, sizeof j->detail, "dropped before it ran: %s",
             atomic_load(&st->hard) ? "the server is shutting down"
                                    : "the client closed the connection");
  } else {
    FuncResult res;
    uint64_t t0 = serve_now_ns();
    func_run(j->fn, r->id, &r->watch, &j->rq, &res);
    note_run_time(st, j->fn, serve_now_ns() - t0, res.fail);
    j->status = res.status;
    j->fail = res.fail;
    j->body_len = res.body_len;
    j->inst_ns = res.inst_ns;
    memcpy(j->detail, res.detail, sizeof j->detail);
    if (res.fail != FAIL_CANCELLED)
      respond_to(st, &r->date, c, res.status, res.head ? res.head : "",
                 res.head ? res.head_len : 0, res.body, res.body_len, j->is_head);
    free(res.head);
    func_trim(j->fn, r->id);   /* a run that grew its memory gives it back now */
  }
  pthread_mutex_lock(&r->watch.mu);
  r->cur = NULL;
  r->watch.cancel = NULL;
  pthread_mutex_unlock(&r->watch.mu);
}

static void *run_main(void *arg) {
  RunThread *r = arg;
  ServeState *st = r->st;
  FuncMetrics *ran = NULL;   /* the function of the job just handed back */
  for (;;) {
    pthread_mutex_lock(&st->q_mu);
    if (ran) {
      ran->runq.busy--;
      st->nbusy--;
    }
    Job *j = pool_pick(st, r);
    if (!j && !st->pool_stop && st->nbusy == 0) {
      if (atomic_fetch_add(&st->nspin, 1) < SPIN_THREADS) {
        /* With nothing running, one thread waits a little for the next
        ** job awake: a request then costs no futex wake-up and context
        ** switch. (Not while runs go on: yielding to a guest that computes
        ** would delay the next request by a time slice.) */
        pthread_mutex_unlock(&st->q_mu);
        uint64_t until = serve_now_ns() + SPIN_NS;
        while (!atomic_load_explicit(&st->nqueued, memory_order_relaxed) &&
               serve_now_ns() < until)
          sched_yield();
        pthread_mutex_lock(&st->q_mu);
        j = pool_pick(st, r);
      }
      atomic_fetch_sub(&st->nspin, 1);
    }
    while (!j && !st->pool_stop) {
      st->nidle++;
      pthread_cond_wait(&st->q_cv, &st->q_mu);
      st->nidle--;
      j = pool_pick(st, r);
    }
    /* Jobs left and threads asleep: one of them may be able to start one
    ** too (a finished run can unblock more than one queue). */
    bool more = j && st->active && st->nidle > 0;
    pthread_mutex_unlock(&st->q_mu);
    if (more) pthread_cond_signal(&st->q_cv);
    if (!j) break;
    job_run(r, j);
    ran = j->fn->metrics;
    job_post(j);   /* j belongs to its worker again */
  }
  return NULL;
}

/* A job came back (worker thread): log it, send the response, go on with
** the connection's next request. */
static bool conn_process(Worker *w, Conn *c);
static void job_done(Worker *w, Job *j) {
  Conn *c = j->c;
  w->njobs--;
  c->running = false;
  uint64_t dur = serve_now_ns() - j->t0;
  FuncMetrics *m = j->fn->metrics;
  if (j->status >= 100 && j->status < 600)
    atomic_fetch_add_explicit(&m->by_status[j->status], 1, memory_order_relaxed);
  if (j->fail == FAIL_CANCELLED && strncmp(j->detail, "dropped", 7) == 0)
    atomic_fetch_add_explicit(&m->fails[FAIL_CANCELLED], 1, memory_order_relaxed);
  else
    metrics_observe(&m->latency, serve_latency_buckets, dur);
  log_access(w, c, j->status, j->body_len, j->fn, dur, j);
  set_unref(j->set);
  j->set = NULL;
  j->fn = NULL;
  if (c->gone) {
    conn_free(c);
    return;
  }
  if (j->fail == FAIL_CANCELLED) {   /* shutting down: nothing to send */
    conn_close(w, c);
    return;
  }
  c->write_start = serve_now_ns();
  conn_consume(c, j->total);
  if (c->body && c->body_max > 65536) {
    free(c->body);
    c->body = NULL;
  }
  if (!conn_flush(w, c)) return;
  if (c->out_len == 0 && c->state != C_LINGER) conn_process(w, c);
}

/* Runs the request whose head is c->req and body (body, len): /metrics
** and 404 answered here, functions handed to the run pool. Returns true
** when the request was queued. */
static bool dispatch(Worker *w, Conn *c, const uint8_t *body, size_t body_len, size_t total) {
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
    return false;
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
    return false;
  }
  Job *j = &c->job;
  FuncRequest *rq = &j->rq;
  const char *q = memchr(c->req.target, '?', c->req.target_len);
  bool try_inline = atomic_load_explicit(&c->fn->metrics->fast_streak, memory_order_relaxed) >=
                        INLINE_STREAK &&
                    w->st->conf->inline_budget_us && !atomic_load(&w->st->stopping) &&
                    func_replayable(c->fn);
  rq->http = &c->req;
  rq->path = c->path;
  rq->path_len = c->path_len;
  rq->query = q ? q + 1 : "";
  rq->query_len = q ? c->req.target_len - (size_t)(q - c->req.target) - 1 : 0;
  rq->body = body;
  rq->body_len = body_len;
  rq->remote_addr = c->remote;
  rq->remote_port = c->remote_port;
  rq->server_name = w->st->server_name;
  rq->server_port = w->st->port;
  if (try_inline && run_inline(w, c, rq, is_head, t0)) return false;
  j->c = c;
  j->w = w;
  j->fn = c->fn;
  j->set = w->set;
  atomic_fetch_add(&w->set->refs, 1);
  j->total = total;
  j->t0 = t0;
  j->is_head = is_head;
  j->status = 0;
  j->fail = -1;
  j->body_len = 0;
  j->inst_ns = 0;
  j->detail[0] = 0;
  atomic_store_explicit(&j->cancelled, false, memory_order_relaxed);
  c->running = true;
  w->njobs++;
  /* c stops reading while it runs (conn_readable returns at once). Its
  ** events stay as they are (no epoll_ctl on the fast path); if bytes come
  ** meanwhile (pipelining), the worker narrows them to EPOLLRDHUP, so a
  ** level-triggered EPOLLIN does not spin and the client leaving is heard. */
  pool_submit(w->st, j);
  return true;
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
  while (c->state != C_LINGER && c->out_len == 0 && !c->running) {
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
      if (dispatch(w, c, body, blen, total)) return true;  /* job_done goes on */
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
    if (c->running) return;   /* its request runs: c->in must stay put */
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
    c->events = EPOLLIN | EPOLLRDHUP;
    c->next = w->conns;
    if (w->conns) w->conns->prev = c;
    w->conns = c;
    w->nconns++;
  }
}

/* Closes connections past their timeouts. A connection whose request runs
** is left alone (the run has its own deadline). */
static void worker_timeouts(Worker *w, uint64_t now) {
  const ServeConf *cf = w->st->conf;
  bool stopping = atomic_load(&w->st->stopping);
  for (Conn *c = w->conns, *next; c; c = next) {
    next = c->next;
    if (c->running) continue;
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

/* Switches the worker to the newest function set (between requests). A
** running request keeps its own reference to the set it was routed in. */
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
  set_unref(old);
}

/* Takes the jobs the run threads handed back. (The eventfd is
** edge-triggered: every write is an event, so it is never read.) */
static void worker_done(Worker *w) {
  Job *list = atomic_exchange(&w->done, NULL);
  Job *fifo = NULL;   /* the stack is newest first */
  while (list) {
    Job *n = list->next;
    list->next = fifo;
    fifo = list;
    list = n;
  }
  while (fifo) {
    Job *n = fifo->next;
    fifo->next = NULL;
    job_done(w, fifo);
    fifo = n;
  }
}

static void *worker_main(void *arg) {
  Worker *w = arg;
  ServeState *st = w->st;
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->lfd, &ev);
  struct epoll_event eev = {.events = EPOLLIN | EPOLLET, .data.ptr = &w->efd};
  epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->efd, &eev);
  worker_sync_set(w);
  uint64_t last_tick = serve_now_ns();
  struct epoll_event evs[128];
  for (;;) {
    bool stopping = atomic_load(&st->stopping);
    if (stopping && !w->stop_seen) {
      w->stop_seen = true;
      epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->lfd, NULL);
      close(w->lfd);
      w->lfd = -1;
      worker_timeouts(w, serve_now_ns());  /* closes idle connections now */
    }
    if (atomic_load(&st->hard) && !w->hard_seen) {
      /* Hard stop: drop every connection (cancelling its request). */
      w->hard_seen = true;
      w->hard_at = serve_now_ns();
      while (w->conns) conn_close(w, w->conns);
    }
    if (w->stop_seen && w->nconns == 0 && w->njobs == 0) break;
    if (w->hard_seen && serve_now_ns() - w->hard_at > HARD_WAIT_NS) break;  /* runs stuck */
    int n = epoll_wait(w->epfd, evs, 128,
                       atomic_load_explicit(&w->done, memory_order_relaxed) ? 0 : 100);
    bool done = atomic_load_explicit(&w->done, memory_order_relaxed) != NULL;
    for (int i = 0; i < n; i++) {
      Conn *c = evs[i].data.ptr;
      if (!c) {
        if (w->lfd >= 0) worker_accept(w);
        continue;
      }
      if (evs[i].data.ptr == &w->efd) {
        done = true;   /* after the batch: job_done may close connections */
        continue;
      }
      /* Each fd appears once per batch and a connection is only closed
      ** while its own event is handled, so c is valid here. */
      if (c->running) {
        if (evs[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) conn_close(w, c);  /* gone */
        else if (evs[i].events & EPOLLIN) conn_set_events(w, c, EPOLLRDHUP);
        continue;
      }
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
    if (done) worker_done(w);
    uint64_t now = serve_now_ns();
    if (now - last_tick > 100000000u || n == 0) {
      worker_timeouts(w, now);
      last_tick = now;
    }
    if (w->log_len && (n == 0 || now - w->log_flushed > 200000000u)) log_flush(w);
  }
  while (w->conns) conn_close(w, w->conns);
  log_flush(w);
  set_unref(w->set);
  w->set = NULL;
  atomic_fetch_sub(&st->workers_live, 1);
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

/* Interrupts every run past its deadline (or an inline run past its
** budget); when hard, every run. */
static void watchdog(ServeState *st, bool hard) {
  uint64_t now = serve_now_ns();
  for (int i = 0; i < st->nruns + st->nworkers; i++) {
    bool pool = i < st->nruns;
    RunWatch *rw = pool ? &st->runs[i].watch : &st->workers[i - st->nruns].watch;
    pthread_mutex_lock(&rw->mu);
    if (rw->store && rw->deadline_ns && now >= rw->deadline_ns && !rw->fired) {
      cairn_store_interrupt(rw->store);
      rw->fired = true;
    } else if (rw->store && rw->budget_ns && now >= rw->budget_ns && !rw->cancel) {
      rw->cancel = inline_budget;
      cairn_store_interrupt(rw->store);
    } else if (hard && pool && st->runs[i].cur && !rw->cancel) {
      rw->cancel = "the server is shutting down";
      if (rw->store) cairn_store_interrupt(rw->store);
    }
    pthread_mutex_unlock(&rw->mu);
  }
}

static void wake_workers(ServeState *st, int n) {
  uint64_t one = 1;
  for (int i = 0; i < n; i++) {
    ssize_t r = write(st->workers[i].efd, &one, sizeof one);
    (void)r;
  }
}

/* Re-reads the configuration and swaps the function set. */
static void reload(ServeState *st) {
  ServeConf nc;
  char err[1024];
  serve_conf_init(&nc);
  bool ok = true;
  if (st->conf->cli_require_signature)
    ok = serve_conf_require_signature(&nc, st->conf->cli_require_signature, err, sizeof err);
  if (ok && st->conf->config_path) ok = serve_conf_load(&nc, st->conf->config_path, err, sizeof err);
  for (size_t i = 0; ok && i < st->conf->ncli_routes; i++)
    ok = serve_conf_add_route(&nc, st->conf->cli_routes[i], err, sizeof err);
  FuncSet *set =
      ok ? funcset_load(&nc, st->nruns + st->nworkers, st->reg, err, sizeof err) : NULL;
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
  tierup_start(set, nc.aot_cache);
  serve_conf_free(&nc);
}

int serve_main(ServeConf *conf) {
  char err[1024];
  int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (ncpu < 1) ncpu = 1;
  int nworkers = conf->workers > 0 ? conf->workers : ncpu;
  int nruns = conf->run_threads > 0 ? conf->run_threads : 4 * ncpu;
  if (conf->nfuncs == 0) {
    fprintf(stderr, "cairn serve: no functions: give --route PATH=MODULE or --config FILE\n");
    return 2;
  }
  ServeState *st = calloc(1, sizeof *st);
  if (!st) return 1;
  st->conf = conf;
  st->nworkers = nworkers;
  st->nruns = nruns;
  st->share = conf->function_run_threads > 0 ? (uint32_t)conf->function_run_threads
                                             : (uint32_t)(nruns / 2);
  if (st->share < 1) st->share = 1;
  st->reserve = (uint32_t)(nruns / 4);
  st->logfd = -1;
  pthread_mutex_init(&st->set_mu, NULL);
  pthread_mutex_init(&st->q_mu, NULL);
  pthread_cond_init(&st->q_cv, NULL);
  atomic_init(&st->gen, 1);
  atomic_init(&st->stopping, false);
  atomic_init(&st->hard, false);
  atomic_init(&st->workers_live, 0);
  st->reg = metrics_reg_new();
  int rc = 1;
  int started = 0, runs_started = 0;
  bool abandon = false;
  if (!st->reg) goto out;
  st->set = funcset_load(conf, nruns + nworkers, st->reg, err, sizeof err);
  if (!st->set) {
    fprintf(stderr, "cairn serve: %s\n", err);
    goto out;
  }
  tierup_start(st->set, conf->aot_cache);
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
  st->runs = calloc((size_t)nruns, sizeof *st->runs);
  if (!st->workers || !st->runs) goto out;
  for (int i = 0; i < nruns; i++) {
    st->runs[i].id = i;
    st->runs[i].st = st;
    pthread_mutex_init(&st->runs[i].watch.mu, NULL);
  }
  for (int i = 0; i < nworkers; i++) {
    Worker *w = &st->workers[i];
    w->id = i;
    w->st = st;
    w->lfd = w->epfd = w->efd = -1;
    w->slot = nruns + i;
    atomic_init(&w->done, NULL);
    pthread_mutex_init(&w->watch.mu, NULL);
  }
  for (int i = 0; i < nworkers; i++) {
    Worker *w = &st->workers[i];
    w->lfd = listen_on(conf->host, port, true, err, sizeof err);
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (w->lfd < 0 || w->epfd < 0 || w->efd < 0) {
      fprintf(stderr, "cairn serve: %s\n", w->lfd < 0 ? err : strerror(errno));
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
  for (; runs_started < nruns; runs_started++)
    if (pthread_create(&st->runs[runs_started].th, NULL, run_main, &st->runs[runs_started]) != 0)
      break;
  if (runs_started == nruns) {
    for (; started < nworkers; started++) {
      atomic_fetch_add(&st->workers_live, 1);
      if (pthread_create(&st->workers[started].th, NULL, worker_main, &st->workers[started]) !=
          0) {
        atomic_fetch_sub(&st->workers_live, 1);
        break;
      }
    }
  }
  if (started == nworkers) {
    fprintf(stderr, "cairn serve: listening on http://%s:%d (%d workers, %d run threads)\n",
            conf->host, port, nworkers, nruns);
    for (size_t i = 0; i < st->set->nfuncs; i++)
      fprintf(stderr, "cairn serve:   %-20s -> %s (%s, loaded in %.1f ms)\n",
              st->set->funcs[i].conf.route, st->set->funcs[i].conf.name,
              st->set->funcs[i].conf.module, (double)st->set->funcs[i].load_ns / 1e6);
    rc = 0;
  } else {
    fprintf(stderr, "cairn serve: cannot start threads\n");
    atomic_store(&st->stopping, true);
    rc = 1;
  }
  /* Signals and the watchdog, until every worker has stopped. */
  uint64_t stop_at = 0;
  while (atomic_load(&st->workers_live) > 0) {
    struct timespec ts = {0, 2000000};
    siginfo_t si;
    int sig = sigtimedwait(&set, &si, &ts);
    const char *name = sig == SIGTERM ? "SIGTERM" : "SIGINT";
    if ((sig == SIGTERM || sig == SIGINT) && !atomic_load(&st->stopping)) {
      fprintf(stderr, "cairn serve: %s: finishing in-flight requests (at most %llu ms)\n", name,
              (unsigned long long)conf->shutdown_grace_ms);
      atomic_store(&st->stopping, true);
      stop_at = serve_now_ns();
      wake_workers(st, started);
    } else if ((sig == SIGTERM || sig == SIGINT) && !atomic_load(&st->hard)) {
      fprintf(stderr, "cairn serve: %s again: stopping now\n", name);
      st->hard_at = serve_now_ns();
      atomic_store(&st->hard, true);
      wake_workers(st, started);
    } else if (sig == SIGHUP && !atomic_load(&st->stopping)) {
      reload(st);
    }
    if (atomic_load(&st->stopping) && stop_at && !atomic_load(&st->hard) &&
        serve_now_ns() - stop_at >= conf->shutdown_grace_ms * 1000000u) {
      fprintf(stderr, "cairn serve: grace period over: interrupting the runs left\n");
      st->hard_at = serve_now_ns();
      atomic_store(&st->hard, true);
      wake_workers(st, started);
    }
    watchdog(st, atomic_load(&st->hard));
  }
  for (int i = 0; i < started; i++) {
    pthread_join(st->workers[i].th, NULL);
    if (st->workers[i].njobs) abandon = true;
  }
out:
  /* The run pool: its queues are empty once the workers are gone (unless
  ** a run would not return when interrupted: then it is left behind). */
  if (runs_started) {
    pthread_mutex_lock(&st->q_mu);
    st->pool_stop = true;
    pthread_cond_broadcast(&st->q_cv);
    pthread_mutex_unlock(&st->q_mu);
    /* Bounded by the hard stop's wait (the workers waited within it too). */
    uint64_t t0 = st->hard_at ? st->hard_at : serve_now_ns();
    for (int i = 0; i < runs_started; i++) {
      for (;;) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 2000000;
        if (ts.tv_nsec >= 1000000000) { ts.tv_sec++; ts.tv_nsec -= 1000000000; }
        if (pthread_timedjoin_np(st->runs[i].th, NULL, &ts) == 0) break;
        watchdog(st, true);
        if (serve_now_ns() - t0 > HARD_WAIT_NS) {
          abandon = true;
          break;
        }
      }
      if (abandon) break;
    }
  }
  if (abandon) {
    /* Threads still use the state: leave it to the process exit. */
    fprintf(stderr, "cairn serve: stopped (runs that did not return were abandoned)\n");
    return rc;
  }
  if (started == nworkers && rc == 0) fprintf(stderr, "cairn serve: stopped\n");
  for (int i = 0; st->workers && i < nworkers; i++) {
    Worker *w = &st->workers[i];
    if (w->lfd >= 0) close(w->lfd);
    if (w->epfd >= 0) close(w->epfd);
    if (w->efd >= 0) close(w->efd);
    pthread_mutex_destroy(&w->watch.mu);
    free(w->log);
  }
  for (int i = 0; st->runs && i < nruns; i++) pthread_mutex_destroy(&st->runs[i].watch.mu);
  tierup_shutdown(); /* its threads hold sets and use the metrics */
  set_unref(st->set);
  if (st->logfd > 2) close(st->logfd);
  metrics_reg_free(st->reg);
  free(st->workers);
  free(st->runs);
  pthread_mutex_destroy(&st->set_mu);
  pthread_mutex_destroy(&st->q_mu);
  pthread_cond_destroy(&st->q_cv);
  free(st);
  return rc;
}
