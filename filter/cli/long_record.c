#include "long_record.h"

#include "record_stream.h"
#include "utf8_check.h"

#include <stdlib.h>
#include <string.h>

#define STREAM_WRITE (64 * 1024)

struct long_record {
    const long_record_opts *o;
    record_stream *json;
    utf8_check utf8;
    /* one stream per role while a JSONL record's role is not known yet */
    aupf_stream *stream[2];
    aupf_role roles[2];
    size_t nstreams;
    int failed; /* a stream refused a write */
};

long_record *long_record_new(void) {
    long_record *l = calloc(1, sizeof *l);
    if (l && !(l->json = record_stream_new())) {
        free(l);
        return NULL;
    }
    return l;
}

static void drop_streams(long_record *l) {
    for (size_t i = 0; i < l->nstreams; i++)
        aupf_stream_free(l->stream[i]);
    l->nstreams = 0;
}

void long_record_free(long_record *l) {
    if (!l)
        return;
    drop_streams(l);
    record_stream_free(l->json);
    free(l);
}

static int on_release(void *ctx, const char *bytes, size_t len, const aupf_event *ev) {
    output *out = ctx;
    if (!ev && out)
        out_bytes(&out->buf, bytes, len);
    return 0;
}

static int open_stream(long_record *l, aupf_role role) {
    aupf_stream *st;
    int rc = aupf_stream_open(l->o->rs, role, &st);
    if (rc == AUPF_OK) {
        l->stream[l->nstreams] = st;
        l->roles[l->nstreams++] = role;
    }
    return rc;
}

/* Text bytes, in order: checked, then into the stream(s). */
static void take_text(void *ctx, const char *p, size_t n) {
    long_record *l = ctx;
    if (l->failed || !utf8_check_feed(&l->utf8, p, n))
        return; /* the record gets an error line: nothing more is scanned */
    if (l->nstreams == 0) {
        const char *role = l->o->jsonl ? record_stream_role(l->json) : NULL;
        if (role) {
            l->failed = open_stream(l, strcmp(role, "completion") == 0 ? AUPF_ROLE_COMPLETION
                                                                       : AUPF_ROLE_PROMPT);
        } else if (l->o->jsonl) { /* "role" may still come: scan for both */
            l->failed = open_stream(l, AUPF_ROLE_PROMPT);
            if (!l->failed)
                l->failed = open_stream(l, AUPF_ROLE_COMPLETION);
        } else {
            l->failed = open_stream(l, l->o->role);
        }
    }
    /* a stream's buffers grow to the largest write: keep writes small */
    for (size_t at = 0; at < n && !l->failed; at += STREAM_WRITE) {
        size_t k = n - at < STREAM_WRITE ? n - at : STREAM_WRITE;
        for (size_t i = 0; i < l->nstreams && !l->failed; i++)
            l->failed = aupf_stream_write(l->stream[i], l->o->s, p + at, k, on_release,
                                          l->nstreams == 1 ? l->o->apply : NULL);
    }
}

static void take_piece(long_record *l, const char *p, size_t n) {
    if (l->o->jsonl)
        record_stream_feed(l->json, p, n);
    else
        take_text(l, p, n);
}

long_status long_record_run(long_record *l, const long_record_opts *o, line_reader *lr,
                            const char *piece, size_t len, const aupf_result **result,
                            const char **error, size_t *total) {
    drop_streams(l);
    l->o = o;
    l->utf8 = (utf8_check){0};
    l->failed = AUPF_OK;
    if (o->jsonl)
        record_stream_begin(l->json, take_text, l);
    *total = 0;
    line_status ls = LINE_PIECE;
    for (;;) {
        *total += len;
        take_piece(l, piece, len);
        if (o->apply && !output_maybe_flush(o->apply))
            return LONG_OUTPUT;
        if (ls == LINE_OK)
            break;
        ls = line_reader_piece(lr, o->strip_cr, &piece, &len);
        if (ls == LINE_ERROR)
            return LONG_INPUT;
    }
    if (o->jsonl && !record_stream_end(l->json, error))
        return LONG_ERROR;
    if (!utf8_check_end(&l->utf8)) {
        *error = aupf_strerror(AUPF_E_UTF8);
        return LONG_ERROR;
    }
    if (l->failed) {
        *error = aupf_strerror(l->failed);
        return LONG_ERROR;
    }
    aupf_role role = o->role;
    const char *named = o->jsonl ? record_stream_role(l->json) : NULL;
    if (named)
        role = strcmp(named, "completion") == 0 ? AUPF_ROLE_COMPLETION : AUPF_ROLE_PROMPT;
    aupf_stream *st = NULL;
    for (size_t i = 0; i < l->nstreams; i++)
        if (l->roles[i] == role)
            st = l->stream[i];
    int rc = AUPF_OK;
    if (!st) { /* an empty text: no stream was needed until now */
        rc = open_stream(l, role);
        st = rc == AUPF_OK ? l->stream[l->nstreams - 1] : NULL;
    }
    if (rc == AUPF_OK)
        rc = aupf_stream_close(st, o->s, on_release, o->apply, result);
    if (rc != AUPF_OK) {
        *error = aupf_strerror(rc);
        return LONG_ERROR;
    }
    return LONG_VERDICT;
}

void long_record_write_id(const long_record *l, outbuf *o) { record_stream_write_id(l->json, o); }
