/*
** numbers.c: integer and float literals of the text format, with the spec's
** syntax (underscores only between digits, hex with 0x, hex floats with p
** exponents, inf, nan, nan:0xPAYLOAD) and range rules. Floats are rounded
** once, to nearest even, by the C library's strtof/strtod on a copy of the
** literal without underscores.
*/
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "text_internal.h"

static int num_digit(char c, bool hex) {
  if (c >= '0' && c <= '9') return c - '0';
  if (hex) {
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  }
  return -1;
}

/* Length of a digit run with single underscores between digits at z; 0 if
** none or badly placed underscores (then *bad is set). */
static size_t num_run(const char *z, size_t n, bool hex, bool *bad) {
  size_t i = 0;
  if (n == 0 || num_digit(z[0], hex) < 0) return 0;
  while (i < n) {
    if (num_digit(z[i], hex) >= 0) {
      i++;
    } else if (z[i] == '_') {
      if (i + 1 >= n || num_digit(z[i + 1], hex) < 0) {
        *bad = true;
        return 0;
      }
      i++;
    } else {
      break;
    }
  }
  return i;
}

/* Magnitude of an unsigned literal; *ovf when above 2^64-1. */
static NumResult num_mag(const char *z, size_t n, uint64_t *out, bool *ovf) {
  bool hex = n > 2 && z[0] == '0' && z[1] == 'x';
  size_t i = hex ? 2 : 0;
  bool bad = false;
  size_t m = num_run(z + i, n - i, hex, &bad);
  if (m == 0 || i + m != n) return NUM_SYNTAX;
  uint64_t v = 0;
  *ovf = false;
  unsigned base = hex ? 16 : 10;
  for (; i < n; i++) {
    if (z[i] == '_') continue;
    uint64_t d = (uint64_t)num_digit(z[i], hex);
    if (v > (UINT64_MAX - d) / base) *ovf = true;
    v = v * base + d;
  }
  *out = v;
  return NUM_OK;
}

NumResult text_num_u64(const char *z, size_t n, uint64_t *out) {
  bool ovf;
  NumResult r = num_mag(z, n, out, &ovf);
  if (r != NUM_OK) return r;
  return ovf ? NUM_RANGE : NUM_OK;
}

NumResult text_num_u32(const char *z, size_t n, uint32_t *out) {
  uint64_t v;
  NumResult r = text_num_u64(z, n, &v);
  if (r != NUM_OK) return r;
  if (v > UINT32_MAX) return NUM_RANGE;
  *out = (uint32_t)v;
  return NUM_OK;
}

static NumResult num_signed(const char *z, size_t n, int bits, uint64_t *out) {
  bool neg = false;
  if (n > 0 && (z[0] == '+' || z[0] == '-')) {
    neg = z[0] == '-';
    z++;
    n--;
  }
  uint64_t v;
  bool ovf;
  NumResult r = num_mag(z, n, &v, &ovf);
  if (r != NUM_OK) return r;
  if (ovf) return NUM_RANGE;
  uint64_t umax = bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
  uint64_t nmax = (uint64_t)1 << (bits - 1);
  if (neg) {
    if (v > nmax) return NUM_RANGE;
    v = (uint64_t)0 - v;
  } else if (v > umax) {
    return NUM_RANGE;
  }
  *out = bits == 64 ? v : (v & (((uint64_t)1 << bits) - 1));
  return NUM_OK;
}

NumResult text_num_i32(const char *z, size_t n, uint32_t *out) {
  uint64_t v;
  NumResult r = num_signed(z, n, 32, &v);
  if (r == NUM_OK) *out = (uint32_t)v;
  return r;
}

NumResult text_num_i64(const char *z, size_t n, uint64_t *out) {
  return num_signed(z, n, 64, out);
}

NumResult text_num_int(const char *z, size_t n, int bits, uint64_t *out) {
  return num_signed(z, n, bits, out);
}

/* Checks float syntax and writes a copy without underscores into buf (NUL
** terminated; buf has n + 1 bytes). Handles the sign separately. */
static bool num_float_syntax(const char *z, size_t n, char *buf) {
  size_t i = 0, o = 0;
  bool hex = n >= 2 && z[0] == '0' && z[1] == 'x';
  bool bad = false;
  if (hex) {
    buf[o++] = '0';
    buf[o++] = 'x';
    i = 2;
  }
  size_t m = num_run(z + i, n - i, hex, &bad);
  if (m == 0) return false;
  for (size_t k = 0; k < m; k++)
    if (z[i + k] != '_') buf[o++] = z[i + k];
  i += m;
  if (i < n && z[i] == '.') {
    buf[o++] = '.';
    i++;
    m = num_run(z + i, n - i, hex, &bad);
    if (bad) return false;
    for (size_t k = 0; k < m; k++)
      if (z[i + k] != '_') buf[o++] = z[i + k];
    i += m;
  }
  if (i < n && (hex ? (z[i] == 'p' || z[i] == 'P') : (z[i] == 'e' || z[i] == 'E'))) {
    buf[o++] = z[i++];
    if (i < n && (z[i] == '+' || z[i] == '-')) buf[o++] = z[i++];
    m = num_run(z + i, n - i, false, &bad);
    if (m == 0) return false;
    for (size_t k = 0; k < m; k++)
      if (z[i + k] != '_') buf[o++] = z[i + k];
    i += m;
  }
  buf[o] = 0;
  return i == n;
}

/* Common float front end: sign, inf, nan[:0x...], or a finite literal that is
** converted by conv. Returns the kind and fills the out parameters. */
typedef enum FKind { FK_FINITE, FK_INF, FK_NAN, FK_NAN_PAYLOAD } FKind;

static NumResult num_float_head(const char *z, size_t n, bool *neg, FKind *kind,
                                uint64_t *payload, char **pClean) {
  *neg = false;
  if (n > 0 && (z[0] == '+' || z[0] == '-')) {
    *neg = z[0] == '-';
    z++;
    n--;
  }
  if (n == 3 && memcmp(z, "inf", 3) == 0) {
    *kind = FK_INF;
    return NUM_OK;
  }
  if (n == 3 && memcmp(z, "nan", 3) == 0) {
    *kind = FK_NAN;
    return NUM_OK;
  }
  if (n > 6 && memcmp(z, "nan:0x", 6) == 0) {
    bool ovf;
    NumResult r = num_mag(z + 4, n - 4, payload, &ovf);
    if (r != NUM_OK) return r;
    if (ovf) return NUM_RANGE;
    *kind = FK_NAN_PAYLOAD;
    return NUM_OK;
  }
  char *buf = base_malloc(n + 2);
  if (!buf) return NUM_SYNTAX;
  if (!num_float_syntax(z, n, buf)) {
    base_free(buf);
    return NUM_SYNTAX;
  }
  *kind = FK_FINITE;
  *pClean = buf;
  return NUM_OK;
}

NumResult text_num_f32(const char *z, size_t n, uint32_t *out) {
  bool neg;
  FKind kind;
  uint64_t payload = 0;
  char *clean = NULL;
  NumResult r = num_float_head(z, n, &neg, &kind, &payload, &clean);
  if (r != NUM_OK) return r;
  uint32_t bits;
  switch (kind) {
    case FK_INF: bits = 0x7F800000u; break;
    case FK_NAN: bits = 0x7FC00000u; break;
    case FK_NAN_PAYLOAD:
      if (payload == 0 || payload >= (1u << 23)) return NUM_RANGE;
      bits = 0x7F800000u | (uint32_t)payload;
      break;
    default: {
      errno = 0;
      float f = strtof(clean, NULL);
      base_free(clean);
      if (isinf(f)) return NUM_RANGE;
      memcpy(&bits, &f, 4);
      break;
    }
  }
  if (neg) bits |= 0x80000000u;
  *out = bits;
  return NUM_OK;
}

NumResult text_num_f64(const char *z, size_t n, uint64_t *out) {
  bool neg;
  FKind kind;
  uint64_t payload = 0;
  char *clean = NULL;
  NumResult r = num_float_head(z, n, &neg, &kind, &payload, &clean);
  if (r != NUM_OK) return r;
  uint64_t bits;
  switch (kind) {
    case FK_INF: bits = 0x7FF0000000000000ull; break;
    case FK_NAN: bits = 0x7FF8000000000000ull; break;
    case FK_NAN_PAYLOAD:
      if (payload == 0 || payload >= (1ull << 52)) return NUM_RANGE;
      bits = 0x7FF0000000000000ull | payload;
      break;
    default: {
      errno = 0;
      double d = strtod(clean, NULL);
      base_free(clean);
      if (isinf(d)) return NUM_RANGE;
      memcpy(&bits, &d, 8);
      break;
    }
  }
  if (neg) bits |= 0x8000000000000000ull;
  *out = bits;
  return NUM_OK;
}
