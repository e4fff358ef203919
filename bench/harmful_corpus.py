#!/usr/bin/env python3
"""Writes a harmful-heavy bench corpus: every harmful record of the labelled
development sets (any category, ours or a source's), as JSONL with `text`.

The chat corpus of ../shared/data/bench is almost all benign, so it measures
the cost of finding nothing; this one measures the cost of finding a lot
(every document fires triggers, suppressors and the start-of-match pass).

    bench/harmful_corpus.py [--lang en] [--dev ../shared/data/dev] > harmful.jsonl
    build/aupfilter-bench --corpus harmful.jsonl --only block
"""
import argparse
import glob
import gzip
import json
import os
import sys


def records(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev", default=os.path.join(here, "..", "..", "shared", "data", "dev"))
    ap.add_argument("--lang", default="en", help="keep this language only ('all' keeps every one)")
    args = ap.parse_args()
    files = sorted(glob.glob(os.path.join(args.dev, "*.jsonl")) +
                   glob.glob(os.path.join(args.dev, "*.jsonl.gz")))
    if not files:
        sys.exit(f"harmful_corpus.py: no JSONL files in {args.dev}")
    n = 0
    for path in files:
        for r in records(path):
            if r.get("label") != "harmful":
                continue
            if args.lang != "all" and r.get("lang") != args.lang:
                continue
            role = "completion" if "completion" in os.path.basename(path) else "prompt"
            json.dump({"id": r["id"], "role": role, "text": r["text"]}, sys.stdout, ensure_ascii=False)
            sys.stdout.write("\n")
            n += 1
    print(f"harmful_corpus.py: {n} records from {len(files)} files", file=sys.stderr)


if __name__ == "__main__":
    main()
