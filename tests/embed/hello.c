/* hello.c: a small embedder of libcairn, built by tests/embed/install.sh
** against an installed Cairn with `pkg-config --cflags --libs cairn`. It
** loads a text module that imports a host function, instantiates it, calls
** an export (which calls back into the host) and checks the result. Only
** the installed headers and library are used. Prints "hello: ok" and exits 0
** on success. */
#include <cairn/cairn.h>
#include <cairn/wasi.h>
#include <stdio.h>
#include <string.h>

static const char kWat[] =
    "(module\n"
    "  (import \"env\" \"twice\" (func $twice (param i32) (result i32)))\n"
    "  (func (export \"add_twice\") (param i32 i32) (result i32)\n"
    "    (call $twice (i32.add (local.get 0) (local.get 1)))))\n";

static bool twice(void *env, const cairn_val *args, cairn_val *results, cairn_error *trap) {
  (void)trap;
  ++*(int *)env;
  results[0].of.i32 = args[0].of.i32 * 2;
  return true;
}

int main(void) {
  cairn_error err;
  int ncalls = 0;
  int status = 1;
  cairn_module *m = cairn_module_from_text(kWat, strlen(kWat), &err);
  if (!m) {
    fprintf(stderr, "hello: module: %s\n", err.msg);
    return 1;
  }
  cairn_store *s = cairn_store_new(NULL);
  static const cairn_valtype p[] = {CAIRN_I32}, r[] = {CAIRN_I32};
  cairn_functype ft = {1, 1, p, r};
  cairn_extern imp = {.kind = CAIRN_EXTERN_FUNC, .of.func = cairn_func_new(s, &ft, twice, &ncalls)};
  cairn_instance *inst = cairn_instance_new(s, m, &imp, 1, &err);
  cairn_extern f;
  if (!inst) {
    fprintf(stderr, "hello: instantiate: %s\n", err.msg);
  } else if (!cairn_instance_export(inst, "add_twice", 9, &f) || f.kind != CAIRN_EXTERN_FUNC) {
    fprintf(stderr, "hello: no export add_twice\n");
  } else {
    cairn_val args[2] = {{.type = CAIRN_I32, .of.i32 = 20}, {.type = CAIRN_I32, .of.i32 = 1}};
    cairn_val res[1] = {{.type = CAIRN_I32}};
    if (!cairn_func_call(f.of.func, args, 2, res, 1, &err)) {
      fprintf(stderr, "hello: call: %s\n", err.msg);
    } else if (res[0].of.i32 != 42 || ncalls != 1) {
      fprintf(stderr, "hello: add_twice(20, 1) = %d, host calls %d (want 42, 1)\n",
              (int)res[0].of.i32, ncalls);
    } else {
      printf("hello: Cairn %s: add_twice(20, 1) = %d through the host: ok\n", CAIRN_VERSION,
             (int)res[0].of.i32);
      status = 0;
    }
  }
  cairn_store_free(s);
  cairn_module_free(m);
  return status;
}
