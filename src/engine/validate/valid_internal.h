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

#endif
