/*
** text_internal.h: private interface of the text format (lexer, literal
** parsing, module parser state). Only src/engine/text/ includes it.
*/
#ifndef CAIRN_TEXT_INTERNAL_H
#define CAIRN_TEXT_INTERNAL_H

#include "base/base.h"
#include "engine/text/text.h"

/* ---- tokens (lexer.c) ---- */

typedef enum TokKind {
  TK_EOF,
  TK_LPAR,
  TK_RPAR,
  TK_KEYWORD,   /* starts with a-z: keywords, mnemonics, inf, nan, offset=... */
  TK_ID,        /* $name */
  TK_STRING,    /* "..." (decoded bytes in TokList.strs) */
  TK_NUM,       /* starts with a digit or a sign: a number if it parses */
  TK_RESERVED   /* anything else (including atoms glued to strings) */
} TokKind;

typedef struct Token {
  TokKind kind;
  const char *z;   /* source text of the token */
  uint32_t n;
  int line, col;
  uint32_t iStr, nStr;  /* TK_STRING: decoded bytes at strs.aData + iStr */
} Token;

/* A whole token array; the last token is TK_EOF. Owned by whoever called
** text_lex; free with text_toks_free. */
typedef struct TokList {
  Token *a;
  uint32_t n, nAlloc;
  Buf strs;
} TokList;

bool text_lex(const char *src, size_t len, TokList *out, cairn_error *err);
void text_toks_free(TokList *t);

/* True if token t is the keyword z. */
bool text_tok_is(const Token *t, const char *z);

/* ---- literals (numbers.c) ---- */

typedef enum NumResult { NUM_OK, NUM_SYNTAX, NUM_RANGE } NumResult;

/* Unsigned integer (decimal or 0x hex, underscores between digits), no sign. */
NumResult text_num_u64(const char *z, size_t n, uint64_t *out);
NumResult text_num_u32(const char *z, size_t n, uint32_t *out);
/* Integer with an optional sign: i32 accepts -2^31..2^32-1 (two's complement
** bits in *out), i64 likewise. */
NumResult text_num_i32(const char *z, size_t n, uint32_t *out);
NumResult text_num_i64(const char *z, size_t n, uint64_t *out);
/* Integer of bits (8, 16, 32 or 64) with an optional sign, as for v128
** lanes: -2^(bits-1)..2^bits-1, two's complement bits (masked) in *out. */
NumResult text_num_int(const char *z, size_t n, int bits, uint64_t *out);
/* Floats: decimal, hex (p exponent), inf, nan, nan:0xPAYLOAD; bit patterns. */
NumResult text_num_f32(const char *z, size_t n, uint32_t *out);
NumResult text_num_f64(const char *z, size_t n, uint64_t *out);

/* Deepest nesting of blocks / folded instructions the parser accepts (it
** recurses on the C stack). */
#define WAT_MAX_DEPTH 10000

/* ---- module parser (wat_module.c, wat_instr.c, wat_encode.c) ---- */

/* One name in an index space ("$x" including '$'), z NULL if anonymous. */
typedef struct TName {
  const char *z;
  uint32_t n;
} TName;

typedef struct NameSpace {
  TName *a;
  uint32_t n, nAlloc;
} NameSpace;

typedef struct FuncType {
  uint8_t *a;          /* nParam params then nResult results; owned */
  uint32_t nParam, nResult;
} FuncType;

typedef struct WatParser {
  Token *toks;
  uint32_t nTok, pos;
  const uint8_t *strs;
  cairn_error *err;
  bool failed;

  /* index spaces */
  NameSpace funcs, tables, mems, globals, types, elems, datas;
  FuncType *aType;
  uint32_t nType, nTypeAlloc, nExplicitType;

  /* per function */
  NameSpace locals;
  NameSpace labels;     /* innermost last */
  uint32_t depth;       /* nesting of blocks and folded instructions */

  /* sections being built */
  Buf secImport, secFunc, secTable, secMem, secGlobal, secExport, secElem, secData,
      secCode, secNames;
  uint32_t nImport, nFuncDef, nTableDef, nMemDef, nGlobalDef, nExport, nElem, nData,
      nCode, nNamed;
  uint32_t iFunc, iTable, iMem, iGlobal;   /* running indices in pass 2 */
  bool hasStart;
  uint32_t startFunc;
} WatParser;

/* Helpers shared between wat_module.c and wat_instr.c. */
Token *wat_cur(WatParser *p);
Token *wat_peek(WatParser *p, uint32_t k);
bool wat_fail(WatParser *p, const Token *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool wat_unexpected(WatParser *p, const Token *t);
bool wat_expect_lpar(WatParser *p);
bool wat_expect_rpar(WatParser *p);
bool wat_is_lpar_kw(WatParser *p, const char *kw);   /* cur is '(' then keyword kw */
bool wat_valtype(WatParser *p, uint8_t *out);        /* consumes a value type keyword */
bool wat_index(WatParser *p, NameSpace *ns, const char *what, uint32_t *out);
bool wat_ns_add(WatParser *p, NameSpace *ns, const Token *id, const char *what);
int64_t wat_ns_find(const NameSpace *ns, const char *z, uint32_t n);
/* Parses `(type x)? (param ...)* (result ...)*`; fills *ft (owned by caller)
** and *typeIdx (-1 if no (type x) was given). allowNames: params may have ids
** (added to p->locals when addLocals). */
bool wat_typeuse(WatParser *p, bool allowNames, bool addLocals, FuncType *ft,
                 int64_t *typeIdx);
/* Resolves a parsed type use to a type index (checking (type x) against the
** inline types, or finding/appending a matching type). */
bool wat_typeuse_index(WatParser *p, const Token *at, FuncType *ft, int64_t typeIdx,
                       uint32_t *out);
void wat_functype_free(FuncType *ft);

/* Instructions (wat_instr.c): parses instructions up to ')' / EOF / end /
** else (not consumed), appending their encoding to out. */
bool wat_instrs(WatParser *p, Buf *out);
/* One folded instruction `( ... )` (used for offset/item abbreviations). */
bool wat_folded1(WatParser *p, Buf *out);
/* A constant/offset expression up to ')' plus the final end opcode. */
bool wat_expr(WatParser *p, Buf *out);

/* Encoding (wat_encode.c) */
void wat_name(Buf *b, const uint8_t *z, size_t n);
void wat_assemble(WatParser *p, Buf *out);

#endif
