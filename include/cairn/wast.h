/*
** wast.h: spec test scripts (WAST) as data, for runners such as `cairn wast`.
**
** cairn_wast_parse splits a script into commands; a module given in text is
** only located (its text is converted later with cairn_wat_to_wasm), so a
** malformed module text fails its own command, not the whole script.
*/
#ifndef CAIRN_WAST_H
#define CAIRN_WAST_H

#include "cairn/cairn.h"

#ifdef __cplusplus
extern "C" {
#endif


typedef enum cairn_wast_cmdkind {
  CAIRN_WAST_MODULE,               /* define (and instantiate) a module */
  CAIRN_WAST_REGISTER,             /* (register "name" $id?) */
  CAIRN_WAST_ACTION,               /* bare (invoke ...) or (get ...) */
  CAIRN_WAST_ASSERT_RETURN,
  CAIRN_WAST_ASSERT_TRAP,          /* action form, or module form (instantiation traps) */
  CAIRN_WAST_ASSERT_EXHAUSTION,
  CAIRN_WAST_ASSERT_MALFORMED,
  CAIRN_WAST_ASSERT_INVALID,
  CAIRN_WAST_ASSERT_UNLINKABLE,
  CAIRN_WAST_ASSERT_UNINSTANTIABLE
} cairn_wast_cmdkind;

typedef enum cairn_wast_modform {
  CAIRN_WMOD_TEXT,    /* text: src/n is the whole `(module ...)` form, parse with text_parse_module */
  CAIRN_WMOD_BINARY,  /* (module binary "..."): bytes in aBytes/nBytes */
  CAIRN_WMOD_QUOTE    /* (module quote "..."): the concatenated strings in src/n (owned) */
} cairn_wast_modform;

typedef struct cairn_wast_module {
  cairn_wast_modform form;
  char *zId;            /* "$name" without '$', or NULL; owned */
  const char *src;      /* TEXT: points into the script; QUOTE: owned */
  size_t n;
  uint8_t *aBytes;      /* BINARY: owned */
  size_t nBytes;
  int line, col;        /* position of the form in the script (for error offsets) */
} cairn_wast_module;

/* Expected-value patterns (arguments are always CAIRN_WV_EXACT). */
typedef enum cairn_wast_valkind {
  CAIRN_WV_EXACT,             /* bits must equal (floats bitwise) */
  CAIRN_WV_NAN_CANONICAL,     /* f32/f64: canonical NaN, either sign */
  CAIRN_WV_NAN_ARITHMETIC,    /* f32/f64: NaN with the quiet bit set, either sign */
  CAIRN_WV_REF_NULL,          /* ref.null func|extern */
  CAIRN_WV_REF_EXTERN,        /* ref.extern N: bits = N */
  CAIRN_WV_REF_FUNC           /* ref.func: any non-null funcref */
} cairn_wast_valkind;

typedef struct cairn_wast_value {
  cairn_valtype type;
  cairn_wast_valkind kind;
  uint64_t bits;        /* i32/f32 in the low 32 bits, i64/f64, ref.extern N */
  uint8_t v128[16];     /* v128 bytes (little endian) */
  /* v128 expectations given per lane (f32x4/f64x2 with NaN patterns):
  ** nLane = 0 means compare all 16 bytes exactly. */
  uint8_t nLane;        /* 0, 4 (f32x4) or 2 (f64x2) */
  cairn_wast_valkind aLaneKind[4];
} cairn_wast_value;

typedef struct cairn_wast_action {
  bool isGet;           /* (get ...) rather than (invoke ...) */
  char *zModule;        /* module id without '$', or NULL for the latest; owned */
  char *zName;          /* export name (UTF-8, may hold NUL); owned */
  size_t nName;
  uint32_t nArg;
  cairn_wast_value *aArg;      /* owned */
} cairn_wast_action;

typedef struct cairn_wast_cmd {
  cairn_wast_cmdkind kind;
  int line;             /* line of the command in the script */
  cairn_wast_module mod;       /* MODULE and module-form assertions */
  bool hasMod;
  cairn_wast_action action;    /* ACTION, ASSERT_RETURN/TRAP/EXHAUSTION (action form) */
  bool hasAction;
  uint32_t nResult;
  cairn_wast_value *aResult;   /* ASSERT_RETURN expectations; owned */
  char *zText;          /* expected failure message; owned */
  char *zRegName;       /* REGISTER: the name; owned (UTF-8) */
  size_t nRegName;
  char *zRegModule;     /* REGISTER: module id or NULL for the latest; owned */
} cairn_wast_cmd;

typedef struct cairn_wast_script {
  uint32_t nCmd;
  cairn_wast_cmd *aCmd;
} cairn_wast_script;

/* Parses a whole script. src must stay alive while the script is used (TEXT
** modules point into it). Returns false with a MALFORMED error (line:col)
** if the script itself is malformed (a module's own text is only parsed when
** the runner calls text_parse_module on it). Free with cairn_wast_free. */
CAIRN_API bool cairn_wast_parse(const char *src, size_t len, cairn_wast_script *out,
                                cairn_error *err);
CAIRN_API void cairn_wast_free(cairn_wast_script *s);

#ifdef __cplusplus
}
#endif
#endif
