#!/bin/sh
# The whole test suite: install what is missing, build with warnings as
# errors, run every test (unit, property, CLI golden files, rule examples,
# large hostile inputs). With AUPF_TEST_RELIABILITY=1 (CI), then the
# sanitizer, fuzzing and valgrind runs of scripts/test-reliability.sh.
set -eu
cd "$(dirname "$0")/.."
./scripts/build.sh -DAUPF_WERROR=ON
build=${BUILD_DIR:-build}
(cd "$build" && ctest --output-on-failure -j "$(nproc)")
if [ "${AUPF_TEST_RELIABILITY:-0}" = 1 ]; then
    ./scripts/test-reliability.sh
fi
