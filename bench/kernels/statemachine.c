/* Kernel: branchy state machine. A lexer for a C-like language, written as
** an explicit state machine over a 256 KiB generated source text with
** identifiers, numbers, strings with escapes, comments and operators. One
** unit lexes the whole text once. */
#include "bench.h"

#define TEXT (256u * 1024u)

enum { S_START, S_IDENT, S_NUM, S_HEX, S_STR, S_STR_ESC, S_SLASH, S_LINE_COMMENT,
       S_BLOCK_COMMENT, S_BLOCK_STAR, S_OP };
enum { T_IDENT, T_NUM, T_STR, T_COMMENT, T_OP, T_KEYWORD, T_COUNT };

static const char *const words[] = {"if", "else", "while", "return", "int", "x", "count",
                                    "buffer", "i", "j", "node", "next", "value", "for"};

static size_t gen(char *t, size_t cap, Rng *r) {
  size_t n = 0;
  while (n + 64 < cap) {
    uint32_t k = rng_below(r, 20);
    const char *w;
    if (k < 7) {
      w = words[rng_below(r, 14)];
      while (*w) t[n++] = *w++;
      if (rng_below(r, 3) == 0) t[n++] = (char)('0' + rng_below(r, 10));
    } else if (k < 10) {
      if (rng_below(r, 4) == 0) { t[n++] = '0'; t[n++] = 'x'; }
      uint32_t len = 1 + rng_below(r, 6);
      for (uint32_t i = 0; i < len; i++) t[n++] = (char)('0' + rng_below(r, 10));
    } else if (k < 11) {
      t[n++] = '"';
      uint32_t len = rng_below(r, 20);
      for (uint32_t i = 0; i < len; i++) {
        if (rng_below(r, 8) == 0) { t[n++] = '\\'; t[n++] = '"'; }
        else t[n++] = (char)('a' + rng_below(r, 26));
      }
      t[n++] = '"';
    } else if (k < 12) {
      if (rng_below(r, 2)) {
        t[n++] = '/'; t[n++] = '/';
        uint32_t len = rng_below(r, 30);
        for (uint32_t i = 0; i < len; i++) t[n++] = (char)('a' + rng_below(r, 26));
        t[n++] = '\n';
      } else {
        t[n++] = '/'; t[n++] = '*';
        uint32_t len = rng_below(r, 30);
        for (uint32_t i = 0; i < len; i++) t[n++] = rng_below(r, 9) ? (char)('a' + rng_below(r, 26)) : '*';
        t[n++] = '*'; t[n++] = '/';
      }
    } else {
      static const char opch[] = "+-*=<>(){};,&|!/";
      t[n++] = opch[rng_below(r, 16)];
    }
    t[n++] = rng_below(r, 5) ? ' ' : '\n';
  }
  t[n] = 0;
  return n;
}

static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_hex(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

static int keyword(const char *s, uint32_t len) {
  switch (len) {
  case 2: return (s[0] == 'i' && s[1] == 'f');
  case 3: return (s[0] == 'i' && s[1] == 'n' && s[2] == 't') || (s[0] == 'f' && s[1] == 'o' && s[2] == 'r');
  case 4: return s[0] == 'e' && s[1] == 'l' && s[2] == 's' && s[3] == 'e';
  case 5: return memcmp(s, "while", 5) == 0;
  case 6: return memcmp(s, "return", 6) == 0;
  default: return 0;
  }
}

static uint64_t lex(const char *t, size_t n, uint32_t counts[T_COUNT]) {
  int st = S_START;
  size_t start = 0;
  uint64_t numsum = 0, cur = 0;
  for (size_t i = 0; i <= n; i++) {
    int c = (unsigned char)t[i];
    switch (st) {
    case S_START:
    start:
      start = i;
      if (is_alpha(c)) st = S_IDENT;
      else if (c == '0' && t[i + 1] == 'x') { st = S_HEX; i++; cur = 0; }
      else if (is_digit(c)) { st = S_NUM; cur = (uint64_t)(c - '0'); }
      else if (c == '"') st = S_STR;
      else if (c == '/') st = S_SLASH;
      else if (c == ' ' || c == '\n' || c == '\t' || c == 0) st = S_START;
      else { counts[T_OP]++; numsum += (uint64_t)c; }
      break;
    case S_IDENT:
      if (is_alpha(c) || is_digit(c)) break;
      counts[keyword(t + start, (uint32_t)(i - start)) ? T_KEYWORD : T_IDENT]++;
      st = S_START; goto start;
    case S_NUM:
      if (is_digit(c)) { cur = cur * 10 + (uint64_t)(c - '0'); break; }
      counts[T_NUM]++; numsum += cur;
      st = S_START; goto start;
    case S_HEX:
      if (is_hex(c)) { cur = cur * 16 + (uint64_t)(is_digit(c) ? c - '0' : (c | 32) - 'a' + 10); break; }
      counts[T_NUM]++; numsum += cur * 3;
      st = S_START; goto start;
    case S_STR:
      if (c == '\\') st = S_STR_ESC;
      else if (c == '"') { counts[T_STR]++; numsum += i - start; st = S_START; }
      else if (c == 0) st = S_START;
      break;
    case S_STR_ESC: st = S_STR; break;
    case S_SLASH:
      if (c == '/') st = S_LINE_COMMENT;
      else if (c == '*') st = S_BLOCK_COMMENT;
      else { counts[T_OP]++; st = S_START; goto start; }
      break;
    case S_LINE_COMMENT:
      if (c == '\n' || c == 0) { counts[T_COMMENT]++; st = S_START; }
      break;
    case S_BLOCK_COMMENT:
      if (c == '*') st = S_BLOCK_STAR;
      break;
    case S_BLOCK_STAR:
      if (c == '/') { counts[T_COMMENT]++; st = S_START; }
      else if (c != '*') st = S_BLOCK_COMMENT;
      break;
    }
  }
  return numsum;
}

int main(int argc, char **argv) {
  int scale = bench_scale(argc, argv, 700);
  char *t = bench_alloc(TEXT + 1);
  Rng r = {4242};
  size_t n = gen(t, TEXT, &r);
  uint64_t h = 0;
  for (int u = 0; u < scale; u++) {
    uint32_t counts[T_COUNT] = {0};
    t[(uint32_t)u * 2654435761u % n] = ' ';   /* vary the input a little */
    uint64_t s = lex(t, n, counts);
    for (int k = 0; k < T_COUNT; k++) h = mix64(h, counts[k]);
    h = mix64(h, s);
  }
  bench_result("statemachine", h);
  free(t);
  return 0;
}
