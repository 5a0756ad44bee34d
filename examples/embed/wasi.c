/* wasi.c: a WASI program run through wasi.h: arguments, environment, stdout
** into a file, a preopened directory; its proc_exit status read from the
** trap; a module with a non-WASI import refused with a reason. */
#include <stdlib.h>
#include <unistd.h>
#include <wasi.h>

#include "example.h"

static const char kWat[] =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"fd_write\"\n"
    "    (func $fd_write (param i32 i32 i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"args_sizes_get\" (func $args (param i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"environ_sizes_get\" (func $envs (param i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (data (i32.const 64) \"hello from wasi\\n\")\n"
    "  (func (export \"_start\")\n"
    "    (i32.store (i32.const 0) (i32.const 64))\n"
    "    (i32.store (i32.const 4) (i32.const 16))\n"
    "    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))\n"
    "    (drop (call $args (i32.const 32) (i32.const 36)))\n"
    "    (drop (call $envs (i32.const 40) (i32.const 44)))\n"
    "    (call $exit (i32.add (i32.mul (i32.load (i32.const 32)) (i32.const 10))\n"
    "                         (i32.load (i32.const 40))))))\n";

int main(void) {
  char dir[] = "/tmp/cairn-wasi-example-XXXXXX";
  CHECK(mkdtemp(dir), "mkdtemp");
  char out_path[64];
  snprintf(out_path, sizeof out_path, "%s/out.txt", dir);

  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = example_module(store, kWat);

  /* what a config can say, exercised on one we throw away */
  wasi_config_t *scratch = wasi_config_new();
  wasi_config_inherit_argv(scratch);
  wasi_config_inherit_env(scratch);
  wasi_config_inherit_stdin(scratch);
  wasi_config_inherit_stdout(scratch);
  wasi_config_inherit_stderr(scratch);
  CHECK(!wasi_config_set_stdin_file(scratch, "/nonexistent/in"), "a missing stdin file");
  CHECK(!wasi_config_preopen_dir(scratch, "/nonexistent/dir", "/"), "a missing directory");
  const char *bad_names[] = {"A=B"}, *bad_values[] = {"c"};
  CHECK(!wasi_config_set_env(scratch, 1, bad_names, bad_values), "a name with '='");
  wasi_config_delete(scratch);

  wasi_config_t *config = wasi_config_new();
  const char *argv[] = {"prog", "one", "two"};
  const char *names[] = {"HOME", "LANG"}, *values[] = {"/", "C"};
  CHECK(wasi_config_set_argv(config, 3, argv), "argv");
  CHECK(wasi_config_set_env(config, 2, names, values), "env");
  CHECK(wasi_config_set_stdin_file(config, "/dev/null"), "stdin");
  CHECK(wasi_config_set_stdout_file(config, out_path), "stdout");
  CHECK(wasi_config_set_stderr_file(config, "/dev/null"), "stderr");
  CHECK(wasi_config_preopen_dir(config, dir, "/"), "preopen");
  wasi_env_t *env = wasi_env_new(store, config);
  CHECK(env, "wasi_env_new");

  wasm_extern_vec_t imports;
  CHECK(wasi_get_imports(store, env, module, &imports), "imports: %s", wasi_env_error(env));
  wasm_trap_t *trap = NULL;
  wasm_instance_t *inst = wasm_instance_new(store, module, &imports, &trap);
  CHECK(inst && !trap, "instantiate");
  CHECK(wasi_env_initialize_instance(env, store, inst), "bind: %s", wasi_env_error(env));
  wasm_extern_vec_t exports;
  wasm_instance_exports(inst, &exports);
  const wasm_func_t *start = wasm_extern_as_func(example_export(module, &exports, "_start"));
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  trap = wasm_func_call(start, &none, &none);
  int status = -1;
  CHECK(trap && wasi_trap_exit_status(trap, &status), "no proc_exit");
  CHECK(status == 32, "exit status %d (want 3 args * 10 + 2 variables)", status);
  wasm_trap_delete(trap);

  char buf[64] = {0};
  FILE *f = fopen(out_path, "r");
  CHECK(f && fgets(buf, sizeof buf, f), "read %s", out_path);
  fclose(f);
  CHECK(strcmp(buf, "hello from wasi\n") == 0, "stdout: %s", buf);
  printf("wasi: the guest wrote \"hello from wasi\" and exited with %d\n", status);

  /* not every import is WASI: refused, with the reason */
  wasm_module_t *other = example_module(store, "(module (import \"env\" \"f\" (func)))");
  wasm_extern_vec_t imports2;
  CHECK(!wasi_get_imports(store, env, other, &imports2) && imports2.size == 0, "env.f accepted");
  printf("wasi: %s\n", wasi_env_error(env));
  CHECK(strstr(wasi_env_error(env), "env.f"), "the reason names env.f");
  wasm_module_delete(other);
  printf("wasi: ok\n");

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(inst);
  wasm_extern_vec_delete(&imports);
  wasi_env_delete(env);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  unlink(out_path);
  rmdir(dir);
  return 0;
}
