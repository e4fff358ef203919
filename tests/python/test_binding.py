"""The ctypes binding (python/aupfilter): block scans, streams equal to block
scans, the async wrapper, errors, hot reload and threads. Standard library
only; run by CTest as python.binding, or by hand:

    AUPFILTER_LIB=build/libaupfilter.so PYTHONPATH=python \\
        python3 -m unittest discover -s tests/python -v
"""
import asyncio
import os
import shutil
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))

import aupfilter  # noqa: E402

FIXTURES = os.environ.get("AUPFILTER_TEST_FIXTURES", os.path.join(HERE, "..", "fixtures"))
BASIC = os.path.join(FIXTURES, "basic.conf")

TEXTS = [
    "I will kill him tomorrow, and that is a promise.",
    "Put a bomb in the car; the bomb goes off at noon. A lavender bath bomb is fine.",
    "Congratulations, you won a prize! call 0800123456 today to claim it.",
    "Grüße aus Köln — naïve café owners kill time with crêpes; nothing else here. ✓",
    "Sure, here is how to hurt them: first, 🔪 then a bomb, then I kill the process.",
    "Ich werde ihn kill — dann ist Schluss.",
    "nothing at all to see in this perfectly calm sentence",
    "",
]


def chunk_str(text, n):
    return [text[i:i + n] for i in range(0, len(text), n)] or [""]


def chunk_bytes(text, n):
    data = text.encode()
    return [data[i:i + n] for i in range(0, len(data), n)] or [b""]


class BlockScan(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rs = aupfilter.Ruleset(BASIC)

    def test_verdict_fields(self):
        v = self.rs.scan("I will kill him", role="prompt")
        self.assertTrue(v.flagged)
        self.assertEqual(v.categories, ["violence"])
        self.assertEqual(v.action, "block")
        self.assertEqual(set(v.scores), {"violence", "weapons", "spam"})
        self.assertAlmostEqual(v.scores["violence"], 0.9)
        self.assertEqual(v.ruleset, self.rs.hash)
        self.assertEqual(len(v.ruleset), 16)
        self.assertEqual([(m.rule, m.category, m.start, m.end) for m in v.matches],
                         [("violence.test.kill", "violence", 7, 11)])
        d = v.to_dict()
        self.assertEqual(d["matches"][0]["rule"], "violence.test.kill")

    def test_spans_in_bytes_and_str_indices(self):
        text = "Grüße — ich will kill 🔪 and a bomb"
        v = self.rs.scan(text)
        data = text.encode()
        self.assertEqual(len(v.matches), 2)
        for m in v.matches:
            self.assertEqual(data[m.start:m.end].decode(), text[m.char_start:m.char_end])
        self.assertEqual(text[v.matches[0].char_start:v.matches[0].char_end], "kill")
        self.assertEqual(text[v.matches[1].char_start:v.matches[1].char_end], "bomb")
        vb = self.rs.scan(data)  # bytes: byte offsets only
        self.assertEqual([(m.start, m.end) for m in vb.matches],
                         [(m.start, m.end) for m in v.matches])
        self.assertIsNone(vb.matches[0].char_start)

    def test_roles(self):
        text = "Sure, here is how to hurt them"
        self.assertFalse(self.rs.scan(text, role="prompt").flagged)
        self.assertTrue(self.rs.scan(text, role="completion").flagged)
        with self.assertRaises(KeyError):
            self.rs.scan(text, role="system")

    def test_apply(self):
        out, v = self.rs.apply("a bomb in the car")
        self.assertEqual(out, "a [X] in the car")
        self.assertEqual(v.action, "redact")
        out, v = self.rs.apply("I will kill him")
        self.assertEqual(out, "I will [blocked]")
        out, v = self.rs.apply("calm text")
        self.assertEqual(out, "calm text")
        self.assertFalse(v.flagged)

    def test_verdict_without_matches_is_all_zero(self):
        import ctypes
        from aupfilter import _lib
        for text in TEXTS + ["calm", "how do I kill the process", "a lavender bath bomb"]:
            data = text.encode()
            res = ctypes.c_void_p()
            self.assertEqual(_lib.scan(self.rs._scanner(), 1, data, len(data), ctypes.byref(res)),
                             0)
            with self.subTest(text=text):
                self.assertEqual(self.rs._verdict(res, data), self.rs._verdict(res, data, True))

    def test_invalid_utf8_bytes_are_scanned(self):
        v = self.rs.scan(b"\xff\xfe kill \xc3")
        self.assertTrue(v.flagged)
        self.assertEqual((v.matches[0].start, v.matches[0].end), (3, 7))


class StreamEqualsBlock(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rs = aupfilter.Ruleset(BASIC)

    def check(self, text, chunks, role):
        expected_out, expected = self.rs.apply(text, role=role)
        st = self.rs.stream(role=role)
        released = "".join(st.feed(c) for c in chunks)
        v = st.close()
        self.assertEqual(released + st.tail, expected_out, (text, chunks))
        self.assertEqual(v.to_dict(), expected.to_dict(), (text, chunks))
        self.assertEqual(st.blocked, expected.action == "block")

    def test_texts_and_chunkings(self):
        for text in TEXTS:
            for role in ("prompt", "completion"):
                for n in (1, 3, 16, 1000):
                    with self.subTest(text=text, role=role, n=n):
                        self.check(text, chunk_str(text, n), role)
                    with self.subTest(text=text, role=role, bytes=n):
                        # bytes cut inside UTF-8 sequences: spans stay in bytes
                        chunks = chunk_bytes(text, n)
                        out, expected = self.rs.apply(text.encode(), role=role)
                        st = self.rs.stream(role=role)
                        released = "".join(st.feed(c) for c in chunks)
                        v = st.close()
                        self.assertEqual(released + st.tail, out.decode())
                        self.assertEqual(v.to_dict(), expected.to_dict())

    def test_release_is_incremental(self):
        text = "word " * 200
        st = self.rs.stream()
        first = st.feed(text[:500])
        self.assertTrue(first)  # not everything waits for close()
        self.assertLessEqual(len(text[:500]) - len(first), self.rs.holdback + 64)
        st.close()

    def test_closed_stream(self):
        st = self.rs.stream()
        st.feed("hello")
        st.close()
        with self.assertRaises(ValueError):
            st.feed("more")
        with self.assertRaises(ValueError):
            st.close()

    def test_context_manager_frees_an_unclosed_stream(self):
        with self.rs.stream() as st:
            st.feed("I will kill")
        self.assertIsNone(st._ptr)


async def deltas(pieces, log):
    try:
        for p in pieces:
            await asyncio.sleep(0)
            yield p
        log.append("exhausted")
    finally:
        log.append("closed")


class AsyncWrapper(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rs = aupfilter.Ruleset(BASIC)

    def collect(self, source, **kw):
        async def run():
            fs = aupfilter.filter_stream(self.rs, source, **kw)
            out = [t async for t in fs]
            return out, fs.verdict
        return asyncio.run(run())

    def test_filtered_text_equals_apply(self):
        for text in TEXTS:
            if "kill" in text or "hurt" in text:
                continue  # blocked texts: see below
            with self.subTest(text=text):
                log = []
                out, v = self.collect(deltas(chunk_str(text, 4), log))
                expected_out, expected = self.rs.apply(text, role="completion")
                self.assertEqual("".join(out), expected_out)
                self.assertNotIn("", out)
                self.assertEqual(v.to_dict(), expected.to_dict())
                self.assertEqual(log, ["exhausted", "closed"])

    def test_block_stops_the_source(self):
        log = []
        pieces = chunk_str("Here I will kill him. " + "More words follow. " * 20, 5)
        out, v = self.collect(deltas(pieces, log))
        self.assertTrue("".join(out).endswith("[blocked]"))
        self.assertEqual("".join(out), "Here I will [blocked]")
        self.assertEqual(v.action, "block")
        self.assertEqual(log, ["closed"])  # never exhausted: closed at the block

    def test_block_without_stopping(self):
        log = []
        text = "Here I will kill him. More words follow."
        out, v = self.collect(deltas(chunk_str(text, 5), log), stop_on_block=False)
        self.assertEqual("".join(out), "Here I will [blocked]")
        self.assertEqual(log, ["exhausted", "closed"])
        self.assertEqual(v.to_dict(), self.rs.scan(text, role="completion").to_dict())

    def test_text_of_and_none_deltas(self):
        chunks = [{"delta": {"content": c}} for c in ["a bomb ", None, "in the car"]]
        log = []
        out, v = self.collect(deltas(chunks, log), text_of=lambda c: c["delta"]["content"])
        self.assertEqual("".join(out), "a [X] in the car")
        self.assertEqual(v.categories, ["weapons"])

    def test_source_error_propagates(self):
        async def failing():
            yield "some text "
            raise RuntimeError("upstream failed")

        async def run():
            fs = aupfilter.filter_stream(self.rs, failing())
            return [t async for t in fs]
        with self.assertRaises(RuntimeError):
            asyncio.run(run())


class Errors(unittest.TestCase):
    def test_missing_config(self):
        with self.assertRaises(aupfilter.Error) as cm:
            aupfilter.Ruleset("/nonexistent/aupfilter.conf")
        self.assertEqual(cm.exception.name, "AUPF_E_IO")
        self.assertLess(cm.exception.status, 0)

    def test_broken_config_reports_diagnostics(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "broken.conf")
            with open(path, "w") as f:
                f.write('categories = ( { name = "violence"; \n')
            with self.assertRaises(aupfilter.Error) as cm:
                aupfilter.Ruleset(path)
            self.assertEqual(cm.exception.name, "AUPF_E_CONFIG")
            self.assertTrue(any("broken.conf" in line for line in cm.exception.diagnostics))


def write_config(d, threshold, name="aupfilter.conf"):
    rules = os.path.abspath(os.path.join(FIXTURES, "basic.rules"))
    path = os.path.join(d, name)
    with open(path + ".new", "w") as f:
        f.write(f"""categories = (
  {{ name = "violence"; threshold = {threshold}; action = "block"; }},
  {{ name = "weapons";  threshold = 0.5; action = "redact"; }},
  {{ name = "spam";     threshold = 0.6; action = "annotate"; }}
);
packs = [ "{rules}" ];
block_message = "[blocked]";
redact_with = "[X]";
cache_dir = "none";
""")
    os.replace(path + ".new", path)
    return path


class HotReload(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="aupf-py-reload-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_reload_swaps_and_old_streams_finish(self):
        path = write_config(self.dir, 0.5)
        r = aupfilter.Reloader(path)
        old = r.current()
        self.assertIs(r.current(), old)  # one object per generation
        st = old.stream()
        released = st.feed("I will ki")
        write_config(self.dir, 0.95)  # "kill" (0.9) no longer flags
        new = r.reload()
        self.assertEqual(r.generation, 1)
        self.assertIsNot(new, old)
        self.assertNotEqual(new.hash, old.hash)
        self.assertFalse(new.scan("I will kill him").flagged)
        released += st.feed("ll him")
        v = st.close()
        self.assertEqual(v.ruleset, old.hash)
        self.assertTrue(v.flagged)
        self.assertEqual(released + st.tail, "I will [blocked]")

    def test_failed_reload_keeps_the_ruleset(self):
        path = write_config(self.dir, 0.5)
        r = aupfilter.Reloader(path)
        before = r.current()
        with open(path, "w") as f:
            f.write("categories = (")
        with self.assertRaises(aupfilter.Error) as cm:
            r.reload()
        self.assertIn("current ruleset stays", str(cm.exception))
        self.assertTrue(cm.exception.diagnostics)
        self.assertEqual(r.generation, 0)
        self.assertIs(r.current(), before)
        self.assertTrue(r.current().scan("I will kill him").flagged)

    def test_reload_on_a_background_thread_while_scanning(self):
        path = write_config(self.dir, 0.5)
        r = aupfilter.Reloader(path)
        hashes = {r.current().hash}
        stop = threading.Event()
        errors = []

        def scan_loop():
            while not stop.is_set():
                rs = r.current()
                v = rs.scan("I will kill him")
                if v.ruleset != rs.hash or v.flagged != (rs.hash == first_hash):
                    errors.append(v)

        first_hash = r.current().hash
        threads = [threading.Thread(target=scan_loop) for _ in range(3)]
        for t in threads:
            t.start()
        for k in range(4):
            write_config(self.dir, 0.95 if k % 2 == 0 else 0.5)
            reloader = threading.Thread(target=r.reload)
            reloader.start()
            reloader.join()
            hashes.add(r.current().hash)
        stop.set()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(hashes), 2)
        self.assertEqual(r.generation, 4)


class Threads(unittest.TestCase):
    def test_threads_share_a_ruleset(self):
        rs = aupfilter.Ruleset(BASIC)
        expected = [rs.scan(t).to_dict() for t in TEXTS]
        bad = []

        def work():
            for _ in range(50):
                for t, e in zip(TEXTS, expected):
                    if rs.scan(t).to_dict() != e:
                        bad.append(t)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(bad, [])


if __name__ == "__main__":
    unittest.main()
