/*
** verifier.c: `cairn verifier`: option parsing for the attestation
** verifier (src/trust/attest_verifier.c does the work).
*/
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "trust/attest.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: cairn verifier --policy POLICY.json --key KEY [options]\n"
          "Runs the attestation verifier and relying party (docs/trust.md). An\n"
          "attester (cairn run --attest, cairn serve's \"attest\") asks it for a\n"
          "nonce, sends evidence (its event log, the nonce and an ephemeral X25519\n"
          "key, signed by a TPM 2.0 attestation key quote or a software device key),\n"
          "and receives a signed attestation result plus the module's secrets\n"
          "sealed to its ephemeral key, if the evidence satisfies the policy: a\n"
          "registered key, a fresh single-use nonce, a PCR that matches the event\n"
          "log, an allowed cairn binary, and an allowed build (or signer) of the\n"
          "module. Decisions are logged on stderr; secret values never are.\n"
          "\n"
          "options:\n"
          "  --policy FILE          the reference values and secrets (JSON; a\n"
          "                         malformed file stops the verifier at start)\n"
          "  --key FILE             the verifier's Ed25519 secret key (cairn keygen);\n"
          "                         attesters check results with its .pub\n"
          "  --listen HOST:PORT     where to listen (default 127.0.0.1:7380; port 0\n"
          "                         picks a free one)\n"
          "  --port-file FILE       write the port listened on to FILE\n"
          "  -q, --quiet            log nothing\n"
          "  -h, --help             show this help\n"
          "\n"
          "Stops on SIGINT or SIGTERM. Exit status: 0 after a stop, 2 for a usage\n"
          "error, a malformed policy or key, or an address that cannot be bound.\n");
}

int cli_verifier(int argc, char **argv) {
  VerifierOpts o;
  memset(&o, 0, sizeof o);
  o.listen = "127.0.0.1:7380";
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    bool takes = strcmp(a, "--policy") == 0 || strcmp(a, "--key") == 0 ||
                 strcmp(a, "--listen") == 0 || strcmp(a, "--port-file") == 0;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage(stdout);
      return 0;
    } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
      o.quiet = true;
    } else if (takes && i + 1 >= argc) {
      fprintf(stderr, "cairn verifier: %s needs a value (see cairn verifier --help)\n", a);
      return 2;
    } else if (strcmp(a, "--policy") == 0) {
      o.policy = argv[++i];
    } else if (strcmp(a, "--key") == 0) {
      o.key = argv[++i];
    } else if (strcmp(a, "--listen") == 0) {
      o.listen = argv[++i];
    } else if (strcmp(a, "--port-file") == 0) {
      o.port_file = argv[++i];
    } else {
      fprintf(stderr, "cairn verifier: unknown argument '%s' (see cairn verifier --help)\n", a);
      return 2;
    }
  }
  if (!o.policy || !o.key) {
    fprintf(stderr, "cairn verifier: --policy and --key are required\n");
    usage(stderr);
    return 2;
  }
#ifdef CAIRN_NO_SERVE
  fprintf(stderr, "cairn verifier: not built in (this cairn was built without jansson)\n");
  return 2;
#else
  return verifier_main(&o);
#endif
}
