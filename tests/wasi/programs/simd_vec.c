/*
** simd_vec.c: loops that clang vectorises with -msimd128 (integer and float
** element-wise arithmetic, min/max, conversions, saturating narrowing,
** shifts, byte compares). Built with and without -msimd128 and natively; all
** three must print the same lines.
*/
#include <stdint.h>
#include <stdio.h>

#define N 4096

static int32_t a[N], b[N], c[N];
static float fa[N], fb[N], fc[N];
static double da[N], db[N];
static uint8_t u8a[N], u8b[N], u8c[N];
static int16_t s16[N];
static int8_t s8[N];

static uint32_t mix(uint32_t h, uint32_t v) { return (h ^ v) * 16777619u; }

int main(void) {
  uint32_t seed = 12345;
  for (int i = 0; i < N; i++) {
    seed = seed * 1103515245u + 12345u;
    a[i] = (int32_t)(seed >> 3) - (1 << 27);
    b[i] = (int32_t)(seed % 1000) - 500;
    fa[i] = (float)(int32_t)(seed % 20001 - 10000) / 7.0f;
    fb[i] = (float)(i % 97) - 48.5f;
    da[i] = (double)a[i] / 3.0;
    u8a[i] = (uint8_t)(seed >> 11);
    u8b[i] = (uint8_t)(seed >> 19);
  }
  uint32_t h = 2166136261u;
  for (int r = 0; r < 3; r++) {
    for (int i = 0; i < N; i++) c[i] = a[i] * 3 + b[i] * b[i] - (a[i] >> 5);
    for (int i = 0; i < N; i++) c[i] = c[i] < b[i] ? b[i] : c[i];       /* max */
    for (int i = 0; i < N; i++) fc[i] = fa[i] * fb[i] + fa[i] / 4.0f;
    for (int i = 0; i < N; i++) fc[i] = fc[i] < fb[i] ? fc[i] : fb[i];  /* min */
    for (int i = 0; i < N; i++) db[i] = da[i] * 0.5 - (double)b[i];
    for (int i = 0; i < N; i++) u8c[i] = (uint8_t)((u8a[i] + u8b[i] + 1) >> 1); /* avgr */
    for (int i = 0; i < N; i++) u8c[i] = u8c[i] > u8a[i] ? 0xFF : 0;              /* compare */
    for (int i = 0; i < N; i++) {                                                /* saturate */
      int32_t v = c[i] >> 8;
      s16[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
    }
    for (int i = 0; i < N; i++) s8[i] = (int8_t)(s16[i] >> 8);
    for (int i = 0; i < N; i++) a[i] += (int32_t)fc[i];                         /* convert */
    for (int i = 0; i < N; i++) {
      h = mix(h, (uint32_t)c[i]);
      h = mix(h, (uint32_t)(int32_t)(fc[i] * 16.0f));
      h = mix(h, (uint32_t)(int64_t)(db[i] * 4.0));
      h = mix(h, u8c[i]);
      h = mix(h, (uint32_t)s16[i] ^ (uint32_t)(s8[i] << 16));
    }
    printf("round %d: %08x\n", r, h);
  }
  return 0;
}
