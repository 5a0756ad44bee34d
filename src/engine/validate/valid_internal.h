/*
** valid_internal.h: what the two halves of validate/ share. valid_module.c
** checks the module-level rules and drives valid_code.c, which types one
** function body. Not used outside validate/.
*/
#ifndef CAIRN_VALID_INTERNAL_H
#define CAIRN_VALID_INTERNAL_H

#include "engine/module.h"

/* Reports an INVALID error at byte offset `off`; always returns false. */
bool valid_fail(cairn_error *err, long off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Validates the body of defined function funcIdx of m (m->aFuncDeclared must
** be filled). Returns false with an INVALID (or NOMEM) error. */
bool valid_code(const Module *m, uint32_t funcIdx, cairn_error *err);

/* The same for the defined functions [from, to), reusing one set of
** buffers; stops at the first error, whose function index goes to *pFailed
** (to on success). *pUsesSimd: some body read has a 0xFD instruction.
** Bodies are not walked by the decoder: a malformed one may fail here with
** a rough MALFORMED error; the caller lets decode_check_bodies word it. */
bool valid_code_range(const Module *m, uint32_t from, uint32_t to, uint32_t *pFailed,
                      bool *pUsesSimd, cairn_error *err);

#endif
