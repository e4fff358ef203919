/* aupfilter-soak: resident memory over a long run (docs/reliability.md).
 * One million streams opened, fed in chunks of 1-64 bytes and closed, then
 * one million documents scanned (and applied when flagged), on the texts
 * of a corpus in turn. Resident memory is read from /proc/self/statm at
 * the start, every tenth of each phase and at the end; a flat line is the
 * result. Not part of the test suite: it runs for minutes.
 *
 *   aupfilter-soak [--config FILE] [--corpus JSONL] [--streams N] [--docs N] */
#include "aupfilter.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    char **text;
    size_t *len;
    size_t count;
} corpus;

static int load_corpus(const char *path, corpus *c) {
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        json_t *o = json_loadb(line, (size_t)n, JSON_ALLOW_NUL, NULL);
        json_t *t = json_object_get(o, "text");
        if (json_is_string(t)) {
            c->text = realloc(c->text, (c->count + 1) * sizeof *c->text);
            c->len = realloc(c->len, (c->count + 1) * sizeof *c->len);
            c->len[c->count] = json_string_length(t);
            c->text[c->count] = malloc(c->len[c->count] + 1);
            memcpy(c->text[c->count], json_string_value(t), c->len[c->count] + 1);
            c->count++;
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
    return 0;
}

/* Resident memory in KiB (/proc/self/statm, second field, in pages). */
static long rss_kib(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = -1;
    if (f) {
        if (fscanf(f, "%ld %ld", &size, &resident) != 2)
            resident = -1;
        fclose(f);
    }
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int sink(void *ctx, const char *bytes, size_t len, const aupf_event *ev) {
    (void)bytes;
    if (!ev)
        *(size_t *)ctx += len;
    return 0;
}

static void sample(const char *phase, size_t done, double t0, long *first, long *last) {
    long kib = rss_kib();
    if (*first < 0)
        *first = kib;
    *last = kib;
    printf("%-8s %9zu %10ld %+9ld %8.1f\n", phase, done, kib, kib - *first, now_s() - t0);
    fflush(stdout);
}

int main(int argc, char **argv) {
    const char *config = AUPF_SOURCE_CONFIG, *corpus_path = AUPF_DEFAULT_CORPUS;
    size_t nstreams = 1000000, ndocs = 1000000;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            config = argv[++i];
        else if (strcmp(argv[i], "--corpus") == 0 && i + 1 < argc)
            corpus_path = argv[++i];
        else if (strcmp(argv[i], "--streams") == 0 && i + 1 < argc)
            nstreams = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--docs") == 0 && i + 1 < argc)
            ndocs = strtoul(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: aupfilter-soak [--config FILE] [--corpus JSONL] "
                            "[--streams N] [--docs N]\n");
            return 2;
        }
    }
    corpus c = {0};
    if (load_corpus(corpus_path, &c) != 0 || c.count == 0) {
        fprintf(stderr, "aupfilter-soak: cannot read corpus %s\n", corpus_path);
        return 2;
    }
    aupf_ruleset *rs;
    aupf_scanner *s;
    if (aupf_ruleset_load(config, NULL, NULL, NULL, &rs) != AUPF_OK ||
        aupf_scanner_new(rs, &s) != AUPF_OK) {
        fprintf(stderr, "aupfilter-soak: cannot load %s\n", config);
        return 2;
    }
    printf("corpus %s: %zu texts; %zu streams, then %zu documents\n", corpus_path, c.count,
           nstreams, ndocs);
    printf("%-8s %9s %10s %9s %8s\n", "phase", "done", "RSS KiB", "growth", "seconds");
    long first = -1, last = -1, peak = 0;
    double t0 = now_s();
    sample("start", 0, t0, &first, &last);
    unsigned rng = 12345;
    size_t released = 0, flagged = 0, failures = 0;
    for (size_t i = 0; i < nstreams; i++) {
        const char *t = c.text[i % c.count];
        size_t len = c.len[i % c.count];
        aupf_stream *st;
        if (aupf_stream_open(rs, AUPF_ROLE_COMPLETION, &st) != AUPF_OK) {
            failures++;
            continue;
        }
        for (size_t at = 0; at < len;) {
            rng = rng * 1103515245u + 12345u;
            size_t k = 1 + (rng >> 16) % 64;
            if (k > len - at)
                k = len - at;
            failures += aupf_stream_write(st, s, t + at, k, sink, &released) != AUPF_OK;
            at += k;
        }
        const aupf_result *r;
        if (aupf_stream_close(st, s, sink, &released, &r) == AUPF_OK)
            flagged += aupf_result_flagged(r);
        else
            failures++;
        aupf_stream_free(st);
        if ((i + 1) % (nstreams / 10 ? nstreams / 10 : 1) == 0) {
            sample("streams", i + 1, t0, &first, &last);
            peak = last > peak ? last : peak;
        }
    }
    for (size_t i = 0; i < ndocs; i++) {
        const char *t = c.text[i % c.count];
        size_t len = c.len[i % c.count];
        const aupf_result *r;
        const char *out;
        size_t out_len;
        if (aupf_scan(s, AUPF_ROLE_PROMPT, t, len, &r) != AUPF_OK) {
            failures++;
            continue;
        }
        if (aupf_result_flagged(r)) {
            flagged++;
            failures += aupf_apply(s, r, t, len, &out, &out_len) != AUPF_OK;
        }
        if ((i + 1) % (ndocs / 10 ? ndocs / 10 : 1) == 0) {
            sample("docs", i + 1, t0, &first, &last);
            peak = last > peak ? last : peak;
        }
    }
    sample("end", nstreams + ndocs, t0, &first, &last);
    printf("RSS start %ld KiB, end %ld KiB, peak sample %ld KiB; %zu flagged, %zu bytes "
           "released by streams, %zu failures\n",
           first, last, peak > last ? peak : last, flagged, released, failures);
    aupf_scanner_free(s);
    aupf_ruleset_release(rs);
    for (size_t i = 0; i < c.count; i++)
        free(c.text[i]);
    free(c.text);
    free(c.len);
    return failures ? 1 : 0;
}
