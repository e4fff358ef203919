#!/bin/sh
# Builds the libFuzzer targets into build-fuzz/ (clang, address + undefined
# sanitizers) and runs each with run_target.sh: its saved reproducers, then
# SECONDS (default 60) of fuzzing, one target after another. Exits non-zero
# when any target fails.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
#   KEEP_GOING=1 tests/fuzz/run.sh 600   # fork mode: go on after a crash,
#                                        # collect every crash in the time
# The same runs as CTest tests (label fuzz):
#   cd build-fuzz && ctest -L fuzz       # AUPF_FUZZ_SECONDS (cmake) each
set -u
SECONDS_EACH=${1:-60}
[ $# -gt 0 ] && shift
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-fuzz}
TARGETS=${*:-fuzz_loader fuzz_scan fuzz_normalize fuzz_stream fuzz_jsonl fuzz_sse}
CC=${CC:-clang}

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER="$CC" -DAUPF_FUZZ=ON \
      -DAUPF_SANITIZE=address,undefined -DAUPF_BUILD_TESTS=OFF \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 2
# shellcheck disable=SC2086
cmake --build "$BUILD" -j"$(nproc)" --target $TARGETS || exit 2

failed=""
for t in $TARGETS; do
    "$ROOT/tests/fuzz/run_target.sh" "$BUILD" "$t" "$SECONDS_EACH" || failed="$failed $t"
done
if [ -n "$failed" ]; then
    echo "fuzzing failed:$failed (logs: $BUILD/<target>.log, inputs: $BUILD/crashes/)"
    exit 1
fi
echo "fuzzing passed: $TARGETS"
