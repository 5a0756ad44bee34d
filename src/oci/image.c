/*
** image.c: `cairn image build M.wasm -o IMG.tar --name REF [--env K=V]...
** [--arg A]... [--arch ARCH]`: a single-layer OCI image of a module, as an
** OCI image layout in a tarball that `ctr image import` loads. The layer
** holds the module at /NAME.wasm (its Entrypoint); the config carries Env,
** Cmd (the --arg words) and the label module.wasm.image/variant=compat, and
** the manifest the same annotation. The platform is linux and this
** machine's architecture (a Kubernetes node's CRI looks for its own).
** Digests: SHA-256 from libsodium. The same inputs give the same image.
*/
#define _GNU_SOURCE
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cairn/cairn.h"
#include "oci/oci.h"
#include "trust/sign.h"

#define IMG_COMPAT_KEY "module.wasm.image/variant"
#define IMG_SIGNER_KEY "org.cairn.signature.signer"

/* --sign-key: *pSigned receives mod[0..n) signed (n + TRUST_SIG_RECORD
** bytes, malloc'd), zSigner the signer's key. */
static bool image_sign(const char *zKey, const char *zModule, const uint8_t *mod, size_t n,
                       uint8_t **pSigned, char zSigner[TRUST_KEY_TEXT]) {
  char zErr[512];
  uint8_t sk[64];
  if (trust_seckey_load(zKey, sk, zErr, sizeof zErr) != 0) {
    fprintf(stderr, "cairn image build: %s\n", zErr);
    return false;
  }
  uint8_t *p = malloc(n + TRUST_SIG_RECORD);
  bool ok = p && trust_sign(mod, n, sk, p + n, zErr, sizeof zErr) == 0;
  if (ok) {
    memcpy(p, mod, n);
    *pSigned = p;
    trust_key_text(sk + 32, zSigner);
  } else {
    fprintf(stderr, "cairn image build: %s: %s\n", zModule, p ? zErr : "out of memory");
    free(p);
  }
  sodium_memzero(sk, sizeof sk);
  return ok;
}

static void image_usage(FILE *f) {
  fprintf(f,
          "usage: cairn image build MODULE -o IMAGE.tar --name REF [--env K=V]... [--arg A]...\n"
          "                         [--arch ARCH] [--sign-key KEY]\n"
          "Writes a single-layer OCI image holding MODULE (.wasm or .cwasm), for\n"
          "`ctr image import IMAGE.tar` and then `ctr run` with cairn-oci as the runtime.\n"
          "\n"
          "  -o, --output FILE   the image tarball to write\n"
          "  --name REF          the image name, e.g. example.com/hello:1 (\":latest\"\n"
          "                      is added when REF has no tag)\n"
          "  --env K=V           an environment variable of the image. Repeatable.\n"
          "                      CAIRN_TCPLISTEN=HOST:PORT gives the module a listening\n"
          "                      socket (see docs/oci.md).\n"
          "  --arg A             an argument after the module (the image's Cmd).\n"
          "                      Repeatable.\n"
          "  --arch ARCH         the platform architecture (default: this machine's)\n"
          "  --sign-key KEY      sign the module with the secret key KEY (cairn keygen)\n"
          "                      as `cairn sign` does: the layer holds the signed\n"
          "                      module, and the manifest's annotation\n"
          "                      org.cairn.signature.signer names the public key. A\n"
          "                      node whose cairn-oci has CAIRN_OCI_REQUIRE_SIGNATURE\n"
          "                      set runs only modules signed by its keys\n"
          "                      (docs/signing.md)\n");
}

static const char *image_arch(void) {
  struct utsname u;
  if (uname(&u) != 0) return "amd64";
  if (strcmp(u.machine, "x86_64") == 0) return "amd64";
  if (strcmp(u.machine, "aarch64") == 0) return "arm64";
  if (strncmp(u.machine, "arm", 3) == 0) return "arm";
  if (strcmp(u.machine, "i686") == 0 || strcmp(u.machine, "i386") == 0) return "386";
  if (strcmp(u.machine, "ppc64le") == 0) return "ppc64le";
  if (strcmp(u.machine, "s390x") == 0) return "s390x";
  if (strcmp(u.machine, "riscv64") == 0) return "riscv64";
  return "amd64";
}

/* "sha256:<hex>" of data into out (72 bytes). */
static void image_digest(const void *data, size_t n, char out[80]) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, data, n);
  memcpy(out, "sha256:", 7);
  sodium_bin2hex(out + 7, 80 - 7, h, sizeof h);
}

typedef struct ImgBlob {
  char zDigest[80];
  char *data;      /* owned */
  size_t n;
} ImgBlob;

static bool image_json_blob(json_t *o, ImgBlob *b) {
  b->data = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(o);
  if (!b->data) return false;
  b->n = strlen(b->data);
  image_digest(b->data, b->n, b->zDigest);
  return true;
}

static bool image_file_ok_name(const char *z) {
  if (!*z || strlen(z) > 90 || z[0] == '.') return false;
  for (const char *p = z; *p; p++) {
    char c = *p;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '.' || c == '_' || c == '-'))
      return false;
  }
  return true;
}

static int image_build(int argc, char **argv) {
  const char *zModule = NULL, *zOut = NULL, *zName = NULL, *zArch = NULL, *zSignKey = NULL;
  char zSigner[TRUST_KEY_TEXT] = "";
  json_t *env = json_array(), *args = json_array();
  int rc = 2;
  uint8_t *mod = NULL, *modSigned = NULL;
  size_t nMod = 0;
  ImgBlob layer = {{0}, NULL, 0}, config = {{0}, NULL, 0}, manifest = {{0}, NULL, 0};
  char *zIndex = NULL, *zRef = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    bool val = strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 || strcmp(a, "--name") == 0 ||
               strcmp(a, "--env") == 0 || strcmp(a, "--arg") == 0 || strcmp(a, "--arch") == 0 ||
               strcmp(a, "--sign-key") == 0;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      image_usage(stdout);
      rc = 0;
      goto out;
    }
    if (val && i + 1 >= argc) {
      fprintf(stderr, "cairn image build: %s needs a value\n", a);
      goto out;
    }
    if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
      zOut = argv[++i];
    } else if (strcmp(a, "--name") == 0) {
      zName = argv[++i];
    } else if (strcmp(a, "--arch") == 0) {
      zArch = argv[++i];
    } else if (strcmp(a, "--sign-key") == 0) {
      zSignKey = argv[++i];
    } else if (strcmp(a, "--env") == 0) {
      const char *z = argv[++i];
      if (!strchr(z, '=') || z[0] == '=') {
        fprintf(stderr, "cairn image build: --env '%s': expected NAME=VALUE\n", z);
        goto out;
      }
      json_array_append_new(env, json_string(z));
    } else if (strcmp(a, "--arg") == 0) {
      json_array_append_new(args, json_string(argv[++i]));
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "cairn image build: unknown option '%s' (see cairn image build --help)\n", a);
      goto out;
    } else if (!zModule) {
      zModule = a;
    } else {
      fprintf(stderr, "cairn image build: one module only ('%s')\n", a);
      goto out;
    }
  }
  if (!zModule || !zOut || !zName) {
    fprintf(stderr, "cairn image build: MODULE, -o and --name are required\n");
    image_usage(stderr);
    goto out;
  }
  if (!*zName || strchr(zName, ' ')) {
    fprintf(stderr, "cairn image build: --name '%s' is not an image reference\n", zName);
    goto out;
  }
  if (sodium_init() < 0) {
    fprintf(stderr, "cairn image build: libsodium failed to initialise\n");
    goto out;
  }
  cairn_error err;
  memset(&err, 0, sizeof err);
  if (!cairn_read_file(zModule, &mod, &nMod, &err)) {
    fprintf(stderr, "cairn image build: %s: %s\n", zModule, err.msg);
    goto out;
  }
  const char *zBase = strrchr(zModule, '/');
  zBase = zBase ? zBase + 1 : zModule;
  size_t nBase = strlen(zBase);
  bool cwasm = nBase > 6 && strcmp(zBase + nBase - 6, ".cwasm") == 0;
  bool wasm = nBase > 5 && strcmp(zBase + nBase - 5, ".wasm") == 0;
  if (nMod >= 4 && memcmp(mod, "\0asm", 4) == 0) {
    if (!cairn_module_validate(mod, nMod, &err)) {
      fprintf(stderr, "cairn image build: %s: offset 0x%lx: %s\n", zModule,
              (unsigned long)(err.offset < 0 ? 0 : err.offset), err.msg);
      goto out;
    }
  } else if (!cwasm) {
    fprintf(stderr, "cairn image build: %s is not a Wasm binary module\n", zModule);
    goto out;
  }
  if (zSignKey && !image_sign(zSignKey, zModule, mod, nMod, &modSigned, zSigner)) goto out;
  char zFile[128];
  if ((wasm || cwasm) && image_file_ok_name(zBase))
    snprintf(zFile, sizeof zFile, "%s", zBase);
  else
    snprintf(zFile, sizeof zFile, "module.%s", cwasm ? "cwasm" : "wasm");
  /* the layer: one file */
  {
    FILE *f = open_memstream(&layer.data, &layer.n);
    if (!f) goto oom;
    OciTar t = {f, false};
    oci_tar_add(&t, zFile, modSigned ? modSigned : mod,
                modSigned ? nMod + TRUST_SIG_RECORD : nMod, 0755);
    bool ok = oci_tar_finish(&t);
    fclose(f);
    if (!ok) goto oom;
    image_digest(layer.data, layer.n, layer.zDigest);
  }
  char zEntry[140];
  snprintf(zEntry, sizeof zEntry, "/%s", zFile);
  const char *arch = zArch ? zArch : image_arch();
  json_t *cfg = json_pack("{s:[s], s:o, s:{s:s}, s:s}", "Entrypoint", zEntry, "Env", env,
                          "Labels", IMG_COMPAT_KEY, "compat", "WorkingDir", "/");
  env = NULL;
  if (cfg && json_array_size(args) > 0) json_object_set(cfg, "Cmd", args);
  json_t *c = json_pack("{s:s, s:s, s:s, s:o, s:{s:s, s:[s]}, s:[{s:s, s:s}]}", "created",
                        "1970-01-01T00:00:00Z", "architecture", arch, "os", "linux", "config", cfg,
                        "rootfs", "type", "layers", "diff_ids", layer.zDigest, "history",
                        "created", "1970-01-01T00:00:00Z", "created_by",
                        "cairn image build");
  if (!c || !image_json_blob(c, &config)) goto oom;
  json_t *m = json_pack(
      "{s:i, s:s, s:{s:s, s:s, s:I}, s:[{s:s, s:s, s:I}], s:{s:s}}", "schemaVersion", 2,
      "mediaType", "application/vnd.oci.image.manifest.v1+json", "config", "mediaType",
      "application/vnd.oci.image.config.v1+json", "digest", config.zDigest, "size",
      (json_int_t)config.n, "layers", "mediaType", "application/vnd.oci.image.layer.v1.tar",
      "digest", layer.zDigest, "size", (json_int_t)layer.n, "annotations", IMG_COMPAT_KEY,
      "compat");
  if (m && zSigner[0]) json_object_set_new(json_object_get(m, "annotations"), IMG_SIGNER_KEY,
                                           json_string(zSigner));
  if (!m || !image_json_blob(m, &manifest)) goto oom;
  /* REF with ":latest" when it has no tag or digest */
  const char *zSlash = strrchr(zName, '/');
  const char *zTagSep = strrchr(zSlash ? zSlash : zName, ':');
  bool hasDigest = strchr(zName, '@') != NULL;
  if (asprintf(&zRef, "%s%s", zName, zTagSep || hasDigest ? "" : ":latest") < 0) goto oom;
  const char *zRefSlash = strrchr(zRef, '/');
  const char *zColon = strrchr(zRefSlash ? zRefSlash : zRef, ':');
  const char *zTag = hasDigest || !zColon ? "latest" : zColon + 1;
  json_t *idx = json_pack(
      "{s:i, s:s, s:[{s:s, s:s, s:I, s:{s:s, s:s}, s:{s:s, s:s}}]}", "schemaVersion", 2,
      "mediaType", "application/vnd.oci.image.index.v1+json", "manifests", "mediaType",
      "application/vnd.oci.image.manifest.v1+json", "digest", manifest.zDigest, "size",
      (json_int_t)manifest.n, "platform", "architecture", arch, "os", "linux", "annotations",
      "io.containerd.image.name", zRef, "org.opencontainers.image.ref.name", zTag);
  zIndex = idx ? json_dumps(idx, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(idx);
  if (!zIndex) goto oom;
  FILE *f = fopen(zOut, "wb");
  if (!f) {
    fprintf(stderr, "cairn image build: %s: %m\n", zOut);
    goto out;
  }
  OciTar t = {f, false};
  static const char zLayout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
  oci_tar_add(&t, "oci-layout", zLayout, strlen(zLayout), 0644);
  oci_tar_add(&t, "index.json", zIndex, strlen(zIndex), 0644);
  oci_tar_add(&t, "blobs/", NULL, 0, 0755);
  oci_tar_add(&t, "blobs/sha256/", NULL, 0, 0755);
  const ImgBlob *aBlob[] = {&layer, &config, &manifest};
  for (int i = 0; i < 3; i++) {
    char zPath[100];
    snprintf(zPath, sizeof zPath, "blobs/sha256/%s", aBlob[i]->zDigest + 7);
    oci_tar_add(&t, zPath, aBlob[i]->data, aBlob[i]->n, 0644);
  }
  bool ok = oci_tar_finish(&t);
  if (fclose(f) != 0) ok = false;
  if (!ok) {
    fprintf(stderr, "cairn image build: writing %s failed\n", zOut);
    remove(zOut);
    goto out;
  }
  printf("%s %s\n", zRef, manifest.zDigest);
  rc = 0;
  goto out;
oom:
  fprintf(stderr, "cairn image build: out of memory\n");
out:
  json_decref(env);
  json_decref(args);
  cairn_free(mod);
  free(modSigned);
  free(layer.data);
  free(config.data);
  free(manifest.data);
  free(zIndex);
  free(zRef);
  return rc;
}

int oci_image_main(int argc, char **argv) {
  if (argc < 1 || strcmp(argv[0], "build") != 0) {
    if (argc >= 1 && (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0)) {
      image_usage(stdout);
      return 0;
    }
    fprintf(stderr, "cairn image: unknown command%s%s (only `build`)\n", argc ? " " : "",
            argc ? argv[0] : "");
    image_usage(stderr);
    return 2;
  }
  return image_build(argc, argv);
}
