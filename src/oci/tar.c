/*
** tar.c: the few ustar records an OCI image needs (regular files and
** directories, names up to 100 bytes, fixed owner root and a fixed time so
** that the same module gives the same layer digest).
*/
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "oci/oci.h"

#define TAR_BLOCK 512

static void tar_octal(char *p, size_t n, unsigned long long v) {
  /* n-1 digits and a NUL */
  snprintf(p, n, "%0*llo", (int)(n - 1), v);
}

void oci_tar_add(OciTar *t, const char *zName, const void *data, size_t n, unsigned mode) {
  if (t->failed) return;
  unsigned char h[TAR_BLOCK];
  memset(h, 0, sizeof h);
  size_t nName = strlen(zName);
  if (nName >= 100) {
    t->failed = true;
    return;
  }
  memcpy(h, zName, nName);
  bool dir = data == NULL && nName && zName[nName - 1] == '/';
  tar_octal((char *)h + 100, 8, dir ? 0755 : mode);
  tar_octal((char *)h + 108, 8, 0);          /* uid */
  tar_octal((char *)h + 116, 8, 0);          /* gid */
  tar_octal((char *)h + 124, 12, dir ? 0 : n);
  tar_octal((char *)h + 136, 12, 0);         /* mtime: fixed, reproducible */
  memset(h + 148, ' ', 8);                   /* checksum counts as spaces */
  h[156] = dir ? '5' : '0';
  memcpy(h + 257, "ustar", 6);               /* magic "ustar\0", version "00" */
  memcpy(h + 263, "00", 2);
  memcpy(h + 265, "root", 4);
  memcpy(h + 297, "root", 4);
  unsigned sum = 0;
  for (size_t i = 0; i < sizeof h; i++) sum += h[i];
  snprintf((char *)h + 148, 8, "%06o", sum);
  h[155] = ' ';
  if (fwrite(h, 1, sizeof h, t->f) != sizeof h) t->failed = true;
  if (dir || n == 0) return;
  if (fwrite(data, 1, n, t->f) != n) t->failed = true;
  static const unsigned char zero[TAR_BLOCK];
  size_t pad = (TAR_BLOCK - n % TAR_BLOCK) % TAR_BLOCK;
  if (pad && fwrite(zero, 1, pad, t->f) != pad) t->failed = true;
}

bool oci_tar_finish(OciTar *t) {
  static const unsigned char zero[2 * TAR_BLOCK];
  if (!t->failed && fwrite(zero, 1, sizeof zero, t->f) != sizeof zero) t->failed = true;
  if (fflush(t->f) != 0) t->failed = true;
  return !t->failed;
}
