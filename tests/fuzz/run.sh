#!/bin/sh
# Builds the libFuzzer targets into build-fuzz/ (clang, address + undefined
# sanitizers) and runs each for SECONDS (default 60), one after another,
# from its seed corpus in tests/fuzz/corpus/<target>/. New inputs go to
# build-fuzz/corpus/<target>/, crashes to build-fuzz/crashes/<target>/.
# Runs the saved reproducers in tests/fuzz/regressions/<target>/ first.
# Exits non-zero when any target crashes, leaks, times out or fails to run.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
#   KEEP_GOING=1 tests/fuzz/run.sh 600   # fork mode: go on after a crash,
#                                        # collect every crash in the time
set -u
SECONDS_EACH=${1:-60}
[ $# -gt 0 ] && shift
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-fuzz}
TARGETS=${*:-fuzz_loader fuzz_scan fuzz_normalize fuzz_stream fuzz_jsonl}
CC=${CC:-clang}

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER="$CC" -DAUPF_FUZZ=ON \
      -DAUPF_SANITIZE=address,undefined -DAUPF_BUILD_TESTS=OFF \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 2
# shellcheck disable=SC2086
cmake --build "$BUILD" -j"$(nproc)" --target $TARGETS || exit 2

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/fuzz/lsan.supp:print_suppressions=0}
failed=""
# every saved reproducer first: each must now run clean
for t in $TARGETS; do
    dir=$ROOT/tests/fuzz/regressions/$t
    [ -n "$(ls -A "$dir" 2>/dev/null)" ] || continue
    if ! "$BUILD/tests/fuzz/$t" "$dir"/* >"$BUILD/$t.regressions.log" 2>&1; then
        echo "== $t: a regression input fails (see $BUILD/$t.regressions.log)"
        failed="$failed $t(regressions)"
    fi
done
for t in $TARGETS; do
    corpus=$BUILD/corpus/$t
    crashes=$BUILD/crashes/$t
    mkdir -p "$corpus" "$crashes"
    dict=""
    [ -f "$ROOT/tests/fuzz/$t.dict" ] && dict="-dict=$ROOT/tests/fuzz/$t.dict"
    echo "== $t: $SECONDS_EACH s"
    before=$(ls "$crashes" | wc -l)
    # shellcheck disable=SC2086
    { "$BUILD/tests/fuzz/$t" -max_total_time="$SECONDS_EACH" -timeout=25 -rss_limit_mb=4096 \
          -max_len=4096 -print_final_stats=1 -artifact_prefix="$crashes/" $dict \
          ${KEEP_GOING:+-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1} \
          "$corpus" "$ROOT/tests/fuzz/corpus/$t"
      echo $? >"$BUILD/$t.rc"; } 2>&1 | tee "$BUILD/$t.log" |
        grep -E '^(#[0-9]+ +DONE|Done [0-9]+ runs|stat::number_of_executed_units|SUMMARY|fuzz check|.*Test unit written|.*ERROR|INFO: exiting)'
    after=$(ls "$crashes" | wc -l)
    if [ "$(cat "$BUILD/$t.rc")" -ne 0 ] || [ "$after" -ne "$before" ]; then
        failed="$failed $t"
    fi
done
if [ -n "$failed" ]; then
    echo "fuzzing failed:$failed (logs: $BUILD/<target>.log, inputs: $BUILD/crashes/)"
    exit 1
fi
echo "fuzzing passed: $TARGETS"
