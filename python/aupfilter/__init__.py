"""aupfilter for Python: the C library through ctypes (standard library
only, no build step; docs/integration.md).

    import aupfilter
    rs = aupfilter.Ruleset()                       # or Ruleset("aupfilter.conf")
    v = rs.scan("some prompt", role="prompt")      # Verdict
    st = rs.stream(role="completion")
    for delta in deltas:
        send(st.feed(delta))                       # text released so far
    v = st.close(); send(st.tail)                  # final verdict, held-back text

The library is found through $AUPFILTER_LIB, the source tree's build/, or
the system (libaupfilter.so.0); the configuration through the argument,
$AUPFILTER_CONFIG, the source tree, or the installed one.

Threads: a Ruleset is shared by every thread; each thread scans with its own
scanner, made on first use (the C calls release the GIL). A Stream belongs
to one request: feed it from one thread at a time.
"""

import codecs
import ctypes
import threading
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Union

from . import _lib

__all__ = ["Error", "Match", "Verdict", "Ruleset", "Stream", "Reloader", "FilteredStream",
           "filter_stream", "library_path", "version"]

library_path = _lib.PATH


def version() -> str:
    return _lib.version().decode()


class Error(Exception):
    """A library call failed: status (negative), name ("AUPF_E_CONFIG"),
    and the loading diagnostics, if any."""

    def __init__(self, status: int, what: str, diagnostics: Optional[List[str]] = None):
        self.status = status
        self.name = _lib.status_name(status).decode()
        self.diagnostics = diagnostics or []
        msg = f"{what}: {_lib.strerror(status).decode()} ({self.name})"
        if self.diagnostics:
            msg += "\n  " + "\n  ".join(self.diagnostics)
        super().__init__(msg)


@dataclass
class Match:
    rule: str
    category: str
    start: int  # byte offsets into the UTF-8 text: [start, end)
    end: int
    char_start: Optional[int]  # the same span in str indices (None for bytes input)
    char_end: Optional[int]
    evasive: bool = False
    shadow: bool = False


@dataclass
class Verdict:
    flagged: bool
    categories: List[str]  # the flagged ones, in configuration order
    scores: Dict[str, float]
    action: str  # allow, annotate, redact, block
    matches: List[Match]
    ruleset: str  # hash of the rules that gave this verdict
    shadow_categories: List[str] = field(default_factory=list)
    script: str = "Zyyy"

    def to_dict(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k != "matches"}
        d["matches"] = [m.__dict__.copy() for m in self.matches]
        return d


def _alive() -> bool:
    """False while the interpreter tears the module down (then the process
    is ending and the library's memory goes with it)."""
    return _lib is not None and getattr(_lib, "lib", None) is not None


def _check(status: int, what: str):
    if status != 0:
        raise Error(status, what)


def _encode(text: Union[str, bytes]) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else bytes(text)


def _load_options(no_cache, cache_dir, normalize):
    o = _lib.LoadOptions()
    o.no_cache = 1 if no_cache else 0
    o.cache_dir = cache_dir.encode() if cache_dir else None
    o.no_normalize = 0 if normalize else 1
    return o


class _Diagnostics:
    """Collects loading diagnostics as "file:line: severity: [rule] message"."""

    def __init__(self):
        self.lines = []
        self.fn = _lib.DIAG_FN(self._on)

    def _on(self, ctx, severity, file, line, rule, message):
        where = (file or b"-").decode(errors="replace")
        if line > 0:
            where += f":{line}"
        sev = "error" if severity == 2 else "warning"
        rule_s = f"rule {rule.decode()}: " if rule else ""
        self.lines.append(f"{where}: {sev}: {rule_s}{message.decode(errors='replace')}")


class _Scanner:
    """One C scanner; freed with this object."""

    __slots__ = ("ptr",)

    def __init__(self, rs_ptr):
        p = ctypes.c_void_p()
        _check(_lib.scanner_new(rs_ptr, ctypes.byref(p)), "aupf_scanner_new")
        self.ptr = p

    def __del__(self):
        if self.ptr and _alive():
            _lib.scanner_free(self.ptr)
            self.ptr = None


class Ruleset:
    """Compiled rules (immutable, shared by threads)."""

    def __init__(self, config_path: Optional[str] = None, *, no_cache: bool = False,
                 cache_dir: Optional[str] = None, normalize: bool = True):
        self.config_path = config_path or _lib.default_config()
        diag = _Diagnostics()
        opts = _load_options(no_cache, cache_dir, normalize)
        p = ctypes.c_void_p()
        st = _lib.ruleset_load(self.config_path.encode(), ctypes.byref(opts), diag.fn, None,
                               ctypes.byref(p))
        if st != 0:
            raise Error(st, f"cannot load {self.config_path}", diag.lines)
        self.warnings = diag.lines
        self._init(p)

    @classmethod
    def _adopt(cls, ptr, config_path=None):
        """Wraps a C ruleset whose reference the new object takes over."""
        rs = cls.__new__(cls)
        rs.config_path = config_path
        rs.warnings = []
        rs._init(ctypes.c_void_p(ptr))
        return rs

    def _init(self, ptr):
        self._ptr = ptr
        self._local = threading.local()
        self.hash = _lib.ruleset_hash(ptr).decode()
        n = _lib.ruleset_category_count(ptr)
        self.categories = [_lib.category_name(ptr, i).decode() for i in range(n)]
        self.actions = {c: _lib.ACTIONS[_lib.category_action(ptr, i)]
                        for i, c in enumerate(self.categories)}
        self.holdback = _lib.ruleset_holdback(ptr)
        self.rule_count = _lib.ruleset_rule_count(ptr)
        self.from_cache = bool(_lib.ruleset_from_cache(ptr))

    def __del__(self):
        ptr = getattr(self, "_ptr", None)
        if ptr and _alive():
            self._local = None  # this thread's scanner first (it holds a reference too)
            _lib.ruleset_release(ptr)
            self._ptr = None

    def __repr__(self):
        return f"<aupfilter.Ruleset {self.hash} ({self.rule_count} rules)>"

    def _scanner(self):
        try:
            return self._local.scanner.ptr
        except AttributeError:  # this thread's first call
            self._local.scanner = _Scanner(self._ptr)
            return self._local.scanner.ptr

    def _verdict(self, res, text: Optional[bytes], full: bool = False) -> Verdict:
        cats = self.categories
        count = _lib.result_match_count(res)
        if count == 0 and not full:
            # no match: every score is 0 and nothing is flagged (scores are
            # the noisy-OR of matched rules); spares a dozen ctypes calls
            return Verdict(False, [], dict.fromkeys(cats, 0.0), "allow", [], self.hash,
                           script=_lib.result_script(res).decode())
        m = _lib.Match()
        matches = []
        for i in range(count):
            _lib.result_match(res, i, ctypes.byref(m))
            matches.append(Match(m.rule_id.decode(), cats[m.category], m.start, m.end, None, None,
                                 bool(m.evasive), bool(m.shadow)))
        if text is not None:
            _char_offsets(text, matches)
        return Verdict(
            flagged=bool(_lib.result_flagged(res)),
            categories=[c for i, c in enumerate(cats) if _lib.result_category_flagged(res, i)],
            scores={c: _lib.result_score(res, i) for i, c in enumerate(cats)},
            action=_lib.ACTIONS[_lib.result_action(res)],
            matches=matches,
            ruleset=self.hash,  # results come from this ruleset's scanners
            shadow_categories=[c for i, c in enumerate(cats)
                               if _lib.result_category_shadow_flagged(res, i)],
            script=_lib.result_script(res).decode())

    def scan(self, text: Union[str, bytes], role: str = "prompt") -> Verdict:
        """Judges a whole text. Spans are byte offsets of its UTF-8 form and,
        for str input, str indices (char_start, char_end)."""
        data = _encode(text)
        res = ctypes.c_void_p()
        _check(_lib.scan(self._scanner(), _lib.ROLES[role], data, len(data), ctypes.byref(res)),
               "aupf_scan")
        return self._verdict(res, data if isinstance(text, str) else None)

    def apply(self, text: Union[str, bytes], role: str = "prompt"):
        """(output, verdict): the text after the verdict's action (redacted,
        or the block message)."""
        data = _encode(text)
        s = self._scanner()
        res = ctypes.c_void_p()
        _check(_lib.scan(s, _lib.ROLES[role], data, len(data), ctypes.byref(res)), "aupf_scan")
        verdict = self._verdict(res, data if isinstance(text, str) else None)
        out, n = ctypes.c_void_p(), ctypes.c_size_t()
        _check(_lib.apply(s, res, data, len(data), ctypes.byref(out), ctypes.byref(n)),
               "aupf_apply")
        output = ctypes.string_at(out, n.value) if n.value else b""
        return (output.decode("utf-8", "replace") if isinstance(text, str) else output), verdict

    def stream(self, role: str = "completion") -> "Stream":
        return Stream(self, role)


def _char_offsets(data: bytes, matches: List[Match]):
    """Byte offsets to str indices: spans fall on character boundaries of
    valid UTF-8, so each prefix decodes whole."""
    cache = {}
    for m in matches:
        for attr, off in (("char_start", m.start), ("char_end", m.end)):
            if off not in cache:
                cache[off] = len(data[:off].decode("utf-8", "replace"))
            setattr(m, attr, cache[off])


class _Released:
    """What a stream's sink received during one call."""

    __slots__ = ("out", "blocked")

    def __init__(self):
        self.out = []
        self.blocked = False

    def on_release(self, ctx, data, n, event):
        if event:
            if ctypes.cast(event, ctypes.POINTER(_lib.Event)).contents.kind == _lib.EVENT_BLOCKED:
                self.blocked = True
        elif n:
            self.out.append(ctypes.string_at(data, n))
        return 0


class Stream:
    """Filters one completion as it arrives: feed() returns the text that is
    safe to send now (redactions applied; after a block, the block message
    and then nothing); close() returns the final verdict, equal to
    Ruleset.scan of the whole text, and leaves the held-back rest in
    .tail. Together the released pieces equal Ruleset.apply's output."""

    def __init__(self, ruleset: Ruleset, role: str = "completion"):
        self.ruleset = ruleset
        self.role = role
        self.tail = ""
        self.verdict = None
        self._fed = bytearray()
        self._text_input = True
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._state = state = _Released()
        self._sink = _lib.SINK_FN(state.on_release)  # no cycle back to the stream
        p = ctypes.c_void_p()
        _check(_lib.stream_open(ruleset._ptr, _lib.ROLES[role], ctypes.byref(p)),
               "aupf_stream_open")
        self._ptr = p

    @property
    def blocked(self) -> bool:
        """True once the stream blocked: nothing more will be released."""
        return self._state.blocked

    def _take(self, final=False) -> str:
        out = self._state.out
        if not out and not final:
            return ""
        data = out[0] if len(out) == 1 else b"".join(out)
        out.clear()
        return self._decoder.decode(data, final)

    def feed(self, text: Union[str, bytes]) -> str:
        """Writes one delta (str, or bytes in any cut) and returns the text
        released by it ("" while everything is held back; Ruleset.holdback)."""
        if self._ptr is None:
            raise ValueError("stream is closed")
        data = _encode(text)
        if not isinstance(text, str):
            self._text_input = False
        self._fed += data
        _check(_lib.stream_write(self._ptr, self.ruleset._scanner(), data, len(data), self._sink,
                                 None), "aupf_stream_write")
        return self._take()

    def close(self) -> Verdict:
        """Ends the stream: the final verdict; the text still held back goes
        to .tail."""
        if self._ptr is None:
            raise ValueError("stream is closed")
        s = self.ruleset._scanner()
        res = ctypes.c_void_p()
        try:
            _check(_lib.stream_close(self._ptr, s, self._sink, None, ctypes.byref(res)),
                   "aupf_stream_close")
            self.tail = self._take(final=True)
            self.verdict = self.ruleset._verdict(res,
                                                 bytes(self._fed) if self._text_input else None)
        finally:
            self._free()
        return self.verdict

    @property
    def settled(self) -> int:
        """Bytes of the input released so far."""
        return _lib.stream_settled(self._ptr) if self._ptr else len(self._fed)

    def _free(self):
        if getattr(self, "_ptr", None) is not None and _alive():
            _lib.stream_free(self._ptr)
            self._ptr = None

    def __del__(self):
        self._free()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._free()


class Reloader:
    """The ruleset a server serves with, replaceable while it runs:
    reload() compiles the configuration (call it from a background thread:
    the shipped packs take seconds cold) and swaps it in; streams opened
    before finish on their ruleset. A failed reload raises Error and keeps
    the current ruleset."""

    def __init__(self, config_path: Optional[str] = None, *, no_cache: bool = False,
                 cache_dir: Optional[str] = None):
        first = Ruleset(config_path, no_cache=no_cache, cache_dir=cache_dir)
        self.config_path = first.config_path
        self._opts = _load_options(no_cache, cache_dir, True)
        p = ctypes.c_void_p()
        _check(_lib.reloader_new(first._ptr, ctypes.byref(p)), "aupf_reloader_new")
        self._ptr = p
        self._lock = threading.Lock()
        self._cached = (0, first)

    @property
    def generation(self) -> int:
        return _lib.reloader_generation(self._ptr)

    def current(self) -> Ruleset:
        """The current ruleset (the same object until the next swap, so its
        per-thread scanners are reused)."""
        gen = _lib.reloader_generation(self._ptr)
        with self._lock:
            if self._cached[0] != gen:
                rs = Ruleset._adopt(_lib.reloader_current(self._ptr), self.config_path)
                self._cached = (gen, rs)
            return self._cached[1]

    def reload(self, config_path: Optional[str] = None) -> Ruleset:
        path = config_path or self.config_path
        diag = _Diagnostics()
        st = _lib.reloader_reload(self._ptr, path.encode(), ctypes.byref(self._opts), diag.fn,
                                  None)
        if st != 0:
            raise Error(st, f"reload of {path} failed; the current ruleset stays", diag.lines)
        return self.current()

    def __del__(self):
        if getattr(self, "_ptr", None) and _alive():
            _lib.reloader_free(self._ptr)
            self._ptr = None


from .aio import FilteredStream, filter_stream  # noqa: E402  (uses the names above)
