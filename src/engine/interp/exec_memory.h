/*
** exec_memory.h: the interpreter's load and store handlers, with their
** fused address forms (_AI, _AA; interp.h). Not a normal header: included
** once inside exec_run (exec.c), whose locals and macros it uses (pc, fp,
** mb, msz, PAIR, NEXT_W, OP, NEXT, TRAP). Defines MEM_CHK, which the later
** handler families use too. Memory size, grow and the bulk operations are
** in exec.c with the other handlers that call into the runtime.
*/

#if EXEC_CHECK
#define MEM_CHK(ea, n) \
if (UNLIKELY((ea) + (n) > msz)) TRAP(CAIRN_TRAP_MEMORY_OOB)
#else
#define MEM_CHK(ea, n)
#endif
/* STORE_CHK guards a store as MEM_CHK guards a load. A store that runs
** past the end of memory must trap without writing any byte. With guard
** regions, one x86 store of up to 8 bytes faults before it writes; a v128
** store may be two (GCC splits 16-byte copies, always so without
** optimisation or under ASan), and Arm and RISC-V may write the bytes
** before the guard first (both ISAs let a misaligned access be split, and
** GCC's riscv64 code copies a misaligned value byte by byte), so there the
** last byte is read first: its fault, if any, comes before the store (the
** native tier's CAIRN_STORE does the same). Accessible memory is one range
** [0, size), so with the first and the last byte in it all bytes are. */
#if !EXEC_CHECK
#if defined(__x86_64__) || defined(__i386__)
#define STORE_TEARS(n) ((n) > 8)
#else
#define STORE_TEARS(n) 1
#endif
#define STORE_CHK(ea, n)                                    \
do {                                                        \
  if (STORE_TEARS(n)) {                                     \
    (void)*(volatile const uint8_t *)(mb + (ea) + (n) - 1); \
    __asm__ __volatile__("" ::: "memory");                  \
  }                                                         \
} while (0)
#else
#define STORE_CHK(ea, n) MEM_CHK(ea, n)
#endif
/* each load also comes as _AI / _AA, address (u32)(a + imm or b) (interp.h) */
/* (dst, addr, offset); _AI (dst, a, imm, offset); _AA (dst, a, b, offset) */
#define LOAD_DO(T, conv, ea, next)     \
do {                                   \
  MEM_CHK(ea, sizeof(T));              \
  T v;                                 \
  memcpy(&v, mb + ea, sizeof(T));      \
  fp[PAIR_LO(da)] = conv;              \
  next;                                \
} while (0)
#define LOAD(name, T, conv)                                                           \
OP(name) {                                                                            \
  uint64_t da = PAIR(0), on = PAIR(2);                                                \
  uint64_t ea = (uint64_t)AT_U32(PAIR_HI(da)) + PAIR_LO(on);                          \
  LOAD_DO(T, conv, ea, NEXT_W(4, PAIR_HI(on)));                                       \
}                                                                                     \
OP(name##_AI) {                                                                       \
  uint64_t da = PAIR(0), io = PAIR(2);                                                \
  uint64_t ea = (uint64_t)(uint32_t)(AT_U32(PAIR_HI(da)) + PAIR_LO(io)) + PAIR_HI(io);   \
  LOAD_DO(T, conv, ea, pc += 4; NEXT());                                              \
}                                                                                     \
OP(name##_AA) {                                                                       \
  uint64_t da = PAIR(0), bo = PAIR(2);                                                \
  uint64_t ea = (uint64_t)(uint32_t)(AT_U32(PAIR_HI(da)) + AT_U32(PAIR_LO(bo))) +     \
                PAIR_HI(bo);                                                          \
  LOAD_DO(T, conv, ea, pc += 4; NEXT());                                              \
}
LOAD(I32_LOAD, uint32_t, v)
LOAD(I64_LOAD, uint64_t, v)
LOAD(F32_LOAD, uint32_t, v)
LOAD(F64_LOAD, uint64_t, v)
LOAD(I32_LOAD8_S, int8_t, (uint32_t)(int32_t)v)
LOAD(I32_LOAD8_U, uint8_t, v)
LOAD(I32_LOAD16_S, int16_t, (uint32_t)(int32_t)v)
LOAD(I32_LOAD16_U, uint16_t, v)
LOAD(I64_LOAD8_S, int8_t, (uint64_t)(int64_t)v)
LOAD(I64_LOAD8_U, uint8_t, v)
LOAD(I64_LOAD16_S, int16_t, (uint64_t)(int64_t)v)
LOAD(I64_LOAD16_U, uint16_t, v)
LOAD(I64_LOAD32_S, int32_t, (uint64_t)(int64_t)v)
LOAD(I64_LOAD32_U, uint32_t, v)
/* (addr, value, offset); _AI (a, imm, value, offset) */
#define STORE(name, T)                                                          \
OP(name) {                                                                      \
  uint64_t av = PAIR(0), on = PAIR(2);                                          \
  uint64_t ea = (uint64_t)AT_U32(PAIR_LO(av)) + PAIR_LO(on);                    \
  STORE_CHK(ea, sizeof(T));                                                     \
  T v = (T)fp[PAIR_HI(av)];                                                     \
  memcpy(mb + ea, &v, sizeof(T));                                               \
  NEXT_W(4, PAIR_HI(on));                                                       \
}                                                                               \
OP(name##_AI) {                                                                 \
  uint64_t ai = PAIR(0), vo = PAIR(2);                                          \
  uint64_t ea = (uint64_t)(uint32_t)(AT_U32(PAIR_LO(ai)) + PAIR_HI(ai)) + PAIR_HI(vo);   \
  STORE_CHK(ea, sizeof(T));                                                     \
  T v = (T)fp[PAIR_LO(vo)];                                                     \
  memcpy(mb + ea, &v, sizeof(T));                                               \
  pc += 4;                                                                      \
  NEXT();                                                                       \
}
STORE(I32_STORE, uint32_t)
STORE(I64_STORE, uint64_t)
STORE(F32_STORE, uint32_t)
STORE(F64_STORE, uint64_t)
STORE(I32_STORE8, uint8_t)
STORE(I32_STORE16, uint16_t)
STORE(I64_STORE8, uint8_t)
STORE(I64_STORE16, uint16_t)
STORE(I64_STORE32, uint32_t)
