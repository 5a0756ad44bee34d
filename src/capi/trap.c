/*
** trap.c: wasm.h's traps and frames. A trap keeps its message, its Cairn
** trap kind (so that a WASI exit or an exhausted stack survives a trip
** through a host function) and the Wasm backtrace of the cairn_error it
** came from; frames are copies of one backtrace entry each.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "capi/capi.h"

static wasm_trap_t *trap_new(wasm_store_t *st, const char *msg, size_t len) {
  CapiTrap *t = capi_alloc(sizeof *t + len + 1);
  if (!t) return NULL;
  memcpy(t->msg, msg, len);
  t->msg[len] = '\0';
  t->msg_len = len;
  CapiObj *o = capi_obj_new(st, CAPI_TRAP);
  if (!o) {
    capi_free(t);
    return NULL;
  }
  o->u.trap = t;
  return (wasm_trap_t *)o;
}

void capi_trap_free(CapiTrap *t) { capi_free(t); }

wasm_trap_t *capi_trap_msg(wasm_store_t *st, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof buf) n = sizeof buf - 1;
  wasm_trap_t *t = trap_new(st, buf, (size_t)n);
  if (t) ((CapiObj *)t)->u.trap->kind = CAIRN_TRAP_HOST;
  return t;
}

wasm_trap_t *capi_trap_from_error(wasm_store_t *st, const cairn_error *err) {
  wasm_trap_t *t = trap_new(st, err->msg, strlen(err->msg));
  if (!t) return NULL;
  CapiTrap *ct = ((CapiObj *)t)->u.trap;
  ct->kind = err->trap;
  ct->exit_code = err->exit_code;
  ct->nframes = err->nframes < 0 ? 0 : err->nframes > CAIRN_MAX_BACKTRACE ? CAIRN_MAX_BACKTRACE
                                                                          : err->nframes;
  memcpy(ct->frames, err->frames, (size_t)ct->nframes * sizeof *ct->frames);
  for (int i = 0; i < ct->nframes; i++) ct->frames[i].func_name = NULL; /* not kept */
  return t;
}

/* The message may or may not count a terminating NUL: either way the trap
** keeps the text up to the first NUL. */
wasm_trap_t *wasm_trap_new(wasm_store_t *st, const wasm_message_t *msg) {
  size_t len = 0;
  if (msg && msg->data) {
    const char *nul = memchr(msg->data, '\0', msg->size);
    len = nul ? (size_t)(nul - msg->data) : msg->size;
  }
  wasm_trap_t *t = trap_new(st, msg && msg->data ? msg->data : "", len);
  if (t) ((CapiObj *)t)->u.trap->kind = CAIRN_TRAP_HOST;
  return t;
}

void wasm_trap_message(const wasm_trap_t *trap, wasm_message_t *out) {
  if (!trap) {
    wasm_byte_vec_new_empty(out);
    return;
  }
  const CapiTrap *t = ((const CapiObj *)trap)->u.trap;
  wasm_byte_vec_new(out, t->msg_len + 1, t->msg);
}

static wasm_frame_t *frame_new(wasm_store_t *st, const cairn_frame *fr) {
  wasm_frame_t *f = capi_alloc(sizeof *f);
  if (!f) return NULL;
  f->fr = *fr;
  f->fr.func_name = NULL;
  f->store = st;
  capi_store_ref(st);
  return f;
}

wasm_frame_t *wasm_trap_origin(const wasm_trap_t *trap) {
  const CapiObj *o = (const CapiObj *)trap;
  if (!o || o->u.trap->nframes == 0) return NULL;
  return frame_new(o->store, &o->u.trap->frames[0]);
}

void wasm_trap_trace(const wasm_trap_t *trap, wasm_frame_vec_t *out) {
  const CapiObj *o = (const CapiObj *)trap;
  size_t n = o ? (size_t)o->u.trap->nframes : 0;
  wasm_frame_vec_new_uninitialized(out, n);
  for (size_t i = 0; i < out->size; i++) out->data[i] = frame_new(o->store, &o->u.trap->frames[i]);
}

void cairn_wasm_trap_error(const wasm_trap_t *trap, cairn_error *out) {
  const CapiTrap *t = ((const CapiObj *)trap)->u.trap;
  memset(out, 0, sizeof *out);
  out->kind = t->kind == CAIRN_TRAP_STACK_EXHAUSTED ? CAIRN_ERR_EXHAUSTION : CAIRN_ERR_TRAP;
  out->offset = -1;
  out->trap = t->kind;
  out->exit_code = t->exit_code;
  out->nframes = t->nframes;
  memcpy(out->frames, t->frames, (size_t)t->nframes * sizeof *t->frames);
  snprintf(out->msg, sizeof out->msg, "%s", t->msg);
}

/* ---- frames ---- */

void wasm_frame_delete(wasm_frame_t *f) {
  if (!f) return;
  wasm_store_t *st = f->store;
  capi_free(f);
  capi_store_unref(st);
}

wasm_frame_t *wasm_frame_copy(const wasm_frame_t *f) { return f ? frame_new(f->store, &f->fr) : NULL; }

wasm_instance_t *wasm_frame_instance(const wasm_frame_t *f) {
  if (!f || !f->fr.instance) return NULL;
  return (wasm_instance_t *)capi_store_obj(f->store, CAPI_INSTANCE, (void *)f->fr.instance);
}

uint32_t wasm_frame_func_index(const wasm_frame_t *f) { return f->fr.func_index; }
size_t wasm_frame_func_offset(const wasm_frame_t *f) { return f->fr.func_offset; }
size_t wasm_frame_module_offset(const wasm_frame_t *f) { return f->fr.module_offset; }
