#!/usr/bin/env python3
"""native-image.py BINARY OUT.tar REF: a single-layer OCI image tarball
holding a static native program at /BINARY-NAME as its entrypoint (for the
pod sandbox image of the cluster test; Wasm images come from `cairn image
build`). Platform linux/amd64 (or this machine's)."""
import hashlib, io, json, os, platform, sys, tarfile

binary, out, ref = sys.argv[1:4]
arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), "amd64")


def tar_bytes(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data, mode in entries:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, 0
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def digest(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


name = os.path.basename(binary)
layer = tar_bytes([(name, open(binary, "rb").read(), 0o755)])
config = json.dumps({"architecture": arch, "os": "linux",
                     "config": {"Entrypoint": ["/" + name]},
                     "rootfs": {"type": "layers", "diff_ids": [digest(layer)]}}).encode()
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                  "digest": digest(config), "size": len(config)},
                       "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                                   "digest": digest(layer), "size": len(layer)}]}).encode()
tag = ref.rsplit(":", 1)[1] if ":" in ref.rsplit("/", 1)[-1] else "latest"
index = json.dumps({"schemaVersion": 2, "manifests": [{
    "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest(manifest),
    "size": len(manifest), "platform": {"architecture": arch, "os": "linux"},
    "annotations": {"io.containerd.image.name": ref, "org.opencontainers.image.ref.name": tag}}]}).encode()
blobs = [(b, digest(b)[7:]) for b in (layer, config, manifest)]
data = tar_bytes([("oci-layout", b'{"imageLayoutVersion":"1.0.0"}', 0o644), ("index.json", index, 0o644)] +
                 [("blobs/sha256/" + h, b, 0o644) for b, h in blobs])
open(out, "wb").write(data)
