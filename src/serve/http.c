/*
** http.c: HTTP/1.1 request parsing for `cairn serve` (RFC 9112): the request
** head (request line and header fields, strict about what smuggling attacks
** use: whitespace before a colon, obsolete line folding, conflicting
** Content-Length, Transfer-Encoding together with Content-Length), and an
** incremental chunked-body decoder, and target-path normalisation for
** routing. Every line end, in the head and in chunk framing, must be CRLF:
** a bare LF is a 400, since proxies that accept it frame the stream
** differently from us (request smuggling).
*/
#include <string.h>
#include <strings.h>

#include "serve/serve.h"

#define HTTP_MAX_LINE 8192

static bool is_tchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_vchar_or_ws(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

static bool name_is(const HttpHeader *h, const char *z) {
  return h->name_len == strlen(z) && strncasecmp(h->name, z, h->name_len) == 0;
}

const HttpHeader *http_header(const HttpRequest *req, const char *name) {
  for (size_t i = 0; i < req->nheaders; i++)
    if (name_is(&req->headers[i], name)) return &req->headers[i];
  return NULL;
}

/* True if the comma-separated list value contains token z (any case). */
static bool list_has(const char *v, size_t n, const char *z) {
  size_t zl = strlen(z);
  size_t i = 0;
  while (i < n) {
    while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) i++;
    size_t s = i;
    while (i < n && v[i] != ',') i++;
    size_t e = i;
    while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t')) e--;
    if (e - s == zl && strncasecmp(v + s, z, zl) == 0) return true;
  }
  return false;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') return (c | 0x20) - 'a' + 10;
  return -1;
}

/* RFC 3986 2.3: characters whose escapes are equivalent to themselves. */
static bool is_unreserved(unsigned char c) {
  return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int http_normalize_path(const char *in, size_t n, char *out, size_t *out_len) {
  static const char hex[] = "0123456789ABCDEF";
  if (n == 1 && in[0] == '*') {  /* OPTIONS * */
    out[0] = '*';
    *out_len = 1;
    return 0;
  }
  if (n == 0 || in[0] != '/') return 400;
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (in[i] != '%') {
      out[m++] = in[i];
      continue;
    }
    int hi = i + 2 < n ? hexval(in[i + 1]) : -1, lo = i + 2 < n ? hexval(in[i + 2]) : -1;
    if (hi < 0 || lo < 0) return 400;
    unsigned char d = (unsigned char)(hi * 16 + lo);
    /* An escaped separator or NUL would reappear in the decoded PATH_INFO
    ** as structure the router never saw. */
    if (d == '/' || d == '\\' || d == 0) return 400;
    if (is_unreserved(d)) {
      out[m++] = (char)d;
    } else {
      out[m++] = '%';
      out[m++] = hex[hi];
      out[m++] = hex[lo];
    }
    i += 2;
  }
  /* Remove dot segments (RFC 3986 5.2.4) in place: w <= r throughout. The
  ** output is a sequence of "/segment" pieces. */
  size_t w = 0, r = 0;
  while (r < m) {
    size_t s = r + 1, e = s;
    while (e < m && out[e] != '/') e++;
    bool last = e >= m;
    size_t len = e - s;
    if (len == 1 && out[s] == '.') {
      if (last) out[w++] = '/';
    } else if (len == 2 && out[s] == '.' && out[s + 1] == '.') {
      if (w == 0) return 400;  /* above the root */
      while (out[w - 1] != '/') w--;
      w--;
      if (last) out[w++] = '/';
    } else {
      out[w++] = '/';
      memmove(out + w, out + s, len);
      w += len;
    }
    r = e;
  }
  *out_len = w;
  return 0;
}

size_t http_percent_decode(const char *in, size_t n, char *out) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    int hi = in[i] == '%' && i + 2 < n ? hexval(in[i + 1]) : -1;
    int lo = hi >= 0 ? hexval(in[i + 2]) : -1;
    if (lo >= 0) {
      out[m++] = (char)(hi * 16 + lo);
      i += 2;
    } else {
      out[m++] = in[i];
    }
  }
  return m;
}

void http_request_rebase(HttpRequest *req, const char *from, char *to) {
  if (req->method) req->method = to + (req->method - from);
  if (req->target) req->target = to + (req->target - from);
  for (size_t i = 0; i < req->nheaders; i++) {
    req->headers[i].name = to + (req->headers[i].name - from);
    req->headers[i].value = to + (req->headers[i].value - from);
  }
}

/* Finds the end of the next line in [p, end): returns the index of '\n' or -1. */
static long line_end(const char *p, size_t n) {
  const char *q = memchr(p, '\n', n);
  return q ? (long)(q - p) : -1;
}

int http_parse_head(const char *buf, size_t len, size_t max_header, HttpRequest *req) {
  /* Tolerate empty lines before the request line (RFC 9112 2.2). */
  size_t pos = 0;
  while (pos < len && buf[pos] == '\r') {
    if (pos > 64) return 400;
    if (pos + 1 == len) return HTTP_PARSE_MORE;
    if (buf[pos + 1] != '\n') return 400;
    pos += 2;
  }
  long le = line_end(buf + pos, len - pos);
  if (le < 0) {
    if (len - pos > HTTP_MAX_LINE) return 414;
    return HTTP_PARSE_MORE;
  }
  if ((size_t)le > HTTP_MAX_LINE) return 414;
  if (le == 0 || buf[pos + (size_t)le - 1] != '\r') return 400;  /* bare LF */
  /* Is the whole head there? Find an empty line. */
  size_t scan = pos + (size_t)le + 1, head_end = 0;
  for (;;) {
    if (scan >= len) {
      if (len > max_header) return 431;
      return HTTP_PARSE_MORE;
    }
    if (buf[scan] == '\n') return 400;  /* bare LF */
    if (buf[scan] == '\r' && scan + 1 < len && buf[scan + 1] == '\n') { head_end = scan + 2; break; }
    if (buf[scan] == '\r' && scan + 1 >= len) {
      if (len > max_header) return 431;
      return HTTP_PARSE_MORE;
    }
    long l = line_end(buf + scan, len - scan);
    if (l < 0) {
      if (len > max_header) return 431;
      return HTTP_PARSE_MORE;
    }
    if (buf[scan + (size_t)l - 1] != '\r') return 400;  /* bare LF (l > 0 here) */
    scan += (size_t)l + 1;
    if (scan > max_header) return 431;
  }
  if (head_end > max_header) return 431;
  memset(req, 0, sizeof *req);
  req->head_len = head_end;

  /* request line: method SP target SP HTTP/1.x */
  const char *p = buf + pos;
  size_t n = (size_t)le - 1;  /* without the CR */
  size_t i = 0;
  while (i < n && is_tchar((unsigned char)p[i])) i++;
  if (i == 0 || i >= n || p[i] != ' ') return 400;
  req->method = p;
  req->method_len = i;
  size_t t0 = ++i;
  while (i < n && p[i] != ' ') {
    unsigned char c = (unsigned char)p[i];
    if (c <= 0x20 || c == 0x7f) return 400;
    i++;
  }
  if (i == t0 || i >= n) return 400;
  req->target = p + t0;
  req->target_len = i - t0;
  if (req->target[0] != '/' && !(req->target_len == 1 && req->target[0] == '*')) return 400;
  i++;
  if (n - i != 8 || memcmp(p + i, "HTTP/", 5) != 0 || p[i + 6] != '.' ||
      p[i + 5] < '0' || p[i + 5] > '9' || p[i + 7] < '0' || p[i + 7] > '9')
    return 400;
  if (p[i + 5] != '1') return 505;
  req->minor = p[i + 7] - '0';

  /* header fields */
  size_t at = pos + (size_t)le + 1;
  while (at < head_end) {
    const char *l = buf + at;
    long e = line_end(l, head_end - at);
    size_t ln = (size_t)e;
    at += ln + 1;
    ln--;                                     /* the CR (checked above) */
    if (ln == 0) break;                       /* the blank line */
    if (l[0] == ' ' || l[0] == '\t') return 400;  /* obsolete folding */
    size_t c = 0;
    while (c < ln && is_tchar((unsigned char)l[c])) c++;
    if (c == 0 || c >= ln || l[c] != ':') return 400;
    size_t v = c + 1, ve = ln;
    while (v < ve && (l[v] == ' ' || l[v] == '\t')) v++;
    while (ve > v && (l[ve - 1] == ' ' || l[ve - 1] == '\t')) ve--;
    for (size_t k = v; k < ve; k++)
      if (!is_vchar_or_ws((unsigned char)l[k]) && (unsigned char)l[k] < 0x80) return 400;
    if (req->nheaders == HTTP_MAX_HEADERS) return 431;
    HttpHeader *h = &req->headers[req->nheaders++];
    h->name = l;
    h->name_len = c;
    h->value = l + v;
    h->value_len = ve - v;
    if (name_is(h, "content-length")) {
      if (h->value_len == 0 || h->value_len > 18) return 400;
      uint64_t cl = 0;
      for (size_t k = 0; k < h->value_len; k++) {
        if (h->value[k] < '0' || h->value[k] > '9') return 400;
        cl = cl * 10 + (uint64_t)(h->value[k] - '0');
      }
      if (req->has_length && cl != req->content_length) return 400;
      req->has_length = true;
      req->content_length = cl;
    } else if (name_is(h, "transfer-encoding")) {
      /* Only "chunked" (as the final and only coding) is supported. */
      if (req->chunked || h->value_len != 7 || strncasecmp(h->value, "chunked", 7) != 0)
        return req->chunked ? 400 : 501;
      req->chunked = true;
    }
  }
  if (req->chunked && req->has_length) return 400;
  const HttpHeader *conn = http_header(req, "connection");
  if (req->minor >= 1)
    req->keep_alive = !(conn && list_has(conn->value, conn->value_len, "close"));
  else
    req->keep_alive = conn && list_has(conn->value, conn->value_len, "keep-alive");
  const HttpHeader *ex = http_header(req, "expect");
  if (ex && req->minor >= 1) {
    if (ex->value_len != 12 || strncasecmp(ex->value, "100-continue", 12) != 0) return 417;
    req->expect_continue = true;
  }
  return HTTP_PARSE_OK;
}

/* ---- chunked bodies ---- */

enum { CH_SIZE, CH_EXT, CH_SIZE_LF, CH_DATA, CH_DATA_CR, CH_DATA_LF, CH_TRAILER_START,
       CH_TRAILER, CH_TRAILER_LF, CH_END_LF, CH_DONE };

int http_chunked_feed(HttpChunked *c, const char *in, size_t len, size_t *used, char *body,
                      size_t *body_len, size_t max) {
  size_t i = 0;
  int ret = 0;
  while (i < len && ret == 0) {
    char ch = in[i];
    switch (c->state) {
    case CH_SIZE: {
      int h = hexval(ch);
      if (h >= 0) {
        if (++c->ndigits > 15) { ret = 400; break; }
        c->size = c->size * 16 + (uint64_t)h;
        i++;
      } else if (c->ndigits == 0) {
        ret = 400;
      } else if (ch == ';' || ch == ' ' || ch == '\t') {
        c->state = CH_EXT; c->line = 0; i++;
      } else if (ch == '\r') {
        c->state = CH_SIZE_LF; i++;
      } else {
        ret = 400;
      }
      break;
    }
    case CH_EXT:
      if (ch == '\r') { c->state = CH_SIZE_LF; i++; break; }
      if (++c->line > 4096 || (unsigned char)ch < 0x20) { ret = 400; break; }
      i++;
      break;
    case CH_SIZE_LF:
      if (ch != '\n') { ret = 400; break; }
      i++;
      if (c->size == 0) { c->state = CH_TRAILER_START; break; }
      if (c->size > max - *body_len) { ret = 413; break; }
      c->state = CH_DATA;
      break;
    case CH_DATA: {
      size_t k = len - i;
      if (k > c->size) k = (size_t)c->size;
      memcpy(body + *body_len, in + i, k);
      *body_len += k;
      c->size -= k;
      i += k;
      if (c->size == 0) c->state = CH_DATA_CR;
      break;
    }
    case CH_DATA_CR:
      if (ch == '\r') { c->state = CH_DATA_LF; i++; }
      else ret = 400;
      break;
    case CH_DATA_LF:
      if (ch != '\n') { ret = 400; break; }
      i++;
      c->state = CH_SIZE; c->ndigits = 0; c->size = 0;
      break;
    case CH_TRAILER_START:
      if (ch == '\r') { c->state = CH_END_LF; i++; }
      else { c->state = CH_TRAILER; c->line = 0; }
      break;
    case CH_TRAILER:
      if (ch == '\r') { c->state = CH_TRAILER_LF; i++; break; }
      if (ch == '\n') { ret = 400; break; }  /* bare LF */
      if (++c->line > 8192) { ret = 431; break; }
      i++;
      break;
    case CH_TRAILER_LF:
      if (ch != '\n') { ret = 400; break; }
      i++;
      c->state = CH_TRAILER_START;
      break;
    case CH_END_LF:
      if (ch != '\n') { ret = 400; break; }
      i++;
      c->state = CH_DONE;
      ret = 1;
      break;
    default:
      ret = 1;
      break;
    }
  }
  *used = i;
  return ret;
}

const char *http_reason(int status) {
  switch (status) {
  case 100: return "Continue";
  case 200: return "OK";
  case 201: return "Created";
  case 202: return "Accepted";
  case 204: return "No Content";
  case 301: return "Moved Permanently";
  case 302: return "Found";
  case 303: return "See Other";
  case 304: return "Not Modified";
  case 307: return "Temporary Redirect";
  case 308: return "Permanent Redirect";
  case 400: return "Bad Request";
  case 401: return "Unauthorized";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  case 408: return "Request Timeout";
  case 409: return "Conflict";
  case 413: return "Content Too Large";
  case 414: return "URI Too Long";
  case 417: return "Expectation Failed";
  case 422: return "Unprocessable Content";
  case 429: return "Too Many Requests";
  case 431: return "Request Header Fields Too Large";
  case 500: return "Internal Server Error";
  case 501: return "Not Implemented";
  case 502: return "Bad Gateway";
  case 503: return "Service Unavailable";
  case 504: return "Gateway Timeout";
  case 505: return "HTTP Version Not Supported";
  default: return status < 300 ? "OK" : status < 400 ? "Redirect" : status < 500 ? "Client Error"
                                                                                : "Server Error";
  }
}
