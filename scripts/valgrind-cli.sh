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
export AUPFILTER_CACHE_DIR=${AUPFILTER_CACHE_DIR:-${BUILD_DIR:-build}/test-cache}
"$cli" --quiet <"$sample" >/dev/null # warm the cache outside valgrind
echo "valgrind-cli: $(wc -l <"$sample") records"
valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible "$cli" --quiet <"$sample" >/dev/null
