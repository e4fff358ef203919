/* aupfilter --input stream: raw bytes in as they arrive, released bytes out
 * at once (one write per read, no stdio buffering); the final verdict goes
 * to --verdict FILE. */
#include "cli.h"
#include "json_out.h"
#include "output.h"
#include "verdict.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct {
    output out;
    bool fallback; /* failed inside: on_error followed */
} stream_sink;

static int on_release(void *ctx, const char *bytes, size_t len, const aupf_event *ev) {
    stream_sink *k = ctx;
    if (ev) {
        if (ev->kind == AUPF_EVENT_FALLBACK && !k->fallback) {
            k->fallback = true;
            fprintf(stderr, "aupfilter: scan failed; on_error = %s from here on\n",
                    ev->category == AUPF_FAIL_OPEN ? "fail_open" : "fail_closed");
        }
        return 0;
    }
    out_bytes(&k->out.buf, bytes, len);
    return 0;
}

int cli_run_stream(aupf_ruleset *rs, aupf_scanner *s, aupf_role role, const char *verdict_path) {
    aupf_stream *st;
    if (aupf_stream_open(rs, role, &st) != AUPF_OK) {
        fprintf(stderr, "aupfilter: cannot open a stream\n");
        return EXIT_IO;
    }
    stream_sink k = {.out = {.fd = 1}};
    char buf[64 * 1024];
    int status = EXIT_OK, rc = AUPF_OK;
    size_t total = 0;
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fprintf(stderr, "aupfilter: cannot read input\n");
            status = EXIT_IO;
            break;
        }
        if (n == 0)
            break;
        total += (size_t)n;
        rc = aupf_stream_write(st, s, buf, (size_t)n, on_release, &k);
        if (rc != AUPF_OK || !output_flush(&k.out))
            break;
    }
    const aupf_result *r = NULL;
    if (rc == AUPF_OK && status == EXIT_OK)
        rc = aupf_stream_close(st, s, on_release, &k, &r);
    if (!output_flush(&k.out) && status == EXIT_OK)
        status = EXIT_IO;
    if (rc != AUPF_OK) {
        fprintf(stderr, "aupfilter: stream failed: %s\n", aupf_strerror(rc));
        status = EXIT_IO;
    }
    if (r && verdict_path) {
        outbuf o = {0};
        verdict_input in = {.number = 1, .len = total};
        verdict_write(&o, FORMAT_JSON, rs, r, &in);
        FILE *f = fopen(verdict_path, "w");
        if (!f || fwrite(o.data, 1, o.len, f) != o.len) {
            fprintf(stderr, "aupfilter: cannot write %s\n", verdict_path);
            status = EXIT_IO;
        }
        if (f && fclose(f) != 0)
            status = EXIT_IO;
        out_free(&o);
    }
    out_free(&k.out.buf);
    aupf_stream_free(st);
    if (status == EXIT_OK && k.fallback)
        status = EXIT_RECORD_ERRORS;
    return status;
}
