#!/bin/sh
# install.sh SRCDIR BUILDDIR CC [CFLAGS...]: `make install` of BUILDDIR (as
# built: INSTALL_DEPS empty) into a temporary DESTDIR and PREFIX, then,
# against what was installed only (programs compiled with CC CFLAGS, e.g. the
# library's sanitizer flags):
#   - the expected files are there (program and its cairn-oci link, both
#     libraries with the soname links, headers, cairn.pc, man pages);
#   - tests/embed/hello.c builds with `pkg-config --cflags --libs cairn`
#     (PKG_CONFIG_PATH and PKG_CONFIG_SYSROOT_DIR into the temporary tree),
#     linked with the installed libcairn.so (found through its soname) and
#     again statically with libcairn.a and pkg-config --static, and both run;
#   - examples/embed/hello.c, a program of the standard C API (#include
#     <wasm.h>), builds the same way against libcairn.so and runs;
#   - a program that calls an internal function (base_malloc) does not link
#     against libcairn.so;
# then `make uninstall` and checks that no file is left.
set -eu
if [ $# -lt 3 ]; then
  echo "usage: install.sh SRCDIR BUILDDIR CC [CFLAGS...]" >&2
  exit 2
fi
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
cc=$3
shift 3
xflags="$*"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
prefix=/opt/cairn-test
root=$dest$prefix
fail() {
  echo "install: FAIL: $*"
  exit 1
}

echo "install: make install DESTDIR=$dest PREFIX=$prefix"
make -s -C "$src" BUILD="$build" INSTALL_DEPS= DESTDIR="$dest" PREFIX="$prefix" install >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log"; fail "make install"; }

# What must be there (the library directory is GNUInstallDirs' choice).
# cairn-tpm, the TPM helper, when the build made it (libtss2-dev), beside
# cairn, where cairn finds it.
if [ -x "$build/cairn-tpm" ]; then
  [ -x "$root/bin/cairn-tpm" ] || fail "no bin/cairn-tpm (the build has one)"
  tpm=", bin/cairn-tpm"
else
  tpm=""
fi
pc=$(find "$root" -name cairn.pc)
[ -n "$pc" ] || fail "no cairn.pc installed"
libdir=$(dirname "$(dirname "$pc")")
[ -x "$root/bin/cairn" ] || fail "no bin/cairn"
[ "$(readlink "$root/bin/cairn-oci")" = cairn ] || fail "bin/cairn-oci is not a link to cairn"
soname=$(readelf -d "$libdir/libcairn.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ -n "$soname" ] || fail "libcairn.so has no soname"
[ -L "$libdir/libcairn.so" ] && [ -L "$libdir/$soname" ] || fail "libcairn.so and $soname are not links"
real=$(readlink -f "$libdir/libcairn.so")
[ -f "$real" ] && [ ! -L "$real" ] || fail "libcairn.so does not lead to a file"
[ -f "$libdir/libcairn.a" ] || fail "no libcairn.a"
for h in "$src"/include/cairn/*.h; do
  cmp -s "$h" "$root/include/cairn/$(basename "$h")" || fail "include/cairn/$(basename "$h") missing or different"
done
for h in wasm.h wasi.h; do
  cmp -s "$src/include/$h" "$root/include/$h" || fail "include/$h missing or different"
done
nman=0
for p in "$build"/man/*.1; do
  [ -f "$root/share/man/man1/$(basename "$p")" ] || fail "man page $(basename "$p") not installed"
  nman=$((nman + 1))
done
[ "$nman" -gt 1 ] || fail "no man pages were built"
echo "install: bin/cairn, bin/cairn-oci -> cairn$tpm, ${libdir#"$root"/}/{libcairn.a, libcairn.so -> $soname -> $(basename "$real")}, include/cairn/*.h, include/wasm.h, include/wasi.h, cairn.pc, $nman man pages"

# The installed cairn finds the installed cairn-tpm beside it (PATH without
# the build): the TPM backend is made before the module is even read.
if [ -n "$tpm" ]; then
  "$root/bin/cairn" keygen -o "$tmp/v" >/dev/null || fail "cairn keygen"
  PATH=/usr/bin:/bin "$root/bin/cairn" run --attest http://127.0.0.1:1 --verifier-pub "$tmp/v.pub" \
    --tpm swtpm:host=127.0.0.1,port=1 "$tmp/none.wasm" >"$tmp/tpm.log" 2>&1 && fail "cairn run --attest of nothing succeeded"
  if grep -q "TPM helper" "$tmp/tpm.log"; then cat "$tmp/tpm.log"; fail "the installed cairn does not find cairn-tpm"; fi
  echo "install: the installed cairn finds bin/cairn-tpm beside it"
fi

# Build against the installed tree only.
export PKG_CONFIG_PATH="$libdir/pkgconfig" PKG_CONFIG_LIBDIR="$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
cflags=$(pkg-config --cflags cairn)
libs=$(pkg-config --libs cairn)
echo "install: pkg-config --cflags --libs cairn: $cflags $libs"
case "$cflags $libs" in
*"$dest"*) ;;
*) fail "pkg-config's flags do not point into the installed tree" ;;
esac
[ "$(pkg-config --modversion cairn)" = "$(sed -n 's/^#define CAIRN_VERSION "\(.*\)"/\1/p' "$src/include/cairn/cairn.h")" ] ||
  fail "cairn.pc's version is not CAIRN_VERSION"
# shellcheck disable=SC2086  # the flags are words
"$cc" $xflags -std=c11 -Wall -Werror -o "$tmp/hello" "$src/tests/embed/hello.c" $cflags $libs -Wl,-rpath,"$libdir" ||
  fail "hello.c does not build against the shared library"
readelf -d "$tmp/hello" | grep -q "NEEDED.*\[$soname\]" || fail "hello does not need $soname"
echo "install: hello linked with libcairn.so:"
"$tmp/hello" || fail "hello (shared) failed"
ldd "$tmp/hello" | grep -q "$soname => $libdir/" || fail "hello did not load the installed $soname"
# shellcheck disable=SC2086
"$cc" $xflags -std=c11 -Wall -Werror -o "$tmp/hello-static" "$src/tests/embed/hello.c" $cflags \
  $(pkg-config --static --libs cairn | sed 's/-lcairn\b/-l:libcairn.a/') ||
  fail "hello.c does not build against libcairn.a with pkg-config --static"
if readelf -d "$tmp/hello-static" | grep -q 'NEEDED.*libcairn'; then fail "hello-static needs libcairn.so"; fi
echo "install: hello linked with libcairn.a:"
"$tmp/hello-static" || fail "hello (static) failed"
# shellcheck disable=SC2086
"$cc" $xflags -std=c11 -Wall -Werror -o "$tmp/wasm-hello" "$src/examples/embed/hello.c" $cflags $libs \
  -Wl,-rpath,"$libdir" || fail "examples/embed/hello.c (wasm.h) does not build against the shared library"
echo "install: examples/embed/hello.c (#include <wasm.h>) linked with libcairn.so:"
"$tmp/wasm-hello" || fail "the wasm.h hello failed"
# Internal functions are not reachable through the shared library.
printf '#include <stddef.h>\nvoid *base_malloc(size_t n);\nint main(void) { return base_malloc(8) == NULL; }\n' >"$tmp/internal.c"
# shellcheck disable=SC2086
if "$cc" $xflags -o "$tmp/internal" "$tmp/internal.c" $libs >"$tmp/internal.log" 2>&1; then
  fail "a program calling the internal base_malloc links against libcairn.so"
fi
grep -q "undefined reference to .base_malloc" "$tmp/internal.log" || { cat "$tmp/internal.log"; fail "unexpected link error"; }
echo "install: hello built with pkg-config runs (shared and static); internal symbols do not link"

echo "install: make uninstall DESTDIR=$dest PREFIX=$prefix"
make -s -C "$src" BUILD="$build" DESTDIR="$dest" PREFIX="$prefix" uninstall >"$tmp/uninstall.log" 2>&1 ||
  { cat "$tmp/uninstall.log"; fail "make uninstall"; }
left=$(find "$dest" ! -type d)
if [ -n "$left" ]; then
  echo "$left" | sed 's/^/  /'
  fail "make uninstall left files behind"
fi
[ ! -d "$root/include/cairn" ] || fail "make uninstall left include/cairn/"
[ ! -e "$root/include/wasm.h" ] || fail "make uninstall left include/wasm.h"
echo "install: OK: nothing left: $(cat "$tmp/uninstall.log")"
