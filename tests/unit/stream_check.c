#include "stream_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *data;
    size_t len, cap;
    int blocked_events;
} sink_buf;

static int collect(void *ctx, const char *bytes, size_t len, const aupf_event *ev) {
    sink_buf *b = ctx;
    if (ev) {
        b->blocked_events += ev->kind == AUPF_EVENT_BLOCKED;
        return 0;
    }
    if (b->len + len > b->cap) {
        b->cap = (b->len + len) * 2 + 64;
        b->data = realloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, bytes, len);
    b->len += len;
    return 0;
}

typedef struct {
    int flagged;
    aupf_action action;
    double scores[16];
    size_t n;
    aupf_match m[256];
} verdict_copy;

static void copy(const aupf_ruleset *rs, const aupf_result *r, verdict_copy *v) {
    memset(v, 0, sizeof *v);
    v->flagged = aupf_result_flagged(r);
    v->action = aupf_result_action(r);
    for (size_t c = 0; c < aupf_ruleset_category_count(rs) && c < 16; c++)
        v->scores[c] = aupf_result_score(r, c);
    v->n = aupf_result_match_count(r);
    for (size_t i = 0; i < v->n && i < 256; i++)
        aupf_result_match(r, i, &v->m[i]);
}

const char *stream_check(aupf_ruleset *rs, aupf_scanner *s, aupf_role role, const char *text,
                         size_t len, size_t (*next_size)(void *ctx), void *ctx) {
    static char why[512];
    const aupf_result *r;
    if (aupf_scan(s, role, text, len, &r) != AUPF_OK)
        return "block scan failed";
    verdict_copy block, stream;
    copy(rs, r, &block);
    const char *out;
    size_t out_len;
    if (aupf_apply(s, r, text, len, &out, &out_len) != AUPF_OK)
        return "apply failed";
    char *expected = malloc(out_len + 1);
    memcpy(expected, out, out_len);

    aupf_stream *st;
    if (aupf_stream_open(rs, role, &st) != AUPF_OK) {
        free(expected);
        return "open failed";
    }
    sink_buf got = {0};
    size_t pos = 0;
    int rc = AUPF_OK;
    while (pos < len && rc == AUPF_OK) {
        size_t n = next_size(ctx);
        if (n > len - pos)
            n = len - pos;
        rc = aupf_stream_write(st, s, text + pos, n, collect, &got);
        pos += n;
    }
    if (rc == AUPF_OK)
        rc = aupf_stream_close(st, s, collect, &got, &r);
    aupf_stream_free(st);
    const char *result = NULL;
    if (rc != AUPF_OK) {
        snprintf(why, sizeof why, "stream failed: %s", aupf_strerror(rc));
        result = why;
    } else {
        copy(rs, r, &stream);
        if (got.len != out_len || (out_len && memcmp(got.data, expected, out_len) != 0)) {
            snprintf(why, sizeof why, "output differs: stream \"%.*s\" block \"%.*s\"",
                     (int)(got.len > 200 ? 200 : got.len), got.data ? got.data : "",
                     (int)(out_len > 200 ? 200 : out_len), expected);
            result = why;
        } else if (stream.flagged != block.flagged || stream.action != block.action ||
                   memcmp(stream.scores, block.scores, sizeof block.scores) != 0 ||
                   stream.n != block.n) {
            snprintf(why, sizeof why, "verdict differs: %zu vs %zu matches", stream.n, block.n);
            result = why;
        } else {
            for (size_t i = 0; i < block.n && i < 256 && !result; i++)
                if (stream.m[i].rule != block.m[i].rule || stream.m[i].start != block.m[i].start ||
                    stream.m[i].end != block.m[i].end ||
                    stream.m[i].evasive != block.m[i].evasive) {
                    snprintf(why, sizeof why, "match %zu differs: %s@%zu-%zu vs %s@%zu-%zu", i,
                             stream.m[i].rule_id, stream.m[i].start, stream.m[i].end,
                             block.m[i].rule_id, block.m[i].start, block.m[i].end);
                    result = why;
                }
        }
    }
    free(got.data);
    free(expected);
    return result;
}
