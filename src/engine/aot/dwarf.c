/*
** dwarf.c: the inlined Wasm functions of a compiled shared object, read
** from its debug information at compile time (compile.c), for the inline
** table (inlines.c) that backtraces expand frames with.
**
** The C compiler inlines cairn_fN into each other; each inlined instance is
** a DW_TAG_inlined_subroutine whose abstract origin is named cairn_fN and
** whose code is DW_AT_low_pc/high_pc or DW_AT_ranges. This reader knows
** only that much of DWARF 4 and 5 (GCC 12's and Clang 14's output: .debug_
** info, abbrev, str, line_str, str_offsets, addr, ranges, rnglists), for
** 64-bit little-endian ELF shared objects (the frame-chain targets). It
** reads what a broken compiler could write: every read is bounds-checked
** and anything it does not understand fails the compile with its reason.
*/
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/aot/aot_module.h"

/* A section's bytes (n == 0: absent). */
typedef struct Sect {
  const uint8_t *p;
  uint64_t n;
} Sect;

typedef struct Dwarf {
  Sect info, abbrev, str, lineStr, strOff, addr, ranges, rnglists;
  AotInlineList *out;
  cairn_error *err;
  bool failed;
} Dwarf;

/* A cursor in a section; any read past its end sets bad and yields 0. */
typedef struct Cur {
  const uint8_t *p, *end;
  bool bad;
} Cur;

static bool fail(Dwarf *dw, const char *what) {
  if (!dw->failed)
    base_error(dw->err, CAIRN_ERR_MALFORMED, -1, "debug information of the native code: %s",
               what);
  dw->failed = true;
  return false;
}

static uint64_t rd_n(Cur *c, unsigned n) {
  if (c->bad || (size_t)(c->end - c->p) < n) {
    c->bad = true;
    c->p = c->end;
    return 0;
  }
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++) v |= (uint64_t)c->p[i] << (8 * i);
  c->p += n;
  return v;
}

static void skip(Cur *c, uint64_t n) {
  if (c->bad || (uint64_t)(c->end - c->p) < n) {
    c->bad = true;
    c->p = c->end;
  } else {
    c->p += n;
  }
}

/* LEB128 through base.h's reader (64-bit values; DWARF never needs more) */
static uint64_t uleb(Cur *c) {
  uint64_t v = 0;
  int n = c->bad ? 0 : leb_read_u(c->p, c->end, 64, &v);
  if (n <= 0) {
    c->bad = true;
    c->p = c->end;
    return 0;
  }
  c->p += n;
  return v;
}

static int64_t sleb(Cur *c) {
  int64_t v = 0;
  int n = c->bad ? 0 : leb_read_s(c->p, c->end, 64, &v);
  if (n <= 0) {
    c->bad = true;
    c->p = c->end;
    return 0;
  }
  c->p += n;
  return v;
}

/* A NUL-terminated string at c, or NULL if it is not terminated. */
static const char *cstr(Cur *c) {
  if (c->bad) return NULL;
  const uint8_t *z = memchr(c->p, 0, (size_t)(c->end - c->p));
  if (!z) {
    c->bad = true;
    return NULL;
  }
  const char *s = (const char *)c->p;
  c->p = z + 1;
  return s;
}

static Cur cur_at(const Sect *s, uint64_t off) {
  Cur c = {s->p, s->p + s->n, false};
  if (off > s->n)
    c.bad = true;
  else
    c.p += off;
  return c;
}

/* ---- abbreviations ---- */

enum {
  TAG_COMPILE_UNIT = 0x11,
  TAG_INLINED = 0x1d,
  TAG_PARTIAL_UNIT = 0x3c,
  AT_NAME = 0x03,
  AT_LOW_PC = 0x11,
  AT_HIGH_PC = 0x12,
  AT_ABSTRACT_ORIGIN = 0x31,
  AT_SPECIFICATION = 0x47,
  AT_RANGES = 0x55,
  AT_STR_OFFSETS_BASE = 0x72,
  AT_ADDR_BASE = 0x73,
  AT_RNGLISTS_BASE = 0x74,
  FORM_INDIRECT = 0x16,
  FORM_IMPLICIT_CONST = 0x21,
};

typedef struct AbbrevAttr {
  uint32_t at, form;
  int64_t implicit;
} AbbrevAttr;

typedef struct Abbrev {
  uint64_t code;
  uint32_t tag;
  bool children;
  uint32_t first, n; /* attributes in aAttr */
} Abbrev;

typedef struct AbbrevTab {
  Abbrev *a;
  uint32_t n, nAlloc;
  AbbrevAttr *aAttr;
  uint32_t nAttr, nAttrAlloc;
} AbbrevTab;

static void abbrev_free(AbbrevTab *t) {
  base_free(t->a);
  base_free(t->aAttr);
  memset(t, 0, sizeof *t);
}

static bool grow(void **pa, uint32_t *pAlloc, uint32_t n, size_t size) {
  if (n < *pAlloc) return true;
  uint32_t m = *pAlloc ? 2 * *pAlloc : 64;
  if (m > (UINT32_MAX >> 1)) return false;
  void *a = base_realloc(*pa, (size_t)m * size);
  if (!a) return false;
  *pa = a;
  *pAlloc = m;
  return true;
}

static int abbrev_cmp(const void *x, const void *y) {
  uint64_t a = ((const Abbrev *)x)->code, b = ((const Abbrev *)y)->code;
  return a < b ? -1 : a > b;
}

static bool abbrev_read(Dwarf *dw, uint64_t off, AbbrevTab *t) {
  memset(t, 0, sizeof *t);
  Cur c = cur_at(&dw->abbrev, off);
  for (;;) {
    uint64_t code = uleb(&c);
    if (c.bad) return fail(dw, "truncated abbreviations");
    if (code == 0) break;
    if (!grow((void **)&t->a, &t->nAlloc, t->n, sizeof *t->a)) return fail(dw, "out of memory");
    Abbrev *ab = &t->a[t->n++];
    ab->code = code;
    ab->tag = (uint32_t)uleb(&c);
    ab->children = rd_n(&c, 1) != 0;
    ab->first = t->nAttr;
    for (;;) {
      uint64_t at = uleb(&c), form = uleb(&c);
      int64_t imp = form == FORM_IMPLICIT_CONST ? sleb(&c) : 0;
      if (c.bad) return fail(dw, "truncated abbreviations");
      if (at == 0 && form == 0) break;
      if (!grow((void **)&t->aAttr, &t->nAttrAlloc, t->nAttr, sizeof *t->aAttr))
        return fail(dw, "out of memory");
      t->aAttr[t->nAttr++] = (AbbrevAttr){(uint32_t)at, (uint32_t)form, imp};
    }
    ab->n = t->nAttr - ab->first;
  }
  if (t->n) qsort(t->a, t->n, sizeof *t->a, abbrev_cmp);
  return true;
}

static const Abbrev *abbrev_find(const AbbrevTab *t, uint64_t code) {
  uint32_t lo = 0, hi = t->n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (t->a[mid].code == code) return &t->a[mid];
    if (t->a[mid].code < code)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

/* ---- units and attribute values ---- */

typedef struct Unit {
  Sect die;       /* the unit in .debug_info (header included) */
  uint64_t start; /* its offset in .debug_info */
  unsigned version, addrSize, offSize;
  AbbrevTab ab;
  uint64_t base; /* DW_AT_low_pc of the unit: base of its range lists */
  uint64_t strOffBase, addrBase, rnglistsBase;
} Unit;

/* The classes of value this reader tells apart. */
enum {
  V_NONE,
  V_CONST,
  V_ADDR,
  V_ADDRX,
  V_STR,
  V_STRP,
  V_LINE_STRP,
  V_STRX,
  V_REF,
  V_SECOFF,
  V_RNGLISTX,
  V_OTHER
};

typedef struct Val {
  int kind;
  uint64_t u;    /* the constant, address, index, offset or .debug_info offset */
  const char *z; /* V_STR */
} Val;

/* Reads a value of form at c. */
static Val read_form(Dwarf *dw, const Unit *u, Cur *c, uint64_t form, int64_t implicit,
                     int depth) {
  Val v = {V_OTHER, 0, NULL};
  switch (form) {
    case 0x01:
      v.kind = V_ADDR, v.u = rd_n(c, u->addrSize);
      break; /* addr */
    case 0x03:
      skip(c, rd_n(c, 2));
      break; /* block2 */
    case 0x04:
      skip(c, rd_n(c, 4));
      break; /* block4 */
    case 0x05:
      v.kind = V_CONST, v.u = rd_n(c, 2);
      break; /* data2 */
    case 0x06:
      v.kind = V_CONST, v.u = rd_n(c, 4);
      break; /* data4 */
    case 0x07:
      v.kind = V_CONST, v.u = rd_n(c, 8);
      break; /* data8 */
    case 0x08:
      v.kind = V_STR, v.z = cstr(c);
      break; /* string */
    case 0x09:
    case 0x18:
      skip(c, uleb(c));
      break; /* block, exprloc */
    case 0x0a:
      skip(c, rd_n(c, 1));
      break; /* block1 */
    case 0x0b:
      v.kind = V_CONST, v.u = rd_n(c, 1);
      break; /* data1 */
    case 0x0c:
      rd_n(c, 1);
      break; /* flag */
    case 0x0d:
      v.kind = V_CONST, v.u = (uint64_t)sleb(c);
      break; /* sdata */
    case 0x0e:
      v.kind = V_STRP, v.u = rd_n(c, u->offSize);
      break; /* strp */
    case 0x0f:
      v.kind = V_CONST, v.u = uleb(c);
      break;   /* udata */
    case 0x10: /* ref_addr */
      v.kind = V_REF, v.u = rd_n(c, u->version <= 2 ? u->addrSize : u->offSize);
      break;
    case 0x11:
      v.kind = V_REF, v.u = u->start + rd_n(c, 1);
      break; /* ref1 */
    case 0x12:
      v.kind = V_REF, v.u = u->start + rd_n(c, 2);
      break; /* ref2 */
    case 0x13:
      v.kind = V_REF, v.u = u->start + rd_n(c, 4);
      break; /* ref4 */
    case 0x14:
      v.kind = V_REF, v.u = u->start + rd_n(c, 8);
      break; /* ref8 */
    case 0x15:
      v.kind = V_REF, v.u = u->start + uleb(c);
      break; /* ref_udata */
    case FORM_INDIRECT:
      if (depth > 2)
        c->bad = true;
      else
        return read_form(dw, u, c, uleb(c), 0, depth + 1);
      break;
    case 0x17:
      v.kind = V_SECOFF, v.u = rd_n(c, u->offSize);
      break; /* sec_offset */
    case 0x19:
      v.kind = V_CONST, v.u = 1;
      break; /* flag_present */
    case 0x1a:
      v.kind = V_STRX, v.u = uleb(c);
      break; /* strx */
    case 0x1b:
      v.kind = V_ADDRX, v.u = uleb(c);
      break; /* addrx */
    case 0x1c:
      rd_n(c, 4);
      break; /* ref_sup4 */
    case 0x1d:
    case 0x1f20:
    case 0x1f21:
      rd_n(c, u->offSize);
      break; /* strp_sup, GNU alt */
    case 0x1e:
      skip(c, 16);
      break; /* data16 */
    case 0x1f:
      v.kind = V_LINE_STRP, v.u = rd_n(c, u->offSize);
      break; /* line_strp */
    case 0x20:
    case 0x24:
      rd_n(c, 8);
      break; /* ref_sig8, ref_sup8 */
    case FORM_IMPLICIT_CONST:
      v.kind = V_CONST, v.u = (uint64_t)implicit;
      break;
    case 0x22:
      uleb(c);
      break; /* loclistx */
    case 0x23:
      v.kind = V_RNGLISTX, v.u = uleb(c);
      break; /* rnglistx */
    case 0x25:
    case 0x26:
    case 0x27:
    case 0x28: /* strx1..4 */
      v.kind = V_STRX, v.u = rd_n(c, (unsigned)(form - 0x24));
      break;
    case 0x29:
    case 0x2a:
    case 0x2b:
    case 0x2c: /* addrx1..4 */
      v.kind = V_ADDRX, v.u = rd_n(c, (unsigned)(form - 0x28));
      break;
    case 0x1f01:
      v.kind = V_ADDRX, v.u = uleb(c);
      break; /* GNU_addr_index */
    case 0x1f02:
      v.kind = V_STRX, v.u = uleb(c);
      break; /* GNU_str_index */
    default:
      fail(dw, "an attribute form this reader does not know");
      c->bad = true;
      break;
  }
  if (c->bad) v.kind = V_NONE;
  return v;
}

/* The address of an V_ADDR or V_ADDRX value; false if it has none. */
static bool val_addr(Dwarf *dw, const Unit *u, Val v, uint64_t *out) {
  if (v.kind == V_ADDR) {
    *out = v.u;
    return true;
  }
  if (v.kind != V_ADDRX || v.u > (UINT64_MAX - u->addrBase) / u->addrSize) return false;
  Cur c = cur_at(&dw->addr, u->addrBase + v.u * u->addrSize);
  *out = rd_n(&c, u->addrSize);
  return !c.bad;
}

/* The string of a name value, or NULL. */
static const char *val_str(Dwarf *dw, const Unit *u, Val v) {
  Cur c;
  switch (v.kind) {
    case V_STR:
      return v.z;
    case V_STRP:
      c = cur_at(&dw->str, v.u);
      return cstr(&c);
    case V_LINE_STRP:
      c = cur_at(&dw->lineStr, v.u);
      return cstr(&c);
    case V_STRX: {
      if (v.u > (UINT64_MAX - u->strOffBase) / u->offSize) return NULL;
      Cur o = cur_at(&dw->strOff, u->strOffBase + v.u * u->offSize);
      uint64_t off = rd_n(&o, u->offSize);
      if (o.bad) return NULL;
      c = cur_at(&dw->str, off);
      return cstr(&c);
    }
    default:
      return NULL;
  }
}

/* The attributes of one DIE this reader uses. */
typedef struct Die {
  const Abbrev *ab; /* NULL: a null entry (end of a sibling list) */
  Val name, low, high, ranges, origin;
} Die;

/* Reads the DIE at c (advancing past it). */
static bool die_read(Dwarf *dw, Unit *u, Cur *c, Die *d) {
  memset(d, 0, sizeof *d);
  uint64_t code = uleb(c);
  if (c->bad) return fail(dw, "truncated .debug_info");
  if (code == 0) return true;
  d->ab = abbrev_find(&u->ab, code);
  if (!d->ab) return fail(dw, "a DIE with an unknown abbreviation");
  for (uint32_t i = 0; i < d->ab->n; i++) {
    const AbbrevAttr *a = &u->ab.aAttr[d->ab->first + i];
    Val v = read_form(dw, u, c, a->form, a->implicit, 0);
    if (c->bad) return fail(dw, "truncated .debug_info");
    switch (a->at) {
      case AT_NAME:
        d->name = v;
        break;
      case AT_LOW_PC:
        d->low = v;
        break;
      case AT_HIGH_PC:
        d->high = v;
        break;
      case AT_RANGES:
        d->ranges = v;
        break;
      case AT_ABSTRACT_ORIGIN:
      case AT_SPECIFICATION:
        d->origin = v;
        break;
      case AT_STR_OFFSETS_BASE:
        u->strOffBase = v.u;
        break;
      case AT_ADDR_BASE:
        u->addrBase = v.u;
        break;
      case AT_RNGLISTS_BASE:
        u->rnglistsBase = v.u;
        break;
      default:
        break;
    }
  }
  return true;
}

/* The name of the function the DIE at .debug_info offset off stands for,
** following abstract origins and specifications inside unit u; NULL if it
** has none. */
static const char *origin_name(Dwarf *dw, Unit *u, uint64_t off) {
  for (int hop = 0; hop < 4; hop++) {
    if (off < u->start || off >= u->start + u->die.n) {
      fail(dw, "a reference out of its unit");
      return NULL;
    }
    Cur c = cur_at(&dw->info, off);
    c.end = u->die.p + u->die.n;
    Die d;
    if (!die_read(dw, u, &c, &d) || !d.ab) return NULL;
    if (d.name.kind != V_NONE) return val_str(dw, u, d.name);
    if (d.origin.kind != V_REF) return NULL;
    off = d.origin.u;
  }
  return NULL;
}

/* N if z is "cairn_fN", else -1. */
static int64_t wasm_func_name(const char *z) {
  if (!z || strncmp(z, "cairn_f", 7) != 0 || !z[7]) return -1;
  uint64_t n = 0;
  for (z += 7; *z; z++) {
    if (*z < '0' || *z > '9' || n > UINT32_MAX / 10) return -1;
    n = n * 10 + (uint64_t)(*z - '0');
  }
  return n > UINT32_MAX ? -1 : (int64_t)n;
}

static bool add_range(Dwarf *dw, uint64_t lo, uint64_t hi, uint32_t func, uint32_t depth) {
  if (lo == hi) return true;
  if (hi < lo || hi > UINT32_MAX) return fail(dw, "a code range out of the object");
  AotInlineList *l = dw->out;
  if (!grow((void **)&l->a, &l->nAlloc, l->n, sizeof *l->a)) return fail(dw, "out of memory");
  l->a[l->n++] = (AotInlineRange){(uint32_t)lo, (uint32_t)hi, func, depth};
  return true;
}

/* Adds the code ranges of DIE d for Wasm function func at depth. */
static bool die_ranges(Dwarf *dw, const Unit *u, const Die *d, uint32_t func, uint32_t depth) {
  uint64_t lo, hi;
  if (d->ranges.kind == V_NONE) {
    if (d->low.kind == V_NONE) return true; /* no code of its own */
    if (!val_addr(dw, u, d->low, &lo)) return fail(dw, "a bad DW_AT_low_pc");
    if (d->high.kind == V_CONST) {
      hi = lo + d->high.u;
      if (hi < lo) return fail(dw, "a bad DW_AT_high_pc");
    } else if (!val_addr(dw, u, d->high, &hi)) {
      return fail(dw, "a bad DW_AT_high_pc");
    }
    return add_range(dw, lo, hi, func, depth);
  }
  uint64_t base = u->base;
  if (u->version < 5) { /* .debug_ranges: pairs; (~0, base) sets the base */
    if (d->ranges.kind != V_SECOFF && d->ranges.kind != V_CONST)
      return fail(dw, "a bad DW_AT_ranges");
    Cur c = cur_at(&dw->ranges, d->ranges.u);
    uint64_t all = u->addrSize == 8 ? UINT64_MAX : UINT32_MAX;
    for (;;) {
      lo = rd_n(&c, u->addrSize), hi = rd_n(&c, u->addrSize);
      if (c.bad) return fail(dw, "truncated .debug_ranges");
      if (lo == 0 && hi == 0) return true;
      if (lo == all)
        base = hi;
      else if (!add_range(dw, base + lo, base + hi, func, depth))
        return false;
    }
  }
  uint64_t off = d->ranges.u;
  if (d->ranges.kind == V_RNGLISTX) { /* an index into the unit's offset table */
    if (off > (UINT64_MAX - u->rnglistsBase) / u->offSize)
      return fail(dw, "a bad DW_AT_ranges");
    Cur o = cur_at(&dw->rnglists, u->rnglistsBase + off * u->offSize);
    off = u->rnglistsBase + rd_n(&o, u->offSize);
    if (o.bad) return fail(dw, "truncated .debug_rnglists");
  } else if (d->ranges.kind != V_SECOFF) {
    return fail(dw, "a bad DW_AT_ranges");
  }
  Cur c = cur_at(&dw->rnglists, off);
  for (;;) {
    unsigned kind = (unsigned)rd_n(&c, 1);
    Val a = {V_ADDRX, 0, NULL}, b = {V_ADDRX, 0, NULL};
    if (c.bad) return fail(dw, "truncated .debug_rnglists");
    switch (kind) {
      case 0:
        return true; /* end_of_list */
      case 1:        /* base_addressx */
        a.u = uleb(&c);
        if (!val_addr(dw, u, a, &base)) return fail(dw, "a bad range list");
        break;
      case 2: /* startx_endx */
        a.u = uleb(&c), b.u = uleb(&c);
        if (!val_addr(dw, u, a, &lo) || !val_addr(dw, u, b, &hi))
          return fail(dw, "a bad range list");
        if (!add_range(dw, lo, hi, func, depth)) return false;
        break;
      case 3: /* startx_length */
        a.u = uleb(&c);
        if (!val_addr(dw, u, a, &lo)) return fail(dw, "a bad range list");
        hi = lo + uleb(&c);
        if (!add_range(dw, lo, hi, func, depth)) return false;
        break;
      case 4: /* offset_pair */
        lo = uleb(&c), hi = uleb(&c);
        if (!add_range(dw, base + lo, base + hi, func, depth)) return false;
        break;
      case 5:
        base = rd_n(&c, u->addrSize);
        break; /* base_address */
      case 6:  /* start_end */
        lo = rd_n(&c, u->addrSize), hi = rd_n(&c, u->addrSize);
        if (!add_range(dw, lo, hi, func, depth)) return false;
        break;
      case 7: /* start_length */
        lo = rd_n(&c, u->addrSize), hi = lo + uleb(&c);
        if (!add_range(dw, lo, hi, func, depth)) return false;
        break;
      default:
        return fail(dw, "a range list entry this reader does not know");
    }
    if (c.bad) return fail(dw, "truncated .debug_rnglists");
  }
}

/* Deepest DIE nesting followed (a compiler makes a few dozen levels). */
#define DWARF_MAX_NEST 1024

/* Walks the DIEs of unit u: every inlined cairn_fN, with its depth among
** the inlined Wasm functions around it. */
static bool unit_walk(Dwarf *dw, Unit *u, Cur *c) {
  uint32_t aDepth[DWARF_MAX_NEST]; /* Wasm inline depth per nesting level */
  uint32_t level = 0;
  aDepth[0] = 0;
  bool first = true;
  while (c->p < c->end) {
    Die d;
    if (!die_read(dw, u, c, &d)) return false;
    if (!d.ab) { /* end of a sibling list */
      if (level == 0) {
        if (first) return fail(dw, "a unit without a DIE");
        continue; /* padding after the unit's DIE */
      }
      level--;
      continue;
    }
    uint32_t depth = aDepth[level];
    if (first) {
      first = false;
      if (d.ab->tag != TAG_COMPILE_UNIT && d.ab->tag != TAG_PARTIAL_UNIT) return true;
      /* the unit's base address (after the bases its attributes set) */
      if (d.low.kind != V_NONE && !val_addr(dw, u, d.low, &u->base))
        return fail(dw, "a bad unit base address");
    } else if (d.ab->tag == TAG_INLINED && d.origin.kind == V_REF) {
      int64_t f = wasm_func_name(origin_name(dw, u, d.origin.u));
      if (dw->failed) return false;
      if (f >= 0) {
        depth++;
        if (!die_ranges(dw, u, &d, (uint32_t)f, depth)) return false;
      }
    }
    if (d.ab->children) {
      if (++level >= DWARF_MAX_NEST) return fail(dw, "DIEs nested too deeply");
      aDepth[level] = depth;
    }
  }
  return true;
}

/* Reads every unit of .debug_info. */
static bool units_read(Dwarf *dw) {
  Cur c = cur_at(&dw->info, 0);
  while (c.p < c.end) {
    Unit u;
    memset(&u, 0, sizeof u);
    u.start = (uint64_t)(c.p - dw->info.p);
    uint64_t len = rd_n(&c, 4);
    u.offSize = 4;
    if (len == 0xffffffffu)
      len = rd_n(&c, 8), u.offSize = 8;
    else if (len >= 0xfffffff0u)
      return fail(dw, "a reserved unit length");
    if (c.bad || len > (uint64_t)(c.end - c.p))
      return fail(dw, "a unit longer than .debug_info");
    Cur uc = {c.p, c.p + len, false};
    c.p += len;
    u.die.p = dw->info.p + u.start;
    u.die.n = (uint64_t)(uc.end - u.die.p);
    u.version = (unsigned)rd_n(&uc, 2);
    uint64_t abbrevOff;
    if (u.version >= 2 && u.version <= 4) {
      abbrevOff = rd_n(&uc, u.offSize);
      u.addrSize = (unsigned)rd_n(&uc, 1);
    } else if (u.version == 5) {
      unsigned type = (unsigned)rd_n(&uc, 1);
      u.addrSize = (unsigned)rd_n(&uc, 1);
      abbrevOff = rd_n(&uc, u.offSize);
      if (type == 2 || type == 6) continue; /* type units: no code */
      if (type == 4 || type == 5)
        rd_n(&uc, 8); /* skeleton, split: the dwo id */
      else if (type != 1 && type != 3)
        continue;
    } else {
      return fail(dw, "a DWARF version other than 2 to 5");
    }
    if (uc.bad) return fail(dw, "a truncated unit header");
    if (u.addrSize != 8) return fail(dw, "an address size other than 8");
    if (!abbrev_read(dw, abbrevOff, &u.ab)) {
      abbrev_free(&u.ab);
      return false;
    }
    bool ok = unit_walk(dw, &u, &uc);
    abbrev_free(&u.ab);
    if (!ok) return false;
  }
  return true;
}

/* ---- the ELF container ---- */

static uint64_t le(const uint8_t *p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
  return v;
}

bool aot_dwarf_inlines(const uint8_t *obj, size_t n, AotInlineList *out, cairn_error *err) {
  Dwarf dw;
  memset(&dw, 0, sizeof dw);
  dw.out = out;
  dw.err = err;
  memset(out, 0, sizeof *out);
  /* ELF64 little-endian: e_shoff at 40, e_shentsize 58, e_shnum 60, e_shstrndx 62 */
  if (n < 64 ||
      memcmp(obj,
             "\x7f"
             "ELF",
             4) != 0 ||
      obj[4] != 2 || obj[5] != 1)
    return fail(&dw, "not a 64-bit little-endian ELF object");
  uint64_t shoff = le(obj + 40, 8), shent = le(obj + 58, 2), shnum = le(obj + 60, 2),
           shstr = le(obj + 62, 2);
  if (shent != 64 || shoff > n || shnum > (n - shoff) / 64 || shstr >= shnum)
    return fail(&dw, "bad section headers");
  const uint8_t *sh = obj + shoff, *ss = sh + shstr * 64;
  uint64_t nameOff = le(ss + 24, 8), nameLen = le(ss + 32, 8);
  if (nameOff > n || nameLen > n - nameOff) return fail(&dw, "bad section names");
  struct {
    const char *z;
    Sect *s;
  } aWant[] = {
      {".debug_info", &dw.info},
      {".debug_abbrev", &dw.abbrev},
      {".debug_str", &dw.str},
      {".debug_line_str", &dw.lineStr},
      {".debug_str_offsets", &dw.strOff},
      {".debug_addr", &dw.addr},
      {".debug_ranges", &dw.ranges},
      {".debug_rnglists", &dw.rnglists},
  };
  for (uint64_t i = 0; i < shnum; i++) {
    const uint8_t *s = sh + i * 64;
    uint64_t nm = le(s, 4), type = le(s + 4, 4), off = le(s + 24, 8), size = le(s + 32, 8);
    if (nm >= nameLen) continue;
    const char *z = (const char *)obj + nameOff + nm;
    size_t zmax = (size_t)(nameLen - nm);
    for (size_t w = 0; w < sizeof aWant / sizeof aWant[0]; w++) {
      size_t k = strlen(aWant[w].z);
      if (k < zmax && memcmp(z, aWant[w].z, k + 1) == 0) {
        if (type == 8 /* SHT_NOBITS */ || off > n || size > n - off)
          return fail(&dw, "a debug section out of the file");
        aWant[w].s->p = obj + off;
        aWant[w].s->n = size;
      }
    }
  }
  if (!dw.info.n) return fail(&dw, "no .debug_info (was it compiled with -g?)");
  if (!dw.abbrev.n) return fail(&dw, "no .debug_abbrev");
  if (!units_read(&dw)) {
    base_free(out->a);
    memset(out, 0, sizeof *out);
    return false;
  }
  return true;
}
