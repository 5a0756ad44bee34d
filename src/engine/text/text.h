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

#include "cairn/wast.h"

#endif
