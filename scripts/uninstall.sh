#!/bin/sh
# uninstall.sh DESTDIR MANIFEST: removes every file and link listed in
# DESTDIR/MANIFEST (absolute paths without DESTDIR, one a line, the manifest
# itself among them: written by `make install`), then the directories of
# Cairn's own that are left empty (.../include/cairn, .../share/cairn).
# Directories shared with other software (bin, lib, man1...) stay.
set -eu
if [ $# -ne 2 ]; then
  echo "usage: uninstall.sh DESTDIR MANIFEST" >&2
  exit 2
fi
dest=$1
manifest=$dest$2
if [ ! -f "$manifest" ]; then
  echo "uninstall: no $manifest: nothing was installed there by make install (same PREFIX and DESTDIR?)" >&2
  exit 1
fi
n=0
dirs=""
while IFS= read -r f; do
  case "$f" in
  /*) ;;
  *)
    echo "uninstall: not an absolute path in $manifest: '$f'" >&2
    exit 1
    ;;
  esac
  if [ -e "$dest$f" ] || [ -L "$dest$f" ]; then
    rm -f -- "$dest$f"
    n=$((n + 1))
  fi
  d=$(dirname "$f")
  [ "$(basename "$d")" = cairn ] && dirs="$dirs
$d"
done <"$manifest"
echo "$dirs" | sort -u | while IFS= read -r d; do
  [ -n "$d" ] && rmdir -- "$dest$d" 2>/dev/null || true
done
echo "uninstall: removed $n files listed in $manifest"
