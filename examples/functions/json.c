/* json: a JSON transformation. Reads a JSON document from the body and
** answers with the same document where every string is upper-cased and
** every number doubled, plus a summary header. Invalid JSON gets a 400. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *p, *end;
static char *out;
static size_t olen, ocap;
static int nstrings, nnumbers, depth;

static void put(const char *s, size_t n) {
  if (olen + n > ocap) {
    ocap = (olen + n) * 2 + 256;
    out = realloc(out, ocap);
    if (!out) exit(1);
  }
  memcpy(out + olen, s, n);
  olen += n;
}
static void putc_(char c) { put(&c, 1); }
static void ws(void) { while (p < end && isspace((unsigned char)*p)) p++; }
static int value(void);

static int string(int upper) {
  if (p >= end || *p != '"') return 0;
  putc_(*p++);
  while (p < end && *p != '"') {
    if ((unsigned char)*p < 0x20) return 0;
    if (*p == '\\') {
      if (p + 1 >= end) return 0;
      putc_(*p++);
      putc_(*p++);
      continue;
    }
    putc_(upper ? (char)toupper((unsigned char)*p) : *p);
    p++;
  }
  if (p >= end) return 0;
  putc_(*p++);
  return 1;
}

static int value(void) {
  ws();
  if (p >= end || ++depth > 64) return 0;
  int ok = 1;
  if (*p == '{') {
    putc_(*p++);
    ws();
    if (p < end && *p == '}') { putc_(*p++); depth--; return 1; }
    for (;;) {
      ws();
      if (!string(0)) return 0;
      ws();
      if (p >= end || *p != ':') return 0;
      putc_(*p++);
      if (!value()) return 0;
      ws();
      if (p < end && *p == ',') { putc_(*p++); continue; }
      if (p < end && *p == '}') { putc_(*p++); break; }
      return 0;
    }
  } else if (*p == '[') {
    putc_(*p++);
    ws();
    if (p < end && *p == ']') { putc_(*p++); depth--; return 1; }
    for (;;) {
      if (!value()) return 0;
      ws();
      if (p < end && *p == ',') { putc_(*p++); continue; }
      if (p < end && *p == ']') { putc_(*p++); break; }
      return 0;
    }
  } else if (*p == '"') {
    ok = string(1);
    nstrings++;
  } else if (*p == '-' || isdigit((unsigned char)*p)) {
    char *e;
    double d = strtod(p, &e);
    if (e == p || e > end) return 0;
    p = e;
    char num[64];
    int n = snprintf(num, sizeof num, "%.17g", d * 2);
    put(num, (size_t)n);
    nnumbers++;
  } else if (end - p >= 4 && (!memcmp(p, "true", 4) || !memcmp(p, "null", 4))) {
    put(p, 4);
    p += 4;
  } else if (end - p >= 5 && !memcmp(p, "false", 5)) {
    put(p, 5);
    p += 5;
  } else {
    return 0;
  }
  depth--;
  return ok;
}

int main(void) {
  static char in[1 << 20];
  size_t n = fread(in, 1, sizeof in - 1, stdin);
  in[n] = 0;
  p = in;
  end = in + n;
  int ok = value();
  ws();
  if (!ok || p != end) {
    printf("Status: 400 Bad Request\nContent-Type: application/json\n\n"
           "{\"error\":\"invalid JSON at byte %ld\"}\n", (long)(p - in));
    return 0;
  }
  printf("Content-Type: application/json\nX-Strings: %d\nX-Numbers: %d\n\n", nstrings, nnumbers);
  fwrite(out, 1, olen, stdout);
  putchar('\n');
  return 0;
}
