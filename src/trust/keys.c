/*
** keys.c: Ed25519 key files of `cairn keygen` (docs/signing.md).
**
** Each file is one line of text, a type tag, one space, the key in base64
** (standard alphabet, with padding) and a newline:
**     K      cairn-ed25519-secret-v1 <base64 of the 32-byte seed>
**     K.pub  cairn-ed25519-public-v1 <base64 of the 32-byte public key>
** The tag names the file's type and version, so a secret key given where a
** public key is expected (or any other file) is refused by name. Keys come
** from libsodium (crypto_sign_keypair); the secret seed is wiped from
** memory after use.
*/
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trust/sign.h"

#define TAG_SECRET "cairn-ed25519-secret-v1"
#define TAG_PUBLIC "cairn-ed25519-public-v1"
#define KEY_FILE_MAX 256   /* a key line is 68 bytes; anything far longer is not ours */

int trust_errf(char *err, size_t errlen, const char *fmt, ...) {
  if (err && errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return -1;
}
#define fail trust_errf

static int sodium_ready(char *err, size_t errlen) {
  if (sodium_init() < 0) return fail(err, errlen, "libsodium failed to initialise");
  return 0;
}

/* Reads a key file of the given type into key[32]. wantSecret: a secret key
** file (and its mode is checked). */
static int key_read(const char *path, bool wantSecret, uint8_t key[32], char *err,
                    size_t errlen) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return fail(err, errlen, "%s: not a regular file", path);
  }
  char buf[KEY_FILE_MAX + 1];
  size_t n = 0;
  for (;;) {
    ssize_t r = read(fd, buf + n, sizeof buf - 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      int e = errno;
      close(fd);
      return fail(err, errlen, "%s: read error: %s", path, strerror(e));
    }
    if (r == 0 || (n += (size_t)r) == sizeof buf - 1) break;
  }
  close(fd);
  buf[n] = 0;
  int rc = -1;
  const char *tagWant = wantSecret ? TAG_SECRET : TAG_PUBLIC;
  const char *tagOther = wantSecret ? TAG_PUBLIC : TAG_SECRET;
  size_t nTag = strlen(tagWant);
  if (n == sizeof buf - 1) {
    fail(err, errlen, "%s: not a cairn key file (longer than %d bytes)", path, KEY_FILE_MAX);
  } else if (strncmp(buf, tagOther, nTag) == 0 && buf[nTag] == ' ') {
    fail(err, errlen, "%s: this is a %s key, a %s key is needed%s", path,
         wantSecret ? "public" : "secret", wantSecret ? "secret" : "public",
         wantSecret ? "" : " (K.pub, written next to it by cairn keygen)");
  } else if (strncmp(buf, tagWant, nTag) != 0 || buf[nTag] != ' ') {
    fail(err, errlen, "%s: not a cairn key file (expected a line \"%s BASE64\")", path, tagWant);
  } else if (wantSecret && (st.st_mode & 077)) {
    fail(err, errlen, "%s: secret key is accessible to others (mode %04o); chmod 600 it", path,
         (unsigned)(st.st_mode & 07777));
  } else {
    const char *b64 = buf + nTag + 1;
    size_t nB64 = n - nTag - 1;
    if (nB64 && b64[nB64 - 1] == '\n') nB64--;
    size_t nBin = 0;
    const char *end = NULL;
    uint8_t bin[33];
    if (sodium_base642bin(bin, sizeof bin, b64, nB64, NULL, &nBin, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != b64 + nB64) {
      fail(err, errlen, "%s: bad base64 at byte %zu", path,
           (size_t)((end ? end : b64) - buf));
    } else if (nBin != 32) {
      fail(err, errlen, "%s: the key is %zu bytes, an Ed25519 key is 32", path, nBin);
    } else {
      memcpy(key, bin, 32);
      rc = 0;
    }
    sodium_memzero(bin, sizeof bin);
  }
  sodium_memzero(buf, sizeof buf);
  return rc;
}

int trust_pubkey_load(const char *path, uint8_t pub[32], char *err, size_t errlen) {
  if (sodium_ready(err, errlen) != 0) return -1;
  return key_read(path, false, pub, err, errlen);
}

int trust_seckey_load(const char *path, uint8_t sk[64], char *err, size_t errlen) {
  if (sodium_ready(err, errlen) != 0) return -1;
  uint8_t seed[32], pk[32];
  if (key_read(path, true, seed, err, errlen) != 0) return -1;
  crypto_sign_seed_keypair(pk, sk, seed);
  sodium_memzero(seed, sizeof seed);
  return 0;
}

/* Writes "TAG BASE64\n" to fd; 0 or -1 with errno. */
static int write_line(int fd, const char *tag, const uint8_t key[32]) {
  char line[128];
  size_t n = (size_t)snprintf(line, sizeof line, "%s ", tag);
  sodium_bin2base64(line + n, sizeof line - n, key, 32, sodium_base64_VARIANT_ORIGINAL);
  n += strlen(line + n);
  line[n++] = '\n';
  size_t off = 0;
  int rc = 0;
  while (off < n) {
    ssize_t w = write(fd, line + off, n - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      rc = -1;
      break;
    }
    off += (size_t)w;
  }
  sodium_memzero(line, sizeof line);
  return rc;
}

/* Creates path with mode (O_EXCL unless force: then an existing file is
** removed first, so the new one gets the mode even if the old had another)
** and writes one key line. */
static int key_write(const char *path, bool force, mode_t mode, const char *tag,
                     const uint8_t key[32], char *err, size_t errlen) {
  if (force && unlink(path) != 0 && errno != ENOENT)
    return fail(err, errlen, "%s: cannot replace: %s", path, strerror(errno));
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) {
    if (errno == EEXIST)
      return fail(err, errlen, "%s: already exists (use --force to replace it)", path);
    return fail(err, errlen, "%s: cannot create: %s", path, strerror(errno));
  }
  /* the exact mode, whatever the umask */
  if (fchmod(fd, mode) != 0 || write_line(fd, tag, key) != 0 || fsync(fd) != 0) {
    int e = errno;
    close(fd);
    unlink(path);
    return fail(err, errlen, "%s: write error: %s", path, strerror(e));
  }
  if (close(fd) != 0) {
    int e = errno;
    unlink(path);
    return fail(err, errlen, "%s: write error: %s", path, strerror(e));
  }
  return 0;
}

int trust_keygen(const char *path, bool force, uint8_t pub[32], char *err, size_t errlen) {
  if (sodium_ready(err, errlen) != 0) return -1;
  size_t nPath = strlen(path);
  char *pubPath = malloc(nPath + 5);
  if (!pubPath) return fail(err, errlen, "out of memory");
  memcpy(pubPath, path, nPath);
  memcpy(pubPath + nPath, ".pub", 5);
  /* both names checked before either is written: no half-written pair */
  struct stat st;
  if (!force && lstat(pubPath, &st) == 0) {
    fail(err, errlen, "%s: already exists (use --force to replace it)", pubPath);
    free(pubPath);
    return -1;
  }
  uint8_t pk[32], sk[64];
  crypto_sign_keypair(pk, sk);
  /* sk is the seed followed by the public key: the seed is the secret */
  int rc = key_write(path, force, 0600, TAG_SECRET, sk, err, errlen);
  sodium_memzero(sk, sizeof sk);
  if (rc == 0 && key_write(pubPath, force, 0644, TAG_PUBLIC, pk, err, errlen) != 0) {
    unlink(path);
    rc = -1;
  }
  free(pubPath);
  if (rc == 0 && pub) memcpy(pub, pk, 32);
  return rc;
}

int trust_pubkeys_load_list(const char *list, uint8_t (**keys)[32], size_t *nkeys, char *err,
                            size_t errlen) {
  *keys = NULL;
  *nkeys = 0;
  size_t n = 1;
  for (const char *p = list; *p; p++) n += *p == ',';
  uint8_t(*a)[32] = calloc(n, sizeof *a);
  char *copy = strdup(list);
  if (!a || !copy) {
    free(a);
    free(copy);
    return fail(err, errlen, "out of memory");
  }
  size_t i = 0;
  char *item = copy;
  for (;;) {
    char *comma = strchr(item, ',');
    if (comma) *comma = 0;
    if (!*item) {
      fail(err, errlen, "empty key file name in the list \"%s\"", list);
      goto bad;
    }
    if (trust_pubkey_load(item, a[i], err, errlen) != 0) goto bad;
    i++;
    if (!comma) break;
    item = comma + 1;
  }
  free(copy);
  *keys = a;
  *nkeys = i;
  return 0;
bad:
  free(copy);
  free(a);
  return -1;
}

void trust_key_text(const uint8_t pub[32], char out[TRUST_KEY_TEXT]) {
  memcpy(out, "ed25519:", 8);
  sodium_bin2base64(out + 8, TRUST_KEY_TEXT - 8, pub, 32, sodium_base64_VARIANT_ORIGINAL);
}
