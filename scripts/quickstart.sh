#!/bin/sh
# Quick start: install what is missing, build, and filter the bundled sample
# with readable verdicts (then the same as JSON lines).
set -eu
cd "$(dirname "$0")/.."
./scripts/build.sh
build=${BUILD_DIR:-build}
echo
echo "== build/aupfilter --input jsonl --format text --apply < examples/sample.jsonl"
"$build/aupfilter" --input jsonl --format text --apply < examples/sample.jsonl
echo
echo "== build/aupfilter --input jsonl < examples/sample.jsonl   (first 3 verdicts)"
"$build/aupfilter" --input jsonl < examples/sample.jsonl | head -n 3
