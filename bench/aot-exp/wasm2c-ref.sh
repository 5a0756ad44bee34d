#!/bin/bash
# wasm2c-ref.sh MODULE.wasm OUT: builds OUT, MODULE turned into C by Debian's wasm2c
# (apt-get install wabt) and compiled with gcc -O2, with wasm2c-wasi.c for its WASI
# imports: a second Wasm-to-C compiler to measure the native tier against
# (docs/benchmarks.md, "speedtest1 through another Wasm-to-C compiler"). Example:
#   bench/aot-exp/wasm2c-ref.sh build/bench/wasm/speedtest1.wasm /tmp/st-w2c
#   python3 bench/aot-exp/interleave.py 11 native="build/bench/native/speedtest1 --memdb --size 20" \
#       cairn="build/cairn run st.cwasm --memdb --size 20" w2c="/tmp/st-w2c --memdb --size 20"
set -eu
[ $# -eq 2 ] || { echo "usage: $0 MODULE.wasm OUT" >&2; exit 2; }
command -v wasm2c >/dev/null || { echo "$0: no wasm2c (apt-get install wabt)" >&2; exit 1; }
rt=/usr/src/wasm2c
[ -f $rt/wasm-rt-impl.c ] || { echo "$0: no $rt/wasm-rt-impl.c (apt-get install wabt)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
wasm2c "$1" -n m -o "$dir/m.c"
gcc -O2 -w -I"$rt" -I"$dir" "$dir/m.c" "$(dirname "$0")/wasm2c-wasi.c" $rt/wasm-rt-impl.c -lm -o "$2"
