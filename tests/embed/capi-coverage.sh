#!/bin/sh
# capi-coverage.sh INCLUDE_DIR GCC PROGRAM.c...: checks that every function
# declared in INCLUDE_DIR/wasm.h and wasi.h (the library's and the header's
# inline helpers) is called by at least one of the programs (the examples
# and tests of the C API). The declarations come from gcc -aux-info, the
# calls from each program after the preprocessor (so calls that macros
# write count), keeping only the lines of the program and of the headers in
# its folder (not those of wasm.h, whose inline helpers call each other).
# Fails with the list of functions nothing calls.
set -eu
if [ $# -lt 3 ]; then
  echo "usage: capi-coverage.sh INCLUDE_DIR GCC PROGRAM.c..." >&2
  exit 2
fi
inc=$(cd "$1" && pwd)
gcc=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '#include "%s"\n#include "%s"\n' "$inc/wasm.h" "$inc/wasi.h" >"$tmp/all.c"
"$gcc" -std=gnu11 -I"$inc" -fsyntax-only -aux-info "$tmp/aux" "$tmp/all.c"
for h in "$inc/wasm.h" "$inc/wasi.h"; do
  grep -F "/* $h:" "$tmp/aux" || true
done | sed -E 's/^\/\* [^ ]+ \*\/ //; s/ \(.*$//; s/.*[ *]([A-Za-z_][A-Za-z0-9_]*)$/\1/' |
  grep -v '_$' | sort -u >"$tmp/declared"

: >"$tmp/called"
for src in "$@"; do
  # gcc -E marks where each line comes from: keep the lines of src and of
  # the headers beside it (not wasm.h's own inline bodies)
  dir=$(dirname "$src")/
  "$gcc" -std=gnu11 -I"$inc" -E "$src" |
    awk -v d="$dir" '/^# [0-9]+ "/ { split($0, a, "\""); mine = (index(a[2], d) == 1); next } mine' |
    grep -oE '[A-Za-z_][A-Za-z0-9_]*' >>"$tmp/called"
done
sort -u "$tmp/called" -o "$tmp/called"

nd=$(wc -l <"$tmp/declared")
missing=$(comm -23 "$tmp/declared" "$tmp/called")
echo "capi-coverage: $nd functions declared in wasm.h and wasi.h, $# programs"
if [ "$nd" -lt 200 ]; then
  echo "capi-coverage: FAIL: only $nd declarations found (gcc -aux-info)"
  exit 1
fi
if [ -n "$missing" ]; then
  echo "capi-coverage: FAIL: called by no test or example:"
  echo "$missing" | sed 's/^/  /'
  exit 1
fi
echo "capi-coverage: OK: every one is called"
