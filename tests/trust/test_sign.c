/*
** test_sign.c: the signature layer (src/trust/sign.c, keys.c) without the
** CLI: key files (modes, types, damage), signing and checking Wasm and
** .cwasm bytes, every one-byte tamper of a signed file, several signatures,
** trailing bytes, malformed and truncated records, trust_require's reasons.
** Usage: test_sign TMPDIR
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trust/sign.h"

static int nFail, nCheck;

#define CHECK(c, ...)                                   \
  do {                                                  \
    nCheck++;                                           \
    if (!(c)) {                                         \
      nFail++;                                          \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                     \
      fprintf(stderr, "\n");                            \
    }                                                   \
  } while (0)

static char zDir[512];
static char err[512];

static const char *path(const char *name) {
  static char buf[4][640];
  static int i;
  i = (i + 1) % 4;
  snprintf(buf[i], sizeof buf[i], "%s/%s", zDir, name);
  return buf[i];
}

static void write_text(const char *p, const char *text, mode_t mode) {
  unlink(p);
  FILE *f = fopen(p, "w");
  fputs(text, f);
  fclose(f);
  chmod(p, mode);
}

/* The smallest module, then any bytes appended (a custom section "x"). */
static const uint8_t kEmpty[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
static const uint8_t kCustom[5] = {0, 3, 1, 'x', 7};

typedef struct Buf {
  uint8_t *p;
  size_t n;
} Buf;

static void append(Buf *b, const void *p, size_t n) {
  b->p = realloc(b->p, b->n + n);
  memcpy(b->p + b->n, p, n);
  b->n += n;
}

static void sign_into(Buf *b, const uint8_t sk[64]) {
  uint8_t rec[TRUST_SIG_RECORD];
  CHECK(trust_sign(b->p, b->n, sk, rec, err, sizeof err) == 0, "sign: %s", err);
  append(b, rec, sizeof rec);
}

static void test_keys(uint8_t sk1[64], uint8_t pub1[32], uint8_t sk2[64], uint8_t pub2[32]) {
  uint8_t pub[32];
  struct stat st;
  CHECK(trust_keygen(path("k1"), false, pub1, err, sizeof err) == 0, "keygen: %s", err);
  CHECK(stat(path("k1"), &st) == 0 && (st.st_mode & 0777) == 0600, "k1 mode %o",
        st.st_mode & 0777);
  CHECK(stat(path("k1.pub"), &st) == 0 && (st.st_mode & 077) == 044, "k1.pub mode %o",
        st.st_mode & 0777);
  CHECK(trust_keygen(path("k1"), false, pub, err, sizeof err) != 0 &&
            strstr(err, "already exists") && strstr(err, "--force"),
        "keygen over an existing key: %s", err);
  CHECK(trust_pubkey_load(path("k1.pub"), pub, err, sizeof err) == 0 && !memcmp(pub, pub1, 32),
        "load k1.pub: %s", err);
  CHECK(trust_seckey_load(path("k1"), sk1, err, sizeof err) == 0 && !memcmp(sk1 + 32, pub1, 32),
        "load k1: %s", err);
  CHECK(trust_keygen(path("k2"), false, pub2, err, sizeof err) == 0, "keygen k2: %s", err);
  CHECK(trust_seckey_load(path("k2"), sk2, err, sizeof err) == 0, "load k2: %s", err);
  /* --force replaces, and the new key is another */
  write_text(path("k3"), "old", 0644);
  CHECK(trust_keygen(path("k3"), false, pub, err, sizeof err) != 0, "k3 exists");
  CHECK(trust_keygen(path("k3"), true, pub, err, sizeof err) == 0, "--force: %s", err);
  CHECK(stat(path("k3"), &st) == 0 && (st.st_mode & 0777) == 0600, "forced k3 mode %o",
        st.st_mode & 0777);
  /* an existing K.pub alone also stops keygen, before K is written */
  write_text(path("k4.pub"), "x", 0644);
  CHECK(trust_keygen(path("k4"), false, pub, err, sizeof err) != 0 && strstr(err, "k4.pub") &&
            access(path("k4"), F_OK) != 0,
        "k4.pub exists: %s", err);

  /* wrong types and damaged files, each with its own message */
  CHECK(trust_pubkey_load(path("k1"), pub, err, sizeof err) != 0 && strstr(err, "secret key"),
        "secret as public: %s", err);
  CHECK(trust_seckey_load(path("k1.pub"), sk1 + 0, err, sizeof err) != 0 &&
            strstr(err, "public key"),
        "public as secret: %s", err);
  trust_seckey_load(path("k1"), sk1, err, sizeof err);
  write_text(path("junk"), "hello world\n", 0600);
  CHECK(trust_pubkey_load(path("junk"), pub, err, sizeof err) != 0 &&
            strstr(err, "not a cairn key file"),
        "junk: %s", err);
  write_text(path("b64"), "cairn-ed25519-public-v1 !!!!\n", 0644);
  CHECK(trust_pubkey_load(path("b64"), pub, err, sizeof err) != 0 && strstr(err, "base64"),
        "bad base64: %s", err);
  write_text(path("short"), "cairn-ed25519-public-v1 AAAA\n", 0644);
  CHECK(trust_pubkey_load(path("short"), pub, err, sizeof err) != 0 && strstr(err, "3 bytes"),
        "short key: %s", err);
  CHECK(trust_pubkey_load(path("nope"), pub, err, sizeof err) != 0 && strstr(err, "nope"),
        "missing: %s", err);
  char big[1000];
  memset(big, 'A', sizeof big - 1);
  big[sizeof big - 1] = 0;
  write_text(path("big"), big, 0644);
  CHECK(trust_pubkey_load(path("big"), pub, err, sizeof err) != 0 && strstr(err, "longer"),
        "big: %s", err);
  chmod(path("k2"), 0640);
  uint8_t skx[64];
  CHECK(trust_seckey_load(path("k2"), skx, err, sizeof err) != 0 && strstr(err, "0640"),
        "group-readable secret key: %s", err);
  chmod(path("k2"), 0600);

  /* key lists */
  uint8_t(*keys)[32];
  size_t n;
  char list[1400];
  snprintf(list, sizeof list, "%s,%s", path("k1.pub"), path("k2.pub"));
  CHECK(trust_pubkeys_load_list(list, &keys, &n, err, sizeof err) == 0 && n == 2 &&
            !memcmp(keys[1], pub2, 32),
        "list: %s", err);
  free(keys);
  snprintf(list, sizeof list, "%s,", path("k1.pub"));
  CHECK(trust_pubkeys_load_list(list, &keys, &n, err, sizeof err) != 0 && strstr(err, "empty"),
        "list with an empty item: %s", err);
}

static void test_wasm(const uint8_t sk1[64], const uint8_t pub1[32], const uint8_t sk2[64],
                      const uint8_t pub2[32]) {
  uint8_t signers[4][32];
  size_t n;
  const uint8_t(*k1)[32] = (const uint8_t(*)[32])pub1;
  const uint8_t(*k2)[32] = (const uint8_t(*)[32])pub2;

  /* unsigned: no signers, and trust_require says so */
  CHECK(trust_signers(kEmpty, 8, signers, 4, &n, err, sizeof err) == 0 && n == 0, "unsigned: %s",
        err);
  CHECK(trust_require(kEmpty, 8, k1, 1, NULL, 0, NULL, err, sizeof err) != 0 && strstr(err, "unsigned"),
        "require unsigned: %s", err);

  Buf b = {0};
  append(&b, kEmpty, 8);
  append(&b, kCustom, 5);
  sign_into(&b, sk1);
  CHECK(b.n == 13 + TRUST_SIG_RECORD, "size %zu", b.n);
  CHECK(trust_signers(b.p, b.n, signers, 4, &n, err, sizeof err) == 0 && n == 1 &&
            !memcmp(signers[0], pub1, 32),
        "one signer: %s", err);
  CHECK(trust_require(b.p, b.n, k1, 1, NULL, 0, NULL, err, sizeof err) == 0, "require k1: %s", err);
  CHECK(trust_require(b.p, b.n, k2, 1, NULL, 0, NULL, err, sizeof err) != 0 && strstr(err, "unknown key"),
        "require k2: %s", err);

  /* every one-byte change is refused, or leaves no valid signature */
  int nBad = 0;
  for (size_t i = 0; i < b.n; i++) {
    b.p[i] ^= 0x01;
    int rc = trust_signers(b.p, b.n, signers, 4, &n, err, sizeof err);
    if (rc == 0 && n != 0) nBad++;
    if (trust_require(b.p, b.n, k1, 1, NULL, 0, NULL, err, sizeof err) == 0) nBad++;
    b.p[i] ^= 0x01;
  }
  CHECK(nBad == 0, "%d one-byte tampers accepted", nBad);
  b.p[10] ^= 0x40;   /* inside the signed custom section: the signature fails */
  CHECK(trust_signers(b.p, b.n, signers, 4, &n, err, sizeof err) != 0 &&
            strstr(err, "altered") && strstr(err, "offset 13"),
        "tamper: %s", err);
  b.p[10] ^= 0x40;

  /* a second signature covers the first */
  sign_into(&b, sk2);
  CHECK(trust_signers(b.p, b.n, signers, 4, &n, err, sizeof err) == 0 && n == 2 &&
            !memcmp(signers[0], pub1, 32) && !memcmp(signers[1], pub2, 32),
        "two signers: %s", err);
  CHECK(trust_signers(b.p, b.n, signers, 1, &n, err, sizeof err) == 0 && n == 1,
        "max 1: n=%zu", n);
  CHECK(trust_require(b.p, b.n, k2, 1, NULL, 0, NULL, err, sizeof err) == 0, "require k2 of two: %s", err);
  b.p[13 + 60] ^= 1;   /* the first signature altered: the second fails too */
  CHECK(trust_signers(b.p, b.n, signers, 4, &n, err, sizeof err) != 0 &&
            strstr(err, "signature 1"),
        "first altered: %s", err);
  b.p[13 + 60] ^= 1;

  /* stripping the last signature leaves the first valid */
  CHECK(trust_signers(b.p, b.n - TRUST_SIG_RECORD, signers, 4, &n, err, sizeof err) == 0 &&
            n == 1,
        "strip the second: %s", err);
  /* stripping all signatures leaves an unsigned module */
  CHECK(trust_require(b.p, 13, k1, 1, NULL, 0, NULL, err, sizeof err) != 0 && strstr(err, "unsigned"),
        "strip all: %s", err);

  /* unsigned bytes after the last signature */
  append(&b, kCustom, 5);
  CHECK(trust_signers(b.p, b.n, signers, 4, &n, err, sizeof err) != 0 &&
            strstr(err, "5 unsigned bytes follow the last signature") && strstr(err, "offset 245"),
        "trailing: %s", err);
  b.n -= 5;
  /* a truncated record */
  CHECK(trust_signers(b.p, b.n - 1, signers, 4, &n, err, sizeof err) != 0 &&
            strstr(err, "offset 129") && strstr(err, "past the end"),
        "truncated: %s", err);

  /* malformed: a longer signature section, an unknown version, algorithm */
  Buf m = {0};
  append(&m, kEmpty, 8);
  uint8_t rec[TRUST_SIG_RECORD + 1];
  CHECK(trust_sign(m.p, m.n, sk1, rec, err, sizeof err) == 0, "sign: %s", err);
  rec[TRUST_SIG_RECORD] = 0;
  rec[1] = 0x73;
  append(&m, rec, sizeof rec);
  CHECK(trust_signers(m.p, m.n, signers, 4, &n, err, sizeof err) != 0 &&
            strstr(err, "malformed signature section at offset 8") && strstr(err, "117 bytes"),
        "long section: %s", err);
  m.n = 8;
  rec[1] = 0x72;
  rec[18] = 2;
  append(&m, rec, TRUST_SIG_RECORD);
  CHECK(trust_signers(m.p, m.n, signers, 4, &n, err, sizeof err) != 0 &&
            strstr(err, "version 2 (offset 26)"),
        "version: %s", err);
  m.p[26] = 1;
  m.p[27] = 9;
  CHECK(trust_signers(m.p, m.n, signers, 4, &n, err, sizeof err) != 0 &&
            strstr(err, "algorithm 9 (offset 27)"),
        "algorithm: %s", err);
  m.p[27] = 1;
  CHECK(trust_signers(m.p, m.n, signers, 4, &n, err, sizeof err) == 0 && n == 1, "repaired: %s",
        err);
  /* a signature section with a non-minimal size encoding */
  uint8_t odd[TRUST_SIG_RECORD + 1];
  odd[0] = 0;
  odd[1] = 0xf2;   /* 114 = 0x72, in two bytes */
  odd[2] = 0x00;
  memcpy(odd + 3, m.p + 8 + 2, TRUST_SIG_RECORD - 2);
  m.n = 8;
  append(&m, odd, sizeof odd);
  CHECK(trust_signers(m.p, m.n, signers, 4, &n, err, sizeof err) != 0 &&
            strstr(err, "malformed signature section at offset 8"),
        "non-minimal LEB: %s", err);
  /* not Wasm at all */
  CHECK(trust_signers((const uint8_t *)"hello", 5, signers, 4, &n, err, sizeof err) != 0 &&
            strstr(err, "not a Wasm module"),
        "text: %s", err);
  free(m.p);
  free(b.p);
}

/* A .cwasm as trust sees it: the header's sizes (the engine checks the rest).
** Format 2: a 296-byte header, the code is the object; format 3: a 304-byte
** header, the code is the object and the module facts (size at 264). */
static void test_cwasm(const uint8_t sk1[64], const uint8_t pub1[32], int format) {
  uint8_t signers[4][32];
  size_t n;
  Buf b = {0};
  uint8_t h[304] = {0};
  size_t nHdr = format >= 3 ? 304 : 296;
  memcpy(h, "\0cwasm\r\n", 8);
  h[8] = (uint8_t)format;
  h[248] = 8;   /* module bytes */
  h[256] = 4;   /* code bytes */
  if (format >= 3) h[256] = 2, h[264] = 2; /* the same 4 bytes: object and facts */
  append(&b, h, nHdr);
  append(&b, kEmpty, 8);
  append(&b, "CODE", 4);
  CHECK(trust_signers(b.p, b.n, signers, 4, &n, err, sizeof err) == 0 && n == 0,
        "unsigned cwasm: %s", err);
  sign_into(&b, sk1);
  CHECK(trust_signers(b.p, b.n, signers, 4, &n, err, sizeof err) == 0 && n == 1 &&
            !memcmp(signers[0], pub1, 32),
        "signed cwasm: %s", err);
  int nBad = 0;
  for (size_t i = 0; i < b.n; i++) {
    b.p[i] ^= 0x80;
    if (trust_require(b.p, b.n, (const uint8_t(*)[32])pub1, 1, NULL, 0, NULL, err, sizeof err) == 0) nBad++;
    b.p[i] ^= 0x80;
  }
  CHECK(nBad == 0, "%d one-byte tampers of the .cwasm accepted", nBad);
  append(&b, "junk", 4);
  CHECK(trust_signers(b.p, b.n, signers, 4, &n, err, sizeof err) != 0 &&
            strstr(err, "4 unsigned bytes follow"),
        "cwasm trailing: %s", err);
  b.n -= 4 + TRUST_SIG_RECORD;
  append(&b, "junk", 4);
  char want[64];
  snprintf(want, sizeof want, "after the code at offset %zu are not a signature", nHdr + 12);
  CHECK(trust_signers(b.p, b.n, signers, 4, &n, err, sizeof err) != 0 && strstr(err, want),
        "cwasm garbage (format %d): %s", format, err);
  b.n = nHdr + 4;
  CHECK(trust_signers(b.p, b.n, signers, 4, &n, err, sizeof err) != 0 &&
            strstr(err, "truncated"),
        "cwasm truncated: %s", err);
  free(b.p);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test_sign TMPDIR\n");
    return 2;
  }
  snprintf(zDir, sizeof zDir, "%s/test_sign.XXXXXX", argv[1]);
  if (!mkdtemp(zDir)) {
    perror("mkdtemp");
    return 2;
  }
  uint8_t sk1[64], pub1[32], sk2[64], pub2[32];
  test_keys(sk1, pub1, sk2, pub2);
  test_wasm(sk1, pub1, sk2, pub2);
  test_cwasm(sk1, pub1, 2);
  test_cwasm(sk1, pub1, 3);
  char cmd[700];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", zDir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", zDir);
  printf("trust/unit: %d of %d checks passed (keys, Wasm and .cwasm signatures, tampers)\n",
         nCheck - nFail, nCheck);
  return nFail ? 1 : 0;
}
