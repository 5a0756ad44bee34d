/*
** test_text.c: unit tests of the text format: lexer (tokens, strings,
** comments, positions), literal edge cases (integer ranges, underscores,
** correctly rounded floats, NaN payloads), modules with exact expected bytes,
** error messages with their line:col, the WAST script parser and
** cairn_wat_to_wasm. Prints each group it checked; exits non-zero on failure.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/cairn.h"
#include "engine/text/text.h"
#include "engine/text/text_internal.h"

static int nFail, nCheck;

#define CHECK(cond, ...)                                   \
  do {                                                     \
    nCheck++;                                              \
    if (!(cond)) {                                         \
      nFail++;                                             \
      printf("  FAIL %s:%d: ", __FILE__, __LINE__);        \
      printf(__VA_ARGS__);                                 \
      printf("\n");                                        \
    }                                                      \
  } while (0)

/* ---- lexer ---- */

static void test_lexer(void) {
  const char *src =
      "(module ;; line comment\n"
      "  (; block (; nested ;) ;) $id\n"
      "\t\"a\\tb\\n\\\"\\'\\\\\\41\\u{1F600}\" 0x1_0 -5 nan:0x1 _x offset=4)";
  TokList tl;
  cairn_error err;
  bool ok = text_lex(src, strlen(src), &tl, &err);
  CHECK(ok, "lex failed: %s", err.msg);
  if (!ok) return;
  static const TokKind kinds[] = {TK_LPAR, TK_KEYWORD, TK_ID,      TK_STRING, TK_NUM,
                                  TK_NUM,  TK_KEYWORD, TK_RESERVED, TK_KEYWORD, TK_RPAR,
                                  TK_EOF};
  CHECK(tl.n == sizeof kinds / sizeof kinds[0], "token count %u", tl.n);
  for (uint32_t i = 0; i < tl.n && i < sizeof kinds / sizeof kinds[0]; i++)
    CHECK(tl.a[i].kind == kinds[i], "token %u kind %d, want %d", i, tl.a[i].kind, kinds[i]);
  if (tl.n >= 4) {
    CHECK(tl.a[2].line == 2 && tl.a[2].col == 28, "$id at %d:%d", tl.a[2].line, tl.a[2].col);
    CHECK(tl.a[3].line == 3 && tl.a[3].col == 2, "string at %d:%d", tl.a[3].line,
          tl.a[3].col);
    const char want[] = "a\tb\n\"'\\A\xF0\x9F\x98\x80";
    CHECK(tl.a[3].nStr == sizeof want - 1 &&
              memcmp(tl.strs.aData + tl.a[3].iStr, want, sizeof want - 1) == 0,
          "string decoding (%u bytes)", tl.a[3].nStr);
  }
  text_toks_free(&tl);

  /* glued tokens are reserved; lexical errors carry positions */
  ok = text_lex("$l\"a\" 0$l", 9, &tl, &err);
  CHECK(ok && tl.n == 3 && tl.a[0].kind == TK_RESERVED && tl.a[1].kind == TK_NUM,
        "glued tokens");
  if (ok) text_toks_free(&tl);
  ok = text_lex("\n  \"abc", 7, &tl, &err);
  CHECK(!ok && err.kind == CAIRN_ERR_MALFORMED && err.line == 2 && err.col == 3,
        "unclosed string at %d:%d", err.line, err.col);
  ok = text_lex("(; (; ;)", 8, &tl, &err);
  CHECK(!ok && err.line == 1 && err.col == 1, "unclosed comment");
  ok = text_lex("\"\\u{D800}\"", 10, &tl, &err);
  CHECK(!ok, "surrogate escape rejected");
  ok = text_lex("\"\\q\"", 4, &tl, &err);
  CHECK(!ok, "bad escape rejected");
  printf("lexer: tokens, positions, string escapes, comments, reserved tokens\n");
}

/* ---- literals ---- */

static void test_ints(void) {
  static const struct {
    const char *z;
    NumResult r;
    uint32_t v;
  } i32[] = {
      {"0", NUM_OK, 0},           {"-2147483648", NUM_OK, 0x80000000u},
      {"4294967295", NUM_OK, 0xFFFFFFFFu}, {"4294967296", NUM_RANGE, 0},
      {"-2147483649", NUM_RANGE, 0}, {"0xffff_ffff", NUM_OK, 0xFFFFFFFFu},
      {"-0x8000_0000", NUM_OK, 0x80000000u}, {"0x1_0000_0000", NUM_RANGE, 0},
      {"1_000", NUM_OK, 1000},    {"+7", NUM_OK, 7},
      {"1__0", NUM_SYNTAX, 0},    {"_1", NUM_SYNTAX, 0},
      {"1_", NUM_SYNTAX, 0},      {"0x", NUM_SYNTAX, 0},
      {"0x_1", NUM_SYNTAX, 0},    {"1x", NUM_SYNTAX, 0},
      {"", NUM_SYNTAX, 0},        {"-", NUM_SYNTAX, 0},
  };
  for (size_t i = 0; i < sizeof i32 / sizeof i32[0]; i++) {
    uint32_t v = 0;
    NumResult r = text_num_i32(i32[i].z, strlen(i32[i].z), &v);
    CHECK(r == i32[i].r && (r != NUM_OK || v == i32[i].v), "i32 %s: r=%d v=%08x", i32[i].z,
          r, v);
  }
  static const struct {
    const char *z;
    NumResult r;
    uint64_t v;
  } i64[] = {
      {"-9223372036854775808", NUM_OK, 0x8000000000000000ull},
      {"18446744073709551615", NUM_OK, UINT64_MAX},
      {"18446744073709551616", NUM_RANGE, 0},
      {"-9223372036854775809", NUM_RANGE, 0},
      {"0x10000000000000000", NUM_RANGE, 0},
      {"-1", NUM_OK, UINT64_MAX},
  };
  for (size_t i = 0; i < sizeof i64 / sizeof i64[0]; i++) {
    uint64_t v = 0;
    NumResult r = text_num_i64(i64[i].z, strlen(i64[i].z), &v);
    CHECK(r == i64[i].r && (r != NUM_OK || v == i64[i].v), "i64 %s: r=%d", i64[i].z, r);
  }
  uint32_t u;
  CHECK(text_num_u32("-1", 2, &u) == NUM_SYNTAX, "u32 rejects a sign");
  printf("literals: i32/i64 ranges, hex, signs, underscore placement\n");
}

static void test_floats(void) {
  static const struct {
    const char *z;
    NumResult r;
    uint32_t v;
  } f32[] = {
      {"0", NUM_OK, 0},
      {"-0.0", NUM_OK, 0x80000000u},
      {"1.5", NUM_OK, 0x3FC00000u},
      {"1.", NUM_OK, 0x3F800000u},
      {"1e1", NUM_OK, 0x41200000u},
      {"1_000.000_1", NUM_OK, 0x447A0002u},
      {"0x1p-149", NUM_OK, 1},
      {"0x1.fffffep127", NUM_OK, 0x7F7FFFFFu},
      {"0x1.fffffefffffffffp127", NUM_OK, 0x7F7FFFFFu},
      {"0x1.ffffffp127", NUM_RANGE, 0},
      {"0x1p128", NUM_RANGE, 0},
      {"1e39", NUM_RANGE, 0},
      {"1e-46", NUM_OK, 0},
      /* just above the midpoint of 1 and 1+2^-23: a double would round to the
      ** midpoint first and then to 1.0; the right answer rounds up */
      {"1.00000005960464477550", NUM_OK, 0x3F800001u},
      {"0x1.000001p0", NUM_OK, 0x3F800000u},   /* tie: to even */
      {"0x1.000003p0", NUM_OK, 0x3F800002u},   /* tie: to even (up) */
      {"inf", NUM_OK, 0x7F800000u},
      {"-inf", NUM_OK, 0xFF800000u},
      {"nan", NUM_OK, 0x7FC00000u},
      {"-nan", NUM_OK, 0xFFC00000u},
      {"nan:0x200000", NUM_OK, 0x7FA00000u},
      {"+nan:0x7f_ffff", NUM_OK, 0x7FFFFFFFu},
      {"nan:0x800000", NUM_RANGE, 0},
      {"nan:0x0", NUM_RANGE, 0},
      {".5", NUM_SYNTAX, 0},
      {"1e", NUM_SYNTAX, 0},
      {"0x1p", NUM_SYNTAX, 0},
      {"1.0e+", NUM_SYNTAX, 0},
      {"_1.0", NUM_SYNTAX, 0},
      {"1._0", NUM_SYNTAX, 0},
      {"nan:canonical", NUM_SYNTAX, 0},
  };
  for (size_t i = 0; i < sizeof f32 / sizeof f32[0]; i++) {
    uint32_t v = 0;
    NumResult r = text_num_f32(f32[i].z, strlen(f32[i].z), &v);
    CHECK(r == f32[i].r && (r != NUM_OK || v == f32[i].v), "f32 %s: r=%d v=%08x", f32[i].z,
          r, v);
  }
  static const struct {
    const char *z;
    NumResult r;
    uint64_t v;
  } f64[] = {
      {"0x1.fffffffffffffp-1023", NUM_OK, 0x0010000000000000ull},  /* tie to even */
      {"0x1p-1074", NUM_OK, 1},
      {"0x1.fffffffffffffp1023", NUM_OK, 0x7FEFFFFFFFFFFFFFull},
      {"0x1.fffffffffffff8p1023", NUM_RANGE, 0},
      {"1e309", NUM_RANGE, 0},
      {"-0x1.8p1", NUM_OK, 0xC008000000000000ull},
      {"nan:0x8000000000000", NUM_OK, 0x7FF8000000000000ull},
      {"nan:0x10000000000000", NUM_RANGE, 0},
      {"123456789012345678901234567890", NUM_OK, 0x45F8EE90FF6C373Eull},
  };
  for (size_t i = 0; i < sizeof f64 / sizeof f64[0]; i++) {
    uint64_t v = 0;
    NumResult r = text_num_f64(f64[i].z, strlen(f64[i].z), &v);
    CHECK(r == f64[i].r && (r != NUM_OK || v == f64[i].v), "f64 %s: r=%d v=%016llx",
          f64[i].z, r, (unsigned long long)v);
  }
  printf("literals: f32/f64 rounding (single rounding, ties to even), ranges, inf, nan payloads\n");
}

/* ---- modules ---- */

static bool parse(const char *src, Buf *b, cairn_error *err) {
  buf_init(b);
  return text_parse_module(src, strlen(src), b, err);
}

static void expect_bytes(const char *src, const uint8_t *want, size_t n) {
  Buf b;
  cairn_error err;
  bool ok = parse(src, &b, &err);
  CHECK(ok, "parse %s: %s", src, err.msg);
  if (ok) {
    bool same = b.n == n && memcmp(b.aData, want, n) == 0;
    CHECK(same, "bytes of %s (%zu bytes, want %zu)", src, b.n, n);
    if (!same) {
      printf("    got:");
      for (size_t i = 0; i < b.n; i++) printf(" %02x", b.aData[i]);
      printf("\n");
    }
  }
  buf_free(&b);
}

static void test_modules(void) {
  static const uint8_t empty[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  expect_bytes("(module)", empty, sizeof empty);
  expect_bytes("", empty, sizeof empty);
  expect_bytes("(module $m) ;; comment", empty, sizeof empty);
  expect_bytes("(module binary \"\\00asm\" \"\\01\\00\\00\\00\")", empty, sizeof empty);

  static const uint8_t m1[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05,
                               0x01, 0x60, 0x00, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x07,
                               0x05, 0x01, 0x01, 0x66, 0x00, 0x00, 0x0a, 0x06, 0x01, 0x04,
                               0x00, 0x41, 0x2a, 0x0b};
  expect_bytes("(module (func (export \"f\") (result i32) (i32.const 42)))", m1, sizeof m1);
  expect_bytes("(module (func (export \"f\") (result i32) i32.const 42))", m1, sizeof m1);
  expect_bytes("(module (func (result i32) (i32.const 42)) (export \"f\" (func 0)))", m1,
               sizeof m1);

  /* implicit types go after the explicit ones; data count section emitted */
  static const uint8_t m2[] = {
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x60, 0x00,
      0x00, 0x60, 0x01, 0x7f, 0x00, 0x03, 0x03, 0x02, 0x01, 0x00, 0x05, 0x03, 0x01,
      0x00, 0x01, 0x0c, 0x01, 0x01, 0x0a, 0x07, 0x02, 0x02, 0x00, 0x0b, 0x02, 0x00,
      0x0b, 0x0b, 0x08, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x68, 0x69};
  expect_bytes(
      "(module (func (param i32)) (type (func)) (func) (memory 1) (data (i32.const 0) "
      "\"hi\"))",
      m2, sizeof m2);

  static const uint8_t m3[] = {
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
      0x03, 0x02, 0x01, 0x00, 0x04, 0x04, 0x01, 0x70, 0x00, 0x02, 0x06, 0x06, 0x01, 0x7e,
      0x01, 0x42, 0x7f, 0x0b, 0x09, 0x08, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x00, 0x00,
      0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b};
  expect_bytes(
      "(module (table 2 funcref) (func) (elem (i32.const 0) 0 0) (global (mut i64) "
      "(i64.const -1)))",
      m3, sizeof m3);

  /* labels, block types, br_table, folded if, memarg */
  static const uint8_t m4[] = {
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7f,
      0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x0a, 0x1c, 0x01,
      0x1a, 0x00, 0x02, 0x7f, 0x41, 0x01, 0x20, 0x00, 0x0e, 0x01, 0x00, 0x00, 0x0b, 0x04,
      0x40, 0x20, 0x00, 0x28, 0x01, 0x08, 0x1a, 0x05, 0x01, 0x0b, 0x20, 0x00, 0x0b};
  expect_bytes(
      "(module (memory 1) (func (param $x i32) (result i32)\n"
      "  (block $b (result i32) (br_table $b $b (i32.const 1) (local.get $x)))\n"
      "  (if (then (drop (i32.load offset=8 align=2 (local.get $x)))) (else nop))\n"
      "  local.get $x))",
      m4, sizeof m4);

  /* a function name gives a "name" custom section at the end */
  Buf b;
  cairn_error err;
  bool ok = parse("(func $hello)", &b, &err);
  static const uint8_t tail[] = {0x04, 'n', 'a', 'm', 'e', 0x01, 0x08, 0x01,
                                 0x00, 0x05, 'h',  'e', 'l', 'l', 'o'};
  CHECK(ok && b.n > sizeof tail && memcmp(b.aData + b.n - sizeof tail, tail, sizeof tail) == 0,
        "name section");
  buf_free(&b);
  ok = parse("(module quote \"(memory 0)\" \"(export \\\"m\\\" (memory 0))\")", &b, &err);
  CHECK(ok && b.n == 8 + 5 + 7, "module quote (%zu bytes)", b.n);
  buf_free(&b);
  printf("modules: exact bytes for sections, implicit types, elem/data/global, labels, "
         "br_table, if, memarg, names, binary/quote forms\n");
}

/* ---- errors ---- */

static void expect_error(const char *src, const char *msg, int line, int col) {
  Buf b;
  cairn_error err;
  bool ok = parse(src, &b, &err);
  buf_free(&b);
  CHECK(!ok, "%s should fail with \"%s\"", src, msg);
  if (ok) return;
  CHECK(err.kind == CAIRN_ERR_MALFORMED && strstr(err.msg, msg) != NULL,
        "%s: got \"%s\", want \"%s\"", src, err.msg, msg);
  CHECK(line == 0 || (err.line == line && err.col == col), "%s: position %d:%d, want %d:%d",
        src, err.line, err.col, line, col);
}

static void test_errors(void) {
  expect_error("(module\n  (func (i32.const 0x)))", "unknown operator", 2, 20);
  expect_error("(func (i32.const 4294967296) drop)", "constant out of range", 1, 18);
  expect_error("(func (f32.const 0x1p128) drop)", "constant out of range", 1, 18);
  expect_error("(func (i32.const) drop)", "unexpected token", 1, 17);
  expect_error("(func (i32.load32 (i32.const 0)))", "unknown operator", 1, 8);
  expect_error("(func br 0drop)", "unknown operator", 1, 10);
  expect_error("(func block end $l)", "mismatching label", 1, 17);
  expect_error("(func i32.const 0 if $a else $b end)", "mismatching label", 1, 30);
  expect_error("(func (block $l (br $m)))", "unknown label", 1, 21);
  expect_error("(memory 1)(func (drop (i32.load align=3 (i32.const 0))))", "alignment", 1,
               33);
  expect_error("(memory 1)(func (drop (i32.load offset=4294967296 (i32.const 0))))",
               "i32 constant", 1, 33);
  expect_error("(memory 0x1_0000_0000)", "i32 constant out of range", 1, 9);
  expect_error("(func $f)\n(func $f)", "duplicate func", 2, 7);
  expect_error("(func (param $a i32) (local $a i32))", "duplicate local", 1, 29);
  expect_error("(global $g i32 (i32.const 0)) (global $g i32 (i32.const 0))",
               "duplicate global", 1, 39);
  expect_error("(func (export \"\\80\"))", "malformed UTF-8 encoding", 1, 15);
  expect_error("(func) (import \"\" \"\" (func))", "import after function", 1, 9);
  expect_error("(memory 0) (import \"\" \"\" (global i32))", "import after memory", 1, 13);
  expect_error("(type $t (func)) (func (type $t) (result i32) (i32.const 0))",
               "inline function type", 1, 24);
  expect_error("(func (result i32) (param i32) (i32.const 0))", "unexpected token", 1, 21);
  expect_error("(func (type $nope))", "unknown type", 1, 13);
  expect_error("(func (call $nope))", "unknown", 1, 13);
  expect_error("(func) (start 0) (start 0)", "multiple start sections", 1, 18);
  expect_error("(data\"a\")", "unknown operator", 1, 2);
  expect_error("(module (func)", "unexpected end", 0, 0);
  expect_error("(module) (module)", "unexpected token", 1, 10);
  expect_error("(func (result i32) (f32.const nan:arithmetic))", "unexpected token", 1, 31);
  printf("errors: spec wording and line:col for literals, labels, alignment, duplicates, "
         "UTF-8, import order, inline types, token separation\n");
}

/* ---- scripts ---- */

static void test_wast(void) {
  const char *src =
      "(module $M (func (export \"f\") (param i32) (result i32) (local.get 0)))\n"
      "(register \"m\" $M)\n"
      "(assert_return (invoke $M \"f\" (i32.const -1)) (i32.const 0xffffffff))\n"
      "(assert_return (invoke \"g\" (f32.const 1.5)) (f32.const nan:canonical)\n"
      "  (f64.const nan:arithmetic) (ref.null extern) (ref.extern 7) (ref.func))\n"
      "(assert_return (invoke \"v\") (v128.const f32x4 1 nan:canonical -0 inf))\n"
      "(assert_return (invoke \"w\") (v128.const i16x8 -1 2 3 4 5 6 7 65535))\n"
      "(module binary \"\\00asm\" \"\\01\\00\\00\\00\")\n"
      "(assert_malformed (module quote \"(func\" \" br 0drop)\") \"unknown operator\")\n"
      "(assert_trap (invoke \"t\") \"unreachable\")\n"
      "(assert_invalid (module (func (result i32))) \"type mismatch\")\n"
      "(get \"glob\")\n";
  cairn_wast_script s;
  cairn_error err;
  bool ok = cairn_wast_parse(src, strlen(src), &s, &err);
  CHECK(ok, "cairn_wast_parse: %s", err.msg);
  if (!ok) return;
  CHECK(s.nCmd == 11, "command count %u", s.nCmd);
  if (s.nCmd == 11) {
    cairn_wast_cmd *c = s.aCmd;
    CHECK(c[0].kind == CAIRN_WAST_MODULE && c[0].mod.form == CAIRN_WMOD_TEXT && c[0].mod.zId &&
              strcmp(c[0].mod.zId, "M") == 0 && c[0].mod.src == src &&
              c[0].mod.n == (size_t)(strchr(src, '\n') - src),
          "text module extent");
    CHECK(c[1].kind == CAIRN_WAST_REGISTER && c[1].nRegName == 1 && c[1].zRegModule &&
              strcmp(c[1].zRegModule, "M") == 0,
          "register");
    CHECK(c[2].kind == CAIRN_WAST_ASSERT_RETURN && c[2].action.nArg == 1 &&
              c[2].action.aArg[0].bits == 0xFFFFFFFFu && c[2].nResult == 1 &&
              strcmp(c[2].action.zModule, "M") == 0 && c[2].line == 3,
          "assert_return i32");
    CHECK(c[3].nResult == 5 && c[3].aResult[0].kind == CAIRN_WV_NAN_CANONICAL &&
              c[3].aResult[1].kind == CAIRN_WV_NAN_ARITHMETIC &&
              c[3].aResult[2].kind == CAIRN_WV_REF_NULL &&
              c[3].aResult[2].type == CAIRN_EXTERNREF &&
              c[3].aResult[3].kind == CAIRN_WV_REF_EXTERN && c[3].aResult[3].bits == 7 &&
              c[3].aResult[4].kind == CAIRN_WV_REF_FUNC && c[3].action.aArg[0].bits == 0x3FC00000u,
          "result patterns");
    cairn_wast_value *v = &c[4].aResult[0];
    CHECK(v->type == CAIRN_V128 && v->nLane == 4 && v->aLaneKind[1] == CAIRN_WV_NAN_CANONICAL &&
              v->aLaneKind[0] == CAIRN_WV_EXACT && v->v128[3] == 0x3F && v->v128[11] == 0x80 &&
              v->v128[15] == 0x7F,
          "v128 f32x4 lanes");
    v = &c[5].aResult[0];
    CHECK(v->nLane == 0 && v->v128[0] == 0xFF && v->v128[1] == 0xFF && v->v128[2] == 2 &&
              v->v128[14] == 0xFF,
          "v128 i16x8");
    CHECK(c[6].kind == CAIRN_WAST_MODULE && c[6].mod.form == CAIRN_WMOD_BINARY && c[6].mod.nBytes == 8,
          "binary module");
    CHECK(c[7].kind == CAIRN_WAST_ASSERT_MALFORMED && c[7].mod.form == CAIRN_WMOD_QUOTE &&
              c[7].mod.n == 15 && strcmp(c[7].zText, "unknown operator") == 0,
          "assert_malformed quote");
    CHECK(c[8].kind == CAIRN_WAST_ASSERT_TRAP && c[8].hasAction && !c[8].hasMod, "assert_trap");
    CHECK(c[9].kind == CAIRN_WAST_ASSERT_INVALID && c[9].hasMod, "assert_invalid");
    CHECK(c[10].kind == CAIRN_WAST_ACTION && c[10].action.isGet, "get");
    Buf b;
    buf_init(&b);
    ok = text_parse_module(c[7].mod.src, c[7].mod.n, &b, &err);
    CHECK(!ok && strstr(err.msg, "unknown operator"), "quoted module rejected");
    buf_free(&b);
  }
  cairn_wast_free(&s);
  ok = cairn_wast_parse("(assert_return (invoke \"f\")", 27, &s, &err);
  CHECK(!ok && err.kind == CAIRN_ERR_MALFORMED, "truncated script rejected");
  printf("wast: modules (text/binary/quote), register, actions, assertions, value patterns\n");
}

/* Bytes of the code section's one body for "(module (func ...))", after the
** locals count: the instruction bytes only. */
static void expect_code(const char *src, const uint8_t *want, size_t n) {
  Buf b;
  cairn_error err;
  bool ok = parse(src, &b, &err);
  CHECK(ok, "parse %s: %s", src, err.msg);
  if (ok) {
    /* the code section is last: ... 0x0A size 0x01 bodysize 0x00 instrs 0x0B */
    bool same = b.n >= n + 1 && memcmp(b.aData + b.n - 1 - n, want, n) == 0 &&
                b.aData[b.n - 1] == 0x0B;
    CHECK(same, "code of %s", src);
  }
  buf_free(&b);
}

static void test_simd(void) {
  static const uint8_t c1[] = {0xFD, 0x0C, 1, 0, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0x7F,
                               0, 0, 0, 0, 0, 0, 0, 0x80, 0x1A};
  expect_code("(func (v128.const i16x8 1 -1 -2 0x7fff 0 0 0 0x8000) drop)", c1, sizeof c1);
  static const uint8_t c2[] = {0xFD, 0x0C, 0, 0, 0x80, 0x3F, 0, 0, 0, 0, 0, 0, 0xC0, 0x7F,
                               0, 0, 0x80, 0xFF, 0x1A};
  expect_code("(func (v128.const f32x4 1 0 nan -inf) drop)", c2, sizeof c2);
  static const uint8_t c3[] = {0xFD, 0x0C, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0,
                               0, 0xFD, 0x15, 3, 0x1A};
  expect_code("(func (i8x16.extract_lane_s 3 (v128.const i8x16 -1 0 0 0 0 0 0 0 128 0 0 0 0 0 0 0)) drop)",
              c3, sizeof c3);
  static const uint8_t c4[] = {0x41, 0, 0x20, 0, 0xFD, 0x55, 0, 8, 7, 0x1A};
  expect_code("(memory 1) (func (param v128) (v128.load16_lane offset=8 align=1 7 (i32.const 0) (local.get 0)) drop)",
              c4, sizeof c4);
  static const uint8_t c5[] = {0x20, 0, 0x20, 0, 0xFD, 0x0D, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                               11, 12, 13, 14, 31, 0x1A};
  expect_code("(func (param v128) local.get 0 local.get 0 i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31 drop)",
              c5, sizeof c5);
  static const uint8_t c6[] = {0x20, 0, 0xFD, 0x80, 0x01, 0x1A};
  expect_code("(func (param v128) (i16x8.abs (local.get 0)) drop)", c6, sizeof c6);
  expect_error("(func (v128.const i8x16 256 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0) drop)",
               "constant out of range", 1, 25);
  expect_error("(func (v128.const i32x4 0 0 0) drop)", "wrong number of lane literals", 0, 0);
  expect_error("(func (v128.const i32x4 0 0 0 0 0) drop)", "wrong number of lane literals", 0, 0);
  expect_error("(func (v128.const 0 0 0 0) drop)", "unexpected token", 1, 19);
  expect_error("(func (v128.const f32x4 nan:0x0 0 0 0) drop)", "constant out of range", 1, 25);
  expect_error("(func (result i32) (i32x4.extract_lane 256 (v128.const i32x4 0 0 0 0)))",
               "malformed lane index", 1, 40);
  expect_error("(func (result i32) (i32x4.extract_lane -1 (v128.const i32x4 0 0 0 0)))",
               "unexpected token", 1, 40);
  expect_error("(func (param v128) (i8x16.shuffle 0 1 2 (local.get 0) (local.get 0)) drop)",
               "invalid lane length", 0, 0);
  expect_error("(func (param v128) (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 1.5"
               " (local.get 0) (local.get 0)) drop)",
               "malformed lane index", 0, 0);
  expect_error("(func (i64x2.min))", "unknown operator", 1, 8);
  printf("simd: v128.const shapes, lanes, memarg+lane, shuffle, lane errors\n");
}

static void test_public(void) {
  uint8_t *out = NULL;
  size_t n = 0;
  cairn_error err;
  const char *src = "(module (memory (data \"abc\")))";
  bool ok = cairn_wat_to_wasm(src, strlen(src), &out, &n, &err);
  CHECK(ok && n > 8 && memcmp(out, "\0asm", 4) == 0, "cairn_wat_to_wasm");
  cairn_free(out);
  ok = cairn_wat_to_wasm("(func", 5, &out, &n, &err);
  CHECK(!ok && err.kind == CAIRN_ERR_MALFORMED && err.line == 1, "cairn_wat_to_wasm error");
  printf("public: cairn_wat_to_wasm\n");
}

int main(void) {
  test_lexer();
  test_ints();
  test_floats();
  test_modules();
  test_errors();
  test_wast();
  test_simd();
  test_public();
  printf("test_text: %d checks, %d failed\n", nCheck, nFail);
  return nFail ? 1 : 0;
}
