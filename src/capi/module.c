/*
** module.c: wasm.h's modules. A CapiModule (decoded, validated, compiled
** once, with a copy of its binary) is shared by every store and thread that
** uses it, through an atomic count; a wasm_module_t is one store's reference
** to it, a wasm_shared_module_t a store-independent one.
**
** Serialized, a module is its binary in an envelope:
**   "CAIRNSER" | u32 format (1) | u32 0 | u64 binary length | SHA-256 of the
**   binary (32 bytes) | the binary          (integers little-endian)
** Deserialize checks the envelope (a truncated or altered copy is refused,
** even where the cut binary would still be a valid module) and then
** validates and compiles the binary again: damaged bytes give NULL, never
** code that runs. No native code is kept (a .cwasm is cairn.h's business).
*/
#include <sodium.h>
#include <string.h>

#include "capi/capi.h"

void capi_module_unref(CapiModule *m) {
  if (!m || atomic_fetch_sub(&m->refs, 1) != 1) return;
  cairn_module_free(m->m);
  capi_free(m->bytes);
  capi_free(m);
}

static CapiModule *module_ref(CapiModule *m) {
  atomic_fetch_add(&m->refs, 1);
  return m;
}

/* A reference in st to m (taking one count of m). */
static wasm_module_t *module_obj(wasm_store_t *st, CapiModule *m) {
  CapiObj *o = capi_obj_new(st, CAPI_MODULE);
  if (!o) {
    capi_module_unref(m);
    return NULL;
  }
  o->u.module = m;
  return (wasm_module_t *)o;
}

bool capi_store_keep_module(wasm_store_t *st, CapiModule *m) {
  for (size_t i = 0; i < st->nmods; i++)
    if (st->mods[i] == m) return true;
  if (st->nmods == st->mods_cap) {
    size_t cap = st->mods_cap ? st->mods_cap * 2 : 4;
    CapiModule **a = capi_alloc(cap * sizeof *a);
    if (!a) return false;
    if (st->nmods) memcpy(a, st->mods, st->nmods * sizeof *a);
    capi_free(st->mods);
    st->mods = a;
    st->mods_cap = cap;
  }
  st->mods[st->nmods++] = module_ref(m);
  return true;
}

wasm_module_t *wasm_module_new(wasm_store_t *st, const wasm_byte_vec_t *binary) {
  if (!st || !binary || (binary->size && !binary->data)) return NULL;
  CapiModule *m = capi_alloc(sizeof *m);
  if (!m) return NULL;
  m->bytes = cairn_malloc(binary->size ? binary->size : 1);
  if (!m->bytes) goto fail;
  if (binary->size) memcpy(m->bytes, binary->data, binary->size);
  m->len = binary->size;
  cairn_error err;
  m->m = cairn_module_new(m->bytes, m->len, &err);
  if (!m->m) goto fail;
  atomic_init(&m->refs, 1);
  return module_obj(st, m);
fail:
  capi_free(m->bytes);
  capi_free(m);
  return NULL;
}

bool wasm_module_validate(wasm_store_t *st, const wasm_byte_vec_t *binary) {
  (void)st;
  if (!binary || (binary->size && !binary->data)) return false;
  cairn_error err;
  return cairn_module_validate((const uint8_t *)binary->data, binary->size, &err);
}

static CapiModule *mod_of(const wasm_module_t *m) { return ((const CapiObj *)m)->u.module; }

const cairn_module *cairn_wasm_module(const wasm_module_t *m) { return m ? mod_of(m)->m : NULL; }

void wasm_module_imports(const wasm_module_t *module, wasm_importtype_vec_t *out) {
  const cairn_module *m = mod_of(module)->m;
  uint32_t n = cairn_module_import_count(m);
  wasm_importtype_vec_new_uninitialized(out, n);
  for (uint32_t i = 0; i < out->size; i++) {
    cairn_externtype et;
    cairn_module_import(m, i, &et);
    wasm_name_t mod, name;
    capi_name_set(&mod, et.module, et.module_len);
    capi_name_set(&name, et.name, et.name_len);
    out->data[i] = wasm_importtype_new(&mod, &name, capi_externtype_out(&et));
  }
}

void wasm_module_exports(const wasm_module_t *module, wasm_exporttype_vec_t *out) {
  const cairn_module *m = mod_of(module)->m;
  uint32_t n = cairn_module_export_count(m);
  wasm_exporttype_vec_new_uninitialized(out, n);
  for (uint32_t i = 0; i < out->size; i++) {
    cairn_externtype et;
    cairn_module_export(m, i, &et);
    wasm_name_t name;
    capi_name_set(&name, et.name, et.name_len);
    out->data[i] = wasm_exporttype_new(&name, capi_externtype_out(&et));
  }
}

#define SER_MAGIC "CAIRNSER"
#define SER_FORMAT 1u
#define SER_HEADER (8 + 4 + 4 + 8 + crypto_hash_sha256_BYTES)

static void put_le(uint8_t *p, uint64_t v, int n) {
  for (int i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n) {
  uint64_t v = 0;
  for (int i = n; i-- > 0;) v = v << 8 | p[i];
  return v;
}

void wasm_module_serialize(const wasm_module_t *module, wasm_byte_vec_t *out) {
  const CapiModule *m = mod_of(module);
  wasm_byte_vec_new_uninitialized(out, SER_HEADER + m->len);
  if (out->size != SER_HEADER + m->len) return; /* out of memory: empty */
  uint8_t *p = (uint8_t *)out->data;
  memcpy(p, SER_MAGIC, 8);
  put_le(p + 8, SER_FORMAT, 4);
  put_le(p + 12, 0, 4);
  put_le(p + 16, m->len, 8);
  crypto_hash_sha256(p + 24, m->bytes, m->len);
  memcpy(p + SER_HEADER, m->bytes, m->len);
}

wasm_module_t *wasm_module_deserialize(wasm_store_t *st, const wasm_byte_vec_t *bytes) {
  if (!bytes || !bytes->data || bytes->size < SER_HEADER) return NULL;
  const uint8_t *p = (const uint8_t *)bytes->data;
  if (memcmp(p, SER_MAGIC, 8) != 0 || get_le(p + 8, 4) != SER_FORMAT || get_le(p + 12, 4) != 0 ||
      get_le(p + 16, 8) != bytes->size - SER_HEADER)
    return NULL;
  uint8_t h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, p + SER_HEADER, bytes->size - SER_HEADER);
  if (memcmp(h, p + 24, sizeof h) != 0) return NULL;
  wasm_byte_vec_t bin = {bytes->size - SER_HEADER, (wasm_byte_t *)(p + SER_HEADER)};
  return wasm_module_new(st, &bin);
}

wasm_shared_module_t *wasm_module_share(const wasm_module_t *module) {
  if (!module) return NULL;
  wasm_shared_module_t *sh = capi_alloc(sizeof *sh);
  if (sh) sh->mod = module_ref(mod_of(module));
  return sh;
}

wasm_module_t *wasm_module_obtain(wasm_store_t *st, const wasm_shared_module_t *sh) {
  if (!st || !sh) return NULL;
  return module_obj(st, module_ref(sh->mod));
}

void wasm_shared_module_delete(wasm_shared_module_t *sh) {
  if (!sh) return;
  capi_module_unref(sh->mod);
  capi_free(sh);
}
