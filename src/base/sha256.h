/*
** sha256.h: one-shot SHA-256 with the CPU's SHA instructions where it has
** them (x86-64 SHA extensions, AArch64 SHA2), else libsodium's portable code.
** Loading a .cwasm hashes every byte of it, which made the hash the largest
** part of a load; the instructions are several times faster.
*/
#ifndef CAIRN_SHA256_H
#define CAIRN_SHA256_H

#include <stddef.h>
#include <stdint.h>

void base_sha256(const void *p, size_t n, uint8_t out[32]);

/* Which implementation base_sha256 uses here: "x86-sha", "arm-sha2" or
** "portable" (for tests and benchmarks). */
const char *base_sha256_impl(void);

/* The same hash with the portable code only (tests compare the two). */
void base_sha256_portable(const void *p, size_t n, uint8_t out[32]);

#endif
