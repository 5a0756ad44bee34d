/* Kernel: string processing. Over a generated 128 KiB text: split into
** words, upper-case, reverse each word, find substrings with a
** Boyer-Moore-Horspool search of our own, count palindromes, and round-trip
** integers through our own decimal formatting and parsing. One unit is one
** pass of all of these. */
#include "bench.h"

#define TEXT (128u * 1024u)

static const char *const syl[] = {"ka", "lo", "mi", "ne", "ra", "ti", "su", "ba", "do", "ex", "an", "ol"};

static uint32_t gen(char *t, uint32_t cap, Rng *r) {
  uint32_t n = 0;
  while (n + 32 < cap) {
    uint32_t ns = 1 + rng_below(r, 4);
    for (uint32_t s = 0; s < ns; s++) {
      const char *p = syl[rng_below(r, 12)];
      t[n++] = p[0]; t[n++] = p[1];
    }
    if (rng_below(r, 10) == 0) { t[n++] = 'a'; t[n++] = 'b'; t[n++] = 'a'; }
    t[n++] = rng_below(r, 12) ? ' ' : '\n';
  }
  t[n] = 0;
  return n;
}

static uint32_t horspool(const char *hay, uint32_t n, const char *pat, uint32_t m) {
  uint32_t skip[256], count = 0;
  for (int i = 0; i < 256; i++) skip[i] = m;
  for (uint32_t i = 0; i + 1 < m; i++) skip[(unsigned char)pat[i]] = m - 1 - i;
  uint32_t i = 0;
  while (i + m <= n) {
    uint32_t j = m;
    while (j > 0 && hay[i + j - 1] == pat[j - 1]) j--;
    if (j == 0) count++;
    i += skip[(unsigned char)hay[i + m - 1]];
  }
  return count;
}

static uint32_t fmt_u32(char *out, uint32_t v) {
  char tmp[12];
  uint32_t n = 0;
  do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  for (uint32_t i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
  out[n] = 0;
  return n;
}

static uint32_t parse_u32(const char *s) {
  uint32_t v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (uint32_t)(*s++ - '0');
  return v;
}

int main(int argc, char **argv) {
  int scale = bench_scale(argc, argv, 400);
  char *t = bench_alloc(TEXT + 1), *w = bench_alloc(TEXT + 1);
  Rng r = {8080};
  uint32_t n = gen(t, TEXT, &r);
  static const char *const pats[] = {"kalo", "miramira", "aba ", "nesu\nka", "dodo"};
  uint64_t h = 0;
  for (int u = 0; u < scale; u++) {
    uint32_t words = 0, pal = 0, maxlen = 0, o = 0;
    uint32_t i = 0;
    while (i < n) {
      while (i < n && (t[i] == ' ' || t[i] == '\n')) i++;
      uint32_t s = i;
      while (i < n && t[i] != ' ' && t[i] != '\n') i++;
      uint32_t len = i - s;
      if (!len) continue;
      words++;
      if (len > maxlen) maxlen = len;
      uint32_t a = s, b = i - 1, isp = 1;
      while (a < b) if (t[a++] != t[b--]) { isp = 0; break; }
      pal += isp;
      for (uint32_t k = 0; k < len; k++) {   /* reversed, upper-cased copy */
        char c = t[i - 1 - k];
        w[o++] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
      }
      w[o++] = ' ';
    }
    w[o] = 0;
    h = mix64(h, ((uint64_t)words << 40) | ((uint64_t)pal << 20) | maxlen);
    for (int p = 0; p < 5; p++) h = mix64(h, horspool(t, n, pats[p], (uint32_t)strlen(pats[p])));
    h = mix64(h, horspool(w, o, "OLAK", 4));
    char num[16];
    uint32_t acc = 0;
    for (uint32_t k = 0; k < 20000; k++) {
      uint32_t v = (k + (uint32_t)u) * 2654435761u;
      fmt_u32(num, v);
      acc += parse_u32(num) ^ (uint32_t)num[0];
    }
    h = mix64(h, acc);
    t[(uint32_t)u * 7919u % n] = 'x';
  }
  bench_result("strings", h);
  free(t); free(w);
  return 0;
}
