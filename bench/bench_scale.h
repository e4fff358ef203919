/* Rule-count scaling: synthetic rulesets of N rules built from the real
 * ones, written as a configuration and packs, compiled and scanned. */
#ifndef AUPF_BENCH_SCALE_H
#define AUPF_BENCH_SCALE_H

#include "aupfilter.h"
#include "bench_util.h"

typedef struct {
    size_t rules;
    double compile_ms;     /* cold compile of every database (one run), wall clock */
    double compile_cpu_ms; /* the same in CPU time, every compiling thread */
    size_t db_bytes;       /* block database */
    bench_stats hs_mbps;   /* raw hs_scan of the block database over the view */
    bench_stats scan_mbps; /* aupf_scan over the original text */
    size_t flagged;
} bench_scale_row;

/* Writes dir/aupfilter.conf (the categories of `config`) and packs of
 * `rules` rules: each a rule of `base` behind a distinct literal anchor
 * word, "\bWORD\s{1,2}(?:PATTERN)", with the base rule's category, weight,
 * roles and flags, without its unless patterns. Returns 0, or -1. */
int bench_scale_write(const char *config, const aupf_ruleset *base, size_t rules, const char *dir);

/* Compiles dir/aupfilter.conf without a cache and measures it over the
 * corpus c and its normalized view. Returns an aupf_status. */
int bench_scale_measure(const char *dir, const bench_corpus *c, const bench_corpus *view, int runs,
                        bench_clock clock, bench_progress *pg, bench_scale_row *row);
/* The same measures of a loaded ruleset (the compile times are left alone). */
int bench_scale_measure_ruleset(aupf_ruleset *rs, const bench_corpus *c, const bench_corpus *view,
                                int runs, bench_clock clock, bench_progress *pg,
                                bench_scale_row *row);

#endif
