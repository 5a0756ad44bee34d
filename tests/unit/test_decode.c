/*
** test_decode.c: the binary decoder and validator on hand-made modules:
** section contents, the name section, decode_instr immediates and br_table
** labels, and errors (kind, spec wording, byte offset).
*/
#include <stdio.h>
#include <string.h>

#include "engine/module.h"

static int nCheck, nFail;

#define CHECK(cond, ...)                          \
  do {                                            \
    nCheck++;                                     \
    if (!(cond)) {                                \
      nFail++;                                    \
      printf("FAIL %s:%d: ", __FILE__, __LINE__); \
      printf(__VA_ARGS__);                        \
      printf("\n");                               \
    }                                             \
  } while (0)

/* ---- a tiny module builder ---- */

static void mod_begin(Buf *b) {
  buf_init(b);
  buf_append(b, "\0asm\1\0\0\0", 8);
}

/* Appends section id with the given content. */
static void mod_section(Buf *b, uint8_t id, const char *content, size_t n) {
  buf_byte(b, id);
  buf_uleb(b, n);
  buf_append(b, content, n);
}
#define SEC(b, id, lit) mod_section(b, id, lit, sizeof(lit) - 1)

/* Decodes and validates; returns the error kind (CAIRN_OK on success). */
static cairn_errkind run(const Buf *b, cairn_error *err, Module **pm) {
  base_error_clear(err);
  Module *m = decode_module(b->aData, b->n, err);
  if (!m) return err->kind;
  if (!validate_module(m, err)) {
    module_free(m);
    return err->kind;
  }
  if (pm)
    *pm = m;
  else
    module_free(m);
  return CAIRN_OK;
}

static void expect_error(const Buf *b, cairn_errkind kind, const char *msg, long offset,
                         const char *what) {
  cairn_error err;
  cairn_errkind got = run(b, &err, NULL);
  CHECK(got == kind, "%s: kind %d, want %d (%s)", what, got, kind, err.msg);
  CHECK(strncmp(err.msg, msg, strlen(msg)) == 0, "%s: message '%s', want '%s'", what, err.msg,
        msg);
  if (offset >= 0)
    CHECK(err.offset == offset, "%s: offset %ld, want %ld", what, err.offset, offset);
}

static void test_header(void) {
  Buf b;
  buf_init(&b);
  expect_error(&b, CAIRN_ERR_MALFORMED, "unexpected end", -1, "empty input");
  buf_append(&b, "\0as", 3);
  expect_error(&b, CAIRN_ERR_MALFORMED, "unexpected end", -1, "short magic");
  buf_free(&b);
  buf_append(&b, "\0asm\2\0\0\0", 8);
  expect_error(&b, CAIRN_ERR_MALFORMED, "unknown binary version", 4, "version 2");
  buf_free(&b);
  buf_append(&b, "\0wasm\1\0\0", 8);
  expect_error(&b, CAIRN_ERR_MALFORMED, "magic header not detected", 0, "bad magic");
  buf_free(&b);
  mod_begin(&b);
  cairn_error err;
  Module *m = NULL;
  CHECK(run(&b, &err, &m) == CAIRN_OK, "empty module: %s", err.msg);
  if (m) CHECK(m->nType == 0 && m->nFunc == 0 && m->nExport == 0, "empty module counts");
  module_free(m);
  buf_free(&b);
}

/* (func $inc (export "inc") (param i32) (result i32) local.get 0 i32.const 1 i32.add)
** plus a name section naming module "m" and function 0 "inc". */
static void test_simple_module(void) {
  Buf b;
  mod_begin(&b);
  SEC(&b, 1, "\x01\x60\x01\x7f\x01\x7f");                      /* type 0: [i32] -> [i32] */
  SEC(&b, 3, "\x01\x00");                                      /* func 0: type 0 */
  SEC(&b, 7, "\x01\x03inc\x00\x00");                           /* export "inc" func 0 */
  SEC(&b, 10, "\x01\x09\x01\x02\x7e\x20\x00\x41\x01\x6a\x0b"); /* 2 i64 locals, body */
  SEC(&b, 0, "\x04name\x00\x02\x01m\x01\x06\x01\x00\x03inc");
  cairn_error err;
  Module *m = NULL;
  CHECK(run(&b, &err, &m) == CAIRN_OK, "simple module: %s", err.msg);
  if (m) {
    CHECK(m->nType == 1 && m->aType[0].nParam == 1 && m->aType[0].nResult == 1 &&
              m->aType[0].aType[0] == VT_I32 && m->aType[0].aPublic[1] == CAIRN_I32,
          "type section");
    CHECK(m->nFunc == 1 && m->nFuncImport == 0 && m->aFunc[0].nLocal == 2 &&
              m->aFunc[0].nLocalGroup == 1 && m->aFunc[0].aLocalGroup[0].type == VT_I64,
          "function and locals");
    CHECK(m->nExport == 1 && m->aExport[0].name.n == 3 &&
              memcmp(m->aExport[0].name.z, "inc", 3) == 0,
          "export");
    CHECK(m->aFunc[0].nBody == 6 && m->aFunc[0].pBody[m->aFunc[0].nBody - 1] == 0x0B,
          "body range ends with end");
    CHECK(m->aFunc[0].name.n == 3 && memcmp(m->aFunc[0].name.z, "inc", 3) == 0,
          "function name from the name section");
    CHECK(m->name.n == 1 && m->name.z[0] == 'm', "module name");
    CHECK(m->aFuncDeclared && m->aFuncDeclared[0], "exported function is declared");
    /* walk the body with the shared reader */
    const uint8_t *p = m->aFunc[0].pBody, *end = p + m->aFunc[0].nBody;
    WasmOp want[] = {OP_LOCAL_GET, OP_I32_CONST, OP_I32_ADD, OP_END};
    Instr in;
    for (int i = 0; i < 4; i++) {
      bool ok = decode_instr(p, end, m->aBytes, &in, &err);
      CHECK(ok && in.op == want[i], "instruction %d: op %d, want %d", i, in.op, want[i]);
      if (!ok) break;
      if (i == 1) CHECK(in.bits == 1 && in.len == 2, "i32.const immediate");
      p += in.len;
    }
    CHECK(p == end, "body walk ends at the body's end");
  }
  module_free(m);
  buf_free(&b);

  /* a malformed name section (bad UTF-8 in the function name) is ignored */
  mod_begin(&b);
  SEC(&b, 1, "\x01\x60\x00\x00");
  SEC(&b, 3, "\x01\x00");
  SEC(&b, 10, "\x01\x02\x00\x0b");
  SEC(&b, 0, "\x04name\x01\x05\x01\x00\x02\xc0\x80");
  m = NULL;
  CHECK(run(&b, &err, &m) == CAIRN_OK, "bad name section is not an error: %s", err.msg);
  if (m) CHECK(m->aFunc[0].name.n == 0, "bad name section leaves no name");
  module_free(m);
  buf_free(&b);
}

static void test_instr_reader(void) {
  cairn_error err;
  Instr in;
  /* br_table with one-byte labels: fast path */
  static const uint8_t a1[] = {0x0E, 0x03, 0x00, 0x01, 0x02, 0x05};
  CHECK(decode_instr(a1, a1 + sizeof a1, a1, &in, &err) && in.op == OP_BR_TABLE && in.a == 3 &&
            in.b == 5 && in.len == sizeof a1,
        "br_table decode");
  CHECK(decode_br_table_label(&in, 0) == 0 && decode_br_table_label(&in, 2) == 2 &&
            decode_br_table_label(&in, 3) == 5,
        "br_table labels (one byte each)");
  /* multi-byte labels and count */
  static const uint8_t a2[] = {0x0E, 0x82, 0x00, 0x80, 0x01, 0x07, 0x81, 0x80, 0x00};
  CHECK(decode_instr(a2, a2 + sizeof a2, a2, &in, &err) && in.a == 2 && in.b == 1,
        "br_table with long LEBs");
  CHECK(decode_br_table_label(&in, 0) == 128 && decode_br_table_label(&in, 1) == 7 &&
            decode_br_table_label(&in, 2) == 1,
        "br_table labels (multi-byte)");
  /* memarg, prefixed opcodes, constants */
  static const uint8_t a3[] = {0x28, 0x02, 0x80, 0x01};
  CHECK(decode_instr(a3, a3 + 4, a3, &in, &err) && in.op == OP_I32_LOAD && in.a == 2 &&
            in.offset == 128,
        "memarg");
  static const uint8_t a4[] = {0xFC, 0x0E, 0x01, 0x02};
  CHECK(decode_instr(a4, a4 + 4, a4, &in, &err) && in.op == OP_TABLE_COPY && in.a == 1 &&
            in.b == 2,
        "table.copy");
  static const uint8_t a5[] = {0x44, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F};
  CHECK(decode_instr(a5, a5 + 9, a5, &in, &err) && in.op == OP_F64_CONST &&
            in.bits == 0x3FF0000000000000ull,
        "f64.const");
  static const uint8_t a6[] = {0x42, 0x7F};
  CHECK(decode_instr(a6, a6 + 2, a6, &in, &err) && in.bits == UINT64_MAX, "i64.const -1");
  static const uint8_t a7[] = {0x02, 0x7F};
  CHECK(decode_instr(a7, a7 + 2, a7, &in, &err) && in.btKind == BT_VAL && in.btVal == VT_I32,
        "block type value");
  static const uint8_t a8[] = {0x03, 0x05};
  CHECK(decode_instr(a8, a8 + 2, a8, &in, &err) && in.btKind == BT_TYPE && in.a == 5,
        "block type index");
  /* errors, with offsets relative to base */
  static const uint8_t e1[] = {0x00, 0x06};
  CHECK(!decode_instr(e1 + 1, e1 + 2, e1, &in, &err) && err.kind == CAIRN_ERR_MALFORMED &&
            strncmp(err.msg, "illegal opcode", 14) == 0 && err.offset == 1,
        "illegal opcode at offset 1: %s @%ld", err.msg, err.offset);
  static const uint8_t e2[] = {0x40, 0x01};
  CHECK(!decode_instr(e2, e2 + 2, e2, &in, &err) &&
            strcmp(err.msg, "zero byte expected") == 0 && err.offset == 1,
        "memory.grow reserved byte");
  static const uint8_t e3[] = {0x41, 0x80};
  CHECK(!decode_instr(e3, e3 + 2, e3, &in, &err) && strncmp(err.msg, "unexpected end", 14) == 0,
        "truncated i32.const");
  static const uint8_t e4[] = {0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  CHECK(!decode_instr(e4, e4 + 7, e4, &in, &err) &&
            strcmp(err.msg, "integer representation too long") == 0,
        "i32.const too long");
  static const uint8_t e5[] = {0xD0, 0x7F};
  CHECK(!decode_instr(e5, e5 + 2, e5, &in, &err) &&
            strcmp(err.msg, "malformed reference type") == 0,
        "ref.null i32");
}

static void test_section_errors(void) {
  Buf b;
  mod_begin(&b);
  SEC(&b, 1, "\x00");
  SEC(&b, 1, "\x00");
  expect_error(&b, CAIRN_ERR_MALFORMED, "unexpected content after last section", 11,
               "duplicate type section");
  buf_free(&b);

  mod_begin(&b);
  SEC(&b, 13, "");
  expect_error(&b, CAIRN_ERR_MALFORMED, "malformed section id", 8, "section id 13");
  buf_free(&b);

  mod_begin(&b);
  SEC(&b, 1, "\x00\x00");
  expect_error(&b, CAIRN_ERR_MALFORMED, "section size mismatch", 10, "section too long");
  buf_free(&b);

  mod_begin(&b);
  buf_append(&b, "\x01\x10\x00", 3);
  expect_error(&b, CAIRN_ERR_MALFORMED, "length out of bounds", 9, "section past the end");
  buf_free(&b);

  mod_begin(&b);
  SEC(&b, 1, "\x01\x60\x00\x00");
  SEC(&b, 3, "\x02\x00\x00");
  SEC(&b, 10, "\x01\x02\x00\x0b");
  expect_error(&b, CAIRN_ERR_MALFORMED, "function and code section have inconsistent lengths",
               -1, "2 functions, 1 body");
  buf_free(&b);

  mod_begin(&b);
  SEC(&b, 2, "\x01\x01m\x01x\x04");
  expect_error(&b, CAIRN_ERR_MALFORMED, "malformed import kind", 15, "import kind 4");
  buf_free(&b);

  mod_begin(&b);
  SEC(&b, 7, "\x01\x02\xff\xfe\x00\x00");
  expect_error(&b, CAIRN_ERR_MALFORMED, "malformed UTF-8 encoding", 11, "bad export name");
  buf_free(&b);

  mod_begin(&b);
  SEC(&b, 1, "\x01\x60\x00\x00");
  SEC(&b, 3, "\x01\x00");
  SEC(&b, 10, "\x01\x0a\x02\xff\xff\xff\xff\x0f\x7f\x02\x7e\x0b");
  expect_error(&b, CAIRN_ERR_MALFORMED, "too many locals", -1, "2^32 locals");
  buf_free(&b);

  /* body without its end, followed by another body: END opcode expected */
  mod_begin(&b);
  SEC(&b, 1, "\x01\x60\x00\x00");
  SEC(&b, 3, "\x02\x00\x00");
  SEC(&b, 10, "\x02\x02\x00\x01\x03\x00\x05\x0b");
  expect_error(&b, CAIRN_ERR_MALFORMED, "END opcode expected", -1, "else outside if");
  buf_free(&b);

  /* global with bad mutability */
  mod_begin(&b);
  SEC(&b, 6, "\x01\x7f\x02\x41\x00\x0b");
  expect_error(&b, CAIRN_ERR_MALFORMED, "malformed mutability", 12, "mutability 2");
  buf_free(&b);
}

static void test_segments(void) {
  /* table, two functions, element segments in encodings 0, 5 and 3, one
  ** declarative one making ref.func 1 legal in function 0's body */
  Buf b;
  mod_begin(&b);
  SEC(&b, 1, "\x01\x60\x00\x00");
  SEC(&b, 3, "\x02\x00\x00");
  SEC(&b, 4, "\x01\x70\x00\x02");
  SEC(&b, 9,
      "\x03"
      "\x00\x41\x00\x0b\x01\x00" /* active, table 0, funcs [0] */
      "\x05\x70\x01\xd2\x00\x0b" /* passive, exprs [ref.func 0] */
      "\x03\x00\x01\x01");       /* declarative, funcs [1] */
  SEC(&b, 10, "\x02\x05\x00\xd2\x01\x1a\x0b\x02\x00\x0b");
  cairn_error err;
  Module *m = NULL;
  CHECK(run(&b, &err, &m) == CAIRN_OK, "element segments: %s", err.msg);
  if (m) {
    CHECK(m->nElem == 3, "three element segments");
    CHECK(m->aElem[0].mode == SEG_ACTIVE && m->aElem[0].nInit == 1 && m->aElem[0].aFuncIdx &&
              m->aElem[0].offset.n == 3,
          "active funcidx segment");
    CHECK(
        m->aElem[1].mode == SEG_PASSIVE && m->aElem[1].aInit && m->aElem[1].type == VT_FUNCREF,
        "passive expression segment");
    CHECK(m->aElem[2].mode == SEG_DECLARATIVE && m->aFuncDeclared[1], "declarative segment");
  }
  module_free(m);
  buf_free(&b);

  /* the same without the declarative segment: ref.func 1 is undeclared */
  mod_begin(&b);
  SEC(&b, 1, "\x01\x60\x00\x00");
  SEC(&b, 3, "\x02\x00\x00");
  SEC(&b, 10, "\x02\x05\x00\xd2\x01\x1a\x0b\x02\x00\x0b");
  long off = (long)b.n - 10 + 3; /* ref.func inside body 0 */
  expect_error(&b, CAIRN_ERR_INVALID, "undeclared function reference", off,
               "undeclared ref.func");
  buf_free(&b);

  /* data count */
  mod_begin(&b);
  SEC(&b, 5, "\x01\x00\x01");
  SEC(&b, 12, "\x02");
  SEC(&b, 11, "\x01\x01\x01x");
  expect_error(&b, CAIRN_ERR_MALFORMED, "data count and data section have inconsistent lengths",
               -1, "data count 2, 1 segment");
  buf_free(&b);

  mod_begin(&b);
  SEC(&b, 1, "\x01\x60\x00\x00");
  SEC(&b, 3, "\x01\x00");
  SEC(&b, 5, "\x01\x00\x01");
  SEC(&b, 10, "\x01\x05\x00\xfc\x09\x00\x0b");
  SEC(&b, 11, "\x01\x01\x01x");
  expect_error(&b, CAIRN_ERR_MALFORMED, "data count section required", -1,
               "data.drop, no count");
  buf_free(&b);
}

static void test_validation(void) {
  Buf b;
  /* i32.add on an empty stack: offset of the i32.add */
  mod_begin(&b);
  SEC(&b, 1, "\x01\x60\x00\x00");
  SEC(&b, 3, "\x01\x00");
  SEC(&b, 10, "\x01\x03\x00\x6a\x0b");
  expect_error(&b, CAIRN_ERR_INVALID, "type mismatch", (long)b.n - 2,
               "i32.add without operands");
  buf_free(&b);

  /* unreachable makes the stack polymorphic */
  mod_begin(&b);
  SEC(&b, 1, "\x01\x60\x00\x01\x7f");
  SEC(&b, 3, "\x01\x00");
  SEC(&b, 10, "\x01\x04\x00\x00\x6a\x0b");
  cairn_error err;
  CHECK(run(&b, &err, NULL) == CAIRN_OK, "unreachable; i32.add: %s", err.msg);
  buf_free(&b);

  /* multi-value block with params: (i32 i32) -> (i32) via type 1 */
  mod_begin(&b);
  SEC(&b, 1, "\x02\x60\x00\x01\x7f\x60\x02\x7f\x7f\x01\x7f");
  SEC(&b, 3, "\x01\x00");
  SEC(&b, 10, "\x01\x0a\x00\x41\x01\x41\x02\x02\x01\x6a\x0b\x0b");
  CHECK(run(&b, &err, NULL) == CAIRN_OK, "block with params: %s", err.msg);
  buf_free(&b);

  /* unknown local / global / memory, immutable global, alignment */
  struct {
    const char *body;
    size_t n;
    const char *msg;
    size_t at; /* offset of the offending instruction in the body */
  } aCase[] = {
      {"\x00\x20\x05\x1a\x0b", 5, "unknown local", 1},
      {"\x00\x23\x00\x1a\x0b", 5, "unknown global", 1},
      {"\x00\x41\x00\x28\x02\x00\x1a\x0b", 8, "unknown memory", 3},
      {"\x00\x0c\x01\x0b", 4, "unknown label", 1},
      {"\x00\x10\x09\x0b", 4, "unknown function", 1},
  };
  for (size_t i = 0; i < sizeof aCase / sizeof aCase[0]; i++) {
    mod_begin(&b);
    SEC(&b, 1, "\x01\x60\x00\x00");
    SEC(&b, 3, "\x01\x00");
    Buf code;
    buf_init(&code);
    buf_byte(&code, 1);
    buf_uleb(&code, aCase[i].n);
    buf_append(&code, aCase[i].body, aCase[i].n);
    mod_section(&b, 10, (const char *)code.aData, code.n);
    buf_free(&code);
    expect_error(&b, CAIRN_ERR_INVALID, aCase[i].msg, (long)(b.n - aCase[i].n + aCase[i].at),
                 aCase[i].msg);
    buf_free(&b);
  }

  mod_begin(&b);
  SEC(&b, 5, "\x01\x01\x02\x01");
  expect_error(&b, CAIRN_ERR_INVALID, "size minimum must not be greater than maximum", -1,
               "memory min > max");
  buf_free(&b);
  mod_begin(&b);
  SEC(&b, 5, "\x01\x00\x81\x80\x04");
  expect_error(&b, CAIRN_ERR_INVALID, "memory size must be at most 65536 pages (4GiB)", -1,
               "memory of 65537 pages");
  buf_free(&b);
  mod_begin(&b);
  SEC(&b, 5, "\x02\x00\x00\x00\x00");
  expect_error(&b, CAIRN_ERR_INVALID, "multiple memories", -1, "two memories");
  buf_free(&b);
  mod_begin(&b);
  SEC(&b, 5, "\x01\x00\x00");
  SEC(&b, 7, "\x02\x01m\x02\x00\x01m\x02\x00");
  expect_error(&b, CAIRN_ERR_INVALID, "duplicate export name", -1, "two exports named m");
  buf_free(&b);
  mod_begin(&b);
  SEC(&b, 6, "\x01\x7f\x00\x41\x00\x41\x00\x6a\x0b");
  expect_error(&b, CAIRN_ERR_INVALID, "constant expression required", -1,
               "i32.add in a global");
  buf_free(&b);
  mod_begin(&b);
  SEC(&b, 1, "\x01\x60\x01\x7f\x00");
  SEC(&b, 3, "\x01\x00");
  SEC(&b, 8, "\x00");
  SEC(&b, 10, "\x01\x02\x00\x0b");
  expect_error(&b, CAIRN_ERR_INVALID, "start function", -1, "start with a parameter");
  buf_free(&b);
}

int main(void) {
  test_header();
  test_simple_module();
  test_instr_reader();
  test_section_errors();
  test_segments();
  test_validation();
  printf(
      "test_decode: %d checks (header, sections, name section, instruction reader, "
      "br_table labels, segments, data count, validation errors with offsets), %d failed\n",
      nCheck, nFail);
  return nFail != 0;
}
