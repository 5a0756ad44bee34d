/*
** wast.c: spec scripts (WAST) into command lists: modules (text extents,
** binary bytes, quoted text), register, actions and every assertion, with
** argument and expected values (NaN patterns, references, v128 lanes). A text
** module's own syntax is not parsed here: the runner calls text_parse_module.
*/
#include <stdio.h>
#include <string.h>

#include "text_internal.h"

typedef struct WP {
  Token *toks;
  uint32_t pos, nTok;
  const uint8_t *strs;
  const char *src;
  cairn_error *err;
  bool failed;
} WP;

static Token *wp_cur(WP *p) { return &p->toks[p->pos]; }
static Token *wp_peek(WP *p, uint32_t k) {
  uint32_t i = p->pos + k;
  return &p->toks[i < p->nTok ? i : p->nTok - 1];
}

static bool wp_fail(WP *p, const Token *t, const char *what) {
  if (!p->failed) {
    if (strcmp(what, "out of memory") == 0)
      base_error(p->err, CAIRN_ERR_NOMEM, -1, "out of memory");
    else if (t->kind == TK_EOF)
      base_error_at(p->err, CAIRN_ERR_MALFORMED, t->line, t->col, "unexpected end");
    else
      base_error_at(p->err, CAIRN_ERR_MALFORMED, t->line, t->col, "%s \"%.*s\"", what,
                    (int)(t->n > 40 ? 40 : t->n), t->z);
  }
  p->failed = true;
  return false;
}

static bool wp_lpar_kw(WP *p, const char *kw) {
  return wp_cur(p)->kind == TK_LPAR && text_tok_is(wp_peek(p, 1), kw);
}

static bool wp_expect(WP *p, TokKind k) {
  if (wp_cur(p)->kind != k) return wp_fail(p, wp_cur(p), "unexpected token");
  p->pos++;
  return true;
}

static bool wp_skip_group(WP *p) {
  int depth = 0;
  do {
    Token *t = wp_cur(p);
    if (t->kind == TK_EOF) return wp_fail(p, t, "unexpected token");
    if (t->kind == TK_LPAR) depth++;
    if (t->kind == TK_RPAR) depth--;
    p->pos++;
  } while (depth > 0);
  return true;
}

/* A string token's bytes as a new NUL-terminated copy. */
static bool wp_string(WP *p, char **out, size_t *pn) {
  Token *t = wp_cur(p);
  if (t->kind != TK_STRING) return wp_fail(p, t, "unexpected token");
  *out = base_strndup((const char *)p->strs + t->iStr, t->nStr);
  if (!*out) return wp_fail(p, t, "out of memory");
  if (pn) *pn = t->nStr;
  p->pos++;
  return true;
}

/* The identifier token at the cursor, without its '$', as a new string. */
static bool wp_id(WP *p, char **out) {
  const Token *t = &p->toks[p->pos++];
  *out = base_strndup(t->z + 1, t->n - 1);
  return *out || wp_fail(p, t, "out of memory");
}

/* (module $id? ...) at the cursor. */
static bool wp_module(WP *p, cairn_wast_module *m) {
  Token *open = wp_cur(p);
  memset(m, 0, sizeof *m);
  m->line = open->line;
  m->col = open->col;
  p->pos += 2;
  if (wp_cur(p)->kind == TK_ID && !wp_id(p, &m->zId)) return false;
  bool bin = text_tok_is(wp_cur(p), "binary");
  if (bin || text_tok_is(wp_cur(p), "quote")) {
    p->pos++;
    Buf b;
    buf_init(&b);
    while (wp_cur(p)->kind == TK_STRING) {
      Token *t = wp_cur(p);
      buf_append(&b, p->strs + t->iStr, t->nStr);
      p->pos++;
    }
    buf_byte(&b, 0);
    if (b.oom) {
      buf_free(&b);
      return wp_fail(p, wp_cur(p), "out of memory");
    }
    size_t n;
    uint8_t *data = buf_take(&b, &n);
    n--;
    if (bin) {
      m->form = CAIRN_WMOD_BINARY;
      m->aBytes = data;
      m->nBytes = n;
    } else {
      m->form = CAIRN_WMOD_QUOTE;
      m->src = (const char *)data;
      m->n = n;
    }
    return wp_expect(p, TK_RPAR);
  }
  p->pos -= 2;
  if (m->zId) p->pos--;
  if (!wp_skip_group(p)) return false;
  Token *close = &p->toks[p->pos - 1];
  m->form = CAIRN_WMOD_TEXT;
  m->src = open->z;
  m->n = (size_t)(close->z + 1 - open->z);
  return true;
}

static bool wp_lane_int(WP *p, const Token *t, int bits, uint8_t *dst) {
  uint64_t v;
  NumResult r = text_num_i64(t->z, t->n, &v);
  if (r != NUM_OK) return wp_fail(p, t, "bad lane literal");
  if (bits < 64) {
    bool neg = t->z[0] == '-';
    int64_t sv = (int64_t)v;
    if (neg ? sv < -((int64_t)1 << (bits - 1)) : v > (((uint64_t)1 << bits) - 1))
      return wp_fail(p, t, "constant out of range");
  }
  for (int i = 0; i < bits / 8; i++) dst[i] = (uint8_t)(v >> (8 * i));
  return true;
}

/* NaN patterns are accepted only in expected results. */
static bool wp_float(WP *p, const Token *t, bool is64, bool allowPat, cairn_wast_valkind *kind,
                     uint64_t *bits) {
  *kind = CAIRN_WV_EXACT;
  if (allowPat && text_tok_is(t, "nan:canonical")) {
    *kind = CAIRN_WV_NAN_CANONICAL;
    *bits = 0;
    return true;
  }
  if (allowPat && text_tok_is(t, "nan:arithmetic")) {
    *kind = CAIRN_WV_NAN_ARITHMETIC;
    *bits = 0;
    return true;
  }
  NumResult r;
  if (is64) {
    r = text_num_f64(t->z, t->n, bits);
  } else {
    uint32_t b32 = 0;
    r = text_num_f32(t->z, t->n, &b32);
    *bits = b32;
  }
  if (r != NUM_OK) return wp_fail(p, t, "bad float literal");
  return true;
}

static bool wp_value(WP *p, cairn_wast_value *v, bool allowPat) {
  memset(v, 0, sizeof *v);
  if (!wp_expect(p, TK_LPAR)) return false;
  Token *op = wp_cur(p);
  p->pos++;
  Token *t = wp_cur(p);
  if (text_tok_is(op, "i32.const")) {
    uint32_t x;
    v->type = CAIRN_I32;
    if (text_num_i32(t->z, t->n, &x) != NUM_OK) return wp_fail(p, t, "bad i32 literal");
    v->bits = x;
    p->pos++;
  } else if (text_tok_is(op, "i64.const")) {
    v->type = CAIRN_I64;
    if (text_num_i64(t->z, t->n, &v->bits) != NUM_OK) return wp_fail(p, t, "bad i64 literal");
    p->pos++;
  } else if (text_tok_is(op, "f32.const") || text_tok_is(op, "f64.const")) {
    bool is64 = text_tok_is(op, "f64.const");
    v->type = is64 ? CAIRN_F64 : CAIRN_F32;
    if (!wp_float(p, t, is64, allowPat, &v->kind, &v->bits)) return false;
    p->pos++;
  } else if (text_tok_is(op, "ref.null")) {
    if (text_tok_is(t, "func"))
      v->type = CAIRN_FUNCREF;
    else if (text_tok_is(t, "extern"))
      v->type = CAIRN_EXTERNREF;
    else
      return wp_fail(p, t, "unexpected token");
    v->kind = allowPat ? CAIRN_WV_REF_NULL : CAIRN_WV_EXACT;
    p->pos++;
  } else if (text_tok_is(op, "ref.extern")) {
    v->type = CAIRN_EXTERNREF;
    v->kind = CAIRN_WV_REF_EXTERN;
    if (text_num_u64(t->z, t->n, &v->bits) != NUM_OK) return wp_fail(p, t, "bad literal");
    p->pos++;
  } else if (text_tok_is(op, "ref.func")) {
    v->type = CAIRN_FUNCREF;
    v->kind = CAIRN_WV_REF_FUNC;
    if (t->kind == TK_NUM || t->kind == TK_ID) p->pos++;
  } else if (text_tok_is(op, "v128.const")) {
    v->type = CAIRN_V128;
    int bits;
    bool isFloat = false;
    if (text_tok_is(t, "i8x16")) bits = 8;
    else if (text_tok_is(t, "i16x8")) bits = 16;
    else if (text_tok_is(t, "i32x4")) bits = 32;
    else if (text_tok_is(t, "i64x2")) bits = 64;
    else if (text_tok_is(t, "f32x4")) bits = 32, isFloat = true;
    else if (text_tok_is(t, "f64x2")) bits = 64, isFloat = true;
    else return wp_fail(p, t, "unexpected token");
    p->pos++;
    int nLane = 128 / bits;
    bool anyPat = false;
    for (int i = 0; i < nLane; i++) {
      Token *l = wp_cur(p);
      if (l->kind != TK_NUM && l->kind != TK_KEYWORD) return wp_fail(p, l, "wrong number of lane literals");
      uint8_t *dst = v->v128 + i * (bits / 8);
      if (isFloat) {
        cairn_wast_valkind k;
        uint64_t b;
        if (!wp_float(p, l, bits == 64, allowPat, &k, &b)) return false;
        for (int j = 0; j < bits / 8; j++) dst[j] = (uint8_t)(b >> (8 * j));
        v->aLaneKind[i] = k;
        if (k != CAIRN_WV_EXACT) anyPat = true;
      } else if (!wp_lane_int(p, l, bits, dst)) {
        return false;
      }
      p->pos++;
    }
    if (isFloat && anyPat) v->nLane = (uint8_t)nLane;
  } else {
    return wp_fail(p, op, "unexpected token");
  }
  return wp_expect(p, TK_RPAR);
}

static bool wp_action(WP *p, cairn_wast_action *a) {
  memset(a, 0, sizeof *a);
  if (!wp_expect(p, TK_LPAR)) return false;
  Token *kw = wp_cur(p);
  if (text_tok_is(kw, "get"))
    a->isGet = true;
  else if (!text_tok_is(kw, "invoke"))
    return wp_fail(p, kw, "unexpected token");
  p->pos++;
  if (wp_cur(p)->kind == TK_ID && !wp_id(p, &a->zModule)) return false;
  if (!wp_string(p, &a->zName, &a->nName)) return false;
  while (!a->isGet && wp_cur(p)->kind == TK_LPAR) {
    cairn_wast_value *arr = base_realloc(a->aArg, (a->nArg + 1) * sizeof *arr);
    if (!arr) return wp_fail(p, wp_cur(p), "out of memory");
    a->aArg = arr;
    if (!wp_value(p, &a->aArg[a->nArg], false)) return false;
    a->nArg++;
  }
  return wp_expect(p, TK_RPAR);
}

static bool wp_command(WP *p, cairn_wast_cmd *c) {
  Token *open = wp_cur(p);
  if (open->kind != TK_LPAR) return wp_fail(p, open, "unexpected token");
  Token *kw = wp_peek(p, 1);
  c->line = open->line;
  if (text_tok_is(kw, "module")) {
    c->kind = CAIRN_WAST_MODULE;
    c->hasMod = true;
    return wp_module(p, &c->mod);
  }
  if (text_tok_is(kw, "register")) {
    c->kind = CAIRN_WAST_REGISTER;
    p->pos += 2;
    if (!wp_string(p, &c->zRegName, &c->nRegName)) return false;
    if (wp_cur(p)->kind == TK_ID && !wp_id(p, &c->zRegModule)) return false;
    return wp_expect(p, TK_RPAR);
  }
  if (text_tok_is(kw, "invoke") || text_tok_is(kw, "get")) {
    c->kind = CAIRN_WAST_ACTION;
    c->hasAction = true;
    return wp_action(p, &c->action);
  }
  static const struct {
    const char *z;
    cairn_wast_cmdkind kind;
  } kAsserts[] = {{"assert_return", CAIRN_WAST_ASSERT_RETURN},
                  {"assert_trap", CAIRN_WAST_ASSERT_TRAP},
                  {"assert_exhaustion", CAIRN_WAST_ASSERT_EXHAUSTION},
                  {"assert_malformed", CAIRN_WAST_ASSERT_MALFORMED},
                  {"assert_invalid", CAIRN_WAST_ASSERT_INVALID},
                  {"assert_unlinkable", CAIRN_WAST_ASSERT_UNLINKABLE},
                  {"assert_uninstantiable", CAIRN_WAST_ASSERT_UNINSTANTIABLE}};
  for (size_t i = 0; i < sizeof kAsserts / sizeof kAsserts[0]; i++) {
    if (!text_tok_is(kw, kAsserts[i].z)) continue;
    c->kind = kAsserts[i].kind;
    p->pos += 2;
    if (wp_lpar_kw(p, "module")) {
      c->hasMod = true;
      if (!wp_module(p, &c->mod)) return false;
    } else {
      c->hasAction = true;
      if (!wp_action(p, &c->action)) return false;
    }
    if (c->kind == CAIRN_WAST_ASSERT_RETURN) {
      while (wp_cur(p)->kind == TK_LPAR) {
        cairn_wast_value *arr = base_realloc(c->aResult, (c->nResult + 1) * sizeof *arr);
        if (!arr) return wp_fail(p, wp_cur(p), "out of memory");
        c->aResult = arr;
        if (!wp_value(p, &c->aResult[c->nResult], true)) return false;
        c->nResult++;
      }
    } else if (!wp_string(p, &c->zText, NULL)) {
      return false;
    }
    return wp_expect(p, TK_RPAR);
  }
  return wp_fail(p, kw, "unexpected token");
}

bool cairn_wast_parse(const char *src, size_t len, cairn_wast_script *out, cairn_error *err) {
  memset(out, 0, sizeof *out);
  TokList tl;
  if (!text_lex(src, len, &tl, err)) return false;
  WP P = {tl.a, 0, tl.n, tl.strs.aData, src, err, false};
  WP *p = &P;
  uint32_t nAlloc = 0;
  bool ok = true;
  static const char *const kFields[] = {"type",   "import", "func", "table", "memory",
                                        "global", "export", "start", "elem", "data", NULL};
  for (int i = 0; kFields[i]; i++) {
    if (wp_cur(p)->kind == TK_LPAR && text_tok_is(wp_peek(p, 1), kFields[i])) {
      /* a bare module: the whole file is one text module */
      out->aCmd = base_calloc(1, sizeof *out->aCmd);
      if (!out->aCmd) break;
      out->nCmd = 1;
      out->aCmd->kind = CAIRN_WAST_MODULE;
      out->aCmd->hasMod = true;
      out->aCmd->line = wp_cur(p)->line;
      out->aCmd->mod.form = CAIRN_WMOD_TEXT;
      out->aCmd->mod.src = src;
      out->aCmd->mod.n = len;
      out->aCmd->mod.line = out->aCmd->mod.col = 1;
      text_toks_free(&tl);
      return true;
    }
  }
  while (wp_cur(p)->kind != TK_EOF) {
    if (out->nCmd == nAlloc) {
      nAlloc = nAlloc ? nAlloc * 2 : 64;
      cairn_wast_cmd *a = base_realloc(out->aCmd, nAlloc * sizeof *a);
      if (!a) {
        base_error(err, CAIRN_ERR_NOMEM, -1, "out of memory");
        ok = false;
        break;
      }
      out->aCmd = a;
    }
    cairn_wast_cmd *c = &out->aCmd[out->nCmd++];
    memset(c, 0, sizeof *c);
    if (!wp_command(p, c)) {
      ok = false;
      break;
    }
  }
  text_toks_free(&tl);
  if (!ok) cairn_wast_free(out);
  return ok;
}

static void wast_action_free(cairn_wast_action *a) {
  base_free(a->zModule);
  base_free(a->zName);
  base_free(a->aArg);
}

void cairn_wast_free(cairn_wast_script *s) {
  for (uint32_t i = 0; i < s->nCmd; i++) {
    cairn_wast_cmd *c = &s->aCmd[i];
    base_free(c->mod.zId);
    if (c->mod.form == CAIRN_WMOD_QUOTE) base_free((void *)c->mod.src);
    base_free(c->mod.aBytes);
    wast_action_free(&c->action);
    base_free(c->aResult);
    base_free(c->zText);
    base_free(c->zRegName);
    base_free(c->zRegModule);
  }
  base_free(s->aCmd);
  memset(s, 0, sizeof *s);
}
