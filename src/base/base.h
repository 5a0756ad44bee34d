/*
** base.h: allocation, growable byte buffers, LEB128, UTF-8 and error helpers
** shared by every layer. Nothing here knows about Wasm semantics.
*/
#ifndef CAIRN_BASE_H
#define CAIRN_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/cairn.h"

/* ---- allocation: one place, so limits and fault injection can hook it ----
** Every heap block Cairn owns comes from an allocator hook (cairn_alloc_fn,
** the contract of Lua's lua_Alloc; cairn.h). Which hook:
**   - base_malloc / base_calloc: the process-wide default hook, the one
**     piece of global mutable state here (set by cairn_set_allocator, before
**     any other call; malloc/realloc/free when none is set). Modules (decode,
**     validate, translate, text) and everything outside a store use it.
**   - base_malloc_in / base_calloc_in (a): the hook a (a store's, given in
**     cairn_store_config; NULL = the default). Store-owned objects use it.
**   - base_realloc / base_free: the hook the block came from, whatever the
**     caller. Each block starts with a header (BASE_HDR bytes, keeping the
**     payload aligned as malloc's) that records its hook, user data and size,
**     so the hook always gets the true old size, no caller has to pass one,
**     and a block may outlive the store that charged it (WASI state freed
**     after its store) without freeing through a dangling store pointer.
** Blocks from here must not be given to free(); memory handed to the embedder
** is freed with cairn_free. */
typedef struct BaseAlloc {
  cairn_alloc_fn fn; /* NULL = the process default */
  void *ud;
} BaseAlloc;

#define BASE_HDR 32

void *base_malloc(size_t n);
void *base_calloc(size_t n, size_t size);
void *base_malloc_in(const BaseAlloc *a, size_t n);
void *base_calloc_in(const BaseAlloc *a, size_t n, size_t size);
void *base_realloc(void *p, size_t n);  /* NULL p: base_malloc */
void base_free(void *p);
char *base_strndup(const char *z, size_t n);

/* ---- errors ---- */
/* Fills err (if non-NULL) with kind, offset (-1 for none) and a printf message. */
void base_error(cairn_error *err, cairn_errkind kind, long offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Same, for a text position. */
void base_error_at(cairn_error *err, cairn_errkind kind, int line, int col, const char *fmt,
                   ...) __attribute__((format(printf, 5, 6)));
/* Resets err to CAIRN_OK. */
void base_error_clear(cairn_error *err);

/* ---- growable byte buffer: owner frees aData with base_free ---- */
typedef struct Buf {
  uint8_t *aData;
  size_t n;       /* bytes used */
  size_t nAlloc;  /* bytes allocated */
  bool oom;       /* sticky: an append failed; one check covers a chain */
} Buf;

void buf_init(Buf *b);
void buf_free(Buf *b);
void buf_append(Buf *b, const void *p, size_t n);
/* Appends src's bytes; a failed src (src->oom) fails b too. */
void buf_append_buf(Buf *b, const Buf *src);
void buf_byte(Buf *b, uint8_t c);
void buf_uleb(Buf *b, uint64_t v);   /* unsigned LEB128 */
void buf_sleb(Buf *b, int64_t v);    /* signed LEB128 */
/* Detaches the data (caller frees); the buffer is left empty. */
uint8_t *buf_take(Buf *b, size_t *pn);

/* ---- LEB128 decoding ----
** Reads at p (at most end - p bytes) an integer of at most `bits` bits with
** the spec's rules: at most ceil(bits/7) bytes, unused bits of the last byte
** zero (unsigned) or a sign extension (signed). Returns the number of bytes
** read, 0 if the input ends first, -1 if too long, -2 if the unused bits are
** wrong ("integer too large").
** leb_read_u / leb_read_s are inline: a one-byte encoding (the common case
** in code bodies) is read here, anything else by the *_slow functions, which
** take the same arguments and give the same results. */
int leb_read_u_slow(const uint8_t *p, const uint8_t *end, int bits, uint64_t *out);
int leb_read_s_slow(const uint8_t *p, const uint8_t *end, int bits, int64_t *out);

static inline int leb_read_u(const uint8_t *p, const uint8_t *end, int bits, uint64_t *out) {
  if (p < end && *p < 0x80 && bits >= 7) {
    *out = *p;
    return 1;
  }
  if (end - p >= 2 && p[1] < 0x80 && bits >= 14) {
    *out = (uint64_t)(p[0] & 0x7F) | (uint64_t)p[1] << 7;
    return 2;
  }
  return leb_read_u_slow(p, end, bits, out);
}

static inline int leb_read_s(const uint8_t *p, const uint8_t *end, int bits, int64_t *out) {
  if (p < end && *p < 0x80 && bits >= 7) {
    *out = (int64_t)((int8_t)(*p << 1) >> 1); /* sign-extend the 7-bit payload */
    return 1;
  }
  if (end - p >= 2 && p[1] < 0x80 && bits >= 14) {
    int32_t v = (int32_t)((uint32_t)(p[0] & 0x7F) | (uint32_t)p[1] << 7);
    *out = (int64_t)((int32_t)((uint32_t)v << 18) >> 18); /* sign-extend 14 bits */
    return 2;
  }
  return leb_read_s_slow(p, end, bits, out);
}

/* ---- UTF-8 ---- */
/* True if [z, z+n) is well-formed UTF-8 (no overlongs, surrogates, > U+10FFFF). */
bool base_utf8_valid(const uint8_t *z, size_t n);
/* Appends the UTF-8 encoding of code point c (< 0x110000, not a surrogate). */
void base_utf8_encode(Buf *b, uint32_t c);

/* ---- address space: transparent huge pages ---- */
#define BASE_HUGE_PAGE ((size_t)2 << 20) /* x86-64's and AArch64's (4 KiB granule) */
/* n bytes of anonymous private mapping (flags added to MAP_PRIVATE |
** MAP_ANONYMOUS) starting at a multiple of align (a power of two, at least
** the page size), for huge pages, which only come to chunks aligned to
** their size. The mapping is n + align bytes from *pMap, its slack kept
** (unmapping it would cost two system calls a memory): free it with
** munmap(*pMap, n + align). NULL when the mapping fails. */
void *base_map_aligned(size_t n, size_t align, int prot, int flags, void **pMap);
/* Whether the kernel gives huge pages to regions marked for them (read
** once from /sys). */
bool base_huge_available(void);
/* Marks the BASE_HUGE_PAGE-aligned chunks wholly inside [p, p+n) for huge
** pages when the kernel has them; their first touch then costs one fault
** instead of one per 4 KiB page. */
void base_advise_huge(void *p, size_t n);

/* ---- files ---- */
/* Reads a whole file; *out is base_malloc'd (caller frees), NUL-terminated
** one byte past *len. Returns false with an IO error. */
bool base_read_file(const char *path, uint8_t **out, size_t *len, cairn_error *err);

#endif
