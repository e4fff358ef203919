#!/usr/bin/env python3
"""Per-token cost through the Python binding: the time of one Stream.feed()
call with 16-byte deltas (median and p99 over up to --calls calls), the
figure aupfilter-bench gives for aupf_stream_write from C. Also a whole
Ruleset.scan() per document.

    AUPFILTER_LIB=build/libaupfilter.so python3 bench/python_stream_bench.py \\
        --config tests/fixtures/basic.conf [--corpus ../shared/data/bench/chat-en.jsonl]
"""
import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

import aupfilter  # noqa: E402


def load(path, limit):
    texts = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            t = json.loads(line).get("text")
            if isinstance(t, str):
                texts.append(t)
            if len(texts) >= limit:
                break
    return texts


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p))]


def feed_latency(rs, deltas_of, texts, max_calls):
    clock = time.perf_counter_ns
    times = []
    for text in texts:
        st = rs.stream(role="completion")
        feed = st.feed
        for d in deltas_of(text):
            t0 = clock()
            feed(d)
            times.append(clock() - t0)
        st.close()
        if len(times) >= max_calls:
            break
    times.sort()
    return statistics.median(times), percentile(times, 0.99), len(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config")
    ap.add_argument("--corpus", default=os.path.join(HERE, "..", "..", "shared", "data", "bench",
                                                     "chat-en.jsonl"))
    ap.add_argument("--calls", type=int, default=300000)
    ap.add_argument("--docs", type=int, default=40694)
    args = ap.parse_args()
    rs = aupfilter.Ruleset(args.config)
    texts = load(args.corpus, args.docs)
    clock = time.perf_counter_ns
    timer = [clock() - clock() for _ in range(10001)]
    print(f"ruleset {rs.hash} ({rs.rule_count} rules, holdback {rs.holdback}); "
          f"{len(texts)} documents; library {aupfilter.library_path}; Python "
          f"{sys.version.split()[0]}; timer overhead {-statistics.median(timer):.0f} ns")

    def str16(t):
        return [t[i:i + 16] for i in range(0, len(t), 16)]

    def bytes16(t):
        b = t.encode()
        return [b[i:i + 16] for i in range(0, len(b), 16)]

    for name, fn in (("Stream.feed(str), 16 characters", str16),
                     ("Stream.feed(bytes), 16 bytes", bytes16)):
        med, p99, n = feed_latency(rs, fn, texts, args.calls)
        print(f"{name:40s} median {med:8.0f} ns  p99 {p99:8.0f} ns  ({n} calls)")
    docs = texts[:20000]
    t0 = time.perf_counter()
    for t in docs:
        rs.scan(t)
    dt = time.perf_counter() - t0
    mb = sum(len(t.encode()) for t in docs) / 1e6
    print(f"{'Ruleset.scan per document':40s} {dt / len(docs) * 1e6:8.2f} us  "
          f"({len(docs)} documents, {mb / dt:.1f} MB/s)")


if __name__ == "__main__":
    main()
