#!/usr/bin/env bash
# cross-libsodium.sh TRIPLE PREFIX: builds libsodium for TRIPLE from Debian's
# own source package (apt-get source libsodium) and installs it into PREFIX
# (PREFIX/include/sodium.h, PREFIX/lib/libsodium.a): the cross builds of
# make test-cross (tests/cross/run-cross.sh) link it, because Debian has no
# libsodium for every target architecture (none for riscv64 in bookworm) and
# the host's dpkg architectures stay as they are.
#
# Static only (--disable-shared, position-independent code), the full library
# (the native tier needs SHA-256; signatures will need Ed25519 and X25519).
# Built once: a finished PREFIX (PREFIX/.done) is kept. The source is fetched
# once into SODIUM_SRC (default build-cross/sodium-src). If apt has no
# deb-src entry, a private apt configuration under SODIUM_SRC/apt is used,
# with deb-src stanzas derived from the machine's own deb entries; nothing is
# written under /etc. Needs dpkg-dev (dpkg-source), autoconf, automake and
# libtool (Debian's package is built with autoreconf), TRIPLE-gcc and make;
# exits 2 with a message naming a missing tool.
set -eu
if [ $# -ne 2 ]; then
  echo "usage: $0 TRIPLE PREFIX" >&2; exit 2
fi
triple=$1
prefix=$2
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
src_root=${SODIUM_SRC:-$root/build-cross/sodium-src}
case "$prefix" in /*) ;; *) prefix=$(pwd)/$prefix ;; esac
case "$src_root" in /*) ;; *) src_root=$(pwd)/$src_root ;; esac

if [ -f "$prefix/.done" ] && [ -f "$prefix/lib/libsodium.a" ] && [ -f "$prefix/include/sodium.h" ]; then
  echo "cross-libsodium: $triple: using $prefix"
  exit 0
fi

# need TOOL WHAT: exits 2 with a message if TOOL is not on PATH.
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "cross-libsodium: '$1' not found ($2)" >&2
  exit 2
}
need "$triple-gcc" "the cross compiler: scripts/install-deps.sh --cross"
need apt-get "apt"
need dpkg-source "dpkg-dev: apt-get source unpacks with it"
# Debian's source is the upstream tag without a generated configure script;
# debian/rules runs autoreconf (dh --with autoreconf), and so do we.
need autoreconf "autoconf and automake: scripts/install-deps.sh --cross"
need libtoolize "libtool: scripts/install-deps.sh --cross"
need make "make"

# The machine's deb entries as deb-src stanzas (deb822), as bench/bench.py's
# deb_src_entries() derives them: the mirror is the machine's own.
deb_src_entries() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && uris != "") {
          printf "Types: deb-src\nURIs: %s\n", uris
          if (suites != "") printf "Suites: %s\n", suites
          if (comps != "") printf "Components: %s\n", comps
          if (signed != "") printf "Signed-By: %s\n", signed
          printf "\n"
        }
        types = uris = suites = comps = signed = ""
      }
      /^[ \t]*$/ { flush(); next }
      /^#/ { next }
      {
        k = $0; sub(/:.*/, "", k); v = $0; sub(/^[^:]*:[ \t]*/, "", v)
        if (k == "Types") types = v; else if (k == "URIs") uris = v
        else if (k == "Suites") suites = v; else if (k == "Components") comps = v
        else if (k == "Signed-By") signed = v
      }
      END { flush() }' "$f"
  done
  if [ -f /etc/apt/sources.list ]; then
    awk '$1 == "deb" && $2 !~ /^\[/ && NF >= 4 {
      printf "Types: deb-src\nURIs: %s\nSuites: %s\nComponents:", $2, $3
      for (i = 4; i <= NF; i++) printf " %s", $i
      printf "\n\n" }' /etc/apt/sources.list
  fi
}

# fetch_source: unpacks libsodium's Debian source into $src_root once.
fetch_source() {
  mkdir -p "$src_root"
  local apt_opts=()
  if [ -n "${SODIUM_PRIVATE_APT:-}" ] || ! apt-cache showsrc libsodium 2>/dev/null | grep -q '^Package:'; then
    local a=$src_root/apt
    echo "cross-libsodium: no deb-src entry for libsodium: private apt configuration in $a"
    mkdir -p "$a/sources.list.d" "$a/state/lists/partial" "$a/cache/archives/partial"
    : >"$a/sources.list"
    deb_src_entries >"$a/sources.list.d/src.sources"
    if ! [ -s "$a/sources.list.d/src.sources" ]; then
      echo "cross-libsodium: apt has neither a deb-src entry nor a deb entry to derive one from" >&2
      exit 2
    fi
    apt_opts=(-o "Dir::Etc::sourcelist=$a/sources.list" -o "Dir::Etc::sourceparts=$a/sources.list.d"
              -o "Dir::State=$a/state" -o "Dir::Cache=$a/cache" -o "APT::Sandbox::User=root")
    apt-get "${apt_opts[@]}" update -q
  fi
  rm -rf "$src_root/unpack"
  mkdir -p "$src_root/unpack"
  (cd "$src_root/unpack" && apt-get "${apt_opts[@]}" source -q libsodium)
  local d
  d=$(find "$src_root/unpack" -mindepth 1 -maxdepth 1 -type d -name 'libsodium-*' | head -1)
  if [ -z "$d" ] || [ ! -f "$d/configure.ac" ]; then
    echo "cross-libsodium: apt-get source libsodium gave no source tree with configure.ac" >&2
    exit 1
  fi
  echo "cross-libsodium: autoreconf -fi in $d"
  (cd "$d" && autoreconf -fi) >"$src_root/autoreconf.log" 2>&1 ||
    { echo "cross-libsodium: autoreconf failed, $src_root/autoreconf.log:" >&2
      tail -20 "$src_root/autoreconf.log" >&2; exit 1; }
  rm -rf "$src_root/tree"
  mv "$d" "$src_root/tree"
}

[ -x "$src_root/tree/configure" ] || fetch_source
echo "cross-libsodium: $triple: building $(sed -nE '1s/^libsodium \(([^)]*)\).*/\1/p' \
  "$src_root/tree/debian/changelog" 2>/dev/null) into $prefix"

bld=$prefix.build
rm -rf "$bld" "$prefix"
mkdir -p "$bld"
(cd "$bld" &&
  "$src_root/tree/configure" --host="$triple" --prefix="$prefix" \
    --disable-shared --enable-static --with-pic --disable-dependency-tracking -q &&
  nice make -s -j "$jobs" &&
  make -s install)
rm -rf "$bld"
touch "$prefix/.done"
echo "cross-libsodium: $triple: $prefix/lib/libsodium.a"
