#!/bin/sh
# Runs one built fuzz target: every saved reproducer in
# tests/fuzz/regressions/TARGET/ first, then SECONDS of fuzzing from its
# seed corpus. New corpus inputs go to BUILD/corpus/TARGET/, crashes to
# BUILD/crashes/TARGET/, the log to BUILD/TARGET.log. Exits non-zero when a
# reproducer fails or the target crashes, leaks or times out.
#
#   tests/fuzz/run_target.sh BUILD TARGET SECONDS
#   KEEP_GOING=1 ...     fork mode: go on after a crash, collect them all
set -u
BUILD=$1
T=$2
SECS=$3
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
bin=$BUILD/tests/fuzz/$T
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/fuzz/lsan.supp:print_suppressions=0}

dir=$ROOT/tests/fuzz/regressions/$T
if [ -n "$(ls -A "$dir" 2>/dev/null)" ] &&
    ! "$bin" "$dir"/* >"$BUILD/$T.regressions.log" 2>&1; then
    echo "== $T: a regression input fails (see $BUILD/$T.regressions.log)"
    exit 1
fi

corpus=$BUILD/corpus/$T
crashes=$BUILD/crashes/$T
mkdir -p "$corpus" "$crashes"
dict=""
[ -f "$ROOT/tests/fuzz/$T.dict" ] && dict="-dict=$ROOT/tests/fuzz/$T.dict"
before=$(ls "$crashes" | wc -l)
# shellcheck disable=SC2086
"$bin" -max_total_time="$SECS" -timeout=25 -rss_limit_mb=4096 -max_len=4096 \
    -print_final_stats=1 -artifact_prefix="$crashes/" $dict \
    ${KEEP_GOING:+-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1} \
    "$corpus" "$ROOT/tests/fuzz/corpus/$T" >"$BUILD/$T.log" 2>&1
rc=$?
grep -E '^(SUMMARY|fuzz check|.*Test unit written|.*ERROR)' "$BUILD/$T.log"
execs=$(grep -E '^stat::number_of_executed_units' "$BUILD/$T.log" | awk '{s += $2} END {print s + 0}')
after=$(ls "$crashes" | wc -l)
echo "== $T: $SECS s, $execs executions, corpus $(ls "$corpus" | wc -l) inputs, exit $rc"
[ "$rc" -eq 0 ] && [ "$after" -eq "$before" ]
