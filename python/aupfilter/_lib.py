"""Finds libaupfilter and declares the C functions the binding calls
(filter/include/aupfilter.h). Standard library only: ctypes, no build step."""

import ctypes
import ctypes.util
import os

_HERE = os.path.dirname(os.path.abspath(__file__))
_SOURCE_TREE = os.path.dirname(os.path.dirname(_HERE))


def candidates():
    """Where the library is looked for, in order."""
    env = os.environ.get("AUPFILTER_LIB")
    if env:
        return [env]  # an explicit choice is not second-guessed
    found = []
    for build in ("build", "build-release"):
        found.append(os.path.join(_SOURCE_TREE, build, "libaupfilter.so"))
    system = ctypes.util.find_library("aupfilter")
    if system:
        found.append(system)
    found.append("libaupfilter.so.0")
    return found


def load():
    tried = []
    for path in candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(f"{path} (missing)")
            continue
        try:
            return path, ctypes.CDLL(path)
        except OSError as e:
            tried.append(f"{path} ({e})")
    raise ImportError("aupfilter: cannot load libaupfilter; set AUPFILTER_LIB to its path. "
                      "Tried: " + "; ".join(tried))


PATH, lib = load()

c_ptr = ctypes.c_void_p
c_size = ctypes.c_size_t
c_int = ctypes.c_int
c_str = ctypes.c_char_p


class LoadOptions(ctypes.Structure):
    _fields_ = [("no_cache", c_int), ("cache_dir", c_str), ("no_normalize", c_int)]


class Match(ctypes.Structure):
    _fields_ = [("rule", c_size), ("rule_id", c_str), ("category", c_size), ("start", c_size),
                ("end", c_size), ("evasive", c_int), ("shadow", c_int)]


class Event(ctypes.Structure):
    _fields_ = [("kind", c_int), ("match", Match), ("category", c_size), ("settled", c_size)]


EVENT_BLOCKED = 3
ROLES = {"prompt": 1, "completion": 2}
ACTIONS = ("allow", "annotate", "redact", "block")

DIAG_FN = ctypes.CFUNCTYPE(None, c_ptr, c_int, c_str, c_int, c_str, c_str)
SINK_FN = ctypes.CFUNCTYPE(c_int, c_ptr, c_ptr, c_size, c_ptr)


def _declare(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


strerror = _declare("aupf_strerror", c_str, c_int)
status_name = _declare("aupf_status_name", c_str, c_int)
version = _declare("aupf_version", c_str)

ruleset_load = _declare("aupf_ruleset_load", c_int, c_str, ctypes.POINTER(LoadOptions), DIAG_FN,
                        c_ptr, ctypes.POINTER(c_ptr))
ruleset_release = _declare("aupf_ruleset_release", None, c_ptr)
ruleset_hash = _declare("aupf_ruleset_hash", c_str, c_ptr)
ruleset_from_cache = _declare("aupf_ruleset_from_cache", c_int, c_ptr)
ruleset_block_message = _declare("aupf_ruleset_block_message", c_str, c_ptr)
ruleset_category_count = _declare("aupf_ruleset_category_count", c_size, c_ptr)
ruleset_rule_count = _declare("aupf_ruleset_rule_count", c_size, c_ptr)
category_name = _declare("aupf_category_name", c_str, c_ptr, c_size)
category_action = _declare("aupf_category_action", c_int, c_ptr, c_size)
category_threshold = _declare("aupf_category_threshold", ctypes.c_double, c_ptr, c_size)

scanner_new = _declare("aupf_scanner_new", c_int, c_ptr, ctypes.POINTER(c_ptr))
scanner_free = _declare("aupf_scanner_free", None, c_ptr)
scan = _declare("aupf_scan", c_int, c_ptr, c_int, c_str, c_size, ctypes.POINTER(c_ptr))
apply = _declare("aupf_apply", c_int, c_ptr, c_ptr, c_str, c_size, ctypes.POINTER(c_ptr),
                 ctypes.POINTER(c_size))

result_flagged = _declare("aupf_result_flagged", c_int, c_ptr)
result_action = _declare("aupf_result_action", c_int, c_ptr)
result_score = _declare("aupf_result_score", ctypes.c_double, c_ptr, c_size)
result_category_flagged = _declare("aupf_result_category_flagged", c_int, c_ptr, c_size)
result_category_shadow_flagged = _declare("aupf_result_category_shadow_flagged", c_int, c_ptr,
                                          c_size)
result_match_count = _declare("aupf_result_match_count", c_size, c_ptr)
result_match = _declare("aupf_result_match", c_int, c_ptr, c_size, ctypes.POINTER(Match))
result_script = _declare("aupf_result_script", c_str, c_ptr)
result_ruleset = _declare("aupf_result_ruleset", c_ptr, c_ptr)

stream_open = _declare("aupf_stream_open", c_int, c_ptr, c_int, ctypes.POINTER(c_ptr))
stream_write = _declare("aupf_stream_write", c_int, c_ptr, c_ptr, c_str, c_size, SINK_FN, c_ptr)
stream_close = _declare("aupf_stream_close", c_int, c_ptr, c_ptr, SINK_FN, c_ptr,
                        ctypes.POINTER(c_ptr))
stream_free = _declare("aupf_stream_free", None, c_ptr)
stream_settled = _declare("aupf_stream_settled", c_size, c_ptr)
ruleset_holdback = _declare("aupf_ruleset_holdback", c_size, c_ptr)

reloader_new = _declare("aupf_reloader_new", c_int, c_ptr, ctypes.POINTER(c_ptr))
reloader_free = _declare("aupf_reloader_free", None, c_ptr)
reloader_current = _declare("aupf_reloader_current", c_ptr, c_ptr)
reloader_generation = _declare("aupf_reloader_generation", ctypes.c_ulong, c_ptr)
reloader_reload = _declare("aupf_reloader_reload", c_int, c_ptr, c_str,
                           ctypes.POINTER(LoadOptions), DIAG_FN, c_ptr)


def default_config():
    """$AUPFILTER_CONFIG, else the source tree's patterns/aupfilter.conf, else
    the installed configuration."""
    env = os.environ.get("AUPFILTER_CONFIG")
    if env:
        return env
    for path in (os.path.join(_SOURCE_TREE, "patterns", "aupfilter.conf"),
                 "/usr/local/etc/aupfilter/aupfilter.conf", "/etc/aupfilter/aupfilter.conf"):
        if os.path.exists(path):
            return path
    return os.path.join(_SOURCE_TREE, "patterns", "aupfilter.conf")
