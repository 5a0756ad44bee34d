/*
** fuzz_text.c: libFuzzer target for the text format (WAT and WAST). Any
** input must end in a module/script or an error, never a crash, hang or leak.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "cairn/cairn.h"
#include "engine/text/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cairn_error err;
  uint8_t *bin = NULL;
  size_t n = 0;
  if (cairn_wat_to_wasm((const char *)data, size, &bin, &n, &err)) {
    cairn_module *m = cairn_module_new(bin, n, &err);
    cairn_module_free(m);
    cairn_free(bin);
  }
  cairn_wast_script s;
  if (cairn_wast_parse((const char *)data, size, &s, &err)) cairn_wast_free(&s);
  return 0;
}
