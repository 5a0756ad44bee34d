/*
** main.c: the `cairn` program: global options and dispatch to one file per
** subcommand. Only argument parsing and wiring live in src/cli/.
*/
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

typedef struct Subcommand {
  const char *zName;
  int (*xRun)(int argc, char **argv);
  const char *zHelp;
} Subcommand;

static const Subcommand aCmd[] = {
    {"run", cli_run, "load a module and call a function (or _start)"},
    {"wast", cli_wast, "run WebAssembly spec test scripts (.wast)"},
    {"compile", cli_compile, "compile a module to native code (.cwasm)"},
    {"validate", cli_validate, "decode and validate modules"},
    {"inspect", cli_inspect, "show a module's sections, imports, exports, functions"},
    {"serve", cli_serve, "serve HTTP functions (WASI/WAGI), a fresh instance per request"},
    {"oci", cli_oci, "the OCI runtime (runc's command line; also run as cairn-oci)"},
    {"image", cli_image, "build an OCI image of a module (image build)"},
    {"verifier", cli_verifier, "attestation verifier: release secrets to attested modules"},
    {"keygen", cli_keygen, "make an Ed25519 key pair for signing modules"},
    {"sign", cli_sign, "sign a module (.wasm or .cwasm) with a secret key"},
    {"verify", cli_verify, "check a module's signatures against public keys"},
};

static void usage(FILE *f) {
  fprintf(f,
          "usage: cairn [--help | --version] COMMAND [ARGS...]\n"
          "Cairn %s, a WebAssembly runtime.\n"
          "\n"
          "commands:\n",
          CAIRN_VERSION);
  for (size_t i = 0; i < sizeof aCmd / sizeof aCmd[0]; i++) {
    fprintf(f, "  %-10s %s\n", aCmd[i].zName, aCmd[i].zHelp);
  }
  fprintf(f,
          "\n"
          "`cairn COMMAND --help` describes a command's options.\n");
}

int main(int argc, char **argv) {
  if (argc >= 1 && cli_is_oci_name(argv[0])) return cli_oci(argc, argv);
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const char *z = argv[1];
  if (strcmp(z, "-h") == 0 || strcmp(z, "--help") == 0 || strcmp(z, "help") == 0) {
    if (strcmp(z, "help") == 0 && argc > 2) {
      for (size_t i = 0; i < sizeof aCmd / sizeof aCmd[0]; i++) {
        if (strcmp(argv[2], aCmd[i].zName) == 0) {
          char *av[] = {argv[2], "--help", NULL};
          return aCmd[i].xRun(2, av);
        }
      }
    }
    usage(stdout);
    return 0;
  }
  if (strcmp(z, "-V") == 0 || strcmp(z, "--version") == 0 || strcmp(z, "version") == 0) {
    printf("cairn %s\n", CAIRN_VERSION);
    return 0;
  }
  for (size_t i = 0; i < sizeof aCmd / sizeof aCmd[0]; i++) {
    if (strcmp(z, aCmd[i].zName) == 0) return aCmd[i].xRun(argc - 1, argv + 1);
  }
  fprintf(stderr, "cairn: unknown command '%s'\n", z);
  usage(stderr);
  return 2;
}
