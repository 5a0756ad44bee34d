/*
** fuzz_decode.c: libFuzzer target for the binary decoder, validator and
** translator. Any input must end in a module or an error, never a crash,
** hang or leak.
*/
#include <stddef.h>
#include <stdint.h>

#include "cairn/cairn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cairn_error err;
  cairn_module *m = cairn_module_new(data, size, &err);
  if (m) {
    /* exercise the public queries too */
    cairn_externtype t;
    for (uint32_t i = 0; i < cairn_module_import_count(m); i++) cairn_module_import(m, i, &t);
    for (uint32_t i = 0; i < cairn_module_export_count(m); i++) cairn_module_export(m, i, &t);
    cairn_module_free(m);
  }
  return 0;
}
