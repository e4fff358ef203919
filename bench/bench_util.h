#ifndef AUPF_BENCH_UTIL_H
#define AUPF_BENCH_UTIL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The texts of a corpus, one per document. */
typedef struct {
    char **text;
    size_t *len;
    size_t count, bytes;
} bench_corpus;

/* Reads the "text" field of every JSONL line of path (gzip or plain), at
 * most max_docs documents (0: all). Returns 0, or -1 when unreadable. */
int bench_corpus_load(const char *path, size_t max_docs, bench_corpus *c);
/* out: the documents of in joined by newlines, per to a document (texts
 * the length of model completions from short ones). Returns 0 or -1. */
int bench_corpus_join(const bench_corpus *in, size_t per, bench_corpus *out);
void bench_corpus_free(bench_corpus *c);

/* A figure from repeated runs. */
typedef struct {
    double median, min, max;
} bench_stats;

double bench_now_s(void);

/* The clock for single-threaded measures: CPU time of the calling thread
 * (the default: a shared, busy machine takes the core away between time
 * slices, and that time is not the code's) or wall-clock time. */
typedef enum { BENCH_CLOCK_CPU, BENCH_CLOCK_WALL } bench_clock;
double bench_clock_s(bench_clock k);
/* CPU time of the whole process (every thread). */
double bench_process_cpu_s(void);
int bench_cmp_double(const void *a, const void *b);
/* Sorts v[0..n) and summarizes it. */
bench_stats bench_summarize(double *v, int n);
/* Sorts per-call times t[0..n) and reads their median and 99th percentile
 * (0 when n is 0). */
void bench_latency_quantiles(double *t, size_t n, double *median, double *p99);

/* A one-line progress note on stderr, redrawn in place; silent unless
 * stderr is a terminal. */
typedef struct {
    int on;
    double t0;
} bench_progress;

void bench_progress_init(bench_progress *p);
void bench_progress_note(bench_progress *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void bench_progress_clear(bench_progress *p);

#ifdef __cplusplus
}
#endif
#endif
