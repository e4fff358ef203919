#!/bin/sh
# The whole test suite: install what is missing, build with warnings as
# errors, run every test (unit, property, CLI golden files, rule examples).
set -eu
cd "$(dirname "$0")/.."
./scripts/build.sh -DAUPF_WERROR=ON
build=${BUILD_DIR:-build}
cd "$build"
ctest --output-on-failure -j "$(nproc)"
