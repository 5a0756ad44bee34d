/*
** wat_encode.c: assembles the section buffers built by the text parser into
** a binary module: header, sections in the spec's order with LEB128 sizes, a
** data count section whenever there are data segments, and a "name" custom
** section with function names taken from $ids.
*/
#include <string.h>

#include "text_internal.h"

void wat_name(Buf *b, const uint8_t *z, size_t n) {
  buf_uleb(b, n);
  buf_append(b, z, n);
}

/* Section id, size, count, then the entries. */
static void enc_section(Buf *out, uint8_t id, uint32_t count, const Buf *body) {
  if (count == 0) return;
  Buf tmp;
  buf_init(&tmp);
  buf_uleb(&tmp, count);
  buf_byte(out, id);
  buf_uleb(out, tmp.n + body->n);
  buf_append_buf(out, &tmp);
  buf_append_buf(out, body);
  buf_free(&tmp);
}

void wat_assemble(WatParser *p, Buf *out) {
  static const uint8_t header[8] = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  buf_append(out, header, sizeof header);

  Buf types;
  buf_init(&types);
  for (uint32_t i = 0; i < p->nType; i++) {
    const FuncType *ft = &p->aType[i];
    buf_byte(&types, 0x60);
    buf_uleb(&types, ft->nParam);
    if (ft->nParam) buf_append(&types, ft->a, ft->nParam);
    buf_uleb(&types, ft->nResult);
    if (ft->nResult) buf_append(&types, ft->a + ft->nParam, ft->nResult);
  }
  enc_section(out, 1, p->nType, &types);
  buf_free(&types);

  enc_section(out, 2, p->nImport, &p->secImport);
  enc_section(out, 3, p->nFuncDef, &p->secFunc);
  enc_section(out, 4, p->nTableDef, &p->secTable);
  enc_section(out, 5, p->nMemDef, &p->secMem);
  enc_section(out, 6, p->nGlobalDef, &p->secGlobal);
  enc_section(out, 7, p->nExport, &p->secExport);
  if (p->hasStart) {
    Buf tmp;
    buf_init(&tmp);
    buf_uleb(&tmp, p->startFunc);
    buf_byte(out, 8);
    buf_uleb(out, tmp.n);
    buf_append_buf(out, &tmp);
    buf_free(&tmp);
  }
  enc_section(out, 9, p->nElem, &p->secElem);
  if (p->nData > 0) {
    Buf tmp;
    buf_init(&tmp);
    buf_uleb(&tmp, p->nData);
    buf_byte(out, 12);
    buf_uleb(out, tmp.n);
    buf_append_buf(out, &tmp);
    buf_free(&tmp);
  }
  enc_section(out, 10, p->nCode, &p->secCode);
  enc_section(out, 11, p->nData, &p->secData);

  if (p->nNamed > 0) {
    /* custom section "name", subsection 1 (function names) */
    Buf sub, body;
    buf_init(&sub);
    buf_init(&body);
    buf_uleb(&sub, p->nNamed);
    buf_append_buf(&sub, &p->secNames);
    wat_name(&body, (const uint8_t *)"name", 4);
    buf_byte(&body, 1);
    buf_uleb(&body, sub.n);
    buf_append_buf(&body, &sub);
    buf_byte(out, 0);
    buf_uleb(out, body.n);
    buf_append_buf(out, &body);
    buf_free(&sub);
    buf_free(&body);
  }
}
