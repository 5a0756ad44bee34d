/*
** example.h: what the examples of examples/embed/ share: a module from
** WebAssembly text (through cairn.h's text parser: everything else in the
** examples is the standard wasm.h), a check that stops the program with a
** message, and an export lookup by name.
*/
#ifndef CAIRN_EXAMPLE_H
#define CAIRN_EXAMPLE_H

#include <cairn/cairn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasm.h>

#define CHECK(cond, ...)                                           \
  do {                                                             \
    if (!(cond)) {                                                 \
      fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__);        \
      fprintf(stderr, __VA_ARGS__);                                \
      fputc('\n', stderr);                                         \
      exit(1);                                                     \
    }                                                              \
  } while (0)

/* The binary of a text module, in a byte vector (own). */
static inline void example_wat(const char *wat, wasm_byte_vec_t *out) {
  uint8_t *bin;
  size_t len;
  cairn_error err;
  CHECK(cairn_wat_to_wasm(wat, strlen(wat), &bin, &len, &err), "text module: %s", err.msg);
  wasm_byte_vec_new(out, len, (const wasm_byte_t *)bin);
  cairn_free(bin);
}

/* A module from text, in store. */
static inline wasm_module_t *example_module(wasm_store_t *store, const char *wat) {
  wasm_byte_vec_t bin;
  example_wat(wat, &bin);
  wasm_module_t *m = wasm_module_new(store, &bin);
  wasm_byte_vec_delete(&bin);
  CHECK(m, "wasm_module_new failed");
  return m;
}

/* The export of instance `inst` named name: index in exports (borrowed). */
static inline wasm_extern_t *example_export(const wasm_module_t *m, const wasm_extern_vec_t *exports,
                                            const char *name) {
  wasm_exporttype_vec_t types;
  wasm_module_exports(m, &types);
  wasm_extern_t *found = NULL;
  for (size_t i = 0; i < types.size && !found; i++) {
    const wasm_name_t *n = wasm_exporttype_name(types.data[i]);
    if (n->size == strlen(name) && memcmp(n->data, name, n->size) == 0) found = exports->data[i];
  }
  wasm_exporttype_vec_delete(&types);
  CHECK(found, "no export %s", name);
  return found;
}

/* The message of a trap (deleted) as a string in buf. */
static inline const char *example_trap_message(wasm_trap_t *trap, char *buf, size_t n) {
  wasm_message_t msg;
  wasm_trap_message(trap, &msg);
  snprintf(buf, n, "%.*s", (int)msg.size, msg.data);
  wasm_byte_vec_delete(&msg);
  return buf;
}

#endif
