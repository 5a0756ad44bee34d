#!/bin/bash
# run-diff.sh: the differential harness (Cairn vs V8); see run-diff.py.
# usage: run-diff.sh --driver BUILD/tests/diff_cairn [--modules N | --seconds S]
#                    [--seed S0] [--findings DIR]
# Prints modules run, exports compared and differences; each difference is
# saved as a reproducer (m<seed>.wasm + report) in the findings directory.
set -u
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v python3 >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then echo "run-diff: FAIL: python3 not found (CI=true)"; exit 1; fi
  echo "run-diff: SKIP: python3 not found"; exit 77
fi
exec python3 "$here/run-diff.py" "$@"
