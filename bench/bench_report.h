/* The results of one aupfilter-bench run: the printed table and JSON. */
#ifndef AUPF_BENCH_REPORT_H
#define AUPF_BENCH_REPORT_H

#include "bench_patcost.h"
#include "bench_scale.h"
#include "bench_util.h"

#include <stdio.h>

#define BENCH_CHUNK_SIZES      3
#define BENCH_MAX_THREAD_STEPS 16
#define BENCH_MAX_SCALE        8
#define BENCH_TOP_PATTERNS     12

enum {
    BENCH_SECTION_STARTUP = 1,
    BENCH_SECTION_BLOCK = 2,
    BENCH_SECTION_STREAM = 4,
    BENCH_SECTION_THREADS = 8,
    BENCH_SECTION_SCALING = 16,
    BENCH_SECTION_PATTERNS = 32
};

typedef struct {
    const char *config, *corpus, *ruleset;
    size_t rules, patterns, db_bytes, holdback, documents, bytes, view_bytes, jsonl_bytes;
    int runs, quick, done; /* BENCH_SECTION_* measured so far */
    bench_clock clock;     /* of the single-threaded measures */
    /* startup, ms */
    bench_stats cold_ms, cold_cpu_ms, warm_ms; /* cold: wall, and CPU of every thread */
    /* block, one core, MB/s of text */
    bench_stats mem, hs, scan, scan_raw, e2e, e2e_net, re2, pcre2;
    int has_e2e, has_re2, has_pcre2;
    /* ratios, run by run */
    bench_stats scan_vs_hs, e2e_vs_hs, scan_vs_pcre2, e2e_vs_pcre2, scan_vs_re2, e2e_vs_re2;
    size_t flagged, hs_matches, hs_hit_docs;
    size_t pcre2_rules, pcre2_skipped, pcre2_errors, pcre2_disagree;
    size_t re2_rules, re2_skipped, re2_errors, re2_disagree;
    /* streaming */
    size_t chunk[BENCH_CHUNK_SIZES];
    bench_stats chunk_median_ns[BENCH_CHUNK_SIZES], chunk_p99_ns[BENCH_CHUNK_SIZES],
        chunk_mbps[BENCH_CHUNK_SIZES];
    double stream_state, stream_rss;
    /* Hyperscan alone on the streaming database, the same chunks and then
     * one call per view */
    int has_hs_chunks;
    bench_stats hs_chunk_median_ns[BENCH_CHUNK_SIZES + 1], hs_chunk_p99_ns[BENCH_CHUNK_SIZES + 1],
        hs_chunk_mbps[BENCH_CHUNK_SIZES + 1];
    /* threads */
    size_t thread_steps;
    int threads[BENCH_MAX_THREAD_STEPS];
    bench_stats thread_mbps[BENCH_MAX_THREAD_STEPS], thread_speedup[BENCH_MAX_THREAD_STEPS],
        thread_cores[BENCH_MAX_THREAD_STEPS]; /* CPU the process got, in cores */
    /* scaling: the configured rules measured the same way, then synthetic */
    bench_scale_row scale_base;
    size_t nscale;
    bench_scale_row scale[BENCH_MAX_SCALE];
    /* the costliest expressions alone, and every expression's time summed */
    size_t ntop;
    bench_pattern_cost top[BENCH_TOP_PATTERNS];
    const char *top_rule[BENCH_TOP_PATTERNS], *top_expr[BENCH_TOP_PATTERNS];
    int top_trigger[BENCH_TOP_PATTERNS];
    double patterns_total_s;
    int has_distinct;
    bench_distinct distinct;
} bench_report;

/* The machine, ruleset and corpus. */
void bench_report_print_header(FILE *out, const bench_report *r);
/* One measured section (BENCH_SECTION_*); scaling prints its table head
 * and rows as they come. */
void bench_report_print_section(FILE *out, const bench_report *r, int section);
void bench_report_print_scale_head(FILE *out);
void bench_report_print_scale_row(FILE *out, const bench_scale_row *s, const char *note);
/* The sections measured so far; returns 0, or -1 when the file cannot be
 * written. */
int bench_report_json(const bench_report *r, const char *path);

#endif
