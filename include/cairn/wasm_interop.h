/*
** wasm_interop.h: between Cairn's own API (cairn.h) and the standard
** WebAssembly C API (wasm.h), for an embedder that uses both: wasm.h for
** what is standard, cairn.h for limits, fuel, interrupts and snapshots.
**
** The cairn_* objects returned are the ones behind the wasm.h objects
** (borrowed: they live as long as the wasm.h object's store, or module).
** The wasm.h references returned are new (own: release them with
** wasm_xxx_delete). The thread rules are wasm.h's: a store and all its
** objects, in either API, one thread at a time.
*/
#ifndef CAIRN_WASM_INTEROP_H
#define CAIRN_WASM_INTEROP_H

#include <wasm.h>

#include "cairn/cairn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Store settings (limits, fuel, allocator) for every store of an engine made
** with config (wasm_engine_new_with_config). cfg is copied. */
CAIRN_API void cairn_wasm_config_set_store(wasm_config_t *config, const cairn_store_config *cfg);

/* A wasm.h store with its own settings (cfg NULL: the engine's). NULL if
** out of memory. */
CAIRN_API wasm_store_t *cairn_wasm_store_new(wasm_engine_t *engine, const cairn_store_config *cfg);

/* The Cairn objects behind wasm.h ones (NULL for NULL). */
CAIRN_API cairn_store *cairn_wasm_store(wasm_store_t *store);
CAIRN_API const cairn_module *cairn_wasm_module(const wasm_module_t *module);
CAIRN_API cairn_instance *cairn_wasm_instance(const wasm_instance_t *instance);
/* false (out untouched) for NULL. */
CAIRN_API bool cairn_wasm_extern(const wasm_extern_t *ext, cairn_extern *out);

/* wasm.h references to Cairn objects of store's cairn_store (made with
** cairn.h, e.g. by cairn_wasi_define_imports). NULL for NULL or out of
** memory. */
CAIRN_API wasm_instance_t *cairn_wasm_instance_new(wasm_store_t *store, cairn_instance *inst);
CAIRN_API wasm_extern_t *cairn_wasm_extern_new(wasm_store_t *store, const cairn_extern *ext);

/* A trap's details as a cairn_error (kind TRAP or EXHAUSTION, trap kind,
** exit code of a WASI proc_exit, backtrace, message). */
CAIRN_API void cairn_wasm_trap_error(const wasm_trap_t *trap, cairn_error *out);

#ifdef __cplusplus
}
#endif
#endif
