/* Streaming and threads for aupfilter-bench: per-chunk latency, stream
 * state, concurrent streams per GiB, throughput with 1..N threads. */
#include "bench_stream.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int discard(void *ctx, const char *bytes, size_t len, const aupf_event *ev) {
    (void)ctx;
    (void)bytes;
    (void)len;
    (void)ev;
    return 0;
}

int bench_chunk_latency(aupf_ruleset *rs, const bench_corpus *c, size_t chunk, size_t max_calls,
                        double *median_ns, double *p99_ns, double *mbps, double *quantiles,
                        size_t nq) {
    aupf_scanner *s;
    if (aupf_scanner_new(rs, &s) != AUPF_OK)
        return -1;
    double *t = malloc(max_calls * sizeof *t);
    if (!t) {
        aupf_scanner_free(s);
        return -1;
    }
    size_t calls = 0, bytes = 0;
    double total = 0;
    for (size_t d = 0; d < c->count && calls < max_calls; d++) {
        aupf_stream *st;
        aupf_stream_open(rs, AUPF_ROLE_COMPLETION, &st);
        for (size_t off = 0; off < c->len[d] && calls < max_calls; off += chunk) {
            size_t n = c->len[d] - off < chunk ? c->len[d] - off : chunk;
            double t0 = now_ns();
            aupf_stream_write(st, s, c->text[d] + off, n, discard, NULL);
            double dt = now_ns() - t0;
            t[calls++] = dt;
            total += dt;
            bytes += n;
        }
        const aupf_result *r;
        aupf_stream_close(st, s, discard, NULL, &r);
        aupf_stream_free(st);
    }
    bench_latency_quantiles(t, calls, median_ns, p99_ns);
    *mbps = total > 0 ? bytes / total * 1e3 : 0;
    for (size_t q = 0; quantiles && q < nq; q++)
        quantiles[q] = calls && nq > 1 ? t[(calls - 1) * q / (nq - 1)] : 0;
    free(t);
    aupf_scanner_free(s);
    return 0;
}

static long rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kib = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kib;
}

int bench_stream_memory(aupf_ruleset *rs, const bench_corpus *c, size_t nstreams,
                        double *state_bytes, double *rss_bytes_per_stream) {
    aupf_scanner *s;
    if (aupf_scanner_new(rs, &s) != AUPF_OK)
        return -1;
    aupf_stream **st = calloc(nstreams, sizeof *st);
    long before = rss_kib();
    double sum = 0;
    for (size_t i = 0; i < nstreams; i++) {
        if (aupf_stream_open(rs, AUPF_ROLE_COMPLETION, &st[i]) != AUPF_OK)
            return -1;
        /* each stream mid-completion: a document fed in 16-byte chunks */
        size_t d = i % c->count;
        for (size_t off = 0; off < c->len[d]; off += 16)
            aupf_stream_write(st[i], s, c->text[d] + off,
                              c->len[d] - off < 16 ? c->len[d] - off : 16, discard, NULL);
        sum += (double)aupf_stream_memory(st[i]);
    }
    long after = rss_kib();
    *state_bytes = sum / (double)nstreams;
    *rss_bytes_per_stream = (double)(after - before) * 1024.0 / (double)nstreams;
    for (size_t i = 0; i < nstreams; i++)
        aupf_stream_free(st[i]);
    free(st);
    aupf_scanner_free(s);
    return 0;
}

typedef struct {
    aupf_ruleset *rs;
    const bench_corpus *c;
    size_t first, step;
} worker;

static void *work(void *arg) {
    worker *w = arg;
    aupf_scanner *s;
    if (aupf_scanner_new(w->rs, &s) != AUPF_OK)
        return NULL;
    for (size_t i = w->first; i < w->c->count; i += w->step) {
        const aupf_result *r;
        aupf_scan(s, AUPF_ROLE_PROMPT, w->c->text[i], w->c->len[i], &r);
    }
    aupf_scanner_free(s);
    return NULL;
}

static double cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

double bench_threads(aupf_ruleset *rs, const bench_corpus *c, int threads, double *cores) {
    pthread_t tid[256];
    worker w[256];
    double t0 = now_ns(), c0 = cpu_ns();
    for (int i = 0; i < threads; i++) {
        w[i] = (worker){rs, c, (size_t)i, (size_t)threads};
        pthread_create(&tid[i], NULL, work, &w[i]);
    }
    for (int i = 0; i < threads; i++)
        pthread_join(tid[i], NULL);
    double wall = now_ns() - t0;
    if (cores)
        *cores = (cpu_ns() - c0) / wall;
    return (double)c->bytes / wall * 1e3;
}
