/*
** sign.h: signed modules (docs/signing.md). A signature is a Wasm custom
** section named "cairn.signature" appended to a module (or the same bytes
** appended as a trailer to a .cwasm), holding an Ed25519ph signature, made
** with libsodium, over every byte before the section. Key files are one
** line of text with a type tag (keys.c).
**
** Part of the trust service (src/trust/): a client of the public API
** (cairn/cairn.h) and libsodium only. Functions report failures as -1 and a
** message in err (errlen bytes, always NUL-terminated when errlen > 0).
*/
#ifndef CAIRN_TRUST_SIGN_H
#define CAIRN_TRUST_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/cairn.h"

#define TRUST_SIG_SECTION "cairn.signature"   /* custom section name */

/* Byte layout of one signature record (a whole custom section):
**     0  0x00                      custom section id
**     1  0x72                      section size 114 (one-byte LEB128)
**     2  0x0f                      name length 15
**     3  "cairn.signature"         15 bytes
**    18  0x01                      format version
**    19  0x01                      algorithm: Ed25519ph (RFC 8032, SHA-512 prehash)
**    20  public key                32 bytes
**    52  signature                 64 bytes
**   116  (end)
** The signed message is TRUST_SIG_DOMAIN (its 19 bytes, the NUL included)
** followed by every byte of the file before offset 0 of the record. */
#define TRUST_SIG_RECORD 116u
#define TRUST_SIG_PREFIX 18u   /* bytes 0..17: the fixed framing above */
#define TRUST_SIG_VERSION 1u
#define TRUST_SIG_ALG_ED25519PH 1u
#define TRUST_SIG_DOMAIN "cairn-signature-v1"

/* Formats a message into err (errlen bytes) and returns -1: how every
** trust function reports a failure (keys.c). */
int trust_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- keys (keys.c) ---- */

/* Reads an Ed25519 public key file written by `cairn keygen` (K.pub). 0 on
** success; on failure -1 and a message naming the file and the problem in
** err. */
int trust_pubkey_load(const char *path, uint8_t pub[32], char *err, size_t errlen);

/* Reads a secret key file written by `cairn keygen` (K) into sk (libsodium's
** 64-byte form: seed then public key). Refused if the file can be read or
** written by group or others (mode & 077), or is not a secret key file.
** The caller wipes sk (sodium_memzero) when done. */
int trust_seckey_load(const char *path, uint8_t sk[64], char *err, size_t errlen);

/* Writes a new key pair: path (the secret key, created mode 0600 with
** O_EXCL unless force, which replaces an existing file) and path.pub (mode
** 0644). pub (may be NULL) receives the public key. */
int trust_keygen(const char *path, bool force, uint8_t pub[32], char *err, size_t errlen);

/* Reads a comma-separated list of public key files ("a.pub,b.pub") into
** *keys (malloc'd; free with free()) and *nkeys. An empty list or an empty
** item is an error. */
int trust_pubkeys_load_list(const char *list, uint8_t (**keys)[32], size_t *nkeys, char *err,
                            size_t errlen);

/* "ed25519:" and the key in base64 (53 bytes with the NUL). */
#define TRUST_KEY_TEXT 54u
void trust_key_text(const uint8_t pub[32], char out[TRUST_KEY_TEXT]);

/* ---- signatures (sign.c) ---- */

/* Checks every signature section of a Wasm module (or signed .cwasm) in
** bytes[0..len). On success returns 0 and writes the public keys of the
** valid signers (in file order, up to max) to signers, their count to
** *nsigners (0 = unsigned). Returns -1 with a clear message (byte offset
** where meaningful) if any signature is malformed or invalid (tampered), or
** if unsigned bytes follow the last signature. */
int trust_signers(const uint8_t *bytes, size_t len, uint8_t (*signers)[32], size_t max,
                  size_t *nsigners, char *err, size_t errlen);

/* Makes the signature record to append to bytes[0..len) (a Wasm module or
** a .cwasm, signed or not, that the caller has validated): out receives
** TRUST_SIG_RECORD bytes signed with sk. -1 (and why) if a signature
** already in bytes is malformed or invalid; unsigned bytes after the last
** one are fine (the new signature covers them). */
int trust_sign(const uint8_t *bytes, size_t len, const uint8_t sk[64],
               uint8_t out[TRUST_SIG_RECORD], char *err, size_t errlen);

/* The policy of --require-signature: 0 if bytes carry only valid
** signatures (trust_signers) and at least one is by a key of keys[0..nkeys);
** otherwise -1 and why: unsigned, signed only by other keys (named), or
** trust_signers' error. signers (may be NULL) receives the valid signers as
** trust_signers gives them. */
int trust_require(const uint8_t *bytes, size_t len, const uint8_t (*keys)[32], size_t nkeys,
                  uint8_t (*signers)[32], size_t max, size_t *nsigners, char *err,
                  size_t errlen);

/* The check of trust_load_module on a module file's bytes already read:
** 0 if they are a Wasm binary or .cwasm that trust_require accepts;
** otherwise -1 and err (kind CAIRN_ERR_INVALID) "signature required: why". */
int trust_check_module(const uint8_t *b, size_t n, const uint8_t (*keys)[32], size_t nkeys,
                       cairn_error *err);

/* Loads a module from a file's bytes (the bytes checked or measured: no
** second read of the file): a .cwasm as native code, a Wasm binary or text
** with the interpreter or, if aot, compiled through the native tier's cache
** (o, cacheDir and hit as for cairn_module_compile_cached). */
cairn_module *trust_module_from_bytes(const uint8_t *b, size_t n, bool aot,
                                      const cairn_compile_options *o, const char *cacheDir,
                                      bool *hit, cairn_error *err);

/* Reads the module file at path once and loads it only if trust_require
** accepts its bytes, so that what was checked is what runs: a .cwasm as
** native code, a Wasm binary with the interpreter or, if aot, compiled
** through the native tier's cache (o and cacheDir as for
** cairn_module_compile_cached). A text module is refused: it cannot carry
** a signature. On failure NULL, err filled, and *refused (may be NULL)
** tells whether the signature check refused the file (true) or reading or
** loading it failed (false). Free the module with cairn_module_free. */
cairn_module *trust_load_module(const char *path, const uint8_t (*keys)[32], size_t nkeys,
                                bool aot, const cairn_compile_options *o, const char *cacheDir,
                                bool *refused, cairn_error *err);

#endif
