/* The pipe filter: records in, one verdict line per record out, in order. */
#include "cli.h"
#include "line_reader.h"
#include "long_record.h"
#include "output.h"
#include "record.h"
#include "sighup.h"
#include "verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum { INPUT_JSONL, INPUT_LINES, INPUT_TEXT, INPUT_STREAM, INPUT_SSE } input_mode;

typedef struct {
    aupf_ruleset *rs;
    aupf_scanner *scanner;
    record *rec;
    long_record *long_rec;
    output out;
    input_mode mode;
    verdict_format format;
    aupf_role role;
    bool apply;
    size_t max_bytes;
    size_t number;
    bool any_error;
    sighup_reload reload;
} filter;

/* A verdict the on_error policy gave: said on stderr, and in the exit status. */
static void note_fallback(filter *f, const aupf_result *r) {
    if (!aupf_result_fallback(r))
        return;
    f->any_error = true;
    fprintf(stderr, "aupfilter: record %zu: %s; verdict by on_error = %s\n", f->number,
            aupf_strerror(aupf_result_error(r)),
            aupf_result_fallback(r) == AUPF_FAIL_OPEN ? "fail_open" : "fail_closed");
}

static void emit_error(filter *f, const record *rec, const char *error) {
    f->any_error = true;
    verdict_input in = {.rec = rec, .number = f->number};
    if (f->apply && f->mode != INPUT_JSONL) {
        /* the transformed-text stream has no room for an error record: fail
         * closed with the block message and say why on stderr */
        const char *msg = aupf_ruleset_block_message(f->rs);
        out_str(&f->out.buf, msg);
        if (f->mode == INPUT_LINES)
            out_char(&f->out.buf, '\n');
        fprintf(stderr, "aupfilter: record %zu: %s\n", f->number, error);
        return;
    }
    verdict_write_error(&f->out.buf, f->format, &in, error);
}

static void handle_text(filter *f, const record *rec, const char *text, size_t len,
                        aupf_role role) {
    const aupf_result *r;
    if (!aupf_utf8_valid(text, len, NULL)) { /* the contract: an error line, not a guess */
        emit_error(f, rec, aupf_strerror(AUPF_E_UTF8));
        return;
    }
    int st = aupf_scan(f->scanner, role, text, len, &r);
    if (st != AUPF_OK) {
        emit_error(f, rec, aupf_strerror(st));
        return;
    }
    note_fallback(f, r);
    verdict_input in = {.rec = rec, .number = f->number, .text = text, .len = len};
    if (f->apply) {
        st = aupf_apply(f->scanner, r, text, len, &in.output, &in.output_len);
        if (st != AUPF_OK) {
            emit_error(f, rec, aupf_strerror(st));
            return;
        }
        if (f->mode != INPUT_JSONL) {
            out_bytes(&f->out.buf, in.output, in.output_len);
            if (f->mode == INPUT_LINES)
                out_char(&f->out.buf, '\n');
            return;
        }
    }
    verdict_write(&f->out.buf, f->format, f->rs, r, &in);
}

static void handle_record(filter *f, const char *line, size_t len) {
    if (f->mode != INPUT_JSONL) {
        handle_text(f, NULL, line, len, f->role);
        return;
    }
    const char *error;
    if (!record_parse(f->rec, line, len, &error)) {
        emit_error(f, f->rec, error);
        return;
    }
    size_t tlen;
    const char *text = record_text(f->rec, &tlen);
    const char *role = record_role(f->rec);
    aupf_role r = role ? (strcmp(role, "completion") == 0 ? AUPF_ROLE_COMPLETION : AUPF_ROLE_PROMPT)
                       : f->role;
    handle_text(f, f->rec, text, tlen, r);
}

/* Between records: start a reload SIGHUP asked for, take a finished one. */
static void maybe_reload(filter *f) {
    sighup_poll(&f->reload);
    if (sighup_take(&f->reload, &f->rs, &f->scanner) && f->format == FORMAT_TEXT && !f->apply) {
        out_str(&f->out.buf, "# ruleset ");
        out_str(&f->out.buf, aupf_ruleset_hash(f->rs));
        out_str(&f->out.buf, " from here on (reloaded)\n");
    }
}

/* A record over --max-bytes, from its first piece: scanned as a stream.
 * With --apply (lines, text) the released text is written as it comes.
 * Returns EXIT_OK, or EXIT_IO when the input or the output failed. */
static int handle_long(filter *f, line_reader *lr, const char *piece, size_t len) {
    bool text_out = f->apply && f->mode != INPUT_JSONL;
    long_record_opts o = {.rs = f->rs,
                          .s = f->scanner,
                          .role = f->role,
                          .jsonl = f->mode == INPUT_JSONL,
                          .strip_cr = f->mode != INPUT_TEXT,
                          .apply = text_out ? &f->out : NULL};
    const aupf_result *r;
    const char *error;
    size_t total;
    long_status ls = long_record_run(f->long_rec, &o, lr, piece, len, &r, &error, &total);
    if (ls == LONG_INPUT || ls == LONG_OUTPUT)
        return EXIT_IO;
    outbuf id = {0};
    if (f->mode == INPUT_JSONL)
        long_record_write_id(f->long_rec, &id);
    verdict_input in = {.id_json = id.data, .id_len = id.len, .number = f->number, .len = total};
    if (ls == LONG_ERROR) {
        f->any_error = true;
        if (text_out) { /* the released text so far, then fail closed */
            out_str(&f->out.buf, aupf_ruleset_block_message(f->rs));
            if (f->mode == INPUT_LINES)
                out_char(&f->out.buf, '\n');
            fprintf(stderr, "aupfilter: record %zu: %s\n", f->number, error);
        } else {
            verdict_write_error(&f->out.buf, f->format, &in, error);
        }
    } else {
        note_fallback(f, r);
        if (text_out && f->mode == INPUT_LINES)
            out_char(&f->out.buf, '\n');
        else if (!text_out)
            verdict_write(&f->out.buf, f->format, f->rs, r, &in);
    }
    out_free(&id);
    return EXIT_OK;
}

static int run(filter *f) {
    sighup_source src = {.fd = 0, .reload = &f->reload};
    line_reader lr;
    line_reader_init(&lr, sighup_read, &src, f->max_bytes);
    lr.wait = output_wait_hook;
    lr.wait_ctx = &f->out;
    /* larger records are scanned as streams; with --apply a JSONL verdict
     * carries the whole output, so there they are refused instead */
    lr.pieces = !(f->apply && f->mode == INPUT_JSONL);
    f->out.lines = !(f->apply && f->mode == INPUT_TEXT);
    int status = EXIT_OK;
    for (;;) {
        const char *line;
        size_t len;
        line_status ls = f->mode == INPUT_TEXT ? line_reader_all(&lr, &line, &len)
                                               : line_reader_next(&lr, true, &line, &len);
        if (ls == LINE_EOF)
            break;
        if (ls == LINE_ERROR) {
            fprintf(stderr, "aupfilter: cannot read input\n");
            status = EXIT_IO;
            break;
        }
        f->number++;
        maybe_reload(f);
        if (ls == LINE_LONG && handle_long(f, &lr, line, len) != EXIT_OK) {
            if (!f->out.failed) /* (a failed output has said so) */
                fprintf(stderr, "aupfilter: cannot read input\n");
            status = EXIT_IO;
            break;
        } else if (ls == LINE_TOO_LONG) {
            char msg[128];
            snprintf(msg, sizeof msg, "record of %zu bytes exceeds the limit of %zu bytes", len,
                     f->max_bytes);
            emit_error(f, NULL, msg);
        } else if (ls == LINE_OK) {
            handle_record(f, line, len);
        }
        if (f->out.buf.failed) {
            fprintf(stderr, "aupfilter: out of memory\n");
            status = EXIT_IO;
            break;
        }
        if (!output_maybe_flush(&f->out) || f->mode == INPUT_TEXT)
            break;
    }
    if (!output_flush(&f->out))
        status = EXIT_IO; /* downstream closed the pipe or the disk is full */
    line_reader_free(&lr);
    if (status == EXIT_OK && f->any_error)
        status = EXIT_RECORD_ERRORS;
    return status;
}

int cmd_filter(int argc, char **argv) {
    cli_common common = {0};
    filter f = {.out = {.fd = 1}, .role = AUPF_ROLE_PROMPT, .max_bytes = 16u << 20};
    const char *verdict_path = NULL;
    bool role_given = false;
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_common_option(&common, argc, argv, &i))
            continue;
        if (strcmp(a, "--input") == 0 && v) {
            i++;
            if (strcmp(v, "jsonl") == 0)
                f.mode = INPUT_JSONL;
            else if (strcmp(v, "lines") == 0)
                f.mode = INPUT_LINES;
            else if (strcmp(v, "text") == 0)
                f.mode = INPUT_TEXT;
            else if (strcmp(v, "stream") == 0)
                f.mode = INPUT_STREAM;
            else if (strcmp(v, "sse") == 0)
                f.mode = INPUT_SSE;
            else
                goto bad;
        } else if (strcmp(a, "--format") == 0 && v) {
            i++;
            if (strcmp(v, "json") == 0)
                f.format = FORMAT_JSON;
            else if (strcmp(v, "text") == 0)
                f.format = FORMAT_TEXT;
            else if (strcmp(v, "openai") == 0)
                f.format = FORMAT_OPENAI;
            else if (strcmp(v, "llamaguard") == 0)
                f.format = FORMAT_LLAMAGUARD;
            else
                goto bad;
        } else if (strcmp(a, "--role") == 0 && v) {
            i++;
            if (strcmp(v, "prompt") == 0)
                f.role = AUPF_ROLE_PROMPT;
            else if (strcmp(v, "completion") == 0)
                f.role = AUPF_ROLE_COMPLETION;
            else
                goto bad;
            role_given = true;
        } else if (strcmp(a, "--max-bytes") == 0 && v) {
            i++;
            char *end;
            unsigned long long n = strtoull(v, &end, 10);
            if (*end || n == 0 || n > UINT32_MAX)
                goto bad;
            f.max_bytes = (size_t)n;
        } else if (strcmp(a, "--verdict") == 0 && v) {
            i++;
            verdict_path = v;
        } else if (strcmp(a, "--apply") == 0) {
            f.apply = true;
        } else {
            goto bad;
        }
    }
    f.rs = cli_load(&common, false);
    if (!f.rs)
        return EXIT_USAGE;
    int status = EXIT_IO;
    if (aupf_scanner_new(f.rs, &f.scanner) != AUPF_OK || !(f.rec = record_new()) ||
        !(f.long_rec = long_record_new()))
        fprintf(stderr, "aupfilter: out of memory\n");
    else if (f.mode == INPUT_STREAM || f.mode == INPUT_SSE) {
        /* one stream per run, and a stream finishes on the ruleset it
         * started with: nothing to reload (docs/integration.md) */
        sighup_ignore();
        status = f.mode == INPUT_STREAM
                     ? cli_run_stream(f.rs, f.scanner, f.role, verdict_path)
                     : cli_run_sse(f.rs, f.scanner, role_given ? f.role : AUPF_ROLE_COMPLETION,
                                   verdict_path);
    } else if (!sighup_init(&f.reload, f.rs, &common, false)) {
        fprintf(stderr, "aupfilter: out of memory\n");
    } else {
        status = run(&f);
        sighup_end(&f.reload);
    }
    record_free(f.rec);
    long_record_free(f.long_rec);
    aupf_scanner_free(f.scanner);
    aupf_ruleset_release(f.rs);
    out_free(&f.out.buf);
    return status;
bad:
    fprintf(stderr, "aupfilter: bad argument '%s' (see aupfilter --help)\n", argv[i]);
    return EXIT_USAGE;
}
