/*
** test_aot_loop.c: the entry check of versioned loops (emit_loop.c), the
** helpers cairn_aot.h gives the emitted C: the trip count must be the one
** a loop of wrapping i32 values runs, or 0 (refused) - never another
** number - for every exit relation, step and start near 0, the signed and
** the unsigned edges; the range test must see both ends; overflow in the
** affine sums is reported, not undefined.
*/
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "engine/aot/cairn_aot.h"

enum { NE, LT, LE, GT, GE };

/* iterations of: do { v += s } while (v REL n), i32 values from u, as the
** interpreter runs it; 0 if more than limit */
static int64_t ref_trip(uint32_t u, uint32_t n, uint32_t s, int rel, int sgn, int64_t limit) {
  uint32_t v = u;
  for (int64_t k = 1; k <= limit; k++) {
    int go;
    int32_t a = (int32_t)v, b = (int32_t)n;
    switch (rel) {
      case NE: go = v != n; break;
      case LT: go = sgn ? a < b : v < n; break;
      case LE: go = sgn ? a <= b : v <= n; break;
      case GT: go = sgn ? a > b : v > n; break;
      default: go = sgn ? a >= b : v >= n; break;
    }
    if (!go) return k;
    v += s;
  }
  return 0;
}

int main(void) {
  static const uint32_t aVal[] = {0,          1,          2,          3,          7,
                                  8,          100,        0x7ffffff0, 0x7ffffffe, 0x7fffffff,
                                  0x80000000, 0x80000001, 0xfffffff0, 0xfffffffe, 0xffffffff};
  static const int32_t aStep[] = {1, 2, 3, 4, 7, 16, -1, -2, -3, -8, 0x40000001, -0x40000001};
  int nAnswered = 0, nWrong = 0;
  for (size_t iu = 0; iu < sizeof aVal / sizeof aVal[0]; iu++)
    for (size_t in = 0; in < sizeof aVal / sizeof aVal[0]; in++)
      for (size_t is = 0; is < sizeof aStep / sizeof aStep[0]; is++)
        for (int rel = NE; rel <= GE; rel++)
          for (int sgn = 0; sgn < 2; sgn++) {
            uint32_t u = aVal[iu], n = aVal[in];
            int32_t s = aStep[is];
            int64_t lo = sgn ? INT32_MIN : 0, hi = sgn ? INT32_MAX : UINT32_MAX;
            int64_t ur = sgn ? (int64_t)(int32_t)u : (int64_t)u;
            int64_t nr = sgn ? (int64_t)(int32_t)n : (int64_t)n;
            int64_t t = cairn_lv_trip_(ur, nr, s, rel, lo, hi);
            if (!t) continue;
            nAnswered++;
            /* an answer must be the interpreter's count (long trips are
            ** checked up to 20000 iterations, past that by the last value) */
            int64_t r = ref_trip(u, n, (uint32_t)s, rel, sgn, 20000);
            if (r ? r != t : t <= 20000) {
              nWrong++;
              printf("u %08x n %08x s %d rel %d sgn %d: %lld, want %lld\n", u, n, s, rel, sgn,
                     (long long)t, (long long)r);
            }
            /* a representative a period away is refused */
            CHECK(!cairn_lv_trip_(ur + ((int64_t)1 << 32), nr, s, rel, lo, hi), "u out of range");
            CHECK(!cairn_lv_trip_(ur, nr - ((int64_t)1 << 32), s, rel, lo, hi), "n out of range");
          }
  CHECK(nWrong == 0, "trip counts agree with the interpreter's");
  CHECK(nAnswered > 1000, "most trip counts are answered");
  /* the usual loops */
  CHECK(cairn_lv_trip_(16, 1024, 16, NE, 0, UINT32_MAX) == 64, "0..1024 by 16, !=");
  CHECK(cairn_lv_trip_(1, 100, 1, LT, 0, UINT32_MAX) == 100, "i < 100");
  CHECK(cairn_lv_trip_(1, 1, 1, LT, 0, UINT32_MAX) == 1, "one trip");
  CHECK(cairn_lv_trip_(396, 0, -4, NE, 0, UINT32_MAX) == 100, "down to 0");
  CHECK(!cairn_lv_trip_(1, 10, 2, NE, 0, UINT32_MAX), "step does not divide");
  CHECK(!cairn_lv_trip_(5, 3, 1, NE, 0, UINT32_MAX), "!= reached only by wrapping");
  CHECK(!cairn_lv_trip_(0, UINT32_MAX, 1, LE, 0, UINT32_MAX), "<= the maximum never ends");
  CHECK(!cairn_lv_trip_(0, 10, 0, LT, 0, UINT32_MAX), "step 0");
  /* i64: whole signed range, no overflow in the arithmetic */
  CHECK(cairn_lv_trip_(INT64_MIN / 2, INT64_MAX / 2, 1 << 20, LT, INT64_MIN, INT64_MAX) > 0, "i64 wide");
  CHECK(!cairn_lv_trip_(INT64_MIN, INT64_MAX, 1, LT, INT64_MIN, INT64_MAX), "i64 distance overflows");
  CHECK(!cairn_lv_trip_(INT64_MAX - 3, INT64_MAX, 8, LT, INT64_MIN, INT64_MAX), "i64 would wrap");
  CHECK(!cairn_lv_trip_(0, INT64_MIN, -1, NE, INT64_MIN, INT64_MAX), "distance INT64_MIN");
  CHECK(cairn_lv_trip_(-3, INT64_MIN, -1, NE, INT64_MIN, INT64_MAX) == INT64_MAX - 1, "longest");
  CHECK(!cairn_lv_trip_(-1, INT64_MIN, -1, NE, INT64_MIN, INT64_MAX), "too long");
  CHECK(!cairn_lv_trip_(0, INT64_MIN, -1, GT, INT64_MIN, INT64_MAX), "> i64 min");
  /* ranges: both ends */
  CHECK(cairn_lv_in_(0, 16, 64, 0, 65536 - 8), "in");
  CHECK(!cairn_lv_in_(0, 16, 4097, 0, 65536 - 8), "last out");
  CHECK(!cairn_lv_in_(100, -8, 14, 0, 65536), "last below 0");
  CHECK(cairn_lv_in_(100, -8, 13, 0, 65536), "last at 4");
  CHECK(!cairn_lv_in_(0, INT64_MAX, 3, 0, INT64_MAX), "overflowing end");
  CHECK(!cairn_lv_in_(0, 1, 0, 0, 10), "no trip");
  int bad = 0;
  CHECK(cairn_lv_mad_(5, 3, 7, &bad) == 26 && !bad, "mad");
  cairn_lv_mad_(INT64_MAX, 2, 1, &bad);
  CHECK(bad, "sum overflow reported");
  bad = 0;
  cairn_lv_mad_(0, INT64_MAX, 3, &bad);
  CHECK(bad, "product overflow reported");
  printf("test_aot_loop: %d passed, %d failed (%d trip counts answered)\n", nPass, nFail, nAnswered);
  return nFail != 0;
}
