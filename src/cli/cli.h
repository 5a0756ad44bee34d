/*
** cli.h: what the `cairn` subcommands share: the subcommand entry points,
** the import linker (registered instances plus the built-in `spectest`
** module) and value/type formatting. The CLI is a client of the public API
** (cairn/cairn.h) and of the WAST script structures (engine/text/text.h)
** only.
*/
#ifndef CAIRN_CLI_H
#define CAIRN_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cairn/cairn.h"
#include "cairn/wasi.h"

/* ---- subcommands: each returns the process exit status ---- */
int cli_wast(int argc, char **argv);      /* wast.c */
int cli_run(int argc, char **argv);       /* run.c */
int cli_validate(int argc, char **argv);  /* validate.c */
int cli_inspect(int argc, char **argv);   /* inspect.c */
int cli_serve(int argc, char **argv);     /* serve.c */
int cli_compile(int argc, char **argv);   /* compile.c */
int cli_verifier(int argc, char **argv);  /* verifier.c */

/* ---- attestation of a run (attest.c) ----
** Options --attest URL, --verifier-pub FILE, --device-key FILE, --tpm
** TCTI, --tpm-ak HANDLE, --attest-name NAME, --attest-timeout MS. cli_attest_option returns 1
** when argv[*i] was one (consumed with its value; *pa made on first use),
** 0 when not, -1 after printing a usage error. */
typedef struct CliAttest CliAttest;
int cli_attest_option(CliAttest **pa, int argc, char **argv, int *i);
/* Reads MODULE once; with keys (--require-signature, nkeys of them) checks
** its signature first (trust_check_module); measures its bytes and the
** run's configuration (wc: argv, env names, preopens), attests, and loads
** the module from the bytes checked and measured. NULL after printing why
** (the run exits 2; no guest code ran, nothing was sent if the signature
** failed). */
cairn_module *cli_attest_load(CliAttest *a, const char *zModule, bool aot,
                              const uint8_t (*keys)[32], size_t nkeys,
                              const cairn_wasi_config *wc);
/* Gives the released secrets to the guest: wc's memdirs (/run/secrets)
** and env. wc's arrays then point into a (valid until cli_attest_free). */
bool cli_attest_apply(CliAttest *a, cairn_wasi_config *wc);
/* Wipes and frees the secrets (NULL: nothing). */
void cli_attest_free(CliAttest *a);
int cli_keygen(int argc, char **argv);    /* trust.c */
int cli_sign(int argc, char **argv);      /* trust.c */
int cli_verify(int argc, char **argv);    /* trust.c */

/* Loads a .wasm, .wat or .cwasm file (compile.c). With aot, a .wasm or
** .wat is compiled to native code through the cache (o: its options; NULL
** for the defaults); a .cwasm is always loaded as native code. */
cairn_module *cli_load_module(const char *path, bool aot, const cairn_compile_options *o,
                              cairn_error *err);
int cli_oci(int argc, char **argv);       /* oci.c: runc's command line */
int cli_image(int argc, char **argv);     /* oci.c: `cairn image build` */
/* True if the program was started as cairn-oci (multi-call link). */
bool cli_is_oci_name(const char *zArgv0);

/* ---- linker (linker.c) ----
** Resolves a module's imports by (module name, field name): first against
** instances registered under a name (latest registration wins), then against
** the built-in `spectest` module, whose objects are created in the store on
** first use. Anything else is a LINK error "unknown import". */
typedef struct CliReg {
  char *zName;      /* owned */
  size_t nName;
  cairn_instance *pInst;
} CliReg;

typedef struct CliLinker CliLinker;

/* The env of one spectest print function. */
typedef struct CliPrintEnv {
  CliLinker *pLinker;
  int iSig;                 /* index in spectest.c's signature table */
} CliPrintEnv;

struct CliLinker {
  cairn_store *pStore;      /* not owned */
  bool verbose;             /* spectest print functions write to stdout */
  bool spectestMade;
  cairn_func *aPrint[7];
  CliPrintEnv aPrintEnv[7];
  cairn_global *aGlobal[4]; /* global_i32, global_i64, global_f32, global_f64 */
  cairn_table *pTable;
  cairn_memory *pMemory;
  CliReg *aReg;             /* owned */
  size_t nReg, nRegAlloc;
  cairn_wasi *pWasi;        /* not owned; NULL: no WASI imports resolved */
};

void cli_linker_init(CliLinker *l, cairn_store *s, bool verbose);
/* Frees the linker's own memory (not the store nor the instances). */
void cli_linker_free(CliLinker *l);
/* Makes inst's exports importable under module name [z, z+n). */
bool cli_linker_register(CliLinker *l, const char *z, size_t n, cairn_instance *inst);
/* Resolves the imports of m and instantiates it in the linker's store.
** If l->pWasi is set, wasi_snapshot_preview1 imports come from it.
** Returns NULL with a LINK error (unknown import) or the instantiation's error. */
cairn_instance *cli_linker_instantiate(CliLinker *l, const cairn_module *m, cairn_error *err);

/* spectest.c: looks up field [z, z+n) of the built-in `spectest` module,
** creating its objects in l's store on first use. Returns 1 and fills out if
** found, 0 if there is no such field, -1 with err filled if creating failed. */
int cli_spectest_lookup(CliLinker *l, const char *z, size_t n, cairn_extern *out,
                         cairn_error *err);

/* ---- formatting (util.c) ---- */
const char *cli_valtype_name(cairn_valtype t);
/* Writes "(i32, i32) -> i64" to f. */
void cli_print_functype(FILE *f, const cairn_functype *ft);
void cli_print_limits(FILE *f, const cairn_limits *lim);
/* Writes a value without its type: 42, -1.5, nan:0x400000, ref.null, ... */
void cli_print_val(FILE *f, const cairn_val *v);
/* Writes "PATH:LINE:COL: error: msg", "PATH: offset 0xNN: error: msg" or
** "PATH: error: msg" and a newline. */
void cli_print_load_error(FILE *f, const char *zPath, const cairn_error *err);
/* Prints an error's location and message, and a trap's backtrace. */
void cli_print_backtrace(FILE *f, const cairn_error *err);
/* Fills err with a kind and a message (offset -1, no position). */
void cli_error(cairn_error *err, cairn_errkind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *cli_errkind_name(cairn_errkind k);

#endif
