/* fuzz_jsonl: the CLI's JSONL record parser (filter/cli/record.c) and JSON
 * string writer (filter/cli/json_out.c) on the input.
 *
 * - record_parse must not crash on any line; on success the text it read
 *   is written back with out_json_string, and jansson must parse that to
 *   the same bytes; the id it echoes must be valid JSON.
 * - out_json_string of the raw input, when the input is valid UTF-8, must
 *   parse back to the input.
 * - record_stream (filter/cli/record_stream.c, for records over
 *   --max-bytes), fed the line in pieces, must take the records
 *   record_parse takes and read the same text, role and id. */
#include "fuzz_common.h"
#include "i18n/utf8.h"
#include "json_out.h"
#include "record.h"
#include "record_stream.h"

#include <jansson.h>
#include <string.h>
#include <yajl/yajl_parse.h>

static record *rec;
static record_stream *rstream;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    rec = record_new();
    rstream = record_stream_new();
    if (!rec || !rstream)
        abort();
    return 0;
}

static void take_text(void *ctx, const char *p, size_t n) { out_bytes(ctx, p, n); }

/* A \u escape of a surrogate: the parsers differ on what it becomes (yajl
 * makes '?' of some; record.c and the stream parser then reject the text,
 * record.c not the id), so such lines are not compared. */
static int has_surrogate_escape(const char *s, size_t n) {
    for (size_t i = 0; i + 3 < n; i++)
        if (s[i] == '\\' && s[i + 1] == 'u' && (s[i + 2] | 0x20) == 'd' &&
            ((s[i + 3] >= '8' && s[i + 3] <= '9') ||
             ((s[i + 3] | 0x20) >= 'a' && (s[i + 3] | 0x20) <= 'f')))
            return 1;
    return 0;
}

/* record_stream on the line in pieces of a size its first byte picks. */
static void cross_check(const char *line, size_t size, int parsed) {
    if (!aupf__utf8_valid(line, size, NULL) || has_surrogate_escape(line, size))
        return; /* yajl checks the UTF-8 of every string, the stream parser that of the text */
    outbuf text = {0};
    record_stream_begin(rstream, take_text, &text);
    size_t piece = size ? 1 + (unsigned char)line[0] % 13 : 1;
    for (size_t at = 0; at < size; at += piece)
        record_stream_feed(rstream, line + at, size - at < piece ? size - at : piece);
    const char *error = NULL;
    int streamed = record_stream_end(rstream, &error);
    FUZZ_CHECK(streamed == parsed, "record_parse %s, record_stream %s (%s)",
               parsed ? "takes it" : "refuses it", streamed ? "takes it" : "refuses it",
               error ? error : "");
    if (parsed) {
        size_t n;
        const char *want = record_text(rec, &n);
        FUZZ_CHECK(text.len == n && (n == 0 || memcmp(text.data, want, n) == 0),
                   "text differs: \"%.*s\" vs \"%.*s\"", (int)n, want, (int)text.len,
                   text.data ? text.data : "");
        const char *a = record_role(rec), *b = record_stream_role(rstream);
        FUZZ_CHECK((!a && !b) || (a && b && strcmp(a, b) == 0), "role %s vs %s", a ? a : "-",
                   b ? b : "-");
        outbuf ia = {0}, ib = {0};
        record_write_id(rec, &ia);
        record_stream_write_id(rstream, &ib);
        FUZZ_CHECK(ia.len == ib.len && memcmp(ia.data, ib.data, ia.len) == 0, "id %.*s vs %.*s",
                   (int)ia.len, ia.data, (int)ib.len, ib.data);
        out_free(&ia);
        out_free(&ib);
    }
    out_free(&text);
}

/* out_json_string(s) must read back as s. */
static void round_trip(const char *s, size_t n, const char *what) {
    outbuf o = {0};
    out_json_string(&o, s, n);
    FUZZ_CHECK(!o.failed, "%s: out of memory", what);
    json_error_t err;
    json_t *j = json_loadb(o.data, o.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    FUZZ_CHECK(j, "%s: jansson cannot read \"%.*s\": %s", what, (int)o.len, o.data, err.text);
    FUZZ_CHECK(json_is_string(j), "%s: not a string", what);
    FUZZ_CHECK(json_string_length(j) == n && memcmp(json_string_value(j), s, n) == 0,
               "%s: read back differs", what);
    json_decref(j);
    out_free(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *line = malloc(size ? size : 1);
    memcpy(line, data, size);

    const char *error = NULL;
    int parsed = record_parse(rec, line, size, &error);
    cross_check(line, size, parsed);
    if (parsed) {
        size_t n;
        const char *text = record_text(rec, &n);
        /* yajl lets invalid UTF-8 through (lone surrogate escapes, raw
         * surrogates, overlongs); the filter rejects such a text with an
         * error line (filter_cmd.c), so only valid text must round-trip */
        if (aupf__utf8_valid(text, n, NULL))
            round_trip(text, n, "record text");
        const char *role = record_role(rec);
        FUZZ_CHECK(!role || !strcmp(role, "prompt") || !strcmp(role, "completion"), "role %s",
                   role);
        (void)record_string(rec, "label");
        (void)record_string(rec, "category");
        (void)record_dev_overlap(rec);
    } else {
        FUZZ_CHECK(error && *error, "record_parse failed without a message");
    }
    /* the id is echoed into verdict lines: it must be JSON on its own */
    outbuf id = {0};
    record_write_id(rec, &id);
    FUZZ_CHECK(!id.failed, "id: out of memory");
    /* (yajl, not jansson: jansson refuses numbers it cannot hold, 1e999) */
    yajl_handle y = yajl_alloc(NULL, NULL, NULL);
    yajl_config(y, yajl_allow_trailing_garbage, 0);
    int ok = yajl_parse(y, (const unsigned char *)id.data, id.len) == yajl_status_ok &&
             yajl_complete_parse(y) == yajl_status_ok;
    yajl_free(y);
    FUZZ_CHECK(ok, "echoed id \"%.*s\" is not JSON", (int)id.len, id.data);
    /* "\udc00" or raw surrogate bytes in an id were once echoed as invalid
     * UTF-8 (regressions/fuzz_jsonl/id_invalid_utf8) */
    FUZZ_CHECK(aupf__utf8_valid(id.data, id.len, NULL), "echoed id is not UTF-8");
    out_free(&id);

    if (aupf__utf8_valid(line, size, NULL))
        round_trip(line, size, "raw input");
    free(line);
    return 0;
}
