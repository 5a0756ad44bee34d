/*
** capi.h: the standard WebAssembly C API (include/wasm.h, include/wasi.h)
** on top of Cairn's public API (include/cairn/ (cairn.h, wasi.h)): the shared definitions
** of the files of src/capi/. Nothing here reaches into the engine: like the
** WASI layer, this is a client of cairn.h.
**
** Objects. Every runtime object of wasm.h (func, global, table, memory,
** instance, module, trap, foreign; extern and ref are views of them) is a
** CapiObj. A wasm_xxx_t * handed to the embedder is a pointer to its CapiObj
** and counts as one reference: `refs` counts them, and each also holds one
** reference to the store (`wasm_store_t.refs`), so references and the store
** can be deleted in any order.
**
** Objects of a store (func, global, table, memory, instance) are canonical:
** one CapiObj per Cairn object, found by its Cairn pointer in the store's
** map (`key`), and kept until the store goes (`pinned`), so host info is
** per object and wasm_xxx_same is pointer equality. Traps, foreigns and
** modules are freed with their last reference, unless they were pinned by
** becoming an externref value inside Wasm (their key is then the CapiObj
** itself, which is what Wasm holds).
*/
#ifndef CAIRN_CAPI_H
#define CAIRN_CAPI_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/cairn.h"
#include "cairn/wasm_interop.h"
#include "wasm.h"

typedef enum CapiKind {
  /* the first four are wasm_externkind_t values */
  CAPI_FUNC = WASM_EXTERN_FUNC,
  CAPI_GLOBAL = WASM_EXTERN_GLOBAL,
  CAPI_TABLE = WASM_EXTERN_TABLE,
  CAPI_MEMORY = WASM_EXTERN_MEMORY,
  CAPI_INSTANCE,
  CAPI_MODULE,
  CAPI_TRAP,
  CAPI_FOREIGN
} CapiKind;

/* A module as compiled once: shared by every store and thread that uses it
** (atomic count); the binary is kept for wasm_module_serialize. */
typedef struct CapiModule {
  atomic_size_t refs;
  cairn_module *m;
  uint8_t *bytes;
  size_t len;
} CapiModule;

/* A trap's contents. */
typedef struct CapiTrap {
  cairn_trapkind kind;
  int exit_code;
  int nframes;
  cairn_frame frames[CAIRN_MAX_BACKTRACE];
  size_t msg_len;        /* without the NUL */
  char msg[];            /* NUL-terminated */
} CapiTrap;

/* A host function's callback and environment. */
typedef struct CapiHostFn {
  wasm_func_callback_t cb;
  wasm_func_callback_with_env_t cb_env;
  void *env;
  void (*finalizer)(void *);
  wasm_store_t *store;
  size_t np, nr;                /* parameter and result counts */
} CapiHostFn;

typedef struct CapiObj {
  uint8_t kind;                 /* CapiKind */
  bool pinned;                  /* lives until its store goes */
  size_t refs;                  /* references handed out */
  wasm_store_t *store;          /* NULL only for a trap made without a store */
  void *key;                    /* what Wasm and cairn.h see: the Cairn object, or this */
  void *host_info;
  void (*finalizer)(void *);
  struct CapiObj *next;         /* the store's list of pinned objects */
  union {
    cairn_func *func;
    cairn_global *global;
    cairn_table *table;
    cairn_memory *memory;
    cairn_instance *instance;
    CapiModule *module;
    CapiTrap *trap;
  } u;
  CapiHostFn *host;             /* CAPI_FUNC made by wasm_func_new*: its callback */
} CapiObj;

struct wasm_config_t {
  cairn_store_config store;     /* for every store of an engine made with it */
};

struct wasm_engine_t {
  atomic_size_t refs;           /* the handle, and one per store */
  cairn_store_config store;
};

struct wasm_store_t {
  cairn_store *s;
  wasm_engine_t *engine;
  size_t refs;                  /* the handle (until deleted) and every reference */
  bool deleted;
  /* key -> pinned CapiObj (open addressing; never shrinks) */
  CapiObj **map;
  size_t map_cap, map_n;
  CapiObj *pinned;              /* every pinned object, freed with the store */
  /* modules instantiated here: kept until the store goes */
  CapiModule **mods;
  size_t nmods, mods_cap;
};

/* Types: externtype is the first member of the four kinds. */
struct wasm_valtype_t {
  wasm_valkind_t kind;
};
struct wasm_externtype_t {
  wasm_externkind_t kind;
};
struct wasm_functype_t {
  struct wasm_externtype_t ext;
  wasm_valtype_vec_t params, results;
};
struct wasm_globaltype_t {
  struct wasm_externtype_t ext;
  wasm_valtype_t *content;
  wasm_mutability_t mut;
};
struct wasm_tabletype_t {
  struct wasm_externtype_t ext;
  wasm_valtype_t *elem;
  wasm_limits_t limits;
};
struct wasm_memorytype_t {
  struct wasm_externtype_t ext;
  wasm_limits_t limits;
};
struct wasm_importtype_t {
  wasm_name_t module, name;
  wasm_externtype_t *type;
};
struct wasm_exporttype_t {
  wasm_name_t name;
  wasm_externtype_t *type;
};
struct wasm_frame_t {
  wasm_store_t *store;          /* a reference (may be NULL) */
  cairn_frame fr;               /* func_name is not kept */
};
struct wasm_shared_module_t {
  CapiModule *mod;
};

/* ---- memory (the process default hook, cairn_malloc) ---- */
void *capi_alloc(size_t n);     /* zeroed; NULL on failure */
void capi_free(void *p);

/* ---- stores and objects (store.c) ---- */
void capi_store_ref(wasm_store_t *st);
void capi_store_unref(wasm_store_t *st);
/* A new reference to o (o may be NULL). */
CapiObj *capi_ref(CapiObj *o);
/* Drops a reference (o may be NULL). */
void capi_release(CapiObj *o);
/* The canonical object of a Cairn object of st (kind CAPI_FUNC ...
** CAPI_INSTANCE), made on first sight; borrowed (NULL if out of memory). */
CapiObj *capi_store_obj(wasm_store_t *st, CapiKind kind, void *key);
/* A new unpinned object of st (a trap, foreign or module), one reference. */
CapiObj *capi_obj_new(wasm_store_t *st, CapiKind kind);
/* A pinned foreign object of st standing for externref value key (a
** pointer put into Wasm through cairn.h); borrowed, NULL if out of memory. */
CapiObj *capi_foreign_for(wasm_store_t *st, void *key);
/* Pins o in its store (an externref value now held by Wasm). */
bool capi_pin(CapiObj *o);
/* The pinned object whose key is key, or NULL. */
CapiObj *capi_lookup(const wasm_store_t *st, const void *key);

/* ---- values (func.c) ---- */
cairn_valtype capi_cairn_type(wasm_valkind_t k);
wasm_valkind_t capi_wasm_kind(cairn_valtype t);
/* Converts v for a slot of type want; false with *why set if it cannot. */
bool capi_val_in(wasm_store_t *st, const wasm_val_t *v, cairn_valtype want, cairn_val *out,
                 const char **why);
/* Converts a Cairn value (a reference value gets a new reference). */
void capi_val_out(wasm_store_t *st, const cairn_val *v, wasm_val_t *out);
/* A cairn_functype view of a wasm_functype_t into caller arrays of n each. */
bool capi_functype_in(const wasm_functype_t *ft, cairn_valtype *params, cairn_valtype *results,
                      size_t n, cairn_functype *out);
wasm_functype_t *capi_functype_out(const cairn_functype *ft);
wasm_externtype_t *capi_externtype_out(const cairn_externtype *et);

/* ---- traps (trap.c) ---- */
/* A trap (one reference) from a Cairn error, or with a message. */
wasm_trap_t *capi_trap_from_error(wasm_store_t *st, const cairn_error *err);
wasm_trap_t *capi_trap_msg(wasm_store_t *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void capi_trap_free(CapiTrap *t);

/* ---- modules (module.c) ---- */
void capi_module_unref(CapiModule *m);
bool capi_store_keep_module(wasm_store_t *st, CapiModule *m);

/* ---- names and vectors ---- */
void capi_name_set(wasm_name_t *out, const char *s, size_t n);

#endif
