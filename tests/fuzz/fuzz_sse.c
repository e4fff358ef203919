/* fuzz_sse: the SSE filter of --input sse (filter/cli/sse_cmd.c) on the
 * input as an event stream, read in pieces whose sizes the first byte
 * picks.
 *
 * - no crash, leak or undefined behaviour on any input;
 * - every output line is a blank line, a line that was in the input (a
 *   comment, event:, id:), "data: [DONE]", or "data: " and a JSON value;
 * - when every event was a chunk the filter understood (exit status 0),
 *   each choice's text in the output, concatenated, is aupf_apply's
 *   output for its text in the input up to its finish_reason. */
#include "fuzz_common.h"
#include "line_reader.h"
#include "output.h"
#include "sse.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static aupf_ruleset *rs;
static aupf_scanner *scanner;
static FILE *sink; /* the filter's output */

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    rs = fuzz_load_ruleset();
    if (aupf_scanner_new(rs, &scanner) != AUPF_OK || !(sink = tmpfile()))
        abort();
    return 0;
}

typedef struct {
    const char *data;
    size_t len, at, piece;
} source;

static ssize_t read_piece(void *src, char *buf, size_t n) {
    source *s = src;
    size_t k = s->len - s->at;
    if (k > s->piece)
        k = s->piece;
    if (k > n)
        k = n;
    memcpy(buf, s->data + s->at, k);
    s->at += k;
    return (ssize_t)k;
}

#define MAX_CHOICES 8

typedef struct {
    char *text[MAX_CHOICES]; /* per choice index */
    size_t len[MAX_CHOICES];
    int done[MAX_CHOICES];
    int seen[MAX_CHOICES];
} texts;

static void append(texts *t, size_t i, const char *s, size_t n) {
    t->text[i] = realloc(t->text[i], t->len[i] + n + 1);
    memcpy(t->text[i] + t->len[i], s, n);
    t->len[i] += n;
}

/* The text field of one choice object, as sse_cmd.c reads it. */
static json_t *choice_text(json_t *co) {
    json_t *delta = json_object_get(co, "delta");
    return json_is_object(delta) ? json_object_get(delta, "content") : json_object_get(co, "text");
}

/* Collects each choice's text from the chunks of a data payload: the
 * input side with `until_finish` (a choice ends at its finish_reason),
 * the output side without. Returns 0 when a choice index is out of range. */
static int collect(const char *payload, size_t n, texts *t, int until_finish) {
    json_t *chunk = json_loadb(payload, n, JSON_ALLOW_NUL, NULL);
    json_t *choices = json_object_get(chunk, "choices");
    int ok = 1;
    for (size_t i = 0; json_is_array(choices) && i < json_array_size(choices); i++) {
        json_t *co = json_array_get(choices, i);
        json_t *idx = json_object_get(co, "index");
        json_int_t index = json_is_integer(idx) ? json_integer_value(idx) : (json_int_t)i;
        if (index < 0 || index >= MAX_CHOICES) {
            ok = 0;
            continue;
        }
        t->seen[index] = 1;
        if (until_finish && t->done[index])
            continue;
        json_t *text = choice_text(co);
        if (json_is_string(text))
            append(t, (size_t)index, json_string_value(text), json_string_length(text));
        json_t *finish = json_object_get(co, "finish_reason");
        if (until_finish && finish && !json_is_null(finish))
            t->done[index] = 1;
    }
    json_decref(chunk);
    return ok;
}

/* Splits an event stream into events and calls collect on each data
 * payload (data lines joined with '\n', as sse_cmd.c does). */
static int collect_stream(const char *s, size_t n, texts *t, int until_finish) {
    char *event = malloc(n + 1);
    size_t elen = 0;
    int in_data = 0, ok = 1;
    for (size_t at = 0; at <= n;) {
        const char *nl = at < n ? memchr(s + at, '\n', n - at) : NULL;
        size_t e = nl ? (size_t)(nl - s) : n;
        size_t len = e - at;
        if (len && s[e - 1] == '\r')
            len--;
        const char *line = s + at;
        int last = !nl;
        if (len == 0 || last) {
            if (len >= 5 && memcmp(line, "data:", 5) == 0) { /* a last line without its end */
                size_t skip = (len > 5 && line[5] == ' ') ? 6 : 5;
                if (in_data)
                    event[elen++] = '\n';
                memcpy(event + elen, line + skip, len - skip);
                elen += len - skip;
                in_data = 1;
            }
            if (in_data && elen == 6 && memcmp(event, "[DONE]", 6) == 0) {
                for (size_t i = 0; i < MAX_CHOICES; i++) /* the choices so far end here */
                    t->done[i] |= t->seen[i];
            } else if (in_data) {
                ok &= collect(event, elen, t, until_finish);
            }
            elen = 0;
            in_data = 0;
        } else if (len >= 5 && memcmp(line, "data:", 5) == 0) {
            size_t skip = (len > 5 && line[5] == ' ') ? 6 : 5;
            if (in_data)
                event[elen++] = '\n';
            memcpy(event + elen, line + skip, len - skip);
            elen += len - skip;
            in_data = 1;
        }
        at = e + 1;
    }
    free(event);
    return ok;
}

static void check_lines(const char *out, size_t n, const char *in, size_t in_len) {
    for (size_t at = 0; at < n;) {
        const char *nl = memchr(out + at, '\n', n - at);
        size_t len = nl ? (size_t)(nl - (out + at)) : n - at;
        const char *line = out + at;
        if (len == 0 || (len == 12 && memcmp(line, "data: [DONE]", 12) == 0)) {
            /* fine */
        } else if (len >= 6 && memcmp(line, "data: ", 6) == 0) {
            json_t *j = json_loadb(line + 6, len - 6, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
            /* an event the filter did not understand passes as it came */
            int as_came = 0;
            for (size_t k = 0; !j && k + len - 6 <= in_len && !as_came; k++)
                as_came = memcmp(in + k, line + 6, len - 6) == 0;
            FUZZ_CHECK(j || as_came, "output data line is neither JSON nor from the input: %.*s",
                       (int)len, line);
            json_decref(j);
        } else {
            int found = 0;
            for (size_t k = 0; k + len <= in_len && !found; k++)
                found = memcmp(in + k, line, len) == 0;
            FUZZ_CHECK(found, "output line not from the input: %.*s", (int)len, line);
        }
        at += len + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    source src = {(const char *)data + 1, size - 1, 0, 1 + data[0] % 64};
    line_reader lr;
    line_reader_init(&lr, read_piece, &src, SSE_MAX_LINE);
    int fd = fileno(sink);
    FUZZ_CHECK(ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0, "tmpfile");
    output out = {.fd = fd, .lines = true};
    int status = sse_filter(rs, scanner, AUPF_ROLE_COMPLETION, NULL, &lr, &out);
    line_reader_free(&lr);
    out_free(&out.buf);
    FUZZ_CHECK(status == 0 || status == 1, "exit status %d", status);

    off_t n = lseek(fd, 0, SEEK_END);
    char *got = malloc((size_t)n + 1);
    FUZZ_CHECK(pread(fd, got, (size_t)n, 0) == n, "read back");
    check_lines(got, (size_t)n, src.data, src.len);

    texts in = {0}, outt = {0};
    int in_ok = collect_stream(src.data, src.len, &in, 1);
    collect_stream(got, (size_t)n, &outt, 0);
    if (status == 0 && in_ok) {
        for (size_t i = 0; i < MAX_CHOICES; i++) {
            if (!in.text[i])
                continue;
            if (!aupf_utf8_valid(in.text[i], in.len[i], NULL))
                continue; /* jansson refuses such strings in the output */
            const aupf_result *r;
            const char *want;
            size_t want_len;
            FUZZ_CHECK(
                aupf_scan(scanner, AUPF_ROLE_COMPLETION, in.text[i], in.len[i], &r) == AUPF_OK &&
                    aupf_apply(scanner, r, in.text[i], in.len[i], &want, &want_len) == AUPF_OK,
                "scan");
            FUZZ_CHECK(outt.len[i] == want_len &&
                           (want_len == 0 || memcmp(outt.text[i], want, want_len) == 0),
                       "choice %zu: output \"%.*s\", expected \"%.*s\"", i, (int)outt.len[i],
                       outt.text[i] ? outt.text[i] : "", (int)want_len, want);
        }
    }
    for (size_t i = 0; i < MAX_CHOICES; i++) {
        free(in.text[i]);
        free(outt.text[i]);
    }
    free(got);
    return 0;
}
