/* fuzz_jsonl: the CLI's JSONL record parser (filter/cli/record.c) and JSON
 * string writer (filter/cli/json_out.c) on the input.
 *
 * - record_parse must not crash on any line; on success the text it read
 *   is written back with out_json_string, and jansson must parse that to
 *   the same bytes; the id it echoes must be valid JSON.
 * - out_json_string of the raw input, when the input is valid UTF-8, must
 *   parse back to the input. */
#include "fuzz_common.h"
#include "i18n/utf8.h"
#include "json_out.h"
#include "record.h"

#include <jansson.h>
#include <yajl/yajl_parse.h>
#include <string.h>

static record *rec;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    rec = record_new();
    if (!rec)
        abort();
    return 0;
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
    if (record_parse(rec, line, size, &error)) {
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
#if !AUPF_FUZZ_SKIP_KNOWN
    /* known: "\udc00" or raw surrogate bytes in an id are echoed as
     * invalid UTF-8 (regressions/fuzz_jsonl/id_invalid_utf8) */
    FUZZ_CHECK(aupf__utf8_valid(id.data, id.len, NULL), "echoed id is not UTF-8");
#endif
    out_free(&id);

    if (aupf__utf8_valid(line, size, NULL))
        round_trip(line, size, "raw input");
    free(line);
    return 0;
}
