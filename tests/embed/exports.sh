#!/bin/sh
# exports.sh LIBCAIRN_SO INCLUDE_DIR GCC: checks libcairn.so's exported
# symbols against the public headers.
#   - every exported symbol has a public prefix (cairn_, wasm_, wasi_);
#   - every function the public headers declare is exported;
#   - nothing else is exported.
# The declared functions come from the compiler itself (gcc -aux-info lists
# every function declaration it sees, with its file), not from a list kept
# by hand, so a function added to a header without CAIRN_API fails here.
# The headers: every .h in INCLUDE_DIR/cairn/, and INCLUDE_DIR/wasm.h and
# wasi.h when they exist.
set -eu
if [ $# -ne 3 ]; then
  echo "usage: exports.sh LIBCAIRN_SO INCLUDE_DIR GCC" >&2
  exit 2
fi
lib=$1
inc=$(cd "$2" && pwd)
gcc=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

headers=""
for h in "$inc"/cairn/*.h "$inc"/wasm.h "$inc"/wasi.h; do
  [ -f "$h" ] && headers="$headers $h"
done
for h in $headers; do
  printf '#include "%s"\n' "$h"
done >"$tmp/all.c"
"$gcc" -std=gnu11 -I"$inc" -fsyntax-only -aux-info "$tmp/aux" "$tmp/all.c"
# lines like: /* /path/include/cairn/cairn.h:80:NC */ extern const char *cairn_trap_message (cairn_trapkind);
for h in $headers; do
  grep -F "/* $h:" "$tmp/aux" || true
done | grep -v '^/\* [^ ]* \*/ static ' |
  sed -E 's/^\/\* [^ ]+ \*\/ //; s/ \(.*$//; s/.*[ *]([A-Za-z_][A-Za-z0-9_]*)$/\1/' |
  sort -u >"$tmp/declared"

nm -D --defined-only "$lib" | awk 'NF == 3 {print $3}' | sed 's/@.*//' | sort -u >"$tmp/exported"

nd=$(wc -l <"$tmp/declared")
ne=$(wc -l <"$tmp/exported")
echo "exports: $ne symbols exported by $lib"
echo "exports: $nd functions declared in:$(for h in $headers; do printf ' %s' "${h#"$inc"/}"; done)"
fail=0
if [ "$nd" -eq 0 ]; then
  echo "exports: FAIL: no declarations found (gcc -aux-info)"
  fail=1
fi
bad=$(grep -Ev '^(cairn|wasm|wasi)_' "$tmp/exported" || true)
if [ -n "$bad" ]; then
  echo "exports: FAIL: exported without a public prefix (cairn_, wasm_, wasi_):"
  echo "$bad" | sed 's/^/  /'
  fail=1
fi
missing=$(comm -23 "$tmp/declared" "$tmp/exported")
if [ -n "$missing" ]; then
  echo "exports: FAIL: declared in a public header but not exported (CAIRN_API missing, or not defined):"
  echo "$missing" | sed 's/^/  /'
  fail=1
fi
extra=$(comm -13 "$tmp/declared" "$tmp/exported")
if [ -n "$extra" ]; then
  echo "exports: FAIL: exported but declared in no public header:"
  echo "$extra" | sed 's/^/  /'
  fail=1
fi
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
echo "exports: soname $soname"
case "$soname" in
libcairn.so.[0-9]*) ;;
*)
  echo "exports: FAIL: the soname is not libcairn.so.VERSION"
  fail=1
  ;;
esac
[ "$fail" -eq 0 ] && echo "exports: OK: exactly the $nd public functions are exported"
exit "$fail"
