#!/bin/sh
# missing-tool.sh TEST WHAT: stands in for a test that cannot be built or run
# because a tool is missing (found at cmake time). It fails under CI=true and
# otherwise exits 77, which ctest reports as "Skipped" (SKIP_RETURN_CODE),
# never as passed.
echo "$1: cannot run: $2 (scripts/install-deps.sh installs it)"
if [ "${CI:-}" = true ]; then
  echo "$1: FAIL (CI=true: a missing tool is a failure)"
  exit 1
fi
echo "SKIP: $1"
exit 77
