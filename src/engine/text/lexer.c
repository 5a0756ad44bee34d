/*
** lexer.c: the text format's tokens. Splits source text into parens,
** keywords, $ids, strings (escapes decoded), number-like atoms and reserved
** atoms, skipping whitespace, line comments and nested block comments, with
** exact line:col for every token. Atoms glued to strings (`$l"a"`) or strings
** glued to anything become one reserved token, as the spec requires.
*/
#include <string.h>

#include "text_internal.h"

typedef struct Lex {
  const char *z, *end;
  const char *p;
  int line, col;
  TokList *out;
  cairn_error *err;
} Lex;

static bool lex_idchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 'A' && c <= 'Z') return true;
  return strchr("!#$%&'*+-./:<=>?@\\^_`|~", c) != NULL && c != 0;
}

static void lex_adv(Lex *l) {
  if (*l->p == '\n') {
    l->line++;
    l->col = 1;
  } else {
    l->col++;
  }
  l->p++;
}

static bool lex_sep(Lex *l) {
  if (l->p >= l->end) return true;
  char c = *l->p;
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')') return true;
  if (c == ';' && l->p + 1 < l->end && l->p[1] == ';') return true;
  return false;
}

static Token *lex_push(Lex *l, TokKind kind, const char *start, int line, int col) {
  TokList *t = l->out;
  if (t->n == t->nAlloc) {
    uint32_t nNew = t->nAlloc ? t->nAlloc * 2 : 256;
    Token *a = base_realloc(t->a, nNew * sizeof *a);
    if (!a) {
      base_error(l->err, CAIRN_ERR_NOMEM, -1, "out of memory");
      return NULL;
    }
    t->a = a;
    t->nAlloc = nNew;
  }
  Token *k = &t->a[t->n++];
  memset(k, 0, sizeof *k);
  k->kind = kind;
  k->z = start;
  k->n = (uint32_t)(l->p - start);
  k->line = line;
  k->col = col;
  return k;
}

static int lex_hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Skips a string without decoding (inside a reserved token). */
static void lex_skip_string(Lex *l) {
  lex_adv(l);
  while (l->p < l->end && *l->p != '"') {
    if (*l->p == '\\' && l->p + 1 < l->end) lex_adv(l);
    lex_adv(l);
  }
  if (l->p < l->end) lex_adv(l);
}

static bool lex_reserved_rest(Lex *l) {
  while (!lex_sep(l)) {
    if (*l->p == '"')
      lex_skip_string(l);
    else
      lex_adv(l);
  }
  return true;
}

/* Decodes a string at l->p (on the quote) into strs. */
static bool lex_string(Lex *l, uint32_t *piStr, uint32_t *pnStr) {
  Buf *b = &l->out->strs;
  int line = l->line, col = l->col;
  size_t start = b->n;
  lex_adv(l);
  for (;;) {
    if (l->p >= l->end) {
      base_error_at(l->err, CAIRN_ERR_MALFORMED, line, col, "unclosed string");
      return false;
    }
    unsigned char c = (unsigned char)*l->p;
    if (c == '"') {
      lex_adv(l);
      break;
    }
    if (c < 0x20 || c == 0x7F) {
      base_error_at(l->err, CAIRN_ERR_MALFORMED, l->line, l->col,
                    "illegal character in string");
      return false;
    }
    if (c != '\\') {
      buf_byte(b, c);
      lex_adv(l);
      continue;
    }
    int eline = l->line, ecol = l->col;
    lex_adv(l);
    if (l->p >= l->end) continue;
    char e = *l->p;
    int h1, h2;
    switch (e) {
      case 't': buf_byte(b, '\t'); lex_adv(l); break;
      case 'n': buf_byte(b, '\n'); lex_adv(l); break;
      case 'r': buf_byte(b, '\r'); lex_adv(l); break;
      case '"': buf_byte(b, '"'); lex_adv(l); break;
      case '\'': buf_byte(b, '\''); lex_adv(l); break;
      case '\\': buf_byte(b, '\\'); lex_adv(l); break;
      case 'u': {
        lex_adv(l);
        if (l->p >= l->end || *l->p != '{') goto bad;
        lex_adv(l);
        uint32_t v = 0;
        int nDig = 0;
        bool lastUnderscore = false;
        while (l->p < l->end && *l->p != '}') {
          int h = lex_hex(*l->p);
          if (*l->p == '_' && nDig > 0 && !lastUnderscore) {
            lastUnderscore = true;
            lex_adv(l);
            continue;
          }
          if (h < 0) goto bad;
          lastUnderscore = false;
          if (v > 0x10FFFF) goto bad;
          v = v * 16 + (uint32_t)h;
          nDig++;
          lex_adv(l);
        }
        if (l->p >= l->end || nDig == 0 || lastUnderscore) goto bad;
        lex_adv(l);
        if (v >= 0x110000 || (v >= 0xD800 && v < 0xE000)) goto bad;
        base_utf8_encode(b, v);
        break;
      }
      default:
        if (l->p + 1 >= l->end) goto bad;
        h1 = lex_hex(l->p[0]);
        h2 = lex_hex(l->p[1]);
        if (h1 < 0 || h2 < 0) goto bad;
        buf_byte(b, (uint8_t)(h1 * 16 + h2));
        lex_adv(l);
        lex_adv(l);
        break;
    }
    continue;
  bad:
    base_error_at(l->err, CAIRN_ERR_MALFORMED, eline, ecol, "illegal escape");
    return false;
  }
  if (b->oom) {
    base_error(l->err, CAIRN_ERR_NOMEM, -1, "out of memory");
    return false;
  }
  *piStr = (uint32_t)start;
  *pnStr = (uint32_t)(b->n - start);
  return true;
}

static bool lex_block_comment(Lex *l) {
  int line = l->line, col = l->col;
  int depth = 0;
  while (l->p < l->end) {
    if (l->p[0] == '(' && l->p + 1 < l->end && l->p[1] == ';') {
      depth++;
      lex_adv(l);
      lex_adv(l);
    } else if (l->p[0] == ';' && l->p + 1 < l->end && l->p[1] == ')') {
      depth--;
      lex_adv(l);
      lex_adv(l);
      if (depth == 0) return true;
    } else {
      lex_adv(l);
    }
  }
  base_error_at(l->err, CAIRN_ERR_MALFORMED, line, col, "unclosed comment");
  return false;
}

bool text_lex(const char *src, size_t len, TokList *out, cairn_error *err) {
  memset(out, 0, sizeof *out);
  buf_init(&out->strs);
  buf_byte(&out->strs, 0);   /* never NULL, so empty strings point somewhere */
  out->strs.n = 0;
  Lex l = {src, src + len, src, 1, 1, out, err};
  while (l.p < l.end) {
    char c = *l.p;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      lex_adv(&l);
      continue;
    }
    if (c == ';' && l.p + 1 < l.end && l.p[1] == ';') {
      while (l.p < l.end && *l.p != '\n') lex_adv(&l);
      continue;
    }
    if (c == '(' && l.p + 1 < l.end && l.p[1] == ';') {
      if (!lex_block_comment(&l)) goto fail;
      continue;
    }
    const char *start = l.p;
    int line = l.line, col = l.col;
    if (c == '(' || c == ')') {
      lex_adv(&l);
      if (!lex_push(&l, c == '(' ? TK_LPAR : TK_RPAR, start, line, col)) goto fail;
      continue;
    }
    if (c == '"') {
      uint32_t iStr, nStr;
      if (!lex_string(&l, &iStr, &nStr)) goto fail;
      TokKind kind = TK_STRING;
      if (!lex_sep(&l)) {
        lex_reserved_rest(&l);
        kind = TK_RESERVED;
      }
      Token *t = lex_push(&l, kind, start, line, col);
      if (!t) goto fail;
      t->iStr = iStr;
      t->nStr = nStr;
      continue;
    }
    TokKind kind;
    if (lex_idchar((unsigned char)c)) {
      while (l.p < l.end && lex_idchar((unsigned char)*l.p)) lex_adv(&l);
      if (c == '$')
        kind = l.p - start > 1 ? TK_ID : TK_RESERVED;
      else if (c >= 'a' && c <= 'z')
        kind = TK_KEYWORD;
      else if ((c >= '0' && c <= '9') || c == '+' || c == '-')
        kind = TK_NUM;
      else
        kind = TK_RESERVED;
    } else {
      kind = TK_RESERVED;
    }
    if (!lex_sep(&l)) {
      lex_reserved_rest(&l);
      kind = TK_RESERVED;
    }
    if (l.p == start) lex_adv(&l);   /* a lone odd character: make progress */
    if (!lex_push(&l, kind, start, line, col)) goto fail;
  }
  {
    if (!lex_push(&l, TK_EOF, l.p, l.line, l.col)) goto fail;
  }
  return true;
fail:
  text_toks_free(out);
  return false;
}

void text_toks_free(TokList *t) {
  base_free(t->a);
  buf_free(&t->strs);
  memset(t, 0, sizeof *t);
}

bool text_tok_is(const Token *t, const char *z) {
  size_t n = strlen(z);
  return t->kind == TK_KEYWORD && t->n == n && memcmp(t->z, z, n) == 0;
}
