/*
** check.h: what the engine's unit tests share: the pass/fail counters and
** CHECK (prints a failed check with its line and goes on), and
** TEST_UNDER_ASAN, defined when AddressSanitizer instruments the build
** (gcc and clang spell that differently).
*/
#ifndef CAIRN_TEST_CHECK_H
#define CAIRN_TEST_CHECK_H

#include <stdio.h>

static int nPass, nFail;

#define CHECK(cond, what)                                   \
  do {                                                      \
    if (cond) {                                             \
      nPass++;                                              \
    } else {                                                \
      nFail++;                                              \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, what); \
    }                                                       \
  } while (0)

#if defined(__SANITIZE_ADDRESS__)
#define TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_UNDER_ASAN 1
#endif
#endif

#endif
