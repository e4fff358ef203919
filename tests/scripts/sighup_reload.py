#!/usr/bin/env python3
"""aupfilter reloads its configuration on SIGHUP without losing or
reordering records.

Usage: sighup_reload.py AUPFILTER FIXTURES_DIR

Feeds JSONL records through a pipe to one aupfilter process, swaps the
configuration file between two rule settings (and once to a broken file),
sends SIGHUP while the filter waits for input and while records are in
flight, and checks that every record gets exactly one verdict, in order,
judged whole by one ruleset (its verdict matches the hash it carries), and
that records written after the reload message carry the new hash.
"""
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading

DEADLINE = 120  # seconds to wait for any one thing; not a measurement

KILL = "I will kill him"  # flagged under A (threshold 0.5), not under B (0.95)
CALM = "the weather is fine today"


def config(fixtures, violence_threshold, broken=False):
    if broken:
        return 'categories = ( { name = "violence"; \n'
    rules = os.path.join(fixtures, "basic.rules")
    return f"""
categories = (
  {{ name = "violence"; threshold = {violence_threshold}; action = "block"; }},
  {{ name = "weapons";  threshold = 0.5; action = "redact"; }},
  {{ name = "spam";     threshold = 0.6; action = "annotate"; }}
);
packs = [ "{rules}" ];
block_message = "[blocked]";
redact_with = "[X]";
cache_dir = "none";
"""


def put(path, text):
    """Replaces the file in one step, as an operator's deploy would."""
    tmp = path + ".new"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def hash_of(cli, conf):
    out = subprocess.run([cli, "--config", conf, "--input", "lines"], input=b"x\n",
                         capture_output=True, timeout=DEADLINE, check=True).stdout
    return json.loads(out)["ruleset"]


def reader(stream, q):
    for line in stream:
        q.put(line.decode())
    q.put(None)


def wait_for(q, pred, what):
    try:
        while True:
            line = q.get(timeout=DEADLINE)
            if line is None:
                sys.exit(f"FAIL: the filter ended while waiting for {what}")
            if pred(line):
                return line
    except queue.Empty:
        sys.exit(f"FAIL: no {what} within {DEADLINE} s")


def main():
    cli, fixtures = sys.argv[1], os.path.abspath(sys.argv[2])
    with tempfile.TemporaryDirectory(prefix="aupf-sighup-") as tmp:
        run(cli, fixtures, tmp)


def run(cli, fixtures, tmp):
    conf = os.path.join(tmp, "aupfilter.conf")
    for name, thr in (("a.conf", 0.5), ("b.conf", 0.95)):
        put(os.path.join(tmp, name), config(fixtures, thr))
    hash_a = hash_of(cli, os.path.join(tmp, "a.conf"))
    hash_b = hash_of(cli, os.path.join(tmp, "b.conf"))
    assert hash_a != hash_b, "the two configurations must differ"

    put(conf, config(fixtures, 0.5))
    p = subprocess.Popen([cli, "--config", conf, "--input", "jsonl"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out_q, err_q = queue.Queue(), queue.Queue()
    threading.Thread(target=reader, args=(p.stdout, out_q), daemon=True).start()
    threading.Thread(target=reader, args=(p.stderr, err_q), daemon=True).start()
    sent = []
    verdicts = []

    def send(first, last):
        for i in range(first, last + 1):
            text = KILL if i % 2 else CALM
            sent.append((i, text))
            p.stdin.write((json.dumps({"id": i, "text": text}) + "\n").encode())
        p.stdin.flush()

    def drain(until):
        while len(verdicts) < until:
            line = out_q.get(timeout=DEADLINE)
            if line is None:
                sys.exit("FAIL: output ended early")
            verdicts.append(json.loads(line))

    # 1. records on A; SIGHUP while the filter waits for input
    send(1, 50)
    drain(50)
    put(conf, config(fixtures, 0.95))
    p.send_signal(signal.SIGHUP)
    send(51, 100)  # in flight while B compiles: A or B, whole
    line = wait_for(err_q, lambda l: "reloaded" in l, "reload message")
    assert f"ruleset {hash_a} -> {hash_b}" in line, line
    send(101, 150)  # written after the message: B
    drain(150)

    # 2. a broken file: the reload fails, says why, and B stays
    put(conf, config(fixtures, 0, broken=True))
    p.send_signal(signal.SIGHUP)
    line = wait_for(err_q, lambda l: "reload of" in l, "reload failure message")
    assert "failed" in line and f"still filtering with ruleset {hash_b}" in line, line
    send(151, 200)
    drain(200)

    # 3. SIGHUP while records stream in: back to A
    put(conf, config(fixtures, 0.5))
    send(201, 300)
    p.send_signal(signal.SIGHUP)
    send(301, 400)
    line = wait_for(err_q, lambda l: "reloaded" in l, "second reload message")
    assert f"ruleset {hash_b} -> {hash_a}" in line, line
    send(401, 450)
    p.stdin.close()
    drain(450)
    rc = p.wait(timeout=DEADLINE)
    assert rc == 0, f"exit status {rc}"
    assert out_q.get(timeout=DEADLINE) is None, "more verdicts than records"

    # every record once, in order, each judged whole by the ruleset it names
    assert [v["id"] for v in verdicts] == [i for i, _ in sent], "records lost or reordered"
    assert [v["line"] for v in verdicts] == list(range(1, 451))
    for v, (i, text) in zip(verdicts, sent):
        assert v["ruleset"] in (hash_a, hash_b), v
        expect_flagged = text == KILL and v["ruleset"] == hash_a
        assert v["flagged"] == expect_flagged, f"record {i}: verdict does not fit its ruleset: {v}"

    def hashes(first, last):
        return [v["ruleset"] for v in verdicts[first - 1:last]]

    def switches_once(hs, old, new):
        k = hs.index(new) if new in hs else len(hs)
        return all(h == old for h in hs[:k]) and all(h == new for h in hs[k:])

    assert set(hashes(1, 50)) == {hash_a}
    assert switches_once(hashes(51, 100), hash_a, hash_b), "A and B interleaved"
    assert set(hashes(101, 200)) == {hash_b}, "records after the reload message not on B"
    assert switches_once(hashes(201, 400), hash_b, hash_a), "B and A interleaved"
    assert set(hashes(401, 450)) == {hash_a}, "records after the reload message not on A"
    print(f"450 records in order; rulesets {hash_a} -> {hash_b} -> (failed) -> {hash_a}")


if __name__ == "__main__":
    main()
