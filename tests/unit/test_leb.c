/*
** test_leb.c: LEB128 readers and writers (base.h) at their edges - lengths,
** unused bits, sign extension, truncation - and UTF-8 validity/encoding.
*/
#include <stdio.h>
#include <string.h>

#include "base/base.h"

static int nCheck, nFail;

#define CHECK(cond, ...)                          \
  do {                                            \
    nCheck++;                                     \
    if (!(cond)) {                                \
      nFail++;                                    \
      printf("FAIL %s:%d: ", __FILE__, __LINE__); \
      printf(__VA_ARGS__);                        \
      printf("\n");                               \
    }                                             \
  } while (0)

/* Reads hex-free byte strings given as C literals. */
static void check_u(const char *z, size_t n, int bits, int wantRet, uint64_t wantVal) {
  uint64_t v = 0xDEAD;
  int r = leb_read_u((const uint8_t *)z, (const uint8_t *)z + n, bits, &v);
  CHECK(r == wantRet, "leb_read_u bits=%d len=%zu: returned %d, want %d", bits, n, r, wantRet);
  if (r > 0 && wantRet > 0)
    CHECK(v == wantVal, "leb_read_u bits=%d: value %llu, want %llu", bits,
          (unsigned long long)v, (unsigned long long)wantVal);
}

static void check_s(const char *z, size_t n, int bits, int wantRet, int64_t wantVal) {
  int64_t v = 0xDEAD;
  int r = leb_read_s((const uint8_t *)z, (const uint8_t *)z + n, bits, &v);
  CHECK(r == wantRet, "leb_read_s bits=%d len=%zu: returned %d, want %d", bits, n, r, wantRet);
  if (r > 0 && wantRet > 0)
    CHECK(v == wantVal, "leb_read_s bits=%d: value %lld, want %lld", bits, (long long)v,
          (long long)wantVal);
}

static void roundtrip_u(uint64_t v) {
  Buf b;
  buf_init(&b);
  buf_uleb(&b, v);
  uint64_t got = 0;
  int r = leb_read_u(b.aData, b.aData + b.n, 64, &got);
  CHECK(r == (int)b.n && got == v, "uleb round trip of %llu", (unsigned long long)v);
  buf_free(&b);
}

static void roundtrip_s(int64_t v) {
  Buf b;
  buf_init(&b);
  buf_sleb(&b, v);
  int64_t got = 0;
  int r = leb_read_s(b.aData, b.aData + b.n, 64, &got);
  CHECK(r == (int)b.n && got == v, "sleb round trip of %lld", (long long)v);
  if (v >= INT32_MIN && v <= INT32_MAX) {
    r = leb_read_s(b.aData, b.aData + b.n, 32, &got);
    CHECK(r == (int)b.n && got == v, "sleb32 round trip of %lld", (long long)v);
  }
  buf_free(&b);
}

static void check_utf8(const char *z, size_t n, bool want) {
  CHECK(base_utf8_valid((const uint8_t *)z, n) == want,
        "utf8_valid of %zu bytes starting %02x: want %d", n, n ? (uint8_t)z[0] : 0, want);
}

int main(void) {
  /* unsigned 32 */
  check_u("\x00", 1, 32, 1, 0);
  check_u("\x7f", 1, 32, 1, 127);
  check_u("\x80\x01", 2, 32, 2, 128);
  check_u("\xff\xff\xff\xff\x0f", 5, 32, 5, 0xFFFFFFFFu);
  check_u("\x80\x80\x80\x80\x00", 5, 32, 5, 0);  /* long zero is allowed */
  check_u("\xff\xff\xff\xff\x1f", 5, 32, -2, 0); /* unused bits set */
  check_u("\xff\xff\xff\xff\x4f", 5, 32, -2, 0);
  check_u("\x80\x80\x80\x80\x80\x00", 6, 32, -1, 0); /* too long */
  check_u("\x80", 1, 32, 0, 0);                      /* truncated */
  check_u("\x80\x80", 1, 32, 0, 0);                  /* end before the continuation */
  check_u("", 0, 32, 0, 0);
  /* unsigned 1 (limits flags) */
  check_u("\x01", 1, 1, 1, 1);
  check_u("\x02", 1, 1, -2, 0);
  check_u("\x81\x00", 2, 1, -1, 0);
  /* unsigned 64 */
  check_u("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10, 64, 10, UINT64_MAX);
  check_u("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 10, 64, -2, 0);
  check_u("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00", 11, 64, -1, 0);
  /* signed 32 */
  check_s("\x7f", 1, 32, 1, -1);
  check_s("\x3f", 1, 32, 1, 63);
  check_s("\x40", 1, 32, 1, -64);
  check_s("\xc0\x00", 2, 32, 2, 64);
  check_s("\x80\x80\x80\x80\x78", 5, 32, 5, INT32_MIN);
  check_s("\xff\xff\xff\xff\x07", 5, 32, 5, INT32_MAX);
  check_s("\xff\xff\xff\xff\x7f", 5, 32, 5, -1); /* long -1 is allowed */
  check_s("\x80\x80\x80\x80\x70", 5, 32, -2, 0); /* sign bit 0, unused bits 1 */
  check_s("\xff\xff\xff\xff\x0f", 5, 32, -2, 0); /* sign bit 1, unused bits 0 */
  check_s("\xff\xff\xff\xff\xff\x7f", 6, 32, -1, 0);
  check_s("\xff", 1, 32, 0, 0);
  /* signed 33 (block types) */
  check_s("\xff\xff\xff\xff\x0f", 5, 33, 5, 0xFFFFFFFFll);
  check_s("\x80\x80\x80\x80\x70", 5, 33, 5, -0x100000000ll);
  check_s("\x80\x80\x80\x80\x10", 5, 33, -2, 0);
  check_s("\x80\x80\x80\x80\x20", 5, 33, -2, 0);
  /* signed 64 */
  check_s("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7f", 10, 64, 10, INT64_MIN);
  check_s("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00", 10, 64, 10, INT64_MAX);
  check_s("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 10, 64, 10, -1);
  check_s("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10, 64, -2, 0);
  check_s("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x40", 10, 64, -2, 0);
  check_s("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00", 11, 64, -1, 0);

  /* writers */
  static const uint64_t aU[] = {
      0, 1, 127, 128, 16383, 16384, 0xFFFFFFFFu, 0x100000000ull, UINT64_MAX};
  for (size_t i = 0; i < sizeof aU / sizeof aU[0]; i++) roundtrip_u(aU[i]);
  static const int64_t aS[] = {
      0,         1,        -1, 63, 64, -64, -65, INT32_MAX, INT32_MIN, (int64_t)INT32_MAX + 1,
      INT64_MAX, INT64_MIN};
  for (size_t i = 0; i < sizeof aS / sizeof aS[0]; i++) roundtrip_s(aS[i]);
  {
    Buf b;
    buf_init(&b);
    buf_uleb(&b, 624485);
    CHECK(b.n == 3 && memcmp(b.aData, "\xe5\x8e\x26", 3) == 0, "uleb 624485 bytes");
    buf_free(&b);
    buf_sleb(&b, -123456);
    CHECK(b.n == 3 && memcmp(b.aData, "\xc0\xbb\x78", 3) == 0, "sleb -123456 bytes");
    buf_free(&b);
  }

  /* UTF-8 */
  check_utf8("", 0, true);
  check_utf8("abc", 3, true);
  check_utf8("\0", 1, true);
  check_utf8("\xc2\x80", 2, true);
  check_utf8("\xdf\xbf", 2, true);
  check_utf8("\xe2\x82\xac", 3, true);
  check_utf8("\xef\xbf\xbf", 3, true);
  check_utf8("\xf0\x90\x80\x80", 4, true);
  check_utf8("\xf4\x8f\xbf\xbf", 4, true);
  check_utf8("\x80", 1, false);     /* lone continuation */
  check_utf8("\xc0\x80", 2, false); /* overlong */
  check_utf8("\xc1\xbf", 2, false);
  check_utf8("\xe0\x9f\xbf", 3, false);
  check_utf8("\xf0\x8f\xbf\xbf", 4, false);
  check_utf8("\xed\xa0\x80", 3, false); /* surrogate */
  check_utf8("\xed\xbf\xbf", 3, false);
  check_utf8("\xf4\x90\x80\x80", 4, false);     /* above U+10FFFF */
  check_utf8("\xf8\x88\x80\x80\x80", 5, false); /* 5-byte form */
  check_utf8("\xfe", 1, false);
  check_utf8("\xff", 1, false);
  check_utf8("\xc2", 1, false); /* truncated */
  check_utf8("\xe2\x82", 2, false);
  check_utf8("\xc2\x41", 2, false); /* bad continuation */
  {
    static const uint32_t aCp[] = {0, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF};
    for (size_t i = 0; i < sizeof aCp / sizeof aCp[0]; i++) {
      Buf b;
      buf_init(&b);
      base_utf8_encode(&b, aCp[i]);
      static const size_t aLen[] = {1, 1, 2, 2, 3, 3, 4, 4};
      CHECK(b.n == aLen[i] && base_utf8_valid(b.aData, b.n), "utf8_encode U+%04X", aCp[i]);
      buf_free(&b);
    }
  }

  printf(
      "test_leb: %d checks (LEB128 u1/u32/u64/s32/s33/s64 readers, writers, UTF-8), "
      "%d failed\n",
      nCheck, nFail);
  return nFail != 0;
}
