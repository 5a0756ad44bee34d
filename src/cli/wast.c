/*
** wast.c: `cairn wast [-v] [--messages] FILE...`, the spec script runner.
**
** Each script runs in its own store with its own linker (registered
** instances plus `spectest`). Every assertion, every module definition and
** every bare action counts as passed or failed, so nothing is skipped
** silently; an error in one command never stops the following ones.
** `--dump-binaries DIR` instead writes every module of the scripts (text ones
** converted) to DIR/SCRIPT.N.wasm, as seeds for the fuzzers.
**
** `--aot` runs every valid module as native code: before a script runs, all
** its valid modules are compiled (cairn_compile, in parallel, one compiler
** process per CPU), then each command loads the .cwasm made for its module.
** A module that does not compile fails its command.
*/
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cairn/wast.h"

typedef struct Named {
  char *zId;                 /* owned */
  cairn_instance *pInst;
} Named;

/* --aot: the native code compiled for one module of the script. */
typedef struct AotPre {
  const cairn_wast_module *wm;  /* the module (in the script) */
  uint8_t *pWasm;               /* its binary (owned; freed after compiling) */
  size_t nWasm;
  uint8_t *pCw;                 /* the .cwasm (owned, cairn_free), NULL if it failed */
  size_t nCw;
  cairn_error err;              /* why it failed */
} AotPre;

typedef struct WastRun {
  const char *zFile;
  bool aot;                  /* run modules as native code */
  const cairn_compile_options *pAotOpts;
  AotPre *aPre;              /* --aot: one per valid module of the script */
  size_t nPre;
  bool verbose;
  bool messages;             /* report message mismatches as notes */
  cairn_store *pStore;
  CliLinker linker;
  cairn_module **aMod;       /* every compiled module, freed after the store */
  size_t nMod, nModAlloc;
  Named *aNamed;
  size_t nNamed, nNamedAlloc;
  cairn_instance *pLatest;
  int nPass, nFail;
  const cairn_wast_cmd *pCmd;       /* the command being run (for reports) */
} WastRun;

static const char *cmd_name(cairn_wast_cmdkind k) {
  switch (k) {
    case CAIRN_WAST_MODULE: return "module";
    case CAIRN_WAST_REGISTER: return "register";
    case CAIRN_WAST_ACTION: return "action";
    case CAIRN_WAST_ASSERT_RETURN: return "assert_return";
    case CAIRN_WAST_ASSERT_TRAP: return "assert_trap";
    case CAIRN_WAST_ASSERT_EXHAUSTION: return "assert_exhaustion";
    case CAIRN_WAST_ASSERT_MALFORMED: return "assert_malformed";
    case CAIRN_WAST_ASSERT_INVALID: return "assert_invalid";
    case CAIRN_WAST_ASSERT_UNLINKABLE: return "assert_unlinkable";
    case CAIRN_WAST_ASSERT_UNINSTANTIABLE: return "assert_uninstantiable";
  }
  return "command";
}

/* Counts the current command as failed and, with -v, says why. */
static void fail(WastRun *R, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(WastRun *R, const char *fmt, ...) {
  R->nFail++;
  if (!R->verbose) return;
  printf("%s:%d: %s: ", R->zFile, R->pCmd->line, cmd_name(R->pCmd->kind));
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
}

static void describe_error(char *z, size_t n, const cairn_error *err) {
  if (err->line > 0) {
    snprintf(z, n, "%s: %s (at %d:%d)", cli_errkind_name(err->kind), err->msg, err->line,
             err->col);
  } else if (err->offset >= 0) {
    snprintf(z, n, "%s: %s (at offset 0x%lx)", cli_errkind_name(err->kind), err->msg,
             err->offset);
  } else {
    snprintf(z, n, "%s: %s", cli_errkind_name(err->kind), err->msg);
  }
}

/* With --messages, notes an error whose message does not start with the
** script's expected text. */
static void check_message(WastRun *R, const cairn_error *err) {
  const char *zExp = R->pCmd->zText;
  if (!R->messages || !zExp) return;
  if (strncmp(err->msg, zExp, strlen(zExp)) == 0) return;
  printf("%s:%d: note: %s: message \"%s\", expected \"%s\"\n", R->zFile, R->pCmd->line,
         cmd_name(R->pCmd->kind), err->msg, zExp);
}

/* ---- modules ---- */

static bool keep_module(WastRun *R, cairn_module *m) {
  if (R->nMod == R->nModAlloc) {
    size_t nNew = R->nModAlloc ? 2 * R->nModAlloc : 16;
    cairn_module **a = realloc(R->aMod, nNew * sizeof *a);
    if (!a) return false;
    R->aMod = a;
    R->nModAlloc = nNew;
  }
  R->aMod[R->nMod++] = m;
  return true;
}

/* Gets the binary form of a script module: *ppOwned is set when the bytes
** were produced here (caller frees with free()). Text errors come back
** MALFORMED, with positions made relative to the script for TEXT forms. */
static bool module_bytes(const cairn_wast_module *wm, const uint8_t **pp, size_t *pn, uint8_t **ppOwned,
                         cairn_error *err) {
  *ppOwned = NULL;
  if (wm->form == CAIRN_WMOD_BINARY) {
    *pp = wm->aBytes;
    *pn = wm->nBytes;
    return true;
  }
  memset(err, 0, sizeof *err);
  uint8_t *p = NULL;
  size_t n = 0;
  if (!cairn_wat_to_wasm(wm->src, wm->n, &p, &n, err)) {
    if (err->kind == CAIRN_OK) err->kind = CAIRN_ERR_MALFORMED;
    if (wm->form == CAIRN_WMOD_TEXT && err->line > 0) {
      if (err->line == 1) err->col += wm->col - 1;
      err->line += wm->line - 1;
    }
    return false;
  }
  *pp = p;
  *pn = n;
  *ppOwned = p;
  return true;
}

/* Parses (if text), decodes, validates and compiles a script module; with
** --aot, loads the native code made for it instead. */
static cairn_module *load_module(WastRun *R, const cairn_wast_module *wm, cairn_error *err) {
  const uint8_t *p;
  size_t n;
  uint8_t *pOwned;
  if (!module_bytes(wm, &p, &n, &pOwned, err)) return NULL;
  memset(err, 0, sizeof *err);
  cairn_module *m = cairn_module_new(p, n, err);
  cairn_free(pOwned);
  if (!m && err->kind == CAIRN_OK) err->kind = CAIRN_ERR_MALFORMED;
  if (!m || !R->aot) return m;
  cairn_module_free(m);
  for (size_t i = 0; i < R->nPre; i++) {
    if (R->aPre[i].wm != wm) continue;
    if (!R->aPre[i].pCw) {
      *err = R->aPre[i].err;
      return NULL;
    }
    return cairn_module_from_cwasm(R->aPre[i].pCw, R->aPre[i].nCw, err);
  }
  cli_error(err, CAIRN_ERR_IO, "--aot: no native code was compiled for this module");
  return NULL;
}

/* ---- --aot: compiling a script's modules before it runs ---- */

typedef struct AotJobs {
  AotPre *a;
  size_t n;
  atomic_size_t next;
  const cairn_compile_options *o;
} AotJobs;

static void *aot_worker(void *arg) {
  AotJobs *J = arg;
  for (size_t i; (i = atomic_fetch_add(&J->next, 1)) < J->n;) {
    AotPre *pre = &J->a[i];
    memset(&pre->err, 0, sizeof pre->err);
    if (!cairn_compile(pre->pWasm, pre->nWasm, J->o, &pre->pCw, &pre->nCw, &pre->err))
      pre->pCw = NULL;
    cairn_free(pre->pWasm);
    pre->pWasm = NULL;
  }
  return NULL;
}

/* Compiles every valid module of sc (R->aPre); invalid ones are left to
** their commands. */
static void aot_precompile(WastRun *R, const cairn_wast_script *sc) {
  R->aPre = calloc(sc->nCmd ? sc->nCmd : 1, sizeof *R->aPre);
  if (!R->aPre) return;
  for (uint32_t i = 0; i < sc->nCmd; i++) {
    const cairn_wast_cmd *c = &sc->aCmd[i];
    if (!c->hasMod) continue;
    const uint8_t *p;
    size_t n;
    uint8_t *pOwned;
    cairn_error err;
    if (!module_bytes(&c->mod, &p, &n, &pOwned, &err)) continue;
    if (!cairn_module_validate(p, n, &err)) {
      cairn_free(pOwned);
      continue;
    }
    AotPre *pre = &R->aPre[R->nPre];
    pre->wm = &c->mod;
    pre->nWasm = n;
    if (pOwned) {
      pre->pWasm = pOwned;
    } else if ((pre->pWasm = cairn_malloc(n ? n : 1))) {
      memcpy(pre->pWasm, p, n);
    } else {
      continue;
    }
    R->nPre++;
  }
  AotJobs J = {R->aPre, R->nPre, 0, R->pAotOpts};
  long nCpu = sysconf(_SC_NPROCESSORS_ONLN);
  size_t nThread = nCpu > 0 ? (size_t)nCpu : 1;
  if (nThread > R->nPre) nThread = R->nPre;
  pthread_t aTh[64];
  if (nThread > 64) nThread = 64;
  size_t started = 0;
  for (; started + 1 < nThread; started++)
    if (pthread_create(&aTh[started], NULL, aot_worker, &J) != 0) break;
  aot_worker(&J);
  for (size_t k = 0; k < started; k++) pthread_join(aTh[k], NULL);
}

static void aot_free(WastRun *R) {
  for (size_t i = 0; i < R->nPre; i++) {
    cairn_free(R->aPre[i].pWasm);
    cairn_free(R->aPre[i].pCw);
  }
  free(R->aPre);
  R->aPre = NULL;
  R->nPre = 0;
}

static cairn_instance *find_named(WastRun *R, const char *zId) {
  if (!zId) return R->pLatest;
  for (size_t i = R->nNamed; i-- > 0;) {
    if (strcmp(R->aNamed[i].zId, zId) == 0) return R->aNamed[i].pInst;
  }
  return NULL;
}

static void set_named(WastRun *R, const char *zId, cairn_instance *inst) {
  if (!zId) return;
  if (R->nNamed == R->nNamedAlloc) {
    size_t nNew = R->nNamedAlloc ? 2 * R->nNamedAlloc : 8;
    Named *a = realloc(R->aNamed, nNew * sizeof *a);
    if (!a) return;
    R->aNamed = a;
    R->nNamedAlloc = nNew;
  }
  char *z = strdup(zId);
  if (!z) return;
  R->aNamed[R->nNamed].zId = z;
  R->aNamed[R->nNamed].pInst = inst;
  R->nNamed++;
}

/* Loads and instantiates; the module is kept alive until the script ends
** (a failed instantiation may have left references to it in imported tables). */
static cairn_instance *load_and_instantiate(WastRun *R, const cairn_wast_module *wm, bool *pLoaded,
                                            cairn_error *err) {
  *pLoaded = false;
  cairn_module *m = load_module(R, wm, err);
  if (!m) return NULL;
  if (!keep_module(R, m)) {
    cairn_module_free(m);
    cli_error(err, CAIRN_ERR_NOMEM, "out of memory");
    return NULL;
  }
  *pLoaded = true;
  memset(err, 0, sizeof *err);
  cairn_instance *inst = cli_linker_instantiate(&R->linker, m, err);
  if (!inst && err->kind == CAIRN_OK) err->kind = CAIRN_ERR_LINK;
  return inst;
}

/* ---- values ---- */

static void wast_to_val(const cairn_wast_value *w, cairn_val *v) {
  memset(v, 0, sizeof *v);
  v->type = w->type;
  switch (w->type) {
    case CAIRN_I32: v->of.i32 = (int32_t)(uint32_t)w->bits; break;
    case CAIRN_I64: v->of.i64 = (int64_t)w->bits; break;
    case CAIRN_F32: v->of.f32_bits = (uint32_t)w->bits; break;
    case CAIRN_F64: v->of.f64_bits = w->bits; break;
    case CAIRN_V128: memcpy(v->of.v128, w->v128, 16); break;
    case CAIRN_FUNCREF: v->of.func = NULL; break;  /* only ref.null can be written */
    case CAIRN_EXTERNREF:
      v->of.ext = w->kind == CAIRN_WV_REF_EXTERN ? (void *)(uintptr_t)(w->bits + 1) : NULL;
      break;
  }
}

static bool f32_matches(cairn_wast_valkind k, uint32_t exp, uint32_t got) {
  switch (k) {
    case CAIRN_WV_NAN_CANONICAL: return (got & 0x7fffffffu) == 0x7fc00000u;
    case CAIRN_WV_NAN_ARITHMETIC: return (got & 0x7fc00000u) == 0x7fc00000u;
    default: return exp == got;
  }
}

static bool f64_matches(cairn_wast_valkind k, uint64_t exp, uint64_t got) {
  switch (k) {
    case CAIRN_WV_NAN_CANONICAL: return (got & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
    case CAIRN_WV_NAN_ARITHMETIC: return (got & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
    default: return exp == got;
  }
}

static bool val_matches(const cairn_wast_value *w, const cairn_val *v) {
  if (w->type != v->type) return false;
  switch (w->type) {
    case CAIRN_I32: return (uint32_t)v->of.i32 == (uint32_t)w->bits;
    case CAIRN_I64: return (uint64_t)v->of.i64 == w->bits;
    case CAIRN_F32: return f32_matches(w->kind, (uint32_t)w->bits, v->of.f32_bits);
    case CAIRN_F64: return f64_matches(w->kind, w->bits, v->of.f64_bits);
    case CAIRN_V128:
      if (w->nLane == 4) {
        for (int i = 0; i < 4; i++) {
          uint32_t e, g;
          memcpy(&e, w->v128 + 4 * i, 4);
          memcpy(&g, v->of.v128 + 4 * i, 4);
          if (!f32_matches(w->aLaneKind[i], e, g)) return false;
        }
        return true;
      }
      if (w->nLane == 2) {
        for (int i = 0; i < 2; i++) {
          uint64_t e, g;
          memcpy(&e, w->v128 + 8 * i, 8);
          memcpy(&g, v->of.v128 + 8 * i, 8);
          if (!f64_matches(w->aLaneKind[i], e, g)) return false;
        }
        return true;
      }
      return memcmp(w->v128, v->of.v128, 16) == 0;
    case CAIRN_FUNCREF:
      if (w->kind == CAIRN_WV_REF_NULL) return v->of.func == NULL;
      return v->of.func != NULL;  /* CAIRN_WV_REF_FUNC: any non-null */
    case CAIRN_EXTERNREF:
      if (w->kind == CAIRN_WV_REF_NULL) return v->of.ext == NULL;
      return v->of.ext == (void *)(uintptr_t)(w->bits + 1);
  }
  return false;
}

/* Writes the expectation w into z. */
static void describe_expected(char *z, size_t n, const cairn_wast_value *w) {
  const char *t = cli_valtype_name(w->type);
  switch (w->kind) {
    case CAIRN_WV_NAN_CANONICAL: snprintf(z, n, "nan:canonical:%s", t); return;
    case CAIRN_WV_NAN_ARITHMETIC: snprintf(z, n, "nan:arithmetic:%s", t); return;
    case CAIRN_WV_REF_NULL: snprintf(z, n, "ref.null:%s", t); return;
    case CAIRN_WV_REF_FUNC: snprintf(z, n, "ref.func:%s", t); return;
    case CAIRN_WV_REF_EXTERN: snprintf(z, n, "ref.extern %" PRIu64 ":%s", w->bits, t); return;
    case CAIRN_WV_EXACT: break;
  }
  cairn_val v;
  wast_to_val(w, &v);
  char *zBuf = NULL;
  size_t nBuf = 0;
  FILE *f = open_memstream(&zBuf, &nBuf);
  if (!f) {
    snprintf(z, n, "?");
    return;
  }
  if (w->type == CAIRN_V128 && w->nLane) {
    /* per-lane patterns: f32x4 / f64x2 lanes, lane 0 first */
    fputs(w->nLane == 4 ? "f32x4" : "f64x2", f);
    for (int i = 0; i < w->nLane; i++) {
      int nb = 16 / w->nLane;
      cairn_val lane;
      memset(&lane, 0, sizeof lane);
      lane.type = nb == 4 ? CAIRN_F32 : CAIRN_F64;
      if (nb == 4)
        memcpy(&lane.of.f32_bits, w->v128 + 4 * i, 4);
      else
        memcpy(&lane.of.f64_bits, w->v128 + 8 * i, 8);
      fputc(' ', f);
      if (w->aLaneKind[i] == CAIRN_WV_NAN_CANONICAL)
        fputs("nan:canonical", f);
      else if (w->aLaneKind[i] == CAIRN_WV_NAN_ARITHMETIC)
        fputs("nan:arithmetic", f);
      else
        cli_print_val(f, &lane);
    }
  } else {
    cli_print_val(f, &v);
  }
  fclose(f);
  snprintf(z, n, "%s:%s", zBuf ? zBuf : "?", t);
  free(zBuf);
}

static void describe_val(char *z, size_t n, const cairn_val *v) {
  char *zBuf = NULL;
  size_t nBuf = 0;
  FILE *f = open_memstream(&zBuf, &nBuf);
  if (!f) {
    snprintf(z, n, "?");
    return;
  }
  cli_print_val(f, v);
  fclose(f);
  snprintf(z, n, "%s:%s", zBuf ? zBuf : "?", cli_valtype_name(v->type));
  free(zBuf);
}

/* ---- actions ---- */

/* Runs an invoke or get. On success *paRes (malloc'd, caller frees) holds
** *pnRes results. */
static bool do_action(WastRun *R, const cairn_wast_action *a, cairn_val **paRes, size_t *pnRes,
                      cairn_error *err) {
  *paRes = NULL;
  *pnRes = 0;
  memset(err, 0, sizeof *err);
  cairn_instance *inst = find_named(R, a->zModule);
  if (!inst) {
    cli_error(err, CAIRN_ERR_ARG, "no instance %s%s", a->zModule ? "$" : "(latest module)",
              a->zModule ? a->zModule : "");
    return false;
  }
  cairn_extern ex;
  if (!cairn_instance_export(inst, a->zName, a->nName, &ex)) {
    cli_error(err, CAIRN_ERR_ARG, "no export \"%.*s\"", (int)a->nName, a->zName);
    return false;
  }
  if (a->isGet) {
    if (ex.kind != CAIRN_EXTERN_GLOBAL) {
      cli_error(err, CAIRN_ERR_ARG, "export \"%.*s\" is not a global", (int)a->nName, a->zName);
      return false;
    }
    cairn_val *r = malloc(sizeof *r);
    if (!r) {
      cli_error(err, CAIRN_ERR_NOMEM, "out of memory");
      return false;
    }
    *r = cairn_global_get(ex.of.global);
    *paRes = r;
    *pnRes = 1;
    return true;
  }
  if (ex.kind != CAIRN_EXTERN_FUNC) {
    cli_error(err, CAIRN_ERR_ARG, "export \"%.*s\" is not a function", (int)a->nName, a->zName);
    return false;
  }
  const cairn_functype *ft = cairn_func_type(ex.of.func);
  if (ft->nparams != a->nArg) {
    cli_error(err, CAIRN_ERR_ARG, "\"%.*s\" takes %" PRIu32 " arguments, %" PRIu32 " given",
              (int)a->nName, a->zName, ft->nparams, a->nArg);
    return false;
  }
  cairn_val *aArg = calloc(a->nArg ? a->nArg : 1, sizeof *aArg);
  cairn_val *aRes = calloc(ft->nresults ? ft->nresults : 1, sizeof *aRes);
  if (!aArg || !aRes) {
    free(aArg);
    free(aRes);
    cli_error(err, CAIRN_ERR_NOMEM, "out of memory");
    return false;
  }
  for (uint32_t i = 0; i < a->nArg; i++) wast_to_val(&a->aArg[i], &aArg[i]);
  for (uint32_t i = 0; i < ft->nresults; i++) aRes[i].type = ft->results[i];
  bool ok = cairn_func_call(ex.of.func, aArg, a->nArg, aRes, ft->nresults, err);
  free(aArg);
  if (!ok) {
    free(aRes);
    if (err->kind == CAIRN_OK) err->kind = CAIRN_ERR_TRAP;
    return false;
  }
  *paRes = aRes;
  *pnRes = ft->nresults;
  return true;
}

/* ---- commands ---- */

static void run_module(WastRun *R, const cairn_wast_cmd *c) {
  cairn_error err;
  bool loaded;
  cairn_instance *inst = load_and_instantiate(R, &c->mod, &loaded, &err);
  R->pLatest = inst;
  set_named(R, c->mod.zId, inst);  /* a failed module hides an older one of that name */
  if (!inst) {
    char z[400];
    describe_error(z, sizeof z, &err);
    fail(R, "module failed to %s: %s", loaded ? "instantiate" : "load", z);
    return;
  }
  R->nPass++;
}

static void run_register(WastRun *R, const cairn_wast_cmd *c) {
  cairn_instance *inst = find_named(R, c->zRegModule);
  if (!inst) {
    fail(R, "no instance %s to register as \"%.*s\"", c->zRegModule ? c->zRegModule : "(latest)",
         (int)c->nRegName, c->zRegName);
    return;
  }
  if (!cli_linker_register(&R->linker, c->zRegName, c->nRegName, inst)) {
    fail(R, "out of memory");
  }
}

static void run_action(WastRun *R, const cairn_wast_cmd *c) {
  cairn_val *aRes;
  size_t nRes;
  cairn_error err;
  if (!do_action(R, &c->action, &aRes, &nRes, &err)) {
    char z[400];
    describe_error(z, sizeof z, &err);
    fail(R, "\"%.*s\" failed: %s", (int)c->action.nName, c->action.zName, z);
    return;
  }
  free(aRes);
  R->nPass++;
}

static void run_assert_return(WastRun *R, const cairn_wast_cmd *c) {
  cairn_val *aRes;
  size_t nRes;
  cairn_error err;
  if (!do_action(R, &c->action, &aRes, &nRes, &err)) {
    char z[400];
    describe_error(z, sizeof z, &err);
    fail(R, "\"%.*s\": expected a result, got %s", (int)c->action.nName, c->action.zName, z);
    return;
  }
  bool ok = nRes == c->nResult;
  for (size_t i = 0; ok && i < nRes; i++) ok = val_matches(&c->aResult[i], &aRes[i]);
  if (ok) {
    R->nPass++;
  } else {
    char zExp[600] = "", zGot[600] = "";
    size_t nExp = 0, nGot = 0;
    for (uint32_t i = 0; i < c->nResult && nExp < sizeof zExp - 100; i++) {
      char z[96];
      describe_expected(z, sizeof z, &c->aResult[i]);
      nExp += (size_t)snprintf(zExp + nExp, sizeof zExp - nExp, "%s%s", i ? " " : "", z);
    }
    for (size_t i = 0; i < nRes && nGot < sizeof zGot - 100; i++) {
      char z[96];
      describe_val(z, sizeof z, &aRes[i]);
      nGot += (size_t)snprintf(zGot + nGot, sizeof zGot - nGot, "%s%s", i ? " " : "", z);
    }
    fail(R, "\"%.*s\": expected (%s), got (%s)", (int)c->action.nName, c->action.zName, zExp,
         zGot);
  }
  free(aRes);
}

/* assert_trap / assert_exhaustion (action form): the action must fail with
** error kind `want`. */
static void run_assert_action_fails(WastRun *R, const cairn_wast_cmd *c, cairn_errkind want) {
  cairn_val *aRes;
  size_t nRes;
  cairn_error err;
  if (do_action(R, &c->action, &aRes, &nRes, &err)) {
    char zGot[400] = "";
    size_t nGot = 0;
    for (size_t i = 0; i < nRes && nGot < sizeof zGot - 100; i++) {
      char z[96];
      describe_val(z, sizeof z, &aRes[i]);
      nGot += (size_t)snprintf(zGot + nGot, sizeof zGot - nGot, "%s%s", i ? " " : "", z);
    }
    free(aRes);
    fail(R, "\"%.*s\": expected %s \"%s\", got result (%s)", (int)c->action.nName,
         c->action.zName, cli_errkind_name(want), c->zText ? c->zText : "", zGot);
    return;
  }
  if (err.kind != want) {
    char z[400];
    describe_error(z, sizeof z, &err);
    fail(R, "\"%.*s\": expected %s \"%s\", got %s", (int)c->action.nName, c->action.zName,
         cli_errkind_name(want), c->zText ? c->zText : "", z);
    return;
  }
  check_message(R, &err);
  R->nPass++;
}

/* assert_malformed / assert_invalid: loading must fail with kind `want`. */
static void run_assert_load_fails(WastRun *R, const cairn_wast_cmd *c, cairn_errkind want) {
  cairn_error err;
  cairn_module *m = load_module(R, &c->mod, &err);
  if (m) {
    cairn_module_free(m);
    fail(R, "expected %s \"%s\", but the module loaded", cli_errkind_name(want),
         c->zText ? c->zText : "");
    return;
  }
  if (err.kind != want) {
    char z[400];
    describe_error(z, sizeof z, &err);
    fail(R, "expected %s \"%s\", got %s", cli_errkind_name(want), c->zText ? c->zText : "", z);
    return;
  }
  check_message(R, &err);
  R->nPass++;
}

/* assert_unlinkable / assert_uninstantiable / assert_trap (module form):
** the module must load, and instantiating it must fail with `want` (or
** `want2`). */
static void run_assert_instantiate_fails(WastRun *R, const cairn_wast_cmd *c, cairn_errkind want,
                                         cairn_errkind want2) {
  cairn_error err;
  bool loaded;
  cairn_instance *inst = load_and_instantiate(R, &c->mod, &loaded, &err);
  if (inst) {
    fail(R, "expected %s \"%s\", but the module instantiated", cli_errkind_name(want),
         c->zText ? c->zText : "");
    return;
  }
  if (!loaded || (err.kind != want && err.kind != want2)) {
    char z[400];
    describe_error(z, sizeof z, &err);
    fail(R, "expected %s \"%s\", got %s%s", cli_errkind_name(want), c->zText ? c->zText : "",
         loaded ? "" : "load failure: ", z);
    return;
  }
  check_message(R, &err);
  R->nPass++;
}

static void run_cmd(WastRun *R, const cairn_wast_cmd *c) {
  R->pCmd = c;
  switch (c->kind) {
    case CAIRN_WAST_MODULE: run_module(R, c); break;
    case CAIRN_WAST_REGISTER: run_register(R, c); break;
    case CAIRN_WAST_ACTION: run_action(R, c); break;
    case CAIRN_WAST_ASSERT_RETURN: run_assert_return(R, c); break;
    case CAIRN_WAST_ASSERT_TRAP:
      if (c->hasMod) {
        run_assert_instantiate_fails(R, c, CAIRN_ERR_TRAP, CAIRN_ERR_TRAP);
      } else {
        run_assert_action_fails(R, c, CAIRN_ERR_TRAP);
      }
      break;
    case CAIRN_WAST_ASSERT_EXHAUSTION: run_assert_action_fails(R, c, CAIRN_ERR_EXHAUSTION); break;
    case CAIRN_WAST_ASSERT_MALFORMED: run_assert_load_fails(R, c, CAIRN_ERR_MALFORMED); break;
    case CAIRN_WAST_ASSERT_INVALID: run_assert_load_fails(R, c, CAIRN_ERR_INVALID); break;
    case CAIRN_WAST_ASSERT_UNLINKABLE:
      run_assert_instantiate_fails(R, c, CAIRN_ERR_LINK, CAIRN_ERR_LINK);
      break;
    case CAIRN_WAST_ASSERT_UNINSTANTIABLE:
      run_assert_instantiate_fails(R, c, CAIRN_ERR_TRAP, CAIRN_ERR_EXHAUSTION);
      break;
  }
  fflush(stdout);
}

/* ---- files ---- */

static const char *base_name(const char *z) {
  const char *s = strrchr(z, '/');
  return s ? s + 1 : z;
}

/* --dump-binaries: writes each module of the script to DIR/SCRIPT.N.wasm. */
static int dump_script(const char *zFile, const cairn_wast_script *sc, const char *zDir) {
  char zStem[256];
  snprintf(zStem, sizeof zStem, "%s", base_name(zFile));
  char *dot = strrchr(zStem, '.');
  if (dot) *dot = 0;
  int nDumped = 0;
  for (uint32_t i = 0; i < sc->nCmd; i++) {
    const cairn_wast_cmd *c = &sc->aCmd[i];
    if (!c->hasMod) continue;
    const uint8_t *p;
    size_t n;
    uint8_t *pOwned;
    cairn_error err;
    if (!module_bytes(&c->mod, &p, &n, &pOwned, &err)) continue;
    char zPath[1024];
    snprintf(zPath, sizeof zPath, "%s/%s.%u.wasm", zDir, zStem, i);
    FILE *f = fopen(zPath, "wb");
    if (f) {
      if (fwrite(p, 1, n, f) == n) nDumped++;
      fclose(f);
    } else {
      fprintf(stderr, "cairn wast: cannot write %s: %s\n", zPath, strerror(errno));
    }
    cairn_free(pOwned);
  }
  printf("%s: %d modules dumped\n", zFile, nDumped);
  return nDumped;
}

/* Reads and parses a script; returns false (with a message printed) if it
** cannot be read or parsed. *ppSrc must be freed by the caller. */
static bool read_script(const char *zFile, char **ppSrc, cairn_wast_script *sc) {
  cairn_error err;
  uint8_t *pSrc = NULL;
  size_t nSrc = 0;
  memset(sc, 0, sizeof *sc);
  *ppSrc = NULL;
  memset(&err, 0, sizeof err);
  if (!cairn_read_file(zFile, &pSrc, &nSrc, &err)) {
    fprintf(stderr, "%s: error: %s\n", zFile, err.msg);
    return false;
  }
  *ppSrc = (char *)pSrc;
  memset(&err, 0, sizeof err);
  if (!cairn_wast_parse((const char *)pSrc, nSrc, sc, &err)) {
    fprintf(stderr, "%s:%d:%d: error: %s\n", zFile, err.line, err.col, err.msg);
    return false;
  }
  return true;
}

static void run_script(WastRun *R, const cairn_wast_script *sc) {
  cairn_store_config cfg;
  memset(&cfg, 0, sizeof cfg);
  R->pStore = cairn_store_new(&cfg);
  if (!R->pStore) {
    fprintf(stderr, "%s: error: cannot create a store\n", R->zFile);
    R->nFail++;
    return;
  }
  cli_linker_init(&R->linker, R->pStore, R->verbose);
  if (R->aot) aot_precompile(R, sc);
  for (uint32_t i = 0; i < sc->nCmd; i++) run_cmd(R, &sc->aCmd[i]);
  aot_free(R);
  cli_linker_free(&R->linker);
  cairn_store_free(R->pStore);
  R->pStore = NULL;
  for (size_t i = 0; i < R->nMod; i++) cairn_module_free(R->aMod[i]);
  free(R->aMod);
  R->aMod = NULL;
  R->nMod = R->nModAlloc = 0;
  for (size_t i = 0; i < R->nNamed; i++) free(R->aNamed[i].zId);
  free(R->aNamed);
  R->aNamed = NULL;
  R->nNamed = R->nNamedAlloc = 0;
  R->pLatest = NULL;
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: cairn wast [options] FILE...\n"
          "Runs WebAssembly spec test scripts (.wast) and counts passed and failed\n"
          "assertions per file and in total. Exit status 0 only if none failed.\n"
          "\n"
          "options:\n"
          "  -v, --verbose          print each failure (file:line, expected, got) and\n"
          "                         the output of spectest print functions\n"
          "  --messages             also note errors whose message differs from the\n"
          "                         script's expected text (informational)\n"
          "  --dump-binaries DIR    do not run: write every module of the scripts to\n"
          "                         DIR/SCRIPT.N.wasm (text modules converted)\n"
          "  --aot                  run every module as native code (cairn compile;\n"
          "                         all of a script's modules are compiled first, one\n"
          "                         compiler per CPU)\n"
          "  -O0, -O1, -O2, -O3     with --aot: the C compiler's level (default -O1)\n"
          "  --bounds-checks        with --aot: explicit bounds checks in the code\n"
          "  --cc CC                with --aot: the C compiler (default gcc; e.g. a\n"
          "                         cross compiler when cairn itself runs under qemu)\n"
          "  -h, --help             show this help\n");
}

int cli_wast(int argc, char **argv) {
  bool verbose = false, messages = false, aot = false;
  const char *zDump = NULL;
  cairn_compile_options aotOpts;
  cairn_compile_options_init(&aotOpts);
  aotOpts.opt_level = 1;
  aotOpts.jobs = 1; /* the modules compile in parallel, each in one process */
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
      verbose = true;
    } else if (strcmp(a, "--messages") == 0) {
      messages = true;
    } else if (strcmp(a, "--aot") == 0) {
      aot = true;
    } else if (strcmp(a, "--bounds-checks") == 0) {
      aotOpts.bounds_checks = true;
    } else if (strcmp(a, "--cc") == 0) {
      if (i + 1 >= argc) {
        fprintf(stderr, "cairn wast: --cc needs a compiler\n");
        return 2;
      }
      aotOpts.cc = argv[++i];
    } else if (a[0] == '-' && a[1] == 'O' && a[2] >= '0' && a[2] <= '3' && !a[3]) {
      aotOpts.opt_level = a[2] - '0';
    } else if (strcmp(a, "--dump-binaries") == 0) {
      if (i + 1 >= argc) {
        fprintf(stderr, "cairn wast: --dump-binaries needs a directory\n");
        return 2;
      }
      zDump = argv[++i];
    } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage(stdout);
      return 0;
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "cairn wast: unknown option '%s'\n", a);
      usage(stderr);
      return 2;
    } else {
      break;
    }
  }
  if (i >= argc) {
    fprintf(stderr, "cairn wast: no script given\n");
    usage(stderr);
    return 2;
  }
  long nPass = 0, nFail = 0;
  for (; i < argc; i++) {
    char *zSrc;
    cairn_wast_script sc;
    bool parsed = read_script(argv[i], &zSrc, &sc);
    if (zDump) {
      if (parsed) dump_script(argv[i], &sc, zDump);
      cairn_wast_free(&sc);
      cairn_free(zSrc);
      continue;
    }
    WastRun R;
    memset(&R, 0, sizeof R);
    R.zFile = argv[i];
    R.verbose = verbose;
    R.messages = messages;
    R.aot = aot;
    R.pAotOpts = &aotOpts;
    if (parsed) {
      run_script(&R, &sc);
    } else {
      R.nFail++;  /* an unreadable script is one failure */
    }
    cairn_wast_free(&sc);
    cairn_free(zSrc);
    printf("%s: %d passed, %d failed\n", argv[i], R.nPass, R.nFail);
    fflush(stdout);
    nPass += R.nPass;
    nFail += R.nFail;
  }
  if (zDump) return 0;
  printf("wast: %ld passed, %ld failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}
