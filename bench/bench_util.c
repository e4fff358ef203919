/* Corpus loading, timing, statistics and the progress line. */
#include "bench_util.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

static int corpus_push(bench_corpus *c, const char *s, size_t l) {
    char **text = realloc(c->text, (c->count + 1) * sizeof *text);
    if (!text)
        return -1;
    c->text = text;
    size_t *len = realloc(c->len, (c->count + 1) * sizeof *len);
    if (!len)
        return -1;
    c->len = len;
    if (!(c->text[c->count] = malloc(l + 1)))
        return -1;
    memcpy(c->text[c->count], s, l);
    c->text[c->count][l] = 0;
    c->len[c->count] = l;
    c->bytes += l;
    c->count++;
    return 0;
}

int bench_corpus_load(const char *path, size_t max_docs, bench_corpus *c) {
    gzFile f = gzopen(path, "rb"); /* reads plain files too */
    if (!f)
        return -1;
    size_t cap = 1 << 24;
    char *line = malloc(cap);
    int st = line ? 0 : -1;
    while (st == 0 && (max_docs == 0 || c->count < max_docs) && gzgets(f, line, (int)cap)) {
        json_t *o = json_loadb(line, strlen(line), JSON_ALLOW_NUL, NULL);
        json_t *t = o ? json_object_get(o, "text") : NULL;
        if (json_is_string(t))
            st = corpus_push(c, json_string_value(t), json_string_length(t));
        json_decref(o);
    }
    free(line);
    gzclose(f);
    return st;
}

int bench_corpus_join(const bench_corpus *in, size_t per, bench_corpus *out) {
    *out = (bench_corpus){0};
    for (size_t i = 0; i < in->count; i += per) {
        size_t end = i + per < in->count ? i + per : in->count, len = 0;
        for (size_t k = i; k < end; k++)
            len += in->len[k] + 1;
        char *joined = malloc(len);
        if (!joined)
            return -1;
        size_t at = 0;
        for (size_t k = i; k < end; k++) {
            memcpy(joined + at, in->text[k], in->len[k]);
            at += in->len[k];
            joined[at++] = '\n';
        }
        int st = corpus_push(out, joined, at - 1); /* no newline after the last */
        free(joined);
        if (st != 0)
            return -1;
    }
    return 0;
}

void bench_corpus_free(bench_corpus *c) {
    for (size_t i = 0; i < c->count; i++)
        free(c->text[i]);
    free(c->text);
    free(c->len);
    *c = (bench_corpus){0};
}

double bench_now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double read_clock(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double bench_clock_s(bench_clock k) {
    return read_clock(k == BENCH_CLOCK_CPU ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC);
}

double bench_process_cpu_s(void) { return read_clock(CLOCK_PROCESS_CPUTIME_ID); }

int bench_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void bench_latency_quantiles(double *t, size_t n, double *median, double *p99) {
    qsort(t, n, sizeof *t, bench_cmp_double);
    *median = n ? t[n / 2] : 0;
    *p99 = n ? t[n * 99 / 100] : 0;
}

bench_stats bench_summarize(double *v, int n) {
    if (n < 1)
        return (bench_stats){0, 0, 0};
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    bench_stats s = {n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v[0], v[n - 1]};
    return s;
}

void bench_progress_init(bench_progress *p) {
    p->on = isatty(STDERR_FILENO);
    p->t0 = bench_now_s();
}

void bench_progress_note(bench_progress *p, const char *fmt, ...) {
    if (!p->on)
        return;
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\r\033[K[%6.1fs] %s", bench_now_s() - p->t0, msg);
    fflush(stderr);
}

void bench_progress_clear(bench_progress *p) {
    if (p->on) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}
