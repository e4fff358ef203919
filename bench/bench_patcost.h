/* Where the scan time goes, rule by rule: every Hyperscan expression of
 * the ruleset compiled alone and scanned over the corpus. */
#ifndef AUPF_BENCH_PATCOST_H
#define AUPF_BENCH_PATCOST_H

#include "aupfilter.h"
#include "bench_util.h"

typedef struct {
    size_t pattern; /* index in database order (bench_patterns) */
    bench_stats seconds;
    size_t matches; /* callbacks of one pass */
} bench_pattern_cost;

/* Fills out[0..n) with the n costliest expressions, costliest first, each
 * timed over `runs` passes of hs_scan over the view; returns how many were
 * filled, or 0 on error. *total_s gets the sum of every expression's
 * median time. */
size_t bench_pattern_costs(const aupf_ruleset *rs, const bench_corpus *view, int runs,
                           bench_clock clock, bench_progress *pg, bench_pattern_cost *out, size_t n,
                           double *total_s);

/* Identical expressions (several rules sharing one unless pattern) are
 * separate entries of the database. The database of the distinct
 * expressions only, against the ruleset's: how many there are, and hs_scan
 * time and callbacks of each, over `runs` passes. Returns 0, or -1. */
typedef struct {
    size_t expressions, distinct;
    bench_stats all_s, distinct_s;
    size_t all_matches, distinct_matches;
} bench_distinct;

int bench_distinct_expressions(const aupf_ruleset *rs, const bench_corpus *view, int runs,
                               bench_clock clock, bench_progress *pg, bench_distinct *out);

#endif
