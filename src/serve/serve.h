/*
** serve.h: the serverless HTTP node (`cairn serve`): configuration, HTTP
** request parsing, functions (a module, its limits and per-worker instance
** slots), metrics and the event loop. A client of the public API only
** (cairn/cairn.h, cairn/wasi.h). Entry point for the CLI: serve_main.
**
** Global state (DESIGN.md: named in one place): the running server's
** signal-driven flags live in server.c (ServeState, one per process, reached
** only from serve_main's thread and the workers it starts).
*/
#ifndef CAIRN_SERVE_H
#define CAIRN_SERVE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/cairn.h"
#include "cairn/wasi.h"

/* ---- configuration (config.c) ---- */

typedef struct ServeLimits {
  uint64_t memory_pages;     /* memory budget in 64 KiB pages: linear memory plus
                             ** tables (0: no cap, spec limits) */
  uint64_t table_elems;      /* cap on each table's elements (0: derived from the
                             ** budget, see serve_store_caps) */
  uint64_t timeout_ms;       /* wall-clock deadline of one run (0: none) */
  uint64_t fuel;             /* instructions per run (0: unlimited) */
  size_t max_body;           /* request body bytes (413 past it) */
  size_t max_response;       /* function output bytes (502 past it) */
  uint32_t concurrency;      /* runs at once across workers (503 past it; 0: unlimited) */
} ServeLimits;

#define SERVE_MAX_DIRS 32

typedef struct ServeDir {
  char *host, *guest;        /* owned */
  bool read_only;
} ServeDir;

/* "attest": the function is attested before it is loaded (attest.c). */
typedef struct ServeAttestConf {
  char *url;                 /* owned; the verifier, http://HOST:PORT */
  char *verifier_pub;        /* owned; paths resolved against the config's folder */
  char *device_key;          /* owned; or */
  char *tpm;                 /* owned; a tpm2-tss TCTI */
  uint32_t tpm_ak;           /* 0: the default handle */
  char *name;                /* owned; the policy's module name (default: the function's) */
} ServeAttestConf;

typedef struct ServeFuncConf {
  char *name;                /* owned; defaults to the module's base name */
  char *route;               /* owned; "/x" matches /x and /x/... */
  char *module;              /* owned; path resolved against the config's folder */
  char **env;                /* owned "NAME=VALUE" strings */
  size_t nenv;
  ServeDir *dirs;            /* owned */
  size_t ndirs;
  ServeLimits limits;
  bool aot;                  /* "tier": "aot": serve it as native code once compiled */
  ServeAttestConf *attest;   /* owned; NULL: not attested */
  char **sig_keys;           /* owned: "require_signature" public key files (its own, or
                             ** the global ones); none: no signature needed */
  size_t nsig_keys;
} ServeFuncConf;

typedef struct ServeConf {
  char *host;                /* owned; listen address */
  int port;
  int workers;               /* I/O threads; 0: one per core */
  int run_threads;           /* threads that run functions; 0: four per core */
  int function_run_threads;  /* run threads one function may hold while others wait; 0: half */
  uint64_t shutdown_grace_ms;  /* SIGTERM: in-flight runs get this long, then are interrupted */
  uint64_t inline_budget_us;   /* inline runs (server.c): their budget; 0: none */
  char *access_log;          /* owned; "-" stdout (default), "off", or a file */
  uint64_t header_timeout_ms;  /* a request's head and body must arrive within this */
  uint64_t idle_timeout_ms;    /* keep-alive connection idle time */
  uint64_t write_timeout_ms;   /* a response must be taken by the client within this */
  size_t max_header;           /* request line + headers bytes (431 past it) */
  uint32_t max_conns;          /* per worker */
  ServeFuncConf *funcs;      /* owned */
  size_t nfuncs;
  char *aot_cache;           /* owned; the native tier's cache folder (NULL: the default) */
  char *config_path;         /* owned; NULL when only --route was given */
  char **cli_routes;         /* owned: the --route arguments, kept for reloads */
  size_t ncli_routes;
  char **sig_keys;           /* owned: the global "require_signature" key files */
  size_t nsig_keys;
  char *cli_require_signature; /* owned: --require-signature, kept for reloads */
} ServeConf;

/* Default table cap when the budget does not call for a smaller one. */
#define SERVE_DEFAULT_TABLE_ELEMS 1000000u

/* The store caps for module m under limits l: tables count in the memory
** budget (elements * pointer size, each table at most its declared maximum
** or the table cap), linear memory gets the rest. False with a message in
** err (size n) if the tables alone take the whole budget. */
bool serve_store_caps(const ServeLimits *l, const cairn_module *m, cairn_store_config *sc,
                      char *err, size_t n);

/* Default limits applied to functions that do not set them. */
void serve_limits_default(ServeLimits *l);
/* Sets defaults (no functions). */
void serve_conf_init(ServeConf *c);
/* Reads a JSON config file into c (adding its functions). On failure writes
** a message naming the file and the offending entry to err (size n). */
bool serve_conf_load(ServeConf *c, const char *path, char *err, size_t n);
/* Adds a function from a "PATH=MODULE" argument. */
bool serve_conf_add_route(ServeConf *c, const char *arg, char *err, size_t n);
/* Sets c->host and c->port from "HOST:PORT". */
bool serve_listen_parse(ServeConf *c, const char *s, char *err, size_t n);
/* Frees what c owns. */
void serve_conf_free(ServeConf *c);
/* --require-signature LIST ("a.pub,b.pub"): the global key files, for the
** functions added after it that name none of their own (docs/signing.md). */
bool serve_conf_require_signature(ServeConf *c, const char *list, char *err, size_t n);

/* ---- HTTP requests (http.c) ---- */

#define HTTP_MAX_HEADERS 100

typedef struct HttpHeader {
  const char *name, *value;  /* point into the connection's buffer */
  size_t name_len, value_len;
} HttpHeader;

typedef struct HttpRequest {
  const char *method; size_t method_len;
  const char *target; size_t target_len;   /* path?query */
  int minor;                               /* HTTP/1.minor */
  HttpHeader headers[HTTP_MAX_HEADERS];
  size_t nheaders;
  size_t head_len;                         /* bytes of request line + headers + blank line */
  bool chunked;
  bool has_length;
  uint64_t content_length;
  bool keep_alive;
  bool expect_continue;
} HttpRequest;

/* Result of parsing: done, need more bytes, or an HTTP error status. */
enum { HTTP_PARSE_OK = 0, HTTP_PARSE_MORE = -1 };

/* Parses the request head in buf[0..len). Returns HTTP_PARSE_OK (req
** filled), HTTP_PARSE_MORE, or an error status (400, 414, 431, 501, 505). */
int http_parse_head(const char *buf, size_t len, size_t max_header, HttpRequest *req);

/* Incremental chunked-body decoder. */
typedef struct HttpChunked {
  int state;
  uint64_t size;       /* of the current chunk, or remaining of it */
  int ndigits;
  size_t line;         /* length of the current extension / trailer line */
} HttpChunked;

/* Decodes from in[0..len), appending data to the body (*body, *body_len,
** at most max bytes). *used receives the bytes consumed. Returns 1 when the
** body is complete, 0 when more input is needed, or an error status
** (400 bad chunking, 413 too large). */
int http_chunked_feed(HttpChunked *c, const char *in, size_t len, size_t *used, char *body,
                      size_t *body_len, size_t max);

/* Normalises the path part of a request target for routing (RFC 3986
** 6.2.2): escapes of unreserved characters are decoded (so %2e is '.'),
** other escapes upper-cased, and dot segments resolved. out must hold n
** bytes. Returns 0 (out[0..*out_len) set) or 400 for a malformed escape, an
** escaped '/', '\' or NUL, a path that climbs above the root, or one that
** neither starts with '/' nor is "*". */
int http_normalize_path(const char *in, size_t n, char *out, size_t *out_len);
/* Percent-decodes in[0..n) into out (at least n bytes; malformed escapes are
** copied as they are). Returns the decoded length. */
size_t http_percent_decode(const char *in, size_t n, char *out);
/* Re-points req's method, target and header pointers from the buffer at
** `from` to the same offsets in the buffer at `to`. Call while `from` is
** still allocated, after copying the head into `to`. */
void http_request_rebase(HttpRequest *req, const char *from, char *to);

/* Case-insensitive header lookup; NULL if absent. */
const HttpHeader *http_header(const HttpRequest *req, const char *name);
/* Reason phrase of a status code. */
const char *http_reason(int status);

/* ---- metrics (metrics.c) ---- */

enum {
  FAIL_TRAP, FAIL_EXIT, FAIL_FUEL, FAIL_DEADLINE, FAIL_MEMORY, FAIL_RESPONSE_SIZE,
  FAIL_BODY_SIZE, FAIL_CONCURRENCY, FAIL_BAD_OUTPUT, FAIL_INSTANTIATE, FAIL_CANCELLED,
  FAIL_NKINDS
};
extern const char *const serve_fail_names[FAIL_NKINDS];

#define METRIC_NBUCKETS 16
extern const double serve_latency_buckets[METRIC_NBUCKETS];  /* seconds */
extern const double serve_inst_buckets[METRIC_NBUCKETS];

typedef struct Histogram {
  _Atomic uint64_t bucket[METRIC_NBUCKETS + 1];  /* last: +Inf */
  _Atomic uint64_t count;
  _Atomic uint64_t sum_ns;
} Histogram;

/* A function's queue in the run pool (server.c), keyed by the function's
** name through its FuncMetrics, so it survives reloads. Guarded by the
** pool's lock. */
struct ServeJob;
typedef struct RunQueue {
  struct ServeJob *head, *tail;   /* requests waiting for a run thread */
  uint32_t busy;                  /* run threads running this function now */
  bool active;                    /* in the pool's list of functions with waiting requests */
  struct FuncMetrics *next;       /* that list */
} RunQueue;

typedef struct FuncMetrics {
  _Atomic uint64_t by_status[600];   /* index: status code */
  Histogram latency;
  Histogram instantiate;
  _Atomic uint64_t fails[FAIL_NKINDS];
  _Atomic int64_t live_instances;
  _Atomic int64_t in_flight;
  _Atomic int64_t queued;            /* requests waiting for a run thread */
  _Atomic uint32_t fast_streak;      /* consecutive runs under 1 ms (server.c: inline runs) */
  _Atomic uint64_t inline_runs;      /* requests a worker ran itself */
  _Atomic uint64_t inline_cut;       /* inline runs cut at their budget (then run on the pool) */
  _Atomic uint64_t runs_tier[2];     /* runs by tier: 0 interpreter, 1 native */
  _Atomic int tier;                  /* the tier serving new requests: 0 or 1 */
  RunQueue runq;
} FuncMetrics;

void metrics_observe(Histogram *h, const double *buckets, uint64_t ns);

/* ---- functions (func.c) ---- */

typedef struct ServeFunc ServeFunc;

/* One worker's instance of a function: store, WASI state, instance, snapshot. */
typedef struct FuncSlot {
  const cairn_module *module;  /* the one instantiated: ServeFunc.module or .native */
  cairn_store *store;
  cairn_wasi *wasi;
  cairn_instance *inst;
  cairn_snapshot *snap;
  cairn_func *start;
  cairn_wasi_memio io;
  cairn_extern *imports;
  bool dirty;              /* ran since the last restore */
  uint64_t pages0;         /* memory pages after instantiation */
  cairn_memory *mem;       /* the exported memory, or NULL */
} FuncSlot;

struct ServeFunc {
  ServeFuncConf conf;      /* copied strings, owned */
  size_t route_len;
  cairn_module *module;    /* compiled once at load; owned */
  /* "tier": "aot": the native module once tierup.c has compiled it (owned;
  ** new slots use it from then on) */
  _Atomic(cairn_module *) native;
  size_t module_bytes;
  uint64_t load_ns;        /* compile + trial instantiation at load */
  uint8_t (*sig_keys)[32]; /* owned: the keys one of which must have signed the module
                           ** (conf.sig_keys loaded; tier-up checks them again) */
  size_t nsig_keys;
  FuncSlot **slots;        /* one per run thread, created on first use */
  int nslots;
  FuncMetrics *metrics;    /* owned by the metrics registry (survives reloads) */
  struct ServeSecrets *secrets;  /* released by attestation (attest.c); owned */
  uint8_t *attested;       /* an attested "aot" function: the bytes measured, which
                           ** tier-up compiles (not the file again); cairn_free'd */
  size_t nattested;
};

/* A path from the config file resolved against its folder (malloc'd). */
char *serve_conf_path(const char *cfgfile, const char *p);

/* ---- attestation of a function (attest.c) ---- */
bool serve_attest_parse(void *json, ServeFuncConf *f, const char *file, const char *where,
                        char *err, size_t n);
void serve_attest_conf_free(ServeAttestConf *a);
ServeAttestConf *serve_attest_conf_copy(const ServeAttestConf *a);
/* Reads the module's bytes once; if f->sig_keys, checks their signature
** first (trust_check_module: on failure NULL, *refused true, e->msg why,
** nothing sent to the verifier); measures them with the function's
** configuration, attests, and loads the module from those bytes. On
** success f->secrets holds what the verifier released. NULL with err
** (the function is not loaded) on any other failure. */
cairn_module *serve_attest_load(ServeFunc *f, bool *refused, cairn_error *e, char *err,
                                size_t n);
void serve_secrets_free(struct ServeSecrets *s);
/* The released secrets for a run: files under /run/secrets (a memdir for
** wc), and NAME=VALUE strings for the environment. */
void serve_secrets_wasi(const struct ServeSecrets *s, cairn_wasi_config *wc);
size_t serve_secrets_env(const struct ServeSecrets *s, const char *const **env);

/* A loaded configuration: functions by route. Shared by the workers and
** reference counted; replaced as a whole on reload. */
typedef struct FuncSet {
  ServeFunc *funcs;
  size_t nfuncs;
  _Atomic int refs;
  uint64_t generation;
} FuncSet;

/* The registry of per-function metrics, keyed by function name, kept across
** reloads so counters never go backwards. */
typedef struct MetricsReg MetricsReg;
MetricsReg *metrics_reg_new(void);
FuncMetrics *metrics_reg_get(MetricsReg *r, const char *name);  /* creates */
/* Appends the Prometheus text exposition of every function to a malloc'd
** buffer (*out, *len); caller frees. */
bool metrics_render(MetricsReg *r, const FuncSet *set, char **out, size_t *len);
void metrics_reg_free(MetricsReg *r);

/* Compiles every function of conf (checking imports by a trial
** instantiation). nworkers slots per function (one per run thread). Writes
** a message naming the function to err on failure. */
FuncSet *funcset_load(const ServeConf *conf, int nworkers, MetricsReg *reg, char *err, size_t n);
/* Frees the slots worker w created for set (call on that worker's thread). */
void funcset_release_worker(FuncSet *set, int w);
/* Frees the set (every slot must have been released). */
void funcset_free(FuncSet *set);
/* ---- tier-up (tierup.c) ----
** A function configured "tier": "aot" is served by the interpreter from
** load on, while a background thread compiles it to native code (through
** the cache); once compiled and instantiated once as a check, new
** instances are native. A compile that fails leaves the interpreter
** serving it, with the reason on stderr. */
/* Starts compiling set's aot functions (takes a reference to set). */
void tierup_start(FuncSet *set, const char *cacheDir);
/* Asks every compile thread to stop after its current module and waits
** for them (shutdown). */
void tierup_shutdown(void);
/* A new slot (instance) of f from module m (func.c); NULL with err. */
FuncSlot *func_slot_new(ServeFunc *f, const cairn_module *m, cairn_error *err);
void func_slot_free(FuncSlot *s);

/* The function whose route matches path (longest prefix at a '/' boundary). */
ServeFunc *funcset_match(FuncSet *set, const char *path, size_t len);

/* What a run thread tells the watchdog while a function runs. */
typedef struct RunWatch {
  pthread_mutex_t mu;
  cairn_store *store;      /* the running store, or NULL */
  uint64_t deadline_ns;    /* CLOCK_MONOTONIC */
  bool fired;
  const char *cancel;      /* static reason the run was cancelled (client gone,
                           ** shutdown), or NULL; func_run interrupts the store
                           ** when it is set before the run starts */
  uint64_t budget_ns;      /* an inline run is cancelled past this (0: none) */
} RunWatch;

/* A function's response. */
typedef struct FuncResult {
  int status;
  char *head;              /* extra header lines, "Name: value\r\n"... (malloc'd) */
  size_t head_len;
  const uint8_t *body;     /* points into the slot's output buffer or a static reason */
  size_t body_len;
  int fail;                /* FAIL_* or -1 */
  char detail[300];        /* for the log on failure */
  uint64_t inst_ns;        /* time to get a fresh instance */
} FuncResult;

/* Request metadata the function sees (WAGI / CGI environment). */
typedef struct FuncRequest {
  const HttpRequest *http;
  const char *path; size_t path_len;
  const char *query; size_t query_len;
  const uint8_t *body; size_t body_len;
  const char *remote_addr; int remote_port;
  const char *server_name; int server_port;
} FuncRequest;

/* Runs f for one request on run thread w (its slot w). Always fills res
** (status 5xx on any failure; 499 FAIL_CANCELLED when watch->cancel was
** set). res->head must be freed by the caller. */
void func_run(ServeFunc *f, int w, RunWatch *watch, const FuncRequest *rq, FuncResult *res);
/* After a run on run thread w (once its response is copied out): if the
** run grew the slot's memory, restores the slot now, so the pages it grew
** go back to the system instead of waiting for the slot's next request. */
void func_trim(ServeFunc *f, int w);

/* ---- the server (server.c) ---- */

/* Runs the node until SIGTERM/SIGINT. conf is owned by the caller (and may
** be re-read from conf->config_path on SIGHUP). Returns the exit status. */
int serve_main(ServeConf *conf);

/* Monotonic time in nanoseconds. */
uint64_t serve_now_ns(void);

#endif
