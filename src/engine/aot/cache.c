/*
** cache.c: compiled modules kept on disk (`cairn run --aot`, `cairn serve`).
**
** One file per key, <sha256 of module hash + ABI + target + options>.cwasm,
** in a folder that belongs to the user and nobody else may write (0700,
** checked: a .cwasm is native code). A new entry is written to a private
** temporary file and renamed into place, so concurrent runs see either no
** entry or a whole one; a damaged entry is removed and compiled again. A
** folder that cannot be written (full disk, read-only) costs a compile,
** never a failure.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/aot/aot_module.h"

/* The cache folder: dir, $XDG_CACHE_HOME/cairn or $HOME/.cache/cairn. */
static bool cache_dir(const char *dir, char *out, size_t n, cairn_error *err) {
  const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  int w;
  if (dir && dir[0])
    w = snprintf(out, n, "%s", dir);
  else if (xdg && xdg[0] == '/')
    w = snprintf(out, n, "%s/cairn", xdg);
  else if (home && home[0] == '/')
    w = snprintf(out, n, "%s/.cache/cairn", home);
  else {
    base_error(err, CAIRN_ERR_IO, -1, "no cache folder: set XDG_CACHE_HOME or HOME");
    return false;
  }
  if (w < 0 || (size_t)w >= n) {
    base_error(err, CAIRN_ERR_IO, -1, "cache folder path too long");
    return false;
  }
  return true;
}

/* Creates path and its missing parents (parents 0700 too, as XDG asks). */
static bool mkdirs(char *path) {
  for (char *p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    int rc = mkdir(path, 0700);
    *p = '/';
    if (rc != 0 && errno != EEXIST) return false;
  }
  return mkdir(path, 0700) == 0 || errno == EEXIST;
}

/* The folder must be a real directory of ours that only we can write. */
static bool cache_check(const char *dir, cairn_error *err) {
  struct stat st;
  if (lstat(dir, &st) != 0) {
    base_error(err, CAIRN_ERR_IO, -1, "cache folder %s: %s", dir, strerror(errno));
    return false;
  }
  if (!S_ISDIR(st.st_mode)) {
    base_error(err, CAIRN_ERR_IO, -1, "cache folder %s is not a directory", dir);
    return false;
  }
  if (st.st_uid != geteuid()) {
    base_error(err, CAIRN_ERR_IO, -1,
               "cache folder %s belongs to uid %u, not to this user (uid %u): refusing to load "
               "native code from it",
               dir, (unsigned)st.st_uid, (unsigned)geteuid());
    return false;
  }
  if (st.st_mode & 022) {
    base_error(err, CAIRN_ERR_IO, -1,
               "cache folder %s is writable by others (mode %03o): refusing to load native code "
               "from it (chmod 700 it)",
               dir, (unsigned)(st.st_mode & 0777));
    return false;
  }
  return true;
}

/* Writes bytes to path through a temporary file and a rename. */
static void cache_store(const char *dir, const char *path, const uint8_t *p, size_t n) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s/.tmp-%ld-XXXXXX", dir, (long)getpid());
  int fd = mkstemp(tmp);
  if (fd < 0) return;
  bool ok = true;
  for (size_t k = 0; ok && k < n;) {
    ssize_t w = write(fd, p + k, n - k);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) ok = false;
    else k += (size_t)w;
  }
  if (close(fd) != 0) ok = false;
  if (!ok || rename(tmp, path) != 0) unlink(tmp);
}

cairn_module *cairn_module_compile_cached(const uint8_t *wasm, size_t len,
                                          const cairn_compile_options *o, const char *dirIn,
                                          bool *hit, cairn_error *err) {
  cairn_compile_options oDef;
  if (!o) {
    cairn_compile_options_init(&oDef);
    o = &oDef;
  }
  if (hit) *hit = false;
  char dir[4096], key[512];
  if (!cache_dir(dirIn, dir, sizeof dir, err) || !aot_options_key(o, key, sizeof key, err))
    return NULL;
  if (!mkdirs(dir)) {
    base_error(err, CAIRN_ERR_IO, -1, "cannot create the cache folder %s: %s", dir,
               strerror(errno));
    return NULL;
  }
  if (!cache_check(dir, err)) return NULL;

  /* key: SHA-256 over the module's hash and the options text */
  uint8_t h[32], both[32 + 512];
  aot_sha256(wasm, len, both);
  size_t nKey = strlen(key);
  memcpy(both + 32, key, nKey);
  aot_sha256(both, 32 + nKey, h);
  char path[4200];
  int w = snprintf(path, sizeof path, "%s/", dir);
  for (int i = 0; i < 32 && w > 0 && (size_t)w + 2 < sizeof path; i++)
    w += snprintf(path + w, sizeof path - (size_t)w, "%02x", h[i]);
  snprintf(path + w, sizeof path - (size_t)w, ".cwasm");

  uint8_t *data;
  size_t n;
  cairn_error ignore;
  if (base_read_file(path, &data, &n, &ignore)) {
    cairn_module *m = cairn_module_from_cwasm(data, n, &ignore);
    base_free(data);
    if (m) {
      if (hit) *hit = true;
      return m;
    }
    unlink(path); /* damaged or stale: compile again */
  }
  uint8_t *cw;
  size_t nCw;
  if (!cairn_compile(wasm, len, o, &cw, &nCw, err)) return NULL;
  cache_store(dir, path, cw, nCw);
  cairn_module *m = cairn_module_from_cwasm(cw, nCw, err);
  base_free(cw);
  return m;
}

cairn_module *cairn_module_compile_file_cached(const char *path, const cairn_compile_options *o,
                                               const char *dir, bool *hit, cairn_error *err) {
  uint8_t *data;
  size_t n;
  if (hit) *hit = false;
  if (!base_read_file(path, &data, &n, err)) return NULL;
  cairn_module *m;
  if (cairn_is_cwasm(data, n)) {
    m = cairn_module_from_cwasm(data, n, err);
    if (m && hit) *hit = true;
  } else if (n >= 1 && data[0] == 0) { /* "\0asm": a binary */
    m = cairn_module_compile_cached(data, n, o, dir, hit, err);
  } else {
    uint8_t *wasm;
    size_t nWasm;
    m = NULL;
    if (cairn_wat_to_wasm((const char *)data, n, &wasm, &nWasm, err)) {
      m = cairn_module_compile_cached(wasm, nWasm, o, dir, hit, err);
      base_free(wasm);
    }
  }
  base_free(data);
  return m;
}
