#!/bin/sh
# Runs build/aupfilter (the shipped configuration, its compiled-rules cache
# warm) under valgrind's memcheck on the first N records (default 2000) of
# every dev-data file beside the project (../shared/data/dev): exits
# non-zero on any memory error or leak.
#   scripts/valgrind-cli.sh [N]
set -eu
cd "$(dirname "$0")/.."
n=${1:-2000}
data=../shared/data/dev
cli=${BUILD_DIR:-build}/aupfilter
[ -x "$cli" ] || { echo "valgrind-cli: build $cli first" >&2; exit 2; }
[ -d "$data" ] || { echo "valgrind-cli: no $data: skipped"; exit 0; }
sample=$(mktemp)
trap 'rm -f "$sample"' EXIT
for f in "$data"/*.jsonl; do head -n "$n" "$f"; done >"$sample"
# Hyperscan refuses a database compiled for the host's CPU features under
# valgrind, which reports fewer: warm a cache of its own with the fast
# "none" tool, then memcheck loads it instead of compiling.
export AUPFILTER_CACHE_DIR=${AUPFILTER_CACHE_DIR:-${BUILD_DIR:-build}/valgrind-cache}
valgrind --tool=none -q "$cli" --quiet </dev/null >/dev/null
echo "valgrind-cli: $(wc -l <"$sample") records"
valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible "$cli" --quiet <"$sample" >/dev/null
