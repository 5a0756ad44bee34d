/*
** trust.c: `cairn keygen`, `cairn sign` and `cairn verify` (signed modules,
** docs/signing.md): argument parsing and wiring to src/trust/sign.h, where
** key files and signatures are made and checked.
*/
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "trust/sign.h"

#define EXIT_REFUSED 2

static void keygen_usage(FILE *f) {
  fprintf(f,
          "usage: cairn keygen [--force] -o KEY\n"
          "Writes a new Ed25519 key pair (made by libsodium) for `cairn sign`: the\n"
          "secret key to KEY (mode 0600) and the public key to KEY.pub (mode 0644),\n"
          "each one line of text: a type tag (cairn-ed25519-secret-v1 or\n"
          "cairn-ed25519-public-v1), a space and the key in base64.\n"
          "Give KEY.pub to whoever checks signatures (cairn verify --pub, cairn run\n"
          "--require-signature, serve's \"require_signature\"); keep KEY secret.\n"
          "\n"
          "options:\n"
          "  -o KEY        where to write the secret key (KEY.pub is written next to it)\n"
          "  --force       replace KEY and KEY.pub if they exist (default: refuse)\n"
          "  -h, --help    show this help\n"
          "\n"
          "Exit status: 0 on success; 1 if a file cannot be written or exists;\n"
          "2 for a usage error.\n");
}

static void sign_usage(FILE *f) {
  fprintf(f,
          "usage: cairn sign --key KEY [--force] MODULE -o OUT\n"
          "Signs MODULE (a .wasm binary, or a .cwasm made by `cairn compile`) with the\n"
          "secret key KEY (from `cairn keygen`) and writes it to OUT with the\n"
          "signature appended: for a .wasm a custom section named \"cairn.signature\"\n"
          "(so OUT is still a valid module that any runtime runs), for a .cwasm a\n"
          "record of the same bytes after its code. The signature (Ed25519ph) covers\n"
          "every byte before it, earlier signatures included: signing a signed file\n"
          "adds a signature. MODULE must be valid (a .wasm validates, a .cwasm passes\n"
          "its header and hash checks) and its signatures must all be valid.\n"
          "\n"
          "options:\n"
          "  --key KEY     the secret key file (mode 0600 or stricter)\n"
          "  -o OUT        where to write the signed file (may be MODULE itself)\n"
          "  --force       replace OUT if it exists (default: refuse, unless OUT\n"
          "                is MODULE)\n"
          "  -h, --help    show this help\n"
          "\n"
          "Exit status: 0 on success; 1 if MODULE is not valid, already carries a bad\n"
          "signature, or a file cannot be read or written; 2 for a usage error.\n");
}

static void verify_usage(FILE *f) {
  fprintf(f,
          "usage: cairn verify --pub KEY.pub[,KEY2.pub...] MODULE...\n"
          "Checks the signatures of each MODULE (.wasm or .cwasm) against the public\n"
          "keys given: every signature in the file must be intact (none altered, no\n"
          "unsigned bytes after the last one, no malformed signature section), and at\n"
          "least one must be by a listed key. Prints, per MODULE, each valid signer:\n"
          "'MODULE: signed by KEY.pub (ed25519:...)' for listed keys and 'MODULE: also\n"
          "signed by ed25519:... (not listed)' for others; or 'MODULE: error: REASON'\n"
          "(unsigned, altered, unknown signer, trailing bytes, malformed at offset N).\n"
          "The module itself is not validated: see cairn validate.\n"
          "\n"
          "options:\n"
          "  --pub LIST    comma-separated public key files (from cairn keygen)\n"
          "  -h, --help    show this help\n"
          "\n"
          "Exit status: 0 if every MODULE is signed by a listed key; 2 otherwise, or\n"
          "for a usage error.\n");
}

int cli_keygen(int argc, char **argv) {
  const char *zOut = NULL;
  bool force = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      keygen_usage(stdout);
      return 0;
    } else if (strcmp(a, "--force") == 0) {
      force = true;
    } else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
      zOut = argv[++i];
    } else {
      fprintf(stderr, "cairn keygen: %s '%s' (see cairn keygen --help)\n",
              strcmp(a, "-o") == 0 ? "a value is needed after" : "unexpected argument", a);
      return 2;
    }
  }
  if (!zOut) {
    fprintf(stderr, "cairn keygen: no output file: give -o KEY\n");
    keygen_usage(stderr);
    return 2;
  }
  char err[512];
  uint8_t pub[32];
  if (trust_keygen(zOut, force, pub, err, sizeof err) != 0) {
    fprintf(stderr, "cairn keygen: %s\n", err);
    return 1;
  }
  char key[TRUST_KEY_TEXT];
  trust_key_text(pub, key);
  printf("wrote %s (secret key, mode 0600) and %s.pub (public key %s)\n", zOut, zOut, key);
  return 0;
}

/* Writes p[0..n) then rec[0..nRec) to zOut through a temporary file in the
** same folder and a rename, so OUT is never half-written (and may be the
** input). */
static bool write_atomic(const char *zOut, bool replace, const uint8_t *p, size_t n,
                         const uint8_t *rec, size_t nRec) {
  if (!replace && access(zOut, F_OK) == 0) {
    fprintf(stderr, "cairn sign: %s exists (use --force to replace it)\n", zOut);
    return false;
  }
  size_t k = strlen(zOut);
  char *tmp = malloc(k + 16);
  if (!tmp) {
    fprintf(stderr, "cairn sign: out of memory\n");
    return false;
  }
  snprintf(tmp, k + 16, "%s.tmp-XXXXXX", zOut);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    fprintf(stderr, "cairn sign: cannot create a file next to %s: %s\n", zOut, strerror(errno));
    free(tmp);
    return false;
  }
  bool ok = fchmod(fd, 0644) == 0;
  for (int part = 0; part < 2; part++) {
    const uint8_t *q = part ? rec : p;
    size_t nq = part ? nRec : n;
    for (size_t off = 0; ok && off < nq;) {
      ssize_t w = write(fd, q + off, nq - off);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) ok = false;
      else off += (size_t)w;
    }
  }
  if (close(fd) != 0) ok = false;
  if (ok && rename(tmp, zOut) != 0) ok = false;
  if (!ok) {
    fprintf(stderr, "cairn sign: cannot write %s: %s\n", zOut, strerror(errno));
    unlink(tmp);
  }
  free(tmp);
  return ok;
}

int cli_sign(int argc, char **argv) {
  const char *zKey = NULL, *zOut = NULL, *zIn = NULL;
  bool force = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      sign_usage(stdout);
      return 0;
    } else if (strcmp(a, "--force") == 0) {
      force = true;
    } else if ((strcmp(a, "--key") == 0 || strcmp(a, "-o") == 0) && i + 1 < argc) {
      if (a[1] == 'o') zOut = argv[++i];
      else zKey = argv[++i];
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "cairn sign: %s '%s' (see cairn sign --help)\n",
              strcmp(a, "--key") == 0 || strcmp(a, "-o") == 0 ? "a value is needed after"
                                                              : "unknown option",
              a);
      return 2;
    } else if (zIn) {
      fprintf(stderr, "cairn sign: one module at a time ('%s' and '%s')\n", zIn, a);
      return 2;
    } else {
      zIn = a;
    }
  }
  if (!zKey || !zIn || !zOut) {
    fprintf(stderr, "cairn sign: %s\n", !zKey  ? "no key: give --key KEY"
                                        : !zIn ? "no module given"
                                               : "no output file: give -o OUT");
    sign_usage(stderr);
    return 2;
  }
  char err[512];
  uint8_t sk[64];
  if (trust_seckey_load(zKey, sk, err, sizeof err) != 0) {
    fprintf(stderr, "cairn sign: %s\n", err);
    return 1;
  }
  int rc = 1;
  cairn_error e;
  memset(&e, 0, sizeof e);
  uint8_t *p = NULL;
  size_t n = 0;
  if (!cairn_read_file(zIn, &p, &n, &e)) {
    cli_print_load_error(stderr, zIn, &e);
    goto out;
  }
  bool cwasm = cairn_is_cwasm(p, n);
  cairn_cwasm_info info;
  if (!cwasm && !(n >= 4 && memcmp(p, "\0asm", 4) == 0)) {
    fprintf(stderr, "%s: error: not a Wasm binary or .cwasm (a text module cannot be signed: "
            "convert it to a binary first)\n", zIn);
    goto out;
  }
  if (cwasm ? !cairn_cwasm_info_get(p, n, &info, &e) : !cairn_module_validate(p, n, &e)) {
    fprintf(stderr, "cairn sign: refusing to sign a file that is not a valid %s:\n",
            cwasm ? ".cwasm" : "module");
    cli_print_load_error(stderr, zIn, &e);
    goto out;
  }
  uint8_t rec[TRUST_SIG_RECORD];
  if (trust_sign(p, n, sk, rec, err, sizeof err) != 0) {
    fprintf(stderr, "cairn sign: %s: refusing to add a signature: %s\n", zIn, err);
    goto out;
  }
  struct stat si, so;
  bool same = stat(zIn, &si) == 0 && stat(zOut, &so) == 0 && si.st_dev == so.st_dev &&
              si.st_ino == so.st_ino;
  if (!write_atomic(zOut, force || same, p, n, rec, sizeof rec)) goto out;
  char key[TRUST_KEY_TEXT];
  trust_key_text(sk + 32, key);
  printf("%s: signed by %s into %s\n", zIn, key, zOut);
  rc = 0;
out:
  sodium_memzero(sk, sizeof sk);
  cairn_free(p);
  return rc;
}

int cli_verify(int argc, char **argv) {
  const char *zPub = NULL;
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      verify_usage(stdout);
      return 0;
    } else if (strcmp(a, "--pub") == 0 && i + 1 < argc) {
      zPub = argv[++i];
    } else if (strcmp(a, "--") == 0) {
      i++;
      break;
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "cairn verify: %s '%s' (see cairn verify --help)\n",
              strcmp(a, "--pub") == 0 ? "a value is needed after" : "unknown option", a);
      return 2;
    } else {
      break;
    }
  }
  if (!zPub || i >= argc) {
    fprintf(stderr, "cairn verify: %s\n", !zPub ? "no public key: give --pub KEY.pub"
                                                : "no module given");
    verify_usage(stderr);
    return 2;
  }
  char err[512];
  uint8_t(*keys)[32];
  size_t nKeys;
  if (trust_pubkeys_load_list(zPub, &keys, &nKeys, err, sizeof err) != 0) {
    fprintf(stderr, "cairn verify: %s\n", err);
    return 2;
  }
  /* the names of the listed key files, in order, for the report */
  char *zNames = strdup(zPub);
  char **azName = calloc(nKeys, sizeof *azName);
  if (!zNames || !azName) {
    fprintf(stderr, "cairn verify: out of memory\n");
    free(zNames);
    free(keys);
    return 2;
  }
  for (size_t k = 0; k < nKeys; k++) {
    azName[k] = k ? strchr(azName[k - 1], 0) + 1 : zNames;
    char *c = strchr(azName[k], ',');
    if (c) *c = 0;
  }
  int rc = 0;
  for (; i < argc; i++) {
    const char *zFile = argv[i];
    cairn_error e;
    memset(&e, 0, sizeof e);
    uint8_t *p;
    size_t n;
    if (!cairn_read_file(zFile, &p, &n, &e)) {
      cli_print_load_error(stdout, zFile, &e);
      rc = EXIT_REFUSED;
      continue;
    }
    size_t nSig = n / TRUST_SIG_RECORD + 1;
    uint8_t(*signers)[32] = malloc(nSig * sizeof *signers);
    if (!signers || trust_require(p, n, (const uint8_t(*)[32])keys, nKeys, signers, nSig, &nSig,
                                  err, sizeof err) != 0) {
      printf("%s: error: %s\n", zFile, signers ? err : "out of memory");
      rc = EXIT_REFUSED;
      nSig = 0;
    }
    for (size_t s = 0; s < nSig; s++) {
      char key[TRUST_KEY_TEXT];
      trust_key_text(signers[s], key);
      size_t k = 0;
      while (k < nKeys && memcmp(keys[k], signers[s], 32) != 0) k++;
      if (k < nKeys)
        printf("%s: signed by %s (%s)\n", zFile, azName[k], key);
      else
        printf("%s: also signed by %s (not listed)\n", zFile, key);
    }
    free(signers);
    cairn_free(p);
  }
  fflush(stdout);
  free(azName);
  free(zNames);
  free(keys);
  return rc;
}
