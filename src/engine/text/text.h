/*
** text.h: the text format (WAT) and spec scripts (WAST).
**
** The text parser turns a module's text into the binary format, so one
** decoder and validator serve both forms. It reports text-level errors
** (syntax, unknown operators, unknown identifiers, out-of-range literals,
** mismatched inline types...) as CAIRN_ERR_MALFORMED with line:col, using the
** wording of the spec suite's assert_malformed texts where one exists
** ("unexpected token", "unknown operator", "unknown label", "constant out of
** range", "alignment", "inline function type", "duplicate func", ...).
*/
#ifndef CAIRN_TEXT_H
#define CAIRN_TEXT_H

#include "base/base.h"

/* Parses one text module: either a `(module $id? field...)` form or a bare
** sequence of module fields (as in `(module quote ...)` strings). A
** `(module binary "...")` form yields its bytes unchanged; `(module quote
** ...)` is parsed as text. Appends the binary module to out. Line and column
** in errors are relative to src (line 1, col 1 at src[0]). */
bool text_parse_module(const char *src, size_t len, Buf *out, cairn_error *err);

/* ---- WAST scripts ---- */

typedef enum WastCmdKind {
  WAST_MODULE,               /* define (and instantiate) a module */
  WAST_REGISTER,             /* (register "name" $id?) */
  WAST_ACTION,               /* bare (invoke ...) or (get ...) */
  WAST_ASSERT_RETURN,
  WAST_ASSERT_TRAP,          /* action form, or module form (instantiation traps) */
  WAST_ASSERT_EXHAUSTION,
  WAST_ASSERT_MALFORMED,
  WAST_ASSERT_INVALID,
  WAST_ASSERT_UNLINKABLE,
  WAST_ASSERT_UNINSTANTIABLE
} WastCmdKind;

typedef enum WastModForm {
  WMOD_TEXT,    /* text: src/n is the whole `(module ...)` form, parse with text_parse_module */
  WMOD_BINARY,  /* (module binary "..."): bytes in aBytes/nBytes */
  WMOD_QUOTE    /* (module quote "..."): the concatenated strings in src/n (owned) */
} WastModForm;

typedef struct WastModule {
  WastModForm form;
  char *zId;            /* "$name" without '$', or NULL; owned */
  const char *src;      /* TEXT: points into the script; QUOTE: owned */
  size_t n;
  uint8_t *aBytes;      /* BINARY: owned */
  size_t nBytes;
  int line, col;        /* position of the form in the script (for error offsets) */
} WastModule;

/* Expected-value patterns (arguments are always WV_EXACT). */
typedef enum WastValKind {
  WV_EXACT,             /* bits must equal (floats bitwise) */
  WV_NAN_CANONICAL,     /* f32/f64: canonical NaN, either sign */
  WV_NAN_ARITHMETIC,    /* f32/f64: NaN with the quiet bit set, either sign */
  WV_REF_NULL,          /* ref.null func|extern */
  WV_REF_EXTERN,        /* ref.extern N: bits = N */
  WV_REF_FUNC           /* ref.func: any non-null funcref */
} WastValKind;

typedef struct WastValue {
  cairn_valtype type;
  WastValKind kind;
  uint64_t bits;        /* i32/f32 in the low 32 bits, i64/f64, ref.extern N */
  uint8_t v128[16];     /* v128 bytes (little endian) */
  /* v128 expectations given per lane (f32x4/f64x2 with NaN patterns):
  ** nLane = 0 means compare all 16 bytes exactly. */
  uint8_t nLane;        /* 0, 4 (f32x4) or 2 (f64x2) */
  WastValKind aLaneKind[4];
} WastValue;

typedef struct WastAction {
  bool isGet;           /* (get ...) rather than (invoke ...) */
  char *zModule;        /* module id without '$', or NULL for the latest; owned */
  char *zName;          /* export name (UTF-8, may hold NUL); owned */
  size_t nName;
  uint32_t nArg;
  WastValue *aArg;      /* owned */
} WastAction;

typedef struct WastCmd {
  WastCmdKind kind;
  int line;             /* line of the command in the script */
  WastModule mod;       /* MODULE and module-form assertions */
  bool hasMod;
  WastAction action;    /* ACTION, ASSERT_RETURN/TRAP/EXHAUSTION (action form) */
  bool hasAction;
  uint32_t nResult;
  WastValue *aResult;   /* ASSERT_RETURN expectations; owned */
  char *zText;          /* expected failure message; owned */
  char *zRegName;       /* REGISTER: the name; owned (UTF-8) */
  size_t nRegName;
  char *zRegModule;     /* REGISTER: module id or NULL for the latest; owned */
} WastCmd;

typedef struct WastScript {
  uint32_t nCmd;
  WastCmd *aCmd;
} WastScript;

/* Parses a whole script. src must stay alive while the script is used (TEXT
** modules point into it). Returns false with a MALFORMED error (line:col)
** if the script itself is malformed (a module's own text is only parsed when
** the runner calls text_parse_module on it). Free with wast_free. */
bool wast_parse(const char *src, size_t len, WastScript *out, cairn_error *err);
void wast_free(WastScript *s);

#endif
