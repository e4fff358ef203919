#!/bin/sh
# The reliability runs (docs/reliability.md), after the normal suite:
#   1. the whole suite built with AddressSanitizer + UndefinedBehaviorSanitizer
#      (build-asan/; without the large inputs, the dev-data sweeps and
#      rules.examples, which compiles the shipped packs afresh: Hyperscan's
#      compiler under ASan's allocator takes many minutes, and the normal
#      run covers it);
#   2. the unit tests, threads among them, with ThreadSanitizer (build-tsan/);
#   3. every libFuzzer target: its reproducers, then AUPF_FUZZ_SECONDS
#      (default 60) of fuzzing (build-fuzz/, ctest -L fuzz);
#   4. the CLI under valgrind on 300 records of each dev file: no leak, no error.
# scripts/test.sh runs this when AUPF_TEST_RELIABILITY=1 (CI sets it).
# About 40 minutes on 2 cores; STEPS="asan fuzz" picks steps.
set -eu
cd "$(dirname "$0")/.."
AUPF_TEST_RELIABILITY=1 ./scripts/install-deps.sh
steps=${STEPS:-asan tsan fuzz valgrind}
jobs=$(nproc)
fuzz_seconds=${AUPF_FUZZ_SECONDS:-60}
build=${BUILD_DIR:-build}

# The shipped rules compiled by the normal run: the cache key does not
# depend on the build, and a compile under a sanitizer's allocator is slow.
seed_cache() {
    if [ -d "$build/test-cache" ]; then
        mkdir -p "$1/test-cache"
        cp -p "$build"/test-cache/* "$1/test-cache/" 2>/dev/null || true
    fi
}
t0=$(date +%s)
say() { echo "== reliability: $* ($(($(date +%s) - t0)) s)"; }

for step in $steps; do
    case $step in
    asan)
        say "ASan+UBSan build"
        cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAUPF_WERROR=ON \
              -DAUPF_SANITIZE=address,undefined >/dev/null
        cmake --build build-asan -j "$jobs" >/dev/null
        seed_cache build-asan
        say "ASan+UBSan suite"
        (cd build-asan &&
         ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
         ctest --output-on-failure -j "$jobs" -LE large -E 'dev_data|evasion_suite|rules\.examples')
        ;;
    tsan)
        say "TSan build"
        cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAUPF_WERROR=ON \
              -DAUPF_SANITIZE=thread >/dev/null
        cmake --build build-tsan -j "$jobs" >/dev/null
        seed_cache build-tsan
        say "TSan unit tests"
        (cd build-tsan && TSAN_OPTIONS=halt_on_error=1 \
         ctest --output-on-failure -j "$jobs" -R '^unit\.' -E 'unit\.cli_stream') # (its pacing assumes full speed)
        ;;
    fuzz)
        say "fuzz build"
        cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DAUPF_FUZZ=ON \
              -DAUPF_SANITIZE=address,undefined -DAUPF_BUILD_TESTS=OFF \
              -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAUPF_FUZZ_SECONDS="$fuzz_seconds" >/dev/null
        cmake --build build-fuzz -j "$jobs" >/dev/null
        say "fuzzing, $fuzz_seconds s per target"
        (cd build-fuzz && ctest --output-on-failure -L fuzz)
        ;;
    valgrind)
        say "valgrind"
        ./scripts/valgrind-cli.sh 300 # records per dev file; docs/reliability.md has a larger run
        ;;
    *)
        echo "test-reliability: unknown step '$step'" >&2
        exit 2
        ;;
    esac
done
say "passed: $steps"
