/* aupfilter-bench: startup (cold compile vs warm cache load) and block-scan
 * throughput of the library on real text. Every figure is the median of
 * repeated runs with min and max; ratios come from the same run. */
#include "aupfilter.h"
#include "bench_stream.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

typedef bench_corpus corpus;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    double median, min, max;
} stats;

static stats summarize(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    stats s = {n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v[0], v[n - 1]};
    return s;
}

static int load_corpus(const char *path, corpus *c) {
    gzFile f = gzopen(path, "rb"); /* plain files too */
    if (!f)
        return -1;
    size_t cap = 1 << 24;
    char *line = malloc(cap);
    while (line && gzgets(f, line, (int)cap)) {
        size_t n = strlen(line);
        json_t *o = json_loadb(line, n, JSON_ALLOW_NUL, NULL);
        json_t *t = o ? json_object_get(o, "text") : NULL;
        if (json_is_string(t)) {
            c->text = realloc(c->text, (c->count + 1) * sizeof *c->text);
            c->len = realloc(c->len, (c->count + 1) * sizeof *c->len);
            size_t l = json_string_length(t);
            c->text[c->count] = malloc(l + 1);
            memcpy(c->text[c->count], json_string_value(t), l + 1);
            c->len[c->count] = l;
            c->bytes += l;
            c->count++;
        }
        json_decref(o);
    }
    free(line);
    gzclose(f);
    return 0;
}

static void print_row(FILE *out, const char *name, stats s, const char *unit) {
    fprintf(out, "%-40s %10.3f %10.3f %10.3f  %s\n", name, s.median, s.min, s.max, unit);
}

int main(int argc, char **argv) {
    const char *config = NULL, *corpus_path = NULL, *json_out = NULL;
    int runs = 5;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            config = argv[++i];
        else if (strcmp(argv[i], "--corpus") == 0 && i + 1 < argc)
            corpus_path = argv[++i];
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
            json_out = argv[++i];
        else {
            fprintf(stderr, "usage: aupfilter-bench [--config FILE] [--corpus JSONL] [--runs N] "
                            "[--json OUT]\n");
            return 2;
        }
    }
    if (!config)
        config = AUPF_SOURCE_CONFIG;
    if (!corpus_path)
        corpus_path = AUPF_DEFAULT_CORPUS;
    if (runs < 1 || runs > 1000)
        runs = 5;
    corpus c = {0};
    if (load_corpus(corpus_path, &c) != 0 || c.count == 0) {
        fprintf(stderr, "aupfilter-bench: cannot read corpus %s\n", corpus_path);
        return 2;
    }
    char cache_dir[] = "/tmp/aupf-bench-XXXXXX";
    if (!mkdtemp(cache_dir))
        return 3;
    double *cold = calloc((size_t)runs, sizeof *cold), *warm = calloc((size_t)runs, sizeof *warm);
    double *scan = calloc((size_t)runs, sizeof *scan), *mem = calloc((size_t)runs, sizeof *mem);
    double *raw = calloc((size_t)runs, sizeof *raw);
    aupf_ruleset *rs = NULL;
    for (int r = 0; r < runs; r++) {
        aupf_load_options cold_opts = {.no_cache = 1};
        aupf_load_options warm_opts = {.cache_dir = cache_dir};
        double t0 = now_s();
        if (aupf_ruleset_load(config, &cold_opts, NULL, NULL, &rs) != AUPF_OK) {
            fprintf(stderr, "aupfilter-bench: cannot load %s\n", config);
            return 2;
        }
        cold[r] = (now_s() - t0) * 1e3;
        aupf_ruleset_release(rs);
        if (r == 0) { /* fill the cache */
            aupf_ruleset_load(config, &warm_opts, NULL, NULL, &rs);
            aupf_ruleset_release(rs);
        }
        t0 = now_s();
        aupf_ruleset_load(config, &warm_opts, NULL, NULL, &rs);
        warm[r] = (now_s() - t0) * 1e3;
        if (!aupf_ruleset_from_cache(rs))
            fprintf(stderr, "aupfilter-bench: warm load did not use the cache\n");
        if (r + 1 < runs)
            aupf_ruleset_release(rs);
    }
    aupf_scanner *s, *s_raw;
    aupf_scanner_new(rs, &s);
    aupf_ruleset *rs_raw = NULL;
    aupf_load_options raw_opts = {.cache_dir = cache_dir, .no_normalize = 1};
    aupf_ruleset_load(config, &raw_opts, NULL, NULL, &rs_raw);
    aupf_scanner_new(rs_raw, &s_raw);
    size_t flagged = 0;
    volatile unsigned long sink = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = now_s();
        flagged = 0;
        for (size_t i = 0; i < c.count; i++) {
            const aupf_result *res;
            if (aupf_scan(s, AUPF_ROLE_PROMPT, c.text[i], c.len[i], &res) == AUPF_OK)
                flagged += (size_t)aupf_result_flagged(res);
        }
        scan[r] = c.bytes / (now_s() - t0) / 1e6;
        t0 = now_s();
        for (size_t i = 0; i < c.count; i++) {
            const aupf_result *res;
            aupf_scan(s_raw, AUPF_ROLE_PROMPT, c.text[i], c.len[i], &res);
        }
        raw[r] = c.bytes / (now_s() - t0) / 1e6;
        t0 = now_s();
        unsigned long acc = 0;
        for (size_t i = 0; i < c.count; i++)
            for (size_t k = 0; k < c.len[i]; k++)
                acc += (unsigned char)c.text[i][k];
        sink += acc;
        mem[r] = c.bytes / (now_s() - t0) / 1e6;
    }
    (void)sink;
    stats sc = summarize(cold, runs), sw = summarize(warm, runs), ss = summarize(scan, runs),
          sm = summarize(mem, runs), sr = summarize(raw, runs);
    printf("aupfilter-bench: %zu rules, ruleset %s; corpus %s: %zu documents, %.2f MB; %d runs\n",
           aupf_ruleset_rule_count(rs), aupf_ruleset_hash(rs), corpus_path, c.count, c.bytes / 1e6,
           runs);
    printf("%-40s %10s %10s %10s\n", "measure", "median", "min", "max");
    print_row(stdout, "startup: cold compile", sc, "ms");
    print_row(stdout, "startup: warm cache load", sw, "ms");
    print_row(stdout, "block scan, library (aupf_scan)", ss, "MB/s");
    print_row(stdout, "block scan, no normalization", sr, "MB/s");
    print_row(stdout, "memory read of the same buffers", sm, "MB/s");
    printf("normalization keeps %.0f%% of the throughput\n", 100.0 * ss.median / sr.median);
    printf("\nstreaming (holdback %zu bytes)\n", aupf_ruleset_holdback(rs));
    printf("%-40s %10s %10s %10s\n", "chunk bytes", "median ns", "p99 ns", "MB/s");
    const size_t chunks[] = {4, 16, 64};
    double lat[3][3];
    for (int k = 0; k < 3; k++) {
        bench_chunk_latency(rs, &c, chunks[k], 2000000, &lat[k][0], &lat[k][1], &lat[k][2]);
        char name[64];
        snprintf(name, sizeof name, "aupf_stream_write, %zu-byte chunks", chunks[k]);
        printf("%-40s %10.0f %10.0f %10.1f\n", name, lat[k][0], lat[k][1], lat[k][2]);
    }
    double state = 0, rss = 0;
    bench_stream_memory(rs, &c, 100000, &state, &rss);
    printf("stream state %.0f bytes (library count), %.0f bytes resident each; %.0f streams/GiB\n",
           state, rss, rss > 0 ? 1073741824.0 / rss : 0);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    printf("\n%-40s %10s %10s\n", "threads", "MB/s", "speed-up");
    double one = 0;
    for (long t = 1; t <= ncpu && t <= 64; t = t < 4 ? t + 1 : t * 2) {
        double v[5];
        for (int r = 0; r < 5; r++)
            v[r] = bench_threads(rs, &c, (int)t);
        qsort(v, 5, sizeof v[0], cmp_double);
        if (t == 1)
            one = v[2];
        printf("%-40ld %10.1f %10.2f\n", t, v[2], v[2] / one);
    }
    printf("cold/warm ratio %.1fx; documents/s %.0f; flagged %zu of %zu\n", sc.median / sw.median,
           ss.median * 1e6 / ((double)c.bytes / (double)c.count), flagged, c.count);
    if (json_out) {
        FILE *f = fopen(json_out, "w");
        if (f) {
            fprintf(f,
                    "{\"rules\":%zu,\"ruleset\":\"%s\",\"documents\":%zu,\"bytes\":%zu,\"runs\":%d,"
                    "\"cold_ms\":[%.3f,%.3f,%.3f],\"warm_ms\":[%.3f,%.3f,%.3f],"
                    "\"scan_mbps\":[%.3f,%.3f,%.3f],\"scan_raw_mbps\":[%.3f,%.3f,%.3f],"
                    "\"memread_mbps\":[%.3f,%.3f,%.3f]}\n",
                    aupf_ruleset_rule_count(rs), aupf_ruleset_hash(rs), c.count, c.bytes, runs,
                    sc.median, sc.min, sc.max, sw.median, sw.min, sw.max, ss.median, ss.min, ss.max,
                    sr.median, sr.min, sr.max, sm.median, sm.min, sm.max);
            fclose(f);
        }
    }
    aupf_scanner_free(s);
    aupf_scanner_free(s_raw);
    aupf_ruleset_release(rs);
    aupf_ruleset_release(rs_raw);
    free(raw);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", cache_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "aupfilter-bench: could not remove %s\n", cache_dir);
    for (size_t i = 0; i < c.count; i++)
        free(c.text[i]);
    free(c.text);
    free(c.len);
    free(cold);
    free(warm);
    free(scan);
    free(mem);
    return 0;
}
