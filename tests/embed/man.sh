#!/bin/sh
# man.sh CAIRN MANDIR: the man pages against the program's --help.
#   - MANDIR holds cairn.1 and cairn-CMD.1 for every command `CAIRN --help`
#     lists (whose --help works), and nothing else, and they are what
#     scripts/gen-man.sh makes from this CAIRN now (the build did not leave a
#     stale page);
#   - each renders with `man -l` without a warning;
#   - the rendered page names every option of its --help text.
set -eu
if [ $# -ne 2 ]; then
  echo "usage: man.sh CAIRN MANDIR" >&2
  exit 2
fi
cairn=$1
mandir=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() {
  echo "man: FAIL: $*"
  fail=1
}

"$here/../../scripts/gen-man.sh" "$cairn" "$tmp/fresh" >/dev/null 2>&1 || bad "gen-man.sh failed"
for p in "$mandir"/*.1; do
  [ -f "$tmp/fresh/$(basename "$p")" ] || bad "$(basename "$p") is not a page of this cairn (stale)"
done

pages="cairn"
"$cairn" --help >"$tmp/help-cairn"
for c in $(awk '/^commands:$/ {c = 1; next} c && /^  [a-z]/ {print $1; next} c {c = 0}' "$tmp/help-cairn"); do
  if "$cairn" "$c" --help >"$tmp/help-cairn-$c" 2>/dev/null; then
    pages="$pages cairn-$c"
  fi
done

n=0
for p in $pages; do
  page=$mandir/$p.1
  if [ ! -f "$page" ]; then
    bad "no $p.1"
    continue
  fi
  cmp -s "$page" "$tmp/fresh/$p.1" || bad "$p.1 differs from what gen-man.sh makes of today's --help (rebuild)"
  # rendered as plain ASCII text, 80 columns, groff warnings on
  if ! MANWIDTH=80 man --warnings -E ascii -l "$page" >"$tmp/out" 2>"$tmp/err"; then
    bad "man -l $p.1 failed: $(cat "$tmp/err")"
    continue
  fi
  if [ -s "$tmp/err" ]; then
    bad "man -l $p.1 warns:"
    sed 's/^/  /' "$tmp/err"
  fi
  # drop any overstrike formatting (bold, underline)
  sed 's/.\x08//g' "$tmp/out" >"$tmp/text"
  grep -q "^NAME" "$tmp/text" && grep -q "^SYNOPSIS" "$tmp/text" || bad "$p.1 has no NAME or SYNOPSIS"
  # options: words starting with - or -- after a blank, [ , | or (, e.g.
  # --dir, -o, -O2; not numbers such as -1
  opts=$(grep -oE '(^|[][ ,|(])--?[A-Za-z][A-Za-z0-9-]*' "$tmp/help-$p" | sed 's/^[][ ,|(]*//' | sort -u)
  k=0
  for o in $opts; do
    k=$((k + 1))
    grep -qE -- "(^|[^A-Za-z0-9-])$o([^A-Za-z0-9-]|\$)" "$tmp/text" || bad "$p.1 does not name $o (from --help)"
  done
  echo "man: $p.1 renders; names all $k options of its --help"
  n=$((n + 1))
done
[ "$fail" -eq 0 ] && echo "man: OK: $n pages"
exit "$fail"
