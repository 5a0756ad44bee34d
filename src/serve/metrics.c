/*
** metrics.c: per-function metrics of `cairn serve` (lock-free counters and
** histograms shared by the workers) and their Prometheus text exposition
** (format 0.0.4) for GET /metrics. The registry keeps each function's
** metrics by name across reloads, so counters never go backwards.
*/
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/serve.h"

const char *const serve_fail_names[FAIL_NKINDS] = {
    "trap", "exit", "fuel", "deadline", "memory", "response_size",
    "body_size", "concurrency", "bad_output", "instantiate", "cancelled"};

const double serve_latency_buckets[METRIC_NBUCKETS] = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
    0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
const double serve_inst_buckets[METRIC_NBUCKETS] = {
    0.000001, 0.000002, 0.000005, 0.00001, 0.00002, 0.00005, 0.0001, 0.00025,
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1};

typedef struct RegEntry {
  char *name;
  FuncMetrics *m;
} RegEntry;

struct MetricsReg {
  pthread_mutex_t mu;
  RegEntry *a;
  size_t n;
};

MetricsReg *metrics_reg_new(void) {
  MetricsReg *r = calloc(1, sizeof *r);
  if (r) pthread_mutex_init(&r->mu, NULL);
  return r;
}

FuncMetrics *metrics_reg_get(MetricsReg *r, const char *name) {
  pthread_mutex_lock(&r->mu);
  FuncMetrics *m = NULL;
  for (size_t i = 0; i < r->n; i++)
    if (strcmp(r->a[i].name, name) == 0) m = r->a[i].m;
  if (!m) {
    RegEntry *a = realloc(r->a, (r->n + 1) * sizeof *a);
    if (a) {
      r->a = a;
      m = calloc(1, sizeof *m);
      char *nm = strdup(name);
      if (m && nm) {
        a[r->n].name = nm;
        a[r->n].m = m;
        r->n++;
      } else {
        free(m);
        free(nm);
        m = NULL;
      }
    }
  }
  pthread_mutex_unlock(&r->mu);
  return m;
}

void metrics_reg_free(MetricsReg *r) {
  if (!r) return;
  for (size_t i = 0; i < r->n; i++) {
    free(r->a[i].name);
    free(r->a[i].m);
  }
  free(r->a);
  pthread_mutex_destroy(&r->mu);
  free(r);
}

void metrics_observe(Histogram *h, const double *buckets, uint64_t ns) {
  double s = (double)ns / 1e9;
  int i = 0;
  while (i < METRIC_NBUCKETS && s > buckets[i]) i++;
  atomic_fetch_add_explicit(&h->bucket[i], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&h->sum_ns, ns, memory_order_relaxed);
}

typedef struct Out {
  char *p;
  size_t len, cap;
  bool oom;
} Out;

static void outf(Out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(Out *o, const char *fmt, ...) {
  if (o->oom) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    if (n < 0) { o->oom = true; return; }
    if ((size_t)n < o->cap - o->len) { o->len += (size_t)n; return; }
    size_t cap = o->cap * 2 + (size_t)n + 1024;
    char *p = realloc(o->p, cap);
    if (!p) { o->oom = true; return; }
    o->p = p;
    o->cap = cap;
  }
}

/* Label value escaping (\, ", newline). Names are config strings. */
static const char *esc(const char *s, char *buf, size_t n) {
  size_t j = 0;
  for (size_t i = 0; s[i] && j + 3 < n; i++) {
    if (s[i] == '\\' || s[i] == '"') { buf[j++] = '\\'; buf[j++] = s[i]; }
    else if (s[i] == '\n') { buf[j++] = '\\'; buf[j++] = 'n'; }
    else buf[j++] = s[i];
  }
  buf[j] = 0;
  return buf;
}

static void hist(Out *o, const char *metric, const char *fn, const Histogram *h,
                 const double *b) {
  uint64_t cum = 0;
  for (int i = 0; i <= METRIC_NBUCKETS; i++) {
    cum += atomic_load_explicit(&h->bucket[i], memory_order_relaxed);
    if (i < METRIC_NBUCKETS)
      outf(o, "%s_bucket{function=\"%s\",le=\"%g\"} %llu\n", metric, fn, b[i],
           (unsigned long long)cum);
    else
      outf(o, "%s_bucket{function=\"%s\",le=\"+Inf\"} %llu\n", metric, fn,
           (unsigned long long)cum);
  }
  outf(o, "%s_sum{function=\"%s\"} %.9f\n", metric, fn,
       (double)atomic_load_explicit(&h->sum_ns, memory_order_relaxed) / 1e9);
  outf(o, "%s_count{function=\"%s\"} %llu\n", metric, fn,
       (unsigned long long)atomic_load_explicit(&h->count, memory_order_relaxed));
}

bool metrics_render(MetricsReg *r, const FuncSet *set, char **out, size_t *len) {
  Out o = {malloc(16384), 0, 16384, false};
  if (!o.p) return false;
  pthread_mutex_lock(&r->mu);
  char fn[256];
  outf(&o, "# HELP cairn_requests_total Requests answered by a function, by HTTP status.\n"
           "# TYPE cairn_requests_total counter\n");
  for (size_t i = 0; i < r->n; i++) {
    esc(r->a[i].name, fn, sizeof fn);
    for (int s = 100; s < 600; s++) {
      uint64_t v = atomic_load_explicit(&r->a[i].m->by_status[s], memory_order_relaxed);
      if (v) outf(&o, "cairn_requests_total{function=\"%s\",status=\"%d\"} %llu\n", fn, s,
                  (unsigned long long)v);
    }
  }
  outf(&o, "# HELP cairn_request_duration_seconds Time from a complete request to its response.\n"
           "# TYPE cairn_request_duration_seconds histogram\n");
  for (size_t i = 0; i < r->n; i++)
    hist(&o, "cairn_request_duration_seconds", esc(r->a[i].name, fn, sizeof fn),
         &r->a[i].m->latency, serve_latency_buckets);
  outf(&o, "# HELP cairn_instantiate_seconds Time to get a fresh instance (snapshot restore + WASI reset, or a first instantiation).\n"
           "# TYPE cairn_instantiate_seconds histogram\n");
  for (size_t i = 0; i < r->n; i++)
    hist(&o, "cairn_instantiate_seconds", esc(r->a[i].name, fn, sizeof fn),
         &r->a[i].m->instantiate, serve_inst_buckets);
  outf(&o, "# HELP cairn_failures_total Failed requests by kind (traps and limit hits).\n"
           "# TYPE cairn_failures_total counter\n");
  for (size_t i = 0; i < r->n; i++) {
    esc(r->a[i].name, fn, sizeof fn);
    for (int k = 0; k < FAIL_NKINDS; k++)
      outf(&o, "cairn_failures_total{function=\"%s\",kind=\"%s\"} %llu\n", fn,
           serve_fail_names[k],
           (unsigned long long)atomic_load_explicit(&r->a[i].m->fails[k], memory_order_relaxed));
  }
  outf(&o, "# HELP cairn_live_instances Instances held by run threads (one per run thread and function used).\n"
           "# TYPE cairn_live_instances gauge\n");
  for (size_t i = 0; i < r->n; i++)
    outf(&o, "cairn_live_instances{function=\"%s\"} %lld\n", esc(r->a[i].name, fn, sizeof fn),
         (long long)atomic_load(&r->a[i].m->live_instances));
  outf(&o, "# HELP cairn_in_flight Requests running now.\n# TYPE cairn_in_flight gauge\n");
  for (size_t i = 0; i < r->n; i++)
    outf(&o, "cairn_in_flight{function=\"%s\"} %lld\n", esc(r->a[i].name, fn, sizeof fn),
         (long long)atomic_load(&r->a[i].m->in_flight));
  outf(&o, "# HELP cairn_runs_total Runs by the tier that served them (interp: the interpreter, "
           "native: compiled code).\n# TYPE cairn_runs_total counter\n");
  for (size_t i = 0; i < r->n; i++)
    for (int t = 0; t < 2; t++)
      outf(&o, "cairn_runs_total{function=\"%s\",tier=\"%s\"} %llu\n",
           esc(r->a[i].name, fn, sizeof fn), t ? "native" : "interp",
           (unsigned long long)atomic_load(&r->a[i].m->runs_tier[t]));
  outf(&o, "# HELP cairn_tier The tier serving new requests (0 interpreter, 1 native code).\n"
           "# TYPE cairn_tier gauge\n");
  for (size_t i = 0; i < r->n; i++)
    outf(&o, "cairn_tier{function=\"%s\"} %d\n", esc(r->a[i].name, fn, sizeof fn),
         atomic_load(&r->a[i].m->tier));
  outf(&o, "# HELP cairn_inline_runs_total Requests run by a worker itself (fast functions).\n"
           "# TYPE cairn_inline_runs_total counter\n");
  for (size_t i = 0; i < r->n; i++)
    outf(&o, "cairn_inline_runs_total{function=\"%s\"} %llu\n", esc(r->a[i].name, fn, sizeof fn),
         (unsigned long long)atomic_load(&r->a[i].m->inline_runs));
  outf(&o, "# HELP cairn_inline_cut_total Inline runs cut at their 1 ms budget and run again on "
           "the pool.\n# TYPE cairn_inline_cut_total counter\n");
  for (size_t i = 0; i < r->n; i++)
    outf(&o, "cairn_inline_cut_total{function=\"%s\"} %llu\n", esc(r->a[i].name, fn, sizeof fn),
         (unsigned long long)atomic_load(&r->a[i].m->inline_cut));
  outf(&o, "# HELP cairn_queued Requests waiting for a run thread.\n# TYPE cairn_queued gauge\n");
  for (size_t i = 0; i < r->n; i++)
    outf(&o, "cairn_queued{function=\"%s\"} %lld\n", esc(r->a[i].name, fn, sizeof fn),
         (long long)atomic_load(&r->a[i].m->queued));
  pthread_mutex_unlock(&r->mu);
  if (set) {
    outf(&o, "# HELP cairn_function_loaded Functions of the current configuration (module bytes).\n"
             "# TYPE cairn_function_loaded gauge\n");
    char rt[512];
    for (size_t i = 0; i < set->nfuncs; i++)
      outf(&o, "cairn_function_loaded{function=\"%s\",route=\"%s\"} %zu\n",
           esc(set->funcs[i].conf.name, fn, sizeof fn), esc(set->funcs[i].conf.route, rt, sizeof rt),
           set->funcs[i].module_bytes);
  }
  if (o.oom) {
    free(o.p);
    return false;
  }
  *out = o.p;
  *len = o.len;
  return true;
}
