#!/usr/bin/env python3
"""Writes the inputs and arguments of the hostile-input golden cases
(tests/golden/hostile_*). Run it, then ./update.sh, and review the diff:
the outputs are reviewed expectations (docs/reliability.md lists what each
case shows). The inputs are committed; this only documents how they were
made and remakes them the same way (fixed seed)."""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
BASIC = ["--config", "@FIXTURES@/basic.conf"]


def case(name, args, data):
    with open(os.path.join(HERE, name + ".args"), "w") as f:
        f.write("\n".join(args) + "\n")
    with open(os.path.join(HERE, name + ".in"), "wb") as f:
        f.write(data)


def jline(text_json, extra=""):
    """A JSONL record whose "text" value is the given JSON source."""
    return b'{"text":' + text_json + extra.encode() + b"}\n"


# Invalid UTF-8 as raw lines: overlong forms, UTF-16 surrogates, truncated
# and impossible sequences, next to valid text. Every bad line gets an
# error line, every good one its verdict, in order.
case("hostile_utf8_lines", BASIC + ["--input", "lines"], b"".join([
    b"overlong slash \xc0\xaf here\n",
    b"overlong three \xe0\x80\xaf bytes\n",
    b"overlong four \xf0\x80\x80\xaf bytes\n",
    b"overlong NUL \xc0\x80 a bomb\n",
    b"surrogate high \xed\xa0\x80 a bomb\n",
    b"surrogate low \xed\xbf\xbf\n",
    b"surrogate pair as UTF-8 \xed\xa0\xbd\xed\xb8\x80\n",
    b"above U+10FFFF \xf4\x90\x80\x80\n",
    b"five bytes \xf8\x88\x80\x80\x80\n",
    b"bytes fe ff \xfe\xff\n",
    b"lone continuation \x80\x80 kill\n",
    b"truncated at the end \xe2\x82\n",
    b"valid: caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 and a bomb\n",
]))

# The same in JSON strings: raw invalid bytes, and escaped surrogates: a
# pair decodes, an unpaired one is invalid text (yajl alone would turn
# "\ud800\u006bill" into U+1006B "ill" and hide the "k" other parsers see).
case("hostile_utf8_jsonl", BASIC + ["--input", "jsonl"], b"".join([
    jline(b'"overlong \xc0\xaf a bomb"'),
    jline(b'"surrogate \xed\xa0\x80 a bomb"'),
    jline(b'"pair \\ud83d\\ude00 and a bomb"'),
    jline(b'"lone low \\udc00 and a bomb"'),
    jline(b'"lone high \\ud800 then text"'),
    jline(b'"high then not low \\ud800\\u0041"'),
    jline(b'"\\ud800\\u006bill him"'),
    jline(b'"escaped backslash \\\\ud800 is text: kill"'),
    b'{"id":"\\udc00","text":"bad id"}\n',
    b'{"id":{"a":"\xc0\xaf"},"text":"invalid bytes in a nested id"}\n',
    b'{"id":"ok","text":"kill"}\n',
]))

# NUL bytes: inside a line of text, inside a JSON string as \u0000, and raw
# inside a JSON string (not JSON: an error line).
case("hostile_nul_lines", BASIC + ["--input", "lines"],
     b"a\x00bomb\nbomb\x00\x00\x00kill\n\x00\x00\x00\nplain after\n")
case("hostile_nul_jsonl", BASIC + ["--input", "jsonl"], b"".join([
    jline(b'"a\\u0000bomb"'),
    jline(b'"\\u0000\\u0000kill\\u0000"'),
    jline(b'"raw \x00 nul"'),
    b'{"id":"a\\u0000b","text":"id with NUL"}\n',
    jline(b'"after"'),
]))

# Deep nesting (inside an ignored field, and as the id) and truncated
# records of every kind; each gets its own line.
deep = b"[" * 20000 + b"]" * 20000
case("hostile_json_nesting", BASIC + ["--input", "jsonl"], b"".join([
    b'{"x":' + deep + b',"text":"a bomb"}\n',
    b'{"id":' + b"[" * 50 + b"1" + b"]" * 50 + b',"text":"fine"}\n',
    b'{"x":' + b"[" * 20000 + b',"text":"never closed"}\n',
    b'{"text":"abc\n',
    b'{"text":\n',
    b'{\n',
    b'{"text":"x"\n',
    b'{"text":"x",\n',
    b'{"text":"x"}}\n',
    b'{"text":"kill"} {"text":"second object"}\n',
    b'"just a string"\n',
    jline(b'"after the broken ones"'),
]))

# Numbers: huge, tiny, long; as the id (echoed as given) or as the text
# (not a string: an error line).
case("hostile_numbers", BASIC + ["--input", "jsonl"], b"".join([
    b'{"id":1e999999,"text":"a bomb"}\n',
    b'{"id":-1e-999999,"text":"fine"}\n',
    b'{"id":' + b"9" * 400 + b',"text":"long id"}\n',
    b'{"id":0.' + b"0" * 300 + b'1,"text":"small id"}\n',
    b'{"text":1e999999}\n',
    b'{"text":"x","n":' + b"1" * 5000 + b'}\n',
    b'{"id":01,"text":"leading zero"}\n',
    b'{"id":-,"text":"minus"}\n',
]))

# Duplicate keys: "text" or "role" twice is an error (parsers disagree on
# which one counts); a repeated "id" keeps the last; nested keys of the
# same name do not count.
case("hostile_duplicate_keys", BASIC + ["--input", "jsonl"], b"".join([
    b'{"text":"kill","text":"hello"}\n',
    b'{"text":"hello","text":"kill"}\n',
    b'{"text":"kill","role":"prompt","role":"completion"}\n',
    b'{"id":1,"id":2,"text":"a bomb"}\n',
    b'{"meta":{"text":"kill"},"text":"hello"}\n',
    b'{"t\\u0065xt":"kill","text":"hello"}\n',
]))

# Server-sent events cut short: an event without its blank line at the
# end of input, a data line with half a JSON chunk, a stream without
# [DONE]. Every event still comes out (unparsable ones as they came, and
# counted), the held-back text is released at the end.
chunk = {"id": "c1", "object": "chat.completion.chunk",
         "choices": [{"index": 0, "delta": {"content": None}, "finish_reason": None}]}


def sse_chunk(content, eol=b"\n"):
    c = json.loads(json.dumps(chunk))
    c["choices"][0]["delta"]["content"] = content
    return b"data: " + json.dumps(c, separators=(",", ":")).encode() + eol + eol


case("hostile_sse_truncated", BASIC + ["--input", "sse"], b"".join([
    sse_chunk("plain words and "),
    b'data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"del\n\n',
    sse_chunk("a bomb in the "),
    b"data: " + json.dumps({"id": "c1", "object": "chat.completion.chunk",
                            "choices": [{"index": 0, "delta": {"content": "end"},
                                         "finish_reason": None}]},
                           separators=(",", ":")).encode(),
]))

# Mixed line ends: CRLF and LF in one stream, a blank line made of "\r\n"
# between events written with "\n".
case("hostile_sse_crlf_mix", BASIC + ["--input", "sse"], b"".join([
    sse_chunk("you won ", b"\r\n"),
    sse_chunk("a prize, a ", b"\n"),
    b"data: " + json.dumps({"id": "c1", "object": "chat.completion.chunk",
                            "choices": [{"index": 0, "delta": {"content": "bomb and more"},
                                         "finish_reason": "stop"}]},
                           separators=(",", ":")).encode() + b"\n\r\n",
    b": a comment\r\n\r\n",
    b"data: [DONE]\r\n\r\n",
]))

# Empty input in each mode: no record (text mode: one empty document).
case("hostile_empty_lines", BASIC + ["--input", "lines"], b"")
case("hostile_empty_text", BASIC + ["--input", "text"], b"")
case("hostile_empty_sse", BASIC + ["--input", "sse"], b"")
case("hostile_blank_lines", BASIC + ["--input", "jsonl"], b"\n\r\n   \n\t\n")

# Binary garbage: random bytes with newlines, read as JSONL and as lines.
rng = random.Random(9)
garbage = bytes(rng.randrange(256) for _ in range(3000))
case("hostile_binary_jsonl", BASIC + ["--input", "jsonl"], garbage)
case("hostile_binary_lines", BASIC + ["--input", "lines"], garbage)

# Texts made only of combining marks, or only of invisible characters
# (zero-width space, word joiner, BOM, soft hyphen, tag characters), and
# the same around a word.
marks = "\u0301\u0308\u0323\u0338" * 50
invisible = "\u200b\u2060\ufeff\u00ad\U000e0041\u200d" * 50
case("hostile_marks_invisible", BASIC + ["--input", "lines"], "\n".join([
    marks,
    invisible,
    "b" + "\u0301" * 500 + "omb",
    "b" + invisible + "omb",
    "k\u200bi\u200bl\u200bl",
    marks + " kill " + invisible,
    # runs inside a word add nothing to the view: 15 and 16 invisible
    # characters, 16 and 17 marks are all matched with the whole span
    "b" + "\u200b" * 15 + "omb",
    "b" + "\u200b" * 16 + "omb",
    "b" + "\u0301" * 16 + "omb",
    "b" + "\u0301" * 17 + "omb",
]).encode() + b"\n")

# Records over --max-bytes are read in pieces and scanned as streams: the
# verdict a whole record gets, with memory bounded by the limit. 48 bytes
# here; the default is 16 MiB.
LONG = BASIC + ["--max-bytes", "48"]
pad = "padding words to pass the limit " * 4
case("long_jsonl", LONG + ["--input", "jsonl"], b"".join([
    b'{"id":"short","text":"a bomb"}\n',
    b'{"id":"prompt","text":"' + (pad + "where is the bomb").encode() + b'","role":"prompt"}\n',
    b'{"id":"completion","text":"' + (pad + "where is the bomb").encode()
    + b'","role":"completion"}\n',
    b'{"id":{"nested":[1,2,3]},"role":"completion","text":"' + (pad + "kill").encode() + b'"}\n',
    b'{"id":"escapes","text":"' + pad.encode() + b'\\u0062\\u006fmb \\ud83d\\ude00"}\n',
    b'{"id":"broken","text":"' + pad.encode() + b'"\n',
    b'{"id":"dup","text":"' + pad.encode() + b'","text":"kill"}\n',
    b'{"id":"lone","text":"' + pad.encode() + b'\\udc00"}\n',
    b'{"id":"raw","text":"' + pad.encode() + b'\xc0\xaf"}\n',
    b'{"id":"number","text":' + b"1" * 60 + b'}\n',
    b'{"id":"notext","other":"' + pad.encode() + b'"}\n',
    b'{"id":"after","text":"kill"}\n',
]))
case("long_lines_apply", LONG + ["--input", "lines", "--apply"], b"".join([
    b"short bomb\n",
    (pad + "a bomb, and another bomb\r\n").encode(),
    (pad + "then kill and more text after it\n").encode(),
    pad.encode() + b"then bad bytes \xc0\xaf and a bomb\n",
    b"short after\n",
]))
case("long_text_apply", LONG + ["--input", "text", "--apply"],
     (pad * 3 + "a bomb here\nand a second line with a bomb\n").encode())
