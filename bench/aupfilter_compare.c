/* aupfilter-compare: English throughput of several configurations measured
 * in one process, their passes interleaved run by run, so that the ratios
 * to the first configuration hold on a shared, noisy machine (separate
 * bench runs minutes apart moved the same figure by 30%).
 *
 *   aupfilter-compare [--corpus JSONL] [--max-docs N] [--join N] [--runs N]
 *                     BASE.conf OTHER.conf...
 *
 * --join N joins every N documents (newline between) into one, for texts
 * as long as completions.
 *
 * For each configuration: raw hs_scan of its block database over the
 * normalized text, and aupf_scan (normalization on), as MB/s of the
 * documents' text; then the median of the per-run ratios to BASE. */
#include "aupfilter.h"
#include "bench_raw.h"
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_CONFIGS = 16, MAX_RUNS = 64 };

typedef struct {
    const char *path;
    aupf_ruleset *rs;
    aupf_scanner *scanner;
    bench_hs_scratch *hs_scratch;
    double hs[MAX_RUNS], scan[MAX_RUNS], hs_ratio[MAX_RUNS], scan_ratio[MAX_RUNS];
} config_run;

static double scan_seconds(aupf_scanner *s, const bench_corpus *c) {
    double t0 = bench_clock_s(BENCH_CLOCK_CPU);
    for (size_t i = 0; i < c->count; i++) {
        const aupf_result *res;
        (void)aupf_scan(s, AUPF_ROLE_PROMPT, c->text[i], c->len[i], &res);
    }
    return bench_clock_s(BENCH_CLOCK_CPU) - t0;
}

static double hs_seconds(const config_run *cfg, const bench_corpus *view) {
    size_t matches;
    double t0 = bench_clock_s(BENCH_CLOCK_CPU);
    if (bench_hs_scan(cfg->rs, cfg->hs_scratch, view, &matches) != 0)
        return -1;
    return bench_clock_s(BENCH_CLOCK_CPU) - t0;
}

static int usage(void) {
    fprintf(stderr, "usage: aupfilter-compare [--corpus JSONL] [--max-docs N] [--join N] "
                    "[--runs N] BASE.conf OTHER.conf...\n");
    return 2;
}

int main(int argc, char **argv) {
    const char *corpus = AUPF_DEFAULT_CORPUS;
    size_t max_docs = 20000, join = 1;
    int runs = 7, n = 0;
    static config_run cfg[MAX_CONFIGS];
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--corpus") == 0 && i + 1 < argc)
            corpus = argv[++i];
        else if (strcmp(argv[i], "--max-docs") == 0 && i + 1 < argc)
            max_docs = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--join") == 0 && i + 1 < argc)
            join = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (argv[i][0] == '-' || n == MAX_CONFIGS)
            return usage();
        else
            cfg[n++].path = argv[i];
    }
    if (n < 2 || runs < 1 || runs > MAX_RUNS || join < 1)
        return usage();
    bench_corpus c = {0}, view = {0}, docs = {0};
    if (bench_corpus_load(corpus, max_docs, &docs) != 0 || docs.count == 0 ||
        bench_corpus_join(&docs, join, &c) != 0 || bench_normalize_corpus(&c, &view) != 0) {
        fprintf(stderr, "aupfilter-compare: cannot read %s\n", corpus);
        return 2;
    }
    for (int k = 0; k < n; k++) {
        aupf_load_options opts = {.cache_dir = NULL};
        int st = aupf_ruleset_load(cfg[k].path, &opts, NULL, NULL, &cfg[k].rs);
        if (st == AUPF_OK)
            st = aupf_scanner_new(cfg[k].rs, &cfg[k].scanner);
        if (st == AUPF_OK && !(cfg[k].hs_scratch = bench_hs_scratch_new(cfg[k].rs)))
            st = AUPF_E_NOMEM;
        if (st != AUPF_OK) {
            fprintf(stderr, "aupfilter-compare: %s: %s\n", cfg[k].path, aupf_strerror(st));
            return 2;
        }
        scan_seconds(cfg[k].scanner, &c); /* warm-up: page faults, caches */
    }
    printf("corpus %s: %zu documents, %.2f MB", corpus, docs.count, (double)c.bytes / 1e6);
    if (join > 1)
        printf(" (%zu texts of %zu joined by newlines)", c.count, join);
    printf("; %d runs, configurations interleaved\n", runs);
    bench_corpus_free(&docs);
    for (int r = 0; r < runs; r++) {
        for (int j = 0; j < n; j++) {
            int k = (r & 1) ? n - 1 - j : j; /* alternate the order run by run */
            cfg[k].hs[r] = (double)c.bytes / hs_seconds(&cfg[k], &view) / 1e6;
            cfg[k].scan[r] = (double)c.bytes / scan_seconds(cfg[k].scanner, &c) / 1e6;
        }
        for (int k = 0; k < n; k++) {
            cfg[k].hs_ratio[r] = cfg[k].hs[r] / cfg[0].hs[r];
            cfg[k].scan_ratio[r] = cfg[k].scan[r] / cfg[0].scan[r];
        }
    }
    printf("%-18s %6s %8s %12s %9s %14s %9s\n", "ruleset", "rules", "patterns", "hs_scan MB/s",
           "to base", "aupf_scan MB/s", "to base");
    for (int k = 0; k < n; k++) {
        bench_stats hs = bench_summarize(cfg[k].hs, runs);
        bench_stats scan = bench_summarize(cfg[k].scan, runs);
        bench_stats hr = bench_summarize(cfg[k].hs_ratio, runs);
        bench_stats sr = bench_summarize(cfg[k].scan_ratio, runs);
        printf("%-18.16s %6zu %8zu %12.1f %9.3f %14.1f %9.3f  %s\n", aupf_ruleset_hash(cfg[k].rs),
               aupf_ruleset_rule_count(cfg[k].rs), bench_patterns(cfg[k].rs, NULL, 0), hs.median,
               hr.median, scan.median, sr.median, cfg[k].path);
        aupf_scanner_free(cfg[k].scanner);
        bench_hs_scratch_free(cfg[k].hs_scratch);
        aupf_ruleset_release(cfg[k].rs);
    }
    bench_corpus_free(&c);
    bench_corpus_free(&view);
    return 0;
}
