#!/bin/sh
# cairn compile --cc wrapper for experiments: patches the unit, then gcc
src=""
for a in "$@"; do case "$a" in *.c) src="$a" ;; esac; done
[ -n "$src" ] && python3 "$(dirname "$0")/patch.py" "$src"
extra=""
case ",$VARIANT," in *,nosnan,*) exec gcc $(printf '%s\n' "$@" | grep -v -- '-fsignaling-nans' | tr '\n' ' ') ;; esac
case ",$VARIANT," in *,inl,*) exec gcc "$@" --param max-inline-insns-auto=60 -finline-functions-called-once ;; esac
exec gcc "$@"
