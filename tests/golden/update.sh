#!/bin/sh
# Regenerates the golden outputs from the current build. Review the diff
# before committing: a golden file is a reviewed expectation, not a snapshot.
set -eu
cd "$(dirname "$0")"
cli=${1:-../../build/aupfilter}
for args in *.args; do
    case=${args%.args}
    set --
    while IFS= read -r line; do
        set -- "$@" "$(printf '%s' "$line" | sed "s|@FIXTURES@|../fixtures|")"
    done < "$args"
    status=0
    "$cli" "$@" < "$case.in" > "$case.out" 2>/dev/null || status=$?
    if [ "$status" -ne 0 ]; then echo "$status" > "$case.status"; else rm -f "$case.status"; fi
done
