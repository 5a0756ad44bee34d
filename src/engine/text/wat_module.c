/*
** wat_module.c: text module parsing. Pass 1 walks the module fields to fill
** the index spaces (symbolic names, explicit types, import/definition order);
** pass 2 parses every field fully and appends its binary encoding to the
** section buffers, which wat_encode.c assembles. Also holds the shared parser
** helpers (tokens, indices, type uses) and the public entry points.
*/
#include <stdio.h>
#include <string.h>

#include "text_internal.h"

/* ---- parser helpers ---- */

Token *wat_cur(WatParser *p) { return &p->toks[p->pos]; }

Token *wat_peek(WatParser *p, uint32_t k) {
  uint32_t i = p->pos + k;
  if (i >= p->nTok) i = p->nTok - 1;
  return &p->toks[i];
}

bool wat_fail(WatParser *p, const Token *t, const char *fmt, ...) {
  if (!p->failed) {
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* the callers' one message that is not about the text */
    cairn_errkind kind = strcmp(msg, "out of memory") ? CAIRN_ERR_MALFORMED : CAIRN_ERR_NOMEM;
    base_error_at(p->err, kind, t->line, t->col, "%s", msg);
  }
  p->failed = true;
  return false;
}

bool wat_unexpected(WatParser *p, const Token *t) {
  if (t->kind == TK_RESERVED) return wat_fail(p, t, "unknown operator");
  if (t->kind == TK_EOF) return wat_fail(p, t, "unexpected end");
  return wat_fail(p, t, "unexpected token \"%.*s\"", (int)(t->n > 40 ? 40 : t->n), t->z);
}

bool wat_expect_lpar(WatParser *p) {
  if (wat_cur(p)->kind != TK_LPAR) return wat_unexpected(p, wat_cur(p));
  p->pos++;
  return true;
}

bool wat_expect_rpar(WatParser *p) {
  if (wat_cur(p)->kind != TK_RPAR) return wat_unexpected(p, wat_cur(p));
  p->pos++;
  return true;
}

bool wat_is_lpar_kw(WatParser *p, const char *kw) {
  return wat_cur(p)->kind == TK_LPAR && text_tok_is(wat_peek(p, 1), kw);
}

static bool wat_expect_kw(WatParser *p, const char *kw) {
  if (!text_tok_is(wat_cur(p), kw)) return wat_unexpected(p, wat_cur(p));
  p->pos++;
  return true;
}

static int wat_valtype_of(const Token *t) {
  if (text_tok_is(t, "i32")) return 0x7F;
  if (text_tok_is(t, "i64")) return 0x7E;
  if (text_tok_is(t, "f32")) return 0x7D;
  if (text_tok_is(t, "f64")) return 0x7C;
  if (text_tok_is(t, "v128")) return 0x7B;
  if (text_tok_is(t, "funcref")) return 0x70;
  if (text_tok_is(t, "externref")) return 0x6F;
  return -1;
}

bool wat_valtype(WatParser *p, uint8_t *out) {
  int v = wat_valtype_of(wat_cur(p));
  *out = 0;
  if (v < 0) return wat_unexpected(p, wat_cur(p));
  *out = (uint8_t)v;
  p->pos++;
  return true;
}

static bool wat_reftype(WatParser *p, uint8_t *out) {
  int v = wat_valtype_of(wat_cur(p));
  if (v != 0x70 && v != 0x6F) return wat_unexpected(p, wat_cur(p));
  *out = (uint8_t)v;
  p->pos++;
  return true;
}

int64_t wat_ns_find(const NameSpace *ns, const char *z, uint32_t n) {
  for (uint32_t i = ns->n; i-- > 0;)
    if (ns->a[i].z && ns->a[i].n == n && memcmp(ns->a[i].z, z, n) == 0) return i;
  return -1;
}

/* Appends an entry (id may be NULL); "duplicate <what>" if the name exists. */
bool wat_ns_add(WatParser *p, NameSpace *ns, const Token *id, const char *what) {
  if (id && what && wat_ns_find(ns, id->z, id->n) >= 0)
    return wat_fail(p, id, "duplicate %s %.*s", what, (int)id->n, id->z);
  if (ns->n == ns->nAlloc) {
    uint32_t nNew = ns->nAlloc ? ns->nAlloc * 2 : 16;
    TName *a = base_realloc(ns->a, nNew * sizeof *a);
    if (!a) return wat_fail(p, wat_cur(p), "out of memory");
    ns->a = a;
    ns->nAlloc = nNew;
  }
  ns->a[ns->n].z = id ? id->z : NULL;
  ns->a[ns->n].n = id ? id->n : 0;
  ns->n++;
  return true;
}

bool wat_index(WatParser *p, NameSpace *ns, const char *what, uint32_t *out) {
  Token *t = wat_cur(p);
  if (t->kind == TK_NUM) {
    NumResult r = text_num_u32(t->z, t->n, out);
    if (r == NUM_SYNTAX) return wat_fail(p, t, "unknown operator");
    if (r == NUM_RANGE) return wat_fail(p, t, "constant out of range");
    p->pos++;
    return true;
  }
  if (t->kind == TK_ID) {
    int64_t i = wat_ns_find(ns, t->z, t->n);
    if (i < 0) return wat_fail(p, t, "unknown %s %.*s", what, (int)t->n, t->z);
    if (ns == &p->labels)
      *out = (uint32_t)(ns->n - 1 - (uint32_t)i);
    else
      *out = (uint32_t)i;
    p->pos++;
    return true;
  }
  return wat_unexpected(p, t);
}

static bool wat_has_index(WatParser *p) {
  TokKind k = wat_cur(p)->kind;
  return k == TK_NUM || k == TK_ID;
}

/* ---- function types and type uses ---- */

void wat_functype_free(FuncType *ft) {
  base_free(ft->a);
  memset(ft, 0, sizeof *ft);
}

static bool ft_push(WatParser *p, FuncType *ft, uint8_t v) {
  uint32_t n = ft->nParam + ft->nResult;
  if ((n & (n - 1)) == 0 || n == 0) {
    uint8_t *a = base_realloc(ft->a, n ? n * 2 : 8);
    if (!a) return wat_fail(p, wat_cur(p), "out of memory");
    ft->a = a;
  }
  ft->a[n] = v;
  return true;
}

static bool ft_equal(const FuncType *a, const FuncType *b) {
  return a->nParam == b->nParam && a->nResult == b->nResult &&
         (a->nParam + a->nResult == 0 ||
          memcmp(a->a, b->a, a->nParam + a->nResult) == 0);
}

/* (param ...)* (result ...)* */
static bool wat_functype_body(WatParser *p, bool allowNames, bool addLocals, FuncType *ft) {
  while (wat_is_lpar_kw(p, "param")) {
    p->pos += 2;
    if (wat_cur(p)->kind == TK_ID) {
      Token *id = wat_cur(p);
      if (!allowNames) return wat_unexpected(p, id);
      p->pos++;
      uint8_t v;
      if (!wat_valtype(p, &v) || !ft_push(p, ft, v)) return false;
      ft->nParam++;
      if (addLocals && !wat_ns_add(p, &p->locals, id, "local")) return false;
    } else {
      while (wat_cur(p)->kind == TK_KEYWORD) {
        uint8_t v;
        if (!wat_valtype(p, &v) || !ft_push(p, ft, v)) return false;
        ft->nParam++;
        if (addLocals && !wat_ns_add(p, &p->locals, NULL, NULL)) return false;
      }
    }
    if (!wat_expect_rpar(p)) return false;
  }
  while (wat_is_lpar_kw(p, "result")) {
    p->pos += 2;
    while (wat_cur(p)->kind == TK_KEYWORD) {
      uint8_t v;
      if (!wat_valtype(p, &v) || !ft_push(p, ft, v)) return false;
      ft->nResult++;
    }
    if (!wat_expect_rpar(p)) return false;
  }
  if (wat_is_lpar_kw(p, "param") || wat_is_lpar_kw(p, "type"))
    return wat_unexpected(p, wat_peek(p, 1));
  return true;
}

bool wat_typeuse(WatParser *p, bool allowNames, bool addLocals, FuncType *ft,
                 int64_t *typeIdx) {
  memset(ft, 0, sizeof *ft);
  *typeIdx = -1;
  if (wat_is_lpar_kw(p, "type")) {
    p->pos += 2;
    Token *t = wat_cur(p);
    uint32_t x;
    if (!wat_index(p, &p->types, "type", &x)) return false;
    *typeIdx = x;
    if (!wat_expect_rpar(p)) return false;
    /* an index past the types is left to the validator, unless inline
    ** types must be checked against it */
    if (!wat_functype_body(p, allowNames, addLocals, ft)) return false;
    if (x >= p->nType && ft->nParam + ft->nResult > 0) return wat_fail(p, t, "unknown type");
    return true;
  }
  return wat_functype_body(p, allowNames, addLocals, ft);
}

static bool wat_type_append(WatParser *p, FuncType *ft, uint32_t *out) {
  if (p->nType == p->nTypeAlloc) {
    uint32_t nNew = p->nTypeAlloc ? p->nTypeAlloc * 2 : 16;
    FuncType *a = base_realloc(p->aType, nNew * sizeof *a);
    if (!a) return wat_fail(p, wat_cur(p), "out of memory");
    p->aType = a;
    p->nTypeAlloc = nNew;
  }
  *out = p->nType;
  p->aType[p->nType++] = *ft;
  memset(ft, 0, sizeof *ft);
  return true;
}

bool wat_typeuse_index(WatParser *p, const Token *at, FuncType *ft, int64_t typeIdx,
                       uint32_t *out) {
  if (typeIdx >= 0) {
    if (ft->nParam + ft->nResult > 0 && !ft_equal(ft, &p->aType[typeIdx]))
      return wat_fail(p, at, "inline function type");
    *out = (uint32_t)typeIdx;
    return true;
  }
  for (uint32_t i = 0; i < p->nType; i++) {
    if (ft_equal(ft, &p->aType[i])) {
      *out = i;
      return true;
    }
  }
  if (!wat_type_append(p, ft, out)) return false;
  if (!wat_ns_add(p, &p->types, NULL, NULL)) return false;
  return true;
}

/* ---- small pieces ---- */

static bool wat_skip_group(WatParser *p) {
  int depth = 0;
  do {
    Token *t = wat_cur(p);
    if (t->kind == TK_EOF) return wat_unexpected(p, t);
    if (t->kind == TK_LPAR) depth++;
    if (t->kind == TK_RPAR) depth--;
    p->pos++;
  } while (depth > 0);
  return true;
}

/* A name string: valid UTF-8 required. */
static bool wat_name_string(WatParser *p, const uint8_t **z, uint32_t *n) {
  Token *t = wat_cur(p);
  *z = NULL; /* defined on every path: callers read them only on success */
  *n = 0;
  if (t->kind != TK_STRING) return wat_unexpected(p, t);
  *z = p->strs + t->iStr;
  *n = t->nStr;
  if (!base_utf8_valid(*z, *n)) return wat_fail(p, t, "malformed UTF-8 encoding");
  p->pos++;
  return true;
}

static bool wat_u32_limit(WatParser *p, uint32_t *out) {
  Token *t = wat_cur(p);
  if (t->kind != TK_NUM) return wat_unexpected(p, t);
  NumResult r = text_num_u32(t->z, t->n, out);
  if (r == NUM_SYNTAX) return wat_fail(p, t, "unknown operator");
  if (r == NUM_RANGE) return wat_fail(p, t, "i32 constant out of range");
  p->pos++;
  return true;
}

static bool wat_limits(WatParser *p, Buf *b) {
  uint32_t min, max;
  if (!wat_u32_limit(p, &min)) return false;
  if (wat_cur(p)->kind == TK_NUM) {
    if (!wat_u32_limit(p, &max)) return false;
    buf_byte(b, 1);
    buf_uleb(b, min);
    buf_uleb(b, max);
  } else {
    buf_byte(b, 0);
    buf_uleb(b, min);
  }
  return true;
}

static bool wat_tabletype(WatParser *p, Buf *b) {
  Buf lim;
  buf_init(&lim);
  bool ok = wat_limits(p, &lim);
  uint8_t rt = 0;
  if (ok) ok = wat_reftype(p, &rt);
  if (ok) {
    buf_byte(b, rt);
    buf_append_buf(b, &lim);
  }
  buf_free(&lim);
  return ok;
}

static bool wat_globaltype(WatParser *p, Buf *b) {
  uint8_t v;
  if (wat_is_lpar_kw(p, "mut")) {
    p->pos += 2;
    if (!wat_valtype(p, &v) || !wat_expect_rpar(p)) return false;
    buf_byte(b, v);
    buf_byte(b, 1);
    return true;
  }
  if (!wat_valtype(p, &v)) return false;
  buf_byte(b, v);
  buf_byte(b, 0);
  return true;
}

/* Inline (export "name")* on a definition of kind k with index idx. */
static bool wat_inline_exports(WatParser *p, uint8_t kind, uint32_t idx) {
  while (wat_is_lpar_kw(p, "export")) {
    p->pos += 2;
    const uint8_t *z;
    uint32_t n;
    if (!wat_name_string(p, &z, &n) || !wat_expect_rpar(p)) return false;
    wat_name(&p->secExport, z, n);
    buf_byte(&p->secExport, kind);
    buf_uleb(&p->secExport, idx);
    p->nExport++;
  }
  return true;
}

/* (import "m" "n") inline: writes module and name to secImport. */
static bool wat_inline_import(WatParser *p) {
  p->pos += 2;
  const uint8_t *z1, *z2;
  uint32_t n1, n2;
  if (!wat_name_string(p, &z1, &n1) || !wat_name_string(p, &z2, &n2) ||
      !wat_expect_rpar(p))
    return false;
  wat_name(&p->secImport, z1, n1);
  wat_name(&p->secImport, z2, n2);
  p->nImport++;
  return true;
}

static void wat_record_name(WatParser *p, const Token *id, uint32_t idx) {
  if (!id) return;
  buf_uleb(&p->secNames, idx);
  wat_name(&p->secNames, (const uint8_t *)id->z + 1, id->n - 1);
  p->nNamed++;
}

/* Offset expression: (offset instr*) or one folded instruction. */
static bool wat_offset(WatParser *p, Buf *b) {
  if (wat_is_lpar_kw(p, "offset")) {
    p->pos += 2;
    return wat_expr(p, b) && wat_expect_rpar(p);
  }
  if (wat_cur(p)->kind != TK_LPAR) return wat_unexpected(p, wat_cur(p));
  if (!wat_folded1(p, b)) return false;
  buf_byte(b, 0x0B);
  return true;
}

/* ---- fields, pass 2 ---- */

static bool wat_func_field(WatParser *p) {
  p->pos += 2;
  Token *id = NULL;
  if (wat_cur(p)->kind == TK_ID) id = &p->toks[p->pos++];
  uint32_t idx = p->iFunc++;
  wat_record_name(p, id, idx);
  if (!wat_inline_exports(p, 0, idx)) return false;
  bool isImport = wat_is_lpar_kw(p, "import");
  if (isImport && !wat_inline_import(p)) return false;

  p->locals.n = 0;
  p->labels.n = 0;
  FuncType ft;
  int64_t tIdx;
  Token *at = wat_cur(p);
  if (!wat_typeuse(p, true, !isImport, &ft, &tIdx)) {
    wat_functype_free(&ft);
    return false;
  }
  uint32_t ti;
  bool ok = wat_typeuse_index(p, at, &ft, tIdx, &ti);
  wat_functype_free(&ft);
  if (!ok) return false;
  if (isImport) {
    buf_byte(&p->secImport, 0);
    buf_uleb(&p->secImport, ti);
    return wat_expect_rpar(p);
  }
  while (ti < p->nType && p->locals.n < p->aType[ti].nParam)
    if (!wat_ns_add(p, &p->locals, NULL, NULL)) return false;
  buf_uleb(&p->secFunc, ti);
  p->nFuncDef++;

  /* locals */
  Buf types;
  buf_init(&types);
  while (ok && wat_is_lpar_kw(p, "local")) {
    p->pos += 2;
    uint8_t v;
    if (wat_cur(p)->kind == TK_ID) {
      Token *lid = &p->toks[p->pos++];
      ok = wat_valtype(p, &v) && wat_ns_add(p, &p->locals, lid, "local");
      if (ok) buf_byte(&types, v);
    } else {
      while (ok && wat_cur(p)->kind == TK_KEYWORD) {
        ok = wat_valtype(p, &v) && wat_ns_add(p, &p->locals, NULL, NULL);
        if (ok) buf_byte(&types, v);
      }
    }
    ok = ok && wat_expect_rpar(p);
  }
  Buf body;
  buf_init(&body);
  body.oom = types.oom; /* a lost local type must not give a shorter body */
  if (ok) {
    /* compress local types into runs */
    uint32_t nRun = 0;
    for (size_t i = 0; i < types.n; i++)
      if (i == 0 || types.aData[i] != types.aData[i - 1]) nRun++;
    buf_uleb(&body, nRun);
    for (size_t i = 0; i < types.n;) {
      size_t j = i;
      while (j < types.n && types.aData[j] == types.aData[i]) j++;
      buf_uleb(&body, j - i);
      buf_byte(&body, types.aData[i]);
      i = j;
    }
    ok = wat_instrs(p, &body) && wat_expect_rpar(p);
    buf_byte(&body, 0x0B);
  }
  if (ok) {
    buf_uleb(&p->secCode, body.n);
    buf_append_buf(&p->secCode, &body);
    p->nCode++;
  }
  buf_free(&types);
  buf_free(&body);
  return ok;
}

/* Elements of an elem list: funcidx* (asExprs false) or elemexpr*. */
static bool wat_elem_items(WatParser *p, bool asExprs, Buf *items, uint32_t *pn) {
  uint32_t n = 0;
  if (!asExprs) {
    while (wat_has_index(p)) {
      uint32_t f;
      if (!wat_index(p, &p->funcs, "function", &f)) return false;
      buf_uleb(items, f);
      n++;
    }
  } else {
    while (wat_cur(p)->kind == TK_LPAR) {
      if (wat_is_lpar_kw(p, "item")) {
        p->pos += 2;
        if (!wat_expr(p, items) || !wat_expect_rpar(p)) return false;
      } else {
        if (!wat_folded1(p, items)) return false;
        buf_byte(items, 0x0B);
      }
      n++;
    }
  }
  *pn = n;
  return true;
}

/* Emits one elem segment. mode: 0 active, 1 passive, 2 declarative. */
static void wat_emit_elem(WatParser *p, int mode, uint32_t table, const Buf *offset,
                          bool asExprs, uint8_t reftype, const Buf *items, uint32_t n) {
  Buf *b = &p->secElem;
  uint32_t flags = asExprs ? 4 : 0;
  if (mode == 1) flags |= 1;
  if (mode == 2) flags |= 3;
  if (mode == 0 && (table != 0 || (asExprs && reftype != 0x70))) flags |= 2;
  buf_uleb(b, flags);
  if (flags & 2 && mode == 0) buf_uleb(b, table);
  if (mode == 0) buf_append_buf(b, offset);
  if (flags & 3) buf_byte(b, asExprs ? reftype : 0x00);
  buf_uleb(b, n);
  buf_append_buf(b, items);
  p->nElem++;
}

static bool wat_table_field(WatParser *p) {
  p->pos += 2;
  if (wat_cur(p)->kind == TK_ID) p->pos++;
  uint32_t idx = p->iTable++;
  if (!wat_inline_exports(p, 1, idx)) return false;
  if (wat_is_lpar_kw(p, "import")) {
    if (!wat_inline_import(p)) return false;
    buf_byte(&p->secImport, 1);
    return wat_tabletype(p, &p->secImport) && wat_expect_rpar(p);
  }
  if (wat_cur(p)->kind == TK_KEYWORD) {
    uint8_t rt;
    if (!wat_reftype(p, &rt)) return false;
    if (!wat_is_lpar_kw(p, "elem")) return wat_unexpected(p, wat_cur(p));
    p->pos += 2;
    Buf items, off;
    buf_init(&items);
    buf_init(&off);
    bool asExprs = wat_cur(p)->kind == TK_LPAR;
    uint32_t n;
    bool ok = wat_elem_items(p, asExprs, &items, &n) && wat_expect_rpar(p) &&
              wat_expect_rpar(p);
    if (ok) {
      buf_byte(&p->secTable, rt);
      buf_byte(&p->secTable, 1);
      buf_uleb(&p->secTable, n);
      buf_uleb(&p->secTable, n);
      p->nTableDef++;
      buf_byte(&off, 0x41);
      buf_byte(&off, 0);
      buf_byte(&off, 0x0B);
      wat_emit_elem(p, 0, idx, &off, asExprs, rt, &items, n);
    }
    buf_free(&items);
    buf_free(&off);
    return ok;
  }
  if (!wat_tabletype(p, &p->secTable)) return false;
  p->nTableDef++;
  return wat_expect_rpar(p);
}

static bool wat_data_strings(WatParser *p, Buf *bytes) {
  while (wat_cur(p)->kind == TK_STRING) {
    Token *t = wat_cur(p);
    buf_append(bytes, p->strs + t->iStr, t->nStr);
    p->pos++;
  }
  return true;
}

static void wat_emit_data(WatParser *p, bool active, uint32_t mem, const Buf *offset,
                          const Buf *bytes) {
  Buf *b = &p->secData;
  if (!active) {
    buf_byte(b, 1);
  } else if (mem == 0) {
    buf_byte(b, 0);
  } else {
    buf_byte(b, 2);
    buf_uleb(b, mem);
  }
  if (active) buf_append_buf(b, offset);
  buf_uleb(b, bytes->n);
  buf_append_buf(b, bytes);
  p->nData++;
}

static bool wat_memory_field(WatParser *p) {
  p->pos += 2;
  if (wat_cur(p)->kind == TK_ID) p->pos++;
  uint32_t idx = p->iMem++;
  if (!wat_inline_exports(p, 2, idx)) return false;
  if (wat_is_lpar_kw(p, "import")) {
    if (!wat_inline_import(p)) return false;
    buf_byte(&p->secImport, 2);
    return wat_limits(p, &p->secImport) && wat_expect_rpar(p);
  }
  if (wat_is_lpar_kw(p, "data")) {
    p->pos += 2;
    Buf bytes, off;
    buf_init(&bytes);
    buf_init(&off);
    bool ok = wat_data_strings(p, &bytes) && wat_expect_rpar(p) && wat_expect_rpar(p);
    if (ok) {
      uint64_t pages = (bytes.n + 65535) / 65536;
      buf_byte(&p->secMem, 1);
      buf_uleb(&p->secMem, pages);
      buf_uleb(&p->secMem, pages);
      p->nMemDef++;
      buf_byte(&off, 0x41);
      buf_byte(&off, 0);
      buf_byte(&off, 0x0B);
      wat_emit_data(p, true, idx, &off, &bytes);
    }
    buf_free(&bytes);
    buf_free(&off);
    return ok;
  }
  if (!wat_limits(p, &p->secMem)) return false;
  p->nMemDef++;
  return wat_expect_rpar(p);
}

static bool wat_global_field(WatParser *p) {
  p->pos += 2;
  if (wat_cur(p)->kind == TK_ID) p->pos++;
  uint32_t idx = p->iGlobal++;
  if (!wat_inline_exports(p, 3, idx)) return false;
  if (wat_is_lpar_kw(p, "import")) {
    if (!wat_inline_import(p)) return false;
    buf_byte(&p->secImport, 3);
    return wat_globaltype(p, &p->secImport) && wat_expect_rpar(p);
  }
  p->labels.n = 0;
  p->locals.n = 0;
  if (!wat_globaltype(p, &p->secGlobal) || !wat_expr(p, &p->secGlobal)) return false;
  p->nGlobalDef++;
  return wat_expect_rpar(p);
}

static bool wat_import_field(WatParser *p) {
  p->pos += 2;
  const uint8_t *z1, *z2;
  uint32_t n1, n2;
  if (!wat_name_string(p, &z1, &n1) || !wat_name_string(p, &z2, &n2)) return false;
  if (!wat_expect_lpar(p)) return false;
  Token *kw = wat_cur(p);
  p->pos++;
  Token *id = NULL;
  if (wat_cur(p)->kind == TK_ID) id = &p->toks[p->pos++];
  Buf *b = &p->secImport;
  if (text_tok_is(kw, "func")) {
    wat_record_name(p, id, p->iFunc++);
    FuncType ft;
    int64_t tIdx;
    Token *at = wat_cur(p);
    p->locals.n = 0;
    bool ok = wat_typeuse(p, true, false, &ft, &tIdx);
    uint32_t ti = 0;
    ok = ok && wat_typeuse_index(p, at, &ft, tIdx, &ti);
    wat_functype_free(&ft);
    if (!ok) return false;
    wat_name(b, z1, n1);
    wat_name(b, z2, n2);
    buf_byte(b, 0);
    buf_uleb(b, ti);
  } else if (text_tok_is(kw, "table")) {
    p->iTable++;
    wat_name(b, z1, n1);
    wat_name(b, z2, n2);
    buf_byte(b, 1);
    if (!wat_tabletype(p, b)) return false;
  } else if (text_tok_is(kw, "memory")) {
    p->iMem++;
    wat_name(b, z1, n1);
    wat_name(b, z2, n2);
    buf_byte(b, 2);
    if (!wat_limits(p, b)) return false;
  } else if (text_tok_is(kw, "global")) {
    p->iGlobal++;
    wat_name(b, z1, n1);
    wat_name(b, z2, n2);
    buf_byte(b, 3);
    if (!wat_globaltype(p, b)) return false;
  } else {
    return wat_unexpected(p, kw);
  }
  p->nImport++;
  return wat_expect_rpar(p) && wat_expect_rpar(p);
}

static bool wat_export_field(WatParser *p) {
  p->pos += 2;
  const uint8_t *z;
  uint32_t n;
  if (!wat_name_string(p, &z, &n) || !wat_expect_lpar(p)) return false;
  Token *kw = wat_cur(p);
  p->pos++;
  uint8_t kind;
  NameSpace *ns;
  const char *what;
  if (text_tok_is(kw, "func")) {
    kind = 0, ns = &p->funcs, what = "function";
  } else if (text_tok_is(kw, "table")) {
    kind = 1, ns = &p->tables, what = "table";
  } else if (text_tok_is(kw, "memory")) {
    kind = 2, ns = &p->mems, what = "memory";
  } else if (text_tok_is(kw, "global")) {
    kind = 3, ns = &p->globals, what = "global";
  } else {
    return wat_unexpected(p, kw);
  }
  uint32_t idx;
  if (!wat_index(p, ns, what, &idx)) return false;
  wat_name(&p->secExport, z, n);
  buf_byte(&p->secExport, kind);
  buf_uleb(&p->secExport, idx);
  p->nExport++;
  return wat_expect_rpar(p) && wat_expect_rpar(p);
}

static bool wat_start_field(WatParser *p) {
  Token *at = wat_cur(p);
  p->pos += 2;
  if (p->hasStart) return wat_fail(p, at, "multiple start sections");
  if (!wat_index(p, &p->funcs, "function", &p->startFunc)) return false;
  p->hasStart = true;
  return wat_expect_rpar(p);
}

static bool wat_elem_field(WatParser *p) {
  p->pos += 2;
  if (wat_cur(p)->kind == TK_ID) p->pos++;
  int mode = 1;
  uint32_t table = 0;
  Buf off, items;
  buf_init(&off);
  buf_init(&items);
  bool ok = true, legacy = false;
  p->labels.n = 0;
  p->locals.n = 0;
  if (text_tok_is(wat_cur(p), "declare")) {
    mode = 2;
    p->pos++;
  } else if (wat_cur(p)->kind == TK_LPAR) {
    mode = 0;
    legacy = true;
    if (wat_is_lpar_kw(p, "table")) {
      p->pos += 2;
      ok = wat_index(p, &p->tables, "table", &table) && wat_expect_rpar(p);
      legacy = false;
    }
    ok = ok && wat_offset(p, &off);
  }
  bool asExprs = false;
  uint8_t rt = 0x70;
  if (ok) {
    if (text_tok_is(wat_cur(p), "func")) {
      p->pos++;
    } else if (wat_cur(p)->kind == TK_KEYWORD) {
      ok = wat_reftype(p, &rt);
      asExprs = true;
    } else if (!legacy && wat_cur(p)->kind != TK_RPAR) {
      ok = wat_unexpected(p, wat_cur(p));
    }
  }
  uint32_t n = 0;
  ok = ok && wat_elem_items(p, asExprs, &items, &n) && wat_expect_rpar(p);
  if (ok) wat_emit_elem(p, mode, table, &off, asExprs, rt, &items, n);
  buf_free(&off);
  buf_free(&items);
  return ok;
}

static bool wat_data_field(WatParser *p) {
  p->pos += 2;
  if (wat_cur(p)->kind == TK_ID) p->pos++;
  bool active = false, ok = true;
  uint32_t mem = 0;
  Buf off, bytes;
  buf_init(&off);
  buf_init(&bytes);
  p->labels.n = 0;
  p->locals.n = 0;
  if (wat_cur(p)->kind == TK_LPAR) {
    active = true;
    if (wat_is_lpar_kw(p, "memory")) {
      p->pos += 2;
      ok = wat_index(p, &p->mems, "memory", &mem) && wat_expect_rpar(p);
    }
    ok = ok && wat_offset(p, &off);
  }
  ok = ok && wat_data_strings(p, &bytes) && wat_expect_rpar(p);
  if (ok) wat_emit_data(p, active, mem, &off, &bytes);
  buf_free(&off);
  buf_free(&bytes);
  return ok;
}

static bool wat_pass2(WatParser *p) {
  while (wat_cur(p)->kind == TK_LPAR) {
    Token *kw = wat_peek(p, 1);
    bool ok;
    if (text_tok_is(kw, "type"))
      ok = wat_skip_group(p);
    else if (text_tok_is(kw, "func"))
      ok = wat_func_field(p);
    else if (text_tok_is(kw, "table"))
      ok = wat_table_field(p);
    else if (text_tok_is(kw, "memory"))
      ok = wat_memory_field(p);
    else if (text_tok_is(kw, "global"))
      ok = wat_global_field(p);
    else if (text_tok_is(kw, "import"))
      ok = wat_import_field(p);
    else if (text_tok_is(kw, "export"))
      ok = wat_export_field(p);
    else if (text_tok_is(kw, "start"))
      ok = wat_start_field(p);
    else if (text_tok_is(kw, "elem"))
      ok = wat_elem_field(p);
    else if (text_tok_is(kw, "data"))
      ok = wat_data_field(p);
    else
      ok = wat_unexpected(p, kw);
    if (!ok) return false;
  }
  return true;
}

/* ---- pass 1: index spaces ---- */

typedef struct ScanState {
  bool defFunc, defTable, defMem, defGlobal;
} ScanState;

static bool wat_check_import_order(WatParser *p, ScanState *s, const Token *at) {
  if (s->defFunc) return wat_fail(p, at, "import after function");
  if (s->defGlobal) return wat_fail(p, at, "import after global");
  if (s->defTable) return wat_fail(p, at, "import after table");
  if (s->defMem) return wat_fail(p, at, "import after memory");
  return true;
}

/* At the first child after the optional id: is there an inline import (after
** inline exports)? Is there an inline (elem/data)? */
static bool wat_scan_has(WatParser *p, uint32_t from, const char *kw) {
  uint32_t save = p->pos;
  p->pos = from;
  bool found = false;
  while (wat_cur(p)->kind == TK_LPAR) {
    if (text_tok_is(wat_peek(p, 1), kw)) {
      found = true;
      break;
    }
    if (!wat_skip_group(p)) break;
  }
  p->pos = save;
  p->failed = false;
  return found;
}

static bool wat_scan_def(WatParser *p, ScanState *s, NameSpace *ns, const char *what,
                         bool *def) {
  Token *at = wat_cur(p);
  uint32_t i = p->pos + 2;
  const Token *id = p->toks[i].kind == TK_ID ? &p->toks[i++] : NULL;
  bool imp = false;
  /* inline exports come first, then an optional import */
  uint32_t save = p->pos;
  p->pos = i;
  while (wat_is_lpar_kw(p, "export"))
    if (!wat_skip_group(p)) break;
  imp = wat_is_lpar_kw(p, "import");
  p->pos = save;
  if (imp) {
    if (!wat_check_import_order(p, s, at)) return false;
  } else {
    *def = true;
  }
  return wat_ns_add(p, ns, id, what);
}

static bool wat_pass1(WatParser *p) {
  ScanState s = {false, false, false, false};
  while (wat_cur(p)->kind == TK_LPAR) {
    uint32_t start = p->pos;
    Token *kw = wat_peek(p, 1);
    Token *id = wat_peek(p, 2)->kind == TK_ID ? wat_peek(p, 2) : NULL;
    if (text_tok_is(kw, "type")) {
      p->pos += 2;
      if (id) p->pos++;
      if (!wat_ns_add(p, &p->types, id, "type")) return false;
      if (!wat_expect_lpar(p) || !wat_expect_kw(p, "func")) return false;
      FuncType ft;
      memset(&ft, 0, sizeof ft);
      uint32_t ti;
      if (!wat_functype_body(p, true, false, &ft) || !wat_expect_rpar(p) ||
          !wat_expect_rpar(p) || !wat_type_append(p, &ft, &ti)) {
        wat_functype_free(&ft);
        return false;
      }
      p->nExplicitType++;
      continue;
    } else if (text_tok_is(kw, "func")) {
      if (!wat_scan_def(p, &s, &p->funcs, "func", &s.defFunc)) return false;
    } else if (text_tok_is(kw, "table")) {
      if (!wat_scan_def(p, &s, &p->tables, "table", &s.defTable)) return false;
      if (wat_scan_has(p, start + 2, "elem") && !wat_ns_add(p, &p->elems, NULL, NULL))
        return false;
    } else if (text_tok_is(kw, "memory")) {
      if (!wat_scan_def(p, &s, &p->mems, "memory", &s.defMem)) return false;
      if (wat_scan_has(p, start + 2, "data") && !wat_ns_add(p, &p->datas, NULL, NULL))
        return false;
    } else if (text_tok_is(kw, "global")) {
      if (!wat_scan_def(p, &s, &p->globals, "global", &s.defGlobal)) return false;
    } else if (text_tok_is(kw, "import")) {
      if (!wat_check_import_order(p, &s, kw)) return false;
      p->pos += 2;
      if (wat_cur(p)->kind == TK_STRING) p->pos++;
      if (wat_cur(p)->kind == TK_STRING) p->pos++;
      if (wat_cur(p)->kind == TK_LPAR) {
        Token *k = wat_peek(p, 1);
        Token *iid = wat_peek(p, 2)->kind == TK_ID ? wat_peek(p, 2) : NULL;
        bool ok = true;
        if (text_tok_is(k, "func"))
          ok = wat_ns_add(p, &p->funcs, iid, "func");
        else if (text_tok_is(k, "table"))
          ok = wat_ns_add(p, &p->tables, iid, "table");
        else if (text_tok_is(k, "memory"))
          ok = wat_ns_add(p, &p->mems, iid, "memory");
        else if (text_tok_is(k, "global"))
          ok = wat_ns_add(p, &p->globals, iid, "global");
        if (!ok) return false;
      }
    } else if (text_tok_is(kw, "elem")) {
      if (!wat_ns_add(p, &p->elems, id, "elem")) return false;
    } else if (text_tok_is(kw, "data")) {
      if (!wat_ns_add(p, &p->datas, id, "data")) return false;
    } else if (!text_tok_is(kw, "export") && !text_tok_is(kw, "start")) {
      return wat_unexpected(p, kw);
    }
    p->pos = start;
    if (!wat_skip_group(p)) return false;
  }
  return true;
}

/* ---- entry points ---- */

static void wat_parser_free(WatParser *p) {
  NameSpace *ns[] = {&p->funcs, &p->tables, &p->mems,   &p->globals, &p->types,
                     &p->elems, &p->datas,  &p->locals, &p->labels};
  for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) base_free(ns[i]->a);
  for (uint32_t i = 0; i < p->nType; i++) wat_functype_free(&p->aType[i]);
  base_free(p->aType);
  Buf *bufs[] = {&p->secImport, &p->secFunc,   &p->secTable, &p->secMem,
                 &p->secGlobal, &p->secExport, &p->secElem,  &p->secData,
                 &p->secCode,   &p->secNames};
  for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) buf_free(bufs[i]);
}

static bool wat_module_tokens(TokList *tl, Buf *out, cairn_error *err, int depth);

/* Concatenates the strings at the cursor (module binary / quote). */
static void wat_strings(WatParser *p, Buf *b) {
  while (wat_cur(p)->kind == TK_STRING) {
    Token *t = wat_cur(p);
    buf_append(b, p->strs + t->iStr, t->nStr);
    p->pos++;
  }
}

static bool wat_module_tokens(TokList *tl, Buf *out, cairn_error *err, int depth) {
  WatParser P;
  memset(&P, 0, sizeof P);
  WatParser *p = &P;
  p->toks = tl->a;
  p->nTok = tl->n;
  p->strs = tl->strs.aData;
  p->err = err;
  bool wrapped = false, ok = true;
  if (wat_cur(p)->kind == TK_LPAR && text_tok_is(wat_peek(p, 1), "module")) {
    p->pos += 2;
    wrapped = true;
    if (wat_cur(p)->kind == TK_ID) p->pos++;
    bool bin = text_tok_is(wat_cur(p), "binary");
    if (bin || text_tok_is(wat_cur(p), "quote")) {
      p->pos++;
      Buf b;
      buf_init(&b);
      wat_strings(p, &b);
      if (b.oom) ok = wat_fail(p, wat_cur(p), "out of memory");
      ok = ok && wat_expect_rpar(p) &&
           (wat_cur(p)->kind == TK_EOF || wat_unexpected(p, wat_cur(p)));
      if (ok && bin) {
        buf_append_buf(out, &b);
      } else if (ok) {
        if (depth > 8) {
          ok = wat_fail(p, wat_cur(p), "module quote nested too deeply");
        } else {
          TokList inner;
          ok = text_lex((const char *)b.aData ? (const char *)b.aData : "", b.n, &inner, err);
          if (ok) {
            ok = wat_module_tokens(&inner, out, err, depth + 1);
            text_toks_free(&inner);
          }
        }
      }
      buf_free(&b);
      return ok;
    }
  }
  uint32_t first = p->pos;
  ok = wat_pass1(p);
  /* A stray token after the fields is reported after pass 2, so that an
  ** error inside the fields (met first when reading left to right) wins. */
  const Token *stray = NULL;
  if (ok) {
    if (wrapped && wat_cur(p)->kind != TK_RPAR)
      stray = wat_cur(p);
    else if (wat_peek(p, wrapped ? 1 : 0)->kind != TK_EOF)
      stray = wat_peek(p, wrapped ? 1 : 0);
  }
  if (ok) {
    p->pos = first;
    ok = wat_pass2(p);
  }
  if (ok && stray) ok = wat_unexpected(p, stray);
  if (ok) {
    wat_assemble(p, out);
    if (out->oom) {
      base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory");
      ok = false;
    }
  }
  wat_parser_free(p);
  return ok;
}

bool text_parse_module(const char *src, size_t len, Buf *out, cairn_error *err) {
  TokList tl;
  if (!text_lex(src, len, &tl, err)) return false;
  bool ok = wat_module_tokens(&tl, out, err, 0);
  text_toks_free(&tl);
  return ok;
}

bool cairn_wat_to_wasm(const char *src, size_t len, uint8_t **out, size_t *out_len,
                       cairn_error *err) {
  Buf b;
  buf_init(&b);
  if (!text_parse_module(src, len, &b, err)) {
    buf_free(&b);
    return false;
  }
  if (b.oom) {
    buf_free(&b);
    base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory");
    return false;
  }
  if (!b.aData) buf_byte(&b, 0), b.n = 0;
  *out = buf_take(&b, out_len);
  return true;
}
