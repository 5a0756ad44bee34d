/*
** serve.c: `cairn serve`, the serverless HTTP node: argument parsing and
** wiring to src/serve/ (serve_main). See docs/serve.md.
*/
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#ifdef CAIRN_NO_SERVE
/* Built with -DCAIRN_WITH_SERVE=OFF (the cross builds: no jansson there). */
int cli_serve(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "cairn serve: not built in (this cairn was configured with -DCAIRN_WITH_SERVE=OFF)\n");
  return 2;
}
#else
#include "serve/serve.h"

static void serve_usage(FILE *f) {
  fprintf(f,
          "usage: cairn serve [--listen HOST:PORT] [--route PATH=MODULE]... [--config FILE]\n"
          "                   [--workers N] [--run-threads N] [--shutdown-grace-ms MS]\n"
          "                   [--access-log FILE|-|off] [--require-signature KEYS]\n"
          "Serves HTTP functions (WASI commands, WAGI interface): each request runs in a\n"
          "fresh instance of the function whose route matches its path.\n"
          "\n"
          "  --listen HOST:PORT    address to listen on (default 127.0.0.1:8080)\n"
          "  --route PATH=MODULE   serve MODULE (.wasm or .wat) at PATH and below it\n"
          "  --config FILE         JSON configuration (functions, env, dirs, limits)\n"
          "  --workers N           I/O threads (default: one per core)\n"
          "  --run-threads N       threads that run functions (default: four per core)\n"
          "  --shutdown-grace-ms MS  SIGTERM: in-flight runs get MS ms, then are\n"
          "                        interrupted (default 10000; a second signal: now)\n"
          "  --access-log DEST     JSON access log: - (stdout, default), off, or a file\n"
          "  --require-signature KEY.pub[,KEY2.pub...]\n"
          "                        serve only modules signed (cairn sign) by one of\n"
          "                        these keys: a function whose module is unsigned,\n"
          "                        altered or signed by another key is not loaded (its\n"
          "                        route answers 404; the reason is logged), also on\n"
          "                        reload. A function's own \"require_signature\" in the\n"
          "                        config replaces this list (docs/signing.md)\n"
          "\n"
          "GET /metrics gives Prometheus metrics. SIGTERM stops gracefully, SIGHUP\n"
          "reloads the functions.\n");
}

int cli_serve(int argc, char **argv) {
  ServeConf conf;
  serve_conf_init(&conf);
  char err[1024];
  const char *config = NULL, *listen = NULL, *log = NULL;
  int workers = -1, runs = -1;
  long long grace = -1;
  int rc = 2;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      serve_usage(stdout);
      serve_conf_free(&conf);
      return 0;
    }
    bool takes = strcmp(a, "--listen") == 0 || strcmp(a, "--route") == 0 ||
                 strcmp(a, "--config") == 0 || strcmp(a, "--workers") == 0 ||
                 strcmp(a, "--access-log") == 0 || strcmp(a, "--run-threads") == 0 ||
                 strcmp(a, "--shutdown-grace-ms") == 0 ||
                 strcmp(a, "--require-signature") == 0;
    if (!takes) {
      fprintf(stderr, "cairn serve: unknown option '%s'\n", a);
      serve_usage(stderr);
      goto out;
    }
    if (!v) {
      fprintf(stderr, "cairn serve: %s needs a value\n", a);
      goto out;
    }
    i++;
    if (strcmp(a, "--listen") == 0) listen = v;
    else if (strcmp(a, "--config") == 0) config = v;
    else if (strcmp(a, "--access-log") == 0) log = v;
    else if (strcmp(a, "--require-signature") == 0) {
      if (!serve_conf_require_signature(&conf, v, err, sizeof err)) {
        fprintf(stderr, "cairn serve: %s\n", err);
        goto out;
      }
    }
    else if (strcmp(a, "--workers") == 0) {
      char *end;
      long n = strtol(v, &end, 10);
      if (*end || n < 1 || n > 1024) {
        fprintf(stderr, "cairn serve: --workers must be a number in [1, 1024]\n");
        goto out;
      }
      workers = (int)n;
    } else if (strcmp(a, "--run-threads") == 0) {
      char *end;
      long n = strtol(v, &end, 10);
      if (*end || n < 1 || n > 4096) {
        fprintf(stderr, "cairn serve: --run-threads must be a number in [1, 4096]\n");
        goto out;
      }
      runs = (int)n;
    } else if (strcmp(a, "--shutdown-grace-ms") == 0) {
      char *end;
      long long n = strtoll(v, &end, 10);
      if (*end || !*v || n < 0 || n > 3600000) {
        fprintf(stderr, "cairn serve: --shutdown-grace-ms must be a number in [0, 3600000]\n");
        goto out;
      }
      grace = n;
    } else {
      char **r = realloc(conf.cli_routes, (conf.ncli_routes + 1) * sizeof *r);
      if (!r) goto out;
      conf.cli_routes = r;
      if (!(r[conf.ncli_routes] = strdup(v))) goto out;
      conf.ncli_routes++;
    }
  }
  if (config && !serve_conf_load(&conf, config, err, sizeof err)) {
    fprintf(stderr, "cairn serve: %s\n", err);
    rc = 1;
    goto out;
  }
  for (size_t i = 0; i < conf.ncli_routes; i++) {
    if (!serve_conf_add_route(&conf, conf.cli_routes[i], err, sizeof err)) {
      fprintf(stderr, "cairn serve: %s\n", err);
      goto out;
    }
  }
  if (listen && !serve_listen_parse(&conf, listen, err, sizeof err)) {
    fprintf(stderr, "cairn serve: --listen: %s\n", err);
    goto out;
  }
  if (workers > 0) conf.workers = workers;
  if (runs > 0) conf.run_threads = runs;
  if (grace >= 0) conf.shutdown_grace_ms = (uint64_t)grace;
  if (log) {
    free(conf.access_log);
    conf.access_log = strdup(log);
  }
  rc = serve_main(&conf);
out:
  serve_conf_free(&conf);
  return rc;
}
#endif
