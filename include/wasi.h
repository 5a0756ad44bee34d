/*
** wasi.h: WASI preview1 for programs that use the standard C API (wasm.h):
** configure what a guest is given, bind it to a store, provide the
** "wasi_snapshot_preview1" imports, then instantiate and call "_start".
** The configuration functions follow wasmtime's wasi.h; the binding ones
** (wasi_env_*, wasi_get_imports) Wasmer's. Built on <cairn/wasi.h>, which
** keeps everything else (memory stdio, listeners, reuse between runs).
**
**   wasi_config_t *c = wasi_config_new();
**   wasi_config_set_argv(c, argc, argv); wasi_config_inherit_stdout(c); ...
**   wasi_env_t *env = wasi_env_new(store, c);            (takes c)
**   wasm_extern_vec_t imports;
**   wasi_get_imports(store, env, module, &imports);      (every import)
**   wasm_instance_t *inst = wasm_instance_new(store, module, &imports, &trap);
**   wasi_env_initialize_instance(env, store, inst);      (its "memory")
**   ...call "_start": proc_exit arrives as a trap, wasi_trap_exit_status...
**   wasm_extern_vec_delete(&imports); wasi_env_delete(env);
**
** By default a guest gets no arguments, no environment, no stdio (its fds 0,
** 1 and 2 are closed) and no directory. The sandbox is <cairn/wasi.h>'s: a
** guest reaches only what lies beneath its preopened directories.
** Threads: a wasi_config_t is plain data; a wasi_env_t belongs to its store
** (one thread at a time).
*/
#ifndef WASI_H
#define WASI_H

#include "wasm.h"

#ifndef WASI_API_EXTERN
#define WASI_API_EXTERN WASM_API_EXTERN
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wasi_config_t wasi_config_t;

WASI_API_EXTERN wasi_config_t *wasi_config_new(void);
WASI_API_EXTERN void wasi_config_delete(wasi_config_t *);

/* argv[0] is the program name the guest sees. Copied. false if out of memory. */
WASI_API_EXTERN bool wasi_config_set_argv(wasi_config_t *, size_t argc, const char *argv[]);
/* This process's own arguments (/proc/self/cmdline). */
WASI_API_EXTERN void wasi_config_inherit_argv(wasi_config_t *);

/* names[i]=values[i] for each i (copied); false if a name holds '=' or out
** of memory. */
WASI_API_EXTERN bool wasi_config_set_env(wasi_config_t *, size_t envc, const char *names[],
                                         const char *values[]);
/* This process's environment. */
WASI_API_EXTERN void wasi_config_inherit_env(wasi_config_t *);

/* stdin reads the file; stdout and stderr write it (created or truncated).
** The file is opened now: false if it cannot be. inherit_: this process's own
** descriptor (borrowed, never closed). */
WASI_API_EXTERN bool wasi_config_set_stdin_file(wasi_config_t *, const char *path);
WASI_API_EXTERN void wasi_config_inherit_stdin(wasi_config_t *);
WASI_API_EXTERN bool wasi_config_set_stdout_file(wasi_config_t *, const char *path);
WASI_API_EXTERN void wasi_config_inherit_stdout(wasi_config_t *);
WASI_API_EXTERN bool wasi_config_set_stderr_file(wasi_config_t *, const char *path);
WASI_API_EXTERN void wasi_config_inherit_stderr(wasi_config_t *);

/* Gives the guest host directory path as guest_path ("/", "." ...). false if
** path is not a directory that can be opened. */
WASI_API_EXTERN bool wasi_config_preopen_dir(wasi_config_t *, const char *path,
                                             const char *guest_path);

/* One guest's WASI state, bound to a store. */
typedef struct wasi_env_t wasi_env_t;

/* Takes config (always). NULL on failure (a preopened directory that
** vanished, out of memory). */
WASI_API_EXTERN wasi_env_t *wasi_env_new(wasm_store_t *, wasi_config_t *config);
/* After the last call into the guest. NULL is a no-op. */
WASI_API_EXTERN void wasi_env_delete(wasi_env_t *);

/* Fills *imports (own) with one extern per import of module, in order, all
** of which must be wasi_snapshot_preview1 functions. false (imports empty)
** otherwise, with the reason in wasi_env_error. */
WASI_API_EXTERN bool wasi_get_imports(const wasm_store_t *, wasi_env_t *, const wasm_module_t *,
                                      wasm_extern_vec_t *imports);

/* Binds the instance's exported "memory" to the guest's WASI calls. false
** (reason in wasi_env_error) if there is none. */
WASI_API_EXTERN bool wasi_env_initialize_instance(wasi_env_t *, wasm_store_t *,
                                                  wasm_instance_t *);

/* The last failure of wasi_get_imports or wasi_env_initialize_instance
** ("" if none); valid until the next call with env. */
WASI_API_EXTERN const char *wasi_env_error(const wasi_env_t *);

/* True if trap is a WASI proc_exit, with its status in *status. */
WASI_API_EXTERN bool wasi_trap_exit_status(const wasm_trap_t *trap, int *status);

#ifdef __cplusplus
}
#endif
#endif
