/*
** fuzz_http.c: libFuzzer target for `cairn serve`'s HTTP/1.1 parser
** (src/serve/http.c): http_parse_head and the incremental chunked-body
** decoder http_chunked_feed, fed raw bytes. Beyond "no crash", it checks:
**  - a parsed head lies inside the input: head_len <= len and <= max_header,
**    method, target and every header name and value inside buf[0..head_len);
**    the method is a non-empty token, the target starts with '/' or is "*",
**    Transfer-Encoding chunked never comes with a Content-Length;
**  - parsing is deterministic, and a head that parses at length H is
**    "incomplete" (HTTP_PARSE_MORE) at every shorter prefix tried and parses
**    to the same head at any longer input;
**  - the chunked decoder consumes at most what it is given, never writes past
**    max (the body buffer is exactly max bytes, so ASan sees an overflow),
**    returns 0, 1 or an error status, and gives the same status, body and
**    consumed count whether the input arrives at once or in pieces;
**  - path normalisation (http_normalize_path, on the parsed target's path
**    and on the raw payload) writes at most n bytes, leaves no "." or ".."
**    segment and no escape of an unreserved character, accepts only "*" and
**    paths starting with '/', and is idempotent; percent-decoding never
**    lengthens.
** Input layout: byte 0 flags, bytes 1-2 the size limit (max_header or max
** body), byte 3 seeds the piece sizes; the rest is the request bytes. The
** chunked decoder runs on the bytes after a parsed head (as the server does)
** or, when no head parses, on the whole payload.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/serve.h"

#define CHECK(c)                                                             \
  do {                                                                       \
    if (!(c)) {                                                              \
      fprintf(stderr, "fuzz_http: invariant failed: %s (line %d)\n", #c, __LINE__); \
      abort();                                                               \
    }                                                                        \
  } while (0)

static int inside(const char *p, size_t n, const char *buf, size_t len) {
  return p >= buf && n <= len && (size_t)(p - buf) <= len - n;
}

static int is_status(int r) {
  return r == 400 || r == 413 || r == 414 || r == 417 || r == 431 || r == 501 || r == 505;
}

static void check_head(const char *buf, size_t len, size_t max_header, const HttpRequest *req) {
  CHECK(req->head_len <= len);
  CHECK(req->head_len <= max_header);
  size_t h = req->head_len;
  CHECK(req->method_len > 0 && inside(req->method, req->method_len, buf, h));
  CHECK(req->target_len > 0 && inside(req->target, req->target_len, buf, h));
  CHECK(req->target[0] == '/' || (req->target_len == 1 && req->target[0] == '*'));
  CHECK(req->nheaders <= HTTP_MAX_HEADERS);
  for (size_t i = 0; i < req->nheaders; i++) {
    const HttpHeader *x = &req->headers[i];
    CHECK(x->name_len > 0 && inside(x->name, x->name_len, buf, h));
    CHECK(inside(x->value, x->value_len, buf, h));
  }
  CHECK(!(req->chunked && req->has_length));
  CHECK(req->minor >= 0 && req->minor <= 9);
}

static int same_head(const HttpRequest *a, const HttpRequest *b) {
  if (a->head_len != b->head_len || a->method != b->method || a->method_len != b->method_len ||
      a->target != b->target || a->target_len != b->target_len || a->nheaders != b->nheaders ||
      a->chunked != b->chunked || a->has_length != b->has_length ||
      a->content_length != b->content_length || a->keep_alive != b->keep_alive ||
      a->expect_continue != b->expect_continue || a->minor != b->minor)
    return 0;
  for (size_t i = 0; i < a->nheaders; i++)
    if (a->headers[i].name != b->headers[i].name ||
        a->headers[i].name_len != b->headers[i].name_len ||
        a->headers[i].value != b->headers[i].value ||
        a->headers[i].value_len != b->headers[i].value_len)
      return 0;
  return 1;
}

/* Decodes in[0..len) into a fresh max-byte buffer, in pieces whose sizes
** come from seed (0: all at once). Returns the status; *out (malloc'd, the
** caller frees), *out_len and *consumed describe the result. */
static int chunked_run(const char *in, size_t len, size_t max, unsigned seed, char **out,
                       size_t *out_len, size_t *consumed) {
  char *body = malloc(max ? max : 1);
  CHECK(body != NULL);
  HttpChunked c;
  memset(&c, 0, sizeof c);
  size_t blen = 0, at = 0;
  int r = 0;
  unsigned s = seed;
  while (r == 0 && at < len) {
    size_t piece = len - at;
    if (seed) {
      s = s * 1103515245u + 12345u;
      piece = 1 + (s >> 16) % 7;
      if (piece > len - at) piece = len - at;
    }
    size_t used = 0;
    r = http_chunked_feed(&c, in + at, piece, &used, body, &blen, max);
    CHECK(used <= piece);
    CHECK(blen <= max);
    CHECK(r == 0 || r == 1 || is_status(r));
    /* a piece is consumed whole unless the body ended or an error stopped it */
    if (r == 0) CHECK(used == piece);
    at += used;
  }
  *out = body;
  *out_len = blen;
  *consumed = at;
  return r;
}

static void fuzz_chunked(const char *in, size_t len, size_t max, unsigned seed) {
  char *b1, *b2;
  size_t l1, l2, u1, u2;
  int r1 = chunked_run(in, len, max, 0, &b1, &l1, &u1);
  int r2 = chunked_run(in, len, max, seed | 1u, &b2, &l2, &u2);
  CHECK(r1 == r2);
  if (r1 == 0 || r1 == 1) {
    CHECK(l1 == l2 && memcmp(b1, b2, l1) == 0);
    CHECK(u1 == u2);
  }
  free(b1);
  free(b2);
}

static bool unreserved(unsigned char c) {
  return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

static int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') return (c | 0x20) - 'a' + 10;
  return -1;
}

static void fuzz_path(const char *p, size_t n) {
  char *out = malloc(n ? n : 1), *again = malloc(n ? n : 1), *dec = malloc(n ? n : 1);
  CHECK(out && again && dec);
  size_t m = 0, m2 = 0;
  int r = http_normalize_path(p, n, out, &m);
  CHECK(r == 0 || r == 400);
  if (r == 0 && !(n == 1 && p[0] == '*')) {
    CHECK(m <= n && n > 0 && p[0] == '/' && m > 0 && out[0] == '/');
    for (size_t i = 0; i < m; i++) {
      if (out[i] == '%') {
        CHECK(i + 2 < m && hex(out[i + 1]) >= 0 && hex(out[i + 2]) >= 0);
        CHECK(!unreserved((unsigned char)(hex(out[i + 1]) * 16 + hex(out[i + 2]))));
      }
      if (out[i] == '/') {  /* no segment is "." or ".." */
        size_t e = i + 1;
        while (e < m && out[e] != '/') e++;
        size_t sl = e - i - 1;
        CHECK(!((sl == 1 || sl == 2) && memcmp(out + i + 1, "..", sl) == 0));
      }
    }
    CHECK(http_normalize_path(out, m, again, &m2) == 0);
    CHECK(m2 == m && memcmp(out, again, m) == 0);
    CHECK(http_percent_decode(out, m, dec) <= m);
  }
  free(out);
  free(again);
  free(dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 4) return 0;
  unsigned flags = data[0];
  size_t limit = ((size_t)data[1] << 8 | data[2]);
  unsigned seed = data[3];
  size_t len = size - 4;
  /* an exact-size copy, so ASan catches a read past the end */
  char *buf = malloc(len ? len : 1);
  if (!buf) return 0;
  if (len) memcpy(buf, data + 4, len);

  size_t max_header = (flags & 1) ? 65536 : limit + 1;
  static HttpRequest req, again;
  int r = http_parse_head(buf, len, max_header, &req);
  CHECK(r == HTTP_PARSE_OK || r == HTTP_PARSE_MORE || is_status(r));
  int r2 = http_parse_head(buf, len, max_header, &again);
  CHECK(r2 == r);
  size_t body_at = 0;
  if (r == HTTP_PARSE_OK) {
    check_head(buf, len, max_header, &req);
    CHECK(same_head(&req, &again));
    size_t h = req.head_len;
    /* shorter prefixes are incomplete */
    size_t cuts[3] = {h - 1, h / 2, seed % h};
    for (int i = 0; i < 3; i++) {
      char *pre = malloc(cuts[i] ? cuts[i] : 1);
      CHECK(pre != NULL);
      memcpy(pre, buf, cuts[i]);
      int rp = http_parse_head(pre, cuts[i], max_header, &again);
      if (rp != HTTP_PARSE_MORE) {
        fprintf(stderr, "fuzz_http: prefix %zu of a %zu-byte head: %d\n", cuts[i], h, rp);
        abort();
      }
      free(pre);
    }
    body_at = h;
    const char *q = memchr(req.target, '?', req.target_len);
    fuzz_path(req.target, q ? (size_t)(q - req.target) : req.target_len);
  }
  if (flags & 4) fuzz_path(buf, len);
  /* a body is never longer than its input: len + 16 is "no limit" */
  size_t max_body = (flags & 2) ? limit : len + 16;
  fuzz_chunked(buf + body_at, len - body_at, max_body, seed);
  free(buf);
  return 0;
}
