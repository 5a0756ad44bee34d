/* Kernel: indirect calls. A small register machine whose instructions are
** dispatched through a table of function pointers (call_indirect in Wasm),
** plus "objects" carrying their own method pointers. One unit runs a
** 4096-instruction program 64 times. */
#include "bench.h"

typedef struct Vm { uint32_t r[8]; uint64_t acc; } Vm;
typedef void (*OpFn)(Vm *vm, uint32_t a, uint32_t b);

static void op_add(Vm *vm, uint32_t a, uint32_t b) { vm->r[a] += vm->r[b]; }
static void op_sub(Vm *vm, uint32_t a, uint32_t b) { vm->r[a] -= vm->r[b] ^ a; }
static void op_mul(Vm *vm, uint32_t a, uint32_t b) { vm->r[a] *= vm->r[b] | 1; }
static void op_xor(Vm *vm, uint32_t a, uint32_t b) { vm->r[a] ^= vm->r[b] + b; }
static void op_rot(Vm *vm, uint32_t a, uint32_t b) {
  uint32_t x = vm->r[a], s = (vm->r[b] & 31) | 1;
  vm->r[a] = (x << s) | (x >> (32 - s));
}
static void op_ld(Vm *vm, uint32_t a, uint32_t b) { vm->r[a] = b * 0x9E3779B1u; }
static void op_acc(Vm *vm, uint32_t a, uint32_t b) { vm->acc += vm->r[a] ^ vm->r[b]; }
static void op_min(Vm *vm, uint32_t a, uint32_t b) { if (vm->r[b] < vm->r[a]) vm->r[a] = vm->r[b] + 1; }

static const OpFn ops[8] = {op_add, op_sub, op_mul, op_xor, op_rot, op_ld, op_acc, op_min};

typedef struct Shape {
  uint32_t (*area)(const struct Shape *);
  uint32_t (*perim)(const struct Shape *);
  uint32_t w, h;
} Shape;
static uint32_t rect_area(const Shape *s) { return s->w * s->h; }
static uint32_t rect_perim(const Shape *s) { return 2 * (s->w + s->h); }
static uint32_t tri_area(const Shape *s) { return s->w * s->h / 2; }
static uint32_t tri_perim(const Shape *s) { return s->w + s->h + (s->w > s->h ? s->w : s->h); }
static uint32_t sq_area(const Shape *s) { return s->w * s->w; }
static uint32_t sq_perim(const Shape *s) { return 4 * s->w; }

#define PROG 4096
#define NSHAPE 1024

int main(int argc, char **argv) {
  int scale = bench_scale(argc, argv, 250);
  static uint8_t code[PROG], ra[PROG], rb[PROG];
  static Shape shapes[NSHAPE];
  Rng r = {77};
  for (int i = 0; i < PROG; i++) {
    code[i] = (uint8_t)rng_below(&r, 8);
    ra[i] = (uint8_t)rng_below(&r, 8);
    rb[i] = (uint8_t)rng_below(&r, 8);
  }
  for (int i = 0; i < NSHAPE; i++) {
    uint32_t k = rng_below(&r, 3);
    shapes[i].w = 1 + rng_below(&r, 100);
    shapes[i].h = 1 + rng_below(&r, 100);
    shapes[i].area = k == 0 ? rect_area : k == 1 ? tri_area : sq_area;
    shapes[i].perim = k == 0 ? rect_perim : k == 1 ? tri_perim : sq_perim;
  }
  Vm vm;
  memset(&vm, 0, sizeof vm);
  uint64_t h = 0;
  for (int u = 0; u < scale; u++) {
    for (int rep = 0; rep < 64; rep++) {
      vm.r[0] = (uint32_t)(u * 64 + rep);
      for (int i = 0; i < PROG; i++) ops[code[i]](&vm, ra[i], rb[i]);
    }
    uint32_t tot = 0;
    for (int rep = 0; rep < 16; rep++)
      for (int i = 0; i < NSHAPE; i++) {
        const Shape *s = &shapes[(i * 7 + rep) & (NSHAPE - 1)];
        tot += s->area(s) ^ s->perim(s);
      }
    h = mix64(h, vm.acc ^ tot);
  }
  bench_result("indirect", h);
  return 0;
}
