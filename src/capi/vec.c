/*
** vec.c: wasm.h's vectors (wasm_xxx_vec_t) and values (wasm_val_t). A
** vector owns its array and its elements: new takes the given elements,
** copy copies each (deeply), delete releases each and the array.
*/
#include <string.h>

#include "capi/capi.h"

/* The operations of one vector type; COPY and DEL act on one element. */
#define CAPI_VEC(name, elem_t, COPY, DEL)                                                  \
  void wasm_##name##_vec_new_empty(wasm_##name##_vec_t *out) {                             \
    out->size = 0;                                                                         \
    out->data = NULL;                                                                      \
  }                                                                                        \
  void wasm_##name##_vec_new_uninitialized(wasm_##name##_vec_t *out, size_t n) {           \
    out->data = n && n <= SIZE_MAX / sizeof(elem_t) ? capi_alloc(n * sizeof(elem_t)) : NULL; \
    out->size = out->data ? n : 0;                                                         \
  }                                                                                        \
  void wasm_##name##_vec_new(wasm_##name##_vec_t *out, size_t n, elem_t const src[]) {     \
    wasm_##name##_vec_new_uninitialized(out, n);                                           \
    if (out->size) memcpy(out->data, src, n * sizeof(elem_t));                             \
  }                                                                                        \
  void wasm_##name##_vec_copy(wasm_##name##_vec_t *out, const wasm_##name##_vec_t *v) {    \
    wasm_##name##_vec_new_uninitialized(out, v ? v->size : 0);                             \
    for (size_t i = 0; i < out->size; i++) COPY(&out->data[i], &v->data[i]);               \
  }                                                                                        \
  void wasm_##name##_vec_delete(wasm_##name##_vec_t *v) {                                  \
    if (!v) return;                                                                        \
    for (size_t i = 0; i < v->size && v->data; i++) DEL(&v->data[i]);                      \
    capi_free(v->data);                                                                    \
    v->size = 0;                                                                           \
    v->data = NULL;                                                                        \
  }

#define PLAIN_COPY(d, s) (*(d) = *(s))
#define PLAIN_DEL(p) ((void)(p))

#define DEFINE_PTR_VEC(name)                                                  \
  static void name##_elem_copy(wasm_##name##_t **d, wasm_##name##_t *const *s) { \
    *d = *s ? wasm_##name##_copy(*s) : NULL;                                  \
  }                                                                           \
  static void name##_elem_del(wasm_##name##_t **p) {                          \
    if (*p) wasm_##name##_delete(*p);                                         \
  }                                                                           \
  CAPI_VEC(name, wasm_##name##_t *, name##_elem_copy, name##_elem_del)

CAPI_VEC(byte, wasm_byte_t, PLAIN_COPY, PLAIN_DEL)
CAPI_VEC(val, wasm_val_t, wasm_val_copy, wasm_val_delete)
DEFINE_PTR_VEC(valtype)
DEFINE_PTR_VEC(functype)
DEFINE_PTR_VEC(globaltype)
DEFINE_PTR_VEC(tabletype)
DEFINE_PTR_VEC(memorytype)
DEFINE_PTR_VEC(externtype)
DEFINE_PTR_VEC(importtype)
DEFINE_PTR_VEC(exporttype)
DEFINE_PTR_VEC(frame)
DEFINE_PTR_VEC(extern)

void capi_name_set(wasm_name_t *out, const char *s, size_t n) {
  wasm_byte_vec_new(out, n, s);
}

void wasm_val_delete(wasm_val_t *v) {
  if (v && wasm_valkind_is_ref(v->kind) && v->of.ref) {
    wasm_ref_delete(v->of.ref);
    v->of.ref = NULL;
  }
}

void wasm_val_copy(wasm_val_t *out, const wasm_val_t *v) {
  *out = *v;
  if (wasm_valkind_is_ref(v->kind) && v->of.ref) out->of.ref = wasm_ref_copy(v->of.ref);
}
