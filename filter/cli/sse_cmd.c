/* aupfilter --input sse: filters an OpenAI-compatible server-sent event
 * stream (/v1/chat/completions chunks with choices[i].delta.content, or
 * /v1/completions chunks with choices[i].text). Each choice index is one
 * stream; every event is re-emitted in order with its content replaced by
 * the bytes released so far, other fields and non-data lines untouched. A
 * blocked choice ends with finish_reason "content_filter" and disappears
 * from later chunks; a choice without an index that moves up in its chunk
 * as a result gets its index written out. */
#include "cli.h"
#include "json_out.h"
#include "line_reader.h"
#include "output.h"
#include "sse.h"
#include "verdict.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    aupf_stream *st;
    int ended; /* finished, blocked, or closed */
    int blocked;
    int fallback;    /* 1: failed inside, on_error followed; 2: reported */
    outbuf released; /* bytes released by the current call */
    const aupf_result *verdict_taken;
} choice;

typedef struct {
    aupf_ruleset *rs;
    aupf_scanner *s;
    aupf_role role;
    choice *choices;
    size_t nchoices;
    output out;
    outbuf event; /* the data lines of the current event, joined */
    int in_data;
    int too_large;      /* the current event outgrew SSE_MAX_LINE: dropped */
    json_t *last_chunk; /* envelope for a closing chunk after [DONE] */
    FILE *verdicts;
    int errors;
} sse;

static int on_release(void *ctx, const char *bytes, size_t len, const aupf_event *ev) {
    choice *c = ctx;
    if (ev) {
        if (ev->kind == AUPF_EVENT_BLOCKED ||
            (ev->kind == AUPF_EVENT_FALLBACK && ev->category == AUPF_FAIL_CLOSED))
            c->blocked = 1;
        if (ev->kind == AUPF_EVENT_FALLBACK)
            c->fallback = 1;
        return 0;
    }
    out_bytes(&c->released, bytes, len);
    return 0;
}

static choice *get_choice(sse *x, size_t index) {
    if (index >= 4096)
        return NULL;
    if (index >= x->nchoices) {
        choice *c = realloc(x->choices, (index + 1) * sizeof *c);
        if (!c)
            return NULL;
        memset(c + x->nchoices, 0, (index + 1 - x->nchoices) * sizeof *c);
        x->choices = c;
        x->nchoices = index + 1;
    }
    choice *c = &x->choices[index];
    if (!c->st && !c->ended && aupf_stream_open(x->rs, x->role, &c->st) != AUPF_OK)
        return NULL;
    return c;
}

static void write_verdict(sse *x, size_t index, const aupf_result *r) {
    if (!x->verdicts || !r)
        return;
    outbuf o = {0};
    verdict_input in = {.number = index + 1};
    verdict_write(&o, FORMAT_JSON, x->rs, r, &in);
    fwrite(o.data, 1, o.len, x->verdicts);
    out_free(&o);
}

/* Ends choice index: releases what it held back into c->released. */
static int close_choice(sse *x, size_t index) {
    choice *c = &x->choices[index];
    if (!c->st)
        return 0;
    const aupf_result *r = NULL;
    int rc = aupf_stream_close(c->st, x->s, on_release, c, &r);
    if (rc == AUPF_OK)
        write_verdict(x, index, r);
    aupf_stream_free(c->st);
    c->st = NULL;
    c->ended = 1;
    return rc;
}

/* The field that carries text in a choice: delta.content or text. */
static json_t *text_holder(json_t *choice_obj, const char **key) {
    json_t *delta = json_object_get(choice_obj, "delta");
    if (json_is_object(delta)) {
        *key = "content";
        return delta;
    }
    *key = "text";
    return choice_obj;
}

static void emit_data(sse *x, json_t *chunk) {
    char *s = json_dumps(chunk, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    out_str(&x->out.buf, "data: ");
    out_str(&x->out.buf, s ? s : "{}");
    out_str(&x->out.buf, "\n\n");
    free(s);
}

static void set_text(json_t *holder, const char *key, const outbuf *b) {
    json_object_set_new(holder, key, json_stringn(b->data ? b->data : "", b->len));
}

/* Filters one chunk's choices in place; returns 0 or -1 on failure. */
static int filter_chunk(sse *x, json_t *chunk) {
    json_t *choices = json_object_get(chunk, "choices");
    if (!json_is_array(choices))
        return 0;
    /* i walks the array as ended choices leave it; pos is the element's
     * place in the chunk as sent, the index of a choice that names none */
    for (size_t i = 0, pos = 0; i < json_array_size(choices); pos++) {
        json_t *co = json_array_get(choices, i);
        json_t *idx = json_object_get(co, "index");
        size_t index = json_is_integer(idx) ? (size_t)json_integer_value(idx) : pos;
        choice *c = get_choice(x, index);
        if (!c)
            return -1;
        if (c->ended) { /* blocked or finished earlier: the choice is over */
            json_array_remove(choices, i);
            continue;
        }
        const char *key;
        json_t *holder = text_holder(co, &key);
        json_t *text = json_object_get(holder, key);
        out_reset(&c->released);
        int rc = AUPF_OK;
        if (json_is_string(text))
            rc = aupf_stream_write(c->st, x->s, json_string_value(text), json_string_length(text),
                                   on_release, c);
        json_t *finish = json_object_get(co, "finish_reason");
        int finishing = finish && !json_is_null(finish);
        if (rc == AUPF_OK && (finishing || c->blocked))
            rc = close_choice(x, index);
        if (rc != AUPF_OK)
            return -1;
        if (c->fallback == 1) { /* counted, and said once */
            c->fallback = 2;
            x->errors++;
            fprintf(stderr, "aupfilter: choice %zu: scan failed; on_error = %s from here on\n",
                    index,
                    aupf_ruleset_on_error(x->rs) == AUPF_FAIL_OPEN ? "fail_open" : "fail_closed");
        }
        if (json_is_string(text) || c->released.len)
            set_text(holder, key, &c->released);
        if (c->blocked)
            json_object_set_new(co, "finish_reason", json_string("content_filter"));
        if (!json_is_integer(idx) && i != pos) /* moved up: a client would misplace it */
            json_object_set_new(co, "index", json_integer((json_int_t)pos));
        i++;
    }
    return 0;
}

/* Ends the choices still open: their held-back text goes out in one
 * closing chunk each (at [DONE], or at the end of input without one). */
static void release_open_choices(sse *x) {
    for (size_t i = 0; i < x->nchoices; i++) {
        choice *c = &x->choices[i];
        if (!c->st)
            continue;
        out_reset(&c->released);
        if (close_choice(x, i) != AUPF_OK)
            x->errors++;
        if (c->released.len || c->blocked) {
            json_t *chunk = x->last_chunk ? json_deep_copy(x->last_chunk) : json_object();
            json_t *co = json_object();
            json_object_set_new(co, "index", json_integer((json_int_t)i));
            json_t *choices = json_array();
            json_array_append_new(choices, co);
            json_object_set_new(chunk, "choices", choices);
            json_t *holder = co;
            const char *key = "text";
            const char *object =
                x->last_chunk ? json_string_value(json_object_get(x->last_chunk, "object")) : NULL;
            if (object && strstr(object, "chat")) {
                holder = json_object();
                json_object_set_new(co, "delta", holder);
                key = "content";
            }
            set_text(holder, key, &c->released);
            json_object_set_new(co, "finish_reason",
                                c->blocked ? json_string("content_filter") : json_null());
            emit_data(x, chunk);
            json_decref(chunk);
        }
    }
}

static void handle_event(sse *x) {
    const char *data = x->event.data ? x->event.data : "";
    size_t len = x->event.len;
    if (len == 6 && memcmp(data, "[DONE]", 6) == 0) {
        release_open_choices(x);
        out_str(&x->out.buf, "data: [DONE]\n\n");
        return;
    }
    json_error_t err;
    json_t *chunk = json_loadb(data, len, JSON_ALLOW_NUL, &err);
    if (!json_is_object(chunk) || filter_chunk(x, chunk) != 0) {
        /* not a chunk we understand: it passes as it came, and is counted */
        fprintf(stderr, "aupfilter: sse event not filtered: %s\n",
                chunk ? "cannot filter its choices" : err.text);
        x->errors++;
        out_str(&x->out.buf, "data: ");
        out_bytes(&x->out.buf, data, len);
        out_str(&x->out.buf, "\n\n");
        json_decref(chunk);
        return;
    }
    json_decref(x->last_chunk);
    x->last_chunk = json_incref(chunk);
    emit_data(x, chunk);
    json_decref(chunk);
}

/* One line of the event stream (without its line end). */
static void handle_line(sse *x, const char *line, size_t len) {
    if (len == 0) { /* end of event */
        if (x->in_data && !x->too_large)
            handle_event(x);
        else if (!x->too_large)
            out_str(&x->out.buf, "\n");
        out_reset(&x->event);
        x->in_data = x->too_large = 0;
        return;
    }
    if (len >= 5 && memcmp(line, "data:", 5) == 0) {
        size_t skip = (len > 5 && line[5] == ' ') ? 6 : 5;
        if (x->event.len + len > SSE_MAX_LINE) { /* an endless event: dropped, counted */
            if (!x->too_large)
                fprintf(stderr, "aupfilter: sse event over %u bytes dropped\n", SSE_MAX_LINE);
            x->errors += !x->too_large;
            x->too_large = 1;
            out_reset(&x->event);
        }
        if (x->too_large)
            return;
        if (x->in_data)
            out_char(&x->event, '\n');
        out_bytes(&x->event, line + skip, len - skip);
        x->in_data = 1;
        return;
    }
    /* event:, id:, retry:, comments: as they are */
    out_bytes(&x->out.buf, line, len);
    out_char(&x->out.buf, '\n');
}

int sse_filter(aupf_ruleset *rs, aupf_scanner *s, aupf_role role, FILE *verdicts, line_reader *lr,
               output *out) {
    sse x = {.rs = rs, .s = s, .role = role, .verdicts = verdicts, .out = *out};
    int status = EXIT_OK;
    lr->wait = output_wait_hook;
    lr->wait_ctx = &x.out;
    const char *line;
    size_t len;
    line_status ls;
    while ((ls = line_reader_next(lr, true, &line, &len)) != LINE_EOF) {
        if (ls == LINE_ERROR) {
            status = EXIT_IO;
            break;
        }
        if (ls == LINE_TOO_LONG) {
            fprintf(stderr, "aupfilter: sse line of %zu bytes dropped\n", len);
            x.errors++;
            continue;
        }
        handle_line(&x, line, len);
        if (!output_flush(&x.out)) {
            status = EXIT_IO;
            break;
        }
    }
    if (x.in_data && !x.too_large) /* the stream ended inside an event */
        handle_event(&x);
    if (status == EXIT_OK) /* no [DONE]: what is held back still goes out */
        release_open_choices(&x);
    for (size_t i = 0; i < x.nchoices; i++) {
        if (x.choices[i].st)
            close_choice(&x, i);
        out_free(&x.choices[i].released);
    }
    if (!output_flush(&x.out))
        status = EXIT_IO;
    *out = x.out;
    out_free(&x.event);
    json_decref(x.last_chunk);
    free(x.choices);
    if (status == EXIT_OK && x.errors)
        status = EXIT_RECORD_ERRORS;
    return status;
}

int cli_run_sse(aupf_ruleset *rs, aupf_scanner *s, aupf_role role, const char *verdict_path) {
    FILE *verdicts = NULL;
    if (verdict_path && !(verdicts = fopen(verdict_path, "w"))) {
        fprintf(stderr, "aupfilter: cannot write %s\n", verdict_path);
        return EXIT_IO;
    }
    int fd = 0;
    line_reader lr;
    line_reader_init(&lr, line_source_fd, &fd, SSE_MAX_LINE);
    output out = {.fd = 1, .lines = true};
    int status = sse_filter(rs, s, role, verdicts, &lr, &out);
    line_reader_free(&lr);
    out_free(&out.buf);
    if (verdicts && fclose(verdicts) != 0)
        status = EXIT_IO;
    return status;
}
