/*
** base.c: allocation, buffers, errors and files (see base.h).
*/
#include "base.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

/* ---- allocation (contract in base.h) ---- */

/* The libc hook: what runs unless the embedder installs another. */
static void *libc_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)ud;
  (void)osize;
  if (nsize == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, nsize);
}

/* The process default (cairn_set_allocator): the only global allocator state. */
static BaseAlloc gDefault = {libc_alloc, NULL};

/* The header in front of every block: the hook it came from and its size. */
typedef struct BlockHdr {
  cairn_alloc_fn fn;
  void *ud;
  size_t size;  /* bytes asked of the hook, header included */
} BlockHdr;
_Static_assert(sizeof(BlockHdr) <= BASE_HDR, "block header too large");

static inline BlockHdr *hdr_of(void *p) { return (BlockHdr *)((char *)p - BASE_HDR); }

static void *block_new(const BaseAlloc *a, size_t n, bool zero) {
  if (!a || !a->fn) a = &gDefault;
  if (n == 0) n = 1;
  if (n > SIZE_MAX - BASE_HDR) return NULL;
  size_t size = n + BASE_HDR;
  BlockHdr *h;
  if (zero && a->fn == libc_alloc)
    h = calloc(1, size); /* keeps calloc's untouched zero pages for big blocks */
  else
    h = a->fn(a->ud, NULL, 0, size);
  if (!h) return NULL;
  h->fn = a->fn;
  h->ud = a->ud;
  h->size = size;
  if (zero && a->fn != libc_alloc) memset((char *)h + BASE_HDR, 0, n);
  return (char *)h + BASE_HDR;
}

void *base_malloc_in(const BaseAlloc *a, size_t n) { return block_new(a, n, false); }

void *base_calloc_in(const BaseAlloc *a, size_t n, size_t size) {
  if (size && n > SIZE_MAX / size) return NULL;
  return block_new(a, n * size, true);
}

void *base_malloc(size_t n) { return block_new(NULL, n, false); }
void *base_calloc(size_t n, size_t size) { return base_calloc_in(NULL, n, size); }

void *base_realloc(void *p, size_t n) {
  if (!p) return base_malloc(n);
  if (n == 0) n = 1;
  if (n > SIZE_MAX - BASE_HDR) return NULL;
  BlockHdr *h = hdr_of(p);
  cairn_alloc_fn fn = h->fn;
  void *ud = h->ud;
  BlockHdr *h2 = fn(ud, h, h->size, n + BASE_HDR);
  if (!h2) return NULL; /* the old block is untouched, as realloc leaves it */
  h2->size = n + BASE_HDR;
  return (char *)h2 + BASE_HDR;
}

void base_free(void *p) {
  if (!p) return;
  BlockHdr *h = hdr_of(p);
  h->fn(h->ud, h, h->size, 0);
}

void cairn_set_allocator(cairn_alloc_fn fn, void *ud) {
  gDefault.fn = fn ? fn : libc_alloc;
  gDefault.ud = fn ? ud : NULL;
}

void cairn_get_allocator(cairn_alloc_fn *fn, void **ud) {
  if (fn) *fn = gDefault.fn;
  if (ud) *ud = gDefault.ud;
}

void *cairn_malloc(size_t n) { return base_malloc(n); }
void *cairn_realloc(void *p, size_t n) { return base_realloc(p, n); }
void cairn_free(void *p) { base_free(p); }

char *base_strndup(const char *z, size_t n) {
  char *r = base_malloc(n + 1);
  if (r) {
    memcpy(r, z, n);
    r[n] = 0;
  }
  return r;
}

void base_error_clear(cairn_error *err) {
  if (!err) return;
  memset(err, 0, sizeof *err);
  err->offset = -1;
}

static void error_fill(cairn_error *err, cairn_errkind kind, const char *fmt, va_list ap) {
  base_error_clear(err);
  err->kind = kind;
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
}

void base_error(cairn_error *err, cairn_errkind kind, long offset, const char *fmt, ...) {
  if (!err) return;
  va_list ap;
  va_start(ap, fmt);
  error_fill(err, kind, fmt, ap);
  va_end(ap);
  err->offset = offset;
}

void base_error_at(cairn_error *err, cairn_errkind kind, int line, int col, const char *fmt,
                   ...) {
  if (!err) return;
  va_list ap;
  va_start(ap, fmt);
  error_fill(err, kind, fmt, ap);
  va_end(ap);
  err->line = line;
  err->col = col;
}

/* ---- buffers ---- */

void buf_init(Buf *b) { memset(b, 0, sizeof *b); }

void buf_free(Buf *b) {
  base_free(b->aData);
  buf_init(b);
}

static bool buf_reserve(Buf *b, size_t extra) {
  if (b->oom) return false;
  if (b->n + extra <= b->nAlloc) return true;
  size_t nNew = b->nAlloc ? b->nAlloc * 2 : 64;
  while (nNew < b->n + extra) nNew *= 2;
  uint8_t *p = base_realloc(b->aData, nNew);
  if (!p) {
    b->oom = true;
    return false;
  }
  b->aData = p;
  b->nAlloc = nNew;
  return true;
}

void buf_append(Buf *b, const void *p, size_t n) {
  if (n == 0 || !buf_reserve(b, n)) return;
  memcpy(b->aData + b->n, p, n);
  b->n += n;
}

void buf_append_buf(Buf *b, const Buf *src) {
  if (src->oom) b->oom = true;
  buf_append(b, src->aData, src->n);
}

void buf_byte(Buf *b, uint8_t c) { buf_append(b, &c, 1); }

void buf_uleb(Buf *b, uint64_t v) {
  do {
    uint8_t c = v & 0x7F;
    v >>= 7;
    if (v) c |= 0x80;
    buf_byte(b, c);
  } while (v);
}

void buf_sleb(Buf *b, int64_t v) {
  for (;;) {
    uint8_t c = v & 0x7F;
    v >>= 7; /* arithmetic shift on every compiler we support */
    bool done = (v == 0 && !(c & 0x40)) || (v == -1 && (c & 0x40));
    if (!done) c |= 0x80;
    buf_byte(b, c);
    if (done) break;
  }
}

uint8_t *buf_take(Buf *b, size_t *pn) {
  uint8_t *p = b->aData;
  if (pn) *pn = b->n;
  buf_init(b);
  return p;
}

/* ---- LEB128 ---- */

int leb_read_u_slow(const uint8_t *p, const uint8_t *end, int bits, uint64_t *out) {
  uint64_t v = 0;
  int maxBytes = (bits + 6) / 7;
  for (int i = 0; i < maxBytes; i++) {
    if (p + i >= end) return 0;
    uint8_t c = p[i];
    if (i == maxBytes - 1) {
      int used = bits - 7 * i; /* payload bits allowed in this byte */
      if (c & 0x80) return -1;
      if (used < 7 && (c >> used) != 0) return -2;
    }
    v |= (uint64_t)(c & 0x7F) << (7 * i);
    if (!(c & 0x80)) {
      *out = v;
      return i + 1;
    }
  }
  return -1;
}

int leb_read_s_slow(const uint8_t *p, const uint8_t *end, int bits, int64_t *out) {
  uint64_t v = 0;
  int maxBytes = (bits + 6) / 7;
  for (int i = 0; i < maxBytes; i++) {
    if (p + i >= end) return 0;
    uint8_t c = p[i];
    int shift = 7 * i;
    if (i == maxBytes - 1) {
      int used = bits - shift; /* value bits in this byte, the top one being the sign */
      if (c & 0x80) return -1;
      if (used < 7) {
        /* bits above `used - 1` must all equal the sign bit */
        int8_t sx = (int8_t)(c << 1) >> 1;            /* sign-extend 7-bit payload */
        int8_t top = (int8_t)(sx >> (used - 1));      /* sign and unused bits */
        if (top != 0 && top != -1) return -2;
      }
    }
    v |= (uint64_t)(c & 0x7F) << shift;
    if (!(c & 0x80)) {
      shift += 7;
      if (shift < 64 && (c & 0x40)) v |= ~(uint64_t)0 << shift;
      *out = (int64_t)v;
      return i + 1;
    }
  }
  return -1;
}

/* ---- UTF-8 ---- */

bool base_utf8_valid(const uint8_t *z, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = z[i];
    uint32_t cp;
    int len;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F;
      len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F;
      len = 3;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07;
      len = 4;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (int k = 1; k < len; k++) {
      if ((z[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (z[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
      return false;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

void base_utf8_encode(Buf *b, uint32_t c) {
  if (c < 0x80) {
    buf_byte(b, (uint8_t)c);
  } else if (c < 0x800) {
    buf_byte(b, 0xC0 | (c >> 6));
    buf_byte(b, 0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    buf_byte(b, 0xE0 | (c >> 12));
    buf_byte(b, 0x80 | ((c >> 6) & 0x3F));
    buf_byte(b, 0x80 | (c & 0x3F));
  } else {
    buf_byte(b, 0xF0 | (c >> 18));
    buf_byte(b, 0x80 | ((c >> 12) & 0x3F));
    buf_byte(b, 0x80 | ((c >> 6) & 0x3F));
    buf_byte(b, 0x80 | (c & 0x3F));
  }
}

/* ---- address space: transparent huge pages ---- */

void *base_map_aligned(size_t n, size_t align, int prot, int flags, void **pMap) {
  if (n > SIZE_MAX - align) return NULL;
  uint8_t *r = mmap(NULL, n + align, prot, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
  if (r == MAP_FAILED) return NULL;
  *pMap = r;
  return (void *)(((uintptr_t)r + align - 1) & ~(uintptr_t)(align - 1));
}

bool base_huge_available(void) {
  static int mode; /* 0 not read yet, 1 no, 2 yes */
  int v = __atomic_load_n(&mode, __ATOMIC_RELAXED);
  if (v == 0) {
    char buf[128];
    size_t n = 0;
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re");
    if (f) {
      n = fread(buf, 1, sizeof buf - 1, f);
      fclose(f);
    }
    buf[n] = 0;
    v = strstr(buf, "[always]") || strstr(buf, "[madvise]") ? 2 : 1;
    __atomic_store_n(&mode, v, __ATOMIC_RELAXED);
  }
  return v == 2;
}

void base_advise_huge(void *p, size_t n) {
  uintptr_t lo = ((uintptr_t)p + BASE_HUGE_PAGE - 1) & ~(uintptr_t)(BASE_HUGE_PAGE - 1);
  uintptr_t hi = ((uintptr_t)p + n) & ~(uintptr_t)(BASE_HUGE_PAGE - 1);
  if (hi > lo && base_huge_available()) madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}

/* ---- files ---- */

bool base_read_file(const char *path, uint8_t **out, size_t *len, cairn_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    base_error(err, CAIRN_ERR_IO, -1, "cannot open %s: %s", path, strerror(errno));
    return false;
  }
  Buf b;
  buf_init(&b);
  /* A regular file is read straight into a buffer of its size (a file that
  ** grows meanwhile still reads whole). A large one is read into huge pages
  ** when the buffer is libc's: one fault per 2 MiB instead of one per 4 KiB
  ** (a 3 MB .cwasm, docs/benchmarks.md "Huge pages"). */
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
      (uint64_t)st.st_size < SIZE_MAX / 4) {
    size_t want = (size_t)st.st_size + 1;
    bool huge = want >= BASE_HUGE_PAGE && gDefault.fn == libc_alloc;
    if (buf_reserve(&b, want + (huge ? BASE_HUGE_PAGE : 0)) && huge) base_advise_huge(b.aData, want);
  }
  size_t n;
  for (;;) { /* more room only once the buffer is full: not after the last read */
    if (b.n == b.nAlloc && !buf_reserve(&b, 65536)) break;
    n = fread(b.aData + b.n, 1, b.nAlloc - b.n, f);
    if (n == 0) break;
    b.n += n;
  }
  bool bad = ferror(f);
  fclose(f);
  buf_byte(&b, 0);
  if (bad || b.oom) {
    base_error(err, bad ? CAIRN_ERR_IO : CAIRN_ERR_NOMEM, -1, "cannot read %s", path);
    buf_free(&b);
    return false;
  }
  *out = buf_take(&b, len);
  *len -= 1;
  return true;
}

bool cairn_read_file(const char *path, uint8_t **out, size_t *len, cairn_error *err) {
  return base_read_file(path, out, len, err);
}
